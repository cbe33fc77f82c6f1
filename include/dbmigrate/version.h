/*
 * version.h - migration versions: parsing, normalising and ordering.
 *
 * A version is digits separated by '.' or '_' ("1", "2.1", "2024_01_15_1").
 * It is kept as text with '_' turned into '.', so "2024_01_15_1" is stored as
 * "2024.01.15.1" (the digits as written). Comparison is numeric part by part
 * with no limit on the number of digits; leading zeros and trailing zero
 * parts do not count: "1" = "1.0" = "1_0" = "001", "1.10" > "1.9".
 */
#ifndef DBM_VERSION_H
#define DBM_VERSION_H

#include <stddef.h>

/*
 * Checks s[0..len) is a version and returns its stored text in *out
 * (allocated, caller frees with dbm_free). Returns 0, DBM_ERR_USAGE when it is
 * not a version (no error message set: callers name the file), or
 * DBM_ERR_NOMEM.
 */
int dbm_version_normalize(const char *s, size_t len, char **out);
/* 1 when s is a valid version ('.' or '_' separators), else 0. */
int dbm_version_valid(const char *s);
/*
 * <0, 0, >0 as a sorts before, equals or after b. Both are versions in
 * either form ('.' or '_'); NULL sorts before every version.
 */
int dbm_version_cmp(const char *a, const char *b);

#endif /* DBM_VERSION_H */
