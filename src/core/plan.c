/*
 * plan.c - the planner (plan.h): files + history rows + options -> the state
 * of every migration, the validation findings, and the work for migrate and
 * rollback.
 *
 * A pure function with Flyway's semantics: a version's state is decided by
 * its latest row (highest installed_rank), repeatables are matched to their
 * files by description, and SCHEMA rows (Flyway's schema-creation marker)
 * are shown but never affect a version. The commands (migrate, info,
 * validate, rollback, repair) call it after reading the history table; it
 * does no I/O. docs/states.md describes every state for users.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "dbmigrate/common.h"
#include "dbmigrate/plan.h"
#include "dbmigrate/version.h"

/* What a history row means to the planner, from its type column. */
enum plan_row_kind {
	PLAN_ROW_APPLY,    /* SQL and every other type that ran a migration (JDBC, ...) */
	PLAN_ROW_BASELINE, /* BASELINE, SQL_BASELINE */
	PLAN_ROW_UNDO,     /* UNDO_SQL */
	PLAN_ROW_DELETE,   /* DELETE: repair marked a missing file deleted */
	PLAN_ROW_SCHEMA    /* SCHEMA: Flyway's schema-creation marker */
};

/* What the history says of a versioned file (plan_build.vused). */
enum {
	PLAN_FILE_APPLIED = 1, /* its latest row applied it (or failed, or marked it deleted) */
	PLAN_FILE_UNDONE = 2   /* its latest row undid it: it is pending again */
};

/* Work space while building one plan. */
struct plan_build {
	const struct dbm_fileset *files;
	const struct dbm_history *history;
	const struct dbm_plan_opts *opts;
	struct dbm_plan *p;
	const struct dbm_history_row **vrows; /* versioned rows by version, then rank */
	size_t nvrows;
	const struct dbm_history_row **rrows; /* repeatable rows by description, then rank */
	size_t nrrows;
	unsigned char *vused; /* files->versioned[i]: PLAN_FILE_APPLIED, _UNDONE, or 0 (no row) */
	unsigned char *rused; /* files->repeatable[i] has an applied item */
	const char *max_file_version;
	size_t cap_issues;
};

static const char *const plan_state_names[] = {
    [DBM_ST_PENDING] = "Pending",
    [DBM_ST_SUCCESS] = "Success",
    [DBM_ST_FAILED] = "Failed",
    [DBM_ST_MISSING] = "Missing",
    [DBM_ST_FUTURE] = "Future",
    [DBM_ST_IGNORED] = "Ignored",
    [DBM_ST_OUT_OF_ORDER] = "Out of Order",
    [DBM_ST_OUTDATED] = "Outdated",
    [DBM_ST_SUPERSEDED] = "Superseded",
    [DBM_ST_UNDONE] = "Undone",
    [DBM_ST_BASELINE] = "Baseline",
    [DBM_ST_BELOW_BASELINE] = "Below Baseline",
    [DBM_ST_ABOVE_TARGET] = "Above Target",
    [DBM_ST_CHANGED] = "Changed",
    [DBM_ST_DELETED] = "Deleted",
};

/* The display name of s; "Unknown" for a value outside the enum. */
const char *dbm_state_name(enum dbm_state s)
{
	if ((unsigned)s >= DBM_ARRAY_SIZE(plan_state_names) || !plan_state_names[s])
		return "Unknown";
	return plan_state_names[s];
}

static enum plan_row_kind plan_row_kind(const struct dbm_history_row *r)
{
	const char *t = r->type ? r->type : "";

	if (!strcmp(t, "SCHEMA"))
		return PLAN_ROW_SCHEMA;
	if (!strcmp(t, "BASELINE") || !strcmp(t, "SQL_BASELINE"))
		return PLAN_ROW_BASELINE;
	if (!strcmp(t, "UNDO_SQL"))
		return PLAN_ROW_UNDO;
	if (!strcmp(t, "DELETE"))
		return PLAN_ROW_DELETE;
	return PLAN_ROW_APPLY;
}

/* 1 when the row leaves its version applied: a successful run or baseline. */
static int plan_row_applied(const struct dbm_history_row *r)
{
	enum plan_row_kind k = plan_row_kind(r);

	return r->success && (k == PLAN_ROW_APPLY || k == PLAN_ROW_BASELINE);
}

static int plan_rank_cmp(int a, int b)
{
	return (a > b) - (a < b);
}

static int plan_vrow_cmp(const void *a, const void *b)
{
	const struct dbm_history_row *x = *(const struct dbm_history_row *const *)a;
	const struct dbm_history_row *y = *(const struct dbm_history_row *const *)b;
	int c = dbm_version_cmp(x->version, y->version);

	return c ? c : plan_rank_cmp(x->installed_rank, y->installed_rank);
}

static int plan_rrow_cmp(const void *a, const void *b)
{
	const struct dbm_history_row *x = *(const struct dbm_history_row *const *)a;
	const struct dbm_history_row *y = *(const struct dbm_history_row *const *)b;
	int c = strcmp(x->description, y->description);

	return c ? c : plan_rank_cmp(x->installed_rank, y->installed_rank);
}

/* Items with a row sort by that row's rank (every such item has one). */
static int plan_item_rank_cmp(const void *a, const void *b)
{
	const struct dbm_plan_item *x = a, *y = b;

	return plan_rank_cmp(x->row->installed_rank, y->row->installed_rank);
}

/* Index of the versioned file with version v, or (size_t)-1. */
static size_t plan_find_versioned(const struct dbm_fileset *fs, const char *v)
{
	size_t lo = 0, hi = fs->nversioned;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = dbm_version_cmp(fs->versioned[mid].version, v);

		if (c == 0)
			return mid;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return (size_t)-1;
}

/* Index of the first repeatable file with description d, or (size_t)-1. */
static size_t plan_find_repeatable(const struct dbm_fileset *fs, const char *d)
{
	size_t i;

	for (i = 0; i < fs->nrepeatable; i++)
		if (!strcmp(fs->repeatable[i].description, d))
			return i;
	return (size_t)-1;
}

/* 1 when both the file and the row have checksums and they differ. */
static int plan_checksum_differs(const struct dbm_file *f, const struct dbm_history_row *r)
{
	return f && f->has_checksum && r->has_checksum && f->checksum != r->checksum;
}

/*
 * Collects and sorts the versioned and repeatable rows (SCHEMA rows aside).
 * Returns 0 or DBM_ERR_NOMEM.
 */
static int plan_group_rows(struct plan_build *b)
{
	const struct dbm_history *h = b->history;
	size_t i;

	b->vrows = dbm_calloc(h->n ? h->n : 1, sizeof(*b->vrows));
	b->rrows = dbm_calloc(h->n ? h->n : 1, sizeof(*b->rrows));
	if (!b->vrows || !b->rrows)
		return dbm_error_oom();
	for (i = 0; i < h->n; i++) {
		const struct dbm_history_row *r = &h->rows[i];

		if (plan_row_kind(r) == PLAN_ROW_SCHEMA)
			continue;
		if (r->version)
			b->vrows[b->nvrows++] = r;
		else
			b->rrows[b->nrrows++] = r;
	}
	if (b->nvrows > 1)
		dbm_sort(b->vrows, b->nvrows, sizeof(*b->vrows), plan_vrow_cmp);
	if (b->nrrows > 1)
		dbm_sort(b->rrows, b->nrrows, sizeof(*b->rrows), plan_rrow_cmp);
	return 0;
}

/* 1 when vrows[i] is the latest row of its version. */
static int plan_vrow_is_latest(const struct plan_build *b, size_t i)
{
	return i + 1 == b->nvrows ||
	       dbm_version_cmp(b->vrows[i]->version, b->vrows[i + 1]->version) != 0;
}

/* Sets current_version and baseline_version from the rows. */
static void plan_find_current(struct plan_build *b)
{
	const struct dbm_history_row *baseline = NULL;
	size_t i;

	for (i = 0; i < b->nvrows; i++) {
		const struct dbm_history_row *r = b->vrows[i];

		if (plan_row_kind(r) == PLAN_ROW_BASELINE && r->success &&
		    (!baseline || r->installed_rank > baseline->installed_rank))
			baseline = r;
		if (plan_vrow_is_latest(b, i) && plan_row_applied(r))
			b->p->current_version = r->version; /* ascending: the last wins */
	}
	b->p->baseline_version = baseline ? baseline->version : NULL;
	if (b->files->nversioned)
		b->max_file_version = b->files->versioned[b->files->nversioned - 1].version;
}

/*
 * The state of a version that is not applied (never, or undone): Below
 * Baseline, Above Target, Ignored, or `due` (Pending or Undone), in Flyway's
 * order of checks.
 */
static enum dbm_state plan_unapplied_state(const struct plan_build *b, const char *version,
                                           enum dbm_state due)
{
	const struct dbm_plan *p = b->p;

	if (due == DBM_ST_PENDING && p->baseline_version &&
	    dbm_version_cmp(version, p->baseline_version) <= 0)
		return DBM_ST_BELOW_BASELINE;
	if (b->opts->target && dbm_version_cmp(version, b->opts->target) > 0)
		return DBM_ST_ABOVE_TARGET;
	if (!b->opts->out_of_order && p->current_version &&
	    dbm_version_cmp(version, p->current_version) < 0)
		return DBM_ST_IGNORED;
	return due;
}

/* The state of a version from its latest row r and its file f (may be NULL). */
static enum dbm_state plan_versioned_state(const struct plan_build *b,
                                           const struct dbm_history_row *r,
                                           const struct dbm_file *f)
{
	switch (plan_row_kind(r)) {
	case PLAN_ROW_DELETE:
		return DBM_ST_DELETED;
	case PLAN_ROW_UNDO:
		/* the file, if any, gets an item of its own: Pending again (plan_unapplied_items)
		 */
		return r->success ? DBM_ST_UNDONE : DBM_ST_FAILED;
	case PLAN_ROW_BASELINE:
		return r->success ? DBM_ST_BASELINE : DBM_ST_FAILED;
	default:
		break;
	}
	if (!r->success)
		return DBM_ST_FAILED;
	if (!f) {
		if (!b->max_file_version || dbm_version_cmp(r->version, b->max_file_version) > 0)
			return DBM_ST_FUTURE;
		return DBM_ST_MISSING;
	}
	if (plan_checksum_differs(f, r))
		return DBM_ST_CHANGED;
	return DBM_ST_SUCCESS;
}

/* The state of a repeatable's row r; latest: it is the description's latest row. */
static enum dbm_state plan_repeatable_state(const struct dbm_history_row *r,
                                            const struct dbm_file *f, int latest)
{
	if (!latest)
		return DBM_ST_SUPERSEDED;
	if (plan_row_kind(r) == PLAN_ROW_DELETE)
		return f ? DBM_ST_PENDING : DBM_ST_DELETED; /* a file that came back runs again */
	if (!r->success)
		return DBM_ST_FAILED;
	if (!f)
		return DBM_ST_MISSING;
	if (plan_checksum_differs(f, r))
		return DBM_ST_OUTDATED;
	return DBM_ST_SUCCESS;
}

/* Fills an item from a row and its file (either may be NULL, not both). */
static void plan_fill_item(struct dbm_plan_item *it, enum dbm_category cat,
                           const struct dbm_history_row *r, const struct dbm_file *f)
{
	if (!r && !f)
		return; /* never called so; keeps the item zeroed rather than crash */
	it->category = cat;
	it->row = r;
	it->file = f;
	it->version = cat == DBM_CAT_VERSIONED ? (f ? f->version : r->version) : NULL;
	it->description = f ? f->description : r->description;
	it->script = f ? f->script : r->script;
	it->type = r ? r->type : "SQL";
	it->undoable = cat == DBM_CAT_VERSIONED && f && f->undo;
}

/* Appends the items that have rows, in installed_rank order. */
static void plan_applied_items(struct plan_build *b)
{
	const struct dbm_fileset *fs = b->files;
	struct dbm_plan *p = b->p;
	size_t i, start = p->nitems;

	for (i = 0; i < b->history->n; i++) {
		const struct dbm_history_row *r = &b->history->rows[i];
		struct dbm_plan_item *it;

		if (plan_row_kind(r) != PLAN_ROW_SCHEMA)
			continue;
		it = &p->items[p->nitems++];
		plan_fill_item(it, DBM_CAT_VERSIONED, r, NULL);
		it->state = DBM_ST_SUCCESS;
	}
	for (i = 0; i < b->nvrows; i++) {
		const struct dbm_history_row *r = b->vrows[i];
		const struct dbm_file *f = NULL;
		struct dbm_plan_item *it;
		size_t fi;

		if (!plan_vrow_is_latest(b, i))
			continue;
		fi = plan_find_versioned(fs, r->version);
		if (fi != (size_t)-1)
			f = &fs->versioned[fi];
		it = &p->items[p->nitems++];
		plan_fill_item(it, DBM_CAT_VERSIONED, r, f);
		it->state = plan_versioned_state(b, r, f);
		if (fi != (size_t)-1)
			b->vused[fi] =
			    it->state == DBM_ST_UNDONE ? PLAN_FILE_UNDONE : PLAN_FILE_APPLIED;
		if (it->state == DBM_ST_UNDONE) {
			/* the row shows what happened; the file's own item is what runs next */
			it->file = NULL;
			it->undoable = 0;
		}
		if (it->state == DBM_ST_BASELINE) {
			it->description = r->description;
			it->script = r->script;
			it->undoable = 0;
		}
	}
	for (i = 0; i < b->nrrows; i++) {
		const struct dbm_history_row *r = b->rrows[i];
		int latest =
		    i + 1 == b->nrrows || strcmp(r->description, b->rrows[i + 1]->description) != 0;
		const struct dbm_file *f = NULL;
		struct dbm_plan_item *it;
		size_t fi;

		fi = plan_find_repeatable(fs, r->description);
		if (fi != (size_t)-1) {
			f = &fs->repeatable[fi];
			b->rused[fi] = 1;
		}
		it = &p->items[p->nitems++];
		plan_fill_item(it, DBM_CAT_REPEATABLE, r, latest ? f : NULL);
		if (!latest) {
			it->description = r->description;
			it->script = r->script;
		}
		it->state = plan_repeatable_state(r, f, latest);
	}
	if (p->nitems - start > 1)
		dbm_sort(p->items + start, p->nitems - start, sizeof(*p->items),
		         plan_item_rank_cmp);
}

/*
 * Marks versions applied after a higher applied version as Out of Order
 * (a Changed one stays Changed: drift matters more).
 */
static void plan_mark_out_of_order(struct plan_build *b)
{
	struct dbm_plan *p = b->p;
	const char *max = NULL;
	size_t i;

	for (i = 0; i < p->nitems; i++) {
		struct dbm_plan_item *it = &p->items[i];

		if (!it->row || it->category != DBM_CAT_VERSIONED || !it->row->version ||
		    plan_row_kind(it->row) == PLAN_ROW_SCHEMA || !plan_row_applied(it->row))
			continue;
		if (max && dbm_version_cmp(it->row->version, max) < 0) {
			if (it->state == DBM_ST_SUCCESS)
				it->state = DBM_ST_OUT_OF_ORDER;
		} else {
			max = it->row->version;
		}
	}
}

/* Appends the files that no row names: versioned by version, then repeatables. */
static void plan_unapplied_items(struct plan_build *b)
{
	const struct dbm_fileset *fs = b->files;
	struct dbm_plan *p = b->p;
	size_t i;

	for (i = 0; i < fs->nversioned; i++) {
		struct dbm_plan_item *it;

		if (b->vused[i] == PLAN_FILE_APPLIED)
			continue;
		it = &p->items[p->nitems++];
		plan_fill_item(it, DBM_CAT_VERSIONED, NULL, &fs->versioned[i]);
		/*
		 * An undone version is Pending again (as in Flyway's info), also
		 * below a baseline taken since: it ran once, migrate applies it again.
		 */
		it->state = plan_unapplied_state(b, it->version,
		                                 b->vused[i] == PLAN_FILE_UNDONE ? DBM_ST_UNDONE
		                                                                 : DBM_ST_PENDING);
		if (it->state == DBM_ST_UNDONE)
			it->state = DBM_ST_PENDING;
	}
	for (i = 0; i < fs->nrepeatable; i++) {
		struct dbm_plan_item *it;

		if (b->rused[i])
			continue;
		it = &p->items[p->nitems++];
		plan_fill_item(it, DBM_CAT_REPEATABLE, NULL, &fs->repeatable[i]);
		it->state = DBM_ST_PENDING;
	}
}

static int plan_todo_cmp(const void *a, const void *b)
{
	const struct dbm_plan_item *x = *(const struct dbm_plan_item *const *)a;
	const struct dbm_plan_item *y = *(const struct dbm_plan_item *const *)b;
	int c;

	if (x->category != y->category)
		return x->category == DBM_CAT_VERSIONED ? -1 : 1;
	if (x->category == DBM_CAT_VERSIONED)
		return dbm_version_cmp(x->version, y->version);
	c = strcmp(x->description, y->description);
	return c ? c : strcmp(x->script, y->script);
}

/* Newest version first. */
static int plan_rollback_cmp(const void *a, const void *b)
{
	const struct dbm_plan_item *x = *(const struct dbm_plan_item *const *)a;
	const struct dbm_plan_item *y = *(const struct dbm_plan_item *const *)b;

	return dbm_version_cmp(y->version, x->version);
}

/*
 * Sorts idx[0..n), indices into p->items, by cmp applied to the items.
 * Returns 0 or DBM_ERR_NOMEM (idx unchanged).
 */
static int plan_sort_indices(const struct dbm_plan *p, size_t *idx, size_t n,
                             int (*cmp)(const void *, const void *))
{
	const struct dbm_plan_item **ptrs;
	size_t i;

	if (n < 2)
		return 0;
	ptrs = dbm_calloc(n, sizeof(*ptrs));
	if (!ptrs)
		return dbm_error_oom();
	for (i = 0; i < n; i++)
		ptrs[i] = &p->items[idx[i]];
	dbm_sort(ptrs, n, sizeof(*ptrs), cmp);
	for (i = 0; i < n; i++)
		idx[i] = (size_t)(ptrs[i] - p->items);
	dbm_free(ptrs);
	return 0;
}

/* Fills p->todo. Returns 0 or DBM_ERR_NOMEM. */
static int plan_todo(struct dbm_plan *p)
{
	size_t i;

	p->todo = dbm_calloc(p->nitems ? p->nitems : 1, sizeof(*p->todo));
	if (!p->todo)
		return dbm_error_oom();
	for (i = 0; i < p->nitems; i++) {
		const struct dbm_plan_item *it = &p->items[i];

		if (!it->file)
			continue;
		if (it->state == DBM_ST_PENDING || it->state == DBM_ST_OUTDATED)
			p->todo[p->ntodo++] = i;
	}
	return plan_sort_indices(p, p->todo, p->ntodo, plan_todo_cmp);
}

/* Adds "version 2 (V2__x.sql)" or "repeatable "views" (R__views.sql)". */
static int plan_add_subject(struct dbm_buf *m, const struct dbm_plan_item *it)
{
	if (it->category == DBM_CAT_VERSIONED)
		return dbm_buf_addf(m, "version %s (%s)", it->version, it->script);
	return dbm_buf_addf(m, "repeatable \"%s\" (%s)", it->description, it->script);
}

/* Appends one issue about item i; its message is subject + the formatted rest. */
static int plan_issue(struct plan_build *b, enum dbm_issue_kind kind, size_t i, const char *fmt,
                      ...) DBM_GCC_PRINTF(4, 5);

/* Returns 0 or DBM_ERR_NOMEM (nothing appended). */
static int plan_issue(struct plan_build *b, enum dbm_issue_kind kind, size_t i, const char *fmt,
                      ...)
{
	struct dbm_plan *p = b->p;
	struct dbm_buf m = DBM_BUF_INIT;
	va_list ap;
	int rc;

	if (p->nissues == b->cap_issues) {
		size_t cap = b->cap_issues ? b->cap_issues * 2 : 8;
		struct dbm_issue *n = dbm_realloc(p->issues, cap * sizeof(*n));

		if (!n)
			return dbm_error_oom();
		p->issues = n;
		b->cap_issues = cap;
	}
	rc = plan_add_subject(&m, &p->items[i]);
	if (rc == 0) {
		va_start(ap, fmt);
		rc = dbm_buf_vaddf(&m, fmt, ap);
		va_end(ap);
	}
	if (rc < 0) {
		dbm_buf_free(&m);
		return rc;
	}
	p->issues[p->nissues].kind = kind;
	p->issues[p->nissues].item = i;
	p->issues[p->nissues].message = dbm_buf_detach(&m);
	p->nissues++;
	return 0;
}

static const char *const plan_pattern_types[] = {"*", "versioned", "repeatable", NULL};
static const char *const plan_pattern_states[] = {"*",       "missing", "pending",
                                                  "ignored", "future",  NULL};

/* The index of word[0..n) in list (no case), or -1. */
static int plan_word(const char *const *list, const char *word, size_t n)
{
	int i;

	for (i = 0; list[i]; i++)
		if (strlen(list[i]) == n && strncasecmp(list[i], word, n) == 0)
			return i;
	return -1;
}

/*
 * Walks the patterns: calls nothing, returns the index (1-based) of the
 * first bad one in *bad, or whether one matches category/state (state an
 * index of plan_pattern_states).
 */
static int plan_patterns_walk(const char *patterns, int category, int state, const char **bad,
                              size_t *bad_len)
{
	const char *p = patterns;
	int match = 0;

	while (*p) {
		size_t n = strcspn(p, ","), tn;
		const char *item = p, *colon;
		int t, st;

		p += n;
		if (*p)
			p++;
		while (n && (*item == ' ' || *item == '\t')) {
			item++;
			n--;
		}
		while (n && (item[n - 1] == ' ' || item[n - 1] == '\t'))
			n--;
		if (!n)
			continue;
		colon = memchr(item, ':', n);
		tn = colon ? (size_t)(colon - item) : 0;
		t = colon ? plan_word(plan_pattern_types, item, tn) : -1;
		st = colon ? plan_word(plan_pattern_states, colon + 1, n - tn - 1) : -1;
		if (t < 0 || st < 0) {
			if (bad) {
				*bad = item;
				*bad_len = n;
			}
			return -1;
		}
		if ((t == 0 || t == category) && (st == 0 || st == state))
			match = 1;
	}
	return match;
}

int dbm_plan_check_patterns(const char *patterns)
{
	const char *bad = NULL;
	size_t n = 0;

	if (plan_patterns_walk(patterns, 0, 0, &bad, &n) >= 0)
		return 0;
	dbm_error_set(DBM_ERR_USAGE, "'%.*s' is not an ignore pattern", (int)n, bad);
	dbm_error_set_hint(
	    "Write type:status, type one of *, versioned, repeatable and status one of "
	    "*, missing, pending, ignored, future: '*:missing,versioned:future'.");
	return DBM_ERR_USAGE;
}

/* 1 when the plan's ignore patterns make a finding of state (a plan_pattern_states index) on it no
 * issue. */
static int plan_ignores(const struct plan_build *b, const struct dbm_plan_item *it, int state)
{
	const char *patterns = b->opts->ignore_patterns ? b->opts->ignore_patterns : "*:future";

	return plan_patterns_walk(patterns, it->category == DBM_CAT_VERSIONED ? 1 : 2, state, NULL,
	                          NULL) > 0;
}

/* The issues of item i, in the order validate prints them. 0 or DBM_ERR_NOMEM. */
static int plan_item_issues(struct plan_build *b, size_t i)
{
	const struct dbm_plan_item *it = &b->p->items[i];
	const struct dbm_history_row *r = it->row;
	int rc = 0;

	switch (it->state) {
	case DBM_ST_CHANGED:
		rc = plan_issue(b, DBM_ISSUE_CHANGED, i,
		                " has changed since it was applied: applied checksum %d, file "
		                "checksum %d",
		                (int)r->checksum, (int)it->file->checksum);
		break;
	case DBM_ST_MISSING:
		if (!plan_ignores(b, it, 1))
			rc = plan_issue(b, DBM_ISSUE_MISSING, i,
			                " was applied but its file is missing");
		break;
	case DBM_ST_FUTURE:
		if (!plan_ignores(b, it, 4))
			rc =
			    plan_issue(b, DBM_ISSUE_FUTURE, i,
			               " was applied but its file is missing and it is above every "
			               "file's version (a newer release applied it)");
		break;
	case DBM_ST_FAILED:
		rc = plan_issue(b, DBM_ISSUE_FAILED, i,
		                " failed: fix the file or the database, then run 'dbmigrate "
		                "repair'");
		break;
	case DBM_ST_IGNORED:
		if (plan_ignores(b, it, 3))
			break;
		rc = plan_issue(b, DBM_ISSUE_IGNORED, i,
		                " is not applied but the database is already at version %s: "
		                "rename it above %s, or migrate with --out-of-order",
		                b->p->current_version, b->p->current_version);
		break;
	case DBM_ST_PENDING:
	case DBM_ST_OUTDATED:
		if (b->opts->pending_is_issue && it->file && !plan_ignores(b, it, 2))
			rc = plan_issue(
			    b, DBM_ISSUE_PENDING, i,
			    it->state == DBM_ST_OUTDATED ? " has changed and will be rerun"
			    : it->category == DBM_CAT_VERSIONED &&
			            b->vused[it->file - b->files->versioned] == PLAN_FILE_UNDONE
			        ? " was undone and is pending"
			        : " is pending");
		break;
	default:
		break;
	}
	if (rc < 0)
		return rc;
	if (it->category == DBM_CAT_VERSIONED && r && it->file &&
	    (it->state == DBM_ST_SUCCESS || it->state == DBM_ST_CHANGED ||
	     it->state == DBM_ST_OUT_OF_ORDER) &&
	    strcmp(r->description, it->file->description) != 0)
		rc = plan_issue(b, DBM_ISSUE_DESCRIPTION, i,
		                " has a different description: applied \"%s\", file \"%s\"",
		                r->description, it->file->description);
	return rc;
}

void dbm_plan_free(struct dbm_plan *p)
{
	size_t i;

	if (!p)
		return;
	for (i = 0; i < p->nissues; i++)
		dbm_free(p->issues[i].message);
	dbm_free(p->issues);
	dbm_free(p->items);
	dbm_free(p->todo);
	memset(p, 0, sizeof(*p));
}

/*
 * Returns 0 with *out filled (free with dbm_plan_free), or DBM_ERR_NOMEM
 * with *out empty. Findings are in out->issues, never an error.
 */
int dbm_plan_build(const struct dbm_fileset *files, const struct dbm_history *history,
                   const struct dbm_plan_opts *opts, struct dbm_plan *out)
{
	static const struct dbm_plan_opts no_opts = {NULL, 0, 0, NULL};
	struct plan_build b;
	size_t cap, i;
	int rc;

	memset(out, 0, sizeof(*out));
	memset(&b, 0, sizeof(b));
	b.files = files;
	b.history = history;
	b.opts = opts ? opts : &no_opts;
	b.p = out;

	rc = plan_group_rows(&b);
	if (rc < 0)
		goto done;
	cap = history->n + files->nversioned + files->nrepeatable;
	out->items = dbm_calloc(cap ? cap : 1, sizeof(*out->items));
	b.vused = dbm_calloc(files->nversioned ? files->nversioned : 1, 1);
	b.rused = dbm_calloc(files->nrepeatable ? files->nrepeatable : 1, 1);
	if (!out->items || !b.vused || !b.rused) {
		rc = dbm_error_oom();
		goto done;
	}
	plan_find_current(&b);
	plan_applied_items(&b);
	plan_mark_out_of_order(&b);
	plan_unapplied_items(&b);
	rc = plan_todo(out);
	for (i = 0; rc == 0 && i < out->nitems; i++)
		rc = plan_item_issues(&b, i);
done:
	dbm_free(b.vrows);
	dbm_free(b.rrows);
	dbm_free(b.vused);
	dbm_free(b.rused);
	if (rc < 0)
		dbm_plan_free(out);
	return rc;
}

/* 1 when item it is an applied version that rollback may undo. */
static int plan_rollback_candidate(const struct dbm_plan *p, const struct dbm_plan_item *it)
{
	if (it->category != DBM_CAT_VERSIONED || !it->row || !it->version)
		return 0;
	if (plan_row_kind(it->row) != PLAN_ROW_APPLY || !it->row->success)
		return 0;
	if (p->baseline_version && dbm_version_cmp(it->version, p->baseline_version) <= 0)
		return 0;
	return 1;
}

/* Appends "<dir>/U<version>__<description with '_'>.sql" for item it, with the names in use. */
static int plan_add_undo_name(struct dbm_buf *d, const char *dir, const struct dbm_plan_item *it)
{
	int rc = dbm_buf_addf(d, "%s/", dir);

	return rc == 0 ? dbm_filename_add_undo(d, it->version, it->description) : rc;
}

/*
 * Sets the error for the selected items that have no undo file. Returns
 * DBM_ERR_USAGE, or DBM_ERR_NOMEM when the text cannot be built.
 */
static int plan_rollback_missing(const struct dbm_plan *p, const char *dir, const size_t *sel,
                                 size_t n)
{
	struct dbm_buf versions = DBM_BUF_INIT, detail = DBM_BUF_INIT;
	size_t i, nmissing = 0;
	int rc = 0;

	for (i = 0; rc == 0 && i < n; i++) {
		const struct dbm_plan_item *it = &p->items[sel[i]];

		if (it->file && it->file->undo)
			continue;
		rc = dbm_buf_addf(&versions, "%s%s", nmissing ? ", " : "", it->version);
		if (rc == 0)
			rc = dbm_buf_addf(&detail, "%sversion %s: expected ", nmissing ? "\n" : "",
			                  it->version);
		if (rc == 0)
			rc = plan_add_undo_name(&detail, dir, it);
		if (rc == 0 && !it->file)
			rc = dbm_buf_adds(&detail, " (its migration file is missing too)");
		nmissing++;
	}
	if (rc == 0) {
		rc = dbm_error_set(DBM_ERR_USAGE, "no undo script for version%s %s",
		                   nmissing > 1 ? "s" : "", dbm_buf_cstr(&versions));
		dbm_error_set_detail("%s", dbm_buf_cstr(&detail));
		dbm_error_set_hint("Write the missing undo scripts, or roll back fewer versions; "
		                   "nothing was executed.");
	}
	dbm_buf_free(&versions);
	dbm_buf_free(&detail);
	return rc;
}

/*
 * Returns 0 with *out (NULL when *n is 0; caller frees with dbm_free) and *n;
 * DBM_ERR_USAGE when a selected version has no undo file (*out NULL, *n 0,
 * the error lists each); DBM_ERR_NOMEM.
 */
int dbm_plan_rollback(const struct dbm_plan *p, int steps, const char *to_version,
                      const char *rollback_dir, size_t **out, size_t *n)
{
	size_t *sel = NULL;
	size_t i, nsel = 0, take, nmissing = 0;
	int rc = 0;

	*out = NULL;
	*n = 0;
	sel = dbm_calloc(p->nitems ? p->nitems : 1, sizeof(*sel));
	if (!sel) {
		rc = dbm_error_oom();
		goto done;
	}
	for (i = 0; i < p->nitems; i++)
		if (plan_rollback_candidate(p, &p->items[i]))
			sel[nsel++] = i;
	rc = plan_sort_indices(p, sel, nsel, plan_rollback_cmp);
	if (rc < 0)
		goto done;

	if (to_version) {
		for (take = 0; take < nsel; take++)
			if (dbm_version_cmp(p->items[sel[take]].version, to_version) <= 0)
				break;
	} else {
		take = steps > 0 ? (size_t)steps : 0;
		if (take > nsel)
			take = nsel;
	}
	for (i = 0; i < take; i++) {
		const struct dbm_plan_item *it = &p->items[sel[i]];

		if (!it->file || !it->file->undo)
			nmissing++;
	}
	if (nmissing) {
		rc = plan_rollback_missing(p, rollback_dir ? rollback_dir : "rollback", sel, take);
		goto done;
	}
	if (take) {
		*out = sel;
		*n = take;
		sel = NULL;
	}
done:
	dbm_free(sel);
	return rc;
}
