/*
 * test_source.c - the one-pass reader (source.h): checksums, UTF-8 errors
 * with file and line, placeholder replacement, statements handed to the
 * callback, and text that crosses the 64 KiB read size.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>
#include <cmocka.h>

#include "dbmigrate/checksum.h"
#include "dbmigrate/common.h"
#include "dbmigrate/source.h"
#include "testutil.h"

#define FIXTURE(name) DBM_TEST_FIXTURES "/files/" name

/* What the callback saw: every statement as "line:text" joined by '\n'. */
struct seen {
	struct dbm_buf text;
	unsigned count;
	unsigned stop_at; /* return 7 from this statement (1-based), 0: never */
};

static int collect(void *ctx, const struct dbm_stmt *st)
{
	struct seen *s = ctx;

	s->count++;
	assert_int_equal(st->index, s->count);
	assert_int_equal(strlen(st->sql), st->len);
	if (s->text.len)
		assert_int_equal(dbm_buf_addc(&s->text, '\n'), 0);
	assert_int_equal(dbm_buf_addf(&s->text, "%u:%s", st->line, st->sql), 0);
	return s->stop_at == s->count ? 7 : 0;
}

static int setup(void **state)
{
	struct dbm_placeholders *p = calloc(1, sizeof(*p));

	if (!p || dbm_placeholders_set(p, "app_user", "ticket_app") < 0)
		return -1;
	*state = p;
	return 0;
}

static int teardown(void **state)
{
	dbm_placeholders_free(*state);
	free(*state);
	return 0;
}

/* Writes content to a new temporary file; returns the folder (caller removes and frees). */
static char *write_tmp(const char *content, size_t len, char **path)
{
	char *dir = dbm_test_tmpdir();
	FILE *f;

	*path = malloc(strlen(dir) + 16);
	assert_non_null(*path);
	sprintf(*path, "%s/m.sql", dir);
	f = fopen(*path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(content, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
	return dir;
}

static void remove_tmp(char *dir, char *path)
{
	dbm_test_rmtree(dir);
	free(dir);
	free(path);
}

static void test_source__checksum_of_a_bom_crlf_file_matches_flyway(void **state)
{
	struct dbm_source_opts o = {DBM_DIALECT_SQLITE, NULL, 0, NULL, NULL, 0};
	int32_t sum = 0;

	(void)state;
	assert_int_equal(dbm_source_run(FIXTURE("bom_crlf.sql"), "V1__t.sql", &o, &sum), 0);
	assert_int_equal(sum, 1556295178);
}

static void test_source__bom_is_not_passed_to_the_splitter(void **state)
{
	struct seen s = {DBM_BUF_INIT, 0, 0};
	struct dbm_source_opts o = {DBM_DIALECT_SQLITE, NULL, 0, collect, &s, 0};
	int32_t sum = 0;

	(void)state;
	assert_int_equal(dbm_source_run(FIXTURE("bom_crlf.sql"), "V1__t.sql", &o, &sum), 0);
	assert_int_equal(sum, 1556295178);
	assert_string_equal(dbm_buf_cstr(&s.text), "1:CREATE TABLE t (id INT)");
	dbm_buf_free(&s.text);
}

/* The mariadb client drops the '\r' of "\r\n" everywhere, strings included; so does MySQL's
 * dialect. */
static void test_source__mysql_reads_crlf_as_the_client_does(void **state)
{
	static const char text[] = "INSERT INTO t VALUES ('a\r\nb', 'c\rd');\r\nSELECT 1;\r\n";
	struct seen s = {DBM_BUF_INIT, 0, 0};
	struct dbm_source_opts o = {DBM_DIALECT_MYSQL, NULL, 0, collect, &s, 0};
	char *path, *dir = write_tmp(text, sizeof(text) - 1, &path);

	(void)state;
	assert_int_equal(dbm_source_run(path, "V1__t.sql", &o, NULL), 0);
	/* a lone CR stays, and ends a line as an editor shows it */
	assert_string_equal(dbm_buf_cstr(&s.text),
	                    "1:INSERT INTO t VALUES ('a\nb', 'c\rd')\n4:SELECT 1");
	dbm_buf_free(&s.text);
	remove_tmp(dir, path);

	/* PostgreSQL keeps the bytes as written */
	memset(&s, 0, sizeof(s));
	o.dialect = DBM_DIALECT_PGSQL;
	dir = write_tmp(text, sizeof(text) - 1, &path);
	assert_int_equal(dbm_source_run(path, "V1__t.sql", &o, NULL), 0);
	assert_string_equal(dbm_buf_cstr(&s.text),
	                    "1:INSERT INTO t VALUES ('a\r\nb', 'c\rd')\n4:SELECT 1");
	dbm_buf_free(&s.text);
	remove_tmp(dir, path);
}

/* A "\r\n" split by the 64 KiB read boundary still loses its '\r'. */
static void test_source__mysql_crlf_across_the_read_boundary(void **state)
{
	size_t n = 65536 + 64, i;
	char *text = malloc(n + 1);
	struct seen s = {DBM_BUF_INIT, 0, 0};
	struct dbm_source_opts o = {DBM_DIALECT_MYSQL, NULL, 0, collect, &s, 0};
	char *path, *dir;

	(void)state;
	assert_non_null(text);
	memcpy(text, "SELECT '", 8);
	for (i = 8; i < 65535; i++)
		text[i] = 'x';
	memcpy(text + 65535, "\r\n", 2);
	memcpy(text + 65537, "y';\r", 4);
	n = 65541;
	dir = write_tmp(text, n, &path);
	assert_int_equal(dbm_source_run(path, "V1__t.sql", &o, NULL), 0);
	assert_int_equal(s.count, 1);
	assert_int_equal(s.text.len, 2 + 65535 - 8 + 8 + 1 + 2); /* "1:" SELECT 'xx..x \n y' */
	assert_int_equal(s.text.ptr[s.text.len - 3], '\n');
	assert_null(memchr(s.text.ptr, '\r', s.text.len));
	dbm_buf_free(&s.text);
	remove_tmp(dir, path);
	free(text);
}

/* A pass with a byte limit stops at a longer file, naming it; a file within the limit passes. */
static void test_source__max_bytes_stops_a_longer_file(void **state)
{
	struct dbm_source_opts o = {DBM_DIALECT_SQLITE, NULL, 0, NULL, NULL, 0};
	int32_t sum = 99, full = 0;

	(void)state;
	assert_int_equal(dbm_source_run(FIXTURE("bom_crlf.sql"), "V1__t.sql", &o, &full), 0);
	o.max_bytes = 4;
	assert_int_equal(dbm_source_run(FIXTURE("bom_crlf.sql"), "V1__t.sql", &o, &sum),
	                 DBM_ERR_RUN);
	assert_string_equal(dbm_error_last()->message, "\"V1__t.sql\" is longer than 4 bytes");
	assert_int_equal(sum, 99);
	o.max_bytes = 1024 * 1024;
	assert_int_equal(dbm_source_run(FIXTURE("bom_crlf.sql"), "V1__t.sql", &o, &sum), 0);
	assert_int_equal(sum, full);
}

static void test_source__unreadable_file_is_a_run_error_naming_it(void **state)
{
	struct dbm_source_opts o = {DBM_DIALECT_SQLITE, NULL, 0, NULL, NULL, 0};
	int32_t sum = 99;

	(void)state;
	assert_int_equal(
	    dbm_source_run(FIXTURE("no_such_file.sql"), "migrations/V9__x.sql", &o, &sum),
	    DBM_ERR_RUN);
	assert_string_equal(dbm_error_last()->message,
	                    "cannot read \"migrations/V9__x.sql\": No such file or directory");
	assert_int_equal(sum, 99);
	assert_int_equal(dbm_source_run(DBM_TEST_FIXTURES, "migrations/V9__x.sql", &o, &sum),
	                 DBM_ERR_RUN);
	assert_string_equal(dbm_error_last()->message,
	                    "cannot read \"migrations/V9__x.sql\": Is a directory");
}

static void test_source__invalid_utf8_names_file_offset_and_line(void **state)
{
	struct seen s = {DBM_BUF_INIT, 0, 0};
	struct dbm_source_opts o = {DBM_DIALECT_PGSQL, NULL, 0, NULL, NULL, 0};
	int32_t sum = 0;

	(void)state;
	dbm_error_clear();
	assert_int_equal(
	    dbm_source_run(FIXTURE("invalid_utf8.sql"), "migrations/V2__bad.sql", &o, &sum),
	    DBM_ERR_USAGE);
	assert_string_equal(dbm_error_last()->message, "invalid UTF-8 at byte offset 37");
	assert_string_equal(dbm_error_last()->file, "migrations/V2__bad.sql");
	assert_int_equal(dbm_error_last()->line, 3);

	/* The whole chunk is checked before any of it is split: nothing ran. */
	o.on_stmt = collect;
	o.ctx = &s;
	assert_int_equal(
	    dbm_source_run(FIXTURE("invalid_utf8.sql"), "migrations/V2__bad.sql", &o, &sum),
	    DBM_ERR_USAGE);
	assert_int_equal(s.count, 0);
	dbm_buf_free(&s.text);
}

/*
 * A NUL byte is refused in every dialect, before any statement is handed
 * out: the mariadb client refuses it, SQLite ends the statement there.
 */
static void test_source__nul_byte_names_file_offset_and_line(void **state)
{
	static const char text[] =
	    "CREATE TABLE log (s text);\r\nINSERT INTO log VALUES ('a\0b');\n";
	static const enum dbm_dialect dialects[] = {DBM_DIALECT_SQLITE, DBM_DIALECT_PGSQL,
	                                            DBM_DIALECT_MYSQL};
	struct seen s = {DBM_BUF_INIT, 0, 0};
	struct dbm_source_opts o = {DBM_DIALECT_SQLITE, NULL, 0, collect, &s, 0};
	char *path, *dir = write_tmp(text, sizeof(text) - 1, &path);
	size_t i;

	(void)state;
	for (i = 0; i < DBM_ARRAY_SIZE(dialects); i++) {
		o.dialect = dialects[i];
		dbm_error_clear();
		assert_int_equal(dbm_source_run(path, "migrations/V2__nul.sql", &o, NULL),
		                 DBM_ERR_USAGE);
		assert_string_equal(dbm_error_last()->message, "NUL byte (0x00) at byte offset 54");
		assert_string_equal(dbm_error_last()->file, "migrations/V2__nul.sql");
		assert_int_equal(dbm_error_last()->line, 2);
		assert_int_equal(s.count, 0);
	}
	/* the checksum pass refuses it too */
	o.on_stmt = NULL;
	assert_int_equal(dbm_source_run(path, "migrations/V2__nul.sql", &o, NULL), DBM_ERR_USAGE);
	dbm_buf_free(&s.text);
	remove_tmp(dir, path);
}

static void test_source__truncated_utf8_at_the_end_of_a_later_chunk(void **state)
{
	size_t n = 200000, i;
	char *text = malloc(n), *dir, *path;
	struct dbm_source_opts o = {DBM_DIALECT_SQLITE, NULL, 0, NULL, NULL, 0};
	int32_t sum = 0;
	unsigned lines = 1;

	(void)state;
	assert_non_null(text);
	for (i = 0; i < n - 1; i++) {
		text[i] = i % 50 == 49 ? '\n' : 'x';
		lines += text[i] == '\n';
	}
	text[n - 1] = '\xE2';
	dir = write_tmp(text, n, &path);
	assert_int_equal(dbm_source_run(path, "V1__x.sql", &o, &sum), DBM_ERR_USAGE);
	assert_string_equal(dbm_error_last()->message, "invalid UTF-8 at byte offset 199999");
	assert_string_equal(dbm_error_last()->file, "V1__x.sql");
	assert_int_equal(dbm_error_last()->line, lines);
	remove_tmp(dir, path);
	free(text);
}

static void test_source__placeholders_are_replaced_before_splitting(void **state)
{
	struct seen s = {DBM_BUF_INIT, 0, 0};
	struct dbm_source_opts o = {DBM_DIALECT_PGSQL, *state, 0, collect, &s, 0};
	int32_t sum = 0;

	assert_int_equal(dbm_source_run(FIXTURE("placeholders.sql"), "V1__p.sql", &o, &sum), 0);
	assert_string_equal(dbm_buf_cstr(&s.text), "2:CREATE VIEW v AS\n  SELECT 1 AS one\n"
	                                           "4:GRANT SELECT ON v TO ticket_app");
	/* Versioned migrations: the checksum of the file as written. */
	assert_int_equal(sum, -1292462400);
	dbm_buf_free(&s.text);
}

static void test_source__repeatable_checksum_is_taken_after_replacement(void **state)
{
	struct dbm_source_opts o = {DBM_DIALECT_PGSQL, *state, 1, NULL, NULL, 0};
	int32_t sum = 0;

	assert_int_equal(dbm_source_run(FIXTURE("placeholders.sql"), "R__p.sql", &o, &sum), 0);
	assert_int_equal(sum, 1265194314);
	/* Without placeholders there is nothing to replace: the file as written. */
	o.placeholders = NULL;
	assert_int_equal(dbm_source_run(FIXTURE("placeholders.sql"), "R__p.sql", &o, &sum), 0);
	assert_int_equal(sum, -1292462400);
}

static void test_source__checksum_only_pass_needs_no_placeholder_values(void **state)
{
	struct dbm_placeholders none = DBM_PLACEHOLDERS_INIT;
	struct dbm_source_opts o = {DBM_DIALECT_PGSQL, &none, 0, NULL, NULL, 0};
	int32_t sum = 0;

	(void)state;
	assert_int_equal(dbm_source_run(FIXTURE("placeholders.sql"), "V1__p.sql", &o, &sum), 0);
	assert_int_equal(sum, -1292462400);
}

static void test_source__unresolved_placeholder_names_file_and_line(void **state)
{
	struct dbm_placeholders none = DBM_PLACEHOLDERS_INIT;
	struct seen s = {DBM_BUF_INIT, 0, 0};
	struct dbm_source_opts o = {DBM_DIALECT_PGSQL, &none, 0, collect, &s, 0};
	int32_t sum = 0;

	(void)state;
	assert_int_equal(
	    dbm_source_run(FIXTURE("placeholders.sql"), "migrations/R__p.sql", &o, &sum),
	    DBM_ERR_USAGE);
	/* The comment on line 1 is checked too: replacement does not know SQL. */
	assert_string_equal(dbm_error_last()->message, "placeholder ${app_user} has no value");
	assert_string_equal(dbm_error_last()->file, "migrations/R__p.sql");
	assert_int_equal(dbm_error_last()->line, 1);
	assert_string_equal(dbm_error_last()->hint,
	                    "Set it with --placeholder app_user=VALUE, "
	                    "DBMIGRATE_PLACEHOLDER_APP_USER or placeholders: in dbmigrate.yml.");
	dbm_buf_free(&s.text);
}

/*
 * A file of many short statements with placeholders placed so that some
 * straddle the 64 KiB read boundary: every one is replaced and each error
 * line is right.
 */
static void test_source__placeholders_across_chunk_boundaries(void **state)
{
	struct dbm_buf text = DBM_BUF_INIT, want = DBM_BUF_INIT;
	struct seen s = {DBM_BUF_INIT, 0, 0};
	struct dbm_source_opts o = {DBM_DIALECT_SQLITE, *state, 1, collect, &s, 0};
	int32_t sum = 0, want_sum = 0;
	char *dir, *path;
	unsigned i, line = 1;

	for (i = 0; text.len < 300000; i++) {
		/* Shift by one byte per statement so every alignment is hit. */
		assert_int_equal(dbm_buf_addf(&text, "INSERT INTO t VALUES ('%.*s${app_user}');\n",
		                              (int)(i % 23), "aaaaaaaaaaaaaaaaaaaaaaaa"),
		                 0);
		assert_int_equal(dbm_buf_addf(&want, "%s%u:INSERT INTO t VALUES ('%.*sticket_app')",
		                              i ? "\n" : "", line++, (int)(i % 23),
		                              "aaaaaaaaaaaaaaaaaaaaaaaa"),
		                 0);
	}
	dir = write_tmp(text.ptr, text.len, &path);
	assert_int_equal(dbm_source_run(path, "R__big.sql", &o, &sum), 0);
	assert_int_equal(s.count, i);
	assert_string_equal(dbm_buf_cstr(&s.text), dbm_buf_cstr(&want));
	dbm_buf_clear(&want);
	assert_int_equal(dbm_placeholders_apply(*state, text.ptr, text.len, &want), 0);
	assert_int_equal(dbm_checksum_string(want.ptr, want.len, &want_sum), 0);
	assert_int_equal(sum, want_sum);
	remove_tmp(dir, path);

	/* An unknown name on the last line: the error has that line. */
	assert_int_equal(dbm_buf_adds(&text, "SELECT '${nope}';\n"), 0);
	dir = write_tmp(text.ptr, text.len, &path);
	s.count = 0;
	dbm_buf_clear(&s.text);
	assert_int_equal(dbm_source_run(path, "R__big.sql", &o, &sum), DBM_ERR_USAGE);
	assert_string_equal(dbm_error_last()->message, "placeholder ${nope} has no value");
	assert_int_equal(dbm_error_last()->line, i + 1);
	assert_string_equal(dbm_error_last()->file, "R__big.sql");
	remove_tmp(dir, path);
	dbm_buf_free(&text);
	dbm_buf_free(&want);
	dbm_buf_free(&s.text);
}

/* One line far longer than the line buffer limit, with dollars all along it. */
static void test_source__very_long_line_with_dollars(void **state)
{
	struct dbm_buf text = DBM_BUF_INIT, want = DBM_BUF_INIT;
	struct dbm_source_opts o = {DBM_DIALECT_PGSQL, *state, 1, NULL, NULL, 0};
	int32_t sum = 0, want_sum = 0;
	char *dir, *path;
	unsigned i;

	assert_int_equal(dbm_buf_adds(&text, "SELECT 'x"), 0);
	for (i = 0; text.len < 400000; i++)
		assert_int_equal(dbm_buf_adds(&text, i % 3 == 0   ? "$$ $1 ${app_user} "
		                                     : i % 3 == 1 ? "${app_user}${app_user} $"
		                                                  : "plain text no dollars here "),
		                 0);
	assert_int_equal(dbm_buf_adds(&text, "';\nSELECT 2;"), 0);
	assert_int_equal(dbm_placeholders_apply(*state, text.ptr, text.len, &want), 0);
	assert_int_equal(dbm_checksum_string(want.ptr, want.len, &want_sum), 0);
	dir = write_tmp(text.ptr, text.len, &path);
	assert_int_equal(dbm_source_run(path, "R__long.sql", &o, &sum), 0);
	assert_int_equal(sum, want_sum);
	remove_tmp(dir, path);
	dbm_buf_free(&text);
	dbm_buf_free(&want);
}

/* The process's peak resident size in KiB. */
static long peak_kib(void)
{
	struct rusage ru;

	assert_int_equal(getrusage(RUSAGE_SELF, &ru), 0);
	return ru.ru_maxrss;
}

/*
 * "${" then 32 MiB of name characters on one line: the line buffer does
 * not grow with it (it grew to the whole line, re-scanned at every chunk);
 * the too-long name is reported with its file and line.
 */
static void test_source__megabytes_after_an_open_placeholder_keep_memory_flat(void **state)
{
	struct dbm_source_opts o = {DBM_DIALECT_PGSQL, *state, 1, NULL, NULL, 0};
	char piece[65536];
	char *dir, *path;
	int32_t sum = 0;
	long before;
	FILE *f;
	int i;

	dir = write_tmp("SELECT 1;\nSELECT '${", 20, &path);
	f = fopen(path, "ab");
	assert_non_null(f);
	memset(piece, 'a', sizeof(piece));
	for (i = 0; i < 512; i++)
		assert_int_equal(fwrite(piece, 1, sizeof(piece), f), sizeof(piece));
	assert_int_equal(fputs("}';\n", f) >= 0, 1);
	assert_int_equal(fclose(f), 0);
	before = peak_kib();
	assert_int_equal(dbm_source_run(path, "migrations/V1__big.sql", &o, &sum), DBM_ERR_USAGE);
	assert_true(strstr(dbm_error_last()->message, "longer than 256 characters") != NULL);
	assert_string_equal(dbm_error_last()->file, "migrations/V1__big.sql");
	assert_int_equal(dbm_error_last()->line, 2);
	assert_true(peak_kib() - before < 8 * 1024);
	remove_tmp(dir, path);
}

static void test_source__callback_value_stops_the_pass(void **state)
{
	struct seen s = {DBM_BUF_INIT, 0, 2};
	struct dbm_source_opts o = {DBM_DIALECT_PGSQL, *state, 0, collect, &s, 0};
	int32_t sum = 55;

	assert_int_equal(dbm_source_run(FIXTURE("placeholders.sql"), "V1__p.sql", &o, &sum), 7);
	assert_int_equal(s.count, 2);
	assert_int_equal(sum, 55);
	dbm_buf_free(&s.text);
}

static void test_source__unterminated_string_names_file_and_line(void **state)
{
	const char *sql = "SELECT 1;\n\nINSERT INTO t VALUES ('abc);\nSELECT 3;\n";
	struct seen s = {DBM_BUF_INIT, 0, 0};
	struct dbm_source_opts o = {DBM_DIALECT_SQLITE, NULL, 0, collect, &s, 0};
	char *dir, *path;
	int32_t sum = 0;

	(void)state;
	dir = write_tmp(sql, strlen(sql), &path);
	assert_int_equal(dbm_source_run(path, "migrations/V3__x.sql", &o, &sum), DBM_ERR_USAGE);
	assert_string_equal(dbm_error_last()->file, "migrations/V3__x.sql");
	assert_int_equal(dbm_error_last()->line, 3);
	assert_int_equal(s.count, 1);
	remove_tmp(dir, path);
	dbm_buf_free(&s.text);
}

static void test_source__empty_file(void **state)
{
	struct seen s = {DBM_BUF_INIT, 0, 0};
	struct dbm_source_opts o = {DBM_DIALECT_MYSQL, *state, 1, collect, &s, 0};
	char *dir, *path;
	int32_t sum = 42;

	dir = write_tmp("", 0, &path);
	assert_int_equal(dbm_source_run(path, "V1__e.sql", &o, &sum), 0);
	assert_int_equal(sum, 0);
	assert_int_equal(s.count, 0);
	remove_tmp(dir, path);
}

/*
 * In builds with allocation-failure injection: make the n-th allocation
 * fail for n = 1, 2, ... in a fresh child process each time (the failure
 * point is read once per process) until a run needs no more; every run must
 * end in success or "out of memory", with no leak (the sanitizer build checks).
 */
static void test_source__every_allocation_failure_is_clean(void **state)
{
#ifdef DBM_FAILPOINTS
	int i;

	(void)state;
	i = dbm_test_oom_sweep("test_source", 1000, 0, 3);
	assert_true(i > 3 && i < 1000);
#else
	(void)state;
	skip();
#endif
}

#ifdef DBM_FAILPOINTS
static int oom_collect(void *ctx, const struct dbm_stmt *st)
{
	(void)ctx;
	(void)st;
	return 0;
}

/* The child of test_source__every_allocation_failure_is_clean: one full pass. */
static int oom_child(void)
{
	struct dbm_placeholders p = DBM_PLACEHOLDERS_INIT;
	struct dbm_source_opts o = {DBM_DIALECT_PGSQL, &p, 1, oom_collect, NULL, 0};
	int32_t sum = 0;
	int r = dbm_placeholders_set(&p, "app_user", "ticket_app");

	if (r == 0)
		r = dbm_source_run(FIXTURE("placeholders.sql"), "R__p.sql", &o, &sum);
	dbm_placeholders_free(&p);
	if (r == DBM_ERR_NOMEM && strcmp(dbm_error_last()->message, "out of memory") == 0)
		return 0;
	if (r == 0 && sum == 1265194314)
		return 3; /* every allocation succeeded */
	return 1;
}
#endif

#define T(fn) cmocka_unit_test(fn)

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
	    T(test_source__checksum_of_a_bom_crlf_file_matches_flyway),
	    T(test_source__bom_is_not_passed_to_the_splitter),
	    T(test_source__mysql_reads_crlf_as_the_client_does),
	    T(test_source__mysql_crlf_across_the_read_boundary),
	    T(test_source__unreadable_file_is_a_run_error_naming_it),
	    T(test_source__max_bytes_stops_a_longer_file),
	    T(test_source__invalid_utf8_names_file_offset_and_line),
	    T(test_source__truncated_utf8_at_the_end_of_a_later_chunk),
	    T(test_source__nul_byte_names_file_offset_and_line),
	    T(test_source__placeholders_are_replaced_before_splitting),
	    T(test_source__repeatable_checksum_is_taken_after_replacement),
	    T(test_source__checksum_only_pass_needs_no_placeholder_values),
	    T(test_source__unresolved_placeholder_names_file_and_line),
	    T(test_source__placeholders_across_chunk_boundaries),
	    T(test_source__very_long_line_with_dollars),
	    T(test_source__megabytes_after_an_open_placeholder_keep_memory_flat),
	    T(test_source__callback_value_stops_the_pass),
	    T(test_source__unterminated_string_names_file_and_line),
	    T(test_source__empty_file),
	    T(test_source__every_allocation_failure_is_clean),
	};

#ifdef DBM_FAILPOINTS
	if (dbm_test_oom_child(argc, argv))
		return oom_child();
#endif
	(void)argc;
	(void)argv;
	return cmocka_run_group_tests(tests, setup, teardown);
}
