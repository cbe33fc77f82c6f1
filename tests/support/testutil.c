/*
 * testutil.c - see testutil.h.
 */
#define _DEFAULT_SOURCE
#define _XOPEN_SOURCE 700 /* nftw */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <grp.h>
#include <pwd.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "dbmigrate/common.h"
#include "testutil.h"

extern char **environ;

static int dbm_test_nskipped;

/* The user the binary runs as (dbm_test_unprivileged), when run_as is set. */
static int testutil_run_as;
static uid_t testutil_uid;
static gid_t testutil_gid;

void dbm_test_skip(const char *file, int line)
{
	dbm_test_nskipped++;
	_skip(file, line);
}

int dbm_test_skipped(void)
{
	return dbm_test_nskipped;
}

int dbm_test_exit_status(int failed)
{
	if (failed > 0)
		return 1;
	if (dbm_test_nskipped > 0) {
		fprintf(stderr,
		        "%d skip%s (cases, or parts of cases): reported to CTest as skipped (exit "
		        "%d)\n",
		        dbm_test_nskipped, dbm_test_nskipped == 1 ? "" : "s", DBM_TEST_SKIP_STATUS);
		return DBM_TEST_SKIP_STATUS;
	}
	return 0;
}

char *dbm_test_tmpdir(void)
{
	const char *base = getenv("TMPDIR");
	char path[4096];
	char *d;

	snprintf(path, sizeof(path), "%s/dbmtest.XXXXXX", base && *base ? base : "/tmp");
	d = mkdtemp(path);
	if (!d) {
		fail_msg("mkdtemp: %s", strerror(errno));
		return NULL; /* fail_msg does not return; the analyzer does not know it */
	}
	return strdup(d);
}

int dbm_test_enter_tmpdir(struct dbm_test_cwd *t)
{
	t->oldcwd = getcwd(NULL, 0);
	t->dir = dbm_test_tmpdir();
	if (!t->oldcwd || chdir(t->dir) != 0) {
		free(t->oldcwd);
		free(t->dir);
		t->oldcwd = t->dir = NULL;
		return -1;
	}
	dbm_error_clear();
	return 0;
}

int dbm_test_leave_tmpdir(struct dbm_test_cwd *t)
{
	if (chdir(t->oldcwd) != 0)
		return -1;
	dbm_test_rmtree(t->dir);
	free(t->dir);
	free(t->oldcwd);
	t->oldcwd = t->dir = NULL;
	return 0;
}

int dbm_test_tmpdir_setup(void **state)
{
	struct dbm_test_cwd *t = calloc(1, sizeof(*t));

	if (!t || dbm_test_enter_tmpdir(t) != 0) {
		free(t);
		return -1;
	}
	*state = t;
	return 0;
}

int dbm_test_tmpdir_teardown(void **state)
{
	struct dbm_test_cwd *t = *state;
	int r = dbm_test_leave_tmpdir(t);

	free(t);
	return r;
}

void dbm_test_rmtree(const char *dir)
{
	pid_t pid;
	int st;

	if (!dir || !*dir || strcmp(dir, "/") == 0)
		return;
	pid = fork();
	if (pid == 0) {
		execlp("rm", "rm", "-rf", dir, (char *)NULL);
		_exit(127);
	}
	if (pid > 0)
		waitpid(pid, &st, 0);
}

static void testutil_mkdirs(char *path)
{
	char *p;

	for (p = path + 1; *p; p++) {
		if (*p == '/') {
			*p = '\0';
			mkdir(path, 0755);
			*p = '/';
		}
	}
}

void dbm_test_write(const char *dir, const char *rel, const char *content)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	testutil_mkdirs(path);
	f = fopen(path, "wb");
	if (!f)
		fail_msg("cannot write %s: %s", path, strerror(errno));
	fwrite(content, 1, strlen(content), f);
	fclose(f);
}

void dbm_test_write_steps(const char *dir, int n)
{
	char name[64], body[64];
	int i;

	for (i = 1; i <= n; i++) {
		snprintf(name, sizeof(name), "migrations/V%d__step_%d.sql", i, i);
		snprintf(body, sizeof(body), "CREATE TABLE t%d (id INT);\n", i);
		dbm_test_write(dir, name, body);
	}
}

char *dbm_test_read(const char *path)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t len = 0, cap = 0, n;

	if (!f)
		return NULL;
	do {
		if (cap - len < 4096) {
			cap = cap ? cap * 2 : 8192;
			buf = realloc(buf, cap);
			assert_non_null(buf);
		}
		n = fread(buf + len, 1, cap - len - 1, f);
		len += n;
	} while (n > 0);
	fclose(f);
	buf[len] = '\0';
	return buf;
}

static int testutil_keep_env(const char *kv)
{
	static const char *const drop[] = {"DBMIGRATE_", "DATABASE_URL=", "PG",
	                                   "MYSQL_",     "FLYWAY_",       NULL};
	size_t i;

	for (i = 0; drop[i]; i++)
		if (strncmp(kv, drop[i], strlen(drop[i])) == 0)
			return 0;
	return 1;
}

static char **testutil_build_env(const char *const *extra)
{
	size_t n = 0, m = 0, i;
	char **env;

	while (environ[n])
		n++;
	while (extra && extra[m])
		m++;
	env = calloc(n + m + 1, sizeof(*env));
	assert_non_null(env);
	m = 0;
	for (i = 0; environ[i]; i++)
		if (testutil_keep_env(environ[i]))
			env[m++] = environ[i];
	for (i = 0; extra && extra[i]; i++)
		env[m++] = (char *)extra[i];
	env[m] = NULL;
	return env;
}

int dbm_test_spawn(const char *cwd, const char *const *env, const char *const *argv,
                   const char *out_path, const char *err_path)
{
	size_t n = 0, i;
	char **args;
	char **envv;
	pid_t pid;

	while (argv[n])
		n++;
	args = calloc(n + 2, sizeof(*args));
	assert_non_null(args);
	args[0] = (char *)DBM_TEST_BINARY;
	for (i = 0; i < n; i++)
		args[i + 1] = (char *)argv[i];
	envv = testutil_build_env(env);
	fflush(NULL);
	pid = fork();
	if (pid < 0)
		fail_msg("fork: %s", strerror(errno));
	if (pid == 0) {
		int fd0 = open("/dev/null", O_RDONLY);
		int fd1 = open(out_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		int fd2 = open(err_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);

		if (fd0 < 0 || fd1 < 0 || fd2 < 0)
			_exit(126);
		if (testutil_run_as && (setgroups(0, NULL) != 0 || setgid(testutil_gid) != 0 ||
		                        setuid(testutil_uid) != 0))
			_exit(126);
		if (cwd && chdir(cwd) != 0)
			_exit(126);
		dup2(fd0, 0);
		dup2(fd1, 1);
		dup2(fd2, 2);
		execve(args[0], args, envv);
		_exit(127);
	}
	free(args);
	free(envv);
	return (int)pid;
}

int dbm_test_wait(int pid)
{
	int st;

	while (waitpid((pid_t)pid, &st, 0) < 0)
		if (errno != EINTR)
			fail_msg("waitpid: %s", strerror(errno));
	if (WIFEXITED(st))
		return WEXITSTATUS(st);
	return 128 + WTERMSIG(st);
}

void dbm_test_vrunl(const char *cwd, const char *const *env, struct dbm_test_result *r, va_list ap)
{
	const char *argv[32];
	int n = 0;

	while (n < 31 && (argv[n] = va_arg(ap, const char *)) != NULL)
		n++;
	argv[n] = NULL;
	dbm_test_run(cwd, env, argv, r);
}

void dbm_test_runl(const char *cwd, struct dbm_test_result *r, ...)
{
	va_list ap;

	va_start(ap, r);
	dbm_test_vrunl(cwd, NULL, r, ap);
	va_end(ap);
}

void dbm_test_expect(const struct dbm_test_result *r, int status, ...)
{
	const char *needle;
	va_list ap;

	if (r->status != status)
		fail_msg("exit %d, expected %d; stderr:\n%s\nstdout:\n%s", r->status, status,
		         r->err, r->out);
	va_start(ap, status);
	while ((needle = va_arg(ap, const char *)) != NULL)
		if (!dbm_test_contains(r->err, needle)) {
			va_end(ap);
			fail_msg("stderr lacks '%s':\n%s", needle, r->err);
			return; /* fail_msg does not return; the analyzer does not know it */
		}
	va_end(ap);
}

void dbm_test_expect_out(const struct dbm_test_result *r, int status, ...)
{
	const char *needle;
	va_list ap;

	if (r->status != status)
		fail_msg("exit %d, expected %d; stdout:\n%s\nstderr:\n%s", r->status, status,
		         r->out, r->err);
	va_start(ap, status);
	while ((needle = va_arg(ap, const char *)) != NULL)
		if (!dbm_test_contains(r->out, needle)) {
			va_end(ap);
			fail_msg("stdout lacks '%s':\n%s", needle, r->out);
			return; /* fail_msg does not return; the analyzer does not know it */
		}
	va_end(ap);
}

/* Seconds on a monotonic clock. */
static double testutil_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/*
 * dbm_test_run and dbm_test_run_signalled: with ready given, waits for it,
 * then sends sig. Returns the seconds from the signal to the exit (0
 * without one).
 */
static double testutil_run(const char *cwd, const char *const *env, const char *const *argv,
                           int sig, void (*ready)(void *ctx), void *ctx, struct dbm_test_result *r)
{
	char *tmp = dbm_test_tmpdir();
	char out_path[4200], err_path[4200];
	double t0 = 0;
	int pid;

	snprintf(out_path, sizeof(out_path), "%s/stdout", tmp);
	snprintf(err_path, sizeof(err_path), "%s/stderr", tmp);
	pid = dbm_test_spawn(cwd, env, argv, out_path, err_path);
	if (ready) {
		ready(ctx);
		t0 = testutil_now();
		kill((pid_t)pid, sig);
	}
	r->status = dbm_test_wait(pid);
	if (ready)
		t0 = testutil_now() - t0;
	r->out = dbm_test_read(out_path);
	r->err = dbm_test_read(err_path);
	if (!r->out)
		r->out = strdup("");
	if (!r->err)
		r->err = strdup("");
	dbm_test_rmtree(tmp);
	free(tmp);
	return t0;
}

void dbm_test_run(const char *cwd, const char *const *env, const char *const *argv,
                  struct dbm_test_result *r)
{
	testutil_run(cwd, env, argv, 0, NULL, NULL, r);
}

double dbm_test_run_signalled(const char *cwd, const char *const *argv, int sig,
                              void (*ready)(void *ctx), void *ctx, struct dbm_test_result *r)
{
	return testutil_run(cwd, NULL, argv, sig, ready, ctx, r);
}

void dbm_test_result_free(struct dbm_test_result *r)
{
	free(r->out);
	free(r->err);
	r->out = r->err = NULL;
}

int dbm_test_contains(const char *haystack, const char *needle)
{
	return haystack && strstr(haystack, needle) != NULL;
}

int dbm_test_count(const char *haystack, const char *needle)
{
	int n = 0;
	size_t len = strlen(needle);

	if (!len)
		return 0;
	while (haystack && (haystack = strstr(haystack, needle))) {
		n++;
		haystack += len;
	}
	return n;
}

const char *dbm_test_server_url(const char *name)
{
	const char *v = getenv(name);
	const char *req = getenv("DBM_TEST_REQUIRE_SERVERS");

	if (v && *v)
		return v;
	if (req && strcmp(req, "1") == 0)
		fail_msg("%s is not set but DBM_TEST_REQUIRE_SERVERS=1: start the servers with "
		         "scripts/test.sh",
		         name);
	return NULL;
}

const char *dbm_test_server_url_part(const char *name)
{
	const char *url = dbm_test_server_url(name);

	if (!url) {
		dbm_test_nskipped++;
		print_message("part skipped: %s is not set\n", name);
	}
	return url;
}

void dbm_test_load_env_file(const char *var)
{
	const char *path = getenv(var);
	char line[4096];
	FILE *f;

	if (!path || !*path || !(f = fopen(path, "r")))
		return;
	while (fgets(line, sizeof(line), f)) {
		char *eq = strchr(line, '=');
		size_t len = strcspn(line, "\r\n");

		line[len] = '\0';
		if (!eq || eq == line || eq > line + len)
			continue;
		*eq = '\0';
		setenv(line, eq + 1, 0);
	}
	fclose(f);
}

void dbm_test_galera_skip(void)
{
	const char *req = getenv("DBM_TEST_GALERA");

	if (req && strcmp(req, "1") == 0)
		fail_msg("DBM_TEST_GALERA_URLS is not set but DBM_TEST_GALERA=1: start the cluster "
		         "with scripts/test.sh");
	skip();
}

static int testutil_chown_one(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return lchown(path, testutil_uid, testutil_gid) == 0 ? 0 : -1;
}

void dbm_test_unprivileged(const char *dir)
{
	const char *name = getenv("DBM_TEST_USER");
	struct passwd *pw;

	if (geteuid() != 0)
		return;
	if (!name || !*name)
		name = "nobody";
	pw = getpwnam(name);
	if (!pw) {
		fail_msg("running as root, and there is no user \"%s\" to run the binary as: "
		         "set DBM_TEST_USER",
		         name);
		return; /* fail_msg does not return; the analyzer does not know it */
	}
	testutil_uid = pw->pw_uid;
	testutil_gid = pw->pw_gid;
	if (nftw(dir, testutil_chown_one, 16, FTW_PHYS) != 0)
		fail_msg("cannot give \"%s\" to user %s: %s", dir, name, strerror(errno));
	/* mkdtemp's 0700 would keep the user out of the folder */
	if (chmod(dir, 0755) != 0)
		fail_msg("chmod \"%s\": %s", dir, strerror(errno));
	testutil_run_as = 1;
}

void dbm_test_privileged(void)
{
	testutil_run_as = 0;
}

int dbm_test_oom_sweep(const char *name, int limit, int oom_status, int done_status)
{
	int n, status = 0;

	for (n = 1; n < limit; n++) {
		pid_t pid;

		fflush(NULL);
		pid = fork();
		assert_true(pid >= 0);
		if (pid == 0) {
			char value[32];

			snprintf(value, sizeof(value), "%d", n);
			setenv("DBM_FAIL_ALLOC", value, 1);
			execl("/proc/self/exe", name, "--oom-child", (char *)NULL);
			_exit(127);
		}
		assert_int_equal(waitpid(pid, &status, 0), pid);
		if (!WIFEXITED(status))
			fail_msg("allocation %d failing: the child was killed by signal %d", n,
			         WTERMSIG(status));
		if (WEXITSTATUS(status) == done_status)
			break;
		if (WEXITSTATUS(status) != oom_status)
			fail_msg(
			    "allocation %d failing: child exited %d, want %d (out of memory) or "
			    "%d (done)",
			    n, WEXITSTATUS(status), oom_status, done_status);
	}
	return n;
}

int dbm_test_oom_child(int argc, char **argv)
{
	return argc == 2 && strcmp(argv[1], "--oom-child") == 0;
}
