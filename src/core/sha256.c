/*
 * sha256.c - SHA-256 as hex: the digest of a schema snapshot (schema.h),
 * of a string in memory or fed piece by piece, computed by Nettle. Pure;
 * every module may call it. Nettle rather than OpenSSL's libcrypto: OpenSSL 3
 * reads its configuration and starts its default provider on the first
 * digest, about 2 MiB of resident memory for 64 bytes of state; Nettle's
 * sha256 functions are plain functions over a context (docs/decisions.md).
 */
#include <stdio.h>

#include "dbmigrate/schema.h"

void dbm_sha256_init(struct dbm_sha256 *c)
{
	sha256_init(&c->ctx);
}

void dbm_sha256_update(struct dbm_sha256 *c, const void *data, size_t len)
{
	sha256_update(&c->ctx, len, data);
}

void dbm_sha256_final_hex(struct dbm_sha256 *c, char out[65])
{
	uint8_t md[SHA256_DIGEST_SIZE];
	size_t i;

	sha256_digest(&c->ctx, sizeof(md), md);
	for (i = 0; i < sizeof(md); i++)
		snprintf(out + 2 * i, 3, "%02x", md[i]);
}

int dbm_sha256_hex(const char *data, size_t len, char out[65])
{
	struct dbm_sha256 c;

	dbm_sha256_init(&c);
	dbm_sha256_update(&c, data, len);
	dbm_sha256_final_hex(&c, out);
	return 0;
}
