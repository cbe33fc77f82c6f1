/*
 * test_replica.c - read-only replicas are refused before anything is locked
 * or changed, and the commands that only read still work on them: a real
 * streaming hot standby of the test PostgreSQL (pg_basebackup -R, started
 * by tests/servers/pgfront.sh as a CTest fixture) and the test MariaDB with
 * read_only switched on for the case and off again whatever happens (the
 * teardown does it too).
 *
 * DBM_TEST_PG_URL / DBM_TEST_MYSQL_URL name the primaries (scripts/test.sh);
 * DBM_TEST_PG_STANDBY_URL comes from the file DBM_TEST_PGFRONT_ENV names.
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

/*
 * Runs dbmigrate cmd (and one more argument, or NULL) against url with t's
 * migrations; clean with --yes and clean enabled, so that only the replica
 * can stop it.
 */
static void rep_run(struct dbm_testdb *t, const char *cmd, const char *url, const char *extra,
                    struct dbm_test_result *r)
{
	static const char *const clean_env[] = {"DBMIGRATE_CLEAN_DISABLED=false", NULL};
	int clean = strcmp(cmd, "clean") == 0;
	const char *argv[] = {
	    cmd, "--url", url, "--migrations", t->migrations, clean ? "--yes" : extra, NULL};

	dbm_test_run(t->dir, clean ? clean_env : NULL, argv, r);
}

/* Fails unless r exited want; says what it printed. */
static void rep_expect(struct dbm_test_result *r, const char *what, int want)
{
	if (r->status != want)
		fail_msg("%s exited %d, not %d: %s%s", what, r->status, want, r->out, r->err);
}

/* Fails unless r is the refusal of a read-only replica, naming why (because). */
static void rep_expect_refused(struct dbm_test_result *r, const char *what, const char *because)
{
	rep_expect(r, what, 2);
	if (!dbm_test_contains(r->err, "is a read-only replica") ||
	    !dbm_test_contains(r->err, because) ||
	    !dbm_test_contains(r->err, "nothing was locked or changed") ||
	    !dbm_test_contains(r->err, "Point the URL at the primary"))
		fail_msg("%s: not the replica's refusal: %s", what, r->err);
}

/* Waits up to 30 s until the standby at url shows n history rows. Returns the connection. */
static struct dbm_conn *rep_wait_standby(const char *url, const char *n)
{
	struct dbm_conn_opts o = dbm_testdb_opts(url);
	double until = dbm_testdb_now() + 30;

	o.connect_retries = 0;
	for (;;) {
		struct dbm_conn *c = NULL;
		struct dbm_buf rows = DBM_BUF_INIT;
		const struct dbm_driver *d = dbm_driver_for_url(url);
		int ok = 0;

		assert_non_null(d);
		if (d->connect(&o, &c) == 0) {
			c->driver = d;
			ok = d->query(c, "SELECT count(*) FROM schema_history", dbm_testdb_collect,
			              &rows) == 0 &&
			     rows.ptr && strncmp(rows.ptr, n, strlen(n)) == 0 &&
			     rows.ptr[strlen(n)] == '\n';
			dbm_buf_free(&rows);
			if (ok)
				return c;
			d->disconnect(c);
		}
		dbm_error_clear();
		if (dbm_testdb_now() > until)
			fail_msg("the standby did not replay %s history rows within 30 s", n);
		nanosleep(&(struct timespec){0, 100 * 1000 * 1000L}, NULL);
	}
}

/*
 * A hot standby: every command that writes is refused before its lock (the
 * standby would grant an advisory lock) with exit 2; info, validate and
 * migrate --dry-run work; the primary is untouched.
 */
static void test_replica__pgsql_standby_is_refused(void **state)
{
	struct dbm_testdb *t = dbm_testdb_state(state, "DBM_TEST_PG_URL");
	const char *standby_server = dbm_test_server_url("DBM_TEST_PG_STANDBY_URL");
	static const char *const writers[] = {"migrate", "repair", "baseline", "clean", "rollback"};
	struct dbm_test_result r;
	struct dbm_conn *sc;
	char *standby;
	size_t i;

	if (!standby_server) {
		skip();
		return;
	}
	standby = dbm_testdb_url_with_db(standby_server, t->name);
	assert_non_null(standby);
	dbm_test_write(t->dir, "migrations/V1__users.sql", "CREATE TABLE users (id int);\n");
	dbm_test_write(t->dir, "migrations/U1__users.sql", "DROP TABLE users;\n");
	rep_run(t, "migrate", t->url, NULL, &r);
	rep_expect(&r, "migrate on the primary", 0);
	dbm_test_result_free(&r);
	dbm_test_write(t->dir, "migrations/V2__more.sql", "CREATE TABLE more (id int);\n");
	sc = rep_wait_standby(standby, "1");

	for (i = 0; i < sizeof(writers) / sizeof(writers[0]); i++) {
		rep_run(t, writers[i], standby, NULL, &r);
		rep_expect_refused(&r, writers[i], "pg_is_in_recovery() is true");
		if (dbm_test_contains(r.err, "password") || dbm_test_contains(r.err, "lock '"))
			fail_msg("%s: %s", writers[i], r.err);
		dbm_test_result_free(&r);
	}
	/* Reading works: info shows V2 pending, validate passes, --dry-run prints V2. */
	rep_run(t, "info", standby, NULL, &r);
	rep_expect(&r, "info on the standby", 0);
	if (!dbm_test_contains(r.out, "Pending"))
		fail_msg("info shows no pending migration: %s", r.out);
	dbm_test_result_free(&r);
	rep_run(t, "validate", standby, NULL, &r);
	rep_expect(&r, "validate on the standby", 0);
	dbm_test_result_free(&r);
	rep_run(t, "migrate", standby, "--dry-run", &r);
	rep_expect(&r, "migrate --dry-run on the standby", 0);
	if (!dbm_test_contains(r.out, "CREATE TABLE more"))
		fail_msg("--dry-run does not print V2: %s", r.out);
	dbm_test_result_free(&r);

	/* Nothing changed on the primary; no advisory lock was left on the standby. */
	dbm_testdb_assert_rows(t->db, "SELECT count(*) FROM schema_history", "1\n");
	dbm_testdb_assert_rows(t->db, "SELECT to_regclass('more') IS NULL", "t\n");
	dbm_testdb_assert_rows(sc, "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'",
	                       "0\n");
	sc->driver->disconnect(sc);
	free(standby);
}

/* Puts the MariaDB server's read_only back off, whatever the case did. */
static int rep_mysql_teardown(void **state)
{
	struct dbm_testdb *t = *state;

	if (t && t->admin)
		dbm_testdb_try(t->admin, "SET GLOBAL read_only = OFF");
	return dbm_testdb_teardown(state);
}

/*
 * MariaDB with read_only on (the test user has ALL PRIVILEGES, READ ONLY
 * ADMIN among them, so it could still write, and the other tests running
 * meanwhile are not disturbed): migrate, repair, baseline and clean are
 * refused before GET_LOCK; info works; nothing changed.
 */
static void test_replica__mysql_read_only_is_refused(void **state)
{
	struct dbm_testdb *t = dbm_testdb_state(state, "DBM_TEST_MYSQL_URL");
	static const char *const writers[] = {"migrate", "repair", "baseline", "clean"};
	struct dbm_test_result r;
	size_t i;

	dbm_test_write(t->dir, "migrations/V1__users.sql", "CREATE TABLE users (id int);\n");
	rep_run(t, "migrate", t->url, NULL, &r);
	rep_expect(&r, "migrate", 0);
	dbm_test_result_free(&r);
	dbm_test_write(t->dir, "migrations/V2__more.sql", "CREATE TABLE more (id int);\n");

	dbm_testdb_exec(t->admin, "SET GLOBAL read_only = ON");
	for (i = 0; i < sizeof(writers) / sizeof(writers[0]); i++) {
		rep_run(t, writers[i], t->url, NULL, &r);
		rep_expect_refused(&r, writers[i], "@@read_only is ON");
		if (dbm_test_contains(r.err, "dbm-secret-pw"))
			fail_msg("%s printed the password: %s", writers[i], r.err);
		dbm_test_result_free(&r);
	}
	rep_run(t, "info", t->url, NULL, &r);
	rep_expect(&r, "info on a read-only server", 0);
	if (!dbm_test_contains(r.out, "Pending"))
		fail_msg("info shows no pending migration: %s", r.out);
	dbm_test_result_free(&r);
	dbm_testdb_exec(t->admin, "SET GLOBAL read_only = OFF");

	dbm_testdb_assert_rows(t->db, "SELECT count(*) FROM schema_history", "1\n");
	dbm_testdb_assert_rows(t->db,
	                       "SELECT count(*) FROM information_schema.TABLES WHERE "
	                       "TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'more'",
	                       "0\n");
	/* Writable again: the same migrate now applies V2. */
	rep_run(t, "migrate", t->url, NULL, &r);
	rep_expect(&r, "migrate after read_only is off", 0);
	dbm_test_result_free(&r);
	dbm_testdb_assert_rows(t->db, "SELECT count(*) FROM schema_history", "2\n");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_replica__pgsql_standby_is_refused,
	                                    dbm_testdb_setup_pgsql, dbm_testdb_teardown),
	    cmocka_unit_test_setup_teardown(test_replica__mysql_read_only_is_refused,
	                                    dbm_testdb_setup_mysql, rep_mysql_teardown),
	};

	dbm_test_load_env_file("DBM_TEST_PGFRONT_ENV");
	return cmocka_run_group_tests(tests, NULL, NULL);
}
