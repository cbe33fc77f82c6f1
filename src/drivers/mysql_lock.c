/*
 * mysql_lock.c - the MySQL driver's runner lock (mysqldrv.h), in two ways:
 * GET_LOCK() on a single server, and a lock row in a table on a Galera
 * cluster, where GET_LOCK is local to one node and certification lets only
 * one node commit the row. The row is a lease (drvcommon.h): it carries an
 * expiry that the shared heartbeat thread, on a connection of its own,
 * pushes forward, so that a runner that was killed frees the lock a minute
 * later at most. That thread never touches the last error. See
 * docs/drivers/mysql.md.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "mysqldrv.h"

#define MYSQLDRV_MAX_NAME 64 /* GET_LOCK name and identifier limit */

/*
 * The seed of the lock-name hash: FNV-1a with this basis (not FNV's own)
 * since the first release; changing it would rename the lock, and two
 * versions of dbmigrate would no longer exclude each other.
 */
#define MYSQLDRV_HASH_BASIS 1469598103934665603ULL

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
		unsigned long long h = dbm_drv_fnv1a(MYSQLDRV_HASH_BASIS, b.ptr);

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
	c->busy = 1; /* a signal cancels the wait with KILL QUERY */
	rc = mysqldrv_query_value(c, sql.ptr, &v);
	c->busy = 0;
	if (dbm_interrupt_signal() && !(v && strcmp(v, "1") == 0)) {
		rc = dbm_error_set(DBM_ERR_INTERRUPTED,
		                   "interrupted by %s while waiting for the "
		                   "migration lock",
		                   dbm_signal_name(dbm_interrupt_signal()));
		goto done;
	}
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

/* One heartbeat: pushes the lock row's expiry forward; errors only let it expire. */
static void mysqldrv_heartbeat(void *arg)
{
	struct mysqldrv_conn *c = arg;

	if (mysql_real_query(c->hb_my, c->hb_sql, (unsigned long)strlen(c->hb_sql)) == 0) {
		MYSQL_RES *res = mysql_store_result(c->hb_my);

		if (res)
			mysql_free_result(res);
	}
}

/* Stops the heartbeat thread and closes its connection; no-op when none runs. */
void mysqldrv_heartbeat_stop(struct mysqldrv_conn *c)
{
	dbm_drv_heartbeat_stop(&c->hb);
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
	                   DBM_DRV_LEASE_EXPIRY_S);
	rc = DBM_ERR_LOCK;
done:
	mysqldrv_free_row(row);
	dbm_buf_free(&sql);
	return rc;
}

/* What one attempt at the lock row needs. */
struct mysqldrv_lock_try_ctx {
	struct mysqldrv_conn *c;
	const struct dbm_buf *del, *ins;
};

/*
 * One attempt at the lock row: deletes it when past its expiry (its runner
 * died), then inserts ours. Returns 0 when ours is in; 1 when it is held
 * (duplicate key) or a conflict (deadlock: certification; lock wait) asks
 * for another try; DBM_ERR_RUN otherwise.
 */
static int mysqldrv_lock_try(void *arg)
{
	struct mysqldrv_lock_try_ctx *t = arg;
	int rc, code;

	rc = mysqldrv_run(t->c, t->c->my, t->del->ptr, t->del->len);
	if (rc == 0)
		rc = mysqldrv_run(t->c, t->c->my, t->ins->ptr, t->ins->len);
	if (rc == 0)
		return 0;
	code = dbm_error_last()->server_code;
	if (code != ER_DUP_ENTRY && code != ER_LOCK_DEADLOCK && code != ER_LOCK_WAIT_TIMEOUT)
		return rc;
	return 1;
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
	struct mysqldrv_lock_try_ctx lt;
	char hostname[256] = "";
	int rc;

	gethostname(hostname, sizeof(hostname) - 1);
	if (dbm_drv_lock_table(&tname, table, MYSQLDRV_MAX_NAME) < 0)
		goto oom;
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
	                 c->lock_table, DBM_DRV_LEASE_EXPIRY_S, lit.ptr, tok_lit.ptr) < 0)
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
	                 DBM_DRV_LEASE_EXPIRY_S) < 0)
		goto oom;
	lt.c = c;
	lt.del = &del;
	lt.ins = &ins;
	rc = dbm_drv_lease_take(mysqldrv_lock_try, &lt, timeout_s);
	if (rc == DBM_ERR_LOCK)
		rc = mysqldrv_table_lock_busy(c, lit.ptr, timeout_s);
	if (rc < 0)
		goto fail;
	dbm_error_clear();
	rc = dbm_drv_heartbeat_start(&c->hb, mysqldrv_heartbeat, c);
	if (rc < 0)
		goto fail_held;
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
int mysqldrv_lock(struct dbm_conn *conn, const char *schema, const char *table, int timeout_s)
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
int mysqldrv_unlock(struct dbm_conn *conn)
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
		if (rc < 0 && dbm_error_last()->server_code == ER_NO_SUCH_TABLE) {
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
