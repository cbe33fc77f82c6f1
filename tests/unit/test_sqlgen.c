/*
 * test_sqlgen.c - the SQL dbmigrate sends itself (src/core/sqlgen.c), for
 * each dialect: every builder's text, with placeholders and with literals,
 * against the transcript in tests/fixtures/sqlgen/<dialect>.sql, so that a
 * change to the dialect facts that changes a statement shows here.
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
#include "dbmigrate/sqlgen.h"
#include "testutil.h"

/* Appends what one builder made, and its bound values, to the transcript t. */
static void note(struct dbm_buf *t, const char *what, int r, const struct dbm_buf *sql,
                 const struct dbm_sql_args *args)
{
	unsigned i;

	assert_int_equal(r, 0);
	assert_int_equal(dbm_buf_addf(t, "-- %s\n%s\n", what, dbm_buf_cstr(sql)), 0);
	for (i = 0; args && i < args->n; i++)
		assert_int_equal(
		    dbm_buf_addf(t, "--   $%u = %s\n", i + 1, args->v[i] ? args->v[i] : "NULL"), 0);
}

/* Every builder of sqlgen.h for dialect d, in one text. Caller frees. */
static char *transcript(enum dbm_dialect d)
{
	struct dbm_buf t = DBM_BUF_INIT, sql = DBM_BUF_INIT;
	struct dbm_sql_args args;
	struct dbm_history_row row;
	const int32_t sum = -42;
	int pass;

	memset(&args, 0, sizeof(args));
	assert_int_equal(dbm_sql_ident(d, "a\"b`c", &sql), 0);
	assert_int_equal(dbm_buf_adds(&sql, " "), 0);
	assert_int_equal(dbm_sql_literal(d, "it's a \\ back", &sql), 0);
	assert_int_equal(dbm_buf_adds(&sql, " "), 0);
	assert_int_equal(dbm_sql_literal(d, NULL, &sql), 0);
	assert_int_equal(dbm_buf_adds(&sql, " "), 0);
	assert_int_equal(dbm_sql_table(d, "app", "hist", &sql), 0);
	note(&t, "quoting", 0, &sql, NULL);
	assert_int_equal(dbm_buf_addf(&t, "-- tx\n%s; %s; %s\n", dbm_sql_begin(d),
	                              dbm_sql_commit(d), dbm_sql_rollback(d)),
	                 0);
	note(&t, "create schema", dbm_sql_create_schema(d, "app", &sql), &sql, NULL);
	note(&t, "create", dbm_sql_history_create(d, "app", "hist", &sql), &sql, NULL);
	note(&t, "create, no schema", dbm_sql_history_create(d, NULL, "hist", &sql), &sql, NULL);
	note(&t, "index", dbm_sql_history_index(d, "app", "hist", &sql), &sql, NULL);
	note(&t, "index, no schema", dbm_sql_history_index(d, NULL, "hist", &sql), &sql, NULL);
	note(&t, "select", dbm_sql_history_select(d, "app", "hist", &sql), &sql, NULL);
	/* pass 0 binds the values, pass 1 writes them as literals (--dry-run) */
	for (pass = 0; pass < 2; pass++) {
		struct dbm_sql_args *a = pass == 0 ? &args : NULL;

		note(&t, "exists", dbm_sql_history_exists(d, "app", "hist", a, &sql), &sql, a);
		note(&t, "exists, no schema", dbm_sql_history_exists(d, NULL, "hist", a, &sql),
		     &sql, a);
		note(&t, "other tables",
		     dbm_sql_other_tables(d, "app", "hist", "hist_lock", "hist_snap", a, &sql),
		     &sql, a);
		note(&t, "other tables, no schema",
		     dbm_sql_other_tables(d, "", "hist", "hist_lock", "hist_snap", a, &sql), &sql,
		     a);
		memset(&row, 0, sizeof(row));
		row.installed_rank = 7;
		row.version = "1.2";
		row.description = "it's \\ here";
		row.type = "SQL";
		row.script = "V1_2__x.sql";
		row.has_checksum = 1;
		row.checksum = -12345;
		row.execution_time = 15;
		row.success = 1;
		note(&t, "insert", dbm_sql_history_insert(d, "app", "hist", &row, a, &sql), &sql,
		     a);
		row.installed_by = "deploy";
		row.has_checksum = 0;
		row.version = NULL;
		row.success = 0;
		note(&t, "insert, installed_by",
		     dbm_sql_history_insert(d, NULL, "hist", &row, a, &sql), &sql, a);
		note(&t, "succeed", dbm_sql_history_succeed(d, "app", "hist", 7, 99, a, &sql), &sql,
		     a);
		note(&t, "delete", dbm_sql_history_delete(d, "app", "hist", 7, a, &sql), &sql, a);
		note(&t, "realign",
		     dbm_sql_history_realign(d, "app", "hist", 7, &sum, "new ' desc", a, &sql),
		     &sql, a);
		note(&t, "realign, no checksum",
		     dbm_sql_history_realign(d, "app", "hist", 7, NULL, NULL, a, &sql), &sql, a);
	}
	dbm_buf_free(&sql);
	return dbm_buf_detach(&t);
}

static void check(enum dbm_dialect d, const char *name)
{
	char path[1024], *want, *got = transcript(d);

	snprintf(path, sizeof(path), DBM_TEST_FIXTURES "/sqlgen/%s.sql", name);
	if (getenv("DBM_TEST_WRITE_SQLGEN")) { /* writes the transcript instead of checking */
		FILE *f = fopen(path, "w");

		assert_non_null(f);
		fputs(got, f);
		fclose(f);
	}
	want = dbm_test_read(path);
	assert_non_null(want);
	assert_string_equal(got, want);
	free(want);
	dbm_free(got);
}

static void test_sqlgen__sqlite(void **state)
{
	(void)state;
	check(DBM_DIALECT_SQLITE, "sqlite");
}

static void test_sqlgen__postgresql(void **state)
{
	(void)state;
	check(DBM_DIALECT_PGSQL, "postgresql");
}

static void test_sqlgen__mysql(void **state)
{
	(void)state;
	check(DBM_DIALECT_MYSQL, "mysql");
}

/* The facts beyond sqlgen's own builders: what source.c reads. */
static void test_sqlgen__facts(void **state)
{
	(void)state;
	assert_true(dbm_sql_dialect(DBM_DIALECT_MYSQL)->lf_only);
	assert_false(dbm_sql_dialect(DBM_DIALECT_PGSQL)->lf_only);
	assert_false(dbm_sql_dialect(DBM_DIALECT_SQLITE)->lf_only);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_sqlgen__sqlite),
	    cmocka_unit_test(test_sqlgen__postgresql),
	    cmocka_unit_test(test_sqlgen__mysql),
	    cmocka_unit_test(test_sqlgen__facts),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
