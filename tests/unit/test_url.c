/*
 * test_url.c - dbm_url_redact() on every shape of connection string a user
 * may hand us, well-formed or not, dbm_edit_distance(), and the secrets
 * list (secret.h): which texts a URL makes secret, which URLs are
 * ambiguous, and the scrubbing of every error.
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
#include "dbmigrate/config.h"
#include "dbmigrate/secret.h"
#include "testutil.h"

struct redact_case {
	const char *in;
	const char *out;
};

static void check_table(const struct redact_case *cases, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		struct dbm_buf b = DBM_BUF_INIT;

		assert_int_equal(dbm_url_redact(cases[i].in, &b), 0);
		if (strcmp(dbm_buf_cstr(&b), cases[i].out) != 0)
			fail_msg("redact(\"%s\") = \"%s\", expected \"%s\"", cases[i].in,
			         dbm_buf_cstr(&b), cases[i].out);
		assert_null(strstr(dbm_buf_cstr(&b), "secret"));
		dbm_buf_free(&b);
	}
}

static void test_url__userinfo_password(void **state)
{
	static const struct redact_case cases[] = {
	    {"postgres://app:secret@localhost:5432/app", "postgres://app:***@localhost:5432/app"},
	    {"postgresql://app:secret@db/app?sslmode=require",
	     "postgresql://app:***@db/app?sslmode=require"},
	    {"mysql://root:secret@127.0.0.1:3306/app?ssl-mode=REQUIRED",
	     "mysql://root:***@127.0.0.1:3306/app?ssl-mode=REQUIRED"},
	    {"mariadb://u:secret@h/db", "mariadb://u:***@h/db"},
	    {"postgres://:secret@host/db", "postgres://:***@host/db"},
	    {"postgres://u:@host/db", "postgres://u:***@host/db"},
	    {"postgres://u:secret@[::1]:5432/db", "postgres://u:***@[::1]:5432/db"},
	    {"postgres://u:secret@h1:5432,h2:5433/db", "postgres://u:***@h1:5432,h2:5433/db"},
	};

	check_table(cases, DBM_ARRAY_SIZE(cases));
}

static void test_url__password_with_special_characters(void **state)
{
	static const struct redact_case cases[] = {
	    {"postgres://u:se@cret@host/db", "postgres://u:***@host/db"},
	    {"postgres://u:se:cr:et@host/db", "postgres://u:***@host/db"},
	    {"postgres://u:se/cret@host/db", "postgres://u:***@host/db"},
	    {"postgres://u:s/e@c:r/et@host:5432/db?x=1", "postgres://u:***@host:5432/db?x=1"},
	    {"postgres://u:secret%40x%2F@host/db", "postgres://u:***@host/db"},
	    {"postgres://u%40corp:p%3Asecret@host/db", "postgres://u%40corp:***@host/db"},
	    {"postgres://u:se?cret@host/db", "postgres://u:***@host/db"},
	    {"postgres://u:se#cret@host/db", "postgres://u:***@host/db"},
	    {"postgres://u:se?c@ret@host/db?a=b", "postgres://u:***@host/db?a=b"},
	    {"postgres://app:p@ss?word@h/db", "postgres://app:***@h/db"},
	    {"postgres://app:p@ss#word@h/db", "postgres://app:***@h/db"},
	    {"mysql://app:p@ss/word@h/db", "mysql://app:***@h/db"},
	    {"postgres://app:Summer50%off@h/db", "postgres://app:***@h/db"},
	    {"postgres://u@h/db?password=se#cret", "postgres://u@h/db?password=***"},
	};

	check_table(cases, DBM_ARRAY_SIZE(cases));
}

static void test_url__no_password_is_unchanged(void **state)
{
	static const struct redact_case cases[] = {
	    {"postgres://app@localhost:5432/app", "postgres://app@localhost:5432/app"},
	    {"postgres://localhost/app", "postgres://localhost/app"},
	    {"postgres://[::1]:5432/app", "postgres://[::1]:5432/app"},
	    {"postgres://h1:5432,h2:5433/app", "postgres://h1:5432,h2:5433/app"},
	    {"postgresql:///app?host=/var/run/postgresql",
	     "postgresql:///app?host=/var/run/postgresql"},
	    {"sqlite:dbmigrate.db", "sqlite:dbmigrate.db"},
	    {"sqlite:///abs/path.db", "sqlite:///abs/path.db"},
	    {"host=localhost dbname=app user=app", "host=localhost dbname=app user=app"},
	    {"postgres://u@h/db?application_name=a@b", "postgres://u@h/db?application_name=a@b"},
	    {"", ""},
	};

	check_table(cases, DBM_ARRAY_SIZE(cases));
}

static void test_url__query_string_password(void **state)
{
	static const struct redact_case cases[] = {
	    {"postgres://u@h/db?password=secret", "postgres://u@h/db?password=***"},
	    {"postgres://u@h/db?password=secret&sslmode=require",
	     "postgres://u@h/db?password=***&sslmode=require"},
	    {"postgres://h/db?sslmode=require&sslpassword=secret&x=1",
	     "postgres://h/db?sslmode=require&sslpassword=***&x=1"},
	    {"postgresql:///db?host=/run/postgresql&password=secret",
	     "postgresql:///db?host=/run/postgresql&password=***"},
	    {"postgres://u:secret@h/db?PASSWORD=secret#frag", "postgres://u:***@h/db?PASSWORD=***"},
	    {"mysql://u@h/db?pwd=secret", "mysql://u@h/db?pwd=***"},
	    {"postgres://h/db?mypassword=x", "postgres://h/db?mypassword=x"},
	    {"sqlite:app.db?password=secret", "sqlite:app.db?password=***"},
	    {"sqlite:app.db?password=se@cret", "sqlite:app.db?password=***"},
	    {"postgres:se?cret@h/db", "postgres:***@h/db"},
	};

	check_table(cases, DBM_ARRAY_SIZE(cases));
}

static void test_url__conninfo_password(void **state)
{
	static const struct redact_case cases[] = {
	    {"host=x password=secret", "host=x password=***"},
	    {"password=secret host=x", "password=*** host=x"},
	    {"host=x password='se cret' dbname=app", "host=x password=*** dbname=app"},
	    {"host=x password='se\\'cret' dbname=app", "host=x password=*** dbname=app"},
	    {"host=x password = secret dbname=app", "host=x password = *** dbname=app"},
	    {"host=x sslpassword=secret", "host=x sslpassword=***"},
	    {"host=x password: secret", "host=x password: ***"},
	    {"host=x\tpassword=secret\tport=5432", "host=x\tpassword=***\tport=5432"},
	    {"host=x password='unterminated secret", "host=x password=***"},
	    {"Server=h;Password=secret;Database=d", "Server=h;Password=***"},
	    {"host=x password=", "host=x password=***"},
	    {"password=abc\\ tail host=x", "password=*** host=x"},
	    {"host=x password=a\\'b\\\\c port=1", "host=x password=*** port=1"},
	};

	check_table(cases, DBM_ARRAY_SIZE(cases));
}

static void test_url__malformed_never_shows_the_password(void **state)
{
	static const struct redact_case cases[] = {
	    {"postgres://u:secret@", "postgres://u:***@"},
	    {"postgres://u:secret@:notaport/db", "postgres://u:***@:notaport/db"},
	    {"postgres://u:secret", "postgres://u:***"},
	    {"postgres://u:secret/db", "postgres://u:***"},
	    {"postgres://u:secret?x=1", "postgres://u:***"},
	    {"nosuchscheme://u:secret@h/db", "nosuchscheme://u:***@h/db"},
	    {"u:secret@tcp(localhost:3306)/db", "u:***@tcp(localhost:3306)/db"},
	    {"mysql:u:secret@h/db", "mysql:***@h/db"},
	    {"postgres:/u:secret@h/db", "postgres:***@h/db"},
	    {"://u:secret@h", ":***@h"},
	};

	check_table(cases, DBM_ARRAY_SIZE(cases));
}

static void test_url__appends_to_the_buffer(void **state)
{
	struct dbm_buf b = DBM_BUF_INIT;

	assert_int_equal(dbm_buf_adds(&b, "url: "), 0);
	assert_int_equal(dbm_url_redact("postgres://a:b@c/d", &b), 0);
	assert_string_equal(dbm_buf_cstr(&b), "url: postgres://a:***@c/d");
	assert_int_equal(dbm_url_redact(NULL, &b), 0);
	assert_string_equal(dbm_buf_cstr(&b), "url: postgres://a:***@c/d");
	dbm_buf_free(&b);
}

static void test_url__edit_distance(void **state)
{
	char longa[200], longb[200];

	assert_int_equal(dbm_edit_distance("", ""), 0);
	assert_int_equal(dbm_edit_distance("abc", ""), 3);
	assert_int_equal(dbm_edit_distance("", "abc"), 3);
	assert_int_equal(dbm_edit_distance("lock_timeout", "lock_timeout"), 0);
	assert_int_equal(dbm_edit_distance("lock_timout", "lock_timeout"), 1);
	assert_int_equal(dbm_edit_distance("kitten", "sitting"), 3);
	assert_int_equal(dbm_edit_distance("migrate", "migrtae"), 2);
	assert_int_equal(dbm_edit_distance("flaw", "lawn"), 2);
	assert_int_equal(dbm_edit_distance("Lock_Timeout", "lock_timeout"), 0);
	memset(longa, 'a', sizeof(longa) - 1);
	longa[sizeof(longa) - 1] = '\0';
	memcpy(longb, longa, sizeof(longb));
	longb[100] = 'b';
	assert_int_equal(dbm_edit_distance(longa, longb), 1);
	assert_int_equal(dbm_edit_distance(longa, "a"), 198);
}

/* Scrubs a copy of text and fails unless it equals want. */
static void check_scrub(const char *text, const char *want)
{
	char buf[512];

	snprintf(buf, sizeof(buf), "%s", text);
	dbm_secrets_scrub(buf);
	if (strcmp(buf, want) != 0)
		fail_msg("scrub(\"%s\") = \"%s\", expected \"%s\"", text, buf, want);
}

static void test_url__scrub_replaces_every_secret_in_place(void **state)
{
	char cut[64];

	dbm_secrets_reset();
	assert_int_equal(dbm_secret_add("Zq7-secret", 10), 0);
	assert_int_equal(dbm_secret_add("ab", 2), 0); /* too short: ignored */
	check_scrub("a Zq7-secret b Zq7-secretZq7-secret", "a *** b ******");
	check_scrub("ab ab", "ab ab");
	check_scrub("", "");
	/* a text cut short in the middle of a secret loses that start too */
	snprintf(cut, sizeof(cut), "password was Zq7-se");
	dbm_secrets_scrub_cut(cut);
	assert_string_equal(cut, "password was ");
	dbm_secrets_reset();
}

static void test_url__secrets_of_a_well_formed_url(void **state)
{
	dbm_secrets_reset();
	assert_int_equal(dbm_secret_add_url("postgres://app:s3cr%40t@db.example/app"), 0);
	/* raw and decoded; the host, user and database stay */
	check_scrub("password s3cr%40t and s3cr@t for app at db.example",
	            "password *** and *** for app at db.example");
	dbm_secrets_reset();
	assert_int_equal(dbm_secret_add_url("host=db user=app password=abc\\ tail dbname=app"), 0);
	check_scrub("abc tail / abc\\ tail", "*** / ***");
	dbm_secrets_reset();
	assert_int_equal(dbm_secret_add_url("host=db password='it''s secret' dbname=app"), 0);
	dbm_secrets_reset();
	assert_int_equal(dbm_secret_add_url("mysql://u@h/db?password=qu%26ery&ssl-mode=REQUIRED"),
	                 0);
	check_scrub("qu&ery qu%26ery", "*** ***");
	dbm_secrets_reset();
}

static void test_url__secrets_of_an_ambiguous_url(void **state)
{
	dbm_secrets_reset();
	/* libpq splits at the first '@': host "ss", query "word@h/db" */
	assert_int_equal(dbm_secret_add_url("postgres://app:Pz9@Ss8?Word7@h/db"), 0);
	check_scrub("could not translate host name \"Ss8\"",
	            "could not translate host name \"***\"");
	check_scrub("invalid URI query parameter: \"Word7@h/db\"",
	            "invalid URI query parameter: \"***@h/db\"");
	check_scrub("Pz9@Ss8?Word7", "***");
	/* a piece is scrubbed only as a whole word */
	check_scrub("Word7s and Ss8x", "Word7s and Ss8x");
	dbm_secrets_reset();
	assert_int_equal(dbm_secret_add_url("mysql://app:Kp4/Qs8Wd@Jh2/db"), 0);
	check_scrub("Unknown MySQL server host 'Kp4' (-2)", "Unknown MySQL server host '***' (-2)");
	check_scrub("invalid database name 'Qs8Wd@Jh2/db'", "invalid database name '***@Jh2/db'");
	dbm_secrets_reset();
	assert_int_equal(dbm_secret_add_url("postgres:S3cret@db/x"), 0);
	check_scrub("missing \"=\" after \"postgres:S3cret@db/x\"",
	            "missing \"=\" after \"postgres:***@db/x\"");
	dbm_secrets_reset();
	assert_int_equal(dbm_secret_add_url("postgres://app:Summer50%off@h/db"), 0);
	check_scrub("invalid percent-encoded token: \"Summer50%off\"",
	            "invalid percent-encoded token: \"***\"");
	check_scrub("Summer50 off", "*** ***");
	dbm_secrets_reset();
}

static void test_url__environment_passwords_are_secret(void **state)
{
	dbm_secrets_reset();
	assert_int_equal(setenv("PGPASSWORD", "Env-Pg-Pw", 1), 0);
	assert_int_equal(setenv("MYSQL_PWD", "Env-My-Pw", 1), 0);
	assert_int_equal(dbm_secret_add_url("postgres://app@h/db"), 0);
	check_scrub("Env-Pg-Pw Env-My-Pw", "*** ***");
	unsetenv("PGPASSWORD");
	unsetenv("MYSQL_PWD");
	dbm_secrets_reset();
}

static void test_url__ambiguous_urls(void **state)
{
	static const struct {
		const char *url;
		int ambiguous;
	} cases[] = {
	    {"postgres://app:secret@h:5432/db?sslmode=require", 0},
	    {"postgres://app:s%40c%2Fret@h/db", 0},
	    {"postgres://app@h/db?application_name=a@b", 0},
	    {"postgres://app:pw@h/db?application_name=a@b", 0},
	    {"sqlite:app.db?password=Kp4x@Qs8Wd", 0},
	    {"postgres://h1:5432,h2:5433/db", 0},
	    {"postgres://[::1]:5432/db", 0},
	    {"host=h password='se cret' dbname=d", 0},
	    {"host=h password=abc\\ tail", 0},
	    {"sqlite:app.db", 0},
	    {"postgres://app:p@ss@h/db", 1},
	    {"postgres://app:p@ss?word@h/db", 1},
	    {"mysql://app:p@ss/word@h/db", 1},
	    {"postgres://app:p/ss@h/db", 1},
	    {"postgres://app:p#ss@h/db", 1},
	    {"postgres://app:p ss@h/db", 1},
	    {"postgres://app:Summer50%off@h/db", 1},
	    {"postgres:S3cret@db/x", 1},
	    {"postgres://app:secret/db", 1},
	    {"host=h password='unterminated", 1},
	};
	size_t i;

	for (i = 0; i < DBM_ARRAY_SIZE(cases); i++) {
		if (dbm_url_is_ambiguous(cases[i].url) != cases[i].ambiguous)
			fail_msg("dbm_url_is_ambiguous(\"%s\") != %d", cases[i].url,
			         cases[i].ambiguous);
	}
}

/* Every error is scrubbed as it is set: message, detail and hint. */
static void test_url__errors_are_scrubbed(void **state)
{
	struct dbm_error *e;
	char long_text[5000];

	dbm_secrets_reset();
	assert_int_equal(dbm_secret_add_url("postgres://app:Er7-Secret@h/db"), 0);
	dbm_error_set(DBM_ERR_RUN, "bad password Er7-Secret");
	dbm_error_set_detail("Er7-Secret again");
	dbm_error_set_hint("and Er7-Secret");
	e = dbm_error_last();
	assert_string_equal(e->message, "bad password ***");
	assert_string_equal(e->detail, "*** again");
	assert_string_equal(e->hint, "and ***");
	/* cut at the end of the buffer in the middle of the password */
	memset(long_text, 'x', sizeof(long_text));
	memcpy(long_text + 4095 - 5, "Er7-Secret", 10);
	long_text[sizeof(long_text) - 1] = '\0';
	dbm_error_set(DBM_ERR_RUN, "%s", long_text);
	assert_null(strstr(e->message, "Er7-S"));
	dbm_error_clear();
	dbm_secrets_reset();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_url__userinfo_password),
	    cmocka_unit_test(test_url__password_with_special_characters),
	    cmocka_unit_test(test_url__no_password_is_unchanged),
	    cmocka_unit_test(test_url__query_string_password),
	    cmocka_unit_test(test_url__conninfo_password),
	    cmocka_unit_test(test_url__malformed_never_shows_the_password),
	    cmocka_unit_test(test_url__appends_to_the_buffer),
	    cmocka_unit_test(test_url__edit_distance),
	    cmocka_unit_test(test_url__scrub_replaces_every_secret_in_place),
	    cmocka_unit_test(test_url__secrets_of_a_well_formed_url),
	    cmocka_unit_test(test_url__secrets_of_an_ambiguous_url),
	    cmocka_unit_test(test_url__environment_passwords_are_secret),
	    cmocka_unit_test(test_url__ambiguous_urls),
	    cmocka_unit_test(test_url__errors_are_scrubbed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
