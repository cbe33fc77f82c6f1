/*
 * history.h - the history table's rows in memory.
 *
 * The table has Flyway's columns (installed_rank, version, description,
 * type, script, checksum, installed_by, installed_on, execution_time,
 * success), so a database Flyway managed can be adopted. Types written by
 * dbmigrate: "SQL", "BASELINE", "UNDO_SQL", "DELETE"; rows of other types
 * written by Flyway ("SCHEMA", "SQL_BASELINE", "JDBC", ...) are read and
 * kept. The table is append-only except for repair; a version's state is
 * decided by its latest row.
 */
#ifndef DBM_HISTORY_H
#define DBM_HISTORY_H

#include <stddef.h>
#include <stdint.h>

#define DBM_HISTORY_NCOLS 10

/*
 * The sizes of the text columns, in characters (VARCHAR(n) of Flyway's
 * table); the CREATE TABLE (sqlgen.c) is written from these.
 */
#define DBM_HISTORY_VERSION_MAX 50
#define DBM_HISTORY_DESCRIPTION_MAX 200
#define DBM_HISTORY_TYPE_MAX 20
#define DBM_HISTORY_SCRIPT_MAX 1000
#define DBM_HISTORY_INSTALLED_BY_MAX 100

struct dbm_history_row {
	int installed_rank;
	char *version; /* NULL for repeatables and SQL NULL */
	char *description;
	char *type;
	char *script;
	int has_checksum; /* 0 when checksum is SQL NULL */
	int32_t checksum;
	char *installed_by;
	char *installed_on; /* as the database printed it */
	int execution_time; /* milliseconds */
	int success;        /* 0/1 */
};

struct dbm_history {
	struct dbm_history_row *rows; /* ascending installed_rank */
	size_t n, cap;
};

#define DBM_HISTORY_INIT                                                                           \
	{                                                                                          \
		NULL, 0, 0                                                                         \
	}

/*
 * Appends a row made from the text of one result row, columns in the order
 * above (values[i] NULL for SQL NULL). success accepts t/f, true/false, 1/0.
 * A version must be a version (digits separated by '.' or '_'): "7x" or
 * "two" is refused, not read as whatever its digits say. Returns 0,
 * DBM_ERR_NOMEM, or DBM_ERR_RUN when a value does not parse (the message
 * names the column and the rank, the hint what to do).
 */
int dbm_history_add_text(struct dbm_history *h, unsigned ncols, const char *const *values);
/*
 * Checks that a file's version, description and script (the history's
 * script column: its path relative to its folder) fit the history columns,
 * so that a name too long is refused when the folders are scanned, before
 * anything runs. Returns 0, or DBM_ERR_USAGE with the error naming path,
 * the column, its limit and the value's length.
 */
int dbm_history_check_file(const char *path, const char *version, const char *description,
                           const char *script);
/*
 * Checks a row about to be written: a version that reading would refuse
 * (not digits and separators), a value longer than its column. Returns 0,
 * or DBM_ERR_USAGE naming the column, the value and the limit.
 */
int dbm_history_check_row(const struct dbm_history_row *row);
/* Appends a copy of row. 0 or DBM_ERR_NOMEM. */
int dbm_history_add(struct dbm_history *h, const struct dbm_history_row *row);
/* Sorts by installed_rank; DBM_ERR_RUN naming it when a rank appears twice. */
int dbm_history_sort(struct dbm_history *h);
/* The highest installed_rank, 0 when empty. */
int dbm_history_max_rank(const struct dbm_history *h);
/* Frees a row's strings: only rows that dbm_history_add or _add_text filled. */
void dbm_history_row_free(struct dbm_history_row *row);
void dbm_history_free(struct dbm_history *h);

#endif /* DBM_HISTORY_H */
