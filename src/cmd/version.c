/*
 * version.c - the program's version and the drivers compiled in, with
 * their client library versions. Reads no configuration and connects to
 * nothing, so it answers in a millisecond.
 */
#include <stdio.h>
#include <string.h>

#include "cmd/cmd.h"
#include "dbmigrate/driver.h"
#include "output/output.h"

int dbm_cmd_version(const struct dbm_config *cfg, const struct dbm_cmd_args *a)
{
	json_t *doc = dbm_out_is_json() ? json_object() : NULL;
	json_t *list = doc ? json_array() : NULL;
	struct dbm_buf v = DBM_BUF_INIT;
	size_t i;

	(void)cfg;
	(void)a;
	dbm_out_text("dbmigrate %s\ndrivers:\n", DBM_VERSION_STRING);
	for (i = 0; dbm_drivers[i]; i++) {
		const struct dbm_driver *d = dbm_drivers[i];

		dbm_buf_clear(&v);
		if (d->client_version(&v) < 0) {
			dbm_buf_free(&v);
			json_decref(doc);
			json_decref(list);
			return DBM_ERR_NOMEM;
		}
		dbm_out_text("  %-11s %s (%s:)\n", d->name, v.ptr, d->schemes[0]);
		if (list) {
			json_t *o = json_object();

			json_t *schemes = json_array();
			const char *sp = strchr(v.ptr, ' ');
			size_t k;
			/* "libpq 15.4"; "libpq (not installed)" when the library cannot be loaded
			 */
			int loaded = sp && sp[1] != '(';

			for (k = 0; d->schemes[k]; k++)
				json_array_append_new(schemes, json_string(d->schemes[k]));
			json_object_set_new(o, "name", json_string(d->name));
			json_object_set_new(o, "schemes", schemes);
			json_object_set_new(o, "client", json_string(v.ptr));
			json_object_set_new(o, "library",
			                    json_stringn(v.ptr, sp ? (size_t)(sp - v.ptr) : v.len));
			json_object_set_new(o, "libraryVersion",
			                    loaded ? json_string(sp + 1) : json_null());
			json_object_set_new(o, "available", json_boolean(loaded));
			json_array_append_new(list, o);
		}
	}
	if (doc) {
		json_object_set_new(doc, "operation", json_string("version"));
		json_object_set_new(doc, "version", json_string(DBM_VERSION_STRING));
		json_object_set_new(doc, "drivers", list);
		dbm_out_json(doc);
	}
	dbm_buf_free(&v);
	return 0;
}
