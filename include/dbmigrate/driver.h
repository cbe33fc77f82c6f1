/*
 * driver.h - the database driver vtable and the registry by URL scheme.
 *
 * One const struct dbm_driver per database (src/drivers/<name>.c): identity
 * first, capability bits, then operations. Optional operations are NULL and
 * callers check them. A driver's connection struct embeds struct dbm_conn as
 * its first member. A driver never prints: it returns 0 or a negative error
 * class and fills the last error (common.h) with the server's message,
 * SQLSTATE or error number, detail, hint and the statement position. Callers
 * decide on SQLSTATE or error numbers, never on message text.
 *
 * The SQL that dbmigrate itself sends (transactions, history table) is built
 * by sqlgen.h. Transaction control goes through exec like any migration
 * statement; history statements carry their values as bound parameters
 * (exec_params, or dbm_stmt.params in a batch), and --dry-run prints them
 * with the values written as literals.
 */
#ifndef DBM_DRIVER_H
#define DBM_DRIVER_H

#include <stddef.h>

#include "dbmigrate/common.h"
#include "dbmigrate/schema.h"
#include "dbmigrate/sqlsplit.h"

/* Capability bits (struct dbm_driver.caps). */
#define DBM_CAP_TX_DDL 0x01  /* DDL is transactional: a migration and its row commit together */
#define DBM_CAP_SCHEMAS 0x02 /* --schema selects a schema (PostgreSQL) or database (MySQL) */
/*
 * stmt_flags reports DBM_EXEC_SESSION: reset_session is needed only after a script with such a
 * statement
 */
#define DBM_CAP_SESSION_FLAGS 0x04
/*
 * exec_batch also outside a transaction: each statement commits on its own, a failure stops the
 * rest and the ones before it stay
 */
#define DBM_CAP_BATCH_AUTOCOMMIT 0x08
/*
 * exec_batch honours dbm_stmt.params, so a history row travels in the same round trip as its
 * COMMIT
 */
#define DBM_CAP_BATCH_PARAMS 0x10
/*
 * the database is a local file that connecting creates: the files are checked before connecting,
 * not while it connects
 */
#define DBM_CAP_EMBEDDED 0x20

/* Statement flags (stmt_flags). */
#define DBM_EXEC_NO_TX 0x01 /* the statement cannot run inside a transaction block */
/* BEGIN, START TRANSACTION, COMMIT, END, ROLLBACK (not TO SAVEPOINT) */
#define DBM_EXEC_TX_CONTROL 0x02
#define DBM_EXEC_SESSION 0x04 /* may change the session's settings (SET, USE, CALL ...) */
#define DBM_EXEC_ALONE 0x08   /* must go through exec on its own, never exec_batch (COPY) */

/* What a script left open on the connection (tx_state). */
enum dbm_tx_state {
	DBM_TX_IDLE = 0,   /* nothing: each statement committed */
	DBM_TX_OPEN = 1,   /* a transaction (or table locks) the script did not end */
	DBM_TX_FAILED = 2, /* a transaction aborted by an error: only ROLLBACK works */
	DBM_TX_LOCKS = 3   /* no transaction, but table locks held (MySQL LOCK TABLES) */
};

/* What the driver makes of an error of a statement (classify_error). */
enum dbm_err_kind {
	DBM_ERRK_PLAIN = 0,      /* an error of the statement: report it */
	DBM_ERRK_RETRY_NO_TX = 1 /* the script may run without a transaction, statement by
	                          * statement, as the database's client would run it (PostgreSQL
	                          * 55P04: a new enum value used in the transaction that added
	                          * it); the transaction was rolled back */
};
/*
 * The DBM_EXEC_* flags of a statement handed out by the splitter, which
 * classified it (sqlsplit.h): what a driver's stmt_flags returns.
 */
static inline unsigned dbm_stmt_exec_flags(const struct dbm_stmt *s)
{
	return ((s->flags & DBM_STMT_NO_TX) ? DBM_EXEC_NO_TX : 0) |
	       ((s->flags & DBM_STMT_TX_CONTROL) ? DBM_EXEC_TX_CONTROL : 0) |
	       ((s->flags & DBM_STMT_SESSION) ? DBM_EXEC_SESSION : 0) |
	       ((s->flags & DBM_STMT_ALONE) ? DBM_EXEC_ALONE : 0);
}

struct dbm_conn_opts {
	const char *url;     /* as configured: secret, never put it in an error */
	const char *schema;  /* NULL: the connection's default */
	int connect_retries; /* extra attempts after the first, with backoff 1 s, 2 s, 4 s ... */
	int connect_retries_interval; /* cap of one backoff wait, seconds */
	int statement_timeout;        /* seconds, 0 = none */
	int ddl_lock_timeout;         /* seconds, 0 = the server's default */
	const char *application_name; /* "dbmigrate" */
};

struct dbm_conn {
	const struct dbm_driver *driver;
	char *schema;         /* effective schema/database; SQLite: "main". Owned by the driver. */
	char *user;           /* database user, for installed_by; owned by the driver */
	char *server_version; /* "PostgreSQL 15.18", may be NULL; owned by the driver */
};

/*
 * Called once per result row; values[i] is NULL for SQL NULL. Returns 0 to
 * go on, non-zero to stop (the query returns that value).
 */
typedef int (*dbm_row_cb)(void *ctx, unsigned ncols, const char *const *values);

struct dbm_driver {
	const char *name;           /* "sqlite", "postgresql", "mysql" */
	const char *const *schemes; /* NULL-terminated URL schemes: "postgres", "postgresql" */
	enum dbm_dialect dialect;
	unsigned caps;
	/*
	 * A query whose one value tells this database from every other,
	 * however the URL spells it (diff refuses a shadow database that is the
	 * live one): the SQLite file's path; the server with the database's
	 * name.
	 */
	const char *identity_sql;

	/* Appends the client library and its version ("libpq 15.18"). */
	int (*client_version)(struct dbm_buf *out);
	/*
	 * Connects with retries. Returns 0 and *out; DBM_ERR_RUN with the
	 * server's message (never the password); DBM_ERR_USAGE for a malformed
	 * URL (message names the problem, not the URL's secret).
	 */
	int (*connect)(const struct dbm_conn_opts *o, struct dbm_conn **out);
	void (*disconnect)(struct dbm_conn *c);
	/*
	 * Executes one statement, discarding any rows. DBM_STMT_COPY_IN
	 * statements send their copy_data (PostgreSQL). Returns 0 or DBM_ERR_RUN
	 * with message, sqlstate/server_code, detail, hint and position (1-based
	 * byte offset into s->sql) from the server.
	 */
	int (*exec)(struct dbm_conn *c, const struct dbm_stmt *s);
	/*
	 * Optional: runs stmts[0..n-1] in order without waiting for each one's
	 * result (libpq's pipeline mode, MySQL's multi-statement queries: the
	 * lot in one round trip), stopping at the first failure. Given the
	 * statements of one transaction, where a failure rolls everything back
	 * so it does not matter when it is seen, and with
	 * DBM_CAP_BATCH_AUTOCOMMIT those of a script run without one; never a
	 * statement flagged DBM_EXEC_ALONE. Returns 0; or the first failing
	 * statement's error, as exec would set it, with *failed its 0-based
	 * index: the ones before it ran.
	 */
	int (*exec_batch)(struct dbm_conn *c, const struct dbm_stmt *stmts, size_t n,
	                  size_t *failed);
	/* Runs a query and calls cb per row. 0, cb's non-zero value, or DBM_ERR_RUN. */
	int (*query)(struct dbm_conn *c, const char *sql, dbm_row_cb cb, void *ctx);
	/*
	 * Runs one statement with values bound to its placeholders ($1, $2 ...
	 * for PostgreSQL, ? for MySQL and SQLite), never spliced into the text
	 * by hand: the server's string settings (standard_conforming_strings,
	 * NO_BACKSLASH_ESCAPES) cannot change what is stored. params[i] is
	 * text, NULL for SQL NULL; the server converts it to the column's type.
	 * Rows, if any, go to cb when given. Used for every read and write of
	 * the history table (src/runner/history.c). Returns 0, cb's non-zero
	 * value, or DBM_ERR_RUN as exec sets it.
	 */
	int (*exec_params)(struct dbm_conn *c, const char *sql, unsigned nparams,
	                   const char *const *params, dbm_row_cb cb, void *ctx);

	/*
	 * Optional: puts the session back as it was after connect, undoing what
	 * a migration changed with SET (search path, SQL mode, time zone ...),
	 * so that each script starts as it would in a new session of the
	 * database's own client. Called after each script; never releases the
	 * lock. 0 or DBM_ERR_RUN.
	 */
	int (*reset_session)(struct dbm_conn *c);
	/*
	 * Optional, for a dry run's script, which no connection of dbmigrate's
	 * runs: statements (each NUL-terminated) that keep what reset_session
	 * needs, run once at the start (setup), and that put the session back
	 * from them after a script (reset), in the replaying client's session.
	 * 0 or DBM_ERR_NOMEM.
	 */
	int (*reset_session_sql)(struct dbm_buf *setup, struct dbm_buf *reset);

	/*
	 * Optional: DBM_EXEC_* flags of a statement (NULL: always 0). Pure, no I/O.
	 * The runner runs a file holding a NO_TX or TX_CONTROL statement outside
	 * a transaction of its own, one statement at a time, as psql would.
	 */
	unsigned (*stmt_flags)(const struct dbm_stmt *s);
	/*
	 * Takes the runner lock named after the history table (one runner per
	 * table at a time), waiting up to timeout_s seconds. Returns 0;
	 * DBM_ERR_LOCK when not acquired in time, the message naming the holder
	 * (pid, application, address, since when) as far as the server tells;
	 * DBM_ERR_RUN. It must not hold a transaction open while held.
	 */
	int (*lock)(struct dbm_conn *c, const char *schema, const char *table, int timeout_s);
	/* Releases the lock; safe to call when not held. */
	int (*unlock)(struct dbm_conn *c);
	/*
	 * Drops every object in the schema (tables, views, sequences, routines,
	 * types ...), including the history table. Refuses (DBM_ERR_USAGE) a
	 * system schema, and a schema that objects outside it depend on (a view,
	 * a foreign key, a column's type or default, a trigger, a routine),
	 * naming them; drops nothing then. 0, DBM_ERR_USAGE or DBM_ERR_RUN.
	 */
	int (*clean)(struct dbm_conn *c, const char *schema);
	/*
	 * Optional: the statements clean would run on the schema, in an order
	 * that runs as a script, its transaction control included, each
	 * NUL-terminated in out; nothing is dropped (PostgreSQL finds the order
	 * by dropping inside a transaction it rolls back). Refuses as clean
	 * does. 0, DBM_ERR_USAGE or DBM_ERR_RUN.
	 */
	int (*clean_script)(struct dbm_conn *c, const char *schema, struct dbm_buf *out);
	/*
	 * Optional: adds to out every object of the schema (NULL: the
	 * connection's) as the database's own deparsers print it, without the
	 * table history_table and its "<history_table>_snapshot", nor anything
	 * the server chose (counters, OIDs); out->header gets what a load needs
	 * first. out is not sorted yet (schema.h). 0 or DBM_ERR_RUN.
	 */
	int (*dump)(struct dbm_conn *c, const char *schema, const char *history_table,
	            struct dbm_schema *out);

	/*
	 * Optional: what the statements run since the last call left open on c
	 * (enum dbm_tx_state), asked after a script that ran without dbmigrate's
	 * own transaction. what receives a few words naming it ("a
	 * transaction", "an XA transaction", "LOCK TABLES"). No I/O where the
	 * client library tracks it; never sets the error; DBM_TX_IDLE when it
	 * cannot tell.
	 */
	int (*tx_state)(struct dbm_conn *c, char *what, size_t n);
	/*
	 * Optional: ends what tx_state found, throwing its work away: rolls the
	 * transaction back, releases table locks. A connection that cannot be
	 * brought back is closed (the server then rolls back), and later calls
	 * fail as on a lost connection. 0 or DBM_ERR_RUN.
	 */
	int (*tx_abort)(struct dbm_conn *c);
	/*
	 * Optional: how the runner should take the last error, set by exec or
	 * exec_batch (enum dbm_err_kind); decided on SQLSTATE or error number.
	 * NULL: always DBM_ERRK_PLAIN.
	 */
	int (*classify_error)(const struct dbm_error *e);
	/*
	 * Optional: asks the server to stop the statement running on c, from
	 * another thread while the connection is busy (SIGINT, SIGTERM). The
	 * statement then fails with the server's "canceled" error. Returns 0 or
	 * -1; never touches the last error.
	 */
	int (*cancel)(struct dbm_conn *c);
	/*
	 * Optional: how the session reads strings now, as the server last
	 * reported it (PostgreSQL: standard_conforming_strings; MySQL:
	 * NO_BACKSLASH_ESCAPES and ANSI_QUOTES of sql_mode, from the status of
	 * the last reply). The runner asks after each statement flagged
	 * DBM_STMT_STRING_RULES and tells the splitter. 0 or DBM_ERR_RUN.
	 */
	int (*string_rules)(struct dbm_conn *c, struct dbm_string_rules *out);
	/*
	 * Optional: whether the server refuses writes as a read-only replica
	 * (a PostgreSQL hot standby, a MySQL/MariaDB server with read_only or
	 * super_read_only), asked once before the runner locks or writes
	 * anything. Returns 1 with what set to how the server says so
	 * ("pg_is_in_recovery() is true"), 0 when it takes writes, DBM_ERR_RUN
	 * when asking failed. NULL: never read-only.
	 */
	int (*read_only)(struct dbm_conn *c, char *what, size_t n);
};

/*
 * The driver for url's scheme ("sqlite:x.db" -> sqlite). Returns NULL with
 * DBM_ERR_USAGE set when the scheme is unknown or compiled out; the message
 * names the scheme and the hint lists the drivers this build has.
 */
const struct dbm_driver *dbm_driver_for_url(const char *url);
/* NULL-terminated table of the drivers compiled in. */
extern const struct dbm_driver *const dbm_drivers[];

#endif /* DBM_DRIVER_H */
