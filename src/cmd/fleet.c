/*
 * fleet.c - one command over many databases: the targets of a fleet.
 *
 * main.c hands a fleet command (migrate, rollback, info, validate, repair
 * with targets configured or named) to dbm_fleet_run() instead of the
 * command. The fleet is the config's targets: list (its SQLite globs
 * expanded) or the lines of targets_file; --targets picks some by name.
 * Each target runs in a fork()ed worker: the command's own function, with
 * the target's URL, schema and placeholders laid over the configuration,
 * exactly as a single 'dbmigrate' run of that target would, with its own
 * connection, lock, history, error state and signal thread. A worker's
 * stdout and stderr go to files of their own; when it ends, the parent
 * prints them whole (each line prefixed with the target's name) together
 * with the target's report line, so the output of parallel targets never
 * interleaves mid-line. What the report line needs (versions, counts) the
 * worker leaves in a slot of a shared mapping (dbm_cmd_tally).
 *
 * Policy: up to jobs workers run at once. --canary N runs the first N
 * targets first and stops everything if one fails. Otherwise, for a
 * command that changes databases, a failed target stops the scheduling of
 * new targets (running ones finish) unless continue_on_error; read-only
 * commands (info, validate) always visit every target. The exit code is
 * the worst of the targets' (fleet_worse).
 */
#define _DEFAULT_SOURCE /* MAP_ANONYMOUS */
#include <errno.h>
#include <glob.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cmd/cmd.h"
#include "dbmigrate/common.h"
#include "dbmigrate/config.h"
#include "dbmigrate/secret.h"
#include "output/output.h"
#include "runner/runner.h"

struct dbm_cmd_tally *dbm_cmd_tally;

void dbm_cmd_tally_begin(const char *version)
{
	if (!dbm_cmd_tally)
		return;
	snprintf(dbm_cmd_tally->from, sizeof(dbm_cmd_tally->from), "%s", version ? version : "");
	snprintf(dbm_cmd_tally->to, sizeof(dbm_cmd_tally->to), "%s", version ? version : "");
	dbm_cmd_tally->started = 1;
}

void dbm_cmd_tally_step(const char *version)
{
	if (!dbm_cmd_tally)
		return;
	dbm_cmd_tally->applied++;
	if (version)
		snprintf(dbm_cmd_tally->to, sizeof(dbm_cmd_tally->to), "%s", version);
}

void dbm_cmd_tally_drift(unsigned long objects)
{
	if (!dbm_cmd_tally)
		return;
	dbm_cmd_tally->drift = objects;
	dbm_cmd_tally->drift_known = 1;
}

void dbm_cmd_tally_counts(unsigned long pending, unsigned long failed)
{
	if (!dbm_cmd_tally)
		return;
	dbm_cmd_tally->pending = pending;
	dbm_cmd_tally->failed = failed;
}

/* One concrete target of the run. */
struct fleet_target {
	char *name;
	char *url;                                   /* NULL: the configuration's */
	char *schema;                                /* NULL: the configuration's */
	const struct dbm_placeholders *placeholders; /* borrowed from the config, may be NULL */
	pid_t pid;                                   /* while running */
	FILE *out, *err;
	struct timespec start;
	long ms;
	json_t *doc; /* --json: the target's document, once done */
	int code;    /* exit code when done */
	int state;   /* FLEET_* */
};

enum { FLEET_WAITING, FLEET_RUNNING, FLEET_DONE, FLEET_NOT_RUN };

struct fleet {
	struct fleet_target *t;
	size_t n, cap;
	struct dbm_cmd_tally *slots; /* shared with the workers, n of them */
	const struct dbm_command *cmd;
	size_t namew; /* widest name, for the report lines */
	int dry_run;  /* --dry-run: the workers' SQL is the point, so it is shown */
};

/* Appends a target (copies every text). 0 or DBM_ERR_NOMEM. */
static int fleet_add(struct fleet *f, const char *name, const char *url, const char *schema,
                     const struct dbm_placeholders *ph)
{
	struct fleet_target *t;

	if (f->n == f->cap) {
		size_t cap = f->cap ? f->cap * 2 : 16;
		struct fleet_target *v = dbm_realloc(f->t, cap * sizeof(*v));

		if (!v)
			return dbm_error_oom();
		f->t = v;
		f->cap = cap;
	}
	t = &f->t[f->n];
	memset(t, 0, sizeof(*t));
	t->name = dbm_strdup(name);
	t->url = url ? dbm_strdup(url) : NULL;
	t->schema = schema ? dbm_strdup(schema) : NULL;
	t->placeholders = ph;
	f->n++;
	if (!t->name || (url && !t->url) || (schema && !t->schema))
		return dbm_error_oom();
	return 0;
}

static void fleet_free(struct fleet *f)
{
	size_t i;

	for (i = 0; i < f->n; i++) {
		dbm_free(f->t[i].name);
		dbm_free(f->t[i].url);
		dbm_free(f->t[i].schema);
		if (f->t[i].out)
			fclose(f->t[i].out);
		if (f->t[i].err)
			fclose(f->t[i].err);
		json_decref(f->t[i].doc);
	}
	dbm_free(f->t);
	if (f->slots)
		munmap(f->slots, f->n * sizeof(*f->slots));
}

/* 1 when word is a database URL (it has ':' or '='), 0 when it is a schema name. */
static int fleet_is_url(const char *word)
{
	return strchr(word, ':') || strchr(word, '=');
}

/*
 * The name of a target given as a URL, into out: a SQLite file's path; the
 * database of a scheme://.../db URL; the dbname= of a conninfo string;
 * else the URL with its password redacted. 0 or DBM_ERR_NOMEM.
 */
static int fleet_url_name(const char *url, struct dbm_buf *out)
{
	const char *p, *end;

	if (strncmp(url, "sqlite:", 7) == 0) {
		p = url + 7;
		if (strncmp(p, "//", 2) == 0)
			p += 2;
		return dbm_buf_adds(out, p);
	}
	if ((p = strstr(url, "://")) != NULL) {
		const char *slash = strchr(p + 3, '/');

		if (slash && slash[1] && slash[1] != '?') {
			end = slash + 1 + strcspn(slash + 1, "?#");
			return dbm_buf_add(out, slash + 1, (size_t)(end - slash - 1));
		}
	} else if ((p = strstr(url, "dbname=")) != NULL && (p == url || p[-1] == ' ')) {
		p += 7;
		return dbm_buf_add(out, p, strcspn(p, " "));
	}
	return dbm_url_redact(url, out);
}

/*
 * Adds the target or targets of one word: a SQLite glob (every file it
 * matches, in name order), a URL or a schema name. file and line say where
 * the word is written. 0, DBM_ERR_USAGE (a glob matching nothing) or
 * DBM_ERR_NOMEM.
 */
static int fleet_add_word(struct fleet *f, const char *word, const char *name,
                          const struct dbm_placeholders *ph, const char *file, unsigned line)
{
	struct dbm_buf b = DBM_BUF_INIT;
	int r = 0;

	if (strncmp(word, "sqlite:", 7) == 0 && strpbrk(word + 7, "*?[")) {
		const char *pat = word + 7;
		glob_t g;
		size_t i;

		if (strncmp(pat, "//", 2) == 0)
			pat += 2;
		memset(&g, 0, sizeof(g));
		if (glob(pat, 0, NULL, &g) != 0 || g.gl_pathc == 0) {
			globfree(&g);
			dbm_error_set(DBM_ERR_USAGE, "targets: '%s' matches no file", word);
			dbm_error_set_where(file, line);
			dbm_error_set_hint("Create the databases first, or correct the pattern "
			                   "(relative to the working directory).");
			return DBM_ERR_USAGE;
		}
		for (i = 0; i < g.gl_pathc && r == 0; i++) {
			dbm_buf_clear(&b);
			r = dbm_buf_addf(&b, "sqlite:%s%s", g.gl_pathv[i][0] == '/' ? "//" : "",
			                 g.gl_pathv[i]);
			if (r == 0)
				r = fleet_add(f, g.gl_pathv[i], dbm_buf_cstr(&b), NULL, ph);
		}
		globfree(&g);
		dbm_buf_free(&b);
		return r;
	}
	if (!fleet_is_url(word))
		return fleet_add(f, name ? name : word, NULL, word, ph);
	if (!name && (r = fleet_url_name(word, &b)) < 0)
		return r;
	r = fleet_add(f, name ? name : dbm_buf_cstr(&b), word, NULL, ph);
	dbm_buf_free(&b);
	return r;
}

/* Adds every line of the targets file (blank lines and '#' comments skipped). */
static int fleet_read_file(struct fleet *f, const char *path)
{
	FILE *in = fopen(path, "r");
	char line[4096];
	unsigned lineno = 0;
	int r = 0;

	if (!in) {
		dbm_error_set(DBM_ERR_USAGE, "cannot open targets file '%s': %s", path,
		              strerror(errno));
		dbm_error_set_hint("targets_file (--targets-file) names a file with one URL or "
		                   "schema name a line.");
		return DBM_ERR_USAGE;
	}
	while (r == 0 && fgets(line, sizeof(line), in)) {
		char *s = line, *e;

		lineno++;
		if (!strchr(line, '\n') && !feof(in)) {
			r = dbm_error_set(DBM_ERR_USAGE, "a line is longer than %zu bytes",
			                  sizeof(line) - 2);
			dbm_error_set_where(path, lineno);
			break;
		}
		if ((e = strchr(s, '#')) != NULL && (e == s || e[-1] == ' ' || e[-1] == '\t'))
			*e = '\0';
		while (*s == ' ' || *s == '\t')
			s++;
		e = s + strlen(s);
		while (e > s && (e[-1] == '\n' || e[-1] == '\r' || e[-1] == ' ' || e[-1] == '\t'))
			*--e = '\0';
		if (*s)
			r = fleet_add_word(f, s, NULL, NULL, path, lineno);
	}
	fclose(in);
	return r;
}

/* 1 when name is one of the comma-separated names in list. */
static int fleet_listed(const char *list, const char *name)
{
	size_t len = strlen(name);
	const char *p = list;

	while (*p) {
		size_t n = strcspn(p, ",");

		if (n == len && strncmp(p, name, n) == 0)
			return 1;
		p += n;
		if (*p == ',')
			p++;
	}
	return 0;
}

/*
 * Keeps the targets --targets names, in the fleet's order. Returns 0 or
 * DBM_ERR_USAGE naming the first name that is no target.
 */
static int fleet_select(struct fleet *f, const char *list)
{
	const char *p = list;
	size_t i, k = 0;

	while (*p) {
		size_t n = strcspn(p, ",");

		for (i = 0; i < f->n; i++)
			if (strlen(f->t[i].name) == n && strncmp(f->t[i].name, p, n) == 0)
				break;
		if (n && i == f->n) {
			struct dbm_buf names = DBM_BUF_INIT;

			for (i = 0; i < f->n && i < 20; i++)
				dbm_buf_addf(&names, "%s%s", i ? ", " : "", f->t[i].name);
			dbm_error_set(DBM_ERR_USAGE, "--targets: no target is called '%.*s'",
			              (int)n, p);
			dbm_error_set_hint("The targets are: %s%s.", dbm_buf_cstr(&names),
			                   f->n > 20 ? ", ..." : "");
			dbm_buf_free(&names);
			return DBM_ERR_USAGE;
		}
		p += n;
		if (*p == ',')
			p++;
	}
	for (i = 0; i < f->n; i++) {
		if (fleet_listed(list, f->t[i].name)) {
			f->t[k++] = f->t[i];
			continue;
		}
		dbm_free(f->t[i].name);
		dbm_free(f->t[i].url);
		dbm_free(f->t[i].schema);
	}
	f->n = k;
	return 0;
}

/* Builds the fleet from the configuration and --targets. 0, DBM_ERR_USAGE or DBM_ERR_NOMEM. */
static int fleet_build(struct fleet *f, const struct dbm_config *cfg, const struct dbm_cmd_args *a)
{
	size_t i, j;
	int r = 0;

	if (cfg->targets_file) {
		r = fleet_read_file(f, cfg->targets_file);
	} else {
		for (i = 0; i < cfg->ntargets && r == 0; i++) {
			const struct dbm_target *t = &cfg->targets[i];
			const struct dbm_placeholders *ph =
			    t->placeholders.n ? &t->placeholders : NULL;

			if (t->word)
				r = fleet_add_word(f, t->word, NULL, NULL, cfg->config_file,
				                   t->line);
			else if (t->url)
				r = fleet_add_word(f, t->url, t->name, ph, cfg->config_file,
				                   t->line);
			else
				r = fleet_add(f, t->name ? t->name : t->schema, NULL, t->schema,
				              ph);
		}
	}
	if (r < 0)
		return r;
	if (f->n && a->targets && (r = fleet_select(f, a->targets)) < 0)
		return r;
	if (f->n == 0) {
		dbm_error_set(DBM_ERR_USAGE, "the fleet has no targets");
		dbm_error_set_hint("List them under 'targets:' in the config file or one a line in "
		                   "the file named by targets_file (--targets-file).");
		return DBM_ERR_USAGE;
	}
	for (i = 0; i < f->n; i++) {
		size_t w = strlen(f->t[i].name);

		if (w > f->namew)
			f->namew = w;
		if (f->t[i].url && (r = dbm_secret_add_url(f->t[i].url)) < 0)
			return r;
		for (j = 0; j < i; j++) {
			if (strcmp(f->t[i].name, f->t[j].name) == 0) {
				dbm_error_set(DBM_ERR_USAGE, "two targets are called '%s'",
				              f->t[i].name);
				dbm_error_set_hint("Give each target a name of its own "
				                   "(name: in a targets: entry).");
				return DBM_ERR_USAGE;
			}
		}
	}
	if (f->namew > 40)
		f->namew = 40;
	return 0;
}

/*
 * How bad an exit code is, for "the worst of the targets' codes": an
 * interrupted run (128 + signal), then 1 (failed while running: the target
 * may be part-way), 4 (locked: try again), 3 (validation), 2 (usage or
 * configuration of that target), 0.
 */
static int fleet_rank(int code)
{
	switch (code) {
	case 0:
		return 0;
	case 2:
		return 1;
	case 3:
		return 2;
	case 4:
		return 3;
	case 1:
		return 4;
	default:
		return 5;
	}
}

static int fleet_worse(int a, int b)
{
	return fleet_rank(b) > fleet_rank(a) ? b : a;
}

/* The error class main.c turns back into exit code code. */
static int fleet_class(int code)
{
	switch (code) {
	case 0:
		return 0;
	case 2:
		return DBM_ERR_USAGE;
	case 3:
		return DBM_ERR_VALIDATE;
	case 4:
		return DBM_ERR_LOCK;
	case 1:
		return DBM_ERR_RUN;
	default:
		return DBM_ERR_INTERRUPTED;
	}
}

/* A word for a target's outcome. */
static const char *fleet_result(const struct fleet_target *t, const struct dbm_cmd_tally *s,
                                const struct dbm_command *cmd)
{
	if (t->state == FLEET_NOT_RUN)
		return "not run";
	switch (t->code) {
	case 0:
		if (strcmp(cmd->name, "migrate") == 0 && s->applied == 0)
			return "up to date";
		return "ok";
	case 1:
		return "failed";
	case 2:
		return "refused";
	case 3:
		return "invalid";
	case 4:
		return "locked";
	case 128 + SIGINT:
	case 128 + SIGTERM:
	case 128 + SIGPIPE:
		return "interrupted";
	default:
		return "crashed"; /* ended by another signal, or an exit code dbmigrate never uses
		                   */
	}
}

/*
 * The worker: runs the command on target i with the configuration changed
 * to the target's, stdout and stderr in the target's files. Never returns.
 */
static void fleet_child(struct fleet *f, size_t i, struct dbm_config *cfg,
                        const struct dbm_cmd_args *a)
{
	struct fleet_target *t = &f->t[i];
	int r = 0;
	size_t k;

	fflush(stdout);
	fflush(stderr);
	if (dup2(fileno(t->out), STDOUT_FILENO) < 0 || dup2(fileno(t->err), STDERR_FILENO) < 0)
		_exit(1);
	/* the parent's signal thread is not in this process: one of its own */
	dbm_interrupt_setup();
	dbm_cmd_tally = &f->slots[i];
	if (t->url) {
		dbm_free(cfg->url);
		cfg->url = t->url;
		t->url = NULL;
	}
	if (t->schema) {
		dbm_free(cfg->schema);
		cfg->schema = t->schema;
		t->schema = NULL;
	}
	for (k = 0; t->placeholders && k < t->placeholders->n && r == 0; k++)
		r = dbm_placeholders_set(&cfg->placeholders, t->placeholders->items[k].key,
		                         t->placeholders->items[k].value);
	if (r == 0)
		r = f->cmd->run(cfg, a);
	if (r < 0)
		dbm_out_error(f->cmd->name);
	fflush(stdout);
	fflush(stderr);
	_exit(dbm_exit_code(r));
}

/* Starts target i. 0, or DBM_ERR_RUN when no file or process can be made. */
static int fleet_start(struct fleet *f, size_t i, struct dbm_config *cfg,
                       const struct dbm_cmd_args *a)
{
	struct fleet_target *t = &f->t[i];
	pid_t pid;

	t->out = tmpfile();
	t->err = tmpfile();
	if (!t->out || !t->err)
		return dbm_error_set(DBM_ERR_RUN,
		                     "cannot make a temporary file for target '%s': %s", t->name,
		                     strerror(errno));
	fflush(stdout);
	fflush(stderr);
	clock_gettime(CLOCK_MONOTONIC, &t->start);
	pid = fork();
	if (pid < 0)
		return dbm_error_set(DBM_ERR_RUN, "cannot start a worker for target '%s': %s",
		                     t->name, strerror(errno));
	if (pid == 0)
		fleet_child(f, i, cfg, a);
	t->pid = pid;
	t->state = FLEET_RUNNING;
	return 0;
}

/* The whole content of a worker's file, NUL-terminated, scrubbed of secrets; caller frees. */
static char *fleet_slurp(FILE *fp)
{
	struct dbm_buf b = DBM_BUF_INIT;
	char chunk[4096];
	size_t n;

	if (!fp)
		return dbm_strdup("");
	rewind(fp);
	while ((n = fread(chunk, 1, sizeof(chunk), fp)) > 0)
		if (dbm_buf_add(&b, chunk, n) < 0)
			break;
	if (dbm_buf_addc(&b, '\0') < 0) {
		dbm_buf_free(&b);
		return NULL;
	}
	dbm_secrets_scrub(b.ptr);
	return dbm_buf_detach(&b);
}

/*
 * Appends text's lines to out, each prefixed "name: ". Without verbose,
 * only the lines of errors and warnings ("dbmigrate: ", "detail: ",
 * "hint: ", "note: "), not the per-script progress.
 */
static void fleet_prefix_lines(struct dbm_buf *out, const char *name, const char *text, int verbose)
{
	while (*text) {
		size_t n = strcspn(text, "\n");

		if (verbose || strncmp(text, "dbmigrate: ", 11) == 0 ||
		    strncmp(text, "detail: ", 8) == 0 || strncmp(text, "hint: ", 6) == 0 ||
		    strncmp(text, "note: ", 6) == 0)
			dbm_buf_addf(out, "%s: %.*s\n", name, (int)n, text);
		text += n;
		if (*text == '\n')
			text++;
	}
}

/*
 * ", schema drift: 2 objects", ", no schema drift" or "" when the target has
 * no snapshot to compare with, into buf; returns buf.
 */
static const char *fleet_drift(const struct dbm_cmd_tally *s, char *buf, size_t size)
{
	if (!s->drift_known)
		buf[0] = '\0';
	else if (s->drift)
		snprintf(buf, size, ", schema drift: %lu object%s", s->drift,
		         s->drift == 1 ? "" : "s");
	else
		snprintf(buf, size, ", no schema drift");
	return buf;
}

/* "3", or "<< empty >>" for no version. */
static const char *fleet_version(const char *v)
{
	return v && *v ? v : "<< empty >>";
}

/* The report of a finished target: its line on stdout, its diagnostics on stderr, or its JSON. */
static void fleet_report(struct fleet *f, size_t i, const struct dbm_config *cfg)
{
	struct fleet_target *t = &f->t[i];
	const struct dbm_cmd_tally *s = &f->slots[i];
	const char *result = fleet_result(t, s, f->cmd);
	char *out = fleet_slurp(t->out), *err = fleet_slurp(t->err);
	struct dbm_buf line = DBM_BUF_INIT;
	char drift[64];

	if (cfg->json) {
		json_error_t je;
		json_t *doc = out && *out ? json_loads(out, 0, &je) : NULL;

		if (!json_is_object(doc)) {
			json_decref(doc);
			doc = json_object();
		}
		json_object_set_new(doc, "target", dbm_json_text(t->name));
		json_object_set_new(doc, "exitCode", json_integer(t->code));
		json_object_set_new(doc, "result", json_string(result));
		json_object_set_new(doc, "fleetTime", json_integer(t->ms));
		t->doc = doc;
		if (err && *err) {
			fleet_prefix_lines(&line, t->name, err, cfg->verbose);
			fputs(dbm_buf_cstr(&line), stderr);
		}
		goto done;
	}
	if (err && *err)
		fleet_prefix_lines(&line, t->name, err, cfg->verbose);
	if (line.len) {
		fputs(dbm_buf_cstr(&line), stderr);
		fflush(stderr);
	}
	dbm_buf_clear(&line);
	if ((cfg->verbose || f->dry_run) && out && *out) {
		/* the target's own stdout (a dry run's SQL), on stdout, each line with its name */
		fleet_prefix_lines(&line, t->name, out, 1);
		fputs(dbm_buf_cstr(&line), stdout);
		dbm_buf_clear(&line);
	}
	if (!cfg->quiet) {
		if (strcmp(f->cmd->name, "info") == 0)
			dbm_buf_addf(&line, "%-*s  at %s, %lu pending, %lu failed%s  %ld ms  %s\n",
			             (int)f->namew, t->name, fleet_version(s->to), s->pending,
			             s->failed, fleet_drift(s, drift, sizeof(drift)), t->ms,
			             result);
		else if (strcmp(f->cmd->name, "migrate") == 0)
			dbm_buf_addf(
			    &line, "%-*s  %s -> %s  applied %lu  %ld ms  %s\n", (int)f->namew,
			    t->name, s->started ? fleet_version(s->from) : "?",
			    s->started ? fleet_version(s->to) : "?", s->applied, t->ms, result);
		else if (strcmp(f->cmd->name, "rollback") == 0)
			dbm_buf_addf(&line, "%-*s  from %s  undone %lu  %ld ms  %s\n",
			             (int)f->namew, t->name,
			             s->started ? fleet_version(s->from) : "?", s->applied, t->ms,
			             result);
		else
			dbm_buf_addf(&line, "%-*s  %ld ms  %s\n", (int)f->namew, t->name, t->ms,
			             result);
		if (t->code) {
			line.ptr[--line.len] = '\0';
			dbm_buf_addf(&line, " (exit %d)\n", t->code);
		}
		fputs(dbm_buf_cstr(&line), stdout);
		fflush(stdout);
	}
done:
	dbm_buf_free(&line);
	dbm_free(out);
	dbm_free(err);
	fclose(t->out);
	fclose(t->err);
	t->out = t->err = NULL;
}

/* Waits for one worker to end; records it. Returns its index, or f->n when none runs. */
static size_t fleet_reap(struct fleet *f, int *forwarded)
{
	for (;;) {
		struct timespec nap = {0, 10 * 1000 * 1000}, now;
		int st;
		pid_t pid;
		size_t i;

		if (dbm_interrupt_signal() && !*forwarded) {
			/* a signal to dbmigrate alone reaches the workers too */
			for (i = 0; i < f->n; i++)
				if (f->t[i].state == FLEET_RUNNING)
					kill(f->t[i].pid, dbm_interrupt_signal());
			*forwarded = 1;
		}
		pid = waitpid(-1, &st, WNOHANG);
		if (pid < 0)
			return f->n;
		if (pid == 0) {
			nanosleep(&nap, NULL);
			continue;
		}
		for (i = 0; i < f->n; i++) {
			struct fleet_target *t = &f->t[i];

			if (t->state != FLEET_RUNNING || t->pid != pid)
				continue;
			clock_gettime(CLOCK_MONOTONIC, &now);
			t->ms = (long)(now.tv_sec - t->start.tv_sec) * 1000 +
			        (now.tv_nsec - t->start.tv_nsec) / 1000000;
			t->code = WIFEXITED(st) ? WEXITSTATUS(st)
			                        : 128 + (WIFSIGNALED(st) ? WTERMSIG(st) : 0);
			t->state = FLEET_DONE;
			return i;
		}
	}
}

/* The summary after the lines: counts of each result, and the table. */
static void fleet_summary(const struct fleet *f, int worst, long ms)
{
	static const char *const words[] = {"ok",          "up to date", "failed",
	                                    "locked",      "invalid",    "refused",
	                                    "interrupted", "crashed",    "not run"};
	size_t counts[DBM_ARRAY_SIZE(words)] = {0}, i, k;
	struct dbm_buf b = DBM_BUF_INIT;

	for (i = 0; i < f->n; i++) {
		const char *w = fleet_result(&f->t[i], &f->slots[i], f->cmd);

		for (k = 0; k < DBM_ARRAY_SIZE(words); k++)
			if (strcmp(words[k], w) == 0)
				counts[k]++;
	}
	dbm_buf_addf(&b, "\n%s over %zu target%s in %ld ms:", f->cmd->name, f->n,
	             f->n == 1 ? "" : "s", ms);
	for (k = 0; k < DBM_ARRAY_SIZE(words); k++)
		if (counts[k])
			dbm_buf_addf(&b, " %zu %s,", counts[k], words[k]);
	b.ptr[b.len - 1] = '\0';
	b.len--;
	dbm_buf_addf(&b, "; exit %d\n", worst);
	fputs(dbm_buf_cstr(&b), stdout);
	dbm_buf_free(&b);
}

/* Prints the table of the targets that did not succeed, for a fleet where some did not. */
static void fleet_table(const struct fleet *f)
{
	size_t i, w = 6;

	for (i = 0; i < f->n; i++)
		if (strlen(f->t[i].name) > w)
			w = strlen(f->t[i].name);
	if (strcmp(f->cmd->name, "info") == 0) {
		printf("\n%-*s  %-12s  %7s  %6s  %-12s  %s\n", (int)w, "Target", "Version",
		       "Pending", "Failed", "Drift", "Result");
		for (i = 0; i < f->n; i++) {
			const struct dbm_cmd_tally *s = &f->slots[i];
			char drift[32] = "-";

			if (s->drift_known && s->drift)
				snprintf(drift, sizeof(drift), "%lu object%s", s->drift,
				         s->drift == 1 ? "" : "s");
			else if (s->drift_known)
				snprintf(drift, sizeof(drift), "none");
			printf("%-*s  %-12s  %7lu  %6lu  %-12s  %s\n", (int)w, f->t[i].name,
			       s->started ? fleet_version(s->to) : "?", s->pending, s->failed,
			       drift, fleet_result(&f->t[i], s, f->cmd));
		}
		return;
	}
	printf("\n%-*s  %-12s  %-12s  %7s  %8s  %s\n", (int)w, "Target", "From", "To", "Applied",
	       "Time", "Result");
	for (i = 0; i < f->n; i++) {
		const struct dbm_cmd_tally *s = &f->slots[i];
		char ms[32];

		snprintf(ms, sizeof(ms), "%ld ms", f->t[i].ms);
		printf("%-*s  %-12s  %-12s  %7lu  %8s  %s\n", (int)w, f->t[i].name,
		       s->started ? fleet_version(s->from) : "-",
		       s->started ? fleet_version(s->to) : "-", s->applied,
		       f->t[i].state == FLEET_NOT_RUN ? "-" : ms,
		       fleet_result(&f->t[i], s, f->cmd));
	}
}

int dbm_fleet_wanted(const struct dbm_config *cfg, const struct dbm_cmd_args *a)
{
	return a->targets || cfg->ntargets || cfg->targets_file;
}

int dbm_fleet_run(struct dbm_config *cfg, const struct dbm_command *cmd,
                  const struct dbm_cmd_args *a, int *exit_code)
{
	struct fleet f;
	size_t next = 0, running = 0, i, limit;
	int r, worst = 0, stop = 0, forwarded = 0;
	const char *why = "a worker could not be started";
	int changes = (cmd->needs & DBM_NEEDS_LOCK) != 0;
	struct timespec t0, t1;

	*exit_code = -1;
	memset(&f, 0, sizeof(f));
	f.cmd = cmd;
	f.dry_run = a->dry_run;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (cfg->jobs < 1) {
		r = dbm_error_set(DBM_ERR_USAGE, "jobs: expected a whole number above 0, got %d",
		                  cfg->jobs);
		dbm_error_set_hint("For example: -j 4");
		goto done;
	}
	if ((r = fleet_build(&f, cfg, a)) < 0)
		goto done;
	f.slots = mmap(NULL, f.n * sizeof(*f.slots), PROT_READ | PROT_WRITE,
	               MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (f.slots == MAP_FAILED) {
		f.slots = NULL;
		r = dbm_error_set(DBM_ERR_RUN, "cannot map memory for %zu targets: %s", f.n,
		                  strerror(errno));
		goto done;
	}
	memset(f.slots, 0, f.n * sizeof(*f.slots));
	/* the canaries first, alone: nothing else starts before they all succeeded */
	limit = a->canary && (size_t)a->canary < f.n ? (size_t)a->canary : f.n;
	for (;;) {
		while (!stop && !dbm_interrupt_signal() && next < limit &&
		       running < (size_t)cfg->jobs) {
			if (fleet_start(&f, next, cfg, a) < 0) {
				stop = 1;
				worst = fleet_worse(worst, 1);
				dbm_out_error(cmd->name);
				break;
			}
			next++;
			running++;
		}
		if (running == 0) {
			if (stop || dbm_interrupt_signal() || next >= f.n)
				break;
			limit = f.n; /* the canaries succeeded */
			continue;
		}
		i = fleet_reap(&f, &forwarded);
		if (i == f.n)
			break;
		running--;
		fleet_report(&f, i, cfg);
		worst = fleet_worse(worst, f.t[i].code);
		if (f.t[i].code && changes && (a->canary ? i < (size_t)a->canary : 0)) {
			stop = 1; /* a canary failed: stop everything */
			why = "a canary failed";
		} else if (f.t[i].code && changes && !cfg->continue_on_error && !stop) {
			stop = 1;
			why = "a target failed and continue_on_error is off";
		}
	}
	for (i = 0; i < f.n; i++)
		if (f.t[i].state == FLEET_WAITING)
			f.t[i].state = FLEET_NOT_RUN;
	if (dbm_interrupt_signal())
		worst = fleet_worse(worst, 128 + dbm_interrupt_signal());
	clock_gettime(CLOCK_MONOTONIC, &t1);
	r = fleet_class(worst);
	*exit_code = worst;
	if (r < 0) {
		size_t bad = 0, notrun = 0;

		for (i = 0; i < f.n; i++) {
			bad += f.t[i].state == FLEET_DONE && f.t[i].code != 0;
			notrun += f.t[i].state == FLEET_NOT_RUN;
		}
		dbm_error_set(r, "%zu of %zu targets did not succeed", bad, f.n);
		if (notrun)
			dbm_error_set_detail(
			    "%zu target%s not run: %s", notrun, notrun == 1 ? " was" : "s were",
			    dbm_interrupt_signal() ? "the run was interrupted" : why);
		dbm_error_set_hint("Each target's messages are above, prefixed with its name; fix "
		                   "them and run the same command again: targets that are done "
		                   "have nothing to do.");
	}
	if (cfg->json) {
		json_t *doc = json_object();
		json_t *sum = json_object();
		json_t *list = json_array();

		for (i = 0; i < f.n; i++) {
			json_t *d = f.t[i].doc;

			f.t[i].doc = NULL;
			if (!d) {
				d = json_object();
				json_object_set_new(d, "target", dbm_json_text(f.t[i].name));
				json_object_set_new(d, "result", json_string("not run"));
			}
			json_array_append_new(list, d);
		}
		json_object_set_new(doc, "operation", json_string(cmd->name));
		json_object_set_new(doc, "targets", list);
		json_object_set_new(sum, "targets", json_integer((json_int_t)f.n));
		json_object_set_new(sum, "exitCode", json_integer(worst));
		json_object_set_new(sum, "totalTime",
		                    json_integer((t1.tv_sec - t0.tv_sec) * 1000 +
		                                 (t1.tv_nsec - t0.tv_nsec) / 1000000));
		json_object_set_new(doc, "fleet", sum);
		if (r < 0)
			dbm_out_json_with_error(doc);
		else
			dbm_out_json(doc);
	} else if (!cfg->quiet) {
		fleet_table(&f);
		fleet_summary(&f, worst,
		              (long)(t1.tv_sec - t0.tv_sec) * 1000 +
		                  (t1.tv_nsec - t0.tv_nsec) / 1000000);
	}
done:
	/* the report is out before anything at exit can end the process */
	fflush(stdout);
	fleet_free(&f);
	return r;
}
