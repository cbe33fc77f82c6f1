/*
 * test_url.c - dbm_url_redact() on every shape of connection string a user
 * may hand us, well-formed or not, and dbm_edit_distance().
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "dbmigrate/common.h"
#include "dbmigrate/config.h"
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
	    {"postgres://u:secret@h/db?PASSWORD=secret#frag",
	     "postgres://u:***@h/db?PASSWORD=***#frag"},
	    {"mysql://u@h/db?pwd=secret", "mysql://u@h/db?pwd=***"},
	    {"postgres://h/db?mypassword=x", "postgres://h/db?mypassword=x"},
	    {"sqlite:app.db?password=secret", "sqlite:app.db?password=***"},
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
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
