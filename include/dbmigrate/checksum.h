/*
 * checksum.h - Flyway-compatible script checksums, streaming.
 *
 * Flyway decodes the file, drops one leading byte-order mark, reads it line
 * by line (so every '\r' and '\n' is dropped) and feeds the UTF-8 bytes of
 * each line to CRC-32; the result is stored as a signed 32-bit integer.
 * This module does the same over chunks of any size, and validates UTF-8
 * strictly as it goes (it reports the byte offset of the first bad byte).
 */
#ifndef DBM_CHECKSUM_H
#define DBM_CHECKSUM_H

#include <stddef.h>
#include <stdint.h>

struct dbm_checksum {
	unsigned long crc; /* zlib crc32 state */
	uint64_t offset;   /* bytes seen so far, counting the BOM */
	unsigned char pending[4];
	unsigned
	    pending_len; /* bytes of an incomplete UTF-8 sequence or possible BOM at a chunk end */
	int started;     /* the BOM check is done */
	uint64_t bad_offset; /* after a UTF-8 error: the 0-based offset of the first bad byte */
};

void dbm_checksum_init(struct dbm_checksum *c);
/*
 * Feeds bytes. Returns 0, or DBM_ERR_USAGE when the bytes are not valid
 * UTF-8, with the error message "invalid UTF-8 at byte offset N" (0-based
 * offset in the file) and no file set (the caller names it).
 */
int dbm_checksum_update(struct dbm_checksum *c, const char *data, size_t len);
/* Ends the input: DBM_ERR_USAGE if it ends inside a UTF-8 sequence; else 0 and *out. */
int dbm_checksum_final(struct dbm_checksum *c, int32_t *out);
/* The whole computation for a string in memory (tests, repeatables after replacement). */
int dbm_checksum_string(const char *data, size_t len, int32_t *out);

#endif /* DBM_CHECKSUM_H */
