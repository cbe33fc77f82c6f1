/*
 * test_history_cli.c - the history table as a user meets it on the embedded
 * SQLite default: names the history columns cannot hold (refused at scan,
 * before anything runs), a schema with tables but no history (refused unless
 * baselined), the rank at its INT maximum, versions in the history that are
 * not versions, the state of an undone version in info, and values with
 * quotes and backslashes stored as they are.
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

/* A 240-character description, a 60-digit version: exit 2 naming the file, no database made. */
static void test_history_cli__names_too_long_for_the_history_refused_at_scan(void **state)
{
	struct dbm_test_project *p = *state;
	struct dbm_test_result r;
	char name[400], path[4300];
	FILE *f;

	dbm_test_write(p->dir, "migrations/V1__ok.sql", "CREATE TABLE ok (id INT);\n");
	memset(name, 0, sizeof(name));
	memcpy(name, "migrations/V2__", 15);
	memset(name + 15, 'd', 240);
	memcpy(name + 255, ".sql", 4);
	dbm_test_write(p->dir, name, "CREATE TABLE long_desc (id INT);\n");
	dbm_test_project_run(p, &r, "migrate", NULL);
	assert_int_equal(r.status, 2);
	if (!dbm_test_contains(r.err, "V2__ddd") ||
	    !dbm_test_contains(r.err, "the description is 240 characters long") ||
	    !dbm_test_contains(r.err, "(200)") || !dbm_test_contains(r.err, "hint:"))
		fail_msg("unexpected stderr: %s", r.err);
	dbm_test_result_free(&r);
	/* nothing ran: the database file was not even created */
	snprintf(path, sizeof(path), "%s/dbmigrate.db", p->dir);
	f = fopen(path, "r");
	assert_null(f);

	snprintf(path, sizeof(path), "%s/%s", p->dir, name);
	assert_int_equal(remove(path), 0);
	memset(name, 0, sizeof(name));
	memcpy(name, "migrations/V", 12);
	memset(name + 12, '1', 60);
	memcpy(name + 72, "__big.sql", 9);
	dbm_test_write(p->dir, name, "CREATE TABLE big (id INT);\n");
	dbm_test_project_run(p, &r, "migrate", NULL);
	assert_int_equal(r.status, 2);
	if (!dbm_test_contains(r.err, "the version is 60 characters long") ||
	    !dbm_test_contains(r.err, "(50)"))
		fail_msg("unexpected stderr: %s", r.err);
	dbm_test_result_free(&r);
	snprintf(path, sizeof(path), "%s/dbmigrate.db", p->dir);
	f = fopen(path, "r");
	assert_null(f);
}

/* Flyway's guard: tables but no history table is refused, naming a table and how to baseline. */
static void test_history_cli__non_empty_schema_without_history_refused(void **state)
{
	struct dbm_test_project *p = *state;
	struct dbm_test_result r;

	dbm_test_write(p->dir, "migrations/V1__a.sql", "CREATE TABLE a (id INT);\n");
	dbm_test_write(p->dir, "migrations/V2__b.sql", "CREATE TABLE b (id INT);\n");
	dbm_test_project_exec(p, "CREATE TABLE legacy (id INT)");
	dbm_test_project_run(p, &r, "migrate", NULL);
	assert_int_equal(r.status, 2);
	if (!dbm_test_contains(r.err, "non-empty schema") || !dbm_test_contains(r.err, "legacy") ||
	    !dbm_test_contains(r.err, "dbmigrate baseline") ||
	    !dbm_test_contains(r.err, "baseline_on_migrate"))
		fail_msg("unexpected stderr: %s", r.err);
	dbm_test_result_free(&r);
	/* nothing changed: no history table, no V1 */
	dbm_test_project_assert_rows(p, "SELECT group_concat(name) FROM sqlite_master", "legacy\n");

	/* --dry-run refuses the same way */
	dbm_test_project_expect(p, 2, "migrate", "--dry-run", NULL);

	/* following the hint: baseline at 1, then migrate applies 2 only */
	dbm_test_project_run(p, &r, "migrate", "--baseline-on-migrate", NULL);
	assert_int_equal(r.status, 0);
	assert_true(dbm_test_contains(r.out, "Baselined an existing schema at version 1"));
	dbm_test_result_free(&r);
	dbm_test_project_assert_rows(
	    p, "SELECT version, type, success FROM schema_history ORDER BY installed_rank",
	    "1|BASELINE|1\n2|SQL|1\n");
	dbm_test_project_assert_rows(
	    p, "SELECT name FROM sqlite_master WHERE name IN ('a', 'b') ORDER BY name", "b\n");
}

/* An empty schema (the sample's case) migrates as before, without a baseline. */
static void test_history_cli__empty_schema_migrates_without_baseline(void **state)
{
	struct dbm_test_project *p = *state;
	struct dbm_test_result r;

	dbm_test_write(p->dir, "migrations/V1__a.sql", "CREATE TABLE a (id INT);\n");
	dbm_test_project_run(p, &r, "migrate", "--baseline-on-migrate", NULL);
	assert_int_equal(r.status, 0);
	assert_false(dbm_test_contains(r.out, "Baselined"));
	dbm_test_result_free(&r);
	dbm_test_project_assert_rows(p, "SELECT version, type FROM schema_history", "1|SQL\n");
}

/* The rank at 2147483647: the next row is refused with a clear error, nothing is applied. */
static void test_history_cli__rank_overflow_refused(void **state)
{
	struct dbm_test_project *p = *state;
	struct dbm_test_result r;

	dbm_test_write(p->dir, "migrations/V1__a.sql", "CREATE TABLE a (id INT);\n");
	dbm_test_write(p->dir, "rollback/U1__a.sql", "DROP TABLE a;\n");
	dbm_test_project_expect(p, 0, "migrate", NULL);
	dbm_test_project_exec(p, "UPDATE schema_history SET installed_rank = 2147483647");
	dbm_test_write(p->dir, "migrations/V2__b.sql", "CREATE TABLE b (id INT);\n");
	dbm_test_project_run(p, &r, "migrate", NULL);
	assert_int_equal(r.status, 1);
	if (!dbm_test_contains(r.err, "installed_rank would pass 2147483647") ||
	    !dbm_test_contains(r.err, "hint:"))
		fail_msg("unexpected stderr: %s", r.err);
	dbm_test_result_free(&r);
	/* the migration's transaction was rolled back with the refused row */
	dbm_test_project_assert_rows(
	    p, "SELECT name FROM sqlite_master WHERE name IN ('a', 'b') ORDER BY name", "a\n");
	/* an undo that cannot register does not run either */
	dbm_test_project_run(p, &r, "rollback", NULL);
	assert_int_equal(r.status, 1);
	assert_true(dbm_test_contains(r.err, "installed_rank would pass 2147483647"));
	dbm_test_result_free(&r);
	dbm_test_project_assert_rows(
	    p, "SELECT name FROM sqlite_master WHERE name IN ('a', 'b') ORDER BY name", "a\n");
	dbm_test_project_assert_rows(p, "SELECT count(*) FROM schema_history", "1\n");
}

/* A history version that is not a version stops every command, naming the row. */
static void test_history_cli__bad_history_version_names_the_row(void **state)
{
	static const char *const bad[] = {"7x", "two"};
	struct dbm_test_project *p = *state;
	struct dbm_test_result r;
	char sql[128];
	size_t i;

	dbm_test_write(p->dir, "migrations/V1__a.sql", "CREATE TABLE a (id INT);\n");
	dbm_test_write(p->dir, "migrations/V7__b.sql", "CREATE TABLE b (id INT);\n");
	dbm_test_project_expect(p, 0, "migrate", NULL);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(sql, sizeof(sql),
		         "UPDATE schema_history SET version = '%s' WHERE installed_rank = 2",
		         bad[i]);
		dbm_test_project_exec(p, sql);
		dbm_test_project_run(p, &r, "info", NULL);
		assert_int_equal(r.status, 1);
		snprintf(sql, sizeof(sql), "installed_rank 2 has a bad version \"%s\"", bad[i]);
		if (!dbm_test_contains(r.err, sql) || !dbm_test_contains(r.err, "hint:"))
			fail_msg("unexpected stderr: %s", r.err);
		dbm_test_result_free(&r);
		dbm_test_project_run(p, &r, "migrate", NULL);
		assert_int_equal(r.status, 1);
		dbm_test_result_free(&r);
	}
	/* baseline refuses to write one */
	dbm_test_project_exec(p, "DROP TABLE schema_history");
	dbm_test_project_exec(p, "DROP TABLE schema_history_snapshot");
	dbm_test_project_exec(p, "DROP TABLE a");
	dbm_test_project_exec(p, "DROP TABLE b");
	dbm_test_project_run(p, &r, "baseline", "--version", "two", NULL);
	assert_int_equal(r.status, 2);
	assert_true(dbm_test_contains(r.err, "is not a version"));
	dbm_test_result_free(&r);
	dbm_test_project_assert_rows(p, "SELECT count(*) FROM sqlite_master", "0\n");
}

/* After a rollback, info shows the Undone row and the file Pending again, in text and JSON. */
static void test_history_cli__undone_version_is_pending_in_info(void **state)
{
	struct dbm_test_project *p = *state;
	struct dbm_test_result r;

	dbm_test_write(p->dir, "migrations/V1__a.sql", "CREATE TABLE a (id INT);\n");
	dbm_test_write(p->dir, "migrations/V2__b.sql", "CREATE TABLE b (id INT);\n");
	dbm_test_write(p->dir, "rollback/U2__b.sql", "DROP TABLE b;\n");
	dbm_test_project_expect(p, 0, "migrate", NULL);
	dbm_test_project_expect(p, 0, "rollback", NULL);

	dbm_test_project_run(p, &r, "info", NULL);
	assert_int_equal(r.status, 0);
	if (!dbm_test_contains(r.out, "| Undone ") || !dbm_test_contains(r.out, "| Pending "))
		fail_msg("unexpected info: %s", r.out);
	assert_true(strstr(r.out, "| Undone ") < strstr(r.out, "| Pending "));
	dbm_test_result_free(&r);

	dbm_test_project_run(p, &r, "--json", "info", NULL);
	assert_int_equal(r.status, 0);
	if (!dbm_test_contains(r.out, "\"state\": \"Undone\"") ||
	    !dbm_test_contains(r.out, "\"state\": \"Pending\"") ||
	    !dbm_test_contains(r.out, "\"schemaVersion\": \"1\""))
		fail_msg("unexpected info --json: %s", r.out);
	dbm_test_result_free(&r);

	/* and migrate does apply it again */
	dbm_test_project_run(p, &r, "migrate", NULL);
	assert_int_equal(r.status, 0);
	assert_true(dbm_test_contains(r.out, "Applied 1 migration"));
	dbm_test_result_free(&r);
	dbm_test_project_run(p, &r, "info", NULL);
	assert_false(dbm_test_contains(r.out, "| Pending "));
	dbm_test_result_free(&r);
}

/* Quotes and backslashes in names are stored as they are, and validate stays clean. */
static void test_history_cli__quotes_and_backslashes_stored_verbatim(void **state)
{
	struct dbm_test_project *p = *state;
	struct dbm_test_result r;

	dbm_test_write(p->dir, "migrations/V1__it\\'s.sql", "CREATE TABLE a (id INT);\n");
	dbm_test_write(p->dir, "migrations/V2__a\\b.sql", "CREATE TABLE b (id INT);\n");
	dbm_test_write(p->dir, "migrations/R__x'), (9, '9.sql", "CREATE VIEW v AS SELECT 1;\n");
	dbm_test_project_expect(p, 0, "migrate", NULL);
	dbm_test_project_assert_rows(
	    p,
	    "SELECT installed_rank, version, description, script FROM schema_history "
	    "ORDER BY installed_rank",
	    "1|1|it\\'s|V1__it\\'s.sql\n2|2|a\\b|V2__a\\b.sql\n3|NULL|x'), (9, '9|R__x'), (9, "
	    "'9.sql\n");
	dbm_test_project_expect(p, 0, "validate", NULL);
	dbm_test_project_run(p, &r, "migrate", NULL);
	assert_int_equal(r.status, 0);
	assert_true(dbm_test_contains(r.out, "nothing to migrate"));
	dbm_test_result_free(&r);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, dbm_test_project_setup, dbm_test_project_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
	    T(test_history_cli__names_too_long_for_the_history_refused_at_scan),
	    T(test_history_cli__non_empty_schema_without_history_refused),
	    T(test_history_cli__empty_schema_migrates_without_baseline),
	    T(test_history_cli__rank_overflow_refused),
	    T(test_history_cli__bad_history_version_names_the_row),
	    T(test_history_cli__undone_version_is_pending_in_info),
	    T(test_history_cli__quotes_and_backslashes_stored_verbatim),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
