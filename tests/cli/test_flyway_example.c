/*
 * test_flyway_example.c - docs/examples/flyway/ as a user runs it: the same
 * project configured by flyway.toml (found in the working directory),
 * flyway.conf (--config) and dbmigrate-equivalent.yml (--config) must leave
 * the same schema, the same data (the afterMigrate callback's row too) and
 * the same history rows on SQLite; and
 * the undo scripts beside the versioned ones roll V7 and V6 back.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "dbmigrate/common.h"
#include "project.h"
#include "testutil.h"

#define EXAMPLE DBM_TEST_SOURCE_DIR "/docs/examples/flyway"

/* The rows of sql on dir/tickets.db as "a|b\n" text; caller frees with dbm_free. */
static char *rows(const char *dir, const char *sql)
{
	struct dbm_buf out = DBM_BUF_INIT;
	char path[4096];
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	int i;

	snprintf(path, sizeof(path), "%s/tickets.db", dir);
	assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		fail_msg("%s: %s", sql, sqlite3_errmsg(db));
	while (sqlite3_step(st) == SQLITE_ROW) {
		for (i = 0; i < sqlite3_column_count(st); i++) {
			const unsigned char *v = sqlite3_column_text(st, i);

			assert_int_equal(
			    dbm_buf_addf(&out, "%s%s", i ? "|" : "", v ? (const char *)v : "NULL"),
			    0);
		}
		assert_int_equal(dbm_buf_addc(&out, '\n'), 0);
	}
	sqlite3_finalize(st);
	sqlite3_close(db);
	{
		char *text = dbm_buf_detach(&out);

		return text ? text : dbm_strdup("");
	}
}

/* What a run left: the schema, the settings the placeholders wrote, the history. */
static char *outcome(const char *dir)
{
	static const char *const queries[] = {
	    "SELECT type, name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY "
	    "name",
	    "SELECT name, value FROM app_settings ORDER BY name",
	    "SELECT installed_rank, version, description, type, script, checksum, success "
	    "FROM flyway_schema_history ORDER BY installed_rank",
	};
	struct dbm_buf all = DBM_BUF_INIT;
	size_t i;

	for (i = 0; i < sizeof(queries) / sizeof(queries[0]); i++) {
		char *r = rows(dir, queries[i]);

		assert_int_equal(dbm_buf_addf(&all, "-- %s\n%s", queries[i], r), 0);
		dbm_free(r);
	}
	return dbm_buf_detach(&all);
}

/* Copies the example into p's folder. */
static void copy_example(const struct dbm_test_project *p)
{
	char cmd[8192];

	snprintf(cmd, sizeof(cmd), "cp -R '%s/.' '%s/'", EXAMPLE, p->dir);
	assert_int_equal(system(cmd), 0);
}

/* Runs the example with the config given by how (NULL: found) and returns the outcome. */
static char *run_example(const char *config)
{
	struct dbm_test_project *p = dbm_test_project_new();
	struct dbm_test_result r;
	char *got;

	copy_example(p);
	if (config)
		dbm_test_project_run(p, &r, "--config", config, "migrate", NULL);
	else
		dbm_test_project_run(p, &r, "migrate", NULL);
	if (r.status != 0)
		fail_msg("migrate with %s: exit %d\n%s%s", config ? config : "the found file",
		         r.status, r.out, r.err);
	if (!config)
		assert_true(
		    dbm_test_contains(r.err, "reading the Flyway configuration in flyway.toml"));
	assert_true(dbm_test_contains(r.out, "Applied 9 migrations, now at version 7"));
	dbm_test_result_free(&r);
	got = outcome(p->dir);
	dbm_test_project_free(p);
	return got;
}

static void test_flyway_example__conf_toml_and_yml_agree(void **state)
{
	char *toml = run_example(NULL), *conf = run_example("flyway.conf"),
	     *yml = run_example("dbmigrate-equivalent.yml");

	(void)state;
	assert_true(dbm_test_contains(toml, "app_user|ticket_app\nenvironment|development\n"
	                                    "migrated_by|ticket_app\n"));
	assert_true(dbm_test_contains(toml, "7|7|add ticket tags|SQL|V7__add_ticket_tags.sql|"));
	assert_true(dbm_test_contains(toml, "view|open_tickets|"));
	assert_true(dbm_test_contains(toml, "|NULL|ticket views|SQL|R__ticket_views.sql|"));
	assert_string_equal(conf, toml);
	assert_string_equal(yml, toml);
	dbm_free(toml);
	dbm_free(conf);
	dbm_free(yml);
}

static void test_flyway_example__undo_beside_the_versioned(void **state)
{
	struct dbm_test_project *p = *state;
	struct dbm_test_result r;
	char *left;

	copy_example(p);
	dbm_test_project_run(p, &r, "migrate", NULL);
	assert_int_equal(r.status, 0);
	dbm_test_result_free(&r);
	dbm_test_project_run(p, &r, "rollback", "--steps", "2", NULL);
	assert_int_equal(r.status, 0);
	dbm_test_result_free(&r);
	left = rows(p->dir, "SELECT version, type, script FROM flyway_schema_history "
	                    "WHERE type = 'UNDO_SQL' ORDER BY installed_rank");
	assert_string_equal(left, "7|UNDO_SQL|U7__add_ticket_tags.sql\n"
	                          "6|UNDO_SQL|U6__indexes_optimization.sql\n");
	dbm_free(left);
	left = rows(p->dir, "SELECT count(*) FROM sqlite_master WHERE name IN ('tags', "
	                    "'ticket_tags', 'idx_tickets_assignee')");
	assert_string_equal(left, "0\n");
	dbm_free(left);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_flyway_example__conf_toml_and_yml_agree),
	    cmocka_unit_test_setup_teardown(test_flyway_example__undo_beside_the_versioned,
	                                    dbm_test_project_setup, dbm_test_project_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
