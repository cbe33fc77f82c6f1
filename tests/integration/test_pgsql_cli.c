/*
 * test_pgsql_cli.c - the dbmigrate binary against a real PostgreSQL server:
 * what a user sees (exit codes, messages) and what the database ends up
 * with (tables, history rows).
 *
 * The server URL comes from DBM_TEST_PG_URL (tests/servers/pgsql.sh start
 * prints it). Without it the tests are skipped, or fail when
 * DBM_TEST_REQUIRE_SERVERS=1. Each test has its own database and its own
 * temporary folder of migrations.
 */
#include <dirent.h>
#include <setjmp.h>
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
#include "testutil.h"

extern const struct dbm_driver dbm_pgsql_driver;

#define DRV (&dbm_pgsql_driver)

struct pgc {
	char *url; /* the test's own database */
	char dbname[64];
	struct dbm_conn *admin; /* connection to the server URL */
	struct dbm_conn *db;    /* connection to the test's database */
	char *dir;              /* working folder; migrations in dir/migrations */
	char migrations[1024];
};

/* url with its database (the path) replaced by db; caller frees. */
static char *pgc_swap_db(const char *url, const char *db)
{
	const char *p = strstr(url, "://");
	const char *slash, *q;
	char *out;
	size_t n;

	assert_non_null(p);
	slash = strchr(p + 3, '/');
	if (!slash)
		slash = url + strlen(url);
	q = strchr(slash, '?');
	n = (size_t)(slash - url);
	out = malloc(n + strlen(db) + 2 + (q ? strlen(q) : 0));
	assert_non_null(out);
	sprintf(out, "%.*s/%s%s", (int)n, url, db, q ? q : "");
	return out;
}

static struct dbm_conn *pgc_connect(const char *url)
{
	struct dbm_conn_opts o = {0};
	struct dbm_conn *c = NULL;

	o.url = url;
	o.application_name = "dbmigrate-test";
	if (DRV->connect(&o, &c) != 0)
		fail_msg("connect failed: %s", dbm_error_last()->message);
	return c;
}

static void pgc_exec(struct dbm_conn *c, const char *sql)
{
	struct dbm_stmt s = {0};

	s.sql = sql;
	s.len = strlen(sql);
	if (DRV->exec(c, &s) != 0)
		fail_msg("'%s' failed: %s", sql, dbm_error_last()->message);
}

static int pgc_collect(void *ctx, unsigned ncols, const char *const *values)
{
	struct dbm_buf *b = ctx;
	unsigned i;

	for (i = 0; i < ncols; i++) {
		if (i)
			dbm_buf_addc(b, '|');
		dbm_buf_adds(b, values[i] ? values[i] : "NULL");
	}
	dbm_buf_addc(b, '\n');
	return 0;
}

/* Asserts that the rows of sql on the test's database are exactly want. */
static void pgc_assert_rows(struct pgc *t, const char *sql, const char *want)
{
	struct dbm_buf b = DBM_BUF_INIT;

	if (DRV->query(t->db, sql, pgc_collect, &b) != 0)
		fail_msg("'%s' failed: %s", sql, dbm_error_last()->message);
	assert_string_equal(dbm_buf_cstr(&b), want);
	dbm_buf_free(&b);
}

static double pgc_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static int pgc_setup(void **state)
{
	const char *url = getenv("DBM_TEST_PG_URL");
	struct pgc *t;
	char sql[160];
	static unsigned seq;

	*state = NULL;
	if (!url || !*url)
		return 0;
	t = calloc(1, sizeof(*t));
	assert_non_null(t);
	snprintf(t->dbname, sizeof(t->dbname), "dbm_cli_%ld_%u", (long)getpid(), ++seq);
	t->url = pgc_swap_db(url, t->dbname);
	t->admin = pgc_connect(url);
	snprintf(sql, sizeof(sql), "DROP DATABASE IF EXISTS %s WITH (FORCE)", t->dbname);
	pgc_exec(t->admin, sql);
	snprintf(sql, sizeof(sql), "CREATE DATABASE %s", t->dbname);
	pgc_exec(t->admin, sql);
	t->db = pgc_connect(t->url);
	t->dir = dbm_test_tmpdir();
	snprintf(t->migrations, sizeof(t->migrations), "%s/migrations", t->dir);
	*state = t;
	return 0;
}

static int pgc_teardown(void **state)
{
	struct pgc *t = *state;
	struct dbm_stmt s = {0};
	char sql[160];

	if (!t)
		return 0;
	DRV->disconnect(t->db);
	snprintf(sql, sizeof(sql), "DROP DATABASE IF EXISTS %s WITH (FORCE)", t->dbname);
	s.sql = sql;
	s.len = strlen(sql);
	DRV->exec(t->admin, &s);
	DRV->disconnect(t->admin);
	dbm_test_rmtree(t->dir);
	free(t->dir);
	free(t->url);
	free(t);
	return 0;
}

static struct pgc *pgc_state(void **state)
{
	if (!*state) {
		dbm_test_server_url("DBM_TEST_PG_URL");
		skip();
	}
	return *state;
}

/* Runs dbmigrate migrate against the test's database and migrations folder. */
static void pgc_migrate(struct pgc *t, const char *migrations, struct dbm_test_result *r)
{
	const char *argv[] = {"migrate", "--url", t->url, "--migrations", migrations, NULL};

	dbm_test_run(t->dir, NULL, argv, r);
}

/* Number of V*.sql files directly in dir. */
static int pgc_count_versioned(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	assert_non_null(d);
	while ((e = readdir(d)) != NULL) {
		size_t len = strlen(e->d_name);

		if (e->d_name[0] == 'V' && len > 4 && strcmp(e->d_name + len - 4, ".sql") == 0)
			n++;
	}
	closedir(d);
	return n;
}

static void test_pgsql_cli__sample_migrations_apply(void **state)
{
	struct pgc *t = pgc_state(state);
	char sample[1024], want[64];
	struct dbm_test_result r;

	snprintf(sample, sizeof(sample), "%s/migrations", DBM_TEST_SOURCE_DIR);
	pgc_migrate(t, sample, &r);
	if (r.status != 0)
		fail_msg("migrate exited %d: %s", r.status, r.err);
	dbm_test_result_free(&r);
	snprintf(want, sizeof(want), "%d|%d\n", pgc_count_versioned(sample),
	         pgc_count_versioned(sample));
	pgc_assert_rows(t,
	                "SELECT count(*), count(*) FILTER (WHERE success) FROM schema_history "
	                "WHERE type = 'SQL' AND version IS NOT NULL",
	                want);
	/* A second run has nothing to do and changes nothing. */
	pgc_migrate(t, sample, &r);
	assert_int_equal(r.status, 0);
	dbm_test_result_free(&r);
	pgc_assert_rows(t,
	                "SELECT count(*) - count(DISTINCT version) FROM schema_history "
	                "WHERE version IS NOT NULL",
	                "0\n");
}

static void test_pgsql_cli__failing_statement_names_file_line_and_sqlstate(void **state)
{
	struct pgc *t = pgc_state(state);
	struct dbm_test_result r;

	dbm_test_write(t->dir, "migrations/V1__ok.sql", "CREATE TABLE a (id int);\n");
	dbm_test_write(t->dir, "migrations/V2__bad.sql",
	               "CREATE TABLE b (id int);\n"
	               "INSERT INTO b VALUES (1);\n"
	               "\n"
	               "SELECT * FROM nope;\n"
	               "CREATE TABLE c (id int);\n");
	pgc_migrate(t, t->migrations, &r);
	assert_int_equal(r.status, 1);
	if (!dbm_test_contains(r.err, "V2__bad.sql:4") || !dbm_test_contains(r.err, "42P01") ||
	    !dbm_test_contains(r.err, "relation \"nope\" does not exist"))
		fail_msg("unexpected stderr: %s", r.err);
	dbm_test_result_free(&r);
	/* V1 applied; nothing of V2 remains: no table, no history row. */
	pgc_assert_rows(t,
	                "SELECT string_agg(table_name, ',' ORDER BY table_name) FROM "
	                "information_schema.tables WHERE table_schema = 'public' AND table_name IN "
	                "('a', 'b', 'c')",
	                "a\n");
	pgc_assert_rows(t, "SELECT version, success FROM schema_history ORDER BY installed_rank",
	                "1|t\n");
}

static void test_pgsql_cli__create_index_concurrently_runs_outside_a_transaction(void **state)
{
	struct pgc *t = pgc_state(state);
	struct dbm_test_result r;

	dbm_test_write(t->dir, "migrations/V1__t.sql", "CREATE TABLE t (id int);\n");
	dbm_test_write(t->dir, "migrations/V2__idx.sql",
	               "ALTER TABLE t ADD COLUMN v text;\n"
	               "CREATE INDEX CONCURRENTLY t_v ON t (v);\n");
	pgc_migrate(t, t->migrations, &r);
	if (r.status != 0)
		fail_msg("migrate exited %d: %s", r.status, r.err);
	if (!dbm_test_contains(r.err, "warning") ||
	    !dbm_test_contains(r.err, "cannot run in a transaction"))
		fail_msg("no warning in stderr: %s", r.err);
	dbm_test_result_free(&r);
	pgc_assert_rows(t, "SELECT indexname FROM pg_indexes WHERE tablename = 't'", "t_v\n");
	pgc_assert_rows(t, "SELECT version, success FROM schema_history ORDER BY installed_rank",
	                "1|t\n2|t\n");
}

static void test_pgsql_cli__second_runner_times_out_on_the_lock(void **state)
{
	struct pgc *t = pgc_state(state);
	const char *slow[] = {"migrate", "--url", t->url, "--migrations", t->migrations, NULL};
	const char *quick[] = {"migrate",     "--url",          t->url, "--migrations",
	                       t->migrations, "--lock-timeout", "2",    NULL};
	char out1[1100], err1[1100], out2[1100], err2[1100];
	char *err;
	double t0, waited;
	int a, b, i, held = 0;

	dbm_test_write(t->dir, "migrations/V1__slow.sql", "SELECT pg_sleep(5);\n");
	snprintf(out1, sizeof(out1), "%s/a.out", t->dir);
	snprintf(err1, sizeof(err1), "%s/a.err", t->dir);
	snprintf(out2, sizeof(out2), "%s/b.out", t->dir);
	snprintf(err2, sizeof(err2), "%s/b.err", t->dir);
	a = dbm_test_spawn(t->dir, NULL, slow, out1, err1);
	/* Wait until the first runner holds the lock. */
	for (i = 0; i < 100 && !held; i++) {
		struct dbm_buf rows = DBM_BUF_INIT;

		nanosleep(&(struct timespec){0, 50 * 1000 * 1000L}, NULL);
		assert_int_equal(DRV->query(t->db,
		                            "SELECT count(*) FROM pg_locks WHERE locktype = "
		                            "'advisory' AND granted",
		                            pgc_collect, &rows),
		                 0);
		held = strcmp(dbm_buf_cstr(&rows), "1\n") == 0;
		dbm_buf_free(&rows);
	}
	assert_true(held);
	t0 = pgc_now();
	b = dbm_test_spawn(t->dir, NULL, quick, out2, err2);
	assert_int_equal(dbm_test_wait(b), 4);
	waited = pgc_now() - t0;
	if (waited < 1.8 || waited > 4.5)
		fail_msg("the second runner waited %.1f s, not about 2 s", waited);
	err = dbm_test_read(err2);
	assert_non_null(err);
	if (!dbm_test_contains(err, "lock held by pid") ||
	    !dbm_test_contains(err, "application 'dbmigrate'"))
		fail_msg("unexpected stderr: %s", err);
	free(err);
	assert_int_equal(dbm_test_wait(a), 0);
	pgc_assert_rows(t, "SELECT version, success FROM schema_history ORDER BY installed_rank",
	                "1|t\n");
}

static void test_pgsql_cli__six_runners_apply_each_migration_once(void **state)
{
	struct pgc *t = pgc_state(state);
	const char *argv[] = {"migrate", "--url", t->url, "--migrations", t->migrations, NULL};
	char out[6][1100], err[6][1100];
	int pid[6], i, status;

	dbm_test_write(t->dir, "migrations/V1__users.sql", "CREATE TABLE users (id int);\n");
	dbm_test_write(t->dir, "migrations/V2__slow.sql",
	               "SELECT pg_sleep(0.5);\nINSERT INTO users VALUES (1);\n");
	dbm_test_write(t->dir, "migrations/V3__more.sql", "INSERT INTO users VALUES (2);\n");
	dbm_test_write(t->dir, "migrations/R__view.sql",
	               "CREATE OR REPLACE VIEW v_users AS SELECT id FROM users;\n");
	for (i = 0; i < 6; i++) {
		snprintf(out[i], sizeof(out[i]), "%s/%d.out", t->dir, i);
		snprintf(err[i], sizeof(err[i]), "%s/%d.err", t->dir, i);
		pid[i] = dbm_test_spawn(t->dir, NULL, argv, out[i], err[i]);
	}
	for (i = 0; i < 6; i++) {
		status = dbm_test_wait(pid[i]);
		if (status != 0) {
			char *e = dbm_test_read(err[i]);

			fail_msg("runner %d exited %d: %s", i, status, e ? e : "");
		}
	}
	pgc_assert_rows(t,
	                "SELECT coalesce(version, 'R'), count(*) FROM schema_history "
	                "GROUP BY version ORDER BY version",
	                "1|1\n2|1\n3|1\nR|1\n");
	pgc_assert_rows(t, "SELECT id FROM users ORDER BY id", "1\n2\n");
}

static void test_pgsql_cli__enum_value_added_and_used_in_one_file(void **state)
{
	struct pgc *t = pgc_state(state);
	struct dbm_test_result r;

	dbm_test_write(t->dir, "migrations/V1__mood.sql",
	               "CREATE TYPE mood AS ENUM ('sad');\nCREATE TABLE p (m mood);\n");
	dbm_test_write(t->dir, "migrations/V2__happy.sql",
	               "ALTER TYPE mood ADD VALUE 'happy';\n"
	               "INSERT INTO p VALUES ('happy');\n");
	pgc_migrate(t, t->migrations, &r);
	if (r.status != 0)
		fail_msg("migrate exited %d: %s", r.status, r.err);
	if (!dbm_test_contains(r.err, "V2__happy.sql:2") ||
	    !dbm_test_contains(r.err, "runs again from the start"))
		fail_msg("no warning in stderr: %s", r.err);
	dbm_test_result_free(&r);
	pgc_assert_rows(t, "SELECT m FROM p", "happy\n");
	pgc_assert_rows(t, "SELECT installed_rank, version, success FROM schema_history ORDER BY 1",
	                "1|1|t\n2|2|t\n");
}

#define PGC(f) cmocka_unit_test_setup_teardown(f, pgc_setup, pgc_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
	    PGC(test_pgsql_cli__sample_migrations_apply),
	    PGC(test_pgsql_cli__failing_statement_names_file_line_and_sqlstate),
	    PGC(test_pgsql_cli__create_index_concurrently_runs_outside_a_transaction),
	    PGC(test_pgsql_cli__enum_value_added_and_used_in_one_file),
	    PGC(test_pgsql_cli__second_runner_times_out_on_the_lock),
	    PGC(test_pgsql_cli__six_runners_apply_each_migration_once),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
