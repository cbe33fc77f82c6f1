/*
 * scan.h - finding migration files and reading their names and settings.
 *
 * dbm_scan() walks the migrations folder recursively and the rollback
 * folder, parses V<version>__<desc>.sql, R__<desc>.sql and
 * U<version>__<desc>.sql names, reads per-file "<file>.conf" settings, and
 * checks the set: a .sql file with a name that does not fit, two files with
 * equal versions, or an undo file with no versioned file are errors that name
 * every file involved. Files with other extensions are ignored. It reads no
 * file contents besides .conf files (checksums are computed by source.h).
 */
#ifndef DBM_SCAN_H
#define DBM_SCAN_H

#include <stddef.h>
#include <stdint.h>

struct dbm_buf;

enum dbm_file_kind {
	DBM_FILE_VERSIONED = 0,
	DBM_FILE_REPEATABLE = 1,
	DBM_FILE_UNDO = 2,
	DBM_FILE_CALLBACK = 3 /* an SQL callback: EVENT.sql or EVENT__description.sql */
};

/*
 * Flyway's callback events, each run by the SQL files named after it
 * (dbm_event_name gives the name). The runner fires them (runner/callback.c).
 */
enum dbm_event {
	DBM_EV_BEFORE_MIGRATE = 0,
	DBM_EV_BEFORE_EACH_MIGRATE,
	DBM_EV_AFTER_EACH_MIGRATE,
	DBM_EV_AFTER_EACH_MIGRATE_ERROR,
	DBM_EV_BEFORE_REPEATABLES,
	DBM_EV_AFTER_VERSIONED,
	DBM_EV_AFTER_MIGRATE_APPLIED,
	DBM_EV_AFTER_MIGRATE,
	DBM_EV_AFTER_MIGRATE_ERROR,
	DBM_EV_BEFORE_UNDO,
	DBM_EV_BEFORE_EACH_UNDO,
	DBM_EV_AFTER_EACH_UNDO,
	DBM_EV_AFTER_EACH_UNDO_ERROR,
	DBM_EV_AFTER_UNDO,
	DBM_EV_AFTER_UNDO_ERROR,
	DBM_EV_BEFORE_VALIDATE,
	DBM_EV_AFTER_VALIDATE,
	DBM_EV_AFTER_VALIDATE_ERROR,
	DBM_EV_BEFORE_INFO,
	DBM_EV_AFTER_INFO,
	DBM_EV_AFTER_INFO_ERROR,
	DBM_EV_BEFORE_REPAIR,
	DBM_EV_AFTER_REPAIR,
	DBM_EV_AFTER_REPAIR_ERROR,
	DBM_EV_BEFORE_BASELINE,
	DBM_EV_AFTER_BASELINE,
	DBM_EV_AFTER_BASELINE_ERROR,
	DBM_EV_BEFORE_CLEAN,
	DBM_EV_AFTER_CLEAN,
	DBM_EV_AFTER_CLEAN_ERROR,
	DBM_EV_BEFORE_CONNECT,
	DBM_EV_AFTER_CONNECT,
	DBM_EV_COUNT
};

/*
 * The migration layouts dbmigrate reads (config key "naming", --naming):
 * Flyway's V/R/U names, golang-migrate's N_desc.up.sql / .down.sql, dbmate's
 * and goose's one file with an up and a down part, and plain numbered files
 * NNN_desc.sql with their undo in the rollback folder. AUTO finds the layout
 * from the files; a folder mixing layouts is an error.
 */
enum dbm_naming {
	DBM_NAMING_AUTO = 0,
	DBM_NAMING_FLYWAY,
	DBM_NAMING_GOLANG_MIGRATE,
	DBM_NAMING_DBMATE,
	DBM_NAMING_GOOSE,
	DBM_NAMING_NUMBERED,
	DBM_NAMING_COUNT
};

/* Which part of a file a script is (struct dbm_file.section). */
enum dbm_section {
	DBM_SECTION_WHOLE = 0, /* the whole file */
	DBM_SECTION_UP = 1,    /* dbmate's "-- migrate:up" / goose's "-- +goose Up" part */
	DBM_SECTION_DOWN = 2   /* the "-- migrate:down" / "-- +goose Down" part */
};

struct dbm_file {
	enum dbm_file_kind kind;
	char *version;     /* normalised (version.h); NULL for repeatables */
	char *description; /* the name after "__" without ".sql", '_' shown as ' ' */
	char *script;      /* path relative to its folder, '/'-separated: "sub/V2__x.sql" (history's
	                    * script      column); points into path, freed with it */
	char *path;        /* path to open: "<folder>/<script>" */
	int in_transaction; /* from .conf executeInTransaction: 1 true, 0 false, -1 not set */
	char *encoding;     /* from .conf encoding=, NULL when not set (UTF-8) */
	int has_checksum;   /* set by the caller once computed */
	int32_t checksum;
	struct dbm_file *undo;    /* versioned files: the matching undo file in undo[], or NULL */
	int event;                /* callbacks: enum dbm_event */
	enum dbm_naming naming;   /* the layout that read it (DBM_NAMING_FLYWAY for V/R/U names) */
	enum dbm_section section; /* the part of the file that is this script */
};

struct dbm_fileset {
	struct dbm_file *versioned; /* sorted by version, ascending */
	size_t nversioned;
	struct dbm_file *repeatable; /* sorted by description, then script */
	size_t nrepeatable;
	struct dbm_file *undo; /* sorted by version, ascending */
	size_t nundo;
	struct dbm_file *callbacks; /* sorted by event, then file name, then script */
	size_t ncallbacks;
};

#define DBM_FILESET_INIT                                                                           \
	{                                                                                          \
		NULL, 0, NULL, 0, NULL, 0, NULL, 0                                                 \
	}

/*
 * Scans migrations_dir (required to exist: DBM_ERR_USAGE naming it
 * otherwise) and rollback_dir (may be missing: no undo files). Returns 0;
 * DBM_ERR_USAGE for bad names, duplicate versions, orphan undo files or bad
 * .conf files, the message naming every file involved (one per line in
 * detail) and the hint showing the expected form; DBM_ERR_RUN for an I/O
 * error; DBM_ERR_NOMEM. On error *out is left empty.
 */
int dbm_scan(const char *migrations_dir, const char *rollback_dir, struct dbm_fileset *out);
/*
 * As dbm_scan, reading the files in the given layout (dbm_scan: AUTO). A
 * name that does not fit the layout, a broken dbmate or goose annotation
 * (file and line) or, with AUTO, a folder mixing layouts (one file of each
 * named) are DBM_ERR_USAGE.
 */
int dbm_scan_layout(const char *migrations_dir, const char *rollback_dir, enum dbm_naming naming,
                    struct dbm_fileset *out);
/*
 * Parses a naming value ("auto", "flyway", "golang-migrate", "dbmate",
 * "goose", "numbered"). Returns 0, or DBM_ERR_USAGE with the error set
 * naming the value and listing the valid ones.
 */
int dbm_naming_parse(const char *text, enum dbm_naming *out);
/* The naming's name as the config key spells it. */
const char *dbm_naming_name(enum dbm_naming n);
void dbm_fileset_free(struct dbm_fileset *fs);
/* The versioned file with a version equal to v, or NULL. */
const struct dbm_file *dbm_fileset_find(const struct dbm_fileset *fs, const char *version);

/*
 * Parses one file name (no folder). Returns 0 and fills kind, version (may
 * be NULL) and description (allocated); DBM_ERR_USAGE when the name does not
 * fit (no message set); DBM_ERR_NOMEM. Exposed for tests and fuzzing.
 */
int dbm_parse_filename(const char *name, enum dbm_file_kind *kind, char **version,
                       char **description);

/* The event's name as Flyway spells it ("beforeEachMigrate"); NULL when out of range. */
const char *dbm_event_name(int event);

/* dbm_parse_callback_name: named after a Flyway event that dbmigrate does not fire. */
#define DBM_CALLBACK_UNSUPPORTED 2

/*
 * Reads a callback's file name (no folder): EVENT.sql or
 * EVENT__description.sql. Returns 1 and fills *event and *description
 * (allocated, '_' shown as ' ', "" when none); 0 when the name is no
 * callback's; DBM_ERR_USAGE (no message) when it is close to one but
 * misspelt ("beforemigrate.sql", "beforeMigrate_x.sql"), with the right
 * spelling in suggest (cut to size); DBM_CALLBACK_UNSUPPORTED when it is
 * named after a Flyway event that dbmigrate does not fire (Flyway Teams'
 * beforeEachMigrateStatement ...), that event's name in suggest;
 * DBM_ERR_NOMEM. Callbacks are recognised before the migration-name
 * grammar (callbackname.c).
 */
int dbm_parse_callback_name(const char *name, int *event, char **description, char *suggest,
                            size_t size);

/*
 * Sets the parts of file names (Flyway's sqlMigrationPrefix,
 * repeatableSqlMigrationPrefix, undoSqlMigrationPrefix,
 * sqlMigrationSeparator and sqlMigrationSuffixes, a comma-separated list);
 * NULL keeps Flyway's default (V, R, U, "__", ".sql"). Called once by the
 * configuration loader, before any scan. Returns 0, or DBM_ERR_USAGE (an
 * empty or over-long part, a '/', two prefixes alike) with nothing changed.
 */
int dbm_filename_configure(const char *versioned, const char *repeatable, const char *undo,
                           const char *separator, const char *suffixes);
/* The hint for a file name that does not fit, naming the prefixes in use (a full sentence). */
const char *dbm_filename_hint(void);
/* The form of an undo file name with the prefix in use, e.g. "U<version>__<description>.sql". */
const char *dbm_filename_undo_form(void);
/*
 * Appends to out the undo file name of a version and description with the
 * names in use (prefix, separator, first suffix; spaces as '_'), e.g.
 * "U2.1__add_email.sql". Returns 0 or DBM_ERR_NOMEM.
 */
int dbm_filename_add_undo(struct dbm_buf *out, const char *version, const char *description);
/* 1 when name ends with one of the script suffixes in use (".sql"), case-insensitively. */
int dbm_filename_is_script(const char *name);
/*
 * Sets the folders dbm_scan() searches after the migrations folder
 * (Flyway's second and later locations), comma-separated; NULL: none. Each
 * must exist; a script's name in the history is relative to its folder.
 * Called once by the configuration loader. Returns 0 or DBM_ERR_USAGE
 * (the list is longer than 4095 bytes).
 */
int dbm_scan_more_locations(const char *folders);

#endif /* DBM_SCAN_H */
