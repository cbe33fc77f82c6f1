/*
 * pgdump.c - see pgdump.h. Runs psql and pg_dump as child processes and
 * reads what they print through a pipe.
 */
#define _DEFAULT_SOURCE
#include <errno.h>
#include <glob.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "pgdump.h"

/* Folder of the PostgreSQL client tools ("" when they are on PATH), NULL when not found. */
static const char *pgdump_bindir(void)
{
	static char dir[1024];
	static int state; /* 0: not looked up yet, 1: found, 2: not found */
	const char *env = getenv("DBM_TEST_PGBIN");
	const char *path = getenv("PATH");
	char probe[1100];
	glob_t g;

	if (state)
		return state == 1 ? dir : NULL;
	state = 2;
	if (env && *env) {
		snprintf(probe, sizeof(probe), "%s/pg_dump", env);
		if (access(probe, X_OK) == 0) {
			snprintf(dir, sizeof(dir), "%s", env);
			state = 1;
			return dir;
		}
	}
	while (path && *path) {
		const char *end = strchr(path, ':');
		size_t n = end ? (size_t)(end - path) : strlen(path);

		snprintf(probe, sizeof(probe), "%.*s/pg_dump", (int)n, path);
		if (n && access(probe, X_OK) == 0) {
			dir[0] = '\0';
			state = 1;
			return dir;
		}
		path = end ? end + 1 : NULL;
	}
	/* Debian and Ubuntu keep the tools of each major version apart; take the newest. */
	if (glob("/usr/lib/postgresql/*/bin/pg_dump", 0, NULL, &g) == 0 && g.gl_pathc > 0) {
		snprintf(dir, sizeof(dir), "%s", g.gl_pathv[g.gl_pathc - 1]);
		*strrchr(dir, '/') = '\0';
		state = 1;
	}
	globfree(&g);
	return state == 1 ? dir : NULL;
}

int dbm_pgdump_available(void)
{
	return pgdump_bindir() != NULL;
}

/*
 * Runs tool (psql or pg_dump) with args (NULL-terminated, without argv[0]),
 * stdin from /dev/null, stdout (and stderr when merge_err) into *out
 * (caller frees). Returns the exit code, 128+signal when killed; fails the
 * test when the tool cannot be started.
 */
static int pgdump_run(const char *tool, const char *const *args, int merge_err, char **out)
{
	const char *dir = pgdump_bindir();
	char prog[1100];
	const char *argv[32];
	size_t n = 0, cap = 65536, len = 0;
	char *buf;
	int fds[2], st = 0;
	pid_t pid;

	if (!dir)
		fail_msg("'%s' not found: install the PostgreSQL client or set DBM_TEST_PGBIN",
		         tool);
	if (*dir)
		snprintf(prog, sizeof(prog), "%s/%s", dir, tool);
	else
		snprintf(prog, sizeof(prog), "%s", tool);
	argv[n++] = prog;
	while (*args && n < 31)
		argv[n++] = *args++;
	argv[n] = NULL;
	if (pipe(fds) != 0)
		fail_msg("pipe: %s", strerror(errno));
	fflush(NULL);
	pid = fork();
	if (pid < 0)
		fail_msg("fork: %s", strerror(errno));
	if (pid == 0) {
		FILE *devnull = freopen("/dev/null", "r", stdin);

		(void)devnull;
		dup2(fds[1], 1);
		if (merge_err)
			dup2(fds[1], 2);
		close(fds[0]);
		close(fds[1]);
		execvp(prog, (char *const *)argv);
		_exit(127);
	}
	close(fds[1]);
	buf = malloc(cap);
	assert_non_null(buf);
	for (;;) {
		ssize_t r;

		if (cap - len < 4096) {
			cap *= 2;
			buf = realloc(buf, cap);
			assert_non_null(buf);
		}
		r = read(fds[0], buf + len, cap - len - 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		len += (size_t)r;
	}
	buf[len] = '\0';
	close(fds[0]);
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	*out = buf;
	if (WIFEXITED(st))
		return WEXITSTATUS(st);
	return 128 + (WIFSIGNALED(st) ? WTERMSIG(st) : 0);
}

int dbm_pgdump_psql_file(const char *url, const char *file, char **out)
{
	const char *args[] = {"-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", url, "-f", file, NULL};
	char *text = NULL;
	int rc = pgdump_run("psql", args, 1, &text);

	if (out)
		*out = text;
	else
		free(text);
	return rc;
}

char *dbm_pgdump_query(const char *url, const char *sql)
{
	const char *args[] = {"-X", "-A", "-t", "-q", "-v", "ON_ERROR_STOP=1",
	                      "-d", url,  "-c", sql,  NULL};
	char *text = NULL;
	int rc = pgdump_run("psql", args, 0, &text);

	if (rc != 0) {
		static char msg[65536];

		snprintf(msg, sizeof(msg), "psql -c '%s' exited %d: %s", sql, rc, text);
		free(text);
		fail_msg("%s", msg);
	}
	return text;
}

/* 1 when the dump line [p, p+n) is one dbm_pgdump_normalise drops. */
static int pgdump_noise(const char *p, size_t n)
{
	size_t i;

	for (i = 0; i < n && (p[i] == ' ' || p[i] == '\t' || p[i] == '\r'); i++)
		;
	if (i == n)
		return 1;
	p += i;
	n -= i;
	if (n >= 2 && p[0] == '-' && p[1] == '-')
		return 1;
	if (n >= 4 && strncmp(p, "SET ", 4) == 0)
		return 1;
	if (n >= 9 && strncmp(p, "\\restrict", 9) == 0)
		return 1;
	if (n >= 11 && strncmp(p, "\\unrestrict", 11) == 0)
		return 1;
	if (n >= 29 && strncmp(p, "SELECT pg_catalog.set_config(", 29) == 0)
		return 1;
	return 0;
}

char *dbm_pgdump_normalise(char *dump)
{
	char *src = dump, *dst = dump;

	while (*src) {
		char *nl = strchr(src, '\n');
		size_t n = nl ? (size_t)(nl - src) : strlen(src);

		if (!pgdump_noise(src, n)) {
			memmove(dst, src, n);
			dst += n;
			*dst++ = '\n';
		}
		src += n + (nl ? 1 : 0);
	}
	*dst = '\0';
	return dump;
}

char *dbm_pgdump_schema(const char *url, const char *exclude_table, unsigned flags)
{
	char exclude[300], exclude_snap[320];
	const char *args[12];
	size_t n = 0;
	char *text = NULL;
	int rc;

	args[n++] = "--schema-only";
	args[n++] = "--no-owner";
	if (!(flags & DBM_PGDUMP_PRIVILEGES))
		args[n++] = "--no-privileges";
	if (exclude_table) {
		snprintf(exclude, sizeof(exclude), "--exclude-table=%s", exclude_table);
		args[n++] = exclude;
		/* the snapshot table dbmigrate keeps beside the history */
		snprintf(exclude_snap, sizeof(exclude_snap), "--exclude-table=%s_snapshot",
		         exclude_table);
		args[n++] = exclude_snap;
	}
	args[n++] = "-d";
	args[n++] = url;
	args[n] = NULL;
	rc = pgdump_run("pg_dump", args, 1, &text);
	if (rc != 0) {
		static char msg[65536];

		snprintf(msg, sizeof(msg), "pg_dump exited %d: %s", rc, text);
		free(text);
		fail_msg("%s", msg);
	}
	return dbm_pgdump_normalise(text);
}

char *dbm_pgdump_data(const char *url, const char *exclude_table)
{
	char sql[3000];

	/* query_to_xml runs the per-table query built with format() inside one statement. */
	snprintf(sql, sizeof(sql),
	         "SELECT format('%%I.%%I', n.nspname, c.relname) || '|' || (xpath('/row/d/text()', "
	         "query_to_xml(format('SELECT count(*) || ''|'' || coalesce(md5(string_agg(r, "
	         "E''\\n'' ORDER BY r)), '''') AS d FROM (SELECT ROW(%%s)::text AS r FROM ONLY "
	         "%%I.%%I) s', coalesce((SELECT string_agg(quote_ident(a.attname), ',' ORDER BY "
	         "a.attnum) FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT "
	         "a.attisdropped AND a.atttypid NOT IN ('timestamptz'::regtype, "
	         "'timestamp'::regtype, 'uuid'::regtype)), 'NULL'), n.nspname, c.relname), false, "
	         "true, '')))[1]::text FROM pg_class c JOIN pg_namespace n ON n.oid = "
	         "c.relnamespace WHERE c.relkind IN ('r', 'p') AND n.nspname NOT IN ('pg_catalog', "
	         "'information_schema') AND n.nspname NOT LIKE 'pg_toast%%' AND c.relname <> '%s' "
	         "AND c.relname <> '%s_snapshot' ORDER BY 1",
	         exclude_table ? exclude_table : "", exclude_table ? exclude_table : "");
	return dbm_pgdump_query(url, sql);
}

void dbm_pgdump_assert_same(const char *what, const char *a, const char *b)
{
	const char *pa = a, *pb = b;
	int line = 1;

	if (strcmp(a, b) == 0)
		return;
	for (;;) {
		const char *ea = strchr(pa, '\n'), *eb = strchr(pb, '\n');
		size_t na = ea ? (size_t)(ea - pa) : strlen(pa);
		size_t nb = eb ? (size_t)(eb - pb) : strlen(pb);

		if (na != nb || memcmp(pa, pb, na) != 0 || !ea || !eb)
			fail_msg("%s: line %d differs:\n  got:  %.*s\n  want: %.*s", what, line,
			         (int)na, pa, (int)nb, pb);
		pa = ea + 1;
		pb = eb + 1;
		line++;
	}
}
