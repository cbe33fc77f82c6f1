/*
 * test_pgsql_callbacks.c - Flyway's SQL callbacks against a real PostgreSQL
 * server, where a migration's transaction holds its DDL: the "each"
 * callbacks commit and roll back with their migration, the error events'
 * writes stay, and a migration that must run outside a transaction still
 * gets its callbacks around it.
 *
 * The server URL comes from DBM_TEST_PG_URL (tests/servers/pgsql.sh start
 * prints it). Without it the tests are skipped, or fail when
 * DBM_TEST_REQUIRE_SERVERS=1. Each test has its own database and folder.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <signal.h>

#include <cmocka.h>

#include "dbtest.h"
#include "testutil.h"

#define LOG "SELECT string_agg(ev, ',' ORDER BY n) FROM cb_log"

/* Runs dbmigrate migrate against the test's database and migrations folder. */
static void pgcb_migrate(struct dbm_testdb *t, struct dbm_test_result *r)
{
	const char *argv[] = {"migrate", "--url", t->url, "--migrations", t->migrations, NULL};

	dbm_test_run(t->dir, NULL, argv, r);
}

/* V1 makes the log table, applied before the callbacks are written. */
static struct dbm_testdb *pgcb_start(void **state)
{
	struct dbm_testdb *t = dbm_testdb_state(state, "DBM_TEST_PG_URL");
	struct dbm_test_result r;

	dbm_test_write(t->dir, "migrations/V1__log.sql",
	               "CREATE TABLE cb_log (n serial PRIMARY KEY, ev text);\n");
	pgcb_migrate(t, &r);
	if (r.status != 0)
		fail_msg("migrate exited %d: %s", r.status, r.err);
	dbm_test_result_free(&r);
	return t;
}

static void pgcb_log(struct dbm_testdb *t, const char *name, const char *ev)
{
	char rel[256], sql[256];

	snprintf(rel, sizeof(rel), "migrations/%s", name);
	snprintf(sql, sizeof(sql), "INSERT INTO cb_log (ev) VALUES ('%s');\n", ev);
	dbm_test_write(t->dir, rel, sql);
}

static void test_pgsql_callbacks__each_rolled_back_with_a_failing_migration(void **state)
{
	struct dbm_testdb *t = pgcb_start(state);
	struct dbm_test_result r;

	pgcb_log(t, "beforeEachMigrate.sql", "beforeEach");
	pgcb_log(t, "afterEachMigrate.sql", "afterEach");
	pgcb_log(t, "afterEachMigrateError.sql", "afterEachError");
	pgcb_log(t, "afterMigrateError.sql", "afterMigrateError");
	pgcb_log(t, "afterMigrate.sql", "afterMigrate");
	dbm_test_write(t->dir, "migrations/V2__ok.sql", "CREATE TABLE ok (id int);\n");
	dbm_test_write(t->dir, "migrations/V3__bad.sql",
	               "CREATE TABLE half (id int);\nINSERT INTO cb_log (ev) VALUES ('V3');\n"
	               "SELECT * FROM nope;\n");
	pgcb_migrate(t, &r);
	assert_int_equal(r.status, 1);
	if (!dbm_test_contains(r.err, "V3__bad.sql:3") || !dbm_test_contains(r.err, "42P01"))
		fail_msg("unexpected stderr: %s", r.err);
	dbm_test_result_free(&r);
	/*
	 * V2 and its callbacks committed together; V3's beforeEachMigrate row
	 * and its own went with its transaction; the error events ran after it
	 */
	dbm_testdb_assert_rows(t->db, LOG,
	                       "beforeEach,afterEach,afterEachError,afterMigrateError\n");
	dbm_testdb_assert_rows(
	    t->db, "SELECT to_regclass('half') IS NULL, to_regclass('ok') IS NULL", "t|f\n");
	dbm_testdb_assert_rows(t->db,
	                       "SELECT string_agg(version || ':' || success, ',' ORDER BY "
	                       "installed_rank) FROM schema_history",
	                       "1:true,2:true\n");
}

static void test_pgsql_callbacks__failing_after_each_rolls_the_migration_back(void **state)
{
	struct dbm_testdb *t = pgcb_start(state);
	struct dbm_test_result r;

	pgcb_log(t, "beforeEachMigrate.sql", "beforeEach");
	dbm_test_write(t->dir, "migrations/afterEachMigrate__check.sql",
	               "-- every migration must leave table must_exist\n"
	               "DO $$ BEGIN\n"
	               "  IF to_regclass('must_exist') IS NULL THEN\n"
	               "    RAISE EXCEPTION 'must_exist is missing';\n"
	               "  END IF;\n"
	               "END $$;\n");
	dbm_test_write(t->dir, "migrations/V2__other.sql", "CREATE TABLE other (id int);\n");
	pgcb_migrate(t, &r);
	assert_int_equal(r.status, 1);
	if (!dbm_test_contains(r.err, "migrations/afterEachMigrate__check.sql:") ||
	    !dbm_test_contains(r.err, "must_exist is missing") ||
	    !dbm_test_contains(r.err, "P0001") ||
	    !dbm_test_contains(r.err, "ran inside the migration's transaction"))
		fail_msg("unexpected stderr: %s", r.err);
	dbm_test_result_free(&r);
	dbm_testdb_assert_rows(t->db, "SELECT count(*) FROM cb_log", "0\n");
	dbm_testdb_assert_rows(t->db, "SELECT to_regclass('other') IS NULL", "t\n");
	dbm_testdb_assert_rows(t->db, "SELECT count(*) FROM schema_history", "1\n");

	/* once the migration satisfies the check, both commit with it */
	dbm_test_write(t->dir, "migrations/V2__other.sql",
	               "CREATE TABLE other (id int);\nCREATE TABLE must_exist (id int);\n");
	pgcb_migrate(t, &r);
	if (r.status != 0)
		fail_msg("migrate exited %d: %s", r.status, r.err);
	dbm_test_result_free(&r);
	dbm_testdb_assert_rows(t->db, LOG, "beforeEach\n");
	dbm_testdb_assert_rows(t->db, "SELECT count(*) FROM schema_history", "2\n");
}

/* CREATE INDEX CONCURRENTLY runs outside a transaction: its callbacks run around it, each in its
 * own. */
static void test_pgsql_callbacks__around_a_migration_without_transaction(void **state)
{
	struct dbm_testdb *t = pgcb_start(state);
	struct dbm_test_result r;

	pgcb_log(t, "beforeEachMigrate.sql", "beforeEach");
	pgcb_log(t, "afterEachMigrate.sql", "afterEach");
	dbm_test_write(t->dir, "migrations/V2__idx.sql",
	               "CREATE INDEX CONCURRENTLY cb_log_ev ON cb_log (ev);\n");
	pgcb_migrate(t, &r);
	if (r.status != 0)
		fail_msg("migrate exited %d: %s", r.status, r.err);
	dbm_test_result_free(&r);
	dbm_testdb_assert_rows(t->db, LOG, "beforeEach,afterEach\n");
	dbm_testdb_assert_rows(t->db, "SELECT to_regclass('cb_log_ev') IS NULL", "f\n");

	/* a failing afterEachMigrate there: the index is applied and its row says so */
	dbm_test_write(t->dir, "migrations/afterEachMigrate.sql", "SELECT 1/0;\n");
	dbm_test_write(t->dir, "migrations/V3__idx2.sql",
	               "CREATE INDEX CONCURRENTLY cb_log_n ON cb_log (n, ev);\n");
	pgcb_migrate(t, &r);
	assert_int_equal(r.status, 1);
	if (!dbm_test_contains(r.err, "migrations/afterEachMigrate.sql:1") ||
	    !dbm_test_contains(r.err, "22012") ||
	    !dbm_test_contains(r.err,
	                       "every statement of it is applied and its history row says so"))
		fail_msg("unexpected stderr: %s", r.err);
	dbm_test_result_free(&r);
	dbm_testdb_assert_rows(t->db, "SELECT to_regclass('cb_log_n') IS NULL", "f\n");
	dbm_testdb_assert_rows(t->db,
	                       "SELECT string_agg(version || ':' || success, ',' ORDER BY "
	                       "installed_rank) FROM schema_history",
	                       "1:true,2:true,3:true\n");
}

/* SIGTERM while an each-migration callback runs: the migration's transaction goes, exit 143. */
static void test_pgsql_callbacks__signal_during_a_callback(void **state)
{
	struct dbm_testdb *t = pgcb_start(state);
	const char *argv[] = {"migrate", "--url", t->url, "--migrations", t->migrations, NULL};
	char out[1200], err[1200], *rows = NULL, *msg;
	struct timespec pause = {0, 50 * 1000 * 1000};
	int pid, i, status;

	dbm_test_write(t->dir, "migrations/beforeEachMigrate.sql",
	               "INSERT INTO cb_log (ev) VALUES ('beforeEach');\nSELECT pg_sleep(30);\n");
	pgcb_log(t, "afterEachMigrateError.sql", "afterEachError");
	dbm_test_write(t->dir, "migrations/V2__t.sql", "CREATE TABLE t2 (id int);\n");
	snprintf(out, sizeof(out), "%s/run.out", t->dir);
	snprintf(err, sizeof(err), "%s/run.err", t->dir);
	pid = dbm_test_spawn(t->dir, NULL, argv, out, err);
	for (i = 0; i < 400; i++) {
		free(rows);
		rows = dbm_testdb_rows(t->db, "SELECT count(*) FROM pg_stat_activity WHERE query "
		                              "LIKE 'SELECT pg_sleep(30)%'");
		if (strcmp(rows, "1\n") == 0)
			break;
		nanosleep(&pause, NULL);
	}
	free(rows);
	assert_true(i < 400);
	assert_int_equal(kill(pid, SIGTERM), 0);
	status = dbm_test_wait(pid);
	msg = dbm_test_read(err);
	assert_non_null(msg);
	if (status != 143 ||
	    !dbm_test_contains(msg, "migrations/beforeEachMigrate.sql:2: error: interrupted by "
	                            "SIGTERM while running this callback"))
		fail_msg("exit %d: %s", status, msg);
	free(msg);
	/* the callback's row and the migration went with the transaction; no error event ran */
	dbm_testdb_assert_rows(t->db, "SELECT count(*) FROM cb_log", "0\n");
	dbm_testdb_assert_rows(t->db, "SELECT to_regclass('t2') IS NULL", "t\n");
	dbm_testdb_assert_rows(t->db, "SELECT count(*) FROM schema_history", "1\n");
}

#define PGCB(f) cmocka_unit_test_setup_teardown(f, dbm_testdb_setup_pgsql, dbm_testdb_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
	    PGCB(test_pgsql_callbacks__each_rolled_back_with_a_failing_migration),
	    PGCB(test_pgsql_callbacks__failing_after_each_rolls_the_migration_back),
	    PGCB(test_pgsql_callbacks__around_a_migration_without_transaction),
	    PGCB(test_pgsql_callbacks__signal_during_a_callback),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
