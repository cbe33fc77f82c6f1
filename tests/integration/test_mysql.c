/*
 * test_mysql.c - the MySQL/MariaDB driver through its vtable, against a real server.
 *
 * DBM_TEST_MYSQL_URL names a server (tests/servers/mariadb.sh starts one);
 * DBM_TEST_GALERA_URLS, three URLs separated by spaces, a Galera cluster
 * (tests/servers/galera.sh). Without them the tests are skipped, unless
 * DBM_TEST_REQUIRE_SERVERS=1 makes a missing DBM_TEST_MYSQL_URL a failure;
 * the Galera tests are optional either way. Every test works in a database
 * of its own, dropped at the end.
 */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "dbmigrate/driver.h"
#include "dbtest.h"
#include "testutil.h"

extern const struct dbm_driver dbm_mysql_driver;

static const struct dbm_driver *drv = &dbm_mysql_driver;

#define MYSQL_ENV "DBM_TEST_MYSQL_URL"

/* The test server's URL (ends in '/'), or skips / fails the test when there is none. */
static const char *mysql_url(void)
{
	return dbm_testdb_server(MYSQL_ENV);
}

/* The test's own database (see dbtest.h), or skips / fails the test when there is none. */
static struct dbm_testdb *mysql_db(void **state)
{
	return dbm_testdb_state(state, MYSQL_ENV);
}

/* Builds base + suffix into a static buffer (one at a time). */
static const char *url_with(const char *base, const char *suffix)
{
	static char buf[4][1024];
	static int which;
	char tmp[1024];

	which = (which + 1) % 4;
	snprintf(tmp, sizeof(tmp), "%s%s", base, suffix);
	memcpy(buf[which], tmp, sizeof(tmp));
	return buf[which];
}

/* Connects to url with --schema schema (NULL: none). */
static struct dbm_conn *connect_schema(const char *url, const char *schema)
{
	struct dbm_conn_opts o = dbm_testdb_opts(url);

	o.schema = schema;
	return dbm_testdb_connect_opts(&o);
}

/* The password of a URL "mysql://user:pw@..." into buf; "" when none. */
static void url_password(const char *url, char *buf, size_t n)
{
	const char *p = strstr(url, "://"), *colon, *at;

	buf[0] = '\0';
	if (!p)
		return;
	p += 3;
	at = strchr(p, '@');
	colon = strchr(p, ':');
	if (!at || !colon || colon > at)
		return;
	snprintf(buf, n, "%.*s", (int)(at - colon - 1), colon + 1);
}

/* The URL without its password ("mysql://dbm@host:port/"). */
static const char *url_without_password(const char *url)
{
	static char buf[1024];
	const char *p = strstr(url, "://") + 3;
	const char *colon = strchr(p, ':'), *at = strchr(p, '@');

	assert_non_null(at);
	assert_true(colon < at);
	snprintf(buf, sizeof(buf), "%.*s%s", (int)(colon - url), url, at);
	return buf;
}

static void assert_no_secret(const char *pw)
{
	const struct dbm_error *e = dbm_error_last();

	assert_true(strlen(pw) > 0);
	assert_null(strstr(e->message, pw));
	assert_null(strstr(e->detail, pw));
	assert_null(strstr(e->hint, pw));
}

/* ---- connecting --------------------------------------------------------------------------- */

static void test_mysql__connect_with_password_in_url(void **state)
{
	struct dbm_testdb *t = mysql_db(state);
	const char *db = t->name;
	struct dbm_conn *c = dbm_testdb_connect(t->url);
	struct dbm_buf v = DBM_BUF_INIT;

	assert_string_equal(c->schema, db);
	assert_string_equal(c->user, "dbm");
	assert_non_null(c->server_version);
	assert_true(strncmp(c->server_version, "MariaDB 1", 9) == 0 ||
	            strncmp(c->server_version, "MySQL ", 6) == 0);
	assert_null(strchr(c->server_version, '-'));
	dbm_testdb_assert_rows(c, "SELECT @@character_set_client, DATABASE()",
	                       url_with("utf8mb4|", url_with(db, "\n")));
	drv->disconnect(c);

	assert_int_equal(drv->client_version(&v), 0);
	assert_true(strncmp(v.ptr, "libmariadb ", 11) == 0);
	assert_true(v.len > 11);
	dbm_buf_free(&v);
}

static void test_mysql__connect_with_mysql_pwd(void **state)
{
	const char *base = mysql_url();
	char pw[256];
	struct dbm_conn *c;

	url_password(base, pw, sizeof(pw));
	setenv("MYSQL_PWD", pw, 1);
	c = dbm_testdb_connect(url_without_password(base));
	unsetenv("MYSQL_PWD");
	assert_string_equal(c->user, "dbm");
	assert_null(c->schema);
	drv->disconnect(c);
}

static void test_mysql__wrong_password_names_no_secret(void **state)
{
	const char *base = mysql_url();
	const char *wrong = "wrong-pw-7731";
	char url[1024];
	struct dbm_conn_opts o = {0};
	struct dbm_conn *c = NULL;
	const char *p = strstr(base, "://") + 3;

	snprintf(url, sizeof(url), "%.*s%s%s", (int)(strchr(p, ':') - base + 1), base, wrong,
	         strchr(p, '@'));
	o.url = url;
	assert_int_equal(drv->connect(&o, &c), DBM_ERR_RUN);
	assert_null(c);
	assert_int_equal(dbm_error_last()->server_code, 1045);
	assert_string_equal(dbm_error_last()->sqlstate, "28000");
	assert_non_null(strstr(dbm_error_last()->message,
	                       "cannot connect to the MySQL server: Access denied for user 'dbm'"));
	assert_no_secret(wrong);

	/* MYSQL_PWD is not used when the URL has a password. */
	setenv("MYSQL_PWD", wrong, 1);
	c = dbm_testdb_connect(base);
	drv->disconnect(c);
	setenv("MYSQL_PWD", "wrong-env-pw", 1);
	o.url = url_without_password(base);
	c = NULL;
	assert_int_equal(drv->connect(&o, &c), DBM_ERR_RUN);
	unsetenv("MYSQL_PWD");
	assert_int_equal(dbm_error_last()->server_code, 1045);
	assert_no_secret("wrong-env-pw");
}

static void test_mysql__url_errors(void **state)
{
	struct dbm_conn_opts o = {0};
	struct dbm_conn *c = NULL;

	o.url = "mysql://u:s3cr3t@127.0.0.1:3306/db?ssl-mode=REQUIRED&colour=blue";
	assert_int_equal(drv->connect(&o, &c), DBM_ERR_USAGE);
	assert_string_equal(dbm_error_last()->message, "unknown option 'colour' in the MySQL URL");
	assert_no_secret("s3cr3t");

	o.url = "mysql://u:s3cr3t@127.0.0.1:99999/db";
	assert_int_equal(drv->connect(&o, &c), DBM_ERR_USAGE);
	assert_string_equal(dbm_error_last()->message, "invalid port '99999' in the URL");

	o.url = "mysql://u:s3cr3t@127.0.0.1/db?ssl-mode=SOMETIMES";
	assert_int_equal(drv->connect(&o, &c), DBM_ERR_USAGE);
	assert_string_equal(dbm_error_last()->message,
	                    "invalid value 'SOMETIMES' for URL option 'ssl-mode'");

	o.url = "mysql://u:s3cr%ZZt@127.0.0.1/db";
	assert_int_equal(drv->connect(&o, &c), DBM_ERR_USAGE);
	assert_string_equal(dbm_error_last()->message,
	                    "invalid percent-encoding in the password of the URL");
	assert_no_secret("s3cr");

	o.url = "mysql://u:s3cr3t@127.0.0.1/db?connect-timeout=soon";
	assert_int_equal(drv->connect(&o, &c), DBM_ERR_USAGE);
	assert_string_equal(dbm_error_last()->message,
	                    "invalid value 'soon' for URL option 'connect-timeout'");
	assert_null(c);
}

static void test_mysql__percent_decoding_and_options(void **state)
{
	const char *base = mysql_url();
	char pw[256], enc[768], url[1024];
	const char *p = strstr(base, "://") + 3, *at = strchr(p, '@');
	struct dbm_conn *c;
	size_t i, n = 0;

	/* The password fully percent-encoded must work as well. */
	url_password(base, pw, sizeof(pw));
	for (i = 0; pw[i]; i++)
		n += (size_t)snprintf(enc + n, sizeof(enc) - n, "%%%02X", (unsigned char)pw[i]);
	snprintf(url, sizeof(url), "%.*s%s%s?ssl-mode=PREFERRED&connect-timeout=5",
	         (int)(strchr(p, ':') - base + 1), base, enc, at);
	c = dbm_testdb_connect(url);
	assert_string_equal(c->user, "dbm");
	drv->disconnect(c);
}

static void test_mysql__ssl_required_against_plain_server(void **state)
{
	const char *base = mysql_url();
	struct dbm_conn_opts o = {0};
	struct dbm_conn *c = NULL;
	char pw[256];
	int rc;

	o.url = url_with(base, "?ssl-mode=REQUIRED");
	rc = drv->connect(&o, &c);
	if (rc == 0) {
		/* The server speaks TLS: then the session is encrypted. */
		char *t = dbm_testdb_rows(c, "SHOW SESSION STATUS LIKE 'Ssl_cipher'");
		size_t n = strlen(t);

		dbm_free(t);
		assert_true(n > strlen("Ssl_cipher|\n"));
		drv->disconnect(c);
		return;
	}
	assert_int_equal(rc, DBM_ERR_RUN);
	assert_string_equal(dbm_error_last()->message,
	                    "cannot connect to the MySQL server: it does not offer TLS, which "
	                    "ssl-mode requires");
	assert_int_equal(dbm_error_last()->server_code, 2026);
	assert_null(c);
	o.url = url_with(base, "?ssl-mode=VERIFY_IDENTITY");
	assert_int_equal(drv->connect(&o, &c), DBM_ERR_RUN);
	assert_null(c);
	/* DISABLED and PREFERRED connect in plain text. */
	o.url = url_with(base, "?ssl-mode=DISABLED");
	assert_int_equal(drv->connect(&o, &c), 0);
	drv->disconnect(c);
	c = NULL;
	o.url = url_with(base, "?ssl_mode=preferred");
	assert_int_equal(drv->connect(&o, &c), 0);
	drv->disconnect(c);
	url_password(base, pw, sizeof(pw));
	assert_no_secret(pw);
}

static void test_mysql__schema_option_and_missing_database(void **state)
{
	struct dbm_testdb *t = mysql_db(state);
	const char *base = t->server, *name = t->name;
	const char *missing = "dbm_t_does_not_exist_x";
	char later[80], sql[256];
	struct dbm_conn_opts o = {0};
	struct dbm_conn *c = NULL;

	/* --schema differs from the URL's database: USE it. */
	c = connect_schema(base, name);
	assert_string_equal(c->schema, name);
	dbm_testdb_assert_rows(c, "SELECT DATABASE()", url_with(name, "\n"));
	drv->disconnect(c);

	/* A --schema that does not exist yet: the caller creates it, then it is used. */
	snprintf(later, sizeof(later), "%s_later", name);
	c = connect_schema(base, later);
	assert_string_equal(c->schema, later);
	snprintf(sql, sizeof(sql), "CREATE DATABASE `%s`", later);
	dbm_testdb_exec(c, sql);
	dbm_testdb_exec(c, "CREATE TABLE t (id INT)");
	dbm_testdb_assert_rows(c, "SELECT DATABASE()", url_with(later, "\n"));
	snprintf(sql, sizeof(sql), "DROP DATABASE `%s`", later);
	dbm_testdb_exec(c, sql);
	drv->disconnect(c);

	/* A database in the URL that does not exist: the server's error, clearly. */
	o.url = url_with(base, missing);
	assert_int_equal(drv->connect(&o, &c), DBM_ERR_RUN);
	assert_int_equal(dbm_error_last()->server_code, 1049);
	assert_string_equal(dbm_error_last()->sqlstate, "42000");
	snprintf(sql, sizeof(sql), "cannot connect to the MySQL server: Unknown database '%s'",
	         missing);
	assert_string_equal(dbm_error_last()->message, sql);
	assert_non_null(strstr(dbm_error_last()->hint, "does not exist"));
}

static void test_mysql__session_timeouts(void **state)
{
	const char *base = mysql_url();
	struct dbm_conn_opts o = {0};
	struct dbm_conn *c = NULL;

	o.url = base;
	o.statement_timeout = 1;
	o.ddl_lock_timeout = 7;
	assert_int_equal(drv->connect(&o, &c), 0);
	if (strncmp(c->server_version, "MariaDB", 7) == 0)
		dbm_testdb_assert_rows(c, "SELECT @@max_statement_time, @@lock_wait_timeout",
		                       "1.000000|7\n");
	else
		dbm_testdb_assert_rows(c, "SELECT @@max_execution_time, @@lock_wait_timeout",
		                       "1000|7\n");
	drv->disconnect(c);
}

/*
 * reset_session puts back the session as connecting left it, including what
 * connecting SET (the character set, ddl_lock_timeout) and the --schema it
 * USEd, after a file changed them.
 */
static void test_mysql__reset_session_restores_connect_settings(void **state)
{
	struct dbm_testdb *t = mysql_db(state);
	struct dbm_conn_opts o = dbm_testdb_opts(t->server);
	static const char settings[] =
	    "SELECT @@character_set_client, @@character_set_results, @@collation_connection, "
	    "@@lock_wait_timeout, @@sql_mode, DATABASE()";
	struct dbm_conn *c;
	char *before;

	o.schema = t->name;
	o.ddl_lock_timeout = 7;
	c = dbm_testdb_connect_opts(&o);
	before = dbm_testdb_rows(c, settings);
	assert_non_null(strstr(before, "utf8mb4|utf8mb4|utf8mb4_"));
	assert_non_null(strstr(before, "|7|"));
	dbm_testdb_exec(c, "SET NAMES latin1");
	dbm_testdb_exec(c, "SET SESSION lock_wait_timeout = 100, sql_mode = 'ANSI'");
	dbm_testdb_exec(c, "USE information_schema");
	assert_int_equal(drv->reset_session(c), 0);
	dbm_testdb_assert_rows(c, settings, before);
	dbm_free(before);
	drv->disconnect(c);
}

/* ---- statements --------------------------------------------------------------------------- */

static void test_mysql__exec_ddl_and_errors(void **state)
{
	struct dbm_conn *c = mysql_db(state)->db;

	dbm_testdb_exec(c, "CREATE TABLE t (id INT PRIMARY KEY, s VARCHAR(20) NULL)");
	dbm_testdb_exec(c, "INSERT INTO t VALUES (1, 'a\\'b'), (2, NULL), (3, 'caf\xc3\xa9')");
	dbm_testdb_assert_rows(c, "SELECT id, s FROM t ORDER BY id",
	                       "1|a'b\n2|NULL\n3|caf\xc3\xa9\n");

	assert_int_equal(dbm_testdb_try(c, "CREATE TABLE t (id INT)"), DBM_ERR_RUN);
	assert_string_equal(dbm_error_last()->message, "Table 't' already exists");
	assert_int_equal(dbm_error_last()->server_code, 1050);
	assert_string_equal(dbm_error_last()->sqlstate, "42S01");
	assert_int_equal(dbm_error_last()->position, 0);

	assert_int_equal(dbm_testdb_try(c, "INSERT INTO t VALUES (1, 'dup')"), DBM_ERR_RUN);
	assert_int_equal(dbm_error_last()->server_code, 1062);
	assert_string_equal(dbm_error_last()->sqlstate, "23000");

	assert_int_equal(dbm_testdb_try(c, "SELEC 1"), DBM_ERR_RUN);
	assert_int_equal(dbm_error_last()->server_code, 1064);
	assert_string_equal(dbm_error_last()->sqlstate, "42000");

	assert_int_equal(drv->query(c, "SELECT * FROM nope", dbm_testdb_collect, NULL),
	                 DBM_ERR_RUN);
	assert_int_equal(dbm_error_last()->server_code, 1146);
	assert_string_equal(dbm_error_last()->sqlstate, "42S02");

	/* The connection still works after errors. */
	dbm_testdb_assert_rows(c, "SELECT COUNT(*) FROM t", "3\n");
}

static int stop_after_first(void *ctx, unsigned ncols, const char *const *values)
{
	(*(int *)ctx)++;
	return 42;
}

static void test_mysql__procedure_with_result_sets(void **state)
{
	struct dbm_conn *c = mysql_db(state)->db;
	int calls = 0;

	dbm_testdb_exec(c, "CREATE TABLE log (n INT)");
	dbm_testdb_exec(
	    c, "CREATE PROCEDURE p()\nBEGIN\n  SELECT 1 AS a;\n  INSERT INTO log VALUES (1);\n"
	       "  SELECT 2 AS b UNION SELECT 3;\n  INSERT INTO log VALUES (2);\nEND");
	dbm_testdb_exec(c, "CALL p()");
	dbm_testdb_exec(c, "CALL p()");
	dbm_testdb_assert_rows(c, "SELECT COUNT(*), SUM(n) FROM log", "4|6\n");
	/* query: the first result set's rows; the others are drained. */
	dbm_testdb_assert_rows(c, "CALL p()", "1\n");
	assert_int_equal(drv->query(c, "CALL p()", stop_after_first, &calls), 42);
	assert_int_equal(calls, 1);
	dbm_testdb_assert_rows(c, "SELECT COUNT(*) FROM log", "8\n");

	/* An error in the middle of a procedure is the statement's error. */
	dbm_testdb_exec(c,
	                "CREATE PROCEDURE q() BEGIN SELECT 1; INSERT INTO missing VALUES (1); END");
	assert_int_equal(dbm_testdb_try(c, "CALL q()"), DBM_ERR_RUN);
	assert_int_equal(dbm_error_last()->server_code, 1146);
	dbm_testdb_assert_rows(c, "SELECT 5", "5\n");
}

/* Keeps the driver's flags of the first statement in *ctx. */
static int flags_cb(void *ctx, const struct dbm_stmt *st)
{
	if (st->index == 1)
		*(unsigned *)ctx = drv->stmt_flags(st);
	return 0;
}

/*
 * The driver's flags of sql, split as a file holding it between
 * DELIMITER $$ lines: the splitter classifies each statement, the driver
 * reads that.
 */
static unsigned flags_of(const char *sql)
{
	char text[512];
	unsigned got = 0;

	snprintf(text, sizeof(text), "DELIMITER $$\n%s$$\n", sql);
	assert_int_equal(dbm_split_string(DBM_DIALECT_MYSQL, text, strlen(text), flags_cb, &got),
	                 0);
	return got;
}

static void test_mysql__stmt_flags(void **state)
{
	assert_int_equal(drv->caps,
	                 DBM_CAP_SCHEMAS | DBM_CAP_SESSION_FLAGS | DBM_CAP_BATCH_AUTOCOMMIT);
	assert_int_equal(flags_of("BEGIN"), DBM_EXEC_TX_CONTROL);
	assert_int_equal(flags_of("begin work"), DBM_EXEC_TX_CONTROL);
	assert_int_equal(flags_of("START TRANSACTION READ ONLY"), DBM_EXEC_TX_CONTROL);
	assert_int_equal(flags_of("-- c\n# d\n/* e */ COMMIT"), DBM_EXEC_TX_CONTROL);
	assert_int_equal(flags_of("Commit Work And Chain"), DBM_EXEC_TX_CONTROL);
	assert_int_equal(flags_of("ROLLBACK"), DBM_EXEC_TX_CONTROL);
	assert_int_equal(flags_of("ROLLBACK TO SAVEPOINT s1"), 0);
	assert_int_equal(flags_of("rollback work to s1"), 0);
	assert_int_equal(flags_of("BEGIN NOT ATOMIC SELECT 1; END"), DBM_EXEC_ALONE);
	assert_int_equal(flags_of("START SLAVE"), 0);
	assert_int_equal(flags_of("CREATE TABLE begin_x (id INT)"), 0);
	assert_int_equal(flags_of("SAVEPOINT s1"), 0);
	assert_int_equal(flags_of("CREATE INDEX i ON t (a)"), 0);
	/* what may change the session: the runner resets it after such a script */
	assert_int_equal(flags_of("SET sql_mode = 'ANSI'"), DBM_EXEC_SESSION);
	assert_int_equal(flags_of("  set time_zone = '+09:00'"), DBM_EXEC_SESSION);
	assert_int_equal(flags_of("USE other"), DBM_EXEC_SESSION);
	assert_int_equal(flags_of("CALL p()"), DBM_EXEC_SESSION | DBM_EXEC_ALONE);
	/* only version comments: the server may find the statement empty, sent alone */
	assert_int_equal(flags_of("/*!40101 SET NAMES utf8 */"), DBM_EXEC_SESSION | DBM_EXEC_ALONE);
	assert_int_equal(flags_of("/*M!100100 SET x = 1 */"), DBM_EXEC_SESSION | DBM_EXEC_ALONE);
	assert_int_equal(flags_of("/*!40101 SET NAMES utf8 */ SELECT 1"), DBM_EXEC_SESSION);
	assert_int_equal(flags_of("CREATE TABLE settings (id INT)"), 0);
	/* what may give several results, or reads a client file: never batched */
	assert_int_equal(flags_of("CREATE PROCEDURE p() BEGIN SELECT 1; END"), DBM_EXEC_ALONE);
	assert_int_equal(flags_of("INSERT INTO a VALUES (1); INSERT INTO b VALUES (2)"),
	                 DBM_EXEC_ALONE);
	assert_int_equal(flags_of("SET @a = 1; SELECT @a"), DBM_EXEC_SESSION | DBM_EXEC_ALONE);
	assert_int_equal(flags_of("EXECUTE stmt"), DBM_EXEC_ALONE);
	assert_int_equal(flags_of("LOAD DATA LOCAL INFILE 'x' INTO TABLE t"), DBM_EXEC_ALONE);
	assert_int_equal(flags_of("INSERT INTO t VALUES ('a')"), 0);
}

/*
 * exec_batch sends statements in one multi-statement query: they run in
 * order, each committing on its own; the first failure names its
 * statement and the ones before it stay; a last-line comment does not
 * swallow the separator; result sets are read and dropped.
 */
static void test_mysql__exec_batch_names_the_failing_statement(void **state)
{
	static const char *const ok[] = {
	    "CREATE TABLE b (id INT PRIMARY KEY, s VARCHAR(20)) -- the table",
	    "SET SESSION sql_mode = 'ANSI_QUOTES'",
	    "INSERT INTO b VALUES (1, 'one') # a comment",
	    "SELECT id, s FROM \"b\"",
	    "INSERT INTO b VALUES (2, 'n'), (3, 'n')",
	};
	static const char *const dup[] = {
	    "INSERT INTO b VALUES (10, 'ten')",
	    "INSERT INTO b VALUES (1, 'again')",
	    "INSERT INTO b VALUES (11, 'eleven')",
	};
	static const char *const syntax[] = {"INSERT INTO b VALUES (12, 'x')", "SELEC 1"};
	struct dbm_conn *c = mysql_db(state)->db;
	struct dbm_stmt v[5];
	size_t failed = 99;

	dbm_testdb_stmts(v, ok, DBM_ARRAY_SIZE(ok));
	assert_int_equal(drv->exec_batch(c, v, DBM_ARRAY_SIZE(ok), &failed), 0);
	dbm_testdb_assert_rows(c, "SELECT id, s FROM b ORDER BY id", "1|one\n2|n\n3|n\n");
	dbm_testdb_stmts(v, dup, DBM_ARRAY_SIZE(dup));
	assert_int_equal(drv->exec_batch(c, v, DBM_ARRAY_SIZE(dup), &failed), DBM_ERR_RUN);
	assert_int_equal(failed, 1);
	assert_int_equal(dbm_error_last()->server_code, 1062);
	dbm_testdb_assert_rows(c, "SELECT GROUP_CONCAT(id ORDER BY id) FROM b", "1,2,3,10\n");
	dbm_testdb_stmts(v, syntax, DBM_ARRAY_SIZE(syntax));
	assert_int_equal(drv->exec_batch(c, v, DBM_ARRAY_SIZE(syntax), &failed), DBM_ERR_RUN);
	assert_int_equal(failed, 1);
	assert_int_equal(dbm_error_last()->server_code, 1064);
	dbm_testdb_stmts(v, dup, DBM_ARRAY_SIZE(dup));
	assert_int_equal(drv->exec_batch(c, v + 1, 1, &failed), DBM_ERR_RUN);
	assert_int_equal(failed, 0);
	dbm_testdb_assert_rows(c, "SELECT GROUP_CONCAT(id ORDER BY id) FROM b", "1,2,3,10,12\n");
}

/* ---- the lock ----------------------------------------------------------------------------- */

static void test_mysql__lock_second_connection_waits_and_fails(void **state)
{
	struct dbm_testdb *t = mysql_db(state);
	const char *name = t->name;
	char want[128];
	struct dbm_conn *a, *b;
	double t0, dt;
	char *id;

	a = dbm_testdb_connect(t->url);
	b = dbm_testdb_connect(t->url);
	assert_int_equal(drv->lock(a, name, "schema_history", 5), 0);
	id = dbm_testdb_rows(a, "SELECT CONNECTION_ID()");
	snprintf(want, sizeof(want),
	         "held by MySQL connection %.*s (user 'dbm', host '127.0.0.1:", (int)strlen(id) - 1,
	         id);
	dbm_free(id);
	t0 = dbm_testdb_now();
	assert_int_equal(drv->lock(b, name, "schema_history", 1), DBM_ERR_LOCK);
	dt = dbm_testdb_now() - t0;
	assert_true(dt >= 0.9 && dt < 5.0);
	assert_non_null(strstr(dbm_error_last()->message, want));
	assert_non_null(strstr(dbm_error_last()->message, "cannot acquire the lock 'dbmigrate:"));
	assert_non_null(strstr(dbm_error_last()->hint, "KILL "));

	/* A different table is a different lock. */
	assert_int_equal(drv->lock(b, name, "other_history", 0), 0);
	assert_int_equal(drv->unlock(b), 0);
	assert_int_equal(drv->unlock(a), 0);
	assert_int_equal(drv->unlock(a), 0); /* not held: fine */
	assert_int_equal(drv->lock(b, name, "schema_history", 1), 0);
	assert_int_equal(drv->unlock(b), 0);

	/* A very long name still gives one lock per schema.table. */
	assert_int_equal(drv->lock(a, name, "a_history_table_with_a_long_long_long_long_name_x", 0),
	                 0);
	assert_int_equal(drv->lock(b, name, "a_history_table_with_a_long_long_long_long_name_y", 0),
	                 0);
	assert_int_equal(drv->unlock(b), 0);
	assert_int_equal(drv->lock(b, name, "a_history_table_with_a_long_long_long_long_name_x", 0),
	                 DBM_ERR_LOCK);
	drv->disconnect(a); /* releases */
	assert_int_equal(drv->lock(b, name, "a_history_table_with_a_long_long_long_long_name_x", 0),
	                 0);
	drv->disconnect(b);
}

/*
 * In a child: connects to url, takes the lock on db.schema_history and
 * then dies by SIGKILL (a kill -9 of a runner) or, with hold_s > 0, holds
 * it that long and exits 0. Exit 4 when the lock was not acquired.
 */
static pid_t spawn_locker(const char *url, const char *db, int timeout_s, int hold_s)
{
	pid_t pid = fork();

	assert_true(pid >= 0);
	if (pid == 0) {
		struct dbm_conn_opts o = {0};
		struct dbm_conn *c = NULL;
		int rc;

		o.url = url;
		if (drv->connect(&o, &c) != 0) {
			fprintf(stderr, "locker %ld: connect: %s\n", (long)getpid(),
			        dbm_error_last()->message);
			_exit(1);
		}
		rc = drv->lock(c, db, "schema_history", timeout_s);
		if (rc != 0) {
			if (rc != DBM_ERR_LOCK)
				fprintf(stderr, "locker %ld: lock: %s (server code %d)\n",
				        (long)getpid(), dbm_error_last()->message,
				        dbm_error_last()->server_code);
			_exit(-rc);
		}
		if (hold_s <= 0)
			raise(SIGKILL);
		sleep((unsigned)hold_s);
		drv->unlock(c);
		drv->disconnect(c);
		_exit(0);
	}
	return pid;
}

static int wait_exit(pid_t pid)
{
	int st = 0;

	assert_int_equal(waitpid(pid, &st, 0), pid);
	if (WIFSIGNALED(st))
		return 128 + WTERMSIG(st);
	return WEXITSTATUS(st);
}

/*
 * The lock-table protocol against (a node of) a server: a killed holder
 * blocks the next runner until its row expires, and the message names the
 * dead holder. url_a and url_b may point to two nodes of a cluster.
 */
static void check_table_lock_expiry(const char *url_a, const char *url_b, const char *db)
{
	struct dbm_conn *b = dbm_testdb_connect(url_b);
	char want[128], sql[512];
	pid_t pid;
	double t0;

	pid = spawn_locker(url_a, db, 5, 0);
	assert_int_equal(wait_exit(pid), 128 + SIGKILL);
	snprintf(want, sizeof(want), "held by process %ld on host '", (long)pid);
	assert_int_equal(drv->lock(b, db, "schema_history", 1), DBM_ERR_LOCK);
	assert_non_null(strstr(dbm_error_last()->message, want));
	assert_non_null(strstr(dbm_error_last()->message, "expires in "));
	assert_non_null(strstr(dbm_error_last()->hint, "60 s after its last heartbeat"));

	/* Let the dead runner's row run out (as 60 s without heartbeat would). */
	snprintf(sql, sizeof(sql),
	         "UPDATE `%s`.`schema_history_lock` SET expires_at = UTC_TIMESTAMP(6) + "
	         "INTERVAL 1 SECOND",
	         db);
	dbm_testdb_exec(b, sql);
	t0 = dbm_testdb_now();
	assert_int_equal(drv->lock(b, db, "schema_history", 10), 0);
	assert_true(dbm_testdb_now() - t0 < 6.0);
	snprintf(sql, sizeof(sql),
	         "SELECT COUNT(*), SUM(pid = %ld), MIN(TIMESTAMPDIFF(SECOND, UTC_TIMESTAMP(6), "
	         "expires_at) BETWEEN 50 AND 60) FROM `%s`.`schema_history_lock`",
	         (long)getpid(), db);
	dbm_testdb_assert_rows(b, sql, "1|1|1\n");
	assert_int_equal(drv->unlock(b), 0);
	snprintf(sql, sizeof(sql), "SELECT COUNT(*) FROM `%s`.`schema_history_lock`", db);
	dbm_testdb_assert_rows(b, sql, "0\n");
	drv->disconnect(b);
}

static void test_mysql__table_lock_on_single_server(void **state)
{
	struct dbm_testdb *t = mysql_db(state);
	const char *name = t->name;
	char url[1024];
	struct dbm_conn *a, *b;
	double t0;

	snprintf(url, sizeof(url), "%s?lock=table", t->url);
	a = dbm_testdb_connect(url);
	b = dbm_testdb_connect(url);
	assert_int_equal(drv->lock(a, name, "schema_history", 1), 0);
	t0 = dbm_testdb_now();
	assert_int_equal(drv->lock(b, name, "schema_history", 1), DBM_ERR_LOCK);
	assert_true(dbm_testdb_now() - t0 >= 0.9);
	assert_non_null(strstr(dbm_error_last()->message, "held by process "));
	/* clean keeps the lock table it holds a lock in, and drops the rest. */
	dbm_testdb_exec(a, "CREATE TABLE t (id INT)");
	assert_int_equal(drv->clean(a, name), 0);
	dbm_testdb_assert_rows(a,
	                       url_with("SELECT TABLE_NAME FROM information_schema.TABLES "
	                                "WHERE TABLE_SCHEMA = '",
	                                url_with(name, "'")),
	                       "schema_history_lock\n");
	assert_int_equal(drv->unlock(a), 0);
	assert_int_equal(drv->lock(b, name, "schema_history", 1), 0);
	assert_int_equal(drv->unlock(b), 0);
	drv->disconnect(a);
	drv->disconnect(b);

	check_table_lock_expiry(url, url, name);
}

static void test_mysql__table_lock_heartbeat_extends_expiry(void **state)
{
	struct dbm_testdb *t = mysql_db(state);
	const char *name = t->name;
	char url[1024], sql[512];
	struct dbm_conn *a;

	snprintf(url, sizeof(url), "%s?lock=table", t->url);
	a = dbm_testdb_connect(url);
	assert_int_equal(drv->lock(a, name, "schema_history", 1), 0);
	/* Pretend the row is about to expire; the heartbeat (every 10 s) must push it out again. */
	dbm_testdb_exec(
	    a, "UPDATE schema_history_lock SET expires_at = UTC_TIMESTAMP(6) + INTERVAL 3 SECOND");
	sleep(11);
	snprintf(sql, sizeof(sql),
	         "SELECT TIMESTAMPDIFF(SECOND, UTC_TIMESTAMP(6), expires_at) > 40 FROM "
	         "`%s`.schema_history_lock",
	         name);
	dbm_testdb_assert_rows(a, sql, "1\n");
	assert_int_equal(drv->unlock(a), 0);
	drv->disconnect(a);
}

/* ---- clean -------------------------------------------------------------------------------- */

static void test_mysql__clean_drops_everything(void **state)
{
	struct dbm_testdb *t = mysql_db(state);
	const char *name = t->name;
	char sql[1024];
	struct dbm_conn *c = t->db;

	dbm_testdb_exec(c, "CREATE TABLE parent (id INT PRIMARY KEY) ENGINE=InnoDB");
	dbm_testdb_exec(c,
	                "CREATE TABLE child (id INT PRIMARY KEY, p INT, FOREIGN KEY (p) REFERENCES "
	                "parent (id)) ENGINE=InnoDB");
	dbm_testdb_exec(c, "CREATE TABLE `we``ird name` (id INT)");
	dbm_testdb_exec(c, "INSERT INTO parent VALUES (1)");
	dbm_testdb_exec(c, "INSERT INTO child VALUES (1, 1)");
	dbm_testdb_exec(c, "CREATE VIEW v1 AS SELECT * FROM child");
	dbm_testdb_exec(c, "CREATE VIEW v2 AS SELECT * FROM v1");
	dbm_testdb_exec(c, "CREATE PROCEDURE pr() SELECT 1");
	dbm_testdb_exec(c, "CREATE FUNCTION fn(x INT) RETURNS INT DETERMINISTIC RETURN x + 1");
	dbm_testdb_exec(c,
	                "CREATE TRIGGER tr BEFORE INSERT ON child FOR EACH ROW SET NEW.p = NEW.p");
	dbm_testdb_exec(c, "CREATE EVENT ev ON SCHEDULE EVERY 1 DAY DO DELETE FROM child");
	dbm_testdb_exec(c, "CREATE SEQUENCE sq");

	assert_int_equal(drv->clean(c, name), 0);
	snprintf(
	    sql, sizeof(sql),
	    "SELECT (SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = '%s'),"
	    " (SELECT COUNT(*) FROM information_schema.ROUTINES WHERE ROUTINE_SCHEMA = '%s'),"
	    " (SELECT COUNT(*) FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = '%s'),"
	    " (SELECT COUNT(*) FROM information_schema.EVENTS WHERE EVENT_SCHEMA = '%s'),"
	    " (SELECT COUNT(*) FROM information_schema.VIEWS WHERE TABLE_SCHEMA = '%s'),"
	    " @@FOREIGN_KEY_CHECKS",
	    name, name, name, name, name);
	dbm_testdb_assert_rows(c, sql, "0|0|0|0|0|1\n");
	/* An empty database cleans fine too; NULL means the connection's database. */
	assert_int_equal(drv->clean(c, NULL), 0);
}

/* ---- a lost connection -------------------------------------------------------------------- */

static void test_mysql__lost_connection(void **state)
{
	const char *base = mysql_url();
	struct dbm_conn *a = dbm_testdb_connect(base), *b = dbm_testdb_connect(base);
	char sql[64];
	char *id = dbm_testdb_rows(a, "SELECT CONNECTION_ID()");
	int code;

	snprintf(sql, sizeof(sql), "KILL CONNECTION %.*s", (int)strlen(id) - 1, id);
	dbm_free(id);
	dbm_testdb_exec(b, sql);
	assert_int_equal(dbm_testdb_try(a, "SELECT 1"), DBM_ERR_RUN);
	assert_non_null(
	    strstr(dbm_error_last()->message, "lost the connection to the MySQL server: "));
	code = dbm_error_last()->server_code;
	assert_true(code == 2006 || code == 2013 || code == 1927);
	assert_non_null(strstr(dbm_error_last()->hint, "run the command again"));
	/* Every later call fails the same way, without touching the dead handle. */
	assert_int_equal(drv->query(a, "SELECT 1", dbm_testdb_collect, NULL), DBM_ERR_RUN);
	assert_string_equal(dbm_error_last()->message,
	                    "the connection to the MySQL server was lost earlier");
	assert_int_equal(drv->lock(a, NULL, "schema_history", 1), DBM_ERR_RUN);
	assert_int_equal(drv->unlock(a), 0);
	drv->disconnect(a);
	drv->disconnect(b);
}

/* ---- Galera ------------------------------------------------------------------------------- */

/* Splits DBM_TEST_GALERA_URLS into urls[0..2]; skips when unset. */
static void galera_urls(char urls[3][512])
{
	const char *env = getenv("DBM_TEST_GALERA_URLS");
	int n;

	if (!env || !*env)
		dbm_test_galera_skip();
	n = sscanf(env, "%511s %511s %511s", urls[0], urls[1], urls[2]);
	if (n != 3)
		fail_msg("DBM_TEST_GALERA_URLS needs three URLs");
}

static void test_mysql__galera_lock_one_winner(void **state)
{
	char urls[3][512];
	const char *name;
	pid_t p1, p2;
	int r1, r2, round;
	struct dbm_conn *c;

	galera_urls(urls);
	*state = dbm_testdb_new_at(urls[0]);
	name = ((struct dbm_testdb *)*state)->name;
	/* Through the second node, once the new database has reached it (it may lag a moment). */
	c = dbm_testdb_connect(url_with(urls[1], name));
	dbm_testdb_assert_rows(c, "SELECT @@wsrep_on", "1\n");
	drv->disconnect(c);
	for (round = 0; round < 3; round++) {
		/* Both try at once through two nodes; the winner holds for 4 s. */
		p1 = spawn_locker(url_with(urls[0], name), name, 2, 4);
		p2 = spawn_locker(url_with(urls[1], name), name, 2, 4);
		r1 = wait_exit(p1);
		r2 = wait_exit(p2);
		if (!((r1 == 0 && r2 == 4) || (r1 == 4 && r2 == 0)))
			fail_msg("round %d: exits %d and %d, want one 0 and one 4", round, r1, r2);
	}
}

static void test_mysql__galera_killed_holder_expires(void **state)
{
	char urls[3][512], a[600], b[600];
	const char *name;

	galera_urls(urls);
	*state = dbm_testdb_new_at(urls[0]);
	name = ((struct dbm_testdb *)*state)->name;
	snprintf(a, sizeof(a), "%s%s", urls[0], name);
	snprintf(b, sizeof(b), "%s%s", urls[1], name);
	check_table_lock_expiry(a, b, name);
}

/* A test in a database of its own, made before and dropped after it. */
#define MYDB(f) cmocka_unit_test_setup_teardown(f, dbm_testdb_setup_mysql, dbm_testdb_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_mysql__stmt_flags),
	    MYDB(test_mysql__exec_batch_names_the_failing_statement),
	    cmocka_unit_test(test_mysql__url_errors),
	    MYDB(test_mysql__connect_with_password_in_url),
	    cmocka_unit_test(test_mysql__connect_with_mysql_pwd),
	    cmocka_unit_test(test_mysql__wrong_password_names_no_secret),
	    cmocka_unit_test(test_mysql__percent_decoding_and_options),
	    cmocka_unit_test(test_mysql__ssl_required_against_plain_server),
	    MYDB(test_mysql__schema_option_and_missing_database),
	    cmocka_unit_test(test_mysql__session_timeouts),
	    MYDB(test_mysql__reset_session_restores_connect_settings),
	    MYDB(test_mysql__exec_ddl_and_errors),
	    MYDB(test_mysql__procedure_with_result_sets),
	    MYDB(test_mysql__lock_second_connection_waits_and_fails),
	    MYDB(test_mysql__table_lock_on_single_server),
	    MYDB(test_mysql__table_lock_heartbeat_extends_expiry),
	    MYDB(test_mysql__clean_drops_everything),
	    cmocka_unit_test(test_mysql__lost_connection),
	    cmocka_unit_test_teardown(test_mysql__galera_lock_one_winner, dbm_testdb_teardown),
	    cmocka_unit_test_teardown(test_mysql__galera_killed_holder_expires,
	                              dbm_testdb_teardown),
	};

	return cmocka_run_group_tests_name("mysql", tests, NULL, NULL);
}
