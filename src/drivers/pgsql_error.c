/*
 * pgsql_error.c - libpq's and the server's errors into dbm_error
 * (pgsqldrv.h): the message scrubbed of every secret (dbm_drv_lib_text),
 * detail, hint, SQLSTATE and the statement position as a byte offset; a
 * broken connection as "connection to the server was lost".
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pgsqldrv.h"

/*
 * The 1-based byte offset in sql (len bytes, UTF-8) of the 1-based
 * character position chars, as the server counts them. A position past
 * the end gives len; chars <= 0 or an empty text gives 0.
 */
static int pgsql_char_to_byte(const char *sql, size_t len, long chars)
{
	size_t i;
	long n = 0;

	if (chars <= 0)
		return 0;
	for (i = 0; i < len; i++) {
		if (((unsigned char)sql[i] & 0xC0) != 0x80 && ++n == chars)
			return (int)(i + 1);
	}
	return (int)len;
}

/*
 * Sets the error for a connection that broke: DBM_ERR_RUN "connection to
 * the server was lost", libpq's or the server's last words as detail and
 * the server's SQLSTATE when it sent one (57P01 when terminated). Marks
 * the connection lost. Returns DBM_ERR_RUN.
 */
int pgsqldrv_lost(struct pgsql_conn *pc, const PGresult *res)
{
	char text[2048];
	const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
	const char *why = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : NULL;

	if (!why && pc->pg)
		why = PQerrorMessage(pc->pg);
	dbm_drv_lib_text(text, sizeof(text), why, 0);
	pc->lost = 1;
	pc->locked = 0;
	dbm_error_set(DBM_ERR_RUN, PGSQL_LOST_MESSAGE);
	if (text[0])
		dbm_error_set_detail("%s", text);
	dbm_error_set_hint("Check that the server is running and reachable, then run the command "
	                   "again; statements of an interrupted transaction were rolled back.");
	if (state)
		snprintf(dbm_error_last()->sqlstate, sizeof(dbm_error_last()->sqlstate), "%s",
		         state);
	return DBM_ERR_RUN;
}

/* 0 when the connection can be used, else DBM_ERR_RUN with the lost-connection error. */
int pgsqldrv_check(struct pgsql_conn *pc)
{
	if (pc->lost || !pc->pg || PQstatus(pc->pg) == CONNECTION_BAD)
		return pgsqldrv_lost(pc, NULL);
	return 0;
}

/*
 * Sets the error from a failed result (res may be NULL: libpq's own
 * message). sql/len, when given, turn the server's character position into
 * a byte offset. A broken connection gives the lost-connection error.
 * Returns DBM_ERR_RUN, or DBM_ERR_NOMEM when libpq ran out of memory.
 */
int pgsqldrv_result_error(struct pgsql_conn *pc, const PGresult *res, const char *sql, size_t len)
{
	char text[4096];
	const char *primary, *f;
	struct dbm_error *e;

	if (PQstatus(pc->pg) == CONNECTION_BAD)
		return pgsqldrv_lost(pc, res);
	if (!res) {
		dbm_drv_lib_text(text, sizeof(text), PQerrorMessage(pc->pg), 0);
		if (strstr(text, "out of memory"))
			return dbm_error_oom();
		return dbm_error_set(DBM_ERR_RUN, "%s", text[0] ? text : "query failed");
	}
	primary = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);
	if (!primary)
		primary = PQresultErrorMessage(res);
	dbm_drv_lib_text(text, sizeof(text), primary, 0);
	dbm_error_set(DBM_ERR_RUN, "%s", text[0] ? text : "statement failed");
	f = PQresultErrorField(res, PG_DIAG_MESSAGE_DETAIL);
	if (f)
		dbm_error_set_detail("%s", f);
	f = PQresultErrorField(res, PG_DIAG_MESSAGE_HINT);
	if (f)
		dbm_error_set_hint("%s", f);
	e = dbm_error_last();
	f = PQresultErrorField(res, PG_DIAG_SQLSTATE);
	if (f)
		snprintf(e->sqlstate, sizeof(e->sqlstate), "%s", f);
	f = PQresultErrorField(res, PG_DIAG_STATEMENT_POSITION);
	if (f && sql)
		e->position = pgsql_char_to_byte(sql, len, strtol(f, NULL, 10));
	return DBM_ERR_RUN;
}
