/*
 * foreign.h - reading another migration tool's history table, for 'adopt'
 * and for the note 'info' gives on a database that tool manages.
 *
 * golang-migrate keeps one row, the current version and whether it is
 * dirty, in schema_migrations(version bigint, dirty boolean); dbmate one
 * row per applied version in schema_migrations(version varchar); goose a
 * log in goose_db_version(id, version_id, is_applied, tstamp) where the
 * newest row of a version says whether it is applied. The tables are only
 * read, never changed. Called by src/cmd/adopt.c and src/cmd/info.c.
 */
#ifndef DBM_RUNNER_FOREIGN_H
#define DBM_RUNNER_FOREIGN_H

#include <stddef.h>

#include "dbmigrate/scan.h"

struct dbm_session;

struct dbm_foreign {
	enum dbm_naming tool; /* GOLANG_MIGRATE, DBMATE, GOOSE; AUTO: no table found */
	const char *table;    /* the tool's table name */
	char **versions;      /* applied versions as the table holds them, ascending;
	                       * golang-migrate: the current version alone (none: empty table) */
	size_t n;
	int dirty; /* golang-migrate: the current version failed half way */
};

/*
 * Looks for the tables of the tool want (AUTO: any of the three) in the
 * session's schema and reads the applied versions. Returns 0 with
 * out->tool AUTO when there is none; DBM_ERR_USAGE when want is AUTO and
 * both a schema_migrations and a goose_db_version table exist (the hint
 * says to choose with --from) or a version cannot be a version; the
 * driver's error when a table cannot be read; DBM_ERR_NOMEM. Free with
 * dbm_foreign_free.
 */
int dbm_foreign_read(struct dbm_session *s, enum dbm_naming want, struct dbm_foreign *out);
void dbm_foreign_free(struct dbm_foreign *f);

#endif /* DBM_RUNNER_FOREIGN_H */
