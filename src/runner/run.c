/*
 * run.c - running one script and recording its history row (runner.h).
 *
 * Two passes over the file. The first checks the whole file before anything
 * runs (UTF-8, placeholders, every quote and body closed), counts its
 * statements, computes the checksum and finds statements that decide how it
 * must run. The second sends the statements:
 *
 * - transactional (the database has transactional DDL and nothing in the
 *   file forbids it): BEGIN, the statements, the history row, COMMIT; a
 *   failure rolls everything back and nothing of the migration remains;
 * - statement by statement otherwise (MySQL DDL; a statement that cannot
 *   run in a transaction, such as CREATE INDEX CONCURRENTLY; a file that
 *   manages its own transactions; executeInTransaction=false): a failure
 *   leaves the earlier statements applied, so a failed row is recorded and
 *   the error says exactly which statements are applied and how to recover.
 *   That failed row is written before the first statement runs and replaced
 *   by the success row at the end, so a runner killed half way leaves a
 *   failed row too: the next migrate stops until 'repair', instead of
 *   running the first statements a second time.
 *
 * The "each" callbacks (beforeEachMigrate, afterEachMigrate, and the undo
 * ones) run around the file's statements, inside its transaction when it
 * has one (callback.c).
 */
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "dbmigrate/source.h"
#include "dbmigrate/sqlgen.h"
#include "output/output.h"
#include "runner/runner.h"

static const char run_hint_interrupted[] =
    "Nothing of this migration was applied (its transaction was rolled back); the ones before "
    "it are. Run the command again to go on.";
static const char run_hint_rolled_back[] =
    "Nothing of this migration was applied (its transaction was rolled back). Fix the file and "
    "run the command again.";

/* What the first pass learns. */
struct run_scan {
	const struct dbm_driver *driver;
	const char *path; /* the file, for run_first_line */
	unsigned statements;
	unsigned no_tx;           /* statements that cannot run in a transaction */
	unsigned no_tx_line;      /* the first one's line */
	char no_tx_text[80];      /* and its first words */
	unsigned tx_control_line; /* first BEGIN/COMMIT... line, 0 when none */
	unsigned tx_control_last; /* and the last one's line */
	int session;              /* some statement may change the session's settings */
};

/*
 * Copies line lineno (1-based) of the file at path into out (size bytes,
 * cut to fit, without its line end). Returns 0, or -1 when it cannot be read.
 */
static int run_source_line(const char *path, unsigned lineno, char *out, size_t size)
{
	FILE *f = fopen(path, "rb");
	unsigned line = 1;
	size_t n = 0;
	int c;

	if (!f)
		return -1;
	while (line < lineno && (c = getc(f)) != EOF)
		line += c == '\n';
	while (n + 1 < size && (c = getc(f)) != EOF && c != '\n' && c != '\r')
		out[n++] = (char)c;
	out[n] = '\0';
	fclose(f);
	return line == lineno ? 0 : -1;
}

/*
 * The first line of st for a message, cut to size with "...". It is the
 * line as the file has it when placeholders were replaced in it: their
 * values may be secret, so a message shows "${name}", never the value.
 */
static void run_first_line(const char *path, const struct dbm_stmt *st, char *out, size_t size)
{
	size_t n = strcspn(st->sql, "\r\n");
	char orig[256];

	if (path && st->line && run_source_line(path, st->line, orig, sizeof(orig)) == 0 &&
	    strstr(orig, "${")) {
		const char *o = orig + strspn(orig, " \t");
		size_t len = strlen(o);

		while (len > 0 && (o[len - 1] == ';' || o[len - 1] == ' ' || o[len - 1] == '\t'))
			orig[--len + (size_t)(o - orig)] = '\0';

		if (len >= size)
			len = size - 4;
		snprintf(out, size, "%.*s%s", (int)len, o,
		         len < strlen(o) || n < st->len ? "..." : "");
		return;
	}
	if (n >= size)
		n = size - 4;
	snprintf(out, size, "%.*s%s", (int)n, st->sql, n < st->len ? "..." : "");
}

/* See runner.h. */
void dbm_run_first_line(const char *path, const struct dbm_stmt *st, char *out, size_t size)
{
	run_first_line(path, st, out, size);
}

static int run_scan_stmt(void *ctx, const struct dbm_stmt *st)
{
	struct run_scan *sc = ctx;
	unsigned f = sc->driver->stmt_flags ? sc->driver->stmt_flags(st) : 0;

	/*
	 * After a statement that may change how strings are read, the first
	 * pass can only infer the rules from the text; the second asks the
	 * server. So text this pass cannot close is left for the second to
	 * judge (sqlsplit.h).
	 */
	if (st->splitter)
		dbm_splitter_set_lenient(st->splitter, 1);
	sc->statements++;
	if ((f & DBM_EXEC_NO_TX) && !sc->no_tx++) {
		sc->no_tx_line = st->line;
		run_first_line(sc->path, st, sc->no_tx_text, sizeof(sc->no_tx_text));
	}
	if ((f & DBM_EXEC_TX_CONTROL) && !sc->tx_control_line)
		sc->tx_control_line = st->line;
	if (f & DBM_EXEC_TX_CONTROL)
		sc->tx_control_last = st->line;
	if (f & DBM_EXEC_SESSION)
		sc->session = 1;
	return 0;
}

/* What the second pass needs. */
struct run_exec {
	struct dbm_session *s;
	const char *display;
	int batch;             /* statements are queued and sent together (batch.c) */
	unsigned done;         /* statements executed successfully */
	unsigned failed_index; /* 1-based index of the failing statement, 0 when none */
	unsigned failed_line;
	unsigned last_line; /* first line of the last statement sent */
	int rolled_back;    /* a transaction the file left open was rolled back */
	int locks_released; /* table locks the file left held were released */
	char left_open[96]; /* what it was: "a transaction", "LOCK TABLES" ... */
};

/* The file line of the error: the statement's first line plus the lines before the error position.
 */
static unsigned run_error_line(const struct dbm_stmt *st, int position)
{
	unsigned line = st->line;
	size_t i;

	for (i = 0; position > 0 && i < (size_t)position - 1 && i < st->len; i++)
		if (st->sql[i] == '\n')
			line++;
	return line;
}

/*
 * Statement st of the file failed: the error gets the file's line (the
 * statement's first line plus the lines before the server's error
 * position) and a detail naming the statement. Returns DBM_ERR_RUN.
 */
static int run_stmt_failed(struct run_exec *ex, const struct dbm_stmt *st)
{
	struct dbm_error *e = dbm_error_last();
	char first[120];

	ex->failed_index = st->index;
	ex->failed_line = run_error_line(st, e->position);
	run_first_line(ex->display, st, first, sizeof(first));
	dbm_error_set_where(ex->display, ex->failed_line);
	/* the server's own detail (PostgreSQL's DETAIL, SQLite's code) stays first */
	if (e->sqlstate[0] && e->server_code)
		dbm_error_add_detail("SQLSTATE %s, error %d", e->sqlstate, e->server_code);
	else if (e->sqlstate[0])
		dbm_error_add_detail("SQLSTATE %s", e->sqlstate);
	dbm_error_add_detail("statement %u starts at line %u: %s", st->index, st->line, first);
	return DBM_ERR_RUN;
}

/*
 * Sends what is queued (batch.c) and counts the script's statements that
 * ran. A failing statement of the script gets its file line as in
 * run_stmt_failed; a failure of dbmigrate's own SQL keeps its error.
 */
static int run_flush(struct run_exec *ex)
{
	struct dbm_batch *b = &ex->s->batch;
	size_t failed, i, ran;
	int r = dbm_batch_send(b, ex->s->conn, &failed);

	ran = r < 0 ? failed : b->sent;
	for (i = 0; i < ran; i++)
		if (b->stmts[i].index)
			ex->done++;
	if (r < 0 && b->stmts[failed].index)
		return run_stmt_failed(ex, &b->stmts[failed]);
	return r;
}

/* One statement of dbmigrate's own: queued when the script is batched, else run now. */
static int run_own(struct run_exec *ex, const char *sql)
{
	struct dbm_stmt st;

	if (!ex->batch)
		return dbm_session_exec(ex->s, sql);
	memset(&st, 0, sizeof(st));
	st.sql = sql;
	st.len = strlen(sql);
	st.line = 1; /* index 0: not a statement of the file */
	dbm_out_debug("%s", sql);
	return dbm_batch_add(&ex->s->batch, &st);
}

/*
 * The run was asked to stop (a signal): the last error becomes
 * DBM_ERR_INTERRUPTED naming the signal, at the file and line given. The
 * error that the cancel caused ("canceling statement due to user request")
 * is dropped: it says nothing more. Returns DBM_ERR_INTERRUPTED.
 */
static int run_interrupted(const char *display, unsigned line)
{
	int sig = dbm_interrupt_signal();

	dbm_error_set(DBM_ERR_INTERRUPTED, "interrupted by %s while running this file",
	              dbm_signal_name(sig));
	dbm_error_set_where(display, line);
	return DBM_ERR_INTERRUPTED;
}

int dbm_run_follow_string_rules(struct dbm_session *s, const struct dbm_stmt *st)
{
	struct dbm_string_rules rules;
	int r;

	if (!(st->flags & DBM_STMT_STRING_RULES) || !st->splitter || !s->driver->string_rules)
		return 0;
	r = s->driver->string_rules(s->conn, &rules);
	if (r < 0)
		return r;
	dbm_splitter_set_rules(st->splitter, &rules);
	return 0;
}

/* The size of the file at path in bytes, 0 when it cannot be read (for the progress line). */
static unsigned long long run_file_size(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 ? (unsigned long long)st.st_size : 0;
}

static int run_exec_stmt(void *ctx, const struct dbm_stmt *st)
{
	struct run_exec *ex = ctx;
	struct dbm_session *s = ex->s;
	int r;

	if (dbm_interrupt_signal()) {
		ex->failed_index = st->index;
		ex->failed_line = st->line;
		return run_interrupted(ex->display, st->line);
	}
	ex->last_line = st->line;
	if (s->dry_run) {
		r = dbm_dry_check_secrets(s, st, ex->display);
		if (r < 0)
			return r;
		dbm_dry_sql(s, st->sql, st->len);
		if ((st->flags & DBM_STMT_COPY_IN) && st->copy_data && !dbm_out_is_json()) {
			/* psql reads the rows after the statement, up to a line "\." */
			dbm_out_script(st->copy_data, st->copy_len);
			if (st->copy_len && st->copy_data[st->copy_len - 1] != '\n')
				dbm_out_script("\n", 1);
			dbm_out_script("\\.\n", 3);
		}
		ex->done++;
		return 0;
	}
	dbm_out_progress_step(st->len);
	if (dbm_out_is_verbose())
		dbm_out_debug("%s:%u: statement %u", ex->display, st->line, st->index);
	if (ex->batch) {
		unsigned f = s->driver->stmt_flags ? s->driver->stmt_flags(st) : 0;

		if (!(f & DBM_EXEC_ALONE) && !(st->flags & DBM_STMT_STRING_RULES) &&
		    st->len < DBM_BATCH_BYTES) {
			r = dbm_batch_add(&s->batch, st);
			if (r == 0 && s->batch.text.len >= DBM_BATCH_BYTES)
				r = run_flush(ex);
			if (r == 0)
				dbm_failpoint("after_statement");
			return r;
		}
		r = run_flush(ex);
		if (r < 0)
			return r;
	}
	r = s->conn->driver->exec(s->conn, st);
	if (r < 0)
		return run_stmt_failed(ex, st);
	ex->done++;
	r = dbm_run_follow_string_rules(s, st);
	if (r < 0)
		return r;
	dbm_failpoint("after_statement");
	return 0;
}

static int run_elapsed_ms(const struct timespec *t0)
{
	struct timespec t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (int)((t1.tv_sec - t0->tv_sec) * 1000 + (t1.tv_nsec - t0->tv_nsec) / 1000000);
}

static void run_label(enum dbm_run_kind kind, const struct dbm_file *file, const char *version,
                      char *out, size_t size)
{
	if (kind == DBM_RUN_UNDO)
		snprintf(out, size, "U%s %s", version, file->description);
	else if (file->kind == DBM_FILE_REPEATABLE)
		snprintf(out, size, "R %s", file->description);
	else
		snprintf(out, size, "V%s %s", file->version, file->description);
}

/*
 * After a failure outside a transaction: record a failed row (unless marked:
 * the one written before the first statement is there already) and say what
 * is applied and how to recover. The failure is a statement's error, an
 * interruption, or a transaction the file left open (ex->rolled_back, then
 * rolled back: what ran in it is not applied). Returns the error's class,
 * with the original error kept (message, SQLSTATE) and detail/hint
 * rewritten.
 */
static int run_fail_partial(struct dbm_session *s, struct dbm_history_row *row,
                            const struct run_exec *ex, const struct run_scan *sc,
                            enum dbm_run_kind kind, const struct dbm_file *file, int marked)
{
	struct dbm_error saved;
	char applied[320];
	int recorded = marked;

	dbm_error_save(&saved);
	row->success = 0;
	if (!recorded)
		recorded = dbm_session_record(s, row) == 0;
	dbm_error_restore(&saved);
	if (ex->done == 0)
		snprintf(applied, sizeof(applied), "no statement of it was applied");
	else if (ex->locks_released)
		snprintf(applied, sizeof(applied),
		         "statements 1 to %u are applied; the %s the file "
		         "left held were released",
		         ex->done, ex->left_open);
	else if (ex->rolled_back)
		snprintf(applied, sizeof(applied),
		         "statements 1 to %u ran, but %s that the file left open was rolled back: "
		         "what ran inside it is not applied%s, what ran before it is",
		         ex->done, ex->left_open,
		         (s->driver->caps & DBM_CAP_TX_DDL)
		             ? ""
		             : " (except DDL, which commits at once and stays)");
	else if (ex->done == 1)
		snprintf(applied, sizeof(applied), "statement 1 is applied");
	else
		snprintf(applied, sizeof(applied), "statements 1 to %u are applied", ex->done);
	if (saved.klass == DBM_ERR_INTERRUPTED)
		dbm_error_set_detail("the run stopped before statement %u of %u ended, %s (this "
		                     "run had no transaction around it); a failed row marks it",
		                     ex->failed_index, sc->statements, applied);
	else if (ex->failed_index)
		dbm_error_set_detail("statement %u of %u failed, %s (this run had no transaction "
		                     "around it)",
		                     ex->failed_index, sc->statements, applied);
	else
		dbm_error_set_detail("%s", applied);
	dbm_error_add_detail("%s", saved.detail);
	if (saved.klass == DBM_ERR_INTERRUPTED && recorded)
		dbm_error_set_hint("A failed row was recorded. Finish the migration by hand from "
		                   "statement %u (line %u) on, or revert what is applied; then run "
		                   "'dbmigrate repair' and 'dbmigrate migrate'.",
		                   ex->failed_index, ex->failed_line);
	else if (ex->locks_released && !ex->failed_index && recorded)
		dbm_error_set_hint(
		    "Release the locks at the end of the file (UNLOCK TABLES). Every "
		    "statement is applied and a failed row was recorded: run "
		    "'dbmigrate repair', then make the file safe to run again before "
		    "'dbmigrate migrate'.");
	else if (ex->rolled_back && !ex->failed_index && recorded)
		dbm_error_set_hint(
		    "End the transaction in the file (COMMIT) or remove the statement "
		    "that opens it. A failed row was recorded: make the database match "
		    "the file (or revert what is applied), then run 'dbmigrate repair' "
		    "and 'dbmigrate migrate'.");
	else if (!recorded)
		dbm_error_set_hint(
		    "The failed row could not be recorded either (the connection may "
		    "be gone). Check the database against %s, then run "
		    "'dbmigrate repair' and 'dbmigrate migrate'.",
		    ex->display);
	else if (kind == DBM_RUN_UNDO)
		dbm_error_set_hint("A failed row was recorded. Finish or revert the undo by hand, "
		                   "then run 'dbmigrate repair' to remove the failed row.");
	else if (file->undo && ex->done > 0)
		dbm_error_set_hint("A failed row was recorded. Either fix the file and revert "
		                   "statements 1 to %u by hand (%s undoes the whole migration), or "
		                   "finish the migration by hand; then run 'dbmigrate repair' and "
		                   "'dbmigrate migrate'.",
		                   ex->done, file->undo->path);
	else if (ex->done > 0)
		dbm_error_set_hint(
		    "A failed row was recorded. Fix the file and revert the applied "
		    "statements by hand (or finish them), then run 'dbmigrate repair' "
		    "and 'dbmigrate migrate'.");
	else
		dbm_error_set_hint(
		    "A failed row was recorded; nothing of the file was applied. Fix "
		    "the file, then run 'dbmigrate repair' and 'dbmigrate migrate'.");
	return saved.klass < 0 ? saved.klass : DBM_ERR_RUN;
}

/*
 * After a script run without dbmigrate's transaction: whatever the file
 * left open (a BEGIN without COMMIT, a transaction aborted by an error, a
 * SAVEPOINT, autocommit=0 with work done, an XA transaction, LOCK TABLES)
 * is rolled back now, before the history row, so that nothing half-done
 * is committed later by the row's own statement. A script that succeeded
 * then fails with an error naming the file and the line that opened it.
 * *status is the script's result, set to that error. Returns 1 when
 * something was left open, else 0.
 */
static int run_left_open(struct dbm_session *s, const struct run_scan *sc, struct run_exec *ex,
                         const struct dbm_file *file, int *status)
{
	struct dbm_error saved;
	int state;

	if (s->dry_run || !s->driver->tx_state || !s->driver->tx_abort)
		return 0;
	state = s->driver->tx_state(s->conn, ex->left_open, sizeof(ex->left_open));
	if (state == DBM_TX_IDLE)
		return 0;
	dbm_error_save(&saved);
	s->driver->tx_abort(s->conn);
	dbm_error_restore(&saved);
	if (state == DBM_TX_LOCKS)
		ex->locks_released = 1;
	ex->rolled_back = 1;
	if (*status == 0) {
		unsigned line = sc->tx_control_last ? sc->tx_control_last : ex->last_line;

		*status = dbm_error_set(DBM_ERR_RUN, "the file ends with %s still %s",
		                        ex->left_open, state == DBM_TX_LOCKS ? "held" : "open");
		dbm_error_set_where(file->path, line);
	}
	return 1;
}

/*
 * After the script's statements: the session goes back to how it was after
 * connecting (the role, search path, SQL mode ... a migration set), before
 * dbmigrate writes the history row and before the next script, which thus
 * starts as it would in a new session of the database's own client.
 * Drivers that flag the statements able to change the session
 * (DBM_CAP_SESSION_FLAGS) are reset only after a script that has one.
 * status is the script's result: an error of the script is kept over one
 * of the reset. Returns status, or the reset's error when status is 0.
 */
static int run_reset_session(struct dbm_session *s, const struct run_scan *sc, int status)
{
	struct dbm_error saved;
	int r;

	if (!s->driver->reset_session ||
	    ((s->driver->caps & DBM_CAP_SESSION_FLAGS) && !sc->session))
		return status;
	if (s->dry_run) {
		/* the script puts the replaying session back at the same point */
		if (status == 0)
			dbm_dry_reset(s);
		return status;
	}
	if (status < 0)
		dbm_error_save(&saved);
	r = s->driver->reset_session(s->conn);
	if (status < 0) {
		dbm_error_restore(&saved);
		return status;
	}
	return r;
}

/*
 * The driver says the script may run again without a transaction, as the
 * database's own client would run it (PostgreSQL: an enum value added and
 * used in one transaction, SQLSTATE 55P04). The transaction has been
 * rolled back, so nothing of the file remains: it runs again from the
 * start, statement by statement, with a warning. Returns 1 for that case,
 * else 0.
 */
static int run_retry_outside_tx(struct dbm_session *s, const struct dbm_file *file,
                                const struct run_exec *ex)
{
	const struct dbm_error *e = dbm_error_last();

	if (!s->driver->classify_error || s->driver->classify_error(e) != DBM_ERRK_RETRY_NO_TX)
		return 0;
	dbm_out_warn("%s:%u: %s: the file must run outside a transaction, as the database's own "
	             "client would run it; it runs again from the start, statement by statement; "
	             "if a statement fails, the ones before it stay applied",
	             file->path, ex->failed_line, e->message);
	return 1;
}

/*
 * The "each" callbacks of ev (callback.c): inside the script's transaction
 * when it has one (what is queued is sent first), so that they commit or
 * roll back with it. On failure that transaction is rolled back. Returns 0
 * or the callback's error, naming the callback's file and line.
 */
static int run_each_callbacks(struct run_exec *ex, int tx, const struct dbm_file *file,
                              enum dbm_event ev)
{
	struct dbm_session *s = ex->s;
	int r = 0;

	if (!dbm_callback_has(s, ev))
		return 0;
	if (ex->batch)
		r = run_flush(ex);
	if (r == 0)
		r = dbm_callback_fire(s, ev, tx);
	if (r == 0)
		return dbm_session_set_filename(
		    s, file); /* ${flyway:filename} is the script's again */
	if (tx && !s->dry_run) {
		dbm_batch_clear(&s->batch);
		dbm_session_rollback(s);
		dbm_error_set_hint(
		    "Nothing of %s was applied: its transaction, with the callback's "
		    "statements, was rolled back. Fix the callback and run the command "
		    "again.",
		    file->path);
	}
	return r;
}

int dbm_run_script(struct dbm_session *s, enum dbm_run_kind kind, const struct dbm_file *file,
                   const char *version, const char *description, struct dbm_run_result *res)
{
	const struct dbm_config *cfg = s->cfg;
	struct dbm_source_opts o;
	struct run_scan sc;
	struct run_exec ex;
	struct dbm_placeholders shown = DBM_PLACEHOLDERS_INIT;
	struct dbm_history_row row;
	struct timespec t0;
	char label[512], took[64];
	int32_t checksum = 0;
	int tx, r, marker_rank = 0, row_queued = 0, after_failed = 0;
	struct dbm_error after_err;
	enum dbm_event before_ev =
	    kind == DBM_RUN_UNDO ? DBM_EV_BEFORE_EACH_UNDO : DBM_EV_BEFORE_EACH_MIGRATE;
	enum dbm_event after_ev =
	    kind == DBM_RUN_UNDO ? DBM_EV_AFTER_EACH_UNDO : DBM_EV_AFTER_EACH_MIGRATE;

	memset(res, 0, sizeof(*res));
	memset(&sc, 0, sizeof(sc));
	memset(&ex, 0, sizeof(ex));
	memset(&o, 0, sizeof(o));
	sc.driver = s->driver;
	sc.path = file->path;
	o.dialect = s->dialect;
	o.placeholders = cfg->placeholder_replacement ? &s->placeholders : NULL;
	o.checksum_after_placeholders = file->kind == DBM_FILE_REPEATABLE;
	o.on_stmt = run_scan_stmt;
	o.ctx = &sc;
	if (dbm_interrupt_signal()) {
		dbm_error_set(DBM_ERR_INTERRUPTED, "interrupted by %s before this file ran",
		              dbm_signal_name(dbm_interrupt_signal()));
		dbm_error_set_where(file->path, 0);
		dbm_error_set_detail("the files before it are applied, each with its history row; "
		                     "nothing of this one ran");
		dbm_error_set_hint("Run the command again to go on.");
		return DBM_ERR_INTERRUPTED;
	}
	r = dbm_session_set_filename(s, file);
	if (r == 0)
		r = dbm_source_run_file(file, &o, &checksum);
	if (r < 0)
		return r;

	tx = (s->driver->caps & DBM_CAP_TX_DDL) && file->in_transaction != 0 && !sc.no_tx &&
	     !sc.tx_control_line;
	if (sc.no_tx && sc.no_tx < sc.statements && !cfg->mixed && file->in_transaction != 0) {
		dbm_error_set(
		    DBM_ERR_USAGE,
		    "statement cannot run in a transaction, in a file with other statements");
		dbm_error_set_where(file->path, sc.no_tx_line);
		dbm_error_set_detail("%s", sc.no_tx_text);
		dbm_error_set_hint("Move it to a migration of its own, or set mixed: true to run "
		                   "such files statement by statement.");
		return DBM_ERR_USAGE;
	}
	if (s->group_tx && !tx) {
		/* group: true holds every pending migration in one transaction */
		dbm_error_set(DBM_ERR_USAGE,
		              "this migration cannot run inside the group's transaction");
		dbm_error_set_where(file->path, sc.no_tx ? sc.no_tx_line : sc.tx_control_line);
		dbm_error_set_detail("%s", sc.no_tx ? sc.no_tx_text
		                           : sc.tx_control_line
		                               ? "the file controls its own transactions"
		                               : "its .conf sets executeInTransaction=false");
		dbm_error_set_hint(
		    "Nothing was applied. Set group: false (flyway.group=false) to run "
		    "each migration in its own transaction.");
		return DBM_ERR_USAGE;
	}
	if (file->in_transaction == 0)
		; /* the file's .conf chose to run without a transaction: nothing to warn about */
	else if (sc.no_tx && (s->driver->caps & DBM_CAP_TX_DDL))
		dbm_out_warn(
		    "%s:%u: '%s' cannot run in a transaction: this migration runs without "
		    "one, statement by statement; if a statement fails, the ones before it "
		    "stay applied",
		    file->path, sc.no_tx_line, sc.no_tx_text);
	else if (sc.tx_control_line && (s->driver->caps & DBM_CAP_TX_DDL))
		dbm_out_warn("%s:%u: the file controls its own transactions: it runs as written, "
		             "without a transaction around it",
		             file->path, sc.tx_control_line);

	memset(&row, 0, sizeof(row));
	row.version = (char *)(kind == DBM_RUN_UNDO ? version : file->version);
	row.description = (char *)(description ? description : file->description);
	row.type = (char *)(kind == DBM_RUN_UNDO ? "UNDO_SQL" : "SQL");
	row.script = file->script;
	row.has_checksum = 1;
	row.checksum = checksum;

	run_label(kind, file, version, label, sizeof(label));
	dbm_out_progress_begin(label);
again:
	dbm_out_progress_size(sc.statements, run_file_size(file->path));
	clock_gettime(CLOCK_MONOTONIC, &t0);
	ex.s = s;
	ex.display = file->path;
	/*
	 * Statements go to the server together where nothing depends on when a
	 * failure is seen: in a transaction, or where each statement commits on
	 * its own and the server stops at the first failure (batch.c).
	 */
	ex.batch = !s->dry_run && s->driver->exec_batch &&
	           (tx || (s->driver->caps & DBM_CAP_BATCH_AUTOCOMMIT));
	dbm_batch_clear(&s->batch);
	if (s->dry_run)
		dbm_dry_comment(
		    s, "%s (%s): %s", label, file->path,
		    tx ? "in one transaction with its history row"
		       : "statement by statement, as the run does it: a failed history row "
		         "first, made a success row at the end");
	if (tx && !s->group_tx) {
		r = run_own(&ex, dbm_sql_begin(s->dialect));
		if (r < 0)
			goto fail;
	}
	r = run_each_callbacks(&ex, tx, file, before_ev);
	if (r < 0)
		goto fail;
	if (!tx) {
		/* also in a dry run: its script leaves the same failed row where it stops */
		/* the failed row that stays if this run dies half way */
		row.success = 0;
		r = dbm_session_record(s, &row);
		if (r < 0)
			goto fail;
		marker_rank = row.installed_rank;
	}
	o.on_stmt = run_exec_stmt;
	o.ctx = &ex;
	/* --dry-run shows the user's placeholders as written: a value may be secret */
	if (s->dry_run && (r = dbm_session_shown_placeholders(s, &shown)) < 0)
		goto fail;
	if (s->dry_run && cfg->placeholder_replacement)
		o.placeholders = &shown;
	r = dbm_source_run_file(file, &o, NULL);
	dbm_placeholders_free(&shown);
	o.placeholders = cfg->placeholder_replacement ? &s->placeholders : NULL;
	if (r == 0 && ex.batch)
		r = run_flush(&ex);
	if (r < 0 && r != DBM_ERR_INTERRUPTED && r != DBM_ERR_NOMEM && dbm_interrupt_signal())
		r = run_interrupted(file->path, ex.failed_line);
	if (!tx)
		run_left_open(s, &sc, &ex, file, &r);
	if (r == 0 || (!tx && (ex.failed_index || ex.rolled_back)))
		r = run_reset_session(s, &sc, r);
	if (r < 0) {
		if (s->dry_run)
			; /* nothing ran */
		else if (!tx && (ex.failed_index || ex.rolled_back))
			r = run_fail_partial(s, &row, &ex, &sc, kind, file, marker_rank != 0);
		else if (tx) {
			dbm_batch_clear(&s->batch);
			dbm_session_rollback(s);
			if (ex.failed_index && r != DBM_ERR_INTERRUPTED && !s->group_tx &&
			    run_retry_outside_tx(s, file, &ex)) {
				tx = 0;
				memset(&ex, 0, sizeof(ex));
				goto again;
			}
			if (r == DBM_ERR_INTERRUPTED)
				dbm_error_set_hint("%s", run_hint_interrupted);
			else if (ex.failed_index)
				dbm_error_set_hint("%s", run_hint_rolled_back);
		}
		goto fail;
	}
	r = run_each_callbacks(&ex, tx, file, after_ev);
	if (r < 0 && tx)
		goto fail;
	if (r < 0) {
		/* without a transaction the migration is applied: its row says so, then the error
		 */
		dbm_error_save(&after_err);
		after_failed = 1;
		r = 0;
	}
	dbm_failpoint("before_history");
	row.execution_time = run_elapsed_ms(&t0);
	row.success = 1;
	if (marker_rank) {
		/* the failed row written before the run becomes its success row, keeping its rank
		 */
		r = dbm_hist_succeed(s, marker_rank, row.execution_time);
	} else if (ex.batch && (s->driver->caps & DBM_CAP_BATCH_PARAMS)) {
		/*
		 * the row (its values bound) and the COMMIT go together, after the
		 * statements ran (execution_time)
		 */
		struct dbm_stmt st;

		r = dbm_hist_insert_stmt(s, &row, &st);
		if (r == 0)
			r = dbm_batch_add(&s->batch, &st);
		row_queued = r == 0;
	} else {
		if (ex.batch)
			r = run_flush(&ex);
		if (r == 0)
			r = dbm_session_record(s, &row);
	}
	if (r < 0) {
		if (tx)
			dbm_session_rollback(s);
		goto fail;
	}
	dbm_failpoint("after_history");
	if (tx && s->group_tx) {
		/* the group's transaction goes on: migrate commits it after the last migration */
		if (ex.batch && (r = run_flush(&ex)) < 0) {
			dbm_batch_clear(&s->batch);
			dbm_session_rollback(s);
			goto fail;
		}
		if (row_queued)
			s->next_rank++;
	} else if (tx) {
		r = run_own(&ex, dbm_sql_commit(s->dialect));
		if (r == 0 && ex.batch)
			r = run_flush(&ex);
		if (r < 0) {
			if (ex.batch) {
				/* the row's INSERT may have failed, leaving the transaction open */
				dbm_batch_clear(&s->batch);
				dbm_session_rollback(s);
			}
			if (!dbm_error_last()->hint[0])
				dbm_error_set_hint("%s", run_hint_rolled_back);
			goto fail;
		}
		if (row_queued)
			s->next_rank++;
	}
	dbm_failpoint("after_commit");
	if (after_failed) {
		dbm_error_restore(&after_err);
		dbm_error_add_detail(
		    "%s ran without a transaction: every statement of it is applied "
		    "and its history row says so",
		    file->path);
		dbm_error_set_hint("Fix the callback and run the command again; the migration is "
		                   "not run again.");
		r = after_err.klass < 0 ? after_err.klass : DBM_ERR_RUN;
		goto fail;
	}
	res->executed_ms = row.execution_time;
	res->statements = sc.statements;
	res->transactional = tx;
	snprintf(took, sizeof(took), s->dry_run ? "dry run" : "%d ms", row.execution_time);
	dbm_out_progress_end(took);
	return 0;
fail : {
	struct dbm_error *e = dbm_error_last();

	if (!e->file[0])
		dbm_error_set_where(file->path, e->line);
}
	dbm_out_progress_end("failed");
	return r;
}
