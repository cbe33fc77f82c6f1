/*
 * mysql_url.c - mysql:// and mariadb:// URLs into the MySQL driver's
 * connection parameters (mysqldrv.h).
 *
 * The driver parses the URL itself instead of handing it to the client
 * library, so that an unknown option is an error instead of being ignored,
 * and so that the password never reaches a message: every error here names
 * the part of the URL that is wrong, never its text when it may be secret.
 * The URL's secrets are listed first (dbm_drv_secrets), so every error is
 * scrubbed of them; when the URL is ambiguous (its password holds an
 * unencoded '@', '/', '?', '#' or space, so a piece of it may have been
 * taken for the host, the port or the database), no text of the URL is
 * echoed at all and the library's messages are withheld (p->withhold).
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "dbmigrate/secret.h"
#include "mysqldrv.h"

/* Frees a string after overwriting it (passwords). */
static void mysqldrv_free_secret(char *s)
{
	if (s) {
		volatile char *p = s;

		while (*p)
			*p++ = '\0';
		dbm_free(s);
	}
}

void mysqldrv_params_free(struct mysqldrv_params *p)
{
	dbm_free(p->host);
	dbm_free(p->user);
	mysqldrv_free_secret(p->password);
	dbm_free(p->db);
	dbm_free(p->socket);
	dbm_free(p->ssl_ca);
	dbm_free(p->ssl_cert);
	dbm_free(p->ssl_key);
	memset(p, 0, sizeof(*p));
}

/*
 * Percent-decodes s[0..len) into a new string in *out ('+' stays '+').
 * Returns 0; DBM_ERR_USAGE naming what (never the text: it may be secret);
 * DBM_ERR_NOMEM.
 */
static int mysqldrv_decode(const char *s, size_t len, const char *what, char **out)
{
	char *r = dbm_malloc(len + 1);
	size_t i, n = 0;

	if (!r)
		return dbm_error_oom();
	for (i = 0; i < len; i++) {
		if (s[i] == '%') {
			int hi = i + 2 < len ? dbm_hex_digit(s[i + 1]) : -1;
			int lo = i + 2 < len ? dbm_hex_digit(s[i + 2]) : -1;

			if (hi < 0 || lo < 0) {
				dbm_free(r);
				dbm_error_set(DBM_ERR_USAGE,
				              "invalid percent-encoding in the %s of the URL",
				              what);
				dbm_error_set_hint(
				    "Write a '%%' as '%%25' and use two hex digits after "
				    "each '%%'.");
				return DBM_ERR_USAGE;
			}
			r[n++] = (char)(hi * 16 + lo);
			i += 2;
		} else {
			r[n++] = s[i];
		}
	}
	r[n] = '\0';
	*out = r;
	return 0;
}

/* Parses a decimal number in [min, max]. 0 and *out, or -1. */
static int mysqldrv_parse_uint(const char *s, unsigned min, unsigned max, unsigned *out)
{
	unsigned long v = 0;

	if (!*s)
		return -1;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		v = v * 10 + (unsigned long)(*s - '0');
		if (v > max)
			return -1;
	}
	if (v < min)
		return -1;
	*out = (unsigned)v;
	return 0;
}

/* Compares an option key, treating '_' like '-'. 1 when equal. */
static int mysqldrv_key_is(const char *key, const char *want)
{
	if (!key)
		return 0;
	for (; *key && *want; key++, want++) {
		char a = *key == '_' ? '-' : *key;

		if ((a | 0x20) != (*want | 0x20))
			return 0;
	}
	return *key == '\0' && *want == '\0';
}

/* text as it may be echoed in a message: nothing of an ambiguous URL. */
static const char *mysqldrv_shown(const struct mysqldrv_params *p, const char *text)
{
	return p->withhold ? "(not shown)" : text;
}

/*
 * Applies one ?key=value option of the URL. Returns 0; DBM_ERR_USAGE naming
 * the option (an unknown key, a bad value); DBM_ERR_NOMEM.
 */
static int mysqldrv_url_option(struct mysqldrv_params *p, const char *key, const char *val)
{
	static const char *const modes[] = {"",         "DISABLED",  "PREFERRED",
	                                    "REQUIRED", "VERIFY_CA", "VERIFY_IDENTITY"};
	char **dst = NULL;
	size_t i;

	if (mysqldrv_key_is(key, "ssl-mode")) {
		for (i = 1; i < DBM_ARRAY_SIZE(modes); i++)
			if (strcasecmp(val, modes[i]) == 0) {
				p->ssl_mode = (enum mysqldrv_ssl)i;
				return 0;
			}
		dbm_error_set(DBM_ERR_USAGE, "invalid value '%s' for URL option 'ssl-mode'",
		              mysqldrv_shown(p, val));
		dbm_error_set_hint("Use one of DISABLED, PREFERRED, REQUIRED, VERIFY_CA, "
		                   "VERIFY_IDENTITY.");
		return DBM_ERR_USAGE;
	}
	if (mysqldrv_key_is(key, "connect-timeout")) {
		if (mysqldrv_parse_uint(val, 1, 86400, &p->connect_timeout) < 0) {
			dbm_error_set(DBM_ERR_USAGE,
			              "invalid value '%s' for URL option 'connect-timeout'",
			              mysqldrv_shown(p, val));
			dbm_error_set_hint("Give a number of seconds from 1 to 86400.");
			return DBM_ERR_USAGE;
		}
		return 0;
	}
	if (mysqldrv_key_is(key, "lock")) {
		if (strcasecmp(val, "auto") == 0)
			p->lock_mode = MYSQLDRV_LOCK_AUTO;
		else if (strcasecmp(val, "advisory") == 0)
			p->lock_mode = MYSQLDRV_LOCK_ADVISORY;
		else if (strcasecmp(val, "table") == 0)
			p->lock_mode = MYSQLDRV_LOCK_TABLE;
		else {
			dbm_error_set(DBM_ERR_USAGE, "invalid value '%s' for URL option 'lock'",
			              mysqldrv_shown(p, val));
			dbm_error_set_hint("Use one of auto, advisory, table.");
			return DBM_ERR_USAGE;
		}
		return 0;
	}
	if (mysqldrv_key_is(key, "ssl-ca"))
		dst = &p->ssl_ca;
	else if (mysqldrv_key_is(key, "ssl-cert"))
		dst = &p->ssl_cert;
	else if (mysqldrv_key_is(key, "ssl-key"))
		dst = &p->ssl_key;
	else if (mysqldrv_key_is(key, "socket"))
		dst = &p->socket;
	if (!dst) {
		dbm_error_set(DBM_ERR_USAGE, "unknown option '%s' in the MySQL URL",
		              mysqldrv_shown(p, key));
		dbm_error_set_hint("The options are ssl-mode, ssl-ca, ssl-cert, ssl-key, "
		                   "connect-timeout, socket and lock.");
		return DBM_ERR_USAGE;
	}
	dbm_free(*dst);
	*dst = dbm_strdup(val);
	return *dst ? 0 : dbm_error_oom();
}

/*
 * Parses mysql://[user[:password]@][host][:port][/database][?key=value&...]
 * into *p (which the caller frees with mysqldrv_params_free, also on
 * failure). Returns 0; DBM_ERR_USAGE naming the problem but never the
 * password; DBM_ERR_NOMEM.
 */
int mysqldrv_parse_url(const char *url, struct mysqldrv_params *p)
{
	const char *s = strstr(url, "://");
	const char *auth, *auth_end, *at, *hp, *colon, *path_end;
	char *portstr = NULL, *query = NULL;
	int rc = 0;

	memset(p, 0, sizeof(*p));
	if ((rc = dbm_drv_secrets(url)) < 0)
		return rc;
	p->withhold = rc;
	rc = 0;
	if (!s) {
		dbm_error_set(DBM_ERR_USAGE, "the MySQL URL does not start with 'mysql://'");
		dbm_error_set_hint("Write it as mysql://user:password@host:port/database.");
		return DBM_ERR_USAGE;
	}
	auth = s + 3;
	auth_end = auth + strcspn(auth, "/?");
	/* The last '@' ends the user part, so an unencoded '@' in a password still works. */
	at = NULL;
	for (s = auth; s < auth_end; s++)
		if (*s == '@')
			at = s;
	hp = auth;
	/* an '@' in the path, or in the query before any "key=" */
	path_end = auth_end + strcspn(auth_end, "=");
	if (memchr(auth_end, '@', (size_t)(path_end - auth_end))) {
		/* mysql://u:p@ss/word@h/db: the password's '/' ended the host part early */
		rc = dbm_error_set(DBM_ERR_USAGE, "the MySQL URL has an '@' after its host part: "
		                                  "the user name or password holds an unencoded "
		                                  "'/' or '?'");
		dbm_error_set_hint("%s", DBM_DRV_WITHHELD_HINT);
		goto done;
	}
	if (at) {
		colon = memchr(auth, ':', (size_t)(at - auth));
		if (colon) {
			rc = mysqldrv_decode(auth, (size_t)(colon - auth), "user name", &p->user);
			if (rc == 0)
				rc = mysqldrv_decode(colon + 1, (size_t)(at - colon - 1),
				                     "password", &p->password);
		} else {
			rc = mysqldrv_decode(auth, (size_t)(at - auth), "user name", &p->user);
		}
		if (rc < 0)
			goto done;
		hp = at + 1;
	}
	/* host, [v6], :port */
	if (*hp == '[') {
		const char *close = memchr(hp, ']', (size_t)(auth_end - hp));

		if (!close) {
			rc =
			    dbm_error_set(DBM_ERR_USAGE, "unterminated '[' in the host of the URL");
			goto done;
		}
		p->host = dbm_strndup(hp + 1, (size_t)(close - hp - 1));
		colon = close + 1 < auth_end && close[1] == ':' ? close + 1 : NULL;
		if (close + 1 < auth_end && !colon) {
			rc = dbm_error_set(DBM_ERR_USAGE, "unexpected text after ']' in the URL");
			goto done;
		}
	} else {
		colon = memchr(hp, ':', (size_t)(auth_end - hp));
		p->host = dbm_strndup(hp, (size_t)((colon ? colon : auth_end) - hp));
	}
	if (!p->host) {
		rc = dbm_error_oom();
		goto done;
	}
	if (!*p->host) {
		dbm_free(p->host);
		p->host = NULL;
	}
	if (colon) {
		portstr = dbm_strndup(colon + 1, (size_t)(auth_end - colon - 1));
		if (!portstr) {
			rc = dbm_error_oom();
			goto done;
		}
		if (mysqldrv_parse_uint(portstr, 1, 65535, &p->port) < 0) {
			rc = dbm_error_set(DBM_ERR_USAGE, "invalid port '%s' in the URL",
			                   mysqldrv_shown(p, portstr));
			dbm_error_set_hint("%s", p->withhold
			                             ? DBM_DRV_WITHHELD_HINT
			                             : "A port is a number from 1 to 65535.");
			goto done;
		}
	}
	/* /database */
	s = auth_end;
	if (*s == '/') {
		s++;
		path_end = s + strcspn(s, "?");
		if (path_end > s) {
			rc = mysqldrv_decode(s, (size_t)(path_end - s), "database name", &p->db);
			if (rc < 0)
				goto done;
			if (strchr(p->db, '/')) {
				rc = dbm_error_set(DBM_ERR_USAGE,
				                   "invalid database name '%s' in the URL",
				                   mysqldrv_shown(p, p->db));
				goto done;
			}
		}
		s = path_end;
	}
	/* ?key=value&key=value */
	if (*s == '?') {
		char *opt, *save = NULL;

		query = dbm_strdup(s + 1);
		if (!query) {
			rc = dbm_error_oom();
			goto done;
		}
		for (opt = strtok_r(query, "&", &save); opt; opt = strtok_r(NULL, "&", &save)) {
			char *eq = strchr(opt, '=');
			char *key = NULL, *val = NULL;

			rc = mysqldrv_decode(opt, eq ? (size_t)(eq - opt) : strlen(opt), "options",
			                     &key);
			if (rc == 0)
				rc = mysqldrv_decode(eq ? eq + 1 : "", eq ? strlen(eq + 1) : 0,
				                     "options", &val);
			if (rc == 0)
				rc = mysqldrv_url_option(p, key, val);
			dbm_free(key);
			dbm_free(val);
			if (rc < 0)
				goto done;
		}
	}
	if (p->password && (rc = dbm_secret_add(p->password, strlen(p->password))) < 0)
		goto done;
	if (!p->password) {
		const char *env = getenv("MYSQL_PWD");

		if (env) {
			p->password = dbm_strdup(env);
			if (!p->password)
				rc = dbm_error_oom();
		}
	}
done:
	dbm_free(portstr);
	dbm_free(query);
	return rc;
}
