/*
 * kvfile.h - the two formats Flyway keeps its settings in, read into one
 * flat list of "dotted.key = value" entries with the line each came from.
 *
 *   dbm_props_parse()  Java properties (flyway.conf): key=value, key: value,
 *                      key value, '#'/'!' comments, '\' line continuation,
 *                      \uXXXX and '\' escapes, as java.util.Properties.load
 *   dbm_toml_parse()   the part of TOML that flyway.toml uses: [tables],
 *                      dotted and quoted keys, basic and literal strings,
 *                      integers, booleans, arrays of strings, comments
 *
 * Both are pure: text in, entries out; the configuration loader
 * (config_flyway.c) decides what the keys mean. Errors name the file and
 * the line (dbm_error_set_where) and say what to write instead.
 */
#ifndef DBM_KVFILE_H
#define DBM_KVFILE_H

#include <stddef.h>

enum dbm_kv_type {
	DBM_KV_TEXT = 0, /* a properties value or a TOML string */
	DBM_KV_INT = 1,  /* TOML integer, value holds its decimal digits */
	DBM_KV_BOOL = 2, /* TOML boolean, value "true" or "false" */
	DBM_KV_ARRAY = 3 /* TOML array of strings, value holds them joined with ',' */
};

struct dbm_kv {
	char *key;   /* the full dotted key: "flyway.url", "environments.dev.url" */
	char *value; /* never NULL */
	unsigned line;
	enum dbm_kv_type type;
};

struct dbm_kvlist {
	struct dbm_kv *items; /* in file order */
	size_t n, cap;
};

#define DBM_KVLIST_INIT                                                                            \
	{                                                                                          \
		NULL, 0, 0                                                                         \
	}

/*
 * Parses text[0..len) as a Java properties file named file (for messages).
 * A key given twice is kept twice: the later entry wins, as in Java.
 * Returns 0; DBM_ERR_USAGE with file and line for a malformed \u escape or
 * a lone UTF-16 surrogate; DBM_ERR_NOMEM. On error *out is freed.
 */
int dbm_props_parse(const char *text, size_t len, const char *file, struct dbm_kvlist *out);

/*
 * Parses text[0..len) as TOML (the subset above) named file. Returns 0;
 * DBM_ERR_USAGE with file and line for anything outside the subset (the
 * message names the construct), a key or table defined twice, a bad escape,
 * an unterminated string or array; DBM_ERR_NOMEM. On error *out is freed.
 */
int dbm_toml_parse(const char *text, size_t len, const char *file, struct dbm_kvlist *out);

/* Appends a copy of key/value. Returns 0 or DBM_ERR_NOMEM. */
int dbm_kvlist_add(struct dbm_kvlist *l, const char *key, const char *value, unsigned line,
                   enum dbm_kv_type type);
/* The last entry with this key, or NULL. */
const struct dbm_kv *dbm_kvlist_get(const struct dbm_kvlist *l, const char *key);
void dbm_kvlist_free(struct dbm_kvlist *l);

#endif /* DBM_KVFILE_H */
