/*
 * info.c - every migration with its state, as a table or as JSON.
 *
 * Reads only: no lock, and no history table is created. Checksums are
 * computed for the files the history mentions, so Changed and Outdated
 * show. Under the table: whether the live schema still matches the
 * snapshot taken after the last change (drift.c).
 */
#include <stdio.h>
#include <string.h>

#include "cmd/cmd.h"
#include "output/output.h"
#include "output/report.h"
#include "runner/foreign.h"
#include "runner/runner.h"

#define INFO_COLS 7

static const char *const info_heads[INFO_COLS] = {"Category",     "Version", "Description", "Type",
                                                  "Installed On", "State",   "Undoable"};

/* The 7 cells of an item (borrowed strings). */
static void info_cells(const struct dbm_plan_item *it, const char **c)
{
	c[0] = dbm_report_category(it);
	c[1] = it->version ? it->version : "";
	c[2] = it->description ? it->description : "";
	c[3] = it->type ? it->type : "SQL";
	c[4] = it->row && it->row->installed_on ? it->row->installed_on : "";
	c[5] = dbm_state_name(it->state);
	c[6] = it->category == DBM_CAT_VERSIONED ? (it->undoable ? "Yes" : "No") : "";
}

/* Display width of UTF-8 text: code points (good enough for the table). */
static size_t info_width(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		if (((unsigned char)*s & 0xC0) != 0x80)
			n++;
	return n;
}

static void info_rule(const size_t *w)
{
	int i;

	for (i = 0; i < INFO_COLS; i++) {
		size_t k;

		putchar('+');
		for (k = 0; k < w[i] + 2; k++)
			putchar('-');
	}
	puts("+");
}

static void info_row(const char *const *c, const size_t *w)
{
	int i;

	for (i = 0; i < INFO_COLS; i++) {
		/* the State column in its colour (--color), padded outside the escapes */
		const char *on = i == 5 ? dbm_out_color_state(c[i]) : "";

		printf("| %s%s%s%*s ", on, c[i], *on ? dbm_out_color_end() : "",
		       (int)(w[i] - info_width(c[i])), "");
	}
	puts("|");
}

static void info_table(const struct dbm_plan *p)
{
	size_t w[INFO_COLS], i;
	const char *c[INFO_COLS];
	int k;

	for (k = 0; k < INFO_COLS; k++)
		w[k] = info_width(info_heads[k]);
	for (i = 0; i < p->nitems; i++) {
		info_cells(&p->items[i], c);
		for (k = 0; k < INFO_COLS; k++)
			if (info_width(c[k]) > w[k])
				w[k] = info_width(c[k]);
	}
	info_rule(w);
	info_row(info_heads, w);
	info_rule(w);
	if (!p->nitems) {
		printf("| %-*s |\n", (int)(w[0] + w[1] + w[2] + w[3] + w[4] + w[5] + w[6] + 18),
		       "No migrations found");
	}
	for (i = 0; i < p->nitems; i++) {
		info_cells(&p->items[i], c);
		info_row(c, w);
	}
	info_rule(w);
}

/*
 * A database that another tool manages and dbmigrate's history does not
 * know yet: says so, and that adopt takes it over, before migrate would
 * run every migration again. Never fails: a table that cannot be read only
 * leaves the note out.
 */
static void info_other_tool(struct dbm_session *s)
{
	struct dbm_foreign fg;
	size_t i;

	for (i = 0; i < s->history.n; i++)
		if (!s->history.rows[i].type || strcmp(s->history.rows[i].type, "SCHEMA") != 0)
			return;
	if (dbm_foreign_read(s, DBM_NAMING_AUTO, &fg) < 0) {
		dbm_error_clear();
		return;
	}
	if (fg.tool != DBM_NAMING_AUTO)
		dbm_out_warn("the database has %s's history table %s (%s %s) and no dbmigrate "
		             "history: run 'dbmigrate adopt' to take it over, or migrate runs "
		             "every migration again",
		             dbm_naming_name(fg.tool), fg.table,
		             fg.tool == DBM_NAMING_GOLANG_MIGRATE ? "at version" : "newest",
		             fg.n ? fg.versions[fg.n - 1] : "none");
	dbm_foreign_free(&fg);
}

int dbm_cmd_info(const struct dbm_config *cfg, const struct dbm_cmd_args *a)
{
	struct dbm_session s;
	struct dbm_plan plan = DBM_PLAN_INIT;
	struct dbm_drift drift = DBM_DRIFT_INIT;
	struct dbm_buf drift_error = DBM_BUF_INIT;
	int drift_known = 0;
	size_t i;
	int r;

	r = dbm_session_open(&s, cfg, DBM_SESSION_FILES | DBM_SESSION_CONNECT, 0);
	if (r == 0)
		r = dbm_callback_fire(&s, DBM_EV_BEFORE_INFO, 0);
	if (r < 0)
		goto done;
	/*
	 * The schema is dumped before the plan is built: the dump's rows and
	 * objects are gone (the live schema too when it matches the snapshot)
	 * before the plan's items are allocated, which keeps the peak memory
	 * with 10,000 files down. The migrations' table still comes first: a
	 * schema that cannot be read is a warning, printed after the plan.
	 */
	if (s.history_exists && s.driver->dump) {
		drift_known = dbm_session_drift(&s, &drift) == 0;
		if (!drift_known) {
			r = dbm_buf_adds(&drift_error, dbm_error_last()->message);
			dbm_error_clear();
			if (r < 0)
				goto done;
		}
		dbm_release_free_memory();
	}
	r = dbm_session_plan(&s, a->target, &plan);
	if (r < 0) {
		dbm_callback_fire_error(&s, DBM_EV_AFTER_INFO_ERROR);
		goto done;
	}
	info_other_tool(&s);
	if (s.history_exists && s.driver->dump && !drift_known)
		dbm_out_warn("could not compare the schema with its snapshot: %s",
		             dbm_buf_cstr(&drift_error));
	if (dbm_cmd_tally) {
		unsigned long pending = 0, failed = 0;

		for (i = 0; i < plan.nitems; i++) {
			pending += plan.items[i].state == DBM_ST_PENDING;
			failed += plan.items[i].state == DBM_ST_FAILED;
		}
		dbm_cmd_tally_begin(plan.current_version);
		dbm_cmd_tally_counts(pending, failed);
		if (drift_known && drift.has_snapshot)
			dbm_cmd_tally_drift(drift.diff.n);
	}
	if (dbm_out_is_json()) {
		json_t *doc = json_object();
		json_t *list = json_array();
		json_t *warnings = json_array();
		char now[64];
		size_t others = 0;
		/* SQLite's history default is strftime('now'): UTC; the servers' is their local
		 * time */
		int stored_utc = s.dialect == DBM_DIALECT_SQLITE;

		/* Flyway's allSchemasEmpty: no history and no other table or view */
		if (!s.history_exists) {
			char first[8];

			r = dbm_hist_other_objects(&s, &others, first, sizeof(first));
			if (r < 0) {
				json_decref(doc);
				json_decref(list);
				json_decref(warnings);
				goto done;
			}
		}
		for (i = 0; i < plan.nitems; i++)
			json_array_append_new(list,
			                      dbm_report_item_json(&plan.items[i], stored_utc));
		/* the findings validate would stop on, which info only reports */
		for (i = 0; i < plan.nissues; i++)
			json_array_append_new(warnings, dbm_json_text(plan.issues[i].message));
		dbm_report_local_now(now, sizeof(now));
		json_object_set_new(doc, "dbmigrateVersion", json_string(DBM_VERSION_STRING));
		json_object_set_new(doc, "timestamp", json_string(now));
		json_object_set_new(doc, "operation", json_string("info"));
		json_object_set_new(doc, "schemaVersion",
		                    plan.current_version ? dbm_json_text(plan.current_version)
		                                         : json_null());
		json_object_set_new(doc, "schemaName",
		                    dbm_json_text(s.conn && s.conn->schema ? s.conn->schema : ""));
		json_object_set_new(doc, "database", dbm_json_text(dbm_buf_cstr(&s.url)));
		json_object_set_new(doc, "historyTable", dbm_json_text(cfg->table));
		json_object_set_new(doc, "allSchemasEmpty",
		                    json_boolean(!s.history_exists && others == 0));
		json_object_set_new(doc, "migrations", list);
		json_object_set_new(doc, "warnings", warnings);
		if (drift_known)
			json_object_set_new(doc, "schemaDrift", dbm_cmd_drift_json(&drift));
		dbm_out_json(doc);
	} else {
		dbm_out_text("Database: %s (%s)\n", dbm_buf_cstr(&s.url),
		             s.conn && s.conn->server_version ? s.conn->server_version : "");
		dbm_out_text("Schema version: %s\n\n",
		             plan.current_version ? plan.current_version : "<< Empty Schema >>");
		if (!cfg->quiet)
			info_table(&plan);
		if (drift_known) {
			dbm_out_text("\n");
			dbm_cmd_drift_text(&drift);
		}
	}
	r = dbm_callback_fire(&s, DBM_EV_AFTER_INFO, 0);
done:
	dbm_buf_free(&drift_error);
	dbm_drift_free(&drift);
	dbm_plan_free(&plan);
	dbm_session_close(&s);
	return r;
}
