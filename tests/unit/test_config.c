/*
 * test_config.c - dbm_config_load(): every key from each source, the
 * precedence between every pair of layers, environments, and each error
 * with its exact message, hint, file and line.
 *
 * Each test runs in a fresh temporary folder (the working directory, where
 * dbmigrate.yml is looked for) and passes a synthetic environment, so the
 * real one never matters.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

#include <cmocka.h>

#include "dbmigrate/common.h"
#include "dbmigrate/config.h"
#include "testutil.h"

#define FIXTURE(name) DBM_TEST_FIXTURES "/config/" name

struct fixture {
	struct dbm_test_cwd tmp; /* the test's folder, the working directory */
	struct dbm_config cfg;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	assert_int_equal(dbm_test_enter_tmpdir(&f->tmp), 0);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	int r;

	dbm_config_free(&f->cfg);
	r = dbm_test_leave_tmpdir(&f->tmp);
	free(f);
	return r;
}

static int load(struct fixture *f, const struct dbm_setting *flags, size_t nflags,
                char *const *envp)
{
	dbm_config_free(&f->cfg);
	memset(&f->cfg, 0, sizeof(f->cfg));
	dbm_error_clear();
	return dbm_config_load(&f->cfg, flags, nflags, envp);
}

/* Writes ./dbmigrate.yml in the test's folder. */
static void write_yml(struct fixture *f, const char *content)
{
	dbm_test_write(f->tmp.dir, "dbmigrate.yml", content);
}

static void assert_error(int r, const char *message, const char *hint, const char *file,
                         unsigned line)
{
	const struct dbm_error *e = dbm_error_last();

	assert_int_equal(r, DBM_ERR_USAGE);
	assert_int_equal(e->klass, DBM_ERR_USAGE);
	assert_string_equal(e->message, message);
	assert_string_equal(e->hint, hint ? hint : "");
	assert_string_equal(e->file, file ? file : "");
	assert_int_equal(e->line, line);
}

static char *no_env[] = {NULL};

static void test_config__defaults_without_a_file(void **state)
{
	struct fixture *f = *state;
	struct dbm_config *c = &f->cfg;

	assert_int_equal(load(f, NULL, 0, no_env), 0);
	assert_string_equal(c->url, "sqlite:dbmigrate.db");
	assert_string_equal(c->url_source, "default");
	assert_null(c->config_file);
	assert_null(c->env_name);
	assert_string_equal(c->migrations, "migrations");
	assert_string_equal(c->rollback, "rollback");
	assert_string_equal(c->table, "schema_history");
	assert_null(c->schema);
	assert_null(c->installed_by);
	assert_string_equal(c->baseline_version, "1");
	assert_string_equal(c->baseline_description, "<< Baseline >>");
	assert_int_equal(c->lock_timeout, 60);
	assert_int_equal(c->connect_retries, 0);
	assert_int_equal(c->connect_retries_interval, 120);
	assert_int_equal(c->statement_timeout, 0);
	assert_int_equal(c->ddl_lock_timeout, 0);
	assert_int_equal(c->out_of_order, 0);
	assert_int_equal(c->validate_on_migrate, 1);
	assert_int_equal(c->baseline_on_migrate, 0);
	assert_int_equal(c->clean_disabled, 1);
	assert_int_equal(c->mixed, 1);
	assert_int_equal(c->json + c->quiet + c->verbose + c->yes, 0);
	assert_int_equal(c->placeholders.n, 0);
	/* NULL envp is an empty environment too. */
	assert_int_equal(load(f, NULL, 0, NULL), 0);
	assert_string_equal(c->url_source, "default");
}

static void assert_full_file(const struct dbm_config *c)
{
	assert_string_equal(c->url, "postgres://app:s3cret@db.example:5432/app");
	assert_string_equal(c->migrations, "sql/versioned");
	assert_string_equal(c->rollback, "sql/undo");
	assert_string_equal(c->table, "flyway_schema_history");
	assert_string_equal(c->schema, "app");
	assert_string_equal(c->installed_by, "deployer");
	assert_string_equal(c->baseline_version, "1.10");
	assert_string_equal(c->baseline_description, "Existing schema");
	assert_int_equal(c->lock_timeout, 300);
	assert_int_equal(c->connect_retries, 5);
	assert_int_equal(c->connect_retries_interval, 30);
	assert_int_equal(c->statement_timeout, 45);
	assert_int_equal(c->ddl_lock_timeout, 7);
	assert_int_equal(c->out_of_order, 1);
	assert_int_equal(c->validate_on_migrate, 0);
	assert_int_equal(c->baseline_on_migrate, 1);
	assert_int_equal(c->clean_disabled, 0);
	assert_int_equal(c->mixed, 0);
	assert_int_equal(c->placeholders.n, 3);
	assert_string_equal(dbm_placeholders_get(&c->placeholders, "app_user"), "ticket_app");
	assert_string_equal(dbm_placeholders_get(&c->placeholders, "max_rows"), "100");
	assert_string_equal(dbm_placeholders_get(&c->placeholders, "empty"), "");
}

static void test_config__every_key_from_the_file(void **state)
{
	struct fixture *f = *state;
	struct dbm_setting flags[] = {{"config", FIXTURE("full.yml")}};

	assert_int_equal(load(f, flags, 1, no_env), 0);
	assert_full_file(&f->cfg);
	assert_string_equal(f->cfg.config_file, FIXTURE("full.yml"));
	assert_string_equal(f->cfg.url_source, FIXTURE("full.yml"));
	assert_null(f->cfg.env_name);
}

static void test_config__dbmigrate_yml_in_the_working_directory(void **state)
{
	struct fixture *f = *state;
	char *text = dbm_test_read(FIXTURE("full.yml"));

	assert_non_null(text);
	write_yml(f, text);
	free(text);
	assert_int_equal(load(f, NULL, 0, no_env), 0);
	assert_full_file(&f->cfg);
	assert_string_equal(f->cfg.config_file, "dbmigrate.yml");
	assert_string_equal(f->cfg.url_source, "dbmigrate.yml");
}

static void test_config__config_file_from_the_variable(void **state)
{
	struct fixture *f = *state;
	char *env[] = {"DBMIGRATE_CONFIG=" FIXTURE("full.yml"), NULL};
	struct dbm_setting flags[] = {{"config", "other.yml"}};

	write_yml(f, "lock_timeout: 1\n");
	assert_int_equal(load(f, NULL, 0, env), 0);
	assert_string_equal(f->cfg.config_file, FIXTURE("full.yml"));
	assert_int_equal(f->cfg.lock_timeout, 300);
	/* --config beats DBMIGRATE_CONFIG */
	dbm_test_write(f->tmp.dir, "other.yml", "lock_timeout: 2\n");
	assert_int_equal(load(f, flags, 1, env), 0);
	assert_string_equal(f->cfg.config_file, "other.yml");
	assert_int_equal(f->cfg.lock_timeout, 2);
}

static void test_config__every_key_from_the_environment(void **state)
{
	struct fixture *f = *state;
	struct dbm_config *c = &f->cfg;
	char *env[] = {
	    "DBMIGRATE_URL=postgres://u:pw@h/db",
	    "DBMIGRATE_MIGRATIONS=m",
	    "DBMIGRATE_ROLLBACK=r",
	    "DBMIGRATE_TABLE=t",
	    "DBMIGRATE_SCHEMA=s",
	    "DBMIGRATE_INSTALLED_BY=ci",
	    "DBMIGRATE_BASELINE_VERSION=2.5",
	    "DBMIGRATE_BASELINE_DESCRIPTION=from env",
	    "DBMIGRATE_LOCK_TIMEOUT=11",
	    "DBMIGRATE_CONNECT_RETRIES=12",
	    "DBMIGRATE_CONNECT_RETRIES_INTERVAL=13",
	    "DBMIGRATE_STATEMENT_TIMEOUT=14",
	    "DBMIGRATE_DDL_LOCK_TIMEOUT=15",
	    "DBMIGRATE_OUT_OF_ORDER=on",
	    "DBMIGRATE_VALIDATE_ON_MIGRATE=false",
	    "DBMIGRATE_BASELINE_ON_MIGRATE=Yes",
	    "DBMIGRATE_CLEAN_DISABLED=off",
	    "DBMIGRATE_MIXED=NO",
	    "DBMIGRATE_JSON=true",
	    "DBMIGRATE_QUIET=true",
	    "DBMIGRATE_VERBOSE=true",
	    "DBMIGRATE_YES=true",
	    "DBMIGRATE_PLACEHOLDER_APP_USER=env_app",
	    "DBMIGRATE_PLACEHOLDER_Blank=",
	    "DBMIGRATE_UNRELATED=1",
	    "LOCK_TIMEOUT=99",
	    NULL,
	};

	assert_int_equal(load(f, NULL, 0, env), 0);
	assert_string_equal(c->url, "postgres://u:pw@h/db");
	assert_string_equal(c->url_source, "DBMIGRATE_URL");
	assert_string_equal(c->migrations, "m");
	assert_string_equal(c->rollback, "r");
	assert_string_equal(c->table, "t");
	assert_string_equal(c->schema, "s");
	assert_string_equal(c->installed_by, "ci");
	assert_string_equal(c->baseline_version, "2.5");
	assert_string_equal(c->baseline_description, "from env");
	assert_int_equal(c->lock_timeout, 11);
	assert_int_equal(c->connect_retries, 12);
	assert_int_equal(c->connect_retries_interval, 13);
	assert_int_equal(c->statement_timeout, 14);
	assert_int_equal(c->ddl_lock_timeout, 15);
	assert_int_equal(c->out_of_order, 1);
	assert_int_equal(c->validate_on_migrate, 0);
	assert_int_equal(c->baseline_on_migrate, 1);
	assert_int_equal(c->clean_disabled, 0);
	assert_int_equal(c->mixed, 0);
	assert_int_equal(c->json, 1);
	assert_int_equal(c->quiet, 1);
	assert_int_equal(c->verbose, 1);
	assert_int_equal(c->yes, 1);
	assert_int_equal(c->placeholders.n, 2);
	assert_string_equal(dbm_placeholders_get(&c->placeholders, "app_user"), "env_app");
	assert_string_equal(dbm_placeholders_get(&c->placeholders, "blank"), "");
}

static void test_config__empty_variables_are_unset(void **state)
{
	struct fixture *f = *state;
	char *env[] = {"DBMIGRATE_URL=",
	               "DATABASE_URL=",
	               "DBMIGRATE_LOCK_TIMEOUT=",
	               "DBMIGRATE_TABLE=",
	               "DBMIGRATE_ENV=",
	               "DBMIGRATE_CONFIG=",
	               NULL};

	assert_int_equal(load(f, NULL, 0, env), 0);
	assert_string_equal(f->cfg.url_source, "default");
	assert_int_equal(f->cfg.lock_timeout, 60);
	assert_string_equal(f->cfg.table, "schema_history");
	assert_null(f->cfg.env_name);
	assert_null(f->cfg.config_file);
}

static void test_config__every_key_from_flags(void **state)
{
	struct fixture *f = *state;
	struct dbm_config *c = &f->cfg;
	struct dbm_setting flags[] = {
	    {"url", "mysql://u:pw@h/db"},
	    {"migrations", "fm"},
	    {"rollback", "fr"},
	    {"table", "ft"},
	    {"schema", "fs"},
	    {"installed_by", "me"},
	    {"baseline_version", "3"},
	    {"baseline_description", "flag"},
	    {"lock_timeout", "21"},
	    {"connect_retries", "22"},
	    {"connect_retries_interval", "23"},
	    {"statement_timeout", "24"},
	    {"ddl_lock_timeout", "25"},
	    {"out_of_order", "true"},
	    {"validate_on_migrate", "false"},
	    {"baseline_on_migrate", "true"},
	    {"clean_disabled", "false"},
	    {"mixed", "false"},
	    {"json", "true"},
	    {"quiet", "true"},
	    {"verbose", "true"},
	    {"yes", "true"},
	    {"placeholder", "a=1"},
	    {"placeholder", "b=x=y"},
	    {"placeholder", "c="},
	};

	assert_int_equal(load(f, flags, DBM_ARRAY_SIZE(flags), no_env), 0);
	assert_string_equal(c->url, "mysql://u:pw@h/db");
	assert_string_equal(c->url_source, "--url");
	assert_string_equal(c->migrations, "fm");
	assert_string_equal(c->rollback, "fr");
	assert_string_equal(c->table, "ft");
	assert_string_equal(c->schema, "fs");
	assert_string_equal(c->installed_by, "me");
	assert_string_equal(c->baseline_version, "3");
	assert_string_equal(c->baseline_description, "flag");
	assert_int_equal(c->lock_timeout, 21);
	assert_int_equal(c->connect_retries, 22);
	assert_int_equal(c->connect_retries_interval, 23);
	assert_int_equal(c->statement_timeout, 24);
	assert_int_equal(c->ddl_lock_timeout, 25);
	assert_int_equal(c->out_of_order, 1);
	assert_int_equal(c->validate_on_migrate, 0);
	assert_int_equal(c->baseline_on_migrate, 1);
	assert_int_equal(c->clean_disabled, 0);
	assert_int_equal(c->mixed, 0);
	assert_int_equal(c->json + c->quiet + c->verbose + c->yes, 4);
	assert_int_equal(c->placeholders.n, 3);
	assert_string_equal(dbm_placeholders_get(&c->placeholders, "a"), "1");
	assert_string_equal(dbm_placeholders_get(&c->placeholders, "b"), "x=y");
	assert_string_equal(dbm_placeholders_get(&c->placeholders, "c"), "");
}

static void test_config__repeated_flag_last_wins(void **state)
{
	struct fixture *f = *state;
	struct dbm_setting flags[] = {{"lock_timeout", "5"}, {"lock_timeout", "6"}};

	assert_int_equal(load(f, flags, 2, no_env), 0);
	assert_int_equal(f->cfg.lock_timeout, 6);
}

static void test_config__precedence_top_level_over_defaults_env_section_over_top(void **state)
{
	struct fixture *f = *state;
	struct dbm_setting flags[] = {{"env", "prod"}};

	write_yml(f, "environments:\n"
	             "  prod:\n"
	             "    lock_timeout: 2\n"
	             "    url: sqlite:prod.db\n"
	             "lock_timeout: 1\n"
	             "table: top\n"
	             "url: sqlite:top.db\n");
	assert_int_equal(load(f, NULL, 0, no_env), 0);
	assert_int_equal(f->cfg.lock_timeout, 1);
	assert_string_equal(f->cfg.url, "sqlite:top.db");
	assert_string_equal(f->cfg.url_source, "dbmigrate.yml");
	assert_null(f->cfg.env_name);

	/* the environment wins even though the file lists it first */
	assert_int_equal(load(f, flags, 1, no_env), 0);
	assert_int_equal(f->cfg.lock_timeout, 2);
	assert_string_equal(f->cfg.table, "top");
	assert_string_equal(f->cfg.url, "sqlite:prod.db");
	assert_string_equal(f->cfg.url_source, "dbmigrate.yml");
	assert_string_equal(f->cfg.env_name, "prod");
}

static void test_config__precedence_variables_over_file_flags_over_variables(void **state)
{
	struct fixture *f = *state;
	char *env[] = {"DBMIGRATE_ENV=prod", "DBMIGRATE_LOCK_TIMEOUT=3",
	               "DBMIGRATE_PLACEHOLDER_WHO=env", NULL};
	struct dbm_setting flags[] = {{"lock_timeout", "4"}, {"placeholder", "who=flag"}};

	write_yml(f, "lock_timeout: 1\n"
	             "placeholders: {who: top, keep: top}\n"
	             "environments:\n"
	             "  prod: {lock_timeout: 2, placeholders: {who: prod}}\n");
	assert_int_equal(load(f, NULL, 0, env), 0);
	assert_string_equal(f->cfg.env_name, "prod");
	assert_int_equal(f->cfg.lock_timeout, 3);
	assert_string_equal(dbm_placeholders_get(&f->cfg.placeholders, "who"), "env");
	assert_string_equal(dbm_placeholders_get(&f->cfg.placeholders, "keep"), "top");

	assert_int_equal(load(f, flags, 2, env), 0);
	assert_int_equal(f->cfg.lock_timeout, 4);
	assert_string_equal(dbm_placeholders_get(&f->cfg.placeholders, "who"), "flag");
	assert_string_equal(dbm_placeholders_get(&f->cfg.placeholders, "keep"), "top");
}

static void test_config__placeholders_from_the_environment_section(void **state)
{
	struct fixture *f = *state;
	char *env[] = {"DBMIGRATE_ENV=prod", NULL};

	write_yml(f, "placeholders: {who: top}\n"
	             "environments:\n"
	             "  prod: {placeholders: {who: prod}}\n");
	assert_int_equal(load(f, NULL, 0, env), 0);
	assert_string_equal(dbm_placeholders_get(&f->cfg.placeholders, "who"), "prod");
}

static void test_config__url_chain(void **state)
{
	struct fixture *f = *state;
	char *env_both[] = {"DATABASE_URL=sqlite:database_url.db",
	                    "DBMIGRATE_URL=sqlite:dbmigrate_url.db", NULL};
	char *env_db[] = {"DATABASE_URL=sqlite:database_url.db", NULL};
	struct dbm_setting flags[] = {{"url", "sqlite:flag.db"}};

	write_yml(f, "url: sqlite:file.db\n");
	assert_int_equal(load(f, NULL, 0, no_env), 0);
	assert_string_equal(f->cfg.url, "sqlite:file.db");
	assert_string_equal(f->cfg.url_source, "dbmigrate.yml");

	assert_int_equal(load(f, NULL, 0, env_db), 0);
	assert_string_equal(f->cfg.url, "sqlite:database_url.db");
	assert_string_equal(f->cfg.url_source, "DATABASE_URL");

	assert_int_equal(load(f, NULL, 0, env_both), 0);
	assert_string_equal(f->cfg.url, "sqlite:dbmigrate_url.db");
	assert_string_equal(f->cfg.url_source, "DBMIGRATE_URL");

	assert_int_equal(load(f, flags, 1, env_both), 0);
	assert_string_equal(f->cfg.url, "sqlite:flag.db");
	assert_string_equal(f->cfg.url_source, "--url");
}

static void test_config__env_flag_beats_env_variable(void **state)
{
	struct fixture *f = *state;
	char *env[] = {"DBMIGRATE_ENV=dev", NULL};
	struct dbm_setting flags[] = {{"env", "prod"}};

	write_yml(f, "environments:\n"
	             "  dev: {url: 'sqlite:dev.db'}\n"
	             "  prod: {url: 'sqlite:prod.db'}\n"
	             "  empty:\n");
	assert_int_equal(load(f, NULL, 0, env), 0);
	assert_string_equal(f->cfg.url, "sqlite:dev.db");
	assert_int_equal(load(f, flags, 1, env), 0);
	assert_string_equal(f->cfg.url, "sqlite:prod.db");
	assert_string_equal(f->cfg.env_name, "prod");
	flags[0].value = "empty";
	assert_int_equal(load(f, flags, 1, env), 0);
	assert_string_equal(f->cfg.url, "sqlite:dbmigrate.db");
	assert_string_equal(f->cfg.env_name, "empty");
}

static void test_config__null_puts_a_key_back_to_its_default(void **state)
{
	struct fixture *f = *state;
	struct dbm_setting flags[] = {{"env", "dev"}};

	write_yml(f, "url: sqlite:top.db\n"
	             "schema: app\n"
	             "lock_timeout: 5\n"
	             "mixed: false\n"
	             "environments:\n"
	             "  dev: {url: ~, schema: null, lock_timeout: , mixed: ~}\n");
	assert_int_equal(load(f, flags, 1, no_env), 0);
	assert_string_equal(f->cfg.url, "sqlite:dbmigrate.db");
	assert_string_equal(f->cfg.url_source, "default");
	assert_null(f->cfg.schema);
	assert_int_equal(f->cfg.lock_timeout, 60);
	assert_int_equal(f->cfg.mixed, 1);
}

static void test_config__numbers_and_quoted_values_are_text(void **state)
{
	struct fixture *f = *state;

	write_yml(f, "baseline_version: 2.10\n"
	             "table: 123\n"
	             "schema: 'yes'\n"
	             "lock_timeout: \"42\"\n"
	             "out_of_order: 'on'\n"
	             "placeholders: {n: 1.50, t: true}\n");
	assert_int_equal(load(f, NULL, 0, no_env), 0);
	assert_string_equal(f->cfg.baseline_version, "2.10");
	assert_string_equal(f->cfg.table, "123");
	assert_string_equal(f->cfg.schema, "yes");
	assert_int_equal(f->cfg.lock_timeout, 42);
	assert_int_equal(f->cfg.out_of_order, 1);
	assert_string_equal(dbm_placeholders_get(&f->cfg.placeholders, "n"), "1.50");
	assert_string_equal(dbm_placeholders_get(&f->cfg.placeholders, "t"), "true");
}

static void test_config__empty_file_and_comments_only(void **state)
{
	struct fixture *f = *state;

	write_yml(f, "");
	assert_int_equal(load(f, NULL, 0, no_env), 0);
	assert_string_equal(f->cfg.config_file, "dbmigrate.yml");
	assert_int_equal(f->cfg.lock_timeout, 60);
	write_yml(f, "# nothing here yet\n---\n");
	assert_int_equal(load(f, NULL, 0, no_env), 0);
	assert_int_equal(f->cfg.lock_timeout, 60);
}

static void test_config__merge_keys_and_anchors(void **state)
{
	struct fixture *f = *state;
	struct dbm_setting flags[] = {{"env", "staging"}};

	write_yml(f, "x-common: &common\n"
	             "  lock_timeout: 100\n"
	             "  schema: shared\n"
	             "x-slow: &slow\n"
	             "  lock_timeout: 900\n"
	             "  statement_timeout: 5\n"
	             "environments:\n"
	             "  prod: &prod\n"
	             "    <<: *common\n"
	             "    url: sqlite:prod.db\n"
	             "  staging:\n"
	             "    url: sqlite:staging.db\n"
	             "    <<: [*slow, *prod]\n"
	             "  copy: *prod\n");
	assert_int_equal(load(f, flags, 1, no_env), 0);
	/* own keys beat merged ones; of a merge list the first mapping wins */
	assert_string_equal(f->cfg.url, "sqlite:staging.db");
	assert_int_equal(f->cfg.lock_timeout, 900);
	assert_int_equal(f->cfg.statement_timeout, 5);
	assert_string_equal(f->cfg.schema, "shared");

	flags[0].value = "copy";
	assert_int_equal(load(f, flags, 1, no_env), 0);
	assert_string_equal(f->cfg.url, "sqlite:prod.db");
	assert_int_equal(f->cfg.lock_timeout, 100);

	write_yml(f, "environments:\n  dev:\n    <<: sqlite:x.db\n");
	assert_error(load(f, NULL, 0, no_env),
	             "<<: expected a mapping or a list of mappings to merge, got a value", NULL,
	             "dbmigrate.yml", 3);
	/* an alias to its own mapping would merge forever */
	write_yml(f, "environments:\n  dev: &d\n    <<: *d\n");
	assert_error(load(f, NULL, 0, no_env), "<<: merges nest more than 16 deep", NULL,
	             "dbmigrate.yml", 2);

	/* only "x-" keys are free for anchors */
	write_yml(f, "x: &x {table: t}\n");
	assert_int_equal(load(f, NULL, 0, no_env), DBM_ERR_USAGE);
	assert_string_equal(dbm_error_last()->message, "unknown key 'x'");
	assert_int_equal(dbm_error_last()->line, 1);
}

/* ---------------------------------------------------------------- errors */

static void test_config__error_broken_yaml(void **state)
{
	struct fixture *f = *state;
	struct dbm_setting flags[] = {{"config", FIXTURE("broken.yml")}};
	int r = load(f, flags, 1, no_env);

	assert_error(r, "invalid YAML: did not find expected ',' or ']'", NULL,
	             FIXTURE("broken.yml"), 3);
	assert_string_equal(dbm_error_last()->detail, "while parsing a flow sequence on line 2");

	write_yml(f, "url: a\n  table: b: c\n");
	assert_error(load(f, NULL, 0, no_env),
	             "invalid YAML: mapping values are not allowed in this context", NULL,
	             "dbmigrate.yml", 2);

	write_yml(f, "url: a\n\ttable: b\n");
	r = load(f, NULL, 0, no_env);
	assert_int_equal(r, DBM_ERR_USAGE);
	assert_string_equal(dbm_error_last()->file, "dbmigrate.yml");
	assert_int_equal(dbm_error_last()->line, 2);
}

static void test_config__error_unknown_key_names_the_nearest(void **state)
{
	struct fixture *f = *state;
	struct dbm_setting flags[] = {{"config", FIXTURE("typo.yml")}};

	assert_error(load(f, flags, 1, no_env), "unknown key 'lock_timout'",
	             "Did you mean 'lock_timeout'?", FIXTURE("typo.yml"), 3);

	write_yml(f, "url: x\nplaceholder:\n  a: b\n");
	assert_error(load(f, NULL, 0, no_env), "unknown key 'placeholder'",
	             "Did you mean 'placeholders'?", "dbmigrate.yml", 2);
}

static void test_config__error_unknown_key_lists_valid_keys(void **state)
{
	struct fixture *f = *state;

	write_yml(f, "json: true\n");
	assert_error(
	    load(f, NULL, 0, no_env), "unknown key 'json'",
	    "Valid keys: url, migrations, rollback, table, schema, installed_by, "
	    "baseline_version, baseline_description, lock_timeout, connect_retries, "
	    "connect_retries_interval, statement_timeout, ddl_lock_timeout, out_of_order, "
	    "validate_on_migrate, baseline_on_migrate, clean_disabled, mixed, schema_file, "
	    "sql_migration_prefix, sql_migration_separator, sql_migration_suffixes, "
	    "repeatable_sql_migration_prefix, undo_sql_migration_prefix, group, "
	    "ignore_migration_patterns, target, placeholder_replacement, "
	    "validate_schema_on_migrate, placeholders, environments, targets, targets_file, jobs, "
	    "continue_on_error.",
	    "dbmigrate.yml", 1);
}

static void test_config__error_unknown_key_in_an_environment(void **state)
{
	struct fixture *f = *state;

	/* checked even when that environment is not selected */
	write_yml(f, "environments:\n"
	             "  dev: {}\n"
	             "  prod:\n"
	             "    url: sqlite:p.db\n"
	             "    tabel: x\n");
	assert_error(load(f, NULL, 0, no_env), "unknown key 'tabel'", "Did you mean 'table'?",
	             "dbmigrate.yml", 5);

	write_yml(f, "environments:\n"
	             "  prod:\n"
	             "    environments: {}\n");
	assert_error(load(f, NULL, 0, no_env), "unknown key 'environments'",
	             "Environments cannot be nested: define them at the top level.",
	             "dbmigrate.yml", 3);
}

static void test_config__error_wrong_types(void **state)
{
	struct fixture *f = *state;
	struct dbm_setting flags[] = {{"env", "dev"}};

	write_yml(f, "url: x\nlock_timeout: abc\n");
	assert_error(load(f, NULL, 0, no_env),
	             "lock_timeout: expected a whole number of seconds, got 'abc'", NULL,
	             "dbmigrate.yml", 2);

	write_yml(f, "connect_retries: -1\n");
	assert_error(load(f, NULL, 0, no_env), "connect_retries: expected a whole number, got '-1'",
	             NULL, "dbmigrate.yml", 1);

	write_yml(f, "statement_timeout: 1.5\n");
	assert_error(load(f, NULL, 0, no_env),
	             "statement_timeout: expected a whole number of seconds, got '1.5'", NULL,
	             "dbmigrate.yml", 1);

	write_yml(f, "ddl_lock_timeout: 99999999999\n");
	assert_error(load(f, NULL, 0, no_env),
	             "ddl_lock_timeout: '99999999999' is too large (the maximum is 2147483647)",
	             NULL, "dbmigrate.yml", 1);

	write_yml(f, "\n\nout_of_order: maybe\n");
	assert_error(load(f, NULL, 0, no_env), "out_of_order: expected true or false, got 'maybe'",
	             NULL, "dbmigrate.yml", 3);

	write_yml(f, "mixed: 1\n");
	assert_error(load(f, NULL, 0, no_env), "mixed: expected true or false, got '1'", NULL,
	             "dbmigrate.yml", 1);

	write_yml(f, "url:\n  host: x\n");
	assert_error(load(f, NULL, 0, no_env), "url: expected a text value, got a mapping", NULL,
	             "dbmigrate.yml", 2);

	write_yml(f, "lock_timeout: [1]\n");
	assert_error(load(f, NULL, 0, no_env), "lock_timeout: expected a whole number, got a list",
	             NULL, "dbmigrate.yml", 1);

	write_yml(f, "table: ''\n");
	assert_error(load(f, NULL, 0, no_env), "table: expected a value, got an empty one", NULL,
	             "dbmigrate.yml", 1);

	write_yml(f, "placeholders: [a, b]\n");
	assert_error(load(f, NULL, 0, no_env),
	             "placeholders: expected a mapping of names to values, got a list", NULL,
	             "dbmigrate.yml", 1);

	write_yml(f, "placeholders:\n  a: [1]\n");
	assert_error(load(f, NULL, 0, no_env), "placeholders.a: expected a text value, got a list",
	             NULL, "dbmigrate.yml", 2);

	write_yml(f, "environments: dev\n");
	assert_error(load(f, NULL, 0, no_env),
	             "environments: expected a mapping of environment names to settings, got a "
	             "value",
	             NULL, "dbmigrate.yml", 1);

	write_yml(f, "environments:\n  dev: sqlite:x.db\n");
	assert_error(load(f, flags, 1, no_env),
	             "environments.dev: expected a mapping of settings, got a value", NULL,
	             "dbmigrate.yml", 2);
}

static void test_config__error_duplicate_key(void **state)
{
	struct fixture *f = *state;

	write_yml(f, "table: a\nurl: x\ntable: b\n");
	assert_error(load(f, NULL, 0, no_env), "duplicate key 'table'",
	             "It is first given on line 1; keep one of them.", "dbmigrate.yml", 3);
}

static void test_config__error_top_level_not_a_mapping(void **state)
{
	struct fixture *f = *state;

	write_yml(f, "- url: x\n");
	assert_error(load(f, NULL, 0, no_env),
	             "expected a mapping of keys to values at the top level, got a list", NULL,
	             "dbmigrate.yml", 1);

	write_yml(f, "# a comment\nsqlite:x.db\n");
	assert_error(load(f, NULL, 0, no_env),
	             "expected a mapping of keys to values at the top level, got a single value",
	             NULL, "dbmigrate.yml", 2);

	write_yml(f, "url: x\n---\nurl: y\n");
	assert_error(load(f, NULL, 0, no_env), "expected one YAML document, found more", NULL,
	             "dbmigrate.yml", 2);
}

static void test_config__error_unknown_environment(void **state)
{
	struct fixture *f = *state;
	struct dbm_setting flags[] = {{"env", "stage"}};
	char *env[] = {"DBMIGRATE_ENV=qa", NULL};

	write_yml(f, "url: x\nenvironments:\n  dev: {}\n  prod: {}\n");
	assert_error(load(f, flags, 1, no_env), "--env: unknown environment 'stage'",
	             "Environments defined in 'dbmigrate.yml': dev, prod.", "dbmigrate.yml", 2);
	assert_error(load(f, NULL, 0, env), "DBMIGRATE_ENV: unknown environment 'qa'",
	             "Environments defined in 'dbmigrate.yml': dev, prod.", "dbmigrate.yml", 2);

	write_yml(f, "url: x\n");
	assert_error(load(f, flags, 1, no_env), "--env: unknown environment 'stage'",
	             "'dbmigrate.yml' defines no environments; add them under 'environments:'.",
	             "dbmigrate.yml", 0);

	assert_int_equal(unlink("dbmigrate.yml"), 0);
	assert_error(load(f, flags, 1, no_env), "--env: unknown environment 'stage'",
	             "No config file was found, so no environments are defined; create "
	             "dbmigrate.yml or name one with --config.",
	             NULL, 0);
}

static void test_config__error_missing_config_file(void **state)
{
	struct fixture *f = *state;
	struct dbm_setting flags[] = {{"config", "nope.yml"}};
	char *env[] = {"DBMIGRATE_CONFIG=gone.yml", NULL};

	assert_error(load(f, flags, 1, no_env),
	             "cannot open config file 'nope.yml' named by --config: No such file or "
	             "directory",
	             NULL, NULL, 0);
	assert_error(load(f, NULL, 0, env),
	             "cannot open config file 'gone.yml' named by DBMIGRATE_CONFIG: No such file "
	             "or directory",
	             NULL, NULL, 0);

	/* a folder opens but cannot be read */
	flags[0].value = ".";
	assert_error(load(f, flags, 1, no_env), "cannot read config file '.': Is a directory", NULL,
	             NULL, 0);
}

static void test_config__error_bad_variable_names_it(void **state)
{
	struct fixture *f = *state;
	char *env1[] = {"DBMIGRATE_LOCK_TIMEOUT=soon", NULL};
	char *env2[] = {"DBMIGRATE_YES=please", NULL};
	char *env3[] = {"DBMIGRATE_PLACEHOLDER_=x", NULL};
	char *env4[] = {"DBMIGRATE_MIGRATIONS=ok", "DBMIGRATE_CONNECT_RETRIES=2x", NULL};

	assert_error(load(f, NULL, 0, env1),
	             "DBMIGRATE_LOCK_TIMEOUT: expected a whole number of seconds, got 'soon'", NULL,
	             NULL, 0);
	assert_error(load(f, NULL, 0, env2), "DBMIGRATE_YES: expected true or false, got 'please'",
	             NULL, NULL, 0);
	assert_error(load(f, NULL, 0, env3),
	             "DBMIGRATE_PLACEHOLDER_: expected a placeholder name after "
	             "'DBMIGRATE_PLACEHOLDER_'",
	             NULL, NULL, 0);
	assert_error(load(f, NULL, 0, env4),
	             "DBMIGRATE_CONNECT_RETRIES: expected a whole number, got '2x'", NULL, NULL, 0);
}

static void test_config__error_bad_flag_names_it(void **state)
{
	struct fixture *f = *state;
	struct dbm_setting f1[] = {{"lock_timeout", "abc"}};
	struct dbm_setting f2[] = {{"connect_retries_interval", ""}};
	struct dbm_setting f3[] = {{"placeholder", "novalue"}};
	struct dbm_setting f4[] = {{"placeholder", "=x"}};
	struct dbm_setting f5[] = {{"url", ""}};
	struct dbm_setting f6[] = {{"no_such_thing", "1"}};
	struct dbm_setting f7[] = {{"out_of_order", "sure"}};

	assert_error(load(f, f1, 1, no_env),
	             "--lock-timeout: expected a whole number of seconds, got 'abc'", NULL, NULL,
	             0);
	assert_error(load(f, f2, 1, no_env),
	             "--connect-retries-interval: expected a whole number of seconds, got ''", NULL,
	             NULL, 0);
	assert_error(load(f, f3, 1, no_env), "--placeholder: expected KEY=VALUE, got 'novalue'",
	             NULL, NULL, 0);
	assert_error(load(f, f4, 1, no_env), "--placeholder: expected KEY=VALUE, got '=x'", NULL,
	             NULL, 0);
	assert_error(load(f, f5, 1, no_env), "--url: expected a database URL, got an empty value",
	             NULL, NULL, 0);
	assert_error(load(f, f6, 1, no_env), "unknown option '--no-such-thing'", NULL, NULL, 0);
	assert_error(load(f, f7, 1, no_env), "--out-of-order: expected true or false, got 'sure'",
	             NULL, NULL, 0);
}

static void test_config__keys_list(void **state)
{
	size_t n = 0;

	while (dbm_config_keys[n])
		n++;
	assert_int_equal(n, 35);
	assert_string_equal(dbm_config_keys[0], "url");
	assert_string_equal(dbm_config_keys[30], "environments");
	assert_string_equal(dbm_config_keys[34], "continue_on_error");
}

/*
 * One load in a child process whose n-th allocation fails (DBM_FAIL_ALLOC is
 * read once per process). Exits 0 when the load succeeded or reported
 * exactly "out of memory", 1 otherwise; the sanitizer's leak check makes a
 * leak on the failure path fail the child too.
 */
static int oom_child(void)
{
	struct dbm_config cfg;
	struct dbm_setting flags[] = {{"config", FIXTURE("full.yml")},
	                              {"env", "prod"},
	                              {"placeholder", "from_flag=1"},
	                              {"url", "sqlite:flag.db"},
	                              {"lock_timeout", "9"}};
	char *env[] = {"DBMIGRATE_TABLE=t", "DBMIGRATE_PLACEHOLDER_X=y", "DATABASE_URL=sqlite:d.db",
	               NULL};
	int r;

	memset(&cfg, 0, sizeof(cfg));
	r = dbm_config_load(&cfg, flags, DBM_ARRAY_SIZE(flags), env);
	dbm_config_free(&cfg);
	if (r == 0)
		return 0;
	if (r == DBM_ERR_NOMEM && strcmp(dbm_error_last()->message, "out of memory") == 0)
		return 2;
	fprintf(stderr, "load failed with %d: %s\n", r, dbm_error_last()->message);
	return 1;
}

static void test_config__out_of_memory_at_every_allocation(void **state)
{
#ifdef DBM_FAILPOINTS
	/* the child exits 0 once n is past the last allocation: the load succeeded */
	int n = dbm_test_oom_sweep("test_config", 10000, 2, 0);

	(void)state;
	assert_true(n > 10); /* the sweep really failed allocations */
#else
	skip();
#endif
}

/* Writes text to ./dbmigrate.yml in the test's folder (for generated files). */
static void write_yml_buf(struct fixture *f, const struct dbm_buf *text)
{
	write_yml(f, dbm_buf_cstr(text));
}

/*
 * Nine levels of "<<: [*a, *a, ...]" name 9^9 mappings from a 600-byte
 * file: the budget stops it at once, naming the outermost merge key.
 */
static void test_config__merge_key_bomb_stops_at_the_budget(void **state)
{
	struct fixture *f = *state;
	struct dbm_buf text = DBM_BUF_INIT;
	int i, j;

	assert_int_equal(dbm_buf_adds(&text, "x-a0: &a0 {table: t}\n"), 0);
	for (i = 1; i < 10; i++) {
		assert_int_equal(dbm_buf_addf(&text, "x-a%d: &a%d\n  <<: [", i, i), 0);
		for (j = 0; j < 9; j++)
			assert_int_equal(dbm_buf_addf(&text, "%s*a%d", j ? ", " : "", i - 1), 0);
		assert_int_equal(dbm_buf_adds(&text, "]\n"), 0);
	}
	assert_int_equal(dbm_buf_adds(&text, "<<: *a9\n"), 0);
	write_yml_buf(f, &text);
	assert_error(load(f, NULL, 0, no_env),
	             "the configuration applies more than 100000 keys and merges (aliases and "
	             "merge keys repeat the mappings they name)",
	             "Merge each mapping once, and keep the file to the settings dbmigrate reads.",
	             "dbmigrate.yml", 20);
	dbm_buf_free(&text);
}

/* Lists of aliases nine deep (billion laughs without merge keys) are never expanded. */
static void test_config__alias_bomb_without_merges_loads(void **state)
{
	struct fixture *f = *state;
	struct dbm_buf text = DBM_BUF_INIT;
	int i, j;

	assert_int_equal(dbm_buf_adds(&text, "x-a0: &a0 [lol, lol, lol, lol, lol, lol, lol]\n"), 0);
	for (i = 1; i < 10; i++) {
		assert_int_equal(dbm_buf_addf(&text, "x-a%d: &a%d [", i, i), 0);
		for (j = 0; j < 9; j++)
			assert_int_equal(dbm_buf_addf(&text, "%s*a%d", j ? ", " : "", i - 1), 0);
		assert_int_equal(dbm_buf_adds(&text, "]\n"), 0);
	}
	assert_int_equal(dbm_buf_adds(&text, "table: laughs\n"), 0);
	write_yml_buf(f, &text);
	assert_int_equal(load(f, NULL, 0, no_env), 0);
	assert_string_equal(f->cfg.table, "laughs");
	dbm_buf_free(&text);
}

/* "[[[[..." 100000 deep: refused from the event stream, before a document is built. */
static void test_config__deep_nesting_is_refused_with_the_limit(void **state)
{
	struct fixture *f = *state;
	struct dbm_buf text = DBM_BUF_INIT;
	int i;

	assert_int_equal(dbm_buf_adds(&text, "table: t\nx-deep: "), 0);
	for (i = 0; i < 100000; i++)
		assert_int_equal(dbm_buf_addc(&text, '['), 0);
	for (i = 0; i < 100000; i++)
		assert_int_equal(dbm_buf_addc(&text, ']'), 0);
	assert_int_equal(dbm_buf_addc(&text, '\n'), 0);
	write_yml_buf(f, &text);
	assert_error(load(f, NULL, 0, no_env), "mappings and lists nest more than 64 deep", NULL,
	             "dbmigrate.yml", 2);
	dbm_buf_free(&text);
}

/* A file over 1 MiB (here one huge scalar) is refused before parsing, naming the line. */
static void test_config__huge_file_is_refused_with_the_limit(void **state)
{
	struct fixture *f = *state;
	struct dbm_buf text = DBM_BUF_INIT;

	assert_int_equal(dbm_buf_adds(&text, "table: t\nschema: \""), 0);
	while (text.len < 2 * 1024 * 1024)
		assert_int_equal(dbm_buf_adds(&text, "0123456789abcdef"), 0);
	assert_int_equal(dbm_buf_adds(&text, "\"\n"), 0);
	write_yml_buf(f, &text);
	assert_error(load(f, NULL, 0, no_env), "config file is larger than 1048576 bytes",
	             "A config file holds settings only; keep it under 1 MiB.", "dbmigrate.yml", 2);
	dbm_buf_free(&text);
}

/*
 * 30000 placeholders and 15000 environments load quickly (the check for
 * repeated keys sorts instead of comparing every pair), and a repeat at
 * the end is still found, naming both lines.
 */
static void test_config__many_keys_and_environments_load_and_repeats_are_found(void **state)
{
	struct fixture *f = *state;
	struct dbm_buf text = DBM_BUF_INIT;
	int i;

	assert_int_equal(dbm_buf_adds(&text, "placeholders:\n"), 0);
	for (i = 0; i < 30000; i++)
		assert_int_equal(dbm_buf_addf(&text, "  k%d: v%d\n", i, i), 0);
	assert_int_equal(dbm_buf_adds(&text, "environments:\n"), 0);
	for (i = 0; i < 15000; i++)
		assert_int_equal(dbm_buf_addf(&text, "  e%d: {table: t%d}\n", i, i), 0);
	write_yml_buf(f, &text);
	{
		struct dbm_setting env = {"env", "e14999"};

		assert_int_equal(load(f, &env, 1, no_env), 0);
	}
	assert_int_equal(f->cfg.placeholders.n, 30000);
	assert_string_equal(dbm_placeholders_get(&f->cfg.placeholders, "k29999"), "v29999");
	assert_string_equal(f->cfg.table, "t14999");

	assert_int_equal(dbm_buf_adds(&text, "  e7: {table: again}\n"), 0);
	write_yml_buf(f, &text);
	assert_error(load(f, NULL, 0, no_env), "duplicate key 'e7'",
	             "It is first given on line 30010; keep one of them.", "dbmigrate.yml", 45003);
	dbm_buf_free(&text);
}

/* targets: words and mappings, placeholders per target, an environment's list replacing the top
 * level's. */
static void test_config__targets_list(void **state)
{
	struct fixture *f = *state;
	char *env_prod[] = {"DBMIGRATE_ENV=prod", NULL};

	write_yml(f, "targets:\n"
	             "  - \"sqlite:t/*.db\"\n"
	             "  - tenant_a\n"
	             "  - name: eu\n"
	             "    url: \"postgres://u:pw@eu/app\"\n"
	             "    placeholders: { region: eu-west }\n"
	             "  - { name: b, schema: tenant_b }\n"
	             "jobs: 8\n"
	             "environments:\n"
	             "  prod:\n"
	             "    targets: [\"postgres://p/app\"]\n");
	assert_int_equal(load(f, NULL, 0, no_env), 0);
	assert_int_equal(f->cfg.ntargets, 4);
	assert_int_equal(f->cfg.jobs, 8);
	assert_string_equal(f->cfg.targets[0].word, "sqlite:t/*.db");
	assert_int_equal(f->cfg.targets[0].line, 2);
	assert_string_equal(f->cfg.targets[1].word, "tenant_a");
	assert_null(f->cfg.targets[2].word);
	assert_string_equal(f->cfg.targets[2].name, "eu");
	assert_string_equal(f->cfg.targets[2].url, "postgres://u:pw@eu/app");
	assert_string_equal(dbm_placeholders_get(&f->cfg.targets[2].placeholders, "region"),
	                    "eu-west");
	assert_string_equal(f->cfg.targets[3].schema, "tenant_b");
	assert_int_equal(load(f, NULL, 0, env_prod), 0);
	assert_int_equal(f->cfg.ntargets, 1);
	assert_string_equal(f->cfg.targets[0].word, "postgres://p/app");

	write_yml(f, "targets: \"sqlite:x/*.db\"\n");
	assert_int_equal(load(f, NULL, 0, no_env), 0);
	assert_int_equal(f->cfg.ntargets, 1);
	assert_int_equal(f->cfg.jobs, 4);
}

static void test_config__targets_errors_name_the_line(void **state)
{
	struct fixture *f = *state;

	write_yml(f, "targets:\n  - { name: a, url: \"sqlite:a.db\", schema: s }\n");
	assert_error(load(f, NULL, 0, no_env), "targets: a target has both url and schema",
	             "A target is a database (url) or a schema on the top-level url; give one of "
	             "them.",
	             "dbmigrate.yml", 2);
	write_yml(f, "targets:\n  - { name: a }\n");
	assert_error(load(f, NULL, 0, no_env), "targets: a target needs a url or a schema",
	             "For example: - { name: eu, url: \"postgres://deploy@eu/app\" }",
	             "dbmigrate.yml", 2);
	write_yml(f, "targets:\n  - name: a\n    urls: x\n");
	assert_error(load(f, NULL, 0, no_env), "targets: unknown key 'urls' in a target",
	             "A target takes name, url, schema and placeholders.", "dbmigrate.yml", 3);
	write_yml(f, "targets:\n  a: b\n");
	assert_error(load(f, NULL, 0, no_env), "targets: expected a list of targets, got a mapping",
	             NULL, "dbmigrate.yml", 2);
	write_yml(f, "targets:\n  - [a]\n");
	assert_error(load(f, NULL, 0, no_env),
	             "targets: expected a URL, a schema name or a mapping with name and url or "
	             "schema, got a list",
	             NULL, "dbmigrate.yml", 2);
}

#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
	    T(test_config__defaults_without_a_file),
	    T(test_config__every_key_from_the_file),
	    T(test_config__dbmigrate_yml_in_the_working_directory),
	    T(test_config__config_file_from_the_variable),
	    T(test_config__every_key_from_the_environment),
	    T(test_config__empty_variables_are_unset),
	    T(test_config__every_key_from_flags),
	    T(test_config__repeated_flag_last_wins),
	    T(test_config__precedence_top_level_over_defaults_env_section_over_top),
	    T(test_config__precedence_variables_over_file_flags_over_variables),
	    T(test_config__placeholders_from_the_environment_section),
	    T(test_config__url_chain),
	    T(test_config__env_flag_beats_env_variable),
	    T(test_config__null_puts_a_key_back_to_its_default),
	    T(test_config__numbers_and_quoted_values_are_text),
	    T(test_config__empty_file_and_comments_only),
	    T(test_config__merge_keys_and_anchors),
	    T(test_config__error_broken_yaml),
	    T(test_config__error_unknown_key_names_the_nearest),
	    T(test_config__error_unknown_key_lists_valid_keys),
	    T(test_config__error_unknown_key_in_an_environment),
	    T(test_config__error_wrong_types),
	    T(test_config__error_duplicate_key),
	    T(test_config__error_top_level_not_a_mapping),
	    T(test_config__error_unknown_environment),
	    T(test_config__error_missing_config_file),
	    T(test_config__error_bad_variable_names_it),
	    T(test_config__error_bad_flag_names_it),
	    T(test_config__keys_list),
	    T(test_config__targets_list),
	    T(test_config__targets_errors_name_the_line),
	    T(test_config__merge_key_bomb_stops_at_the_budget),
	    T(test_config__alias_bomb_without_merges_loads),
	    T(test_config__deep_nesting_is_refused_with_the_limit),
	    T(test_config__huge_file_is_refused_with_the_limit),
	    T(test_config__many_keys_and_environments_load_and_repeats_are_found),
	    T(test_config__out_of_memory_at_every_allocation),
	};

	if (dbm_test_oom_child(argc, argv))
		return oom_child();

	return cmocka_run_group_tests(tests, NULL, NULL);
}
