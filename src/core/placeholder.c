/*
 * placeholder.c - ${name} replacement in migration text (placeholder.h).
 *
 * The set is a small array searched linearly: a project has a handful of
 * placeholders. Replacement works on one line at a time. "${" followed by a
 * name and "}" on the same line is a placeholder; a name is one or more of
 * letters, digits and "_ . : -". Any other "$" or "${" is kept as written
 * (dollar-quoted strings, "${ x }", a lone "${"), so only text that looks
 * exactly like a placeholder can fail. The caller (configuration) sets the
 * built-ins under both the "dbmigrate:" and "flyway:" prefixes; source.c
 * applies the set to each line of a migration.
 */
#include <string.h>

#include "dbmigrate/placeholder.h"

/* Returns 0 or DBM_ERR_NOMEM; on failure the set is unchanged. */
int dbm_placeholders_set(struct dbm_placeholders *p, const char *key, const char *value)
{
	struct dbm_placeholder *items;
	char *k = NULL, *v;
	size_t i;

	v = dbm_strdup(value ? value : "");
	if (!v)
		return dbm_error_oom();
	for (i = 0; i < p->n; i++) {
		if (strcmp(p->items[i].key, key) == 0) {
			dbm_free(p->items[i].value);
			p->items[i].value = v;
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
	p->items[p->n].key = k;
	p->items[p->n].value = v;
	p->n++;
	return 0;
nomem:
	dbm_free(k);
	dbm_free(v);
	return dbm_error_oom();
}

const char *dbm_placeholders_get(const struct dbm_placeholders *p, const char *key)
{
	size_t i;

	for (i = 0; i < p->n; i++)
		if (strcmp(p->items[i].key, key) == 0)
			return p->items[i].value;
	return NULL;
}

/* The value for key[0..len), or NULL. */
static const char *placeholder_lookup(const struct dbm_placeholders *p, const char *key, size_t len)
{
	size_t i;

	for (i = 0; i < p->n; i++)
		if (strncmp(p->items[i].key, key, len) == 0 && p->items[i].key[len] == '\0')
			return p->items[i].value;
	return NULL;
}

void dbm_placeholders_free(struct dbm_placeholders *p)
{
	size_t i;

	for (i = 0; i < p->n; i++) {
		dbm_free(p->items[i].key);
		dbm_free(p->items[i].value);
	}
	dbm_free(p->items);
	p->items = NULL;
	p->n = p->cap = 0;
}

static int placeholder_name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '_' || c == '.' || c == ':' || c == '-';
}

/*
 * Length of the name of a placeholder whose "${" is at s[0] (so the whole
 * placeholder is s[0..len+3)), or 0 when s[0..n) does not start one.
 */
static size_t placeholder_name_len(const char *s, size_t n)
{
	size_t i = 2;

	if (n < 4 || s[0] != '$' || s[1] != '{')
		return 0;
	while (i < n && placeholder_name_char(s[i]))
		i++;
	if (i == 2 || i == n || s[i] != '}')
		return 0;
	return i - 2;
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

/* Returns 0, DBM_ERR_NOMEM, or DBM_ERR_USAGE for a placeholder with no value. */
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
