/*
 * pgdump.h - PostgreSQL's own client tools as a reference for the
 * integration tests: apply a file with psql exactly as a user would, dump
 * a database's schema with pg_dump and normalise the dump so that two
 * databases built the same way compare equal, and fingerprint the data.
 *
 * The tools are looked up in $DBM_TEST_PGBIN, then on PATH, then in the
 * Debian/Ubuntu folder /usr/lib/postgresql/<major>/bin. Functions that
 * cannot run a tool fail the current cmocka test.
 */
#ifndef DBM_PGDUMP_H
#define DBM_PGDUMP_H

/* Flags of dbm_pgdump_schema. */
#define DBM_PGDUMP_PRIVILEGES 0x1 /* keep GRANT/REVOKE (pg_dump without --no-privileges) */

/*
 * 1 when pg_dump and psql were found, else 0. Other functions fail the
 * test when they are missing, so a caller may skip on 0 instead.
 */
int dbm_pgdump_available(void);

/*
 * Runs psql -X -q -v ON_ERROR_STOP=1 -f file against url (a postgres:// URL
 * or conninfo). Returns psql's exit code (0 on success, 3 when a statement
 * failed). When out is not NULL, *out receives everything psql wrote to
 * stdout and stderr (caller frees with free()).
 */
int dbm_pgdump_psql_file(const char *url, const char *file, char **out);

/*
 * Runs one SQL string with psql -X -A -t -q -v ON_ERROR_STOP=1 -c and
 * returns its output (rows as "a|b\n"; caller frees with free()). Fails the
 * test, showing psql's messages, when psql exits non-zero.
 */
char *dbm_pgdump_query(const char *url, const char *sql);

/*
 * The normalised schema of url's database: pg_dump --schema-only --no-owner
 * (and --no-privileges unless flags has DBM_PGDUMP_PRIVILEGES), without the
 * table named exclude_table (NULL: none) and its snapshot table
 * (exclude_table_snapshot) with their indexes and constraints,
 * passed through dbm_pgdump_normalise. Caller frees with free(). Fails the
 * test when pg_dump fails.
 */
char *dbm_pgdump_schema(const char *url, const char *exclude_table, unsigned flags);

/*
 * Removes from a pg_dump script, in place, what differs between two dumps
 * of equal schemas: comment lines ("-- Name: ..., Dumped from ..."), SET
 * lines, set_config() calls, psql's \restrict and \unrestrict lines and
 * blank lines. Returns dump.
 */
char *dbm_pgdump_normalise(char *dump);

/*
 * A fingerprint of the data in every table of url's database except
 * exclude_table and its snapshot table: one line per table, "schema.table|rows|md5", where md5
 * covers the rows (sorted) without their timestamp and uuid columns,
 * whose values depend on when and where they were made. Caller frees.
 */
char *dbm_pgdump_data(const char *url, const char *exclude_table);

/*
 * Fails the test when a and b differ, printing what (a label) and the
 * first differing line of each with its line number.
 */
void dbm_pgdump_assert_same(const char *what, const char *a, const char *b);

#endif /* DBM_PGDUMP_H */
