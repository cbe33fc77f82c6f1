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
#include <signal.h>
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

void dbm_error_add_detail(const char *fmt, ...)
{
	char old[sizeof(last_error.detail)];
	char add[sizeof(last_error.detail)];
	size_t n;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(add, sizeof(add), fmt, ap);
	va_end(ap);
	if (!add[0])
		return;
	memcpy(old, last_error.detail, sizeof(old));
	n = strlen(old);
	if (n && n + 2 < sizeof(old)) {
		memcpy(old + n, "; ", 3);
		n += 2;
	}
	if (n + 1 < sizeof(old))
		snprintf(old + n, sizeof(old) - n, "%s", add);
	memcpy(last_error.detail, old, sizeof(old));
}

void dbm_error_save(struct dbm_error *saved)
{
	memcpy(saved, &last_error, sizeof(*saved));
}

void dbm_error_restore(const struct dbm_error *saved)
{
	if (saved != &last_error)
		memcpy(&last_error, saved, sizeof(last_error));
}

int dbm_exit_code(int klass)
{
	/* a run a signal stopped exits as the shell expects, whatever the failure it caused */
	if (klass < 0 && klass != DBM_ERR_USAGE && dbm_interrupt_signal())
		return 128 + dbm_interrupt_signal();
	switch (klass) {
	case DBM_OK:
		return 0;
	case DBM_ERR_USAGE:
		return 2;
	case DBM_ERR_VALIDATE:
		return 3;
	case DBM_ERR_LOCK:
		return 4;
	case DBM_ERR_INTERRUPTED:
		return 128 + SIGINT; /* set without a signal: only by tests */
	default:
		return 1;
	}
}

/* The first signal that asked to stop; written by a signal handler or the signal thread. */
static volatile sig_atomic_t interrupt_signal;

void dbm_interrupt_set(int signo)
{
	if (!interrupt_signal)
		interrupt_signal = signo;
}

int dbm_interrupt_signal(void)
{
	return interrupt_signal;
}

const char *dbm_signal_name(int signo)
{
	switch (signo) {
	case SIGINT:
		return "SIGINT";
	case SIGTERM:
		return "SIGTERM";
	case SIGPIPE:
		return "SIGPIPE";
	case SIGHUP:
		return "SIGHUP";
	default:
		return "a signal";
	}
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
