/*
 * scan.c - finding migration files, reading their names and settings (scan.h).
 *
 * dbm_scan() walks the migrations folder recursively, then the rollback
 * folder, in sorted name order so that every run sees the files in the same
 * order. Entries whose name starts with '.' are skipped. Every file whose
 * name ends in ".sql" must be named V<version>__<description>.sql,
 * R__<description>.sql or U<version>__<description>.sql (undo files are also
 * accepted in the migrations folder, where Flyway keeps them) or be an SQL
 * callback named after its event (callbackname.c); other files
 * are ignored, except "<script>.conf" beside a script, which holds its
 * settings. Problems do not stop the walk: every one is collected and they
 * are reported together in one error, so a user fixes them in one go.
 * Called by the commands before anything connects to a database. The
 * file-name grammar is in filename.c and the .conf reader in sidecar.c
 * (scan_int.h).
 */
#define _DEFAULT_SOURCE /* d_type in struct dirent */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "dbmigrate/common.h"
#include "dbmigrate/history.h"
#include "dbmigrate/scan.h"
#include "dbmigrate/version.h"
#include "layout_int.h"
#include "scan_int.h"

#define SCAN_MAX_DEPTH 64
/*
 * Problems whose text is kept; later ones are only counted, so that a
 * folder of a million badly named files or a settings file of a million
 * bad lines does not grow memory (the message shows far fewer anyway).
 */
#define SCAN_MAX_KEPT 200

/*
 * Records a problem: text, and file:line when it is about a line of a
 * file. Returns 0 or DBM_ERR_NOMEM.
 */
/* See scan_int.h. */
int scan_problem(struct scan_state *st, const char *file, unsigned line, const char *hint,
                 const char *fmt, ...)
{
	va_list ap;
	size_t mark = st->details.len;
	int r = 0;

	if (st->nkept >= SCAN_MAX_KEPT) {
		st->nproblems++;
		return 0;
	}
	if (st->nproblems > 0)
		r = dbm_buf_addc(&st->details, '\n');
	if (r == 0 && file)
		r = dbm_buf_addf(&st->details, "%s:%u: ", file, line);
	if (r == 0) {
		va_start(ap, fmt);
		r = dbm_buf_vaddf(&st->details, fmt, ap);
		va_end(ap);
	}
	if (r == 0 && st->nproblems == 0) {
		va_start(ap, fmt);
		r = dbm_buf_vaddf(&st->first, fmt, ap);
		va_end(ap);
		snprintf(st->first_file, sizeof(st->first_file), "%s", file ? file : "");
		st->first_line = line;
	}
	if (r == 0 && hint && !strstr(dbm_buf_cstr(&st->hints), hint)) {
		if (st->hints.len)
			r = dbm_buf_addc(&st->hints, ' ');
		if (r == 0)
			r = dbm_buf_adds(&st->hints, hint);
	}
	if (r < 0) {
		st->details.len = mark;
		return DBM_ERR_NOMEM;
	}
	st->nproblems++;
	st->nkept++;
	return 0;
}

/* Turns the collected problems into the last error; returns DBM_ERR_USAGE. */
static int scan_report(struct scan_state *st)
{
	const char *d = dbm_buf_cstr(&st->details);
	size_t room = sizeof(dbm_error_last()->detail) - 64;
	int r;

	if (st->nproblems == 1) {
		r = dbm_error_set(DBM_ERR_USAGE, "%s", dbm_buf_cstr(&st->first));
		if (st->first_file[0])
			dbm_error_set_where(st->first_file, st->first_line);
	} else {
		r = dbm_error_set(DBM_ERR_USAGE, "found %zu problems with migration files",
		                  st->nproblems);
		if (st->details.len <= room && st->nkept == st->nproblems) {
			dbm_error_set_detail("%s", d);
		} else {
			size_t cut = st->details.len, more = st->nproblems - st->nkept, i;

			if (cut > room) {
				cut = room;
				while (cut > 0 && d[cut] != '\n')
					cut--;
			}
			for (i = cut; i < st->details.len; i++)
				more += d[i] == '\n';
			dbm_error_set_detail("%.*s\n(and %zu more)", (int)cut, d, more);
		}
	}
	if (st->hints.len)
		dbm_error_set_hint("%s", dbm_buf_cstr(&st->hints));
	return r;
}

/* See scan_int.h. */
void scan_file_clear(struct dbm_file *f)
{
	dbm_free(f->version);
	dbm_free(f->description);
	dbm_free(f->path); /* script points into it */
	dbm_free(f->encoding);
	memset(f, 0, sizeof(*f));
}

static void scan_list_free(struct scan_list *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		scan_file_clear(&l->items[i]);
	dbm_free(l->items);
	memset(l, 0, sizeof(*l));
}

/* See scan_int.h. */
int scan_list_add(struct scan_list *l, struct dbm_file *f)
{
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 16;
		struct dbm_file *p = dbm_realloc(l->items, cap * sizeof(*p));

		if (!p)
			return dbm_error_oom();
		l->items = p;
		l->cap = cap;
	}
	l->items[l->n++] = *f;
	memset(f, 0, sizeof(*f));
	return 0;
}

/* Appends "a/b" (b alone when a is "") to out. Returns 0 or DBM_ERR_NOMEM. */
static int scan_join(struct dbm_buf *out, const char *a, const char *b)
{
	size_t alen = strlen(a);

	while (alen > 1 && a[alen - 1] == '/')
		alen--;
	if (alen == 0)
		return dbm_buf_adds(out, b);
	if (dbm_buf_add(out, a, alen) < 0)
		return DBM_ERR_NOMEM;
	if (a[alen - 1] != '/' && dbm_buf_addc(out, '/') < 0)
		return DBM_ERR_NOMEM;
	return dbm_buf_adds(out, b);
}

/*
 * Handles one ".sql" file: script is its path relative to folder. Returns 0
 * (a bad name is a recorded problem), DBM_ERR_RUN, DBM_ERR_NOMEM.
 */
static int scan_add_file(struct scan_state *st, const char *folder, const char *script,
                         const char *name, int in_rollback, int has_conf)
{
	struct dbm_file f;
	struct dbm_buf path = DBM_BUF_INIT;
	struct scan_list *list;
	char suggest[256];
	int r;

	memset(&f, 0, sizeof(f));
	f.in_transaction = -1;
	r = scan_join(&path, folder, script);
	if (r < 0)
		goto done;
	/* a callback's name (callbackname.c) before the migration-name grammar */
	r = dbm_parse_callback_name(name, &f.event, &f.description, suggest, sizeof(suggest));
	if (r == DBM_ERR_USAGE) {
		r = scan_problem(st, NULL, 0,
		                 "Callback files are named after their event exactly, as Flyway "
		                 "spells it: EVENT.sql or EVENT__description.sql.",
		                 "\"%s\" looks like a callback but is misspelt: name it \"%s\"",
		                 path.ptr, suggest);
		goto done;
	}
	if (r == DBM_CALLBACK_UNSUPPORTED) {
		r = scan_problem(
		    st, NULL, 0,
		    "Run its statements in a beforeEachMigrate or afterEachMigrate "
		    "callback, or in the migrations themselves.",
		    "\"%s\" is a %s callback, a Flyway event that dbmigrate does not run", path.ptr,
		    suggest);
		goto done;
	}
	if (r == 1) {
		f.kind = DBM_FILE_CALLBACK;
		r = DBM_NAMING_FLYWAY;
	} else if (r == 0) {
		r = layout_classify(st->naming, path.ptr, name, in_rollback, &f);
	}
	if (r == 0) {
		/* Flyway's names with the prefixes in use (filename.c), else the layout's own */
		const struct layout_ops *lo = layout_get(st->naming);

		r = scan_problem(st, NULL, 0, lo == &layout_flyway ? dbm_filename_hint() : lo->hint,
		                 "migration file name \"%s\" does not fit any expected form",
		                 path.ptr);
		goto done;
	}
	if (r < 0)
		goto done;
	f.naming = (enum dbm_naming)r;
	if (in_rollback && f.kind != DBM_FILE_UNDO && f.kind != DBM_FILE_CALLBACK) {
		char hint[320];

		snprintf(hint, sizeof(hint),
		         "The rollback folder holds only undo migrations, named %s.",
		         dbm_filename_undo_form());
		r = scan_problem(st, NULL, 0, hint, "\"%s\" is not an undo migration (%s)",
		                 path.ptr, dbm_filename_undo_form());
		goto done;
	}
	/* path ends with script (scan_join): one allocation serves both */
	f.script = path.ptr + path.len - strlen(script);
	f.path = dbm_buf_detach(&path);
	if (!f.path) {
		r = dbm_error_oom();
		goto done;
	}
	/* a name the history columns cannot hold is refused now, before anything runs */
	if (f.kind != DBM_FILE_CALLBACK &&
	    dbm_history_check_file(f.path, f.version, f.description, f.script) == DBM_ERR_USAGE) {
		struct dbm_error *e = dbm_error_last();
		char hint[sizeof(e->hint)];

		snprintf(hint, sizeof(hint), "%s", e->hint);
		r = scan_problem(st, NULL, 0, hint, "%s", e->message);
		goto done;
	}
	r = has_conf ? scan_read_conf(st, &f) : 0;
	if (r < 0)
		goto done;
	/* callbacks go with any layout: they do not make a folder mixed */
	if (f.kind != DBM_FILE_CALLBACK && !st->seen[f.naming] &&
	    !(st->seen[f.naming] = dbm_strdup(f.path))) {
		r = dbm_error_oom();
		goto done;
	}
	if (layout_get(f.naming)->parts) {
		r = layout_add_parts(st, &f);
		goto done;
	}
	list = f.kind == DBM_FILE_VERSIONED    ? &st->versioned
	       : f.kind == DBM_FILE_REPEATABLE ? &st->repeatable
	       : f.kind == DBM_FILE_CALLBACK   ? &st->callbacks
	                                       : &st->undo;
	r = scan_list_add(list, &f);
done:
	scan_file_clear(&f);
	dbm_buf_free(&path);
	return r;
}

/* A folder entry: its name, and its type as the listing gives it (DT_UNKNOWN: ask stat). */
struct scan_entry {
	char *name;
	unsigned char type;
};

static int scan_cmp_names(const void *a, const void *b)
{
	return strcmp(((const struct scan_entry *)a)->name, ((const struct scan_entry *)b)->name);
}

/*
 * Lists folder/rel (rel "" for the folder itself) and handles its entries in
 * name order, recursing into sub-folders. Returns 0, DBM_ERR_RUN or
 * DBM_ERR_NOMEM.
 */
static int scan_walk(struct scan_state *st, const char *folder, const char *rel, int depth,
                     int in_rollback)
{
	struct dbm_buf dir = DBM_BUF_INIT, child = DBM_BUF_INIT, sub = DBM_BUF_INIT;
	struct scan_entry *names = NULL;
	size_t n = 0, cap = 0, i;
	DIR *dp = NULL;
	struct dirent *de;
	int r;

	r = scan_join(&dir, folder, rel);
	if (r < 0)
		goto done;
	if (depth > SCAN_MAX_DEPTH) {
		r = dbm_error_set(DBM_ERR_RUN, "folders nested too deeply at \"%s\"", dir.ptr);
		dbm_error_set_hint("Check for a symbolic link that points to a parent folder.");
		goto done;
	}
	dp = opendir(dir.ptr);
	if (!dp) {
		r = dbm_error_set(DBM_ERR_RUN, "cannot read folder \"%s\": %s", dir.ptr,
		                  strerror(errno));
		goto done;
	}
	errno = 0;
	while ((de = readdir(dp)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		if (n == cap) {
			size_t ncap = cap ? cap * 2 : 32;
			struct scan_entry *p = dbm_realloc(names, ncap * sizeof(*p));

			if (!p) {
				r = dbm_error_oom();
				goto done;
			}
			names = p;
			cap = ncap;
		}
		names[n].name = dbm_strdup(de->d_name);
		if (!names[n].name) {
			r = dbm_error_oom();
			goto done;
		}
		names[n].type = de->d_type;
		n++;
	}
	if (errno) {
		r = dbm_error_set(DBM_ERR_RUN, "cannot read folder \"%s\": %s", dir.ptr,
		                  strerror(errno));
		goto done;
	}
	if (n > 1)
		dbm_sort(names, n, sizeof(*names), scan_cmp_names);
	for (i = 0; i < n; i++) {
		const char *name = names[i].name;
		int is_dir = names[i].type == DT_DIR, is_sql = dbm_filename_is_script(name);
		struct stat sb;

		/*
		 * A regular file's type comes with the listing: no stat per file.
		 * Folders (checked against the rollback folder), links and file
		 * systems that do not give the type are asked.
		 */
		if (names[i].type == DT_REG && !is_sql)
			continue;
		dbm_buf_clear(&child);
		dbm_buf_clear(&sub);
		r = scan_join(&child, dir.ptr, name);
		if (r == 0)
			r = scan_join(&sub, rel, name);
		if (r < 0)
			goto done;
		if (names[i].type != DT_REG) {
			if (stat(child.ptr, &sb) != 0) {
				r = dbm_error_set(DBM_ERR_RUN, "cannot read \"%s\": %s", child.ptr,
				                  strerror(errno));
				goto done;
			}
			is_dir = S_ISDIR(sb.st_mode);
			if (!is_dir && !S_ISREG(sb.st_mode))
				continue;
		}
		if (is_dir) {
			if (st->skip_dir && sb.st_dev == st->skip_dev && sb.st_ino == st->skip_ino)
				continue;
			r = scan_walk(st, folder, sub.ptr, depth + 1, in_rollback);
		} else if (is_sql) {
			/* the listing says whether "<name>.conf" exists: no failed open per file */
			dbm_buf_clear(&child);
			r = dbm_buf_addf(&child, "%s.conf", name);
			if (r == 0) {
				struct scan_entry key = {NULL, DT_UNKNOWN};
				int has_conf;

				key.name = child.ptr;
				has_conf =
				    bsearch(&key, names, n, sizeof(*names), scan_cmp_names) != NULL;
				r = scan_add_file(st, folder, sub.ptr, name, in_rollback, has_conf);
			}
		}
		if (r < 0)
			goto done;
	}
done:
	if (dp)
		closedir(dp);
	for (i = 0; i < n; i++)
		dbm_free(names[i].name);
	dbm_free(names);
	dbm_buf_free(&dir);
	dbm_buf_free(&child);
	dbm_buf_free(&sub);
	return r;
}

static int scan_cmp_version(const void *a, const void *b)
{
	const struct dbm_file *x = a, *y = b;
	int c = dbm_version_cmp(x->version, y->version);

	return c ? c : strcmp(x->script, y->script);
}

/* Callbacks: by event, then by file name (their run order), then by path. */
static int scan_cmp_callback(const void *a, const void *b)
{
	const struct dbm_file *x = a, *y = b;
	const char *xn = strrchr(x->script, '/'), *yn = strrchr(y->script, '/');
	int c = (x->event > y->event) - (x->event < y->event);

	if (c == 0)
		c = strcmp(xn ? xn + 1 : x->script, yn ? yn + 1 : y->script);
	return c ? c : strcmp(x->script, y->script);
}

static int scan_cmp_description(const void *a, const void *b)
{
	const struct dbm_file *x = a, *y = b;
	int c = strcmp(x->description, y->description);

	return c ? c : strcmp(x->script, y->script);
}

/*
 * Appends "\"a\", \"b\" and \"c\"" for files[0..n) to out. Returns 0 or
 * DBM_ERR_NOMEM.
 */
static int scan_name_list(struct dbm_buf *out, const struct dbm_file *files, size_t n)
{
	size_t i;
	int r = 0;

	for (i = 0; i < n && r == 0; i++)
		r = dbm_buf_addf(out, "%s\"%s\"",
		                 i == 0       ? ""
		                 : i + 1 == n ? " and "
		                              : ", ",
		                 files[i].path);
	return r;
}

/*
 * Records a problem for each run of equal keys in the sorted list (equal
 * versions, or equal descriptions when by_desc). Returns 0 or DBM_ERR_NOMEM.
 */
static int scan_check_dups(struct scan_state *st, const struct scan_list *l, int by_desc,
                           const char *what, const char *hint)
{
	struct dbm_buf names = DBM_BUF_INIT;
	size_t i = 0, j;
	int r = 0;

	while (i < l->n && r == 0) {
		for (j = i + 1; j < l->n; j++) {
			int c = by_desc ? strcmp(l->items[i].description, l->items[j].description)
			                : dbm_version_cmp(l->items[i].version, l->items[j].version);
			if (c != 0)
				break;
		}
		if (j - i > 1) {
			dbm_buf_clear(&names);
			r = scan_name_list(&names, l->items + i, j - i);
			if (r == 0 && by_desc)
				r = scan_problem(st, NULL, 0, hint, "%s \"%s\" is used by %s%s",
				                 what, l->items[i].description,
				                 j - i == 2 ? "both " : "", names.ptr);
			else if (r == 0)
				r = scan_problem(st, NULL, 0, hint, "%s %s is used by %s%s", what,
				                 l->items[i].version, j - i == 2 ? "both " : "",
				                 names.ptr);
		}
		i = j;
	}
	dbm_buf_free(&names);
	return r;
}

const struct dbm_file *dbm_fileset_find(const struct dbm_fileset *fs, const char *version)
{
	size_t lo = 0, hi = fs->nversioned;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = dbm_version_cmp(fs->versioned[mid].version, version);

		if (c == 0)
			return &fs->versioned[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/*
 * Checks a folder argument: 0 when it is a folder (and *sb filled), 1 when
 * it does not exist, else DBM_ERR_USAGE / DBM_ERR_RUN with the error set.
 */
static int scan_check_folder(const char *dir, const char *what, struct stat *sb)
{
	if (stat(dir, sb) != 0) {
		if (errno == ENOENT || errno == ENOTDIR)
			return 1;
		return dbm_error_set(DBM_ERR_RUN, "cannot read %s folder \"%s\": %s", what, dir,
		                     strerror(errno));
	}
	if (!S_ISDIR(sb->st_mode))
		return dbm_error_set(DBM_ERR_USAGE, "%s folder \"%s\" is not a folder", what, dir);
	return 0;
}

/* See scan.h. */
/* Flyway's second and later locations, comma-separated ("" for none): dbm_scan_more_locations. */
static char scan_more[4096];

int dbm_scan_more_locations(const char *folders)
{
	if (folders && strlen(folders) >= sizeof(scan_more))
		return dbm_error_set(DBM_ERR_USAGE, "locations: the list is longer than %zu bytes",
		                     sizeof(scan_more) - 1);
	snprintf(scan_more, sizeof(scan_more), "%s", folders ? folders : "");
	return 0;
}

/*
 * Walks each folder of scan_more after the migrations folder. Returns 0,
 * DBM_ERR_USAGE (a folder is missing), DBM_ERR_RUN, DBM_ERR_NOMEM.
 */
static int scan_walk_more(struct scan_state *st)
{
	const char *p = scan_more;
	char dir[sizeof(scan_more)];
	struct stat sb;
	int r = 0;

	while (r == 0 && *p) {
		size_t n = strcspn(p, ",");

		snprintf(dir, sizeof(dir), "%.*s", (int)n, p);
		p += n + (p[n] == ',');
		r = scan_check_folder(dir, "migrations", &sb);
		if (r == 1) {
			r = dbm_error_set(DBM_ERR_USAGE, "location \"%s\" does not exist", dir);
			dbm_error_set_hint("Create it, or remove it from the locations setting.");
		}
		if (r == 0)
			r = scan_walk(st, dir, "", 0, 0);
	}
	return r;
}

int dbm_scan(const char *migrations_dir, const char *rollback_dir, struct dbm_fileset *out)
{
	return dbm_scan_layout(migrations_dir, rollback_dir, DBM_NAMING_AUTO, out);
}

/* See scan.h. */
int dbm_scan_layout(const char *migrations_dir, const char *rollback_dir, enum dbm_naming naming,
                    struct dbm_fileset *out)
{
	struct scan_state st;
	struct dbm_fileset fs = DBM_FILESET_INIT;
	struct stat msb, rsb;
	struct dbm_buf inner = DBM_BUF_INIT;
	int r, have_rollback = 0;
	size_t i;

	memset(&st, 0, sizeof(st));
	memset(out, 0, sizeof(*out));
	st.naming = naming;
	r = scan_check_folder(migrations_dir, "migrations", &msb);
	if (r == 1) {
		r = dbm_error_set(DBM_ERR_USAGE, "migrations folder \"%s\" does not exist",
		                  migrations_dir);
		dbm_error_set_hint("Create it, or point --migrations at the folder that holds "
		                   "your migrations.");
	}
	if (r != 0)
		goto done;
	if (rollback_dir) {
		r = scan_check_folder(rollback_dir, "rollback", &rsb);
		if (r == 1 && (naming == DBM_NAMING_AUTO || naming == DBM_NAMING_NUMBERED)) {
			/* numbered projects keep their undo scripts in <migrations>/rollback */
			r = scan_join(&inner, migrations_dir, "rollback");
			if (r == 0)
				r = scan_check_folder(inner.ptr, "rollback", &rsb);
			if (r < 0)
				goto done;
			if (r == 0 &&
			    (naming == DBM_NAMING_NUMBERED || layout_numbered_folder(inner.ptr)))
				rollback_dir = inner.ptr;
			else
				r = 1; /* a sub-folder of migrations like any other */
		}
		if (r < 0)
			goto done;
		have_rollback = r == 0 && !(rsb.st_dev == msb.st_dev && rsb.st_ino == msb.st_ino);
		if (have_rollback) {
			st.skip_dir = 1;
			st.skip_dev = rsb.st_dev;
			st.skip_ino = rsb.st_ino;
		}
	}
	r = scan_walk(&st, migrations_dir, "", 0, 0);
	if (r == 0 && scan_more[0])
		r = scan_walk_more(&st);
	if (r == 0 && have_rollback)
		r = scan_walk(&st, rollback_dir, "", 0, 1);
	if (r == 0 && naming == DBM_NAMING_AUTO)
		r = layout_check_mixed(&st);
	if (r < 0)
		goto done;

	if (st.versioned.n > 1)
		dbm_sort(st.versioned.items, st.versioned.n, sizeof(struct dbm_file),
		         scan_cmp_version);
	if (st.repeatable.n > 1)
		dbm_sort(st.repeatable.items, st.repeatable.n, sizeof(struct dbm_file),
		         scan_cmp_description);
	if (st.undo.n > 1)
		dbm_sort(st.undo.items, st.undo.n, sizeof(struct dbm_file), scan_cmp_version);
	if (st.callbacks.n > 1)
		dbm_sort(st.callbacks.items, st.callbacks.n, sizeof(struct dbm_file),
		         scan_cmp_callback);
	r = scan_check_dups(&st, &st.versioned, 0, "version",
	                    "Give each versioned migration its own version; leading zeros and "
	                    "trailing zero parts do not make versions differ.");
	if (r == 0)
		r = scan_check_dups(&st, &st.repeatable, 1, "description",
		                    "Give each repeatable migration its own description.");
	if (r == 0)
		r = scan_check_dups(&st, &st.undo, 0, "undo version",
		                    "Keep one undo migration per version.");
	if (r < 0)
		goto done;

	fs.versioned = st.versioned.items;
	fs.nversioned = st.versioned.n;
	fs.repeatable = st.repeatable.items;
	fs.nrepeatable = st.repeatable.n;
	fs.undo = st.undo.items;
	fs.nundo = st.undo.n;
	fs.callbacks = st.callbacks.items;
	fs.ncallbacks = st.callbacks.n;
	for (i = 0; i < fs.nundo; i++) {
		struct dbm_file *v = (struct dbm_file *)dbm_fileset_find(&fs, fs.undo[i].version);

		if (v) {
			if (!v->undo)
				v->undo = &fs.undo[i];
			continue;
		}
		r = scan_problem(&st, NULL, 0,
		                 "Add the versioned migration or remove the undo migration.",
		                 "undo migration \"%s\" has no versioned migration with version %s",
		                 fs.undo[i].path, fs.undo[i].version);
		if (r < 0)
			goto done;
	}
	if (st.nproblems > 0) {
		r = scan_report(&st);
		goto done;
	}
	*out = fs;
	memset(&st.versioned, 0, sizeof(st.versioned));
	memset(&st.repeatable, 0, sizeof(st.repeatable));
	memset(&st.undo, 0, sizeof(st.undo));
	memset(&st.callbacks, 0, sizeof(st.callbacks));
done:
	scan_list_free(&st.versioned);
	scan_list_free(&st.repeatable);
	scan_list_free(&st.undo);
	scan_list_free(&st.callbacks);
	dbm_buf_free(&st.first);
	dbm_buf_free(&st.details);
	dbm_buf_free(&st.hints);
	for (i = 0; i < DBM_NAMING_COUNT; i++)
		dbm_free(st.seen[i]);
	dbm_buf_free(&inner);
	return r;
}

void dbm_fileset_free(struct dbm_fileset *fs)
{
	struct scan_list l;

	l.items = fs->versioned;
	l.n = fs->nversioned;
	scan_list_free(&l);
	l.items = fs->repeatable;
	l.n = fs->nrepeatable;
	scan_list_free(&l);
	l.items = fs->undo;
	l.n = fs->nundo;
	scan_list_free(&l);
	l.items = fs->callbacks;
	l.n = fs->ncallbacks;
	scan_list_free(&l);
	memset(fs, 0, sizeof(*fs));
}
