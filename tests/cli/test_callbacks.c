/*
 * test_callbacks.c - Flyway's SQL callbacks run by the dbmigrate binary on
 * the embedded SQLite default: every callback writes its event into a log
 * table of the project, and the tests assert the order of the log's rows,
 * the history rows (callbacks never have one), the exit codes and messages.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "project.h"
#include "testutil.h"

/* A log table made by a first migrate, so that later runs find a schema with history. */
static void cb_start(struct dbm_test_project *p)
{
	struct dbm_test_result r;

	dbm_test_write(p->dir, "migrations/V1__log.sql",
	               "CREATE TABLE cb_log (n INTEGER PRIMARY KEY AUTOINCREMENT, ev TEXT);\n");
	dbm_test_project_run(p, &r, "migrate", NULL);
	if (r.status != 0)
		fail_msg("migrate exited %d: %s", r.status, r.err);
	dbm_test_result_free(&r);
}

/* Writes folder/name: a callback that logs text. */
static void cb_write(struct dbm_test_project *p, const char *folder, const char *name,
                     const char *text)
{
	char rel[256], sql[512];

	snprintf(rel, sizeof(rel), "%s/%s", folder, name);
	snprintf(sql, sizeof(sql), "-- a callback\nINSERT INTO cb_log (ev) VALUES ('%s');\n", text);
	dbm_test_write(p->dir, rel, sql);
}

#define LOG "SELECT ev FROM cb_log ORDER BY n"

static void test_callbacks__migrate_events_run_in_flyway_order(void **state)
{
	struct dbm_test_project *p = *state;
	struct dbm_test_result r;

	cb_start(p);
	cb_write(p, "migrations", "beforeConnect.sql", "beforeConnect");
	cb_write(p, "migrations", "afterConnect.sql", "afterConnect");
	cb_write(p, "migrations", "beforeMigrate.sql", "beforeMigrate");
	/* placeholders apply: the built-in file name and the user's */
	cb_write(p, "migrations", "beforeEachMigrate.sql", "beforeEachMigrate ${flyway:filename}");
	cb_write(p, "migrations", "afterEachMigrate.sql", "afterEachMigrate ${who}");
	cb_write(p, "migrations", "afterVersioned.sql", "afterVersioned");
	cb_write(p, "migrations", "beforeRepeatables.sql", "beforeRepeatables");
	cb_write(p, "migrations", "afterMigrateApplied.sql", "afterMigrateApplied");
	/* several per event run in file-name order, wherever they are */
	cb_write(p, "migrations/z", "afterMigrate__a_first.sql", "afterMigrate a");
	cb_write(p, "migrations", "afterMigrate__b_second.sql", "afterMigrate b");
	cb_write(p, "migrations", "afterMigrate.sql", "afterMigrate");
	dbm_test_write(p->dir, "migrations/V2__t.sql", "CREATE TABLE t (id INT);\n");
	dbm_test_write(
	    p->dir, "migrations/R__v.sql",
	    "CREATE VIEW v AS SELECT 1 AS x;\nINSERT INTO cb_log (ev) VALUES ('R v');\n");
	dbm_test_project_run(p, &r, "migrate", "--placeholder", "who=ops", NULL);
	assert_int_equal(r.status, 0);
	assert_true(dbm_test_contains(r.out, "Applied 2 migrations, now at version 2"));
	assert_true(dbm_test_contains(r.err, "callback beforeMigrate: beforeMigrate.sql ... done"));
	dbm_test_result_free(&r);
	dbm_test_project_assert_rows(
	    p, LOG,
	    "beforeConnect\nafterConnect\nbeforeMigrate\n"
	    "beforeEachMigrate beforeEachMigrate.sql\nafterEachMigrate ops\n"
	    "afterVersioned\nbeforeRepeatables\n"
	    "beforeEachMigrate beforeEachMigrate.sql\nR v\nafterEachMigrate ops\n"
	    "afterMigrateApplied\nafterMigrate\nafterMigrate a\n"
	    "afterMigrate b\n");
	/* callbacks are never recorded, and leave the migrations' checksums alone */
	dbm_test_project_assert_rows(
	    p, "SELECT installed_rank, version, script FROM schema_history ORDER BY installed_rank",
	    "1|1|V1__log.sql\n2|2|V2__t.sql\n3|NULL|R__v.sql\n");
	dbm_test_project_assert_rows(p, "SELECT checksum FROM schema_history WHERE version = '2'",
	                             "1556295178\n");
	dbm_test_project_exec(p, "DELETE FROM cb_log");
	dbm_test_project_run(p, &r, "validate", NULL);
	assert_int_equal(r.status, 0);
	assert_true(dbm_test_contains(r.out, "Validated 3 migrations"));
	dbm_test_result_free(&r);

	/* nothing pending: no "each" and no afterMigrateApplied; afterVersioned still runs */
	dbm_test_project_exec(p, "DELETE FROM cb_log");
	dbm_test_project_run(p, &r, "migrate", "--placeholder", "who=ops", NULL);
	assert_int_equal(r.status, 0);
	assert_true(dbm_test_contains(r.out, "Schema is up to date at version 2"));
	dbm_test_result_free(&r);
	dbm_test_project_assert_rows(p, LOG,
	                             "beforeConnect\nafterConnect\nbeforeMigrate\nafterVersioned\n"
	                             "afterMigrate\nafterMigrate a\nafterMigrate b\n");
}

static void test_callbacks__undo_events_around_each_rollback(void **state)
{
	struct dbm_test_project *p = *state;
	struct dbm_test_result r;

	cb_start(p);
	dbm_test_write(p->dir, "migrations/V2__a.sql", "CREATE TABLE a (id INT);\n");
	dbm_test_write(p->dir, "migrations/V3__b.sql", "CREATE TABLE b (id INT);\n");
	dbm_test_write(p->dir, "rollback/U2__a.sql",
	               "DROP TABLE a;\nINSERT INTO cb_log (ev) VALUES ('U2');\n");
	dbm_test_write(p->dir, "rollback/U3__b.sql",
	               "DROP TABLE b;\nINSERT INTO cb_log (ev) VALUES ('U3');\n");
	dbm_test_project_run(p, &r, "migrate", NULL);
	assert_int_equal(r.status, 0);
	dbm_test_result_free(&r);
	/* undo callbacks may sit in the rollback folder too */
	cb_write(p, "rollback", "beforeUndo.sql", "beforeUndo");
	cb_write(p, "rollback", "beforeEachUndo.sql", "beforeEachUndo ${flyway:filename}");
	cb_write(p, "migrations", "afterEachUndo.sql", "afterEachUndo");
	cb_write(p, "migrations", "afterUndo.sql", "afterUndo");
	cb_write(p, "migrations", "afterUndoError.sql", "afterUndoError");
	cb_write(p, "migrations", "beforeMigrate.sql", "beforeMigrate");
	dbm_test_project_run(p, &r, "rollback", "--steps", "2", NULL);
	assert_int_equal(r.status, 0);
	assert_true(dbm_test_contains(r.out, "Undid 2 versions"));
	dbm_test_result_free(&r);
	dbm_test_project_assert_rows(
	    p, LOG,
	    "beforeUndo\nbeforeEachUndo beforeEachUndo.sql\nU3\nafterEachUndo\n"
	    "beforeEachUndo beforeEachUndo.sql\nU2\nafterEachUndo\nafterUndo\n");
	dbm_test_project_assert_rows(
	    p,
	    "SELECT version, type, script FROM schema_history WHERE installed_rank > 3 "
	    "ORDER BY installed_rank",
	    "3|UNDO_SQL|U3__b.sql\n2|UNDO_SQL|U2__a.sql\n");
}

static void test_callbacks__failing_undo_runs_the_undo_error_events(void **state)
{
	struct dbm_test_project *p = *state;
	struct dbm_test_result r;

	cb_start(p);
	dbm_test_write(p->dir, "migrations/V2__a.sql", "CREATE TABLE a (id INT);\n");
	dbm_test_write(p->dir, "rollback/U2__a.sql",
	               "INSERT INTO cb_log (ev) VALUES ('U2');\nDROP TABLE not_a;\n");
	dbm_test_project_run(p, &r, "migrate", NULL);
	assert_int_equal(r.status, 0);
	dbm_test_result_free(&r);
	cb_write(p, "migrations", "beforeUndo.sql", "beforeUndo");
	cb_write(p, "migrations", "beforeEachUndo.sql", "beforeEachUndo");
	cb_write(p, "migrations", "afterEachUndoError.sql", "afterEachUndoError");
	cb_write(p, "migrations", "afterUndoError.sql", "afterUndoError");
	cb_write(p, "migrations", "afterUndo.sql", "afterUndo");
	dbm_test_project_run(p, &r, "rollback", NULL);
	assert_int_equal(r.status, 1);
	assert_true(dbm_test_contains(r.err, "rollback/U2__a.sql:2: error: no such table: not_a"));
	dbm_test_result_free(&r);
	/* the undo and its beforeEachUndo row were rolled back together */
	dbm_test_project_assert_rows(p, LOG, "beforeUndo\nafterEachUndoError\nafterUndoError\n");
	dbm_test_project_assert_rows(
	    p, "SELECT count(*) FROM schema_history WHERE type = 'UNDO_SQL'", "0\n");

	/* baseline refused on a database with history: its error event runs */
	cb_write(p, "migrations", "afterBaselineError.sql", "afterBaselineError");
	dbm_test_project_exec(p, "DELETE FROM cb_log");
	dbm_test_project_run(p, &r, "baseline", NULL);
	assert_int_equal(r.status, 2);
	dbm_test_result_free(&r);
	dbm_test_project_assert_rows(p, LOG, "afterBaselineError\n");
}

static void test_callbacks__validate_info_repair_baseline_and_clean_events(void **state)
{
	struct dbm_test_project *p = *state;
	struct dbm_test_result r;

	cb_start(p);
	cb_write(p, "migrations", "beforeValidate.sql", "beforeValidate");
	cb_write(p, "migrations", "afterValidate.sql", "afterValidate");
	cb_write(p, "migrations", "afterValidateError.sql", "afterValidateError");
	cb_write(p, "migrations", "beforeInfo.sql", "beforeInfo");
	cb_write(p, "migrations", "afterInfo.sql", "afterInfo");
	cb_write(p, "migrations", "beforeRepair.sql", "beforeRepair");
	cb_write(p, "migrations", "afterRepair.sql", "afterRepair");
	dbm_test_project_run(p, &r, "validate", NULL);
	assert_int_equal(r.status, 0);
	dbm_test_result_free(&r);
	dbm_test_project_run(p, &r, "info", NULL);
	assert_int_equal(r.status, 0);
	dbm_test_result_free(&r);
	/* an edited migration: validate fails, the error event runs */
	dbm_test_write(
	    p->dir, "migrations/V1__log.sql",
	    "CREATE TABLE cb_log (n INTEGER PRIMARY KEY AUTOINCREMENT, ev TEXT); -- x\n");
	dbm_test_project_run(p, &r, "validate", NULL);
	assert_int_equal(r.status, 3);
	dbm_test_result_free(&r);
	dbm_test_project_run(p, &r, "repair", NULL);
	assert_int_equal(r.status, 0);
	dbm_test_result_free(&r);
	dbm_test_project_assert_rows(
	    p, LOG,
	    "beforeValidate\nafterValidate\nbeforeInfo\nafterInfo\n"
	    "beforeValidate\nafterValidateError\nbeforeRepair\nafterRepair\n");

	/*
	 * clean drops the log table: its callbacks log into a database of their
	 * own, attached outside a transaction (SQLite refuses ATTACH in one),
	 * which the script's .conf asks for as it does for a migration
	 */
	dbm_test_write(p->dir, "dbmigrate.yml", "clean_disabled: false\n");
	dbm_test_write(p->dir, "side.db", ""); /* dbmigrate opens, never creates, attached files */
	dbm_test_write(
	    p->dir, "migrations/beforeClean.sql",
	    "ATTACH DATABASE 'side.db' AS side;\n"
	    "CREATE TABLE side.log (n INTEGER PRIMARY KEY AUTOINCREMENT, ev TEXT);\n"
	    "INSERT INTO side.log (ev) VALUES ('beforeClean');\nDETACH DATABASE side;\n");
	dbm_test_write(p->dir, "migrations/beforeClean.sql.conf", "executeInTransaction=false\n");
	dbm_test_write(
	    p->dir, "migrations/afterClean.sql",
	    "ATTACH DATABASE 'side.db' AS side;\n"
	    "INSERT INTO side.log (ev) SELECT 'afterClean ' || count(*) FROM sqlite_master "
	    "WHERE name NOT LIKE 'sqlite_%';\n"
	    "DETACH DATABASE side;\n");
	dbm_test_write(p->dir, "migrations/afterClean.sql.conf", "executeInTransaction=false\n");
	dbm_test_project_run(p, &r, "clean", "--yes", NULL);
	if (r.status != 0)
		fail_msg("clean exited %d: %s", r.status, r.err);
	dbm_test_result_free(&r);
	{
		/* read here, the log's path is the project's: this process runs elsewhere */
		char sql[1200];

		snprintf(sql, sizeof(sql),
		         "ATTACH DATABASE '%s/side.db' AS side; CREATE TABLE copy AS SELECT ev "
		         "FROM side.log ORDER BY n; DETACH DATABASE side",
		         p->dir);
		dbm_test_project_exec(p, sql);
	}
	dbm_test_project_assert_rows(p, "SELECT ev FROM copy", "beforeClean\nafterClean 0\n");

	/* baseline on a database with a table but no history */
	dbm_test_project_exec(p, "DROP TABLE copy; CREATE TABLE cb_log (n INTEGER PRIMARY KEY "
	                         "AUTOINCREMENT, ev TEXT)");
	cb_write(p, "migrations", "beforeBaseline.sql", "beforeBaseline");
	cb_write(p, "migrations", "afterBaseline.sql", "afterBaseline");
	dbm_test_project_run(p, &r, "baseline", "--version", "5", NULL);
	assert_int_equal(r.status, 0);
	dbm_test_result_free(&r);
	dbm_test_project_assert_rows(p, LOG, "beforeBaseline\nafterBaseline\n");
	dbm_test_project_assert_rows(p, "SELECT version, type FROM schema_history", "5|BASELINE\n");
}

/*
 * info, repair and clean that fail after their before event run their
 * error event, and not their after event: an applied repeatable whose
 * placeholder lost its value fails info's and repair's plan; a beforeClean
 * that leaves a transaction open makes clean's own BEGIN fail.
 */
static void test_callbacks__info_repair_and_clean_error_events(void **state)
{
	struct dbm_test_project *p = *state;
	struct dbm_test_result r;

	cb_start(p);
	dbm_test_write(p->dir, "migrations/R__v.sql", "CREATE VIEW v AS SELECT 1 AS x;\n");
	dbm_test_project_run(p, &r, "migrate", NULL);
	assert_int_equal(r.status, 0);
	dbm_test_result_free(&r);
	dbm_test_write(p->dir, "migrations/R__v.sql", "CREATE VIEW v AS SELECT ${nope} AS x;\n");
	cb_write(p, "migrations", "beforeInfo.sql", "beforeInfo");
	cb_write(p, "migrations", "afterInfo.sql", "afterInfo");
	cb_write(p, "migrations", "afterInfoError.sql", "afterInfoError");
	cb_write(p, "migrations", "beforeRepair.sql", "beforeRepair");
	cb_write(p, "migrations", "afterRepair.sql", "afterRepair");
	cb_write(p, "migrations", "afterRepairError.sql", "afterRepairError");
	dbm_test_project_run(p, &r, "info", NULL);
	assert_int_equal(r.status, 2);
	assert_true(dbm_test_contains(r.err, "migrations/R__v.sql:1: error: placeholder ${nope} "
	                                     "has no value"));
	assert_true(dbm_test_contains(r.err, "callback afterInfoError: afterInfoError.sql"));
	dbm_test_result_free(&r);
	dbm_test_project_assert_rows(p, LOG, "beforeInfo\nafterInfoError\n");
	dbm_test_project_exec(p, "DELETE FROM cb_log");
	dbm_test_project_run(p, &r, "repair", NULL);
	assert_int_equal(r.status, 2);
	assert_true(dbm_test_contains(r.err, "callback afterRepairError: afterRepairError.sql"));
	dbm_test_result_free(&r);
	dbm_test_project_assert_rows(p, LOG, "beforeRepair\nafterRepairError\n");
	/* with the value back, both succeed and their after events run */
	dbm_test_project_exec(p, "DELETE FROM cb_log");
	dbm_test_project_run(p, &r, "info", "--placeholder", "nope=1", NULL);
	assert_int_equal(r.status, 0);
	dbm_test_result_free(&r);
	dbm_test_project_assert_rows(p, LOG, "beforeInfo\nafterInfo\n");

	dbm_test_write(p->dir, "dbmigrate.yml", "clean_disabled: false\n");
	dbm_test_write(p->dir, "migrations/beforeClean.sql",
	               "INSERT INTO cb_log (ev) VALUES ('beforeClean');\nBEGIN;\n");
	dbm_test_write(p->dir, "migrations/beforeClean.sql.conf", "executeInTransaction=false\n");
	cb_write(p, "migrations", "afterClean.sql", "afterClean");
	cb_write(p, "migrations", "afterCleanError.sql", "afterCleanError");
	dbm_test_project_exec(p, "DELETE FROM cb_log");
	dbm_test_project_run(p, &r, "clean", "--yes", NULL);
	assert_int_equal(r.status, 1);
	assert_true(dbm_test_contains(r.err, "cannot start a transaction within a transaction"));
	assert_true(dbm_test_contains(r.err, "callback afterCleanError: afterCleanError.sql"));
	dbm_test_result_free(&r);
	/* nothing was dropped: the log holds both events */
	dbm_test_project_assert_rows(p, LOG, "beforeClean\nafterCleanError\n");
}

static void test_callbacks__failed_migration_runs_error_events_and_rolls_back_each(void **state)
{
	struct dbm_test_project *p = *state;
	struct dbm_test_result r;

	cb_start(p);
	cb_write(p, "migrations", "beforeMigrate.sql", "beforeMigrate");
	cb_write(p, "migrations", "beforeEachMigrate.sql", "beforeEachMigrate ${flyway:filename}");
	cb_write(p, "migrations", "afterEachMigrate.sql", "afterEachMigrate ${flyway:filename}");
	cb_write(p, "migrations", "afterEachMigrateError.sql",
	         "afterEachMigrateError ${flyway:filename}");
	cb_write(p, "migrations", "afterMigrateError.sql", "afterMigrateError");
	cb_write(p, "migrations", "afterMigrate.sql", "afterMigrate");
	cb_write(p, "migrations", "afterMigrateApplied.sql", "afterMigrateApplied");
	dbm_test_write(p->dir, "migrations/V2__ok.sql",
	               "CREATE TABLE ok (id INT);\nINSERT INTO cb_log (ev) VALUES ('V2');\n");
	dbm_test_write(p->dir, "migrations/V3__bad.sql",
	               "INSERT INTO cb_log (ev) VALUES ('V3');\nCREATE TABLE half (id INT);\n"
	               "INSERT INTO nowhere VALUES (1);\n");
	dbm_test_project_run(p, &r, "migrate", NULL);
	assert_int_equal(r.status, 1);
	assert_true(
	    dbm_test_contains(r.err, "migrations/V3__bad.sql:3: error: no such table: nowhere"));
	dbm_test_result_free(&r);
	/* V3's beforeEachMigrate row went with its transaction; the error events' rows stay */
	dbm_test_project_assert_rows(p, LOG,
	                             "beforeMigrate\nbeforeEachMigrate beforeEachMigrate.sql\nV2\n"
	                             "afterEachMigrate afterEachMigrate.sql\n"
	                             "afterEachMigrateError afterEachMigrateError.sql\n"
	                             "afterMigrateError\n");
	dbm_test_project_assert_rows(p, "SELECT version, success FROM schema_history ORDER BY 1",
	                             "1|1\n2|1\n");
	dbm_test_project_assert_rows(p, "SELECT count(*) FROM sqlite_master WHERE name = 'half'",
	                             "0\n");
}

static void test_callbacks__failing_callback_names_its_file_and_line(void **state)
{
	struct dbm_test_project *p = *state;
	struct dbm_test_result r;

	cb_start(p);
	dbm_test_write(p->dir, "migrations/afterEachMigrate__check.sql",
	               "INSERT INTO cb_log (ev) VALUES ('check');\n"
	               "-- the check fails\n"
	               "SELECT * FROM\n  missing_table;\n");
	cb_write(p, "migrations", "afterMigrateError.sql", "afterMigrateError");
	dbm_test_write(p->dir, "migrations/V2__t.sql", "CREATE TABLE t (id INT);\n");
	dbm_test_project_run(p, &r, "migrate", NULL);
	assert_int_equal(r.status, 1);
	assert_true(dbm_test_contains(
	    r.err,
	    "migrations/afterEachMigrate__check.sql:3: error: no such table: missing_table"));
	assert_true(dbm_test_contains(r.err, "ran inside the migration's transaction"));
	assert_true(dbm_test_contains(r.err, "Nothing of migrations/V2__t.sql was applied"));
	dbm_test_result_free(&r);
	/* the migration, its row and the callback's insert were rolled back together */
	dbm_test_project_assert_rows(p, LOG, "afterMigrateError\n");
	dbm_test_project_assert_rows(p, "SELECT count(*) FROM sqlite_master WHERE name = 't'",
	                             "0\n");
	dbm_test_project_assert_rows(p, "SELECT version FROM schema_history", "1\n");

	/* a failing beforeMigrate: nothing runs, and (as in Flyway) no afterMigrateError */
	dbm_test_write(p->dir, "migrations/afterEachMigrate__check.sql", "SELECT 1;\n");
	dbm_test_project_exec(p, "DELETE FROM cb_log");
	dbm_test_write(p->dir, "migrations/beforeMigrate.sql",
	               "INSERT INTO cb_log (ev) VALUES ('beforeMigrate');\nSELECT x FROM y;\n");
	dbm_test_project_run(p, &r, "migrate", NULL);
	assert_int_equal(r.status, 1);
	assert_true(
	    dbm_test_contains(r.err, "migrations/beforeMigrate.sql:2: error: no such table: y"));
	assert_true(
	    dbm_test_contains(r.err, "transaction was rolled back: nothing of it is applied"));
	dbm_test_result_free(&r);
	dbm_test_project_assert_rows(p, LOG, "");
	dbm_test_project_assert_rows(p, "SELECT version FROM schema_history", "1\n");

	/* the failing statement is shown as the file has it: a placeholder's value may be secret */
	dbm_test_write(p->dir, "migrations/beforeMigrate.sql", "SELECT '${pw}' FROM nope;\n");
	dbm_test_project_run(p, &r, "migrate", "--placeholder", "pw=hunter2", NULL);
	assert_int_equal(r.status, 1);
	assert_true(
	    dbm_test_contains(r.err, "statement 1 starts at line 1: SELECT '${pw}' FROM nope"));
	assert_false(dbm_test_contains(r.err, "hunter2"));
	assert_false(dbm_test_contains(r.out, "hunter2"));
	dbm_test_result_free(&r);
}

static void test_callbacks__dry_run_prints_them_where_they_would_run(void **state)
{
	struct dbm_test_project *p = *state;
	struct dbm_test_result r;

	cb_start(p);
	cb_write(p, "migrations", "beforeMigrate.sql", "beforeMigrate");
	cb_write(p, "migrations", "beforeEachMigrate.sql", "each ${flyway:filename} ${secret}");
	cb_write(p, "migrations", "afterMigrate.sql", "afterMigrate");
	dbm_test_write(p->dir, "migrations/V2__t.sql", "CREATE TABLE t (id INT);\n");
	/* a secret placeholder stops the dry run (commands.md), its value unprinted */
	dbm_test_project_run(p, &r, "migrate", "--dry-run", "--placeholder", "secret=hunter2",
	                     NULL);
	assert_int_equal(r.status, 2);
	assert_true(dbm_test_contains(r.err, "migrations/beforeEachMigrate.sql:2: error: "
	                                     "placeholder ${secret} holds a secret"));
	assert_false(dbm_test_contains(r.out, "hunter2"));
	assert_false(dbm_test_contains(r.err, "hunter2"));
	dbm_test_result_free(&r);
	/* kept as a stand-in to fill in at replay time */
	dbm_test_project_run(p, &r, "migrate", "--dry-run", "--placeholder", "secret=${secret}",
	                     NULL);
	assert_int_equal(r.status, 0);
	if (!dbm_test_contains(
	        r.out, "-- callback beforeMigrate: migrations/beforeMigrate.sql\n"
	               "BEGIN IMMEDIATE;\n"
	               "INSERT INTO cb_log (ev) VALUES ('beforeMigrate');\n"
	               "COMMIT;\n"
	               "-- V2 t (migrations/V2__t.sql): in one transaction with its history row\n"
	               "BEGIN IMMEDIATE;\n"
	               "-- callback beforeEachMigrate: migrations/beforeEachMigrate.sql\n"
	               "INSERT INTO cb_log (ev) VALUES ('each beforeEachMigrate.sql ${secret}');\n"
	               "CREATE TABLE t (id INT);\n"
	               "INSERT INTO \"schema_history\""))
		fail_msg("unexpected dry-run output:\n%s", r.out);
	assert_true(
	    dbm_test_contains(r.out, "-- callback afterMigrate: migrations/afterMigrate.sql\n"));
	assert_false(dbm_test_contains(r.out, "hunter2"));
	dbm_test_result_free(&r);
	dbm_test_project_assert_rows(p, LOG, "");
	dbm_test_project_assert_rows(p, "SELECT count(*) FROM schema_history", "1\n");
}

static void test_callbacks__misspelt_names_get_the_right_spelling(void **state)
{
	struct dbm_test_project *p = *state;
	struct dbm_test_result r;

	dbm_test_write(p->dir, "migrations/V1__a.sql", "CREATE TABLE a (id INT);\n");
	dbm_test_write(p->dir, "migrations/beforemigrate.sql", "SELECT 1;\n");
	dbm_test_write(p->dir, "migrations/beforeMigrate_x.sql", "SELECT 1;\n");
	dbm_test_write(p->dir, "migrations/AfterEachMigrate__y.sql", "SELECT 1;\n");
	dbm_test_write(p->dir, "migrations/beforeEachMigrateStatement.sql", "SELECT 1;\n");
	dbm_test_project_run(p, &r, "migrate", NULL);
	assert_int_equal(r.status, 2);
	assert_true(dbm_test_contains(r.err, "found 4 problems with migration files"));
	assert_true(dbm_test_contains(r.err, "\"migrations/beforeEachMigrateStatement.sql\" is a "
	                                     "beforeEachMigrateStatement callback, a Flyway event "
	                                     "that dbmigrate does not run"));
	assert_true(dbm_test_contains(r.err,
	                              "\"migrations/beforemigrate.sql\" looks like a callback "
	                              "but is misspelt: name it \"beforeMigrate.sql\""));
	assert_true(dbm_test_contains(r.err, "name it \"beforeMigrate__x.sql\""));
	assert_true(dbm_test_contains(r.err, "name it \"afterEachMigrate__y.sql\""));
	dbm_test_result_free(&r);
	{
		/* nothing ran: the embedded database was not even created */
		char path[1024], *db;

		snprintf(path, sizeof(path), "%s/dbmigrate.db", p->dir);
		db = dbm_test_read(path);
		assert_null(db);
	}
}

/* afterConnect sets the session up: SQLite enforces foreign keys only when asked, per connection.
 */
static void test_callbacks__after_connect_sets_the_session_up(void **state)
{
	struct dbm_test_project *p = *state;
	struct dbm_test_result r;

	dbm_test_write(p->dir, "migrations/V1__a.sql",
	               "CREATE TABLE a (id INTEGER PRIMARY KEY);\n"
	               "CREATE TABLE b (a_id INT REFERENCES a (id));\n");
	dbm_test_write(p->dir, "migrations/V2__orphan.sql", "INSERT INTO b VALUES (5);\n");
	dbm_test_write(p->dir, "migrations/afterConnect.sql", "PRAGMA foreign_keys = ON;\n");
	dbm_test_project_run(p, &r, "migrate", NULL);
	assert_int_equal(r.status, 1);
	assert_true(dbm_test_contains(r.err, "migrations/V2__orphan.sql:1: error: FOREIGN KEY "
	                                     "constraint failed"));
	dbm_test_result_free(&r);
	dbm_test_project_assert_rows(p, "SELECT version FROM schema_history", "1\n");
}

/* The example project in docs/examples/callbacks runs as its README says. */
static void test_callbacks__example_project_runs(void **state)
{
	struct dbm_test_project *p = *state;
	struct dbm_test_result r;
	const char *m = DBM_TEST_SOURCE_DIR "/docs/examples/callbacks/migrations";
	const char *rb = DBM_TEST_SOURCE_DIR "/docs/examples/callbacks/rollback";

	dbm_test_project_run(p, &r, "migrate", "--migrations", m, "--rollback", rb, NULL);
	if (r.status != 0)
		fail_msg("migrate exited %d: %s", r.status, r.err);
	dbm_test_result_free(&r);
	dbm_test_project_run(p, &r, "migrate", "--migrations", m, "--rollback", rb, NULL);
	assert_int_equal(r.status, 0);
	dbm_test_result_free(&r);
	dbm_test_project_assert_rows(p, "SELECT event FROM deploy_log ORDER BY id",
	                             "migrate started by sqlite\none migration applied\n"
	                             "one migration applied\none migration applied\n"
	                             "migrations applied\nmigrate started by sqlite\n");
	dbm_test_project_run(p, &r, "rollback", "--to", "0", "--migrations", m, "--rollback", rb,
	                     NULL);
	assert_int_equal(r.status, 0);
	dbm_test_result_free(&r);
	dbm_test_project_assert_rows(p, "SELECT count(*) FROM sqlite_master WHERE name = 'ticket'",
	                             "0\n");
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, dbm_test_project_setup, dbm_test_project_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
	    T(test_callbacks__migrate_events_run_in_flyway_order),
	    T(test_callbacks__undo_events_around_each_rollback),
	    T(test_callbacks__failing_undo_runs_the_undo_error_events),
	    T(test_callbacks__validate_info_repair_baseline_and_clean_events),
	    T(test_callbacks__info_repair_and_clean_error_events),
	    T(test_callbacks__failed_migration_runs_error_events_and_rolls_back_each),
	    T(test_callbacks__failing_callback_names_its_file_and_line),
	    T(test_callbacks__dry_run_prints_them_where_they_would_run),
	    T(test_callbacks__misspelt_names_get_the_right_spelling),
	    T(test_callbacks__after_connect_sets_the_session_up),
	    T(test_callbacks__example_project_runs),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
