/*
 * table.c - every command and every option of dbmigrate, with their help.
 *
 * The one place a command or an option is declared: the parser, dispatch,
 * 'dbmigrate help', the completion scripts and the manual page's test all
 * read these tables (see cmd.h). Global options come first in
 * dbm_options[]; a command option names its DBM_OPT_* bit, and a command
 * lists the bits it accepts.
 */
#include <stddef.h>
#include <string.h>

#include "cmd/cmd.h"

#define ARG(f) offsetof(struct dbm_cmd_args, f)

const struct dbm_option dbm_options[] = {
    /* global options; those with a key are also dbmigrate.yml keys and DBMIGRATE_<NAME> */
    {"url", 0, "URL", "url", 0, DBM_OPTK_TEXT, 0, DBM_COMP_NONE, NULL,
     "database (default sqlite:dbmigrate.db)"},
    {"config", 0, "FILE", "config", 0, DBM_OPTK_TEXT, 0, DBM_COMP_FILE, NULL,
     "configuration file (default ./dbmigrate.yml)"},
    {"env", 0, "NAME", "env", 0, DBM_OPTK_TEXT, 0, DBM_COMP_ENV, NULL,
     "environment from the configuration file"},
    {"migrations", 0, "DIR", "migrations", 0, DBM_OPTK_TEXT, 0, DBM_COMP_DIR, NULL,
     "versioned and repeatable scripts (default migrations)"},
    {"rollback", 0, "DIR", "rollback", 0, DBM_OPTK_TEXT, 0, DBM_COMP_DIR, NULL,
     "undo scripts (default rollback)"},
    {"table", 0, "NAME", "table", 0, DBM_OPTK_TEXT, 0, DBM_COMP_NONE, NULL,
     "history table (default schema_history)"},
    {"schema", 0, "NAME", "schema", 0, DBM_OPTK_TEXT, 0, DBM_COMP_NONE, NULL,
     "schema of the history table and the migrations"},
    {"lock-timeout", 0, "SECONDS", "lock_timeout", 0, DBM_OPTK_TEXT, 0, DBM_COMP_NONE, NULL,
     "wait for another runner (default 60)"},
    {"connect-retries", 0, "N", "connect_retries", 0, DBM_OPTK_TEXT, 0, DBM_COMP_NONE, NULL,
     "retry connecting with backoff"},
    {"schema-file", 0, "FILE", "schema_file", 0, DBM_OPTK_TEXT, 0, DBM_COMP_FILE, NULL,
     "write the schema dump here after each change"},
    {"naming", 0, "LAYOUT", "naming", 0, DBM_OPTK_TEXT, 0, DBM_COMP_WORDS,
     "auto flyway golang-migrate dbmate goose numbered",
     "the migration files' layout (default auto: found from the files)"},
    {"placeholder", 0, "KEY=VALUE", "placeholder", 0, DBM_OPTK_TEXT, 0, DBM_COMP_NONE, NULL,
     "value for ${KEY} in scripts (repeatable)"},
    {"json", 0, NULL, "json", 0, DBM_OPTK_FLAG, 0, DBM_COMP_NONE, NULL,
     "one JSON document on stdout"},
    {"quiet", 'q', NULL, "quiet", 0, DBM_OPTK_FLAG, 0, DBM_COMP_NONE, NULL, "errors only"},
    {"verbose", 'v', NULL, "verbose", 0, DBM_OPTK_FLAG, 0, DBM_COMP_NONE, NULL,
     "every statement and connection step on stderr"},
    {"yes", 'y', NULL, "yes", 0, DBM_OPTK_FLAG, 0, DBM_COMP_NONE, NULL, "confirm clean"},
    {"color", 0, "WHEN", NULL, 0, DBM_OPTK_TEXT, 0, DBM_COMP_WORDS, "auto always never",
     "colour states in info: auto (a terminal without NO_COLOR), always, never"},
    {"help", 'h', NULL, NULL, 0, DBM_OPTK_FLAG, 0, DBM_COMP_NONE, NULL,
     "show help (of the command, when one is given) and exit"},
    {"version", 0, NULL, NULL, 0, DBM_OPTK_FLAG, 0, DBM_COMP_NONE, NULL,
     "print the version and exit"},

    /* command options */
    {"target", 0, "V", NULL, DBM_OPT_TARGET, DBM_OPTK_TARGET, ARG(target), DBM_COMP_WORDS,
     "latest current", "stop at version V ('current' and 'latest' work too)"},
    {"dry-run", 0, NULL, NULL, DBM_OPT_DRY_RUN, DBM_OPTK_FLAG, ARG(dry_run), DBM_COMP_NONE, NULL,
     "print the SQL that would run, as a script its client replays; change nothing"},
    {"out-of-order", 0, NULL, "out_of_order", DBM_OPT_OUT_OF_ORDER, DBM_OPTK_FLAG, 0, DBM_COMP_NONE,
     NULL, "accept pending versions lower than the applied ones"},
    {"baseline-on-migrate", 0, NULL, "baseline_on_migrate", DBM_OPT_BASELINE_ON_MIGRATE,
     DBM_OPTK_FLAG, 0, DBM_COMP_NONE, NULL,
     "baseline a schema that has tables but no history first"},
    {"steps", 0, "N", NULL, DBM_OPT_STEPS, DBM_OPTK_COUNT, ARG(steps), DBM_COMP_NONE, NULL,
     "undo the N newest applied versions (default 1)"},
    {"to", 0, "V", NULL, DBM_OPT_TO, DBM_OPTK_VERSION, ARG(to), DBM_COMP_NONE, NULL,
     "undo every applied version above V (0: all)"},
    {"version", 0, "V", NULL, DBM_OPT_VERSION, DBM_OPTK_VERSION, ARG(version), DBM_COMP_NONE, NULL,
     "the baseline's version (default baseline_version, 1)"},
    {"description", 0, "TEXT", NULL, DBM_OPT_DESCRIPTION, DBM_OPTK_TEXT, ARG(description),
     DBM_COMP_NONE, NULL, "the baseline's description"},
    {"output", 0, "FILE", NULL, DBM_OPT_OUTPUT, DBM_OPTK_TEXT, ARG(output), DBM_COMP_FILE, NULL,
     "write the dump to FILE instead of stdout"},
    {"from", 0, "URL", NULL, DBM_OPT_FROM, DBM_OPTK_TEXT, ARG(from), DBM_COMP_NONE, NULL,
     "the first schema to compare (a database URL)"},
    {"to", 0, "URL", NULL, DBM_OPT_TO_URL, DBM_OPTK_TEXT, ARG(to), DBM_COMP_NONE, NULL,
     "the second schema to compare (a database URL)"},
    {"shadow", 0, "URL", NULL, DBM_OPT_SHADOW, DBM_OPTK_TEXT, ARG(shadow), DBM_COMP_WORDS, "auto",
     "scratch database the migrations are built in ('auto': a temporary one)"},
    {"from", 0, "TOOL", NULL, DBM_OPT_FROM_TOOL, DBM_OPTK_TEXT, ARG(from), DBM_COMP_WORDS,
     "auto golang-migrate dbmate goose", "the tool whose history to take over (default auto)"},
    {"skip-executing", 0, NULL, NULL, DBM_OPT_SKIP_EXECUTING, DBM_OPTK_FLAG, ARG(skip_executing),
     DBM_COMP_NONE, NULL, "record pending migrations as applied without running them"},
    {"offline", 0, NULL, NULL, DBM_OPT_OFFLINE, DBM_OPTK_FLAG, ARG(offline), DBM_COMP_NONE, NULL,
     "print the dry run's script without connecting (needs --from)"},
    {"from", 0, "VERSION", NULL, DBM_OPT_FROM_VERSION, DBM_OPTK_TEXT, ARG(from), DBM_COMP_WORDS,
     "empty", "with --offline: the version the database is at ('empty': nothing applied)"},
    {"dialect", 0, "NAME", NULL, DBM_OPT_DIALECT, DBM_OPTK_TEXT, ARG(dialect), DBM_COMP_WORDS,
     "postgresql mysql sqlite", "with --offline: the database's kind, instead of the URL's"},
    {"no-drift", 0, NULL, NULL, DBM_OPT_NO_DRIFT, DBM_OPTK_FLAG, ARG(no_drift), DBM_COMP_NONE, NULL,
     "do not compare the live schema with the snapshot"},
    {"accept-drift", 0, NULL, NULL, DBM_OPT_ACCEPT_DRIFT, DBM_OPTK_FLAG, ARG(accept_drift),
     DBM_COMP_NONE, NULL, "record the live schema as the new snapshot"},
    {"targets", 0, "NAME,...", NULL, DBM_OPT_FLEET, DBM_OPTK_TEXT, ARG(targets), DBM_COMP_NONE,
     NULL, "run on these targets of the fleet only"},
    {"targets-file", 0, "FILE", "targets_file", DBM_OPT_FLEET, DBM_OPTK_TEXT, 0, DBM_COMP_FILE,
     NULL, "the fleet: one URL or schema name a line"},
    {"jobs", 'j', "N", "jobs", DBM_OPT_FLEET, DBM_OPTK_TEXT, 0, DBM_COMP_NONE, NULL,
     "targets of the fleet run at once (default 4)"},
    {"canary", 0, "N", NULL, DBM_OPT_CANARY, DBM_OPTK_COUNT, ARG(canary), DBM_COMP_NONE, NULL,
     "run N targets first and stop if one of them fails"},
    {"continue-on-error", 0, NULL, "continue_on_error", DBM_OPT_FLEET, DBM_OPTK_FLAG, 0,
     DBM_COMP_NONE, NULL, "go on with the other targets after one failed"},
    {NULL, 0, NULL, NULL, 0, 0, 0, 0, NULL, NULL}};

#define FILES_DB (DBM_NEEDS_CONFIG | DBM_NEEDS_FILES | DBM_NEEDS_CONNECT)

const struct dbm_command dbm_commands[] = {
    {"migrate", "apply pending migrations, then changed repeatables", NULL,
     "Applies pending versioned migrations in version order, then repeatables that are new "
     "or changed. Validates first and stops on drift (exit 3); takes the runner lock "
     "(exit 4 when another runner keeps it) and creates the history table when missing.",
     "dbmigrate migrate --target 5",
     DBM_OPT_TARGET | DBM_OPT_DRY_RUN | DBM_OPT_OUT_OF_ORDER | DBM_OPT_BASELINE_ON_MIGRATE |
         DBM_OPT_SKIP_EXECUTING | DBM_OPT_OFFLINE | DBM_OPT_FROM_VERSION | DBM_OPT_DIALECT |
         DBM_OPT_FLEET | DBM_OPT_CANARY,
     FILES_DB | DBM_NEEDS_LOCK | DBM_NEEDS_HISTORY, dbm_cmd_migrate},
    {"rollback", "undo applied versions with their rollback/ scripts, newest first", NULL,
     "Undoes applied versions, newest first, each with its rollback/U<version>__*.sql "
     "script, and records an UNDO_SQL row for each. Checks that every undo script exists "
     "before anything runs.",
     "dbmigrate rollback --steps 2",
     DBM_OPT_STEPS | DBM_OPT_TO | DBM_OPT_DRY_RUN | DBM_OPT_OFFLINE | DBM_OPT_FROM_VERSION |
         DBM_OPT_DIALECT | DBM_OPT_FLEET | DBM_OPT_CANARY,
     FILES_DB | DBM_NEEDS_LOCK, dbm_cmd_rollback},
    {"info", "list every migration with its state", NULL,
     "Lists every migration with its category, version, description, type, installation "
     "time, state and whether it can be undone; below, whether the live schema still matches "
     "the snapshot taken after the last change. Takes no lock and creates nothing.",
     "dbmigrate info --json", DBM_OPT_TARGET | DBM_OPT_OUT_OF_ORDER | DBM_OPT_FLEET, FILES_DB,
     dbm_cmd_info},
    {"validate", "compare the applied history with the files", NULL,
     "Compares the history with the files and exits 3 naming each finding: an applied "
     "file edited since, an applied file that is missing, a failed row, a pending version "
     "lower than the applied ones; and, when a snapshot exists, each object of the live "
     "schema that differs from it (--no-drift skips that).",
     "dbmigrate validate", DBM_OPT_OUT_OF_ORDER | DBM_OPT_NO_DRIFT | DBM_OPT_FLEET, FILES_DB,
     dbm_cmd_validate},
    {"baseline", "mark an existing database as being at a version", NULL,
     "Marks a database that no migration has touched as being at a version with a "
     "BASELINE row. Refused when the history has rows already.",
     "dbmigrate baseline --version 3", DBM_OPT_VERSION | DBM_OPT_DESCRIPTION | DBM_OPT_DRY_RUN,
     DBM_NEEDS_CONFIG | DBM_NEEDS_CONNECT | DBM_NEEDS_LOCK | DBM_NEEDS_HISTORY, dbm_cmd_baseline},
    {"repair", "remove failed rows, realign checksums, mark missing files deleted", NULL,
     "The way out of every stuck state, in one transaction: removes failed rows, realigns "
     "the checksums and descriptions of applied versions with their files, marks applied "
     "versions whose file is gone as deleted. Prints each change. With --accept-drift, also "
     "records the live schema as the new snapshot, printing each difference it accepts.",
     "dbmigrate repair --dry-run",
     DBM_OPT_DRY_RUN | DBM_OPT_ACCEPT_DRIFT | DBM_OPT_FLEET | DBM_OPT_CANARY,
     FILES_DB | DBM_NEEDS_LOCK, dbm_cmd_repair},
    {"clean", "drop every object in the managed schema (guarded)", NULL,
     "Drops every object in the managed schema, the history table included. Refused unless "
     "the configuration says clean_disabled: false and --yes is given.",
     "dbmigrate clean --yes", DBM_OPT_DRY_RUN,
     DBM_NEEDS_CONFIG | DBM_NEEDS_CONNECT | DBM_NEEDS_LOCK, dbm_cmd_clean},
    {"new", "create the next migration and its undo script", "NAME",
     "Creates migrations/V<next>__NAME.sql and rollback/U<next>__NAME.sql. The next version "
     "is one above the first part of the highest in use, or the UTC time when the versions "
     "are timestamps. Spaces and '-' in NAME become '_'.",
     "dbmigrate new add_email_to_users", 0, DBM_NEEDS_CONFIG | DBM_NEEDS_FILES, dbm_cmd_new},
    {"version", "print the version and the compiled-in drivers", NULL,
     "Prints the version and the compiled-in drivers with their client library versions. "
     "Reads no configuration and connects to nothing.",
     "dbmigrate version", 0, 0, dbm_cmd_version},
    {"dump", "print the live schema as SQL that recreates it", NULL,
     "Prints the managed schema as canonical SQL: deterministic, loadable by the database's own "
     "client into an empty database, without the history and snapshot tables. With --json, the "
     "objects.",
     "dbmigrate dump --output schema.sql", DBM_OPT_OUTPUT, DBM_NEEDS_CONFIG | DBM_NEEDS_CONNECT,
     dbm_cmd_dump},
    {"diff", "compare two schemas object by object (exit 3 when they differ)", NULL,
     "Compares two schemas object by object, down to columns, constraints and indexes. By "
     "default, the live database against what its applied migrations build in a shadow "
     "database. Exits 0 when equal, 3 when different.",
     "dbmigrate diff --shadow auto", DBM_OPT_FROM | DBM_OPT_TO_URL | DBM_OPT_SHADOW,
     DBM_NEEDS_CONFIG | DBM_NEEDS_CONNECT, dbm_cmd_diff},
    {"adopt", "take over the history of golang-migrate, dbmate or goose", NULL,
     "Reads the history table of golang-migrate, dbmate or goose and writes one row per "
     "applied version into dbmigrate's history, in one transaction, with today's checksums. "
     "Leaves the tool's table as it was. Refused when the history has rows, when "
     "golang-migrate's state is dirty, or when an applied version has no file.",
     "dbmigrate adopt --from goose --dry-run", DBM_OPT_FROM_TOOL | DBM_OPT_DRY_RUN,
     FILES_DB | DBM_NEEDS_LOCK | DBM_NEEDS_HISTORY, dbm_cmd_adopt},
    {NULL, NULL, NULL, NULL, NULL, 0, 0, NULL}};

const struct dbm_command *dbm_command_find(const char *name)
{
	size_t i;

	for (i = 0; dbm_commands[i].name; i++)
		if (strcmp(dbm_commands[i].name, name) == 0)
			return &dbm_commands[i];
	return NULL;
}

int dbm_command_takes(const struct dbm_command *cmd, const struct dbm_option *o)
{
	return o->bit == 0 || (cmd && (cmd->options & o->bit));
}

const struct dbm_option *dbm_option_find(const struct dbm_command *cmd, const char *name,
                                         size_t len)
{
	const struct dbm_option *first = NULL;
	size_t i;

	for (i = 0; dbm_options[i].name; i++) {
		const struct dbm_option *o = &dbm_options[i];

		if (strlen(o->name) != len || strncmp(o->name, name, len) != 0)
			continue;
		if (o->bit && cmd && (cmd->options & o->bit))
			return o;
		if (!first || (first->bit && !o->bit))
			first = o;
	}
	return first;
}

const struct dbm_option *dbm_option_find_short(char c)
{
	size_t i;

	for (i = 0; c && dbm_options[i].name; i++)
		if (dbm_options[i].short_name == c)
			return &dbm_options[i];
	return NULL;
}
