/*
 * plan.h - the planner: (files, history rows, options) -> every migration's
 * state, the validation findings and the ordered work for migrate/rollback.
 *
 * A pure function: no I/O, no database. Checksums of the files must be
 * computed (has_checksum) before planning for Changed/Outdated to be found;
 * a file without a checksum is never reported as changed.
 *
 * States (Flyway's names, plus Changed):
 *   Pending        versioned file not applied (or undone) and due to run; repeatable never applied
 *   Success        applied, file present and unchanged
 *   Failed         the version's latest row has success = false (file present or not)
 *   Missing        applied (success) but its file is gone, version <= highest file version
 *   Future         applied, file gone, version > highest file version
 *   Ignored        not applied, version below the highest applied one, out_of_order off
 *   Out of Order   applied after a higher version had been applied
 *   Outdated       repeatable applied, but its file's checksum differs now: migrate reruns it
 *   Superseded     an older run of a repeatable that has run again since
 *   Undone         was applied, then rolled back (latest row UNDO_SQL): migrate applies it again
 *   Baseline       the baseline row
 *   Below Baseline file version <= baseline version, never applied: never runs
 *   Above Target   pending but above --target
 *   Changed        versioned, applied, the file's checksum differs from the row: drift
 *   Deleted        applied, file gone, and repair recorded a DELETE row: validate ignores it
 */
#ifndef DBM_PLAN_H
#define DBM_PLAN_H

#include <stddef.h>

#include "dbmigrate/history.h"
#include "dbmigrate/scan.h"

enum dbm_state {
	DBM_ST_PENDING,
	DBM_ST_SUCCESS,
	DBM_ST_FAILED,
	DBM_ST_MISSING,
	DBM_ST_FUTURE,
	DBM_ST_IGNORED,
	DBM_ST_OUT_OF_ORDER,
	DBM_ST_OUTDATED,
	DBM_ST_SUPERSEDED,
	DBM_ST_UNDONE,
	DBM_ST_BASELINE,
	DBM_ST_BELOW_BASELINE,
	DBM_ST_ABOVE_TARGET,
	DBM_ST_CHANGED,
	DBM_ST_DELETED
};

enum dbm_category { DBM_CAT_VERSIONED, DBM_CAT_REPEATABLE };

struct dbm_plan_item {
	enum dbm_category category;
	enum dbm_state state;
	const char *version;         /* NULL for repeatables */
	const char *description;     /* the file's, else the row's */
	const char *type;            /* "SQL", "BASELINE", ... */
	const char *script;          /* the file's, else the row's */
	const struct dbm_file *file; /* NULL when there is no file */
	const struct dbm_history_row
	    *row;     /* the row that decides the state, NULL when never applied */
	int undoable; /* a versioned file with an undo file */
};

/* A validation finding: what validate prints and migrate refuses on (exit 3). */
enum dbm_issue_kind {
	DBM_ISSUE_CHANGED,     /* checksum differs (versioned or repeatable with a missing rerun not
	                          possible) */
	DBM_ISSUE_DESCRIPTION, /* description differs from the row's */
	DBM_ISSUE_MISSING,     /* applied, file gone (not Future, not Deleted) */
	DBM_ISSUE_FAILED,      /* latest row failed */
	DBM_ISSUE_IGNORED,     /* pending version below the highest applied, out_of_order off */
	DBM_ISSUE_PENDING,     /* only when opts.pending_is_issue: validate run with that option */
	DBM_ISSUE_FUTURE       /* applied, file gone, above every file; ignored by "*:future" */
};

struct dbm_issue {
	enum dbm_issue_kind kind;
	size_t item;   /* index into plan.items */
	char *message; /* one line naming the version/script and what differs; owned */
};

struct dbm_plan_opts {
	const char *target;   /* NULL: latest; "current" is resolved by the caller */
	int out_of_order;     /* pending versions below the highest applied run (not Ignored) */
	int pending_is_issue; /* report pending migrations as issues */
	/* Flyway's ignoreMigrationPatterns: findings they match are no issue; NULL: "*:future" */
	const char *ignore_patterns;
};

struct dbm_plan {
	struct dbm_plan_item *items; /* info order: applied rows by rank first, then the rest by
	                                version, repeatables last */
	size_t nitems;
	size_t *todo; /* migrate: indices into items, in run order (versions ascending, then
	                 repeatables by description) */
	size_t ntodo;
	struct dbm_issue *issues;
	size_t nissues;
	const char *current_version;  /* highest applied (success) version, baseline included; NULL
	                                 when none */
	const char *baseline_version; /* NULL when no baseline row */
};

#define DBM_PLAN_INIT                                                                              \
	{                                                                                          \
		NULL, 0, NULL, 0, NULL, 0, NULL, NULL                                              \
	}

/*
 * Builds the plan. The plan borrows from files and history: keep them alive
 * while it is used. Returns 0 or DBM_ERR_NOMEM (on error *out is empty).
 * Validation findings are data in plan->issues, not an error.
 */
int dbm_plan_build(const struct dbm_fileset *files, const struct dbm_history *history,
                   const struct dbm_plan_opts *opts, struct dbm_plan *out);
void dbm_plan_free(struct dbm_plan *p);

/*
 * Checks a list of Flyway ignore patterns: "type:status" separated by
 * commas, type one of *, versioned, repeatable and status one of *,
 * missing, pending, ignored, future (any case). Returns 0, or
 * DBM_ERR_USAGE naming the first pattern that is not one (error set,
 * without a place: the caller adds it).
 */
int dbm_plan_check_patterns(const char *patterns);

/* The state's display name ("Out of Order"). */
const char *dbm_state_name(enum dbm_state s);

/*
 * Rollback selection: applied versions (latest row SQL with success, not the
 * baseline, not Deleted), newest version first. steps > 0 takes that many;
 * to_version != NULL takes every applied version above it ("0": all) and
 * steps is ignored. Fills *out with item indices (allocated, caller frees
 * with dbm_free) and *n. When some selected version has no undo file,
 * returns DBM_ERR_USAGE with the message "no undo script for version ..."
 * and detail listing each such version and the expected file name
 * (<rollback_dir>/U<version>__<description>.sql; rollback_dir NULL:
 * "rollback"), and *out NULL. DBM_ERR_NOMEM.
 */
int dbm_plan_rollback(const struct dbm_plan *p, int steps, const char *to_version,
                      const char *rollback_dir, size_t **out, size_t *n);

#endif /* DBM_PLAN_H */
