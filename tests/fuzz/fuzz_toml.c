/*
 * fuzz_toml.c - libFuzzer entry point for the TOML reader (toml.c).
 *
 * The input is read as flyway.toml. On success every entry must have a
 * key and a value, a line within the input, and no key may be given
 * twice; on failure the list must be empty and the error must name the
 * file and a line within the input. Anything else aborts.
 *
 * Build and run: scripts/fuzz.sh toml (see docs/reliability.md).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dbmigrate/common.h"
#include "dbmigrate/kvfile.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dbm_kvlist l = DBM_KVLIST_INIT;
	unsigned lines = 1;
	size_t i;

	for (i = 0; i < size; i++)
		lines += data[i] == '\n';
	if (dbm_toml_parse((const char *)data, size, "flyway.toml", &l) < 0) {
		const struct dbm_error *e = dbm_error_last();

		if (l.n || l.items ||
		    (e->klass == DBM_ERR_USAGE &&
		     (strcmp(e->file, "flyway.toml") != 0 || e->line < 1 || e->line > lines)))
			abort();
		return 0;
	}
	for (i = 0; i < l.n; i++) {
		if (!l.items[i].key || !l.items[i].value || l.items[i].line < 1 ||
		    l.items[i].line > lines)
			abort();
		if (dbm_kvlist_get(&l, l.items[i].key) != &l.items[i])
			abort(); /* the same key twice */
	}
	dbm_kvlist_free(&l);
	return 0;
}
