/*
 * sqlgen.h - the SQL text dbmigrate itself sends, per dialect.
 *
 * Transaction control and every history-table statement are built here as
 * plain SQL text with literal values, so that --dry-run can print exactly
 * what a run would send. Identifiers are quoted ("x" or `x`), strings are
 * escaped for the dialect (MySQL: backslashes doubled too).
 */
#ifndef DBM_SQLGEN_H
#define DBM_SQLGEN_H

#include "dbmigrate/common.h"
#include "dbmigrate/history.h"
#include "dbmigrate/sqlsplit.h"

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

/* Each sets out to (clears it first) one statement without a terminating ';'. */
int dbm_sql_create_schema(enum dbm_dialect d, const char *schema, struct dbm_buf *out);
int dbm_sql_history_exists(enum dbm_dialect d, const char *schema, const char *table,
			   struct dbm_buf *out); /* a query returning a row when the table exists */
int dbm_sql_history_create(enum dbm_dialect d, const char *schema, const char *table,
			   struct dbm_buf *out);
int dbm_sql_history_index(enum dbm_dialect d, const char *schema, const char *table,
			  struct dbm_buf *out); /* the index on success */
int dbm_sql_history_select(enum dbm_dialect d, const char *schema, const char *table,
			   struct dbm_buf *out); /* columns in history.h order, by rank */
/* A query returning one row per table in the schema other than the history table. */
int dbm_sql_other_tables(enum dbm_dialect d, const char *schema, const char *table,
			 struct dbm_buf *out);
/* row->installed_by NULL: the dialect's current-user expression. installed_on is left to its default. */
int dbm_sql_history_insert(enum dbm_dialect d, const char *schema, const char *table,
			   const struct dbm_history_row *row, struct dbm_buf *out);
/* Turns the failed row with that rank into a success row that took execution_time ms. */
int dbm_sql_history_succeed(enum dbm_dialect d, const char *schema, const char *table, int rank,
			    int execution_time, struct dbm_buf *out);
int dbm_sql_history_delete(enum dbm_dialect d, const char *schema, const char *table, int rank,
			   struct dbm_buf *out);
/* Sets checksum (NULL: SQL NULL) and description of the row with that rank. */
int dbm_sql_history_realign(enum dbm_dialect d, const char *schema, const char *table, int rank,
			    const int32_t *checksum, const char *description, struct dbm_buf *out);

#endif /* DBM_SQLGEN_H */
