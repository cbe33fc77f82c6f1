/*
 * schemafile.c - the live schema of a session as dump prints it, and the
 * schema file (schema_file: / --schema-file) that commands which changed
 * the database rewrite at their end (runner.h).
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

int dbm_session_write_schema_file(struct dbm_session *s, int result)
{
	struct dbm_schema schema = DBM_SCHEMA_INIT;
	struct dbm_buf text = DBM_BUF_INIT;
	const char *path = s->cfg->schema_file;
	struct dbm_error saved;
	int r;

	if (!path || s->dry_run || !s->conn || result == DBM_ERR_USAGE || result == DBM_ERR_LOCK ||
	    result == DBM_ERR_VALIDATE)
		return result; /* nothing ran */
	saved = *dbm_error_last();
	r = dbm_session_dump(s, &schema);
	if (r == 0)
		r = dbm_schema_render(&schema, &text);
	if (r == 0)
		r = dbm_write_file(path, dbm_buf_cstr(&text), text.len);
	if (r == 0)
		dbm_out_debug("wrote the schema to %s", path);
	dbm_schema_free(&schema);
	dbm_buf_free(&text);
	if (result < 0) {
		/* what failed first is what the user must hear about */
		if (r < 0)
			dbm_out_warn("%s was not rewritten: %s", path, dbm_error_last()->message);
		*dbm_error_last() = saved;
		return result;
	}
	return r;
}
