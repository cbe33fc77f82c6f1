/*
 * shadow.c - the scratch database `diff` builds the expected schema in
 * (runner.h): made next to the live one for --shadow auto (a database on
 * the same server, a temporary file for SQLite) and dropped afterwards, or
 * a database the user names, which is emptied after checking that it is
 * not the live one however the two URLs are spelled.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "output/output.h"
#include "runner/runner.h"

/* url with its database replaced by db (URI path, or a conninfo's dbname). 0 or DBM_ERR_NOMEM. */
static int shadow_url_with_db(const char *url, const char *db, struct dbm_buf *out)
{
	const char *sep = strstr(url, "://");
	const char *path, *query;

	if (!sep) /* a libpq conninfo string: the last dbname= wins */
		return dbm_buf_addf(out, "%s dbname=%s", url, db);
	path = strchr(sep + 3, '/');
	query = strchr(sep + 3, '?');
	if (path && query && query < path)
		path = NULL;
	if (!path)
		path = query ? query : sep + strlen(sep);
	if (dbm_buf_add(out, url, (size_t)(path - url)) < 0 || dbm_buf_addf(out, "/%s", db) < 0)
		return DBM_ERR_NOMEM;
	return query ? dbm_buf_adds(out, query) : 0;
}

/* Runs one statement of dbmigrate's own on s's connection. 0 or the error. */
static int shadow_exec(struct dbm_session *s, const char *sql)
{
	struct dbm_stmt st;

	memset(&st, 0, sizeof(st));
	st.sql = sql;
	st.len = strlen(sql);
	st.line = 1;
	return s->driver->exec(s->conn, &st);
}

int dbm_shadow_create(struct dbm_session *s, struct dbm_shadow *sh)
{
	char sql[128];
	int r;

	if (s->driver->caps & DBM_CAP_EMBEDDED) { /* a file of its own, not a server's database */
		const char *tmp = getenv("TMPDIR");

		r = dbm_buf_addf(&sh->url, "%s/dbmigrate_shadow_%ld.db", tmp && *tmp ? tmp : "/tmp",
		                 (long)getpid());
		if (r < 0)
			return r;
		sh->file = dbm_buf_detach(&sh->url);
		remove(sh->file);
		return dbm_buf_addf(&sh->url, "sqlite://%s", sh->file);
	}
	snprintf(sh->name, sizeof(sh->name), "dbmigrate_shadow_%ld", (long)getpid());
	snprintf(sql, sizeof(sql), "CREATE DATABASE %s", sh->name);
	r = shadow_exec(s, sql);
	if (r < 0) {
		dbm_error_set_hint("--shadow auto creates a temporary database on the server; give "
		                   "the user the right to create databases, or name an empty one "
		                   "with --shadow URL.");
		sh->name[0] = '\0';
		return r;
	}
	return shadow_url_with_db(s->cfg->url, sh->name, &sh->url);
}

void dbm_shadow_drop(struct dbm_session *s, struct dbm_shadow *sh)
{
	struct dbm_error saved = *dbm_error_last();

	if (sh->file) {
		static const char *const suffixes[] = {"", ".lock", "-journal", "-wal", "-shm"};
		size_t i;

		for (i = 0; i < DBM_ARRAY_SIZE(suffixes); i++) {
			struct dbm_buf path = DBM_BUF_INIT;

			if (dbm_buf_addf(&path, "%s%s", sh->file, suffixes[i]) == 0)
				remove(path.ptr);
			dbm_buf_free(&path);
		}
	} else if (sh->name[0] && s->conn) {
		char sql[128];

		snprintf(sql, sizeof(sql), "DROP DATABASE IF EXISTS %s", sh->name);
		if (shadow_exec(s, sql) < 0)
			dbm_out_warn("could not drop the shadow database %s: drop it by hand",
			             sh->name);
	}
	*dbm_error_last() = saved;
	dbm_buf_free(&sh->url);
	free(sh->file);
	sh->file = NULL;
	sh->name[0] = '\0';
}

/* Keeps the first column of the first row in the struct dbm_buf ctx. */
static int shadow_first_value(void *ctx, unsigned ncols, const char *const *values)
{
	struct dbm_buf *b = ctx;

	if (b->len == 0 && ncols > 0 && values[0] && dbm_buf_adds(b, values[0]) < 0)
		return -1;
	return 0;
}

/*
 * What tells one database from another whatever the URL says (the driver's
 * identity_sql): the SQLite file's path; the server (its port and start
 * time, or host name and port) with the database's name. Appends it to out.
 * 0 or the error.
 */
static int shadow_identity(struct dbm_session *s, struct dbm_buf *out)
{
	int r = s->driver->query(s->conn, s->driver->identity_sql, shadow_first_value, out);
	if (r > 0)
		r = dbm_error_oom();
	return r;
}

int dbm_shadow_use(struct dbm_session *live, const char *url, struct dbm_shadow *sh)
{
	struct dbm_config c = *live->cfg;
	struct dbm_buf a = DBM_BUF_INIT, b = DBM_BUF_INIT;
	struct dbm_session s;
	int r;

	r = dbm_buf_adds(&sh->url, url);
	if (r < 0)
		return r;
	c.url = (char *)url;
	r = dbm_session_open(&s, &c, DBM_SESSION_CONNECT, 0);
	if (r == 0)
		r = shadow_identity(live, &a);
	if (r == 0)
		r = shadow_identity(&s, &b);
	if (r == 0 && (strcmp(url, live->cfg->url) == 0 ||
	               (a.len && strcmp(dbm_buf_cstr(&a), dbm_buf_cstr(&b)) == 0))) {
		dbm_error_set(DBM_ERR_USAGE, "--shadow names the database being checked");
		dbm_error_set_hint(
		    "diff empties the shadow database: give it a database of its own, "
		    "or use --shadow auto.");
		r = DBM_ERR_USAGE;
	}
	if (r == 0)
		r = dbm_session_clean(&s, s.schema ? s.schema : s.conn->schema, NULL);
	dbm_session_close(&s);
	dbm_buf_free(&a);
	dbm_buf_free(&b);
	return r;
}
