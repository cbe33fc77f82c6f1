/*
 * schema.c - the schema model behind dump and diff (schema.h): objects
 * added by a driver's dump, put in load order, rendered as canonical SQL,
 * and compared object by object, tables down to the column. Pure: no I/O.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "dbmigrate/schema.h"

static char *schema_dup(const char *s)
{
	return s ? dbm_strdup(s) : NULL;
}

struct dbm_schema_obj *dbm_schema_add(struct dbm_schema *s, enum dbm_schema_kind kind,
                                      const char *label, const char *name, const char *table,
                                      const char *def)
{
	struct dbm_schema_obj *o;

	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 64;
		void *p = dbm_realloc(s->objs, cap * sizeof(*s->objs));

		if (!p) {
			dbm_error_oom();
			return NULL;
		}
		s->objs = p;
		s->cap = cap;
	}
	o = &s->objs[s->n];
	memset(o, 0, sizeof(*o));
	o->kind = kind;
	o->label = dbm_strdup(label);
	o->name = dbm_strdup(name);
	o->table = schema_dup(table);
	o->def = dbm_strdup(def);
	s->n++;
	if (!o->label || !o->name || !o->def || (table && !o->table)) {
		dbm_error_oom();
		return NULL;
	}
	return o;
}

struct dbm_schema_obj *dbm_schema_find(const struct dbm_schema *s, enum dbm_schema_kind kind,
                                       const char *name)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		if (s->objs[i].kind == kind && strcmp(s->objs[i].name, name) == 0)
			return &s->objs[i];
	return NULL;
}

int dbm_schema_add_part(struct dbm_schema_obj *o, enum dbm_schema_part_kind kind, const char *name,
                        const char *def, const char *dflt, const char *extra, int notnull)
{
	struct dbm_schema_part *p;
	void *np = dbm_realloc(o->parts, (o->nparts + 1) * sizeof(*o->parts));

	if (!np)
		return dbm_error_oom();
	o->parts = np;
	p = &o->parts[o->nparts++];
	memset(p, 0, sizeof(*p));
	p->kind = kind;
	p->notnull = notnull;
	p->name = dbm_strdup(name);
	p->def = dbm_strdup(def ? def : "");
	p->dflt = schema_dup(dflt);
	p->extra = schema_dup(extra && *extra ? extra : NULL);
	if (!p->name || !p->def || (dflt && !p->dflt) || (extra && *extra && !p->extra))
		return dbm_error_oom();
	return 0;
}

int dbm_schema_add_dep(struct dbm_schema_obj *o, const char *dep)
{
	size_t i;
	void *np;

	for (i = 0; i < o->ndeps; i++)
		if (strcmp(o->deps[i], dep) == 0)
			return 0;
	np = dbm_realloc(o->deps, (o->ndeps + 1) * sizeof(*o->deps));
	if (!np)
		return dbm_error_oom();
	o->deps = np;
	o->deps[o->ndeps] = dbm_strdup(dep);
	if (!o->deps[o->ndeps])
		return dbm_error_oom();
	o->ndeps++;
	return 0;
}

static int schema_ident_char(unsigned char c)
{
	return isalnum(c) || c == '_' || c == '$' || c >= 0x80;
}

/* 1 when name occurs in text as a whole identifier, ignoring ASCII case. */
static int schema_mentions(const char *text, const char *name)
{
	size_t len = strlen(name);
	const char *p;

	if (!len)
		return 0;
	for (p = text; *p; p++) {
		if (strncasecmp(p, name, len) != 0)
			continue;
		if (p > text && schema_ident_char((unsigned char)p[-1]))
			continue;
		if (schema_ident_char((unsigned char)p[len]))
			continue;
		return 1;
	}
	return 0;
}

int dbm_schema_scan_deps(struct dbm_schema *s, struct dbm_schema_obj *o)
{
	size_t i;

	for (i = 0; i < s->n; i++) {
		const struct dbm_schema_obj *x = &s->objs[i];

		if (x == o || x->kind != o->kind || !schema_mentions(o->def, x->name))
			continue;
		if (dbm_schema_add_dep(o, x->name) < 0)
			return DBM_ERR_NOMEM;
	}
	return 0;
}

int dbm_schema_set_header(struct dbm_schema *s, const char *header)
{
	dbm_free(s->header);
	s->header = dbm_strdup(header);
	return s->header ? 0 : dbm_error_oom();
}

static int schema_cmp(const void *a, const void *b)
{
	const struct dbm_schema_obj *x = a, *y = b;

	if (x->kind != y->kind)
		return x->kind < y->kind ? -1 : 1;
	return strcmp(x->name, y->name);
}

/* The index in objs[from, to) (sorted by name) of the object named name, or (size_t)-1. */
static size_t schema_lookup(const struct dbm_schema_obj *objs, size_t from, size_t to,
                            const char *name)
{
	while (from < to) {
		size_t mid = from + (to - from) / 2;
		int c = strcmp(objs[mid].name, name);

		if (c == 0)
			return mid;
		if (c < 0)
			from = mid + 1;
		else
			to = mid;
	}
	return (size_t)-1;
}

/* The first dependency of objs[i] in [from, to) not placed yet, as an offset from from; or -1. */
static size_t schema_next_dep(const struct dbm_schema_obj *objs, size_t from, size_t to,
                              const unsigned char *placed, size_t i)
{
	size_t d;

	for (d = 0; d < objs[from + i].ndeps; d++) {
		size_t j = schema_lookup(objs, from, to, objs[from + i].deps[d]);

		if (j != (size_t)-1 && j != from + i && !placed[j - from])
			return j - from;
	}
	return (size_t)-1;
}

/*
 * When every object left waits for another, some wait in a circle: follows
 * the dependencies from the smallest name left until one comes back, and
 * returns the smallest name of that circle (an offset from from). seen[]
 * is scratch of to - from entries.
 */
static size_t schema_cycle_pick(const struct dbm_schema_obj *objs, size_t from, size_t to,
                                const unsigned char *placed, size_t *seen)
{
	size_t n = to - from, i, step = 1, best;

	for (i = 0; i < n; i++)
		seen[i] = 0;
	for (i = 0; i < n && placed[i]; i++)
		;
	while (i != (size_t)-1 && !seen[i]) {
		seen[i] = step++;
		i = schema_next_dep(objs, from, to, placed, i);
	}
	if (i == (size_t)-1) { /* cannot happen when all wait; take the smallest left */
		for (i = 0; i < n && placed[i]; i++)
			;
		return i;
	}
	/* i is on the circle: walk it once for its smallest member */
	best = i;
	for (size_t j = schema_next_dep(objs, from, to, placed, i); j != i && j != (size_t)-1;
	     j = schema_next_dep(objs, from, to, placed, j))
		if (j < best)
			best = j;
	return best;
}

/*
 * Orders objs[from, to) (one kind, sorted by name) into out: repeatedly
 * the smallest name whose dependencies are placed, or when a cycle leaves
 * none, the smallest name on that cycle. waiting[] counts each object's unplaced
 * dependencies. Returns 0 or DBM_ERR_NOMEM.
 */
static int schema_sort_kind(struct dbm_schema_obj *objs, size_t from, size_t to,
                            struct dbm_schema_obj *out, size_t *k)
{
	size_t n = to - from, i, d, placed_n = 0;
	size_t *waiting = dbm_calloc(n ? n : 1, sizeof(*waiting));
	size_t *seen = dbm_calloc(n ? n : 1, sizeof(*seen));
	unsigned char *placed = dbm_calloc(n ? n : 1, 1);
	int r = 0;

	if (!waiting || !placed || !seen) {
		r = dbm_error_oom();
		goto done;
	}
	for (i = 0; i < n; i++)
		for (d = 0; d < objs[from + i].ndeps; d++) {
			size_t j = schema_lookup(objs, from, to, objs[from + i].deps[d]);

			if (j != (size_t)-1 && j != from + i)
				waiting[i]++;
		}
	while (placed_n < n) {
		size_t pick = (size_t)-1;

		for (i = 0; i < n && pick == (size_t)-1; i++)
			if (!placed[i] && waiting[i] == 0)
				pick = i;
		if (pick == (size_t)-1)
			pick = schema_cycle_pick(objs, from, to, placed, seen);
		placed[pick] = 1;
		placed_n++;
		out[(*k)++] = objs[from + pick];
		/* whoever waited for it waits for one less */
		for (i = 0; i < n; i++) {
			if (placed[i] || !objs[from + i].ndeps)
				continue;
			for (d = 0; d < objs[from + i].ndeps; d++)
				if (strcmp(objs[from + i].deps[d], objs[from + pick].name) == 0 &&
				    waiting[i] > 0)
					waiting[i]--;
		}
	}
done:
	dbm_free(waiting);
	dbm_free(seen);
	dbm_free(placed);
	return r;
}

int dbm_schema_sort(struct dbm_schema *s)
{
	struct dbm_schema_obj *out = NULL;
	size_t from, to, k = 0;
	int r = 0;

	if (s->n < 2)
		return 0;
	qsort(s->objs, s->n, sizeof(*s->objs), schema_cmp);
	out = dbm_malloc(s->n * sizeof(*out));
	if (!out)
		return dbm_error_oom();
	for (from = 0; from < s->n && r == 0; from = to) {
		for (to = from; to < s->n && s->objs[to].kind == s->objs[from].kind; to++)
			;
		r = schema_sort_kind(s->objs, from, to, out, &k);
	}
	if (r == 0)
		memcpy(s->objs, out, s->n * sizeof(*out));
	dbm_free(out);
	return r;
}

int dbm_schema_render(const struct dbm_schema *s, struct dbm_buf *out)
{
	size_t i;
	int r = 0;

	if (s->header)
		r = dbm_buf_addf(out, "%s\n", s->header);
	for (i = 0; i < s->n && r == 0; i++)
		r = dbm_buf_addf(out, "%s\n\n", s->objs[i].def);
	return r;
}

int dbm_schema_digest(const struct dbm_schema *s, char out[65])
{
	struct dbm_sha256 c;
	size_t i;

	/* the bytes of dbm_schema_render: "%s\n" for the header, "%s\n\n" for each object */
	dbm_sha256_init(&c);
	if (s->header) {
		dbm_sha256_update(&c, s->header, strlen(s->header));
		dbm_sha256_update(&c, "\n", 1);
	}
	for (i = 0; i < s->n; i++) {
		dbm_sha256_update(&c, s->objs[i].def, strlen(s->objs[i].def));
		dbm_sha256_update(&c, "\n\n", 2);
	}
	dbm_sha256_final_hex(&c, out);
	return 0;
}

static void schema_obj_free(struct dbm_schema_obj *o)
{
	size_t i;

	for (i = 0; i < o->nparts; i++) {
		dbm_free(o->parts[i].name);
		dbm_free(o->parts[i].def);
		dbm_free(o->parts[i].dflt);
		dbm_free(o->parts[i].extra);
	}
	for (i = 0; i < o->ndeps; i++)
		dbm_free(o->deps[i]);
	dbm_free(o->deps);
	dbm_free(o->parts);
	dbm_free(o->label);
	dbm_free(o->name);
	dbm_free(o->table);
	dbm_free(o->def);
}

void dbm_schema_free(struct dbm_schema *s)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		schema_obj_free(&s->objs[i]);
	dbm_free(s->objs);
	dbm_free(s->header);
	memset(s, 0, sizeof(*s));
}

/* --- diff ------------------------------------------------------------------ */

static int schema_diff_add(struct dbm_schema_diff *d, enum dbm_schema_change change,
                           const char *label, const char *name1, const char *name2,
                           const char *what, const struct dbm_buf *text)
{
	struct dbm_schema_diff_item *it;
	struct dbm_buf name = DBM_BUF_INIT;

	if (d->n == d->cap) {
		size_t cap = d->cap ? d->cap * 2 : 16;
		void *p = dbm_realloc(d->items, cap * sizeof(*d->items));

		if (!p)
			return dbm_error_oom();
		d->items = p;
		d->cap = cap;
	}
	if (dbm_buf_adds(&name, name1) < 0 || (name2 && dbm_buf_addf(&name, ".%s", name2) < 0))
		return DBM_ERR_NOMEM;
	it = &d->items[d->n++];
	memset(it, 0, sizeof(*it));
	it->change = change;
	it->label = label;
	it->name = dbm_buf_detach(&name);
	it->what = schema_dup(what);
	it->text = text && text->len ? dbm_strdup(text->ptr) : NULL;
	if (!it->name || (what && !it->what) || (text && text->len && !it->text))
		return dbm_error_oom();
	return 0;
}

static const char *schema_part_label(enum dbm_schema_part_kind k)
{
	return k == DBM_PART_COLUMN ? "column" : k == DBM_PART_INDEX ? "index" : "constraint";
}

static const struct dbm_schema_part *
schema_find_part(const struct dbm_schema_obj *o, enum dbm_schema_part_kind kind, const char *name)
{
	size_t i;

	for (i = 0; i < o->nparts; i++)
		if (o->parts[i].kind == kind && strcmp(o->parts[i].name, name) == 0)
			return &o->parts[i];
	return NULL;
}

static int schema_streq(const char *a, const char *b)
{
	if (!a || !b)
		return a == b;
	return strcmp(a, b) == 0;
}

/* Adds "<field> a -> b" to what (", " between fields) when a and b differ. */
static int schema_field(struct dbm_buf *what, const char *field, const char *a, const char *b)
{
	if (schema_streq(a, b))
		return 0;
	return dbm_buf_addf(what, "%s%s %s \xe2\x86\x92 %s", what->len ? ", " : "", field,
	                    a ? a : "none", b ? b : "none");
}

/*
 * 1 when the len bytes at line are one whole line of text, a trailing
 * comma aside on both (a column added after it gives the line one).
 */
static int schema_has_line(const char *text, const char *line, size_t len)
{
	const char *p = text, *e;
	size_t n;

	if (len && line[len - 1] == ',')
		len--;
	for (;;) {
		e = strchr(p, '\n');
		n = e ? (size_t)(e - p) : strlen(p);
		if (n && p[n - 1] == ',')
			n--;
		if (n == len && memcmp(p, line, len) == 0)
			return 1;
		if (!e)
			return 0;
		p = e + 1;
	}
}

/* 1 when the len bytes at line, their closing ");," and blanks aside, begin a line of text. */
static int schema_begins_line(const char *text, const char *line, size_t len)
{
	const char *p = text, *e;

	while (len && strchr(");, \t", line[len - 1]))
		len--;
	if (!len)
		return 0;
	for (;;) {
		e = strchr(p, '\n');
		if ((e ? (size_t)(e - p) : strlen(p)) > len && memcmp(p, line, len) == 0)
			return 1;
		if (!e)
			return 0;
		p = e + 1;
	}
}

/*
 * 1 when text mentions a word of name (each run of identifier characters):
 * SQLite's foreign key "FOREIGN KEY (owner_id)" is in its column's line.
 */
static int schema_mentions_word(const char *text, const char *name)
{
	char word[256];
	size_t len;

	while (*name) {
		for (len = 0; name[len] && schema_ident_char((unsigned char)name[len]); len++)
			;
		if (len && len < sizeof(word)) {
			memcpy(word, name, len);
			word[len] = '\0';
			if (schema_mentions(text, word))
				return 1;
		}
		name += len ? len : 1;
	}
	return 0;
}

/*
 * 1 when a line of x that y lacks mentions none of the n names, and is no
 * line that y continues (a column SQLite added at the end of the last
 * line): a change of the table that its differing parts do not explain
 * (options, partitioning, a constraint that is no part). Out of memory
 * counts as 1.
 */
static int schema_residual(const char *x, const char *y, const char *const *names, size_t n)
{
	struct dbm_buf line = DBM_BUF_INIT;
	const char *p = x, *e;
	int found = 0;
	size_t len, k;

	while (!found && *p) {
		e = strchr(p, '\n');
		len = e ? (size_t)(e - p) : strlen(p);
		if (!schema_has_line(y, p, len) && !schema_begins_line(y, p, len)) {
			dbm_buf_clear(&line);
			found = 1;
			if (dbm_buf_add(&line, p, len) == 0 && dbm_buf_addc(&line, '\0') == 0)
				for (k = 0; k < n && found; k++)
					found = !schema_mentions_word(line.ptr, names[k]);
		}
		p = e ? e + 1 : p + len;
	}
	dbm_buf_free(&line);
	return found;
}

/*
 * in without double quotes and with each line's blanks squeezed to single
 * spaces, into out: SQLite keeps a table renamed over another as
 * CREATE TABLE "name" with the text as written. 0 or DBM_ERR_NOMEM.
 */
static int schema_squeeze(const char *in, struct dbm_buf *out)
{
	int r = 0, blank = 0, start = 1;

	for (; *in && r == 0; in++) {
		if (*in == '"')
			continue;
		if (*in == ' ' || *in == '\t') {
			blank = !start;
			continue;
		}
		if (*in != '\n' && blank)
			r = dbm_buf_addc(out, ' ');
		blank = 0;
		start = *in == '\n';
		if (r == 0)
			r = dbm_buf_addc(out, *in);
	}
	return r ? r : dbm_buf_addc(out, '\0');
}

/* schema_residual both ways, on the texts squeezed. */
static int schema_residual_both(const char *a, const char *b, const char *const *names, size_t n)
{
	struct dbm_buf x = DBM_BUF_INIT, y = DBM_BUF_INIT;
	int found = 1;

	if (schema_squeeze(a, &x) == 0 && schema_squeeze(b, &y) == 0)
		found = schema_residual(x.ptr, y.ptr, names, n) ||
		        schema_residual(y.ptr, x.ptr, names, n);
	dbm_buf_free(&x);
	dbm_buf_free(&y);
	return found;
}

/*
 * Compares the parts of two tables of the same name, then the rest of
 * their definitions: a change no differing part explains is shown as the
 * table's text diff too.
 */
static int schema_diff_parts(const struct dbm_schema_obj *a, const struct dbm_schema_obj *b,
                             struct dbm_schema_diff *d)
{
	struct dbm_buf what = DBM_BUF_INIT, text = DBM_BUF_INIT;
	const char **names = dbm_malloc((a->nparts + b->nparts + 1) * sizeof(*names));
	size_t i, nnames = 0;
	int r = 0;

	if (!names)
		return dbm_error_oom();

	for (i = 0; i < b->nparts && r == 0; i++) {
		const struct dbm_schema_part *q = &b->parts[i];
		const struct dbm_schema_part *p = schema_find_part(a, q->kind, q->name);

		dbm_buf_clear(&what);
		if (!p) {
			names[nnames++] = q->name;
			r = schema_diff_add(d, DBM_CHANGE_ADDED, schema_part_label(q->kind),
			                    b->name, q->name, NULL, NULL);
			continue;
		}
		if (q->kind == DBM_PART_COLUMN) {
			r = schema_field(&what, "type", p->def, q->def);
			if (r == 0)
				r = schema_field(&what, "default", p->dflt, q->dflt);
			if (r == 0)
				r = schema_field(&what, "nullability",
				                 p->notnull ? "NOT NULL" : "NULL",
				                 q->notnull ? "NOT NULL" : "NULL");
			if (r == 0)
				r = schema_field(&what, "attributes", p->extra, q->extra);
		} else {
			r = schema_field(&what, "definition", p->def, q->def);
		}
		if (r == 0 && what.len) {
			names[nnames++] = q->name;
			r = schema_diff_add(d, DBM_CHANGE_CHANGED, schema_part_label(q->kind),
			                    b->name, q->name, what.ptr, NULL);
		}
	}
	for (i = 0; i < a->nparts && r == 0; i++) {
		const struct dbm_schema_part *p = &a->parts[i];

		if (!schema_find_part(b, p->kind, p->name)) {
			names[nnames++] = p->name;
			r = schema_diff_add(d, DBM_CHANGE_REMOVED, schema_part_label(p->kind),
			                    a->name, p->name, NULL, NULL);
		}
	}
	/* the same parts, and still not the same table, or more changed than the parts: its
	 * options, its partitioning */
	if (r == 0 && strcmp(a->def, b->def) != 0 &&
	    (d->n == 0 || schema_residual_both(a->def, b->def, names, nnames))) {
		r = dbm_schema_text_diff(a->def, b->def, &text);
		if (r == 0)
			r = schema_diff_add(d, DBM_CHANGE_CHANGED, b->label, b->name, NULL,
			                    "definition", &text);
	}
	dbm_buf_free(&what);
	dbm_buf_free(&text);
	dbm_free(names);
	return r;
}

int dbm_schema_diff(const struct dbm_schema *from, const struct dbm_schema *to,
                    struct dbm_schema_diff *out)
{
	struct dbm_buf text = DBM_BUF_INIT;
	size_t i;
	int r = 0;

	for (i = 0; i < to->n && r == 0; i++) {
		const struct dbm_schema_obj *b = &to->objs[i];
		const struct dbm_schema_obj *a = dbm_schema_find(from, b->kind, b->name);

		if (!a) {
			r = schema_diff_add(out, DBM_CHANGE_ADDED, b->label, b->name, NULL, NULL,
			                    NULL);
		} else if (b->kind == DBM_SCHEMA_TABLE && (a->nparts || b->nparts)) {
			struct dbm_schema_diff sub = DBM_SCHEMA_DIFF_INIT;
			size_t j;

			r = schema_diff_parts(a, b, &sub);
			for (j = 0; j < sub.n && r == 0; j++) {
				if (out->n == out->cap) {
					size_t cap = out->cap ? out->cap * 2 : 16;
					void *p =
					    dbm_realloc(out->items, cap * sizeof(*out->items));

					if (!p) {
						r = dbm_error_oom();
						break;
					}
					out->items = p;
					out->cap = cap;
				}
				out->items[out->n++] = sub.items[j];
				memset(&sub.items[j], 0, sizeof(sub.items[j]));
			}
			dbm_schema_diff_free(&sub);
		} else if (strcmp(a->def, b->def) != 0) {
			dbm_buf_clear(&text);
			r = dbm_schema_text_diff(a->def, b->def, &text);
			if (r == 0)
				r = schema_diff_add(out, DBM_CHANGE_CHANGED, b->label, b->name,
				                    NULL, "definition", &text);
		}
	}
	for (i = 0; i < from->n && r == 0; i++) {
		const struct dbm_schema_obj *a = &from->objs[i];

		if (!dbm_schema_find(to, a->kind, a->name))
			r = schema_diff_add(out, DBM_CHANGE_REMOVED, a->label, a->name, NULL, NULL,
			                    NULL);
	}
	dbm_buf_free(&text);
	return r;
}

/* Splits text into lines (pointers into it, lengths without '\n'). 0 or DBM_ERR_NOMEM. */
static int schema_lines(const char *text, const char ***lines, size_t **lens, size_t *n)
{
	size_t cap = 1, k = 0;
	const char *p;

	for (p = text; *p; p++)
		cap += *p == '\n';
	*lines = dbm_malloc(cap * sizeof(**lines));
	*lens = dbm_malloc(cap * sizeof(**lens));
	if (!*lines || !*lens)
		return dbm_error_oom();
	for (p = text; *p || k == 0;) {
		const char *e = strchr(p, '\n');
		size_t len = e ? (size_t)(e - p) : strlen(p);

		(*lines)[k] = p;
		(*lens)[k++] = len;
		if (!e)
			break;
		p = e + 1;
		if (!*p)
			break;
	}
	*n = k;
	return 0;
}

#define SCHEMA_DIFF_MAX_LINES 4000
#define SCHEMA_DIFF_CONTEXT 2

int dbm_schema_text_diff(const char *a, const char *b, struct dbm_buf *out)
{
	const char **la = NULL, **lb = NULL;
	size_t *na = NULL, *nb = NULL, n = 0, m = 0, i, j, nops = 0, k;
	unsigned *lcs = NULL;
	char *ops = NULL; /* ' ', '-', '+' per line of the edit script */
	size_t *opline = NULL;
	int r;

	r = schema_lines(a, &la, &na, &n);
	if (r == 0)
		r = schema_lines(b, &lb, &nb, &m);
	if (r < 0)
		goto done;
	if (n > SCHEMA_DIFF_MAX_LINES || m > SCHEMA_DIFF_MAX_LINES) {
		r = dbm_buf_addf(out, "(%zu lines \xe2\x86\x92 %zu lines)\n", n, m);
		goto done;
	}
	lcs = dbm_calloc((n + 1) * (m + 1), sizeof(*lcs));
	ops = dbm_malloc(n + m + 1);
	opline = dbm_malloc((n + m + 1) * sizeof(*opline));
	if (!lcs || !ops || !opline) {
		r = dbm_error_oom();
		goto done;
	}
#define LCS(x, y) lcs[(x) * (m + 1) + (y)]
	for (i = n; i-- > 0;)
		for (j = m; j-- > 0;)
			LCS(i, j) =
			    na[i] == nb[j] && memcmp(la[i], lb[j], na[i]) == 0
			        ? LCS(i + 1, j + 1) + 1
			        : (LCS(i + 1, j) >= LCS(i, j + 1) ? LCS(i + 1, j) : LCS(i, j + 1));
	for (i = 0, j = 0; i < n || j < m;) {
		if (i < n && j < m && na[i] == nb[j] && memcmp(la[i], lb[j], na[i]) == 0) {
			ops[nops] = ' ';
			opline[nops++] = i;
			i++;
			j++;
		} else if (i < n && (j == m || LCS(i + 1, j) >= LCS(i, j + 1))) {
			ops[nops] = '-';
			opline[nops++] = i++;
		} else {
			ops[nops] = '+';
			opline[nops++] = j++;
		}
	}
#undef LCS
	{
		size_t last = (size_t)-1; /* the last op printed */

		for (k = 0; k < nops && r == 0; k++) {
			size_t lo = k >= SCHEMA_DIFF_CONTEXT ? k - SCHEMA_DIFF_CONTEXT : 0, t;
			int near = 0;

			for (t = lo; t < nops && t <= k + SCHEMA_DIFF_CONTEXT && !near; t++)
				near = ops[t] != ' ';
			if (!near)
				continue;
			if (last != (size_t)-1 && k != last + 1)
				r = dbm_buf_adds(out, "@@\n");
			last = k;
			if (r == 0 && ops[k] == '+')
				r = dbm_buf_addf(out, "+%.*s\n", (int)nb[opline[k]], lb[opline[k]]);
			else if (r == 0)
				r = dbm_buf_addf(out, "%c%.*s\n", ops[k], (int)na[opline[k]],
				                 la[opline[k]]);
		}
	}
done:
	dbm_free(la);
	dbm_free(lb);
	dbm_free(na);
	dbm_free(nb);
	dbm_free(lcs);
	dbm_free(ops);
	dbm_free(opline);
	return r;
}

void dbm_schema_diff_free(struct dbm_schema_diff *d)
{
	size_t i;

	for (i = 0; i < d->n; i++) {
		dbm_free(d->items[i].name);
		dbm_free(d->items[i].what);
		dbm_free(d->items[i].text);
	}
	dbm_free(d->items);
	memset(d, 0, sizeof(*d));
}

/* --- snapshot text --------------------------------------------------------- */

#define SCHEMA_MAGIC "dbmigrate-schema 1\n"

/* Appends s with '\\', tab, newline and carriage return escaped; NULL as \N. */
static int schema_esc(struct dbm_buf *out, const char *s)
{
	const char *p;

	if (!s)
		return dbm_buf_adds(out, "\\N");
	for (p = s; *p; p++) {
		const char *e = *p == '\\'   ? "\\\\"
		                : *p == '\t' ? "\\t"
		                : *p == '\n' ? "\\n"
		                : *p == '\r' ? "\\r"
		                             : NULL;
		int r = e ? dbm_buf_adds(out, e) : dbm_buf_addc(out, *p);

		if (r < 0)
			return r;
	}
	return 0;
}

int dbm_schema_serialize(const struct dbm_schema *s, struct dbm_buf *out)
{
	size_t i, j;
	int r = dbm_buf_adds(out, SCHEMA_MAGIC);

	if (r == 0 && s->header) {
		r = dbm_buf_adds(out, "H\t");
		if (r == 0)
			r = schema_esc(out, s->header);
		if (r == 0)
			r = dbm_buf_addc(out, '\n');
	}
	for (i = 0; i < s->n && r == 0; i++) {
		const struct dbm_schema_obj *o = &s->objs[i];

		r = dbm_buf_addf(out, "O\t%d\t", (int)o->kind);
		if (r == 0)
			r = schema_esc(out, o->label);
		if (r == 0)
			r = dbm_buf_addc(out, '\t');
		if (r == 0)
			r = schema_esc(out, o->name);
		if (r == 0)
			r = dbm_buf_addc(out, '\t');
		if (r == 0)
			r = schema_esc(out, o->table);
		if (r == 0)
			r = dbm_buf_addc(out, '\t');
		if (r == 0)
			r = schema_esc(out, o->def);
		if (r == 0)
			r = dbm_buf_addc(out, '\n');
		for (j = 0; j < o->nparts && r == 0; j++) {
			const struct dbm_schema_part *p = &o->parts[j];

			r = dbm_buf_addf(out, "P\t%d\t%d\t", (int)p->kind, p->notnull ? 1 : 0);
			if (r == 0)
				r = schema_esc(out, p->name);
			if (r == 0)
				r = dbm_buf_addc(out, '\t');
			if (r == 0)
				r = schema_esc(out, p->def);
			if (r == 0)
				r = dbm_buf_addc(out, '\t');
			if (r == 0)
				r = schema_esc(out, p->dflt);
			if (r == 0)
				r = dbm_buf_addc(out, '\t');
			if (r == 0)
				r = schema_esc(out, p->extra);
			if (r == 0)
				r = dbm_buf_addc(out, '\n');
		}
	}
	return r;
}

/*
 * Splits the line [p, end) at tabs into up to max fields, unescaping each
 * in place into buf (fields[i] points into buf; NULL for \N). Returns the
 * number of fields, or -1 for a bad escape.
 */
static int schema_fields(const char *p, const char *end, char *buf, char **fields, int max)
{
	int n = 0;
	char *w = buf;

	while (n < max) {
		char *start = w;
		int null = 0;

		while (p < end && *p != '\t') {
			if (*p != '\\') {
				*w++ = *p++;
				continue;
			}
			if (p + 1 >= end)
				return -1;
			switch (p[1]) {
			case '\\':
				*w++ = '\\';
				break;
			case 't':
				*w++ = '\t';
				break;
			case 'n':
				*w++ = '\n';
				break;
			case 'r':
				*w++ = '\r';
				break;
			case 'N':
				null = 1;
				break;
			default:
				return -1;
			}
			p += 2;
		}
		*w++ = '\0';
		fields[n++] = null ? NULL : start;
		if (p >= end)
			break;
		p++; /* the tab */
	}
	return p < end ? -1 : n;
}

/* Sets the error for a snapshot text that does not parse at line. */
static int schema_bad(size_t line)
{
	dbm_error_set(DBM_ERR_RUN, "the schema snapshot does not parse at line %zu", line);
	dbm_error_set_hint("The snapshot table was changed by something else than dbmigrate: "
	                   "take a new snapshot with 'dbmigrate repair --accept-drift'.");
	return DBM_ERR_RUN;
}

int dbm_schema_parse(const char *text, struct dbm_schema *out)
{
	size_t mlen = strlen(SCHEMA_MAGIC), line = 1;
	const char *p = text;
	struct dbm_schema_obj *o = NULL;
	char *buf = NULL, *f[7];
	int r = 0;

	if (strncmp(text, SCHEMA_MAGIC, mlen) != 0)
		return schema_bad(1);
	buf = dbm_malloc(strlen(text) + 8);
	if (!buf)
		return dbm_error_oom();
	for (p = text + mlen; *p && r == 0; line++) {
		const char *end = strchr(p, '\n');
		int n;

		if (!end)
			end = p + strlen(p);
		n = schema_fields(p, end, buf, f, 7);
		if (n == 2 && strcmp(f[0] ? f[0] : "", "H") == 0 && f[1]) {
			r = dbm_schema_set_header(out, f[1]);
		} else if (n == 6 && f[0] && strcmp(f[0], "O") == 0 && f[1] && f[2] && f[3] &&
		           f[5]) {
			int kind = atoi(f[1]);

			if (kind < 0 || kind >= DBM_SCHEMA_NKINDS) {
				r = schema_bad(line + 1);
				break;
			}
			o = dbm_schema_add(out, (enum dbm_schema_kind)kind, f[2], f[3], f[4], f[5]);
			if (!o)
				r = DBM_ERR_NOMEM;
		} else if (n == 7 && o && f[0] && strcmp(f[0], "P") == 0 && f[1] && f[2] && f[3] &&
		           f[4]) {
			int kind = atoi(f[1]);

			if (kind < DBM_PART_COLUMN || kind > DBM_PART_INDEX) {
				r = schema_bad(line + 1);
				break;
			}
			r = dbm_schema_add_part(o, (enum dbm_schema_part_kind)kind, f[3], f[4],
			                        f[5], f[6], atoi(f[2]));
		} else {
			r = schema_bad(line + 1);
		}
		p = *end ? end + 1 : end;
	}
	dbm_free(buf);
	return r;
}
