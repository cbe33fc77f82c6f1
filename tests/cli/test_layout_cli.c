/*
 * test_layout_cli.c - other tools' layouts through the dbmigrate binary on a
 * real SQLite file: what a user sees for a mixed folder or a bad --naming,
 * 'new' writing files in the project's layout, and 'adopt' of a goose
 * history (the servers' cases are in integration/test_layouts.c).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "project.h"
#include "testutil.h"

static void test_layout_cli__mixed_folder_exits_2_naming_a_file_of_each(void **state)
{
	struct dbm_test_project *p = *state;
	struct dbm_test_result r;

	dbm_test_write(p->dir, "migrations/V1__a.sql", "CREATE TABLE a (id INT);\n");
	dbm_test_write(p->dir, "migrations/20240101000000_b.sql",
	               "-- migrate:up\nCREATE TABLE b (id INT);\n-- migrate:down\nDROP TABLE b;\n");
	dbm_test_project_run(p, &r, "migrate", NULL);
	assert_int_equal(r.status, 2);
	assert_true(dbm_test_contains(r.err, "the migration folders mix layouts: "
	                                     "\"migrations/V1__a.sql\" (flyway), "
	                                     "\"migrations/20240101000000_b.sql\" (dbmate)"));
	dbm_test_result_free(&r);
	/* naming the layout reads the folder that way: the dbmate file is then a bad name */
	dbm_test_project_run(p, &r, "--naming", "flyway", "migrate", NULL);
	assert_int_equal(r.status, 2);
	assert_true(dbm_test_contains(
	    r.err, "migration file name \"migrations/20240101000000_b.sql\" does not fit"));
	dbm_test_result_free(&r);
	dbm_test_project_run(p, &r, "--naming", "liquibase", "info", NULL);
	assert_int_equal(r.status, 2);
	assert_true(dbm_test_contains(r.err, "--naming: expected auto, flyway, golang-migrate, "
	                                     "dbmate, goose or numbered, got 'liquibase'"));
	dbm_test_result_free(&r);
}

static void test_layout_cli__new_follows_the_projects_layout(void **state)
{
	struct dbm_test_project *p = *state;
	struct dbm_test_result r;
	char path[1200];

	dbm_test_write(p->dir, "migrations/000007_a.up.sql", "CREATE TABLE a (id INT);\n");
	dbm_test_write(p->dir, "migrations/000007_a.down.sql", "DROP TABLE a;\n");
	dbm_test_project_run(p, &r, "new", "add b", NULL);
	assert_int_equal(r.status, 0);
	assert_true(dbm_test_contains(r.out, "Created migrations/000008_add_b.up.sql\n"
	                                     "Created migrations/000008_add_b.down.sql\n"));
	dbm_test_result_free(&r);
	snprintf(path, sizeof(path), "%s/migrations/000008_add_b.down.sql", p->dir);
	assert_int_equal(access(path, R_OK), 0);
	/* and the new files belong to the project: migrate reads them with the rest */
	dbm_test_project_run(p, &r, "migrate", NULL);
	assert_int_equal(r.status, 0);
	assert_true(dbm_test_contains(r.out, "Applied 2 migrations, now at version 000008"));
	dbm_test_result_free(&r);
}

static void test_layout_cli__adopt_goose_then_migrate_the_rest(void **state)
{
	struct dbm_test_project *p = *state;
	struct dbm_test_result r;

	dbm_test_write(p->dir, "migrations/00001_a.sql",
	               "-- +goose Up\nCREATE TABLE a (id INT);\n-- +goose Down\nDROP TABLE a;\n");
	dbm_test_write(p->dir, "migrations/00002_b.sql",
	               "-- +goose Up\nCREATE TABLE b (id INT);\n-- +goose Down\nDROP TABLE b;\n");
	dbm_test_write(p->dir, "migrations/00003_c.sql",
	               "-- +goose Up\nCREATE TABLE c (id INT);\n-- +goose Down\nDROP TABLE c;\n");
	/* the database goose left: 1 and 2 applied, 2 rolled back, 3 never run */
	dbm_test_project_exec(p,
	                      "CREATE TABLE goose_db_version (id INTEGER PRIMARY KEY AUTOINCREMENT,"
	                      " version_id INTEGER NOT NULL, is_applied INTEGER NOT NULL,"
	                      " tstamp TIMESTAMP DEFAULT (datetime('now')));"
	                      "INSERT INTO goose_db_version (version_id, is_applied) VALUES"
	                      " (0, 1), (1, 1), (2, 1), (2, 0);"
	                      "CREATE TABLE a (id INT);");
	dbm_test_project_run(p, &r, "info", NULL);
	assert_int_equal(r.status, 0);
	assert_true(dbm_test_contains(r.err, "goose's history table goose_db_version"));
	dbm_test_result_free(&r);
	dbm_test_project_run(p, &r, "adopt", "--from", "goose", NULL);
	assert_int_equal(r.status, 0);
	assert_true(
	    dbm_test_contains(r.out, "Adopted 1 version from goose's table goose_db_version"));
	dbm_test_result_free(&r);
	dbm_test_project_assert_rows(p, "SELECT version, script, installed_by FROM schema_history",
	                             "00001|00001_a.sql|adopted from goose\n");
	dbm_test_project_run(p, &r, "adopt", NULL);
	assert_int_equal(r.status, 2);
	assert_true(dbm_test_contains(r.err, "already has rows"));
	dbm_test_result_free(&r);
	dbm_test_project_run(p, &r, "migrate", NULL);
	assert_int_equal(r.status, 0);
	assert_true(dbm_test_contains(r.out, "Applied 2 migrations, now at version 00003"));
	dbm_test_result_free(&r);
	dbm_test_project_assert_rows(p, "SELECT count(*) FROM goose_db_version", "4\n");
	dbm_test_project_run(p, &r, "adopt", "--from", "flyway", NULL);
	assert_int_equal(r.status, 2);
	assert_true(dbm_test_contains(r.err, "--from \"flyway\" is not a tool adopt reads"));
	dbm_test_result_free(&r);
}

#define T(f) cmocka_unit_test_setup_teardown(f, dbm_test_project_setup, dbm_test_project_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
	    T(test_layout_cli__mixed_folder_exits_2_naming_a_file_of_each),
	    T(test_layout_cli__new_follows_the_projects_layout),
	    T(test_layout_cli__adopt_goose_then_migrate_the_rest),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
