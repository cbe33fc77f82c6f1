/*
 * fuzz_props.c - libFuzzer entry point for the Java properties reader
 * (props.c) and the jdbc: URL mapping (jdbc.c).
 *
 * The input is read as flyway.conf. On success every entry must have a
 * key and a value and a line within the input; on failure the list must be
 * empty and the error must name the file and a line. Every value is then
 * mapped as a Flyway url with a user and password; a mapped URL must not
 * hold the password as written (it has characters that percent-encoding
 * changes) unless the URL itself held it. Anything else aborts.
 *
 * Build and run: scripts/fuzz.sh props (see docs/reliability.md).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dbmigrate/common.h"
#include "dbmigrate/config.h"
#include "dbmigrate/kvfile.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dbm_kvlist l = DBM_KVLIST_INIT;
	unsigned lines = 1;
	size_t i;

	for (i = 0; i < size; i++)
		lines += data[i] == '\n' || data[i] == '\r';
	if (dbm_props_parse((const char *)data, size, "flyway.conf", &l) < 0) {
		const struct dbm_error *e = dbm_error_last();

		if (l.n || l.items ||
		    (e->klass == DBM_ERR_USAGE &&
		     (strcmp(e->file, "flyway.conf") != 0 || e->line < 1 || e->line > lines)))
			abort();
		return 0;
	}
	for (i = 0; i < l.n; i++) {
		struct dbm_buf out = DBM_BUF_INIT;
		char *schema = NULL;

		if (!l.items[i].key || !l.items[i].value || l.items[i].line < 1 ||
		    l.items[i].line > lines)
			abort();
		if (dbm_jdbc_url(l.items[i].value, "user", "p@ss word", &out, &schema) == 0 &&
		    strncmp(l.items[i].value, "jdbc:", 5) == 0 &&
		    !strstr(l.items[i].value, "p@ss") && strstr(dbm_buf_cstr(&out), "p@ss word"))
			abort();
		dbm_buf_free(&out);
		dbm_free(schema);
	}
	dbm_kvlist_free(&l);
	return 0;
}
