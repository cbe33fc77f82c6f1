/*
 * cmd.h - the command table: one src/cmd/<name>.c per command.
 *
 * main.c parses the command line (global options anywhere, then the
 * command's own options), loads the configuration and calls run(). A
 * command returns 0 or an error class with the last error set; main.c
 * prints the error and turns the class into the exit code.
 */
#ifndef DBM_CMD_H
#define DBM_CMD_H

#include <jansson.h>

#include "dbmigrate/config.h"

/* The command-specific options a command accepts (struct dbm_command.options). */
#define DBM_OPT_TARGET 0x001          /* --target V */
#define DBM_OPT_DRY_RUN 0x002         /* --dry-run */
#define DBM_OPT_OUT_OF_ORDER 0x004    /* --out-of-order */
#define DBM_OPT_BASELINE_ON_MIGRATE 0x008 /* --baseline-on-migrate */
#define DBM_OPT_STEPS 0x010           /* --steps N */
#define DBM_OPT_TO 0x020              /* --to V */
#define DBM_OPT_VERSION 0x040         /* --version V */
#define DBM_OPT_DESCRIPTION 0x080     /* --description TEXT */
#define DBM_OPT_NAME 0x100            /* one positional NAME */
#define DBM_OPT_OUTPUT 0x200          /* dump --output FILE */
#define DBM_OPT_FROM 0x400            /* diff --from URL (its --to URL is DBM_OPT_TO) */
#define DBM_OPT_SHADOW 0x800          /* diff --shadow URL|auto */

struct dbm_cmd_args {
	const char *target;      /* NULL: latest */
	const char *to;          /* rollback --to */
	const char *version;     /* baseline --version */
	const char *description; /* baseline --description */
	const char *name;        /* new NAME */
	const char *output;      /* dump --output */
	const char *from;        /* diff --from URL */
	const char *shadow;      /* diff --shadow URL or "auto" */
	int steps;               /* rollback --steps, 0 when not given */
	int dry_run;
};

struct dbm_command {
	const char *name;
	const char *summary;
	unsigned options;
	int (*run)(const struct dbm_config *cfg, const struct dbm_cmd_args *a);
};

int dbm_cmd_migrate(const struct dbm_config *cfg, const struct dbm_cmd_args *a);
int dbm_cmd_rollback(const struct dbm_config *cfg, const struct dbm_cmd_args *a);
int dbm_cmd_info(const struct dbm_config *cfg, const struct dbm_cmd_args *a);
int dbm_cmd_validate(const struct dbm_config *cfg, const struct dbm_cmd_args *a);
int dbm_cmd_baseline(const struct dbm_config *cfg, const struct dbm_cmd_args *a);
int dbm_cmd_repair(const struct dbm_config *cfg, const struct dbm_cmd_args *a);
int dbm_cmd_clean(const struct dbm_config *cfg, const struct dbm_cmd_args *a);
int dbm_cmd_new(const struct dbm_config *cfg, const struct dbm_cmd_args *a);
int dbm_cmd_version(const struct dbm_config *cfg, const struct dbm_cmd_args *a);
int dbm_cmd_dump(const struct dbm_config *cfg, const struct dbm_cmd_args *a);
int dbm_cmd_diff(const struct dbm_config *cfg, const struct dbm_cmd_args *a);

struct dbm_schema;
/* The objects of a dump as a JSON array (dump.c; a new reference, NULL when out of memory). */
json_t *dbm_cmd_schema_json(const struct dbm_schema *schema);

extern const struct dbm_command dbm_commands[];

#endif /* DBM_CMD_H */
