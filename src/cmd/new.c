/*
 * new.c - create the next versioned migration and its undo script.
 *
 * The next version is one more than the first part of the highest version
 * in use (V7__x -> V8); when the existing versions are timestamps (ten or
 * more digits), it is the current UTC time as YYYYMMDDHHMMSS. The files get
 * a short header comment; nothing is overwritten. A project in another
 * tool's layout (naming, or the layout its files were read in) gets its
 * files in that layout: golang-migrate's N_name.up.sql / .down.sql, one
 * dbmate or goose file with both markers, or a numbered file with its undo
 * in the rollback folder; the version keeps the width of the last one
 * (000007 -> 000008).
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cmd/cmd.h"
#include "dbmigrate/scan.h"
#include "output/output.h"

/*
 * The name as it goes into a file name: letters, digits and '_' (spaces and
 * '-' become '_'; those at either end are dropped, so that the file name's
 * "__" stays the one separator). Returns 0; DBM_ERR_USAGE for a name with
 * nothing left ("", "  ", "--") or a character a file name cannot hold;
 * DBM_ERR_NOMEM.
 */
static int new_clean_name(const char *name, struct dbm_buf *out)
{
	const char *p, *end = name + strlen(name);

	for (p = name; *p; p++) {
		char c = *p;

		if (c == ' ' || c == '-')
			c = '_';
		if (!isalnum((unsigned char)c) && c != '_') {
			if ((unsigned char)c >= 0x80 || (unsigned char)c < 0x20 || c == 0x7f)
				dbm_error_set(DBM_ERR_USAGE,
				              "the name '%s' has a character that cannot "
				              "go into a file name: byte 0x%02x",
				              name, (unsigned char)c);
			else
				dbm_error_set(DBM_ERR_USAGE,
				              "the name '%s' has a character that cannot "
				              "go into a file name: '%c'",
				              name, c);
			dbm_error_set_hint("Use letters, digits, '_', '-' or spaces, e.g. "
			                   "add_email_to_users.");
			return DBM_ERR_USAGE;
		}
	}
	while (*name == ' ' || *name == '-' || *name == '_')
		name++;
	while (end > name && (end[-1] == ' ' || end[-1] == '-' || end[-1] == '_'))
		end--;
	if (end == name) {
		dbm_error_set(DBM_ERR_USAGE, "new needs a NAME with a letter or digit in it");
		dbm_error_set_hint("The name becomes the migration's description; for example: "
		                   "dbmigrate new add_email_to_users");
		return DBM_ERR_USAGE;
	}
	for (p = name; p < end; p++)
		if (dbm_buf_addc(out, *p == ' ' || *p == '-' ? '_' : *p) < 0)
			return DBM_ERR_NOMEM;
	return 0;
}

static int new_next_version(const struct dbm_fileset *fs, struct dbm_buf *out)
{
	const char *last = fs->nversioned ? fs->versioned[fs->nversioned - 1].version : NULL;
	size_t first = last ? strcspn(last, ".") : 0;

	if (last && first >= 10) {
		char stamp[32];
		time_t now = time(NULL);
		struct tm tm;

		gmtime_r(&now, &tm);
		strftime(stamp, sizeof(stamp), "%Y%m%d%H%M%S", &tm);
		return dbm_buf_adds(out, stamp);
	}
	return dbm_buf_addf(out, "%lu", last ? strtoul(last, NULL, 10) + 1 : 1UL);
}

/* The layout the new files take: the named one, else the newest file's, else Flyway's. */
static enum dbm_naming new_layout(const struct dbm_config *cfg, const struct dbm_fileset *fs)
{
	enum dbm_naming n = dbm_config_naming(cfg);

	if (n != DBM_NAMING_AUTO)
		return n;
	return fs->nversioned ? fs->versioned[fs->nversioned - 1].naming : DBM_NAMING_FLYWAY;
}

/* Pads version with zeros to the width of the newest version (000007 -> 000008). */
static int new_pad(const struct dbm_fileset *fs, struct dbm_buf *version)
{
	const char *last = fs->nversioned ? fs->versioned[fs->nversioned - 1].version : NULL;
	size_t want = last ? strlen(last) : 0;
	struct dbm_buf padded = DBM_BUF_INIT;
	int r = 0;

	if (version->len >= want)
		return 0;
	while (padded.len + version->len < want && r == 0)
		r = dbm_buf_addc(&padded, '0');
	if (r == 0)
		r = dbm_buf_add(&padded, version->ptr, version->len);
	if (r == 0) {
		dbm_buf_clear(version);
		r = dbm_buf_add(version, padded.ptr, padded.len);
	}
	dbm_buf_free(&padded);
	return r < 0 ? DBM_ERR_NOMEM : 0;
}

/*
 * The files of another tool's layout: up (and down, "" when the layout has
 * one file) paths and their text. Returns 0 or DBM_ERR_NOMEM.
 */
static int new_other_layout(const struct dbm_config *cfg, enum dbm_naming n, const char *version,
                            const char *name, struct dbm_buf *up, struct dbm_buf *down,
                            struct dbm_buf *up_text, struct dbm_buf *down_text)
{
	struct stat sb;
	const char *rb = cfg->rollback;
	struct dbm_buf inner = DBM_BUF_INIT;
	int r = 0;

	switch (n) {
	case DBM_NAMING_GOLANG_MIGRATE:
		r = dbm_buf_addf(up, "%s/%s_%s.up.sql", cfg->migrations, version, name) < 0 ||
		    dbm_buf_addf(down, "%s/%s_%s.down.sql", cfg->migrations, version, name) < 0 ||
		    dbm_buf_adds(up_text, "-- Applied by 'dbmigrate migrate'.\n\n") < 0 ||
		    dbm_buf_adds(down_text, "-- Run by 'dbmigrate rollback'.\n\n") < 0;
		break;
	case DBM_NAMING_DBMATE:
		r = dbm_buf_addf(up, "%s/%s_%s.sql", cfg->migrations, version, name) < 0 ||
		    dbm_buf_adds(up_text, "-- migrate:up\n\n\n-- migrate:down\n\n") < 0;
		break;
	case DBM_NAMING_GOOSE:
		r = dbm_buf_addf(up, "%s/%s_%s.sql", cfg->migrations, version, name) < 0 ||
		    dbm_buf_adds(up_text, "-- +goose Up\n\n\n-- +goose Down\n\n") < 0;
		break;
	default: /* numbered: the undo in the rollback folder the scan used */
		if (stat(rb, &sb) != 0 &&
		    dbm_buf_addf(&inner, "%s/rollback", cfg->migrations) == 0 &&
		    stat(inner.ptr, &sb) == 0 && S_ISDIR(sb.st_mode))
			rb = inner.ptr;
		r = dbm_buf_addf(up, "%s/%s_%s.sql", cfg->migrations, version, name) < 0 ||
		    dbm_buf_addf(down, "%s/%s_%s.sql", rb, version, name) < 0 ||
		    dbm_buf_adds(up_text, "-- Applied by 'dbmigrate migrate'.\n\n") < 0 ||
		    dbm_buf_addf(down_text, "-- Undoes %s; run by 'dbmigrate rollback'.\n\n",
		                 up->ptr) < 0;
		break;
	}
	dbm_buf_free(&inner);
	return r ? DBM_ERR_NOMEM : 0;
}

/* Creates path with content; refuses to overwrite. */
static int new_write(const char *path, const char *content)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0644);
	size_t len = strlen(content);

	if (fd < 0) {
		dbm_error_set(errno == EEXIST ? DBM_ERR_USAGE : DBM_ERR_RUN,
		              "cannot create '%s': %s", path, strerror(errno));
		return dbm_error_last()->klass;
	}
	if (write(fd, content, len) != (ssize_t)len) {
		dbm_error_set(DBM_ERR_RUN, "cannot write '%s': %s", path, strerror(errno));
		close(fd);
		return DBM_ERR_RUN;
	}
	close(fd);
	return 0;
}

int dbm_cmd_new(const struct dbm_config *cfg, const struct dbm_cmd_args *a)
{
	struct dbm_fileset fs = DBM_FILESET_INIT;
	struct dbm_buf name = DBM_BUF_INIT, version = DBM_BUF_INIT;
	struct dbm_buf up = DBM_BUF_INIT, down = DBM_BUF_INIT, text = DBM_BUF_INIT;
	struct dbm_buf down_text = DBM_BUF_INIT;
	enum dbm_naming layout;
	int r;

	r = new_clean_name(a->name, &name);
	if (r == 0)
		r = dbm_scan_layout(cfg->migrations, cfg->rollback, dbm_config_naming(cfg), &fs);
	if (r == 0)
		r = new_next_version(&fs, &version);
	if (r < 0)
		goto done;
	layout = new_layout(cfg, &fs);
	if (layout != DBM_NAMING_FLYWAY) {
		r = new_pad(&fs, &version);
		if (r == 0)
			r = new_other_layout(cfg, layout, version.ptr, name.ptr, &up, &down, &text,
			                     &down_text);
		if (r == 0)
			r = new_write(up.ptr, text.ptr);
		if (r == 0 && down.len && (r = new_write(down.ptr, down_text.ptr)) < 0)
			unlink(up.ptr);
		if (r < 0)
			goto done;
		goto report;
	}
	if (mkdir(cfg->rollback, 0755) != 0 && errno != EEXIST) {
		r = dbm_error_set(DBM_ERR_RUN, "cannot create '%s': %s", cfg->rollback,
		                  strerror(errno));
		goto done;
	}
	/* the file-name settings (sql_migration_prefix, ...); the first suffix */
	if (dbm_buf_addf(&up, "%s/%s%s%s%s%.*s", cfg->migrations, cfg->sql_migration_prefix,
	                 version.ptr, cfg->sql_migration_separator, name.ptr,
	                 (int)strcspn(cfg->sql_migration_suffixes, ","),
	                 cfg->sql_migration_suffixes) < 0 ||
	    dbm_buf_addf(&down, "%s/%s%s%s%s%.*s", cfg->rollback, cfg->undo_sql_migration_prefix,
	                 version.ptr, cfg->sql_migration_separator, name.ptr,
	                 (int)strcspn(cfg->sql_migration_suffixes, ","),
	                 cfg->sql_migration_suffixes) < 0 ||
	    dbm_buf_addf(&text, "-- %s%s: %s\n-- Applied by 'dbmigrate migrate'; undone by %s.\n\n",
	                 cfg->sql_migration_prefix, version.ptr, a->name, down.ptr) < 0) {
		r = DBM_ERR_NOMEM;
		goto done;
	}
	r = new_write(up.ptr, text.ptr);
	if (r < 0)
		goto done;
	dbm_buf_clear(&text);
	if (dbm_buf_addf(&text, "-- %s%s: undoes %s\n-- Run by 'dbmigrate rollback'.\n\n",
	                 cfg->undo_sql_migration_prefix, version.ptr, up.ptr) < 0) {
		r = DBM_ERR_NOMEM;
		goto done;
	}
	r = new_write(down.ptr, text.ptr);
	if (r < 0) {
		unlink(up.ptr);
		goto done;
	}
report:
	if (dbm_out_is_json()) {
		json_t *doc = json_object();

		json_object_set_new(doc, "operation", json_string("new"));
		json_object_set_new(doc, "version", dbm_json_text(version.ptr));
		json_object_set_new(doc, "migration", dbm_json_text(up.ptr));
		json_object_set_new(doc, "undo", dbm_json_text(down.len ? down.ptr : up.ptr));
		dbm_out_json(doc);
	}
	if (down.len)
		dbm_out_text("Created %s\nCreated %s\n", up.ptr, down.ptr);
	else
		dbm_out_text("Created %s\n", up.ptr);
done:
	dbm_fileset_free(&fs);
	dbm_buf_free(&name);
	dbm_buf_free(&version);
	dbm_buf_free(&up);
	dbm_buf_free(&down);
	dbm_buf_free(&text);
	dbm_buf_free(&down_text);
	return r;
}
