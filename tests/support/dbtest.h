/*
 * dbtest.h - a scratch database of its own for one test on the PostgreSQL
 * or MariaDB/MySQL test server, and the few things the server tests do with
 * it through the driver vtable: connect, run a statement, read rows as
 * "a|b\n" text and compare them, time a wait.
 *
 * The integration and cli tests call it; it links the drivers, so it lives
 * in a library of its own (dbm_testdb) that the unit tests never link. The
 * server comes from an environment variable (DBM_TEST_PG_URL,
 * DBM_TEST_MYSQL_URL, printed by tests/servers/pgsql.sh and mariadb.sh).
 * Every function that cannot do its job fails the current cmocka test with
 * the driver's message, after releasing what it holds.
 */
#ifndef DBM_DBTEST_H
#define DBM_DBTEST_H

#include "dbmigrate/driver.h"

#define DBM_TESTDB_MAX_EXTRA 4

/* One test's database; made by dbm_testdb_new, freed (and dropped) by dbm_testdb_free. */
struct dbm_testdb {
	const struct dbm_driver *driver; /* the server URL's driver */
	char *server;           /* the server URL as given (PostgreSQL: database "postgres") */
	char name[64];          /* the test's database: "dbm_test_<pid>_<n>" */
	char *url;              /* server with its database swapped for name */
	struct dbm_conn *admin; /* connection to server, for CREATE and DROP DATABASE */
	struct dbm_conn *db;    /* connection to url */
	char *dir;              /* a new empty folder, removed with everything in it */
	char migrations[1024];  /* dir/migrations (not created) */
	int nextra;             /* databases added by dbm_testdb_add */
	char extra_name[DBM_TESTDB_MAX_EXTRA][80];
	char *extra_url[DBM_TESTDB_MAX_EXTRA];
};

/*
 * A new database on the server named by environment variable env, with an
 * admin connection, a connection to it and a working folder. Returns NULL
 * when env is unset or empty (the caller skips; see dbm_testdb_state).
 * Fails the test when the server refuses. Free with dbm_testdb_free.
 */
struct dbm_testdb *dbm_testdb_new(const char *env);
/* Like dbm_testdb_new on the server at url (one node of a cluster, say); never NULL. */
struct dbm_testdb *dbm_testdb_new_at(const char *url);
/*
 * Another database "<name>_<suffix>" on t's server (an old one of that name
 * dropped first), dropped with t. Returns its index i: t->extra_name[i] is
 * its name, t->extra_url[i] its URL.
 */
int dbm_testdb_add(struct dbm_testdb *t, const char *suffix);
/*
 * Database name on t's server, dropped first if it exists and created
 * empty, for a test that makes and drops databases of its own one after
 * another (drop each with dbm_testdb_drop_db: dbm_testdb_free does not).
 * Fails the test when the server refuses.
 */
void dbm_testdb_create_db(struct dbm_testdb *t, const char *name);
/* Drops database name on t's server if it exists; fails the test when the server refuses. */
void dbm_testdb_drop_db(struct dbm_testdb *t, const char *name);
/*
 * Disconnects, drops every database of t, removes its folder and frees it;
 * t may be NULL. Fails the test (after freeing everything) when a DROP
 * DATABASE fails.
 */
void dbm_testdb_free(struct dbm_testdb *t);

/* cmocka fixtures: *state becomes dbm_testdb_new(env) (NULL when unset) / is freed. */
int dbm_testdb_setup_pgsql(void **state);
int dbm_testdb_setup_mysql(void **state);
int dbm_testdb_teardown(void **state);
/*
 * The test's database from *state; when there is none, fails the test if
 * DBM_TEST_REQUIRE_SERVERS=1 (dbm_test_server_url) and else skips it.
 */
struct dbm_testdb *dbm_testdb_state(void **state, const char *env);
/* The server URL in env; when unset fails (servers required) or skips the test. */
const char *dbm_testdb_server(const char *env);

/* url with its database (the path) replaced by db, its query kept. Caller frees with free(). */
char *dbm_testdb_url_with_db(const char *url, const char *db);

/*
 * Connection options as dbmigrate would pass them: application "dbmigrate",
 * a retry wait capped at 1 s, no schema, no timeouts. o.url is url.
 */
struct dbm_conn_opts dbm_testdb_opts(const char *url);
/* Connects with o through the driver of o->url's scheme; fails the test when it cannot. */
struct dbm_conn *dbm_testdb_connect_opts(const struct dbm_conn_opts *o);
/* dbm_testdb_connect_opts with dbm_testdb_opts(url). Disconnect with c->driver->disconnect. */
struct dbm_conn *dbm_testdb_connect(const char *url);

/* Executes one statement (line 1, statement 1 of a file); the driver's 0 or error class. */
int dbm_testdb_try(struct dbm_conn *c, const char *sql);
/* Like dbm_testdb_try and fails the test, naming sql and the error, unless it succeeds. */
void dbm_testdb_exec(struct dbm_conn *c, const char *sql);
/* Fills v[0..n-1] with the statements in sql[], for exec_batch: statement i+1 on line i+1. */
void dbm_testdb_stmts(struct dbm_stmt *v, const char *const *sql, size_t n);

/*
 * Row callback for query: appends the row to the struct dbm_buf ctx, values
 * separated by '|', SQL NULL as "NULL", '\n' after the row. Returns 0.
 */
int dbm_testdb_collect(void *ctx, unsigned ncols, const char *const *values);
/* The rows of sql on c as text ("" for none); caller frees with dbm_free. Fails the test on error.
 */
char *dbm_testdb_rows(struct dbm_conn *c, const char *sql);
/* Fails the test unless the rows of sql on c are exactly want. */
void dbm_testdb_assert_rows(struct dbm_conn *c, const char *sql, const char *want);

/* Seconds on the monotonic clock, for timing waits. */
double dbm_testdb_now(void);

#endif /* DBM_DBTEST_H */
