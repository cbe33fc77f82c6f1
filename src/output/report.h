/*
 * report.h - the parts of command output that several commands share: a
 * plan item as JSON (Flyway's key names), the validation findings, and the
 * object-level report of two schemas (diff, and the drift that info,
 * validate and repair print).
 */
#ifndef DBM_REPORT_H
#define DBM_REPORT_H

#include <jansson.h>

#include "dbmigrate/plan.h"
#include "dbmigrate/schema.h"

/* "Versioned" / "Repeatable". */
const char *dbm_report_category(const struct dbm_plan_item *it);
/*
 * One migration as JSON with Flyway's InfoOutput keys (category, version,
 * description, type, installedOnUTC, state, undoable, filepath,
 * undoFilepath, installedBy, executionTime) and dbmigrate's own (script,
 * checksum, installedRank). stored_utc: the history's installed_on is UTC
 * wall time (SQLite's); else it is the server session's local time and is
 * read in this process's time zone, as Flyway's JVM reads it. A new
 * reference, NULL when out of memory.
 */
json_t *dbm_report_item_json(const struct dbm_plan_item *it, int stored_utc);
/*
 * A history timestamp ("2024-01-15 10:30:45.123", 'T' accepted too) as
 * Flyway's Instant text in UTC, "2024-01-15T10:30:45.123Z" (the fraction in
 * groups of three digits, none when zero), in out (size bytes).
 * stored_utc as above. Returns 0, or -1 when text is not such a timestamp
 * (out is then text as it is, cut to fit).
 */
int dbm_report_instant(const char *text, int stored_utc, char *out, size_t size);
/* The local time now as Java's LocalDateTime prints it ("2024-01-15T10:30:45.123"), in out. */
void dbm_report_local_now(char *out, size_t size);
/*
 * Prints each finding on stderr ("dbmigrate: <message>") and, when doc is
 * not NULL, adds them to doc as "invalidMigrations". When there are
 * findings, sets DBM_ERR_VALIDATE with a hint for the kinds found and
 * returns it; returns 0 when there are none.
 */
int dbm_report_issues(const struct dbm_plan *p, json_t *doc);

/* "added", "removed" or "changed". */
const char *dbm_report_change_name(enum dbm_schema_change c);
/*
 * Prints one line per difference on stdout ("column users.email: type
 * text -> varchar(200)", "index idx_x: added"), each changed definition's
 * short unified diff indented below, every line after indent. What diff,
 * info, validate and repair --accept-drift print.
 */
void dbm_report_schema_diff(const struct dbm_schema_diff *d, const char *indent);
/* The differences as a JSON array of {change, kind, name, what?, diff?}. */
json_t *dbm_report_schema_diff_json(const struct dbm_schema_diff *d);

#endif /* DBM_REPORT_H */
