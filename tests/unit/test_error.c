/*
 * test_error.c - the last error (core/error.c): adding to its detail,
 * saving and restoring it around cleanup, and the one mapping of error
 * classes to exit codes.
 */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "dbmigrate/common.h"
#include "testutil.h"

static void test_error__add_detail_joins_parts(void **state)
{
	(void)state;
	dbm_error_set(DBM_ERR_RUN, "duplicate key");
	dbm_error_add_detail("SQLSTATE %s", "23505");
	assert_string_equal(dbm_error_last()->detail, "SQLSTATE 23505");
	dbm_error_add_detail("statement %u starts at line %u", 3u, 3u);
	assert_string_equal(dbm_error_last()->detail,
	                    "SQLSTATE 23505; statement 3 starts at line 3");
	dbm_error_add_detail("%s", "");
	assert_string_equal(dbm_error_last()->detail,
	                    "SQLSTATE 23505; statement 3 starts at line 3");
	assert_string_equal(dbm_error_last()->message, "duplicate key");
}

static void test_error__add_detail_reads_its_own_detail(void **state)
{
	/* the bug that printed "SQLSTATE 23505; ; statement 3 ...; SQLSTATE 23505; ; ..." */
	(void)state;
	dbm_error_set(DBM_ERR_RUN, "x");
	dbm_error_set_detail("Key (id)=(1) already exists.");
	dbm_error_add_detail("again: %s", dbm_error_last()->detail);
	assert_string_equal(dbm_error_last()->detail,
	                    "Key (id)=(1) already exists.; again: Key (id)=(1) already exists.");
}

static void test_error__add_detail_cuts_what_does_not_fit(void **state)
{
	char big[3000];

	(void)state;
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	dbm_error_set(DBM_ERR_RUN, "x");
	dbm_error_add_detail("%s", big);
	assert_int_equal(strlen(dbm_error_last()->detail), sizeof(dbm_error_last()->detail) - 1);
	dbm_error_add_detail("more");
	assert_int_equal(strlen(dbm_error_last()->detail), sizeof(dbm_error_last()->detail) - 1);
}

static void test_error__save_restore_keeps_the_first_error(void **state)
{
	struct dbm_error saved;

	(void)state;
	dbm_error_set(DBM_ERR_RUN, "division by zero");
	dbm_error_set_where("migrations/V1__x.sql", 4);
	snprintf(dbm_error_last()->sqlstate, sizeof(dbm_error_last()->sqlstate), "22012");
	dbm_error_save(&saved);
	dbm_error_set(DBM_ERR_RUN, "current transaction is aborted");
	dbm_error_restore(&saved);
	assert_string_equal(dbm_error_last()->message, "division by zero");
	assert_string_equal(dbm_error_last()->file, "migrations/V1__x.sql");
	assert_int_equal(dbm_error_last()->line, 4);
	assert_string_equal(dbm_error_last()->sqlstate, "22012");
}

static void test_error__exit_codes(void **state)
{
	(void)state;
	assert_int_equal(dbm_exit_code(DBM_OK), 0);
	assert_int_equal(dbm_exit_code(DBM_ERR_RUN), 1);
	assert_int_equal(dbm_exit_code(DBM_ERR_NOMEM), 1);
	assert_int_equal(dbm_exit_code(DBM_ERR_USAGE), 2);
	assert_int_equal(dbm_exit_code(DBM_ERR_VALIDATE), 3);
	assert_int_equal(dbm_exit_code(DBM_ERR_LOCK), 4);
	assert_int_equal(dbm_exit_code(DBM_ERR_INTERRUPTED), 130);
	/* once a signal asked to stop, the failure it caused exits 128 + the signal */
	dbm_interrupt_set(SIGTERM);
	dbm_interrupt_set(SIGINT); /* the first one counts */
	assert_int_equal(dbm_interrupt_signal(), SIGTERM);
	assert_int_equal(dbm_exit_code(DBM_ERR_RUN), 143);
	assert_int_equal(dbm_exit_code(DBM_ERR_INTERRUPTED), 143);
	assert_int_equal(dbm_exit_code(DBM_ERR_USAGE), 2);
	assert_int_equal(dbm_exit_code(DBM_OK), 0);
	assert_string_equal(dbm_signal_name(SIGPIPE), "SIGPIPE");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_error__add_detail_joins_parts),
	    cmocka_unit_test(test_error__add_detail_reads_its_own_detail),
	    cmocka_unit_test(test_error__add_detail_cuts_what_does_not_fit),
	    cmocka_unit_test(test_error__save_restore_keeps_the_first_error),
	    cmocka_unit_test(test_error__exit_codes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
