/*
 * test_drift.c - schema snapshots and drift against real databases: the
 * dbmigrate binary on SQLite files, the PostgreSQL server
 * (DBM_TEST_PG_URL) and the MariaDB server (DBM_TEST_MYSQL_URL).
 *
 * What a user relies on: migrate, rollback and baseline record a snapshot
 * of the schema (none when nothing changed), validate passes after each of
 * them; an object changed by hand with the database's client (index,
 * column type, view, trigger, routine, enum, check constraint) is reported
 * by info in text and JSON, fails validate naming it (exit 3), is ignored
 * by validate --no-drift, refuses migrate with validate_schema_on_migrate
 * and is cleared by repair --accept-drift; a snapshot a killed run did not
 * take is taken by the next migrate; clean drops the snapshot table. And
 * the examples' committed schema.sql is what dump prints for them.
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
	dbm_test_result_free(&r);
	drift_assert_snapshots(db, "1\n");
	/* clean drops the snapshot table: the next migrate starts it again with one row */
	drift_run(db, &r, 0, "clean", "--yes", NULL);
	dbm_test_result_free(&r);
	drift_run(db, &r, 0, "migrate", NULL);
	dbm_test_result_free(&r);
	drift_assert_snapshots(db, "1\n");
}

/* --- SQLite ----------------------------------------------------------------- */

static void test_drift__sqlite(void **state)
{
	struct dbm_test_project *p = dbm_test_project_new();
	struct drift_db db = {p->dir, "sqlite:dbmigrate.db", NULL, p};
	static const struct drift_case cases[] = {
	    {{"CREATE INDEX idx_alert_logs_rule_id ON system_settings (m)", NULL, NULL},
	     "index idx_alert_logs_rule_id: added",
	     "idx_alert_logs_rule_id"},
	    {{"DROP VIEW v_settings", "CREATE VIEW v_settings AS SELECT id FROM system_settings",
	      NULL},
	     "view v_settings: changed",
	     "v_settings"},
	    {{"DROP TRIGGER trg_touch", NULL, NULL}, "trigger trg_touch: removed", "trg_touch"},
	    {{"ALTER TABLE system_settings ADD COLUMN note TEXT", NULL, NULL},
	     "column system_settings.note: added",
	     "system_settings.note"},
	};

	(void)state;
	dbm_test_write(
	    p->dir, "migrations/V1__init.sql",
	    "CREATE TABLE system_settings (id INTEGER PRIMARY KEY, value JSON, m TEXT,\n"
	    "    qty INTEGER CHECK (qty > 0));\n"
	    "CREATE INDEX ix_settings_qty ON system_settings (qty);\n"
	    "CREATE VIEW v_settings AS SELECT id, qty FROM system_settings;\n"
	    "CREATE TRIGGER trg_touch AFTER UPDATE ON system_settings\n"
	    "BEGIN\n    UPDATE system_settings SET qty = qty WHERE id = NEW.id;\nEND;\n");
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
	     "idx_alert_logs_rule_id"},
	    {{"ALTER TABLE system_settings ALTER COLUMN value TYPE jsonb", NULL, NULL},
	     "column system_settings.value: type json \xe2\x86\x92 jsonb",
	     "system_settings.value"},
	    /* an enum replaced by a varchar: the column, then the type */
	    {{"ALTER TABLE system_settings ALTER COLUMN m TYPE varchar(20)", NULL, NULL},
	     "column system_settings.m: type mood \xe2\x86\x92 character varying(20)",
	     "system_settings.m"},
	    {{"DROP TYPE mood", NULL, NULL}, "enum type mood: removed", "mood"},
	    {{"CREATE OR REPLACE VIEW v_settings AS SELECT id, qty, 1 AS one FROM system_settings",
	      NULL, NULL},
	     "view v_settings: changed",
	     "v_settings"},
	    {{"DROP TRIGGER trg_touch ON system_settings", NULL, NULL},
	     "trigger system_settings.trg_touch: removed",
	     "system_settings.trg_touch"},
	    {{"CREATE OR REPLACE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS "
	      "$$ BEGIN RETURN NULL; END $$",
	      NULL, NULL},
	     "function touch(): changed",
	     "touch()"},
	    {{"ALTER TABLE system_settings DROP CONSTRAINT system_settings_qty_check", NULL, NULL},
	     "constraint system_settings.system_settings_qty_check: removed",
	     "system_settings.system_settings_qty_check"},
	};

	dbm_test_write(t->dir, "migrations/V1__init.sql",
	               "CREATE TYPE mood AS ENUM ('happy', 'sad');\n"
	               "CREATE TABLE system_settings (id serial PRIMARY KEY, value json, m mood,\n"
	               "    qty int CHECK (qty > 0));\n"
	               "CREATE INDEX ix_settings_qty ON system_settings (qty);\n"
	               "CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS\n"
	               "$$ BEGIN RETURN NEW; END $$;\n"
	               "CREATE TRIGGER trg_touch BEFORE UPDATE ON system_settings\n"
	               "    FOR EACH ROW EXECUTE FUNCTION touch();\n"
	               "CREATE VIEW v_settings AS SELECT id, qty FROM system_settings;\n");
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
	     "system_settings.idx_alert_logs_rule_id"},
	    {{"ALTER TABLE system_settings MODIFY value MEDIUMTEXT", NULL, NULL},
	     "column system_settings.value: type text \xe2\x86\x92 mediumtext",
	     "system_settings.value"},
	    {{"ALTER TABLE system_settings MODIFY m VARCHAR(20)", NULL, NULL},
	     "column system_settings.m: type enum('happy','sad') \xe2\x86\x92 varchar(20)",
	     "system_settings.m"},
	    {{"CREATE OR REPLACE VIEW v_settings AS SELECT id FROM system_settings", NULL, NULL},
	     "view v_settings: changed",
	     "v_settings"},
	    {{"DROP TRIGGER trg_touch", NULL, NULL},
	     "trigger system_settings.trg_touch: removed",
	     "system_settings.trg_touch"},
	    {{"DROP FUNCTION add1",
	      "CREATE FUNCTION add1(x INT) RETURNS INT DETERMINISTIC RETURN x + 2", NULL},
	     "function add1(): changed",
	     "add1()"},
	    {{"ALTER TABLE system_settings DROP CONSTRAINT chk_qty", NULL, NULL},
	     "constraint system_settings.chk_qty: removed",
	     "system_settings.chk_qty"},
	};

	dbm_test_write(
	    t->dir, "migrations/V1__init.sql",
	    "CREATE TABLE system_settings (id INT PRIMARY KEY AUTO_INCREMENT, value TEXT,\n"
	    "    m ENUM('happy','sad'), qty INT, CONSTRAINT chk_qty CHECK (qty > 0));\n"
	    "CREATE INDEX ix_settings_qty ON system_settings (qty);\n"
	    "CREATE VIEW v_settings AS SELECT id, qty FROM system_settings;\n"
	    "CREATE TRIGGER trg_touch BEFORE UPDATE ON system_settings\n"
	    "    FOR EACH ROW SET NEW.qty = NEW.qty;\n"
	    "CREATE FUNCTION add1(x INT) RETURNS INT DETERMINISTIC RETURN x + 1;\n");
	dbm_test_write(t->dir, "migrations/V2__tags.sql", "CREATE TABLE tags (name TEXT);\n");
	dbm_test_write(t->dir, "rollback/U2__tags.sql", "DROP TABLE tags;\n");
	drift_story(&db, cases, DBM_ARRAY_SIZE(cases));
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
	    PG(test_drift__pgsql_example_schema_file_is_current),
	    MY(test_drift__mysql_example_schema_file_is_current),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
