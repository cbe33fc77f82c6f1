/*
 * pgsqldrv.h - what the files of the PostgreSQL driver share; nothing
 * outside src/drivers/pgsql*.c includes it.
 *
 *   pgsql.c        connecting, running statements, the session, the vtable
 *   pgsql_lib.c    loading libpq on first use
 *   pgsql_error.c  libpq's and the server's errors into dbm_error
 *   pgsql_lock.c   the runner lock: a session-level advisory lock
 *   pgsql_clean.c  clean: every object of a schema dropped from the catalog
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

/* pgsql_clean.c */

int pgsqldrv_clean(struct dbm_conn *c, const char *schema);
int pgsqldrv_clean_script(struct dbm_conn *c, const char *schema, struct dbm_buf *out);

#endif /* DBM_PGSQLDRV_H */
