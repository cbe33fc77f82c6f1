/*
 * dumputil.c - helpers of the drivers' dump modules (dump.h): whole
 * results kept as strings, SQL string literals, and the list of
 * dbmigrate's own tables that no dump shows.
 */
#include <string.h>

#include "drivers/drvcommon.h"
#include "drivers/dump.h"

struct dump_ctx {
	struct dbm_dump_rows *rows;
	int failed;
};

/* Keeps one row; stops the query with 1 when memory runs out. */
static int dump_row(void *ctx, unsigned ncols, const char *const *values)
{
	struct dump_ctx *d = ctx;
	struct dbm_dump_rows *rows = d->rows;
	size_t k, len = rows->text.len;

	if (rows->n == 0 && rows->ncols == 0)
		rows->ncols = ncols;
	if ((rows->n + 1) * rows->ncols > rows->cap) {
		size_t cap = rows->cap ? rows->cap * 2 : 64 * rows->ncols;
		void *p;

		while (cap < (rows->n + 1) * rows->ncols)
			cap *= 2;
		p = dbm_realloc(rows->off, cap * sizeof(*rows->off));
		if (!p) {
			d->failed = 1;
			return 1;
		}
		rows->off = p;
		rows->cap = cap;
	}
	for (k = 0; k < rows->ncols; k++) {
		const char *v = k < ncols ? values[k] : NULL;

		rows->off[rows->n * rows->ncols + k] = v ? rows->text.len : DBM_DUMP_NULL;
		/* the value with its NUL: the next one starts after it */
		if (v && dbm_buf_add(&rows->text, v, strlen(v) + 1) < 0) {
			rows->text.len = len; /* the row is not kept */
			d->failed = 1;
			return 1;
		}
	}
	rows->n++;
	return 0;
}

int dbm_dump_query(struct dbm_conn *c, const char *sql, struct dbm_dump_rows *rows)
{
	struct dump_ctx d = {rows, 0};
	int r;

	dbm_dump_rows_free(rows);
	r = c->driver->query(c, sql, dump_row, &d);
	if (d.failed)
		return dbm_error_oom();
	return r < 0 ? r : 0;
}

const char *dbm_dump_get(const struct dbm_dump_rows *rows, size_t r, size_t k)
{
	size_t off = rows->off[r * rows->ncols + k];

	return off == DBM_DUMP_NULL ? NULL : rows->text.ptr + off;
}

void dbm_dump_rows_free(struct dbm_dump_rows *rows)
{
	dbm_free(rows->off);
	dbm_buf_free(&rows->text);
	memset(rows, 0, sizeof(*rows));
}

int dbm_dump_literal(struct dbm_buf *out, const char *s, int backslash)
{
	int r = dbm_buf_addc(out, '\'');

	for (; *s && r == 0; s++) {
		if (*s == '\'' || (backslash && *s == '\\'))
			r = dbm_buf_addc(out, *s);
		if (r == 0)
			r = dbm_buf_addc(out, *s);
	}
	return r ? r : dbm_buf_addc(out, '\'');
}

int dbm_dump_own_tables(struct dbm_buf *out, const char *history_table, int backslash,
                        size_t max_name)
{
	struct dbm_buf name = DBM_BUF_INIT;
	int r = dbm_buf_addc(out, '(');

	if (!history_table)
		history_table = "";
	/* the history table, its snapshots, its lock row (lock=table, Galera, PgBouncer) */
	if (r == 0)
		r = dbm_dump_literal(out, history_table, backslash);
	if (r == 0)
		r = dbm_buf_addf(&name, "%s_snapshot", history_table);
	if (r == 0)
		r = dbm_buf_adds(out, ", ");
	if (r == 0)
		r = dbm_dump_literal(out, name.ptr, backslash);
	if (r == 0)
		r = dbm_drv_lock_table(&name, history_table, max_name);
	if (r == 0)
		r = dbm_buf_adds(out, ", ");
	if (r == 0)
		r = dbm_dump_literal(out, name.ptr, backslash);
	dbm_buf_free(&name);
	return r ? r : dbm_buf_addc(out, ')');
}
