/*
 * version.c - migration versions: parsing, normalising and ordering (version.h).
 *
 * A version is one or more runs of ASCII digits separated by single '.' or
 * '_' characters. The stored form turns '_' into '.' and keeps the digits as
 * written. Comparison never converts to an integer, so versions such as
 * "20240115123456789012" of any length order correctly: each part is
 * compared without its leading zeros, first by length and then digit by
 * digit, and a missing part counts as zero. Called by scan.c for file names
 * and by the planner and commands for history rows and --target / --to.
 */
#include <string.h>

#include "dbmigrate/common.h"
#include "dbmigrate/version.h"

static int version_is_sep(char c)
{
	return c == '.' || c == '_';
}

static int version_is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* 1 when s[0..len) is digits separated by single '.' or '_', else 0. */
static int version_check(const char *s, size_t len)
{
	size_t i;
	int need_digit = 1;

	if (len == 0)
		return 0;
	for (i = 0; i < len; i++) {
		if (version_is_digit(s[i]))
			need_digit = 0;
		else if (version_is_sep(s[i]) && !need_digit)
			need_digit = 1;
		else
			return 0;
	}
	return !need_digit;
}

/*
 * Returns 0 with *out set to the stored text, DBM_ERR_USAGE when s is not a
 * version (no message: the caller names the file), DBM_ERR_NOMEM.
 */
int dbm_version_normalize(const char *s, size_t len, char **out)
{
	char *r;
	size_t i;

	*out = NULL;
	if (!s || !version_check(s, len))
		return DBM_ERR_USAGE;
	r = dbm_strndup(s, len);
	if (!r)
		return dbm_error_oom();
	for (i = 0; i < len; i++)
		if (r[i] == '_')
			r[i] = '.';
	*out = r;
	return 0;
}

int dbm_version_valid(const char *s)
{
	return s && version_check(s, strlen(s));
}

/*
 * Moves *p past the next part of a version and returns that part without
 * its leading zeros in *digits / *ndigits ("" for a zero part, and for the
 * parts after the end of the string).
 */
static void version_next_part(const char **p, const char **digits, size_t *ndigits)
{
	const char *s = *p;
	const char *start;

	while (*s == '0')
		s++;
	start = s;
	while (version_is_digit(*s))
		s++;
	*digits = start;
	*ndigits = (size_t)(s - start);
	if (*s) /* a separator, or a stray character in an invalid version */
		s++;
	*p = s;
}

/* <0, 0, >0 as a sorts before, equals or after b; NULL first. */
int dbm_version_cmp(const char *a, const char *b)
{
	if (!a || !b)
		return (a != NULL) - (b != NULL);
	while (*a || *b) {
		const char *da, *db;
		size_t na, nb;
		int c;

		version_next_part(&a, &da, &na);
		version_next_part(&b, &db, &nb);
		if (na != nb)
			return na < nb ? -1 : 1;
		c = memcmp(da, db, na);
		if (c)
			return c < 0 ? -1 : 1;
	}
	return 0;
}
