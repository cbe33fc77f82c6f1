/*
 * buf.c - growable NUL-terminated strings (common.h), after git's strbuf.
 */
#include <stdio.h>
#include <string.h>

#include "dbmigrate/common.h"

int dbm_buf_grow(struct dbm_buf *b, size_t extra)
{
	size_t want = b->len + extra + 1;
	size_t cap;
	char *p;

	if (want <= b->cap)
		return 0;
	if (want < b->len) /* overflow */
		return dbm_error_oom();
	cap = b->cap ? b->cap : 64;
	while (cap < want)
		cap = cap * 2 > cap ? cap * 2 : want;
	p = dbm_realloc(b->ptr, cap);
	if (!p)
		return dbm_error_oom();
	b->ptr = p;
	b->cap = cap;
	return 0;
}

int dbm_buf_add(struct dbm_buf *b, const char *data, size_t len)
{
	if (dbm_buf_grow(b, len) < 0)
		return DBM_ERR_NOMEM;
	if (len)
		memcpy(b->ptr + b->len, data, len);
	b->len += len;
	b->ptr[b->len] = '\0';
	return 0;
}

int dbm_buf_adds(struct dbm_buf *b, const char *s)
{
	return dbm_buf_add(b, s, strlen(s));
}

int dbm_buf_addc(struct dbm_buf *b, char c)
{
	return dbm_buf_add(b, &c, 1);
}

int dbm_buf_vaddf(struct dbm_buf *b, const char *fmt, va_list ap)
{
	va_list cp;
	int n;

	va_copy(cp, ap);
	n = vsnprintf(NULL, 0, fmt, cp);
	va_end(cp);
	if (n < 0)
		return dbm_error_set(DBM_ERR_RUN, "cannot format text");
	if (dbm_buf_grow(b, (size_t)n) < 0)
		return DBM_ERR_NOMEM;
	vsnprintf(b->ptr + b->len, (size_t)n + 1, fmt, ap);
	b->len += (size_t)n;
	return 0;
}

int dbm_buf_addf(struct dbm_buf *b, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = dbm_buf_vaddf(b, fmt, ap);
	va_end(ap);
	return r;
}

void dbm_buf_clear(struct dbm_buf *b)
{
	b->len = 0;
	if (b->ptr)
		b->ptr[0] = '\0';
}

void dbm_buf_free(struct dbm_buf *b)
{
	dbm_free(b->ptr);
	b->ptr = NULL;
	b->len = b->cap = 0;
}

const char *dbm_buf_cstr(const struct dbm_buf *b)
{
	return b->ptr ? b->ptr : "";
}

char *dbm_buf_detach(struct dbm_buf *b)
{
	char *p = b->ptr;

	b->ptr = NULL;
	b->len = b->cap = 0;
	return p;
}

int dbm_buf_add_utf8(struct dbm_buf *b, unsigned long cp)
{
	char u[4];
	size_t n;

	if (cp < 0x80) {
		u[0] = (char)cp;
		n = 1;
	} else if (cp < 0x800) {
		u[0] = (char)(0xC0 | (cp >> 6));
		u[1] = (char)(0x80 | (cp & 0x3F));
		n = 2;
	} else if (cp < 0x10000) {
		u[0] = (char)(0xE0 | (cp >> 12));
		u[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
		u[2] = (char)(0x80 | (cp & 0x3F));
		n = 3;
	} else {
		u[0] = (char)(0xF0 | (cp >> 18));
		u[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
		u[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
		u[3] = (char)(0x80 | (cp & 0x3F));
		n = 4;
	}
	return dbm_buf_add(b, u, n);
}

int dbm_hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}
