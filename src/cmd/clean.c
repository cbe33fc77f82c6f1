/*
 * clean.c - drop every object in the managed schema, history table
 * included. Refused unless the configuration says clean_disabled: false
 * and the command line says --yes: it is meant for development databases.
 * --dry-run (which needs no --yes) prints the statements as a script and
 * drops nothing.
 */
#include <stdio.h>
#include <string.h>

#include "cmd/cmd.h"
#include "output/output.h"
#include "runner/runner.h"

/*
 * --dry-run: the statements clean would run (dbm_session_clean),
 * as a script. Returns 0; DBM_ERR_USAGE when the driver cannot list them;
 * the driver's error (a refused schema).
 */
static int clean_dry_run(struct dbm_session *s)
{
	struct dbm_buf stmts = DBM_BUF_INIT;
	const char *schema = s->conn->schema ? s->conn->schema : "";
	size_t off;
	int r;

	r = dbm_session_clean(s, s->conn->schema, &stmts);
	if (r == 0) {
		dbm_dry_comment(s, "every object of schema '%s', the history table included",
		                schema);
		for (off = 0; off < stmts.len; off += strlen(stmts.ptr + off) + 1)
			dbm_dry_sql(s, stmts.ptr + off, strlen(stmts.ptr + off));
		dbm_out_text("-- dry run: nothing was dropped\n");
	}
	if (r == 0 && dbm_out_is_json()) {
		json_t *doc = json_object();

		json_object_set_new(doc, "operation", json_string("clean"));
		json_object_set_new(doc, "dryRun", json_true());
		json_object_set_new(doc, "schemasCleaned", json_array());
		json_object_set(doc, "sql", dbm_out_sql_json() ? dbm_out_sql_json() : json_array());
		dbm_out_json(doc);
	}
	dbm_buf_free(&stmts);
	return r;
}

int dbm_cmd_clean(const struct dbm_config *cfg, const struct dbm_cmd_args *a)
{
	struct dbm_session s;
	int r, before_ran = 0;

	memset(&s, 0, sizeof(s));
	if (cfg->clean_disabled) {
		dbm_error_set(DBM_ERR_USAGE, "clean is disabled");
		dbm_error_set_hint("clean drops every object in the schema. To allow it, set "
		                   "'clean_disabled: false' in dbmigrate.yml (or "
		                   "DBMIGRATE_CLEAN_DISABLED=false) and pass --yes.");
		return DBM_ERR_USAGE;
	}
	if (!cfg->yes && !a->dry_run) {
		dbm_error_set(DBM_ERR_USAGE, "clean needs --yes");
		dbm_error_set_hint(
		    "clean drops every object in the schema, data included; pass --yes "
		    "to confirm.");
		return DBM_ERR_USAGE;
	}
	if (a->dry_run)
		dbm_dry_begin("clean", NULL);
	r = dbm_session_open(
	    &s, cfg, DBM_SESSION_CONNECT | DBM_SESSION_LOCK | DBM_SESSION_CALLBACKS, a->dry_run);
	if (r == 0 && a->dry_run)
		dbm_dry_header(&s);
	if (r == 0)
		r = dbm_callback_fire(&s, DBM_EV_BEFORE_CLEAN, 0);
	if (r < 0)
		goto done;
	before_ran = 1;
	if (a->dry_run) {
		r = clean_dry_run(&s);
		if (r == 0)
			r = dbm_callback_fire(&s, DBM_EV_AFTER_CLEAN, 0);
		before_ran = r < 0;
		goto done;
	}
	r = dbm_session_clean(&s, s.conn->schema, NULL);
	if (r < 0)
		goto done;
	if (dbm_out_is_json()) {
		json_t *doc = json_object();
		json_t *list = json_array();

		json_array_append_new(list, dbm_json_text(s.conn->schema ? s.conn->schema : ""));
		json_object_set_new(doc, "operation", json_string("clean"));
		json_object_set_new(doc, "schemasCleaned", list);
		dbm_out_json(doc);
	}
	dbm_out_text("Dropped every object in schema '%s' of %s\n",
	             s.conn->schema ? s.conn->schema : "", dbm_buf_cstr(&s.url));
	r = dbm_callback_fire(&s, DBM_EV_AFTER_CLEAN, 0);
	before_ran = 0;
done:
	if (r < 0 && before_ran)
		dbm_callback_fire_error(&s, DBM_EV_AFTER_CLEAN_ERROR);
	r = dbm_session_after_change(&s, r);
	dbm_session_close(&s);
	return r;
}
