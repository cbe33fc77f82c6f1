/*
 * test_checksum.c - Flyway-compatible checksums and strict UTF-8 (checksum.h).
 *
 * Every vector is fed whole and in chunks of every size from 1 byte up, so a
 * BOM, a multi-byte character or a CRLF split across chunks is covered.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include <zlib.h>

#include "dbmigrate/checksum.h"
#include "dbmigrate/common.h"
#include "testutil.h"

/* Feeds s[0..len) in chunks of size step; returns the last result and fills *out. */
static int checksum_chunked(const char *s, size_t len, size_t step, int32_t *out)
{
	struct dbm_checksum c;
	size_t i;
	int r;

	dbm_checksum_init(&c);
	for (i = 0; i < len; i += step) {
		size_t n = len - i < step ? len - i : step;

		r = dbm_checksum_update(&c, s + i, n);
		if (r < 0)
			return r;
	}
	return dbm_checksum_final(&c, out);
}

static void expect_checksum(const char *s, size_t len, int32_t want)
{
	int32_t got = 0;
	size_t step;

	assert_int_equal(dbm_checksum_string(s, len, &got), 0);
	assert_int_equal(got, want);
	for (step = 1; step <= len + 1; step++) {
		got = 0;
		assert_int_equal(checksum_chunked(s, len, step, &got), 0);
		assert_int_equal(got, want);
	}
}

static void expect_bad(const char *s, size_t len, const char *message)
{
	int32_t got = 0;
	size_t step;

	dbm_error_clear();
	assert_int_equal(dbm_checksum_string(s, len, &got), DBM_ERR_USAGE);
	assert_string_equal(dbm_error_last()->message, message);
	assert_string_equal(dbm_error_last()->file, "");
	for (step = 1; step <= len + 1; step++) {
		dbm_error_clear();
		assert_int_equal(checksum_chunked(s, len, step, &got), DBM_ERR_USAGE);
		assert_string_equal(dbm_error_last()->message, message);
	}
}

#define CHECK(lit, want) expect_checksum(lit, sizeof(lit) - 1, want)
#define BAD(lit, msg) expect_bad(lit, sizeof(lit) - 1, msg)

static void test_checksum__spec_vectors(void **state)
{
	(void)state;
	CHECK("CREATE TABLE t (id INT);\n", 1556295178);
	CHECK("CREATE TABLE t (id INT);\r\n", 1556295178);
	CHECK("\xEF\xBB\xBF"
	      "CREATE TABLE t (id INT);\n",
	      1556295178);
	CHECK("CREATE TABLE t (id INT);", 1556295178);
	CHECK("", 0);
	CHECK("SELECT 1;\n", 78787420);
	CHECK("a\nb\n", -1635563411);
}

static void test_checksum__every_line_ending_is_dropped(void **state)
{
	(void)state;
	CHECK("a\r\nb\r\n", -1635563411);
	CHECK("a\rb\r", -1635563411);
	CHECK("\n\na\n\r\n\rb", -1635563411);
	CHECK("\xEF\xBB\xBF", 0);
	CHECK("\r\n", 0);
}

static void test_checksum__only_one_leading_bom_is_dropped(void **state)
{
	(void)state;
	/* A second BOM, or one later in the text, is part of the text. */
	CHECK("\xEF\xBB\xBFx\xEF\xBB\xBFy", 34826083);
	CHECK("x\xEF\xBB\xBFy", 34826083);
	CHECK("\xEF\xBB\xBF\xEF\xBB\xBF"
	      "ab",
	      -1215460041);
}

static void test_checksum__multibyte_text_is_hashed_as_utf8(void **state)
{
	(void)state;
	CHECK("h\xC3\xA9llo\xE2\x82\xAC\xF0\x9D\x84\x9E", -945009737);
	CHECK("h\xC3\xA9llo\r\n\xE2\x82\xAC\n\xF0\x9D\x84\x9E\n", -945009737);
	/* Highest code point, highest BMP character below the surrogates and above them. */
	CHECK("\xF4\x8F\xBF\xBF\xED\x9F\xBF\xEE\x80\x80", 1408266457);
}

static void test_checksum__long_ascii_text_with_line_ends_in_words(void **state)
{
	char text[300], want_text[300];
	size_t i, n = 0;
	int32_t want = 0;

	(void)state;
	for (i = 0; i < sizeof(text); i++) {
		text[i] = (char)(i % 13 == 0 ? '\n' : i % 17 == 0 ? '\r' : 'a' + (char)(i % 26));
		if (text[i] != '\n' && text[i] != '\r')
			want_text[n++] = text[i];
	}
	assert_int_equal(dbm_checksum_string(want_text, n, &want), 0);
	expect_checksum(text, sizeof(text), want);
}

/* Lines longer than the internal staging block, checked against zlib directly. */
static void test_checksum__long_lines_match_plain_crc32(void **state)
{
	static char text[70000], stripped[70000];
	size_t i, n = 0;
	uLong crc = crc32(0L, Z_NULL, 0);
	int32_t got = 0;

	(void)state;
	for (i = 0; i < sizeof(text); i++) {
		if (i == 5 || i == 9000 || i == 9001 || i == 50000)
			text[i] = '\n';
		else if (i % 1000 == 998)
			text[i] = '\xC3';
		else if (i % 1000 == 999)
			text[i] = '\xA9';
		else
			text[i] = (char)('a' + i % 26);
		if (text[i] != '\n')
			stripped[n++] = text[i];
	}
	crc = crc32(crc, (const unsigned char *)stripped, (uInt)n);
	assert_int_equal(dbm_checksum_string(text, sizeof(text), &got), 0);
	assert_int_equal((uint32_t)got, (uint32_t)crc);
	assert_int_equal(checksum_chunked(text, sizeof(text), 65536, &got), 0);
	assert_int_equal((uint32_t)got, (uint32_t)crc);
	assert_int_equal(checksum_chunked(text, sizeof(text), 7, &got), 0);
	assert_int_equal((uint32_t)got, (uint32_t)crc);
}

static void test_checksum__invalid_utf8_names_the_byte_offset(void **state)
{
	(void)state;
	BAD("ab\x80", "invalid UTF-8 at byte offset 2");
	BAD("abc\xC0\x80", "invalid UTF-8 at byte offset 3");        /* overlong NUL */
	BAD("\xC1\xBF", "invalid UTF-8 at byte offset 0");           /* overlong */
	BAD("x\xE0\x80\xAF", "invalid UTF-8 at byte offset 1");      /* overlong '/' */
	BAD("xy\xF0\x8F\xBF\xBF", "invalid UTF-8 at byte offset 2"); /* overlong */
	BAD("\xED\xA0\x80", "invalid UTF-8 at byte offset 0");       /* surrogate */
	BAD("a\n\xED\xBF\xBF", "invalid UTF-8 at byte offset 2");    /* surrogate */
	BAD("\xF4\x90\x80\x80", "invalid UTF-8 at byte offset 0");   /* above U+10FFFF */
	BAD("\xF5\x80\x80\x80", "invalid UTF-8 at byte offset 0");
	BAD("\xFF", "invalid UTF-8 at byte offset 0");
	BAD("abc\xE2\x82", "invalid UTF-8 at byte offset 3");  /* truncated at the end */
	BAD("abc\xE2\x82x", "invalid UTF-8 at byte offset 3"); /* truncated in the text */
	BAD("\xC3", "invalid UTF-8 at byte offset 0");
	BAD("\xEF\xBB", "invalid UTF-8 at byte offset 0");         /* half a BOM */
	BAD("\xEF\xBB\xBF\x80", "invalid UTF-8 at byte offset 3"); /* offsets count the BOM */
	BAD("\xEF\xBB"
	    "a",
	    "invalid UTF-8 at byte offset 0");
	BAD("SELECT 1;\n\xC3\xA9\xC3(", "invalid UTF-8 at byte offset 12");
}

static void test_checksum__offset_beyond_four_gib_is_printed_in_full(void **state)
{
	struct dbm_checksum c;

	(void)state;
	dbm_checksum_init(&c);
	assert_int_equal(dbm_checksum_update(&c, "a", 1), 0);
	c.offset = 5000000000ull;
	assert_int_equal(dbm_checksum_update(&c, "\x80", 1), DBM_ERR_USAGE);
	assert_string_equal(dbm_error_last()->message, "invalid UTF-8 at byte offset 5000000000");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_checksum__spec_vectors),
	    cmocka_unit_test(test_checksum__every_line_ending_is_dropped),
	    cmocka_unit_test(test_checksum__only_one_leading_bom_is_dropped),
	    cmocka_unit_test(test_checksum__multibyte_text_is_hashed_as_utf8),
	    cmocka_unit_test(test_checksum__long_ascii_text_with_line_ends_in_words),
	    cmocka_unit_test(test_checksum__long_lines_match_plain_crc32),
	    cmocka_unit_test(test_checksum__invalid_utf8_names_the_byte_offset),
	    cmocka_unit_test(test_checksum__offset_beyond_four_gib_is_printed_in_full),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
