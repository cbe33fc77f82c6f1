/*
 * layout.c - what the migration layouts share (layout_int.h): the table of
 * layouts and the naming key's values, the number-prefixed names three of
 * them use, the annotation lines of dbmate and goose files, the reader that
 * checks a two-part file at scan time, and the filter that keeps one part
 * of such a file while a runner streams it. Called by scan.c (names,
 * annotations) and source.c (the filter); the layouts' own rules are in
 * layout_<name>.c.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "dbmigrate/common.h"
#include "dbmigrate/scan.h"
#include "dbmigrate/version.h"
#include "layout_int.h"

#define LAYOUT_CHUNK 65536

static const char *const layout_names[DBM_NAMING_COUNT] = {"auto",   "flyway", "golang-migrate",
                                                           "dbmate", "goose",  "numbered"};

const char *dbm_naming_name(enum dbm_naming n)
{
	return (unsigned)n < DBM_NAMING_COUNT ? layout_names[n] : "?";
}

/* See scan.h. */
int dbm_naming_parse(const char *text, enum dbm_naming *out)
{
	unsigned i;

	for (i = 0; i < DBM_NAMING_COUNT; i++) {
		if (strcmp(text, layout_names[i]) == 0) {
			*out = (enum dbm_naming)i;
			return 0;
		}
	}
	dbm_error_set(DBM_ERR_USAGE, "naming \"%s\" is not a layout dbmigrate reads", text);
	dbm_error_set_hint(
	    "Set naming (or --naming) to auto, flyway, golang-migrate, dbmate, goose "
	    "or numbered.");
	return DBM_ERR_USAGE;
}

const struct layout_ops *layout_get(enum dbm_naming n)
{
	switch (n) {
	case DBM_NAMING_GOLANG_MIGRATE:
		return &layout_golang_migrate;
	case DBM_NAMING_DBMATE:
		return &layout_dbmate;
	case DBM_NAMING_GOOSE:
		return &layout_goose;
	case DBM_NAMING_NUMBERED:
		return &layout_numbered;
	default:
		return &layout_flyway;
	}
}

/* See layout_int.h. */
int layout_parse_number_name(const char *name, const char *suffix, int need_sep, struct dbm_file *f)
{
	size_t len = strlen(name), slen = strlen(suffix), d = 0, rest;
	char *v = NULL, *desc;

	if (len <= slen || strcmp(name + len - slen, suffix) != 0)
		return 0;
	len -= slen;
	while (d < len && name[d] >= '0' && name[d] <= '9')
		d++;
	if (d == 0)
		return 0;
	rest = d;
	if (d < len && name[d] == '_')
		rest = d + 1;
	else if (need_sep)
		return 0;
	if (dbm_version_normalize(name, d, &v) < 0)
		return 0;
	desc = dbm_strndup(name + rest, len - rest);
	if (!desc) {
		dbm_free(v);
		return dbm_error_oom();
	}
	f->version = v;
	f->description = desc;
	return 1;
}

static int layout_is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

/* Compares the words of s[0..n) with the words of want, any case, blanks collapsed. */
static int layout_words_eq(const char *s, size_t n, const char *want)
{
	size_t i = 0;

	while (i < n && layout_is_space(s[i]))
		i++;
	while (n > i && layout_is_space(s[n - 1]))
		n--;
	while (*want) {
		if (*want == ' ') {
			if (i >= n || !layout_is_space(s[i]))
				return 0;
			while (i < n && layout_is_space(s[i]))
				i++;
			want++;
			continue;
		}
		if (i >= n || (s[i] | 0x20) != (*want | 0x20))
			return 0;
		i++;
		want++;
	}
	return i == n;
}

/* See layout_int.h. */
enum layout_mark layout_mark_of(enum dbm_naming naming, const char *line, size_t n, int *no_tx)
{
	size_t i;

	*no_tx = 0;
	if (n < 2 || line[0] != '-' || line[1] != '-')
		return LAYOUT_MARK_NONE;
	if (naming == DBM_NAMING_DBMATE) {
		/* ^--\s*migrate:(up|down)(\s*$|\s+\S+), options key:value after it */
		enum layout_mark m;

		for (i = 2; i < n && layout_is_space(line[i]); i++)
			;
		if (n - i >= 10 && memcmp(line + i, "migrate:up", 10) == 0) {
			m = LAYOUT_MARK_UP;
			i += 10;
		} else if (n - i >= 12 && memcmp(line + i, "migrate:down", 12) == 0) {
			m = LAYOUT_MARK_DOWN;
			i += 12;
		} else {
			return LAYOUT_MARK_NONE;
		}
		if (i < n && !layout_is_space(line[i]))
			return LAYOUT_MARK_NONE;
		while (i < n) {
			size_t w;

			while (i < n && layout_is_space(line[i]))
				i++;
			for (w = i; w < n && !layout_is_space(line[w]); w++)
				;
			if (w - i == 17 && memcmp(line + i, "transaction:false", 17) == 0)
				*no_tx = 1;
			i = w;
		}
		return m;
	}
	/* goose: "--" then, trimmed, "+goose <annotation>" */
	for (i = 2; i < n && layout_is_space(line[i]); i++)
		;
	if (n - i < 6 || strncasecmp(line + i, "+goose", 6) != 0)
		return LAYOUT_MARK_NONE;
	line += i + 6;
	n -= i + 6;
	if (n > 0 && !layout_is_space(line[0]))
		return LAYOUT_MARK_NONE;
	if (layout_words_eq(line, n, "up"))
		return LAYOUT_MARK_UP;
	if (layout_words_eq(line, n, "down"))
		return LAYOUT_MARK_DOWN;
	if (layout_words_eq(line, n, "statementbegin"))
		return LAYOUT_MARK_BEGIN;
	if (layout_words_eq(line, n, "statementend"))
		return LAYOUT_MARK_END;
	if (layout_words_eq(line, n, "no transaction"))
		return LAYOUT_MARK_NO_TX;
	if (layout_words_eq(line, n, "envsub on"))
		return LAYOUT_MARK_ENVSUB_ON;
	if (layout_words_eq(line, n, "envsub off"))
		return LAYOUT_MARK_ENVSUB_OFF;
	return LAYOUT_MARK_UNKNOWN;
}

/* Calls fn for every line of the file (terminator removed). Returns 0, fn's value, DBM_ERR_*. */
static int layout_each_line(const char *path,
                            int (*fn)(void *ctx, const char *l, size_t n, unsigned line), void *ctx)
{
	struct dbm_buf cur = DBM_BUF_INIT;
	char *chunk = dbm_malloc(LAYOUT_CHUNK);
	unsigned line = 1;
	int fd, r = 0;
	ssize_t k;

	if (!chunk)
		return dbm_error_oom();
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		r = dbm_error_set(DBM_ERR_RUN, "cannot read \"%s\": %s", path, strerror(errno));
		goto done;
	}
	while ((k = read(fd, chunk, LAYOUT_CHUNK)) != 0) {
		const char *p = chunk, *end, *nl;

		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0) {
			r = dbm_error_set(DBM_ERR_RUN, "cannot read \"%s\": %s", path,
			                  strerror(errno));
			goto done;
		}
		end = chunk + k;
		while (p < end) {
			nl = memchr(p, '\n', (size_t)(end - p));
			if (!nl) {
				/* only the start of a long line is ever looked at */
				size_t take = (size_t)(end - p);

				if (cur.len < 256) {
					if (take > 256)
						take = 256;
					if (dbm_buf_add(&cur, p, take) < 0) {
						r = DBM_ERR_NOMEM;
						goto done;
					}
				}
				break;
			}
			if (cur.len) {
				if (cur.len < 256 && dbm_buf_add(&cur, p, (size_t)(nl - p)) < 0) {
					r = DBM_ERR_NOMEM;
					goto done;
				}
				r = fn(ctx, cur.ptr, cur.len, line);
				dbm_buf_clear(&cur);
			} else {
				r = fn(ctx, p, (size_t)(nl - p), line);
			}
			if (r != 0)
				goto done;
			line++;
			p = nl + 1;
		}
	}
	if (cur.len)
		r = fn(ctx, cur.ptr, cur.len, line);
done:
	if (fd >= 0)
		close(fd);
	dbm_free(chunk);
	dbm_buf_free(&cur);
	return r;
}

struct layout_reader {
	enum dbm_naming naming;
	const char *path;
	struct layout_parts *parts;
	enum dbm_section cur;
	int in_block;
	unsigned block_line;
	int sniffed;
};

/* 1 when l[0..n) is blank or a "--" comment. */
static int layout_blank_or_comment(const char *l, size_t n)
{
	size_t i = 0;

	while (i < n && (layout_is_space(l[i]) || l[i] == '\n'))
		i++;
	return i == n || (n - i >= 2 && l[i] == '-' && l[i + 1] == '-');
}

static int layout_fail(const struct layout_reader *rd, unsigned line, const char *hint,
                       const char *msg)
{
	dbm_error_set(DBM_ERR_USAGE, "%s", msg);
	dbm_error_set_where(rd->path, line);
	dbm_error_set_hint("%s", hint);
	return DBM_ERR_USAGE;
}

static int layout_read_line(void *ctx, const char *l, size_t n, unsigned line)
{
	struct layout_reader *rd = ctx;
	int no_tx = 0, goose = rd->naming == DBM_NAMING_GOOSE;
	enum layout_mark m = layout_mark_of(rd->naming, l, n, &no_tx);
	static const char goose_hint[] =
	    "A goose migration starts with '-- +goose Up', may have one '-- +goose Down' "
	    "after it, and wraps a statement in '-- +goose StatementBegin' and "
	    "'-- +goose StatementEnd' lines.";
	static const char dbmate_hint[] =
	    "A dbmate migration has a '-- migrate:up' line, then a '-- migrate:down' line.";

	switch (m) {
	case LAYOUT_MARK_UP:
		if (rd->parts->has_up)
			return layout_fail(rd, line, goose ? goose_hint : dbmate_hint,
			                   goose ? "second '-- +goose Up' annotation"
			                         : "second '-- migrate:up' line");
		rd->parts->has_up = 1;
		if (!goose)
			rd->parts->up_tx = !no_tx;
		rd->cur = DBM_SECTION_UP;
		return 0;
	case LAYOUT_MARK_DOWN:
		if (rd->in_block)
			break;
		if (!rd->parts->has_up)
			return layout_fail(rd, line, goose ? goose_hint : dbmate_hint,
			                   goose ? "'-- +goose Down' before '-- +goose Up'"
			                         : "'-- migrate:down' before '-- migrate:up'");
		if (rd->parts->has_down)
			return layout_fail(rd, line, goose ? goose_hint : dbmate_hint,
			                   goose ? "second '-- +goose Down' annotation"
			                         : "second '-- migrate:down' line");
		rd->parts->has_down = 1;
		if (!goose)
			rd->parts->down_tx = !no_tx;
		rd->cur = DBM_SECTION_DOWN;
		return 0;
	case LAYOUT_MARK_BEGIN:
		if (rd->cur == DBM_SECTION_WHOLE)
			return layout_fail(rd, line, goose_hint,
			                   "'-- +goose StatementBegin' before '-- +goose Up'");
		if (rd->in_block)
			return layout_fail(rd, line, goose_hint,
			                   "'-- +goose StatementBegin' inside another one");
		rd->in_block = 1;
		rd->block_line = line;
		return 0;
	case LAYOUT_MARK_END:
		if (!rd->in_block)
			return layout_fail(
			    rd, line, goose_hint,
			    "'-- +goose StatementEnd' without '-- +goose StatementBegin'");
		rd->in_block = 0;
		return 0;
	case LAYOUT_MARK_NO_TX:
		rd->parts->up_tx = rd->parts->down_tx = 0;
		return 0;
	case LAYOUT_MARK_ENVSUB_ON:
	case LAYOUT_MARK_ENVSUB_OFF:
		return 0;
	case LAYOUT_MARK_UNKNOWN:
		return layout_fail(rd, line, goose_hint, "unknown goose annotation");
	case LAYOUT_MARK_NONE:
		break;
	}
	if (rd->cur == DBM_SECTION_WHOLE && !layout_blank_or_comment(l, n))
		return layout_fail(rd, line, goose ? goose_hint : dbmate_hint,
		                   goose ? "statement before '-- +goose Up'"
		                         : "statement before '-- migrate:up'");
	return 0;
}

/* See layout_int.h. */
int layout_read_parts(enum dbm_naming naming, const char *path, struct layout_parts *parts)
{
	struct layout_reader rd;
	int r;

	memset(&rd, 0, sizeof(rd));
	memset(parts, 0, sizeof(*parts));
	parts->up_tx = parts->down_tx = 1;
	rd.naming = naming;
	rd.path = path;
	rd.parts = parts;
	r = layout_each_line(path, layout_read_line, &rd);
	if (r != 0)
		return r;
	if (rd.in_block) {
		dbm_error_set(DBM_ERR_USAGE, "'-- +goose StatementBegin' without "
		                             "'-- +goose StatementEnd'");
		dbm_error_set_where(path, rd.block_line);
		dbm_error_set_hint("Add a '-- +goose StatementEnd' line after the statement.");
		return DBM_ERR_USAGE;
	}
	if (!parts->has_up) {
		dbm_error_set(DBM_ERR_USAGE, "%s has no %s", path,
		              naming == DBM_NAMING_GOOSE ? "'-- +goose Up' annotation"
		                                         : "'-- migrate:up' line");
		dbm_error_set_hint("%s", naming == DBM_NAMING_GOOSE
		                             ? "Start the migration with a '-- +goose Up' line."
		                             : "Start the migration with a '-- migrate:up' line.");
		return DBM_ERR_USAGE;
	}
	if (naming == DBM_NAMING_DBMATE && !parts->has_down) {
		dbm_error_set(DBM_ERR_USAGE, "%s has no '-- migrate:down' line", path);
		dbm_error_set_hint("dbmate needs one, even with nothing after it: add a "
		                   "'-- migrate:down' line after the up part.");
		return DBM_ERR_USAGE;
	}
	return 0;
}

static int layout_sniff_line(void *ctx, const char *l, size_t n, unsigned line)
{
	struct layout_reader *rd = ctx;
	int no_tx;

	(void)line;
	if (layout_mark_of(DBM_NAMING_GOOSE, l, n, &no_tx) == LAYOUT_MARK_UP) {
		rd->sniffed = DBM_NAMING_GOOSE;
		return 1;
	}
	if (layout_mark_of(DBM_NAMING_DBMATE, l, n, &no_tx) == LAYOUT_MARK_UP) {
		rd->sniffed = DBM_NAMING_DBMATE;
		return 1;
	}
	return 0;
}

/* See layout_int.h. */
int layout_sniff(const char *path)
{
	struct layout_reader rd;
	int r;

	memset(&rd, 0, sizeof(rd));
	rd.sniffed = DBM_NAMING_NUMBERED;
	r = layout_each_line(path, layout_sniff_line, &rd);
	if (r < 0)
		return r;
	return rd.sniffed;
}

/* The part filter. */

void layout_filter_init(struct layout_filter *lf, enum dbm_naming naming, enum dbm_section want,
                        layout_text_fn text, layout_event_fn event, void *ctx)
{
	memset(lf, 0, sizeof(*lf));
	lf->naming = naming;
	lf->want = want;
	lf->cur = DBM_SECTION_WHOLE;
	lf->line = 1;
	lf->text = text;
	lf->event = event;
	lf->ctx = ctx;
	dbm_checksum_init(&lf->sum);
}

void layout_filter_free(struct layout_filter *lf)
{
	dbm_buf_free(&lf->buf);
	dbm_buf_free(&lf->out);
}

static int layout_name_byte(char c, int first)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
	       (!first && c >= '0' && c <= '9');
}

/*
 * goose's ENVSUB: replaces ${VAR}, ${VAR:-default}, ${VAR-default} and $VAR
 * in l[0..n) from the environment (unset: empty, or the default; ":-" also
 * takes the default for an empty value) into lf->out; "\$" is a plain '$',
 * and a '$' that starts no name ("$$", "$1") stays. Returns 0 or
 * DBM_ERR_NOMEM.
 */
static int layout_envsub(struct layout_filter *lf, const char *l, size_t n)
{
	size_t i = 0;
	int r = 0;

	dbm_buf_clear(&lf->out);
	while (i < n && r == 0) {
		const char *d = memchr(l + i, '$', n - i);
		size_t j, name_end;
		char name[256];
		const char *val, *def = NULL;
		size_t deflen = 0;
		int colon = 0;

		if (!d) {
			r = dbm_buf_add(&lf->out, l + i, n - i);
			break;
		}
		if (d > l + i && d[-1] == '\\') {
			/* \$ is a '$' that names nothing */
			r = dbm_buf_add(&lf->out, l + i, (size_t)(d - 1 - (l + i)));
			if (r == 0)
				r = dbm_buf_addc(&lf->out, '$');
			i = (size_t)(d - l) + 1;
			continue;
		}
		r = dbm_buf_add(&lf->out, l + i, (size_t)(d - (l + i)));
		if (r < 0)
			break;
		j = (size_t)(d - l) + 1;
		if (j < n && l[j] == '{') {
			size_t k = j + 1, close;

			while (k < n && layout_name_byte(l[k], k == j + 1))
				k++;
			name_end = k;
			if (k < n && l[k] == ':' && k + 1 < n && l[k + 1] == '-') {
				colon = 1;
				k += 2;
			} else if (k < n && l[k] == '-') {
				k += 1;
			} else if (k >= n || l[k] != '}') {
				r = dbm_buf_addc(&lf->out, '$');
				i = j;
				continue;
			}
			close = k;
			while (close < n && l[close] != '}')
				close++;
			if (close >= n || name_end == j + 1 || name_end - (j + 1) >= sizeof(name)) {
				r = dbm_buf_addc(&lf->out, '$');
				i = j;
				continue;
			}
			if (k != name_end) {
				def = l + k;
				deflen = close - k;
			}
			memcpy(name, l + j + 1, name_end - (j + 1));
			name[name_end - (j + 1)] = '\0';
			i = close + 1;
		} else if (j < n && layout_name_byte(l[j], 1)) {
			size_t k = j;

			while (k < n && layout_name_byte(l[k], 0))
				k++;
			if (k - j >= sizeof(name)) {
				r = dbm_buf_addc(&lf->out, '$');
				i = j;
				continue;
			}
			memcpy(name, l + j, k - j);
			name[k - j] = '\0';
			i = k;
		} else {
			r = dbm_buf_addc(&lf->out, '$');
			i = j;
			continue;
		}
		val = getenv(name);
		if (val && (!colon || *val))
			r = dbm_buf_adds(&lf->out, val);
		else if (def)
			r = dbm_buf_add(&lf->out, def, deflen);
	}
	return r < 0 ? DBM_ERR_NOMEM : 0;
}

/* Handles one line l[0..n), n counting its terminator when it has one. */
static int layout_filter_line(struct layout_filter *lf, const char *l, size_t n)
{
	size_t body = n;
	int no_tx, r = 0;
	enum layout_mark m;

	while (body > 0 && (l[body - 1] == '\n' || l[body - 1] == '\r'))
		body--;
	m = layout_mark_of(lf->naming, l, body, &no_tx);
	switch (m) {
	case LAYOUT_MARK_UP:
		lf->cur = DBM_SECTION_UP;
		break;
	case LAYOUT_MARK_DOWN:
		lf->cur = DBM_SECTION_DOWN;
		break;
	case LAYOUT_MARK_BEGIN:
	case LAYOUT_MARK_END:
		if (lf->cur == lf->want && lf->event)
			r = lf->event(lf->ctx,
			              m == LAYOUT_MARK_BEGIN ? LAYOUT_EV_HOLD : LAYOUT_EV_RELEASE,
			              lf->line);
		break;
	case LAYOUT_MARK_ENVSUB_ON:
		lf->envsub = 1;
		break;
	case LAYOUT_MARK_ENVSUB_OFF:
		lf->envsub = 0;
		break;
	default:
		break;
	}
	if (r == 0 && m == LAYOUT_MARK_NONE && lf->cur == lf->want) {
		r = dbm_checksum_update(&lf->sum, l, n);
		if (r < 0)
			return r;
		if (lf->envsub && memchr(l, '$', body)) {
			r = layout_envsub(lf, l, body);
			if (r == 0)
				r = lf->text(lf->ctx, lf->out.ptr, lf->out.len);
			if (r == 0 && n > body)
				r = lf->text(lf->ctx, l + body, n - body);
		} else {
			r = lf->text(lf->ctx, l, n);
		}
	} else if (r == 0 && n > body) {
		/* only the terminator, so that the lines after keep their numbers */
		r = lf->text(lf->ctx, l + body, n - body);
	}
	lf->line++;
	return r;
}

/* See layout_int.h. */
int layout_filter_feed(struct layout_filter *lf, const char *p, size_t n)
{
	const char *end = p + n;
	int r;

	while (p < end) {
		const char *nl, *q = p;
		unsigned lines = 0;

		/*
		 * Whole lines of the wanted part that cannot be annotations (they
		 * do not start with '-') go on in one piece, not line by line.
		 */
		if (lf->buf.len == 0 && lf->cur == lf->want && !lf->envsub) {
			while (q < end && *q != '-' && (nl = memchr(q, '\n', (size_t)(end - q)))) {
				q = nl + 1;
				lines++;
			}
			if (q > p) {
				r = dbm_checksum_update(&lf->sum, p, (size_t)(q - p));
				if (r == 0)
					r = lf->text(lf->ctx, p, (size_t)(q - p));
				if (r != 0)
					return r;
				lf->line += lines;
				p = q;
				continue;
			}
		}
		nl = memchr(p, '\n', (size_t)(end - p));
		if (!nl)
			return dbm_buf_add(&lf->buf, p, (size_t)(end - p)) < 0 ? DBM_ERR_NOMEM : 0;
		if (lf->buf.len) {
			if (dbm_buf_add(&lf->buf, p, (size_t)(nl + 1 - p)) < 0)
				return DBM_ERR_NOMEM;
			r = layout_filter_line(lf, lf->buf.ptr, lf->buf.len);
			dbm_buf_clear(&lf->buf);
		} else {
			r = layout_filter_line(lf, p, (size_t)(nl + 1 - p));
		}
		if (r != 0)
			return r;
		p = nl + 1;
	}
	return 0;
}

/* See layout_int.h. */
int layout_filter_finish(struct layout_filter *lf)
{
	int r = 0;

	if (lf->buf.len) {
		r = layout_filter_line(lf, lf->buf.ptr, lf->buf.len);
		dbm_buf_clear(&lf->buf);
	}
	return r;
}

/* See layout_int.h. */
int layout_classify(enum dbm_naming want, const char *path, const char *name, int in_rollback,
                    struct dbm_file *f)
{
	int r, n;

	if (want != DBM_NAMING_AUTO) {
		r = layout_get(want)->parse_name(name, in_rollback, f);
		return r == 1 ? (int)want : r;
	}
	r = layout_flyway.parse_name(name, in_rollback, f);
	if (r != 0)
		return r == 1 ? DBM_NAMING_FLYWAY : r;
	r = layout_golang_migrate.parse_name(name, in_rollback, f);
	if (r != 0)
		return r == 1 ? DBM_NAMING_GOLANG_MIGRATE : r;
	if (in_rollback) {
		r = layout_numbered.parse_name(name, in_rollback, f);
		return r == 1 ? DBM_NAMING_NUMBERED : r;
	}
	/* NNN_desc.sql: goose, dbmate or plain numbered, as the text says */
	{
		struct dbm_file probe;

		memset(&probe, 0, sizeof(probe));
		r = layout_parse_number_name(name, ".sql", 0, &probe);
		dbm_free(probe.version);
		dbm_free(probe.description);
		if (r != 1)
			return r;
	}
	n = layout_sniff(path);
	if (n < 0)
		return n;
	r = layout_get((enum dbm_naming)n)->parse_name(name, in_rollback, f);
	return r == 1 ? n : r;
}
