/*
 * sort.c - qsort for lists that are usually in order already (common.h).
 */
#include <stdlib.h>

#include "dbmigrate/common.h"

/* See common.h. */
void dbm_sort(void *base, size_t n, size_t size, int (*cmp)(const void *, const void *))
{
	const char *p = base;
	size_t i;

	for (i = 1; i < n; i++) {
		if (cmp(p + (i - 1) * size, p + i * size) > 0) {
			qsort(base, n, size, cmp);
			return;
		}
	}
}
