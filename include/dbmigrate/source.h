/*
 * source.h - one streaming pass over a migration file.
 *
 * Reads the file in fixed-size chunks and, in the same pass: checks UTF-8
 * strictly, drops a leading BOM, computes the Flyway checksum (before or
 * after placeholder replacement), replaces ${placeholders} line by line, and
 * feeds the splitter, which hands each statement to the callback. Memory does
 * not grow with the file size. Errors name the file (display name) and line.
 */
#ifndef DBM_SOURCE_H
#define DBM_SOURCE_H

#include <stdint.h>

#include "dbmigrate/placeholder.h"
#include "dbmigrate/scan.h"
#include "dbmigrate/sqlsplit.h"

struct dbm_source_opts {
	enum dbm_dialect dialect;
	const struct dbm_placeholders *placeholders; /* NULL: no replacement at all */
	int checksum_after_placeholders;             /* 1 for repeatables (Flyway) */
	dbm_stmt_cb on_stmt;                         /* NULL: checksum only, no splitting */
	void *ctx;
	long long max_bytes; /* > 0: a longer file stops the pass with DBM_ERR_RUN */
};

/*
 * Runs the pass over path; errors name display_name (the script as the user
 * knows it, e.g. "migrations/V3__x.sql"). Returns 0 and *checksum (when not
 * NULL); the callback's non-zero value as it returned it (the pass stops);
 * DBM_ERR_USAGE for invalid UTF-8 (byte offset), an unresolved placeholder
 * or an unterminated construct (line); DBM_ERR_RUN when the file cannot be
 * read; DBM_ERR_NOMEM.
 */
int dbm_source_run(const char *path, const char *display_name, const struct dbm_source_opts *o,
                   int32_t *checksum);

/*
 * As dbm_source_run over a migration file f (its path names it). For a part
 * of a two-part file (dbmate, goose: f->section is not DBM_SECTION_WHOLE)
 * only that part's lines reach the splitter, every other line as an empty
 * one so that line numbers stay the file's, and the checksum is the part's
 * (docs/decisions.md). Returns as dbm_source_run.
 */
int dbm_source_run_file(const struct dbm_file *f, const struct dbm_source_opts *o,
                        int32_t *checksum);

#endif /* DBM_SOURCE_H */
