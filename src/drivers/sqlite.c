/*
 * sqlite.c - the SQLite driver (libsqlite3), the embedded default.
 *
 * URLs: "sqlite:relative/path.db" (relative to the working directory),
 * "sqlite:///absolute/path.db", "sqlite::memory:". DDL is transactional, so
 * each migration and its history row commit together; the runner begins
 * with BEGIN IMMEDIATE so two writers never deadlock.
 *
 * The runner lock is an flock() on a file beside the database
 * ("<db>.lock", the database's path with every symbolic link resolved, so
 * that runners reaching one file through a link and through its real path
 * take the same lock): the kernel releases it when the process ends,
 * however it ends, so a killed runner never blocks the next one. The lock
 * file holds the holder's pid, host and start time for the timeout message.
 *
 * A database file that does not exist yet is not created by connecting:
 * until something writes (the lock, taken by every command that changes
 * the database, or a statement), the connection is an empty read-only
 * database in memory, so info, validate and dry runs see an empty history
 * and leave no file behind. A path that names something other than a
 * regular file (a folder, /dev/null) is refused: SQLite would put its
 * journal, and dbmigrate its lock file, beside it.
 */
#define _DEFAULT_SOURCE
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include "dbmigrate/driver.h"
#include "drivers/dump.h"
#include "drvcommon.h"

/*
 * libsqlite3 is loaded when a SQLite URL is first used (or when `version`
 * asks for its version), not when dbmigrate starts, so that PostgreSQL and
 * MySQL runs do not pay for loading and relocating it (dbm_drv_load,
 * drvcommon.h). sqlite3.h still gives the types and constants; every
 * libsqlite3 function this file calls goes through this table.
 */
#define SQLITEDRV_API(X)                                                                           \
	X(sqlite3_bind_null)                                                                       \
	X(sqlite3_bind_parameter_count)                                                            \
	X(sqlite3_bind_text)                                                                       \
	X(sqlite3_busy_timeout)                                                                    \
	X(sqlite3_close_v2)                                                                        \
	X(sqlite3_column_count)                                                                    \
	X(sqlite3_column_text)                                                                     \
	X(sqlite3_db_config)                                                                       \
	X(sqlite3_errmsg)                                                                          \
	X(sqlite3_error_offset)                                                                    \
	X(sqlite3_errstr)                                                                          \
	X(sqlite3_exec)                                                                            \
	X(sqlite3_extended_errcode)                                                                \
	X(sqlite3_extended_result_codes)                                                           \
	X(sqlite3_finalize)                                                                        \
	X(sqlite3_get_autocommit)                                                                  \
	X(sqlite3_interrupt)                                                                       \
	X(sqlite3_libversion)                                                                      \
	X(sqlite3_open_v2)                                                                         \
	X(sqlite3_prepare_v2)                                                                      \
	X(sqlite3_step)

enum sqlitedrv_fn {
#define X(f) SQLITEDRV_##f,
	SQLITEDRV_API(X)
#undef X
	    SQLITEDRV_NFN
};

static dbm_drv_fn sqlitedrv_fns[SQLITEDRV_NFN];

static const char *const sqlitedrv_names[SQLITEDRV_NFN] = {
#define X(f) #f,
    SQLITEDRV_API(X)
#undef X
};

static struct dbm_drv_lib sqlitedrv_lib = {
    .what = "the SQLite library",
    .soname = DBM_SQLITE_SONAME,
    .package = DBM_SQLITE_PACKAGE,
    .built_against = "SQLite " SQLITE_VERSION,
    .names = sqlitedrv_names,
    .fns = sqlitedrv_fns,
    .n = SQLITEDRV_NFN,
    .nrequired = SQLITEDRV_NFN,
};

/*
 * Loads libsqlite3 once and keeps it for the life of the process. Returns 0,
 * or DBM_ERR_RUN saying which library or function is missing.
 */
static int sqlitedrv_load(void)
{
	return dbm_drv_load(&sqlitedrv_lib);
}

/* From here on, sqlite3_xxx(...) calls the loaded function. */
#define SQLITEDRV_FN(f) DBM_DRV_FN(sqlitedrv_fns, SQLITEDRV_##f, f)
#define sqlite3_bind_null SQLITEDRV_FN(sqlite3_bind_null)
#define sqlite3_bind_parameter_count SQLITEDRV_FN(sqlite3_bind_parameter_count)
#define sqlite3_bind_text SQLITEDRV_FN(sqlite3_bind_text)
#define sqlite3_busy_timeout SQLITEDRV_FN(sqlite3_busy_timeout)
#define sqlite3_close_v2 SQLITEDRV_FN(sqlite3_close_v2)
#define sqlite3_column_count SQLITEDRV_FN(sqlite3_column_count)
#define sqlite3_column_text SQLITEDRV_FN(sqlite3_column_text)
#define sqlite3_db_config SQLITEDRV_FN(sqlite3_db_config)
#define sqlite3_errmsg SQLITEDRV_FN(sqlite3_errmsg)
#define sqlite3_error_offset SQLITEDRV_FN(sqlite3_error_offset)
#define sqlite3_errstr SQLITEDRV_FN(sqlite3_errstr)
#define sqlite3_exec SQLITEDRV_FN(sqlite3_exec)
#define sqlite3_extended_errcode SQLITEDRV_FN(sqlite3_extended_errcode)
#define sqlite3_extended_result_codes SQLITEDRV_FN(sqlite3_extended_result_codes)
#define sqlite3_finalize SQLITEDRV_FN(sqlite3_finalize)
#define sqlite3_get_autocommit SQLITEDRV_FN(sqlite3_get_autocommit)
#define sqlite3_interrupt SQLITEDRV_FN(sqlite3_interrupt)
#define sqlite3_libversion SQLITEDRV_FN(sqlite3_libversion)
#define sqlite3_open_v2 SQLITEDRV_FN(sqlite3_open_v2)
#define sqlite3_prepare_v2 SQLITEDRV_FN(sqlite3_prepare_v2)
#define sqlite3_step SQLITEDRV_FN(sqlite3_step)

extern const struct dbm_driver dbm_sqlite_driver;

struct sqlitedrv_conn {
	struct dbm_conn parent;
	sqlite3 *db;
	char *path;  /* database file, NULL for :memory: */
	int lock_fd; /* -1 when the runner lock is not held */
	int absent;  /* path does not exist yet: db is an empty read-only stand-in */
};

static const char *const sqlitedrv_schemes[] = {"sqlite", "sqlite3", NULL};

/* "SQLite 3.40.1" into out, or "SQLite (not installed)". Returns 0 or DBM_ERR_NOMEM. */
static int sqlitedrv_client_version(struct dbm_buf *out)
{
	if (sqlitedrv_load() < 0)
		return dbm_buf_adds(out, "SQLite (not installed)");
	return dbm_buf_addf(out, "SQLite %s", sqlite3_libversion());
}

/* Records the database's error as DBM_ERR_RUN; position from sqlite3_error_offset. */
static int sqlitedrv_error(struct sqlitedrv_conn *c, const char *what)
{
	struct dbm_error *e;
	int off = sqlite3_error_offset(c->db);

	dbm_error_set(DBM_ERR_RUN, "%s%s", what ? what : "", sqlite3_errmsg(c->db));
	e = dbm_error_last();
	e->server_code = sqlite3_extended_errcode(c->db);
	e->position = off >= 0 ? off + 1 : 0;
	dbm_error_set_detail("SQLite error code %d (%s)", e->server_code,
	                     sqlite3_errstr(e->server_code));
	return DBM_ERR_RUN;
}

/*
 * The file path of a sqlite URL into *path (allocated), NULL for an
 * in-memory database. Returns 0, DBM_ERR_USAGE or DBM_ERR_NOMEM.
 */
static int sqlitedrv_parse_url(const char *url, char **path)
{
	const char *p = strchr(url, ':');

	*path = NULL;
	if (!p)
		return dbm_error_set(DBM_ERR_USAGE, "not a sqlite URL");
	if (strchr(p, '?')) {
		/* the file would be named after the query; it may hold a password too */
		dbm_error_set(DBM_ERR_USAGE, "the sqlite URL has a query string ('?...'), which "
		                             "SQLite URLs do not take");
		dbm_error_set_hint("Remove the '?' and what follows it: a SQLite database file "
		                   "has no password or connection options.");
		return DBM_ERR_USAGE;
	}
	p++;
	if (strncmp(p, "//", 2) == 0) {
		p += 2; /* sqlite:///abs -> /abs; sqlite://rel -> rel */
	}
	if (strcmp(p, ":memory:") == 0)
		return 0;
	if (!*p) {
		dbm_error_set(DBM_ERR_USAGE, "the sqlite URL names no database file");
		dbm_error_set_hint("Use sqlite:path/to/file.db or sqlite:///absolute/path.db.");
		return DBM_ERR_USAGE;
	}
	*path = dbm_strdup(p);
	return *path ? 0 : dbm_error_oom();
}

/* "SQLite 3.40.1", allocated; NULL when out of memory. */
static char *sqlitedrv_version_string(void)
{
	struct dbm_buf v = DBM_BUF_INIT;

	if (sqlitedrv_client_version(&v) < 0)
		return NULL;
	return dbm_buf_detach(&v);
}

static void sqlitedrv_disconnect(struct dbm_conn *conn)
{
	struct sqlitedrv_conn *c = (struct sqlitedrv_conn *)conn;

	if (!c)
		return;
	if (c->lock_fd >= 0)
		close(c->lock_fd);
	if (c->db)
		sqlite3_close_v2(c->db);
	dbm_free(c->path);
	dbm_free(c->parent.schema);
	dbm_free(c->parent.user);
	dbm_free(c->parent.server_version);
	dbm_free(c);
}

/*
 * Opens name with flags into c->db, closing what was open. Returns 0,
 * DBM_ERR_RUN naming c->path, or DBM_ERR_NOMEM.
 */
static int sqlitedrv_open(struct sqlitedrv_conn *c, const char *name, int flags)
{
	if (c->db) {
		sqlite3_close_v2(c->db);
		c->db = NULL;
	}
	if (sqlite3_open_v2(name, &c->db, flags, NULL) != SQLITE_OK) {
		if (!c->db)
			return dbm_error_oom();
		dbm_error_set(DBM_ERR_RUN, "cannot open sqlite database '%s': %s",
		              c->path ? c->path : name, sqlite3_errmsg(c->db));
		dbm_error_set_hint("Check that the folder exists and is writable.");
		return DBM_ERR_RUN;
	}
	sqlite3_extended_result_codes(c->db, 1);
	/* Other writers (the application) may hold the file briefly. */
	sqlite3_busy_timeout(c->db, 10000);
	return 0;
}

/*
 * Creates the database file on the first write, when it did not exist at
 * connect (c->absent). Returns 0, DBM_ERR_USAGE when something other than
 * a regular file has appeared there, DBM_ERR_RUN or DBM_ERR_NOMEM.
 */
static int sqlitedrv_create(struct sqlitedrv_conn *c)
{
	struct stat sb;
	int r;

	if (!c->absent)
		return 0;
	r = sqlitedrv_open(c, c->path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
	if (r < 0)
		return r;
	if (stat(c->path, &sb) == 0 && !S_ISREG(sb.st_mode)) {
		dbm_error_set(DBM_ERR_USAGE, "sqlite database '%s' is not a regular file", c->path);
		dbm_error_set_hint("Point the sqlite URL at a database file: SQLite keeps its "
		                   "journal, and dbmigrate its lock file, beside it.");
		return DBM_ERR_USAGE;
	}
	c->absent = 0;
	return 0;
}

static int sqlitedrv_connect(const struct dbm_conn_opts *o, struct dbm_conn **out)
{
	struct sqlitedrv_conn *c;
	const char *user = getenv("USER");
	struct stat sb;
	int r;

	*out = NULL;
	if ((r = dbm_drv_secrets(o->url)) < 0 || (r = sqlitedrv_load()) < 0)
		return r;
	if (o->schema && *o->schema && strcmp(o->schema, "main") != 0) {
		dbm_error_set(DBM_ERR_USAGE, "sqlite has no schema '%s'", o->schema);
		dbm_error_set_hint(
		    "Leave --schema unset for SQLite: each database file is one schema.");
		return DBM_ERR_USAGE;
	}
	c = dbm_calloc(1, sizeof(*c));
	if (!c)
		return dbm_error_oom();
	c->parent.driver = &dbm_sqlite_driver;
	c->lock_fd = -1;
	r = sqlitedrv_parse_url(o->url, &c->path);
	if (r < 0)
		goto fail;
	if (c->path && stat(c->path, &sb) != 0) {
		if (errno != ENOENT) {
			r = dbm_error_set(DBM_ERR_RUN, "cannot open sqlite database '%s': %s",
			                  c->path, strerror(errno));
			goto fail;
		}
		c->absent = 1;
	} else if (c->path && !S_ISREG(sb.st_mode)) {
		r = dbm_error_set(DBM_ERR_USAGE, "sqlite database '%s' is not a regular file",
		                  c->path);
		dbm_error_set_hint("Point the sqlite URL at a database file: SQLite keeps its "
		                   "journal, and dbmigrate its lock file, beside it.");
		goto fail;
	}
	r = c->absent ? sqlitedrv_open(c, ":memory:", SQLITE_OPEN_READONLY)
	              : sqlitedrv_open(c, c->path ? c->path : ":memory:", SQLITE_OPEN_READWRITE);
	if (r < 0)
		goto fail;
	c->parent.schema = dbm_strdup("main");
	c->parent.user = dbm_strdup(user && *user ? user : "sqlite");
	c->parent.server_version = sqlitedrv_version_string();
	if (!c->parent.schema || !c->parent.user || !c->parent.server_version) {
		r = dbm_error_oom();
		goto fail;
	}
	*out = &c->parent;
	return 0;
fail:
	sqlitedrv_disconnect(&c->parent);
	return r;
}

/*
 * Steps st to its end, each row's first 64 columns to cb when given, until
 * cb returns non-zero. Returns cb's last value; *rc gets sqlite3_step's
 * last result (SQLITE_DONE at the end).
 */
static int sqlitedrv_rows(sqlite3_stmt *st, dbm_row_cb cb, void *ctx, int *rc)
{
	const char *vals[64] = {NULL};
	int r = 0;

	while ((*rc = sqlite3_step(st)) == SQLITE_ROW) {
		int n = sqlite3_column_count(st), i;

		if (!cb)
			continue;
		if (n > (int)DBM_ARRAY_SIZE(vals))
			n = (int)DBM_ARRAY_SIZE(vals);
		for (i = 0; i < n; i++)
			vals[i] = (const char *)sqlite3_column_text(st, i);
		r = cb(ctx, (unsigned)n, vals);
		if (r)
			break;
	}
	return r;
}

/* Steps every statement in sql[0..len) to completion; rows go to cb when given. */
static int sqlitedrv_run(struct sqlitedrv_conn *c, const char *sql, size_t len, dbm_row_cb cb,
                         void *ctx)
{
	const char *tail = sql, *end = sql + len;
	int r = 0;

	while (tail < end) {
		sqlite3_stmt *st = NULL;
		const char *next = NULL;
		int rc = sqlite3_prepare_v2(c->db, tail, (int)(end - tail), &st, &next);

		if (rc != SQLITE_OK) {
			int off = sqlite3_error_offset(c->db);

			sqlitedrv_error(c, NULL);
			if (off >= 0)
				dbm_error_last()->position = (int)(tail - sql) + off + 1;
			return DBM_ERR_RUN;
		}
		if (!st) /* only whitespace or comments left */
			break;
		r = sqlitedrv_rows(st, cb, ctx, &rc);
		if (!r && rc != SQLITE_DONE) {
			sqlitedrv_error(c, NULL);
			sqlite3_finalize(st);
			return DBM_ERR_RUN;
		}
		sqlite3_finalize(st);
		if (r)
			return r;
		tail = next;
	}
	return 0;
}

static int sqlitedrv_exec(struct dbm_conn *conn, const struct dbm_stmt *s)
{
	struct sqlitedrv_conn *c = (struct sqlitedrv_conn *)conn;
	int r = sqlitedrv_create(c);

	return r < 0 ? r : sqlitedrv_run(c, s->sql, s->len, NULL, NULL);
}

/*
 * dbmigrate's own queries (the history table, the catalog) run with
 * double-quoted strings off, so that a history table without a column
 * dbmigrate names is an error, not a column of string constants. Migrations
 * keep SQLite's default, as the sqlite3 shell runs them.
 */
static int sqlitedrv_query(struct dbm_conn *conn, const char *sql, dbm_row_cb cb, void *ctx)
{
	struct sqlitedrv_conn *c = (struct sqlitedrv_conn *)conn;
	int r;

	sqlite3_db_config(c->db, SQLITE_DBCONFIG_DQS_DML, 0, (int *)NULL);
	r = sqlitedrv_run(c, sql, strlen(sql), cb, ctx);
	sqlite3_db_config(c->db, SQLITE_DBCONFIG_DQS_DML, 1, (int *)NULL);
	return r;
}

/*
 * One statement with bound parameters (driver.h): the values are bound as
 * text with sqlite3_bind_text, and the column's affinity converts them
 * (INT columns store integers). Double-quoted strings are off as for
 * query. Returns 0, cb's non-zero value, or DBM_ERR_RUN.
 */
static int sqlitedrv_exec_params(struct dbm_conn *conn, const char *sql, unsigned nparams,
                                 const char *const *params, dbm_row_cb cb, void *ctx)
{
	struct sqlitedrv_conn *c = (struct sqlitedrv_conn *)conn;
	sqlite3_stmt *st = NULL;
	unsigned i;
	int rc, r = 0;

	sqlite3_db_config(c->db, SQLITE_DBCONFIG_DQS_DML, 0, (int *)NULL);
	rc = sqlite3_prepare_v2(c->db, sql, -1, &st, NULL);
	if (rc != SQLITE_OK || !st) {
		r = rc != SQLITE_OK ? sqlitedrv_error(c, NULL)
		                    : dbm_error_set(DBM_ERR_RUN, "empty statement");
		goto done;
	}
	if ((unsigned)sqlite3_bind_parameter_count(st) != nparams) {
		r = dbm_error_set(DBM_ERR_RUN, "statement has %d placeholders for %u values",
		                  sqlite3_bind_parameter_count(st), nparams);
		goto done;
	}
	for (i = 0; i < nparams; i++) {
		rc = params[i] ? sqlite3_bind_text(st, (int)i + 1, params[i], -1, SQLITE_TRANSIENT)
		               : sqlite3_bind_null(st, (int)i + 1);
		if (rc != SQLITE_OK) {
			r = sqlitedrv_error(c, NULL);
			goto done;
		}
	}
	r = sqlitedrv_rows(st, cb, ctx, &rc);
	if (!r && rc != SQLITE_DONE)
		r = sqlitedrv_error(c, NULL);
done:
	sqlite3_finalize(st);
	sqlite3_db_config(c->db, SQLITE_DBCONFIG_DQS_DML, 1, (int *)NULL);
	return r;
}

/*
 * DBM_EXEC_* flags of a statement (driver.h), as the splitter classified it
 * (sqlsplit_class.c): TX_CONTROL for BEGIN, COMMIT, END, ROLLBACK; NO_TX for
 * VACUUM and the PRAGMAs a transaction ignores.
 */
static unsigned sqlitedrv_stmt_flags(const struct dbm_stmt *s)
{
	return dbm_stmt_exec_flags(s);
}

/* Writes who holds the lock into the lock file, for the next runner's timeout message. */
static void sqlitedrv_lock_note(int fd)
{
	char host[256] = "";
	char note[512];
	char when[64];
	time_t now = time(NULL);
	struct tm tm;
	int n;

	gethostname(host, sizeof(host) - 1);
	gmtime_r(&now, &tm);
	strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S UTC", &tm);
	n = snprintf(note, sizeof(note), "pid %ld on %s, since %s\n", (long)getpid(), host, when);
	if (ftruncate(fd, 0) == 0 && n > 0)
		(void)!pwrite(fd, note, (size_t)n, 0);
}

static int sqlitedrv_lock(struct dbm_conn *conn, const char *schema, const char *table,
                          int timeout_s)
{
	struct sqlitedrv_conn *c = (struct sqlitedrv_conn *)conn;
	struct dbm_buf path = DBM_BUF_INIT;
	struct timespec start, now, nap = {0, 100 * 1000 * 1000};
	struct stat sb;
	char *real;
	int fd, r;

	(void)schema;
	(void)table;
	if (!c->path || c->lock_fd >= 0)
		return 0; /* in-memory: no other process can see it */
	/* every command that takes the lock writes: the file is made now */
	if ((r = sqlitedrv_create(c)) < 0)
		return r;
	real = realpath(c->path, NULL);
	if (!real)
		return dbm_error_set(DBM_ERR_RUN, "cannot find sqlite database '%s': %s", c->path,
		                     strerror(errno));
	r = dbm_buf_addf(&path, "%s.lock", real);
	free(real);
	if (r < 0)
		return DBM_ERR_NOMEM;
	fd = open(path.ptr, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK, 0644);
	if (fd < 0) {
		r = dbm_error_set(DBM_ERR_RUN, "cannot open lock file '%s': %s", path.ptr,
		                  strerror(errno));
		goto done;
	}
	if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
		r = dbm_error_set(DBM_ERR_RUN, "lock file '%s' is not a regular file", path.ptr);
		dbm_error_set_hint("Remove it; dbmigrate creates it as a plain file.");
		close(fd);
		goto done;
	}
	clock_gettime(CLOCK_MONOTONIC, &start);
	for (;;) {
		if (flock(fd, LOCK_EX | LOCK_NB) == 0)
			break;
		if (errno != EWOULDBLOCK && errno != EINTR) {
			r = dbm_error_set(DBM_ERR_RUN, "cannot lock '%s': %s", path.ptr,
			                  strerror(errno));
			close(fd);
			goto done;
		}
		if (dbm_interrupt_signal()) {
			r = dbm_error_set(DBM_ERR_INTERRUPTED,
			                  "interrupted by %s while waiting for "
			                  "the lock on '%s'",
			                  dbm_signal_name(dbm_interrupt_signal()), c->path);
			close(fd);
			goto done;
		}
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (now.tv_sec - start.tv_sec >= timeout_s) {
			char holder[512] = "";
			ssize_t n = pread(fd, holder, sizeof(holder) - 1, 0);

			holder[n > 0 ? n : 0] = '\0';
			holder[strcspn(holder, "\n")] = '\0';
			r = dbm_error_set(DBM_ERR_LOCK,
			                  "another dbmigrate holds the lock on '%s' (%s)", c->path,
			                  *holder ? holder : "holder unknown");
			dbm_error_set_hint(
			    "Wait for it to finish, or raise --lock-timeout (now %d s).",
			    timeout_s);
			close(fd);
			goto done;
		}
		nanosleep(&nap, NULL);
	}
	sqlitedrv_lock_note(fd);
	c->lock_fd = fd;
	r = 0;
done:
	dbm_buf_free(&path);
	return r;
}

static int sqlitedrv_unlock(struct dbm_conn *conn)
{
	struct sqlitedrv_conn *c = (struct sqlitedrv_conn *)conn;

	if (c->lock_fd >= 0) {
		if (ftruncate(c->lock_fd, 0) != 0) {
			/* the note is only informative */
		}
		close(c->lock_fd); /* releases the flock */
		c->lock_fd = -1;
	}
	return 0;
}

struct sqlitedrv_names {
	struct dbm_buf sql;
	int failed;
};

/* What clean drops, triggers first, tables last: rows (type, name). */
#define SQLITEDRV_CLEAN_SQL                                                                        \
	"SELECT type, name FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' "                     \
	"AND type IN ('view', 'trigger', 'table') "                                                \
	"ORDER BY CASE type WHEN 'trigger' THEN 0 WHEN 'view' THEN 1 ELSE 2 END"

/*
 * Appends "DROP <type> IF EXISTS "name"" and end to n->sql for a catalog
 * row (type, name), the name's quotes doubled. Returns 0, or 1 (n->failed
 * set) when out of memory.
 */
static int sqlitedrv_add_drop(struct sqlitedrv_names *n, const char *const *v, const char *end,
                              size_t end_len)
{
	if (dbm_buf_addf(&n->sql, "DROP %s IF EXISTS \"", v[0]) < 0)
		goto oom;
	for (const char *p = v[1]; *p; p++)
		if ((*p == '"' && dbm_buf_addc(&n->sql, '"') < 0) || dbm_buf_addc(&n->sql, *p) < 0)
			goto oom;
	if (dbm_buf_add(&n->sql, end, end_len) < 0)
		goto oom;
	return 0;
oom:
	n->failed = 1;
	return 1;
}

/* Collects each DROP as its own NUL-terminated statement (clean's script). */
static int sqlitedrv_collect_drop_each(void *ctx, unsigned ncols, const char *const *v)
{
	if (ncols < 2 || !v[0] || !v[1])
		return 0;
	return sqlitedrv_add_drop(ctx, v, "\"", 2);
}

/* Collects "DROP <type> IF EXISTS "name";" for each catalog row (type, name). */
static int sqlitedrv_collect_drop(void *ctx, unsigned ncols, const char *const *v)
{
	struct sqlitedrv_names *n = ctx;

	if (ncols < 2 || !v[0] || !v[1])
		return 0;
	if (dbm_buf_addf(&n->sql, "DROP %s IF EXISTS \"", v[0]) < 0)
		goto oom;
	for (const char *p = v[1]; *p; p++)
		if ((*p == '"' && dbm_buf_addc(&n->sql, '"') < 0) || dbm_buf_addc(&n->sql, *p) < 0)
			goto oom;
	if (dbm_buf_adds(&n->sql, "\";\n") < 0)
		goto oom;
	return 0;
oom:
	n->failed = 1;
	return 1;
}

/*
 * Drops every trigger, view and table of the file (driver.h), with
 * foreign keys off, in one transaction. With script not NULL, nothing is
 * dropped: the statements go there, each NUL-terminated. Returns 0,
 * DBM_ERR_RUN or DBM_ERR_NOMEM.
 */
static int sqlitedrv_clean_run(struct dbm_conn *conn, struct dbm_buf *script)
{
	struct sqlitedrv_conn *c = (struct sqlitedrv_conn *)conn;
	struct sqlitedrv_names n = {DBM_BUF_INIT, 0};
	int r;

	r = sqlitedrv_query(conn, SQLITEDRV_CLEAN_SQL, sqlitedrv_collect_drop, &n);
	if (n.failed) {
		r = dbm_error_oom();
		goto done;
	}
	if (r < 0)
		goto done;
	if (!n.sql.len)
		goto done;
	if (script) {
		/* the same statements, each on its own (NUL-terminated), for a script */
		struct sqlitedrv_names each = {DBM_BUF_INIT, 0};

		r = sqlitedrv_query(conn, SQLITEDRV_CLEAN_SQL, sqlitedrv_collect_drop_each, &each);
		if (r == 0 && each.failed)
			r = dbm_error_oom();
		if (r == 0 && (dbm_buf_add(script, "PRAGMA foreign_keys = OFF", 26) < 0 ||
		               dbm_buf_add(script, "BEGIN", 6) < 0 ||
		               dbm_buf_add(script, each.sql.ptr, each.sql.len) < 0 ||
		               dbm_buf_add(script, "COMMIT", 7) < 0))
			r = dbm_error_oom();
		dbm_buf_free(&each.sql);
		goto done;
	}
	r = sqlitedrv_run(c, "PRAGMA foreign_keys = OFF", 25, NULL, NULL);
	if (r == 0)
		r = sqlitedrv_run(c, "BEGIN", 5, NULL, NULL);
	if (r == 0)
		r = sqlitedrv_run(c, n.sql.ptr, n.sql.len, NULL, NULL);
	if (r == 0)
		r = sqlitedrv_run(c, "COMMIT", 6, NULL, NULL);
	else
		sqlite3_exec(c->db, "ROLLBACK", NULL, NULL, NULL);
done:
	dbm_buf_free(&n.sql);
	return r;
}

static int sqlitedrv_clean(struct dbm_conn *conn, const char *schema)
{
	(void)schema;
	return sqlitedrv_clean_run(conn, NULL);
}

static int sqlitedrv_clean_script(struct dbm_conn *conn, const char *schema, struct dbm_buf *out)
{
	(void)schema;
	return sqlitedrv_clean_run(conn, out);
}

/*
 * A transaction left open (driver.h): BEGIN or a SAVEPOINT outside one,
 * seen as autocommit off. No I/O. Returns enum dbm_tx_state.
 */
static int sqlitedrv_tx_state(struct dbm_conn *conn, char *what, size_t n)
{
	struct sqlitedrv_conn *c = (struct sqlitedrv_conn *)conn;

	if (!c->db || sqlite3_get_autocommit(c->db))
		return DBM_TX_IDLE;
	snprintf(what, n, "a transaction");
	return DBM_TX_OPEN;
}

/* Rolls the open transaction back. 0 or DBM_ERR_RUN. */
static int sqlitedrv_tx_abort(struct dbm_conn *conn)
{
	return sqlitedrv_run((struct sqlitedrv_conn *)conn, "ROLLBACK", 8, NULL, NULL);
}

/* Stops the running statement (sqlite3_interrupt, safe from another thread). Returns 0. */
static int sqlitedrv_cancel(struct dbm_conn *conn)
{
	struct sqlitedrv_conn *c = (struct sqlitedrv_conn *)conn;

	if (c->db)
		sqlite3_interrupt(c->db);
	return 0;
}

const struct dbm_driver dbm_sqlite_driver = {
    .name = "sqlite",
    .schemes = sqlitedrv_schemes,
    .dialect = DBM_DIALECT_SQLITE,
    .caps = DBM_CAP_TX_DDL | DBM_CAP_EMBEDDED,
    .identity_sql = "SELECT file FROM pragma_database_list WHERE name = 'main'",
    .client_version = sqlitedrv_client_version,
    .connect = sqlitedrv_connect,
    .disconnect = sqlitedrv_disconnect,
    .exec = sqlitedrv_exec,
    .query = sqlitedrv_query,
    .exec_params = sqlitedrv_exec_params,
    .stmt_flags = sqlitedrv_stmt_flags,
    .lock = sqlitedrv_lock,
    .unlock = sqlitedrv_unlock,
    .clean = sqlitedrv_clean,
    .clean_script = sqlitedrv_clean_script,
    .dump = dbm_sqlite_dump,
    .tx_state = sqlitedrv_tx_state,
    .tx_abort = sqlitedrv_tx_abort,
    .cancel = sqlitedrv_cancel,
};
