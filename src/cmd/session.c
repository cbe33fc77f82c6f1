/*
 * session.c - --offline for the commands that change the database: a dry
 * run that connects to nothing (runner.h's dbm_session_open_offline).
 * Called by migrate and rollback, which open their live session themselves
 * (tests/cli/test_usage.c reads that call against the command table), and
 * the end of their JSON document.
 */
#include <string.h>

#include "cmd/cmd.h"
#include "output/output.h"
#include "runner/runner.h"

int dbm_cmd_offline_open(struct dbm_session *s, const struct dbm_config *cfg,
                         const struct dbm_cmd_args *a, const char *command)
{
	if (!a->offline && (a->from || a->dialect)) {
		memset(s, 0, sizeof(*s));
		s->cfg = cfg; /* closing reads it */
		dbm_error_set(DBM_ERR_USAGE, "%s needs --offline",
		              a->from ? "--from" : "--dialect");
		dbm_error_set_hint(
		    "--from and --dialect describe the database an offline dry run is "
		    "for: 'dbmigrate %s --offline --from 3' prints the script without "
		    "connecting.",
		    command);
		return DBM_ERR_USAGE;
	}
	if (!a->offline)
		return 1;
	return dbm_session_open_offline(s, cfg, a->dialect, a->from);
}

void dbm_cmd_json_migrations_out(json_t *doc, json_t *migrations)
{
	json_object_set_new(doc, "migrations", migrations);
	if (dbm_out_sql_json())
		json_object_set(doc, "sql", dbm_out_sql_json());
	dbm_out_json(doc);
}
