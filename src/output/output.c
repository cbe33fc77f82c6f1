/*
 * output.c - printing for the commands and the runner (output.h).
 *
 * Warnings and --verbose lines are scrubbed of the process's secrets
 * (secret.h) before they are written, as errors are when they are set.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dbmigrate/secret.h"
#include "output/output.h"

static struct {
	int json, quiet, verbose;
	int tty;            /* stderr is a terminal: progress shows live */
	char label[512];    /* progress label waiting for its end */
	json_t *sql;        /* dry-run statements in --json mode */
	int error_emitted;  /* the error went out inside the command's document */
} out;

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
	char stack[1024], *text = stack;
	va_list aq;
	int n;

	va_copy(aq, ap);
	n = vsnprintf(stack, sizeof(stack), fmt, aq);
	va_end(aq);
	if (n < 0)
		return;
	if ((size_t)n >= sizeof(stack)) {
		/* not dbm_malloc: printing is no failure point of the allocation sweeps */
		text = malloc((size_t)n + 1);
		if (text)
			vsnprintf(text, (size_t)n + 1, fmt, ap);
		else
			text = stack; /* cut short, and scrubbed as such */
	}
	if (text == stack && (size_t)n >= sizeof(stack))
		dbm_secrets_scrub_cut(text);
	else
		dbm_secrets_scrub(text);
	fputs(text, stderr);
	if (text != stack)
		free(text);
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
	if (out.quiet || !out.tty)
		return;
	fprintf(stderr, "%s ... ", out.label);
	fflush(stderr);
}

void dbm_out_progress_end(const char *result)
{
	if (!out.quiet) {
		if (out.tty)
			fprintf(stderr, "%s\n", result);
		else
			fprintf(stderr, "%s ... %s\n", out.label, result);
		fflush(stderr);
	}
	out.label[0] = '\0';
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
