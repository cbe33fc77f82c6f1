/*
 * sqlsplit.h - streaming SQL statement splitter, one lexer with per-dialect rules.
 *
 * The caller feeds the text of a file in chunks of any size (a chunk may end
 * in the middle of a token, a multi-byte character or a line) and receives
 * each complete statement through a callback, with the 1-based line where
 * the statement starts. Memory is bounded by the longest single statement,
 * never by the file size. Statement text excludes the terminating delimiter
 * and leading blank lines/comments-only prefixes; it keeps the original
 * bytes otherwise (comments inside a statement stay). A chunk of only
 * whitespace and comments produces no statement.
 *
 * The full list of lexer states is documented in src/core/sqlsplit.c.
 */
#ifndef DBM_SQLSPLIT_H
#define DBM_SQLSPLIT_H

#include <stddef.h>

enum dbm_dialect { DBM_DIALECT_SQLITE = 0, DBM_DIALECT_PGSQL = 1, DBM_DIALECT_MYSQL = 2 };

/* Flags a statement carries (struct dbm_stmt.flags). */
#define DBM_STMT_COPY_IN 0x01 /* PostgreSQL COPY ... FROM STDIN with inline data */
#define DBM_STMT_PARAMS 0x02  /* dbmigrate's own statement with bound values: nparams, params */
/*
 * MySQL: nothing but version comments and optimizer hints, which the server may skip whole: an
 * empty query, which the client lets pass
 */
#define DBM_STMT_ONLY_CONDITIONAL 0x80
/*
 * may change how the server reads strings (SET, RESET, set_config(), CALL, COMMIT ...): the runner
 * asks the server for its rules after it and sets them here
 */
#define DBM_STMT_STRING_RULES 0x04

/*
 * What a driver needs to know of the statement, found once by the splitter
 * (sqlsplit_class.c) from its leading words; drivers read no SQL themselves.
 */
#define DBM_STMT_TX_CONTROL 0x08 /* BEGIN, START TRANSACTION, COMMIT, END, ROLLBACK (not TO) */
/* cannot run inside a transaction block (CREATE INDEX CONCURRENTLY, VACUUM, ...) */
#define DBM_STMT_NO_TX 0x10
#define DBM_STMT_SESSION 0x20 /* may change the session's settings (SET, USE, CALL ...) */
/*
 * must be sent on its own: COPY's data, several results (CALL, EXECUTE, a body with ';' for
 * MySQL), LOAD DATA, a MySQL statement of only version comments
 */
#define DBM_STMT_ALONE 0x40
/*
 * MySQL: takes table locks that outlive it (LOCK TABLES, FLUSH TABLES ... WITH READ LOCK / FOR
 * EXPORT)
 */
#define DBM_STMT_LOCKS 0x100
/* MySQL: releases them (UNLOCK TABLES, BEGIN, START TRANSACTION) */
#define DBM_STMT_UNLOCKS 0x200
#define DBM_STMT_XA_START 0x400 /* MySQL: XA START/BEGIN; arg_off/arg_len give the xid */
#define DBM_STMT_XA_END 0x800   /* MySQL: XA COMMIT or XA ROLLBACK */

/* How the session reads quoted text: what the server says, set with dbm_splitter_set_rules. */
struct dbm_string_rules {
	int backslash_escapes; /* PostgreSQL: standard_conforming_strings is off; MySQL: sql_mode
	                        * has no NO_BACKSLASH_ESCAPES */
	int ansi_quotes;       /* MySQL: sql_mode has ANSI_QUOTES, "..." is an identifier */
};

struct dbm_stmt {
	const char *sql;       /* statement text, NUL-terminated, borrowed for the callback */
	size_t len;            /* length of sql */
	unsigned line;         /* 1-based line of the file where the statement's first token is */
	unsigned index;        /* 1-based number of the statement in the file */
	unsigned flags;        /* DBM_STMT_* */
	const char *copy_data; /* DBM_STMT_COPY_IN: the data lines up to (not including) "\." line;
	                          else NULL */
	size_t copy_len;
	/*
	 * Read only when flags has DBM_STMT_PARAMS (dbmigrate's own history
	 * statements): values bound to sql's placeholders ($1.. or ?), as
	 * text, NULL for SQL NULL; borrowed until the statement ran.
	 */
	unsigned nparams;
	const char *const *params;
	struct dbm_splitter *splitter; /* the splitter that handed it out, for
	                                * dbm_splitter_set_rules; NULL elsewhere */
	size_t arg_off, arg_len;       /* DBM_STMT_XA_START: the xid is sql[arg_off..+arg_len) */
};

/* Returns 0 to go on; any non-zero value stops the splitter and is returned by feed/finish. */
typedef int (*dbm_stmt_cb)(void *ctx, const struct dbm_stmt *stmt);

struct dbm_splitter;

/* A new splitter for the dialect; NULL on allocation failure (error set). Free with
 * dbm_splitter_free. */
struct dbm_splitter *dbm_splitter_new(enum dbm_dialect dialect, dbm_stmt_cb cb, void *ctx);
/* Resets to the start of a new file, keeping the allocated memory. */
void dbm_splitter_reset(struct dbm_splitter *s);
/*
 * Feeds the next chunk. Returns 0, the callback's non-zero value, or a
 * negative error class (DBM_ERR_NOMEM).
 */
int dbm_splitter_feed(struct dbm_splitter *s, const char *data, size_t len);
/*
 * End of input: emits the last statement (a final statement needs no
 * delimiter). Returns 0, the callback's value, or DBM_ERR_USAGE with the
 * error set when the input ends inside a string, quoted identifier, dollar
 * quote, block comment, BEGIN...END body or COPY data; the error's line is
 * the line where that construct opened and the message says what is open
 * ("unterminated dollar-quoted string $fn$ (opened at line 12)").
 * The caller sets the file name on the error (dbm_error_set_where).
 */
int dbm_splitter_finish(struct dbm_splitter *s);
void dbm_splitter_free(struct dbm_splitter *s);

/*
 * Sets the string rules for the statements after the current one, as the
 * server reports them after a DBM_STMT_STRING_RULES statement (psql and the
 * mysql client do the same). Between such reports the splitter infers the
 * rules from the text (SET standard_conforming_strings, SET sql_mode).
 */
void dbm_splitter_set_rules(struct dbm_splitter *s, const struct dbm_string_rules *r);
/*
 * Lenient: once a DBM_STMT_STRING_RULES statement has been handed out, input
 * that ends inside a string, comment, quote or body is handed out as a last
 * statement instead of an error, as the text after it may be read otherwise
 * by the server's rules. For a first pass that checks a file before anything
 * runs: the second pass, told the rules, gives the verdict.
 */
void dbm_splitter_set_lenient(struct dbm_splitter *s, int on);

/*
 * The hook for scripts that mark a statement themselves (goose's
 * StatementBegin / StatementEnd): with on, everything fed from now on
 * belongs to the current statement, delimiters included; with off, that
 * statement is handed out whole (flagged DBM_STMT_ALONE, as it may hold
 * several statements the server runs in one go) and splitting goes on as
 * before. Call it at a line boundary. Returns 0, the callback's value, or
 * DBM_ERR_USAGE when the held text ends inside a string, quoted identifier
 * or comment (line set).
 */
int dbm_splitter_hold(struct dbm_splitter *s, int on);

/*
 * Convenience for tests and small inputs: splits a whole string. Returns as
 * dbm_splitter_finish.
 */
int dbm_split_string(enum dbm_dialect dialect, const char *sql, size_t len, dbm_stmt_cb cb,
                     void *ctx);

#endif /* DBM_SQLSPLIT_H */
