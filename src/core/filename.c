/*
 * filename.c - the grammar of migration file names (scan.h).
 *
 * V<version>__<description>.sql is a versioned migration,
 * R__<description>.sql a repeatable one and U<version>__<description>.sql
 * the undo script of a version. Underscores in the description read as
 * spaces. The prefixes, the separator and the suffixes are Flyway's
 * settings (sqlMigrationPrefix, sqlMigrationSeparator, sqlMigrationSuffixes,
 * repeatableSqlMigrationPrefix, undoSqlMigrationPrefix; in dbmigrate.yml
 * sql_migration_prefix and so on): dbm_filename_configure() sets them once,
 * when the configuration is loaded, before any scan; where two prefixes
 * both fit a name, the longest wins, as in Flyway. Called by the scanner
 * (scan.c), the configuration loader and the file-name fuzzer.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "dbmigrate/common.h"
#include "dbmigrate/scan.h"
#include "dbmigrate/version.h"

#define FILENAME_MAX_PART 64
#define FILENAME_MAX_SUFFIXES 256

/* The names in use; Flyway's defaults until dbm_filename_configure() says otherwise. */
static struct {
	char versioned[FILENAME_MAX_PART];
	char repeatable[FILENAME_MAX_PART];
	char undo[FILENAME_MAX_PART];
	char separator[FILENAME_MAX_PART];
	char suffixes[FILENAME_MAX_SUFFIXES]; /* comma-separated */
} filename_names = {"V", "R", "U", "__", ".sql"};

/* Copies value (or def when NULL) into out[size]; DBM_ERR_USAGE naming what when unfit. */
static int filename_set(char *out, size_t size, const char *value, const char *def,
                        const char *what)
{
	if (!value)
		value = def;
	if (!*value || strlen(value) >= size || strchr(value, '/'))
		return dbm_error_set(DBM_ERR_USAGE,
		                     "%s: expected 1 to %zu characters and no '/', got '%s'", what,
		                     size - 1, value);
	memcpy(out, value, strlen(value) + 1);
	return 0;
}

/* The hint for a name that does not fit, with the names in use (dbm_filename_hint). */
static char filename_hint_text[1024] =
    "Name versioned migrations V<version>__<description>.sql, repeatable ones "
    "R__<description>.sql and undo ones U<version>__<description>.sql, "
    "e.g. V2.1__add_email.sql; callbacks are named after their event, "
    "e.g. beforeMigrate.sql or afterEachMigrate__audit.sql.";

/* The form of an undo file name, with the prefix in use (dbm_filename_undo_form). */
static char filename_undo_text[256] = "U<version>__<description>.sql";

const char *dbm_filename_hint(void)
{
	return filename_hint_text;
}

const char *dbm_filename_undo_form(void)
{
	return filename_undo_text;
}

int dbm_filename_add_undo(struct dbm_buf *out, const char *version, const char *description)
{
	const char *x = filename_names.suffixes;
	int rc =
	    dbm_buf_addf(out, "%s%s%s", filename_names.undo, version, filename_names.separator);

	for (; rc == 0 && description && *description; description++)
		rc = dbm_buf_addc(out, *description == ' ' ? '_' : *description);
	while (*x == ' ')
		x++;
	if (rc == 0)
		rc = dbm_buf_add(out, x, strcspn(x, ", "));
	return rc;
}

int dbm_filename_configure(const char *versioned, const char *repeatable, const char *undo,
                           const char *separator, const char *suffixes)
{
	char v[FILENAME_MAX_PART], r[FILENAME_MAX_PART], u[FILENAME_MAX_PART], s[FILENAME_MAX_PART],
	    x[FILENAME_MAX_SUFFIXES];
	int rc;

	if ((rc = filename_set(v, sizeof(v), versioned, "V", "sql_migration_prefix")) < 0 ||
	    (rc = filename_set(r, sizeof(r), repeatable, "R", "repeatable_sql_migration_prefix")) <
	        0 ||
	    (rc = filename_set(u, sizeof(u), undo, "U", "undo_sql_migration_prefix")) < 0 ||
	    (rc = filename_set(s, sizeof(s), separator, "__", "sql_migration_separator")) < 0 ||
	    (rc = filename_set(x, sizeof(x), suffixes, ".sql", "sql_migration_suffixes")) < 0)
		return rc;
	if (strcmp(v, r) == 0 || strcmp(v, u) == 0 || strcmp(r, u) == 0)
		return dbm_error_set(DBM_ERR_USAGE,
		                     "the versioned, repeatable and undo prefixes must differ, got "
		                     "'%s', '%s' and '%s'",
		                     v, r, u);
	memcpy(filename_names.versioned, v, sizeof(v));
	memcpy(filename_names.repeatable, r, sizeof(r));
	memcpy(filename_names.undo, u, sizeof(u));
	memcpy(filename_names.separator, s, sizeof(s));
	memcpy(filename_names.suffixes, x, sizeof(x));
	{
		int n = (int)strcspn(x, ","); /* the first suffix shows in the hint */

		snprintf(
		    filename_hint_text, sizeof(filename_hint_text),
		    "Name versioned migrations %s<version>%s<description>%.*s, repeatable ones "
		    "%s%s<description>%.*s and undo ones %s<version>%s<description>%.*s, "
		    "e.g. %s2.1%sadd_email%.*s; callbacks are named after their event, "
		    "e.g. beforeMigrate%.*s or afterEachMigrate%saudit%.*s.",
		    v, s, n, x, r, s, n, x, u, s, n, x, v, s, n, x, n, x, s, n, x);
		snprintf(filename_undo_text, sizeof(filename_undo_text),
		         "%s<version>%s<description>%.*s", u, s, n, x);
	}
	return 0;
}

/*
 * The length of the longest suffix in use that name ends with, or 0;
 * compared without case when ci (to find the files that must fit).
 */
static size_t filename_suffix(const char *name, int ci)
{
	const char *p = filename_names.suffixes;
	size_t len = strlen(name), best = 0;

	while (*p) {
		size_t n = strcspn(p, ",");
		const char *s = p;

		while (n && *s == ' ') {
			s++;
			n--;
		}
		while (n && s[n - 1] == ' ')
			n--;
		if (n && n < len && n > best &&
		    (ci ? strncasecmp(name + len - n, s, n) : strncmp(name + len - n, s, n)) == 0)
			best = n;
		p += strcspn(p, ",");
		if (*p)
			p++;
	}
	return best;
}

int dbm_filename_is_script(const char *name)
{
	return filename_suffix(name, 1) > 0;
}

static int filename_starts(const char *name, const char *prefix)
{
	return strncmp(name, prefix, strlen(prefix)) == 0;
}

/*
 * Parses <V><version><sep><desc><suffix>, <R><sep><desc><suffix> or
 * <U><version><sep><desc><suffix>. Returns 0, DBM_ERR_USAGE (no message) or
 * DBM_ERR_NOMEM (error set).
 */
int dbm_parse_filename(const char *name, enum dbm_file_kind *kind, char **version,
                       char **description)
{
	const char *sep_text = filename_names.separator, *desc, *sep;
	size_t len = strlen(name), slen = strlen(sep_text), i, suffix, best = 0;
	enum dbm_file_kind k = DBM_FILE_VERSIONED;
	char *v = NULL, *d;
	int r, found = 0;

	*version = NULL;
	*description = NULL;
	suffix = filename_suffix(name, 0);
	if (!suffix)
		return DBM_ERR_USAGE;
	len -= suffix;
	/* the longest prefix that fits wins */
	if (filename_starts(name, filename_names.repeatable)) {
		best = strlen(filename_names.repeatable);
		k = DBM_FILE_REPEATABLE;
		found = 1;
	}
	if (filename_starts(name, filename_names.versioned) &&
	    (!found || strlen(filename_names.versioned) > best)) {
		best = strlen(filename_names.versioned);
		k = DBM_FILE_VERSIONED;
		found = 1;
	}
	if (filename_starts(name, filename_names.undo) &&
	    (!found || strlen(filename_names.undo) > best)) {
		best = strlen(filename_names.undo);
		k = DBM_FILE_UNDO;
		found = 1;
	}
	if (!found || best >= len)
		return DBM_ERR_USAGE;
	if (k == DBM_FILE_REPEATABLE) {
		if (strncmp(name + best, sep_text, slen) != 0 || best + slen >= len)
			return DBM_ERR_USAGE;
		desc = name + best + slen;
	} else {
		sep = strstr(name + best, sep_text);
		if (!sep || (size_t)(sep - name) + slen > len)
			return DBM_ERR_USAGE;
		r = dbm_version_normalize(name + best, (size_t)(sep - name) - best, &v);
		if (r < 0)
			return r;
		desc = sep + slen;
	}
	*kind = k;
	d = dbm_strndup(desc, (size_t)(name + len - desc));
	if (!d) {
		dbm_free(v);
		return dbm_error_oom();
	}
	for (i = 0; d[i]; i++)
		if (d[i] == '_')
			d[i] = ' ';
	*version = v;
	*description = d;
	return 0;
}
