/*
 * test_secrets.c - a password never reaches stdout or stderr, whichever way
 * it arrives and whichever way a run ends.
 *
 * One test per way a password arrives: --url, url: in dbmigrate.yml,
 * DBMIGRATE_URL, DATABASE_URL, PGPASSWORD (read by libpq) and MYSQL_PWD.
 * Each runs every target below in every mode (plain, --verbose, --json,
 * --dry-run) and searches both outputs for the password: a closed port, a
 * host that does not resolve, URLs that do not parse, and with the test
 * servers (DBM_TEST_PG_URL, DBM_TEST_MYSQL_URL) a database that does not
 * exist, a wrong password, and a run that connects and prints its SQL.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "dbmigrate/common.h"
#include "project.h"
#include "testutil.h"

#define SECRET "Zq7-s3cret-Pw"

/* How the URL reaches dbmigrate. */
enum secrets_via { VIA_FLAG, VIA_CONFIG, VIA_DBMIGRATE_URL, VIA_DATABASE_URL };

struct secrets {
	struct dbm_test_project *p; /* its folder is the cwd of every run */
	int runs; /* runs checked, so a test that checked nothing fails */
};

static int secrets_setup(void **state)
{
	struct secrets *t = calloc(1, sizeof(*t));

	assert_non_null(t);
	t->p = dbm_test_project_new();
	dbm_test_write(t->p->dir, "migrations/V1__a.sql", "CREATE TABLE secrets_a (id INT);\n");
	*state = t;
	return 0;
}

static int secrets_teardown(void **state)
{
	struct secrets *t = *state;

	dbm_test_project_free(t->p);
	free(t);
	return 0;
}

/* Fails when the password shows in either output. */
static void secrets_check(const struct dbm_test_result *r, const char *secret, const char *what)
{
	if (r->status >= 128)
		fail_msg("%s: crashed (exit %d):\n%s", what, r->status, r->err);
	if (dbm_test_contains(r->out, secret) || dbm_test_contains(r->err, secret))
		fail_msg("%s: the password shows in the output (exit %d):\nstdout:\n%s\nstderr:\n%s",
			 what, r->status, r->out, r->err);
}

/*
 * Runs migrate with url given the way via says, plus extra_env ("K=V" or
 * NULL), in each mode, and checks that secret shows nowhere. connects: the
 * server lets the run in, so only info and migrate --dry-run run (nothing
 * is changed on the shared test server).
 */
static void secrets_try_on(struct secrets *t, enum secrets_via via, const char *url,
			   const char *extra_env, const char *secret, int connects)
{
	static const char *const modes[] = {NULL, "--verbose", "--json", "--dry-run"};
	char env_url[2048], what[2400];
	size_t m;

	if (via == VIA_CONFIG) {
		char yml[2100];

		snprintf(yml, sizeof(yml), "url: \"%s\"\n", url);
		dbm_test_write(t->p->dir, "dbmigrate.yml", yml);
	} else {
		dbm_test_write(t->p->dir, "dbmigrate.yml", "lock_timeout: 5\n");
	}
	for (m = 0; m < DBM_ARRAY_SIZE(modes); m++) {
		const char *argv[8], *env[3] = {NULL, NULL, NULL};
		struct dbm_test_result r;
		int n = 0, e = 0;

		if (via == VIA_FLAG) {
			argv[n++] = "--url";
			argv[n++] = url;
		}
		if (modes[m])
			argv[n++] = modes[m];
		/* a server that lets us in: only read it, except for --dry-run */
		argv[n++] = connects && m != 3 ? "info" : "migrate";
		argv[n] = NULL;
		if (via == VIA_DBMIGRATE_URL || via == VIA_DATABASE_URL) {
			snprintf(env_url, sizeof(env_url), "%s=%s",
				 via == VIA_DBMIGRATE_URL ? "DBMIGRATE_URL" : "DATABASE_URL", url);
			env[e++] = env_url;
		}
		if (extra_env)
			env[e++] = extra_env;
		dbm_test_run(t->p->dir, env, argv, &r);
		snprintf(what, sizeof(what), "url %s (via %d%s%s), mode %s", url, (int)via,
			 extra_env ? ", " : "", extra_env ? extra_env : "",
			 modes[m] ? modes[m] : "plain");
		secrets_check(&r, secret, what);
		dbm_test_result_free(&r);
		t->runs++;
	}
}

static void secrets_try(struct secrets *t, enum secrets_via via, const char *url,
			const char *extra_env, const char *secret)
{
	secrets_try_on(t, via, url, extra_env, secret, 0);
}

/* url with "user:SECRET@" in place of its user part, into out. */
static void secrets_with_password(const char *server, const char *db, char *out, size_t size)
{
	const char *p = strstr(server, "://");
	const char *at, *slash;
	const char *user_end;

	assert_non_null(p);
	p += 3;
	at = strchr(p, '@');
	assert_non_null(at);
	user_end = memchr(p, ':', (size_t)(at - p));
	if (!user_end)
		user_end = at;
	slash = strchr(at, '/');
	if (!slash)
		slash = at + strlen(at);
	snprintf(out, size, "%.*s:" SECRET "%.*s/%s", (int)(user_end - server), server,
		 (int)(slash - at), at, db);
}

/* Every target a URL with the password in it can have, sent the way via says. */
static void secrets_all_targets(struct secrets *t, enum secrets_via via)
{
	const char *pg = dbm_test_server_url_part("DBM_TEST_PG_URL");
	const char *my = dbm_test_server_url_part("DBM_TEST_MYSQL_URL");
	char url[2048];

	secrets_try(t, via, "postgres://app:" SECRET "@127.0.0.1:1/app", NULL, SECRET);
	secrets_try(t, via, "mysql://app:" SECRET "@127.0.0.1:1/app", NULL, SECRET);
	secrets_try(t, via, "postgres://app:" SECRET "@no-such-host.invalid/app", NULL, SECRET);
	secrets_try(t, via, "mysql://app:" SECRET "@no-such-host.invalid/app", NULL, SECRET);
	secrets_try(t, via, "postgres://u:" SECRET "@[bad", NULL, SECRET);
	secrets_try(t, via, "mysql://u:" SECRET "@host:notaport/db", NULL, SECRET);
	secrets_try(t, via, "postgresql://u:" SECRET "@h:99999999/db?sslmode=nonsense", NULL,
		    SECRET);
	if (pg && *pg) {
		secrets_with_password(pg, "no_such_db_secrets", url, sizeof(url));
		secrets_try(t, via, url, NULL, SECRET);
		/* trust authentication: this one connects, and --dry-run prints its SQL */
		secrets_with_password(pg, "postgres", url, sizeof(url));
		secrets_try_on(t, via, url, NULL, SECRET, 1);
	}
	if (my && *my) {
		secrets_with_password(my, "", url, sizeof(url));
		secrets_try(t, via, url, NULL, SECRET);
	}
}

static void test_secrets__url_flag(void **state)
{
	struct secrets *t = *state;

	secrets_all_targets(t, VIA_FLAG);
	assert_true(t->runs >= 28);
}

static void test_secrets__config_file_url(void **state)
{
	struct secrets *t = *state;

	secrets_all_targets(t, VIA_CONFIG);
	assert_true(t->runs >= 28);
}

static void test_secrets__dbmigrate_url_variable(void **state)
{
	struct secrets *t = *state;

	secrets_all_targets(t, VIA_DBMIGRATE_URL);
	assert_true(t->runs >= 28);
}

static void test_secrets__database_url_variable(void **state)
{
	struct secrets *t = *state;

	secrets_all_targets(t, VIA_DATABASE_URL);
	assert_true(t->runs >= 28);
}

/* PGPASSWORD: libpq reads it; the URL has no password. */
static void test_secrets__pgpassword(void **state)
{
	struct secrets *t = *state;
	const char *pg = dbm_test_server_url_part("DBM_TEST_PG_URL");
	char url[2048];

	secrets_try(t, VIA_FLAG, "postgres://app@127.0.0.1:1/app", "PGPASSWORD=" SECRET, SECRET);
	secrets_try(t, VIA_FLAG, "postgres://app@no-such-host.invalid/app", "PGPASSWORD=" SECRET,
		    SECRET);
	secrets_try(t, VIA_FLAG, "host=127.0.0.1 port=1 user=app dbname=app",
		    "PGPASSWORD=" SECRET, SECRET);
	if (pg && *pg) {
		const char *slash = strrchr(pg, '/');

		snprintf(url, sizeof(url), "%.*s/no_such_db_secrets", (int)(slash - pg), pg);
		secrets_try(t, VIA_FLAG, url, "PGPASSWORD=" SECRET, SECRET);
		secrets_try_on(t, VIA_DATABASE_URL, pg, "PGPASSWORD=" SECRET, SECRET, 1);
	}
	assert_true(t->runs >= 12);
}

/* MYSQL_PWD: the URL has no password; a wrong one, then the test user's real one. */
static void test_secrets__mysql_pwd(void **state)
{
	struct secrets *t = *state;
	const char *my = dbm_test_server_url_part("DBM_TEST_MYSQL_URL");
	char url[2048], real[256], env[300];

	secrets_try(t, VIA_FLAG, "mysql://app@127.0.0.1:1/app", "MYSQL_PWD=" SECRET, SECRET);
	if (my && *my) {
		const char *p = strstr(my, "://") + 3;
		const char *colon = strchr(p, ':');
		const char *at = strchr(p, '@');

		/* the server's URL without its password */
		snprintf(url, sizeof(url), "%.*s%s", (int)(colon - my), my, at);
		secrets_try(t, VIA_FLAG, url, "MYSQL_PWD=" SECRET, SECRET);
		/* connects: the real password must not show either */
		snprintf(real, sizeof(real), "%.*s", (int)(at - colon - 1), colon + 1);
		snprintf(env, sizeof(env), "MYSQL_PWD=%s", real);
		secrets_try_on(t, VIA_FLAG, url, env, real, 1);
		secrets_try_on(t, VIA_DBMIGRATE_URL, my, NULL, real, 1);
	}
	assert_true(t->runs >= 4);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define SECRETS_TEST(name) cmocka_unit_test_setup_teardown(name, secrets_setup, secrets_teardown)
		SECRETS_TEST(test_secrets__url_flag),
		SECRETS_TEST(test_secrets__config_file_url),
		SECRETS_TEST(test_secrets__dbmigrate_url_variable),
		SECRETS_TEST(test_secrets__database_url_variable),
		SECRETS_TEST(test_secrets__pgpassword),
		SECRETS_TEST(test_secrets__mysql_pwd),
#undef SECRETS_TEST
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
