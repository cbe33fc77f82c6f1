/*
 * test_version.c - version parsing, normalising and ordering (version.h).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "dbmigrate/common.h"
#include "dbmigrate/version.h"
#include "testutil.h"

static void expect_normal(const char *in, const char *want)
{
	char *out = (char *)1;

	assert_int_equal(dbm_version_normalize(in, strlen(in), &out), 0);
	assert_string_equal(out, want);
	dbm_free(out);
}

static void expect_invalid(const char *in)
{
	char *out = (char *)1;

	assert_int_equal(dbm_version_normalize(in, strlen(in), &out), DBM_ERR_USAGE);
	assert_null(out);
	assert_int_equal(dbm_version_valid(in), 0);
}

static void test_version__normalize_keeps_digits_and_turns_underscores_into_dots(void **state)
{
	(void)state;
	expect_normal("1", "1");
	expect_normal("2.1", "2.1");
	expect_normal("2024_01_15_1", "2024.01.15.1");
	expect_normal("001", "001");
	expect_normal("1_0.3", "1.0.3");
	expect_normal("20240115123456789012", "20240115123456789012");
}

static void test_version__normalize_uses_only_the_given_length(void **state)
{
	char *out = NULL;

	(void)state;
	assert_int_equal(dbm_version_normalize("12__x", 2, &out), 0);
	assert_string_equal(out, "12");
	dbm_free(out);
}

static void test_version__rejects_what_is_not_a_version(void **state)
{
	(void)state;
	expect_invalid("");
	expect_invalid(".");
	expect_invalid("1.");
	expect_invalid(".1");
	expect_invalid("1..2");
	expect_invalid("1__2");
	expect_invalid("1._2");
	expect_invalid("v1");
	expect_invalid("1a");
	expect_invalid("1-2");
	expect_invalid(" 1");
	expect_invalid("1 ");
	assert_int_equal(dbm_version_valid(NULL), 0);
}

static void test_version__valid_accepts_both_separators(void **state)
{
	(void)state;
	assert_int_equal(dbm_version_valid("1"), 1);
	assert_int_equal(dbm_version_valid("1.2_3"), 1);
	assert_int_equal(dbm_version_valid("0"), 1);
}

static void test_version__equal_forms(void **state)
{
	(void)state;
	assert_int_equal(dbm_version_cmp("1", "1.0"), 0);
	assert_int_equal(dbm_version_cmp("1", "1_0"), 0);
	assert_int_equal(dbm_version_cmp("1", "001"), 0);
	assert_int_equal(dbm_version_cmp("1.0.0", "1"), 0);
	assert_int_equal(dbm_version_cmp("2024_01_15_1", "2024.1.15.1"), 0);
	assert_int_equal(dbm_version_cmp("0", "0.0"), 0);
}

static void test_version__orders_numerically_part_by_part(void **state)
{
	(void)state;
	assert_true(dbm_version_cmp("1.10", "1.9") > 0);
	assert_true(dbm_version_cmp("1.9", "1.10") < 0);
	assert_true(dbm_version_cmp("2", "10") < 0);
	assert_true(dbm_version_cmp("1.0.1", "1") > 0);
	assert_true(dbm_version_cmp("1", "1.0.1") < 0);
	assert_true(dbm_version_cmp("1.2", "1.1.9") > 0);
	assert_true(dbm_version_cmp("009", "10") < 0);
	assert_int_equal(dbm_version_cmp("3", "2"), 1);
	assert_int_equal(dbm_version_cmp("2", "3"), -1);
}

static void test_version__long_versions_do_not_overflow(void **state)
{
	(void)state;
	assert_true(dbm_version_cmp("20240115123456789012", "20240115123456789011") > 0);
	assert_true(dbm_version_cmp("20240115123456789012", "99999999999999999999") < 0);
	assert_true(dbm_version_cmp("100000000000000000000000000000", "99999999999999999999") > 0);
	assert_int_equal(dbm_version_cmp("000020240115123456789012", "20240115123456789012.0"), 0);
}

static void test_version__null_sorts_first(void **state)
{
	(void)state;
	assert_int_equal(dbm_version_cmp(NULL, NULL), 0);
	assert_true(dbm_version_cmp(NULL, "0") < 0);
	assert_true(dbm_version_cmp("0", NULL) > 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_version__normalize_keeps_digits_and_turns_underscores_into_dots),
	    cmocka_unit_test(test_version__normalize_uses_only_the_given_length),
	    cmocka_unit_test(test_version__rejects_what_is_not_a_version),
	    cmocka_unit_test(test_version__valid_accepts_both_separators),
	    cmocka_unit_test(test_version__equal_forms),
	    cmocka_unit_test(test_version__orders_numerically_part_by_part),
	    cmocka_unit_test(test_version__long_versions_do_not_overflow),
	    cmocka_unit_test(test_version__null_sorts_first),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
