/*
 * layout_flyway.c - Flyway's names (layout_int.h): V<version>__<desc>.sql,
 * R__<desc>.sql and U<version>__<desc>.sql; the grammar itself is in
 * filename.c. An undo file may sit in the migrations folder too, where
 * Flyway Teams keeps them; the rollback folder holds only undo files.
 */
#include "dbmigrate/common.h"
#include "layout_int.h"

static int flyway_parse_name(const char *name, int in_rollback, struct dbm_file *f)
{
	int r = dbm_parse_filename(name, &f->kind, &f->version, &f->description);

	(void)in_rollback;
	if (r == DBM_ERR_USAGE)
		return 0;
	return r < 0 ? r : 1;
}

const struct layout_ops layout_flyway = {
    DBM_NAMING_FLYWAY, "flyway",
    "Name versioned migrations V<version>__<description>.sql, repeatable ones "
    "R__<description>.sql and undo ones U<version>__<description>.sql, "
    "e.g. V2.1__add_email.sql; callbacks are named after their event, "
    "e.g. beforeMigrate.sql or afterEachMigrate__audit.sql.",
    flyway_parse_name, 0};
