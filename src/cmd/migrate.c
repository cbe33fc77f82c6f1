/*
 * migrate.c - apply pending versioned migrations in order, then new or
 * changed repeatables.
 *
 * Scan files, connect, lock, read history, refuse a non-empty schema
 * without history (or baseline it with baseline_on_migrate), plan,
 * refuse on validation findings (and, with validate_schema_on_migrate, on
 * schema drift from the last snapshot), run each script with its history
 * row, report; the schema file and the snapshot follow. With --dry-run nothing is changed: the
 * statements, transaction control and history inserts are printed instead.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cmd/cmd.h"
#include "dbmigrate/sqlgen.h"
#include "dbmigrate/version.h"
#include "output/output.h"
#include "output/report.h"
#include "runner/foreign.h"
#include "runner/runner.h"

/*
 * A schema that has tables but no history table: without
 * baseline_on_migrate, migrate refuses (as Flyway does) rather than apply
 * version 1 on top of whatever is there; with it, *baseline is set and a
 * BASELINE row is written at the configured version once the table exists.
 * Returns 0, or DBM_ERR_USAGE saying how to baseline, or the query's error.
 */
static int migrate_check_other_tool(struct dbm_session *s);

static int migrate_check_schema(struct dbm_session *s, int *baseline)
{
	const struct dbm_config *cfg = s->cfg;
	char first[256];
	size_t n = 0;
	int r;

	*baseline = 0;
	if (s->history_exists)
		return 0;
	r = dbm_hist_other_objects(s, &n, first, sizeof(first));
	if (r < 0 || n == 0)
		return r;
	r = migrate_check_other_tool(s);
	if (r < 0)
		return r;
	if (cfg->baseline_on_migrate) {
		*baseline = 1;
		return 0;
	}
	dbm_error_set(DBM_ERR_USAGE, "found a non-empty schema '%s' without a history table '%s'",
	              s->conn && s->conn->schema ? s->conn->schema : (s->schema ? s->schema : ""),
	              cfg->table);
	dbm_error_set_detail("%zu table%s or view%s, the first '%s'; nothing was changed", n,
	                     n == 1 ? "" : "s", n == 1 ? "" : "s", first);
	dbm_error_set_hint(
	    "Mark the schema as being at the version its objects match with "
	    "'dbmigrate baseline --version V' (migrate then applies only the versions "
	    "above V), or set baseline_on_migrate: true (--baseline-on-migrate) to "
	    "baseline at version %s on this migrate; or point --schema/--table at the "
	    "right place.",
	    cfg->baseline_version ? cfg->baseline_version : "1");
	return DBM_ERR_USAGE;
}

/*
 * A schema another tool manages (golang-migrate, dbmate, goose): neither
 * applying from version 1 nor a baseline is right, adopt is. Returns 0 when
 * there is no such table (or it cannot be told), else DBM_ERR_USAGE naming
 * the tool and adopt.
 */
static int migrate_check_other_tool(struct dbm_session *s)
{
	struct dbm_foreign fg;

	if (dbm_foreign_read(s, DBM_NAMING_AUTO, &fg) < 0) {
		dbm_error_clear();
		return 0;
	}
	if (fg.tool == DBM_NAMING_AUTO)
		return 0;
	dbm_error_set(DBM_ERR_USAGE,
	              "the schema has %s's history table %s and no history table '%s'",
	              dbm_naming_name(fg.tool), fg.table, s->cfg->table);
	dbm_error_set_detail("nothing was changed");
	dbm_error_set_hint("Take that history over with 'dbmigrate adopt' ('--dry-run' shows the "
	                   "rows it writes); migrate then applies only what %s has not applied.",
	                   dbm_naming_name(fg.tool));
	dbm_foreign_free(&fg);
	return DBM_ERR_USAGE;
}

/* baseline_on_migrate on a non-empty schema: a BASELINE row at the configured version. */
static int migrate_baseline(struct dbm_session *s)
{
	const struct dbm_config *cfg = s->cfg;
	struct dbm_history_row row;
	int r;

	memset(&row, 0, sizeof(row));
	row.version = cfg->baseline_version;
	row.description = cfg->baseline_description;
	row.type = "BASELINE";
	row.script = cfg->baseline_description;
	row.success = 1;
	r = dbm_session_record(s, &row);
	if (r < 0)
		return r;
	dbm_out_text("%s an existing schema at version %s\n",
	             s->dry_run ? "-- would baseline" : "Baselined", cfg->baseline_version);
	return dbm_history_add(&s->history, &row);
}

/*
 * A migration's object in migrate's JSON "migrations": category, version,
 * description, type and file; the caller adds what it did (a new reference).
 */
static json_t *migrate_item_json(const struct dbm_plan_item *it)
{
	json_t *m = json_object();

	json_object_set_new(m, "category", dbm_json_text(dbm_report_category(it)));
	json_object_set_new(m, "version", dbm_json_text(it->version ? it->version : ""));
	dbm_json_set_text(m, "description", it->description);
	json_object_set_new(m, "type", json_string("SQL"));
	dbm_json_set_text(m, "filepath", it->file->path);
	return m;
}

/*
 * --skip-executing: a success row for each pending item, in one
 * transaction, and none of their SQL run (Flyway's skipExecutingMigrations):
 * for a database whose schema was brought to the files' state by other
 * means. Each version recorded is printed (in dry-run as an SQL comment
 * before its INSERT). *recorded counts the rows. Returns 0, or the first
 * error (reading a file for its checksum, writing a row), after rolling
 * back the rows written before it.
 */
static int migrate_skip(struct dbm_session *s, const struct dbm_plan *plan, json_t *list,
                        size_t *recorded)
{
	size_t i;
	int r;

	*recorded = 0;
	if (plan->ntodo == 0)
		return 0;
	r = dbm_session_exec(s, dbm_sql_begin(s->dialect));
	for (i = 0; r == 0 && i < plan->ntodo; i++) {
		const struct dbm_plan_item *it = &plan->items[plan->todo[i]];
		struct dbm_history_row row;
		char label[256];

		memset(&row, 0, sizeof(row));
		row.version = it->file->version;
		row.description = it->file->description;
		row.type = "SQL";
		row.script = it->file->script;
		row.has_checksum = 1;
		row.success = 1;
		r = dbm_session_checksum(s, it->file, &row.checksum);
		if (r < 0)
			break;
		if (it->file->version)
			snprintf(label, sizeof(label), "version %s (%s)", it->file->version,
			         it->file->description);
		else
			snprintf(label, sizeof(label), "repeatable '%s'", it->file->description);
		dbm_out_text("%s%s %s as applied without running it\n", s->dry_run ? "-- " : "",
		             s->dry_run ? "would record" : "Recorded", label);
		r = dbm_session_record(s, &row);
		if (r < 0)
			break;
		(*recorded)++;
		if (list) {
			json_t *m = migrate_item_json(it);

			json_object_set_new(m, "checksum", json_integer(row.checksum));
			json_object_set_new(m, "executionTime", json_integer(0));
			json_object_set_new(m, "skipExecuting", json_true());
			json_array_append_new(list, m);
		}
	}
	if (r == 0)
		return dbm_session_exec(s, dbm_sql_commit(s->dialect));
	dbm_session_rollback(s);
	*recorded = 0;
	return r;
}

/*
 * validate_schema_on_migrate: refuses when the live schema differs from the
 * snapshot taken after the last change, naming each object. No snapshot:
 * nothing to compare. Returns 0, DBM_ERR_VALIDATE, or the dump's error.
 */
static int migrate_check_drift(struct dbm_session *s)
{
	struct dbm_drift d = DBM_DRIFT_INIT;
	char since[96];
	int r = 0;

	if (!s->history_exists || !s->driver->dump)
		return 0;
	r = dbm_session_drift(s, &d);
	if (r == 0 && d.diff.n) {
		if (!dbm_out_is_json())
			dbm_cmd_drift_text(&d);
		dbm_error_set(DBM_ERR_VALIDATE,
		              "schema drift since %s: %zu object%s differ%s; nothing was migrated",
		              dbm_cmd_drift_since(&d, since, sizeof(since)), d.diff.n,
		              d.diff.n == 1 ? "" : "s", d.diff.n == 1 ? "s" : "");
		dbm_error_set_hint(
		    "validate_schema_on_migrate is on. Capture the change in a new "
		    "migration, or accept it with 'dbmigrate repair --accept-drift', "
		    "then migrate again.");
		r = DBM_ERR_VALIDATE;
	}
	dbm_drift_free(&d);
	return r;
}

/* The version to stop at: --target, else the target key (Flyway's target), else NULL (latest). */
static const char *migrate_target(const struct dbm_session *s, const struct dbm_cmd_args *a,
                                  const struct dbm_plan *plan)
{
	const char *t = a->target ? a->target : s->cfg->target;

	if (!t || strcmp(t, "latest") == 0)
		return NULL;
	if (strcmp(t, "current") == 0)
		return plan->current_version ? plan->current_version : "0";
	return t;
}

/*
 * group: true - every pending migration in one transaction, where the
 * database rolls DDL back (PostgreSQL, SQLite); elsewhere (MySQL commits
 * each DDL statement at once) each migration runs on its own, with a
 * warning. Returns 0 or the class of the failed BEGIN.
 */
static int migrate_group_begin(struct dbm_session *s)
{
	int r;

	if (!(s->driver->caps & DBM_CAP_TX_DDL)) {
		dbm_out_warn(
		    "group: %s commits each DDL statement at once, so the migrations cannot "
		    "share one transaction: each runs in its own",
		    s->driver->name);
		return 0;
	}
	r = dbm_session_exec(s, dbm_sql_begin(s->dialect));
	if (r == 0)
		s->group_tx = 1;
	return r;
}

/* Commits the group's transaction. Returns 0 or the class of the failure (rolled back). */
static int migrate_group_commit(struct dbm_session *s)
{
	int r = dbm_session_exec(s, dbm_sql_commit(s->dialect));

	if (r < 0)
		dbm_session_rollback(s);
	s->group_tx = 0;
	return r;
}

/* After a failure inside the group: roll it back (again, when the script already did). */
static void migrate_group_rollback(struct dbm_session *s)
{
	dbm_session_rollback(s);
	s->group_tx = 0;
	dbm_error_add_detail("group: true: every migration of this run was rolled back with it");
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
	int r, baseline = 0, versioned_done = 0;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (a->dry_run || a->offline)
		dbm_dry_begin("migrate", a->from);
	r = dbm_cmd_offline_open(&s, cfg, a, "migrate");
	if (r > 0)
		r = dbm_session_open(&s, cfg,
		                     DBM_SESSION_FILES | DBM_SESSION_CONNECT | DBM_SESSION_LOCK,
		                     a->dry_run);
	if (r == 0 && s.dry_run)
		dbm_dry_header(&s);
	if (r < 0)
		goto done;
	/* offline: --from empty says there is nothing, --from V that the history is there */
	r = s.offline ? 0 : migrate_check_schema(&s, &baseline);
	if (r == 0)
		r = dbm_session_ensure_history(&s);
	if (r == 0 && baseline)
		r = migrate_baseline(&s);
	if (r == 0)
		r = dbm_session_plan(&s, NULL, &plan);
	if (r < 0)
		goto done;
	if (a->target || cfg->target) {
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
	dbm_cmd_tally_begin(initial);
	if (cfg->validate_on_migrate) {
		/* Flyway fires the validate events for the validation migrate makes too */
		r = dbm_callback_fire(&s, DBM_EV_BEFORE_VALIDATE, 0);
		if (r < 0)
			goto done;
		r = dbm_report_issues(&plan, doc);
		if (r == 0)
			r = dbm_callback_fire(&s, DBM_EV_AFTER_VALIDATE, 0);
		else
			dbm_callback_fire_error(&s, DBM_EV_AFTER_VALIDATE_ERROR);
	} else {
		/* A failed migration always blocks: nothing may run on top of it. */
		for (i = 0; i < plan.nissues; i++) {
			if (plan.issues[i].kind == DBM_ISSUE_FAILED) {
				r = dbm_report_issues(&plan, doc);
				break;
			}
		}
	}
	if (r == 0 && cfg->validate_schema_on_migrate)
		r = migrate_check_drift(&s);
	if (r < 0) {
		if (doc) {
			json_object_set_new(doc, "operation", json_string("migrate"));
			dbm_out_json_with_error(doc);
			doc = NULL;
		}
		goto done;
	}
	/* the callbacks' order is Flyway's (docs/callbacks.md) */
	r = dbm_callback_fire(&s, DBM_EV_BEFORE_MIGRATE, 0);
	if (r < 0)
		goto done;
	if (a->skip_executing) {
		r = migrate_skip(&s, &plan, done_list, &applied);
		if (r < 0)
			goto failed;
	}
	if (!a->skip_executing && cfg->group && plan.ntodo > 1 && (r = migrate_group_begin(&s)) < 0)
		goto done;
	for (i = 0; !a->skip_executing && i < plan.ntodo; i++) {
		const struct dbm_plan_item *it = &plan.items[plan.todo[i]];
		struct dbm_run_result res;

		if (it->file->kind == DBM_FILE_REPEATABLE && !versioned_done) {
			versioned_done = 1;
			r = dbm_callback_fire(&s, DBM_EV_AFTER_VERSIONED, 0);
			if (r == 0)
				r = dbm_callback_fire(&s, DBM_EV_BEFORE_REPEATABLES, 0);
			if (r < 0)
				goto failed;
		}
		r = dbm_run_script(&s, DBM_RUN_MIGRATE, it->file, NULL, NULL, &res);
		if (r < 0) {
			if (s.group_tx)
				migrate_group_rollback(&s);
			dbm_callback_fire_error(&s, DBM_EV_AFTER_EACH_MIGRATE_ERROR);
			goto failed;
		}
		applied++;
		dbm_cmd_tally_step(it->version);
		if (done_list) {
			json_t *m = migrate_item_json(it);

			json_object_set_new(m, "executionTime", json_integer(res.executed_ms));
			json_array_append_new(done_list, m);
		}
	}
	if (s.group_tx && (r = migrate_group_commit(&s)) < 0)
		goto failed;
	if (!versioned_done)
		r = dbm_callback_fire(&s, DBM_EV_AFTER_VERSIONED, 0);
	if (r < 0)
		goto failed;
	if (applied > 0)
		r = dbm_callback_fire(&s, DBM_EV_AFTER_MIGRATE_APPLIED, 0);
	if (r == 0)
		r = dbm_callback_fire(&s, DBM_EV_AFTER_MIGRATE, 0);
	if (r < 0)
		goto done;
	{
		/* The version now: the highest versioned item applied in this run, else the
		 * initial. */
		const char *now = initial;
		int ms;

		for (i = 0; i < plan.ntodo; i++) {
			const struct dbm_plan_item *it = &plan.items[plan.todo[i]];

			if (it->version && (!now || dbm_version_cmp(it->version, now) > 0))
				now = it->version;
		}
		clock_gettime(CLOCK_MONOTONIC, &t1);
		ms = (int)((t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000);
		if (s.dry_run)
			dbm_out_text(
			    "-- dry run: %zu migration%s would be %s, nothing was changed\n",
			    applied, applied == 1 ? "" : "s",
			    a->skip_executing ? "recorded without running" : "applied");
		else if (a->skip_executing && applied > 0)
			dbm_out_text(
			    "Recorded %zu migration%s without running %s, now at version %s\n",
			    applied, applied == 1 ? "" : "s", applied == 1 ? "it" : "them",
			    now ? now : "<< none >>");
		else if (applied == 0)
			dbm_out_text("Schema is up to date at version %s; nothing to migrate\n",
			             now ? now : "<< empty >>");
		else
			dbm_out_text("Applied %zu migration%s, now at version %s (%d ms)\n",
			             applied, applied == 1 ? "" : "s", now ? now : "<< none >>",
			             ms);
		if (doc) {
			json_object_set_new(doc, "operation", json_string("migrate"));
			json_object_set_new(doc, "initialSchemaVersion",
			                    initial_copy ? dbm_json_text(initial_copy)
			                                 : json_null());
			json_object_set_new(doc, "targetSchemaVersion",
			                    now ? dbm_json_text(now) : json_null());
			json_object_set_new(
			    doc, "schemaName",
			    dbm_json_text(s.conn && s.conn->schema ? s.conn->schema : ""));
			json_object_set_new(doc, "migrationsExecuted",
			                    json_integer((json_int_t)applied));
			json_object_set_new(doc, "success", json_true());
			json_object_set_new(doc, "dryRun", json_boolean(s.dry_run));
			json_object_set_new(doc, "skipExecuting", json_boolean(a->skip_executing));
			json_object_set_new(doc, "totalMigrationTime", json_integer(ms));
			dbm_cmd_json_migrations_out(doc, done_list);
			done_list = NULL;
			doc = NULL;
		}
	}
	goto done;
failed:
	if (s.group_tx)
		migrate_group_rollback(&s);
	dbm_callback_fire_error(&s, DBM_EV_AFTER_MIGRATE_ERROR);
done:
	r = dbm_session_after_change(&s, r);
	json_decref(done_list);
	json_decref(doc);
	dbm_free(initial_copy);
	dbm_plan_free(&plan);
	dbm_session_close(&s);
	return r;
}
