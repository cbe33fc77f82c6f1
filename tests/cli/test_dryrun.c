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

#define T(fn) cmocka_unit_test_setup_teardown(fn, dbm_test_project_setup, dbm_test_project_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
	    T(test_dryrun__skip_executing_records_without_running),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
