/*
 * schema.h - a database schema as a list of objects, for dump and diff.
 *
 * A driver's dump operation (driver.h) reads its catalogs and adds one
 * object per table, index, view, routine, trigger ... with the SQL that
 * creates it, as the database's own deparsers print it. For tables it also
 * adds their parts (columns, constraints and, where they live inside the
 * table, indexes) so that a diff can name the column that changed. This
 * module is pure: it orders the objects so that the database can load them
 * (by phase, then dependencies, then name), renders the canonical SQL text,
 * and compares two schemas object by object. Every module may call it.
 */
#ifndef DBM_SCHEMA_H
#define DBM_SCHEMA_H

#include <stddef.h>

#include <nettle/sha2.h>

#include "dbmigrate/common.h"

/*
 * Kinds of object, in the order a dump loads them (the phase). Within a
 * phase objects come in dependency order, then by name.
 */
enum dbm_schema_kind {
	DBM_SCHEMA_EXTENSION,
	DBM_SCHEMA_TYPE,     /* enum, domain, composite */
	DBM_SCHEMA_FUNCTION, /* functions and procedures that tables may use */
	DBM_SCHEMA_SEQUENCE,
	DBM_SCHEMA_TABLE,
	DBM_SCHEMA_LATE_FUNCTION, /* routines that need a table's row type, MySQL routines */
	DBM_SCHEMA_VIEW,          /* views and materialized views */
	DBM_SCHEMA_INDEX,
	DBM_SCHEMA_FOREIGN_KEY,
	DBM_SCHEMA_SEQUENCE_OWNER,
	DBM_SCHEMA_TRIGGER,
	DBM_SCHEMA_EVENT,
	DBM_SCHEMA_NKINDS
};

/* Kinds of table part. */
enum dbm_schema_part_kind {
	DBM_PART_COLUMN,
	DBM_PART_CONSTRAINT, /* primary key, unique, check, exclusion */
	DBM_PART_INDEX       /* an index declared inside the table (MySQL) */
};

struct dbm_schema_part {
	enum dbm_schema_part_kind kind;
	char *name;
	char *def;   /* constraint or index: its definition; column: its type */
	char *dflt;  /* column default expression, NULL when none */
	char *extra; /* column: identity, generated expression, collation ...; NULL when none */
	int notnull; /* column */
};

struct dbm_schema_obj {
	enum dbm_schema_kind kind;
	char *label; /* what a report calls it: "table", "materialized view", "procedure" ... */
	char *name;  /* unique per kind within the schema ("table.name" for a table's own) */
	char *table; /* the table an index, trigger or foreign key belongs to, else NULL */
	char *def;   /* the SQL that creates it, ending with its terminator, no final newline */
	char **deps; /* names of objects of the same phase it needs first */
	size_t ndeps;
	struct dbm_schema_part *parts;
	size_t nparts;
};

struct dbm_schema {
	char *header; /* SQL before the objects (session settings), may be NULL */
	struct dbm_schema_obj *objs;
	size_t n, cap;
};

#define DBM_SCHEMA_INIT                                                                            \
	{                                                                                          \
		NULL, NULL, 0, 0                                                                   \
	}

/*
 * Adds an object with copies of label, name, table (may be NULL) and def.
 * Returns it (valid until the next add), or NULL with DBM_ERR_NOMEM set.
 */
struct dbm_schema_obj *dbm_schema_add(struct dbm_schema *s, enum dbm_schema_kind kind,
                                      const char *label, const char *name, const char *table,
                                      const char *def);
/* The object of that kind and name, or NULL. */
struct dbm_schema_obj *dbm_schema_find(const struct dbm_schema *s, enum dbm_schema_kind kind,
                                       const char *name);
/* Adds a part with copies of the strings (dflt, extra may be NULL). 0 or DBM_ERR_NOMEM. */
int dbm_schema_add_part(struct dbm_schema_obj *o, enum dbm_schema_part_kind kind, const char *name,
                        const char *def, const char *dflt, const char *extra, int notnull);
/* Records that o needs the object named dep (same phase) first. 0 or DBM_ERR_NOMEM. */
int dbm_schema_add_dep(struct dbm_schema_obj *o, const char *dep);
/*
 * Adds a dependency on every other object of o's kind whose name appears
 * in o's definition as a whole identifier (quoted or not, any case): how
 * views are ordered where the catalog does not say. 0 or DBM_ERR_NOMEM.
 */
int dbm_schema_scan_deps(struct dbm_schema *s, struct dbm_schema_obj *o);
/* Sets the header (copied). 0 or DBM_ERR_NOMEM. */
int dbm_schema_set_header(struct dbm_schema *s, const char *header);

/*
 * Puts the objects in load order: by kind, then each after the objects it
 * depends on, then by name (byte order); a dependency cycle is broken at
 * the smallest name on the cycle. Parts keep the order the driver gave. 0 or
 * DBM_ERR_NOMEM.
 */
int dbm_schema_sort(struct dbm_schema *s);
/*
 * Appends the canonical SQL text: the header, then each object's
 * definition followed by a blank line. 0 or DBM_ERR_NOMEM.
 */
int dbm_schema_render(const struct dbm_schema *s, struct dbm_buf *out);
void dbm_schema_free(struct dbm_schema *s);

/* One difference between two schemas. */
enum dbm_schema_change { DBM_CHANGE_ADDED, DBM_CHANGE_REMOVED, DBM_CHANGE_CHANGED };

struct dbm_schema_diff_item {
	enum dbm_schema_change change;
	const char *label; /* "table", "column", "index" ... (borrowed from the schemas) */
	char *name;        /* "users", "users.email" */
	char *what;        /* for a change: "type json -> jsonb", "definition"; else NULL */
	char *text;        /* for a changed definition: a short unified diff; else NULL */
};

struct dbm_schema_diff {
	struct dbm_schema_diff_item *items;
	size_t n, cap;
};

#define DBM_SCHEMA_DIFF_INIT                                                                       \
	{                                                                                          \
		NULL, 0, 0                                                                         \
	}

/*
 * Compares from with to (both sorted): an object only in to is added, only
 * in from removed; a table in both is compared part by part (column type,
 * default, nullability, extra; constraints and indexes by definition);
 * other objects by definition. Items come in to's load order, removals
 * after. Returns 0 (out->n == 0 when equal) or DBM_ERR_NOMEM.
 */
int dbm_schema_diff(const struct dbm_schema *from, const struct dbm_schema *to,
                    struct dbm_schema_diff *out);
/*
 * Appends a unified diff of two texts, line by line with up to two lines
 * of context, without file headers ("-old\n+new\n  same\n"). 0 or
 * DBM_ERR_NOMEM.
 */
int dbm_schema_text_diff(const char *a, const char *b, struct dbm_buf *out);
void dbm_schema_diff_free(struct dbm_schema_diff *d);

/*
 * The snapshot text of a schema (what the snapshot table keeps beside the
 * canonical SQL): a first line "dbmigrate-schema 1", then one line per
 * header, object and table part, fields separated by tabs, with backslash,
 * tab, newline and carriage return escaped (\\, \t, \n, \r) and NULL as
 * \N. It keeps the parts, so a snapshot compares with a live schema as
 * diff does. Appends to out; 0 or DBM_ERR_NOMEM.
 */
int dbm_schema_serialize(const struct dbm_schema *s, struct dbm_buf *out);
/*
 * Reads snapshot text back into out (empty, DBM_SCHEMA_INIT), objects in
 * the order written. Returns 0; DBM_ERR_RUN naming the line that does not
 * parse; DBM_ERR_NOMEM.
 */
int dbm_schema_parse(const char *text, struct dbm_schema *out);
/*
 * The SHA-256 of len bytes at data as 64 lower-case hex digits and a NUL
 * (sha256.c, through Nettle). Always 0 (an int, as the callers chain it with the others).
 */
int dbm_sha256_hex(const char *data, size_t len, char out[65]);
/* The same fed piece by piece: init, update as often as needed, final_hex once. */
struct dbm_sha256 {
	struct sha256_ctx ctx; /* Nettle's */
};
void dbm_sha256_init(struct dbm_sha256 *c);
void dbm_sha256_update(struct dbm_sha256 *c, const void *data, size_t len);
void dbm_sha256_final_hex(struct dbm_sha256 *c, char out[65]);
/*
 * The SHA-256 of what dbm_schema_render appends, as hex, computed while
 * rendering, without holding the text: what drift needs when only the
 * digest is compared. Always 0.
 */
int dbm_schema_digest(const struct dbm_schema *s, char out[65]);

#endif /* DBM_SCHEMA_H */
