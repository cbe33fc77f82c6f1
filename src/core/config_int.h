/*
 * config_int.h - what the files of the configuration loader share; only
 * src/core/config*.c include it.
 *
 *   config.c       the key table, parsing a value by its key's type
 *                  (config_apply), the order of the layers, dbm_config_load
 *   config_yaml.c  the config file: libyaml's document, merge keys,
 *                  environments
 *   config_env.c   DBMIGRATE_* variables and command-line flags
 *   config_flyway.c  flyway.conf, flyway.toml and FLYWAY_* variables
 */
#ifndef DBM_CONFIG_INT_H
#define DBM_CONFIG_INT_H

#include <stddef.h>
#include <stdio.h>

#include <yaml.h>

#include "dbmigrate/common.h"
#include "dbmigrate/config.h"
#include "dbmigrate/kvfile.h"

enum config_type {
	CONFIG_URL,          /* text; also records url_source */
	CONFIG_TEXT,         /* non-empty text */
	CONFIG_SECONDS,      /* whole number >= 0 */
	CONFIG_COUNT,        /* whole number >= 0 */
	CONFIG_BOOL,         /* true/false/yes/no/on/off */
	CONFIG_PLACEHOLDERS, /* mapping in YAML only */
	CONFIG_ENVIRONMENTS, /* mapping in YAML only */
	CONFIG_TARGETS       /* list in YAML only */
};

/* Where a key may be given. */
#define CONFIG_IN_FILE 1u
#define CONFIG_IN_ENV 2u
#define CONFIG_IN_FLAG 4u
#define CONFIG_ANYWHERE (CONFIG_IN_FILE | CONFIG_IN_ENV | CONFIG_IN_FLAG)

struct config_key {
	const char *name;
	enum config_type type;
	size_t offset; /* of the char * or int field in struct dbm_config */
	const char *def_text;
	int def_int;
	unsigned in;
};

/* Every key, in the order the defaults are applied; config_table[0] is "url". */
extern const struct config_key config_table[];
extern const size_t config_table_len;

/*
 * Where a value came from. subject names it in messages ("lock_timeout",
 * "DBMIGRATE_LOCK_TIMEOUT", "--lock-timeout"); file and line are set for
 * values from the config file; source is what url_source records.
 */
struct config_origin {
	const char *subject;
	const char *file;
	unsigned line;
	const char *source;
};

/* The state of one YAML file being applied. */
struct config_yaml {
	yaml_document_t doc;
	const char *file;
	const char *env; /* the selected environment, NULL when none */
	int env_found;
	unsigned env_line;        /* line of the environments: key, 0 when absent */
	struct dbm_buf env_names; /* "dev, prod" for the unknown-environment hint */
	int depth;                /* merge keys being applied, against alias loops */
	unsigned merge_line;      /* line of the outermost merge key being applied */
	size_t visits;            /* keys and merged mappings applied so far (a budget) */
	unsigned char *checked;   /* a bit per node: its keys were checked (config_yaml_key) */
};

/* The key called name[0..len) that may be given in (CONFIG_IN_*), or NULL. */
const struct config_key *config_find_key(const char *name, size_t len, unsigned in);

/*
 * Sets a DBM_ERR_USAGE error "<subject>: <text>" with the origin's file and
 * line. Returns DBM_ERR_USAGE.
 */
int config_fail(const struct config_origin *o, const char *fmt, ...) DBM_GCC_PRINTF(2, 3);

/* Replaces *field with a copy of text (NULL clears it). 0 or DBM_ERR_NOMEM. */
int config_set_text(char **field, const char *text);

/*
 * Applies one value of key k to cfg. text NULL (a YAML null) puts the key
 * back to its default. Returns 0; DBM_ERR_USAGE (naming the origin) when
 * text does not fit the key's type; DBM_ERR_NOMEM.
 */
int config_apply(struct dbm_config *cfg, const struct config_key *k, const char *text,
                 const struct config_origin *o);

/*
 * Reads y->file (already opened as f) and applies it to cfg. Returns 0,
 * DBM_ERR_USAGE (unreadable file such as a folder, broken YAML, top level
 * not a mapping, unknown key, bad value) or DBM_ERR_NOMEM.
 */
int config_read_file(struct config_yaml *y, struct dbm_config *cfg, FILE *f);

/* The value of variable name in envp when set and not empty, else NULL. */
const char *config_getenv_set(char *const *envp, const char *name);

/*
 * Applies DATABASE_URL, every DBMIGRATE_<KEY> and DBMIGRATE_PLACEHOLDER_<NAME>
 * in envp. Returns 0, DBM_ERR_USAGE naming the variable, or DBM_ERR_NOMEM.
 */
int config_apply_env(struct dbm_config *cfg, char *const *envp);

/*
 * Applies the command-line settings in order. Returns 0, DBM_ERR_USAGE
 * naming the flag, or DBM_ERR_NOMEM.
 */
int config_apply_flags(struct dbm_config *cfg, const struct dbm_setting *flags, size_t nflags);

/* The last value of flag key, or NULL. */
const char *config_flag_value(const struct dbm_setting *flags, size_t nflags, const char *key);

/* What a config file holds, by its name or, failing that, its first line. */
enum config_kind { CONFIG_KIND_YAML, CONFIG_KIND_CONF, CONFIG_KIND_TOML };

/* The connection and schema settings of one Flyway configuration being built. */
struct config_fwconn {
	struct config_origin url_o; /* where url came from */
	struct dbm_config *cfg;
	char *url, *user, *password;
	char *pw_source; /* where the password came from, for url_source */
	char *schemas;   /* the first of schemas */
	char *default_schema;
	int check_only; /* an environment not selected: only its mistakes matter */
	char url_subject[160];
	char url_source[4096];
};

/* The state of a Flyway configuration: its file's entries, the environment, the connection. */
struct config_flyway {
	struct config_fwconn conn;
	struct dbm_kvlist list;
	struct config_yaml *y; /* file, env (from --env), env_found, env_names, env_line */
	char *env;             /* the environment chosen */
	int implicit_env;      /* env is "default" because nothing named one */
	int used_env;          /* a FLYWAY_* variable was applied */
};

/*
 * Which kind of file path is: .toml, .conf, .yml/.yaml by name; another
 * name by its first line that is not blank or a comment ('[' TOML,
 * "flyway." properties, else YAML). f is rewound.
 */
int config_flyway_kind(const char *path, FILE *f);

/*
 * Reads fw->y->file (opened as f; TOML when toml, else properties) into
 * cfg: [flyway] / flyway.* settings, then the chosen environment's.
 * Returns 0, DBM_ERR_USAGE naming file, line and setting, DBM_ERR_NOMEM.
 */
int config_flyway_read(struct config_flyway *fw, struct dbm_config *cfg, FILE *f, int toml,
                       char *const *envp);

/* Applies FLYWAY_* variables. 0, DBM_ERR_USAGE naming the variable, DBM_ERR_NOMEM. */
int config_flyway_env(struct config_flyway *fw, struct dbm_config *cfg, char *const *envp);

/* Puts url, user, password and schemas into cfg. 0, DBM_ERR_USAGE, DBM_ERR_NOMEM. */
int config_flyway_finish(struct config_flyway *fw, struct dbm_config *cfg);
void config_flyway_free(struct config_flyway *fw);

/* Appends a line ("warning: ..." or "note: ...") to cfg->notes. 0 or DBM_ERR_NOMEM. */
int config_note(struct dbm_config *cfg, const char *fmt, ...) DBM_GCC_PRINTF(2, 3);

#endif /* DBM_CONFIG_INT_H */
