/*
 * output.h - everything dbmigrate prints goes through here.
 *
 * Human output on stdout, diagnostics and progress on stderr; with --json
 * one JSON document on stdout (built by the command with jansson and
 * emitted once). Errors print as
 *   dbmigrate: <file>:<line>: error: <message>
 *   detail: ...
 *   hint: ...
 * and, with --json, as {"error": {"errorCode": ..., "message": ...}}.
 * Nothing here ever prints a URL that has not been through dbm_url_redact.
 */
#ifndef DBM_OUTPUT_H
#define DBM_OUTPUT_H

#include <jansson.h>

#include "dbmigrate/common.h"

void dbm_out_init(int json, int quiet, int verbose);
int dbm_out_is_json(void);
int dbm_out_is_verbose(void);

/* Human text on stdout (nothing with --json or --quiet). */
void dbm_out_text(const char *fmt, ...) DBM_GCC_PRINTF(1, 2);
/* A line on stderr for --verbose only. */
void dbm_out_debug(const char *fmt, ...) DBM_GCC_PRINTF(1, 2);
/* "dbmigrate: warning: ..." on stderr (also with --json; not with --quiet). */
void dbm_out_warn(const char *fmt, ...) DBM_GCC_PRINTF(1, 2);

/*
 * Progress of one script on stderr: "V3 add users ... 12 ms". On a
 * terminal the label shows before the script runs; elsewhere the line is
 * written whole when it ends. Not with --quiet.
 */
void dbm_out_progress_begin(const char *label);
void dbm_out_progress_end(const char *result);
/*
 * Live progress of the running script, on a terminal only: its size
 * (statements, 0 when unknown; bytes), then each statement as it is handed
 * on. Once a script has run for half a second, its line is redrawn at most
 * five times a second: "V3 big load ... statement 1200 of 5000, 1.2 of 4.8
 * MB, 3.1 s". Nothing of it with --quiet or when stderr is not a terminal.
 */
void dbm_out_progress_size(unsigned long statements, unsigned long long bytes);
void dbm_out_progress_step(size_t bytes);

/*
 * Colour: mode is "auto" (on a terminal, unless NO_COLOR is set and not
 * empty), "always" or "never". Returns 0, or -1 for another word.
 */
int dbm_out_set_color(const char *mode);
/* The escape that starts the colour of a migration state ("" without colour); end with
 * dbm_out_color_end(). */
const char *dbm_out_color_state(const char *state);
const char *dbm_out_color_end(void);

/*
 * JSON strings that are always valid (jsontext.c): text that is not UTF-8
 * has each byte outside a well-formed sequence replaced by U+FFFD, so a key
 * is never dropped. NULL gives JSON null. Return a new reference, or NULL
 * when out of memory.
 */
json_t *dbm_json_text(const char *s);
json_t *dbm_json_textn(const char *s, size_t n);
/*
 * Sets obj[key] to dbm_json_text(s) and, when s is not UTF-8, also
 * obj[key + "Escaped"] to its exact bytes, each byte outside a well-formed
 * sequence written "\xNN" and a backslash "\\". Returns 0, or -1 when out
 * of memory.
 */
int dbm_json_set_text(json_t *obj, const char *key, const char *s);

/* Dry-run: one statement as it would run ("<sql>;"), or into the JSON "sql" array. */
void dbm_out_sql(const char *sql, size_t len);
/*
 * Dry-run: text of the script as it is, for what is no statement of
 * dbmigrate's (comments, a client's DELIMITER lines); on stdout, also
 * with --quiet, nothing with --json.
 */
void dbm_out_script(const char *text, size_t len);
/* The JSON "sql" array collected by dbm_out_sql (borrowed), NULL when none. */
json_t *dbm_out_sql_json(void);

/* Emits the command's JSON document (steals the reference). */
void dbm_out_json(json_t *doc);

/* Emits doc with the last error added as "error"; dbm_out_error then prints text only. */
void dbm_out_json_with_error(json_t *doc);

/* Prints the last error, human or JSON; command names the operation. */
void dbm_out_error(const char *command);

#endif /* DBM_OUTPUT_H */
