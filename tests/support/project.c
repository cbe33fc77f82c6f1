/*
 * project.c - see project.h. A project folder on SQLite for the cli and
 * integration tests.
 *
 * Failing a test makes cmocka jump out of the function, so the functions
 * here release what they hold before they call fail_msg, with the message
 * copied into a static buffer first so it outlives the SQLite handle.
 */
#define _DEFAULT_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "project.h"

/* The text of the last failure, kept until cmocka prints it. */
static char project_msg[16384];

struct dbm_test_project *dbm_test_project_new(void)
{
	struct dbm_test_project *p = calloc(1, sizeof(*p));

	assert_non_null(p);
	p->dir = dbm_test_tmpdir();
	return p;
}

void dbm_test_project_free(struct dbm_test_project *p)
{
	dbm_test_privileged();
	if (!p)
		return;
	chmod(p->dir, 0755);
	dbm_test_rmtree(p->dir);
	free(p->dir);
	free(p);
}

int dbm_test_project_setup(void **state)
{
	*state = dbm_test_project_new();
	return 0;
}

int dbm_test_project_teardown(void **state)
{
	dbm_test_project_free(*state);
	*state = NULL;
	return 0;
}

void dbm_test_project_vrun(const struct dbm_test_project *p, struct dbm_test_result *r, va_list ap)
{
	dbm_test_vrunl(p->dir, NULL, r, ap);
}

void dbm_test_project_run(const struct dbm_test_project *p, struct dbm_test_result *r, ...)
{
	va_list ap;

	va_start(ap, r);
	dbm_test_project_vrun(p, r, ap);
	va_end(ap);
}

void dbm_test_project_expect(const struct dbm_test_project *p, int status, ...)
{
	struct dbm_test_result r;
	va_list ap;

	va_start(ap, status);
	dbm_test_project_vrun(p, &r, ap);
	va_end(ap);
	dbm_test_expect(&r, status, NULL);
	dbm_test_result_free(&r);
}

/* Opens p's dbmigrate.db with flags into *db; 0, or -1 with the reason in project_msg. */
static int project_open(const struct dbm_test_project *p, int flags, sqlite3 **db)
{
	char path[4096];

	snprintf(path, sizeof(path), "%s/dbmigrate.db", p->dir);
	if (sqlite3_open_v2(path, db, flags, NULL) == SQLITE_OK)
		return 0;
	snprintf(project_msg, sizeof(project_msg), "cannot open %s: %s", path, sqlite3_errmsg(*db));
	sqlite3_close(*db);
	return -1;
}

void dbm_test_project_exec(const struct dbm_test_project *p, const char *sql)
{
	sqlite3 *db;
	char *err = NULL;

	if (project_open(p, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, &db) != 0)
		fail_msg("%s", project_msg);
	if (sqlite3_exec(db, sql, NULL, NULL, &err) != SQLITE_OK) {
		snprintf(project_msg, sizeof(project_msg), "%s: %s", sql, err);
		sqlite3_free(err);
		sqlite3_close(db);
		fail_msg("%s", project_msg);
	}
	sqlite3_close(db);
}

/* Appends s to the NUL-terminated *out of *len bytes, growing it; aborts when memory runs out. */
static void project_add(char **out, size_t *len, const char *s)
{
	size_t n = strlen(s);
	char *grown = realloc(*out, *len + n + 1);

	assert_non_null(grown);
	memcpy(grown + *len, s, n + 1);
	*out = grown;
	*len += n;
}

char *dbm_test_project_rows(const struct dbm_test_project *p, const char *sql)
{
	sqlite3 *db;
	sqlite3_stmt *st;
	char *out = calloc(1, 1);
	size_t len = 0;

	assert_non_null(out);
	if (project_open(p, SQLITE_OPEN_READONLY, &db) != 0) {
		free(out);
		fail_msg("%s", project_msg);
		return NULL; /* fail_msg does not return; the analyzer does not know it */
	}
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
		snprintf(project_msg, sizeof(project_msg), "%s: %s", sql, sqlite3_errmsg(db));
		sqlite3_close(db);
		free(out);
		fail_msg("%s", project_msg);
		return NULL; /* fail_msg does not return; the analyzer does not know it */
	}
	while (sqlite3_step(st) == SQLITE_ROW) {
		int i;

		for (i = 0; i < sqlite3_column_count(st); i++) {
			const char *v = (const char *)sqlite3_column_text(st, i);

			if (i)
				project_add(&out, &len, "|");
			project_add(&out, &len, v ? v : "NULL");
		}
		project_add(&out, &len, "\n");
	}
	sqlite3_finalize(st);
	sqlite3_close(db);
	return out;
}

void dbm_test_project_assert_rows(const struct dbm_test_project *p, const char *sql,
                                  const char *want)
{
	char *got = dbm_test_project_rows(p, sql);

	if (strcmp(got, want) != 0) {
		snprintf(project_msg, sizeof(project_msg), "query %s\n got: %s\nwant: %s", sql, got,
		         want);
		free(got);
		fail_msg("%s", project_msg);
		return; /* fail_msg does not return; the analyzer does not know it */
	}
	free(got);
}
