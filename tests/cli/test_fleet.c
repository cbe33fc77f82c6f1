/*
 * test_fleet.c - fleets of SQLite files through the dbmigrate binary: the
 * failure policy (stop scheduling, --continue-on-error, --canary), a
 * target locked by another process, a glob and a targets file, --targets,
 * the info matrix, --json's targets[], and no password in any output.
 */
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include <cmocka.h>

#include "project.h"
#include "testutil.h"

/* The history of dir/rel as "version|success\n" rows, "" when it has none, "none" without table. */
static char *history(const char *dir, const char *rel)
{
	char cmd[2048];
	FILE *p;
	char buf[4096];
	size_t n;

	snprintf(cmd, sizeof(cmd),
	         "cd '%s' && sqlite3 '%s' 'SELECT version, success FROM schema_history ORDER BY "
	         "installed_rank' 2>/dev/null || echo none",
	         dir, rel);
	p = popen(cmd, "r");
	assert_non_null(p);
	n = fread(buf, 1, sizeof(buf) - 1, p);
	buf[n] = '\0';
	pclose(p);
	return strdup(buf);
}

/* Runs sql on the SQLite file dir/rel with the sqlite3 shell; fails the test when it fails. */
static void run_sql(const char *dir, const char *rel, const char *sql)
{
	char cmd[2048];

	snprintf(cmd, sizeof(cmd), "cd '%s' && sqlite3 '%s' '%s'", dir, rel, sql);
	assert_int_equal(system(cmd), 0);
}

static void assert_history(const char *dir, const char *rel, const char *want)
{
	char *got = history(dir, rel);

	if (strcmp(got, want) != 0)
		fail_msg("%s: history '%s', want '%s'", rel, got, want);
	free(got);
}

/* Three steps; V2 inserts into ${src}, which a target's placeholder may break. */
static void write_project(const char *dir, const char *targets)
{
	char yml[2048];

	dbm_test_write(dir, "migrations/V1__a.sql", "CREATE TABLE a (id INT);\n");
	dbm_test_write(dir, "migrations/V2__fill.sql", "INSERT INTO ${src} VALUES (1);\n");
	dbm_test_write(dir, "migrations/V3__c.sql", "CREATE TABLE c (id INT);\n");
	snprintf(yml, sizeof(yml), "placeholders: { src: a }\nlock_timeout: 1\ntargets:\n%s",
	         targets);
	dbm_test_write(dir, "dbmigrate.yml", yml);
}

static const char *const BAD_FIRST = "  - { name: bad, url: \"sqlite:bad.db\", placeholders: { "
                                     "src: nosuch } }\n"
                                     "  - { name: one, url: \"sqlite:one.db\" }\n"
                                     "  - { name: two, url: \"sqlite:two.db\" }\n";

static void test_fleet__a_failure_stops_scheduling(void **state)
{
	struct dbm_test_project *p = *state;
	struct dbm_test_result r;

	write_project(p->dir, BAD_FIRST);
	dbm_test_project_run(p, &r, "migrate", "-j", "1", NULL);
	assert_int_equal(r.status, 1);
	assert_true(dbm_test_contains(r.out, "bad  1 -> 1  applied 1") ||
	            dbm_test_contains(r.out, "bad  << empty >> -> 1  applied 1"));
	assert_true(dbm_test_contains(r.out, "1 failed, 2 not run; exit 1"));
	assert_true(dbm_test_contains(r.err, "bad: dbmigrate: migrations/V2__fill.sql:1: error:"));
	assert_true(dbm_test_contains(r.err, "2 targets were not run"));
	dbm_test_result_free(&r);
	/* where a single run leaves bad: V1 applied, V2 rolled back with its row */
	assert_history(p->dir, "bad.db", "1|1\n");
	assert_history(p->dir, "one.db", "none\n");

	/* --continue-on-error: the others go on */
	dbm_test_project_run(p, &r, "migrate", "-j1", "--continue-on-error", NULL);
	dbm_test_expect_out(&r, 1, "one  << empty >> -> 3  applied 3", "2 ok, 1 failed; exit 1",
	                    NULL);
	dbm_test_result_free(&r);
	assert_history(p->dir, "two.db", "1|1\n2|1\n3|1\n");
}

static void test_fleet__canary_stops_everything(void **state)
{
	struct dbm_test_project *p = *state;
	struct dbm_test_result r;

	write_project(p->dir, BAD_FIRST);
	dbm_test_project_run(p, &r, "migrate", "--canary", "1", "-j", "4", "--continue-on-error",
	                     NULL);
	dbm_test_expect_out(&r, 1, "1 failed, 2 not run", NULL);
	assert_true(dbm_test_contains(r.err, "a canary failed"));
	dbm_test_result_free(&r);
	assert_history(p->dir, "one.db", "none\n");
	assert_history(p->dir, "two.db", "none\n");

	/* a passing canary lets the rest run: the bad one last now */
	write_project(p->dir, "  - { name: one, url: \"sqlite:one.db\" }\n"
	                      "  - { name: two, url: \"sqlite:two.db\" }\n"
	                      "  - { name: bad, url: \"sqlite:bad.db\", placeholders: { src: "
	                      "nosuch } }\n");
	dbm_test_project_run(p, &r, "migrate", "--canary", "1", NULL);
	dbm_test_expect_out(&r, 1, "2 ok, 1 failed; exit 1", NULL);
	dbm_test_result_free(&r);
	assert_history(p->dir, "two.db", "1|1\n2|1\n3|1\n");
}

static void test_fleet__locked_target_and_second_run_converges(void **state)
{
	struct dbm_test_project *p = *state;
	struct dbm_test_result r;
	char path[1024];
	int fd;

	write_project(p->dir, "  - \"sqlite:t/*.db\"\n");
	dbm_test_write(p->dir, "t/a.db", "");
	dbm_test_write(p->dir, "t/b.db", "");
	dbm_test_write(p->dir, "t/c.db", "");
	/* c is up to date, b is locked by another process */
	dbm_test_project_run(p, &r, "migrate", "--targets", "t/c.db", NULL);
	assert_int_equal(r.status, 0);
	dbm_test_result_free(&r);
	snprintf(path, sizeof(path), "%s/t/b.db.lock", p->dir);
	fd = open(path, O_RDWR | O_CREAT, 0644);
	assert_true(fd >= 0);
	assert_int_equal(flock(fd, LOCK_EX | LOCK_NB), 0);
	dbm_test_project_run(p, &r, "migrate", NULL);
	dbm_test_expect_out(&r, 4, "t/a.db  << empty >> -> 3  applied 3", "locked (exit 4)",
	                    "t/c.db  3 -> 3  applied 0", "up to date", NULL);
	dbm_test_result_free(&r);
	assert_history(p->dir, "t/b.db", "none\n");

	/* the matrix shows who is behind */
	dbm_test_project_run(p, &r, "info", NULL);
	dbm_test_expect_out(&r, 0, "t/b.db  at << empty >>, 3 pending, 0 failed",
	                    "t/a.db  at 3, 0 pending, 0 failed", NULL);
	dbm_test_result_free(&r);

	close(fd);
	dbm_test_project_run(p, &r, "migrate", NULL);
	dbm_test_expect_out(&r, 0, "1 ok, 2 up to date; exit 0", NULL);
	dbm_test_result_free(&r);
	assert_history(p->dir, "t/b.db", "1|1\n2|1\n3|1\n");

	/* a table made by hand on one target shows in the matrix as schema drift */
	run_sql(p->dir, "t/c.db", "CREATE TABLE by_hand (x INT);");
	dbm_test_project_run(p, &r, "info", NULL);
	dbm_test_expect_out(&r, 0, "t/a.db  at 3, 0 pending, 0 failed, no schema drift", NULL);
	assert_true(
	    dbm_test_contains(r.out, "t/c.db  at 3, 0 pending, 0 failed, schema drift: 1 object"));
	assert_true(dbm_test_contains(r.out, "Drift"));
	dbm_test_result_free(&r);
}

static void test_fleet__json_targets_and_no_password(void **state)
{
	struct dbm_test_project *p = *state;
	struct dbm_test_result r;

	write_project(p->dir, "  - { name: one, url: \"sqlite:one.db\" }\n"
	                      "  - \"postgres://deploy:s3cr3t-pw@127.0.0.1:1/tenant\"\n");
	dbm_test_project_run(p, &r, "migrate", "--json", "--continue-on-error", NULL);
	dbm_test_expect_out(&r, 1, "\"targets\": [", "\"target\": \"one\"",
	                    "\"target\": \"tenant\"", "\"migrationsExecuted\": 3",
	                    "\"exitCode\": 1", NULL);
	if (dbm_test_contains(r.out, "s3cr3t") || dbm_test_contains(r.err, "s3cr3t"))
		fail_msg("the password was printed:\n%s\n%s", r.out, r.err);
	dbm_test_result_free(&r);
	dbm_test_project_run(p, &r, "info", "--verbose", NULL);
	if (dbm_test_contains(r.out, "s3cr3t") || dbm_test_contains(r.err, "s3cr3t"))
		fail_msg("the password was printed:\n%s\n%s", r.out, r.err);
	dbm_test_result_free(&r);
}

static void test_fleet__targets_file_and_bad_selections(void **state)
{
	struct dbm_test_project *p = *state;
	struct dbm_test_result r;

	write_project(p->dir, "  - { name: one, url: \"sqlite:one.db\" }\n");
	dbm_test_write(p->dir, "fleet.txt", "# tenants\nsqlite:x.db\n\n  sqlite:y.db  # second\n");
	dbm_test_project_run(p, &r, "migrate", "--targets-file", "fleet.txt", NULL);
	dbm_test_expect_out(&r, 0, "x.db  << empty >> -> 3", "y.db  << empty >> -> 3", NULL);
	assert_false(dbm_test_contains(r.out, "one"));
	dbm_test_result_free(&r);

	dbm_test_project_run(p, &r, "migrate", "--targets", "nope", NULL);
	assert_int_equal(r.status, 2);
	assert_true(dbm_test_contains(r.err, "--targets: no target is called 'nope'"));
	assert_true(dbm_test_contains(r.err, "The targets are: one."));
	dbm_test_result_free(&r);

	dbm_test_project_run(p, &r, "migrate", "--targets-file", "missing.txt", NULL);
	assert_int_equal(r.status, 2);
	assert_true(dbm_test_contains(r.err, "cannot open targets file 'missing.txt'"));
	dbm_test_result_free(&r);

	write_project(p->dir, "  - \"sqlite:none/*.db\"\n");
	dbm_test_project_run(p, &r, "info", NULL);
	assert_int_equal(r.status, 2);
	assert_true(dbm_test_contains(r.err, "dbmigrate.yml:4: error: targets: 'sqlite:none/*.db' "
	                                     "matches no file"));
	dbm_test_result_free(&r);

	write_project(p->dir, "  - { name: one, url: \"sqlite:one.db\", colour: red }\n");
	dbm_test_project_run(p, &r, "info", NULL);
	assert_int_equal(r.status, 2);
	assert_true(
	    dbm_test_contains(r.err, "dbmigrate.yml:4: error: targets: unknown key 'colour'"));
	dbm_test_result_free(&r);

	write_project(p->dir, "");
	dbm_test_project_run(p, &r, "migrate", "--targets", "one", NULL);
	assert_int_equal(r.status, 2);
	assert_true(dbm_test_contains(r.err, "error: the fleet has no targets"));
	dbm_test_result_free(&r);

	write_project(p->dir, "  - { name: one, url: \"sqlite:one.db\" }\n");
	dbm_test_project_run(p, &r, "migrate", "-j", "0", NULL);
	assert_int_equal(r.status, 2);
	assert_true(
	    dbm_test_contains(r.err, "error: jobs: expected a whole number above 0, got 0"));
	dbm_test_result_free(&r);
}

/* rollback, validate and a dry run over a fleet. */
static void test_fleet__rollback_validate_and_dry_run(void **state)
{
	struct dbm_test_project *p = *state;
	struct dbm_test_result r;

	write_project(p->dir, "  - { name: one, url: \"sqlite:one.db\" }\n"
	                      "  - { name: two, url: \"sqlite:two.db\" }\n");
	dbm_test_write(p->dir, "rollback/U3__c.sql", "DROP TABLE c;\n");
	dbm_test_project_run(p, &r, "migrate", "--dry-run", NULL);
	dbm_test_expect_out(&r, 0, "one: CREATE TABLE a (id INT);", "two: CREATE TABLE c (id INT);",
	                    NULL);
	dbm_test_result_free(&r);
	assert_history(p->dir, "one.db", "none\n");
	dbm_test_project_run(p, &r, "migrate", NULL);
	assert_int_equal(r.status, 0);
	dbm_test_result_free(&r);
	dbm_test_project_run(p, &r, "rollback", NULL);
	dbm_test_expect_out(&r, 0, "one  from 3  undone 1", NULL);
	dbm_test_result_free(&r);
	assert_history(p->dir, "two.db", "1|1\n2|1\n3|1\n3|1\n");
	dbm_test_write(p->dir, "migrations/V1__a.sql", "CREATE TABLE a (id INT, x INT);\n");
	dbm_test_project_run(p, &r, "validate", "--targets", "two", NULL);
	dbm_test_expect_out(&r, 3, "two  ", "invalid (exit 3)", NULL);
	assert_false(dbm_test_contains(r.out, "one  "));
	dbm_test_result_free(&r);
}

/*
 * Workers that die (kill -9 after the second history row, before its commit, through a
 * failpoint): reported as crashed with their exit code, each target left at V1 as a single
 * run that died there would leave it, and the next run converges.
 */
static void test_fleet__crashed_workers_and_the_next_run(void **state)
{
	struct dbm_test_project *p = *state;
	struct dbm_test_result r;
	const char *env[] = {"DBM_FAILPOINT=after_history:2", NULL};
	const char *argv[] = {"migrate", "-j", "2", NULL};

	write_project(p->dir, "  - { name: one, url: \"sqlite:one.db\" }\n"
	                      "  - { name: two, url: \"sqlite:two.db\" }\n");
	dbm_test_run(p->dir, env, argv, &r);
	if (r.status != 137) {
		dbm_test_result_free(&r);
		print_message("skipped: the binary was built without -DDBM_FAILPOINTS=ON\n");
		skip();
	}
	assert_true(dbm_test_contains(r.out, "one  << empty >> -> 1  applied 1"));
	assert_true(dbm_test_contains(r.out, "crashed (exit 137)"));
	assert_true(dbm_test_contains(r.out, "2 crashed; exit 137"));
	dbm_test_result_free(&r);
	assert_history(p->dir, "one.db", "1|1\n");
	assert_history(p->dir, "two.db", "1|1\n");
	dbm_test_project_run(p, &r, "migrate", NULL);
	dbm_test_expect_out(&r, 0, "one  1 -> 3  applied 2", NULL);
	dbm_test_result_free(&r);
	assert_history(p->dir, "two.db", "1|1\n2|1\n3|1\n");
}

#define T(f) cmocka_unit_test_setup_teardown(f, dbm_test_project_setup, dbm_test_project_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
	    T(test_fleet__a_failure_stops_scheduling),
	    T(test_fleet__canary_stops_everything),
	    T(test_fleet__locked_target_and_second_run_converges),
	    T(test_fleet__json_targets_and_no_password),
	    T(test_fleet__targets_file_and_bad_selections),
	    T(test_fleet__rollback_validate_and_dry_run),
	    T(test_fleet__crashed_workers_and_the_next_run),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
