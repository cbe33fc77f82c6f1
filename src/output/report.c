/*
 * report.c - shared pieces of command output (report.h).
 */
#include <stdio.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>

#include "output/output.h"
#include "output/report.h"

const char *dbm_report_category(const struct dbm_plan_item *it)
{
	if (it->type && strcmp(it->type, "SCHEMA") == 0)
		return ""; /* Flyway's schema-creation marker is no migration */
	return it->category == DBM_CAT_REPEATABLE ? "Repeatable" : "Versioned";
}

/* Appends Java's nanosecond fraction: none when 0, else 3, 6 or 9 digits. */
static void report_fraction(char *out, size_t size, long nanos)
{
	if (nanos == 0)
		out[0] = '\0';
	else if (nanos % 1000000 == 0)
		snprintf(out, size, ".%03ld", nanos / 1000000);
	else if (nanos % 1000 == 0)
		snprintf(out, size, ".%06ld", nanos / 1000);
	else
		snprintf(out, size, ".%09ld", nanos);
}

/* Seconds since 1970 of a UTC wall time (timegm, which POSIX lacks): days from the civil date. */
static time_t report_timegm(const struct tm *tm)
{
	long long y = (long long)tm->tm_year + 1900 - (tm->tm_mon < 2);
	long long era = (y >= 0 ? y : y - 399) / 400;
	long long yoe = y - era * 400;
	long long m = tm->tm_mon + 1;
	long long doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + tm->tm_mday - 1;
	long long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	long long days = era * 146097 + doe - 719468;

	return (time_t)(days * 86400 + tm->tm_hour * 3600 + tm->tm_min * 60 + tm->tm_sec);
}

int dbm_report_instant(const char *text, int stored_utc, char *out, size_t size)
{
	struct tm tm, utc;
	char frac[32];
	const char *p;
	long nanos = 0, scale = 100000000;
	int n = 0;
	time_t t;

	snprintf(out, size, "%s", text ? text : "");
	if (!text)
		return -1;
	memset(&tm, 0, sizeof(tm));
	if (sscanf(text, "%4d-%2d-%2d%*1[ T]%2d:%2d:%2d%n", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
	           &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &n) != 6 ||
	    n == 0)
		return -1;
	p = text + n;
	if (*p == '.')
		for (p++; *p >= '0' && *p <= '9'; p++, scale /= 10)
			nanos += scale ? (*p - '0') * scale : 0;
	if (*p && strcmp(p, "+00") != 0 && strcmp(p, "Z") != 0)
		return -1; /* an offset other than UTC: leave it as the database wrote it */
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	tm.tm_isdst = -1;
	t = stored_utc || *p ? report_timegm(&tm) : mktime(&tm);
	if (t == (time_t)-1 || !gmtime_r(&t, &utc))
		return -1;
	report_fraction(frac, sizeof(frac), nanos);
	snprintf(out, size, "%04d-%02d-%02dT%02d:%02d:%02d%sZ", utc.tm_year + 1900, utc.tm_mon + 1,
	         utc.tm_mday, utc.tm_hour, utc.tm_min, utc.tm_sec, frac);
	return 0;
}

void dbm_report_local_now(char *out, size_t size)
{
	struct timeval tv;
	struct tm tm;
	char frac[32];

	gettimeofday(&tv, NULL);
	localtime_r(&tv.tv_sec, &tm);
	report_fraction(frac, sizeof(frac), (long)tv.tv_usec * 1000);
	snprintf(out, size, "%04d-%02d-%02dT%02d:%02d:%02d%s", tm.tm_year + 1900, tm.tm_mon + 1,
	         tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, frac);
}

json_t *dbm_report_item_json(const struct dbm_plan_item *it, int stored_utc)
{
	json_t *o = json_object();
	const struct dbm_history_row *row = it->row;
	char when[64] = "";

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
	if (row && row->installed_on)
		dbm_report_instant(row->installed_on, stored_utc, when, sizeof(when));
	json_object_set_new(o, "installedOnUTC", dbm_json_text(when));
	json_object_set_new(o, "installedBy",
	                    dbm_json_text(row && row->installed_by ? row->installed_by : ""));
	json_object_set_new(o, "installedRank",
	                    row ? json_integer(row->installed_rank) : json_null());
	json_object_set_new(o, "executionTime", json_integer(row ? row->execution_time : 0));
	json_object_set_new(o, "state", dbm_json_text(dbm_state_name(it->state)));
	json_object_set_new(
	    o, "undoable",
	    dbm_json_text(it->category == DBM_CAT_VERSIONED ? (it->undoable ? "Yes" : "No") : ""));
	/* Flyway writes "" when there is no file */
	dbm_json_set_text(o, "filepath", it->file ? it->file->path : "");
	dbm_json_set_text(o, "undoFilepath",
	                  it->file && it->file->undo ? it->file->undo->path : "");
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
				dbm_json_set_text(o, "description",
				                  it->description ? it->description : "");
				dbm_json_set_text(o, "filepath",
				                  it->file ? it->file->path
				                           : (it->script ? it->script : ""));
				json_object_set_new(o, "state",
				                    dbm_json_text(dbm_state_name(it->state)));
				json_object_set_new(err, "errorMessage",
				                    dbm_json_text(is->message));
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
	dbm_error_set(DBM_ERR_VALIDATE,
	              "validation failed: %zu problem%s between the history and the files",
	              p->nissues, p->nissues == 1 ? "" : "s");
	{
		char hint[1024] = "";
		size_t n = 0;

		if (kinds & (1u << DBM_ISSUE_FAILED))
			n += (size_t)snprintf(
			    hint + n, sizeof(hint) - n,
			    "%sA failed migration: fix the file or the database, then run "
			    "'dbmigrate repair' to remove the failed row.",
			    n ? " " : "");
		if (n < sizeof(hint) &&
		    (kinds & ((1u << DBM_ISSUE_CHANGED) | (1u << DBM_ISSUE_DESCRIPTION))))
			n += (size_t)snprintf(hint + n, sizeof(hint) - n,
			                      "%sAn applied file was edited: restore it, or run "
			                      "'dbmigrate repair' to accept the file as it is now.",
			                      n ? " " : "");
		if (n < sizeof(hint) && (kinds & (1u << DBM_ISSUE_MISSING)))
			n += (size_t)snprintf(hint + n, sizeof(hint) - n,
			                      "%sAn applied file is missing: restore it, or run "
			                      "'dbmigrate repair' to mark it deleted.",
			                      n ? " " : "");
		if (n < sizeof(hint) && (kinds & (1u << DBM_ISSUE_IGNORED)))
			n += (size_t)snprintf(
			    hint + n, sizeof(hint) - n,
			    "%sA pending version is lower than the applied ones: run with "
			    "--out-of-order to apply it anyway, or renumber it.",
			    n ? " " : "");
		if (n < sizeof(hint) && (kinds & (1u << DBM_ISSUE_FUTURE)))
			n += (size_t)snprintf(
			    hint + n, sizeof(hint) - n,
			    "%sA newer release applied versions this one does not have: run that "
			    "release, or add '*:future' to ignore_migration_patterns.",
			    n ? " " : "");
		if (n < sizeof(hint) && (kinds & (1u << DBM_ISSUE_PENDING)))
			snprintf(hint + n, sizeof(hint) - n,
			         "%sRun 'dbmigrate migrate' to apply the pending migrations.",
			         n ? " " : "");
		dbm_error_set_hint("%s", hint);
	}
	return DBM_ERR_VALIDATE;
}

const char *dbm_report_change_name(enum dbm_schema_change c)
{
	return c == DBM_CHANGE_ADDED ? "added" : c == DBM_CHANGE_REMOVED ? "removed" : "changed";
}

void dbm_report_schema_diff(const struct dbm_schema_diff *d, const char *indent)
{
	size_t i;

	for (i = 0; i < d->n; i++) {
		const struct dbm_schema_diff_item *it = &d->items[i];

		if (it->change == DBM_CHANGE_CHANGED && it->what &&
		    strcmp(it->what, "definition") != 0)
			dbm_out_text("%s%s %s: %s\n", indent, it->label, it->name, it->what);
		else
			dbm_out_text("%s%s %s: %s\n", indent, it->label, it->name,
			             dbm_report_change_name(it->change));
		if (it->text) {
			const char *p = it->text;

			while (*p) {
				size_t len = strcspn(p, "\n");

				dbm_out_text("%s    %.*s\n", indent, (int)len, p);
				p += len + (p[len] == '\n');
			}
		}
	}
}

json_t *dbm_report_schema_diff_json(const struct dbm_schema_diff *d)
{
	json_t *list = json_array();
	size_t i;

	for (i = 0; i < d->n; i++) {
		const struct dbm_schema_diff_item *it = &d->items[i];
		json_t *o = json_object();

		json_object_set_new(o, "change", dbm_json_text(dbm_report_change_name(it->change)));
		json_object_set_new(o, "kind", dbm_json_text(it->label));
		json_object_set_new(o, "name", dbm_json_text(it->name));
		if (it->what)
			json_object_set_new(o, "what", dbm_json_text(it->what));
		if (it->text)
			json_object_set_new(o, "diff", dbm_json_text(it->text));
		json_array_append_new(list, o);
	}
	return list;
}
