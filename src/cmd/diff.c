/*
 * diff.c - compare two schemas object by object and report each table,
 * column, constraint, index, view, routine or trigger that was added,
 * removed or changed; exit 3 when they differ.
 *
 * Two sources: --from URL and --to URL (either one alone is compared with
 * the configured database); or, by default, the configured database
 * against what its applied migrations build in a shadow database:
 * --shadow URL (a database diff empties, then migrates) or --shadow auto
 * (a database made for the purpose on the same server and dropped
 * afterwards; a temporary file for SQLite). The report reads from the
 * expected schema to the live one: "added" is in the live database only.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd/cmd.h"
#include "output/output.h"
#include "output/report.h"
#include "runner/runner.h"

/* Dumps the database at url (with cfg's other settings) into out. 0 or the error. */
static int diff_dump_url(const struct dbm_config *cfg, const char *url, struct dbm_schema *out)
{
	struct dbm_config c = *cfg;
	struct dbm_session s;
	int r;

	c.url = (char *)url;
	r = dbm_session_open(&s, &c, DBM_SESSION_CONNECT, 0);
	if (r == 0)
		r = dbm_session_dump(&s, out);
	if (r < 0 && !dbm_error_last()->detail[0])
		dbm_error_set_detail("while reading the schema of %s", dbm_buf_cstr(&s.url));
	dbm_session_close(&s);
	return r;
}

/* Applies the migrations up to version (NULL: none) to url, quietly. 0 or the error. */
static int diff_shadow_migrate(const struct dbm_config *cfg, const char *url, const char *version)
{
	struct dbm_config c = *cfg;
	struct dbm_cmd_args a;
	int r;

	if (!version)
		return 0;
	c.url = (char *)url;
	c.schema_file = NULL; /* the user's schema file is the live database's */
	c.validate_on_migrate = 0;
	c.baseline_on_migrate = 0;
	c.out_of_order = 1;
	memset(&a, 0, sizeof(a));
	a.target = version;
	dbm_out_init(0, 1, 0);
	r = dbm_cmd_migrate(&c, &a);
	dbm_out_init(cfg->json, cfg->quiet, cfg->verbose);
	if (r < 0)
		dbm_error_set_detail("while building the shadow database from the migrations");
	return r;
}

/*
 * Dumps the configured database into live, and into expected what its
 * applied migrations (up to its current version) build in the shadow
 * database. 0 or the error.
 */
static int diff_shadow(const struct dbm_config *cfg, const char *shadow,
                       struct dbm_schema *expected, struct dbm_schema *live)
{
	struct dbm_session s;
	struct dbm_plan plan = DBM_PLAN_INIT;
	struct dbm_shadow sh;
	int r;

	memset(&sh, 0, sizeof(sh));
	r = dbm_session_open(&s, cfg, DBM_SESSION_FILES | DBM_SESSION_CONNECT, 0);
	if (r == 0)
		r = dbm_session_plan(&s, NULL, &plan);
	if (r == 0)
		r = dbm_session_dump(&s, live);
	if (r < 0)
		goto done;
	if (plan.baseline_version)
		dbm_out_warn("the database was baselined at %s: the shadow database gets every "
		             "migration up to %s, also those below the baseline",
		             plan.baseline_version,
		             plan.current_version ? plan.current_version : plan.baseline_version);
	if (strcmp(shadow, "auto") == 0)
		r = dbm_shadow_create(&s, &sh);
	else
		r = dbm_shadow_use(&s, shadow, &sh);
	if (r == 0)
		r = diff_shadow_migrate(cfg, sh.url.ptr, plan.current_version);
	if (r == 0)
		r = diff_dump_url(cfg, sh.url.ptr, expected);
done:
	dbm_shadow_drop(&s, &sh);
	dbm_plan_free(&plan);
	dbm_session_close(&s);
	return r;
}

/* Prints the report (text or JSON). */
static void diff_report(const struct dbm_schema_diff *d, const char *from, const char *to)
{
	if (dbm_out_is_json()) {
		json_t *doc = json_object();

		json_object_set_new(doc, "operation", dbm_json_text("diff"));
		json_object_set_new(doc, "from", dbm_json_text(from));
		json_object_set_new(doc, "to", dbm_json_text(to));
		json_object_set_new(doc, "equal", json_boolean(d->n == 0));
		json_object_set_new(doc, "differences", dbm_report_schema_diff_json(d));
		if (d->n)
			dbm_out_json_with_error(doc);
		else
			dbm_out_json(doc);
		return;
	}
	dbm_report_schema_diff(d, "");
	if (d->n == 0)
		dbm_out_text("The schemas are the same: %s and %s\n", from, to);
}

int dbm_cmd_diff(const struct dbm_config *cfg, const struct dbm_cmd_args *a)
{
	struct dbm_schema from = DBM_SCHEMA_INIT, to = DBM_SCHEMA_INIT;
	struct dbm_schema_diff d = DBM_SCHEMA_DIFF_INIT;
	struct dbm_buf from_name = DBM_BUF_INIT, to_name = DBM_BUF_INIT;
	int r;

	if ((a->from || a->to) && a->shadow) {
		dbm_error_set(DBM_ERR_USAGE, "--shadow cannot be used with --from or --to");
		dbm_error_set_hint(
		    "Compare two databases with --from URL --to URL, or the configured "
		    "database with its migrations with --shadow URL|auto.");
		return DBM_ERR_USAGE;
	}
	if (a->from || a->to) {
		const char *f = a->from ? a->from : cfg->url, *t = a->to ? a->to : cfg->url;

		r = dbm_url_redact(f, &from_name);
		if (r == 0)
			r = dbm_url_redact(t, &to_name);
		if (r == 0)
			r = diff_dump_url(cfg, f, &from);
		if (r == 0)
			r = diff_dump_url(cfg, t, &to);
	} else {
		r = dbm_buf_adds(&from_name, "the migrations");
		if (r == 0)
			r = dbm_url_redact(cfg->url, &to_name);
		if (r == 0)
			r = diff_shadow(cfg, a->shadow ? a->shadow : "auto", &from, &to);
	}
	if (r == 0)
		r = dbm_schema_diff(&from, &to, &d);
	if (r < 0)
		goto done;
	if (d.n) {
		dbm_error_set(DBM_ERR_VALIDATE, "the schemas differ: %zu difference%s", d.n,
		              d.n == 1 ? "" : "s");
		dbm_error_set_hint("The report reads from %s to %s: 'added' is only in the second.",
		                   from_name.ptr, to_name.ptr);
		r = DBM_ERR_VALIDATE;
	}
	diff_report(&d, from_name.ptr, to_name.ptr);
done:
	dbm_schema_diff_free(&d);
	dbm_schema_free(&from);
	dbm_schema_free(&to);
	dbm_buf_free(&from_name);
	dbm_buf_free(&to_name);
	return r;
}
