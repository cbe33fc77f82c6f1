/*
 * main.c - the command line: global options anywhere, the command table,
 * configuration loading, and the one place that turns errors into exit codes.
 *
 * Exit codes: 0 success (also nothing to do), 1 failure while running, 2
 * usage or configuration error, 3 validation failed, 4 lock not acquired.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cmd.h"
#include "dbmigrate/common.h"
#include "dbmigrate/config.h"
#include "dbmigrate/version.h"
#include "output/output.h"
#include "runner/runner.h"

extern char **environ;

const struct dbm_command dbm_commands[] = {
	{ "migrate", "apply pending migrations, then changed repeatables",
	  DBM_OPT_TARGET | DBM_OPT_DRY_RUN | DBM_OPT_OUT_OF_ORDER | DBM_OPT_BASELINE_ON_MIGRATE,
	  dbm_cmd_migrate },
	{ "rollback", "undo applied versions with their rollback/ scripts, newest first",
	  DBM_OPT_STEPS | DBM_OPT_TO | DBM_OPT_DRY_RUN, dbm_cmd_rollback },
	{ "info", "list every migration with its state", DBM_OPT_TARGET | DBM_OPT_OUT_OF_ORDER,
	  dbm_cmd_info },
	{ "validate", "compare the applied history with the files", DBM_OPT_OUT_OF_ORDER,
	  dbm_cmd_validate },
	{ "baseline", "mark an existing database as being at a version",
	  DBM_OPT_VERSION | DBM_OPT_DESCRIPTION, dbm_cmd_baseline },
	{ "repair", "remove failed rows, realign checksums, mark missing files deleted",
	  DBM_OPT_DRY_RUN, dbm_cmd_repair },
	{ "clean", "drop every object in the managed schema (guarded)", 0, dbm_cmd_clean },
	{ "new", "create the next migration and its undo script", DBM_OPT_NAME, dbm_cmd_new },
	{ "version", "print the version and the compiled-in drivers", 0, dbm_cmd_version },
	{ "dump", "print the live schema as SQL that recreates it", DBM_OPT_OUTPUT, dbm_cmd_dump },
	{ "diff", "compare two schemas object by object (exit 3 when they differ)",
	  DBM_OPT_FROM | DBM_OPT_TO | DBM_OPT_SHADOW, dbm_cmd_diff },
	{ NULL, NULL, 0, NULL }
};

struct main_option {
	const char *name;  /* without "--" */
	const char *key;   /* config key, or NULL for a command option */
	int value;         /* takes a value */
	unsigned cmd_opt;  /* DBM_OPT_* for command options */
};

static const struct main_option main_options[] = {
	{ "url", "url", 1, 0 },
	{ "config", "config", 1, 0 },
	{ "env", "env", 1, 0 },
	{ "migrations", "migrations", 1, 0 },
	{ "rollback", "rollback", 1, 0 },
	{ "table", "table", 1, 0 },
	{ "schema", "schema", 1, 0 },
	{ "lock-timeout", "lock_timeout", 1, 0 },
	{ "connect-retries", "connect_retries", 1, 0 },
	{ "placeholder", "placeholder", 1, 0 },
	{ "json", "json", 0, 0 },
	{ "quiet", "quiet", 0, 0 },
	{ "verbose", "verbose", 0, 0 },
	{ "yes", "yes", 0, 0 },
	{ "help", NULL, 0, 0 },
	{ "out-of-order", "out_of_order", 0, DBM_OPT_OUT_OF_ORDER },
	{ "baseline-on-migrate", "baseline_on_migrate", 0, DBM_OPT_BASELINE_ON_MIGRATE },
	{ "target", NULL, 1, DBM_OPT_TARGET },
	{ "dry-run", NULL, 0, DBM_OPT_DRY_RUN },
	{ "steps", NULL, 1, DBM_OPT_STEPS },
	{ "to", NULL, 1, DBM_OPT_TO },
	{ "version", NULL, 1, DBM_OPT_VERSION },
	{ "description", NULL, 1, DBM_OPT_DESCRIPTION },
	{ "schema-file", "schema_file", 1, 0 },
	{ "output", NULL, 1, DBM_OPT_OUTPUT },
	{ "from", NULL, 1, DBM_OPT_FROM },
	{ "shadow", NULL, 1, DBM_OPT_SHADOW },
	{ NULL, NULL, 0, 0 }
};

static void main_usage(FILE *f)
{
	size_t i;

	fprintf(f, "usage: dbmigrate [global options] <command> [options]\n\ncommands:\n");
	for (i = 0; dbm_commands[i].name; i++)
		fprintf(f, "  %-10s %s\n", dbm_commands[i].name, dbm_commands[i].summary);
	fprintf(f, "\nglobal options (also in dbmigrate.yml and as DBMIGRATE_<NAME>):\n"
		   "  --url URL              database (default sqlite:dbmigrate.db)\n"
		   "  --config FILE          configuration file (default ./dbmigrate.yml)\n"
		   "  --env NAME             environment from the configuration file\n"
		   "  --migrations DIR       versioned and repeatable scripts (default migrations)\n"
		   "  --rollback DIR         undo scripts (default rollback)\n"
		   "  --table NAME           history table (default schema_history)\n"
		   "  --schema NAME          schema of the history table and the migrations\n"
		   "  --lock-timeout SECONDS wait for another runner (default 60)\n"
		   "  --connect-retries N    retry connecting with backoff\n"
		   "  --placeholder KEY=VALUE  value for ${KEY} in scripts (repeatable)\n"
		   "  --schema-file FILE     write the schema dump here after each change\n"
		   "  --json --quiet --verbose --yes --help\n"
		   "\nmigrate:  --target V --dry-run --out-of-order --baseline-on-migrate\n"
		   "rollback: --steps N (default 1) --to V (0 = all) --dry-run\n"
		   "baseline: --version V (default 1) --description TEXT\n"
		   "repair:   --dry-run\n"
		   "dump:     --output FILE\n"
		   "diff:     --from URL --to URL | --shadow URL|auto\n"
		   "new NAME\n"
		   "\nexit codes: 0 success, 1 failure while running, 2 usage or configuration, "
		   "3 validation failed, 4 lock not acquired\n");
}

static const struct main_option *main_find_option(const char *name, size_t len)
{
	size_t i;

	for (i = 0; main_options[i].name; i++)
		if (strlen(main_options[i].name) == len &&
		    strncmp(main_options[i].name, name, len) == 0)
			return &main_options[i];
	return NULL;
}

static const struct dbm_command *main_find_command(const char *name)
{
	size_t i;

	for (i = 0; dbm_commands[i].name; i++)
		if (strcmp(dbm_commands[i].name, name) == 0)
			return &dbm_commands[i];
	return NULL;
}

/* The nearest of the candidates to word, or NULL when none is close. */
static const char *main_nearest(const char *word, const char *const *cands, size_t n)
{
	const char *best = NULL;
	size_t bestd = (size_t)-1, i;

	for (i = 0; i < n; i++) {
		size_t d = dbm_edit_distance(word, cands[i]);

		if (d < bestd) {
			bestd = d;
			best = cands[i];
		}
	}
	return bestd <= 3 ? best : NULL;
}

/*
 * Sets DBM_ERR_USAGE "unknown <what> '<prefix><word>'" with a "did you mean"
 * hint when one of the n candidates is close. Returns DBM_ERR_USAGE.
 */
static int main_unknown(const char *what, const char *prefix, const char *word,
			const char *const *cands, size_t n)
{
	const char *near = main_nearest(word, cands, n);

	dbm_error_set(DBM_ERR_USAGE, "unknown %s '%s%s'", what, prefix, word);
	if (near)
		dbm_error_set_hint("Did you mean '%s%s'? See 'dbmigrate --help'.", prefix, near);
	else
		dbm_error_set_hint("See 'dbmigrate --help' for the %ss.", what);
	return DBM_ERR_USAGE;
}

static int main_unknown_option(const char *arg, size_t len)
{
	const char *names[DBM_ARRAY_SIZE(main_options)];
	char word[128];
	size_t i;

	for (i = 0; main_options[i].name; i++)
		names[i] = main_options[i].name;
	snprintf(word, sizeof(word), "%.*s", (int)len, arg);
	return main_unknown("option", "--", word, names, i);
}

static int main_unknown_command(const char *word)
{
	const char *names[DBM_ARRAY_SIZE(dbm_commands)];
	size_t i;

	for (i = 0; dbm_commands[i].name; i++)
		names[i] = dbm_commands[i].name;
	return main_unknown("command", "", word, names, i);
}

/* Whole number > 0 in s, else DBM_ERR_USAGE naming the option. */
static int main_positive(const char *opt, const char *s, int *out)
{
	char *end;
	long v = strtol(s, &end, 10);

	if (!*s || *end || v <= 0 || v > 1000000) {
		dbm_error_set(DBM_ERR_USAGE, "--%s: expected a whole number above 0, got '%s'", opt, s);
		return DBM_ERR_USAGE;
	}
	*out = (int)v;
	return 0;
}

static int main_check_version(const char *opt, const char *v)
{
	if (dbm_version_valid(v))
		return 0;
	dbm_error_set(DBM_ERR_USAGE, "--%s: '%s' is not a version", opt, v);
	dbm_error_set_hint("A version is digits separated by '.' or '_', such as 3 or 2.1.");
	return DBM_ERR_USAGE;
}

struct main_parsed {
	const struct dbm_command *cmd;
	struct dbm_setting settings[64];
	size_t nsettings;
	struct dbm_cmd_args args;
	unsigned given;  /* DBM_OPT_* seen */
	int help;
	int version_flag; /* a bare --version with no command */
};

/* The command word: the first argument that is not an option or an option's value. */
static const char *main_command_word(int argc, char **argv)
{
	int i;

	for (i = 1; i < argc; i++) {
		const char *a = argv[i];
		const struct main_option *o;

		if (strcmp(a, "--") == 0)
			return i + 1 < argc ? argv[i + 1] : NULL;
		if (a[0] != '-' || a[1] == '\0')
			return a;
		if (a[1] != '-')
			continue;
		o = main_find_option(a + 2, strcspn(a + 2, "="));
		if (o && o->value && !strchr(a, '=') && strcmp(o->name, "version") != 0)
			i++;
	}
	return NULL;
}

static int main_parse(int argc, char **argv, struct main_parsed *p)
{
	const char *word = main_command_word(argc, argv);
	int i, seen_cmd = 0, only_positional = 0;

	memset(p, 0, sizeof(*p));
	if (word) {
		p->cmd = main_find_command(word);
		if (!p->cmd && strcmp(word, "help") != 0)
			return main_unknown_command(word);
		if (!p->cmd)
			p->help = 1;
	}
	for (i = 1; i < argc; i++) {
		const char *a = argv[i];
		const struct main_option *o;
		const char *value = NULL;
		size_t len;

		if (!a)
			break;
		if (!only_positional && strcmp(a, "--") == 0) {
			only_positional = 1;
			continue;
		}
		if (only_positional || a[0] != '-' || a[1] == '\0') {
			if (!seen_cmd) {
				seen_cmd = 1;
				continue;
			}
			if (p->cmd && (p->cmd->options & DBM_OPT_NAME) && !p->args.name) {
				p->args.name = a;
				continue;
			}
			return dbm_error_set(DBM_ERR_USAGE, "unexpected argument '%s'", a);
		}
		if (strcmp(a, "-h") == 0) {
			p->help = 1;
			continue;
		}
		if (strcmp(a, "-q") == 0 || strcmp(a, "-v") == 0 || strcmp(a, "-y") == 0) {
			const char *key = a[1] == 'q' ? "quiet" : a[1] == 'v' ? "verbose" : "yes";

			p->settings[p->nsettings].key = key;
			p->settings[p->nsettings++].value = "true";
			continue;
		}
		if (a[1] != '-')
			return main_unknown_option(a + 1, strlen(a + 1));
		len = strcspn(a + 2, "=");
		o = main_find_option(a + 2, len);
		if (!o)
			return main_unknown_option(a + 2, len);
		if (strcmp(o->name, "version") == 0 && (!p->cmd || p->cmd->run != dbm_cmd_baseline)) {
			p->version_flag = 1;
			continue;
		}
		if (strcmp(o->name, "help") == 0) {
			p->help = 1;
			continue;
		}
		if (o->value) {
			if (a[2 + len] == '=')
				value = a + 3 + len;
			else if (i + 1 < argc)
				value = argv[++i];
			else
				return dbm_error_set(DBM_ERR_USAGE, "option '--%s' needs a value",
						     o->name);
		} else if (a[2 + len] == '=') {
			return dbm_error_set(DBM_ERR_USAGE, "option '--%s' takes no value", o->name);
		}
		if (o->cmd_opt) {
			if (!p->cmd || !(p->cmd->options & o->cmd_opt)) {
				dbm_error_set(DBM_ERR_USAGE, "option '--%s' does not apply to %s%s",
					      o->name, p->cmd ? "command " : "",
					      p->cmd ? p->cmd->name : "this use");
				dbm_error_set_hint("See 'dbmigrate --help' for each command's options.");
				return DBM_ERR_USAGE;
			}
			p->given |= o->cmd_opt;
		}
		if (o->key) {
			if (p->nsettings >= DBM_ARRAY_SIZE(p->settings))
				return dbm_error_set(DBM_ERR_USAGE, "too many options");
			p->settings[p->nsettings].key = o->key;
			p->settings[p->nsettings++].value = value ? value : "true";
			continue;
		}
		switch (o->cmd_opt) {
		case DBM_OPT_TARGET:
			p->args.target = value;
			break;
		case DBM_OPT_DRY_RUN:
			p->args.dry_run = 1;
			break;
		case DBM_OPT_STEPS:
			if (main_positive("steps", value, &p->args.steps) < 0)
				return DBM_ERR_USAGE;
			break;
		case DBM_OPT_TO:
			p->args.to = value;
			break;
		case DBM_OPT_VERSION:
			p->args.version = value;
			break;
		case DBM_OPT_DESCRIPTION:
			p->args.description = value;
			break;
		case DBM_OPT_OUTPUT:
			p->args.output = value;
			break;
		case DBM_OPT_FROM:
			p->args.from = value;
			break;
		case DBM_OPT_SHADOW:
			p->args.shadow = value;
			break;
		default:
			break;
		}
	}
	if (p->args.target && strcmp(p->args.target, "latest") != 0 &&
	    strcmp(p->args.target, "current") != 0 && main_check_version("target", p->args.target) < 0)
		return DBM_ERR_USAGE;
	if (p->args.to && p->cmd->run != dbm_cmd_diff && main_check_version("to", p->args.to) < 0)
		return DBM_ERR_USAGE;
	if (p->args.version && main_check_version("version", p->args.version) < 0)
		return DBM_ERR_USAGE;
	if (p->args.to && p->args.steps)
		return dbm_error_set(DBM_ERR_USAGE, "--steps and --to cannot be used together");
	return 0;
}

static int main_exit_code(int klass)
{
	return dbm_exit_code(klass);
}

/*
 * SIGINT, SIGTERM and SIGPIPE stop the run between statements and cancel
 * the running one, so that the error says what was applied and the lock is
 * released (runner/interrupt.c). Before any other thread starts.
 */
static void main_signals(void)
{
	dbm_interrupt_setup();
}

/* --json given on the command line or in the environment, before the config is read. */
static int main_early_json(const struct main_parsed *p)
{
	const char *v = getenv("DBMIGRATE_JSON");
	size_t i;

	for (i = 0; i < p->nsettings; i++)
		if (strcmp(p->settings[i].key, "json") == 0)
			return 1;
	return v && (strcmp(v, "true") == 0 || strcmp(v, "1") == 0);
}

int main(int argc, char **argv)
{
	struct main_parsed p;
	struct dbm_config cfg;
	const char *name;
	int r;

	main_signals();
	memset(&cfg, 0, sizeof(cfg));
	r = main_parse(argc, argv, &p);
	dbm_out_init(r == 0 && main_early_json(&p), 0, 0);
	if (r < 0) {
		dbm_out_error(NULL);
		return main_exit_code(r);
	}
	if (p.help) {
		main_usage(stdout);
		return 0;
	}
	if (!p.cmd && p.version_flag)
		p.cmd = main_find_command("version");
	if (!p.cmd) {
		main_usage(stderr);
		return 2;
	}
	name = p.cmd->name;
	if (p.cmd->run == dbm_cmd_new && !p.args.name) {
		dbm_error_set(DBM_ERR_USAGE, "new needs a NAME");
		dbm_error_set_hint("For example: dbmigrate new add_email_to_users");
		dbm_out_error(name);
		return 2;
	}
	if (p.cmd->run == dbm_cmd_version) {
		/* Answers even where the configuration is broken. */
		r = p.cmd->run(&cfg, &p.args);
		if (r < 0)
			dbm_out_error(name);
		return main_exit_code(r);
	}
	r = dbm_config_load(&cfg, p.settings, p.nsettings, environ);
	if (r == 0) {
		dbm_out_init(cfg.json, cfg.quiet, cfg.verbose);
		r = p.cmd->run(&cfg, &p.args);
	}
	if (r < 0)
		dbm_out_error(name);
	dbm_config_free(&cfg);
	return main_exit_code(r);
}
