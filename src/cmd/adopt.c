/*
 * adopt.c - take over the history of golang-migrate, dbmate or goose: read
 * the tool's table (foreign.h), match each applied version to its file and
 * write one success row per version into dbmigrate's history, in one
 * transaction, with today's checksum of the file (of its up part for a
 * two-part file) and installed_by naming the tool. The tool's table is
 * left as it was, so a team can go back. Refused when dbmigrate's history
 * has rows already, when golang-migrate's state is dirty, or when an
 * applied version has no file.
 */
#include <stdio.h>
#include <string.h>

#include "cmd/cmd.h"
#include "dbmigrate/source.h"
#include "dbmigrate/sqlgen.h"
#include "dbmigrate/version.h"
#include "output/output.h"
#include "runner/foreign.h"
#include "runner/runner.h"

/* The versioned files the tool has applied, in version order, into *out (n of them). */
static int adopt_match(const struct dbm_session *s, const struct dbm_foreign *fg,
                       const struct dbm_file ***out, size_t *n)
{
	const struct dbm_fileset *fs = &s->files;
	const struct dbm_file **list;
	struct dbm_buf missing = DBM_BUF_INIT;
	size_t i, k = 0, nmissing = 0;

	*out = NULL;
	*n = 0;
	list = dbm_calloc(fs->nversioned + 1, sizeof(*list));
	if (!list)
		return dbm_error_oom();
	if (fg->tool == DBM_NAMING_GOLANG_MIGRATE) {
		/* one row: every file up to the current version ran */
		if (fg->n == 1 && !dbm_fileset_find(fs, fg->versions[0])) {
			nmissing = 1;
			dbm_buf_addf(&missing, "%s", fg->versions[0]);
		} else if (fg->n == 1) {
			for (i = 0; i < fs->nversioned; i++)
				if (dbm_version_cmp(fs->versioned[i].version, fg->versions[0]) <= 0)
					list[k++] = &fs->versioned[i];
		}
	} else {
		for (i = 0; i < fg->n; i++) {
			const struct dbm_file *f = dbm_fileset_find(fs, fg->versions[i]);

			if (f) {
				list[k++] = f;
				continue;
			}
			if (nmissing++ < 10)
				dbm_buf_addf(&missing, "%s%s", nmissing > 1 ? ", " : "",
				             fg->versions[i]);
		}
	}
	if (nmissing) {
		dbm_error_set(DBM_ERR_USAGE,
		              "%s records version%s %s%s with no migration file in \"%s\"",
		              fg->table, nmissing > 1 ? "s" : "", dbm_buf_cstr(&missing),
		              nmissing > 10 ? " ..." : "", s->cfg->migrations);
		dbm_error_set_hint(
		    "Point --migrations (and --naming) at the folder the tool applied "
		    "them from; adopt takes over only versions it can match to a file.");
		dbm_buf_free(&missing);
		dbm_free(list);
		return DBM_ERR_USAGE;
	}
	dbm_buf_free(&missing);
	*out = list;
	*n = k;
	return 0;
}

/* Refuses when dbmigrate's history has migration rows. Returns 0 or DBM_ERR_USAGE. */
static int adopt_check_history(const struct dbm_session *s)
{
	size_t i;

	for (i = 0; i < s->history.n; i++) {
		const struct dbm_history_row *h = &s->history.rows[i];

		if (h->type && strcmp(h->type, "SCHEMA") == 0)
			continue;
		dbm_error_set(DBM_ERR_USAGE,
		              "cannot adopt: the history table '%s' already has rows",
		              s->cfg->table);
		dbm_error_set_hint("adopt is for a database another tool has managed so far; run "
		                   "'dbmigrate info' to see its state.");
		return DBM_ERR_USAGE;
	}
	return 0;
}

int dbm_cmd_adopt(const struct dbm_config *cfg, const struct dbm_cmd_args *a)
{
	struct dbm_session s;
	struct dbm_foreign fg;
	struct dbm_source_opts o;
	const struct dbm_file **files = NULL;
	enum dbm_naming want = DBM_NAMING_AUTO;
	char by[64];
	size_t n = 0, i;
	int r, in_tx = 0;

	memset(&fg, 0, sizeof(fg));
	if (a->from && (dbm_naming_parse(a->from, &want) < 0 || want == DBM_NAMING_FLYWAY ||
	                want == DBM_NAMING_NUMBERED)) {
		r = dbm_error_set(DBM_ERR_USAGE, "--from \"%s\" is not a tool adopt reads",
		                  a->from);
		dbm_error_set_hint("Use --from auto, golang-migrate, dbmate or goose. A Flyway "
		                   "history table is read as it is, with no adopt.");
		return r;
	}
	/* the history table is made only once adopt knows it will write to it */
	r = dbm_session_open(&s, cfg, DBM_SESSION_FILES | DBM_SESSION_CONNECT | DBM_SESSION_LOCK,
	                     a->dry_run);
	if (r < 0)
		goto done;
	r = adopt_check_history(&s);
	if (r < 0)
		goto done;
	r = dbm_foreign_read(&s, want, &fg);
	if (r < 0)
		goto done;
	if (fg.tool == DBM_NAMING_AUTO) {
		r = dbm_error_set(DBM_ERR_USAGE, "no %s history table in the database",
		                  want == DBM_NAMING_AUTO ? "golang-migrate, dbmate or goose"
		                                          : dbm_naming_name(want));
		dbm_error_set_hint(
		    "adopt reads schema_migrations (golang-migrate, dbmate) or "
		    "goose_db_version (goose) in the schema dbmigrate uses; check --url "
		    "and --schema.");
		goto done;
	}
	if (fg.dirty) {
		r = dbm_error_set(DBM_ERR_USAGE,
		                  "golang-migrate's state is dirty at version %s: that migration "
		                  "failed half way",
		                  fg.versions[0]);
		dbm_error_set_hint("Repair the database by hand, then mark it with golang-migrate: "
		                   "'migrate force %s' when all of version %s is in, or 'migrate "
		                   "force <the version before>' when none of it is; then run adopt "
		                   "again.",
		                   fg.versions[0], fg.versions[0]);
		goto done;
	}
	r = adopt_match(&s, &fg, &files, &n);
	if (r < 0)
		goto done;
	snprintf(by, sizeof(by), "adopted from %s", dbm_naming_name(fg.tool));
	memset(&o, 0, sizeof(o));
	o.dialect = s.dialect;
	r = dbm_session_ensure_history(&s);
	if (r < 0)
		goto done;
	r = dbm_session_exec(&s, dbm_sql_begin(s.dialect));
	if (r < 0)
		goto done;
	in_tx = 1;
	for (i = 0; i < n && r == 0; i++) {
		const struct dbm_file *f = files[i];
		struct dbm_history_row row;
		int32_t sum = 0;

		r = dbm_source_run_file(f, &o, &sum);
		if (r < 0)
			break;
		memset(&row, 0, sizeof(row));
		row.version = f->version;
		row.description = f->description;
		row.type = "SQL";
		row.script = f->script;
		row.has_checksum = 1;
		row.checksum = sum;
		row.installed_by = by;
		row.success = 1;
		r = dbm_session_record(&s, &row);
	}
	if (r == 0) {
		r = dbm_session_exec(&s, dbm_sql_commit(s.dialect));
		in_tx = 0;
	}
	if (r < 0)
		goto done;
	if (dbm_out_is_json()) {
		json_t *doc = json_object();

		json_object_set_new(doc, "operation", json_string("adopt"));
		json_object_set_new(doc, "tool", json_string(dbm_naming_name(fg.tool)));
		json_object_set_new(doc, "table", json_string(fg.table));
		json_object_set_new(doc, "adopted", json_integer((json_int_t)n));
		json_object_set_new(doc, "dryRun", a->dry_run ? json_true() : json_false());
		dbm_out_json(doc);
	}
	if (a->dry_run)
		dbm_out_text("-- dry run: nothing was changed\n");
	else
		dbm_out_text("Adopted %zu version%s from %s's table %s (left as it was); "
		             "'dbmigrate migrate' applies the rest\n",
		             n, n == 1 ? "" : "s", dbm_naming_name(fg.tool), fg.table);
done:
	if (r < 0 && in_tx)
		dbm_session_rollback(&s);
	dbm_free(files);
	dbm_foreign_free(&fg);
	r = dbm_session_after_change(&s, r);
	dbm_session_close(&s);
	return r;
}
