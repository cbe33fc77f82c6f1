/*
 * props.c - Java properties files, as java.util.Properties.load reads them
 * (kvfile.h); flyway.conf is one. Also the entry list both Flyway formats
 * fill.
 *
 * A logical line is one or more natural lines: a line that ends in an odd
 * number of backslashes goes on with the next one, whose leading white
 * space is dropped. A logical line that starts (after white space) with
 * '#' or '!' is a comment; a blank one is skipped. The key runs to the
 * first '=', ':' or white space that is not escaped; then white space, at
 * most one '=' or ':', and white space again are skipped, and the rest is
 * the value, trailing white space included (as Java keeps it). In keys and
 * values "\t", "\n", "\r", "\f" and "\uXXXX" (UTF-16, written out as UTF-8)
 * are escapes and a backslash before any other character stands for that
 * character. Java reads the file as ISO-8859-1; Flyway reads it as UTF-8,
 * and so do we: bytes other than escapes are kept as they are.
 */
#include <string.h>

#include "dbmigrate/common.h"
#include "dbmigrate/kvfile.h"

int dbm_kvlist_add(struct dbm_kvlist *l, const char *key, const char *value, unsigned line,
                   enum dbm_kv_type type)
{
	struct dbm_kv *kv;

	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 16;
		struct dbm_kv *items = dbm_realloc(l->items, cap * sizeof(*items));

		if (!items)
			return dbm_error_oom();
		l->items = items;
		l->cap = cap;
	}
	kv = &l->items[l->n];
	kv->key = dbm_strdup(key);
	kv->value = dbm_strdup(value);
	if (!kv->key || !kv->value) {
		dbm_free(kv->key);
		dbm_free(kv->value);
		return dbm_error_oom();
	}
	kv->line = line;
	kv->type = type;
	l->n++;
	return 0;
}

const struct dbm_kv *dbm_kvlist_get(const struct dbm_kvlist *l, const char *key)
{
	size_t i = l->n;

	while (i-- > 0)
		if (strcmp(l->items[i].key, key) == 0)
			return &l->items[i];
	return NULL;
}

void dbm_kvlist_free(struct dbm_kvlist *l)
{
	size_t i;

	for (i = 0; i < l->n; i++) {
		dbm_free(l->items[i].key);
		dbm_free(l->items[i].value);
	}
	dbm_free(l->items);
	l->items = NULL;
	l->n = l->cap = 0;
}

static int props_is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\f';
}

/* The 4 hex digits at s[0..4) (within end) as a number, or -1. */
static long props_u4(const char *s, const char *end)
{
	long v = 0;
	int i;

	if (end - s < 4)
		return -1;
	for (i = 0; i < 4; i++) {
		int h = dbm_hex_digit(s[i]);

		if (h < 0)
			return -1;
		v = v * 16 + h;
	}
	return v;
}

/*
 * Appends s[0..len) to out with its escapes resolved. Returns 0,
 * DBM_ERR_USAGE (malformed \u escape or lone surrogate, at file:line) or
 * DBM_ERR_NOMEM.
 */
static int props_unescape(const char *s, size_t len, const char *file, unsigned line,
                          struct dbm_buf *out)
{
	const char *p = s, *end = s + len;
	int r = 0;

	while (r == 0 && p < end) {
		long cp, lo;

		if (*p != '\\') {
			r = dbm_buf_addc(out, *p++);
			continue;
		}
		if (++p == end)
			break; /* a backslash at the very end stands for nothing */
		switch (*p) {
		case 't':
			r = dbm_buf_addc(out, '\t');
			break;
		case 'n':
			r = dbm_buf_addc(out, '\n');
			break;
		case 'r':
			r = dbm_buf_addc(out, '\r');
			break;
		case 'f':
			r = dbm_buf_addc(out, '\f');
			break;
		case 'u':
			if ((cp = props_u4(p + 1, end)) < 0)
				goto bad_u;
			p += 4;
			if (cp >= 0xDC00 && cp <= 0xDFFF)
				goto bad_surrogate;
			if (cp >= 0xD800 && cp <= 0xDBFF) {
				if (end - p < 7 || p[1] != '\\' || p[2] != 'u' ||
				    (lo = props_u4(p + 3, end)) < 0xDC00 || lo > 0xDFFF)
					goto bad_surrogate;
				cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
				p += 6;
			}
			r = dbm_buf_add_utf8(out, (unsigned long)cp);
			break;
		default:
			r = dbm_buf_addc(out, *p);
			break;
		}
		p++;
	}
	return r;
bad_u:
	dbm_error_set(DBM_ERR_USAGE,
	              "malformed \\uXXXX escape: expected four hex digits after \\u");
	dbm_error_set_where(file, line);
	dbm_error_set_hint("Write a backslash as \\\\, or a character as \\u followed by its four "
	                   "hex digits (\\u00e9 for e-acute).");
	return DBM_ERR_USAGE;
bad_surrogate:
	dbm_error_set(DBM_ERR_USAGE,
	              "\\u escape is half of a UTF-16 surrogate pair without its other half");
	dbm_error_set_where(file, line);
	dbm_error_set_hint("Write the character itself in UTF-8, or both halves: \\uD83D\\uDE00.");
	return DBM_ERR_USAGE;
}

/*
 * Splits one logical line (escapes still in it) into key and value and
 * adds them. Returns 0, DBM_ERR_USAGE or DBM_ERR_NOMEM.
 */
static int props_entry(const char *s, size_t len, const char *file, unsigned line,
                       struct dbm_kvlist *out)
{
	struct dbm_buf key = DBM_BUF_INIT, val = DBM_BUF_INIT;
	size_t k = 0, v;
	int r;

	while (k < len) {
		if (s[k] == '\\') {
			k += 2;
			continue;
		}
		if (s[k] == '=' || s[k] == ':' || props_is_space(s[k]))
			break;
		k++;
	}
	if (k > len)
		k = len;
	v = k;
	while (v < len && props_is_space(s[v]))
		v++;
	if (v < len && (s[v] == '=' || s[v] == ':'))
		v++;
	while (v < len && props_is_space(s[v]))
		v++;
	r = props_unescape(s, k, file, line, &key);
	if (r == 0)
		r = props_unescape(s + v, len - v, file, line, &val);
	if (r == 0)
		r = dbm_kvlist_add(out, dbm_buf_cstr(&key), dbm_buf_cstr(&val), line, DBM_KV_TEXT);
	dbm_buf_free(&key);
	dbm_buf_free(&val);
	return r;
}

int dbm_props_parse(const char *text, size_t len, const char *file, struct dbm_kvlist *out)
{
	struct dbm_buf logical = DBM_BUF_INIT;
	const char *p = text, *end = text + len;
	unsigned line = 1, start_line = 0;
	int r = 0, going_on = 0;

	while (r == 0 && p < end) {
		const char *nl = p, *eol;
		size_t nback = 0;

		while (nl < end && *nl != '\n' && *nl != '\r')
			nl++;
		eol = nl;
		while (p < eol && props_is_space(*p))
			p++;
		if (!going_on) {
			start_line = line;
			if (p == eol || *p == '#' || *p == '!')
				goto next;
		}
		while (nback < (size_t)(eol - p) && eol[-1 - (ptrdiff_t)nback] == '\\')
			nback++;
		if (nback % 2) {
			r = dbm_buf_add(&logical, p, (size_t)(eol - p) - 1);
			going_on = 1;
		} else {
			r = dbm_buf_add(&logical, p, (size_t)(eol - p));
			going_on = 0;
		}
		if (r == 0 && !going_on) {
			r = props_entry(logical.ptr ? logical.ptr : "", logical.len, file,
			                start_line, out);
			dbm_buf_clear(&logical);
		}
	next:
		p = eol;
		if (p < end && *p == '\r' && ++p < end && *p == '\n')
			p++;
		else if (p < end && *p == '\n')
			p++;
		line++;
	}
	if (r == 0 && going_on)
		r = props_entry(logical.ptr ? logical.ptr : "", logical.len, file, start_line, out);
	dbm_buf_free(&logical);
	if (r < 0)
		dbm_kvlist_free(out);
	return r;
}
