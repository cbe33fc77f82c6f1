/*
 * sqlgen.h - the SQL text dbmigrate itself sends, per dialect.
 *
 * Transaction control and every history-table statement are built here.
 * A history statement is built one of two ways: with placeholders ($1.. for
 * PostgreSQL, ? elsewhere) and its values collected in a struct
 * dbm_sql_args, for the driver to bind (what a run sends: the server's
 * string settings cannot change what is stored); or, with args NULL, with
 * the values written as literals for the dialect's default string rules
 * (PostgreSQL standard_conforming_strings on: quotes doubled; MySQL without
 * NO_BACKSLASH_ESCAPES: quotes and backslashes escaped), which is what
 * --dry-run prints. Identifiers are quoted ("x" or `x`). Only the runner's
 * history module (src/runner/history.c) calls the history builders.
 */
#ifndef DBM_SQLGEN_H
#define DBM_SQLGEN_H

#include "dbmigrate/common.h"
#include "dbmigrate/history.h"
#include "dbmigrate/sqlsplit.h"

/* The most values one statement binds. */
#define DBM_SQL_MAX_ARGS 12

/*
 * The values of a statement built with placeholders, in placeholder order:
 * v[i] is text, NULL for SQL NULL; it borrows the strings given to the
 * builder, and num holds the numbers' text. Valid while args lives.
 */
struct dbm_sql_args {
	unsigned n;
	const char *v[DBM_SQL_MAX_ARGS];
	char num[DBM_SQL_MAX_ARGS][24];
};

/*
 * What the SQL dbmigrate sends needs to know of a dialect, as facts rather
 * than tests of the dialect in each builder: one entry per enum
 * dbm_dialect in sqlgen.c's table (docs/drivers/adding.md).
 */
struct dbm_sql_dialect {
	const char *begin;         /* "BEGIN", SQLite "BEGIN IMMEDIATE" (the write lock at once) */
	const char *create_schema; /* "CREATE SCHEMA IF NOT EXISTS ", MySQL's "... DATABASE ..." */
	/*
	 * The connection's schema as an SQL expression ("current_schema()"),
	 * for a catalog query without --schema; NULL when the dialect's catalog
	 * is the schema's own table of tables (SQLite's sqlite_master).
	 */
	const char *current_schema;
	const char *default_schema; /* the schema of that own catalog when none is named ("main") */
	const char *current_user;   /* installed_by when none is configured */
	const char *bool_true, *bool_false; /* "true"/"false", else "1"/"0" */
	const char *history_columns;        /* CREATE TABLE history's text after the table name */
	char ident_quote;                   /* '"' or '`' */
	unsigned char numbered_params;      /* placeholders are $1, $2 ... rather than ? */
	unsigned char literal_backslash;    /* the default string rules escape backslashes */
	unsigned char index_schema_on_name; /* CREATE INDEX schema.name ON table (SQLite) */
	unsigned char lf_only;              /* scripts reach the server with \n line ends only */
};

/* The facts of dialect d; never NULL. */
const struct dbm_sql_dialect *dbm_sql_dialect(enum dbm_dialect d);

/* Appends the quoted identifier. 0 or DBM_ERR_NOMEM. */
int dbm_sql_ident(enum dbm_dialect d, const char *ident, struct dbm_buf *out);
/* Appends the quoted string literal, or NULL for s == NULL. */
int dbm_sql_literal(enum dbm_dialect d, const char *s, struct dbm_buf *out);
/* Appends schema.table quoted; schema NULL: table alone. */
int dbm_sql_table(enum dbm_dialect d, const char *schema, const char *table, struct dbm_buf *out);

/* "BEGIN" ("BEGIN IMMEDIATE" for SQLite), "COMMIT", "ROLLBACK". Static strings. */
const char *dbm_sql_begin(enum dbm_dialect d);
const char *dbm_sql_commit(enum dbm_dialect d);
const char *dbm_sql_rollback(enum dbm_dialect d);

/*
 * Each sets out to (clears it first) one statement without a terminating
 * ';'. Those taking args: args NULL writes the values as literals, else
 * they become placeholders and args gets the values (args->n reset first).
 * 0 or DBM_ERR_NOMEM.
 */
int dbm_sql_create_schema(enum dbm_dialect d, const char *schema, struct dbm_buf *out);
int dbm_sql_history_exists(enum dbm_dialect d, const char *schema, const char *table,
                           struct dbm_sql_args *args,
                           struct dbm_buf *out); /* a query returning a row when the table exists */
int dbm_sql_history_create(enum dbm_dialect d, const char *schema, const char *table,
                           struct dbm_buf *out);
int dbm_sql_history_index(enum dbm_dialect d, const char *schema, const char *table,
                          struct dbm_buf *out); /* the index on success */
int dbm_sql_history_select(enum dbm_dialect d, const char *schema, const char *table,
                           struct dbm_buf *out); /* columns in history.h order, by rank */
/*
 * A query returning one row per table or view in the schema other than the
 * history table and dbmigrate's own lock and snapshot tables (SQLite:
 * triggers too).
 */
int dbm_sql_other_tables(enum dbm_dialect d, const char *schema, const char *table,
                         const char *lock_table, const char *snapshot_table,
                         struct dbm_sql_args *args, struct dbm_buf *out);
/* row->installed_by NULL: the dialect's current-user expression. installed_on is left to its
 * default. */
int dbm_sql_history_insert(enum dbm_dialect d, const char *schema, const char *table,
                           const struct dbm_history_row *row, struct dbm_sql_args *args,
                           struct dbm_buf *out);
/* Turns the failed row with that rank into a success row that took execution_time ms. */
int dbm_sql_history_succeed(enum dbm_dialect d, const char *schema, const char *table, int rank,
                            int execution_time, struct dbm_sql_args *args, struct dbm_buf *out);
int dbm_sql_history_delete(enum dbm_dialect d, const char *schema, const char *table, int rank,
                           struct dbm_sql_args *args, struct dbm_buf *out);
/* Sets checksum (NULL: SQL NULL) and description of the row with that rank. */
int dbm_sql_history_realign(enum dbm_dialect d, const char *schema, const char *table, int rank,
                            const int32_t *checksum, const char *description,
                            struct dbm_sql_args *args, struct dbm_buf *out);

/*
 * The snapshot table (<table>_snapshot, named by the caller): one row per
 * history row a change ended at, with the schema's digest (SHA-256 of the
 * canonical SQL), the canonical SQL and the snapshot text (schema.h).
 * Created with IF NOT EXISTS; _latest selects installed_rank, version and
 * digest of the newest row; _objects the snapshot text of one rank.
 */
int dbm_sql_snapshot_create(enum dbm_dialect d, const char *schema, const char *table,
                            struct dbm_buf *out);
int dbm_sql_snapshot_delete(enum dbm_dialect d, const char *schema, const char *table, int rank,
                            struct dbm_sql_args *args, struct dbm_buf *out);
int dbm_sql_snapshot_insert(enum dbm_dialect d, const char *schema, const char *table, int rank,
                            const char *version, const char *digest, const char *schema_sql,
                            const char *objects, struct dbm_sql_args *args, struct dbm_buf *out);
int dbm_sql_snapshot_latest(enum dbm_dialect d, const char *schema, const char *table,
                            struct dbm_buf *out);
int dbm_sql_snapshot_objects(enum dbm_dialect d, const char *schema, const char *table, int rank,
                             struct dbm_sql_args *args, struct dbm_buf *out);

#endif /* DBM_SQLGEN_H */
