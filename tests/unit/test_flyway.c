/*
 * test_flyway.c - Flyway's configuration: the Java properties reader
 * (props.c), the TOML reader (toml.c), jdbc: URLs (jdbc.c) and
 * dbm_config_load() reading flyway.conf, flyway.toml and FLYWAY_*
 * variables (config_flyway.c): every value as Flyway reads it, and each
 * error with its message, file and line.
 *
 * The loading tests run in a fresh temporary folder (the working directory,
 * where flyway.conf is looked for) with a synthetic environment.
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
#include "dbmigrate/config.h"
#include "dbmigrate/kvfile.h"
#include "dbmigrate/scan.h"
#include "testutil.h"

struct fixture {
	struct dbm_test_cwd tmp; /* the test's folder, the working directory */
	struct dbm_config cfg;
	struct dbm_kvlist kv;
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
	dbm_kvlist_free(&f->kv);
	r = dbm_test_leave_tmpdir(&f->tmp);
	free(f);
	return r;
}

static char *no_env[] = {NULL};

static int load(struct fixture *f, const struct dbm_setting *flags, size_t nflags,
                char *const *envp)
{
	dbm_config_free(&f->cfg);
	memset(&f->cfg, 0, sizeof(f->cfg));
	dbm_error_clear();
	return dbm_config_load(&f->cfg, flags, nflags, envp);
}

static void assert_error(int r, const char *message, const char *file, unsigned line)
{
	const struct dbm_error *e = dbm_error_last();

	assert_int_equal(r, DBM_ERR_USAGE);
	assert_string_equal(e->message, message);
	assert_string_equal(e->file, file ? file : "");
	assert_int_equal(e->line, line);
}

static void assert_kv(const struct dbm_kvlist *l, size_t i, const char *key, const char *value,
                      unsigned line)
{
	assert_true(i < l->n);
	assert_string_equal(l->items[i].key, key);
	assert_string_equal(l->items[i].value, value);
	assert_int_equal(l->items[i].line, line);
}

static int props(struct fixture *f, const char *text)
{
	dbm_kvlist_free(&f->kv);
	dbm_error_clear();
	return dbm_props_parse(text, strlen(text), "flyway.conf", &f->kv);
}

static int toml(struct fixture *f, const char *text)
{
	dbm_kvlist_free(&f->kv);
	dbm_error_clear();
	return dbm_toml_parse(text, strlen(text), "flyway.toml", &f->kv);
}

static void test_flyway__properties_as_java_reads_them(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(props(f, "# comment\n"
	                          "  ! another\n"
	                          "\n"
	                          "flyway.url=jdbc:sqlite:a.db\n"
	                          "flyway.user : sa\n"
	                          "flyway.table   history\n"
	                          "flyway.placeholders.x = one, \\\n"
	                          "      two\n"
	                          "key\\ with\\:colon=v\\tw\n"
	                          "u=\\u00e9\\uD83D\\uDE00\\q\r\n"
	                          "empty=\n"
	                          "lonekey\n"
	                          "trail=keeps  \n"
	                          "last=end\\"),
	                 0);
	assert_int_equal(f->kv.n, 10);
	assert_kv(&f->kv, 0, "flyway.url", "jdbc:sqlite:a.db", 4);
	assert_kv(&f->kv, 1, "flyway.user", "sa", 5);
	assert_kv(&f->kv, 2, "flyway.table", "history", 6);
	assert_kv(&f->kv, 3, "flyway.placeholders.x", "one, two", 7);
	assert_kv(&f->kv, 4, "key with:colon", "v\tw", 9);
	assert_kv(&f->kv, 5, "u", "\xc3\xa9\xf0\x9f\x98\x80q", 10);
	assert_kv(&f->kv, 6, "empty", "", 11);
	assert_kv(&f->kv, 7, "lonekey", "", 12);
	assert_kv(&f->kv, 8, "trail", "keeps  ", 13);
	assert_kv(&f->kv, 9, "last", "end", 14);
}

static void test_flyway__properties_comment_does_not_continue(void **state)
{
	struct fixture *f = *state;

	/* a comment line ending in a backslash ends there, as in Java */
	assert_int_equal(props(f, "# note \\\na=1\nb=\\\\\nc=2\n"), 0);
	assert_int_equal(f->kv.n, 3);
	assert_kv(&f->kv, 0, "a", "1", 2);
	assert_kv(&f->kv, 1, "b", "\\", 3);
	assert_kv(&f->kv, 2, "c", "2", 4);
}

static void test_flyway__properties_errors_name_file_and_line(void **state)
{
	struct fixture *f = *state;

	assert_error(props(f, "a=1\nflyway.x=\\u12G4\n"),
	             "malformed \\uXXXX escape: expected four hex digits after \\u", "flyway.conf",
	             2);
	assert_error(props(f, "a=1\n\nb=\\uD83D!\n"),
	             "\\u escape is half of a UTF-16 surrogate pair without its other half",
	             "flyway.conf", 3);
	assert_int_equal(f->kv.n, 0);
}

static void test_flyway__toml_subset(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(toml(f, "# Flyway\n"
	                         "[environments.dev]   # the developers'\n"
	                         "url = \"jdbc:sqlite:dev.db\"\n"
	                         "schemas = [\"a\",\n"
	                         "   'b', # the second\n"
	                         "]\n"
	                         "\n"
	                         "[flyway]\n"
	                         "locations = [ \"filesystem:sql\" ]\n"
	                         "connectRetries = 1_0\n"
	                         "baselineOnMigrate = true\n"
	                         "placeholders.owner = 'C:\\raw'\n"
	                         "\"quoted.key\" = \"tab\\there \\u00e9\\\"\"\n"
	                         "[flyway.placeholders]\n"
	                         "x = { a = \"1\", b.c = -2 }\n"),
	                 0);
	assert_int_equal(f->kv.n, 9);
	assert_kv(&f->kv, 0, "environments.dev.url", "jdbc:sqlite:dev.db", 3);
	assert_kv(&f->kv, 1, "environments.dev.schemas", "a,b", 4);
	assert_int_equal(f->kv.items[1].type, DBM_KV_ARRAY);
	assert_kv(&f->kv, 2, "flyway.locations", "filesystem:sql", 9);
	assert_kv(&f->kv, 3, "flyway.connectRetries", "10", 10);
	assert_int_equal(f->kv.items[3].type, DBM_KV_INT);
	assert_kv(&f->kv, 4, "flyway.baselineOnMigrate", "true", 11);
	assert_int_equal(f->kv.items[4].type, DBM_KV_BOOL);
	assert_kv(&f->kv, 5, "flyway.placeholders.owner", "C:\\raw", 12);
	assert_kv(&f->kv, 6, "flyway.quoted.key", "tab\there \xc3\xa9\"", 13);
	assert_kv(&f->kv, 7, "flyway.placeholders.x.a", "1", 15);
	assert_kv(&f->kv, 8, "flyway.placeholders.x.b.c", "-2", 15);
}

static void test_flyway__toml_errors_name_file_and_line(void **state)
{
	struct fixture *f = *state;

	assert_error(toml(f, "[flyway]\nurl = \"a\"\nurl = \"b\"\n"),
	             "key 'flyway.url' is defined twice (first on line 2)", "flyway.toml", 3);
	assert_error(toml(f, "[flyway]\n\n[flyway]\n"),
	             "table [flyway] is defined twice (first on line 1)", "flyway.toml", 3);
	assert_error(toml(f, "a = \"x\nb = 1\n"), "unterminated string", "flyway.toml", 1);
	assert_error(toml(f, "\na = \"\"\"x\"\"\"\n"),
	             "multi-line strings (\"\"\") are not supported", "flyway.toml", 2);
	assert_error(toml(f, "a = 1.5\n"), "floats, dates and times are not supported",
	             "flyway.toml", 1);
	assert_error(toml(f, "a = 1979-05-27\n"), "floats, dates and times are not supported",
	             "flyway.toml", 1);
	assert_error(toml(f, "[[x]]\n"), "arrays of tables ([[...]]) are not supported",
	             "flyway.toml", 1);
	assert_error(toml(f, "a = [1, 2]\n"), "'a': only arrays of strings are supported",
	             "flyway.toml", 1);
	assert_error(toml(f, "a = [\"x\",\n\"y\"\n\n"), "unterminated array", "flyway.toml", 1);
	assert_error(toml(f, "a = \"x\" b = 1\n"), "expected the end of the line, got 'b'",
	             "flyway.toml", 1);
	assert_error(toml(f, "a = \"\\q\"\n"), "unknown escape \\q in a string", "flyway.toml", 1);
	assert_error(toml(f, "a = yes\n"),
	             "'a': expected a string, a number, true, false or an array", "flyway.toml", 1);
	assert_error(toml(f, "x.y = 1\n[x.y]\n"), "[x.y] names a key that already has a value",
	             "flyway.toml", 2);
	assert_error(toml(f, "= 1\n"), "expected a key", "flyway.toml", 1);
	assert_error(toml(f, "a = 012\n"), "leading zeros are not allowed in a number",
	             "flyway.toml", 1);
	assert_int_equal(f->kv.n, 0);
}

static void assert_jdbc(const char *jdbc, const char *user, const char *password, const char *want,
                        const char *want_schema)
{
	struct dbm_buf out = DBM_BUF_INIT;
	char *schema = NULL;

	dbm_error_clear();
	assert_int_equal(dbm_jdbc_url(jdbc, user, password, &out, &schema), 0);
	assert_string_equal(dbm_buf_cstr(&out), want);
	if (want_schema)
		assert_string_equal(schema, want_schema);
	else
		assert_null(schema);
	dbm_buf_free(&out);
	free(schema);
}

static void assert_jdbc_error(const char *jdbc, const char *message)
{
	struct dbm_buf out = DBM_BUF_INIT;
	char *schema = NULL;

	dbm_error_clear();
	assert_int_equal(dbm_jdbc_url(jdbc, "u", "pw", &out, &schema), DBM_ERR_USAGE);
	assert_string_equal(dbm_error_last()->message, message);
	dbm_buf_free(&out);
	free(schema);
}

static void test_flyway__jdbc_urls(void **state)
{
	(void)state;
	assert_jdbc("jdbc:postgresql://db:5433/app", "deploy", "p@ss:w/rd",
	            "postgresql://deploy:p%40ss%3Aw%2Frd@db:5433/app", NULL);
	assert_jdbc("jdbc:postgresql://db/app?ApplicationName=ci&sslmode=require&connectTimeout=5"
	            "&currentSchema=app,public",
	            "u", NULL,
	            "postgresql://u@db/app?application_name=ci&sslmode=require&connect_timeout=5",
	            "app");
	assert_jdbc("jdbc:postgresql://h1:5432,h2:5432/app?user=x&password=y", NULL, NULL,
	            "postgresql://x:y@h1:5432,h2:5432/app", NULL);
	assert_jdbc("jdbc:postgresql:app", NULL, NULL, "postgresql://localhost/app", NULL);
	assert_jdbc("jdbc:postgresql://db/app?ssl=true", NULL, NULL,
	            "postgresql://db/app?sslmode=verify-full", NULL);
	assert_jdbc("jdbc:mysql://db:3307/app?useSSL=false&connectTimeout=2500", "root", "a b",
	            "mysql://root:a%20b@db:3307/app?ssl-mode=DISABLED&connect-timeout=3", NULL);
	assert_jdbc("jdbc:mariadb://db/app?useSSL=true", "u", NULL,
	            "mariadb://u@db/app?ssl-mode=REQUIRED", NULL);
	assert_jdbc("jdbc:sqlite:data/app.db", "sa", "x", "sqlite:data/app.db", NULL);
	assert_jdbc("jdbc:sqlite:/var/app.db", NULL, NULL, "sqlite:///var/app.db", NULL);
	assert_jdbc("postgres://db/app", "u", "p", "postgres://u:p@db/app", NULL);
	assert_jdbc("postgres://me@db/app", "u", "p", "postgres://me@db/app", NULL);
	assert_jdbc_error("jdbc:postgresql://db/app?socketFactory=x",
	                  "url: JDBC parameter 'socketFactory' is not supported");
	assert_jdbc_error("jdbc:mysql://db/app?ApplicationName=x",
	                  "url: JDBC parameter 'ApplicationName' is not supported");
	assert_jdbc_error("jdbc:mysql://db/app?useSSL=maybe",
	                  "url: JDBC parameter 'useSSL' has a value dbmigrate cannot map");
	assert_jdbc_error("jdbc:oracle:thin:@db:1521:x",
	                  "url: 'jdbc:oracle' URLs are not supported");
	assert_jdbc_error("jdbc:mysql://a,b/app", "url: several hosts (failover) are not supported "
	                                          "for MySQL");
	assert_jdbc_error("jdbc:sqlite:a.db?journal_mode=wal",
	                  "url: parameters in a jdbc:sqlite: URL are not supported");
}

static void test_flyway__conf_found_and_mapped(void **state)
{
	struct fixture *f = *state;
	struct dbm_config *c = &f->cfg;

	dbm_test_write(f->tmp.dir, "flyway.conf",
	               "flyway.url=jdbc:postgresql://db/app?currentSchema=other\n"
	               "flyway.user=deploy\n"
	               "flyway.password=Hunter2!\n"
	               "flyway.schemas=app,audit\n"
	               "flyway.table=flyway_schema_history\n"
	               "flyway.locations=filesystem:db/migration\n"
	               "flyway.baselineVersion=0\n"
	               "flyway.baselineDescription=start\n"
	               "flyway.baselineOnMigrate=true\n"
	               "flyway.outOfOrder=true\n"
	               "flyway.validateOnMigrate=false\n"
	               "flyway.cleanDisabled=false\n"
	               "flyway.connectRetries=4\n"
	               "flyway.mixed=false\n"
	               "flyway.installedBy=ci\n"
	               "flyway.encoding=utf-8\n"
	               "flyway.placeholders.Owner=ann\n"
	               "flyway.color=always\n");
	assert_int_equal(load(f, NULL, 0, no_env), 0);
	assert_string_equal(c->config_file, "flyway.conf");
	assert_string_equal(c->url, "postgresql://deploy:Hunter2%21@db/app");
	assert_string_equal(c->url_source, "flyway.conf");
	assert_string_equal(c->schema, "app");
	assert_string_equal(c->table, "flyway_schema_history");
	assert_string_equal(c->migrations, "db/migration");
	assert_string_equal(c->baseline_version, "0");
	assert_string_equal(c->baseline_description, "start");
	assert_int_equal(c->baseline_on_migrate, 1);
	assert_int_equal(c->out_of_order, 1);
	assert_int_equal(c->validate_on_migrate, 0);
	assert_int_equal(c->clean_disabled, 0);
	assert_int_equal(c->connect_retries, 4);
	assert_int_equal(c->mixed, 0);
	assert_string_equal(c->installed_by, "ci");
	assert_string_equal(dbm_placeholders_get(&c->placeholders, "Owner"), "ann");
	assert_string_equal(
	    c->notes,
	    "note: reading the Flyway configuration in flyway.conf (there is no "
	    "dbmigrate.yml)\n"
	    "warning: flyway.conf:4: flyway.schemas names several schemas. dbmigrate manages the "
	    "first (its history table and clean); it neither creates nor cleans the "
	    "others\n"
	    "warning: flyway.conf:18: flyway.color is ignored. Use --color.\n");
}

static void test_flyway__yml_wins_then_toml_then_conf_then_conf_folder(void **state)
{
	struct fixture *f = *state;

	dbm_test_write(f->tmp.dir, "conf/flyway.conf", "flyway.table=from_conf_folder\n");
	assert_int_equal(load(f, NULL, 0, no_env), 0);
	assert_string_equal(f->cfg.table, "from_conf_folder");
	assert_string_equal(f->cfg.config_file, "conf/flyway.conf");
	dbm_test_write(f->tmp.dir, "flyway.conf", "flyway.table=from_conf\n");
	assert_int_equal(load(f, NULL, 0, no_env), 0);
	assert_string_equal(f->cfg.table, "from_conf");
	dbm_test_write(f->tmp.dir, "flyway.toml", "[flyway]\ntable = \"from_toml\"\n");
	assert_int_equal(load(f, NULL, 0, no_env), 0);
	assert_string_equal(f->cfg.table, "from_toml");
	dbm_test_write(f->tmp.dir, "dbmigrate.yml", "table: from_yml\n");
	assert_int_equal(load(f, NULL, 0, no_env), 0);
	assert_string_equal(f->cfg.table, "from_yml");
	assert_null(f->cfg.notes);
}

static void test_flyway__config_flag_by_extension_and_content(void **state)
{
	struct fixture *f = *state;
	struct dbm_setting flag = {"config", "settings.cfg"};

	dbm_test_write(f->tmp.dir, "settings.cfg", "# Flyway\n\nflyway.table=by_content\n");
	assert_int_equal(load(f, &flag, 1, no_env), 0);
	assert_string_equal(f->cfg.table, "by_content");
	assert_null(f->cfg.notes); /* named, not found: no note */
	dbm_test_write(f->tmp.dir, "settings.cfg", "\n[flyway]\ntable = 'toml_by_content'\n");
	assert_int_equal(load(f, &flag, 1, no_env), 0);
	assert_string_equal(f->cfg.table, "toml_by_content");
	flag.value = "x.toml";
	dbm_test_write(f->tmp.dir, "x.toml", "[flyway]\ntable = 'by_name'\n");
	assert_int_equal(load(f, &flag, 1, no_env), 0);
	assert_string_equal(f->cfg.table, "by_name");
}

static void test_flyway__toml_environments(void **state)
{
	struct fixture *f = *state;
	struct dbm_setting flag = {"env", "prod"};
	char *env[] = {"PRODPW=s3cret", NULL};
	char *fenv[] = {"FLYWAY_ENVIRONMENT=prod", "PRODPW=s3cret", NULL};

	dbm_test_write(f->tmp.dir, "flyway.toml",
	               "[flyway]\n"
	               "table = \"t_top\"\n"
	               "locations = [\"filesystem:sql\"]\n"
	               "[environments.default]\n"
	               "url = \"jdbc:sqlite:dev.db\"\n"
	               "[environments.prod]\n"
	               "url = \"jdbc:mysql://db/app\"\n"
	               "user = \"deploy\"\n"
	               "password = \"${env.PRODPW}\"\n"
	               "schemas = [\"app\"]\n"
	               "[environments.prod.flyway]\n"
	               "table = \"t_prod\"\n");
	assert_int_equal(load(f, NULL, 0, no_env), 0);
	assert_string_equal(f->cfg.url, "sqlite:dev.db");
	assert_string_equal(f->cfg.table, "t_top");
	assert_string_equal(f->cfg.migrations, "sql");
	assert_int_equal(load(f, &flag, 1, env), 0);
	assert_string_equal(f->cfg.url, "mysql://deploy:s3cret@db/app");
	assert_string_not_equal(f->cfg.url_source, "flyway.toml"); /* not a password in the file */
	assert_string_equal(f->cfg.table, "t_prod");
	assert_string_equal(f->cfg.schema, "app");
	assert_int_equal(load(f, NULL, 0, fenv), 0);
	assert_string_equal(f->cfg.table, "t_prod");
	assert_error(load(f, &flag, 1, no_env),
	             "environments.prod.password: ${env.PRODPW} names a variable that is not set",
	             "flyway.toml", 9);
	flag.value = "qa";
	assert_error(load(f, &flag, 1, no_env), "--env: unknown environment 'qa'", "flyway.toml",
	             5);
	assert_string_equal(dbm_error_last()->hint,
	                    "Environments defined in 'flyway.toml': default, prod.");
}

static void test_flyway__unselected_environment_is_checked(void **state)
{
	struct fixture *f = *state;

	dbm_test_write(f->tmp.dir, "flyway.toml",
	               "[environments.default]\n"
	               "url = \"jdbc:sqlite:dev.db\"\n"
	               "[environments.prod]\n"
	               "url = \"jdbc:postgresql://db/app?loginTimeout=3\"\n");
	assert_error(load(f, NULL, 0, no_env),
	             "url: JDBC parameter 'loginTimeout' is not supported", "flyway.toml", 4);
	dbm_test_write(f->tmp.dir, "flyway.toml", "[environments.dev]\nurll = \"x\"\n");
	assert_error(load(f, NULL, 0, no_env), "environments.dev.urll: unknown environment setting",
	             "flyway.toml", 2);
}

static void test_flyway__settings_refused_by_name(void **state)
{
	struct fixture *f = *state;

	dbm_test_write(f->tmp.dir, "flyway.conf",
	               "flyway.url=jdbc:sqlite:a.db\nflyway.initSql=SET x=1\n");
	assert_error(load(f, NULL, 0, no_env), "flyway.initSql: not supported", "flyway.conf", 2);
	dbm_test_write(f->tmp.dir, "flyway.conf", "\nflyway.placeholderPrefix=#[\n");
	assert_error(load(f, NULL, 0, no_env),
	             "flyway.placeholderPrefix: only '${' is supported, got '#['", "flyway.conf",
	             2);
	dbm_test_write(f->tmp.dir, "flyway.conf", "flyway.locations=classpath:db/migration\n");
	assert_error(load(f, NULL, 0, no_env),
	             "flyway.locations: 'classpath:db/migration': classpath locations are inside "
	             "Java JARs, which dbmigrate cannot read",
	             "flyway.conf", 1);
	dbm_test_write(f->tmp.dir, "flyway.conf", "flyway.locations=db/migration\n");
	assert_error(load(f, NULL, 0, no_env),
	             "flyway.locations: 'db/migration': Flyway reads a location without a prefix "
	             "as classpath:, inside Java JARs; write filesystem:db/migration for a folder",
	             "flyway.conf", 1);
	dbm_test_write(f->tmp.dir, "flyway.conf", "flyway.tabel=x\n");
	assert_error(load(f, NULL, 0, no_env), "flyway.tabel: unknown Flyway setting",
	             "flyway.conf", 1);
	assert_string_equal(dbm_error_last()->hint,
	                    "Did you mean 'table'? See docs/adopting.md for "
	                    "the settings dbmigrate reads.");
	dbm_test_write(f->tmp.dir, "flyway.conf", "flyway.connectRetries=many\n");
	assert_error(load(f, NULL, 0, no_env),
	             "flyway.connectRetries: expected a whole number, got 'many'", "flyway.conf",
	             1);
	dbm_test_write(f->tmp.dir, "flyway.conf",
	               "flyway.cleanDisabled=true  # Prevent data loss\n");
	assert_error(
	    load(f, NULL, 0, no_env),
	    "flyway.cleanDisabled: expected true or false, got 'true  # Prevent data loss'",
	    "flyway.conf", 1);
	assert_string_equal(dbm_error_last()->hint,
	                    "In flyway.conf '#' starts a comment only at the start of a line: move "
	                    "the comment to a line of its own.");
	dbm_test_write(f->tmp.dir, "flyway.conf", "flyway.jdbcProperties.socketTimeout=5\n");
	assert_error(load(f, NULL, 0, no_env),
	             "flyway.jdbcProperties.socketTimeout: JDBC properties cannot be passed to "
	             "dbmigrate's drivers; put the connection's parameters in the url",
	             "flyway.conf", 1);
}

static void test_flyway__variables(void **state)
{
	struct fixture *f = *state;
	char *env[] = {"FLYWAY_URL=jdbc:postgresql://db/app",
	               "FLYWAY_USER=ci",
	               "FLYWAY_PASSWORD=pw from env",
	               "FLYWAY_BASELINE_ON_MIGRATE=true",
	               "FLYWAY_PLACEHOLDERS_APP_USER=ticket",
	               "FLYWAY_HOME=/opt/flyway",
	               "FLYWAY_TABLE=",
	               NULL};
	char *both[] = {"FLYWAY_URL=jdbc:sqlite:flyway.db", "DATABASE_URL=sqlite:dbm.db", NULL};
	char *bad[] = {"FLYWAY_INIT_SQL=SET x=1", NULL};

	dbm_test_write(f->tmp.dir, "flyway.conf", "flyway.url=jdbc:sqlite:a.db\nflyway.user=sa\n");
	assert_int_equal(load(f, NULL, 0, env), 0);
	assert_string_equal(f->cfg.url, "postgresql://ci:pw%20from%20env@db/app");
	assert_string_equal(f->cfg.url_source, "FLYWAY_PASSWORD");
	assert_int_equal(f->cfg.baseline_on_migrate, 1);
	assert_string_equal(f->cfg.table, "schema_history");
	assert_string_equal(dbm_placeholders_get(&f->cfg.placeholders, "app_user"), "ticket");
	assert_int_equal(load(f, NULL, 0, both), 0);
	assert_string_equal(f->cfg.url, "sqlite:dbm.db");
	assert_error(load(f, NULL, 0, bad), "FLYWAY_INIT_SQL: not supported", NULL, 0);
	/* without any file, FLYWAY_* configure the project, with a note */
	unlink("flyway.conf");
	assert_int_equal(load(f, NULL, 0, env), 0);
	assert_string_equal(f->cfg.url, "postgresql://ci:pw%20from%20env@db/app");
	assert_string_equal(f->cfg.notes, "note: reading the Flyway configuration in FLYWAY_* "
	                                  "variables (there is no config file)\n");
	/* dbmigrate.yml: FLYWAY_* are not read */
	dbm_test_write(f->tmp.dir, "dbmigrate.yml", "table: t\n");
	assert_int_equal(load(f, NULL, 0, env), 0);
	assert_string_equal(f->cfg.url, "sqlite:dbmigrate.db");
}

static void parse_ok(const char *name, enum dbm_file_kind want_kind, const char *want_version,
                     const char *want_desc)
{
	enum dbm_file_kind kind;
	char *v = NULL, *d = NULL;

	if (dbm_parse_filename(name, &kind, &v, &d) != 0)
		fail_msg("'%s' does not parse", name);
	assert_int_equal(kind, want_kind);
	if (want_version)
		assert_string_equal(v, want_version);
	else
		assert_null(v);
	assert_string_equal(d, want_desc);
	dbm_free(v);
	dbm_free(d);
}

static void parse_bad(const char *name)
{
	enum dbm_file_kind kind;
	char *v = NULL, *d = NULL;

	if (dbm_parse_filename(name, &kind, &v, &d) != DBM_ERR_USAGE)
		fail_msg("'%s' parses", name);
}

static void test_flyway__file_name_prefixes(void **state)
{
	(void)state;
	assert_int_equal(dbm_filename_configure("M", "RM", "UM", "-", ".sql, .pgsql"), 0);
	parse_ok("M1.2-add_users.sql", DBM_FILE_VERSIONED, "1.2", "add users");
	parse_ok("M3-x.pgsql", DBM_FILE_VERSIONED, "3", "x");
	parse_ok("RM-views.sql", DBM_FILE_REPEATABLE, NULL, "views");
	parse_ok("UM1.2-add_users.sql", DBM_FILE_UNDO, "1.2", "add users");
	parse_bad("V1__x.sql");
	parse_bad("M1-x.PGSQL");
	parse_bad("M1-x.txt");
	assert_true(dbm_filename_is_script("M1-x.PGSQL"));
	assert_false(dbm_filename_is_script("M1-x.txt"));
	/* the longest prefix that fits wins: "RM-x" is repeatable, not versioned "R" */
	assert_int_equal(dbm_filename_configure("R", "RM", NULL, NULL, NULL), 0);
	parse_ok("RM__x.sql", DBM_FILE_REPEATABLE, NULL, "x");
	parse_ok("R2__x.sql", DBM_FILE_VERSIONED, "2", "x");
	dbm_error_clear();
	assert_int_equal(dbm_filename_configure("V", "V", NULL, NULL, NULL), DBM_ERR_USAGE);
	assert_string_equal(dbm_error_last()->message,
	                    "the versioned, repeatable and undo prefixes must differ, got 'V', 'V' "
	                    "and 'U'");
	assert_int_equal(dbm_filename_configure(NULL, NULL, NULL, "", NULL), DBM_ERR_USAGE);
	assert_string_equal(
	    dbm_error_last()->message,
	    "sql_migration_separator: expected 1 to 63 characters and no '/', got ''");
	assert_int_equal(dbm_filename_configure(NULL, NULL, NULL, NULL, NULL), 0);
	parse_ok("V1__x.sql", DBM_FILE_VERSIONED, "1", "x");
	parse_bad("V1__x.pgsql");
}

static void test_flyway__config_files_variable_and_env_hint(void **state)
{
	struct fixture *f = *state;
	char *env[] = {"FLYWAY_CONFIG_FILES=conf/prod.conf", NULL};
	char *two[] = {"FLYWAY_CONFIG_FILES=a.conf,b.conf", NULL};
	struct dbm_setting flag = {"env", "prod"};

	dbm_test_write(f->tmp.dir, "conf/prod.conf", "flyway.table=from_variable\n");
	assert_int_equal(load(f, NULL, 0, env), 0);
	assert_string_equal(f->cfg.table, "from_variable");
	assert_string_equal(f->cfg.config_file, "conf/prod.conf");
	assert_error(load(f, NULL, 0, two),
	             "FLYWAY_CONFIG_FILES: several config files are not supported", NULL, 0);
	assert_error(load(f, &flag, 1, env), "--env: unknown environment 'prod'", "conf/prod.conf",
	             0);
	assert_string_equal(dbm_error_last()->hint,
	                    "'conf/prod.conf' defines no environments; Flyway's are "
	                    "[environments.NAME] tables in flyway.toml.");
}

#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
	    T(test_flyway__properties_as_java_reads_them),
	    T(test_flyway__properties_comment_does_not_continue),
	    T(test_flyway__properties_errors_name_file_and_line),
	    T(test_flyway__toml_subset),
	    T(test_flyway__toml_errors_name_file_and_line),
	    T(test_flyway__jdbc_urls),
	    T(test_flyway__conf_found_and_mapped),
	    T(test_flyway__yml_wins_then_toml_then_conf_then_conf_folder),
	    T(test_flyway__config_flag_by_extension_and_content),
	    T(test_flyway__toml_environments),
	    T(test_flyway__unselected_environment_is_checked),
	    T(test_flyway__settings_refused_by_name),
	    T(test_flyway__variables),
	    T(test_flyway__file_name_prefixes),
	    T(test_flyway__config_files_variable_and_env_hint),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
