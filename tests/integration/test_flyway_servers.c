/*
 * test_flyway_servers.c - docs/examples/flyway/ on PostgreSQL and MariaDB
 * through jdbc:postgresql: and jdbc:mysql: URLs: flyway.conf with user,
 * password and JDBC parameters must leave the same schema (dbmigrate dump),
 * data and history rows as the equivalent dbmigrate.yml with the native URL,
 * in two databases of the test server; the password, given in the file and
 * in FLYWAY_PASSWORD, never shows in any output. Needs DBM_TEST_PG_URL /
 * DBM_TEST_MYSQL_URL (tests/servers/pgsql.sh, mariadb.sh).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "dbmigrate/common.h"
#include "dbtest.h"
#include "testutil.h"

#define EXAMPLE DBM_TEST_SOURCE_DIR "/docs/examples/flyway"
#define SECRET "Fl1wayS3cretPw"

/* user, password and host:port/db of a scheme://user[:password]@host:port/db URL. */
static void url_parts(const char *url, char *user, size_t usize, char *pw, size_t pwsize,
                      char *hostdb, size_t hsize)
{
	const char *p = strstr(url, "://"), *at, *colon, *q;

	assert_non_null(p);
	p += 3;
	at = strchr(p, '@');
	assert_non_null(at);
	colon = memchr(p, ':', (size_t)(at - p));
	snprintf(user, usize, "%.*s", (int)((colon ? colon : at) - p), p);
	snprintf(pw, pwsize, "%.*s", colon ? (int)(at - colon - 1) : 0, colon ? colon + 1 : "");
	q = strchr(at + 1, '?');
	snprintf(hostdb, hsize, "%.*s", (int)(q ? q - at - 1 : (ptrdiff_t)strlen(at + 1)), at + 1);
}

/* The password of the run: SECRET, or the test server's own (MariaDB's test user has one). */
static char run_secret[256];

/* Runs dbmigrate in dir; fails unless it exits 0; never prints run_secret. */
static char *run_ok(const char *dir, const char *const *env, const char *const *argv)
{
	struct dbm_test_result r;
	char *out;

	dbm_test_run(dir, env, argv, &r);
	if (r.status != 0)
		fail_msg("%s: exit %d\n%s%s", argv[0], r.status, r.out, r.err);
	if (dbm_test_contains(r.out, run_secret) || dbm_test_contains(r.err, run_secret))
		fail_msg("the password was printed:\n%s%s", r.out, r.err);
	out = dbm_strdup(r.out);
	dbm_test_result_free(&r);
	return out;
}

/*
 * The example through flyway.conf with a jdbc: URL (scheme "postgresql" or
 * "mysql", params its JDBC parameters) against dbmigrate.yml with the
 * native URL, on t's server.
 */
static void jdbc_conf_equals_yml(struct dbm_testdb *t, const char *scheme, const char *params,
                                 const char *schema_line)
{
	char cmd[8192], hostdb[512], user[128], pw[256], conf[2048], yml[2048], penv[300];
	const char *env[] = {penv, NULL};
	const char *migrate_conf[] = {"--config", "pg.conf", "migrate", NULL};
	const char *dump_conf[] = {"--config", "pg.conf", "dump", NULL};
	const char *migrate_yml[] = {"--config", "pg.yml", "migrate", NULL};
	const char *dump_yml[] = {"--config", "pg.yml", "dump", NULL};
	static const char *const history =
	    "SELECT installed_rank, version, description, type, script, checksum, installed_by, "
	    "success FROM flyway_schema_history ORDER BY installed_rank";
	char *d1, *d2, *h1, *h2, *s1, *s2;
	struct dbm_conn *other;
	int i;

	i = dbm_testdb_add(t, "yml");
	snprintf(cmd, sizeof(cmd), "cp -R '%s/.' '%s/'", EXAMPLE, t->dir);
	assert_int_equal(system(cmd), 0);
	url_parts(t->url, user, sizeof(user), pw, sizeof(pw), hostdb, sizeof(hostdb));
	/* trust authentication (PostgreSQL) ignores it; MariaDB's test user needs its own */
	snprintf(run_secret, sizeof(run_secret), "%s", *pw ? pw : SECRET);
	snprintf(penv, sizeof(penv), "FLYWAY_PASSWORD=%s", run_secret);
	snprintf(conf, sizeof(conf),
	         "flyway.url=jdbc:%s://%s?%s\n"
	         "flyway.user=%s\n"
	         "flyway.password=%s\n"
	         "flyway.locations=filesystem:sql\n"
	         "flyway.table=flyway_schema_history\n"
	         "flyway.placeholders.app_user=ticket_app\n"
	         "flyway.placeholders.environment=development\n"
	         "flyway.installedBy=ci\n",
	         scheme, hostdb, params, user, run_secret);
	dbm_test_write(t->dir, "pg.conf", conf);
	snprintf(yml, sizeof(yml),
	         "url: %s\n"
	         "migrations: sql\n"
	         "table: flyway_schema_history\n"
	         "%s"
	         "installed_by: ci\n"
	         "placeholders: {app_user: ticket_app, environment: development}\n",
	         t->extra_url[i], schema_line);
	dbm_test_write(t->dir, "pg.yml", yml);

	dbm_free(run_ok(t->dir, env, migrate_conf));
	dbm_free(run_ok(t->dir, NULL, migrate_yml));
	d1 = run_ok(t->dir, env, dump_conf);
	d2 = run_ok(t->dir, NULL, dump_yml);
	assert_true(dbm_test_contains(d1, "CREATE TABLE"));
	assert_true(dbm_test_contains(d1, "open_tickets"));
	assert_string_equal(d1, d2);
	other = dbm_testdb_connect(t->extra_url[i]);
	h1 = dbm_testdb_rows(t->db, history);
	h2 = dbm_testdb_rows(other, history);
	assert_true(dbm_test_contains(h1, "|7|add ticket tags|SQL|V7__add_ticket_tags.sql|"));
	assert_string_equal(h1, h2);
	s1 = dbm_testdb_rows(t->db, "SELECT name, value FROM app_settings ORDER BY name");
	s2 = dbm_testdb_rows(other, "SELECT name, value FROM app_settings ORDER BY name");
	assert_string_equal(
	    s1, "app_user|ticket_app\nenvironment|development\nmigrated_by|ticket_app\n");
	assert_string_equal(s1, s2);
	other->driver->disconnect(other);
	dbm_free(d1);
	dbm_free(d2);
	dbm_free(h1);
	dbm_free(h2);
	dbm_free(s1);
	dbm_free(s2);
}

static void test_flyway_servers__pgsql(void **state)
{
	struct dbm_testdb *t = dbm_testdb_state(state, "DBM_TEST_PG_URL");

	if (t)
		jdbc_conf_equals_yml(
		    t, "postgresql",
		    "ApplicationName=tickets&currentSchema=public&connectTimeout=10",
		    "schema: public\n");
}

static void test_flyway_servers__mysql(void **state)
{
	struct dbm_testdb *t = dbm_testdb_state(state, "DBM_TEST_MYSQL_URL");

	if (t)
		jdbc_conf_equals_yml(t, "mysql", "useSSL=false&connectTimeout=5000", "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_flyway_servers__pgsql, dbm_testdb_setup_pgsql,
	                                    dbm_testdb_teardown),
	    cmocka_unit_test_setup_teardown(test_flyway_servers__mysql, dbm_testdb_setup_mysql,
	                                    dbm_testdb_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
