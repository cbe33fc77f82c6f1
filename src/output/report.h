/*
 * report.h - the parts of command output that several commands share: a
 * plan item as JSON (Flyway's key names) and the validation findings.
 */
#ifndef DBM_REPORT_H
#define DBM_REPORT_H

#include <jansson.h>

#include "dbmigrate/plan.h"

/* "Versioned" / "Repeatable". */
const char *dbm_report_category(const struct dbm_plan_item *it);
/* One migration as JSON: category, version, description, type, script, checksum, ... */
json_t *dbm_report_item_json(const struct dbm_plan_item *it);
/*
 * Prints each finding on stderr ("dbmigrate: <message>") and, when doc is
 * not NULL, adds them to doc as "invalidMigrations". When there are
 * findings, sets DBM_ERR_VALIDATE with a hint for the kinds found and
 * returns it; returns 0 when there are none.
 */
int dbm_report_issues(const struct dbm_plan *p, json_t *doc);

#endif /* DBM_REPORT_H */
