/*
 * dryrun.c - the text of a dry run, as a script the database's own client
 * runs as it is (runner.h): psql -v ON_ERROR_STOP=1 -f FILE, mariadb DB <
 * FILE, sqlite3 -bail DB < FILE.
 *
 * What the clients need beyond "<statement>;":
 * - the MySQL client ends a statement at the first ';' outside quotes and
 *   comments, so a routine, trigger or event whose body holds ';' goes
 *   between "DELIMITER <d>" lines, <d> chosen so that it does not occur in
 *   the statement;
 * - a statement whose last line holds a line comment ("--", MySQL's "#")
 *   gets its terminator on a line of its own, or the comment would swallow
 *   it.
 * Statements come from the runner (the files', split by the splitter) and
 * from history.c and sqlgen (dbmigrate's own, values as literals); nothing
 * here writes SQL of its own but the clients' terminators and comments.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "dbmigrate/version.h"
#include "output/output.h"
#include "runner/runner.h"

/* The opening comments waiting for the script's first line (dbm_dry_begin). */
static struct {
	const char *command, *from;
	int pending;
} dry_head;

/* 1 when the last line of sql[0..len) may hold a line comment of the dialect. */
static int dry_last_line_comment(enum dbm_dialect d, const char *sql, size_t len)
{
	size_t i = len;

	while (i > 0 && sql[i - 1] != '\n')
		i--;
	for (; i < len; i++) {
		if (sql[i] == '-' && i + 1 < len && sql[i + 1] == '-')
			return 1;
		if (d == DBM_DIALECT_MYSQL && sql[i] == '#')
			return 1;
	}
	return 0;
}

/* 1 when needle occurs in hay[0..len). */
static int dry_contains(const char *hay, size_t len, const char *needle)
{
	size_t n = strlen(needle), i;

	for (i = 0; i + n <= len; i++)
		if (memcmp(hay + i, needle, n) == 0)
			return 1;
	return 0;
}

/*
 * A MySQL client delimiter that does not occur in sql[0..len), into out:
 * "$$", "//", then "$$$", "$$$$" ... Returns 0, or -1 when none of up to
 * 30 characters is free (then the statement is printed as it is).
 */
static int dry_delimiter(const char *sql, size_t len, char *out, size_t size)
{
	size_t n;

	snprintf(out, size, "$$");
	if (!dry_contains(sql, len, out))
		return 0;
	snprintf(out, size, "//");
	if (!dry_contains(sql, len, out))
		return 0;
	for (n = 3; n < 31 && n < size; n++) {
		memset(out, '$', n);
		out[n] = '\0';
		if (!dry_contains(sql, len, out))
			return 0;
	}
	return -1;
}

void dbm_dry_sql(const struct dbm_session *s, const char *sql, size_t len)
{
	char delim[32];
	int own_line = dry_last_line_comment(s->dialect, sql, len);

	if (dbm_out_is_json()) {
		dbm_out_sql(sql, len);
		return;
	}
	dbm_dry_header(s);
	if (s->dialect == DBM_DIALECT_MYSQL && memchr(sql, ';', len) &&
	    dry_delimiter(sql, len, delim, sizeof(delim)) == 0) {
		dbm_out_script("DELIMITER ", 10);
		dbm_out_script(delim, strlen(delim));
		dbm_out_script("\n", 1);
		dbm_out_script(sql, len);
		if (own_line)
			dbm_out_script("\n", 1);
		dbm_out_script(delim, strlen(delim));
		dbm_out_script("\nDELIMITER ;\n", 13);
		return;
	}
	dbm_out_script(sql, len);
	dbm_out_script(own_line ? "\n;\n" : ";\n", own_line ? 3 : 2);
}

void dbm_dry_comment(const struct dbm_session *s, const char *fmt, ...)
{
	char text[1024];
	va_list ap;
	size_t i, n;

	if (dbm_out_is_json())
		return;
	dbm_dry_header(s);
	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	n = strlen(text);
	for (i = 0; i < n; i++)
		if (text[i] == '\n' || text[i] == '\r')
			text[i] = ' ';
	dbm_out_script("-- ", 3);
	dbm_out_script(text, n);
	dbm_out_script("\n", 1);
}

/*
 * Prints the driver's reset_session_sql: its setup (setup 1, after the
 * opening comments) or its reset, each statement after a comment saying
 * why. Nothing when the driver has none.
 */
static void dry_session_sql(const struct dbm_session *s, int setup)
{
	struct dbm_buf keep = DBM_BUF_INIT, put = DBM_BUF_INIT;
	const struct dbm_buf *b = setup ? &keep : &put;
	size_t off;

	if (!s->driver->reset_session_sql || s->driver->reset_session_sql(&keep, &put) < 0 ||
	    b->len == 0)
		goto done;
	dbm_dry_comment(s,
	                setup ? "the session's settings as they are now, which the run puts "
	                        "back after a migration that changes them"
	                      : "the session put back as it was, as the run does after a migration "
	                        "that changes it");
	for (off = 0; off < b->len; off += strlen(b->ptr + off) + 1)
		dbm_dry_sql(s, b->ptr + off, strlen(b->ptr + off));
done:
	dbm_buf_free(&keep);
	dbm_buf_free(&put);
}

void dbm_dry_begin(const char *command, const char *from)
{
	dry_head.command = command;
	dry_head.from = from;
	dry_head.pending = 1;
}

void dbm_dry_header(const struct dbm_session *s)
{
	static const char *const replay[] = {
	    [DBM_DIALECT_SQLITE] = "sqlite3 -bail DATABASE.db < FILE",
	    [DBM_DIALECT_PGSQL] = "psql -v ON_ERROR_STOP=1 -f FILE (connected to the database)",
	    [DBM_DIALECT_MYSQL] = "mariadb --default-character-set=utf8mb4 DATABASE < FILE (or "
	                          "mysql), the character set dbmigrate's connections use",
	};
	const char *how = (size_t)s->dialect < DBM_ARRAY_SIZE(replay) && replay[s->dialect]
	                      ? replay[s->dialect]
	                      : "the database's own client";
	const char *command = dry_head.command, *from = dry_head.from;

	if (!dry_head.pending || !s->driver || dbm_out_is_json())
		return;
	dry_head.pending = 0;

	dbm_dry_comment(s, "dbmigrate %s %s %s for %s: nothing was changed", DBM_VERSION_STRING,
	                command, s->offline ? "--offline" : "--dry-run", s->driver->name);
	if (s->offline && from && strcmp(from, "empty") == 0)
		dbm_dry_comment(s, "offline: for a database without the history table %s",
		                s->cfg->table);
	else if (s->offline)
		dbm_dry_comment(s,
		                "offline: for a database at version %s, whose history has one row "
		                "per migration up to it (ranks 1 to %lld)",
		                from, s->next_rank - 1);
	else
		dbm_dry_comment(s, "from the history of %s as it is now", dbm_buf_cstr(&s->url));
	dbm_dry_comment(s, "replay with: %s", how);
	dbm_dry_comment(s, "once, with no dbmigrate running against the database: the script "
	                   "takes no lock");
	dry_session_sql(s, 1);
}

void dbm_dry_reset(const struct dbm_session *s)
{
	if (!dbm_out_is_json())
		dry_session_sql(s, 0);
}

int dbm_dry_check_secrets(const struct dbm_session *s, const struct dbm_stmt *st, const char *path)
{
	const struct dbm_placeholders *ph = &s->cfg->placeholders;
	char want[DBM_PLACEHOLDER_NAME_MAX + 4];
	size_t i;

	for (i = 0; s->secret && i < ph->n; i++) {
		const char *key = ph->items[i].key;

		if (!s->secret[i])
			continue;
		snprintf(want, sizeof(want), "${%s}", key);
		if (!dry_contains(st->sql, st->len, want))
			continue;
		dbm_error_set(DBM_ERR_USAGE,
		              "placeholder ${%s} holds a secret: a dry run does not "
		              "print it",
		              key);
		dbm_error_set_where(path, st->line);
		dbm_error_set_detail("its name, or its value being the connection's password, "
		                     "marks it secret; a dry run's text ends up in logs and files");
		dbm_error_set_hint(
		    "Keep it as ${%s} in the script and fill it in where the script "
		    "is replayed: run the dry run with --placeholder '%s=${%s}', then "
		    "replace ${%s} in the script (sed, or the client's variables) just "
		    "before running it.",
		    key, key, key, key);
		return DBM_ERR_USAGE;
	}
	return 0;
}
