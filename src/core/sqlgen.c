/*
 * sqlgen.c - the SQL text dbmigrate sends itself, per dialect (sqlgen.h).
 *
 * The history table follows Flyway's flyway_schema_history column for
 * column, with the types each database's Flyway support uses, so a table
 * Flyway created is read and appended to as it is.
 */
#include <string.h>

#include "dbmigrate/sqlgen.h"

int dbm_sql_ident(enum dbm_dialect d, const char *ident, struct dbm_buf *out)
{
	char q = d == DBM_DIALECT_MYSQL ? '`' : '"';
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
	const char *p;

	if (!s)
		return dbm_buf_adds(out, "NULL");
	if (dbm_buf_addc(out, '\'') < 0)
		return DBM_ERR_NOMEM;
	for (p = s; *p; p++) {
		if ((*p == '\'' || (*p == '\\' && d == DBM_DIALECT_MYSQL)) &&
		    dbm_buf_addc(out, *p) < 0)
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
	/* IMMEDIATE takes SQLite's write lock at once, so two writers never deadlock on upgrade. */
	return d == DBM_DIALECT_SQLITE ? "BEGIN IMMEDIATE" : "BEGIN";
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
	if (dbm_buf_adds(out, d == DBM_DIALECT_MYSQL ? "CREATE DATABASE IF NOT EXISTS "
						     : "CREATE SCHEMA IF NOT EXISTS ") < 0)
		return DBM_ERR_NOMEM;
	return dbm_sql_ident(d, schema, out);
}

int dbm_sql_history_exists(enum dbm_dialect d, const char *schema, const char *table,
			   struct dbm_buf *out)
{
	dbm_buf_clear(out);
	switch (d) {
	case DBM_DIALECT_SQLITE:
		if (dbm_buf_adds(out, "SELECT 1 FROM ") < 0 ||
		    dbm_sql_ident(d, schema && *schema ? schema : "main", out) < 0 ||
		    dbm_buf_adds(out, ".sqlite_master WHERE type = 'table' AND name = ") < 0)
			return DBM_ERR_NOMEM;
		return dbm_sql_literal(d, table, out);
	case DBM_DIALECT_PGSQL:
		if (dbm_buf_adds(out, "SELECT 1 FROM information_schema.tables WHERE table_schema = ") < 0 ||
		    (schema && *schema ? dbm_sql_literal(d, schema, out)
				       : dbm_buf_adds(out, "current_schema()")) < 0 ||
		    dbm_buf_adds(out, " AND table_name = ") < 0)
			return DBM_ERR_NOMEM;
		return dbm_sql_literal(d, table, out);
	case DBM_DIALECT_MYSQL:
		if (dbm_buf_adds(out, "SELECT 1 FROM information_schema.tables WHERE table_schema = ") < 0 ||
		    (schema && *schema ? dbm_sql_literal(d, schema, out)
				       : dbm_buf_adds(out, "DATABASE()")) < 0 ||
		    dbm_buf_adds(out, " AND table_name = ") < 0)
			return DBM_ERR_NOMEM;
		return dbm_sql_literal(d, table, out);
	}
	return 0;
}

int dbm_sql_history_create(enum dbm_dialect d, const char *schema, const char *table,
			   struct dbm_buf *out)
{
	static const char *const cols[] = {
		/* sqlite */
		" (\n"
		"    \"installed_rank\" INT NOT NULL PRIMARY KEY,\n"
		"    \"version\" VARCHAR(50),\n"
		"    \"description\" VARCHAR(200) NOT NULL,\n"
		"    \"type\" VARCHAR(20) NOT NULL,\n"
		"    \"script\" VARCHAR(1000) NOT NULL,\n"
		"    \"checksum\" INT,\n"
		"    \"installed_by\" VARCHAR(100) NOT NULL,\n"
		"    \"installed_on\" TEXT NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f','now')),\n"
		"    \"execution_time\" INT NOT NULL,\n"
		"    \"success\" BOOLEAN NOT NULL\n"
		")",
		/* postgresql */
		" (\n"
		"    \"installed_rank\" INT NOT NULL,\n"
		"    \"version\" VARCHAR(50),\n"
		"    \"description\" VARCHAR(200) NOT NULL,\n"
		"    \"type\" VARCHAR(20) NOT NULL,\n"
		"    \"script\" VARCHAR(1000) NOT NULL,\n"
		"    \"checksum\" INTEGER,\n"
		"    \"installed_by\" VARCHAR(100) NOT NULL,\n"
		"    \"installed_on\" TIMESTAMP NOT NULL DEFAULT now(),\n"
		"    \"execution_time\" INTEGER NOT NULL,\n"
		"    \"success\" BOOLEAN NOT NULL,\n"
		"    PRIMARY KEY (\"installed_rank\")\n"
		")",
		/* mysql */
		" (\n"
		"    `installed_rank` INT NOT NULL,\n"
		"    `version` VARCHAR(50),\n"
		"    `description` VARCHAR(200) NOT NULL,\n"
		"    `type` VARCHAR(20) NOT NULL,\n"
		"    `script` VARCHAR(1000) NOT NULL,\n"
		"    `checksum` INT,\n"
		"    `installed_by` VARCHAR(100) NOT NULL,\n"
		"    `installed_on` TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,\n"
		"    `execution_time` INT NOT NULL,\n"
		"    `success` BOOL NOT NULL,\n"
		"    PRIMARY KEY (`installed_rank`)\n"
		") ENGINE=InnoDB DEFAULT CHARSET=utf8mb4",
	};

	dbm_buf_clear(out);
	if (dbm_buf_adds(out, "CREATE TABLE ") < 0 || dbm_sql_table(d, schema, table, out) < 0)
		return DBM_ERR_NOMEM;
	return dbm_buf_adds(out, cols[d]);
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
	if (d == DBM_DIALECT_SQLITE) {
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
	static const char *const names[] = { "installed_rank", "version", "description", "type",
					     "script", "checksum", "installed_by", "installed_on",
					     "execution_time", "success" };
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

/* The expression for the connected user, when installed_by is not configured. */
static const char *sqlgen_current_user(enum dbm_dialect d)
{
	switch (d) {
	case DBM_DIALECT_PGSQL:
		return "current_user";
	case DBM_DIALECT_MYSQL:
		return "SUBSTRING_INDEX(CURRENT_USER(), '@', 1)";
	default:
		return "''";
	}
}

int dbm_sql_history_insert(enum dbm_dialect d, const char *schema, const char *table,
			   const struct dbm_history_row *row, struct dbm_buf *out)
{
	dbm_buf_clear(out);
	if (dbm_buf_adds(out, "INSERT INTO ") < 0 || dbm_sql_table(d, schema, table, out) < 0 ||
	    dbm_buf_adds(out, " (installed_rank, version, description, type, script, checksum, "
			      "installed_by, execution_time, success) VALUES (") < 0 ||
	    dbm_buf_addf(out, "%d, ", row->installed_rank) < 0 ||
	    dbm_sql_literal(d, row->version, out) < 0 || dbm_buf_adds(out, ", ") < 0 ||
	    dbm_sql_literal(d, row->description ? row->description : "", out) < 0 ||
	    dbm_buf_adds(out, ", ") < 0 || dbm_sql_literal(d, row->type, out) < 0 ||
	    dbm_buf_adds(out, ", ") < 0 || dbm_sql_literal(d, row->script ? row->script : "", out) < 0)
		return DBM_ERR_NOMEM;
	if ((row->has_checksum ? dbm_buf_addf(out, ", %ld, ", (long)row->checksum)
			       : dbm_buf_adds(out, ", NULL, ")) < 0)
		return DBM_ERR_NOMEM;
	if ((row->installed_by ? dbm_sql_literal(d, row->installed_by, out)
			       : dbm_buf_adds(out, sqlgen_current_user(d))) < 0)
		return DBM_ERR_NOMEM;
	if (dbm_buf_addf(out, ", %d, %s)", row->execution_time,
			 row->success ? (d == DBM_DIALECT_PGSQL ? "true" : "1")
				      : (d == DBM_DIALECT_PGSQL ? "false" : "0")) < 0)
		return DBM_ERR_NOMEM;
	return 0;
}

int dbm_sql_history_succeed(enum dbm_dialect d, const char *schema, const char *table, int rank,
			    int execution_time, struct dbm_buf *out)
{
	dbm_buf_clear(out);
	if (dbm_buf_adds(out, "UPDATE ") < 0 || dbm_sql_table(d, schema, table, out) < 0 ||
	    dbm_buf_addf(out, " SET success = %s, execution_time = %d WHERE installed_rank = %d",
			 d == DBM_DIALECT_PGSQL ? "true" : "1", execution_time, rank) < 0)
		return DBM_ERR_NOMEM;
	return 0;
}

int dbm_sql_history_delete(enum dbm_dialect d, const char *schema, const char *table, int rank,
			   struct dbm_buf *out)
{
	dbm_buf_clear(out);
	if (dbm_buf_adds(out, "DELETE FROM ") < 0 || dbm_sql_table(d, schema, table, out) < 0 ||
	    dbm_buf_addf(out, " WHERE installed_rank = %d", rank) < 0)
		return DBM_ERR_NOMEM;
	return 0;
}

int dbm_sql_history_realign(enum dbm_dialect d, const char *schema, const char *table, int rank,
			    const int32_t *checksum, const char *description, struct dbm_buf *out)
{
	dbm_buf_clear(out);
	if (dbm_buf_adds(out, "UPDATE ") < 0 || dbm_sql_table(d, schema, table, out) < 0 ||
	    dbm_buf_adds(out, " SET checksum = ") < 0 ||
	    (checksum ? dbm_buf_addf(out, "%ld", (long)*checksum) : dbm_buf_adds(out, "NULL")) < 0 ||
	    dbm_buf_adds(out, ", description = ") < 0 ||
	    dbm_sql_literal(d, description ? description : "", out) < 0 ||
	    dbm_buf_addf(out, " WHERE installed_rank = %d", rank) < 0)
		return DBM_ERR_NOMEM;
	return 0;
}

int dbm_sql_other_tables(enum dbm_dialect d, const char *schema, const char *table,
			 struct dbm_buf *out)
{
	dbm_buf_clear(out);
	if (d == DBM_DIALECT_SQLITE) {
		if (dbm_buf_adds(out, "SELECT name FROM sqlite_master WHERE type IN ('table', 'view') "
				      "AND name NOT LIKE 'sqlite_%' AND name <> ") < 0)
			return DBM_ERR_NOMEM;
		return dbm_sql_literal(d, table, out);
	}
	if (dbm_buf_adds(out, "SELECT table_name FROM information_schema.tables WHERE table_schema = ") < 0 ||
	    (schema && *schema ? dbm_sql_literal(d, schema, out)
			       : dbm_buf_adds(out, d == DBM_DIALECT_PGSQL ? "current_schema()"
									  : "DATABASE()")) < 0 ||
	    dbm_buf_adds(out, " AND table_name <> ") < 0)
		return DBM_ERR_NOMEM;
	return dbm_sql_literal(d, table, out);
}
