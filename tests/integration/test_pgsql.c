/*
 * test_pgsql.c - the PostgreSQL driver against a real server, through the
 * driver vtable.
 *
 * The server URL comes from DBM_TEST_PG_URL (tests/servers/pgsql.sh start
 * prints it). Without it the tests are skipped, or fail when
 * DBM_TEST_REQUIRE_SERVERS=1. Each test creates its own database and drops
 * it afterwards.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "dbmigrate/driver.h"
#include "dbtest.h"
#include "testutil.h"

extern const struct dbm_driver dbm_pgsql_driver;

#define DRV (&dbm_pgsql_driver)

/* The test's database, or skips the test (fails it when servers are required). */
static struct dbm_testdb *pgt_state(void **state)
{
	return dbm_testdb_state(state, "DBM_TEST_PG_URL");
}

static void test_pgsql__connect_fills_the_connection(void **state)
{
	struct dbm_testdb *t = pgt_state(state);
	struct dbm_conn *c = dbm_testdb_connect(t->url);
	struct dbm_buf v = DBM_BUF_INIT;

	assert_ptr_equal(c->driver, DRV);
	assert_string_equal(c->user, "postgres");
	assert_string_equal(c->schema, "public");
	assert_non_null(c->server_version);
	assert_true(strncmp(c->server_version, "PostgreSQL 15.", 14) == 0);
	assert_int_equal(DRV->client_version(&v), 0);
	assert_true(strncmp(dbm_buf_cstr(&v), "libpq ", 6) == 0);
	assert_non_null(strchr(dbm_buf_cstr(&v), '.'));
	dbm_buf_free(&v);
	dbm_testdb_assert_rows(c,
	                       "SELECT current_setting('application_name'), "
	                       "current_setting('client_min_messages')",
	                       "dbmigrate|warning\n");
	dbm_testdb_exec(c, "CREATE TABLE users (id int PRIMARY KEY, name text)");
	dbm_testdb_exec(c, "INSERT INTO users VALUES (1, 'ann'), (2, NULL)");
	dbm_testdb_assert_rows(c, "SELECT id, name FROM users ORDER BY id", "1|ann\n2|NULL\n");
	/* A NOTICE (table does not exist) is dropped, not printed. */
	dbm_testdb_exec(c, "DROP TABLE IF EXISTS nothing_here");
	DRV->disconnect(c);
}

static void test_pgsql__registry_finds_the_driver(void **state)
{
	struct dbm_testdb *t = pgt_state(state);

	assert_ptr_equal(dbm_driver_for_url(t->url), DRV);
	assert_ptr_equal(dbm_driver_for_url("postgresql://h/db"), DRV);
	assert_ptr_equal(dbm_driver_for_url("host=localhost dbname=x"), DRV);
	assert_string_equal(DRV->name, "postgresql");
	assert_int_equal(DRV->caps & (DBM_CAP_TX_DDL | DBM_CAP_SCHEMAS),
	                 DBM_CAP_TX_DDL | DBM_CAP_SCHEMAS);
}

static void test_pgsql__schema_sets_search_path(void **state)
{
	struct dbm_testdb *t = pgt_state(state);
	struct dbm_conn *c = dbm_testdb_connect(t->url);
	struct dbm_conn_opts o = dbm_testdb_opts(t->url);
	struct dbm_conn *s;

	dbm_testdb_exec(c, "CREATE SCHEMA \"App Data\"");
	o.schema = "App Data";
	s = dbm_testdb_connect_opts(&o);
	assert_string_equal(s->schema, "App Data");
	dbm_testdb_exec(s, "CREATE TABLE t (id int)");
	dbm_testdb_assert_rows(
	    c, "SELECT table_schema FROM information_schema.tables WHERE table_name = 't'",
	    "App Data\n");
	dbm_testdb_assert_rows(s, "SELECT current_schema()", "App Data\n");
	DRV->disconnect(s);
	DRV->disconnect(c);
}

static void test_pgsql__conninfo_string_connects(void **state)
{
	struct dbm_testdb *t = pgt_state(state);
	const char *hostport = strstr(t->server, "@") + 1;
	const char *colon = strchr(hostport, ':');
	char conninfo[256], want[80];
	struct dbm_conn *c;

	snprintf(conninfo, sizeof(conninfo), "host=%.*s port=%d user=postgres dbname=%s",
	         (int)(colon - hostport), hostport, atoi(colon + 1), t->name);
	c = dbm_testdb_connect(conninfo);
	snprintf(want, sizeof(want), "%s\n", t->name);
	dbm_testdb_assert_rows(c, "SELECT current_database()", want);
	DRV->disconnect(c);
}

static void test_pgsql__error_has_sqlstate_and_byte_position(void **state)
{
	struct dbm_testdb *t = pgt_state(state);
	struct dbm_conn *c = dbm_testdb_connect(t->url);
	/* Two-byte and three-byte characters before the error: characters != bytes. */
	const char *sql = "SELECT 'héllo €', 1\nFROM missing_table";
	struct dbm_error *e;

	assert_int_equal(dbm_testdb_try(c, sql), DBM_ERR_RUN);
	e = dbm_error_last();
	assert_int_equal(e->klass, DBM_ERR_RUN);
	assert_string_equal(e->message, "relation \"missing_table\" does not exist");
	assert_string_equal(e->sqlstate, "42P01");
	assert_int_equal(e->position, (int)(strstr(sql, "missing_table") - sql) + 1);

	dbm_testdb_exec(c, "CREATE TABLE u (id int PRIMARY KEY)");
	dbm_testdb_exec(c, "INSERT INTO u VALUES (1)");
	assert_int_equal(dbm_testdb_try(c, "INSERT INTO u VALUES (1)"), DBM_ERR_RUN);
	e = dbm_error_last();
	assert_string_equal(e->message,
	                    "duplicate key value violates unique constraint \"u_pkey\"");
	assert_string_equal(e->sqlstate, "23505");
	assert_string_equal(e->detail, "Key (id)=(1) already exists.");
	assert_int_equal(e->position, 0);

	assert_int_equal(dbm_testdb_try(c, "SELECT relnme FROM pg_class"), DBM_ERR_RUN);
	e = dbm_error_last();
	assert_string_equal(e->sqlstate, "42703");
	assert_string_equal(e->hint,
	                    "Perhaps you meant to reference the column \"pg_class.relname\".");
	assert_int_equal(e->position, 8);
	/* The connection is still usable after errors. */
	dbm_testdb_assert_rows(c, "SELECT count(*) FROM u", "1\n");
	DRV->disconnect(c);
}

static void test_pgsql__copy_from_stdin_sends_data(void **state)
{
	struct dbm_testdb *t = pgt_state(state);
	struct dbm_conn *c = dbm_testdb_connect(t->url);
	struct dbm_stmt s = {0};
	const char *data = "1\talice\n2\tbøb\n3\t\\N\n";
	const char *bad = "1\tx\nnot-a-number\ty\n";

	dbm_testdb_exec(c, "CREATE TABLE people (id int, name text)");
	s.sql = "COPY people (id, name) FROM stdin";
	s.len = strlen(s.sql);
	s.flags = DBM_STMT_COPY_IN;
	s.copy_data = data;
	s.copy_len = strlen(data);
	assert_int_equal(DRV->exec(c, &s), 0);
	dbm_testdb_assert_rows(c, "SELECT id, name FROM people ORDER BY id",
	                       "1|alice\n2|bøb\n3|NULL\n");

	/* The last line needs no newline. */
	s.copy_data = "4\tdan";
	s.copy_len = 5;
	assert_int_equal(DRV->exec(c, &s), 0);
	dbm_testdb_assert_rows(c, "SELECT name FROM people WHERE id = 4", "dan\n");

	/* Bad data: the server's error, nothing copied, the connection usable. */
	s.copy_data = bad;
	s.copy_len = strlen(bad);
	assert_int_equal(DRV->exec(c, &s), DBM_ERR_RUN);
	assert_string_equal(dbm_error_last()->sqlstate, "22P02");
	assert_string_equal(dbm_error_last()->message,
	                    "invalid input syntax for type integer: \"not-a-number\"");
	dbm_testdb_assert_rows(c, "SELECT count(*) FROM people", "4\n");

	/* A COPY without inline data fails cleanly. */
	s.flags = 0;
	s.copy_data = NULL;
	s.copy_len = 0;
	assert_int_equal(DRV->exec(c, &s), DBM_ERR_RUN);
	assert_string_equal(dbm_error_last()->message, "COPY FROM STDIN without data");
	dbm_testdb_assert_rows(c, "SELECT count(*) FROM people", "4\n");

	/* COPY TO STDOUT output is drained. */
	dbm_testdb_exec(c, "COPY people TO STDOUT");
	dbm_testdb_assert_rows(c, "SELECT 1", "1\n");
	DRV->disconnect(c);
}

/*
 * exec_batch sends statements together: they run in order, each parsed
 * after the ones before it ran (a SET changes how the next is read); many
 * rows and warnings coming back do not hang it; the first failure names its
 * statement, with the position inside that statement, and skips the rest.
 */
static void test_pgsql__exec_batch_runs_in_order_and_names_the_failure(void **state)
{
	static const char *const ok[] = {
	    "BEGIN",
	    "CREATE TABLE b (id int PRIMARY KEY, s text)",
	    "SET LOCAL standard_conforming_strings = off",
	    "INSERT INTO b VALUES (1, 'it\\'s')",
	    "SELECT g, repeat('x', 1000) FROM generate_series(1, 20000) g",
	    "DO $$ BEGIN FOR i IN 1..5000 LOOP RAISE WARNING 'w %', i; END LOOP; END $$",
	    "INSERT INTO b SELECT g, 'n' FROM generate_series(2, 3) g",
	    "COMMIT",
	};
	static const char *const dup[] = {
	    "BEGIN",
	    "INSERT INTO b VALUES (10, 'ten')",
	    "INSERT INTO b VALUES (1, 'again')",
	    "INSERT INTO b VALUES (11, 'eleven')",
	    "COMMIT",
	};
	static const char *const syntax[] = {"BEGIN", "SELECT 1", "SELECT *\nFRM b", "COMMIT"};
	struct dbm_testdb *t = pgt_state(state);
	struct dbm_conn *c = dbm_testdb_connect(t->url);
	struct dbm_stmt v[8];
	size_t failed = 99;

	dbm_testdb_stmts(v, ok, DBM_ARRAY_SIZE(ok));
	assert_int_equal(DRV->exec_batch(c, v, DBM_ARRAY_SIZE(ok), &failed), 0);
	dbm_testdb_assert_rows(c, "SELECT id, s FROM b ORDER BY id", "1|it's\n2|n\n3|n\n");

	dbm_testdb_stmts(v, dup, DBM_ARRAY_SIZE(dup));
	assert_int_equal(DRV->exec_batch(c, v, DBM_ARRAY_SIZE(dup), &failed), DBM_ERR_RUN);
	assert_int_equal(failed, 2);
	assert_string_equal(dbm_error_last()->sqlstate, "23505");
	dbm_testdb_exec(c, "ROLLBACK");
	dbm_testdb_assert_rows(c, "SELECT count(*) FROM b", "3\n");

	dbm_testdb_stmts(v, syntax, DBM_ARRAY_SIZE(syntax));
	assert_int_equal(DRV->exec_batch(c, v, DBM_ARRAY_SIZE(syntax), &failed), DBM_ERR_RUN);
	assert_int_equal(failed, 2);
	assert_string_equal(dbm_error_last()->sqlstate, "42601");
	assert_int_equal(dbm_error_last()->position,
	                 (int)(strstr(syntax[2], "FRM") - syntax[2]) + 1);
	dbm_testdb_exec(c, "ROLLBACK");
	/* the connection is back out of pipeline mode: plain statements work */
	dbm_testdb_assert_rows(c, "SELECT count(*) FROM b", "3\n");
	DRV->disconnect(c);
}

/* Keeps the driver's flags of the first statement in *ctx. */
static int pgt_flags_cb(void *ctx, const struct dbm_stmt *st)
{
	if (st->index == 1)
		*(unsigned *)ctx = DRV->stmt_flags(st);
	return 0;
}

static void test_pgsql__stmt_flags(void **state)
{
	static const struct {
		const char *sql;
		unsigned flags;
	} cases[] = {
	    {"CREATE INDEX CONCURRENTLY i ON t (a)", DBM_EXEC_NO_TX},
	    {"create unique index concurrently i on t (a)", DBM_EXEC_NO_TX},
	    {"CREATE INDEX CONCURRENTLY IF NOT EXISTS i ON t (a)", DBM_EXEC_NO_TX},
	    {"-- add an index\n/* nested /* comment */ */ CREATE\n\tINDEX CONCURRENTLY i ON t (a)",
	     DBM_EXEC_NO_TX},
	    {"DROP INDEX CONCURRENTLY i", DBM_EXEC_NO_TX},
	    {"DROP INDEX CONCURRENTLY IF EXISTS i", DBM_EXEC_NO_TX},
	    {"CREATE INDEX i ON t (a)", 0},
	    {"CREATE INDEX concurrently_idx ON t (a)", 0},
	    {"DROP INDEX i", 0},
	    {"REINDEX INDEX CONCURRENTLY i", DBM_EXEC_NO_TX},
	    {"REINDEX (VERBOSE) TABLE CONCURRENTLY t", DBM_EXEC_NO_TX},
	    {"REINDEX TABLE t", 0},
	    {"REINDEX DATABASE app", DBM_EXEC_NO_TX},
	    {"VACUUM", DBM_EXEC_NO_TX},
	    {"vacuum (analyze) t", DBM_EXEC_NO_TX},
	    {"ANALYZE t", 0},
	    {"ALTER SYSTEM SET work_mem = '64MB'", DBM_EXEC_NO_TX},
	    {"CREATE DATABASE x", DBM_EXEC_NO_TX},
	    {"DROP DATABASE x", DBM_EXEC_NO_TX},
	    {"CREATE TABLESPACE ts LOCATION '/x'", DBM_EXEC_NO_TX},
	    {"DROP TABLESPACE ts", DBM_EXEC_NO_TX},
	    {"ALTER TABLE p DETACH PARTITION p1 CONCURRENTLY", DBM_EXEC_NO_TX},
	    {"ALTER TABLE p DETACH PARTITION p1", 0},
	    {"ALTER TABLE t ADD COLUMN c int", 0},
	    {"ALTER TYPE mood ADD VALUE 'meh'", 0},
	    {"CREATE TABLE database (id int)", 0},
	    {"CREATE TABLE \"CONCURRENTLY\" (id int)", 0},
	    {"BEGIN", DBM_EXEC_TX_CONTROL},
	    {"begin transaction isolation level serializable", DBM_EXEC_TX_CONTROL},
	    {"START TRANSACTION", DBM_EXEC_TX_CONTROL},
	    {"COMMIT", DBM_EXEC_TX_CONTROL},
	    {"commit work", DBM_EXEC_TX_CONTROL},
	    {"END", DBM_EXEC_TX_CONTROL},
	    {"ROLLBACK", DBM_EXEC_TX_CONTROL},
	    {"ABORT", DBM_EXEC_TX_CONTROL},
	    {"ROLLBACK TO SAVEPOINT a", 0},
	    {"ROLLBACK TO a", 0},
	    {"rollback work to savepoint a", 0},
	    {"SAVEPOINT a", 0},
	    {"COMMIT PREPARED 'x'", DBM_EXEC_NO_TX},
	    {"DO $$ BEGIN PERFORM 1; END $$", DBM_EXEC_SESSION},
	    {"CREATE FUNCTION f() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT 1; END", 0},
	    {"SELECT 'VACUUM'", DBM_EXEC_SESSION},
	    /* what may change the session: the runner resets it after such a script */
	    {"SET search_path = ''", DBM_EXEC_SESSION},
	    {"set role app_owner", DBM_EXEC_SESSION},
	    {"RESET ALL", DBM_EXEC_SESSION},
	    {"SELECT pg_catalog.set_config('search_path', '', false)", DBM_EXEC_SESSION},
	    {"CALL p()", DBM_EXEC_SESSION},
	    {"DISCARD ALL", DBM_EXEC_NO_TX | DBM_EXEC_SESSION},
	    {"(SELECT 1)", DBM_EXEC_SESSION},
	    {"INSERT INTO t VALUES (1)", 0},
	    {"COPY t FROM stdin", DBM_EXEC_ALONE},
	    {"copy (SELECT 1) TO STDOUT", DBM_EXEC_ALONE},
	    {"COMMENT ON TABLE t IS 'x'", 0},
	    {"-- only a comment", 0},
	    {"", 0},
	};
	size_t i;

	(void)state;
	for (i = 0; i < DBM_ARRAY_SIZE(cases); i++) {
		unsigned got = 0;

		/* the splitter classifies each statement; the driver reads that */
		assert_int_equal(dbm_split_string(DBM_DIALECT_PGSQL, cases[i].sql,
		                                  strlen(cases[i].sql), pgt_flags_cb, &got),
		                 0);
		if (got != cases[i].flags)
			fail_msg("stmt_flags(\"%s\") = %u, want %u", cases[i].sql, got,
			         cases[i].flags);
	}
}

static void test_pgsql__lock_times_out_naming_the_holder(void **state)
{
	struct dbm_testdb *t = pgt_state(state);
	struct dbm_conn *a = dbm_testdb_connect(t->url);
	struct dbm_conn *b = dbm_testdb_connect(t->url);
	char *pid = dbm_testdb_rows(a, "SELECT pg_backend_pid()");
	char want[128];
	double t0, waited;

	pid[strcspn(pid, "\n")] = '\0';
	assert_int_equal(DRV->lock(a, "public", "schema_history", 5), 0);
	/* The lock holds no transaction open. */
	dbm_testdb_assert_rows(a,
	                       "SELECT count(*) FROM pg_stat_activity WHERE pid = pg_backend_pid() "
	                       "AND backend_xid IS NOT NULL",
	                       "0\n");
	t0 = dbm_testdb_now();
	assert_int_equal(DRV->lock(b, "public", "schema_history", 1), DBM_ERR_LOCK);
	waited = dbm_testdb_now() - t0;
	assert_true(waited >= 0.9 && waited < 3.0);
	assert_int_equal(dbm_error_last()->klass, DBM_ERR_LOCK);
	snprintf(want, sizeof(want),
	         "lock held by pid %s (application 'dbmigrate', client 127.0.0.1, since ", pid);
	if (!strstr(dbm_error_last()->message, want))
		fail_msg("message '%s' lacks '%s'", dbm_error_last()->message, want);
	assert_non_null(strstr(dbm_error_last()->message, "'public.schema_history'"));
	/* Another table's lock is free. */
	assert_int_equal(DRV->lock(b, "public", "other_history", 0), 0);
	assert_int_equal(DRV->unlock(b), 0);
	/* Released: b gets in; unlocking twice is harmless. */
	assert_int_equal(DRV->unlock(a), 0);
	assert_int_equal(DRV->unlock(a), 0);
	assert_int_equal(DRV->lock(b, "public", "schema_history", 1), 0);
	assert_int_equal(DRV->lock(a, "public", "schema_history", 0), DBM_ERR_LOCK);
	assert_int_equal(DRV->unlock(b), 0);
	/* Disconnecting releases a held lock. */
	assert_int_equal(DRV->lock(a, "public", "schema_history", 0), 0);
	DRV->disconnect(a);
	assert_int_equal(DRV->lock(b, "public", "schema_history", 2), 0);
	DRV->disconnect(b);
	dbm_free(pid);
}

static void test_pgsql__create_index_concurrently_while_holding_lock(void **state)
{
	struct dbm_testdb *t = pgt_state(state);
	struct dbm_conn_opts o = dbm_testdb_opts(t->url);
	struct dbm_conn *a;
	double t0;
	pid_t child;
	int status;

	o.statement_timeout = 20; /* a hang becomes an error rather than a stuck test */
	a = dbm_testdb_connect_opts(&o);
	dbm_testdb_exec(a, "CREATE TABLE big (id int, v text)");
	dbm_testdb_exec(a,
	                "INSERT INTO big SELECT g, md5(g::text) FROM generate_series(1, 20000) g");
	assert_int_equal(DRV->lock(a, "public", "schema_history", 5), 0);

	/* A second runner waits for the lock, polling, in its own process. */
	child = fork();
	assert_true(child >= 0);
	if (child == 0) {
		struct dbm_conn *b = NULL;
		int rc;

		if (DRV->connect(&o, &b) != 0)
			_exit(2);
		rc = DRV->lock(b, "public", "schema_history", 30);
		DRV->disconnect(b);
		_exit(rc == 0 ? 0 : 1);
	}
	nanosleep(&(struct timespec){0, 500 * 1000 * 1000L}, NULL);
	t0 = dbm_testdb_now();
	dbm_testdb_exec(a, "CREATE INDEX CONCURRENTLY big_v ON big (v)");
	dbm_testdb_exec(a, "DROP INDEX CONCURRENTLY big_v");
	assert_true(dbm_testdb_now() - t0 < 10.0);
	/* The waiter is still waiting, then gets the lock once it is released. */
	assert_int_equal(waitpid(child, &status, WNOHANG), 0);
	assert_int_equal(DRV->unlock(a), 0);
	assert_int_equal(waitpid(child, &status, 0), child);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	dbm_testdb_assert_rows(a, "SELECT count(*) FROM pg_indexes WHERE indexname = 'big_v'",
	                       "0\n");
	DRV->disconnect(a);
}

static void test_pgsql__clean_drops_every_object(void **state)
{
	struct dbm_testdb *t = pgt_state(state);
	struct dbm_conn *c = dbm_testdb_connect(t->url);
	static const char *const ddl[] = {
	    "CREATE EXTENSION citext",
	    "CREATE TYPE mood AS ENUM ('sad', 'ok')",
	    "CREATE TYPE pair AS (a int, b text)",
	    "CREATE DOMAIN posint AS int CHECK (VALUE > 0)",
	    "CREATE TYPE floatrange AS RANGE (subtype = float8)",
	    "CREATE SEQUENCE standalone_seq",
	    "CREATE TABLE users (id serial PRIMARY KEY, m mood, p pair, n posint, e citext)",
	    "CREATE TABLE orders (id int PRIMARY KEY, user_id int REFERENCES users (id))",
	    "CREATE TABLE parted (id int) PARTITION BY RANGE (id)",
	    "CREATE TABLE parted_1 PARTITION OF parted FOR VALUES FROM (0) TO (10)",
	    "CREATE VIEW v_users AS SELECT id FROM users",
	    "CREATE VIEW v_v AS SELECT id FROM v_users",
	    "CREATE MATERIALIZED VIEW mv_users AS SELECT id FROM users",
	    "CREATE FUNCTION add1(i int) RETURNS int LANGUAGE sql AS 'SELECT i + 1'",
	    "CREATE FUNCTION add1(i bigint) RETURNS bigint LANGUAGE sql AS 'SELECT i + 1'",
	    "CREATE PROCEDURE noop() LANGUAGE sql AS 'SELECT 1'",
	    "CREATE AGGREGATE mysum (int) (sfunc = int4pl, stype = int)",
	    "CREATE TABLE schema_history (installed_rank int PRIMARY KEY)",
	    "CREATE SCHEMA other",
	    "CREATE TABLE other.keep (id int)",
	};
	size_t i;

	for (i = 0; i < DBM_ARRAY_SIZE(ddl); i++)
		dbm_testdb_exec(c, ddl[i]);
	if (DRV->clean(c, "public") != 0)
		fail_msg("clean failed: %s", dbm_error_last()->message);
	dbm_testdb_assert_rows(
	    c, "SELECT count(*) FROM pg_class WHERE relnamespace = 'public'::regnamespace", "0\n");
	dbm_testdb_assert_rows(
	    c, "SELECT count(*) FROM pg_proc WHERE pronamespace = 'public'::regnamespace", "0\n");
	dbm_testdb_assert_rows(
	    c, "SELECT count(*) FROM pg_type WHERE typnamespace = 'public'::regnamespace", "0\n");
	dbm_testdb_assert_rows(c, "SELECT count(*) FROM pg_extension", "1\n"); /* plpgsql */
	/* The schema itself and other schemas stay. */
	dbm_testdb_assert_rows(
	    c,
	    "SELECT nspname FROM pg_namespace WHERE nspname IN ('public', 'other') "
	    "ORDER BY 1",
	    "other\npublic\n");
	dbm_testdb_assert_rows(c, "SELECT count(*) FROM other.keep", "0\n");
	/* The connection is back in autocommit; cleaning an empty schema works. */
	dbm_testdb_exec(c, "CREATE TABLE again (id int)");
	assert_int_equal(DRV->clean(c, NULL), 0);
	dbm_testdb_assert_rows(
	    c, "SELECT count(*) FROM pg_class WHERE relnamespace = 'public'::regnamespace", "0\n");
	DRV->disconnect(c);
}

static void test_pgsql__lost_connection_is_reported(void **state)
{
	struct dbm_testdb *t = pgt_state(state);
	struct dbm_conn *c = dbm_testdb_connect(t->url);
	char *pid = dbm_testdb_rows(c, "SELECT pg_backend_pid()");
	char sql[128];
	struct dbm_buf rows = DBM_BUF_INIT;

	pid[strcspn(pid, "\n")] = '\0';
	assert_int_equal(DRV->lock(c, "public", "schema_history", 1), 0);
	snprintf(sql, sizeof(sql), "SELECT pg_terminate_backend(%s, 5000)", pid);
	dbm_testdb_assert_rows(t->admin, sql, "t\n");
	assert_int_equal(dbm_testdb_try(c, "SELECT 1"), DBM_ERR_RUN);
	assert_string_equal(dbm_error_last()->message, "connection to the server was lost");
	/* Every later call fails the same way, without crashing. */
	assert_int_equal(dbm_testdb_try(c, "SELECT 2"), DBM_ERR_RUN);
	assert_string_equal(dbm_error_last()->message, "connection to the server was lost");
	assert_int_equal(DRV->query(c, "SELECT 3", dbm_testdb_collect, &rows), DBM_ERR_RUN);
	assert_string_equal(dbm_error_last()->message, "connection to the server was lost");
	assert_int_equal(DRV->lock(c, "public", "schema_history", 1), DBM_ERR_RUN);
	assert_int_equal(DRV->clean(c, "public"), DBM_ERR_RUN);
	assert_int_equal(DRV->unlock(c), 0);
	assert_null(rows.ptr);
	DRV->disconnect(c);
	dbm_free(pid);
}

static void test_pgsql__connect_errors_hide_the_password(void **state)
{
	struct dbm_testdb *t = pgt_state(state);
	struct dbm_conn_opts o = dbm_testdb_opts(NULL);
	struct dbm_conn *c = NULL;
	char *url = dbm_testdb_url_with_db(t->server, "no_such_db");
	char *with_pw;
	const char *at = strchr(url, '@');
	char conninfo[256];
	struct dbm_error *e;
	double t0;

	/* postgres://postgres:Sup3rSecret@host:port/no_such_db */
	with_pw = malloc(strlen(url) + 32);
	assert_non_null(with_pw);
	sprintf(with_pw, "%.*s:Sup3rSecret%s", (int)(at - url), url, at);
	o.url = with_pw;
	assert_int_equal(DRV->connect(&o, &c), DBM_ERR_RUN);
	assert_null(c);
	e = dbm_error_last();
	if (!strstr(e->message, "database \"no_such_db\" does not exist"))
		fail_msg("unexpected message '%s'", e->message);
	assert_null(strstr(e->message, "Sup3rSecret"));
	assert_null(strstr(e->detail, "Sup3rSecret"));
	assert_null(strstr(e->hint, "Sup3rSecret"));

	/* Unknown user, conninfo form. */
	snprintf(conninfo, sizeof(conninfo),
	         "host=127.0.0.1 port=%d user=nobody_here "
	         "password=Sup3rSecret dbname=postgres",
	         atoi(strrchr(t->server, ':') + 1));
	o.url = conninfo;
	assert_int_equal(DRV->connect(&o, &c), DBM_ERR_RUN);
	e = dbm_error_last();
	if (!strstr(e->message, "role \"nobody_here\" does not exist"))
		fail_msg("unexpected message '%s'", e->message);
	assert_null(strstr(e->message, "Sup3rSecret"));

	/* A URL libpq cannot parse is a usage error that does not echo it. */
	o.url = "postgres://u:Sup3rSecret@127.0.0.1/db?no_such_param=1";
	assert_int_equal(DRV->connect(&o, &c), DBM_ERR_USAGE);
	e = dbm_error_last();
	assert_string_equal(e->message, "invalid PostgreSQL connection URL: invalid URI query "
	                                "parameter: \"no_such_param\"");
	assert_null(strstr(e->message, "Sup3rSecret"));

	/* Retries wait 1 s (the cap here) between attempts, then report the last error. */
	o.url = "postgres://u:Sup3rSecret@127.0.0.1:1/db";
	o.connect_retries = 2;
	t0 = dbm_testdb_now();
	assert_int_equal(DRV->connect(&o, &c), DBM_ERR_RUN);
	assert_true(dbm_testdb_now() - t0 >= 1.9);
	assert_true(strncmp(dbm_error_last()->message, "cannot connect to PostgreSQL: ", 30) == 0);
	assert_null(strstr(dbm_error_last()->message, "Sup3rSecret"));
	free(with_pw);
	free(url);
}

static void test_pgsql__session_timeouts_applied(void **state)
{
	struct dbm_testdb *t = pgt_state(state);
	struct dbm_conn_opts o = dbm_testdb_opts(t->url);
	struct dbm_conn *c, *d;

	o.statement_timeout = 1;
	o.ddl_lock_timeout = 2;
	c = dbm_testdb_connect_opts(&o);
	dbm_testdb_assert_rows(c, "SHOW statement_timeout", "1s\n");
	dbm_testdb_assert_rows(c, "SHOW lock_timeout", "2s\n");
	assert_int_equal(dbm_testdb_try(c, "SELECT pg_sleep(3)"), DBM_ERR_RUN);
	assert_string_equal(dbm_error_last()->sqlstate, "57014");
	assert_string_equal(dbm_error_last()->message,
	                    "canceling statement due to statement timeout");
	/* Zero leaves the server's defaults. */
	d = dbm_testdb_connect(t->url);
	dbm_testdb_assert_rows(d, "SHOW statement_timeout", "0\n");
	dbm_testdb_assert_rows(d, "SHOW lock_timeout", "0\n");
	DRV->disconnect(d);
	DRV->disconnect(c);
}

#define PGT(f) cmocka_unit_test_setup_teardown(f, dbm_testdb_setup_pgsql, dbm_testdb_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_pgsql__stmt_flags),
	    PGT(test_pgsql__connect_fills_the_connection),
	    PGT(test_pgsql__registry_finds_the_driver),
	    PGT(test_pgsql__schema_sets_search_path),
	    PGT(test_pgsql__conninfo_string_connects),
	    PGT(test_pgsql__error_has_sqlstate_and_byte_position),
	    PGT(test_pgsql__copy_from_stdin_sends_data),
	    PGT(test_pgsql__exec_batch_runs_in_order_and_names_the_failure),
	    PGT(test_pgsql__lock_times_out_naming_the_holder),
	    PGT(test_pgsql__create_index_concurrently_while_holding_lock),
	    PGT(test_pgsql__clean_drops_every_object),
	    PGT(test_pgsql__lost_connection_is_reported),
	    PGT(test_pgsql__connect_errors_hide_the_password),
	    PGT(test_pgsql__session_timeouts_applied),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
