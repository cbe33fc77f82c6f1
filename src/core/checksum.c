/*
 * checksum.c - Flyway-compatible script checksums over a stream (checksum.h).
 *
 * Flyway reads a script line by line, drops a byte-order mark at the start
 * of the first line and feeds the UTF-8 bytes of every line, without its
 * line terminator, to CRC-32. Concatenating the lines is the same as
 * removing every '\r' and '\n', which is what this module does over chunks
 * of any size, so a file is never held in memory. It also checks the bytes
 * are strict UTF-8 (no overlong forms, no surrogates, nothing above
 * U+10FFFF, no truncated sequences) and reports the 0-based file offset of
 * the first byte of the first sequence that is not. Called by source.c for
 * every migration file and by tests directly.
 */
#include <string.h>
#include <zlib.h>

#include "dbmigrate/checksum.h"
#include "dbmigrate/common.h"

static const unsigned char checksum_bom[3] = {0xEF, 0xBB, 0xBF};

/* Length of the UTF-8 sequence lead byte b starts: 1-4, or 0 when b cannot start one. */
static unsigned checksum_seq_len(unsigned char b)
{
	if (b < 0x80)
		return 1;
	if (b >= 0xC2 && b <= 0xDF)
		return 2;
	if (b >= 0xE0 && b <= 0xEF)
		return 3;
	if (b >= 0xF0 && b <= 0xF4)
		return 4;
	return 0;
}

/*
 * 1 when b may be byte k (1-based after the lead) of a sequence that starts
 * with lead; the narrower ranges of the second byte rule out overlong forms,
 * surrogates and code points above U+10FFFF.
 */
static int checksum_cont_ok(unsigned char lead, unsigned k, unsigned char b)
{
	unsigned char lo = 0x80, hi = 0xBF;

	if (k == 1) {
		if (lead == 0xE0)
			lo = 0xA0;
		else if (lead == 0xED)
			hi = 0x9F;
		else if (lead == 0xF0)
			lo = 0x90;
		else if (lead == 0xF4)
			hi = 0x8F;
	}
	return b >= lo && b <= hi;
}

static int checksum_bad(struct dbm_checksum *c, uint64_t offset)
{
	c->bad_offset = offset;
	return dbm_error_set(DBM_ERR_USAGE, "invalid UTF-8 at byte offset %llu",
	                     (unsigned long long)offset);
}

/* zlib's crc32 takes an unsigned int length; feed big spans in pieces. */
static void checksum_crc(struct dbm_checksum *c, const unsigned char *p, size_t n)
{
	while (n > 0) {
		uInt part = n > 0x40000000u ? 0x40000000u : (uInt)n;

		c->crc = crc32(c->crc, p, part);
		p += part;
		n -= part;
	}
}

/*
 * Text between line ends is gathered here and hashed in blocks: zlib's
 * crc32 is several times slower on the short spans of typical SQL lines.
 */
struct checksum_stage {
	unsigned char buf[16384];
	size_t len;
};

static void checksum_stage_flush(struct dbm_checksum *c, struct checksum_stage *st)
{
	checksum_crc(c, st->buf, st->len);
	st->len = 0;
}

static void checksum_stage_add(struct dbm_checksum *c, struct checksum_stage *st,
                               const unsigned char *p, size_t n)
{
	if (n > sizeof(st->buf) - st->len) {
		checksum_stage_flush(c, st);
		if (n >= sizeof(st->buf) / 2) {
			checksum_crc(c, p, n);
			return;
		}
	}
	memcpy(st->buf + st->len, p, n);
	st->len += n;
}

/* 1 when one of the 8 bytes of w is zero (the classic bit trick). */
static int checksum_has_zero(uint64_t w)
{
	return ((w - 0x0101010101010101ull) & ~w & 0x8080808080808080ull) != 0;
}

/* 1 when the 8 bytes at p are ASCII and none is '\r' or '\n'. */
static int checksum_plain8(const unsigned char *p)
{
	uint64_t w;

	memcpy(&w, p, sizeof(w));
	if (w & 0x8080808080808080ull)
		return 0;
	return !checksum_has_zero(w ^ 0x0A0A0A0A0A0A0A0Aull) &&
	       !checksum_has_zero(w ^ 0x0D0D0D0D0D0D0D0Dull);
}

/*
 * Validates and hashes d[0..n), whose first byte is at file offset base,
 * after the BOM stage. An incomplete sequence at the end is kept in
 * c->pending for the next call. Returns 0 or DBM_ERR_USAGE (error set).
 */
static int checksum_feed(struct dbm_checksum *c, const unsigned char *d, size_t n, uint64_t base)
{
	struct checksum_stage st;
	size_t i = 0, seg;

	st.len = 0;
	if (c->pending_len > 0) {
		unsigned need = checksum_seq_len(c->pending[0]);

		while (c->pending_len < need && i < n) {
			if (!checksum_cont_ok(c->pending[0], c->pending_len, d[i]))
				return checksum_bad(c, base + i - c->pending_len);
			c->pending[c->pending_len++] = d[i++];
		}
		if (c->pending_len < need)
			return 0;
		checksum_crc(c, c->pending, need);
		c->pending_len = 0;
	}
	seg = i;
	while (i < n) {
		unsigned need, k;

		if (i + 8 <= n && checksum_plain8(d + i)) {
			i += 8;
			continue;
		}
		if (d[i] < 0x80) {
			if (d[i] == '\n' || d[i] == '\r') {
				checksum_stage_add(c, &st, d + seg, i - seg);
				seg = i + 1;
			}
			i++;
			continue;
		}
		need = checksum_seq_len(d[i]);
		if (need == 0)
			return checksum_bad(c, base + i);
		for (k = 1; k < need; k++) {
			if (i + k >= n) {
				checksum_stage_add(c, &st, d + seg, i - seg);
				checksum_stage_flush(c, &st);
				memcpy(c->pending, d + i, n - i);
				c->pending_len = (unsigned)(n - i);
				return 0;
			}
			if (!checksum_cont_ok(d[i], k, d[i + k]))
				return checksum_bad(c, base + i);
		}
		i += need;
	}
	checksum_stage_add(c, &st, d + seg, n - seg);
	checksum_stage_flush(c, &st);
	return 0;
}

void dbm_checksum_init(struct dbm_checksum *c)
{
	memset(c, 0, sizeof(*c));
	c->crc = crc32(0L, Z_NULL, 0);
}

/*
 * Ends the BOM stage: drops the bytes held in pending when they are the
 * BOM, else hashes them as the start of the text. Returns as checksum_feed.
 */
static int checksum_start(struct dbm_checksum *c)
{
	unsigned char head[3];
	size_t n = c->pending_len;

	c->started = 1;
	c->pending_len = 0;
	if (n == sizeof(checksum_bom) && memcmp(c->pending, checksum_bom, n) == 0)
		return 0;
	memcpy(head, c->pending, n);
	return checksum_feed(c, head, n, 0);
}

/* Returns 0, or DBM_ERR_USAGE with "invalid UTF-8 at byte offset N". */
int dbm_checksum_update(struct dbm_checksum *c, const char *data, size_t len)
{
	const unsigned char *d = (const unsigned char *)data;
	uint64_t base = c->offset;
	size_t used = 0;
	int r;

	c->offset += len;
	if (!c->started) {
		while (c->pending_len < sizeof(checksum_bom) && used < len &&
		       d[used] == checksum_bom[c->pending_len])
			c->pending[c->pending_len++] = d[used++];
		if (c->pending_len < sizeof(checksum_bom) && used == len)
			return 0; /* still a possible BOM */
		r = checksum_start(c);
		if (r < 0)
			return r;
	}
	return checksum_feed(c, d + used, len - used, base + used);
}

/* Returns 0 and *out, or DBM_ERR_USAGE when the text ends inside a sequence. */
int dbm_checksum_final(struct dbm_checksum *c, int32_t *out)
{
	uint32_t v;
	int r;

	if (!c->started) {
		r = checksum_start(c);
		if (r < 0)
			return r;
	}
	if (c->pending_len > 0)
		return checksum_bad(c, c->offset - c->pending_len);
	v = (uint32_t)c->crc;
	*out = v > INT32_MAX ? (int32_t)(v - 0x80000000u) + INT32_MIN : (int32_t)v;
	return 0;
}

/* Returns as dbm_checksum_final. */
int dbm_checksum_string(const char *data, size_t len, int32_t *out)
{
	struct dbm_checksum c;
	int r;

	dbm_checksum_init(&c);
	r = dbm_checksum_update(&c, data, len);
	if (r < 0)
		return r;
	return dbm_checksum_final(&c, out);
}
