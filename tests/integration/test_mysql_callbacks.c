/*
 * test_mysql_callbacks.c - Flyway's SQL callbacks against a real MariaDB or
 * MySQL server, whose DDL commits at once: every migration runs statement
 * by statement, so its "each" callbacks run beside it, each on its own, and
 * what they wrote before a failure stays, as the history says.
 *
 * The server URL comes from DBM_TEST_MYSQL_URL (tests/servers/mariadb.sh
 * start prints it). Without it the tests are skipped, or fail when
 * DBM_TEST_REQUIRE_SERVERS=1. Each test has its own database and folder.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "dbtest.h"
#include "testutil.h"

#define LOG "SELECT GROUP_CONCAT(ev ORDER BY n SEPARATOR ',') FROM cb_log"

static void mycb_migrate(struct dbm_testdb *t, struct dbm_test_result *r)
{
	const char *argv[] = {"migrate", "--url", t->url, "--migrations", t->migrations, NULL};

	dbm_test_run(t->dir, NULL, argv, r);
}

static void mycb_log(struct dbm_testdb *t, const char *name, const char *ev)
{
	char rel[256], sql[256];

	snprintf(rel, sizeof(rel), "migrations/%s", name);
	snprintf(sql, sizeof(sql), "INSERT INTO cb_log (ev) VALUES ('%s');\n", ev);
	dbm_test_write(t->dir, rel, sql);
}

static void test_mysql_callbacks__order_and_a_failing_migration(void **state)
{
	struct dbm_testdb *t = dbm_testdb_state(state, "DBM_TEST_MYSQL_URL");
	struct dbm_test_result r;

	dbm_test_write(
	    t->dir, "migrations/V1__log.sql",
	    "CREATE TABLE cb_log (n INT AUTO_INCREMENT PRIMARY KEY, ev VARCHAR(100));\n");
	mycb_migrate(t, &r);
	if (r.status != 0)
		fail_msg("migrate exited %d: %s", r.status, r.err);
	dbm_test_result_free(&r);
	mycb_log(t, "beforeMigrate.sql", "beforeMigrate");
	mycb_log(t, "beforeEachMigrate.sql", "beforeEach");
	mycb_log(t, "afterEachMigrate.sql", "afterEach");
	mycb_log(t, "afterEachMigrateError.sql", "afterEachError");
	mycb_log(t, "afterMigrateError.sql", "afterMigrateError");
	mycb_log(t, "afterMigrate.sql", "afterMigrate");
	dbm_test_write(t->dir, "migrations/V2__ok.sql", "CREATE TABLE ok (id INT);\n");
	dbm_test_write(t->dir, "migrations/V3__bad.sql",
	               "CREATE TABLE half (id INT);\nSELECT * FROM nope;\n");
	mycb_migrate(t, &r);
	assert_int_equal(r.status, 1);
	if (!dbm_test_contains(r.err, "V3__bad.sql:2"))
		fail_msg("unexpected stderr: %s", r.err);
	dbm_test_result_free(&r);
	/* without a transaction, V3's beforeEachMigrate row stays, as its half table does */
	dbm_testdb_assert_rows(t->db, LOG,
	                       "beforeMigrate,beforeEach,afterEach,beforeEach,afterEachError,"
	                       "afterMigrateError\n");
	dbm_testdb_assert_rows(t->db,
	                       "SELECT GROUP_CONCAT(CONCAT(version, ':', success) ORDER BY "
	                       "installed_rank) FROM schema_history",
	                       "1:1,2:1,3:0\n");
}

#define MYCB(f) cmocka_unit_test_setup_teardown(f, dbm_testdb_setup_mysql, dbm_testdb_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
	    MYCB(test_mysql_callbacks__order_and_a_failing_migration),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
