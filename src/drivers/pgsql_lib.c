/*
 * pgsql_lib.c - libpq, loaded on first use by the drivers' shared loader
 * (dbm_drv_load): the table of its functions the rest of the driver calls
 * through (pgsqldrv.h).
 */
#include "pgsqldrv.h"

dbm_drv_fn pgsqldrv_fns[PGSQLDRV_NFN];

static const char *const pgsqldrv_names[PGSQLDRV_NFN] = {
#define X(f) #f,
    PGSQL_API(X) PGSQL_API_PIPELINE(X)
#undef X
};

struct dbm_drv_lib pgsqldrv_lib = {
    .what = "the PostgreSQL client library",
    .soname = DBM_PGSQL_SONAME,
    .package = DBM_PGSQL_PACKAGE,
    .names = pgsqldrv_names,
    .fns = pgsqldrv_fns,
    .n = PGSQLDRV_NFN,
    .nrequired = PGSQLDRV_NREQUIRED, /* the pipeline functions, after them, are optional */
};

int pgsqldrv_load(void)
{
	return dbm_drv_load(&pgsqldrv_lib);
}
