/*
 * foreign.c - reading golang-migrate's, dbmate's and goose's history
 * tables (foreign.h). Whether a table exists is asked through history.c;
 * the rows are read with plain SELECTs that take no values, and nothing is
 * ever written to those tables.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dbmigrate/common.h"
#include "dbmigrate/sqlgen.h"
#include "dbmigrate/version.h"
#include "output/output.h"
#include "runner/foreign.h"
#include "runner/runner.h"

struct foreign_rows {
	struct dbm_foreign *f;
	int with_flag; /* golang-migrate: (version, dirty); goose: (version_id, is_applied) */
	/* goose: versions whose newest row was seen */
	char **seen;
	size_t nseen, capseen;
	size_t capv; /* of f->versions */
	int bad;     /* a version that is not a version */
	char bad_text[64];
};

static int foreign_truthy(const char *v)
{
	return v && (strcmp(v, "t") == 0 || strcmp(v, "1") == 0 || strcmp(v, "true") == 0 ||
	             strcmp(v, "TRUE") == 0);
}

/* Appends a copy of v to (*list, *n, *cap). Returns 0 or DBM_ERR_NOMEM. */
static int foreign_push(char ***list, size_t *n, size_t *cap, const char *v)
{
	char *copy;

	if (*n == *cap) {
		size_t ncap = *cap ? *cap * 2 : 16;
		char **p = dbm_realloc(*list, ncap * sizeof(*p));

		if (!p)
			return dbm_error_oom();
		*list = p;
		*cap = ncap;
	}
	copy = dbm_strdup(v);
	if (!copy)
		return dbm_error_oom();
	(*list)[(*n)++] = copy;
	return 0;
}

static int foreign_is_version(const char *v)
{
	char *norm = NULL;
	int ok = v && dbm_version_normalize(v, strlen(v), &norm) == 0;

	dbm_free(norm);
	return ok;
}

static int foreign_row(void *ctx, unsigned ncols, const char *const *values)
{
	struct foreign_rows *fr = ctx;
	struct dbm_foreign *f = fr->f;
	const char *v = ncols > 0 ? values[0] : NULL;
	size_t i;

	if (!v)
		return 0;
	if (!foreign_is_version(v)) {
		if (!fr->bad)
			snprintf(fr->bad_text, sizeof(fr->bad_text), "%s", v);
		fr->bad = 1;
		return 0;
	}
	if (f->tool == DBM_NAMING_GOLANG_MIGRATE) {
		f->dirty = ncols > 1 && foreign_truthy(values[1]);
		return foreign_push(&f->versions, &f->n, &fr->capv, v) < 0 ? -1 : 0;
	}
	if (f->tool == DBM_NAMING_GOOSE) {
		/* rows come newest first: the first row of a version decides */
		for (i = 0; i < fr->nseen; i++)
			if (dbm_version_cmp(fr->seen[i], v) == 0)
				return 0;
		if (foreign_push(&fr->seen, &fr->nseen, &fr->capseen, v) < 0)
			return -1;
		if (dbm_version_cmp(v, "0") == 0 || !(ncols > 1 && foreign_truthy(values[1])))
			return 0;
	}
	return foreign_push(&f->versions, &f->n, &fr->capv, v) < 0 ? -1 : 0;
}

static int foreign_cmp(const void *a, const void *b)
{
	return dbm_version_cmp(*(char *const *)a, *(char *const *)b);
}

/*
 * Runs "SELECT <cols> FROM <table> <tail>" and collects the rows. Returns
 * 0 or the driver's error.
 */
static int foreign_select(struct dbm_session *s, const char *cols, const char *tail,
                          struct foreign_rows *fr)
{
	struct dbm_buf sql = DBM_BUF_INIT;
	int r;

	r = dbm_buf_addf(&sql, "SELECT %s FROM ", cols);
	if (r == 0)
		r = dbm_sql_table(s->dialect, s->schema, fr->f->table, &sql);
	if (r == 0 && tail)
		r = dbm_buf_addf(&sql, " %s", tail);
	if (r < 0) {
		dbm_buf_free(&sql);
		return dbm_error_oom();
	}
	dbm_out_debug("%s", sql.ptr);
	r = s->driver->query(s->conn, sql.ptr, foreign_row, fr);
	dbm_buf_free(&sql);
	return r;
}

void dbm_foreign_free(struct dbm_foreign *f)
{
	size_t i;

	for (i = 0; i < f->n; i++)
		dbm_free(f->versions[i]);
	dbm_free(f->versions);
	memset(f, 0, sizeof(*f));
}

/* See foreign.h. */
int dbm_foreign_read(struct dbm_session *s, enum dbm_naming want, struct dbm_foreign *out)
{
	struct foreign_rows fr;
	int has_sm = 0, has_goose = 0, r;
	size_t i;

	memset(out, 0, sizeof(*out));
	memset(&fr, 0, sizeof(fr));
	fr.f = out;
	if (want == DBM_NAMING_AUTO || want == DBM_NAMING_GOLANG_MIGRATE ||
	    want == DBM_NAMING_DBMATE) {
		r = dbm_hist_table_exists(s, "schema_migrations", &has_sm);
		if (r < 0)
			return r;
	}
	if (want == DBM_NAMING_AUTO || want == DBM_NAMING_GOOSE) {
		r = dbm_hist_table_exists(s, "goose_db_version", &has_goose);
		if (r < 0)
			return r;
	}
	if (has_sm && has_goose) {
		dbm_error_set(DBM_ERR_USAGE,
		              "both schema_migrations (golang-migrate or dbmate) and "
		              "goose_db_version (goose) are in the schema");
		dbm_error_set_hint("Say which tool's history to take with --from golang-migrate, "
		                   "--from dbmate or --from goose.");
		return DBM_ERR_USAGE;
	}
	if (has_goose) {
		out->tool = DBM_NAMING_GOOSE;
		out->table = "goose_db_version";
		fr.with_flag = 1;
		r = foreign_select(s, "version_id, is_applied", "ORDER BY id DESC", &fr);
	} else if (has_sm) {
		out->table = "schema_migrations";
		/* golang-migrate's table has a dirty column, dbmate's has not */
		out->tool = DBM_NAMING_GOLANG_MIGRATE;
		if (want == DBM_NAMING_DBMATE) {
			r = -1;
		} else {
			r = foreign_select(s, "version, dirty", NULL, &fr);
			if (r < 0 && want == DBM_NAMING_AUTO &&
			    ((s->dialect == DBM_DIALECT_PGSQL &&
			      strcmp(dbm_error_last()->sqlstate, "42703") != 0) ||
			     (s->dialect == DBM_DIALECT_MYSQL &&
			      dbm_error_last()->server_code != 1054)))
				goto done; /* not "no such column": a real error */
		}
		if (r < 0 && want != DBM_NAMING_GOLANG_MIGRATE) {
			dbm_error_clear();
			dbm_foreign_free(out);
			fr.capv = 0;
			out->table = "schema_migrations";
			out->tool = DBM_NAMING_DBMATE;
			r = foreign_select(s, "version", NULL, &fr);
		}
	} else {
		return 0;
	}
	if (r < 0)
		goto done;
	if (fr.bad) {
		r = dbm_error_set(DBM_ERR_USAGE, "%s holds \"%s\", which is not a version",
		                  out->table, fr.bad_text);
		dbm_error_set_hint(
		    "Versions are digits, as the tools write them; remove or fix that "
		    "row with the database's client first.");
		goto done;
	}
	if (out->tool == DBM_NAMING_GOLANG_MIGRATE && out->n > 1) {
		r = dbm_error_set(DBM_ERR_USAGE,
		                  "schema_migrations holds %zu rows; golang-migrate keeps one",
		                  out->n);
		dbm_error_set_hint("If this is dbmate's table, say so with --from dbmate.");
		goto done;
	}
	if (out->n > 1)
		dbm_sort(out->versions, out->n, sizeof(*out->versions), foreign_cmp);
	r = 0;
done:
	for (i = 0; i < fr.nseen; i++)
		dbm_free(fr.seen[i]);
	dbm_free(fr.seen);
	if (r < 0) {
		struct dbm_error *e = dbm_error_last();

		if (e->klass == DBM_OK)
			r = dbm_error_set(DBM_ERR_RUN, "cannot read %s",
			                  out->table ? out->table : "");
		dbm_foreign_free(out);
	}
	return r;
}
