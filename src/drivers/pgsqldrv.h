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
 * Every libpq function the driver calls goes through this table
 * (pgsql_lib.c).
 */
#define PGSQL_LIBPQ "libpq.so.5"
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

struct pgsqldrv_api {
	void *lib;
#define X(f) __typeof__(f) *f; /* NOLINT(bugprone-macro-parentheses): f names a member */
	PGSQL_API(X)
	PGSQL_API_PIPELINE(X)
#undef X
	int pipeline; /* every PGSQL_API_PIPELINE function was found */
};

extern struct pgsqldrv_api pgsqldrv_api;

/* Loads libpq once. Returns 0, or DBM_ERR_RUN saying which library is missing. */
int pgsqldrv_load(void);

#ifndef PGSQLDRV_NO_REDIRECT
/* From here on, PQxxx(...) calls the loaded function. */
#define PQcancel (*pgsqldrv_api.PQcancel)
#define PQclear (*pgsqldrv_api.PQclear)
#define PQconnectdbParams (*pgsqldrv_api.PQconnectdbParams)
#define PQconninfoFree (*pgsqldrv_api.PQconninfoFree)
#define PQconninfoParse (*pgsqldrv_api.PQconninfoParse)
#define PQerrorMessage (*pgsqldrv_api.PQerrorMessage)
#define PQexec (*pgsqldrv_api.PQexec)
#define PQexecParams (*pgsqldrv_api.PQexecParams)
#define PQfinish (*pgsqldrv_api.PQfinish)
#define PQfreeCancel (*pgsqldrv_api.PQfreeCancel)
#define PQfreemem (*pgsqldrv_api.PQfreemem)
#define PQgetCancel (*pgsqldrv_api.PQgetCancel)
#define PQgetCopyData (*pgsqldrv_api.PQgetCopyData)
#define PQgetResult (*pgsqldrv_api.PQgetResult)
#define PQgetisnull (*pgsqldrv_api.PQgetisnull)
#define PQgetvalue (*pgsqldrv_api.PQgetvalue)
#define PQlibVersion (*pgsqldrv_api.PQlibVersion)
#define PQnfields (*pgsqldrv_api.PQnfields)
#define PQntuples (*pgsqldrv_api.PQntuples)
#define PQparameterStatus (*pgsqldrv_api.PQparameterStatus)
#define PQputCopyData (*pgsqldrv_api.PQputCopyData)
#define PQputCopyEnd (*pgsqldrv_api.PQputCopyEnd)
#define PQresultErrorField (*pgsqldrv_api.PQresultErrorField)
#define PQresultErrorMessage (*pgsqldrv_api.PQresultErrorMessage)
#define PQresultStatus (*pgsqldrv_api.PQresultStatus)
#define PQsendQuery (*pgsqldrv_api.PQsendQuery)
#define PQserverVersion (*pgsqldrv_api.PQserverVersion)
#define PQsetNoticeProcessor (*pgsqldrv_api.PQsetNoticeProcessor)
#define PQsetSingleRowMode (*pgsqldrv_api.PQsetSingleRowMode)
#define PQstatus (*pgsqldrv_api.PQstatus)
#define PQtransactionStatus (*pgsqldrv_api.PQtransactionStatus)
#define PQuser (*pgsqldrv_api.PQuser)
#define PQenterPipelineMode (*pgsqldrv_api.PQenterPipelineMode)
#define PQexitPipelineMode (*pgsqldrv_api.PQexitPipelineMode)
#define PQpipelineSync (*pgsqldrv_api.PQpipelineSync)
#define PQsendQueryParams (*pgsqldrv_api.PQsendQueryParams)
#endif

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

#endif /* DBM_PGSQLDRV_H */
