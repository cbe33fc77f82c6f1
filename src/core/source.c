/*
 * source.c - one streaming pass over a migration file (source.h).
 *
 * The file is read in 64 KiB chunks. Each chunk is first checked as UTF-8
 * and hashed (checksum.c), then the text, without a leading BOM, goes on to
 * the splitter (sqlsplit.c). When placeholders are on, text is replaced a
 * line at a time, but only lines that hold a '$' are ever copied into a line
 * buffer; everything else passes straight through, so a file without
 * placeholders costs no copying. A line buffer that grows past 64 KiB is
 * flushed up to its last '$' (a placeholder never holds a '$'), so memory
 * stays bounded by the chunk size plus the longest statement the splitter
 * keeps. Line numbers are counted only where they can be needed: for
 * placeholder errors as the text streams, and for a UTF-8 error by
 * re-reading the file up to the bad byte. Called by the commands for
 * checksums and by the runner to execute a migration.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dbmigrate/checksum.h"
#include "dbmigrate/common.h"
#include "dbmigrate/source.h"
#include "dbmigrate/sqlgen.h"
#include "layout_int.h"

#define SOURCE_CHUNK (64 * 1024)
#define SOURCE_LINE_MAX (64 * 1024)

struct source_run {
	const char *path;
	const char *display;
	const struct dbm_source_opts *o;
	int fd;
	char *chunk;
	struct dbm_checksum raw;   /* UTF-8 check, and the checksum before replacement */
	struct dbm_checksum after; /* the checksum after replacement, when wanted */
	int want_after;
	int replace; /* placeholders are replaced */
	struct dbm_splitter *sp;
	struct dbm_buf line; /* a partial line that holds a '$', when non-empty */
	struct dbm_buf out;  /* a replaced line */
	unsigned lineno;     /* line of the first byte not yet passed on (1-based) */
	int crlf_to_lf;      /* lf_only (MySQL): "\r\n" reaches the splitter as "\n" */
	int cr_pending;      /* a '\r' ended the last piece fed; the next byte decides */
	int part;            /* only a part of the file runs: lf filters it */
	struct layout_filter lf;
};

static const char source_bom[3] = {'\xEF', '\xBB', '\xBF'};

/* Reads up to n bytes, retrying short reads. Returns the count (0 at the end) or -1. */
static ssize_t source_read_full(int fd, char *buf, size_t n)
{
	size_t got = 0;

	while (got < n) {
		ssize_t k = read(fd, buf + got, n - got);

		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0)
			return -1;
		if (k == 0)
			break;
		got += (size_t)k;
	}
	return (ssize_t)got;
}

static unsigned source_count_lines(const char *p, size_t n)
{
	const char *end = p + n;
	unsigned count = 0;

	while (p < end && (p = memchr(p, '\n', (size_t)(end - p))) != NULL) {
		count++;
		p++;
	}
	return count;
}

/*
 * Adds the file and line to an error about the byte at offset: the line is
 * found by reading the file again up to that byte, a line ending at LF,
 * CR LF or a lone CR (as the splitter counts them). Returns DBM_ERR_USAGE.
 */
static int source_byte_error(struct source_run *run, unsigned long long offset)
{
	unsigned long long done = 0;
	unsigned line = 1;
	int cr = 0;

	if (lseek(run->fd, 0, SEEK_SET) == 0) {
		while (done < offset) {
			size_t want =
			    offset - done < SOURCE_CHUNK ? (size_t)(offset - done) : SOURCE_CHUNK;
			ssize_t k = source_read_full(run->fd, run->chunk, want), i;

			if (k <= 0)
				break;
			for (i = 0; i < k; i++) {
				char c = run->chunk[i];

				if (c == '\r' || (c == '\n' && !cr))
					line++;
				cr = c == '\r';
			}
			done += (unsigned long long)k;
		}
	}
	dbm_error_set_where(run->display, line);
	return DBM_ERR_USAGE;
}

/* A UTF-8 error set by checksum.c gets its file and line. Returns DBM_ERR_USAGE. */
static int source_utf8_error(struct source_run *run)
{
	return source_byte_error(run, run->raw.bad_offset);
}

/*
 * A NUL byte at offset: valid UTF-8, but the mariadb client refuses it,
 * SQLite ends a statement there and PostgreSQL cannot take it in a text, so
 * no database would run such a file as it reads. Returns DBM_ERR_USAGE with
 * the file, line and byte offset.
 */
static int source_nul_error(struct source_run *run, unsigned long long offset)
{
	dbm_error_set(DBM_ERR_USAGE, "NUL byte (0x00) at byte offset %llu", offset);
	dbm_error_set_hint("Remove the NUL byte: a migration is text. The file may be saved as "
	                   "UTF-16, or be binary; save it as UTF-8.");
	return source_byte_error(run, offset);
}

/* Names the file on an error from the splitter or the callback that has none. */
static int source_where(struct source_run *run, int r)
{
	struct dbm_error *e = dbm_error_last();

	if (r < 0 && e->klass != DBM_OK && e->file[0] == '\0')
		dbm_error_set_where(run->display, e->line);
	return r;
}

/*
 * Feeds the splitter. The mysql/mariadb client reads a script line by line
 * and drops the '\r' of every "\r\n", inside strings and routine bodies
 * too, so for MySQL the same bytes reach the server here. Returns as
 * dbm_splitter_feed.
 */
static int source_feed(struct source_run *run, const char *p, size_t n)
{
	const char *end = p + n, *cr;
	int r;

	if (!run->crlf_to_lf)
		return dbm_splitter_feed(run->sp, p, n);
	if (run->cr_pending && n > 0) {
		run->cr_pending = 0;
		if (*p != '\n' && (r = dbm_splitter_feed(run->sp, "\r", 1)) != 0)
			return r;
	}
	while (p < end && (cr = memchr(p, '\r', (size_t)(end - p))) != NULL) {
		if (cr > p && (r = dbm_splitter_feed(run->sp, p, (size_t)(cr - p))) != 0)
			return r;
		if (cr + 1 == end) {
			run->cr_pending = 1;
			return 0;
		}
		if (cr[1] != '\n' && (r = dbm_splitter_feed(run->sp, cr, 1)) != 0)
			return r;
		p = cr + 1;
	}
	return p < end ? dbm_splitter_feed(run->sp, p, (size_t)(end - p)) : 0;
}

/*
 * Passes replaced text on to the after-checksum and the splitter. Returns
 * 0, the callback's value, or a negative error class (error set).
 */
static int source_emit(struct source_run *run, const char *p, size_t n)
{
	int r;

	if (n == 0)
		return 0;
	if (run->want_after) {
		r = dbm_checksum_update(&run->after, p, n);
		if (r < 0)
			return source_where(run, r); /* a placeholder value that is not UTF-8 */
	}
	if (run->sp) {
		r = source_feed(run, p, n);
		if (r != 0)
			return source_where(run, r);
	}
	return 0;
}

/* Emits raw text that holds no placeholder and counts its lines. Returns as source_emit. */
static int source_pass(struct source_run *run, const char *p, size_t n)
{
	run->lineno += source_count_lines(p, n);
	return source_emit(run, p, n);
}

/*
 * Replaces placeholders in line[0..n) (no '\n' inside but perhaps at the
 * end) and emits the result. Returns as source_emit, or DBM_ERR_USAGE for a
 * placeholder with no value (file and line set).
 */
static int source_replace(struct source_run *run, const char *line, size_t n)
{
	int r;

	dbm_buf_clear(&run->out);
	r = dbm_placeholders_apply(run->o->placeholders, line, n, &run->out);
	if (r == DBM_ERR_USAGE)
		dbm_error_set_where(run->display, run->lineno);
	if (r < 0)
		return r;
	r = source_emit(run, run->out.ptr, run->out.len);
	if (n > 0 && line[n - 1] == '\n')
		run->lineno++;
	return r;
}

/*
 * Keeps the buffered partial line small: replaces and emits everything
 * before its last '$' (no placeholder can span it), or all of it when the
 * rest cannot start a placeholder. Returns as source_replace.
 */
static int source_trim_line(struct source_run *run)
{
	char *b = run->line.ptr;
	size_t n = run->line.len, last = n, i;
	int r;

	while (last > 0 && b[last - 1] != '$')
		last--;
	if (last == 0)
		return 0;
	last--; /* the '$' */
	for (i = last + 2; i < n; i++) {
		char c = b[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '_' || c == '.' || c == ':' || c == '-'))
			break;
	}
	if ((last + 1 < n && b[last + 1] != '{') || i < n)
		last = n; /* the tail is not the start of a placeholder */
	else if (i - (last + 2) > DBM_PLACEHOLDER_NAME_MAX)
		last = n; /* a name too long: replacing reports it, and the buffer stays small */
	r = source_replace(run, b, last);
	if (r != 0)
		return r;
	memmove(b, b + last, n - last);
	run->line.len = n - last;
	b[run->line.len] = '\0';
	return 0;
}

/* Handles text without the BOM. Returns as source_replace. */
static int source_text(struct source_run *run, const char *p, size_t n)
{
	const char *end = p + n;
	int r;

	if (!run->replace)
		return source_emit(run, p, n);
	while (p < end) {
		const char *nl, *d, *ls;

		if (run->line.len > 0) {
			nl = memchr(p, '\n', (size_t)(end - p));
			if (!nl) {
				r = dbm_buf_add(&run->line, p, (size_t)(end - p));
				if (r == 0 && run->line.len > SOURCE_LINE_MAX)
					r = source_trim_line(run);
				return r;
			}
			r = dbm_buf_add(&run->line, p, (size_t)(nl + 1 - p));
			if (r == 0)
				r = source_replace(run, run->line.ptr, run->line.len);
			if (r != 0)
				return r;
			dbm_buf_clear(&run->line);
			p = nl + 1;
			continue;
		}
		d = memchr(p, '$', (size_t)(end - p));
		if (!d)
			return source_pass(run, p, (size_t)(end - p));
		ls = d;
		while (ls > p && ls[-1] != '\n')
			ls--;
		r = source_pass(run, p, (size_t)(ls - p));
		if (r != 0)
			return r;
		nl = memchr(d, '\n', (size_t)(end - d));
		if (!nl) {
			r = dbm_buf_add(&run->line, ls, (size_t)(end - ls));
			if (r == 0 && run->line.len > SOURCE_LINE_MAX)
				r = source_trim_line(run);
			return r;
		}
		r = source_replace(run, ls, (size_t)(nl + 1 - ls));
		if (r != 0)
			return r;
		p = nl + 1;
	}
	return 0;
}

/* The part filter's text: on to placeholders and the splitter. Returns as source_text. */
static int source_part_text(void *ctx, const char *p, size_t n)
{
	struct source_run *run = ctx;

	return run->replace || run->sp ? source_text(run, p, n) : 0;
}

/* goose's StatementBegin / StatementEnd at a line boundary. Returns as the splitter. */
static int source_part_event(void *ctx, int ev, unsigned line)
{
	struct source_run *run = ctx;
	int r;

	(void)line;
	if (!run->sp)
		return 0;
	r = dbm_splitter_hold(run->sp, ev == LAYOUT_EV_HOLD);
	return r != 0 ? source_where(run, r) : 0;
}

/* Ends the input. Returns as source_replace, or the splitter's end-of-input error. */
static int source_finish(struct source_run *run)
{
	int r;

	if (run->line.len > 0) {
		r = source_replace(run, run->line.ptr, run->line.len);
		if (r != 0)
			return r;
		dbm_buf_clear(&run->line);
	}
	if (run->sp && run->cr_pending) {
		run->cr_pending = 0;
		r = dbm_splitter_feed(run->sp, "\r", 1);
		if (r != 0)
			return source_where(run, r);
	}
	if (run->sp) {
		r = dbm_splitter_finish(run->sp);
		if (r != 0)
			return source_where(run, r);
	}
	return 0;
}

/*
 * The pass over path, of the whole file (section DBM_SECTION_WHOLE) or of
 * one part of a two-part file read by naming. Returns as dbm_source_run.
 */
static int source_run_part(const char *path, const char *display_name,
                           const struct dbm_source_opts *o, enum dbm_naming naming,
                           enum dbm_section section, int32_t *checksum)
{
	struct source_run run;
	char chunk[SOURCE_CHUNK]; /* on the stack: no allocation per file (a no-op migrate reads
	                             them all) */
	int32_t sum = 0;
	int r = 0, first = 1;
	long long total = 0;
	ssize_t k;

	memset(&run, 0, sizeof(run));
	run.fd = -1;
	run.path = path;
	run.display = display_name ? display_name : path;
	run.o = o;
	run.lineno = 1;
	run.chunk = chunk;
	run.replace = o->placeholders && (o->on_stmt || o->checksum_after_placeholders);
	run.want_after = run.replace && o->checksum_after_placeholders;
	run.part = section != DBM_SECTION_WHOLE;
	layout_filter_init(&run.lf, naming, section, source_part_text, source_part_event, &run);
	dbm_checksum_init(&run.raw);
	dbm_checksum_init(&run.after);
	run.fd = open(path, O_RDONLY | O_CLOEXEC);
	if (run.fd < 0) {
		r = dbm_error_set(DBM_ERR_RUN, "cannot read \"%s\": %s", run.display,
		                  strerror(errno));
		goto done;
	}
	if (o->on_stmt) {
		run.sp = dbm_splitter_new(o->dialect, o->on_stmt, o->ctx);
		run.crlf_to_lf = dbm_sql_dialect(o->dialect)->lf_only;
		if (!run.sp) {
			r = DBM_ERR_NOMEM;
			goto done;
		}
	}
	/*
	 * source_read_full returns less than a full chunk only at the end of the
	 * file: stop there rather than read again for the 0 (a migration is
	 * usually one short chunk, and a no-op migrate reads every file).
	 */
	k = SOURCE_CHUNK;
	while (k == SOURCE_CHUNK && (k = source_read_full(run.fd, run.chunk, SOURCE_CHUNK)) > 0) {
		const char *p = run.chunk;
		size_t n = (size_t)k;

		total += k;
		{
			const char *z = memchr(p, '\0', n);

			if (z) {
				r = source_nul_error(&run, (unsigned long long)(total - k) +
				                               (unsigned long long)(z - p));
				goto done;
			}
		}
		if (o->max_bytes > 0 && total > o->max_bytes) {
			r = dbm_error_set(DBM_ERR_RUN, "\"%s\" is longer than %lld bytes",
			                  run.display, o->max_bytes);
			goto done;
		}
		r = dbm_checksum_update(&run.raw, p, n);
		if (r < 0) {
			r = source_utf8_error(&run);
			goto done;
		}
		if (first && n >= sizeof(source_bom) && memcmp(p, source_bom, 3) == 0) {
			if (run.want_after)
				dbm_checksum_update(&run.after, p, sizeof(source_bom));
			p += sizeof(source_bom);
			n -= sizeof(source_bom);
		}
		first = 0;
		if (run.part) {
			r = layout_filter_feed(&run.lf, p, n);
			if (r != 0)
				goto done;
		} else if (run.replace || run.sp) {
			r = source_text(&run, p, n);
			if (r != 0)
				goto done;
		}
	}
	if (k < 0) {
		r = dbm_error_set(DBM_ERR_RUN, "cannot read \"%s\": %s", run.display,
		                  strerror(errno));
		goto done;
	}
	r = dbm_checksum_final(&run.raw, &sum);
	if (r < 0) {
		/* the text ends inside a UTF-8 sequence */
		r = source_utf8_error(&run);
		goto done;
	}
	if (run.part) {
		r = layout_filter_finish(&run.lf);
		if (r == 0)
			r = dbm_checksum_final(&run.lf.sum, &sum);
		if (r != 0)
			goto done;
	}
	r = source_finish(&run);
	if (r != 0)
		goto done;
	if (run.want_after) {
		r = dbm_checksum_final(&run.after, &sum);
		if (r < 0)
			goto done;
	}
	if (checksum)
		*checksum = sum;
done:
	if (run.fd >= 0)
		close(run.fd);
	if (run.sp)
		dbm_splitter_free(run.sp);
	dbm_buf_free(&run.line);
	dbm_buf_free(&run.out);
	layout_filter_free(&run.lf);
	return r;
}

/* See source.h. */
int dbm_source_run(const char *path, const char *display_name, const struct dbm_source_opts *o,
                   int32_t *checksum)
{
	return source_run_part(path, display_name, o, DBM_NAMING_FLYWAY, DBM_SECTION_WHOLE,
	                       checksum);
}

/* See source.h. */
int dbm_source_run_file(const struct dbm_file *f, const struct dbm_source_opts *o,
                        int32_t *checksum)
{
	return source_run_part(f->path, NULL, o, f->naming, f->section, checksum);
}
