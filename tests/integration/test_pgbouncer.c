/*
 * test_pgbouncer.c - dbmigrate through a real PgBouncer in transaction
 * pooling mode (tests/servers/pgbouncer.sh, started by pgfront.sh as a
 * CTest fixture, with 2 server connections per database so that clients
 * share server sessions): concurrent runners apply each migration exactly
 * once under the lease lock, CREATE INDEX CONCURRENTLY runs through the
 * pooler, --schema holds in every transaction without relying on the
 * session, a dead runner's lease is taken over and a live one is waited for.
 *
 * DBM_TEST_PG_URL names the server (scripts/test.sh); each case has its own
 * database there, checked directly, and reaches it through the pooler at
 * DBM_TEST_PGBOUNCER_URL, read from the file DBM_TEST_PGFRONT_ENV names.
 * Without them the cases are skipped, or fail when DBM_TEST_REQUIRE_SERVERS=1.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "dbmigrate/driver.h"
#include "dbtest.h"
#include "testutil.h"

/* The test's database as reached through PgBouncer, with query (NULL: none). Free with free(). */
static char *pgb_url(struct dbm_testdb *t, const char *query)
{
	const char *server = dbm_test_server_url("DBM_TEST_PGBOUNCER_URL");
	char *base, *url;
	size_t n;

	if (!server)
		return NULL;
	base = dbm_testdb_url_with_db(server, t->name);
	assert_non_null(base);
	if (!query)
		return base;
	n = strlen(base) + strlen(query) + 2;
	url = malloc(n);
	assert_non_null(url);
	snprintf(url, n, "%s%c%s", base, strchr(base, '?') ? '&' : '?', query);
	free(base);
	return url;
}

/* Fails unless status is want, showing the runner's stderr file. */
static void pgb_expect(int status, int want, const char *err_path, const char *what)
{
	if (status != want) {
		char *e = dbm_test_read(err_path);

		fail_msg("%s exited %d, not %d: %s", what, status, want, e ? e : "");
	}
}

/*
 * Six runners at once through the pooler, with pgbouncer=true: each
 * migration is applied once (a transactional one with a sleep that keeps
 * the others waiting, a non-transactional CREATE INDEX CONCURRENTLY, a
 * repeatable), and the lease row is gone afterwards.
 */
static void test_pgbouncer__six_runners_apply_each_migration_once(void **state)
{
	struct dbm_testdb *t = dbm_testdb_state(state, "DBM_TEST_PG_URL");
	char *url = pgb_url(t, "pgbouncer=true");
	char out[6][1100], err[6][1100];
	int pid[6], i;

	if (!url) {
		skip();
		return;
	}
	{
		const char *argv[] = {"migrate", "--url", url, "--migrations", t->migrations, NULL};

		dbm_test_write(t->dir, "migrations/V1__users.sql",
		               "CREATE TABLE users (id int);\n");
		dbm_test_write(t->dir, "migrations/V2__slow.sql",
		               "SELECT pg_sleep(0.5);\nINSERT INTO users VALUES (1);\n");
		dbm_test_write(t->dir, "migrations/V3__index.sql",
		               "CREATE INDEX CONCURRENTLY users_id ON users (id);\n");
		dbm_test_write(t->dir, "migrations/V4__more.sql",
		               "INSERT INTO users VALUES (2);\n");
		dbm_test_write(t->dir, "migrations/R__view.sql",
		               "CREATE OR REPLACE VIEW v_users AS SELECT id FROM users;\n");
		for (i = 0; i < 6; i++) {
			snprintf(out[i], sizeof(out[i]), "%s/%d.out", t->dir, i);
			snprintf(err[i], sizeof(err[i]), "%s/%d.err", t->dir, i);
			pid[i] = dbm_test_spawn(t->dir, NULL, argv, out[i], err[i]);
		}
		for (i = 0; i < 6; i++)
			pgb_expect(dbm_test_wait(pid[i]), 0, err[i], "a runner");
	}
	dbm_testdb_assert_rows(t->db,
	                       "SELECT coalesce(version, 'R'), count(*), bool_and(success) FROM "
	                       "schema_history GROUP BY version ORDER BY version",
	                       "1|1|t\n2|1|t\n3|1|t\n4|1|t\nR|1|t\n");
	dbm_testdb_assert_rows(t->db, "SELECT id FROM users ORDER BY id", "1\n2\n");
	dbm_testdb_assert_rows(t->db,
	                       "SELECT indisvalid FROM pg_index WHERE indexrelid = "
	                       "'users_id'::regclass",
	                       "t\n");
	dbm_testdb_assert_rows(t->db, "SELECT count(*) FROM schema_history_lock", "0\n");
	free(url);
}

/*
 * --schema through the pooler: the schema holds in each migration's
 * transaction and for the statements of a non-transactional file that can
 * run in a transaction of their own, whatever server session the pooler
 * hands out, and the session the pool keeps is left as it was.
 */
static void test_pgbouncer__schema_holds_in_every_transaction(void **state)
{
	struct dbm_testdb *t = dbm_testdb_state(state, "DBM_TEST_PG_URL");
	char *url = pgb_url(t, "pgbouncer=true");
	struct dbm_test_result r;
	int i;

	if (!url) {
		skip();
		return;
	}
	dbm_test_write(t->dir, "migrations/V1__t.sql", "CREATE TABLE t (id int);\n");
	dbm_test_write(t->dir, "migrations/V2__t2.sql",
	               "CREATE INDEX CONCURRENTLY t_id ON app.t (id);\n"
	               "CREATE TABLE t2 (id int);\n");
	dbm_test_write(t->dir, "migrations/V3__t3.sql", "CREATE TABLE t3 (id int);\n");
	{
		const char *argv[] = {"migrate",     "--url",    url,   "--migrations",
		                      t->migrations, "--schema", "app", NULL};

		dbm_test_run(t->dir, NULL, argv, &r);
	}
	if (r.status != 0)
		fail_msg("migrate exited %d: %s", r.status, r.err);
	dbm_test_result_free(&r);
	dbm_testdb_assert_rows(
	    t->db,
	    "SELECT table_name FROM information_schema.tables WHERE "
	    "table_schema = 'app' ORDER BY 1",
	    "schema_history\nschema_history_lock\nschema_history_snapshot\nt\nt2\n"
	    "t3\n");
	dbm_testdb_assert_rows(t->db, "SELECT count(*) FROM app.schema_history WHERE success",
	                       "3\n");
	dbm_testdb_assert_rows(
	    t->db, "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'",
	    "0\n");
	/* A failing migration leaves nothing: its statements and row are one transaction. */
	dbm_test_write(t->dir, "migrations/V4__bad.sql",
	               "CREATE TABLE t4 (id int);\nINSERT INTO t4 VALUES (1);\nSELECT 1 / 0;\n");
	{
		const char *argv[] = {"migrate",     "--url",    url,   "--migrations",
		                      t->migrations, "--schema", "app", NULL};

		dbm_test_run(t->dir, NULL, argv, &r);
	}
	if (r.status != 1 || !dbm_test_contains(r.err, "V4__bad.sql:3"))
		fail_msg("the failing migration exited %d: %s", r.status, r.err);
	dbm_test_result_free(&r);
	dbm_testdb_assert_rows(
	    t->db,
	    "SELECT to_regclass('app.t4') IS NULL, to_regclass('public.t4') IS "
	    "NULL, (SELECT count(*) FROM app.schema_history WHERE version = '4')",
	    "t|t|0\n");
	/* The dump's queries share one server session (its search path), without the lock table. */
	{
		const char *argv[] = {"dump", "--url", url, "--schema", "app", NULL};

		dbm_test_run(t->dir, NULL, argv, &r);
	}
	if (r.status != 0 || !dbm_test_contains(r.out, "SET search_path = app;") ||
	    !dbm_test_contains(r.out, "CREATE TABLE t2 (") ||
	    !dbm_test_contains(r.out, "CREATE INDEX t_id ON app.t USING btree (id);") ||
	    dbm_test_contains(r.out, "schema_history"))
		fail_msg("dump through the pooler exited %d: %s%s", r.status, r.out, r.err);
	dbm_test_result_free(&r);
	/* The pool's server sessions keep their own search_path: nothing leaked. */
	for (i = 0; i < 4; i++) {
		struct dbm_conn *c = dbm_testdb_connect(url);

		dbm_testdb_assert_rows(c, "SHOW search_path", "\"$user\", public\n");
		c->driver->disconnect(c);
	}
	free(url);
}

/*
 * The lease: a row left by a runner that died (expired) is taken over at
 * once; a live one (expiring in the future) makes the runner wait and time
 * out with exit 4, naming the holder; info takes no lock.
 */
static void test_pgbouncer__lease_expired_taken_live_waited_for(void **state)
{
	struct dbm_testdb *t = dbm_testdb_state(state, "DBM_TEST_PG_URL");
	char *url = pgb_url(t, "lock=table");
	struct dbm_test_result r;
	double t0, waited;

	if (!url) {
		skip();
		return;
	}
	dbm_test_write(t->dir, "migrations/V1__t.sql", "CREATE TABLE t (id int);\n");
	{
		const char *argv[] = {"migrate", "--url", url, "--migrations", t->migrations, NULL};

		dbm_test_run(t->dir, NULL, argv, &r);
	}
	if (r.status != 0)
		fail_msg("migrate exited %d: %s", r.status, r.err);
	dbm_test_result_free(&r);
	dbm_testdb_assert_rows(t->db, "SELECT count(*) FROM schema_history_lock", "0\n");

	dbm_test_write(t->dir, "migrations/V2__t2.sql", "CREATE TABLE t2 (id int);\n");
	dbm_testdb_exec(t->db,
	                "INSERT INTO schema_history_lock VALUES "
	                "('dbmigrate:public.schema_history', 'dead@nowhere:1', 'nowhere', 1, "
	                "clock_timestamp() - interval '2 minutes', "
	                "clock_timestamp() - interval '1 minute')");
	{
		const char *argv[] = {"migrate",     "--url",          url, "--migrations",
		                      t->migrations, "--lock-timeout", "1", NULL};

		t0 = dbm_testdb_now();
		dbm_test_run(t->dir, NULL, argv, &r);
		if (r.status != 0)
			fail_msg("migrate with an expired lease exited %d: %s", r.status, r.err);
		dbm_test_result_free(&r);
		if (dbm_testdb_now() - t0 > 3)
			fail_msg("taking over an expired lease took %.1f s", dbm_testdb_now() - t0);

		dbm_test_write(t->dir, "migrations/V3__t3.sql", "CREATE TABLE t3 (id int);\n");
		dbm_testdb_exec(t->db, "INSERT INTO schema_history_lock VALUES "
		                       "('dbmigrate:public.schema_history', 'other@elsewhere:42', "
		                       "'elsewhere', 42, clock_timestamp(), "
		                       "clock_timestamp() + interval '1 minute')");
		t0 = dbm_testdb_now();
		dbm_test_run(t->dir, NULL, argv, &r);
		waited = dbm_testdb_now() - t0;
		if (r.status != 4)
			fail_msg("migrate with a live lease exited %d: %s", r.status, r.err);
		if (waited < 0.9 || waited > 4)
			fail_msg("the runner waited %.1f s, not about 1 s", waited);
		if (!dbm_test_contains(r.err, "held by process 42 on host 'elsewhere'"))
			fail_msg("the holder is not named: %s", r.err);
		dbm_test_result_free(&r);
	}
	{
		const char *argv[] = {"info", "--url", url, "--migrations", t->migrations, NULL};

		dbm_test_run(t->dir, NULL, argv, &r);
		if (r.status != 0 || !dbm_test_contains(r.out, "Pending"))
			fail_msg("info under a held lease exited %d: %s%s", r.status, r.out, r.err);
		dbm_test_result_free(&r);
	}
	dbm_testdb_assert_rows(t->db, "SELECT count(*) FROM schema_history WHERE success", "2\n");
	dbm_testdb_assert_rows(t->db, "SELECT holder FROM schema_history_lock",
	                       "other@elsewhere:42\n");
	free(url);
}

/*
 * The heartbeat: while a migration runs longer than a heartbeat period,
 * the lease's expiry moves forward (past its first 60 s), so a long
 * migration never loses its lock; the row is gone when the run ends.
 */
static void test_pgbouncer__heartbeat_extends_the_lease(void **state)
{
	struct dbm_testdb *t = dbm_testdb_state(state, "DBM_TEST_PG_URL");
	char *url = pgb_url(t, "pgbouncer=true");
	char out[1100], err[1100];
	double until;
	int pid, moved = 0;

	if (!url) {
		skip();
		return;
	}
	{
		const char *argv[] = {"migrate", "--url", url, "--migrations", t->migrations, NULL};

		dbm_test_write(t->dir, "migrations/V1__long.sql", "SELECT pg_sleep(11.5);\n");
		snprintf(out, sizeof(out), "%s/long.out", t->dir);
		snprintf(err, sizeof(err), "%s/long.err", t->dir);
		pid = dbm_test_spawn(t->dir, NULL, argv, out, err);
	}
	until = dbm_testdb_now() + 14;
	while (!moved && dbm_testdb_now() < until) {
		struct dbm_buf rows = DBM_BUF_INIT;

		nanosleep(&(struct timespec){0, 250 * 1000 * 1000L}, NULL);
		/* the table may not be there yet */
		if (t->db->driver->query(t->db,
		                         "SELECT expires_at > acquired_at + interval '65 seconds' "
		                         "FROM schema_history_lock",
		                         dbm_testdb_collect, &rows) == 0)
			moved = strcmp(dbm_buf_cstr(&rows), "t\n") == 0;
		else
			dbm_error_clear();
		dbm_buf_free(&rows);
	}
	pgb_expect(dbm_test_wait(pid), 0, err, "the long migration");
	if (!moved)
		fail_msg("the lease's expiry did not move while the migration ran");
	dbm_testdb_assert_rows(t->db, "SELECT count(*) FROM schema_history_lock", "0\n");
	dbm_testdb_assert_rows(t->db, "SELECT count(*) FROM schema_history WHERE success", "1\n");
	free(url);
}

/*
 * A pooler that the URL does not declare: the advisory lock taken on one
 * server session does not keep runners on other sessions out, and each
 * transaction dbmigrate begins finds that out before running anything.
 * Six runners at once: whatever each one meets, every migration is applied
 * at most once, and a runner that fails says to add pgbouncer=true, or
 * timed out waiting for a lock that a runner's session kept in the pool.
 */
static void test_pgbouncer__undeclared_pooler_is_found(void **state)
{
	struct dbm_testdb *t = dbm_testdb_state(state, "DBM_TEST_PG_URL");
	char *url = pgb_url(t, NULL);
	char out[6][1100], err[6][1100];
	int pid[6], i, failed = 0;

	if (!url) {
		skip();
		return;
	}
	{
		const char *argv[] = {"migrate",     "--url",          url, "--migrations",
		                      t->migrations, "--lock-timeout", "3", NULL};

		dbm_test_write(t->dir, "migrations/V1__users.sql",
		               "CREATE TABLE users (id int);\n");
		dbm_test_write(t->dir, "migrations/V2__slow.sql",
		               "SELECT pg_sleep(0.3);\nINSERT INTO users VALUES (1);\n");
		dbm_test_write(t->dir, "migrations/V3__more.sql",
		               "INSERT INTO users VALUES (2);\n");
		for (i = 0; i < 6; i++) {
			snprintf(out[i], sizeof(out[i]), "%s/%d.out", t->dir, i);
			snprintf(err[i], sizeof(err[i]), "%s/%d.err", t->dir, i);
			pid[i] = dbm_test_spawn(t->dir, NULL, argv, out[i], err[i]);
		}
		for (i = 0; i < 6; i++) {
			int status = dbm_test_wait(pid[i]);
			char *e = dbm_test_read(err[i]);

			if (status != 0) {
				failed++;
				if (!e ||
				    !(dbm_test_contains(e, "add pgbouncer=true to the URL") ||
				      (status == 4 && dbm_test_contains(e, "migration lock"))))
					fail_msg(
					    "runner %d exited %d without naming the pooler: %s", i,
					    status, e ? e : "");
			}
			free(e);
		}
	}
	print_message("%d of 6 runners found the undeclared pooler\n", failed);
	{
		/* when every runner stopped at its first transaction, not even the history is there
		 */
		char *hist =
		    dbm_testdb_rows(t->db, "SELECT to_regclass('schema_history') IS NOT NULL");

		if (strcmp(hist, "t\n") == 0)
			dbm_testdb_assert_rows(t->db,
			                       "SELECT count(*) FILTER (WHERE n > 1) FROM (SELECT "
			                       "version, count(*) AS n FROM schema_history WHERE "
			                       "success GROUP BY version) AS v",
			                       "0\n");
		dbm_free(hist);
	}
	free(url);
}

/* dbmigrate's own URL parameters are checked: a bad value is a usage error naming it. */
static void test_pgbouncer__bad_url_parameters_are_refused(void **state)
{
	struct dbm_testdb *t = dbm_testdb_state(state, "DBM_TEST_PG_URL");
	static const char *const queries[] = {"pgbouncer=maybe", "lock=row"};
	static const char *const names[] = {"URL parameter pgbouncer", "URL parameter lock"};
	struct dbm_test_result r;
	size_t i;

	dbm_test_write(t->dir, "migrations/V1__t.sql", "CREATE TABLE t (id int);\n");
	for (i = 0; i < 2; i++) {
		char *url = pgb_url(t, queries[i]);
		const char *argv[] = {"migrate", "--url", url, "--migrations", t->migrations, NULL};

		if (!url) {
			skip();
			return;
		}
		dbm_test_run(t->dir, NULL, argv, &r);
		if (r.status != 2 || !dbm_test_contains(r.err, names[i]))
			fail_msg("%s: exited %d: %s", queries[i], r.status, r.err);
		dbm_test_result_free(&r);
		free(url);
	}
}

#define PGB(f) cmocka_unit_test_setup_teardown(f, dbm_testdb_setup_pgsql, dbm_testdb_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
	    PGB(test_pgbouncer__six_runners_apply_each_migration_once),
	    PGB(test_pgbouncer__schema_holds_in_every_transaction),
	    PGB(test_pgbouncer__lease_expired_taken_live_waited_for),
	    PGB(test_pgbouncer__bad_url_parameters_are_refused),
	    PGB(test_pgbouncer__heartbeat_extends_the_lease),
	    PGB(test_pgbouncer__undeclared_pooler_is_found),
	};

	dbm_test_load_env_file("DBM_TEST_PGFRONT_ENV");
	return cmocka_run_group_tests(tests, NULL, NULL);
}
