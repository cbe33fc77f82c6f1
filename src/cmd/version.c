/*
 * version.c - the program's version and the drivers compiled in, with
 * their client library versions. Reads no configuration and connects to
 * nothing, so it answers in a millisecond.
 */
#include <stdio.h>

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

			json_object_set_new(o, "name", json_string(d->name));
			json_object_set_new(o, "client", json_string(v.ptr));
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
