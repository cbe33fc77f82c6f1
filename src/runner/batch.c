/*
 * batch.c - statements queued to go to the database together (runner.h).
 *
 * A transactional script's statements, its BEGIN, history row and COMMIT
 * are queued and sent in one call of the driver's exec_batch when the queue
 * holds DBM_BATCH_BYTES or the script ends. The queue copies each statement
 * (the splitter's text lives only for its callback) into one buffer that is
 * kept from script to script, so queueing allocates nothing once it has
 * grown; a statement of DBM_BATCH_BYTES or more is never queued.
 */
#include <string.h>

#include "runner/runner.h"

int dbm_batch_add(struct dbm_batch *b, const struct dbm_stmt *st)
{
	if (b->n == b->cap) {
		size_t cap = b->cap ? b->cap * 2 : 32;
		struct dbm_stmt *v = dbm_realloc(b->stmts, cap * sizeof(*v));
		size_t *o;

		if (!v)
			return dbm_error_oom();
		b->stmts = v;
		o = dbm_realloc(b->offs, cap * sizeof(*o));
		if (!o)
			return dbm_error_oom();
		b->offs = o;
		b->cap = cap;
	}
	b->offs[b->n] = b->text.len;
	if (dbm_buf_add(&b->text, st->sql, st->len) < 0 || dbm_buf_addc(&b->text, '\0') < 0)
		return DBM_ERR_NOMEM;
	b->stmts[b->n] = *st;
	b->stmts[b->n].copy_data = NULL;
	b->stmts[b->n].copy_len = 0;
	b->n++;
	return 0;
}

int dbm_batch_send(struct dbm_batch *b, struct dbm_conn *conn, size_t *failed)
{
	size_t i;
	int r;

	*failed = 0;
	if (b->n == 0)
		return 0;
	/* the buffer may have moved while it grew: the texts are found now */
	for (i = 0; i < b->n; i++)
		b->stmts[i].sql = b->text.ptr + b->offs[i];
	r = conn->driver->exec_batch(conn, b->stmts, b->n, failed);
	b->sent = b->n;
	b->n = 0;
	b->text.len = 0;
	return r;
}

void dbm_batch_clear(struct dbm_batch *b)
{
	b->n = 0;
	b->sent = 0;
	b->text.len = 0;
}

void dbm_batch_free(struct dbm_batch *b)
{
	dbm_free(b->stmts);
	dbm_free(b->offs);
	dbm_buf_free(&b->text);
	memset(b, 0, sizeof(*b));
}
