/*
 * history.c - the history table's rows in memory (history.h).
 *
 * Drivers read the table with one SELECT and hand each result row to
 * dbm_history_add_text() as text, the way their client library prints it:
 * PostgreSQL's booleans are "t"/"f", MySQL's TINYINT(1) is "1"/"0", SQLite
 * stores whatever was inserted ("true", "1"). The runner then sorts the rows
 * with dbm_history_sort() and the planner (plan.c) reads them. Nothing here
 * talks to a database.
 */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "dbmigrate/common.h"
#include "dbmigrate/history.h"
#include "dbmigrate/version.h"

/* Column positions in the order of history.h and of the runner's SELECT. */
enum {
	HISTORY_COL_RANK,
	HISTORY_COL_VERSION,
	HISTORY_COL_DESCRIPTION,
	HISTORY_COL_TYPE,
	HISTORY_COL_SCRIPT,
	HISTORY_COL_CHECKSUM,
	HISTORY_COL_INSTALLED_BY,
	HISTORY_COL_INSTALLED_ON,
	HISTORY_COL_EXECUTION_TIME,
	HISTORY_COL_SUCCESS
};

static const char *const history_colnames[DBM_HISTORY_NCOLS] = {
    "installed_rank", "version",      "description",  "type",           "script",
    "checksum",       "installed_by", "installed_on", "execution_time", "success"};

/*
 * Parses a whole decimal integer in [lo, hi]. Returns 1 and *out, or 0 when
 * s is empty, has anything besides an optional sign and digits, or is out of
 * range.
 */
static int history_parse_int(const char *s, long lo, long hi, long *out)
{
	char *end;
	long v;

	if (!*s)
		return 0;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *end || end == s || v < lo || v > hi)
		return 0;
	*out = v;
	return 1;
}

/* Returns 1 and *out for t/f, true/false, 1/0 (any case), else 0. */
static int history_parse_bool(const char *s, int *out)
{
	if (!strcasecmp(s, "t") || !strcasecmp(s, "true") || !strcmp(s, "1")) {
		*out = 1;
		return 1;
	}
	if (!strcasecmp(s, "f") || !strcasecmp(s, "false") || !strcmp(s, "0")) {
		*out = 0;
		return 1;
	}
	return 0;
}

/* Sets the "not a history table" error for column col; returns DBM_ERR_RUN. */
static int history_bad_value(unsigned col, const char *rank, const char *value)
{
	if (col == HISTORY_COL_RANK)
		dbm_error_set(DBM_ERR_RUN, "history table has a bad installed_rank \"%s\"",
		              value ? value : "NULL");
	else
		dbm_error_set(DBM_ERR_RUN,
		              "history table row with installed_rank %s has a bad %s \"%s\"", rank,
		              history_colnames[col], value ? value : "NULL");
	dbm_error_set_hint("Check that the table option names a history table written by "
	                   "dbmigrate or Flyway.");
	return DBM_ERR_RUN;
}

/* Makes room for one more row. Returns 0 or DBM_ERR_NOMEM. */
static int history_reserve(struct dbm_history *h)
{
	struct dbm_history_row *rows;
	size_t cap;

	if (h->n < h->cap)
		return 0;
	cap = h->cap ? h->cap * 2 : 16;
	if (cap > SIZE_MAX / sizeof(*rows))
		return dbm_error_oom();
	rows = dbm_realloc(h->rows, cap * sizeof(*rows));
	if (!rows)
		return dbm_error_oom();
	h->rows = rows;
	h->cap = cap;
	return 0;
}

/*
 * Fills the string members of dst with copies of src's (version may be
 * NULL, the others become "" when NULL), all in one allocation that
 * description points to: a history of ten thousand rows then costs one
 * allocation a row instead of six. Returns 0, or DBM_ERR_NOMEM with dst's
 * strings NULL.
 */
static int history_copy_strings(struct dbm_history_row *dst, const char *version,
                                const char *description, const char *type, const char *script,
                                const char *installed_by, const char *installed_on)
{
	const char *src[6];
	char **dstp[6];
	size_t len[6], total = 0;
	char *block, *p;
	int i;

	src[0] = description ? description : "";
	src[1] = type ? type : "";
	src[2] = script ? script : "";
	src[3] = installed_by ? installed_by : "";
	src[4] = installed_on ? installed_on : "";
	src[5] = version; /* may stay NULL */
	dstp[0] = &dst->description;
	dstp[1] = &dst->type;
	dstp[2] = &dst->script;
	dstp[3] = &dst->installed_by;
	dstp[4] = &dst->installed_on;
	dstp[5] = &dst->version;
	for (i = 0; i < 6; i++) {
		len[i] = src[i] ? strlen(src[i]) + 1 : 0;
		total += len[i];
		*dstp[i] = NULL; /* dst may hold the source's pointers */
	}
	block = dbm_malloc(total);
	if (!block)
		return dbm_error_oom();
	for (i = 0, p = block; i < 6; i++) {
		if (!src[i])
			continue;
		memcpy(p, src[i], len[i]);
		*dstp[i] = p;
		p += len[i];
	}
	return 0;
}

/*
 * Returns 0 with one row appended; DBM_ERR_RUN when ncols is not
 * DBM_HISTORY_NCOLS or a value does not parse (message names the column and
 * the rank); DBM_ERR_NOMEM. h is unchanged on error.
 */
int dbm_history_add_text(struct dbm_history *h, unsigned ncols, const char *const *values)
{
	struct dbm_history_row row;
	const char *rank, *v;
	long n;

	memset(&row, 0, sizeof(row));
	if (ncols != DBM_HISTORY_NCOLS) {
		dbm_error_set(DBM_ERR_RUN, "history table has %u columns, expected %d", ncols,
		              DBM_HISTORY_NCOLS);
		dbm_error_set_hint("Check that the table option names a history table written "
		                   "by dbmigrate or Flyway.");
		return DBM_ERR_RUN;
	}
	rank = values[HISTORY_COL_RANK];
	if (!rank || !history_parse_int(rank, INT_MIN, INT_MAX, &n))
		return history_bad_value(HISTORY_COL_RANK, rank, rank);
	row.installed_rank = (int)n;

	v = values[HISTORY_COL_VERSION];
	if (v && !dbm_version_valid(v)) {
		dbm_error_set(DBM_ERR_RUN,
		              "history table row with installed_rank %s has a bad "
		              "version \"%s\"",
		              rank, v);
		dbm_error_set_detail(
		    "a version is digits separated by '.' or '_' (\"1\", \"2.1\"); "
		    "this one is not read as a version, lest it be taken for "
		    "another");
		dbm_error_set_hint("Correct the version of the row with installed_rank %s to the "
		                   "version of the migration it records (or delete the row if it "
		                   "records none), then run the command again.",
		                   rank);
		return DBM_ERR_RUN;
	}
	v = values[HISTORY_COL_CHECKSUM];
	if (v) {
		if (!history_parse_int(v, INT32_MIN, INT32_MAX, &n))
			return history_bad_value(HISTORY_COL_CHECKSUM, rank, v);
		row.has_checksum = 1;
		row.checksum = (int32_t)n;
	}
	v = values[HISTORY_COL_EXECUTION_TIME];
	if (v) {
		if (!history_parse_int(v, INT_MIN, INT_MAX, &n))
			return history_bad_value(HISTORY_COL_EXECUTION_TIME, rank, v);
		row.execution_time = (int)n;
	}
	v = values[HISTORY_COL_SUCCESS];
	if (!v || !history_parse_bool(v, &row.success))
		return history_bad_value(HISTORY_COL_SUCCESS, rank, v);

	if (history_reserve(h) < 0)
		return DBM_ERR_NOMEM;
	if (history_copy_strings(&row, values[HISTORY_COL_VERSION], values[HISTORY_COL_DESCRIPTION],
	                         values[HISTORY_COL_TYPE], values[HISTORY_COL_SCRIPT],
	                         values[HISTORY_COL_INSTALLED_BY],
	                         values[HISTORY_COL_INSTALLED_ON]) < 0)
		return DBM_ERR_NOMEM;
	h->rows[h->n++] = row;
	return 0;
}

/* The length of UTF-8 text in characters (code points), as VARCHAR(n) counts it. */
static size_t history_chars(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		if (((unsigned char)*s & 0xC0) != 0x80)
			n++;
	return n;
}

/* 1 when s (may be NULL) has more than max characters, with *len its length. */
static int history_too_long(const char *s, size_t max, size_t *len)
{
	*len = s ? history_chars(s) : 0;
	return *len > max;
}

int dbm_history_check_file(const char *path, const char *version, const char *description,
                           const char *script)
{
	static const char *const what[] = {"version", "description", "script"};
	const size_t max[] = {DBM_HISTORY_VERSION_MAX, DBM_HISTORY_DESCRIPTION_MAX,
	                      DBM_HISTORY_SCRIPT_MAX};
	const char *const value[] = {version, description, script};
	size_t i, len;

	for (i = 0; i < DBM_ARRAY_SIZE(what); i++) {
		if (!history_too_long(value[i], max[i], &len))
			continue;
		dbm_error_set(DBM_ERR_USAGE,
		              "%s: the %s is %zu characters long, more than the "
		              "history table's %s column holds (%zu)",
		              path, what[i], len, what[i], max[i]);
		dbm_error_set_detail(
		    "the history table has Flyway's columns: version "
		    "VARCHAR(%d), description VARCHAR(%d), script VARCHAR(%d) (the "
		    "path below the migrations or rollback folder); nothing was run",
		    DBM_HISTORY_VERSION_MAX, DBM_HISTORY_DESCRIPTION_MAX, DBM_HISTORY_SCRIPT_MAX);
		dbm_error_set_hint(
		    "Rename the file (or move it to a shorter folder) so that its %s "
		    "has at most %zu characters.",
		    what[i], max[i]);
		return DBM_ERR_USAGE;
	}
	return 0;
}

int dbm_history_check_row(const struct dbm_history_row *row)
{
	static const char *const what[] = {"version", "description", "type", "script",
	                                   "installed_by"};
	const size_t max[] = {DBM_HISTORY_VERSION_MAX, DBM_HISTORY_DESCRIPTION_MAX,
	                      DBM_HISTORY_TYPE_MAX, DBM_HISTORY_SCRIPT_MAX,
	                      DBM_HISTORY_INSTALLED_BY_MAX};
	const char *const value[] = {row->version, row->description, row->type, row->script,
	                             row->installed_by};
	size_t i, len;

	if (row->version && !dbm_version_valid(row->version)) {
		dbm_error_set(DBM_ERR_USAGE, "\"%s\" is not a version", row->version);
		dbm_error_set_hint("A version is digits separated by '.' or '_', such as 1, 2.1 or "
		                   "2024_01_15.");
		return DBM_ERR_USAGE;
	}
	for (i = 0; i < DBM_ARRAY_SIZE(what); i++) {
		if (!history_too_long(value[i], max[i], &len))
			continue;
		dbm_error_set(DBM_ERR_USAGE,
		              "the %s \"%.60s%s\" is %zu characters long, more than "
		              "the history table's %s column holds (%zu)",
		              what[i], value[i], len > 60 ? "..." : "", len, what[i], max[i]);
		dbm_error_set_hint("Shorten it to at most %zu characters; nothing was written.",
		                   max[i]);
		return DBM_ERR_USAGE;
	}
	return 0;
}

/* Returns 0 with a deep copy of row appended, or DBM_ERR_NOMEM (h unchanged). */
int dbm_history_add(struct dbm_history *h, const struct dbm_history_row *row)
{
	struct dbm_history_row copy = *row;

	if (history_reserve(h) < 0)
		return DBM_ERR_NOMEM;
	if (history_copy_strings(&copy, row->version, row->description, row->type, row->script,
	                         row->installed_by, row->installed_on) < 0)
		return DBM_ERR_NOMEM;
	h->rows[h->n++] = copy;
	return 0;
}

static int history_rank_cmp(const void *a, const void *b)
{
	const struct dbm_history_row *x = a, *y = b;

	return (x->installed_rank > y->installed_rank) - (x->installed_rank < y->installed_rank);
}

/*
 * Sorts by installed_rank. Returns 0, or DBM_ERR_RUN naming the rank when two
 * rows share one (the rows are sorted either way).
 */
int dbm_history_sort(struct dbm_history *h)
{
	size_t i;

	if (h->n > 1)
		dbm_sort(h->rows, h->n, sizeof(*h->rows), history_rank_cmp);
	for (i = 1; i < h->n; i++) {
		if (h->rows[i].installed_rank == h->rows[i - 1].installed_rank) {
			dbm_error_set(DBM_ERR_RUN,
			              "history table has two rows with installed_rank %d",
			              h->rows[i].installed_rank);
			dbm_error_set_hint("installed_rank is the table's primary key: restore it "
			                   "before running dbmigrate again.");
			return DBM_ERR_RUN;
		}
	}
	return 0;
}

/* The highest installed_rank, 0 when there are no rows. */
int dbm_history_max_rank(const struct dbm_history *h)
{
	int max = 0;
	size_t i;

	for (i = 0; i < h->n; i++)
		if (i == 0 || h->rows[i].installed_rank > max)
			max = h->rows[i].installed_rank;
	return max;
}

void dbm_history_row_free(struct dbm_history_row *row)
{
	if (!row)
		return;
	dbm_free(
	    row->description); /* the one allocation behind every string (history_copy_strings) */
	row->version = row->description = row->type = row->script = NULL;
	row->installed_by = row->installed_on = NULL;
}

void dbm_history_free(struct dbm_history *h)
{
	size_t i;

	if (!h)
		return;
	for (i = 0; i < h->n; i++)
		dbm_history_row_free(&h->rows[i]);
	dbm_free(h->rows);
	h->rows = NULL;
	h->n = h->cap = 0;
}
