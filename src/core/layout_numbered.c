/*
 * layout_numbered.c - plain numbered files (layout_int.h): NNN_<desc>.sql
 * in the migrations folder, each run whole in version order, and its undo
 * script NNN_<other desc>.sql in the rollback folder, paired by number
 * (010_create_reports_tables.sql with rollback/010_drop_reports_tables.sql).
 */
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
    "rollback/010_drop_reports.sql.",
    numbered_parse_name, 0};
