/*
 * prefetch.c - checksums of the versioned files, computed by a second
 * thread while the main one connects, takes the lock and reads the history.
 *
 * A migrate with nothing to do still validates every applied file's
 * checksum: reading a thousand small files costs more than the connection's
 * round trips, so a second thread starts on them at once, and the main
 * thread joins in once it has read the history. The worker only reads files (no database, no output); a file it
 * cannot checksum (too big to be worth it, unreadable, not UTF-8) is left for
 * the main thread, which computes it again and reports the error as usual.
 * The error record is per thread (common.h), so the worker's errors never
 * reach the main thread's.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "dbmigrate/source.h"
#include "runner/runner.h"

/* Fewer files than this are not worth a thread. */
#define PREFETCH_MIN_FILES 32
/* Bigger files are left to the pass that runs them (it computes the checksum anyway). */
#define PREFETCH_MAX_BYTES (1024 * 1024)

struct dbm_prefetch {
	pthread_t thread;
	const struct dbm_fileset *files; /* read only while the thread runs */
	int32_t *sums;
	unsigned char *ok;
	atomic_int stop;
	atomic_size_t next; /* the next file to take: the worker and, once it waits, the main thread */
};

/* Takes files one at a time until none is left (or stop) and checksums them. */
static void prefetch_work(struct dbm_prefetch *p)
{
	struct dbm_source_opts o;
	size_t i;

	memset(&o, 0, sizeof(o)); /* no placeholders, no statements: Flyway's raw checksum */
	o.max_bytes = PREFETCH_MAX_BYTES;
	while (!atomic_load(&p->stop) &&
	       (i = atomic_fetch_add(&p->next, 1)) < p->files->nversioned) {
		const struct dbm_file *f = &p->files->versioned[i];

		if (dbm_source_run(f->path, f->path, &o, &p->sums[i]) == 0)
			p->ok[i] = 1;
		else
			dbm_error_clear();
	}
}

static void *prefetch_main(void *arg)
{
	prefetch_work(arg);
	return NULL;
}

int dbm_prefetch_start(struct dbm_session *s)
{
	struct dbm_prefetch *p;
	size_t n = s->files.nversioned;

	if (s->prefetch || n < PREFETCH_MIN_FILES)
		return 0;
#ifdef DBM_FAILPOINTS
	/* allocation-failure sweeps count allocations: keep them in one thread's order */
	if (getenv("DBM_FAIL_ALLOC"))
		return 0;
#endif
	p = dbm_calloc(1, sizeof(*p));
	if (!p)
		return dbm_error_oom();
	p->files = &s->files;
	p->sums = dbm_calloc(n, sizeof(*p->sums));
	p->ok = dbm_calloc(n, 1);
	atomic_init(&p->stop, 0);
	atomic_init(&p->next, 0);
	if (!p->sums || !p->ok || pthread_create(&p->thread, NULL, prefetch_main, p) != 0) {
		/* no thread: the main thread computes every checksum, as without prefetch */
		dbm_free(p->sums);
		dbm_free(p->ok);
		dbm_free(p);
		return 0;
	}
	s->prefetch = p;
	return 0;
}

void dbm_prefetch_finish(struct dbm_session *s, int use)
{
	struct dbm_prefetch *p = s->prefetch;
	size_t i;

	if (!p)
		return;
	if (use) {
		/* the main thread has nothing else to do: it takes files too */
		struct dbm_error saved = *dbm_error_last();

		prefetch_work(p);
		*dbm_error_last() = saved;
	} else {
		atomic_store(&p->stop, 1);
	}
	pthread_join(p->thread, NULL);
	for (i = 0; use && i < s->files.nversioned; i++) {
		struct dbm_file *f = &s->files.versioned[i];

		if (p->ok[i] && !f->has_checksum) {
			f->checksum = p->sums[i];
			f->has_checksum = 1;
		}
	}
	dbm_free(p->sums);
	dbm_free(p->ok);
	dbm_free(p);
	s->prefetch = NULL;
}
