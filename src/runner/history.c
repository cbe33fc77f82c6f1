/*
 * history.c - the one owner of the history table in the database
 * (history.h beside this file).
 *
 * Each operation builds its statement with sqlgen.h twice over: with
 * placeholders and the values in a struct dbm_sql_args for the driver to
 * bind when it runs, or with literal values when the session is a dry run
 * and the statement is only printed. The rows read come to the core's
 * history model (dbm_history_add_text), which checks each strictly.
 */
#include <limits.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "dbmigrate/sqlgen.h"
#include "dbmigrate/version.h"
#include "output/output.h"
#include "runner/runner.h"

/* Collects history rows from the driver's query. */
static int hist_row(void *ctx, unsigned ncols, const char *const *values)
{
	struct dbm_history *h = ctx;

	return dbm_history_add_text(h, ncols, values) < 0 ? -1 : 0;
}

static int hist_exists_row(void *ctx, unsigned ncols, const char *const *values)
{
	(void)ncols;
	(void)values;
	*(int *)ctx = 1;
	return 0;
}

/*
 * Runs s->sql with the values in s->hist_args, rows to cb; in dry-run
 * prints the statement built with literals in lit instead (lit NULL: a
 * read, which also runs in dry-run). Returns 0, cb's value, or the error.
 */
static int hist_run(struct dbm_session *s, const struct dbm_buf *lit, dbm_row_cb cb, void *ctx)
{
	if (s->dry_run && lit) {
		dbm_dry_sql(s, lit->ptr, lit->len);
		return 0;
	}
	dbm_out_debug("%s", s->sql.ptr);
	return s->driver->exec_params(s->conn, s->sql.ptr, s->hist_args.n, s->hist_args.v, cb, ctx);
}

int dbm_hist_read(struct dbm_session *s)
{
	const struct dbm_config *cfg = s->cfg;
	int r, max;

	r = dbm_sql_history_exists(s->dialect, s->schema, cfg->table, &s->hist_args, &s->sql);
	if (r < 0)
		return r;
	s->history_exists = 0;
	r = hist_run(s, NULL, hist_exists_row, &s->history_exists);
	if (r < 0)
		return r;
	if (s->history_exists) {
		r = dbm_sql_history_select(s->dialect, s->schema, cfg->table, &s->sql);
		if (r < 0)
			return r;
		dbm_out_debug("%s", s->sql.ptr);
		/* no values to bind: the plain query reads the rows one at a time */
		r = s->conn->driver->query(s->conn, s->sql.ptr, hist_row, &s->history);
		if (r < 0) {
			struct dbm_error *e = dbm_error_last();

			if (e->klass == DBM_ERR_RUN && !e->hint[0])
				dbm_error_set_hint(
				    "Check that '%s' is a history table with Flyway's "
				    "columns, or choose another name with --table.",
				    cfg->table);
			return e->klass ? e->klass : DBM_ERR_RUN;
		}
		r = dbm_history_sort(&s->history);
		if (r < 0)
			return r;
	}
	/* no +1 on an int that may be INT_MAX: dbm_hist_insert refuses past it */
	max = dbm_history_max_rank(&s->history);
	s->next_rank = (long long)(max > 0 ? max : 0) + 1;
	return 0;
}

/* "<table>_snapshot" into out (cleared). 0 or DBM_ERR_NOMEM. */
static int hist_snapshot_name(const struct dbm_session *s, struct dbm_buf *out)
{
	dbm_buf_clear(out);
	return dbm_buf_addf(out, "%s_snapshot", s->cfg->table);
}

/* Creates the snapshot table when missing. 0 or the statement's error. */
static int hist_snapshot_create(struct dbm_session *s)
{
	struct dbm_buf name = DBM_BUF_INIT;
	int r = hist_snapshot_name(s, &name);

	if (r == 0)
		r = dbm_sql_snapshot_create(s->dialect, s->schema, name.ptr, &s->sql);
	if (r == 0)
		r = dbm_session_exec(s, s->sql.ptr);
	dbm_buf_free(&name);
	return r;
}

int dbm_hist_create(struct dbm_session *s)
{
	const struct dbm_config *cfg = s->cfg;
	/* a dry run prints the transaction too: its script does what the run does */
	int tx = (s->driver->caps & DBM_CAP_TX_DDL) != 0;
	int r = 0;

	if (s->history_exists)
		return 0;
	if (s->dry_run)
		dbm_dry_comment(s, "the history table %s, which does not exist yet", cfg->table);
	if (tx)
		r = dbm_session_exec(s, dbm_sql_begin(s->dialect));
	if (r == 0 && s->schema && (s->driver->caps & DBM_CAP_SCHEMAS)) {
		r = dbm_sql_create_schema(s->dialect, s->schema, &s->sql);
		if (r == 0)
			r = dbm_session_exec(s, s->sql.ptr);
	}
	if (r == 0)
		r = dbm_sql_history_create(s->dialect, s->schema, cfg->table, &s->sql);
	if (r == 0)
		r = dbm_session_exec(s, s->sql.ptr);
	dbm_failpoint("history_table_created");
	if (r == 0)
		r = dbm_sql_history_index(s->dialect, s->schema, cfg->table, &s->sql);
	if (r == 0)
		r = dbm_session_exec(s, s->sql.ptr);
	/*
	 * The snapshot table comes with the history (and in a dry run's script,
	 * so that its replay makes the same tables): a history with an empty
	 * snapshot table is one whose snapshot is still to be taken, a history
	 * without one was made before snapshots and waits for repair
	 * --accept-drift.
	 */
	if (r == 0)
		r = hist_snapshot_create(s);
	if (r == 0 && tx)
		r = dbm_session_exec(s, dbm_sql_commit(s->dialect));
	if (r < 0) {
		if (tx)
			dbm_session_rollback(s);
		return r;
	}
	if (!s->dry_run)
		dbm_out_debug("created history table %s", cfg->table);
	s->history_exists = 1;
	return 0;
}

/*
 * Gives row the next rank and its installed_by, and checks what the table
 * would refuse or read back wrong. Returns 0; DBM_ERR_RUN when the rank
 * would pass the INT column's maximum; DBM_ERR_USAGE for a value the
 * history cannot hold (the message names it and the limit).
 */
static int hist_prepare_row(struct dbm_session *s, struct dbm_history_row *row)
{
	if (s->next_rank > INT_MAX) {
		dbm_error_set(DBM_ERR_RUN,
		              "history table '%s' is full: installed_rank would pass %d",
		              s->cfg->table, INT_MAX);
		dbm_error_set_detail("installed_rank is an INT column (Flyway's), and its highest "
		                     "value is in use");
		dbm_error_set_hint(
		    "Renumber the installed_rank column from 1 in rank order (an "
		    "UPDATE in one transaction, with no dbmigrate running), then run "
		    "the command again.");
		return DBM_ERR_RUN;
	}
	row->installed_rank = (int)s->next_rank;
	if (!row->installed_by)
		row->installed_by = s->cfg->installed_by
		                        ? s->cfg->installed_by
		                        : (s->conn && s->conn->user ? s->conn->user : NULL);
	return dbm_history_check_row(row);
}

int dbm_hist_insert(struct dbm_session *s, struct dbm_history_row *row)
{
	struct dbm_buf lit = DBM_BUF_INIT;
	int r = hist_prepare_row(s, row);

	if (r == 0)
		r = dbm_sql_history_insert(s->dialect, s->schema, s->cfg->table, row, &s->hist_args,
		                           &s->sql);
	if (r == 0 && s->dry_run)
		r = dbm_sql_history_insert(s->dialect, s->schema, s->cfg->table, row, NULL, &lit);
	if (r == 0)
		r = hist_run(s, &lit, NULL, NULL);
	if (r == 0)
		s->next_rank++;
	dbm_buf_free(&lit);
	return r;
}

int dbm_hist_insert_stmt(struct dbm_session *s, struct dbm_history_row *row, struct dbm_stmt *st)
{
	int r = hist_prepare_row(s, row);

	if (r == 0)
		r = dbm_sql_history_insert(s->dialect, s->schema, s->cfg->table, row, &s->hist_args,
		                           &s->sql);
	if (r < 0)
		return r;
	memset(st, 0, sizeof(*st));
	st->sql = s->sql.ptr;
	st->len = s->sql.len;
	st->line = 1; /* index 0: not a statement of a file */
	st->flags = DBM_STMT_PARAMS;
	st->nparams = s->hist_args.n;
	st->params = s->hist_args.v;
	dbm_out_debug("%s", s->sql.ptr);
	return 0;
}

int dbm_hist_succeed(struct dbm_session *s, int rank, int ms)
{
	struct dbm_buf lit = DBM_BUF_INIT;
	int r = dbm_sql_history_succeed(s->dialect, s->schema, s->cfg->table, rank, ms,
	                                &s->hist_args, &s->sql);

	if (r == 0 && s->dry_run)
		r = dbm_sql_history_succeed(s->dialect, s->schema, s->cfg->table, rank, ms, NULL,
		                            &lit);
	if (r == 0)
		r = hist_run(s, &lit, NULL, NULL);
	dbm_buf_free(&lit);
	return r;
}

int dbm_hist_delete(struct dbm_session *s, int rank)
{
	struct dbm_buf lit = DBM_BUF_INIT;
	int r = dbm_sql_history_delete(s->dialect, s->schema, s->cfg->table, rank, &s->hist_args,
	                               &s->sql);

	if (r == 0 && s->dry_run)
		r = dbm_sql_history_delete(s->dialect, s->schema, s->cfg->table, rank, NULL, &lit);
	if (r == 0)
		r = hist_run(s, &lit, NULL, NULL);
	dbm_buf_free(&lit);
	return r;
}

int dbm_hist_realign(struct dbm_session *s, int rank, const int32_t *checksum,
                     const char *description)
{
	struct dbm_buf lit = DBM_BUF_INIT;
	int r = dbm_sql_history_realign(s->dialect, s->schema, s->cfg->table, rank, checksum,
	                                description, &s->hist_args, &s->sql);

	if (r == 0 && s->dry_run)
		r = dbm_sql_history_realign(s->dialect, s->schema, s->cfg->table, rank, checksum,
		                            description, NULL, &lit);
	if (r == 0)
		r = hist_run(s, &lit, NULL, NULL);
	dbm_buf_free(&lit);
	return r;
}

struct hist_objects {
	size_t count;
	char *first;
	size_t size;
};

static int hist_object_row(void *ctx, unsigned ncols, const char *const *values)
{
	struct hist_objects *o = ctx;

	if (o->count++ == 0 && o->size)
		snprintf(o->first, o->size, "%s", ncols && values[0] ? values[0] : "");
	return 0;
}

int dbm_hist_other_objects(struct dbm_session *s, size_t *count, char *first, size_t size)
{
	struct dbm_buf lock = DBM_BUF_INIT, snap = DBM_BUF_INIT;
	struct hist_objects o = {0, first, size};
	int r;

	if (size)
		first[0] = '\0';
	r = dbm_buf_addf(&lock, "%s_lock", s->cfg->table);
	if (r == 0)
		r = dbm_buf_addf(&snap, "%s_snapshot", s->cfg->table);
	if (r == 0)
		r = dbm_sql_other_tables(s->dialect, s->schema, s->cfg->table, lock.ptr, snap.ptr,
		                         &s->hist_args, &s->sql);
	if (r == 0)
		r = hist_run(s, NULL, hist_object_row, &o);
	*count = o.count;
	dbm_buf_free(&lock);
	dbm_buf_free(&snap);
	return r < 0 ? r : 0;
}

/* See history.h. */
int dbm_hist_table_exists(struct dbm_session *s, const char *table, int *exists)
{
	int r;

	*exists = 0;
	r = dbm_sql_history_exists(s->dialect, s->schema, table, &s->hist_args, &s->sql);
	if (r == 0)
		r = hist_run(s, NULL, hist_exists_row, exists);
	return r < 0 ? r : 0;
}

/* --- the snapshot table ---------------------------------------------------- */

struct hist_snapshot_row {
	int found;
	int rank;
	struct dbm_buf *version;
	char *digest;
};

static int hist_snapshot_row(void *ctx, unsigned ncols, const char *const *values)
{
	struct hist_snapshot_row *o = ctx;

	if (ncols < 3 || !values[0] || !values[2])
		return 0;
	o->found = 1;
	o->rank = atoi(values[0]);
	snprintf(o->digest, 65, "%s", values[2]);
	if (values[1] && dbm_buf_adds(o->version, values[1]) < 0)
		return -1;
	return 0;
}

int dbm_hist_snapshot_latest(struct dbm_session *s, int *exists, int *found, int *rank,
                             struct dbm_buf *version, char digest[65])
{
	struct dbm_buf name = DBM_BUF_INIT;
	struct hist_snapshot_row o = {0, 0, version, digest};
	int r;

	*exists = 0;
	*found = 0;
	digest[0] = '\0';
	r = hist_snapshot_name(s, &name);
	if (r == 0)
		r = dbm_sql_snapshot_latest(s->dialect, s->schema, name.ptr, &s->sql);
	if (r == 0) {
		/*
		 * The table is made with the history table, so it is read straight
		 * away: the no-op migrate pays one round trip, not two. Only when
		 * that fails is it asked whether the table exists (a history from
		 * before snapshots has none, which is no error). Never called inside
		 * a transaction, which the failed read would spoil on PostgreSQL.
		 */
		dbm_out_debug("%s", s->sql.ptr);
		r = s->conn->driver->query(s->conn, s->sql.ptr, hist_snapshot_row, &o);
		if (r > 0)
			r = dbm_error_oom();
		*exists = r == 0;
	}
	if (r < 0 && r != DBM_ERR_NOMEM) {
		struct dbm_error saved;
		int q;

		dbm_error_save(&saved);
		q = dbm_sql_history_exists(s->dialect, s->schema, name.ptr, &s->hist_args, &s->sql);
		if (q == 0)
			q = hist_run(s, NULL, hist_exists_row, exists);
		if (q == 0 && !*exists) {
			dbm_error_clear();
			r = 0;
			o.found = 0;
		} else {
			dbm_error_restore(&saved);
		}
	}
	*found = o.found;
	*rank = o.rank;
	dbm_buf_free(&name);
	return r < 0 ? r : 0;
}

static int hist_text_row(void *ctx, unsigned ncols, const char *const *values)
{
	struct dbm_buf *b = ctx;

	if (ncols < 1 || !values[0])
		return 0;
	dbm_buf_clear(b);
	return dbm_buf_adds(b, values[0]) < 0 ? -1 : 0;
}

int dbm_hist_snapshot_objects(struct dbm_session *s, int rank, struct dbm_buf *out)
{
	struct dbm_buf name = DBM_BUF_INIT;
	int r = hist_snapshot_name(s, &name);

	if (r == 0)
		r = dbm_sql_snapshot_objects(s->dialect, s->schema, name.ptr, rank, &s->hist_args,
		                             &s->sql);
	if (r == 0)
		r = hist_run(s, NULL, hist_text_row, out);
	if (r > 0)
		r = dbm_error_oom();
	dbm_buf_free(&name);
	return r;
}

int dbm_hist_snapshot_write(struct dbm_session *s, int rank, const char *version,
                            const char *digest, const char *schema_sql, const char *objects)
{
	struct dbm_buf name = DBM_BUF_INIT;
	int tx = 0, r;

	if (s->dry_run)
		return 0;
	r = hist_snapshot_name(s, &name);
	if (r == 0)
		r = hist_snapshot_create(s);
	if (r == 0) {
		r = dbm_session_exec(s, dbm_sql_begin(s->dialect));
		tx = r == 0;
	}
	if (r == 0)
		r = dbm_sql_snapshot_delete(s->dialect, s->schema, name.ptr, rank, &s->hist_args,
		                            &s->sql);
	if (r == 0)
		r = hist_run(s, NULL, NULL, NULL);
	if (r == 0)
		r = dbm_sql_snapshot_insert(s->dialect, s->schema, name.ptr, rank, version, digest,
		                            schema_sql, objects, &s->hist_args, &s->sql);
	if (r == 0)
		r = hist_run(s, NULL, NULL, NULL);
	if (r == 0)
		r = dbm_session_exec(s, dbm_sql_commit(s->dialect));
	else if (tx)
		dbm_session_rollback(s);
	dbm_buf_free(&name);
	return r;
}
