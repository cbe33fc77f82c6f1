/*
 * test_sqlitefile.c - the SQLite database file as the binary treats it:
 * one runner lock per file whatever path reaches it, no file made by a
 * command that only reads, a device or folder refused before anything is
 * written beside it, and file names that are not UTF-8 in --json output.
 */
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>

#include "dbmigrate/common.h"
#include "project.h"
#include "testutil.h"

/* 1 when dir/rel exists (as anything, a dangling link too). */
static int exists(const char *dir, const char *rel)
{
	char path[4200];
	struct stat sb;

	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	return lstat(path, &sb) == 0;
}

/* Takes the runner lock the way a runner on dir/rel does; returns the descriptor. */
static int hold_lock(const char *dir, const char *rel)
{
	char path[4200];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	fd = open(path, O_RDWR | O_CREAT, 0644);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "pid 4242 on testhost, since now\n", 32), 32);
	assert_int_equal(flock(fd, LOCK_EX | LOCK_NB), 0);
	return fd;
}

/*
 * A runner that reaches the database through a symbolic link (to the file,
 * or to its folder) or another spelling of its path waits for the lock a
 * runner on the real path holds: the lock file is named from the real path.
 */
static void test_sqlitefile__every_path_to_one_file_shares_one_lock(void **state)
{
	struct dbm_test_project *p = *state;
	const char *urls[] = {"sqlite:link.db", "sqlite:./data/../data/real.db",
	                      "sqlite:dirlink/real.db", "sqlite:data//real.db"};
	struct dbm_test_result r;
	char target[4200];
	size_t i;
	int fd;

	dbm_test_write(p->dir, "migrations/V1__a.sql", "CREATE TABLE a (id INT);\n");
	dbm_test_write(p->dir, "data/.keep", "");
	dbm_test_project_expect(p, 0, "migrate", "--url", "sqlite:data/real.db", NULL);
	assert_true(exists(p->dir, "data/real.db.lock"));
	snprintf(target, sizeof(target), "%s/link.db", p->dir);
	assert_int_equal(symlink("data/real.db", target), 0);
	snprintf(target, sizeof(target), "%s/dirlink", p->dir);
	assert_int_equal(symlink("data", target), 0);
	dbm_test_write(p->dir, "migrations/V2__b.sql", "CREATE TABLE b (id INT);\n");

	fd = hold_lock(p->dir, "data/real.db.lock");
	for (i = 0; i < DBM_ARRAY_SIZE(urls); i++) {
		dbm_test_project_run(p, &r, "migrate", "--url", urls[i], "--lock-timeout", "1",
		                     NULL);
		if (r.status != 4)
			fail_msg("%s: exit %d, expected 4 (lock held)\n%s", urls[i], r.status,
			         r.err);
		assert_true(dbm_test_contains(r.err, "pid 4242 on testhost"));
		dbm_test_result_free(&r);
	}
	/* no lock file of its own beside the link */
	assert_false(exists(p->dir, "link.db.lock"));
	close(fd);
	dbm_test_project_run(p, &r, "migrate", "--url", "sqlite:link.db", NULL);
	assert_int_equal(r.status, 0);
	assert_true(dbm_test_contains(r.out, "Applied 1 migration"));
	dbm_test_result_free(&r);
}

/*
 * info, validate, info --json and migrate --dry-run on a database that does
 * not exist: they report an empty history and leave no file behind (no
 * database, no journal, no lock file); migrate then makes it.
 */
static void test_sqlitefile__read_only_commands_create_no_database(void **state)
{
	struct dbm_test_project *p = *state;
	const char *const cmds[][3] = {
	    {"info", NULL, NULL},
	    {"info", "--json", NULL},
	    {"validate", NULL, NULL},
	    {"migrate", "--dry-run", NULL},
	};
	struct dbm_test_result r;
	size_t i;

	dbm_test_write(p->dir, "migrations/V1__a.sql", "CREATE TABLE a (id INT);\n");
	for (i = 0; i < DBM_ARRAY_SIZE(cmds); i++) {
		dbm_test_project_run(p, &r, cmds[i][0], "--url", "sqlite:app.db", cmds[i][1], NULL);
		if (r.status != 0)
			fail_msg("%s %s: exit %d\n%s", cmds[i][0], cmds[i][1] ? cmds[i][1] : "",
			         r.status, r.err);
		if (strcmp(cmds[i][0], "info") == 0)
			assert_true(dbm_test_contains(r.out, "Pending") ||
			            dbm_test_contains(r.out, "\"pending\""));
		dbm_test_result_free(&r);
		assert_false(exists(p->dir, "app.db"));
		assert_false(exists(p->dir, "app.db-journal"));
		assert_false(exists(p->dir, "app.db.lock"));
	}
	dbm_test_project_expect(p, 0, "migrate", "--url", "sqlite:app.db", NULL);
	assert_true(exists(p->dir, "app.db"));
	dbm_test_project_run(p, &r, "info", "--url", "sqlite:app.db", NULL);
	assert_int_equal(r.status, 0);
	assert_true(dbm_test_contains(r.out, "Success"));
	dbm_test_result_free(&r);
}

/*
 * A URL naming a device or a folder is refused with exit 2 before anything
 * is written beside it (no journal or lock file next to /dev/null).
 */
static void test_sqlitefile__device_or_folder_is_refused(void **state)
{
	struct dbm_test_project *p = *state;
	const char *const urls[] = {"sqlite:/dev/null", "sqlite:///dev/zero", "sqlite:migrations"};
	const char *const cmds[] = {"info", "migrate"};
	struct dbm_test_result r;
	char want[256];
	size_t i, j;

	dbm_test_write(p->dir, "migrations/V1__a.sql", "CREATE TABLE a (id INT);\n");
	for (i = 0; i < DBM_ARRAY_SIZE(urls); i++) {
		for (j = 0; j < DBM_ARRAY_SIZE(cmds); j++) {
			dbm_test_project_run(p, &r, cmds[j], "--url", urls[i], NULL);
			const char *path = strchr(urls[i], ':') + 1;

			if (strncmp(path, "//", 2) == 0)
				path += 2; /* sqlite:///abs */
			snprintf(want, sizeof(want),
			         "dbmigrate: error: sqlite database '%s' is not a regular file\n",
			         path);
			if (r.status != 2 || !dbm_test_contains(r.err, want))
				fail_msg("%s %s: exit %d, expected 2 and \"%s\":\n%s", cmds[j],
				         urls[i], r.status, want, r.err);
			assert_true(dbm_test_contains(r.err, "hint: Point the sqlite URL at a "
			                                     "database file"));
			dbm_test_result_free(&r);
		}
	}
	assert_int_equal(access("/dev/null.lock", F_OK), -1);
	assert_int_equal(access("/dev/null-journal", F_OK), -1);
	assert_false(exists(p->dir, "migrations.lock"));
	assert_false(exists(p->dir, "migrations-journal"));
}

/* The string at key of obj, failing the test when it is missing or not a string. */
static const char *str_at(json_t *obj, const char *key)
{
	json_t *v = json_object_get(obj, key);

	if (!json_is_string(v))
		fail_msg("no string \"%s\" in %s", key, json_dumps(obj, JSON_COMPACT));
	return json_string_value(v);
}

/* Parses r->out as JSON, failing the test with the output when it is not. */
static json_t *parse_out(const struct dbm_test_result *r)
{
	json_error_t e;
	json_t *doc = json_loads(r->out, 0, &e);

	if (!doc)
		fail_msg("not JSON (%s):\n%s\n%s", e.text, r->out, r->err);
	return doc;
}

/*
 * File names that are not UTF-8 (a Latin-1 "é", a lone 0xFF) keep every
 * key and row in --json output: the text with U+FFFD for each bad byte,
 * and "<key>Escaped" with the exact bytes as \xNN; a name that is UTF-8
 * has no escaped key. Also in an error's "file".
 */
static void test_sqlitefile__json_keeps_names_that_are_not_utf8(void **state)
{
	struct dbm_test_project *p = *state;
	struct dbm_test_result r;
	json_t *doc, *list, *err;

	dbm_test_write(p->dir, "migrations/V1__caf\xe9.sql", "CREATE TABLE a (id INT);\n");
	dbm_test_write(p->dir, "migrations/V2__ok_\xc3\xa9.sql", "CREATE TABLE b (id INT);\n");
	dbm_test_write(p->dir, "migrations/V3__x\xff\\y.sql",
	               "CREATE TABLE c (id INT);\nNOT SQL;\n");

	dbm_test_project_run(p, &r, "migrate", "--json", NULL);
	assert_int_equal(r.status, 1);
	doc = parse_out(&r);
	err = json_object_get(doc, "error");
	assert_non_null(err);
	assert_string_equal(str_at(err, "file"), "migrations/V3__x\xef\xbf\xbd\\y.sql");
	assert_string_equal(str_at(err, "fileEscaped"), "migrations/V3__x\\xff\\\\y.sql");
	assert_int_equal(json_integer_value(json_object_get(err, "line")), 2);
	json_decref(doc);
	dbm_test_result_free(&r);

	dbm_test_project_run(p, &r, "info", "--json", NULL);
	assert_int_equal(r.status, 0);
	doc = parse_out(&r);
	list = json_object_get(doc, "migrations");
	assert_int_equal(json_array_size(list), 3);
	assert_string_equal(str_at(json_array_get(list, 0), "script"), "V1__caf\xef\xbf\xbd.sql");
	assert_string_equal(str_at(json_array_get(list, 0), "scriptEscaped"), "V1__caf\\xe9.sql");
	assert_string_equal(str_at(json_array_get(list, 0), "description"), "caf\xef\xbf\xbd");
	assert_string_equal(str_at(json_array_get(list, 0), "state"), "Success");
	assert_string_equal(str_at(json_array_get(list, 1), "script"), "V2__ok_\xc3\xa9.sql");
	assert_null(json_object_get(json_array_get(list, 1), "scriptEscaped"));
	assert_string_equal(str_at(json_array_get(list, 2), "filepathEscaped"),
	                    "migrations/V3__x\\xff\\\\y.sql");
	assert_string_equal(str_at(json_array_get(list, 2), "state"), "Pending");
	json_decref(doc);
	dbm_test_result_free(&r);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, dbm_test_project_setup, dbm_test_project_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
	    T(test_sqlitefile__every_path_to_one_file_shares_one_lock),
	    T(test_sqlitefile__read_only_commands_create_no_database),
	    T(test_sqlitefile__device_or_folder_is_refused),
	    T(test_sqlitefile__json_keeps_names_that_are_not_utf8),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
