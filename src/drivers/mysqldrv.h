/*
 * mysqldrv.h - what the files of the MySQL / MariaDB driver share; nothing
 * outside src/drivers/mysql*.c includes it.
 *
 *   mysql.c       connecting, running statements, the session, clean, the vtable
 *   mysql_lib.c   loading the client library on first use
 *   mysql_url.c   mysql:// and mariadb:// URLs into connection parameters
 *   mysql_lock.c  the runner lock: GET_LOCK, or a lock row on Galera
 */
#ifndef DBM_MYSQLDRV_H
#define DBM_MYSQLDRV_H

#include <pthread.h>

#include <errmsg.h>
#include <mysql.h>
#include <mysqld_error.h>

/* MySQL 8's error for a client dropped for inactivity; MariaDB's headers lack it. */
#ifndef ER_CLIENT_INTERACTION_TIMEOUT
#define ER_CLIENT_INTERACTION_TIMEOUT 4031
#endif

#include "dbmigrate/driver.h"
#include "drvcommon.h"

/*
 * The client library (MariaDB Connector/C) is loaded when a MySQL URL is
 * first used, not when dbmigrate starts (dbm_drv_load, drvcommon.h):
 * mysql.h still gives the types and constants; every function of the
 * library the driver calls goes through the table of mysql_lib.c.
 */
#define MYSQLDRV_API(X)                                                                            \
	X(mariadb_get_infov)                                                                       \
	X(mysql_close)                                                                             \
	X(mysql_errno)                                                                             \
	X(mysql_error)                                                                             \
	X(mysql_fetch_row)                                                                         \
	X(mysql_field_count)                                                                       \
	X(mysql_free_result)                                                                       \
	X(mysql_get_client_info)                                                                   \
	X(mysql_get_server_info)                                                                   \
	X(mysql_get_ssl_cipher)                                                                    \
	X(mysql_init)                                                                              \
	X(mysql_next_result)                                                                       \
	X(mysql_num_fields)                                                                        \
	X(mysql_optionsv)                                                                          \
	X(mysql_real_connect)                                                                      \
	X(mysql_real_escape_string)                                                                \
	X(mysql_real_query)                                                                        \
	X(mysql_sqlstate)                                                                          \
	X(mysql_ssl_set)                                                                           \
	X(mysql_store_result)                                                                      \
	X(mysql_use_result)

/* Where each function is in mysqldrv_fns. */
enum mysqldrv_fn {
#define X(f) MYSQLDRV_##f,
	MYSQLDRV_API(X)
#undef X
	    MYSQLDRV_NFN
};

extern dbm_drv_fn mysqldrv_fns[MYSQLDRV_NFN];

/* Loads the client library once. Returns 0, or DBM_ERR_RUN naming the package to install. */
int mysqldrv_load(void);

/* From here on, mysql_xxx(...) calls the loaded function. */
#define MYSQLDRV_FN(f) DBM_DRV_FN(mysqldrv_fns, MYSQLDRV_##f, f)
#define mariadb_get_infov MYSQLDRV_FN(mariadb_get_infov)
#define mysql_close MYSQLDRV_FN(mysql_close)
#define mysql_errno MYSQLDRV_FN(mysql_errno)
#define mysql_error MYSQLDRV_FN(mysql_error)
#define mysql_fetch_row MYSQLDRV_FN(mysql_fetch_row)
#define mysql_field_count MYSQLDRV_FN(mysql_field_count)
#define mysql_free_result MYSQLDRV_FN(mysql_free_result)
#define mysql_get_client_info MYSQLDRV_FN(mysql_get_client_info)
#define mysql_get_server_info MYSQLDRV_FN(mysql_get_server_info)
#define mysql_get_ssl_cipher MYSQLDRV_FN(mysql_get_ssl_cipher)
#define mysql_init MYSQLDRV_FN(mysql_init)
#define mysql_next_result MYSQLDRV_FN(mysql_next_result)
#define mysql_num_fields MYSQLDRV_FN(mysql_num_fields)
#define mysql_optionsv MYSQLDRV_FN(mysql_optionsv)
#define mysql_real_connect MYSQLDRV_FN(mysql_real_connect)
#define mysql_real_escape_string MYSQLDRV_FN(mysql_real_escape_string)
#define mysql_real_query MYSQLDRV_FN(mysql_real_query)
#define mysql_sqlstate MYSQLDRV_FN(mysql_sqlstate)
#define mysql_ssl_set MYSQLDRV_FN(mysql_ssl_set)
#define mysql_store_result MYSQLDRV_FN(mysql_store_result)
#define mysql_use_result MYSQLDRV_FN(mysql_use_result)

/* ssl-mode values, as MySQL's own client spells them. */
enum mysqldrv_ssl {
	MYSQLDRV_SSL_DEFAULT = 0, /* not given: PREFERRED */
	MYSQLDRV_SSL_DISABLED,
	MYSQLDRV_SSL_PREFERRED,
	MYSQLDRV_SSL_REQUIRED,
	MYSQLDRV_SSL_VERIFY_CA,
	MYSQLDRV_SSL_VERIFY_IDENTITY
};

/* How the runner lock is taken (URL option lock=). */
enum mysqldrv_lockmode {
	MYSQLDRV_LOCK_AUTO = 0, /* GET_LOCK, or the lock table when @@wsrep_on */
	MYSQLDRV_LOCK_ADVISORY, /* always GET_LOCK */
	MYSQLDRV_LOCK_TABLE     /* always the lock table */
};

/* What the URL says; every string owned (dbm_free), NULL when absent. */
struct mysqldrv_params {
	char *host;
	char *user;
	char *password; /* the URL's, else MYSQL_PWD's */
	char *db;
	char *socket;
	char *ssl_ca;
	char *ssl_cert;
	char *ssl_key;
	unsigned port;            /* 0: the library's default */
	unsigned connect_timeout; /* seconds, 0: the library's default */
	enum mysqldrv_ssl ssl_mode;
	enum mysqldrv_lockmode lock_mode;
	int withhold; /* the URL is ambiguous: no text derived from it or from the library is shown
	               */
};

struct mysqldrv_conn {
	struct dbm_conn parent;
	MYSQL *my;
	struct mysqldrv_params params;
	char *app_name;
	int lost;         /* the connection died: every later call fails at once */
	int pending_use;  /* parent.schema did not exist at connect: USE it before each statement */
	unsigned long id; /* CONNECTION_ID() */
	char *restore_sql; /* SET SESSION ... of the settings at connect, for reset_session */
	int wsrep_on;      /* @@wsrep_on read at connect: 0, 1; -1 unknown or since changed */
	unsigned long max_packet; /* @@max_allowed_packet read at connect, 0 when unknown */
	struct dbm_buf batch;     /* the multi-statement query of exec_batch */
	int tables_locked; /* a statement ran LOCK TABLES or FLUSH TABLES ... WITH READ LOCK */
	char *xa_xid;      /* the xid of an XA START not yet committed or rolled back */
	volatile int busy; /* a statement is running, for mysqldrv_cancel */

	/* The lock held, if any. */
	char *lock_name;       /* GET_LOCK name or the lock row's key; NULL when not held */
	int lock_is_table;     /* held through the lock table */
	char *lock_table;      /* `schema`.`table_lock`, quoted */
	char *lock_table_bare; /* table_lock, unquoted, for clean */
	char *lock_schema;     /* the schema of the lock table */
	char *lock_holder;     /* this runner's token in the row */

	/* The heartbeat of a lock row. */
	MYSQL *hb_my;
	char *hb_sql;
	struct dbm_drv_heartbeat hb;
};

extern const struct dbm_driver dbm_mysql_driver;

/* mysql_url.c */

/* A URL into *p, MYSQL_PWD standing in for a password it does not give. */
int mysqldrv_parse_url(const char *url, struct mysqldrv_params *p);
/* Frees every string of *p, the password overwritten first, and zeroes it. */
void mysqldrv_params_free(struct mysqldrv_params *p);

/* mysql.c */

int mysqldrv_quote_ident(struct dbm_buf *b, const char *ident);
int mysqldrv_quote_string(struct mysqldrv_conn *c, struct dbm_buf *b, const char *text);
int mysqldrv_check_alive(struct mysqldrv_conn *c);
int mysqldrv_run(struct mysqldrv_conn *c, MYSQL *my, const char *sql, size_t len);
int mysqldrv_query_value(struct mysqldrv_conn *c, const char *sql, char **out);
int mysqldrv_open(const struct mysqldrv_params *p, const char *app, MYSQL **out);
int mysqldrv_pending_use(struct mysqldrv_conn *c);
int mysqldrv_query(struct dbm_conn *conn, const char *sql, dbm_row_cb cb, void *ctx);

/* mysql_lock.c */

int mysqldrv_lock(struct dbm_conn *conn, const char *schema, const char *table, int timeout_s);
int mysqldrv_unlock(struct dbm_conn *conn);
/* Stops the heartbeat thread and closes its connection; no-op when none runs. */
void mysqldrv_heartbeat_stop(struct mysqldrv_conn *c);

#endif
