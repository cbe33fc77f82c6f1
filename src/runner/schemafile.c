/*
 * schemafile.c - the live schema of a session as dump prints it; what
 * commands which changed the database do at their end: rewrite the schema
 * file (schema_file: / --schema-file) and record the schema snapshot; and
 * the drift of the live schema from the newest snapshot (runner.h).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "output/output.h"
#include "runner/runner.h"

int dbm_session_dump(struct dbm_session *s, struct dbm_schema *out)
{
	const char *schema = s->schema ? s->schema : s->conn->schema;
	int r;

	if (!s->driver->dump)
		return dbm_error_set(DBM_ERR_USAGE, "the %s driver cannot dump a schema",
		                     s->driver->name);
	r = s->driver->dump(s->conn, schema, s->cfg->table, out);
	if (r == 0)
		r = dbm_schema_sort(out);
	return r;
}

int dbm_write_file(const char *path, const char *text, size_t len)
{
	struct dbm_buf tmp = DBM_BUF_INIT;
	FILE *f = NULL;
	int r, saved;

	r = dbm_buf_addf(&tmp, "%s.tmp%ld", path, (long)getpid());
	if (r < 0)
		return r;
	f = fopen(tmp.ptr, "wb");
	if (!f)
		goto fail;
	if (len && fwrite(text, 1, len, f) != len)
		goto fail;
	if (fflush(f) != 0 || fsync(fileno(f)) != 0)
		goto fail;
	if (fclose(f) != 0) {
		f = NULL;
		goto fail;
	}
	f = NULL;
	if (rename(tmp.ptr, path) != 0)
		goto fail;
	dbm_buf_free(&tmp);
	return 0;
fail:
	saved = errno;
	if (f)
		fclose(f);
	remove(tmp.ptr);
	dbm_buf_free(&tmp);
	dbm_error_set(DBM_ERR_RUN, "cannot write '%s': %s", path, strerror(saved));
	dbm_error_set_where(path, 0);
	dbm_error_set_hint("Check that the folder exists and is writable.");
	return DBM_ERR_RUN;
}

/*
 * The version the history says the schema is at now, read again (the
 * command's own rows are not all in s->history), into version, and the
 * highest installed_rank into *rank (0 when none). s->history stays as it
 * was. 0 or the error.
 */
static int schemafile_now(struct dbm_session *s, struct dbm_buf *version, int *rank)
{
	struct dbm_history saved = s->history;
	struct dbm_fileset none = DBM_FILESET_INIT;
	struct dbm_plan plan = DBM_PLAN_INIT;
	struct dbm_plan_opts opts;
	long long next = s->next_rank;
	int exists = s->history_exists, r;

	memset(&opts, 0, sizeof(opts));
	memset(&s->history, 0, sizeof(s->history));
	r = dbm_hist_read(s);
	if (r == 0)
		r = dbm_plan_build(&none, &s->history, &opts, &plan);
	if (r == 0 && plan.current_version)
		r = dbm_buf_adds(version, plan.current_version);
	*rank = dbm_history_max_rank(&s->history);
	dbm_plan_free(&plan);
	dbm_history_free(&s->history);
	s->history = saved;
	s->next_rank = next;
	s->history_exists = exists;
	return r;
}

/* Records schema (rendered as text) as the snapshot after the newest history row. */
static int schemafile_snapshot(struct dbm_session *s, const struct dbm_schema *schema,
                               const struct dbm_buf *text)
{
	struct dbm_buf objects = DBM_BUF_INIT, version = DBM_BUF_INIT;
	char digest[65];
	int rank = 0, r;

	r = dbm_sha256_hex(dbm_buf_cstr(text), text->len, digest);
	if (r == 0)
		r = dbm_schema_serialize(schema, &objects);
	if (r == 0)
		r = schemafile_now(s, &version, &rank);
	if (r == 0) {
		r = dbm_hist_snapshot_write(s, rank, version.len ? version.ptr : NULL, digest,
		                            dbm_buf_cstr(text), dbm_buf_cstr(&objects));
		if (r == DBM_ERR_RUN)
			dbm_error_add_detail("the schema snapshot after installed_rank %d (%zu "
			                     "bytes of schema) was not recorded; the changes "
			                     "themselves were made",
			                     rank, text->len);
	}
	if (r == 0)
		dbm_out_debug("recorded the schema snapshot after installed_rank %d (%s)", rank,
		              digest);
	dbm_buf_free(&objects);
	dbm_buf_free(&version);
	return r;
}

/*
 * 1 when the snapshot table is empty or its newest snapshot is older than
 * the newest history row: a run killed (or out of memory) between its
 * last commit and its snapshot. The next command that changes nothing then
 * takes the snapshot the other did not. A history without a snapshot table
 * was made before snapshots and is left alone (taking its first one is
 * accepting its schema: repair --accept-drift). A failed query is 0: the
 * command succeeded, and the snapshot is only late.
 */
static int schemafile_behind(struct dbm_session *s)
{
	struct dbm_buf version = DBM_BUF_INIT;
	char digest[65];
	int exists = 0, found = 0, rank = 0;

	if (dbm_hist_snapshot_latest(s, &exists, &found, &rank, &version, digest) < 0) {
		dbm_error_clear();
		exists = 0;
	}
	dbm_buf_free(&version);
	return exists && (!found || rank < dbm_history_max_rank(&s->history));
}

int dbm_session_after_change(struct dbm_session *s, int result)
{
	struct dbm_schema schema = DBM_SCHEMA_INIT;
	struct dbm_buf text = DBM_BUF_INIT;
	const char *path = s->cfg->schema_file;
	struct dbm_error saved;
	int snap, r;

	if (s->dry_run || !s->conn || result == DBM_ERR_USAGE || result == DBM_ERR_LOCK ||
	    result == DBM_ERR_VALIDATE)
		return result; /* nothing ran */
	/* opened_rank is set once the history was read: before that, nothing ran */
	snap = s->history_exists && s->driver->dump && s->opened_rank > 0 &&
	       (s->snapshot > 0 || (s->snapshot == 0 && s->next_rank > s->opened_rank));
	saved = *dbm_error_last();
	if (!snap && result == 0 && s->snapshot == 0 && s->history_exists && s->driver->dump &&
	    s->opened_rank > 0)
		snap = schemafile_behind(s);
	if (!path && !snap)
		return result;
	r = dbm_session_dump(s, &schema);
	if (r == 0)
		r = dbm_schema_render(&schema, &text);
	if (r == 0 && path)
		r = dbm_write_file(path, dbm_buf_cstr(&text), text.len);
	if (r == 0 && path)
		dbm_out_debug("wrote the schema to %s", path);
	if (r == 0 && snap)
		r = schemafile_snapshot(s, &schema, &text);
	dbm_schema_free(&schema);
	dbm_buf_free(&text);
	if (result < 0) {
		/* what failed first is what the user must hear about */
		if (r < 0)
			dbm_out_warn("the schema was not %s: %s",
			             path ? "written to the schema file" : "recorded as a snapshot",
			             dbm_error_last()->message);
		*dbm_error_last() = saved;
		return result;
	}
	return r;
}

int dbm_session_drift(struct dbm_session *s, struct dbm_drift *d)
{
	struct dbm_buf objects = DBM_BUF_INIT;
	char digest[65], live[65];
	int exists, r;

	r = dbm_hist_snapshot_latest(s, &exists, &d->has_snapshot, &d->rank, &d->version, digest);
	if (r < 0 || !d->has_snapshot)
		goto done;
	d->behind = d->rank < dbm_history_max_rank(&s->history);
	r = dbm_session_dump(s, &d->live);
	if (r == 0) /* the digest of the text, computed as it is rendered */
		r = dbm_schema_digest(&d->live, live);
	if (r < 0)
		goto done;
	if (strcmp(live, digest) == 0) {
		/* the same bytes: nothing to compare, and nothing borrows from the live schema */
		dbm_schema_free(&d->live);
		goto done;
	}
	r = dbm_hist_snapshot_objects(s, d->rank, &objects);
	if (r == 0)
		r = dbm_schema_parse(dbm_buf_cstr(&objects), &d->snapshot);
	if (r == 0) /* the items borrow their labels from both schemas */
		r = dbm_schema_diff(&d->snapshot, &d->live, &d->diff);
done:
	dbm_buf_free(&objects);
	return r;
}

void dbm_drift_free(struct dbm_drift *d)
{
	dbm_buf_free(&d->version);
	dbm_schema_diff_free(&d->diff);
	dbm_schema_free(&d->live);
	dbm_schema_free(&d->snapshot);
	memset(d, 0, sizeof(*d));
}
