/*
 * test_dryrun.c - the command line of issue 18's last items, on the
 * embedded SQLite default: migrate --skip-executing, the keys of info
 * --json and version --json, and --dry-run output replayed through the
 * sqlite3 shell to the same schema and history as the real run.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>

#include "project.h"
#include "testutil.h"

static void test_dryrun__skip_executing_records_without_running(void **state)
{
	struct dbm_test_project *p = *state;
	struct dbm_test_result r;

	dbm_test_write(p->dir, "migrations/V1__t.sql", "CREATE TABLE t (id INT);\n");
	dbm_test_write(p->dir, "migrations/V2__select.sql", "SELECT 1;\n");
	dbm_test_write(p->dir, "migrations/V3__u.sql", "CREATE TABLE u (id INT);\n");

	/* --dry-run shows the rows first and changes nothing */
	dbm_test_project_run(p, &r, "migrate", "--skip-executing", "--dry-run", "--target", "2",
			     NULL);
	assert_int_equal(r.status, 0);
	assert_true(dbm_test_contains(r.out, "-- would record version 1 (t) as applied without "
					     "running it\n"));
	assert_true(dbm_test_contains(r.out, "'V1__t.sql', 1556295178,"));
	assert_true(dbm_test_contains(r.out, "'V2__select.sql', 78787420,"));
	assert_false(dbm_test_contains(r.out, "V3__u.sql"));
	assert_false(dbm_test_contains(r.out, "CREATE TABLE t "));
	dbm_test_result_free(&r);
	{
		/* a dry run on the embedded default does not even create the file */
		char path[1024];

		snprintf(path, sizeof(path), "%s/dbmigrate.db", p->dir);
		assert_int_not_equal(access(path, F_OK), 0);
	}

	dbm_test_project_run(p, &r, "migrate", "--skip-executing", "--target", "2", NULL);
	assert_int_equal(r.status, 0);
	assert_true(dbm_test_contains(r.out, "Recorded version 1 (t) as applied without running it\n"
					     "Recorded version 2 (select) as applied without "
					     "running it\n"));
	assert_true(dbm_test_contains(r.out, "Recorded 2 migrations without running them, now at "
					     "version 2"));
	dbm_test_result_free(&r);
	dbm_test_project_assert_rows(
	    p,
	    "SELECT installed_rank, version, type, script, checksum, execution_time, success "
	    "FROM schema_history ORDER BY installed_rank",
	    "1|1|SQL|V1__t.sql|1556295178|0|1\n2|2|SQL|V2__select.sql|78787420|0|1\n");

	dbm_test_project_run(p, &r, "--json", "migrate", "--skip-executing", NULL);
	assert_int_equal(r.status, 0);
	assert_true(dbm_test_contains(r.out, "\"skipExecuting\": true"));
	assert_true(dbm_test_contains(r.out, "\"migrationsExecuted\": 1"));
	assert_true(dbm_test_contains(r.out, "\"filepath\": \"migrations/V3__u.sql\""));
	dbm_test_result_free(&r);

	/* nothing of the SQL ran, and a migrate afterwards has nothing to do */
	dbm_test_project_run(p, &r, "migrate", NULL);
	assert_int_equal(r.status, 0);
	assert_true(dbm_test_contains(r.out, "Schema is up to date at version 3; nothing to migrate"));
	dbm_test_result_free(&r);
	dbm_test_project_assert_rows(
	    p, "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name",
	    "schema_history\n");
	dbm_test_project_assert_rows(p, "SELECT count(*) FROM schema_history WHERE success = 1",
				     "3\n");
}

/* The JSON document on r's stdout; fails the test when it does not parse. json_decref it. */
static json_t *parse(const struct dbm_test_result *r)
{
	json_error_t err;
	json_t *doc = json_loads(r->out, 0, &err);

	if (!doc)
		fail_msg("not JSON (%s, line %d): %s", err.text, err.line, r->out);
	return doc;
}

/* Fails unless text matches the pattern of Flyway's timestamps: pattern chars 'd' are digits. */
static void assert_shape(const char *text, const char *pattern)
{
	size_t i;

	if (strlen(text) != strlen(pattern))
		fail_msg("'%s' does not have the form '%s'", text, pattern);
	for (i = 0; pattern[i]; i++)
		if (pattern[i] == 'd' ? (text[i] < '0' || text[i] > '9') : text[i] != pattern[i])
			fail_msg("'%s' does not have the form '%s'", text, pattern);
}

static void test_dryrun__info_json_has_flyways_keys(void **state)
{
	struct dbm_test_project *p = *state;
	struct dbm_test_result r;
	json_t *doc, *m;
	const char *when;

	dbm_test_write(p->dir, "migrations/V1__t.sql", "CREATE TABLE t (id INT);\n");
	dbm_test_write(p->dir, "migrations/V2__u.sql", "CREATE TABLE u (id INT);\n");
	dbm_test_write(p->dir, "rollback/U1__t.sql", "DROP TABLE t;\n");

	/* nothing there yet: Flyway's allSchemasEmpty, and every key of an unapplied file */
	dbm_test_project_run(p, &r, "--json", "info", NULL);
	assert_int_equal(r.status, 0);
	doc = parse(&r);
	assert_true(json_is_true(json_object_get(doc, "allSchemasEmpty")));
	assert_true(json_is_null(json_object_get(doc, "schemaVersion")));
	m = json_array_get(json_object_get(doc, "migrations"), 0);
	assert_string_equal(json_string_value(json_object_get(m, "installedOnUTC")), "");
	assert_string_equal(json_string_value(json_object_get(m, "undoFilepath")),
			    "rollback/U1__t.sql");
	m = json_array_get(json_object_get(doc, "migrations"), 1);
	assert_string_equal(json_string_value(json_object_get(m, "undoFilepath")), "");
	assert_string_equal(json_string_value(json_object_get(m, "filepath")),
			    "migrations/V2__u.sql");
	json_decref(doc);
	dbm_test_result_free(&r);

	dbm_test_project_run(p, &r, "migrate", "--target", "1", NULL);
	assert_int_equal(r.status, 0);
	dbm_test_result_free(&r);
	/* a known time in the history: SQLite's installed_on is UTC */
	dbm_test_project_exec(p, "UPDATE schema_history SET installed_on = '2024-01-15 10:30:45.120'");
	dbm_test_write(p->dir, "migrations/V1__t.sql", "CREATE TABLE t (id BIGINT);\n");

	dbm_test_project_run(p, &r, "--json", "info", NULL);
	assert_int_equal(r.status, 0);
	doc = parse(&r);
	assert_string_equal(json_string_value(json_object_get(doc, "dbmigrateVersion")),
			    DBM_VERSION_STRING);
	assert_string_equal(json_string_value(json_object_get(doc, "operation")), "info");
	assert_string_equal(json_string_value(json_object_get(doc, "schemaVersion")), "1");
	assert_true(json_is_false(json_object_get(doc, "allSchemasEmpty")));
	/* Java's LocalDateTime: seconds, and a fraction of 3, 6 or 9 digits unless zero */
	when = json_string_value(json_object_get(doc, "timestamp"));
	assert_non_null(when);
	assert_true(strlen(when) >= 19);
	{
		static const char *const forms[] = { "dddd-dd-ddTdd:dd:dd", "dddd-dd-ddTdd:dd:dd.ddd",
						     "dddd-dd-ddTdd:dd:dd.dddddd",
						     "dddd-dd-ddTdd:dd:dd.ddddddddd" };
		size_t k;

		for (k = 0; k < 4 && strlen(forms[k]) != strlen(when); k++)
			;
		assert_true(k < 4);
		assert_shape(when, forms[k]);
	}
	m = json_array_get(json_object_get(doc, "migrations"), 0);
	/* Java's Instant: UTC with 'Z', the fraction's trailing zeros in groups of three */
	assert_string_equal(json_string_value(json_object_get(m, "installedOnUTC")),
			    "2024-01-15T10:30:45.120Z");
	assert_string_equal(json_string_value(json_object_get(m, "state")), "Changed");
	assert_string_equal(json_string_value(json_object_get(m, "undoable")), "Yes");
	assert_true(json_is_integer(json_object_get(m, "executionTime")));
	assert_true(json_is_string(json_object_get(m, "installedBy")));
	/* the drift validate would stop on is a warning here */
	assert_int_equal(json_array_size(json_object_get(doc, "warnings")), 1);
	assert_true(dbm_test_contains(
	    json_string_value(json_array_get(json_object_get(doc, "warnings"), 0)), "V1__t.sql"));
	json_decref(doc);
	dbm_test_result_free(&r);
}

static void test_dryrun__version_json_lists_drivers_and_libraries(void **state)
{
	struct dbm_test_project *p = *state;
	struct dbm_test_result r;
	json_t *doc, *drivers;
	size_t i;
	int sqlite = 0;

	dbm_test_project_run(p, &r, "--json", "version", NULL);
	assert_int_equal(r.status, 0);
	doc = parse(&r);
	assert_string_equal(json_string_value(json_object_get(doc, "version")), DBM_VERSION_STRING);
	drivers = json_object_get(doc, "drivers");
	assert_true(json_array_size(drivers) >= 1);
	for (i = 0; i < json_array_size(drivers); i++) {
		json_t *d = json_array_get(drivers, i);
		const char *lib = json_string_value(json_object_get(d, "library"));

		assert_non_null(json_string_value(json_object_get(d, "name")));
		assert_true(json_array_size(json_object_get(d, "schemes")) >= 1);
		assert_non_null(lib);
		if (json_is_true(json_object_get(d, "available")))
			assert_true(strchr(json_string_value(json_object_get(d, "libraryVersion")),
					   '.') != NULL);
		else
			assert_true(json_is_null(json_object_get(d, "libraryVersion")));
		if (strcmp(json_string_value(json_object_get(d, "name")), "sqlite") == 0) {
			/* the library loaded at run time: the version SQLite itself reports */
			char *want;

			dbm_test_project_exec(p, "CREATE TABLE x (id INT)");
			want = dbm_test_project_rows(p, "SELECT sqlite_version()");

			want[strcspn(want, "\n")] = '\0';
			assert_string_equal(json_string_value(json_object_get(d, "libraryVersion")),
					    want);
			free(want);
			sqlite = 1;
		}
	}
	assert_true(sqlite);
	json_decref(doc);
	dbm_test_result_free(&r);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, dbm_test_project_setup, dbm_test_project_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
	    T(test_dryrun__skip_executing_records_without_running),
	    T(test_dryrun__info_json_has_flyways_keys),
	    T(test_dryrun__version_json_lists_drivers_and_libraries),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
