/*
 * pgsql_dump.c - the PostgreSQL schema for dump and diff (driver.h's dump).
 *
 * One catalog query per kind of object over the whole schema, each object
 * printed by PostgreSQL's own deparsers (format_type, pg_get_expr,
 * pg_get_constraintdef, pg_get_indexdef, pg_get_viewdef,
 * pg_get_functiondef, pg_get_triggerdef) with the search path set to the
 * dumped schema alone, so that its own names come unqualified and the dump
 * loads into that schema of another database. Extensions, enum, domain,
 * composite and range types, functions and procedures, sequences, tables
 * (columns with defaults, identity, generated expressions, collations;
 * primary key, unique, check and exclusion constraints; partitioning),
 * views and materialized views in dependency order (pg_depend), indexes,
 * foreign keys (as ALTER TABLE after every table), sequence ownership and
 * triggers. Left out: what an extension owns, dbmigrate's own tables
 * (dbm_dump_own_tables) with everything on them, OIDs, sequence positions,
 * owners, privileges and comments.
 */
#include <stdlib.h>
#include <string.h>

#include "drivers/dump.h"

struct pgdump {
	struct dbm_conn *c;
	struct dbm_schema *out;
	struct dbm_buf q;    /* the query being built */
	struct dbm_buf def;  /* the definition being built */
	struct dbm_buf nsp;  /* the schema as a literal */
	struct dbm_buf hist; /* "(history, history_snapshot, history_lock)" as literals */
	struct dbm_dump_rows rows;
	int version; /* server_version_num */
};

/* Runs the query in d->q into d->rows. 0 or the error. */
static int pgdump_run(struct pgdump *d)
{
	return dbm_dump_query(d->c, d->q.ptr, &d->rows);
}

/* Empties d->q and appends fmt, with %N for the schema literal and %H for the history list. */
static int pgdump_sql(struct pgdump *d, const char *fmt)
{
	const char *p;
	int r = 0;

	dbm_buf_clear(&d->q);
	for (p = fmt; *p && r == 0; p++) {
		if (p[0] == '%' && p[1] == 'N') {
			r = dbm_buf_adds(&d->q, d->nsp.ptr);
			p++;
		} else if (p[0] == '%' && p[1] == 'H') {
			r = dbm_buf_adds(&d->q, d->hist.ptr);
			p++;
		} else {
			r = dbm_buf_addc(&d->q, *p);
		}
	}
	return r;
}

/* "object is no extension's member" for the catalog table cat and the row alias's oid */
#define PG_NOT_EXT(cat, oid)                                                                       \
	" NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend e WHERE e.classid = '" cat                \
	"'::regclass AND e.objid = " oid " AND e.deptype = 'e') "

static struct dbm_schema_obj *pgdump_add(struct pgdump *d, enum dbm_schema_kind kind,
                                         const char *label, const char *name, const char *table,
                                         const char *def)
{
	return dbm_schema_add(d->out, kind, label, name, table, def);
}

static int pgdump_extensions(struct pgdump *d)
{
	size_t i;
	int r =
	    pgdump_sql(d, "SELECT e.extname, quote_ident(e.extname) FROM pg_catalog.pg_extension e"
	                  " JOIN pg_catalog.pg_namespace n ON n.oid = e.extnamespace"
	                  " WHERE n.nspname = %N ORDER BY 1");

	if (r == 0)
		r = pgdump_run(d);
	for (i = 0; i < d->rows.n && r == 0; i++) {
		dbm_buf_clear(&d->def);
		r = dbm_buf_addf(&d->def, "CREATE EXTENSION IF NOT EXISTS %s;",
		                 dbm_dump_get(&d->rows, i, 1));
		if (r == 0 && !pgdump_add(d, DBM_SCHEMA_EXTENSION, "extension",
		                          dbm_dump_get(&d->rows, i, 0), NULL, d->def.ptr))
			r = DBM_ERR_NOMEM;
	}
	return r;
}

static int pgdump_types(struct pgdump *d)
{
	size_t i, first = d->out->n;
	int r = pgdump_sql(
	    d,
	    "SELECT t.typname, CASE t.typtype"
	    " WHEN 'e' THEN format('CREATE TYPE %I AS ENUM (%s);', t.typname,"
	    "  (SELECT string_agg(quote_literal(v.enumlabel), ', ' ORDER BY v.enumsortorder)"
	    "   FROM pg_catalog.pg_enum v WHERE v.enumtypid = t.oid))"
	    " WHEN 'd' THEN format('CREATE DOMAIN %I AS %s', t.typname,"
	    "  format_type(t.typbasetype, t.typtypmod))"
	    "  || CASE WHEN t.typcollation <> 0 AND t.typcollation <> b.typcollation THEN"
	    "   ' COLLATE ' || (SELECT quote_ident(l.collname) FROM pg_catalog.pg_collation l"
	    "   WHERE l.oid = t.typcollation) ELSE '' END"
	    "  || CASE WHEN t.typdefault IS NOT NULL THEN ' DEFAULT ' || t.typdefault ELSE '' END"
	    "  || CASE WHEN t.typnotnull THEN ' NOT NULL' ELSE '' END"
	    "  || coalesce((SELECT string_agg(format(E'\\n    CONSTRAINT %I %s', k.conname,"
	    "   pg_get_constraintdef(k.oid)), '' ORDER BY k.conname)"
	    "   FROM pg_catalog.pg_constraint k WHERE k.contypid = t.oid), '') || ';'"
	    " WHEN 'c' THEN format(E'CREATE TYPE %I AS (\\n%s\\n);', t.typname,"
	    "  (SELECT string_agg(format('    %I %s', a.attname, format_type(a.atttypid,"
	    "   a.atttypmod)), E',\\n' ORDER BY a.attnum) FROM pg_catalog.pg_attribute a"
	    "   WHERE a.attrelid = t.typrelid AND a.attnum > 0 AND NOT a.attisdropped))"
	    " WHEN 'r' THEN format('CREATE TYPE %I AS RANGE (subtype = %s);', t.typname,"
	    "  (SELECT format_type(g.rngsubtype, NULL) FROM pg_catalog.pg_range g"
	    "   WHERE g.rngtypid = t.oid))"
	    " END, CASE t.typtype WHEN 'e' THEN 'enum type' WHEN 'd' THEN 'domain'"
	    " WHEN 'c' THEN 'composite type' ELSE 'range type' END"
	    " FROM pg_catalog.pg_type t JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace"
	    " LEFT JOIN pg_catalog.pg_type b ON b.oid = t.typbasetype"
	    " LEFT JOIN pg_catalog.pg_class c ON c.oid = t.typrelid"
	    " WHERE n.nspname = %N AND t.typtype IN ('e', 'd', 'c', 'r')"
	    " AND (t.typtype <> 'c' OR c.relkind = 'c') AND" PG_NOT_EXT("pg_type",
	                                                                "t.oid") " ORDER BY 1");

	if (r == 0)
		r = pgdump_run(d);
	for (i = 0; i < d->rows.n && r == 0; i++)
		if (!pgdump_add(d, DBM_SCHEMA_TYPE, dbm_dump_get(&d->rows, i, 2),
		                dbm_dump_get(&d->rows, i, 0), NULL, dbm_dump_get(&d->rows, i, 1)))
			r = DBM_ERR_NOMEM;
	/* a composite or domain over another type of the schema comes after it */
	for (i = first; i < d->out->n && r == 0; i++)
		r = dbm_schema_scan_deps(d->out, &d->out->objs[i]);
	return r;
}

/* Drops trailing whitespace from b. */
static void pgdump_rtrim(struct dbm_buf *b)
{
	while (b->len && (b->ptr[b->len - 1] == '\n' || b->ptr[b->len - 1] == ' '))
		b->ptr[--b->len] = '\0';
}

static int pgdump_functions(struct pgdump *d)
{
	size_t i;
	int r;

	/*
	 * A routine whose signature names a table's row type, or whose body
	 * is SQL-standard (checked when created), is created after the tables.
	 */
	r = pgdump_sql(
	    d, "SELECT p.proname || '(' || pg_get_function_identity_arguments(p.oid) || ')',"
	       " pg_get_functiondef(p.oid), p.prokind,"
	       " EXISTS (SELECT 1 FROM pg_catalog.pg_depend x JOIN pg_catalog.pg_type y"
	       "  ON x.refclassid = 'pg_type'::regclass AND x.refobjid = y.oid"
	       "  JOIN pg_catalog.pg_class z ON z.oid = y.typrelid"
	       "  WHERE x.classid = 'pg_proc'::regclass AND x.objid = p.oid AND z.relkind <> 'c')"
	       " OR (to_jsonb(p) ->> 'prosqlbody') IS NOT NULL"
	       " FROM pg_catalog.pg_proc p JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace"
	       " WHERE n.nspname = %N AND p.prokind IN ('f', 'p', 'w') AND" PG_NOT_EXT(
	           "pg_proc", "p.oid") " ORDER BY 1");
	if (r == 0)
		r = pgdump_run(d);
	for (i = 0; i < d->rows.n && r == 0; i++) {
		const char *kind = dbm_dump_get(&d->rows, i, 2);

		dbm_buf_clear(&d->def);
		r = dbm_buf_adds(&d->def, dbm_dump_get(&d->rows, i, 1));
		pgdump_rtrim(&d->def);
		if (r == 0)
			r = dbm_buf_addc(&d->def, ';');
		if (r == 0 && !pgdump_add(d,
		                          strcmp(dbm_dump_get(&d->rows, i, 3), "t") == 0
		                              ? DBM_SCHEMA_LATE_FUNCTION
		                              : DBM_SCHEMA_FUNCTION,
		                          strcmp(kind, "p") == 0 ? "procedure" : "function",
		                          dbm_dump_get(&d->rows, i, 0), NULL, d->def.ptr))
			r = DBM_ERR_NOMEM;
	}
	return r;
}

static int pgdump_sequences(struct pgdump *d)
{
	size_t i;
	int r = pgdump_sql(
	    d, "SELECT c.relname, format('CREATE SEQUENCE %I AS %s START WITH %s INCREMENT BY %s"
	       " MINVALUE %s MAXVALUE %s CACHE %s%s;', c.relname, format_type(s.seqtypid, NULL),"
	       " s.seqstart, s.seqincrement, s.seqmin, s.seqmax, s.seqcache,"
	       " CASE WHEN s.seqcycle THEN ' CYCLE' ELSE '' END),"
	       " CASE WHEN t.relname IS NOT NULL THEN format('ALTER SEQUENCE %I OWNED BY %I.%I;',"
	       " c.relname, t.relname, a.attname) END"
	       " FROM pg_catalog.pg_sequence s JOIN pg_catalog.pg_class c ON c.oid = s.seqrelid"
	       " JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
	       " LEFT JOIN pg_catalog.pg_depend d ON d.classid = 'pg_class'::regclass"
	       " AND d.objid = c.oid AND d.refclassid = 'pg_class'::regclass"
	       " AND d.deptype IN ('a', 'i')"
	       " LEFT JOIN pg_catalog.pg_class t ON t.oid = d.refobjid"
	       " LEFT JOIN pg_catalog.pg_attribute a ON a.attrelid = d.refobjid"
	       " AND a.attnum = d.refobjsubid"
	       " WHERE n.nspname = %N AND d.deptype IS DISTINCT FROM 'i'"
	       " AND (t.relname IS NULL OR t.relname NOT IN %H) AND" PG_NOT_EXT(
	           "pg_class", "c.oid") " ORDER BY 1");

	if (r == 0)
		r = pgdump_run(d);
	for (i = 0; i < d->rows.n && r == 0; i++) {
		const char *name = dbm_dump_get(&d->rows, i, 0),
		           *owner = dbm_dump_get(&d->rows, i, 2);

		if (!pgdump_add(d, DBM_SCHEMA_SEQUENCE, "sequence", name, NULL,
		                dbm_dump_get(&d->rows, i, 1)) ||
		    (owner && !pgdump_add(d, DBM_SCHEMA_SEQUENCE_OWNER, "sequence owner", name,
		                          NULL, owner)))
			r = DBM_ERR_NOMEM;
	}
	return r;
}

/* Adds the columns of every table as parts, and renders them into the table definitions. */
struct pgdump_table {
	char *name;
	struct dbm_buf body; /* "    col type ...,\n" lines */
	struct dbm_buf head; /* "CREATE TABLE x" */
	struct dbm_buf tail; /* " PARTITION BY ..." */
	int partition;       /* PARTITION OF: columns come from the parent */
	size_t oi;           /* its object in d->out (an index: adding moves objects) */
};

static struct pgdump_table *pgdump_find_table(struct pgdump_table *t, size_t n, const char *name)
{
	size_t lo = 0, hi = n;

	while (lo < hi) { /* rows come ordered by name (byte order, COLLATE "C") */
		size_t mid = (lo + hi) / 2;
		int c = strcmp(t[mid].name ? t[mid].name : "", name ? name : "");

		if (c == 0)
			return &t[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

static int pgdump_tables(struct pgdump *d)
{
	struct pgdump_table *tabs = NULL;
	size_t ntabs = 0, i;
	int r;

	r = pgdump_sql(
	    d,
	    "SELECT c.relname COLLATE \"C\", quote_ident(c.relname), c.relkind, c.relpersistence,"
	    " CASE WHEN c.relkind = 'p' THEN pg_get_partkeydef(c.oid) END,"
	    " (SELECT p.relname FROM pg_catalog.pg_inherits h JOIN pg_catalog.pg_class p"
	    "  ON p.oid = h.inhparent WHERE h.inhrelid = c.oid AND c.relispartition),"
	    " (SELECT quote_ident(p.relname) FROM pg_catalog.pg_inherits h"
	    "  JOIN pg_catalog.pg_class p ON p.oid = h.inhparent"
	    "  WHERE h.inhrelid = c.oid AND c.relispartition),"
	    " pg_get_expr(c.relpartbound, c.oid), array_to_string(c.reloptions, ', '),"
	    " (SELECT string_agg(quote_ident(p.relname), ', ' ORDER BY h.inhseqno)"
	    "  FROM pg_catalog.pg_inherits h JOIN pg_catalog.pg_class p ON p.oid = h.inhparent"
	    "  WHERE h.inhrelid = c.oid AND NOT c.relispartition),"
	    " (SELECT string_agg(p.relname, chr(1) ORDER BY h.inhseqno)"
	    "  FROM pg_catalog.pg_inherits h JOIN pg_catalog.pg_class p ON p.oid = h.inhparent"
	    "  WHERE h.inhrelid = c.oid AND NOT c.relispartition)"
	    " FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
	    " WHERE n.nspname = %N AND c.relkind IN ('r', 'p') AND c.relname NOT IN %H "
	    "AND" PG_NOT_EXT("pg_class", "c.oid") " ORDER BY 1");
	if (r == 0)
		r = pgdump_run(d);
	if (r < 0)
		return r;
	if (d->rows.n) {
		tabs = dbm_calloc(d->rows.n, sizeof(*tabs));
		if (!tabs)
			return dbm_error_oom();
	}
	for (i = 0; i < d->rows.n && r == 0; i++) {
		struct pgdump_table *t = &tabs[ntabs++];
		const char *parent = dbm_dump_get(&d->rows, i, 5);
		const char *opts = dbm_dump_get(&d->rows, i, 8);

		t->name = dbm_strdup(dbm_dump_get(&d->rows, i, 0));
		if (!t->name) {
			r = dbm_error_oom();
			break;
		}
		r = dbm_buf_addf(&t->head, "CREATE %sTABLE %s",
		                 strcmp(dbm_dump_get(&d->rows, i, 3), "u") == 0 ? "UNLOGGED " : "",
		                 dbm_dump_get(&d->rows, i, 1));
		if (r == 0 && parent) {
			t->partition = 1;
			r = dbm_buf_addf(&t->head, " PARTITION OF %s",
			                 dbm_dump_get(&d->rows, i, 6));
			if (r == 0)
				r = dbm_buf_addf(&t->tail, "\n%s", dbm_dump_get(&d->rows, i, 7));
		}
		if (r == 0 && dbm_dump_get(&d->rows, i, 9))
			r = dbm_buf_addf(&t->tail, "\nINHERITS (%s)", dbm_dump_get(&d->rows, i, 9));
		if (r == 0 && dbm_dump_get(&d->rows, i, 4))
			r = dbm_buf_addf(&t->tail, "\nPARTITION BY %s",
			                 dbm_dump_get(&d->rows, i, 4));
		if (r == 0 && opts && *opts)
			r = dbm_buf_addf(&t->tail, "\nWITH (%s)", opts);
		if (r == 0) {
			if (!pgdump_add(d, DBM_SCHEMA_TABLE, "table", t->name, NULL, ""))
				r = DBM_ERR_NOMEM;
			t->oi = d->out->n - 1;
		}
		if (r == 0 && parent)
			r = dbm_schema_add_dep(&d->out->objs[t->oi], parent);
		if (r == 0 && dbm_dump_get(&d->rows, i, 10)) {
			/* INHERITS: after every parent (the names come separated by byte 1) */
			char *names = dbm_strdup(dbm_dump_get(&d->rows, i, 10)), *tok, *save = NULL;

			if (!names)
				r = dbm_error_oom();
			for (tok = names ? strtok_r(names, "\x01", &save) : NULL; tok && r == 0;
			     tok = strtok_r(NULL, "\x01", &save))
				r = dbm_schema_add_dep(&d->out->objs[t->oi], tok);
			dbm_free(names);
		}
	}
	/* columns */
	if (r == 0)
		r = pgdump_sql(
		    d,
		    "SELECT c.relname COLLATE \"C\", a.attname, quote_ident(a.attname),"
		    " format_type(a.atttypid, a.atttypmod), a.attnotnull,"
		    " pg_get_expr(f.adbin, f.adrelid), a.attidentity, a.attgenerated,"
		    " CASE WHEN a.attcollation <> 0 AND a.attcollation <> y.typcollation THEN"
		    " (SELECT quote_ident(l.collname) FROM pg_catalog.pg_collation l"
		    "  WHERE l.oid = a.attcollation) END, a.attislocal,"
		    /* the identity's sequence options that differ from their defaults */
		    " CASE WHEN a.attidentity <> '' THEN (SELECT ' (' || nullif(concat_ws(' ',"
		    "  CASE WHEN q.seqincrement <> 1 THEN 'INCREMENT BY ' || q.seqincrement END,"
		    "  CASE WHEN q.seqmin <> CASE WHEN q.seqincrement > 0 THEN 1 ELSE -m.hi - 1 END"
		    "   THEN 'MINVALUE ' || q.seqmin END,"
		    "  CASE WHEN q.seqmax <> CASE WHEN q.seqincrement > 0 THEN m.hi ELSE -1 END"
		    "   THEN 'MAXVALUE ' || q.seqmax END,"
		    "  CASE WHEN q.seqstart <> CASE WHEN q.seqincrement > 0 THEN q.seqmin"
		    "   ELSE q.seqmax END THEN 'START WITH ' || q.seqstart END,"
		    "  CASE WHEN q.seqcache <> 1 THEN 'CACHE ' || q.seqcache END,"
		    "  CASE WHEN q.seqcycle THEN 'CYCLE' END), '') || ')'"
		    "  FROM pg_catalog.pg_depend x JOIN pg_catalog.pg_sequence q"
		    "  ON q.seqrelid = x.objid CROSS JOIN LATERAL (SELECT CASE q.seqtypid"
		    "  WHEN 'int2'::regtype THEN 32767::bigint WHEN 'int4'::regtype THEN 2147483647"
		    "  ELSE 9223372036854775807 END AS hi) m"
		    "  WHERE x.classid = 'pg_class'::regclass"
		    "  AND x.refobjid = a.attrelid AND x.refobjsubid = a.attnum"
		    "  AND x.deptype = 'i') END"
		    " FROM pg_catalog.pg_attribute a JOIN pg_catalog.pg_class c ON c.oid = "
		    "a.attrelid"
		    " JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
		    " JOIN pg_catalog.pg_type y ON y.oid = a.atttypid"
		    " LEFT JOIN pg_catalog.pg_attrdef f ON f.adrelid = a.attrelid"
		    " AND f.adnum = a.attnum"
		    " WHERE n.nspname = %N AND c.relkind IN ('r', 'p') AND c.relname NOT IN %H"
		    " AND a.attnum > 0 AND NOT a.attisdropped ORDER BY 1, a.attnum");
	if (r == 0)
		r = pgdump_run(d);
	for (i = 0; i < d->rows.n && r == 0; i++) {
		struct pgdump_table *t =
		    pgdump_find_table(tabs, ntabs, dbm_dump_get(&d->rows, i, 0));
		const char *dflt = dbm_dump_get(&d->rows, i, 5);
		const char *ident = dbm_dump_get(&d->rows, i, 6);
		const char *gen = dbm_dump_get(&d->rows, i, 7);
		const char *coll = dbm_dump_get(&d->rows, i, 8);
		int notnull = strcmp(dbm_dump_get(&d->rows, i, 4), "t") == 0;
		int local = strcmp(dbm_dump_get(&d->rows, i, 9), "t") == 0;
		struct dbm_buf extra = DBM_BUF_INIT;

		if (!t)
			continue;
		if (coll)
			r = dbm_buf_addf(&extra, "COLLATE %s", coll);
		if (r == 0 && gen && *gen)
			r = dbm_buf_addf(&extra, "%sGENERATED ALWAYS AS (%s) STORED",
			                 extra.len ? " " : "", dflt ? dflt : "");
		if (r == 0 && ident && *ident)
			r = dbm_buf_addf(
			    &extra, "%sGENERATED %s AS IDENTITY%s", extra.len ? " " : "",
			    *ident == 'a' ? "ALWAYS" : "BY DEFAULT",
			    dbm_dump_get(&d->rows, i, 10) ? dbm_dump_get(&d->rows, i, 10) : "");
		if (r == 0)
			r = dbm_schema_add_part(&d->out->objs[t->oi], DBM_PART_COLUMN,
			                        dbm_dump_get(&d->rows, i, 1),
			                        dbm_dump_get(&d->rows, i, 3),
			                        gen && *gen ? NULL : dflt, extra.ptr, notnull);
		if (r == 0 && !t->partition && local) {
			r = dbm_buf_addf(&t->body, "%s    %s %s", t->body.len ? ",\n" : "",
			                 dbm_dump_get(&d->rows, i, 2),
			                 dbm_dump_get(&d->rows, i, 3));
			if (r == 0 && extra.len)
				r = dbm_buf_addf(&t->body, " %s", extra.ptr);
			if (r == 0 && dflt && !(gen && *gen))
				r = dbm_buf_addf(&t->body, " DEFAULT %s", dflt);
			if (r == 0 && notnull)
				r = dbm_buf_adds(&t->body, " NOT NULL");
		}
		dbm_buf_free(&extra);
	}
	/* constraints; foreign keys become objects of their own */
	if (r == 0) {
		r = pgdump_sql(
		    d,
		    "SELECT c.relname COLLATE \"C\", k.conname, quote_ident(k.conname), k.contype,"
		    " pg_get_constraintdef(k.oid), quote_ident(c.relname)"
		    " FROM pg_catalog.pg_constraint k JOIN pg_catalog.pg_class c ON c.oid = "
		    "k.conrelid"
		    " JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
		    " WHERE n.nspname = %N AND c.relkind IN ('r', 'p') AND c.relname NOT IN %H"
		    " AND k.contype IN ('p', 'u', 'c', 'x', 'f') AND k.conislocal");
		if (r == 0)
			r = dbm_buf_adds(&d->q,
			                 d->version >= 110000 ? " AND k.conparentid = 0" : "");
		if (r == 0)
			r = dbm_buf_adds(&d->q,
			                 " ORDER BY 1, CASE k.contype WHEN 'p' THEN 0 WHEN 'u' "
			                 "THEN 1 ELSE 2 END, k.conname COLLATE \"C\"");
	}
	if (r == 0)
		r = pgdump_run(d);
	for (i = 0; i < d->rows.n && r == 0; i++) {
		struct pgdump_table *t =
		    pgdump_find_table(tabs, ntabs, dbm_dump_get(&d->rows, i, 0));
		const char *name = dbm_dump_get(&d->rows, i, 1),
		           *cdef = dbm_dump_get(&d->rows, i, 4);

		if (!t)
			continue;
		if (strcmp(dbm_dump_get(&d->rows, i, 3), "f") == 0) {
			dbm_buf_clear(&d->def);
			r = dbm_buf_addf(&d->def, "%s.%s", t->name, name);
			if (r == 0) {
				char *fkname = dbm_buf_detach(&d->def);

				r = dbm_buf_addf(&d->def,
				                 "ALTER TABLE ONLY %s\n    ADD CONSTRAINT %s %s;",
				                 dbm_dump_get(&d->rows, i, 5),
				                 dbm_dump_get(&d->rows, i, 2), cdef);
				if (r == 0 && !pgdump_add(d, DBM_SCHEMA_FOREIGN_KEY, "foreign key",
				                          fkname, t->name, d->def.ptr))
					r = DBM_ERR_NOMEM;
				dbm_free(fkname);
			}
			continue;
		}
		r = dbm_schema_add_part(&d->out->objs[t->oi], DBM_PART_CONSTRAINT, name, cdef, NULL,
		                        NULL, 0);
		if (r == 0)
			r = dbm_buf_addf(&t->body, "%s    CONSTRAINT %s %s",
			                 t->body.len ? ",\n" : "", dbm_dump_get(&d->rows, i, 2),
			                 cdef);
	}
	/* the definitions */
	for (i = 0; i < ntabs && r == 0; i++) {
		struct pgdump_table *t = &tabs[i];

		dbm_buf_clear(&d->def);
		if (t->partition && !t->body.len)
			r = dbm_buf_addf(&d->def, "%s%s;", t->head.ptr, dbm_buf_cstr(&t->tail));
		else
			r = dbm_buf_addf(&d->def, "%s (\n%s%s)%s;", t->head.ptr,
			                 dbm_buf_cstr(&t->body), t->body.len ? "\n" : "",
			                 dbm_buf_cstr(&t->tail));
		if (r == 0) {
			dbm_free(d->out->objs[t->oi].def);
			d->out->objs[t->oi].def = dbm_buf_detach(&d->def);
		}
	}
	for (i = 0; i < ntabs; i++) {
		dbm_free(tabs[i].name);
		dbm_buf_free(&tabs[i].body);
		dbm_buf_free(&tabs[i].head);
		dbm_buf_free(&tabs[i].tail);
	}
	dbm_free(tabs);
	return r;
}

static int pgdump_views(struct pgdump *d)
{
	size_t i;
	int r = pgdump_sql(
	    d,
	    "SELECT c.relname, c.relkind, quote_ident(c.relname), pg_get_viewdef(c.oid),"
	    " array_to_string(c.reloptions, ', ')"
	    " FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
	    " WHERE n.nspname = %N AND c.relkind IN ('v', 'm') AND" PG_NOT_EXT(
	        "pg_class", "c.oid") " ORDER BY 1");

	if (r == 0)
		r = pgdump_run(d);
	for (i = 0; i < d->rows.n && r == 0; i++) {
		int mat = strcmp(dbm_dump_get(&d->rows, i, 1), "m") == 0;
		const char *opts = dbm_dump_get(&d->rows, i, 4);

		dbm_buf_clear(&d->def);
		r = dbm_buf_addf(&d->def, "CREATE %sVIEW %s", mat ? "MATERIALIZED " : "",
		                 dbm_dump_get(&d->rows, i, 2));
		if (r == 0 && opts && *opts)
			r = dbm_buf_addf(&d->def, " WITH (%s)", opts);
		if (r == 0)
			r = dbm_buf_addf(&d->def, " AS\n%s", dbm_dump_get(&d->rows, i, 3));
		pgdump_rtrim(&d->def);
		if (r == 0 && mat) {
			if (d->def.len && d->def.ptr[d->def.len - 1] == ';')
				d->def.ptr[--d->def.len] = '\0';
			r = dbm_buf_adds(&d->def, "\nWITH NO DATA;");
		}
		if (r == 0 && !pgdump_add(d, DBM_SCHEMA_VIEW, mat ? "materialized view" : "view",
		                          dbm_dump_get(&d->rows, i, 0), NULL, d->def.ptr))
			r = DBM_ERR_NOMEM;
	}
	/* which view reads which: from the rewrite rules' dependencies */
	if (r == 0)
		r = pgdump_sql(d,
		               "SELECT DISTINCT v.relname, t.relname FROM pg_catalog.pg_depend x"
		               " JOIN pg_catalog.pg_rewrite w ON w.oid = x.objid"
		               " JOIN pg_catalog.pg_class v ON v.oid = w.ev_class"
		               " JOIN pg_catalog.pg_class t ON t.oid = x.refobjid"
		               " JOIN pg_catalog.pg_namespace n ON n.oid = v.relnamespace"
		               " WHERE x.classid = 'pg_rewrite'::regclass AND x.refclassid = "
		               "'pg_class'::regclass"
		               " AND t.relkind IN ('v', 'm') AND t.oid <> v.oid AND n.nspname = %N"
		               " AND t.relnamespace = n.oid");
	if (r == 0)
		r = pgdump_run(d);
	for (i = 0; i < d->rows.n && r == 0; i++) {
		struct dbm_schema_obj *o =
		    dbm_schema_find(d->out, DBM_SCHEMA_VIEW, dbm_dump_get(&d->rows, i, 0));

		if (o)
			r = dbm_schema_add_dep(o, dbm_dump_get(&d->rows, i, 1));
	}
	return r;
}

static int pgdump_indexes(struct pgdump *d)
{
	size_t i;
	int r = pgdump_sql(
	    d, "SELECT i.relname, t.relname, pg_get_indexdef(i.oid)"
	       " FROM pg_catalog.pg_index x JOIN pg_catalog.pg_class i ON i.oid = x.indexrelid"
	       " JOIN pg_catalog.pg_class t ON t.oid = x.indrelid"
	       " JOIN pg_catalog.pg_namespace n ON n.oid = i.relnamespace"
	       " WHERE n.nspname = %N AND t.relname NOT IN %H"
	       " AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_constraint k"
	       "  WHERE k.conindid = x.indexrelid AND k.contype IN ('p', 'u', 'x'))"
	       " AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_inherits h WHERE h.inhrelid = i.oid)"
	       " AND" PG_NOT_EXT("pg_class", "i.oid") " ORDER BY 1");

	if (r == 0)
		r = pgdump_run(d);
	for (i = 0; i < d->rows.n && r == 0; i++) {
		dbm_buf_clear(&d->def);
		r = dbm_buf_addf(&d->def, "%s;", dbm_dump_get(&d->rows, i, 2));
		if (r == 0 &&
		    !pgdump_add(d, DBM_SCHEMA_INDEX, "index", dbm_dump_get(&d->rows, i, 0),
		                dbm_dump_get(&d->rows, i, 1), d->def.ptr))
			r = DBM_ERR_NOMEM;
	}
	return r;
}

static int pgdump_triggers(struct pgdump *d)
{
	size_t i;
	int r = pgdump_sql(
	    d, "SELECT c.relname || '.' || g.tgname, c.relname, pg_get_triggerdef(g.oid),"
	       " g.tgenabled, format('ALTER TABLE %I DISABLE TRIGGER %I;', c.relname, g.tgname)"
	       " FROM pg_catalog.pg_trigger g JOIN pg_catalog.pg_class c ON c.oid = g.tgrelid"
	       " JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
	       " WHERE n.nspname = %N AND NOT g.tgisinternal AND c.relname NOT IN %H");

	if (r == 0 && d->version >= 130000)
		r = dbm_buf_adds(&d->q, " AND g.tgparentid = 0");
	if (r == 0)
		r = dbm_buf_adds(&d->q, " ORDER BY 1");
	if (r == 0)
		r = pgdump_run(d);
	for (i = 0; i < d->rows.n && r == 0; i++) {
		dbm_buf_clear(&d->def);
		r = dbm_buf_addf(&d->def, "%s;", dbm_dump_get(&d->rows, i, 2));
		if (r == 0 && strcmp(dbm_dump_get(&d->rows, i, 3), "D") == 0)
			r = dbm_buf_addf(&d->def, "\n%s", dbm_dump_get(&d->rows, i, 4));
		if (r == 0 &&
		    !pgdump_add(d, DBM_SCHEMA_TRIGGER, "trigger", dbm_dump_get(&d->rows, i, 0),
		                dbm_dump_get(&d->rows, i, 1), d->def.ptr))
			r = DBM_ERR_NOMEM;
	}
	return r;
}

int dbm_pgsql_dump(struct dbm_conn *c, const char *schema, const char *history_table,
                   struct dbm_schema *out)
{
	struct pgdump d;
	char *old_path = NULL;
	int r, r2;

	memset(&d, 0, sizeof(d));
	d.c = c;
	d.out = out;
	if (!schema)
		schema = c->schema ? c->schema : "public";
	r = dbm_dump_literal(&d.nsp, schema, 0);
	if (r == 0)
		r = dbm_dump_own_tables(&d.hist, history_table, 0, 0);
	/* the search path alone decides which names the deparsers qualify */
	if (r == 0)
		r = pgdump_sql(
		    &d, "SELECT current_setting('server_version_num'),"
		        " current_setting('search_path'), quote_ident(%N),"
		        " set_config('search_path', quote_ident(%N), false),"
		        " EXISTS (SELECT 1 FROM pg_catalog.pg_namespace WHERE nspname = %N)");
	if (r == 0)
		r = pgdump_run(&d);
	if (r < 0)
		goto done;
	if (d.rows.n != 1) {
		r = dbm_error_set(DBM_ERR_RUN, "cannot read the server's settings");
		goto done;
	}
	d.version = atoi(dbm_dump_get(&d.rows, 0, 0));
	old_path = dbm_strdup(dbm_dump_get(&d.rows, 0, 1));
	dbm_buf_clear(&d.def);
	r = old_path ? 0 : dbm_error_oom();
	if (r == 0 && strcmp(dbm_dump_get(&d.rows, 0, 4), "t") != 0) {
		r = dbm_error_set(DBM_ERR_USAGE, "schema \"%s\" does not exist", schema);
		dbm_error_set_hint("Name an existing schema with --schema, or leave it out for the "
		                   "connection's default.");
	}
	if (r == 0 && strcmp(schema, "public") != 0)
		r = dbm_buf_addf(&d.def, "CREATE SCHEMA IF NOT EXISTS %s;\n",
		                 dbm_dump_get(&d.rows, 0, 2));
	if (r == 0)
		r = dbm_buf_addf(&d.def,
		                 "SET search_path = %s;\nSET check_function_bodies = false;\n",
		                 dbm_dump_get(&d.rows, 0, 2));
	if (r == 0)
		r = dbm_schema_set_header(out, d.def.ptr);
	if (r == 0)
		r = pgdump_extensions(&d);
	if (r == 0)
		r = pgdump_types(&d);
	if (r == 0)
		r = pgdump_functions(&d);
	if (r == 0)
		r = pgdump_sequences(&d);
	if (r == 0)
		r = pgdump_tables(&d);
	if (r == 0)
		r = pgdump_views(&d);
	if (r == 0)
		r = pgdump_indexes(&d);
	if (r == 0)
		r = pgdump_triggers(&d);
	if (old_path) {
		struct dbm_error saved = *dbm_error_last();

		dbm_buf_clear(&d.q);
		r2 = dbm_buf_adds(&d.q, "SELECT set_config('search_path', ");
		if (r2 == 0)
			r2 = dbm_dump_literal(&d.q, old_path, 0);
		if (r2 == 0)
			r2 = dbm_buf_adds(&d.q, ", false)");
		if (r2 == 0)
			r2 = pgdump_run(&d);
		if (r < 0)
			*dbm_error_last() = saved;
		else
			r = r2;
	}
done:
	dbm_free(old_path);
	dbm_buf_free(&d.q);
	dbm_buf_free(&d.def);
	dbm_buf_free(&d.nsp);
	dbm_buf_free(&d.hist);
	dbm_dump_rows_free(&d.rows);
	return r;
}
