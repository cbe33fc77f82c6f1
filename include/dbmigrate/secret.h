/*
 * secret.h - the texts that must never be printed, and the scrubber that
 * keeps them out of every error.
 *
 * One list per process. It is filled before a connection is made: the
 * password of the URL in every form a client library or a parser may show
 * it (raw, percent-decoded, and, for a URL that cannot be split reliably,
 * each candidate password and its pieces), PGPASSWORD and MYSQL_PWD, and
 * the values of the user's placeholders. The error module (error.c) passes
 * every message, detail and hint through dbm_secrets_scrub(), so no error
 * text, whoever wrote it (a driver, libpq, libmysqlclient, a parser, the
 * server), can carry one of them. The list is safe to use from several
 * threads; it only grows.
 */
#ifndef DBM_SECRET_H
#define DBM_SECRET_H

#include <stddef.h>

/* Shorter texts are not scrubbed: they would mangle every message. */
#define DBM_SECRET_MIN 3

/*
 * Adds text[0..len) to the list (a copy; a duplicate or a text shorter
 * than DBM_SECRET_MIN is ignored). Returns 0 or DBM_ERR_NOMEM.
 */
int dbm_secret_add(const char *text, size_t len);

/*
 * Adds every secret a connection string may hold, in every form a library
 * or parser may print it: the URL's user-info password (for each way of
 * splitting the URL at an '@'), query and conninfo password values, each
 * raw and percent- or backslash-decoded; for a URL that is ambiguous
 * (dbm_url_is_ambiguous) also the pieces of each candidate between the
 * characters that split it. Then PGPASSWORD and MYSQL_PWD. Returns 0 or
 * DBM_ERR_NOMEM.
 */
int dbm_secret_add_url(const char *url);

/*
 * 1 when url's password cannot be told apart reliably, so that a message
 * derived from the URL may hold part of it in a form no list foresees: a
 * user-info password with an unencoded '@', '/', '?', '#', '[', ']', white
 * space or a '%' that is not an escape; a "user:password@" with no "//"
 * after the scheme; a host followed by ':' and no port number (a password
 * whose '@' is missing); an unterminated quote in a conninfo value.
 * Drivers then withhold their library's text (drvcommon.h).
 */
int dbm_url_is_ambiguous(const char *url);

/*
 * Replaces, in the NUL-terminated text in place, every listed secret
 * (longest first) with "***". The text never grows, so fixed buffers are
 * fine. Returns how many were replaced.
 */
size_t dbm_secrets_scrub(char *text);

/*
 * dbm_secrets_scrub() for a text that was cut short to fit a buffer: a
 * tail that is the start of a secret is dropped too. Returns the count.
 */
size_t dbm_secrets_scrub_cut(char *text);

/* 1 when text, whole, is on the list (a password, not a piece of one), else 0. */
int dbm_secret_listed(const char *text);

/* Empties the list (tests). */
void dbm_secrets_reset(void);

#endif /* DBM_SECRET_H */
