/*
 * layout_numbered.c - plain numbered files (layout_int.h): NNN_<desc>.sql
 * in the migrations folder, each run whole in version order, and its undo
 * script NNN_<other desc>.sql in the rollback folder, paired by number
 * (010_create_reports_tables.sql with rollback/010_drop_reports_tables.sql).
 */
#include <dirent.h>
#include <string.h>

#include "dbmigrate/common.h"
#include "layout_int.h"

static int numbered_parse_name(const char *name, int in_rollback, struct dbm_file *f)
{
	int r = layout_parse_number_name(name, ".sql", 1, f);

	if (r == 1)
		f->kind = in_rollback ? DBM_FILE_UNDO : DBM_FILE_VERSIONED;
	return r;
}

const struct layout_ops layout_numbered = {
    DBM_NAMING_NUMBERED, "numbered",
    "Name numbered migrations NNN_<description>.sql, e.g. 010_create_reports.sql, and "
    "their undo scripts in the rollback folder with the same number, e.g. "
    "rollback/010_drop_reports.sql. Callbacks are named after their event, e.g. "
    "beforeMigrate.sql.",
    numbered_parse_name, 0};

/* See layout_int.h. */
int layout_numbered_folder(const char *dir)
{
	DIR *dp = opendir(dir);
	struct dirent *de;
	int numbered = 0, other = 0;

	if (!dp)
		return 0;
	while (!other && (de = readdir(dp)) != NULL) {
		struct dbm_file f;
		int r;

		if (de->d_name[0] == '.')
			continue;
		memset(&f, 0, sizeof(f));
		r = layout_flyway.parse_name(de->d_name, 1, &f);
		if (r == 1)
			other = 1;
		else if (r == 0)
			r = layout_parse_number_name(de->d_name, ".sql", 1, &f);
		if (r == 1 && !other)
			numbered = 1;
		dbm_free(f.version);
		dbm_free(f.description);
	}
	closedir(dp);
	return numbered && !other;
}
