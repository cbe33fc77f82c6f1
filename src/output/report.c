/*
 * report.c - shared pieces of command output (report.h).
 */
#include <stdio.h>
#include <string.h>

#include "output/output.h"
#include "output/report.h"

const char *dbm_report_category(const struct dbm_plan_item *it)
{
	if (it->type && strcmp(it->type, "SCHEMA") == 0)
		return ""; /* Flyway's schema-creation marker is no migration */
	return it->category == DBM_CAT_REPEATABLE ? "Repeatable" : "Versioned";
}

json_t *dbm_report_item_json(const struct dbm_plan_item *it)
{
	json_t *o = json_object();
	const struct dbm_history_row *row = it->row;

	if (!o)
		return NULL;
	json_object_set_new(o, "category", dbm_json_text(dbm_report_category(it)));
	json_object_set_new(o, "version", dbm_json_text(it->version ? it->version : ""));
	dbm_json_set_text(o, "description", it->description ? it->description : "");
	json_object_set_new(o, "type", dbm_json_text(it->type ? it->type : "SQL"));
	dbm_json_set_text(o, "script", it->script ? it->script : "");
	if (row && row->has_checksum)
		json_object_set_new(o, "checksum", json_integer(row->checksum));
	else if (it->file && it->file->has_checksum)
		json_object_set_new(o, "checksum", json_integer(it->file->checksum));
	else
		json_object_set_new(o, "checksum", json_null());
	json_object_set_new(o, "installedOnUTC",
			    dbm_json_text(row && row->installed_on ? row->installed_on : ""));
	json_object_set_new(o, "installedBy",
			    dbm_json_text(row && row->installed_by ? row->installed_by : ""));
	json_object_set_new(o, "installedRank", row ? json_integer(row->installed_rank) : json_null());
	json_object_set_new(o, "executionTime", json_integer(row ? row->execution_time : 0));
	json_object_set_new(o, "state", dbm_json_text(dbm_state_name(it->state)));
	json_object_set_new(o, "undoable",
			    dbm_json_text(it->category == DBM_CAT_VERSIONED
					    ? (it->undoable ? "Yes" : "No") : ""));
	if (it->file)
		dbm_json_set_text(o, "filepath", it->file->path);
	return o;
}

int dbm_report_issues(const struct dbm_plan *p, json_t *doc)
{
	json_t *arr = doc ? json_array() : NULL;
	unsigned kinds = 0;
	size_t i;

	for (i = 0; i < p->nissues; i++) {
		const struct dbm_issue *is = &p->issues[i];
		const struct dbm_plan_item *it = &p->items[is->item];

		kinds |= 1u << is->kind;
		fprintf(stderr, "dbmigrate: %s\n", is->message);
		if (arr) {
			json_t *o = json_object();
			json_t *err = json_object();

			if (o && err) {
				json_object_set_new(o, "version",
						    dbm_json_text(it->version ? it->version : ""));
				dbm_json_set_text(o, "description", it->description ? it->description : "");
				dbm_json_set_text(o, "filepath", it->file ? it->file->path
									 : (it->script ? it->script : ""));
				json_object_set_new(o, "state", dbm_json_text(dbm_state_name(it->state)));
				json_object_set_new(err, "errorMessage", dbm_json_text(is->message));
				json_object_set_new(o, "errorDetails", err);
				json_array_append_new(arr, o);
			} else {
				json_decref(o);
				json_decref(err);
			}
		}
	}
	if (doc)
		json_object_set_new(doc, "invalidMigrations", arr ? arr : json_array());
	if (!p->nissues)
		return 0;
	dbm_error_set(DBM_ERR_VALIDATE, "validation failed: %zu problem%s between the history and the files",
		      p->nissues, p->nissues == 1 ? "" : "s");
	{
		char hint[1024] = "";
		size_t n = 0;

		if (kinds & (1u << DBM_ISSUE_FAILED))
			n += (size_t)snprintf(hint + n, sizeof(hint) - n, "%sA failed migration: fix the file or the database, then run 'dbmigrate repair' to remove the failed row.", n ? " " : "");
		if (n < sizeof(hint) && (kinds & ((1u << DBM_ISSUE_CHANGED) | (1u << DBM_ISSUE_DESCRIPTION))))
			n += (size_t)snprintf(hint + n, sizeof(hint) - n, "%sAn applied file was edited: restore it, or run 'dbmigrate repair' to accept the file as it is now.", n ? " " : "");
		if (n < sizeof(hint) && (kinds & (1u << DBM_ISSUE_MISSING)))
			n += (size_t)snprintf(hint + n, sizeof(hint) - n, "%sAn applied file is missing: restore it, or run 'dbmigrate repair' to mark it deleted.", n ? " " : "");
		if (n < sizeof(hint) && (kinds & (1u << DBM_ISSUE_IGNORED)))
			n += (size_t)snprintf(hint + n, sizeof(hint) - n, "%sA pending version is lower than the applied ones: run with --out-of-order to apply it anyway, or renumber it.", n ? " " : "");
		if (n < sizeof(hint) && (kinds & (1u << DBM_ISSUE_PENDING)))
			snprintf(hint + n, sizeof(hint) - n, "%sRun 'dbmigrate migrate' to apply the pending migrations.", n ? " " : "");
		dbm_error_set_hint("%s", hint);
	}
	return DBM_ERR_VALIDATE;
}
