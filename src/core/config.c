/*
 * config.c - settings from defaults, dbmigrate.yml, its environments,
 * DBMIGRATE_* variables and command-line flags (config.h).
 *
 * main.c calls dbm_config_load() once, before any command runs. Every layer
 * is applied in turn to the same struct, lowest first: defaults, the file's
 * top level, the selected environment, environment variables, flags; a
 * later layer overwrites what an earlier one set. Every value goes through
 * config_apply(), which parses it by the key's type and, on a bad value,
 * names where it came from: the key with file and line, the variable, or
 * the flag as the user typed it. Environments that are not selected are
 * still parsed into a scratch struct, so a typo in "prod" fails on a dev
 * machine too. This file holds the key table, the parsing of values and
 * the order of the layers; the YAML walk is in config_yaml.c and the
 * variables and flags in config_env.c (config_int.h).
 */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <yaml.h>

#include "dbmigrate/common.h"
#include "dbmigrate/config.h"
#include "dbmigrate/plan.h"
#include "dbmigrate/scan.h"
#include "dbmigrate/version.h"
#include "config_int.h"

#define CONFIG_DEFAULT_FILE "dbmigrate.yml"
#define CONFIG_DEFAULT_URL "sqlite:dbmigrate.db"

#define CONFIG_FIELD(f) offsetof(struct dbm_config, f)

const struct config_key config_table[] = {
    {"url", CONFIG_URL, CONFIG_FIELD(url), NULL, 0, CONFIG_ANYWHERE},
    {"migrations", CONFIG_TEXT, CONFIG_FIELD(migrations), "migrations", 0, CONFIG_ANYWHERE},
    {"rollback", CONFIG_TEXT, CONFIG_FIELD(rollback), "rollback", 0, CONFIG_ANYWHERE},
    {"table", CONFIG_TEXT, CONFIG_FIELD(table), "schema_history", 0, CONFIG_ANYWHERE},
    {"schema", CONFIG_TEXT, CONFIG_FIELD(schema), NULL, 0, CONFIG_ANYWHERE},
    {"installed_by", CONFIG_TEXT, CONFIG_FIELD(installed_by), NULL, 0, CONFIG_ANYWHERE},
    {"baseline_version", CONFIG_TEXT, CONFIG_FIELD(baseline_version), "1", 0, CONFIG_ANYWHERE},
    {"baseline_description", CONFIG_TEXT, CONFIG_FIELD(baseline_description), "<< Baseline >>", 0,
     CONFIG_ANYWHERE},
    {"lock_timeout", CONFIG_SECONDS, CONFIG_FIELD(lock_timeout), NULL, 60, CONFIG_ANYWHERE},
    {"connect_retries", CONFIG_COUNT, CONFIG_FIELD(connect_retries), NULL, 0, CONFIG_ANYWHERE},
    {"connect_retries_interval", CONFIG_SECONDS, CONFIG_FIELD(connect_retries_interval), NULL, 120,
     CONFIG_ANYWHERE},
    {"statement_timeout", CONFIG_SECONDS, CONFIG_FIELD(statement_timeout), NULL, 0,
     CONFIG_ANYWHERE},
    {"ddl_lock_timeout", CONFIG_SECONDS, CONFIG_FIELD(ddl_lock_timeout), NULL, 0, CONFIG_ANYWHERE},
    {"out_of_order", CONFIG_BOOL, CONFIG_FIELD(out_of_order), NULL, 0, CONFIG_ANYWHERE},
    {"validate_on_migrate", CONFIG_BOOL, CONFIG_FIELD(validate_on_migrate), NULL, 1,
     CONFIG_ANYWHERE},
    {"baseline_on_migrate", CONFIG_BOOL, CONFIG_FIELD(baseline_on_migrate), NULL, 0,
     CONFIG_ANYWHERE},
    {"clean_disabled", CONFIG_BOOL, CONFIG_FIELD(clean_disabled), NULL, 1, CONFIG_ANYWHERE},
    {"mixed", CONFIG_BOOL, CONFIG_FIELD(mixed), NULL, 1, CONFIG_ANYWHERE},
    {"schema_file", CONFIG_TEXT, CONFIG_FIELD(schema_file), NULL, 0, CONFIG_ANYWHERE},
    {"sql_migration_prefix", CONFIG_TEXT, CONFIG_FIELD(sql_migration_prefix), "V", 0,
     CONFIG_IN_FILE | CONFIG_IN_ENV},
    {"sql_migration_separator", CONFIG_TEXT, CONFIG_FIELD(sql_migration_separator), "__", 0,
     CONFIG_IN_FILE | CONFIG_IN_ENV},
    {"sql_migration_suffixes", CONFIG_TEXT, CONFIG_FIELD(sql_migration_suffixes), ".sql", 0,
     CONFIG_IN_FILE | CONFIG_IN_ENV},
    {"repeatable_sql_migration_prefix", CONFIG_TEXT, CONFIG_FIELD(repeatable_sql_migration_prefix),
     "R", 0, CONFIG_IN_FILE | CONFIG_IN_ENV},
    {"undo_sql_migration_prefix", CONFIG_TEXT, CONFIG_FIELD(undo_sql_migration_prefix), "U", 0,
     CONFIG_IN_FILE | CONFIG_IN_ENV},
    {"group", CONFIG_BOOL, CONFIG_FIELD(group), NULL, 0, CONFIG_IN_FILE | CONFIG_IN_ENV},
    {"ignore_migration_patterns", CONFIG_TEXT, CONFIG_FIELD(ignore_migration_patterns), NULL, 0,
     CONFIG_IN_FILE | CONFIG_IN_ENV},
    {"target", CONFIG_TEXT, CONFIG_FIELD(target), NULL, 0, CONFIG_IN_FILE | CONFIG_IN_ENV},
    {"placeholder_replacement", CONFIG_BOOL, CONFIG_FIELD(placeholder_replacement), NULL, 1,
     CONFIG_IN_FILE | CONFIG_IN_ENV},
    {"validate_schema_on_migrate", CONFIG_BOOL, CONFIG_FIELD(validate_schema_on_migrate), NULL, 0,
     CONFIG_ANYWHERE},
    {"placeholders", CONFIG_PLACEHOLDERS, 0, NULL, 0, CONFIG_IN_FILE},
    {"naming", CONFIG_TEXT, CONFIG_FIELD(naming), "auto", 0, CONFIG_ANYWHERE},
    {"environments", CONFIG_ENVIRONMENTS, 0, NULL, 0, CONFIG_IN_FILE},
    {"targets", CONFIG_TARGETS, 0, NULL, 0, CONFIG_IN_FILE},
    {"targets_file", CONFIG_TEXT, CONFIG_FIELD(targets_file), NULL, 0, CONFIG_ANYWHERE},
    {"jobs", CONFIG_COUNT, CONFIG_FIELD(jobs), NULL, 4, CONFIG_ANYWHERE},
    {"continue_on_error", CONFIG_BOOL, CONFIG_FIELD(continue_on_error), NULL, 0, CONFIG_ANYWHERE},
    /* Output flags belong to one invocation: not in the file. */
    {"json", CONFIG_BOOL, CONFIG_FIELD(json), NULL, 0, CONFIG_IN_ENV | CONFIG_IN_FLAG},
    {"quiet", CONFIG_BOOL, CONFIG_FIELD(quiet), NULL, 0, CONFIG_IN_ENV | CONFIG_IN_FLAG},
    {"verbose", CONFIG_BOOL, CONFIG_FIELD(verbose), NULL, 0, CONFIG_IN_ENV | CONFIG_IN_FLAG},
    {"yes", CONFIG_BOOL, CONFIG_FIELD(yes), NULL, 0, CONFIG_IN_ENV | CONFIG_IN_FLAG},
};

const size_t config_table_len = DBM_ARRAY_SIZE(config_table);

const char *const dbm_config_keys[] = {
    "url",
    "migrations",
    "rollback",
    "table",
    "schema",
    "installed_by",
    "baseline_version",
    "baseline_description",
    "lock_timeout",
    "connect_retries",
    "connect_retries_interval",
    "statement_timeout",
    "ddl_lock_timeout",
    "out_of_order",
    "validate_on_migrate",
    "baseline_on_migrate",
    "clean_disabled",
    "mixed",
    "schema_file",
    "sql_migration_prefix",
    "sql_migration_separator",
    "sql_migration_suffixes",
    "repeatable_sql_migration_prefix",
    "undo_sql_migration_prefix",
    "group",
    "ignore_migration_patterns",
    "target",
    "placeholder_replacement",
    "validate_schema_on_migrate",
    "placeholders",
    "environments",
    "targets",
    "targets_file",
    "jobs",
    "continue_on_error",
    NULL,
};

const struct config_key *config_find_key(const char *name, size_t len, unsigned in)
{
	size_t i;

	for (i = 0; i < config_table_len; i++) {
		const struct config_key *k = &config_table[i];

		if ((k->in & in) && strlen(k->name) == len && memcmp(k->name, name, len) == 0)
			return k;
	}
	return NULL;
}

static char **config_text_field(struct dbm_config *cfg, const struct config_key *k)
{
	return (char **)(void *)((char *)cfg + k->offset);
}

static int *config_int_field(struct dbm_config *cfg, const struct config_key *k)
{
	return (int *)(void *)((char *)cfg + k->offset);
}

/*
 * Sets a DBM_ERR_USAGE error "<subject>: <text>" with the origin's file and
 * line. Returns DBM_ERR_USAGE.
 */
int config_fail(const struct config_origin *o, const char *fmt, ...)
{
	char text[2048];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	dbm_error_set(DBM_ERR_USAGE, "%s: %s", o->subject, text);
	if (o->file)
		dbm_error_set_where(o->file, o->line);
	return DBM_ERR_USAGE;
}

/* Replaces *field with a copy of text (NULL clears it). 0 or DBM_ERR_NOMEM. */
int config_set_text(char **field, const char *text)
{
	char *copy = NULL;

	if (text && !(copy = dbm_strdup(text)))
		return dbm_error_oom();
	dbm_free(*field);
	*field = copy;
	return 0;
}

/* Parses a boolean word into *out. Returns 1 when text is one, else 0. */
static int config_parse_bool(const char *text, int *out)
{
	static const char *const yes[] = {"true", "yes", "on"};
	static const char *const no[] = {"false", "no", "off"};
	size_t i;

	for (i = 0; i < DBM_ARRAY_SIZE(yes); i++) {
		if (strcasecmp(text, yes[i]) == 0) {
			*out = 1;
			return 1;
		}
		if (strcasecmp(text, no[i]) == 0) {
			*out = 0;
			return 1;
		}
	}
	return 0;
}

/*
 * Parses a whole number 0..INT_MAX. Returns 1 and sets *out, 0 when text is
 * not digits only, -1 when it is too large.
 */
static int config_parse_uint(const char *text, int *out)
{
	long long v = 0;
	const char *p = text;

	if (!*p)
		return 0;
	for (; *p; p++) {
		if (*p < '0' || *p > '9')
			return 0;
		v = v * 10 + (*p - '0');
		if (v > INT_MAX)
			return -1;
	}
	*out = (int)v;
	return 1;
}

/*
 * Applies one value of key k to cfg. text NULL (a YAML null) puts the key
 * back to its default. Returns 0; DBM_ERR_USAGE (naming the origin) when
 * text does not fit the key's type; DBM_ERR_NOMEM.
 */
int config_apply(struct dbm_config *cfg, const struct config_key *k, const char *text,
                 const struct config_origin *o)
{
	int v = 0, r;

	switch (k->type) {
	case CONFIG_URL:
		if (text && !*text)
			return config_fail(o, "expected a database URL, got an empty value");
		if (config_set_text(&cfg->url, text) < 0 ||
		    config_set_text(&cfg->url_source, text ? o->source : NULL) < 0)
			return DBM_ERR_NOMEM;
		return 0;
	case CONFIG_TEXT:
		if (text && !*text)
			return config_fail(o, "expected a value, got an empty one");
		if (text && k->offset == CONFIG_FIELD(naming)) {
			enum dbm_naming n;

			if (dbm_naming_parse(text, &n) < 0)
				return config_fail(o,
				                   "expected auto, flyway, golang-migrate, dbmate, "
				                   "goose or numbered, got '%s'",
				                   text);
		}
		if (text && k->offset == CONFIG_FIELD(target) && strcmp(text, "latest") != 0 &&
		    strcmp(text, "current") != 0) {
			char *norm = NULL;

			if (dbm_version_normalize(text, strlen(text), &norm) < 0) {
				dbm_error_clear();
				return config_fail(
				    o, "expected a version, latest or current, got '%s'", text);
			}
			dbm_free(norm);
		}
		if (text && k->offset == CONFIG_FIELD(ignore_migration_patterns) &&
		    dbm_plan_check_patterns(text) < 0) {
			char msg[4096], hint[1024];

			snprintf(msg, sizeof(msg), "%s", dbm_error_last()->message);
			snprintf(hint, sizeof(hint), "%s", dbm_error_last()->hint);
			config_fail(o, "%s", msg);
			dbm_error_set_hint("%s", hint);
			return DBM_ERR_USAGE;
		}
		return config_set_text(config_text_field(cfg, k), text ? text : k->def_text);
	case CONFIG_SECONDS:
	case CONFIG_COUNT:
		if (!text) {
			*config_int_field(cfg, k) = k->def_int;
			return 0;
		}
		r = config_parse_uint(text, &v);
		if (r < 0)
			return config_fail(o, "'%s' is too large (the maximum is %d)", text,
			                   INT_MAX);
		if (r == 0)
			return config_fail(o, "expected a whole number%s, got '%s'",
			                   k->type == CONFIG_SECONDS ? " of seconds" : "", text);
		*config_int_field(cfg, k) = v;
		return 0;
	case CONFIG_BOOL:
		if (!text)
			v = k->def_int;
		else if (!config_parse_bool(text, &v))
			return config_fail(o, "expected true or false, got '%s'", text);
		*config_int_field(cfg, k) = v;
		return 0;
	case CONFIG_PLACEHOLDERS:
	case CONFIG_ENVIRONMENTS:
	case CONFIG_TARGETS:
		break;
	}
	return 0;
}

/* Sets every key to its default. 0 or DBM_ERR_NOMEM. */
static int config_defaults(struct dbm_config *cfg)
{
	size_t i;
	struct config_origin o = {"default", NULL, 0, "default"};
	int r;

	for (i = 0; i < config_table_len; i++) {
		const struct config_key *k = &config_table[i];

		if (k->type == CONFIG_URL || k->type == CONFIG_PLACEHOLDERS ||
		    k->type == CONFIG_ENVIRONMENTS || k->type == CONFIG_TARGETS)
			continue;
		if ((r = config_apply(cfg, k, NULL, &o)) < 0)
			return r;
	}
	return 0;
}

/* The unknown-environment error; returns DBM_ERR_USAGE. */
static int config_unknown_env(const char *env, const char *env_from, const char *file,
                              const struct config_yaml *y, int kind)
{
	dbm_error_set(DBM_ERR_USAGE, "%s: unknown environment '%s'", env_from, env);
	if (!file) {
		dbm_error_set_hint("No config file was found, so no environments are defined; "
		                   "create " CONFIG_DEFAULT_FILE " or name one with --config.");
		return DBM_ERR_USAGE;
	}
	dbm_error_set_where(file, y->env_line);
	if (y->env_names.len)
		dbm_error_set_hint("Environments defined in '%s': %s.", file,
		                   dbm_buf_cstr(&y->env_names));
	else if (kind != CONFIG_KIND_YAML)
		dbm_error_set_hint("'%s' defines no environments; Flyway's are [environments.NAME] "
		                   "tables in flyway.toml.",
		                   file);
	else
		dbm_error_set_hint("'%s' defines no environments; add them under 'environments:'.",
		                   file);
	return DBM_ERR_USAGE;
}

/*
 * Opens the first Flyway configuration file found where Flyway looks when
 * no file is named: the working directory, then conf/. Returns the file or
 * NULL, with *path set to its name; with *err set on an error other than
 * "not there".
 */
static FILE *config_find_flyway(const char **path, int *err)
{
	static const char *const names[] = {"flyway.toml", "flyway.conf", "conf/flyway.toml",
	                                    "conf/flyway.conf"};
	size_t i;
	FILE *f;

	for (i = 0; i < DBM_ARRAY_SIZE(names); i++) {
		if ((f = fopen(names[i], "r"))) {
			*path = names[i];
			return f;
		}
		if (errno != ENOENT && errno != ENOTDIR) {
			*err = dbm_error_set(DBM_ERR_USAGE, "cannot open config file '%s': %s",
			                     names[i], strerror(errno));
			return NULL;
		}
	}
	return NULL;
}

/*
 * Hands the file-name settings to the scanner's grammar (filename.c).
 * Returns 0 or DBM_ERR_USAGE naming the setting.
 */
static int config_file_names(const struct dbm_config *cfg)
{
	/* Flyway's other locations count while the migrations folder is its first one */
	int more = cfg->locations_more && cfg->locations_first &&
	           strcmp(cfg->locations_first, cfg->migrations) == 0;
	int r = dbm_scan_more_locations(more ? cfg->locations_more : NULL);

	if (r < 0)
		return r;
	return dbm_filename_configure(cfg->sql_migration_prefix,
	                              cfg->repeatable_sql_migration_prefix,
	                              cfg->undo_sql_migration_prefix, cfg->sql_migration_separator,
	                              cfg->sql_migration_suffixes);
}

int dbm_config_load(struct dbm_config *cfg, const struct dbm_setting *flags, size_t nflags,
                    char *const *envp)
{
	struct config_yaml y;
	struct config_flyway fw;
	const char *path, *path_from = NULL, *env, *env_from = "--env";
	FILE *f = NULL;
	int r, kind = CONFIG_KIND_YAML, found = 0;

	memset(&y, 0, sizeof(y));
	memset(&fw, 0, sizeof(fw));
	fw.y = &y;
	if ((r = config_defaults(cfg)) < 0)
		goto done;

	path = config_flag_value(flags, nflags, "config");
	if (path)
		path_from = "--config";
	else if ((path = config_getenv_set(envp, "DBMIGRATE_CONFIG")))
		path_from = "DBMIGRATE_CONFIG";
	else if ((path = config_getenv_set(envp, "FLYWAY_CONFIG_FILES"))) {
		path_from = "FLYWAY_CONFIG_FILES";
		if (strchr(path, ',')) {
			r = dbm_error_set(
			    DBM_ERR_USAGE,
			    "FLYWAY_CONFIG_FILES: several config files are not supported");
			dbm_error_set_hint("Merge them into one file, or name one with --config.");
			goto done;
		}
	}
	env = config_flag_value(flags, nflags, "env");
	if (!env && (env = config_getenv_set(envp, "DBMIGRATE_ENV")))
		env_from = "DBMIGRATE_ENV";

	if (path) {
		if (!(f = fopen(path, "r"))) {
			r = dbm_error_set(DBM_ERR_USAGE,
			                  "cannot open config file '%s' named by %s: %s", path,
			                  path_from, strerror(errno));
			goto done;
		}
		kind = config_flyway_kind(path, f);
	} else if ((f = fopen(CONFIG_DEFAULT_FILE, "r"))) {
		path = CONFIG_DEFAULT_FILE;
	} else if (errno != ENOENT) {
		r = dbm_error_set(DBM_ERR_USAGE, "cannot open config file '%s': %s",
		                  CONFIG_DEFAULT_FILE, strerror(errno));
		goto done;
	} else if ((f = config_find_flyway(&path, &r))) {
		kind = config_flyway_kind(path, f);
		found = 1;
	} else if (r < 0) {
		goto done;
	}
	if (env && (r = config_set_text(&cfg->env_name, env)) < 0)
		goto done;
	if (f) {
		if ((r = config_set_text(&cfg->config_file, path)) < 0)
			goto done;
		y.file = cfg->config_file;
		y.env = env;
		if (found && (r = config_note(cfg,
		                              "note: reading the Flyway configuration in %s "
		                              "(there is no " CONFIG_DEFAULT_FILE ")",
		                              path)) < 0)
			goto done;
		if (kind == CONFIG_KIND_YAML)
			r = config_read_file(&y, cfg, f);
		else
			r = config_flyway_read(&fw, cfg, f, kind == CONFIG_KIND_TOML, envp);
		if (r < 0)
			goto done;
	}
	if (env && !y.env_found) {
		r = config_unknown_env(env, env_from, cfg->config_file, &y, kind);
		goto done;
	}
	/* FLYWAY_* belong to a Flyway project: read unless dbmigrate.yml says otherwise. */
	if (!f || kind != CONFIG_KIND_YAML) {
		if ((r = config_flyway_env(&fw, cfg, envp)) < 0 ||
		    (r = config_flyway_finish(&fw, cfg)) < 0)
			goto done;
		if (!f && fw.used_env &&
		    (r = config_note(cfg, "note: reading the Flyway configuration in FLYWAY_* "
		                          "variables (there is no config file)")) < 0)
			goto done;
	}
	if ((r = config_apply_env(cfg, envp)) < 0 ||
	    (r = config_apply_flags(cfg, flags, nflags)) < 0)
		goto done;
	/* --migrations and DBMIGRATE_MIGRATIONS name one folder: Flyway's other locations go */
	if ((config_flag_value(flags, nflags, "migrations") ||
	     config_getenv_set(envp, "DBMIGRATE_MIGRATIONS")) &&
	    (r = config_set_text(&cfg->locations_more, NULL)) < 0)
		goto done;
	if ((r = config_file_names(cfg)) < 0)
		goto done;
	if (!cfg->url) {
		if ((r = config_set_text(&cfg->url, CONFIG_DEFAULT_URL)) < 0 ||
		    (r = config_set_text(&cfg->url_source, "default")) < 0)
			goto done;
	}
done:
	if (f)
		fclose(f);
	dbm_buf_free(&y.env_names);
	config_flyway_free(&fw);
	return r;
}

/* See config.h. */
enum dbm_naming dbm_config_naming(const struct dbm_config *cfg)
{
	enum dbm_naming n = DBM_NAMING_AUTO;

	if (cfg->naming && dbm_naming_parse(cfg->naming, &n) < 0) {
		dbm_error_clear(); /* checked when loaded */
		n = DBM_NAMING_AUTO;
	}
	return n;
}

void dbm_config_free(struct dbm_config *cfg)
{
	size_t i;

	if (!cfg)
		return;
	for (i = 0; i < config_table_len; i++) {
		const struct config_key *k = &config_table[i];

		if (k->type == CONFIG_URL || k->type == CONFIG_TEXT) {
			dbm_free(*config_text_field(cfg, k));
			*config_text_field(cfg, k) = NULL;
		}
	}
	dbm_free(cfg->url_source);
	dbm_free(cfg->config_file);
	dbm_free(cfg->env_name);
	dbm_free(cfg->notes);
	dbm_free(cfg->locations_first);
	dbm_free(cfg->locations_more);
	cfg->locations_first = cfg->locations_more = NULL;
	cfg->url_source = cfg->config_file = cfg->env_name = cfg->notes = NULL;
	dbm_placeholders_free(&cfg->placeholders);
	dbm_config_free_targets(cfg);
}

void dbm_config_free_targets(struct dbm_config *cfg)
{
	size_t i;

	for (i = 0; i < cfg->ntargets; i++) {
		struct dbm_target *t = &cfg->targets[i];

		dbm_free(t->word);
		dbm_free(t->name);
		dbm_free(t->url);
		dbm_free(t->schema);
		dbm_placeholders_free(&t->placeholders);
	}
	dbm_free(cfg->targets);
	cfg->targets = NULL;
	cfg->ntargets = 0;
}
