/*
 * test_placeholder.c - ${name} replacement (placeholder.h).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include "dbmigrate/common.h"
#include "dbmigrate/placeholder.h"
#include "testutil.h"

static int setup(void **state)
{
	struct dbm_placeholders *p = dbm_calloc(1, sizeof(*p));

	if (!p)
		return -1;
	if (dbm_placeholders_set(p, "app_user", "ticket_app") < 0 ||
	    dbm_placeholders_set(p, "flyway:defaultSchema", "public") < 0 ||
	    dbm_placeholders_set(p, "dbmigrate:defaultSchema", "public") < 0 ||
	    dbm_placeholders_set(p, "empty", "") < 0)
		return -1;
	*state = p;
	return 0;
}

static int teardown(void **state)
{
	dbm_placeholders_free(*state);
	dbm_free(*state);
	return 0;
}

/* Applies p to line and checks the result and return code. */
static void expect_apply(const struct dbm_placeholders *p, const char *line, const char *want)
{
	struct dbm_buf out = DBM_BUF_INIT;

	assert_int_equal(dbm_placeholders_apply(p, line, strlen(line), &out), 0);
	assert_string_equal(dbm_buf_cstr(&out), want);
	dbm_buf_free(&out);
}

static void test_placeholder__replaces_every_known_name(void **state)
{
	const struct dbm_placeholders *p = *state;

	expect_apply(p, "GRANT SELECT ON t TO ${app_user};\n",
	             "GRANT SELECT ON t TO ticket_app;\n");
	expect_apply(p, "${flyway:defaultSchema}.${app_user}${app_user}",
	             "public.ticket_appticket_app");
	expect_apply(p, "x${dbmigrate:defaultSchema}", "xpublic");
	expect_apply(p, "a${empty}b", "ab");
	expect_apply(p, "", "");
}

static void test_placeholder__leaves_what_is_not_a_placeholder(void **state)
{
	const struct dbm_placeholders *p = *state;

	expect_apply(p, "$$ BEGIN RETURN 1; END $$", "$$ BEGIN RETURN 1; END $$");
	expect_apply(p, "$body$ x $body$ $1 $", "$body$ x $body$ $1 $");
	expect_apply(p, "${ app_user }", "${ app_user }");
	expect_apply(p, "${}", "${}");
	expect_apply(p, "${app_user", "${app_user");
	expect_apply(p, "$${app_user}", "$ticket_app");
	expect_apply(p, "${a b} ${app_user}", "${a b} ticket_app");
}

static void test_placeholder__names_are_case_sensitive(void **state)
{
	struct dbm_buf out = DBM_BUF_INIT;
	const char *line = "SELECT '${App_User}';";

	dbm_error_clear();
	assert_int_equal(dbm_placeholders_apply(*state, line, strlen(line), &out), DBM_ERR_USAGE);
	assert_string_equal(dbm_error_last()->message, "placeholder ${App_User} has no value");
	dbm_buf_free(&out);
}

static void test_placeholder__unresolved_name_is_an_error_with_a_hint(void **state)
{
	struct dbm_buf out = DBM_BUF_INIT;
	const char *line = "CREATE SCHEMA ${tenant.x-y};";

	dbm_error_clear();
	assert_int_equal(dbm_placeholders_apply(*state, line, strlen(line), &out), DBM_ERR_USAGE);
	assert_string_equal(dbm_error_last()->message, "placeholder ${tenant.x-y} has no value");
	assert_string_equal(dbm_error_last()->hint,
	                    "Set it with --placeholder tenant.x-y=VALUE, "
	                    "DBMIGRATE_PLACEHOLDER_TENANT.X-Y or placeholders: in dbmigrate.yml.");
	assert_string_equal(dbm_error_last()->file, "");
	dbm_buf_free(&out);

	line = "${x}";
	assert_int_equal(dbm_placeholders_apply(*state, line, strlen(line), &out), DBM_ERR_USAGE);
	assert_string_equal(dbm_error_last()->message, "placeholder ${x} has no value");
	assert_string_equal(dbm_error_last()->hint, "Set it with --placeholder x=VALUE, "
	                                            "DBMIGRATE_PLACEHOLDER_X or placeholders: in "
	                                            "dbmigrate.yml.");
	dbm_buf_free(&out);
}

static void test_placeholder__respects_the_length_given(void **state)
{
	struct dbm_buf out = DBM_BUF_INIT;
	const char *line = "a ${app_user} ${nope}";

	assert_int_equal(dbm_placeholders_apply(*state, line, 13, &out), 0);
	assert_string_equal(dbm_buf_cstr(&out), "a ticket_app");
	/* Cut inside a placeholder: not one any more, kept as written. */
	assert_int_equal(dbm_placeholders_apply(*state, line, 19, &out), 0);
	assert_string_equal(dbm_buf_cstr(&out), "a ticket_appa ticket_app ${nop");
	dbm_buf_free(&out);
}

static void test_placeholder__set_replaces_and_get_finds(void **state)
{
	struct dbm_placeholders p = DBM_PLACEHOLDERS_INIT;
	char key[16];
	int i;

	(void)state;
	assert_null(dbm_placeholders_get(&p, "a"));
	assert_int_equal(dbm_placeholders_set(&p, "a", "1"), 0);
	assert_int_equal(dbm_placeholders_set(&p, "a", "2"), 0);
	assert_int_equal(p.n, 1);
	assert_string_equal(dbm_placeholders_get(&p, "a"), "2");
	assert_null(dbm_placeholders_get(&p, "A"));
	for (i = 0; i < 40; i++) {
		snprintf(key, sizeof(key), "k%d", i);
		assert_int_equal(dbm_placeholders_set(&p, key, key), 0);
	}
	assert_int_equal(p.n, 41);
	assert_string_equal(dbm_placeholders_get(&p, "k39"), "k39");
	dbm_placeholders_free(&p);
	assert_int_equal(p.n, 0);
	assert_null(p.items);
	dbm_placeholders_free(&p);
}

/*
 * 200000 names: set and looked up through the hash index, so loading them
 * takes linear time (a linear search made this minutes long).
 */
static void test_placeholder__many_names_load_in_linear_time(void **state)
{
	struct dbm_placeholders p = DBM_PLACEHOLDERS_INIT;
	struct dbm_buf out = DBM_BUF_INIT;
	clock_t start = clock();
	char key[32], want[32];
	int i, n = 200000;

	(void)state;
	for (i = 0; i < n; i++) {
		snprintf(key, sizeof(key), "name_%d", i);
		snprintf(want, sizeof(want), "v%d", i * 7);
		assert_int_equal(dbm_placeholders_set(&p, key, want), 0);
	}
	assert_int_equal(dbm_placeholders_set(&p, "name_5", "again"), 0);
	assert_int_equal(p.n, (size_t)n);
	for (i = 0; i < n; i++) {
		snprintf(key, sizeof(key), "name_%d", i);
		snprintf(want, sizeof(want), "v%d", i * 7);
		assert_string_equal(dbm_placeholders_get(&p, key), i == 5 ? "again" : want);
	}
	assert_null(dbm_placeholders_get(&p, "name_200000"));
	assert_int_equal(dbm_placeholders_apply(&p, "${name_199999}|${name_5}", 24, &out), 0);
	assert_string_equal(dbm_buf_cstr(&out), "v1399993|again");
	/* generous even under sanitizers; quadratic work takes minutes */
	assert_true((double)(clock() - start) / CLOCKS_PER_SEC < 20.0);
	dbm_buf_free(&out);
	dbm_placeholders_free(&p);
}

/* "${" then more than DBM_PLACEHOLDER_NAME_MAX name characters is an error, closed or not. */
static void test_placeholder__name_longer_than_the_limit_is_an_error(void **state)
{
	struct dbm_placeholders p = DBM_PLACEHOLDERS_INIT;
	struct dbm_buf line = DBM_BUF_INIT, out = DBM_BUF_INIT;
	char name[DBM_PLACEHOLDER_NAME_MAX + 2];

	(void)state;
	memset(name, 'n', sizeof(name) - 1);
	name[DBM_PLACEHOLDER_NAME_MAX] = '\0'; /* exactly the limit: a placeholder */
	assert_int_equal(dbm_placeholders_set(&p, name, "ok"), 0);
	assert_int_equal(dbm_buf_addf(&line, "x ${%s} y", name), 0);
	assert_int_equal(dbm_placeholders_apply(&p, line.ptr, line.len, &out), 0);
	assert_string_equal(dbm_buf_cstr(&out), "x ok y");

	name[DBM_PLACEHOLDER_NAME_MAX] = 'n'; /* one more */
	name[DBM_PLACEHOLDER_NAME_MAX + 1] = '\0';
	dbm_buf_clear(&line);
	dbm_buf_clear(&out);
	assert_int_equal(dbm_buf_addf(&line, "x ${%s} y", name), 0);
	assert_int_equal(dbm_placeholders_apply(&p, line.ptr, line.len, &out), DBM_ERR_USAGE);
	assert_true(strstr(dbm_error_last()->message, "is longer than 256 characters") != NULL);
	assert_true(strstr(dbm_error_last()->message, "${nnnnnnnn") != NULL);

	/* megabytes of name characters, no "}": stops at the limit */
	dbm_buf_clear(&line);
	assert_int_equal(dbm_buf_adds(&line, "SELECT '${"), 0);
	while (line.len < 4 * 1024 * 1024)
		assert_int_equal(dbm_buf_adds(&line, "abcdefghij_.:-0123456789"), 0);
	assert_int_equal(dbm_placeholders_apply(&p, line.ptr, line.len, &out), DBM_ERR_USAGE);
	assert_true(strstr(dbm_error_last()->message, "longer than") != NULL);
	dbm_buf_free(&line);
	dbm_buf_free(&out);
	dbm_placeholders_free(&p);
}

/* A value that holds "${...}" is inserted as written, never replaced again. */
static void test_placeholder__values_are_not_replaced_again(void **state)
{
	struct dbm_placeholders p = DBM_PLACEHOLDERS_INIT;

	(void)state;
	assert_int_equal(dbm_placeholders_set(&p, "a", "${b}${a}"), 0);
	assert_int_equal(dbm_placeholders_set(&p, "b", "B"), 0);
	expect_apply(&p, "${a}-${b}", "${b}${a}-B");
	assert_int_equal(dbm_placeholders_set(&p, "self", "${self}"), 0);
	expect_apply(&p, "${self}${self}", "${self}${self}");
	dbm_placeholders_free(&p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_placeholder__replaces_every_known_name),
	    cmocka_unit_test(test_placeholder__leaves_what_is_not_a_placeholder),
	    cmocka_unit_test(test_placeholder__names_are_case_sensitive),
	    cmocka_unit_test(test_placeholder__unresolved_name_is_an_error_with_a_hint),
	    cmocka_unit_test(test_placeholder__respects_the_length_given),
	    cmocka_unit_test(test_placeholder__set_replaces_and_get_finds),
	    cmocka_unit_test(test_placeholder__many_names_load_in_linear_time),
	    cmocka_unit_test(test_placeholder__name_longer_than_the_limit_is_an_error),
	    cmocka_unit_test(test_placeholder__values_are_not_replaced_again),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
