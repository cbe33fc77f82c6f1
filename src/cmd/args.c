/*
 * args.c - the command-line parser: argv against the command table.
 *
 * Two passes. The first finds the command word: the first argument that is
 * neither an option nor an option's value ('help' makes the next one the
 * topic). The second reads every argument in order, so a command's options
 * may come before its name, and resolves '--version' by position: before
 * the command word it is the global flag (like 'git --version status'),
 * after 'baseline' it is baseline's version. Errors say what to type.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/args.h"
#include "dbmigrate/common.h"
#include "dbmigrate/config.h"
#include "dbmigrate/version.h"

/* Verbs of other migration tools (Flyway, Alembic, dbmate, goose, golang-migrate, Rails). */
static const struct {
	const char *word;
	const char *hint;
} args_other_tools[] = {
    {"up", "Pending migrations are applied with 'dbmigrate migrate'."},
    {"upgrade", "Pending migrations are applied with 'dbmigrate migrate'."},
    {"apply", "Pending migrations are applied with 'dbmigrate migrate'."},
    {"deploy", "Pending migrations are applied with 'dbmigrate migrate'."},
    {"down", "Applied versions are undone with 'dbmigrate rollback' (--steps N, --to V)."},
    {"undo", "Applied versions are undone with 'dbmigrate rollback' (--steps N, --to V)."},
    {"downgrade", "Applied versions are undone with 'dbmigrate rollback' (--steps N, --to V)."},
    {"revert", "Applied versions are undone with 'dbmigrate rollback' (--steps N, --to V)."},
    {"redo", "Undo the newest version with 'dbmigrate rollback', then apply it again with "
             "'dbmigrate migrate'."},
    {"status", "The state of every migration is shown by 'dbmigrate info'."},
    {"current", "The current version and every migration's state are shown by 'dbmigrate info'."},
    {"history", "The applied history is shown by 'dbmigrate info'."},
    {"list", "Every migration with its state is shown by 'dbmigrate info'."},
    {"stamp", "To mark a database without history as being at a version, use 'dbmigrate "
              "baseline --version V'; to realign the history with the files, 'dbmigrate repair'."},
    {"force", "To mark a database without history as being at a version, use 'dbmigrate "
              "baseline --version V'; to clear a failed migration, 'dbmigrate repair'."},
    {"create", "A new migration and its undo script are made by 'dbmigrate new NAME'."},
    {"generate", "A new migration and its undo script are made by 'dbmigrate new NAME'."},
    {"revision", "A new migration and its undo script are made by 'dbmigrate new NAME'."},
    {"check", "The history is compared with the files by 'dbmigrate validate'."},
    {"verify", "The history is compared with the files by 'dbmigrate validate'."},
    {"drop", "Every object of the managed schema is dropped by 'dbmigrate clean' (guarded)."},
    {"fix", "Failed rows and changed checksums are dealt with by 'dbmigrate repair'."},
};

const char *dbm_args_other_tool(const char *word)
{
	size_t i;

	for (i = 0; i < DBM_ARRAY_SIZE(args_other_tools); i++)
		if (strcmp(args_other_tools[i].word, word) == 0)
			return args_other_tools[i].hint;
	return NULL;
}

/*
 * Sets the usage error "<before>'<word>'<after>" with word as it may be
 * printed: a password in it (a URL typed in the wrong place) becomes ***.
 * Returns DBM_ERR_USAGE.
 */
static int args_error_word(const char *before, const char *word, const char *after)
{
	struct dbm_buf b = DBM_BUF_INIT;

	if (dbm_url_redact(word, &b) < 0)
		return dbm_error_oom();
	dbm_error_set(DBM_ERR_USAGE, "%s'%s'%s", before, dbm_buf_cstr(&b), after);
	dbm_buf_free(&b);
	return DBM_ERR_USAGE;
}

/* The nearest of the n candidates to word, or NULL when none is close. */
static const char *args_nearest(const char *word, const char *const *cands, size_t n)
{
	const char *best = NULL;
	size_t bestd = (size_t)-1, i, len = strlen(word);

	for (i = 0; i < n; i++) {
		size_t d = dbm_edit_distance(word, cands[i]);

		if (d < bestd) {
			bestd = d;
			best = cands[i];
		}
	}
	/* A short word is near only a little: 'x' is not a typo of 'to'. */
	return bestd <= 3 && bestd < len ? best : NULL;
}

/* Sets "unknown command" with what to type instead. Returns DBM_ERR_USAGE. */
static int args_unknown_command(const char *word)
{
	const char *names[64];
	const char *other = dbm_args_other_tool(word);
	const char *near;
	size_t n;

	for (n = 0; n < DBM_ARRAY_SIZE(names) && dbm_commands[n].name; n++)
		names[n] = dbm_commands[n].name;
	args_error_word("unknown command ", word, "");
	if (other) {
		dbm_error_set_hint("%s", other);
		return DBM_ERR_USAGE;
	}
	near = args_nearest(word, names, n);
	if (near)
		dbm_error_set_hint("Did you mean '%s'? See 'dbmigrate help'.", near);
	else
		dbm_error_set_hint("See 'dbmigrate help' for the commands.");
	return DBM_ERR_USAGE;
}

/* Sets "unknown option" for the len bytes at word ("--" prefixed). Returns DBM_ERR_USAGE. */
static int args_unknown_option(const struct dbm_command *cmd, const char *word, size_t len)
{
	const char *names[128];
	char text[64];
	const char *near;
	size_t i, n = 0;

	for (i = 0; dbm_options[i].name && n < DBM_ARRAY_SIZE(names); i++)
		if (dbm_command_takes(cmd, &dbm_options[i]))
			names[n++] = dbm_options[i].name;
	snprintf(text, sizeof(text), "%.*s", (int)(len < 60 ? len : 60), word);
	for (i = 0; text[i]; i++)
		if ((unsigned char)text[i] < 0x20 || text[i] == 0x7f)
			text[i] = '?';
	dbm_error_set(DBM_ERR_USAGE, "unknown option '--%s%s'", text, len > 60 ? "..." : "");
	near = args_nearest(text, names, n);
	if (near)
		dbm_error_set_hint("Did you mean '--%s'? See 'dbmigrate help%s%s'.", near,
		                   cmd ? " " : "", cmd ? cmd->name : "");
	else
		dbm_error_set_hint("See 'dbmigrate help%s%s' for the options.", cmd ? " " : "",
		                   cmd ? cmd->name : "");
	return DBM_ERR_USAGE;
}

/* Appends a configuration flag; a repeated boolean flag is kept once. Returns 0 or DBM_ERR_NOMEM.
 */
static int args_add_setting(struct dbm_args *a, const struct dbm_option *o, const char *value)
{
	size_t i;

	if (o->kind == DBM_OPTK_FLAG)
		for (i = 0; i < a->nsettings; i++)
			if (a->settings[i].key == o->key)
				return 0;
	if (a->nsettings == a->asettings) {
		size_t n = a->asettings ? a->asettings * 2 : 16;
		struct dbm_setting *s = realloc(a->settings, n * sizeof(*s));

		if (!s)
			return dbm_error_oom();
		a->settings = s;
		a->asettings = n;
	}
	a->settings[a->nsettings].key = o->key;
	a->settings[a->nsettings++].value = value ? value : "true";
	return 0;
}

/* Checks value against o's kind and stores it. Returns 0 or DBM_ERR_USAGE naming the option. */
static int args_store(struct dbm_args *a, const struct dbm_option *o, const char *value)
{
	char *field = (char *)&a->args + o->field;
	char before[96];

	if (o->kind != DBM_OPTK_FLAG && !value)
		return dbm_error_set(DBM_ERR_USAGE, "option '--%s' needs a value", o->name);
	switch (o->kind) {
	case DBM_OPTK_FLAG:
		*(int *)(void *)field = 1;
		return 0;
	case DBM_OPTK_COUNT: {
		char *end;
		long v = strtol(value, &end, 10);

		if (!*value || *end || v <= 0 || v > 1000000) {
			snprintf(before, sizeof(before),
			         "--%s: expected a whole number above 0, got ", o->name);
			args_error_word(before, value, "");
			dbm_error_set_hint("For example: --%s 2", o->name);
			return DBM_ERR_USAGE;
		}
		*(int *)(void *)field = (int)v;
		return 0;
	}
	case DBM_OPTK_TARGET:
		if (strcmp(value, "latest") == 0 || strcmp(value, "current") == 0)
			break;
		/* fall through */
	case DBM_OPTK_VERSION:
		if (!dbm_version_valid(value)) {
			snprintf(before, sizeof(before), "--%s: ", o->name);
			args_error_word(before, value, " is not a version");
			dbm_error_set_hint(
			    "A version is digits separated by '.' or '_', such as 3 or "
			    "2.1%s.",
			    o->kind == DBM_OPTK_TARGET ? "; 'current' and 'latest' work too" : "");
			return DBM_ERR_USAGE;
		}
		break;
	default:
		break;
	}
	*(const char **)(void *)field = value;
	return 0;
}

/* --color WHEN: one of the option's words. Returns 0 or DBM_ERR_USAGE. */
static int args_color(struct dbm_args *a, const struct dbm_option *o, const char *value)
{
	size_t len;

	if (!value)
		value = "always"; /* a bare --color, as git takes it */
	len = strlen(value);
	const char *w = strstr(o->values, value);

	if (len && w && (w == o->values || w[-1] == ' ') && (w[len] == ' ' || w[len] == '\0')) {
		a->color = value;
		return 0;
	}
	args_error_word("--color: ", value, " is not auto, always or never");
	dbm_error_set_hint("Type --color=auto (the default), --color=always or --color=never.");
	return DBM_ERR_USAGE;
}

/* Applies option o with value (NULL for a flag). Returns 0 or an error class. */
static int args_apply(struct dbm_args *a, const struct dbm_option *o, const char *value)
{
	if (!dbm_command_takes(a->cmd, o)) {
		if (a->help)
			return 0;
		if (a->cmd) {
			dbm_error_set(DBM_ERR_USAGE, "option '--%s' does not apply to command %s",
			              o->name, a->cmd->name);
			dbm_error_set_hint("See 'dbmigrate help %s' for its options.",
			                   a->cmd->name);
		} else {
			dbm_error_set(DBM_ERR_USAGE, "option '--%s' goes with a command", o->name);
			dbm_error_set_hint(
			    "See 'dbmigrate help' for the commands and their options.");
		}
		return DBM_ERR_USAGE;
	}
	a->given |= o->bit;
	if (!o->key && !o->bit) {
		if (strcmp(o->name, "help") == 0)
			a->help = 1;
		else if (strcmp(o->name, "version") == 0)
			a->version = 1;
		else if (strcmp(o->name, "color") == 0)
			return args_color(a, o, value);
		return 0;
	}
	if (o->key)
		return args_add_setting(a, o, value);
	return args_store(a, o, value);
}

/* The option at a (after its dashes) takes the next argument as its value. */
static int args_takes_next(const char *a)
{
	size_t len = strcspn(a, "=");
	const struct dbm_option *o = dbm_option_find(NULL, a, len);

	return o && o->arg && a[len] != '=';
}

/* The one-dash word s (after its dash) ends in a one-letter option that takes the next argument. */
static int args_short_takes_next(const char *s)
{
	size_t len = strlen(s);
	const struct dbm_option *o = len ? dbm_option_find_short(s[len - 1]) : NULL;
	size_t i;

	if (!o || !o->arg)
		return 0;
	for (i = 0; i + 1 < len; i++) {
		const struct dbm_option *p = dbm_option_find_short(s[i]);

		if (!p || p->arg)
			return 0; /* "-j8": the value is in the word */
	}
	return 1;
}

/*
 * Index of the command word in argv (0 when none) and, after 'help', of the
 * topic (0 when none). Sets *help when -h or --help is among the options, so
 * that help forgives the rest of the line. A long option typed with one dash
 * takes its value like the two-dash one, so that the value is not taken for
 * the command and the error is about the dash.
 */
static void args_find_words(int argc, char *const *argv, int *cmdi, int *topici, int *help)
{
	int i, dashdash = 0;

	*cmdi = *topici = 0;
	for (i = 1; i < argc; i++) {
		const char *s = argv[i];

		if (!dashdash && strcmp(s, "--") == 0) {
			dashdash = 1;
			continue;
		}
		if (!dashdash && s[0] == '-' && s[1] != '\0') {
			if (strcmp(s, "--help") == 0 || strcmp(s, "-h") == 0)
				*help = 1;
			if ((args_takes_next(s + 1 + (s[1] == '-')) ||
			     (s[1] != '-' && args_short_takes_next(s + 1))) &&
			    i + 1 < argc)
				i++;
			continue;
		}
		if (!*cmdi)
			*cmdi = i;
		else if (!*topici && strcmp(argv[*cmdi], "help") == 0)
			*topici = i;
	}
}

/* Sets the hint listing the one-letter options of the table. */
static void args_short_hint(void)
{
	char list[64];
	size_t i, n = 0;

	for (i = 0; dbm_options[i].name && n + 5 < sizeof(list); i++)
		if (dbm_options[i].short_name) {
			list[n++] = ' ';
			list[n++] = '-';
			list[n++] = dbm_options[i].short_name;
		}
	list[n] = '\0';
	dbm_error_set_hint("The one-letter options are%s; see 'dbmigrate help'.", list);
}

/*
 * A word after one dash: "-q", "-qy", "-j 4", "-j4", or a long option with
 * one dash. A one-letter option that takes a value takes the rest of the
 * word, or else the next argument (argv[++*i]). Returns 0 or an error.
 */
static int args_short(struct dbm_args *a, const char *s, int argc, char *const *argv, int *argi)
{
	size_t len = strcspn(s, "=");
	const struct dbm_option *o;
	size_t i;

	if ((len > 1 || s[len] == '=') && (o = dbm_option_find(a->cmd, s, len)) != NULL) {
		dbm_error_set(DBM_ERR_USAGE, "unknown option '-%.*s': long options take two dashes",
		              (int)(len < 60 ? len : 60), s);
		if (o->arg)
			dbm_error_set_hint("Type '--%s %s' or '--%s=%s'.", o->name, o->arg, o->name,
			                   o->arg);
		else
			dbm_error_set_hint("Type '--%s'.", o->name);
		return DBM_ERR_USAGE;
	}
	for (i = 0; i < len; i++) {
		int r;

		o = dbm_option_find_short(s[i]);
		if (o && o->arg) {
			const char *value = s + i + 1;

			if (!*value && *argi + 1 < argc)
				value = argv[++*argi];
			if (!*value) {
				dbm_error_set(DBM_ERR_USAGE, "option '-%c' needs a value", s[i]);
				dbm_error_set_hint("Type '-%c %s'.", s[i], o->arg);
				return DBM_ERR_USAGE;
			}
			return args_apply(a, o, value);
		}
		if (!o) {
			unsigned char c = (unsigned char)s[i];

			if (c >= 0x20 && c < 0x7f)
				dbm_error_set(DBM_ERR_USAGE, "unknown option '-%c'", c);
			else
				dbm_error_set(DBM_ERR_USAGE, "unknown option '-\\x%02x'", c);
			args_short_hint();
			return DBM_ERR_USAGE;
		}
		r = args_apply(a, o, NULL);
		if (r < 0)
			return r;
	}
	if (s[len] == '=') {
		if (len == 0)
			dbm_error_set(DBM_ERR_USAGE, "unknown option '-='");
		else
			dbm_error_set(DBM_ERR_USAGE, "option '-%.*s' takes no value", (int)len, s);
		args_short_hint();
		return DBM_ERR_USAGE;
	}
	return 0;
}

/* "--name", "--name=value" or "--name value" at argv[*i]. Returns 0 or an error class. */
static int args_long(struct dbm_args *a, int argc, char *const *argv, int *i, int before_cmd)
{
	const char *s = argv[*i] + 2;
	size_t len = strcspn(s, "=");
	const struct dbm_option *o = dbm_option_find(before_cmd ? NULL : a->cmd, s, len);
	const char *value = NULL;

	if (!o)
		return args_unknown_option(a->cmd, s, len);
	if (o->arg) {
		if (s[len] == '=') {
			value = s + len + 1;
		} else if (*i + 1 < argc) {
			value = argv[++*i];
		} else {
			dbm_error_set(DBM_ERR_USAGE, "option '--%s' needs a value", o->name);
			dbm_error_set_hint("Type '--%s %s'.", o->name, o->arg);
			return DBM_ERR_USAGE;
		}
	} else if (s[len] == '=') {
		dbm_error_set(DBM_ERR_USAGE, "option '--%s' takes no value", o->name);
		dbm_error_set_hint("Type '--%s' alone.", o->name);
		return DBM_ERR_USAGE;
	}
	return args_apply(a, o, value);
}

int dbm_args_parse(struct dbm_args *a, int argc, char *const *argv)
{
	int i, cmdi, topici, dashdash = 0, r;

	args_find_words(argc, argv, &cmdi, &topici, &a->help);
	if (cmdi && strcmp(argv[cmdi], "help") == 0) {
		a->help = 1;
		if (topici && !(a->cmd = dbm_command_find(argv[topici])))
			return args_unknown_command(argv[topici]);
	} else if (cmdi && !(a->cmd = dbm_command_find(argv[cmdi]))) {
		return args_unknown_command(argv[cmdi]);
	}
	for (i = 1; i < argc; i++) {
		const char *s = argv[i];

		if (i == cmdi || i == topici)
			continue;
		if (!dashdash && strcmp(s, "--") == 0) {
			dashdash = 1;
			continue;
		}
		if (dashdash || s[0] != '-' || s[1] == '\0') {
			if (a->cmd && a->cmd->args && !a->args.name) {
				a->args.name = s;
				continue;
			}
			args_error_word("unexpected argument ", s, "");
			if (a->cmd && a->cmd->args)
				dbm_error_set_hint(
				    "'dbmigrate %s' takes one %s; quote it when it has "
				    "spaces.",
				    a->cmd->name, a->cmd->args);
			else if (a->cmd)
				dbm_error_set_hint(
				    "'dbmigrate %s' takes options only; see 'dbmigrate "
				    "help %s'.",
				    a->cmd->name, a->cmd->name);
			else
				dbm_error_set_hint("See 'dbmigrate help'.");
			return DBM_ERR_USAGE;
		}
		r = s[1] == '-' ? args_long(a, argc, argv, &i, !cmdi || i < cmdi)
		                : args_short(a, s + 1, argc, argv, &i);
		if (r < 0)
			return r;
	}
	if (a->help || a->version)
		return 0;
	if (a->args.to && a->args.steps) {
		dbm_error_set(DBM_ERR_USAGE, "--steps and --to cannot be used together");
		dbm_error_set_hint("Give --steps N to undo N versions, or --to V to undo every "
		                   "version above V.");
		return DBM_ERR_USAGE;
	}
	if (a->cmd && a->cmd->args && !a->args.name) {
		dbm_error_set(DBM_ERR_USAGE, "%s needs a %s", a->cmd->name, a->cmd->args);
		dbm_error_set_hint("For example: %s", a->cmd->example);
		return DBM_ERR_USAGE;
	}
	return 0;
}

void dbm_args_free(struct dbm_args *a)
{
	free(a->settings);
	a->settings = NULL;
	a->nsettings = a->asettings = 0;
}
