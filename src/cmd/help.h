/*
 * help.h - the help texts and the completion scripts' data, written from
 * the command table (cmd.h) so they cannot drift from what the parser
 * accepts. Called by main.c ('dbmigrate help', '--help') and by the build's
 * completion generator.
 */
#ifndef DBM_HELP_H
#define DBM_HELP_H

#include <stdio.h>

#include "cmd/cmd.h"

/* The usage of dbmigrate: every command, every global option, the exit codes. */
void dbm_help_usage(FILE *f);
/* The usage of one command: synopsis, what it does, its options, what it needs. */
void dbm_help_command(FILE *f, const struct dbm_command *cmd);

/*
 * The table as data for a completion script of shell ("bash", "zsh" or
 * "fish"): shell variables for bash and zsh, 'complete' lines for fish.
 * Returns 0, or -1 for an unknown shell.
 */
int dbm_help_completion(FILE *f, const char *shell);

#endif /* DBM_HELP_H */
