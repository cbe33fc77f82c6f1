/*
 * config_flyway.c - Flyway's configuration, flyway.conf and flyway.toml,
 * and FLYWAY_* variables, read as Flyway reads them (config_int.h).
 *
 * props.c and toml.c turn either file into one list of dotted keys
 * ("flyway.url", "environments.dev.url", "flyway.placeholders.app"); this
 * file gives them their meaning. Every Flyway setting is in the table
 * below with what dbmigrate does with it:
 *
 *   FW_KEY      the dbmigrate key of the same meaning, applied through
 *               config_apply() so a bad value names the file and line
 *   FW_FIXED    dbmigrate behaves as Flyway does with the value in `arg`
 *               (its default); any other value would change what runs and
 *               is an error naming the setting, file and line
 *   FW_WARN     cosmetic or about Flyway's own machinery: a warning, ignored
 *   FW_REFUSE   would change what runs and has no equivalent: an error
 *   FW_URL ...  the connection (url, user, password), the schemas and the
 *               locations, which need more than one key to decide
 *
 * The connection is put together last, once FLYWAY_URL / FLYWAY_USER /
 * FLYWAY_PASSWORD had their say: dbm_jdbc_url() turns the JDBC URL and the
 * user and password into the driver's URL. The password is listed as a
 * secret (secret.h) the moment it is read. In flyway.toml the environment
 * is chosen by --env, DBMIGRATE_ENV, FLYWAY_ENVIRONMENT or
 * flyway.environment, else "default"; its url, user, password and schemas
 * and its [environments.NAME.flyway] settings override [flyway]. Every
 * other environment is checked against a scratch configuration, so a
 * mistake in "prod" shows on a developer's machine too. "${env.NAME}" in a
 * value is the variable NAME, as in Flyway 10. Called by config.c only.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "dbmigrate/common.h"
#include "dbmigrate/config.h"
#include "dbmigrate/kvfile.h"
#include "dbmigrate/secret.h"
#include "config_int.h"

#define FW_MAX_FILE_BYTES (1024 * 1024)

enum fw_action {
	FW_KEY,
	FW_FIXED,
	FW_WARN,
	FW_REFUSE,
	FW_URL,
	FW_USER,
	FW_PASSWORD,
	FW_SCHEMAS,
	FW_DEFAULT_SCHEMA,
	FW_LOCATIONS,
	FW_ENVIRONMENT
};

struct fw_key {
	const char *name; /* Flyway's, after "flyway." */
	const char *arg;  /* FW_KEY: the dbmigrate key; FW_FIXED: the accepted value */
	const char *why;  /* FW_FIXED / FW_WARN / FW_REFUSE: the reason, a sentence */
	enum fw_action act;
};

static const struct fw_key fw_keys[] = {
    {"url", NULL, NULL, FW_URL},
    {"user", NULL, NULL, FW_USER},
    {"password", NULL, NULL, FW_PASSWORD},
    {"schemas", NULL, NULL, FW_SCHEMAS},
    {"defaultSchema", NULL, NULL, FW_DEFAULT_SCHEMA},
    {"locations", NULL, NULL, FW_LOCATIONS},
    {"environment", NULL, NULL, FW_ENVIRONMENT},
    {"table", "table", NULL, FW_KEY},
    {"baselineVersion", "baseline_version", NULL, FW_KEY},
    {"baselineDescription", "baseline_description", NULL, FW_KEY},
    {"baselineOnMigrate", "baseline_on_migrate", NULL, FW_KEY},
    {"outOfOrder", "out_of_order", NULL, FW_KEY},
    {"validateOnMigrate", "validate_on_migrate", NULL, FW_KEY},
    {"cleanDisabled", "clean_disabled", NULL, FW_KEY},
    {"connectRetries", "connect_retries", NULL, FW_KEY},
    {"connectRetriesInterval", "connect_retries_interval", NULL, FW_KEY},
    {"mixed", "mixed", NULL, FW_KEY},
    {"installedBy", "installed_by", NULL, FW_KEY},
    {"sqlMigrationPrefix", "sql_migration_prefix", NULL, FW_KEY},
    {"sqlMigrationSeparator", "sql_migration_separator", NULL, FW_KEY},
    {"sqlMigrationSuffixes", "sql_migration_suffixes", NULL, FW_KEY},
    {"repeatableSqlMigrationPrefix", "repeatable_sql_migration_prefix", NULL, FW_KEY},
    {"undoSqlMigrationPrefix", "undo_sql_migration_prefix", NULL, FW_KEY},
    {"placeholderPrefix", "${", "dbmigrate's placeholders are written ${name}.", FW_FIXED},
    {"placeholderSuffix", "}", "dbmigrate's placeholders are written ${name}.", FW_FIXED},
    {"placeholderSeparator", ":", "dbmigrate's built-in placeholders are ${flyway:name}.",
     FW_FIXED},
    {"placeholderReplacement", "placeholder_replacement", NULL, FW_KEY},
    {"scriptPlaceholderPrefix", "FP__", "dbmigrate has no script placeholders.", FW_FIXED},
    {"scriptPlaceholderSuffix", "__", "dbmigrate has no script placeholders.", FW_FIXED},
    {"target", "target", NULL, FW_KEY},
    {"group", "group", NULL, FW_KEY},
    {"encoding", "UTF-8",
     "dbmigrate reads scripts as UTF-8 only; convert them first (iconv -f ENCODING -t UTF-8).",
     FW_FIXED},
    {"ignoreMigrationPatterns", "ignore_migration_patterns", NULL, FW_KEY},
    {"executeInTransaction", "true",
     "Set executeInTransaction=false per script in <script>.conf instead.", FW_FIXED},
    {"cleanOnValidationError", "false", "dbmigrate never cleans a database on its own.", FW_FIXED},
    {"skipExecutingMigrations", "false", "Use migrate --skip-executing instead.", FW_FIXED},
    {"skipDefaultCallbacks", "false", "dbmigrate has no Java callbacks to skip.", FW_FIXED},
    {"skipDefaultResolvers", "false", "dbmigrate has no Java resolvers to skip.", FW_FIXED},
    {"initSql", NULL, "dbmigrate runs no SQL of its own on each connection.", FW_REFUSE},
    {"callbacks", NULL, "Java callbacks cannot run in dbmigrate.", FW_REFUSE},
    {"resolvers", NULL, "Java resolvers cannot run in dbmigrate.", FW_REFUSE},
    {"errorOverrides", NULL, "dbmigrate stops on every SQL error.", FW_REFUSE},
    {"cherryPick", NULL, "dbmigrate applies every pending migration up to the target.", FW_REFUSE},
    {"driver", NULL, "dbmigrate picks its driver from the URL.", FW_WARN},
    {"createSchemas", NULL, "dbmigrate does not create the schemas; create them first.", FW_WARN},
    {"validateMigrationNaming", NULL,
     "dbmigrate always refuses a .sql file whose name does not fit.", FW_WARN},
    {"failOnMissingLocations", NULL, "dbmigrate always refuses a missing migrations folder.",
     FW_WARN},
    {"lockRetryCount", NULL, "dbmigrate waits lock_timeout seconds for the lock.", FW_WARN},
    {"tablespace", NULL, "dbmigrate creates its history table in the default tablespace.", FW_WARN},
    {"batch", NULL, "dbmigrate sends statements one by one.", FW_WARN},
    {"stream", NULL, "dbmigrate always streams scripts.", FW_WARN},
    {"color", NULL, "Use --color.", FW_WARN},
    {"outputType", NULL, "Use --json.", FW_WARN},
    {"outputFile", NULL, "dbmigrate writes to stdout and stderr.", FW_WARN},
    {"outputQueryResults", NULL, "dbmigrate does not print query results.", FW_WARN},
    {"loggers", NULL, "dbmigrate has one logger.", FW_WARN},
    {"jarDirs", NULL, "dbmigrate loads no JARs.", FW_WARN},
    {"licenseKey", NULL, "dbmigrate needs no licence key.", FW_WARN},
    {"reportEnabled", NULL, "dbmigrate writes no HTML report.", FW_WARN},
    {"reportFilename", NULL, "dbmigrate writes no HTML report.", FW_WARN},
    {"dryRunOutput", NULL, "Use --dry-run, which prints to stdout.", FW_WARN},
    {"postgresql.transactional.lock", NULL, "dbmigrate takes its own lock.", FW_WARN},
};

/* The keys an [environments.NAME] table may hold besides flyway.*. */
static const char *const fw_env_keys[] = {"url",
                                          "user",
                                          "password",
                                          "schemas",
                                          "driver",
                                          "connectRetries",
                                          "connectRetriesInterval",
                                          "initSql",
                                          "jarDirs",
                                          NULL};

static const struct fw_key *fw_find(const char *name)
{
	size_t i;

	for (i = 0; i < DBM_ARRAY_SIZE(fw_keys); i++)
		if (strcmp(fw_keys[i].name, name) == 0)
			return &fw_keys[i];
	return NULL;
}

/* Appends a "warning: ..." line to cfg->notes. 0 or DBM_ERR_NOMEM. */
int config_note(struct dbm_config *cfg, const char *fmt, ...)
{
	struct dbm_buf b = DBM_BUF_INIT;
	va_list ap;
	int r = 0;

	if (cfg->notes)
		r = dbm_buf_adds(&b, cfg->notes);
	if (r == 0) {
		va_start(ap, fmt);
		r = dbm_buf_vaddf(&b, fmt, ap);
		va_end(ap);
	}
	if (r == 0)
		r = dbm_buf_addc(&b, '\n');
	if (r < 0) {
		dbm_buf_free(&b);
		return r;
	}
	dbm_free(cfg->notes);
	cfg->notes = dbm_buf_detach(&b);
	return 0;
}

/*
 * Replaces every ${env.NAME} in text with the variable's value, into out;
 * when lenient, a variable that is not set stands for "". Returns 0, DBM_ERR_USAGE (variable not
 * set, at the origin) or NOMEM.
 */
static int fw_expand_env(const char *text, char *const *envp, const struct config_origin *o,
                         int lenient, struct dbm_buf *out)
{
	const char *p = text, *s;
	int r = 0;

	while (r == 0 && (s = strstr(p, "${env."))) {
		const char *name = s + 6, *close = strchr(name, '}');
		char var[256];
		const char *v;

		if (!close || close == name || (size_t)(close - name) >= sizeof(var))
			break;
		snprintf(var, sizeof(var), "%.*s", (int)(close - name), name);
		v = config_getenv_set(envp, var);
		if (!v && lenient)
			v = ""; /* an environment that is only checked may need variables this run
			           lacks */
		if (!v) {
			dbm_error_set(DBM_ERR_USAGE,
			              "%s: ${env.%s} names a variable that is not set", o->subject,
			              var);
			if (o->file)
				dbm_error_set_where(o->file, o->line);
			dbm_error_set_hint("Export %s, or write the value itself.", var);
			return DBM_ERR_USAGE;
		}
		if ((r = dbm_buf_add(out, p, (size_t)(s - p))) == 0)
			r = dbm_buf_adds(out, v);
		p = close + 1;
	}
	return r < 0 ? r : dbm_buf_adds(out, p);
}

/* A plain "warning: <subject>: <text>", with the file and line when known. */
static int fw_warn(struct dbm_config *cfg, const struct config_origin *o, const char *what,
                   const char *why)
{
	if (o->file)
		return config_note(cfg, "warning: %s:%u: %s %s. %s", o->file, o->line, o->subject,
		                   what, why);
	return config_note(cfg, "warning: %s %s. %s", o->subject, what, why);
}

/* 1 when value is the one dbmigrate's behaviour matches for key k. */
static int fw_fixed_ok(const struct fw_key *k, const char *value)
{
	if (strcmp(k->name, "encoding") == 0)
		return strcasecmp(value, "UTF-8") == 0 || strcasecmp(value, "UTF8") == 0;
	if (strcmp(k->name, "ignoreMigrationPatterns") == 0)
		return strcasecmp(value, "*:future") == 0 || !*value;
	if (strcmp(k->name, "placeholderPrefix") == 0 ||
	    strcmp(k->name, "placeholderSuffix") == 0 ||
	    strcmp(k->name, "sqlMigrationSeparator") == 0 ||
	    strcmp(k->name, "scriptPlaceholderPrefix") == 0 ||
	    strcmp(k->name, "scriptPlaceholderSuffix") == 0)
		return strcmp(value, k->arg) == 0;
	return strcasecmp(value, k->arg) == 0;
}

/* Copies the first item of a comma-separated list. 0 or NOMEM. */
static int fw_first(char **field, const char *list)
{
	size_t n = strcspn(list, ",");
	char *v;

	while (n > 0 && (list[n - 1] == ' ' || list[n - 1] == '\t'))
		n--;
	while (*list == ' ' && n > 0) {
		list++;
		n--;
	}
	if (!(v = dbm_strndup(list, n)))
		return dbm_error_oom();
	dbm_free(*field);
	*field = v;
	return 0;
}

/*
 * locations: one or more "filesystem:DIR" (or a bare DIR, which Flyway
 * reads as classpath: - refused with the reason). The first becomes the
 * migrations folder, the others cfg->locations_more, searched after it.
 */
static int fw_locations(struct dbm_config *cfg, const char *value, const struct config_origin *o)
{
	struct dbm_buf more = DBM_BUF_INIT;
	const char *p = value;
	int n = 0, r = 0;

	while (*p) {
		size_t len = strcspn(p, ",");
		const char *item = p, *dir;
		char *copy;

		while (len && (*item == ' ' || *item == '\t')) {
			item++;
			len--;
		}
		while (len && (item[len - 1] == ' ' || item[len - 1] == '\t'))
			len--;
		p += strcspn(p, ",");
		if (*p == ',')
			p++;
		if (!len)
			continue;
		if (len >= 10 && strncmp(item, "classpath:", 10) == 0) {
			r = config_fail(o,
			                "'%.*s': classpath locations are inside Java JARs, which "
			                "dbmigrate cannot read",
			                (int)len, item);
			break;
		}
		if (len < 11 || strncmp(item, "filesystem:", 11) != 0) {
			if (memchr(item, ':', len) && !(len > 1 && item[1] == ':'))
				r = config_fail(o,
				                "'%.*s': only filesystem: locations are supported",
				                (int)len, item);
			else
				r = config_fail(
				    o,
				    "'%.*s': Flyway reads a location without a prefix as "
				    "classpath:, inside Java JARs; write filesystem:%.*s for a "
				    "folder",
				    (int)len, item, (int)len, item);
			break;
		}
		dir = item + 11;
		len -= 11;
		if (!len) {
			r = config_fail(o, "expected a folder after 'filesystem:'");
			break;
		}
		if (n++ > 0) {
			/* the second and later locations: searched after the first (scan.h) */
			if ((more.len && (r = dbm_buf_addc(&more, ',')) < 0) ||
			    (r = dbm_buf_add(&more, dir, len)) < 0)
				break;
			continue;
		}
		if (!(copy = dbm_strndup(dir, len))) {
			r = dbm_error_oom();
			break;
		}
		r = config_set_text(&cfg->migrations, copy);
		if (r == 0)
			r = config_set_text(&cfg->locations_first, copy);
		dbm_free(copy);
		if (r < 0)
			break;
	}
	if (r == 0)
		r = config_set_text(&cfg->locations_more, more.len ? dbm_buf_cstr(&more) : NULL);
	dbm_buf_free(&more);
	return r;
}

/*
 * Applies one Flyway setting (name without "flyway."), value already
 * expanded, to c. Returns 0, DBM_ERR_USAGE naming the setting and origin,
 * or DBM_ERR_NOMEM.
 */
static int fw_apply(struct config_fwconn *c, const char *name, const char *value,
                    const struct config_origin *o)
{
	struct dbm_config *cfg = c->cfg;
	const struct fw_key *k;
	const struct config_key *ck;
	int r;

	if (strncmp(name, "placeholders.", 13) == 0) {
		if (!name[13])
			return config_fail(o, "expected a placeholder name after 'placeholders.'");
		return dbm_placeholders_set(&cfg->placeholders, name + 13, value);
	}
	if (strncmp(name, "jdbcProperties.", 15) == 0)
		return config_fail(o,
		                   "JDBC properties cannot be passed to dbmigrate's drivers; put "
		                   "the connection's parameters in the url");
	k = fw_find(name);
	if (!k) {
		const char *best = NULL;
		size_t i, best_d = (size_t)-1;

		dbm_error_set(DBM_ERR_USAGE, "%s: unknown Flyway setting", o->subject);
		if (o->file)
			dbm_error_set_where(o->file, o->line);
		for (i = 0; i < DBM_ARRAY_SIZE(fw_keys); i++) {
			size_t d = dbm_edit_distance(name, fw_keys[i].name);

			if (d < best_d) {
				best_d = d;
				best = fw_keys[i].name;
			}
		}
		if (best && best_d <= 3)
			dbm_error_set_hint(
			    "Did you mean '%s'? See docs/adopting.md for the settings "
			    "dbmigrate reads.",
			    best);
		else
			dbm_error_set_hint("See docs/adopting.md for the Flyway settings dbmigrate "
			                   "reads.");
		return DBM_ERR_USAGE;
	}
	switch (k->act) {
	case FW_KEY:
		ck = config_find_key(k->arg, strlen(k->arg), CONFIG_IN_FILE);
		r = ck ? config_apply(cfg, ck, value, o) : 0;
		if (r == DBM_ERR_USAGE && (strstr(value, " #") || strstr(value, "\t#")))
			dbm_error_set_hint(
			    "In flyway.conf '#' starts a comment only at the start of a "
			    "line: move the comment to a line of its own.");
		return r;
	case FW_FIXED:
		if (fw_fixed_ok(k, value))
			return 0;
		dbm_error_set(DBM_ERR_USAGE, "%s: only '%s' is supported, got '%s'", o->subject,
		              k->arg, value);
		if (o->file)
			dbm_error_set_where(o->file, o->line);
		dbm_error_set_hint("%s", k->why);
		return DBM_ERR_USAGE;
	case FW_WARN:
		return fw_warn(cfg, o, "is ignored", k->why);
	case FW_REFUSE:
		dbm_error_set(DBM_ERR_USAGE, "%s: not supported", o->subject);
		if (o->file)
			dbm_error_set_where(o->file, o->line);
		dbm_error_set_hint("%s Remove the setting to run this project with dbmigrate.",
		                   k->why);
		return DBM_ERR_USAGE;
	case FW_URL:
		if (!*value)
			return config_fail(o, "expected a database URL, got an empty value");
		if ((r = config_set_text(&c->url, value)) < 0)
			return r;
		/* the origin may point into a caller's buffer (a variable's name): keep copies */
		snprintf(c->url_subject, sizeof(c->url_subject), "%s", o->subject);
		snprintf(c->url_source, sizeof(c->url_source), "%s", o->source ? o->source : "");
		c->url_o = *o;
		c->url_o.subject = c->url_subject;
		c->url_o.source = o->source ? c->url_source : NULL;
		return 0;
	case FW_USER:
		return config_set_text(&c->user, *value ? value : NULL);
	case FW_PASSWORD:
		if ((r = dbm_secret_add(value, strlen(value))) < 0 ||
		    (r = config_set_text(&c->password, *value ? value : NULL)) < 0)
			return r;
		return config_set_text(&c->pw_source, o->source ? o->source : o->subject);
	case FW_SCHEMAS:
		if (strchr(value, ',') && !c->check_only &&
		    (r = fw_warn(cfg, o, "names several schemas",
		                 "dbmigrate manages the first (its history table and clean); it "
		                 "neither creates nor cleans the others")) < 0)
			return r;
		return *value ? fw_first(&c->schemas, value) : config_set_text(&c->schemas, NULL);
	case FW_DEFAULT_SCHEMA:
		return config_set_text(&c->default_schema, *value ? value : NULL);
	case FW_LOCATIONS:
		return fw_locations(cfg, value, o);
	case FW_ENVIRONMENT:
		return 0; /* chosen before anything is applied */
	}
	return 0;
}

/* Expands ${env.X} in value and applies name=value. */
static int fw_apply_text(struct config_fwconn *c, const char *name, const char *value,
                         const struct config_origin *o, char *const *envp)
{
	struct dbm_buf v = DBM_BUF_INIT;
	struct config_origin from_env = *o;
	int r = fw_expand_env(value, envp, o, c->check_only, &v);

	/* a password from ${env.X} is not one the file holds */
	if (strstr(value, "${env."))
		from_env.source = "${env.}";
	if (r == 0)
		r = fw_apply(c, name, dbm_buf_cstr(&v), &from_env);
	dbm_buf_free(&v);
	return r;
}

/*
 * Puts the connection together (url with user and password) and the
 * schema into c->cfg. Returns 0, DBM_ERR_USAGE at the url's origin, NOMEM.
 */
static int fw_finish(struct config_fwconn *c)
{
	struct dbm_config *cfg = c->cfg;
	struct dbm_buf url = DBM_BUF_INIT;
	char *schema = NULL;
	const char *sch;
	int r = 0;

	if (c->url) {
		r = dbm_jdbc_url(c->url, c->user, c->password, &url, &schema);
		if (r < 0) {
			if (c->url_o.file)
				dbm_error_set_where(c->url_o.file, c->url_o.line);
			goto done;
		}
		if ((r = config_apply(cfg, &config_table[0], dbm_buf_cstr(&url), &c->url_o)) < 0)
			goto done;
		if (c->password && c->pw_source &&
		    (r = config_set_text(&cfg->url_source, c->pw_source)) < 0)
			goto done;
	} else if (c->user || c->password) {
		if ((r = config_note(cfg, "warning: a Flyway user or password is set but no url; "
		                          "they are not used")) < 0)
			goto done;
	}
	sch = c->default_schema ? c->default_schema : c->schemas ? c->schemas : schema;
	if (sch && (r = config_set_text(&cfg->schema, sch)) < 0)
		goto done;
done:
	if (url.ptr)
		memset(url.ptr, 0, url.cap);
	dbm_buf_free(&url);
	dbm_free(schema);
	return r;
}

static void fw_conn_free(struct config_fwconn *c)
{
	if (c->password)
		memset(c->password, 0, strlen(c->password));
	dbm_free(c->url);
	dbm_free(c->user);
	dbm_free(c->password);
	dbm_free(c->pw_source);
	dbm_free(c->schemas);
	dbm_free(c->default_schema);
	memset(c, 0, sizeof(*c));
}

/* The name of the environment of "environments.NAME.rest" into name; rest returned, or NULL. */
static const char *fw_env_split(const char *key, char *name, size_t size)
{
	const char *n, *dot;

	if (strncmp(key, "environments.", 13) != 0)
		return NULL;
	n = key + 13;
	if (!(dot = strchr(n, '.')))
		return NULL;
	snprintf(name, size, "%.*s", (int)(dot - n), n);
	return dot + 1;
}

/*
 * Applies the entries of environment env (every entry when env is NULL
 * and check_only) to c. Returns 0, DBM_ERR_USAGE, DBM_ERR_NOMEM.
 */
static int fw_apply_env(struct config_fwconn *c, const struct dbm_kvlist *l, const char *env,
                        const char *file, char *const *envp)
{
	size_t i;
	int r;

	for (i = 0; i < l->n; i++) {
		const struct dbm_kv *kv = &l->items[i];
		char name[256];
		const char *rest = fw_env_split(kv->key, name, sizeof(name));
		struct config_origin o = {kv->key, file, kv->line, file};
		size_t j;

		if (!rest || strcmp(name, env) != 0)
			continue;
		if (strncmp(rest, "flyway.", 7) == 0) {
			if ((r = fw_apply_text(c, rest + 7, kv->value, &o, envp)) < 0)
				return r;
			continue;
		}
		if (strncmp(rest, "jdbcProperties.", 15) == 0) {
			if ((r = fw_apply_text(c, rest, kv->value, &o, envp)) < 0)
				return r;
			continue;
		}
		for (j = 0; fw_env_keys[j] && strcmp(fw_env_keys[j], rest) != 0; j++)
			;
		if (!fw_env_keys[j]) {
			dbm_error_set(DBM_ERR_USAGE, "%s: unknown environment setting", kv->key);
			dbm_error_set_where(file, kv->line);
			dbm_error_set_hint("An environment holds url, user, password, schemas, "
			                   "connectRetries and the like; Flyway settings go under "
			                   "[environments.%s.flyway].",
			                   name);
			return DBM_ERR_USAGE;
		}
		if ((r = fw_apply_text(c, rest, kv->value, &o, envp)) < 0)
			return r;
	}
	return 0;
}

/* Reads the file whole (at most FW_MAX_FILE_BYTES). */
static int fw_read_all(FILE *f, const char *file, struct dbm_buf *text)
{
	char chunk[4096];
	size_t n;
	int r;

	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0) {
		if ((r = dbm_buf_add(text, chunk, n)) < 0)
			return r;
		if (text->len > FW_MAX_FILE_BYTES) {
			dbm_error_set(DBM_ERR_USAGE, "config file is larger than %d bytes",
			              FW_MAX_FILE_BYTES);
			dbm_error_set_where(file, 1);
			dbm_error_set_hint(
			    "A config file holds settings only; keep it under 1 MiB.");
			return DBM_ERR_USAGE;
		}
	}
	if (ferror(f))
		return dbm_error_set(DBM_ERR_USAGE, "cannot read config file '%s': %s", file,
		                     strerror(errno));
	return 0;
}

int config_flyway_read(struct config_flyway *fw, struct dbm_config *cfg, FILE *f, int toml,
                       char *const *envp)
{
	struct config_yaml *y = fw->y;
	struct dbm_buf text = DBM_BUF_INIT;
	const struct dbm_kv *sel;
	const char *env, *env_from = "flyway.environment";
	unsigned env_line = 0;
	size_t i;
	int r;

	if ((r = fw_read_all(f, y->file, &text)) < 0)
		goto done;
	r = toml ? dbm_toml_parse(dbm_buf_cstr(&text), text.len, y->file, &fw->list)
	         : dbm_props_parse(dbm_buf_cstr(&text), text.len, y->file, &fw->list);
	if (r < 0)
		goto done;
	/* The environment: --env / DBMIGRATE_ENV, FLYWAY_ENVIRONMENT, flyway.environment,
	 * "default". */
	env = y->env;
	if (!env && (env = config_getenv_set(envp, "FLYWAY_ENVIRONMENT")))
		env_from = "FLYWAY_ENVIRONMENT";
	if (!env && (sel = dbm_kvlist_get(&fw->list, "flyway.environment"))) {
		env = sel->value;
		env_line = sel->line;
	}
	fw->implicit_env = !env;
	if (!env)
		env = "default";
	if ((r = config_set_text(&fw->env, env)) < 0)
		goto done;
	fw->conn.cfg = cfg;
	for (i = 0; i < fw->list.n; i++) {
		const struct dbm_kv *kv = &fw->list.items[i];
		struct config_origin o = {kv->key, y->file, kv->line, y->file};
		char name[256];

		if (strncmp(kv->key, "flyway.", 7) == 0) {
			if ((r = fw_apply_text(&fw->conn, kv->key + 7, kv->value, &o, envp)) < 0)
				goto done;
		} else if (fw_env_split(kv->key, name, sizeof(name))) {
			if (!strstr(dbm_buf_cstr(&y->env_names), name) &&
			    (r = dbm_buf_addf(&y->env_names, "%s%s", y->env_names.len ? ", " : "",
			                      name)) < 0)
				goto done;
			if (strcmp(name, fw->env) == 0)
				y->env_found = 1;
			if (!y->env_line)
				y->env_line = kv->line;
		} else if ((r = fw_warn(cfg, &o, "is ignored",
		                        "it is not a Flyway setting (they start with flyway. or "
		                        "environments.)")) < 0) {
			goto done;
		}
	}
	/* The selected environment over [flyway]; every other one into a scratch config. */
	for (i = 0; i < fw->list.n; i++) {
		const struct dbm_kv *kv = &fw->list.items[i];
		char name[256];
		struct dbm_config scratch;
		struct config_fwconn sc;
		size_t j;
		int seen = 0;

		if (!fw_env_split(kv->key, name, sizeof(name)) || strcmp(name, fw->env) == 0)
			continue;
		for (j = 0; j < i && !seen; j++) {
			char other[256];

			seen = fw_env_split(fw->list.items[j].key, other, sizeof(other)) &&
			       strcmp(other, name) == 0;
		}
		if (seen)
			continue;
		memset(&scratch, 0, sizeof(scratch));
		memset(&sc, 0, sizeof(sc));
		sc.cfg = &scratch;
		sc.check_only = 1;
		r = fw_apply_env(&sc, &fw->list, name, y->file, envp);
		if (r == 0)
			r = fw_finish(&sc);
		fw_conn_free(&sc);
		dbm_config_free(&scratch);
		if (r < 0)
			goto done;
	}
	if (y->env_found && (r = fw_apply_env(&fw->conn, &fw->list, fw->env, y->file, envp)) < 0)
		goto done;
	if (!y->env_found && !y->env && !fw->implicit_env) {
		/* named in the file or by FLYWAY_ENVIRONMENT; --env is checked by config.c */
		r = dbm_error_set(DBM_ERR_USAGE, "%s: unknown environment '%s'", env_from, fw->env);
		if (env_line)
			dbm_error_set_where(y->file, env_line);
		if (y->env_names.len)
			dbm_error_set_hint("Environments defined in '%s': %s.", y->file,
			                   dbm_buf_cstr(&y->env_names));
		else
			dbm_error_set_hint("'%s' defines no [environments.NAME] tables.", y->file);
		goto done;
	}
done:
	dbm_buf_free(&text);
	return r;
}

/* "BASELINE_ON_MIGRATE" -> "baselineOnMigrate" into out. */
static void fw_camel(const char *s, size_t len, char *out, size_t size)
{
	size_t i, n = 0;
	int up = 0;

	for (i = 0; i < len && n + 1 < size; i++) {
		char c = s[i];

		if (c == '_') {
			up = 1;
			continue;
		}
		if (c >= 'A' && c <= 'Z' && !up)
			c = (char)(c - 'A' + 'a');
		else if (c >= 'a' && c <= 'z' && up)
			c = (char)(c - 'a' + 'A');
		up = 0;
		out[n++] = c;
	}
	out[n] = '\0';
}

int config_flyway_env(struct config_flyway *fw, struct dbm_config *cfg, char *const *envp)
{
	static const char prefix[] = "FLYWAY_";
	static const char ph[] = "FLYWAY_PLACEHOLDERS_";
	char *const *e;
	int r;

	fw->conn.cfg = cfg;
	for (e = envp; e && *e; e++) {
		const char *eq = strchr(*e, '=');
		char var[128], name[128] = {0};
		struct config_origin o = {var, NULL, 0, var};
		const struct fw_key *k;

		if (strncmp(*e, prefix, sizeof(prefix) - 1) != 0 || !eq ||
		    (size_t)(eq - *e) >= sizeof(var))
			continue;
		snprintf(var, sizeof(var), "%.*s", (int)(eq - *e), *e);
		if (strncmp(var, ph, sizeof(ph) - 1) == 0) {
			size_t j;

			snprintf(name, sizeof(name), "placeholders.%s", var + sizeof(ph) - 1);
			for (j = 13; name[j]; j++)
				if (name[j] >= 'A' && name[j] <= 'Z')
					name[j] = (char)(name[j] - 'A' + 'a');
			if (!name[13])
				continue;
			if ((r = fw_apply(&fw->conn, name, eq + 1, &o)) < 0)
				return r;
			fw->used_env = 1;
			continue;
		}
		if (!eq[1])
			continue; /* an empty variable counts as not set */
		if (strncmp(var, "FLYWAY_JDBC_PROPERTIES_", 23) == 0)
			return config_fail(&o,
			                   "JDBC properties cannot be passed to dbmigrate's "
			                   "drivers; put the connection's parameters in the url");
		fw_camel(var + sizeof(prefix) - 1, strlen(var) - (sizeof(prefix) - 1), name,
		         sizeof(name));
		k = fw_find(name);
		if (!k || k->act == FW_ENVIRONMENT)
			continue; /* FLYWAY_HOME, FLYWAY_EDITION, ...: not settings */
		if ((r = fw_apply(&fw->conn, name, eq + 1, &o)) < 0)
			return r;
		fw->used_env = 1;
	}
	return 0;
}

int config_flyway_finish(struct config_flyway *fw, struct dbm_config *cfg)
{
	fw->conn.cfg = cfg;
	return fw_finish(&fw->conn);
}

void config_flyway_free(struct config_flyway *fw)
{
	fw_conn_free(&fw->conn);
	dbm_kvlist_free(&fw->list);
	dbm_free(fw->env);
	fw->env = NULL;
}

int config_flyway_kind(const char *path, FILE *f)
{
	size_t len = strlen(path);
	char line[512];
	int kind = CONFIG_KIND_YAML;

	if (len >= 5 && strcmp(path + len - 5, ".toml") == 0)
		return CONFIG_KIND_TOML;
	if (len >= 5 && strcmp(path + len - 5, ".conf") == 0)
		return CONFIG_KIND_CONF;
	if ((len >= 4 && strcmp(path + len - 4, ".yml") == 0) ||
	    (len >= 5 && strcmp(path + len - 5, ".yaml") == 0))
		return CONFIG_KIND_YAML;
	/* Another name: look at the first line that is not blank or a comment. */
	while (fgets(line, sizeof(line), f)) {
		const char *p = line;

		while (*p == ' ' || *p == '\t')
			p++;
		if (!*p || *p == '\n' || *p == '\r' || *p == '#' || *p == '!')
			continue;
		if (*p == '[')
			kind = CONFIG_KIND_TOML;
		else if (strncmp(p, "flyway.", 7) == 0)
			kind = CONFIG_KIND_CONF;
		break;
	}
	rewind(f);
	return kind;
}
