/*
 * drift.c - the schema drift report that info, validate, migrate
 * (validate_schema_on_migrate) and repair --accept-drift print: the live
 * schema against the snapshot taken after the last change (runner.h's
 * dbm_session_drift), one line per object as diff prints it.
 */
#include <stdio.h>

#include "cmd/cmd.h"
#include "output/output.h"
#include "output/report.h"
#include "runner/runner.h"

const char *dbm_cmd_drift_since(const struct dbm_drift *d, char *buf, size_t size)
{
	if (d->version.len)
		snprintf(buf, size, "version %s", d->version.ptr);
	else
		snprintf(buf, size, "installed_rank %d", d->rank);
	return buf;
}

void dbm_cmd_drift_text(const struct dbm_drift *d)
{
	char since[96];

	if (!d->has_snapshot) {
		dbm_out_text("No schema snapshot yet: 'dbmigrate repair --accept-drift' takes one "
		             "(migrate, rollback and baseline take one after each change)\n");
		return;
	}
	dbm_cmd_drift_since(d, since, sizeof(since));
	if (d->diff.n == 0) {
		dbm_out_text("Schema matches the snapshot taken after %s\n", since);
		return;
	}
	dbm_out_text("Schema drift since %s: %zu object%s differ%s\n", since, d->diff.n,
	             d->diff.n == 1 ? "" : "s", d->diff.n == 1 ? "s" : "");
	dbm_report_schema_diff(&d->diff, "  ");
	if (d->behind)
		dbm_out_text(
		    "  (the snapshot is older than the newest history row: a run stopped "
		    "before recording it. Check the differences, then record the schema with "
		    "'dbmigrate repair --accept-drift')\n");
}

json_t *dbm_cmd_drift_json(const struct dbm_drift *d)
{
	json_t *o = json_object();

	json_object_set_new(o, "snapshot", json_boolean(d->has_snapshot));
	if (!d->has_snapshot) {
		json_object_set_new(o, "hint",
		                    dbm_json_text("'dbmigrate repair --accept-drift' "
		                                  "takes a snapshot"));
		return o;
	}
	json_object_set_new(o, "version",
	                    d->version.len ? dbm_json_text(d->version.ptr) : json_null());
	json_object_set_new(o, "installedRank", json_integer(d->rank));
	json_object_set_new(o, "drift", json_boolean(d->diff.n > 0));
	json_object_set_new(o, "snapshotBehindHistory", json_boolean(d->behind));
	json_object_set_new(o, "differences", dbm_report_schema_diff_json(&d->diff));
	return o;
}
