/*
 * test_history.c - the history rows in memory (src/core/history.c): reading
 * the text each client library prints, sorting, the highest rank, and the
 * errors that say a table is not a history table.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "dbmigrate/common.h"
#include "dbmigrate/history.h"
#include "testutil.h"

/* One row as a driver hands it over: text, NULL for SQL NULL. */
static int add(struct dbm_history *h, const char *rank, const char *version, const char *type,
               const char *checksum, const char *success)
{
	const char *v[DBM_HISTORY_NCOLS] = {
	    rank,     version, "create users",        type, "V1__create_users.sql",
	    checksum, "app",   "2024-01-15 10:00:00", "12", success};

	return dbm_history_add_text(h, DBM_HISTORY_NCOLS, v);
}

static void test_history__postgres_row(void **state)
{
	struct dbm_history h = DBM_HISTORY_INIT;
	const struct dbm_history_row *r;

	assert_int_equal(add(&h, "1", "1", "SQL", "1556295178", "t"), 0);
	assert_int_equal(add(&h, "2", "2", "SQL", "-1635563411", "f"), 0);
	assert_int_equal(h.n, 2);
	r = &h.rows[0];
	assert_int_equal(r->installed_rank, 1);
	assert_string_equal(r->version, "1");
	assert_string_equal(r->description, "create users");
	assert_string_equal(r->type, "SQL");
	assert_string_equal(r->script, "V1__create_users.sql");
	assert_int_equal(r->has_checksum, 1);
	assert_int_equal(r->checksum, 1556295178);
	assert_string_equal(r->installed_by, "app");
	assert_string_equal(r->installed_on, "2024-01-15 10:00:00");
	assert_int_equal(r->execution_time, 12);
	assert_int_equal(r->success, 1);
	assert_int_equal(h.rows[1].checksum, -1635563411);
	assert_int_equal(h.rows[1].success, 0);
	dbm_history_free(&h);
}

static void test_history__success_spellings(void **state)
{
	static const struct {
		const char *text;
		int value;
	} cases[] = {{"t", 1},     {"f", 0},    {"1", 1},     {"0", 0}, {"true", 1},
	             {"false", 0}, {"TRUE", 1}, {"False", 0}, {"T", 1}};
	struct dbm_history h = DBM_HISTORY_INIT;
	size_t i;

	for (i = 0; i < DBM_ARRAY_SIZE(cases); i++) {
		char rank[16];

		snprintf(rank, sizeof(rank), "%zu", i + 1);
		assert_int_equal(add(&h, rank, "1", "SQL", "0", cases[i].text), 0);
		assert_int_equal(h.rows[i].success, cases[i].value);
	}
	dbm_history_free(&h);
}

static void test_history__nulls(void **state)
{
	struct dbm_history h = DBM_HISTORY_INIT;
	const char *v[DBM_HISTORY_NCOLS] = {
	    "0",  NULL, "<< Flyway Schema Creation >>", "SCHEMA", "\"public\"", NULL, NULL, NULL,
	    NULL, "1"};

	assert_int_equal(dbm_history_add_text(&h, DBM_HISTORY_NCOLS, v), 0);
	assert_null(h.rows[0].version);
	assert_int_equal(h.rows[0].has_checksum, 0);
	assert_int_equal(h.rows[0].checksum, 0);
	assert_string_equal(h.rows[0].installed_by, "");
	assert_string_equal(h.rows[0].installed_on, "");
	assert_int_equal(h.rows[0].execution_time, 0);
	assert_string_equal(h.rows[0].type, "SCHEMA");
	dbm_history_free(&h);
}

static void expect_error(int rc, int klass, const char *message)
{
	assert_int_equal(rc, klass);
	assert_string_equal(dbm_error_last()->message, message);
}

static void test_history__bad_values(void **state)
{
	struct dbm_history h = DBM_HISTORY_INIT;
	const char *short_row[3] = {"1", "1", "x"};

	expect_error(add(&h, "7", "1", "SQL", "abc", "t"), DBM_ERR_RUN,
	             "history table row with installed_rank 7 has a bad checksum \"abc\"");
	assert_string_equal(dbm_error_last()->hint, "Check that the table option names a history "
	                                            "table written by dbmigrate or Flyway.");
	expect_error(add(&h, "7", "1", "SQL", "2147483648", "t"), DBM_ERR_RUN,
	             "history table row with installed_rank 7 has a bad checksum \"2147483648\"");
	expect_error(add(&h, "7", "1", "SQL", "1", "yes"), DBM_ERR_RUN,
	             "history table row with installed_rank 7 has a bad success \"yes\"");
	expect_error(add(&h, "7", "1", "SQL", "1", NULL), DBM_ERR_RUN,
	             "history table row with installed_rank 7 has a bad success \"NULL\"");
	expect_error(add(&h, "x7", "1", "SQL", "1", "t"), DBM_ERR_RUN,
	             "history table has a bad installed_rank \"x7\"");
	expect_error(add(&h, NULL, "1", "SQL", "1", "t"), DBM_ERR_RUN,
	             "history table has a bad installed_rank \"NULL\"");
	expect_error(add(&h, "", "1", "SQL", "1", "t"), DBM_ERR_RUN,
	             "history table has a bad installed_rank \"\"");
	expect_error(dbm_history_add_text(&h, 3, short_row), DBM_ERR_RUN,
	             "history table has 3 columns, expected 10");
	assert_int_equal(h.n, 0);
	dbm_history_free(&h);
}

/* A version that is not digits and separators is refused, not read as its digits. */
static void test_history__lenient_versions_are_refused(void **state)
{
	static const char *const bad[] = {"7x", "two", "",   "1..2", "1.",   ".1",
	                                  "v1", "1-2", " 1", "1 ",   "1.2a", "\xe2\x91\xa0"};
	struct dbm_history h = DBM_HISTORY_INIT;
	char want[128];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(want, sizeof(want),
		         "history table row with installed_rank 12 has a bad version \"%s\"",
		         bad[i]);
		expect_error(add(&h, "12", bad[i], "SQL", "1", "t"), DBM_ERR_RUN, want);
		assert_non_null(strstr(dbm_error_last()->hint, "installed_rank 12"));
	}
	assert_int_equal(h.n, 0);
	/* versions as dbmigrate and Flyway store them, and the NULL of a repeatable */
	assert_int_equal(add(&h, "1", "1", "SQL", "1", "t"), 0);
	assert_int_equal(add(&h, "2", "2024.01.15.1", "SQL", "1", "t"), 0);
	assert_int_equal(add(&h, "3", "001_2", "SQL", "1", "t"), 0);
	assert_int_equal(add(&h, "4", NULL, "SQL", "1", "t"), 0);
	assert_int_equal(h.n, 4);
	dbm_history_free(&h);
}

/* The highest rank comes back as is: the next one is the runner's to refuse (INT_MAX + 1). */
static void test_history__rank_at_int_max(void **state)
{
	struct dbm_history h = DBM_HISTORY_INIT;

	(void)state;
	assert_int_equal(add(&h, "2147483647", "1", "SQL", "1", "t"), 0);
	assert_int_equal(add(&h, "-2147483648", "2", "SQL", "1", "t"), 0);
	assert_int_equal(dbm_history_max_rank(&h), 2147483647);
	expect_error(add(&h, "2147483648", "3", "SQL", "1", "t"), DBM_ERR_RUN,
	             "history table has a bad installed_rank \"2147483648\"");
	dbm_history_free(&h);
}

/* Names that the history columns cannot hold are refused, naming the file and the limit. */
static void test_history__file_limits(void **state)
{
	char desc[300], ver[80], script[1100];

	(void)state;
	memset(desc, 'd', 200);
	desc[200] = '\0';
	assert_int_equal(dbm_history_check_file("m/V1__x.sql", "1", desc, "V1__x.sql"), 0);
	desc[200] = 'd';
	desc[201] = '\0';
	expect_error(dbm_history_check_file("m/V1__x.sql", "1", desc, "V1__x.sql"), DBM_ERR_USAGE,
	             "m/V1__x.sql: the description is 201 characters long, more than the history "
	             "table's description column holds (200)");
	assert_non_null(strstr(dbm_error_last()->hint, "at most 200 characters"));
	/* characters, not bytes: 200 two-byte characters fit */
	{
		char wide[401];
		int i;

		for (i = 0; i < 200; i++)
			memcpy(wide + 2 * i, "\xc3\xa9", 2);
		wide[400] = '\0';
		assert_int_equal(dbm_history_check_file("m/V1__x.sql", "1", wide, "V1__x.sql"), 0);
	}
	memset(ver, '1', 51);
	ver[51] = '\0';
	expect_error(dbm_history_check_file("m/V1__x.sql", ver, "x", "V1__x.sql"), DBM_ERR_USAGE,
	             "m/V1__x.sql: the version is 51 characters long, more than the history "
	             "table's version column holds (50)");
	ver[50] = '\0';
	assert_int_equal(dbm_history_check_file("m/V1__x.sql", ver, "x", "V1__x.sql"), 0);
	memset(script, 'a', 1001);
	script[1001] = '\0';
	expect_error(dbm_history_check_file("m/deep", "1", "x", script), DBM_ERR_USAGE,
	             "m/deep: the script is 1001 characters long, more than the history table's "
	             "script column holds (1000)");
	/* repeatables have no version */
	assert_int_equal(dbm_history_check_file("m/R__x.sql", NULL, "x", "R__x.sql"), 0);
}

/* A row about to be written: a version reading would refuse, a value too long. */
static void test_history__row_checks(void **state)
{
	struct dbm_history_row row;
	char by[120];

	(void)state;
	memset(&row, 0, sizeof(row));
	row.version = "two";
	row.description = "x";
	row.type = "BASELINE";
	row.script = "x";
	expect_error(dbm_history_check_row(&row), DBM_ERR_USAGE, "\"two\" is not a version");
	row.version = "2";
	assert_int_equal(dbm_history_check_row(&row), 0);
	memset(by, 'u', 101);
	by[101] = '\0';
	row.installed_by = by;
	assert_int_equal(dbm_history_check_row(&row), DBM_ERR_USAGE);
	assert_non_null(strstr(dbm_error_last()->message, "installed_by"));
	assert_non_null(strstr(dbm_error_last()->message, "(100)"));
}

static void test_history__bad_execution_time(void **state)
{
	struct dbm_history h = DBM_HISTORY_INIT;
	const char *v[DBM_HISTORY_NCOLS] = {"3", "1",  "x", "SQL", "V1__x.sql",
	                                    "1", "me", "",  "1.5", "t"};

	expect_error(dbm_history_add_text(&h, DBM_HISTORY_NCOLS, v), DBM_ERR_RUN,
	             "history table row with installed_rank 3 has a bad execution_time \"1.5\"");
	assert_int_equal(h.n, 0);
	dbm_history_free(&h);
}

static void test_history__sort_and_max_rank(void **state)
{
	struct dbm_history h = DBM_HISTORY_INIT;

	assert_int_equal(dbm_history_max_rank(&h), 0);
	assert_int_equal(dbm_history_sort(&h), 0);
	assert_int_equal(add(&h, "3", "3", "SQL", "0", "t"), 0);
	assert_int_equal(add(&h, "0", NULL, "SCHEMA", NULL, "t"), 0);
	assert_int_equal(add(&h, "12", "4", "SQL", "0", "t"), 0);
	assert_int_equal(add(&h, "2", "2", "SQL", "0", "t"), 0);
	assert_int_equal(dbm_history_max_rank(&h), 12);
	assert_int_equal(dbm_history_sort(&h), 0);
	assert_int_equal(h.rows[0].installed_rank, 0);
	assert_int_equal(h.rows[1].installed_rank, 2);
	assert_int_equal(h.rows[2].installed_rank, 3);
	assert_int_equal(h.rows[3].installed_rank, 12);
	assert_string_equal(h.rows[3].version, "4");
	assert_int_equal(dbm_history_max_rank(&h), 12);
	/* In order but for the last row: sorting still moves it. */
	assert_int_equal(add(&h, "1", "1", "SQL", "0", "t"), 0);
	assert_int_equal(dbm_history_sort(&h), 0);
	assert_int_equal(h.rows[1].installed_rank, 1);
	assert_int_equal(h.rows[4].installed_rank, 12);
	dbm_history_free(&h);
	assert_null(h.rows);
	assert_int_equal(h.n, 0);
}

static void test_history__duplicate_rank(void **state)
{
	struct dbm_history h = DBM_HISTORY_INIT;

	assert_int_equal(add(&h, "7", "3", "SQL", "0", "t"), 0);
	assert_int_equal(add(&h, "1", "1", "SQL", "0", "t"), 0);
	assert_int_equal(add(&h, "7", "4", "SQL", "0", "t"), 0);
	expect_error(dbm_history_sort(&h), DBM_ERR_RUN,
	             "history table has two rows with installed_rank 7");
	dbm_history_free(&h);
}

static void test_history__add_copies(void **state)
{
	struct dbm_history h = DBM_HISTORY_INIT;
	char version[] = "2.1";
	char desc[] = "add email";
	struct dbm_history_row row = {5,    version, desc, "UNDO_SQL", "U2.1__add_email.sql", 1, 42,
	                              "me", "now",   7,    1};
	int i;

	for (i = 0; i < 40; i++) { /* past the first growth of the array */
		row.installed_rank = i + 1;
		assert_int_equal(dbm_history_add(&h, &row), 0);
	}
	version[0] = '9';
	desc[0] = 'X';
	assert_int_equal(h.n, 40);
	assert_string_equal(h.rows[39].version, "2.1");
	assert_string_equal(h.rows[39].description, "add email");
	assert_string_equal(h.rows[39].type, "UNDO_SQL");
	assert_int_equal(h.rows[39].checksum, 42);
	assert_int_equal(h.rows[39].installed_rank, 40);
	assert_int_equal(dbm_history_max_rank(&h), 40);
	row.version = NULL;
	assert_int_equal(dbm_history_add(&h, &row), 0);
	assert_null(h.rows[40].version);
	dbm_history_free(&h);
	dbm_history_row_free(NULL);
	dbm_history_free(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_history__postgres_row),
	    cmocka_unit_test(test_history__success_spellings),
	    cmocka_unit_test(test_history__nulls),
	    cmocka_unit_test(test_history__bad_values),
	    cmocka_unit_test(test_history__bad_execution_time),
	    cmocka_unit_test(test_history__lenient_versions_are_refused),
	    cmocka_unit_test(test_history__rank_at_int_max),
	    cmocka_unit_test(test_history__file_limits),
	    cmocka_unit_test(test_history__row_checks),
	    cmocka_unit_test(test_history__sort_and_max_rank),
	    cmocka_unit_test(test_history__duplicate_rank),
	    cmocka_unit_test(test_history__add_copies),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
