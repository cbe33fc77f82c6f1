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
 * machine too. The YAML is read with libyaml's document API.
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

#define CONFIG_DEFAULT_FILE "dbmigrate.yml"
#define CONFIG_DEFAULT_URL "sqlite:dbmigrate.db"
#define CONFIG_ENV_PREFIX "DBMIGRATE_"
#define CONFIG_PLACEHOLDER_PREFIX "DBMIGRATE_PLACEHOLDER_"
#define CONFIG_MERGE_KEY "<<"
#define CONFIG_MAX_MERGE_DEPTH 16

enum config_type {
	CONFIG_URL,          /* text; also records url_source */
	CONFIG_TEXT,         /* non-empty text */
	CONFIG_SECONDS,      /* whole number >= 0 */
	CONFIG_COUNT,        /* whole number >= 0 */
	CONFIG_BOOL,         /* true/false/yes/no/on/off */
	CONFIG_PLACEHOLDERS, /* mapping in YAML only */
	CONFIG_ENVIRONMENTS  /* mapping in YAML only */
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

#define CONFIG_FIELD(f) offsetof(struct dbm_config, f)

static const struct config_key config_table[] = {
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
    {"placeholders", CONFIG_PLACEHOLDERS, 0, NULL, 0, CONFIG_IN_FILE},
    {"environments", CONFIG_ENVIRONMENTS, 0, NULL, 0, CONFIG_IN_FILE},
    /* Output flags belong to one invocation: not in the file. */
    {"json", CONFIG_BOOL, CONFIG_FIELD(json), NULL, 0, CONFIG_IN_ENV | CONFIG_IN_FLAG},
    {"quiet", CONFIG_BOOL, CONFIG_FIELD(quiet), NULL, 0, CONFIG_IN_ENV | CONFIG_IN_FLAG},
    {"verbose", CONFIG_BOOL, CONFIG_FIELD(verbose), NULL, 0, CONFIG_IN_ENV | CONFIG_IN_FLAG},
    {"yes", CONFIG_BOOL, CONFIG_FIELD(yes), NULL, 0, CONFIG_IN_ENV | CONFIG_IN_FLAG},
};

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
    "placeholders",
    "environments",
    NULL,
};

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
};

static const struct config_key *config_find_key(const char *name, size_t len, unsigned in)
{
	size_t i;

	for (i = 0; i < DBM_ARRAY_SIZE(config_table); i++) {
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
static int config_fail(const struct config_origin *o, const char *fmt, ...) DBM_GCC_PRINTF(2, 3);
static int config_fail(const struct config_origin *o, const char *fmt, ...)
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
static int config_set_text(char **field, const char *text)
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
static int config_apply(struct dbm_config *cfg, const struct config_key *k, const char *text,
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
		break;
	}
	return 0;
}

/* ------------------------------------------------------------------ YAML */

static const char *config_node_kind(const yaml_node_t *n)
{
	switch (n->type) {
	case YAML_MAPPING_NODE:
		return "a mapping";
	case YAML_SEQUENCE_NODE:
		return "a list";
	default:
		return "a value";
	}
}

static unsigned config_node_line(const yaml_node_t *n)
{
	return (unsigned)n->start_mark.line + 1;
}

/* 1 when n is a plain scalar that YAML reads as null ("", "~", "null"). */
static int config_node_is_null(const yaml_node_t *n)
{
	const char *v = (const char *)n->data.scalar.value;

	if (n->type != YAML_SCALAR_NODE || n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
		return 0;
	return !*v || strcmp(v, "~") == 0 || strcmp(v, "null") == 0 || strcmp(v, "Null") == 0 ||
	       strcmp(v, "NULL") == 0;
}

/*
 * The hint for an unknown key: the nearest of the valid keys when one is
 * close, else the list of valid keys. nested says the key is inside an
 * environment, where "environments" is not allowed.
 */
static void config_hint_key(const char *key, int nested)
{
	const char *best = NULL;
	size_t best_d = (size_t)-1, i;
	struct dbm_buf list = DBM_BUF_INIT;

	if (nested && strcmp(key, "environments") == 0) {
		dbm_error_set_hint("Environments cannot be nested: define them at the top level.");
		return;
	}
	for (i = 0; dbm_config_keys[i]; i++) {
		size_t d;

		if (nested && strcmp(dbm_config_keys[i], "environments") == 0)
			continue;
		d = dbm_edit_distance(key, dbm_config_keys[i]);
		if (d < best_d) {
			best_d = d;
			best = dbm_config_keys[i];
		}
	}
	if (best && (best_d <= 2 || best_d * 3 <= strlen(best))) {
		dbm_error_set_hint("Did you mean '%s'?", best);
		return;
	}
	for (i = 0; dbm_config_keys[i]; i++) {
		if (nested && strcmp(dbm_config_keys[i], "environments") == 0)
			continue;
		if (dbm_buf_addf(&list, "%s%s", i ? ", " : "", dbm_config_keys[i]) < 0)
			break; /* out of memory: no hint, the error itself stands */
	}
	if (list.len)
		dbm_error_set_hint("Valid keys: %s.", dbm_buf_cstr(&list));
	dbm_buf_free(&list);
}

/*
 * Checks that the key of pairs[idx] is text and is not repeated earlier in
 * the same mapping. Returns the key node, or NULL with DBM_ERR_USAGE set.
 */
static yaml_node_t *config_yaml_key(struct config_yaml *y, yaml_node_t *map, yaml_node_pair_t *pair)
{
	yaml_node_t *key = yaml_document_get_node(&y->doc, pair->key);
	yaml_node_pair_t *p;

	if (!key || key->type != YAML_SCALAR_NODE) {
		dbm_error_set(DBM_ERR_USAGE, "expected a key name, got %s",
		              key ? config_node_kind(key) : "nothing");
		dbm_error_set_where(y->file, key ? config_node_line(key) : 0);
		return NULL;
	}
	for (p = map->data.mapping.pairs.start; p < pair; p++) {
		yaml_node_t *prev = yaml_document_get_node(&y->doc, p->key);

		if (prev && prev->type == YAML_SCALAR_NODE &&
		    strcmp((char *)prev->data.scalar.value, (char *)key->data.scalar.value) == 0) {
			dbm_error_set(DBM_ERR_USAGE, "duplicate key '%s'",
			              (char *)key->data.scalar.value);
			dbm_error_set_where(y->file, config_node_line(key));
			dbm_error_set_hint("It is first given on line %u; keep one of them.",
			                   config_node_line(prev));
			return NULL;
		}
	}
	return key;
}

/* Applies a placeholders: mapping. 0, DBM_ERR_USAGE or DBM_ERR_NOMEM. */
static int config_yaml_placeholders(struct config_yaml *y, struct dbm_config *cfg, yaml_node_t *map)
{
	struct config_origin o = {"placeholders", y->file, config_node_line(map), NULL};
	yaml_node_pair_t *pair;

	if (config_node_is_null(map))
		return 0;
	if (map->type != YAML_MAPPING_NODE)
		return config_fail(&o, "expected a mapping of names to values, got %s",
		                   config_node_kind(map));
	for (pair = map->data.mapping.pairs.start; pair < map->data.mapping.pairs.top; pair++) {
		yaml_node_t *key = config_yaml_key(y, map, pair);
		yaml_node_t *val = yaml_document_get_node(&y->doc, pair->value);
		const char *name;

		if (!key)
			return DBM_ERR_USAGE;
		name = (const char *)key->data.scalar.value;
		if (!*name) {
			o.line = config_node_line(key);
			return config_fail(&o, "expected a placeholder name, got an empty one");
		}
		if (!val || val->type != YAML_SCALAR_NODE) {
			dbm_error_set(DBM_ERR_USAGE,
			              "placeholders.%s: expected a text value, got %s", name,
			              val ? config_node_kind(val) : "nothing");
			dbm_error_set_where(y->file, config_node_line(val ? val : key));
			return DBM_ERR_USAGE;
		}
		if (dbm_placeholders_set(
		        &cfg->placeholders, name,
		        config_node_is_null(val) ? "" : (const char *)val->data.scalar.value) < 0)
			return DBM_ERR_NOMEM;
	}
	return 0;
}

static int config_yaml_environments(struct config_yaml *y, struct dbm_config *cfg,
                                    yaml_node_t *map);

static int config_yaml_mapping(struct config_yaml *y, struct dbm_config *cfg, yaml_node_t *map,
                               int nested);

/*
 * Applies the mappings named by YAML merge keys ("<<: *base" or
 * "<<: [*a, *b]") in map before map's own keys, so that its own keys win;
 * of a list, the first mapping wins, as YAML's merge type says. Returns 0,
 * DBM_ERR_USAGE (not a mapping, merges nested too deeply) or DBM_ERR_NOMEM.
 */
static int config_yaml_merge(struct config_yaml *y, struct dbm_config *cfg, yaml_node_t *map,
                             int nested)
{
	yaml_node_pair_t *pair;
	int r = 0;

	for (pair = map->data.mapping.pairs.start; pair < map->data.mapping.pairs.top; pair++) {
		yaml_node_t *key = yaml_document_get_node(&y->doc, pair->key);
		yaml_node_t *val = yaml_document_get_node(&y->doc, pair->value);
		struct config_origin o = {CONFIG_MERGE_KEY, y->file, 0, NULL};
		yaml_node_item_t *item;

		if (!key || key->type != YAML_SCALAR_NODE || !val ||
		    strcmp((const char *)key->data.scalar.value, CONFIG_MERGE_KEY) != 0)
			continue;
		o.line = config_node_line(val);
		if (y->depth >= CONFIG_MAX_MERGE_DEPTH)
			return config_fail(&o, "merges nest more than %d deep",
			                   CONFIG_MAX_MERGE_DEPTH);
		y->depth++;
		if (val->type == YAML_MAPPING_NODE) {
			r = config_yaml_mapping(y, cfg, val, nested);
		} else if (val->type == YAML_SEQUENCE_NODE) {
			item = val->data.sequence.items.top;
			while (r == 0 && item > val->data.sequence.items.start) {
				yaml_node_t *m = yaml_document_get_node(&y->doc, *--item);

				if (!m || m->type != YAML_MAPPING_NODE) {
					o.line = m ? config_node_line(m) : o.line;
					r = config_fail(&o, "expected a mapping to merge, got %s",
					                m ? config_node_kind(m) : "nothing");
				} else {
					r = config_yaml_mapping(y, cfg, m, nested);
				}
			}
		} else {
			r = config_fail(&o,
			                "expected a mapping or a list of mappings to merge, got %s",
			                config_node_kind(val));
		}
		y->depth--;
		if (r < 0)
			return r;
	}
	return 0;
}

/*
 * Applies the keys of one mapping (the top level, or one environment when
 * nested) to cfg. At the top level the environments: key is applied last,
 * after every other key, whatever its place in the file. Returns 0,
 * DBM_ERR_USAGE (unknown key, wrong type) or DBM_ERR_NOMEM.
 */
static int config_yaml_mapping(struct config_yaml *y, struct dbm_config *cfg, yaml_node_t *map,
                               int nested)
{
	yaml_node_t *environments = NULL;
	yaml_node_pair_t *pair;
	int r;

	if ((r = config_yaml_merge(y, cfg, map, nested)) < 0)
		return r;
	for (pair = map->data.mapping.pairs.start; pair < map->data.mapping.pairs.top; pair++) {
		yaml_node_t *key = config_yaml_key(y, map, pair);
		yaml_node_t *val = yaml_document_get_node(&y->doc, pair->value);
		const struct config_key *k;
		const char *name;
		struct config_origin o;

		if (!key)
			return DBM_ERR_USAGE;
		name = (const char *)key->data.scalar.value;
		/* merged before the loop; "x-" keys hold YAML anchors for merging */
		if (strcmp(name, CONFIG_MERGE_KEY) == 0 || strncmp(name, "x-", 2) == 0)
			continue;
		k = config_find_key(name, strlen(name), CONFIG_IN_FILE);
		if (!k || (nested && k->type == CONFIG_ENVIRONMENTS)) {
			dbm_error_set(DBM_ERR_USAGE, "unknown key '%s'", name);
			dbm_error_set_where(y->file, config_node_line(key));
			config_hint_key(name, nested);
			return DBM_ERR_USAGE;
		}
		if (!val)
			continue;
		if (k->type == CONFIG_PLACEHOLDERS) {
			if ((r = config_yaml_placeholders(y, cfg, val)) < 0)
				return r;
			continue;
		}
		if (k->type == CONFIG_ENVIRONMENTS) {
			y->env_line = config_node_line(key);
			environments = val;
			continue;
		}
		o.subject = k->name;
		o.file = y->file;
		o.line = config_node_line(val);
		o.source = y->file;
		if (val->type != YAML_SCALAR_NODE)
			return config_fail(&o, "expected %s, got %s",
			                   k->type == CONFIG_BOOL ? "true or false"
			                   : k->type == CONFIG_TEXT || k->type == CONFIG_URL
			                       ? "a text value"
			                       : "a whole number",
			                   config_node_kind(val));
		r = config_apply(
		    cfg, k, config_node_is_null(val) ? NULL : (const char *)val->data.scalar.value,
		    &o);
		if (r < 0)
			return r;
	}
	if (environments)
		return config_yaml_environments(y, cfg, environments);
	return 0;
}

/*
 * Applies the selected environment to cfg and checks every other one
 * against a scratch config. Returns 0, DBM_ERR_USAGE or DBM_ERR_NOMEM.
 */
static int config_yaml_environments(struct config_yaml *y, struct dbm_config *cfg, yaml_node_t *map)
{
	struct config_origin o = {"environments", y->file, config_node_line(map), NULL};
	yaml_node_pair_t *pair;
	int r = 0;

	if (config_node_is_null(map))
		return 0;
	if (map->type != YAML_MAPPING_NODE)
		return config_fail(&o,
		                   "expected a mapping of environment names to settings, got %s",
		                   config_node_kind(map));
	for (pair = map->data.mapping.pairs.start; pair < map->data.mapping.pairs.top; pair++) {
		yaml_node_t *key = config_yaml_key(y, map, pair);
		yaml_node_t *val = yaml_document_get_node(&y->doc, pair->value);
		const char *name;
		struct dbm_config scratch;
		int selected;

		if (!key)
			return DBM_ERR_USAGE;
		name = (const char *)key->data.scalar.value;
		if (dbm_buf_addf(&y->env_names, "%s%s", y->env_names.len ? ", " : "", name) < 0)
			return DBM_ERR_NOMEM;
		if (!val || config_node_is_null(val))
			val = NULL;
		else if (val->type != YAML_MAPPING_NODE) {
			dbm_error_set(DBM_ERR_USAGE,
			              "environments.%s: expected a mapping of settings, got %s",
			              name, config_node_kind(val));
			dbm_error_set_where(y->file, config_node_line(val));
			return DBM_ERR_USAGE;
		}
		selected = y->env && strcmp(y->env, name) == 0;
		if (selected)
			y->env_found = 1;
		if (!val)
			continue;
		if (selected) {
			r = config_yaml_mapping(y, cfg, val, 1);
		} else {
			memset(&scratch, 0, sizeof(scratch));
			r = config_yaml_mapping(y, &scratch, val, 1);
			dbm_config_free(&scratch);
		}
		if (r < 0)
			return r;
	}
	return 0;
}

/*
 * Reads path (already opened as f) and applies it to cfg. Returns 0,
 * DBM_ERR_USAGE (unreadable file such as a folder, broken YAML, top level
 * not a mapping, unknown key, bad value) or DBM_ERR_NOMEM.
 */
static int config_read_file(struct config_yaml *y, struct dbm_config *cfg, FILE *f)
{
	yaml_parser_t parser;
	yaml_document_t extra;
	struct dbm_buf text = DBM_BUF_INIT;
	char chunk[4096];
	size_t n;
	int parser_ready = 0, doc_loaded = 0;
	yaml_node_t *root;
	int r = 0;

	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0) {
		if ((r = dbm_buf_add(&text, chunk, n)) < 0)
			goto done;
	}
	if (ferror(f)) {
		r = dbm_error_set(DBM_ERR_USAGE, "cannot read config file '%s': %s", y->file,
		                  strerror(errno));
		goto done;
	}
	if (!yaml_parser_initialize(&parser)) {
		r = dbm_error_oom();
		goto done;
	}
	parser_ready = 1;
	yaml_parser_set_input_string(&parser, (const unsigned char *)dbm_buf_cstr(&text), text.len);
	if (!yaml_parser_load(&parser, &y->doc)) {
		if (parser.error == YAML_MEMORY_ERROR) {
			r = dbm_error_oom();
			goto done;
		}
		r = dbm_error_set(DBM_ERR_USAGE, "invalid YAML: %s",
		                  parser.problem ? parser.problem : "cannot parse");
		dbm_error_set_where(y->file, (unsigned)parser.problem_mark.line + 1);
		if (parser.context)
			dbm_error_set_detail("%s on line %u", parser.context,
			                     (unsigned)parser.context_mark.line + 1);
		goto done;
	}
	doc_loaded = 1;
	root = yaml_document_get_root_node(&y->doc);
	if (root) {
		/* A second document is a mistake the user should hear about. */
		if (!yaml_parser_load(&parser, &extra)) {
			r = dbm_error_set(DBM_ERR_USAGE, "invalid YAML: %s",
			                  parser.problem ? parser.problem : "cannot parse");
			dbm_error_set_where(y->file, (unsigned)parser.problem_mark.line + 1);
			goto done;
		}
		if (yaml_document_get_root_node(&extra)) {
			unsigned line = (unsigned)extra.start_mark.line + 1;

			yaml_document_delete(&extra);
			r = dbm_error_set(DBM_ERR_USAGE, "expected one YAML document, found more");
			dbm_error_set_where(y->file, line);
			goto done;
		}
		yaml_document_delete(&extra);
	}
	if (!root || config_node_is_null(root))
		goto done;
	if (root->type != YAML_MAPPING_NODE) {
		r = dbm_error_set(
		    DBM_ERR_USAGE, "expected a mapping of keys to values at the top level, got %s",
		    root->type == YAML_SCALAR_NODE ? "a single value" : config_node_kind(root));
		dbm_error_set_where(y->file, config_node_line(root));
		goto done;
	}
	r = config_yaml_mapping(y, cfg, root, 0);
done:
	if (doc_loaded)
		yaml_document_delete(&y->doc);
	if (parser_ready)
		yaml_parser_delete(&parser);
	dbm_buf_free(&text);
	return r;
}

/* ---------------------------------------------------- variables and flags */

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
static const char *config_getenv_set(char *const *envp, const char *name)
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
static int config_apply_env(struct dbm_config *cfg, char *const *envp)
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
	for (i = 0; i < DBM_ARRAY_SIZE(config_table); i++) {
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
static int config_apply_flags(struct dbm_config *cfg, const struct dbm_setting *flags,
                              size_t nflags)
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
static const char *config_flag_value(const struct dbm_setting *flags, size_t nflags,
                                     const char *key)
{
	const char *v = NULL;
	size_t i;

	for (i = 0; i < nflags; i++) {
		if (strcmp(flags[i].key, key) == 0)
			v = flags[i].value ? flags[i].value : "";
	}
	return v;
}

/* Sets every key to its default. 0 or DBM_ERR_NOMEM. */
static int config_defaults(struct dbm_config *cfg)
{
	size_t i;
	struct config_origin o = {"default", NULL, 0, "default"};
	int r;

	for (i = 0; i < DBM_ARRAY_SIZE(config_table); i++) {
		const struct config_key *k = &config_table[i];

		if (k->type == CONFIG_URL || k->type == CONFIG_PLACEHOLDERS ||
		    k->type == CONFIG_ENVIRONMENTS)
			continue;
		if ((r = config_apply(cfg, k, NULL, &o)) < 0)
			return r;
	}
	return 0;
}

/* The unknown-environment error; returns DBM_ERR_USAGE. */
static int config_unknown_env(const char *env, const char *env_from, const char *file,
                              const struct config_yaml *y)
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
	else
		dbm_error_set_hint("'%s' defines no environments; add them under 'environments:'.",
		                   file);
	return DBM_ERR_USAGE;
}

int dbm_config_load(struct dbm_config *cfg, const struct dbm_setting *flags, size_t nflags,
                    char *const *envp)
{
	struct config_yaml y;
	const char *path, *path_from = NULL, *env, *env_from = "--env";
	FILE *f = NULL;
	int r;

	memset(&y, 0, sizeof(y));
	if ((r = config_defaults(cfg)) < 0)
		goto done;

	path = config_flag_value(flags, nflags, "config");
	if (path)
		path_from = "--config";
	else if ((path = config_getenv_set(envp, "DBMIGRATE_CONFIG")))
		path_from = "DBMIGRATE_CONFIG";
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
	} else if ((f = fopen(CONFIG_DEFAULT_FILE, "r"))) {
		path = CONFIG_DEFAULT_FILE;
	} else if (errno != ENOENT) {
		r = dbm_error_set(DBM_ERR_USAGE, "cannot open config file '%s': %s",
		                  CONFIG_DEFAULT_FILE, strerror(errno));
		goto done;
	}
	if (env && (r = config_set_text(&cfg->env_name, env)) < 0)
		goto done;
	if (f) {
		if ((r = config_set_text(&cfg->config_file, path)) < 0)
			goto done;
		y.file = cfg->config_file;
		y.env = env;
		if ((r = config_read_file(&y, cfg, f)) < 0)
			goto done;
	}
	if (env && !y.env_found) {
		r = config_unknown_env(env, env_from, cfg->config_file, &y);
		goto done;
	}
	if ((r = config_apply_env(cfg, envp)) < 0 ||
	    (r = config_apply_flags(cfg, flags, nflags)) < 0)
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
	return r;
}

void dbm_config_free(struct dbm_config *cfg)
{
	size_t i;

	if (!cfg)
		return;
	for (i = 0; i < DBM_ARRAY_SIZE(config_table); i++) {
		const struct config_key *k = &config_table[i];

		if (k->type == CONFIG_URL || k->type == CONFIG_TEXT) {
			dbm_free(*config_text_field(cfg, k));
			*config_text_field(cfg, k) = NULL;
		}
	}
	dbm_free(cfg->url_source);
	dbm_free(cfg->config_file);
	dbm_free(cfg->env_name);
	cfg->url_source = cfg->config_file = cfg->env_name = NULL;
	dbm_placeholders_free(&cfg->placeholders);
}
