/*
 * test_flyway_pgsql.c - docs/examples/flyway/ on PostgreSQL through a
 * jdbc:postgresql: URL: flyway.conf with user, password and JDBC parameters
 * must leave the same schema (dbmigrate dump), data and history rows as the
 * equivalent dbmigrate.yml with a postgres:// URL, in two databases of the
 * test server; the password, given in the file and in FLYWAY_PASSWORD,
 * never shows in any output. Needs DBM_TEST_PG_URL (tests/servers/pgsql.sh).
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

/* host:port/db of a postgres://user@host:port/db URL into out. */
static void host_and_db(const char *url, char *out, size_t size, char *user, size_t usize)
{
	const char *p = strstr(url, "://"), *at, *q;

	assert_non_null(p);
	p += 3;
	at = strchr(p, '@');
	assert_non_null(at);
	snprintf(user, usize, "%.*s", (int)strcspn(p, ":@"), p);
	q = strchr(at + 1, '?');
	snprintf(out, size, "%.*s", (int)(q ? q - at - 1 : (ptrdiff_t)strlen(at + 1)), at + 1);
}

/* Runs dbmigrate in dir; fails unless it exits 0; never prints SECRET. */
static char *run_ok(const char *dir, const char *const *env, const char *const *argv)
{
	struct dbm_test_result r;
	char *out;

	dbm_test_run(dir, env, argv, &r);
	if (r.status != 0)
		fail_msg("%s: exit %d\n%s%s", argv[0], r.status, r.out, r.err);
	if (dbm_test_contains(r.out, SECRET) || dbm_test_contains(r.err, SECRET))
		fail_msg("the password was printed:\n%s%s", r.out, r.err);
	out = dbm_strdup(r.out);
	dbm_test_result_free(&r);
	return out;
}

static void test_flyway_pgsql__jdbc_conf_equals_yml(void **state)
{
	struct dbm_testdb *t = dbm_testdb_state(state, "DBM_TEST_PG_URL");
	char cmd[8192], hostdb[512], user[128], conf[2048], yml[2048];
	const char *env[] = {"FLYWAY_PASSWORD=" SECRET, NULL};
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

	if (!t)
		return;
	i = dbm_testdb_add(t, "yml");
	snprintf(cmd, sizeof(cmd), "cp -R '%s/.' '%s/'", EXAMPLE, t->dir);
	assert_int_equal(system(cmd), 0);
	host_and_db(t->url, hostdb, sizeof(hostdb), user, sizeof(user));
	snprintf(conf, sizeof(conf),
	         "flyway.url=jdbc:postgresql://%s?ApplicationName=tickets&currentSchema=public"
	         "&connectTimeout=10\n"
	         "flyway.user=%s\n"
	         "flyway.password=" SECRET "\n"
	         "flyway.locations=filesystem:sql\n"
	         "flyway.table=flyway_schema_history\n"
	         "flyway.placeholders.app_user=ticket_app\n"
	         "flyway.placeholders.environment=development\n"
	         "flyway.installedBy=ci\n",
	         hostdb, user);
	dbm_test_write(t->dir, "pg.conf", conf);
	snprintf(yml, sizeof(yml),
	         "url: %s\n"
	         "migrations: sql\n"
	         "table: flyway_schema_history\n"
	         "schema: public\n"
	         "installed_by: ci\n"
	         "placeholders: {app_user: ticket_app, environment: development}\n",
	         t->extra_url[i]);
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

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_flyway_pgsql__jdbc_conf_equals_yml,
	                                    dbm_testdb_setup_pgsql, dbm_testdb_teardown),
	};

	return dbm_test_exit_status(cmocka_run_group_tests(tests, NULL, NULL));
}
