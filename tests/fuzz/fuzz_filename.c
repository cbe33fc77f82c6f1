/*
 * fuzz_filename.c - libFuzzer entry point for migration file names and
 * versions (filename.c's dbm_parse_filename, version.c) and callback names
 * (callbackname.c).
 *
 * The input up to its first newline is parsed as a file name; when it is a
 * migration, its version must be valid and equal to itself. The input is
 * also read as two candidate versions (split at the first newline): a
 * normalized version must be valid and compare equal to its source, and
 * comparing two valid versions must be antisymmetric. Anything else aborts.
 *
 * Build and run: scripts/fuzz.sh (see docs/reliability.md).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dbmigrate/common.h"
#include "dbmigrate/scan.h"
#include "dbmigrate/version.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int fuzz_sign(int v)
{
	return (v > 0) - (v < 0);
}

/* Normalizes s; when it is a version, checks the result. Returns the copy or NULL. */
static char *fuzz_normalize(const char *s)
{
	char *norm = NULL;

	if (dbm_version_normalize(s, strlen(s), &norm) != 0)
		return NULL;
	if (!dbm_version_valid(norm) || dbm_version_cmp(s, norm) != 0 ||
	    dbm_version_cmp(norm, norm) != 0)
		abort();
	return norm;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf = malloc(size + 1);
	char *second, *va, *vb;
	enum dbm_file_kind kind;
	char *version = NULL, *description = NULL;

	if (!buf)
		return 0;
	memcpy(buf, data, size);
	buf[size] = '\0';
	second = strchr(buf, '\n');
	if (second)
		*second++ = '\0';
	if (dbm_parse_filename(buf, &kind, &version, &description) == 0) {
		if (!description)
			abort();
		if (version && (!dbm_version_valid(version) || dbm_version_cmp(version, version)))
			abort();
	}
	dbm_free(version);
	dbm_free(description);
	description = NULL;
	{
		/* a callback's name has an event; a near miss's spelling is a callback's */
		char suggest[256], again[256];
		int ev,
		    c = dbm_parse_callback_name(buf, &ev, &description, suggest, sizeof(suggest));

		if (c == 1 && (!description || !dbm_event_name(ev)))
			abort();
		dbm_free(description);
		description = NULL;
		if (c == DBM_ERR_USAGE && strlen(suggest) + 1 < sizeof(suggest)) {
			if (dbm_parse_callback_name(suggest, &ev, &description, again,
			                            sizeof(again)) != 1)
				abort();
			dbm_free(description);
		}
	}
	va = fuzz_normalize(buf);
	vb = second ? fuzz_normalize(second) : NULL;
	if (va && vb && fuzz_sign(dbm_version_cmp(va, vb)) != -fuzz_sign(dbm_version_cmp(vb, va)))
		abort();
	dbm_free(va);
	dbm_free(vb);
	free(buf);
	return 0;
}
