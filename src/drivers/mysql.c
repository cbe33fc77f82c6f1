/*
 * mysql.c - the MySQL / MariaDB driver (driver.h), on MariaDB Connector/C.
 *
 * The registry (registry.c) hands URLs starting with mysql:// or mariadb://
 * to dbm_mysql_driver; the runner and the commands call it only through the
 * vtable. This file parses the URL itself (so an unknown option is an error
 * instead of being ignored, and the password never reaches a message),
 * connects with retries, runs one statement at a time draining every result
 * set, and implements the runner lock in two ways: GET_LOCK() on a single
 * server, and a lock row in a table on a Galera cluster, where GET_LOCK is
 * local to one node. The lock table is kept alive by a heartbeat thread with
 * a connection of its own; that thread never touches the last error.
 * See docs/drivers/mysql.md for the user-facing description.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <errmsg.h>
#include <mysql.h>

#include "dbmigrate/driver.h"

/* ssl-mode values, as MySQL's own client spells them. */
enum mysqldrv_ssl {
	MYSQLDRV_SSL_DEFAULT = 0, /* not given: PREFERRED */
	MYSQLDRV_SSL_DISABLED,
	MYSQLDRV_SSL_PREFERRED,
	MYSQLDRV_SSL_REQUIRED,
	MYSQLDRV_SSL_VERIFY_CA,
	MYSQLDRV_SSL_VERIFY_IDENTITY
};

/* How the runner lock is taken (URL option lock=). */
enum mysqldrv_lockmode {
	MYSQLDRV_LOCK_AUTO = 0, /* GET_LOCK, or the lock table when @@wsrep_on */
	MYSQLDRV_LOCK_ADVISORY, /* always GET_LOCK */
	MYSQLDRV_LOCK_TABLE     /* always the lock table */
};

#define MYSQLDRV_LOCK_EXPIRY_S 60  /* a lock row not refreshed for this long is free */
#define MYSQLDRV_HEARTBEAT_S 10    /* how often the heartbeat refreshes it */
#define MYSQLDRV_LOCK_RETRY_MS 250 /* pause between attempts at the lock row */
#define MYSQLDRV_MAX_NAME 64       /* GET_LOCK name and identifier limit */

/* What the URL says; every string owned (dbm_free), NULL when absent. */
struct mysqldrv_params {
	char *host;
	char *user;
	char *password; /* the URL's, else MYSQL_PWD's */
	char *db;
	char *socket;
	char *ssl_ca;
	char *ssl_cert;
	char *ssl_key;
	unsigned port;            /* 0: the library's default */
	unsigned connect_timeout; /* seconds, 0: the library's default */
	enum mysqldrv_ssl ssl_mode;
	enum mysqldrv_lockmode lock_mode;
};

struct mysqldrv_conn {
	struct dbm_conn parent;
	MYSQL *my;
	struct mysqldrv_params params;
	char *app_name;
	int lost;         /* the connection died: every later call fails at once */
	int pending_use;  /* parent.schema did not exist at connect: USE it before each statement */
	unsigned long id; /* CONNECTION_ID() */
	char *restore_sql; /* SET SESSION ... of the settings at connect, for reset_session */
	int wsrep_on;      /* @@wsrep_on read at connect: 0, 1; -1 unknown or since changed */

	/* The lock held, if any. */
	char *lock_name;       /* GET_LOCK name or the lock row's key; NULL when not held */
	int lock_is_table;     /* held through the lock table */
	char *lock_table;      /* `schema`.`table_lock`, quoted */
	char *lock_table_bare; /* table_lock, unquoted, for clean */
	char *lock_schema;     /* the schema of the lock table */
	char *lock_holder;     /* this runner's token in the row */

	/* The heartbeat of a lock row. */
	MYSQL *hb_my;
	char *hb_sql;
	pthread_t hb_thread;
	pthread_mutex_t hb_mu;
	pthread_cond_t hb_cv;
	int hb_running;
	int hb_stop;
};

extern const struct dbm_driver dbm_mysql_driver;

static const char *const mysqldrv_schemes[] = {"mysql", "mariadb", NULL};

/* ---- small helpers ------------------------------------------------------------------------ */

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

static void mysqldrv_params_free(struct mysqldrv_params *p)
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

static int mysqldrv_hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
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
			int hi = i + 2 < len ? mysqldrv_hexval(s[i + 1]) : -1;
			int lo = i + 2 < len ? mysqldrv_hexval(s[i + 2]) : -1;

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
		dbm_error_set(DBM_ERR_USAGE, "invalid value '%s' for URL option 'ssl-mode'", val);
		dbm_error_set_hint("Use one of DISABLED, PREFERRED, REQUIRED, VERIFY_CA, "
		                   "VERIFY_IDENTITY.");
		return DBM_ERR_USAGE;
	}
	if (mysqldrv_key_is(key, "connect-timeout")) {
		if (mysqldrv_parse_uint(val, 1, 86400, &p->connect_timeout) < 0) {
			dbm_error_set(DBM_ERR_USAGE,
			              "invalid value '%s' for URL option 'connect-timeout'", val);
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
			              val);
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
		dbm_error_set(DBM_ERR_USAGE, "unknown option '%s' in the MySQL URL", key);
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
static int mysqldrv_parse_url(const char *url, struct mysqldrv_params *p)
{
	const char *s = strstr(url, "://");
	const char *auth, *auth_end, *at, *hp, *colon, *path_end;
	char *portstr = NULL, *query = NULL;
	int rc = 0;

	memset(p, 0, sizeof(*p));
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
			rc = dbm_error_set(DBM_ERR_USAGE, "invalid port '%s' in the URL", portstr);
			dbm_error_set_hint("A port is a number from 1 to 65535.");
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
				                   "invalid database name '%s' in the URL", p->db);
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

/* Appends `ident` with backticks doubled. 0 or DBM_ERR_NOMEM. */
static int mysqldrv_quote_ident(struct dbm_buf *b, const char *ident)
{
	int rc = dbm_buf_addc(b, '`');

	for (; rc == 0 && *ident; ident++)
		rc = *ident == '`' ? dbm_buf_adds(b, "``") : dbm_buf_addc(b, *ident);
	return rc ? rc : dbm_buf_addc(b, '`');
}

/*
 * Appends 'text' as a string literal escaped for this connection (honours
 * NO_BACKSLASH_ESCAPES). 0 or DBM_ERR_NOMEM.
 */
static int mysqldrv_quote_string(struct mysqldrv_conn *c, struct dbm_buf *b, const char *text)
{
	size_t len = strlen(text ? text : "");
	unsigned long n;

	if (!c->my)
		return dbm_error_set(DBM_ERR_RUN, "not connected to the MySQL server");
	if (dbm_buf_grow(b, len * 2 + 3) < 0)
		return DBM_ERR_NOMEM;
	b->ptr[b->len++] = '\'';
	n = mysql_real_escape_string(c->my, b->ptr + b->len, text ? text : "", (unsigned long)len);
	b->len += n;
	b->ptr[b->len++] = '\'';
	b->ptr[b->len] = '\0';
	return 0;
}

/* 1 when errno says the connection is gone. */
static int mysqldrv_is_lost(unsigned code)
{
	return code == CR_SERVER_GONE_ERROR || code == CR_SERVER_LOST ||
	       code == 1927 /* killed */ ||
	       code == 4031 /* MySQL: disconnected by the server for inactivity */ ||
	       code == 1053 /* server shutdown in progress */;
}

/*
 * Records the last error of my as DBM_ERR_RUN with its message, errno and
 * SQLSTATE; a lost connection gets a message saying so and marks c lost.
 * Returns DBM_ERR_RUN.
 */
static int mysqldrv_fail(struct mysqldrv_conn *c, MYSQL *my)
{
	unsigned code = mysql_errno(my);
	struct dbm_error *e;

	if (mysqldrv_is_lost(code)) {
		if (c)
			c->lost = 1;
		dbm_error_set(DBM_ERR_RUN, "lost the connection to the MySQL server: %s",
		              mysql_error(my));
		dbm_error_set_hint("The server closed the connection or the network failed; check "
		                   "the server's log, then run the command again.");
	} else {
		dbm_error_set(DBM_ERR_RUN, "%s", code ? mysql_error(my) : "unknown MySQL error");
	}
	e = dbm_error_last();
	e->server_code = (int)code;
	snprintf(e->sqlstate, sizeof(e->sqlstate), "%s", code ? mysql_sqlstate(my) : "");
	return DBM_ERR_RUN;
}

/* Fails at once when the connection died earlier. 0 or DBM_ERR_RUN. */
static int mysqldrv_check_alive(struct mysqldrv_conn *c)
{
	if (!c->lost)
		return 0;
	dbm_error_set(DBM_ERR_RUN, "the connection to the MySQL server was lost earlier");
	dbm_error_set_hint("Check the server's log, then run the command again.");
	dbm_error_last()->server_code = CR_SERVER_GONE_ERROR;
	return DBM_ERR_RUN;
}

/* Reads and frees the current result set of my, if any. 0 or DBM_ERR_RUN. */
static int mysqldrv_consume(struct mysqldrv_conn *c, MYSQL *my)
{
	MYSQL_RES *res = mysql_use_result(my);

	if (res) {
		while (mysql_fetch_row(res))
			;
		mysql_free_result(res);
		if (mysql_errno(my))
			return mysqldrv_fail(c, my);
	} else if (mysql_field_count(my) != 0) {
		return mysqldrv_fail(c, my);
	}
	return 0;
}

/*
 * Reads and frees the result sets after the current one (a procedure's
 * CALL returns several). Returns 0 or DBM_ERR_RUN (an error in a later
 * statement of the procedure, a lost connection).
 */
static int mysqldrv_drain(struct mysqldrv_conn *c, MYSQL *my)
{
	int st;

	while ((st = mysql_next_result(my)) == 0)
		if (mysqldrv_consume(c, my) < 0)
			return DBM_ERR_RUN;
	return st > 0 ? mysqldrv_fail(c, my) : 0;
}

/* Runs sql on my and drains the results. 0 or DBM_ERR_RUN. */
static int mysqldrv_run(struct mysqldrv_conn *c, MYSQL *my, const char *sql, size_t len)
{
	if (mysql_real_query(my, sql, (unsigned long)len) != 0)
		return mysqldrv_fail(c, my);
	if (mysqldrv_consume(c, my) < 0)
		return DBM_ERR_RUN;
	return mysqldrv_drain(c, my);
}

/*
 * Runs sql and hands the first column of the first row to *out (a new
 * string, NULL for no row or SQL NULL). Returns 0, DBM_ERR_RUN, DBM_ERR_NOMEM.
 */
static int mysqldrv_query_value(struct mysqldrv_conn *c, const char *sql, char **out)
{
	MYSQL_RES *res = NULL;
	MYSQL_ROW row;
	int rc = 0;

	*out = NULL;
	if (mysql_real_query(c->my, sql, (unsigned long)strlen(sql)) != 0)
		return mysqldrv_fail(c, c->my);
	res = mysql_store_result(c->my);
	if (!res) {
		rc = mysql_field_count(c->my) ? mysqldrv_fail(c, c->my) : 0;
		goto done;
	}
	row = mysql_fetch_row(res);
	if (row && row[0]) {
		*out = dbm_strdup(row[0]);
		if (!*out)
			rc = dbm_error_oom();
	}
done:
	if (res)
		mysql_free_result(res);
	if (rc == 0)
		rc = mysqldrv_drain(c, c->my);
	if (rc < 0) {
		dbm_free(*out);
		*out = NULL;
	}
	return rc;
}

/* Sleeps ms milliseconds. */
static void mysqldrv_sleep_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};

	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

static double mysqldrv_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ---- connecting --------------------------------------------------------------------------- */

/*
 * Opens one connection with the URL's parameters into *out. Returns 0;
 * DBM_ERR_RUN with the server's or library's message (which names the user
 * and host, never the password); DBM_ERR_NOMEM.
 */
static int mysqldrv_open(const struct mysqldrv_params *p, const char *app, MYSQL **out)
{
	MYSQL *my = mysql_init(NULL);
	my_bool yes = 1, no = 0;
	int rc = 0;

	*out = NULL;
	if (!my)
		return dbm_error_oom();
	mysql_optionsv(my, MYSQL_SET_CHARSET_NAME, "utf8mb4");
	mysql_optionsv(my, MYSQL_OPT_RECONNECT, &no);
	if (p->connect_timeout)
		mysql_optionsv(my, MYSQL_OPT_CONNECT_TIMEOUT, &p->connect_timeout);
	if (app)
		mysql_optionsv(my, MYSQL_OPT_CONNECT_ATTR_ADD, "program_name", app);
	switch (p->ssl_mode) {
	case MYSQLDRV_SSL_DISABLED:
		mysql_optionsv(my, MYSQL_OPT_SSL_ENFORCE, &no);
		break;
	case MYSQLDRV_SSL_DEFAULT:
	case MYSQLDRV_SSL_PREFERRED:
		if (p->ssl_ca || p->ssl_cert || p->ssl_key)
			mysql_ssl_set(my, p->ssl_key, p->ssl_cert, p->ssl_ca, NULL, NULL);
		mysql_optionsv(my, MYSQL_OPT_SSL_VERIFY_SERVER_CERT, &no);
		break;
	case MYSQLDRV_SSL_REQUIRED:
		mysql_ssl_set(my, p->ssl_key, p->ssl_cert, p->ssl_ca, NULL, NULL);
		mysql_optionsv(my, MYSQL_OPT_SSL_ENFORCE, &yes);
		mysql_optionsv(my, MYSQL_OPT_SSL_VERIFY_SERVER_CERT, &no);
		break;
	case MYSQLDRV_SSL_VERIFY_CA:
	case MYSQLDRV_SSL_VERIFY_IDENTITY:
		mysql_ssl_set(my, p->ssl_key, p->ssl_cert, p->ssl_ca, NULL, NULL);
		mysql_optionsv(my, MYSQL_OPT_SSL_ENFORCE, &yes);
		mysql_optionsv(my, MYSQL_OPT_SSL_VERIFY_SERVER_CERT, &yes);
		break;
	}
	if (!mysql_real_connect(my, p->host, p->user, p->password ? p->password : "", p->db,
	                        p->port, p->socket, CLIENT_MULTI_RESULTS)) {
		unsigned code = mysql_errno(my);
		struct dbm_error *e;

		rc = dbm_error_set(DBM_ERR_RUN, "cannot connect to the MySQL server: %s",
		                   mysql_error(my));
		e = dbm_error_last();
		e->server_code = (int)code;
		snprintf(e->sqlstate, sizeof(e->sqlstate), "%s", mysql_sqlstate(my));
		if (code == 1049)
			dbm_error_set_hint("The URL names database '%s', which does not exist; "
			                   "create it first, or leave it out of the URL and pass "
			                   "--schema.",
			                   p->db ? p->db : "");
		else if (code == 1045)
			dbm_error_set_hint("Check the user name and the password (in the URL or "
			                   "MYSQL_PWD).");
		else if (code == CR_CONNECTION_ERROR || code == CR_CONN_HOST_ERROR)
			dbm_error_set_hint("Check that the server runs and the host, port or "
			                   "socket in the URL are right.");
		mysql_close(my);
		return rc;
	}
	if (p->ssl_mode >= MYSQLDRV_SSL_REQUIRED && !mysql_get_ssl_cipher(my)) {
		/* Connector/C may fall back to plain text; ssl-mode=REQUIRED must not. */
		mysql_close(my);
		rc = dbm_error_set(DBM_ERR_RUN, "cannot connect to the MySQL server: it does not "
		                                "offer TLS, which ssl-mode requires");
		dbm_error_last()->server_code = CR_SSL_CONNECTION_ERROR;
		dbm_error_set_hint(
		    "Enable TLS on the server, or use ssl-mode=PREFERRED or DISABLED "
		    "in the URL.");
		return rc;
	}
	*out = my;
	return 0;
}

/* 1 when a failed connect is worth retrying (the server may come up). */
static int mysqldrv_retryable(void)
{
	int code = dbm_error_last()->server_code;

	return (code >= 2000 && code < 3000) || code == 1040 /* too many connections */ ||
	       code == 1053 /* shutdown in progress */ || code == 1927;
}

/*
 * The expression that builds the one statement putting back the session
 * settings a migration may change (as the mariadb client's next file, in a
 * new session, would find them).
 */
#define MYSQLDRV_SNAPSHOT_EXPR                                                                     \
	"CONCAT('SET SESSION sql_mode = ', QUOTE(@@SESSION.sql_mode),"                             \
	" ', time_zone = ', QUOTE(@@SESSION.time_zone),"                                           \
	" ', foreign_key_checks = ', @@SESSION.foreign_key_checks,"                                \
	" ', unique_checks = ', @@SESSION.unique_checks,"                                          \
	" ', autocommit = ', @@SESSION.autocommit,"                                                \
	" ', character_set_client = ', QUOTE(@@SESSION.character_set_client),"                     \
	" ', character_set_results = ', IFNULL(QUOTE(@@SESSION.character_set_results), 'NULL'),"   \
	" ', collation_connection = ', QUOTE(@@SESSION.collation_connection),"                     \
	" ', lock_wait_timeout = ', @@SESSION.lock_wait_timeout)"

/* Who we are (database, user, connection id) and the snapshot, in one query. */
#define MYSQLDRV_SESSION_SELECT                                                                    \
	"SELECT DATABASE(), SUBSTRING_INDEX(USER(), '@', 1), "                                     \
	"CONNECTION_ID(), " MYSQLDRV_SNAPSHOT_EXPR

static const char mysqldrv_session_sql[] = MYSQLDRV_SESSION_SELECT;
/* The same and @@wsrep_on, for MariaDB, which has it unless built without Galera (Windows). */
static const char mysqldrv_session_wsrep_sql[] = MYSQLDRV_SESSION_SELECT ", @@wsrep_on";

/*
 * Sets the session up (character set, timeouts, schema) and reads who we
 * are, in as few round trips as it takes, since every connect pays for
 * them: one SET, USE when --schema names another database than the URL,
 * then one SELECT. The SELECT comes last: the snapshot must capture the
 * character set and lock_wait_timeout just set. On MariaDB it also reads
 * @@wsrep_on for the lock (c->wsrep_on); a server without the variable
 * (error 1193) is asked again without it, and is no Galera node.
 * Returns 0, DBM_ERR_RUN or DBM_ERR_NOMEM.
 */
static int mysqldrv_setup(struct mysqldrv_conn *c, const struct dbm_conn_opts *o)
{
	struct dbm_buf sql = DBM_BUF_INIT;
	MYSQL_RES *res = NULL;
	MYSQL_ROW row;
	const char *info = mysql_get_server_info(c->my);
	const char *dash, *q;
	int mariadb = info && strstr(info, "MariaDB") != NULL;
	int has_schema = o->schema && *o->schema;
	int failed, rc;

	if (dbm_buf_adds(&sql, "SET NAMES utf8mb4") < 0)
		goto oom;
	if (o->statement_timeout > 0 &&
	    (mariadb ? dbm_buf_addf(&sql, ", SESSION max_statement_time = %d", o->statement_timeout)
	             : dbm_buf_addf(&sql, ", SESSION max_execution_time = %ld",
	                            (long)o->statement_timeout * 1000L)) < 0)
		goto oom;
	if (o->ddl_lock_timeout > 0 &&
	    dbm_buf_addf(&sql, ", SESSION lock_wait_timeout = %d", o->ddl_lock_timeout) < 0)
		goto oom;
	rc = mysqldrv_run(c, c->my, sql.ptr, sql.len);
	if (rc < 0)
		goto done;

	/* The URL's database is the session's until now: USE only another one. */
	if (has_schema && (!c->params.db || strcmp(o->schema, c->params.db) != 0)) {
		dbm_buf_clear(&sql);
		if (dbm_buf_adds(&sql, "USE ") < 0 || mysqldrv_quote_ident(&sql, o->schema) < 0)
			goto oom;
		rc = mysqldrv_run(c, c->my, sql.ptr, sql.len);
		if (rc < 0) {
			if (dbm_error_last()->server_code != 1049)
				goto done;
			/* It does not exist yet: the caller creates it; USE it once it does. */
			dbm_error_clear();
			c->pending_use = 1;
		}
	}

	q = mariadb ? mysqldrv_session_wsrep_sql : mysqldrv_session_sql;
	failed = mysql_real_query(c->my, q, (unsigned long)strlen(q)) != 0;
	if (failed && mariadb && mysql_errno(c->my) == 1193 /* unknown system variable */) {
		/* A MariaDB built without Galera: no @@wsrep_on, so no Galera node. */
		c->wsrep_on = 0;
		q = mysqldrv_session_sql;
		failed = mysql_real_query(c->my, q, (unsigned long)strlen(q)) != 0;
	}
	if (failed) {
		rc = mysqldrv_fail(c, c->my);
		goto done;
	}
	res = mysql_store_result(c->my);
	row = res ? mysql_fetch_row(res) : NULL;
	if (!row) {
		rc = mysqldrv_fail(c, c->my);
		goto done;
	}
	/* --schema, even when its USE waits for it to exist; else the URL's database, if any. */
	if (has_schema) {
		if (!(c->parent.schema = dbm_strdup(o->schema)))
			goto oom;
	} else if (row[0] && !(c->parent.schema = dbm_strdup(row[0]))) {
		goto oom;
	}
	if (!(c->parent.user = dbm_strdup(row[1] ? row[1] : "")))
		goto oom;
	c->id = row[2] ? strtoul(row[2], NULL, 10) : 0;
	if (row[3] && !(c->restore_sql = dbm_strdup(row[3])))
		goto oom;
	if (q == mysqldrv_session_wsrep_sql)
		c->wsrep_on = row[4] && (strcmp(row[4], "1") == 0 || strcasecmp(row[4], "ON") == 0);
	mysql_free_result(res);
	res = NULL;
	rc = mysqldrv_drain(c, c->my);
	if (rc < 0)
		goto done;

	dbm_buf_clear(&sql);
	dash = info ? strchr(info, '-') : NULL;
	if (dbm_buf_addf(&sql, "%s %.*s", mariadb ? "MariaDB" : "MySQL",
	                 info ? (int)(dash ? (size_t)(dash - info) : strlen(info)) : 0,
	                 info ? info : "") < 0)
		goto oom;
	c->parent.server_version = dbm_buf_detach(&sql);
	goto done;
oom:
	rc = dbm_error_oom();
done:
	if (res)
		mysql_free_result(res);
	dbm_buf_free(&sql);
	return rc;
}

static void mysqldrv_disconnect(struct dbm_conn *conn);

/*
 * Connects (driver.h): parses the URL, tries 1 + connect_retries times with
 * waits of 1 s, 2 s, 4 s ... capped at connect_retries_interval, then sets
 * the session up. Returns 0 and *out; DBM_ERR_USAGE for a bad URL;
 * DBM_ERR_RUN with the server's message; DBM_ERR_NOMEM.
 */
static int mysqldrv_connect(const struct dbm_conn_opts *o, struct dbm_conn **out)
{
	struct mysqldrv_conn *c;
	int attempt, rc;
	long wait = 1, cap;

	*out = NULL;
	c = dbm_calloc(1, sizeof(*c));
	if (!c)
		return dbm_error_oom();
	c->parent.driver = &dbm_mysql_driver;
	c->wsrep_on = -1;
	pthread_mutex_init(&c->hb_mu, NULL);
	{
		pthread_condattr_t ca;

		pthread_condattr_init(&ca);
		pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
		pthread_cond_init(&c->hb_cv, &ca);
		pthread_condattr_destroy(&ca);
	}
	rc = mysqldrv_parse_url(o->url, &c->params);
	if (rc < 0)
		goto done;
	if (o->application_name && !(c->app_name = dbm_strdup(o->application_name))) {
		rc = dbm_error_oom();
		goto done;
	}
	cap = o->connect_retries_interval > 0 ? o->connect_retries_interval : 120;
	for (attempt = 0;; attempt++) {
		rc = mysqldrv_open(&c->params, c->app_name, &c->my);
		if (rc == 0 || rc != DBM_ERR_RUN || attempt >= o->connect_retries ||
		    !mysqldrv_retryable())
			break;
		sleep((unsigned)(wait < cap ? wait : cap));
		if (wait < cap)
			wait *= 2;
	}
	if (rc < 0)
		goto done;
	rc = mysqldrv_setup(c, o);
done:
	if (rc < 0) {
		mysqldrv_disconnect(&c->parent);
		return rc;
	}
	*out = &c->parent;
	return 0;
}

/* ---- statements --------------------------------------------------------------------------- */

/* USEs the schema that did not exist at connect time, once it does. 0 or DBM_ERR_NOMEM. */
static int mysqldrv_pending_use(struct mysqldrv_conn *c)
{
	struct dbm_buf sql = DBM_BUF_INIT;
	int rc = 0;

	if (!c->pending_use)
		return 0;
	if (dbm_buf_adds(&sql, "USE ") < 0 || mysqldrv_quote_ident(&sql, c->parent.schema) < 0) {
		rc = DBM_ERR_NOMEM;
		goto done;
	}
	if (mysql_real_query(c->my, sql.ptr, (unsigned long)sql.len) == 0)
		c->pending_use = 0;
	else if (mysqldrv_is_lost(mysql_errno(c->my)))
		rc = mysqldrv_fail(c, c->my);
done:
	dbm_buf_free(&sql);
	return rc;
}

/*
 * Executes one statement (driver.h) and drains every result set (a
 * procedure returns several). Returns 0; DBM_ERR_RUN with the server's
 * message, errno and SQLSTATE (MySQL reports no position); DBM_ERR_NOMEM.
 */
static int mysqldrv_exec(struct dbm_conn *conn, const struct dbm_stmt *s)
{
	struct mysqldrv_conn *c = (struct mysqldrv_conn *)conn;
	int rc = mysqldrv_check_alive(c);

	c->wsrep_on = -1; /* the statement may SET it */
	if (rc == 0)
		rc = mysqldrv_pending_use(c);
	if (rc == 0)
		rc = mysqldrv_run(c, c->my, s->sql, s->len);
	return rc;
}

/*
 * Runs a query (driver.h), calling cb with each row of the first result set
 * as text. Returns 0, cb's non-zero value, DBM_ERR_RUN or DBM_ERR_NOMEM.
 */
static int mysqldrv_query(struct dbm_conn *conn, const char *sql, dbm_row_cb cb, void *ctx)
{
	struct mysqldrv_conn *c = (struct mysqldrv_conn *)conn;
	MYSQL_RES *res = NULL;
	MYSQL_ROW row;
	unsigned ncols;
	int rc = mysqldrv_check_alive(c), stop = 0;

	c->wsrep_on = -1; /* a CALL may SET it */
	if (rc == 0)
		rc = mysqldrv_pending_use(c);
	if (rc < 0)
		return rc;
	if (mysql_real_query(c->my, sql, (unsigned long)strlen(sql)) != 0)
		return mysqldrv_fail(c, c->my);
	/* Row by row, so that a history of many thousand rows is never held whole. */
	res = mysql_use_result(c->my);
	if (!res) {
		if (mysql_field_count(c->my) != 0)
			return mysqldrv_fail(c, c->my);
		return mysqldrv_drain(c, c->my);
	}
	ncols = mysql_num_fields(res);
	while (!stop && (row = mysql_fetch_row(res)))
		stop = cb(ctx, ncols, (const char *const *)row);
	if (!stop && mysql_errno(c->my) != 0) {
		rc = mysqldrv_fail(c, c->my);
		mysql_free_result(res);
		return rc;
	}
	mysql_free_result(res); /* reads and drops what a stopped callback left */
	rc = mysqldrv_drain(c, c->my);
	return rc < 0 ? rc : stop;
}

/* Skips blanks and comments (-- x, # x, / * x * /). Returns the first other byte. */
static const char *mysqldrv_skip_space(const char *p, const char *end)
{
	while (p < end) {
		if (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r' || *p == '\f') {
			p++;
		} else if (*p == '#' ||
		           (*p == '-' && p + 2 < end && p[1] == '-' &&
		            (p[2] == ' ' || p[2] == '\t' || p[2] == '\n' || p[2] == '\r'))) {
			while (p < end && *p != '\n')
				p++;
		} else if (*p == '/' && p + 1 < end && p[1] == '*') {
			p += 2;
			while (p + 1 < end && !(p[0] == '*' && p[1] == '/'))
				p++;
			p = p + 1 < end ? p + 2 : end;
		} else if (*p == '-' && p + 2 == end && p[1] == '-') {
			p = end;
		} else {
			break;
		}
	}
	return p;
}

/* Reads the next word at *pp into w (upper-cased, at most n-1 bytes); "" at the end. */
static void mysqldrv_word(const char **pp, const char *end, char *w, size_t n)
{
	const char *p = mysqldrv_skip_space(*pp, end);
	size_t i = 0;

	while (p < end && ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || *p == '_')) {
		if (i + 1 < n)
			w[i++] = (char)(*p & ~0x20);
		p++;
	}
	w[i] = '\0';
	*pp = p;
}

/*
 * DBM_EXEC_* flags of a statement (driver.h): DBM_EXEC_SESSION for SET, USE,
 * CALL and version comments; DBM_EXEC_TX_CONTROL for BEGIN
 * [WORK], START TRANSACTION, COMMIT and ROLLBACK (not ROLLBACK TO SAVEPOINT,
 * not MariaDB's BEGIN NOT ATOMIC block); 0 otherwise. MySQL has no
 * statement that refuses a transaction: nothing is NO_TX.
 */
/*
 * Puts back the settings of the session at connect (sql_mode, time_zone,
 * foreign_key_checks, ...) and the current database, which a migration may
 * have changed with SET or USE. GET_LOCK is not touched. 0 or DBM_ERR_RUN.
 */
static int mysqldrv_reset_session(struct dbm_conn *conn)
{
	struct mysqldrv_conn *c = (struct mysqldrv_conn *)conn;
	struct dbm_buf sql = DBM_BUF_INIT;
	int rc = mysqldrv_check_alive(c);

	if (rc < 0 || !c->restore_sql)
		return rc;
	rc = mysqldrv_run(c, c->my, c->restore_sql, strlen(c->restore_sql));
	if (rc == 0 && c->parent.schema && !c->pending_use) {
		if (dbm_buf_adds(&sql, "USE ") < 0 || mysqldrv_quote_ident(&sql, c->parent.schema) < 0)
			rc = DBM_ERR_NOMEM;
		else
			rc = mysqldrv_run(c, c->my, sql.ptr, sql.len);
	}
	dbm_buf_free(&sql);
	return rc;
}

static unsigned mysqldrv_stmt_flags(const struct dbm_stmt *s)
{
	const char *p = s->sql, *end = s->sql + s->len;
	char w1[16], w2[16], w3[16];

	/*
	 * SET, USE and CALL may change the session (a procedure can SET too), and
	 * so may a version comment (mysqldump wraps its SET lines in them).
	 */
	while (p < end && (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n'))
		p++;
	if (end - p >= 3 && p[0] == '/' && p[1] == '*' && (p[2] == '!' || p[2] == 'M'))
		return DBM_EXEC_SESSION;
	p = s->sql;
	mysqldrv_word(&p, end, w1, sizeof(w1));
	if (strcmp(w1, "SET") == 0 || strcmp(w1, "USE") == 0 || strcmp(w1, "CALL") == 0)
		return DBM_EXEC_SESSION;
	mysqldrv_word(&p, end, w2, sizeof(w2));
	if (strcmp(w1, "BEGIN") == 0) {
		if (w2[0] == '\0' || strcmp(w2, "WORK") == 0)
			return mysqldrv_skip_space(p, end) == end ||
			               *mysqldrv_skip_space(p, end) == ';'
			           ? DBM_EXEC_TX_CONTROL
			           : 0;
		return 0;
	}
	if (strcmp(w1, "START") == 0)
		return strcmp(w2, "TRANSACTION") == 0 ? DBM_EXEC_TX_CONTROL : 0;
	if (strcmp(w1, "COMMIT") == 0)
		return DBM_EXEC_TX_CONTROL;
	if (strcmp(w1, "ROLLBACK") == 0) {
		if (strcmp(w2, "WORK") == 0)
			mysqldrv_word(&p, end, w3, sizeof(w3));
		else
			memcpy(w3, w2, sizeof(w3));
		return strcmp(w3, "TO") == 0 ? 0 : DBM_EXEC_TX_CONTROL;
	}
	return 0;
}

/* ---- the lock ----------------------------------------------------------------------------- */

/* 64-bit FNV-1a of s. */
static unsigned long long mysqldrv_hash(const char *s)
{
	unsigned long long h = 1469598103934665603ULL;

	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= 1099511628211ULL;
	}
	return h;
}

/*
 * Sets *out to the lock name for schema.table: "dbmigrate:schema.table", or
 * when longer than 64 bytes its first 46 bytes, '~' and a 16-digit hash of
 * the whole name. 0 or DBM_ERR_NOMEM.
 */
static int mysqldrv_lock_name(const char *schema, const char *table, char **out)
{
	struct dbm_buf b = DBM_BUF_INIT;

	if (dbm_buf_addf(&b, "dbmigrate:%s.%s", schema ? schema : "", table) < 0)
		return DBM_ERR_NOMEM;
	if (b.len > MYSQLDRV_MAX_NAME) {
		unsigned long long h = mysqldrv_hash(b.ptr);

		b.len = 46;
		if (dbm_buf_addf(&b, "~%016llx", h) < 0) {
			dbm_buf_free(&b);
			return DBM_ERR_NOMEM;
		}
	}
	*out = dbm_buf_detach(&b);
	return 0;
}

/* Row callback: copies up to 8 columns into a char*[8] (NULL stays NULL). */
static int mysqldrv_grab_row(void *ctx, unsigned ncols, const char *const *values)
{
	char **dst = ctx;
	unsigned i;

	for (i = 0; i < ncols && i < 8; i++) {
		dbm_free(dst[i]);
		dst[i] = values[i] ? dbm_strdup(values[i]) : NULL;
		if (values[i] && !dst[i])
			return dbm_error_oom();
	}
	return 1;
}

static void mysqldrv_free_row(char **row)
{
	unsigned i;

	for (i = 0; i < 8; i++) {
		dbm_free(row[i]);
		row[i] = NULL;
	}
}

/*
 * Takes GET_LOCK(name, timeout_s). Returns 0; DBM_ERR_LOCK naming the holder
 * (connection id, user, host, what it does) as the server tells;
 * DBM_ERR_RUN; DBM_ERR_NOMEM.
 */
static int mysqldrv_lock_advisory(struct mysqldrv_conn *c, const char *name, int timeout_s)
{
	struct dbm_buf sql = DBM_BUF_INIT, lit = DBM_BUF_INIT;
	char *v = NULL, *holder = NULL;
	char *row[8] = {0};
	int rc;

	if (mysqldrv_quote_string(c, &lit, name) < 0 ||
	    dbm_buf_addf(&sql, "SELECT GET_LOCK(%s, %d)", lit.ptr, timeout_s) < 0) {
		rc = DBM_ERR_NOMEM;
		goto done;
	}
	rc = mysqldrv_query_value(c, sql.ptr, &v);
	if (rc < 0)
		goto done;
	if (v && strcmp(v, "1") == 0) {
		c->lock_name = dbm_strdup(name);
		rc = c->lock_name ? 0 : dbm_error_oom();
		goto done;
	}
	/* Not acquired: find out who has it. */
	dbm_buf_clear(&sql);
	if (dbm_buf_addf(&sql, "SELECT IS_USED_LOCK(%s)", lit.ptr) < 0) {
		rc = DBM_ERR_NOMEM;
		goto done;
	}
	rc = mysqldrv_query_value(c, sql.ptr, &holder);
	if (rc < 0)
		goto done;
	if (holder) {
		dbm_buf_clear(&sql);
		if (dbm_buf_addf(&sql,
		                 "SELECT USER, HOST, COMMAND, TIME FROM "
		                 "information_schema.PROCESSLIST WHERE ID = %lu",
		                 strtoul(holder, NULL, 10)) < 0) {
			rc = DBM_ERR_NOMEM;
			goto done;
		}
		rc = mysqldrv_query(&c->parent, sql.ptr, mysqldrv_grab_row, row);
		if (rc < 0)
			goto done;
	}
	if (holder && row[0])
		dbm_error_set(DBM_ERR_LOCK,
		              "cannot acquire the lock '%s' within %d s: held by MySQL connection "
		              "%s (user '%s', host '%s', command '%s' for %s s)",
		              name, timeout_s, holder, row[0], row[1] ? row[1] : "",
		              row[2] ? row[2] : "", row[3] ? row[3] : "?");
	else if (holder)
		dbm_error_set(
		    DBM_ERR_LOCK,
		    "cannot acquire the lock '%s' within %d s: held by MySQL connection %s", name,
		    timeout_s, holder);
	else
		dbm_error_set(DBM_ERR_LOCK,
		              "cannot acquire the lock '%s' within %d s: it was held by another "
		              "session",
		              name, timeout_s);
	if (holder)
		dbm_error_set_hint("Another dbmigrate is probably running; wait for it or raise "
		                   "--lock-timeout. If that session is stuck, end it with KILL %s.",
		                   holder);
	else
		dbm_error_set_hint("Another dbmigrate is probably running; wait for it or raise "
		                   "--lock-timeout.");
	rc = DBM_ERR_LOCK;
done:
	mysqldrv_free_row(row);
	dbm_free(v);
	dbm_free(holder);
	dbm_buf_free(&sql);
	dbm_buf_free(&lit);
	return rc;
}

/* The heartbeat: refreshes the lock row every MYSQLDRV_HEARTBEAT_S until told to stop. */
static void *mysqldrv_heartbeat(void *arg)
{
	struct mysqldrv_conn *c = arg;

	pthread_mutex_lock(&c->hb_mu);
	while (!c->hb_stop) {
		struct timespec ts;
		int rc;

		clock_gettime(CLOCK_MONOTONIC, &ts);
		ts.tv_sec += MYSQLDRV_HEARTBEAT_S;
		rc = pthread_cond_timedwait(&c->hb_cv, &c->hb_mu, &ts);
		if (c->hb_stop)
			break;
		if (rc == ETIMEDOUT) {
			pthread_mutex_unlock(&c->hb_mu);
			/* Errors are ignored: the row then expires, as if we had died. */
			if (mysql_real_query(c->hb_my, c->hb_sql,
			                     (unsigned long)strlen(c->hb_sql)) == 0) {
				MYSQL_RES *res = mysql_store_result(c->hb_my);

				if (res)
					mysql_free_result(res);
			}
			pthread_mutex_lock(&c->hb_mu);
		}
	}
	pthread_mutex_unlock(&c->hb_mu);
	return NULL;
}

/* Stops the heartbeat thread and closes its connection; no-op when none runs. */
static void mysqldrv_heartbeat_stop(struct mysqldrv_conn *c)
{
	if (c->hb_running) {
		pthread_mutex_lock(&c->hb_mu);
		c->hb_stop = 1;
		pthread_cond_signal(&c->hb_cv);
		pthread_mutex_unlock(&c->hb_mu);
		pthread_join(c->hb_thread, NULL);
		c->hb_running = 0;
	}
	if (c->hb_my) {
		mysql_close(c->hb_my);
		c->hb_my = NULL;
	}
	dbm_free(c->hb_sql);
	c->hb_sql = NULL;
}

/* Frees the record of a held lock (not the lock itself). */
static void mysqldrv_lock_forget(struct mysqldrv_conn *c)
{
	dbm_free(c->lock_name);
	dbm_free(c->lock_table);
	dbm_free(c->lock_table_bare);
	dbm_free(c->lock_schema);
	dbm_free(c->lock_holder);
	c->lock_name = c->lock_table = c->lock_table_bare = c->lock_schema = c->lock_holder = NULL;
	c->lock_is_table = 0;
}

/*
 * Describes the holder of the lock row into the last error (DBM_ERR_LOCK).
 * Returns DBM_ERR_LOCK, or DBM_ERR_RUN / DBM_ERR_NOMEM when asking fails.
 */
static int mysqldrv_table_lock_busy(struct mysqldrv_conn *c, const char *lit, int timeout_s)
{
	struct dbm_buf sql = DBM_BUF_INIT;
	char *row[8] = {0};
	int rc;

	if (dbm_buf_addf(&sql,
	                 "SELECT host, pid, holder, node, acquired_at, "
	                 "TIMESTAMPDIFF(SECOND, UTC_TIMESTAMP(6), expires_at) FROM %s "
	                 "WHERE lock_name = %s",
	                 c->lock_table, lit) < 0) {
		rc = DBM_ERR_NOMEM;
		goto done;
	}
	rc = mysqldrv_query(&c->parent, sql.ptr, mysqldrv_grab_row, row);
	if (rc < 0)
		goto done;
	if (row[0])
		dbm_error_set(
		    DBM_ERR_LOCK,
		    "cannot acquire the lock '%s' within %d s: held by process %s on "
		    "host '%s' (connection %s on node '%s') since %s UTC, expires in %s s",
		    c->lock_name, timeout_s, row[1] ? row[1] : "?", row[0], row[2] ? row[2] : "?",
		    row[3] ? row[3] : "?", row[4] ? row[4] : "?", row[5] ? row[5] : "?");
	else
		dbm_error_set(DBM_ERR_LOCK,
		              "cannot acquire the lock '%s' within %d s: another runner kept "
		              "taking it",
		              c->lock_name, timeout_s);
	dbm_error_set_hint("Another dbmigrate is running against this cluster; wait for it or "
	                   "raise --lock-timeout. A runner that died frees the lock %d s after its "
	                   "last heartbeat.",
	                   MYSQLDRV_LOCK_EXPIRY_S);
	rc = DBM_ERR_LOCK;
done:
	mysqldrv_free_row(row);
	dbm_buf_free(&sql);
	return rc;
}

/*
 * Takes the lock as a row in the lock table (Galera), retrying on
 * duplicate key (held) and deadlock (certification conflict) until
 * timeout_s. Starts the heartbeat. Returns 0; DBM_ERR_LOCK naming the
 * holder; DBM_ERR_RUN; DBM_ERR_NOMEM.
 */
static int mysqldrv_lock_table(struct mysqldrv_conn *c, const char *schema, const char *table,
                               const char *name, int timeout_s)
{
	struct dbm_buf sql = DBM_BUF_INIT, lit = DBM_BUF_INIT, ins = DBM_BUF_INIT;
	struct dbm_buf del = DBM_BUF_INIT, tok = DBM_BUF_INIT, host_lit = DBM_BUF_INIT;
	struct dbm_buf tname = DBM_BUF_INIT, tok_lit = DBM_BUF_INIT;
	char hostname[256] = "";
	double deadline = mysqldrv_now() + (timeout_s > 0 ? timeout_s : 0);
	int rc;

	gethostname(hostname, sizeof(hostname) - 1);
	if (dbm_buf_addf(&tname, "%s_lock", table) < 0)
		goto oom;
	if (tname.len > MYSQLDRV_MAX_NAME) {
		unsigned long long h = mysqldrv_hash(tname.ptr);

		tname.len = 42;
		if (dbm_buf_addf(&tname, "_%016llx_lock", h) < 0)
			goto oom;
	}
	if ((schema && (mysqldrv_quote_ident(&sql, schema) < 0 || dbm_buf_addc(&sql, '.') < 0)) ||
	    mysqldrv_quote_ident(&sql, tname.ptr) < 0)
		goto oom;
	c->lock_table = dbm_buf_detach(&sql);
	c->lock_table_bare = dbm_buf_detach(&tname);
	c->lock_schema = schema ? dbm_strdup(schema) : NULL;
	c->lock_name = dbm_strdup(name);
	if (dbm_buf_addf(&tok, "%lu@%s:%ld", c->id, hostname, (long)getpid()) < 0)
		goto oom;
	c->lock_holder = dbm_buf_detach(&tok);
	if (!c->lock_table || !c->lock_table_bare || (schema && !c->lock_schema) || !c->lock_name ||
	    !c->lock_holder)
		goto oom;
	c->lock_is_table = 1;
	if (mysqldrv_quote_string(c, &lit, name) < 0 ||
	    mysqldrv_quote_string(c, &host_lit, hostname) < 0 ||
	    mysqldrv_quote_string(c, &tok_lit, c->lock_holder) < 0)
		goto oom;

	if (dbm_buf_addf(&sql,
	                 "CREATE TABLE IF NOT EXISTS %s (lock_name VARCHAR(64) NOT NULL "
	                 "PRIMARY KEY, holder VARCHAR(300) NOT NULL, host VARCHAR(255) NOT "
	                 "NULL, pid BIGINT NOT NULL, node VARCHAR(255) NULL, acquired_at "
	                 "DATETIME(6) NOT NULL, expires_at DATETIME(6) NOT NULL) "
	                 "ENGINE=InnoDB",
	                 c->lock_table) < 0)
		goto oom;
	rc = mysqldrv_run(c, c->my, sql.ptr, sql.len);
	if (rc < 0)
		goto fail;

	/* The heartbeat's connection first: without it the lock would expire under us. */
	rc = mysqldrv_open(&c->params, c->app_name, &c->hb_my);
	if (rc < 0)
		goto fail;
	dbm_buf_clear(&sql);
	if (dbm_buf_addf(&sql,
	                 "UPDATE %s SET expires_at = UTC_TIMESTAMP(6) + INTERVAL %d SECOND "
	                 "WHERE lock_name = %s AND holder = %s",
	                 c->lock_table, MYSQLDRV_LOCK_EXPIRY_S, lit.ptr, tok_lit.ptr) < 0)
		goto oom;
	c->hb_sql = dbm_buf_detach(&sql);

	if (dbm_buf_addf(&del,
	                 "DELETE FROM %s WHERE lock_name = %s AND expires_at < "
	                 "UTC_TIMESTAMP(6)",
	                 c->lock_table, lit.ptr) < 0 ||
	    dbm_buf_addf(&ins,
	                 "INSERT INTO %s (lock_name, holder, host, pid, node, acquired_at, "
	                 "expires_at) VALUES (%s, %s, %s, %ld, @@hostname, UTC_TIMESTAMP(6), "
	                 "UTC_TIMESTAMP(6) + INTERVAL %d SECOND)",
	                 c->lock_table, lit.ptr, tok_lit.ptr, host_lit.ptr, (long)getpid(),
	                 MYSQLDRV_LOCK_EXPIRY_S) < 0)
		goto oom;
	for (;;) {
		int code;

		/* A row past its expiry belongs to a runner that died: take it over. */
		rc = mysqldrv_run(c, c->my, del.ptr, del.len);
		if (rc == 0)
			rc = mysqldrv_run(c, c->my, ins.ptr, ins.len);
		if (rc == 0)
			break;
		code = dbm_error_last()->server_code;
		if (code != 1062 && code != 1213 && code != 1205)
			goto fail;
		if (mysqldrv_now() >= deadline) {
			rc = mysqldrv_table_lock_busy(c, lit.ptr, timeout_s);
			goto fail;
		}
		mysqldrv_sleep_ms(MYSQLDRV_LOCK_RETRY_MS);
	}
	dbm_error_clear();
	c->hb_stop = 0;
	if (pthread_create(&c->hb_thread, NULL, mysqldrv_heartbeat, c) != 0) {
		rc = dbm_error_set(DBM_ERR_RUN, "cannot start the lock heartbeat thread");
		goto fail_held;
	}
	c->hb_running = 1;
	rc = 0;
	goto done;
oom:
	rc = dbm_error_oom();
	goto fail;
fail_held:
	dbm_buf_clear(&sql);
	if (dbm_buf_addf(&sql, "DELETE FROM %s WHERE lock_name = %s AND holder = %s", c->lock_table,
	                 lit.ptr, tok_lit.ptr) == 0)
		mysql_real_query(c->my, sql.ptr, (unsigned long)sql.len);
fail:
	mysqldrv_heartbeat_stop(c);
	mysqldrv_lock_forget(c);
done:
	dbm_buf_free(&sql);
	dbm_buf_free(&lit);
	dbm_buf_free(&ins);
	dbm_buf_free(&del);
	dbm_buf_free(&tok);
	dbm_buf_free(&tok_lit);
	dbm_buf_free(&host_lit);
	dbm_buf_free(&tname);
	return rc;
}

/*
 * 1 when the server is a Galera node with replication on, 0 when not: the
 * value read at connect while nothing has run since, else asked now, where
 * an error counts as no (MySQL has no @@wsrep_on).
 */
static int mysqldrv_is_galera(struct mysqldrv_conn *c)
{
	char *v = NULL;
	int on;

	if (c->wsrep_on >= 0)
		return c->wsrep_on;
	if (mysqldrv_query_value(c, "SELECT @@wsrep_on", &v) < 0) {
		if (c->lost)
			return 0;
		dbm_error_clear();
		return 0;
	}
	on = v && (strcmp(v, "1") == 0 || strcasecmp(v, "ON") == 0);
	dbm_free(v);
	return on;
}

/*
 * Takes the runner lock (driver.h): GET_LOCK on a single server, the lock
 * table on Galera (or as the URL's lock= option says). Returns 0;
 * DBM_ERR_LOCK naming the holder; DBM_ERR_RUN; DBM_ERR_NOMEM.
 */
static int mysqldrv_lock(struct dbm_conn *conn, const char *schema, const char *table,
                         int timeout_s)
{
	struct mysqldrv_conn *c = (struct mysqldrv_conn *)conn;
	char *name = NULL;
	int rc = mysqldrv_check_alive(c), table_mode;

	if (rc < 0)
		return rc;
	if (c->lock_name)
		return dbm_error_set(DBM_ERR_RUN, "the lock '%s' is held already", c->lock_name);
	if (!schema)
		schema = c->parent.schema;
	if (timeout_s < 0)
		timeout_s = 0;
	rc = mysqldrv_pending_use(c);
	if (rc == 0)
		rc = mysqldrv_lock_name(schema, table, &name);
	if (rc < 0)
		goto done;
	if (c->params.lock_mode == MYSQLDRV_LOCK_AUTO)
		table_mode = mysqldrv_is_galera(c);
	else
		table_mode = c->params.lock_mode == MYSQLDRV_LOCK_TABLE;
	rc = mysqldrv_check_alive(c);
	if (rc < 0)
		goto done;
	if (table_mode)
		rc = mysqldrv_lock_table(c, schema, table, name, timeout_s);
	else
		rc = mysqldrv_lock_advisory(c, name, timeout_s);
done:
	dbm_free(name);
	return rc;
}

/*
 * Releases the lock (driver.h); safe when none is held. Returns 0, or
 * DBM_ERR_RUN when the server refused (the lock is forgotten either way; a
 * lost connection frees a GET_LOCK, and a lock row expires).
 */
static int mysqldrv_unlock(struct dbm_conn *conn)
{
	struct mysqldrv_conn *c = (struct mysqldrv_conn *)conn;
	struct dbm_buf sql = DBM_BUF_INIT, lit = DBM_BUF_INIT, tok = DBM_BUF_INIT;
	int rc = 0;

	if (!c->lock_name)
		return 0;
	mysqldrv_heartbeat_stop(c);
	if (c->lost)
		goto done;
	if (mysqldrv_quote_string(c, &lit, c->lock_name) < 0) {
		rc = DBM_ERR_NOMEM;
		goto done;
	}
	if (c->lock_is_table) {
		if (mysqldrv_quote_string(c, &tok, c->lock_holder) < 0 ||
		    dbm_buf_addf(&sql, "DELETE FROM %s WHERE lock_name = %s AND holder = %s",
		                 c->lock_table, lit.ptr, tok.ptr) < 0) {
			rc = DBM_ERR_NOMEM;
			goto done;
		}
		rc = mysqldrv_run(c, c->my, sql.ptr, sql.len);
		/* clean may have dropped the table with the row: nothing is held then. */
		if (rc < 0 && dbm_error_last()->server_code == 1146) {
			dbm_error_clear();
			rc = 0;
		}
	} else {
		if (dbm_buf_addf(&sql, "DO RELEASE_LOCK(%s)", lit.ptr) < 0) {
			rc = DBM_ERR_NOMEM;
			goto done;
		}
		rc = mysqldrv_run(c, c->my, sql.ptr, sql.len);
	}
	if (rc < 0 && c->lost)
		rc = 0;
done:
	mysqldrv_lock_forget(c);
	dbm_buf_free(&sql);
	dbm_buf_free(&lit);
	dbm_buf_free(&tok);
	return rc;
}

/* ---- clean -------------------------------------------------------------------------------- */

struct mysqldrv_clean_ctx {
	struct mysqldrv_conn *c;
	struct dbm_buf stmts; /* DROP statements, each ending in '\0' */
	const char *skip;     /* a table to keep (our lock table), or NULL */
	int rc;
};

/* Row callback of clean's catalogue query: (kind, schema, name) -> a DROP statement. */
static int mysqldrv_clean_row(void *ctx, unsigned ncols, const char *const *v)
{
	struct mysqldrv_clean_ctx *x = ctx;
	struct dbm_buf *b = &x->stmts;

	if (ncols < 3 || !v[0] || !v[1] || !v[2])
		return 0;
	if (x->skip && strcmp(v[0], "TABLE") == 0 && strcmp(v[2], x->skip) == 0)
		return 0;
	if (strcmp(v[0], "PACKAGE BODY") == 0)
		return 0; /* dropped with its package */
	if (dbm_buf_addf(b, "DROP %s IF EXISTS ", v[0]) < 0 || mysqldrv_quote_ident(b, v[1]) < 0 ||
	    dbm_buf_addc(b, '.') < 0 || mysqldrv_quote_ident(b, v[2]) < 0 ||
	    dbm_buf_add(b, "", 1) < 0) {
		x->rc = DBM_ERR_NOMEM;
		return 1;
	}
	return 0;
}

/*
 * Drops every trigger, event, routine, view, sequence and table of the
 * database schema (driver.h), tables with FOREIGN_KEY_CHECKS off. A lock
 * table this connection holds a lock in is kept. Returns 0, DBM_ERR_USAGE
 * (no database), DBM_ERR_RUN or DBM_ERR_NOMEM.
 */
static int mysqldrv_clean(struct dbm_conn *conn, const char *schema)
{
	struct mysqldrv_conn *c = (struct mysqldrv_conn *)conn;
	static const char fk_off_sql[] = "SET SESSION FOREIGN_KEY_CHECKS = 0";
	static const char fk_on_sql[] = "SET SESSION FOREIGN_KEY_CHECKS = 1";
	struct mysqldrv_clean_ctx x = {c, DBM_BUF_INIT, NULL, 0};
	struct dbm_buf sql = DBM_BUF_INIT, lit = DBM_BUF_INIT;
	int rc = mysqldrv_check_alive(c), fk_off = 0;
	size_t off;

	if (rc < 0)
		return rc;
	if (!schema)
		schema = c->parent.schema;
	if (!schema)
		return dbm_error_set(DBM_ERR_USAGE, "no database to clean");
	if (c->lock_is_table && c->lock_schema && strcmp(c->lock_schema, schema) == 0)
		x.skip = c->lock_table_bare;
	if (mysqldrv_quote_string(c, &lit, schema) < 0)
		goto oom;
	/* Order matters: triggers and events first, tables last. */
	if (dbm_buf_addf(&sql,
	                 "SELECT 'TRIGGER', TRIGGER_SCHEMA, TRIGGER_NAME, 1 AS o FROM "
	                 "information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = %s "
	                 "UNION ALL SELECT 'EVENT', EVENT_SCHEMA, EVENT_NAME, 2 FROM "
	                 "information_schema.EVENTS WHERE EVENT_SCHEMA = %s "
	                 "UNION ALL SELECT ROUTINE_TYPE, ROUTINE_SCHEMA, ROUTINE_NAME, 3 FROM "
	                 "information_schema.ROUTINES WHERE ROUTINE_SCHEMA = %s "
	                 "UNION ALL SELECT 'VIEW', TABLE_SCHEMA, TABLE_NAME, 4 FROM "
	                 "information_schema.VIEWS WHERE TABLE_SCHEMA = %s "
	                 "UNION ALL SELECT IF(TABLE_TYPE = 'SEQUENCE', 'SEQUENCE', 'TABLE'), "
	                 "TABLE_SCHEMA, TABLE_NAME, 5 FROM information_schema.TABLES WHERE "
	                 "TABLE_SCHEMA = %s AND TABLE_TYPE <> 'VIEW' ORDER BY o",
	                 lit.ptr, lit.ptr, lit.ptr, lit.ptr, lit.ptr) < 0)
		goto oom;
	rc = mysqldrv_query(conn, sql.ptr, mysqldrv_clean_row, &x);
	if (rc == 0)
		rc = x.rc;
	if (rc < 0)
		goto done;
	rc = mysqldrv_run(c, c->my, fk_off_sql, strlen(fk_off_sql));
	if (rc < 0)
		goto done;
	fk_off = 1;
	for (off = 0; off < x.stmts.len; off += strlen(x.stmts.ptr + off) + 1) {
		rc = mysqldrv_run(c, c->my, x.stmts.ptr + off, strlen(x.stmts.ptr + off));
		if (rc < 0)
			goto done;
	}
	goto done;
oom:
	rc = dbm_error_oom();
done:
	if (fk_off && !c->lost &&
	    mysql_real_query(c->my, fk_on_sql, (unsigned long)strlen(fk_on_sql)) != 0 && rc == 0)
		rc = mysqldrv_fail(c, c->my);
	dbm_buf_free(&x.stmts);
	dbm_buf_free(&sql);
	dbm_buf_free(&lit);
	return rc;
}

/* ---- identity ----------------------------------------------------------------------------- */

/* Closes the connection, releasing a held lock first; keeps the last error as it was. */
static void mysqldrv_disconnect(struct dbm_conn *conn)
{
	struct mysqldrv_conn *c = (struct mysqldrv_conn *)conn;

	if (!c)
		return;
	if (c->lock_name) {
		static struct dbm_error saved;

		saved = *dbm_error_last();
		mysqldrv_unlock(conn);
		*dbm_error_last() = saved;
	}
	mysqldrv_heartbeat_stop(c);
	if (c->my)
		mysql_close(c->my);
	pthread_cond_destroy(&c->hb_cv);
	pthread_mutex_destroy(&c->hb_mu);
	mysqldrv_params_free(&c->params);
	dbm_free(c->app_name);
	dbm_free(c->restore_sql);
	dbm_free(c->parent.schema);
	dbm_free(c->parent.user);
	dbm_free(c->parent.server_version);
	dbm_free(c);
}

/* Appends "libmariadb <version>". 0 or DBM_ERR_NOMEM. */
static int mysqldrv_client_version(struct dbm_buf *out)
{
	return dbm_buf_addf(out, "libmariadb %s", mysql_get_client_info());
}

const struct dbm_driver dbm_mysql_driver = {
    .name = "mysql",
    .schemes = mysqldrv_schemes,
    .dialect = DBM_DIALECT_MYSQL,
    .caps = DBM_CAP_SCHEMAS | DBM_CAP_SESSION_FLAGS,
    .client_version = mysqldrv_client_version,
    .connect = mysqldrv_connect,
    .disconnect = mysqldrv_disconnect,
    .exec = mysqldrv_exec,
    .query = mysqldrv_query,
    .reset_session = mysqldrv_reset_session,
    .stmt_flags = mysqldrv_stmt_flags,
    .lock = mysqldrv_lock,
    .unlock = mysqldrv_unlock,
    .clean = mysqldrv_clean,
};
