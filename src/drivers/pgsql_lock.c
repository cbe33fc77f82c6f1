/*
 * pgsql_lock.c - the runner lock (pgsqldrv.h): a session-level advisory
 * lock taken with pg_try_advisory_lock on the migration connection itself,
 * outside any transaction, so statements such as CREATE INDEX CONCURRENTLY
 * that wait for other transactions never wait on the lock holder (see
 * docs/drivers/postgresql.md). With lock=table or pgbouncer=true the lock is
 * a lease row instead (pgsql_pool.c).
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "pgsqldrv.h"

/* A stable 64-bit key for the lock of schema.table (FNV-1a). */
static int64_t pgsql_lock_key(const char *schema, const char *table)
{
	uint64_t h =
	    dbm_drv_fnv1a(dbm_drv_fnv1a(dbm_drv_fnv1a(DBM_DRV_FNV_BASIS, schema), "."), table);
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
int pgsqldrv_lock(struct dbm_conn *c, const char *schema, const char *table, int timeout_s)
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
	/* Through a pooler (lock=table, pgbouncer=true) a session lock would not hold: a lease. */
	if (pc->lease)
		return pgsqldrv_lease_lock(pc, sch, table ? table : "", timeout_s);
	/*
	 * pg_try_advisory_lock succeeds again in the session that holds the
	 * lock: through a pooler that the URL does not declare, that session
	 * may be another runner's. A session that holds it already is taken as
	 * busy, so two runners never both think they hold it (and each
	 * transaction then checks that no other session holds it:
	 * pgsqldrv_lock_check_sql).
	 */
	memcpy(&ukey, &key, sizeof(ukey));
	snprintf(
	    sql, sizeof(sql),
	    "SELECT CASE WHEN EXISTS (SELECT 1 FROM pg_catalog.pg_locks WHERE locktype = "
	    "'advisory' AND granted AND pid = pg_catalog.pg_backend_pid() AND classid = %u AND "
	    "objid = %u AND objsubid = 1) THEN false ELSE pg_try_advisory_lock(%lld) END",
	    (unsigned)(ukey >> 32), (unsigned)(ukey & 0xffffffffu), (long long)key);
	for (;;) {
		if ((rc = pgsqldrv_query(c, sql, pgsql_lock_row, &got)) < 0)
			goto done;
		if (got) {
			pc->locked = 1;
			pc->lock_key = key;
			goto done;
		}
		if (dbm_interrupt_signal()) {
			rc = dbm_error_set(DBM_ERR_INTERRUPTED,
			                   "interrupted by %s while waiting for "
			                   "the migration lock",
			                   dbm_signal_name(dbm_interrupt_signal()));
			goto done;
		}
		if (dbm_drv_now_ms() >= deadline)
			break;
		dbm_drv_sleep_ms(100);
	}
	snprintf(sql, sizeof(sql),
	         "SELECT l.pid, a.application_name, host(a.client_addr), "
	         "date_trunc('second', a.backend_start) "
	         "FROM pg_locks l LEFT JOIN pg_stat_activity a ON a.pid = l.pid "
	         "WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1 "
	         "AND l.classid = %u AND l.objid = %u "
	         "AND l.database = (SELECT oid FROM pg_database WHERE datname = "
	         "current_database()) LIMIT 1",
	         (unsigned)(ukey >> 32), (unsigned)(ukey & 0xffffffffu));
	if ((rc = pgsqldrv_query(c, sql, pgsql_holder_row, &holder)) < 0)
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
int pgsqldrv_unlock(struct dbm_conn *c)
{
	struct pgsql_conn *pc = (struct pgsql_conn *)c;
	char sql[64];

	/* a lease goes on its own connection, also when the migration's broke */
	if (pc->lease_table)
		return pgsqldrv_lease_unlock(pc);
	if (!pc->locked || pc->lost || !pc->pg || PQstatus(pc->pg) == CONNECTION_BAD) {
		pc->locked = 0;
		return 0;
	}
	pc->locked = 0;
	snprintf(sql, sizeof(sql), "SELECT pg_advisory_unlock(%lld)", (long long)pc->lock_key);
	return pgsqldrv_run(pc, sql);
}
