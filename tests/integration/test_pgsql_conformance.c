/*
 * test_pgsql_conformance.c - dbmigrate against PostgreSQL's own client on
 * whole migration sets written the way public projects write them.
 *
 * For each set the test applies the files with dbmigrate into one database
 * and with psql, file by file in version order, into another, and compares
 * the two with pg_dump (schema) and a fingerprint of the data. Where the
 * set has undo scripts it then rolls everything back (only the history
 * table may remain), migrates again (the same schema again) and rolls back
 * the newest steps (the schema of the older files applied with psql). It
 * also adopts a database whose flyway_schema_history was written the way
 * Flyway writes it, runs six runners at once on a large set, and checks the
 * report of a failing statement.
 *
 * The server URL comes from DBM_TEST_PG_URL (tests/servers/pgsql.sh start
 * prints it). Without it the tests are skipped, or fail when
 * DBM_TEST_REQUIRE_SERVERS=1. Each test makes its own databases and drops
 * them afterwards.
 */
#define _DEFAULT_SOURCE
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <zlib.h>

#include "dbtest.h"
#include "pgdump.h"
#include "testutil.h"

#define PGCONF_MAX_FILES 1024

struct pgconf {
	struct dbm_testdb *db; /* database A, its folder and the added databases B and C */
	const char *server;    /* the server's URL (database "postgres") */
	const char
	    *name[3]; /* databases A (dbmigrate), B (psql), C (psql, a prefix of the files) */
	const char *url[3];
	const char *dir; /* scratch folder, the working directory of dbmigrate */
};

/* One versioned migration file of a set. */
struct pgconf_file {
	char path[1024];  /* absolute */
	char script[512]; /* relative to the migrations folder, as Flyway stores it */
	char version[64]; /* as Flyway stores it: '_' turned into '.' */
	char description[256];
	unsigned long long parts[8];
	int nparts;
};

struct pgconf_set {
	struct pgconf_file *files;
	int n;
};

/*
 * Memory a test may still hold when an assertion fails and cmocka jumps out
 * of it: registered here, released by pgconf_release or by the teardown.
 */
static void *pgconf_owned[32];

/* Registers p (not NULL) for the teardown and returns it. */
static void *pgconf_own(void *p)
{
	size_t i;

	assert_non_null(p);
	for (i = 0; i < sizeof(pgconf_owned) / sizeof(pgconf_owned[0]); i++) {
		if (!pgconf_owned[i]) {
			pgconf_owned[i] = p;
			return p;
		}
	}
	fail_msg("too many allocations held at once");
	return NULL;
}

/* Frees p and forgets it; p may be NULL. */
static void pgconf_release(void *p)
{
	size_t i;

	for (i = 0; p && i < sizeof(pgconf_owned) / sizeof(pgconf_owned[0]); i++) {
		if (pgconf_owned[i] == p)
			pgconf_owned[i] = NULL;
	}
	free(p);
}

/*
 * Fails the test with a message naming what ran and what dbmigrate printed,
 * freeing r first so that nothing leaks past the failure.
 */
static void pgconf_fail_result(struct dbm_test_result *r, const char *what)
{
	static char msg[65536];

	snprintf(msg, sizeof(msg), "%s exited %d\nstdout:\n%s\nstderr:\n%s", what, r->status,
	         r->out, r->err);
	dbm_test_result_free(r);
	fail_msg("%s", msg);
}

/* Replaces database `to` of the test (0 A, 1 B, 2 C) with a copy of database `from`. */
static void pgconf_copy_db(struct pgconf *t, int from, int to)
{
	char sql[256];

	snprintf(sql, sizeof(sql), "DROP DATABASE IF EXISTS %s WITH (FORCE)", t->name[to]);
	dbm_testdb_exec(t->db->admin, sql);
	snprintf(sql, sizeof(sql), "CREATE DATABASE %s TEMPLATE %s", t->name[to], t->name[from]);
	dbm_testdb_exec(t->db->admin, sql);
}

static int pgconf_setup(void **state)
{
	const char *url = getenv("DBM_TEST_PG_URL");
	struct pgconf *t;
	int i;

	*state = NULL;
	if (!url || !*url || !dbm_pgdump_available())
		return 0;
	t = calloc(1, sizeof(*t));
	assert_non_null(t);
	*state = t;
	t->db = dbm_testdb_new_at(url);
	t->server = t->db->server;
	t->name[0] = t->db->name;
	t->url[0] = t->db->url;
	for (i = 1; i < 3; i++) {
		int k = dbm_testdb_add(t->db, i == 1 ? "b" : "c");

		t->name[i] = t->db->extra_name[k];
		t->url[i] = t->db->extra_url[k];
	}
	t->dir = t->db->dir;
	return 0;
}

static int pgconf_teardown(void **state)
{
	struct pgconf *t = *state;
	struct dbm_testdb *db = t ? t->db : NULL;
	int i;

	for (i = 0; i < (int)(sizeof(pgconf_owned) / sizeof(pgconf_owned[0])); i++)
		pgconf_release(pgconf_owned[i]);
	free(t);
	*state = NULL;
	dbm_testdb_free(db);
	return 0;
}

/* The test's state, or skips the test (fails it when servers are required). */
static struct pgconf *pgconf_state(void **state)
{
	if (!*state) {
		dbm_test_server_url("DBM_TEST_PG_URL");
		if (getenv("DBM_TEST_PG_URL") && !dbm_pgdump_available())
			fail_msg("pg_dump and psql are needed: set DBM_TEST_PGBIN");
		skip();
	}
	return *state;
}

/* Fills f from a file name "V<version>__<description>.sql"; 0 when the name is not one. */
static int pgconf_parse_name(const char *name, struct pgconf_file *f)
{
	const char *p = name + 1, *sep = strstr(name, "__");
	size_t len = strlen(name), i, n = 0;

	if (name[0] != 'V' || !sep || len < 5 || strcmp(name + len - 4, ".sql") != 0)
		return 0;
	f->nparts = 0;
	while (p < sep && f->nparts < 8) {
		f->parts[f->nparts++] = strtoull(p, (char **)&p, 10);
		if (*p == '.' || *p == '_')
			p++;
	}
	for (p = name + 1; p < sep && n < sizeof(f->version) - 1; p++)
		f->version[n++] = *p == '_' ? '.' : *p;
	f->version[n] = '\0';
	n = 0;
	for (p = sep + 2; p < name + len - 4 && n < sizeof(f->description) - 1; p++)
		f->description[n++] = *p == '_' ? ' ' : *p;
	f->description[n] = '\0';
	/* Trailing zero parts do not count: 1.0 is 1. */
	for (i = (size_t)f->nparts; i > 1 && f->parts[i - 1] == 0; i--)
		f->nparts--;
	return 1;
}

static void pgconf_scan(const char *root, const char *rel, struct pgconf_set *set)
{
	char path[1024];
	DIR *d;
	struct dirent *e;

	snprintf(path, sizeof(path), "%s%s%s", root, *rel ? "/" : "", rel);
	d = opendir(path);
	assert_non_null(d);
	while ((e = readdir(d)) != NULL) {
		char sub[512], full[1024];
		struct stat st;

		if (e->d_name[0] == '.')
			continue;
		snprintf(sub, sizeof(sub), "%s%s%s", rel, *rel ? "/" : "", e->d_name);
		snprintf(full, sizeof(full), "%s/%s", root, sub);
		if (stat(full, &st) != 0)
			continue;
		if (S_ISDIR(st.st_mode)) {
			pgconf_scan(root, sub, set);
		} else {
			struct pgconf_file *f = &set->files[set->n];

			if (!pgconf_parse_name(e->d_name, f))
				continue;
			assert_true(set->n < PGCONF_MAX_FILES - 1);
			snprintf(f->path, sizeof(f->path), "%s", full);
			snprintf(f->script, sizeof(f->script), "%s", sub);
			set->n++;
		}
	}
	closedir(d);
}

static int pgconf_cmp_file(const void *a, const void *b)
{
	const struct pgconf_file *x = a, *y = b;
	int i;

	for (i = 0; i < x->nparts || i < y->nparts; i++) {
		unsigned long long p = i < x->nparts ? x->parts[i] : 0;
		unsigned long long q = i < y->nparts ? y->parts[i] : 0;

		if (p != q)
			return p < q ? -1 : 1;
	}
	return 0;
}

/* The versioned files under dir, in version order. Free with pgconf_set_free. */
static struct pgconf_set pgconf_load(const char *dir)
{
	struct pgconf_set set;

	set.files = pgconf_own(calloc(PGCONF_MAX_FILES, sizeof(*set.files)));
	set.n = 0;
	pgconf_scan(dir, "", &set);
	qsort(set.files, (size_t)set.n, sizeof(*set.files), pgconf_cmp_file);
	return set;
}

static void pgconf_set_free(struct pgconf_set *set)
{
	pgconf_release(set->files);
	set->files = NULL;
}

/* Applies files [from, to) of set to url with psql, one psql per file; fails on the first error. */
static void pgconf_psql_files(const char *url, const struct pgconf_set *set, int from, int to)
{
	int i;

	for (i = from; i < to; i++) {
		char *out = NULL;
		int rc = dbm_pgdump_psql_file(url, set->files[i].path, &out);

		if (rc != 0) {
			static char msg[65536];

			snprintf(msg, sizeof(msg), "psql -f %s exited %d:\n%s",
			         set->files[i].script, rc, out);
			free(out);
			fail_msg("%s", msg);
		}
		free(out);
	}
}

/*
 * Runs dbmigrate in the test's folder with --url url --migrations m
 * [--rollback r] followed by the words of args (space-separated, no
 * quoting), and fills r.
 */
static void pgconf_dbm(struct pgconf *t, const char *url, const char *m, const char *rb,
                       const char *args, struct dbm_test_result *r)
{
	const char *argv[32];
	char words[512], *w, *save = NULL;
	int n = 0;

	argv[n++] = "--url";
	argv[n++] = url;
	argv[n++] = "--migrations";
	argv[n++] = m;
	if (rb) {
		argv[n++] = "--rollback";
		argv[n++] = rb;
	}
	snprintf(words, sizeof(words), "%s", args);
	for (w = strtok_r(words, " ", &save); w && n < 31; w = strtok_r(NULL, " ", &save))
		argv[n++] = w;
	argv[n] = NULL;
	dbm_test_run(t->dir, NULL, argv, r);
}

/* Like pgconf_dbm, and fails the test, showing what dbmigrate printed, unless it exits want. */
static void pgconf_dbm_expect(struct pgconf *t, const char *url, const char *m, const char *rb,
                              const char *args, int want)
{
	struct dbm_test_result r;

	pgconf_dbm(t, url, m, rb, args, &r);
	if (r.status != want) {
		char what[600];

		snprintf(what, sizeof(what), "dbmigrate %s (expected to exit %d)", args, want);
		pgconf_fail_result(&r, what);
	}
	dbm_test_result_free(&r);
}

/* Asserts that databases x and y have the same schema (with grants) and data. */
static void pgconf_assert_same_db(const char *what, const char *x, const char *y,
                                  const char *history, int data)
{
	char *a = pgconf_own(dbm_pgdump_schema(x, history, DBM_PGDUMP_PRIVILEGES));
	char *b = pgconf_own(dbm_pgdump_schema(y, history, DBM_PGDUMP_PRIVILEGES));

	assert_true(strlen(b) > 0);
	dbm_pgdump_assert_same(what, a, b);
	pgconf_release(a);
	pgconf_release(b);
	if (data) {
		a = pgconf_own(dbm_pgdump_data(x, history));
		b = pgconf_own(dbm_pgdump_data(y, history));
		dbm_pgdump_assert_same(what, a, b);
		pgconf_release(a);
		pgconf_release(b);
	}
}

/* Asserts that the rows of sql on url are exactly want. */
static void pgconf_assert_rows(const char *url, const char *sql, const char *want)
{
	char *got = pgconf_own(dbm_pgdump_query(url, sql));

	assert_string_equal(got, want);
	pgconf_release(got);
}

/*
 * Asserts that the public schema of url holds nothing but the history table
 * schema_history and its snapshot table.
 */
static void pgconf_assert_only_history(const char *url)
{
	pgconf_assert_rows(url,
	                   "SELECT c.relname, c.relkind FROM pg_class c JOIN pg_namespace n ON "
	                   "n.oid = c.relnamespace WHERE n.nspname NOT IN ('pg_catalog', "
	                   "'information_schema', 'pg_toast') ORDER BY 1",
	                   "schema_history|r\nschema_history_pkey|i\nschema_history_s_idx|i\n"
	                   "schema_history_snapshot|r\nschema_history_snapshot_pkey|i\n");
	/* Types other than the table's own row types, routines, extensions, schemas. */
	pgconf_assert_rows(
	    url,
	    "SELECT (SELECT count(*) FROM pg_type t JOIN pg_namespace n ON n.oid = "
	    "t.typnamespace WHERE n.nspname = 'public' AND t.typname NOT IN "
	    "('schema_history', '_schema_history', 'schema_history_snapshot', "
	    "'_schema_history_snapshot')), (SELECT count(*) FROM pg_proc p "
	    "JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = "
	    "'public'), (SELECT string_agg(extname, ',') FROM pg_extension), (SELECT "
	    "string_agg(nspname, ',' ORDER BY nspname) FROM pg_namespace WHERE nspname "
	    "NOT LIKE 'pg\\_%' AND nspname <> 'information_schema')",
	    "0|0|plpgsql|public\n");
}

/*
 * The whole round trip for the set in migrations (undo scripts in rollback,
 * or NULL): dbmigrate and psql give the same schema and data; then, with
 * undo scripts, rollback --to 0 leaves only the history table, migrate
 * rebuilds the same schema, and rollback --steps steps leaves the schema
 * of the first n - steps files.
 */
static void pgconf_round_trip(struct pgconf *t, const char *migrations, const char *rollback,
                              int steps)
{
	struct pgconf_set set = pgconf_load(migrations);
	struct dbm_test_result r;
	char want[128], args[64], *empty;

	assert_true(set.n > 0);
	/* The empty database, for comparing after rollback --to 0. */
	empty = pgconf_own(dbm_pgdump_schema(t->url[2], "schema_history", DBM_PGDUMP_PRIVILEGES));

	pgconf_dbm(t, t->url[0], migrations, rollback, "migrate", &r);
	if (r.status != 0)
		pgconf_fail_result(&r, "migrate");
	snprintf(want, sizeof(want), "Applied %d migration%s, now at version %s (", set.n,
	         set.n == 1 ? "" : "s", set.files[set.n - 1].version);
	if (!dbm_test_contains(r.out, want))
		pgconf_fail_result(&r, want);
	dbm_test_result_free(&r);
	snprintf(want, sizeof(want), "%d|%d|%s\n", set.n, set.n, set.files[set.n - 1].version);
	pgconf_assert_rows(t->url[0],
	                   "SELECT count(*), count(DISTINCT version), (SELECT version FROM "
	                   "schema_history ORDER BY installed_rank DESC LIMIT 1) FROM "
	                   "schema_history WHERE type = 'SQL' AND success",
	                   want);

	/*
	 * psql builds C from the first n - steps files, then B from a copy of C
	 * and the remaining files: the same as applying every file to B, at
	 * half the cost on large sets.
	 */
	if (!rollback)
		steps = 0;
	if (steps > set.n)
		steps = set.n;
	pgconf_psql_files(t->url[2], &set, 0, set.n - steps);
	pgconf_copy_db(t, 2, 1);
	pgconf_psql_files(t->url[1], &set, set.n - steps, set.n);
	pgconf_assert_same_db("dbmigrate vs psql", t->url[0], t->url[1], "schema_history", 1);

	if (rollback) {
		char *after;

		pgconf_dbm_expect(t, t->url[0], migrations, rollback, "rollback --to 0", 0);
		pgconf_assert_only_history(t->url[0]);
		after = pgconf_own(
		    dbm_pgdump_schema(t->url[0], "schema_history", DBM_PGDUMP_PRIVILEGES));
		dbm_pgdump_assert_same("after rollback --to 0 vs empty database", after, empty);
		pgconf_release(after);
		snprintf(want, sizeof(want), "%d\n", set.n);
		pgconf_assert_rows(
		    t->url[0], "SELECT count(*) FROM schema_history WHERE type = 'UNDO_SQL'", want);

		pgconf_dbm_expect(t, t->url[0], migrations, rollback, "migrate", 0);
		pgconf_assert_same_db("migrate after rollback --to 0 vs psql", t->url[0], t->url[1],
		                      "schema_history", 1);

		snprintf(args, sizeof(args), "rollback --steps %d", steps);
		pgconf_dbm_expect(t, t->url[0], migrations, rollback, args, 0);
		pgconf_assert_same_db(args, t->url[0], t->url[2], "schema_history", 0);
	}
	pgconf_release(empty);
	pgconf_set_free(&set);
}

static void test_pgsql_conformance__realworld_pg_set(void **state)
{
	struct pgconf *t = pgconf_state(state);

	pgconf_round_trip(t, DBM_TEST_FIXTURES "/realworld/pg",
	                  DBM_TEST_FIXTURES "/pgconf/realworld-undo", 5);
	/* rollback --steps 5 left versions 1 to 10: the rest applies again. */
	pgconf_dbm_expect(t, t->url[0], DBM_TEST_FIXTURES "/realworld/pg", NULL, "migrate", 0);
	/*
	 * The end state the set's README promises, in B (psql), whose data
	 * equalled dbmigrate's after the first migrate.
	 */
	pgconf_assert_rows(t->url[1],
	                   "SELECT (SELECT count(*) FROM accounts), (SELECT count(*) FROM "
	                   "audit_log), (SELECT count(*) FROM countries), (SELECT count(*) FROM "
	                   "\"Gift Cards\"), (SELECT count(*) FROM order_items), (SELECT "
	                   "string_agg(status::text, ',') FROM orders), (SELECT count(*) FROM "
	                   "products), (SELECT count(*) FROM pg_inherits WHERE inhparent = "
	                   "'events'::regclass)",
	                   "6|4|5|1|0|cancelled|4|7\n");
}

static void test_pgsql_conformance__postgresql_example(void **state)
{
	struct pgconf *t = pgconf_state(state);

	pgconf_round_trip(t, DBM_TEST_SOURCE_DIR "/docs/examples/postgresql/migrations",
	                  DBM_TEST_SOURCE_DIR "/docs/examples/postgresql/rollback", 3);
}

static void test_pgsql_conformance__portable_sample(void **state)
{
	struct pgconf *t = pgconf_state(state);

	pgconf_round_trip(t, DBM_TEST_SOURCE_DIR "/migrations", DBM_TEST_SOURCE_DIR "/rollback", 2);
}

static void test_pgsql_conformance__wide_generated_set(void **state)
{
	struct pgconf *t = pgconf_state(state);

	pgconf_round_trip(t, DBM_TEST_FIXTURES "/pgconf/wide/migrations",
	                  DBM_TEST_FIXTURES "/pgconf/wide/rollback", 20);
}

static void test_pgsql_conformance__framework_exports(void **state)
{
	struct pgconf *t = pgconf_state(state);

	pgconf_round_trip(t, DBM_TEST_FIXTURES "/pgconf/frameworks/migrations",
	                  DBM_TEST_FIXTURES "/pgconf/frameworks/rollback", 3);
}

/*
 * Flyway's checksum of a file, computed here independently of dbmigrate:
 * CRC-32 of the UTF-8 bytes without a leading BOM and without any line
 * terminator, as a signed 32-bit integer.
 */
static int32_t pgconf_flyway_checksum(const char *path)
{
	char *text = dbm_test_read(path);
	const unsigned char *p;
	uLong crc = crc32(0L, Z_NULL, 0);

	assert_non_null(text);
	p = (const unsigned char *)text;
	if (p[0] == 0xEF && p[1] == 0xBB && p[2] == 0xBF)
		p += 3;
	for (; *p; p++) {
		if (*p != '\r' && *p != '\n')
			crc = crc32(crc, p, 1);
	}
	free(text);
	return (int32_t)(uint32_t)crc;
}

/* The history table exactly as Flyway 9 and 10 create it on PostgreSQL. */
static void pgconf_flyway_create(const char *url, const char *schema)
{
	char sql[1400];

	snprintf(sql, sizeof(sql),
	         "CREATE TABLE \"%s\".\"flyway_schema_history\" (\n"
	         "    \"installed_rank\" INT NOT NULL,\n"
	         "    \"version\" VARCHAR(50),\n"
	         "    \"description\" VARCHAR(200) NOT NULL,\n"
	         "    \"type\" VARCHAR(20) NOT NULL,\n"
	         "    \"script\" VARCHAR(1000) NOT NULL,\n"
	         "    \"checksum\" INTEGER,\n"
	         "    \"installed_by\" VARCHAR(100) NOT NULL,\n"
	         "    \"installed_on\" TIMESTAMP NOT NULL DEFAULT now(),\n"
	         "    \"execution_time\" INTEGER NOT NULL,\n"
	         "    \"success\" BOOLEAN NOT NULL\n"
	         ");\n"
	         "ALTER TABLE \"%s\".\"flyway_schema_history\" ADD CONSTRAINT "
	         "\"flyway_schema_history_pk\" PRIMARY KEY (\"installed_rank\");\n"
	         "CREATE INDEX \"flyway_schema_history_s_idx\" ON \"%s\".\"flyway_schema_history\" "
	         "(\"success\");",
	         schema, schema, schema);
	free(dbm_pgdump_query(url, sql));
}

/* Appends to b the row Flyway writes for file f at rank (in the order of the columns). */
static void pgconf_flyway_row(char *b, size_t size, int rank, const struct pgconf_file *f)
{
	size_t len = strlen(b);

	snprintf(b + len, size - len, "%d|%s|%s|SQL|%s|%d|postgres|t\n", rank, f->version,
	         f->description, f->script, (int)pgconf_flyway_checksum(f->path));
}

/*
 * Flyway applied the first k files of the set in migrations to schema and
 * recorded them; dbmigrate validates that history and applies only the
 * rest, recording them as Flyway would.
 */
static void pgconf_flyway_adopt(struct pgconf *t, const char *migrations, const char *schema, int k)
{
	struct pgconf_set set = pgconf_load(migrations);
	struct dbm_test_result r;
	static char want[16384], sql[2048];
	char args[128];
	int i, base = 0;

	if (strcmp(schema, "public") != 0) {
		/* Flyway created the schema, and says so in a SCHEMA row at rank 0. */
		snprintf(sql, sizeof(sql), "CREATE SCHEMA \"%s\"", schema);
		free(dbm_pgdump_query(t->url[0], sql));
	}
	pgconf_flyway_create(t->url[0], schema);
	want[0] = '\0';
	if (strcmp(schema, "public") != 0) {
		snprintf(
		    sql, sizeof(sql),
		    "INSERT INTO \"%s\".flyway_schema_history VALUES (0, NULL, '<< Flyway "
		    "Schema Creation >>', 'SCHEMA', '\"%s\"', NULL, 'postgres', now(), 0, true)",
		    schema, schema);
		free(dbm_pgdump_query(t->url[0], sql));
		snprintf(want, sizeof(want),
		         "0||<< Flyway Schema Creation >>|SCHEMA|\"%s\"||postgres|t\n", schema);
	}
	for (i = 0; i < k; i++) {
		const struct pgconf_file *f = &set.files[i];

		snprintf(
		    sql, sizeof(sql),
		    "INSERT INTO \"%s\".flyway_schema_history (installed_rank, version, "
		    "description, type, script, checksum, installed_by, execution_time, success) "
		    "VALUES (%d, '%s', '%s', 'SQL', '%s', %d, 'postgres', %d, true)",
		    schema, base + i + 1, f->version, f->description, f->script,
		    (int)pgconf_flyway_checksum(f->path), 10 + i);
		free(dbm_pgdump_query(t->url[0], sql));
		pgconf_flyway_row(want, sizeof(want), base + i + 1, f);
	}
	if (strcmp(schema, "public") != 0) {
		/* Flyway runs the scripts with the schema first on the search path. */
		snprintf(sql, sizeof(sql), "-c search_path=%s", schema);
		setenv("PGOPTIONS", sql, 1);
	}
	pgconf_psql_files(t->url[0], &set, 0, k);
	unsetenv("PGOPTIONS");

	snprintf(args, sizeof(args), "--table flyway_schema_history --schema %s validate", schema);
	pgconf_dbm_expect(t, t->url[0], migrations, NULL, args, 0);
	snprintf(args, sizeof(args), "--table flyway_schema_history --schema %s migrate", schema);
	pgconf_dbm(t, t->url[0], migrations, NULL, args, &r);
	if (r.status != 0)
		pgconf_fail_result(&r, "migrate");
	snprintf(sql, sizeof(sql), "Applied %d migrations, now at version %s (", set.n - k,
	         set.files[set.n - 1].version);
	if (!dbm_test_contains(r.out, sql))
		pgconf_fail_result(&r, sql);
	dbm_test_result_free(&r);
	/*
	 * Ranks follow on without gaps, as Flyway numbers them. The failed row
	 * written before a migration that runs outside a transaction (V9, CREATE
	 * INDEX CONCURRENTLY) once took a rank of its own and left a gap.
	 */
	for (i = k; i < set.n; i++)
		pgconf_flyway_row(want, sizeof(want), base + i + 1, &set.files[i]);
	snprintf(sql, sizeof(sql),
	         "SELECT installed_rank, version, description, type, script, checksum, "
	         "installed_by, success FROM \"%s\".flyway_schema_history ORDER BY installed_rank",
	         schema);
	pgconf_assert_rows(t->url[0], sql, want);
	pgconf_dbm_expect(t, t->url[0], migrations, NULL, args, 0);
	pgconf_set_free(&set);
}

static void test_pgsql_conformance__flyway_history_is_adopted(void **state)
{
	struct pgconf *t = pgconf_state(state);
	struct pgconf_set set = pgconf_load(DBM_TEST_FIXTURES "/realworld/pg");

	pgconf_flyway_adopt(t, DBM_TEST_FIXTURES "/realworld/pg", "public", 8);
	/* The table is left as Flyway made it; the schema is what psql makes of all files. */
	pgconf_assert_rows(t->url[0],
	                   "SELECT indexname FROM pg_indexes WHERE tablename = "
	                   "'flyway_schema_history' ORDER BY 1",
	                   "flyway_schema_history_pk\nflyway_schema_history_s_idx\n");
	pgconf_psql_files(t->url[1], &set, 0, set.n);
	pgconf_assert_same_db("flyway adoption vs psql", t->url[0], t->url[1],
	                      "flyway_schema_history", 1);
	pgconf_set_free(&set);
}

static void test_pgsql_conformance__flyway_history_in_a_schema_flyway_created(void **state)
{
	struct pgconf *t = pgconf_state(state);

	pgconf_flyway_adopt(t, DBM_TEST_SOURCE_DIR "/migrations", "shop", 3);
	/* the sample's tables, Flyway's history, and the snapshot table of the adopting migrate */
	pgconf_assert_rows(t->url[0], "SELECT count(*) FROM pg_tables WHERE schemaname = 'shop'",
	                   "14\n");
}

/*
 * Six runners started together on the generated set: every migration is
 * applied once, every runner exits 0, and the schema is psql's.
 */
static void test_pgsql_conformance__six_runners_on_the_wide_set(void **state)
{
	struct pgconf *t = pgconf_state(state);
	const char *migrations = DBM_TEST_FIXTURES "/pgconf/wide/migrations";
	struct pgconf_set set = pgconf_load(migrations);
	const char *argv[] = {"--url",          t->url[0], "--migrations", migrations,
	                      "--lock-timeout", "120",     "migrate",      NULL};
	int pids[6], i, applied = 0;
	char out[6][1100], err[6][1100], want[64];

	for (i = 0; i < 6; i++) {
		snprintf(out[i], sizeof(out[i]), "%s/out%d", t->dir, i);
		snprintf(err[i], sizeof(err[i]), "%s/err%d", t->dir, i);
		pids[i] = dbm_test_spawn(t->dir, NULL, argv, out[i], err[i]);
	}
	for (i = 0; i < 6; i++) {
		int rc = dbm_test_wait(pids[i]);
		char *o = dbm_test_read(out[i]), *e = dbm_test_read(err[i]);

		if (rc != 0)
			fail_msg("runner %d exited %d:\n%s\n%s", i, rc, o, e);
		if (dbm_test_contains(o, "Applied "))
			applied++;
		else if (!dbm_test_contains(o, "nothing to migrate"))
			fail_msg("runner %d said:\n%s", i, o);
		free(o);
		free(e);
	}
	assert_int_equal(applied, 1);
	snprintf(want, sizeof(want), "%d|%d\n", set.n, set.n);
	pgconf_assert_rows(t->url[0],
	                   "SELECT count(*), count(DISTINCT version) FROM schema_history", want);
	pgconf_psql_files(t->url[1], &set, 0, set.n);
	pgconf_assert_same_db("six runners vs psql", t->url[0], t->url[1], "schema_history", 1);
	pgconf_set_free(&set);
}

/*
 * A statement failing on line 4 of a migration is reported as file.sql:4
 * with its SQLSTATE, and nothing of that migration remains.
 */
static void test_pgsql_conformance__failure_names_file_line_and_sqlstate(void **state)
{
	struct pgconf *t = pgconf_state(state);
	struct dbm_test_result r;
	char m[1100];

	snprintf(m, sizeof(m), "%s/migrations", t->dir);
	dbm_test_write(t->dir, "migrations/V1__base.sql", "CREATE TABLE base (id int);\n");
	dbm_test_write(t->dir, "migrations/V2__broken.sql",
	               "CREATE TABLE half (id int);\n"
	               "CREATE FUNCTION f() RETURNS int LANGUAGE sql AS $$ SELECT 1; $$;\n"
	               "\n"
	               "INSERT INTO missing_table VALUES (1);\n"
	               "CREATE TABLE never (id int);\n");
	pgconf_dbm(t, t->url[0], m, NULL, "migrate", &r);
	assert_int_equal(r.status, 1);
	if (!dbm_test_contains(r.err, "migrations/V2__broken.sql:4: error: relation "
	                              "\"missing_table\" does not exist"))
		pgconf_fail_result(&r, "migrate (no file:line)");
	if (!dbm_test_contains(r.err, "42P01"))
		pgconf_fail_result(&r, "migrate (no SQLSTATE)");
	dbm_test_result_free(&r);
	pgconf_assert_rows(
	    t->url[0],
	    "SELECT (SELECT string_agg(relname, ',' ORDER BY relname) FROM pg_class "
	    "WHERE relname IN ('base', 'half', 'never')), (SELECT count(*) FROM pg_proc "
	    "WHERE proname = 'f'), (SELECT string_agg(version || ':' || success, ',' "
	    "ORDER BY installed_rank) FROM schema_history)",
	    "base|0|1:true\n");
}

/*
 * pg_dump 15.14, 16.10, 17.6 and later write "\\restrict KEY" after the
 * header and "\\unrestrict KEY" at the end of every plain dump. psql accepts
 * them (they only fence off other meta-commands), so a schema exported with
 * a current pg_dump must work as a first migration; the splitter used to
 * refuse such a file with exit 2 ("psql meta-command '\\restrict' is not
 * supported").
 */
static void test_pgsql_conformance__pg_dump_restrict_lines_are_skipped(void **state)
{
	struct pgconf *t = pgconf_state(state);
	char m[1100];

	snprintf(m, sizeof(m), "%s/migrations", t->dir);
	dbm_test_write(t->dir, "migrations/V1__schema_dump.sql",
	               "--\n"
	               "-- PostgreSQL database dump\n"
	               "--\n"
	               "\n"
	               "\\restrict 0dBcYpTn4XWz1gk5pAvYb7pX9nZ0dQe3Zh2sMq8fL4uR6wTj1yK\n"
	               "\n"
	               "SET statement_timeout = 0;\n"
	               "SET client_encoding = 'UTF8';\n"
	               "\n"
	               "CREATE TABLE public.widgets (\n"
	               "    id integer NOT NULL,\n"
	               "    name text\n"
	               ");\n"
	               "\n"
	               "--\n"
	               "-- PostgreSQL database dump complete\n"
	               "--\n"
	               "\n"
	               "\\unrestrict 0dBcYpTn4XWz1gk5pAvYb7pX9nZ0dQe3Zh2sMq8fL4uR6wTj1yK\n"
	               "\n");
	pgconf_round_trip(t, m, NULL, 0);
}

/*
 * A migration's session settings must not leak into the history write nor
 * into the next migrations: psql starts each file afresh, and Flyway
 * restores the role and search_path after each migration. pg_dump output
 * runs "SELECT pg_catalog.set_config('search_path', '', false)"; dbmigrate
 * used to fail on it with 'relation "schema_history" does not exist' (the
 * history insert was not schema-qualified), and the next migration's
 * unqualified CREATE TABLE with "no schema has been selected to create in".
 */
static void test_pgsql_conformance__search_path_set_by_a_migration_does_not_leak(void **state)
{
	struct pgconf *t = pgconf_state(state);
	char m[1100];

	snprintf(m, sizeof(m), "%s/migrations", t->dir);
	dbm_test_write(t->dir, "migrations/V1__pg_dump_preamble.sql",
	               "SET statement_timeout = 0;\n"
	               "SELECT pg_catalog.set_config('search_path', '', false);\n"
	               "CREATE TABLE public.first (id integer);\n");
	dbm_test_write(t->dir, "migrations/V2__plain.sql", "CREATE TABLE second (id integer);\n");
	pgconf_round_trip(t, m, NULL, 0);
}

/*
 * As above, with SET ROLE. The history row is written inside the
 * migration's transaction; it used to be written while the migration's role
 * was still in force and failed with "permission denied for table
 * schema_history" (SQLSTATE 42501), where psql applies both files.
 */
static void test_pgsql_conformance__set_role_in_a_migration_does_not_leak(void **state)
{
	struct pgconf *t = pgconf_state(state);
	char m[1100];

	free(dbm_pgdump_query(t->server,
	                      "DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = "
	                      "'pgconf_owner') THEN CREATE ROLE pgconf_owner NOLOGIN; END IF; "
	                      "EXCEPTION WHEN duplicate_object THEN NULL; END $$"));
	snprintf(m, sizeof(m), "%s/migrations", t->dir);
	dbm_test_write(t->dir, "migrations/V1__as_owner.sql",
	               "GRANT CREATE ON SCHEMA public TO pgconf_owner;\n"
	               "SET ROLE pgconf_owner;\n"
	               "CREATE TABLE owned (id integer);\n");
	dbm_test_write(t->dir, "migrations/V2__plain.sql", "CREATE TABLE second (id integer);\n");
	pgconf_round_trip(t, m, NULL, 0);
}

/* Writes len bytes of text as the file rel in the test's folder, byte for byte. */
static void pgconf_write_bytes(struct pgconf *t, const char *rel, const char *text, size_t len)
{
	char path[1400];
	FILE *f;

	dbm_test_write(t->dir, rel, ""); /* makes the folders */
	snprintf(path, sizeof(path), "%s/%s", t->dir, rel);
	f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(text, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
}

/*
 * Files that psql splits in ways dbmigrate used to get wrong (each case
 * holds the minimal file of its report): a -- comment ended by a lone CR,
 * between statements and inside one; a 63-byte dollar-quote tag; BEGIN
 * ATOMIC bodies with an alias after END and a column named begin. dbmigrate
 * and psql must leave the same rows.
 */
static void test_pgsql_conformance__files_split_as_psql_splits_them(void **state)
{
	struct pgconf *t = pgconf_state(state);
	char m[1100], text[1024], tag[64];

	memset(tag, 't', 63);
	tag[63] = '\0';
	snprintf(m, sizeof(m), "%s/cases", t->dir);
	pgconf_write_bytes(t, "cases/V1__cr_comment_between.sql",
	                   "CREATE TABLE log1 (n int, s text);\r-- c\rINSERT INTO log1 VALUES "
	                   "(1,'a');\r",
	                   73);
	snprintf(text, sizeof(text),
	         "CREATE TABLE log2 (n int, s text);\nINSERT INTO log2 -- c\rVALUES (1,'a');\n"
	         "CREATE TABLE log3(x int);\rINSERT INTO log3 VALUES (1); -- c\r"
	         "INSERT INTO log3 VALUES (2);\r");
	pgconf_write_bytes(t, "cases/V2__cr_comment_inside.sql", text, strlen(text));
	snprintf(text, sizeof(text),
	         "CREATE TABLE log4 (n int, s text);\nINSERT INTO log4 VALUES (1, $%s$a;b$%s$);\n",
	         tag, tag);
	pgconf_write_bytes(t, "cases/V3__long_dollar_tag.sql", text, strlen(text));
	snprintf(text, sizeof(text),
	         "CREATE TABLE log5 (n int, s text, begin int);\n"
	         "CREATE FUNCTION f5() RETURNS text LANGUAGE sql BEGIN ATOMIC "
	         "SELECT CASE WHEN true THEN 'x' END loop; END;\n"
	         "CREATE PROCEDURE p5() LANGUAGE sql BEGIN ATOMIC "
	         "INSERT INTO log5 (begin) VALUES (1); INSERT INTO log5 (n, s) VALUES (2, f5()); "
	         "END;\nCALL p5();\n");
	pgconf_write_bytes(t, "cases/V4__begin_atomic.sql", text, strlen(text));
	/* standard_conforming_strings as the server reports it, as psql asks libpq */
	snprintf(text, sizeof(text),
	         "CREATE TABLE log6 (n int, s text);\n"
	         "SET /* x */ standard_conforming_strings = off;\n"
	         "INSERT INTO log6 VALUES (1, 'a\\';b');\nRESET standard_conforming_strings;\n"
	         "SELECT set_config('standard_conforming_strings','off',false);\n"
	         "INSERT INTO log6 VALUES (2, 'c\\';d');\nRESET ALL;\nBEGIN;\n"
	         "SET LOCAL standard_conforming_strings = off;\n"
	         "INSERT INTO log6 VALUES (3, 'e\\';f');\nCOMMIT;\n"
	         "INSERT INTO log6 VALUES (4, 'g\\');\n");
	pgconf_write_bytes(t, "cases/V5__conforming_strings_from_the_server.sql", text,
	                   strlen(text));
	pgconf_round_trip(t, m, NULL, 0);
	pgconf_assert_rows(t->url[0], "SELECT string_agg(s, '|' ORDER BY n) FROM log6",
	                   "a';b|c';d|e';f|g\\\n");
	pgconf_assert_rows(t->url[0], "SELECT count(*) FROM log1", "1\n");
	pgconf_assert_rows(t->url[0], "SELECT count(*) FROM log3", "2\n");
	pgconf_assert_rows(t->url[0], "SELECT s FROM log4", "a;b\n");
}

/*
 * psql-only syntax, which psql runs and the server does not know, is refused
 * before anything runs (exit 2, naming the line and the command) rather than
 * failing half way: \g ending a statement, \;, :'var', :var.
 */
static void test_pgsql_conformance__psql_only_syntax_is_refused_before_anything_runs(void **state)
{
	static const char *const cases[][2] = {
	    {"INSERT INTO refused VALUES (1) \\g\n", ":2: error: psql meta-command '\\g'"},
	    {"INSERT INTO refused VALUES (1) \\; INSERT INTO refused VALUES (2);\n",
	     ":2: error: psql meta-command '\\;'"},
	    {"INSERT INTO refused VALUES (:'v');\n", ":2: error: psql variable ':'v''"},
	    {"INSERT INTO refused\nVALUES (:v);\n", ":3: error: psql variable ':v'"},
	};
	struct pgconf *t = pgconf_state(state);
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct dbm_test_result r;
		char rel[64], m[1100], text[256];

		snprintf(rel, sizeof(rel), "refused%zu/V1__x.sql", i);
		snprintf(text, sizeof(text), "CREATE TABLE refused (n int);\n%s", cases[i][0]);
		dbm_test_write(t->dir, rel, text);
		snprintf(m, sizeof(m), "%s/refused%zu", t->dir, i);
		pgconf_dbm(t, t->url[0], m, NULL, "migrate", &r);
		if (r.status != 2 || !dbm_test_contains(r.err, cases[i][1]))
			pgconf_fail_result(&r, cases[i][1]);
		dbm_test_result_free(&r);
		pgconf_assert_rows(
		    t->url[0], "SELECT count(*) FROM pg_tables WHERE tablename = 'refused'", "0\n");
	}
}

#define PGCONF(f) cmocka_unit_test_setup_teardown(f, pgconf_setup, pgconf_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
	    PGCONF(test_pgsql_conformance__realworld_pg_set),
	    PGCONF(test_pgsql_conformance__postgresql_example),
	    PGCONF(test_pgsql_conformance__portable_sample),
	    PGCONF(test_pgsql_conformance__wide_generated_set),
	    PGCONF(test_pgsql_conformance__framework_exports),
	    PGCONF(test_pgsql_conformance__flyway_history_is_adopted),
	    PGCONF(test_pgsql_conformance__flyway_history_in_a_schema_flyway_created),
	    PGCONF(test_pgsql_conformance__six_runners_on_the_wide_set),
	    PGCONF(test_pgsql_conformance__failure_names_file_line_and_sqlstate),
	    PGCONF(test_pgsql_conformance__pg_dump_restrict_lines_are_skipped),
	    PGCONF(test_pgsql_conformance__search_path_set_by_a_migration_does_not_leak),
	    PGCONF(test_pgsql_conformance__set_role_in_a_migration_does_not_leak),
	    PGCONF(test_pgsql_conformance__files_split_as_psql_splits_them),
	    PGCONF(test_pgsql_conformance__psql_only_syntax_is_refused_before_anything_runs),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
