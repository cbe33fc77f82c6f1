/*
 * test_history_servers.c - the history table on real PostgreSQL and MariaDB
 * servers, under string settings that change how a literal is read:
 * PostgreSQL with standard_conforming_strings = off (set for the database,
 * so every session of dbmigrate has it), MariaDB with NO_BACKSLASH_ESCAPES
 * in the global sql_mode (and without it). File names with quotes and
 * backslashes must be stored exactly as they are, on every path that
 * writes a row (a transactional migration, a migration run outside a
 * transaction, an undo, repair), and read back equal so that validate and a
 * second migrate are clean. Also the checks that come before anything
 * runs: names too long for the history columns and a non-empty schema
 * without a history table.
 *
 * Server URLs come from DBM_TEST_PG_URL / DBM_TEST_MYSQL_URL; without them
 * the tests are skipped, or fail when DBM_TEST_REQUIRE_SERVERS=1.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "dbmigrate/driver.h"
#include "dbtest.h"
#include "testutil.h"

/* The names a user may well give files, and the ones an attacker would. */
#define HS_QUOTE "V1__it\\'s.sql"   /* it\'s: the \' that forged rows */
#define HS_BACKSLASH "V2__a\\b.sql" /* a\b: stored as a\\b with NO_BACKSLASH_ESCAPES */
#define HS_FORGE "V3__x\\', 1, 'SQL', 'f.sql', 0, 'me', 0, true) --.sql"
#define HS_UNDO "U2__a\\b.sql"

/* Runs dbmigrate cmd [arg] against the test's database, folders and table. */
static void hs_run(struct dbm_testdb *t, const char *cmd, const char *arg,
                   struct dbm_test_result *r)
{
	char rollback[1100];
	const char *argv[] = {
	    cmd, "--url", t->url, "--migrations", t->migrations, "--rollback", rollback, arg, NULL};

	snprintf(rollback, sizeof(rollback), "%s/rollback", t->dir);
	dbm_test_run(t->dir, NULL, argv, r);
}

static void hs_run_ok(struct dbm_testdb *t, const char *cmd, const char *arg)
{
	struct dbm_test_result r;

	hs_run(t, cmd, arg, &r);
	if (r.status != 0)
		fail_msg("%s exited %d: %s", cmd, r.status, r.err);
	dbm_test_result_free(&r);
}

/* Files whose names hold quotes and backslashes, V4 run outside a transaction where possible. */
static void hs_write_files(struct dbm_testdb *t, const char *no_tx_stmt)
{
	dbm_test_write(t->dir, "migrations/" HS_QUOTE, "CREATE TABLE t1 (id INT);\n");
	dbm_test_write(t->dir, "migrations/" HS_BACKSLASH, "CREATE TABLE t2 (id INT);\n");
	dbm_test_write(t->dir, "migrations/" HS_FORGE, "CREATE TABLE t3 (id INT);\n");
	dbm_test_write(t->dir, "migrations/V4__no\\'tx.sql", no_tx_stmt);
	dbm_test_write(t->dir, "rollback/" HS_UNDO, "DROP TABLE t2;\n");
}

/* What the history must hold after migrate: each name as it is, and no fifth row. */
static const char hs_rows[] = "1|1|it\\'s|SQL|V1__it\\'s.sql|true\n"
                              "2|2|a\\b|SQL|V2__a\\b.sql|true\n"
                              "3|3|x\\', 1, 'SQL', 'f.sql', 0, 'me', 0, true) --|SQL|"
                              "V3__x\\', 1, 'SQL', 'f.sql', 0, 'me', 0, true) --.sql|true\n"
                              "4|4|no\\'tx|SQL|V4__no\\'tx.sql|true\n";

/*
 * migrate, validate, a second migrate, then an edit accepted by repair:
 * every row exactly as named, nothing forged, validate clean. select reads
 * the rows with success as true/false.
 */
static void hs_round_trip(struct dbm_testdb *t, const char *select)
{
	struct dbm_test_result r;

	hs_run_ok(t, "migrate", NULL);
	dbm_testdb_assert_rows(t->db, select, hs_rows);
	hs_run_ok(t, "validate", NULL);
	hs_run(t, "migrate", NULL, &r);
	assert_int_equal(r.status, 0);
	if (!dbm_test_contains(r.out, "nothing to migrate"))
		fail_msg("second migrate: %s", r.out);
	dbm_test_result_free(&r);

	/* an edit of V1 accepted by repair: the realigned row keeps its exact description */
	dbm_test_write(t->dir, "migrations/" HS_QUOTE, "CREATE TABLE t1 (id INT); -- edited\n");
	hs_run(t, "validate", NULL, &r);
	assert_int_equal(r.status, 3);
	dbm_test_result_free(&r);
	hs_run_ok(t, "repair", NULL);
	hs_run_ok(t, "validate", NULL);
	dbm_testdb_assert_rows(t->db, select, hs_rows);
}

/* ---- PostgreSQL ------------------------------------------------------------------------- */

static struct dbm_testdb *hs_pg(void **state)
{
	return dbm_testdb_state(state, "DBM_TEST_PG_URL");
}

static const char hs_pg_select[] =
    "SELECT installed_rank, version, description, type, script, "
    "CASE WHEN success THEN 'true' ELSE 'false' END FROM schema_history ORDER BY installed_rank";

/* With standard_conforming_strings = off, \' in a name neither forges a row nor breaks one. */
static void test_history_servers__pgsql_names_verbatim_without_standard_strings(void **state)
{
	struct dbm_testdb *t = hs_pg(state);
	struct dbm_test_result r;
	char sql[256];

	snprintf(sql, sizeof(sql), "ALTER DATABASE \"%s\" SET standard_conforming_strings = off",
	         t->name);
	dbm_testdb_exec(t->admin, sql);
	hs_write_files(t, "CREATE INDEX CONCURRENTLY t1_id ON t1 (id);\n");
	hs_round_trip(t, hs_pg_select);
	/* the setting was in force for dbmigrate's sessions */
	{
		struct dbm_conn *c = dbm_testdb_connect(t->url);

		dbm_testdb_assert_rows(c, "SHOW standard_conforming_strings", "off\n");
		t->driver->disconnect(c);
	}
	/* --dry-run prints the rows as literals for the default rules (documented) */
	dbm_test_write(t->dir, "migrations/V5__more\\'s.sql", "CREATE TABLE t5 (id INT);\n");
	hs_run(t, "migrate", "--dry-run", &r);
	assert_int_equal(r.status, 0);
	if (!dbm_test_contains(r.out, "'more\\''s'"))
		fail_msg("dry run: %s", r.out);
	dbm_test_result_free(&r);
}

static void test_history_servers__pgsql_undo_row_verbatim(void **state)
{
	struct dbm_testdb *t = hs_pg(state);
	struct dbm_test_result r;
	char sql[256];

	snprintf(sql, sizeof(sql), "ALTER DATABASE \"%s\" SET standard_conforming_strings = off",
	         t->name);
	dbm_testdb_exec(t->admin, sql);
	dbm_test_write(t->dir, "migrations/" HS_BACKSLASH, "CREATE TABLE t2 (id INT);\n");
	dbm_test_write(t->dir, "rollback/" HS_UNDO, "DROP TABLE t2;\n");
	hs_run_ok(t, "migrate", NULL);
	hs_run_ok(t, "rollback", NULL);
	dbm_testdb_assert_rows(t->db,
	                       "SELECT installed_rank, version, description, type, script FROM "
	                       "schema_history ORDER BY installed_rank",
	                       "1|2|a\\b|SQL|V2__a\\b.sql\n2|2|a\\b|UNDO_SQL|U2__a\\b.sql\n");
	hs_run(t, "info", NULL, &r);
	assert_int_equal(r.status, 0);
	if (!dbm_test_contains(r.out, "| Undone ") || !dbm_test_contains(r.out, "| Pending "))
		fail_msg("info after rollback: %s", r.out);
	dbm_test_result_free(&r);
}

/* A schema with a table but no history: exit 2, nothing created. */
static void test_history_servers__pgsql_non_empty_schema_refused(void **state)
{
	struct dbm_testdb *t = hs_pg(state);
	struct dbm_test_result r;

	dbm_testdb_exec(t->db, "CREATE TABLE legacy (id int)");
	dbm_test_write(t->dir, "migrations/V1__a.sql", "CREATE TABLE a (id int);\n");
	hs_run(t, "migrate", NULL, &r);
	assert_int_equal(r.status, 2);
	if (!dbm_test_contains(r.err, "non-empty schema 'public'") ||
	    !dbm_test_contains(r.err, "legacy") || !dbm_test_contains(r.err, "dbmigrate baseline"))
		fail_msg("unexpected stderr: %s", r.err);
	dbm_test_result_free(&r);
	dbm_testdb_assert_rows(t->db,
	                       "SELECT string_agg(table_name, ',' ORDER BY table_name) FROM "
	                       "information_schema.tables WHERE table_schema = 'public'",
	                       "legacy\n");
	hs_run_ok(t, "migrate", "--baseline-on-migrate");
	dbm_testdb_assert_rows(t->db, "SELECT version, type FROM schema_history", "1|BASELINE\n");
}

/* ---- MariaDB ---------------------------------------------------------------------------- */

static struct dbm_testdb *hs_my(void **state)
{
	return dbm_testdb_state(state, "DBM_TEST_MYSQL_URL");
}

static const char hs_my_select[] =
    "SELECT installed_rank, version, description, type, script, "
    "IF(success, 'true', 'false') FROM schema_history ORDER BY installed_rank";

/*
 * With NO_BACKSLASH_ESCAPES in the global sql_mode (new sessions start with
 * it), a\b is stored as a\b, not a\\b, and validate stays clean. The global
 * mode is put back before anything is asserted, so a failure cannot leave
 * it set for other tests; it is set only for the few runs that need it.
 */
static void test_history_servers__mysql_names_verbatim_with_no_backslash_escapes(void **state)
{
	struct dbm_testdb *t = hs_my(state);
	char *saved = dbm_testdb_rows(t->admin, "SELECT @@GLOBAL.sql_mode");
	char restore[1200], *nl;
	struct dbm_test_result mig, val, again, mode;

	if ((nl = strchr(saved, '\n')) != NULL)
		*nl = '\0';
	snprintf(restore, sizeof(restore), "SET GLOBAL sql_mode = '%s'", saved);
	hs_write_files(t, "CREATE TABLE t4 (id INT);\n");
	dbm_testdb_exec(t->admin,
	                "SET GLOBAL sql_mode = CONCAT(@@GLOBAL.sql_mode, ',NO_BACKSLASH_ESCAPES')");
	hs_run(t, "migrate", NULL, &mig);
	hs_run(t, "validate", NULL, &val);
	hs_run(t, "migrate", NULL, &again);
	{
		const char *argv[] = {"info", "--url", t->url, "--migrations", t->migrations, NULL};

		dbm_test_run(t->dir, NULL, argv, &mode);
	}
	dbm_testdb_exec(t->admin, restore);
	free(saved);
	if (mig.status != 0)
		fail_msg("migrate exited %d: %s", mig.status, mig.err);
	if (val.status != 0)
		fail_msg("validate exited %d: %s %s", val.status, val.out, val.err);
	assert_int_equal(again.status, 0);
	assert_true(dbm_test_contains(again.out, "nothing to migrate"));
	assert_int_equal(mode.status, 0);
	dbm_test_result_free(&mig);
	dbm_test_result_free(&val);
	dbm_test_result_free(&again);
	dbm_test_result_free(&mode);
	dbm_testdb_assert_rows(t->db, hs_my_select, hs_rows);
	/* and the same history reads back equal in the default mode */
	hs_run_ok(t, "validate", NULL);
}

/* In the default mode (backslash escapes on) the same names are stored verbatim too. */
static void test_history_servers__mysql_names_verbatim_default_mode(void **state)
{
	struct dbm_testdb *t = hs_my(state);

	hs_write_files(t, "CREATE TABLE t4 (id INT);\n");
	hs_round_trip(t, hs_my_select);
}

/*
 * A 60-digit version and a 240-character description: exit 2 naming the
 * file before anything runs (a non-strict MariaDB would cut the version to
 * 50 and run the hint's commands twice).
 */
static void test_history_servers__mysql_limits_checked_before_anything_runs(void **state)
{
	struct dbm_testdb *t = hs_my(state);
	struct dbm_test_result r;
	char name[400];

	dbm_testdb_exec(t->db, "SET SESSION sql_mode = ''");
	memset(name, 0, sizeof(name));
	memcpy(name, "migrations/V", 12);
	memset(name + 12, '1', 60);
	memcpy(name + 72, "__big.sql", 9);
	dbm_test_write(t->dir, "migrations/V1__a.sql", "CREATE TABLE a (id INT);\n");
	dbm_test_write(t->dir, name, "CREATE TABLE big (id INT);\n");
	hs_run(t, "migrate", NULL, &r);
	assert_int_equal(r.status, 2);
	if (!dbm_test_contains(r.err, "the version is 60 characters long") ||
	    !dbm_test_contains(r.err, "V1111"))
		fail_msg("unexpected stderr: %s", r.err);
	dbm_test_result_free(&r);
	dbm_testdb_assert_rows(
	    t->db,
	    "SELECT count(*) FROM information_schema.tables WHERE table_schema = "
	    "DATABASE()",
	    "0\n");
}

/* A database with a table but no history: exit 2, nothing created. */
static void test_history_servers__mysql_non_empty_schema_refused(void **state)
{
	struct dbm_testdb *t = hs_my(state);
	struct dbm_test_result r;

	dbm_testdb_exec(t->db, "CREATE TABLE legacy (id INT)");
	dbm_test_write(t->dir, "migrations/V1__a.sql", "CREATE TABLE a (id INT);\n");
	hs_run(t, "migrate", NULL, &r);
	assert_int_equal(r.status, 2);
	if (!dbm_test_contains(r.err, "non-empty schema") || !dbm_test_contains(r.err, "legacy"))
		fail_msg("unexpected stderr: %s", r.err);
	dbm_test_result_free(&r);
	dbm_testdb_assert_rows(t->db,
	                       "SELECT GROUP_CONCAT(table_name) FROM information_schema.tables "
	                       "WHERE table_schema = DATABASE()",
	                       "legacy\n");
}

#define PG(f) cmocka_unit_test_setup_teardown(f, dbm_testdb_setup_pgsql, dbm_testdb_teardown)
#define MY(f) cmocka_unit_test_setup_teardown(f, dbm_testdb_setup_mysql, dbm_testdb_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
	    PG(test_history_servers__pgsql_names_verbatim_without_standard_strings),
	    PG(test_history_servers__pgsql_undo_row_verbatim),
	    PG(test_history_servers__pgsql_non_empty_schema_refused),
	    MY(test_history_servers__mysql_names_verbatim_with_no_backslash_escapes),
	    MY(test_history_servers__mysql_names_verbatim_default_mode),
	    MY(test_history_servers__mysql_limits_checked_before_anything_runs),
	    MY(test_history_servers__mysql_non_empty_schema_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
