/*
 * test_plan.c - the planner (src/core/plan.c): a table of cases, each a set
 * of files, history rows and options, and what info, validate and migrate
 * would show for them: every item's state in display order, the run order,
 * the findings' exact messages, the current and baseline versions. Then
 * rollback's selection. Filesets are built by hand: no folder is scanned.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "dbmigrate/common.h"
#include "dbmigrate/history.h"
#include "dbmigrate/plan.h"
#include "dbmigrate/scan.h"
#include "testutil.h"

#define MAXF 8
#define MAXR 12

/* A migration file: its name, its checksum, whether rollback/ has its undo file. */
struct tfile {
	const char *name; /* "V2__add_email.sql", "R__views.sql"; NULL ends the list */
	int32_t checksum;
	int undo;
};

/* A history row; version NULL for repeatables, has_ck 0 for a NULL checksum. */
struct trow {
	int rank; /* 0 together with type NULL ends the list */
	const char *version;
	const char *description;
	const char *type;
	const char *script;
	int has_ck;
	int32_t ck;
	int success;
};

struct tcase {
	const char *name;
	struct tfile files[MAXF];
	struct trow rows[MAXR];
	struct dbm_plan_opts opts;
	const char *items;  /* "<version or R> <state> <script>" per line */
	const char *todo;   /* scripts in run order, space separated */
	const char *issues; /* "<kind>: <message>" per line */
	const char *current;
	const char *baseline;
};

/* Files and history built from a case; owns everything the plan borrows. */
struct fixture {
	struct dbm_file versioned[MAXF], repeatable[MAXF], undo[MAXF];
	struct dbm_fileset fs;
	struct dbm_history h;
	char strings[MAXF][3][128];
};

/* Fills f from a file name: version, description ('_' as ' '), script. */
static void tfile_parse(const char *name, char *version, char *desc)
{
	const char *sep = strstr(name, "__");
	const char *end = strstr(name, ".sql");
	char *d;

	assert_non_null(sep);
	assert_non_null(end);
	memcpy(version, name + 1, (size_t)(sep - name - 1));
	version[sep - name - 1] = '\0';
	for (d = version; *d; d++)
		if (*d == '_')
			*d = '.';
	memcpy(desc, sep + 2, (size_t)(end - sep - 2));
	desc[end - sep - 2] = '\0';
	for (d = desc; *d; d++)
		if (*d == '_')
			*d = ' ';
}

static void fixture_build(struct fixture *fx, const struct tfile *files, const struct trow *rows)
{
	size_t i;

	memset(fx, 0, sizeof(*fx));
	fx->fs.versioned = fx->versioned;
	fx->fs.repeatable = fx->repeatable;
	fx->fs.undo = fx->undo;
	for (i = 0; i < MAXF && files[i].name; i++) {
		char *version = fx->strings[i][0], *desc = fx->strings[i][1];
		struct dbm_file *f;

		tfile_parse(files[i].name, version, desc);
		if (files[i].name[0] == 'R') {
			f = &fx->repeatable[fx->fs.nrepeatable++];
			f->kind = DBM_FILE_REPEATABLE;
		} else {
			f = &fx->versioned[fx->fs.nversioned++];
			f->kind = DBM_FILE_VERSIONED;
			f->version = version;
		}
		f->description = desc;
		f->script = (char *)files[i].name;
		f->path = (char *)files[i].name;
		f->in_transaction = -1;
		f->has_checksum = 1;
		f->checksum = files[i].checksum;
		if (files[i].undo) {
			struct dbm_file *u = &fx->undo[fx->fs.nundo++];

			snprintf(fx->strings[i][2], sizeof(fx->strings[i][2]), "U%s",
			         files[i].name + 1);
			u->kind = DBM_FILE_UNDO;
			u->version = version;
			u->description = desc;
			u->script = fx->strings[i][2];
			u->path = fx->strings[i][2];
			u->in_transaction = -1;
			f->undo = u;
		}
	}
	for (i = 0; i < MAXR && (rows[i].rank || rows[i].type); i++) {
		struct dbm_history_row r = {rows[i].rank,
		                            (char *)rows[i].version,
		                            (char *)rows[i].description,
		                            (char *)rows[i].type,
		                            (char *)rows[i].script,
		                            rows[i].has_ck,
		                            rows[i].ck,
		                            "app",
		                            "2024-01-15 10:00:00",
		                            5,
		                            rows[i].success};

		assert_int_equal(dbm_history_add(&fx->h, &r), 0);
	}
	assert_int_equal(dbm_history_sort(&fx->h), 0);
}

static void fixture_free(struct fixture *fx)
{
	dbm_history_free(&fx->h);
}

static const char *issue_kind_name(enum dbm_issue_kind k)
{
	switch (k) {
	case DBM_ISSUE_CHANGED:
		return "CHANGED";
	case DBM_ISSUE_DESCRIPTION:
		return "DESCRIPTION";
	case DBM_ISSUE_MISSING:
		return "MISSING";
	case DBM_ISSUE_FAILED:
		return "FAILED";
	case DBM_ISSUE_IGNORED:
		return "IGNORED";
	case DBM_ISSUE_PENDING:
		return "PENDING";
	case DBM_ISSUE_FUTURE:
		return "FUTURE";
	}
	return "?";
}

/* The plan as text: items, todo and issues (see struct tcase). */
static void render(const struct dbm_plan *p, struct dbm_buf *items, struct dbm_buf *todo,
                   struct dbm_buf *issues)
{
	size_t i;

	for (i = 0; i < p->nitems; i++) {
		const struct dbm_plan_item *it = &p->items[i];

		assert_int_equal(dbm_buf_addf(items, "%s%s %s %s", i ? "\n" : "",
		                              it->category == DBM_CAT_REPEATABLE ? "R"
		                              : it->version                      ? it->version
		                                                                 : "-",
		                              dbm_state_name(it->state), it->script),
		                 0);
	}
	for (i = 0; i < p->ntodo; i++) {
		assert_true(p->todo[i] < p->nitems);
		assert_int_equal(
		    dbm_buf_addf(todo, "%s%s", i ? " " : "", p->items[p->todo[i]].script), 0);
	}
	for (i = 0; i < p->nissues; i++) {
		assert_true(p->issues[i].item < p->nitems);
		assert_int_equal(dbm_buf_addf(issues, "%s%s: %s", i ? "\n" : "",
		                              issue_kind_name(p->issues[i].kind),
		                              p->issues[i].message),
		                 0);
	}
}

#define ROW(rank, v, desc, script, ck)                                                             \
	{                                                                                          \
		rank, v, desc, "SQL", script, 1, ck, 1                                             \
	}
#define FAILED_ROW(rank, v, desc, script, ck)                                                      \
	{                                                                                          \
		rank, v, desc, "SQL", script, 1, ck, 0                                             \
	}
#define TROW(rank, v, desc, type, script)                                                          \
	{                                                                                          \
		rank, v, desc, type, script, 0, 0, 1                                               \
	}

static const struct tcase cases[] = {
    {.name = "nothing at all", .items = "", .todo = "", .issues = ""},
    {
        .name = "every file pending",
        .files = {{"V1__init.sql", 10, 0}, {"V2__users.sql", 20, 0}, {"R__views.sql", 30, 0}},
        .items = "1 Pending V1__init.sql\n2 Pending V2__users.sql\nR Pending R__views.sql",
        .todo = "V1__init.sql V2__users.sql R__views.sql",
        .issues = "",
    },
    {
        .name = "applied and unchanged",
        .files = {{"V1__init.sql", 10, 0}, {"V2__users.sql", 20, 0}},
        .rows = {ROW(1, "1", "init", "V1__init.sql", 10)},
        .items = "1 Success V1__init.sql\n2 Pending V2__users.sql",
        .todo = "V2__users.sql",
        .issues = "",
        .current = "1",
    },
    {
        .name = "equal versions written differently match",
        .files = {{"V1_0__init.sql", 10, 0}, {"V2024_01_15_1__users.sql", 20, 0}},
        .rows = {ROW(1, "1", "init", "V1_0__init.sql", 10),
                 ROW(2, "2024.1.15.1", "users", "V2024_01_15_1__users.sql", 20)},
        .items = "1.0 Success V1_0__init.sql\n2024.01.15.1 Success V2024_01_15_1__users.sql",
        .todo = "",
        .issues = "",
        .current = "2024.1.15.1",
    },
    {
        .name = "changed checksum is drift",
        .files = {{"V1__init.sql", 11, 0}},
        .rows = {ROW(1, "1", "init", "V1__init.sql", 1556295178)},
        .items = "1 Changed V1__init.sql",
        .todo = "",
        .issues = "CHANGED: version 1 (V1__init.sql) has changed since it was applied: "
                  "applied checksum 1556295178, file checksum 11",
        .current = "1",
    },
    {
        .name = "a row without checksum is never changed",
        .files = {{"V1__init.sql", 11, 0}},
        .rows = {TROW(1, "1", "init", "SQL", "V1__init.sql")},
        .items = "1 Success V1__init.sql",
        .todo = "",
        .issues = "",
        .current = "1",
    },
    {
        .name = "renamed description",
        .files = {{"V1__create_users.sql", 10, 0}},
        .rows = {ROW(1, "1", "init", "V1__init.sql", 10)},
        .items = "1 Success V1__create_users.sql",
        .todo = "",
        .issues = "DESCRIPTION: version 1 (V1__create_users.sql) has a different "
                  "description: applied \"init\", file \"create users\"",
        .current = "1",
    },
    {
        .name = "missing and future",
        .files = {{"V1__init.sql", 10, 0}, {"V3__orders.sql", 30, 0}},
        .rows = {ROW(1, "1", "init", "V1__init.sql", 10), ROW(2, "2", "users", "V2__users.sql", 20),
                 ROW(3, "3", "orders", "V3__orders.sql", 30),
                 ROW(4, "4", "newer", "V4__newer.sql", 40)},
        .items = "1 Success V1__init.sql\n2 Missing V2__users.sql\n3 Success "
                 "V3__orders.sql\n4 Future V4__newer.sql",
        .todo = "",
        .issues = "MISSING: version 2 (V2__users.sql) was applied but its file is missing",
        .current = "4",
    },
    {
        .name = "no files at all: every applied version is future",
        .rows = {ROW(1, "1", "init", "V1__init.sql", 10)},
        .items = "1 Future V1__init.sql",
        .todo = "",
        .issues = "",
        .current = "1",
    },
    {
        .name = "failed version is not retried, later ones still planned",
        .files = {{"V1__init.sql", 10, 0}, {"V2__users.sql", 20, 0}, {"V3__orders.sql", 30, 0}},
        .rows = {ROW(1, "1", "init", "V1__init.sql", 10),
                 FAILED_ROW(2, "2", "users", "V2__users.sql", 20)},
        .items = "1 Success V1__init.sql\n2 Failed V2__users.sql\n3 Pending V3__orders.sql",
        .todo = "V3__orders.sql",
        .issues = "FAILED: version 2 (V2__users.sql) failed: fix the file or the database, "
                  "then run 'dbmigrate repair'",
        .current = "1",
    },
    {
        .name = "failed without its file",
        .rows = {FAILED_ROW(1, "1", "init", "V1__init.sql", 10)},
        .items = "1 Failed V1__init.sql",
        .todo = "",
        .issues = "FAILED: version 1 (V1__init.sql) failed: fix the file or the database, "
                  "then run 'dbmigrate repair'",
    },
    {
        .name = "repaired failure runs again",
        .files = {{"V1__init.sql", 10, 0}},
        .rows = {FAILED_ROW(1, "1", "init", "V1__init.sql", 10),
                 ROW(2, "1", "init", "V1__init.sql", 10)},
        .items = "1 Success V1__init.sql",
        .todo = "",
        .issues = "",
        .current = "1",
    },
    {
        .name = "version below the applied ones is ignored",
        .files = {{"V1__init.sql", 10, 0},
                  {"V2__users.sql", 20, 0},
                  {"V3__orders.sql", 30, 0},
                  {"V4__items.sql", 40, 0}},
        .rows = {ROW(1, "1", "init", "V1__init.sql", 10),
                 ROW(2, "3", "orders", "V3__orders.sql", 30)},
        .items = "1 Success V1__init.sql\n3 Success V3__orders.sql\n2 Ignored "
                 "V2__users.sql\n4 Pending V4__items.sql",
        .todo = "V4__items.sql",
        .issues = "IGNORED: version 2 (V2__users.sql) is not applied but the database is "
                  "already at version 3: rename it above 3, or migrate with --out-of-order",
        .current = "3",
    },
    {
        .name = "out of order allowed: pending in version order",
        .files = {{"V1__init.sql", 10, 0},
                  {"V2__users.sql", 20, 0},
                  {"V3__orders.sql", 30, 0},
                  {"V4__items.sql", 40, 0}},
        .rows = {ROW(1, "1", "init", "V1__init.sql", 10),
                 ROW(2, "3", "orders", "V3__orders.sql", 30)},
        .opts = {NULL, 1, 0},
        .items = "1 Success V1__init.sql\n3 Success V3__orders.sql\n2 Pending "
                 "V2__users.sql\n4 Pending V4__items.sql",
        .todo = "V2__users.sql V4__items.sql",
        .issues = "",
        .current = "3",
    },
    {
        .name = "applied out of order, shown in rank order",
        .files = {{"V1__init.sql", 10, 0}, {"V2__users.sql", 20, 0}, {"V3__orders.sql", 30, 0}},
        .rows = {ROW(1, "1", "init", "V1__init.sql", 10),
                 ROW(2, "3", "orders", "V3__orders.sql", 30),
                 ROW(3, "2", "users", "V2__users.sql", 20)},
        .items = "1 Success V1__init.sql\n3 Success V3__orders.sql\n2 Out of Order "
                 "V2__users.sql",
        .todo = "",
        .issues = "",
        .current = "3",
    },
    {
        .name = "baseline",
        .files = {{"V3__old.sql", 30, 0}, {"V5__base.sql", 50, 0}, {"V6__new.sql", 60, 0}},
        .rows = {TROW(1, "5", "<< Flyway Baseline >>", "BASELINE", "<< Flyway Baseline >>")},
        .items = "5 Baseline << Flyway Baseline >>\n3 Below Baseline V3__old.sql\n6 Pending "
                 "V6__new.sql",
        .todo = "V6__new.sql",
        .issues = "",
        .current = "5",
        .baseline = "5",
    },
    {
        .name = "Flyway's baseline migration type",
        .files = {{"V2__next.sql", 20, 0}},
        .rows = {TROW(1, "1", "base", "SQL_BASELINE", "B1__base.sql")},
        .items = "1 Baseline B1__base.sql\n2 Pending V2__next.sql",
        .todo = "V2__next.sql",
        .issues = "",
        .current = "1",
        .baseline = "1",
    },
    {
        .name = "target",
        .files = {{"V1__init.sql", 10, 0}, {"V2__users.sql", 20, 0}, {"V3__orders.sql", 30, 0}},
        .opts = {"2", 0, 0},
        .items = "1 Pending V1__init.sql\n2 Pending V2__users.sql\n3 Above Target "
                 "V3__orders.sql",
        .todo = "V1__init.sql V2__users.sql",
        .issues = "",
    },
    {
        .name = "undone version is pending again",
        .files = {{"V1__init.sql", 10, 1}, {"V2__users.sql", 20, 1}},
        .rows = {ROW(1, "1", "init", "V1__init.sql", 10), ROW(2, "2", "users", "V2__users.sql", 20),
                 TROW(3, "2", "users", "UNDO_SQL", "U2__users.sql")},
        .items = "1 Success V1__init.sql\n2 Undone V2__users.sql\n2 Pending V2__users.sql",
        .todo = "V2__users.sql",
        .issues = "",
        .current = "1",
    },
    {
        .name = "undone version whose file is gone stays only Undone",
        .files = {{"V1__init.sql", 10, 1}},
        .rows = {ROW(1, "1", "init", "V1__init.sql", 10), ROW(2, "2", "users", "V2__users.sql", 20),
                 TROW(3, "2", "users", "UNDO_SQL", "U2__users.sql")},
        .items = "1 Success V1__init.sql\n2 Undone U2__users.sql",
        .todo = "",
        .issues = "",
        .current = "1",
    },
    {
        .name = "undone version below a higher applied one is Ignored again",
        .files = {{"V1__init.sql", 10, 1}, {"V2__users.sql", 20, 1}, {"V3__orders.sql", 30, 1}},
        .rows = {ROW(1, "1", "init", "V1__init.sql", 10), ROW(2, "2", "users", "V2__users.sql", 20),
                 ROW(3, "3", "orders", "V3__orders.sql", 30),
                 TROW(4, "2", "users", "UNDO_SQL", "U2__users.sql")},
        .items = "1 Success V1__init.sql\n3 Success V3__orders.sql\n2 Undone V2__users.sql\n"
                 "2 Ignored V2__users.sql",
        .todo = "",
        .issues = "IGNORED: version 2 (V2__users.sql) is not applied but the database is "
                  "already at version 3: rename it above 3, or migrate with --out-of-order",
        .current = "3",
    },
    {
        .name = "undone then applied again",
        .files = {{"V1__init.sql", 10, 1}, {"V2__users.sql", 20, 1}},
        .rows = {ROW(1, "1", "init", "V1__init.sql", 10), ROW(2, "2", "users", "V2__users.sql", 20),
                 TROW(3, "2", "users", "UNDO_SQL", "U2__users.sql"),
                 ROW(4, "2", "users", "V2__users.sql", 20)},
        .items = "1 Success V1__init.sql\n2 Success V2__users.sql",
        .todo = "",
        .issues = "",
        .current = "2",
    },
    {
        .name = "undone above target: the row Undone, the file Above Target",
        .files = {{"V1__init.sql", 10, 1}, {"V2__users.sql", 20, 1}},
        .rows = {ROW(1, "1", "init", "V1__init.sql", 10), ROW(2, "2", "users", "V2__users.sql", 20),
                 TROW(3, "2", "users", "UNDO_SQL", "U2__users.sql")},
        .opts = {"1", 0, 0},
        .items = "1 Success V1__init.sql\n2 Undone V2__users.sql\n2 Above Target V2__users.sql",
        .todo = "",
        .issues = "",
        .current = "1",
    },
    {
        .name = "failed undo",
        .files = {{"V1__init.sql", 10, 1}},
        .rows = {ROW(1, "1", "init", "V1__init.sql", 10),
                 {2, "1", "init", "UNDO_SQL", "U1__init.sql", 0, 0, 0}},
        .items = "1 Failed V1__init.sql",
        .todo = "",
        .issues = "FAILED: version 1 (V1__init.sql) failed: fix the file or the database, "
                  "then run 'dbmigrate repair'",
    },
    {
        .name = "repair marked a missing file deleted",
        .files = {{"V1__init.sql", 10, 0}},
        .rows = {ROW(1, "1", "init", "V1__init.sql", 10), ROW(2, "2", "users", "V2__users.sql", 20),
                 TROW(3, "2", "users", "DELETE", "V2__users.sql")},
        .items = "1 Success V1__init.sql\n2 Deleted V2__users.sql",
        .todo = "",
        .issues = "",
        .current = "1",
    },
    {
        .name = "Flyway schema markers",
        .files = {{"V0__zero.sql", 5, 0}, {"V1__init.sql", 10, 0}},
        .rows = {TROW(0, NULL, "<< Flyway Schema Creation >>", "SCHEMA", "\"public\""),
                 TROW(1, "0", "<< Flyway Schema Creation >>", "SCHEMA", "\"app\"")},
        .items = "- Success \"public\"\n0 Success \"app\"\n0 Pending V0__zero.sql\n1 Pending "
                 "V1__init.sql",
        .todo = "V0__zero.sql V1__init.sql",
        .issues = "",
    },
    {
        .name = "repeatables: superseded, outdated, missing, unchanged, new",
        .files = {{"R__audit.sql", 7, 0}, {"R__reports.sql", 3, 0}, {"R__views.sql", 9, 0}},
        .rows = {ROW(1, NULL, "views", "R__views.sql", 1), ROW(2, NULL, "old", "R__old.sql", 2),
                 ROW(3, NULL, "views", "R__views.sql", 2),
                 ROW(4, NULL, "reports", "R__reports.sql", 3)},
        .items = "R Superseded R__views.sql\nR Missing R__old.sql\nR Outdated "
                 "R__views.sql\nR Success R__reports.sql\nR Pending R__audit.sql",
        .todo = "R__audit.sql R__views.sql",
        .issues = "MISSING: repeatable \"old\" (R__old.sql) was applied but its file is "
                  "missing",
    },
    {
        .name = "repeatables: failed, deleted, deleted file back",
        .files = {{"R__back.sql", 7, 0}, {"R__bad.sql", 3, 0}},
        .rows = {FAILED_ROW(1, NULL, "bad", "R__bad.sql", 3),
                 ROW(2, NULL, "gone", "R__gone.sql", 2),
                 TROW(3, NULL, "gone", "DELETE", "R__gone.sql"),
                 ROW(4, NULL, "back", "R__back.sql", 7),
                 TROW(5, NULL, "back", "DELETE", "R__back.sql")},
        .items = "R Failed R__bad.sql\nR Superseded R__gone.sql\nR Deleted "
                 "R__gone.sql\nR Superseded R__back.sql\nR Pending R__back.sql",
        .todo = "R__back.sql",
        .issues = "FAILED: repeatable \"bad\" (R__bad.sql) failed: fix the file or the "
                  "database, then run 'dbmigrate repair'",
    },
    {
        .name = "versions run before repeatables, rows keep rank order",
        .files = {{"V1__init.sql", 10, 0}, {"V2__users.sql", 20, 0}, {"R__views.sql", 9, 0}},
        .rows = {ROW(1, "1", "init", "V1__init.sql", 10), ROW(2, NULL, "views", "R__views.sql", 8)},
        .items = "1 Success V1__init.sql\nR Outdated R__views.sql\n2 Pending V2__users.sql",
        .todo = "V2__users.sql R__views.sql",
        .issues = "",
        .current = "1",
    },
    {
        .name = "pending as issues",
        .files = {{"V1__init.sql", 10, 1}, {"V2__users.sql", 20, 1}, {"R__views.sql", 9, 0}},
        .rows = {ROW(1, "1", "init", "V1__init.sql", 10), ROW(2, NULL, "views", "R__views.sql", 8),
                 TROW(3, "1", "init", "UNDO_SQL", "U1__init.sql")},
        .opts = {NULL, 0, 1},
        .items = "R Outdated R__views.sql\n1 Undone V1__init.sql\n1 Pending V1__init.sql\n"
                 "2 Pending V2__users.sql",
        .todo = "V1__init.sql V2__users.sql R__views.sql",
        .issues = "PENDING: repeatable \"views\" (R__views.sql) has changed and will be "
                  "rerun\nPENDING: version 1 (V1__init.sql) was undone and is "
                  "pending\nPENDING: version 2 (V2__users.sql) is pending",
    },
};

static void check_case(const struct tcase *c)
{
	struct fixture fx;
	struct dbm_plan p = DBM_PLAN_INIT;
	struct dbm_buf items = DBM_BUF_INIT, todo = DBM_BUF_INIT, issues = DBM_BUF_INIT;

	print_message("case: %s\n", c->name);
	fixture_build(&fx, c->files, c->rows);
	assert_int_equal(dbm_plan_build(&fx.fs, &fx.h, &c->opts, &p), 0);
	render(&p, &items, &todo, &issues);
	assert_string_equal(dbm_buf_cstr(&items), c->items);
	assert_string_equal(dbm_buf_cstr(&todo), c->todo);
	assert_string_equal(dbm_buf_cstr(&issues), c->issues);
	if (c->current)
		assert_string_equal(p.current_version, c->current);
	else
		assert_null(p.current_version);
	if (c->baseline)
		assert_string_equal(p.baseline_version, c->baseline);
	else
		assert_null(p.baseline_version);
	dbm_buf_free(&items);
	dbm_buf_free(&todo);
	dbm_buf_free(&issues);
	dbm_plan_free(&p);
	fixture_free(&fx);
}

static void test_plan__matrix(void **state)
{
	size_t i;

	for (i = 0; i < DBM_ARRAY_SIZE(cases); i++)
		check_case(&cases[i]);
}

static void test_plan__state_names(void **state)
{
	static const char *const names[] = {
	    "Pending",  "Success",        "Failed",       "Missing",    "Future",
	    "Ignored",  "Out of Order",   "Outdated",     "Superseded", "Undone",
	    "Baseline", "Below Baseline", "Above Target", "Changed",    "Deleted"};
	size_t i;

	for (i = 0; i < DBM_ARRAY_SIZE(names); i++)
		assert_string_equal(dbm_state_name((enum dbm_state)i), names[i]);
	assert_string_equal(dbm_state_name((enum dbm_state)99), "Unknown");
}

static void test_plan__item_fields(void **state)
{
	static const struct tfile files[MAXF] = {{"V1__init.sql", 10, 1}, {"V2__users.sql", 20, 0}};
	static const struct trow rows[MAXR] = {ROW(1, "1", "init", "V1__init.sql", 10)};
	struct fixture fx;
	struct dbm_plan p = DBM_PLAN_INIT;

	fixture_build(&fx, files, rows);
	assert_int_equal(dbm_plan_build(&fx.fs, &fx.h, NULL, &p), 0);
	assert_int_equal(p.nitems, 2);
	assert_int_equal(p.items[0].category, DBM_CAT_VERSIONED);
	assert_string_equal(p.items[0].type, "SQL");
	assert_string_equal(p.items[0].description, "init");
	assert_ptr_equal(p.items[0].file, &fx.versioned[0]);
	assert_ptr_equal(p.items[0].row, &fx.h.rows[0]);
	assert_int_equal(p.items[0].undoable, 1);
	assert_null(p.items[1].row);
	assert_string_equal(p.items[1].type, "SQL");
	assert_int_equal(p.items[1].undoable, 0);
	dbm_plan_free(&p);
	dbm_plan_free(&p); /* freeing twice is harmless */
	assert_null(p.items);
	fixture_free(&fx);
}

/* Runs dbm_plan_rollback on a case and renders the selection as scripts. */
static int rollback(const struct tfile *files, const struct trow *rows, int steps, const char *to,
                    char *out, size_t outlen)
{
	struct fixture fx;
	struct dbm_plan p = DBM_PLAN_INIT;
	size_t *sel = (size_t *)1, n = 99, i;
	struct dbm_buf b = DBM_BUF_INIT;
	int rc;

	fixture_build(&fx, files, rows);
	assert_int_equal(dbm_plan_build(&fx.fs, &fx.h, NULL, &p), 0);
	rc = dbm_plan_rollback(&p, steps, to, NULL, &sel, &n);
	if (rc < 0) {
		assert_null(sel);
		assert_int_equal(n, 0);
	}
	for (i = 0; i < n; i++)
		assert_int_equal(dbm_buf_addf(&b, "%s%s", i ? " " : "", p.items[sel[i]].version),
		                 0);
	if (n == 0)
		assert_null(sel);
	snprintf(out, outlen, "%s", dbm_buf_cstr(&b));
	dbm_buf_free(&b);
	dbm_free(sel);
	dbm_plan_free(&p);
	fixture_free(&fx);
	return rc;
}

static const struct tfile rb_files[MAXF] = {{"V1__init.sql", 10, 1},
                                            {"V1.5__extra.sql", 15, 1},
                                            {"V2__users.sql", 20, 1},
                                            {"V3__orders.sql", 30, 1}};
/* 1.5 applied out of order, after 3. */
static const struct trow rb_rows[MAXR] = {
    ROW(1, "1", "init", "V1__init.sql", 10), ROW(2, "2", "users", "V2__users.sql", 20),
    ROW(3, "3", "orders", "V3__orders.sql", 30), ROW(4, "1.5", "extra", "V1.5__extra.sql", 15)};

static void test_plan__rollback_steps(void **state)
{
	char got[256];

	assert_int_equal(rollback(rb_files, rb_rows, 1, NULL, got, sizeof(got)), 0);
	assert_string_equal(got, "3");
	assert_int_equal(rollback(rb_files, rb_rows, 3, NULL, got, sizeof(got)), 0);
	assert_string_equal(got, "3 2 1.5");
	assert_int_equal(rollback(rb_files, rb_rows, 99, NULL, got, sizeof(got)), 0);
	assert_string_equal(got, "3 2 1.5 1");
	assert_int_equal(rollback(rb_files, rb_rows, 0, NULL, got, sizeof(got)), 0);
	assert_string_equal(got, "");
}

static void test_plan__rollback_to(void **state)
{
	char got[256];

	assert_int_equal(rollback(rb_files, rb_rows, 1, "1.5", got, sizeof(got)), 0);
	assert_string_equal(got, "3 2");
	assert_int_equal(rollback(rb_files, rb_rows, 1, "1", got, sizeof(got)), 0);
	assert_string_equal(got, "3 2 1.5");
	assert_int_equal(rollback(rb_files, rb_rows, 1, "0", got, sizeof(got)), 0);
	assert_string_equal(got, "3 2 1.5 1");
	assert_int_equal(rollback(rb_files, rb_rows, 1, "3", got, sizeof(got)), 0);
	assert_string_equal(got, "");
}

static void test_plan__rollback_missing_undo(void **state)
{
	static const struct tfile files[MAXF] = {
	    {"V1__init.sql", 10, 1}, {"V2__add_users.sql", 20, 0}, {"V3__add_orders.sql", 30, 0}};
	static const struct trow rows[MAXR] = {ROW(1, "1", "init", "V1__init.sql", 10),
	                                       ROW(2, "2", "add users", "V2__add_users.sql", 20),
	                                       ROW(3, "3", "add orders", "V3__add_orders.sql", 30),
	                                       ROW(4, "4", "add items", "V4__add_items.sql", 40)};
	char got[256];

	assert_int_equal(rollback(files, rows, 3, NULL, got, sizeof(got)), DBM_ERR_USAGE);
	assert_string_equal(dbm_error_last()->message, "no undo script for versions 4, 3, 2");
	assert_string_equal(dbm_error_last()->detail,
	                    "version 4: expected rollback/U4__add_items.sql (its migration file is "
	                    "missing too)\n"
	                    "version 3: expected rollback/U3__add_orders.sql\n"
	                    "version 2: expected rollback/U2__add_users.sql");
	assert_string_equal(dbm_error_last()->hint,
	                    "Write the missing undo scripts, or roll back fewer versions; nothing "
	                    "was executed.");
	assert_string_equal(got, "");
}

static void test_plan__rollback_one_missing_undo(void **state)
{
	static const struct tfile files[MAXF] = {{"V1__init.sql", 10, 1},
	                                         {"V2_1__add_email.sql", 20, 0}};
	static const struct trow rows[MAXR] = {
	    ROW(1, "1", "init", "V1__init.sql", 10),
	    ROW(2, "2.1", "add email", "V2_1__add_email.sql", 20)};
	char got[256];

	assert_int_equal(rollback(files, rows, 1, NULL, got, sizeof(got)), DBM_ERR_USAGE);
	assert_string_equal(dbm_error_last()->message, "no undo script for version 2.1");
	assert_string_equal(dbm_error_last()->detail,
	                    "version 2.1: expected rollback/U2.1__add_email.sql");
}

static void test_plan__rollback_never_baseline(void **state)
{
	static const struct tfile files[MAXF] = {
	    {"V1__old.sql", 10, 1}, {"V3__users.sql", 30, 1}, {"V4__orders.sql", 40, 1}};
	static const struct trow rows[MAXR] = {
	    TROW(1, "2", "<< Flyway Baseline >>", "BASELINE", "<< Flyway Baseline >>"),
	    ROW(2, "3", "users", "V3__users.sql", 30), ROW(3, "4", "orders", "V4__orders.sql", 40)};
	char got[256];

	assert_int_equal(rollback(files, rows, 1, "0", got, sizeof(got)), 0);
	assert_string_equal(got, "4 3");
	assert_int_equal(rollback(files, rows, 10, NULL, got, sizeof(got)), 0);
	assert_string_equal(got, "4 3");
}

static void test_plan__rollback_skips_undone_failed_deleted(void **state)
{
	static const struct tfile files[MAXF] = {{"V1__init.sql", 10, 1},
	                                         {"V2__users.sql", 20, 1},
	                                         {"V3__orders.sql", 30, 1},
	                                         {"V4__items.sql", 40, 1}};
	static const struct trow rows[MAXR] = {ROW(1, "1", "init", "V1__init.sql", 10),
	                                       ROW(2, "2", "users", "V2__users.sql", 20),
	                                       ROW(3, "3", "orders", "V3__orders.sql", 30),
	                                       TROW(4, "3", "orders", "UNDO_SQL", "U3__orders.sql"),
	                                       FAILED_ROW(5, "4", "items", "V4__items.sql", 40),
	                                       ROW(6, "5", "gone", "V5__gone.sql", 50),
	                                       TROW(7, "5", "gone", "DELETE", "V5__gone.sql")};
	char got[256];

	assert_int_equal(rollback(files, rows, 0, "0", got, sizeof(got)), 0);
	assert_string_equal(got, "2 1");
}

static void test_plan__rollback_changed_is_undoable(void **state)
{
	static const struct tfile files[MAXF] = {{"V1__init.sql", 11, 1}};
	static const struct trow rows[MAXR] = {ROW(1, "1", "init", "V1__init.sql", 10)};
	char got[256];

	assert_int_equal(rollback(files, rows, 1, NULL, got, sizeof(got)), 0);
	assert_string_equal(got, "1");
}

#ifdef DBM_FAILPOINTS
/*
 * One planning run without cmocka asserts, for the allocation-failure sweep:
 * returns 0, or the first error (DBM_ERR_NOMEM expected) after freeing all.
 */
static int oom_run(void)
{
	static const struct tfile files[MAXF] = {{"V1__init.sql", 10, 1},
	                                         {"V2__users.sql", 20, 1},
	                                         {"V4__ignored.sql", 40, 1},
	                                         {"R__views.sql", 9, 0},
	                                         {"R__new.sql", 3, 0}};
	static const struct trow rows[MAXR] = {
	    TROW(0, NULL, "<< Flyway Schema Creation >>", "SCHEMA", "\"public\""),
	    ROW(1, "1", "init", "V1__init.sql", 11),
	    ROW(2, "2", "user", "V2__users.sql", 20),
	    ROW(3, NULL, "views", "R__views.sql", 8),
	    ROW(4, "5", "later", "V5__later.sql", 50),
	    FAILED_ROW(5, "6", "bad", "V6__bad.sql", 60)};
	struct dbm_plan_opts opts = {NULL, 0, 1, NULL};
	struct dbm_plan p = DBM_PLAN_INIT;
	struct fixture *fx = calloc(1, sizeof(*fx));
	size_t *sel = NULL, n = 0, i;
	int rc = 0;

	if (!fx)
		return DBM_ERR_RUN;
	fx->fs.versioned = fx->versioned;
	fx->fs.repeatable = fx->repeatable;
	for (i = 0; files[i].name; i++) {
		struct dbm_file *f = files[i].name[0] == 'R' ? &fx->repeatable[fx->fs.nrepeatable++]
		                                             : &fx->versioned[fx->fs.nversioned++];

		tfile_parse(files[i].name, fx->strings[i][0], fx->strings[i][1]);
		f->version = files[i].name[0] == 'R' ? NULL : fx->strings[i][0];
		f->description = fx->strings[i][1];
		f->script = (char *)files[i].name;
		f->has_checksum = 1;
		f->checksum = files[i].checksum;
		f->undo = files[i].undo ? f : NULL;
	}
	for (i = 0; rc == 0 && i < MAXR && (rows[i].rank || rows[i].type); i++) {
		struct dbm_history_row r = {rows[i].rank,
		                            (char *)rows[i].version,
		                            (char *)rows[i].description,
		                            (char *)rows[i].type,
		                            (char *)rows[i].script,
		                            rows[i].has_ck,
		                            rows[i].ck,
		                            "app",
		                            "now",
		                            1,
		                            rows[i].success};

		rc = dbm_history_add(&fx->h, &r);
	}
	if (rc == 0)
		rc = dbm_plan_build(&fx->fs, &fx->h, &opts, &p);
	if (rc == 0 && (p.nissues != 6 || p.ntodo != 2))
		rc = DBM_ERR_RUN;
	if (rc == 0) { /* 5 has no file, so no undo file: the error names it */
		rc = dbm_plan_rollback(&p, 0, "0", NULL, &sel, &n);
		rc = rc == DBM_ERR_USAGE ? 0 : rc < 0 ? rc : DBM_ERR_RUN;
	}
	if (rc == 0)
		rc = dbm_plan_rollback(&p, 2, "5", NULL, &sel, &n);
	if (rc == 0 && n != 0)
		rc = DBM_ERR_RUN;
	dbm_free(sel);
	dbm_plan_free(&p);
	dbm_history_free(&fx->h);
	free(fx);
	return rc;
}

#endif

/*
 * Makes the n-th allocation fail, for every n until a run succeeds: each run
 * (a child process: the counter is read once per process) must end with
 * DBM_ERR_NOMEM and nothing leaked (the sanitizer build checks leaks at each
 * child's exit). Only in DBM_FAILPOINTS builds.
 */
static void test_plan__out_of_memory(void **state)
{
#ifdef DBM_FAILPOINTS
	/* the child exits 10 when its run failed with DBM_ERR_NOMEM, 0 when it succeeded */
	int n = dbm_test_oom_sweep("test_plan", 5000, 10, 0);

	(void)state;
	assert_true(n < 5000);
	assert_true(n - 1 > 10); /* the injection did work: runs 1 to n-1 failed */
#else
	skip();
#endif
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_plan__out_of_memory),
	    cmocka_unit_test(test_plan__matrix),
	    cmocka_unit_test(test_plan__state_names),
	    cmocka_unit_test(test_plan__item_fields),
	    cmocka_unit_test(test_plan__rollback_steps),
	    cmocka_unit_test(test_plan__rollback_to),
	    cmocka_unit_test(test_plan__rollback_missing_undo),
	    cmocka_unit_test(test_plan__rollback_one_missing_undo),
	    cmocka_unit_test(test_plan__rollback_never_baseline),
	    cmocka_unit_test(test_plan__rollback_skips_undone_failed_deleted),
	    cmocka_unit_test(test_plan__rollback_changed_is_undoable),
	};

#ifdef DBM_FAILPOINTS
	if (dbm_test_oom_child(argc, argv)) {
		int rc = oom_run();

		return rc == 0 ? 0 : rc == DBM_ERR_NOMEM ? 10 : 11;
	}
#endif
	(void)argc;
	(void)argv;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
