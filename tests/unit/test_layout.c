/*
 * test_layout.c - other tools' layouts (scan.h naming, layout_int.h): how
 * golang-migrate, dbmate, goose and numbered files are read, the errors a
 * user sees for a broken file or a mixed folder, what the checksum of a
 * two-part file covers, and how goose's annotations reach the splitter.
 * Each test builds a project in a new temporary folder and scans it there.
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

#include "dbmigrate/checksum.h"
#include "dbmigrate/common.h"
#include "dbmigrate/scan.h"
#include "dbmigrate/source.h"
#include "dbmigrate/sqlsplit.h"
#include "testutil.h"

static void put(const char *rel, const char *content)
{
	dbm_test_write(".", rel, content);
}

/* Scans with naming and expects DBM_ERR_USAGE whose message contains want. */
static void expect_error(enum dbm_naming naming, const char *want)
{
	struct dbm_fileset fs = DBM_FILESET_INIT;

	assert_int_equal(dbm_scan_layout("migrations", "rollback", naming, &fs), DBM_ERR_USAGE);
	if (!strstr(dbm_error_last()->message, want) && !strstr(dbm_error_last()->detail, want))
		fail_msg("error \"%s\" (%s) does not say \"%s\"", dbm_error_last()->message,
		         dbm_error_last()->detail, want);
	assert_int_equal(fs.nversioned, 0);
}

/* The statements of a file part, one per line of out ("|" between them). */
struct collected {
	struct dbm_buf text;
	unsigned flags_or;
};

static int collect(void *ctx, const struct dbm_stmt *st)
{
	struct collected *c = ctx;

	c->flags_or |= st->flags;
	assert_int_equal(dbm_buf_addf(&c->text, "%u:%s|", st->line, st->sql), 0);
	return 0;
}

static char *run_part(const struct dbm_file *f, int32_t *sum)
{
	struct dbm_source_opts o;
	struct collected c;

	memset(&o, 0, sizeof(o));
	memset(&c, 0, sizeof(c));
	o.dialect = DBM_DIALECT_PGSQL;
	o.on_stmt = collect;
	o.ctx = &c;
	assert_int_equal(dbm_source_run_file(f, &o, sum), 0);
	return dbm_buf_detach(&c.text);
}

static void test_layout__golang_migrate_pairs_up_and_down_by_version(void **state)
{
	struct dbm_fileset fs = DBM_FILESET_INIT;

	(void)state;
	put("migrations/000001_create_users.up.sql", "CREATE TABLE u (id int);\n");
	put("migrations/000001_create_users.down.sql", "DROP TABLE u;\n");
	put("migrations/10_add_x.up.sql", "ALTER TABLE u ADD x int;\n");
	put("migrations/2_add_y.up.sql", "ALTER TABLE u ADD y int;\n");
	assert_int_equal(dbm_scan("migrations", "rollback", &fs), 0);
	assert_int_equal(fs.nversioned, 3);
	assert_string_equal(fs.versioned[0].version, "000001");
	assert_string_equal(fs.versioned[0].description, "create_users");
	assert_int_equal(fs.versioned[0].naming, DBM_NAMING_GOLANG_MIGRATE);
	assert_string_equal(fs.versioned[1].version, "2");
	assert_string_equal(fs.versioned[2].version, "10");
	assert_non_null(fs.versioned[0].undo);
	assert_string_equal(fs.versioned[0].undo->script, "000001_create_users.down.sql");
	assert_null(fs.versioned[1].undo);
	dbm_fileset_free(&fs);
}

static void test_layout__golang_migrate_version_above_uint64_does_not_fit(void **state)
{
	(void)state;
	put("migrations/18446744073709551616_x.up.sql", "SELECT 1;\n");
	expect_error(DBM_NAMING_GOLANG_MIGRATE, "does not fit any expected form");
	assert_true(strstr(dbm_error_last()->hint, "<version>_<title>.up.sql") != NULL);
	/* callbacks go with every layout: a misnamed one is told their form too */
	assert_true(strstr(dbm_error_last()->hint, "e.g. beforeMigrate.sql") != NULL);
}

static void test_layout__dbmate_parts_and_transaction_false(void **state)
{
	struct dbm_fileset fs = DBM_FILESET_INIT;
	char *up, *down;

	(void)state;
	put("migrations/20240101000000_users.sql", "-- header comment\n"
	                                           "-- migrate:up transaction:false\n"
	                                           "CREATE TABLE u (id int);\n"
	                                           "CREATE INDEX CONCURRENTLY ui ON u (id);\n"
	                                           "-- migrate:down\n"
	                                           "DROP TABLE u;\n");
	assert_int_equal(dbm_scan("migrations", "rollback", &fs), 0);
	assert_int_equal(fs.nversioned, 1);
	assert_int_equal(fs.versioned[0].naming, DBM_NAMING_DBMATE);
	assert_int_equal(fs.versioned[0].section, DBM_SECTION_UP);
	assert_int_equal(fs.versioned[0].in_transaction, 0);
	assert_non_null(fs.versioned[0].undo);
	assert_int_equal(fs.versioned[0].undo->section, DBM_SECTION_DOWN);
	assert_int_equal(fs.versioned[0].undo->in_transaction, -1);
	/* each part's statements, at the file's own line numbers */
	up = run_part(&fs.versioned[0], NULL);
	assert_string_equal(up,
	                    "3:CREATE TABLE u (id int)|4:CREATE INDEX CONCURRENTLY ui ON u (id)|");
	down = run_part(fs.versioned[0].undo, NULL);
	assert_string_equal(down, "6:DROP TABLE u|");
	dbm_free(up);
	dbm_free(down);
	dbm_fileset_free(&fs);
}

/* dbmate takes any name that starts with digits: the version is the digits. */
static void test_layout__dbmate_version_is_the_leading_digits(void **state)
{
	struct dbm_fileset fs = DBM_FILESET_INIT;

	(void)state;
	put("migrations/20240101-create.sql", "-- migrate:up\nSELECT 1;\n-- migrate:down\n");
	assert_int_equal(dbm_scan_layout("migrations", "rollback", DBM_NAMING_DBMATE, &fs), 0);
	assert_string_equal(fs.versioned[0].version, "20240101");
	assert_string_equal(fs.versioned[0].description, "-create");
	dbm_fileset_free(&fs);
}

static void test_layout__dbmate_without_down_names_the_file(void **state)
{
	(void)state;
	put("migrations/20240101000000_users.sql", "-- migrate:up\nCREATE TABLE u (id int);\n");
	expect_error(DBM_NAMING_DBMATE,
	             "migrations/20240101000000_users.sql has no '-- migrate:down' line");
}

static void test_layout__dbmate_statement_before_up_names_file_and_line(void **state)
{
	(void)state;
	put("migrations/1_a.sql",
	    "-- x\nCREATE TABLE t (id int);\n-- migrate:up\n-- migrate:down\n");
	expect_error(DBM_NAMING_DBMATE, "statement before '-- migrate:up'");
	assert_string_equal(dbm_error_last()->file, "migrations/1_a.sql");
	assert_int_equal(dbm_error_last()->line, 2);
}

/* The checksum covers the up part: an edit to the down part leaves it. */
static void test_layout__checksum_covers_the_up_part_only(void **state)
{
	struct dbm_fileset fs = DBM_FILESET_INIT;
	int32_t a, b, c, whole;
	char *s;

	(void)state;
	put("migrations/00001_a.sql", "-- +goose Up\nCREATE TABLE t (id int);\n-- +goose Down\n"
	                              "DROP TABLE t;\n");
	assert_int_equal(dbm_scan("migrations", "rollback", &fs), 0);
	s = run_part(&fs.versioned[0], &a);
	dbm_free(s);
	assert_int_equal(dbm_checksum_string("CREATE TABLE t (id int);", 24, &whole), 0);
	assert_int_equal(a, whole);
	dbm_fileset_free(&fs);

	put("migrations/00001_a.sql", "-- +goose Up\nCREATE TABLE t (id int);\n-- +goose Down\n"
	                              "DROP TABLE IF EXISTS t;\n");
	assert_int_equal(dbm_scan("migrations", "rollback", &fs), 0);
	s = run_part(&fs.versioned[0], &b);
	dbm_free(s);
	assert_int_equal(a, b);
	dbm_fileset_free(&fs);

	put("migrations/00001_a.sql", "-- +goose Up\nCREATE TABLE t (id bigint);\n-- +goose Down\n"
	                              "DROP TABLE t;\n");
	assert_int_equal(dbm_scan("migrations", "rollback", &fs), 0);
	s = run_part(&fs.versioned[0], &c);
	dbm_free(s);
	assert_int_not_equal(a, c);
	dbm_fileset_free(&fs);
}

/* StatementBegin/End: one statement with its semicolons, sent alone; ENVSUB replaces. */
static void test_layout__goose_statement_block_and_envsub(void **state)
{
	struct dbm_fileset fs = DBM_FILESET_INIT;
	struct dbm_source_opts o;
	struct collected c;

	(void)state;
	setenv("DBM_LAYOUT_TEST_TABLE", "items", 1);
	put("migrations/20240101000000_fn.sql",
	    "-- +goose NO TRANSACTION\n"
	    "-- +goose Up\n"
	    "-- +goose StatementBegin\n"
	    "CREATE FUNCTION f() RETURNS int AS 'SELECT 1; SELECT 2' LANGUAGE sql;\n"
	    "SELECT 3;\n"
	    "-- +goose StatementEnd\n"
	    "-- +goose ENVSUB ON\n"
	    "CREATE TABLE ${DBM_LAYOUT_TEST_TABLE} (n int DEFAULT ${DBM_LAYOUT_TEST_UNSET:-7});\n"
	    "SELECT '$DBM_LAYOUT_TEST_TABLE \\$DBM_LAYOUT_TEST_TABLE $$ $1';\n"
	    "-- +goose ENVSUB OFF\n"
	    "SELECT '${DBM_LAYOUT_TEST_TABLE}';\n"
	    "-- +goose Down\n"
	    "DROP FUNCTION f();\n");
	assert_int_equal(dbm_scan("migrations", "rollback", &fs), 0);
	assert_int_equal(fs.versioned[0].naming, DBM_NAMING_GOOSE);
	assert_int_equal(fs.versioned[0].in_transaction, 0);
	assert_int_equal(fs.versioned[0].undo->in_transaction, 0);
	memset(&o, 0, sizeof(o));
	memset(&c, 0, sizeof(c));
	o.dialect = DBM_DIALECT_PGSQL;
	o.on_stmt = collect;
	o.ctx = &c;
	assert_int_equal(dbm_source_run_file(&fs.versioned[0], &o, NULL), 0);
	assert_string_equal(dbm_buf_cstr(&c.text),
	                    "4:CREATE FUNCTION f() RETURNS int AS 'SELECT 1; SELECT 2' LANGUAGE "
	                    "sql;\nSELECT 3;|"
	                    "8:CREATE TABLE items (n int DEFAULT 7)|"
	                    "9:SELECT 'items $DBM_LAYOUT_TEST_TABLE $$ $1'|"
	                    "11:SELECT '${DBM_LAYOUT_TEST_TABLE}'|");
	assert_true(c.flags_or & DBM_STMT_ALONE);
	dbm_buf_free(&c.text);
	dbm_fileset_free(&fs);
	unsetenv("DBM_LAYOUT_TEST_TABLE");
}

static void test_layout__goose_annotation_errors_name_file_and_line(void **state)
{
	(void)state;
	put("migrations/00001_a.sql", "-- +goose Up\nSELECT 1;\n-- +goose StatementEnd\n");
	expect_error(DBM_NAMING_GOOSE,
	             "'-- +goose StatementEnd' without '-- +goose StatementBegin'");
	assert_string_equal(dbm_error_last()->file, "migrations/00001_a.sql");
	assert_int_equal(dbm_error_last()->line, 3);

	put("migrations/00001_a.sql", "-- +goose Up\n-- +goose StatementBegin\nSELECT 1;\n");
	expect_error(DBM_NAMING_GOOSE,
	             "'-- +goose StatementBegin' without '-- +goose StatementEnd'");
	assert_int_equal(dbm_error_last()->line, 2);

	put("migrations/00001_a.sql", "SELECT 1;\n");
	expect_error(DBM_NAMING_GOOSE, "statement before '-- +goose Up'");

	put("migrations/00001_a.sql", "-- only a comment\n");
	expect_error(DBM_NAMING_GOOSE, "has no '-- +goose Up' annotation");

	put("migrations/00001_a.sql", "-- +goose Up\n-- +goose Sideways\n");
	expect_error(DBM_NAMING_GOOSE, "unknown goose annotation");
}

static void test_layout__goose_version_zero_does_not_fit(void **state)
{
	(void)state;
	put("migrations/0_a.sql", "-- +goose Up\nSELECT 1;\n");
	expect_error(DBM_NAMING_GOOSE, "does not fit any expected form");
}

static void test_layout__numbered_pairs_rollback_by_number(void **state)
{
	struct dbm_fileset fs = DBM_FILESET_INIT;

	(void)state;
	put("migrations/010_create_reports_tables.sql", "CREATE TABLE r (id int);\n");
	put("migrations/011_more.sql", "CREATE TABLE s (id int);\n");
	put("migrations/rollback/010_drop_reports_tables.sql", "DROP TABLE r;\n");
	/* the configured rollback folder does not exist: migrations/rollback is used */
	assert_int_equal(dbm_scan_layout("migrations", "rollback", DBM_NAMING_NUMBERED, &fs), 0);
	assert_int_equal(fs.nversioned, 2);
	assert_int_equal(fs.versioned[0].naming, DBM_NAMING_NUMBERED);
	assert_string_equal(fs.versioned[0].description, "create_reports_tables");
	assert_non_null(fs.versioned[0].undo);
	assert_string_equal(fs.versioned[0].undo->path,
	                    "migrations/rollback/010_drop_reports_tables.sql");
	assert_null(fs.versioned[1].undo);
	dbm_fileset_free(&fs);
	/* auto finds the same */
	assert_int_equal(dbm_scan("migrations", "rollback", &fs), 0);
	assert_int_equal(fs.nversioned, 2);
	assert_int_equal(fs.versioned[0].naming, DBM_NAMING_NUMBERED);
	assert_non_null(fs.versioned[0].undo);
	dbm_fileset_free(&fs);
}

/* A Flyway project's sub-folder named rollback stays a sub-folder of migrations. */
static void test_layout__flyway_subfolder_named_rollback_is_not_the_rollback_folder(void **state)
{
	struct dbm_fileset fs = DBM_FILESET_INIT;

	(void)state;
	put("migrations/V1__a.sql", "SELECT 1;\n");
	put("migrations/rollback/V2__b.sql", "SELECT 2;\n");
	assert_int_equal(dbm_scan("migrations", "rollback", &fs), 0);
	assert_int_equal(fs.nversioned, 2);
	assert_string_equal(fs.versioned[1].script, "rollback/V2__b.sql");
	dbm_fileset_free(&fs);
}

static void test_layout__mixed_folder_names_one_file_of_each(void **state)
{
	(void)state;
	put("migrations/V1__flyway.sql", "SELECT 1;\n");
	put("migrations/V2__flyway.sql", "SELECT 1;\n");
	put("migrations/000003_gm.up.sql", "SELECT 1;\n");
	put("migrations/00004_goose.sql", "-- +goose Up\nSELECT 1;\n");
	expect_error(DBM_NAMING_AUTO,
	             "the migration folders mix layouts: \"migrations/V1__flyway.sql\" "
	             "(flyway), \"migrations/000003_gm.up.sql\" (golang-migrate), "
	             "\"migrations/00004_goose.sql\" (goose)");
	assert_true(strstr(dbm_error_last()->hint, "--naming") != NULL);
}

static void test_layout__named_layout_reads_files_its_way(void **state)
{
	struct dbm_fileset fs = DBM_FILESET_INIT;

	(void)state;
	/* a goose-looking file read as numbered runs whole */
	put("migrations/001_a.sql", "-- +goose Up\nSELECT 1;\n-- +goose Down\nSELECT 2;\n");
	assert_int_equal(dbm_scan_layout("migrations", "rollback", DBM_NAMING_NUMBERED, &fs), 0);
	assert_int_equal(fs.versioned[0].section, DBM_SECTION_WHOLE);
	assert_null(fs.versioned[0].undo);
	dbm_fileset_free(&fs);
	/* and a Flyway name is not a numbered one */
	put("migrations/V2__b.sql", "SELECT 1;\n");
	expect_error(DBM_NAMING_NUMBERED,
	             "migration file name \"migrations/V2__b.sql\" does not fit");
}

static void test_layout__naming_values(void **state)
{
	enum dbm_naming n;

	(void)state;
	assert_int_equal(dbm_naming_parse("golang-migrate", &n), 0);
	assert_int_equal(n, DBM_NAMING_GOLANG_MIGRATE);
	assert_string_equal(dbm_naming_name(DBM_NAMING_DBMATE), "dbmate");
	assert_int_equal(dbm_naming_parse("liquibase", &n), DBM_ERR_USAGE);
	assert_string_equal(dbm_error_last()->message,
	                    "naming \"liquibase\" is not a layout dbmigrate reads");
}

/* The splitter's hold: delimiters inside do not split, the held text goes out whole. */
static void test_layout__splitter_hold_hands_out_one_statement(void **state)
{
	struct collected c;
	struct dbm_splitter *s;
	static const char a[] = "SELECT 0;\n", b[] = "DO $$ BEGIN PERFORM 1; END $$;\nSELECT 2;\n",
	                  d[] = "SELECT 3;\n";

	(void)state;
	memset(&c, 0, sizeof(c));
	s = dbm_splitter_new(DBM_DIALECT_MYSQL, collect, &c);
	assert_non_null(s);
	assert_int_equal(dbm_splitter_feed(s, a, strlen(a)), 0);
	assert_int_equal(dbm_splitter_hold(s, 1), 0);
	assert_int_equal(dbm_splitter_feed(s, b, strlen(b)), 0);
	assert_int_equal(dbm_splitter_hold(s, 0), 0);
	assert_int_equal(dbm_splitter_feed(s, d, strlen(d)), 0);
	assert_int_equal(dbm_splitter_finish(s), 0);
	assert_string_equal(dbm_buf_cstr(&c.text),
	                    "1:SELECT 0|2:DO $$ BEGIN PERFORM 1; END $$;\nSELECT 2;|4:SELECT 3|");
	dbm_buf_free(&c.text);
	dbm_splitter_free(s);
}

/* Every allocation of the layouts' scan and part filter may fail, and fails cleanly. */
static void test_layout__every_allocation_failure_is_clean(void **state)
{
#ifdef DBM_FAILPOINTS
	int i;

	(void)state;
	put("g/00001_a.sql", "-- +goose NO TRANSACTION\n-- +goose Up\n-- +goose StatementBegin\n"
	                     "SELECT 1; SELECT 2;\n-- +goose StatementEnd\n-- +goose ENVSUB ON\n"
	                     "SELECT '${HOME}';\n-- +goose Down\nSELECT 3;\n");
	put("g/00002_b.sql", "-- +goose Up\nSELECT 4;\n");
	put("m/000001_a.up.sql", "SELECT 1;\n");
	put("m/000001_a.down.sql", "SELECT 1;\n");
	put("m/20240101000000_b.sql", "-- migrate:up\nSELECT 1;\n-- migrate:down\n");
	put("m/00003_c.sql", "-- +goose Up\n-- +goose StatementEnd\n");
	put("m/010_d.sql", "SELECT 1;\n");
	put("m/rollback/010_e.sql", "SELECT 1;\n");
	i = dbm_test_oom_sweep("test_layout", 2000, 0, 3);
	assert_true(i > 10 && i < 2000);
#else
	(void)state;
	skip();
#endif
}

#ifdef DBM_FAILPOINTS
static int oom_stmt(void *ctx, const struct dbm_stmt *st)
{
	(void)ctx;
	(void)st;
	return 0;
}

/* The child of the sweep: a goose project scanned and run, then a mixed folder scanned. */
static int oom_child(void)
{
	struct dbm_fileset fs = DBM_FILESET_INIT;
	struct dbm_source_opts o;
	int32_t sum;
	int r = dbm_scan("g", "rollback", &fs);

	memset(&o, 0, sizeof(o));
	o.dialect = DBM_DIALECT_PGSQL;
	o.on_stmt = oom_stmt;
	if (r == 0)
		r = dbm_source_run_file(&fs.versioned[0], &o, &sum);
	if (r == 0)
		r = dbm_source_run_file(fs.versioned[0].undo, &o, &sum);
	dbm_fileset_free(&fs);
	if (r == 0)
		r = dbm_scan("m", "rollback", &fs);
	dbm_fileset_free(&fs);
	if (r == DBM_ERR_NOMEM && strcmp(dbm_error_last()->message, "out of memory") == 0)
		return 0;
	if (r == DBM_ERR_USAGE &&
	    strcmp(dbm_error_last()->message, "found 2 problems with migration files") == 0)
		return 3; /* every allocation succeeded */
	fprintf(stderr, "child: %d %s\n", r, dbm_error_last()->message);
	return 1;
}
#endif

#define T(f) cmocka_unit_test_setup_teardown(f, dbm_test_tmpdir_setup, dbm_test_tmpdir_teardown)

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
	    T(test_layout__golang_migrate_pairs_up_and_down_by_version),
	    T(test_layout__golang_migrate_version_above_uint64_does_not_fit),
	    T(test_layout__dbmate_parts_and_transaction_false),
	    T(test_layout__dbmate_version_is_the_leading_digits),
	    T(test_layout__dbmate_without_down_names_the_file),
	    T(test_layout__dbmate_statement_before_up_names_file_and_line),
	    T(test_layout__checksum_covers_the_up_part_only),
	    T(test_layout__goose_statement_block_and_envsub),
	    T(test_layout__goose_annotation_errors_name_file_and_line),
	    T(test_layout__goose_version_zero_does_not_fit),
	    T(test_layout__numbered_pairs_rollback_by_number),
	    T(test_layout__flyway_subfolder_named_rollback_is_not_the_rollback_folder),
	    T(test_layout__mixed_folder_names_one_file_of_each),
	    T(test_layout__named_layout_reads_files_its_way),
	    T(test_layout__naming_values),
	    T(test_layout__splitter_hold_hands_out_one_statement),
	    T(test_layout__every_allocation_failure_is_clean),
	};

#ifdef DBM_FAILPOINTS
	if (dbm_test_oom_child(argc, argv))
		return oom_child();
#else
	(void)argc;
	(void)argv;
#endif

	return cmocka_run_group_tests(tests, NULL, NULL);
}
