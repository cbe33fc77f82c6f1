/*
 * pgsql_lib.c - loading libpq on first use (pgsqldrv.h): the table of its
 * functions the rest of the driver calls through.
 */
#define PGSQLDRV_NO_REDIRECT /* this file fills the table: PQxxx names libpq's own */

#include <dlfcn.h>

#include "pgsqldrv.h"

struct pgsqldrv_api pgsqldrv_api;

/* Loads libpq once. Returns 0, or DBM_ERR_RUN saying which library is missing. */
int pgsqldrv_load(void)
{
	void *lib;

	if (pgsqldrv_api.lib)
		return 0;
	lib = dlopen(PGSQL_LIBPQ, RTLD_NOW | RTLD_LOCAL);
	if (!lib) {
		dbm_error_set(DBM_ERR_RUN, "cannot load the PostgreSQL client library %s: %s",
		              PGSQL_LIBPQ, dlerror());
		dbm_error_set_hint("Install it (Debian and Ubuntu: apt-get install libpq5).");
		return DBM_ERR_RUN;
	}
#define X(f)                                                                                       \
	if (!(*(void **)&pgsqldrv_api.f = dlsym(lib, #f))) {                                       \
		dbm_error_set(DBM_ERR_RUN, "the PostgreSQL client library %s has no %s",           \
		              PGSQL_LIBPQ, #f);                                                    \
		dlclose(lib);                                                                      \
		return DBM_ERR_RUN;                                                                \
	}
	PGSQL_API(X)
#undef X
	pgsqldrv_api.pipeline = 1;
#define X(f) pgsqldrv_api.pipeline &= (*(void **)&pgsqldrv_api.f = dlsym(lib, #f)) != NULL;
	PGSQL_API_PIPELINE(X)
#undef X
	pgsqldrv_api.lib = lib;
	return 0;
}
