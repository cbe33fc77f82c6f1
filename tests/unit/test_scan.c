/*
 * test_scan.c - finding migration files, names, settings and the errors a
 * user sees for a bad set (scan.h). Each test builds a project in a new
 * temporary folder and scans it from there, so paths read as a user types
 * them ("migrations/V1__a.sql").
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
#include "dbmigrate/scan.h"
#include "testutil.h"

static void put(const char *rel, const char *content)
{
	dbm_test_write(".", rel, content);
}

/* Scans and expects a DBM_ERR_USAGE with message; the fileset stays empty. */
static void expect_scan_error(const char *message)
{
	struct dbm_fileset fs = DBM_FILESET_INIT;

	assert_int_equal(dbm_scan("migrations", "rollback", &fs), DBM_ERR_USAGE);
	assert_string_equal(dbm_error_last()->message, message);
	assert_null(fs.versioned);
	assert_int_equal(fs.nversioned, 0);
	assert_null(fs.undo);
	assert_null(fs.repeatable);
}

static void test_scan__finds_sorts_and_describes_every_kind(void **state)
{
	struct dbm_fileset fs = DBM_FILESET_INIT;

	(void)state;
	put("migrations/V1__create_users.sql", "");
	put("migrations/V2.1__add_email.sql", "");
	put("migrations/sub/deeper/V10__big_one.sql", "");
	put("migrations/V2024_01_15_1__dated.sql", "");
	put("migrations/V9__.sql", "");
	put("migrations/R__reporting_views.sql", "");
	put("migrations/sub/R__a_view.sql", "");
	put("migrations/README.md", "not a migration");
	put("migrations/V3__draft.sql.bak", "");
	put("migrations/.hidden/V5__x.sql", "");
	put("migrations/.V6__y.sql", "");
	put("rollback/U2.1__add_email.sql", "");
	put("rollback/U10__big_one.sql", "");

	assert_int_equal(dbm_scan("migrations", "rollback", &fs), 0);
	assert_int_equal(fs.nversioned, 5);
	assert_string_equal(fs.versioned[0].version, "1");
	assert_string_equal(fs.versioned[0].description, "create users");
	assert_string_equal(fs.versioned[0].script, "V1__create_users.sql");
	assert_string_equal(fs.versioned[0].path, "migrations/V1__create_users.sql");
	assert_int_equal(fs.versioned[0].kind, DBM_FILE_VERSIONED);
	assert_int_equal(fs.versioned[0].in_transaction, -1);
	assert_null(fs.versioned[0].encoding);
	assert_null(fs.versioned[0].undo);
	assert_string_equal(fs.versioned[1].version, "2.1");
	assert_ptr_equal(fs.versioned[1].undo, &fs.undo[0]);
	assert_string_equal(fs.versioned[2].version, "9");
	assert_string_equal(fs.versioned[2].description, "");
	assert_string_equal(fs.versioned[3].version, "10");
	assert_string_equal(fs.versioned[3].script, "sub/deeper/V10__big_one.sql");
	assert_string_equal(fs.versioned[3].path, "migrations/sub/deeper/V10__big_one.sql");
	assert_ptr_equal(fs.versioned[3].undo, &fs.undo[1]);
	assert_string_equal(fs.versioned[4].version, "2024.01.15.1");

	assert_int_equal(fs.nrepeatable, 2);
	assert_string_equal(fs.repeatable[0].description, "a view");
	assert_string_equal(fs.repeatable[0].script, "sub/R__a_view.sql");
	assert_null(fs.repeatable[0].version);
	assert_int_equal(fs.repeatable[0].kind, DBM_FILE_REPEATABLE);
	assert_string_equal(fs.repeatable[1].description, "reporting views");

	assert_int_equal(fs.nundo, 2);
	assert_string_equal(fs.undo[0].version, "2.1");
	assert_string_equal(fs.undo[0].path, "rollback/U2.1__add_email.sql");
	assert_string_equal(fs.undo[0].script, "U2.1__add_email.sql");
	assert_int_equal(fs.undo[0].kind, DBM_FILE_UNDO);
	assert_string_equal(fs.undo[1].version, "10");

	assert_ptr_equal(dbm_fileset_find(&fs, "2.1.0"), &fs.versioned[1]);
	assert_ptr_equal(dbm_fileset_find(&fs, "2024_1_15_1"), &fs.versioned[4]);
	assert_null(dbm_fileset_find(&fs, "2"));
	dbm_fileset_free(&fs);
	assert_null(fs.versioned);
	dbm_fileset_free(&fs);
}

static void test_scan__missing_rollback_folder_means_no_undo_files(void **state)
{
	struct dbm_fileset fs = DBM_FILESET_INIT;

	(void)state;
	put("migrations/V1__a.sql", "");
	assert_int_equal(dbm_scan("migrations/", "rollback", &fs), 0);
	assert_int_equal(fs.nversioned, 1);
	assert_string_equal(fs.versioned[0].path, "migrations/V1__a.sql");
	assert_int_equal(fs.nundo, 0);
	dbm_fileset_free(&fs);
	assert_int_equal(dbm_scan("migrations", NULL, &fs), 0);
	dbm_fileset_free(&fs);
}

static void test_scan__empty_migrations_folder_is_fine(void **state)
{
	struct dbm_fileset fs = DBM_FILESET_INIT;

	(void)state;
	put("migrations/.keep", "");
	assert_int_equal(dbm_scan("migrations", "rollback", &fs), 0);
	assert_int_equal(fs.nversioned + fs.nrepeatable + fs.nundo, 0);
	dbm_fileset_free(&fs);
}

/*
 * The listing's file types spare a stat per file; links (to a file or to a
 * folder) still count as what they point to, and other kinds of entry named
 * *.sql are left out.
 */
static void test_scan__links_are_followed_and_other_entries_ignored(void **state)
{
	struct dbm_fileset fs = DBM_FILESET_INIT;

	(void)state;
	put("migrations/V1__a.sql", "");
	put("shared/V2__b.sql", "");
	put("shared/more/V3__c.sql", "");
	assert_int_equal(symlink("../shared/V2__b.sql", "migrations/V2__b.sql"), 0);
	assert_int_equal(symlink("../shared/more", "migrations/more"), 0);
	assert_int_equal(mkfifo("migrations/V4__fifo.sql", 0600), 0);
	assert_int_equal(dbm_scan("migrations", "rollback", &fs), 0);
	assert_int_equal(fs.nversioned, 3);
	assert_string_equal(fs.versioned[0].script, "V1__a.sql");
	assert_string_equal(fs.versioned[1].script, "V2__b.sql");
	assert_string_equal(fs.versioned[2].script, "more/V3__c.sql");
	dbm_fileset_free(&fs);
}

static void test_scan__missing_migrations_folder_is_named(void **state)
{
	(void)state;
	expect_scan_error("migrations folder \"migrations\" does not exist");
	assert_string_equal(dbm_error_last()->hint,
	                    "Create it, or point --migrations at the folder that holds your "
	                    "migrations.");
	put("migrations", "a file");
	expect_scan_error("migrations folder \"migrations\" is not a folder");
}

static void test_scan__undo_files_beside_versioned_ones_count(void **state)
{
	struct dbm_fileset fs = DBM_FILESET_INIT;

	(void)state;
	put("migrations/V1__a.sql", "");
	put("migrations/U1__a.sql", "");
	assert_int_equal(dbm_scan("migrations", "migrations", &fs), 0);
	assert_int_equal(fs.nundo, 1);
	assert_string_equal(fs.undo[0].path, "migrations/U1__a.sql");
	assert_ptr_equal(fs.versioned[0].undo, &fs.undo[0]);
	dbm_fileset_free(&fs);
}

static void test_scan__rollback_folder_inside_migrations_is_read_once(void **state)
{
	struct dbm_fileset fs = DBM_FILESET_INIT;

	(void)state;
	put("migrations/V1__a.sql", "");
	put("migrations/rollback/U1__a.sql", "");
	assert_int_equal(dbm_scan("migrations", "migrations/rollback", &fs), 0);
	assert_int_equal(fs.nundo, 1);
	assert_string_equal(fs.undo[0].path, "migrations/rollback/U1__a.sql");
	assert_string_equal(fs.undo[0].script, "U1__a.sql");
	dbm_fileset_free(&fs);
}

static void test_scan__duplicate_versions_name_both_files(void **state)
{
	(void)state;
	put("migrations/V1__a.sql", "");
	put("migrations/sub/V1.0__b.sql", "");
	put("migrations/V2__c.sql", "");
	expect_scan_error("version 1 is used by both \"migrations/V1__a.sql\" and "
	                  "\"migrations/sub/V1.0__b.sql\"");
	assert_string_equal(dbm_error_last()->hint,
	                    "Give each versioned migration its own version; leading zeros and "
	                    "trailing zero parts do not make versions differ.");
	assert_string_equal(dbm_error_last()->file, "");
}

static void test_scan__three_equal_versions_are_one_problem(void **state)
{
	(void)state;
	put("migrations/V1__a.sql", "");
	put("migrations/V001__b.sql", "");
	put("migrations/V1_0__c.sql", "");
	expect_scan_error("version 001 is used by \"migrations/V001__b.sql\", "
	                  "\"migrations/V1_0__c.sql\" and \"migrations/V1__a.sql\"");
}

static void test_scan__duplicate_repeatable_descriptions_and_undo_versions(void **state)
{
	(void)state;
	put("migrations/V1__a.sql", "");
	put("migrations/R__views.sql", "");
	put("migrations/x/R__views.sql", "");
	put("rollback/U1__a.sql", "");
	put("rollback/U1.0__again.sql", "");
	expect_scan_error("found 2 problems with migration files");
	assert_string_equal(dbm_error_last()->detail,
	                    "description \"views\" is used by both \"migrations/R__views.sql\" and "
	                    "\"migrations/x/R__views.sql\"\n"
	                    "undo version 1.0 is used by both \"rollback/U1.0__again.sql\" and "
	                    "\"rollback/U1__a.sql\"");
	assert_string_equal(dbm_error_last()->hint,
	                    "Give each repeatable migration its own description. Keep one undo "
	                    "migration per version.");
}

static void test_scan__bad_names_are_all_reported_with_the_expected_forms(void **state)
{
	(void)state;
	put("migrations/V1__ok.sql", "");
	put("migrations/foo.sql", "");
	put("migrations/v2__lower.sql", "");
	put("migrations/V3_one_underscore.sql", "");
	put("migrations/V4__upper.SQL", "");
	put("migrations/R__.sql", "");
	put("migrations/V__noversion.sql", "");
	put("migrations/V1.x__letters.sql", "");
	put("rollback/V5__misplaced.sql", "");
	expect_scan_error("found 8 problems with migration files");
	assert_string_equal(
	    dbm_error_last()->detail,
	    "migration file name \"migrations/R__.sql\" does not fit any expected form\n"
	    "migration file name \"migrations/V1.x__letters.sql\" does not fit any expected "
	    "form\n"
	    "migration file name \"migrations/V3_one_underscore.sql\" does not fit any "
	    "expected form\n"
	    "migration file name \"migrations/V4__upper.SQL\" does not fit any expected form\n"
	    "migration file name \"migrations/V__noversion.sql\" does not fit any expected "
	    "form\n"
	    "migration file name \"migrations/foo.sql\" does not fit any expected form\n"
	    "migration file name \"migrations/v2__lower.sql\" does not fit any expected form\n"
	    "\"rollback/V5__misplaced.sql\" is not an undo migration "
	    "(U<version>__<description>.sql)");
	assert_string_equal(
	    dbm_error_last()->hint,
	    "Name versioned migrations V<version>__<description>.sql, repeatable "
	    "ones R__<description>.sql and undo ones U<version>__<description>.sql, "
	    "e.g. V2.1__add_email.sql; callbacks are named after their event, "
	    "e.g. beforeMigrate.sql or afterEachMigrate__audit.sql. The rollback "
	    "folder holds only undo migrations, named U<version>__<description>.sql.");
}

static void test_scan__one_bad_name_is_the_message(void **state)
{
	(void)state;
	put("migrations/sub/create.sql", "");
	expect_scan_error(
	    "migration file name \"migrations/sub/create.sql\" does not fit any expected form");
	assert_string_equal(dbm_error_last()->detail, "");
	assert_true(strstr(dbm_error_last()->hint, "V<version>__<description>.sql") != NULL);
}

static void test_scan__undo_without_versioned_file(void **state)
{
	(void)state;
	put("migrations/V1__a.sql", "");
	put("rollback/U1__a.sql", "");
	put("rollback/U3__gone.sql", "");
	expect_scan_error("undo migration \"rollback/U3__gone.sql\" has no versioned migration "
	                  "with version 3");
	assert_string_equal(dbm_error_last()->hint,
	                    "Add the versioned migration or remove the undo migration.");
}

static void test_scan__conf_settings_are_read(void **state)
{
	struct dbm_fileset fs = DBM_FILESET_INIT;

	(void)state;
	put("migrations/V1__a.sql", "");
	put("migrations/V7__idx.sql", "");
	put("migrations/V7__idx.sql.conf",
	    "# built concurrently\n\n  executeInTransaction = FALSE  \n"
	    "encoding=utf-8\n");
	put("migrations/R__v.sql", "");
	put("migrations/R__v.sql.conf", "executeInTransaction=true");
	put("migrations/V8__orphan_conf_is_ignored.txt.conf", "nonsense");
	assert_int_equal(dbm_scan("migrations", "rollback", &fs), 0);
	assert_int_equal(fs.versioned[0].in_transaction, -1);
	assert_int_equal(fs.versioned[1].in_transaction, 0);
	assert_string_equal(fs.versioned[1].encoding, "utf-8");
	assert_int_equal(fs.repeatable[0].in_transaction, 1);
	assert_null(fs.repeatable[0].encoding);
	dbm_fileset_free(&fs);
}

static void test_scan__unknown_conf_key_names_file_line_and_nearest_key(void **state)
{
	(void)state;
	put("migrations/V7__idx.sql", "");
	put("migrations/V7__idx.sql.conf", "# settings\nexecuteInTransactions=false\n");
	expect_scan_error("unknown setting \"executeInTransactions\" (did you mean "
	                  "\"executeInTransaction\"?)");
	assert_string_equal(dbm_error_last()->file, "migrations/V7__idx.sql.conf");
	assert_int_equal(dbm_error_last()->line, 2);
	assert_string_equal(dbm_error_last()->hint,
	                    "A script's .conf file may hold executeInTransaction=true|false and "
	                    "encoding=UTF-8, one per line.");
}

static void test_scan__bad_conf_values_and_encodings(void **state)
{
	(void)state;
	put("migrations/V1__a.sql", "");
	put("migrations/V1__a.sql.conf",
	    "encodng=UTF-8\nexecuteInTransaction=yes\nnot a setting\n");
	put("migrations/V2__b.sql", "");
	put("migrations/V2__b.sql.conf", "encoding=ISO-8859-1\n");
	expect_scan_error("found 4 problems with migration files");
	assert_string_equal(
	    dbm_error_last()->detail,
	    "migrations/V1__a.sql.conf:1: unknown setting \"encodng\" (did you mean "
	    "\"encoding\"?)\n"
	    "migrations/V1__a.sql.conf:2: executeInTransaction must be true or false, not "
	    "\"yes\"\n"
	    "migrations/V1__a.sql.conf:3: expected key=value, found \"not a setting\"\n"
	    "migrations/V2__b.sql.conf:1: \"migrations/V2__b.sql\" is declared as encoding "
	    "\"ISO-8859-1\"; only UTF-8 is supported");
	assert_string_equal(dbm_error_last()->hint,
	                    "A script's .conf file may hold executeInTransaction=true|false and "
	                    "encoding=UTF-8, one per line. Convert the file to UTF-8 (e.g. with "
	                    "iconv) and set encoding=UTF-8 or remove the setting.");
}

static void test_scan__many_problems_keep_the_detail_within_bounds(void **state)
{
	char name[64];
	int i;

	(void)state;
	for (i = 0; i < 100; i++) {
		snprintf(name, sizeof(name), "migrations/bad_name_%03d.sql", i);
		put(name, "");
	}
	expect_scan_error("found 100 problems with migration files");
	assert_true(strlen(dbm_error_last()->detail) < sizeof(dbm_error_last()->detail) - 1);
	assert_true(strstr(dbm_error_last()->detail, "\"migrations/bad_name_000.sql\"") != NULL);
	assert_true(strstr(dbm_error_last()->detail, "more)") != NULL);
	assert_true(strstr(dbm_error_last()->detail, "bad_name_099") == NULL);
}

/*
 * 3000 badly named files with long names: every problem is counted, the
 * message says how many, and the detail ends with how many it leaves out
 * (past the kept ones, problems are counted without keeping their text).
 */
static void test_scan__thousands_of_long_bad_names_are_counted(void **state)
{
	char name[300], want[64];
	const char *more;
	unsigned long shown = 0, left = 0;
	const char *p;
	int i;

	(void)state;
	for (i = 0; i < 3000; i++) {
		/* "x": a name no layout reads (NNN_desc.sql alone is a numbered migration) */
		snprintf(name, sizeof(name), "migrations/x%04d_%0200d.sql", i, 0);
		put(name, "");
	}
	expect_scan_error("found 3000 problems with migration files");
	more = strstr(dbm_error_last()->detail, "\n(and ");
	assert_non_null(more);
	for (p = dbm_error_last()->detail; p < more; p++)
		shown += *p == '\n';
	assert_int_equal(sscanf(more, "\n(and %lu more)", &left), 1);
	assert_int_equal(shown + 1 + left, 3000);
	snprintf(want, sizeof(want), "\"migrations/x0000_%.20s", "00000000000000000000");
	assert_non_null(strstr(dbm_error_last()->detail, want));
}

/* A settings file of 5000 lines stops at the limit, naming its file and line. */
static void test_scan__conf_with_too_many_lines_names_the_limit(void **state)
{
	struct dbm_buf text = DBM_BUF_INIT;
	int i;

	(void)state;
	for (i = 0; i < 5000; i++)
		assert_int_equal(dbm_buf_adds(&text, "# a comment\n"), 0);
	put("migrations/V1__a.sql", "");
	put("migrations/V1__a.sql.conf", dbm_buf_cstr(&text));
	expect_scan_error("a settings file has more than 1000 lines");
	assert_string_equal(dbm_error_last()->file, "migrations/V1__a.sql.conf");
	assert_int_equal(dbm_error_last()->line, 1001);
	dbm_buf_free(&text);
}

/* A line of 1 MiB in a settings file: refused at its line, naming the limit. */
static void test_scan__conf_with_a_huge_line_names_the_limit(void **state)
{
	struct dbm_buf text = DBM_BUF_INIT;

	(void)state;
	assert_int_equal(dbm_buf_adds(&text, "encoding=UTF-8\nexecuteInTransaction="), 0);
	while (text.len < 1024 * 1024)
		assert_int_equal(dbm_buf_adds(&text, "falsefalse"), 0);
	put("migrations/V1__a.sql", "");
	put("migrations/V1__a.sql.conf", dbm_buf_cstr(&text));
	expect_scan_error("line is longer than 4094 bytes");
	assert_string_equal(dbm_error_last()->file, "migrations/V1__a.sql.conf");
	assert_int_equal(dbm_error_last()->line, 2);
	dbm_buf_free(&text);
}

/* A FIFO named like a settings file is refused at once, never opened for a blocking read. */
static void test_scan__conf_that_is_a_fifo_is_refused(void **state)
{
	(void)state;
	put("migrations/V1__a.sql", "");
	assert_int_equal(mkfifo("migrations/V1__a.sql.conf", 0644), 0);
	expect_scan_error("\"migrations/V1__a.sql.conf\" is not a regular file");
	assert_string_equal(dbm_error_last()->hint, "Make it a regular file, or remove it.");
}

static void test_scan__parse_filename(void **state)
{
	enum dbm_file_kind kind;
	char *v = NULL, *d = NULL;

	(void)state;
	assert_int_equal(dbm_parse_filename("V1_2__a__b.sql", &kind, &v, &d), 0);
	assert_int_equal(kind, DBM_FILE_VERSIONED);
	assert_string_equal(v, "1.2");
	assert_string_equal(d, "a  b");
	dbm_free(v);
	dbm_free(d);
	assert_int_equal(dbm_parse_filename("U3__undo_it.sql", &kind, &v, &d), 0);
	assert_int_equal(kind, DBM_FILE_UNDO);
	assert_string_equal(v, "3");
	assert_string_equal(d, "undo it");
	dbm_free(v);
	dbm_free(d);
	assert_int_equal(dbm_parse_filename("R__x.sql", &kind, &v, &d), 0);
	assert_int_equal(kind, DBM_FILE_REPEATABLE);
	assert_null(v);
	assert_string_equal(d, "x");
	dbm_free(d);
	assert_int_equal(dbm_parse_filename("V1__.sql", &kind, &v, &d), 0);
	assert_string_equal(d, "");
	dbm_free(v);
	dbm_free(d);

	v = d = (char *)1;
	assert_int_equal(dbm_parse_filename("V1.sql", &kind, &v, &d), DBM_ERR_USAGE);
	assert_null(v);
	assert_null(d);
	assert_int_equal(dbm_parse_filename("R__.sql", &kind, &v, &d), DBM_ERR_USAGE);
	assert_int_equal(dbm_parse_filename("R1__x.sql", &kind, &v, &d), DBM_ERR_USAGE);
	assert_int_equal(dbm_parse_filename("V1__x.sql.conf", &kind, &v, &d), DBM_ERR_USAGE);
	assert_int_equal(dbm_parse_filename("X1__x.sql", &kind, &v, &d), DBM_ERR_USAGE);
	assert_int_equal(dbm_parse_filename(".sql", &kind, &v, &d), DBM_ERR_USAGE);
	assert_int_equal(dbm_parse_filename("", &kind, &v, &d), DBM_ERR_USAGE);
	assert_int_equal(dbm_parse_filename("V1_.sql", &kind, &v, &d), DBM_ERR_USAGE);
}

/*
 * In builds with allocation-failure injection: make the n-th allocation
 * fail for n = 1, 2, ... (each in a child process, as the failure point is
 * read once per process) until a scan needs no more; every run must end in
 * success or "out of memory", with no leak (the sanitizer build checks).
 */
static void test_scan__every_allocation_failure_is_clean(void **state)
{
#ifdef DBM_FAILPOINTS
	int i;

	(void)state;
	put("migrations/V1__a.sql", "");
	put("migrations/sub/V2__b.sql", "");
	put("migrations/V2__b.sql.conf", "executeInTransaction=false\nencoding=UTF-8\n");
	put("migrations/V3__c.sql", "");
	put("migrations/V3__c.sql.conf", "encoding=UTF-8\n");
	put("migrations/R__r.sql", "");
	put("migrations/bad.sql", "");
	put("rollback/U1__a.sql", "");
	put("rollback/U9__orphan.sql", "");
	i = dbm_test_oom_sweep("test_scan", 1000, 0, 3);
	assert_true(i > 10 && i < 1000);
#else
	(void)state;
	skip();
#endif
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, dbm_test_tmpdir_setup, dbm_test_tmpdir_teardown)

#ifdef DBM_FAILPOINTS
/* The child of test_scan__every_allocation_failure_is_clean: one scan in the current folder. */
static int oom_child(void)
{
	struct dbm_fileset fs = DBM_FILESET_INIT;
	int r = dbm_scan("migrations", "rollback", &fs);

	dbm_fileset_free(&fs);
	if (r == DBM_ERR_NOMEM && strcmp(dbm_error_last()->message, "out of memory") == 0)
		return 0;
	if (r == DBM_ERR_USAGE &&
	    strcmp(dbm_error_last()->message, "found 2 problems with migration files") == 0)
		return 3; /* every allocation succeeded */
	return 1;
}
#endif

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
	    T(test_scan__finds_sorts_and_describes_every_kind),
	    T(test_scan__missing_rollback_folder_means_no_undo_files),
	    T(test_scan__empty_migrations_folder_is_fine),
	    T(test_scan__links_are_followed_and_other_entries_ignored),
	    T(test_scan__missing_migrations_folder_is_named),
	    T(test_scan__undo_files_beside_versioned_ones_count),
	    T(test_scan__rollback_folder_inside_migrations_is_read_once),
	    T(test_scan__duplicate_versions_name_both_files),
	    T(test_scan__three_equal_versions_are_one_problem),
	    T(test_scan__duplicate_repeatable_descriptions_and_undo_versions),
	    T(test_scan__bad_names_are_all_reported_with_the_expected_forms),
	    T(test_scan__one_bad_name_is_the_message),
	    T(test_scan__undo_without_versioned_file),
	    T(test_scan__conf_settings_are_read),
	    T(test_scan__unknown_conf_key_names_file_line_and_nearest_key),
	    T(test_scan__bad_conf_values_and_encodings),
	    T(test_scan__many_problems_keep_the_detail_within_bounds),
	    T(test_scan__thousands_of_long_bad_names_are_counted),
	    T(test_scan__conf_with_too_many_lines_names_the_limit),
	    T(test_scan__conf_with_a_huge_line_names_the_limit),
	    T(test_scan__conf_that_is_a_fifo_is_refused),
	    T(test_scan__parse_filename),
	    T(test_scan__every_allocation_failure_is_clean),
	};

#ifdef DBM_FAILPOINTS
	if (dbm_test_oom_child(argc, argv))
		return oom_child();
#endif
	(void)argc;
	(void)argv;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
