/*
 * mysql_lib.c - the MySQL / MariaDB client library, loaded on first use by
 * the drivers' shared loader (dbm_drv_load): the table of its functions the
 * rest of the driver calls through (mysqldrv.h).
 */
#include "mysqldrv.h"

dbm_drv_fn mysqldrv_fns[MYSQLDRV_NFN];

static const char *const mysqldrv_names[MYSQLDRV_NFN] = {
#define X(f) #f,
    MYSQLDRV_API(X)
#undef X
};

static struct dbm_drv_lib mysqldrv_lib = {
    .what = "the MySQL client library",
    .soname = DBM_MYSQL_SONAME,
    .package = DBM_MYSQL_PACKAGE,
    .names = mysqldrv_names,
    .fns = mysqldrv_fns,
    .n = MYSQLDRV_NFN,
    .nrequired = MYSQLDRV_NFN,
};

int mysqldrv_load(void)
{
	return dbm_drv_load(&mysqldrv_lib);
}
