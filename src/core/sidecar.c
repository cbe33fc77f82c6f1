/*
 * sidecar.c - the "<script>.conf" settings file beside a migration script.
 *
 * Flyway keeps per-script settings in a file named after the script with
 * ".conf" appended: key=value lines, '#' comments, blank lines. The keys
 * read here are executeInTransaction and encoding. Problems are recorded
 * in the scanner's list (scan_problem) with the file and line, so the walk
 * goes on and every problem is reported at once. Called by scan.c only.
 */
#define _POSIX_C_SOURCE 200809L /* O_CLOEXEC, fdopen */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dbmigrate/common.h"
#include "dbmigrate/config.h"
#include "scan_int.h"

/* Limits: a settings file holds two keys; these only stop hostile files. */
#define SCAN_CONF_LINE 4096
#define SCAN_CONF_MAX_LINES 1000

static const char scan_conf_hint[] =
    "A script's .conf file may hold executeInTransaction=true|false "
    "and encoding=UTF-8, one per line.";

static const char *const scan_conf_keys[] = {"executeInTransaction", "encoding"};

static void scan_trim(char **s, size_t *len)
{
	while (*len > 0 && isspace((unsigned char)(*s)[*len - 1]))
		(*len)--;
	while (*len > 0 && isspace((unsigned char)**s)) {
		(*s)++;
		(*len)--;
	}
}

static int scan_is_utf8(const char *v)
{
	return strcasecmp(v, "UTF-8") == 0 || strcasecmp(v, "UTF8") == 0;
}

/*
 * Reads f->path + ".conf" when it exists and applies its settings to f.
 * Returns 0 (problems recorded), DBM_ERR_RUN when it exists but cannot be
 * read, DBM_ERR_NOMEM.
 */
int scan_read_conf(struct scan_state *st, struct dbm_file *f)
{
	struct dbm_buf path = DBM_BUF_INIT;
	char line[SCAN_CONF_LINE];
	unsigned lineno = 0;
	FILE *fp = NULL;
	struct stat sb;
	int fd = -1, r;

	r = dbm_buf_adds(&path, f->path);
	if (r == 0)
		r = dbm_buf_adds(&path, ".conf");
	if (r < 0)
		goto done;
	/* O_NONBLOCK: a FIFO named like a settings file must not hang the scan */
	fd = open(path.ptr, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		if (errno != ENOENT)
			r = dbm_error_set(DBM_ERR_RUN, "cannot read \"%s\": %s", path.ptr,
			                  strerror(errno));
		goto done;
	}
	if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
		r = scan_problem(st, NULL, 0, "Make it a regular file, or remove it.",
		                 "\"%s\" is not a regular file", path.ptr);
		goto done;
	}
	if (fcntl(fd, F_SETFL, 0) != 0 || !(fp = fdopen(fd, "r"))) {
		r = dbm_error_set(DBM_ERR_RUN, "cannot read \"%s\": %s", path.ptr, strerror(errno));
		goto done;
	}
	fd = -1; /* fp owns it */
	while (fgets(line, sizeof(line), fp)) {
		size_t len = strlen(line), klen, vlen;
		char *key = line, *val, *eq;

		lineno++;
		if (len == sizeof(line) - 1 && line[len - 1] != '\n') {
			r = scan_problem(st, path.ptr, lineno, scan_conf_hint,
			                 "line is longer than %d bytes", SCAN_CONF_LINE - 2);
			goto done;
		}
		if (lineno > SCAN_CONF_MAX_LINES) {
			r = scan_problem(st, path.ptr, lineno, scan_conf_hint,
			                 "a settings file has more than %d lines",
			                 SCAN_CONF_MAX_LINES);
			goto done;
		}
		scan_trim(&key, &len);
		if (len == 0 || key[0] == '#')
			continue;
		key[len] = '\0';
		eq = strchr(key, '=');
		if (!eq) {
			r = scan_problem(st, path.ptr, lineno, scan_conf_hint,
			                 "expected key=value, found \"%s\"", key);
			if (r < 0)
				goto done;
			continue;
		}
		klen = (size_t)(eq - key);
		val = eq + 1;
		vlen = strlen(val);
		scan_trim(&key, &klen);
		scan_trim(&val, &vlen);
		key[klen] = '\0';
		val[vlen] = '\0';
		if (strcmp(key, "executeInTransaction") == 0) {
			if (strcasecmp(val, "true") == 0)
				f->in_transaction = 1;
			else if (strcasecmp(val, "false") == 0)
				f->in_transaction = 0;
			else
				r = scan_problem(st, path.ptr, lineno, scan_conf_hint,
				                 "executeInTransaction must be true or false, not "
				                 "\"%s\"",
				                 val);
		} else if (strcmp(key, "encoding") == 0) {
			if (scan_is_utf8(val)) {
				dbm_free(f->encoding);
				f->encoding = dbm_strdup(val);
				if (!f->encoding)
					r = dbm_error_oom();
			} else {
				r = scan_problem(
				    st, path.ptr, lineno,
				    "Convert the file to UTF-8 (e.g. with iconv) and "
				    "set encoding=UTF-8 or remove the setting.",
				    "\"%s\" is declared as encoding \"%s\"; only UTF-8 "
				    "is supported",
				    f->path, val);
			}
		} else {
			const char *best = scan_conf_keys[0];
			size_t i;

			for (i = 1; i < DBM_ARRAY_SIZE(scan_conf_keys); i++)
				if (dbm_edit_distance(key, scan_conf_keys[i]) <
				    dbm_edit_distance(key, best))
					best = scan_conf_keys[i];
			r = scan_problem(st, path.ptr, lineno, scan_conf_hint,
			                 "unknown setting \"%s\" (did you mean \"%s\"?)", key,
			                 best);
		}
		if (r < 0)
			goto done;
	}
	if (ferror(fp))
		r = dbm_error_set(DBM_ERR_RUN, "cannot read \"%s\": %s", path.ptr, strerror(errno));
done:
	if (fp)
		fclose(fp);
	if (fd >= 0)
		close(fd);
	dbm_buf_free(&path);
	return r;
}
