/*
 * mysql.c - the MySQL / MariaDB driver (driver.h), on MariaDB Connector/C.
 *
 * The registry (registry.c) hands URLs starting with mysql:// or mariadb://
 * to dbm_mysql_driver; the runner and the commands call it only through the
 * vtable. This file connects with retries (the URL is parsed in
 * mysql_url.c), sets the session up, runs one statement at a time draining
 * every result set, puts the session back after a script that may have
 * changed it, and cleans a database. The runner lock is in mysql_lock.c.
 * The client's connect messages reach an error only through
 * dbm_drv_lib_text (drvcommon.h): scrubbed of every form of the password,
 * or withheld when the URL is ambiguous.
 * See docs/drivers/mysql.md for the user-facing description.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <errmsg.h>

#include "drivers/dump.h"
#include "mysqldrv.h"

static const char *const mysqldrv_schemes[] = {"mysql", "mariadb", NULL};

/* ---- talking to the server ---------------------------------------------------------------- */

/* Appends `ident` with backticks doubled. 0 or DBM_ERR_NOMEM. */
int mysqldrv_quote_ident(struct dbm_buf *b, const char *ident)
{
	return dbm_drv_quote_ident(b, ident, '`');
}

/*
 * Appends 'text' as a string literal escaped for this connection (honours
 * NO_BACKSLASH_ESCAPES). 0 or DBM_ERR_NOMEM.
 */
int mysqldrv_quote_string(struct mysqldrv_conn *c, struct dbm_buf *b, const char *text)
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
	       code == ER_CONNECTION_KILLED ||
	       code == ER_CLIENT_INTERACTION_TIMEOUT /* MySQL 8 */ || code == ER_SERVER_SHUTDOWN;
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
	/* the message is one line ("near '2;\nEND'" quotes the statement's own line breaks) */
	for (char *p = e->message; *p; p++)
		if (*p == '\n' || *p == '\r')
			*p = ' ';
	return DBM_ERR_RUN;
}

/* Fails at once when the connection died earlier. 0 or DBM_ERR_RUN. */
int mysqldrv_check_alive(struct mysqldrv_conn *c)
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
int mysqldrv_run(struct mysqldrv_conn *c, MYSQL *my, const char *sql, size_t len)
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
int mysqldrv_query_value(struct mysqldrv_conn *c, const char *sql, char **out)
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

/* ---- connecting --------------------------------------------------------------------------- */

/*
 * Opens one connection with the URL's parameters into *out. Returns 0;
 * DBM_ERR_RUN with the server's or library's message (which names the user
 * and host, never the password); DBM_ERR_NOMEM.
 */
int mysqldrv_open(const struct mysqldrv_params *p, const char *app, MYSQL **out)
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
	                        p->port, p->socket,
	                        CLIENT_MULTI_RESULTS | CLIENT_MULTI_STATEMENTS)) {
		unsigned code = mysql_errno(my);
		struct dbm_error *e;
		char text[1024];

		dbm_drv_lib_text(text, sizeof(text), mysql_error(my), p->withhold);
		rc = dbm_error_set(DBM_ERR_RUN, "cannot connect to the MySQL server: %s", text);
		e = dbm_error_last();
		e->server_code = (int)code;
		snprintf(e->sqlstate, sizeof(e->sqlstate), "%s", mysql_sqlstate(my));
		if (p->withhold)
			dbm_error_set_hint("%s", DBM_DRV_WITHHELD_HINT);
		else if (code == ER_BAD_DB_ERROR)
			dbm_error_set_hint("The URL names database '%s', which does not exist; "
			                   "create it first, or leave it out of the URL and pass "
			                   "--schema.",
			                   p->db ? p->db : "");
		else if (code == ER_ACCESS_DENIED_ERROR)
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
static int mysqldrv_retryable(void *ctx)
{
	int code = dbm_error_last()->server_code;

	(void)ctx;
	return (code >= CR_MIN_ERROR && code <= CR_MAX_ERROR) || code == ER_CON_COUNT_ERROR ||
	       code == ER_SERVER_SHUTDOWN || code == ER_CONNECTION_KILLED;
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

/*
 * Who we are (database, user, connection id), the snapshot and the largest
 * statement the server takes, in one query.
 */
#define MYSQLDRV_SESSION_SELECT                                                                    \
	"SELECT DATABASE(), SUBSTRING_INDEX(USER(), '@', 1), "                                     \
	"CONNECTION_ID(), " MYSQLDRV_SNAPSHOT_EXPR ", @@max_allowed_packet"

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
 * (ER_UNKNOWN_SYSTEM_VARIABLE) is asked again without it, and is no Galera node.
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
			if (dbm_error_last()->server_code != ER_BAD_DB_ERROR)
				goto done;
			/* It does not exist yet: the caller creates it; USE it once it does. */
			dbm_error_clear();
			c->pending_use = 1;
		}
	}

	q = mariadb ? mysqldrv_session_wsrep_sql : mysqldrv_session_sql;
	failed = mysql_real_query(c->my, q, (unsigned long)strlen(q)) != 0;
	if (failed && mariadb && mysql_errno(c->my) == ER_UNKNOWN_SYSTEM_VARIABLE) {
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
	c->max_packet = row[4] ? strtoul(row[4], NULL, 10) : 0;
#ifdef DBM_FAILPOINTS
	{
		/* a smaller limit than the server's, without changing the server for other clients
		 */
		const char *lim = getenv("DBM_TEST_MAX_ALLOWED_PACKET");

		if (lim && *lim)
			c->max_packet = strtoul(lim, NULL, 10);
	}
#endif
	if (q == mysqldrv_session_wsrep_sql)
		c->wsrep_on = row[5] && (strcmp(row[5], "1") == 0 || strcasecmp(row[5], "ON") == 0);
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

/* One connect attempt of mysqldrv_connect: mysqldrv_open's result. */
static int mysqldrv_connect_once(void *ctx)
{
	struct mysqldrv_conn *c = ctx;

	return mysqldrv_open(&c->params, c->app_name, &c->my);
}

/*
 * Connects (driver.h): parses the URL, tries 1 + connect_retries times with
 * waits of 1 s, 2 s, 4 s ... capped at connect_retries_interval, then sets
 * the session up. Returns 0 and *out; DBM_ERR_USAGE for a bad URL;
 * DBM_ERR_RUN with the server's message (never
 * any part of the password); DBM_ERR_NOMEM.
 */
static int mysqldrv_connect(const struct dbm_conn_opts *o, struct dbm_conn **out)
{
	struct mysqldrv_conn *c;
	int rc;

	*out = NULL;
	if ((rc = mysqldrv_load()) < 0)
		return rc;
	c = dbm_calloc(1, sizeof(*c));
	if (!c)
		return dbm_error_oom();
	c->parent.driver = &dbm_mysql_driver;
	c->wsrep_on = -1;
	rc = mysqldrv_parse_url(o->url, &c->params);
	if (rc < 0)
		goto done;
	if (o->application_name && !(c->app_name = dbm_strdup(o->application_name))) {
		rc = dbm_error_oom();
		goto done;
	}
	rc = dbm_drv_connect_with_backoff(o, mysqldrv_connect_once, mysqldrv_retryable, c);
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
int mysqldrv_pending_use(struct mysqldrv_conn *c)
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
 * A syntax error's "... near '...' at line N" (errors 1064 and 1149) counts
 * lines from the start of the failing statement (in a multi-statement query
 * too: the server starts counting again at each statement, after the blanks
 * between them). Turns N into the error's position, the byte offset in s
 * where that line starts, so that the runner names the file's line, and
 * says in the detail how to read the server's number.
 */
static void mysqldrv_error_position(const struct dbm_stmt *s)
{
	struct dbm_error *e = dbm_error_last();
	const char *at, *p, *end = s->sql + s->len;
	long line;

	if ((e->server_code != 1064 && e->server_code != 1149) || e->position)
		return;
	at = strstr(e->message, " at line ");
	while (at && strstr(at + 1, " at line "))
		at = strstr(at + 1, " at line ");
	if (!at)
		return;
	line = strtol(at + 9, NULL, 10);
	if (line < 1)
		return;
	p = s->sql;
	while (p < end && (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n'))
		p++;
	for (; line > 1 && p < end; p++)
		if (*p == '\n')
			line--;
	if (line > 1)
		return;
	e->position = (int)(p - s->sql) + 1;
	dbm_error_add_detail("the server's 'line' counts from the start of the statement");
}

/*
 * Follows what statement s leaves held that no server status flag shows:
 * table locks (LOCK TABLES, FLUSH TABLES ... WITH READ LOCK / FOR EXPORT,
 * released by UNLOCK TABLES and by starting a transaction) and an XA
 * transaction's xid (from XA START or XA BEGIN to its XA COMMIT or XA
 * ROLLBACK), for tx_state and tx_abort, from the splitter's classification
 * (DBM_STMT_LOCKS, _UNLOCKS, _XA_START, _XA_END). Returns 0 or DBM_ERR_NOMEM.
 */
static int mysqldrv_track(struct mysqldrv_conn *c, const struct dbm_stmt *s)
{
	if (s->flags & DBM_STMT_LOCKS)
		c->tables_locked = 1;
	else if (s->flags & DBM_STMT_UNLOCKS)
		c->tables_locked = 0;
	if (s->flags & DBM_STMT_XA_START) {
		dbm_free(c->xa_xid);
		if (!(c->xa_xid = dbm_strndup(s->sql + s->arg_off, s->arg_len)))
			return dbm_error_oom();
	} else if (s->flags & DBM_STMT_XA_END) {
		dbm_free(c->xa_xid);
		c->xa_xid = NULL;
	}
	return 0;
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
	if (rc == 0) {
		c->busy = 1;
		rc = mysqldrv_run(c, c->my, s->sql, s->len);
		c->busy = 0;
		if (rc < 0)
			mysqldrv_error_position(s);
	}
	/* a version comment the server skipped: an empty query, which the client lets pass */
	if (rc < 0 && (s->flags & DBM_STMT_ONLY_CONDITIONAL) &&
	    dbm_error_last()->server_code == ER_EMPTY_QUERY) {
		dbm_error_clear();
		rc = 0;
	}
	if (rc == 0)
		rc = mysqldrv_track(c, s);
	return rc;
}

/*
 * Statements in one round trip (driver.h): joined into one multi-statement
 * query, which the server parses and runs one statement at a time, each
 * committing on its own, stopping at the first error. Each statement
 * gives one result, so counting the results tells which one failed; what
 * can give several (CALL, EXECUTE, a text holding a ';' of its own) is
 * flagged DBM_EXEC_ALONE and never comes here. The separator starts on a
 * line of its own so that a statement's last line comment cannot hide it.
 */
static int mysqldrv_exec_batch(struct dbm_conn *conn, const struct dbm_stmt *stmts, size_t n,
                               size_t *failed)
{
	struct mysqldrv_conn *c = (struct mysqldrv_conn *)conn;
	size_t i;
	int rc = mysqldrv_check_alive(c), st;

	*failed = 0;
	c->wsrep_on = -1; /* a statement may SET it */
	if (rc == 0)
		rc = mysqldrv_pending_use(c);
	if (rc < 0 || n == 0)
		return rc;
	c->batch.len = 0;
	for (i = 0; i < n; i++)
		if ((i && dbm_buf_add(&c->batch, "\n;\n", 3) < 0) ||
		    dbm_buf_add(&c->batch, stmts[i].sql, stmts[i].len) < 0)
			return DBM_ERR_NOMEM;
	c->busy = 1;
	if (mysql_real_query(c->my, c->batch.ptr, (unsigned long)c->batch.len) != 0) {
		rc = mysqldrv_fail(c, c->my);
		goto done;
	}
	for (i = 0;; i++) {
		*failed = i < n ? i : n - 1;
		if (mysqldrv_consume(c, c->my) < 0) {
			rc = DBM_ERR_RUN;
			goto done;
		}
		if (i < n && (rc = mysqldrv_track(c, &stmts[i])) < 0)
			goto done; /* out of memory: the rest of the results are dropped at close */
		st = mysql_next_result(c->my);
		if (st < 0)
			goto done;
		if (st > 0) {
			*failed = i + 1 < n ? i + 1 : n - 1;
			rc = mysqldrv_fail(c, c->my);
			goto done;
		}
	}
done:
	c->busy = 0;
	if (rc < 0 && *failed < n)
		mysqldrv_error_position(&stmts[*failed]);
	return rc;
}

/*
 * Runs a query (driver.h), calling cb with each row of the first result set
 * as text. Returns 0, cb's non-zero value, DBM_ERR_RUN or DBM_ERR_NOMEM.
 */
int mysqldrv_query(struct dbm_conn *conn, const char *sql, dbm_row_cb cb, void *ctx)
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

static int mysqldrv_discard_row(void *ctx, unsigned ncols, const char *const *values)
{
	(void)ctx;
	(void)ncols;
	(void)values;
	return 0;
}

/*
 * DBM_ERR_RUN, saying what to raise, when a statement of len bytes is more
 * than the server's max_allowed_packet: the server would drop the
 * connection with an error that names neither (a large schema snapshot).
 * 0 when it fits or the limit is unknown.
 */
static int mysqldrv_packet_check(const struct mysqldrv_conn *c, size_t len)
{
	if (c->max_packet == 0 || len < c->max_packet)
		return 0; /* the packet holds the command byte too */
	dbm_error_set(DBM_ERR_RUN,
	              "the statement is %zu bytes, more than the server's max_allowed_packet of "
	              "%lu bytes",
	              len + 1, c->max_packet);
	dbm_error_set_hint("Raise max_allowed_packet on the server to at least %zu "
	                   "(SET GLOBAL max_allowed_packet = %zu, and the same under [mysqld] in "
	                   "its configuration to keep it), then run the command again.",
	                   len + 1, ((len + 1) / 1024 + 1) * 1024);
	return DBM_ERR_RUN;
}

/*
 * One statement with bound parameters (driver.h). Each ? outside quotes
 * and backticks becomes its value quoted by mysql_real_escape_string for
 * this connection, which follows the session's NO_BACKSLASH_ESCAPES as the
 * server reported it: the text the server parses stores exactly the value,
 * whatever the SQL mode. (The server's own prepared statements would do the
 * same at the cost of two more round trips a statement.) Returns 0, cb's
 * non-zero value, DBM_ERR_RUN or DBM_ERR_NOMEM.
 */
static int mysqldrv_exec_params(struct dbm_conn *conn, const char *sql, unsigned nparams,
                                const char *const *params, dbm_row_cb cb, void *ctx)
{
	struct mysqldrv_conn *c = (struct mysqldrv_conn *)conn;
	struct dbm_buf text = DBM_BUF_INIT;
	const char *p;
	unsigned used = 0;
	char quote = 0;
	int rc = mysqldrv_check_alive(c);

	if (rc < 0)
		return rc;
	for (p = sql; *p && rc == 0; p++) {
		if (quote) {
			if (*p == quote)
				quote = 0;
			rc = dbm_buf_addc(&text, *p);
		} else if (*p == '\'' || *p == '`' || *p == '"') {
			quote = *p;
			rc = dbm_buf_addc(&text, *p);
		} else if (*p == '?') {
			if (used == nparams) {
				rc = dbm_error_set(DBM_ERR_RUN,
				                   "statement has more placeholders than "
				                   "its %u values",
				                   nparams);
				break;
			}
			rc = params[used] ? mysqldrv_quote_string(c, &text, params[used])
			                  : dbm_buf_adds(&text, "NULL");
			used++;
		} else {
			rc = dbm_buf_addc(&text, *p);
		}
	}
	if (rc == 0 && used != nparams)
		rc = dbm_error_set(DBM_ERR_RUN, "statement has %u placeholders for %u values", used,
		                   nparams);
	if (rc == 0)
		rc = mysqldrv_packet_check(c, text.len);
	if (rc == 0)
		rc = mysqldrv_query(conn, dbm_buf_cstr(&text), cb ? cb : mysqldrv_discard_row, ctx);
	dbm_buf_free(&text);
	return rc;
}

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
		if (dbm_buf_adds(&sql, "USE ") < 0 ||
		    mysqldrv_quote_ident(&sql, c->parent.schema) < 0)
			rc = DBM_ERR_NOMEM;
		else
			rc = mysqldrv_run(c, c->my, sql.ptr, sql.len);
	}
	dbm_buf_free(&sql);
	return rc;
}

/*
 * reset_session for a script (driver.h): the settings of MYSQLDRV_SNAPSHOT_EXPR
 * kept in user variables at the start, put back from them. The current
 * database is not: USE takes no expression (the history statements of a
 * live dry run name their database).
 */
static int mysqldrv_reset_session_sql(struct dbm_buf *setup, struct dbm_buf *reset)
{
	static const char *const vars[] = {"sql_mode",
	                                   "time_zone",
	                                   "foreign_key_checks",
	                                   "unique_checks",
	                                   "autocommit",
	                                   "character_set_client",
	                                   "character_set_results",
	                                   "collation_connection",
	                                   "lock_wait_timeout"};
	size_t i;

	if (dbm_buf_adds(setup, "SET ") < 0 || dbm_buf_adds(reset, "SET ") < 0)
		return DBM_ERR_NOMEM;
	for (i = 0; i < DBM_ARRAY_SIZE(vars); i++) {
		if (dbm_buf_addf(setup, "%s@dbmigrate_%s = @@SESSION.%s", i ? ", " : "", vars[i],
		                 vars[i]) < 0 ||
		    dbm_buf_addf(reset, "%sSESSION %s = @dbmigrate_%s", i ? ", " : "", vars[i],
		                 vars[i]) < 0)
			return DBM_ERR_NOMEM;
	}
	if (dbm_buf_add(setup, "", 1) < 0 || dbm_buf_add(reset, "", 1) < 0)
		return DBM_ERR_NOMEM;
	return 0;
}

/*
 * DBM_EXEC_* flags of a statement (driver.h), as the splitter classified it
 * (sqlsplit_class.c): SESSION for SET, USE, CALL and version comments;
 * TX_CONTROL for BEGIN [WORK], START TRANSACTION, COMMIT, ROLLBACK (not TO);
 * ALONE for what may give several results (CALL, EXECUTE, a text with a ';'),
 * LOAD DATA and a statement of only version comments, which the server may
 * find empty (exec lets that pass). MySQL has no NO_TX statement.
 */
static unsigned mysqldrv_stmt_flags(const struct dbm_stmt *s)
{
	return dbm_stmt_exec_flags(s);
}

/*
 * The session's string rules (driver.h), from the status flags of the
 * server's last reply, which tell NO_BACKSLASH_ESCAPES and ANSI_QUOTES as
 * the mariadb client reads them. Returns 0.
 */
static int mysqldrv_string_rules(struct dbm_conn *conn, struct dbm_string_rules *out)
{
	struct mysqldrv_conn *c = (struct mysqldrv_conn *)conn;
	unsigned st = c->my->server_status;

	memset(out, 0, sizeof(*out));
	out->backslash_escapes = !(st & SERVER_STATUS_NO_BACKSLASH_ESCAPES);
	out->ansi_quotes = (st & SERVER_STATUS_ANSI_QUOTES) != 0;
	return 0;
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

/* Row callback: appends "<what> <schema>.<name>" (3 columns), NUL-terminated, to the dbm_buf. */
static int mysqldrv_clean_outside_row(void *ctx, unsigned ncols, const char *const *v)
{
	struct dbm_buf *b = ctx;

	if (ncols < 3 || !v[0] || !v[1] || !v[2])
		return 0;
	return dbm_buf_addf(b, "%s %s.%s", v[0], v[1], v[2]) < 0 || dbm_buf_addc(b, '\0') < 0;
}

/*
 * Refuses to clean database schema when objects of other databases depend
 * on it: foreign keys that refer to its tables, and views, triggers,
 * routines and events whose text names it (`schema`.x or schema.x).
 * Returns 0; DBM_ERR_USAGE naming them (up to 20); DBM_ERR_RUN;
 * DBM_ERR_NOMEM.
 */
static int mysqldrv_clean_outside(struct mysqldrv_conn *c, const char *schema, const char *lit)
{
	struct dbm_buf re = DBM_BUF_INIT, relit = DBM_BUF_INIT, sql = DBM_BUF_INIT;
	struct dbm_buf names = DBM_BUF_INIT;
	const char *p;
	int rc = 0;

	/* a word boundary, the name (quoted or not, every byte escaped), then a dot */
	if (dbm_buf_adds(&re, "(^|[^0-9A-Za-z_$])`?") < 0)
		goto oom;
	/* ASCII punctuation escaped; letters, digits and UTF-8 bytes as they are */
	for (p = schema; *p; p++)
		if (((*p >= '0' && *p <= '9') || (*p >= 'A' && *p <= 'Z') ||
		     (*p >= 'a' && *p <= 'z') || (unsigned char)*p >= 0x80)
		        ? dbm_buf_addc(&re, *p) < 0
		        : dbm_buf_addf(&re, "\\x{%02x}", (unsigned)(unsigned char)*p) < 0)
			goto oom;
	if (dbm_buf_adds(&re, "`?[.]") < 0 || mysqldrv_quote_string(c, &relit, re.ptr) < 0)
		goto oom;
	if (dbm_buf_addf(&sql,
	                 "SELECT 'foreign key', CONSTRAINT_SCHEMA, CONCAT(TABLE_NAME, '.', "
	                 "CONSTRAINT_NAME) FROM information_schema.REFERENTIAL_CONSTRAINTS "
	                 "WHERE UNIQUE_CONSTRAINT_SCHEMA = %s AND CONSTRAINT_SCHEMA <> %s "
	                 "UNION ALL SELECT 'view', TABLE_SCHEMA, TABLE_NAME FROM "
	                 "information_schema.VIEWS WHERE TABLE_SCHEMA <> %s AND "
	                 "VIEW_DEFINITION REGEXP %s "
	                 "UNION ALL SELECT 'trigger', TRIGGER_SCHEMA, TRIGGER_NAME FROM "
	                 "information_schema.TRIGGERS WHERE TRIGGER_SCHEMA <> %s AND "
	                 "(EVENT_OBJECT_SCHEMA = %s OR ACTION_STATEMENT REGEXP %s) "
	                 "UNION ALL SELECT LOWER(ROUTINE_TYPE), ROUTINE_SCHEMA, ROUTINE_NAME FROM "
	                 "information_schema.ROUTINES WHERE ROUTINE_SCHEMA <> %s AND "
	                 "ROUTINE_DEFINITION REGEXP %s "
	                 "UNION ALL SELECT 'event', EVENT_SCHEMA, EVENT_NAME FROM "
	                 "information_schema.EVENTS WHERE EVENT_SCHEMA <> %s AND "
	                 "EVENT_DEFINITION REGEXP %s LIMIT 21",
	                 lit, lit, lit, relit.ptr, lit, lit, relit.ptr, lit, relit.ptr, lit,
	                 relit.ptr) < 0)
		goto oom;
	rc = mysqldrv_query(&c->parent, sql.ptr, mysqldrv_clean_outside_row, &names);
	if (rc > 0)
		goto oom;
	if (rc < 0 || names.len == 0)
		goto done;
	rc = dbm_drv_clean_outside_error("database", schema, "break them", &names);
	goto done;
oom:
	rc = dbm_error_oom();
done:
	dbm_buf_free(&re);
	dbm_buf_free(&relit);
	dbm_buf_free(&sql);
	dbm_buf_free(&names);
	return rc;
}

/* 1 when name is one of the server's own databases (any letter case), else 0. */
static int mysqldrv_system_db(const char *name)
{
	static const char *const sys[] = {"information_schema", "mysql", "performance_schema",
	                                  "sys"};
	size_t i;

	for (i = 0; i < DBM_ARRAY_SIZE(sys); i++)
		if (strcasecmp(name, sys[i]) == 0)
			return 1;
	return 0;
}

/*
 * Drops every trigger, event, routine, view, sequence and table of the
 * database schema (driver.h), tables with FOREIGN_KEY_CHECKS off, once no
 * object of another database is found to depend on it. A lock
 * table this connection holds a lock in is kept. With script not NULL,
 * nothing is dropped: the statements go there, between the
 * FOREIGN_KEY_CHECKS settings. Returns 0, DBM_ERR_USAGE (no database),
 * DBM_ERR_RUN or DBM_ERR_NOMEM.
 */
static int mysqldrv_clean_run(struct dbm_conn *conn, const char *schema, struct dbm_buf *script)
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
	if (mysqldrv_system_db(schema)) {
		dbm_error_set(DBM_ERR_USAGE, "clean refuses system database '%s'", schema);
		dbm_error_set_hint("Name the application's database with --schema or in the URL.");
		return DBM_ERR_USAGE;
	}
	if (c->lock_is_table && c->lock_schema && strcmp(c->lock_schema, schema) == 0)
		x.skip = c->lock_table_bare;
	if (mysqldrv_quote_string(c, &lit, schema) < 0)
		goto oom;
	rc = mysqldrv_clean_outside(c, schema, lit.ptr);
	if (rc < 0)
		goto done;
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
	if (script) {
		if (dbm_buf_add(script, fk_off_sql, sizeof(fk_off_sql)) < 0 ||
		    (x.stmts.len && dbm_buf_add(script, x.stmts.ptr, x.stmts.len) < 0) ||
		    dbm_buf_add(script, fk_on_sql, sizeof(fk_on_sql)) < 0)
			goto oom;
		goto done;
	}
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

static int mysqldrv_clean(struct dbm_conn *conn, const char *schema)
{
	return mysqldrv_clean_run(conn, schema, NULL);
}

static int mysqldrv_clean_script(struct dbm_conn *conn, const char *schema, struct dbm_buf *out)
{
	return mysqldrv_clean_run(conn, schema, out);
}

/* ---- identity ----------------------------------------------------------------------------- */

/* Closes the connection, releasing a held lock first; keeps the last error as it was. */
static void mysqldrv_disconnect(struct dbm_conn *conn)
{
	struct mysqldrv_conn *c = (struct mysqldrv_conn *)conn;

	if (!c)
		return;
	if (c->lock_name) {
		static struct dbm_error saved; /* static: too large for every stack */

		dbm_error_save(&saved);
		mysqldrv_unlock(conn);
		dbm_error_restore(&saved);
	}
	mysqldrv_heartbeat_stop(c);
	if (c->my)
		mysql_close(c->my);
	mysqldrv_params_free(&c->params);
	dbm_free(c->app_name);
	dbm_free(c->restore_sql);
	dbm_buf_free(&c->batch);
	dbm_free(c->xa_xid);
	dbm_free(c->parent.schema);
	dbm_free(c->parent.user);
	dbm_free(c->parent.server_version);
	dbm_free(c);
}

/* ---- what a script leaves open ------------------------------------------------------------ */

/*
 * What the statements left open (driver.h): an XA transaction, a
 * transaction (the server's SERVER_STATUS_IN_TRANS, which autocommit=0 also
 * leads to), table locks. No round trip. Returns enum dbm_tx_state.
 */
static int mysqldrv_tx_state(struct dbm_conn *conn, char *what, size_t n)
{
	struct mysqldrv_conn *c = (struct mysqldrv_conn *)conn;
	unsigned status = 0;

	if (c->lost || !c->my)
		return DBM_TX_IDLE;
	if (c->xa_xid) {
		snprintf(what, n, "XA transaction %s", c->xa_xid);
		return DBM_TX_OPEN;
	}
	mariadb_get_infov(c->my, MARIADB_CONNECTION_SERVER_STATUS, &status);
	if (status & SERVER_STATUS_IN_TRANS) {
		snprintf(what, n, "%s",
		         (status & SERVER_STATUS_AUTOCOMMIT) ? "a transaction"
		                                             : "a transaction (autocommit is off)");
		return DBM_TX_OPEN;
	}
	if (c->tables_locked) {
		snprintf(what, n, "table locks (LOCK TABLES)");
		return DBM_TX_LOCKS;
	}
	return DBM_TX_IDLE;
}

/* Closes a connection that cannot be brought back: the server rolls back what it held. */
static void mysqldrv_drop(struct mysqldrv_conn *c)
{
	mysql_close(c->my);
	c->my = NULL;
	c->lost = 1;
}

/*
 * Throws away what tx_state found: XA END and XA ROLLBACK of the XA
 * transaction, else ROLLBACK; then UNLOCK TABLES. A connection where that
 * fails is closed (the server rolls back and releases at disconnect).
 * Returns 0 or DBM_ERR_RUN.
 */
static int mysqldrv_tx_abort(struct dbm_conn *conn)
{
	struct mysqldrv_conn *c = (struct mysqldrv_conn *)conn;
	struct dbm_buf sql = DBM_BUF_INIT;
	int rc = mysqldrv_check_alive(c);

	if (rc < 0)
		return rc;
	if (c->xa_xid) {
		if (dbm_buf_addf(&sql, "XA END %s", c->xa_xid) < 0) {
			rc = DBM_ERR_NOMEM;
			goto done;
		}
		/* it may have been ended (XA END) or prepared already */
		mysqldrv_run(c, c->my, sql.ptr, sql.len);
		dbm_buf_clear(&sql);
		if (dbm_buf_addf(&sql, "XA ROLLBACK %s", c->xa_xid) < 0) {
			rc = DBM_ERR_NOMEM;
			goto done;
		}
		rc = c->lost ? DBM_ERR_RUN : mysqldrv_run(c, c->my, sql.ptr, sql.len);
		dbm_free(c->xa_xid);
		c->xa_xid = NULL;
	} else {
		rc = mysqldrv_run(c, c->my, "ROLLBACK", 8);
	}
	if (rc == 0 && c->tables_locked)
		rc = mysqldrv_run(c, c->my, "UNLOCK TABLES", 13);
	if (rc == 0)
		c->tables_locked = 0;
done:
	if (rc < 0 && !c->lost && c->my)
		mysqldrv_drop(c);
	dbm_buf_free(&sql);
	return rc;
}

/*
 * Stops the running statement (driver.h) with KILL QUERY on a connection
 * of its own. Returns 0 or -1; the last error stays as it was.
 */
static int mysqldrv_cancel(struct dbm_conn *conn)
{
	struct mysqldrv_conn *c = (struct mysqldrv_conn *)conn;
	struct dbm_error saved;
	MYSQL *my = NULL;
	char sql[64];
	int rc = -1;

	if (!c->busy || c->lost || !c->id)
		return -1;
	dbm_error_save(&saved);
	if (mysqldrv_open(&c->params, c->app_name, &my) == 0) {
		snprintf(sql, sizeof(sql), "KILL QUERY %lu", c->id);
		rc = mysql_real_query(my, sql, (unsigned long)strlen(sql)) == 0 ? 0 : -1;
		mysql_close(my);
	}
	dbm_error_restore(&saved);
	return rc;
}

/*
 * 1 when the server is read-only for dbmigrate's writes (driver.h):
 * @@GLOBAL.read_only, which MySQL also turns on with super_read_only. Asked
 * of the variable, never by trying a write, since a user with SUPER (MySQL)
 * or READ ONLY ADMIN (MariaDB) may still write to a replica. Returns 1, 0,
 * DBM_ERR_RUN or DBM_ERR_NOMEM.
 */
static int mysqldrv_read_only(struct dbm_conn *conn, char *what, size_t n)
{
	struct mysqldrv_conn *c = (struct mysqldrv_conn *)conn;
	char *v = NULL, *sv = NULL;
	int rc = mysqldrv_check_alive(c), on;

	if (rc < 0)
		return rc;
	rc = mysqldrv_query_value(c, "SELECT @@GLOBAL.read_only", &v);
	if (rc < 0)
		return rc;
	on = v && (strcmp(v, "1") == 0 || strcasecmp(v, "ON") == 0);
	dbm_free(v);
	if (!on)
		return 0;
	/* MySQL's super_read_only holds SUPER back too; MariaDB has no such variable. */
	if (mysqldrv_query_value(c, "SELECT @@GLOBAL.super_read_only", &sv) < 0) {
		if (c->lost)
			return DBM_ERR_RUN;
		dbm_error_clear();
	}
	snprintf(what, n, "%s",
	         sv && (strcmp(sv, "1") == 0 || strcasecmp(sv, "ON") == 0)
	             ? "@@super_read_only is ON"
	             : "@@read_only is ON");
	dbm_free(sv);
	return 1;
}

/* Appends "libmariadb <version>", or "libmariadb (not installed)". 0 or DBM_ERR_NOMEM. */
static int mysqldrv_client_version(struct dbm_buf *out)
{
	if (mysqldrv_load() < 0)
		return dbm_buf_adds(out, "libmariadb (not installed)");
	return dbm_buf_addf(out, "libmariadb %s", mysql_get_client_info());
}

const struct dbm_driver dbm_mysql_driver = {
    .name = "mysql",
    .schemes = mysqldrv_schemes,
    .dialect = DBM_DIALECT_MYSQL,
    .caps = DBM_CAP_SCHEMAS | DBM_CAP_SESSION_FLAGS | DBM_CAP_BATCH_AUTOCOMMIT,
    .identity_sql = "SELECT CONCAT(DATABASE(), '@', @@hostname, ':', @@port)",
    .client_version = mysqldrv_client_version,
    .connect = mysqldrv_connect,
    .disconnect = mysqldrv_disconnect,
    .exec = mysqldrv_exec,
    .exec_batch = mysqldrv_exec_batch,
    .query = mysqldrv_query,
    .exec_params = mysqldrv_exec_params,
    .reset_session = mysqldrv_reset_session,
    .reset_session_sql = mysqldrv_reset_session_sql,
    .stmt_flags = mysqldrv_stmt_flags,
    .string_rules = mysqldrv_string_rules,
    .lock = mysqldrv_lock,
    .unlock = mysqldrv_unlock,
    .clean = mysqldrv_clean,
    .clean_script = mysqldrv_clean_script,
    .dump = dbm_mysql_dump,
    .tx_state = mysqldrv_tx_state,
    .tx_abort = mysqldrv_tx_abort,
    .cancel = mysqldrv_cancel,
    .read_only = mysqldrv_read_only,
};
