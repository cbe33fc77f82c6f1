/*
 * sqlsplit_pgsql.c - the splitter's rules that only PostgreSQL has
 * (sqlsplit_int.h): psql meta-commands where a statement would start, the
 * inline data of COPY ... FROM STDIN, and SET standard_conforming_strings,
 * which changes how the next statements' strings are read. Dollar quotes and
 * nested comments are states of the lexer itself (sqlsplit.c).
 */
#include <string.h>

#include "sqlsplit_int.h"

/*
 * PostgreSQL: follows SET [SESSION | LOCAL] standard_conforming_strings
 * {TO | =} value and RESET standard_conforming_strings / RESET ALL in the
 * statement t[0..n), as psql follows the server's setting: with it off, a
 * backslash escapes the next byte in every '...' string. Other statements
 * leave the setting as it is.
 */
void split_track_pg_setting(struct dbm_splitter *s, const char *t, size_t n)
{
	static const char *const off[] = {"off", "false", "no", "0", "of", "f", "n"};
	static const char *const on[] = {"on", "true", "yes", "1", "t", "y", "default"};
	size_t i, k, v;

	if ((k = split_word_at(s, t, n, "reset")) != 0) {
		i = split_skip_blanks(s, t, n, k, 0);
		if (split_word_at(s, t + i, n - i, "standard_conforming_strings") ||
		    split_word_at(s, t + i, n - i, "all"))
			s->plain_esc = 0;
		return;
	}
	if ((k = split_word_at(s, t, n, "set")) == 0)
		return;
	i = split_skip_blanks(s, t, n, k, 0);
	if ((k = split_word_at(s, t + i, n - i, "session")) != 0 ||
	    (k = split_word_at(s, t + i, n - i, "local")) != 0)
		i = split_skip_blanks(s, t, n, i + k, 0);
	if ((k = split_word_at(s, t + i, n - i, "standard_conforming_strings")) == 0)
		return;
	i = split_skip_blanks(s, t, n, i + k, 1);
	if (i < n && (t[i] == '\'' || t[i] == '"'))
		i++;
	for (v = 0; v < DBM_ARRAY_SIZE(off); v++) {
		if (split_word_at(s, t + i, n - i, off[v]))
			s->plain_esc = 1;
	}
	for (v = 0; v < DBM_ARRAY_SIZE(on); v++) {
		if (split_word_at(s, t + i, n - i, on[v]))
			s->plain_esc = 0;
	}
}

/* 1 when the words after "\set" at buf[q] are ON_ERROR_STOP (any case). */
static int split_meta_sets_on_error_stop(const struct dbm_splitter *s, size_t q)
{
	const char *b = s->buf.ptr;
	size_t len = s->buf.len, e;

	while (q < len && (b[q] == ' ' || b[q] == '\t'))
		q++;
	for (e = q; e < len && (s->tab[(unsigned char)b[e]] & SPLIT_C_WORD); e++)
		;
	return split_kw(b + q, e - q, "on_error_stop");
}

/*
 * A psql meta-command at buf[p]: skipped when harmless (see below), else
 * DBM_ERR_USAGE with the error set; 0 with need set when more input is needed.
 */
int split_meta_command(struct dbm_splitter *s, size_t p, int eof)
{
	const char *b = s->buf.ptr;
	size_t len = s->buf.len;
	size_t q = p + 1;
	unsigned line;

	/* the whole line first: whether it is skipped depends on its words */
	if (!memchr(b + p, '\n', len - p) && !eof) {
		s->need = 1;
		return 0;
	}
	while (q < len && !(s->tab[(unsigned char)b[q]] & SPLIT_C_SPACE))
		q++;
	/*
	 * pg_dump (since 17.6, 16.10, 15.14, ...) brackets its output with
	 * "\restrict KEY" and "\unrestrict KEY", which only stop psql from running
	 * meta-commands hidden in the data; "\set ON_ERROR_STOP ..." asks psql for
	 * what dbmigrate always does. Such lines are skipped like comments.
	 */
	if (split_kw(b + p + 1, q - p - 1, "restrict") ||
	    split_kw(b + p + 1, q - p - 1, "unrestrict") ||
	    (split_kw(b + p + 1, q - p - 1, "set") && split_meta_sets_on_error_stop(s, q))) {
		s->state = SPLIT_LINE_COMMENT;
		s->pos = q;
		return 0;
	}
	line = split_line_at(s, p);
	dbm_error_set(DBM_ERR_USAGE, "psql meta-command '%.*s' is not supported",
	              (int)(q - p > 64 ? 64 : q - p), b + p);
	dbm_error_set_where(NULL, line);
	dbm_error_set_hint("Remove the line; put connection settings in the configuration and use "
	                   "placeholders (${name}) or the file's .conf for variables.");
	return DBM_ERR_USAGE;
}

/*
 * After COPY ... FROM STDIN;: skips the rest of the line, then collects data
 * lines up to "\.". Returns 0 or the callback's value once the data is
 * complete.
 */
int split_copy(struct dbm_splitter *s, int eof)
{
	const char *b = s->buf.ptr;
	size_t len = s->buf.len;

	if (s->state == SPLIT_COPY_LINE) {
		const char *nl = memchr(b + s->pos, '\n', len - s->pos);

		if (!nl) {
			s->pos = len;
			return 0;
		}
		s->copy_start = s->copy_scan = (size_t)(nl - b) + 1;
		s->pos = s->copy_scan;
		s->state = SPLIT_COPY_DATA;
	}
	for (;;) {
		size_t p = s->copy_scan;
		const char *nl = memchr(b + p, '\n', len - p);
		size_t e = nl ? (size_t)(nl - b) : len;
		size_t ll = e - p;

		s->pos = p;
		if (!nl && !eof) {
			if (p < len)
				s->need = 1;
			return 0;
		}
		if (ll && b[e - 1] == '\r')
			ll--;
		if (ll == 2 && b[p] == '\\' && b[p + 1] == '.') {
			s->pos = nl ? e + 1 : e;
			return split_emit(s, s->stmt_end, b + s->copy_start, p - s->copy_start);
		}
		if (!nl) {
			s->pos = len;
			return 0;
		}
		s->copy_scan = e + 1;
	}
}

/* A byte of a psql variable name: a letter, digit, _ or any non-ASCII byte (psqlscan.l). */
static int split_var_byte(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '_' || c >= 0x80;
}

/*
 * A ':' in code at buf[p], outside brackets. psql replaces :name, :'name',
 * :"name" and :{?name} by a variable's value; dbmigrate has no variables, so
 * they are refused before anything runs. A cast (::), := and a colon before
 * anything else are not variables, nor is :1 (no one names a variable so,
 * and a[1:2] inside brackets is never looked at). Returns 0 when it is no
 * variable, 1 when more input is needed, DBM_ERR_USAGE with the error set.
 */
int split_psql_variable(struct dbm_splitter *s, size_t p, int eof)
{
	const char *b = s->buf.ptr;
	size_t len = s->buf.len, q;
	unsigned char c;

	if (s->lenient && s->rules_seen)
		return 0; /* the text may be a string for the server's rules: pass 2 decides */
	if (p + 1 >= len)
		return eof ? 0 : 1;
	c = (unsigned char)b[p + 1];
	if (c == '\'' || c == '"') {
		for (q = p + 2; q < len && split_var_byte((unsigned char)b[q]); q++)
			;
		if (q >= len)
			return eof ? 0 : 1;
		if (q == p + 2 || b[q] != (char)c)
			return 0;
		q++;
	} else if (c == '{') {
		if (p + 2 >= len)
			return eof ? 0 : 1;
		if (b[p + 2] != '?')
			return 0;
		for (q = p + 3; q < len && split_var_byte((unsigned char)b[q]); q++)
			;
		if (q >= len && !eof)
			return 1;
		if (q < len && b[q] == '}')
			q++;
	} else if (split_var_byte(c) && !(c >= '0' && c <= '9')) {
		for (q = p + 1; q < len && split_var_byte((unsigned char)b[q]); q++)
			;
		if (q >= len && !eof)
			return 1;
	} else {
		return 0;
	}
	dbm_error_set(DBM_ERR_USAGE, "psql variable '%.*s' is not supported",
	              (int)(q - p > 64 ? 64 : q - p), b + p);
	dbm_error_set_where(NULL, split_line_at(s, p));
	dbm_error_set_hint("dbmigrate sends the statement to the server as it is, where a psql "
	                   "variable is a syntax error: use a placeholder (${name}) instead. A "
	                   "colon that belongs in the SQL goes inside quotes.");
	return DBM_ERR_USAGE;
}

/*
 * A backslash in code at buf[p], inside a statement: for psql every such
 * backslash starts a meta-command (\g, \gset, \gexec, \watch ...), and \;
 * puts a ';' in the statement without ending it. dbmigrate sends
 * statements itself, so all are refused before anything runs. Returns 1
 * when more input is needed to name the command, 0 in a lenient first pass
 * after a statement that may change the string rules (sqlsplit.h), else
 * DBM_ERR_USAGE with the error set.
 */
int split_meta_in_stmt(struct dbm_splitter *s, size_t p, int eof)
{
	const char *b = s->buf.ptr;
	size_t len = s->buf.len, q = p + 1;

	if (s->lenient && s->rules_seen)
		return 0; /* the text may be a string for the server's rules: pass 2 decides */
	while (q < len && q - p < 64 &&
	       ((b[q] >= 'a' && b[q] <= 'z') || (b[q] >= 'A' && b[q] <= 'Z')))
		q++;
	if (q >= len && !eof)
		return 1;
	if (q == p + 1 && q < len && !(s->tab[(unsigned char)b[q]] & SPLIT_C_SPACE))
		q++; /* \; \: \\ ... */
	dbm_error_set(DBM_ERR_USAGE, "psql meta-command '%.*s' is not supported", (int)(q - p),
	              b + p);
	dbm_error_set_where(NULL, split_line_at(s, p));
	if (q == p + 2 && b[p + 1] == ';')
		dbm_error_set_hint("End each statement with ';': dbmigrate sends the statements to "
		                   "the server one by one, and \\; is psql's.");
	else
		dbm_error_set_hint("End the statement with ';' and remove the meta-command: "
		                   "dbmigrate sends each statement to the server itself, and "
		                   "backslash commands are psql's.");
	return DBM_ERR_USAGE;
}

/*
 * PostgreSQL: 1 when the statement t[0..n) may change
 * standard_conforming_strings: SET and RESET in any spelling (SET LOCAL,
 * SET SESSION, RESET ALL), set_config() anywhere, CALL, DO and EXECUTE (a
 * routine may set it), COMMIT, END, ROLLBACK and ABORT (which revert a SET
 * LOCAL) and DISCARD. It errs on the side of flagging. Else 0.
 */
int split_pg_string_rules(const struct dbm_splitter *s, const char *t, size_t n)
{
	static const char *const first[] = {"set", "reset",    "call",  "do",      "commit",
	                                    "end", "rollback", "abort", "execute", "discard"};
	size_t i;

	for (i = 0; i < DBM_ARRAY_SIZE(first); i++)
		if (split_word_at(s, t, n, first[i]))
			return 1;
	return split_has_text(t, n, "set_config");
}
