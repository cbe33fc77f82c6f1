/*
 * toml.c - the part of TOML that flyway.toml uses (kvfile.h).
 *
 * Debian ships no C TOML library, and Flyway's files use a small part of
 * the language, so this reads only that part (see docs/decisions.md):
 *
 *   # comments                 anywhere a line may end
 *   [table.sub]                table headers; keys bare (A-Z a-z 0-9 _ -)
 *   ["quoted".key]             or quoted, dotted, white space around dots
 *   a.b = value                dotted keys, relative to the current table
 *   "text" 'text'              basic strings (\b \t \n \f \r \" \\ \uXXXX
 *                              \UXXXXXXXX) and literal strings, one line each
 *   42 -7 1_000                integers (decimal)
 *   true false                 booleans
 *   ["a", 'b',]                arrays of strings, over several lines if need be
 *   { k = "v", x.y = 1 }       inline tables (one line, as TOML wants)
 *
 * Everything else (multi-line strings, floats, dates, arrays of tables,
 * arrays of anything but strings) is an error naming the construct, the
 * file and the line. A key or a table defined twice is an error naming the
 * line of the first. Each value becomes one entry of the list under its
 * full dotted key ("environments.dev.url"); an array becomes its strings
 * joined with ',', the way flyway.conf writes a list.
 */
#include <stdarg.h>
#include <string.h>

#include "dbmigrate/common.h"
#include "dbmigrate/kvfile.h"

#define TOML_MAX_DEPTH 32

struct toml {
	const char *p, *end;
	const char *file;
	unsigned line;
	struct dbm_kvlist *out;
	struct dbm_kvlist tables; /* headers seen, for "defined twice" */
	int depth;                /* inline tables being read */
};

static int toml_fail(struct toml *t, const char *hint, const char *fmt, ...) DBM_GCC_PRINTF(3, 4);

/* Sets DBM_ERR_USAGE at the current line. Returns DBM_ERR_USAGE. */
static int toml_fail(struct toml *t, const char *hint, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	dbm_error_vset(DBM_ERR_USAGE, fmt, ap);
	va_end(ap);
	dbm_error_set_where(t->file, t->line);
	if (hint)
		dbm_error_set_hint("%s", hint);
	return DBM_ERR_USAGE;
}

/* Skips spaces and tabs. */
static void toml_ws(struct toml *t)
{
	while (t->p < t->end && (*t->p == ' ' || *t->p == '\t'))
		t->p++;
}

/* Skips a comment up to (not over) the end of the line. */
static void toml_comment(struct toml *t)
{
	if (t->p < t->end && *t->p == '#')
		while (t->p < t->end && *t->p != '\n')
			t->p++;
}

/* Skips white space, comments and newlines (inside arrays). */
static void toml_ws_nl(struct toml *t)
{
	for (;;) {
		toml_ws(t);
		toml_comment(t);
		if (t->p < t->end && *t->p == '\n') {
			t->p++;
			t->line++;
		} else if (t->p + 1 < t->end && t->p[0] == '\r' && t->p[1] == '\n') {
			t->p += 2;
			t->line++;
		} else {
			return;
		}
	}
}

static int toml_bare_char(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
	       c == '_' || c == '-';
}

/*
 * Reads a basic ("...") or literal ('...') string at t->p into out.
 * Returns 0, DBM_ERR_USAGE or DBM_ERR_NOMEM.
 */
static int toml_string(struct toml *t, struct dbm_buf *out)
{
	char q = *t->p;
	int r = 0;

	if (t->end - t->p >= 3 && t->p[1] == q && t->p[2] == q)
		return toml_fail(t, "Write the value on one line in \"...\" or '...'.",
		                 "multi-line strings (%c%c%c) are not supported", q, q, q);
	t->p++;
	while (r == 0) {
		unsigned long cp = 0;
		int n, i;

		if (t->p >= t->end || *t->p == '\n' || *t->p == '\r')
			return toml_fail(t, "Close the string on the same line.",
			                 "unterminated string");
		if (*t->p == q) {
			t->p++;
			return 0;
		}
		if ((unsigned char)*t->p < 0x20 && *t->p != '\t')
			return toml_fail(t, "Write control characters as \\uXXXX escapes.",
			                 "control character 0x%02x in a string",
			                 (unsigned)(unsigned char)*t->p);
		if (*t->p == 0x7F)
			return toml_fail(t, "Write it as \\u007F.",
			                 "control character 0x7f in a string");
		if (q == '\'' || *t->p != '\\') {
			r = dbm_buf_addc(out, *t->p++);
			continue;
		}
		t->p++;
		if (t->p >= t->end)
			return toml_fail(t, NULL, "unterminated string");
		switch (*t->p) {
		case 'b':
			r = dbm_buf_addc(out, '\b');
			break;
		case 't':
			r = dbm_buf_addc(out, '\t');
			break;
		case 'n':
			r = dbm_buf_addc(out, '\n');
			break;
		case 'f':
			r = dbm_buf_addc(out, '\f');
			break;
		case 'r':
			r = dbm_buf_addc(out, '\r');
			break;
		case '"':
			r = dbm_buf_addc(out, '"');
			break;
		case '\\':
			r = dbm_buf_addc(out, '\\');
			break;
		case 'u':
		case 'U':
			n = *t->p == 'u' ? 4 : 8;
			if (t->end - t->p <= n)
				return toml_fail(t, NULL, "\\%c escape needs %d hex digits", *t->p,
				                 n);
			for (i = 1; i <= n; i++) {
				int h = dbm_hex_digit(t->p[i]);

				if (h < 0)
					return toml_fail(t, NULL, "\\%c escape needs %d hex digits",
					                 *t->p, n);
				cp = cp * 16 + (unsigned long)h;
			}
			if (cp == 0 || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
				return toml_fail(
				    t, NULL,
				    "\\%c escape names U+%04lX, which a setting cannot hold", *t->p,
				    cp);
			t->p += n;
			r = dbm_buf_add_utf8(out, cp);
			break;
		default:
			return toml_fail(t,
			                 "TOML knows \\b \\t \\n \\f \\r \\\" \\\\ \\uXXXX and "
			                 "\\UXXXXXXXX; use a literal string '...' for backslashes.",
			                 "unknown escape \\%c in a string", *t->p);
		}
		t->p++;
	}
	return r;
}

/*
 * Reads a dotted key at t->p and appends it to path (with a '.' first when
 * path is not empty). Returns 0, DBM_ERR_USAGE or DBM_ERR_NOMEM.
 */
static int toml_key(struct toml *t, struct dbm_buf *path)
{
	int r = 0;

	for (;;) {
		toml_ws(t);
		if (path->len && (r = dbm_buf_addc(path, '.')) < 0)
			return r;
		if (t->p < t->end && (*t->p == '"' || *t->p == '\'')) {
			size_t mark = path->len;

			if ((r = toml_string(t, path)) < 0)
				return r;
			if (path->len > mark && memchr(path->ptr + mark, '\0', path->len - mark))
				return toml_fail(t, NULL, "a key cannot hold a NUL character");
		} else if (t->p < t->end && toml_bare_char(*t->p)) {
			const char *s = t->p;

			while (t->p < t->end && toml_bare_char(*t->p))
				t->p++;
			if ((r = dbm_buf_add(path, s, (size_t)(t->p - s))) < 0)
				return r;
		} else {
			return toml_fail(t,
			                 "Keys are letters, digits, '_' and '-', or quoted; "
			                 "write key = \"value\".",
			                 "expected a key");
		}
		toml_ws(t);
		if (t->p >= t->end || *t->p != '.')
			return 0;
		t->p++;
	}
}

/* Adds key=value unless key is taken. Returns 0, DBM_ERR_USAGE or DBM_ERR_NOMEM. */
static int toml_put(struct toml *t, const char *key, const char *value, unsigned line,
                    enum dbm_kv_type type)
{
	const struct dbm_kv *old = dbm_kvlist_get(t->out, key);

	if (old) {
		t->line = line;
		return toml_fail(t, NULL, "key '%s' is defined twice (first on line %u)", key,
		                 old->line);
	}
	return dbm_kvlist_add(t->out, key, value, line, type);
}

static int toml_value(struct toml *t, const char *key);

/* Reads an array of strings at t->p (on '['). 0, DBM_ERR_USAGE or DBM_ERR_NOMEM. */
static int toml_array(struct toml *t, const char *key)
{
	struct dbm_buf joined = DBM_BUF_INIT, s = DBM_BUF_INIT;
	unsigned line = t->line;
	size_t n = 0;
	int r = 0;

	t->p++;
	for (;;) {
		toml_ws_nl(t);
		if (t->p >= t->end) {
			t->line = line;
			r = toml_fail(t, "Close the array with ']'.", "unterminated array");
			break;
		}
		if (*t->p == ']') {
			t->p++;
			r = toml_put(t, key, dbm_buf_cstr(&joined), line, DBM_KV_ARRAY);
			break;
		}
		if (*t->p != '"' && *t->p != '\'') {
			r = toml_fail(t, "Flyway's lists are lists of strings: [\"a\", \"b\"].",
			              "'%s': only arrays of strings are supported", key);
			break;
		}
		dbm_buf_clear(&s);
		if ((r = toml_string(t, &s)) < 0)
			break;
		if (n++ && (r = dbm_buf_addc(&joined, ',')) < 0)
			break;
		if ((r = dbm_buf_add(&joined, s.ptr ? s.ptr : "", s.len)) < 0)
			break;
		toml_ws_nl(t);
		if (t->p < t->end && *t->p == ',') {
			t->p++;
		} else if (t->p < t->end && *t->p != ']') {
			r = toml_fail(t, NULL, "expected ',' or ']' in the array");
			break;
		}
	}
	dbm_buf_free(&joined);
	dbm_buf_free(&s);
	return r;
}

/* Reads an inline table at t->p (on '{'). 0, DBM_ERR_USAGE or DBM_ERR_NOMEM. */
static int toml_inline(struct toml *t, const char *key)
{
	struct dbm_buf path = DBM_BUF_INIT;
	int r = 0, first = 1;

	if (++t->depth > TOML_MAX_DEPTH)
		return toml_fail(t, NULL, "inline tables nest more than %d deep", TOML_MAX_DEPTH);
	t->p++;
	for (;;) {
		toml_ws(t);
		if (t->p < t->end && *t->p == '}' && first) {
			t->p++;
			break;
		}
		dbm_buf_clear(&path);
		if ((r = dbm_buf_adds(&path, key)) < 0 || (r = toml_key(t, &path)) < 0)
			break;
		if (t->p >= t->end || *t->p != '=') {
			r = toml_fail(t, NULL, "expected '=' after the key '%s'",
			              dbm_buf_cstr(&path));
			break;
		}
		t->p++;
		toml_ws(t);
		if ((r = toml_value(t, dbm_buf_cstr(&path))) < 0)
			break;
		toml_ws(t);
		first = 0;
		if (t->p < t->end && *t->p == ',') {
			t->p++;
			continue;
		}
		if (t->p < t->end && *t->p == '}') {
			t->p++;
			break;
		}
		r = toml_fail(t, "An inline table stays on one line: { a = \"x\", b = \"y\" }.",
		              "expected ',' or '}' in the inline table");
		break;
	}
	t->depth--;
	dbm_buf_free(&path);
	return r;
}

/* Reads a decimal integer at t->p into out (its digits). 0 or DBM_ERR_USAGE/NOMEM. */
static int toml_integer(struct toml *t, struct dbm_buf *out)
{
	const char *s = t->p;
	int r = 0, digits = 0, prev_digit = 0;

	if (*t->p == '+' || *t->p == '-') {
		if (*t->p == '-')
			r = dbm_buf_addc(out, '-');
		t->p++;
	}
	if (t->end - t->p > 1 && t->p[0] == '0' &&
	    (t->p[1] == 'x' || t->p[1] == 'o' || t->p[1] == 'b'))
		return toml_fail(t, "Write the number in decimal.",
		                 "hexadecimal, octal and binary numbers are not supported");
	while (r == 0 && t->p < t->end) {
		char c = *t->p;

		if (c >= '0' && c <= '9') {
			if (digits == 1 && out->len && dbm_buf_cstr(out)[out->len - 1] == '0' &&
			    (out->len == 1 || dbm_buf_cstr(out)[0] == '-'))
				return toml_fail(t, NULL,
				                 "leading zeros are not allowed in a number");
			r = dbm_buf_addc(out, c);
			digits++;
			prev_digit = 1;
		} else if (c == '_' && prev_digit && t->p + 1 < t->end && t->p[1] >= '0' &&
		           t->p[1] <= '9') {
			prev_digit = 0;
		} else {
			break;
		}
		t->p++;
	}
	if (r < 0)
		return r;
	if (t->p < t->end && (*t->p == '.' || *t->p == 'e' || *t->p == 'E' || *t->p == ':' ||
	                      (*t->p == '-' && digits == 4)))
		return toml_fail(t, "Quote the value: \"1.5\".",
		                 "floats, dates and times are not supported");
	if (!digits) {
		t->p = s;
		return toml_fail(t, NULL, "expected a number");
	}
	if (digits > 18)
		return toml_fail(t, NULL, "the number has more digits than a setting can hold");
	return 0;
}

/* Reads the value of key at t->p. Returns 0, DBM_ERR_USAGE or DBM_ERR_NOMEM. */
static int toml_value(struct toml *t, const char *key)
{
	struct dbm_buf v = DBM_BUF_INIT;
	unsigned line = t->line;
	int r;

	if (t->p >= t->end || *t->p == '\n' || *t->p == '\r' || *t->p == '#')
		return toml_fail(t, "Write key = \"value\".", "'%s': expected a value after '='",
		                 key);
	switch (*t->p) {
	case '"':
	case '\'':
		r = toml_string(t, &v);
		if (r == 0 && memchr(v.ptr ? v.ptr : "", '\0', v.len))
			r = toml_fail(t, NULL, "'%s': a value cannot hold a NUL character", key);
		if (r == 0)
			r = toml_put(t, key, dbm_buf_cstr(&v), line, DBM_KV_TEXT);
		break;
	case '[':
		r = toml_array(t, key);
		break;
	case '{':
		r = toml_inline(t, key);
		break;
	default:
		if ((size_t)(t->end - t->p) >= 4 && memcmp(t->p, "true", 4) == 0 &&
		    (t->end - t->p == 4 || !toml_bare_char(t->p[4]))) {
			t->p += 4;
			r = toml_put(t, key, "true", line, DBM_KV_BOOL);
		} else if ((size_t)(t->end - t->p) >= 5 && memcmp(t->p, "false", 5) == 0 &&
		           (t->end - t->p == 5 || !toml_bare_char(t->p[5]))) {
			t->p += 5;
			r = toml_put(t, key, "false", line, DBM_KV_BOOL);
		} else if (*t->p == '+' || *t->p == '-' || (*t->p >= '0' && *t->p <= '9')) {
			r = toml_integer(t, &v);
			if (r == 0)
				r = toml_put(t, key, dbm_buf_cstr(&v), line, DBM_KV_INT);
		} else {
			r = toml_fail(t, "Quote text values: key = \"value\".",
			              "'%s': expected a string, a number, true, false or an array",
			              key);
		}
		break;
	}
	dbm_buf_free(&v);
	return r;
}

/* Expects the end of the line (after white space and a comment). */
static int toml_eol(struct toml *t)
{
	toml_ws(t);
	toml_comment(t);
	if (t->p >= t->end)
		return 0;
	if (*t->p == '\n') {
		t->p++;
		t->line++;
		return 0;
	}
	if (t->p + 1 < t->end && t->p[0] == '\r' && t->p[1] == '\n') {
		t->p += 2;
		t->line++;
		return 0;
	}
	return toml_fail(t, "Put each setting on a line of its own.",
	                 "expected the end of the line, got '%c'", *t->p);
}

/* Reads a [table] header at t->p into table. 0, DBM_ERR_USAGE or DBM_ERR_NOMEM. */
static int toml_header(struct toml *t, struct dbm_buf *table)
{
	const struct dbm_kv *old;
	int r;

	if (t->end - t->p > 1 && t->p[1] == '[')
		return toml_fail(t, "Flyway's settings need no arrays of tables.",
		                 "arrays of tables ([[...]]) are not supported");
	t->p++;
	dbm_buf_clear(table);
	if ((r = toml_key(t, table)) < 0)
		return r;
	if (t->p >= t->end || *t->p != ']')
		return toml_fail(t, NULL, "expected ']' to close the table header");
	t->p++;
	if ((old = dbm_kvlist_get(&t->tables, dbm_buf_cstr(table))))
		return toml_fail(t, NULL, "table [%s] is defined twice (first on line %u)",
		                 dbm_buf_cstr(table), old->line);
	if (dbm_kvlist_get(t->out, dbm_buf_cstr(table)))
		return toml_fail(t, NULL, "[%s] names a key that already has a value",
		                 dbm_buf_cstr(table));
	return dbm_kvlist_add(&t->tables, dbm_buf_cstr(table), "", t->line, DBM_KV_TEXT);
}

int dbm_toml_parse(const char *text, size_t len, const char *file, struct dbm_kvlist *out)
{
	struct toml t;
	struct dbm_buf table = DBM_BUF_INIT, key = DBM_BUF_INIT;
	int r = 0;

	memset(&t, 0, sizeof(t));
	t.p = text;
	t.end = text + len;
	t.file = file;
	t.line = 1;
	t.out = out;
	if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0)
		t.p += 3;
	while (r == 0 && t.p < t.end) {
		toml_ws(&t);
		if (t.p >= t.end)
			break;
		if (*t.p == '[') {
			r = toml_header(&t, &table);
		} else if (*t.p != '#' && *t.p != '\n' && *t.p != '\r') {
			unsigned line = t.line;

			dbm_buf_clear(&key);
			if ((r = dbm_buf_add(&key, table.ptr ? table.ptr : "", table.len)) < 0 ||
			    (r = toml_key(&t, &key)) < 0)
				break;
			if (t.p >= t.end || *t.p != '=') {
				r = toml_fail(&t, "Write key = \"value\".",
				              "expected '=' after the key '%s'",
				              dbm_buf_cstr(&key));
				break;
			}
			t.p++;
			toml_ws(&t);
			if (dbm_kvlist_get(&t.tables, dbm_buf_cstr(&key))) {
				t.line = line;
				r = toml_fail(&t, NULL, "'%s' is already a table",
				              dbm_buf_cstr(&key));
				break;
			}
			r = toml_value(&t, dbm_buf_cstr(&key));
		}
		if (r == 0)
			r = toml_eol(&t);
	}
	dbm_buf_free(&table);
	dbm_buf_free(&key);
	dbm_kvlist_free(&t.tables);
	if (r < 0)
		dbm_kvlist_free(out);
	return r;
}
