/*
 * placeholder.c - ${name} replacement in migration text (placeholder.h).
 *
 * The set is an array in the order the values were set, with a hash index
 * over it, so that a project with very many placeholders still loads in
 * linear time. Replacement works on one line at a time. "${" followed by a
 * name and "}" on the same line is a placeholder; a name is one to
 * DBM_PLACEHOLDER_NAME_MAX of letters, digits and "_ . : -", and a longer
 * one is an error. Any other "$" or "${" is kept as written
 * (dollar-quoted strings, "${ x }", a lone "${"), so only text that looks
 * exactly like a placeholder can fail. The caller (configuration) sets the
 * built-ins under both the "dbmigrate:" and "flyway:" prefixes; source.c
 * applies the set to each line of a migration.
 */
#include <string.h>

#include "dbmigrate/placeholder.h"

/* FNV-1a of key[0..len). */
static size_t placeholder_hash(const char *key, size_t len)
{
	size_t h = (size_t)14695981039346656037ULL, i;

	for (i = 0; i < len; i++) {
		h ^= (unsigned char)key[i];
		h *= (size_t)1099511628211ULL;
	}
	return h;
}

/*
 * The slot of key[0..len) in the index: the one holding it, or the free
 * one where it would go. nslots must be non-zero.
 */
static size_t placeholder_slot(const struct dbm_placeholders *p, const char *key, size_t len)
{
	size_t mask = p->nslots - 1, i = placeholder_hash(key, len) & mask;

	while (p->slots[i]) {
		const char *k = p->items[p->slots[i] - 1].key;

		if (strncmp(k, key, len) == 0 && k[len] == '\0')
			break;
		i = (i + 1) & mask;
	}
	return i;
}

/* Makes room in the index for one more key. 0 or DBM_ERR_NOMEM (index unchanged). */
static int placeholder_grow_index(struct dbm_placeholders *p)
{
	size_t *old = p->slots, nold = p->nslots, n = nold ? nold * 2 : 16, i;

	if (p->n + 1 <= nold / 2)
		return 0;
	p->slots = dbm_calloc(n, sizeof(*p->slots));
	if (!p->slots) {
		p->slots = old;
		return dbm_error_oom();
	}
	p->nslots = n;
	for (i = 0; i < p->n; i++) {
		const char *k = p->items[i].key;

		p->slots[placeholder_slot(p, k, strlen(k))] = i + 1;
	}
	dbm_free(old);
	return 0;
}

/* Returns 0 or DBM_ERR_NOMEM; on failure the set is unchanged. */
int dbm_placeholders_set(struct dbm_placeholders *p, const char *key, const char *value)
{
	struct dbm_placeholder *items;
	char *k = NULL, *v;
	size_t slot, klen = strlen(key);

	v = dbm_strdup(value ? value : "");
	if (!v)
		return dbm_error_oom();
	if (p->nslots) {
		slot = placeholder_slot(p, key, klen);
		if (p->slots[slot]) {
			dbm_free(p->items[p->slots[slot] - 1].value);
			p->items[p->slots[slot] - 1].value = v;
			return 0;
		}
	}
	k = dbm_strdup(key);
	if (!k)
		goto nomem;
	if (p->n == p->cap) {
		size_t cap = p->cap ? p->cap * 2 : 8;

		items = dbm_realloc(p->items, cap * sizeof(*items));
		if (!items)
			goto nomem;
		p->items = items;
		p->cap = cap;
	}
	if (placeholder_grow_index(p) < 0)
		goto nomem;
	p->items[p->n].key = k;
	p->items[p->n].value = v;
	p->slots[placeholder_slot(p, key, klen)] = p->n + 1;
	p->n++;
	return 0;
nomem:
	dbm_free(k);
	dbm_free(v);
	return dbm_error_oom();
}

/* The value for key[0..len), or NULL. */
static const char *placeholder_lookup(const struct dbm_placeholders *p, const char *key, size_t len)
{
	size_t slot;

	if (!p->nslots)
		return NULL;
	slot = placeholder_slot(p, key, len);
	return p->slots[slot] ? p->items[p->slots[slot] - 1].value : NULL;
}

const char *dbm_placeholders_get(const struct dbm_placeholders *p, const char *key)
{
	return placeholder_lookup(p, key, strlen(key));
}

void dbm_placeholders_free(struct dbm_placeholders *p)
{
	size_t i;

	for (i = 0; i < p->n; i++) {
		dbm_free(p->items[i].key);
		dbm_free(p->items[i].value);
	}
	dbm_free(p->items);
	dbm_free(p->slots);
	p->items = NULL;
	p->slots = NULL;
	p->n = p->cap = p->nslots = 0;
}

static int placeholder_name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '_' || c == '.' || c == ':' || c == '-';
}

/*
 * Length of the name of a placeholder whose "${" is at s[0] (so the whole
 * placeholder is s[0..len+3)), 0 when s[0..n) does not start one, or
 * (size_t)-1 when "${" is followed by more than DBM_PLACEHOLDER_NAME_MAX
 * name characters. Looks at no more than DBM_PLACEHOLDER_NAME_MAX + 3 bytes.
 */
static size_t placeholder_name_len(const char *s, size_t n)
{
	size_t i = 2;

	if (n < 3 || s[0] != '$' || s[1] != '{')
		return 0;
	while (i < n && placeholder_name_char(s[i])) {
		if (i - 2 == DBM_PLACEHOLDER_NAME_MAX)
			return (size_t)-1;
		i++;
	}
	if (i == 2 || i == n || s[i] != '}')
		return 0;
	return i - 2;
}

/* Sets the "name too long" error for the name at key; returns DBM_ERR_USAGE. */
static int placeholder_too_long(const char *key)
{
	int r = dbm_error_set(DBM_ERR_USAGE,
	                      "placeholder name \"${%.32s...\" is longer than %d characters", key,
	                      DBM_PLACEHOLDER_NAME_MAX);

	dbm_error_set_hint("Use a shorter placeholder name, or break the run of letters, "
	                   "digits and \"_ . : -\" after \"${\" if it is not meant as one.");
	return r;
}

/* Sets the "has no value" error for key[0..len); returns DBM_ERR_USAGE. */
static int placeholder_missing(const char *key, size_t len)
{
	char env[256];
	size_t i, n = len < sizeof(env) - 1 ? len : sizeof(env) - 1;
	int r;

	for (i = 0; i < n; i++)
		env[i] = key[i] >= 'a' && key[i] <= 'z' ? (char)(key[i] - 'a' + 'A') : key[i];
	env[n] = '\0';
	r = dbm_error_set(DBM_ERR_USAGE, "placeholder ${%.*s} has no value", (int)len, key);
	dbm_error_set_hint("Set it with --placeholder %.*s=VALUE, DBMIGRATE_PLACEHOLDER_%s or "
	                   "placeholders: in dbmigrate.yml.",
	                   (int)len, key, env);
	return r;
}

/*
 * Returns 0, DBM_ERR_NOMEM, or DBM_ERR_USAGE for a placeholder with no
 * value or a name that is too long.
 */
int dbm_placeholders_apply(const struct dbm_placeholders *p, const char *line, size_t len,
                           struct dbm_buf *out)
{
	size_t i = 0, done = 0;

	while (i < len) {
		const char *d = memchr(line + i, '$', len - i);
		const char *value;
		size_t klen;

		if (!d)
			break;
		i = (size_t)(d - line);
		klen = placeholder_name_len(d, len - i);
		if (klen == (size_t)-1)
			return placeholder_too_long(d + 2);
		if (klen == 0) {
			i++;
			continue;
		}
		value = placeholder_lookup(p, d + 2, klen);
		if (!value)
			return placeholder_missing(d + 2, klen);
		if (dbm_buf_add(out, line + done, i - done) < 0 || dbm_buf_adds(out, value) < 0)
			return DBM_ERR_NOMEM;
		i += klen + 3;
		done = i;
	}
	return dbm_buf_add(out, line + done, len - done);
}
