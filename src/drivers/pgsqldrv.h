/*
 * pgsqldrv.h - what the files of the PostgreSQL driver share; nothing
 * outside src/drivers/pgsql*.c includes it.
 *
 *   pgsql.c        connecting, running statements, the session, the vtable
 *   pgsql_lib.c    loading libpq on first use
 *   pgsql_error.c  libpq's and the server's errors into dbm_error
 *   pgsql_lock.c   the runner lock: a session-level advisory lock
 *   pgsql_clean.c  clean: every object of a schema dropped from the catalog
 *   pgsql_pool.c   behind a transaction-pooling PgBouncer: the URL's pgbouncer= and
 *                  lock=, the lease lock, the settings given in each transaction
 */
#ifndef DBM_PGSQLDRV_H
#define DBM_PGSQLDRV_H

#include <stddef.h>
#include <stdint.h>

#include <libpq-fe.h>

#include "dbmigrate/driver.h"
#include "drvcommon.h"

/*
 * libpq is loaded when a PostgreSQL URL is first used, not when dbmigrate
 * starts: it brings some twenty libraries (Kerberos, LDAP, TLS) whose loading
 * would cost every run, MySQL and SQLite ones included, a few milliseconds.
 * Every libpq function the driver calls goes through the table of
 * pgsql_lib.c (dbm_drv_load, drvcommon.h).
 */
#define PGSQL_API(X)                                                                               \
	X(PQcancel)                                                                                \
	X(PQclear)                                                                                 \
	X(PQconnectdbParams)                                                                       \
	X(PQconninfoFree)                                                                          \
	X(PQconninfoParse)                                                                         \
	X(PQerrorMessage)                                                                          \
	X(PQexec)                                                                                  \
	X(PQexecParams)                                                                            \
	X(PQfinish)                                                                                \
	X(PQfreeCancel)                                                                            \
	X(PQfreemem)                                                                               \
	X(PQgetCancel)                                                                             \
	X(PQgetCopyData)                                                                           \
	X(PQgetResult)                                                                             \
	X(PQgetisnull)                                                                             \
	X(PQgetvalue)                                                                              \
	X(PQlibVersion)                                                                            \
	X(PQnfields)                                                                               \
	X(PQntuples)                                                                               \
	X(PQparameterStatus)                                                                       \
	X(PQputCopyData)                                                                           \
	X(PQputCopyEnd)                                                                            \
	X(PQresultErrorField)                                                                      \
	X(PQresultErrorMessage)                                                                    \
	X(PQresultStatus)                                                                          \
	X(PQsendQuery)                                                                             \
	X(PQserverVersion)                                                                         \
	X(PQsetNoticeProcessor)                                                                    \
	X(PQsetSingleRowMode)                                                                      \
	X(PQstatus)                                                                                \
	X(PQtransactionStatus)                                                                     \
	X(PQuser)

/* libpq 14 and later; without them, exec_batch runs one statement at a time. */
#define PGSQL_API_PIPELINE(X)                                                                      \
	X(PQenterPipelineMode)                                                                     \
	X(PQexitPipelineMode)                                                                      \
	X(PQpipelineSync)                                                                          \
	X(PQsendQueryParams)

/* Where each function is in pgsqldrv_fns. */
enum pgsqldrv_fn {
#define X(f) PGSQLDRV_##f,
	PGSQL_API(X)
	/* how many every libpq has; the pipeline functions follow them */
	PGSQLDRV_NREQUIRED,
	PGSQLDRV_PIPELINE_FIRST_ = PGSQLDRV_NREQUIRED - 1,
	PGSQL_API_PIPELINE(X)
#undef X
	    PGSQLDRV_NFN
};

extern dbm_drv_fn pgsqldrv_fns[PGSQLDRV_NFN];
/* libpq as dbm_drv_load loads it; optional_all: the pipeline functions are there. */
extern struct dbm_drv_lib pgsqldrv_lib;

/* Loads libpq once. Returns 0, or DBM_ERR_RUN naming the package to install. */
int pgsqldrv_load(void);

/* From here on, PQxxx(...) calls the loaded function. */
#define PGSQLDRV_FN(f) DBM_DRV_FN(pgsqldrv_fns, PGSQLDRV_##f, f)
#define PQcancel PGSQLDRV_FN(PQcancel)
#define PQclear PGSQLDRV_FN(PQclear)
#define PQconnectdbParams PGSQLDRV_FN(PQconnectdbParams)
#define PQconninfoFree PGSQLDRV_FN(PQconninfoFree)
#define PQconninfoParse PGSQLDRV_FN(PQconninfoParse)
#define PQerrorMessage PGSQLDRV_FN(PQerrorMessage)
#define PQexec PGSQLDRV_FN(PQexec)
#define PQexecParams PGSQLDRV_FN(PQexecParams)
#define PQfinish PGSQLDRV_FN(PQfinish)
#define PQfreeCancel PGSQLDRV_FN(PQfreeCancel)
#define PQfreemem PGSQLDRV_FN(PQfreemem)
#define PQgetCancel PGSQLDRV_FN(PQgetCancel)
#define PQgetCopyData PGSQLDRV_FN(PQgetCopyData)
#define PQgetResult PGSQLDRV_FN(PQgetResult)
#define PQgetisnull PGSQLDRV_FN(PQgetisnull)
#define PQgetvalue PGSQLDRV_FN(PQgetvalue)
#define PQlibVersion PGSQLDRV_FN(PQlibVersion)
#define PQnfields PGSQLDRV_FN(PQnfields)
#define PQntuples PGSQLDRV_FN(PQntuples)
#define PQparameterStatus PGSQLDRV_FN(PQparameterStatus)
#define PQputCopyData PGSQLDRV_FN(PQputCopyData)
#define PQputCopyEnd PGSQLDRV_FN(PQputCopyEnd)
#define PQresultErrorField PGSQLDRV_FN(PQresultErrorField)
#define PQresultErrorMessage PGSQLDRV_FN(PQresultErrorMessage)
#define PQresultStatus PGSQLDRV_FN(PQresultStatus)
#define PQsendQuery PGSQLDRV_FN(PQsendQuery)
#define PQserverVersion PGSQLDRV_FN(PQserverVersion)
#define PQsetNoticeProcessor PGSQLDRV_FN(PQsetNoticeProcessor)
#define PQsetSingleRowMode PGSQLDRV_FN(PQsetSingleRowMode)
#define PQstatus PGSQLDRV_FN(PQstatus)
#define PQtransactionStatus PGSQLDRV_FN(PQtransactionStatus)
#define PQuser PGSQLDRV_FN(PQuser)
#define PQenterPipelineMode PGSQLDRV_FN(PQenterPipelineMode)
#define PQexitPipelineMode PGSQLDRV_FN(PQexitPipelineMode)
#define PQpipelineSync PGSQLDRV_FN(PQpipelineSync)
#define PQsendQueryParams PGSQLDRV_FN(PQsendQueryParams)

#define PGSQL_LOST_MESSAGE "connection to the server was lost"

struct pgsql_conn {
	struct dbm_conn parent; /* first: the driver casts between the two */
	PGconn *pg;
	int lost;         /* the connection broke; every later call fails at once */
	int locked;       /* the advisory lock is held */
	int64_t lock_key; /* its key while held */
	struct dbm_buf
	    session;      /* the SET statements that make dbmigrate's session, re-run by reset */
	PGcancel *cancel; /* made at connect, for pgsql_cancel from another thread */

	/* Through a transaction-pooling PgBouncer (pgsql_pool.c). */
	char *url;            /* the URL without dbmigrate's own parameters, for the heartbeat */
	int pooled;           /* pgbouncer=true: no session state is relied on */
	int lease;            /* lock=table (or pgbouncer=true): the lock is a lease row */
	int lease_ready;      /* the lease table is known to exist */
	struct dbm_buf local; /* "SET LOCAL ..." run after each BEGIN when pooled; may be empty */
	char *lease_table;    /* "schema"."table_lock" while the lease is held */
	char *lease_name;     /* dbmigrate:schema.table */
	char *lease_holder;   /* host:pid:ms, this runner's token in the row */
	char *lease_host;
	char *lease_create_sql, *lease_schema_sql, *lease_delete_sql, *lease_insert_sql;
	char *lease_beat_sql;
	PGconn *hb_pg; /* the heartbeat's connection */
	struct dbm_drv_heartbeat hb;
};

extern const struct dbm_driver dbm_pgsql_driver;

/* pgsql_error.c */

/* The error of a broken connection; marks it lost. Returns DBM_ERR_RUN. */
int pgsqldrv_lost(struct pgsql_conn *pc, const PGresult *res);
/* 0 when the connection can be used, else DBM_ERR_RUN with the lost-connection error. */
int pgsqldrv_check(struct pgsql_conn *pc);
/* The error of a failed result (res NULL: libpq's). DBM_ERR_RUN or DBM_ERR_NOMEM. */
int pgsqldrv_result_error(struct pgsql_conn *pc, const PGresult *res, const char *sql, size_t len);

/* pgsql.c */

/* Runs sql, no rows expected or they are dropped. 0 or the error of pgsqldrv_result_error. */
int pgsqldrv_run(struct pgsql_conn *pc, const char *sql);
int pgsqldrv_query(struct dbm_conn *c, const char *sql, dbm_row_cb cb, void *ctx);

/* pgsql_lock.c */

int pgsqldrv_lock(struct dbm_conn *c, const char *schema, const char *table, int timeout_s);
int pgsqldrv_unlock(struct dbm_conn *c);

/* pgsql_pool.c */

/*
 * Takes dbmigrate's own parameters out of a postgres:// URL: pgbouncer=
 * (true, false) sets *pooled (and *lease), lock= (advisory, table) *lease.
 * *clean is the URL without them (a new string; NULL when url has none of
 * them or is a key=value string: use url). 0, DBM_ERR_USAGE for a bad
 * value, DBM_ERR_NOMEM.
 */
int pgsqldrv_url_options(const char *url, char **clean, int *pooled, int *lease);
/* Fills pc->local with the SET LOCAL statements of o's settings. 0 or DBM_ERR_NOMEM. */
int pgsqldrv_pool_settings(struct pgsql_conn *pc, const struct dbm_conn_opts *o);
/*
 * Runs s with exec as a pooled connection must: after a BEGIN, pc->local;
 * a statement outside a transaction that can run in one, in one of its own
 * with pc->local. Returns exec's result.
 */
int pgsqldrv_pool_exec(struct pgsql_conn *pc, const struct dbm_stmt *s,
                       int (*exec)(struct pgsql_conn *pc, const struct dbm_stmt *s));
/* 1 when s starts a transaction block (BEGIN, START TRANSACTION), comments skipped. */
int pgsqldrv_is_begin(const struct dbm_stmt *s);
/*
 * When the advisory lock is held: writes to buf a statement that fails
 * (division by zero) when another server session holds it, and returns 1;
 * else 0. Run right after each BEGIN, it finds a transaction-pooling
 * pooler that the URL did not declare.
 */
int pgsqldrv_lock_check_sql(const struct pgsql_conn *pc, char *buf, size_t n);
/* Sets the error of a failed lock check (a pooler not declared). Returns DBM_ERR_RUN. */
int pgsqldrv_lock_lost(void);
/* Takes the lease lock (lock=table): 0, DBM_ERR_LOCK naming the holder, DBM_ERR_RUN. */
int pgsqldrv_lease_lock(struct pgsql_conn *pc, const char *schema, const char *table,
                        int timeout_s);
/* Stops the heartbeat and deletes the lease row. 0 or DBM_ERR_RUN. */
int pgsqldrv_lease_unlock(struct pgsql_conn *pc);

/* pgsql_clean.c */

int pgsqldrv_clean(struct dbm_conn *c, const char *schema);
int pgsqldrv_clean_script(struct dbm_conn *c, const char *schema, struct dbm_buf *out);

#endif /* DBM_PGSQLDRV_H */
