/*
 * sha256.c - SHA-256 of a string in memory, as hex: the digest of a schema
 * snapshot (schema.h), computed by OpenSSL's libcrypto (EVP_Digest), the
 * library Debian's libpq already brings. Pure; every module may call it.
 */
#include <stdio.h>

#include <openssl/evp.h>

#include "dbmigrate/common.h"
#include "dbmigrate/schema.h"

int dbm_sha256_hex(const char *data, size_t len, char out[65])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0, i;

	out[0] = '\0';
	if (EVP_Digest(data, len, md, &mdlen, EVP_sha256(), NULL) != 1 || mdlen != 32)
		return dbm_error_oom();
	for (i = 0; i < mdlen; i++)
		snprintf(out + 2 * i, 3, "%02x", md[i]);
	return 0;
}
