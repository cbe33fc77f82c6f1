/*
 * sqlsplit_int.h - what the files of the statement splitter share; only
 * src/core/sqlsplit*.c include it. The lexer and its states are described
 * at the top of sqlsplit.c.
 *
 *   sqlsplit.c        the lexer: buffering, quotes, comments, bodies, the API
 *   sqlsplit_pgsql.c  PostgreSQL's own rules: psql meta-commands, COPY data,
 *                     standard_conforming_strings
 *   sqlsplit_mysql.c  MySQL's own rules: DELIMITER lines, comments removed as
 *                     the client removes them, NO_BACKSLASH_ESCAPES
 */
#ifndef DBM_SQLSPLIT_INT_H
#define DBM_SQLSPLIT_INT_H

#include <stddef.h>

#include "dbmigrate/common.h"
#include "dbmigrate/sqlsplit.h"

#define SPLIT_SLICE 65536 /* bytes lexed per step of a feed */
#define SPLIT_DELIM_MAX 15
#define SPLIT_TAG_SHOWN 64 /* bytes of a dollar-quote tag shown in an error */

enum split_state {
	SPLIT_TOP,
	SPLIT_SQUOTE,
	SPLIT_DQUOTE,
	SPLIT_BQUOTE,
	SPLIT_BRACKET,
	SPLIT_LINE_COMMENT,
	SPLIT_BLOCK_COMMENT,
	SPLIT_DOLLAR,
	SPLIT_COPY_LINE,
	SPLIT_COPY_DATA
};

enum split_kind {
	SPLIT_K_FIRST,
	SPLIT_K_CREATE,
	SPLIT_K_DEFINER,
	SPLIT_K_MYBEGIN,
	SPLIT_K_BODY,
	SPLIT_K_COPY,
	SPLIT_K_PLAIN
};

/* Byte classes (s->tab). */
#define SPLIT_C_SPECIAL 1 /* may start a quote, comment or delimiter */
#define SPLIT_C_WORD 2    /* identifier byte: letter, digit, _, $, non-ASCII */
#define SPLIT_C_SPACE 4
#define SPLIT_C_PAREN 8 /* PostgreSQL: ( ) [ ] : \\, looked at inside statements only */
#define SPLIT_C_STAR 16 /* MySQL: '*', looked at inside a version comment only */

struct dbm_splitter {
	/* Pointers and sizes first, then the int-sized fields, then the bytes: no padding. */
	dbm_stmt_cb cb;
	void *ctx;
	struct dbm_buf buf; /* unconsumed input; buf.len bytes, NUL after them */
	size_t pos;         /* where the lexer goes on */
	size_t line_pos;    /* line_no is the line of buf[line_pos] */

	/* the current statement, when in_stmt */
	size_t stmt_start;
	size_t body_pos;
	size_t pend_pos;
	size_t stmt_end; /* COPY: end of the statement text */
	size_t copy_start, copy_scan;

	/* the open quote or comment */
	size_t open_pos; /* in a statement: where it opened */
	size_t taglen;   /* SPLIT_DOLLAR: the tag is buf[open_pos..open_pos+taglen) */

	size_t dlen; /* length of delim */

	enum dbm_dialect dialect;
	int need; /* the token at pos needs more input */
	unsigned line_no;
	enum split_state state;
	unsigned count; /* statements handed out */
	int bol;        /* between statements: nothing but blanks since the last newline */

	/* the current statement, when in_stmt */
	int in_stmt;
	unsigned stmt_line;
	enum split_kind kind;
	unsigned mask; /* byte classes the code loop stops at */
	int depth;     /* open BEGIN / CASE blocks */
	int pdepth;    /* PostgreSQL: open parentheses */
	int bdepth;    /* PostgreSQL: open brackets (a[1:n] is not a psql variable) */
	int vcomment;  /* MySQL: inside a version comment or hint, which is code */
	int only_cond; /* MySQL: nothing but version comments and hints so far */
	int pend_end, pend_begin, pend_from;
	int kwords;
	int copy_in;
	int has_comment; /* MySQL: a comment inside the statement, to strip at emit */

	/* the open quote or comment */
	unsigned open_line; /* a comment between statements: its line */
	int esc;
	int cdepth;
	int line_cr; /* the byte before line_pos is a '\r' */

	/* session settings that change how strings are read, reset per file */
	int plain_esc;   /* PostgreSQL: standard_conforming_strings is off */
	int no_esc;      /* MySQL: sql_mode has NO_BACKSLASH_ESCAPES */
	int ansi_quotes; /* MySQL: sql_mode has ANSI_QUOTES */
	int lenient;     /* dbm_splitter_set_lenient */
	int rules_seen;  /* a DBM_STMT_STRING_RULES statement was handed out in this file */
	int eof_body;    /* PostgreSQL: the input ended inside a BEGIN ... END body */
	int hold;        /* dbm_splitter_hold: the delimiter does not end the statement */
	int held;        /* the statement being handed out was held */

	unsigned char ids[4];            /* PostgreSQL: psql's record of the first four words */
	char delim[SPLIT_DELIM_MAX + 1]; /* MySQL DELIMITER; "" means ; */
	unsigned char tab[256];
};

/* sqlsplit.c */

void split_build_table(struct dbm_splitter *s);
unsigned split_line_at(struct dbm_splitter *s, size_t p);
int split_kw(const char *w, size_t n, const char *kw);
size_t split_word_at(const struct dbm_splitter *s, const char *t, size_t n, const char *kw);
size_t split_skip_blanks(const struct dbm_splitter *s, const char *t, size_t n, size_t i, int eq);
int split_emit(struct dbm_splitter *s, size_t e, const char *data, size_t dlen);
int split_has_text(const char *t, size_t n, const char *kw);

/* sqlsplit_pgsql.c */

void split_track_pg_setting(struct dbm_splitter *s, const char *t, size_t n);
int split_meta_command(struct dbm_splitter *s, size_t p, int eof);
int split_meta_in_stmt(struct dbm_splitter *s, size_t p, int eof);
int split_psql_variable(struct dbm_splitter *s, size_t p, int eof);
int split_copy(struct dbm_splitter *s, int eof);

/* sqlsplit_mysql.c */

size_t split_my_strip(struct dbm_splitter *s, size_t e);
void split_track_my_setting(struct dbm_splitter *s, const char *t, size_t n);
int split_delimiter_line(struct dbm_splitter *s, size_t p, size_t q, int eof);
int split_client_command(struct dbm_splitter *s, size_t p, int eof);
int split_my_only_conditional(const struct dbm_splitter *s, const char *t, size_t n);
int split_my_string_rules(const struct dbm_splitter *s, const char *t, size_t n);

/* sqlsplit_class.c */

unsigned split_classify(const struct dbm_splitter *s, const char *t, size_t n);
/* The xid of an XA START statement (DBM_STMT_XA_START): offset and length in t. */
void split_xid(const struct dbm_splitter *s, const char *t, size_t n, size_t *off, size_t *len);

/* sqlsplit_pgsql.c */

int split_pg_string_rules(const struct dbm_splitter *s, const char *t, size_t n);

#endif
