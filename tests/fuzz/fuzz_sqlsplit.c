/*
 * fuzz_sqlsplit.c - libFuzzer entry point for the SQL splitter (sqlsplit.c).
 *
 * Splits the input in each dialect twice: whole, and fed in chunks whose
 * sizes (1 to 64 bytes) come from a generator seeded by the input. Both runs
 * must hand out the same statements (text, line, index, flags, COPY data)
 * and end with the same result and error; anything else aborts. Each
 * statement must also be NUL-terminated at its length and start with a
 * non-blank byte.
 *
 * Build: clang -fsanitize=fuzzer,address -Iinclude src/core/(all .c)
 *        tests/fuzz/fuzz_sqlsplit.c -lyaml -lz
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dbmigrate/common.h"
#include "dbmigrate/sqlsplit.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct fuzz_run {
	uint64_t hash;
	unsigned count;
};

static void fuzz_mix(uint64_t *h, const void *p, size_t n)
{
	const unsigned char *b = p;
	size_t i;

	for (i = 0; i < n; i++) {
		*h ^= b[i];
		*h *= 1099511628211ull;
	}
}

static int fuzz_cb(void *ctx, const struct dbm_stmt *st)
{
	struct fuzz_run *r = ctx;

	if (st->index != ++r->count || st->sql[st->len] != '\0' || st->len == 0 ||
	    st->sql[0] == ' ' || st->sql[0] == '\n' || st->line == 0)
		abort();
	if (!!(st->flags & DBM_STMT_COPY_IN) != !!st->copy_data)
		abort();
	fuzz_mix(&r->hash, &st->line, sizeof(st->line));
	fuzz_mix(&r->hash, &st->flags, sizeof(st->flags));
	fuzz_mix(&r->hash, st->sql, st->len + 1);
	if (st->copy_data) {
		fuzz_mix(&r->hash, &st->copy_len, sizeof(st->copy_len));
		fuzz_mix(&r->hash, st->copy_data, st->copy_len);
	}
	return 0;
}

static void fuzz_error(struct fuzz_run *r, int rc)
{
	const struct dbm_error *e = dbm_error_last();

	fuzz_mix(&r->hash, &rc, sizeof(rc));
	if (rc) {
		fuzz_mix(&r->hash, e->message, strlen(e->message));
		fuzz_mix(&r->hash, &e->line, sizeof(e->line));
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *sql = (const char *)data;
	int d;

	for (d = DBM_DIALECT_SQLITE; d <= DBM_DIALECT_MYSQL; d++) {
		struct fuzz_run whole = {1469598103934665603ull, 0};
		struct fuzz_run chunked = {1469598103934665603ull, 0};
		struct dbm_splitter *s;
		uint32_t seed = 2166136261u ^ (uint32_t)size;
		size_t off = 0;
		int rc;

		rc = dbm_split_string((enum dbm_dialect)d, sql, size, fuzz_cb, &whole);
		fuzz_error(&whole, rc);

		s = dbm_splitter_new((enum dbm_dialect)d, fuzz_cb, &chunked);
		if (!s)
			abort();
		rc = 0;
		while (!rc && off < size) {
			size_t n;

			seed = seed * 1103515245u + 12345u;
			n = 1 + (seed >> 16) % 64;
			if (n > size - off)
				n = size - off;
			rc = dbm_splitter_feed(s, sql + off, n);
			off += n;
		}
		if (!rc)
			rc = dbm_splitter_finish(s);
		fuzz_error(&chunked, rc);
		dbm_splitter_free(s);

		if (whole.hash != chunked.hash || whole.count != chunked.count)
			abort();
	}
	return 0;
}
