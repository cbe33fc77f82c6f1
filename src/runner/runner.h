/*
 * runner.h - what the commands share: a session (configuration, files,
 * connection, lock, history) and the execution of one script with its
 * history row.
 *
 * Data flows one way: configuration -> scan files -> connect -> lock ->
 * read history -> plan -> execute -> append history -> report. A command
 * opens a session with the steps it needs, plans with core/plan, and runs
 * scripts with dbm_run_script(). The runner reports progress through
 * output/output.h; errors are returned as classes with the last error set.
 */
#ifndef DBM_RUNNER_H
#define DBM_RUNNER_H

#include "dbmigrate/config.h"
#include "dbmigrate/driver.h"
#include "dbmigrate/history.h"
#include "dbmigrate/plan.h"
#include "dbmigrate/schema.h"
#include "dbmigrate/scan.h"
#include "dbmigrate/sqlgen.h"
#include "runner/history.h"

/* What a command needs from dbm_session_open. */
#define DBM_SESSION_FILES 0x01     /* scan the migrations and rollback folders */
#define DBM_SESSION_CONNECT 0x02   /* connect and read the history table (when it exists) */
#define DBM_SESSION_LOCK 0x04      /* take the runner lock before reading the history */
#define DBM_SESSION_CREATE 0x08    /* create the schema and history table when missing */
#define DBM_SESSION_CALLBACKS 0x10 /* without FILES: scan for callbacks when the folder exists */

/*
 * Statements queued for the driver's exec_batch (batch.c). stmts[i].sql is
 * set from text and offs[i] when they are sent; after dbm_batch_send,
 * stmts[0..sent-1] stay readable until the next dbm_batch_add.
 */
struct dbm_batch {
	struct dbm_buf text;    /* the queued statements' SQL, each NUL-terminated */
	struct dbm_stmt *stmts; /* index 0 marks dbmigrate's own SQL (BEGIN, history, COMMIT) */
	size_t *offs;
	size_t n, cap, sent;
};

/* A batch is sent once it holds this much SQL; a larger statement runs on its own. */
#define DBM_BATCH_BYTES (64 * 1024)

/* Queues a copy of st (without COPY data). 0 or DBM_ERR_NOMEM. */
int dbm_batch_add(struct dbm_batch *b, const struct dbm_stmt *st);
/*
 * Sends the queued statements through conn's exec_batch and empties the
 * queue. Returns 0, or the error of stmts[*failed].
 */
int dbm_batch_send(struct dbm_batch *b, struct dbm_conn *conn, size_t *failed);
/* Drops what is queued, unsent. */
void dbm_batch_clear(struct dbm_batch *b);
void dbm_batch_free(struct dbm_batch *b);

struct dbm_session {
	const struct dbm_config *cfg;
	unsigned steps; /* DBM_SESSION_* done */
	int dry_run;    /* print what would run, change nothing */
	const struct dbm_driver *driver;
	enum dbm_dialect dialect;
	struct dbm_conn *conn;
	const char *schema; /* for SQL: cfg->schema, else NULL (the connection's default) */
	int locked;
	int history_exists;
	long long next_rank; /* installed_rank of the next row written; may be
	                      * INT_MAX + 1, which history.c refuses to write */
	struct dbm_fileset files;
	struct dbm_history history;
	struct dbm_placeholders placeholders; /* cfg's plus the built-ins */
	struct dbm_buf sql;                   /* scratch for generated SQL */
	struct dbm_sql_args hist_args;        /* the bound values of the last history statement */
	struct dbm_buf url;                   /* the URL with its password replaced */
	struct dbm_prefetch *prefetch;        /* checksums computed while connecting (prefetch.c) */
	struct dbm_batch batch;               /* a transactional script's statements (run.c) */
	unsigned char *secret; /* per cfg->placeholders item: 1 when its value is secret */
	int offline;           /* a dry run without a connection (--offline) */
	int group_tx;          /* migrate's group transaction is open (group: true):
	                        * scripts run inside it, without BEGIN/COMMIT of their own */
	long long opened_rank; /* next_rank when the history was read at open */
	int snapshot;          /* dbm_session_after_change: 0 auto, 1 always, -1 never */
};

/*
 * Opens a session with the given DBM_SESSION_* steps. Returns 0; the class
 * of the first failure otherwise (the session is still safe to close).
 */
int dbm_session_open(struct dbm_session *s, const struct dbm_config *cfg, unsigned steps,
                     int dry_run);
/*
 * Opens a dry-run session that connects to nothing (--offline): the files
 * are scanned, the driver is the one of dialect (a URL scheme or driver
 * name: "postgresql", "mysql", "sqlite"; NULL: the URL's scheme, which is
 * not connected to), and the history is assumed: with from "empty" there is
 * no history table; with a version, every versioned file up to it and every
 * repeatable as it is now are applied, one success row each, ranked 1, 2,
 * ... in that order. History statements then name the table without a
 * schema unless one is configured, and installed_by is the replaying
 * user's (the dialect's current-user expression) unless configured.
 * Returns 0; DBM_ERR_USAGE for an unknown dialect or a bad from (naming
 * the option); the error of a file.
 */
int dbm_session_open_offline(struct dbm_session *s, const struct dbm_config *cfg,
                             const char *dialect, const char *from);
/* Releases the lock, disconnects, frees everything. Never fails. */
void dbm_session_close(struct dbm_session *s);
/*
 * The placeholders as --dry-run prints them: replaced, except the user's
 * secret ones (s->secret), kept as written ("${name}"), which the dry run
 * then refuses to print (dbm_dry_check_secrets). Returns 0 and *out
 * (dbm_placeholders_free), or DBM_ERR_NOMEM.
 */
int dbm_session_shown_placeholders(const struct dbm_session *s, struct dbm_placeholders *out);

/*
 * Dry-run output (dryrun.c): a script the database's own client runs as it
 * is: psql -v ON_ERROR_STOP=1 -f FILE, mariadb DB < FILE (MySQL routines
 * between DELIMITER lines), sqlite3 -bail DB < FILE. Every dry-run
 * statement goes through dbm_dry_sql; with --json they are collected into
 * the document's "sql" array and comments are left out.
 */
/* Prints one statement, terminated so that the dialect's client reads it whole. */
void dbm_dry_sql(const struct dbm_session *s, const char *sql, size_t len);
/* Prints "-- <text>" (a line of the script's comments; line ends in text become spaces). */
void dbm_dry_comment(const struct dbm_session *s, const char *fmt, ...) DBM_GCC_PRINTF(2, 3);
/*
 * The script's opening comments: what made it (command, dialect, whether
 * from the live history or offline from an assumed version) and how to
 * replay it. A command calls dbm_dry_begin before it opens its session
 * (from: the --from of an offline run, else NULL); the comments then come
 * before the first line of the script (a connect callback's, say), or at
 * dbm_dry_header at the latest; once.
 */
void dbm_dry_begin(const char *command, const char *from);
void dbm_dry_header(const struct dbm_session *s);
/*
 * Prints the statements that put the replaying session back as it was
 * (the driver's reset_session_sql), where a run calls reset_session;
 * their setup comes with the opening comments. Nothing with --json.
 */
void dbm_dry_reset(const struct dbm_session *s);
/*
 * Refuses a dry-run statement of file path that holds a secret
 * placeholder left as "${name}" (s->secret): a dry run's text ends up in
 * logs. Returns 0, or DBM_ERR_USAGE naming the file, the line and the
 * placeholder, with a hint on giving the value at replay time.
 */
int dbm_dry_check_secrets(const struct dbm_session *s, const struct dbm_stmt *st, const char *path);

/*
 * Starts a thread computing the versioned files' checksums (when there are
 * enough files to be worth it). Returns 0 or DBM_ERR_NOMEM; a thread that
 * cannot start is no error: the checksums are then computed on demand.
 */
int dbm_prefetch_start(struct dbm_session *s);
/*
 * Starts a thread that scans the folders into s->files, then computes the
 * checksums as above. Returns 0; 1 when no thread started (the caller scans
 * itself); DBM_ERR_NOMEM. s->files is the thread's until
 * dbm_prefetch_scan_wait() returns.
 */
int dbm_prefetch_scan_start(struct dbm_session *s, const char *migrations, const char *rollback);
/*
 * Waits for that scan. Returns 0, or its error (set as this thread's last
 * error). 0 when no thread scans.
 */
int dbm_prefetch_scan_wait(struct dbm_session *s);
/*
 * Waits for the thread (asking it to stop early when use is 0) and, when use
 * is set, gives the files the checksums it computed. Safe without a thread.
 */
void dbm_prefetch_finish(struct dbm_session *s, int use);

/* Sets the built-in ${dbmigrate:filename} / ${flyway:filename} for f. 0 or DBM_ERR_NOMEM. */
int dbm_session_set_filename(struct dbm_session *s, const struct dbm_file *f);

/*
 * The checksum f's history row gets: of the file as it is for a versioned
 * one, after placeholder replacement (with ${dbmigrate:filename} set for
 * f) for a repeatable, as a run computes it. The one computed before when
 * f has it. Returns 0 and *out, or the error of reading f (naming it).
 */
int dbm_session_checksum(struct dbm_session *s, const struct dbm_file *f, int32_t *out);

/* Creates schema and history table when missing (prints them in dry-run). */
int dbm_session_ensure_history(struct dbm_session *s);

/* Runs one statement of dbmigrate's own (history, transactions), or prints it in dry-run. */
int dbm_session_exec(struct dbm_session *s, const char *sql);

/*
 * Rolls back the open transaction after a failure, keeping the last error
 * (the reason for the rollback) as it was; a failing ROLLBACK adds nothing.
 */
void dbm_session_rollback(struct dbm_session *s);

/*
 * Appends a history row with the next rank (prints it in dry-run). Fills
 * row->installed_rank. 0 or the error of dbm_hist_insert (history.h).
 */
int dbm_session_record(struct dbm_session *s, struct dbm_history_row *row);

/*
 * A plan of the session's files and history with the configuration's
 * options. It first computes the checksums the plan needs: those of the
 * files the history mentions (versioned by version, repeatables by
 * description), so that Changed and Outdated show; 0 or the error of the
 * first file that cannot be read.
 */
int dbm_session_plan(struct dbm_session *s, const char *target, struct dbm_plan *plan);

/* Why a script runs: decides the history row's type and the progress label. */
enum dbm_run_kind {
	DBM_RUN_MIGRATE, /* versioned or repeatable: type SQL */
	DBM_RUN_UNDO     /* an undo script: type UNDO_SQL, version of the undone migration */
};

struct dbm_run_result {
	int executed_ms;
	unsigned statements;
	int transactional;
};

/*
 * Runs file (its checksum is computed in a first pass that also checks the
 * whole file before anything runs), records its history row, reports
 * progress. For an undo, version/description name the undone migration.
 * Returns 0; DBM_ERR_USAGE when the file is bad (nothing ran); DBM_ERR_RUN
 * when a statement failed: the error names file:line and, when the
 * database cannot roll back, which statements are now applied; a failed
 * row was recorded in that case.
 */
int dbm_run_script(struct dbm_session *s, enum dbm_run_kind kind, const struct dbm_file *file,
                   const char *version, const char *description, struct dbm_run_result *res);

/*
 * The first line of statement st of the file at path, for a message, cut to
 * size with "...": as the file has it when placeholders were replaced in
 * it, since their values may be secret (run.c).
 */
void dbm_run_first_line(const char *path, const struct dbm_stmt *st, char *out, size_t size);

/*
 * After statement st ran: when it changes how the server reads strings
 * (DBM_STMT_STRING_RULES), has the splitter read what follows as the
 * server now does, as psql and mysql do (run.c). Returns 0 or the
 * driver's error.
 */
int dbm_run_follow_string_rules(struct dbm_session *s, const struct dbm_stmt *st);

/*
 * SQL callbacks (callback.c). dbm_callback_fire runs every callback file
 * of the event, in name order, with the session's placeholders; in_tx: a
 * transaction of the caller's is open (the migration's, for the "each"
 * events) and the statements run in it, else each file runs in a
 * transaction of its own where the database allows it. In dry-run the
 * statements are printed. Returns 0 (also with no connection or no file
 * for the event); the first failing file's error, naming its file and
 * line, the detail saying what of it is applied.
 */
int dbm_callback_fire(struct dbm_session *s, enum dbm_event ev, int in_tx);
/* 1 when some callback file is named after ev, else 0. */
int dbm_callback_has(const struct dbm_session *s, enum dbm_event ev);
/*
 * Fires an error event after a failure, keeping the failure as the last
 * error; a failing callback adds a line to its detail. Never fails.
 */
void dbm_callback_fire_error(struct dbm_session *s, enum dbm_event ev);

/*
 * The live schema of the session's connection (the configured schema),
 * without the history table, in load order (schema.h). Returns 0;
 * DBM_ERR_USAGE when the driver cannot dump; DBM_ERR_RUN.
 */
int dbm_session_dump(struct dbm_session *s, struct dbm_schema *out);
/*
 * What each command that may change the database calls once at its end,
 * with its result so far: writes the dump to the configured schema_file,
 * and records it as the snapshot after the newest history row when the
 * command added history rows (s->snapshot 0; also when it added none but
 * the newest snapshot is older than the newest history row, as a run
 * killed before its snapshot leaves it), always (1: repair --accept-drift)
 * or never (-1). Nothing in dry-run, nor when the command
 * was refused before anything ran. Also after a failure while running (a
 * migration before the failing one may have changed the schema), then
 * keeping that failure's error. Returns result when it is an error; else 0
 * or the writing's error (DBM_ERR_RUN names the file).
 */
int dbm_session_after_change(struct dbm_session *s, int result);

/* The live schema against the newest snapshot (dbm_session_drift). */
struct dbm_drift {
	int has_snapshot;            /* 0: no snapshot table or no row: nothing compared */
	int rank;                    /* the history row the snapshot follows */
	int behind;                  /* 1: the history has rows newer than rank */
	struct dbm_buf version;      /* the schema version then, empty when none */
	struct dbm_schema_diff diff; /* from the snapshot to the live schema; n 0: no drift */
	struct dbm_schema live;      /* the live schema as dumped */
	struct dbm_schema snapshot;  /* the snapshot's objects, read only when the digests differ */
};

#define DBM_DRIFT_INIT                                                                             \
	{                                                                                          \
		0, 0, 0, DBM_BUF_INIT, DBM_SCHEMA_DIFF_INIT, DBM_SCHEMA_INIT, DBM_SCHEMA_INIT      \
	}

/*
 * Compares the live schema with the newest snapshot: the same digest
 * means no drift (the snapshot text is not even read); else object by
 * object as diff does. Returns 0 (d->has_snapshot 0 when there is none)
 * or the error (DBM_ERR_USAGE when the driver cannot dump).
 */
int dbm_session_drift(struct dbm_session *s, struct dbm_drift *d);
void dbm_drift_free(struct dbm_drift *d);
/* Replaces path with text through a temporary file and rename. 0 or DBM_ERR_RUN naming path. */
int dbm_write_file(const char *path, const char *text, size_t len);

/*
 * Signals (interrupt.c). dbm_interrupt_setup, called by main() before any
 * other thread starts, makes SIGINT, SIGTERM and SIGPIPE set
 * dbm_interrupt_signal() instead of killing the process, and cancel the
 * statement running on the watched connection. Returns 0, or -1 when no
 * signal thread could start (the signals then keep their default action).
 */
int dbm_interrupt_setup(void);
/* The connection a signal cancels the statement of; NULL: none. Waits for a cancel under way. */
void dbm_interrupt_watch(struct dbm_conn *c);

/*
 * Drops every object of schema (NULL: the connection's), the history table
 * included (clean.c); with script, drops nothing and appends the statements
 * it would run, each ended by a NUL. 0, DBM_ERR_USAGE when the driver cannot,
 * or the driver's error (a refused schema).
 */
int dbm_session_clean(struct dbm_session *s, const char *schema, struct dbm_buf *script);
/*
 * The scratch database diff builds the expected schema in (shadow.c).
 * Zero it before use; dbm_shadow_drop undoes whatever was made and frees it.
 */
struct dbm_shadow {
	struct dbm_buf url; /* the shadow database's URL */
	char *file;         /* SQLite: the temporary file, removed afterwards */
	char name[64];      /* the database made by dbm_shadow_create, "" when none */
};
/* Makes a shadow database next to live's (connected): --shadow auto. 0 or the error. */
int dbm_shadow_create(struct dbm_session *live, struct dbm_shadow *sh);
/*
 * Takes the database at url as the shadow: refuses it when it is live's
 * database however the URLs are spelled, else empties it. 0 or the error.
 */
int dbm_shadow_use(struct dbm_session *live, const char *url, struct dbm_shadow *sh);
/* Drops what dbm_shadow_create made and frees sh, keeping the last error as it was. */
void dbm_shadow_drop(struct dbm_session *live, struct dbm_shadow *sh);

#endif /* DBM_RUNNER_H */
