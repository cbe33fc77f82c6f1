/*
 * test_faults.c - faults from outside while dbmigrate runs: the server
 * drops the connection in the middle of a migration, and memory runs out
 * at every allocation of a whole run.
 *
 * PostgreSQL (DBM_TEST_PG_URL): pg_terminate_backend() of dbmigrate's own
 * backend while it sleeps inside a migration. The run exits 1 naming the
 * file, the migration's transaction is gone with its history row, and the
 * next run applies it. MariaDB (DBM_TEST_MYSQL_URL): KILL CONNECTION; DDL
 * has committed already, so a failed row stays and the error says which
 * statements are applied; 'repair' then 'migrate' converge.
 *
 * Out of memory (a DBM_FAILPOINTS build of the binary): migrate of the
 * sample in migrations/ on SQLite with DBM_FAIL_ALLOC=n for every n up to
 * the first run that no failure reaches. Each run exits 0 or 1 with "out
 * of memory", never crashes (and under AddressSanitizer never leaks), and
 * a run without injection then converges to the full schema.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
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

/* Rows of sql through connection c as "a|b\n"; "<error: ...>" when it fails. Caller frees. */
static char *faults_query_on(struct dbm_conn *c, const char *sql)
{
	struct dbm_buf b = DBM_BUF_INIT;

	if (c->driver->query(c, sql, dbm_testdb_collect, &b) != 0) {
		dbm_buf_clear(&b);
		dbm_buf_addf(&b, "<error: %s>", dbm_error_last()->message);
	}
	if (!b.ptr)
		dbm_buf_adds(&b, "");
	return dbm_buf_detach(&b);
}

static void faults_run(struct dbm_testdb *t, struct dbm_test_result *r, ...)
{
	const char *argv[32];
	va_list ap;
	int n = 0;

	argv[n++] = "--url";
	argv[n++] = t->url;
	va_start(ap, r);
	while (n < 31 && (argv[n] = va_arg(ap, const char *)) != NULL)
		n++;
	va_end(ap);
	argv[n] = NULL;
	dbm_test_run(t->dir, NULL, argv, r);
}

static void faults_sleep_ms(int ms)
{
	struct timespec ts;

	ts.tv_sec = ms / 1000;
	ts.tv_nsec = (long)(ms % 1000) * 1000000L;
	nanosleep(&ts, NULL);
}

/*
 * Waits (up to 20 s) for a backend of dbmigrate to run the query that
 * find_sql finds, then kills it with kill_fmt (one %s: the id find_sql
 * returned). Fails when none shows up.
 */
static void faults_kill_when_seen(struct dbm_testdb *t, const char *find_sql, const char *kill_fmt)
{
	int i;

	for (i = 0; i < 400; i++) {
		char *id = faults_query_on(t->admin, find_sql);

		if (id[0] && id[0] != '<') {
			char sql[256];

			id[strcspn(id, "\n")] = '\0';
			snprintf(sql, sizeof(sql), kill_fmt, id);
			dbm_testdb_exec(t->admin, sql);
			dbm_free(id);
			return;
		}
		dbm_free(id);
		faults_sleep_ms(50);
	}
	fail_msg("dbmigrate's backend never ran the statement: %s", find_sql);
}

/*
 * Runs migrate on t's database in the background, kills its backend once
 * find_sql finds it running (see faults_kill_when_seen) and waits for the
 * run. Returns what the run wrote to stderr (caller frees with free()) and
 * its exit code in *status; fails the test when stderr cannot be read.
 */
static char *faults_migrate_killed(struct dbm_testdb *t, const char *find_sql, const char *kill_fmt,
                                   int *status)
{
	const char *argv[] = {"--url", t->url, "migrate", NULL};
	char out[4200], err[4200];
	char *msg;
	int pid;

	snprintf(out, sizeof(out), "%s/run.out", t->dir);
	snprintf(err, sizeof(err), "%s/run.err", t->dir);
	pid = dbm_test_spawn(t->dir, NULL, argv, out, err);
	faults_kill_when_seen(t, find_sql, kill_fmt);
	*status = dbm_test_wait(pid);
	msg = dbm_test_read(err);
	assert_non_null(msg);
	return msg;
}

static void test_faults__pgsql_connection_terminated_mid_migration(void **state)
{
	struct dbm_testdb *t = dbm_testdb_state(state, "DBM_TEST_PG_URL");
	struct dbm_test_result r;
	char find[512];
	int status;
	char *msg;

	dbm_test_write(t->dir, "migrations/V1__first.sql",
	               "CREATE TABLE first (id INT);\nINSERT INTO first VALUES (1);\n");
	dbm_test_write(t->dir, "migrations/V2__slow.sql",
	               "CREATE TABLE slow (id INT);\nINSERT INTO slow VALUES (1);\n"
	               "SELECT pg_sleep(1.5);\nINSERT INTO slow VALUES (2);\n");
	snprintf(find, sizeof(find),
	         "SELECT pid FROM pg_stat_activity WHERE application_name = 'dbmigrate' AND "
	         "datname = '%s' AND state = 'active' AND query LIKE '%%pg_sleep%%'",
	         t->name);
	msg = faults_migrate_killed(t, find, "SELECT pg_terminate_backend(%s)", &status);
	if (status != 1 || !dbm_test_contains(msg, "dbmigrate: migrations/V2__slow.sql:3: error: "))
		fail_msg("want exit 1 naming migrations/V2__slow.sql:3, got %d:\n%s", status, msg);
	free(msg);
	/* nothing of V2 remains, and no history row for it */
	dbm_testdb_assert_rows(t->db,
	                       "SELECT version, success FROM schema_history "
	                       "ORDER BY installed_rank",
	                       "1|t\n");
	dbm_testdb_assert_rows(t->db,
	                       "SELECT COUNT(*) FROM information_schema.tables WHERE table_name = "
	                       "'slow'",
	                       "0\n");
	faults_run(t, &r, "migrate", NULL);
	if (r.status != 0)
		fail_msg("the next migrate exited %d:\n%s", r.status, r.err);
	assert_true(dbm_test_contains(r.out, "Applied 1 migration, now at version 2"));
	dbm_test_result_free(&r);
	dbm_testdb_assert_rows(t->db,
	                       "SELECT version, success FROM schema_history "
	                       "ORDER BY installed_rank",
	                       "1|t\n2|t\n");
	dbm_testdb_assert_rows(t->db, "SELECT COUNT(*) FROM slow", "2\n");
}

static void test_faults__mysql_connection_killed_mid_migration(void **state)
{
	struct dbm_testdb *t = dbm_testdb_state(state, "DBM_TEST_MYSQL_URL");
	struct dbm_test_result r;
	char find[512];
	int status;
	char *msg;

	dbm_test_write(t->dir, "migrations/V1__first.sql",
	               "CREATE TABLE first (id INT);\nINSERT INTO first VALUES (1);\n");
	/* idempotent, as a file that may run again after a crash on MySQL must be */
	dbm_test_write(t->dir, "migrations/V2__slow.sql",
	               "CREATE TABLE IF NOT EXISTS slow (id INT PRIMARY KEY);\n"
	               "INSERT IGNORE INTO slow VALUES (1);\nSELECT SLEEP(1.5);\n"
	               "INSERT IGNORE INTO slow VALUES (2);\n");
	snprintf(find, sizeof(find),
	         "SELECT id FROM information_schema.processlist WHERE db = '%s' AND "
	         "info LIKE 'SELECT SLEEP%%'",
	         t->name);
	msg = faults_migrate_killed(t, find, "KILL CONNECTION %s", &status);
	if (status != 1 ||
	    !dbm_test_contains(msg, "dbmigrate: migrations/V2__slow.sql:3: error: ") ||
	    !dbm_test_contains(msg, "statement 3 of 4 failed, statements 1 to 2 are applied"))
		fail_msg("want exit 1 naming migrations/V2__slow.sql:3 and what is applied, got "
		         "%d:\n%s",
		         status, msg);
	free(msg);
	/* the damage is on record: a failed row for V2, its first statements applied */
	dbm_testdb_assert_rows(t->db,
	                       "SELECT version, success FROM schema_history "
	                       "ORDER BY installed_rank",
	                       "1|1\n2|0\n");
	dbm_testdb_assert_rows(t->db, "SELECT COUNT(*) FROM slow", "1\n");
	/* the documented recovery: migrate refuses, repair, migrate */
	faults_run(t, &r, "migrate", NULL);
	assert_int_equal(r.status, 3);
	assert_true(dbm_test_contains(r.err, "V2__slow.sql"));
	assert_true(dbm_test_contains(r.err, "repair"));
	dbm_test_result_free(&r);
	faults_run(t, &r, "repair", NULL);
	assert_int_equal(r.status, 0);
	dbm_test_result_free(&r);
	faults_run(t, &r, "migrate", NULL);
	if (r.status != 0)
		fail_msg("migrate after repair exited %d:\n%s", r.status, r.err);
	dbm_test_result_free(&r);
	dbm_testdb_assert_rows(t->db,
	                       "SELECT version, success FROM schema_history "
	                       "ORDER BY installed_rank",
	                       "1|1\n2|1\n");
	dbm_testdb_assert_rows(t->db, "SELECT COUNT(*) FROM slow", "2\n");
}

/* The sorted names of tables, indexes, views and triggers, and the history, of a SQLite file. */
static char *faults_sqlite_shape(const char *dir, const char *db)
{
	char url[4200];
	struct dbm_conn *c;
	struct dbm_buf b = DBM_BUF_INIT;
	char *part;

	snprintf(url, sizeof(url), "sqlite://%s/%s", dir, db);
	c = dbm_testdb_connect(url);
	part = faults_query_on(c, "SELECT type, name FROM sqlite_master WHERE name NOT LIKE "
	                          "'sqlite_%' ORDER BY type, name");
	dbm_buf_adds(&b, part);
	dbm_free(part);
	part = faults_query_on(c, "SELECT installed_rank, version, description, type, script, "
	                          "checksum, success FROM schema_history ORDER BY installed_rank");
	dbm_buf_adds(&b, part);
	dbm_free(part);
	c->driver->disconnect(c);
	return dbm_buf_detach(&b);
}

static void faults_copy_dir(const char *from, const char *to)
{
	char cmd[8400];

	snprintf(cmd, sizeof(cmd), "cp -R '%s' '%s'", from, to);
	assert_int_equal(system(cmd), 0);
}

static void test_faults__out_of_memory_at_every_allocation(void **state)
{
	struct dbm_test_project *t = *state;
	struct dbm_test_result r;
	char *want, *got;
	unsigned n;
	int done = 0;

	faults_copy_dir(DBM_TEST_SOURCE_DIR "/migrations", t->dir);
	faults_copy_dir(DBM_TEST_SOURCE_DIR "/rollback", t->dir);
	{
		const char *argv[] = {"--url", "sqlite:want.db", "migrate", NULL};

		dbm_test_run(t->dir, NULL, argv, &r);
		assert_int_equal(r.status, 0);
		dbm_test_result_free(&r);
	}
	want = faults_sqlite_shape(t->dir, "want.db");
	for (n = 1; !done && n < 100000; n++) {
		char url[64], env0[64], path[4200];
		const char *env[] = {env0, NULL};
		const char *argv[] = {"--url", url, "migrate", NULL};

		snprintf(url, sizeof(url), "sqlite:oom_%u.db", n);
		snprintf(env0, sizeof(env0), "DBM_FAIL_ALLOC=%u", n);
		dbm_test_run(t->dir, env, argv, &r);
		if (r.status >= 128 || dbm_test_contains(r.err, "Sanitizer"))
			fail_msg("DBM_FAIL_ALLOC=%u: crashed or leaked (exit %d):\n%s", n, r.status,
			         r.err);
		if (r.status == 0) {
			if (n == 1)
				fail_msg(
				    "DBM_FAIL_ALLOC=1 did not fail: a build without failpoints?");
			done = 1;
		} else if (r.status != 1 || !dbm_test_contains(r.err, "out of memory")) {
			fail_msg("DBM_FAIL_ALLOC=%u: want exit 1 with 'out of memory', got %d:\n%s",
			         n, r.status, r.err);
		}
		dbm_test_result_free(&r);
		argv[3] = NULL;
		dbm_test_run(t->dir, NULL, argv, &r);
		if (r.status != 0)
			fail_msg(
			    "after DBM_FAIL_ALLOC=%u: migrate without injection exited %d:\n%s", n,
			    r.status, r.err);
		dbm_test_result_free(&r);
		got = faults_sqlite_shape(t->dir, url + strlen("sqlite:"));
		if (strcmp(got, want) != 0) {
			/* installed_on and execution_time are not in the shape; ranks and rows are
			 */
			fail_msg(
			    "after DBM_FAIL_ALLOC=%u the database differs:\n got: %s\nwant: %s", n,
			    got, want);
		}
		dbm_free(got);
		snprintf(path, sizeof(path), "%s/oom_%u.db", t->dir, n);
		unlink(path);
		snprintf(path, sizeof(path), "%s/oom_%u.db.lock", t->dir, n);
		unlink(path);
	}
	print_message("%u allocation failures swept\n", n - 2);
	dbm_free(want);
	assert_true(done);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_faults__out_of_memory_at_every_allocation,
	                                    dbm_test_project_setup, dbm_test_project_teardown),
	    cmocka_unit_test_setup_teardown(test_faults__pgsql_connection_terminated_mid_migration,
	                                    dbm_testdb_setup_pgsql, dbm_testdb_teardown),
	    cmocka_unit_test_setup_teardown(test_faults__mysql_connection_killed_mid_migration,
	                                    dbm_testdb_setup_mysql, dbm_testdb_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
