/*
 * output.c - printing for the commands and the runner (output.h).
 *
 * Warnings and --verbose lines are scrubbed of the process's secrets
 * (secret.h) before they are written, as errors are when they are set.
 *
 * The live progress line is drawn with a carriage return and "erase to end
 * of line", cut to the terminal's width so that it never wraps; it is only
 * ever drawn when stderr is a terminal.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "dbmigrate/secret.h"
#include "output/output.h"

static struct {
	int json, quiet, verbose;
	int tty;                        /* stderr is a terminal: progress shows live */
	char label[512];                /* progress label waiting for its end */
	json_t *sql;                    /* dry-run statements in --json mode */
	int error_emitted;              /* the error went out inside the command's document */
	int color_mode;                 /* -1 never, 0 auto, 1 always */
	struct timespec start, last;    /* the script's start, the last redraw */
	unsigned long done, total;      /* statements handed on, in the script */
	unsigned long long bytes, size; /* their bytes, the script's */
	int live;                       /* a progress line is on the terminal */
} out;

#define PROGRESS_AFTER_MS 500 /* quiet before: short scripts keep their one line */
#define PROGRESS_EVERY_MS 200

void dbm_out_init(int json, int quiet, int verbose)
{
	out.json = json;
	out.quiet = quiet;
	out.verbose = verbose;
	out.tty = isatty(STDERR_FILENO);
}

int dbm_out_is_json(void)
{
	return out.json;
}

int dbm_out_is_verbose(void)
{
	return out.verbose;
}

void dbm_out_text(const char *fmt, ...)
{
	va_list ap;

	if (out.json || out.quiet)
		return;
	va_start(ap, fmt);
	vfprintf(stdout, fmt, ap);
	va_end(ap);
}

/* Writes fmt's text to stderr scrubbed of every listed secret, without a newline. */
static void output_scrubbed(const char *fmt, va_list ap)
{
	char stack[1024], *heap = NULL;
	va_list aq;
	int n;

	va_copy(aq, ap);
	n = vsnprintf(stack, sizeof(stack), fmt, aq);
	va_end(aq);
	if (n < 0)
		return;
	if ((size_t)n >= sizeof(stack)) {
		/* not dbm_malloc: printing is no failure point of the allocation sweeps */
		heap = malloc((size_t)n + 1);
		if (heap)
			vsnprintf(heap, (size_t)n + 1, fmt, ap);
	}
	if (heap) {
		dbm_secrets_scrub(heap);
		fputs(heap, stderr);
		free(heap);
		return;
	}
	/* fitted, or cut short without memory for more: scrubbed as such */
	if ((size_t)n >= sizeof(stack))
		dbm_secrets_scrub_cut(stack);
	else
		dbm_secrets_scrub(stack);
	fputs(stack, stderr);
}

void dbm_out_debug(const char *fmt, ...)
{
	va_list ap;

	if (!out.verbose)
		return;
	fputs("dbmigrate: ", stderr);
	va_start(ap, fmt);
	output_scrubbed(fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

void dbm_out_warn(const char *fmt, ...)
{
	va_list ap;

	if (out.quiet)
		return;
	if (out.label[0] && out.tty)
		fputc('\n', stderr);
	fputs("dbmigrate: warning: ", stderr);
	va_start(ap, fmt);
	output_scrubbed(fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	if (out.label[0] && out.tty)
		fprintf(stderr, "%s ... ", out.label);
}

void dbm_out_progress_begin(const char *label)
{
	snprintf(out.label, sizeof(out.label), "%s", label);
	out.live = 0;
	dbm_out_progress_size(0, 0);
	if (out.quiet || !out.tty)
		return;
	fprintf(stderr, "%s ... ", out.label);
	fflush(stderr);
}

void dbm_out_progress_end(const char *result)
{
	if (!out.quiet) {
		if (out.tty && out.live)
			fprintf(stderr, "\r\033[K%s ... %s\n", out.label, result);
		else if (out.tty)
			fprintf(stderr, "%s\n", result);
		else
			fprintf(stderr, "%s ... %s\n", out.label, result);
		fflush(stderr);
	}
	out.label[0] = '\0';
	out.live = 0;
}

void dbm_out_progress_size(unsigned long statements, unsigned long long bytes)
{
	out.total = statements;
	out.size = bytes;
	out.done = 0;
	out.bytes = 0;
	clock_gettime(CLOCK_MONOTONIC, &out.start);
}

static long output_ms(const struct timespec *from, const struct timespec *to)
{
	return (long)(to->tv_sec - from->tv_sec) * 1000 + (to->tv_nsec - from->tv_nsec) / 1000000;
}

/* "812 KB", "4.8 MB": n bytes for a person. */
static void output_bytes(char *buf, size_t size, unsigned long long n)
{
	if (n < 1024ULL * 1024)
		snprintf(buf, size, "%llu KB", (n + 1023) / 1024);
	else if (n < 1024ULL * 1024 * 1024)
		snprintf(buf, size, "%.1f MB", (double)n / (1024.0 * 1024));
	else
		snprintf(buf, size, "%.2f GB", (double)n / (1024.0 * 1024 * 1024));
}

/* Redraws the progress line, no wider than the terminal. */
static void output_progress_draw(const struct timespec *now)
{
	char line[1024], read[32], size[32];
	struct winsize ws;
	size_t cols = 80, n;

	if (ioctl(STDERR_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
		cols = ws.ws_col;
	output_bytes(read, sizeof(read), out.bytes);
	output_bytes(size, sizeof(size), out.size);
	if (out.total)
		n = (size_t)snprintf(
		    line, sizeof(line), "%s ... statement %lu of %lu, %s of %s, %.1f s", out.label,
		    out.done, out.total, read, size, output_ms(&out.start, now) / 1000.0);
	else
		n = (size_t)snprintf(line, sizeof(line), "%s ... statement %lu, %s, %.1f s",
		                     out.label, out.done, read,
		                     output_ms(&out.start, now) / 1000.0);
	if (n >= sizeof(line))
		n = sizeof(line) - 1;
	if (n > cols - 1)
		n = cols - 1;
	fprintf(stderr, "\r\033[K%.*s", (int)n, line);
	fflush(stderr);
	out.live = 1;
	out.last = *now;
}

void dbm_out_progress_step(size_t bytes)
{
	struct timespec now;

	out.done++;
	out.bytes += bytes;
	if (out.quiet || !out.tty || !out.label[0])
		return;
	clock_gettime(CLOCK_MONOTONIC, &now);
	if (output_ms(&out.start, &now) < PROGRESS_AFTER_MS)
		return;
	if (out.live && output_ms(&out.last, &now) < PROGRESS_EVERY_MS)
		return;
	output_progress_draw(&now);
}

/* Whether colour is on for stream fd. */
static int output_color_on(int fd)
{
	const char *no = getenv("NO_COLOR"), *term = getenv("TERM");

	if (out.color_mode != 0)
		return out.color_mode > 0;
	return isatty(fd) && !(no && *no) && !(term && strcmp(term, "dumb") == 0);
}

int dbm_out_set_color(const char *mode)
{
	if (strcmp(mode, "auto") == 0)
		out.color_mode = 0;
	else if (strcmp(mode, "always") == 0)
		out.color_mode = 1;
	else if (strcmp(mode, "never") == 0)
		out.color_mode = -1;
	else
		return -1;
	return 0;
}

const char *dbm_out_color_state(const char *state)
{
	static const struct {
		const char *state, *color;
	} colors[] = {
	    {"Success", "\033[32m"},       {"Baseline", "\033[32m"},     {"Pending", "\033[33m"},
	    {"Failed", "\033[1;31m"},      {"Changed", "\033[1;31m"},    {"Missing", "\033[31m"},
	    {"Future", "\033[36m"},        {"Out of Order", "\033[35m"}, {"Outdated", "\033[33m"},
	    {"Undone", "\033[2m"},         {"Ignored", "\033[2m"},       {"Superseded", "\033[2m"},
	    {"Below Baseline", "\033[2m"}, {"Above Target", "\033[2m"},
	};
	size_t i;

	if (!output_color_on(STDOUT_FILENO))
		return "";
	for (i = 0; i < sizeof(colors) / sizeof(colors[0]); i++)
		if (strcmp(colors[i].state, state) == 0)
			return colors[i].color;
	return "";
}

const char *dbm_out_color_end(void)
{
	return output_color_on(STDOUT_FILENO) ? "\033[0m" : "";
}

void dbm_out_sql(const char *sql, size_t len)
{
	if (out.json) {
		if (!out.sql)
			out.sql = json_array();
		if (out.sql)
			json_array_append_new(out.sql, dbm_json_textn(sql, len));
		return;
	}
	fwrite(sql, 1, len, stdout);
	fputs(";\n", stdout);
}

void dbm_out_script(const char *text, size_t len)
{
	if (!out.json)
		fwrite(text, 1, len, stdout);
}

json_t *dbm_out_sql_json(void)
{
	return out.sql;
}

void dbm_out_json(json_t *doc)
{
	if (!doc)
		return;
	json_dumpf(doc, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	fputc('\n', stdout);
	json_decref(doc);
}

/* The last error as Flyway's {"errorCode", "message"} object plus our details. */
static json_t *output_error_json(void)
{
	const struct dbm_error *e = dbm_error_last();
	json_t *err = json_object();

	if (!err)
		return NULL;
	json_object_set_new(err, "errorCode", json_integer(dbm_exit_code(e->klass)));
	json_object_set_new(err, "message", dbm_json_text(e->message));
	if (e->file[0])
		dbm_json_set_text(err, "file", e->file);
	if (e->line)
		json_object_set_new(err, "line", json_integer(e->line));
	if (e->sqlstate[0])
		json_object_set_new(err, "sqlState", dbm_json_text(e->sqlstate));
	if (e->server_code)
		json_object_set_new(err, "serverCode", json_integer(e->server_code));
	if (e->detail[0])
		json_object_set_new(err, "detail", dbm_json_text(e->detail));
	if (e->hint[0])
		json_object_set_new(err, "hint", dbm_json_text(e->hint));
	return err;
}

void dbm_out_json_with_error(json_t *doc)
{
	json_object_set_new(doc, "error", output_error_json());
	dbm_out_json(doc);
	out.error_emitted = 1;
}

void dbm_out_error(const char *command)
{
	const struct dbm_error *e = dbm_error_last();

	if (out.label[0]) {
		dbm_out_progress_end("failed");
	}
	fputs("dbmigrate: ", stderr);
	if (e->file[0]) {
		fputs(e->file, stderr);
		if (e->line)
			fprintf(stderr, ":%u", e->line);
		fputs(": ", stderr);
	}
	fprintf(stderr, "error: %s\n", e->message);
	if (e->detail[0])
		fprintf(stderr, "detail: %s\n", e->detail);
	if (e->hint[0])
		fprintf(stderr, "hint: %s\n", e->hint);
	if (dbm_interrupt_signal() && e->klass != DBM_ERR_INTERRUPTED)
		fprintf(stderr, "note: the run was interrupted by %s\n",
		        dbm_signal_name(dbm_interrupt_signal()));
	if (out.json && !out.error_emitted) {
		json_t *doc = json_object();

		if (!doc)
			return;
		if (command)
			json_object_set_new(doc, "operation", dbm_json_text(command));
		json_object_set_new(doc, "error", output_error_json());
		dbm_out_json(doc);
	}
}
