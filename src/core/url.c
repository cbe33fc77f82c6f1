/*
 * url.c - printing connection strings without their secrets (config.h).
 *
 * dbm_url_redact() is what the runner and the commands call before they
 * show a URL (the "connecting to" line, the URL in a connection error's
 * detail). Messages that a driver, a client library or the server writes
 * are not redacted here: the error module scrubs every error of the
 * secrets that secret.c lists (the password in every form a parser may
 * print it), and a driver withholds its library's text when the URL is
 * ambiguous. It recognises three shapes and may meet all of them at once:
 *
 *   scheme://user:password@host/...   the userinfo password; it may contain
 *                                     '@', ':' or '/', so the LAST '@' before
 *                                     the query ends the userinfo (or after
 *                                     it, when no "key=" comes first: the
 *                                     password held a '?' or '#')
 *   host=x password='se cret'         libpq conninfo keywords (and "key: v");
 *                                     unquoted values take '\' escapes
 *   ...?sslpassword=x&password=y      query-string parameters
 *
 * The rules lean towards hiding too much: a malformed URL (no host, a port
 * that is not a number, a '?' inside the password) loses more than its
 * password rather than showing any of it. dbm_edit_distance() lives here too:
 * it is the string helper behind every "did you mean" hint.
 */
#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "dbmigrate/common.h"
#include "dbmigrate/config.h"
#include "dbmigrate/secret.h"

#define URL_MASK "***"

/* Parameter names whose value is a secret, compared without case. */
static const char *const url_secret_keys[] = {"password", "sslpassword", "passwd",
                                              "pwd",      "pass",        NULL};

static int url_is_secret_key(const char *key, size_t len)
{
	size_t i;

	for (i = 0; url_secret_keys[i]; i++) {
		if (strlen(url_secret_keys[i]) == len &&
		    strncasecmp(key, url_secret_keys[i], len) == 0)
			return 1;
	}
	return 0;
}

static int url_is_key_char(char c)
{
	return isalnum((unsigned char)c) || c == '_' || c == '-' || c == '.';
}

/*
 * Appends s[0..len) to out with every secret key=value (or key: value) pair's
 * value masked. In a query string (after '?') values end at '&' or '#';
 * elsewhere (conninfo) at white space, and a value may be single-quoted with
 * backslash escapes. Returns 0 or DBM_ERR_NOMEM.
 */
static int url_redact_params(const char *s, size_t len, int in_query, struct dbm_buf *out)
{
	size_t i = 0;
	int at_key = 1;

	while (i < len) {
		char c = s[i];

		if (at_key && url_is_key_char(c)) {
			size_t k = i, j;

			while (i < len && url_is_key_char(s[i]))
				i++;
			j = i;
			while (!in_query && j < len && (s[j] == ' ' || s[j] == '\t'))
				j++;
			if (j >= len || !(s[j] == '=' || (!in_query && s[j] == ':')) ||
			    !url_is_secret_key(s + k, i - k)) {
				at_key = 0;
				if (dbm_buf_add(out, s + k, i - k) < 0)
					return DBM_ERR_NOMEM;
				continue;
			}
			j++;
			while (!in_query && j < len && (s[j] == ' ' || s[j] == '\t'))
				j++;
			if (dbm_buf_add(out, s + k, j - k) < 0 || dbm_buf_adds(out, URL_MASK) < 0)
				return DBM_ERR_NOMEM;
			if (!in_query && j < len && s[j] == '\'') {
				for (j++; j < len && s[j] != '\''; j++) {
					if (s[j] == '\\' && j + 1 < len)
						j++;
				}
				if (j < len)
					j++;
			} else if (in_query) {
				/* up to the next parameter: a '#' is the password's, not a fragment
				 */
				while (j < len && s[j] != '&')
					j++;
			} else {
				/* libpq's unquoted values take backslash escapes too: "abc\ tail"
				 */
				while (j < len && !isspace((unsigned char)s[j])) {
					if (s[j] == '\\' && j + 1 < len)
						j++;
					j++;
				}
			}
			i = j;
			at_key = 0;
			continue;
		}
		if (c == '?' && !in_query)
			in_query = 1;
		at_key = isspace((unsigned char)c) || c == '?' || c == '&' || c == ';';
		if (dbm_buf_addc(out, c) < 0)
			return DBM_ERR_NOMEM;
		i++;
	}
	return 0;
}

/* 1 when s[0..len) is empty or only digits: a port. */
static int url_is_port(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++) {
		if (!isdigit((unsigned char)s[i]))
			return 0;
	}
	return 1;
}

/*
 * In an authority without '@' (host[:port][,host[:port]]...), the offset of
 * the first ':' whose suffix is not a port: where a password may start in a
 * URL that lost its '@'. Returns len when every colon is followed by a port.
 */
static size_t url_bad_port_colon(const char *a, size_t len)
{
	size_t i = 0;

	while (i < len) {
		size_t end = i, colon = len;
		int bracket = 0;

		while (end < len && a[end] != ',') {
			if (a[end] == '[')
				bracket = 1;
			else if (a[end] == ']')
				bracket = 0;
			else if (a[end] == ':' && !bracket && colon == len)
				colon = end;
			end++;
		}
		if (colon < end && !url_is_port(a + colon + 1, end - colon - 1))
			return colon;
		i = end + 1;
	}
	return len;
}

/*
 * The offset in rest (the text after "scheme://") where the userinfo's
 * terminating '@' is, or (size_t)-1 when there is no userinfo. See the
 * file comment for the rules.
 */
static size_t url_userinfo_end(const char *rest, size_t len)
{
	size_t qend = strcspn(rest, "?#");
	size_t i, at = (size_t)-1, colon;

	for (i = 0; i < qend; i++) {
		if (rest[i] == '@')
			at = i;
	}
	if (at != (size_t)-1 && qend < len && strcspn(rest, ":") < strcspn(rest, "@")) {
		/* an '@' after the '?' or '#' that no "key=" precedes: the password held it */
		for (i = qend; i < len && rest[i] != '='; i++) {
			if (rest[i] == '@')
				at = i;
		}
	}
	if (at != (size_t)-1 || qend == len)
		return at;
	/* No '@' before the query: is the '?' or '#' part of a password? */
	colon = strcspn(rest, ":/");
	if (colon >= qend || rest[colon] != ':' || url_is_port(rest + colon + 1, qend - colon - 1))
		return (size_t)-1;
	for (i = qend; i < len && rest[i] != '/'; i++) {
		if (rest[i] == '@')
			at = i;
	}
	if (at == (size_t)-1) {
		for (i = qend; i < len; i++) {
			if (rest[i] == '@')
				at = i;
		}
	}
	return at;
}

/* Redacts a scheme://... URL; rest is the text after "://". 0 or DBM_ERR_NOMEM. */
static int url_redact_uri(const char *rest, struct dbm_buf *out)
{
	size_t len = strlen(rest);
	size_t at = url_userinfo_end(rest, len);
	size_t pos = 0, auth_end;

	if (at != (size_t)-1) {
		size_t colon = strcspn(rest, ":");

		if (colon < at) {
			if (dbm_buf_add(out, rest, colon + 1) < 0 ||
			    dbm_buf_adds(out, URL_MASK) < 0)
				return DBM_ERR_NOMEM;
			pos = at;
		}
	} else {
		auth_end = strcspn(rest, "/?#");
		at = url_bad_port_colon(rest, auth_end);
		if (at < auth_end) {
			/* host:notaport - could be user:password without its '@' */
			if (dbm_buf_add(out, rest, at + 1) < 0 || dbm_buf_adds(out, URL_MASK) < 0)
				return DBM_ERR_NOMEM;
			return 0;
		}
	}
	auth_end = pos + strcspn(rest + pos, "?#");
	if (dbm_buf_add(out, rest + pos, auth_end - pos) < 0)
		return DBM_ERR_NOMEM;
	return url_redact_params(rest + auth_end, len - auth_end, 0, out);
}

/* 1 when s starts as a conninfo string does: a keyword, then '=' ("host=db ..."). */
static int url_is_conninfo(const char *s)
{
	size_t i = strspn(s, " \t"), k = i;

	while (isalnum((unsigned char)s[i]) || s[i] == '_')
		i++;
	i += strspn(s + i, " \t");
	return i > k && s[i] == '=';
}

/*
 * A string without "://" that looks like "[scheme:]user:password@host..."
 * (not a conninfo string): the offset of the first ':' (the mask starts
 * after it) and of the last '@'. Returns 1 when found.
 */
static int url_bare_userinfo(const char *s, size_t *colon, size_t *at)
{
	size_t q = strcspn(s, "?"), i, n = (size_t)-1;
	/* an '@' after "?key=" is a parameter's, not the user info's */
	size_t limit = s[q] ? q + strcspn(s + q, "=") : q;

	if (url_is_conninfo(s))
		return 0;
	for (i = 0; i < limit; i++) {
		if (s[i] == '@')
			n = i;
	}
	if (n == (size_t)-1)
		return 0;
	i = strcspn(s, ":");
	if (i >= n)
		return 0;
	*colon = i;
	*at = n;
	return 1;
}

static int url_redact(const char *url, struct dbm_buf *out);

int dbm_url_redact(const char *url, struct dbm_buf *out)
{
	size_t start = out->len;
	int r = url_redact(url, out);

	if (r == 0 && out->ptr && out->len > start) {
		/* what a mis-parse could still show: the process's listed secrets */
		dbm_secrets_scrub(out->ptr + start);
		out->len = start + strlen(out->ptr + start);
	}
	return r;
}

/* dbm_url_redact without the scrub. */
static int url_redact(const char *url, struct dbm_buf *out)
{
	const char *sep;
	size_t i, colon, at;

	if (!url)
		return 0;
	sep = strstr(url, "://");
	if (sep) {
		for (i = 0; url + i < sep; i++) {
			char c = url[i];

			if (!isalnum((unsigned char)c) && c != '+' && c != '-' && c != '.')
				break;
		}
		if (url + i == sep && i > 0) {
			if (dbm_buf_add(out, url, i + 3) < 0)
				return DBM_ERR_NOMEM;
			return url_redact_uri(sep + 3, out);
		}
	}
	if (url_bare_userinfo(url, &colon, &at)) {
		if (dbm_buf_add(out, url, colon + 1) < 0 || dbm_buf_adds(out, URL_MASK) < 0)
			return DBM_ERR_NOMEM;
		return url_redact_params(url + at, strlen(url + at), 0, out);
	}
	return url_redact_params(url, strlen(url), 0, out);
}

size_t dbm_edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	size_t stack_row[64];
	size_t *row = stack_row;
	size_t i, j, result;

	if (lb + 1 > DBM_ARRAY_SIZE(stack_row)) {
		row = dbm_malloc((lb + 1) * sizeof(*row));
		if (!row)
			return la > lb ? la : lb; /* an upper bound: no hint beats a crash */
	}
	for (j = 0; j <= lb; j++)
		row[j] = j;
	for (i = 1; i <= la; i++) {
		size_t diag = row[0];

		row[0] = i;
		for (j = 1; j <= lb; j++) {
			size_t up = row[j];
			size_t best = diag + (tolower((unsigned char)a[i - 1]) ==
			                              tolower((unsigned char)b[j - 1])
			                          ? 0
			                          : 1);

			if (up + 1 < best)
				best = up + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			row[j] = best;
			diag = up;
		}
	}
	result = row[lb];
	if (row != stack_row)
		dbm_free(row);
	return result;
}
