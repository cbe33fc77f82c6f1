/*
 * clean.c - dropping every object of the managed schema through the
 * driver (runner.h): what `clean` runs, what its --dry-run prints, and
 * how `diff` empties a shadow database.
 */
#include "runner/runner.h"

int dbm_session_clean(struct dbm_session *s, const char *schema, struct dbm_buf *script)
{
	if (script) {
		if (!s->driver->clean_script)
			return dbm_error_set(DBM_ERR_USAGE,
			                     "the %s driver cannot print what clean drops",
			                     s->driver->name);
		return s->driver->clean_script(s->conn, schema, script);
	}
	if (!s->driver->clean)
		return dbm_error_set(DBM_ERR_USAGE, "the %s driver cannot clean", s->driver->name);
	return s->driver->clean(s->conn, schema);
}
