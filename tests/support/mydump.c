/*
 * mydump.c - the mariadb and mariadb-dump clients as the reference that the
 * MySQL conformance tests compare dbmigrate against (see mydump.h). The
 * tools run through popen() with the password in MYSQL_PWD; output is
 * collected in plain malloc()ed strings, since these helpers are not code
 * under test and must not see injected allocation failures.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include <cmocka.h>

#include "mydump.h"

/* A growable string; the tests' own, so that failpoints never reach it. */
struct mydump_str {
	char *ptr;
	size_t len, cap;
};

/* Appends n bytes of s; fails the test when memory runs out. */
static void mydump_add(struct mydump_str *b, const char *s, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 256;
		char *p;

		while (b->len + n + 1 > cap)
			cap *= 2;
		p = realloc(b->ptr, cap);
		if (!p)
			fail_msg("out of memory");
		b->ptr = p;
		b->cap = cap;
	}
	memcpy(b->ptr + b->len, s, n);
	b->len += n;
	b->ptr[b->len] = '\0';
}

static void mydump_adds(struct mydump_str *b, const char *s)
{
	mydump_add(b, s, strlen(s));
}

/* Appends s in single quotes for the shell. */
static void mydump_add_shell(struct mydump_str *b, const char *s)
{
	mydump_adds(b, "'");
	for (; *s; s++) {
		if (*s == '\'')
			mydump_adds(b, "'\\''");
		else
			mydump_add(b, s, 1);
	}
	mydump_adds(b, "'");
}

/* The string built so far, "" when nothing was added; the caller owns it. */
static char *mydump_detach(struct mydump_str *b)
{
	char *p = b->ptr;

	if (!p) {
		p = malloc(1);
		if (!p)
			fail_msg("out of memory");
		*p = '\0';
	}
	b->ptr = NULL;
	b->len = b->cap = 0;
	return p;
}

/*
 * Starts a command line for tool: the tool with --no-defaults and the
 * connection options taken from url, and sets MYSQL_PWD. Fails the test when
 * url is not "mysql://user:password@host:port/...".
 */
static void mydump_tool(struct mydump_str *cmd, const char *tool, const char *url)
{
	char user[64], pw[128], host[128], port[16];

	if (sscanf(url, "%*[a-z]://%63[^:]:%127[^@]@%127[^:]:%15[0-9]", user, pw, host, port) != 4)
		fail_msg("cannot take the URL apart for %s (want mysql://user:pw@host:port/)",
		         tool);
	setenv("MYSQL_PWD", pw, 1);
	mydump_adds(cmd, tool);
	mydump_adds(cmd, " --no-defaults --default-character-set=utf8mb4 -h ");
	mydump_add_shell(cmd, host);
	mydump_adds(cmd, " -P ");
	mydump_adds(cmd, port);
	mydump_adds(cmd, " -u ");
	mydump_add_shell(cmd, user);
}

/*
 * Runs cmd with sh, stderr joined to stdout; *out receives the output (caller
 * frees). Returns the exit code, 128+signal when killed. Clears MYSQL_PWD.
 */
static int mydump_sh(const char *cmd, char **out)
{
	struct mydump_str b = {0};
	struct mydump_str full = {0};
	char chunk[8192];
	size_t n;
	FILE *f;
	int st;

	mydump_adds(&full, cmd);
	mydump_adds(&full, " 2>&1");
	f = popen(full.ptr, "r");
	free(full.ptr);
	if (!f) {
		unsetenv("MYSQL_PWD");
		fail_msg("cannot run '%s'", cmd);
	}
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		mydump_add(&b, chunk, n);
	st = pclose(f);
	unsetenv("MYSQL_PWD");
	*out = mydump_detach(&b);
	if (st == -1)
		return 127;
	if (WIFSIGNALED(st))
		return 128 + WTERMSIG(st);
	return WEXITSTATUS(st);
}

int dbm_mydump_available(void)
{
	return system("command -v mariadb >/dev/null 2>&1 && "
	              "command -v mariadb-dump >/dev/null 2>&1") == 0;
}

int dbm_mydump_client_file(const char *url, const char *db, const char *file, char **out)
{
	struct mydump_str cmd = {0};
	char *text;
	int rc;

	mydump_tool(&cmd, "mariadb", url);
	mydump_adds(&cmd, " ");
	mydump_add_shell(&cmd, db);
	mydump_adds(&cmd, " < ");
	mydump_add_shell(&cmd, file);
	rc = mydump_sh(cmd.ptr, &text);
	free(cmd.ptr);
	if (out)
		*out = text;
	else
		free(text);
	return rc;
}

char *dbm_mydump_query(const char *url, const char *db, const char *sql)
{
	struct mydump_str cmd = {0};
	char *text;
	int rc;

	mydump_tool(&cmd, "mariadb", url);
	mydump_adds(&cmd, " -N -B -e ");
	mydump_add_shell(&cmd, sql);
	if (db) {
		mydump_adds(&cmd, " ");
		mydump_add_shell(&cmd, db);
	}
	rc = mydump_sh(cmd.ptr, &text);
	free(cmd.ptr);
	if (rc != 0) {
		print_error("mariadb exited %d on '%s': %s\n", rc, sql, text);
		free(text);
		fail_msg("the mariadb client failed");
	}
	return text;
}

char *dbm_mydump_schema(const char *url, const char *db, const char *exclude_table)
{
	struct mydump_str cmd = {0};
	char *text;
	int rc;

	mydump_tool(&cmd, "mariadb-dump", url);
	mydump_adds(&cmd, " --no-data --skip-comments --routines --triggers --events"
	                  " --skip-dump-date");
	if (exclude_table) {
		mydump_adds(&cmd, " --ignore-table=");
		mydump_add_shell(&cmd, db);
		mydump_adds(&cmd, ".");
		mydump_add_shell(&cmd, exclude_table);
		mydump_adds(&cmd, " --ignore-table=");
		mydump_add_shell(&cmd, db);
		mydump_adds(&cmd, ".");
		mydump_add_shell(&cmd, exclude_table);
		mydump_adds(&cmd, "_lock");
		mydump_adds(&cmd, " --ignore-table=");
		mydump_add_shell(&cmd, db);
		mydump_adds(&cmd, ".");
		mydump_add_shell(&cmd, exclude_table);
		mydump_adds(&cmd, "_snapshot");
	}
	mydump_adds(&cmd, " ");
	mydump_add_shell(&cmd, db);
	rc = mydump_sh(cmd.ptr, &text);
	free(cmd.ptr);
	if (rc != 0) {
		print_error("mariadb-dump exited %d on '%s': %s\n", rc, db, text);
		free(text);
		fail_msg("mariadb-dump failed");
	}
	return dbm_mydump_normalise(text);
}

/* Removes n bytes at p from the string p belongs to. */
static void mydump_cut(char *p, size_t n)
{
	memmove(p, p + n, strlen(p + n) + 1);
}

/*
 * The length of a backtick-quoted name at p ("`a``b`"), 0 when p does not
 * start one or it does not end.
 */
static size_t mydump_quoted_len(const char *p)
{
	size_t i = 1;

	if (*p != '`')
		return 0;
	for (;;) {
		if (!p[i])
			return 0;
		if (p[i] == '`' && p[i + 1] == '`')
			i += 2;
		else if (p[i] == '`')
			return i + 1;
		else
			i++;
	}
}

/* Replaces the quoted text after each occurrence of key ("STARTS '") with "<time>". */
static void mydump_blank_time(char *dump, const char *key)
{
	size_t klen = strlen(key);
	char *p = dump, *end;

	while ((p = strstr(p, key)) != NULL) {
		p += klen;
		end = strchr(p, '\'');
		if (!end)
			return;
		if (end - p >= 6) {
			memcpy(p, "<time>", 6);
			mydump_cut(p + 6, (size_t)(end - p) - 6);
		}
		p += 6;
	}
}

char *dbm_mydump_normalise(char *dump)
{
	char *p;

	/* AUTO_INCREMENT=N among the table options. */
	p = dump;
	while ((p = strstr(p, " AUTO_INCREMENT=")) != NULL) {
		size_t n = strlen(" AUTO_INCREMENT=");

		while (p[n] >= '0' && p[n] <= '9')
			n++;
		mydump_cut(p, n);
	}
	/* DEFINER=`user`@`host`, with the blank before it. */
	p = dump;
	while ((p = strstr(p, "DEFINER=`")) != NULL) {
		size_t u = mydump_quoted_len(p + 8), h;

		if (u && p[8 + u] == '@' && (h = mydump_quoted_len(p + 9 + u)) != 0) {
			size_t n = 9 + u + h;

			if (p > dump && p[-1] == ' ') {
				p--;
				n++;
			}
			mydump_cut(p, n);
		} else {
			p++;
		}
	}
	mydump_blank_time(dump, "STARTS '");
	mydump_blank_time(dump, "ON SCHEDULE AT '");
	return dump;
}

/* Splits text into its lines, in place; returns how many (the array is malloc()ed). */
static size_t mydump_lines(char *text, char ***lines)
{
	size_t n = 0, cap = 16;
	char **v = malloc(cap * sizeof(*v));
	char *p = text, *nl;

	if (!v)
		fail_msg("out of memory");
	while (*p) {
		if (n == cap) {
			cap *= 2;
			v = realloc(v, cap * sizeof(*v));
			if (!v)
				fail_msg("out of memory");
		}
		v[n++] = p;
		nl = strchr(p, '\n');
		if (!nl)
			break;
		*nl = '\0';
		p = nl + 1;
	}
	*lines = v;
	return n;
}

static int mydump_strcmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Appends s as a MariaDB string literal with backslash escapes. */
static void mydump_add_literal(struct mydump_str *b, const char *s)
{
	mydump_adds(b, "'");
	for (; *s; s++) {
		if (*s == '\'' || *s == '\\')
			mydump_adds(b, "\\");
		mydump_add(b, s, 1);
	}
	mydump_adds(b, "'");
}

/* Appends name as a backtick identifier. */
static void mydump_add_ident(struct mydump_str *b, const char *name)
{
	mydump_adds(b, "`");
	for (; *name; name++) {
		if (*name == '`')
			mydump_adds(b, "`");
		mydump_add(b, name, 1);
	}
	mydump_adds(b, "`");
}

/* The rows of table t of db as sorted lines appended to out. */
static void mydump_table_rows(const char *url, const char *db, const char *t,
                              struct mydump_str *out)
{
	struct mydump_str q = {0};
	char *cols, *rows, **cl = NULL, **rl = NULL;
	size_t ncols, nrows, i;

	mydump_adds(&q, "SELECT column_name, data_type FROM information_schema.columns"
	                " WHERE table_schema = ");
	mydump_add_literal(&q, db);
	mydump_adds(&q, " AND table_name = ");
	mydump_add_literal(&q, t);
	mydump_adds(&q, " ORDER BY ordinal_position");
	cols = dbm_mydump_query(url, db, q.ptr);
	free(q.ptr);
	memset(&q, 0, sizeof(q));
	ncols = mydump_lines(cols, &cl);
	mydump_adds(&q, "SELECT CONCAT_WS(','");
	for (i = 0; i < ncols; i++) {
		char *tab = strchr(cl[i], '\t');
		const char *type = tab ? tab + 1 : "";

		if (tab)
			*tab = '\0';
		mydump_adds(&q, ", ");
		if (!strcmp(type, "timestamp") || !strcmp(type, "datetime") ||
		    !strcmp(type, "date")) {
			mydump_adds(&q, "IF(ABS(TIMESTAMPDIFF(SECOND, ");
			mydump_add_ident(&q, cl[i]);
			mydump_adds(&q, ", NOW())) < 86400, '<now>', QUOTE(");
			mydump_add_ident(&q, cl[i]);
			mydump_adds(&q, "))");
		} else {
			mydump_adds(&q, "QUOTE(");
			mydump_add_ident(&q, cl[i]);
			mydump_adds(&q, ")");
		}
	}
	mydump_adds(&q, ") FROM ");
	mydump_add_ident(&q, t);
	rows = dbm_mydump_query(url, db, q.ptr);
	free(q.ptr);
	nrows = mydump_lines(rows, &rl);
	qsort(rl, nrows, sizeof(*rl), mydump_strcmp);
	mydump_adds(out, t);
	mydump_adds(out, ":\n");
	for (i = 0; i < nrows; i++) {
		mydump_adds(out, "  ");
		mydump_adds(out, rl[i]);
		mydump_adds(out, "\n");
	}
	free(rl);
	free(rows);
	free(cl);
	free(cols);
}

char *dbm_mydump_data(const char *url, const char *db, const char *exclude_table)
{
	struct mydump_str q = {0}, out = {0};
	char *tables, **tl = NULL;
	size_t n, i;

	mydump_adds(&q, "SELECT table_name FROM information_schema.tables WHERE table_schema = ");
	mydump_add_literal(&q, db);
	mydump_adds(&q, " AND table_type = 'BASE TABLE'");
	if (exclude_table) {
		mydump_adds(&q, " AND table_name NOT IN (");
		mydump_add_literal(&q, exclude_table);
		mydump_adds(&q, ", CONCAT(");
		mydump_add_literal(&q, exclude_table);
		mydump_adds(&q, ", '_lock'), CONCAT(");
		mydump_add_literal(&q, exclude_table);
		mydump_adds(&q, ", '_snapshot'))");
	}
	mydump_adds(&q, " ORDER BY table_name");
	tables = dbm_mydump_query(url, db, q.ptr);
	free(q.ptr);
	n = mydump_lines(tables, &tl);
	for (i = 0; i < n; i++)
		mydump_table_rows(url, db, tl[i], &out);
	free(tl);
	free(tables);
	return mydump_detach(&out);
}

int dbm_mydump_report_diff(const char *what, const char *a, const char *b)
{
	const char *pa = a, *pb = b;
	int line = 1;

	if (strcmp(a, b) == 0)
		return 0;
	for (;;) {
		const char *ea = strchr(pa, '\n'), *eb = strchr(pb, '\n');
		size_t la = ea ? (size_t)(ea - pa) : strlen(pa);
		size_t lb = eb ? (size_t)(eb - pb) : strlen(pb);

		if (la != lb || memcmp(pa, pb, la) != 0 || !ea || !eb) {
			print_error("%s differ at line %d (%zu and %zu bytes):\n  dbmigrate: %.*s\n"
			            "  client:    %.*s\n",
			            what, line, la, lb, (int)la, pa, (int)lb, pb);
			break;
		}
		pa = ea + 1;
		pb = eb + 1;
		line++;
	}
	return 1;
}

void dbm_mydump_assert_same(const char *what, const char *a, const char *b)
{
	if (dbm_mydump_report_diff(what, a, b))
		fail_msg("%s differ", what);
}
