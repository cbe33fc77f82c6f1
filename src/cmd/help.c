/*
 * help.c - 'dbmigrate help', 'dbmigrate help <command>', '<command> --help'
 * and the data of the completion scripts, all from the command table.
 */
#include <stdio.h>
#include <string.h>

#include "cmd/help.h"

#define HELP_WIDTH 78

/* Writes text wrapped at HELP_WIDTH columns, each line after indent spaces. */
static void help_wrap(FILE *f, const char *text, int indent)
{
	int col = 0;

	while (*text) {
		size_t len = strcspn(text, " ");

		if (col > 0 && col + 1 + (int)len > HELP_WIDTH) {
			fputc('\n', f);
			col = 0;
		}
		if (col == 0) {
			fprintf(f, "%*s", indent, "");
			col = indent;
		} else {
			fputc(' ', f);
			col++;
		}
		fwrite(text, 1, len, f);
		col += (int)len;
		text += len;
		while (*text == ' ')
			text++;
	}
	if (col > 0)
		fputc('\n', f);
}

/* One option's line: "  -q, --quiet            errors only". */
static void help_option(FILE *f, const struct dbm_option *o)
{
	char left[64];

	if (o->short_name)
		snprintf(left, sizeof(left), "-%c, --%s%s%s", o->short_name, o->name,
		         o->arg ? " " : "", o->arg ? o->arg : "");
	else
		snprintf(left, sizeof(left), "    --%s%s%s", o->name, o->arg ? " " : "",
		         o->arg ? o->arg : "");
	if (strlen(left) > 26)
		fprintf(f, "  %s\n  %-26s  %s\n", left, "", o->help);
	else
		fprintf(f, "  %-26s  %s\n", left, o->help);
}

void dbm_help_usage(FILE *f)
{
	size_t i;

	fprintf(f, "usage: dbmigrate [global options] <command> [options]\n\ncommands:\n");
	for (i = 0; dbm_commands[i].name; i++)
		fprintf(f, "  %-10s %s\n", dbm_commands[i].name, dbm_commands[i].summary);
	fprintf(f, "  %-10s %s\n", "help", "show this, or a command's options (help <command>)");
	fprintf(f, "\nglobal options (settings among them are also keys of dbmigrate.yml and "
	           "DBMIGRATE_<NAME>\nvariables):\n");
	for (i = 0; dbm_options[i].name; i++)
		if (!dbm_options[i].bit)
			help_option(f, &dbm_options[i]);
	fprintf(f, "\n'dbmigrate help <command>' or 'dbmigrate <command> --help' shows a command's "
	           "own options.\n"
	           "\nexit codes: 0 success, 1 failure while running, 2 usage or configuration, "
	           "3 validation failed, 4 lock not acquired\n");
}

void dbm_help_command(FILE *f, const struct dbm_command *cmd)
{
	static const struct {
		unsigned bit;
		const char *text;
	} needs[] = {
	    {DBM_NEEDS_CONFIG, "the configuration"},
	    {DBM_NEEDS_FILES, "the migration files"},
	    {DBM_NEEDS_CONNECT, "a connection"},
	    {DBM_NEEDS_LOCK, "the runner lock"},
	    {DBM_NEEDS_HISTORY, "the history table (created when missing)"},
	};
	size_t i;
	int first = 1;

	fprintf(f, "usage: dbmigrate %s%s%s%s\n\n", cmd->name, cmd->options ? " [options]" : "",
	        cmd->args ? " " : "", cmd->args ? cmd->args : "");
	help_wrap(f, cmd->about, 0);
	if (cmd->options) {
		fprintf(f, "\noptions:\n");
		for (i = 0; dbm_options[i].name; i++)
			if (dbm_options[i].bit & cmd->options)
				help_option(f, &dbm_options[i]);
	}
	fprintf(f, "\nneeds: ");
	for (i = 0; i < sizeof(needs) / sizeof(needs[0]); i++) {
		if (!(cmd->needs & needs[i].bit))
			continue;
		fprintf(f, "%s%s", first ? "" : ", ", needs[i].text);
		first = 0;
	}
	fprintf(f,
	        "%s\nexample: %s\n\nGlobal options (--url, --config, --env, --json ...) work "
	        "too: see 'dbmigrate help'.\n",
	        first ? "nothing" : "", cmd->example);
}

/* s in single quotes for bash, zsh and fish: ' becomes '\'' (fish: \'). */
static void help_quote(FILE *f, const char *s, int fish)
{
	fputc('\'', f);
	for (; *s; s++) {
		if (*s == '\'')
			fputs(fish ? "\\'" : "'\\''", f);
		else if (fish && *s == '\\')
			fputs("\\\\", f);
		else
			fputc(*s, f);
	}
	fputc('\'', f);
}

/* A shell variable name: the command or option name with '-' as '_'. */
static void help_varname(FILE *f, const char *prefix, const char *name)
{
	fputs(prefix, f);
	for (; *name; name++)
		fputc(*name == '-' ? '_' : *name, f);
}

/* Options (global when cmd is NULL) whose complete is comp (-1: all), as "--a --b". */
static void help_option_words(FILE *f, const struct dbm_command *cmd, int valued, int comp)
{
	size_t i, k;
	int first = 1;

	fputc('\'', f);
	for (i = 0; dbm_options[i].name; i++) {
		const struct dbm_option *o = &dbm_options[i];
		int dup = 0;

		if (cmd ? !(o->bit & cmd->options) : o->bit != 0)
			continue;
		if ((valued && !o->arg) || (comp >= 0 && o->complete != comp))
			continue;
		for (k = 0; k < i; k++)
			if (strcmp(dbm_options[k].name, o->name) == 0 &&
			    (cmd ? (dbm_options[k].bit & cmd->options) != 0 : !dbm_options[k].bit))
				dup = 1;
		if (dup)
			continue;
		fprintf(f, "%s--%s", first ? "" : " ", o->name);
		if (o->short_name && !cmd && comp < 0 && !valued)
			fprintf(f, " -%c", o->short_name);
		first = 0;
	}
	fputs("'\n", f);
}

/*
 * Every value-taking option whose complete is comp (-1: all), as "--a --b":
 * the global ones and the commands' own, but for those named like a global flag.
 */
static void help_valued_any(FILE *f, int comp)
{
	size_t i, k;
	int first = 1;

	fputc('\'', f);
	for (i = 0; dbm_options[i].name; i++) {
		const struct dbm_option *o = &dbm_options[i];
		int dup = 0;

		if (!o->arg || (comp >= 0 && o->complete != comp))
			continue;
		/* a command's option named like a global flag ('baseline --version V') takes a
		   value after its command only: _dbmigrate_valued_<command> has it */
		for (k = 0; dbm_options[k].name; k++)
			if (k != i && strcmp(dbm_options[k].name, o->name) == 0 &&
			    ((k < i && dbm_options[k].arg) ||
			     (!dbm_options[k].bit && !dbm_options[k].arg)))
				dup = 1;
		if (dup)
			continue;
		fprintf(f, "%s--%s", first ? "" : " ", o->name);
		first = 0;
	}
	fputs("'\n", f);
}

/* zsh: "--name:help" of the options of cmd (NULL: global), one a line, and the array's ")". */
static void help_option_help(FILE *f, const struct dbm_command *cmd)
{
	size_t i;

	for (i = 0; dbm_options[i].name; i++) {
		const struct dbm_option *o = &dbm_options[i];
		char line[256];

		if (cmd ? !(o->bit & cmd->options) : o->bit != 0)
			continue;
		snprintf(line, sizeof(line), "--%s:%s", o->name, o->help);
		fputs("  ", f);
		help_quote(f, line, 0);
		fputc('\n', f);
	}
	fputs(")\n", f);
}

/* bash and zsh: plain variables and arrays both shells read. */
static void help_completion_sh(FILE *f, int zsh)
{
	size_t i;

	fputs("_dbmigrate_commands='help", f);
	for (i = 0; dbm_commands[i].name; i++)
		fprintf(f, " %s", dbm_commands[i].name);
	fputs("'\n_dbmigrate_global=", f);
	help_option_words(f, NULL, 0, -1);
	fputs("_dbmigrate_valued=", f);
	help_valued_any(f, -1);
	fputs("_dbmigrate_files=", f);
	help_valued_any(f, DBM_COMP_FILE);
	fputs("_dbmigrate_dirs=", f);
	help_valued_any(f, DBM_COMP_DIR);
	fputs("_dbmigrate_envs=", f);
	help_valued_any(f, DBM_COMP_ENV);
	for (i = 0; dbm_commands[i].name; i++) {
		help_varname(f, "_dbmigrate_opts_", dbm_commands[i].name);
		fputc('=', f);
		help_option_words(f, &dbm_commands[i], 0, -1);
		help_varname(f, "_dbmigrate_valued_", dbm_commands[i].name);
		fputc('=', f);
		help_option_words(f, &dbm_commands[i], 1, -1);
	}
	for (i = 0; dbm_options[i].name; i++) {
		if (dbm_options[i].complete != DBM_COMP_WORDS)
			continue;
		help_varname(f, "_dbmigrate_words_", dbm_options[i].name);
		fputc('=', f);
		help_quote(f, dbm_options[i].values, 0);
		fputc('\n', f);
	}
	if (!zsh)
		return;
	/* zsh shows what each word does: "name:description" with ':' in names escaped. */
	fputs("_dbmigrate_command_help=(\n", f);
	fputs("  'help:show the usage, or a command'\\''s options'\n", f);
	for (i = 0; dbm_commands[i].name; i++) {
		char line[256];

		snprintf(line, sizeof(line), "%s:%s", dbm_commands[i].name,
		         dbm_commands[i].summary);
		fputs("  ", f);
		help_quote(f, line, 0);
		fputc('\n', f);
	}
	/*
	 * The global options' help, then each command's: a name two commands
	 * share (--from, --version) has each one's own help, not the first's.
	 */
	fputs(")\n_dbmigrate_option_help=(\n", f);
	help_option_help(f, NULL);
	for (i = 0; dbm_commands[i].name; i++) {
		help_varname(f, "_dbmigrate_option_help_", dbm_commands[i].name);
		fputs("=(\n", f);
		help_option_help(f, &dbm_commands[i]);
	}
}

/* fish: one 'complete' line per command and option. */
static void help_completion_fish(FILE *f)
{
	size_t i, k;

	fputs("complete -c dbmigrate -n __fish_use_subcommand -f -a help -d "
	      "'show the usage, or a command\\'s options'\n",
	      f);
	fputs("complete -c dbmigrate -n '__fish_seen_subcommand_from help' -f -a '", f);
	for (i = 0; dbm_commands[i].name; i++)
		fprintf(f, "%s%s", i ? " " : "", dbm_commands[i].name);
	fputs("'\n", f);
	for (i = 0; dbm_commands[i].name; i++) {
		fprintf(f, "complete -c dbmigrate -n __fish_use_subcommand -f -a %s -d ",
		        dbm_commands[i].name);
		help_quote(f, dbm_commands[i].summary, 1);
		fputc('\n', f);
	}
	for (i = 0; dbm_options[i].name; i++) {
		const struct dbm_option *o = &dbm_options[i];

		fputs("complete -c dbmigrate", f);
		if (o->bit) {
			fputs(" -n '__fish_seen_subcommand_from", f);
			for (k = 0; dbm_commands[k].name; k++)
				if (dbm_commands[k].options & o->bit)
					fprintf(f, " %s", dbm_commands[k].name);
			fputc('\'', f);
		}
		fprintf(f, " -l %s", o->name);
		if (o->short_name)
			fprintf(f, " -s %c", o->short_name);
		switch (o->arg ? o->complete : -1) {
		case DBM_COMP_FILE:
			fputs(" -r -F", f);
			break;
		case DBM_COMP_DIR:
			fputs(" -x -a '(__fish_complete_directories)'", f);
			break;
		case DBM_COMP_ENV:
			fputs(" -x -a '(__dbmigrate_envs)'", f);
			break;
		case DBM_COMP_WORDS:
			fputs(" -x -a ", f);
			help_quote(f, o->values, 1);
			break;
		case DBM_COMP_NONE:
			fputs(" -x", f);
			break;
		default:
			break;
		}
		fputs(" -d ", f);
		help_quote(f, o->help, 1);
		fputc('\n', f);
	}
}

int dbm_help_completion(FILE *f, const char *shell)
{
	if (strcmp(shell, "bash") == 0 || strcmp(shell, "zsh") == 0)
		help_completion_sh(f, shell[0] == 'z');
	else if (strcmp(shell, "fish") == 0)
		help_completion_fish(f);
	else
		return -1;
	return 0;
}
