/*
 * test_cli.c - the dbmigrate binary on the embedded SQLite default, as a
 * user runs it: argv in, stdout/stderr/exit code and the database's rows out.
 */
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include <cmocka.h>

#include "cmd/cmd.h"
#include "project.h"
#include "testutil.h"

static void test_cli__applies_in_numeric_order_across_folders(void **state)
{
	struct dbm_test_project *p = *state;
	struct dbm_test_result r;

	dbm_test_write(p->dir, "migrations/V1__one.sql", "CREATE TABLE t1 (id INT);\n");
	dbm_test_write(p->dir, "migrations/b/V1.10__ten.sql", "CREATE TABLE t110 (id INT);\n");
	dbm_test_write(p->dir, "migrations/a/V1.9__nine.sql", "CREATE TABLE t19 (id INT);\n");
	dbm_test_write(p->dir, "migrations/V2__two.sql", "CREATE TABLE t2 (id INT);\n");
	dbm_test_write(p->dir, "migrations/notes.txt", "not a migration");
	dbm_test_project_run(p, &r, "migrate", NULL);
	dbm_test_expect_out(&r, 0, "Applied 4 migrations, now at version 2", NULL);
	assert_true(dbm_test_contains(r.err, "V1.10 ten ... "));
	dbm_test_result_free(&r);
	dbm_test_project_assert_rows(
	    p,
	    "SELECT installed_rank, version, description, type, script, success "
	    "FROM schema_history ORDER BY installed_rank",
	    "1|1|one|SQL|V1__one.sql|1\n2|1.9|nine|SQL|a/V1.9__nine.sql|1\n"
	    "3|1.10|ten|SQL|b/V1.10__ten.sql|1\n4|2|two|SQL|V2__two.sql|1\n");
	dbm_test_project_run(p, &r, "migrate", NULL);
	dbm_test_expect_out(&r, 0, "Schema is up to date at version 2", NULL);
	dbm_test_result_free(&r);
}

static void test_cli__flyway_checksums_for_crlf_and_bom(void **state)
{
	struct dbm_test_project *p = *state;

	dbm_test_write(p->dir, "migrations/V1__lf.sql", "CREATE TABLE t (id INT);\n");
	dbm_test_write(p->dir, "migrations/V2__crlf.sql", "CREATE TABLE u (id INT);\r\n");
	dbm_test_write(p->dir, "migrations/V3__bom.sql",
	               "\xEF\xBB\xBF"
	               "CREATE TABLE t3 (id INT);");
	dbm_test_write(p->dir, "migrations/V4__empty.sql", "");
	dbm_test_write(p->dir, "migrations/V5__select.sql", "SELECT 1;\n");
	dbm_test_project_expect(p, 0, "migrate", NULL);
	/* Flyway's CRC-32 without line breaks and BOM, as a signed 32-bit integer. */
	dbm_test_project_assert_rows(
	    p, "SELECT version, checksum FROM schema_history ORDER BY installed_rank",
	    "1|1556295178\n2|-1655836214\n3|-1018616847\n4|0\n5|78787420\n");
}

static void test_cli__edited_file_is_changed_and_blocks_migrate(void **state)
{
	struct dbm_test_project *p = *state;
	struct dbm_test_result r;

	dbm_test_write(p->dir, "migrations/V1__init.sql", "CREATE TABLE t (id INT);\n");
	dbm_test_write(p->dir, "migrations/V2__more.sql", "CREATE TABLE u (id INT);\n");
	dbm_test_project_expect(p, 0, "migrate", NULL);
	dbm_test_write(p->dir, "migrations/V1__init.sql", "CREATE TABLE t (id INT, x INT);\n");
	dbm_test_write(p->dir, "migrations/V3__new.sql", "CREATE TABLE w (id INT);\n");

	dbm_test_project_run(p, &r, "validate", NULL);
	assert_int_equal(r.status, 3);
	assert_true(dbm_test_contains(r.err, "V1__init.sql"));
	assert_true(dbm_test_contains(r.err, "repair"));
	dbm_test_result_free(&r);

	dbm_test_project_run(p, &r, "info", "--json", NULL);
	dbm_test_expect_out(&r, 0, "\"state\": \"Changed\"", "\"state\": \"Pending\"", NULL);
	dbm_test_result_free(&r);

	dbm_test_project_run(p, &r, "migrate", NULL);
	assert_int_equal(r.status, 3);
	assert_true(dbm_test_contains(r.err, "V1__init.sql"));
	dbm_test_result_free(&r);
	dbm_test_project_assert_rows(p, "SELECT count(*) FROM schema_history", "2\n");
	dbm_test_project_assert_rows(p, "SELECT count(*) FROM sqlite_master WHERE name = 'w'",
	                             "0\n");

	/* repair accepts the edit; migrate then goes on */
	dbm_test_project_run(p, &r, "repair", NULL);
	dbm_test_expect_out(&r, 0, "realigned version 1", NULL);
	dbm_test_result_free(&r);
	dbm_test_project_expect(p, 0, "migrate", NULL);
	dbm_test_project_assert_rows(p, "SELECT count(*) FROM sqlite_master WHERE name = 'w'",
	                             "1\n");
}

/*
 * With many files the checksums are read by a second thread while the
 * connection is made (runner/prefetch.c): drift and unreadable bytes must be
 * found exactly as without it.
 */
static void test_cli__many_files_drift_and_bad_bytes_found_while_prefetching(void **state)
{
	struct dbm_test_project *p = *state;
	struct dbm_test_result r;

	dbm_test_write_steps(p->dir, 80);
	dbm_test_project_expect(p, 0, "migrate", NULL);
	dbm_test_project_run(p, &r, "validate", NULL);
	dbm_test_expect_out(&r, 0, "Validated 80 migrations", NULL);
	dbm_test_result_free(&r);

	dbm_test_write(p->dir, "migrations/V17__step_17.sql",
	               "CREATE TABLE t17 (id INT, x INT);\n");
	dbm_test_project_run(p, &r, "validate", NULL);
	assert_int_equal(r.status, 3);
	assert_true(dbm_test_contains(r.err, "version 17 (V17__step_17.sql) has changed"));
	assert_int_equal(dbm_test_count(r.err, "has changed"), 1);
	dbm_test_result_free(&r);

	dbm_test_write(p->dir, "migrations/V63__step_63.sql",
	               "CREATE TABLE t63 (id INT); -- caf\xe9\n");
	dbm_test_project_run(p, &r, "validate", NULL);
	assert_int_equal(r.status, 2);
	assert_true(dbm_test_contains(r.err,
	                              "migrations/V63__step_63.sql:1: error: invalid UTF-8 at "
	                              "byte offset 33"));
	dbm_test_result_free(&r);
}

static void test_cli__bad_names_and_duplicates_exit_2_naming_files(void **state)
{
	struct dbm_test_project *p = *state;
	struct dbm_test_result r;

	dbm_test_write(p->dir, "migrations/V1__ok.sql", "SELECT 1;\n");
	dbm_test_write(p->dir, "migrations/create_users.sql", "SELECT 1;\n");
	dbm_test_project_run(p, &r, "migrate", NULL);
	assert_int_equal(r.status, 2);
	assert_true(dbm_test_contains(r.err, "create_users.sql"));
	dbm_test_result_free(&r);
	{
		char path[4200];

		snprintf(path, sizeof(path), "%s/migrations/create_users.sql", p->dir);
		assert_int_equal(unlink(path), 0);
	}

	dbm_test_write(p->dir, "migrations/sub/V1.0__again.sql", "SELECT 1;\n");
	dbm_test_project_run(p, &r, "info", NULL);
	assert_int_equal(r.status, 2);
	assert_true(dbm_test_contains(r.err, "V1__ok.sql"));
	assert_true(dbm_test_contains(r.err, "sub/V1.0__again.sql"));
	dbm_test_result_free(&r);
}

static void test_cli__sql_error_names_file_line_and_leaves_nothing(void **state)
{
	struct dbm_test_project *p = *state;
	struct dbm_test_result r;

	dbm_test_write(p->dir, "migrations/V1__ok.sql", "CREATE TABLE a (id INT);\n");
	dbm_test_write(p->dir, "migrations/V2__broken.sql",
	               "-- a comment\n"
	               "CREATE TABLE b (id INT);\n"
	               "INSERT INTO b VALUES (1);\n"
	               "\n"
	               "CREATE TABLEX c (id INT);\n"
	               "CREATE TABLE d (id INT);\n");
	dbm_test_project_run(p, &r, "migrate", NULL);
	assert_int_equal(r.status, 1);
	assert_true(dbm_test_contains(r.err, "migrations/V2__broken.sql:5: error: "));
	assert_true(dbm_test_contains(r.err, "syntax error"));
	assert_true(dbm_test_contains(r.err, "hint: "));
	dbm_test_result_free(&r);
	dbm_test_project_assert_rows(p, "SELECT version, success FROM schema_history", "1|1\n");
	dbm_test_project_assert_rows(
	    p, "SELECT name FROM sqlite_master WHERE name IN ('b', 'c', 'd')", "");
}

static void test_cli__dry_run_prints_sql_and_changes_nothing(void **state)
{
	struct dbm_test_project *p = *state;
	struct dbm_test_result r;

	dbm_test_write(p->dir, "migrations/V1__init.sql", "CREATE TABLE t (id INT);\n");
	dbm_test_project_run(p, &r, "migrate", "--dry-run", NULL);
	dbm_test_expect_out(&r, 0, "CREATE TABLE \"schema_history\"", NULL);
	assert_true(dbm_test_contains(r.out, "BEGIN IMMEDIATE;\nCREATE TABLE t (id INT);\n"
	                                     "INSERT INTO \"schema_history\""));
	assert_true(dbm_test_contains(r.out, "'V1__init.sql', 1556295178"));
	assert_true(dbm_test_contains(r.out, "COMMIT;\n"));
	dbm_test_result_free(&r);
	/* not even an empty database file: a dry run writes nothing */
	{
		char path[4200];

		snprintf(path, sizeof(path), "%s/dbmigrate.db", p->dir);
		assert_int_equal(access(path, F_OK), -1);
	}
}

static void test_cli__rollback_one_step_then_all_checks_undo_files_first(void **state)
{
	struct dbm_test_project *p = *state;
	struct dbm_test_result r;

	dbm_test_write(p->dir, "migrations/V1__a.sql", "CREATE TABLE a (id INT);\n");
	dbm_test_write(p->dir, "migrations/V2__b.sql", "CREATE TABLE b (id INT);\n");
	dbm_test_write(p->dir, "migrations/V3__c.sql", "CREATE TABLE c (id INT);\n");
	dbm_test_write(p->dir, "rollback/U2__b.sql", "DROP TABLE b;\n");
	dbm_test_write(p->dir, "rollback/U3__c.sql", "DROP TABLE c;\n");
	dbm_test_project_expect(p, 0, "migrate", NULL);

	dbm_test_project_expect(p, 0, "rollback", NULL);
	dbm_test_project_assert_rows(
	    p,
	    "SELECT version, type, script, success FROM schema_history WHERE "
	    "installed_rank = 4",
	    "3|UNDO_SQL|U3__c.sql|1\n");
	dbm_test_project_assert_rows(
	    p, "SELECT name FROM sqlite_master WHERE name IN ('a','b','c') ORDER BY name",
	    "a\nb\n");

	dbm_test_project_run(p, &r, "rollback", "--to", "0", NULL);
	assert_int_equal(r.status, 2);
	assert_true(dbm_test_contains(r.err, "U1__a.sql"));
	dbm_test_result_free(&r);
	/* nothing was touched */
	dbm_test_project_assert_rows(
	    p, "SELECT name FROM sqlite_master WHERE name IN ('a','b','c') ORDER BY name",
	    "a\nb\n");
	dbm_test_project_assert_rows(p, "SELECT count(*) FROM schema_history", "4\n");

	/* undone versions are pending again */
	dbm_test_project_run(p, &r, "migrate", NULL);
	dbm_test_expect_out(&r, 0, "Applied 1 migration", NULL);
	dbm_test_result_free(&r);
}

static void test_cli__missing_undo_names_the_rollback_folder_in_use(void **state)
{
	struct dbm_test_project *p = *state;
	struct dbm_test_result r;

	dbm_test_write(p->dir, "migrations/V1__add_users.sql", "CREATE TABLE a (id INT);\n");
	dbm_test_project_expect(p, 0, "migrate", NULL);
	dbm_test_project_run(p, &r, "--rollback", "db/undo", "rollback", NULL);
	assert_int_equal(r.status, 2);
	assert_true(dbm_test_contains(r.err, "version 1: expected db/undo/U1__add_users.sql"));
	dbm_test_result_free(&r);
}

static void test_cli__password_never_printed(void **state)
{
	struct dbm_test_project *p = *state;
	struct dbm_test_result r;

	dbm_test_write(p->dir, "migrations/V1__a.sql", "SELECT 1;\n");
	dbm_test_project_run(p, &r, "--url", "postgres://app:S3cretPw@127.0.0.1:1/db", "migrate",
	                     NULL);
	assert_int_equal(r.status, 1);
	assert_false(dbm_test_contains(r.out, "S3cretPw"));
	assert_false(dbm_test_contains(r.err, "S3cretPw"));
	dbm_test_result_free(&r);
	dbm_test_project_run(p, &r, "--url", "mysql://app:S3cretPw@127.0.0.1:1/db", "--json",
	                     "info", NULL);
	assert_int_equal(r.status, 1);
	assert_false(dbm_test_contains(r.out, "S3cretPw"));
	assert_false(dbm_test_contains(r.err, "S3cretPw"));
	dbm_test_result_free(&r);
	dbm_test_project_run(p, &r, "--url", "nosuch://app:S3cretPw@host/db", "--verbose", "info",
	                     NULL);
	assert_int_equal(r.status, 2);
	assert_false(dbm_test_contains(r.err, "S3cretPw"));
	dbm_test_result_free(&r);
}

static void test_cli__unknown_config_key_exit_2_with_line(void **state)
{
	struct dbm_test_project *p = *state;
	struct dbm_test_result r;

	dbm_test_write(p->dir, "migrations/V1__a.sql", "SELECT 1;\n");
	dbm_test_write(p->dir, "dbmigrate.yml", "url: sqlite:x.db\n\nlock_timout: 5\n");
	dbm_test_project_run(p, &r, "info", NULL);
	assert_int_equal(r.status, 2);
	assert_true(dbm_test_contains(r.err, "dbmigrate.yml:3"));
	assert_true(dbm_test_contains(r.err, "lock_timeout"));
	dbm_test_result_free(&r);
}

static void test_cli__lock_timeout_exits_4_naming_holder(void **state)
{
	struct dbm_test_project *p = *state;
	struct dbm_test_result r;
	char path[4200];
	int fd;

	dbm_test_write(p->dir, "migrations/V1__a.sql", "SELECT 1;\n");
	snprintf(path, sizeof(path), "%s/dbmigrate.db.lock", p->dir);
	fd = open(path, O_RDWR | O_CREAT, 0644);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "pid 4242 on testhost, since now\n", 32), 32);
	assert_int_equal(flock(fd, LOCK_EX), 0);
	dbm_test_project_run(p, &r, "migrate", "--lock-timeout", "1", NULL);
	assert_int_equal(r.status, 4);
	assert_true(dbm_test_contains(r.err, "pid 4242 on testhost"));
	dbm_test_result_free(&r);
	close(fd);
	dbm_test_project_expect(p, 0, "migrate", "--lock-timeout", "1", NULL);
}

static void test_cli__concurrent_runners_apply_each_migration_once(void **state)
{
	struct dbm_test_project *p = *state;
	char name[64], body[256], out[4200], err[4200];
	const char *argv[] = {"migrate", NULL};
	int pids[6], i;

	for (i = 1; i <= 20; i++) {
		snprintf(name, sizeof(name), "migrations/V%d__step.sql", i);
		snprintf(body, sizeof(body),
		         "CREATE TABLE t%d (id INT);\nINSERT INTO t%d VALUES (%d);\n", i, i, i);
		dbm_test_write(p->dir, name, body);
	}
	for (i = 0; i < 6; i++) {
		snprintf(out, sizeof(out), "%s/out%d", p->dir, i);
		snprintf(err, sizeof(err), "%s/err%d", p->dir, i);
		pids[i] = dbm_test_spawn(p->dir, NULL, argv, out, err);
	}
	for (i = 0; i < 6; i++)
		assert_int_equal(dbm_test_wait(pids[i]), 0);
	dbm_test_project_assert_rows(
	    p, "SELECT count(*), count(DISTINCT version) FROM schema_history", "20|20\n");
}

static void test_cli__json_error_and_exit_codes(void **state)
{
	struct dbm_test_project *p = *state;
	struct dbm_test_result r;

	dbm_test_project_run(p, &r, "--json", "migrate", NULL);
	dbm_test_expect_out(&r, 2, "\"errorCode\": 2", "\"message\"", NULL);
	dbm_test_result_free(&r);
	dbm_test_project_run(p, &r, "migrat", NULL);
	assert_int_equal(r.status, 2);
	assert_true(dbm_test_contains(r.err, "Did you mean 'migrate'?"));
	dbm_test_result_free(&r);
	dbm_test_project_run(p, &r, "version", NULL);
	dbm_test_expect_out(&r, 0, "sqlite", NULL);
	dbm_test_result_free(&r);
}

static void test_cli__clean_is_guarded(void **state)
{
	struct dbm_test_project *p = *state;
	struct dbm_test_result r;

	dbm_test_write(p->dir, "migrations/V1__a.sql", "CREATE TABLE a (id INT);\n");
	dbm_test_project_run(p, &r, "migrate", NULL);
	dbm_test_result_free(&r);
	dbm_test_project_run(p, &r, "clean", "--yes", NULL);
	assert_int_equal(r.status, 2);
	assert_true(dbm_test_contains(r.err, "clean_disabled"));
	dbm_test_result_free(&r);
	dbm_test_write(p->dir, "dbmigrate.yml", "clean_disabled: false\n");
	dbm_test_project_expect(p, 2, "clean", NULL);
	dbm_test_project_expect(p, 0, "clean", "--yes", NULL);
	dbm_test_project_assert_rows(p, "SELECT count(*) FROM sqlite_master", "0\n");
}

static void test_cli__new_creates_next_pair(void **state)
{
	struct dbm_test_project *p = *state;
	struct dbm_test_result r;
	char path[4200];
	char *body;

	dbm_test_write(p->dir, "migrations/V7__a.sql", "SELECT 1;\n");
	dbm_test_project_run(p, &r, "new", "add email", NULL);
	dbm_test_expect_out(&r, 0, "migrations/V8__add_email.sql", "rollback/U8__add_email.sql",
	                    NULL);
	dbm_test_result_free(&r);
	snprintf(path, sizeof(path), "%s/rollback/U8__add_email.sql", p->dir);
	body = dbm_test_read(path);
	assert_non_null(body);
	free(body);
}

static void test_cli__baseline_then_migrate_applies_only_above(void **state)
{
	struct dbm_test_project *p = *state;

	dbm_test_write(p->dir, "migrations/V1__a.sql", "CREATE TABLE a (id INT);\n");
	dbm_test_write(p->dir, "migrations/V2__b.sql", "CREATE TABLE b (id INT);\n");
	dbm_test_write(p->dir, "migrations/V3__c.sql", "CREATE TABLE c (id INT);\n");
	dbm_test_project_expect(p, 0, "baseline", "--version", "2", NULL);
	dbm_test_project_expect(p, 0, "migrate", NULL);
	dbm_test_project_assert_rows(
	    p, "SELECT version, type FROM schema_history ORDER BY installed_rank",
	    "2|BASELINE\n3|SQL\n");
}

/* Every command's help, in all three forms, lists what the table says it takes. */
static void test_cli__help_of_every_command_from_the_table(void **state)
{
	struct dbm_test_project *p = *state;
	struct dbm_test_result r, r2;
	size_t c, o;

	dbm_test_project_run(p, &r, "help", NULL);
	dbm_test_expect_out(&r, 0, "usage: dbmigrate [global options] <command>", NULL);
	for (c = 0; dbm_commands[c].name; c++)
		assert_true(dbm_test_contains(r.out, dbm_commands[c].summary));
	dbm_test_result_free(&r);
	for (c = 0; dbm_commands[c].name; c++) {
		const struct dbm_command *cmd = &dbm_commands[c];
		char usage[128];

		dbm_test_project_run(p, &r, "help", cmd->name, NULL);
		dbm_test_project_run(p, &r2, cmd->name, "--help", NULL);
		assert_int_equal(r.status, 0);
		assert_int_equal(r2.status, 0);
		assert_string_equal(r.out, r2.out);
		assert_string_equal(r.err, "");
		/* the third spelling, -h, says the same */
		dbm_test_result_free(&r2);
		dbm_test_project_run(p, &r2, cmd->name, "-h", NULL);
		assert_int_equal(r2.status, 0);
		assert_string_equal(r.out, r2.out);
		assert_string_equal(r2.err, "");
		snprintf(usage, sizeof(usage), "usage: dbmigrate %s", cmd->name);
		assert_true(dbm_test_contains(r.out, usage));
		assert_true(dbm_test_contains(r.out, cmd->example));
		for (o = 0; dbm_options[o].name; o++) {
			char flag[64];

			if (!(dbm_options[o].bit & cmd->options))
				continue;
			snprintf(flag, sizeof(flag), "--%s", dbm_options[o].name);
			if (!dbm_test_contains(r.out, flag) ||
			    !dbm_test_contains(r.out, dbm_options[o].help))
				fail_msg("help %s lacks %s", cmd->name, flag);
		}
		dbm_test_result_free(&r);
		dbm_test_result_free(&r2);
	}
	/* -h works too, and an unknown topic is a usage error */
	dbm_test_project_run(p, &r, "rollback", "-h", NULL);
	dbm_test_expect_out(&r, 0, "--steps N", NULL);
	dbm_test_result_free(&r);
	dbm_test_project_run(p, &r, "help", "upp", NULL);
	assert_int_equal(r.status, 2);
	assert_true(dbm_test_contains(r.err, "unknown command 'upp'"));
	dbm_test_result_free(&r);
}

/* 'dbmigrate --version migrate' printed nothing about versions and migrated (issue 18.9). */
static void test_cli__version_flag_before_a_command_runs_nothing(void **state)
{
	struct dbm_test_project *p = *state;
	struct dbm_test_result r;
	char path[4200];

	dbm_test_write(p->dir, "migrations/V1__a.sql", "CREATE TABLE a (id INT);\n");
	dbm_test_project_run(p, &r, "--version", "migrate", NULL);
	assert_int_equal(r.status, 0);
	assert_true(dbm_test_contains(r.out, "dbmigrate " DBM_VERSION_STRING "\n"));
	assert_false(dbm_test_contains(r.out, "Applied"));
	dbm_test_result_free(&r);
	snprintf(path, sizeof(path), "%s/dbmigrate.db", p->dir);
	assert_int_not_equal(access(path, F_OK), 0);
	/* after baseline, --version is baseline's own */
	dbm_test_project_expect(p, 0, "baseline", "--version", "3", NULL);
	dbm_test_project_assert_rows(p, "SELECT version, type FROM schema_history", "3|BASELINE\n");
}

/* -q and -v 70 times each overflowed a fixed array of settings (issue 18.9). */
static void test_cli__flags_repeated_70_times(void **state)
{
	struct dbm_test_project *p = *state;
	struct dbm_test_result r;
	const char *argv[300];
	int n = 0, i;

	dbm_test_write(p->dir, "migrations/V1__a.sql", "CREATE TABLE a (id INT);\n");
	for (i = 0; i < 70; i++)
		argv[n++] = "-q";
	for (i = 0; i < 70; i++)
		argv[n++] = "-v";
	for (i = 0; i < 100; i++)
		argv[n++] = "--placeholder=k=v";
	argv[n++] = "migrate";
	argv[n] = NULL;
	dbm_test_run(p->dir, NULL, argv, &r);
	assert_int_equal(r.status, 0);
	dbm_test_result_free(&r);
	dbm_test_project_assert_rows(p, "SELECT version, success FROM schema_history", "1|1\n");
}

/* 'new ""' wrote V2__(null).sql (issue 14.9); blank names are refused and nothing is written. */
static void test_cli__new_refuses_a_blank_name(void **state)
{
	static const char *const names[] = {"", "   ", "_", " - _ "};
	struct dbm_test_project *p = *state;
	struct dbm_test_result r;
	size_t i;

	dbm_test_write(p->dir, "migrations/V1__a.sql", "SELECT 1;\n");
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		dbm_test_project_run(p, &r, "new", names[i], NULL);
		assert_int_equal(r.status, 2);
		assert_true(
		    dbm_test_contains(r.err, "new needs a NAME with a letter or digit in it"));
		assert_true(dbm_test_contains(r.err, "hint: "));
		dbm_test_result_free(&r);
	}
	dbm_test_project_run(p, &r, "new", " add-email ", NULL);
	dbm_test_expect_out(&r, 0, "migrations/V2__add_email.sql", NULL);
	dbm_test_result_free(&r);
	dbm_test_project_run(p, &r, "info", "--json", NULL);
	assert_int_equal(r.status, 0);
	assert_int_equal(dbm_test_count(r.out, "\"version\""), 2);
	assert_false(dbm_test_contains(r.out, "null)"));
	dbm_test_result_free(&r);
}

/* Flyway's one-dash options and other tools' verbs say exactly what to type. */
static void test_cli__one_dash_options_and_other_tools_verbs(void **state)
{
	struct dbm_test_project *p = *state;
	struct dbm_test_result r;

	dbm_test_project_run(p, &r, "info", "-json", NULL);
	assert_int_equal(r.status, 2);
	assert_string_equal(r.err,
	                    "dbmigrate: error: unknown option '-json': long options take two "
	                    "dashes\nhint: Type '--json'.\n");
	dbm_test_result_free(&r);
	dbm_test_project_run(p, &r, "undo", NULL);
	assert_int_equal(r.status, 2);
	assert_true(dbm_test_contains(r.err, "'dbmigrate rollback'"));
	assert_false(dbm_test_contains(r.err, "info"));
	dbm_test_result_free(&r);
	dbm_test_project_run(p, &r, "up", NULL);
	assert_int_equal(r.status, 2);
	assert_true(dbm_test_contains(r.err, "'dbmigrate migrate'"));
	dbm_test_result_free(&r);
	dbm_test_project_run(p, &r, "--json", "status", NULL);
	dbm_test_expect_out(&r, 2, "\"errorCode\": 2", NULL);
	assert_true(dbm_test_contains(r.err, "'dbmigrate info'"));
	dbm_test_result_free(&r);
}

/*
 * Without a client library (DBM_TEST_NO_LIB=1 hides them all in a
 * DBM_FAILPOINTS build), version still runs and says so, and a URL of that
 * database fails at once naming the library and the package to install.
 */
static void test_cli__missing_client_library_names_the_package(void **state)
{
	struct dbm_test_project *p = *state;
	struct dbm_test_result r;
	const char *env[] = {"DBM_TEST_NO_LIB=1", NULL};
	const char *version[] = {"version", NULL};
	const char *urls[] = {"sqlite:app.db", "postgres://app@127.0.0.1:1/db",
	                      "mysql://app@127.0.0.1:1/db"};
	const char *libs[] = {"the SQLite library", "the PostgreSQL client library",
	                      "the MySQL client library"};
	char path[4096];
	size_t i;

	dbm_test_run(p->dir, env, version, &r);
	assert_int_equal(r.status, 0);
	if (dbm_test_count(r.out, "(not installed)") == 0) {
		dbm_test_result_free(&r);
		print_message("skipped: the binary was built without -DDBM_FAILPOINTS=ON\n");
		skip();
	}
	assert_int_equal(dbm_test_count(r.out, "(not installed)"), 3);
	dbm_test_result_free(&r);
	dbm_test_write(p->dir, "migrations/V1__a.sql", "SELECT 1;\n");
	for (i = 0; i < sizeof(urls) / sizeof(urls[0]); i++) {
		const char *argv[] = {"--url", urls[i], "migrate", NULL};

		dbm_test_run(p->dir, env, argv, &r);
		assert_int_equal(r.status, 1);
		assert_true(dbm_test_contains(r.err, "cannot load"));
		assert_true(dbm_test_contains(r.err, libs[i]));
		assert_true(dbm_test_contains(r.err, "hint: Install it (Debian and Ubuntu: apt-get "
		                                     "install lib"));
		dbm_test_result_free(&r);
	}
	snprintf(path, sizeof(path), "%s/app.db", p->dir);
	assert_int_equal(access(path, F_OK), -1); /* nothing was created */
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, dbm_test_project_setup, dbm_test_project_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
	    T(test_cli__applies_in_numeric_order_across_folders),
	    T(test_cli__flyway_checksums_for_crlf_and_bom),
	    T(test_cli__edited_file_is_changed_and_blocks_migrate),
	    T(test_cli__many_files_drift_and_bad_bytes_found_while_prefetching),
	    T(test_cli__bad_names_and_duplicates_exit_2_naming_files),
	    T(test_cli__sql_error_names_file_line_and_leaves_nothing),
	    T(test_cli__dry_run_prints_sql_and_changes_nothing),
	    T(test_cli__rollback_one_step_then_all_checks_undo_files_first),
	    T(test_cli__missing_undo_names_the_rollback_folder_in_use),
	    T(test_cli__password_never_printed),
	    T(test_cli__unknown_config_key_exit_2_with_line),
	    T(test_cli__lock_timeout_exits_4_naming_holder),
	    T(test_cli__concurrent_runners_apply_each_migration_once),
	    T(test_cli__json_error_and_exit_codes),
	    T(test_cli__clean_is_guarded),
	    T(test_cli__new_creates_next_pair),
	    T(test_cli__baseline_then_migrate_applies_only_above),
	    T(test_cli__help_of_every_command_from_the_table),
	    T(test_cli__version_flag_before_a_command_runs_nothing),
	    T(test_cli__flags_repeated_70_times),
	    T(test_cli__new_refuses_a_blank_name),
	    T(test_cli__one_dash_options_and_other_tools_verbs),
	    T(test_cli__missing_client_library_names_the_package),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
