/*
 * layout_dbmate.c - dbmate's files (layout_int.h): <version>_<desc>.sql,
 * the version being the leading digits (dbmate takes any name that starts
 * with a digit and ends in .sql, and keeps the version as text; dbmigrate
 * orders versions by number, which is dbmate's order for the usual
 * timestamps). One file holds both directions: the lines from
 * "-- migrate:up" to "-- migrate:down" are the migration, the lines after
 * "-- migrate:down" its undo script; "transaction:false" after either
 * marker runs that part outside a transaction. The annotations are read
 * and checked by layout.c.
 */
#include "dbmigrate/common.h"
#include "layout_int.h"

static int dbmate_parse_name(const char *name, int in_rollback, struct dbm_file *f)
{
	int r;

	if (in_rollback)
		return 0;
	r = layout_parse_number_name(name, ".sql", 0, f);
	if (r == 1)
		f->kind = DBM_FILE_VERSIONED;
	return r;
}

const struct layout_ops layout_dbmate = {
    DBM_NAMING_DBMATE, "dbmate",
    "Name dbmate migrations <version>_<description>.sql, e.g. "
    "20240115103000_create_users.sql, with a '-- migrate:up' and a '-- migrate:down' line. "
    "Callbacks are named after their event, e.g. beforeMigrate.sql.",
    dbmate_parse_name, 1};
