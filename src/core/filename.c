/*
 * filename.c - the grammar of migration file names (scan.h).
 *
 * V<version>__<description>.sql is a versioned migration,
 * R__<description>.sql a repeatable one and U<version>__<description>.sql
 * the undo script of a version. Underscores in the description read as
 * spaces. Called by the scanner (scan.c) and the file-name fuzzer.
 */
#include <string.h>

#include "dbmigrate/common.h"
#include "dbmigrate/scan.h"
#include "dbmigrate/version.h"

/*
 * Parses V<version>__<desc>.sql, R__<desc>.sql or U<version>__<desc>.sql.
 * Returns 0, DBM_ERR_USAGE (no message) or DBM_ERR_NOMEM (error set).
 */
int dbm_parse_filename(const char *name, enum dbm_file_kind *kind, char **version,
                       char **description)
{
	size_t len = strlen(name), i;
	const char *desc, *sep;
	char *v = NULL, *d;
	int r;

	*version = NULL;
	*description = NULL;
	if (len < 4 + 3 || strcmp(name + len - 4, ".sql") != 0)
		return DBM_ERR_USAGE;
	len -= 4;
	if (name[0] == 'R') {
		if (name[1] != '_' || name[2] != '_' || len == 3)
			return DBM_ERR_USAGE;
		*kind = DBM_FILE_REPEATABLE;
		desc = name + 3;
	} else if (name[0] == 'V' || name[0] == 'U') {
		sep = strstr(name + 1, "__");
		if (!sep || (size_t)(sep - name) + 2 > len)
			return DBM_ERR_USAGE;
		r = dbm_version_normalize(name + 1, (size_t)(sep - name - 1), &v);
		if (r < 0)
			return r;
		*kind = name[0] == 'V' ? DBM_FILE_VERSIONED : DBM_FILE_UNDO;
		desc = sep + 2;
	} else {
		return DBM_ERR_USAGE;
	}
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
