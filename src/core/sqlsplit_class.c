/*
 * sqlsplit_class.c - what the drivers need to know of a statement, found
 * once, when the splitter hands it out (sqlsplit_int.h): whether it opens or
 * ends a transaction, cannot run inside one, may change the session's
 * settings, or must be sent on its own. The drivers decide on these flags
 * (struct dbm_stmt.flags) and read no SQL themselves.
 *
 * The flags come from the statement's leading words, read past blanks and
 * comments; strings and quoted identifiers are tokens of their own, so a
 * word inside them is never taken for a keyword.
 */
#include <string.h>

#include "sqlsplit_int.h"

#define CLASS_WORDS 4

struct class_tok {
	const char *p;
	size_t len;
	int word;
};

/* The next token of t[0..n) from *i, past blanks and comments. Returns 1 and *k, 0 at the end. */
static int class_next(const struct dbm_splitter *s, const char *t, size_t n, size_t *i,
                      struct class_tok *k)
{
	size_t p = *i;
	int pg = s->dialect == DBM_DIALECT_PGSQL;

	for (;;) {
		while (p < n && (s->tab[(unsigned char)t[p]] & SPLIT_C_SPACE))
			p++;
		if (p + 1 < n && t[p] == '-' && t[p + 1] == '-') {
			while (p < n && t[p] != '\n' && !(pg && t[p] == '\r'))
				p++;
		} else if (p < n && t[p] == '#' && s->dialect == DBM_DIALECT_MYSQL) {
			while (p < n && t[p] != '\n')
				p++;
		} else if (p + 1 < n && t[p] == '/' && t[p + 1] == '*') {
			int depth = 0;

			do {
				if (p + 1 < n && t[p] == '/' && t[p + 1] == '*') {
					depth += pg || depth == 0;
					p += 2;
				} else if (p + 1 < n && t[p] == '*' && t[p + 1] == '/') {
					depth--;
					p += 2;
				} else {
					p++;
				}
			} while (p < n && depth > 0);
		} else {
			break;
		}
	}
	if (p >= n) {
		*i = p;
		return 0;
	}
	k->p = t + p;
	k->word = 0;
	if ((t[p] | 0x20) >= 'a' && (t[p] | 0x20) <= 'z') {
		k->word = 1;
		while (p < n && (s->tab[(unsigned char)t[p]] & SPLIT_C_WORD))
			p++;
	} else if (t[p] == '\'' || t[p] == '"' || (t[p] == '`' && !pg)) {
		char q = t[p++];

		while (p < n) {
			if (t[p] == q && p + 1 < n && t[p + 1] == q)
				p += 2;
			else if (t[p++] == q)
				break;
		}
	} else {
		p++;
	}
	k->len = (size_t)(t + p - k->p);
	*i = p;
	return 1;
}

/* 1 when token k is the keyword kw (lower case), in any case. */
static int class_is(const struct class_tok *k, const char *kw)
{
	return k->word && split_kw(k->p, k->len, kw);
}

/* 1 when the keyword kw is a token of t[0..n) from i on. */
static int class_has(const struct dbm_splitter *s, const char *t, size_t n, size_t i,
                     const char *kw)
{
	struct class_tok k;

	while (class_next(s, t, n, &i, &k))
		if (class_is(&k, kw))
			return 1;
	return 0;
}

/*
 * PostgreSQL: NO_TX for what the server refuses inside a transaction block
 * (CREATE/DROP INDEX CONCURRENTLY, REINDEX ... CONCURRENTLY and REINDEX
 * SCHEMA/DATABASE/SYSTEM, VACUUM, ALTER SYSTEM, CREATE/DROP DATABASE,
 * TABLESPACE and SUBSCRIPTION, ALTER DATABASE ... SET TABLESPACE, ALTER
 * TABLE ... DETACH PARTITION ... CONCURRENTLY, COMMIT/ROLLBACK PREPARED,
 * DISCARD ALL); TX_CONTROL for BEGIN, START TRANSACTION, COMMIT, END,
 * ROLLBACK (not ROLLBACK TO) and ABORT; ALONE for COPY, whose data a
 * pipeline cannot carry; SESSION unless the first word is one of a
 * statement that sets nothing outliving it (DDL, DML, transaction control).
 */
static unsigned class_pgsql(const struct dbm_splitter *s, const char *t, size_t n)
{
	static const char *const keep[] = {
	    "create",  "alter",   "drop",     "insert", "update",    "delete", "comment",
	    "grant",   "revoke",  "truncate", "copy",   "reindex",   "vacuum", "analyze",
	    "cluster", "refresh", "security", "import", "lock",      "begin",  "start",
	    "commit",  "end",     "rollback", "abort",  "savepoint", "release"};
	struct class_tok w[CLASS_WORDS];
	size_t i = 0, after1;
	unsigned f = DBM_STMT_SESSION;
	int nw = 0, k;

	while (nw < CLASS_WORDS && class_next(s, t, n, &i, &w[nw]))
		nw++;
	if (nw == 0)
		return 0;
	if (!w[0].word)
		return DBM_STMT_SESSION;
	for (k = 0; k < (int)DBM_ARRAY_SIZE(keep); k++)
		if (class_is(&w[0], keep[k]))
			f = 0;
	after1 = nw > 1 ? (size_t)(w[1].p - t) : n;
	if (class_is(&w[0], "begin") || class_is(&w[0], "end") || class_is(&w[0], "abort"))
		return f | DBM_STMT_TX_CONTROL;
	if (class_is(&w[0], "start"))
		return f | (nw > 1 && class_is(&w[1], "transaction") ? DBM_STMT_TX_CONTROL : 0);
	/* PREPARE TRANSACTION ends the session's transaction, as COMMIT does */
	if (class_is(&w[0], "prepare") && nw > 1 && class_is(&w[1], "transaction"))
		return f | DBM_STMT_TX_CONTROL;
	if (class_is(&w[0], "commit") || class_is(&w[0], "rollback")) {
		k = 1;
		if (nw > k && (class_is(&w[k], "work") || class_is(&w[k], "transaction")))
			k++;
		if (nw > k && class_is(&w[k], "prepared"))
			return f | DBM_STMT_NO_TX;
		if (nw > k && class_is(&w[k], "to"))
			return f;
		return f | DBM_STMT_TX_CONTROL;
	}
	if (class_is(&w[0], "vacuum"))
		return f | DBM_STMT_NO_TX;
	if (class_is(&w[0], "copy"))
		return f | DBM_STMT_ALONE;
	if (nw < 2)
		return f;
	if (class_is(&w[0], "create") || class_is(&w[0], "drop")) {
		k = 1;
		if (class_is(&w[0], "create") && class_is(&w[1], "unique"))
			k++;
		if (nw > k + 1 && class_is(&w[k], "index") && class_is(&w[k + 1], "concurrently"))
			return f | DBM_STMT_NO_TX;
		if (class_is(&w[1], "database") || class_is(&w[1], "tablespace") ||
		    class_is(&w[1], "subscription"))
			return f | DBM_STMT_NO_TX;
		return f;
	}
	if (class_is(&w[0], "reindex")) {
		if (class_has(s, t, n, after1, "concurrently") ||
		    class_has(s, t, n, after1, "schema") ||
		    class_has(s, t, n, after1, "database") || class_has(s, t, n, after1, "system"))
			return f | DBM_STMT_NO_TX;
		return f;
	}
	if (class_is(&w[0], "alter")) {
		if (class_is(&w[1], "system"))
			return f | DBM_STMT_NO_TX;
		if (class_is(&w[1], "table") && class_has(s, t, n, after1, "detach") &&
		    class_has(s, t, n, after1, "concurrently"))
			return f | DBM_STMT_NO_TX;
		if (class_is(&w[1], "database") && class_has(s, t, n, after1, "tablespace"))
			return f | DBM_STMT_NO_TX;
		return f;
	}
	if (class_is(&w[0], "discard") && class_is(&w[1], "all"))
		return f | DBM_STMT_NO_TX;
	return f;
}

/*
 * MySQL: SESSION for SET, USE, CALL and version comments (mysqldump wraps
 * its SET lines in them); TX_CONTROL for BEGIN [WORK], START TRANSACTION,
 * COMMIT and ROLLBACK (not ROLLBACK TO SAVEPOINT, not MariaDB's BEGIN NOT
 * ATOMIC block); ALONE for what may give more than one result (CALL,
 * EXECUTE, a text with a ';' in it: a body of statements, or several
 * statements behind a DELIMITER), for LOAD DATA and for a statement of only
 * version comments and hints (the server may find it empty). MySQL has no
 * statement that refuses a transaction: nothing is NO_TX.
 */
static unsigned class_mysql(const struct dbm_splitter *s, const char *t, size_t n)
{
	struct class_tok w[3];
	size_t i = 0;
	unsigned alone = 0;
	int nw = 0;

	while (i < n && (s->tab[(unsigned char)t[i]] & SPLIT_C_SPACE))
		i++;
	if (n - i >= 3 && t[i] == '/' && t[i + 1] == '*' && (t[i + 2] == '!' || t[i + 2] == 'M'))
		return DBM_STMT_SESSION;
	i = 0;
	while (nw < 3 && class_next(s, t, n, &i, &w[nw]) && w[nw].word)
		nw++;
	if (memchr(t, ';', n) ||
	    (nw > 0 && (class_is(&w[0], "execute") || class_is(&w[0], "load"))))
		alone = DBM_STMT_ALONE;
	if (nw == 0)
		return alone;
	if (class_is(&w[0], "call"))
		return DBM_STMT_SESSION | DBM_STMT_ALONE;
	if (nw > 1 && (class_is(&w[1], "table") || class_is(&w[1], "tables"))) {
		size_t j = (size_t)(w[1].p - t) + w[1].len;

		if (class_is(&w[0], "lock") ||
		    (class_is(&w[0], "flush") &&
		     ((class_has(s, t, n, j, "read") && class_has(s, t, n, j, "lock")) ||
		      class_has(s, t, n, j, "export"))))
			return DBM_STMT_LOCKS | alone;
		if (class_is(&w[0], "unlock"))
			return DBM_STMT_UNLOCKS | alone;
	}
	if (nw > 1 && class_is(&w[0], "xa")) {
		if (class_is(&w[1], "commit") || class_is(&w[1], "rollback"))
			return DBM_STMT_XA_END | alone;
		if (class_is(&w[1], "start") || class_is(&w[1], "begin"))
			return DBM_STMT_XA_START | alone;
	}
	if (class_is(&w[0], "set") || class_is(&w[0], "use"))
		return DBM_STMT_SESSION | alone;
	if (class_is(&w[0], "begin")) {
		struct class_tok rest;
		size_t j = nw > 1 && class_is(&w[1], "work") ? (size_t)(w[1].p - t) + w[1].len
		                                             : (size_t)(w[0].p - t) + w[0].len;

		if (nw > 1 && !class_is(&w[1], "work"))
			return alone;
		if (!class_next(s, t, n, &j, &rest) || (rest.len == 1 && rest.p[0] == ';'))
			return DBM_STMT_TX_CONTROL | DBM_STMT_UNLOCKS | alone;
		return alone;
	}
	if (class_is(&w[0], "start"))
		return (nw > 1 && class_is(&w[1], "transaction")
		            ? DBM_STMT_TX_CONTROL | DBM_STMT_UNLOCKS
		            : 0) |
		       alone;
	if (class_is(&w[0], "commit"))
		return DBM_STMT_TX_CONTROL | alone;
	if (class_is(&w[0], "rollback")) {
		int k = nw > 1 && class_is(&w[1], "work") ? 2 : 1;

		return (nw > k && class_is(&w[k], "to") ? 0 : DBM_STMT_TX_CONTROL) | alone;
	}
	return alone;
}

/*
 * SQLite: TX_CONTROL for BEGIN, COMMIT, END and ROLLBACK (not ROLLBACK TO);
 * NO_TX for VACUUM, which fails in a transaction, and PRAGMA foreign_keys
 * and journal_mode, which a transaction silently ignores.
 */
static unsigned class_sqlite(const struct dbm_splitter *s, const char *t, size_t n)
{
	struct class_tok w[2];
	size_t i = 0;
	int nw = 0;

	while (nw < 2 && class_next(s, t, n, &i, &w[nw]) && w[nw].word)
		nw++;
	if (nw == 0)
		return 0;
	if (class_is(&w[0], "begin") || class_is(&w[0], "commit") || class_is(&w[0], "end") ||
	    (class_is(&w[0], "rollback") && (nw < 2 || !class_is(&w[1], "to"))))
		return DBM_STMT_TX_CONTROL;
	if (class_is(&w[0], "vacuum") ||
	    (class_is(&w[0], "pragma") && nw > 1 &&
	     (class_is(&w[1], "foreign_keys") || class_is(&w[1], "journal_mode"))))
		return DBM_STMT_NO_TX;
	return 0;
}

/*
 * MySQL XA START/BEGIN: the xid, what follows the two words up to the end,
 * without a trailing JOIN or RESUME. Sets *off and *len.
 */
void split_xid(const struct dbm_splitter *s, const char *t, size_t n, size_t *off, size_t *len)
{
	struct class_tok k, last = {0}, prev = {0};
	size_t i = 0, start = 0, end = 0;
	int nt = 0;

	while (class_next(s, t, n, &i, &k)) {
		if (++nt == 3)
			start = (size_t)(k.p - t);
		if (nt >= 3) {
			prev = last;
			last = k;
			end = (size_t)(k.p - t) + k.len;
		}
	}
	if (nt > 3 && (class_is(&last, "join") || class_is(&last, "resume")))
		end = (size_t)(prev.p - t) + prev.len;
	*off = start;
	*len = end > start ? end - start : 0;
}

/* The DBM_STMT_* classification of the statement t[0..n) in the splitter's dialect. */
unsigned split_classify(const struct dbm_splitter *s, const char *t, size_t n)
{
	switch (s->dialect) {
	case DBM_DIALECT_PGSQL:
		return class_pgsql(s, t, n);
	case DBM_DIALECT_MYSQL:
		return class_mysql(s, t, n);
	case DBM_DIALECT_SQLITE:
		return class_sqlite(s, t, n);
	}
	return 0;
}
