/*
 * layout_golang_migrate.c - golang-migrate's names (layout_int.h):
 * <version>_<title>.up.sql and <version>_<title>.down.sql side by side in
 * the migrations folder. The version is the leading digits (golang-migrate
 * reads them as an unsigned 64-bit number and orders by it); the title,
 * kept as written, is the description. The .down.sql file is the undo
 * script of its version. golang-migrate runs each file as one string, with
 * no transaction of its own; dbmigrate runs its statements in its usual
 * transaction where the database allows it (docs/adopting.md).
 */
#include <string.h>

#include "dbmigrate/common.h"
#include "layout_int.h"

/* 1 when s[0..n) is at most 18446744073709551615. */
static int golang_migrate_fits_u64(const char *s, size_t n)
{
	static const char max[] = "18446744073709551615";

	while (n > 1 && *s == '0') {
		s++;
		n--;
	}
	return n < sizeof(max) - 1 || (n == sizeof(max) - 1 && memcmp(s, max, n) <= 0);
}

static int golang_migrate_parse_name(const char *name, int in_rollback, struct dbm_file *f)
{
	size_t d = 0;
	int r;

	if (in_rollback)
		return 0;
	while (name[d] >= '0' && name[d] <= '9')
		d++;
	if (d == 0 || !golang_migrate_fits_u64(name, d))
		return 0;
	r = layout_parse_number_name(name, ".up.sql", 1, f);
	if (r == 1) {
		f->kind = DBM_FILE_VERSIONED;
		return 1;
	}
	if (r < 0)
		return r;
	r = layout_parse_number_name(name, ".down.sql", 1, f);
	if (r == 1)
		f->kind = DBM_FILE_UNDO;
	return r;
}

const struct layout_ops layout_golang_migrate = {
    DBM_NAMING_GOLANG_MIGRATE, "golang-migrate",
    "Name golang-migrate migrations <version>_<title>.up.sql with their undo "
    "<version>_<title>.down.sql, e.g. 000002_add_email.up.sql. Callbacks are named "
    "after their event, e.g. beforeMigrate.sql.",
    golang_migrate_parse_name, 0};
