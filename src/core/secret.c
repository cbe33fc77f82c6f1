/*
 * secret.c - the process's list of texts never to print, and the scrubber
 * (secret.h).
 *
 * A password reaches a message in more forms than the one the user typed:
 * libpq prints the pieces of a URL it split at the wrong '@', a MySQL
 * client names as host what was the tail of a password, a conninfo parser
 * unescapes "abc\ tail". dbm_secret_add_url() therefore lists every text
 * that could be the password under any reading of the URL, and the error
 * module scrubs each error with the list. The rules lean towards hiding too
 * much: a piece of a candidate may also be an ordinary word of a message.
 *
 * Writers are the main thread (configuration, connecting); readers may be
 * any thread that sets an error, so a mutex guards the list.
 */
#include <ctype.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "dbmigrate/common.h"
#include "dbmigrate/secret.h"

#define SECRET_MASK "***"
/* At most this many '@' are tried as the end of the user info. */
#define SECRET_MAX_AT 32

static struct {
	char **items; /* longest first */
	size_t *lens;
	unsigned char *piece; /* a piece of a candidate: scrubbed only as a whole word */
	size_t n, cap;
} secrets;
static pthread_mutex_t secrets_mu = PTHREAD_MUTEX_INITIALIZER;

/* Characters that split a URL, a query or a conninfo string: a mis-parse cuts there. */
static const char secret_splitters[] = " \t\r\n@:/?#&=%\\'\"[],;()";

/*
 * Adds text[0..len) to the list; piece: only where it stands as a whole
 * word (no letter or digit on either side), since a piece such as "word"
 * of "p@ss?word" is also part of ordinary words. Returns 0 or
 * DBM_ERR_NOMEM.
 */
static int secret_add(const char *text, size_t len, int piece)
{
	size_t i, pos;
	char *copy = NULL;
	int oom = 0;

	if (!text || len < DBM_SECRET_MIN)
		return 0;
	pthread_mutex_lock(&secrets_mu);
	for (i = 0; i < secrets.n; i++) {
		if (secrets.lens[i] == len && memcmp(secrets.items[i], text, len) == 0) {
			secrets.piece[i] &= (unsigned char)piece;
			goto done;
		}
	}
	if (secrets.n == secrets.cap) {
		size_t cap = secrets.cap ? secrets.cap * 2 : 16;
		char **items = dbm_realloc(secrets.items, cap * sizeof(*items));
		size_t *lens;
		unsigned char *pieces;

		oom = !items;
		if (oom)
			goto done;
		secrets.items = items;
		lens = dbm_realloc(secrets.lens, cap * sizeof(*lens));
		oom = !lens;
		if (oom)
			goto done;
		secrets.lens = lens;
		pieces = dbm_realloc(secrets.piece, cap);
		oom = !pieces;
		if (oom)
			goto done;
		secrets.piece = pieces;
		secrets.cap = cap;
	}
	copy = dbm_strndup(text, len);
	oom = !copy;
	if (oom)
		goto done;
	/* keep the list longest first: a password is scrubbed before its pieces */
	for (pos = 0; pos < secrets.n && secrets.lens[pos] >= len; pos++)
		;
	memmove(secrets.items + pos + 1, secrets.items + pos,
	        (secrets.n - pos) * sizeof(*secrets.items));
	memmove(secrets.lens + pos + 1, secrets.lens + pos,
	        (secrets.n - pos) * sizeof(*secrets.lens));
	memmove(secrets.piece + pos + 1, secrets.piece + pos, secrets.n - pos);
	secrets.items[pos] = copy;
	secrets.lens[pos] = len;
	secrets.piece[pos] = (unsigned char)(piece != 0);
	secrets.n++;
done:
	pthread_mutex_unlock(&secrets_mu);
	/* outside the lock: setting an error scrubs it, which takes the lock */
	return oom ? dbm_error_oom() : 0;
}

int dbm_secret_add(const char *text, size_t len)
{
	return secret_add(text, len, 0);
}

int dbm_secret_listed(const char *text)
{
	size_t i, len = text ? strlen(text) : 0;
	int found = 0;

	if (len < DBM_SECRET_MIN)
		return 0;
	pthread_mutex_lock(&secrets_mu);
	for (i = 0; i < secrets.n && !found; i++)
		found = secrets.lens[i] == len && memcmp(secrets.items[i], text, len) == 0;
	pthread_mutex_unlock(&secrets_mu);
	return found;
}

void dbm_secrets_reset(void)
{
	size_t i;

	pthread_mutex_lock(&secrets_mu);
	for (i = 0; i < secrets.n; i++)
		dbm_free(secrets.items[i]);
	dbm_free(secrets.items);
	dbm_free(secrets.lens);
	dbm_free(secrets.piece);
	memset(&secrets, 0, sizeof(secrets));
	pthread_mutex_unlock(&secrets_mu);
}

size_t dbm_secrets_scrub(char *text)
{
	size_t i, count = 0;

	if (!text || !*text)
		return 0;
	pthread_mutex_lock(&secrets_mu);
	for (i = 0; i < secrets.n; i++) {
		char *p = text;
		size_t len = secrets.lens[i];

		while ((p = strstr(p, secrets.items[i])) != NULL) {
			if (secrets.piece[i] && ((p > text && isalnum((unsigned char)p[-1])) ||
			                         isalnum((unsigned char)p[len]))) {
				p++;
				continue;
			}
			/* len >= 3: the mask never makes the text longer */
			p[0] = SECRET_MASK[0];
			p[1] = SECRET_MASK[1];
			p[2] = SECRET_MASK[2];
			memmove(p + 3, p + len, strlen(p + len) + 1);
			p += 3;
			count++;
		}
	}
	pthread_mutex_unlock(&secrets_mu);
	return count;
}

size_t dbm_secrets_scrub_cut(char *text)
{
	size_t i, count = dbm_secrets_scrub(text), tlen = text ? strlen(text) : 0;

	pthread_mutex_lock(&secrets_mu);
	for (i = 0; i < secrets.n; i++) {
		size_t k = secrets.lens[i] - 1 < tlen ? secrets.lens[i] - 1 : tlen;

		/* the longest start of the secret that ends the text */
		for (; k > 0; k--) {
			if (memcmp(text + tlen - k, secrets.items[i], k) == 0) {
				tlen -= k;
				text[tlen] = '\0';
				count++;
				break;
			}
		}
	}
	pthread_mutex_unlock(&secrets_mu);
	return count;
}

/* 1 when s[0..len) holds a '%' that does not start a two-digit hex escape. */
static int secret_bad_percent(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++) {
		if (s[i] == '%' &&
		    (i + 2 >= len || dbm_hex_digit(s[i + 1]) < 0 || dbm_hex_digit(s[i + 2]) < 0))
			return 1;
	}
	return 0;
}

/*
 * Adds s[0..len), its decoded form (percent escapes when percent, backslash
 * escapes when backslash), and when pieces its pieces between splitting
 * characters. Returns 0 or DBM_ERR_NOMEM.
 */
static int secret_add_forms(const char *s, size_t len, int percent, int backslash, int pieces)
{
	char *dec;
	size_t i, n = 0, start;
	int rc = dbm_secret_add(s, len);

	if (rc < 0)
		return rc;
	dec = dbm_malloc(len + 1);
	if (!dec)
		return dbm_error_oom();
	for (i = 0; i < len; i++) {
		if (percent && s[i] == '%' && i + 2 < len && dbm_hex_digit(s[i + 1]) >= 0 &&
		    dbm_hex_digit(s[i + 2]) >= 0) {
			dec[n++] = (char)(dbm_hex_digit(s[i + 1]) * 16 + dbm_hex_digit(s[i + 2]));
			i += 2;
		} else if (backslash && s[i] == '\\' && i + 1 < len) {
			dec[n++] = s[++i];
		} else {
			dec[n++] = s[i];
		}
	}
	rc = dbm_secret_add(dec, n);
	dbm_free(dec);
	if (rc < 0 || !pieces)
		return rc;
	for (start = 0, i = 0; i <= len && rc == 0; i++) {
		if (i == len || strchr(secret_splitters, s[i])) {
			if (i > start && i - start < len)
				rc = secret_add(s + start, i - start, 1);
			start = i + 1;
		}
	}
	return rc;
}

/* 1 when s[0..len) is a (possibly empty) run of digits: a port. */
static int secret_is_port(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++) {
		if (!isdigit((unsigned char)s[i]))
			return 0;
	}
	return 1;
}

/* Secret parameter names, compared without case. */
static int secret_is_key(const char *key, size_t len)
{
	static const char *const keys[] = {"password", "sslpassword", "passwd",
	                                   "pwd",      "pass",        NULL};
	size_t i;

	for (i = 0; keys[i]; i++) {
		if (strlen(keys[i]) == len && strncasecmp(key, keys[i], len) == 0)
			return 1;
	}
	return 0;
}

/* How the user-info part of url is laid out; see secret_userinfo(). */
struct secret_userinfo {
	const char *rest; /* text after "scheme://", or the whole string when bare */
	int bare;         /* no "//" after the scheme */
	size_t colon;     /* offset in rest of the ':' before the first '@'; SIZE_MAX if none */
	size_t ats[SECRET_MAX_AT]; /* offsets in rest of each '@' after colon */
	size_t nat;
	int conninfo; /* key=value pairs, no user info */
};

/* The length of url's scheme (letters, digits, '+', '-', '.' up to a ':'), else SIZE_MAX. */
static size_t secret_scheme_len(const char *url)
{
	size_t i;

	for (i = 0; url[i]; i++) {
		char c = url[i];

		if (!isalnum((unsigned char)c) && c != '+' && c != '-' && c != '.')
			break;
	}
	return url[i] == ':' ? i : (size_t)-1;
}

static void secret_userinfo(const char *url, struct secret_userinfo *u)
{
	size_t slen = secret_scheme_len(url);
	const char *sep = strstr(url, "://");
	size_t first_at, i;

	memset(u, 0, sizeof(*u));
	u->colon = (size_t)-1;
	if (sep && (slen == (size_t)(sep - url) || sep == url)) {
		u->rest = sep + 3;
	} else {
		size_t k = strspn(url, " \t"), j = k;

		u->rest = url;
		u->bare = 1;
		/* "keyword = ..." starts a conninfo string; "postgres:pa=ss@h" does not */
		while (isalnum((unsigned char)url[j]) || url[j] == '_')
			j++;
		j += strspn(url + j, " \t");
		if (j > k && url[j] == '=') {
			u->conninfo = 1;
			return;
		}
	}
	first_at = strcspn(u->rest, "@");
	for (i = 0; i < first_at; i++) {
		if (u->rest[i] == ':') {
			u->colon = i;
			break;
		}
	}
	if (u->colon == (size_t)-1)
		return;
	for (i = u->colon + 1; u->rest[i] && u->nat < SECRET_MAX_AT; i++) {
		if (u->rest[i] == '@')
			u->ats[u->nat++] = i;
		/* an '@' after "?key=" is a parameter's, not the user info's */
		if (u->rest[i] == '=' && memchr(u->rest, '?', i))
			break;
	}
}

/*
 * A password value of a secret key=value pair starting at s: its raw
 * extent into *len. quoted: it was in single quotes (the quotes are not
 * part of it); *unterminated when the closing quote is missing.
 */
static const char *secret_param_value(const char *s, int in_query, size_t *len, int *quoted,
                                      int *unterminated)
{
	size_t j = 0;

	*quoted = *unterminated = 0;
	if (in_query) {
		*len = strcspn(s, "&");
		return s;
	}
	if (s[0] == '\'') {
		*quoted = 1;
		for (j = 1; s[j] && s[j] != '\''; j++) {
			if (s[j] == '\\' && s[j + 1])
				j++;
		}
		*unterminated = s[j] != '\'';
		*len = j - 1;
		return s + 1;
	}
	for (j = 0; s[j] && !isspace((unsigned char)s[j]); j++) {
		if (s[j] == '\\' && s[j + 1])
			j++;
	}
	*len = j;
	return s;
}

/*
 * Finds each secret key=value value in s: query parameters after a '?',
 * conninfo pairs elsewhere. When add, adds their forms to the list;
 * *ambiguous is set for an unterminated quote. Returns 0 or DBM_ERR_NOMEM.
 */
static int secret_scan_params(const char *s, int add, int *ambiguous)
{
	size_t i = 0;
	int in_query = 0, at_key = 1, rc = 0;

	while (s[i] && rc == 0) {
		char c = s[i];

		if (at_key && (isalnum((unsigned char)c) || c == '_')) {
			size_t k = i, j;

			while (isalnum((unsigned char)s[i]) || s[i] == '_' || s[i] == '-' ||
			       s[i] == '.')
				i++;
			j = i;
			while (!in_query && (s[j] == ' ' || s[j] == '\t'))
				j++;
			at_key = 0;
			if ((s[j] == '=' || (!in_query && s[j] == ':')) &&
			    secret_is_key(s + k, i - k)) {
				const char *v;
				size_t len;
				int quoted, unterminated;

				j++;
				while (!in_query && (s[j] == ' ' || s[j] == '\t'))
					j++;
				v = secret_param_value(s + j, in_query, &len, &quoted,
				                       &unterminated);
				if (unterminated)
					*ambiguous = 1;
				if (add)
					rc = secret_add_forms(v, len, in_query, !in_query,
					                      !in_query);
				if (rc == 0 && add && in_query && v[len]) {
					/* an unencoded '&' may have cut it: the rest, as pieces */
					rc = secret_add_forms(v, strlen(v), 1, 0, 1);
				}
				if (rc == 0 && add && !in_query && !quoted) {
					/* libpq may stop the value at the first blank: its tail too
					 */
					rc = secret_add_forms(v, strcspn(v, " \t"), 0, 1, 0);
				}
				i = (size_t)(v - s) + len;
			}
			continue;
		}
		if (c == '?')
			in_query = 1;
		at_key = isspace((unsigned char)c) || c == '?' || c == '&' || c == ';';
		i++;
	}
	return rc;
}

/*
 * The ambiguity of u's user info (see dbm_url_is_ambiguous), without the
 * conninfo rule.
 */
static int secret_userinfo_ambiguous(const struct secret_userinfo *u)
{
	size_t i, auth_end;

	if (u->conninfo || (u->bare && u->nat == 0))
		return 0;
	if (u->nat == 0) {
		/* host:notaport - a password that lost its '@' */
		size_t colon;

		auth_end = strcspn(u->rest, "/?#");
		for (colon = 0; colon < auth_end; colon++) {
			if (u->rest[colon] == '[') {
				colon += strcspn(u->rest + colon, "]");
				if (colon >= auth_end)
					return 1;
			} else if (u->rest[colon] == ':') {
				size_t end = colon + 1 + strcspn(u->rest + colon + 1, ",/?#");

				if (!secret_is_port(u->rest + colon + 1, end - colon - 1))
					return 1;
			}
		}
		return 0;
	}
	if (u->nat > 1 || u->bare)
		return 1;
	for (i = 0; i < u->ats[0]; i++) {
		if (strchr("/?#[] \t\r\n\\", u->rest[i]))
			return 1;
	}
	return secret_bad_percent(u->rest, u->ats[0]);
}

int dbm_url_is_ambiguous(const char *url)
{
	struct secret_userinfo u;
	int ambiguous = 0;

	if (!url)
		return 0;
	secret_userinfo(url, &u);
	if (secret_userinfo_ambiguous(&u))
		return 1;
	secret_scan_params(u.conninfo ? url : u.rest, 0, &ambiguous);
	return ambiguous;
}

int dbm_secret_add_url(const char *url)
{
	struct secret_userinfo u;
	const char *env;
	size_t i;
	int rc = 0, ambiguous = 0;

	if (url) {
		secret_userinfo(url, &u);
		ambiguous = secret_userinfo_ambiguous(&u);
		if (u.colon != (size_t)-1) {
			const char *pw = u.rest + u.colon + 1;

			for (i = 0; i < u.nat && rc == 0; i++)
				rc = secret_add_forms(pw, u.ats[i] - u.colon - 1, 1, 0, ambiguous);
			if (rc == 0 && u.nat == 0 && ambiguous) {
				/* "user:password/db" without its '@' */
				size_t end = strcspn(pw, "/?#");

				rc = secret_add_forms(pw, end, 1, 0, 1);
				if (rc == 0)
					rc = secret_add_forms(pw, strlen(pw), 1, 0, 1);
			}
		}
		if (rc == 0)
			rc = secret_scan_params(u.conninfo ? url : u.rest, 1, &ambiguous);
	}
	if (rc == 0 && (env = getenv("PGPASSWORD")) != NULL)
		rc = dbm_secret_add(env, strlen(env));
	if (rc == 0 && (env = getenv("MYSQL_PWD")) != NULL)
		rc = dbm_secret_add(env, strlen(env));
	return rc;
}
