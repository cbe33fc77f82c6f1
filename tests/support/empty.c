/* Keeps the test-support library non-empty before any helper exists. */
typedef int dbm_testsupport_empty;
