/*
 * test_crash.c - nothing is lost when dbmigrate dies at any step.
 *
 * A set of 20 migrations (two to four statements each, most inserting
 * rows) runs with DBM_FAILPOINT=<point>:k, which ends the process with
 * _exit(137) at the k-th pass of a failpoint in the runner (after a
 * statement, before and after the history row, after the commit), as a
 * kill -9 would. The next run without a failpoint must then converge:
 * exit 0, one success row per version, every table there with each
 * inserted row exactly once, and no lock left behind (a third run with
 * --lock-timeout 1 exits 0). The same for rollback --to 0.
 *
 * SQLite runs every k of every failpoint. PostgreSQL (DBM_TEST_PG_URL, each
 * case in its own database) runs every k of after_statement, a sample of
 * the others, and real SIGKILLs at five moments of a slow run. MariaDB
 * (DBM_TEST_MYSQL_URL) cannot roll DDL back: a crash inside a migration
 * must stop the next run with exit 3 until 'repair', which then converges.
 * Needs a DBM_FAILPOINTS build of the binary; without one the tests skip.
 */
#include <setjmp.h>
#include <signal.h>
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
#include "testutil.h"

#define CRASH_N 20

enum crash_kind { CRASH_SQLITE, CRASH_PGSQL, CRASH_MYSQL };

struct crash {
	enum crash_kind kind;
	char *dir;             /* migrations/ and rollback/ live here; cwd of every run */
	struct dbm_testdb *db; /* servers: creates and drops the per-case databases */
	char url[1024];        /* the current case's database */
	char dbname[80];       /* servers: its name, "<db->name>_<seq>" */
	unsigned seq;
	size_t template_size; /* SQLite: bytes of template.db */
	char template_db[80]; /* PostgreSQL: the template database, once it exists */
};

/* Statements of migration i: CREATE TABLE, one or two INSERTs, maybe an index. */
static unsigned crash_statements(int i)
{
	return 2 + (i % 3 >= 1) + (i % 3 == 2);
}

/* Rows migration i inserts. */
static unsigned crash_rows(int i)
{
	return 1 + (i % 3 >= 1);
}

static unsigned crash_total_statements(void)
{
	unsigned n = 0;
	int i;

	for (i = 1; i <= CRASH_N; i++)
		n += crash_statements(i);
	return n;
}

/*
 * Writes the 20 migrations and their undo scripts into dir. sleep_sql, when
 * not NULL, is added as the first statement of each migration (to give a
 * killer time). idempotent: statements that can run twice (MariaDB).
 */
static void crash_write_set(const char *dir, const char *sleep_sql, int idempotent)
{
	int i;

	for (i = 1; i <= CRASH_N; i++) {
		char name[128], sql[1024];
		int n = 0;

		if (sleep_sql)
			n += snprintf(sql + n, sizeof(sql) - (size_t)n, "%s;\n", sleep_sql);
		n += snprintf(sql + n, sizeof(sql) - (size_t)n,
		              "CREATE TABLE %st%d (id INT%s, note VARCHAR(20));\n",
		              idempotent ? "IF NOT EXISTS " : "", i,
		              idempotent ? " PRIMARY KEY" : "");
		n += snprintf(sql + n, sizeof(sql) - (size_t)n,
		              "INSERT %sINTO t%d VALUES (1, 'one');\n", idempotent ? "IGNORE " : "",
		              i);
		if (i % 3 >= 1)
			n += snprintf(sql + n, sizeof(sql) - (size_t)n,
			              "-- a second row\nINSERT %sINTO t%d VALUES (2, 'two');\n",
			              idempotent ? "IGNORE " : "", i);
		if (i % 3 == 2)
			snprintf(sql + n, sizeof(sql) - (size_t)n,
			         "CREATE INDEX %six%d ON t%d (note);\n",
			         idempotent ? "IF NOT EXISTS " : "", i, i);
		snprintf(name, sizeof(name), "migrations/V%d__step_%d.sql", i, i);
		dbm_test_write(dir, name, sql);
		snprintf(name, sizeof(name), "rollback/U%d__step_%d.sql", i, i);
		snprintf(sql, sizeof(sql), "DELETE FROM t%d;\nDROP TABLE t%d;\n", i, i);
		dbm_test_write(dir, name, sql);
	}
}

/* The rows of sql on the case's database, "a|b\n" per row; "<error: ...>" on failure. Caller frees.
 */
static char *crash_query(struct crash *t, const char *sql)
{
	struct dbm_conn *c = dbm_testdb_connect(t->url);
	struct dbm_buf b = DBM_BUF_INIT;

	if (c->driver->query(c, sql, dbm_testdb_collect, &b) != 0) {
		dbm_buf_clear(&b);
		dbm_buf_addf(&b, "<error: %s>", dbm_error_last()->message);
	}
	c->driver->disconnect(c);
	if (!b.ptr)
		dbm_buf_adds(&b, "");
	return dbm_buf_detach(&b);
}

static void crash_assert_query(struct crash *t, const char *sql, const char *want, const char *what)
{
	char *got = crash_query(t, sql);

	if (strcmp(got, want) != 0)
		fail_msg("%s: %s\n got: %s\nwant: %s", what, sql, got, want);
	dbm_free(got);
}

/* Names the next case's database (servers: t->dbname) and sets t->url to it. */
static void crash_next_db(struct crash *t)
{
	char *url;

	t->seq++;
	if (t->kind == CRASH_SQLITE) {
		snprintf(t->url, sizeof(t->url), "sqlite://%s/case_%u.db", t->dir, t->seq);
		return;
	}
	snprintf(t->dbname, sizeof(t->dbname), "%s_%u", t->db->name, t->seq);
	url = dbm_testdb_url_with_db(t->db->server, t->dbname);
	snprintf(t->url, sizeof(t->url), "%s", url);
	free(url);
}

/* A fresh, empty database for the next case; sets t->url. */
static void crash_new_db(struct crash *t)
{
	crash_next_db(t);
	if (t->kind != CRASH_SQLITE)
		dbm_testdb_create_db(t->db, t->dbname);
}

/*
 * A fresh database holding the whole set applied (for rollback cases): a
 * copy of the one migrated by crash_template(), which is much faster than
 * migrating again for every case.
 */
static void crash_new_db_migrated(struct crash *t)
{
	char sql[256], src[4200], *data;
	FILE *f;

	crash_next_db(t);
	if (t->kind == CRASH_SQLITE) {
		snprintf(src, sizeof(src), "%s/template.db", t->dir);
		data = dbm_test_read(src);
		assert_non_null(data);
		f = fopen(t->url + strlen("sqlite://"), "wb");
		assert_non_null(f);
		fwrite(data, 1, t->template_size, f);
		fclose(f);
		free(data);
		return;
	}
	snprintf(sql, sizeof(sql), "CREATE DATABASE %s TEMPLATE %s", t->dbname, t->template_db);
	dbm_testdb_exec(t->db->admin, sql);
}

/* Drops the current case's database (servers) so they do not pile up. */
static void crash_drop_db(struct crash *t)
{
	if (t->kind == CRASH_SQLITE || !t->dbname[0])
		return;
	dbm_testdb_drop_db(t->db, t->dbname);
	t->dbname[0] = '\0';
}

/*
 * Runs dbmigrate in t->dir against the case's database with the arguments
 * (NULL-terminated); failpoint, when not NULL, is "name:k".
 */
static void crash_run(struct crash *t, struct dbm_test_result *r, const char *failpoint, ...)
{
	const char *argv[32];
	const char *env[2] = {NULL, NULL};
	char fp[128];
	va_list ap;
	int n = 0;

	argv[n++] = "--url";
	argv[n++] = t->url;
	va_start(ap, failpoint);
	while (n < 31 && (argv[n] = va_arg(ap, const char *)) != NULL)
		n++;
	va_end(ap);
	argv[n] = NULL;
	if (failpoint) {
		snprintf(fp, sizeof(fp), "DBM_FAILPOINT=%s", failpoint);
		env[0] = fp;
	}
	dbm_test_run(t->dir, env, argv, r);
}

/* The whole set applied exactly once: history and data. */
static void crash_assert_applied(struct crash *t, const char *what)
{
	char want[1024], sql[4096];
	int i, n = 0, m = 0;

	crash_assert_query(
	    t,
	    "SELECT COUNT(*), COUNT(DISTINCT version), "
	    "SUM(CASE WHEN success THEN 1 ELSE 0 END), COUNT(DISTINCT installed_rank) "
	    "FROM schema_history",
	    "20|20|20|20\n", what);
	for (i = 1; i <= CRASH_N; i++) {
		n += snprintf(sql + n, sizeof(sql) - (size_t)n,
		              "%sSELECT %d, COUNT(*), COUNT(DISTINCT id) FROM t%d",
		              i > 1 ? " UNION ALL " : "", i, i);
		m += snprintf(want + m, sizeof(want) - (size_t)m, "%d|%u|%u\n", i, crash_rows(i),
		              crash_rows(i));
	}
	snprintf(sql + n, sizeof(sql) - (size_t)n, " ORDER BY 1");
	crash_assert_query(t, sql, want, what);
}

/* 1 when the binary was built with failpoints (a failpoint at the first statement fires). */
static int crash_have_failpoints(void)
{
	static int known = -1;
	struct dbm_test_result r;
	char *dir;
	const char *env[] = {"DBM_FAILPOINT=after_statement:1", NULL};
	const char *argv[] = {"--url", "sqlite:probe.db", "migrate", NULL};

	if (known >= 0)
		return known;
	dir = dbm_test_tmpdir();
	dbm_test_write(dir, "migrations/V1__probe.sql", "CREATE TABLE probe (id INT);\n");
	dbm_test_run(dir, env, argv, &r);
	known = r.status == 137;
	dbm_test_result_free(&r);
	dbm_test_rmtree(dir);
	free(dir);
	return known;
}

static int crash_setup_kind(void **state, enum crash_kind kind)
{
	struct crash *t;
	struct dbm_testdb *db = NULL;

	*state = NULL;
	if (kind == CRASH_PGSQL)
		db = dbm_testdb_new("DBM_TEST_PG_URL");
	else if (kind == CRASH_MYSQL)
		db = dbm_testdb_new("DBM_TEST_MYSQL_URL");
	if (kind != CRASH_SQLITE && !db)
		return 0;
	t = calloc(1, sizeof(*t));
	assert_non_null(t);
	t->kind = kind;
	t->db = db;
	t->dir = db ? db->dir : dbm_test_tmpdir();
	*state = t;
	return 0;
}

static int crash_setup_sqlite(void **state)
{
	return crash_setup_kind(state, CRASH_SQLITE);
}

static int crash_setup_pgsql(void **state)
{
	return crash_setup_kind(state, CRASH_PGSQL);
}

static int crash_setup_mysql(void **state)
{
	return crash_setup_kind(state, CRASH_MYSQL);
}

static int crash_teardown(void **state)
{
	struct crash *t = *state;

	if (!t)
		return 0;
	crash_drop_db(t);
	if (t->template_db[0])
		dbm_testdb_drop_db(t->db, t->template_db);
	if (t->db) {
		dbm_testdb_free(t->db);
	} else {
		dbm_test_rmtree(t->dir);
		free(t->dir);
	}
	free(t);
	return 0;
}

/* The test's state, or a skip when its server or the failpoint build is missing. */
static struct crash *crash_state(void **state, const char *url_var)
{
	struct crash *t = *state;

	if (!t) {
		dbm_test_server_url(url_var);
		skip();
	}
	if (!crash_have_failpoints()) {
		print_message("skipped: the binary was built without -DDBM_FAILPOINTS=ON\n");
		skip();
	}
	return t;
}

/*
 * One crash case of migrate: a fresh database, a run that must die at
 * point:k, then a run that must converge and a third that finds the lock
 * free. The database stays for more checks (crash_migrate_case drops it).
 */
static void crash_migrate_case_keep(struct crash *t, const char *point, unsigned k)
{
	struct dbm_test_result r;
	char fp[64], what[160];

	snprintf(fp, sizeof(fp), "%s:%u", point, k);
	snprintf(what, sizeof(what), "after a crash at %s", fp);
	crash_new_db(t);
	crash_run(t, &r, fp, "migrate", NULL);
	if (r.status != 137)
		fail_msg("%s: expected the failpoint to end the run with 137, got %d\n%s", fp,
		         r.status, r.err);
	dbm_test_result_free(&r);
	crash_run(t, &r, NULL, "migrate", NULL);
	if (r.status != 0)
		fail_msg("%s: the next migrate exited %d\n%s", fp, r.status, r.err);
	assert_true(dbm_test_contains(r.out, "at version 20"));
	dbm_test_result_free(&r);
	crash_run(t, &r, NULL, "--lock-timeout", "1", "migrate", NULL);
	if (r.status != 0)
		fail_msg("%s: a lock was left behind: exit %d\n%s", fp, r.status, r.err);
	assert_true(dbm_test_contains(r.out, "Schema is up to date at version 20"));
	dbm_test_result_free(&r);
	crash_assert_applied(t, what);
}

static void crash_migrate_case(struct crash *t, const char *point, unsigned k)
{
	crash_migrate_case_keep(t, point, k);
	crash_drop_db(t);
}

/* Every version undone exactly once, the latest row of each an UNDO_SQL, no table left. */
static void crash_assert_undone(struct crash *t, const char *what)
{
	char sql[2048];
	int i, n = 0;

	crash_assert_query(t,
	                   "SELECT COUNT(*), COUNT(DISTINCT version), "
	                   "SUM(CASE WHEN success THEN 1 ELSE 0 END) FROM schema_history "
	                   "WHERE type = 'UNDO_SQL'",
	                   "20|20|20\n", what);
	crash_assert_query(t,
	                   "SELECT COUNT(*) FROM schema_history h WHERE h.type <> 'UNDO_SQL' AND "
	                   "h.installed_rank = (SELECT MAX(installed_rank) FROM schema_history x "
	                   "WHERE x.version = h.version)",
	                   "0\n", what);
	/* Each table is gone: selecting from any of them fails. */
	for (i = 1; i <= CRASH_N; i++) {
		char *got;

		n = snprintf(sql, sizeof(sql), "SELECT COUNT(*) FROM t%d", i);
		(void)n;
		got = crash_query(t, sql);
		if (strncmp(got, "<error", 6) != 0)
			fail_msg("%s: table t%d still exists (%s)", what, i, got);
		dbm_free(got);
	}
}

/* Migrates the template database that crash_new_db_migrated() copies. */
static void crash_template(struct crash *t)
{
	struct dbm_test_result r;
	char path[4200];

	if (t->kind == CRASH_SQLITE) {
		snprintf(t->url, sizeof(t->url), "sqlite://%s/template.db", t->dir);
	} else {
		char *url;

		snprintf(t->template_db, sizeof(t->template_db), "%s_template", t->db->name);
		url = dbm_testdb_url_with_db(t->db->server, t->template_db);
		snprintf(t->url, sizeof(t->url), "%s", url);
		free(url);
		dbm_testdb_create_db(t->db, t->template_db);
	}
	crash_run(t, &r, NULL, "migrate", NULL);
	assert_int_equal(r.status, 0);
	dbm_test_result_free(&r);
	crash_assert_applied(t, "template");
	t->dbname[0] = '\0';
	if (t->kind == CRASH_SQLITE) {
		FILE *f;

		snprintf(path, sizeof(path), "%s/template.db", t->dir);
		f = fopen(path, "rb");
		assert_non_null(f);
		fseek(f, 0, SEEK_END);
		t->template_size = (size_t)ftell(f);
		fclose(f);
	}
}

/* One crash case of rollback --to 0 on a fully migrated database. */
static void crash_rollback_case(struct crash *t, const char *point, unsigned k)
{
	struct dbm_test_result r;
	char fp[64], what[160];

	snprintf(fp, sizeof(fp), "%s:%u", point, k);
	snprintf(what, sizeof(what), "after a crash of rollback at %s", fp);
	crash_new_db_migrated(t);
	crash_run(t, &r, fp, "rollback", "--to", "0", NULL);
	if (r.status != 137)
		fail_msg("%s: expected the failpoint to end the rollback with 137, got %d\n%s", fp,
		         r.status, r.err);
	dbm_test_result_free(&r);
	crash_run(t, &r, NULL, "rollback", "--to", "0", NULL);
	if (r.status != 0)
		fail_msg("%s: the next rollback exited %d\n%s", fp, r.status, r.err);
	dbm_test_result_free(&r);
	crash_run(t, &r, NULL, "--lock-timeout", "1", "rollback", "--to", "0", NULL);
	if (r.status != 0)
		fail_msg("%s: the third rollback exited %d\n%s", fp, r.status, r.err);
	assert_true(dbm_test_contains(r.out, "Nothing to roll back"));
	dbm_test_result_free(&r);
	crash_assert_undone(t, what);
	crash_drop_db(t);
}

static const char *const crash_row_points[] = {"before_history", "after_history", "after_commit"};

static void test_crash__sqlite_migrate_every_statement(void **state)
{
	struct crash *t = crash_state(state, NULL);
	unsigned k, total = crash_total_statements();

	crash_write_set(t->dir, NULL, 0);
	for (k = 1; k <= total; k++)
		crash_migrate_case(t, "after_statement", k);
}

static void test_crash__sqlite_migrate_every_history_step(void **state)
{
	struct crash *t = crash_state(state, NULL);
	unsigned k, p;

	crash_write_set(t->dir, NULL, 0);
	for (p = 0; p < DBM_ARRAY_SIZE(crash_row_points); p++)
		for (k = 1; k <= CRASH_N; k++)
			crash_migrate_case(t, crash_row_points[p], k);
}

static void test_crash__sqlite_rollback_every_step(void **state)
{
	struct crash *t = crash_state(state, NULL);
	unsigned k, p;

	crash_write_set(t->dir, NULL, 0);
	crash_template(t);
	for (k = 1; k <= 2 * CRASH_N; k++)
		crash_rollback_case(t, "after_statement", k);
	for (p = 0; p < DBM_ARRAY_SIZE(crash_row_points); p++)
		for (k = 1; k <= CRASH_N; k++)
			crash_rollback_case(t, crash_row_points[p], k);
}

/*
 * A crash between the history table and its index: the next run must
 * still end with both (the table alone would be taken as complete).
 */
static void crash_history_table_case(struct crash *t)
{
	char *index;

	crash_migrate_case_keep(t, "history_table_created", 1);
	if (t->kind == CRASH_SQLITE)
		index = crash_query(t, "SELECT COUNT(*) FROM sqlite_master WHERE type = 'index' "
		                       "AND name = 'schema_history_s_idx'");
	else
		index = crash_query(t, "SELECT COUNT(*) FROM pg_indexes WHERE indexname = "
		                       "'schema_history_s_idx'");
	if (strcmp(index, "1\n") != 0)
		fail_msg("the history table's index is missing after a crash: %s", index);
	dbm_free(index);
	crash_drop_db(t);
}

static void test_crash__sqlite_between_history_table_and_index(void **state)
{
	struct crash *t = crash_state(state, NULL);

	crash_write_set(t->dir, NULL, 0);
	crash_history_table_case(t);
}

static void test_crash__pgsql_between_history_table_and_index(void **state)
{
	struct crash *t = crash_state(state, "DBM_TEST_PG_URL");

	crash_write_set(t->dir, NULL, 0);
	crash_history_table_case(t);
}

static void test_crash__pgsql_migrate_every_statement(void **state)
{
	struct crash *t = crash_state(state, "DBM_TEST_PG_URL");
	unsigned k, total = crash_total_statements();

	crash_write_set(t->dir, NULL, 0);
	for (k = 1; k <= total; k++)
		crash_migrate_case(t, "after_statement", k);
}

/* A sample of the history steps: first, last and a few between. */
static const unsigned crash_sample[] = {1, 2, 7, 13, 19, 20};

static void test_crash__pgsql_migrate_history_steps_sample(void **state)
{
	struct crash *t = crash_state(state, "DBM_TEST_PG_URL");
	unsigned i, p;

	crash_write_set(t->dir, NULL, 0);
	for (p = 0; p < DBM_ARRAY_SIZE(crash_row_points); p++)
		for (i = 0; i < DBM_ARRAY_SIZE(crash_sample); i++)
			crash_migrate_case(t, crash_row_points[p], crash_sample[i]);
}

static void test_crash__pgsql_rollback_sample(void **state)
{
	struct crash *t = crash_state(state, "DBM_TEST_PG_URL");
	unsigned p;

	crash_write_set(t->dir, NULL, 0);
	crash_template(t);
	crash_rollback_case(t, "after_statement", 1);
	crash_rollback_case(t, "after_statement", 2);
	crash_rollback_case(t, "after_statement", 21);
	for (p = 0; p < DBM_ARRAY_SIZE(crash_row_points); p++) {
		crash_rollback_case(t, crash_row_points[p], 1);
		crash_rollback_case(t, crash_row_points[p], 11);
	}
}

/*
 * A real SIGKILL from outside at five moments of a run whose migrations
 * each sleep 60 ms, then a run without interference must converge.
 */
static void test_crash__pgsql_sigkill_at_five_moments(void **state)
{
	struct crash *t = crash_state(state, "DBM_TEST_PG_URL");
	static const int delays_ms[] = {150, 400, 650, 900, 1150};
	struct dbm_test_result r;
	char out[4200], err[4200], what[64];
	size_t i;

	crash_write_set(t->dir, "SELECT pg_sleep(0.06)", 0);
	snprintf(out, sizeof(out), "%s/kill.out", t->dir);
	snprintf(err, sizeof(err), "%s/kill.err", t->dir);
	for (i = 0; i < DBM_ARRAY_SIZE(delays_ms); i++) {
		const char *argv[] = {"--url", NULL, "migrate", NULL};
		struct timespec ts;
		double t0;
		int pid, status;
		char *progress;

		crash_new_db(t);
		argv[1] = t->url;
		t0 = dbm_testdb_now();
		pid = dbm_test_spawn(t->dir, NULL, argv, out, err);
		ts.tv_sec = delays_ms[i] / 1000;
		ts.tv_nsec = (long)(delays_ms[i] % 1000) * 1000000L;
		nanosleep(&ts, NULL);
		kill(pid, SIGKILL);
		status = dbm_test_wait(pid);
		progress = dbm_test_read(err);
		if (status != 128 + SIGKILL)
			fail_msg("the run ended (exit %d) before the kill at %d ms (%.0f ms):\n%s",
			         status, delays_ms[i], (dbm_testdb_now() - t0) * 1000, progress);
		free(progress);
		snprintf(what, sizeof(what), "after kill -9 at %d ms", delays_ms[i]);
		crash_run(t, &r, NULL, "migrate", NULL);
		if (r.status != 0)
			fail_msg("%s: the next migrate exited %d\n%s", what, r.status, r.err);
		dbm_test_result_free(&r);
		crash_run(t, &r, NULL, "--lock-timeout", "1", "migrate", NULL);
		assert_int_equal(r.status, 0);
		dbm_test_result_free(&r);
		crash_assert_applied(t, what);
		crash_drop_db(t);
	}
}

/*
 * MariaDB: DDL commits at once, so a crash after statement k of a
 * migration leaves its first statements applied with no success row. The
 * next migrate must not run the file again blindly: it stops with exit 3
 * naming the version and 'repair'; after 'repair' the (idempotent) file
 * runs again and everything converges.
 */
static void test_crash__mysql_crash_inside_migration_needs_repair(void **state)
{
	struct crash *t = crash_state(state, "DBM_TEST_MYSQL_URL");
	static const unsigned ks[] = {1, 2, 5, 30};
	struct dbm_test_result r;
	size_t i;

	crash_write_set(t->dir, NULL, 1);
	for (i = 0; i < DBM_ARRAY_SIZE(ks); i++) {
		char fp[64];
		unsigned k = ks[i], v = 1, before = 0;

		/* the version whose statement k is the crash point, and whether it is its last */
		while (before + crash_statements((int)v) < k)
			before += crash_statements((int)v++);
		snprintf(fp, sizeof(fp), "after_statement:%u", k);
		crash_new_db(t);
		crash_run(t, &r, fp, "migrate", NULL);
		assert_int_equal(r.status, 137);
		dbm_test_result_free(&r);
		crash_run(t, &r, NULL, "migrate", NULL);
		if (r.status != 3) {
			fail_msg("%s: the next migrate exited %d, want 3 naming version %u\n%s", fp,
			         r.status, v, r.err);
		}
		{
			char name[64];

			snprintf(name, sizeof(name), "V%u__step_%u.sql", v, v);
			if (!dbm_test_contains(r.err, name) || !dbm_test_contains(r.err, "repair"))
				fail_msg("%s: the error does not name %s and repair:\n%s", fp, name,
				         r.err);
		}
		dbm_test_result_free(&r);
		crash_run(t, &r, NULL, "repair", NULL);
		assert_int_equal(r.status, 0);
		dbm_test_result_free(&r);
		crash_run(t, &r, NULL, "migrate", NULL);
		if (r.status != 0)
			fail_msg("%s: migrate after repair exited %d\n%s", fp, r.status, r.err);
		dbm_test_result_free(&r);
		crash_run(t, &r, NULL, "--lock-timeout", "1", "migrate", NULL);
		assert_int_equal(r.status, 0);
		dbm_test_result_free(&r);
		crash_assert_applied(t, fp);
		crash_drop_db(t);
	}
}

/* MariaDB: a crash between statements of a run (after a whole migration and its row) needs nothing.
 */
static void test_crash__mysql_crash_after_history_converges(void **state)
{
	struct crash *t = crash_state(state, "DBM_TEST_MYSQL_URL");
	unsigned k;

	crash_write_set(t->dir, NULL, 1);
	for (k = 1; k <= CRASH_N; k += 6)
		crash_migrate_case(t, "after_history", k);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_crash__sqlite_migrate_every_statement,
	                                    crash_setup_sqlite, crash_teardown),
	    cmocka_unit_test_setup_teardown(test_crash__sqlite_migrate_every_history_step,
	                                    crash_setup_sqlite, crash_teardown),
	    cmocka_unit_test_setup_teardown(test_crash__sqlite_rollback_every_step,
	                                    crash_setup_sqlite, crash_teardown),
	    cmocka_unit_test_setup_teardown(test_crash__sqlite_between_history_table_and_index,
	                                    crash_setup_sqlite, crash_teardown),
	    cmocka_unit_test_setup_teardown(test_crash__pgsql_between_history_table_and_index,
	                                    crash_setup_pgsql, crash_teardown),
	    cmocka_unit_test_setup_teardown(test_crash__pgsql_migrate_every_statement,
	                                    crash_setup_pgsql, crash_teardown),
	    cmocka_unit_test_setup_teardown(test_crash__pgsql_migrate_history_steps_sample,
	                                    crash_setup_pgsql, crash_teardown),
	    cmocka_unit_test_setup_teardown(test_crash__pgsql_rollback_sample, crash_setup_pgsql,
	                                    crash_teardown),
	    cmocka_unit_test_setup_teardown(test_crash__pgsql_sigkill_at_five_moments,
	                                    crash_setup_pgsql, crash_teardown),
	    cmocka_unit_test_setup_teardown(test_crash__mysql_crash_after_history_converges,
	                                    crash_setup_mysql, crash_teardown),
	    cmocka_unit_test_setup_teardown(test_crash__mysql_crash_inside_migration_needs_repair,
	                                    crash_setup_mysql, crash_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
