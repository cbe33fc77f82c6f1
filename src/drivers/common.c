/*
 * common.c - what the drivers share (drvcommon.h): clocks and sleeps,
 * connecting with backoff, lease locks (the loop that takes a lock row and
 * the heartbeat that keeps it), the lock-name hash, identifier quoting, the
 * one path by which a client library's text reaches an error, and the
 * loading of the client libraries.
 *
 * Every driver passes its library's messages through dbm_drv_lib_text(),
 * never straight into an error, so the rule on secrets lives in one place:
 * the text is scrubbed of the secrets that dbm_drv_secrets() listed from the
 * URL, and when the URL is ambiguous (an unencoded '@', '/', '?', '#',
 * space or a stray '%' in its password) the text is not shown at all, since
 * the library may have split the URL where no list can foresee.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <dlfcn.h>

#include "dbmigrate/secret.h"
#include "drvcommon.h"

long long dbm_drv_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void dbm_drv_sleep_ms(long ms)
{
	struct timespec ts;

	ts.tv_sec = ms / 1000;
	ts.tv_nsec = (ms % 1000) * 1000000L;
	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

int dbm_drv_connect_with_backoff(const struct dbm_conn_opts *o, int (*attempt)(void *ctx),
                                 int (*retryable)(void *ctx), void *ctx)
{
	long wait = 1, cap = o->connect_retries_interval > 0 ? o->connect_retries_interval : 120;
	int n, rc;

	for (n = 0;; n++) {
		rc = attempt(ctx);
		if (rc != DBM_ERR_RUN || n >= o->connect_retries || (retryable && !retryable(ctx)))
			return rc;
		if (dbm_interrupt_signal())
			return dbm_error_set(DBM_ERR_INTERRUPTED,
			                     "interrupted by %s while connecting",
			                     dbm_signal_name(dbm_interrupt_signal()));
		dbm_drv_sleep_ms((wait < cap ? wait : cap) * 1000L);
		if (wait < cap)
			wait *= 2;
	}
}

int dbm_drv_lease_take(int (*try_take)(void *ctx), void *ctx, int timeout_s)
{
	long long deadline = dbm_drv_now_ms() + (long long)(timeout_s > 0 ? timeout_s : 0) * 1000;

	for (;;) {
		int rc = try_take(ctx);

		if (rc <= 0)
			return rc;
		if (dbm_interrupt_signal())
			return dbm_error_set(
			    DBM_ERR_INTERRUPTED,
			    "interrupted by %s while waiting for the migration lock",
			    dbm_signal_name(dbm_interrupt_signal()));
		if (dbm_drv_now_ms() >= deadline)
			return DBM_ERR_LOCK;
		dbm_drv_sleep_ms(DBM_DRV_LEASE_RETRY_MS);
	}
}

static void *dbm_drv_heartbeat_main(void *arg)
{
	struct dbm_drv_heartbeat *hb = arg;

	pthread_mutex_lock(&hb->mu);
	while (!hb->stop) {
		struct timespec ts;
		int rc;

		clock_gettime(CLOCK_MONOTONIC, &ts);
		ts.tv_sec += DBM_DRV_LEASE_HEARTBEAT_S;
		rc = pthread_cond_timedwait(&hb->cv, &hb->mu, &ts);
		if (hb->stop)
			break;
		if (rc == ETIMEDOUT) {
			pthread_mutex_unlock(&hb->mu);
			hb->beat(hb->ctx);
			pthread_mutex_lock(&hb->mu);
		}
	}
	pthread_mutex_unlock(&hb->mu);
	return NULL;
}

int dbm_drv_heartbeat_start(struct dbm_drv_heartbeat *hb, void (*beat)(void *ctx), void *ctx)
{
	pthread_condattr_t ca;

	memset(hb, 0, sizeof(*hb));
	hb->beat = beat;
	hb->ctx = ctx;
	pthread_mutex_init(&hb->mu, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&hb->cv, &ca);
	pthread_condattr_destroy(&ca);
	if (pthread_create(&hb->thread, NULL, dbm_drv_heartbeat_main, hb) != 0) {
		pthread_cond_destroy(&hb->cv);
		pthread_mutex_destroy(&hb->mu);
		return dbm_error_set(DBM_ERR_RUN, "cannot start the lock heartbeat thread");
	}
	hb->running = 1;
	return 0;
}

void dbm_drv_heartbeat_stop(struct dbm_drv_heartbeat *hb)
{
	if (!hb->running)
		return;
	pthread_mutex_lock(&hb->mu);
	hb->stop = 1;
	pthread_cond_signal(&hb->cv);
	pthread_mutex_unlock(&hb->mu);
	pthread_join(hb->thread, NULL);
	pthread_cond_destroy(&hb->cv);
	pthread_mutex_destroy(&hb->mu);
	hb->running = 0;
}

uint64_t dbm_drv_fnv1a(uint64_t h, const char *s)
{
	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= 1099511628211ULL;
	}
	return h;
}

int dbm_drv_lock_table(struct dbm_buf *out, const char *table, size_t max_name)
{
	unsigned long long h;

	dbm_buf_clear(out);
	if (dbm_buf_addf(out, "%s_lock", table) < 0)
		return DBM_ERR_NOMEM;
	if (max_name == 0 || out->len <= max_name)
		return 0;
	h = dbm_drv_fnv1a(1469598103934665603ULL, out->ptr); /* the FNV-1a offset basis */
	out->len = 42;
	return dbm_buf_addf(out, "_%016llx_lock", h) < 0 ? DBM_ERR_NOMEM : 0;
}

int dbm_drv_quote_ident(struct dbm_buf *b, const char *ident, char q)
{
	int rc = dbm_buf_addc(b, q);

	for (; rc == 0 && *ident; ident++) {
		rc = dbm_buf_addc(b, *ident);
		if (rc == 0 && *ident == q)
			rc = dbm_buf_addc(b, q);
	}
	return rc ? rc : dbm_buf_addc(b, q);
}

int dbm_drv_secrets(const char *url)
{
	int rc = dbm_secret_add_url(url);

	return rc < 0 ? rc : dbm_url_is_ambiguous(url);
}

void dbm_drv_lib_text(char *dst, size_t n, const char *src, int withhold)
{
	const char *p = src ? src : "";
	size_t i, o = 0;

	if (n == 0)
		return;
	if (withhold && *p)
		p = DBM_DRV_WITHHELD;
	/* scrub the text as the library wrote it, before its white space changes */
	if (strlen(p) >= n) {
		memcpy(dst, p, n - 1);
		dst[n - 1] = '\0';
		dbm_secrets_scrub_cut(dst); /* cut short: maybe in the middle of a secret */
	} else {
		memcpy(dst, p, strlen(p) + 1);
		dbm_secrets_scrub(dst);
	}
	for (i = 0; dst[i]; i++) {
		char c = dst[i];

		if (c == '\n' || c == '\t' || c == '\r' || c == ' ') {
			if (o > 0 && dst[o - 1] != ' ')
				dst[o++] = ' ';
			continue;
		}
		dst[o++] = c;
	}
	while (o > 0 && dst[o - 1] == ' ')
		o--;
	dst[o] = '\0';
}

/*
 * The soname dbm_drv_load opens: lib's, or in DBM_FAILPOINTS builds with
 * DBM_TEST_NO_LIB=1 one that does not exist, so that the tests see what a
 * user without the client libraries sees.
 */
static const char *drv_soname(const struct dbm_drv_lib *lib)
{
#ifdef DBM_FAILPOINTS
	const char *gone = getenv("DBM_TEST_NO_LIB");

	if (gone && strcmp(gone, "1") == 0)
		return "dbmigrate-test-no-such-library";
#endif
	return lib->soname;
}

int dbm_drv_load(struct dbm_drv_lib *lib)
{
	void *h, *f;
	size_t i;

	if (lib->handle)
		return 0;
	h = dlopen(drv_soname(lib), RTLD_NOW | RTLD_LOCAL);
	if (!h) {
		dbm_error_set(DBM_ERR_RUN, "cannot load %s %s: %s", lib->what, lib->soname,
		              dlerror());
		dbm_error_set_hint("Install it (Debian and Ubuntu: apt-get install %s).",
		                   lib->package);
		return DBM_ERR_RUN;
	}
	lib->optional_all = 1;
	for (i = 0; i < lib->n; i++) {
		f = dlsym(h, lib->names[i]);
		if (!f && i < lib->nrequired) {
			dbm_error_set(DBM_ERR_RUN, "%s %s has no %s", lib->what, lib->soname,
			              lib->names[i]);
			if (lib->built_against)
				dbm_error_set_hint("dbmigrate was built against %s; install that "
				                   "version or a later one.",
				                   lib->built_against);
			dlclose(h);
			return DBM_ERR_RUN;
		}
		if (!f)
			lib->optional_all = 0;
		/* POSIX: a function's address from dlsym; copied, as C has no cast for it */
		memcpy(&lib->fns[i], &f, sizeof(f));
	}
	lib->handle = h;
	return 0;
}

int dbm_drv_clean_outside_error(const char *kind, const char *name, const char *effect,
                                const struct dbm_buf *names)
{
	size_t off;
	int n = 0;

	dbm_error_set(DBM_ERR_USAGE, "objects outside %s '%s' depend on it: clean would %s", kind,
	              name, effect);
	for (off = 0; off < names->len; off += strlen(names->ptr + off) + 1) {
		if (++n > 20) {
			dbm_error_add_detail("and more");
			break;
		}
		dbm_error_add_detail("%s", names->ptr + off);
	}
	dbm_error_set_hint("Drop or change those objects first (or clean their %ss too); "
	                   "nothing was dropped.",
	                   kind);
	return DBM_ERR_USAGE;
}
