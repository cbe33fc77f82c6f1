/*
 * layout_goose.c - goose's SQL files (layout_int.h): <version>_<desc>.sql,
 * the version being the number before the first '_' (goose reads it as a
 * 64-bit integer of at least 1: a timestamp such as 20240115103000 or a
 * sequence number such as 00002; both order by number). The lines after
 * "-- +goose Up" are the migration and those after "-- +goose Down" its
 * undo script; "-- +goose NO TRANSACTION" runs both outside a transaction;
 * the lines between "-- +goose StatementBegin" and "-- +goose StatementEnd"
 * are one statement; "-- +goose ENVSUB ON" / "OFF" turn on the replacement
 * of environment variables. The annotations are read and checked by
 * layout.c; the statement block reaches the splitter through its hold
 * hook (dbm_splitter_hold).
 */
#include "dbmigrate/common.h"
#include "dbmigrate/version.h"
#include "layout_int.h"

static int goose_parse_name(const char *name, int in_rollback, struct dbm_file *f)
{
	int r;

	if (in_rollback)
		return 0;
	r = layout_parse_number_name(name, ".sql", 1, f);
	if (r != 1)
		return r;
	if (dbm_version_cmp(f->version, "0") == 0) {
		/* goose refuses version 0: it is the row its table starts with */
		dbm_free(f->version);
		dbm_free(f->description);
		f->version = f->description = NULL;
		return 0;
	}
	f->kind = DBM_FILE_VERSIONED;
	return 1;
}

const struct layout_ops layout_goose = {
    DBM_NAMING_GOOSE, "goose",
    "Name goose migrations <version>_<description>.sql with a version of 1 or more, e.g. "
    "20240115103000_create_users.sql or 00002_add_email.sql, starting with '-- +goose Up'. "
    "Callbacks are named after their event, e.g. beforeMigrate.sql.",
    goose_parse_name, 1};
