/*
 * repair.c - the way out of every stuck state, in one transaction:
 *   - remove failed rows (after the file or database has been fixed),
 *   - realign the checksum and description of applied rows with the files
 *     as they are now (accepting an edit),
 *   - mark applied versions whose file is gone as deleted (a DELETE row).
 * Prints each change; --dry-run prints the SQL and changes nothing.
 * With --accept-drift the live schema also becomes the new snapshot (the
 * differences it accepts are printed first); without it, repair takes no
 * snapshot: it changes only the history, and a snapshot taken then would
 * quietly accept whatever was changed by hand.
 */
#include <stdio.h>
#include <string.h>

#include "cmd/cmd.h"
#include "output/output.h"
#include "output/report.h"
#include "runner/runner.h"

struct repair_ctx {
	struct dbm_session *s;
	json_t *actions;
	size_t n;
	int accepted; /* --accept-drift found something to accept */
};

static void repair_say(struct repair_ctx *c, const char *text)
{
	c->n++;
	dbm_out_text("%s%s\n", c->s->dry_run ? "-- would: " : "", text);
	if (c->actions)
		json_array_append_new(c->actions, dbm_json_text(text));
}

static int repair_failed_rows(struct repair_ctx *c)
{
	struct dbm_session *s = c->s;
	char text[1400];
	size_t i;
	int r;

	for (i = 0; i < s->history.n; i++) {
		const struct dbm_history_row *h = &s->history.rows[i];

		if (h->success)
			continue;
		r = dbm_hist_delete(s, h->installed_rank);
		if (r < 0)
			return r;
		snprintf(text, sizeof(text), "removed the failed row of %s%s (%s, rank %d)",
		         h->version ? "version " : "repeatable ",
		         h->version ? h->version : (h->description ? h->description : ""),
		         h->script ? h->script : "", h->installed_rank);
		repair_say(c, text);
	}
	return 0;
}

static int repair_items(struct repair_ctx *c, const struct dbm_plan *p)
{
	struct dbm_session *s = c->s;
	char text[1400];
	size_t i;
	int r;

	for (i = 0; i < p->nitems; i++) {
		const struct dbm_plan_item *it = &p->items[i];
		const struct dbm_history_row *h = it->row;

		if (!h || !h->success || it->category != DBM_CAT_VERSIONED)
			continue;
		if (it->file && it->file->has_checksum && h->type && strcmp(h->type, "SQL") == 0 &&
		    ((h->has_checksum && h->checksum != it->file->checksum) || !h->description ||
		     strcmp(h->description, it->file->description) != 0)) {
			r = dbm_hist_realign(s, h->installed_rank, &it->file->checksum,
			                     it->file->description);
			if (r < 0)
				return r;
			snprintf(
			    text, sizeof(text),
			    "realigned version %s with %s (checksum %ld -> %ld, description '%s')",
			    it->version, it->file->path, (long)h->checksum,
			    (long)it->file->checksum, it->file->description);
			repair_say(c, text);
		} else if (it->state == DBM_ST_MISSING) {
			struct dbm_history_row row;

			memset(&row, 0, sizeof(row));
			row.version = h->version;
			row.description = h->description;
			row.type = "DELETE";
			row.script = h->script;
			row.has_checksum = h->has_checksum;
			row.checksum = h->checksum;
			row.success = 1;
			r = dbm_session_record(s, &row);
			if (r < 0)
				return r;
			snprintf(text, sizeof(text), "marked version %s deleted: %s is missing",
			         h->version, h->script ? h->script : "its file");
			repair_say(c, text);
		}
	}
	return 0;
}

/*
 * --accept-drift: prints what the snapshot will accept, and asks for a
 * snapshot at the end (s->snapshot) when there is something to accept.
 * Returns 0 or the error; *accepted gets the JSON of the differences.
 */
static int repair_accept_drift(struct repair_ctx *c, json_t **accepted)
{
	struct dbm_session *s = c->s;
	struct dbm_drift d = DBM_DRIFT_INIT;
	char since[96];
	int r;

	if (!s->driver->dump) {
		dbm_error_set(DBM_ERR_USAGE, "the %s driver cannot dump a schema", s->driver->name);
		return DBM_ERR_USAGE;
	}
	r = dbm_session_drift(s, &d);
	if (r < 0)
		goto done;
	dbm_cmd_drift_since(&d, since, sizeof(since));
	if (!d.has_snapshot) {
		/* with nothing to compare, the drift check read no schema: read it to say what */
		r = dbm_session_dump(s, &d.live);
		if (r < 0)
			goto done;
		dbm_out_text("%s the live schema as the first snapshot (%zu object%s)\n",
		             s->dry_run ? "-- would: accept" : "Accepting", d.live.n,
		             d.live.n == 1 ? "" : "s");
		s->snapshot = 1;
		c->accepted = 1;
	} else if (d.diff.n) {
		dbm_out_text("%s %zu difference%s from the snapshot taken after %s:\n",
		             s->dry_run ? "-- would: accept" : "Accepting", d.diff.n,
		             d.diff.n == 1 ? "" : "s", since);
		dbm_report_schema_diff(&d.diff, "  ");
		s->snapshot = 1;
		c->accepted = 1;
	} else {
		dbm_out_text("Schema matches the snapshot taken after %s: no drift to accept\n",
		             since);
	}
	if (accepted)
		*accepted = dbm_report_schema_diff_json(&d.diff);
done:
	dbm_drift_free(&d);
	return r;
}

int dbm_cmd_repair(const struct dbm_config *cfg, const struct dbm_cmd_args *a)
{
	struct dbm_session s;
	struct dbm_plan plan = DBM_PLAN_INIT;
	struct repair_ctx c = {&s, NULL, 0, 0};
	json_t *accepted = NULL;
	int r, in_tx = 0, before_ran = 0;

	if (a->dry_run)
		dbm_dry_begin("repair", NULL);
	r = dbm_session_open(&s, cfg, DBM_SESSION_FILES | DBM_SESSION_CONNECT | DBM_SESSION_LOCK,
	                     a->dry_run);
	if (r == 0 && a->dry_run)
		dbm_dry_header(&s);
	s.snapshot = -1; /* repair changes the history only; --accept-drift asks for one */
	if (r == 0)
		r = dbm_callback_fire(&s, DBM_EV_BEFORE_REPAIR, 0);
	if (r < 0)
		goto report;
	before_ran = 1;
	r = dbm_session_plan(&s, NULL, &plan);
	if (r == 0 && a->accept_drift && !s.history_exists) {
		dbm_error_set(DBM_ERR_USAGE, "--accept-drift: there is no history table '%s' yet",
		              cfg->table);
		dbm_error_set_hint("A snapshot follows a history row: run 'dbmigrate migrate' or "
		                   "'dbmigrate baseline' first; each takes a snapshot.");
		r = DBM_ERR_USAGE;
	}
	if (r == 0 && a->accept_drift)
		r = repair_accept_drift(&c, dbm_out_is_json() ? &accepted : NULL);
	if (r < 0 || !s.history_exists)
		goto report;
	if (dbm_out_is_json())
		c.actions = json_array();
	r = dbm_session_exec(&s, dbm_sql_begin(s.dialect));
	if (r < 0)
		goto report;
	in_tx = 1;
	r = repair_failed_rows(&c);
	if (r == 0)
		r = repair_items(&c, &plan);
	if (r == 0) {
		r = dbm_session_exec(&s, dbm_sql_commit(s.dialect));
		in_tx = 0;
	}
report:
	if (r < 0 && in_tx)
		dbm_session_rollback(&s);
	if (r < 0 && before_ran)
		dbm_callback_fire_error(&s, DBM_EV_AFTER_REPAIR_ERROR);
	else if (r == 0)
		r = dbm_callback_fire(&s, DBM_EV_AFTER_REPAIR, 0);
	if (r == 0) {
		if (c.accepted && !a->dry_run)
			dbm_out_text("Recorded the live schema as the new snapshot\n");
		if (c.n == 0 && !c.accepted)
			dbm_out_text("%sNothing to repair: the history matches the files\n",
			             a->dry_run ? "-- " : "");
		else if (a->dry_run)
			dbm_out_text("-- dry run: nothing was changed\n");
		else if (c.n)
			dbm_out_text("Repaired the history table %s (%zu change%s)\n", cfg->table,
			             c.n, c.n == 1 ? "" : "s");
		if (dbm_out_is_json()) {
			json_t *doc = json_object();

			json_object_set_new(doc, "operation", json_string("repair"));
			json_object_set_new(doc, "dryRun", json_boolean(a->dry_run));
			json_object_set_new(doc, "repairActions",
			                    c.actions ? c.actions : json_array());
			c.actions = NULL;
			if (accepted) {
				json_object_set_new(doc, "acceptedDrift", accepted);
				accepted = NULL;
			}
			if (dbm_out_sql_json())
				json_object_set(doc, "sql", dbm_out_sql_json());
			dbm_out_json(doc);
		}
	}
	r = dbm_session_after_change(&s, r);
	json_decref(accepted);
	json_decref(c.actions);
	dbm_plan_free(&plan);
	dbm_session_close(&s);
	return r;
}
