/*
 * drvcommon.h - what the drivers share (common.c); only the driver files
 * include it.
 *
 *   clocks and sleeps     a monotonic clock in milliseconds, a sleep that
 *                         survives signals
 *   connect with backoff  retries of a connect attempt, 1 s, 2 s, 4 s ...
 *   lock names            the FNV-1a hash behind the lock keys and names
 *   identifiers           quoting with '"' (PostgreSQL) or '`' (MySQL)
 *   lease locks           the timing of a lock row with an expiry (Galera,
 *                         PgBouncer), the loop that takes it and the
 *                         heartbeat thread that keeps it
 *   error text            a client library's message as one line, scrubbed
 *                         of every secret, or withheld when the URL is
 *                         ambiguous (secret.h)
 *   client libraries      loaded with dlopen on first use, one table of
 *                         functions per library (docs/decisions.md)
 */
#ifndef DBM_DRVCOMMON_H
#define DBM_DRVCOMMON_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include "dbmigrate/driver.h"

/* FNV-1a's 64-bit offset basis. */
#define DBM_DRV_FNV_BASIS 14695981039346656037ULL

/* Milliseconds on a monotonic clock. */
long long dbm_drv_now_ms(void);
/* Sleeps for ms milliseconds, resuming after a signal. */
void dbm_drv_sleep_ms(long ms);

/*
 * Runs attempt(ctx) until it returns anything but DBM_ERR_RUN, or until
 * o->connect_retries more attempts have failed, or retryable(ctx) (when
 * given) says the failure is final; waits 1 s, 2 s, 4 s ... capped at
 * o->connect_retries_interval (120 s when not positive) between attempts.
 * attempt sets the error when it fails. Returns attempt's last result.
 */
int dbm_drv_connect_with_backoff(const struct dbm_conn_opts *o, int (*attempt)(void *ctx),
                                 int (*retryable)(void *ctx), void *ctx);

/*
 * A lease: the runner lock as a row in a lock table, for where no lock of
 * the server's own reaches every runner (GET_LOCK is per node on Galera; a
 * session-level advisory lock does not outlive a transaction through
 * PgBouncer's transaction pooling). The row says who holds it and until
 * when; a heartbeat pushes that forward, so a runner that died frees the
 * lock DBM_DRV_LEASE_EXPIRY_S after its last heartbeat at most, and
 * whoever finds a row past its expiry may delete it and take the lock.
 */
#define DBM_DRV_LEASE_EXPIRY_S 60    /* a row not refreshed for this long is free */
#define DBM_DRV_LEASE_HEARTBEAT_S 10 /* how often the heartbeat refreshes it */
#define DBM_DRV_LEASE_RETRY_MS 250   /* pause between attempts at a held row */

/*
 * Calls try_take(ctx) until it returns 0 (the row is ours) or an error,
 * pausing DBM_DRV_LEASE_RETRY_MS while it returns 1 (held by another
 * runner, or a conflict worth retrying), for up to timeout_s seconds.
 * Returns 0; try_take's error; DBM_ERR_INTERRUPTED on SIGINT or SIGTERM;
 * DBM_ERR_LOCK, with no message set, when the time is up (the caller names
 * the holder).
 */
int dbm_drv_lease_take(int (*try_take)(void *ctx), void *ctx, int timeout_s);

/* A thread that calls beat(ctx) every DBM_DRV_LEASE_HEARTBEAT_S until stopped. */
struct dbm_drv_heartbeat {
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	void (*beat)(void *ctx); /* must not touch the last error: it runs beside the runner */
	void *ctx;
	int running;
	int stop;
};

/* Starts hb (zeroed, or stopped). 0, or DBM_ERR_RUN when no thread can start. */
int dbm_drv_heartbeat_start(struct dbm_drv_heartbeat *hb, void (*beat)(void *ctx), void *ctx);
/* Stops hb and waits for its thread; a no-op when it does not run. */
void dbm_drv_heartbeat_stop(struct dbm_drv_heartbeat *hb);

/* FNV-1a of s, continuing from h (start with a basis). */
uint64_t dbm_drv_fnv1a(uint64_t h, const char *s);

/*
 * The name of the lock row table of history table table, "<table>_lock",
 * into out (cleared): when that is longer than max_name (0: no limit) its
 * first 42 bytes and "_<FNV-1a of it>_lock". The one spelling the lock
 * (MySQL, PgBouncer) and the dump's list of dbmigrate's own tables use.
 * 0 or DBM_ERR_NOMEM.
 */
int dbm_drv_lock_table(struct dbm_buf *out, const char *table, size_t max_name);

/* Appends ident quoted with q ('"' or '`'), q doubled inside. 0 or DBM_ERR_NOMEM. */
int dbm_drv_quote_ident(struct dbm_buf *b, const char *ident, char q);

/*
 * Lists the secrets of url (dbm_secret_add_url) before a connect, so that
 * every error from then on is scrubbed of them. Returns 1 when the URL is
 * ambiguous (its library's messages must be withheld: dbm_drv_lib_text),
 * 0 when not, DBM_ERR_NOMEM.
 */
int dbm_drv_secrets(const char *url);

/*
 * Copies a client library's or server's text src into dst (size n) as one
 * line: newlines and tabs become spaces, runs of spaces collapse, the ends
 * are trimmed, and every listed secret becomes "***". With withhold (the
 * URL is ambiguous) the text is replaced by DBM_DRV_WITHHELD instead.
 */
void dbm_drv_lib_text(char *dst, size_t n, const char *src, int withhold);

/* What dbm_drv_lib_text shows in place of a message it withholds, and the hint to give. */
#define DBM_DRV_WITHHELD                                                                           \
	"the client library's message is not shown, as it may quote part of the password: "        \
	"the URL's password holds characters that are not percent-encoded"
#define DBM_DRV_WITHHELD_HINT                                                                      \
	"Percent-encode the password in the URL ('@' as %40, ':' %3A, '/' %2F, '?' %3F, '#' %23, " \
	"'%' %25, a space %20), or leave it out of the URL and set it in PGPASSWORD or "           \
	"MYSQL_PWD."

/*
 * A client library's function as the loader keeps it; DBM_DRV_FN casts it
 * back to its own type for the call.
 */
typedef void (*dbm_drv_fn)(void);

/*
 * A client library loaded when its driver is first used (dbm_drv_load).
 * The soname and the Debian package come from the build (CMakeLists.txt
 * finds them with pkg-config). names lists the n functions the driver
 * calls; fns receives them in the same order. The first nrequired must be
 * there; the others are optional (NULL when the library is older).
 */
struct dbm_drv_lib {
	const char *what;          /* "the PostgreSQL client library" */
	const char *soname;        /* what dlopen loads: "libpq.so.5" */
	const char *package;       /* the Debian package that holds it: "libpq5" */
	const char *built_against; /* "SQLite 3.40.1", for a missing function's hint; or NULL */
	const char *const *names;
	dbm_drv_fn *fns;
	size_t n, nrequired;
	void *handle;     /* dlopen's, once loaded; kept for the life of the process */
	int optional_all; /* every optional function was found */
};

/*
 * Loads lib once (later calls return at once) and fills its table.
 * Returns 0, or DBM_ERR_RUN naming the library and the package to install,
 * or the function it lacks.
 */
int dbm_drv_load(struct dbm_drv_lib *lib);

/* Function f of a loaded table fns, where idx is its place: f's own type, ready to call. */
#define DBM_DRV_FN(fns, idx, f) (*(__typeof__(f) *)(fns)[idx])

/*
 * clean's refusal when objects outside the schema (PostgreSQL) or database
 * (MySQL) that clean empties depend on it: kind is "schema" or "database",
 * name the one cleaned, effect what clean would do to them ("break them"),
 * names the objects' names, each ending in a NUL (the first 20 are listed).
 * Returns DBM_ERR_USAGE.
 */
int dbm_drv_clean_outside_error(const char *kind, const char *name, const char *effect,
                                const struct dbm_buf *names);

#endif /* DBM_DRVCOMMON_H */
