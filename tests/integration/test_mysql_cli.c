/*
 * test_mysql_cli.c - the dbmigrate binary against a real MariaDB server (and
 * optionally a Galera cluster): what a user sees (exit codes, messages) and
 * what the database ends up with.
 *
 * DBM_TEST_MYSQL_URL comes from tests/servers/mariadb.sh, DBM_TEST_GALERA_URLS
 * from tests/servers/galera.sh. Without them the tests are skipped, or fail
 * when DBM_TEST_REQUIRE_SERVERS=1 (the Galera test is optional either way).
 * Each test has its own database and its own temporary folder of migrations.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "dbmigrate/driver.h"
#include "dbtest.h"
#include "testutil.h"

extern const struct dbm_driver dbm_mysql_driver;

#define DRV (&dbm_mysql_driver)

/* The test's database and folder, or skips the test (fails it when servers are required). */
static struct dbm_testdb *myc_state(void **state)
{
	return dbm_testdb_state(state, "DBM_TEST_MYSQL_URL");
}

static void myc_run(struct dbm_testdb *t, const char *cmd, struct dbm_test_result *r)
{
	const char *argv[] = {cmd, "--url", t->url, "--migrations", t->migrations, NULL};

	dbm_test_run(t->dir, NULL, argv, r);
}

static void myc_run_ok(struct dbm_testdb *t, const char *cmd)
{
	struct dbm_test_result r;

	myc_run(t, cmd, &r);
	if (r.status != 0)
		fail_msg("%s exited %d: %s", cmd, r.status, r.err);
	dbm_test_result_free(&r);
}

/*
 * Feeds file to the mariadb command-line client on database db of the
 * server at url; returns its exit code.
 */
static int myc_client(const char *url, const char *db, const char *file)
{
	char user[64], pw[128], host[128], cmd[4096];
	int port = 0;

	if (sscanf(url, "mysql://%63[^:]:%127[^@]@%127[^:]:%d", user, pw, host, &port) != 4)
		fail_msg("cannot take the URL apart for the mariadb client");
	setenv("MYSQL_PWD", pw, 1);
	snprintf(cmd, sizeof(cmd), "mariadb --no-defaults -h %s -P %d -u %s %s < '%s' > /dev/null",
	         host, port, user, db, file);
	port = system(cmd);
	unsetenv("MYSQL_PWD");
	return port;
}

/* A file with DELIMITER, # comments and backslash escapes, as dumps and hand-written files have. */
static const char mysql_flavoured_sql[] =
    "# a hash comment; with a semicolon\n"
    "CREATE TABLE t (id INT PRIMARY KEY, s VARCHAR(80)); -- trailing comment\n"
    "INSERT INTO t VALUES (1, 'it\\'s'), (2, \"dq \\\" here; too\"), (3, 'back\\\\slash'),\n"
    "  (4, 'tab\\there'), (5, '# not a comment'), (6, '-- nor this');\n"
    "DELIMITER //\n"
    "CREATE PROCEDURE addrow(IN n INT)\n"
    "BEGIN\n"
    "  # inside the body\n"
    "  INSERT INTO t VALUES (n, 'from proc; with semicolon');\n"
    "  SELECT n AS added;\n"
    "END //\n"
    "CREATE FUNCTION twice(x INT) RETURNS INT DETERMINISTIC\n"
    "BEGIN\n"
    "  RETURN x * 2;\n"
    "END//\n"
    "DELIMITER ;\n"
    "CALL addrow(7);\n"
    "INSERT INTO t VALUES (twice(4), CONCAT('twice', ';'));\n";

static void test_mysql_cli__delimiter_comments_and_escapes_match_the_client(void **state)
{
	struct dbm_testdb *t = myc_state(state);
	char file[1100];
	struct dbm_conn *rc;
	char *want;
	int ref;

	dbm_test_write(t->dir, "migrations/V1__mysql_flavoured.sql", mysql_flavoured_sql);
	myc_run_ok(t, "migrate");
	dbm_testdb_assert_rows(t->db, "SELECT version, success FROM schema_history", "1|1\n");

	/* The same file through the mariadb client must leave the same rows. */
	ref = dbm_testdb_add(t, "ref");
	snprintf(file, sizeof(file), "%s/V1__mysql_flavoured.sql", t->migrations);
	assert_int_equal(myc_client(t->server, t->extra_name[ref], file), 0);
	rc = dbm_testdb_connect(t->extra_url[ref]);
	want = dbm_testdb_rows(rc, "SELECT id, s FROM t ORDER BY id");
	DRV->disconnect(rc);
	assert_string_equal(want, "1|it's\n2|dq \" here; too\n3|back\\slash\n4|tab\there\n"
	                          "5|# not a comment\n6|-- nor this\n7|from proc; with semicolon\n"
	                          "8|twice;\n");
	dbm_testdb_assert_rows(t->db, "SELECT id, s FROM t ORDER BY id", want);
	dbm_free(want);
	dbm_testdb_assert_rows(t->db, "SELECT twice(21)", "42\n");
}

/*
 * Statements go to the server several at a time (multi-statement queries
 * of up to 64 KiB): a failure past the first batch names its own line and
 * exactly the statements before it as applied, and those are there.
 */
static void test_mysql_cli__batched_failure_names_what_is_applied(void **state)
{
	struct dbm_testdb *t = myc_state(state);
	struct dbm_buf sql = DBM_BUF_INIT;
	struct dbm_test_result r;
	unsigned i;

	assert_int_equal(dbm_buf_adds(&sql, "CREATE TABLE w (id INT PRIMARY KEY, pad TEXT);\n"), 0);
	/* 400 statements of about 300 bytes: past one batch */
	for (i = 1; i <= 400; i++)
		assert_int_equal(dbm_buf_addf(&sql, "INSERT INTO w VALUES (%u, '%0280u');\n", i, i),
		                 0);
	assert_int_equal(dbm_buf_adds(&sql, "INSERT INTO w VALUES\n  (401, 'x'),\n  (7, 'dup');\n"
	                                    "CREATE TABLE after_dup (id INT);\n"),
	                 0);
	dbm_test_write(t->dir, "migrations/V1__many.sql", dbm_buf_cstr(&sql));
	dbm_buf_free(&sql);
	myc_run(t, "migrate", &r);
	assert_int_equal(r.status, 1);
	if (!dbm_test_contains(r.err, "V1__many.sql:402") ||
	    !dbm_test_contains(r.err, "statement 402 of 403") ||
	    !dbm_test_contains(r.err, "statements 1 to 401 are applied") ||
	    !dbm_test_contains(r.err, "Duplicate entry '7'"))
		fail_msg("unexpected stderr: %s", r.err);
	dbm_test_result_free(&r);
	dbm_testdb_assert_rows(
	    t->db,
	    "SELECT COUNT(*), (SELECT COUNT(*) FROM information_schema.TABLES "
	    "WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'after_dup') FROM w",
	    "400|0\n");
	dbm_testdb_assert_rows(t->db, "SELECT version, success FROM schema_history", "1|0\n");
}

static void test_mysql_cli__failed_ddl_then_repair(void **state)
{
	struct dbm_testdb *t = myc_state(state);
	struct dbm_test_result r;

	dbm_test_write(t->dir, "migrations/V1__base.sql", "CREATE TABLE t (id INT);\n");
	dbm_test_write(t->dir, "migrations/V2__bad.sql",
	               "CREATE TABLE a (id INT);\n"
	               "\n"
	               "CREATE TABLE t (id INT);\n"
	               "CREATE TABLE c (id INT);\n");
	myc_run(t, "migrate", &r);
	assert_int_equal(r.status, 1);
	if (!dbm_test_contains(r.err, "V2__bad.sql:3") ||
	    !dbm_test_contains(r.err, "statement 2 of 3") ||
	    !dbm_test_contains(r.err, "Table 't' already exists") ||
	    !dbm_test_contains(r.err, "42S01"))
		fail_msg("unexpected stderr: %s", r.err);
	dbm_test_result_free(&r);
	/* MySQL DDL commits at once: a is there, c is not, and a failed row is recorded. */
	dbm_testdb_assert_rows(
	    t->db,
	    "SELECT GROUP_CONCAT(TABLE_NAME ORDER BY TABLE_NAME) FROM "
	    "information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME "
	    "IN ('a', 'c', 't')",
	    "a,t\n");
	dbm_testdb_assert_rows(
	    t->db, "SELECT version, success FROM schema_history ORDER BY installed_rank",
	    "1|1\n2|0\n");

	myc_run(t, "migrate", &r);
	assert_int_equal(r.status, 3);
	if (!dbm_test_contains(r.err, "repair"))
		fail_msg("unexpected stderr: %s", r.err);
	dbm_test_result_free(&r);

	dbm_test_write(t->dir, "migrations/V2__bad.sql",
	               "CREATE TABLE IF NOT EXISTS a (id INT);\n"
	               "\n"
	               "CREATE TABLE b (id INT);\n"
	               "CREATE TABLE c (id INT);\n");
	myc_run_ok(t, "repair");
	myc_run_ok(t, "migrate");
	dbm_testdb_assert_rows(
	    t->db, "SELECT version, success FROM schema_history ORDER BY installed_rank",
	    "1|1\n2|1\n");
	dbm_testdb_assert_rows(
	    t->db,
	    "SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = "
	    "DATABASE() AND TABLE_NAME IN ('a', 'b', 'c', 't')",
	    "4\n");
}

/* Starts n runners of "migrate" on urls[i % nurls] at once; fails unless all exit 0. */
static void myc_runners(struct dbm_testdb *t, const char *const *urls, int nurls, int n)
{
	char out[8][1100], err[8][1100];
	int pid[8], i, status;

	assert_true(n <= 8);
	for (i = 0; i < n; i++) {
		const char *argv[] = {"migrate",      "--url",       urls[i % nurls],
		                      "--migrations", t->migrations, "--lock-timeout",
		                      "120",          NULL};

		snprintf(out[i], sizeof(out[i]), "%s/%d.out", t->dir, i);
		snprintf(err[i], sizeof(err[i]), "%s/%d.err", t->dir, i);
		pid[i] = dbm_test_spawn(t->dir, NULL, argv, out[i], err[i]);
	}
	for (i = 0; i < n; i++) {
		status = dbm_test_wait(pid[i]);
		if (status != 0) {
			char *e = dbm_test_read(err[i]);

			fail_msg("runner %d exited %d: %s", i, status, e ? e : "");
		}
	}
}

static void test_mysql_cli__six_runners_apply_each_migration_once(void **state)
{
	struct dbm_testdb *t = myc_state(state);
	const char *urls[] = {t->url};

	dbm_test_write(t->dir, "migrations/V1__users.sql", "CREATE TABLE users (id INT);\n");
	dbm_test_write(t->dir, "migrations/V2__slow.sql",
	               "DO SLEEP(0.5);\nINSERT INTO users VALUES (1);\n");
	dbm_test_write(t->dir, "migrations/V3__more.sql", "INSERT INTO users VALUES (2);\n");
	dbm_test_write(t->dir, "migrations/R__view.sql",
	               "CREATE OR REPLACE VIEW v_users AS SELECT id FROM users;\n");
	myc_runners(t, urls, 1, 6);
	dbm_testdb_assert_rows(t->db,
	                       "SELECT COALESCE(version, 'R'), COUNT(*) FROM schema_history "
	                       "GROUP BY version ORDER BY version",
	                       "R|1\n1|1\n2|1\n3|1\n");
	dbm_testdb_assert_rows(t->db, "SELECT id FROM users ORDER BY id", "1\n2\n");
}

static void test_mysql_cli__galera_two_runners_through_two_nodes(void **state)
{
	const char *env = getenv("DBM_TEST_GALERA_URLS");
	char nodes[3][512], urls[3][1600], file[64], sql[160], want[256];
	const char *two[2];
	struct dbm_testdb *t;
	int round, i, n;

	if (!env || !*env)
		dbm_test_galera_skip();
	if (sscanf(env, "%511s %511s %511s", nodes[0], nodes[1], nodes[2]) != 3)
		fail_msg("DBM_TEST_GALERA_URLS needs three URLs");
	*state = t = dbm_testdb_new_at(nodes[0]);
	for (i = 0; i < 3; i++)
		snprintf(urls[i], sizeof(urls[i]), "%s%s", nodes[i], t->name);
	two[0] = urls[0];
	two[1] = urls[1];
	/* The new database may reach the second node a moment later; start once it has. */
	DRV->disconnect(dbm_testdb_connect(urls[1]));
	want[0] = '\0';
	for (round = 1; round <= 5; round++) {
		snprintf(file, sizeof(file), "migrations/V%d__round.sql", round);
		/* the first migration makes the table: a schema with tables but no history is
		 * refused */
		snprintf(sql, sizeof(sql), "%sDO SLEEP(0.3);\nINSERT INTO hits (v) VALUES (%d);\n",
		         round == 1
		             ? "CREATE TABLE hits (id INT AUTO_INCREMENT PRIMARY KEY, v INT);\n"
		             : "",
		         round);
		dbm_test_write(t->dir, file, sql);
		myc_runners(t, two, 2, 2);
		n = (int)strlen(want);
		snprintf(want + n, sizeof(want) - (size_t)n, "%d|1\n", round);
	}
	for (i = 0; i < 3; i++) {
		struct dbm_conn *c = dbm_testdb_connect(urls[i]);

		dbm_testdb_exec(c, "SET SESSION wsrep_sync_wait = 1");
		dbm_testdb_assert_rows(
		    c,
		    "SELECT version, COUNT(*) FROM schema_history WHERE success = 1 "
		    "GROUP BY version ORDER BY CAST(version AS UNSIGNED)",
		    want);
		dbm_testdb_assert_rows(c, "SELECT COUNT(*), COUNT(DISTINCT v) FROM hits", "5|5\n");
		DRV->disconnect(c);
	}
}

#define MYC(f) cmocka_unit_test_setup_teardown(f, dbm_testdb_setup_mysql, dbm_testdb_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
	    MYC(test_mysql_cli__delimiter_comments_and_escapes_match_the_client),
	    MYC(test_mysql_cli__failed_ddl_then_repair),
	    MYC(test_mysql_cli__batched_failure_names_what_is_applied),
	    MYC(test_mysql_cli__six_runners_apply_each_migration_once),
	    cmocka_unit_test_teardown(test_mysql_cli__galera_two_runners_through_two_nodes,
	                              dbm_testdb_teardown),
	};

	return cmocka_run_group_tests_name("mysql_cli", tests, NULL, NULL);
}
