/*
 * args.h - the command line as the user typed it, checked against the
 * command table (cmd.h) and turned into a command, its arguments and the
 * configuration flags main.c hands to dbm_config_load().
 *
 * Global options go anywhere, before or after the command word; a command's
 * own options too. '--' ends the options. Nothing here prints or reads a
 * file: main.c and the unit tests call it.
 */
#ifndef DBM_ARGS_H
#define DBM_ARGS_H

#include "cmd/cmd.h"

struct dbm_args {
	const struct dbm_command *cmd; /* the command, or the topic of 'help CMD'; NULL: none */
	struct dbm_setting *settings;  /* options that are configuration keys, in order (owned) */
	size_t nsettings;
	size_t asettings;
	struct dbm_cmd_args args; /* borrowed from argv */
	unsigned given;           /* DBM_OPT_* seen */
	int help;                 /* --help, -h or 'help [CMD]' */
	int version;              /* --version as a flag: print the version, run nothing */
	const char *color;        /* --color WHEN: "auto", "always" or "never"; NULL: not given */
};

#define DBM_ARGS_INIT                                                                              \
	{                                                                                          \
		.cmd = NULL                                                                        \
	}

/*
 * Parses argv[1..argc-1] into a (which the caller sets to DBM_ARGS_INIT and
 * frees with dbm_args_free whatever the result). Returns 0; DBM_ERR_USAGE
 * with the message and a hint saying what to type for an unknown command
 * or option, a missing or bad value, an option the command does not take,
 * a missing or extra argument; DBM_ERR_NOMEM. With help or version set the
 * command's required argument may be missing.
 */
int dbm_args_parse(struct dbm_args *a, int argc, char *const *argv);
void dbm_args_free(struct dbm_args *a);

/*
 * What dbmigrate calls the verb another migration tool uses ("up" ->
 * "migrate"): a full sentence for a hint, or NULL when word is no such verb.
 */
const char *dbm_args_other_tool(const char *word);

#endif /* DBM_ARGS_H */
