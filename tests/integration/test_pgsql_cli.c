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
#include "dbtest.h"
#include "testutil.h"

extern const struct dbm_driver dbm_pgsql_driver;

#define DRV (&dbm_pgsql_driver)

/* The test's database and folder, or skips the test (fails it when servers are required). */
static struct dbm_testdb *pgc_state(void **state)
{
	return dbm_testdb_state(state, "DBM_TEST_PG_URL");
}

/* Runs dbmigrate migrate against the test's database and migrations folder. */
static void pgc_migrate(struct dbm_testdb *t, const char *migrations, struct dbm_test_result *r)
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
	struct dbm_testdb *t = pgc_state(state);
	char sample[1024], want[64];
	struct dbm_test_result r;

	snprintf(sample, sizeof(sample), "%s/migrations", DBM_TEST_SOURCE_DIR);
	pgc_migrate(t, sample, &r);
	if (r.status != 0)
		fail_msg("migrate exited %d: %s", r.status, r.err);
	dbm_test_result_free(&r);
	snprintf(want, sizeof(want), "%d|%d\n", pgc_count_versioned(sample),
	         pgc_count_versioned(sample));
	dbm_testdb_assert_rows(
	    t->db,
	    "SELECT count(*), count(*) FILTER (WHERE success) FROM schema_history "
	    "WHERE type = 'SQL' AND version IS NOT NULL",
	    want);
	/* A second run has nothing to do and changes nothing. */
	pgc_migrate(t, sample, &r);
	assert_int_equal(r.status, 0);
	dbm_test_result_free(&r);
	dbm_testdb_assert_rows(t->db,
	                       "SELECT count(*) - count(DISTINCT version) FROM schema_history "
	                       "WHERE version IS NOT NULL",
	                       "0\n");
}

static void test_pgsql_cli__failing_statement_names_file_line_and_sqlstate(void **state)
{
	struct dbm_testdb *t = pgc_state(state);
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
	dbm_testdb_assert_rows(
	    t->db,
	    "SELECT string_agg(table_name, ',' ORDER BY table_name) FROM "
	    "information_schema.tables WHERE table_schema = 'public' AND table_name IN "
	    "('a', 'b', 'c')",
	    "a\n");
	dbm_testdb_assert_rows(
	    t->db, "SELECT version, success FROM schema_history ORDER BY installed_rank", "1|t\n");
}

/*
 * The statements of a transactional migration go to the server together
 * (several round trips' worth at once): a failure past the first batch
 * still names its own line, and nothing of the file remains.
 */
static void test_pgsql_cli__batched_statements_fail_at_their_own_line(void **state)
{
	struct dbm_testdb *t = pgc_state(state);
	struct dbm_buf sql = DBM_BUF_INIT;
	struct dbm_test_result r;
	unsigned i, line;

	assert_int_equal(dbm_buf_adds(&sql, "CREATE TABLE w (id int PRIMARY KEY, pad text);\n"), 0);
	/* 400 statements of about 300 bytes: past one batch of 64 KiB */
	for (i = 1; i <= 400; i++)
		assert_int_equal(dbm_buf_addf(&sql, "INSERT INTO w VALUES (%u, '%0280u');\n", i, i),
		                 0);
	line = 402;
	assert_int_equal(dbm_buf_adds(&sql, "INSERT INTO w VALUES\n  (401, 'x'),\n  (7, 'dup');\n"
	                                    "CREATE TABLE after_dup (id int);\n"),
	                 0);
	dbm_test_write(t->dir, "migrations/V1__many.sql", dbm_buf_cstr(&sql));
	dbm_buf_free(&sql);
	pgc_migrate(t, t->migrations, &r);
	assert_int_equal(r.status, 1);
	{
		char where[64];

		snprintf(where, sizeof(where), "V1__many.sql:%u", line);
		if (!dbm_test_contains(r.err, where) || !dbm_test_contains(r.err, "23505") ||
		    !dbm_test_contains(r.err, "statement 402 starts at line 402"))
			fail_msg("unexpected stderr: %s", r.err);
	}
	dbm_test_result_free(&r);
	dbm_testdb_assert_rows(t->db,
	                       "SELECT to_regclass('w') IS NULL, to_regclass('after_dup') IS NULL, "
	                       "(SELECT count(*) FROM schema_history)",
	                       "t|t|0\n");
}

/*
 * A migration whose COMMIT fails (a deferred foreign key) leaves nothing and
 * no row; COPY data in the middle of a migration is sent on its own and the
 * statements after it see it; the next run records the right ranks.
 */
static void test_pgsql_cli__failed_commit_and_copy_in_a_batch(void **state)
{
	struct dbm_testdb *t = pgc_state(state);
	struct dbm_test_result r;

	dbm_test_write(t->dir, "migrations/V1__ok.sql", "CREATE TABLE p (id int PRIMARY KEY);\n");
	dbm_test_write(t->dir, "migrations/V2__deferred.sql",
	               "CREATE TABLE c (pid int REFERENCES p DEFERRABLE INITIALLY DEFERRED);\n"
	               "INSERT INTO c VALUES (42);\n");
	pgc_migrate(t, t->migrations, &r);
	assert_int_equal(r.status, 1);
	if (!dbm_test_contains(r.err, "V2__deferred.sql") ||
	    !dbm_test_contains(r.err, "violates foreign key constraint") ||
	    !dbm_test_contains(r.err, "Nothing of this migration was applied"))
		fail_msg("unexpected stderr: %s", r.err);
	dbm_test_result_free(&r);
	dbm_testdb_assert_rows(
	    t->db,
	    "SELECT to_regclass('c') IS NULL, string_agg(installed_rank || ':' || "
	    "version || ':' || success, ',') FROM schema_history",
	    "t|1:1:true\n");

	dbm_test_write(t->dir, "migrations/V2__deferred.sql",
	               "CREATE TABLE c (pid int REFERENCES p DEFERRABLE INITIALLY DEFERRED);\n"
	               "COPY p (id) FROM stdin;\n42\n43\n\\.\n"
	               "INSERT INTO c SELECT id FROM p;\n");
	pgc_migrate(t, t->migrations, &r);
	if (r.status != 0)
		fail_msg("migrate exited %d: %s", r.status, r.err);
	dbm_test_result_free(&r);
	dbm_testdb_assert_rows(t->db, "SELECT count(*) FROM c", "2\n");
	dbm_testdb_assert_rows(t->db,
	                       "SELECT string_agg(installed_rank || ':' || version || ':' || "
	                       "success, ',' ORDER BY installed_rank) FROM schema_history",
	                       "1:1:true,2:2:true\n");
}

static void test_pgsql_cli__create_index_concurrently_runs_outside_a_transaction(void **state)
{
	struct dbm_testdb *t = pgc_state(state);
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
	dbm_testdb_assert_rows(t->db, "SELECT indexname FROM pg_indexes WHERE tablename = 't'",
	                       "t_v\n");
	dbm_testdb_assert_rows(
	    t->db, "SELECT version, success FROM schema_history ORDER BY installed_rank",
	    "1|t\n2|t\n");
}

static void test_pgsql_cli__second_runner_times_out_on_the_lock(void **state)
{
	struct dbm_testdb *t = pgc_state(state);
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
		assert_int_equal(
		    DRV->query(t->db,
		               "SELECT count(DISTINCT pid) FROM pg_locks WHERE locktype "
		               "= 'advisory' AND granted AND database = (SELECT oid "
		               "FROM pg_database WHERE datname = current_database())",
		               dbm_testdb_collect, &rows),
		    0);
		held = strcmp(dbm_buf_cstr(&rows), "1\n") == 0;
		dbm_buf_free(&rows);
	}
	assert_true(held);
	t0 = dbm_testdb_now();
	b = dbm_test_spawn(t->dir, NULL, quick, out2, err2);
	assert_int_equal(dbm_test_wait(b), 4);
	waited = dbm_testdb_now() - t0;
	if (waited < 1.8 || waited > 4.5)
		fail_msg("the second runner waited %.1f s, not about 2 s", waited);
	err = dbm_test_read(err2);
	assert_non_null(err);
	if (!dbm_test_contains(err, "lock held by pid") ||
	    !dbm_test_contains(err, "application 'dbmigrate'"))
		fail_msg("unexpected stderr: %s", err);
	free(err);
	assert_int_equal(dbm_test_wait(a), 0);
	dbm_testdb_assert_rows(
	    t->db, "SELECT version, success FROM schema_history ORDER BY installed_rank", "1|t\n");
}

static void test_pgsql_cli__six_runners_apply_each_migration_once(void **state)
{
	struct dbm_testdb *t = pgc_state(state);
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
	dbm_testdb_assert_rows(t->db,
	                       "SELECT coalesce(version, 'R'), count(*) FROM schema_history "
	                       "GROUP BY version ORDER BY version",
	                       "1|1\n2|1\n3|1\nR|1\n");
	dbm_testdb_assert_rows(t->db, "SELECT id FROM users ORDER BY id", "1\n2\n");
}

static void test_pgsql_cli__enum_value_added_and_used_in_one_file(void **state)
{
	struct dbm_testdb *t = pgc_state(state);
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
	dbm_testdb_assert_rows(t->db, "SELECT m FROM p", "happy\n");
	dbm_testdb_assert_rows(
	    t->db, "SELECT installed_rank, version, success FROM schema_history ORDER BY 1",
	    "1|1|t\n2|2|t\n");
}

/*
 * Against a server the folders are scanned while the connection is made:
 * a bad file name still stops the run before anything is created, and comes
 * before a connection problem; drift among many files is still found.
 */
static void test_pgsql_cli__files_checked_while_connecting(void **state)
{
	struct dbm_testdb *t = pgc_state(state);
	const char *info[] = {"validate", "--url", t->url, "--migrations", t->migrations, NULL};
	const char *down[] = {"migrate",      "--url",       "postgresql://dbm@127.0.0.1:1/none",
	                      "--migrations", t->migrations, NULL};
	struct dbm_test_result r;
	char name[1200];

	dbm_test_write_steps(t->dir, 80);
	dbm_test_write(t->dir, "migrations/create_users.sql", "SELECT 1;\n");
	pgc_migrate(t, t->migrations, &r);
	assert_int_equal(r.status, 2);
	assert_true(dbm_test_contains(r.err, "create_users.sql"));
	dbm_test_result_free(&r);
	dbm_testdb_assert_rows(t->db, "SELECT to_regclass('schema_history') IS NULL", "t\n");
	dbm_test_run(t->dir, NULL, down, &r);
	assert_int_equal(r.status, 2);
	assert_true(dbm_test_contains(r.err, "create_users.sql"));
	dbm_test_result_free(&r);

	snprintf(name, sizeof(name), "%s/create_users.sql", t->migrations);
	assert_int_equal(unlink(name), 0);
	dbm_test_run(t->dir, NULL, down, &r);
	assert_int_equal(r.status, 1);
	assert_true(dbm_test_contains(r.err, "cannot connect"));
	dbm_test_result_free(&r);
	pgc_migrate(t, t->migrations, &r);
	if (r.status != 0)
		fail_msg("migrate exited %d: %s", r.status, r.err);
	dbm_test_result_free(&r);
	dbm_test_write(t->dir, "migrations/V17__step_17.sql",
	               "CREATE TABLE t17 (id INT, x INT);\n");
	dbm_test_run(t->dir, NULL, info, &r);
	assert_int_equal(r.status, 3);
	assert_true(dbm_test_contains(r.err, "version 17 (V17__step_17.sql) has changed"));
	assert_int_equal(dbm_test_count(r.err, "has changed"), 1);
	dbm_test_result_free(&r);
}

#define PGC(f) cmocka_unit_test_setup_teardown(f, dbm_testdb_setup_pgsql, dbm_testdb_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
	    PGC(test_pgsql_cli__sample_migrations_apply),
	    PGC(test_pgsql_cli__failing_statement_names_file_line_and_sqlstate),
	    PGC(test_pgsql_cli__batched_statements_fail_at_their_own_line),
	    PGC(test_pgsql_cli__failed_commit_and_copy_in_a_batch),
	    PGC(test_pgsql_cli__create_index_concurrently_runs_outside_a_transaction),
	    PGC(test_pgsql_cli__enum_value_added_and_used_in_one_file),
	    PGC(test_pgsql_cli__second_runner_times_out_on_the_lock),
	    PGC(test_pgsql_cli__six_runners_apply_each_migration_once),
	    PGC(test_pgsql_cli__files_checked_while_connecting),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
