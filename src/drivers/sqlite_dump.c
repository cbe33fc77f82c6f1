/*
 * sqlite_dump.c - the SQLite schema for dump and diff (driver.h's dump):
 * every table, index, view and trigger of sqlite_master with the SQL text
 * SQLite keeps, which loads as it is into an empty database and is stored
 * there again byte for byte. SQLite's own objects (sqlite_sequence,
 * sqlite_stat*, automatic indexes) and the shadow tables of virtual tables
 * are left out: SQLite makes them itself. Columns, read with
 * pragma_table_xinfo, and foreign keys, read with pragma_foreign_key_list,
 * let a diff name the column or key that changed.
 */
#include <string.h>

#include "drivers/dump.h"

/* Appends the quoted schema name and '.' (nothing when schema is NULL). */
static int sqlitedump_prefix(struct dbm_buf *q, const char *schema)
{
	size_t i;
	int r = 0;

	if (!schema)
		return 0;
	r = dbm_buf_addc(q, '"');
	for (i = 0; schema[i] && r == 0; i++)
		r = schema[i] == '"' ? dbm_buf_adds(q, "\"\"") : dbm_buf_addc(q, schema[i]);
	return r ? r : dbm_buf_adds(q, "\".");
}

/* Names of the shadow tables of virtual tables (SQLite 3.37+); none before. */
static int sqlitedump_shadows(struct dbm_conn *c, const char *schema, struct dbm_dump_rows *rows)
{
	struct dbm_buf q = DBM_BUF_INIT;
	int r = dbm_buf_adds(&q, "SELECT name FROM pragma_table_list WHERE type = 'shadow'");

	if (r == 0 && schema) {
		r = dbm_buf_adds(&q, " AND schema = ");
		if (r == 0)
			r = dbm_dump_literal(&q, schema, 0);
	}
	if (r == 0 && dbm_dump_query(c, q.ptr, rows) < 0) {
		if (dbm_error_last()->klass == DBM_ERR_NOMEM)
			r = DBM_ERR_NOMEM;
		dbm_error_clear(); /* an older SQLite: no shadow tables to know of */
	}
	dbm_buf_free(&q);
	return r;
}

static int sqlitedump_is_shadow(const struct dbm_dump_rows *shadows, const char *name)
{
	size_t i;

	for (i = 0; i < shadows->n; i++)
		if (strcmp(dbm_dump_get(shadows, i, 0), name) == 0)
			return 1;
	return 0;
}

/*
 * Every foreign key of every table, in one query (q is reused): the table,
 * the key's name "FOREIGN KEY (cols)" and its definition. SQLite keeps
 * them inside the CREATE TABLE text and mostly unnamed; as parts of the
 * table, a diff names the key that changed even when a column changed too.
 */
static int sqlitedump_fks(struct dbm_conn *c, const char *schema, struct dbm_buf *q,
                          struct dbm_dump_rows *rows)
{
	int r;

	dbm_buf_clear(q);
	r = dbm_buf_adds(q, "SELECT tbl, 'FOREIGN KEY (' || group_concat(src, ', ') || ')',"
	                    " 'FOREIGN KEY (' || group_concat(src, ', ') || ') REFERENCES ' ||"
	                    " ref || ' (' || group_concat(dst, ', ') || ')' ||"
	                    " CASE WHEN upd <> 'NO ACTION' THEN ' ON UPDATE ' || upd ELSE '' END ||"
	                    " CASE WHEN del <> 'NO ACTION' THEN ' ON DELETE ' || del ELSE '' END"
	                    " FROM (SELECT m.name AS tbl, f.id AS id, f.\"table\" AS ref,"
	                    " f.\"from\" AS src, coalesce(f.\"to\", '') AS dst,"
	                    " f.on_update AS upd, f.on_delete AS del FROM ");
	if (r == 0)
		r = sqlitedump_prefix(q, schema);
	if (r == 0)
		r = dbm_buf_adds(q, "sqlite_master AS m JOIN pragma_foreign_key_list(m.name");
	if (r == 0 && schema) {
		r = dbm_buf_adds(q, ", ");
		if (r == 0)
			r = dbm_dump_literal(q, schema, 0);
	}
	if (r == 0)
		r = dbm_buf_adds(
		    q, ") AS f WHERE m.type = 'table' AND m.sql IS NOT NULL"
		       " AND m.sql NOT LIKE 'CREATE VIRTUAL%' ORDER BY m.name, f.id, f.seq)"
		       " GROUP BY tbl, id ORDER BY tbl, id");
	if (r == 0)
		r = dbm_dump_query(c, q->ptr, rows);
	return r;
}

int dbm_sqlite_dump(struct dbm_conn *c, const char *schema, const char *history_table,
                    struct dbm_schema *out)
{
	struct dbm_buf q = DBM_BUF_INIT, def = DBM_BUF_INIT;
	struct dbm_dump_rows rows = DBM_DUMP_ROWS_INIT, cols = DBM_DUMP_ROWS_INIT;
	struct dbm_dump_rows shadows = DBM_DUMP_ROWS_INIT, fks = DBM_DUMP_ROWS_INIT;
	size_t i;
	int r;

	r = sqlitedump_shadows(c, schema, &shadows);
	if (r == 0)
		r = dbm_buf_adds(&q, "SELECT m.type, m.name, m.tbl_name, m.sql FROM ");
	if (r == 0)
		r = sqlitedump_prefix(&q, schema);
	if (r == 0)
		r = dbm_buf_adds(&q, "sqlite_master AS m WHERE m.sql IS NOT NULL"
		                     " AND m.name NOT LIKE 'sqlite\\_%' ESCAPE '\\'"
		                     " AND m.tbl_name NOT IN ");
	if (r == 0)
		r = dbm_dump_own_tables(&q, history_table, 0, 0);
	if (r == 0)
		r = dbm_buf_adds(&q, " ORDER BY m.name");
	if (r == 0)
		r = dbm_dump_query(c, q.ptr, &rows);
	/* every column of every table in one query */
	dbm_buf_clear(&q);
	if (r == 0)
		r = dbm_buf_adds(&q, "SELECT m.name, p.name, p.type, p.\"notnull\", p.dflt_value, "
		                     "p.pk, p.hidden FROM ");
	if (r == 0)
		r = sqlitedump_prefix(&q, schema);
	if (r == 0)
		r = dbm_buf_adds(&q, "sqlite_master AS m JOIN pragma_table_xinfo(m.name");
	if (r == 0 && schema) {
		r = dbm_buf_adds(&q, ", ");
		if (r == 0)
			r = dbm_dump_literal(&q, schema, 0);
	}
	if (r == 0)
		r = dbm_buf_adds(&q, ") AS p WHERE m.type = 'table' AND m.sql IS NOT NULL "
		                     "AND m.sql NOT LIKE 'CREATE VIRTUAL%' ORDER BY m.name, p.cid");
	if (r == 0)
		r = dbm_dump_query(c, q.ptr, &cols);
	if (r == 0)
		r = sqlitedump_fks(c, schema, &q, &fks);
	for (i = 0; i < rows.n && r == 0; i++) {
		const char *type = dbm_dump_get(&rows, i, 0), *name = dbm_dump_get(&rows, i, 1);
		const char *tbl = dbm_dump_get(&rows, i, 2), *sql = dbm_dump_get(&rows, i, 3);
		struct dbm_schema_obj *o;
		enum dbm_schema_kind kind;
		size_t k;

		if (sqlitedump_is_shadow(&shadows, name))
			continue;
		if (strcmp(type, "table") == 0)
			kind = DBM_SCHEMA_TABLE;
		else if (strcmp(type, "index") == 0)
			kind = DBM_SCHEMA_INDEX;
		else if (strcmp(type, "view") == 0)
			kind = DBM_SCHEMA_VIEW;
		else if (strcmp(type, "trigger") == 0)
			kind = DBM_SCHEMA_TRIGGER;
		else
			continue;
		dbm_buf_clear(&def);
		r = dbm_buf_addf(&def, "%s;", sql);
		if (r < 0)
			break;
		o = dbm_schema_add(out, kind, type, name, kind == DBM_SCHEMA_TABLE ? NULL : tbl,
		                   def.ptr);
		if (!o) {
			r = DBM_ERR_NOMEM;
			break;
		}
		if (kind == DBM_SCHEMA_VIEW)
			continue; /* dependencies once every view is known */
		for (k = 0; k < cols.n && r == 0 && kind == DBM_SCHEMA_TABLE; k++) {
			const char *extra = NULL;

			if (strcmp(dbm_dump_get(&cols, k, 0), name) != 0)
				continue;
			if (strcmp(dbm_dump_get(&cols, k, 6), "0") != 0)
				extra = strcmp(dbm_dump_get(&cols, k, 6), "1") == 0 ? "hidden"
				                                                    : "generated";
			else if (strcmp(dbm_dump_get(&cols, k, 5), "0") != 0)
				extra = "primary key";
			r = dbm_schema_add_part(o, DBM_PART_COLUMN, dbm_dump_get(&cols, k, 1),
			                        dbm_dump_get(&cols, k, 2),
			                        dbm_dump_get(&cols, k, 4), extra,
			                        strcmp(dbm_dump_get(&cols, k, 3), "0") != 0);
		}
		for (k = 0; k < fks.n && r == 0 && kind == DBM_SCHEMA_TABLE; k++)
			if (strcmp(dbm_dump_get(&fks, k, 0), name) == 0)
				r = dbm_schema_add_part(o, DBM_PART_CONSTRAINT,
				                        dbm_dump_get(&fks, k, 1),
				                        dbm_dump_get(&fks, k, 2), NULL, NULL, 0);
	}
	for (i = 0; i < out->n && r == 0; i++)
		if (out->objs[i].kind == DBM_SCHEMA_VIEW)
			r = dbm_schema_scan_deps(out, &out->objs[i]);
	dbm_buf_free(&q);
	dbm_buf_free(&def);
	dbm_dump_rows_free(&rows);
	dbm_dump_rows_free(&cols);
	dbm_dump_rows_free(&shadows);
	dbm_dump_rows_free(&fks);
	return r;
}
