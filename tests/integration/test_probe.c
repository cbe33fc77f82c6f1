/*
 * test_probe.c - small migration sets, each reproducing a place where
 * dbmigrate once split a file differently from the database's own client,
 * checked end to end against that client.
 *
 * tests/fixtures/probe/pg/ and tests/fixtures/probe/mysql/ each hold one
 * set of V<n>__*.sql files that the client applies cleanly. dbmigrate
 * migrates database A; the client (psql -v ON_ERROR_STOP=1 -f, or
 * mariadb db < file with its default options, comments dropped) runs the
 * same files one by one, in version order, into database B; the schema
 * dumps of A (without the history table) and B must be equal.
 *
 * The servers come from DBM_TEST_PG_URL and DBM_TEST_MYSQL_URL; without
 * them the tests are skipped, or fail when DBM_TEST_REQUIRE_SERVERS=1.
 */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include <cmocka.h>

#include "dbtest.h"
#include "mydump.h"
#include "pgdump.h"
#include "testutil.h"

#define PROBE_MAX_FILES 64

/* The V<n>__*.sql files of a set, sorted by n. */
struct probe_files {
	char *name[PROBE_MAX_FILES];
	unsigned long version[PROBE_MAX_FILES];
	size_t n;
};

static void probe_files_free(struct probe_files *f)
{
	size_t i;

	for (i = 0; i < f->n; i++)
		free(f->name[i]);
	f->n = 0;
}

/* Lists dir's V<n>__*.sql files into f in version order; fails the test on none. */
static void probe_list(const char *dir, struct probe_files *f)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	size_t i, j;

	assert_non_null(d);
	f->n = 0;
	while ((e = readdir(d)) != NULL) {
		size_t len = strlen(e->d_name);

		if (e->d_name[0] != 'V' || len < 5 || strcmp(e->d_name + len - 4, ".sql") != 0)
			continue;
		assert_true(f->n < PROBE_MAX_FILES);
		f->name[f->n] = strdup(e->d_name);
		assert_non_null(f->name[f->n]);
		f->version[f->n] = strtoul(e->d_name + 1, NULL, 10);
		f->n++;
	}
	closedir(d);
	assert_true(f->n > 0);
	for (i = 1; i < f->n; i++) {
		for (j = i; j > 0 && f->version[j - 1] > f->version[j]; j--) {
			char *tn = f->name[j];
			unsigned long tv = f->version[j];

			f->name[j] = f->name[j - 1];
			f->version[j] = f->version[j - 1];
			f->name[j - 1] = tn;
			f->version[j - 1] = tv;
		}
	}
}

/*
 * Frees a and b (dumps of what dbmigrate and the client made) and fails the
 * test, showing the first line where they differ, unless they are equal.
 */
static void probe_assert_same(const char *what, char *a, char *b)
{
	int same = strcmp(a, b) == 0;

	if (!same) {
		const char *x = a, *y = b;
		unsigned line = 1;

		while (*x && *x == *y) {
			if (*x == '\n')
				line++;
			x++;
			y++;
		}
		while (x > a && x[-1] != '\n') {
			x--;
			y--;
		}
		print_message("%s differ at line %u:\n  dbmigrate: %.*s\n  client:    %.*s\n", what,
		              line, (int)strcspn(x, "\n"), x, (int)strcspn(y, "\n"), y);
	}
	free(a);
	free(b);
	assert_true(same);
}

/* Runs dbmigrate migrate on url with the set in dir; fails the test unless it exits 0. */
static void probe_migrate(struct dbm_testdb *t, const char *url, const char *dir)
{
	const char *argv[] = {"--url", url, "--migrations", dir, "migrate", NULL};
	struct dbm_test_result r;

	dbm_test_run(t->dir, NULL, argv, &r);
	if (r.status != 0)
		print_message("dbmigrate exited %d:\n%s%s", r.status, r.out, r.err);
	assert_int_equal(r.status, 0);
	dbm_test_result_free(&r);
}

static void test_probe__pg_set_matches_psql(void **state)
{
	struct dbm_testdb *t = dbm_testdb_state(state, "DBM_TEST_PG_URL");
	struct probe_files f;
	char dir[2048], path[4096];
	char *a, *b;
	size_t i;
	int x;

	if (!dbm_pgdump_available())
		fail_msg("pg_dump and psql are needed: set DBM_TEST_PGBIN");
	snprintf(dir, sizeof(dir), "%s/probe/pg", DBM_TEST_FIXTURES);
	x = dbm_testdb_add(t, "client");
	probe_migrate(t, t->url, dir);
	probe_list(dir, &f);
	for (i = 0; i < f.n; i++) {
		char *out = NULL;
		int rc;

		snprintf(path, sizeof(path), "%s/%s", dir, f.name[i]);
		rc = dbm_pgdump_psql_file(t->extra_url[x], path, &out);
		if (rc != 0)
			print_message("psql failed on %s:\n%s", f.name[i], out ? out : "");
		free(out);
		if (rc != 0)
			probe_files_free(&f);
		assert_int_equal(rc, 0);
	}
	probe_files_free(&f);
	a = dbm_pgdump_schema(t->url, "schema_history", 0);
	b = dbm_pgdump_schema(t->extra_url[x], NULL, 0);
	probe_assert_same("schemas after migrate (dbmigrate, psql)", a, b);
}

/*
 * Feeds file to the mariadb client with its default options (comments are
 * dropped, as users run it) on database db of server (a
 * "mysql://user:password@host:port/" URL). Returns the client's exit code.
 * The password goes through MYSQL_PWD.
 */
static int probe_mariadb_file(const char *server, const char *db, const char *file)
{
	char user[256] = "", pw[256] = "", host[256] = "", port[16] = "3306";
	const char *p = strstr(server, "://");
	const char *at, *colon, *end;
	char cmd[8192];
	int st;

	assert_non_null(p);
	p += 3;
	at = strrchr(p, '@');
	assert_non_null(at);
	colon = memchr(p, ':', (size_t)(at - p));
	snprintf(user, sizeof(user), "%.*s", (int)((colon ? colon : at) - p), p);
	if (colon)
		snprintf(pw, sizeof(pw), "%.*s", (int)(at - colon - 1), colon + 1);
	p = at + 1;
	end = strchr(p, '/');
	if (!end)
		end = p + strlen(p);
	colon = memchr(p, ':', (size_t)(end - p));
	snprintf(host, sizeof(host), "%.*s", (int)((colon ? colon : end) - p), p);
	if (colon)
		snprintf(port, sizeof(port), "%.*s", (int)(end - colon - 1), colon + 1);
	setenv("MYSQL_PWD", pw, 1);
	snprintf(cmd, sizeof(cmd),
	         "mariadb --no-defaults --default-character-set=utf8mb4 -h '%s' -P '%s' -u '%s' "
	         "'%s' < '%s' 2>&1",
	         host, port, user, db, file);
	st = system(cmd);
	unsetenv("MYSQL_PWD");
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128;
}

static void test_probe__mysql_set_matches_mariadb_client(void **state)
{
	struct dbm_testdb *t = dbm_testdb_state(state, "DBM_TEST_MYSQL_URL");
	struct probe_files f;
	char dir[2048], path[4096];
	char *a, *b;
	size_t i;
	int x;

	if (!dbm_mydump_available())
		fail_msg("the mariadb and mariadb-dump clients are needed");
	snprintf(dir, sizeof(dir), "%s/probe/mysql", DBM_TEST_FIXTURES);
	x = dbm_testdb_add(t, "client");
	probe_migrate(t, t->url, dir);
	probe_list(dir, &f);
	for (i = 0; i < f.n; i++) {
		int rc;

		snprintf(path, sizeof(path), "%s/%s", dir, f.name[i]);
		rc = probe_mariadb_file(t->server, t->extra_name[x], path);
		if (rc != 0) {
			print_message("the mariadb client failed on %s\n", f.name[i]);
			probe_files_free(&f);
		}
		assert_int_equal(rc, 0);
	}
	probe_files_free(&f);
	a = dbm_mydump_schema(t->server, t->name, "schema_history");
	b = dbm_mydump_schema(t->server, t->extra_name[x], NULL);
	probe_assert_same("schemas after migrate (dbmigrate, mariadb)", a, b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_probe__pg_set_matches_psql, dbm_testdb_setup_pgsql,
	                                    dbm_testdb_teardown),
	    cmocka_unit_test_setup_teardown(test_probe__mysql_set_matches_mariadb_client,
	                                    dbm_testdb_setup_mysql, dbm_testdb_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
