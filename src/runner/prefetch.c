/*
 * prefetch.c - the files' side of opening a session, done by other threads
 * while the main one connects, takes the lock and reads the history.
 *
 * A migrate with nothing to do still scans the folders and validates every
 * applied file's checksum: for a thousand small files that costs more than
 * the connection's round trips, so it runs beside them. Against a server the
 * thread scans the folders too (dbm_prefetch_scan_start), while the main
 * thread connects; the main thread waits for the scan before it does
 * anything more than connect, and a scan problem is reported before a
 * connection problem, as when the two ran one after the other. Then, or
 * when the main thread scanned itself (dbm_prefetch_start), that thread and
 * one more per further core (the main thread mostly waits on the server)
 * checksum the versioned files, and the main thread joins in once it has
 * read the history.
 *
 * The worker only reads files (no database, no output); a file it cannot
 * checksum (too big to be worth it, unreadable, not UTF-8) is left for the
 * main thread, which computes it again and reports the error as usual. The
 * error record is per thread (common.h): a scan error is handed over
 * explicitly, the worker's other errors never reach the main thread.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dbmigrate/scan.h"
#include "dbmigrate/source.h"
#include "runner/runner.h"

/* Fewer files than this are not worth checksumming in a second thread. */
#define PREFETCH_MIN_FILES 32
/* Bigger files are left to the pass that runs them (it computes the checksum anyway). */
#define PREFETCH_MAX_BYTES (1024 * 1024)
/* Threads that checksum while the main one waits on the server: one per core, at most. */
#define PREFETCH_MAX_THREADS 4

struct dbm_prefetch {
	pthread_t thread[PREFETCH_MAX_THREADS]; /* [0] scans, then all take files */
	int nthreads;
	struct dbm_fileset *files; /* the worker's alone until the scan is done, then read only */
	const char *migrations;    /* set when the worker scans */
	const char *rollback;
	enum dbm_naming naming; /* the files' layout */
	pthread_mutex_t mu;
	pthread_cond_t scanned_cv;
	int scanned;               /* under mu: the scan is over (always 1 without a scan) */
	int scan_rc;               /* under mu: its result */
	struct dbm_error scan_err; /* under mu: its error, when scan_rc < 0 */
	int32_t *sums;             /* NULL: no checksums in the second thread */
	unsigned char *ok;
	atomic_int stop;
	atomic_size_t
	    next; /* the next file to take: the worker and, once it waits, the main thread */
};

/* Takes files one at a time until none is left (or stop) and checksums them. */
static void prefetch_work(struct dbm_prefetch *p)
{
	struct dbm_source_opts o;
	size_t i;

	if (!p->sums)
		return;
	memset(&o, 0, sizeof(o)); /* no placeholders, no statements: Flyway's raw checksum */
	o.max_bytes = PREFETCH_MAX_BYTES;
	while (!atomic_load(&p->stop) &&
	       (i = atomic_fetch_add(&p->next, 1)) < p->files->nversioned) {
		const struct dbm_file *f = &p->files->versioned[i];

		if (dbm_source_run_file(f, &o, &p->sums[i]) == 0)
			p->ok[i] = 1;
		else
			dbm_error_clear();
	}
}

/* Room for the checksums, when there are enough files. 0, or -1 (no room: none computed). */
static int prefetch_alloc(struct dbm_prefetch *p)
{
	size_t n = p->files->nversioned;

	if (n < PREFETCH_MIN_FILES)
		return 0;
	p->sums = dbm_calloc(n, sizeof(*p->sums));
	p->ok = dbm_calloc(n, 1);
	if (p->sums && p->ok)
		return 0;
	dbm_free(p->sums);
	dbm_free(p->ok);
	p->sums = NULL;
	p->ok = NULL;
	return -1;
}

static void *prefetch_main(void *arg)
{
	struct dbm_prefetch *p = arg;

	if (p->migrations) {
		int rc = dbm_scan_layout(p->migrations, p->rollback, p->naming, p->files);

		if (rc == 0 && prefetch_alloc(p) < 0)
			dbm_error_clear(); /* the main thread computes the checksums */
		pthread_mutex_lock(&p->mu);
		p->scan_rc = rc;
		if (rc < 0)
			p->scan_err = *dbm_error_last();
		p->scanned = 1;
		pthread_cond_broadcast(&p->scanned_cv);
		pthread_mutex_unlock(&p->mu);
		if (rc < 0)
			return NULL;
	}
	prefetch_work(p);
	return NULL;
}

/* The other threads: they wait for the scan, then take files beside the first. */
static void *prefetch_helper(void *arg)
{
	struct dbm_prefetch *p = arg;
	int rc;

	pthread_mutex_lock(&p->mu);
	while (!p->scanned)
		pthread_cond_wait(&p->scanned_cv, &p->mu);
	rc = p->scan_rc;
	pthread_mutex_unlock(&p->mu);
	if (rc == 0)
		prefetch_work(p);
	return NULL;
}

/* Threads to start: one per core, the main thread being mostly blocked on the server. */
static int prefetch_threads(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	if (n < 1)
		return 1;
	return n > PREFETCH_MAX_THREADS ? PREFETCH_MAX_THREADS : (int)n;
}

/* A thread for s's files, or none (1) when threads are out (allocation sweeps) or fail. */
static int prefetch_launch(struct dbm_session *s, const char *migrations, const char *rollback)
{
	struct dbm_prefetch *p;

#ifdef DBM_FAILPOINTS
	/* allocation-failure sweeps count allocations: keep them in one thread's order */
	if (getenv("DBM_FAIL_ALLOC"))
		return 1;
#endif
	p = dbm_calloc(1, sizeof(*p));
	if (!p)
		return dbm_error_oom();
	p->files = &s->files;
	p->migrations = migrations;
	p->rollback = rollback;
	p->naming = dbm_config_naming(s->cfg);
	p->scanned = migrations == NULL;
	atomic_init(&p->stop, 0);
	atomic_init(&p->next, 0);
	if (!migrations && prefetch_alloc(p) < 0)
		goto no_thread;
	if (pthread_mutex_init(&p->mu, NULL) != 0)
		goto no_thread;
	if (pthread_cond_init(&p->scanned_cv, NULL) != 0) {
		pthread_mutex_destroy(&p->mu);
		goto no_thread;
	}
	if (pthread_create(&p->thread[0], NULL, prefetch_main, p) != 0) {
		pthread_cond_destroy(&p->scanned_cv);
		pthread_mutex_destroy(&p->mu);
		goto no_thread;
	}
	/* more threads are a help, not a need: one that does not start is no error */
	for (p->nthreads = 1; p->nthreads < prefetch_threads(); p->nthreads++)
		if (pthread_create(&p->thread[p->nthreads], NULL, prefetch_helper, p) != 0)
			break;
	s->prefetch = p;
	return 0;
no_thread:
	/* the main thread does the work itself, as without prefetch */
	dbm_free(p->sums);
	dbm_free(p->ok);
	dbm_free(p);
	return 1;
}

int dbm_prefetch_start(struct dbm_session *s)
{
	int r;

	if (s->prefetch || s->files.nversioned < PREFETCH_MIN_FILES)
		return 0;
	r = prefetch_launch(s, NULL, NULL);
	return r < 0 ? r : 0;
}

int dbm_prefetch_scan_start(struct dbm_session *s, const char *migrations, const char *rollback)
{
	return s->prefetch ? 1 : prefetch_launch(s, migrations, rollback);
}

int dbm_prefetch_scan_wait(struct dbm_session *s)
{
	struct dbm_prefetch *p = s->prefetch;
	int rc;

	if (!p)
		return 0;
	pthread_mutex_lock(&p->mu);
	while (!p->scanned)
		pthread_cond_wait(&p->scanned_cv, &p->mu);
	rc = p->scan_rc;
	if (rc < 0)
		*dbm_error_last() = p->scan_err;
	pthread_mutex_unlock(&p->mu);
	return rc;
}

void dbm_prefetch_finish(struct dbm_session *s, int use)
{
	struct dbm_prefetch *p = s->prefetch;
	size_t i;

	if (!p)
		return;
	if (use && dbm_prefetch_scan_wait(s) == 0) {
		/* the main thread has nothing else to do: it takes files too */
		struct dbm_error saved = *dbm_error_last();

		prefetch_work(p);
		*dbm_error_last() = saved;
	} else {
		use = 0;
		atomic_store(&p->stop, 1);
	}
	for (i = 0; i < (size_t)p->nthreads; i++)
		pthread_join(p->thread[i], NULL);
	for (i = 0; use && p->sums && i < s->files.nversioned; i++) {
		struct dbm_file *f = &s->files.versioned[i];

		if (p->ok[i] && !f->has_checksum) {
			f->checksum = p->sums[i];
			f->has_checksum = 1;
		}
	}
	pthread_cond_destroy(&p->scanned_cv);
	pthread_mutex_destroy(&p->mu);
	dbm_free(p->sums);
	dbm_free(p->ok);
	dbm_free(p);
	s->prefetch = NULL;
}
