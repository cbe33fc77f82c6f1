/* sqlite.c - placeholder. */
#include "dbmigrate/driver.h"
static const char *const schemes[] = { "sqlite", "sqlite3", "file", NULL };
const struct dbm_driver dbm_sqlite_driver = { .name = "sqlite", .schemes = schemes };
