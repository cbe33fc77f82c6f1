/*
 * pgsql_clean.c - clean (pgsqldrv.h): every object of a schema dropped one
 * by one from the catalog in one transaction, without CASCADE, refusing a
 * schema that objects outside it depend on.
 */
#include <string.h>
#include <strings.h>

#include "pgsqldrv.h"

/*
 * The catalog queries of clean, in order; each returns DROP statements for
 * the objects of schema $1 that are still there. No CASCADE: the server
 * itself refuses to drop what an object outside the schema depends on.
 */
static const char *const pgsql_clean_queries[] = {
    /* Foreign keys of the schema's tables first: tables that refer to each other cannot go else. */
    "SELECT format('ALTER TABLE %I.%I DROP CONSTRAINT IF EXISTS %I', n.nspname, c.relname, "
    "k.conname) FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid "
    "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 AND k.contype = 'f' "
    "AND k.conparentid = 0",
    /* Materialized views, views, tables (not partitions: their parent takes them). */
    "SELECT format('DROP %s IF EXISTS %I.%I', CASE c.relkind WHEN 'm' THEN "
    "'MATERIALIZED VIEW' WHEN 'v' THEN 'VIEW' WHEN 'f' THEN 'FOREIGN TABLE' ELSE 'TABLE' END, "
    "n.nspname, c.relname) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
    "WHERE n.nspname = $1 AND c.relkind IN ('m', 'v', 'r', 'p', 'f') AND NOT c.relispartition "
    "AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass "
    "AND d.objid = c.oid AND d.deptype = 'e') "
    "ORDER BY CASE c.relkind WHEN 'm' THEN 0 WHEN 'v' THEN 1 ELSE 2 END, c.relname",
    /* Sequences not owned by a dropped table. */
    "SELECT format('DROP SEQUENCE IF EXISTS %I.%I', n.nspname, c.relname) "
    "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
    "WHERE n.nspname = $1 AND c.relkind = 'S' AND NOT EXISTS (SELECT 1 FROM pg_depend d "
    "WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e')",
    /* Functions, procedures, aggregates, window functions (not a range type's constructors). */
    "SELECT format('DROP %s IF EXISTS %I.%I(%s)', CASE p.prokind WHEN 'p' THEN "
    "'PROCEDURE' WHEN 'a' THEN 'AGGREGATE' ELSE 'FUNCTION' END, n.nspname, p.proname, "
    "pg_get_function_identity_arguments(p.oid)) FROM pg_proc p "
    "JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = $1 "
    "AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_proc'::regclass "
    "AND d.objid = p.oid AND d.deptype IN ('i', 'e')) "
    "ORDER BY CASE p.prokind WHEN 'a' THEN 0 ELSE 1 END",
    /* Domains, enums, ranges, composite and base types (array types go with them). */
    "SELECT format('DROP %s IF EXISTS %I.%I', CASE t.typtype WHEN 'd' THEN 'DOMAIN' "
    "ELSE 'TYPE' END, n.nspname, t.typname) FROM pg_type t "
    "JOIN pg_namespace n ON n.oid = t.typnamespace WHERE n.nspname = $1 "
    "AND t.typtype IN ('d', 'e', 'r', 'b', 'c') AND NOT (t.typtype = 'b' AND t.typelem <> 0 "
    "AND EXISTS (SELECT 1 FROM pg_type e WHERE e.oid = t.typelem AND e.typarray = t.oid)) "
    "AND (t.typtype <> 'c' OR (SELECT c.relkind FROM pg_class c WHERE c.oid = t.typrelid) = 'c') "
    "AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_type'::regclass "
    "AND d.objid = t.oid AND d.deptype = 'e') "
    "ORDER BY CASE t.typtype WHEN 'd' THEN 0 ELSE 1 END",
    /* Collations, text search configurations. */
    "SELECT format('DROP COLLATION IF EXISTS %I.%I', n.nspname, c.collname) "
    "FROM pg_collation c JOIN pg_namespace n ON n.oid = c.collnamespace WHERE n.nspname = $1",
    "SELECT format('DROP TEXT SEARCH CONFIGURATION IF EXISTS %I.%I', n.nspname, "
    "c.cfgname) FROM pg_ts_config c JOIN pg_namespace n ON n.oid = c.cfgnamespace "
    "WHERE n.nspname = $1",
    /* Extensions installed into the schema, last: what of theirs the schema used is gone. */
    "SELECT format('DROP EXTENSION IF EXISTS %I', e.extname) FROM pg_extension e "
    "JOIN pg_namespace n ON n.oid = e.extnamespace WHERE n.nspname = $1",
};

/*
 * Objects outside schema $1 that depend on an object in it (a view, a
 * foreign key, a column of its type or with a default calling its
 * function, a trigger, a policy, an extension's objects elsewhere), as
 * pg_describe_object says them. An object of an unknown kind counts as
 * outside.
 */
static const char pgsql_clean_outside_sql[] =
    "WITH s AS (SELECT oid FROM pg_namespace WHERE nspname = $1), "
    "inside AS (SELECT 'pg_class'::regclass AS cls, c.oid FROM pg_class c, s "
    "WHERE c.relnamespace = s.oid "
    "UNION ALL SELECT 'pg_type'::regclass, t.oid FROM pg_type t, s WHERE t.typnamespace = s.oid "
    "UNION ALL SELECT 'pg_proc'::regclass, p.oid FROM pg_proc p, s WHERE p.pronamespace = s.oid "
    "UNION ALL SELECT 'pg_collation'::regclass, c.oid FROM pg_collation c, s "
    "WHERE c.collnamespace = s.oid "
    "UNION ALL SELECT 'pg_ts_config'::regclass, c.oid FROM pg_ts_config c, s "
    "WHERE c.cfgnamespace = s.oid "
    "UNION ALL SELECT 'pg_extension'::regclass, e.oid FROM pg_extension e, s "
    "WHERE e.extnamespace = s.oid), "
    "dep AS (SELECT d.classid, d.objid, d.objsubid, CASE d.classid "
    "WHEN 'pg_class'::regclass THEN (SELECT relnamespace FROM pg_class WHERE oid = d.objid) "
    "WHEN 'pg_type'::regclass THEN (SELECT typnamespace FROM pg_type WHERE oid = d.objid) "
    "WHEN 'pg_proc'::regclass THEN (SELECT pronamespace FROM pg_proc WHERE oid = d.objid) "
    "WHEN 'pg_constraint'::regclass THEN (SELECT coalesce(nullif(c.connamespace, 0), "
    "r.relnamespace) FROM pg_constraint c LEFT JOIN pg_class r ON r.oid = c.conrelid "
    "WHERE c.oid = d.objid) "
    "WHEN 'pg_attrdef'::regclass THEN (SELECT r.relnamespace FROM pg_attrdef a "
    "JOIN pg_class r ON r.oid = a.adrelid WHERE a.oid = d.objid) "
    "WHEN 'pg_rewrite'::regclass THEN (SELECT r.relnamespace FROM pg_rewrite w "
    "JOIN pg_class r ON r.oid = w.ev_class WHERE w.oid = d.objid) "
    "WHEN 'pg_trigger'::regclass THEN (SELECT r.relnamespace FROM pg_trigger g "
    "JOIN pg_class r ON r.oid = g.tgrelid WHERE g.oid = d.objid) "
    "WHEN 'pg_policy'::regclass THEN (SELECT r.relnamespace FROM pg_policy o "
    "JOIN pg_class r ON r.oid = o.polrelid WHERE o.oid = d.objid) "
    "WHEN 'pg_collation'::regclass THEN (SELECT collnamespace FROM pg_collation "
    "WHERE oid = d.objid) "
    "WHEN 'pg_ts_config'::regclass THEN (SELECT cfgnamespace FROM pg_ts_config "
    "WHERE oid = d.objid) "
    "WHEN 'pg_operator'::regclass THEN (SELECT oprnamespace FROM pg_operator WHERE oid = d.objid) "
    "WHEN 'pg_extension'::regclass THEN (SELECT extnamespace FROM pg_extension "
    "WHERE oid = d.objid) "
    "WHEN 'pg_opclass'::regclass THEN (SELECT opcnamespace FROM pg_opclass WHERE oid = d.objid) "
    "WHEN 'pg_opfamily'::regclass THEN (SELECT opfnamespace FROM pg_opfamily "
    "WHERE oid = d.objid) "
    "WHEN 'pg_amop'::regclass THEN (SELECT f.opfnamespace FROM pg_amop a "
    "JOIN pg_opfamily f ON f.oid = a.amopfamily WHERE a.oid = d.objid) "
    "WHEN 'pg_amproc'::regclass THEN (SELECT f.opfnamespace FROM pg_amproc a "
    "JOIN pg_opfamily f ON f.oid = a.amprocfamily WHERE a.oid = d.objid) END AS nsp "
    "FROM pg_depend d JOIN inside i ON i.cls = d.refclassid AND i.oid = d.refobjid "
    "WHERE d.deptype IN ('n', 'a') "
    /* what an extension of the schema brought (casts, operator classes) goes with it */
    "AND NOT EXISTS (SELECT 1 FROM pg_depend x JOIN pg_extension e ON e.oid = x.refobjid "
    "JOIN s ON s.oid = e.extnamespace WHERE x.classid = d.classid AND x.objid = d.objid "
    "AND x.refclassid = 'pg_extension'::regclass AND x.deptype = 'e')) "
    "SELECT DISTINCT pg_describe_object(dep.classid, dep.objid, dep.objsubid) FROM dep, s "
    "WHERE dep.nsp IS DISTINCT FROM s.oid AND dep.nsp IS DISTINCT FROM 'pg_toast'::regnamespace "
    "ORDER BY 1 LIMIT 21";

/*
 * Runs one clean query for schema and appends each DROP it returns,
 * NUL-terminated, to out. Returns 0, DBM_ERR_RUN or DBM_ERR_NOMEM.
 */
static int pgsql_clean_step(struct pgsql_conn *pc, const char *query, const char *schema,
                            struct dbm_buf *out)
{
	const char *params[1] = {schema};
	PGresult *res = PQexecParams(pc->pg, query, 1, NULL, params, NULL, NULL, 0);
	int rc = 0, r;

	if (!res || PQresultStatus(res) != PGRES_TUPLES_OK) {
		rc = pgsqldrv_result_error(pc, res, NULL, 0);
		goto done;
	}
	for (r = 0; r < PQntuples(res) && rc == 0; r++)
		rc = dbm_buf_add(out, PQgetvalue(res, r, 0), strlen(PQgetvalue(res, r, 0)) + 1);
done:
	PQclear(res);
	return rc;
}

/*
 * Refuses to clean schema when objects outside it depend on objects in it.
 * Returns 0; DBM_ERR_USAGE naming them (up to 20); DBM_ERR_RUN.
 */
static int pgsql_clean_outside(struct pgsql_conn *pc, const char *schema)
{
	struct dbm_buf names = DBM_BUF_INIT;
	int rc = pgsql_clean_step(pc, pgsql_clean_outside_sql, schema, &names);

	if (rc < 0 || names.len == 0)
		goto done;
	rc = dbm_drv_clean_outside_error("schema", schema, "change or drop them", &names);
done:
	dbm_buf_free(&names);
	return rc;
}

/*
 * Runs the DROP statements in stmts (each NUL-terminated) without CASCADE,
 * in passes, each under a savepoint: one the server refuses because
 * another object still depends on it (2BP01) is tried again in the next
 * pass, after what it waited for is gone. Returns 0; the server's error
 * when a pass drops nothing more (the dependency it names is one clean
 * must not break); DBM_ERR_RUN or DBM_ERR_NOMEM. done, when not NULL, gets
 * each statement that ran, in the order it ran (each NUL-terminated).
 */
static int pgsql_clean_drop(struct pgsql_conn *pc, struct dbm_buf *stmts, struct dbm_buf *done)
{
	struct dbm_buf next = DBM_BUF_INIT, tmp;
	size_t off;
	int rc = 0, progress = 1;

	while (rc == 0 && stmts->len && progress) {
		progress = 0;
		dbm_buf_clear(&next);
		for (off = 0; off < stmts->len && rc == 0; off += strlen(stmts->ptr + off) + 1) {
			const char *sql = stmts->ptr + off;

			if ((rc = pgsqldrv_run(pc, "SAVEPOINT dbm_clean")) < 0)
				break;
			rc = pgsqldrv_run(pc, sql);
			if (rc == 0) {
				progress = 1;
				rc = pgsqldrv_run(pc, "RELEASE SAVEPOINT dbm_clean");
				if (rc == 0 && done)
					rc = dbm_buf_add(done, sql, strlen(sql) + 1);
				continue;
			}
			if (strcmp(dbm_error_last()->sqlstate, "2BP01") != 0 || pc->lost)
				break;
			if ((rc = pgsqldrv_run(pc, "ROLLBACK TO SAVEPOINT dbm_clean")) < 0)
				break;
			rc = dbm_buf_add(&next, sql, strlen(sql) + 1);
		}
		tmp = *stmts;
		*stmts = next;
		next = tmp;
	}
	if (rc == 0 && stmts->len) {
		/* run the first one again for the server's own words on what is in the way */
		rc = pgsqldrv_run(pc, stmts->ptr);
		if (rc == 0)
			rc = dbm_error_set(DBM_ERR_RUN, "clean could not drop every object");
		dbm_error_set_hint(
		    "Something outside the schema depends on it; drop or change that "
		    "first. Nothing was dropped.");
	}
	dbm_buf_free(&next);
	return rc;
}

/*
 * Drops every object in schema (or the connection's schema when NULL) one
 * by one from the catalog, in one transaction, keeping the schema itself
 * with its owner and grants. Refuses system schemas and a schema that
 * objects outside it depend on (driver.h). With script not NULL, the
 * statements that ran go there, between BEGIN and COMMIT, and the
 * transaction is rolled back: nothing is dropped. Returns 0,
 * DBM_ERR_USAGE, DBM_ERR_RUN (everything rolled back) or DBM_ERR_NOMEM.
 */
static int pgsql_clean_run(struct dbm_conn *c, const char *schema, struct dbm_buf *script)
{
	struct pgsql_conn *pc = (struct pgsql_conn *)c;
	const char *sch = schema && schema[0] ? schema : c->schema;
	struct dbm_buf stmts = DBM_BUF_INIT;
	size_t i;
	int rc;

	if (!sch || strncasecmp(sch, "pg_", 3) == 0 || strcasecmp(sch, "information_schema") == 0) {
		dbm_error_set(DBM_ERR_USAGE, "clean refuses system schema '%s'", sch ? sch : "");
		dbm_error_set_hint("Name the application's schema with --schema.");
		return DBM_ERR_USAGE;
	}
	if ((rc = pgsqldrv_run(pc, "BEGIN")) < 0)
		return rc;
	if (script)
		rc = dbm_buf_add(script, "BEGIN", 6);
	if (rc == 0)
		rc = pgsql_clean_outside(pc, sch);
	/* every statement in one list: a domain's check may call a function, and so on */
	for (i = 0; i < DBM_ARRAY_SIZE(pgsql_clean_queries) && rc == 0; i++)
		rc = pgsql_clean_step(pc, pgsql_clean_queries[i], sch, &stmts);
	if (rc == 0)
		rc = pgsql_clean_drop(pc, &stmts, script);
	dbm_buf_free(&stmts);
	if (rc == 0 && !script)
		return pgsqldrv_run(pc, "COMMIT");
	if (rc == 0)
		rc = dbm_buf_add(script, "COMMIT", 7);
	if (!pc->lost) {
		struct dbm_error saved;

		dbm_error_save(&saved);
		pgsqldrv_run(pc, "ROLLBACK");
		dbm_error_restore(&saved);
	}
	return rc;
}

int pgsqldrv_clean(struct dbm_conn *c, const char *schema)
{
	return pgsql_clean_run(c, schema, NULL);
}

int pgsqldrv_clean_script(struct dbm_conn *c, const char *schema, struct dbm_buf *out)
{
	return pgsql_clean_run(c, schema, out);
}
