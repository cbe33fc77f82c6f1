/*
 * fuzz_argv.c - libFuzzer entry point for the command-line parser
 * (cmd/args.c) over the real command table, and the help it prints.
 *
 * The input is split at NUL bytes into up to 300 arguments. The parser must
 * return 0 or a usage error with a message and a hint; on success every
 * setting has a key and a value, a command's required argument is there
 * unless help or --version was asked, --steps is above 0, and --steps with
 * --to never both pass. The help of the command found (or the usage) is
 * printed to /dev/null. Anything else aborts.
 *
 * Build and run: scripts/fuzz.sh argv (see docs/reliability.md). The build
 * links stand-ins for the commands' functions, which the parser never calls.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/args.h"
#include "cmd/help.h"
#include "dbmigrate/common.h"

#define FUZZ_MAX_ARGS 300

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static FILE *devnull;
	char *copy = malloc(size + 1);
	char *argv[FUZZ_MAX_ARGS + 2];
	struct dbm_args a = DBM_ARGS_INIT;
	int argc = 0, r;
	size_t i, start = 0;

	if (!copy)
		return 0;
	if (!devnull)
		devnull = fopen("/dev/null", "w");
	memcpy(copy, data, size);
	copy[size] = '\0';
	argv[argc++] = (char *)"dbmigrate";
	for (i = 0; i <= size && argc <= FUZZ_MAX_ARGS; i++) {
		if (i == size || copy[i] == '\0') {
			argv[argc++] = copy + start;
			start = i + 1;
		}
	}
	argv[argc] = NULL;
	dbm_error_clear();
	r = dbm_args_parse(&a, argc, argv);
	if (r == DBM_ERR_USAGE) {
		if (!dbm_error_last()->message[0] || !dbm_error_last()->hint[0])
			abort();
	} else if (r == 0) {
		for (i = 0; i < a.nsettings; i++)
			if (!a.settings[i].key || !a.settings[i].value)
				abort();
		if (a.cmd && a.cmd->args && !a.args.name && !a.help && !a.version)
			abort();
		if (a.args.steps < 0 || (a.args.steps && a.args.to && !a.help && !a.version))
			abort();
		if (devnull) {
			if (a.cmd)
				dbm_help_command(devnull, a.cmd);
			else
				dbm_help_usage(devnull);
		}
	} else if (r != DBM_ERR_NOMEM) {
		abort();
	}
	dbm_args_free(&a);
	free(copy);
	return 0;
}
