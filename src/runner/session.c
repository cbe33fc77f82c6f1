/*
 * session.c - opening and closing a session: files, connection, lock,
 * history (runner.h). The history table itself is read and written by
 * history.c only.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "dbmigrate/placeholder.h"
#include "dbmigrate/secret.h"
#include "dbmigrate/sqlgen.h"
#include "dbmigrate/source.h"
#include "dbmigrate/version.h"
#include "output/output.h"
#include "runner/runner.h"

/* The built-in placeholders, under both prefixes. */
static int session_builtins(struct dbm_session *s)
{
	static const char *const prefixes[] = {"dbmigrate:", "flyway:"};
	char stamp[32];
	time_t now = time(NULL);
	struct tm tm;
	struct dbm_buf key = DBM_BUF_INIT;
	size_t i, j;
	int r = 0;
	const char *names[4];
	const char *values[4];

	gmtime_r(&now, &tm);
	strftime(stamp, sizeof(stamp), "%Y-%m-%d %H:%M:%S", &tm);
	names[0] = "defaultSchema";
	values[0] =
	    s->conn && s->conn->schema ? s->conn->schema : (s->cfg->schema ? s->cfg->schema : "");
	names[1] = "user";
	values[1] = s->conn && s->conn->user ? s->conn->user : "";
	names[2] = "timestamp";
	values[2] = stamp;
	names[3] = "table";
	values[3] = s->cfg->table;
	for (i = 0; i < DBM_ARRAY_SIZE(prefixes) && r == 0; i++) {
		for (j = 0; j < DBM_ARRAY_SIZE(names) && r == 0; j++) {
			dbm_buf_clear(&key);
			r = dbm_buf_addf(&key, "%s%s", prefixes[i], names[j]);
			if (r == 0)
				r = dbm_placeholders_set(&s->placeholders, key.ptr, values[j]);
		}
	}
	dbm_buf_free(&key);
	return r;
}

/*
 * Lists the user's placeholder values among the secrets no output may show
 * (secret.h; the URL's are listed before), and warns when the
 * configuration file that holds the password may be read by other users.
 * Returns 0 or DBM_ERR_NOMEM.
 */
/*
 * 1 when a placeholder's name says it holds a secret: a part (between '_',
 * '-', '.' or ':') that is pw, pwd, pass, passwd, passphrase, key, or a
 * name with password, secret, token, credential, apikey or private in it,
 * letter case aside.
 */
static int session_secret_name(const char *key)
{
	static const char *const parts[] = {"pw", "pwd", "pass", "passwd", "passphrase", "key"};
	static const char *const words[] = {"password",   "secret", "token",
	                                    "credential", "apikey", "private"};
	char lower[DBM_PLACEHOLDER_NAME_MAX + 2];
	size_t i, n = strlen(key);
	const char *p;

	if (n >= sizeof(lower))
		n = sizeof(lower) - 1;
	for (i = 0; i < n; i++)
		lower[i] = (char)((key[i] >= 'A' && key[i] <= 'Z') ? key[i] - 'A' + 'a' : key[i]);
	lower[n] = '\0';
	for (i = 0; i < DBM_ARRAY_SIZE(words); i++)
		if (strstr(lower, words[i]))
			return 1;
	for (p = lower; *p; p += *p != '\0') {
		size_t len = strcspn(p, "_-.:");

		for (i = 0; i < DBM_ARRAY_SIZE(parts); i++)
			if (strlen(parts[i]) == len && strncmp(parts[i], p, len) == 0)
				return 1;
		p += len;
	}
	return 0;
}

/*
 * Which of the user's placeholders are secret, for --dry-run
 * (s->secret): those whose name says so (session_secret_name) and those
 * whose value is a secret of the connection (the URL's password,
 * PGPASSWORD, MYSQL_PWD: listed before this is called). A value that is
 * the placeholder itself ("${name}", a stand-in to fill at replay time)
 * is no secret. Returns 0 or DBM_ERR_NOMEM.
 */
static int session_mark_secrets(struct dbm_session *s)
{
	const struct dbm_placeholders *ph = &s->cfg->placeholders;
	struct dbm_buf self = DBM_BUF_INIT;
	size_t i;

	if (ph->n == 0)
		return 0;
	s->secret = dbm_calloc(ph->n, 1);
	if (!s->secret)
		return dbm_error_oom();
	for (i = 0; i < ph->n; i++) {
		const struct dbm_placeholder *p = &ph->items[i];

		dbm_buf_clear(&self);
		if (dbm_buf_addf(&self, "${%s}", p->key) < 0) {
			dbm_buf_free(&self);
			return DBM_ERR_NOMEM;
		}
		if (p->value && strcmp(p->value, dbm_buf_cstr(&self)) == 0)
			continue;
		s->secret[i] =
		    (unsigned char)(session_secret_name(p->key) || dbm_secret_listed(p->value));
	}
	dbm_buf_free(&self);
	return 0;
}

static int session_secrets(struct dbm_session *s)
{
	const struct dbm_config *cfg = s->cfg;
	struct stat st;
	size_t i;
	int r = session_mark_secrets(s);

	for (i = 0; r == 0 && i < cfg->placeholders.n; i++) {
		const char *v = cfg->placeholders.items[i].value;

		if (v)
			r = dbm_secret_add(v, strlen(v));
	}
	if (r == 0 && cfg->config_file && cfg->url_source &&
	    strcmp(cfg->url_source, cfg->config_file) == 0 &&
	    strcmp(dbm_buf_cstr(&s->url), cfg->url) != 0 && stat(cfg->config_file, &st) == 0 &&
	    (st.st_mode & (S_IRGRP | S_IROTH)))
		dbm_out_warn("%s holds a database password and other users may read it; "
		             "run chmod 600 on it, or move the password to PGPASSWORD or MYSQL_PWD",
		             cfg->config_file);
	return r;
}

/* 1 when the user's placeholder key is secret (s->secret), else 0. */
static int session_is_secret(const struct dbm_session *s, const char *key)
{
	size_t i;

	for (i = 0; s->secret && i < s->cfg->placeholders.n; i++)
		if (strcmp(s->cfg->placeholders.items[i].key, key) == 0)
			return s->secret[i];
	return 0;
}

/*
 * The placeholders as --dry-run shows them: replaced, so that the script
 * replays as it is, except each secret one, kept as "${name}" (and refused
 * where a statement uses it). Returns 0 and *out (free it with
 * dbm_placeholders_free), or DBM_ERR_NOMEM.
 */
int dbm_session_shown_placeholders(const struct dbm_session *s, struct dbm_placeholders *out)
{
	struct dbm_buf shown = DBM_BUF_INIT;
	size_t i;
	int r = 0;

	memset(out, 0, sizeof(*out));
	for (i = 0; r == 0 && i < s->placeholders.n; i++) {
		const struct dbm_placeholder *p = &s->placeholders.items[i];

		dbm_buf_clear(&shown);
		if (session_is_secret(s, p->key))
			r = dbm_buf_addf(&shown, "${%s}", p->key);
		else
			r = dbm_buf_adds(&shown, p->value);
		if (r == 0)
			r = dbm_placeholders_set(out, p->key, dbm_buf_cstr(&shown));
	}
	dbm_buf_free(&shown);
	if (r < 0)
		dbm_placeholders_free(out);
	return r;
}

static int session_copy_placeholders(struct dbm_session *s)
{
	size_t i;

	for (i = 0; i < s->cfg->placeholders.n; i++) {
		const struct dbm_placeholder *p = &s->cfg->placeholders.items[i];

		if (dbm_placeholders_set(&s->placeholders, p->key, p->value) < 0)
			return DBM_ERR_NOMEM;
	}
	return 0;
}

static int session_connect(struct dbm_session *s)
{
	const struct dbm_config *cfg = s->cfg;
	struct dbm_conn_opts o;
	int r;

	s->driver = dbm_driver_for_url(cfg->url);
	if (!s->driver)
		return dbm_error_last()->klass;
	s->dialect = s->driver->dialect;
	memset(&o, 0, sizeof(o));
	o.url = cfg->url;
	o.schema = cfg->schema;
	o.connect_retries = cfg->connect_retries;
	o.connect_retries_interval = cfg->connect_retries_interval;
	o.statement_timeout = cfg->statement_timeout;
	o.ddl_lock_timeout = cfg->ddl_lock_timeout;
	o.application_name = "dbmigrate";
	dbm_out_debug("connecting to %s", dbm_buf_cstr(&s->url));
	r = s->driver->connect(&o, &s->conn);
	if (r < 0) {
		struct dbm_error *e = dbm_error_last();

		if (!e->detail[0])
			dbm_error_set_detail("URL: %s", dbm_buf_cstr(&s->url));
		return r;
	}
	s->conn->driver = s->driver;
	dbm_interrupt_watch(s->conn);
	/*
	 * Always name the history table with its schema: a migration may change
	 * the search path (pg_dump's preamble empties it) before its row is written.
	 * SQLite has one schema a file, and no search path.
	 */
	s->schema = cfg->schema ? cfg->schema
	                        : ((s->driver->caps & DBM_CAP_SCHEMAS) ? s->conn->schema : NULL);
	return 0;
}

/*
 * Refuses a read-only replica (a hot standby, a MySQL server with
 * read_only) before a command that writes locks or changes anything, so
 * that a URL pointing at a replica fails at once and clearly rather than
 * at the first write, maybe half-way. Commands that only read (info,
 * validate, --dry-run) never ask. Returns 0, DBM_ERR_USAGE naming the
 * replica, or the driver's error when it could not tell.
 */
static int session_refuse_replica(struct dbm_session *s)
{
	char what[128] = "";
	int r;

	if (!s->driver->read_only)
		return 0;
	r = s->driver->read_only(s->conn, what, sizeof(what));
	if (r <= 0)
		return r;
	dbm_error_set(DBM_ERR_USAGE,
	              "%s is a read-only replica (%s): nothing was locked or changed",
	              dbm_buf_cstr(&s->url), what);
	dbm_error_set_hint("Point the URL at the primary, the server that takes writes. info and "
	                   "validate work on a replica.");
	return DBM_ERR_USAGE;
}

/*
 * 1 when the folders may be scanned while connecting: to a server (an
 * embedded database file would be created before a bad file name is
 * reported), with no connect retries (which would hold a scan problem back
 * until they are over).
 */
static int session_scan_beside_connect(const struct dbm_config *cfg)
{
	const struct dbm_driver *d = dbm_driver_for_url(cfg->url);

	if (!d) {
		dbm_error_clear(); /* connecting reports it, after the scan */
		return 0;
	}
	return !(d->caps & DBM_CAP_EMBEDDED) && cfg->connect_retries == 0;
}

int dbm_session_open(struct dbm_session *s, const struct dbm_config *cfg, unsigned steps,
                     int dry_run)
{
	struct stat sb;
	int r;

	memset(s, 0, sizeof(*s));
	s->cfg = cfg;
	s->dry_run = dry_run;
	s->next_rank = 1;
	/* the secrets first: the redacted URL is scrubbed of them too */
	r = dbm_secret_add_url(cfg->url);
	if (r == 0)
		r = dbm_url_redact(cfg->url, &s->url);
	if (r == 0)
		r = session_secrets(s);
	if (r < 0)
		return r;
	r = session_copy_placeholders(s);
	if (r < 0)
		return r;
	if (steps & DBM_SESSION_FILES) {
		/* against a server, the folders are scanned while the connection is made */
		r = (steps & DBM_SESSION_CONNECT) && session_scan_beside_connect(cfg)
		        ? dbm_prefetch_scan_start(s, cfg->migrations, cfg->rollback)
		        : 1;
		if (r < 0)
			return r;
		if (r > 0) {
			r = dbm_scan_layout(cfg->migrations, cfg->rollback, dbm_config_naming(cfg),
			                    &s->files);
			if (r < 0)
				return r;
			/* the files' checksums are read while the connection is made */
			if ((steps & DBM_SESSION_CONNECT) && (r = dbm_prefetch_start(s)) < 0)
				return r;
		}
		s->steps |= DBM_SESSION_FILES;
	} else if ((steps & DBM_SESSION_CALLBACKS) && stat(cfg->migrations, &sb) == 0 &&
	           S_ISDIR(sb.st_mode)) {
		/* a command without migrations still runs its callbacks, when there is a folder */
		r = dbm_scan(cfg->migrations, cfg->rollback, &s->files);
		if (r < 0)
			return r;
	}
	if (steps & DBM_SESSION_CONNECT) {
		int scanned;

		r = session_connect(s);
		/* nothing more than connecting happens before the files are known good */
		scanned = dbm_prefetch_scan_wait(s);
		if (scanned < 0)
			return scanned;
		if (r < 0)
			return r;
		s->steps |= DBM_SESSION_CONNECT;
		/* a replica is refused before anything runs on it, callbacks included */
		if ((steps & (DBM_SESSION_LOCK | DBM_SESSION_CREATE)) && !dry_run &&
		    (r = session_refuse_replica(s)) < 0)
			return r;
		/* SQL needs a connection: beforeConnect runs first on it, then afterConnect */
		r = s->files.ncallbacks ? session_builtins(s) : 0;
		if (r == 0)
			r = dbm_callback_fire(s, DBM_EV_BEFORE_CONNECT, 0);
		if (r == 0)
			r = dbm_callback_fire(s, DBM_EV_AFTER_CONNECT, 0);
		if (r < 0)
			return r;
		if ((steps & DBM_SESSION_LOCK) && !dry_run) {
			r = s->driver->lock
			        ? s->driver->lock(s->conn, s->schema, cfg->table, cfg->lock_timeout)
			        : 0;
			if (r < 0)
				return r;
			s->locked = 1;
		}
		r = dbm_hist_read(s);
		if (r < 0)
			return r;
		s->opened_rank = s->next_rank;
		if ((steps & DBM_SESSION_CREATE) && !s->history_exists) {
			r = dbm_session_ensure_history(s);
			if (r < 0)
				return r;
		}
	}
	return session_builtins(s);
}

/*
 * The history an offline dry run assumes (dbm_session_open_offline): a
 * success row per versioned file up to from, then per repeatable, ranked
 * in that order. Returns 0 or the error of a file's checksum.
 */
static int session_assume_history(struct dbm_session *s, const char *from)
{
	struct dbm_history_row row;
	size_t i, n = s->files.nversioned + s->files.nrepeatable;
	int r = 0;

	for (i = 0; r == 0 && i < n; i++) {
		const struct dbm_file *f = i < s->files.nversioned
		                               ? &s->files.versioned[i]
		                               : &s->files.repeatable[i - s->files.nversioned];

		if (f->version && dbm_version_cmp(f->version, from) > 0)
			continue;
		memset(&row, 0, sizeof(row));
		row.installed_rank = (int)s->next_rank;
		row.version = f->version;
		row.description = f->description;
		row.type = "SQL";
		row.script = f->script;
		row.installed_by = "";
		row.installed_on = "";
		row.has_checksum = 1;
		row.success = 1;
		r = dbm_session_checksum(s, f, &row.checksum);
		if (r == 0)
			r = dbm_history_add(&s->history, &row);
		s->next_rank++;
	}
	s->history_exists = 1;
	return r;
}

int dbm_session_open_offline(struct dbm_session *s, const struct dbm_config *cfg,
                             const char *dialect, const char *from)
{
	struct dbm_buf scheme = DBM_BUF_INIT;
	int r;

	memset(s, 0, sizeof(*s));
	s->cfg = cfg;
	s->dry_run = 1;
	s->offline = 1;
	s->next_rank = 1;
	r = dbm_secret_add_url(cfg->url);
	if (r == 0)
		r = dbm_url_redact(cfg->url, &s->url);
	if (r == 0)
		r = session_secrets(s);
	if (r == 0)
		r = session_copy_placeholders(s);
	if (r < 0)
		return r;
	if (!from || (strcmp(from, "empty") != 0 && !dbm_version_valid(from))) {
		dbm_error_set(DBM_ERR_USAGE,
		              from ? "--from: '%s' is not a version or 'empty'"
		                   : "--offline needs --from VERSION or --from empty",
		              from ? from : "");
		dbm_error_set_hint("Say what the database the script is for has applied: --from 3 "
		                   "(every version up to 3) or --from empty (nothing, not even the "
		                   "history table).");
		return DBM_ERR_USAGE;
	}
	if (dialect) {
		if (dbm_buf_addf(&scheme, "%s:", dialect) < 0)
			return DBM_ERR_NOMEM;
		s->driver = dbm_driver_for_url(dbm_buf_cstr(&scheme));
		dbm_buf_free(&scheme);
		if (!s->driver) {
			struct dbm_error *e = dbm_error_last();

			dbm_error_set(DBM_ERR_USAGE,
			              "--dialect: '%s' is no database this build has", dialect);
			dbm_error_set_hint("%s", e->hint);
			return DBM_ERR_USAGE;
		}
	} else {
		s->driver = dbm_driver_for_url(cfg->url);
		if (!s->driver)
			return dbm_error_last()->klass;
	}
	s->dialect = s->driver->dialect;
	s->schema = cfg->schema;
	r = dbm_scan(cfg->migrations, cfg->rollback, &s->files);
	if (r < 0)
		return r;
	s->steps |= DBM_SESSION_FILES;
	r = session_builtins(s);
	if (r == 0 && strcmp(from, "empty") != 0)
		r = session_assume_history(s, from);
	if (r == 0)
		r = dbm_history_sort(&s->history);
	/* the replay's connection runs the connect callbacks first, as a run's does */
	if (r == 0)
		r = dbm_callback_fire(s, DBM_EV_BEFORE_CONNECT, 0);
	if (r == 0)
		r = dbm_callback_fire(s, DBM_EV_AFTER_CONNECT, 0);
	return r;
}

void dbm_session_close(struct dbm_session *s)
{
	struct dbm_error saved;

	/* the error the command failed with is what the user must see, not the unlock's */
	dbm_error_save(&saved);
	dbm_prefetch_finish(s, 0);
	if (s->conn) {
		dbm_interrupt_watch(NULL);
		if (s->locked && s->driver->unlock)
			s->driver->unlock(s->conn);
		s->driver->disconnect(s->conn);
		s->conn = NULL;
	}
	dbm_error_restore(&saved);
	dbm_fileset_free(&s->files);
	dbm_history_free(&s->history);
	dbm_placeholders_free(&s->placeholders);
	dbm_buf_free(&s->sql);
	dbm_buf_free(&s->url);
	dbm_batch_free(&s->batch);
	dbm_free(s->secret);
	s->secret = NULL;
}

int dbm_session_exec(struct dbm_session *s, const char *sql)
{
	struct dbm_stmt st;

	if (s->dry_run) {
		dbm_dry_sql(s, sql, strlen(sql));
		return 0;
	}
	memset(&st, 0, sizeof(st));
	st.sql = sql;
	st.len = strlen(sql);
	st.line = 1;
	st.index = 1;
	dbm_out_debug("%s", sql);
	return s->conn->driver->exec(s->conn, &st);
}

/*
 * Rolls back the open transaction, keeping the last error (the reason) as
 * it was.
 */
void dbm_session_rollback(struct dbm_session *s)
{
	struct dbm_error saved;

	dbm_error_save(&saved);
	dbm_session_exec(s, dbm_sql_rollback(s->dialect));
	dbm_error_restore(&saved);
}

int dbm_session_ensure_history(struct dbm_session *s)
{
	return dbm_hist_create(s);
}

int dbm_session_record(struct dbm_session *s, struct dbm_history_row *row)
{
	return dbm_hist_insert(s, row);
}

/*
 * What the history names, sorted for binary search: the versions of its
 * versioned rows and the descriptions of its repeatable rows (borrowed from
 * the rows). Looking each file up in the rows one by one cost files x rows
 * version comparisons: most of the time of info with 10,000 files.
 */
struct session_applied {
	const char **versions;
	size_t nversions;
	const char **descriptions;
	size_t ndescriptions;
};

static int session_cmp_version(const void *a, const void *b)
{
	return dbm_version_cmp(*(const char *const *)a, *(const char *const *)b);
}

static int session_cmp_text(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Fills ap from h. Returns 0 or DBM_ERR_NOMEM; ap is safe to free either way. */
static int session_applied_init(struct session_applied *ap, const struct dbm_history *h)
{
	size_t i;

	memset(ap, 0, sizeof(*ap));
	if (h->n == 0)
		return 0;
	ap->versions = dbm_calloc(h->n, sizeof(*ap->versions));
	ap->descriptions = dbm_calloc(h->n, sizeof(*ap->descriptions));
	if (!ap->versions || !ap->descriptions)
		return dbm_error_oom();
	for (i = 0; i < h->n; i++) {
		const struct dbm_history_row *row = &h->rows[i];

		if (row->version)
			ap->versions[ap->nversions++] = row->version;
		else if (row->description)
			ap->descriptions[ap->ndescriptions++] = row->description;
	}
	dbm_sort(ap->versions, ap->nversions, sizeof(*ap->versions), session_cmp_version);
	dbm_sort(ap->descriptions, ap->ndescriptions, sizeof(*ap->descriptions), session_cmp_text);
	return 0;
}

static void session_applied_free(struct session_applied *ap)
{
	dbm_free(ap->versions);
	dbm_free(ap->descriptions);
}

/* 1 when some history row names this versioned file's version, else 0. */
static int session_version_applied(const struct session_applied *ap, const char *version)
{
	return ap->nversions && bsearch(&version, ap->versions, ap->nversions,
	                                sizeof(*ap->versions), session_cmp_version) != NULL;
}

/* 1 when some repeatable history row has this description, else 0. */
static int session_repeatable_applied(const struct session_applied *ap, const char *description)
{
	return ap->ndescriptions && bsearch(&description, ap->descriptions, ap->ndescriptions,
	                                    sizeof(*ap->descriptions), session_cmp_text) != NULL;
}

int dbm_session_set_filename(struct dbm_session *s, const struct dbm_file *f)
{
	const char *name = strrchr(f->script, '/');

	name = name ? name + 1 : f->script;
	if (dbm_placeholders_set(&s->placeholders, "dbmigrate:filename", name) < 0 ||
	    dbm_placeholders_set(&s->placeholders, "flyway:filename", name) < 0)
		return DBM_ERR_NOMEM;
	return 0;
}

int dbm_session_checksum(struct dbm_session *s, const struct dbm_file *f, int32_t *out)
{
	struct dbm_source_opts o;
	int r;

	if (f->has_checksum) {
		*out = f->checksum;
		return 0;
	}
	memset(&o, 0, sizeof(o));
	o.dialect = s->dialect;
	if (f->kind == DBM_FILE_REPEATABLE) {
		o.placeholders = &s->placeholders;
		o.checksum_after_placeholders = 1;
		r = dbm_session_set_filename(s, f);
		if (r < 0)
			return r;
	}
	return dbm_source_run(f->path, f->path, &o, out);
}

/* The checksums of the files the history mentions (see dbm_session_plan). */
static int session_checksums(struct dbm_session *s)
{
	struct dbm_source_opts o;
	struct session_applied ap;
	size_t i;
	int r;

	dbm_prefetch_finish(s, 1);
	memset(&ap, 0, sizeof(ap));
	r = session_applied_init(&ap, &s->history);
	if (r < 0)
		goto done;
	memset(&o, 0, sizeof(o));
	o.dialect = s->dialect;
	for (i = 0; i < s->files.nversioned; i++) {
		struct dbm_file *f = &s->files.versioned[i];

		if (f->has_checksum || !session_version_applied(&ap, f->version))
			continue;
		r = dbm_source_run_file(f, &o, &f->checksum);
		if (r < 0)
			goto done;
		f->has_checksum = 1;
	}
	/* placeholder_replacement: false (Flyway's placeholderReplacement): scripts as written */
	o.placeholders = s->cfg->placeholder_replacement ? &s->placeholders : NULL;
	o.checksum_after_placeholders = 1;
	for (i = 0; i < s->files.nrepeatable; i++) {
		struct dbm_file *f = &s->files.repeatable[i];

		if (f->has_checksum || !session_repeatable_applied(&ap, f->description))
			continue;
		r = dbm_session_set_filename(s, f);
		if (r == 0)
			r = dbm_source_run(f->path, f->path, &o, &f->checksum);
		if (r < 0)
			goto done;
		f->has_checksum = 1;
	}
done:
	session_applied_free(&ap);
	return r;
}

int dbm_session_plan(struct dbm_session *s, const char *target, struct dbm_plan *plan)
{
	struct dbm_plan_opts o;
	int r = session_checksums(s);

	if (r < 0)
		return r;
	memset(&o, 0, sizeof(o));
	o.target = target;
	o.out_of_order = s->cfg->out_of_order;
	o.ignore_patterns = s->cfg->ignore_migration_patterns;
	return dbm_plan_build(&s->files, &s->history, &o, plan);
}
