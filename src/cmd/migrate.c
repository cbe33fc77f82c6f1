/*
 * migrate.c - apply pending versioned migrations in order, then new or
 * changed repeatables.
 *
 * Scan files, connect, lock, read history, (baseline on migrate), plan,
 * refuse on validation findings, run each script with its history row,
 * report. With --dry-run nothing is changed: the statements, transaction
 * control and history inserts are printed instead.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cmd/cmd.h"
#include "dbmigrate/sqlgen.h"
#include "dbmigrate/version.h"
#include "output/output.h"
#include "output/report.h"
#include "runner/runner.h"

static int migrate_found_row(void *ctx, unsigned ncols, const char *const *values)
{
	(void)ncols;
	(void)values;
	(*(int *)ctx)++;
	return 0;
}

/*
 * baseline_on_migrate: a schema that has tables but no history gets a
 * BASELINE row at the configured version, as Flyway does. 0 or error.
 */
static int migrate_baseline(struct dbm_session *s, int history_was_missing)
{
	const struct dbm_config *cfg = s->cfg;
	struct dbm_history_row row;
	int tables = 0, r;

	if (!cfg->baseline_on_migrate || !history_was_missing)
		return 0;
	r = dbm_sql_other_tables(s->dialect, s->schema, cfg->table, &s->sql);
	if (r == 0)
		r = s->conn->driver->query(s->conn, s->sql.ptr, migrate_found_row, &tables);
	if (r < 0 || tables == 0)
		return r;
	memset(&row, 0, sizeof(row));
	row.version = cfg->baseline_version;
	row.description = cfg->baseline_description;
	row.type = "BASELINE";
	row.script = cfg->baseline_description;
	row.success = 1;
	r = dbm_session_record(s, &row);
	if (r < 0)
		return r;
	dbm_out_text("Baselined an existing schema at version %s\n", cfg->baseline_version);
	return dbm_history_add(&s->history, &row);
}

static const char *migrate_target(const struct dbm_session *s, const struct dbm_cmd_args *a,
				  const struct dbm_plan *plan)
{
	if (!a->target || strcmp(a->target, "latest") == 0)
		return NULL;
	if (strcmp(a->target, "current") == 0)
		return plan->current_version ? plan->current_version : "0";
	(void)s;
	return a->target;
}

int dbm_cmd_migrate(const struct dbm_config *cfg, const struct dbm_cmd_args *a)
{
	struct dbm_session s;
	struct dbm_plan plan = DBM_PLAN_INIT;
	json_t *doc = dbm_out_is_json() ? json_object() : NULL;
	json_t *done_list = doc ? json_array() : NULL;
	const char *initial = NULL;
	char *initial_copy = NULL;
	struct timespec t0, t1;
	size_t i, applied = 0;
	int r, missing;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	r = dbm_session_open(&s, cfg, DBM_SESSION_FILES | DBM_SESSION_CONNECT | DBM_SESSION_LOCK,
			     a->dry_run);
	if (r < 0)
		goto done;
	missing = !s.history_exists;
	r = dbm_session_ensure_history(&s);
	if (r == 0)
		r = migrate_baseline(&s, missing);
	if (r == 0)
		r = dbm_session_plan(&s, NULL, &plan);
	if (r < 0)
		goto done;
	if (a->target) {
		/* --target current needs the plan's current version: plan again with it. */
		const char *t = migrate_target(&s, a, &plan);
		char *copy = t ? dbm_strdup(t) : NULL;

		dbm_plan_free(&plan);
		r = (t && !copy) ? dbm_error_oom() : dbm_session_plan(&s, copy, &plan);
		dbm_free(copy);
		if (r < 0)
			goto done;
	}
	initial = plan.current_version;
	initial_copy = initial ? dbm_strdup(initial) : NULL;
	if (cfg->validate_on_migrate) {
		r = dbm_report_issues(&plan, doc);
	} else {
		/* A failed migration always blocks: nothing may run on top of it. */
		for (i = 0; i < plan.nissues; i++) {
			if (plan.issues[i].kind == DBM_ISSUE_FAILED) {
				r = dbm_report_issues(&plan, doc);
				break;
			}
		}
	}
	if (r < 0) {
		if (doc) {
			json_object_set_new(doc, "operation", json_string("migrate"));
			dbm_out_json_with_error(doc);
			doc = NULL;
		}
		goto done;
	}
	for (i = 0; i < plan.ntodo; i++) {
		const struct dbm_plan_item *it = &plan.items[plan.todo[i]];
		struct dbm_run_result res;

		r = dbm_run_script(&s, DBM_RUN_MIGRATE, it->file, NULL, NULL, &res);
		if (r < 0)
			goto done;
		applied++;
		if (done_list) {
			json_t *m = json_object();

			json_object_set_new(m, "category", dbm_json_text(dbm_report_category(it)));
			json_object_set_new(m, "version", dbm_json_text(it->version ? it->version : ""));
			dbm_json_set_text(m, "description", it->description);
			json_object_set_new(m, "type", json_string("SQL"));
			dbm_json_set_text(m, "filepath", it->file->path);
			json_object_set_new(m, "executionTime", json_integer(res.executed_ms));
			json_array_append_new(done_list, m);
		}
	}
	{
		/* The version now: the highest versioned item applied in this run, else the initial. */
		const char *now = initial;
		int ms;

		for (i = 0; i < plan.ntodo; i++) {
			const struct dbm_plan_item *it = &plan.items[plan.todo[i]];

			if (it->version && (!now || dbm_version_cmp(it->version, now) > 0))
				now = it->version;
		}
		clock_gettime(CLOCK_MONOTONIC, &t1);
		ms = (int)((t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000);
		if (a->dry_run)
			dbm_out_text("-- dry run: %zu migration%s would be applied, nothing was changed\n",
				     applied, applied == 1 ? "" : "s");
		else if (applied == 0)
			dbm_out_text("Schema is up to date at version %s; nothing to migrate\n",
				     now ? now : "<< empty >>");
		else
			dbm_out_text("Applied %zu migration%s, now at version %s (%d ms)\n", applied,
				     applied == 1 ? "" : "s", now ? now : "<< none >>", ms);
		if (doc) {
			json_object_set_new(doc, "operation", json_string("migrate"));
			json_object_set_new(doc, "initialSchemaVersion",
					    initial_copy ? dbm_json_text(initial_copy) : json_null());
			json_object_set_new(doc, "targetSchemaVersion",
					    now ? dbm_json_text(now) : json_null());
			json_object_set_new(doc, "schemaName",
					    dbm_json_text(s.conn && s.conn->schema ? s.conn->schema : ""));
			json_object_set_new(doc, "migrationsExecuted", json_integer((json_int_t)applied));
			json_object_set_new(doc, "success", json_true());
			json_object_set_new(doc, "dryRun", json_boolean(a->dry_run));
			json_object_set_new(doc, "totalMigrationTime", json_integer(ms));
			json_object_set_new(doc, "migrations", done_list);
			done_list = NULL;
			if (dbm_out_sql_json())
				json_object_set(doc, "sql", dbm_out_sql_json());
			dbm_out_json(doc);
			doc = NULL;
		}
	}
done:
	r = dbm_session_write_schema_file(&s, r);
	json_decref(done_list);
	json_decref(doc);
	dbm_free(initial_copy);
	dbm_plan_free(&plan);
	dbm_session_close(&s);
	return r;
}
