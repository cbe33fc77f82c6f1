/*
 * pgsql_pool.c - the PostgreSQL driver behind a transaction-pooling
 * PgBouncer (pgsqldrv.h): the URL parameters that say so (pgbouncer=,
 * lock=), taken out before libpq sees the URL; the lease lock, a row with an
 * expiry that the shared heartbeat (drvcommon.h) keeps, on a connection of
 * its own, in place of the session-level advisory lock that does not
 * survive from one transaction to the next; and the settings given with
 * SET LOCAL in each transaction instead of once for a session the pool does
 * not keep. Without pgbouncer=true, each transaction dbmigrate begins under
 * the advisory lock first checks that its server session holds the lock,
 * which is how a pooler that was not declared shows. See
 * docs/drivers/postgresql.md.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "dbmigrate/secret.h"
#include "pgsqldrv.h"

#define PGSQL_POOL_STR2(x) #x
#define PGSQL_POOL_STR(x) PGSQL_POOL_STR2(x)

/* 1 when s (n bytes) is a yes ("true", "1", "yes", "on"), 0 a no, -1 neither. */
static int pgsql_pool_bool(const char *s, size_t n)
{
	static const char *const yes[] = {"true", "1", "yes", "on"};
	static const char *const no[] = {"false", "0", "no", "off"};
	size_t i;

	for (i = 0; i < 4; i++) {
		if (strlen(yes[i]) == n && strncasecmp(s, yes[i], n) == 0)
			return 1;
		if (strlen(no[i]) == n && strncasecmp(s, no[i], n) == 0)
			return 0;
	}
	return -1;
}

int pgsqldrv_url_options(const char *url, char **clean, int *pooled, int *lease)
{
	struct dbm_buf out = DBM_BUF_INIT;
	const char *q, *p, *at, *scheme_end = strstr(url, "://");
	int first = 1;

	*clean = NULL;
	*pooled = *lease = 0;
	/* key=value conninfo strings carry no such parameters; libpq reads them unchanged */
	if (!scheme_end ||
	    (strncmp(url, "postgres://", 11) != 0 && strncmp(url, "postgresql://", 13) != 0))
		return 0;
	at = strrchr(scheme_end, '@');
	q = strchr(at ? at : scheme_end, '?');
	if (!q)
		return 0;
	if (dbm_buf_add(&out, url, (size_t)(q - url)) < 0)
		goto oom;
	for (p = q + 1; *p;) {
		size_t len = strcspn(p, "&#"), klen = strcspn(p, "=&#");
		const char *v = p + klen + (klen < len ? 1 : 0);
		size_t vlen = len - (size_t)(v - p);
		int b;

		if (klen == 9 && strncmp(p, "pgbouncer", 9) == 0) {
			if ((b = pgsql_pool_bool(v, vlen)) < 0)
				goto bad;
			*pooled = b;
		} else if (klen == 4 && strncmp(p, "lock", 4) == 0) {
			if (vlen == 5 && strncasecmp(v, "table", 5) == 0)
				*lease = 1;
			else if (vlen == 8 && strncasecmp(v, "advisory", 8) == 0)
				*lease = 0;
			else
				goto bad_lock;
		} else if (len > 0) {
			if (dbm_buf_addc(&out, first ? '?' : '&') < 0 ||
			    dbm_buf_add(&out, p, len) < 0)
				goto oom;
			first = 0;
		}
		p += len;
		if (*p == '#') {
			if (dbm_buf_adds(&out, p) < 0)
				goto oom;
			break;
		}
		if (*p == '&')
			p++;
	}
	if (*pooled)
		*lease = 1;
	*clean = dbm_buf_detach(&out);
	return *clean ? 0 : dbm_error_oom();
bad:
	dbm_buf_free(&out);
	dbm_error_set(DBM_ERR_USAGE,
	              "invalid value of the URL parameter pgbouncer: use true or false");
	dbm_error_set_hint("pgbouncer=true says that the URL goes through PgBouncer (or another "
	                   "pooler) in transaction pooling mode.");
	return DBM_ERR_USAGE;
bad_lock:
	dbm_buf_free(&out);
	dbm_error_set(DBM_ERR_USAGE,
	              "invalid value of the URL parameter lock: use advisory or table");
	dbm_error_set_hint("lock=table takes the runner lock as a row in <table>_lock, which works "
	                   "through a transaction-pooling PgBouncer; lock=advisory (the default) "
	                   "takes a session-level advisory lock.");
	return DBM_ERR_USAGE;
oom:
	dbm_buf_free(&out);
	return dbm_error_oom();
}

int pgsqldrv_pool_settings(struct pgsql_conn *pc, const struct dbm_conn_opts *o)
{
	struct dbm_buf *b = &pc->local;

	if (o->schema && o->schema[0] &&
	    (dbm_buf_adds(b, "SET LOCAL search_path TO ") < 0 ||
	     dbm_drv_quote_ident(b, o->schema, '"') < 0 || dbm_buf_adds(b, "; ") < 0))
		return dbm_error_oom();
	if (o->statement_timeout > 0 &&
	    dbm_buf_addf(b, "SET LOCAL statement_timeout = '%ds'; ", o->statement_timeout) < 0)
		return dbm_error_oom();
	if (o->ddl_lock_timeout > 0 &&
	    dbm_buf_addf(b, "SET LOCAL lock_timeout = '%ds'; ", o->ddl_lock_timeout) < 0)
		return dbm_error_oom();
	return 0;
}

/* The first keyword of s, comments and white space skipped: *kw and its length. */
static size_t pgsql_pool_keyword(const struct dbm_stmt *s, const char **kw)
{
	const char *p = s->sql, *end = s->sql + s->len, *w;

	for (;;) {
		while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
			p++;
		if (end - p >= 2 && p[0] == '-' && p[1] == '-') {
			while (p < end && *p != '\n')
				p++;
			continue;
		}
		if (end - p >= 2 && p[0] == '/' && p[1] == '*') {
			const char *c = strstr(p + 2, "*/");

			p = c && c < end ? c + 2 : end;
			continue;
		}
		break;
	}
	for (w = p; w < end && ((*w >= 'a' && *w <= 'z') || (*w >= 'A' && *w <= 'Z')); w++)
		;
	*kw = p;
	return (size_t)(w - p);
}

/* 1 when the keyword kw (n bytes) is word, in any letter case. */
static int pgsql_pool_is(const char *kw, size_t n, const char *word)
{
	return n == strlen(word) && strncasecmp(kw, word, n) == 0;
}

int pgsqldrv_is_begin(const struct dbm_stmt *s)
{
	const char *kw;
	size_t n = pgsql_pool_keyword(s, &kw);

	return pgsql_pool_is(kw, n, "begin") || pgsql_pool_is(kw, n, "start");
}

/* 1 when s ends or undoes a transaction block (COMMIT, END, ROLLBACK, ABORT). */
static int pgsql_pool_is_end(const struct dbm_stmt *s)
{
	const char *kw;
	size_t n = pgsql_pool_keyword(s, &kw);

	return pgsql_pool_is(kw, n, "commit") || pgsql_pool_is(kw, n, "end") ||
	       pgsql_pool_is(kw, n, "rollback") || pgsql_pool_is(kw, n, "abort");
}

int pgsqldrv_pool_exec(struct pgsql_conn *pc, const struct dbm_stmt *s,
                       int (*exec)(struct pgsql_conn *pc, const struct dbm_stmt *s))
{
	unsigned f = dbm_stmt_exec_flags(s);
	struct dbm_error saved;
	int rc;

	/*
	 * Told by the text, not the flags: dbmigrate's own BEGIN and COMMIT come
	 * without the splitter's classification.
	 */
	if (!pc->local.len || PQtransactionStatus(pc->pg) != PQTRANS_IDLE || pgsql_pool_is_end(s))
		return exec(pc, s);
	if (pgsqldrv_is_begin(s)) {
		rc = exec(pc, s);
		/* the settings hold in the transaction just begun, and end with it */
		if (rc == 0 && PQtransactionStatus(pc->pg) == PQTRANS_INTRANS)
			rc = pgsqldrv_run(pc, pc->local.ptr);
		return rc;
	}
	/*
	 * Outside a transaction a statement would run with whatever the pool's
	 * server session has: give it a transaction of its own with the
	 * settings, as it had anyway. What cannot run in one (CREATE INDEX
	 * CONCURRENTLY) and COPY go alone.
	 */
	if ((f & (DBM_EXEC_NO_TX | DBM_EXEC_ALONE | DBM_EXEC_TX_CONTROL)) ||
	    (s->flags & DBM_STMT_COPY_IN))
		return exec(pc, s);
	rc = pgsqldrv_run(pc, "BEGIN");
	if (rc == 0)
		rc = pgsqldrv_run(pc, pc->local.ptr);
	if (rc == 0)
		rc = exec(pc, s);
	if (rc == 0)
		return pgsqldrv_run(pc, "COMMIT");
	if (!pc->lost && PQtransactionStatus(pc->pg) != PQTRANS_IDLE) {
		dbm_error_save(&saved);
		pgsqldrv_run(pc, "ROLLBACK");
		dbm_error_restore(&saved);
	}
	return rc;
}

int pgsqldrv_lock_check_sql(const struct pgsql_conn *pc, char *buf, size_t n)
{
	if (!pc->locked || pc->lease)
		return 0;
	/*
	 * A division by zero when another server session holds the lock: a
	 * shared transaction-level request on the same key conflicts only with
	 * another session's exclusive lock (one's own never conflict), is
	 * released at the end of the transaction, and costs one lock-table
	 * lookup, where reading pg_locks would cost a scan of every lock.
	 */
	snprintf(buf, n, "SELECT 1 / pg_catalog.pg_try_advisory_xact_lock_shared(%lld)::int",
	         (long long)pc->lock_key);
	return 1;
}

int pgsqldrv_lock_lost(void)
{
	dbm_error_set(DBM_ERR_RUN, "this server session does not hold the migration lock that "
	                           "dbmigrate took on its connection");
	dbm_error_set_detail("A session-level lock stays with one server session; the transaction "
	                     "just begun runs on another one, so other runners are not kept out.");
	dbm_error_set_hint("dbmigrate seems to go through a pooler in transaction pooling mode "
	                   "(PgBouncer): add pgbouncer=true to the URL, or connect to the server "
	                   "directly. Nothing of this migration was applied.");
	return DBM_ERR_RUN;
}

/* The lease's statements; $1 the lock name, $2 the holder token. */
#define PGSQL_LEASE_COLUMNS                                                                        \
	"(lock_name text PRIMARY KEY, holder text NOT NULL, host text NOT NULL, pid bigint NOT "   \
	"NULL, acquired_at timestamptz NOT NULL, expires_at timestamptz NOT NULL)"

/* One heartbeat: pushes the row's expiry forward on the heartbeat connection; errors only let it
 * expire. */
static void pgsql_lease_beat(void *arg)
{
	struct pgsql_conn *pc = arg;
	const char *params[2] = {pc->lease_name, pc->lease_holder};
	PGresult *res = PQexecParams(pc->hb_pg, pc->lease_beat_sql, 2, NULL, params, NULL, NULL, 0);

	PQclear(res);
}

/* Runs sql with the lease's name and holder bound on pg; 0, or its error (not set: the caller's).
 */
static int pgsql_lease_exec(struct pgsql_conn *pc, const char *sql, int *rows)
{
	const char *params[4];
	char pid[32];
	PGresult *res;
	int rc = 0;

	snprintf(pid, sizeof(pid), "%ld", (long)getpid());
	params[0] = pc->lease_name;
	params[1] = pc->lease_holder;
	params[2] = pc->lease_host;
	params[3] = pid;
	if ((rc = pgsqldrv_check(pc)) < 0)
		return rc;
	res = PQexecParams(pc->pg, sql,
	                   strstr(sql, "$3")   ? 4
	                   : strstr(sql, "$1") ? 2
	                                       : 0,
	                   NULL, params, NULL, NULL, 0);
	if (!res ||
	    (PQresultStatus(res) != PGRES_COMMAND_OK && PQresultStatus(res) != PGRES_TUPLES_OK))
		rc = pgsqldrv_result_error(pc, res, sql, strlen(sql));
	else if (rows)
		*rows = PQntuples(res);
	PQclear(res);
	return rc;
}

/* SQLSTATEs after which another attempt may succeed: a race with another runner. */
static int pgsql_lease_retryable(void)
{
	static const char *const states[] = {"23505", "42P07", "40001", "40P01", "55P03"};
	const char *st = dbm_error_last()->sqlstate;
	size_t i;

	for (i = 0; i < sizeof(states) / sizeof(states[0]); i++)
		if (strcmp(st, states[i]) == 0)
			return 1;
	return 0;
}

/*
 * One attempt at the lease: the table made when missing (another runner
 * may make it at the same time: that is a retry), a row past its expiry
 * deleted (its runner died), ours inserted unless a row is there. Returns
 * 0 when ours is in, 1 to try again, DBM_ERR_RUN.
 */
static int pgsql_lease_try(void *arg)
{
	struct pgsql_conn *pc = arg;
	int rows = 0, rc;

	if (!pc->lease_ready) {
		rc = pgsql_lease_exec(pc, pc->lease_create_sql, NULL);
		if (rc < 0 && strcmp(dbm_error_last()->sqlstate, "3F000") == 0) {
			/* --schema names a schema made later by the history: make it now */
			rc = pgsql_lease_exec(pc, pc->lease_schema_sql, NULL);
			if (rc == 0)
				rc = pgsql_lease_exec(pc, pc->lease_create_sql, NULL);
		}
		if (rc < 0)
			return pgsql_lease_retryable() ? 1 : rc;
		pc->lease_ready = 1;
	}
	rc = pgsql_lease_exec(pc, pc->lease_delete_sql, NULL);
	if (rc == 0)
		rc = pgsql_lease_exec(pc, pc->lease_insert_sql, &rows);
	if (rc < 0)
		return pgsql_lease_retryable() ? 1 : rc;
	return rows == 1 ? 0 : 1;
}

/* Describes the holder of the lease into the last error. Returns DBM_ERR_LOCK, or the query's
 * error. */
static int pgsql_lease_busy(struct pgsql_conn *pc, int timeout_s)
{
	const char *params[1] = {pc->lease_name};
	PGresult *res;
	struct dbm_buf sql = DBM_BUF_INIT;
	int rc;

	if (dbm_buf_addf(&sql,
	                 "SELECT host, pid, holder, to_char(acquired_at AT TIME ZONE 'UTC', "
	                 "'YYYY-MM-DD HH24:MI:SS'), ceil(extract(epoch FROM expires_at - "
	                 "clock_timestamp()))::bigint FROM %s WHERE lock_name = $1",
	                 pc->lease_table) < 0)
		return dbm_error_oom();
	res = PQexecParams(pc->pg, sql.ptr, 1, NULL, params, NULL, NULL, 0);
	if (!res || PQresultStatus(res) != PGRES_TUPLES_OK) {
		rc = pgsqldrv_result_error(pc, res, sql.ptr, sql.len);
		goto done;
	}
	if (PQntuples(res) == 1)
		dbm_error_set(
		    DBM_ERR_LOCK,
		    "cannot acquire the lock '%s' within %d s: held by process %s on host "
		    "'%s' (%s) since %s UTC, expires in %s s",
		    pc->lease_name, timeout_s, PQgetvalue(res, 0, 1), PQgetvalue(res, 0, 0),
		    PQgetvalue(res, 0, 2), PQgetvalue(res, 0, 3), PQgetvalue(res, 0, 4));
	else
		dbm_error_set(
		    DBM_ERR_LOCK,
		    "cannot acquire the lock '%s' within %d s: another runner kept taking it",
		    pc->lease_name, timeout_s);
	dbm_error_set_hint("Another dbmigrate is migrating this database; wait for it or raise "
	                   "--lock-timeout. A runner that died frees the lock %d s after its last "
	                   "heartbeat.",
	                   DBM_DRV_LEASE_EXPIRY_S);
	rc = DBM_ERR_LOCK;
done:
	PQclear(res);
	dbm_buf_free(&sql);
	return rc;
}

/* Frees the record of the lease (not the row). */
static void pgsql_lease_forget(struct pgsql_conn *pc)
{
	dbm_free(pc->lease_table);
	dbm_free(pc->lease_name);
	dbm_free(pc->lease_holder);
	dbm_free(pc->lease_host);
	dbm_free(pc->lease_create_sql);
	dbm_free(pc->lease_schema_sql);
	dbm_free(pc->lease_delete_sql);
	dbm_free(pc->lease_insert_sql);
	dbm_free(pc->lease_beat_sql);
	pc->lease_table = pc->lease_name = pc->lease_holder = pc->lease_host = NULL;
	pc->lease_create_sql = pc->lease_schema_sql = pc->lease_delete_sql = NULL;
	pc->lease_insert_sql = pc->lease_beat_sql = NULL;
	pc->lease_ready = 0;
}

/* Appends sql formatted with the lease table's name in place of each %s to *out. */
static int pgsql_lease_sql(char **out, const char *fmt, const char *table)
{
	struct dbm_buf b = DBM_BUF_INIT;

	if (dbm_buf_addf(&b, fmt, table, table) < 0)
		return dbm_error_oom();
	*out = dbm_buf_detach(&b);
	return *out ? 0 : dbm_error_oom();
}

int pgsqldrv_lease_lock(struct pgsql_conn *pc, const char *schema, const char *table, int timeout_s)
{
	struct dbm_buf b = DBM_BUF_INIT;
	char host[256] = "";
	int rc = DBM_ERR_NOMEM;

	gethostname(host, sizeof(host) - 1);
	if (dbm_drv_quote_ident(&b, schema, '"') < 0 || dbm_buf_addc(&b, '.') < 0)
		goto oom;
	{
		struct dbm_buf t = DBM_BUF_INIT;

		if (dbm_drv_lock_table(&t, table, 0) < 0 ||
		    dbm_drv_quote_ident(&b, t.ptr, '"') < 0) {
			dbm_buf_free(&t);
			goto oom;
		}
		dbm_buf_free(&t);
	}
	pc->lease_table = dbm_buf_detach(&b);
	if (!pc->lease_table || dbm_buf_addf(&b, "dbmigrate:%s.%s", schema, table) < 0)
		goto oom;
	pc->lease_name = dbm_buf_detach(&b);
	if (!pc->lease_name ||
	    dbm_buf_addf(&b, "%s:%ld:%lld", host, (long)getpid(), dbm_drv_now_ms()) < 0)
		goto oom;
	pc->lease_holder = dbm_buf_detach(&b);
	pc->lease_host = dbm_strdup(host);
	if (!pc->lease_holder || !pc->lease_host ||
	    dbm_buf_adds(&b, "CREATE SCHEMA IF NOT EXISTS ") < 0 ||
	    dbm_drv_quote_ident(&b, schema, '"') < 0)
		goto oom;
	pc->lease_schema_sql = dbm_buf_detach(&b);
	if (!pc->lease_schema_sql ||
	    pgsql_lease_sql(&pc->lease_create_sql,
	                    "CREATE TABLE IF NOT EXISTS %s " PGSQL_LEASE_COLUMNS,
	                    pc->lease_table) < 0 ||
	    pgsql_lease_sql(&pc->lease_delete_sql,
	                    "DELETE FROM %s WHERE lock_name = $1 AND holder <> $2 AND expires_at < "
	                    "clock_timestamp()",
	                    pc->lease_table) < 0 ||
	    pgsql_lease_sql(&pc->lease_insert_sql,
	                    "INSERT INTO %s VALUES ($1, $2, $3, $4::bigint, clock_timestamp(), "
	                    "clock_timestamp() + interval '" PGSQL_POOL_STR(
	                        DBM_DRV_LEASE_EXPIRY_S) " seconds') ON CONFLICT (lock_name) DO "
	                                                "NOTHING RETURNING 1",
	                    pc->lease_table) < 0 ||
	    pgsql_lease_sql(
	        &pc->lease_beat_sql,
	        "UPDATE %s SET expires_at = clock_timestamp() + interval '" PGSQL_POOL_STR(
	            DBM_DRV_LEASE_EXPIRY_S) " seconds' WHERE lock_name = $1 AND holder = $2",
	        pc->lease_table) < 0)
		goto fail;

	/* The heartbeat's connection first: without it the lease would expire under us. */
	{
		const char *keys[] = {"client_encoding", "dbname", "fallback_application_name",
		                      NULL};
		const char *vals[] = {"UTF8", pc->url, "dbmigrate", NULL};

		pc->hb_pg = PQconnectdbParams(keys, vals, 1);
	}
	if (!pc->hb_pg || PQstatus(pc->hb_pg) != CONNECTION_OK) {
		char text[1024];

		dbm_drv_lib_text(text, sizeof(text),
		                 pc->hb_pg ? PQerrorMessage(pc->hb_pg) : "out of memory",
		                 dbm_url_is_ambiguous(pc->url));
		rc = dbm_error_set(DBM_ERR_RUN, "cannot open the lock's heartbeat connection: %s",
		                   text);
		goto fail;
	}
	rc = dbm_drv_lease_take(pgsql_lease_try, pc, timeout_s);
	if (rc == DBM_ERR_LOCK)
		rc = pgsql_lease_busy(pc, timeout_s);
	if (rc < 0)
		goto fail;
	dbm_error_clear();
	rc = dbm_drv_heartbeat_start(&pc->hb, pgsql_lease_beat, pc);
	if (rc < 0) {
		struct dbm_error saved;

		dbm_error_save(&saved);
		pgsqldrv_lease_unlock(pc);
		dbm_error_restore(&saved);
		return rc;
	}
	pc->locked = 1;
	return 0;
oom:
	dbm_buf_free(&b);
	rc = dbm_error_oom();
fail:
	if (pc->hb_pg) {
		PQfinish(pc->hb_pg);
		pc->hb_pg = NULL;
	}
	pgsql_lease_forget(pc);
	return rc;
}

int pgsqldrv_lease_unlock(struct pgsql_conn *pc)
{
	char *sql = NULL;
	int rc = 0;

	dbm_drv_heartbeat_stop(&pc->hb);
	pc->locked = 0;
	if (!pc->lease_table)
		return 0;
	/*
	 * The row goes on the heartbeat's connection, which is there even when
	 * the migration's broke; clean may have dropped the table (42P01).
	 */
	if (pc->hb_pg && PQstatus(pc->hb_pg) == CONNECTION_OK &&
	    pgsql_lease_sql(&sql, "DELETE FROM %s WHERE lock_name = $1 AND holder = $2",
	                    pc->lease_table) == 0) {
		const char *params[2] = {pc->lease_name, pc->lease_holder};
		PGresult *res = PQexecParams(pc->hb_pg, sql, 2, NULL, params, NULL, NULL, 0);
		const char *st = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;

		if (!res || (PQresultStatus(res) != PGRES_COMMAND_OK &&
		             !(st && strcmp(st, "42P01") == 0))) {
			char text[1024];

			dbm_drv_lib_text(
			    text, sizeof(text),
			    res ? PQresultErrorMessage(res) : PQerrorMessage(pc->hb_pg), 0);
			rc = dbm_error_set(DBM_ERR_RUN, "cannot release the lock '%s': %s",
			                   pc->lease_name, text);
		}
		PQclear(res);
	}
	dbm_free(sql);
	if (pc->hb_pg) {
		PQfinish(pc->hb_pg);
		pc->hb_pg = NULL;
	}
	pgsql_lease_forget(pc);
	return rc;
}
