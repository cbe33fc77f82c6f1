/*
 * registry.c - the drivers compiled into this build, found by URL scheme.
 */
#include <string.h>
#include <strings.h>

#include "dbmigrate/driver.h"

#ifdef DBM_WITH_SQLITE
extern const struct dbm_driver dbm_sqlite_driver;
#endif
#ifdef DBM_WITH_PGSQL
extern const struct dbm_driver dbm_pgsql_driver;
#endif
#ifdef DBM_WITH_MYSQL
extern const struct dbm_driver dbm_mysql_driver;
#endif

const struct dbm_driver *const dbm_drivers[] = {
#ifdef DBM_WITH_SQLITE
    &dbm_sqlite_driver,
#endif
#ifdef DBM_WITH_PGSQL
    &dbm_pgsql_driver,
#endif
#ifdef DBM_WITH_MYSQL
    &dbm_mysql_driver,
#endif
    NULL};

/* Length of the scheme: the letters before ':' ("postgres://..." -> 8), 0 when there is none. */
static size_t scheme_len(const char *url)
{
	size_t i = 0;

	while ((url[i] >= 'a' && url[i] <= 'z') || (url[i] >= 'A' && url[i] <= 'Z') ||
	       (i > 0 && ((url[i] >= '0' && url[i] <= '9') || url[i] == '+' || url[i] == '-' ||
	                  url[i] == '.')))
		i++;
	return url[i] == ':' ? i : 0;
}

/* A libpq key=value conninfo string ("host=x dbname=y"): no scheme, an '=' sign. */
static int is_conninfo(const char *url)
{
	return scheme_len(url) == 0 && strchr(url, '=') != NULL;
}

const struct dbm_driver *dbm_driver_for_url(const char *url)
{
	const char *want = url;
	size_t len = scheme_len(url);
	struct dbm_buf names = DBM_BUF_INIT;
	size_t i;

	if (is_conninfo(url)) {
		want = "postgresql";
		len = strlen(want);
	}
	for (i = 0; dbm_drivers[i]; i++) {
		const char *const *s;

		for (s = dbm_drivers[i]->schemes; *s; s++)
			if (len && strlen(*s) == len && strncasecmp(*s, want, len) == 0)
				return dbm_drivers[i];
	}
	if (len)
		dbm_error_set(DBM_ERR_USAGE, "no driver for URL scheme '%.*s'", (int)len, want);
	else
		dbm_error_set(DBM_ERR_USAGE, "the URL has no scheme");
	for (i = 0; dbm_drivers[i]; i++) {
		const char *const *s;

		for (s = dbm_drivers[i]->schemes; *s; s++)
			if (dbm_buf_addf(&names, "%s%s:", names.len ? ", " : "", *s) < 0)
				break;
	}
	dbm_error_set_hint("Use a URL starting with one of the schemes this build has: %s.",
	                   dbm_buf_cstr(&names));
	dbm_buf_free(&names);
	return NULL;
}
