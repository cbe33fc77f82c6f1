/*
 * sqlgen.c - the SQL text dbmigrate sends itself, per dialect (sqlgen.h).
 *
 * What differs between dialects is in one table of facts (struct
 * dbm_sql_dialect); the builders read the facts and never test the dialect.
 * The history table follows Flyway's flyway_schema_history column for
 * column, with the types each database's Flyway support uses, so a table
 * Flyway created is read and appended to as it is.
 */
#include <stdio.h>
#include <string.h>

#include "dbmigrate/sqlgen.h"

/* The column sizes of history.h as SQL text. */
#define SQLGEN_STR2(x) #x
#define SQLGEN_STR(x) SQLGEN_STR2(x)

/* The facts of each dialect, by enum dbm_dialect (unformatted: clang-format breaks SQLGEN_STR). */
/* clang-format off */
static const struct dbm_sql_dialect sqlgen_dialects[] = {
    [DBM_DIALECT_SQLITE] =
	{
	    .begin = "BEGIN IMMEDIATE",
	    .create_schema = "CREATE SCHEMA IF NOT EXISTS ",
	    .current_schema = NULL,
	    .default_schema = "main",
	    .current_user = "''",
	    .bool_true = "1",
	    .bool_false = "0",
	    .history_columns =
	    " (\n"
	    "    \"installed_rank\" INT NOT NULL PRIMARY KEY,\n"
	    "    \"version\" VARCHAR(" SQLGEN_STR(DBM_HISTORY_VERSION_MAX) "),\n"
	    "    \"description\" VARCHAR(" SQLGEN_STR(DBM_HISTORY_DESCRIPTION_MAX) ") NOT NULL,\n"
	    "    \"type\" VARCHAR(" SQLGEN_STR(DBM_HISTORY_TYPE_MAX) ") NOT NULL,\n"
	    "    \"script\" VARCHAR(" SQLGEN_STR(DBM_HISTORY_SCRIPT_MAX) ") NOT NULL,\n"
	    "    \"checksum\" INT,\n"
	    "    \"installed_by\" VARCHAR(" SQLGEN_STR(DBM_HISTORY_INSTALLED_BY_MAX) ") NOT NULL,\n"
	    "    \"installed_on\" TEXT NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f','now')),\n"
	    "    \"execution_time\" INT NOT NULL,\n"
	    "    \"success\" BOOLEAN NOT NULL\n"
	    ")",
	    .ident_quote = '"',
	    .index_schema_on_name = 1,
	},
    [DBM_DIALECT_PGSQL] =
	{
	    .begin = "BEGIN",
	    .create_schema = "CREATE SCHEMA IF NOT EXISTS ",
	    .current_schema = "current_schema()",
	    .current_user = "current_user",
	    .bool_true = "true",
	    .bool_false = "false",
	    .history_columns =
	    " (\n"
	    "    \"installed_rank\" INT NOT NULL,\n"
	    "    \"version\" VARCHAR(" SQLGEN_STR(DBM_HISTORY_VERSION_MAX) "),\n"
	    "    \"description\" VARCHAR(" SQLGEN_STR(DBM_HISTORY_DESCRIPTION_MAX) ") NOT NULL,\n"
	    "    \"type\" VARCHAR(" SQLGEN_STR(DBM_HISTORY_TYPE_MAX) ") NOT NULL,\n"
	    "    \"script\" VARCHAR(" SQLGEN_STR(DBM_HISTORY_SCRIPT_MAX) ") NOT NULL,\n"
	    "    \"checksum\" INTEGER,\n"
	    "    \"installed_by\" VARCHAR(" SQLGEN_STR(DBM_HISTORY_INSTALLED_BY_MAX) ") NOT NULL,\n"
	    "    \"installed_on\" TIMESTAMP NOT NULL DEFAULT now(),\n"
	    "    \"execution_time\" INTEGER NOT NULL,\n"
	    "    \"success\" BOOLEAN NOT NULL,\n"
	    "    PRIMARY KEY (\"installed_rank\")\n"
	    ")",
	    .ident_quote = '"',
	    .numbered_params = 1,
	},
    [DBM_DIALECT_MYSQL] =
	{
	    .begin = "BEGIN",
	    .create_schema = "CREATE DATABASE IF NOT EXISTS ",
	    .current_schema = "DATABASE()",
	    .current_user = "SUBSTRING_INDEX(CURRENT_USER(), '@', 1)",
	    .bool_true = "1",
	    .bool_false = "0",
	    .history_columns =
	    " (\n"
	    "    `installed_rank` INT NOT NULL,\n"
	    "    `version` VARCHAR(" SQLGEN_STR(DBM_HISTORY_VERSION_MAX) "),\n"
	    "    `description` VARCHAR(" SQLGEN_STR(DBM_HISTORY_DESCRIPTION_MAX) ") NOT NULL,\n"
	    "    `type` VARCHAR(" SQLGEN_STR(DBM_HISTORY_TYPE_MAX) ") NOT NULL,\n"
	    "    `script` VARCHAR(" SQLGEN_STR(DBM_HISTORY_SCRIPT_MAX) ") NOT NULL,\n"
	    "    `checksum` INT,\n"
	    "    `installed_by` VARCHAR(" SQLGEN_STR(DBM_HISTORY_INSTALLED_BY_MAX) ") NOT NULL,\n"
	    "    `installed_on` TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,\n"
	    "    `execution_time` INT NOT NULL,\n"
	    "    `success` BOOL NOT NULL,\n"
	    "    PRIMARY KEY (`installed_rank`)\n"
	    ") ENGINE=InnoDB DEFAULT CHARSET=utf8mb4",
	    .ident_quote = '`',
	    .literal_backslash = 1,
	    .lf_only = 1,
	},
};
/* clang-format on */

const struct dbm_sql_dialect *dbm_sql_dialect(enum dbm_dialect d)
{
	return (size_t)d < DBM_ARRAY_SIZE(sqlgen_dialects) ? &sqlgen_dialects[d]
	                                                   : &sqlgen_dialects[DBM_DIALECT_SQLITE];
}

int dbm_sql_ident(enum dbm_dialect d, const char *ident, struct dbm_buf *out)
{
	char q = dbm_sql_dialect(d)->ident_quote;
	const char *p;

	if (dbm_buf_addc(out, q) < 0)
		return DBM_ERR_NOMEM;
	for (p = ident; *p; p++) {
		if (*p == q && dbm_buf_addc(out, q) < 0)
			return DBM_ERR_NOMEM;
		if (dbm_buf_addc(out, *p) < 0)
			return DBM_ERR_NOMEM;
	}
	return dbm_buf_addc(out, q);
}

int dbm_sql_literal(enum dbm_dialect d, const char *s, struct dbm_buf *out)
{
	int backslash = dbm_sql_dialect(d)->literal_backslash;
	const char *p;

	if (!s)
		return dbm_buf_adds(out, "NULL");
	if (dbm_buf_addc(out, '\'') < 0)
		return DBM_ERR_NOMEM;
	for (p = s; *p; p++) {
		if ((*p == '\'' || (*p == '\\' && backslash)) && dbm_buf_addc(out, *p) < 0)
			return DBM_ERR_NOMEM;
		if (dbm_buf_addc(out, *p) < 0)
			return DBM_ERR_NOMEM;
	}
	return dbm_buf_addc(out, '\'');
}

int dbm_sql_table(enum dbm_dialect d, const char *schema, const char *table, struct dbm_buf *out)
{
	if (schema && *schema) {
		if (dbm_sql_ident(d, schema, out) < 0 || dbm_buf_addc(out, '.') < 0)
			return DBM_ERR_NOMEM;
	}
	return dbm_sql_ident(d, table, out);
}

const char *dbm_sql_begin(enum dbm_dialect d)
{
	return dbm_sql_dialect(d)->begin;
}

const char *dbm_sql_commit(enum dbm_dialect d)
{
	(void)d;
	return "COMMIT";
}

const char *dbm_sql_rollback(enum dbm_dialect d)
{
	(void)d;
	return "ROLLBACK";
}

int dbm_sql_create_schema(enum dbm_dialect d, const char *schema, struct dbm_buf *out)
{
	dbm_buf_clear(out);
	if (dbm_buf_adds(out, dbm_sql_dialect(d)->create_schema) < 0)
		return DBM_ERR_NOMEM;
	return dbm_sql_ident(d, schema, out);
}

/*
 * Appends a value: a placeholder recorded in args (PostgreSQL $n, else ?),
 * or, with args NULL, the literal for the dialect's default string rules.
 * Returns 0 or DBM_ERR_NOMEM.
 */
static int sqlgen_value(enum dbm_dialect d, struct dbm_sql_args *args, const char *v,
                        struct dbm_buf *out)
{
	if (!args)
		return dbm_sql_literal(d, v, out);
	if (args->n >= DBM_SQL_MAX_ARGS)
		return dbm_error_set(DBM_ERR_RUN, "too many values for one statement");
	args->v[args->n++] = v;
	return dbm_sql_dialect(d)->numbered_params ? dbm_buf_addf(out, "$%u", args->n)
	                                           : dbm_buf_addc(out, '?');
}

/* As sqlgen_value for a number, written in decimal. */
static int sqlgen_number(enum dbm_dialect d, struct dbm_sql_args *args, long long v,
                         struct dbm_buf *out)
{
	char *num;

	if (!args)
		return dbm_buf_addf(out, "%lld", v);
	if (args->n >= DBM_SQL_MAX_ARGS)
		return dbm_error_set(DBM_ERR_RUN, "too many values for one statement");
	num = args->num[args->n];
	snprintf(num, sizeof(args->num[0]), "%lld", v);
	return sqlgen_value(d, args, num, out);
}

/* As sqlgen_value for a boolean: true/false for PostgreSQL, 1/0 elsewhere. */
static int sqlgen_bool(enum dbm_dialect d, struct dbm_sql_args *args, int v, struct dbm_buf *out)
{
	const struct dbm_sql_dialect *f = dbm_sql_dialect(d);
	const char *text = v ? f->bool_true : f->bool_false;

	return args ? sqlgen_value(d, args, text, out) : dbm_buf_adds(out, text);
}

/*
 * Appends the start of a catalog query over the schema's tables, "SELECT 1"
 * or with names the table names, up to the condition on the name: from the
 * dialect's own table of tables (SQLite's sqlite_master, own_filter saying
 * which rows) or else from information_schema.tables; it ends with "AND
 * <name column> ". 0 or DBM_ERR_NOMEM.
 */
static int sqlgen_catalog(enum dbm_dialect d, const char *schema, int names, const char *own_filter,
                          struct dbm_sql_args *args, struct dbm_buf *out)
{
	const struct dbm_sql_dialect *f = dbm_sql_dialect(d);

	if (!f->current_schema) {
		if (dbm_buf_addf(out, "SELECT %s FROM ", names ? "name" : "1") < 0 ||
		    dbm_sql_ident(d, schema && *schema ? schema : f->default_schema, out) < 0 ||
		    dbm_buf_addf(out, ".sqlite_master WHERE %s AND name ", own_filter) < 0)
			return DBM_ERR_NOMEM;
		return 0;
	}
	if (dbm_buf_addf(out, "SELECT %s FROM information_schema.tables WHERE table_schema = ",
	                 names ? "table_name" : "1") < 0 ||
	    (schema && *schema ? sqlgen_value(d, args, schema, out)
	                       : dbm_buf_adds(out, f->current_schema)) < 0 ||
	    dbm_buf_adds(out, " AND table_name ") < 0)
		return DBM_ERR_NOMEM;
	return 0;
}

int dbm_sql_history_exists(enum dbm_dialect d, const char *schema, const char *table,
                           struct dbm_sql_args *args, struct dbm_buf *out)
{
	dbm_buf_clear(out);
	if (args)
		args->n = 0;
	if (sqlgen_catalog(d, schema, 0, "type = 'table'", args, out) < 0 ||
	    dbm_buf_adds(out, "= ") < 0)
		return DBM_ERR_NOMEM;
	return sqlgen_value(d, args, table, out);
}

int dbm_sql_history_create(enum dbm_dialect d, const char *schema, const char *table,
                           struct dbm_buf *out)
{

	dbm_buf_clear(out);
	if (dbm_buf_adds(out, "CREATE TABLE ") < 0 || dbm_sql_table(d, schema, table, out) < 0)
		return DBM_ERR_NOMEM;
	return dbm_buf_adds(out, dbm_sql_dialect(d)->history_columns);
}

int dbm_sql_history_index(enum dbm_dialect d, const char *schema, const char *table,
                          struct dbm_buf *out)
{
	struct dbm_buf name = DBM_BUF_INIT;
	int r = DBM_ERR_NOMEM;

	dbm_buf_clear(out);
	if (dbm_buf_addf(&name, "%s_s_idx", table) < 0)
		goto done;
	if (dbm_buf_adds(out, "CREATE INDEX ") < 0)
		goto done;
	/* SQLite puts the schema on the index name, the others on the table. */
	if (dbm_sql_dialect(d)->index_schema_on_name) {
		if (dbm_sql_table(d, schema, name.ptr, out) < 0 || dbm_buf_adds(out, " ON ") < 0 ||
		    dbm_sql_ident(d, table, out) < 0)
			goto done;
	} else {
		if (dbm_sql_ident(d, name.ptr, out) < 0 || dbm_buf_adds(out, " ON ") < 0 ||
		    dbm_sql_table(d, schema, table, out) < 0)
			goto done;
	}
	if (dbm_buf_adds(out, " (") < 0 || dbm_sql_ident(d, "success", out) < 0 ||
	    dbm_buf_adds(out, ")") < 0)
		goto done;
	r = 0;
done:
	dbm_buf_free(&name);
	return r;
}

int dbm_sql_history_select(enum dbm_dialect d, const char *schema, const char *table,
                           struct dbm_buf *out)
{
	static const char *const names[] = {
	    "installed_rank", "version",      "description",  "type",           "script",
	    "checksum",       "installed_by", "installed_on", "execution_time", "success"};
	size_t i;

	dbm_buf_clear(out);
	if (dbm_buf_adds(out, "SELECT ") < 0)
		return DBM_ERR_NOMEM;
	for (i = 0; i < DBM_ARRAY_SIZE(names); i++) {
		if ((i && dbm_buf_adds(out, ", ") < 0) || dbm_sql_ident(d, names[i], out) < 0)
			return DBM_ERR_NOMEM;
	}
	if (dbm_buf_adds(out, " FROM ") < 0 || dbm_sql_table(d, schema, table, out) < 0 ||
	    dbm_buf_adds(out, " ORDER BY ") < 0 || dbm_sql_ident(d, "installed_rank", out) < 0)
		return DBM_ERR_NOMEM;
	return 0;
}

int dbm_sql_history_insert(enum dbm_dialect d, const char *schema, const char *table,
                           const struct dbm_history_row *row, struct dbm_sql_args *args,
                           struct dbm_buf *out)
{
	dbm_buf_clear(out);
	if (args)
		args->n = 0;
	if (dbm_buf_adds(out, "INSERT INTO ") < 0 || dbm_sql_table(d, schema, table, out) < 0 ||
	    dbm_buf_adds(out, " (installed_rank, version, description, type, script, checksum, "
	                      "installed_by, execution_time, success) VALUES (") < 0 ||
	    sqlgen_number(d, args, row->installed_rank, out) < 0 || dbm_buf_adds(out, ", ") < 0 ||
	    sqlgen_value(d, args, row->version, out) < 0 || dbm_buf_adds(out, ", ") < 0 ||
	    sqlgen_value(d, args, row->description ? row->description : "", out) < 0 ||
	    dbm_buf_adds(out, ", ") < 0 || sqlgen_value(d, args, row->type, out) < 0 ||
	    dbm_buf_adds(out, ", ") < 0 ||
	    sqlgen_value(d, args, row->script ? row->script : "", out) < 0 ||
	    dbm_buf_adds(out, ", ") < 0)
		return DBM_ERR_NOMEM;
	if ((row->has_checksum ? sqlgen_number(d, args, row->checksum, out)
	                       : dbm_buf_adds(out, "NULL")) < 0 ||
	    dbm_buf_adds(out, ", ") < 0)
		return DBM_ERR_NOMEM;
	if ((row->installed_by ? sqlgen_value(d, args, row->installed_by, out)
	                       : dbm_buf_adds(out, dbm_sql_dialect(d)->current_user)) < 0)
		return DBM_ERR_NOMEM;
	if (dbm_buf_adds(out, ", ") < 0 || sqlgen_number(d, args, row->execution_time, out) < 0 ||
	    dbm_buf_adds(out, ", ") < 0 || sqlgen_bool(d, args, row->success, out) < 0 ||
	    dbm_buf_addc(out, ')') < 0)
		return DBM_ERR_NOMEM;
	return 0;
}

int dbm_sql_history_succeed(enum dbm_dialect d, const char *schema, const char *table, int rank,
                            int execution_time, struct dbm_sql_args *args, struct dbm_buf *out)
{
	dbm_buf_clear(out);
	if (args)
		args->n = 0;
	if (dbm_buf_adds(out, "UPDATE ") < 0 || dbm_sql_table(d, schema, table, out) < 0 ||
	    dbm_buf_adds(out, " SET success = ") < 0 || sqlgen_bool(d, args, 1, out) < 0 ||
	    dbm_buf_adds(out, ", execution_time = ") < 0 ||
	    sqlgen_number(d, args, execution_time, out) < 0 ||
	    dbm_buf_adds(out, " WHERE installed_rank = ") < 0 ||
	    sqlgen_number(d, args, rank, out) < 0)
		return DBM_ERR_NOMEM;
	return 0;
}

int dbm_sql_history_delete(enum dbm_dialect d, const char *schema, const char *table, int rank,
                           struct dbm_sql_args *args, struct dbm_buf *out)
{
	dbm_buf_clear(out);
	if (args)
		args->n = 0;
	if (dbm_buf_adds(out, "DELETE FROM ") < 0 || dbm_sql_table(d, schema, table, out) < 0 ||
	    dbm_buf_adds(out, " WHERE installed_rank = ") < 0 ||
	    sqlgen_number(d, args, rank, out) < 0)
		return DBM_ERR_NOMEM;
	return 0;
}

int dbm_sql_history_realign(enum dbm_dialect d, const char *schema, const char *table, int rank,
                            const int32_t *checksum, const char *description,
                            struct dbm_sql_args *args, struct dbm_buf *out)
{
	dbm_buf_clear(out);
	if (args)
		args->n = 0;
	if (dbm_buf_adds(out, "UPDATE ") < 0 || dbm_sql_table(d, schema, table, out) < 0 ||
	    dbm_buf_adds(out, " SET checksum = ") < 0 ||
	    (checksum ? sqlgen_number(d, args, *checksum, out) : dbm_buf_adds(out, "NULL")) < 0 ||
	    dbm_buf_adds(out, ", description = ") < 0 ||
	    sqlgen_value(d, args, description ? description : "", out) < 0 ||
	    dbm_buf_adds(out, " WHERE installed_rank = ") < 0 ||
	    sqlgen_number(d, args, rank, out) < 0)
		return DBM_ERR_NOMEM;
	return 0;
}

int dbm_sql_other_tables(enum dbm_dialect d, const char *schema, const char *table,
                         const char *lock_table, const char *snapshot_table,
                         struct dbm_sql_args *args, struct dbm_buf *out)
{
	dbm_buf_clear(out);
	if (args)
		args->n = 0;
	if (sqlgen_catalog(d, schema, 1,
	                   "type IN ('table', 'view', 'trigger') AND name NOT LIKE 'sqlite\\_%' "
	                   "ESCAPE '\\'",
	                   args, out) < 0 ||
	    dbm_buf_adds(out, "NOT IN (") < 0)
		return DBM_ERR_NOMEM;
	if (sqlgen_value(d, args, table, out) < 0 || dbm_buf_adds(out, ", ") < 0 ||
	    sqlgen_value(d, args, lock_table, out) < 0 || dbm_buf_adds(out, ", ") < 0 ||
	    sqlgen_value(d, args, snapshot_table, out) < 0 || dbm_buf_adds(out, ")") < 0)
		return DBM_ERR_NOMEM;
	return 0;
}

int dbm_sql_snapshot_create(enum dbm_dialect d, const char *schema, const char *table,
                            struct dbm_buf *out)
{
	static const char *const cols[] = {
	    /* sqlite */
	    " (\n"
	    "    \"installed_rank\" INT NOT NULL PRIMARY KEY,\n"
	    "    \"version\" VARCHAR(" SQLGEN_STR(
	        DBM_HISTORY_VERSION_MAX) "),\n"
	                                 "    \"digest\" VARCHAR(64) NOT NULL,\n"
	                                 "    \"schema_sql\" TEXT NOT NULL,\n"
	                                 "    \"objects\" TEXT NOT NULL,\n"
	                                 "    \"taken_on\" TEXT NOT NULL DEFAULT "
	                                 "(strftime('%Y-%m-%d %H:%M:%f','now'))\n"
	                                 ")",
	    /* postgresql */
	    " (\n"
	    "    \"installed_rank\" INT NOT NULL,\n"
	    "    \"version\" VARCHAR(" SQLGEN_STR(
	        DBM_HISTORY_VERSION_MAX) "),\n"
	                                 "    \"digest\" VARCHAR(64) NOT NULL,\n"
	                                 "    \"schema_sql\" TEXT NOT NULL,\n"
	                                 "    \"objects\" TEXT NOT NULL,\n"
	                                 "    \"taken_on\" TIMESTAMP NOT NULL DEFAULT now(),\n"
	                                 "    PRIMARY KEY (\"installed_rank\")\n"
	                                 ")",
	    /* mysql */
	    " (\n"
	    "    `installed_rank` INT NOT NULL,\n"
	    "    `version` VARCHAR(" SQLGEN_STR(
	        DBM_HISTORY_VERSION_MAX) "),\n"
	                                 "    `digest` VARCHAR(64) NOT NULL,\n"
	                                 "    `schema_sql` LONGTEXT NOT NULL,\n"
	                                 "    `objects` LONGTEXT NOT NULL,\n"
	                                 "    `taken_on` TIMESTAMP NOT NULL DEFAULT "
	                                 "CURRENT_TIMESTAMP,\n"
	                                 "    PRIMARY KEY (`installed_rank`)\n"
	                                 ") ENGINE=InnoDB DEFAULT CHARSET=utf8mb4",
	};

	dbm_buf_clear(out);
	if (dbm_buf_adds(out, "CREATE TABLE IF NOT EXISTS ") < 0 ||
	    dbm_sql_table(d, schema, table, out) < 0)
		return DBM_ERR_NOMEM;
	return dbm_buf_adds(out, cols[d]);
}

int dbm_sql_snapshot_delete(enum dbm_dialect d, const char *schema, const char *table, int rank,
                            struct dbm_sql_args *args, struct dbm_buf *out)
{
	return dbm_sql_history_delete(d, schema, table, rank, args, out);
}

int dbm_sql_snapshot_insert(enum dbm_dialect d, const char *schema, const char *table, int rank,
                            const char *version, const char *digest, const char *schema_sql,
                            const char *objects, struct dbm_sql_args *args, struct dbm_buf *out)
{
	dbm_buf_clear(out);
	if (args)
		args->n = 0;
	if (dbm_buf_adds(out, "INSERT INTO ") < 0 || dbm_sql_table(d, schema, table, out) < 0 ||
	    dbm_buf_adds(out, " (installed_rank, version, digest, schema_sql, objects) VALUES (") <
	        0 ||
	    sqlgen_number(d, args, rank, out) < 0 || dbm_buf_adds(out, ", ") < 0 ||
	    sqlgen_value(d, args, version, out) < 0 || dbm_buf_adds(out, ", ") < 0 ||
	    sqlgen_value(d, args, digest, out) < 0 || dbm_buf_adds(out, ", ") < 0 ||
	    sqlgen_value(d, args, schema_sql, out) < 0 || dbm_buf_adds(out, ", ") < 0 ||
	    sqlgen_value(d, args, objects, out) < 0 || dbm_buf_addc(out, ')') < 0)
		return DBM_ERR_NOMEM;
	return 0;
}

int dbm_sql_snapshot_latest(enum dbm_dialect d, const char *schema, const char *table,
                            struct dbm_buf *out)
{
	dbm_buf_clear(out);
	if (dbm_buf_adds(out, "SELECT installed_rank, version, digest FROM ") < 0 ||
	    dbm_sql_table(d, schema, table, out) < 0 ||
	    dbm_buf_adds(out, " ORDER BY installed_rank DESC LIMIT 1") < 0)
		return DBM_ERR_NOMEM;
	return 0;
}

int dbm_sql_snapshot_objects(enum dbm_dialect d, const char *schema, const char *table, int rank,
                             struct dbm_sql_args *args, struct dbm_buf *out)
{
	dbm_buf_clear(out);
	if (args)
		args->n = 0;
	if (dbm_buf_adds(out, "SELECT objects FROM ") < 0 ||
	    dbm_sql_table(d, schema, table, out) < 0 ||
	    dbm_buf_adds(out, " WHERE installed_rank = ") < 0 ||
	    sqlgen_number(d, args, rank, out) < 0)
		return DBM_ERR_NOMEM;
	return 0;
}
