/*
 * test_dump.c - dump and diff against real databases: the dbmigrate binary
 * on SQLite files, the PostgreSQL server (DBM_TEST_PG_URL) and the MariaDB
 * server (DBM_TEST_MYSQL_URL).
 *
 * What a user relies on: the dump is the same from run to run, leaves the
 * history table out, and loaded by the database's own client (psql,
 * mariadb, SQLite) into an empty database gives that very dump again; diff
 * names exactly the objects that differ and exits 3, or 0 when nothing
 * does; schema_file is rewritten after a change. Without a server URL its
 * tests are skipped, or fail when DBM_TEST_REQUIRE_SERVERS=1.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "dbtest.h"
#include "mydump.h"
#include "pgdump.h"
#include "project.h"
#include "testutil.h"

/* The dump of url (run in dir); fails the test unless dump exits 0. Caller frees. */
static char *dump_of(const char *dir, const char *url)
{
	struct dbm_test_result r;
	char *out;

	dbm_test_runl(dir, &r, "dump", "--url", url, NULL);
	if (r.status != 0)
		fail_msg("dump of %s exited %d: %s", url, r.status, r.err);
	out = r.out;
	r.out = NULL;
	dbm_test_result_free(&r);
	return out;
}

/* Fails the test unless a and b are the same text, showing the first line that differs. */
static void dump_assert_same(const char *what, const char *a, const char *b)
{
	size_t line = 1, i = 0;

	while (a[i] && a[i] == b[i]) {
		if (a[i] == '\n')
			line++;
		i++;
	}
	if (a[i] != b[i])
		fail_msg("%s: differs at line %zu:\n<%.200s>\n<%.200s>", what, line, a + i, b + i);
}

/* Fails the test unless diff's output is exactly want and it exits status. */
static void dump_assert_diff(const char *dir, const char *from, const char *to, const char *want,
                             int status)
{
	struct dbm_test_result r;

	dbm_test_runl(dir, &r, "diff", "--from", from, "--to", to, NULL);
	if (r.status != status || strcmp(r.out, want) != 0)
		fail_msg("diff exited %d (want %d)\nstdout:\n%s\nwant:\n%s\nstderr:\n%s", r.status,
		         status, r.out, want, r.err);
	dbm_test_result_free(&r);
}

/* --- SQLite ----------------------------------------------------------------- */

static const char sqlite_v1[] =
    "CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT NOT NULL UNIQUE,\n"
    "    status TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'gone')));\n"
    "CREATE TABLE posts (id INTEGER PRIMARY KEY, user_id INTEGER REFERENCES users (id),\n"
    "    title TEXT, words INTEGER GENERATED ALWAYS AS (length(title)) VIRTUAL);\n"
    "CREATE INDEX idx_posts_user ON posts (user_id) WHERE user_id IS NOT NULL;\n"
    "CREATE VIEW b_active AS SELECT * FROM users WHERE status = 'active';\n"
    "CREATE VIEW a_active_posts AS SELECT p.* FROM posts p JOIN b_active u ON u.id = p.user_id;\n"
    "CREATE TRIGGER trg_users_gone AFTER UPDATE OF status ON users\n"
    "BEGIN\n    DELETE FROM posts WHERE user_id = NEW.id AND NEW.status = 'gone';\nEND;\n";

static void test_dump__sqlite_stable_reloads_and_skips_history(void **state)
{
	struct dbm_test_project *p = dbm_test_project_new();
	struct dbm_test_project *q = dbm_test_project_new();
	struct dbm_test_result r;
	char *a, *b, *c;

	(void)state;
	dbm_test_write(p->dir, "migrations/V1__schema.sql", sqlite_v1);
	dbm_test_project_expect(p, 0, "migrate", NULL);
	a = dump_of(p->dir, "sqlite:dbmigrate.db");
	b = dump_of(p->dir, "sqlite:dbmigrate.db");
	dump_assert_same("two dumps", a, b);
	assert_false(dbm_test_contains(a, "schema_history"));
	/* views in dependency order: b_active before a_active_posts, which reads it */
	assert_true(strstr(a, "CREATE VIEW b_active") < strstr(a, "CREATE VIEW a_active_posts"));
	assert_true(dbm_test_contains(a, "CREATE TRIGGER trg_users_gone"));
	/* loaded into an empty database, it dumps the same */
	dbm_test_project_exec(q, a);
	c = dump_of(q->dir, "sqlite:dbmigrate.db");
	dump_assert_same("dump of the reloaded dump", a, c);
	/* --output writes the same text; --json lists the objects */
	dbm_test_runl(p->dir, &r, "dump", "--output", "schema.sql", NULL);
	assert_int_equal(r.status, 0);
	dbm_test_result_free(&r);
	free(b);
	{
		char path[1200];

		snprintf(path, sizeof(path), "%s/schema.sql", p->dir);
		b = dbm_test_read(path);
		assert_non_null(b);
		dump_assert_same("--output", a, b);
	}
	dbm_test_runl(p->dir, &r, "--json", "dump", NULL);
	assert_int_equal(r.status, 0);
	assert_true(dbm_test_contains(r.out, "\"kind\": \"view\""));
	assert_true(dbm_test_contains(r.out, "\"name\": \"a_active_posts\""));
	assert_true(dbm_test_contains(r.out, "\"name\": \"email\""));
	dbm_test_result_free(&r);
	free(a);
	free(b);
	free(c);
	dbm_test_project_free(p);
	dbm_test_project_free(q);
}

/* diff of two equal SQLite databases, then of changed ones. */
static void test_dump__sqlite_diff_reports_changes(void **state)
{
	struct dbm_test_project *p = dbm_test_project_new();
	char from[64], to[64], want[512];

	(void)state;
	dbm_test_write(p->dir, "migrations/V1__schema.sql", sqlite_v1);
	dbm_test_project_expect(p, 0, "migrate", "--url", "sqlite:a.db", NULL);
	dbm_test_project_expect(p, 0, "migrate", NULL);
	snprintf(from, sizeof(from), "sqlite:a.db");
	snprintf(to, sizeof(to), "sqlite:dbmigrate.db");
	snprintf(want, sizeof(want), "The schemas are the same: %s and %s\n", from, to);
	dump_assert_diff(p->dir, from, to, want, 0);
	/* a hand-made index, a dropped trigger, a column of another type */
	dbm_test_project_exec(p,
	                      "CREATE INDEX idx_hand ON users (status);\n"
	                      "DROP TRIGGER trg_users_gone;\n"
	                      "DROP TABLE posts;\n"
	                      "CREATE TABLE posts (id INTEGER PRIMARY KEY, user_id BIGINT "
	                      "REFERENCES users (id),\n    title TEXT, words INTEGER GENERATED "
	                      "ALWAYS AS (length(title)) VIRTUAL);\n"
	                      "CREATE INDEX idx_posts_user ON posts (user_id) WHERE user_id IS NOT "
	                      "NULL;\n");
	dump_assert_diff(p->dir, from, to,
	                 "column posts.user_id: type INTEGER \xe2\x86\x92 BIGINT\n"
	                 "index idx_hand: added\n"
	                 "trigger trg_users_gone: removed\n",
	                 3);
	dbm_test_project_free(p);
}

static void test_dump__sqlite_schema_file_follows_changes(void **state)
{
	struct dbm_test_project *p = dbm_test_project_new();
	struct dbm_test_result r;
	char path[1200], *text, *dump;

	(void)state;
	snprintf(path, sizeof(path), "%s/db/schema.sql", p->dir);
	dbm_test_write(p->dir, "dbmigrate.yml", "schema_file: db/schema.sql\n");
	dbm_test_write(p->dir, "db/.keep", "");
	dbm_test_write(p->dir, "migrations/V1__schema.sql", sqlite_v1);
	dbm_test_write(p->dir, "migrations/V2__tags.sql", "CREATE TABLE tags (name TEXT);\n");
	dbm_test_write(p->dir, "rollback/U2__tags.sql", "DROP TABLE tags;\n");
	/* a dry run changes nothing, so writes nothing */
	dbm_test_project_expect(p, 0, "migrate", "--dry-run", NULL);
	assert_null(dbm_test_read(path));
	dbm_test_project_expect(p, 0, "migrate", NULL);
	text = dbm_test_read(path);
	assert_non_null(text);
	dump = dump_of(p->dir, "sqlite:dbmigrate.db");
	dump_assert_same("schema file after migrate", dump, text);
	assert_true(dbm_test_contains(text, "CREATE TABLE tags"));
	free(text);
	free(dump);
	dbm_test_project_expect(p, 0, "rollback", NULL);
	text = dbm_test_read(path);
	assert_non_null(text);
	assert_false(dbm_test_contains(text, "CREATE TABLE tags"));
	assert_true(dbm_test_contains(text, "CREATE TABLE users"));
	free(text);
	/* --schema-file on the command line too; an unwritable one is an error naming it */
	dbm_test_project_run(p, &r, "migrate", "--schema-file", "nodir/x.sql", NULL);
	assert_int_equal(r.status, 1);
	assert_true(dbm_test_contains(r.err, "nodir/x.sql"));
	dbm_test_result_free(&r);
	dbm_test_project_free(p);
}

static void test_dump__usage_errors_and_json(void **state)
{
	struct dbm_test_project *p = dbm_test_project_new();
	struct dbm_test_result r;

	(void)state;
	dbm_test_write(p->dir, "migrations/V1__schema.sql", sqlite_v1);
	dbm_test_project_run(p, &r, "diff", "--shadow", "auto", "--from", "sqlite:x.db", NULL);
	assert_int_equal(r.status, 2);
	assert_true(dbm_test_contains(r.err, "--shadow cannot be used with --from or --to"));
	dbm_test_result_free(&r);
	dbm_test_project_run(p, &r, "dump", "--from", "sqlite:x.db", NULL);
	assert_int_equal(r.status, 2);
	assert_true(dbm_test_contains(r.err, "option '--from' does not apply to command dump"));
	dbm_test_result_free(&r);
	/* diff's --to is a URL; rollback's still a version */
	dbm_test_project_expect(p, 2, "rollback", "--to", "sqlite:x.db", NULL);
	/* the live database against its migrations, in a temporary SQLite file */
	dbm_test_project_expect(p, 0, "migrate", NULL);
	dbm_test_project_run(p, &r, "diff", NULL);
	if (r.status != 0)
		fail_msg("diff exited %d: %s%s", r.status, r.out, r.err);
	dbm_test_result_free(&r);
	/* the live database under another spelling is no shadow: nothing is emptied */
	dbm_test_project_run(p, &r, "diff", "--shadow", "sqlite:./dbmigrate.db", NULL);
	assert_int_equal(r.status, 2);
	assert_true(dbm_test_contains(r.err, "--shadow names the database being checked"));
	dbm_test_result_free(&r);
	dbm_test_project_assert_rows(p, "SELECT count(*) FROM sqlite_master WHERE name = 'users'",
	                             "1\n");
	dbm_test_project_exec(p, "CREATE TABLE extra (id INTEGER);");
	dbm_test_project_run(p, &r, "--json", "diff", NULL);
	assert_int_equal(r.status, 3);
	assert_true(dbm_test_contains(r.out, "\"equal\": false"));
	assert_true(dbm_test_contains(r.out, "\"change\": \"added\""));
	assert_true(dbm_test_contains(r.out, "\"name\": \"extra\""));
	assert_true(dbm_test_contains(r.out, "\"errorCode\""));
	dbm_test_result_free(&r);
	dbm_test_project_free(p);
}

/* --- PostgreSQL ------------------------------------------------------------- */

/* More than the example has: every kind of object the dump knows, and a history table to skip. */
static const char pg_extra[] =
    "CREATE DOMAIN positive_int AS integer CONSTRAINT positive CHECK (VALUE > 0);\n"
    "CREATE TYPE money_amount AS (currency char(3), cents positive_int);\n"
    "CREATE TYPE float_range AS RANGE (subtype = float8);\n"
    "CREATE TABLE measurements (id bigint GENERATED ALWAYS AS IDENTITY,\n"
    "    taken_on date NOT NULL, celsius numeric(5,2),\n"
    "    fahrenheit numeric GENERATED ALWAYS AS (celsius * 9 / 5 + 32) STORED,\n"
    "    label text COLLATE \"C\", price money_amount, PRIMARY KEY (id, taken_on))\n"
    "    PARTITION BY RANGE (taken_on);\n"
    "CREATE TABLE measurements_2024 PARTITION OF measurements\n"
    "    FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');\n"
    "CREATE TABLE measurements_rest PARTITION OF measurements DEFAULT;\n"
    "CREATE INDEX idx_measurements_taken ON measurements (taken_on);\n"
    "CREATE TABLE counters (id serial PRIMARY KEY, n positive_int);\n"
    "CREATE VIEW v_a AS SELECT id FROM counters;\n"
    "CREATE VIEW v_0 AS SELECT id FROM v_a;\n"
    "CREATE PROCEDURE bump(i int) LANGUAGE sql AS $$ UPDATE counters SET n = n + 1 WHERE id = i "
    "$$;\n"
    "CREATE FUNCTION counter_rows() RETURNS SETOF counters LANGUAGE sql AS $$ SELECT * FROM "
    "counters $$;\n"
    "CREATE TABLE a_kid (c int) INHERITS (counters);\n"
    "CREATE TABLE down (a smallint GENERATED ALWAYS AS IDENTITY (INCREMENT BY -2 CYCLE));\n"
    "CREATE TABLE \"Ta\"\"ble\" (\"order\" int UNIQUE, t text CHECK (t <> 'x;y'));\n"
    "CREATE INDEX \"Idx \xc3\xbc\" ON \"Ta\"\"ble\" (lower(t)) WHERE \"order\" > 0;\n";

static void test_dump__pgsql_example_reloads_through_psql(void **state)
{
	struct dbm_testdb *t = dbm_testdb_state(state, "DBM_TEST_PG_URL");
	struct dbm_test_result r;
	char dir[1024], rb[1024], file[1200];
	char *a, *b, *c;
	int k, rc;
	char *out = NULL;

	if (!dbm_pgdump_available())
		skip();
	snprintf(dir, sizeof(dir), "%s/docs/examples/postgresql/migrations", DBM_TEST_SOURCE_DIR);
	snprintf(rb, sizeof(rb), "%s/docs/examples/postgresql/rollback", DBM_TEST_SOURCE_DIR);
	dbm_test_runl(t->dir, &r, "migrate", "--url", t->url, "--migrations", dir, "--rollback", rb,
	              NULL);
	if (r.status != 0)
		fail_msg("migrate: %s", r.err);
	dbm_test_result_free(&r);
	/* migrate recorded its snapshot: the dump leaves that table out as well */
	dbm_testdb_assert_rows(t->db, "SELECT count(*) FROM schema_history_snapshot", "1\n");
	{
		const char *p = pg_extra;

		while (*p) {
			const char *e = strstr(p, ";\n");
			char stmt[1024];

			snprintf(stmt, sizeof(stmt), "%.*s", (int)(e - p), p);
			dbm_testdb_exec(t->db, stmt);
			p = e + 2;
		}
	}
	a = dump_of(t->dir, t->url);
	b = dump_of(t->dir, t->url);
	dump_assert_same("two dumps", a, b);
	assert_false(dbm_test_contains(a, "schema_history"));
	assert_true(dbm_test_contains(a, "CREATE MATERIALIZED VIEW mv_daily_ticket_stats"));
	assert_true(dbm_test_contains(a, "PARTITION OF measurements"));
	assert_true(dbm_test_contains(a, "GENERATED ALWAYS AS IDENTITY"));
	assert_true(dbm_test_contains(a, "ALTER SEQUENCE counters_id_seq OWNED BY counters.id;"));
	assert_true(strstr(a, "CREATE VIEW v_a") < strstr(a, "CREATE VIEW v_0"));
	assert_true(dbm_test_contains(a, ")\nINHERITS (counters);"));
	assert_true(strstr(a, "CREATE TABLE counters") < strstr(a, "CREATE TABLE a_kid"));
	assert_true(dbm_test_contains(a, "GENERATED ALWAYS AS IDENTITY (INCREMENT BY -2 CYCLE)"));
	assert_true(dbm_test_contains(a, "CREATE TABLE \"Ta\"\"ble\" ("));
	assert_true(strstr(a, "CREATE TABLE counters") < strstr(a, "FUNCTION public.counter_rows"));
	/* psql -f into an empty database, then the same dump */
	k = dbm_testdb_add(t, "reload");
	snprintf(file, sizeof(file), "%s/schema.sql", t->dir);
	dbm_test_write(t->dir, "schema.sql", a);
	rc = dbm_pgdump_psql_file(t->extra_url[k], file, &out);
	if (rc != 0)
		fail_msg("psql -f of the dump exited %d: %s", rc, out);
	free(out);
	c = dump_of(t->dir, t->extra_url[k]);
	dump_assert_same("dump of the reloaded dump", a, c);
	free(a);
	free(b);
	free(c);
}

static void test_dump__pgsql_diff_names_each_difference(void **state)
{
	struct dbm_testdb *t = dbm_testdb_state(state, "DBM_TEST_PG_URL");
	struct dbm_test_result r;
	char dir[1024], want[2048];
	int k;

	snprintf(dir, sizeof(dir), "%s/docs/examples/postgresql/migrations", DBM_TEST_SOURCE_DIR);
	k = dbm_testdb_add(t, "other");
	dbm_test_runl(t->dir, &r, "migrate", "--url", t->url, "--migrations", dir, NULL);
	assert_int_equal(r.status, 0);
	dbm_test_result_free(&r);
	dbm_test_runl(t->dir, &r, "migrate", "--url", t->extra_url[k], "--migrations", dir, NULL);
	assert_int_equal(r.status, 0);
	dbm_test_result_free(&r);
	snprintf(want, sizeof(want), "The schemas are the same: %s and %s\n", t->url,
	         t->extra_url[k]);
	dump_assert_diff(t->dir, t->url, t->extra_url[k], want, 0);
	/* the live database against its migrations in a shadow database */
	dbm_test_runl(t->dir, &r, "diff", "--url", t->url, "--migrations", dir, "--shadow", "auto",
	              NULL);
	if (r.status != 0)
		fail_msg("diff --shadow auto exited %d: %s%s", r.status, r.out, r.err);
	dbm_test_result_free(&r);
	{
		struct dbm_conn *o = dbm_testdb_connect(t->extra_url[k]);

		dbm_testdb_exec(o, "CREATE INDEX idx_alert_hand ON tickets (created_at)");
		dbm_testdb_exec(o, "ALTER TABLE notifications ALTER COLUMN payload TYPE json");
		dbm_testdb_exec(o, "DROP TRIGGER trg_users_updated_at ON users");
		/* an enum replaced by one with another label */
		dbm_testdb_exec(o, "ALTER TYPE user_role RENAME VALUE 'MANAGER' TO 'SUPERVISOR'");
		o->driver->disconnect(o);
	}
	dump_assert_diff(t->dir, t->url, t->extra_url[k],
	                 "enum type user_role: changed\n"
	                 "    -CREATE TYPE user_role AS ENUM ('END_USER', 'AGENT', 'TEAM_LEAD', "
	                 "'MANAGER', 'ADMIN');\n"
	                 "    +CREATE TYPE user_role AS ENUM ('END_USER', 'AGENT', 'TEAM_LEAD', "
	                 "'SUPERVISOR', 'ADMIN');\n"
	                 "column notifications.payload: type jsonb \xe2\x86\x92 json\n"
	                 "index idx_alert_hand: added\n"
	                 "trigger users.trg_users_updated_at: removed\n",
	                 3);
	/* the same through the shadow: the other database has a history of its own */
	dbm_test_runl(t->dir, &r, "diff", "--url", t->extra_url[k], "--migrations", dir, NULL);
	assert_int_equal(r.status, 3);
	assert_true(dbm_test_contains(r.out, "index idx_alert_hand: added\n"));
	assert_true(dbm_test_contains(r.err, "the schemas differ: 4 differences"));
	dbm_test_result_free(&r);
	/* the shadow database is gone */
	dbm_testdb_assert_rows(
	    t->admin, "SELECT count(*) FROM pg_database WHERE datname LIKE 'dbmigrate_shadow%'",
	    "0\n");
}

/* Regression: a table's object moved when adding more objects grew the list. */
static void test_dump__pgsql_many_tables_with_foreign_keys(void **state)
{
	struct dbm_testdb *t = dbm_testdb_state(state, "DBM_TEST_PG_URL");
	char sql[256], *a, *b, file[1200], *out = NULL;
	int i, k, rc;

	if (!dbm_pgdump_available())
		skip();
	dbm_testdb_exec(t->db, "CREATE TABLE t000 (id int PRIMARY KEY)");
	for (i = 1; i < 150; i++) {
		snprintf(sql, sizeof(sql),
		         "CREATE TABLE t%03d (id int PRIMARY KEY, up int CONSTRAINT fk_%03d "
		         "REFERENCES t%03d (id), note text DEFAULT 'n' NOT NULL)",
		         i, i, i - 1);
		dbm_testdb_exec(t->db, sql);
	}
	a = dump_of(t->dir, t->url);
	assert_int_equal(dbm_test_count(a, "CREATE TABLE "), 150);
	assert_int_equal(dbm_test_count(a, "FOREIGN KEY"), 149);
	assert_true(dbm_test_contains(a,
	                              "CREATE TABLE t149 (\n    id integer NOT NULL,\n"
	                              "    up integer,\n    note text DEFAULT 'n'::text NOT NULL,\n"
	                              "    CONSTRAINT t149_pkey PRIMARY KEY (id)\n);"));
	k = dbm_testdb_add(t, "reload");
	snprintf(file, sizeof(file), "%s/schema.sql", t->dir);
	dbm_test_write(t->dir, "schema.sql", a);
	rc = dbm_pgdump_psql_file(t->extra_url[k], file, &out);
	if (rc != 0)
		fail_msg("psql -f of the dump exited %d: %s", rc, out);
	free(out);
	b = dump_of(t->dir, t->extra_url[k]);
	dump_assert_same("dump of the reloaded dump", a, b);
	free(a);
	free(b);
}

/* --- MariaDB ---------------------------------------------------------------- */

static void test_dump__mysql_example_reloads_through_client(void **state)
{
	struct dbm_testdb *t = dbm_testdb_state(state, "DBM_TEST_MYSQL_URL");
	struct dbm_test_result r;
	char dir[1024], file[1200];
	char *a, *b, *c, *out = NULL;
	int k, rc;

	if (!dbm_mydump_available())
		skip();
	snprintf(dir, sizeof(dir), "%s/docs/examples/mysql/migrations", DBM_TEST_SOURCE_DIR);
	dbm_test_runl(t->dir, &r, "migrate", "--url", t->url, "--migrations", dir, NULL);
	if (r.status != 0)
		fail_msg("migrate: %s", r.err);
	dbm_test_result_free(&r);
	dbm_testdb_exec(t->db, "CREATE TABLE v_first (id INT)");
	dbm_testdb_exec(t->db, "CREATE VIEW z_base AS SELECT id FROM reports");
	dbm_testdb_exec(t->db, "CREATE VIEW a_top AS SELECT id FROM z_base");
	dbm_testdb_exec(t->db,
	                "CREATE FUNCTION twice(x INT) RETURNS INT DETERMINISTIC RETURN x * 2");
	a = dump_of(t->dir, t->url);
	b = dump_of(t->dir, t->url);
	dump_assert_same("two dumps", a, b);
	assert_false(dbm_test_contains(a, "schema_history"));
	assert_false(dbm_test_contains(a, "DEFINER="));
	assert_false(dbm_test_contains(a, "AUTO_INCREMENT="));
	assert_true(dbm_test_contains(a, "PARTITION BY RANGE"));
	assert_true(
	    dbm_test_contains(a, "DELIMITER ;;\nCREATE PROCEDURE `refresh_report_summaries`"));
	assert_true(dbm_test_contains(a, "CREATE EVENT `ev_refresh_report_summaries`"));
	assert_true(strstr(a, "z_base") < strstr(a, "VIEW `a_top`"));
	k = dbm_testdb_add(t, "reload");
	snprintf(file, sizeof(file), "%s/schema.sql", t->dir);
	dbm_test_write(t->dir, "schema.sql", a);
	rc = dbm_mydump_client_file(t->server, t->extra_name[k], file, &out);
	if (rc != 0)
		fail_msg("mariadb < dump exited %d: %s", rc, out);
	free(out);
	c = dump_of(t->dir, t->extra_url[k]);
	dump_assert_same("dump of the reloaded dump", a, c);
	free(a);
	free(b);
	free(c);
}

static void test_dump__mysql_diff_names_each_difference(void **state)
{
	struct dbm_testdb *t = dbm_testdb_state(state, "DBM_TEST_MYSQL_URL");
	struct dbm_test_result r;
	char dir[1024], want[2048];
	int k, s;

	snprintf(dir, sizeof(dir), "%s/docs/examples/mysql/migrations", DBM_TEST_SOURCE_DIR);
	k = dbm_testdb_add(t, "other");
	s = dbm_testdb_add(t, "shadow");
	dbm_test_runl(t->dir, &r, "migrate", "--url", t->url, "--migrations", dir, NULL);
	assert_int_equal(r.status, 0);
	dbm_test_result_free(&r);
	dbm_test_runl(t->dir, &r, "migrate", "--url", t->extra_url[k], "--migrations", dir, NULL);
	assert_int_equal(r.status, 0);
	dbm_test_result_free(&r);
	snprintf(want, sizeof(want), "The schemas are the same: %s and %s\n", t->url,
	         t->extra_url[k]);
	/* the URLs hold the test user's password: the report shows *** instead */
	dbm_test_runl(t->dir, &r, "diff", "--from", t->url, "--to", t->extra_url[k], NULL);
	assert_int_equal(r.status, 0);
	assert_true(dbm_test_contains(r.out, ":***@"));
	assert_false(dbm_test_contains(r.out, "secret"));
	dbm_test_result_free(&r);
	{
		struct dbm_conn *o = dbm_testdb_connect(t->extra_url[k]);

		dbm_testdb_exec(o, "CREATE INDEX idx_reports_owner ON reports (owner_email)");
		dbm_testdb_exec(o, "ALTER TABLE reports MODIFY description MEDIUMTEXT");
		dbm_testdb_exec(o, "DROP TRIGGER trg_report_executions_finished");
		dbm_testdb_exec(o, "ALTER TABLE report_executions MODIFY status "
		                   "ENUM('QUEUED','RUNNING','DONE') NOT NULL DEFAULT 'QUEUED'");
		o->driver->disconnect(o);
	}
	dbm_test_runl(t->dir, &r, "diff", "--from", t->url, "--to", t->extra_url[k], NULL);
	assert_int_equal(r.status, 3);
	if (strcmp(r.out,
	           "column report_executions.status: type "
	           "enum('QUEUED','RUNNING','SUCCEEDED','FAILED','CANCELLED') \xe2\x86\x92 "
	           "enum('QUEUED','RUNNING','DONE')\n"
	           "column reports.description: type text \xe2\x86\x92 mediumtext\n"
	           "index reports.idx_reports_owner: added\n"
	           "trigger report_executions.trg_report_executions_finished: removed\n") != 0)
		fail_msg("unexpected report:\n%s", r.out);
	dbm_test_result_free(&r);
	/* an explicit shadow database: emptied, migrated, compared */
	{
		struct dbm_conn *o = dbm_testdb_connect(t->extra_url[s]);

		dbm_testdb_exec(o, "CREATE TABLE leftover (id INT)");
		o->driver->disconnect(o);
	}
	dbm_test_runl(t->dir, &r, "diff", "--url", t->url, "--migrations", dir, "--shadow",
	              t->extra_url[s], NULL);
	if (r.status != 0)
		fail_msg("diff --shadow exited %d: %s%s", r.status, r.out, r.err);
	dbm_test_result_free(&r);
	dbm_test_runl(t->dir, &r, "diff", "--url", t->extra_url[k], "--migrations", dir, "--shadow",
	              t->extra_url[s], NULL);
	assert_int_equal(r.status, 3);
	assert_true(dbm_test_contains(r.out, "index reports.idx_reports_owner: added\n"));
	dbm_test_result_free(&r);
	/* the shadow cannot be the database itself */
	dbm_test_runl(t->dir, &r, "diff", "--url", t->url, "--migrations", dir, "--shadow", t->url,
	              NULL);
	assert_int_equal(r.status, 2);
	dbm_test_result_free(&r);
}

#define PG(f) cmocka_unit_test_setup_teardown(f, dbm_testdb_setup_pgsql, dbm_testdb_teardown)
#define MY(f) cmocka_unit_test_setup_teardown(f, dbm_testdb_setup_mysql, dbm_testdb_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_dump__sqlite_stable_reloads_and_skips_history),
	    cmocka_unit_test(test_dump__sqlite_diff_reports_changes),
	    cmocka_unit_test(test_dump__sqlite_schema_file_follows_changes),
	    cmocka_unit_test(test_dump__usage_errors_and_json),
	    PG(test_dump__pgsql_example_reloads_through_psql),
	    PG(test_dump__pgsql_diff_names_each_difference),
	    PG(test_dump__pgsql_many_tables_with_foreign_keys),
	    MY(test_dump__mysql_example_reloads_through_client),
	    MY(test_dump__mysql_diff_names_each_difference),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
