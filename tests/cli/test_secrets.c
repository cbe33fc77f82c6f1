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
 *
 * Then wrong passwords of many shapes (an unencoded '@', '/', '?', '#',
 * ':', '%', space, quote or backslash) against a server that checks them,
 * in every form a URL can carry them (user info raw and percent-encoded,
 * conninfo quoted and backslash-escaped, ?password=, PGPASSWORD,
 * MYSQL_PWD): neither the password nor any piece of it between those
 * characters may show. And placeholder values: a failing statement and a
 * server message quoting the value show "${name}"; --dry-run refuses a
 * secret one.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "dbmigrate/common.h"
#include "dbtest.h"
#include "project.h"
#include "testutil.h"

#define SECRET "Zq7-s3cret-Pw"

/* How the URL reaches dbmigrate. */
enum secrets_via { VIA_FLAG, VIA_CONFIG, VIA_DBMIGRATE_URL, VIA_DATABASE_URL };

struct secrets {
	struct dbm_test_project *p; /* its folder is the cwd of every run */
	int runs;                   /* runs checked, so a test that checked nothing fails */
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
		fail_msg(
		    "%s: the password shows in the output (exit %d):\nstdout:\n%s\nstderr:\n%s",
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
	secrets_try(t, VIA_FLAG, "host=127.0.0.1 port=1 user=app dbname=app", "PGPASSWORD=" SECRET,
	            SECRET);
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

/* Wrong passwords: each piece between the characters that split URLs is distinctive. */
static const char *const secrets_shapes[] = {
    "Kp4xQs8Wd",                    /* plain */
    "Kp4x@Qs8Wd",                   /* '@' */
    "Kp4x/Qs8Wd@Jh2Mn",             /* '/' and '@': the tail looks like a host */
    "Kp4x?Qs8Wd",                   /* '?': the tail looks like a query */
    "Kp4x#Qs8Wd",                   /* '#': the tail looks like a fragment */
    "Kp4x:Qs8Wd",                   /* ':' */
    "Smr50%Kof",                    /* a '%' that is no escape */
    "Kp4x%41Qs8Wd",                 /* a '%' that is one */
    "Kp4x Qs8Wd",                   /* a space */
    "Kp4x'Qs8Wd\"Jh2Mn",            /* quotes */
    "Kp4x\\Qs8Wd",                  /* a backslash */
    "Kp4x&Qs8Wd=Jh2Mn",             /* query separators */
    "Kp4x@Qs8Wd/Jh2Mn?Zr7Tb#Lw5Vc", /* all at once */
};

/* Fails when secret or any piece of it of 3 or more bytes shows in either output. */
static void secrets_check_pieces(const struct dbm_test_result *r, const char *secret,
                                 const char *what)
{
	const char *p = secret;

	secrets_check(r, secret, what);
	while (*p) {
		size_t n = strcspn(p, "@/?#:% '\"\\&=");
		char piece[128];

		if (n >= 3 && n < sizeof(piece)) {
			memcpy(piece, p, n);
			piece[n] = '\0';
			secrets_check(r, piece, what);
		}
		p += n;
		if (*p)
			p++;
	}
}

/* s with every byte but letters and digits percent-encoded, into out. */
static void secrets_encode(const char *s, char *out, size_t size)
{
	size_t o = 0;

	for (; *s && o + 4 < size; s++) {
		unsigned char c = (unsigned char)*s;

		if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))
			out[o++] = (char)c;
		else
			o += (size_t)snprintf(out + o, size - o, "%%%02X", c);
	}
	out[o] = '\0';
}

/* s with ' and \ escaped by a backslash, for a quoted conninfo value, into out. */
static void secrets_conninfo_quote(const char *s, char *out, size_t size)
{
	size_t o = 0;

	for (; *s && o + 3 < size; s++) {
		if (*s == '\'' || *s == '\\')
			out[o++] = '\\';
		out[o++] = *s;
	}
	out[o] = '\0';
}

/* The "host:port" of a server URL (between its '@' and the next '/'), into out. */
static void secrets_host_port(const char *server, char *out, size_t size)
{
	const char *at = strchr(strstr(server, "://") + 3, '@');
	size_t n;

	assert_non_null(at);
	at++;
	n = strcspn(at, "/?");
	snprintf(out, size, "%.*s", (int)n, at);
}

/*
 * Runs migrate with url and extra_env twice, expecting a failure (the
 * password is wrong), and checks that no piece of secret shows: with
 * --verbose --json (the plain error, the debug lines and the JSON document
 * at once) and with --dry-run --verbose.
 */
static void secrets_try_wrong(struct secrets *t, const char *url, const char *extra_env,
                              const char *secret)
{
	static const char *const modes[][2] = {{"--verbose", "--json"}, {"--dry-run", "--verbose"}};
	size_t m;

	for (m = 0; m < DBM_ARRAY_SIZE(modes); m++) {
		const char *argv[6], *env[2] = {extra_env, NULL};
		struct dbm_test_result r;
		char what[1024];
		int n = 0;

		argv[n++] = "--url";
		argv[n++] = url;
		argv[n++] = modes[m][0];
		argv[n++] = modes[m][1];
		argv[n++] = "migrate";
		argv[n] = NULL;
		dbm_test_run(t->p->dir, env, argv, &r);
		snprintf(what, sizeof(what), "password '%s' in '%s'%s%s, %s %s", secret, url,
		         extra_env ? " with " : "", extra_env ? extra_env : "", modes[m][0],
		         modes[m][1]);
		if (r.status == 0)
			fail_msg("%s: a wrong password was let in:\n%s", what, r.err);
		secrets_check_pieces(&r, secret, what);
		dbm_test_result_free(&r);
		t->runs++;
	}
}

/*
 * PostgreSQL with password authentication (members of
 * dbm_password_required, tests/servers/pgsql.sh): every shape of wrong
 * password in every form.
 */
static void test_secrets__pgsql_wrong_passwords_of_many_shapes(void **state)
{
	struct secrets *t = *state;
	const char *server = dbm_testdb_server("DBM_TEST_PG_URL");
	struct dbm_conn *admin = dbm_testdb_connect(server);
	char hp[256], user[64], url[1024], enc[512], quoted[512], env[600], sql[512];
	size_t i;

	snprintf(user, sizeof(user), "dbm_pw_%ld", (long)getpid());
	dbm_testdb_exec(admin, "DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = "
	                       "'dbm_password_required') THEN CREATE ROLE dbm_password_required "
	                       "NOLOGIN; END IF; END $$");
	snprintf(sql, sizeof(sql), "DROP ROLE IF EXISTS %s", user);
	dbm_testdb_exec(admin, sql);
	snprintf(sql, sizeof(sql),
	         "CREATE ROLE %s LOGIN PASSWORD 'Right-Pw-1' IN ROLE dbm_password_required", user);
	dbm_testdb_exec(admin, sql);
	secrets_host_port(server, hp, sizeof(hp));
	for (i = 0; i < DBM_ARRAY_SIZE(secrets_shapes); i++) {
		const char *pw = secrets_shapes[i];
		const char *colon = strrchr(hp, ':');

		secrets_encode(pw, enc, sizeof(enc));
		secrets_conninfo_quote(pw, quoted, sizeof(quoted));
		snprintf(url, sizeof(url), "postgres://%s:%s@%s/postgres", user, pw, hp);
		secrets_try_wrong(t, url, NULL, pw);
		snprintf(url, sizeof(url), "postgresql://%s:%s@%s/postgres?sslmode=disable", user,
		         enc, hp);
		secrets_try_wrong(t, url, NULL, pw);
		snprintf(url, sizeof(url), "postgres://%s@%s/postgres?password=%s", user, hp, enc);
		secrets_try_wrong(t, url, NULL, pw);
		/* TLS required by a server that has none: the TLS error, not the password's */
		snprintf(url, sizeof(url), "postgres://%s:%s@%s/no_such_db?sslmode=require", user,
		         pw, hp);
		secrets_try_wrong(t, url, NULL, pw);
		snprintf(url, sizeof(url),
		         "host=%.*s port=%s user=%s password='%s' dbname=postgres",
		         (int)(colon - hp), hp, colon + 1, user, quoted);
		secrets_try_wrong(t, url, NULL, pw);
		snprintf(url, sizeof(url), "postgres://%s@%s/postgres", user, hp);
		snprintf(env, sizeof(env), "PGPASSWORD=%s", pw);
		secrets_try_wrong(t, url, env, pw);
	}
	/* conninfo, unquoted with a backslash before the space: libpq reads "Kp4x Qs8Wd" */
	snprintf(url, sizeof(url), "host=127.0.0.1 port=%s user=%s password=Kp4x\\ Qs8Wd",
	         strrchr(hp, ':') + 1, user);
	secrets_try_wrong(t, url, NULL, "Kp4x Qs8Wd");
	snprintf(sql, sizeof(sql), "DROP ROLE %s", user);
	dbm_testdb_exec(admin, sql);
	admin->driver->disconnect(admin);
	assert_int_equal(t->runs, (int)(DBM_ARRAY_SIZE(secrets_shapes) * 6 + 1) * 2);
}

/* MariaDB: the test user with every shape of wrong password, in the URL and in MYSQL_PWD. */
static void test_secrets__mysql_wrong_passwords_of_many_shapes(void **state)
{
	struct secrets *t = *state;
	const char *server = dbm_testdb_server("DBM_TEST_MYSQL_URL");
	char hp[256], user[128], url[1024], enc[512], env[600];
	const char *p = strstr(server, "://") + 3;
	size_t i;

	snprintf(user, sizeof(user), "%.*s", (int)strcspn(p, ":@"), p);
	secrets_host_port(server, hp, sizeof(hp));
	for (i = 0; i < DBM_ARRAY_SIZE(secrets_shapes); i++) {
		const char *pw = secrets_shapes[i];

		secrets_encode(pw, enc, sizeof(enc));
		snprintf(url, sizeof(url), "mysql://%s:%s@%s/", user, pw, hp);
		secrets_try_wrong(t, url, NULL, pw);
		snprintf(url, sizeof(url), "mariadb://%s:%s@%s/?connect-timeout=5", user, enc, hp);
		secrets_try_wrong(t, url, NULL, pw);
		/* a CA file that does not exist: the TLS set-up fails */
		snprintf(url, sizeof(url),
		         "mysql://%s:%s@%s/nodb?ssl-mode=VERIFY_CA&ssl-ca=/nonexistent/ca.pem",
		         user, pw, hp);
		secrets_try_wrong(t, url, NULL, pw);
		snprintf(url, sizeof(url), "mysql://%s@%s/", user, hp);
		snprintf(env, sizeof(env), "MYSQL_PWD=%s", pw);
		secrets_try_wrong(t, url, env, pw);
	}
	assert_int_equal(t->runs, (int)DBM_ARRAY_SIZE(secrets_shapes) * 4 * 2);
}

/*
 * Other failure points with unencoded passwords: a closed port, a host
 * that does not resolve, a port that is not a number; and SQLite URLs
 * with a query string. No server needed.
 */
static void test_secrets__ambiguous_urls_at_every_failure_point(void **state)
{
	struct secrets *t = *state;
	static const char *const forms[] = {
	    "postgres://app:%s@127.0.0.1:1/app",
	    "postgres://app:%s@127.0.0.1:notaport/app",
	    "postgres:%s@127.0.0.1/app",
	    "mysql://app:%s@127.0.0.1:1/app",
	    "mariadb://app:%s@127.0.0.1:notaport/app?ssl-mode=REQUIRED",
	    "sqlite:app.db?password=%s",
	};
	/* a name lookup takes long: only the shapes that split the authority */
	static const char *const dns_forms[] = {
	    "postgres://app:%s@no-such-host.invalid/app",
	    "mysql://app:%s@no-such-host.invalid/app",
	};
	static const size_t dns_shapes[] = {2, 3, 12};
	char url[1024];
	size_t i, f;

	for (i = 0; i < DBM_ARRAY_SIZE(secrets_shapes); i++) {
		for (f = 0; f < DBM_ARRAY_SIZE(forms); f++) {
			snprintf(url, sizeof(url), forms[f], secrets_shapes[i]);
			secrets_try_wrong(t, url, NULL, secrets_shapes[i]);
		}
	}
	for (i = 0; i < DBM_ARRAY_SIZE(dns_shapes); i++) {
		for (f = 0; f < DBM_ARRAY_SIZE(dns_forms); f++) {
			snprintf(url, sizeof(url), dns_forms[f], secrets_shapes[dns_shapes[i]]);
			secrets_try_wrong(t, url, NULL, secrets_shapes[dns_shapes[i]]);
		}
	}
	assert_int_equal(t->runs, (int)(DBM_ARRAY_SIZE(secrets_shapes) * DBM_ARRAY_SIZE(forms) +
	                                DBM_ARRAY_SIZE(dns_shapes) * DBM_ARRAY_SIZE(dns_forms)) *
	                              2);
}

/*
 * Placeholder values are never shown: not in a failing statement's
 * detail, not in the server's message that quotes the value, not in
 * --dry-run (which refuses a secret one, or keeps a stand-in "${name}").
 */
static void test_secrets__placeholder_values_never_shown(void **state)
{
	struct secrets *t = *state;
	const char *argv[8];
	struct dbm_test_result r;
	const char *value = "RptVx8QzVal";

	dbm_test_write(
	    t->p->dir, "dbmigrate.yml",
	    "url: \"sqlite:secrets.db\"\nplaceholders:\n  reporting_pw: \"RptVx8QzVal\"\n");
	dbm_test_write(t->p->dir, "migrations/V2__b.sql",
	               "CREATE TABLE b (id INT);\nINSERT INTO ${reporting_pw} VALUES (1);\n");
	argv[0] = "migrate";
	argv[1] = NULL;
	dbm_test_run(t->p->dir, NULL, argv, &r);
	assert_int_equal(r.status, 1);
	secrets_check(&r, value, "a statement that failed");
	assert_true(dbm_test_contains(r.err, "INSERT INTO ${reporting_pw} VALUES (1)"));
	dbm_test_result_free(&r);

	argv[0] = "--json";
	argv[1] = "migrate";
	argv[2] = NULL;
	dbm_test_run(t->p->dir, NULL, argv, &r);
	assert_int_equal(r.status, 1);
	secrets_check(&r, value, "a statement that failed, --json");
	dbm_test_result_free(&r);

	/* a dry run replaces placeholders, so that it replays; a secret one it refuses */
	argv[0] = "migrate";
	argv[1] = "--dry-run";
	argv[2] = NULL;
	dbm_test_run(t->p->dir, NULL, argv, &r);
	assert_int_equal(r.status, 2);
	secrets_check(&r, value, "--dry-run");
	assert_true(dbm_test_contains(r.err, "migrations/V2__b.sql:2: error: placeholder "
	                                     "${reporting_pw} holds a secret"));
	dbm_test_result_free(&r);
	/* with the placeholder itself as a stand-in, the script keeps "${name}" */
	argv[0] = "--placeholder";
	argv[1] = "reporting_pw=${reporting_pw}";
	argv[2] = "migrate";
	argv[3] = "--dry-run";
	argv[4] = NULL;
	dbm_test_run(t->p->dir, NULL, argv, &r);
	assert_int_equal(r.status, 0);
	secrets_check(&r, value, "--dry-run with a stand-in");
	assert_true(dbm_test_contains(r.out, "INSERT INTO ${reporting_pw} VALUES (1)"));
	dbm_test_result_free(&r);

	/* from the command line too, and a value the server's message quotes */
	argv[0] = "--placeholder";
	argv[1] = "reporting_pw=CmdQw9LkVal";
	argv[2] = "--verbose";
	argv[3] = "migrate";
	argv[4] = NULL;
	dbm_test_run(t->p->dir, NULL, argv, &r);
	assert_int_equal(r.status, 1);
	secrets_check(&r, "CmdQw9LkVal", "--placeholder, a statement that failed");
	assert_true(dbm_test_contains(r.err, "no such table: ***"));
	dbm_test_result_free(&r);
}

/* PostgreSQL quotes a bad value in its message: the value is scrubbed from it. */
static void test_secrets__pgsql_server_message_quoting_a_placeholder(void **state)
{
	struct dbm_testdb *db = dbm_testdb_state(state, "DBM_TEST_PG_URL");
	const char *argv[6];
	struct dbm_test_result r;

	dbm_test_write(db->dir, "migrations/V1__a.sql",
	               "CREATE TABLE a (id INT);\nSELECT '${api_token}'::int;\n");
	argv[0] = "--url";
	argv[1] = db->url;
	argv[2] = "--placeholder";
	argv[3] = "api_token=Tok-9Xr2Lq";
	argv[4] = "migrate";
	argv[5] = NULL;
	dbm_test_run(db->dir, NULL, argv, &r);
	assert_int_equal(r.status, 1);
	secrets_check(&r, "Tok-9Xr2Lq", "a server message quoting a placeholder value");
	assert_true(dbm_test_contains(r.err, "invalid input syntax for type integer"));
	assert_true(dbm_test_contains(r.err, "SELECT '${api_token}'::int"));
	dbm_test_result_free(&r);
}

/* A config file holding a password gets a warning when other users may read it. */
static void test_secrets__config_file_readable_by_others(void **state)
{
	struct secrets *t = *state;
	const char *argv[] = {"migrate", NULL};
	char path[2048];
	struct dbm_test_result r;

	dbm_test_write(t->p->dir, "dbmigrate.yml",
	               "url: \"postgres://app:Cf9-Wq2Lm@127.0.0.1:1/app\"\n");
	snprintf(path, sizeof(path), "%s/dbmigrate.yml", t->p->dir);
	assert_int_equal(chmod(path, 0644), 0);
	dbm_test_run(t->p->dir, NULL, argv, &r);
	secrets_check(&r, "Cf9-Wq2Lm", "config file 0644");
	assert_true(dbm_test_contains(r.err, "other users may read it"));
	dbm_test_result_free(&r);
	assert_int_equal(chmod(path, 0600), 0);
	dbm_test_run(t->p->dir, NULL, argv, &r);
	secrets_check(&r, "Cf9-Wq2Lm", "config file 0600");
	assert_false(dbm_test_contains(r.err, "other users may read it"));
	dbm_test_result_free(&r);
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
	    SECRETS_TEST(test_secrets__pgsql_wrong_passwords_of_many_shapes),
	    SECRETS_TEST(test_secrets__mysql_wrong_passwords_of_many_shapes),
	    SECRETS_TEST(test_secrets__ambiguous_urls_at_every_failure_point),
	    SECRETS_TEST(test_secrets__placeholder_values_never_shown),
	    SECRETS_TEST(test_secrets__config_file_readable_by_others),
#undef SECRETS_TEST
	    cmocka_unit_test_setup_teardown(
	        test_secrets__pgsql_server_message_quoting_a_placeholder, dbm_testdb_setup_pgsql,
	        dbm_testdb_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
