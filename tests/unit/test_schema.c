/*
 * test_schema.c - the schema model of dump and diff (src/core/schema.c):
 * load order by kind, dependencies and name; the canonical text; the diff
 * of two schemas down to the column; the short diff of two definitions;
 * and every allocation failing in turn.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "dbmigrate/common.h"
#include "dbmigrate/schema.h"
#include "testutil.h"

#define ARROW "\xe2\x86\x92"

/* The objects' names in order, joined by ' '. */
static const char *order(const struct dbm_schema *s)
{
	static char buf[1024];
	size_t i, n = 0;

	buf[0] = '\0';
	for (i = 0; i < s->n; i++)
		n += (size_t)snprintf(buf + n, sizeof(buf) - n, "%s%s", i ? " " : "",
		                      s->objs[i].name);
	return buf;
}

/* The report lines of a diff, as "change label name: what\n". */
static const char *report(const struct dbm_schema_diff *d)
{
	static char buf[4096];
	static const char *const change[] = {"added", "removed", "changed"};
	size_t i, n = 0;

	buf[0] = '\0';
	for (i = 0; i < d->n; i++)
		n += (size_t)snprintf(buf + n, sizeof(buf) - n, "%s %s %s%s%s\n",
		                      change[d->items[i].change], d->items[i].label,
		                      d->items[i].name, d->items[i].what ? ": " : "",
		                      d->items[i].what ? d->items[i].what : "");
	return buf;
}

static void test_schema__order_by_kind_dependency_and_name(void **state)
{
	struct dbm_schema s = DBM_SCHEMA_INIT;
	struct dbm_schema_obj *o;

	(void)state;
	assert_non_null(dbm_schema_add(&s, DBM_SCHEMA_TRIGGER, "trigger", "t.trg", "t", "T;"));
	assert_non_null(dbm_schema_add(&s, DBM_SCHEMA_VIEW, "view", "a_top", NULL,
	                               "CREATE VIEW a_top AS SELECT * FROM \"m_mid\";"));
	assert_non_null(dbm_schema_add(&s, DBM_SCHEMA_VIEW, "view", "m_mid", NULL,
	                               "CREATE VIEW m_mid AS SELECT * FROM `z_base`;"));
	assert_non_null(dbm_schema_add(&s, DBM_SCHEMA_VIEW, "view", "z_base", NULL,
	                               "CREATE VIEW z_base AS SELECT z_base_x FROM t;"));
	assert_non_null(
	    dbm_schema_add(&s, DBM_SCHEMA_TABLE, "table", "t", NULL, "CREATE TABLE t;"));
	o = dbm_schema_add(&s, DBM_SCHEMA_TABLE, "table", "p_2024", NULL, "PARTITION;");
	assert_non_null(o);
	assert_int_equal(dbm_schema_add_dep(o, "t"), 0);
	assert_int_equal(dbm_schema_add_dep(o, "t"), 0); /* once is enough */
	assert_int_equal(o->ndeps, 1);
	assert_non_null(dbm_schema_add(&s, DBM_SCHEMA_TYPE, "enum type", "mood", NULL, "E;"));
	for (size_t i = 0; i < s.n; i++)
		if (s.objs[i].kind == DBM_SCHEMA_VIEW)
			assert_int_equal(dbm_schema_scan_deps(&s, &s.objs[i]), 0);
	assert_int_equal(dbm_schema_sort(&s), 0);
	/* z_base_x is no mention of z_base; a_top needs m_mid, which needs z_base */
	assert_string_equal(order(&s), "mood t p_2024 z_base m_mid a_top t.trg");
	dbm_schema_free(&s);
}

static void test_schema__cycle_breaks_at_the_smallest_name(void **state)
{
	struct dbm_schema s = DBM_SCHEMA_INIT;
	struct dbm_schema_obj *o;

	(void)state;
	o = dbm_schema_add(&s, DBM_SCHEMA_VIEW, "view", "y", NULL, "Y;");
	assert_int_equal(dbm_schema_add_dep(o, "x"), 0);
	o = dbm_schema_add(&s, DBM_SCHEMA_VIEW, "view", "x", NULL, "X;");
	assert_int_equal(dbm_schema_add_dep(o, "y"), 0);
	o = dbm_schema_add(&s, DBM_SCHEMA_VIEW, "view", "w", NULL, "W;");
	assert_int_equal(dbm_schema_add_dep(o, "y"), 0);
	assert_int_equal(dbm_schema_sort(&s), 0);
	assert_string_equal(order(&s), "x y w");
	dbm_schema_free(&s);
}

static void test_schema__render_header_then_blocks(void **state)
{
	struct dbm_schema s = DBM_SCHEMA_INIT;
	struct dbm_buf out = DBM_BUF_INIT;

	(void)state;
	assert_int_equal(dbm_schema_set_header(&s, "SET x = 1;\n"), 0);
	assert_non_null(
	    dbm_schema_add(&s, DBM_SCHEMA_TABLE, "table", "b", NULL, "CREATE TABLE b;"));
	assert_non_null(
	    dbm_schema_add(&s, DBM_SCHEMA_TABLE, "table", "a", NULL, "CREATE TABLE a;"));
	assert_int_equal(dbm_schema_sort(&s), 0);
	assert_int_equal(dbm_schema_render(&s, &out), 0);
	assert_string_equal(out.ptr, "SET x = 1;\n\nCREATE TABLE a;\n\nCREATE TABLE b;\n\n");
	dbm_buf_free(&out);
	dbm_schema_free(&s);
}

/* A table "users" with the columns and constraints of one side of the diff test. */
static void users(struct dbm_schema *s, const char *value_type, const char *dflt, int notnull,
                  const char *check)
{
	struct dbm_schema_obj *o =
	    dbm_schema_add(s, DBM_SCHEMA_TABLE, "table", "users", NULL, "T;");

	assert_non_null(o);
	assert_int_equal(dbm_schema_add_part(o, DBM_PART_COLUMN, "id", "integer", NULL,
	                                     "GENERATED ALWAYS AS IDENTITY", 1),
	                 0);
	assert_int_equal(
	    dbm_schema_add_part(o, DBM_PART_COLUMN, "value", value_type, dflt, NULL, notnull), 0);
	if (check)
		assert_int_equal(
		    dbm_schema_add_part(o, DBM_PART_CONSTRAINT, "ck", check, NULL, NULL, 0), 0);
}

static void test_schema__diff_down_to_the_column(void **state)
{
	struct dbm_schema a = DBM_SCHEMA_INIT, b = DBM_SCHEMA_INIT;
	struct dbm_schema_diff d = DBM_SCHEMA_DIFF_INIT;
	struct dbm_schema_obj *o;

	(void)state;
	users(&a, "json", NULL, 0, "CHECK (id > 0)");
	assert_non_null(dbm_schema_add(&a, DBM_SCHEMA_VIEW, "view", "v_old", NULL, "V;"));
	assert_non_null(dbm_schema_add(&a, DBM_SCHEMA_FUNCTION, "function", "f()", NULL,
	                               "BEGIN\n  a;\n  b;\n  c;\n  d;\n  e;\n  f;\nEND;"));
	users(&b, "jsonb", "'{}'::jsonb", 1, NULL);
	o = &b.objs[0];
	assert_int_equal(dbm_schema_add_part(o, DBM_PART_COLUMN, "email", "text", NULL, NULL, 0),
	                 0);
	assert_non_null(dbm_schema_add(&b, DBM_SCHEMA_INDEX, "index", "idx_alert_logs_rule_id",
	                               "users", "CREATE INDEX ...;"));
	assert_non_null(dbm_schema_add(&b, DBM_SCHEMA_FUNCTION, "function", "f()", NULL,
	                               "BEGIN\n  a;\n  b;\n  c;\n  D;\n  e;\n  f;\nEND;"));
	assert_int_equal(dbm_schema_sort(&a), 0);
	assert_int_equal(dbm_schema_sort(&b), 0);
	assert_int_equal(dbm_schema_diff(&a, &b, &d), 0);
	assert_string_equal(report(&d), "changed function f(): definition\n"
	                                "changed column users.value: type json " ARROW
	                                " jsonb, default none " ARROW
	                                " '{}'::jsonb, nullability NULL " ARROW " NOT NULL\n"
	                                "added column users.email\n"
	                                "removed constraint users.ck\n"
	                                "added index idx_alert_logs_rule_id\n"
	                                "removed view v_old\n");
	/* the changed definition with two lines of context */
	assert_string_equal(d.items[0].text, "   b;\n   c;\n-  d;\n+  D;\n   e;\n   f;\n");
	dbm_schema_diff_free(&d);
	/* a schema against itself: nothing */
	assert_int_equal(dbm_schema_diff(&b, &b, &d), 0);
	assert_int_equal(d.n, 0);
	dbm_schema_diff_free(&d);
	dbm_schema_free(&a);
	dbm_schema_free(&b);
}

/* Table t with text def and columns a int and b of type btype, default bdflt, c when set. */
static void table_t(struct dbm_schema *s, const char *def, const char *btype, const char *bdflt,
                    int with_c)
{
	struct dbm_schema_obj *o = dbm_schema_add(s, DBM_SCHEMA_TABLE, "table", "t", NULL, def);

	assert_non_null(o);
	assert_int_equal(dbm_schema_add_part(o, DBM_PART_COLUMN, "a", "int", NULL, NULL, 0), 0);
	assert_int_equal(dbm_schema_add_part(o, DBM_PART_COLUMN, "b", btype, bdflt, NULL, 0), 0);
	if (with_c)
		assert_int_equal(
		    dbm_schema_add_part(o, DBM_PART_COLUMN, "c", "text", NULL, NULL, 0), 0);
}

/* Diffs table t as table_t makes it on each side; the report, or fails. */
static const char *diff_t(const char *def1, const char *btype1, const char *bdflt1,
                          const char *def2, const char *btype2, const char *bdflt2, int with_c)
{
	static char text[512];
	struct dbm_schema a = DBM_SCHEMA_INIT, b = DBM_SCHEMA_INIT;
	struct dbm_schema_diff d = DBM_SCHEMA_DIFF_INIT;

	table_t(&a, def1, btype1, bdflt1, 0);
	table_t(&b, def2, btype2, bdflt2, with_c);
	assert_int_equal(dbm_schema_diff(&a, &b, &d), 0);
	snprintf(text, sizeof(text), "%s", report(&d));
	dbm_schema_diff_free(&d);
	dbm_schema_free(&a);
	dbm_schema_free(&b);
	return text;
}

/*
 * A table's text is shown too when it changed beyond its differing
 * columns (a partition added with a column changed), not when the columns
 * explain it: a column's own line, a column SQLite appended to the last
 * line, a table SQLite rebuilt on one line as CREATE TABLE "t".
 */
static void test_schema__table_text_beyond_its_columns(void **state)
{
	static const char part1[] =
	    "CREATE TABLE t (\n  a int,\n  b int\n)\nPARTITION BY RANGE (a)\n"
	    "(PARTITION p1 VALUES LESS THAN (10));";
	static const char part2[] = "CREATE TABLE t (\n  a int,\n  b bigint\n)\n"
	                            "PARTITION BY RANGE (a)\n(PARTITION p1 VALUES LESS THAN (10),\n"
	                            " PARTITION p2 VALUES LESS THAN (20));";
	static const char col2[] =
	    "CREATE TABLE t (\n  a int,\n  b bigint\n)\nPARTITION BY RANGE (a)\n"
	    "(PARTITION p1 VALUES LESS THAN (10));";

	(void)state;
	assert_string_equal(diff_t(part1, "int", NULL, part2, "bigint", NULL, 0),
	                    "changed column t.b: type int " ARROW " bigint\n"
	                    "changed table t: definition\n");
	assert_string_equal(diff_t(part1, "int", NULL, col2, "bigint", NULL, 0),
	                    "changed column t.b: type int " ARROW " bigint\n");
	assert_string_equal(diff_t("CREATE TABLE t (a int,\n    b int);", "int", NULL,
	                           "CREATE TABLE t (a int,\n    b int, c text);", "int", NULL, 1),
	                    "added column t.c\n");
	assert_string_equal(diff_t("CREATE TABLE t (a int,\n    b int DEFAULT 1);", "int", "1",
	                           "CREATE TABLE \"t\" (a int, b int DEFAULT 2);", "int", "2", 0),
	                    "changed column t.b: default 1 " ARROW " 2\n");
}

static void test_schema__text_diff_hunks(void **state)
{
	struct dbm_buf out = DBM_BUF_INIT;

	(void)state;
	assert_int_equal(dbm_schema_text_diff("1\n2\n3\n4\n5\n6\n7\n8\n9\n",
	                                      "0\n1\n2\n3\n4\n5\n6\n7\n8\n", &out),
	                 0);
	assert_string_equal(out.ptr, "+0\n 1\n 2\n@@\n 7\n 8\n-9\n");
	dbm_buf_clear(&out);
	assert_int_equal(dbm_schema_text_diff("a", "", &out), 0);
	assert_string_equal(out.ptr, "-a\n+\n");
	dbm_buf_free(&out);
}

/* One diff in a child whose n-th allocation fails: 2 for a clean "out of memory", 0 when none did.
 */
static int oom_child(void)
{
	struct dbm_schema a = DBM_SCHEMA_INIT, b = DBM_SCHEMA_INIT;
	struct dbm_schema_diff d = DBM_SCHEMA_DIFF_INIT;
	struct dbm_buf out = DBM_BUF_INIT;
	struct dbm_schema_obj *o;
	int r = 0;

	if (!dbm_schema_add(&a, DBM_SCHEMA_VIEW, "view", "v", NULL, "V\nx;") ||
	    !(o = dbm_schema_add(&b, DBM_SCHEMA_VIEW, "view", "v", NULL, "V\ny;")) ||
	    dbm_schema_add_dep(o, "w") < 0 ||
	    !(o = dbm_schema_add(&b, DBM_SCHEMA_VIEW, "view", "w", NULL, "SELECT v;")) ||
	    dbm_schema_scan_deps(&b, o) < 0 ||
	    !(o = dbm_schema_add(&b, DBM_SCHEMA_TABLE, "table", "t", NULL, "T;")) ||
	    dbm_schema_add_part(o, DBM_PART_COLUMN, "c", "int", "0", "x", 1) < 0 ||
	    !(o = dbm_schema_add(&a, DBM_SCHEMA_TABLE, "table", "t", NULL, "T;")) ||
	    dbm_schema_add_part(o, DBM_PART_COLUMN, "c", "text", NULL, NULL, 0) < 0 ||
	    dbm_schema_set_header(&b, "H;") < 0 || dbm_schema_sort(&a) < 0 ||
	    dbm_schema_sort(&b) < 0 || dbm_schema_render(&b, &out) < 0 ||
	    dbm_schema_diff(&a, &b, &d) < 0)
		r = dbm_error_last()->klass;
	dbm_schema_diff_free(&d);
	dbm_schema_free(&a);
	dbm_schema_free(&b);
	dbm_buf_free(&out);
	if (r == 0)
		return 0;
	return r == DBM_ERR_NOMEM && strcmp(dbm_error_last()->message, "out of memory") == 0 ? 2
	                                                                                     : 1;
}

static void test_schema__out_of_memory_at_every_allocation(void **state)
{
#ifdef DBM_FAILPOINTS
	int n = dbm_test_oom_sweep("test_schema", 10000, 2, 0);

	(void)state;
	assert_true(n > 20);
#else
	(void)state;
	skip();
#endif
}

/* A snapshot's text reads back into the same schema: header, objects, parts, NULLs, escapes. */
static void test_schema__snapshot_text_round_trips(void **state)
{
	struct dbm_schema a = DBM_SCHEMA_INIT, b = DBM_SCHEMA_INIT;
	struct dbm_schema_diff d = DBM_SCHEMA_DIFF_INIT;
	struct dbm_buf t1 = DBM_BUF_INIT, t2 = DBM_BUF_INIT, r1 = DBM_BUF_INIT, r2 = DBM_BUF_INIT;
	struct dbm_schema_obj *o;

	(void)state;
	assert_int_equal(dbm_schema_set_header(&a, "SET x = 1;\n"), 0);
	o = dbm_schema_add(&a, DBM_SCHEMA_TABLE, "table", "users", NULL,
	                   "CREATE TABLE users (\n\tnote text DEFAULT 'a\\b\tc'\r\n);");
	assert_non_null(o);
	assert_int_equal(
	    dbm_schema_add_part(o, DBM_PART_COLUMN, "note", "text", "'a\\b\tc'", NULL, 1), 0);
	assert_int_equal(dbm_schema_add_part(o, DBM_PART_CONSTRAINT, "users_pkey",
	                                     "PRIMARY KEY (id)", NULL, NULL, 0),
	                 0);
	assert_non_null(dbm_schema_add(&a, DBM_SCHEMA_INDEX, "index", "ix_users", "users",
	                               "CREATE INDEX ix_users ON users (note);"));
	assert_int_equal(dbm_schema_serialize(&a, &t1), 0);
	assert_int_equal(dbm_schema_parse(t1.ptr, &b), 0);
	assert_int_equal(dbm_schema_serialize(&b, &t2), 0);
	assert_string_equal(t1.ptr, t2.ptr);
	assert_int_equal(dbm_schema_render(&a, &r1), 0);
	assert_int_equal(dbm_schema_render(&b, &r2), 0);
	assert_string_equal(r1.ptr, r2.ptr);
	assert_int_equal(dbm_schema_diff(&b, &a, &d), 0);
	assert_int_equal(d.n, 0);
	assert_int_equal(b.objs[0].nparts, 2);
	assert_null(b.objs[0].parts[0].extra);
	assert_int_equal(b.objs[0].parts[0].notnull, 1);
	assert_string_equal(b.objs[1].table, "users");
	dbm_schema_diff_free(&d);
	dbm_schema_free(&a);
	dbm_schema_free(&b);
	dbm_buf_free(&t1);
	dbm_buf_free(&t2);
	dbm_buf_free(&r1);
	dbm_buf_free(&r2);
}

/* A snapshot text that was edited by hand is refused, naming the line. */
static void test_schema__snapshot_text_refuses_garbage(void **state)
{
	struct dbm_schema b = DBM_SCHEMA_INIT;

	(void)state;
	assert_int_equal(dbm_schema_parse("not a snapshot", &b), DBM_ERR_RUN);
	dbm_schema_free(&b);
	assert_int_equal(dbm_schema_parse("dbmigrate-schema 1\nO\t4\ttable\n", &b), DBM_ERR_RUN);
	assert_non_null(strstr(dbm_error_last()->message, "line 2"));
	dbm_schema_free(&b);
	assert_int_equal(dbm_schema_parse("dbmigrate-schema 1\nO\t99\tt\tn\t\\N\tdef\n", &b),
	                 DBM_ERR_RUN);
	dbm_schema_free(&b);
	assert_int_equal(dbm_schema_parse("dbmigrate-schema 1\nO\t4\tt\tn\t\\q\tdef\n", &b),
	                 DBM_ERR_RUN);
	dbm_schema_free(&b);
}

/* The digest is SHA-256 (FIPS 180-4 test vectors, one spanning two blocks). */
static void test_schema__digest_is_sha256(void **state)
{
	char out[65];
	const char *two = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";

	(void)state;
	dbm_sha256_hex("abc", 3, out);
	assert_string_equal(out,
	                    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	dbm_sha256_hex("", 0, out);
	assert_string_equal(out,
	                    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	dbm_sha256_hex(two, strlen(two), out);
	assert_string_equal(out,
	                    "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

/*
 * Fed in pieces of every size from 1 to 97 bytes, across block boundaries,
 * the digest is the one of the whole (FIPS 180-4: a million "a").
 */
static void test_schema__digest_fed_in_pieces(void **state)
{
	static char a[1000000];
	struct dbm_sha256 c;
	size_t done = 0, piece = 1;
	char out[65], whole[65];

	(void)state;
	memset(a, 'a', sizeof(a));
	dbm_sha256_init(&c);
	while (done < sizeof(a)) {
		size_t n = sizeof(a) - done < piece ? sizeof(a) - done : piece;

		dbm_sha256_update(&c, a + done, n);
		done += n;
		piece = piece % 97 + 1;
	}
	dbm_sha256_final_hex(&c, out);
	assert_string_equal(out,
	                    "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
	dbm_sha256_hex(a, sizeof(a), whole);
	assert_string_equal(out, whole);
}

/* The digest computed while rendering is the digest of the rendered text. */
static void test_schema__digest_of_the_rendered_text(void **state)
{
	struct dbm_schema s = DBM_SCHEMA_INIT;
	struct dbm_buf text = DBM_BUF_INIT;
	char rendered[65], streamed[65];
	int i;

	(void)state;
	assert_int_equal(dbm_schema_set_header(&s, "SET x = 1;\n"), 0);
	for (i = 0; i < 50; i++) {
		char name[16], def[64];

		snprintf(name, sizeof(name), "t%02d", i);
		snprintf(def, sizeof(def), "CREATE TABLE t%02d (id integer);", i);
		assert_non_null(dbm_schema_add(&s, DBM_SCHEMA_TABLE, "table", name, NULL, def));
	}
	assert_int_equal(dbm_schema_sort(&s), 0);
	assert_int_equal(dbm_schema_render(&s, &text), 0);
	dbm_sha256_hex(text.ptr, text.len, rendered);
	assert_int_equal(dbm_schema_digest(&s, streamed), 0);
	assert_string_equal(streamed, rendered);
	dbm_buf_free(&text);
	dbm_schema_free(&s);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_schema__order_by_kind_dependency_and_name),
	    cmocka_unit_test(test_schema__cycle_breaks_at_the_smallest_name),
	    cmocka_unit_test(test_schema__render_header_then_blocks),
	    cmocka_unit_test(test_schema__diff_down_to_the_column),
	    cmocka_unit_test(test_schema__table_text_beyond_its_columns),
	    cmocka_unit_test(test_schema__text_diff_hunks),
	    cmocka_unit_test(test_schema__out_of_memory_at_every_allocation),
	    cmocka_unit_test(test_schema__snapshot_text_round_trips),
	    cmocka_unit_test(test_schema__snapshot_text_refuses_garbage),
	    cmocka_unit_test(test_schema__digest_is_sha256),
	    cmocka_unit_test(test_schema__digest_fed_in_pieces),
	    cmocka_unit_test(test_schema__digest_of_the_rendered_text),
	};

	if (dbm_test_oom_child(argc, argv))
		return oom_child();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
