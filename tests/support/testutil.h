/*
 * testutil.h - helpers shared by the test executables: temporary folders,
 * writing files, running the dbmigrate binary and capturing what it prints.
 */
#ifndef DBM_TESTUTIL_H
#define DBM_TESTUTIL_H

#include <stddef.h>

/* A new empty folder under $TMPDIR (or /tmp); aborts the test on failure. Caller frees. */
char *dbm_test_tmpdir(void);
/* Removes a folder and everything in it (rm -rf); ignores errors. */
void dbm_test_rmtree(const char *dir);
/* Writes content to dir/rel, creating parent folders. Aborts on failure. */
void dbm_test_write(const char *dir, const char *rel, const char *content);
/* Writes dir/migrations/V<i>__step_<i>.sql, "CREATE TABLE t<i> (id INT);", for i in 1..n. */
void dbm_test_write_steps(const char *dir, int n);
/* The content of a file (caller frees), NULL when it cannot be read. */
char *dbm_test_read(const char *path);

struct dbm_test_result {
	int status;   /* exit code, or 128+signal when killed */
	char *out;    /* everything written to stdout, NUL-terminated */
	char *err;    /* everything written to stderr */
};

/*
 * Runs the dbmigrate binary with argv (NULL-terminated, without the program
 * name) in folder cwd, with extra environment entries env ("K=V", NULL-
 * terminated, may be NULL) added to a clean environment (PATH, HOME, TMPDIR
 * and the DBM_TEST_* / sanitizer variables are kept; every DBMIGRATE_*,
 * DATABASE_URL, PG* and MYSQL_* variable is dropped unless given in env).
 * Fills r; free it with dbm_test_result_free. Aborts the test if it cannot run.
 */
void dbm_test_run(const char *cwd, const char *const *env, const char *const *argv,
		  struct dbm_test_result *r);
/* Like dbm_test_run but does not wait: returns the pid; collect with dbm_test_wait. */
int dbm_test_spawn(const char *cwd, const char *const *env, const char *const *argv,
		   const char *out_path, const char *err_path);
/* Waits for pid and returns its exit code (128+signal when killed). */
int dbm_test_wait(int pid);
void dbm_test_result_free(struct dbm_test_result *r);

/* 1 when haystack contains needle. */
int dbm_test_contains(const char *haystack, const char *needle);
/* Number of times needle occurs in haystack. */
int dbm_test_count(const char *haystack, const char *needle);

/*
 * The server URL from environment variable name, or NULL. When unset and
 * DBM_TEST_REQUIRE_SERVERS=1, fails the test; else the caller skips.
 */
const char *dbm_test_server_url(const char *name);

/*
 * The allocation-failure sweep of a unit test (DBM_FAILPOINTS builds). For
 * n = 1, 2, ... below limit it runs this test executable again as a child
 * ("name --oom-child", see dbm_test_oom_child) with DBM_FAIL_ALLOC=n, since
 * the failure point is read once per process. A child exits oom_status when
 * the n-th allocation failed cleanly and done_status when none failed (the
 * sweep is over); the sanitizer's leak check makes a leaking child exit
 * otherwise. Returns the first n whose child exited done_status, or limit
 * when none did; fails the test when a child exits with any other status
 * or is killed.
 */
int dbm_test_oom_sweep(const char *name, int limit, int oom_status, int done_status);
/* 1 when argv is that of a child started by dbm_test_oom_sweep, else 0. */
int dbm_test_oom_child(int argc, char **argv);

#endif /* DBM_TESTUTIL_H */
