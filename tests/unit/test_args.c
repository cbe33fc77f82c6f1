/*
 * test_args.c - the command-line parser (cmd/args.h) over argv vectors,
 * against the real command table: what it accepts, what it stores, and the
 * exact error and hint for what it refuses.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "cmd/args.h"
#include "dbmigrate/common.h"
#include "testutil.h"

#define MAXARGS 512

/* Parses the NULL-terminated arguments (after "dbmigrate") into a. Returns the parser's result. */
static int parse(struct dbm_args *a, ...)
{
	char *argv[MAXARGS];
	int argc = 0;
	va_list ap;
	const char *s;

	argv[argc++] = (char *)"dbmigrate";
	va_start(ap, a);
	while ((s = va_arg(ap, const char *)) != NULL && argc < MAXARGS - 1)
		argv[argc++] = (char *)s;
	va_end(ap);
	argv[argc] = NULL;
	*a = (struct dbm_args)DBM_ARGS_INIT;
	dbm_error_clear();
	return dbm_args_parse(a, argc, argv);
}

/* Asserts a usage error with exactly this message and hint (hint NULL: not checked). */
static void expect_usage(int r, const char *message, const char *hint)
{
	assert_int_equal(r, DBM_ERR_USAGE);
	assert_string_equal(dbm_error_last()->message, message);
	if (hint)
		assert_string_equal(dbm_error_last()->hint, hint);
}

static const char *setting(const struct dbm_args *a, const char *key)
{
	size_t i;
	const char *v = NULL;

	for (i = 0; i < a->nsettings; i++)
		if (strcmp(a->settings[i].key, key) == 0)
			v = a->settings[i].value;
	return v;
}

static void test_args__version_before_a_command_prints_the_version_not_runs_it(void **state)
{
	struct dbm_args a;

	(void)state;
	assert_int_equal(parse(&a, "--version", "migrate", NULL), 0);
	assert_true(a.version);
	assert_string_equal(a.cmd->name, "migrate");
	dbm_args_free(&a);
	assert_int_equal(parse(&a, "migrate", "--version", NULL), 0);
	assert_true(a.version);
	dbm_args_free(&a);
	/* baseline has a --version V of its own, after the command word */
	assert_int_equal(parse(&a, "baseline", "--version", "2.1", NULL), 0);
	assert_false(a.version);
	assert_string_equal(a.args.version, "2.1");
	dbm_args_free(&a);
	assert_int_equal(parse(&a, "baseline", "--version=3", NULL), 0);
	assert_string_equal(a.args.version, "3");
	dbm_args_free(&a);
	assert_int_equal(parse(&a, "--version", "baseline", NULL), 0);
	assert_true(a.version);
	assert_null(a.args.version);
	dbm_args_free(&a);
}

static void test_args__a_flag_repeated_70_times_is_kept_once(void **state)
{
	char *argv[MAXARGS];
	struct dbm_args a = DBM_ARGS_INIT;
	int argc = 0, i;
	size_t k, quiet = 0;

	(void)state;
	argv[argc++] = (char *)"dbmigrate";
	for (i = 0; i < 70; i++) {
		argv[argc++] = (char *)"-q";
		argv[argc++] = (char *)"-v";
		argv[argc++] = (char *)"--yes";
	}
	for (i = 0; i < 200; i++)
		argv[argc++] = (char *)"--placeholder=k=v";
	argv[argc++] = (char *)"info";
	argv[argc] = NULL;
	assert_int_equal(dbm_args_parse(&a, argc, argv), 0);
	assert_string_equal(a.cmd->name, "info");
	for (k = 0; k < a.nsettings; k++)
		quiet += strcmp(a.settings[k].key, "quiet") == 0;
	assert_int_equal(quiet, 1);
	/* every placeholder stays: they are not flags */
	assert_int_equal(a.nsettings, 3 + 200);
	assert_string_equal(setting(&a, "verbose"), "true");
	dbm_args_free(&a);
}

static void test_args__help_in_every_form(void **state)
{
	struct dbm_args a;

	(void)state;
	assert_int_equal(parse(&a, "help", NULL), 0);
	assert_true(a.help);
	assert_null(a.cmd);
	dbm_args_free(&a);
	assert_int_equal(parse(&a, "help", "migrate", NULL), 0);
	assert_true(a.help);
	assert_string_equal(a.cmd->name, "migrate");
	dbm_args_free(&a);
	assert_int_equal(parse(&a, "migrate", "--help", NULL), 0);
	assert_true(a.help);
	assert_string_equal(a.cmd->name, "migrate");
	dbm_args_free(&a);
	assert_int_equal(parse(&a, "-h", "rollback", NULL), 0);
	assert_true(a.help);
	assert_string_equal(a.cmd->name, "rollback");
	dbm_args_free(&a);
	/* help needs no NAME for new, and forgives an option the command does not take */
	assert_int_equal(parse(&a, "new", "-h", NULL), 0);
	dbm_args_free(&a);
	assert_int_equal(parse(&a, "info", "--dry-run", "--help", NULL), 0);
	dbm_args_free(&a);
	expect_usage(parse(&a, "help", "nosuch", NULL), "unknown command 'nosuch'",
	             "See 'dbmigrate help' for the commands.");
	dbm_args_free(&a);
	expect_usage(parse(&a, "help", "migrat", NULL), "unknown command 'migrat'",
	             "Did you mean 'migrate'? See 'dbmigrate help'.");
	dbm_args_free(&a);
}

static void test_args__one_dash_long_options_say_what_to_type(void **state)
{
	struct dbm_args a;

	(void)state;
	expect_usage(parse(&a, "info", "-json", NULL),
	             "unknown option '-json': long options take two dashes", "Type '--json'.");
	dbm_args_free(&a);
	expect_usage(parse(&a, "-target=5", "migrate", NULL),
	             "unknown option '-target': long options take two dashes",
	             "Type '--target V' or '--target=V'.");
	dbm_args_free(&a);
	expect_usage(parse(&a, "-url", "postgres://u:secret@h/db", "info", NULL),
	             "unknown option '-url': long options take two dashes",
	             "Type '--url URL' or '--url=URL'.");
	dbm_args_free(&a);
	/* one-letter flags still bundle */
	assert_int_equal(parse(&a, "-qy", "clean", NULL), 0);
	assert_string_equal(setting(&a, "quiet"), "true");
	assert_string_equal(setting(&a, "yes"), "true");
	dbm_args_free(&a);
	expect_usage(parse(&a, "-qx", "info", NULL), "unknown option '-x'",
	             "The one-letter options are -q -v -y -h -j; see 'dbmigrate help'.");
	dbm_args_free(&a);
	expect_usage(parse(&a, "-\xff", "info", NULL), "unknown option '-\\xff'", NULL);
	dbm_args_free(&a);
}

static void test_args__other_tools_verbs_name_the_command_here(void **state)
{
	static const struct {
		const char *verb, *command;
	} cases[] = {
	    {"up", "'dbmigrate migrate'"},
	    {"upgrade", "'dbmigrate migrate'"},
	    {"down", "'dbmigrate rollback'"},
	    {"undo", "'dbmigrate rollback'"},
	    {"downgrade", "'dbmigrate rollback'"},
	    {"status", "'dbmigrate info'"},
	    {"current", "'dbmigrate info'"},
	    {"history", "'dbmigrate info'"},
	    {"stamp", "'dbmigrate baseline --version V'"},
	    {"force", "'dbmigrate repair'"},
	    {"create", "'dbmigrate new NAME'"},
	};
	struct dbm_args a;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char msg[64];

		snprintf(msg, sizeof(msg), "unknown command '%s'", cases[i].verb);
		expect_usage(parse(&a, cases[i].verb, NULL), msg, NULL);
		if (!strstr(dbm_error_last()->hint, cases[i].command))
			fail_msg("%s: hint '%s' does not name %s", cases[i].verb,
			         dbm_error_last()->hint, cases[i].command);
		dbm_args_free(&a);
	}
	/* a typo still gets the nearest command */
	expect_usage(parse(&a, "rollbak", NULL), "unknown command 'rollbak'",
	             "Did you mean 'rollback'? See 'dbmigrate help'.");
	dbm_args_free(&a);
}

/* -j takes its value from the next argument or the rest of the word, also after bundled flags. */
static void test_args__one_letter_option_with_a_value(void **state)
{
	struct dbm_args a;

	(void)state;
	assert_int_equal(parse(&a, "-j", "8", "migrate", "--targets", "a,b", NULL), 0);
	assert_string_equal(a.cmd->name, "migrate");
	assert_string_equal(setting(&a, "jobs"), "8");
	assert_string_equal(a.args.targets, "a,b");
	dbm_args_free(&a);
	assert_int_equal(parse(&a, "info", "-qj3", NULL), 0);
	assert_string_equal(setting(&a, "jobs"), "3");
	assert_string_equal(setting(&a, "quiet"), "true");
	dbm_args_free(&a);
	assert_int_equal(parse(&a, "migrate", "-qj", "2", "--canary", "1", NULL), 0);
	assert_string_equal(setting(&a, "jobs"), "2");
	assert_int_equal(a.args.canary, 1);
	dbm_args_free(&a);
	expect_usage(parse(&a, "migrate", "-j", NULL), "option '-j' needs a value", "Type '-j N'.");
	dbm_args_free(&a);
	expect_usage(parse(&a, "baseline", "-j", "2", NULL),
	             "option '--jobs' does not apply to command baseline", NULL);
	dbm_args_free(&a);
	expect_usage(parse(&a, "info", "--canary", "1", NULL),
	             "option '--canary' does not apply to command info", NULL);
	dbm_args_free(&a);
}

static void test_args__options_anywhere_and_values_checked(void **state)
{
	struct dbm_args a;

	(void)state;
	assert_int_equal(
	    parse(&a, "--steps", "2", "--url", "sqlite:x.db", "rollback", "--dry-run", NULL), 0);
	assert_string_equal(a.cmd->name, "rollback");
	assert_int_equal(a.args.steps, 2);
	assert_int_equal(a.args.dry_run, 1);
	assert_string_equal(setting(&a, "url"), "sqlite:x.db");
	assert_int_equal(a.given, DBM_OPT_STEPS | DBM_OPT_DRY_RUN);
	dbm_args_free(&a);
	assert_int_equal(parse(&a, "--color=never", "migrate", "--color", "always", NULL), 0);
	assert_string_equal(a.color, "always");
	dbm_args_free(&a);
	expect_usage(parse(&a, "info", "--color=alway", NULL),
	             "--color: 'alway' is not auto, always or never", NULL);
	dbm_args_free(&a);
	expect_usage(parse(&a, "info", "--color=", NULL),
	             "--color: '' is not auto, always or never", NULL);
	dbm_args_free(&a);
	assert_int_equal(parse(&a, "migrate", "--target", "latest", "--out-of-order", NULL), 0);
	assert_string_equal(a.args.target, "latest");
	assert_string_equal(setting(&a, "out_of_order"), "true");
	dbm_args_free(&a);
	expect_usage(parse(&a, "rollback", "--steps", "0", NULL),
	             "--steps: expected a whole number above 0, got '0'", NULL);
	dbm_args_free(&a);
	expect_usage(parse(&a, "rollback", "--to", "x1", NULL), "--to: 'x1' is not a version",
	             NULL);
	dbm_args_free(&a);
	expect_usage(parse(&a, "rollback", "--steps", "1", "--to", "1", NULL),
	             "--steps and --to cannot be used together", NULL);
	dbm_args_free(&a);
	expect_usage(parse(&a, "info", "--steps", "1", NULL),
	             "option '--steps' does not apply to command info",
	             "See 'dbmigrate help info' for its options.");
	dbm_args_free(&a);
	expect_usage(parse(&a, "--dry-run", NULL), "option '--dry-run' goes with a command", NULL);
	dbm_args_free(&a);
	expect_usage(parse(&a, "info", "--url", NULL), "option '--url' needs a value",
	             "Type '--url URL'.");
	dbm_args_free(&a);
	expect_usage(parse(&a, "info", "--json=yes", NULL), "option '--json' takes no value", NULL);
	dbm_args_free(&a);
	expect_usage(parse(&a, "info", "--jsno", NULL), "unknown option '--jsno'",
	             "Did you mean '--json'? See 'dbmigrate help info'.");
	dbm_args_free(&a);
}

static void test_args__arguments_new_and_double_dash(void **state)
{
	struct dbm_args a;

	(void)state;
	expect_usage(parse(&a, "new", NULL), "new needs a NAME",
	             "For example: dbmigrate new add_email_to_users");
	dbm_args_free(&a);
	assert_int_equal(parse(&a, "new", "--", "-odd-name", NULL), 0);
	assert_string_equal(a.args.name, "-odd-name");
	dbm_args_free(&a);
	assert_int_equal(parse(&a, "new", "", NULL), 0);
	assert_string_equal(a.args.name, "");
	dbm_args_free(&a);
	expect_usage(parse(&a, "new", "a", "b", NULL), "unexpected argument 'b'",
	             "'dbmigrate new' takes one NAME; quote it when it has spaces.");
	dbm_args_free(&a);
	/* a URL typed in the wrong place never shows its password */
	expect_usage(parse(&a, "migrate", "postgres://u:s3cret@h/db", NULL),
	             "unexpected argument 'postgres://u:***@h/db'", NULL);
	dbm_args_free(&a);
	expect_usage(parse(&a, "mysql://root:s3cret@h/db", NULL),
	             "unknown command 'mysql://root:***@h/db'", NULL);
	dbm_args_free(&a);
	assert_int_equal(parse(&a, NULL), 0);
	assert_null(a.cmd);
	dbm_args_free(&a);
}

/* Every option of every command in the table parses where it belongs, and only there. */
static void test_args__every_option_of_the_table_parses(void **state)
{
	size_t c, o;

	(void)state;
	for (c = 0; dbm_commands[c].name; c++) {
		const struct dbm_command *cmd = &dbm_commands[c];

		for (o = 0; dbm_options[o].name; o++) {
			const struct dbm_option *opt = &dbm_options[o];
			struct dbm_args a;
			char flag[64];
			const char *value =
			    opt->kind == DBM_OPTK_COUNT                                     ? "2"
			    : opt->kind == DBM_OPTK_VERSION || opt->kind == DBM_OPTK_TARGET ? "2"
			                                                                    : "x";
			char word[32];
			int r;

			if (opt->values) {
				/* an option with known words takes the first of them */
				snprintf(word, sizeof(word), "%.*s", (int)strcspn(opt->values, " "),
				         opt->values);
				value = word;
			}
			snprintf(flag, sizeof(flag), "--%s", opt->name);
			if (dbm_option_find(cmd, opt->name, strlen(opt->name)) != opt)
				continue; /* the global option of that name applies instead */
			r = opt->arg ? parse(&a, cmd->name, flag, value, "NAME", NULL)
			             : parse(&a, cmd->name, flag, "NAME", NULL);
			if (cmd->args == NULL) {
				dbm_args_free(&a);
				r = opt->arg ? parse(&a, cmd->name, flag, value, NULL)
				             : parse(&a, cmd->name, flag, NULL);
			}
			if (dbm_command_takes(cmd, opt) && r != 0)
				fail_msg("%s %s: %s", cmd->name, flag, dbm_error_last()->message);
			if (!dbm_command_takes(cmd, opt) && r != DBM_ERR_USAGE)
				fail_msg("%s %s accepted", cmd->name, flag);
			if (r == 0 && opt->bit)
				assert_true(a.given & opt->bit);
			dbm_args_free(&a);
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_args__version_before_a_command_prints_the_version_not_runs_it),
	    cmocka_unit_test(test_args__a_flag_repeated_70_times_is_kept_once),
	    cmocka_unit_test(test_args__help_in_every_form),
	    cmocka_unit_test(test_args__one_dash_long_options_say_what_to_type),
	    cmocka_unit_test(test_args__other_tools_verbs_name_the_command_here),
	    cmocka_unit_test(test_args__options_anywhere_and_values_checked),
	    cmocka_unit_test(test_args__one_letter_option_with_a_value),
	    cmocka_unit_test(test_args__arguments_new_and_double_dash),
	    cmocka_unit_test(test_args__every_option_of_the_table_parses),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
