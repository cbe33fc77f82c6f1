/*
 * pgsql.c - the PostgreSQL driver (libpq), dbm_pgsql_driver.
 *
 * The runner and the commands call it through the vtable in driver.h; no
 * other module sees libpq. URLs and key=value conninfo strings go to libpq
 * unchanged (so sslmode, .pgpass, PGPASSWORD and service files work), with
 * fallback_application_name set. After connecting, the session gets its
 * search_path, statement_timeout, lock_timeout and client_min_messages, and
 * server notices are dropped: the driver never prints. libpq's messages
 * reach an error only through dbm_drv_lib_text (drvcommon.h): scrubbed of
 * every form of the password, or withheld when the URL is ambiguous.
 *
 * The runner lock is a session-level advisory lock taken with
 * pg_try_advisory_lock on the migration connection itself, outside any
 * transaction, so statements such as CREATE INDEX CONCURRENTLY that wait for
 * other transactions never wait on the lock holder (see
 * docs/drivers/postgresql.md).
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <dlfcn.h>
#include <libpq-fe.h>

#include "dbmigrate/driver.h"
#include "drivers/dump.h"
#include "dbmigrate/secret.h"
#include "drvcommon.h"

/*
 * libpq is loaded when a PostgreSQL URL is first used, not when dbmigrate
 * starts: it brings some twenty libraries (Kerberos, LDAP, TLS) whose loading
 * would cost every run, MySQL and SQLite ones included, a few milliseconds.
 * Every libpq function this file calls goes through this table.
 */
#define PGSQL_LIBPQ "libpq.so.5"
#define PGSQL_API(X) \
	X(PQcancel) \
	X(PQclear) \
	X(PQconnectdbParams) \
	X(PQconninfoFree) \
	X(PQconninfoParse) \
	X(PQerrorMessage) \
	X(PQexec) \
	X(PQexecParams) \
	X(PQfinish) \
	X(PQfreeCancel) \
	X(PQfreemem) \
	X(PQgetCancel) \
	X(PQgetCopyData) \
	X(PQgetResult) \
	X(PQgetisnull) \
	X(PQgetvalue) \
	X(PQlibVersion) \
	X(PQnfields) \
	X(PQntuples) \
	X(PQparameterStatus) \
	X(PQputCopyData) \
	X(PQputCopyEnd) \
	X(PQresultErrorField) \
	X(PQresultErrorMessage) \
	X(PQresultStatus) \
	X(PQsendQuery) \
	X(PQserverVersion) \
	X(PQsetNoticeProcessor) \
	X(PQsetSingleRowMode) \
	X(PQstatus) \
	X(PQtransactionStatus) \
	X(PQuser)

/* libpq 14 and later; without them, exec_batch runs one statement at a time. */
#define PGSQL_API_PIPELINE(X) \
	X(PQenterPipelineMode) \
	X(PQexitPipelineMode) \
	X(PQpipelineSync) \
	X(PQsendQueryParams)

static struct {
	void *lib;
#define X(f) __typeof__(f) *f; /* NOLINT(bugprone-macro-parentheses): f names a member */
	PGSQL_API(X)
	PGSQL_API_PIPELINE(X)
#undef X
	int pipeline; /* every PGSQL_API_PIPELINE function was found */
} pgsql_api;

/* Loads libpq once. Returns 0, or DBM_ERR_RUN saying which library is missing. */
static int pgsql_load(void)
{
	void *lib;

	if (pgsql_api.lib)
		return 0;
	lib = dlopen(PGSQL_LIBPQ, RTLD_NOW | RTLD_LOCAL);
	if (!lib) {
		dbm_error_set(DBM_ERR_RUN, "cannot load the PostgreSQL client library %s: %s",
		              PGSQL_LIBPQ, dlerror());
		dbm_error_set_hint("Install it (Debian and Ubuntu: apt-get install libpq5).");
		return DBM_ERR_RUN;
	}
#define X(f)                                                                                       \
	if (!(*(void **)&pgsql_api.f = dlsym(lib, #f))) {                                          \
		dbm_error_set(DBM_ERR_RUN, "the PostgreSQL client library %s has no %s",           \
		              PGSQL_LIBPQ, #f);                                                    \
		dlclose(lib);                                                                      \
		return DBM_ERR_RUN;                                                                \
	}
	PGSQL_API(X)
#undef X
	pgsql_api.pipeline = 1;
#define X(f) pgsql_api.pipeline &= (*(void **)&pgsql_api.f = dlsym(lib, #f)) != NULL;
	PGSQL_API_PIPELINE(X)
#undef X
	pgsql_api.lib = lib;
	return 0;
}

/* From here on, PQxxx(...) calls the loaded function. */
#define PQcancel (*pgsql_api.PQcancel)
#define PQclear (*pgsql_api.PQclear)
#define PQconnectdbParams (*pgsql_api.PQconnectdbParams)
#define PQconninfoFree (*pgsql_api.PQconninfoFree)
#define PQconninfoParse (*pgsql_api.PQconninfoParse)
#define PQerrorMessage (*pgsql_api.PQerrorMessage)
#define PQexec (*pgsql_api.PQexec)
#define PQexecParams (*pgsql_api.PQexecParams)
#define PQfinish (*pgsql_api.PQfinish)
#define PQfreeCancel (*pgsql_api.PQfreeCancel)
#define PQfreemem (*pgsql_api.PQfreemem)
#define PQgetCancel (*pgsql_api.PQgetCancel)
#define PQgetCopyData (*pgsql_api.PQgetCopyData)
#define PQgetResult (*pgsql_api.PQgetResult)
#define PQgetisnull (*pgsql_api.PQgetisnull)
#define PQgetvalue (*pgsql_api.PQgetvalue)
#define PQlibVersion (*pgsql_api.PQlibVersion)
#define PQnfields (*pgsql_api.PQnfields)
#define PQntuples (*pgsql_api.PQntuples)
#define PQparameterStatus (*pgsql_api.PQparameterStatus)
#define PQputCopyData (*pgsql_api.PQputCopyData)
#define PQputCopyEnd (*pgsql_api.PQputCopyEnd)
#define PQresultErrorField (*pgsql_api.PQresultErrorField)
#define PQresultErrorMessage (*pgsql_api.PQresultErrorMessage)
#define PQresultStatus (*pgsql_api.PQresultStatus)
#define PQsendQuery (*pgsql_api.PQsendQuery)
#define PQserverVersion (*pgsql_api.PQserverVersion)
#define PQsetNoticeProcessor (*pgsql_api.PQsetNoticeProcessor)
#define PQsetSingleRowMode (*pgsql_api.PQsetSingleRowMode)
#define PQstatus (*pgsql_api.PQstatus)
#define PQtransactionStatus (*pgsql_api.PQtransactionStatus)
#define PQuser (*pgsql_api.PQuser)
#define PQenterPipelineMode (*pgsql_api.PQenterPipelineMode)
#define PQexitPipelineMode (*pgsql_api.PQexitPipelineMode)
#define PQpipelineSync (*pgsql_api.PQpipelineSync)
#define PQsendQueryParams (*pgsql_api.PQsendQueryParams)

#define PGSQL_LOST_MESSAGE "connection to the server was lost"

struct pgsql_conn {
	struct dbm_conn parent; /* first: the driver casts between the two */
	PGconn *pg;
	int lost;         /* the connection broke; every later call fails at once */
	int locked;       /* the advisory lock is held */
	int64_t lock_key; /* its key while held */
	struct dbm_buf session; /* the SET statements that make dbmigrate's session, re-run by reset */
	PGcancel *cancel; /* made at connect, for pgsql_cancel from another thread */
};

extern const struct dbm_driver dbm_pgsql_driver;

static const char *const pgsql_schemes[] = {"postgres", "postgresql", NULL};

/* Drops server notices and warnings: a driver never prints. */
static void pgsql_notice_drop(void *arg, const char *message)
{
	(void)arg;
	(void)message;
}

/* Appends s to b as a double-quoted SQL identifier. 0 or DBM_ERR_NOMEM. */
static int pgsql_add_ident(struct dbm_buf *b, const char *s)
{
	return dbm_drv_quote_ident(b, s, '"');
}

/*
 * The 1-based byte offset in sql (len bytes, UTF-8) of the 1-based
 * character position chars, as the server counts them. A position past
 * the end gives len; chars <= 0 or an empty text gives 0.
 */
static int pgsql_char_to_byte(const char *sql, size_t len, long chars)
{
	size_t i;
	long n = 0;

	if (chars <= 0)
		return 0;
	for (i = 0; i < len; i++) {
		if (((unsigned char)sql[i] & 0xC0) != 0x80 && ++n == chars)
			return (int)(i + 1);
	}
	return (int)len;
}

/*
 * Sets the error for a connection that broke: DBM_ERR_RUN "connection to
 * the server was lost", libpq's or the server's last words as detail and
 * the server's SQLSTATE when it sent one (57P01 when terminated). Marks
 * the connection lost. Returns DBM_ERR_RUN.
 */
static int pgsql_lost(struct pgsql_conn *pc, const PGresult *res)
{
	char text[2048];
	const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
	const char *why = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : NULL;

	if (!why && pc->pg)
		why = PQerrorMessage(pc->pg);
	dbm_drv_lib_text(text, sizeof(text), why, 0);
	pc->lost = 1;
	pc->locked = 0;
	dbm_error_set(DBM_ERR_RUN, PGSQL_LOST_MESSAGE);
	if (text[0])
		dbm_error_set_detail("%s", text);
	dbm_error_set_hint("Check that the server is running and reachable, then run the command "
	                   "again; statements of an interrupted transaction were rolled back.");
	if (state)
		snprintf(dbm_error_last()->sqlstate, sizeof(dbm_error_last()->sqlstate), "%s",
		         state);
	return DBM_ERR_RUN;
}

/* 0 when the connection can be used, else DBM_ERR_RUN with the lost-connection error. */
static int pgsql_check(struct pgsql_conn *pc)
{
	if (pc->lost || !pc->pg || PQstatus(pc->pg) == CONNECTION_BAD)
		return pgsql_lost(pc, NULL);
	return 0;
}

/*
 * Sets the error from a failed result (res may be NULL: libpq's own
 * message). sql/len, when given, turn the server's character position into
 * a byte offset. A broken connection gives the lost-connection error.
 * Returns DBM_ERR_RUN, or DBM_ERR_NOMEM when libpq ran out of memory.
 */
static int pgsql_result_error(struct pgsql_conn *pc, const PGresult *res, const char *sql,
                              size_t len)
{
	char text[4096];
	const char *primary, *f;
	struct dbm_error *e;

	if (PQstatus(pc->pg) == CONNECTION_BAD)
		return pgsql_lost(pc, res);
	if (!res) {
		dbm_drv_lib_text(text, sizeof(text), PQerrorMessage(pc->pg), 0);
		if (strstr(text, "out of memory"))
			return dbm_error_oom();
		return dbm_error_set(DBM_ERR_RUN, "%s", text[0] ? text : "query failed");
	}
	primary = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);
	if (!primary)
		primary = PQresultErrorMessage(res);
	dbm_drv_lib_text(text, sizeof(text), primary, 0);
	dbm_error_set(DBM_ERR_RUN, "%s", text[0] ? text : "statement failed");
	f = PQresultErrorField(res, PG_DIAG_MESSAGE_DETAIL);
	if (f)
		dbm_error_set_detail("%s", f);
	f = PQresultErrorField(res, PG_DIAG_MESSAGE_HINT);
	if (f)
		dbm_error_set_hint("%s", f);
	e = dbm_error_last();
	f = PQresultErrorField(res, PG_DIAG_SQLSTATE);
	if (f)
		snprintf(e->sqlstate, sizeof(e->sqlstate), "%s", f);
	f = PQresultErrorField(res, PG_DIAG_STATEMENT_POSITION);
	if (f && sql)
		e->position = pgsql_char_to_byte(sql, len, strtol(f, NULL, 10));
	return DBM_ERR_RUN;
}

/*
 * Runs sql on the connection and expects no rows or discards them.
 * Returns 0 or the error of pgsql_result_error.
 */
static int pgsql_run(struct pgsql_conn *pc, const char *sql)
{
	PGresult *res;
	int rc = 0;

	if ((rc = pgsql_check(pc)) < 0)
		return rc;
	res = PQexec(pc->pg, sql);
	if (!res ||
	    (PQresultStatus(res) != PGRES_COMMAND_OK && PQresultStatus(res) != PGRES_TUPLES_OK))
		rc = pgsql_result_error(pc, res, sql, strlen(sql));
	PQclear(res);
	return rc;
}

/*
 * Runs "SET name = 'Ns'" for a positive number of seconds. 0 or the error
 * of pgsql_run.
 */
static int pgsql_set_seconds(struct pgsql_conn *pc, const char *name, int seconds)
{
	if (seconds <= 0)
		return 0;
	return dbm_buf_addf(&pc->session, "; SET %s = '%ds'", name, seconds);
}

static int pgsql_client_version(struct dbm_buf *out)
{
	int v;

	if (pgsql_load() < 0)
		return dbm_buf_adds(out, "libpq (not installed)");
	v = PQlibVersion();

	if (v >= 100000)
		return dbm_buf_addf(out, "libpq %d.%d", v / 10000, v % 10000);
	return dbm_buf_addf(out, "libpq %d.%d", v / 10000, v / 100 % 100);
}

/*
 * Checks that url parses as a conninfo string or URI, and adds the
 * password libpq reads from it (decoded) to the secrets. withhold: the URL
 * is ambiguous, libpq's complaint is not shown. Returns 0; DBM_ERR_USAGE
 * naming libpq's complaint; DBM_ERR_NOMEM.
 */
static int pgsql_parse_url(const char *url, int withhold)
{
	char *err = NULL;
	PQconninfoOption *opts = PQconninfoParse(url, &err), *o;
	char text[1024];
	int rc = 0;

	if (!opts) {
		if (!err)
			return dbm_error_oom();
		dbm_drv_lib_text(text, sizeof(text), err, withhold);
		PQfreemem(err);
		rc = dbm_error_set(DBM_ERR_USAGE, "invalid PostgreSQL connection URL: %s", text);
		dbm_error_set_hint("%s", withhold ? DBM_DRV_WITHHELD_HINT
						  : "Use postgres://user@host:port/database?param=value "
						    "or key=value pairs such as 'host=db dbname=app'.");
		return rc;
	}
	for (o = opts; o->keyword && rc == 0; o++) {
		if (strcmp(o->keyword, "password") == 0 && o->val)
			rc = dbm_secret_add(o->val, strlen(o->val));
	}
	PQconninfoFree(opts);
	return rc;
}

/*
 * Fills the session after connecting: notices dropped, client_min_messages,
 * user, server version, schema (search_path or current_schema()) and the
 * timeouts. Returns 0, DBM_ERR_RUN or DBM_ERR_NOMEM.
 */
static int pgsql_setup(struct pgsql_conn *pc, const struct dbm_conn_opts *o)
{
	PGresult *res = NULL;
	int v, rc;
	char ver[64];

	PQsetNoticeProcessor(pc->pg, pgsql_notice_drop, NULL);
	if ((rc = dbm_buf_adds(&pc->session, "SET client_min_messages = warning")) < 0)
		goto done;
	pc->parent.user = dbm_strdup(PQuser(pc->pg) ? PQuser(pc->pg) : "");
	if (!pc->parent.user) {
		rc = dbm_error_oom();
		goto done;
	}
	v = PQserverVersion(pc->pg);
	if (v >= 100000)
		snprintf(ver, sizeof(ver), "PostgreSQL %d.%d", v / 10000, v % 10000);
	else
		snprintf(ver, sizeof(ver), "PostgreSQL %d.%d.%d", v / 10000, v / 100 % 100,
		         v % 100);
	pc->parent.server_version = dbm_strdup(ver);
	if (!pc->parent.server_version) {
		rc = dbm_error_oom();
		goto done;
	}
	if (o->schema && o->schema[0]) {
		if ((rc = dbm_buf_adds(&pc->session, "; SET search_path TO ")) < 0 ||
		    (rc = pgsql_add_ident(&pc->session, o->schema)) < 0)
			goto done;
		pc->parent.schema = dbm_strdup(o->schema);
	} else {
		res = PQexec(pc->pg, "SELECT current_schema()");
		if (!res || PQresultStatus(res) != PGRES_TUPLES_OK) {
			rc = pgsql_result_error(pc, res, NULL, 0);
			goto done;
		}
		/* NULL when no schema on the search_path exists: the server default. */
		pc->parent.schema = dbm_strdup(PQntuples(res) == 1 && !PQgetisnull(res, 0, 0)
		                                   ? PQgetvalue(res, 0, 0)
		                                   : "public");
	}
	if (!pc->parent.schema) {
		rc = dbm_error_oom();
		goto done;
	}
	if ((rc = pgsql_set_seconds(pc, "statement_timeout", o->statement_timeout)) < 0 ||
	    (rc = pgsql_set_seconds(pc, "lock_timeout", o->ddl_lock_timeout)) < 0)
		goto done;
	rc = pgsql_run(pc, pc->session.ptr);
done:
	PQclear(res);
	return rc;
}

static void pgsql_disconnect(struct dbm_conn *c)
{
	struct pgsql_conn *pc = (struct pgsql_conn *)c;

	if (!pc)
		return;
	if (pc->cancel)
		PQfreeCancel(pc->cancel);
	if (pc->pg)
		PQfinish(pc->pg);
	dbm_free(pc->parent.schema);
	dbm_free(pc->parent.user);
	dbm_free(pc->parent.server_version);
	dbm_buf_free(&pc->session);
	dbm_free(pc);
}

/*
 * Puts the session back as it was after connecting, as psql running the
 * next file in a new session would find it: the role and every setting a
 * migration SET (search_path, timeouts, ...) are reset, then dbmigrate's own
 * settings are made again. The advisory lock is not touched. 0 or
 * DBM_ERR_RUN.
 */
static int pgsql_reset_session(struct dbm_conn *c)
{
	struct pgsql_conn *pc = (struct pgsql_conn *)c;
	struct dbm_buf sql = DBM_BUF_INIT;
	int rc;

	/* RESET ALL leaves the role alone: SET SESSION AUTHORIZATION DEFAULT resets it too. */
	if (dbm_buf_adds(&sql, "SET SESSION AUTHORIZATION DEFAULT; RESET ALL; ") < 0 ||
	    dbm_buf_add(&sql, pc->session.ptr, pc->session.len) < 0)
		rc = DBM_ERR_NOMEM;
	else
		rc = pgsql_run(pc, sql.ptr);
	dbm_buf_free(&sql);
	return rc;
}

/* One connect attempt of pgsql_connect. */
struct pgsql_attempt {
	struct pgsql_conn *pc;
	const char *const *keys, *const *vals;
	int withhold; /* the URL is ambiguous: libpq's message is not shown */
};

/*
 * Connects once (closing a failed earlier attempt first). Returns 0;
 * DBM_ERR_RUN with libpq's message, scrubbed of every secret or withheld;
 * DBM_ERR_NOMEM.
 */
static int pgsql_connect_once(void *ctx)
{
	struct pgsql_attempt *a = ctx;
	char text[2048];

	if (a->pc->pg)
		PQfinish(a->pc->pg);
	a->pc->pg = PQconnectdbParams(a->keys, a->vals, 1);
	if (!a->pc->pg)
		return dbm_error_oom();
	if (PQstatus(a->pc->pg) == CONNECTION_OK)
		return 0;
	dbm_drv_lib_text(text, sizeof(text), PQerrorMessage(a->pc->pg), a->withhold);
	dbm_error_set(DBM_ERR_RUN, "cannot connect to PostgreSQL: %s", text);
	dbm_error_set_hint("%s", a->withhold ? DBM_DRV_WITHHELD_HINT
					     : "Check the URL, that the server is running and that the "
					       "user may connect; --connect-retries waits for a server "
					       "that is starting.");
	return DBM_ERR_RUN;
}

/*
 * Connects, retrying connect_retries times with waits of 1 s, 2 s, 4 s ...
 * capped at connect_retries_interval (120 s when not positive). Returns 0
 * and *out; DBM_ERR_USAGE for a URL libpq cannot parse; DBM_ERR_RUN with
 * libpq's last message (never any part of a password); DBM_ERR_NOMEM.
 */
static int pgsql_connect(const struct dbm_conn_opts *o, struct dbm_conn **out)
{
	const char *keys[] = {"client_encoding", "dbname", "fallback_application_name", NULL};
	const char *vals[] = {"UTF8", o->url,
	                      o->application_name ? o->application_name : "dbmigrate", NULL};
	struct pgsql_attempt a;
	int rc;

	*out = NULL;
	memset(&a, 0, sizeof(a));
	a.keys = keys;
	a.vals = vals;
	if ((rc = dbm_drv_secrets(o->url)) < 0)
		return rc;
	a.withhold = rc;
	if ((rc = pgsql_load()) < 0 || (rc = pgsql_parse_url(o->url, a.withhold)) < 0)
		goto done;
	a.pc = dbm_calloc(1, sizeof(*a.pc));
	if (!a.pc) {
		rc = dbm_error_oom();
		goto done;
	}
	a.pc->parent.driver = &dbm_pgsql_driver;
	if ((rc = dbm_drv_connect_with_backoff(o, pgsql_connect_once, NULL, &a)) < 0 ||
	    (rc = pgsql_setup(a.pc, o)) < 0)
		goto done;
	a.pc->cancel = PQgetCancel(a.pc->pg); /* NULL only without memory: no cancel then */
	*out = &a.pc->parent;
	a.pc = NULL;
done:
	pgsql_disconnect(a.pc ? &a.pc->parent : NULL);
	return rc;
}

/*
 * Sends the inline data of a COPY ... FROM STDIN whose PQexec returned
 * PGRES_COPY_IN, ends the copy and reads the outcome. Returns 0 or
 * DBM_ERR_RUN.
 */
static int pgsql_copy_in(struct pgsql_conn *pc, const struct dbm_stmt *s)
{
	const size_t chunk = 1 << 20;
	size_t off = 0, len = s->copy_data ? s->copy_len : 0;
	PGresult *res;
	int rc = 0;

	while (off < len) {
		size_t n = len - off < chunk ? len - off : chunk;

		if (PQputCopyData(pc->pg, s->copy_data + off, (int)n) != 1)
			break;
		off += n;
	}
	if (off == len && len > 0 && s->copy_data[len - 1] != '\n')
		PQputCopyData(pc->pg, "\n", 1);
	PQputCopyEnd(pc->pg, off == len ? NULL : "sending the COPY data failed");
	while ((res = PQgetResult(pc->pg)) != NULL) {
		if (rc == 0 && PQresultStatus(res) != PGRES_COMMAND_OK)
			rc = pgsql_result_error(pc, res, s->sql, s->len);
		PQclear(res);
		if (PQstatus(pc->pg) == CONNECTION_BAD)
			break;
	}
	if (rc == 0 && PQstatus(pc->pg) == CONNECTION_BAD)
		rc = pgsql_lost(pc, NULL);
	return rc;
}

/* Reads and drops the rows of a COPY ... TO STDOUT. Returns 0 or DBM_ERR_RUN. */
static int pgsql_copy_out_drain(struct pgsql_conn *pc)
{
	char *row = NULL;
	PGresult *res;
	int rc = 0;

	while (PQgetCopyData(pc->pg, &row, 0) > 0)
		PQfreemem(row);
	while ((res = PQgetResult(pc->pg)) != NULL) {
		if (rc == 0 && PQresultStatus(res) != PGRES_COMMAND_OK)
			rc = pgsql_result_error(pc, res, NULL, 0);
		PQclear(res);
		if (PQstatus(pc->pg) == CONNECTION_BAD)
			break;
	}
	if (rc == 0 && PQstatus(pc->pg) == CONNECTION_BAD)
		rc = pgsql_lost(pc, NULL);
	return rc;
}

static int pgsql_exec(struct dbm_conn *c, const struct dbm_stmt *s)
{
	struct pgsql_conn *pc = (struct pgsql_conn *)c;
	PGresult *res;
	int rc;

	if ((rc = pgsql_check(pc)) < 0)
		return rc;
	res = (s->flags & DBM_STMT_PARAMS) ? PQexecParams(pc->pg, s->sql, (int)s->nparams, NULL,
	                                                 s->params, NULL, NULL, 0)
	                                   : PQexec(pc->pg, s->sql);
	switch (res ? PQresultStatus(res) : PGRES_FATAL_ERROR) {
	case PGRES_COMMAND_OK:
	case PGRES_TUPLES_OK:
	case PGRES_EMPTY_QUERY:
		break;
	case PGRES_COPY_IN:
		PQclear(res);
		res = NULL;
		if (s->flags & DBM_STMT_COPY_IN)
			return pgsql_copy_in(pc, s);
		/* No inline data: end the copy so the connection stays usable. */
		PQputCopyEnd(pc->pg, "no COPY data follows the statement");
		while ((res = PQgetResult(pc->pg)) != NULL)
			PQclear(res);
		rc = dbm_error_set(DBM_ERR_RUN, "COPY FROM STDIN without data");
		dbm_error_set_hint("Put the data lines after the statement, ended by a line "
		                   "holding only \\., as psql expects.");
		break;
	case PGRES_COPY_OUT:
		PQclear(res);
		res = NULL;
		rc = pgsql_copy_out_drain(pc);
		break;
	default:
		rc = pgsql_result_error(pc, res, s->sql, s->len);
		break;
	}
	PQclear(res);
	return rc;
}

/*
 * Statements of one transaction in one round trip (libpq's pipeline mode,
 * the extended query protocol): every statement is sent, then a Sync, then
 * the results are read in order. The server parses each statement when its
 * turn comes, after the ones before it ran, as with one PQexec each. After
 * a failure it skips the rest up to the Sync (PGRES_PIPELINE_ABORTED) and
 * the transaction is aborted; the caller rolls back. In blocking mode
 * libpq reads what the server sends while its own output does not fit, so
 * a statement that makes the server write much (notices, rows) cannot
 * deadlock the two. Without pipeline support in libpq (before 14) the
 * statements run one at a time.
 */
static int pgsql_exec_batch(struct dbm_conn *c, const struct dbm_stmt *stmts, size_t n,
                            size_t *failed)
{
	struct pgsql_conn *pc = (struct pgsql_conn *)c;
	PGresult *res;
	size_t i, sent;
	int rc, synced = 0;

	*failed = 0;
	if (n == 0)
		return 0;
	if ((rc = pgsql_check(pc)) < 0)
		return rc;
	if (!pgsql_api.pipeline || !PQenterPipelineMode(pc->pg)) {
		for (i = 0; i < n; i++)
			if ((rc = pgsql_exec(c, &stmts[i])) < 0) {
				*failed = i;
				return rc;
			}
		return 0;
	}
	for (sent = 0; sent < n; sent++)
		if (!PQsendQueryParams(pc->pg, stmts[sent].sql,
		                       (stmts[sent].flags & DBM_STMT_PARAMS) ? (int)stmts[sent].nparams
		                                                            : 0,
		                       NULL,
		                       (stmts[sent].flags & DBM_STMT_PARAMS) ? stmts[sent].params
		                                                            : NULL,
		                       NULL, NULL, 0))
			break;
	if (sent < n || !PQpipelineSync(pc->pg)) {
		/* nothing more can be sent: the connection is gone (or memory) */
		*failed = sent < n ? sent : n - 1;
		rc = pgsql_result_error(pc, NULL, NULL, 0);
	}
	/*
	 * Each statement's results end with a NULL; the Sync's result comes
	 * last. i counts the statements whose results are read; the bound
	 * stops the loop should a broken connection only return NULLs.
	 */
	for (i = 0; !synced && i <= n && PQstatus(pc->pg) != CONNECTION_BAD;) {
		res = PQgetResult(pc->pg);
		if (!res) {
			i++;
			continue;
		}
		switch (PQresultStatus(res)) {
		case PGRES_PIPELINE_SYNC:
			synced = 1;
			break;
		case PGRES_COMMAND_OK:
		case PGRES_TUPLES_OK:
		case PGRES_EMPTY_QUERY:
		case PGRES_PIPELINE_ABORTED:
			break;
		default:
			if (rc == 0) {
				*failed = i < n ? i : n - 1;
				rc = pgsql_result_error(pc, res, stmts[*failed].sql, stmts[*failed].len);
			}
			break;
		}
		PQclear(res);
	}
	if (PQstatus(pc->pg) == CONNECTION_BAD || !synced || !PQexitPipelineMode(pc->pg)) {
		if (rc == 0)
			*failed = n - 1;
		return rc < 0 ? rc : pgsql_lost(pc, NULL);
	}
	return rc;
}

static int pgsql_query(struct dbm_conn *c, const char *sql, dbm_row_cb cb, void *ctx)
{
	struct pgsql_conn *pc = (struct pgsql_conn *)c;
	const char **values = NULL;
	PGresult *res;
	size_t nvalues = 0;
	int rc, stop = 0, i, ncols;

	if ((rc = pgsql_check(pc)) < 0)
		return rc;
	/*
	 * Row by row (single-row mode), so that reading a history of many
	 * thousand rows never holds the whole result in memory.
	 */
	if (!PQsendQuery(pc->pg, sql))
		return pgsql_result_error(pc, NULL, sql, strlen(sql));
	PQsetSingleRowMode(pc->pg);
	while ((res = PQgetResult(pc->pg)) != NULL) {
		ExecStatusType st = PQresultStatus(res);

		if (rc == 0 && st != PGRES_SINGLE_TUPLE && st != PGRES_TUPLES_OK &&
		    st != PGRES_COMMAND_OK) {
			rc = pgsql_result_error(pc, res, sql, strlen(sql));
		} else if (rc == 0 && !stop && st == PGRES_SINGLE_TUPLE && cb) {
			ncols = PQnfields(res);
			if ((size_t)ncols > nvalues) {
				const char **v = dbm_realloc(values, (size_t)ncols * sizeof(*values));

				if (!v) {
					rc = dbm_error_oom();
					PQclear(res);
					continue; /* the rest of the result is read and dropped */
				}
				values = v;
				nvalues = (size_t)ncols;
			}
			for (i = 0; i < ncols; i++)
				values[i] = PQgetisnull(res, 0, i) ? NULL : PQgetvalue(res, 0, i);
			stop = cb(ctx, (unsigned)ncols, values);
		}
		PQclear(res);
	}
	if (rc == 0 && PQstatus(pc->pg) == CONNECTION_BAD)
		rc = pgsql_result_error(pc, NULL, sql, strlen(sql));
	dbm_free(values);
	return rc < 0 ? rc : stop;
}

/*
 * One statement with bound parameters (driver.h): PQexecParams, an unnamed
 * statement of the extended protocol (so it also works through a pooler in
 * transaction mode), text values whose types the server infers from where
 * they are used. Returns 0, cb's non-zero value, DBM_ERR_RUN or
 * DBM_ERR_NOMEM.
 */
static int pgsql_exec_params(struct dbm_conn *c, const char *sql, unsigned nparams,
                             const char *const *params, dbm_row_cb cb, void *ctx)
{
	struct pgsql_conn *pc = (struct pgsql_conn *)c;
	const char **values = NULL;
	PGresult *res;
	int rc, stop = 0, row, i, ncols, nrows;

	if ((rc = pgsql_check(pc)) < 0)
		return rc;
	res = PQexecParams(pc->pg, sql, (int)nparams, NULL, params, NULL, NULL, 0);
	if (!res ||
	    (PQresultStatus(res) != PGRES_COMMAND_OK && PQresultStatus(res) != PGRES_TUPLES_OK)) {
		rc = pgsql_result_error(pc, res, sql, strlen(sql));
		goto done;
	}
	ncols = PQnfields(res);
	nrows = PQntuples(res);
	if (!cb || ncols == 0 || nrows == 0)
		goto done;
	values = dbm_calloc((size_t)ncols, sizeof(*values));
	if (!values) {
		rc = dbm_error_oom();
		goto done;
	}
	for (row = 0; row < nrows && !stop; row++) {
		for (i = 0; i < ncols; i++)
			values[i] = PQgetisnull(res, row, i) ? NULL : PQgetvalue(res, row, i);
		stop = cb(ctx, (unsigned)ncols, values);
	}
done:
	PQclear(res);
	dbm_free(values);
	return rc < 0 ? rc : stop;
}

/*
 * The session's string rules (driver.h): standard_conforming_strings as the
 * server last reported it, which libpq keeps (the server reports it after
 * each command that changes it, also when COMMIT reverts a SET LOCAL), as
 * psql asks. Returns 0.
 */
static int pgsql_string_rules(struct dbm_conn *c, struct dbm_string_rules *out)
{
	struct pgsql_conn *pc = (struct pgsql_conn *)c;
	const char *v = PQparameterStatus(pc->pg, "standard_conforming_strings");

	memset(out, 0, sizeof(*out));
	out->backslash_escapes = v && strcmp(v, "off") == 0;
	return 0;
}

/*
 * DBM_EXEC_* flags of a statement (driver.h), as the splitter classified it
 * (sqlsplit_class.c): NO_TX for what PostgreSQL refuses inside a
 * transaction block, TX_CONTROL, SESSION for what may change the session,
 * ALONE for COPY.
 */
static unsigned pgsql_stmt_flags(const struct dbm_stmt *s)
{
	return dbm_stmt_exec_flags(s);
}

/* A stable 64-bit key for the lock of schema.table (FNV-1a). */
static int64_t pgsql_lock_key(const char *schema, const char *table)
{
	uint64_t h = dbm_drv_fnv1a(dbm_drv_fnv1a(dbm_drv_fnv1a(DBM_DRV_FNV_BASIS, schema), "."),
				   table);
	int64_t key;

	memcpy(&key, &h, sizeof(key));
	return key;
}

/*
 * Row callback for pg_try_advisory_lock: sets *ctx to 1 when the lock was
 * taken. Returns 0.
 */
static int pgsql_lock_row(void *ctx, unsigned ncols, const char *const *values)
{
	*(int *)ctx = ncols == 1 && values[0] && strcmp(values[0], "t") == 0;
	return 0;
}

/* Row callback: appends the lock holder's description to the dbm_buf ctx. */
static int pgsql_holder_row(void *ctx, unsigned ncols, const char *const *values)
{
	struct dbm_buf *b = ctx;

	if (ncols < 4 || !values || b->len)
		return 0;
	return dbm_buf_addf(b, "pid %s (application '%s', client %s, since %s)", values[0],
	                    values[1] ? values[1] : "", values[2] ? values[2] : "local socket",
	                    values[3] ? values[3] : "unknown");
}

/*
 * Takes the session-level advisory lock for schema.table, polling
 * pg_try_advisory_lock every 100 ms for up to timeout_s seconds, in
 * autocommit (no transaction is left open). Returns 0; DBM_ERR_LOCK naming
 * the holder; DBM_ERR_RUN; DBM_ERR_NOMEM.
 */
static int pgsql_lock(struct dbm_conn *c, const char *schema, const char *table, int timeout_s)
{
	struct pgsql_conn *pc = (struct pgsql_conn *)c;
	struct dbm_buf holder = DBM_BUF_INIT;
	const char *sch = schema && schema[0] ? schema : c->schema ? c->schema : "public";
	int64_t key = pgsql_lock_key(sch, table ? table : "");
	uint64_t ukey;
	long long deadline = dbm_drv_now_ms() + (long long)(timeout_s > 0 ? timeout_s : 0) * 1000;
	char sql[640];
	int got = 0, rc;

	if (pc->locked)
		return 0;
	snprintf(sql, sizeof(sql), "SELECT pg_try_advisory_lock(%lld)", (long long)key);
	for (;;) {
		if ((rc = pgsql_query(c, sql, pgsql_lock_row, &got)) < 0)
			goto done;
		if (got) {
			pc->locked = 1;
			pc->lock_key = key;
			goto done;
		}
		if (dbm_interrupt_signal()) {
			rc = dbm_error_set(DBM_ERR_INTERRUPTED, "interrupted by %s while waiting for "
			                   "the migration lock", dbm_signal_name(dbm_interrupt_signal()));
			goto done;
		}
		if (dbm_drv_now_ms() >= deadline)
			break;
		dbm_drv_sleep_ms(100);
	}
	memcpy(&ukey, &key, sizeof(ukey));
	snprintf(sql, sizeof(sql),
	         "SELECT l.pid, a.application_name, host(a.client_addr), "
	         "date_trunc('second', a.backend_start) "
	         "FROM pg_locks l LEFT JOIN pg_stat_activity a ON a.pid = l.pid "
	         "WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1 "
	         "AND l.classid = %u AND l.objid = %u "
	         "AND l.database = (SELECT oid FROM pg_database WHERE datname = "
	         "current_database()) LIMIT 1",
	         (unsigned)(ukey >> 32), (unsigned)(ukey & 0xffffffffu));
	if ((rc = pgsql_query(c, sql, pgsql_holder_row, &holder)) < 0)
		goto done;
	rc = dbm_error_set(DBM_ERR_LOCK,
	                   "timed out after %d s waiting for the migration lock on '%s.%s': "
	                   "lock held by %s",
	                   timeout_s, sch, table ? table : "",
	                   holder.len ? holder.ptr : "another session (it has just released it)");
	dbm_error_set_hint("Another dbmigrate is migrating this database; wait for it to finish "
	                   "or raise --lock-timeout.");
done:
	dbm_buf_free(&holder);
	return rc;
}

/*
 * Releases the advisory lock. Returns 0 (also when not held, or when the
 * connection is gone: the server released it with the session) or
 * DBM_ERR_RUN.
 */
static int pgsql_unlock(struct dbm_conn *c)
{
	struct pgsql_conn *pc = (struct pgsql_conn *)c;
	char sql[64];

	if (!pc->locked || pc->lost || !pc->pg || PQstatus(pc->pg) == CONNECTION_BAD) {
		pc->locked = 0;
		return 0;
	}
	pc->locked = 0;
	snprintf(sql, sizeof(sql), "SELECT pg_advisory_unlock(%lld)", (long long)pc->lock_key);
	return pgsql_run(pc, sql);
}

/*
 * The catalog queries of clean, in order; each returns DROP statements for
 * the objects of schema $1 that are still there. No CASCADE: the server
 * itself refuses to drop what an object outside the schema depends on.
 */
static const char *const pgsql_clean_queries[] = {
    /* Foreign keys of the schema's tables first: tables that refer to each other cannot go else. */
    "SELECT format('ALTER TABLE %I.%I DROP CONSTRAINT IF EXISTS %I', n.nspname, c.relname, "
    "k.conname) FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid "
    "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 AND k.contype = 'f' "
    "AND k.conparentid = 0",
    /* Materialized views, views, tables (not partitions: their parent takes them). */
    "SELECT format('DROP %s IF EXISTS %I.%I', CASE c.relkind WHEN 'm' THEN "
    "'MATERIALIZED VIEW' WHEN 'v' THEN 'VIEW' WHEN 'f' THEN 'FOREIGN TABLE' ELSE 'TABLE' END, "
    "n.nspname, c.relname) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
    "WHERE n.nspname = $1 AND c.relkind IN ('m', 'v', 'r', 'p', 'f') AND NOT c.relispartition "
    "AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass "
    "AND d.objid = c.oid AND d.deptype = 'e') "
    "ORDER BY CASE c.relkind WHEN 'm' THEN 0 WHEN 'v' THEN 1 ELSE 2 END, c.relname",
    /* Sequences not owned by a dropped table. */
    "SELECT format('DROP SEQUENCE IF EXISTS %I.%I', n.nspname, c.relname) "
    "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
    "WHERE n.nspname = $1 AND c.relkind = 'S' AND NOT EXISTS (SELECT 1 FROM pg_depend d "
    "WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e')",
    /* Functions, procedures, aggregates, window functions (not a range type's constructors). */
    "SELECT format('DROP %s IF EXISTS %I.%I(%s)', CASE p.prokind WHEN 'p' THEN "
    "'PROCEDURE' WHEN 'a' THEN 'AGGREGATE' ELSE 'FUNCTION' END, n.nspname, p.proname, "
    "pg_get_function_identity_arguments(p.oid)) FROM pg_proc p "
    "JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = $1 "
    "AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_proc'::regclass "
    "AND d.objid = p.oid AND d.deptype IN ('i', 'e')) "
    "ORDER BY CASE p.prokind WHEN 'a' THEN 0 ELSE 1 END",
    /* Domains, enums, ranges, composite and base types (array types go with them). */
    "SELECT format('DROP %s IF EXISTS %I.%I', CASE t.typtype WHEN 'd' THEN 'DOMAIN' "
    "ELSE 'TYPE' END, n.nspname, t.typname) FROM pg_type t "
    "JOIN pg_namespace n ON n.oid = t.typnamespace WHERE n.nspname = $1 "
    "AND t.typtype IN ('d', 'e', 'r', 'b', 'c') AND NOT (t.typtype = 'b' AND t.typelem <> 0 "
    "AND EXISTS (SELECT 1 FROM pg_type e WHERE e.oid = t.typelem AND e.typarray = t.oid)) "
    "AND (t.typtype <> 'c' OR (SELECT c.relkind FROM pg_class c WHERE c.oid = t.typrelid) = 'c') "
    "AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_type'::regclass "
    "AND d.objid = t.oid AND d.deptype = 'e') "
    "ORDER BY CASE t.typtype WHEN 'd' THEN 0 ELSE 1 END",
    /* Collations, text search configurations. */
    "SELECT format('DROP COLLATION IF EXISTS %I.%I', n.nspname, c.collname) "
    "FROM pg_collation c JOIN pg_namespace n ON n.oid = c.collnamespace WHERE n.nspname = $1",
    "SELECT format('DROP TEXT SEARCH CONFIGURATION IF EXISTS %I.%I', n.nspname, "
    "c.cfgname) FROM pg_ts_config c JOIN pg_namespace n ON n.oid = c.cfgnamespace "
    "WHERE n.nspname = $1",
    /* Extensions installed into the schema, last: what of theirs the schema used is gone. */
    "SELECT format('DROP EXTENSION IF EXISTS %I', e.extname) FROM pg_extension e "
    "JOIN pg_namespace n ON n.oid = e.extnamespace WHERE n.nspname = $1",
};

/*
 * Objects outside schema $1 that depend on an object in it (a view, a
 * foreign key, a column of its type or with a default calling its
 * function, a trigger, a policy, an extension's objects elsewhere), as
 * pg_describe_object says them. An object of an unknown kind counts as
 * outside.
 */
static const char pgsql_clean_outside_sql[] =
    "WITH s AS (SELECT oid FROM pg_namespace WHERE nspname = $1), "
    "inside AS (SELECT 'pg_class'::regclass AS cls, c.oid FROM pg_class c, s "
    "WHERE c.relnamespace = s.oid "
    "UNION ALL SELECT 'pg_type'::regclass, t.oid FROM pg_type t, s WHERE t.typnamespace = s.oid "
    "UNION ALL SELECT 'pg_proc'::regclass, p.oid FROM pg_proc p, s WHERE p.pronamespace = s.oid "
    "UNION ALL SELECT 'pg_collation'::regclass, c.oid FROM pg_collation c, s "
    "WHERE c.collnamespace = s.oid "
    "UNION ALL SELECT 'pg_ts_config'::regclass, c.oid FROM pg_ts_config c, s "
    "WHERE c.cfgnamespace = s.oid "
    "UNION ALL SELECT 'pg_extension'::regclass, e.oid FROM pg_extension e, s "
    "WHERE e.extnamespace = s.oid), "
    "dep AS (SELECT d.classid, d.objid, d.objsubid, CASE d.classid "
    "WHEN 'pg_class'::regclass THEN (SELECT relnamespace FROM pg_class WHERE oid = d.objid) "
    "WHEN 'pg_type'::regclass THEN (SELECT typnamespace FROM pg_type WHERE oid = d.objid) "
    "WHEN 'pg_proc'::regclass THEN (SELECT pronamespace FROM pg_proc WHERE oid = d.objid) "
    "WHEN 'pg_constraint'::regclass THEN (SELECT coalesce(nullif(c.connamespace, 0), "
    "r.relnamespace) FROM pg_constraint c LEFT JOIN pg_class r ON r.oid = c.conrelid "
    "WHERE c.oid = d.objid) "
    "WHEN 'pg_attrdef'::regclass THEN (SELECT r.relnamespace FROM pg_attrdef a "
    "JOIN pg_class r ON r.oid = a.adrelid WHERE a.oid = d.objid) "
    "WHEN 'pg_rewrite'::regclass THEN (SELECT r.relnamespace FROM pg_rewrite w "
    "JOIN pg_class r ON r.oid = w.ev_class WHERE w.oid = d.objid) "
    "WHEN 'pg_trigger'::regclass THEN (SELECT r.relnamespace FROM pg_trigger g "
    "JOIN pg_class r ON r.oid = g.tgrelid WHERE g.oid = d.objid) "
    "WHEN 'pg_policy'::regclass THEN (SELECT r.relnamespace FROM pg_policy o "
    "JOIN pg_class r ON r.oid = o.polrelid WHERE o.oid = d.objid) "
    "WHEN 'pg_collation'::regclass THEN (SELECT collnamespace FROM pg_collation "
    "WHERE oid = d.objid) "
    "WHEN 'pg_ts_config'::regclass THEN (SELECT cfgnamespace FROM pg_ts_config "
    "WHERE oid = d.objid) "
    "WHEN 'pg_operator'::regclass THEN (SELECT oprnamespace FROM pg_operator WHERE oid = d.objid) "
    "WHEN 'pg_extension'::regclass THEN (SELECT extnamespace FROM pg_extension "
    "WHERE oid = d.objid) "
    "WHEN 'pg_opclass'::regclass THEN (SELECT opcnamespace FROM pg_opclass WHERE oid = d.objid) "
    "WHEN 'pg_opfamily'::regclass THEN (SELECT opfnamespace FROM pg_opfamily "
    "WHERE oid = d.objid) "
    "WHEN 'pg_amop'::regclass THEN (SELECT f.opfnamespace FROM pg_amop a "
    "JOIN pg_opfamily f ON f.oid = a.amopfamily WHERE a.oid = d.objid) "
    "WHEN 'pg_amproc'::regclass THEN (SELECT f.opfnamespace FROM pg_amproc a "
    "JOIN pg_opfamily f ON f.oid = a.amprocfamily WHERE a.oid = d.objid) END AS nsp "
    "FROM pg_depend d JOIN inside i ON i.cls = d.refclassid AND i.oid = d.refobjid "
    "WHERE d.deptype IN ('n', 'a') "
    /* what an extension of the schema brought (casts, operator classes) goes with it */
    "AND NOT EXISTS (SELECT 1 FROM pg_depend x JOIN pg_extension e ON e.oid = x.refobjid "
    "JOIN s ON s.oid = e.extnamespace WHERE x.classid = d.classid AND x.objid = d.objid "
    "AND x.refclassid = 'pg_extension'::regclass AND x.deptype = 'e')) "
    "SELECT DISTINCT pg_describe_object(dep.classid, dep.objid, dep.objsubid) FROM dep, s "
    "WHERE dep.nsp IS DISTINCT FROM s.oid AND dep.nsp IS DISTINCT FROM 'pg_toast'::regnamespace "
    "ORDER BY 1 LIMIT 21";

/*
 * Runs one clean query for schema and appends each DROP it returns,
 * NUL-terminated, to out. Returns 0, DBM_ERR_RUN or DBM_ERR_NOMEM.
 */
static int pgsql_clean_step(struct pgsql_conn *pc, const char *query, const char *schema,
                            struct dbm_buf *out)
{
	const char *params[1] = {schema};
	PGresult *res = PQexecParams(pc->pg, query, 1, NULL, params, NULL, NULL, 0);
	int rc = 0, r;

	if (!res || PQresultStatus(res) != PGRES_TUPLES_OK) {
		rc = pgsql_result_error(pc, res, NULL, 0);
		goto done;
	}
	for (r = 0; r < PQntuples(res) && rc == 0; r++)
		rc = dbm_buf_add(out, PQgetvalue(res, r, 0), strlen(PQgetvalue(res, r, 0)) + 1);
done:
	PQclear(res);
	return rc;
}

/*
 * Refuses to clean schema when objects outside it depend on objects in it.
 * Returns 0; DBM_ERR_USAGE naming them (up to 20); DBM_ERR_RUN.
 */
static int pgsql_clean_outside(struct pgsql_conn *pc, const char *schema)
{
	struct dbm_buf names = DBM_BUF_INIT;
	int rc = pgsql_clean_step(pc, pgsql_clean_outside_sql, schema, &names);
	size_t off;
	int n = 0;

	if (rc < 0 || names.len == 0)
		goto done;
	rc = dbm_error_set(DBM_ERR_USAGE, "objects outside schema '%s' depend on it: clean would "
	                                  "change or drop them", schema);
	for (off = 0; off < names.len; off += strlen(names.ptr + off) + 1) {
		if (++n > 20) {
			dbm_error_add_detail("and more");
			break;
		}
		dbm_error_add_detail("%s", names.ptr + off);
	}
	dbm_error_set_hint("Drop or change those objects first (or clean their schemas too); "
	                   "nothing was dropped.");
done:
	dbm_buf_free(&names);
	return rc;
}

/*
 * Runs the DROP statements in stmts (each NUL-terminated) without CASCADE,
 * in passes, each under a savepoint: one the server refuses because
 * another object still depends on it (2BP01) is tried again in the next
 * pass, after what it waited for is gone. Returns 0; the server's error
 * when a pass drops nothing more (the dependency it names is one clean
 * must not break); DBM_ERR_RUN or DBM_ERR_NOMEM.
 */
static int pgsql_clean_drop(struct pgsql_conn *pc, struct dbm_buf *stmts)
{
	struct dbm_buf next = DBM_BUF_INIT, tmp;
	size_t off;
	int rc = 0, progress = 1;

	while (rc == 0 && stmts->len && progress) {
		progress = 0;
		dbm_buf_clear(&next);
		for (off = 0; off < stmts->len && rc == 0; off += strlen(stmts->ptr + off) + 1) {
			const char *sql = stmts->ptr + off;

			if ((rc = pgsql_run(pc, "SAVEPOINT dbm_clean")) < 0)
				break;
			rc = pgsql_run(pc, sql);
			if (rc == 0) {
				progress = 1;
				rc = pgsql_run(pc, "RELEASE SAVEPOINT dbm_clean");
				continue;
			}
			if (strcmp(dbm_error_last()->sqlstate, "2BP01") != 0 || pc->lost)
				break;
			if ((rc = pgsql_run(pc, "ROLLBACK TO SAVEPOINT dbm_clean")) < 0)
				break;
			rc = dbm_buf_add(&next, sql, strlen(sql) + 1);
		}
		tmp = *stmts;
		*stmts = next;
		next = tmp;
	}
	if (rc == 0 && stmts->len) {
		/* run the first one again for the server's own words on what is in the way */
		rc = pgsql_run(pc, stmts->ptr);
		if (rc == 0)
			rc = dbm_error_set(DBM_ERR_RUN, "clean could not drop every object");
		dbm_error_set_hint("Something outside the schema depends on it; drop or change that "
		                   "first. Nothing was dropped.");
	}
	dbm_buf_free(&next);
	return rc;
}

/*
 * Drops every object in schema (or the connection's schema when NULL) one
 * by one from the catalog, in one transaction, keeping the schema itself
 * with its owner and grants. Refuses system schemas and a schema that
 * objects outside it depend on (driver.h). Returns 0, DBM_ERR_USAGE,
 * DBM_ERR_RUN (everything rolled back) or DBM_ERR_NOMEM.
 */
static int pgsql_clean(struct dbm_conn *c, const char *schema)
{
	struct pgsql_conn *pc = (struct pgsql_conn *)c;
	const char *sch = schema && schema[0] ? schema : c->schema;
	struct dbm_buf stmts = DBM_BUF_INIT;
	size_t i;
	int rc;

	if (!sch || strncasecmp(sch, "pg_", 3) == 0 || strcasecmp(sch, "information_schema") == 0) {
		dbm_error_set(DBM_ERR_USAGE, "clean refuses system schema '%s'", sch ? sch : "");
		dbm_error_set_hint("Name the application's schema with --schema.");
		return DBM_ERR_USAGE;
	}
	if ((rc = pgsql_run(pc, "BEGIN")) < 0)
		return rc;
	rc = pgsql_clean_outside(pc, sch);
	/* every statement in one list: a domain's check may call a function, and so on */
	for (i = 0; i < DBM_ARRAY_SIZE(pgsql_clean_queries) && rc == 0; i++)
		rc = pgsql_clean_step(pc, pgsql_clean_queries[i], sch, &stmts);
	if (rc == 0)
		rc = pgsql_clean_drop(pc, &stmts);
	dbm_buf_free(&stmts);
	if (rc == 0)
		return pgsql_run(pc, "COMMIT");
	if (!pc->lost) {
		struct dbm_error saved;

		dbm_error_save(&saved);
		pgsql_run(pc, "ROLLBACK");
		dbm_error_restore(&saved);
	}
	return rc;
}

/*
 * What the last statements left open (driver.h), from libpq's record of
 * the server's last ReadyForQuery: no round trip. Returns enum dbm_tx_state.
 */
static int pgsql_tx_state(struct dbm_conn *c, char *what, size_t n)
{
	struct pgsql_conn *pc = (struct pgsql_conn *)c;

	if (pc->lost || !pc->pg)
		return DBM_TX_IDLE;
	switch (PQtransactionStatus(pc->pg)) {
	case PQTRANS_INTRANS:
		snprintf(what, n, "a transaction");
		return DBM_TX_OPEN;
	case PQTRANS_INERROR:
		snprintf(what, n, "a transaction aborted by an error");
		return DBM_TX_FAILED;
	default:
		return DBM_TX_IDLE;
	}
}

/* Rolls back the open transaction, savepoints included. 0 or DBM_ERR_RUN. */
static int pgsql_tx_abort(struct dbm_conn *c)
{
	return pgsql_run((struct pgsql_conn *)c, "ROLLBACK");
}

/*
 * 55P04 (unsafe_new_enum_value_usage): psql, running the file one
 * statement at a time, would have applied it. Returns enum dbm_err_kind.
 */
static int pgsql_classify_error(const struct dbm_error *e)
{
	return strcmp(e->sqlstate, "55P04") == 0 ? DBM_ERRK_RETRY_NO_TX : DBM_ERRK_PLAIN;
}

/*
 * Sends a cancel request for the running statement (PQcancel, safe from
 * another thread and from a signal handler). Returns 0 or -1.
 */
static int pgsql_cancel(struct dbm_conn *c)
{
	struct pgsql_conn *pc = (struct pgsql_conn *)c;
	char err[256];

	if (!pc->cancel)
		return -1;
	return PQcancel(pc->cancel, err, (int)sizeof(err)) ? 0 : -1;
}

const struct dbm_driver dbm_pgsql_driver = {
    .name = "postgresql",
    .schemes = pgsql_schemes,
    .dialect = DBM_DIALECT_PGSQL,
    .caps = DBM_CAP_TX_DDL | DBM_CAP_SCHEMAS | DBM_CAP_SESSION_FLAGS | DBM_CAP_BATCH_PARAMS,
    .client_version = pgsql_client_version,
    .connect = pgsql_connect,
    .disconnect = pgsql_disconnect,
    .exec = pgsql_exec,
    .exec_batch = pgsql_exec_batch,
    .query = pgsql_query,
    .exec_params = pgsql_exec_params,
    .reset_session = pgsql_reset_session,
    .stmt_flags = pgsql_stmt_flags,
    .string_rules = pgsql_string_rules,
    .lock = pgsql_lock,
    .unlock = pgsql_unlock,
    .clean = pgsql_clean,
    .dump = dbm_pgsql_dump,
    .tx_state = pgsql_tx_state,
    .tx_abort = pgsql_tx_abort,
    .classify_error = pgsql_classify_error,
    .cancel = pgsql_cancel,
};
