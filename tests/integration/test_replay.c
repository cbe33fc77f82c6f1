/*
 * test_replay.c - --dry-run output replayed through the database's own
 * client: psql -v ON_ERROR_STOP=1 -f on the PostgreSQL server
 * (DBM_TEST_PG_URL), the mariadb client on the MariaDB server
 * (DBM_TEST_MYSQL_URL).
 *
 * Each case builds three databases from one project: A gets the dry run's
 * script (made against A itself, which it leaves untouched), B the real
 * run, C the real run up to version 3 and then the script of an offline
 * dry run (--offline --from 3, its URL pointing at a port where nothing
 * listens, so it cannot have connected). All three must end with the same
 * schema (the database's own dump), the same rows, and the same history
 * rows apart from installed_on and execution_time (and, for C, the ranks
 * the offline script assumes). Then the dry runs of rollback and clean,
 * replayed into A, must leave it as rollback and clean leave B. Without a server URL a case
 * is skipped, or fails when DBM_TEST_REQUIRE_SERVERS=1.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "dbtest.h"
#include "mydump.h"
#include "pgdump.h"
#include "testutil.h"

#define HISTORY_COLS "version, description, type, script, checksum, installed_by, success"

/* Fails the test unless r exited 0, naming what ran. */
static void replay_ok(const struct dbm_test_result *r, const char *what)
{
	if (r->status != 0)
		fail_msg("%s exited %d:\n%s\n%s", what, r->status, r->out, r->err);
}

/* Writes the script on r's stdout to dir/name and returns that path (static storage). */
static const char *replay_save(const char *dir, const char *name, const struct dbm_test_result *r)
{
	static char path[2][1200];
	static int k;

	k = !k;
	dbm_test_write(dir, name, r->out);
	snprintf(path[k], sizeof(path[k]), "%s/%s", dir, name);
	return path[k];
}

/*
 * url with its port replaced by 1, where nothing listens: a dry run given
 * it can only succeed without connecting. Caller frees.
 */
static char *replay_unreachable(const char *url)
{
	const char *at = strrchr(url, '@');
	const char *colon = strchr(at ? at : url, ':');
	const char *slash = colon ? strchr(colon, '/') : NULL;
	char *out;

	assert_non_null(colon);
	assert_non_null(slash);
	out = malloc(strlen(url) + 4);
	assert_non_null(out);
	sprintf(out, "%.*s:1%s", (int)(colon - url), url, slash);
	return out;
}

/*
 * Migrates the database at url to version 3, then runs migrate --offline
 * --from 3 for it, with its URL made unreachable: r holds that run, which
 * exited 0 (the caller frees it).
 */
static void replay_offline_from_3(const char *dir, const char *url, struct dbm_test_result *r)
{
	char *nowhere;

	dbm_test_runl(dir, r, "--url", url, "--placeholder", "owner=bob", "migrate", "--target",
	              "3", NULL);
	replay_ok(r, "migrate --target 3");
	dbm_test_result_free(r);
	nowhere = replay_unreachable(url);
	dbm_test_runl(dir, r, "--url", nowhere, "--placeholder", "owner=bob", "migrate",
	              "--offline", "--from", "3", NULL);
	free(nowhere);
	replay_ok(r, "migrate --offline --from 3");
}

static void replay_pg_project(const char *dir)
{
	dbm_test_write(dir, "migrations/V1__init.sql",
	               "CREATE TABLE users (id SERIAL PRIMARY KEY, name TEXT NOT NULL,\n"
	               "  note TEXT DEFAULT 'it''s; here' -- a comment; with a semicolon\n"
	               ");\n"
	               "CREATE FUNCTION shout(t text) RETURNS text AS $$\n"
	               "BEGIN RETURN upper(t) || '!'; END;\n"
	               "$$ LANGUAGE plpgsql;\n");
	dbm_test_write(dir, "migrations/V2__index.sql",
	               "CREATE INDEX CONCURRENTLY users_name ON users (name);\n");
	dbm_test_write(dir, "migrations/V3__data.sql",
	               "INSERT INTO users (name) VALUES ('${owner}');\n"
	               "COPY users (name, note) FROM stdin;\n"
	               "carol\tfrom copy\n"
	               "dave\t\\N\n"
	               "\\.\n");
	dbm_test_write(dir, "migrations/V4__trigger.sql",
	               "CREATE FUNCTION users_bi() RETURNS trigger AS $body$\n"
	               "BEGIN NEW.note := coalesce(NEW.note, shout(NEW.name)); RETURN NEW; END;\n"
	               "$body$ LANGUAGE plpgsql;\n"
	               "CREATE TRIGGER users_bi BEFORE INSERT ON users\n"
	               "  FOR EACH ROW EXECUTE FUNCTION users_bi();\n"
	               "INSERT INTO users (name, note) VALUES ('erin', NULL);\n"
	               "SET search_path = pg_catalog; -- put back before V5, as the run does\n");
	dbm_test_write(dir, "migrations/V5__view.sql",
	               "CREATE VIEW named AS SELECT name FROM users -- no terminator after this");
	dbm_test_write(dir, "rollback/U5__view.sql", "DROP VIEW named;\n");
}

static char *replay_pg_history(const char *url, int ranks)
{
	return dbm_pgdump_query(url, ranks ? "SELECT installed_rank, " HISTORY_COLS
	                                     " FROM schema_history ORDER BY installed_rank"
	                                   : "SELECT " HISTORY_COLS
	                                     " FROM schema_history ORDER BY script");
}

/* Fails the test unless the databases at a and b have the same schema, rows and history. */
static void replay_pg_same(const char *what, const char *a, const char *b, int ranks, int rows)
{
	char *x, *y;

	x = dbm_pgdump_schema(a, NULL, 0);
	y = dbm_pgdump_schema(b, NULL, 0);
	dbm_pgdump_assert_same(what, x, y);
	assert_true(dbm_test_contains(x, "CREATE TRIGGER users_bi"));
	free(x);
	free(y);
	x = dbm_pgdump_data(a, "schema_history");
	y = dbm_pgdump_data(b, "schema_history");
	dbm_pgdump_assert_same(what, x, y);
	free(x);
	free(y);
	x = replay_pg_history(a, ranks);
	y = replay_pg_history(b, ranks);
	dbm_pgdump_assert_same(what, x, y);
	assert_int_equal(dbm_test_count(x, "|t\n"), rows);
	free(x);
	free(y);
}

/* Minutes since midnight of info --json's first installedOnUTC on url, with TZ=tz. */
static int replay_installed_minutes(const char *dir, const char *url, const char *tz)
{
	const char *env[] = {tz, NULL};
	const char *argv[] = {"--url", url, "--json", "info", NULL};
	struct dbm_test_result r;
	json_t *doc;
	const char *when;
	int y, mo, d, h, mi;
	double sec;
	char z = 0;

	dbm_test_run(dir, env, argv, &r);
	replay_ok(&r, "info --json");
	doc = json_loads(r.out, 0, NULL);
	assert_non_null(doc);
	when = json_string_value(json_object_get(
	    json_array_get(json_object_get(doc, "migrations"), 0), "installedOnUTC"));
	assert_non_null(when);
	/* Java's Instant: 2024-01-15T10:30:45.123Z */
	if (sscanf(when, "%4d-%2d-%2dT%2d:%2d:%lf%c", &y, &mo, &d, &h, &mi, &sec, &z) != 7 ||
	    z != 'Z' || strchr(when, ' '))
		fail_msg("installedOnUTC is not an Instant: %s", when);
	json_decref(doc);
	dbm_test_result_free(&r);
	return h * 60 + mi;
}

static void test_replay__pgsql_dry_run_and_offline_through_psql(void **state)
{
	struct dbm_testdb *t = dbm_testdb_state(state, "DBM_TEST_PG_URL");
	struct dbm_test_result r;
	const char *file;
	char *out = NULL;
	int real, part, rc;

	replay_pg_project(t->dir);
	real = dbm_testdb_add(t, "real");
	part = dbm_testdb_add(t, "part");

	/* the dry run, replayed into the database it was made against */
	dbm_test_runl(t->dir, &r, "--url", t->url, "--placeholder", "owner=bob", "migrate",
	              "--dry-run", NULL);
	replay_ok(&r, "migrate --dry-run");
	assert_true(dbm_test_contains(r.out, "VALUES ('bob')"));
	assert_true(dbm_test_contains(r.out, "carol\tfrom copy\n"));
	file = replay_save(t->dir, "dry.sql", &r);
	dbm_test_result_free(&r);
	/* the dry run changed nothing */
	out =
	    dbm_pgdump_query(t->url, "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'");
	assert_string_equal(out, "0\n");
	free(out);
	rc = dbm_pgdump_psql_file(t->url, file, &out);
	if (rc != 0)
		fail_msg("psql -f of the dry run exited %d: %s", rc, out);
	free(out);

	dbm_test_runl(t->dir, &r, "--url", t->extra_url[real], "--placeholder", "owner=bob",
	              "migrate", NULL);
	replay_ok(&r, "migrate");
	dbm_test_result_free(&r);
	replay_pg_same("dry run replayed against the real run", t->url, t->extra_url[real], 1, 5);
	{
		/* --skip-executing: the real run's rows (checksums included), none of its SQL */
		int mark = dbm_testdb_add(t, "mark");
		char *x, *y;

		dbm_test_runl(t->dir, &r, "--url", t->extra_url[mark], "--placeholder", "owner=bob",
		              "migrate", "--skip-executing", NULL);
		replay_ok(&r, "migrate --skip-executing");
		assert_true(dbm_test_contains(r.out, "Recorded version 5 (view) as applied without "
		                                     "running it\n"));
		dbm_test_result_free(&r);
		x = replay_pg_history(t->extra_url[mark], 1);
		y = replay_pg_history(t->extra_url[real], 1);
		dbm_pgdump_assert_same("--skip-executing's history against the real run's", x, y);
		free(x);
		free(y);
		x = dbm_pgdump_query(t->extra_url[mark], "SELECT count(*) FROM pg_class WHERE "
		                                         "relname IN ('users', 'named')");
		assert_string_equal(x, "0\n");
		free(x);
		dbm_test_runl(t->dir, &r, "--url", t->extra_url[mark], "--placeholder", "owner=bob",
		              "migrate", NULL);
		replay_ok(&r, "migrate after --skip-executing");
		assert_true(dbm_test_contains(r.out, "Schema is up to date at version 5"));
		dbm_test_result_free(&r);
	}
	{
		/* installedOnUTC: the server's wall time read in dbmigrate's time zone, as Flyway's
		 * JVM */
		int utc = replay_installed_minutes(t->dir, t->extra_url[real], "TZ=UTC0");
		int east = replay_installed_minutes(t->dir, t->extra_url[real], "TZ=<+02>-2");

		assert_int_equal((utc - east + 1440) % 1440, 120);
	}

	/* offline, for a database at version 3 */
	replay_offline_from_3(t->dir, t->extra_url[part], &r);
	assert_false(dbm_test_contains(r.out, "V3__data.sql"));
	assert_true(dbm_test_contains(r.out, "-- offline: for a database at version 3"));
	file = replay_save(t->dir, "offline.sql", &r);
	dbm_test_result_free(&r);
	rc = dbm_pgdump_psql_file(t->extra_url[part], file, &out);
	if (rc != 0)
		fail_msg("psql -f of the offline dry run exited %d: %s", rc, out);
	free(out);
	replay_pg_same("offline script after version 3 against the real run", t->extra_url[part],
	               t->extra_url[real], 1, 5);

	/* both databases are now up to date: a migrate has nothing to do */
	dbm_test_runl(t->dir, &r, "--url", t->url, "--placeholder", "owner=bob", "migrate", NULL);
	replay_ok(&r, "migrate after the replay");
	assert_true(dbm_test_contains(r.out, "Schema is up to date at version 5"));
	dbm_test_result_free(&r);

	/* rollback: its dry run replayed into A, the real one on B */
	dbm_test_runl(t->dir, &r, "--url", t->url, "rollback", "--dry-run", NULL);
	replay_ok(&r, "rollback --dry-run");
	file = replay_save(t->dir, "undo.sql", &r);
	dbm_test_result_free(&r);
	rc = dbm_pgdump_psql_file(t->url, file, &out);
	if (rc != 0)
		fail_msg("psql -f of rollback's dry run exited %d: %s", rc, out);
	free(out);
	dbm_test_runl(t->dir, &r, "--url", t->extra_url[real], "rollback", NULL);
	replay_ok(&r, "rollback");
	dbm_test_result_free(&r);
	replay_pg_same("rollback's dry run replayed against rollback", t->url, t->extra_url[real],
	               1, 6);

	/* clean: its dry run replayed empties A as clean empties B */
	dbm_test_write(t->dir, "dbmigrate.yml", "clean_disabled: false\n");
	dbm_test_runl(t->dir, &r, "--url", t->url, "clean", "--dry-run", NULL);
	replay_ok(&r, "clean --dry-run");
	assert_true(dbm_test_contains(r.out, "DROP TABLE IF EXISTS public.schema_history;\n"));
	file = replay_save(t->dir, "clean.sql", &r);
	dbm_test_result_free(&r);
	out = dbm_pgdump_query(t->url, "SELECT count(*) FROM pg_class WHERE relnamespace = "
	                               "'public'::regnamespace");
	assert_string_not_equal(out, "0\n"); /* the dry run dropped nothing */
	free(out);
	rc = dbm_pgdump_psql_file(t->url, file, &out);
	if (rc != 0)
		fail_msg("psql -f of clean's dry run exited %d: %s", rc, out);
	free(out);
	dbm_test_runl(t->dir, &r, "--url", t->extra_url[real], "--yes", "clean", NULL);
	replay_ok(&r, "clean");
	dbm_test_result_free(&r);
	{
		char *x = dbm_pgdump_schema(t->url, NULL, 0);
		char *y = dbm_pgdump_schema(t->extra_url[real], NULL, 0);

		dbm_pgdump_assert_same("clean's dry run replayed against clean", x, y);
		assert_false(dbm_test_contains(x, "CREATE TABLE"));
		free(x);
		free(y);
	}
}

static void replay_my_project(const char *dir)
{
	dbm_test_write(
	    dir, "migrations/V1__init.sql",
	    "CREATE TABLE users (id INT AUTO_INCREMENT PRIMARY KEY, name VARCHAR(50) NOT "
	    "NULL,\n  n INT DEFAULT 0); -- users; the table\n"
	    "CREATE TABLE audit (msg VARCHAR(200)); # a comment of MySQL's\n");
	dbm_test_write(dir, "migrations/V2__routines.sql",
	               "DELIMITER //\n"
	               "CREATE PROCEDURE add_user(IN nm VARCHAR(50))\n"
	               "BEGIN\n"
	               "  INSERT INTO users (name) VALUES (nm);\n"
	               "  INSERT INTO audit VALUES (CONCAT('added $$ ', nm));\n"
	               "END //\n"
	               "CREATE FUNCTION twice(x INT) RETURNS INT DETERMINISTIC\n"
	               "BEGIN\n"
	               "  DECLARE y INT;\n"
	               "  SET y = x * 2 + LENGTH('$$ and //') - 9; -- both in the body\n"
	               "  RETURN y;\n"
	               "END //\n"
	               "CREATE TRIGGER users_bi BEFORE INSERT ON users FOR EACH ROW\n"
	               "BEGIN\n"
	               "  SET NEW.n = twice(21);\n"
	               "  IF NEW.name = '' THEN SET NEW.name = 'anon'; END IF;\n"
	               "END //\n"
	               "DELIMITER ;\n");
	dbm_test_write(dir, "migrations/V3__data.sql",
	               "CALL add_user('${owner}');\n"
	               "CALL add_user('');\n");
	dbm_test_write(dir, "migrations/V4__more.sql",
	               "ALTER TABLE users ADD COLUMN note TEXT;\n"
	               "INSERT INTO audit VALUES ('semi;colon # not a comment'); # trailing\n"
	               "SET SESSION sql_mode = CONCAT(@@sql_mode, ',ANSI_QUOTES');\n"
	               "CREATE TABLE \"quoted\" (id INT);\n");
	dbm_test_write(
	    dir, "migrations/V5__event.sql",
	    "CREATE PROCEDURE tidy()\n"
	    "BEGIN\n"
	    "  DELETE FROM audit WHERE msg = 'never';\n"
	    "END;\n"
	    "CALL tidy();\n"
	    "INSERT INTO audit VALUES (\"a string again: the session was put back\");\n");
	dbm_test_write(dir, "rollback/U5__event.sql", "DROP PROCEDURE tidy;\n");
}

static char *replay_my_history(const char *server, const char *db, int ranks)
{
	return dbm_mydump_query(server, db,
	                        ranks ? "SELECT installed_rank, " HISTORY_COLS
	                                " FROM schema_history ORDER BY installed_rank"
	                              : "SELECT " HISTORY_COLS
	                                " FROM schema_history ORDER BY script");
}

static void replay_my_same(const char *what, const char *server, const char *a, const char *b,
                           int ranks, int rows)
{
	char *x, *y;

	x = dbm_mydump_schema(server, a, NULL);
	y = dbm_mydump_schema(server, b, NULL);
	dbm_mydump_assert_same(what, x, y);
	assert_true(dbm_test_contains(x, "PROCEDURE `add_user`"));
	assert_true(dbm_test_contains(x, "FUNCTION `twice`"));
	assert_true(dbm_test_contains(x, "TRIGGER users_bi BEFORE INSERT"));
	free(x);
	free(y);
	x = dbm_mydump_data(server, a, "schema_history");
	y = dbm_mydump_data(server, b, "schema_history");
	dbm_mydump_assert_same(what, x, y);
	assert_true(dbm_test_contains(x, "'anon'"));
	free(x);
	free(y);
	x = replay_my_history(server, a, ranks);
	y = replay_my_history(server, b, ranks);
	dbm_mydump_assert_same(what, x, y);
	assert_int_equal(dbm_test_count(x, "\t1\n"), rows);
	free(x);
	free(y);
}

static void test_replay__mysql_dry_run_and_offline_through_the_client(void **state)
{
	struct dbm_testdb *t = dbm_testdb_state(state, "DBM_TEST_MYSQL_URL");
	struct dbm_test_result r;
	const char *file;
	char *out = NULL;
	int real, part, rc;

	replay_my_project(t->dir);
	real = dbm_testdb_add(t, "real");
	part = dbm_testdb_add(t, "part");

	dbm_test_runl(t->dir, &r, "--url", t->url, "--placeholder", "owner=bob", "migrate",
	              "--dry-run", NULL);
	replay_ok(&r, "migrate --dry-run");
	/* a delimiter of its own for each routine, one that its body does not hold */
	assert_true(dbm_test_contains(r.out, "DELIMITER $$$\nCREATE FUNCTION twice"));
	assert_true(dbm_test_contains(r.out, "DELIMITER $$\nCREATE TRIGGER users_bi"));
	assert_true(dbm_test_contains(r.out, "END$$\nDELIMITER ;\n"));
	assert_true(dbm_test_contains(r.out, "CALL add_user('bob')"));
	file = replay_save(t->dir, "dry.sql", &r);
	dbm_test_result_free(&r);
	rc = dbm_mydump_client_file(t->server, t->name, file, &out);
	if (rc != 0)
		fail_msg("mariadb < the dry run exited %d: %s", rc, out);
	free(out);

	dbm_test_runl(t->dir, &r, "--url", t->extra_url[real], "--placeholder", "owner=bob",
	              "migrate", NULL);
	replay_ok(&r, "migrate");
	dbm_test_result_free(&r);
	replay_my_same("dry run replayed against the real run", t->server, t->name,
	               t->extra_name[real], 1, 5);

	replay_offline_from_3(t->dir, t->extra_url[part], &r);
	assert_false(dbm_test_contains(r.out, "CREATE TRIGGER"));
	assert_true(dbm_test_contains(r.out, "DELIMITER"));
	file = replay_save(t->dir, "offline.sql", &r);
	dbm_test_result_free(&r);
	rc = dbm_mydump_client_file(t->server, t->extra_name[part], file, &out);
	if (rc != 0)
		fail_msg("mariadb < the offline dry run exited %d: %s", rc, out);
	free(out);
	replay_my_same("offline script after version 3 against the real run", t->server,
	               t->extra_name[part], t->extra_name[real], 1, 5);

	dbm_test_runl(t->dir, &r, "--url", t->url, "--placeholder", "owner=bob", "migrate", NULL);
	replay_ok(&r, "migrate after the replay");
	assert_true(dbm_test_contains(r.out, "Schema is up to date at version 5"));
	dbm_test_result_free(&r);

	/* rollback: its dry run replayed into A, the real one on B */
	dbm_test_runl(t->dir, &r, "--url", t->url, "rollback", "--dry-run", NULL);
	replay_ok(&r, "rollback --dry-run");
	file = replay_save(t->dir, "undo.sql", &r);
	dbm_test_result_free(&r);
	rc = dbm_mydump_client_file(t->server, t->name, file, &out);
	if (rc != 0)
		fail_msg("mariadb < rollback's dry run exited %d: %s", rc, out);
	free(out);
	dbm_test_runl(t->dir, &r, "--url", t->extra_url[real], "rollback", NULL);
	replay_ok(&r, "rollback");
	dbm_test_result_free(&r);
	replay_my_same("rollback's dry run replayed against rollback", t->server, t->name,
	               t->extra_name[real], 1, 6);

	/* clean: its dry run replayed empties A as clean empties B */
	dbm_test_write(t->dir, "dbmigrate.yml", "clean_disabled: false\n");
	dbm_test_runl(t->dir, &r, "--url", t->url, "clean", "--dry-run", NULL);
	replay_ok(&r, "clean --dry-run");
	assert_true(dbm_test_contains(r.out, "SET SESSION FOREIGN_KEY_CHECKS = 0;\n"));
	assert_true(dbm_test_contains(r.out, "DROP PROCEDURE IF EXISTS "));
	file = replay_save(t->dir, "clean.sql", &r);
	dbm_test_result_free(&r);
	rc = dbm_mydump_client_file(t->server, t->name, file, &out);
	if (rc != 0)
		fail_msg("mariadb < clean's dry run exited %d: %s", rc, out);
	free(out);
	dbm_test_runl(t->dir, &r, "--url", t->extra_url[real], "--yes", "clean", NULL);
	replay_ok(&r, "clean");
	dbm_test_result_free(&r);
	{
		char *x = dbm_mydump_schema(t->server, t->name, NULL);
		char *y = dbm_mydump_schema(t->server, t->extra_name[real], NULL);

		dbm_mydump_assert_same("clean's dry run replayed against clean", x, y);
		assert_false(dbm_test_contains(x, "CREATE TABLE"));
		assert_false(dbm_test_contains(x, "PROCEDURE"));
		free(x);
		free(y);
	}
}

#define PG(f) cmocka_unit_test_setup_teardown(f, dbm_testdb_setup_pgsql, dbm_testdb_teardown)
#define MY(f) cmocka_unit_test_setup_teardown(f, dbm_testdb_setup_mysql, dbm_testdb_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
	    PG(test_replay__pgsql_dry_run_and_offline_through_psql),
	    MY(test_replay__mysql_dry_run_and_offline_through_the_client),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
