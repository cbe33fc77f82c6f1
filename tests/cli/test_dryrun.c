/*
 * test_dryrun.c - migrate --skip-executing, the keys of info --json and
 * version --json, and --dry-run / --offline output replayed through the
 * sqlite3 shell to the same schema, rows and history as the real run, on
 * the embedded SQLite default (the servers' replays are in
 * tests/integration/test_replay.c).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>

#include "project.h"
#include "testutil.h"

static void test_dryrun__skip_executing_records_without_running(void **state)
{
	struct dbm_test_project *p = *state;
	struct dbm_test_result r;

	dbm_test_write(p->dir, "migrations/V1__t.sql", "CREATE TABLE t (id INT);\n");
	dbm_test_write(p->dir, "migrations/V2__select.sql", "SELECT 1;\n");
	dbm_test_write(p->dir, "migrations/V3__u.sql", "CREATE TABLE u (id INT);\n");

	/* --dry-run shows the rows first and changes nothing */
	dbm_test_project_run(p, &r, "migrate", "--skip-executing", "--dry-run", "--target", "2",
	                     NULL);
	assert_int_equal(r.status, 0);
	assert_true(dbm_test_contains(r.out, "-- would record version 1 (t) as applied without "
	                                     "running it\n"));
	assert_true(dbm_test_contains(r.out, "'V1__t.sql', 1556295178,"));
	assert_true(dbm_test_contains(r.out, "'V2__select.sql', 78787420,"));
	assert_false(dbm_test_contains(r.out, "V3__u.sql"));
	assert_false(dbm_test_contains(r.out, "CREATE TABLE t "));
	dbm_test_result_free(&r);
	{
		/* a dry run on the embedded default does not even create the file */
		char path[1024];

		snprintf(path, sizeof(path), "%s/dbmigrate.db", p->dir);
		assert_int_not_equal(access(path, F_OK), 0);
	}

	dbm_test_project_run(p, &r, "migrate", "--skip-executing", "--target", "2", NULL);
	assert_int_equal(r.status, 0);
	assert_true(dbm_test_contains(r.out,
	                              "Recorded version 1 (t) as applied without running it\n"
	                              "Recorded version 2 (select) as applied without "
	                              "running it\n"));
	assert_true(dbm_test_contains(r.out, "Recorded 2 migrations without running them, now at "
	                                     "version 2"));
	dbm_test_result_free(&r);
	dbm_test_project_assert_rows(
	    p,
	    "SELECT installed_rank, version, type, script, checksum, execution_time, success "
	    "FROM schema_history ORDER BY installed_rank",
	    "1|1|SQL|V1__t.sql|1556295178|0|1\n2|2|SQL|V2__select.sql|78787420|0|1\n");

	dbm_test_project_run(p, &r, "--json", "migrate", "--skip-executing", NULL);
	assert_int_equal(r.status, 0);
	assert_true(dbm_test_contains(r.out, "\"skipExecuting\": true"));
	assert_true(dbm_test_contains(r.out, "\"migrationsExecuted\": 1"));
	assert_true(dbm_test_contains(r.out, "\"filepath\": \"migrations/V3__u.sql\""));
	dbm_test_result_free(&r);

	/* nothing of the SQL ran, and a migrate afterwards has nothing to do */
	dbm_test_project_run(p, &r, "migrate", NULL);
	assert_int_equal(r.status, 0);
	assert_true(
	    dbm_test_contains(r.out, "Schema is up to date at version 3; nothing to migrate"));
	dbm_test_result_free(&r);
	/* none of the files' tables: only the history and its schema snapshot */
	dbm_test_project_assert_rows(
	    p, "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name",
	    "schema_history\nschema_history_snapshot\n");
	dbm_test_project_assert_rows(p, "SELECT count(*) FROM schema_history WHERE success = 1",
	                             "3\n");
}

/* The JSON document on r's stdout; fails the test when it does not parse. json_decref it. */
static json_t *parse(const struct dbm_test_result *r)
{
	json_error_t err;
	json_t *doc = json_loads(r->out, 0, &err);

	if (!doc)
		fail_msg("not JSON (%s, line %d): %s", err.text, err.line, r->out);
	return doc;
}

/* Fails unless text matches the pattern of Flyway's timestamps: pattern chars 'd' are digits. */
static void assert_shape(const char *text, const char *pattern)
{
	size_t i;

	if (strlen(text) != strlen(pattern))
		fail_msg("'%s' does not have the form '%s'", text, pattern);
	for (i = 0; pattern[i]; i++)
		if (pattern[i] == 'd' ? (text[i] < '0' || text[i] > '9') : text[i] != pattern[i])
			fail_msg("'%s' does not have the form '%s'", text, pattern);
}

static void test_dryrun__info_json_has_flyways_keys(void **state)
{
	struct dbm_test_project *p = *state;
	struct dbm_test_result r;
	json_t *doc, *m;
	const char *when;

	dbm_test_write(p->dir, "migrations/V1__t.sql", "CREATE TABLE t (id INT);\n");
	dbm_test_write(p->dir, "migrations/V2__u.sql", "CREATE TABLE u (id INT);\n");
	dbm_test_write(p->dir, "rollback/U1__t.sql", "DROP TABLE t;\n");

	/* nothing there yet: Flyway's allSchemasEmpty, and every key of an unapplied file */
	dbm_test_project_run(p, &r, "--json", "info", NULL);
	assert_int_equal(r.status, 0);
	doc = parse(&r);
	assert_true(json_is_true(json_object_get(doc, "allSchemasEmpty")));
	assert_true(json_is_null(json_object_get(doc, "schemaVersion")));
	m = json_array_get(json_object_get(doc, "migrations"), 0);
	assert_string_equal(json_string_value(json_object_get(m, "installedOnUTC")), "");
	assert_string_equal(json_string_value(json_object_get(m, "undoFilepath")),
	                    "rollback/U1__t.sql");
	m = json_array_get(json_object_get(doc, "migrations"), 1);
	assert_string_equal(json_string_value(json_object_get(m, "undoFilepath")), "");
	assert_string_equal(json_string_value(json_object_get(m, "filepath")),
	                    "migrations/V2__u.sql");
	json_decref(doc);
	dbm_test_result_free(&r);

	dbm_test_project_run(p, &r, "migrate", "--target", "1", NULL);
	assert_int_equal(r.status, 0);
	dbm_test_result_free(&r);
	/* a known time in the history: SQLite's installed_on is UTC */
	dbm_test_project_exec(p,
	                      "UPDATE schema_history SET installed_on = '2024-01-15 10:30:45.120'");
	dbm_test_write(p->dir, "migrations/V1__t.sql", "CREATE TABLE t (id BIGINT);\n");

	dbm_test_project_run(p, &r, "--json", "info", NULL);
	assert_int_equal(r.status, 0);
	doc = parse(&r);
	assert_string_equal(json_string_value(json_object_get(doc, "dbmigrateVersion")),
	                    DBM_VERSION_STRING);
	assert_string_equal(json_string_value(json_object_get(doc, "operation")), "info");
	assert_string_equal(json_string_value(json_object_get(doc, "schemaVersion")), "1");
	assert_true(json_is_false(json_object_get(doc, "allSchemasEmpty")));
	/* Java's LocalDateTime: seconds, and a fraction of 3, 6 or 9 digits unless zero */
	when = json_string_value(json_object_get(doc, "timestamp"));
	assert_non_null(when);
	assert_true(strlen(when) >= 19);
	{
		static const char *const forms[] = {
		    "dddd-dd-ddTdd:dd:dd", "dddd-dd-ddTdd:dd:dd.ddd", "dddd-dd-ddTdd:dd:dd.dddddd",
		    "dddd-dd-ddTdd:dd:dd.ddddddddd"};
		size_t k;

		for (k = 0; k < 4 && strlen(forms[k]) != strlen(when); k++)
			;
		assert_true(k < 4);
		assert_shape(when, forms[k]);
	}
	m = json_array_get(json_object_get(doc, "migrations"), 0);
	/* Java's Instant: UTC with 'Z', the fraction's trailing zeros in groups of three */
	assert_string_equal(json_string_value(json_object_get(m, "installedOnUTC")),
	                    "2024-01-15T10:30:45.120Z");
	assert_string_equal(json_string_value(json_object_get(m, "state")), "Changed");
	assert_string_equal(json_string_value(json_object_get(m, "undoable")), "Yes");
	assert_true(json_is_integer(json_object_get(m, "executionTime")));
	assert_true(json_is_string(json_object_get(m, "installedBy")));
	/* the drift validate would stop on is a warning here */
	assert_int_equal(json_array_size(json_object_get(doc, "warnings")), 1);
	assert_true(dbm_test_contains(
	    json_string_value(json_array_get(json_object_get(doc, "warnings"), 0)), "V1__t.sql"));
	json_decref(doc);
	dbm_test_result_free(&r);
}

static void test_dryrun__version_json_lists_drivers_and_libraries(void **state)
{
	struct dbm_test_project *p = *state;
	struct dbm_test_result r;
	json_t *doc, *drivers;
	size_t i;
	int sqlite = 0;

	dbm_test_project_run(p, &r, "--json", "version", NULL);
	assert_int_equal(r.status, 0);
	doc = parse(&r);
	assert_string_equal(json_string_value(json_object_get(doc, "version")), DBM_VERSION_STRING);
	drivers = json_object_get(doc, "drivers");
	assert_true(json_array_size(drivers) >= 1);
	for (i = 0; i < json_array_size(drivers); i++) {
		json_t *d = json_array_get(drivers, i);
		const char *lib = json_string_value(json_object_get(d, "library"));

		assert_non_null(json_string_value(json_object_get(d, "name")));
		assert_true(json_array_size(json_object_get(d, "schemes")) >= 1);
		assert_non_null(lib);
		if (json_is_true(json_object_get(d, "available")))
			assert_true(strchr(json_string_value(json_object_get(d, "libraryVersion")),
			                   '.') != NULL);
		else
			assert_true(json_is_null(json_object_get(d, "libraryVersion")));
		if (strcmp(json_string_value(json_object_get(d, "name")), "sqlite") == 0) {
			/* the library loaded at run time: the version SQLite itself reports */
			char *want;

			dbm_test_project_exec(p, "CREATE TABLE x (id INT)");
			want = dbm_test_project_rows(p, "SELECT sqlite_version()");

			want[strcspn(want, "\n")] = '\0';
			assert_string_equal(json_string_value(json_object_get(d, "libraryVersion")),
			                    want);
			free(want);
			sqlite = 1;
		}
	}
	assert_true(sqlite);
	json_decref(doc);
	dbm_test_result_free(&r);
#ifdef DBM_FAILPOINTS
	{
		/* a machine without the client libraries: every driver listed, none available */
		const char *env[] = {"DBM_TEST_NO_LIB=1", NULL};
		const char *argv[] = {"--json", "version", NULL};

		dbm_test_run(p->dir, env, argv, &r);
		assert_int_equal(r.status, 0);
		doc = parse(&r);
		drivers = json_object_get(doc, "drivers");
		assert_true(json_array_size(drivers) >= 1);
		for (i = 0; i < json_array_size(drivers); i++) {
			json_t *d = json_array_get(drivers, i);

			assert_true(json_is_false(json_object_get(d, "available")));
			assert_true(json_is_null(json_object_get(d, "libraryVersion")));
			assert_non_null(json_string_value(json_object_get(d, "library")));
		}
		json_decref(doc);
		dbm_test_result_free(&r);
	}
#endif
}

/* Runs the shell command line (cd'd to dir) and returns its exit status. */
static int dry_sh(const char *dir, const char *cmd)
{
	char line[8192];
	int st;

	snprintf(line, sizeof(line), "cd '%s' && %s", dir, cmd);
	st = system(line);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/* The output of sqlite3 on dir/db with the dot-commands or SQL in args. Caller frees. */
static char *dry_sqlite(const char *dir, const char *db, const char *args)
{
	char cmd[2048], path[1200];
	char *out;

	snprintf(cmd, sizeof(cmd), "sqlite3 %s %s > out.txt 2>&1", db, args);
	assert_int_equal(dry_sh(dir, cmd), 0);
	snprintf(path, sizeof(path), "%s/out.txt", dir);
	out = dbm_test_read(path);
	assert_non_null(out);
	return out;
}

/*
 * Fails unless the SQLite files a and b in dir have the same schema, rows
 * and history (by rank, or with ranks 0 without them: an offline script
 * after a run to a version ranks a repeatable before the later versions).
 */
static void dry_same(const char *dir, const char *a, const char *b, int ranks)
{
	const char *queries[] = {
	    "'SELECT type, name, sql FROM sqlite_master ORDER BY name'",
	    "'SELECT * FROM users ORDER BY id' 'SELECT * FROM audit ORDER BY rowid'",
	    ranks ? "'SELECT installed_rank, version, description, type, script, checksum, "
	            "installed_by, success FROM schema_history ORDER BY installed_rank'"
	          : "'SELECT version, description, type, script, checksum, installed_by, success "
	            "FROM schema_history ORDER BY script, installed_rank'",
	};
	size_t i;

	for (i = 0; i < 3; i++) {
		char *x = dry_sqlite(dir, a, queries[i]);
		char *y = dry_sqlite(dir, b, queries[i]);

		if (strcmp(x, y) != 0) {
			fprintf(stderr, "%s:\n%s\n---- %s:\n%s\n", a, x, b, y);
			fail_msg("%s and %s differ in %s", a, b, queries[i]);
		}
		assert_true(strlen(x) > 0);
		free(x);
		free(y);
	}
}

/* Runs dbmigrate in p's folder and writes its stdout to p->dir/name; fails unless it exits 0. */
static void dry_script(struct dbm_test_project *p, const char *name, const char *const *argv)
{
	struct dbm_test_result r;

	dbm_test_run(p->dir, NULL, argv, &r);
	if (r.status != 0)
		fail_msg("dbmigrate %s ... exited %d: %s", argv[0], r.status, r.err);
	dbm_test_write(p->dir, name, r.out);
	dbm_test_result_free(&r);
}

static void test_dryrun__sqlite_scripts_replay_through_sqlite3(void **state)
{
	struct dbm_test_project *p = *state;
	struct dbm_test_result r;
	char *text, path[1200];

	if (dry_sh(p->dir, "command -v sqlite3 > /dev/null") != 0) {
		skip(); /* the sqlite3 shell is the reference: scripts/deps.sh test installs it */
		return;
	}
	dbm_test_write(p->dir, "dbmigrate.yml", "installed_by: deploy\n");
	dbm_test_write(p->dir, "migrations/V1__init.sql",
	               "CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT NOT NULL); -- users\n"
	               "CREATE TABLE audit (msg TEXT);\n"
	               "CREATE TRIGGER users_ai AFTER INSERT ON users BEGIN\n"
	               "  INSERT INTO audit VALUES ('added; ' || NEW.name);\n"
	               "END;\n");
	dbm_test_write(p->dir, "migrations/V2__data.sql",
	               "INSERT INTO users (name) VALUES ('${owner}'), ('it''s');\n");
	dbm_test_write(p->dir, "migrations/V3__view.sql",
	               "CREATE VIEW named AS SELECT name FROM users -- no terminator");
	dbm_test_write(p->dir, "migrations/R__count.sql",
	               "DROP VIEW IF EXISTS counted;\nCREATE VIEW counted AS SELECT count(*) AS n "
	               "FROM users;\n");
	dbm_test_write(p->dir, "rollback/U3__view.sql", "DROP VIEW named;\n");

	/* the dry run against a.db, which it leaves absent, replayed into it */
	{
		const char *argv[] = {"--url",     "sqlite:a.db", "--placeholder",
		                      "owner=bob", "migrate",     "--dry-run",
		                      NULL};

		dry_script(p, "dry.sql", argv);
	}
	snprintf(path, sizeof(path), "%s/a.db", p->dir);
	assert_int_not_equal(access(path, F_OK), 0);
	snprintf(path, sizeof(path), "%s/dry.sql", p->dir);
	text = dbm_test_read(path);
	assert_true(dbm_test_contains(text,
	                              "-- V2 data (migrations/V2__data.sql): in one "
	                              "transaction with its history row\nBEGIN IMMEDIATE;\n"));
	assert_true(dbm_test_contains(text, "VALUES ('bob'), ('it''s');\n"));
	assert_true(dbm_test_contains(text, "-- no terminator\n;\n"));
	free(text);
	assert_int_equal(dry_sh(p->dir, "sqlite3 -bail a.db < dry.sql"), 0);
	dbm_test_run(p->dir, NULL,
	             (const char *const[]){"--url", "sqlite:b.db", "--placeholder", "owner=bob",
	                                   "migrate", NULL},
	             &r);
	assert_int_equal(r.status, 0);
	dbm_test_result_free(&r);
	dry_same(p->dir, "a.db", "b.db", 1);

	/* offline, for a database at version 2, the kind given by --dialect */
	dbm_test_run(p->dir, NULL,
	             (const char *const[]){"--url", "sqlite:c.db", "--placeholder", "owner=bob",
	                                   "migrate", "--target", "2", NULL},
	             &r);
	assert_int_equal(r.status, 0);
	dbm_test_result_free(&r);
	{
		const char *argv[] = {"--url",
		                      "sqlite:never.db",
		                      "--placeholder",
		                      "owner=bob",
		                      "migrate",
		                      "--offline",
		                      "--from",
		                      "2",
		                      "--dialect",
		                      "sqlite",
		                      NULL};

		dry_script(p, "offline.sql", argv);
	}
	snprintf(path, sizeof(path), "%s/never.db", p->dir);
	assert_int_not_equal(access(path, F_OK), 0);
	snprintf(path, sizeof(path), "%s/offline.sql", p->dir);
	text = dbm_test_read(path);
	assert_false(dbm_test_contains(text, "V2__data.sql"));
	assert_false(dbm_test_contains(text, "R__count.sql")); /* assumed applied as it is */
	assert_true(dbm_test_contains(text, "VALUES (4, '3', 'view', 'SQL', 'V3__view.sql'"));
	free(text);
	assert_int_equal(dry_sh(p->dir, "sqlite3 -bail c.db < offline.sql"), 0);
	dry_same(p->dir, "c.db", "b.db", 0);

	/* rollback: the dry run replayed against the real one */
	{
		const char *argv[] = {"--url", "sqlite:a.db", "rollback", "--dry-run", NULL};

		dry_script(p, "undo.sql", argv);
	}
	assert_int_equal(dry_sh(p->dir, "sqlite3 -bail a.db < undo.sql"), 0);
	dbm_test_run(p->dir, NULL, (const char *const[]){"--url", "sqlite:b.db", "rollback", NULL},
	             &r);
	assert_int_equal(r.status, 0);
	dbm_test_result_free(&r);
	dry_same(p->dir, "a.db", "b.db", 1);
	text = dry_sqlite(p->dir, "a.db",
	                  "'SELECT type, version FROM schema_history WHERE "
	                  "installed_rank = 5'");
	assert_string_equal(text, "UNDO_SQL|3\n");
	free(text);
	/* and offline from version 3: the same rows again */
	{
		const char *argv[] = {"--url",  "sqlite:c.db", "rollback", "--offline",
		                      "--from", "3",           NULL};

		dry_script(p, "undo-offline.sql", argv);
	}
	assert_int_equal(dry_sh(p->dir, "sqlite3 -bail c.db < undo-offline.sql"), 0);
	dry_same(p->dir, "c.db", "b.db", 0);
}

/* The rows of dir/db's history without installed_on and execution_time. Caller frees. */
static char *dry_history(const char *dir, const char *db)
{
	return dry_sqlite(dir, db,
	                  "'SELECT installed_rank, version, description, type, script, "
	                  "checksum, installed_by, success FROM schema_history ORDER BY 1'");
}

static void test_dryrun__baseline_repair_and_clean_scripts_replay(void **state)
{
	struct dbm_test_project *p = *state;
	struct dbm_test_result r;
	char *x, *y;

	if (dry_sh(p->dir, "command -v sqlite3 > /dev/null") != 0) {
		skip();
		return;
	}
	dbm_test_write(p->dir, "migrations/V1__t.sql", "CREATE TABLE t (id INT);\n");
	dbm_test_write(p->dir, "migrations/V2__u.sql", "CREATE TABLE u (id INT);\n");

	/* baseline */
	{
		const char *argv[] = {"--url", "sqlite:a.db", "baseline", "--version",
		                      "1",     "--dry-run",   NULL};

		dry_script(p, "baseline.sql", argv);
	}
	assert_int_equal(dry_sh(p->dir, "sqlite3 -bail a.db < baseline.sql"), 0);
	dbm_test_run(
	    p->dir, NULL,
	    (const char *const[]){"--url", "sqlite:b.db", "baseline", "--version", "1", NULL}, &r);
	assert_int_equal(r.status, 0);
	dbm_test_result_free(&r);
	x = dry_history(p->dir, "a.db");
	y = dry_history(p->dir, "b.db");
	assert_string_equal(x, y);
	assert_true(dbm_test_contains(x, "|BASELINE|"));
	free(x);
	free(y);

	/* repair: a failed row and an edited file, on two databases alike */
	dbm_test_run(p->dir, NULL, (const char *const[]){"--url", "sqlite:a.db", "migrate", NULL},
	             &r);
	assert_int_equal(r.status, 0);
	dbm_test_result_free(&r);
	dbm_test_run(p->dir, NULL, (const char *const[]){"--url", "sqlite:b.db", "migrate", NULL},
	             &r);
	assert_int_equal(r.status, 0);
	dbm_test_result_free(&r);
	assert_int_equal(dry_sh(p->dir,
	                        "for d in a b; do sqlite3 $d.db \"INSERT INTO "
	                        "schema_history VALUES (9, '3', 'x', 'SQL', 'V3__x.sql', 0, "
	                        "'me', '2024-01-01', 0, 0)\"; done"),
	                 0);
	dbm_test_write(p->dir, "migrations/V2__u.sql", "CREATE TABLE u (id BIGINT);\n");
	{
		const char *argv[] = {"--url", "sqlite:a.db", "repair", "--dry-run", NULL};

		dry_script(p, "repair.sql", argv);
	}
	assert_int_equal(dry_sh(p->dir, "sqlite3 -bail a.db < repair.sql"), 0);
	dbm_test_run(p->dir, NULL, (const char *const[]){"--url", "sqlite:b.db", "repair", NULL},
	             &r);
	assert_int_equal(r.status, 0);
	dbm_test_result_free(&r);
	x = dry_history(p->dir, "a.db");
	y = dry_history(p->dir, "b.db");
	assert_string_equal(x, y);
	assert_false(dbm_test_contains(x, "V3__x.sql"));
	free(x);
	free(y);
	dbm_test_run(p->dir, NULL, (const char *const[]){"--url", "sqlite:a.db", "validate", NULL},
	             &r);
	assert_int_equal(r.status, 0);
	dbm_test_result_free(&r);

	/* clean: the dry run needs no --yes, drops nothing, and its script empties the file */
	dbm_test_write(p->dir, "dbmigrate.yml", "clean_disabled: false\n");
	{
		const char *argv[] = {"--url", "sqlite:a.db", "clean", "--dry-run", NULL};

		dry_script(p, "clean.sql", argv);
	}
	x = dry_sqlite(p->dir, "a.db", "'SELECT count(*) FROM sqlite_master'");
	assert_string_not_equal(x, "0\n");
	free(x);
	assert_int_equal(dry_sh(p->dir, "sqlite3 -bail a.db < clean.sql"), 0);
	dbm_test_run(p->dir, NULL,
	             (const char *const[]){"--url", "sqlite:b.db", "--yes", "clean", NULL}, &r);
	assert_int_equal(r.status, 0);
	dbm_test_result_free(&r);
	x = dry_sqlite(p->dir, "a.db", "'SELECT count(*) FROM sqlite_master'");
	y = dry_sqlite(p->dir, "b.db", "'SELECT count(*) FROM sqlite_master'");
	assert_string_equal(x, "0\n");
	assert_string_equal(y, "0\n");
	free(x);
	free(y);
}

static void test_dryrun__offline_and_placeholder_refusals(void **state)
{
	struct dbm_test_project *p = *state;
	struct dbm_test_result r;

	dbm_test_write(p->dir, "migrations/V1__t.sql", "CREATE TABLE t (v TEXT);\n");
	dbm_test_write(p->dir, "migrations/V2__grant.sql",
	               "INSERT INTO t VALUES ('${api_token}');\n");

	dbm_test_project_run(p, &r, "migrate", "--from", "1", NULL);
	assert_int_equal(r.status, 2);
	assert_true(dbm_test_contains(r.err, "error: --from needs --offline"));
	dbm_test_result_free(&r);
	dbm_test_project_run(p, &r, "migrate", "--offline", NULL);
	assert_int_equal(r.status, 2);
	assert_true(dbm_test_contains(r.err, "error: --offline needs --from VERSION or --from "
	                                     "empty"));
	dbm_test_result_free(&r);
	dbm_test_project_run(p, &r, "migrate", "--offline", "--from", "x1", NULL);
	assert_int_equal(r.status, 2);
	assert_true(dbm_test_contains(r.err, "--from: 'x1' is not a version or 'empty'"));
	dbm_test_result_free(&r);
	dbm_test_project_run(p, &r, "migrate", "--offline", "--from", "empty", "--dialect",
	                     "oracle", NULL);
	assert_int_equal(r.status, 2);
	assert_true(dbm_test_contains(r.err, "--dialect: 'oracle' is no database this build has"));
	dbm_test_result_free(&r);

	/* a secret-looking placeholder: refused, its value never printed */
	dbm_test_project_run(p, &r, "--placeholder", "api_token=Tk9xQz7Val", "migrate", "--offline",
	                     "--from", "1", NULL);
	assert_int_equal(r.status, 2);
	assert_true(dbm_test_contains(r.err, "migrations/V2__grant.sql:1: error: placeholder "
	                                     "${api_token} holds a secret"));
	assert_true(dbm_test_contains(r.err, "--placeholder 'api_token=${api_token}'"));
	assert_false(dbm_test_contains(r.out, "Tk9xQz7Val"));
	assert_false(dbm_test_contains(r.err, "Tk9xQz7Val"));
	dbm_test_result_free(&r);
	/* under a name that says nothing, the value is replaced */
	dbm_test_write(p->dir, "migrations/V2__grant.sql", "INSERT INTO t VALUES ('${label}');\n");
	dbm_test_project_run(p, &r, "--placeholder", "label=Tk9xQz7Val", "migrate", "--offline",
	                     "--from", "1", NULL);
	assert_int_equal(r.status, 0);
	assert_true(dbm_test_contains(r.out, "INSERT INTO t VALUES ('Tk9xQz7Val');\n"));
	dbm_test_result_free(&r);
}

static void test_dryrun__script_opens_with_its_comments_before_callbacks(void **state)
{
	struct dbm_test_project *p = *state;
	struct dbm_test_result r;

	dbm_test_write(p->dir, "migrations/V1__t.sql", "CREATE TABLE t (id INT);\n");
	dbm_test_write(p->dir, "migrations/afterConnect.sql", "PRAGMA foreign_keys = ON;\n");
	/* live and offline alike: a new connection runs afterConnect first */
	dbm_test_project_run(p, &r, "migrate", "--dry-run", NULL);
	assert_int_equal(r.status, 0);
	assert_true(strncmp(r.out, "-- dbmigrate ", 13) == 0);
	assert_true(dbm_test_contains(r.out, "takes no lock\n-- callback afterConnect: "
	                                     "migrations/afterConnect.sql\n"));
	dbm_test_result_free(&r);
	dbm_test_project_run(p, &r, "migrate", "--offline", "--from", "empty", NULL);
	assert_int_equal(r.status, 0);
	assert_true(strncmp(r.out, "-- dbmigrate ", 13) == 0);
	assert_true(dbm_test_contains(r.out, "-- offline: for a database without the history "
	                                     "table schema_history\n"));
	assert_true(dbm_test_contains(r.out,
	                              "-- callback afterConnect: "
	                              "migrations/afterConnect.sql\nPRAGMA foreign_keys = ON;\n"));
	assert_int_equal(dbm_test_count(r.out, "-- dbmigrate "), 1);
	dbm_test_result_free(&r);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, dbm_test_project_setup, dbm_test_project_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
	    T(test_dryrun__skip_executing_records_without_running),
	    T(test_dryrun__info_json_has_flyways_keys),
	    T(test_dryrun__version_json_lists_drivers_and_libraries),
	    T(test_dryrun__sqlite_scripts_replay_through_sqlite3),
	    T(test_dryrun__baseline_repair_and_clean_scripts_replay),
	    T(test_dryrun__offline_and_placeholder_refusals),
	    T(test_dryrun__script_opens_with_its_comments_before_callbacks),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
