/*
 * test_drift.c - schema snapshots and drift against real databases: the
 * dbmigrate binary on SQLite files, the PostgreSQL server
 * (DBM_TEST_PG_URL) and the MariaDB server (DBM_TEST_MYSQL_URL).
 *
 * What a user relies on: migrate, rollback and baseline record a snapshot
 * of the schema (none when nothing changed), validate passes after each of
 * them; an object of every kind dump knows changed by hand with the
 * database's client (index, column type, default, nullability, identity
 * and generated columns, view, materialized view, trigger, function,
 * procedure, enum, domain and composite type, sequence, extension, check,
 * unique and foreign key constraints, partitions, events) is reported by
 * info in text and JSON, fails validate naming it (exit 3), is ignored by
 * validate --no-drift, refuses migrate with validate_schema_on_migrate, is
 * located by diff --shadow auto where the case asks, and is cleared by
 * repair --accept-drift; a snapshot a killed run did not take is taken by
 * the next migrate; clean drops the snapshot table. dbmigrate's lock table
 * (lock=table) is no object of the schema; a snapshot larger than MySQL's
 * max_allowed_packet fails saying what to raise, and is taken by the next
 * migrate once raised. And the examples' committed schema.sql is what dump
 * prints for them.
 * Without a server URL its tests are skipped, or fail when
 * DBM_TEST_REQUIRE_SERVERS=1.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "dbmigrate/common.h"
#include "dbtest.h"
#include "project.h"
#include "testutil.h"

/* One database under test: where commands run, its URL, and how to reach it by hand. */
struct drift_db {
	const char *dir;
	const char *url;
	struct dbm_testdb *t;       /* a server database, or NULL */
	struct dbm_test_project *p; /* a SQLite project, or NULL */
};

/* A change made by hand, and the line info and validate must print for it. */
struct drift_case {
	const char *sql[3]; /* up to three statements, NULL-terminated when fewer */
	const char *line;   /* the report's line, without its indentation */
	const char *name;   /* the object's name as JSON shows it */
	int locate;         /* 1: diff --shadow auto must name it too */
};

static void drift_exec(const struct drift_db *db, const char *sql)
{
	if (db->t)
		dbm_testdb_exec(db->t->db, sql);
	else
		dbm_test_project_exec(db->p, sql);
}

/* The snapshot table's row count, as "n\n". Caller frees with free(). */
static char *drift_snapshots(const struct drift_db *db)
{
	const char *sql = "SELECT count(*) FROM schema_history_snapshot";
	char *rows, *copy;

	if (!db->t)
		return dbm_test_project_rows(db->p, sql);
	rows = dbm_testdb_rows(db->t->db, sql);
	copy = strdup(rows);
	dbm_free(rows);
	return copy;
}

static void drift_assert_snapshots(const struct drift_db *db, const char *want)
{
	char *got = drift_snapshots(db);

	if (strcmp(got, want) != 0)
		fail_msg("snapshot rows: %s, want %s", got, want);
	free(got);
}

/* Runs dbmigrate --url db->url ARGS in db->dir; fails unless it exits status. */
static void drift_run(const struct drift_db *db, struct dbm_test_result *r, int status, ...)
{
	const char *argv[32];
	va_list ap;
	int n = 2;

	argv[0] = "--url";
	argv[1] = db->url;
	va_start(ap, status);
	while (n < 31 && (argv[n] = va_arg(ap, const char *)) != NULL)
		n++;
	va_end(ap);
	argv[n] = NULL;
	dbm_test_run(db->dir, NULL, argv, r);
	if (r->status != status)
		fail_msg("%s exited %d, want %d\nstdout:\n%s\nstderr:\n%s", argv[2], r->status,
		         status, r->out, r->err);
}

static void drift_expect(const struct dbm_test_result *r, const char *out, const char *err)
{
	if (out && !dbm_test_contains(r->out, out))
		fail_msg("stdout lacks <%s>:\n%s\nstderr:\n%s", out, r->out, r->err);
	if (err && !dbm_test_contains(r->err, err))
		fail_msg("stderr lacks <%s>:\n%s", err, r->err);
}

/*
 * The whole story on one database whose migrations (V1, V2 with its undo)
 * are in db->dir: snapshots after each change and none after a no-op,
 * validate passing after migrate, rollback and re-migrate, then each case
 * changed by hand, seen, refused and accepted; the first snapshot taken by
 * repair; clean dropping the table.
 */
static void drift_story(const struct drift_db *db, const struct drift_case *cases, size_t n)
{
	struct dbm_test_result r;
	char line[512];
	size_t i, k;

	dbm_test_write(db->dir, "dbmigrate.yml",
	               "validate_schema_on_migrate: true\nclean_disabled: false\n");
	drift_run(db, &r, 0, "migrate", NULL);
	dbm_test_result_free(&r);
	drift_assert_snapshots(db, "1\n");
	drift_run(db, &r, 0, "validate", NULL);
	drift_expect(&r, "Schema matches the snapshot taken after version 2\n", NULL);
	dbm_test_result_free(&r);
	/* nothing changed: no snapshot */
	drift_run(db, &r, 0, "migrate", NULL);
	dbm_test_result_free(&r);
	drift_assert_snapshots(db, "1\n");
	drift_run(db, &r, 0, "rollback", NULL);
	dbm_test_result_free(&r);
	drift_assert_snapshots(db, "2\n");
	drift_run(db, &r, 0, "validate", NULL);
	drift_expect(&r, "Schema matches the snapshot taken after version 1\n", NULL);
	dbm_test_result_free(&r);
	drift_run(db, &r, 0, "migrate", NULL);
	dbm_test_result_free(&r);
	drift_assert_snapshots(db, "3\n");
	drift_run(db, &r, 0, "validate", NULL);
	drift_expect(&r, "Schema matches the snapshot taken after version 2\n", NULL);
	dbm_test_result_free(&r);
	/* a run killed after its last commit left no snapshot: the next no-op migrate takes it */
	drift_exec(db, "DELETE FROM schema_history_snapshot WHERE installed_rank = 4");
	drift_assert_snapshots(db, "2\n");
	drift_run(db, &r, 3, "validate", NULL);
	drift_expect(&r, "older than the newest history row", NULL);
	dbm_test_result_free(&r);
	dbm_test_write(db->dir, "dbmigrate.yml", "clean_disabled: false\n");
	drift_run(db, &r, 0, "migrate", NULL);
	dbm_test_result_free(&r);
	drift_assert_snapshots(db, "3\n");
	dbm_test_write(db->dir, "dbmigrate.yml",
	               "validate_schema_on_migrate: true\nclean_disabled: false\n");
	/* the snapshot table is no part of the dump */
	drift_run(db, &r, 0, "dump", NULL);
	assert_false(dbm_test_contains(r.out, "snapshot"));
	dbm_test_result_free(&r);

	for (i = 0; i < n; i++) {
		const struct drift_case *c = &cases[i];

		for (k = 0; k < 3 && c->sql[k]; k++)
			drift_exec(db, c->sql[k]);
		snprintf(line, sizeof(line), "\n  %s\n", c->line);
		drift_run(db, &r, 0, "info", NULL);
		drift_expect(&r, "Schema drift since version 2: 1 object differs\n", NULL);
		drift_expect(&r, line, NULL);
		dbm_test_result_free(&r);
		drift_run(db, &r, 0, "--json", "info", NULL);
		drift_expect(&r, "\"drift\": true", NULL);
		snprintf(line, sizeof(line), "\"name\": \"%s\"", c->name);
		drift_expect(&r, line, NULL);
		dbm_test_result_free(&r);
		snprintf(line, sizeof(line), "\n  %s\n", c->line);
		drift_run(db, &r, 3, "validate", NULL);
		drift_expect(&r, line, "error: schema drift since version 2: 1 object differs");
		dbm_test_result_free(&r);
		drift_run(db, &r, 0, "validate", "--no-drift", NULL);
		dbm_test_result_free(&r);
		drift_run(db, &r, 3, "migrate", NULL);
		drift_expect(&r, line, "nothing was migrated");
		dbm_test_result_free(&r);
		if (c->locate) {
			/* the live database against its migrations: every case so far differs */
			snprintf(line, sizeof(line), "%s\n", c->line);
			drift_run(db, &r, 3, "diff", "--shadow", "auto", NULL);
			drift_expect(&r, line, "error: the schemas differ");
			dbm_test_result_free(&r);
		}
		drift_run(db, &r, 0, "repair", "--accept-drift", NULL);
		drift_expect(&r, line, NULL);
		drift_expect(&r, "Recorded the live schema as the new snapshot\n", NULL);
		dbm_test_result_free(&r);
		drift_run(db, &r, 0, "validate", NULL);
		drift_expect(&r, "Schema matches the snapshot taken after version 2\n", NULL);
		dbm_test_result_free(&r);
		/* accepted again at the same history row: replaced, not added */
		drift_assert_snapshots(db, "3\n");
	}
	/* without a snapshot: info says how to take one, repair --accept-drift takes it */
	drift_exec(db, "DELETE FROM schema_history_snapshot");
	drift_run(db, &r, 0, "info", NULL);
	drift_expect(&r, "No schema snapshot yet: 'dbmigrate repair --accept-drift' takes one",
	             NULL);
	dbm_test_result_free(&r);
	drift_run(db, &r, 0, "validate", NULL);
	dbm_test_result_free(&r);
	drift_run(db, &r, 0, "repair", "--accept-drift", NULL);
	drift_expect(&r, "Accepting the live schema as the first snapshot", NULL);
	/* it says how many objects it accepts: the story's schema has some */
	if (dbm_test_contains(r.out, "(0 objects)"))
		fail_msg("repair --accept-drift counted no objects: %s", r.out);
	dbm_test_result_free(&r);
	drift_assert_snapshots(db, "1\n");
	/* clean drops the snapshot table: the next migrate starts it again with one row */
	drift_run(db, &r, 0, "clean", "--yes", NULL);
	dbm_test_result_free(&r);
	drift_run(db, &r, 0, "migrate", NULL);
	dbm_test_result_free(&r);
	drift_assert_snapshots(db, "1\n");
	/* a history from before snapshots has no snapshot table: no error, and says so */
	drift_exec(db, "DROP TABLE schema_history_snapshot");
	drift_run(db, &r, 0, "info", NULL);
	drift_expect(&r, "No schema snapshot yet: 'dbmigrate repair --accept-drift' takes one",
	             NULL);
	dbm_test_result_free(&r);
	drift_run(db, &r, 0, "validate", NULL);
	dbm_test_result_free(&r);
	drift_run(db, &r, 0, "migrate", NULL);
	dbm_test_result_free(&r);
}

/* --- SQLite ----------------------------------------------------------------- */

static void test_drift__sqlite(void **state)
{
	struct dbm_test_project *p = dbm_test_project_new();
	struct drift_db db = {p->dir, "sqlite:dbmigrate.db", NULL, p};
	static const struct drift_case cases[] = {
	    {{"CREATE INDEX idx_alert_logs_rule_id ON system_settings (m)", NULL, NULL},
	     "index idx_alert_logs_rule_id: added",
	     "idx_alert_logs_rule_id",
	     0},
	    {{"DROP VIEW v_settings", "CREATE VIEW v_settings AS SELECT id FROM system_settings",
	      NULL},
	     "view v_settings: changed",
	     "v_settings",
	     0},
	    {{"DROP TRIGGER trg_touch", NULL, NULL}, "trigger trg_touch: removed", "trg_touch", 0},
	    {{"ALTER TABLE system_settings ADD COLUMN note TEXT", NULL, NULL},
	     "column system_settings.note: added",
	     "system_settings.note",
	     0},
	    /* what SQLite cannot ALTER is changed as its docs say: a new table renamed over */
	    {{"CREATE TABLE pets_new (id INTEGER PRIMARY KEY,"
	      " owner_id INTEGER REFERENCES owners (id), name TEXT DEFAULT 'fido')",
	      "DROP TABLE pets", "ALTER TABLE pets_new RENAME TO pets"},
	     "column pets.name: default 'rex' \xe2\x86\x92 'fido'",
	     "pets.name",
	     1},
	    {{"CREATE TABLE pets_new (id INTEGER PRIMARY KEY,"
	      " owner_id INTEGER REFERENCES owners (id), name TEXT NOT NULL DEFAULT 'fido')",
	      "DROP TABLE pets", "ALTER TABLE pets_new RENAME TO pets"},
	     "column pets.name: nullability NULL \xe2\x86\x92 NOT NULL",
	     "pets.name",
	     0},
	    /* the diff names the key although a column of the table differs too */
	    {{"CREATE TABLE pets_new (id INTEGER PRIMARY KEY, owner_id INTEGER,"
	      " name TEXT NOT NULL DEFAULT 'fido')",
	      "DROP TABLE pets", "ALTER TABLE pets_new RENAME TO pets"},
	     "constraint pets.FOREIGN KEY (owner_id): removed",
	     "pets.FOREIGN KEY (owner_id)",
	     1},
	    {{"ALTER TABLE system_settings ADD COLUMN thrice INTEGER"
	      " GENERATED ALWAYS AS (qty * 3) VIRTUAL",
	      NULL, NULL},
	     "column system_settings.thrice: added",
	     "system_settings.thrice",
	     0},
	    {{"CREATE UNIQUE INDEX uq_owners_name ON owners (name)", NULL, NULL},
	     "index uq_owners_name: added",
	     "uq_owners_name",
	     1},
	};

	(void)state;
	dbm_test_write(p->dir, "migrations/V1__init.sql",
	               "CREATE TABLE system_settings (id INTEGER PRIMARY KEY, value JSON, m TEXT,\n"
	               "    qty INTEGER CHECK (qty > 0));\n"
	               "CREATE INDEX ix_settings_qty ON system_settings (qty);\n"
	               "CREATE VIEW v_settings AS SELECT id, qty FROM system_settings;\n"
	               "CREATE TRIGGER trg_touch AFTER UPDATE ON system_settings\n"
	               "BEGIN\n    UPDATE system_settings SET qty = qty WHERE id = NEW.id;\nEND;\n"
	               "CREATE TABLE owners (id INTEGER PRIMARY KEY, name TEXT);\n"
	               "CREATE TABLE pets (id INTEGER PRIMARY KEY,\n"
	               "    owner_id INTEGER REFERENCES owners (id), name TEXT DEFAULT 'rex');\n");
	dbm_test_write(p->dir, "migrations/V2__tags.sql", "CREATE TABLE tags (name TEXT);\n");
	dbm_test_write(p->dir, "rollback/U2__tags.sql", "DROP TABLE tags;\n");
	drift_story(&db, cases, DBM_ARRAY_SIZE(cases));
	dbm_test_project_free(p);
}

/* --- PostgreSQL ------------------------------------------------------------- */

static void test_drift__pgsql(void **state)
{
	struct dbm_testdb *t = dbm_testdb_state(state, "DBM_TEST_PG_URL");
	struct drift_db db = {t->dir, t->url, t, NULL};
	static const struct drift_case cases[] = {
	    {{"CREATE INDEX idx_alert_logs_rule_id ON system_settings (qty)", NULL, NULL},
	     "index idx_alert_logs_rule_id: added",
	     "idx_alert_logs_rule_id",
	     0},
	    {{"ALTER TABLE system_settings ALTER COLUMN value TYPE jsonb", NULL, NULL},
	     "column system_settings.value: type json \xe2\x86\x92 jsonb",
	     "system_settings.value",
	     0},
	    /* an enum replaced by a varchar: the column, then the type */
	    {{"ALTER TABLE system_settings ALTER COLUMN m TYPE varchar(20)", NULL, NULL},
	     "column system_settings.m: type mood \xe2\x86\x92 character varying(20)",
	     "system_settings.m",
	     0},
	    {{"DROP TYPE mood", NULL, NULL}, "enum type mood: removed", "mood", 0},
	    {{"CREATE OR REPLACE VIEW v_settings AS SELECT id, qty, 1 AS one FROM system_settings",
	      NULL, NULL},
	     "view v_settings: changed",
	     "v_settings",
	     0},
	    {{"DROP TRIGGER trg_touch ON system_settings", NULL, NULL},
	     "trigger system_settings.trg_touch: removed",
	     "system_settings.trg_touch",
	     0},
	    {{"CREATE OR REPLACE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS "
	      "$$ BEGIN RETURN NULL; END $$",
	      NULL, NULL},
	     "function touch(): changed",
	     "touch()",
	     0},
	    {{"ALTER TABLE system_settings DROP CONSTRAINT system_settings_qty_check", NULL, NULL},
	     "constraint system_settings.system_settings_qty_check: removed",
	     "system_settings.system_settings_qty_check",
	     0},
	    {{"DROP MATERIALIZED VIEW mv_qty",
	      "CREATE MATERIALIZED VIEW mv_qty AS SELECT qty, 1 AS one FROM system_settings", NULL},
	     "materialized view mv_qty: changed",
	     "mv_qty",
	     1},
	    {{"ALTER SEQUENCE seq_ticket INCREMENT BY 5", NULL, NULL},
	     "sequence seq_ticket: changed",
	     "seq_ticket",
	     0},
	    {{"ALTER DOMAIN posint ADD CONSTRAINT posint_small CHECK (VALUE < 1000)", NULL, NULL},
	     "domain posint: changed",
	     "posint",
	     1},
	    {{"ALTER TYPE pair ADD ATTRIBUTE c int", NULL, NULL},
	     "composite type pair: changed",
	     "pair",
	     0},
	    {{"DROP EXTENSION citext", NULL, NULL}, "extension citext: removed", "citext", 1},
	    {{"CREATE OR REPLACE PROCEDURE reset_qty() LANGUAGE sql AS "
	      "$$ UPDATE system_settings SET qty = 2 $$",
	      NULL, NULL},
	     "procedure reset_qty(): changed",
	     "reset_qty()",
	     0},
	    {{"CREATE TABLE events_2027 PARTITION OF events"
	      " FOR VALUES FROM ('2027-01-01') TO ('2028-01-01')",
	      NULL, NULL},
	     "table events_2027: added",
	     "events_2027",
	     1},
	    {{"ALTER TABLE events DETACH PARTITION events_2026", NULL, NULL},
	     "table events_2026: changed",
	     "events_2026",
	     0},
	    {{"ALTER TABLE system_settings ALTER COLUMN n SET GENERATED BY DEFAULT", NULL, NULL},
	     "column system_settings.n: attributes GENERATED ALWAYS AS IDENTITY \xe2\x86\x92 "
	     "GENERATED BY DEFAULT AS IDENTITY",
	     "system_settings.n",
	     1},
	    {{"ALTER TABLE system_settings DROP COLUMN twice",
	      "ALTER TABLE system_settings ADD COLUMN twice int GENERATED ALWAYS AS (qty * 3) "
	      "STORED",
	      NULL},
	     "column system_settings.twice: attributes GENERATED ALWAYS AS ((qty * 2)) STORED "
	     "\xe2\x86\x92 GENERATED ALWAYS AS ((qty * 3)) STORED",
	     "system_settings.twice",
	     0},
	    {{"ALTER TABLE system_settings ALTER COLUMN qty SET DEFAULT 5", NULL, NULL},
	     "column system_settings.qty: default none \xe2\x86\x92 5",
	     "system_settings.qty",
	     1},
	    {{"ALTER TABLE system_settings ALTER COLUMN code SET NOT NULL", NULL, NULL},
	     "column system_settings.code: nullability NULL \xe2\x86\x92 NOT NULL",
	     "system_settings.code",
	     0},
	    {{"ALTER TABLE system_settings DROP CONSTRAINT system_settings_owner_id_fkey", NULL,
	      NULL},
	     "foreign key system_settings.system_settings_owner_id_fkey: removed",
	     "system_settings.system_settings_owner_id_fkey",
	     1},
	    {{"ALTER TABLE system_settings ADD CONSTRAINT uq_settings_code UNIQUE (code)", NULL,
	      NULL},
	     "constraint system_settings.uq_settings_code: added",
	     "system_settings.uq_settings_code",
	     0},
	};

	dbm_test_write(t->dir, "migrations/V1__init.sql",
	               "CREATE EXTENSION IF NOT EXISTS citext;\n"
	               "CREATE TYPE mood AS ENUM ('happy', 'sad');\n"
	               "CREATE DOMAIN posint AS int CHECK (VALUE > 0);\n"
	               "CREATE TYPE pair AS (a int, b int);\n"
	               "CREATE SEQUENCE seq_ticket;\n"
	               "CREATE TABLE owners (id int PRIMARY KEY);\n"
	               "CREATE TABLE system_settings (id serial PRIMARY KEY, value json, m mood,\n"
	               "    qty int CHECK (qty > 0), owner_id int REFERENCES owners (id),\n"
	               "    code text, n int GENERATED ALWAYS AS IDENTITY,\n"
	               "    twice int GENERATED ALWAYS AS (qty * 2) STORED);\n"
	               "CREATE INDEX ix_settings_qty ON system_settings (qty);\n"
	               "CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS\n"
	               "$$ BEGIN RETURN NEW; END $$;\n"
	               "CREATE PROCEDURE reset_qty() LANGUAGE sql AS\n"
	               "$$ UPDATE system_settings SET qty = 1 $$;\n"
	               "CREATE TRIGGER trg_touch BEFORE UPDATE ON system_settings\n"
	               "    FOR EACH ROW EXECUTE FUNCTION touch();\n"
	               "CREATE VIEW v_settings AS SELECT id, qty FROM system_settings;\n"
	               "CREATE MATERIALIZED VIEW mv_qty AS SELECT qty FROM system_settings;\n"
	               "CREATE TABLE events (id int, at date) PARTITION BY RANGE (at);\n"
	               "CREATE TABLE events_2026 PARTITION OF events\n"
	               "    FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');\n");
	dbm_test_write(t->dir, "migrations/V2__tags.sql", "CREATE TABLE tags (name text);\n");
	dbm_test_write(t->dir, "rollback/U2__tags.sql", "DROP TABLE tags;\n");
	drift_story(&db, cases, DBM_ARRAY_SIZE(cases));
}

/* --- MariaDB ---------------------------------------------------------------- */

static void test_drift__mysql(void **state)
{
	struct dbm_testdb *t = dbm_testdb_state(state, "DBM_TEST_MYSQL_URL");
	struct drift_db db = {t->dir, t->url, t, NULL};
	static const struct drift_case cases[] = {
	    {{"CREATE INDEX idx_alert_logs_rule_id ON system_settings (qty)", NULL, NULL},
	     "index system_settings.idx_alert_logs_rule_id: added",
	     "system_settings.idx_alert_logs_rule_id",
	     0},
	    {{"ALTER TABLE system_settings MODIFY value MEDIUMTEXT", NULL, NULL},
	     "column system_settings.value: type text \xe2\x86\x92 mediumtext",
	     "system_settings.value",
	     0},
	    {{"ALTER TABLE system_settings MODIFY m VARCHAR(20)", NULL, NULL},
	     "column system_settings.m: type enum('happy','sad') \xe2\x86\x92 varchar(20)",
	     "system_settings.m",
	     0},
	    {{"CREATE OR REPLACE VIEW v_settings AS SELECT id FROM system_settings", NULL, NULL},
	     "view v_settings: changed",
	     "v_settings",
	     0},
	    {{"DROP TRIGGER trg_touch", NULL, NULL},
	     "trigger system_settings.trg_touch: removed",
	     "system_settings.trg_touch",
	     0},
	    {{"DROP FUNCTION add1",
	      "CREATE FUNCTION add1(x INT) RETURNS INT DETERMINISTIC RETURN x + 2", NULL},
	     "function add1(): changed",
	     "add1()",
	     0},
	    {{"ALTER TABLE system_settings DROP CONSTRAINT chk_qty", NULL, NULL},
	     "constraint system_settings.chk_qty: removed",
	     "system_settings.chk_qty",
	     0},
	    {{"ALTER EVENT ev_purge ON SCHEDULE EVERY 2 DAY", NULL, NULL},
	     "event ev_purge: changed",
	     "ev_purge",
	     1},
	    {{"ALTER TABLE readings ADD PARTITION (PARTITION p2027 VALUES LESS THAN (2028))", NULL,
	      NULL},
	     "table readings: changed",
	     "readings",
	     1},
	    {{"DROP PROCEDURE reset_qty",
	      "CREATE PROCEDURE reset_qty() UPDATE system_settings SET qty = 2", NULL},
	     "procedure reset_qty: changed",
	     "reset_qty",
	     1},
	    {{"ALTER TABLE system_settings MODIFY twice INT AS (qty * 3) VIRTUAL", NULL, NULL},
	     "column system_settings.twice: attributes GENERATED ALWAYS AS (`qty` * 2) VIRTUAL "
	     "\xe2\x86\x92 GENERATED ALWAYS AS (`qty` * 3) VIRTUAL",
	     "system_settings.twice",
	     0},
	    {{"ALTER TABLE system_settings DROP FOREIGN KEY fk_owner", NULL, NULL},
	     "foreign key system_settings.fk_owner: removed",
	     "system_settings.fk_owner",
	     1},
	    {{"ALTER TABLE system_settings ALTER COLUMN qty SET DEFAULT 5", NULL, NULL},
	     "column system_settings.qty: default NULL \xe2\x86\x92 5",
	     "system_settings.qty",
	     0},
	    {{"ALTER TABLE system_settings MODIFY code VARCHAR(20) NOT NULL", NULL, NULL},
	     "column system_settings.code: default NULL \xe2\x86\x92 none, nullability NULL "
	     "\xe2\x86\x92 NOT NULL",
	     "system_settings.code",
	     0},
	    {{"ALTER TABLE system_settings ADD CONSTRAINT uq_code UNIQUE (code)", NULL, NULL},
	     "constraint system_settings.uq_code: added",
	     "system_settings.uq_code",
	     0},
	};

	dbm_test_write(
	    t->dir, "migrations/V1__init.sql",
	    "CREATE TABLE owners (id INT PRIMARY KEY);\n"
	    "CREATE TABLE system_settings (id INT PRIMARY KEY AUTO_INCREMENT, value TEXT,\n"
	    "    m ENUM('happy','sad'), qty INT, owner_id INT, code VARCHAR(20),\n"
	    "    twice INT AS (qty * 2) VIRTUAL, CONSTRAINT chk_qty CHECK (qty > 0),\n"
	    "    CONSTRAINT fk_owner FOREIGN KEY (owner_id) REFERENCES owners (id));\n"
	    "CREATE INDEX ix_settings_qty ON system_settings (qty);\n"
	    "CREATE VIEW v_settings AS SELECT id, qty FROM system_settings;\n"
	    "CREATE TRIGGER trg_touch BEFORE UPDATE ON system_settings\n"
	    "    FOR EACH ROW SET NEW.qty = NEW.qty;\n"
	    "CREATE FUNCTION add1(x INT) RETURNS INT DETERMINISTIC RETURN x + 1;\n"
	    "CREATE TABLE readings (id INT NOT NULL, at DATE NOT NULL, PRIMARY KEY (id, at))\n"
	    "    PARTITION BY RANGE (YEAR(at)) (PARTITION p2026 VALUES LESS THAN (2027));\n"
	    "CREATE PROCEDURE reset_qty() UPDATE system_settings SET qty = 1;\n"
	    "CREATE EVENT ev_purge ON SCHEDULE EVERY 1 DAY\n"
	    "    DO DELETE FROM readings WHERE at < '2000-01-01';\n");
	dbm_test_write(t->dir, "migrations/V2__tags.sql", "CREATE TABLE tags (name TEXT);\n");
	dbm_test_write(t->dir, "rollback/U2__tags.sql", "DROP TABLE tags;\n");
	drift_story(&db, cases, DBM_ARRAY_SIZE(cases));
}

/* --- dbmigrate's own tables ---------------------------------------------- */

/*
 * With lock=table the runner's lock is a row in schema_history_lock: that
 * table, like the history and its snapshots, is dbmigrate's and no object
 * of the schema. exists_sql counts it, to prove it is there.
 */
static void drift_lock_table(struct dbm_testdb *t, const char *exists_sql)
{
	struct dbm_test_result r;
	char url[1024];
	struct drift_db db = {t->dir, url, t, NULL};

	snprintf(url, sizeof(url), "%s%slock=table", t->url, strchr(t->url, '?') ? "&" : "?");
	dbm_test_write(t->dir, "migrations/V1__init.sql", "CREATE TABLE tags (name TEXT);\n");
	drift_run(&db, &r, 0, "migrate", NULL);
	dbm_test_result_free(&r);
	dbm_testdb_assert_rows(t->db, exists_sql, "1\n");
	drift_run(&db, &r, 0, "dump", NULL);
	drift_expect(&r, "tags", NULL);
	if (dbm_test_contains(r.out, "_lock") || dbm_test_contains(r.out, "schema_history"))
		fail_msg("dump shows dbmigrate's own tables:\n%s", r.out);
	dbm_test_result_free(&r);
	drift_run(&db, &r, 0, "validate", NULL);
	drift_expect(&r, "Schema matches the snapshot taken after version 1\n", NULL);
	dbm_test_result_free(&r);
	drift_run(&db, &r, 0, "diff", "--shadow", "auto", NULL);
	dbm_test_result_free(&r);
}

static void test_drift__pgsql_lock_table_is_no_object(void **state)
{
	drift_lock_table(dbm_testdb_state(state, "DBM_TEST_PG_URL"),
	                 "SELECT count(*) FROM pg_tables WHERE tablename = 'schema_history_lock'");
}

static void test_drift__mysql_lock_table_is_no_object(void **state)
{
	drift_lock_table(dbm_testdb_state(state, "DBM_TEST_MYSQL_URL"),
	                 "SELECT count(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = "
	                 "DATABASE() AND TABLE_NAME = 'schema_history_lock'");
}

/*
 * A snapshot larger than max_allowed_packet: migrate applies the
 * migrations, then fails saying what to raise (not the server's lost
 * connection); raised, the next migrate takes the snapshot. The limit is
 * lowered for one migrate through DBM_TEST_MAX_ALLOWED_PACKET (the driver
 * takes it for the server's), not SET GLOBAL, which other tests running
 * against the same server would see.
 */
static void test_drift__mysql_snapshot_larger_than_max_allowed_packet(void **state)
{
	struct dbm_testdb *t = dbm_testdb_state(state, "DBM_TEST_MYSQL_URL");
	struct drift_db db = {t->dir, t->url, t, NULL};
	struct dbm_test_result r;
	struct dbm_buf sql = DBM_BUF_INIT;
	int i;

	for (i = 0; i < 100; i++)
		assert_int_equal(
		    dbm_buf_addf(&sql,
		                 "CREATE TABLE t%03d (id INT PRIMARY KEY, name "
		                 "VARCHAR(100) NOT NULL DEFAULT 'x', created DATETIME);\n",
		                 i),
		    0);
	dbm_test_write(t->dir, "migrations/V1__many.sql", sql.ptr);
	dbm_buf_free(&sql);
	setenv("DBM_TEST_MAX_ALLOWED_PACKET", "32768", 1);
	drift_run(&db, &r, 1, "migrate", NULL);
	unsetenv("DBM_TEST_MAX_ALLOWED_PACKET");
	drift_expect(&r, NULL, "more than the server's max_allowed_packet of 32768 bytes");
	drift_expect(&r, NULL, "the changes themselves were made");
	drift_expect(&r, NULL, "hint: Raise max_allowed_packet on the server to at least ");
	dbm_test_result_free(&r);
	dbm_testdb_assert_rows(t->db, "SELECT count(*) FROM schema_history", "1\n");
	drift_assert_snapshots(&db, "0\n");
	drift_run(&db, &r, 0, "migrate", NULL);
	dbm_test_result_free(&r);
	drift_assert_snapshots(&db, "1\n");
	drift_run(&db, &r, 0, "validate", NULL);
	drift_expect(&r, "Schema matches the snapshot taken after version 1\n", NULL);
	dbm_test_result_free(&r);
}

/* --- the examples' committed schema.sql ------------------------------------ */

/*
 * docs/examples/<name>/schema.sql is what dump prints after migrating the
 * example: the file a reviewer reads must not go stale.
 */
static void drift_example_schema(struct dbm_testdb *t, const char *name)
{
	struct dbm_test_result r;
	char dir[1024], rb[1024], path[1100];
	char *want;
	const char *argv[] = {"--url", t->url, "--migrations", dir, "--rollback", rb, NULL, NULL};

	snprintf(dir, sizeof(dir), "%s/docs/examples/%s/migrations", DBM_TEST_SOURCE_DIR, name);
	snprintf(rb, sizeof(rb), "%s/docs/examples/%s/rollback", DBM_TEST_SOURCE_DIR, name);
	snprintf(path, sizeof(path), "%s/docs/examples/%s/schema.sql", DBM_TEST_SOURCE_DIR, name);
	want = dbm_test_read(path);
	assert_non_null(want);
	argv[6] = "migrate";
	dbm_test_run(t->dir, NULL, argv, &r);
	if (r.status != 0)
		fail_msg("migrate of the %s example exited %d: %s", name, r.status, r.err);
	dbm_test_result_free(&r);
	argv[6] = "dump";
	dbm_test_run(t->dir, NULL, argv, &r);
	assert_int_equal(r.status, 0);
	if (strcmp(r.out, want) != 0)
		fail_msg("docs/examples/%s/schema.sql is not what dump prints: regenerate it with "
		         "'dbmigrate dump --output schema.sql'",
		         name);
	dbm_test_result_free(&r);
	free(want);
}

static void test_drift__pgsql_example_schema_file_is_current(void **state)
{
	drift_example_schema(dbm_testdb_state(state, "DBM_TEST_PG_URL"), "postgresql");
}

static void test_drift__mysql_example_schema_file_is_current(void **state)
{
	drift_example_schema(dbm_testdb_state(state, "DBM_TEST_MYSQL_URL"), "mysql");
}

#define PG(f) cmocka_unit_test_setup_teardown(f, dbm_testdb_setup_pgsql, dbm_testdb_teardown)
#define MY(f) cmocka_unit_test_setup_teardown(f, dbm_testdb_setup_mysql, dbm_testdb_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_drift__sqlite),
	    PG(test_drift__pgsql),
	    MY(test_drift__mysql),
	    PG(test_drift__pgsql_lock_table_is_no_object),
	    MY(test_drift__mysql_lock_table_is_no_object),
	    MY(test_drift__mysql_snapshot_larger_than_max_allowed_packet),
	    PG(test_drift__pgsql_example_schema_file_is_current),
	    MY(test_drift__mysql_example_schema_file_is_current),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
