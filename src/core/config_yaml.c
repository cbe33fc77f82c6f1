/*
 * config_yaml.c - the config file, dbmigrate.yml (config_int.h).
 *
 * The file is read whole and loaded with libyaml's document API, then
 * walked: the top level is a mapping of keys (config.c's table), applied
 * through config_apply() with the file and line of each value. YAML merge
 * keys ("<<: *base") are applied before a mapping's own keys, so its own
 * keys win; keys starting with "x-" hold anchors and are skipped. The
 * environments: key is applied last: the selected environment over the top
 * level, every other one into a scratch struct so its mistakes are found
 * too. Called by config.c's dbm_config_load() only.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <yaml.h>

#include "dbmigrate/common.h"
#include "dbmigrate/config.h"
#include "config_int.h"

#define CONFIG_MERGE_KEY "<<"
#define CONFIG_MAX_MERGE_DEPTH 16

/*
 * Limits against hostile files, each reported with the file, the line and
 * the limit. Aliases cost nothing in libyaml's document (a node is stored
 * once), but every merge key or environment that names a mapping applies
 * it again: nine levels of "<<: [*a, *a, ...]" are billions of keys, so the
 * keys and merges applied are counted against a budget. The nesting depth
 * is checked on the event stream before the document is built, and the
 * file's size before it is parsed.
 */
#define CONFIG_MAX_FILE_BYTES (1024 * 1024)
#define CONFIG_MAX_NESTING 64
#define CONFIG_MAX_VISITS 100000

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

/* A key of a mapping, for finding repeated keys by sorting. */
struct config_keyref {
	const char *name;
	size_t index; /* of its pair in the mapping */
	unsigned line;
};

static int config_keyref_cmp(const void *a, const void *b)
{
	const struct config_keyref *x = a, *y = b;
	int c = strcmp(x->name, y->name);

	if (c)
		return c;
	return x->index < y->index ? -1 : x->index > y->index;
}

/*
 * Checks once per mapping node (a merged or aliased mapping is applied
 * more than once) that every key is text and none is repeated, sorting
 * the keys so that a mapping of many keys costs n log n, not n squared.
 * The repeat reported is the first one in the file's order. Returns 0, or
 * DBM_ERR_USAGE / DBM_ERR_NOMEM with the error set.
 */
static int config_yaml_check_keys(struct config_yaml *y, yaml_node_t *map)
{
	size_t id = (size_t)(map - y->doc.nodes.start), n, i, dup = 0, first = 0;
	yaml_node_pair_t *pairs = map->data.mapping.pairs.start;
	struct config_keyref *refs;
	int found = 0;

	if (y->checked[id / 8] & (1u << (id % 8)))
		return 0;
	n = (size_t)(map->data.mapping.pairs.top - pairs);
	refs = dbm_calloc(n ? n : 1, sizeof(*refs));
	if (!refs)
		return dbm_error_oom();
	for (i = 0; i < n; i++) {
		yaml_node_t *key = yaml_document_get_node(&y->doc, pairs[i].key);

		if (!key || key->type != YAML_SCALAR_NODE) {
			dbm_free(refs);
			dbm_error_set(DBM_ERR_USAGE, "expected a key name, got %s",
			              key ? config_node_kind(key) : "nothing");
			dbm_error_set_where(y->file, key ? config_node_line(key) : 0);
			return DBM_ERR_USAGE;
		}
		refs[i].name = (const char *)key->data.scalar.value;
		refs[i].index = i;
		refs[i].line = config_node_line(key);
	}
	if (n > 1)
		dbm_sort(refs, n, sizeof(*refs), config_keyref_cmp);
	for (i = 1; i < n; i++) {
		size_t g = i - 1;

		if (strcmp(refs[g].name, refs[i].name) != 0)
			continue;
		while (g > 0 && strcmp(refs[g - 1].name, refs[i].name) == 0)
			g--;
		if (!found || refs[i].index < refs[dup].index) {
			dup = i;
			first = g;
			found = 1;
		}
	}
	if (found) {
		dbm_error_set(DBM_ERR_USAGE, "duplicate key '%s'", refs[dup].name);
		dbm_error_set_where(y->file, refs[dup].line);
		dbm_error_set_hint("It is first given on line %u; keep one of them.",
		                   refs[first].line);
		dbm_free(refs);
		return DBM_ERR_USAGE;
	}
	dbm_free(refs);
	y->checked[id / 8] |= (unsigned char)(1u << (id % 8));
	return 0;
}

/*
 * Counts one key or merged mapping at node against the budget. Returns 0,
 * or DBM_ERR_USAGE naming the file, the line (of the outermost merge key
 * being applied, else of node) and the limit.
 */
static int config_yaml_spend(struct config_yaml *y, const yaml_node_t *node)
{
	if (++y->visits <= CONFIG_MAX_VISITS)
		return 0;
	dbm_error_set(DBM_ERR_USAGE,
	              "the configuration applies more than %d keys and merges (aliases and "
	              "merge keys repeat the mappings they name)",
	              CONFIG_MAX_VISITS);
	dbm_error_set_where(y->file, y->depth ? y->merge_line : config_node_line(node));
	dbm_error_set_hint("Merge each mapping once, and keep the file to the settings dbmigrate "
	                   "reads.");
	return DBM_ERR_USAGE;
}

/*
 * The key node of pair in map, once the keys of map are checked
 * (config_yaml_check_keys), counting it against the budget of keys
 * applied. Returns the key node, or NULL with DBM_ERR_USAGE or
 * DBM_ERR_NOMEM set.
 */
static yaml_node_t *config_yaml_key(struct config_yaml *y, yaml_node_t *map, yaml_node_pair_t *pair)
{
	yaml_node_t *key;

	if (config_yaml_check_keys(y, map) < 0)
		return NULL;
	key = yaml_document_get_node(&y->doc, pair->key);
	return config_yaml_spend(y, key) < 0 ? NULL : key;
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
			return dbm_error_last()->klass;
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

/* Appends an empty target at line to cfg. Returns it, or NULL with DBM_ERR_NOMEM set. */
static struct dbm_target *config_target_new(struct dbm_config *cfg, unsigned line)
{
	struct dbm_target *v = dbm_realloc(cfg->targets, (cfg->ntargets + 1) * sizeof(*v));

	if (!v) {
		dbm_error_oom();
		return NULL;
	}
	cfg->targets = v;
	v += cfg->ntargets++;
	memset(v, 0, sizeof(*v));
	v->line = line;
	return v;
}

/*
 * Applies the keys of one mapping item of targets: (name, url, schema,
 * placeholders) to t. Returns 0, DBM_ERR_USAGE (unknown key, wrong type,
 * empty value) or DBM_ERR_NOMEM.
 */
static int config_yaml_target_map(struct config_yaml *y, struct dbm_target *t, yaml_node_t *map)
{
	static const char *const keys[] = {"name", "url", "schema", "placeholders"};
	yaml_node_pair_t *pair;

	for (pair = map->data.mapping.pairs.start; pair < map->data.mapping.pairs.top; pair++) {
		yaml_node_t *key = config_yaml_key(y, map, pair);
		yaml_node_t *val = yaml_document_get_node(&y->doc, pair->value);
		const char *name, *text;
		size_t i;
		char **field;

		if (!key)
			return dbm_error_last()->klass;
		name = (const char *)key->data.scalar.value;
		for (i = 0; i < DBM_ARRAY_SIZE(keys); i++)
			if (strcmp(name, keys[i]) == 0)
				break;
		if (i == DBM_ARRAY_SIZE(keys)) {
			dbm_error_set(DBM_ERR_USAGE, "targets: unknown key '%s' in a target", name);
			dbm_error_set_where(y->file, config_node_line(key));
			dbm_error_set_hint("A target takes name, url, schema and placeholders.");
			return DBM_ERR_USAGE;
		}
		if (i == 3) {
			struct dbm_config scratch;
			int r;

			if (!val)
				continue;
			memset(&scratch, 0, sizeof(scratch));
			r = config_yaml_placeholders(y, &scratch, val);
			t->placeholders = scratch.placeholders;
			if (r < 0)
				return r;
			continue;
		}
		if (!val || val->type != YAML_SCALAR_NODE || config_node_is_null(val) ||
		    !*(const char *)val->data.scalar.value) {
			dbm_error_set(
			    DBM_ERR_USAGE, "targets: %s: expected a text value, got %s", name,
			    !val || val->type == YAML_SCALAR_NODE ? "an empty one"
			                                          : config_node_kind(val));
			dbm_error_set_where(y->file, config_node_line(val ? val : key));
			return DBM_ERR_USAGE;
		}
		text = (const char *)val->data.scalar.value;
		field = i == 0 ? &t->name : i == 1 ? &t->url : &t->schema;
		if (config_set_text(field, text) < 0)
			return DBM_ERR_NOMEM;
	}
	if (t->url && t->schema) {
		dbm_error_set(DBM_ERR_USAGE, "targets: a target has both url and schema");
		dbm_error_set_where(y->file, t->line);
		dbm_error_set_hint("A target is a database (url) or a schema on the top-level url; "
		                   "give one of them.");
		return DBM_ERR_USAGE;
	}
	if (!t->url && !t->schema) {
		dbm_error_set(DBM_ERR_USAGE, "targets: a target needs a url or a schema");
		dbm_error_set_where(y->file, t->line);
		dbm_error_set_hint(
		    "For example: - { name: eu, url: \"postgres://deploy@eu/app\" }");
		return DBM_ERR_USAGE;
	}
	return 0;
}

/*
 * Applies targets: a list whose items are one word (a URL, a SQLite glob,
 * a schema name) or a mapping (name, url, schema, placeholders); a single
 * word stands for a list of one. Replaces any list applied before (an
 * environment's list wins over the top level's). Returns 0, DBM_ERR_USAGE
 * or DBM_ERR_NOMEM.
 */
static int config_yaml_targets(struct config_yaml *y, struct dbm_config *cfg, yaml_node_t *node)
{
	struct config_origin o = {"targets", y->file, config_node_line(node), NULL};
	yaml_node_item_t *item;
	int r;

	dbm_config_free_targets(cfg);
	if (config_node_is_null(node))
		return 0;
	if (node->type == YAML_SCALAR_NODE) {
		struct dbm_target *t = config_target_new(cfg, config_node_line(node));

		if (!t)
			return DBM_ERR_NOMEM;
		return config_set_text(&t->word, (const char *)node->data.scalar.value);
	}
	if (node->type != YAML_SEQUENCE_NODE)
		return config_fail(&o, "expected a list of targets, got %s",
		                   config_node_kind(node));
	for (item = node->data.sequence.items.start; item < node->data.sequence.items.top; item++) {
		yaml_node_t *n = yaml_document_get_node(&y->doc, *item);
		struct dbm_target *t;

		if (!n)
			continue;
		if ((r = config_yaml_spend(y, n)) < 0)
			return r;
		if (!(t = config_target_new(cfg, config_node_line(n))))
			return DBM_ERR_NOMEM;
		if (n->type == YAML_SCALAR_NODE && !config_node_is_null(n) &&
		    *(const char *)n->data.scalar.value) {
			if (config_set_text(&t->word, (const char *)n->data.scalar.value) < 0)
				return DBM_ERR_NOMEM;
		} else if (n->type == YAML_MAPPING_NODE) {
			if ((r = config_yaml_target_map(y, t, n)) < 0)
				return r;
		} else {
			o.line = config_node_line(n);
			return config_fail(&o,
			                   "expected a URL, a schema name or a mapping with name "
			                   "and url or schema, got %s",
			                   n->type == YAML_SCALAR_NODE ? "an empty value"
			                                               : config_node_kind(n));
		}
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
		if (y->depth++ == 0)
			y->merge_line = config_node_line(key);
		if (val->type == YAML_MAPPING_NODE) {
			if ((r = config_yaml_spend(y, val)) == 0)
				r = config_yaml_mapping(y, cfg, val, nested);
		} else if (val->type == YAML_SEQUENCE_NODE) {
			item = val->data.sequence.items.top;
			while (r == 0 && item > val->data.sequence.items.start) {
				yaml_node_t *m = yaml_document_get_node(&y->doc, *--item);

				if (!m || m->type != YAML_MAPPING_NODE) {
					o.line = m ? config_node_line(m) : o.line;
					r = config_fail(&o, "expected a mapping to merge, got %s",
					                m ? config_node_kind(m) : "nothing");
				} else if ((r = config_yaml_spend(y, val)) == 0) {
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
			return dbm_error_last()->klass;
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
		if (k->type == CONFIG_TARGETS) {
			if ((r = config_yaml_targets(y, cfg, val)) < 0)
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
			return dbm_error_last()->klass;
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
 * Checks on libyaml's event stream, before any document is built, that
 * mappings and lists nest no more than CONFIG_MAX_NESTING deep: building
 * the document of "[[[[..." a million deep costs memory and time for
 * nothing. A syntax error stops the check; loading reports it. Returns 0,
 * DBM_ERR_USAGE naming the file, the line and the limit, or DBM_ERR_NOMEM.
 */
static int config_yaml_check_nesting(struct config_yaml *y, const struct dbm_buf *text)
{
	yaml_parser_t parser;
	yaml_event_t ev;
	int depth = 0, r = 0, end = 0;

	if (!yaml_parser_initialize(&parser))
		return dbm_error_oom();
	yaml_parser_set_input_string(&parser, (const unsigned char *)dbm_buf_cstr(text), text->len);
	while (!end && r == 0) {
		if (!yaml_parser_parse(&parser, &ev)) {
			if (parser.error == YAML_MEMORY_ERROR)
				r = dbm_error_oom();
			break;
		}
		switch (ev.type) {
		case YAML_SEQUENCE_START_EVENT:
		case YAML_MAPPING_START_EVENT:
			if (++depth > CONFIG_MAX_NESTING) {
				r = dbm_error_set(DBM_ERR_USAGE,
				                  "mappings and lists nest more than %d deep",
				                  CONFIG_MAX_NESTING);
				dbm_error_set_where(y->file, (unsigned)ev.start_mark.line + 1);
			}
			break;
		case YAML_SEQUENCE_END_EVENT:
		case YAML_MAPPING_END_EVENT:
			depth--;
			break;
		case YAML_STREAM_END_EVENT:
			end = 1;
			break;
		default:
			break;
		}
		yaml_event_delete(&ev);
	}
	yaml_parser_delete(&parser);
	return r;
}

/*
 * Reads path (already opened as f) and applies it to cfg. Returns 0,
 * DBM_ERR_USAGE (unreadable file such as a folder, broken YAML, top level
 * not a mapping, unknown key, bad value) or DBM_ERR_NOMEM.
 */
int config_read_file(struct config_yaml *y, struct dbm_config *cfg, FILE *f)
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
		if (text.len > CONFIG_MAX_FILE_BYTES) {
			unsigned line = 1;
			size_t i;

			for (i = 0; i < CONFIG_MAX_FILE_BYTES; i++)
				line += text.ptr[i] == '\n';
			r = dbm_error_set(DBM_ERR_USAGE, "config file is larger than %d bytes",
			                  CONFIG_MAX_FILE_BYTES);
			dbm_error_set_where(y->file, line);
			dbm_error_set_hint(
			    "A config file holds settings only; keep it under 1 MiB.");
			goto done;
		}
	}
	if (ferror(f)) {
		r = dbm_error_set(DBM_ERR_USAGE, "cannot read config file '%s': %s", y->file,
		                  strerror(errno));
		goto done;
	}
	if ((r = config_yaml_check_nesting(y, &text)) < 0)
		goto done;
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
	y->checked = dbm_calloc((size_t)(y->doc.nodes.top - y->doc.nodes.start) / 8 + 1, 1);
	if (!y->checked) {
		r = dbm_error_oom();
		goto done;
	}
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
	dbm_free(y->checked);
	y->checked = NULL;
	if (doc_loaded)
		yaml_document_delete(&y->doc);
	if (parser_ready)
		yaml_parser_delete(&parser);
	dbm_buf_free(&text);
	return r;
}
