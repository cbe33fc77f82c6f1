/*
 * test_txerr.c - exit status, history and database agree: a script that
 * leaves a transaction (or table locks) open, the words of a failing
 * statement, clean kept inside its schema, and runs ended by SIGINT,
 * SIGTERM or SIGPIPE. Against real PostgreSQL and MariaDB servers
 * (DBM_TEST_PG_URL, DBM_TEST_MYSQL_URL: skipped without them, failed when
 * DBM_TEST_REQUIRE_SERVERS=1) and real SQLite files, through the binary.
 */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "dbmigrate/driver.h"
#include "dbtest.h"
#include "project.h"
#include "testutil.h"

/* Sleeps ms milliseconds. */
static void tx_sleep_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};

	nanosleep(&ts, NULL);
}

static const char *const tx_clean_env[] = {"DBMIGRATE_CLEAN_DISABLED=false", NULL};

/* Runs "dbmigrate <cmd> --url url [--schema schema] [extra...]" in t's folder. */
static void tx_run(struct dbm_testdb *t, const char *url, const char *const *env,
                   struct dbm_test_result *r, const char *cmd, ...)
{
	const char *argv[32];
	char rollback[1100];
	const char *a;
	va_list ap;
	int n = 0;

	snprintf(rollback, sizeof(rollback), "%s/rollback", t->dir);
	argv[n++] = cmd;
	argv[n++] = "--url";
	argv[n++] = url;
	argv[n++] = "--migrations";
	argv[n++] = t->migrations;
	argv[n++] = "--rollback";
	argv[n++] = rollback;
	va_start(ap, cmd);
	while ((a = va_arg(ap, const char *)) != NULL && n < 31)
		argv[n++] = a;
	va_end(ap);
	argv[n] = NULL;
	dbm_test_run(t->dir, env, argv, r);
}

/* ---- PostgreSQL: transactions left open ---------------------------------------------------- */

static struct dbm_testdb *tx_pg(void **state)
{
	return dbm_testdb_state(state, "DBM_TEST_PG_URL");
}

static void test_txerr__pgsql_open_transaction_fails_and_rolls_back(void **state)
{
	struct dbm_testdb *t = tx_pg(state);
	struct dbm_test_result r;

	dbm_test_write(t->dir, "migrations/V1__open.sql",
	               "CREATE TABLE c (x int);\nBEGIN;\nCREATE TABLE d (x int);\n");
	tx_run(t, t->url, NULL, &r, "migrate", NULL);
	dbm_test_expect(&r, 1, "V1__open.sql:2", "a transaction still open", "rolled back", NULL);
	if (dbm_test_contains(r.out, "Applied"))
		fail_msg("reported applied: %s", r.out);
	dbm_test_result_free(&r);
	dbm_testdb_assert_rows(t->db, "SELECT version, success FROM schema_history", "1|f\n");
	dbm_testdb_assert_rows(
	    t->db,
	    "SELECT string_agg(tablename, ',' ORDER BY tablename) FROM pg_tables "
	    "WHERE schemaname = 'public' AND tablename IN ('c', 'd')",
	    "c\n");
	/* the next migrate stops on the failed row instead of running the file again */
	tx_run(t, t->url, NULL, &r, "migrate", NULL);
	dbm_test_expect(&r, 3, "repair", NULL);
	dbm_test_result_free(&r);
}

static void test_txerr__pgsql_aborted_transaction_names_file_line_and_error(void **state)
{
	struct dbm_testdb *t = tx_pg(state);
	struct dbm_test_result r;

	dbm_test_write(t->dir, "migrations/V1__abort.sql",
	               "CREATE TABLE c (x int);\nSTART TRANSACTION;\nINSERT INTO c VALUES (1);\n"
	               "SELECT 1/0;\n");
	tx_run(t, t->url, NULL, &r, "migrate", NULL);
	dbm_test_expect(&r, 1, "V1__abort.sql:4", "division by zero", "SQLSTATE 22012",
	                "statement 4 of 4 failed", "rolled back", "hint:", NULL);
	if (dbm_test_contains(r.err, "current transaction is aborted"))
		fail_msg("the unlock's error hid the statement's:\n%s", r.err);
	dbm_test_result_free(&r);
	dbm_testdb_assert_rows(t->db, "SELECT version, success FROM schema_history", "1|f\n");
	dbm_testdb_assert_rows(t->db, "SELECT count(*) FROM c", "0\n");
	/* the lock is free: a repair runs at once */
	tx_run(t, t->url, NULL, &r, "repair", "--lock-timeout", "1", NULL);
	dbm_test_expect(&r, 0, NULL);
	dbm_test_result_free(&r);
}

static void test_txerr__pgsql_undo_and_repeatable_leaving_transaction_open(void **state)
{
	struct dbm_testdb *t = tx_pg(state);
	struct dbm_test_result r;

	dbm_test_write(t->dir, "migrations/V1__a.sql", "CREATE TABLE a (x int);\n");
	dbm_test_write(t->dir, "rollback/U1__a.sql", "BEGIN;\nDROP TABLE a;\n");
	tx_run(t, t->url, NULL, &r, "migrate", NULL);
	dbm_test_expect(&r, 0, NULL);
	dbm_test_result_free(&r);
	tx_run(t, t->url, NULL, &r, "rollback", NULL);
	dbm_test_expect(&r, 1, "U1__a.sql:1", "still open", NULL);
	dbm_test_result_free(&r);
	dbm_testdb_assert_rows(t->db, "SELECT count(*) FROM a", "0\n");
	dbm_testdb_assert_rows(t->db,
	                       "SELECT type, success FROM schema_history ORDER BY installed_rank "
	                       "DESC LIMIT 1",
	                       "UNDO_SQL|f\n");

	dbm_test_write(t->dir, "migrations/R__v.sql",
	               "CREATE TABLE r (x int);\nBEGIN;\nINSERT INTO r VALUES (1);\n");
	tx_run(t, t->url, NULL, &r, "repair", NULL);
	dbm_test_result_free(&r);
	tx_run(t, t->url, NULL, &r, "migrate", NULL);
	dbm_test_expect(&r, 1, "R__v.sql:2", "still open", NULL);
	dbm_test_result_free(&r);
	dbm_testdb_assert_rows(t->db, "SELECT count(*) FROM r", "0\n");
	dbm_testdb_assert_rows(t->db, "SELECT success FROM schema_history WHERE version IS NULL",
	                       "f\n");
}

static void test_txerr__pgsql_error_keeps_server_detail_once(void **state)
{
	struct dbm_testdb *t = tx_pg(state);
	struct dbm_test_result r;

	dbm_test_write(t->dir, "migrations/V1__dup.sql",
	               "CREATE TABLE u (id int PRIMARY KEY);\nINSERT INTO u VALUES (1);\n"
	               "INSERT INTO u VALUES (1);\n");
	tx_run(t, t->url, NULL, &r, "migrate", NULL);
	dbm_test_expect(&r, 1, "V1__dup.sql:3", "Key (id)=(1) already exists.", NULL);
	assert_int_equal(dbm_test_count(r.err, "SQLSTATE 23505"), 1);
	assert_int_equal(dbm_test_count(r.err, "statement 3 starts at line 3"), 1);
	if (dbm_test_contains(r.err, "; ;"))
		fail_msg("an empty part in the detail:\n%s", r.err);
	dbm_test_result_free(&r);
}

/* ---- PostgreSQL: clean stays in its schema ------------------------------------------------- */

static void test_txerr__pgsql_clean_refuses_objects_outside_depending(void **state)
{
	struct dbm_testdb *t = tx_pg(state);
	struct dbm_test_result r;

	dbm_testdb_exec(t->db, "CREATE SCHEMA app");
	dbm_testdb_exec(t->db, "CREATE SCHEMA billing");
	dbm_testdb_exec(t->db, "CREATE TYPE app.status AS ENUM ('open', 'paid')");
	dbm_testdb_exec(t->db, "CREATE TABLE app.customer (id int PRIMARY KEY)");
	dbm_testdb_exec(t->db, "CREATE FUNCTION app.f() RETURNS int LANGUAGE sql AS 'SELECT 1'");
	dbm_testdb_exec(t->db, "CREATE TABLE billing.invoice (id int, st app.status, "
	                       "cust int REFERENCES app.customer (id), n int DEFAULT app.f())");
	dbm_testdb_exec(t->db, "INSERT INTO app.customer VALUES (1)");
	dbm_testdb_exec(t->db, "INSERT INTO billing.invoice VALUES (1, 'open', 1, 7)");
	dbm_testdb_exec(t->db, "CREATE VIEW billing.v AS SELECT id FROM app.customer");
	tx_run(t, t->url, tx_clean_env, &r, "clean", "--schema", "app", "--yes", NULL);
	dbm_test_expect(&r, 2, "objects outside schema 'app' depend on it", "billing.invoice",
	                "billing.v", "nothing was dropped", NULL);
	dbm_test_result_free(&r);
	dbm_testdb_assert_rows(t->db, "SELECT id, st, cust, n FROM billing.invoice",
	                       "1|open|1|7\n");
	dbm_testdb_assert_rows(t->db, "SELECT count(*) FROM billing.v", "1\n");
	dbm_testdb_assert_rows(t->db, "SELECT count(*) FROM app.customer", "1\n");
	dbm_testdb_assert_rows(t->db,
	                       "SELECT count(*) FROM pg_constraint WHERE conrelid = "
	                       "'billing.invoice'::regclass AND contype = 'f'",
	                       "1\n");
}

static void test_txerr__pgsql_clean_extension_in_schema(void **state)
{
	struct dbm_testdb *t = tx_pg(state);
	struct dbm_test_result r;

	/* its casts and operator classes have no schema: they go with the extension */
	dbm_testdb_exec(t->db, "CREATE SCHEMA app");
	dbm_testdb_exec(t->db, "CREATE EXTENSION citext WITH SCHEMA app");
	dbm_testdb_exec(t->db, "CREATE TABLE app.u (e app.citext)");
	tx_run(t, t->url, tx_clean_env, &r, "clean", "--schema", "app", "--yes", NULL);
	dbm_test_expect(&r, 0, NULL);
	dbm_test_result_free(&r);
	dbm_testdb_assert_rows(t->db, "SELECT count(*) FROM pg_extension WHERE extname = 'citext'",
	                       "0\n");
	/* a column of its type in another schema is what clean must not break */
	dbm_testdb_exec(t->db, "CREATE EXTENSION citext WITH SCHEMA app");
	dbm_testdb_exec(t->db, "CREATE TABLE public.keep (e app.citext)");
	tx_run(t, t->url, tx_clean_env, &r, "clean", "--schema", "app", "--yes", NULL);
	dbm_test_expect(&r, 2, "column e of table public.keep", NULL);
	dbm_test_result_free(&r);
	dbm_testdb_assert_rows(t->db, "SELECT count(*) FROM pg_extension WHERE extname = 'citext'",
	                       "1\n");
}

static void test_txerr__pgsql_clean_refuses_system_schemas(void **state)
{
	static const char *const names[] = {
	    "information_schema", "INFORMATION_SCHEMA", "pg_catalog",     "Pg_Catalog",
	    "pg_toast",           "pg_temp_1",          "pg_toast_temp_1"};
	struct dbm_testdb *t = tx_pg(state);
	struct dbm_test_result r;
	size_t i;

	for (i = 0; i < DBM_ARRAY_SIZE(names); i++) {
		tx_run(t, t->url, tx_clean_env, &r, "clean", "--schema", names[i], "--yes", NULL);
		dbm_test_expect(&r, 2, "clean refuses system schema", NULL);
		dbm_test_result_free(&r);
	}
	dbm_testdb_assert_rows(t->db, "SELECT count(*) > 100 FROM information_schema.columns",
	                       "t\n");
}

static void test_txerr__pgsql_clean_drops_everything_inside_without_cascade(void **state)
{
	struct dbm_testdb *t = tx_pg(state);
	struct dbm_test_result r;

	dbm_testdb_exec(t->db, "CREATE SCHEMA app");
	dbm_testdb_exec(t->db, "CREATE TABLE other (id int)"); /* public: must stay */
	dbm_testdb_exec(t->db, "CREATE FUNCTION app.pos(int) RETURNS bool LANGUAGE sql "
	                       "IMMUTABLE AS 'SELECT $1 > 0'");
	dbm_testdb_exec(t->db, "CREATE DOMAIN app.posint AS int CHECK (app.pos(VALUE))");
	dbm_testdb_exec(t->db, "CREATE TYPE app.kind AS ENUM ('a', 'b')");
	dbm_testdb_exec(t->db, "CREATE TABLE app.a (id int PRIMARY KEY, b int, k app.kind, "
	                       "p app.posint)");
	dbm_testdb_exec(t->db, "CREATE TABLE app.b (id serial PRIMARY KEY, "
	                       "a int REFERENCES app.a (id))");
	dbm_testdb_exec(t->db, "ALTER TABLE app.a ADD FOREIGN KEY (b) REFERENCES app.b (id)");
	dbm_testdb_exec(t->db, "CREATE VIEW app.v1 AS SELECT id FROM app.a");
	dbm_testdb_exec(t->db, "CREATE VIEW app.v2 AS SELECT id FROM app.v1");
	tx_run(t, t->url, tx_clean_env, &r, "clean", "--schema", "app", "--yes", NULL);
	dbm_test_expect(&r, 0, NULL);
	dbm_test_result_free(&r);
	dbm_testdb_assert_rows(t->db,
	                       "SELECT (SELECT count(*) FROM pg_class WHERE relnamespace = "
	                       "'app'::regnamespace), (SELECT count(*) FROM pg_type WHERE "
	                       "typnamespace = 'app'::regnamespace), (SELECT count(*) FROM pg_proc "
	                       "WHERE pronamespace = 'app'::regnamespace)",
	                       "0|0|0\n");
	dbm_testdb_assert_rows(t->db, "SELECT count(*) FROM other", "0\n");
}

/* ---- PostgreSQL: signals -------------------------------------------------------------------- */

/* A statement to wait for: the run is interrupted once sql counts it running on c. */
struct tx_running {
	struct dbm_conn *c;
	const char *sql;
};

/* dbm_test_run_signalled's ready: waits up to 20 s until the struct tx_running ctx's sql gives 1.
 */
static void tx_wait_running(void *ctx)
{
	const struct tx_running *w = ctx;
	int i;

	for (i = 0; i < 200; i++) {
		char *rows = dbm_testdb_rows(w->c, w->sql);
		int found = rows && strcmp(rows, "1\n") == 0;

		dbm_free(rows);
		if (found)
			return;
		tx_sleep_ms(100);
	}
	fail_msg("the statement never started: %s", w->sql);
}

/* dbm_test_run_signalled's ready for SQLite: gives the run 1.5 s to reach its long statement. */
static void tx_wait_a_while(void *ctx)
{
	(void)ctx;
	tx_sleep_ms(1500);
}

#define TX_PG_SLEEPING                                                                             \
	"SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "                \
	"AND query LIKE '%pg_sleep(60)%' AND pid <> pg_backend_pid()"
#define TX_PG_ADVISORY_LOCKS                                                                       \
	"SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND database = "                \
	"(SELECT oid FROM pg_database WHERE datname = current_database())"

static void test_txerr__pgsql_sigint_cancels_statement_and_releases_lock(void **state)
{
	struct dbm_testdb *t = tx_pg(state);
	const char *argv[] = {"migrate", "--url", t->url, "--migrations", t->migrations, NULL};
	struct tx_running w = {t->db, TX_PG_SLEEPING};
	struct dbm_test_result r;
	double secs;

	dbm_test_write(t->dir, "migrations/V1__a.sql", "CREATE TABLE a (x int);\n");
	dbm_test_write(t->dir, "migrations/V2__slow.sql",
	               "CREATE TABLE b (x int);\nSELECT pg_sleep(60);\n");
	secs = dbm_test_run_signalled(t->dir, argv, SIGINT, tx_wait_running, &w, &r);
	dbm_test_expect(&r, 130, "V2__slow.sql:2", "interrupted by SIGINT", "rolled back", NULL);
	dbm_test_result_free(&r);
	if (secs > 10)
		fail_msg("the statement was not cancelled: %.1f s", secs);
	dbm_testdb_assert_rows(
	    t->db, "SELECT version, success FROM schema_history ORDER BY installed_rank", "1|t\n");
	dbm_testdb_assert_rows(t->db, "SELECT count(*) FROM pg_tables WHERE tablename = 'b'",
	                       "0\n");
	dbm_testdb_assert_rows(t->db, TX_PG_ADVISORY_LOCKS, "0\n");
	dbm_test_write(t->dir, "migrations/V2__slow.sql", "CREATE TABLE b (x int);\n");
	tx_run(t, t->url, NULL, &r, "migrate", "--lock-timeout", "1", NULL);
	dbm_test_expect(&r, 0, NULL);
	dbm_test_result_free(&r);
}

static void test_txerr__pgsql_sigterm_outside_transaction_leaves_failed_row(void **state)
{
	struct dbm_testdb *t = tx_pg(state);
	const char *argv[] = {"migrate", "--url", t->url, "--migrations", t->migrations, NULL};
	struct tx_running w = {t->db, TX_PG_SLEEPING};
	struct dbm_test_result r;

	/* CREATE INDEX CONCURRENTLY makes the file run without a transaction */
	dbm_test_write(t->dir, "migrations/V1__slow.sql",
	               "CREATE TABLE b (x int);\nCREATE INDEX CONCURRENTLY b_x ON b (x);\n"
	               "SELECT pg_sleep(60);\nCREATE TABLE c (x int);\n");
	dbm_test_run_signalled(t->dir, argv, SIGTERM, tx_wait_running, &w, &r);
	dbm_test_expect(&r, 143, "V1__slow.sql:3", "interrupted by SIGTERM",
	                "statements 1 to 2 are applied", "failed row", NULL);
	dbm_test_result_free(&r);
	dbm_testdb_assert_rows(t->db, "SELECT version, success FROM schema_history", "1|f\n");
	dbm_testdb_assert_rows(
	    t->db,
	    "SELECT string_agg(tablename, ',' ORDER BY tablename) FROM pg_tables "
	    "WHERE schemaname = 'public' AND tablename IN ('b', 'c')",
	    "b\n");
	dbm_testdb_assert_rows(t->db, TX_PG_ADVISORY_LOCKS, "0\n");
}

/* ---- MariaDB -------------------------------------------------------------------------------- */

static struct dbm_testdb *tx_my(void **state)
{
	return dbm_testdb_state(state, "DBM_TEST_MYSQL_URL");
}

/* Runs file V1 holding sql against t, expecting exit 1 with the needle; t's table c then holds
 * want. */
static void tx_my_left_open(struct dbm_testdb *t, const char *sql, const char *needle,
                            const char *want)
{
	struct dbm_test_result r;

	dbm_testdb_exec(t->db, "DROP TABLE IF EXISTS c");
	dbm_testdb_exec(t->db, "DROP TABLE IF EXISTS schema_history");
	dbm_test_write(t->dir, "migrations/V1__open.sql", sql);
	tx_run(t, t->url, NULL, &r, "migrate", NULL);
	dbm_test_expect(&r, 1, "V1__open.sql:", needle, NULL);
	if (dbm_test_contains(r.out, "Applied"))
		fail_msg("reported applied: %s", r.out);
	dbm_test_result_free(&r);
	dbm_testdb_assert_rows(t->db, "SELECT version, success FROM schema_history", "1|0\n");
	dbm_testdb_assert_rows(t->db, "SELECT count(*) FROM c", want);
}

static void test_txerr__mysql_open_transaction_fails_and_rolls_back(void **state)
{
	struct dbm_testdb *t = tx_my(state);

	tx_my_left_open(t,
	                "CREATE TABLE c (x int);\nSTART TRANSACTION;\nINSERT INTO c VALUES (1);\n",
	                "a transaction still open", "0\n");
	tx_my_left_open(t,
	                "CREATE TABLE c (x int);\nBEGIN;\nINSERT INTO c VALUES (1);\n"
	                "SELECT * FROM nope;\n",
	                "rolled back", "0\n");
	tx_my_left_open(t,
	                "CREATE TABLE c (x int);\nSET autocommit = 0;\nINSERT INTO c VALUES (1);\n",
	                "autocommit is off", "0\n");
	tx_my_left_open(t, "CREATE TABLE c (x int);\nXA START 'dbm1';\nINSERT INTO c VALUES (1);\n",
	                "XA transaction 'dbm1' still open", "0\n");
	tx_my_left_open(
	    t, "CREATE TABLE c (x int);\nLOCK TABLES c WRITE;\nINSERT INTO c VALUES (1);\n",
	    "LOCK TABLES) still held", "1\n");
	/* nothing of it stays on the server: no XA transaction, the table is not locked */
	dbm_testdb_assert_rows(t->db, "SELECT count(*) FROM information_schema.INNODB_TRX", "0\n");
	dbm_testdb_exec(t->db, "INSERT INTO c VALUES (2)");
}

static void test_txerr__mysql_syntax_error_names_the_file_line(void **state)
{
	struct dbm_testdb *t = tx_my(state);
	struct dbm_test_result r;

	/* sent together in one multi-statement query: the server's line is the statement's */
	dbm_test_write(t->dir, "migrations/V1__syntax.sql",
	               "CREATE TABLE c (x int);\nINSERT INTO c VALUES (1);\n\nINSERT INTO c\n"
	               "VALUES (2) garbage;\n");
	tx_run(t, t->url, NULL, &r, "migrate", NULL);
	dbm_test_expect(&r, 1, "V1__syntax.sql:5: error:", "near 'garbage' at line 2",
	                "counts from the start of the statement", "statements 1 to 2 are applied",
	                NULL);
	dbm_test_result_free(&r);
	dbm_testdb_exec(t->db, "DROP TABLE c");
	dbm_testdb_exec(t->db, "DROP TABLE schema_history");
	/* a body sent alone; the message stays on one line */
	dbm_test_write(t->dir, "migrations/V1__syntax.sql",
	               "CREATE TABLE c (x int);\n\nCREATE PROCEDURE p()\nBEGIN\n  SELECT 1;\n"
	               "  SELEC 2;\nEND;\n");
	tx_run(t, t->url, NULL, &r, "migrate", NULL);
	dbm_test_expect(&r, 1, "V1__syntax.sql:6: error:", "near '2; END' at line 4", NULL);
	dbm_test_result_free(&r);
}

static void test_txerr__mysql_clean_refuses_objects_outside_depending(void **state)
{
	struct dbm_testdb *t = tx_my(state);
	struct dbm_test_result r;
	char sql[512];
	int i = dbm_testdb_add(t, "billing");

	dbm_testdb_exec(t->db, "CREATE TABLE customer (id int PRIMARY KEY)");
	dbm_testdb_exec(t->db, "INSERT INTO customer VALUES (1)");
	snprintf(sql, sizeof(sql),
	         "CREATE TABLE `%s`.invoice (id int, cust int, FOREIGN KEY (cust) REFERENCES "
	         "`%s`.customer (id))",
	         t->extra_name[i], t->name);
	dbm_testdb_exec(t->db, sql);
	snprintf(sql, sizeof(sql), "CREATE VIEW `%s`.v AS SELECT id FROM `%s`.customer",
	         t->extra_name[i], t->name);
	dbm_testdb_exec(t->db, sql);
	tx_run(t, t->url, tx_clean_env, &r, "clean", "--yes", NULL);
	dbm_test_expect(&r, 2, "depend on it", "foreign key", "view", "nothing was dropped", NULL);
	dbm_test_result_free(&r);
	dbm_testdb_assert_rows(t->db, "SELECT count(*) FROM customer", "1\n");

	/* system databases, in any letter case */
	tx_run(t, t->url, tx_clean_env, &r, "clean", "--schema", "MySQL", "--yes", NULL);
	dbm_test_expect(&r, 2, "clean refuses system database", NULL);
	dbm_test_result_free(&r);
	tx_run(t, t->url, tx_clean_env, &r, "clean", "--schema", "information_schema", "--yes",
	       NULL);
	dbm_test_expect(&r, 2, "clean refuses system database", NULL);
	dbm_test_result_free(&r);

	/* once they are gone, clean drops the database's own objects */
	snprintf(sql, sizeof(sql), "DROP TABLE `%s`.invoice", t->extra_name[i]);
	dbm_testdb_exec(t->db, sql);
	snprintf(sql, sizeof(sql), "DROP VIEW `%s`.v", t->extra_name[i]);
	dbm_testdb_exec(t->db, sql);
	tx_run(t, t->url, tx_clean_env, &r, "clean", "--yes", NULL);
	dbm_test_expect(&r, 0, NULL);
	dbm_test_result_free(&r);
	dbm_testdb_assert_rows(
	    t->db,
	    "SELECT count(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = "
	    "DATABASE()",
	    "0\n");
}

static void test_txerr__mysql_sigterm_kills_query_and_says_what_is_applied(void **state)
{
	struct dbm_testdb *t = tx_my(state);
	const char *argv[] = {"migrate", "--url", t->url, "--migrations", t->migrations, NULL};
	struct tx_running w = {t->db,
	                       "SELECT count(*) FROM information_schema.PROCESSLIST WHERE DB = "
	                       "DATABASE() AND INFO LIKE '%SLEEP(60)%' AND ID <> CONNECTION_ID()"};
	struct dbm_test_result r;
	double secs;

	dbm_test_write(t->dir, "migrations/V1__slow.sql",
	               "CREATE TABLE c (x int);\nINSERT INTO c VALUES (1);\nSELECT SLEEP(60);\n"
	               "INSERT INTO c VALUES (2);\n");
	secs = dbm_test_run_signalled(t->dir, argv, SIGTERM, tx_wait_running, &w, &r);
	dbm_test_expect(&r, 143, "V1__slow.sql:3", "interrupted by SIGTERM",
	                "statements 1 to 2 are applied", "failed row", NULL);
	dbm_test_result_free(&r);
	if (secs > 10)
		fail_msg("the statement was not killed: %.1f s", secs);
	dbm_testdb_assert_rows(t->db, "SELECT version, success FROM schema_history", "1|0\n");
	dbm_testdb_assert_rows(t->db, "SELECT count(*) FROM c", "1\n");
	/* the lock was released: the next run answers at once with the failed row */
	tx_run(t, t->url, NULL, &r, "migrate", "--lock-timeout", "1", NULL);
	dbm_test_expect(&r, 3, "repair", NULL);
	dbm_test_result_free(&r);
}

/* ---- SQLite ---------------------------------------------------------------------------------- */

static void test_txerr__sqlite_open_transaction_and_detail_once(void **state)
{
	struct dbm_test_project *p = *state;
	struct dbm_test_result r;

	dbm_test_write(p->dir, "migrations/V1__open.sql",
	               "CREATE TABLE c (x int);\nBEGIN;\nINSERT INTO c VALUES (1);\n");
	dbm_test_project_run(p, &r, "migrate", NULL);
	dbm_test_expect(&r, 1, "V1__open.sql:2", "a transaction still open", NULL);
	dbm_test_result_free(&r);
	dbm_test_project_assert_rows(p, "SELECT version, success FROM schema_history", "1|0\n");
	dbm_test_project_assert_rows(p, "SELECT count(*) FROM c", "0\n");

	dbm_test_project_run(p, &r, "repair", NULL);
	dbm_test_result_free(&r);
	dbm_test_write(p->dir, "migrations/V1__open.sql",
	               "CREATE TABLE u (id int PRIMARY KEY);\nINSERT INTO u VALUES (1);\n"
	               "INSERT INTO u VALUES (1);\n");
	dbm_test_project_run(p, &r, "migrate", NULL);
	dbm_test_expect(&r, 1, "V1__open.sql:3", "UNIQUE constraint failed", NULL);
	assert_int_equal(dbm_test_count(r.err, "SQLite error code"), 1);
	assert_int_equal(dbm_test_count(r.err, "statement 3 starts at line 3"), 1);
	dbm_test_result_free(&r);
}

static void test_txerr__sqlite_sigint_interrupts_statement(void **state)
{
	struct dbm_test_project *p = *state;
	const char *argv[] = {"migrate", NULL};
	struct dbm_test_result r;

	dbm_test_write(p->dir, "migrations/V1__a.sql", "CREATE TABLE a (x int);\n");
	dbm_test_write(p->dir, "migrations/V2__slow.sql",
	               "CREATE TABLE b (x int);\nWITH RECURSIVE r(i) AS (SELECT 1 UNION ALL "
	               "SELECT i + 1 FROM r) SELECT count(*) FROM r;\n");
	dbm_test_run_signalled(p->dir, argv, SIGINT, tx_wait_a_while, NULL, &r);
	dbm_test_expect(&r, 130, "V2__slow.sql:2", "interrupted by SIGINT", NULL);
	dbm_test_result_free(&r);
	dbm_test_project_assert_rows(p,
	                             "SELECT version, success FROM schema_history ORDER BY "
	                             "installed_rank",
	                             "1|1\n");
	dbm_test_project_assert_rows(p, "SELECT count(*) FROM sqlite_master WHERE name = 'b'",
	                             "0\n");
}

static void test_txerr__sqlite_sigpipe_ends_dry_run(void **state)
{
	struct dbm_test_project *p = *state;
	char cmd[2048];
	char *text;
	FILE *f;
	int i, status;

	snprintf(cmd, sizeof(cmd), "%s/migrations/V1__many.sql", p->dir);
	dbm_test_write(p->dir, "migrations/V1__many.sql", "");
	f = fopen(cmd, "w");
	assert_non_null(f);
	for (i = 0; i < 50000; i++)
		fprintf(f, "CREATE TABLE t%d (x int);\n", i);
	fclose(f);
	/* the reader goes away after 100 bytes */
	snprintf(cmd, sizeof(cmd),
	         "cd '%s' && { '%s' migrate --dry-run 2>err; echo $? >status; } | head -c 100 "
	         ">/dev/null",
	         p->dir, DBM_TEST_BINARY);
	status = system(cmd);
	assert_int_equal(status, 0);
	snprintf(cmd, sizeof(cmd), "%s/status", p->dir);
	text = dbm_test_read(cmd);
	assert_non_null(text);
	assert_string_equal(text, "141\n");
	free(text);
	snprintf(cmd, sizeof(cmd), "%s/err", p->dir);
	text = dbm_test_read(cmd);
	assert_non_null(text);
	if (!dbm_test_contains(text, "interrupted by SIGPIPE"))
		fail_msg("stderr:\n%s", text);
	free(text);
}

#define PG(f) cmocka_unit_test_setup_teardown(f, dbm_testdb_setup_pgsql, dbm_testdb_teardown)
#define MY(f) cmocka_unit_test_setup_teardown(f, dbm_testdb_setup_mysql, dbm_testdb_teardown)
#define LITE(f)                                                                                    \
	cmocka_unit_test_setup_teardown(f, dbm_test_project_setup, dbm_test_project_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
	    PG(test_txerr__pgsql_open_transaction_fails_and_rolls_back),
	    PG(test_txerr__pgsql_aborted_transaction_names_file_line_and_error),
	    PG(test_txerr__pgsql_undo_and_repeatable_leaving_transaction_open),
	    PG(test_txerr__pgsql_error_keeps_server_detail_once),
	    PG(test_txerr__pgsql_clean_refuses_objects_outside_depending),
	    PG(test_txerr__pgsql_clean_extension_in_schema),
	    PG(test_txerr__pgsql_clean_refuses_system_schemas),
	    PG(test_txerr__pgsql_clean_drops_everything_inside_without_cascade),
	    PG(test_txerr__pgsql_sigint_cancels_statement_and_releases_lock),
	    PG(test_txerr__pgsql_sigterm_outside_transaction_leaves_failed_row),
	    MY(test_txerr__mysql_open_transaction_fails_and_rolls_back),
	    MY(test_txerr__mysql_syntax_error_names_the_file_line),
	    MY(test_txerr__mysql_clean_refuses_objects_outside_depending),
	    MY(test_txerr__mysql_sigterm_kills_query_and_says_what_is_applied),
	    LITE(test_txerr__sqlite_open_transaction_and_detail_once),
	    LITE(test_txerr__sqlite_sigint_interrupts_statement),
	    LITE(test_txerr__sqlite_sigpipe_ends_dry_run),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
