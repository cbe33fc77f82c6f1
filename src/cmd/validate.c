/*
 * validate.c - compare the applied history with the files: edited files
 * (checksum or description), missing files, failed rows, pending versions
 * below the applied ones; and, when a snapshot exists, every object of the
 * live schema that differs from it (unless --no-drift). Exit 3 naming each
 * finding.
 */
#include <stdio.h>

#include "cmd/cmd.h"
#include "output/output.h"
#include "output/report.h"
#include "runner/runner.h"

int dbm_cmd_validate(const struct dbm_config *cfg, const struct dbm_cmd_args *a)
{
	struct dbm_session s;
	struct dbm_plan plan = DBM_PLAN_INIT;
	json_t *doc = dbm_out_is_json() ? json_object() : NULL;
	struct dbm_drift drift = DBM_DRIFT_INIT;
	int r, check = 0;

	r = dbm_session_open(&s, cfg, DBM_SESSION_FILES | DBM_SESSION_CONNECT, 0);
	if (r == 0)
		r = dbm_callback_fire(&s, DBM_EV_BEFORE_VALIDATE, 0);
	if (r < 0)
		goto done;
	r = dbm_session_plan(&s, NULL, &plan);
	if (r == 0 && !a->no_drift && s.history_exists && s.driver->dump) {
		r = dbm_session_drift(&s, &drift);
		check = r == 0;
	}
	if (r < 0) {
		dbm_callback_fire_error(&s, DBM_EV_AFTER_VALIDATE_ERROR);
		goto done;
	}
	r = dbm_report_issues(&plan, doc);
	if (check && drift.diff.n) {
		char since[96];

		if (!doc)
			dbm_cmd_drift_text(&drift);
		if (r == 0) {
			dbm_error_set(
			    DBM_ERR_VALIDATE, "schema drift since %s: %zu object%s differ%s",
			    dbm_cmd_drift_since(&drift, since, sizeof(since)), drift.diff.n,
			    drift.diff.n == 1 ? "" : "s", drift.diff.n == 1 ? "s" : "");
			dbm_error_set_hint(
			    "The live schema is no longer what the migrations made. "
			    "Capture the change in a new migration, or accept it with "
			    "'dbmigrate repair --accept-drift'; 'dbmigrate diff' "
			    "compares it with the migrations themselves.");
			r = DBM_ERR_VALIDATE;
		}
	}
	if (r == 0)
		r = dbm_callback_fire(&s, DBM_EV_AFTER_VALIDATE, 0);
	else
		dbm_callback_fire_error(&s, DBM_EV_AFTER_VALIDATE_ERROR);
	if (doc) {
		if (check)
			json_object_set_new(doc, "schemaDrift", dbm_cmd_drift_json(&drift));
		json_object_set_new(doc, "operation", json_string("validate"));
		json_object_set_new(doc, "validationSuccessful", json_boolean(r == 0));
		json_object_set_new(doc, "validateCount", json_integer((json_int_t)plan.nitems));
		if (r < 0)
			dbm_out_json_with_error(doc);
		else
			dbm_out_json(doc);
		doc = NULL;
	}
	if (r == 0)
		dbm_out_text("Validated %zu migration%s: the history matches the files\n",
		             plan.nitems, plan.nitems == 1 ? "" : "s");
	if (r == 0 && check)
		dbm_cmd_drift_text(&drift);
done:
	dbm_drift_free(&drift);
	json_decref(doc);
	dbm_plan_free(&plan);
	dbm_session_close(&s);
	return r;
}
