/*
 * fuzz_placeholder.c - libFuzzer entry point for the placeholder replacer
 * (placeholder.c) and the URL redaction (url.c).
 *
 * The input's lines before the first empty line are "key=value" settings;
 * the rest is text, replaced line by line. Text without "${" must come out
 * unchanged; a replaced line must not keep the "${key}" of a key that has a
 * value. The whole input is also redacted as a URL, which must never fail.
 * Anything else aborts.
 *
 * Build and run: scripts/fuzz.sh (see docs/reliability.md).
 */
#define _GNU_SOURCE /* memmem */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dbmigrate/common.h"
#include "dbmigrate/config.h"
#include "dbmigrate/placeholder.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dbm_placeholders ph = DBM_PLACEHOLDERS_INIT;
	struct dbm_buf out = DBM_BUF_INIT;
	char *buf = malloc(size + 1);
	char *p, *text;

	if (!buf)
		return 0;
	memcpy(buf, data, size);
	buf[size] = '\0';
	/* settings: NUL-terminated lines until an empty one */
	p = buf;
	text = NULL;
	while (*p) {
		char *nl = strchr(p, '\n');
		char *eq;

		if (!nl)
			break;
		*nl = '\0';
		if (!*p) {
			text = nl + 1;
			break;
		}
		eq = strchr(p, '=');
		if (eq) {
			*eq = '\0';
			if (dbm_placeholders_set(&ph, p, eq + 1) != 0)
				abort();
		}
		p = nl + 1;
	}
	if (text) {
		size_t len = size - (size_t)(text - buf);
		size_t off = 0;

		while (off < len) {
			const char *line = text + off;
			const char *nl = memchr(line, '\n', len - off);
			size_t n = nl ? (size_t)(nl - line) + 1 : len - off;
			int r;

			dbm_buf_clear(&out);
			r = dbm_placeholders_apply(&ph, line, n, &out);
			if (r == 0 && !memmem(line, n, "${", 2) &&
			    (out.len != n || (n && memcmp(out.ptr, line, n) != 0)))
				abort();
			if (r != 0 && r != DBM_ERR_USAGE)
				abort();
			off += n;
		}
	}
	dbm_buf_clear(&out);
	/* the URL redaction: the raw input (up to its first NUL) as a URL */
	memcpy(buf, data, size);
	buf[size] = '\0';
	if (dbm_url_redact(buf, &out) != 0)
		abort();
	dbm_buf_free(&out);
	dbm_placeholders_free(&ph);
	free(buf);
	return 0;
}
