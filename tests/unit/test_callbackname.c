/*
 * test_callbackname.c - the names of Flyway's SQL callbacks (scan.h,
 * callbackname.c): every event's name is a callback, with or without a
 * description; a near miss gets a spelling that is itself a callback's;
 * migration names and other files are no callbacks. The scanner keeps
 * callbacks apart from migrations.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "dbmigrate/common.h"
#include "dbmigrate/scan.h"
#include "testutil.h"

/* dbm_parse_callback_name's result for name; *desc (may be NULL) is freed. */
static int cbn_parse(const char *name, int *ev, char *suggest, size_t size)
{
	char *desc = NULL;
	int r = dbm_parse_callback_name(name, ev, &desc, suggest, size);

	if (r == 1)
		assert_non_null(desc);
	else
		assert_null(desc);
	dbm_free(desc);
	return r;
}

static void test_callbackname__every_event_with_and_without_description(void **state)
{
	char name[128], suggest[128];
	char *desc = NULL;
	int i, ev = -1;

	(void)state;
	for (i = 0; i < DBM_EV_COUNT; i++) {
		assert_non_null(dbm_event_name(i));
		snprintf(name, sizeof(name), "%s.sql", dbm_event_name(i));
		assert_int_equal(cbn_parse(name, &ev, suggest, sizeof(suggest)), 1);
		assert_int_equal(ev, i);
		snprintf(name, sizeof(name), "%s__refresh_views.sql", dbm_event_name(i));
		assert_int_equal(
		    dbm_parse_callback_name(name, &ev, &desc, suggest, sizeof(suggest)), 1);
		assert_int_equal(ev, i);
		assert_string_equal(desc, "refresh views");
		dbm_free(desc);
		desc = NULL;
	}
	assert_null(dbm_event_name(DBM_EV_COUNT));
	assert_null(dbm_event_name(-1));
	assert_string_equal(dbm_event_name(DBM_EV_AFTER_MIGRATE_APPLIED), "afterMigrateApplied");
}

static void test_callbackname__near_misses_get_a_spelling_that_is_a_callback(void **state)
{
	static const char *const cases[][2] = {
	    {"beforemigrate.sql", "beforeMigrate.sql"},
	    {"BEFOREMIGRATE__x.sql", "beforeMigrate__x.sql"},
	    {"beforeMigrate_x.sql", "beforeMigrate__x.sql"},
	    {"beforeMigrate-x.sql", "beforeMigrate__x.sql"},
	    {"beforeMigrate__.sql", "beforeMigrate.sql"},
	    {"beforeMigrate.SQL", "beforeMigrate.sql"},
	    {"afterMigrate_applied.sql", "afterMigrate__applied.sql"},
	    {"aftermigrateapplied_x.sql", "afterMigrateApplied__x.sql"},
	    {"afterEachMigrate_error.sql", "afterEachMigrate__error.sql"},
	};
	char suggest[128], again[128];
	size_t i;
	int ev;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		if (cbn_parse(cases[i][0], &ev, suggest, sizeof(suggest)) != DBM_ERR_USAGE)
			fail_msg("%s is no near miss", cases[i][0]);
		if (strcmp(suggest, cases[i][1]) != 0)
			fail_msg("%s: suggested %s, want %s", cases[i][0], suggest, cases[i][1]);
		assert_int_equal(cbn_parse(suggest, &ev, again, sizeof(again)), 1);
	}
}

static void test_callbackname__migrations_and_others_are_no_callbacks(void **state)
{
	static const char *const names[] = {
	    "V1__beforeMigrate.sql", "R__afterMigrate.sql", "U1__x.sql",         "before.sql",
	    "beforeMigrateX.sql",    "afterAll.sql",        "beforeMigrate.txt", "notes.sql",
	};
	char suggest[128];
	size_t i;
	int ev;

	(void)state;
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (cbn_parse(names[i], &ev, suggest, sizeof(suggest)) != 0)
			fail_msg("%s was read as a callback", names[i]);
}

static void test_callbackname__flyway_events_not_run_are_named(void **state)
{
	char suggest[128];
	int ev;

	(void)state;
	assert_int_equal(
	    cbn_parse("beforeEachMigrateStatement__x.sql", &ev, suggest, sizeof(suggest)),
	    DBM_CALLBACK_UNSUPPORTED);
	assert_string_equal(suggest, "beforeEachMigrateStatement");
	assert_int_equal(cbn_parse("createSchema.sql", &ev, suggest, sizeof(suggest)),
	                 DBM_CALLBACK_UNSUPPORTED);
	assert_string_equal(suggest, "createSchema");
}

static void test_callbackname__scan_keeps_callbacks_apart_in_run_order(void **state)
{
	struct dbm_fileset fs = DBM_FILESET_INIT;
	char *dir = dbm_test_tmpdir(), *old = getcwd(NULL, 0);

	(void)state;
	assert_int_equal(chdir(dir), 0);
	dbm_test_write(dir, "migrations/V1__a.sql", "SELECT 1;\n");
	dbm_test_write(dir, "migrations/z/afterMigrate__a.sql", "SELECT 1;\n");
	dbm_test_write(dir, "migrations/afterMigrate__b.sql", "SELECT 1;\n");
	dbm_test_write(dir, "migrations/beforeMigrate.sql", "SELECT 1;\n");
	dbm_test_write(dir, "rollback/U1__a.sql", "SELECT 1;\n");
	dbm_test_write(dir, "rollback/beforeUndo.sql", "SELECT 1;\n");
	assert_int_equal(dbm_scan("migrations", "rollback", &fs), 0);
	assert_int_equal(fs.nversioned, 1);
	assert_int_equal(fs.nundo, 1);
	assert_int_equal(fs.ncallbacks, 4);
	assert_string_equal(fs.callbacks[0].path, "migrations/beforeMigrate.sql");
	assert_int_equal(fs.callbacks[0].kind, DBM_FILE_CALLBACK);
	assert_string_equal(fs.callbacks[1].path, "migrations/z/afterMigrate__a.sql");
	assert_string_equal(fs.callbacks[1].description, "a");
	assert_string_equal(fs.callbacks[2].path, "migrations/afterMigrate__b.sql");
	assert_string_equal(fs.callbacks[3].path, "rollback/beforeUndo.sql");
	assert_int_equal(fs.callbacks[3].event, DBM_EV_BEFORE_UNDO);
	dbm_fileset_free(&fs);
	assert_int_equal(chdir(old), 0);
	dbm_test_rmtree(dir);
	free(dir);
	free(old);
}

/* Every allocation of a scan with callbacks and a misspelt one fails cleanly. */
static void test_callbackname__every_allocation_failure_is_clean(void **state)
{
#ifdef DBM_FAILPOINTS
	char *dir = dbm_test_tmpdir(), *old = getcwd(NULL, 0);
	int i;

	(void)state;
	assert_int_equal(chdir(dir), 0);
	dbm_test_write(dir, "migrations/V1__a.sql", "");
	dbm_test_write(dir, "migrations/beforeMigrate.sql", "");
	dbm_test_write(dir, "migrations/afterMigrate__x.sql", "");
	dbm_test_write(dir, "migrations/afterMigrate__x.sql.conf", "executeInTransaction=false\n");
	dbm_test_write(dir, "migrations/sub/afterMigrate__a.sql", "");
	dbm_test_write(dir, "migrations/beforemigrate.sql", "");
	dbm_test_write(dir, "rollback/beforeUndo.sql", "");
	i = dbm_test_oom_sweep("test_callbackname", 1000, 0, 3);
	assert_true(i > 10 && i < 1000);
	assert_int_equal(chdir(old), 0);
	dbm_test_rmtree(dir);
	free(dir);
	free(old);
#else
	(void)state;
	skip();
#endif
}

#ifdef DBM_FAILPOINTS
/* The child of the sweep: one scan in the current folder. */
static int cbn_oom_child(void)
{
	struct dbm_fileset fs = DBM_FILESET_INIT;
	int r = dbm_scan("migrations", "rollback", &fs);

	dbm_fileset_free(&fs);
	if (r == DBM_ERR_NOMEM && strcmp(dbm_error_last()->message, "out of memory") == 0)
		return 0;
	if (r == DBM_ERR_USAGE &&
	    dbm_test_contains(dbm_error_last()->message, "name it \"beforeMigrate.sql\""))
		return 3; /* every allocation succeeded */
	return 1;
}
#endif

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_callbackname__every_event_with_and_without_description),
	    cmocka_unit_test(test_callbackname__near_misses_get_a_spelling_that_is_a_callback),
	    cmocka_unit_test(test_callbackname__migrations_and_others_are_no_callbacks),
	    cmocka_unit_test(test_callbackname__flyway_events_not_run_are_named),
	    cmocka_unit_test(test_callbackname__scan_keeps_callbacks_apart_in_run_order),
	    cmocka_unit_test(test_callbackname__every_allocation_failure_is_clean),
	};

#ifdef DBM_FAILPOINTS
	if (dbm_test_oom_child(argc, argv))
		return cbn_oom_child();
#endif
	(void)argc;
	(void)argv;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
