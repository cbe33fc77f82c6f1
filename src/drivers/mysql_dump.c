/*
 * mysql_dump.c - the MySQL/MariaDB schema for dump and diff (driver.h's
 * dump).
 *
 * The server prints every object itself: SHOW CREATE TABLE (columns,
 * keys, checks, options, partitioning), SHOW CREATE VIEW, SHOW CREATE
 * PROCEDURE / FUNCTION, SHOW CREATE EVENT, and triggers from
 * information_schema.TRIGGERS in one query. The lists of objects come from
 * information_schema, one query per kind. What the server chose or what
 * ties an object to one server is taken out: DEFINER clauses, the
 * AUTO_INCREMENT counter and the start time of a recurring event; dbmigrate's own tables (history,
 * snapshot, lock: dbm_dump_own_tables) are no part of it. Foreign keys leave their CREATE
 * TABLE and follow every table as ALTER TABLE; routines, triggers and events are wrapped in
 * DELIMITER lines so that the mariadb / mysql client loads them. Each table's lines give the diff
 * its columns, keys and checks.
 */
#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "drivers/dump.h"

struct mydump {
	struct dbm_conn *c;
	struct dbm_schema *out;
	const char *db;
	struct dbm_buf q, def, lit, hist;
	struct dbm_dump_rows rows, one;
};

/* Appends name as a backquoted identifier. 0 or DBM_ERR_NOMEM. */
static int mydump_ident(struct dbm_buf *b, const char *name)
{
	int r = dbm_buf_addc(b, '`');

	for (; *name && r == 0; name++)
		r = *name == '`' ? dbm_buf_adds(b, "``") : dbm_buf_addc(b, *name);
	return r ? r : dbm_buf_addc(b, '`');
}

/* Runs "SHOW CREATE <what> `db`.`name`" into d->one. 0 or the error. */
static int mydump_show(struct mydump *d, const char *what, const char *name)
{
	int r;

	dbm_buf_clear(&d->q);
	r = dbm_buf_addf(&d->q, "SHOW CREATE %s ", what);
	if (r == 0)
		r = mydump_ident(&d->q, d->db);
	if (r == 0)
		r = dbm_buf_addc(&d->q, '.');
	if (r == 0)
		r = mydump_ident(&d->q, name);
	if (r == 0)
		r = dbm_dump_query(d->c, d->q.ptr, &d->one);
	if (r == 0 && d->one.n != 1)
		r = dbm_error_set(DBM_ERR_RUN, "SHOW CREATE %s %s returned no definition", what,
		                  name);
	return r;
}

/* Length of the identifier or quoted word at s (`a``b`, 'x', or bare), 0 when none. */
static size_t mydump_word(const char *s)
{
	size_t i = 0;

	if (s[0] == '`' || s[0] == '\'') {
		char q = s[0];

		for (i = 1; s[i]; i++) {
			if (s[i] == q && s[i + 1] == q)
				i++;
			else if (s[i] == q)
				return i + 1;
		}
		return i;
	}
	while (s[i] && (isalnum((unsigned char)s[i]) || s[i] == '_' || s[i] == '%' || s[i] == '.' ||
	                s[i] == '-'))
		i++;
	return i;
}

/* Appends text with its first " DEFINER=user@host" taken out. 0 or DBM_ERR_NOMEM. */
static int mydump_no_definer(struct dbm_buf *b, const char *text)
{
	const char *p = strstr(text, " DEFINER=");
	size_t n;

	if (!p)
		return dbm_buf_adds(b, text);
	if (dbm_buf_add(b, text, (size_t)(p - text)) < 0)
		return DBM_ERR_NOMEM;
	p += strlen(" DEFINER=");
	n = mydump_word(p);
	p += n;
	if (*p == '@')
		p += 1 + mydump_word(p + 1);
	return dbm_buf_adds(b, p);
}

/* Appends text wrapped in DELIMITER lines, with a delimiter it does not contain. */
static int mydump_delimited(struct dbm_buf *b, const char *text)
{
	static const char *const delims[] = {";;", "$$", "//", "@@", "$$$$", "##"};
	const char *delim = delims[0];
	size_t i;

	for (i = 0; i < DBM_ARRAY_SIZE(delims); i++) {
		delim = delims[i];
		if (!strstr(text, delim))
			break;
	}
	return dbm_buf_addf(b, "DELIMITER %s\n%s%s\nDELIMITER ;", delim, text, delim);
}

/* Drops " AUTO_INCREMENT=<digits>" (the next id, the server's counter) from s in place. */
static void mydump_strip_counter(char *s)
{
	char *p = strstr(s, " AUTO_INCREMENT=");

	if (p) {
		char *e = p + strlen(" AUTO_INCREMENT=");

		while (isdigit((unsigned char)*e))
			e++;
		memmove(p, e, strlen(e) + 1);
	}
}

/*
 * Splits a column line after its name ("bigint(20) unsigned NOT NULL
 * DEFAULT 0 ...") into its type, default and the rest, and adds the part.
 */
static int mydump_column(struct dbm_schema_obj *o, const char *name, const char *rest)
{
	struct dbm_buf type = DBM_BUF_INIT, dflt = DBM_BUF_INIT, extra = DBM_BUF_INIT;
	const char *p = rest;
	int depth = 0, notnull = 0, has_dflt = 0, r = 0;

	/* the type: up to the first space outside quotes and parentheses, with its modifiers */
	while (*p && r == 0) {
		if (*p == '\'') {
			size_t n = mydump_word(p);

			r = dbm_buf_add(&type, p, n);
			p += n;
			continue;
		}
		if (*p == '(')
			depth++;
		else if (*p == ')')
			depth--;
		else if (*p == ' ' && depth == 0) {
			if (strncasecmp(p, " unsigned", 9) == 0 ||
			    strncasecmp(p, " zerofill", 9) == 0 ||
			    strncasecmp(p, " signed", 7) == 0) {
				size_t n = strncasecmp(p, " signed", 7) == 0 ? 7 : 9;

				r = dbm_buf_add(&type, p, n);
				p += n;
				continue;
			}
			break;
		}
		r = dbm_buf_addc(&type, *p++);
	}
	/* the rest: NOT NULL and DEFAULT apart, the others as they are */
	while (*p == ' ' && r == 0) {
		p++;
		if (strncmp(p, "NOT NULL", 8) == 0 && (p[8] == ' ' || !p[8])) {
			notnull = 1;
			p += 8;
			continue;
		}
		if (strncmp(p, "NULL", 4) == 0 && (p[4] == ' ' || !p[4])) {
			p += 4;
			continue;
		}
		if (strncmp(p, "DEFAULT ", 8) == 0 && !has_dflt) {
			size_t n;

			p += 8;
			n = mydump_word(p);
			if (p[n] == '(') { /* current_timestamp(), (expression) */
				int dep = 0;

				do {
					dep += p[n] == '(' ? 1 : p[n] == ')' ? -1 : 0;
					n++;
				} while (p[n] && dep > 0);
			}
			has_dflt = 1;
			r = dbm_buf_add(&dflt, p, n);
			p += n;
			continue;
		}
		/* any other word, or quoted or parenthesised text, up to the next space */
		if (extra.len)
			r = dbm_buf_addc(&extra, ' ');
		depth = 0;
		while (*p && r == 0 && (depth > 0 || *p != ' ')) {
			if (*p == '\'' || *p == '`') {
				size_t n = mydump_word(p);

				r = dbm_buf_add(&extra, p, n);
				p += n;
				continue;
			}
			depth += *p == '(' ? 1 : *p == ')' ? -1 : 0;
			r = dbm_buf_addc(&extra, *p++);
		}
	}
	if (r == 0)
		r = dbm_schema_add_part(o, DBM_PART_COLUMN, name, dbm_buf_cstr(&type),
		                        has_dflt ? dbm_buf_cstr(&dflt) : NULL, extra.ptr, notnull);
	dbm_buf_free(&type);
	dbm_buf_free(&dflt);
	dbm_buf_free(&extra);
	return r;
}

/* The name inside the first backquotes of s (unquoted into out), "" when none. */
static int mydump_unquote(const char *s, struct dbm_buf *out)
{
	const char *p = strchr(s, '`');
	size_t i;
	int r = 0;

	dbm_buf_clear(out);
	if (!p)
		return dbm_buf_adds(out, "");
	for (i = 1; p[i] && r == 0; i++) {
		if (p[i] == '`' && p[i + 1] == '`')
			i++;
		else if (p[i] == '`')
			break;
		r = dbm_buf_addc(out, p[i]);
	}
	return r ? r : dbm_buf_adds(out, "");
}

/*
 * One table from its SHOW CREATE TABLE text: its definition without
 * foreign keys and the counter, its parts, and its foreign keys as
 * objects of their own.
 */
static int mydump_table(struct mydump *d, const char *name, const char *create)
{
	struct dbm_buf body = DBM_BUF_INIT, pname = DBM_BUF_INIT;
	struct dbm_buf tname = DBM_BUF_INIT;
	struct dbm_schema_obj *o = NULL;
	const char *p = strchr(create, '\n'), *tail = NULL;
	char *tailcopy = NULL;
	size_t idx;
	int r;

	r = mydump_ident(&tname, name);
	if (r < 0)
		goto done;
	if (!p) {
		r = dbm_error_set(DBM_ERR_RUN, "cannot read SHOW CREATE TABLE of %s", name);
		goto done;
	}
	o = dbm_schema_add(d->out, DBM_SCHEMA_TABLE, "table", name, NULL, "");
	if (!o) {
		r = DBM_ERR_NOMEM;
		goto done;
	}
	idx = (size_t)(o - d->out->objs);
	for (p++; *p && r == 0;) {
		const char *e = strchr(p, '\n');
		size_t len = e ? (size_t)(e - p) : strlen(p);
		char *line;

		if (*p == ')') {
			tail = p;
			break;
		}
		line = dbm_strndup(p, len);
		if (!line) {
			r = dbm_error_oom();
			break;
		}
		if (len && line[len - 1] == ',')
			line[--len] = '\0';
		{
			const char *l = line;

			while (*l == ' ')
				l++;
			r = mydump_unquote(l, &pname);
			if (r == 0 && *l == '`') {
				r = mydump_column(&d->out->objs[idx], pname.ptr,
				                  l + mydump_word(l) + 1);
			} else if (r == 0 && strncmp(l, "CONSTRAINT ", 11) == 0 &&
			           strstr(l, " FOREIGN KEY ")) {
				struct dbm_buf full = DBM_BUF_INIT;

				r = dbm_buf_addf(&full, "%s.%s", name, pname.ptr);
				dbm_buf_clear(&d->def);
				if (r == 0)
					r = dbm_buf_addf(&d->def, "ALTER TABLE %s ADD %s;",
					                 tname.ptr, l);
				if (r == 0 &&
				    !dbm_schema_add(d->out, DBM_SCHEMA_FOREIGN_KEY, "foreign key",
				                    full.ptr, name, d->def.ptr))
					r = DBM_ERR_NOMEM;
				dbm_buf_free(&full);
				dbm_free(line);
				p = e ? e + 1 : p + len;
				continue;
			} else if (r == 0 && strncmp(l, "PRIMARY KEY", 11) == 0) {
				r = dbm_schema_add_part(&d->out->objs[idx], DBM_PART_CONSTRAINT,
				                        "PRIMARY", l, NULL, NULL, 0);
			} else if (r == 0 && (strncmp(l, "UNIQUE ", 7) == 0 ||
			                      strncmp(l, "CONSTRAINT ", 11) == 0)) {
				r = dbm_schema_add_part(&d->out->objs[idx], DBM_PART_CONSTRAINT,
				                        pname.ptr, l, NULL, NULL, 0);
			} else if (r == 0) {
				r = dbm_schema_add_part(&d->out->objs[idx], DBM_PART_INDEX,
				                        pname.ptr, l, NULL, NULL, 0);
			}
		}
		if (r == 0)
			r = dbm_buf_addf(&body, "%s%s", body.len ? ",\n" : "", line);
		dbm_free(line);
		p = e ? e + 1 : p + len;
	}
	if (r == 0 && !tail)
		r = dbm_error_set(DBM_ERR_RUN, "cannot read SHOW CREATE TABLE of %s", name);
	if (r == 0) {
		tailcopy = dbm_strdup(tail);
		if (!tailcopy)
			r = dbm_error_oom();
	}
	if (r == 0) {
		mydump_strip_counter(tailcopy);
		dbm_buf_clear(&d->def);
		r = dbm_buf_addf(&d->def, "CREATE TABLE %s (\n%s\n%s;", tname.ptr,
		                 body.ptr ? body.ptr : "", tailcopy);
	}
	if (r == 0) {
		o = &d->out->objs[idx];
		dbm_free(o->def);
		o->def = dbm_buf_detach(&d->def);
	}
done:
	dbm_free(tailcopy);
	dbm_buf_free(&body);
	dbm_buf_free(&pname);
	dbm_buf_free(&tname);
	return r;
}

/* Empties d->q and starts "SELECT ... WHERE <col> = '<db>'". */
static int mydump_list(struct mydump *d, const char *select, const char *col, const char *rest)
{
	int r;

	dbm_buf_clear(&d->q);
	r = dbm_buf_addf(&d->q, "%s WHERE %s = %s%s", select, col, d->lit.ptr, rest);
	if (r == 0)
		r = dbm_dump_query(d->c, d->q.ptr, &d->rows);
	return r;
}

static int mydump_tables(struct mydump *d)
{
	size_t i, first = d->out->n;
	int r;

	dbm_buf_clear(&d->def);
	r = dbm_buf_addf(&d->def, " AND TABLE_NAME NOT IN %s ORDER BY TABLE_NAME", d->hist.ptr);
	if (r == 0) {
		char *rest = dbm_buf_detach(&d->def);

		r = rest ? mydump_list(
		               d, "SELECT TABLE_NAME, TABLE_TYPE FROM information_schema.TABLES",
		               "TABLE_SCHEMA", rest)
		         : dbm_error_oom();
		dbm_free(rest);
	}
	for (i = 0; i < d->rows.n && r == 0; i++) {
		const char *name = dbm_dump_get(&d->rows, i, 0),
		           *type = dbm_dump_get(&d->rows, i, 1);
		int view = strcmp(type, "VIEW") == 0, seq = strcmp(type, "SEQUENCE") == 0;

		r = mydump_show(d, view ? "VIEW" : seq ? "SEQUENCE" : "TABLE", name);
		if (r < 0)
			break;
		if (view) {
			dbm_buf_clear(&d->def);
			r = mydump_no_definer(&d->def, dbm_dump_get(&d->one, 0, 1));
			if (r == 0)
				r = dbm_buf_addc(&d->def, ';');
			if (r == 0 && !dbm_schema_add(d->out, DBM_SCHEMA_VIEW, "view", name, NULL,
			                              d->def.ptr))
				r = DBM_ERR_NOMEM;
		} else if (seq) {
			dbm_buf_clear(&d->def);
			r = dbm_buf_addf(&d->def, "%s;", dbm_dump_get(&d->one, 0, 1));
			if (r == 0 && !dbm_schema_add(d->out, DBM_SCHEMA_SEQUENCE, "sequence", name,
			                              NULL, d->def.ptr))
				r = DBM_ERR_NOMEM;
		} else {
			r = mydump_table(d, name, dbm_dump_get(&d->one, 0, 1));
		}
	}
	for (i = first; i < d->out->n && r == 0; i++)
		if (d->out->objs[i].kind == DBM_SCHEMA_VIEW)
			r = dbm_schema_scan_deps(d->out, &d->out->objs[i]);
	return r;
}

static int mydump_routines(struct mydump *d)
{
	size_t i;
	int r = mydump_list(d, "SELECT ROUTINE_NAME, ROUTINE_TYPE FROM information_schema.ROUTINES",
	                    "ROUTINE_SCHEMA", " ORDER BY ROUTINE_NAME, ROUTINE_TYPE");

	for (i = 0; i < d->rows.n && r == 0; i++) {
		const char *name = dbm_dump_get(&d->rows, i, 0),
		           *type = dbm_dump_get(&d->rows, i, 1);
		int proc = strcmp(type, "PROCEDURE") == 0;
		struct dbm_buf body = DBM_BUF_INIT, key = DBM_BUF_INIT;

		if (strcmp(type, "PROCEDURE") != 0 && strcmp(type, "FUNCTION") != 0)
			continue; /* MariaDB's packages */
		r = mydump_show(d, type, name);
		if (r == 0)
			r = mydump_no_definer(&body, dbm_dump_get(&d->one, 0, 2));
		dbm_buf_clear(&d->def);
		if (r == 0)
			r = mydump_delimited(&d->def, body.ptr);
		/* a procedure and a function may share a name */
		if (r == 0)
			r = dbm_buf_addf(&key, "%s%s", name, proc ? "" : "()");
		if (r == 0 &&
		    !dbm_schema_add(d->out, DBM_SCHEMA_FUNCTION, proc ? "procedure" : "function",
		                    key.ptr, NULL, d->def.ptr))
			r = DBM_ERR_NOMEM;
		dbm_buf_free(&body);
		dbm_buf_free(&key);
	}
	return r;
}

static int mydump_triggers(struct mydump *d)
{
	struct dbm_buf prev = DBM_BUF_INIT, key = DBM_BUF_INIT, body = DBM_BUF_INIT;
	size_t i;
	int r;

	dbm_buf_clear(&d->def);
	r = dbm_buf_addf(&d->def,
	                 " AND EVENT_OBJECT_TABLE NOT IN %s ORDER BY EVENT_OBJECT_TABLE,"
	                 " ACTION_TIMING, EVENT_MANIPULATION, ACTION_ORDER",
	                 d->hist.ptr);
	if (r == 0) {
		char *rest = dbm_buf_detach(&d->def);

		r = rest ? mydump_list(d,
		                       "SELECT TRIGGER_NAME, EVENT_OBJECT_TABLE, ACTION_TIMING,"
		                       " EVENT_MANIPULATION, ACTION_STATEMENT, ACTION_ORDER"
		                       " FROM information_schema.TRIGGERS",
		                       "TRIGGER_SCHEMA", rest)
		         : dbm_error_oom();
		dbm_free(rest);
	}
	for (i = 0; i < d->rows.n && r == 0; i++) {
		const char *name = dbm_dump_get(&d->rows, i, 0),
		           *tbl = dbm_dump_get(&d->rows, i, 1);
		struct dbm_schema_obj *o;

		dbm_buf_clear(&body);
		dbm_buf_clear(&key);
		r = dbm_buf_adds(&body, "CREATE TRIGGER ");
		if (r == 0)
			r = mydump_ident(&body, name);
		if (r == 0)
			r = dbm_buf_addf(&body, " %s %s ON ", dbm_dump_get(&d->rows, i, 2),
			                 dbm_dump_get(&d->rows, i, 3));
		if (r == 0)
			r = mydump_ident(&body, tbl);
		if (r == 0)
			r = dbm_buf_addf(&body, " FOR EACH ROW %s", dbm_dump_get(&d->rows, i, 4));
		dbm_buf_clear(&d->def);
		if (r == 0)
			r = mydump_delimited(&d->def, body.ptr);
		if (r == 0)
			r = dbm_buf_addf(&key, "%s.%s", tbl, name);
		if (r < 0)
			break;
		o = dbm_schema_add(d->out, DBM_SCHEMA_TRIGGER, "trigger", key.ptr, tbl, d->def.ptr);
		if (!o) {
			r = DBM_ERR_NOMEM;
			break;
		}
		/* triggers of one table, timing and event fire in the order they were created */
		if (strcmp(dbm_dump_get(&d->rows, i, 5), "1") != 0 && prev.len)
			r = dbm_schema_add_dep(o, prev.ptr);
		dbm_buf_clear(&prev);
		if (r == 0)
			r = dbm_buf_adds(&prev, key.ptr);
	}
	dbm_buf_free(&prev);
	dbm_buf_free(&key);
	dbm_buf_free(&body);
	return r;
}

/*
 * Drops the " STARTS '<time>'" of a recurring event in place: the server
 * fills it with the time of creation when the event gave none (or gave
 * CURRENT_TIMESTAMP + INTERVAL ...), so two databases built by the same
 * migrations would never agree.
 */
static void mydump_strip_starts(char *s)
{
	char *p = strstr(s, " STARTS '");

	if (p && strstr(s, " ON SCHEDULE EVERY ")) {
		char *e = p + strlen(" STARTS '");

		while (*e && *e != '\'')
			e++;
		if (*e)
			memmove(p, e + 1, strlen(e + 1) + 1);
	}
}

static int mydump_events(struct mydump *d)
{
	size_t i;
	int r = mydump_list(d, "SELECT EVENT_NAME FROM information_schema.EVENTS", "EVENT_SCHEMA",
	                    " ORDER BY EVENT_NAME");

	for (i = 0; i < d->rows.n && r == 0; i++) {
		const char *name = dbm_dump_get(&d->rows, i, 0);
		struct dbm_buf body = DBM_BUF_INIT;

		r = mydump_show(d, "EVENT", name);
		if (r == 0)
			r = mydump_no_definer(&body, dbm_dump_get(&d->one, 0, 3));
		if (r == 0)
			mydump_strip_starts(body.ptr);
		dbm_buf_clear(&d->def);
		if (r == 0)
			r = mydump_delimited(&d->def, body.ptr);
		if (r == 0 &&
		    !dbm_schema_add(d->out, DBM_SCHEMA_EVENT, "event", name, NULL, d->def.ptr))
			r = DBM_ERR_NOMEM;
		dbm_buf_free(&body);
	}
	return r;
}

int dbm_mysql_dump(struct dbm_conn *c, const char *schema, const char *history_table,
                   struct dbm_schema *out)
{
	struct mydump d;
	int r;

	memset(&d, 0, sizeof(d));
	d.c = c;
	d.out = out;
	d.db = schema ? schema : c->schema;
	if (!d.db || !*d.db)
		return dbm_error_set(DBM_ERR_USAGE, "no database to dump: the URL names none");
	r = dbm_dump_literal(&d.lit, d.db, 1);
	if (r == 0)
		r = dbm_dump_own_tables(&d.hist, history_table, 1, 64); /* MySQL names: 64 bytes */
	if (r == 0)
		r = dbm_schema_set_header(out, "SET FOREIGN_KEY_CHECKS = 0;\n");
	if (r == 0)
		r = mydump_tables(&d);
	if (r == 0)
		r = mydump_routines(&d);
	if (r == 0)
		r = mydump_triggers(&d);
	if (r == 0)
		r = mydump_events(&d);
	dbm_buf_free(&d.q);
	dbm_buf_free(&d.def);
	dbm_buf_free(&d.lit);
	dbm_buf_free(&d.hist);
	dbm_dump_rows_free(&d.rows);
	dbm_dump_rows_free(&d.one);
	return r;
}
