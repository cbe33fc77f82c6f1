/*
 * dbtest.c - see dbtest.h. A scratch database per test on a real server,
 * made and dropped through the driver vtable; the integration and cli tests
 * call it.
 *
 * Failing a test makes cmocka jump out of the function, so everything here
 * releases what it holds before it calls fail_msg, keeping failing tests
 * leak-free under AddressSanitizer; the message is copied into a static
 * buffer first so it outlives what it was made from.
 */
#define _DEFAULT_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "dbtest.h"
#include "testutil.h"

/* The text of the last failure, kept until cmocka prints it. */
static char dbtest_msg[16384];

/* Builds the failure message into dbtest_msg. */
static void dbtest_msgf(const char *fmt, ...) DBM_GCC_PRINTF(1, 2);
static void dbtest_msgf(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(dbtest_msg, sizeof(dbtest_msg), fmt, ap);
	va_end(ap);
}

char *dbm_testdb_url_with_db(const char *url, const char *db)
{
	const char *p = strstr(url, "://");
	const char *host, *slash, *q, *at;
	char *out;
	size_t n;

	assert_non_null(p);
	/* The host starts after the last '@' of the authority: a password may hold a '/'. */
	host = p + 3;
	q = strchr(host, '?');
	for (at = host; (at = strchr(at, '@')) != NULL && (!q || at < q); at++)
		host = at + 1;
	slash = strchr(host, '/');
	if (!slash || (q && slash > q))
		slash = q ? q : url + strlen(url);
	q = strchr(slash, '?');
	n = (size_t)(slash - url);
	out = malloc(n + strlen(db) + 2 + (q ? strlen(q) : 0));
	assert_non_null(out);
	sprintf(out, "%.*s/%s%s", (int)n, url, db, q ? q : "");
	return out;
}

struct dbm_conn_opts dbm_testdb_opts(const char *url)
{
	struct dbm_conn_opts o;

	memset(&o, 0, sizeof(o));
	o.url = url;
	o.connect_retries_interval = 1;
	o.application_name = "dbmigrate";
	return o;
}

/*
 * Connects with o; 0 and *out, or -1 with the reason in dbtest_msg. A
 * database just created through one Galera node may reach another node a
 * moment later: "unknown database" (MySQL 1049) is retried for up to 10 s.
 */
static int dbtest_try_connect(const struct dbm_conn_opts *o, struct dbm_conn **out)
{
	const struct dbm_driver *d = dbm_driver_for_url(o->url);
	struct timespec nap = {0, 100 * 1000 * 1000};
	int tries = 0;

	*out = NULL;
	while (!d || d->connect(o, out) != 0 || !*out) {
		if (d && dbm_error_last()->server_code == 1049 && ++tries < 100) {
			nanosleep(&nap, NULL);
			continue;
		}
		dbtest_msgf("connect failed: %s", dbm_error_last()->message);
		return -1;
	}
	return 0;
}

struct dbm_conn *dbm_testdb_connect_opts(const struct dbm_conn_opts *o)
{
	struct dbm_conn *c;

	if (dbtest_try_connect(o, &c) != 0)
		fail_msg("%s", dbtest_msg);
	return c;
}

struct dbm_conn *dbm_testdb_connect(const char *url)
{
	struct dbm_conn_opts o = dbm_testdb_opts(url);

	return dbm_testdb_connect_opts(&o);
}

int dbm_testdb_try(struct dbm_conn *c, const char *sql)
{
	struct dbm_stmt s;

	memset(&s, 0, sizeof(s));
	s.sql = sql;
	s.len = strlen(sql);
	s.line = 1;
	s.index = 1;
	return c->driver->exec(c, &s);
}

void dbm_testdb_exec(struct dbm_conn *c, const char *sql)
{
	if (dbm_testdb_try(c, sql) != 0)
		fail_msg("'%s' failed: %s", sql, dbm_error_last()->message);
}

void dbm_testdb_stmts(struct dbm_stmt *v, const char *const *sql, size_t n)
{
	size_t i;

	memset(v, 0, n * sizeof(*v));
	for (i = 0; i < n; i++) {
		v[i].sql = sql[i];
		v[i].len = strlen(sql[i]);
		v[i].line = (unsigned)i + 1;
		v[i].index = (unsigned)i + 1;
	}
}

int dbm_testdb_collect(void *ctx, unsigned ncols, const char *const *values)
{
	struct dbm_buf *b = ctx;
	unsigned i;

	for (i = 0; i < ncols; i++) {
		if (i)
			dbm_buf_addc(b, '|');
		dbm_buf_adds(b, values[i] ? values[i] : "NULL");
	}
	dbm_buf_addc(b, '\n');
	return 0;
}

char *dbm_testdb_rows(struct dbm_conn *c, const char *sql)
{
	struct dbm_buf b = DBM_BUF_INIT;

	if (c->driver->query(c, sql, dbm_testdb_collect, &b) != 0) {
		dbtest_msgf("'%s' failed: %s", sql, dbm_error_last()->message);
		dbm_buf_free(&b);
		fail_msg("%s", dbtest_msg);
	}
	if (!b.ptr)
		dbm_buf_adds(&b, "");
	return dbm_buf_detach(&b);
}

void dbm_testdb_assert_rows(struct dbm_conn *c, const char *sql, const char *want)
{
	char *got = dbm_testdb_rows(c, sql);

	if (strcmp(got, want) != 0) {
		dbtest_msgf("\"%s\" != \"%s\" (rows of '%s')", got, want, sql);
		dbm_free(got);
		fail_msg("%s", dbtest_msg);
	}
	dbm_free(got);
}

double dbm_testdb_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Appends "DROP DATABASE IF EXISTS name" in t's dialect to sql (size bytes). */
static void dbtest_drop_sql(const struct dbm_testdb *t, const char *name, char *sql, size_t size)
{
	if (t->driver->dialect == DBM_DIALECT_MYSQL)
		snprintf(sql, size, "DROP DATABASE IF EXISTS `%s`", name);
	else
		snprintf(sql, size, "DROP DATABASE IF EXISTS \"%s\" WITH (FORCE)", name);
}

/* Drops and creates database name; 0, or -1 with the reason in dbtest_msg. */
static int dbtest_create(struct dbm_testdb *t, const char *name)
{
	char sql[256];

	dbtest_drop_sql(t, name, sql, sizeof(sql));
	if (dbm_testdb_try(t->admin, sql) != 0)
		goto fail;
	if (t->driver->dialect == DBM_DIALECT_MYSQL)
		snprintf(sql, sizeof(sql), "CREATE DATABASE `%s`", name);
	else
		snprintf(sql, sizeof(sql), "CREATE DATABASE \"%s\"", name);
	if (dbm_testdb_try(t->admin, sql) != 0)
		goto fail;
	return 0;
fail:
	dbtest_msgf("'%s' failed: %s", sql, dbm_error_last()->message);
	return -1;
}

/*
 * Frees t and everything it holds, dropping its databases when there is an
 * admin connection. Returns 0, or -1 when a DROP failed (the first reason in
 * dbtest_msg).
 */
static int dbtest_release(struct dbm_testdb *t)
{
	char sql[256];
	int i, rc = 0;

	if (t->db)
		t->db->driver->disconnect(t->db);
	for (i = t->nextra - 1; i >= -1; i--) {
		const char *name = i < 0 ? t->name : t->extra_name[i];

		if (!t->admin || !*name)
			continue;
		dbtest_drop_sql(t, name, sql, sizeof(sql));
		if (dbm_testdb_try(t->admin, sql) != 0 && rc == 0) {
			dbtest_msgf("'%s' failed: %s", sql, dbm_error_last()->message);
			rc = -1;
		}
	}
	for (i = 0; i < t->nextra; i++)
		free(t->extra_url[i]);
	if (t->admin)
		t->admin->driver->disconnect(t->admin);
	if (t->dir) {
		dbm_test_rmtree(t->dir);
		free(t->dir);
	}
	free(t->url);
	free(t->server);
	free(t);
	return rc;
}

struct dbm_testdb *dbm_testdb_new_at(const char *url)
{
	static unsigned seq;
	struct dbm_testdb *t = calloc(1, sizeof(*t));
	struct dbm_conn_opts o;

	assert_non_null(t);
	t->server = strdup(url);
	assert_non_null(t->server);
	t->driver = dbm_driver_for_url(url);
	if (!t->driver) {
		dbtest_msgf("no driver for the test server: %s", dbm_error_last()->message);
		goto fail;
	}
	o = dbm_testdb_opts(url);
	if (dbtest_try_connect(&o, &t->admin) != 0)
		goto fail;
	snprintf(t->name, sizeof(t->name), "dbm_test_%ld_%u", (long)getpid(), ++seq);
	t->url = dbm_testdb_url_with_db(url, t->name);
	if (dbtest_create(t, t->name) != 0)
		goto fail;
	o = dbm_testdb_opts(t->url);
	if (dbtest_try_connect(&o, &t->db) != 0)
		goto fail;
	t->dir = dbm_test_tmpdir();
	snprintf(t->migrations, sizeof(t->migrations), "%s/migrations", t->dir);
	return t;
fail:
	dbtest_release(t);
	fail_msg("%s", dbtest_msg);
	return NULL;
}

struct dbm_testdb *dbm_testdb_new(const char *env)
{
	const char *url = getenv(env);

	if (!url || !*url)
		return NULL;
	return dbm_testdb_new_at(url);
}

int dbm_testdb_add(struct dbm_testdb *t, const char *suffix)
{
	int i = t->nextra;

	assert_true(i < DBM_TESTDB_MAX_EXTRA);
	snprintf(t->extra_name[i], sizeof(t->extra_name[i]), "%s_%s", t->name, suffix);
	t->extra_url[i] = dbm_testdb_url_with_db(t->server, t->extra_name[i]);
	t->nextra++;
	if (dbtest_create(t, t->extra_name[i]) != 0)
		fail_msg("%s", dbtest_msg);
	return i;
}

void dbm_testdb_create_db(struct dbm_testdb *t, const char *name)
{
	if (dbtest_create(t, name) != 0)
		fail_msg("%s", dbtest_msg);
}

void dbm_testdb_drop_db(struct dbm_testdb *t, const char *name)
{
	char sql[256];

	dbtest_drop_sql(t, name, sql, sizeof(sql));
	dbm_testdb_exec(t->admin, sql);
}

void dbm_testdb_free(struct dbm_testdb *t)
{
	if (t && dbtest_release(t) != 0)
		fail_msg("%s", dbtest_msg);
}

int dbm_testdb_setup_pgsql(void **state)
{
	*state = dbm_testdb_new("DBM_TEST_PG_URL");
	return 0;
}

int dbm_testdb_setup_mysql(void **state)
{
	*state = dbm_testdb_new("DBM_TEST_MYSQL_URL");
	return 0;
}

int dbm_testdb_teardown(void **state)
{
	struct dbm_testdb *t = *state;

	*state = NULL;
	dbm_testdb_free(t);
	return 0;
}

struct dbm_testdb *dbm_testdb_state(void **state, const char *env)
{
	if (!*state) {
		dbm_test_server_url(env);
		skip();
	}
	return *state;
}

const char *dbm_testdb_server(const char *env)
{
	const char *url = dbm_test_server_url(env);

	if (!url)
		skip();
	return url;
}
