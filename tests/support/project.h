/*
 * project.h - a dbmigrate project in a temporary folder on the embedded
 * SQLite default, as the cli tests use it: make the folder, run the binary
 * in it with the arguments as varargs, and read or change the project's
 * dbmigrate.db directly through SQLite, rows as "a|b\n" text.
 *
 * The cli and integration tests call it; it links SQLite, so it lives in
 * the dbm_testdb library that the unit tests never link.
 */
#ifndef DBM_PROJECT_H
#define DBM_PROJECT_H

#include <stdarg.h>

#include "testutil.h"

/* One test's project; made by dbm_test_project_new, removed by dbm_test_project_free. */
struct dbm_test_project {
	char *dir; /* a new empty folder: the cwd of every run; its database is dir/dbmigrate.db */
};

/* A project in a new empty folder; aborts the test on failure. Free with dbm_test_project_free. */
struct dbm_test_project *dbm_test_project_new(void);
/* Removes p's folder with everything in it (made readable first) and frees p; p may be NULL. */
void dbm_test_project_free(struct dbm_test_project *p);

/* cmocka fixtures: *state becomes dbm_test_project_new() / is freed. Both return 0. */
int dbm_test_project_setup(void **state);
int dbm_test_project_teardown(void **state);

/*
 * Runs dbmigrate in p's folder with the arguments (const char *, up to 31,
 * NULL-terminated) and no extra environment; fills r (free it with
 * dbm_test_result_free).
 */
void dbm_test_project_run(const struct dbm_test_project *p, struct dbm_test_result *r, ...);
/*
 * Runs dbmigrate in p's folder with the arguments (NULL-terminated) and
 * fails the test, showing what it printed, unless it exits with status.
 */
void dbm_test_project_expect(const struct dbm_test_project *p, int status, ...);
/* dbm_test_project_run with the arguments in ap. */
void dbm_test_project_vrun(const struct dbm_test_project *p, struct dbm_test_result *r, va_list ap);

/* Runs sql (one or more statements) on p's dbmigrate.db, creating it; fails the test on error. */
void dbm_test_project_exec(const struct dbm_test_project *p, const char *sql);
/*
 * The rows of sql on p's dbmigrate.db (opened read-only) as text: values
 * separated by '|', SQL NULL as "NULL", '\n' after each row; "" for none.
 * Caller frees with free(). Fails the test when the database cannot be
 * opened or sql cannot be prepared.
 */
char *dbm_test_project_rows(const struct dbm_test_project *p, const char *sql);
/* Fails the test, naming sql, unless the rows of sql are exactly want. */
void dbm_test_project_assert_rows(const struct dbm_test_project *p, const char *sql,
                                  const char *want);

#endif /* DBM_PROJECT_H */
