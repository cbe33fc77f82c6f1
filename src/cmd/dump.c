/*
 * dump.c - print the live managed schema as canonical SQL (dbmate's dump):
 * every object the driver's dump finds, in an order the database's own
 * client can load into an empty database, byte for byte the same from run
 * to run; --output writes it to a file, --json lists the objects.
 */
#include <stdio.h>
#include <string.h>

#include "cmd/cmd.h"
#include "output/output.h"
#include "runner/runner.h"

static const char *dump_part_kind(enum dbm_schema_part_kind k)
{
	return k == DBM_PART_COLUMN ? "column" : k == DBM_PART_INDEX ? "index" : "constraint";
}

/* The objects as a JSON array (new reference), NULL when out of memory. */
json_t *dbm_cmd_schema_json(const struct dbm_schema *schema)
{
	json_t *list = json_array();
	size_t i, k;

	for (i = 0; list && i < schema->n; i++) {
		const struct dbm_schema_obj *o = &schema->objs[i];
		json_t *obj = json_object();

		json_object_set_new(obj, "kind", dbm_json_text(o->label));
		json_object_set_new(obj, "name", dbm_json_text(o->name));
		if (o->table)
			json_object_set_new(obj, "table", dbm_json_text(o->table));
		json_object_set_new(obj, "definition", dbm_json_text(o->def));
		if (o->nparts) {
			json_t *parts = json_array();

			for (k = 0; k < o->nparts; k++) {
				const struct dbm_schema_part *p = &o->parts[k];
				json_t *pj = json_object();

				json_object_set_new(pj, "kind",
				                    dbm_json_text(dump_part_kind(p->kind)));
				json_object_set_new(pj, "name", dbm_json_text(p->name));
				json_object_set_new(
				    pj, p->kind == DBM_PART_COLUMN ? "type" : "definition",
				    dbm_json_text(p->def));
				if (p->kind == DBM_PART_COLUMN) {
					json_object_set_new(pj, "notNull",
					                    json_boolean(p->notnull));
					json_object_set_new(pj, "default",
					                    p->dflt ? dbm_json_text(p->dflt)
					                            : json_null());
					if (p->extra)
						json_object_set_new(pj, "attributes",
						                    dbm_json_text(p->extra));
				}
				json_array_append_new(parts, pj);
			}
			json_object_set_new(obj, "parts", parts);
		}
		json_array_append_new(list, obj);
	}
	return list;
}

int dbm_cmd_dump(const struct dbm_config *cfg, const struct dbm_cmd_args *a)
{
	struct dbm_session s;
	struct dbm_schema schema = DBM_SCHEMA_INIT;
	struct dbm_buf text = DBM_BUF_INIT;
	int r;

	r = dbm_session_open(&s, cfg, DBM_SESSION_CONNECT, 0);
	if (r == 0)
		r = dbm_session_dump(&s, &schema);
	if (r == 0)
		r = dbm_schema_render(&schema, &text);
	if (r < 0)
		goto done;
	if (a->output) {
		r = dbm_write_file(a->output, dbm_buf_cstr(&text), text.len);
		if (r < 0)
			goto done;
	}
	if (dbm_out_is_json()) {
		json_t *doc = json_object();

		json_object_set_new(doc, "operation", dbm_json_text("dump"));
		json_object_set_new(
		    doc, "schemaName",
		    dbm_json_text(s.schema ? s.schema : (s.conn->schema ? s.conn->schema : "")));
		if (a->output)
			json_object_set_new(doc, "output", dbm_json_text(a->output));
		json_object_set_new(doc, "objects", dbm_cmd_schema_json(&schema));
		dbm_out_json(doc);
	} else if (a->output) {
		dbm_out_text("Wrote %zu objects to %s\n", schema.n, a->output);
	} else if (text.len && fwrite(text.ptr, 1, text.len, stdout) != text.len) {
		r = dbm_error_set(DBM_ERR_RUN, "cannot write the dump to standard output");
	}
done:
	dbm_schema_free(&schema);
	dbm_buf_free(&text);
	dbm_session_close(&s);
	return r;
}
