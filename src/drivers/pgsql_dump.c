#include "drivers/dump.h"
int dbm_pgsql_dump(struct dbm_conn *c, const char *schema, const char *history_table,
		   struct dbm_schema *out)
{
	(void)c; (void)schema; (void)history_table; (void)out;
	return dbm_error_set(DBM_ERR_RUN, "todo");
}
