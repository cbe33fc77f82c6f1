/*
 * alloc.c - the allocation wrappers every module uses (common.h), and the
 * failpoints of test builds.
 *
 * In DBM_FAILPOINTS builds the environment variable DBM_FAIL_ALLOC=n makes
 * the n-th allocation (1-based, counting malloc, calloc, realloc and the
 * strdup variants) and every later one fail, so a test can sweep n across a
 * whole run and check that each run ends cleanly.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif

#include "dbmigrate/common.h"

#ifdef DBM_FAILPOINTS
#include <stdatomic.h>
#include <stdio.h>

static atomic_ulong alloc_calls;    /* the file-reading helper thread allocates too */
static unsigned long alloc_fail_at; /* 0: never */
static int alloc_fail_read;

static int alloc_should_fail(void)
{
	if (!alloc_fail_read) {
		const char *v = getenv("DBM_FAIL_ALLOC");
		alloc_fail_at = v ? strtoul(v, NULL, 10) : 0;
		alloc_fail_read = 1;
	}
	return alloc_fail_at && atomic_fetch_add(&alloc_calls, 1) + 1 >= alloc_fail_at;
}

void dbm_failpoint(const char *name)
{
	static unsigned long hits;
	const char *spec = getenv("DBM_FAILPOINT");
	const char *colon;
	size_t nlen;

	if (!spec || !(colon = strchr(spec, ':')))
		return;
	nlen = (size_t)(colon - spec);
	if (strlen(name) != nlen || memcmp(spec, name, nlen) != 0)
		return;
	if (++hits == strtoul(colon + 1, NULL, 10)) {
		fprintf(stderr, "dbmigrate: failpoint %s:%lu reached, exiting\n", name, hits);
		_exit(137);
	}
}
#else
#define alloc_should_fail() 0
#endif

void *dbm_malloc(size_t n)
{
	if (alloc_should_fail())
		return NULL;
	return malloc(n ? n : 1);
}

void *dbm_calloc(size_t count, size_t size)
{
	if (alloc_should_fail())
		return NULL;
	return calloc(count ? count : 1, size ? size : 1);
}

void *dbm_realloc(void *p, size_t n)
{
	if (alloc_should_fail())
		return NULL;
	return realloc(p, n ? n : 1);
}

char *dbm_strndup(const char *s, size_t n)
{
	char *r = dbm_malloc(n + 1);

	if (!r)
		return NULL;
	memcpy(r, s, n);
	r[n] = '\0';
	return r;
}

char *dbm_strdup(const char *s)
{
	return s ? dbm_strndup(s, strlen(s)) : NULL;
}

void dbm_free(void *p)
{
	free(p);
}

void dbm_release_free_memory(void)
{
#ifdef __GLIBC__
	malloc_trim(0);
#endif
}
