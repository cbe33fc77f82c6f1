/*
 * test_mysql_conformance.c - dbmigrate against the mariadb command-line client
 * on migration sets written the way public projects ship them: mysqldump
 * output, DELIMITER blocks, stored routines, events, JSON and generated
 * columns, escapes, CRLF files, a set of thirty-odd files.
 *
 * For each set: dbmigrate migrates database A; the mariadb client runs the
 * same files one by one into database B; the normalised schema dumps and the
 * rows of every table must be equal (tests/support/mydump.h). For sets with
 * undo scripts: rollback --steps K on A equals the client running the undo
 * scripts of those K versions newest first on B; rollback --to 0 equals the
 * client running the rest; and migrate again equals the first B.
 *
 * A file that the client itself cannot run (a routine without DELIMITER: the
 * client ends it at the first ';' of the body) is given to the client
 * wrapped in DELIMITER $$ ... $$, which is what its author meant.
 *
 * DBM_TEST_MYSQL_URL names the server (tests/servers/mariadb.sh); without it
 * the tests are skipped, or fail when DBM_TEST_REQUIRE_SERVERS=1.
 */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "dbtest.h"
#include "mydump.h"
#include "testutil.h"

#define MYCONF_MAX_FILES 128

/* One migration set and how to check it. */
struct myconf_set {
	const char *migrations; /* folder, relative to the source tree */
	const char *rollback;   /* folder of undo scripts, NULL when none */
	const char *wrap;       /* file names the client needs wrapped in DELIMITER $$, "|a|b|" */
	int steps;              /* K for rollback --steps K */
};

/* One test's state: the server, two databases and a folder for wrapped copies. */
struct myconf {
	struct dbm_testdb *db; /* database A, its folder and the added database B */
	const char *base;      /* server URL ending in '/' */
	const char *a, *b;     /* dbmigrate's database and the client's */
	const char *url_a;
	const char *dir;
	char *vfiles[MYCONF_MAX_FILES]; /* versioned then repeatable file names, in order */
	size_t nv;
	char *full_schema, *full_data; /* B after migrate, for "migrate again" */
};

static int myconf_setup(void **state)
{
	const char *base = getenv("DBM_TEST_MYSQL_URL");
	struct myconf *t;

	if (!base || !*base || !dbm_mydump_available())
		return 0; /* each test skips or fails in myconf_state */
	t = calloc(1, sizeof(*t));
	assert_non_null(t);
	*state = t;
	t->db = dbm_testdb_new_at(base);
	t->base = t->db->server;
	t->a = t->db->name;
	t->url_a = t->db->url;
	t->b = t->db->extra_name[dbm_testdb_add(t->db, "b")];
	t->dir = t->db->dir;
	return 0;
}

static int myconf_teardown(void **state)
{
	struct myconf *t = *state;
	struct dbm_testdb *db;
	size_t i;

	if (!t)
		return 0;
	db = t->db;
	for (i = 0; i < t->nv; i++)
		free(t->vfiles[i]);
	free(t->full_schema);
	free(t->full_data);
	free(t);
	*state = NULL;
	dbm_testdb_free(db);
	return 0;
}

static struct myconf *myconf_state(void **state)
{
	if (!*state) {
		dbm_test_server_url("DBM_TEST_MYSQL_URL");
		if (getenv("DBM_TEST_MYSQL_URL") && !dbm_mydump_available())
			fail_msg("the mariadb and mariadb-dump clients are needed");
		skip();
	}
	return *state;
}

/*
 * Compares the version parts of two file names ("V1.2__x.sql", "U10__y.sql"):
 * numerically part by part, trailing zero parts not counting, as dbmigrate
 * orders them. Returns <0, 0, >0.
 */
static int myconf_vercmp(const char *a, const char *b)
{
	a++;
	b++;
	for (;;) {
		unsigned long long x = 0, y = 0;
		int enda = (*a == '_' && a[1] == '_') || !*a;
		int endb = (*b == '_' && b[1] == '_') || !*b;

		if (enda && endb)
			return 0;
		if (!enda)
			x = strtoull(a, (char **)&a, 10);
		if (!endb)
			y = strtoull(b, (char **)&b, 10);
		if (x != y)
			return x < y ? -1 : 1;
		if (!enda && (*a == '.' || (*a == '_' && a[1] != '_')))
			a++;
		if (!endb && (*b == '.' || (*b == '_' && b[1] != '_')))
			b++;
	}
}

static int myconf_file_order(const void *pa, const void *pb)
{
	const char *a = *(char *const *)pa, *b = *(char *const *)pb;

	if (a[0] != b[0])
		return a[0] == 'V' ? -1 : 1; /* versioned before repeatable */
	if (a[0] == 'R')
		return strcmp(a, b);
	return myconf_vercmp(a, b);
}

/* Fills t->vfiles with the V and R files of folder dir, in the order dbmigrate applies them. */
static void myconf_list(struct myconf *t, const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;

	if (!d)
		fail_msg("cannot open '%s'", dir);
	while ((e = readdir(d)) != NULL) {
		size_t n = strlen(e->d_name);

		if (n < 5 || strcmp(e->d_name + n - 4, ".sql") != 0)
			continue;
		if (e->d_name[0] != 'V' && strncmp(e->d_name, "R__", 3) != 0)
			continue;
		assert_true(t->nv < MYCONF_MAX_FILES);
		t->vfiles[t->nv++] = strdup(e->d_name);
	}
	closedir(d);
	qsort(t->vfiles, t->nv, sizeof(t->vfiles[0]), myconf_file_order);
}

/* The path of the undo file for versioned file vname in folder dir, in buf. */
static void myconf_undo_path(const char *dir, const char *vname, char *buf, size_t n)
{
	const char *sep = strstr(vname, "__");

	snprintf(buf, n, "%s/U%s", dir, vname + 1);
	assert_non_null(sep);
	if (access(buf, R_OK) != 0)
		fail_msg("no undo file '%s'", buf);
}

/*
 * Runs file (a path) through the client into t->b; when its name is listed in
 * set->wrap, runs a copy wrapped in DELIMITER $$ ... $$. Fails the test when
 * the client fails.
 */
static void myconf_client(struct myconf *t, const struct myconf_set *set, const char *file)
{
	const char *name = strrchr(file, '/') ? strrchr(file, '/') + 1 : file;
	char key[300], copy[1200];
	char *out = NULL;
	int rc;

	snprintf(key, sizeof(key), "|%s|", name);
	if (set->wrap && strstr(set->wrap, key)) {
		char *text = dbm_test_read(file);
		char *wrapped;
		size_t n;

		assert_non_null(text);
		n = strlen(text) + 64;
		wrapped = malloc(n);
		assert_non_null(wrapped);
		snprintf(wrapped, n, "DELIMITER $$\n%s\n$$\nDELIMITER ;\n", text);
		snprintf(copy, sizeof(copy), "wrapped/%s", name);
		dbm_test_write(t->dir, copy, wrapped);
		snprintf(copy, sizeof(copy), "%s/wrapped/%s", t->dir, name);
		file = copy;
		free(wrapped);
		free(text);
	}
	rc = dbm_mydump_client_file(t->base, t->b, file, &out);
	if (rc != 0)
		print_error("the mariadb client exited %d on '%s': %s\n", rc, file, out);
	free(out);
	if (rc != 0)
		fail_msg("the mariadb client failed on '%s'", name);
}

/* Runs dbmigrate cmd [arg value] on database A; fails the test unless it exits 0. */
static void myconf_dbmigrate(struct myconf *t, const char *mig, const char *rb, const char *cmd,
                             const char *opt, const char *val)
{
	const char *argv[12];
	struct dbm_test_result r;
	int i = 0, status;

	argv[i++] = cmd;
	argv[i++] = "--url";
	argv[i++] = t->url_a;
	argv[i++] = "--migrations";
	argv[i++] = mig;
	if (rb) {
		argv[i++] = "--rollback";
		argv[i++] = rb;
	}
	if (opt) {
		argv[i++] = opt;
		argv[i++] = val;
	}
	argv[i] = NULL;
	dbm_test_run(t->dir, NULL, argv, &r);
	status = r.status;
	if (status != 0)
		print_error("dbmigrate %s %s %s exited %d:\n%s%s", cmd, opt ? opt : "",
		            val ? val : "", status, r.out, r.err);
	dbm_test_result_free(&r);
	if (status != 0)
		fail_msg("dbmigrate %s exited %d", cmd, status);
}

/*
 * Asserts that A's schema and rows equal want_schema and want_data, or when
 * those are NULL, B's; what labels the step. Frees everything before failing.
 */
static void myconf_assert_same(struct myconf *t, const char *what, const char *want_schema,
                               const char *want_data)
{
	char label[200];
	char *sa = dbm_mydump_schema(t->base, t->a, "schema_history");
	char *da = dbm_mydump_data(t->base, t->a, "schema_history");
	char *sb = want_schema ? NULL : dbm_mydump_schema(t->base, t->b, "schema_history");
	char *db = want_data ? NULL : dbm_mydump_data(t->base, t->b, "schema_history");
	int differ;

	snprintf(label, sizeof(label), "schemas after %s", what);
	differ = dbm_mydump_report_diff(label, sa, want_schema ? want_schema : sb);
	snprintf(label, sizeof(label), "rows after %s", what);
	differ |= dbm_mydump_report_diff(label, da, want_data ? want_data : db);
	free(sa);
	free(sb);
	free(da);
	free(db);
	if (differ)
		fail_msg("dbmigrate and the mariadb client disagree after %s", what);
}

/* The number of successful SQL rows of the history table of A. */
static int myconf_applied(struct myconf *t)
{
	char *s = dbm_mydump_query(t->base, t->a,
	                           "SELECT COUNT(*) FROM schema_history WHERE success = 1"
	                           " AND type = 'SQL'");
	int n = atoi(s);

	free(s);
	return n;
}

static void myconf_check_dir(struct myconf *t, const struct myconf_set *set, const char *mig);

/* The whole comparison described at the top of the file, for one set. */
static void myconf_check_set(void **state, const struct myconf_set *set)
{
	struct myconf *t = myconf_state(state);
	char mig[1024];

	snprintf(mig, sizeof(mig), "%s/%s", DBM_TEST_SOURCE_DIR, set->migrations);
	myconf_check_dir(t, set, mig);
}

/* myconf_check_set for the migrations folder mig (an absolute path). */
static void myconf_check_dir(struct myconf *t, const struct myconf_set *set, const char *mig)
{
	char rb[1024], path[2200];
	size_t i, k;

	if (set->rollback)
		snprintf(rb, sizeof(rb), "%s/%s", DBM_TEST_SOURCE_DIR, set->rollback);
	myconf_list(t, mig);
	assert_true(t->nv > 0);

	myconf_dbmigrate(t, mig, set->rollback ? rb : NULL, "migrate", NULL, NULL);
	assert_int_equal(myconf_applied(t), (int)t->nv);
	for (i = 0; i < t->nv; i++) {
		snprintf(path, sizeof(path), "%s/%s", mig, t->vfiles[i]);
		myconf_client(t, set, path);
	}
	myconf_assert_same(t, "migrate", NULL, NULL);
	if (!set->rollback)
		return;

	t->full_schema = dbm_mydump_schema(t->base, t->b, "schema_history");
	t->full_data = dbm_mydump_data(t->base, t->b, "schema_history");

	/* rollback --steps K: the newest K versions, newest first. */
	snprintf(path, sizeof(path), "%d", set->steps);
	myconf_dbmigrate(t, mig, rb, "rollback", "--steps", path);
	k = 0;
	for (i = t->nv; i > 0 && k < (size_t)set->steps; i--) {
		if (t->vfiles[i - 1][0] != 'V')
			continue;
		myconf_undo_path(rb, t->vfiles[i - 1], path, sizeof(path));
		myconf_client(t, set, path);
		k++;
	}
	myconf_assert_same(t, "rollback --steps", NULL, NULL);

	/* rollback --to 0: everything that is left. */
	myconf_dbmigrate(t, mig, rb, "rollback", "--to", "0");
	for (; i-- > 0;) {
		if (t->vfiles[i][0] != 'V')
			continue;
		myconf_undo_path(rb, t->vfiles[i], path, sizeof(path));
		myconf_client(t, set, path);
	}
	myconf_assert_same(t, "rollback --to 0", NULL, NULL);

	/* migrate again: the same as the first time. */
	myconf_dbmigrate(t, mig, rb, "migrate", NULL, NULL);
	myconf_assert_same(t, "migrate again", t->full_schema, t->full_data);
}

/* ---- the sets ----------------------------------------------------------------------------- */

/* The forum set: V7 has a procedure without DELIMITER, which the client rejects. */
static void test_mysql_conformance__realworld_forum(void **state)
{
	static const struct myconf_set set = {"tests/fixtures/realworld/mysql", NULL,
	                                      "|V7__no_delimiter_procedure.sql|", 0};

	myconf_check_set(state, &set);
}

static void test_mysql_conformance__docs_example(void **state)
{
	static const struct myconf_set set = {"docs/examples/mysql/migrations",
	                                      "docs/examples/mysql/rollback", NULL, 2};

	myconf_check_set(state, &set);
}

static void test_mysql_conformance__portable_sample(void **state)
{
	static const struct myconf_set set = {"migrations", "rollback", NULL, 3};

	myconf_check_set(state, &set);
}

/* mysqldump and phpMyAdmin exports: version comments, LOCK TABLES, dump-style routines, SETs. */
static void test_mysql_conformance__dumps(void **state)
{
	static const struct myconf_set set = {"tests/fixtures/myconf/dump/migrations",
	                                      "tests/fixtures/myconf/dump/rollback", NULL, 2};

	myconf_check_set(state, &set);
}

/* Routines, triggers and events with every DELIMITER style, without one, and nested blocks. */
static void test_mysql_conformance__routines(void **state)
{
	static const struct myconf_set set = {
	    "tests/fixtures/myconf/routines/migrations", "tests/fixtures/myconf/routines/rollback",
	    "|V5__no_delimiter_routines.sql|V8__not_atomic_block.sql|", 5};

	myconf_check_set(state, &set);
}

/*
 * Laravel and Rails schema files, JSON with defaults, generated columns,
 * CHECK constraints, partitions, fulltext, FOREIGN_KEY_CHECKS=0;
 * timestamp-style versions.
 */
static void test_mysql_conformance__application_schema(void **state)
{
	static const struct myconf_set set = {"tests/fixtures/myconf/schema/migrations",
	                                      "tests/fixtures/myconf/schema/rollback", NULL, 3};

	myconf_check_set(state, &set);
}

/* Thirty-two files: tables chained by foreign keys, then ALTERs, a procedure, a view, a trigger. */
static void test_mysql_conformance__thirty_two_files(void **state)
{
	static const struct myconf_set set = {"tests/fixtures/myconf/wide/migrations",
	                                      "tests/fixtures/myconf/wide/rollback",
	                                      "|V32__audit_trigger.sql|", 5};

	myconf_check_set(state, &set);
}

/*
 * A file saved with CRLF line ends. The mariadb client reads it line by line
 * and drops the '\r' before each '\n', inside string literals and routine
 * bodies too: 'line1<CR><LF>line2' becomes 'line1\nline2' and the trigger
 * body is stored with LF only; dbmigrate must send the same bytes. Also:
 * identifiers with spaces, ';' and backticks, '#' after code.
 */
static void test_mysql_conformance__crlf_file_matches_the_client(void **state)
{
	static const struct myconf_set set = {"tests/fixtures/myconf/crlf/migrations",
	                                      "tests/fixtures/myconf/crlf/rollback", NULL, 1};

	myconf_check_set(state, &set);
}

/*
 * Session settings made by one migration must not leak into the next: the
 * client runs every file in a new session. phpMyAdmin exports begin with SET
 * SQL_MODE = ... and never restore it, so without the reset V2's procedure
 * would be stored with sql_mode 'NO_AUTO_VALUE_ON_ZERO' instead of the
 * server's default, and V3's SET time_zone would make V4's TIMESTAMP literal
 * mean another instant.
 */
static void test_mysql_conformance__session_settings_do_not_leak_between_files(void **state)
{
	static const struct myconf_set set = {"tests/fixtures/myconf/session_state/migrations",
	                                      "tests/fixtures/myconf/session_state/rollback", NULL,
	                                      2};

	myconf_check_set(state, &set);
}

/* Writes len bytes of text as the file rel in the test's folder, byte for byte. */
static void myconf_write_bytes(struct myconf *t, const char *rel, const char *text, size_t len)
{
	char path[1400];
	FILE *f;

	dbm_test_write(t->dir, rel, ""); /* makes the folders */
	snprintf(path, sizeof(path), "%s/%s", t->dir, rel);
	f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(text, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
}

/*
 * Files that the mariadb client splits in ways dbmigrate used to get wrong,
 * each the minimal file of its report: a quote hiding a star-slash inside a
 * version comment; statements of only a skipped version comment or a hint;
 * "--x" where a statement starts; a quoted DELIMITER; a "-- " comment that a
 * lone CR does not end. dbmigrate and the client must leave the same rows.
 */
static void test_mysql_conformance__files_split_as_the_client_splits_them(void **state)
{
	static const char *const files[][2] = {
	    {"V1__quote_in_version_comment.sql",
	     "CREATE TABLE log1 (n int, s longtext);\n"
	     "/*!10000 INSERT INTO log1 VALUES (1, 'a*/;\\'b') */;\n"
	     "/*!10000 INSERT INTO log1 VALUES (2, \"*/\") */;\n"},
	    {"V2__skipped_version_comment.sql",
	     "CREATE TABLE log2 (n int, s longtext);\n"
	     "/*!999999 INSERT INTO log2 VALUES (9, 'x') */;\nINSERT INTO log2 VALUES (1, 'a');\n"
	     "/*M!999999 INSERT INTO log2 VALUES (9, 'y') */;\nINSERT INTO log2 VALUES (2, 'b');\n"
	     "/*!*/;\nINSERT INTO log2 VALUES (3, 'c');\n"
	     "/*+ hint */;\nINSERT INTO log2 VALUES (4, 'd');\n"},
	    {"V3__dashes_without_blank.sql",
	     "CREATE TABLE log3 (n int, s longtext);\n--x\nINSERT INTO log3 VALUES (1,'a');\n"
	     "  /* c */ --y\nINSERT INTO log3 VALUES (2,'b');\n"},
	    {"V4__quoted_delimiter.sql",
	     "CREATE TABLE log4 (n int);\nDELIMITER '//'\nINSERT INTO log4 VALUES (1)//\n"
	     "DELIMITER \"$$\"\nINSERT INTO log4 VALUES (2)$$\nDELIMITER ';'\n"
	     "INSERT INTO log4 VALUES (3);\n"},
	    {"V6__sql_mode_from_the_server.sql",
	     "CREATE TABLE log6 (n int, s longtext);\n"
	     "SET sql_mode=CONCAT(@@sql_mode, ',NO_BACKSLASH_ESCAPES');\n"
	     "INSERT INTO log6 VALUES (1, 'a\\');\nSET sql_mode='ANSI_QUOTES';\n"
	     "INSERT INTO log6 (n, s) SELECT 4, 'h' AS \"al;\\\";\n"
	     "INSERT INTO log6 VALUES (2, 'c\\';d');\n"
	     "SET sql_mode=DEFAULT;\nINSERT INTO log6 VALUES (3, \"e\\\";f\");\n"},
	    {"V5__lone_cr.sql", "CREATE TABLE log5 (n int);\rINSERT INTO log5 VALUES (1); -- c\r"
	                        "INSERT INTO log5 VALUES (2);\rINSERT INTO log5 VALUES (3);\n"
	                        "INSERT INTO log5 VALUES (4);\n"},
	};
	static const struct myconf_set set = {"cases", NULL, NULL, 0};
	struct myconf *t = myconf_state(state);
	char mig[1024], rel[300];
	char *got;
	size_t i;

	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		snprintf(rel, sizeof(rel), "cases/%s", files[i][0]);
		myconf_write_bytes(t, rel, files[i][1], strlen(files[i][1]));
	}
	snprintf(mig, sizeof(mig), "%s/cases", t->dir);
	myconf_check_dir(t, &set, mig);
	got = dbm_mydump_query(t->base, t->a, "SELECT s FROM log1 ORDER BY n");
	assert_string_equal(got, "a*/;'b\n*/\n");
	free(got);
	got = dbm_mydump_query(t->base, t->a, "SELECT COUNT(*) FROM log2");
	assert_string_equal(got, "4\n");
	free(got);
	got = dbm_mydump_query(t->base, t->a,
	                       "SELECT GROUP_CONCAT(s ORDER BY n SEPARATOR '|') "
	                       "FROM log6");
	assert_string_equal(got, "a\\\\|c';d|e\";f|h\n");
	free(got);
	got = dbm_mydump_query(t->base, t->a, "SELECT GROUP_CONCAT(n ORDER BY n) FROM log5");
	assert_string_equal(got, "1,4\n");
	free(got);
}

/*
 * What the client would not send as SQL is refused before anything runs
 * (exit 2, naming the line): its own commands (\g, \c ...) and a NUL byte,
 * which the client refuses and dbmigrate used to store.
 */
static void test_mysql_conformance__client_commands_and_nul_are_refused(void **state)
{
	static const char *const cases[][2] = {
	    {"INSERT INTO refused VALUES (1) \\g\n", ":2: error: client command '\\g'"},
	    {"\\c\nINSERT INTO refused VALUES (1);\n", ":2: error: client command '\\c'"},
	    {"INSERT INTO refused VALUES ('a\0b');\n", ":2: error: NUL byte (0x00) at byte "
	                                               "offset 65"},
	};
	struct myconf *t = myconf_state(state);
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		static const char head[] = "CREATE TABLE refused (s longtext);\n";
		struct dbm_test_result r;
		const char *argv[8];
		char rel[64], m[1100], text[256];
		size_t n = strlen(cases[i][0]);
		char *got;
		int ok;

		if (i == 2)
			n = 36; /* the NUL and what follows it */
		snprintf(rel, sizeof(rel), "refused%zu/V1__x.sql", i);
		memcpy(text, head, sizeof(head) - 1);
		memcpy(text + sizeof(head) - 1, cases[i][0], n);
		myconf_write_bytes(t, rel, text, sizeof(head) - 1 + n);
		snprintf(m, sizeof(m), "%s/refused%zu", t->dir, i);
		argv[0] = "migrate";
		argv[1] = "--url";
		argv[2] = t->url_a;
		argv[3] = "--migrations";
		argv[4] = m;
		argv[5] = NULL;
		dbm_test_run(t->dir, NULL, argv, &r);
		ok = r.status == 2 && dbm_test_contains(r.err, cases[i][1]);
		if (!ok)
			print_error("dbmigrate exited %d:\n%s%s", r.status, r.out, r.err);
		dbm_test_result_free(&r);
		if (!ok)
			fail_msg("expected exit 2 with '%s'", cases[i][1]);
		got = dbm_mydump_query(t->base, t->a,
		                       "SELECT COUNT(*) FROM information_schema.tables WHERE "
		                       "table_schema = DATABASE() AND table_name = 'refused'");
		assert_string_equal(got, "0\n");
		free(got);
	}
}

#define MYCONF_TEST(f) cmocka_unit_test_setup_teardown(f, myconf_setup, myconf_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
	    MYCONF_TEST(test_mysql_conformance__realworld_forum),
	    MYCONF_TEST(test_mysql_conformance__docs_example),
	    MYCONF_TEST(test_mysql_conformance__portable_sample),
	    MYCONF_TEST(test_mysql_conformance__dumps),
	    MYCONF_TEST(test_mysql_conformance__routines),
	    MYCONF_TEST(test_mysql_conformance__application_schema),
	    MYCONF_TEST(test_mysql_conformance__thirty_two_files),
	    MYCONF_TEST(test_mysql_conformance__crlf_file_matches_the_client),
	    MYCONF_TEST(test_mysql_conformance__session_settings_do_not_leak_between_files),
	    MYCONF_TEST(test_mysql_conformance__files_split_as_the_client_splits_them),
	    MYCONF_TEST(test_mysql_conformance__client_commands_and_nul_are_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
