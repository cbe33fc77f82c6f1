/*
 * sqlsplit.c - the streaming SQL statement splitter (sqlsplit.h).
 *
 * The runner feeds a migration file through it chunk by chunk and hands each
 * statement to the driver; tests and small callers use dbm_split_string().
 * There is one lexer; the dialect switches rules on and off (which quotes
 * exist, whether backslash escapes, dollar quotes, nested comments, `#`
 * comments, DELIMITER lines, COPY data and psql meta-commands apply). The
 * rules that only one database has live beside it, in sqlsplit_pgsql.c
 * (meta-commands, COPY data, standard_conforming_strings) and
 * sqlsplit_mysql.c (DELIMITER lines, comment removal, NO_BACKSLASH_ESCAPES);
 * sqlsplit_int.h is what the three share.
 *
 * Buffering. Fed bytes are appended to one buffer in slices of at most
 * SPLIT_SLICE bytes and lexed there; bytes before the current statement's
 * first token are dropped when the buffer would otherwise grow. So the buffer
 * holds at most the longest statement (for COPY ... FROM STDIN: the
 * statement plus its whole data block, which the callback receives in one
 * piece) plus a slice, whatever the file size. Statements are handed out in
 * place: the byte after the text is set to NUL for the callback and restored.
 * No allocation happens per statement.
 *
 * Resuming. A token that needs bytes that have not arrived yet (the second
 * byte of "--", the end of a word, a "$tag$", the rest of a DELIMITER line,
 * the byte after a closing quote) stops the lexer at the token's first byte
 * with `need` set; the next feed appends bytes and lexes the token again.
 * Long constructs (strings, comments, dollar quotes, COPY data) are states of
 * their own and resume where they stopped, so no byte is scanned twice
 * except inside one short token. At finish, missing bytes read as end of
 * input.
 *
 * Lines are counted lazily: line_no is the line of buf[line_pos], and
 * split_line_at() moves that mark forward with memchr() when a statement
 * starts or an error needs a line.
 *
 * Lexer states (s->state):
 *
 *   SPLIT_TOP           code. With in_stmt == 0 we are between statements:
 *                       whitespace and comments are skipped (and dropped),
 *                       a lone delimiter is an empty statement and is
 *                       skipped, a MySQL "DELIMITER x" line at the start of
 *                       a line changes the delimiter, a PostgreSQL line
 *                       starting with a backslash is a psql meta-command
 *                       (an error), and anything else is the first token
 *                       of a statement (in_stmt = 1, stmt_start, stmt_line).
 *                       Inside a statement the delimiter outside a body ends
 *                       the statement; quotes and comments switch state.
 *   SPLIT_SQUOTE        inside '...'; '' is a quote; with esc (MySQL unless
 *                       a SET put NO_BACKSLASH_ESCAPES in sql_mode, a
 *                       PostgreSQL E'...' string, or any PostgreSQL string
 *                       after SET standard_conforming_strings = off) a
 *                       backslash escapes the next byte. split_emit()
 *                       follows those two settings, statement by statement.
 *   SPLIT_DQUOTE        inside "..."; "" is a quote; a quoted identifier,
 *                       except in MySQL where it is a string with esc.
 *   SPLIT_BQUOTE        inside `...` (MySQL, SQLite); `` is a backtick.
 *   SPLIT_BRACKET       inside [...] (SQLite); ends at the first ].
 *   SPLIT_LINE_COMMENT  after -- (MySQL: "-- " with a space or control byte
 *                       or end of input after the dashes) or # (MySQL), up
 *                       to the newline, which SPLIT_TOP then reads.
 *   SPLIT_BLOCK_COMMENT inside a block comment; cdepth counts nesting
 *                       (PostgreSQL nests comments). MySQL's version
 *                       comments and hints are not comments but code,
 *                       lexed in SPLIT_TOP with vcomment set (quotes and
 *                       the delimiter count inside them, as for the
 *                       client) up to the first star-slash outside quotes.
 *
 * Also in SPLIT_TOP, for PostgreSQL: parentheses are counted in every
 * statement (a ; inside them does not split, as in psql), brackets too (no
 * psql variable inside them), and a backslash or a psql variable is an
 * error; for MySQL a backslash is a client command (an error) but \N.
 *   SPLIT_DOLLAR        inside a PostgreSQL $tag$...$tag$ string (the tag,
 *                       both dollars included, is the taglen bytes at
 *                       open_pos: psql allows any length).
 *   SPLIT_COPY_LINE     after the ; of COPY ... FROM STDIN: the rest of
 *                       that line, which is ignored.
 *   SPLIT_COPY_DATA     the COPY data lines, up to a line that is exactly
 *                       "\." (a trailing \r allowed); then the statement is
 *                       handed out with the data and we are back in TOP.
 *
 * Statement kinds (s->kind) decide whether words are looked at at all: a
 * plain statement is scanned for quotes, comments and the delimiter only,
 * in a tight loop over a byte-class table. Words are read while the kind is
 * still open:
 *
 *   SPLIT_K_FIRST    no word seen yet
 *   SPLIT_K_CREATE   after CREATE, looking for TRIGGER (SQLite, MySQL),
 *                    PROCEDURE / FUNCTION / EVENT (MySQL), FUNCTION /
 *                    PROCEDURE (PostgreSQL) past OR REPLACE, TEMP,
 *                    AGGREGATE
 *   SPLIT_K_DEFINER  MySQL: after DEFINER, skipping the user
 *   SPLIT_K_MYBEGIN  MySQL statement starting with BEGIN: a body only when
 *                    NOT ATOMIC follows (MariaDB's anonymous compound
 *                    statement); BEGIN; and BEGIN WORK; are plain
 *   SPLIT_K_BODY     PostgreSQL: after CREATE [OR REPLACE] FUNCTION|PROCEDURE,
 *                    psql's rule (split_pg_word): outside parentheses BEGIN
 *                    opens a block, CASE inside one opens one, END closes.
 *                    Elsewhere counting BEGIN / CASE against END: END IF, END LOOP,
 *                    END WHILE, END REPEAT, END FOR (MariaDB's FOR loop)
 *                    do not close (their openers are
 *                    not counted), END CASE closes a CASE; while depth > 0
 *                    the delimiter does not split
 *   SPLIT_K_COPY     PostgreSQL COPY: looking for FROM STDIN
 *   SPLIT_K_PLAIN    nothing to look for
 *
 * While a MySQL DELIMITER other than ; is set, every statement is plain:
 * only the delimiter splits, wherever it appears outside quotes and
 * comments.
 */
#include <stdio.h>
#include <string.h>

#include "sqlsplit_int.h"

/* Test-only: the capacity of the input buffer, to check memory stays bounded. */
size_t dbm_splitter_test_capacity(const struct dbm_splitter *s);

size_t dbm_splitter_test_capacity(const struct dbm_splitter *s)
{
	return s->buf.cap;
}

void split_build_table(struct dbm_splitter *s)
{
	unsigned char *t = s->tab;
	const char *p;
	int c;

	memset(s->tab, 0, sizeof(s->tab));
	for (c = 0; c < 256; c++) {
		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		    c == '_' || c == '$' || c >= 0x80)
			t[c] |= SPLIT_C_WORD;
	}
	for (p = " \t\n\r\f\v"; *p; p++)
		t[(unsigned char)*p] |= SPLIT_C_SPACE;
	for (p = "'\"-/"; *p; p++)
		t[(unsigned char)*p] |= SPLIT_C_SPECIAL;
	if (!s->dlen)
		t[';'] |= SPLIT_C_SPECIAL;
	else
		t[(unsigned char)s->delim[0]] |= SPLIT_C_SPECIAL;
	switch (s->dialect) {
	case DBM_DIALECT_SQLITE:
		t['`'] |= SPLIT_C_SPECIAL;
		t['['] |= SPLIT_C_SPECIAL;
		break;
	case DBM_DIALECT_MYSQL:
		t['`'] |= SPLIT_C_SPECIAL;
		t['#'] |= SPLIT_C_SPECIAL;
		t['\\'] |= SPLIT_C_SPECIAL; /* a client command such as \g */
		t['*'] |= SPLIT_C_STAR;
		break;
	case DBM_DIALECT_PGSQL:
		t['$'] |= SPLIT_C_SPECIAL;
		for (p = "()[]:\\"; *p; p++)
			t[(unsigned char)*p] |= SPLIT_C_PAREN;
		break;
	}
}

/*
 * Returns the 1-based line of buf[p]; p must not be before the last asked
 * position. A line ends at LF, CR LF or a CR alone, as editors show it.
 */
unsigned split_line_at(struct dbm_splitter *s, size_t p)
{
	const char *b = s->buf.ptr;
	size_t i = s->line_pos;
	unsigned n = s->line_no;
	int cr = s->line_cr;

	if (p <= i)
		return n;
	for (; i < p; i++) {
		char c = b[i];

		if (c == '\r') {
			n++;
			cr = 1;
		} else {
			if (c == '\n' && !cr)
				n++;
			cr = 0;
		}
	}
	s->line_no = n;
	s->line_cr = cr;
	s->line_pos = p;
	return n;
}

/* The classes the code loop stops at in a statement whose words are not looked at. */
static unsigned split_plain_mask(const struct dbm_splitter *s)
{
	unsigned m = SPLIT_C_SPECIAL;

	if (s->dialect == DBM_DIALECT_PGSQL)
		m |= SPLIT_C_PAREN;
	if (s->vcomment)
		m |= SPLIT_C_STAR;
	return m;
}

static void split_stmt_reset(struct dbm_splitter *s)
{
	s->in_stmt = 0;
	s->kind = SPLIT_K_PLAIN;
	s->depth = 0;
	s->pdepth = 0;
	s->bdepth = 0;
	s->vcomment = 0;
	s->only_cond = 0;
	memset(s->ids, 0, sizeof(s->ids));
	s->mask = split_plain_mask(s);
	s->pend_end = s->pend_begin = s->pend_from = 0;
	s->kwords = 0;
	s->copy_in = 0;
	s->has_comment = 0;
	s->state = SPLIT_TOP;
}

/* Drops the bytes nobody needs any more: those before the current statement or position. */
static void split_compact(struct dbm_splitter *s)
{
	size_t keep = s->in_stmt ? s->stmt_start : s->pos;

	if (!keep)
		return;
	split_line_at(s, keep);
	memmove(s->buf.ptr, s->buf.ptr + keep, s->buf.len - keep + 1);
	s->buf.len -= keep;
	s->pos -= keep;
	s->line_pos -= keep;
	if (s->in_stmt) {
		s->stmt_start -= keep;
		s->open_pos -= keep;
		s->body_pos -= keep;
		s->pend_pos -= keep;
		s->stmt_end -= keep;
		s->copy_start -= keep;
		s->copy_scan -= keep;
	}
}

/* ASCII case-insensitive: is w[0..n) the lower-case keyword kw? */
int split_kw(const char *w, size_t n, const char *kw)
{
	size_t i;

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)w[i];

		if (c >= 'A' && c <= 'Z')
			c = (unsigned char)(c - 'A' + 'a');
		if (!kw[i] || c != (unsigned char)kw[i])
			return 0;
	}
	return kw[n] == '\0';
}

static void split_plain(struct dbm_splitter *s)
{
	s->kind = SPLIT_K_PLAIN;
	s->mask = split_plain_mask(s);
}

static int split_routine_word(struct dbm_splitter *s, const char *w, size_t n)
{
	if (s->dialect == DBM_DIALECT_SQLITE)
		return split_kw(w, n, "trigger");
	if (s->dialect == DBM_DIALECT_PGSQL)
		return split_kw(w, n, "function") || split_kw(w, n, "procedure");
	return split_kw(w, n, "procedure") || split_kw(w, n, "function") ||
	       split_kw(w, n, "trigger") || split_kw(w, n, "event");
}

static void split_enter_routine(struct dbm_splitter *s)
{
	s->kind = SPLIT_K_BODY;
}

/* Opens a BEGIN or CASE block whose word starts at p. */
static void split_open_block(struct dbm_splitter *s, size_t p)
{
	if (s->depth++ == 0)
		s->body_pos = p;
}

/* Settles an END seen before: it closes a block unless IF/LOOP/WHILE/REPEAT follows. */
static void split_close_pending(struct dbm_splitter *s)
{
	if (s->pend_end) {
		s->pend_end = 0;
		if (s->depth > 0)
			s->depth--;
	}
}

/*
 * PostgreSQL, after CREATE: psql's own rule (psqlscan.l). It notes which of
 * the first four words are OR, REPLACE, FUNCTION and PROCEDURE; once they
 * read CREATE [OR REPLACE] FUNCTION|PROCEDURE, every BEGIN outside
 * parentheses opens a block, a CASE inside a block opens one, and an END
 * closes one. A ; ends the statement only outside blocks and parentheses.
 */
static void split_pg_word(struct dbm_splitter *s, const char *w, size_t n, size_t p)
{
	unsigned char *id = s->ids;

	if (s->kind == SPLIT_K_CREATE) {
		int i = s->kwords++;

		if (i < 4 && (split_kw(w, n, "or") || split_kw(w, n, "replace") ||
		              split_kw(w, n, "function") || split_kw(w, n, "procedure")))
			id[i] = (unsigned char)(w[0] | 0x20);
		if (id[1] == 'f' || id[1] == 'p' ||
		    (id[1] == 'o' && id[2] == 'r' && (id[3] == 'f' || id[3] == 'p'))) {
			s->kind = SPLIT_K_BODY;
			return;
		}
		if ((s->kwords >= 2 && id[1] != 'o') || (s->kwords >= 3 && id[2] != 'r') ||
		    s->kwords >= 4)
			split_plain(s);
		return;
	}
	if (s->pdepth > 0)
		return;
	if (split_kw(w, n, "begin"))
		split_open_block(s, p);
	else if (split_kw(w, n, "case")) {
		if (s->depth > 0)
			s->depth++;
	} else if (split_kw(w, n, "end")) {
		if (s->depth > 0)
			s->depth--;
	}
}

/* Classifies the statement and tracks bodies, one word (starting at buf[p]) at a time. */
static void split_word(struct dbm_splitter *s, const char *w, size_t n, size_t p)
{
	if (s->dialect == DBM_DIALECT_PGSQL &&
	    (s->kind == SPLIT_K_CREATE || s->kind == SPLIT_K_BODY)) {
		split_pg_word(s, w, n, p);
		return;
	}
	switch (s->kind) {
	case SPLIT_K_FIRST:
		if (split_kw(w, n, "create")) {
			s->kind = SPLIT_K_CREATE;
			s->kwords = 1;
		} else if (s->dialect == DBM_DIALECT_PGSQL && split_kw(w, n, "copy"))
			s->kind = SPLIT_K_COPY;
		else if (s->dialect == DBM_DIALECT_MYSQL && split_kw(w, n, "begin")) {
			s->kind = SPLIT_K_MYBEGIN;
			s->pend_pos = p;
		} else
			split_plain(s);
		break;
	case SPLIT_K_CREATE:
		if (split_routine_word(s, w, n))
			split_enter_routine(s);
		else if (s->dialect == DBM_DIALECT_SQLITE &&
		         (split_kw(w, n, "temp") || split_kw(w, n, "temporary")))
			;
		else if (s->dialect != DBM_DIALECT_SQLITE &&
		         (split_kw(w, n, "or") || split_kw(w, n, "replace")))
			;
		else if (s->dialect == DBM_DIALECT_MYSQL && split_kw(w, n, "aggregate"))
			;
		else if (s->dialect == DBM_DIALECT_MYSQL && split_kw(w, n, "definer")) {
			s->kind = SPLIT_K_DEFINER;
			s->kwords = 0;
		} else
			split_plain(s);
		break;
	case SPLIT_K_DEFINER:
		/* DEFINER = user@host, `user`@`host`, 'user'@'%', CURRENT_USER[()] */
		if (split_routine_word(s, w, n))
			split_enter_routine(s);
		else if (split_kw(w, n, "aggregate"))
			;
		else if (++s->kwords > 4 || split_kw(w, n, "view") || split_kw(w, n, "sql"))
			split_plain(s);
		break;
	case SPLIT_K_MYBEGIN:
		if (!s->pend_begin && split_kw(w, n, "not")) {
			s->pend_begin = 1;
		} else if (s->pend_begin && split_kw(w, n, "atomic")) {
			s->pend_begin = 0;
			s->kind = SPLIT_K_BODY;
			split_open_block(s, s->pend_pos);
		} else {
			split_plain(s);
		}
		break;
	case SPLIT_K_BODY:
		if (s->pend_end) {
			if (split_kw(w, n, "if") || split_kw(w, n, "loop") ||
			    split_kw(w, n, "while") || split_kw(w, n, "repeat") ||
			    split_kw(w, n, "for")) {
				s->pend_end = 0;
				break;
			}
			split_close_pending(s);
			if (split_kw(w, n, "case"))
				break; /* END CASE */
		}
		if (split_kw(w, n, "begin") || split_kw(w, n, "case"))
			split_open_block(s, p);
		else if (split_kw(w, n, "end"))
			s->pend_end = 1;
		break;
	case SPLIT_K_COPY:
		if (s->pend_from) {
			s->pend_from = 0;
			if (split_kw(w, n, "stdin")) {
				s->copy_in = 1;
				split_plain(s);
				break;
			}
		}
		if (split_kw(w, n, "from"))
			s->pend_from = 1;
		break;
	case SPLIT_K_PLAIN:
		break;
	}
}

/*
 * Does the delimiter start at buf[p]? Returns 1 yes, 0 no, -1 when more
 * input is needed to tell.
 */
static int split_delim_at(const struct dbm_splitter *s, size_t p, int eof)
{
	const char *b = s->buf.ptr;
	size_t avail = s->buf.len - p;

	if (!s->dlen)
		return b[p] == ';';
	if (avail < s->dlen) {
		if (eof || memcmp(b + p, s->delim, avail) != 0)
			return 0;
		return -1;
	}
	return memcmp(b + p, s->delim, s->dlen) == 0;
}

/* Returns the length of kw when t[0..n) starts with that lower-case word (any case), else 0. */
size_t split_word_at(const struct dbm_splitter *s, const char *t, size_t n, const char *kw)
{
	size_t k = strlen(kw);

	if (n < k || !split_kw(t, k, kw))
		return 0;
	if (k < n && (s->tab[(unsigned char)t[k]] & SPLIT_C_WORD))
		return 0;
	return k;
}

/* Skips blanks (and, with eq, one = or TO) from t[i]; returns the new index. */
size_t split_skip_blanks(const struct dbm_splitter *s, const char *t, size_t n, size_t i, int eq)
{
	size_t k;

	while (i < n && (s->tab[(unsigned char)t[i]] & SPLIT_C_SPACE))
		i++;
	if (!eq)
		return i;
	if (i < n && t[i] == '=')
		i++;
	else if ((k = split_word_at(s, t + i, n - i, "to")) != 0)
		i += k;
	else
		return n; /* neither: not an assignment we follow */
	return split_skip_blanks(s, t, n, i, 0);
}

/*
 * Hands the statement buf[stmt_start..e) to the callback, with COPY data when
 * data is not NULL, and starts looking for the next one. Returns the
 * callback's value.
 */
int split_emit(struct dbm_splitter *s, size_t e, const char *data, size_t dlen)
{
	struct dbm_stmt st;
	char *b = s->buf.ptr;
	char save;
	int rc;

	if (s->has_comment) {
		split_line_at(s, e); /* count the lines before the text changes */
		e = split_my_strip(s, e);
	}
	if (s->dialect == DBM_DIALECT_PGSQL &&
	    ((b[s->stmt_start] | 0x20) == 's' || (b[s->stmt_start] | 0x20) == 'r'))
		split_track_pg_setting(s, b + s->stmt_start, e - s->stmt_start);
	else if (s->dialect == DBM_DIALECT_MYSQL &&
	         ((b[s->stmt_start] | 0x20) == 's' || b[s->stmt_start] == '/'))
		split_track_my_setting(s, b + s->stmt_start, e - s->stmt_start);
	save = b[e];

	b[e] = '\0';
	st.sql = b + s->stmt_start;
	st.len = e - s->stmt_start;
	st.line = s->stmt_line;
	st.index = ++s->count;
	st.flags = data ? DBM_STMT_COPY_IN : 0;
	st.splitter = s;
	st.arg_off = st.arg_len = 0;
	st.flags |= split_classify(s, st.sql, st.len);
	if (s->eof_body || s->held)
		st.flags |= DBM_STMT_ALONE;
	if (st.flags & DBM_STMT_XA_START)
		split_xid(s, st.sql, st.len, &st.arg_off, &st.arg_len);
	if (s->only_cond && split_my_only_conditional(s, st.sql, st.len))
		st.flags |= DBM_STMT_ONLY_CONDITIONAL | DBM_STMT_ALONE;
	if ((s->dialect == DBM_DIALECT_PGSQL && split_pg_string_rules(s, st.sql, st.len)) ||
	    (s->dialect == DBM_DIALECT_MYSQL && split_my_string_rules(s, st.sql, st.len))) {
		st.flags |= DBM_STMT_STRING_RULES;
		s->rules_seen = 1;
	}
	st.copy_data = data;
	st.copy_len = dlen;
	rc = s->cb(s->ctx, &st);
	b[e] = save;
	split_stmt_reset(s);
	return rc;
}

/*
 * The delimiter buf[p..dend) ends the current statement. Returns the
 * callback's value, or 0 when a COPY statement now waits for its data.
 */
static int split_end_stmt(struct dbm_splitter *s, size_t p, size_t dend)
{
	const char *b = s->buf.ptr;
	size_t e = p;

	while (e > s->stmt_start && (s->tab[(unsigned char)b[e - 1]] & SPLIT_C_SPACE))
		e--;
	s->pos = dend;
	if (s->copy_in) {
		s->stmt_end = e;
		s->open_pos = p;
		s->state = SPLIT_COPY_LINE;
		return 0;
	}
	return split_emit(s, e, NULL, 0);
}

/* Starts a statement whose first token is at buf[p]. */
static void split_begin_stmt(struct dbm_splitter *s, size_t p)
{
	unsigned char c = (unsigned char)s->buf.ptr[p];

	split_stmt_reset(s);
	s->in_stmt = 1;
	s->stmt_start = p;
	s->stmt_line = split_line_at(s, p);
	s->bol = 0;
	s->pos = p;
	if (!s->dlen && (s->tab[c] & SPLIT_C_WORD) && !(c >= '0' && c <= '9') && c != '$') {
		s->kind = SPLIT_K_FIRST;
		s->mask |= SPLIT_C_WORD;
	}
	s->only_cond = s->dialect == DBM_DIALECT_MYSQL && c == '/';
}

/*
 * Between statements: skips blanks and comments, handles empty statements,
 * DELIMITER lines and meta-commands, or starts a statement. Returns 0 or an
 * error class.
 */
static int split_between(struct dbm_splitter *s, int eof)
{
	const char *b = s->buf.ptr;
	size_t len = s->buf.len;
	size_t p = s->pos;
	unsigned char c;
	int r;

	while (p < len) {
		c = (unsigned char)b[p];
		if (c == '\n')
			s->bol = 1;
		else if (!(s->tab[c] & SPLIT_C_SPACE))
			break;
		p++;
	}
	s->pos = p;
	if (p >= len)
		return 0;

	r = split_delim_at(s, p, eof);
	if (r < 0) {
		s->need = 1;
		return 0;
	}
	if (r > 0) {
		s->pos = p + (s->dlen ? s->dlen : 1);
		s->bol = 0;
		return 0;
	}

	if (c == '-' || c == '/') {
		unsigned char c2;

		if (p + 1 >= len && !eof) {
			s->need = 1;
			return 0;
		}
		c2 = (unsigned char)b[p + 1]; /* NUL at end of input */
		if (c == '-' && c2 == '-') {
			/*
			 * Where a statement would start, the mariadb client takes
			 * "--" as a comment even without the blank after it (it
			 * does so to run test scripts): so does dbmigrate.
			 */
			s->state = SPLIT_LINE_COMMENT;
			s->pos = p + 2;
			return 0;
		} else if (c == '/' && c2 == '*') {
			if (s->dialect == DBM_DIALECT_MYSQL) {
				if (p + 3 >= len && !eof) {
					s->need = 1;
					return 0;
				}
				/* version comment (MariaDB's too: M!) or hint: SQL */
				if (p + 2 < len &&
				    (b[p + 2] == '!' || b[p + 2] == '+' ||
				     (b[p + 2] == 'M' && p + 3 < len && b[p + 3] == '!'))) {
					split_begin_stmt(s, p);
					return 0;
				}
			}
			s->open_line = split_line_at(s, p);
			s->cdepth = 1;
			s->bol = 0;
			s->state = SPLIT_BLOCK_COMMENT;
			s->pos = p + 2;
			return 0;
		}
	} else if (c == '#' && s->dialect == DBM_DIALECT_MYSQL) {
		s->state = SPLIT_LINE_COMMENT;
		s->pos = p + 1;
		return 0;
	} else if (c == '\\' && s->dialect == DBM_DIALECT_PGSQL) {
		return split_meta_command(s, p, eof);
	} else if (c == '\\' && s->dialect == DBM_DIALECT_MYSQL) {
		r = split_client_command(s, p, eof);
		if (r < 0)
			return r;
		if (r > 0) {
			s->need = 1;
			return 0;
		}
	} else if ((c == 'd' || c == 'D') && s->bol && s->dialect == DBM_DIALECT_MYSQL) {
		size_t q = p;

		while (q < len && (s->tab[(unsigned char)b[q]] & SPLIT_C_WORD))
			q++;
		if (q >= len && !eof) {
			s->need = 1;
			return 0;
		}
		if (split_kw(b + p, q - p, "delimiter") &&
		    (q >= len || (s->tab[(unsigned char)b[q]] & SPLIT_C_SPACE)))
			return split_delimiter_line(s, p, q, eof);
	}
	split_begin_stmt(s, p);
	return 0;
}

/*
 * Code inside a statement: the tight loop. Returns 0 (moved on, changed
 * state, or need set) or the callback's value when a statement ends.
 */
static int split_code(struct dbm_splitter *s, int eof)
{
	const unsigned char *t = s->tab;
	const char *b = s->buf.ptr;
	size_t len = s->buf.len;
	size_t p = s->pos;
	int pg = s->dialect == DBM_DIALECT_PGSQL;
	int my = s->dialect == DBM_DIALECT_MYSQL;
	unsigned m = s->mask;

	for (;;) {
		unsigned char c;

		while (p < len && !(t[(unsigned char)b[p]] & m))
			p++;
		if (p >= len)
			break;
		c = (unsigned char)b[p];
		if (s->dlen && c == (unsigned char)s->delim[0]) {
			int r = split_delim_at(s, p, eof);

			if (r < 0)
				goto need;
			if (r > 0 && !s->hold)
				return split_end_stmt(s, p, p + s->dlen);
		}
		if ((t[c] & m & SPLIT_C_WORD) && !(pg && c == '$')) {
			size_t q = p + 1;

			while (q < len && (t[(unsigned char)b[q]] & SPLIT_C_WORD))
				q++;
			if (q >= len && !eof)
				goto need;
			if (!(c >= '0' && c <= '9'))
				split_word(s, b + p, q - p, p);
			m = s->mask;
			p = q;
			continue;
		}
		switch (c) {
		case ';':
			if (s->dlen)
				break;
			split_close_pending(s);
			if (s->depth > 0 || s->pdepth > 0 || s->hold)
				break;
			return split_end_stmt(s, p, p + 1);
		case '(':
			if (pg)
				s->pdepth++;
			break;
		case ')':
			if (pg && s->pdepth > 0)
				s->pdepth--;
			break;
		case ']':
			if (pg && s->bdepth > 0)
				s->bdepth--;
			break;
		case ':':
			if (pg && s->bdepth == 0) {
				int r = split_psql_variable(s, p, eof);

				if (r < 0)
					return r;
				if (r > 0)
					goto need;
				if (p + 1 < len && (b[p + 1] == ':' || b[p + 1] == '='))
					p++; /* a cast or :=, not a variable */
			}
			break;
		case '\\':
			if (pg) {
				int r = split_meta_in_stmt(s, p, eof);

				if (r < 0)
					return r;
				if (r > 0)
					goto need;
				break;
			}
			if (my) {
				int r = split_client_command(s, p, eof);

				if (r < 0)
					return r;
				if (r > 0)
					goto need;
				p++; /* \N, NULL */
			}
			break;
		case '*':
			if (!s->vcomment)
				break;
			if (p + 1 >= len && !eof)
				goto need;
			if (b[p + 1] != '/')
				break;
			s->vcomment = 0;
			s->mask &= ~(unsigned)SPLIT_C_STAR;
			m = s->mask;
			p += 2;
			continue;
		case '\'':
			s->esc = my ? !s->no_esc : s->plain_esc;
			if (pg && p > s->stmt_start && (b[p - 1] == 'E' || b[p - 1] == 'e') &&
			    (p - 1 == s->stmt_start ||
			     !(t[(unsigned char)b[p - 2]] & SPLIT_C_WORD)))
				s->esc = 1;
			s->state = SPLIT_SQUOTE;
			goto open;
		case '"':
			s->esc = my && !s->no_esc && !s->ansi_quotes;
			s->state = SPLIT_DQUOTE;
			goto open;
		case '`':
			s->state = SPLIT_BQUOTE;
			goto open;
		case '[':
			if (pg) {
				s->bdepth++;
				break;
			}
			s->state = SPLIT_BRACKET;
			goto open;
		case '#':
			if (!my)
				break;
			s->has_comment = 1;
			s->state = SPLIT_LINE_COMMENT;
			goto open;
		case '-':
			if (p + 1 >= len && !eof)
				goto need;
			if (b[p + 1] != '-')
				break;
			if (my) {
				if (p + 2 >= len && !eof)
					goto need;
				if (p + 2 < len && (unsigned char)b[p + 2] > ' ')
					break;
				s->has_comment = 1;
			}
			s->state = SPLIT_LINE_COMMENT;
			s->open_pos = p;
			s->pos = p + 2;
			return 0;
		case '/':
			if (p + 1 >= len && !eof)
				goto need;
			if (b[p + 1] != '*')
				break;
			if (my) {
				/*
				 * A version comment or an optimizer hint is code for
				 * the client and the server: quotes and delimiters
				 * inside it count, up to the first star-slash outside
				 * quotes.
				 */
				if (p + 3 >= len && !eof)
					goto need;
				if (p + 2 < len &&
				    (b[p + 2] == '!' || b[p + 2] == '+' ||
				     (b[p + 2] == 'M' && p + 3 < len && b[p + 3] == '!'))) {
					s->vcomment = 1;
					s->mask |= SPLIT_C_STAR;
					m = s->mask;
					p += b[p + 2] == 'M' ? 4 : 3;
					continue;
				}
			}
			s->has_comment = my;
			s->cdepth = 1;
			s->state = SPLIT_BLOCK_COMMENT;
			s->open_pos = p;
			s->pos = p + 2;
			return 0;
		case '$':
			if (pg) {
				size_t q = p + 1;

				if (p > s->stmt_start &&
				    (t[(unsigned char)b[p - 1]] & SPLIT_C_WORD))
					break; /* inside an identifier */
				if (q < len && b[q] >= '0' && b[q] <= '9')
					break; /* $1 parameter */
				while (q < len && (t[(unsigned char)b[q]] & SPLIT_C_WORD) &&
				       b[q] != '$')
					q++;
				if (q >= len && !eof)
					goto need;
				if (q < len && b[q] == '$') {
					/* psql takes a tag of any length */
					s->taglen = q - p + 1;
					s->state = SPLIT_DOLLAR;
					s->open_pos = p;
					s->pos = q + 1;
					return 0;
				}
			}
			break;
		default:
			break;
		}
		p++;
	}
	s->pos = p;
	return 0;
need:
	s->pos = p;
	s->need = 1;
	return 0;
open:
	s->open_pos = p;
	s->pos = p + 1;
	return 0;
}

/* Inside a quoted string or identifier: moves pos on, back to TOP after the closing quote. */
static void split_quoted(struct dbm_splitter *s, int eof)
{
	const char *b = s->buf.ptr;
	size_t len = s->buf.len;
	size_t p = s->pos;
	char q;
	int esc = 0;

	switch (s->state) {
	case SPLIT_SQUOTE:
		q = '\'';
		esc = s->esc;
		break;
	case SPLIT_DQUOTE:
		q = '"';
		esc = s->esc;
		break;
	case SPLIT_BQUOTE:
		q = '`';
		break;
	default:
		q = ']';
		break;
	}
	for (;;) {
		if (esc) {
			while (p < len && b[p] != q && b[p] != '\\')
				p++;
		} else {
			const char *f = memchr(b + p, q, len - p);

			p = f ? (size_t)(f - b) : len;
		}
		if (p >= len)
			break;
		if (b[p] == '\\') {
			if (p + 1 >= len) {
				if (!eof)
					s->need = 1;
				else
					p = len;
				break;
			}
			p += 2;
			continue;
		}
		if (q != ']') {
			if (p + 1 >= len && !eof) {
				s->need = 1;
				break;
			}
			if (b[p + 1] == q) {
				p += 2;
				continue;
			}
		}
		p++;
		s->state = SPLIT_TOP;
		break;
	}
	s->pos = p;
}

/*
 * Inside a line comment: up to (not past) the end of the line. For
 * PostgreSQL a CR alone ends it too, as in psql's lexer and the server's
 * (both take [\n\r] as a newline); the mysql and mariadb clients and
 * SQLite end it at LF only.
 */
static void split_line_comment(struct dbm_splitter *s)
{
	const char *b = s->buf.ptr;
	size_t len = s->buf.len, p = s->pos;

	if (s->dialect == DBM_DIALECT_PGSQL) {
		while (p < len && b[p] != '\n' && b[p] != '\r')
			p++;
	} else {
		const char *nl = memchr(b + p, '\n', len - p);

		p = nl ? (size_t)(nl - b) : len;
	}
	s->pos = p;
	if (p < len)
		s->state = SPLIT_TOP;
}

/* Inside a block comment: past the end of the outermost one. */
static void split_block_comment(struct dbm_splitter *s, int eof)
{
	const char *b = s->buf.ptr;
	size_t len = s->buf.len;
	size_t p = s->pos;
	int nest = s->dialect == DBM_DIALECT_PGSQL;

	for (;;) {
		while (p < len && b[p] != '*' && b[p] != '/')
			p++;
		if (p >= len)
			break;
		if (p + 1 >= len) {
			if (!eof)
				s->need = 1;
			else
				p = len;
			break;
		}
		if (b[p] == '*' && b[p + 1] == '/') {
			p += 2;
			if (--s->cdepth == 0) {
				s->state = SPLIT_TOP;
				break;
			}
			continue;
		}
		if (nest && b[p] == '/' && b[p + 1] == '*') {
			s->cdepth++;
			p += 2;
			continue;
		}
		p++;
	}
	s->pos = p;
}

/* Inside $tag$...: past the closing $tag$. */
static void split_dollar(struct dbm_splitter *s, int eof)
{
	const char *b = s->buf.ptr;
	size_t len = s->buf.len;
	size_t p = s->pos;

	for (;;) {
		const char *f = memchr(b + p, '$', len - p);

		if (!f) {
			p = len;
			break;
		}
		p = (size_t)(f - b);
		if (len - p < s->taglen) {
			if (!eof)
				s->need = 1;
			else
				p = len;
			break;
		}
		if (memcmp(b + p, b + s->open_pos, s->taglen) == 0) {
			p += s->taglen;
			s->state = SPLIT_TOP;
			break;
		}
		p++;
	}
	s->pos = p;
}

/* Lexes what the buffer holds. Returns 0, the callback's value or an error class. */
static int split_lex(struct dbm_splitter *s, int eof)
{
	size_t len = s->buf.len;
	int rc = 0;

	s->need = 0;
	while (!rc && !s->need && s->pos < len) {
		switch (s->state) {
		case SPLIT_TOP:
			rc = s->in_stmt ? split_code(s, eof) : split_between(s, eof);
			break;
		case SPLIT_SQUOTE:
		case SPLIT_DQUOTE:
		case SPLIT_BQUOTE:
		case SPLIT_BRACKET:
			split_quoted(s, eof);
			break;
		case SPLIT_LINE_COMMENT:
			split_line_comment(s);
			break;
		case SPLIT_BLOCK_COMMENT:
			split_block_comment(s, eof);
			break;
		case SPLIT_DOLLAR:
			split_dollar(s, eof);
			break;
		case SPLIT_COPY_LINE:
		case SPLIT_COPY_DATA:
			rc = split_copy(s, eof);
			break;
		}
	}
	return rc;
}

/* Sets an "unterminated ..." error at the line of buf[p] (or line when p is not in a statement). */
static int split_unterminated(struct dbm_splitter *s, unsigned line, const char *what,
                              const char *hint)
{
	dbm_error_set(DBM_ERR_USAGE, "unterminated %s (opened at line %u)", what, line);
	dbm_error_set_where(NULL, line);
	dbm_error_set_hint("%s", hint);
	return DBM_ERR_USAGE;
}

/*
 * End of input after the last lex: reports what is still open, or hands out
 * the last statement. Returns 0, the callback's value or DBM_ERR_USAGE.
 */
static int split_end(struct dbm_splitter *s)
{
	const char *b = s->buf.ptr;
	size_t e;
	char what[SPLIT_TAG_SHOWN + 48];
	char hint[SPLIT_TAG_SHOWN + 48];
	int shown = s->taglen > SPLIT_TAG_SHOWN ? SPLIT_TAG_SHOWN : (int)s->taglen;

	if (s->lenient && s->rules_seen && s->state != SPLIT_TOP &&
	    s->state != SPLIT_LINE_COMMENT) {
		/* the server's rules may read this text otherwise: pass 2 decides */
		if (!s->in_stmt)
			return 0;
		s->state = SPLIT_TOP;
		s->depth = 0;
	}
	if (s->lenient && s->rules_seen && s->in_stmt)
		s->depth = 0;
	switch (s->state) {
	case SPLIT_TOP:
	case SPLIT_LINE_COMMENT:
		break;
	case SPLIT_SQUOTE:
		return split_unterminated(s, split_line_at(s, s->open_pos), "string",
		                          "Add the closing quote (').");
	case SPLIT_DQUOTE:
		if (s->dialect == DBM_DIALECT_MYSQL)
			return split_unterminated(s, split_line_at(s, s->open_pos), "string",
			                          "Add the closing quote (\").");
		return split_unterminated(s, split_line_at(s, s->open_pos), "quoted identifier",
		                          "Add the closing double quote (\").");
	case SPLIT_BQUOTE:
		return split_unterminated(s, split_line_at(s, s->open_pos), "quoted identifier",
		                          "Add the closing backtick (`).");
	case SPLIT_BRACKET:
		return split_unterminated(s, split_line_at(s, s->open_pos), "quoted identifier",
		                          "Add the closing bracket (]).");
	case SPLIT_BLOCK_COMMENT:
		return split_unterminated(s,
		                          s->in_stmt ? split_line_at(s, s->open_pos) : s->open_line,
		                          "block comment", "Add the closing */.");
	case SPLIT_DOLLAR:
		snprintf(what, sizeof(what), "dollar-quoted string %.*s%s", shown, b + s->open_pos,
		         shown < (int)s->taglen ? "..." : "");
		snprintf(hint, sizeof(hint), "Add the closing %.*s%s", shown, b + s->open_pos,
		         shown < (int)s->taglen ? "... (the same tag)." : ".");
		return split_unterminated(s, split_line_at(s, s->open_pos), what, hint);
	case SPLIT_COPY_LINE:
	case SPLIT_COPY_DATA:
		return split_unterminated(s, split_line_at(s, s->open_pos) + 1, "COPY data",
		                          "End the data with a line containing only \\. "
		                          "(backslash, period).");
	}
	if (!s->in_stmt)
		return 0;
	split_close_pending(s);
	/*
	 * psql sends what is left at the end of the file as it is, and the
	 * server parses it: a body psql's BEGIN/CASE/END count leaves open (a
	 * column named begin, say) still runs there, ';' and all. It goes alone,
	 * through the simple protocol, which takes several statements.
	 */
	if (s->depth > 0 && s->dialect == DBM_DIALECT_PGSQL)
		s->eof_body = 1;
	else if (s->depth > 0)
		return split_unterminated(s, split_line_at(s, s->body_pos), "BEGIN ... END body",
		                          "Add the missing END, followed by the statement "
		                          "delimiter.");
	e = s->buf.len;
	while (e > s->stmt_start && (s->tab[(unsigned char)b[e - 1]] & SPLIT_C_SPACE))
		e--;
	return split_emit(s, e, NULL, 0);
}

struct dbm_splitter *dbm_splitter_new(enum dbm_dialect dialect, dbm_stmt_cb cb, void *ctx)
{
	struct dbm_splitter *s = dbm_calloc(1, sizeof(*s));

	if (!s) {
		dbm_error_oom();
		return NULL;
	}
	s->dialect = dialect;
	s->cb = cb;
	s->ctx = ctx;
	dbm_splitter_reset(s);
	return s;
}

void dbm_splitter_reset(struct dbm_splitter *s)
{
	s->buf.len = 0;
	if (s->buf.ptr)
		s->buf.ptr[0] = '\0';
	s->pos = 0;
	s->need = 0;
	s->line_pos = 0;
	s->line_no = 1;
	s->line_cr = 0;
	s->count = 0;
	s->eof_body = 0;
	s->bol = 1;
	s->dlen = 0;
	s->delim[0] = '\0';
	s->plain_esc = 0;
	s->no_esc = 0;
	s->ansi_quotes = 0;
	s->rules_seen = 0;
	s->hold = 0;
	s->held = 0;
	split_stmt_reset(s);
	split_build_table(s);
}

/*
 * Appends data in slices and lexes each. The buffer is compacted only when
 * it would have to grow, and then grown so that at least half of it is free,
 * which keeps the copying linear however small the chunks are.
 */
int dbm_splitter_feed(struct dbm_splitter *s, const char *data, size_t len)
{
	int rc;

	while (len > 0) {
		size_t n = len < SPLIT_SLICE ? len : SPLIT_SLICE;

		if (s->buf.len + n + 1 > s->buf.cap) {
			split_compact(s);
			if (dbm_buf_grow(&s->buf, s->buf.len + 2 * n + 64) < 0)
				return DBM_ERR_NOMEM;
		}
		if (dbm_buf_add(&s->buf, data, n) < 0)
			return DBM_ERR_NOMEM;
		data += n;
		len -= n;
		rc = split_lex(s, 0);
		if (rc)
			return rc;
	}
	return 0;
}

int dbm_splitter_finish(struct dbm_splitter *s)
{
	int rc = split_lex(s, 1);

	if (!rc)
		rc = split_end(s);
	dbm_splitter_reset(s);
	return rc;
}

void dbm_splitter_set_rules(struct dbm_splitter *s, const struct dbm_string_rules *r)
{
	if (s->dialect == DBM_DIALECT_PGSQL) {
		s->plain_esc = r->backslash_escapes;
	} else if (s->dialect == DBM_DIALECT_MYSQL) {
		s->no_esc = !r->backslash_escapes;
		s->ansi_quotes = r->ansi_quotes;
	}
}

/* See sqlsplit.h. */
int dbm_splitter_hold(struct dbm_splitter *s, int on)
{
	int rc;

	if (on) {
		s->hold = 1;
		return 0;
	}
	rc = split_lex(s, 1);
	s->hold = 0;
	if (rc || !s->in_stmt)
		return rc;
	if (s->state == SPLIT_TOP || s->state == SPLIT_LINE_COMMENT) {
		/* a BEGIN / END count or parenthesis left open does not matter: the block is whole
		 */
		s->depth = 0;
		s->pdepth = 0;
	}
	s->held = 1;
	rc = split_end(s);
	s->held = 0;
	return rc;
}

void dbm_splitter_set_lenient(struct dbm_splitter *s, int on)
{
	s->lenient = on;
}

void dbm_splitter_free(struct dbm_splitter *s)
{
	if (!s)
		return;
	dbm_buf_free(&s->buf);
	dbm_free(s);
}

int dbm_split_string(enum dbm_dialect dialect, const char *sql, size_t len, dbm_stmt_cb cb,
                     void *ctx)
{
	struct dbm_splitter *s = dbm_splitter_new(dialect, cb, ctx);
	int rc;

	if (!s)
		return DBM_ERR_NOMEM;
	rc = dbm_splitter_feed(s, sql, len);
	if (!rc)
		rc = dbm_splitter_finish(s);
	dbm_splitter_free(s);
	return rc;
}
