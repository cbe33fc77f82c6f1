/*
 * test_fleet_servers.c - fleets of real PostgreSQL and MariaDB databases:
 * one target made to fail part-way (a per-target placeholder breaks its
 * V2), one whose runner lock another process holds, one already up to
 * date, one fresh. Each ends where a single run leaves it (compared with a
 * control database that a single 'dbmigrate migrate' ran on), the report
 * lines and the exit code say which is which, and repair then migrate
 * again converge. info prints the matrix; --json gives targets[]. The
 * rollout controls on both servers: a failing canary starts nothing else,
 * --continue-on-error migrates every other target; SIGTERM stops a fleet
 * on either server as it stops a single run.
 */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <cmocka.h>

#include "dbmigrate/common.h"
#include "dbmigrate/driver.h"
#include "dbtest.h"
#include "testutil.h"

#define HISTORY "SELECT version, success FROM schema_history ORDER BY installed_rank"

/* The line of out that starts with name followed by two spaces; fails the test when none. */
static char *fleet_line(const char *out, const char *name)
{
	char want[64];
	const char *p = out;
	size_t n;

	n = (size_t)snprintf(want, sizeof(want), "%s  ", name);
	while (p && *p) {
		size_t len = strcspn(p, "\n");

		if (len >= n && strncmp(p, want, n) == 0) {
			char *line = malloc(len + 1);

			assert_non_null(line);
			memcpy(line, p, len);
			line[len] = '\0';
			return line;
		}
		p += len;
		if (*p)
			p++;
	}
	fail_msg("no report line for %s in:\n%s", name, out);
	return NULL;
}

/* Fails the test unless the report line of name contains every one of the texts (NULL-ended). */
static void assert_line(const char *out, const char *name, ...)
{
	char *line = fleet_line(out, name);
	const char *want;
	va_list ap;

	va_start(ap, name);
	while ((want = va_arg(ap, const char *)) != NULL)
		if (!dbm_test_contains(line, want))
			fail_msg("the line of %s lacks '%s': %s", name, want, line);
	va_end(ap);
	free(line);
}

/* The config holds the server's password: readable by its owner only, as dbmigrate asks. */
static void chmod_private(const char *dir)
{
	char path[1100];

	snprintf(path, sizeof(path), "%s/dbmigrate.yml", dir);
	assert_int_equal(chmod(path, 0600), 0);
}

/* Writes the fleet's config: ok, bad (src: nosuch), locked, uptodate; src of bad given. */
static void write_config(struct dbm_testdb *t, const char *bad_src)
{
	char yml[4096];

	snprintf(yml, sizeof(yml),
	         "placeholders: { src: a }\n"
	         "lock_timeout: 1\n"
	         "targets:\n"
	         "  - { name: ok, url: \"%s\" }\n"
	         "  - name: bad\n"
	         "    url: \"%s\"\n"
	         "    placeholders: { src: %s }\n"
	         "  - { name: locked, url: \"%s\" }\n"
	         "  - { name: uptodate, url: \"%s\" }\n",
	         t->url, t->extra_url[0], bad_src, t->extra_url[1], t->extra_url[2]);
	dbm_test_write(t->dir, "dbmigrate.yml", yml);
}

static void run_fleet(struct dbm_testdb *t)
{
	const char *single[] = {"migrate", "--url",    NULL,         NULL,
	                        NULL,      "--config", "single.yml", NULL};
	const char *fleet[] = {"migrate", "-j", "4", "--continue-on-error", NULL};
	const char *info[] = {"info", NULL};
	const char *json[] = {"migrate", "--json", NULL};
	const char *repair[] = {"repair", NULL};
	const char *only[] = {"migrate", "--targets", "bad,locked", NULL};
	struct dbm_test_result r;
	struct dbm_conn *locked, *c;
	char *want, *got;
	int i;

	for (i = 0; i < 4; i++)
		dbm_testdb_add(t, i == 0 ? "bad" : i == 1 ? "locked" : i == 2 ? "up" : "control");
	dbm_test_write(t->dir, "migrations/V1__a.sql", "CREATE TABLE a (id INT);\n");
	dbm_test_write(t->dir, "migrations/V2__fill.sql",
	               "CREATE TABLE b (id INT);\nINSERT INTO ${src} VALUES (1);\n");
	dbm_test_write(t->dir, "migrations/V3__c.sql", "CREATE TABLE c (id INT);\n");
	write_config(t, "nosuch");
	dbm_test_write(t->dir, "single.yml", "lock_timeout: 1\n");

	/* uptodate: a single run first */
	single[2] = t->extra_url[2];
	single[3] = "--placeholder";
	single[4] = "src=a";
	dbm_test_run(t->dir, NULL, single, &r);
	assert_int_equal(r.status, 0);
	dbm_test_result_free(&r);
	/* control: what a single run does with bad's placeholder */
	single[2] = t->extra_url[3];
	single[4] = "src=nosuch";
	dbm_test_run(t->dir, NULL, single, &r);
	assert_int_equal(r.status, 1);
	dbm_test_result_free(&r);

	/* locked: another process (this one) holds its runner lock */
	locked = dbm_testdb_connect(t->extra_url[1]);
	assert_int_equal(locked->driver->lock(locked, locked->schema, "schema_history", 1), 0);

	dbm_test_run(t->dir, NULL, fleet, &r);
	if (r.status != 1)
		fail_msg("exit %d, want 1 (the worst: a failure)\n%s\n%s", r.status, r.out, r.err);
	assert_line(r.out, "ok", "<< empty >> -> 3", "applied 3", " ok", NULL);
	assert_line(r.out, "bad", "failed (exit 1)", NULL);
	assert_line(r.out, "locked", "locked (exit 4)", NULL);
	assert_line(r.out, "uptodate", "3 -> 3", "applied 0", "up to date", NULL);
	assert_true(dbm_test_contains(r.out, "1 ok, 1 up to date, 1 failed, 1 locked"));
	assert_true(dbm_test_contains(r.err, "bad: dbmigrate: migrations/V2__fill.sql:2: error:"));
	assert_true(dbm_test_contains(r.err, "locked: dbmigrate: error:"));
	assert_true(dbm_test_contains(r.err, "dbmigrate: error: 2 of 4 targets did not succeed"));
	dbm_test_result_free(&r);

	/* each where a single run leaves it */
	dbm_testdb_assert_rows(t->db, HISTORY,
	                       t->driver->name[0] == 'p' ? "1|t\n2|t\n3|t\n" : "1|1\n2|1\n3|1\n");
	c = dbm_testdb_connect(t->extra_url[3]);
	want = dbm_testdb_rows(c, HISTORY);
	c->driver->disconnect(c);
	c = dbm_testdb_connect(t->extra_url[0]);
	got = dbm_testdb_rows(c, HISTORY);
	assert_string_equal(got, want);
	dbm_free(got);
	dbm_free(want);
	c->driver->disconnect(c);
	c = dbm_testdb_connect(t->extra_url[1]);
	assert_int_not_equal(dbm_testdb_try(c, "SELECT count(*) FROM schema_history"), 0);
	c->driver->disconnect(c);

	/* --targets runs only those; the default policy: the failure stops the rest */
	dbm_test_run(t->dir, NULL, only, &r);
	assert_int_not_equal(r.status, 0);
	assert_false(dbm_test_contains(r.out, "uptodate"));
	dbm_test_result_free(&r);

	/* the matrix: who is behind */
	dbm_test_run(t->dir, NULL, info, &r);
	assert_int_equal(r.status, 0);
	assert_line(r.out, "ok", "at 3, 0 pending, 0 failed", NULL);
	assert_line(r.out, "uptodate", "at 3, 0 pending", NULL);
	assert_line(r.out, "locked", "at << empty >>, 3 pending", NULL);
	dbm_test_result_free(&r);

	/* the lock is gone and bad is fixed: repair, then migrate again, converges */
	locked->driver->unlock(locked);
	locked->driver->disconnect(locked);
	write_config(t, "a");
	/* MySQL commits DDL at once: its failed V2 left table b, which the user drops */
	c = dbm_testdb_connect(t->extra_url[0]);
	dbm_testdb_exec(c, "DROP TABLE IF EXISTS b");
	c->driver->disconnect(c);
	dbm_test_run(t->dir, NULL, repair, &r);
	if (r.status != 0)
		fail_msg("repair exit %d\n%s\n%s", r.status, r.out, r.err);
	dbm_test_result_free(&r);
	dbm_test_run(t->dir, NULL, json, &r);
	if (r.status != 0)
		fail_msg("exit %d\n%s\n%s", r.status, r.out, r.err);
	assert_true(dbm_test_contains(r.out, "\"targets\": ["));
	assert_int_equal(dbm_test_count(r.out, "\"target\": "), 4);
	assert_int_equal(dbm_test_count(r.out, "\"exitCode\": 0"), 5);
	assert_int_equal(dbm_test_count(r.out, "\"result\": \"up to date\""), 2);
	assert_int_equal(dbm_test_count(r.out, "\"targetSchemaVersion\": \"3\""), 4);
	dbm_test_result_free(&r);
	for (i = 0; i < 3; i++) {
		c = dbm_testdb_connect(t->extra_url[i]);
		dbm_testdb_assert_rows(c, "SELECT count(*) FROM c", "0\n");
		c->driver->disconnect(c);
	}
}

static void test_fleet_servers__pgsql_failed_locked_and_up_to_date(void **state)
{
	run_fleet(dbm_testdb_state(state, "DBM_TEST_PG_URL"));
}

static void test_fleet_servers__mysql_failed_locked_and_up_to_date(void **state)
{
	run_fleet(dbm_testdb_state(state, "DBM_TEST_MYSQL_URL"));
}

/* Schema per tenant: targets that are schema names on the one URL, with a targets file. */
static void test_fleet_servers__pgsql_schema_per_tenant(void **state)
{
	struct dbm_testdb *t = dbm_testdb_state(state, "DBM_TEST_PG_URL");
	const char *argv[] = {"migrate", "--url", t->url, "--targets-file", "tenants.txt", NULL};
	struct dbm_test_result r;

	dbm_test_write(t->dir, "migrations/V1__a.sql", "CREATE TABLE a (id INT);\n");
	dbm_test_write(t->dir, "tenants.txt",
	               "# one schema a tenant\ntenant_1\n\ntenant_2   # the second\ntenant_3\n");
	dbm_test_run(t->dir, NULL, argv, &r);
	if (r.status != 0)
		fail_msg("exit %d\n%s\n%s", r.status, r.out, r.err);
	assert_line(r.out, "tenant_1", "<< empty >> -> 1", "applied 1", NULL);
	assert_line(r.out, "tenant_3", "applied 1", NULL);
	dbm_test_result_free(&r);
	dbm_testdb_assert_rows(t->db,
	                       "SELECT table_schema FROM information_schema.tables WHERE "
	                       "table_name = 'a' ORDER BY 1",
	                       "tenant_1\ntenant_2\ntenant_3\n");
	dbm_testdb_assert_rows(t->db, "SELECT version FROM tenant_2.schema_history", "1\n");
}

/* Schema per tenant on MariaDB: a schema there is a database on the server of the URL. */
static void test_fleet_servers__mysql_schema_per_tenant(void **state)
{
	struct dbm_testdb *t = dbm_testdb_state(state, "DBM_TEST_MYSQL_URL");
	const char *argv[] = {"info", "--json", NULL};
	const char *migrate[] = {"migrate", NULL};
	struct dbm_test_result r;
	char yml[2048], sql[256];

	dbm_testdb_add(t, "t1");
	dbm_testdb_add(t, "t2");
	dbm_test_write(t->dir, "migrations/V1__a.sql", "CREATE TABLE a (id INT);\n");
	snprintf(yml, sizeof(yml), "url: \"%s\"\ntargets: [%s, { name: second, schema: %s }]\n",
	         t->url, t->extra_name[0], t->extra_name[1]);
	dbm_test_write(t->dir, "dbmigrate.yml", yml);
	chmod_private(t->dir);
	dbm_test_run(t->dir, NULL, migrate, &r);
	if (r.status != 0)
		fail_msg("exit %d\n%s\n%s", r.status, r.out, r.err);
	assert_line(r.out, t->extra_name[0], "<< empty >> -> 1", "applied 1", NULL);
	assert_line(r.out, "second", "<< empty >> -> 1", "applied 1", NULL);
	dbm_test_result_free(&r);
	snprintf(sql, sizeof(sql), "SELECT version FROM %s.schema_history", t->extra_name[1]);
	dbm_testdb_assert_rows(t->db, sql, "1\n");
	/* nothing in the URL's own database */
	assert_int_not_equal(dbm_testdb_try(t->db, "SELECT count(*) FROM schema_history"), 0);
	dbm_test_run(t->dir, NULL, argv, &r);
	assert_int_equal(r.status, 0);
	assert_int_equal(dbm_test_count(r.out, "\"schemaVersion\": \"1\""), 2);
	assert_true(dbm_test_contains(r.out, "\"target\": \"second\""));
	assert_false(dbm_test_contains(r.out, "dbm-secret-pw"));
	dbm_test_result_free(&r);
}

/*
 * SIGTERM to a fleet of two targets while the first runs sleep_sql (a
 * statement running_sql counts on the server): exit 143, the running target
 * stops as a single run does and says so, the other is not run.
 */
static void run_sigterm(struct dbm_testdb *t, const char *sleep_sql, const char *running_sql)
{
	const char *argv[] = {"migrate", "-j", "1", NULL};
	char yml[2048], out[1100], err[1100];
	char *text;
	int pid, i, held = 0;

	dbm_testdb_add(t, "second");
	dbm_test_write(t->dir, "migrations/V1__slow.sql", sleep_sql);
	snprintf(yml, sizeof(yml),
	         "targets:\n  - { name: first, url: \"%s\" }\n"
	         "  - { name: second, url: \"%s\" }\n",
	         t->url, t->extra_url[0]);
	dbm_test_write(t->dir, "dbmigrate.yml", yml);
	chmod_private(t->dir);
	snprintf(out, sizeof(out), "%s/fleet.out", t->dir);
	snprintf(err, sizeof(err), "%s/fleet.err", t->dir);
	pid = dbm_test_spawn(t->dir, NULL, argv, out, err);
	for (i = 0; i < 200 && !held; i++) {
		char *rows;

		nanosleep(&(struct timespec){0, 50 * 1000 * 1000L}, NULL);
		rows = dbm_testdb_rows(t->db, running_sql);
		held = strcmp(rows, "1\n") == 0;
		dbm_free(rows);
	}
	if (!held) {
		kill(pid, SIGTERM); /* not left running behind a failed test */
		dbm_test_wait(pid);
		fail_msg("the first target's migration never started");
	}
	kill(pid, SIGTERM);
	assert_int_equal(dbm_test_wait(pid), 143);
	text = dbm_test_read(out);
	assert_non_null(text);
	if (!dbm_test_contains(text, "1 interrupted, 1 not run; exit 143"))
		fail_msg("unexpected report:\n%s", text);
	free(text);
	text = dbm_test_read(err);
	assert_non_null(text);
	if (!dbm_test_contains(text, "first: dbmigrate: migrations/V1__slow.sql:1: error: "
	                             "interrupted by SIGTERM"))
		fail_msg("unexpected stderr:\n%s", text);
	free(text);
}

/* SIGTERM to the fleet: the running target stops as a single run does, the rest are not run. */
static void test_fleet_servers__pgsql_sigterm_stops_the_fleet(void **state)
{
	struct dbm_testdb *t = dbm_testdb_state(state, "DBM_TEST_PG_URL");

	run_sigterm(
	    t, "SELECT pg_sleep(20);\n",
	    "SELECT count(*) FROM pg_stat_activity WHERE query LIKE 'SELECT pg_sleep(20)%'");
	dbm_testdb_assert_rows(t->db, "SELECT count(*) FROM schema_history", "0\n");
}

/* 1 when the database of url has a history table; 0 when it has none. */
static int has_history(const char *url)
{
	struct dbm_conn *c = dbm_testdb_connect(url);
	int r = dbm_testdb_try(c, "SELECT count(*) FROM schema_history") == 0;

	c->driver->disconnect(c);
	return r;
}

/*
 * The rollout controls on a server: bad (first, its V2 broken by a
 * placeholder), one, two. A failing canary starts nothing else, even with
 * --continue-on-error, and leaves one and two untouched; then
 * --continue-on-error with one worker migrates every other target.
 */
static void run_rollout(struct dbm_testdb *t)
{
	const char *canary[] = {"migrate", "--canary", "1", "-j", "4", "--continue-on-error", NULL};
	const char *go_on[] = {"migrate", "-j", "1", "--continue-on-error", NULL};
	const char *ok_rows = t->driver->name[0] == 'p' ? "1|t\n2|t\n3|t\n" : "1|1\n2|1\n3|1\n";
	/* a single run's end: PostgreSQL rolls V2 back with its row, MySQL records it failed */
	const char *bad_rows = t->driver->name[0] == 'p' ? "1|t\n" : "1|1\n2|0\n";
	struct dbm_test_result r;
	struct dbm_conn *c;
	char yml[4096];
	int i;

	dbm_testdb_add(t, "one");
	dbm_testdb_add(t, "two");
	dbm_test_write(t->dir, "migrations/V1__a.sql", "CREATE TABLE a (id INT);\n");
	dbm_test_write(t->dir, "migrations/V2__fill.sql", "INSERT INTO ${src} VALUES (1);\n");
	dbm_test_write(t->dir, "migrations/V3__c.sql", "CREATE TABLE c (id INT);\n");
	snprintf(yml, sizeof(yml),
	         "placeholders: { src: a }\n"
	         "lock_timeout: 1\n"
	         "targets:\n"
	         "  - { name: bad, url: \"%s\", placeholders: { src: nosuch } }\n"
	         "  - { name: one, url: \"%s\" }\n"
	         "  - { name: two, url: \"%s\" }\n",
	         t->url, t->extra_url[0], t->extra_url[1]);
	dbm_test_write(t->dir, "dbmigrate.yml", yml);
	chmod_private(t->dir);

	dbm_test_run(t->dir, NULL, canary, &r);
	if (r.status != 1)
		fail_msg("exit %d, want 1\n%s\n%s", r.status, r.out, r.err);
	assert_line(r.out, "bad", "failed (exit 1)", NULL);
	assert_true(dbm_test_contains(r.out, "1 failed, 2 not run; exit 1"));
	assert_true(dbm_test_contains(r.err, "a canary failed"));
	assert_true(dbm_test_contains(r.err, "bad: dbmigrate: migrations/V2__fill.sql:1: error:"));
	assert_false(dbm_test_contains(r.out, "dbm-secret-pw"));
	assert_false(dbm_test_contains(r.err, "dbm-secret-pw"));
	dbm_test_result_free(&r);
	/* bad: where a single run leaves it; the others: not a table, not a history */
	dbm_testdb_assert_rows(t->db, HISTORY, bad_rows);
	for (i = 0; i < 2; i++) {
		assert_false(has_history(t->extra_url[i]));
		c = dbm_testdb_connect(t->extra_url[i]);
		assert_int_not_equal(dbm_testdb_try(c, "SELECT count(*) FROM a"), 0);
		c->driver->disconnect(c);
	}

	/*
	 * bad still fails first, on MySQL at validation (its failed row wants a
	 * repair: exit 3); one worker goes on to every other target
	 */
	dbm_test_run(t->dir, NULL, go_on, &r);
	{
		int want = t->driver->name[0] == 'p' ? 1 : 3;
		char failed[64], summary[64];

		const char *how = want == 1 ? "failed" : "invalid";

		snprintf(failed, sizeof(failed), "%s (exit %d)", how, want);
		snprintf(summary, sizeof(summary), "2 ok, 1 %s; exit %d", how, want);
		if (r.status != want || !dbm_test_contains(r.out, summary))
			fail_msg("exit %d, want %d\n%s\n%s", r.status, want, r.out, r.err);
		assert_line(r.out, "bad", failed, NULL);
	}
	assert_line(r.out, "one", "<< empty >> -> 3", "applied 3", NULL);
	assert_line(r.out, "two", "<< empty >> -> 3", "applied 3", NULL);
	dbm_test_result_free(&r);
	dbm_testdb_assert_rows(t->db, HISTORY, bad_rows);
	for (i = 0; i < 2; i++) {
		c = dbm_testdb_connect(t->extra_url[i]);
		dbm_testdb_assert_rows(c, HISTORY, ok_rows);
		dbm_testdb_assert_rows(c, "SELECT count(*) FROM a", "1\n");
		c->driver->disconnect(c);
	}
}

static void test_fleet_servers__pgsql_canary_and_continue_on_error(void **state)
{
	run_rollout(dbm_testdb_state(state, "DBM_TEST_PG_URL"));
}

static void test_fleet_servers__mysql_canary_and_continue_on_error(void **state)
{
	run_rollout(dbm_testdb_state(state, "DBM_TEST_MYSQL_URL"));
}

/* SIGTERM to a MariaDB fleet: the running statement is killed, the second target never starts. */
static void test_fleet_servers__mysql_sigterm_stops_the_fleet(void **state)
{
	struct dbm_testdb *t = dbm_testdb_state(state, "DBM_TEST_MYSQL_URL");

	run_sigterm(t, "SELECT SLEEP(20);\n",
	            "SELECT count(*) FROM information_schema.processlist "
	            "WHERE info LIKE 'SELECT SLEEP(20)%'");
	/* the statement was killed on the server, not left to finish */
	dbm_testdb_assert_rows(t->db,
	                       "SELECT count(*) FROM information_schema.processlist WHERE info "
	                       "LIKE 'SELECT SLEEP(20)%'",
	                       "0\n");
	/* as a single run leaves it (reliability.md): V1 recorded as failed, nothing else */
	dbm_testdb_assert_rows(t->db, "SELECT version, success FROM schema_history", "1|0\n");
	assert_false(has_history(t->extra_url[0]));
}

#define PG(f) cmocka_unit_test_setup_teardown(f, dbm_testdb_setup_pgsql, dbm_testdb_teardown)
#define MY(f) cmocka_unit_test_setup_teardown(f, dbm_testdb_setup_mysql, dbm_testdb_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
	    PG(test_fleet_servers__pgsql_failed_locked_and_up_to_date),
	    MY(test_fleet_servers__mysql_failed_locked_and_up_to_date),
	    PG(test_fleet_servers__pgsql_schema_per_tenant),
	    PG(test_fleet_servers__pgsql_sigterm_stops_the_fleet),
	    MY(test_fleet_servers__mysql_schema_per_tenant),
	    PG(test_fleet_servers__pgsql_canary_and_continue_on_error),
	    MY(test_fleet_servers__mysql_canary_and_continue_on_error),
	    MY(test_fleet_servers__mysql_sigterm_stops_the_fleet),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
