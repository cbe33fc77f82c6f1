/*
 * config.h - settings from defaults, dbmigrate.yml, its environments,
 * DBMIGRATE_* variables and command-line flags.
 *
 * Precedence, highest first: flags, environment variables, the selected
 * environment's keys, the file's top level, defaults. The URL has its own
 * chain: --url, DBMIGRATE_URL, DATABASE_URL, the config (environment, then
 * top level), then "sqlite:dbmigrate.db". main.c collects global flags as
 * (key, value) pairs named like the YAML keys and hands them here; this
 * module parses and checks every value and names where a bad one came from.
 */
#ifndef DBM_CONFIG_H
#define DBM_CONFIG_H

#include <stddef.h>

#include "dbmigrate/placeholder.h"
#include "dbmigrate/scan.h"

/*
 * One entry of targets: (a fleet). A list item that is a single word has
 * only word set: a URL, a SQLite glob or a schema name, told apart by the
 * fleet layer (cmd/fleet.c). A mapping item sets name, url, schema and its
 * own placeholders (laid over the top level's).
 */
struct dbm_target {
	char *word;   /* a list item given as one word, NULL for a mapping */
	char *name;   /* NULL: derived from the URL or the schema */
	char *url;    /* NULL: the top-level URL */
	char *schema; /* NULL: the top-level schema */
	struct dbm_placeholders placeholders;
	unsigned line; /* in the config file */
};

struct dbm_config {
	char *url;         /* never NULL after load; secret: print only dbm_url_redact()ed */
	char *url_source;  /* where the URL came from: "--url", "DBMIGRATE_URL", "DATABASE_URL", the
	                      config file's path, "default" */
	char *config_file; /* the file read, NULL when none */
	char *env_name;    /* the selected environment, NULL when none */
	char *notes;       /* lines for stderr: "note: ..." / "warning: ...", NULL when none */
	char *migrations;  /* default "migrations" */
	char *rollback;    /* default "rollback" */
	char *table;       /* default "schema_history" */
	char *schema;      /* NULL: the connection's default */
	char *installed_by;           /* NULL: the database user */
	char *baseline_version;       /* default "1" */
	char *baseline_description;   /* default "<< Baseline >>" */
	int lock_timeout;             /* seconds, default 60 */
	int connect_retries;          /* default 0 */
	int connect_retries_interval; /* seconds, cap of the backoff, default 120 */
	int statement_timeout;        /* seconds, 0 none */
	int ddl_lock_timeout;         /* seconds, 0 server default */
	int out_of_order;             /* bools: 0/1 */
	int validate_on_migrate;      /* default 1 */
	int baseline_on_migrate;      /* default 0 */
	int clean_disabled;           /* default 1 */
	int mixed;                    /* default 1 */
	char *schema_file;            /* write dump here after a change, NULL: none */
	char *naming; /* the files' layout (scan.h dbm_naming_parse), default "auto" */
	char *sql_migration_prefix;            /* file names (scan.h), default "V" */
	char *sql_migration_separator;         /* default "__" */
	char *sql_migration_suffixes;          /* comma-separated, default ".sql" */
	char *repeatable_sql_migration_prefix; /* default "R" */
	char *undo_sql_migration_prefix;       /* default "U" */
	int group; /* migrate: all pending migrations in one transaction, default 0 */
	char *ignore_migration_patterns; /* Flyway's "*:missing,..." (plan.h), NULL: "*:future" */
	char *target; /* migrate stops at this version ("latest", "current"), NULL: latest */
	int placeholder_replacement; /* ${name} replaced in scripts, default 1 */
	char *locations_first;       /* Flyway's first location, the migrations folder it set */
	char *locations_more;        /* Flyway's other locations, comma-separated, NULL when none */
	int validate_schema_on_migrate; /* default 0: migrate compares with the snapshot first */
	int json, quiet, verbose, yes;  /* output flags, default 0 */
	struct dbm_placeholders placeholders;
	struct dbm_target *targets; /* targets: in the file (its environment's list wins), owned */
	size_t ntargets;
	char *targets_file;    /* one URL or schema a line, NULL: none */
	int jobs;              /* fleet workers, default 4 */
	int continue_on_error; /* fleet: keep scheduling after a failed target, default 0 */
};

/* One command-line setting: key as in YAML ("lock_timeout", "placeholder" for KEY=VALUE). */
struct dbm_setting {
	const char *key;
	const char *value; /* "true" for boolean flags */
};

/*
 * Fills cfg (which the caller zeroes first) from every source. flags may be
 * NULL when nflags is 0; envp is the process environment (NULL-terminated).
 * The config file is --config / DBMIGRATE_CONFIG (an error when missing) or
 * ./dbmigrate.yml when present. Returns 0; DBM_ERR_USAGE with file and line
 * set for broken YAML, an unknown key (the hint names the nearest valid key),
 * a value of the wrong type, an unknown environment (the hint lists the
 * known ones) or a bad flag value (the message names the flag or variable);
 * DBM_ERR_NOMEM. On error cfg may be partly filled: free it.
 */
int dbm_config_load(struct dbm_config *cfg, const struct dbm_setting *flags, size_t nflags,
                    char *const *envp);
void dbm_config_free(struct dbm_config *cfg);
/* The layout the naming key names (checked by dbm_config_load): AUTO when not set. */
enum dbm_naming dbm_config_naming(const struct dbm_config *cfg);
/* Frees cfg's targets: list and empties it. */
void dbm_config_free_targets(struct dbm_config *cfg);

/* Every valid key (NULL-terminated), for the unknown-key hint and docs. */
extern const char *const dbm_config_keys[];

/*
 * Appends url to out with any password replaced by "***": the password of a
 * scheme://user:pass@host URL, a password= / password: value in a key=value
 * string or a query string, also when the URL is malformed; then every
 * secret listed so far (secret.h) is scrubbed from what was appended.
 * Never fails except for DBM_ERR_NOMEM.
 */
int dbm_url_redact(const char *url, struct dbm_buf *out);

/*
 * Turns a Flyway url (jdbc:postgresql:, jdbc:mysql:, jdbc:mariadb:,
 * jdbc:sqlite:) with the user and password settings (either may be NULL)
 * into the native URL, appended to out; the JDBC parameters ApplicationName,
 * sslmode, ssl, connectTimeout, useSSL, sslMode, user and password are
 * mapped, currentSchema is returned in *schema (allocated, NULL when not
 * given). A native URL is kept, with user and password put in when it has
 * no user. Returns 0; DBM_ERR_USAGE naming the part or parameter that
 * cannot be mapped (never a value); DBM_ERR_NOMEM.
 */
int dbm_jdbc_url(const char *url, const char *user, const char *password, struct dbm_buf *out,
                 char **schema);

/* Levenshtein distance ignoring ASCII case, for "did you mean" hints (commands, .conf keys too). */
size_t dbm_edit_distance(const char *a, const char *b);

#endif /* DBM_CONFIG_H */
