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
 * The library loading, the errors, the lock and clean live beside this
 * file (pgsqldrv.h lists them).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dbmigrate/secret.h"
#include "drivers/dump.h"
#include "pgsqldrv.h"

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
 * Runs sql on the connection and expects no rows or discards them.
 * Returns 0 or the error of pgsqldrv_result_error.
 */
int pgsqldrv_run(struct pgsql_conn *pc, const char *sql)
{
	PGresult *res;
	int rc = 0;

	if ((rc = pgsqldrv_check(pc)) < 0)
		return rc;
	res = PQexec(pc->pg, sql);
	if (!res ||
	    (PQresultStatus(res) != PGRES_COMMAND_OK && PQresultStatus(res) != PGRES_TUPLES_OK))
		rc = pgsqldrv_result_error(pc, res, sql, strlen(sql));
	PQclear(res);
	return rc;
}

/*
 * Runs "SET name = 'Ns'" for a positive number of seconds. 0 or the error
 * of pgsqldrv_run.
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

	if (pgsqldrv_load() < 0)
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
		dbm_error_set_hint("%s", withhold
		                             ? DBM_DRV_WITHHELD_HINT
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
	/* Through a pooler nothing is set for the session: the settings go in each transaction. */
	if (pc->pooled && (rc = pgsqldrv_pool_settings(pc, o)) < 0)
		goto done;
	if (!pc->pooled &&
	    (rc = dbm_buf_adds(&pc->session, "SET client_min_messages = warning")) < 0)
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
		if (!pc->pooled &&
		    ((rc = dbm_buf_adds(&pc->session, "; SET search_path TO ")) < 0 ||
		     (rc = pgsql_add_ident(&pc->session, o->schema)) < 0))
			goto done;
		pc->parent.schema = dbm_strdup(o->schema);
	} else {
		res = PQexec(pc->pg, "SELECT current_schema()");
		if (!res || PQresultStatus(res) != PGRES_TUPLES_OK) {
			rc = pgsqldrv_result_error(pc, res, NULL, 0);
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
	if (pc->pooled)
		goto done;
	if ((rc = pgsql_set_seconds(pc, "statement_timeout", o->statement_timeout)) < 0 ||
	    (rc = pgsql_set_seconds(pc, "lock_timeout", o->ddl_lock_timeout)) < 0)
		goto done;
	rc = pgsqldrv_run(pc, pc->session.ptr);
done:
	PQclear(res);
	return rc;
}

static void pgsql_disconnect(struct dbm_conn *c)
{
	struct pgsql_conn *pc = (struct pgsql_conn *)c;

	if (!pc)
		return;
	if (pc->lease_table) {
		static struct dbm_error saved; /* static: too large for every stack */

		dbm_error_save(&saved);
		pgsqldrv_lease_unlock(pc);
		dbm_error_restore(&saved);
	}
	if (pc->cancel)
		PQfreeCancel(pc->cancel);
	if (pc->pg)
		PQfinish(pc->pg);
	dbm_free(pc->parent.schema);
	dbm_free(pc->parent.user);
	dbm_free(pc->parent.server_version);
	dbm_buf_free(&pc->session);
	dbm_buf_free(&pc->local);
	dbm_free(pc->url);
	dbm_free(pc);
}

/*
 * Puts the session back as it was after connecting, as psql running the
 * next file in a new session would find it: the role and every setting a
 * migration SET (search_path, timeouts, ...) are reset, then dbmigrate's own
 * settings are made again. The advisory lock is not touched. Through a
 * pooler there is no session of ours to put back: the next statement may
 * run on any server session, and dbmigrate's settings come with each
 * transaction. 0 or DBM_ERR_RUN.
 */
static int pgsql_reset_session(struct dbm_conn *c)
{
	struct pgsql_conn *pc = (struct pgsql_conn *)c;
	struct dbm_buf sql = DBM_BUF_INIT;
	int rc;

	if (pc->pooled)
		return 0;
	/* RESET ALL leaves the role alone: SET SESSION AUTHORIZATION DEFAULT resets it too. */
	if (dbm_buf_adds(&sql, "SET SESSION AUTHORIZATION DEFAULT; RESET ALL; ") < 0 ||
	    dbm_buf_add(&sql, pc->session.ptr, pc->session.len) < 0)
		rc = DBM_ERR_NOMEM;
	else
		rc = pgsqldrv_run(pc, sql.ptr);
	dbm_buf_free(&sql);
	return rc;
}

/* reset_session for a script (driver.h): the same two statements, nothing to keep. */
static int pgsql_reset_session_sql(struct dbm_buf *setup, struct dbm_buf *reset)
{
	static const char text[] = "SET SESSION AUTHORIZATION DEFAULT\0RESET ALL";

	(void)setup;
	return dbm_buf_add(reset, text, sizeof(text));
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
	dbm_error_set_hint("%s", a->withhold
	                             ? DBM_DRV_WITHHELD_HINT
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
	char *clean = NULL;
	int rc, pooled, lease;

	*out = NULL;
	memset(&a, 0, sizeof(a));
	a.keys = keys;
	a.vals = vals;
	if ((rc = dbm_drv_secrets(o->url)) < 0)
		return rc;
	a.withhold = rc;
	/* pgbouncer= and lock= are dbmigrate's: libpq would refuse them */
	if ((rc = pgsqldrv_url_options(o->url, &clean, &pooled, &lease)) < 0)
		return rc;
	if (clean)
		vals[1] = clean;
	if ((rc = pgsqldrv_load()) < 0 || (rc = pgsql_parse_url(vals[1], a.withhold)) < 0)
		goto done;
	a.pc = dbm_calloc(1, sizeof(*a.pc));
	if (!a.pc) {
		rc = dbm_error_oom();
		goto done;
	}
	a.pc->parent.driver = &dbm_pgsql_driver;
	a.pc->pooled = pooled;
	a.pc->lease = lease;
	a.pc->url = dbm_strdup(vals[1]);
	if (!a.pc->url) {
		rc = dbm_error_oom();
		goto done;
	}
	if ((rc = dbm_drv_connect_with_backoff(o, pgsql_connect_once, NULL, &a)) < 0 ||
	    (rc = pgsql_setup(a.pc, o)) < 0)
		goto done;
	a.pc->cancel = PQgetCancel(a.pc->pg); /* NULL only without memory: no cancel then */
	*out = &a.pc->parent;
	a.pc = NULL;
done:
	pgsql_disconnect(a.pc ? &a.pc->parent : NULL);
	dbm_free(clean);
	return rc;
}

/*
 * Reads the results that end a COPY, the first failure setting the error
 * (sql/len, when given, for its position). Returns 0, DBM_ERR_RUN, or the
 * lost-connection error when the connection broke.
 */
static int pgsql_copy_end(struct pgsql_conn *pc, const char *sql, size_t len)
{
	PGresult *res;
	int rc = 0;

	while ((res = PQgetResult(pc->pg)) != NULL) {
		if (rc == 0 && PQresultStatus(res) != PGRES_COMMAND_OK)
			rc = pgsqldrv_result_error(pc, res, sql, len);
		PQclear(res);
		if (PQstatus(pc->pg) == CONNECTION_BAD)
			break;
	}
	if (rc == 0 && PQstatus(pc->pg) == CONNECTION_BAD)
		rc = pgsqldrv_lost(pc, NULL);
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

	while (off < len) {
		size_t n = len - off < chunk ? len - off : chunk;

		if (PQputCopyData(pc->pg, s->copy_data + off, (int)n) != 1)
			break;
		off += n;
	}
	if (off == len && len > 0 && s->copy_data[len - 1] != '\n')
		PQputCopyData(pc->pg, "\n", 1);
	PQputCopyEnd(pc->pg, off == len ? NULL : "sending the COPY data failed");
	return pgsql_copy_end(pc, s->sql, s->len);
}

/* Reads and drops the rows of a COPY ... TO STDOUT. Returns 0 or DBM_ERR_RUN. */
static int pgsql_copy_out_drain(struct pgsql_conn *pc)
{
	char *row = NULL;

	while (PQgetCopyData(pc->pg, &row, 0) > 0)
		PQfreemem(row);
	return pgsql_copy_end(pc, NULL, 0);
}

/* Runs one statement (driver.h exec) as it is. */
static int pgsql_exec_one(struct pgsql_conn *pc, const struct dbm_stmt *s)
{
	PGresult *res;
	int rc;

	if ((rc = pgsqldrv_check(pc)) < 0)
		return rc;
	res = (s->flags & DBM_STMT_PARAMS)
	          ? PQexecParams(pc->pg, s->sql, (int)s->nparams, NULL, s->params, NULL, NULL, 0)
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
		rc = pgsqldrv_result_error(pc, res, s->sql, s->len);
		break;
	}
	PQclear(res);
	return rc;
}

/*
 * Runs one statement (driver.h); through a pooler with dbmigrate's settings
 * in its transaction. A BEGIN under the advisory lock is followed by the
 * check that no other server session holds the lock (pgsqldrv_lock_check_sql).
 */
static int pgsql_exec(struct dbm_conn *c, const struct dbm_stmt *s)
{
	struct pgsql_conn *pc = (struct pgsql_conn *)c;
	char check[512];
	int rc;

	if (pc->pooled)
		return pgsqldrv_pool_exec(pc, s, pgsql_exec_one);
	rc = pgsql_exec_one(pc, s);
	if (rc == 0 && pgsqldrv_is_begin(s) && pgsqldrv_lock_check_sql(pc, check, sizeof(check)) &&
	    PQtransactionStatus(pc->pg) == PQTRANS_INTRANS) {
		rc = pgsqldrv_run(pc, check);
		if (rc < 0 && strcmp(dbm_error_last()->sqlstate, "22012") == 0)
			rc = pgsqldrv_lock_lost();
	}
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
static int pgsql_exec_batch_run(struct dbm_conn *c, const struct dbm_stmt *stmts, size_t n,
                                size_t *failed)
{
	struct pgsql_conn *pc = (struct pgsql_conn *)c;
	PGresult *res;
	size_t i, sent;
	int rc, synced = 0;

	*failed = 0;
	if (n == 0)
		return 0;
	if ((rc = pgsqldrv_check(pc)) < 0)
		return rc;
	/* Through a pooler with settings to give, each BEGIN is followed by them: one at a time. */
	if (!pgsqldrv_lib.optional_all || (pc->pooled && pc->local.len) ||
	    !PQenterPipelineMode(pc->pg)) {
		for (i = 0; i < n; i++)
			if ((rc = pgsql_exec(c, &stmts[i])) < 0) {
				*failed = i;
				return rc;
			}
		return 0;
	}
	for (sent = 0; sent < n; sent++)
		if (!PQsendQueryParams(
		        pc->pg, stmts[sent].sql,
		        (stmts[sent].flags & DBM_STMT_PARAMS) ? (int)stmts[sent].nparams : 0, NULL,
		        (stmts[sent].flags & DBM_STMT_PARAMS) ? stmts[sent].params : NULL, NULL,
		        NULL, 0))
			break;
	if (sent < n || !PQpipelineSync(pc->pg)) {
		/* nothing more can be sent: the connection is gone (or memory) */
		*failed = sent < n ? sent : n - 1;
		rc = pgsqldrv_result_error(pc, NULL, NULL, 0);
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
				rc = pgsqldrv_result_error(pc, res, stmts[*failed].sql,
				                           stmts[*failed].len);
			}
			break;
		}
		PQclear(res);
	}
	if (PQstatus(pc->pg) == CONNECTION_BAD || !synced || !PQexitPipelineMode(pc->pg)) {
		if (rc == 0)
			*failed = n - 1;
		return rc < 0 ? rc : pgsqldrv_lost(pc, NULL);
	}
	return rc;
}

/*
 * exec_batch (driver.h): pgsql_exec_batch_run, with the check that this
 * server session holds the advisory lock sent right after a leading BEGIN,
 * in the same round trip; a failed check is reported as the BEGIN's.
 */
static int pgsql_exec_batch(struct dbm_conn *c, const struct dbm_stmt *stmts, size_t n,
                            size_t *failed)
{
	struct pgsql_conn *pc = (struct pgsql_conn *)c;
	struct dbm_stmt *v;
	char check[512];
	int rc;

	if (pc->pooled || n == 0 || !pgsqldrv_is_begin(&stmts[0]) ||
	    !pgsqldrv_lock_check_sql(pc, check, sizeof(check)))
		return pgsql_exec_batch_run(c, stmts, n, failed);
	v = dbm_calloc(n + 1, sizeof(*v));
	if (!v)
		return dbm_error_oom();
	v[0] = stmts[0];
	v[1].sql = check;
	v[1].len = strlen(check);
	v[1].line = stmts[0].line;
	memcpy(v + 2, stmts + 1, (n - 1) * sizeof(*v));
	rc = pgsql_exec_batch_run(c, v, n + 1, failed);
	if (rc < 0 && *failed == 1 && strcmp(dbm_error_last()->sqlstate, "22012") == 0)
		rc = pgsqldrv_lock_lost();
	if (rc < 0)
		*failed = *failed > 1 ? *failed - 1 : 0;
	dbm_free(v);
	return rc;
}

int pgsqldrv_query(struct dbm_conn *c, const char *sql, dbm_row_cb cb, void *ctx)
{
	struct pgsql_conn *pc = (struct pgsql_conn *)c;
	const char **values = NULL;
	PGresult *res;
	size_t nvalues = 0;
	int rc, stop = 0, i, ncols;

	if ((rc = pgsqldrv_check(pc)) < 0)
		return rc;
	/*
	 * Row by row (single-row mode), so that reading a history of many
	 * thousand rows never holds the whole result in memory.
	 */
	if (!PQsendQuery(pc->pg, sql))
		return pgsqldrv_result_error(pc, NULL, sql, strlen(sql));
	PQsetSingleRowMode(pc->pg);
	while ((res = PQgetResult(pc->pg)) != NULL) {
		ExecStatusType st = PQresultStatus(res);

		if (rc == 0 && st != PGRES_SINGLE_TUPLE && st != PGRES_TUPLES_OK &&
		    st != PGRES_COMMAND_OK) {
			rc = pgsqldrv_result_error(pc, res, sql, strlen(sql));
		} else if (rc == 0 && !stop && st == PGRES_SINGLE_TUPLE && cb) {
			ncols = PQnfields(res);
			if ((size_t)ncols > nvalues) {
				const char **v =
				    dbm_realloc(values, (size_t)ncols * sizeof(*values));

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
		rc = pgsqldrv_result_error(pc, NULL, sql, strlen(sql));
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

	if ((rc = pgsqldrv_check(pc)) < 0)
		return rc;
	res = PQexecParams(pc->pg, sql, (int)nparams, NULL, params, NULL, NULL, 0);
	if (!res ||
	    (PQresultStatus(res) != PGRES_COMMAND_OK && PQresultStatus(res) != PGRES_TUPLES_OK)) {
		rc = pgsqldrv_result_error(pc, res, sql, strlen(sql));
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
	return pgsqldrv_run((struct pgsql_conn *)c, "ROLLBACK");
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
/*
 * The schema dump (driver.h): dbm_pgsql_dump sets the search path that
 * decides how the deparsers qualify names, then asks many queries. Through
 * a pooler they would run on whatever server session comes, so they run in
 * one read-only transaction there, which keeps one session.
 */
static int pgsql_dump(struct dbm_conn *c, const char *schema, const char *history_table,
                      struct dbm_schema *out)
{
	struct pgsql_conn *pc = (struct pgsql_conn *)c;
	struct dbm_error saved;
	int rc;

	if (!pc->pooled)
		return dbm_pgsql_dump(c, schema, history_table, out);
	rc = pgsqldrv_run(pc, "BEGIN READ ONLY");
	if (rc < 0)
		return rc;
	rc = dbm_pgsql_dump(c, schema, history_table, out);
	if (rc == 0)
		return pgsqldrv_run(pc, "COMMIT");
	dbm_error_save(&saved);
	pgsqldrv_run(pc, "ROLLBACK");
	dbm_error_restore(&saved);
	return rc;
}

/*
 * 1 when the server is a hot standby (driver.h), which takes no writes:
 * pg_is_in_recovery(). Returns 1, 0, DBM_ERR_RUN or DBM_ERR_NOMEM.
 */
static int pgsql_recovery_row(void *ctx, unsigned ncols, const char *const *values)
{
	*(int *)ctx = ncols == 1 && values[0] && strcmp(values[0], "t") == 0;
	return 0;
}

static int pgsql_read_only(struct dbm_conn *c, char *what, size_t n)
{
	int standby = 0;
	int rc = pgsqldrv_query(c, "SELECT pg_is_in_recovery()", pgsql_recovery_row, &standby);

	if (rc < 0)
		return rc;
	if (standby)
		snprintf(what, n, "a hot standby: pg_is_in_recovery() is true");
	return standby;
}

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
    .identity_sql = "SELECT current_database() || '@' || coalesce(inet_server_port(), 0) || "
                    "'/' || pg_postmaster_start_time()",
    .client_version = pgsql_client_version,
    .connect = pgsql_connect,
    .disconnect = pgsql_disconnect,
    .exec = pgsql_exec,
    .exec_batch = pgsql_exec_batch,
    .query = pgsqldrv_query,
    .exec_params = pgsql_exec_params,
    .reset_session = pgsql_reset_session,
    .reset_session_sql = pgsql_reset_session_sql,
    .stmt_flags = pgsql_stmt_flags,
    .string_rules = pgsql_string_rules,
    .lock = pgsqldrv_lock,
    .unlock = pgsqldrv_unlock,
    .clean = pgsqldrv_clean,
    .clean_script = pgsqldrv_clean_script,
    .dump = pgsql_dump,
    .tx_state = pgsql_tx_state,
    .tx_abort = pgsql_tx_abort,
    .classify_error = pgsql_classify_error,
    .cancel = pgsql_cancel,
    .read_only = pgsql_read_only,
};
