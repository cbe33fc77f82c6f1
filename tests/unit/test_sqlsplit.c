/*
 * test_sqlsplit.c - unit tests of the streaming SQL splitter (sqlsplit.c).
 *
 * Every input is split whole and again fed in chunks of 1 to 7 bytes, and
 * each run must give the same transcript: one "line:text" line per
 * statement (COPY data in [copy]...[/copy]) or the error with its line and
 * hint. Fixtures in tests/fixtures/split/ are checked against their
 * .expected files, which list "line<TAB>first 40 bytes" per statement.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dbmigrate/common.h"
#include "dbmigrate/sqlsplit.h"
#include "testutil.h"

/* Test-only accessor defined in sqlsplit.c. */
size_t dbm_splitter_test_capacity(const struct dbm_splitter *s);

struct collect {
	struct dbm_buf out;
	unsigned next;
	int brief;   /* fixture format: line<TAB>first 40 bytes */
	int stop_at; /* return 7 from this statement on (0: never) */
	unsigned long long bytes;
};

static void collect_escaped(struct dbm_buf *b, const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (s[i] == '\n')
			dbm_buf_adds(b, "\\n");
		else if (s[i] == '\r')
			dbm_buf_adds(b, "\\r");
		else if (s[i] == '\t')
			dbm_buf_adds(b, "\\t");
		else
			dbm_buf_addc(b, s[i]);
	}
}

static int collect_cb(void *ctx, const struct dbm_stmt *st)
{
	struct collect *c = ctx;

	if (st->index != ++c->next)
		dbm_buf_addf(&c->out, "BAD INDEX %u\n", st->index);
	if (strlen(st->sql) != st->len)
		dbm_buf_addf(&c->out, "BAD LENGTH %zu\n", st->len);
	if (!!(st->flags & DBM_STMT_COPY_IN) != !!st->copy_data)
		dbm_buf_adds(&c->out, "BAD COPY FLAGS\n");
	c->bytes += st->len;
	if (c->brief) {
		dbm_buf_addf(&c->out, "%u\t", st->line);
		collect_escaped(&c->out, st->sql, st->len > 40 ? 40 : st->len);
		if (st->flags & DBM_STMT_COPY_IN)
			dbm_buf_addf(&c->out, "\tCOPY %zu", st->copy_len);
		dbm_buf_addc(&c->out, '\n');
	} else {
		dbm_buf_addf(&c->out, "%u:%s\n", st->line, st->sql);
		if (st->flags & DBM_STMT_COPY_IN) {
			dbm_buf_adds(&c->out, "[copy]");
			dbm_buf_add(&c->out, st->copy_data, st->copy_len);
			dbm_buf_adds(&c->out, "[/copy]\n");
		}
	}
	if (c->stop_at && st->index >= (unsigned)c->stop_at)
		return 7;
	return 0;
}

/*
 * Splits in with chunk-byte feeds (0: dbm_split_string) and returns the
 * transcript, which the caller frees.
 */
static char *split_run(enum dbm_dialect d, const char *in, size_t len, size_t chunk, int brief)
{
	struct collect c = {DBM_BUF_INIT, 0, brief, 0, 0};
	int rc;

	dbm_error_clear();
	if (!chunk) {
		rc = dbm_split_string(d, in, len, collect_cb, &c);
	} else {
		struct dbm_splitter *s = dbm_splitter_new(d, collect_cb, &c);
		size_t off = 0;

		assert_non_null(s);
		rc = 0;
		while (!rc && off < len) {
			size_t n = len - off < chunk ? len - off : chunk;

			rc = dbm_splitter_feed(s, in + off, n);
			off += n;
		}
		if (!rc)
			rc = dbm_splitter_finish(s);
		dbm_splitter_free(s);
	}
	if (rc) {
		const struct dbm_error *e = dbm_error_last();

		dbm_buf_addf(&c.out, "error %d at line %u: %s\n", rc, e->line, e->message);
		if (e->hint[0])
			dbm_buf_addf(&c.out, "hint: %s\n", e->hint);
	}
	dbm_buf_adds(&c.out, "");
	return dbm_buf_detach(&c.out);
}

/* Splits in whole and in every chunk size 1..7; each transcript must be expected. */
static void check_split(enum dbm_dialect d, const char *in, const char *expected)
{
	size_t chunk;

	for (chunk = 0; chunk <= 7; chunk++) {
		char *got = split_run(d, in, strlen(in), chunk, 0);

		if (strcmp(got, expected) != 0)
			print_message("chunk size %zu (0: whole)\n", chunk);
		assert_string_equal(got, expected);
		dbm_free(got);
	}
}

static char *read_fixture(const char *name, size_t *len)
{
	char path[4096];
	FILE *f;
	long n;
	char *buf;

	snprintf(path, sizeof(path), "%s/split/%s", DBM_TEST_FIXTURES, name);
	f = fopen(path, "rb");
	assert_non_null(f);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	assert_true(n >= 0);
	rewind(f);
	buf = dbm_malloc((size_t)n + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	buf[n] = '\0';
	fclose(f);
	*len = (size_t)n;
	return buf;
}

/* Splits tests/fixtures/split/<name>.sql at several chunk sizes against <name>.expected. */
static void check_fixture(enum dbm_dialect d, const char *name)
{
	static const size_t chunks[] = {0, 1, 2, 3, 4, 5, 6, 7, 13, 4096};
	char file[256];
	size_t len, elen, i;
	char *in, *expected;

	snprintf(file, sizeof(file), "%s.sql", name);
	in = read_fixture(file, &len);
	snprintf(file, sizeof(file), "%s.expected", name);
	expected = read_fixture(file, &elen);
	for (i = 0; i < DBM_ARRAY_SIZE(chunks); i++) {
		char *got = split_run(d, in, len, chunks[i], 1);

		if (strcmp(got, expected) != 0)
			print_message("%s: chunk size %zu (0: whole)\n", name, chunks[i]);
		assert_string_equal(got, expected);
		dbm_free(got);
	}
	dbm_free(in);
	dbm_free(expected);
}

/* ---- string rules learned from the server ---- */

struct flagged {
	struct dbm_buf out;
	const struct dbm_string_rules *rules; /* set after a DBM_STMT_STRING_RULES statement */
};

/* Notes "line:R" for a statement flagged DBM_STMT_STRING_RULES, "line:C" for ONLY_CONDITIONAL. */
static int flagged_cb(void *ctx, const struct dbm_stmt *st)
{
	struct flagged *f = ctx;

	dbm_buf_addf(&f->out, "%u:%s%s%s\n", st->line,
	             (st->flags & DBM_STMT_STRING_RULES) ? "R" : "",
	             (st->flags & DBM_STMT_ONLY_CONDITIONAL) ? "C" : "", st->sql);
	if ((st->flags & DBM_STMT_STRING_RULES) && f->rules)
		dbm_splitter_set_rules(st->splitter, f->rules);
	return 0;
}

static void check_flagged(enum dbm_dialect d, const char *in, const struct dbm_string_rules *r,
                          const char *expected)
{
	struct flagged f = {DBM_BUF_INIT, r};
	int rc = dbm_split_string(d, in, strlen(in), flagged_cb, &f);

	if (rc)
		dbm_buf_addf(&f.out, "error %d: %s\n", rc, dbm_error_last()->message);
	dbm_buf_adds(&f.out, "");
	assert_string_equal(f.out.ptr, expected);
	dbm_buf_free(&f.out);
}

/* The statements after which the runner asks the server how it reads strings. */
static void test_sqlsplit__statements_that_may_change_string_rules_are_flagged(void **state)
{
	check_flagged(DBM_DIALECT_PGSQL,
	              "SET /* x */ standard_conforming_strings = off;\nRESET ALL;\n"
	              "SELECT pg_catalog.set_config('search_path', '', false);\nSELECT 1;\n"
	              "BEGIN;\nCOMMIT;\nROLLBACK;\nCALL p();\nDO $$ BEGIN END $$;\n"
	              "INSERT INTO t VALUES (1);\nWITH x AS (SELECT SET_CONFIG('a', 'b', true)) "
	              "SELECT 2;",
	              NULL,
	              "1:RSET /* x */ standard_conforming_strings = off\n2:RRESET ALL\n"
	              "3:RSELECT pg_catalog.set_config('search_path', '', false)\n4:SELECT 1\n"
	              "5:BEGIN\n6:RCOMMIT\n7:RROLLBACK\n8:RCALL p()\n9:RDO $$ BEGIN END $$\n"
	              "10:INSERT INTO t VALUES (1)\n"
	              "11:RWITH x AS (SELECT SET_CONFIG('a', 'b', true)) SELECT 2\n");
	check_flagged(DBM_DIALECT_MYSQL,
	              "SET sql_mode = '';\nSET NAMES utf8mb4;\n/*!40101 SET x = 1 */;\nCALL p();\n"
	              "SELECT @@sql_mode;\nINSERT INTO t VALUES (1);\n/*!999999 x */;\n/*+ h */;",
	              NULL,
	              "1:RSET sql_mode = ''\n2:RSET NAMES utf8mb4\n3:RC/*!40101 SET x = 1 */\n"
	              "4:RCALL p()\n5:RSELECT @@sql_mode\n6:INSERT INTO t VALUES (1)\n"
	              "7:RC/*!999999 x */\n8:RC/*+ h */\n");
	check_flagged(DBM_DIALECT_SQLITE, "PRAGMA x = 1;\nSELECT 1;", NULL,
	              "1:PRAGMA x = 1\n2:SELECT 1\n");
}

/*
 * What the server reports wins over what the text suggests: set_config(),
 * SET with a comment, SET LOCAL reverted by COMMIT (PostgreSQL); an
 * expression, SET GLOBAL, ANSI_QUOTES (MySQL).
 */
static void test_sqlsplit__string_rules_from_the_server_decide(void **state)
{
	static const struct dbm_string_rules esc = {1, 0}, plain = {0, 0}, ansi = {1, 1};

	check_flagged(DBM_DIALECT_PGSQL,
	              "SELECT set_config('standard_conforming_strings','off',false);\n"
	              "INSERT INTO log VALUES (1, 'a\\';b');",
	              &esc,
	              "1:RSELECT set_config('standard_conforming_strings','off',false)\n"
	              "2:INSERT INTO log VALUES (1, 'a\\';b')\n");
	/* SET LOCAL off, then COMMIT: the server reports on again */
	check_flagged(DBM_DIALECT_PGSQL,
	              "SET LOCAL standard_conforming_strings = off;\nCOMMIT;\nSELECT 'c\\';",
	              &plain,
	              "1:RSET LOCAL standard_conforming_strings = off\n2:RCOMMIT\n"
	              "3:SELECT 'c\\'\n");
	check_flagged(DBM_DIALECT_MYSQL,
	              "SET sql_mode=CONCAT(@@sql_mode, ',NO_BACKSLASH_ESCAPES');\nSELECT 'a\\';",
	              &plain,
	              "1:RSET sql_mode=CONCAT(@@sql_mode, ',NO_BACKSLASH_ESCAPES')\n"
	              "2:SELECT 'a\\'\n");
	check_flagged(DBM_DIALECT_MYSQL,
	              "SET GLOBAL sql_mode='NO_BACKSLASH_ESCAPES';\nSELECT 'a\\';b';", &esc,
	              "1:RSET GLOBAL sql_mode='NO_BACKSLASH_ESCAPES'\n2:SELECT 'a\\';b'\n");
	check_flagged(DBM_DIALECT_MYSQL,
	              "SET sql_mode='ANSI_QUOTES';\nCREATE TABLE \"t\\\" (\"b;\\\" int);", &ansi,
	              "1:RSET sql_mode='ANSI_QUOTES'\n2:CREATE TABLE \"t\\\" (\"b;\\\" int)\n");
	/* without the server, the text is the guess: GLOBAL does not count, CONCAT does */
	check_flagged(DBM_DIALECT_MYSQL,
	              "SET GLOBAL sql_mode='NO_BACKSLASH_ESCAPES';\nSELECT 'a\\';b';\n"
	              "SET sql_mode=CONCAT(@@sql_mode, ',NO_BACKSLASH_ESCAPES');\nSELECT 'c\\';",
	              NULL,
	              "1:RSET GLOBAL sql_mode='NO_BACKSLASH_ESCAPES'\n2:SELECT 'a\\';b'\n"
	              "3:RSET sql_mode=CONCAT(@@sql_mode, ',NO_BACKSLASH_ESCAPES')\n"
	              "4:SELECT 'c\\'\n");
}

/* A first pass leaves what it cannot close after such a statement to the second. */
static void test_sqlsplit__lenient_after_string_rules_statement(void **state)
{
	static const char in[] = "SELECT set_config('standard_conforming_strings','off',false);\n"
	                         "INSERT INTO log VALUES (1, 'a\\';b');\n";
	struct flagged f = {DBM_BUF_INIT, NULL};
	struct dbm_splitter *s = dbm_splitter_new(DBM_DIALECT_PGSQL, flagged_cb, &f);

	assert_non_null(s);
	dbm_splitter_set_lenient(s, 1);
	assert_int_equal(dbm_splitter_feed(s, in, sizeof(in) - 1), 0);
	assert_int_equal(dbm_splitter_finish(s), 0);
	dbm_buf_adds(&f.out, "");
	assert_string_equal(f.out.ptr,
	                    "1:RSELECT set_config('standard_conforming_strings','off',false)\n"
	                    "2:INSERT INTO log VALUES (1, 'a\\';b');\n");
	dbm_buf_free(&f.out);
	dbm_splitter_free(s);
	/* without such a statement, or not lenient, it is an error as ever */
	check_split(DBM_DIALECT_PGSQL, "SELECT 1;\nSELECT 'a",
	            "1:SELECT 1\nerror -2 at line 2: unterminated string (opened at line 2)\n"
	            "hint: Add the closing quote (').\n");
	check_flagged(DBM_DIALECT_PGSQL, in, NULL,
	              "1:RSELECT set_config('standard_conforming_strings','off',false)\n"
	              "error -2: unterminated string (opened at line 2)\n");
}

/* ---- classification, found once for the drivers ---- */

#define CLASS_MASK (DBM_STMT_TX_CONTROL | DBM_STMT_NO_TX | DBM_STMT_SESSION | DBM_STMT_ALONE)

/* Notes the classification of each statement: T tx control, N no tx, S session, A alone. */
static int class_cb(void *ctx, const struct dbm_stmt *st)
{
	struct dbm_buf *b = ctx;

	dbm_buf_addf(b, "%s%s%s%s|", (st->flags & DBM_STMT_TX_CONTROL) ? "T" : "",
	             (st->flags & DBM_STMT_NO_TX) ? "N" : "",
	             (st->flags & DBM_STMT_SESSION) ? "S" : "",
	             (st->flags & DBM_STMT_ALONE) ? "A" : "");
	return 0;
}

static void check_class(enum dbm_dialect d, const char *in, const char *expected)
{
	struct dbm_buf b = DBM_BUF_INIT;

	assert_int_equal(dbm_split_string(d, in, strlen(in), class_cb, &b), 0);
	dbm_buf_adds(&b, "");
	if (strcmp(b.ptr, expected) != 0)
		print_message("%s\n", in);
	assert_string_equal(b.ptr, expected);
	dbm_buf_free(&b);
}

/* What decides how a file runs, read once from each statement's leading words. */
static void test_sqlsplit__statements_are_classified_for_the_drivers(void **state)
{
	check_class(
	    DBM_DIALECT_PGSQL,
	    "CREATE INDEX CONCURRENTLY i ON t (a);\n"
	    "create unique index concurrently i on t (a);\n"
	    "-- c\n/* nested /* c */ */ CREATE\n\tINDEX CONCURRENTLY i ON t (a);\n"
	    "DROP INDEX CONCURRENTLY IF EXISTS i;\nCREATE INDEX concurrently_idx ON t (a);\n"
	    "REINDEX (VERBOSE) TABLE CONCURRENTLY t;\nREINDEX TABLE t;\nVACUUM;\n"
	    "ALTER SYSTEM SET work_mem = '64MB';\nCREATE DATABASE x;\n"
	    "ALTER TABLE p DETACH PARTITION p1 CONCURRENTLY;\nALTER TABLE p DETACH PARTITION p1;\n"
	    "CREATE TABLE \"CONCURRENTLY\" (id int);\nBEGIN;\nSTART TRANSACTION;\n"
	    "commit work;\nEND;\nROLLBACK;\nABORT;\nROLLBACK TO SAVEPOINT a;\n"
	    "COMMIT PREPARED 'x';\nSET search_path = '';\nSELECT 'VACUUM';\n"
	    "DISCARD ALL;\n(SELECT 1);\nINSERT INTO t VALUES (1);\n"
	    "COPY t FROM stdin;\n\\.\ncopy (SELECT 1) TO STDOUT;\n"
	    "CREATE FUNCTION f() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT 1; END;\n"
	    "PREPARE TRANSACTION 'x';\nPREPARE q AS SELECT 1;\n",
	    "N|N|N|N||N||N|N|N|N|||T|T|T|T|T|T||N|S|S|NS|S||A|A||TS|S|");
	check_class(
	    DBM_DIALECT_MYSQL,
	    "BEGIN;\nbegin work;\nSTART TRANSACTION READ ONLY;\n-- c\n# d\n/* e */ COMMIT;\n"
	    "Commit Work And Chain;\nROLLBACK TO SAVEPOINT s1;\nrollback work to s1;\n"
	    "BEGIN NOT ATOMIC SELECT 1; END;\nSTART SLAVE;\nSET sql_mode = 'ANSI';\n"
	    "USE other;\nCALL p();\n/*!40101 SET NAMES utf8 */;\n"
	    "CREATE PROCEDURE p() BEGIN SELECT 1; END;\nEXECUTE stmt;\n"
	    "LOAD DATA LOCAL INFILE 'x' INTO TABLE t;\n"
	    "DELIMITER $$\nINSERT INTO a VALUES (1); INSERT INTO b VALUES (2)$$\n"
	    "SET @a = 1; SELECT @a$$\nINSERT INTO t VALUES ('a')$$\n",
	    "T|T|T|T|T|||A||S|S|SA|SA|A|A|A|A|SA||");
	check_class(DBM_DIALECT_SQLITE,
	            "BEGIN;\nCOMMIT;\nEND;\nROLLBACK;\nROLLBACK TO s;\nVACUUM;\n"
	            "PRAGMA foreign_keys = ON;\nPRAGMA user_version = 2;\nCREATE TABLE t (a);\n",
	            "T|T|T|T||N|N|||");
}

/* Notes the table-lock and XA classes: L locks, U unlocks, X xa start (with its xid), E xa end. */
static int lock_cb(void *ctx, const struct dbm_stmt *st)
{
	struct dbm_buf *b = ctx;

	dbm_buf_addf(b, "%s%s%s%s|", (st->flags & DBM_STMT_LOCKS) ? "L" : "",
	             (st->flags & DBM_STMT_UNLOCKS) ? "U" : "",
	             (st->flags & DBM_STMT_XA_END) ? "E" : "",
	             (st->flags & DBM_STMT_XA_START) ? "X" : "");
	if (st->flags & DBM_STMT_XA_START)
		dbm_buf_addf(b, "%.*s|", (int)st->arg_len, st->sql + st->arg_off);
	return 0;
}

/* What a MySQL session may hold after a statement, for the driver's check that nothing is left
 * open. */
static void test_sqlsplit__mysql_table_locks_and_xa_are_classified(void **state)
{
	static const char in[] = "LOCK TABLES t WRITE;\nunlock table;\n"
	                         "FLUSH TABLES t WITH READ LOCK;\nFLUSH TABLES t FOR EXPORT;\n"
	                         "FLUSH TABLES;\nSTART TRANSACTION;\nBEGIN;\n"
	                         "XA START 'x1';\n/* c */ xa begin 'a','b' JOIN;\nXA END 'x1';\n"
	                         "XA ROLLBACK 'x1';\nXA COMMIT 'y' ONE PHASE;\n"
	                         "SELECT 'LOCK TABLES';\nCREATE TABLE `lock` (tables int);\n";
	struct dbm_buf b = DBM_BUF_INIT;

	(void)state;
	assert_int_equal(dbm_split_string(DBM_DIALECT_MYSQL, in, strlen(in), lock_cb, &b), 0);
	dbm_buf_adds(&b, "");
	assert_string_equal(b.ptr, "L|U|L|L||U|U|X|'x1'|X|'a','b'||E|E|||");
	dbm_buf_free(&b);
}

/* ---- all dialects ---- */

static void test_sqlsplit__basic_lines_and_trimming(void **state)
{
	static const char in[] = "-- header\n\n/* intro; */\n  CREATE TABLE t (id INT) ;\n"
	                         "INSERT INTO t VALUES (1); INSERT INTO t\n  VALUES (2)  \n;\n"
	                         "SELECT 'a;''b', \"x;\"\"y\" FROM t -- tail; comment\n"
	                         "WHERE /* inner; */ id = 1;\n;;\n"
	                         "SELECT 3\n\n";

	check_split(DBM_DIALECT_SQLITE, in,
	            "4:CREATE TABLE t (id INT)\n5:INSERT INTO t VALUES (1)\n"
	            "5:INSERT INTO t\n  VALUES (2)\n"
	            "8:SELECT 'a;''b', \"x;\"\"y\" FROM t -- tail; comment\n"
	            "WHERE /* inner; */ id = 1\n11:SELECT 3\n");
	check_split(DBM_DIALECT_PGSQL, in,
	            "4:CREATE TABLE t (id INT)\n5:INSERT INTO t VALUES (1)\n"
	            "5:INSERT INTO t\n  VALUES (2)\n"
	            "8:SELECT 'a;''b', \"x;\"\"y\" FROM t -- tail; comment\n"
	            "WHERE /* inner; */ id = 1\n11:SELECT 3\n");
	/* the mysql client drops comments inside a statement (see mysql_comments_stripped) */
	check_split(DBM_DIALECT_MYSQL, in,
	            "4:CREATE TABLE t (id INT)\n5:INSERT INTO t VALUES (1)\n"
	            "5:INSERT INTO t\n  VALUES (2)\n"
	            "8:SELECT 'a;''b', \"x;\"\"y\" FROM t \n"
	            "WHERE  id = 1\n11:SELECT 3\n");
}

static void test_sqlsplit__only_comments_yield_nothing(void **state)
{
	check_split(DBM_DIALECT_SQLITE, "", "");
	check_split(DBM_DIALECT_SQLITE, "  \n\t\n", "");
	check_split(DBM_DIALECT_PGSQL, "-- a\n/* b; */\n-- c", "");
	check_split(DBM_DIALECT_MYSQL, "# a\n-- b\n/* c */ ;\n", "");
}

static void test_sqlsplit__crlf(void **state)
{
	check_split(DBM_DIALECT_PGSQL,
	            "-- x\r\nSELECT 1;\r\n\r\nSELECT\r\n  2\r\n;\r\nSELECT 3\r\n",
	            "2:SELECT 1\n4:SELECT\r\n  2\n7:SELECT 3\n");
	check_split(DBM_DIALECT_MYSQL, "DELIMITER //\r\nSELECT 1//\r\nDELIMITER ;\r\nSELECT 2;\r\n",
	            "2:SELECT 1\n4:SELECT 2\n");
	check_split(DBM_DIALECT_PGSQL, "COPY t FROM stdin;\r\n1\ta\r\n\\.\r\nSELECT 1;\r\n",
	            "1:COPY t FROM stdin\n[copy]1\ta\r\n[/copy]\n4:SELECT 1\n");
}

static void test_sqlsplit__utf8_split_anywhere(void **state)
{
	check_split(DBM_DIALECT_SQLITE,
	            "INSERT INTO t VALUES ('h\xc3\xa9llo; \xe2\x82\xac');\n"
	            "SELECT \xf0\x9f\x98\x80;",
	            "1:INSERT INTO t VALUES ('h\xc3\xa9llo; \xe2\x82\xac')\n"
	            "2:SELECT \xf0\x9f\x98\x80\n");
}

static void test_sqlsplit__callback_stops(void **state)
{
	struct collect c = {DBM_BUF_INIT, 0, 0, 2, 0};
	const char *in = "SELECT 1; SELECT 2; SELECT 3;";

	assert_int_equal(dbm_split_string(DBM_DIALECT_SQLITE, in, strlen(in), collect_cb, &c), 7);
	assert_string_equal(c.out.ptr, "1:SELECT 1\n1:SELECT 2\n");
	dbm_buf_free(&c.out);
}

static void test_sqlsplit__reset_reuses_splitter(void **state)
{
	struct collect c = {DBM_BUF_INIT, 0, 0, 0, 0};
	struct dbm_splitter *s = dbm_splitter_new(DBM_DIALECT_MYSQL, collect_cb, &c);

	assert_non_null(s);
	assert_int_equal(dbm_splitter_feed(s, "DELIMITER //\nSELECT 1//\nSELECT 'open", 36), 0);
	dbm_splitter_reset(s);
	c.next = 0;
	assert_int_equal(dbm_splitter_feed(s, "\nSELECT 2;", 10), 0);
	assert_int_equal(dbm_splitter_finish(s), 0);
	assert_string_equal(c.out.ptr, "2:SELECT 1\n2:SELECT 2\n");
	dbm_splitter_free(s);
	dbm_buf_free(&c.out);
}

/* ---- SQLite ---- */

static void test_sqlsplit__sqlite_quotes(void **state)
{
	check_split(DBM_DIALECT_SQLITE, "SELECT [a;b], `c;``d`, 'e\\';SELECT $x, x$;",
	            "1:SELECT [a;b], `c;``d`, 'e\\'\n1:SELECT $x, x$\n");
}

static void test_sqlsplit__sqlite_trigger_with_case(void **state)
{
	check_split(DBM_DIALECT_SQLITE,
	            "CREATE TEMP TRIGGER tr AFTER INSERT ON t\nBEGIN\n"
	            "  UPDATE t SET s = CASE WHEN new.x > 0 THEN 'p;' ELSE 'n' END;\n"
	            "  SELECT 1;\nEND;\nBEGIN TRANSACTION;\nCOMMIT;\n",
	            "1:CREATE TEMP TRIGGER tr AFTER INSERT ON t\nBEGIN\n"
	            "  UPDATE t SET s = CASE WHEN new.x > 0 THEN 'p;' ELSE 'n' END;\n"
	            "  SELECT 1;\nEND\n"
	            "6:BEGIN TRANSACTION\n7:COMMIT\n");
	/* a table named after a keyword does not open a body */
	check_split(DBM_DIALECT_SQLITE,
	            "CREATE TABLE trigger_log (begin_at TEXT, case_no INT);\nBEGIN;",
	            "1:CREATE TABLE trigger_log (begin_at TEXT, case_no INT)\n2:BEGIN\n");
}

/* ---- PostgreSQL ---- */

static void test_sqlsplit__pgsql_dollar_quotes(void **state)
{
	check_split(DBM_DIALECT_PGSQL,
	            "CREATE FUNCTION f() RETURNS int AS $$ SELECT 1; $$ LANGUAGE sql;\n"
	            "CREATE FUNCTION g() RETURNS int AS $fn$ BEGIN RETURN $$x;$$; END $fn$ "
	            "LANGUAGE plpgsql;\n"
	            "SELECT $1, a$b$, $_$;$_$;\n"
	            "SELECT $\xc3\xa9$;$\xc3\xa9$;",
	            "1:CREATE FUNCTION f() RETURNS int AS $$ SELECT 1; $$ LANGUAGE sql\n"
	            "2:CREATE FUNCTION g() RETURNS int AS $fn$ BEGIN RETURN $$x;$$; END $fn$ "
	            "LANGUAGE plpgsql\n"
	            "3:SELECT $1, a$b$, $_$;$_$\n"
	            "4:SELECT $\xc3\xa9$;$\xc3\xa9$\n");
	/* $1 is a parameter, not a tag */
	check_split(DBM_DIALECT_PGSQL, "SELECT $1;SELECT $2 ;", "1:SELECT $1\n1:SELECT $2\n");
}

static void test_sqlsplit__pgsql_strings_and_comments(void **state)
{
	check_split(DBM_DIALECT_PGSQL,
	            "SELECT E'a\\';b', e'\\\\';SELECT 'c:\\';\n"
	            "SELECT U&'d\\0061;' , x'1;' /* a /* nested; */ still; */;\n"
	            "SELECT \"we\"\"ird;\" FROM t;",
	            "1:SELECT E'a\\';b', e'\\\\'\n1:SELECT 'c:\\'\n"
	            "2:SELECT U&'d\\0061;' , x'1;' /* a /* nested; */ still; */\n"
	            "3:SELECT \"we\"\"ird;\" FROM t\n");
	/* a word ending in e before a quote is not an E string */
	check_split(DBM_DIALECT_PGSQL, "SELECT some'\\';SELECT 1;",
	            "1:SELECT some'\\'\n1:SELECT 1\n");
}

static void test_sqlsplit__pgsql_begin_atomic(void **state)
{
	check_split(DBM_DIALECT_PGSQL,
	            "CREATE OR REPLACE FUNCTION f(a int) RETURNS int LANGUAGE sql\n"
	            "BEGIN ATOMIC\n  SELECT CASE WHEN a > 0 THEN 1 ELSE 2 END;\n  SELECT 3;\nEND;\n"
	            "BEGIN;\nBEGIN WORK;\nCREATE PROCEDURE p() BEGIN ATOMIC INSERT INTO t VALUES "
	            "(1); END;\n"
	            "COMMIT;",
	            "1:CREATE OR REPLACE FUNCTION f(a int) RETURNS int LANGUAGE sql\n"
	            "BEGIN ATOMIC\n  SELECT CASE WHEN a > 0 THEN 1 ELSE 2 END;\n  SELECT 3;\nEND\n"
	            "6:BEGIN\n7:BEGIN WORK\n"
	            "8:CREATE PROCEDURE p() BEGIN ATOMIC INSERT INTO t VALUES (1); END\n"
	            "9:COMMIT\n");
}

/* psql's rule for bodies: BEGIN, CASE and END count only outside parentheses */
static void test_sqlsplit__pgsql_begin_atomic_end_alias_and_begin_column(void **state)
{
	check_split(DBM_DIALECT_PGSQL,
	            "CREATE FUNCTION f() RETURNS text LANGUAGE sql BEGIN ATOMIC "
	            "SELECT CASE WHEN true THEN 'x' END loop; END;\n"
	            "CREATE PROCEDURE p() LANGUAGE sql BEGIN ATOMIC "
	            "INSERT INTO t (begin) VALUES (1); INSERT INTO t (\"end\") VALUES (2); END;\n"
	            "SELECT 1;",
	            "1:CREATE FUNCTION f() RETURNS text LANGUAGE sql BEGIN ATOMIC "
	            "SELECT CASE WHEN true THEN 'x' END loop; END\n"
	            "2:CREATE PROCEDURE p() LANGUAGE sql BEGIN ATOMIC "
	            "INSERT INTO t (begin) VALUES (1); INSERT INTO t (\"end\") VALUES (2); END\n"
	            "3:SELECT 1\n");
	/* only CREATE [OR REPLACE] FUNCTION|PROCEDURE: elsewhere BEGIN and CASE are words */
	check_split(
	    DBM_DIALECT_PGSQL,
	    "CREATE TABLE t (begin int);\nSELECT CASE WHEN true THEN 1 END;\n"
	    "CREATE OR REPLACE PROCEDURE q() LANGUAGE sql\nBEGIN ATOMIC\n  SELECT 1;\nEND;",
	    "1:CREATE TABLE t (begin int)\n2:SELECT CASE WHEN true THEN 1 END\n"
	    "3:CREATE OR REPLACE PROCEDURE q() LANGUAGE sql\nBEGIN ATOMIC\n  SELECT 1;\nEND\n");
	/* as for psql, a ; inside parentheses never ends a statement */
	check_split(DBM_DIALECT_PGSQL, "SELECT (1; SELECT 2);\nSELECT 3;",
	            "1:SELECT (1; SELECT 2)\n2:SELECT 3\n");
}

/* psql allows dollar-quote tags of any length */
static void test_sqlsplit__pgsql_long_dollar_tag(void **state)
{
	char in[512], want[512], tag[80];

	memset(tag, 't', 63);
	tag[63] = '\0';
	snprintf(in, sizeof(in), "INSERT INTO log VALUES (1, $%s$a;b$%s$);\nSELECT 2;", tag, tag);
	snprintf(want, sizeof(want), "1:INSERT INTO log VALUES (1, $%s$a;b$%s$)\n2:SELECT 2\n", tag,
	         tag);
	check_split(DBM_DIALECT_PGSQL, in, want);
	memset(tag, 'u', 70);
	tag[70] = '\0';
	snprintf(in, sizeof(in), "SELECT $%s$a;b", tag);
	snprintf(want, sizeof(want),
	         "error -2 at line 1: unterminated dollar-quoted string $%.63s... (opened at line "
	         "1)\nhint: Add the closing $%.63s... (the same tag).\n",
	         tag, tag);
	check_split(DBM_DIALECT_PGSQL, in, want);
}

/*
 * psql and the server end a -- comment at a CR as at an LF; the mysql client
 * and SQLite read on to the LF. Lines are counted at LF, CR LF and a lone CR.
 */
static void test_sqlsplit__comment_ended_by_bare_cr(void **state)
{
	check_split(DBM_DIALECT_PGSQL,
	            "CREATE TABLE log (n int, s text);\r-- c\rINSERT INTO log VALUES (1,'a');\r"
	            "INSERT INTO log -- c\rVALUES (2,'b');\r\n-- d\r\nSELECT 3;",
	            "1:CREATE TABLE log (n int, s text)\n3:INSERT INTO log VALUES (1,'a')\n"
	            "4:INSERT INTO log -- c\rVALUES (2,'b')\n7:SELECT 3\n");
	check_split(DBM_DIALECT_MYSQL,
	            "CREATE TABLE t(x int);\rINSERT INTO t VALUES (1); -- c\rINSERT INTO t VALUES "
	            "(2);\rSELECT 1;\n# e\rSELECT 2;\nSELECT 3;",
	            "1:CREATE TABLE t(x int)\n2:INSERT INTO t VALUES (1)\n7:SELECT 3\n");
	check_split(DBM_DIALECT_SQLITE,
	            "CREATE TABLE t(x int);\rINSERT INTO t VALUES (1); -- c\rINSERT INTO t VALUES "
	            "(2);\rSELECT 1;\n",
	            "1:CREATE TABLE t(x int)\n2:INSERT INTO t VALUES (1)\n");
}

/* psql keeps a ; inside parentheses: a rule with several actions is one statement */
static void test_sqlsplit__pgsql_rule_with_several_actions(void **state)
{
	check_split(DBM_DIALECT_PGSQL,
	            "CREATE RULE r AS ON INSERT TO v DO INSTEAD (INSERT INTO a VALUES (new.x); "
	            "INSERT INTO b VALUES (new.x));\n"
	            "create or replace rule s as on delete to v do also (\n delete from a;\n "
	            "select ';)' /* ) */;\n);\n"
	            "CREATE RULE q AS ON UPDATE TO v DO INSTEAD NOTHING;\nSELECT (1);",
	            "1:CREATE RULE r AS ON INSERT TO v DO INSTEAD (INSERT INTO a VALUES (new.x); "
	            "INSERT INTO b VALUES (new.x))\n"
	            "2:create or replace rule s as on delete to v do also (\n delete from a;\n "
	            "select ';)' /* ) */;\n)\n"
	            "6:CREATE RULE q AS ON UPDATE TO v DO INSTEAD NOTHING\n7:SELECT (1)\n");
}

/* psql reads '\'' as an escaped quote while standard_conforming_strings is off */
static void test_sqlsplit__pgsql_backslash_in_string_after_conforming_strings_off(void **state)
{
	check_split(DBM_DIALECT_PGSQL,
	            "SET standard_conforming_strings = off;\n"
	            "INSERT INTO t VALUES ('it\\'s; fine');\n"
	            "SET SESSION standard_conforming_strings TO 'on';\n"
	            "SELECT 'c:\\';\n"
	            "set local standard_conforming_strings=false;\n"
	            "SELECT 'a\\';', 1;\n"
	            "RESET standard_conforming_strings;\n"
	            "SELECT 'c:\\';",
	            "1:SET standard_conforming_strings = off\n"
	            "2:INSERT INTO t VALUES ('it\\'s; fine')\n"
	            "3:SET SESSION standard_conforming_strings TO 'on'\n"
	            "4:SELECT 'c:\\'\n"
	            "5:set local standard_conforming_strings=false\n"
	            "6:SELECT 'a\\';', 1\n"
	            "7:RESET standard_conforming_strings\n"
	            "8:SELECT 'c:\\'\n");
	/* other settings, and a setting named like it, change nothing */
	check_split(DBM_DIALECT_PGSQL,
	            "SET standard_conforming_strings_x = off;\nSET search_path = off;\n"
	            "SELECT 'c:\\';",
	            "1:SET standard_conforming_strings_x = off\n2:SET search_path = off\n"
	            "3:SELECT 'c:\\'\n");
}

/* each file starts in a fresh session: the setting does not carry over */
static void test_sqlsplit__pgsql_conforming_strings_reset_per_file(void **state)
{
	struct collect c = {DBM_BUF_INIT, 0, 0, 0, 0};
	struct dbm_splitter *s = dbm_splitter_new(DBM_DIALECT_PGSQL, collect_cb, &c);
	static const char one[] = "SET standard_conforming_strings = off;";
	static const char two[] = "SELECT 'c:\\';SELECT 1;";

	assert_non_null(s);
	assert_int_equal(dbm_splitter_feed(s, one, strlen(one)), 0);
	assert_int_equal(dbm_splitter_finish(s), 0);
	c.next = 0;
	assert_int_equal(dbm_splitter_feed(s, two, strlen(two)), 0);
	assert_int_equal(dbm_splitter_finish(s), 0);
	dbm_splitter_free(s);
	dbm_buf_adds(&c.out, "");
	assert_string_equal(c.out.ptr, "1:SET standard_conforming_strings = off\n"
	                               "1:SELECT 'c:\\'\n1:SELECT 1\n");
	dbm_buf_free(&c.out);
}

static void test_sqlsplit__pgsql_copy_from_stdin(void **state)
{
	check_split(DBM_DIALECT_PGSQL,
	            "COPY t (a, b) FROM stdin;\n1\tx;y\n\\\\.\n2\t'\n\\.\n"
	            "copy u from STDIN with (format csv) ; -- rest ignored\n\"a\",1\n\\.\n"
	            "COPY v FROM stdin;\n\\.\n"
	            "COPY w TO stdout;\nCOPY (SELECT 1 FROM t) TO '/x';\nSELECT 1;",
	            "1:COPY t (a, b) FROM stdin\n[copy]1\tx;y\n\\\\.\n2\t'\n[/copy]\n"
	            "6:copy u from STDIN with (format csv)\n[copy]\"a\",1\n[/copy]\n"
	            "9:COPY v FROM stdin\n[copy][/copy]\n"
	            "11:COPY w TO stdout\n12:COPY (SELECT 1 FROM t) TO '/x'\n13:SELECT 1\n");
	/* the terminator may be the last line without a newline */
	check_split(DBM_DIALECT_PGSQL, "COPY t FROM stdin;\n1\n\\.",
	            "1:COPY t FROM stdin\n[copy]1\n[/copy]\n");
}

static void test_sqlsplit__pgsql_meta_command(void **state)
{
	check_split(DBM_DIALECT_PGSQL, "SELECT 1;\n\n\\connect other\nSELECT 2;",
	            "1:SELECT 1\n"
	            "error -2 at line 3: psql meta-command '\\connect' is not supported\n"
	            "hint: Remove the line; put connection settings in the configuration and use "
	            "placeholders (${name}) or the file's .conf for variables.\n");
	check_split(DBM_DIALECT_PGSQL, "\\set x 1\n",
	            "error -2 at line 1: psql meta-command '\\set' is not supported\n"
	            "hint: Remove the line; put connection settings in the configuration and use "
	            "placeholders (${name}) or the file's .conf for variables.\n");
	/* pg_dump's \restrict guard lines and \set ON_ERROR_STOP ask for nothing dbmigrate lacks */
	check_split(DBM_DIALECT_PGSQL,
	            "\\restrict AbC123\nSET x = 1;\n\\set ON_ERROR_STOP on\nSELECT 2;\n"
	            "\\unrestrict AbC123\n",
	            "2:SET x = 1\n4:SELECT 2\n");
	/* inside a statement a backslash is psql's too: \g, \gset, \; ... */
	check_split(DBM_DIALECT_PGSQL, "SELECT 1;\nSELECT 2 \\g\n",
	            "1:SELECT 1\n"
	            "error -2 at line 2: psql meta-command '\\g' is not supported\n"
	            "hint: End the statement with ';' and remove the meta-command: dbmigrate "
	            "sends each statement to the server itself, and backslash commands are "
	            "psql's.\n");
	check_split(DBM_DIALECT_PGSQL, "SELECT 1 \\; SELECT 2;",
	            "error -2 at line 1: psql meta-command '\\;' is not supported\n"
	            "hint: End each statement with ';': dbmigrate sends the statements to the "
	            "server one by one, and \\; is psql's.\n");
	check_split(DBM_DIALECT_PGSQL, "SELECT 1 \\\n;",
	            "error -2 at line 1: psql meta-command '\\' is not supported\n"
	            "hint: End the statement with ';' and remove the meta-command: dbmigrate "
	            "sends each statement to the server itself, and backslash commands are "
	            "psql's.\n");
	/* but not in strings, quoted identifiers, dollar quotes and comments */
	check_split(DBM_DIALECT_PGSQL,
	            "SELECT E'\\\\', '\\', \"a\\b\", $$\\g$$ /* \\g */ -- \\g\n;",
	            "1:SELECT E'\\\\', '\\', \"a\\b\", $$\\g$$ /* \\g */ -- \\g\n");
}

static void test_sqlsplit__pgsql_variables_refused(void **state)
{
	static const char hint[] =
	    "hint: dbmigrate sends the statement to the server as it is, where a psql variable "
	    "is a syntax error: use a placeholder (${name}) instead. A colon that belongs in the "
	    "SQL goes inside quotes.\n";
	char want[1024];

	snprintf(want, sizeof(want),
	         "1:SELECT 1\nerror -2 at line 2: psql variable ':v' is not "
	         "supported\n%s",
	         hint);
	check_split(DBM_DIALECT_PGSQL, "SELECT 1;\nSELECT :v;\n", want);
	snprintf(want, sizeof(want),
	         "error -2 at line 1: psql variable ':'v'' is not "
	         "supported\n%s",
	         hint);
	check_split(DBM_DIALECT_PGSQL, "SELECT :'v';", want);
	snprintf(want, sizeof(want),
	         "error -2 at line 2: psql variable ':\"my_t1\"' is not "
	         "supported\n%s",
	         hint);
	check_split(DBM_DIALECT_PGSQL, "SELECT *\nFROM :\"my_t1\";", want);
	snprintf(want, sizeof(want),
	         "error -2 at line 1: psql variable ':{?v}' is not "
	         "supported\n%s",
	         hint);
	check_split(DBM_DIALECT_PGSQL, "SELECT :{?v};", want);
	/* casts, :=, slices, colons in quotes and comments, :1 are no variables */
	check_split(DBM_DIALECT_PGSQL,
	            "SELECT x::int, a[1:2], a[lo:hi], a[:n], f(a := 1), '1:2', \":x\", "
	            "$$ :x $$ /* :x */, 1 ::text, :1, : x, :'', :'a b' -- :x\n;",
	            "1:SELECT x::int, a[1:2], a[lo:hi], a[:n], f(a := 1), '1:2', \":x\", "
	            "$$ :x $$ /* :x */, 1 ::text, :1, : x, :'', :'a b' -- :x\n");
}

/* ---- MySQL ---- */

static void test_sqlsplit__mysql_delimiter(void **state)
{
	check_split(
	    DBM_DIALECT_MYSQL,
	    "delimiter //\nCREATE PROCEDURE p()\nBEGIN\n  SELECT 1;\nEND//\n"
	    "SELECT 2 // SELECT ';//'//\n"
	    "DELIMITER $$\nSELECT 3 $$\n"
	    "  DELIMITER ;; trailing words\nSELECT 4;;\n"
	    "DELIMITER @@\nSELECT 5@@\n"
	    "DELIMITER d//\nSELECT 6d//\n"
	    "DELIMITER ;\nSELECT 7; SELECT 8;",
	    "2:CREATE PROCEDURE p()\nBEGIN\n  SELECT 1;\nEND\n"
	    "6:SELECT 2\n6:SELECT ';//'\n"
	    "8:SELECT 3\n10:SELECT 4\n12:SELECT 5\n14:SELECT 6\n16:SELECT 7\n16:SELECT 8\n");
	/* DELIMITER is a command only where a statement starts a line */
	check_split(DBM_DIALECT_MYSQL, "SELECT delimiter FROM t; DELIMITER //\n",
	            "1:SELECT delimiter FROM t\n1:DELIMITER //\n");
	check_split(DBM_DIALECT_MYSQL, "SELECT 1;\nDELIMITER 0123456789abcdef\n",
	            "1:SELECT 1\n"
	            "error -2 at line 2: delimiter '0123456789abcde...' is too long\n"
	            "hint: Write a delimiter of 1 to 15 characters after DELIMITER, without a "
	            "backslash, for example 'DELIMITER //'.\n");
	check_split(DBM_DIALECT_MYSQL, "DELIMITER\nSELECT 1;",
	            "error -2 at line 1: 'DELIMITER' needs a delimiter string\n"
	            "hint: Write a delimiter of 1 to 15 characters after DELIMITER, without a "
	            "backslash, for example 'DELIMITER //'.\n");
}

/* The client unquotes the delimiter as its get_arg() does: 'x', "x", `x`, doubled quotes. */
static void test_sqlsplit__mysql_quoted_delimiter(void **state)
{
	check_split(DBM_DIALECT_MYSQL,
	            "DELIMITER '//'\nSELECT 1//\nDELIMITER \"$$\" x\nSELECT 2$$\n"
	            "DELIMITER `;`\nSELECT 3;\nDELIMITER 'a b'\nSELECT 4a b\n"
	            "DELIMITER 'it''s'\nSELECT 5it's\nDELIMITER ';'\nSELECT 6;",
	            "2:SELECT 1\n4:SELECT 2\n6:SELECT 3\n8:SELECT 4\n10:SELECT 5\n12:SELECT 6\n");
	check_split(DBM_DIALECT_MYSQL, "DELIMITER '//\nSELECT 1;",
	            "error -2 at line 1: the delimiter after DELIMITER, '//, has no closing quote\n"
	            "hint: Write a delimiter of 1 to 15 characters after DELIMITER, without a "
	            "backslash, for example 'DELIMITER //'.\n");
	check_split(DBM_DIALECT_MYSQL, "DELIMITER \\\\\nSELECT 1;",
	            "error -2 at line 1: delimiter '\\\\' has a backslash, which the client "
	            "refuses\n"
	            "hint: Write a delimiter of 1 to 15 characters after DELIMITER, without a "
	            "backslash, for example 'DELIMITER //'.\n");
}

/* \g, \G, \c ... are the client's commands; \N is NULL and goes to the server. */
static void test_sqlsplit__mysql_client_commands_refused(void **state)
{
	static const char hint[] =
	    "hint: Remove it: dbmigrate sends each statement to the server itself, and backslash "
	    "commands are the mysql client's. End statements with ';' (or the DELIMITER).\n";
	char want[1024];

	snprintf(want, sizeof(want),
	         "1:SELECT 1\nerror -2 at line 2: client command '\\g' is not supported\n%s", hint);
	check_split(DBM_DIALECT_MYSQL, "SELECT 1;\nSELECT 2 \\g\n", want);
	snprintf(want, sizeof(want),
	         "error -2 at line 2: client command '\\c' is not supported\n%s", hint);
	check_split(DBM_DIALECT_MYSQL, "# x\n\\c\nSELECT 1;", want);
	check_split(DBM_DIALECT_MYSQL,
	            "SELECT \\N, '\\g', \"\\c\", `a\\b` /* \\g */ # \\g\n;\n\\N;",
	            "1:SELECT \\N, '\\g', \"\\c\", `a\\b`\n3:\\N\n");
}

/* The client takes "--" where a statement starts as a comment, even with no blank after it. */
static void test_sqlsplit__mysql_dashes_without_blank_start_a_statement(void **state)
{
	check_split(DBM_DIALECT_MYSQL,
	            "CREATE TABLE log (n int);\n--x\nINSERT INTO log VALUES (1);\n"
	            "  /* c */ --y\nINSERT INTO log VALUES (2); --z\nSELECT 1--1\n;",
	            "1:CREATE TABLE log (n int)\n3:INSERT INTO log VALUES (1)\n"
	            "5:INSERT INTO log VALUES (2)\n6:SELECT 1--1\n");
	/* inside a statement "--x" is code, as for the client and the server */
	check_split(DBM_DIALECT_MYSQL, "INSERT INTO log VALUES (3)\n--z\n;",
	            "1:INSERT INTO log VALUES (3)\n--z\n");
}

/* A version comment is code: a quote in it hides a star-slash and a delimiter. */
static void test_sqlsplit__mysql_string_in_version_comment(void **state)
{
	check_split(DBM_DIALECT_MYSQL,
	            "CREATE TABLE log (n int, s longtext);\n"
	            "/*!10000 INSERT INTO log VALUES (1, 'a*/;\\'b') */;\n"
	            "/*M!100100 SELECT \"*/;\" */; /*+ x */ SELECT 2;",
	            "1:CREATE TABLE log (n int, s longtext)\n"
	            "2:/*!10000 INSERT INTO log VALUES (1, 'a*/;\\'b') */\n"
	            "3:/*M!100100 SELECT \"*/;\" */\n3:/*+ x */ SELECT 2\n");
}

static void test_sqlsplit__mysql_comments_and_strings(void **state)
{
	check_split(
	    DBM_DIALECT_MYSQL,
	    "SELECT 1--1;SELECT 2 -- c;\n;# x;\nSELECT 'a\\';b', \"c\\\";\"\"d\", `e;``f`;\n"
	    "SELECT 3 --\tc;\n;SELECT 4 --",
	    "1:SELECT 1--1\n1:SELECT 2\n"
	    "3:SELECT 'a\\';b', \"c\\\";\"\"d\", `e;``f`\n"
	    "4:SELECT 3\n5:SELECT 4\n");
}

static void test_sqlsplit__mysql_version_comments(void **state)
{
	check_split(DBM_DIALECT_MYSQL,
	            "/*!40101 SET NAMES utf8 */;\n/* plain; */\n/*!50003 SET x = 1; */ ;\n"
	            "SELECT /*+ NO_ICP(t) */ a FROM t;",
	            "1:/*!40101 SET NAMES utf8 */\n3:/*!50003 SET x = 1\n3:*/\n"
	            "4:SELECT /*+ NO_ICP(t) */ a FROM t\n");
}

static void test_sqlsplit__mysql_routines_without_delimiter(void **state)
{
	check_split(DBM_DIALECT_MYSQL,
	            "CREATE PROCEDURE p()\nBEGIN\n  IF a THEN SELECT 1; END IF;\n"
	            "  l: LOOP LEAVE l; END LOOP l;\n  WHILE 0 DO SELECT 2; END WHILE;\n"
	            "  REPEAT SELECT 3; UNTIL 1 END REPEAT;\n"
	            "  CASE x WHEN 1 THEN SELECT 4; END CASE;\n"
	            "  BEGIN SELECT CASE WHEN 1 THEN 5 END; END;\nEND;\nSELECT 6;",
	            "1:CREATE PROCEDURE p()\nBEGIN\n  IF a THEN SELECT 1; END IF;\n"
	            "  l: LOOP LEAVE l; END LOOP l;\n  WHILE 0 DO SELECT 2; END WHILE;\n"
	            "  REPEAT SELECT 3; UNTIL 1 END REPEAT;\n"
	            "  CASE x WHEN 1 THEN SELECT 4; END CASE;\n"
	            "  BEGIN SELECT CASE WHEN 1 THEN 5 END; END;\nEND\n10:SELECT 6\n");
	check_split(DBM_DIALECT_MYSQL,
	            "CREATE DEFINER=`root`@`localhost` TRIGGER t BEFORE INSERT ON x FOR EACH ROW "
	            "BEGIN SET NEW.a = 1; END;\n"
	            "CREATE DEFINER = 'u'@'%' PROCEDURE q() BEGIN SELECT 1; END;\n"
	            "CREATE OR REPLACE AGGREGATE FUNCTION f() RETURNS INT BEGIN RETURN 1; END;\n"
	            "CREATE FUNCTION g() RETURNS INT RETURN 1;\n"
	            "CREATE EVENT e ON SCHEDULE EVERY 1 DAY DO BEGIN DELETE FROM t; END;\n"
	            "BEGIN;\nBEGIN WORK;\nCOMMIT;",
	            "1:CREATE DEFINER=`root`@`localhost` TRIGGER t BEFORE INSERT ON x FOR EACH ROW "
	            "BEGIN SET NEW.a = 1; END\n"
	            "2:CREATE DEFINER = 'u'@'%' PROCEDURE q() BEGIN SELECT 1; END\n"
	            "3:CREATE OR REPLACE AGGREGATE FUNCTION f() RETURNS INT BEGIN RETURN 1; END\n"
	            "4:CREATE FUNCTION g() RETURNS INT RETURN 1\n"
	            "5:CREATE EVENT e ON SCHEDULE EVERY 1 DAY DO BEGIN DELETE FROM t; END\n"
	            "6:BEGIN\n7:BEGIN WORK\n8:COMMIT\n");
}

/*
 * The mysql and mariadb clients send a statement without its comments unless
 * run with --comments, so a routine's stored body has none: strip them alike,
 * a space where a block comment stood before code, version comments and
 * hints kept, quoted text untouched.
 */
static void test_sqlsplit__mysql_comments_stripped(void **state)
{
	check_split(DBM_DIALECT_MYSQL,
	            "DELIMITER //\nCREATE PROCEDURE p()\nBEGIN\n  SELECT 1; -- trailing\n"
	            "  # whole line\n  SELECT /* inline */2;\n  SELECT 3 /* multi\n  line */ + 4;\n"
	            "  SELECT /*+ hint */ 5, /*!50003 6 # in a version comment\n */;\n"
	            "  SELECT \"a -- b # c /* d */\", `x#y`, 'e\\'#';\n  SELECT 7/**/;\n"
	            "END -- after END\n//\n",
	            "2:CREATE PROCEDURE p()\nBEGIN\n  SELECT 1; \n  \n  SELECT  2;\n"
	            "  SELECT 3  + 4;\n  SELECT /*+ hint */ 5, /*!50003 6 \n */;\n"
	            "  SELECT \"a -- b # c /* d */\", `x#y`, 'e\\'#';\n  SELECT 7 ;\nEND\n");
	/* line numbers after a stripped statement stay right */
	check_split(DBM_DIALECT_MYSQL, "SELECT 1 /* a\nb\nc */;\nSELECT 2 # x\n;\nSELECT 3;",
	            "1:SELECT 1\n4:SELECT 2\n6:SELECT 3\n");
}

/* MariaDB runs its own version comments, which open with a slash, a star and M! */
static void test_sqlsplit__mysql_mariadb_version_comment_is_a_statement(void **state)
{
	check_split(DBM_DIALECT_MYSQL,
	            "/*M!100100 CREATE TABLE m (a INT) */;\n/*M not one */;\n/*!40101 SET x=1 */;",
	            "1:/*M!100100 CREATE TABLE m (a INT) */\n3:/*!40101 SET x=1 */\n");
}

/* MariaDB's FOR loop ends with END FOR, which must not close the routine's BEGIN */
static void test_sqlsplit__mysql_end_for_does_not_close_the_body(void **state)
{
	check_split(
	    DBM_DIALECT_MYSQL,
	    "CREATE PROCEDURE fill()\nBEGIN\n  FOR i IN 1..3 DO\n    INSERT INTO t VALUES (i);\n"
	    "  END FOR;\n  SELECT 1;\nEND;\nSELECT 2;",
	    "1:CREATE PROCEDURE fill()\nBEGIN\n  FOR i IN 1..3 DO\n    INSERT INTO t VALUES (i);\n"
	    "  END FOR;\n  SELECT 1;\nEND\n8:SELECT 2\n");
}

static void test_sqlsplit__mysql_begin_not_atomic(void **state)
{
	check_split(
	    DBM_DIALECT_MYSQL,
	    "BEGIN NOT ATOMIC\n  IF NOT EXISTS (SELECT 1) THEN\n    ALTER TABLE t ADD c INT;\n"
	    "  END IF;\nEND;\nBEGIN;\nBEGIN WORK;\nBEGIN NOT;\nCOMMIT;",
	    "1:BEGIN NOT ATOMIC\n  IF NOT EXISTS (SELECT 1) THEN\n    ALTER TABLE t ADD c INT;\n"
	    "  END IF;\nEND\n6:BEGIN\n7:BEGIN WORK\n8:BEGIN NOT\n9:COMMIT\n");
}

/* the mariadb client reads a backslash as itself in strings under NO_BACKSLASH_ESCAPES */
static void test_sqlsplit__mysql_backslash_in_string_under_no_backslash_escapes(void **state)
{
	check_split(DBM_DIALECT_MYSQL,
	            "/*!50003 SET @saved_sql_mode = @@sql_mode */;\n"
	            "/*!50003 SET sql_mode = 'STRICT_TRANS_TABLES,NO_BACKSLASH_ESCAPES' */;\n"
	            "INSERT INTO t VALUES ('c:\\', \"d:\\\") # done\n;\n"
	            "/*!50003 SET sql_mode = @saved_sql_mode */;\n"
	            "SELECT 'it\\'s;';\n"
	            "SET SESSION sql_mode='ansi,no_backslash_escapes', @x = 1;\n"
	            "SELECT `a\\`, 'b\\';\n"
	            "SET @sql_mode = 'NO_BACKSLASH_ESCAPES';\n"
	            "SELECT 'e:\\';\n"
	            "SET @@session.sql_mode = DEFAULT;\n"
	            "SELECT 'it\\'s;';",
	            "1:/*!50003 SET @saved_sql_mode = @@sql_mode */\n"
	            "2:/*!50003 SET sql_mode = 'STRICT_TRANS_TABLES,NO_BACKSLASH_ESCAPES' */\n"
	            "3:INSERT INTO t VALUES ('c:\\', \"d:\\\")\n"
	            "5:/*!50003 SET sql_mode = @saved_sql_mode */\n"
	            "6:SELECT 'it\\'s;'\n"
	            "7:SET SESSION sql_mode='ansi,no_backslash_escapes', @x = 1\n"
	            "8:SELECT `a\\`, 'b\\'\n"
	            "9:SET @sql_mode = 'NO_BACKSLASH_ESCAPES'\n"
	            "10:SELECT 'e:\\'\n"
	            "11:SET @@session.sql_mode = DEFAULT\n"
	            "12:SELECT 'it\\'s;'\n");
}

/* ---- unterminated constructs ---- */

static void test_sqlsplit__unterminated(void **state)
{
	check_split(DBM_DIALECT_SQLITE, "SELECT 1;\n\nSELECT 'abc;\n\n",
	            "1:SELECT 1\nerror -2 at line 3: unterminated string (opened at line 3)\n"
	            "hint: Add the closing quote (').\n");
	check_split(DBM_DIALECT_PGSQL, "SELECT \"a\n;",
	            "error -2 at line 1: unterminated quoted identifier (opened at line 1)\n"
	            "hint: Add the closing double quote (\").\n");
	check_split(DBM_DIALECT_MYSQL, "SELECT \"a\\\";",
	            "error -2 at line 1: unterminated string (opened at line 1)\n"
	            "hint: Add the closing quote (\").\n");
	check_split(DBM_DIALECT_MYSQL, "SELECT `a",
	            "error -2 at line 1: unterminated quoted identifier (opened at line 1)\n"
	            "hint: Add the closing backtick (`).\n");
	check_split(DBM_DIALECT_SQLITE, "SELECT [a",
	            "error -2 at line 1: unterminated quoted identifier (opened at line 1)\n"
	            "hint: Add the closing bracket (]).\n");
	check_split(
	    DBM_DIALECT_PGSQL,
	    "SELECT 1;\n"
	    "CREATE FUNCTION f() RETURNS int\n AS $fn$\nBEGIN\n  RETURN 1;\nEND $f$;\n",
	    "1:SELECT 1\n"
	    "error -2 at line 3: unterminated dollar-quoted string $fn$ (opened at line 3)\n"
	    "hint: Add the closing $fn$.\n");
	check_split(
	    DBM_DIALECT_PGSQL, "SELECT 1;\n/* a /* b */\n\n",
	    "1:SELECT 1\nerror -2 at line 2: unterminated block comment (opened at line 2)\n"
	    "hint: Add the closing */.\n");
	check_split(DBM_DIALECT_SQLITE, "SELECT 1 /* x;\n*",
	            "error -2 at line 1: unterminated block comment (opened at line 1)\n"
	            "hint: Add the closing */.\n");
	check_split(DBM_DIALECT_MYSQL,
	            "SELECT 1;\nCREATE PROCEDURE p()\n\nBEGIN\n  IF 1 THEN SELECT 1; END IF;\n",
	            "1:SELECT 1\n"
	            "error -2 at line 4: unterminated BEGIN ... END body (opened at line 4)\n"
	            "hint: Add the missing END, followed by the statement delimiter.\n");
	/* psql sends a body its BEGIN/CASE/END count leaves open at the end of the file as it is */
	check_split(
	    DBM_DIALECT_PGSQL,
	    "CREATE TABLE t (begin text);\nCREATE FUNCTION f() RETURNS text LANGUAGE sql\n"
	    "BEGIN ATOMIC\n SELECT begin FROM t;\nEND;\n",
	    "1:CREATE TABLE t (begin text)\n"
	    "2:CREATE FUNCTION f() RETURNS text LANGUAGE sql\nBEGIN ATOMIC\n SELECT begin FROM "
	    "t;\nEND;\n");
	check_split(DBM_DIALECT_SQLITE, "CREATE TRIGGER t AFTER INSERT ON x BEGIN SELECT 1; END",
	            "1:CREATE TRIGGER t AFTER INSERT ON x BEGIN SELECT 1; END\n");
	check_split(DBM_DIALECT_PGSQL, "SELECT 1;\nCOPY t FROM stdin;\n1\n2\n",
	            "1:SELECT 1\n"
	            "error -2 at line 3: unterminated COPY data (opened at line 3)\n"
	            "hint: End the data with a line containing only \\. (backslash, period).\n");
	check_split(DBM_DIALECT_PGSQL, "COPY t FROM stdin;",
	            "error -2 at line 2: unterminated COPY data (opened at line 2)\n"
	            "hint: End the data with a line containing only \\. (backslash, period).\n");
}

/* ---- fixtures ---- */

static void test_sqlsplit__fixture_pg_dump(void **state)
{
	check_fixture(DBM_DIALECT_PGSQL, "pg_dump");
}

static void test_sqlsplit__fixture_mysqldump(void **state)
{
	check_fixture(DBM_DIALECT_MYSQL, "mysqldump");
}

static void test_sqlsplit__fixture_mysql_routines(void **state)
{
	check_fixture(DBM_DIALECT_MYSQL, "mysql_routines");
}

static void test_sqlsplit__fixture_sqlite_trigger(void **state)
{
	check_fixture(DBM_DIALECT_SQLITE, "sqlite_trigger");
}

/* ---- memory ---- */

static void test_sqlsplit__large_input_constant_memory(void **state)
{
	static const char row[] = "(12345,'some text; with \\'quotes'' and more',-1.5,NULL),";
	struct collect c = {DBM_BUF_INIT, 0, 1, 0, 0};
	struct dbm_splitter *s = dbm_splitter_new(DBM_DIALECT_MYSQL, collect_cb, &c);
	struct dbm_buf chunk = DBM_BUF_INIT;
	unsigned long long total = 0;
	size_t max_cap = 0;
	unsigned stmts = 0;
	int i;

	assert_non_null(s);
	/* one statement: INSERT with 100 rows, about 6 KB */
	assert_int_equal(dbm_buf_adds(&chunk, "INSERT INTO t VALUES "), 0);
	for (i = 0; i < 100; i++)
		assert_int_equal(dbm_buf_add(&chunk, row, sizeof(row) - 1), 0);
	chunk.ptr[chunk.len - 1] = ';';
	assert_int_equal(dbm_buf_addc(&chunk, '\n'), 0);

	while (total < 20ull * 1024 * 1024) {
		assert_int_equal(dbm_splitter_feed(s, chunk.ptr, chunk.len), 0);
		total += chunk.len;
		stmts++;
		if (dbm_splitter_test_capacity(s) > max_cap)
			max_cap = dbm_splitter_test_capacity(s);
		/* the transcript itself is not what we measure */
		dbm_buf_clear(&c.out);
	}
	assert_int_equal(dbm_splitter_finish(s), 0);
	assert_int_equal(c.next, stmts);
	assert_int_equal(c.bytes, total - 2ull * stmts); /* minus ";\n" each */
	assert_true(max_cap <= 256 * 1024);
	dbm_splitter_free(s);
	dbm_buf_free(&chunk);
	dbm_buf_free(&c.out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_sqlsplit__basic_lines_and_trimming),
	    cmocka_unit_test(test_sqlsplit__statements_that_may_change_string_rules_are_flagged),
	    cmocka_unit_test(test_sqlsplit__string_rules_from_the_server_decide),
	    cmocka_unit_test(test_sqlsplit__lenient_after_string_rules_statement),
	    cmocka_unit_test(test_sqlsplit__statements_are_classified_for_the_drivers),
	    cmocka_unit_test(test_sqlsplit__mysql_table_locks_and_xa_are_classified),
	    cmocka_unit_test(test_sqlsplit__only_comments_yield_nothing),
	    cmocka_unit_test(test_sqlsplit__crlf),
	    cmocka_unit_test(test_sqlsplit__utf8_split_anywhere),
	    cmocka_unit_test(test_sqlsplit__callback_stops),
	    cmocka_unit_test(test_sqlsplit__reset_reuses_splitter),
	    cmocka_unit_test(test_sqlsplit__sqlite_quotes),
	    cmocka_unit_test(test_sqlsplit__sqlite_trigger_with_case),
	    cmocka_unit_test(test_sqlsplit__pgsql_dollar_quotes),
	    cmocka_unit_test(test_sqlsplit__pgsql_strings_and_comments),
	    cmocka_unit_test(test_sqlsplit__pgsql_begin_atomic),
	    cmocka_unit_test(test_sqlsplit__pgsql_rule_with_several_actions),
	    cmocka_unit_test(test_sqlsplit__pgsql_begin_atomic_end_alias_and_begin_column),
	    cmocka_unit_test(test_sqlsplit__pgsql_long_dollar_tag),
	    cmocka_unit_test(test_sqlsplit__comment_ended_by_bare_cr),
	    cmocka_unit_test(test_sqlsplit__pgsql_backslash_in_string_after_conforming_strings_off),
	    cmocka_unit_test(test_sqlsplit__pgsql_conforming_strings_reset_per_file),
	    cmocka_unit_test(test_sqlsplit__pgsql_copy_from_stdin),
	    cmocka_unit_test(test_sqlsplit__pgsql_meta_command),
	    cmocka_unit_test(test_sqlsplit__pgsql_variables_refused),
	    cmocka_unit_test(test_sqlsplit__mysql_delimiter),
	    cmocka_unit_test(test_sqlsplit__mysql_quoted_delimiter),
	    cmocka_unit_test(test_sqlsplit__mysql_client_commands_refused),
	    cmocka_unit_test(test_sqlsplit__mysql_dashes_without_blank_start_a_statement),
	    cmocka_unit_test(test_sqlsplit__mysql_string_in_version_comment),
	    cmocka_unit_test(test_sqlsplit__mysql_comments_and_strings),
	    cmocka_unit_test(test_sqlsplit__mysql_version_comments),
	    cmocka_unit_test(test_sqlsplit__mysql_routines_without_delimiter),
	    cmocka_unit_test(test_sqlsplit__mysql_comments_stripped),
	    cmocka_unit_test(test_sqlsplit__mysql_mariadb_version_comment_is_a_statement),
	    cmocka_unit_test(test_sqlsplit__mysql_end_for_does_not_close_the_body),
	    cmocka_unit_test(test_sqlsplit__mysql_begin_not_atomic),
	    cmocka_unit_test(test_sqlsplit__mysql_backslash_in_string_under_no_backslash_escapes),
	    cmocka_unit_test(test_sqlsplit__unterminated),
	    cmocka_unit_test(test_sqlsplit__fixture_pg_dump),
	    cmocka_unit_test(test_sqlsplit__fixture_mysqldump),
	    cmocka_unit_test(test_sqlsplit__fixture_mysql_routines),
	    cmocka_unit_test(test_sqlsplit__fixture_sqlite_trigger),
	    cmocka_unit_test(test_sqlsplit__large_input_constant_memory),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
