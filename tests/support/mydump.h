/*
 * mydump.h - MariaDB's own client tools as a reference for the integration
 * tests: run a file through the mariadb command-line client exactly as a user
 * would, dump a database's schema with mariadb-dump and normalise it so that
 * two databases built the same way compare equal, and list the rows of every
 * table.
 *
 * Every function takes the server as a URL "mysql://user:password@host:port/"
 * (what tests/servers/mariadb.sh prints) and a database name. The password
 * reaches the tools through MYSQL_PWD, never their command line. Functions
 * that cannot run a tool, or whose tool fails where it must not, fail the
 * current cmocka test. Strings returned are freed with free().
 */
#ifndef DBM_MYDUMP_H
#define DBM_MYDUMP_H

/* 1 when the mariadb and mariadb-dump clients are on PATH, else 0. */
int dbm_mydump_available(void);

/*
 * Feeds file to the mariadb client on database db, as `mariadb db < file`
 * with --default-character-set=utf8mb4 (what dbmigrate's connections use)
 * and otherwise the client's defaults (which strip comments, as dbmigrate does).
 * Returns the client's exit code (0 when every statement ran). When out is
 * not NULL, *out receives everything the client printed (caller frees).
 */
int dbm_mydump_client_file(const char *url, const char *db, const char *file, char **out);

/*
 * Runs sql (one or more statements) with the mariadb client on database db
 * (NULL: none) and returns its output in batch form without column names:
 * rows as "a\tb\n", tabs, newlines and backslashes in values escaped
 * (caller frees). Fails the test when the client fails.
 */
char *dbm_mydump_query(const char *url, const char *db, const char *sql);

/*
 * The normalised schema of database db: mariadb-dump --no-data
 * --skip-comments --routines --triggers --events --skip-dump-date, leaving
 * out the table exclude_table, exclude_table_lock and exclude_table_snapshot
 * (NULL: none), passed
 * through dbm_mydump_normalise. Caller frees. Fails the test when
 * mariadb-dump fails.
 */
char *dbm_mydump_schema(const char *url, const char *db, const char *exclude_table);

/*
 * Removes from a mariadb-dump script, in place, what differs between dumps
 * of two equal schemas built at different moments: AUTO_INCREMENT=N table
 * options, DEFINER=`user`@`host` clauses, and the STARTS / AT times of
 * events (the server stores the moment of creation when none is given).
 * Returns dump.
 */
char *dbm_mydump_normalise(char *dump);

/*
 * The rows of every base table of db except exclude_table, its snapshot and
 * exclude_table_lock: for each table, in name order, a line "table:" and
 * then one line per row, the values QUOTE()d and separated by ',', sorted.
 * A date or time value within a day of now reads <now>: it was made by a
 * DEFAULT CURRENT_TIMESTAMP or NOW() while the migration ran, so it differs
 * between two runs. Caller frees.
 */
char *dbm_mydump_data(const char *url, const char *db, const char *exclude_table);

/*
 * Returns 0 when a (what dbmigrate made) and b (what the client made) are
 * equal; else prints what (a label) and the first differing line of each
 * with its line number and byte count, and returns 1.
 */
int dbm_mydump_report_diff(const char *what, const char *a, const char *b);

/*
 * Fails the test when a (what dbmigrate made) and b (what the client made)
 * differ, printing what (a label) and the first differing line of each with
 * its line number.
 */
void dbm_mydump_assert_same(const char *what, const char *a, const char *b);

#endif /* DBM_MYDUMP_H */
