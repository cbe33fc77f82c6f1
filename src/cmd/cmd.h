/*
 * cmd.h - the command table: one src/cmd/<name>.c per command.
 *
 * Every command is one entry of dbm_commands[] (table.c): its name, its
 * summary and help text, the options it accepts, what it needs before it
 * runs and the function that runs it. Every option is one entry of
 * dbm_options[]. The parser (args.c), dispatch (main.c), 'dbmigrate help',
 * '--help', the completion scripts (generated at build time) and the tests
 * that check the manual page all read these two tables, so adding a command
 * or an option is one entry here and nothing else.
 *
 * main.c parses the command line (global options anywhere, then the
 * command's own options), loads the configuration and calls run(). A
 * command returns 0 or an error class with the last error set; main.c
 * prints the error and turns the class into the exit code.
 */
#ifndef DBM_CMD_H
#define DBM_CMD_H

#include <stddef.h>

#include <jansson.h>

#include "dbmigrate/config.h"

/* The command-specific options a command accepts (struct dbm_command.options). */
#define DBM_OPT_TARGET 0x001              /* --target V */
#define DBM_OPT_DRY_RUN 0x002             /* --dry-run */
#define DBM_OPT_OUT_OF_ORDER 0x004        /* --out-of-order */
#define DBM_OPT_BASELINE_ON_MIGRATE 0x008 /* --baseline-on-migrate */
#define DBM_OPT_STEPS 0x010               /* --steps N */
#define DBM_OPT_TO 0x020                  /* --to V */
#define DBM_OPT_VERSION 0x040             /* --version V */
#define DBM_OPT_DESCRIPTION 0x080         /* --description TEXT */
#define DBM_OPT_OUTPUT 0x200              /* dump --output FILE */
#define DBM_OPT_FROM 0x400                /* diff --from URL */
#define DBM_OPT_SHADOW 0x800              /* diff --shadow URL|auto */
#define DBM_OPT_TO_URL 0x1000             /* diff --to URL (rollback's --to V is DBM_OPT_TO) */
#define DBM_OPT_FROM_TOOL 0x100000    /* adopt --from TOOL (diff's --from URL is DBM_OPT_FROM) */
#define DBM_OPT_SKIP_EXECUTING 0x2000 /* migrate --skip-executing */
#define DBM_OPT_OFFLINE 0x4000        /* --offline: a dry run without a connection */
/* --from VERSION|empty of --offline (diff's is DBM_OPT_FROM) */
#define DBM_OPT_FROM_VERSION 0x8000
#define DBM_OPT_DIALECT 0x10000       /* --dialect NAME of --offline */
#define DBM_OPT_NO_DRIFT 0x200000     /* validate --no-drift */
#define DBM_OPT_ACCEPT_DRIFT 0x400000 /* repair --accept-drift */
#define DBM_OPT_FLEET 0x10000000      /* --targets, --targets-file, -j, --continue-on-error */
#define DBM_OPT_CANARY 0x20000000     /* --canary N */

/* What a command needs before it runs (struct dbm_command.needs). */
#define DBM_NEEDS_CONFIG 0x01  /* the configuration: dbmigrate.yml, DBMIGRATE_*, flags */
#define DBM_NEEDS_FILES 0x02   /* the migration and undo files */
#define DBM_NEEDS_CONNECT 0x04 /* a connection to the database */
#define DBM_NEEDS_LOCK 0x08    /* the runner lock */
#define DBM_NEEDS_HISTORY 0x10 /* the history table, created when missing */

/* How an option's value is checked and where it goes (struct dbm_option.kind). */
enum dbm_option_kind {
	DBM_OPTK_FLAG,    /* no value: "true" for a key, 1 in an int field */
	DBM_OPTK_TEXT,    /* any text */
	DBM_OPTK_COUNT,   /* a whole number above 0, into an int field */
	DBM_OPTK_VERSION, /* a version such as 3 or 2.1 */
	DBM_OPTK_TARGET   /* a version, 'current' or 'latest' */
};

/* What a shell completes after an option (struct dbm_option.complete). */
enum dbm_option_complete {
	DBM_COMP_NONE, /* nothing known: the user types it */
	DBM_COMP_FILE, /* a file name */
	DBM_COMP_DIR,  /* a folder name */
	DBM_COMP_ENV,  /* an environment of the configuration file */
	DBM_COMP_WORDS /* one of the words in struct dbm_option.values */
};

struct dbm_cmd_args {
	const char *target;      /* NULL: latest */
	const char *to;          /* rollback --to */
	const char *version;     /* baseline --version */
	const char *description; /* baseline --description */
	const char *name;        /* the positional argument (new NAME) */
	const char *output;      /* dump --output */
	const char *from; /* diff --from URL; adopt --from TOOL; migrate/rollback --from VERSION */
	const char *dialect; /* --dialect NAME (with --offline) */
	const char *shadow;  /* diff --shadow URL or "auto" */
	const char *targets; /* --targets NAME,...: the targets of the fleet to run on */
	int steps;           /* rollback --steps, 0 when not given */
	int canary;          /* --canary N, 0 when not given */
	int dry_run;
	int skip_executing; /* migrate --skip-executing */
	int offline;        /* --offline */
	int no_drift;       /* validate --no-drift */
	int accept_drift;   /* repair --accept-drift */
};

/* Fields in the order a table row reads (table.c); padding in a const table does not matter. */
struct dbm_option {         // NOLINT(clang-analyzer-optin.performance.Padding)
	const char *name;   /* long name, without "--" */
	char short_name;    /* one-letter form ('q' for -q), 0 when none */
	const char *arg;    /* the value's name in help ("URL"), NULL for a flag */
	const char *key;    /* the configuration key it sets (global options), or NULL */
	unsigned bit;       /* DBM_OPT_* of a command option, 0 for a global option */
	int kind;           /* enum dbm_option_kind */
	size_t field;       /* offsetof(struct dbm_cmd_args, ...) when key is NULL */
	int complete;       /* enum dbm_option_complete */
	const char *values; /* DBM_COMP_WORDS: the words, separated by spaces */
	const char *help;   /* one line, lower case, no full stop */
};

struct dbm_command {
	const char *name;
	const char *summary; /* one line for the command list */
	const char *args;    /* a required positional argument ("NAME") or NULL */
	const char *about;   /* a paragraph for 'dbmigrate help <name>' */
	const char *example; /* one typical command line */
	unsigned options;    /* DBM_OPT_* it accepts */
	unsigned needs;      /* DBM_NEEDS_*: 0 runs with no configuration at all */
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
int dbm_cmd_adopt(const struct dbm_config *cfg, const struct dbm_cmd_args *a);

struct dbm_session;
/*
 * With --offline, opens the dry-run session of migrate or rollback
 * (command names it) that connects to nothing (--from, --dialect) and
 * returns 0 or its error (the session is safe to close). Without, returns 1
 * (the caller opens its live session), or DBM_ERR_USAGE for --from or
 * --dialect given without --offline.
 */
int dbm_cmd_offline_open(struct dbm_session *s, const struct dbm_config *cfg,
                         const struct dbm_cmd_args *a, const char *command);
/*
 * Ends migrate's and rollback's JSON document: its "migrations" (the
 * reference is taken), the dry run's "sql" when there is one, printed.
 * Takes doc's reference too.
 */
void dbm_cmd_json_migrations_out(json_t *doc, json_t *migrations);

struct dbm_schema;
/* The objects of a dump as a JSON array (dump.c; a new reference, NULL when out of memory). */
json_t *dbm_cmd_schema_json(const struct dbm_schema *schema);

struct dbm_drift;
/*
 * The schema drift report under info and validate (drift.c): "Schema
 * matches the snapshot taken after version V", or "Schema drift since
 * version V: N objects differ" and one line per object, or how to take a
 * first snapshot. dbm_cmd_drift_json is info's and validate's
 * "schemaDrift" (a new reference).
 */
void dbm_cmd_drift_text(const struct dbm_drift *d);
json_t *dbm_cmd_drift_json(const struct dbm_drift *d);
/* "version 12" (or "installed_rank 3" when no version was applied) into buf; returns buf. */
const char *dbm_cmd_drift_since(const struct dbm_drift *d, char *buf, size_t size);

/*
 * What one target of a fleet reports to the fleet (fleet.c): the worker's
 * command fills the slot dbm_cmd_tally points at, in memory the parent
 * reads when the worker has ended. NULL outside a fleet's worker: the
 * dbm_cmd_tally_* functions then do nothing.
 */
struct dbm_cmd_tally {
	char from[64];         /* the version before the command, "" for none */
	char to[64];           /* the version after it (info: the current one) */
	unsigned long applied; /* scripts applied (migrate) or undone (rollback) */
	unsigned long pending; /* info: pending migrations */
	unsigned long failed;  /* info: failed rows */
	unsigned long drift;   /* info: objects that differ from the snapshot */
	int started;           /* the command got as far as planning */
	int drift_known;       /* info: a snapshot was compared (drift is meaningful) */
};
extern struct dbm_cmd_tally *dbm_cmd_tally;
/* The command planned, at version (NULL: none). */
void dbm_cmd_tally_begin(const char *version);
/* One script ran; version (NULL for a repeatable or an undo) is where the target is now. */
void dbm_cmd_tally_step(const char *version);
/* info's counts. */
void dbm_cmd_tally_counts(unsigned long pending, unsigned long failed);
/* info compared the schema with its snapshot: objects that differ, 0 for none. */
void dbm_cmd_tally_drift(unsigned long objects);

/* 1 when the configuration or the command line names a fleet (targets, targets_file, --targets). */
int dbm_fleet_wanted(const struct dbm_config *cfg, const struct dbm_cmd_args *a);
/*
 * Runs cmd on every target of the fleet (fleet.c) and prints the report.
 * Returns 0 when every target succeeded, else the error class of the worst
 * target's exit code, with an error that counts them set (targets' own
 * errors are printed with their names), and sets *exit_code to that worst
 * code itself (137 for a worker killed by SIGKILL has no class); returns
 * DBM_ERR_USAGE with *exit_code -1 for a fleet that cannot be built (no
 * targets, an unknown --targets name, a glob that matches nothing, an
 * unreadable targets file, two targets of one name, jobs 0).
 */
int dbm_fleet_run(struct dbm_config *cfg, const struct dbm_command *cmd,
                  const struct dbm_cmd_args *a, int *exit_code);

/* NULL-terminated (name NULL) tables, in the order help lists them. */
extern const struct dbm_command dbm_commands[];
extern const struct dbm_option dbm_options[];

/* The command called name, or NULL. */
const struct dbm_command *dbm_command_find(const char *name);
/*
 * The option whose long name is the len bytes at name: the one cmd (may be
 * NULL) takes, its own before a global one ('baseline --version V' against
 * '--version'); else the first so called; NULL when no option has the name.
 */
const struct dbm_option *dbm_option_find(const struct dbm_command *cmd, const char *name,
                                         size_t len);
/* The option whose one-letter form is c, or NULL. */
const struct dbm_option *dbm_option_find_short(char c);
/* Whether cmd accepts o (a global option, or one of its own). */
int dbm_command_takes(const struct dbm_command *cmd, const struct dbm_option *o);

#endif /* DBM_CMD_H */
