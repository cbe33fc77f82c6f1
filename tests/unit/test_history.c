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
	    cmocka_unit_test(test_history__sort_and_max_rank),
	    cmocka_unit_test(test_history__duplicate_rank),
	    cmocka_unit_test(test_history__add_copies),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
