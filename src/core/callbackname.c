/*
 * callbackname.c - the names of Flyway's SQL callbacks (scan.h).
 *
 * A file named after a callback event, EVENT.sql or EVENT__description.sql
 * (beforeMigrate.sql, afterEachMigrate__grants.sql), is a callback, not a
 * migration: the runner runs it at that event (runner/callback.c). The
 * names are Flyway's, spelled exactly; a name that is close to one but
 * misspelt (other letter case, one underscore) is refused with the right
 * spelling instead of being read as a bad migration name. Called by the
 * scanner (scan.c) before the migration-name grammar (filename.c).
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "dbmigrate/common.h"
#include "dbmigrate/scan.h"

/* In the order of enum dbm_event. */
static const char *const callback_events[DBM_EV_COUNT] = {
    "beforeMigrate",      "beforeEachMigrate",  "afterEachMigrate",    "afterEachMigrateError",
    "beforeRepeatables",  "afterVersioned",     "afterMigrateApplied", "afterMigrate",
    "afterMigrateError",  "beforeUndo",         "beforeEachUndo",      "afterEachUndo",
    "afterEachUndoError", "afterUndo",          "afterUndoError",      "beforeValidate",
    "afterValidate",      "afterValidateError", "beforeInfo",          "afterInfo",
    "afterInfoError",     "beforeRepair",       "afterRepair",         "afterRepairError",
    "beforeBaseline",     "afterBaseline",      "afterBaselineError",  "beforeClean",
    "afterClean",         "afterCleanError",    "beforeConnect",       "afterConnect",
};

/*
 * Flyway's events that dbmigrate does not fire: the statement-level ones of
 * Flyway Teams, and createSchema. A callback named after one is refused
 * rather than read as a badly named migration.
 */
static const char *const callback_unsupported[] = {
    "beforeEachMigrateStatement",
    "afterEachMigrateStatement",
    "afterEachMigrateStatementError",
    "beforeEachUndoStatement",
    "afterEachUndoStatement",
    "afterEachUndoStatementError",
    "createSchema",
};

const char *dbm_event_name(int event)
{
	return event >= 0 && event < DBM_EV_COUNT ? callback_events[event] : NULL;
}

/* The event named by the len bytes at s, exactly (ci 0) or ignoring case (ci 1); -1 when none. */
static int callback_find(const char *s, size_t len, int ci)
{
	int i;

	for (i = 0; i < DBM_EV_COUNT; i++)
		if (strlen(callback_events[i]) == len &&
		    (ci ? strncasecmp(s, callback_events[i], len)
		        : strncmp(s, callback_events[i], len)) == 0)
			return i;
	return -1;
}

/*
 * The longest event whose name starts stem (ignoring case) and is followed
 * there by a separator that is not "__": the near miss "beforeMigrate_x".
 * Returns the event and sets *rest past the separators, or -1.
 */
static int callback_prefix(const char *stem, size_t len, size_t *rest)
{
	int i, best = -1;
	size_t blen = 0;

	for (i = 0; i < DBM_EV_COUNT; i++) {
		size_t el = strlen(callback_events[i]);

		if (el <= blen || el >= len || strncasecmp(stem, callback_events[i], el) != 0)
			continue;
		if (!strchr("_-. ", stem[el]))
			continue;
		best = i;
		blen = el;
	}
	if (best < 0)
		return -1;
	*rest = blen;
	while (*rest < len && strchr("_-. ", stem[*rest]))
		(*rest)++;
	return best;
}

/* See scan.h. */
int dbm_parse_callback_name(const char *name, int *event, char **description, char *suggest,
                            size_t size)
{
	size_t len = strlen(name), head, rest, i;
	const char *sep;
	int ev;

	*description = NULL;
	if (size)
		suggest[0] = '\0';
	if (len < 4 || strcasecmp(name + len - 4, ".sql") != 0)
		return 0;
	len -= 4;
	sep = strstr(name, "__");
	head = sep && (size_t)(sep - name) < len ? (size_t)(sep - name) : len;
	ev = callback_find(name, head, 0);
	if (ev >= 0 && strcmp(name + len, ".sql") == 0 && head + 2 != len) {
		size_t dlen = head < len ? len - head - 2 : 0;
		char *copy = dbm_strndup(name + len - dlen, dlen);

		if (!copy)
			return dbm_error_oom();
		for (i = 0; copy[i]; i++)
			if (copy[i] == '_')
				copy[i] = ' ';
		*event = ev;
		*description = copy;
		return 1;
	}
	for (i = 0; ev < 0 && i < sizeof(callback_unsupported) / sizeof(callback_unsupported[0]);
	     i++) {
		if (strlen(callback_unsupported[i]) == head &&
		    strncasecmp(name, callback_unsupported[i], head) == 0) {
			snprintf(suggest, size, "%s", callback_unsupported[i]);
			return DBM_CALLBACK_UNSUPPORTED;
		}
	}
	if (ev < 0)
		ev = callback_find(name, head, 1);
	if (ev >= 0) {
		/* other letter case, ".SQL", or "EVENT__.sql" */
		if (head + 2 == len || head == len)
			snprintf(suggest, size, "%s.sql", callback_events[ev]);
		else
			snprintf(suggest, size, "%s__%.*s.sql", callback_events[ev],
			         (int)(len - head - 2), name + head + 2);
		return DBM_ERR_USAGE;
	}
	ev = callback_prefix(name, len, &rest);
	if (ev < 0)
		return 0;
	if (rest == len)
		snprintf(suggest, size, "%s.sql", callback_events[ev]);
	else
		snprintf(suggest, size, "%s__%.*s.sql", callback_events[ev], (int)(len - rest),
		         name + rest);
	return DBM_ERR_USAGE;
}
