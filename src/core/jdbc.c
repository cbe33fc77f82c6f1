/*
 * jdbc.c - a Flyway url (a JDBC URL) with its user and password, as one of
 * the URLs dbmigrate's drivers take (config.h: dbm_jdbc_url).
 *
 *   jdbc:postgresql://h[:p][,h2...]/db?k=v  ->  postgresql://user:pass@h[:p],.../db?k=v
 *   jdbc:postgresql:db                      ->  postgresql://localhost/db (pgJDBC's default host)
 *   jdbc:mysql://h[:p]/db?k=v               ->  mysql://user:pass@h[:p]/db?k=v
 *   jdbc:mariadb://...                      ->  mariadb://...
 *   jdbc:sqlite:rel.db, jdbc:sqlite:/abs.db ->  sqlite:rel.db, sqlite:///abs.db
 *
 * The user and password are percent-encoded into the user-info. JDBC
 * parameters are renamed to the libraries' ones where both mean the same
 * (table below); any other parameter is refused by name, because silently
 * dropping one (a socket factory, a TLS setting) would connect in a way the
 * team did not ask for. Messages name parameters, never their values, so
 * a password given as ?password=... cannot leak through them. Pure: called
 * by the Flyway configuration reader (config_flyway.c) and the unit tests.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "dbmigrate/common.h"
#include "dbmigrate/config.h"

enum jdbc_db { JDBC_PG, JDBC_MY };

/* Appends s[0..len) percent-encoded (all but RFC 3986 unreserved characters). */
static int jdbc_encode(struct dbm_buf *out, const char *s, size_t len)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t i;
	int r = 0;

	for (i = 0; r == 0 && i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		    c == '-' || c == '.' || c == '_' || c == '~') {
			r = dbm_buf_addc(out, (char)c);
		} else {
			char e[3] = {'%', hex[c >> 4], hex[c & 15]};

			r = dbm_buf_add(out, e, 3);
		}
	}
	return r;
}

static int jdbc_is(const char *s, size_t len, const char *name)
{
	return strlen(name) == len && strncasecmp(s, name, len) == 0;
}

/* Adds "&key=value" (or "?key=value" first) to q. */
static int jdbc_param(struct dbm_buf *q, const char *key, const char *val, size_t vlen)
{
	int r = dbm_buf_addf(q, "%c%s=", q->len ? '&' : '?', key);

	return r < 0 ? r : dbm_buf_add(q, val, vlen);
}

/*
 * Maps one JDBC parameter k[0..klen)=v[0..vlen) of database db into q (the
 * driver's query string), *user / *password (pointers into the URL) or
 * *schema. Returns 0, DBM_ERR_USAGE naming the parameter, DBM_ERR_NOMEM.
 */
static int jdbc_map(enum jdbc_db db, const char *k, size_t klen, const char *v, size_t vlen,
                    struct dbm_buf *q, struct dbm_buf *user, struct dbm_buf *password,
                    char **schema)
{
	if (jdbc_is(k, klen, "user"))
		return user->len ? 0 : dbm_buf_add(user, v, vlen);
	if (jdbc_is(k, klen, "password"))
		return password->len ? 0 : dbm_buf_add(password, v, vlen);
	if (db == JDBC_PG) {
		if (jdbc_is(k, klen, "ApplicationName"))
			return jdbc_param(q, "application_name", v, vlen);
		if (jdbc_is(k, klen, "sslmode") || jdbc_is(k, klen, "sslrootcert") ||
		    jdbc_is(k, klen, "sslcert") || jdbc_is(k, klen, "sslkey")) {
			char name[16];

			snprintf(name, sizeof(name), "%.*s", (int)klen, k);
			for (size_t i = 0; name[i]; i++)
				name[i] = (char)(name[i] >= 'A' && name[i] <= 'Z' ? name[i] + 32
				                                                  : name[i]);
			return jdbc_param(q, name, v, vlen);
		}
		if (jdbc_is(k, klen, "connectTimeout"))
			return jdbc_param(q, "connect_timeout", v, vlen); /* seconds in both */
		if (jdbc_is(k, klen, "ssl")) {
			/* pgJDBC's ssl=true verifies the certificate and the host name. */
			if (vlen == 4 && strncasecmp(v, "true", 4) == 0)
				return jdbc_param(q, "sslmode", "verify-full", 11);
			if (vlen == 5 && strncasecmp(v, "false", 5) == 0)
				return jdbc_param(q, "sslmode", "disable", 7);
			goto bad_value;
		}
		if (jdbc_is(k, klen, "currentSchema")) {
			const char *comma = memchr(v, ',', vlen);

			dbm_free(*schema);
			*schema = dbm_strndup(v, comma ? (size_t)(comma - v) : vlen);
			return *schema ? 0 : dbm_error_oom();
		}
	} else {
		if (jdbc_is(k, klen, "useSSL")) {
			if (vlen == 4 && strncasecmp(v, "true", 4) == 0)
				return jdbc_param(q, "ssl-mode", "REQUIRED", 8);
			if (vlen == 5 && strncasecmp(v, "false", 5) == 0)
				return jdbc_param(q, "ssl-mode", "DISABLED", 8);
			goto bad_value;
		}
		if (jdbc_is(k, klen, "sslMode"))
			return jdbc_param(q, "ssl-mode", v, vlen);
		if (jdbc_is(k, klen, "connectTimeout")) {
			/* milliseconds in Connector/J, whole seconds for the driver */
			char num[24], *end;
			unsigned long ms;

			snprintf(num, sizeof(num), "%.*s", (int)(vlen < 20 ? vlen : 20), v);
			ms = strtoul(num, &end, 10);
			if (!vlen || *end || vlen > 18 || num[0] == '-' || num[0] == '+')
				goto bad_value;
			snprintf(num, sizeof(num), "%lu", (ms + 999) / 1000);
			return jdbc_param(q, "connect-timeout", num, strlen(num));
		}
	}
	dbm_error_set(DBM_ERR_USAGE, "url: JDBC parameter '%.*s' is not supported", (int)klen, k);
	dbm_error_set_hint("%s", db == JDBC_PG
	                             ? "dbmigrate maps ApplicationName, sslmode, sslrootcert, "
	                               "sslcert, sslkey, ssl, currentSchema, connectTimeout, user "
	                               "and password; remove the others, or give a postgresql:// "
	                               "URL with libpq's parameters."
	                             : "dbmigrate maps useSSL, sslMode, connectTimeout, user and "
	                               "password; remove the others, or give a mysql:// URL.");
	return DBM_ERR_USAGE;
bad_value:
	dbm_error_set(DBM_ERR_USAGE, "url: JDBC parameter '%.*s' has a value dbmigrate cannot map",
	              (int)klen, k);
	dbm_error_set_hint("Use true or false (connectTimeout: a whole number).");
	return DBM_ERR_USAGE;
}

/*
 * The server URL of a jdbc:postgresql:, jdbc:mysql: or jdbc:mariadb: URL;
 * rest is the part after "jdbc:<name>:". Returns 0, DBM_ERR_USAGE, NOMEM.
 */
static int jdbc_server(enum jdbc_db db, const char *scheme, const char *rest, const char *user,
                       const char *password, struct dbm_buf *out, char **schema)
{
	struct dbm_buf q = DBM_BUF_INIT, u = DBM_BUF_INIT, pw = DBM_BUF_INIT;
	const char *hosts, *hosts_end, *path, *query;
	int r = 0;

	if (user && (r = dbm_buf_adds(&u, user)) < 0)
		goto done;
	if (password && (r = dbm_buf_adds(&pw, password)) < 0)
		goto done;
	query = strchr(rest, '?');
	if (!query)
		query = rest + strlen(rest);
	if (strncmp(rest, "//", 2) == 0) {
		hosts = rest + 2;
		hosts_end = hosts;
		while (hosts_end < query && *hosts_end != '/')
			hosts_end++;
		path = hosts_end;
	} else if (db == JDBC_PG) {
		hosts = "localhost";
		hosts_end = hosts + strlen(hosts);
		path = rest; /* jdbc:postgresql:db or jdbc:postgresql:/ */
	} else {
		r = dbm_error_set(DBM_ERR_USAGE, "url: expected jdbc:%s://host[:port]/database",
		                  scheme);
		goto done;
	}
	if (memchr(hosts, '@', (size_t)(hosts_end - hosts))) {
		r = dbm_error_set(
		    DBM_ERR_USAGE,
		    "url: a JDBC URL names its user with user= (or the user setting), "
		    "not user@host");
		goto done;
	}
	if (db == JDBC_MY && memchr(hosts, ',', (size_t)(hosts_end - hosts))) {
		r = dbm_error_set(DBM_ERR_USAGE,
		                  "url: several hosts (failover) are not supported for MySQL");
		dbm_error_set_hint("Name one host: the primary.");
		goto done;
	}
	while (*query == '?' || *query == '&' || *query == ';') {
		const char *k = query + 1, *e = k, *eq;

		while (*e && *e != '&' && *e != ';')
			e++;
		eq = memchr(k, '=', (size_t)(e - k));
		if (e > k) {
			r = jdbc_map(db, k, eq ? (size_t)(eq - k) : (size_t)(e - k),
			             eq ? eq + 1 : e, eq ? (size_t)(e - eq - 1) : 0, &q, &u, &pw,
			             schema);
			if (r < 0)
				goto done;
		}
		query = e;
	}
	if ((r = dbm_buf_addf(out, "%s://", db == JDBC_PG ? "postgresql" : scheme)) < 0)
		goto done;
	if (u.len) {
		if ((r = jdbc_encode(out, u.ptr, u.len)) < 0)
			goto done;
		if (pw.len && ((r = dbm_buf_addc(out, ':')) < 0 ||
		               (r = jdbc_encode(out, pw.ptr, pw.len)) < 0))
			goto done;
		if ((r = dbm_buf_addc(out, '@')) < 0)
			goto done;
	} else if (pw.len) {
		r = dbm_error_set(DBM_ERR_USAGE, "url: a password is given but no user");
		dbm_error_set_hint("Set the user too (user= in the URL, or the user setting).");
		goto done;
	}
	if ((r = dbm_buf_add(out, hosts, (size_t)(hosts_end - hosts))) < 0)
		goto done;
	if (*path && *path != '/' && *path != '?' && (r = dbm_buf_addc(out, '/')) < 0)
		goto done;
	{
		const char *pe = strchr(path, '?');

		if ((r = dbm_buf_add(out, path, pe ? (size_t)(pe - path) : strlen(path))) < 0)
			goto done;
	}
	if (q.len)
		r = dbm_buf_add(out, q.ptr, q.len);
done:
	dbm_buf_free(&q);
	dbm_buf_free(&u);
	/* the password's copy is overwritten before it is freed */
	if (pw.ptr)
		memset(pw.ptr, 0, pw.cap);
	dbm_buf_free(&pw);
	return r;
}

/* Puts user and password into a native scheme://host URL without user-info. */
static int jdbc_native(const char *url, const char *user, const char *password, struct dbm_buf *out)
{
	const char *sep = strstr(url, "://"), *host, *end;
	int r;

	if (!sep || !user || !*user || strncmp(url, "sqlite:", 7) == 0)
		return dbm_buf_adds(out, url);
	host = sep + 3;
	end = host + strcspn(host, "/?#");
	if (memchr(host, '@', (size_t)(end - host)))
		return dbm_buf_adds(out, url); /* the URL's own user wins, as in a JDBC URL */
	if ((r = dbm_buf_add(out, url, (size_t)(host - url))) < 0 ||
	    (r = jdbc_encode(out, user, strlen(user))) < 0)
		return r;
	if (password && *password &&
	    ((r = dbm_buf_addc(out, ':')) < 0 ||
	     (r = jdbc_encode(out, password, strlen(password))) < 0))
		return r;
	if ((r = dbm_buf_addc(out, '@')) < 0)
		return r;
	return dbm_buf_adds(out, host);
}

int dbm_jdbc_url(const char *url, const char *user, const char *password, struct dbm_buf *out,
                 char **schema)
{
	const char *rest;

	*schema = NULL;
	if (strncmp(url, "jdbc:", 5) != 0)
		return jdbc_native(url, user, password, out);
	rest = url + 5;
	if (strncmp(rest, "postgresql:", 11) == 0)
		return jdbc_server(JDBC_PG, "postgresql", rest + 11, user, password, out, schema);
	if (strncmp(rest, "mysql:", 6) == 0)
		return jdbc_server(JDBC_MY, "mysql", rest + 6, user, password, out, schema);
	if (strncmp(rest, "mariadb:", 8) == 0)
		return jdbc_server(JDBC_MY, "mariadb", rest + 8, user, password, out, schema);
	if (strncmp(rest, "sqlite:", 7) == 0) {
		rest += 7;
		if (strchr(rest, '?'))
			return dbm_error_set(
			    DBM_ERR_USAGE,
			    "url: parameters in a jdbc:sqlite: URL are not supported");
		if (!*rest)
			return dbm_error_set(DBM_ERR_USAGE,
			                     "url: expected a file after jdbc:sqlite:");
		return dbm_buf_addf(out, "sqlite:%s%s", rest[0] == '/' ? "//" : "", rest);
	}
	dbm_error_set(DBM_ERR_USAGE, "url: '%.*s' URLs are not supported",
	              (int)strcspn(url + 5, ":") + 5, url);
	dbm_error_set_hint("dbmigrate connects to PostgreSQL (jdbc:postgresql:), MySQL and MariaDB "
	                   "(jdbc:mysql:, jdbc:mariadb:) and SQLite (jdbc:sqlite:).");
	return DBM_ERR_USAGE;
}
