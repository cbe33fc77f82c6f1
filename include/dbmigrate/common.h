/*
 * common.h - errors, allocation, growable strings and test failpoints.
 *
 * Every module may call these. Core and driver code returns 0 (DBM_OK) or a
 * negative error class and records the details with dbm_error_set(); only
 * main.c and src/cmd/ print them, and main.c alone turns the class into an
 * exit code. The error record lives in fixed buffers so that reporting an
 * error never needs to allocate (it must work after an allocation failure).
 */
#ifndef DBM_COMMON_H
#define DBM_COMMON_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

/* Error classes. The exit code is the class negated (NOMEM exits 1; see dbm_exit_code). */
enum dbm_errclass {
	DBM_OK = 0,
	DBM_ERR_RUN = -1,        /* exit 1: SQL error, connection lost, I/O error */
	DBM_ERR_USAGE = -2,      /* exit 2: usage, configuration, bad file names */
	DBM_ERR_VALIDATE = -3,   /* exit 3: drift, missing files, failed rows */
	DBM_ERR_LOCK = -4,       /* exit 4: lock not acquired in time */
	DBM_ERR_NOMEM = -5,      /* exit 1: out of memory */
	DBM_ERR_INTERRUPTED = -6 /* exit 128 + the signal (130 SIGINT, 143 SIGTERM, 141 SIGPIPE) */
};

struct dbm_error {
	int klass;          /* enum dbm_errclass, DBM_OK when no error */
	char message[4096]; /* one line, git style: lower-case, no full stop */
	char detail[2048];  /* "" when none */
	char hint[1024];    /* "" when none: a full sentence, what to do next */
	char file[1024];    /* file the error is about, "" when none */
	unsigned line;      /* 1-based line in file, 0 when unknown */
	char sqlstate[8];   /* SQLSTATE from the server, "" when none */
	int server_code;    /* server error number (MySQL errno), 0 when none */
	int position;       /* 1-based byte offset in the statement text, 0 when none */
};

#define DBM_GCC_PRINTF(a, b) __attribute__((format(printf, a, b)))

/* Sets the last error (clearing every other field) and returns klass. */
int dbm_error_set(int klass, const char *fmt, ...) DBM_GCC_PRINTF(2, 3);
int dbm_error_vset(int klass, const char *fmt, va_list ap);
/* Add to the last error; they keep its class and message. */
void dbm_error_set_detail(const char *fmt, ...) DBM_GCC_PRINTF(1, 2);
void dbm_error_set_hint(const char *fmt, ...) DBM_GCC_PRINTF(1, 2);
void dbm_error_set_where(const char *file, unsigned line);
/*
 * Adds a part to the last error's detail: "<detail>; <text>", or the text
 * alone when the detail is empty. The old detail is copied first, so the
 * arguments may point into the error itself. A detail too long for its
 * buffer is cut.
 */
void dbm_error_add_detail(const char *fmt, ...) DBM_GCC_PRINTF(1, 2);
/*
 * Keeps a copy of the last error in *saved, and puts it back: for cleanup
 * (ROLLBACK, unlock, reset) that may fail and set an error of its own after
 * the failure that matters.
 */
void dbm_error_save(struct dbm_error *saved);
void dbm_error_restore(const struct dbm_error *saved);
/*
 * The exit code of an error class: 0 for DBM_OK, 2 usage, 3 validation,
 * 4 lock, 1 for every other failure (run, out of memory); 128 + the signal
 * for any failure but a usage error once a signal asked the run to stop.
 * The one place that decides it.
 */
int dbm_exit_code(int klass);

/*
 * The signal that asked the run to stop (SIGINT, SIGTERM, SIGPIPE), 0 when
 * none. dbm_interrupt_set is async-signal-safe; the runner and the drivers'
 * waiting loops check dbm_interrupt_signal between statements and waits.
 */
void dbm_interrupt_set(int signo);
int dbm_interrupt_signal(void);
/* "SIGINT", "SIGTERM", "SIGPIPE", else "a signal". */
const char *dbm_signal_name(int signo);
/* Records "out of memory" and returns DBM_ERR_NOMEM. */
int dbm_error_oom(void);
/* The last error; never NULL. Mutable so drivers can fill sqlstate etc. */
struct dbm_error *dbm_error_last(void);
void dbm_error_clear(void);

/*
 * Allocation. All project code allocates through these so that tests can
 * make the n-th allocation fail (DBM_FAILPOINTS builds, env DBM_FAIL_ALLOC=n).
 * They return NULL on failure and never print; dbm_free(NULL) is a no-op.
 */
void *dbm_malloc(size_t n);
void *dbm_calloc(size_t count, size_t size);
void *dbm_realloc(void *p, size_t n);
char *dbm_strdup(const char *s);
char *dbm_strndup(const char *s, size_t n);
void dbm_free(void *p);
/*
 * Gives the pages of freed memory back to the system (glibc's malloc_trim;
 * a no-op elsewhere), after a phase that allocated much and freed it all, so
 * that what is allocated next does not add to the peak memory.
 */
void dbm_release_free_memory(void);

/*
 * qsort(base, n, size, cmp), after one pass that finds base already in
 * order and leaves it: history rows arrive by rank, applied versions mostly
 * ascend, and a no-op migrate sorts thousands of them.
 */
void dbm_sort(void *base, size_t n, size_t size, int (*cmp)(const void *, const void *));

/*
 * Growable string (git's strbuf). ptr is NULL until the first add, and
 * NUL-terminated after it. Functions return 0 or DBM_ERR_NOMEM (error set).
 */
struct dbm_buf {
	char *ptr;
	size_t len;
	size_t cap;
};
#define DBM_BUF_INIT                                                                               \
	{                                                                                          \
		NULL, 0, 0                                                                         \
	}

int dbm_buf_grow(struct dbm_buf *b, size_t extra);
int dbm_buf_add(struct dbm_buf *b, const char *data, size_t len);
int dbm_buf_adds(struct dbm_buf *b, const char *s);
int dbm_buf_addc(struct dbm_buf *b, char c);
int dbm_buf_addf(struct dbm_buf *b, const char *fmt, ...) DBM_GCC_PRINTF(2, 3);
int dbm_buf_vaddf(struct dbm_buf *b, const char *fmt, va_list ap);
/* Empties the buffer and keeps its memory. */
void dbm_buf_clear(struct dbm_buf *b);
/* Frees the memory; the buffer is DBM_BUF_INIT again. */
void dbm_buf_free(struct dbm_buf *b);
/* The text, "" for an empty never-grown buffer; borrowed. */
const char *dbm_buf_cstr(const struct dbm_buf *b);
/* Hands the memory to the caller (who frees it with dbm_free); may be NULL. */
char *dbm_buf_detach(struct dbm_buf *b);
/* Appends code point cp (< 0x110000, not a surrogate) as UTF-8. */
int dbm_buf_add_utf8(struct dbm_buf *b, unsigned long cp);
/* The value of hex digit c (0-9, a-f, A-F), or -1. */
int dbm_hex_digit(char c);

/*
 * Failpoints for crash tests. In DBM_FAILPOINTS builds, env
 * DBM_FAILPOINT="name:k" makes the k-th call of dbm_failpoint("name") end
 * the process at once with _exit(137), as kill -9 would. Elsewhere it is
 * a no-op that the compiler removes.
 */
#ifdef DBM_FAILPOINTS
void dbm_failpoint(const char *name);
#else
#define dbm_failpoint(name) ((void)0)
#endif

#define DBM_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#endif /* DBM_COMMON_H */
