/*
 * baseline.c - mark an existing database as being at a version: a BASELINE
 * row, so that migrate applies only the versions above it.
 */
#include <stdio.h>
#include <string.h>

#include "cmd/cmd.h"
#include "output/output.h"
#include "runner/runner.h"

int dbm_cmd_baseline(const struct dbm_config *cfg, const struct dbm_cmd_args *a)
{
	struct dbm_session s;
	struct dbm_history_row row = {0};
	const char *version = a->version ? a->version : cfg->baseline_version;
	const char *description = a->description ? a->description : cfg->baseline_description;
	size_t i;
	int r, before_ran = 0;

	if (a->dry_run)
		dbm_dry_begin("baseline", NULL);
	r = dbm_session_open(
	    &s, cfg, DBM_SESSION_CONNECT | DBM_SESSION_LOCK | DBM_SESSION_CALLBACKS, a->dry_run);
	if (r == 0 && a->dry_run)
		dbm_dry_header(&s);
	/* the history table after the dry run's opening comments */
	if (r == 0)
		r = dbm_session_ensure_history(&s);
	if (r == 0)
		r = dbm_callback_fire(&s, DBM_EV_BEFORE_BASELINE, 0);
	if (r < 0)
		goto done;
	before_ran = 1;
	for (i = 0; i < s.history.n; i++) {
		const struct dbm_history_row *h = &s.history.rows[i];

		if (h->type && strcmp(h->type, "SCHEMA") == 0)
			continue;
		r = dbm_error_set(DBM_ERR_USAGE,
		                  "cannot baseline: the history table '%s' already has "
		                  "rows",
		                  cfg->table);
		dbm_error_set_hint("baseline is for a database that no migration has touched yet; "
		                   "run 'dbmigrate info' to see its state.");
		goto done;
	}
	row.version = (char *)version;
	row.description = (char *)description;
	row.type = "BASELINE";
	row.script = (char *)description;
	row.success = 1;
	r = dbm_session_record(&s, &row);
	if (r < 0)
		goto done;
	if (dbm_out_is_json()) {
		json_t *doc = json_object();

		json_object_set_new(doc, "operation", json_string("baseline"));
		json_object_set_new(doc, "successfullyBaselined", json_boolean(!a->dry_run));
		json_object_set_new(doc, "dryRun", json_boolean(a->dry_run));
		json_object_set_new(doc, "baselineVersion", dbm_json_text(version));
		if (dbm_out_sql_json())
			json_object_set(doc, "sql", dbm_out_sql_json());
		dbm_out_json(doc);
	}
	if (a->dry_run)
		dbm_out_text("-- dry run: would baseline at version %s (%s), nothing was changed\n",
		             version, description);
	else
		dbm_out_text("Baselined at version %s (%s)\n", version, description);
	r = dbm_callback_fire(&s, DBM_EV_AFTER_BASELINE, 0);
	before_ran = 0;
done:
	if (r < 0 && before_ran)
		dbm_callback_fire_error(&s, DBM_EV_AFTER_BASELINE_ERROR);
	r = dbm_session_after_change(&s, r);
	dbm_session_close(&s);
	return r;
}
