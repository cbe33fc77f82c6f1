/*
 * test_flyway_cli.c - the dbmigrate binary on Flyway projects: flyway.conf
 * and flyway.toml found in the working directory (or conf/) or named with
 * --config, FLYWAY_* variables, the note saying which file was read,
 * errors with file and line and exit 2, and the password never printed.
 * Real projects on SQLite files; the history rows and the schema are read
 * back through SQLite.
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

#include "project.h"
#include "testutil.h"

#define SECRET "Wh1sperPw0rd"

static void write_project(const struct dbm_test_project *p)
{
	dbm_test_write(p->dir, "sql/V1__create_tickets.sql",
	               "CREATE TABLE tickets (id INTEGER PRIMARY KEY, owner TEXT DEFAULT "
	               "'${owner}');\n");
	dbm_test_write(p->dir, "sql/V2__add_state.sql",
	               "ALTER TABLE tickets ADD COLUMN state TEXT;\n");
	dbm_test_write(
	    p->dir, "sql/R__open_tickets.sql",
	    "DROP VIEW IF EXISTS open_tickets;\n"
	    "CREATE VIEW open_tickets AS SELECT id FROM tickets WHERE state = 'open';\n");
}

static void run(const struct dbm_test_project *p, const char *const *env, struct dbm_test_result *r,
                const char *a1, const char *a2, const char *a3)
{
	const char *argv[4] = {a1, a2, a3, NULL};

	dbm_test_run(p->dir, env, argv, r);
}

static void test_flyway_cli__conf_found_in_the_working_directory(void **state)
{
	struct dbm_test_project *p = *state;
	struct dbm_test_result r;

	write_project(p);
	dbm_test_write(p->dir, "flyway.conf",
	               "# as Flyway reads it\n"
	               "flyway.url=jdbc:sqlite:dbmigrate.db\n"
	               "flyway.locations=filesystem:sql\n"
	               "flyway.table=flyway_schema_history\n"
	               "flyway.placeholders.owner=support\\u0020desk\n");
	run(p, NULL, &r, "migrate", NULL, NULL);
	assert_int_equal(r.status, 0);
	assert_true(dbm_test_contains(r.err, "dbmigrate: note: reading the Flyway configuration in "
	                                     "flyway.conf (there is no dbmigrate.yml)\n"));
	dbm_test_result_free(&r);
	dbm_test_project_assert_rows(
	    p,
	    "SELECT version, description, type, script, success FROM flyway_schema_history "
	    "ORDER BY installed_rank",
	    "1|create tickets|SQL|V1__create_tickets.sql|1\n"
	    "2|add state|SQL|V2__add_state.sql|1\n"
	    "NULL|open tickets|SQL|R__open_tickets.sql|1\n");
	dbm_test_project_assert_rows(p,
	                             "SELECT dflt_value FROM pragma_table_info('tickets') "
	                             "WHERE name = 'owner'",
	                             "'support desk'\n");
}

static void test_flyway_cli__toml_in_conf_folder_with_environment(void **state)
{
	struct dbm_test_project *p = *state;
	struct dbm_test_result r;
	const char *env[] = {"FLYWAY_PLACEHOLDERS_OWNER=from env", NULL};

	write_project(p);
	dbm_test_write(p->dir, "conf/flyway.toml",
	               "[environments.default]\n"
	               "url = \"jdbc:sqlite:other.db\"\n"
	               "[environments.test]\n"
	               "url = \"jdbc:sqlite:dbmigrate.db\"\n"
	               "[flyway]\n"
	               "locations = [\"filesystem:sql\"]\n"
	               "[flyway.placeholders]\n"
	               "owner = \"from toml\"\n");
	run(p, env, &r, "--env", "test", "migrate");
	assert_int_equal(r.status, 0);
	assert_true(dbm_test_contains(r.err, "reading the Flyway configuration in "
	                                     "conf/flyway.toml"));
	dbm_test_result_free(&r);
	dbm_test_project_assert_rows(p, "SELECT count(*) FROM schema_history", "3\n");
	dbm_test_project_assert_rows(p,
	                             "SELECT dflt_value FROM pragma_table_info('tickets') "
	                             "WHERE name = 'owner'",
	                             "'from env'\n");
}

static void test_flyway_cli__variables_only(void **state)
{
	struct dbm_test_project *p = *state;
	struct dbm_test_result r;
	const char *env[] = {"FLYWAY_URL=jdbc:sqlite:dbmigrate.db",
	                     "FLYWAY_LOCATIONS=filesystem:sql", "FLYWAY_PLACEHOLDERS_OWNER=ops",
	                     NULL};

	write_project(p);
	run(p, env, &r, "migrate", NULL, NULL);
	assert_int_equal(r.status, 0);
	assert_true(dbm_test_contains(r.err, "FLYWAY_* variables (there is no config file)"));
	dbm_test_result_free(&r);
	dbm_test_project_assert_rows(p, "SELECT count(*) FROM schema_history WHERE success = 1",
	                             "3\n");
}

static void test_flyway_cli__errors_name_file_and_line(void **state)
{
	struct dbm_test_project *p = *state;
	struct dbm_test_result r;

	write_project(p);
	dbm_test_write(p->dir, "settings.conf",
	               "flyway.url=jdbc:sqlite:dbmigrate.db\n\nflyway.callbacks=com.x.Audit\n");
	run(p, NULL, &r, "--config", "settings.conf", "migrate");
	assert_int_equal(r.status, 2);
	assert_string_equal(r.err,
	                    "dbmigrate: settings.conf:3: error: flyway.callbacks: not "
	                    "supported\nhint: Java callbacks cannot run in dbmigrate. Remove "
	                    "the setting to run this project with dbmigrate.\n");
	dbm_test_result_free(&r);
	dbm_test_write(p->dir, "flyway.toml", "[flyway]\nlocations = [\"filesystem:sql\"\n");
	run(p, NULL, &r, "info", NULL, NULL);
	assert_int_equal(r.status, 2);
	assert_true(
	    dbm_test_contains(r.err, "dbmigrate: flyway.toml:2: error: unterminated array"));
	dbm_test_result_free(&r);
}

/* The password, from the file, the URL or a variable, never shows: not in errors, not in JSON. */
static void test_flyway_cli__password_never_printed(void **state)
{
	struct dbm_test_project *p = *state;
	struct dbm_test_result r;
	const char *env[] = {"FLYWAY_PASSWORD=" SECRET, NULL};
	static const char *const confs[] = {
	    "flyway.locations=filesystem:sql\nflyway.url=jdbc:postgresql://127.0.0.1:1/"
	    "app\nflyway.user=deploy\n"
	    "flyway.password=" SECRET "\n",
	    "flyway.locations=filesystem:sql\nflyway.url=jdbc:postgresql://127.0.0.1:1/"
	    "app?user=deploy&password=" SECRET "\n",
	    "flyway.locations=filesystem:sql\nflyway.url=jdbc:mysql://127.0.0.1:1/"
	    "app\nflyway.user=deploy\n"
	    "flyway.password=" SECRET "\n",
	    "flyway.url=jdbc:postgresql://127.0.0.1:1/app?password=" SECRET "&bogus=1\n",
	    "flyway.locations=filesystem:sql\nflyway.url=jdbc:postgresql://127.0.0.1:1/"
	    "app\nflyway.user=deploy\n",
	};
	size_t i;
	int json;

	write_project(p);
	for (i = 0; i < sizeof(confs) / sizeof(confs[0]); i++) {
		dbm_test_write(p->dir, "flyway.conf", confs[i]);
		for (json = 0; json < 2; json++) {
			run(p, i == 4 ? env : NULL, &r, json ? "--json" : "--verbose", "migrate",
			    NULL);
			assert_int_equal(r.status, i == 3 ? 2 : 1);
			if (dbm_test_contains(r.out, SECRET) || dbm_test_contains(r.err, SECRET))
				fail_msg("conf %zu printed the password:\n%s\n%s", i, r.out, r.err);
			if (i < 4 && !json && i != 3)
				assert_true(dbm_test_contains(r.err, "***"));
			dbm_test_result_free(&r);
		}
	}
}

/* Flyway's file-name settings, in flyway.conf and as dbmigrate.yml keys; undo files beside. */
static void test_flyway_cli__file_name_prefixes(void **state)
{
	struct dbm_test_project *p = *state;
	struct dbm_test_result r;

	dbm_test_write(p->dir, "db/M1-create_tickets.pgsql", "CREATE TABLE tickets (id INT);\n");
	dbm_test_write(p->dir, "db/M2-add_state.sql",
	               "ALTER TABLE tickets ADD COLUMN state TEXT;\n");
	dbm_test_write(p->dir, "db/B2-add_state.sql", "ALTER TABLE tickets DROP COLUMN state;\n");
	dbm_test_write(p->dir, "db/RR-views.sql",
	               "DROP VIEW IF EXISTS v;\nCREATE VIEW v AS SELECT id FROM tickets;\n");
	dbm_test_write(p->dir, "flyway.conf",
	               "flyway.url=jdbc:sqlite:dbmigrate.db\n"
	               "flyway.locations=filesystem:db\n"
	               "flyway.sqlMigrationPrefix=M\n"
	               "flyway.sqlMigrationSeparator=-\n"
	               "flyway.sqlMigrationSuffixes=.sql,.pgsql\n"
	               "flyway.repeatableSqlMigrationPrefix=RR\n"
	               "flyway.undoSqlMigrationPrefix=B\n");
	run(p, NULL, &r, "migrate", NULL, NULL);
	assert_int_equal(r.status, 0);
	dbm_test_result_free(&r);
	dbm_test_project_assert_rows(
	    p,
	    "SELECT version, script FROM schema_history ORDER BY "
	    "installed_rank",
	    "1|M1-create_tickets.pgsql\n2|M2-add_state.sql\nNULL|RR-views.sql\n");
	run(p, NULL, &r, "rollback", NULL, NULL);
	assert_int_equal(r.status, 0);
	dbm_test_result_free(&r);
	dbm_test_project_assert_rows(p, "SELECT count(*) FROM pragma_table_info('tickets')", "1\n");
	/* the same with dbmigrate.yml's names */
	dbm_test_write(p->dir, "dbmigrate.yml",
	               "migrations: db\n"
	               "sql_migration_prefix: M\n"
	               "sql_migration_separator: '-'\n"
	               "sql_migration_suffixes: .sql,.pgsql\n"
	               "repeatable_sql_migration_prefix: RR\n"
	               "undo_sql_migration_prefix: B\n");
	run(p, NULL, &r, "migrate", NULL, NULL);
	assert_int_equal(r.status, 0);
	assert_false(dbm_test_contains(r.err, "flyway.conf"));
	dbm_test_result_free(&r);
	dbm_test_project_assert_rows(p, "SELECT count(*) FROM pragma_table_info('tickets')", "2\n");
	/* new names the next pair with the same settings */
	run(p, NULL, &r, "new", "add_owner", NULL);
	assert_int_equal(r.status, 0);
	dbm_test_result_free(&r);
	{
		char path[4096];

		snprintf(path, sizeof(path), "%s/db/M3-add_owner.sql", p->dir);
		assert_int_equal(access(path, F_OK), 0);
		snprintf(path, sizeof(path), "%s/rollback/B3-add_owner.sql", p->dir);
		assert_int_equal(access(path, F_OK), 0);
	}
	/* a file that fits neither form is refused, as any other */
	dbm_test_write(p->dir, "db/V3__old_style.sql", "SELECT 1;\n");
	run(p, NULL, &r, "info", NULL, NULL);
	assert_int_equal(r.status, 2);
	assert_true(dbm_test_contains(r.err, "db/V3__old_style.sql"));
	assert_true(dbm_test_contains(r.err,
	                              "hint: Name versioned migrations "
	                              "M<version>-<description>.sql, repeatable ones "
	                              "RR-<description>.sql and undo ones "
	                              "B<version>-<description>.sql, e.g. M2.1-add_email.sql; "
	                              "callbacks are named after their event, e.g. "
	                              "beforeMigrate.sql or afterEachMigrate-audit.sql."));
	dbm_test_result_free(&r);
	/* the rollback folder's error names the undo form in use, not Flyway's default */
	{
		char path[4096];

		snprintf(path, sizeof(path), "%s/db/V3__old_style.sql", p->dir);
		assert_int_equal(unlink(path), 0);
	}
	dbm_test_write(p->dir, "rollback/M9-misplaced.sql", "SELECT 1;\n");
	run(p, NULL, &r, "info", NULL, NULL);
	assert_int_equal(r.status, 2);
	assert_true(dbm_test_contains(r.err, "\"rollback/M9-misplaced.sql\" is not an undo "
	                                     "migration (B<version>-<description>.sql)"));
	assert_true(dbm_test_contains(r.err, "hint: The rollback folder holds only undo "
	                                     "migrations, named B<version>-<description>.sql."));
	assert_false(dbm_test_contains(r.err, "U<version>"));
	dbm_test_result_free(&r);
	/* a missing undo script is named as the settings name it */
	{
		char path[4096];

		snprintf(path, sizeof(path), "%s/rollback/M9-misplaced.sql", p->dir);
		assert_int_equal(unlink(path), 0);
		snprintf(path, sizeof(path), "%s/db/B2-add_state.sql", p->dir);
		assert_int_equal(unlink(path), 0);
	}
	run(p, NULL, &r, "rollback", NULL, NULL);
	assert_int_equal(r.status, 2);
	assert_true(dbm_test_contains(r.err, "no undo script for version 2"));
	assert_true(dbm_test_contains(r.err, "version 2: expected rollback/B2-add_state.sql"));
	dbm_test_result_free(&r);
}

/* group: every pending migration in one transaction: a failure in the third leaves none applied. */
static void test_flyway_cli__group_is_one_transaction(void **state)
{
	struct dbm_test_project *p = *state;
	struct dbm_test_result r;

	dbm_test_write(p->dir, "sql/V1__a.sql", "CREATE TABLE a (id INT);\n");
	dbm_test_write(p->dir, "sql/V2__b.sql", "CREATE TABLE b (id INT);\n");
	dbm_test_write(p->dir, "sql/V3__c.sql",
	               "CREATE TABLE c (id INT);\nINSERT INTO nope VALUES (1);\n");
	dbm_test_write(p->dir, "flyway.conf",
	               "flyway.url=jdbc:sqlite:dbmigrate.db\nflyway.locations=filesystem:sql\n"
	               "flyway.group=true\n");
	run(p, NULL, &r, "migrate", NULL, NULL);
	assert_int_equal(r.status, 1);
	assert_true(dbm_test_contains(r.err, "sql/V3__c.sql:2: error: no such table: nope"));
	assert_true(dbm_test_contains(r.err, "every migration of this run was rolled back"));
	dbm_test_result_free(&r);
	dbm_test_project_assert_rows(p,
	                             "SELECT count(*) FROM sqlite_master WHERE name IN "
	                             "('a', 'b', 'c')",
	                             "0\n");
	dbm_test_project_assert_rows(p, "SELECT count(*) FROM schema_history", "0\n");
	/* the dry run shows one BEGIN and one COMMIT around them all */
	run(p, NULL, &r, "migrate", "--dry-run", NULL);
	assert_int_equal(r.status, 0);
	assert_int_equal(dbm_test_count(r.out, "BEGIN"), 1);
	assert_int_equal(dbm_test_count(r.out, "COMMIT"), 1);
	dbm_test_result_free(&r);
	/* a migration that must run outside a transaction cannot join the group */
	dbm_test_write(p->dir, "sql/V3__c.sql", "CREATE TABLE c (id INT);\n");
	dbm_test_write(p->dir, "sql/V3__c.sql.conf", "executeInTransaction=false\n");
	run(p, NULL, &r, "migrate", NULL, NULL);
	assert_int_equal(r.status, 2);
	assert_true(dbm_test_contains(r.err, "sql/V3__c.sql: error: this migration cannot run "
	                                     "inside the group's transaction"));
	dbm_test_result_free(&r);
	dbm_test_project_assert_rows(p, "SELECT count(*) FROM schema_history", "0\n");
	dbm_test_write(p->dir, "sql/V3__c.sql.conf", "executeInTransaction=true\n");
	run(p, NULL, &r, "migrate", NULL, NULL);
	assert_int_equal(r.status, 0);
	dbm_test_result_free(&r);
	dbm_test_project_assert_rows(
	    p, "SELECT version FROM schema_history ORDER BY installed_rank", "1\n2\n3\n");
}

static void run_status(const struct dbm_test_project *p, const char *patterns, const char *cmd,
                       int want)
{
	struct dbm_test_result r;
	char conf[512];

	snprintf(conf, sizeof(conf),
	         "flyway.url=jdbc:sqlite:dbmigrate.db\nflyway.locations=filesystem:sql\n%s%s\n",
	         patterns ? "flyway.ignoreMigrationPatterns=" : "", patterns ? patterns : "");
	dbm_test_write(p->dir, "flyway.conf", conf);
	run(p, NULL, &r, cmd, NULL, NULL);
	if (r.status != want)
		fail_msg("%s with patterns '%s': exit %d, want %d\n%s%s", cmd,
		         patterns ? patterns : "(default)", r.status, want, r.out, r.err);
	dbm_test_result_free(&r);
}

/* ignoreMigrationPatterns as Flyway defines them: missing, future and ignored findings. */
static void test_flyway_cli__ignore_migration_patterns(void **state)
{
	struct dbm_test_project *p = *state;
	char path[4096];

	dbm_test_write(p->dir, "sql/V1__a.sql", "CREATE TABLE a (id INT);\n");
	dbm_test_write(p->dir, "sql/V3__c.sql", "CREATE TABLE c (id INT);\n");
	dbm_test_write(p->dir, "sql/V4__d.sql", "CREATE TABLE d (id INT);\n");
	run_status(p, NULL, "migrate", 0);
	/* V2 arrives late: Ignored, refused unless ignored by a pattern */
	dbm_test_write(p->dir, "sql/V2__b.sql", "CREATE TABLE b (id INT);\n");
	run_status(p, NULL, "migrate", 3);
	run_status(p, "*:missing", "migrate", 3);
	run_status(p, "versioned:ignored", "migrate", 0);
	dbm_test_project_assert_rows(p, "SELECT count(*) FROM schema_history WHERE version = '2'",
	                             "0\n");
	snprintf(path, sizeof(path), "%s/sql/V2__b.sql", p->dir);
	assert_int_equal(unlink(path), 0);
	/* V3's file goes: Missing */
	snprintf(path, sizeof(path), "%s/sql/V3__c.sql", p->dir);
	assert_int_equal(unlink(path), 0);
	run_status(p, NULL, "validate", 3);
	run_status(p, "repeatable:missing", "validate", 3);
	run_status(p, "*:missing", "validate", 0);
	/* V4's file goes too: Future, ignored by default ("*:future") but not when patterns say
	 * otherwise */
	snprintf(path, sizeof(path), "%s/sql/V4__d.sql", p->dir);
	assert_int_equal(unlink(path), 0);
	run_status(p, "*:missing", "validate", 3);
	run_status(p, "*:missing,versioned:future", "validate", 0);
	run_status(p, " * : * ", "validate", 2); /* white space inside a pattern: not one */
	run_status(p, "*:*", "validate", 0);
}

/* flyway.target / target: migrate stops there unless --target says otherwise. */
static void test_flyway_cli__target(void **state)
{
	struct dbm_test_project *p = *state;
	struct dbm_test_result r;

	write_project(p);
	dbm_test_write(p->dir, "flyway.toml",
	               "[flyway]\nlocations = [\"filesystem:sql\"]\ntarget = \"1\"\n"
	               "placeholders.owner = \"x\"\n"
	               "[environments.default]\nurl = \"jdbc:sqlite:dbmigrate.db\"\n"
	               "schemas = [\"main\", \"audit\"]\n");
	run(p, NULL, &r, "migrate", NULL, NULL);
	assert_int_equal(r.status, 0);
	assert_true(dbm_test_contains(r.err, "flyway.toml:7: environments.default.schemas names "
	                                     "several schemas."));
	dbm_test_result_free(&r);
	dbm_test_project_assert_rows(
	    p, "SELECT version FROM schema_history WHERE version IS NOT NULL", "1\n");
	run(p, NULL, &r, "migrate", "--target", "latest");
	assert_int_equal(r.status, 0);
	dbm_test_result_free(&r);
	dbm_test_project_assert_rows(p, "SELECT count(*) FROM schema_history", "3\n");
	dbm_test_write(p->dir, "flyway.toml", "[flyway]\ntarget = \"next\"\n");
	run(p, NULL, &r, "info", NULL, NULL);
	assert_int_equal(r.status, 2);
	assert_true(dbm_test_contains(r.err,
	                              "flyway.toml:2: error: flyway.target: expected a version, "
	                              "latest or current, got 'next'"));
	dbm_test_result_free(&r);
}

/* placeholderReplacement=false: ${...} stays as written, also in a repeatable's checksum. */
static void test_flyway_cli__placeholder_replacement_off(void **state)
{
	struct dbm_test_project *p = *state;
	struct dbm_test_result r;

	write_project(p);
	dbm_test_write(p->dir, "flyway.conf",
	               "flyway.url=jdbc:sqlite:dbmigrate.db\nflyway.locations=filesystem:sql\n"
	               "flyway.placeholderReplacement=false\n");
	run(p, NULL, &r, "migrate", NULL, NULL);
	assert_int_equal(r.status, 0);
	dbm_test_result_free(&r);
	dbm_test_project_assert_rows(p,
	                             "SELECT dflt_value FROM pragma_table_info('tickets') "
	                             "WHERE name = 'owner'",
	                             "'${owner}'\n");
	run(p, NULL, &r, "migrate", NULL, NULL);
	assert_int_equal(r.status, 0);
	assert_true(dbm_test_contains(r.out, "Schema is up to date"));
	dbm_test_result_free(&r);
}

/* Several filesystem: locations: searched in turn, names in the history relative to each. */
static void test_flyway_cli__several_locations(void **state)
{
	struct dbm_test_project *p = *state;
	struct dbm_test_result r;

	write_project(p);
	dbm_test_write(p->dir, "more/V3__add_prio.sql",
	               "ALTER TABLE tickets ADD COLUMN prio INT;\n");
	dbm_test_write(
	    p->dir, "more/views/R__prio_view.sql",
	    "DROP VIEW IF EXISTS prio;\nCREATE VIEW prio AS SELECT id, prio FROM tickets;\n");
	dbm_test_write(p->dir, "flyway.conf",
	               "flyway.url=jdbc:sqlite:dbmigrate.db\n"
	               "flyway.locations=filesystem:sql, filesystem:more\n"
	               "flyway.placeholders.owner=x\n");
	run(p, NULL, &r, "migrate", NULL, NULL);
	assert_int_equal(r.status, 0);
	dbm_test_result_free(&r);
	dbm_test_project_assert_rows(
	    p, "SELECT version, script FROM schema_history ORDER BY installed_rank",
	    "1|V1__create_tickets.sql\n2|V2__add_state.sql\n3|V3__add_prio.sql\n"
	    "NULL|R__open_tickets.sql\nNULL|views/R__prio_view.sql\n");
	/* the same version in two locations is a duplicate */
	dbm_test_write(p->dir, "more/V2__again.sql", "SELECT 1;\n");
	run(p, NULL, &r, "info", NULL, NULL);
	assert_int_equal(r.status, 2);
	assert_true(dbm_test_contains(r.err, "more/V2__again.sql"));
	assert_true(dbm_test_contains(r.err, "sql/V2__add_state.sql"));
	dbm_test_result_free(&r);
	/* --migrations names one folder: the other locations are not searched */
	run(p, NULL, &r, "--migrations", "sql", "info");
	assert_int_equal(r.status, 0);
	assert_true(dbm_test_contains(r.out, "Missing"));
	dbm_test_result_free(&r);
	/* a location that does not exist is an error naming it */
	dbm_test_write(p->dir, "flyway.conf",
	               "flyway.url=jdbc:sqlite:dbmigrate.db\n"
	               "flyway.locations=filesystem:sql,filesystem:gone\n");
	run(p, NULL, &r, "info", NULL, NULL);
	assert_int_equal(r.status, 2);
	assert_true(dbm_test_contains(r.err, "error: location \"gone\" does not exist"));
	dbm_test_result_free(&r);
}

#define T(name)                                                                                    \
	cmocka_unit_test_setup_teardown(name, dbm_test_project_setup, dbm_test_project_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
	    T(test_flyway_cli__conf_found_in_the_working_directory),
	    T(test_flyway_cli__toml_in_conf_folder_with_environment),
	    T(test_flyway_cli__variables_only),
	    T(test_flyway_cli__errors_name_file_and_line),
	    T(test_flyway_cli__password_never_printed),
	    T(test_flyway_cli__file_name_prefixes),
	    T(test_flyway_cli__group_is_one_transaction),
	    T(test_flyway_cli__ignore_migration_patterns),
	    T(test_flyway_cli__target),
	    T(test_flyway_cli__placeholder_replacement_off),
	    T(test_flyway_cli__several_locations),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
