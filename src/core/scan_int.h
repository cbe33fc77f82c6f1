/*
 * scan_int.h - what the files of the migration scanner share; only
 * src/core/scan.c, filename.c, sidecar.c and layout_scan.c include it.
 *
 *   scan.c     the folder walk, duplicate checks, the collected problems
 *   filename.c the file-name grammar (dbm_parse_filename, scan.h)
 *   sidecar.c  the "<script>.conf" settings file beside a script
 */
#ifndef DBM_SCAN_INT_H
#define DBM_SCAN_INT_H

#include <stdarg.h>
#include <stddef.h>
#include <sys/types.h>

#include "dbmigrate/common.h"
#include "dbmigrate/scan.h"

/* A growing array of files. */
struct scan_list {
	struct dbm_file *items;
	size_t n, cap;
};

struct scan_state {
	struct scan_list versioned, repeatable, undo, callbacks;
	size_t nproblems;      /* every problem found */
	size_t nkept;          /* those whose text is kept (SCAN_MAX_KEPT) */
	struct dbm_buf first;  /* the first problem's text */
	char first_file[1024]; /* and where it is, when it has a line */
	unsigned first_line;
	struct dbm_buf details;       /* every problem, one per line */
	struct dbm_buf hints;         /* each distinct hint once */
	enum dbm_naming naming;       /* the layout asked for (naming key), AUTO: found per file */
	char *seen[DBM_NAMING_COUNT]; /* the first file read in each layout */
	int skip_dir; /* the rollback folder when it is inside the migrations folder */
	dev_t skip_dev;
	ino_t skip_ino;
};

/*
 * Records a problem: text, and file:line when it is about a line of a
 * file (file NULL: none). Returns 0 or DBM_ERR_NOMEM.
 */
int scan_problem(struct scan_state *st, const char *file, unsigned line, const char *hint,
                 const char *fmt, ...) DBM_GCC_PRINTF(5, 6);

/*
 * Reads f->path + ".conf" when it exists and applies its settings to f.
 * Returns 0 (problems recorded), DBM_ERR_RUN when it exists but cannot be
 * read, DBM_ERR_NOMEM.
 */
int scan_read_conf(struct scan_state *st, struct dbm_file *f);

/* Frees what f holds and zeroes it. */
void scan_file_clear(struct dbm_file *f);
/* Moves *f into the list (f is emptied). Returns 0 or DBM_ERR_NOMEM (f untouched). */
int scan_list_add(struct scan_list *l, struct dbm_file *f);

#endif /* DBM_SCAN_INT_H */
