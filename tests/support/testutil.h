/*
 * testutil.h - helpers shared by the test executables: temporary folders,
 * writing files, running the dbmigrate binary and capturing what it prints.
 */
#ifndef DBM_TESTUTIL_H
#define DBM_TESTUTIL_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

/* A new empty folder under $TMPDIR (or /tmp); aborts the test on failure. Caller frees. */
char *dbm_test_tmpdir(void);
/*
 * A test that works in a fresh temporary folder: dbm_test_enter_tmpdir
 * makes one (dbm_test_tmpdir), changes into it and clears the last error;
 * dbm_test_leave_tmpdir changes back, removes the folder and frees t's
 * strings. Both return 0 or -1, as a cmocka setup does.
 * dbm_test_tmpdir_setup and dbm_test_tmpdir_teardown are the cmocka setup
 * and teardown of a test that needs nothing more (*state holds the struct).
 */
struct dbm_test_cwd {
	char *dir;    /* the temporary folder, the working directory */
	char *oldcwd; /* the working directory before */
};
int dbm_test_enter_tmpdir(struct dbm_test_cwd *t);
int dbm_test_leave_tmpdir(struct dbm_test_cwd *t);
int dbm_test_tmpdir_setup(void **state);
int dbm_test_tmpdir_teardown(void **state);
/* Removes a folder and everything in it (rm -rf); ignores errors. */
void dbm_test_rmtree(const char *dir);
/* Writes content to dir/rel, creating parent folders. Aborts on failure. */
void dbm_test_write(const char *dir, const char *rel, const char *content);
/* Writes dir/migrations/V<i>__step_<i>.sql, "CREATE TABLE t<i> (id INT);", for i in 1..n. */
void dbm_test_write_steps(const char *dir, int n);
/* The content of a file (caller frees), NULL when it cannot be read. */
char *dbm_test_read(const char *path);

struct dbm_test_result {
	int status; /* exit code, or 128+signal when killed */
	char *out;  /* everything written to stdout, NUL-terminated */
	char *err;  /* everything written to stderr */
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
/* dbm_test_run with argv given as the arguments (const char *, NULL-terminated, at most 31). */
void dbm_test_runl(const char *cwd, struct dbm_test_result *r, ...);
/* The same with the arguments in ap, and the extra environment env (may be NULL). */
void dbm_test_vrunl(const char *cwd, const char *const *env, struct dbm_test_result *r, va_list ap);
int dbm_test_spawn(const char *cwd, const char *const *env, const char *const *argv,
                   const char *out_path, const char *err_path);
/* Waits for pid and returns its exit code (128+signal when killed). */
int dbm_test_wait(int pid);
void dbm_test_result_free(struct dbm_test_result *r);

/*
 * Fails the test unless r ended with status and its stderr holds every
 * needle (const char *, NULL-terminated), showing what it printed.
 */
void dbm_test_expect(const struct dbm_test_result *r, int status, ...);
/* The same for stdout: r ended with status and its stdout holds every needle. */
void dbm_test_expect_out(const struct dbm_test_result *r, int status, ...);

/*
 * Runs the binary with argv in cwd and interrupts it: once ready(ctx)
 * returns (it waits until the run reached what is to be interrupted, and
 * fails the test when it never does), sends sig and waits for the exit.
 * Fills r as dbm_test_run does; returns the seconds from the signal to the
 * exit.
 */
double dbm_test_run_signalled(const char *cwd, const char *const *argv, int sig,
                              void (*ready)(void *ctx), void *ctx, struct dbm_test_result *r);

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
 * For a part of a case that uses a server when one is there: the URL in
 * environment variable name, or NULL when it is unset, in which case the
 * case goes on without that part but counts as skipped (the executable
 * then reports a skip to CTest). Fails the test when it is unset and
 * DBM_TEST_REQUIRE_SERVERS=1.
 */
const char *dbm_test_server_url_part(const char *name);

/*
 * Adds the "NAME=value" lines of the file that environment variable var
 * names (a CTest fixture's output, such as tests/servers/pgfront.sh's env
 * file) to the environment, leaving variables already set alone. Does
 * nothing when var is unset or the file is missing.
 */
void dbm_test_load_env_file(const char *var);

/*
 * For a case that needs the Galera cluster (DBM_TEST_GALERA_URLS) when it
 * is not there: fails the test when DBM_TEST_GALERA=1 asked for it, else
 * skips it.
 */
void dbm_test_galera_skip(void);

/*
 * Makes the following dbmigrate runs of this case run as an unprivileged
 * user when the tests run as root, who reads and writes any file whatever
 * its mode, so that permission tests test something: "nobody" (or
 * DBM_TEST_USER), with dir and everything in it given to that user. Does
 * nothing when not root. Fails the test when there is no such user. The
 * runs are as root again after dbm_test_privileged() (the project
 * fixture's teardown calls it).
 */
void dbm_test_unprivileged(const char *dir);
/* Runs the binary as the tests' own user again. */
void dbm_test_privileged(void);

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

/*
 * Skipped cases reach CTest. cmocka prints "[  SKIPPED ]" but counts a
 * skipped case as passed: its group runner returns the number of failures
 * only, so a suite whose server was missing looked green. Every test
 * file includes this header (tests/CMakeLists.txt checks it), which routes
 * skip() through dbm_test_skip() to count the skips and the group runners
 * through dbm_test_exit_status(). An
 * executable then exits 1 when a case failed, DBM_TEST_SKIP_STATUS when
 * none failed but any case was skipped (CTest's SKIP_RETURN_CODE: the test
 * shows as "Skipped", never as passed), else 0.
 */
#define DBM_TEST_SKIP_STATUS 77

/* Counts one skipped case, then skips it the way cmocka's skip() does. */
void dbm_test_skip(const char *file, int line);
/*
 * The exit status of a test executable from cmocka's number of failed
 * cases: 1 when failed > 0, DBM_TEST_SKIP_STATUS when a case was skipped
 * (and a line on stderr says how many), else 0.
 */
int dbm_test_exit_status(int failed);
/* The number of cases skipped so far in this process. */
int dbm_test_skipped(void);

#undef skip
#define skip() dbm_test_skip(__FILE__, __LINE__)
#undef cmocka_run_group_tests
#define cmocka_run_group_tests(group_tests, group_setup, group_teardown)                           \
	dbm_test_exit_status(_cmocka_run_group_tests(                                              \
	    #group_tests, group_tests, sizeof(group_tests) / sizeof((group_tests)[0]),             \
	    group_setup, group_teardown))
#undef cmocka_run_group_tests_name
#define cmocka_run_group_tests_name(group_name, group_tests, group_setup, group_teardown)          \
	dbm_test_exit_status(_cmocka_run_group_tests(                                              \
	    group_name, group_tests, sizeof(group_tests) / sizeof((group_tests)[0]), group_setup,  \
	    group_teardown))

#endif /* DBM_TESTUTIL_H */
