/*
 * test_layouts.c - projects laid out as golang-migrate, dbmate, goose and
 * plain numbered files run as they are, against real PostgreSQL and
 * MariaDB servers.
 *
 * For each layout: dbmigrate's migrate gives the same schema and data as
 * the database's own client (psql, mariadb) applying the up parts in the
 * tool's order to another database; rollback runs the down parts, leaving
 * the schema the client gives for the versions below; the history holds
 * one row per version with the layout's versions and descriptions. The up
 * parts are cut out of the files here, line by line, as each tool reads
 * them (for the mariadb client, a goose StatementBegin / StatementEnd block
 * is wrapped in DELIMITER lines, which is what the block means).
 *
 * Servers come from DBM_TEST_PG_URL and DBM_TEST_MYSQL_URL.
 */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "dbmigrate/common.h"
#include "dbmigrate/driver.h"
#include "dbtest.h"
#include "mydump.h"
#include "pgdump.h"
#include "testutil.h"

struct lay_file {
	const char *name; /* relative to the project folder */
	const char *text;
	int up; /* 1: an up script (or a two-part file) applied in this order */
};

struct lay_project {
	const char *naming; /* the --naming given, NULL: auto */
	const char *parts;  /* "dbmate", "goose": two-part files; NULL: whole files */
	const struct lay_file *files;
	size_t n;
	const char *history; /* the history rows: version|description|type|success */
};

/* golang-migrate: N_title.up.sql / N_title.down.sql. */
static const struct lay_file golang_files[] = {
    {"migrations/000001_create_users.up.sql",
     "CREATE TABLE users (\n  id INT PRIMARY KEY,\n  email VARCHAR(200) NOT NULL\n);\n"
     "CREATE UNIQUE INDEX users_email ON users (email);\n",
     1},
    {"migrations/000001_create_users.down.sql", "DROP TABLE users;\n", 0},
    {"migrations/000002_add_orders.up.sql",
     "CREATE TABLE orders (id INT PRIMARY KEY, user_id INT NOT NULL REFERENCES users (id),\n"
     "  note VARCHAR(100));\n"
     "INSERT INTO users VALUES (1, 'a@example.com');\n"
     "INSERT INTO orders VALUES (10, 1, 'semi;colon');\n",
     1},
    {"migrations/000002_add_orders.down.sql", "DROP TABLE orders;\nDELETE FROM users;\n", 0},
    {"migrations/000010_add_status.up.sql",
     "ALTER TABLE orders ADD COLUMN status VARCHAR(20) DEFAULT 'new';\n", 1},
    {"migrations/000010_add_status.down.sql", "ALTER TABLE orders DROP COLUMN status;\n", 0},
};

/* dbmate: one file, -- migrate:up / -- migrate:down. */
static const struct lay_file dbmate_files[] = {
    {"migrations/20240115103000_create_users.sql",
     "-- migrate:up\n"
     "CREATE TABLE users (\n  id INT PRIMARY KEY,\n  email VARCHAR(200) NOT NULL\n);\n"
     "INSERT INTO users VALUES (1, 'a@example.com');\n\n"
     "-- migrate:down\n"
     "DROP TABLE users;\n",
     1},
    {"migrations/20240116090000_add_index.sql",
     "-- a comment before the up part is allowed\n"
     "-- migrate:up transaction:false\n"
     "CREATE INDEX users_email ON users (email);\n"
     "-- migrate:down transaction:false\n"
     "DROP INDEX users_email%s;\n",
     1},
    {"migrations/20240201000000_add_orders.sql",
     "-- migrate:up\n"
     "CREATE TABLE orders (id INT PRIMARY KEY, note VARCHAR(100) DEFAULT 'x;y');\n"
     "-- migrate:down\n"
     "DROP TABLE orders;\n",
     1},
};

/* goose: -- +goose Up / Down, StatementBegin / End, NO TRANSACTION. */
static const struct lay_file goose_files[] = {
    {"migrations/00001_create_users.sql",
     "-- +goose Up\n"
     "CREATE TABLE users (\n  id INT PRIMARY KEY,\n  email VARCHAR(200) NOT NULL\n);\n"
     "INSERT INTO users VALUES (1, 'a@example.com');\n\n"
     "-- +goose Down\n"
     "DROP TABLE users;\n",
     1},
    {"migrations/00002_add_function.sql", NULL /* per dialect */, 1},
    {"migrations/00003_add_index.sql",
     "-- +goose NO TRANSACTION\n"
     "-- +goose Up\n"
     "CREATE INDEX users_email ON users (email);\n"
     "-- +goose Down\n"
     "DROP INDEX users_email%s;\n",
     1},
};

static const char goose_pg_function[] = "-- +goose Up\n"
                                        "-- +goose StatementBegin\n"
                                        "CREATE FUNCTION user_count() RETURNS bigint AS $$\n"
                                        "DECLARE n bigint;\n"
                                        "BEGIN\n"
                                        "  SELECT count(*) INTO n FROM users;\n"
                                        "  RETURN n;\n"
                                        "END;\n"
                                        "$$ LANGUAGE plpgsql;\n"
                                        "-- +goose StatementEnd\n"
                                        "CREATE TABLE counts (n bigint);\n"
                                        "INSERT INTO counts SELECT user_count();\n"
                                        "\n"
                                        "-- +goose Down\n"
                                        "DROP TABLE counts;\n"
                                        "-- +goose StatementBegin\n"
                                        "DROP FUNCTION user_count();\n"
                                        "-- +goose StatementEnd\n";

static const char goose_my_function[] = "-- +goose Up\n"
                                        "-- +goose StatementBegin\n"
                                        "CREATE PROCEDURE fill_counts()\n"
                                        "BEGIN\n"
                                        "  DECLARE n INT;\n"
                                        "  SELECT count(*) INTO n FROM users;\n"
                                        "  INSERT INTO counts VALUES (n);\n"
                                        "END;\n"
                                        "-- +goose StatementEnd\n"
                                        "CREATE TABLE counts (n INT);\n"
                                        "CALL fill_counts();\n"
                                        "\n"
                                        "-- +goose Down\n"
                                        "DROP TABLE counts;\n"
                                        "DROP PROCEDURE fill_counts;\n";

/* numbered: NNN_desc.sql, undo in the rollback folder inside the migrations folder. */
static const struct lay_file numbered_files[] = {
    {"migrations/010_create_reports_tables.sql",
     "CREATE TABLE reports (id INT PRIMARY KEY, name VARCHAR(100) NOT NULL);\n"
     "CREATE TABLE report_executions (id INT PRIMARY KEY,\n"
     "  report_id INT NOT NULL REFERENCES reports (id));\n",
     1},
    {"migrations/rollback/010_drop_reports_tables.sql",
     "DROP TABLE report_executions;\nDROP TABLE reports;\n", 0},
    {"migrations/011_seed_reports.sql", "INSERT INTO reports VALUES (1, 'daily'), (2, 'weekly');\n",
     1},
    {"migrations/rollback/011_unseed_reports.sql", "DELETE FROM reports;\n", 0},
};

struct lay_env {
	struct dbm_testdb *t;
	int my; /* MariaDB */
};

static const char *lay_text(const struct lay_env *e, const struct lay_file *f, char *buf,
                            size_t size)
{
	if (!f->text)
		return e->my ? goose_my_function : goose_pg_function;
	if (strstr(f->text, "%s")) {
		/* MariaDB's DROP INDEX names its table */
		snprintf(buf, size, f->text, e->my ? " ON users" : "");
		return buf;
	}
	return f->text;
}

/*
 * The up part of a file as the tool sends it, for the database's client:
 * dbmate's lines between the markers; goose's lines after "-- +goose Up"
 * up to "-- +goose Down", a StatementBegin block wrapped in DELIMITER lines
 * for the mariadb client. Appends to out.
 */
static void lay_up_part(const struct lay_env *e, const char *parts, const char *text,
                        struct dbm_buf *out)
{
	const char *p = text;
	int in_up = parts == NULL;

	while (*p) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) + 1 : strlen(p);

		if (parts && strncmp(p, "-- migrate:up", 13) == 0)
			in_up = 1;
		else if (parts && strncmp(p, "-- migrate:down", 15) == 0)
			in_up = 0;
		else if (parts && strncmp(p, "-- +goose Up", 12) == 0)
			in_up = 1;
		else if (parts && strncmp(p, "-- +goose Down", 14) == 0)
			in_up = 0;
		else if (parts && strncmp(p, "-- +goose StatementBegin", 24) == 0) {
			if (in_up && e->my)
				assert_int_equal(dbm_buf_adds(out, "DELIMITER $$\n"), 0);
		} else if (parts && strncmp(p, "-- +goose StatementEnd", 22) == 0) {
			if (in_up && e->my)
				assert_int_equal(dbm_buf_adds(out, "$$\nDELIMITER ;\n"), 0);
		} else if (in_up) {
			assert_int_equal(dbm_buf_add(out, p, n), 0);
		}
		p += n;
	}
}

/*
 * Applies the up parts of the first nup up files with the client to extra
 * database k (-1: the test's own database).
 */
static void lay_client_apply(const struct lay_env *e, const struct lay_project *pr, size_t nup,
                             int k)
{
	struct dbm_buf sql = DBM_BUF_INIT;
	char file[1200], buf[2048];
	char *out = NULL;
	size_t i, done = 0;
	int rc;

	for (i = 0; i < pr->n && done < nup; i++) {
		if (!pr->files[i].up)
			continue;
		lay_up_part(e, pr->parts, lay_text(e, &pr->files[i], buf, sizeof(buf)), &sql);
		done++;
	}
	dbm_test_write(e->t->dir, "client.sql", dbm_buf_cstr(&sql));
	dbm_buf_free(&sql);
	snprintf(file, sizeof(file), "%s/client.sql", e->t->dir);
	rc = e->my ? dbm_mydump_client_file(e->t->server, k < 0 ? e->t->name : e->t->extra_name[k],
	                                    file, &out)
	           : dbm_pgdump_psql_file(k < 0 ? e->t->url : e->t->extra_url[k], file, &out);
	if (rc != 0)
		fail_msg("the client applying the up parts exited %d: %s", rc, out ? out : "");
	free(out);
}

/* Fails unless the test's database and extra database k have the same schema and data. */
static void lay_assert_same(const struct lay_env *e, int k, const char *what)
{
	char *a, *b;

	if (e->my) {
		a = dbm_mydump_schema(e->t->server, e->t->name, "schema_history");
		b = dbm_mydump_schema(e->t->server, e->t->extra_name[k], NULL);
		dbm_mydump_assert_same(what, a, b);
		free(a);
		free(b);
		a = dbm_mydump_data(e->t->server, e->t->name, "schema_history");
		b = dbm_mydump_data(e->t->server, e->t->extra_name[k], NULL);
		dbm_mydump_assert_same(what, a, b);
	} else {
		a = dbm_pgdump_schema(e->t->url, "schema_history", 0);
		b = dbm_pgdump_schema(e->t->extra_url[k], NULL, 0);
		dbm_pgdump_assert_same(what, a, b);
		free(a);
		free(b);
		a = dbm_pgdump_data(e->t->url, "schema_history");
		b = dbm_pgdump_data(e->t->extra_url[k], NULL);
		dbm_pgdump_assert_same(what, a, b);
	}
	free(a);
	free(b);
}

/* Runs dbmigrate with the project's settings and cmd (NULL-terminated extra arguments). */
static void lay_run(const struct lay_env *e, const struct lay_project *pr, int want_status,
                    struct dbm_test_result *r, const char *cmd, const char *arg1, const char *arg2)
{
	const char *argv[12];
	size_t n = 0;

	argv[n++] = cmd;
	argv[n++] = "--url";
	argv[n++] = e->t->url;
	if (pr && pr->naming) {
		argv[n++] = "--naming";
		argv[n++] = pr->naming;
	}
	if (pr && pr->files == numbered_files) {
		argv[n++] = "--rollback";
		argv[n++] = "migrations/rollback";
	}
	if (arg1)
		argv[n++] = arg1;
	if (arg2)
		argv[n++] = arg2;
	argv[n] = NULL;
	dbm_test_run(e->t->dir, NULL, argv, r);
	if (r->status != want_status)
		fail_msg("dbmigrate %s exited %d, not %d: %s%s", cmd, r->status, want_status,
		         r->out, r->err);
}

/* Writes the project's files into the test's folder. */
static void lay_write(const struct lay_env *e, const struct lay_project *pr)
{
	char buf[2048];
	size_t i;

	for (i = 0; i < pr->n; i++)
		dbm_test_write(e->t->dir, pr->files[i].name,
		               lay_text(e, &pr->files[i], buf, sizeof(buf)));
}

/*
 * migrate == the client applying every up part; the history rows; rollback
 * of the newest version == the client applying the ups below it; migrate
 * again == all of them.
 */
static void lay_check(const struct lay_env *e, const struct lay_project *pr)
{
	struct dbm_test_result r;
	size_t nup = 0, i;
	int all = dbm_testdb_add(e->t, "all"), below = dbm_testdb_add(e->t, "below");

	for (i = 0; i < pr->n; i++)
		nup += pr->files[i].up;
	lay_write(e, pr);
	lay_run(e, pr, 0, &r, "migrate", NULL, NULL);
	dbm_test_result_free(&r);
	dbm_testdb_assert_rows(
	    e->t->db,
	    "SELECT version, description, type, CASE WHEN success THEN 1 ELSE 0 END "
	    "FROM schema_history "
	    "ORDER BY installed_rank",
	    pr->history);
	lay_client_apply(e, pr, nup, all);
	lay_assert_same(e, all, "migrate against the client applying the up parts");

	lay_run(e, pr, 0, &r, "rollback", NULL, NULL);
	dbm_test_result_free(&r);
	lay_client_apply(e, pr, nup - 1, below);
	lay_assert_same(e, below, "rollback of the newest against the ups below it");

	lay_run(e, pr, 0, &r, "migrate", NULL, NULL);
	dbm_test_result_free(&r);
	lay_assert_same(e, all, "migrate again after the rollback");
	lay_run(e, pr, 0, &r, "validate", NULL, NULL);
	dbm_test_result_free(&r);
}

static struct lay_env lay_env_of(void **state, int my)
{
	struct lay_env e;

	e.my = my;
	e.t = dbm_testdb_state(state, my ? "DBM_TEST_MYSQL_URL" : "DBM_TEST_PG_URL");
	if (my ? !dbm_mydump_available() : !dbm_pgdump_available())
		fail_msg("the database's client tools are missing");
	return e;
}

#define N(a) (sizeof(a) / sizeof((a)[0]))

static const struct lay_project golang_project = {
    "golang-migrate", NULL, golang_files, N(golang_files),
    "000001|create_users|SQL|1\n000002|add_orders|SQL|1\n000010|add_status|SQL|1\n"};
static const struct lay_project dbmate_project = {
    NULL, "dbmate", dbmate_files, N(dbmate_files),
    "20240115103000|create_users|SQL|1\n20240116090000|add_index|SQL|1\n"
    "20240201000000|add_orders|SQL|1\n"};
static const struct lay_project goose_project = {
    NULL, "goose", goose_files, N(goose_files),
    "00001|create_users|SQL|1\n00002|add_function|SQL|1\n00003|add_index|SQL|1\n"};
static const struct lay_project numbered_project = {
    "numbered", NULL, numbered_files, N(numbered_files),
    "010|create_reports_tables|SQL|1\n011|seed_reports|SQL|1\n"};

static void test_layouts__pgsql_golang_migrate(void **state)
{
	struct lay_env e = lay_env_of(state, 0);

	lay_check(&e, &golang_project);
}

static void test_layouts__pgsql_dbmate(void **state)
{
	struct lay_env e = lay_env_of(state, 0);

	lay_check(&e, &dbmate_project);
}

static void test_layouts__pgsql_goose(void **state)
{
	struct lay_env e = lay_env_of(state, 0);

	lay_check(&e, &goose_project);
}

static void test_layouts__pgsql_numbered(void **state)
{
	struct lay_env e = lay_env_of(state, 0);

	lay_check(&e, &numbered_project);
}

static void test_layouts__mysql_golang_migrate(void **state)
{
	struct lay_env e = lay_env_of(state, 1);

	lay_check(&e, &golang_project);
}

static void test_layouts__mysql_dbmate(void **state)
{
	struct lay_env e = lay_env_of(state, 1);

	lay_check(&e, &dbmate_project);
}

static void test_layouts__mysql_goose(void **state)
{
	struct lay_env e = lay_env_of(state, 1);

	lay_check(&e, &goose_project);
}

static void test_layouts__mysql_numbered(void **state)
{
	struct lay_env e = lay_env_of(state, 1);

	lay_check(&e, &numbered_project);
}

/* Fails when dbmigrate's history table exists: nothing was written, not even the table. */
static void lay_assert_no_history(const struct lay_env *e)
{
	dbm_testdb_assert_rows(e->t->db,
	                       e->my ? "SELECT count(*) FROM information_schema.tables WHERE "
	                               "table_schema = DATABASE() AND table_name = 'schema_history'"
	                             : "SELECT count(*) FROM information_schema.tables WHERE "
	                               "table_schema = current_schema() AND table_name = "
	                               "'schema_history'",
	                       "0\n");
}

/* The version of the i-th up file (0-based) as the file name has it. */
static void lay_version_of(const struct lay_project *pr, size_t i, char *out, size_t size)
{
	size_t j, seen = 0;

	for (j = 0; j < pr->n; j++) {
		const char *name;
		size_t d = 0;

		if (!pr->files[j].up || seen++ != i)
			continue;
		name = strrchr(pr->files[j].name, '/') + 1;
		while (name[d] >= '0' && name[d] <= '9')
			d++;
		snprintf(out, size, "%.*s", (int)d, name);
		return;
	}
	fail_msg("no up file %zu", i);
}

/*
 * The tool's table as the tool leaves it after applying the first k up
 * files, made with the database's client: golang-migrate's one row,
 * dbmate's row per version, goose's log (with version 0 first, and an
 * extra version applied and rolled back, which is not applied).
 */
static void lay_tool_state(const struct lay_env *e, const struct lay_project *pr, size_t k,
                           int dirty, int db)
{
	struct dbm_buf sql = DBM_BUF_INIT;
	char v[32];
	size_t i;
	int r = 0;

	if (pr == &golang_project) {
		lay_version_of(pr, k - 1, v, sizeof(v));
		r = dbm_buf_addf(
		    &sql,
		    "CREATE TABLE schema_migrations (version bigint NOT NULL PRIMARY KEY, "
		    "dirty boolean NOT NULL);\n"
		    "INSERT INTO schema_migrations (version, dirty) VALUES (%s, %s);\n",
		    v, dirty ? "true" : "false");
	} else if (pr == &dbmate_project) {
		r = dbm_buf_adds(&sql,
		                 "CREATE TABLE schema_migrations (version varchar(128) NOT NULL "
		                 "PRIMARY KEY);\n");
		for (i = 0; i < k && r == 0; i++) {
			lay_version_of(pr, i, v, sizeof(v));
			r = dbm_buf_addf(
			    &sql, "INSERT INTO schema_migrations (version) VALUES ('%s');\n", v);
		}
	} else {
		r = dbm_buf_addf(
		    &sql,
		    "CREATE TABLE goose_db_version (id %s, version_id bigint NOT NULL, "
		    "is_applied boolean NOT NULL, tstamp timestamp NULL DEFAULT "
		    "CURRENT_TIMESTAMP%s);\n"
		    "INSERT INTO goose_db_version (version_id, is_applied) VALUES "
		    "(0, true);\n",
		    e->my ? "serial NOT NULL" : "serial PRIMARY KEY",
		    e->my ? ", PRIMARY KEY (id)" : "");
		for (i = 0; i < k && r == 0; i++) {
			lay_version_of(pr, i, v, sizeof(v));
			r = dbm_buf_addf(&sql,
			                 "INSERT INTO goose_db_version (version_id, is_applied) "
			                 "VALUES (%s, true);\n",
			                 v);
		}
		/* the next version was applied once and rolled back: goose counts it pending */
		lay_version_of(pr, k, v, sizeof(v));
		if (r == 0)
			r = dbm_buf_addf(&sql,
			                 "INSERT INTO goose_db_version (version_id, is_applied) "
			                 "VALUES (%s, true), (%s, false);\n",
			                 v, v);
	}
	assert_int_equal(r, 0);
	{
		char file[1200], *out = NULL;
		int rc;

		dbm_test_write(e->t->dir, "tool.sql", dbm_buf_cstr(&sql));
		snprintf(file, sizeof(file), "%s/tool.sql", e->t->dir);
		rc = e->my ? dbm_mydump_client_file(e->t->server,
		                                    db < 0 ? e->t->name : e->t->extra_name[db],
		                                    file, &out)
		           : dbm_pgdump_psql_file(db < 0 ? e->t->url : e->t->extra_url[db], file,
		                                  &out);
		if (rc != 0)
			fail_msg("the client making the tool's table exited %d: %s", rc,
			         out ? out : "");
		free(out);
	}
	dbm_buf_free(&sql);
}

static const char *lay_tool_table(const struct lay_project *pr)
{
	return pr == &goose_project ? "goose_db_version" : "schema_migrations";
}

/*
 * A database the tool left after the first k of its migrations: adopt
 * records exactly those, with installed_by naming the tool, leaves the
 * tool's table as it was, and migrate then applies exactly the rest,
 * giving the schema the client gives for every up part.
 */
static void lay_adopt(const struct lay_env *e, const struct lay_project *pr, size_t k)
{
	struct dbm_test_result r;
	char sel[128], want[64], *before, *after;
	size_t nup = 0, i;
	int all = dbm_testdb_add(e->t, "all");

	for (i = 0; i < pr->n; i++)
		nup += pr->files[i].up;
	lay_write(e, pr);
	lay_client_apply(e, pr, k, -1);
	lay_tool_state(e, pr, k, 0, -1);
	snprintf(sel, sizeof(sel), "SELECT * FROM %s ORDER BY 1", lay_tool_table(pr));
	before = dbm_testdb_rows(e->t->db, sel);

	/* info says another tool manages the database, and migrate refuses to start over */
	lay_run(e, pr, 0, &r, "info", NULL, NULL);
	assert_true(dbm_test_contains(r.err, "run 'dbmigrate adopt' to take it over"));
	dbm_test_result_free(&r);
	lay_run(e, pr, 2, &r, "migrate", "--baseline-on-migrate", NULL);
	assert_true(dbm_test_contains(r.err, "history table"));
	assert_true(dbm_test_contains(r.err, "Take that history over with 'dbmigrate adopt'"));
	dbm_test_result_free(&r);
	lay_assert_no_history(e);

	lay_run(e, pr, 0, &r, "adopt", "--dry-run", NULL);
	assert_true(dbm_test_contains(r.out, "dry run"));
	dbm_test_result_free(&r);
	lay_assert_no_history(e);

	lay_run(e, pr, 0, &r, "adopt", NULL, NULL);
	snprintf(want, sizeof(want), "Adopted %zu version", k);
	assert_true(dbm_test_contains(r.out, want));
	dbm_test_result_free(&r);
	snprintf(want, sizeof(want), "%zu|adopted from %s\n", k,
	         pr->parts ? pr->parts : pr->naming);
	dbm_testdb_assert_rows(e->t->db,
	                       "SELECT count(*), min(installed_by) FROM schema_history WHERE "
	                       "success = true",
	                       want);
	after = dbm_testdb_rows(e->t->db, sel);
	assert_string_equal(before, after);
	dbm_free(after);

	/* validate agrees with today's files, and migrate runs exactly the rest */
	lay_run(e, pr, 0, &r, "validate", NULL, NULL);
	dbm_test_result_free(&r);
	lay_run(e, pr, 0, &r, "migrate", NULL, NULL);
	snprintf(want, sizeof(want), "Applied %zu migration", nup - k);
	assert_true(dbm_test_contains(r.out, want));
	dbm_test_result_free(&r);
	lay_client_apply(e, pr, nup, all);
	lay_tool_state(e, pr, k, 0, all); /* the tool's table stays: the reference has it too */
	lay_assert_same(e, all, "adopt then migrate against the client applying every up part");
	after = dbm_testdb_rows(e->t->db, sel);
	assert_string_equal(before, after);
	dbm_free(after);
	dbm_free(before);
}

/* golang-migrate's dirty state is refused, saying how to resolve it; nothing is written. */
static void lay_adopt_dirty(const struct lay_env *e)
{
	struct dbm_test_result r;

	lay_write(e, &golang_project);
	lay_client_apply(e, &golang_project, 1, -1);
	lay_tool_state(e, &golang_project, 2, 1, -1);
	lay_run(e, &golang_project, 2, &r, "adopt", NULL, NULL);
	assert_true(dbm_test_contains(r.err, "golang-migrate's state is dirty at version 2"));
	assert_true(dbm_test_contains(r.err, "migrate force"));
	dbm_test_result_free(&r);
	lay_assert_no_history(e);
}

/* A version the tool applied that has no file is refused, naming it. */
static void lay_adopt_unknown(const struct lay_env *e)
{
	struct dbm_test_result r;

	dbm_test_rmtree(e->t->migrations); /* a project of its own */
	lay_write(e, &dbmate_project);
	lay_tool_state(e, &dbmate_project, 1, 0, -1);
	dbm_testdb_exec(e->t->db,
	                "INSERT INTO schema_migrations (version) VALUES ('20990101000000')");
	lay_run(e, &dbmate_project, 2, &r, "adopt", "--from", "dbmate");
	assert_true(dbm_test_contains(
	    r.err, "schema_migrations records version 20990101000000 with no migration file"));
	dbm_test_result_free(&r);
	lay_assert_no_history(e);
}

static void test_layouts__pgsql_adopt_golang_migrate(void **state)
{
	struct lay_env e = lay_env_of(state, 0);

	lay_adopt(&e, &golang_project, 2);
}

static void test_layouts__pgsql_adopt_dbmate(void **state)
{
	struct lay_env e = lay_env_of(state, 0);

	lay_adopt(&e, &dbmate_project, 1);
}

static void test_layouts__pgsql_adopt_goose(void **state)
{
	struct lay_env e = lay_env_of(state, 0);

	lay_adopt(&e, &goose_project, 1);
}

static void test_layouts__pgsql_adopt_refuses_dirty_and_unknown(void **state)
{
	struct lay_env e = lay_env_of(state, 0);

	lay_adopt_dirty(&e);
	dbm_testdb_exec(e.t->db, "DROP TABLE schema_migrations");
	lay_adopt_unknown(&e);
}

static void test_layouts__mysql_adopt_golang_migrate(void **state)
{
	struct lay_env e = lay_env_of(state, 1);

	lay_adopt(&e, &golang_project, 2);
}

static void test_layouts__mysql_adopt_dbmate(void **state)
{
	struct lay_env e = lay_env_of(state, 1);

	lay_adopt(&e, &dbmate_project, 2);
}

static void test_layouts__mysql_adopt_goose(void **state)
{
	struct lay_env e = lay_env_of(state, 1);

	lay_adopt(&e, &goose_project, 2);
}

static void test_layouts__mysql_adopt_refuses_dirty_and_unknown(void **state)
{
	struct lay_env e = lay_env_of(state, 1);

	lay_adopt_dirty(&e);
	dbm_testdb_exec(e.t->db, "DROP TABLE schema_migrations");
	lay_adopt_unknown(&e);
}

/* The schema of the test's database without its history (NULL: of extra database k). */
static char *lay_schema(const struct lay_env *e, int k)
{
	if (e->my)
		return k < 0 ? dbm_mydump_schema(e->t->server, e->t->name, "schema_history")
		             : dbm_mydump_schema(e->t->server, e->t->extra_name[k], NULL);
	return k < 0 ? dbm_pgdump_schema(e->t->url, "schema_history", 0)
	             : dbm_pgdump_schema(e->t->extra_url[k], NULL, 0);
}

/*
 * docs/examples/<layout>: migrate builds the schema, rollback --to 0 leaves
 * only the history table, and migrate builds it again; validate agrees.
 */
static void lay_example(const struct lay_env *e, const char *layout, int nversions)
{
	struct dbm_test_result r;
	char dir[1024], rb[1100], want[64];
	const char *up[] = {"migrate", "--url",      e->t->url, "--migrations",
	                    dir,       "--rollback", rb,        NULL};
	const char *down[] = {"rollback",     "--to", "0",          "--url", e->t->url,
	                      "--migrations", dir,    "--rollback", rb,      NULL};
	const char *check[] = {"validate", "--url",      e->t->url, "--migrations",
	                       dir,        "--rollback", rb,        NULL};
	char *empty, *after;
	int k = dbm_testdb_add(e->t, "empty");
	int i;

	snprintf(dir, sizeof(dir), "%s/docs/examples/%s/migrations", DBM_TEST_SOURCE_DIR, layout);
	snprintf(rb, sizeof(rb), "%s/rollback", dir);
	empty = lay_schema(e, k);
	for (i = 0; i < 2; i++) {
		dbm_test_run(e->t->dir, NULL, up, &r);
		if (r.status != 0)
			fail_msg("migrate of the %s example exited %d: %s", layout, r.status,
			         r.err);
		snprintf(want, sizeof(want), "Applied %d migrations", nversions);
		assert_true(dbm_test_contains(r.out, want));
		dbm_test_result_free(&r);
		dbm_test_run(e->t->dir, NULL, check, &r);
		if (r.status != 0)
			fail_msg("validate of the %s example exited %d: %s", layout, r.status,
			         r.err);
		dbm_test_result_free(&r);
		dbm_test_run(e->t->dir, NULL, down, &r);
		if (r.status != 0)
			fail_msg("rollback of the %s example exited %d: %s", layout, r.status,
			         r.err);
		dbm_test_result_free(&r);
		after = lay_schema(e, -1);
		if (e->my)
			dbm_mydump_assert_same("rollback --to 0 of the example", after, empty);
		else
			dbm_pgdump_assert_same("rollback --to 0 of the example", after, empty);
		free(after);
	}
	free(empty);
}

/*
 * A docs/examples/<layout> project (golang-migrate's .down.sql files are
 * not up scripts; every other file is a two-part one) read into
 * files, in name order, for lay_check: the comparison with the mariadb
 * client applying the up parts as the tool would. Returns the count; the
 * names and texts are freed with lay_example_free.
 */
static size_t lay_example_files(const char *layout, struct lay_file *files, size_t max)
{
	char dir[1024], path[1400];
	struct dirent **list = NULL;
	int n, i;
	size_t k = 0;

	snprintf(dir, sizeof(dir), "%s/docs/examples/%s/migrations", DBM_TEST_SOURCE_DIR, layout);
	n = scandir(dir, &list, NULL, alphasort);
	if (n < 0)
		fail_msg("cannot list %s", dir);
	for (i = 0; i < n; i++) {
		size_t len = strlen(list[i]->d_name);

		if (len > 4 && strcmp(list[i]->d_name + len - 4, ".sql") == 0 && k < max) {
			char *name = malloc(len + 12);

			assert_non_null(name);
			snprintf(name, len + 12, "migrations/%s", list[i]->d_name);
			snprintf(path, sizeof(path), "%s/%s", dir, list[i]->d_name);
			files[k].name = name;
			files[k].text = dbm_test_read(path);
			assert_non_null(files[k].text);
			files[k].up = strstr(name, ".down.sql") == NULL;
			k++;
		}
		free(list[i]);
	}
	free(list);
	return k;
}

static void lay_example_free(struct lay_file *files, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free((char *)files[i].name);
		free((char *)files[i].text);
	}
}

static void test_layouts__pgsql_example_golang_migrate(void **state)
{
	struct lay_env e = lay_env_of(state, 0);

	lay_example(&e, "golang-migrate", 3);
}

static void test_layouts__pgsql_example_dbmate(void **state)
{
	struct lay_env e = lay_env_of(state, 0);

	lay_example(&e, "dbmate", 3);
}

static void test_layouts__pgsql_example_goose(void **state)
{
	struct lay_env e = lay_env_of(state, 0);

	lay_example(&e, "goose", 3);
}

static void test_layouts__pgsql_example_numbered(void **state)
{
	struct lay_env e = lay_env_of(state, 0);

	lay_example(&e, "numbered", 2);
}

/*
 * The MariaDB examples, both ways: dbmigrate against the mariadb client
 * applying the up parts as the tool would (migrate, rollback, migrate
 * again, validate), then the example folder as it is.
 */
static void lay_mysql_example(void **state, const char *layout, const char *parts, size_t nfiles,
                              const char *history)
{
	struct lay_env e = lay_env_of(state, 1);
	struct lay_file files[8];
	struct lay_project pr;
	struct dbm_test_result r;

	pr.naming = NULL;
	pr.parts = parts;
	pr.files = files;
	pr.n = lay_example_files(layout, files, 8);
	pr.history = history;
	assert_int_equal(pr.n, nfiles);
	lay_check(&e, &pr);
	/* back to nothing, then the folder as it is, from the same history */
	lay_run(&e, &pr, 0, &r, "rollback", "--to", "0");
	dbm_test_result_free(&r);
	lay_example_free(files, pr.n);
	lay_example(&e, layout, 3);
}

static void test_layouts__mysql_example_goose(void **state)
{
	lay_mysql_example(state, "mysql-goose", "goose", 3,
	                  "00001|create_accounts|SQL|1\n00002|credit_procedure|SQL|1\n"
	                  "00003|index_balances|SQL|1\n");
}

static void test_layouts__mysql_example_dbmate(void **state)
{
	lay_mysql_example(state, "mysql-dbmate", "dbmate", 3,
	                  "20240115103000|create_accounts|SQL|1\n"
	                  "20240116090000|create_invoices|SQL|1\n"
	                  "20240201120000|index_invoices_online|SQL|1\n");
}

static void test_layouts__mysql_example_golang_migrate(void **state)
{
	lay_mysql_example(state, "mysql-golang-migrate", NULL, 6,
	                  "000001|create_accounts|SQL|1\n000002|create_invoices|SQL|1\n"
	                  "000003|add_account_status|SQL|1\n");
}

#define PG(f) cmocka_unit_test_setup_teardown(f, dbm_testdb_setup_pgsql, dbm_testdb_teardown)
#define MY(f) cmocka_unit_test_setup_teardown(f, dbm_testdb_setup_mysql, dbm_testdb_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
	    PG(test_layouts__pgsql_golang_migrate),
	    PG(test_layouts__pgsql_dbmate),
	    PG(test_layouts__pgsql_goose),
	    PG(test_layouts__pgsql_numbered),
	    MY(test_layouts__mysql_golang_migrate),
	    MY(test_layouts__mysql_dbmate),
	    MY(test_layouts__mysql_goose),
	    MY(test_layouts__mysql_numbered),
	    PG(test_layouts__pgsql_adopt_golang_migrate),
	    PG(test_layouts__pgsql_adopt_dbmate),
	    PG(test_layouts__pgsql_adopt_goose),
	    PG(test_layouts__pgsql_adopt_refuses_dirty_and_unknown),
	    MY(test_layouts__mysql_adopt_golang_migrate),
	    MY(test_layouts__mysql_adopt_dbmate),
	    MY(test_layouts__mysql_adopt_goose),
	    MY(test_layouts__mysql_adopt_refuses_dirty_and_unknown),
	    PG(test_layouts__pgsql_example_golang_migrate),
	    PG(test_layouts__pgsql_example_dbmate),
	    PG(test_layouts__pgsql_example_goose),
	    PG(test_layouts__pgsql_example_numbered),
	    MY(test_layouts__mysql_example_goose),
	    MY(test_layouts__mysql_example_dbmate),
	    MY(test_layouts__mysql_example_golang_migrate),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
