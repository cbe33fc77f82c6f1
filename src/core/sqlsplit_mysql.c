/*
 * sqlsplit_mysql.c - the splitter's rules that only MySQL and MariaDB have
 * (sqlsplit_int.h): DELIMITER lines, the comments the mysql and mariadb
 * clients remove before they send a statement, and SET sql_mode with
 * NO_BACKSLASH_ESCAPES, which changes how the next statements' strings are
 * read. '#' comments, backticks and version comments are rules of the lexer
 * itself (sqlsplit.c).
 */
#include <string.h>

#include "sqlsplit_int.h"

/* Copies the quoted text opened by b[*i] from *i to *o, both moved past its end (or to e). */
static void split_my_copy_quoted(char *b, size_t *i, size_t *o, size_t e, int esc)
{
	char q = b[*i];

	b[(*o)++] = b[(*i)++];
	while (*i < e && b[*i] != q) {
		if (esc && q != '`' && b[*i] == '\\' && *i + 1 < e)
			b[(*o)++] = b[(*i)++];
		b[(*o)++] = b[(*i)++];
	}
	if (*i < e)
		b[(*o)++] = b[(*i)++];
}

/*
 * MySQL: removes the comments from the statement buf[stmt_start..e) in place,
 * as the mysql and mariadb clients do before they send a statement unless
 * started with --comments, so that routine, trigger and event bodies are
 * stored as the client stores them. A # or "-- " comment goes up to (not
 * including) its newline; a block comment goes with its newlines, and a space
 * takes its place when code follows it directly; version comments (opened by
 * a slash, a star and ! or M!) and optimizer hints (a slash, a star and +)
 * stay, but comments inside version comments go; quoted
 * text stays as it is (a
 * backslash in it escapes the next byte, as the client reads it). The result
 * is never longer. Returns its end, trailing blanks trimmed.
 */
size_t split_my_strip(struct dbm_splitter *s, size_t e)
{
	char *b = s->buf.ptr;
	size_t i = s->stmt_start, o = i;
	int need_space = 0, cond = 0;

	while (i < e) {
		char c = b[i];

		if (c == '#' || (c == '-' && i + 1 < e && b[i + 1] == '-' &&
		                 (i + 2 >= e || (unsigned char)b[i + 2] <= ' '))) {
			while (i < e && b[i] != '\n')
				i++;
			need_space = 0;
			continue;
		}
		if (c == '/' && i + 1 < e && b[i + 1] == '*') {
			if (i + 2 < e && b[i + 2] == '+') {
				/* an optimizer hint: MySQL's client sends it as it is */
				size_t h = i + 3;

				while (h < e && !(b[h] == '*' && h + 1 < e && b[h + 1] == '/'))
					h++;
				h = h + 2 < e ? h + 2 : e;
				if (need_space)
					b[o++] = ' ';
				need_space = 0;
				while (i < h)
					b[o++] = b[i++];
				continue;
			}
			if (i + 2 < e && (b[i + 2] == '!' ||
			                  (b[i + 2] == 'M' && i + 3 < e && b[i + 3] == '!'))) {
				cond = 1;
				b[o++] = b[i++];
			} else {
				for (i += 2;
				     i < e && !(b[i] == '*' && i + 1 < e && b[i + 1] == '/'); i++)
					;
				i = i + 2 < e ? i + 2 : e;
				need_space = 1;
				continue;
			}
		} else if (cond && c == '*' && i + 1 < e && b[i + 1] == '/') {
			cond = 0;
			b[o++] = b[i++];
		}
		if (need_space && !(s->tab[(unsigned char)b[i]] & SPLIT_C_SPACE))
			b[o++] = ' ';
		need_space = 0;
		if (b[i] == '\'' || b[i] == '"' || b[i] == '`')
			split_my_copy_quoted(b, &i, &o, e,
			                     !s->no_esc && !(b[i] == '"' && s->ansi_quotes));
		else
			b[o++] = b[i++];
	}
	while (o > s->stmt_start && (s->tab[(unsigned char)b[o - 1]] & SPLIT_C_SPACE))
		o--;
	return o;
}

/*
 * MySQL: follows assignments to sql_mode in a SET statement t[0..n), also
 * one inside a version comment, as mysqldump writes them around each routine,
 * as the mysql client follows the server's status: with
 * NO_BACKSLASH_ESCAPES a backslash is an ordinary character in strings. A
 * value that is not a string literal (@saved_sql_mode, DEFAULT, an
 * expression) is taken to restore the mode the file started with, which is
 * what dumps use it for.
 */
void split_track_my_setting(struct dbm_splitter *s, const char *t, size_t n)
{
	size_t i = 0, k;

	if (n > 3 && t[0] == '/' && t[1] == '*' && t[2] == '!') {
		for (i = 3; i < n && t[i] >= '0' && t[i] <= '9'; i++)
			;
		i = split_skip_blanks(s, t, n, i, 0);
	}
	if ((k = split_word_at(s, t + i, n - i, "set")) == 0)
		return;
	for (i += k; i + 8 <= n; i++) {
		unsigned char before = (unsigned char)t[i - 1];
		size_t e;

		if (!split_kw(t + i, 8, "sql_mode") || (s->tab[before] & SPLIT_C_WORD) ||
		    (i + 8 < n && (s->tab[(unsigned char)t[i + 8]] & SPLIT_C_WORD)))
			continue;
		if (before == '@' && i >= 2 && t[i - 2] != '@')
			continue; /* @sql_mode is a user variable */
		if ((before == '.' && i >= 7 && split_kw(t + i - 7, 6, "global")) ||
		    (i >= 7 && split_kw(t + i - 7, 6, "global") &&
		     (s->tab[before] & SPLIT_C_SPACE)))
			continue; /* SET GLOBAL sql_mode, @@global.sql_mode: not this session */
		k = split_skip_blanks(s, t, n, i + 8, 0);
		if (k + 1 < n && t[k] == ':' && t[k + 1] == '=')
			k++;
		if (k >= n || t[k] != '=')
			continue;
		k = split_skip_blanks(s, t, n, k + 1, 0);
		e = n; /* an expression: CONCAT(@@sql_mode, ',NO_BACKSLASH_ESCAPES') */
		if (k < n && (t[k] == '\'' || t[k] == '"')) {
			char q = t[k];

			for (e = k + 1; e < n && t[e] != q; e++)
				;
		}
		s->no_esc = split_has_text(t + k, e - k, "no_backslash_escapes");
		s->ansi_quotes = split_has_text(t + k, e - k, "ansi_quotes") ||
		                 split_has_text(t + k, e - k, "'ansi'") ||
		                 split_has_text(t + k, e - k, "ansi,") ||
		                 split_has_text(t + k, e - k, ",ansi");
		i = k;
	}
}

/* Sets the error of a DELIMITER line at buf[p]. Returns DBM_ERR_USAGE. */
static int split_delimiter_error(struct dbm_splitter *s, size_t p, const char *what, size_t n,
                                 const char *text)
{
	if (n)
		dbm_error_set(DBM_ERR_USAGE, what, (int)n, text);
	else
		dbm_error_set(DBM_ERR_USAGE, "%s", what);
	dbm_error_set_where(NULL, split_line_at(s, p));
	dbm_error_set_hint("Write a delimiter of 1 to %d characters after DELIMITER, without a "
	                   "backslash, for example 'DELIMITER //'.",
	                   SPLIT_DELIM_MAX);
	return DBM_ERR_USAGE;
}

/*
 * A MySQL DELIMITER line whose keyword ends at buf[q]. The delimiter is read
 * as the client's get_arg() reads it: the first word after the keyword, or
 * a quoted string ('//', "$$", `;;`) whose quotes go, with a doubled quote
 * or a backslash (not in backticks) escaping the next byte. Returns 0
 * (delimiter set, pos after the line, or need set) or DBM_ERR_USAGE.
 */
int split_delimiter_line(struct dbm_splitter *s, size_t p, size_t q, int eof)
{
	const char *b = s->buf.ptr;
	size_t len = s->buf.len;
	const char *nl = memchr(b + q, '\n', len - q);
	size_t e = nl ? (size_t)(nl - b) : len;
	size_t t, t0, n = 0;
	char d[SPLIT_DELIM_MAX + 1];
	char qt = 0;

	if (!nl && !eof) {
		s->need = 1;
		return 0;
	}
	for (t = q; t < e && (s->tab[(unsigned char)b[t]] & SPLIT_C_SPACE); t++)
		;
	if (t < e && (b[t] == '\'' || b[t] == '"' || b[t] == '`'))
		qt = b[t++];
	for (t0 = t; t < e; t++) {
		char c = b[t];

		if (qt) {
			if (c == '\\' && qt != '`' && t + 1 < e)
				c = b[++t];
			else if (c == qt && t + 1 < e && b[t + 1] == qt)
				t++;
			else if (c == qt)
				break;
		} else if (s->tab[(unsigned char)c] & SPLIT_C_SPACE) {
			break;
		}
		if (n == SPLIT_DELIM_MAX)
			return split_delimiter_error(s, p, "delimiter '%.*s...' is too long", n, d);
		d[n++] = c;
	}
	if (qt && t >= e)
		return split_delimiter_error(s, p,
		                             "the delimiter after DELIMITER, %.*s, has no "
		                             "closing quote",
		                             e - t0 + 1, b + t0 - 1);
	if (n == 0)
		return split_delimiter_error(s, p, "'DELIMITER' needs a delimiter string", 0, NULL);
	if (memchr(d, '\\', n))
		return split_delimiter_error(s, p,
		                             "delimiter '%.*s' has a backslash, which the "
		                             "client refuses",
		                             n, d);
	if (n == 1 && d[0] == ';')
		n = 0;
	memcpy(s->delim, d, n);
	s->dlen = n;
	s->delim[s->dlen] = '\0';
	split_build_table(s);
	s->pos = e;
	return 0;
}

/*
 * A backslash in code at buf[p] (outside quotes and comments). For the
 * mysql and mariadb clients it starts a client command (\g, \G, \c, \d,
 * \q, ...; any other letter is an "Unknown command" error), except \N,
 * which is NULL and goes to the server. dbmigrate sends statements itself:
 * the commands are refused before anything runs, also in a lenient first
 * pass (sqlsplit.h), by the sql_mode it infers: the client's backslash
 * commands are rare inside strings, and a file that starts with a SET
 * would otherwise run it before the refusal. (psql's meta-commands wait for
 * the server's rules instead: with standard_conforming_strings off a
 * backslash in a string is common.) Returns 0 for \N, 1 when more input is
 * needed, DBM_ERR_USAGE with the error set.
 */
int split_client_command(struct dbm_splitter *s, size_t p, int eof)
{
	const char *b = s->buf.ptr;
	size_t len = s->buf.len;

	if (p + 1 >= len && !eof)
		return 1;
	if (p + 1 < len && b[p + 1] == 'N')
		return 0;
	if (p + 1 < len && !(s->tab[(unsigned char)b[p + 1]] & SPLIT_C_SPACE))
		dbm_error_set(DBM_ERR_USAGE, "client command '%.2s' is not supported", b + p);
	else
		dbm_error_set(DBM_ERR_USAGE, "a backslash outside quotes is a client command, "
		                             "which is not supported");
	dbm_error_set_where(NULL, split_line_at(s, p));
	dbm_error_set_hint("Remove it: dbmigrate sends each statement to the server itself, and "
	                   "backslash commands are the mysql client's. End statements with ';' "
	                   "(or the DELIMITER).");
	return DBM_ERR_USAGE;
}

/*
 * MySQL: 1 when the statement t[0..n) is nothing but version comments
 * (slash-star-bang, MariaDB's slash-star-M-bang) and optimizer hints
 * (slash-star-plus) with blanks between them: the server skips a version
 * comment for a later version and a hint on its own, and such a statement is
 * then an empty query, which the client lets pass. Quotes inside are skipped
 * as the lexer skips them. Else 0.
 */
int split_my_only_conditional(const struct dbm_splitter *s, const char *t, size_t n)
{
	size_t i = 0;

	for (;;) {
		while (i < n && (s->tab[(unsigned char)t[i]] & SPLIT_C_SPACE))
			i++;
		if (i >= n)
			return 1;
		if (n - i < 3 || t[i] != '/' || t[i + 1] != '*' ||
		    !(t[i + 2] == '!' || t[i + 2] == '+' ||
		      (t[i + 2] == 'M' && i + 3 < n && t[i + 3] == '!')))
			return 0;
		for (i += 3; i < n && !(t[i] == '*' && i + 1 < n && t[i + 1] == '/'); i++) {
			char q = t[i];

			if (q != '\'' && q != '"' && q != '`')
				continue;
			for (i++; i < n && t[i] != q; i++)
				if (t[i] == '\\' && q != '`' && !s->no_esc)
					i++;
		}
		if (i >= n)
			return 0;
		i += 2;
	}
}

/* 1 when t[0..n) holds the lower-case word kw in any case, anywhere. */
int split_has_text(const char *t, size_t n, const char *kw)
{
	size_t k = strlen(kw), i;

	for (i = 0; i + k <= n; i++)
		if ((t[i] | 0x20) == kw[0] && split_kw(t + i, k, kw))
			return 1;
	return 0;
}

/*
 * MySQL: 1 when the statement t[0..n) may change sql_mode, and with it how
 * the server reads strings (NO_BACKSLASH_ESCAPES, ANSI_QUOTES): any SET
 * (SET sql_mode, SET SESSION, SET @@..., SET STATEMENT ...), CALL and
 * EXECUTE (a routine or prepared statement may SET it), a compound BEGIN
 * block, a version comment (mysqldump wraps its SETs in them) and any
 * statement that names sql_mode. It errs on the side of flagging. Else 0.
 */
int split_my_string_rules(const struct dbm_splitter *s, const char *t, size_t n)
{
	if (n >= 2 && t[0] == '/' && t[1] == '*')
		return 1;
	if (split_word_at(s, t, n, "set") || split_word_at(s, t, n, "call") ||
	    split_word_at(s, t, n, "execute") || split_word_at(s, t, n, "begin"))
		return 1;
	return split_has_text(t, n, "sql_mode");
}
