/*
 * dump.h - what the drivers' dump modules share (driver.h's dump
 * operation): each database's catalog knowledge lives in its own file
 * (sqlite_dump.c, pgsql_dump.c, mysql_dump.c) and reads the catalogs
 * through the connection's query operation, so it needs nothing of the
 * client library. Only src/drivers/ includes this header.
 */
#ifndef DBM_DRIVERS_DUMP_H
#define DBM_DRIVERS_DUMP_H

#include "dbmigrate/driver.h"
#include "dbmigrate/schema.h"

/*
 * A whole result: the value of row r, column k starts at text.ptr +
 * off[r * ncols + k] (DBM_DUMP_NULL for SQL NULL). The values are kept one
 * after the other, each with its NUL, in one buffer: a catalog query of a
 * 1000-table schema returns tens of thousands of short values, and one
 * allocation each cost more than the values.
 */
struct dbm_dump_rows {
	size_t *off;
	struct dbm_buf text;
	size_t n, ncols, cap;
};

#define DBM_DUMP_NULL ((size_t)-1)
#define DBM_DUMP_ROWS_INIT                                                                         \
	{                                                                                          \
		NULL, DBM_BUF_INIT, 0, 0, 0                                                        \
	}

/* Runs sql on c and keeps every row in rows (emptied first). 0, DBM_ERR_RUN or DBM_ERR_NOMEM. */
int dbm_dump_query(struct dbm_conn *c, const char *sql, struct dbm_dump_rows *rows);
/* The value of row r, column k: borrowed, NULL for SQL NULL. */
const char *dbm_dump_get(const struct dbm_dump_rows *rows, size_t r, size_t k);
void dbm_dump_rows_free(struct dbm_dump_rows *rows);

/*
 * Appends s as an SQL string literal: quotes doubled, and with backslashes
 * doubled too when backslash is set (MySQL's default sql_mode). 0 or
 * DBM_ERR_NOMEM.
 */
int dbm_dump_literal(struct dbm_buf *out, const char *s, int backslash);

/*
 * Appends "('<history>', '<history>_snapshot', '<lock table>')" as
 * literals (dbm_dump_literal's backslash rule; the lock table as
 * dbm_drv_lock_table names it under max_name): dbmigrate's own tables,
 * which dump, and so diff and drift, leave out on every database. The one
 * list of them: a table dbmigrate adds next to its history table joins it
 * here. 0 or DBM_ERR_NOMEM.
 */
int dbm_dump_own_tables(struct dbm_buf *out, const char *history_table, int backslash,
                        size_t max_name);

int dbm_sqlite_dump(struct dbm_conn *c, const char *schema, const char *history_table,
                    struct dbm_schema *out);
int dbm_pgsql_dump(struct dbm_conn *c, const char *schema, const char *history_table,
                   struct dbm_schema *out);
int dbm_mysql_dump(struct dbm_conn *c, const char *schema, const char *history_table,
                   struct dbm_schema *out);

#endif /* DBM_DRIVERS_DUMP_H */
