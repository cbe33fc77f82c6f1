/*
 * placeholder.h - ${name} replacement in migration text.
 *
 * Values come from configuration (placeholders:), DBMIGRATE_PLACEHOLDER_<NAME>
 * and --placeholder KEY=VALUE. Built-ins, under both the "dbmigrate:" and
 * Flyway's "flyway:" prefix: defaultSchema, user, database, timestamp,
 * filename, table. Names are case-sensitive. An unknown ${x} is an error.
 */
#ifndef DBM_PLACEHOLDER_H
#define DBM_PLACEHOLDER_H

#include <stddef.h>

#include "dbmigrate/common.h"

struct dbm_placeholder {
	char *key;
	char *value;
};

/*
 * The longest placeholder name: "${" followed by more name characters than
 * this is an error, whether or not a "}" follows, so that neither the
 * lookup nor a buffered line grows with a hostile file.
 */
#define DBM_PLACEHOLDER_NAME_MAX 256

/* items in the order set; slots is a hash index over them (0: free, else index + 1). */
struct dbm_placeholders {
	struct dbm_placeholder *items;
	size_t n, cap;
	size_t *slots;
	size_t nslots; /* 0 or a power of two, more than twice n */
};

#define DBM_PLACEHOLDERS_INIT                                                                      \
	{                                                                                          \
		NULL, 0, 0, NULL, 0                                                                \
	}

/* Adds or replaces key (copies both), in constant time on average. 0 or DBM_ERR_NOMEM. */
int dbm_placeholders_set(struct dbm_placeholders *p, const char *key, const char *value);
/* The value for key, or NULL. */
const char *dbm_placeholders_get(const struct dbm_placeholders *p, const char *key);
void dbm_placeholders_free(struct dbm_placeholders *p);

/*
 * Appends line[0..len) to out with every ${key} replaced. A line here is
 * any span that does not split a "${...}" (callers pass whole lines).
 * A value is inserted as it is: a "${x}" inside a value is not replaced
 * again. Returns 0, DBM_ERR_NOMEM, or DBM_ERR_USAGE when a ${key} has no
 * value (the message is "placeholder ${key} has no value", the hint names
 * the three ways to give one) or when "${" is followed by more than
 * DBM_PLACEHOLDER_NAME_MAX name characters; the caller adds file and line.
 */
int dbm_placeholders_apply(const struct dbm_placeholders *p, const char *line, size_t len,
                           struct dbm_buf *out);

#endif /* DBM_PLACEHOLDER_H */
