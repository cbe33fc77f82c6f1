/*
 * callback.c - running Flyway's SQL callbacks at their events (runner.h).
 *
 * The scanner finds the callback files (EVENT.sql, EVENT__description.sql)
 * in the migration folders; the commands fire the events at their points
 * and this file runs every file of the event, in name order, with the
 * session's placeholders. A callback is never recorded in the history.
 *
 * - The "each" events (beforeEachMigrate, afterEachMigrate, beforeEachUndo,
 *   afterEachUndo) run inside the migration's transaction when it has one
 *   (dbm_run_script calls them with in_tx set): they commit or roll back
 *   with the migration.
 * - Every other callback file runs like a migration of its own: in one
 *   transaction where the database has transactional DDL and the file
 *   allows it, else statement by statement.
 * - The error events (afterEachMigrateError, afterMigrateError, ...) run
 *   after the failure was handled (the migration's transaction rolled
 *   back), so what they write stays; their own failure is added to the
 *   failure's detail, which stays the error the command reports. After a
 *   signal they do not run: the user asked to stop.
 * - With --dry-run each file's statements are printed where they would run,
 *   under a "-- callback EVENT: FILE" line.
 */
#include <stdio.h>
#include <string.h>

#include "dbmigrate/source.h"
#include "dbmigrate/sqlgen.h"
#include "output/output.h"
#include "runner/runner.h"

/* What the first pass over a callback file learns. */
struct cb_scan {
	const struct dbm_driver *driver;
	unsigned statements;
	unsigned no_tx;      /* statements that cannot run in a transaction */
	unsigned tx_control; /* BEGIN, COMMIT ... in the file */
};

static int cb_scan_stmt(void *ctx, const struct dbm_stmt *st)
{
	struct cb_scan *sc = ctx;
	unsigned f = sc->driver && sc->driver->stmt_flags ? sc->driver->stmt_flags(st) : 0;

	/* as in run.c: what only the server can judge is left to the second pass */
	if (st->splitter)
		dbm_splitter_set_lenient(st->splitter, 1);
	sc->statements++;
	sc->no_tx += (f & DBM_EXEC_NO_TX) != 0;
	sc->tx_control += (f & DBM_EXEC_TX_CONTROL) != 0;
	return 0;
}

/* What the second pass needs. */
struct cb_exec {
	struct dbm_session *s;
	const char *path;
	unsigned done; /* statements that ran */
};

/*
 * A signal asked to stop (the running statement was cancelled, whose error
 * says nothing more): the last error names the signal and the callback's
 * line. Returns DBM_ERR_INTERRUPTED.
 */
static int cb_interrupted(const char *path, unsigned line)
{
	dbm_error_set(DBM_ERR_INTERRUPTED, "interrupted by %s while running this callback",
	              dbm_signal_name(dbm_interrupt_signal()));
	dbm_error_set_where(path, line);
	return DBM_ERR_INTERRUPTED;
}

static int cb_exec_stmt(void *ctx, const struct dbm_stmt *st)
{
	struct cb_exec *ex = ctx;
	struct dbm_session *s = ex->s;
	struct dbm_error *e;
	char first[120];
	unsigned line;
	size_t i;
	int r;

	if (s->dry_run) {
		/* a line of the dry run's script (dryrun.c): no secret placeholder in it */
		r = dbm_dry_check_secrets(s, st, ex->path);
		if (r < 0)
			return r;
		dbm_dry_sql(s, st->sql, st->len);
		ex->done++;
		return 0;
	}
	if (dbm_interrupt_signal())
		return cb_interrupted(ex->path, st->line);
	if (dbm_out_is_verbose())
		dbm_out_debug("%s:%u: statement %u", ex->path, st->line, st->index);
	r = s->conn->driver->exec(s->conn, st);
	if (r < 0 && r != DBM_ERR_NOMEM && dbm_interrupt_signal())
		return cb_interrupted(ex->path, st->line);
	if (r < 0) {
		e = dbm_error_last();
		/* the statement's first line, moved on by the server's error position */
		line = st->line;
		for (i = 0; e->position > 0 && i < (size_t)e->position - 1 && i < st->len; i++)
			line += st->sql[i] == '\n';
		dbm_error_set_where(ex->path, line);
		if (e->sqlstate[0])
			dbm_error_add_detail("SQLSTATE %s", e->sqlstate);
		/* the line as the file has it: a placeholder's value may be secret */
		dbm_run_first_line(ex->path, st, first, sizeof(first));
		dbm_error_add_detail("statement %u starts at line %u: %s", st->index, st->line,
		                     first);
		return DBM_ERR_RUN;
	}
	ex->done++;
	return dbm_run_follow_string_rules(s, st);
}

/*
 * Runs one callback file f. in_tx: a transaction of the caller's is open
 * (the migration's): the statements run in it. Returns 0; the error of the
 * first pass (DBM_ERR_USAGE: nothing ran); DBM_ERR_RUN naming f's line,
 * with a detail saying what of the callback is applied.
 */
static int cb_run_file(struct dbm_session *s, const struct dbm_file *f, int in_tx)
{
	struct dbm_source_opts o;
	struct dbm_placeholders shown = DBM_PLACEHOLDERS_INIT;
	struct cb_scan sc;
	struct cb_exec ex;
	const char *event = dbm_event_name(f->event);
	char label[512];
	int r, tx;

	memset(&o, 0, sizeof(o));
	memset(&sc, 0, sizeof(sc));
	memset(&ex, 0, sizeof(ex));
	sc.driver = s->driver;
	o.dialect = s->dialect;
	o.placeholders = &s->placeholders;
	o.on_stmt = cb_scan_stmt;
	o.ctx = &sc;
	r = dbm_session_set_filename(s, f);
	if (r == 0)
		r = dbm_source_run(f->path, f->path, &o, NULL);
	if (r < 0)
		return r;
	tx = !in_tx && s->driver && (s->driver->caps & DBM_CAP_TX_DDL) && f->in_transaction != 0 &&
	     !sc.no_tx && !sc.tx_control && sc.statements > 0;
	/* an "each" callback is part of its migration's progress line */
	snprintf(label, sizeof(label), "callback %s: %s", event, f->script);
	if (!in_tx)
		dbm_out_progress_begin(label);
	else
		dbm_out_debug("%s", label);
	if (s->dry_run) {
		dbm_dry_comment(s, "callback %s: %s", event, f->path);
		r = dbm_session_shown_placeholders(s, &shown);
		if (r < 0)
			goto done;
		o.placeholders = &shown;
	}
	if (tx) {
		r = dbm_session_exec(s, dbm_sql_begin(s->dialect));
		if (r < 0)
			goto done;
	}
	ex.s = s;
	ex.path = f->path;
	o.on_stmt = cb_exec_stmt;
	o.ctx = &ex;
	r = dbm_source_run(f->path, f->path, &o, NULL);
	if (r == 0 && tx)
		r = dbm_session_exec(s, dbm_sql_commit(s->dialect));
	if (r < 0 && tx)
		dbm_session_rollback(s);
	if (r < 0 && !s->dry_run) {
		if (!dbm_error_last()->file[0])
			dbm_error_set_where(f->path, 0);
		if (in_tx)
			dbm_error_add_detail(
			    "the %s callback ran inside the migration's transaction", event);
		else if (tx)
			dbm_error_add_detail(
			    "the %s callback's transaction was rolled back: nothing "
			    "of it is applied",
			    event);
		else if (ex.done)
			dbm_error_add_detail("the %s callback ran without a transaction: its "
			                     "statements 1 to %u are applied",
			                     event, ex.done);
		else
			dbm_error_add_detail("nothing of the %s callback was applied", event);
	}
done:
	dbm_placeholders_free(&shown);
	if (!in_tx)
		dbm_out_progress_end(r < 0 ? "failed" : (s->dry_run ? "dry run" : "done"));
	return r;
}

/* See runner.h. */
int dbm_callback_has(const struct dbm_session *s, enum dbm_event ev)
{
	size_t i;

	for (i = 0; i < s->files.ncallbacks; i++)
		if (s->files.callbacks[i].event == (int)ev)
			return 1;
	return 0;
}

/* See runner.h. */
int dbm_callback_fire(struct dbm_session *s, enum dbm_event ev, int in_tx)
{
	size_t i;
	int r;

	if (!s->conn && !s->dry_run)
		return 0;
	for (i = 0; i < s->files.ncallbacks; i++) {
		const struct dbm_file *f = &s->files.callbacks[i];

		if (f->event != (int)ev)
			continue;
		r = cb_run_file(s, f, in_tx);
		if (r < 0)
			return r;
	}
	return 0;
}

/* See runner.h. */
void dbm_callback_fire_error(struct dbm_session *s, enum dbm_event ev)
{
	struct dbm_error saved, cb;

	/* out of memory, or a signal asking to stop: nothing more runs */
	if (!dbm_callback_has(s, ev) || dbm_error_last()->klass == DBM_ERR_NOMEM ||
	    dbm_error_last()->klass == DBM_ERR_INTERRUPTED)
		return;
	dbm_error_save(&saved);
	if (dbm_callback_fire(s, ev, 0) < 0) {
		dbm_error_save(&cb);
		dbm_error_restore(&saved);
		if (cb.file[0])
			dbm_error_add_detail("then the %s callback failed too: %s:%u: %s",
			                     dbm_event_name(ev), cb.file, cb.line, cb.message);
		else
			dbm_error_add_detail("then the %s callback failed too: %s",
			                     dbm_event_name(ev), cb.message);
		return;
	}
	dbm_error_restore(&saved);
}
