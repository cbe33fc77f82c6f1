/*
 * jsontext.c - text into JSON strings that are always valid (output.h).
 *
 * JSON text is UTF-8, and jansson refuses a string that is not: json_string()
 * returns NULL and json_object_set_new() then leaves the key out, so a
 * migration file whose name is not UTF-8 (Latin-1 names from an old system,
 * a stray byte) would lose its "script" key or its whole row. Here every
 * byte that does not start a well-formed UTF-8 sequence (overlong forms,
 * surrogates and code points past U+10FFFF are not well formed) becomes
 * U+FFFD, one replacement character per byte, so a string is never dropped.
 * Where the exact name matters, dbm_json_set_text() adds a second key,
 * "<key>Escaped", with the bytes written out: each byte that is not part of
 * a well-formed sequence as "\xNN" (two lower-case hex digits) and a
 * backslash as "\\"; everything else as is. The key is there only when the
 * text is not UTF-8, so output for well-formed names is unchanged.
 */
#include <stdio.h>
#include <string.h>

#include "output/output.h"

/* The length of the well-formed UTF-8 sequence at p[0..n), or 0 when none starts there. */
static size_t jsontext_seq(const unsigned char *p, size_t n)
{
	unsigned c = p[0];
	size_t len, i;
	unsigned lo = 0x80, hi = 0xBF;

	if (c < 0x80)
		return 1;
	if (c >= 0xC2 && c <= 0xDF)
		len = 2;
	else if (c >= 0xE0 && c <= 0xEF)
		len = 3;
	else if (c >= 0xF0 && c <= 0xF4)
		len = 4;
	else
		return 0;
	if (n < len)
		return 0;
	if (c == 0xE0)
		lo = 0xA0; /* overlong */
	else if (c == 0xED)
		hi = 0x9F; /* surrogates */
	else if (c == 0xF0)
		lo = 0x90; /* overlong */
	else if (c == 0xF4)
		hi = 0x8F; /* past U+10FFFF */
	if (p[1] < lo || p[1] > hi)
		return 0;
	for (i = 2; i < len; i++)
		if (p[i] < 0x80 || p[i] > 0xBF)
			return 0;
	return len;
}

/* 1 when s[0..n) is well-formed UTF-8 without NUL bytes. */
static int jsontext_valid(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, k;

	while (i < n) {
		if (p[i] == 0 || (k = jsontext_seq(p + i, n - i)) == 0)
			return 0;
		i += k;
	}
	return 1;
}

/*
 * s[0..n) with every byte outside a well-formed sequence replaced: by
 * U+FFFD when escaped is 0, by "\xNN" (and "\" by "\\") when 1. Returns a
 * new JSON string, or NULL when out of memory.
 */
static json_t *jsontext_rewrite(const char *s, size_t n, int escaped)
{
	const unsigned char *p = (const unsigned char *)s;
	struct dbm_buf b = DBM_BUF_INIT;
	size_t i = 0, k;
	json_t *j = NULL;
	int r = 0;

	while (i < n && r == 0) {
		k = p[i] ? jsontext_seq(p + i, n - i) : 0;
		if (k == 0) {
			r = escaped ? dbm_buf_addf(&b, "\\x%02x", p[i])
			            : dbm_buf_adds(&b, "\xEF\xBF\xBD");
			i++;
		} else if (escaped && p[i] == '\\') {
			r = dbm_buf_adds(&b, "\\\\");
			i++;
		} else {
			r = dbm_buf_add(&b, s + i, k);
			i += k;
		}
	}
	if (r == 0)
		j = json_stringn(dbm_buf_cstr(&b), b.len);
	dbm_buf_free(&b);
	return j;
}

json_t *dbm_json_textn(const char *s, size_t n)
{
	if (!s)
		return json_null();
	if (jsontext_valid(s, n))
		return json_stringn(s, n);
	return jsontext_rewrite(s, n, 0);
}

json_t *dbm_json_text(const char *s)
{
	return s ? dbm_json_textn(s, strlen(s)) : json_null();
}

int dbm_json_set_text(json_t *obj, const char *key, const char *s)
{
	char name[128];
	size_t n;

	if (!obj)
		return -1;
	if (json_object_set_new(obj, key, dbm_json_text(s)) != 0)
		return -1;
	if (!s || jsontext_valid(s, n = strlen(s)))
		return 0;
	snprintf(name, sizeof(name), "%sEscaped", key);
	return json_object_set_new(obj, name, jsontext_rewrite(s, n, 1));
}
