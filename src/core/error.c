/*
 * error.c - the last error (common.h).
 *
 * One record a thread, in fixed buffers: setting an error never allocates,
 * so it works after an allocation failure. Every message, detail and hint
 * is scrubbed of the process's secrets (secret.h) as it is set, so no error
 * text, whoever wrote it, carries a password or a placeholder value. The only other thread, which
 * reads files ahead (runner/prefetch.c), thus never touches the main
 * thread's error.
 */
#include <stdio.h>
#include <string.h>

#include "dbmigrate/common.h"
#include "dbmigrate/secret.h"

/* One record a thread: a helper thread's errors never overwrite the main thread's. */
static _Thread_local struct dbm_error last_error;

int dbm_error_vset(int klass, const char *fmt, va_list ap)
{
	memset(&last_error, 0, sizeof(last_error));
	last_error.klass = klass;
	if (vsnprintf(last_error.message, sizeof(last_error.message), fmt, ap) >=
	    (int)sizeof(last_error.message))
		dbm_secrets_scrub_cut(last_error.message);
	else
		dbm_secrets_scrub(last_error.message);
	return klass;
}

int dbm_error_set(int klass, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	dbm_error_vset(klass, fmt, ap);
	va_end(ap);
	return klass;
}

void dbm_error_set_detail(const char *fmt, ...)
{
	va_list ap;
	int cut;

	va_start(ap, fmt);
	cut = vsnprintf(last_error.detail, sizeof(last_error.detail), fmt, ap) >=
	      (int)sizeof(last_error.detail);
	va_end(ap);
	if (cut)
		dbm_secrets_scrub_cut(last_error.detail);
	else
		dbm_secrets_scrub(last_error.detail);
}

void dbm_error_set_hint(const char *fmt, ...)
{
	va_list ap;
	int cut;

	va_start(ap, fmt);
	cut = vsnprintf(last_error.hint, sizeof(last_error.hint), fmt, ap) >=
	      (int)sizeof(last_error.hint);
	va_end(ap);
	if (cut)
		dbm_secrets_scrub_cut(last_error.hint);
	else
		dbm_secrets_scrub(last_error.hint);
}

void dbm_error_set_where(const char *file, unsigned line)
{
	snprintf(last_error.file, sizeof(last_error.file), "%s", file ? file : "");
	last_error.line = line;
}

int dbm_error_oom(void)
{
	return dbm_error_set(DBM_ERR_NOMEM, "out of memory");
}

struct dbm_error *dbm_error_last(void)
{
	return &last_error;
}

void dbm_error_clear(void)
{
	memset(&last_error, 0, sizeof(last_error));
}
