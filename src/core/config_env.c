/*
 * config_env.c - settings from environment variables and command-line
 * flags (config_int.h).
 *
 * DATABASE_URL and DBMIGRATE_<KEY> (the key in capitals) set keys of the
 * table in config.c; DBMIGRATE_PLACEHOLDER_<NAME> sets a placeholder, its
 * name in lower case. Flags come parsed by main.c as key/value pairs; the
 * last of a repeated flag wins, --placeholder adds up. Every value goes
 * through config_apply(), named as the user typed it. Called by config.c's
 * dbm_config_load() only.
 */
#include <stdio.h>
#include <string.h>

#include "dbmigrate/common.h"
#include "dbmigrate/config.h"
#include "config_int.h"

#define CONFIG_ENV_PREFIX "DBMIGRATE_"
#define CONFIG_PLACEHOLDER_PREFIX "DBMIGRATE_PLACEHOLDER_"

/* The value of variable name in envp (the first one), or NULL. */
static const char *config_getenv(char *const *envp, const char *name)
{
	size_t len = strlen(name);

	for (; envp && *envp; envp++) {
		if (strncmp(*envp, name, len) == 0 && (*envp)[len] == '=')
			return *envp + len + 1;
	}
	return NULL;
}

/* Like config_getenv, but an empty value counts as unset. */
const char *config_getenv_set(char *const *envp, const char *name)
{
	const char *v = config_getenv(envp, name);

	return v && *v ? v : NULL;
}

/* Writes DBMIGRATE_<KEY> into out (size at least 64). */
static void config_env_name(const struct config_key *k, char *out, size_t size)
{
	size_t i, n = strlen(CONFIG_ENV_PREFIX);

	snprintf(out, size, "%s%s", CONFIG_ENV_PREFIX, k->name);
	for (i = n; out[i]; i++) {
		if (out[i] >= 'a' && out[i] <= 'z')
			out[i] = (char)(out[i] - 'a' + 'A');
	}
}

/*
 * Applies DATABASE_URL, every DBMIGRATE_<KEY> and DBMIGRATE_PLACEHOLDER_<NAME>
 * in envp. Empty variables are ignored, except placeholders, where an empty
 * value is a value. Returns 0, DBM_ERR_USAGE naming the variable, or
 * DBM_ERR_NOMEM.
 */
int config_apply_env(struct dbm_config *cfg, char *const *envp)
{
	size_t i, plen = strlen(CONFIG_PLACEHOLDER_PREFIX);
	char name[64];
	const char *v;
	int r;

	v = config_getenv_set(envp, "DATABASE_URL");
	if (v) {
		struct config_origin o = {"DATABASE_URL", NULL, 0, "DATABASE_URL"};

		if ((r = config_apply(cfg, &config_table[0], v, &o)) < 0)
			return r;
	}
	for (i = 0; i < config_table_len; i++) {
		const struct config_key *k = &config_table[i];
		struct config_origin o = {name, NULL, 0, name};

		if (!(k->in & CONFIG_IN_ENV))
			continue;
		config_env_name(k, name, sizeof(name));
		v = config_getenv_set(envp, name);
		if (v && (r = config_apply(cfg, k, v, &o)) < 0)
			return r;
	}
	for (; envp && *envp; envp++) {
		const char *e = *envp, *eq;
		char *key;
		size_t j;

		if (strncmp(e, CONFIG_PLACEHOLDER_PREFIX, plen) != 0 || !(eq = strchr(e, '=')))
			continue;
		if (eq == e + plen) {
			return dbm_error_set(DBM_ERR_USAGE,
			                     "%.*s: expected a placeholder name after "
			                     "'%s'",
			                     (int)(eq - e), e, CONFIG_PLACEHOLDER_PREFIX);
		}
		key = dbm_strndup(e + plen, (size_t)(eq - e) - plen);
		if (!key)
			return dbm_error_oom();
		for (j = 0; key[j]; j++) {
			if (key[j] >= 'A' && key[j] <= 'Z')
				key[j] = (char)(key[j] - 'A' + 'a');
		}
		r = dbm_placeholders_set(&cfg->placeholders, key, eq + 1);
		dbm_free(key);
		if (r < 0)
			return r;
	}
	return 0;
}

/* Writes "--lock-timeout" for key "lock_timeout" into out. */
static void config_flag_name(const char *key, char *out, size_t size)
{
	size_t i;

	snprintf(out, size, "--%s", key);
	for (i = 2; out[i]; i++) {
		if (out[i] == '_')
			out[i] = '-';
	}
}

/*
 * Applies the command-line settings in order (a repeated flag: the last
 * wins; --placeholder adds up). Returns 0, DBM_ERR_USAGE naming the flag,
 * or DBM_ERR_NOMEM.
 */
int config_apply_flags(struct dbm_config *cfg, const struct dbm_setting *flags, size_t nflags)
{
	size_t i;
	int r;

	for (i = 0; i < nflags; i++) {
		const char *key = flags[i].key, *value = flags[i].value ? flags[i].value : "";
		char flag[128];
		struct config_origin o = {flag, NULL, 0, flag};
		const struct config_key *k;

		config_flag_name(key, flag, sizeof(flag));
		if (strcmp(key, "config") == 0 || strcmp(key, "env") == 0)
			continue;
		if (strcmp(key, "placeholder") == 0) {
			const char *eq = strchr(value, '=');
			char *name;

			if (!eq || eq == value)
				return config_fail(&o, "expected KEY=VALUE, got '%s'", value);
			if (!(name = dbm_strndup(value, (size_t)(eq - value))))
				return dbm_error_oom();
			r = dbm_placeholders_set(&cfg->placeholders, name, eq + 1);
			dbm_free(name);
			if (r < 0)
				return r;
			continue;
		}
		k = config_find_key(key, strlen(key), CONFIG_IN_FLAG);
		if (!k)
			return dbm_error_set(DBM_ERR_USAGE, "unknown option '%s'", flag);
		if ((r = config_apply(cfg, k, value, &o)) < 0)
			return r;
	}
	return 0;
}

/* The last value of flag key, or NULL. */
const char *config_flag_value(const struct dbm_setting *flags, size_t nflags, const char *key)
{
	const char *v = NULL;
	size_t i;

	for (i = 0; i < nflags; i++) {
		if (strcmp(flags[i].key, key) == 0)
			v = flags[i].value ? flags[i].value : "";
	}
	return v;
}
