/*
 * test_hostile.c - the dbmigrate binary fed hostile input: broken encodings,
 * files that end inside a string, a dollar quote or a comment, huge and
 * empty files, missing folders, broken YAML, history tables that another
 * tool (or a person) damaged, and random SQL-like text. Each case checks the
 * exact exit code and the exact error a user sees, naming the file and the
 * line (or byte offset); nothing may ever crash (exit code 128 or more).
 *
 * Cases that need PostgreSQL's dialect use DBM_TEST_PG_URL and skip
 * without it; the others run on the embedded SQLite default.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "dbmigrate/common.h"
#include "project.h"
#include "testutil.h"

/* Runs dbmigrate in the project with the arguments (NULL-terminated); fails when it crashed. */
static void hostile_run(struct dbm_test_project *h, struct dbm_test_result *r, ...)
{
	va_list ap;

	va_start(ap, r);
	dbm_test_project_vrun(h, r, ap);
	va_end(ap);
	if (r->status >= 128 || dbm_test_contains(r->err, "Sanitizer"))
		fail_msg("dbmigrate crashed (exit %d):\n%s", r->status, r->err);
}

/* Asserts exit code and that stderr is exactly want. */
static void hostile_expect(struct dbm_test_result *r, int status, const char *want)
{
	if (r->status != status || strcmp(r->err, want) != 0)
		fail_msg("want exit %d and stderr:\n%s\ngot exit %d and stderr:\n%s", status, want,
		         r->status, r->err);
	dbm_test_result_free(r);
}

static void test_hostile__latin1_file_names_byte_offset(void **state)
{
	struct dbm_test_project *h = *state;
	struct dbm_test_result r;

	/* "café" in Latin-1: 0xE9 is not UTF-8; byte offset 51 is where it sits */
	dbm_test_write(h->dir, "migrations/V1__latin1.sql",
	               "CREATE TABLE t (n TEXT);\nINSERT INTO t VALUES ('caf\xe9');\n");
	hostile_run(h, &r, "migrate", NULL);
	hostile_expect(
	    &r, 2,
	    "dbmigrate: migrations/V1__latin1.sql:2: error: invalid UTF-8 at byte offset "
	    "51\n");
}

static void test_hostile__eof_inside_string_names_opening_line(void **state)
{
	struct dbm_test_project *h = *state;
	struct dbm_test_result r;

	dbm_test_write(h->dir, "migrations/V1__string.sql",
	               "CREATE TABLE t (n TEXT);\n\nINSERT INTO t VALUES ('abc\n;\n");
	hostile_run(h, &r, "migrate", NULL);
	hostile_expect(&r, 2,
	               "dbmigrate: migrations/V1__string.sql:3: error: unterminated string (opened "
	               "at line 3)\nhint: Add the closing quote (').\n");
	/* nothing ran: not even the first statement */
	dbm_test_project_assert_rows(h, "SELECT COUNT(*) FROM sqlite_master WHERE name = 't'",
	                             "0\n");
}

static void test_hostile__eof_inside_block_comment_names_opening_line(void **state)
{
	struct dbm_test_project *h = *state;
	struct dbm_test_result r;

	dbm_test_write(h->dir, "migrations/V1__comment.sql",
	               "CREATE TABLE t (n TEXT);\nSELECT 1;\n/* starts here\n of comment\n"
	               "SELECT 2;\n");
	hostile_run(h, &r, "migrate", NULL);
	hostile_expect(&r, 2,
	               "dbmigrate: migrations/V1__comment.sql:3: error: unterminated block comment "
	               "(opened at line 3)\nhint: Add the closing */.\n");
}

static void test_hostile__eof_inside_dollar_quote_on_postgresql(void **state)
{
	struct dbm_test_project *h = *state;
	struct dbm_test_result r;
	const char *url = dbm_test_server_url("DBM_TEST_PG_URL");

	if (!url)
		skip();
	dbm_test_write(h->dir, "migrations/V1__dollar.sql",
	               "CREATE TABLE dq (id INT);\n"
	               "CREATE FUNCTION hostile_f() RETURNS int AS $body$\nBEGIN\n  RETURN 1;\n"
	               "END;\n");
	/* dry run: the first pass rejects the file before anything is created */
	hostile_run(h, &r, "--url", url, "migrate", "--dry-run", NULL);
	assert_int_equal(r.status, 2);
	assert_true(dbm_test_contains(r.err, "dbmigrate: migrations/V1__dollar.sql:2: error: "
	                                     "unterminated dollar-quoted string $body$ (opened at "
	                                     "line 2)\nhint: Add the closing $body$.\n"));
	dbm_test_result_free(&r);
}

static void test_hostile__ten_megabyte_statement_applies(void **state)
{
	struct dbm_test_project *h = *state;
	struct dbm_test_result r;
	size_t n = 10 * 1024 * 1024;
	const char *head = "CREATE TABLE big (v TEXT);\nINSERT INTO big VALUES ('";
	char *sql = malloc(strlen(head) + n + 8);

	assert_non_null(sql);
	strcpy(sql, head);
	memset(sql + strlen(head), 'x', n);
	strcpy(sql + strlen(head) + n, "');\n");
	dbm_test_write(h->dir, "migrations/V1__big.sql", sql);
	free(sql);
	hostile_run(h, &r, "migrate", NULL);
	assert_int_equal(r.status, 0);
	assert_true(dbm_test_contains(r.out, "Applied 1 migration, now at version 1 ("));
	dbm_test_result_free(&r);
	dbm_test_project_assert_rows(h, "SELECT length(v) FROM big", "10485760\n");
}

static void test_hostile__empty_file_applies_with_checksum_zero(void **state)
{
	struct dbm_test_project *h = *state;
	struct dbm_test_result r;

	dbm_test_write(h->dir, "migrations/V1__empty.sql", "");
	hostile_run(h, &r, "migrate", NULL);
	assert_int_equal(r.status, 0);
	dbm_test_result_free(&r);
	dbm_test_project_assert_rows(
	    h, "SELECT version || '|' || checksum || '|' || success FROM schema_history",
	    "1|0|1\n");
}

static void test_hostile__unreadable_file(void **state)
{
	struct dbm_test_project *h = *state;
	struct dbm_test_result r;
	char path[4096];

	dbm_test_write(h->dir, "migrations/V1__secret.sql", "SELECT 1;\n");
	snprintf(path, sizeof(path), "%s/migrations/V1__secret.sql", h->dir);
	/* root reads any file whatever its mode: the binary runs as a plain user then */
	dbm_test_unprivileged(h->dir);
	assert_int_equal(chmod(path, 0), 0);
	hostile_run(h, &r, "migrate", NULL);
	assert_int_equal(r.status, 1);
	assert_true(dbm_test_contains(r.err, "migrations/V1__secret.sql"));
	assert_true(dbm_test_contains(r.err, "Permission denied"));
	dbm_test_result_free(&r);
}

static void test_hostile__missing_migrations_folder(void **state)
{
	struct dbm_test_project *h = *state;
	struct dbm_test_result r;

	hostile_run(h, &r, "migrate", NULL);
	hostile_expect(&r, 2,
	               "dbmigrate: error: migrations folder \"migrations\" does not exist\nhint: "
	               "Create it, or point --migrations at the folder that holds your "
	               "migrations.\n");
}

static void test_hostile__broken_yaml_names_line(void **state)
{
	struct dbm_test_project *h = *state;
	struct dbm_test_result r;

	dbm_test_write(h->dir, "migrations/V1__a.sql", "SELECT 1;\n");
	dbm_test_write(h->dir, "dbmigrate.yml", "table: history\nurl: [unclosed\n");
	hostile_run(h, &r, "migrate", NULL);
	hostile_expect(&r, 2,
	               "dbmigrate: dbmigrate.yml:3: error: invalid YAML: did not find expected ',' "
	               "or ']'\ndetail: while parsing a flow sequence on line 2\n");
}

static void test_hostile__placeholder_without_value(void **state)
{
	struct dbm_test_project *h = *state;
	struct dbm_test_result r;

	dbm_test_write(h->dir, "migrations/V1__ph.sql",
	               "CREATE TABLE t (n TEXT);\nINSERT INTO t VALUES ('${who}');\n");
	hostile_run(h, &r, "migrate", NULL);
	hostile_expect(&r, 2,
	               "dbmigrate: migrations/V1__ph.sql:2: error: placeholder ${who} has no "
	               "value\nhint: Set it with --placeholder who=VALUE, "
	               "DBMIGRATE_PLACEHOLDER_WHO or placeholders: in dbmigrate.yml.\n");
}

static void test_hostile__undo_file_for_unknown_version(void **state)
{
	struct dbm_test_project *h = *state;
	struct dbm_test_result r;

	dbm_test_write(h->dir, "migrations/V1__a.sql", "SELECT 1;\n");
	dbm_test_write(h->dir, "rollback/U2__b.sql", "SELECT 1;\n");
	hostile_run(h, &r, "migrate", NULL);
	hostile_expect(&r, 2,
	               "dbmigrate: error: undo migration \"rollback/U2__b.sql\" has no versioned "
	               "migration with version 2\nhint: Add the versioned migration or remove the "
	               "undo migration.\n");
}

static const char hostile_history_ddl[] =
    "CREATE TABLE schema_history (installed_rank INT NOT NULL, version VARCHAR(50), "
    "description VARCHAR(200) NOT NULL, type VARCHAR(20) NOT NULL, script VARCHAR(1000) NOT "
    "NULL, checksum INTEGER, installed_by VARCHAR(100) NOT NULL, installed_on TIMESTAMP NOT "
    "NULL DEFAULT CURRENT_TIMESTAMP, execution_time INTEGER NOT NULL, success BOOLEAN NOT "
    "NULL);";

static void test_hostile__history_rows_from_the_future(void **state)
{
	struct dbm_test_project *h = *state;
	struct dbm_test_result r;

	dbm_test_write(h->dir, "migrations/V1__a.sql", "SELECT 1;\n");
	dbm_test_project_exec(h, hostile_history_ddl);
	dbm_test_project_exec(
	    h, "INSERT INTO schema_history VALUES (1, '1', 'a', 'SQL', 'V1__a.sql', "
	       "78787420, 'x', '2020-01-01 00:00:00', 1, 1), (2, '9', 'from the future', "
	       "'SQL', 'V9__f.sql', 5, 'x', '2020-01-01 00:00:00', 1, 1)");
	hostile_run(h, &r, "migrate", NULL);
	assert_int_equal(r.status, 0);
	assert_string_equal(r.out, "Schema is up to date at version 9; nothing to migrate\n");
	dbm_test_result_free(&r);
	hostile_run(h, &r, "info", NULL);
	assert_int_equal(r.status, 0);
	assert_true(dbm_test_contains(r.out, "| Versioned | 9       | from the future | SQL  | "
	                                     "2020-01-01 00:00:00 | Future  | No       |\n"));
	dbm_test_result_free(&r);
	hostile_run(h, &r, "validate", NULL);
	assert_int_equal(r.status, 0);
	dbm_test_result_free(&r);
}

static void test_hostile__history_with_duplicate_rank(void **state)
{
	struct dbm_test_project *h = *state;
	struct dbm_test_result r;

	dbm_test_write(h->dir, "migrations/V1__a.sql", "SELECT 1;\n");
	dbm_test_write(h->dir, "migrations/V3__c.sql", "CREATE TABLE c (id INT);\n");
	dbm_test_project_exec(h, hostile_history_ddl);
	dbm_test_project_exec(h,
	                      "INSERT INTO schema_history VALUES (1, '1', 'a', 'SQL', 'V1__a.sql', "
	                      "78787420, 'x', '2020-01-01 00:00:00', 1, 1), (1, '2', 'b', 'SQL', "
	                      "'V2__b.sql', 1, 'x', '2020-01-01 00:00:00', 1, 1)");
	hostile_run(h, &r, "migrate", NULL);
	hostile_expect(&r, 1,
	               "dbmigrate: error: history table has two rows with installed_rank 1\nhint: "
	               "installed_rank is the table's primary key: restore it before running "
	               "dbmigrate again.\n");
	dbm_test_project_assert_rows(h, "SELECT COUNT(*) FROM sqlite_master WHERE name = 'c'",
	                             "0\n");
}

/*
 * Fails on SQLite today: the driver leaves SQLite's double-quoted string
 * fallback on, so the history query's "installed_rank" on a table without
 * that column reads as a string literal instead of failing; info then shows
 * the file as Pending (exit 0), and migrate applies it before failing on
 * the history insert (nothing stays: its transaction rolls back).
 */
static void test_hostile__history_with_wrong_columns(void **state)
{
	struct dbm_test_project *h = *state;
	struct dbm_test_result r;

	dbm_test_write(h->dir, "migrations/V1__a.sql", "CREATE TABLE a (id INT);\n");
	dbm_test_project_exec(h, "CREATE TABLE schema_history (id INT, name TEXT)");
	/* info reads the history and must say it is not one, not list the file as pending */
	hostile_run(h, &r, "info", NULL);
	assert_int_equal(r.status, 1);
	assert_true(dbm_test_contains(r.err, "installed_rank"));
	assert_true(dbm_test_contains(r.err, "hint: Check that 'schema_history' is a history "
	                                     "table with Flyway's columns, or choose another name "
	                                     "with --table.\n"));
	dbm_test_result_free(&r);
	hostile_run(h, &r, "migrate", NULL);
	assert_int_equal(r.status, 1);
	assert_true(dbm_test_contains(r.err, "hint: Check that 'schema_history' is a history "
	                                     "table with Flyway's columns, or choose another name "
	                                     "with --table.\n"));
	dbm_test_result_free(&r);
	dbm_test_project_assert_rows(h, "SELECT COUNT(*) FROM sqlite_master WHERE name = 'a'",
	                             "0\n");
}

/* xorshift32: the random files are the same on every run. */
static uint32_t hostile_rand(uint32_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 17;
	*s ^= *s << 5;
	return *s;
}

/* Appends one random SQL-like fragment: keywords, quotes, comments, bodies, odd bytes. */
static size_t hostile_fragment(uint32_t *seed, char *out, size_t room)
{
	static const char *const frags[] = {"SELECT 1",
	                                    ";",
	                                    ";\n",
	                                    "\n",
	                                    " ",
	                                    "'",
	                                    "''",
	                                    "\"",
	                                    "`",
	                                    "--",
	                                    "-- c\n",
	                                    "/*",
	                                    "*/",
	                                    "/* x */",
	                                    "$$",
	                                    "$a$",
	                                    "$body$",
	                                    "E'\\''",
	                                    "BEGIN",
	                                    "END",
	                                    "COMMIT",
	                                    "ROLLBACK",
	                                    "CREATE TABLE t (id INT)",
	                                    "CREATE TRIGGER tr AFTER INSERT ON t BEGIN ",
	                                    "DELIMITER //\n",
	                                    "DELIMITER ;\n",
	                                    "//",
	                                    "\\",
	                                    "${x}",
	                                    "${",
	                                    "}",
	                                    "(",
	                                    ")",
	                                    "INSERT INTO t VALUES (1)",
	                                    "COPY t FROM stdin",
	                                    "\\.\n",
	                                    "\r\n",
	                                    "\xc3\xa9",
	                                    "\xff",
	                                    "\xe9",
	                                    "\xf0\x9f\x98\x80",
	                                    "\t",
	                                    "CASE WHEN 1 THEN 2 END",
	                                    "#",
	                                    "\0"};
	const char *f = frags[hostile_rand(seed) % DBM_ARRAY_SIZE(frags)];
	size_t n = f[0] ? strlen(f) : 1;

	if (n > room)
		return 0;
	memcpy(out, f, n);
	return n;
}

/*
 * 150 random SQL-like files, each alone under migrate --dry-run (on
 * SQLite; also PostgreSQL's dialect for every third when its server is
 * there): any exit code below 128, never a crash.
 */
static void test_hostile__random_sql_never_crashes_dry_run(void **state)
{
	struct dbm_test_project *h = *state;
	const char *pg = dbm_test_server_url_part("DBM_TEST_PG_URL");
	uint32_t seed = 0x9e3779b9u;
	int i;

	for (i = 0; i < 150; i++) {
		char sql[2048], path[4096];
		size_t len = 0, want = 1 + hostile_rand(&seed) % 400, n;
		struct dbm_test_result r;
		FILE *f;

		while (len < want && (n = hostile_fragment(&seed, sql + len, want - len)) > 0)
			len += n;
		snprintf(path, sizeof(path), "%s/migrations/V1__random.sql", h->dir);
		dbm_test_write(h->dir, "migrations/V1__random.sql", "");
		f = fopen(path, "wb");
		assert_non_null(f);
		fwrite(sql, 1, len, f);
		fclose(f);
		if (pg && *pg && i % 3 == 0)
			hostile_run(h, &r, "--url", pg, "migrate", "--dry-run", NULL);
		else
			hostile_run(h, &r, "migrate", "--dry-run", NULL);
		if (r.status != 0 && r.status != 1 && r.status != 2)
			fail_msg("random file %d: exit %d\n%s", i, r.status, r.err);
		dbm_test_result_free(&r);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define HOSTILE_TEST(name)                                                                         \
	cmocka_unit_test_setup_teardown(name, dbm_test_project_setup, dbm_test_project_teardown)
	    HOSTILE_TEST(test_hostile__latin1_file_names_byte_offset),
	    HOSTILE_TEST(test_hostile__eof_inside_string_names_opening_line),
	    HOSTILE_TEST(test_hostile__eof_inside_block_comment_names_opening_line),
	    HOSTILE_TEST(test_hostile__eof_inside_dollar_quote_on_postgresql),
	    HOSTILE_TEST(test_hostile__ten_megabyte_statement_applies),
	    HOSTILE_TEST(test_hostile__empty_file_applies_with_checksum_zero),
	    HOSTILE_TEST(test_hostile__unreadable_file),
	    HOSTILE_TEST(test_hostile__missing_migrations_folder),
	    HOSTILE_TEST(test_hostile__broken_yaml_names_line),
	    HOSTILE_TEST(test_hostile__placeholder_without_value),
	    HOSTILE_TEST(test_hostile__undo_file_for_unknown_version),
	    HOSTILE_TEST(test_hostile__history_rows_from_the_future),
	    HOSTILE_TEST(test_hostile__history_with_duplicate_rank),
	    HOSTILE_TEST(test_hostile__history_with_wrong_columns),
	    HOSTILE_TEST(test_hostile__random_sql_never_crashes_dry_run),
#undef HOSTILE_TEST
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
