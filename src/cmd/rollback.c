/*
 * rollback.c - undo applied versions, newest first, with rollback/ scripts.
 *
 * Everything is checked before anything runs: the versions to undo are
 * chosen (--steps N, default 1, or --to V: everything above V, 0 = all),
 * every one of them must have its undo script (else the command refuses and
 * lists each missing file), and every undo script is read through once (its
 * quotes and bodies closed, its placeholders known) by the runner before it
 * runs. Each undo runs like a migration and records an UNDO_SQL row.
 */
#include <stdio.h>
#include <string.h>

#include "cmd/cmd.h"
#include "dbmigrate/source.h"
#include "output/output.h"
#include "output/report.h"
#include "runner/runner.h"

/* Reads every undo script once so that a bad one stops the rollback before anything runs. */
static int rollback_precheck(struct dbm_session *s, const struct dbm_plan *plan, const size_t *sel,
                             size_t n)
{
	struct dbm_source_opts o;
	size_t i;
	int r;

	memset(&o, 0, sizeof(o));
	o.dialect = s->dialect;
	o.placeholders = s->cfg->placeholder_replacement ? &s->placeholders : NULL;
	for (i = 0; i < n; i++) {
		const struct dbm_file *u = plan->items[sel[i]].file->undo;

		r = dbm_session_set_filename(s, u);
		if (r == 0)
			r = dbm_source_run_file(u, &o, NULL);
		if (r < 0)
			return r;
	}
	return 0;
}

int dbm_cmd_rollback(const struct dbm_config *cfg, const struct dbm_cmd_args *a)
{
	struct dbm_session s;
	struct dbm_plan plan = DBM_PLAN_INIT;
	json_t *doc = dbm_out_is_json() ? json_object() : NULL;
	json_t *list = doc ? json_array() : NULL;
	size_t *sel = NULL, n = 0, i;
	int r;

	if (a->dry_run || a->offline)
		dbm_dry_begin("rollback", a->from);
	r = dbm_cmd_offline_open(&s, cfg, a, "rollback");
	if (r > 0)
		r = dbm_session_open(&s, cfg,
		                     DBM_SESSION_FILES | DBM_SESSION_CONNECT | DBM_SESSION_LOCK,
		                     a->dry_run);
	if (r == 0 && s.dry_run)
		dbm_dry_header(&s);
	if (r == 0)
		r = dbm_session_plan(&s, NULL, &plan);
	if (r == 0)
		r = dbm_plan_rollback(&plan, a->to ? 0 : (a->steps ? a->steps : 1), a->to,
		                      cfg->rollback, &sel, &n);
	if (r == 0)
		r = rollback_precheck(&s, &plan, sel, n);
	if (r == 0)
		r = dbm_callback_fire(&s, DBM_EV_BEFORE_UNDO, 0);
	if (r < 0)
		goto done;
	dbm_cmd_tally_begin(plan.current_version);
	if (n == 0)
		dbm_out_text("%sNothing to roll back: no applied version %s\n",
		             s.dry_run ? "-- " : "",
		             a->to ? "above the --to version" : "that can be undone");
	for (i = 0; i < n; i++) {
		const struct dbm_plan_item *it = &plan.items[sel[i]];
		struct dbm_run_result res;

		r = dbm_run_script(&s, DBM_RUN_UNDO, it->file->undo, it->version, it->description,
		                   &res);
		if (r < 0)
			dbm_callback_fire_error(&s, DBM_EV_AFTER_EACH_UNDO_ERROR);
		if (r < 0) {
			if (i > 0) {
				char d[1024];

				snprintf(d, sizeof(d),
				         "%.900s; %zu version%s before it %s already undone",
				         dbm_error_last()->detail, i, i == 1 ? "" : "s",
				         i == 1 ? "was" : "were");
				dbm_error_set_detail("%s", d);
			}
			dbm_callback_fire_error(&s, DBM_EV_AFTER_UNDO_ERROR);
			goto done;
		}
		dbm_cmd_tally_step(NULL);
		if (list) {
			json_t *m = json_object();

			json_object_set_new(m, "version", dbm_json_text(it->version));
			dbm_json_set_text(m, "description", it->description);
			dbm_json_set_text(m, "filepath", it->file->undo->path);
			json_object_set_new(m, "executionTime", json_integer(res.executed_ms));
			json_array_append_new(list, m);
		}
	}
	r = dbm_callback_fire(&s, DBM_EV_AFTER_UNDO, 0);
	if (r < 0)
		goto done;
	if (n && s.dry_run)
		dbm_out_text("-- dry run: %zu version%s would be undone, nothing was changed\n", n,
		             n == 1 ? "" : "s");
	else if (n)
		dbm_out_text("Undid %zu version%s, newest first\n", n, n == 1 ? "" : "s");
	if (doc) {
		json_object_set_new(doc, "operation", json_string("rollback"));
		json_object_set_new(doc, "dryRun", json_boolean(s.dry_run));
		json_object_set_new(doc, "migrationsUndone", json_integer((json_int_t)n));
		dbm_cmd_json_migrations_out(doc, list);
		list = NULL;
		doc = NULL;
	}
done:
	r = dbm_session_after_change(&s, r);
	json_decref(list);
	json_decref(doc);
	dbm_free(sel);
	dbm_plan_free(&plan);
	dbm_session_close(&s);
	return r;
}
