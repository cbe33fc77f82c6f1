/*
 * validate.c - compare the applied history with the files: edited files
 * (checksum or description), missing files, failed rows, pending versions
 * below the applied ones. Exit 3 naming each finding.
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
	int r;

	(void)a;
	r = dbm_session_open(&s, cfg, DBM_SESSION_FILES | DBM_SESSION_CONNECT, 0);
	if (r == 0)
		r = dbm_callback_fire(&s, DBM_EV_BEFORE_VALIDATE, 0);
	if (r < 0)
		goto done;
	r = dbm_session_plan(&s, NULL, &plan);
	if (r < 0) {
		dbm_callback_fire_error(&s, DBM_EV_AFTER_VALIDATE_ERROR);
		goto done;
	}
	r = dbm_report_issues(&plan, doc);
	if (r == 0)
		r = dbm_callback_fire(&s, DBM_EV_AFTER_VALIDATE, 0);
	else
		dbm_callback_fire_error(&s, DBM_EV_AFTER_VALIDATE_ERROR);
	if (doc) {
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
		dbm_out_text("Validated %zu migration%s: the history matches the files\n", plan.nitems,
			     plan.nitems == 1 ? "" : "s");
done:
	json_decref(doc);
	dbm_plan_free(&plan);
	dbm_session_close(&s);
	return r;
}
