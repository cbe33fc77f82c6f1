/*
 * main.c - the command line: parse it against the command table (cmd/args.c),
 * answer help and --version, load the configuration when the command needs
 * it, run the command, and turn its error into the exit code.
 *
 * Exit codes: 0 success, 1 failure while running, 2 usage or configuration
 * error, 3 validation failed, 4 lock not acquired.
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/args.h"
#include "cmd/cmd.h"
#include "cmd/help.h"
#include "dbmigrate/common.h"
#include "dbmigrate/config.h"
#include "output/output.h"
#include "runner/runner.h"

extern char **environ;

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

/*
 * --json on the command line (before any '--') or in the environment, before
 * the configuration is read: so that even a line the parser refuses gets
 * its error as JSON. Returns 1 or 0.
 */
static int main_early_json(int argc, char **argv)
{
	const char *v = getenv("DBMIGRATE_JSON");
	int i;

	for (i = 1; i < argc && strcmp(argv[i], "--") != 0; i++)
		if (strcmp(argv[i], "--json") == 0)
			return 1;
	return v && (strcmp(v, "true") == 0 || strcmp(v, "1") == 0);
}

/*
 * Prints what reading the configuration has to say (which Flyway file was
 * read, settings ignored): "warning: " lines as warnings, others as notes
 * on stderr; nothing with --quiet.
 */
static void main_notes(const struct dbm_config *cfg)
{
	const char *p = cfg->notes;

	while (p && *p) {
		const char *nl = strchr(p, '\n');
		int len = (int)(nl ? nl - p : (ptrdiff_t)strlen(p));

		if (strncmp(p, "warning: ", 9) == 0)
			dbm_out_warn("%.*s", len - 9, p + 9);
		else if (!cfg->quiet)
			fprintf(stderr, "dbmigrate: %.*s\n", len, p);
		p = nl ? nl + 1 : p + len;
	}
}

/* An option that needs a fleet, given without one. Returns DBM_ERR_USAGE. */
static int main_no_fleet(const char *option)
{
	dbm_error_set(DBM_ERR_USAGE, "%s goes with a fleet of targets", option);
	dbm_error_set_hint("List the targets under 'targets:' in the config file, or name a file "
	                   "of them with --targets-file.");
	return DBM_ERR_USAGE;
}

/*
 * Runs the parsed command. Returns an error class (0 on success); the error
 * is printed. *fleet_code is the exit code of a fleet run (the worst of its
 * targets'), else left as it was.
 */
static int main_run(const struct dbm_args *a, int *fleet_code)
{
	const struct dbm_command *cmd = a->cmd;
	struct dbm_config cfg;
	int r = 0;

	main_signals();
	memset(&cfg, 0, sizeof(cfg));
	/* A command that needs nothing answers even where the configuration is broken. */
	if (cmd->needs & DBM_NEEDS_CONFIG) {
		r = dbm_config_load(&cfg, a->settings, a->nsettings, environ);
		if (r == 0)
			dbm_out_init(cfg.json, cfg.quiet, cfg.verbose);
		if (r == 0 && cfg.notes)
			main_notes(&cfg);
	}
	if (r == 0 && (cmd->options & DBM_OPT_FLEET) && dbm_fleet_wanted(&cfg, &a->args))
		r = dbm_fleet_run(&cfg, cmd, &a->args, fleet_code);
	else if (r == 0 && a->args.canary)
		r = main_no_fleet("--canary");
	else if (r == 0)
		r = cmd->run(&cfg, &a->args);
	if (r < 0)
		dbm_out_error(cmd->name);
	dbm_config_free(&cfg);
	return r;
}

int main(int argc, char **argv)
{
	struct dbm_args a = DBM_ARGS_INIT;
	int r, fleet_code = -1;

	r = dbm_args_parse(&a, argc, argv);
	dbm_out_init(main_early_json(argc, argv), 0, 0);
	if (a.color)
		dbm_out_set_color(a.color);
	if (r < 0) {
		dbm_out_error(a.cmd ? a.cmd->name : NULL);
	} else if (a.version) {
		/* Like git: 'dbmigrate --version migrate' prints the version, runs nothing. */
		a.cmd = dbm_command_find("version");
		r = main_run(&a, &fleet_code);
	} else if (a.help) {
		if (a.cmd)
			dbm_help_command(stdout, a.cmd);
		else
			dbm_help_usage(stdout);
	} else if (!a.cmd) {
		dbm_help_usage(stderr);
		r = DBM_ERR_USAGE;
	} else {
		r = main_run(&a, &fleet_code);
	}
	dbm_args_free(&a);
	return fleet_code >= 0 ? fleet_code : main_exit_code(r);
}
