/*
 * layout_int.h - the migration layouts: how the scanner reads a file name
 * (and, for dbmate and goose, the file's annotations) in each tool's way,
 * and how a runner's pass over a two-part file keeps only one part. Only
 * src/core/scan.c, source.c and layout*.c include it.
 *
 *   layout.c                 the table of layouts, detection (naming: auto),
 *                            the annotation reader and the part filter
 *   layout_scan.c            two-part files and mixed folders in the scan
 *   layout_flyway.c          V<v>__d.sql, R__d.sql, U<v>__d.sql (filename.c)
 *   layout_golang_migrate.c  N_desc.up.sql / N_desc.down.sql
 *   layout_dbmate.c          N_desc.sql with -- migrate:up / -- migrate:down
 *   layout_goose.c           N_desc.sql with -- +goose Up / Down / ...
 *   layout_numbered.c        NNN_desc.sql, undo rollback/NNN_desc.sql
 */
#ifndef DBM_LAYOUT_INT_H
#define DBM_LAYOUT_INT_H

#include <stddef.h>

#include "dbmigrate/checksum.h"
#include "dbmigrate/common.h"
#include "dbmigrate/scan.h"

/* An annotation line of a dbmate or goose file. */
enum layout_mark {
	LAYOUT_MARK_NONE = 0, /* not an annotation */
	LAYOUT_MARK_UP,
	LAYOUT_MARK_DOWN,
	LAYOUT_MARK_BEGIN,      /* goose StatementBegin */
	LAYOUT_MARK_END,        /* goose StatementEnd */
	LAYOUT_MARK_NO_TX,      /* goose NO TRANSACTION */
	LAYOUT_MARK_ENVSUB_ON,  /* goose ENVSUB ON */
	LAYOUT_MARK_ENVSUB_OFF, /* goose ENVSUB OFF */
	LAYOUT_MARK_UNKNOWN     /* goose: "-- +goose" followed by something else */
};

/* What the annotations of a two-part file say (layout_read_parts). */
struct layout_parts {
	int has_up, has_down;
	int up_tx, down_tx; /* 1, or 0 for dbmate's transaction:false / goose's NO TRANSACTION */
};

/* One layout: how it reads a file name, and whether its files have parts. */
struct layout_ops {
	enum dbm_naming naming;
	const char *name; /* as the naming key spells it */
	const char *hint; /* the names it expects, a full sentence */
	/*
	 * Reads a file name (no folder) found in the migrations folder
	 * (in_rollback 0) or the rollback folder (1). Returns 1 and fills
	 * f->kind, f->version, f->description (allocated); 0 when the name does
	 * not fit (nothing allocated); DBM_ERR_NOMEM.
	 */
	int (*parse_name)(const char *name, int in_rollback, struct dbm_file *f);
	int parts; /* 1: a file holds an up and a down part, marked by annotations */
};

/*
 * 1 when folder dir holds numbered undo scripts (NNN_desc.sql) and no
 * Flyway-named file, so that naming: auto takes <migrations>/rollback as a
 * numbered project's rollback folder and leaves a Flyway project's
 * sub-folder of that name alone; else 0 (also when it cannot be read).
 */
int layout_numbered_folder(const char *dir);

extern const struct layout_ops layout_flyway, layout_golang_migrate, layout_dbmate, layout_goose,
    layout_numbered;

/* The layout of a naming (not AUTO). */
const struct layout_ops *layout_get(enum dbm_naming n);

/*
 * Reads "<digits>_<rest>" + suffix (need_sep 0: "<digits><rest>" + suffix,
 * one '_' after the digits dropped, as dbmate reads ^(\d+).*\.sql$): the
 * version (normalised, version.h) and the description rest (may be empty)
 * kept as written. Returns 1, 0 when name does not have that form,
 * DBM_ERR_NOMEM.
 */
int layout_parse_number_name(const char *name, const char *suffix, int need_sep,
                             struct dbm_file *f);

/*
 * Reads a file name (path: the file, name: its last part) in the wanted
 * layout, or, for DBM_NAMING_AUTO, in the layout it fits: Flyway's names,
 * golang-migrate's .up.sql/.down.sql, then NNN_desc.sql read as goose,
 * dbmate or plain numbered by its text (numbered in the rollback folder).
 * Returns the layout (a DBM_NAMING_* > 0) with f->kind, version and
 * description filled; 0 when the name fits none; DBM_ERR_RUN, DBM_ERR_NOMEM.
 */
int layout_classify(enum dbm_naming want, const char *path, const char *name, int in_rollback,
                    struct dbm_file *f);

/*
 * The annotation line[0..n) (no line terminator) is, for a dbmate file
 * (naming DBM_NAMING_DBMATE) or a goose file. *no_tx is set to 1 for a
 * dbmate up/down line with transaction:false.
 */
enum layout_mark layout_mark_of(enum dbm_naming naming, const char *line, size_t n, int *no_tx);

/*
 * Reads the annotations of a dbmate or goose file at path (display: what
 * errors name). Returns 0 and fills *parts; DBM_ERR_USAGE with file and
 * line set when the annotations do not make a migration that tool would
 * run (no up part, down before up, StatementEnd without StatementBegin,
 * statements before the up part ...); DBM_ERR_RUN when unreadable;
 * DBM_ERR_NOMEM.
 */
int layout_read_parts(enum dbm_naming naming, const char *path, struct layout_parts *parts);

/*
 * Looks at a file's text to tell the two-part layouts from plain numbered
 * files: DBM_NAMING_GOOSE when it has a "-- +goose Up" line,
 * DBM_NAMING_DBMATE when it has a "-- migrate:up" line, else
 * DBM_NAMING_NUMBERED. Returns that, or DBM_ERR_RUN / DBM_ERR_NOMEM.
 */
int layout_sniff(const char *path);

struct scan_state;

/*
 * A dbmate or goose file f (name read, path set): its annotations say where
 * the up part (f, moved into the versioned list) and the down part (an undo
 * entry for the same file, when there is one) are, and whether each runs
 * in a transaction. Returns 0 (broken annotations are a recorded problem
 * with file and line), DBM_ERR_RUN, DBM_ERR_NOMEM. layout_scan.c.
 */
int layout_add_parts(struct scan_state *st, struct dbm_file *f);
/*
 * naming: auto: when the files were read in more than one layout, records
 * one problem naming the first file of each. Returns 0 or DBM_ERR_NOMEM.
 */
int layout_check_mixed(struct scan_state *st);

/* Events of the part filter for the statement splitter. */
#define LAYOUT_EV_HOLD 1    /* goose StatementBegin: what follows is one statement */
#define LAYOUT_EV_RELEASE 2 /* goose StatementEnd: hand that statement out */

typedef int (*layout_text_fn)(void *ctx, const char *p, size_t n);
typedef int (*layout_event_fn)(void *ctx, int ev, unsigned line);

/*
 * The part filter: fed a file's text in chunks of any size, passes on the
 * lines of the wanted part and, for every other line (the other part,
 * annotations, what comes before the first part), only its line
 * terminator, so that line numbers stay those of the file. goose's
 * StatementBegin / StatementEnd become events at the line where they are;
 * within ENVSUB ON ... OFF, ${VAR}, ${VAR:-default}, ${VAR-default} and $VAR
 * are replaced from the environment as goose does. sum is the checksum
 * of the wanted part's lines as they are in the file (annotation lines
 * and the other part left out): the part's checksum (docs/decisions.md).
 */
struct layout_filter {
	enum dbm_naming naming;
	enum dbm_section want;
	enum dbm_section cur;
	int envsub;
	unsigned line;      /* 1-based line of the first byte of buf */
	struct dbm_buf buf; /* the current, incomplete line */
	struct dbm_buf out; /* a line after ENVSUB */
	layout_text_fn text;
	layout_event_fn event;
	void *ctx;
	struct dbm_checksum sum; /* the wanted part's lines as written (before ENVSUB) */
};

void layout_filter_init(struct layout_filter *lf, enum dbm_naming naming, enum dbm_section want,
                        layout_text_fn text, layout_event_fn event, void *ctx);
/* Returns 0, or the first non-zero value of a callback, or DBM_ERR_NOMEM. */
int layout_filter_feed(struct layout_filter *lf, const char *p, size_t n);
/* Passes on the last line (one without a terminator). Returns as feed. */
int layout_filter_finish(struct layout_filter *lf);
void layout_filter_free(struct layout_filter *lf);

#endif /* DBM_LAYOUT_INT_H */
