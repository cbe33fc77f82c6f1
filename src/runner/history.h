/*
 * history.h - the one owner of the history table in the database.
 *
 * Every read and write of the history table goes through here: whether it
 * exists, its rows, creating it, appending a row, turning a failed row into
 * a success row, deleting and realigning rows (repair), and asking whether
 * the schema holds anything besides it. Values always travel as bound
 * parameters (the driver's exec_params, or dbm_stmt.params in a batch), so
 * the server's string settings (standard_conforming_strings,
 * NO_BACKSLASH_ESCAPES) cannot change what is stored. In --dry-run the same
 * statements are printed with the values as literals for the dialect's
 * default string rules, and nothing is sent. Commands call these through
 * the runner (runner.h includes this header); nothing else builds history
 * SQL.
 *
 * The snapshot table (<table>_snapshot) lives here too, beside the
 * history: one row per history row a change of the schema ended at, with
 * the schema's digest, canonical SQL and snapshot text (schema.h); its
 * values are bound the same way.
 */
#ifndef DBM_RUNNER_HISTORY_H
#define DBM_RUNNER_HISTORY_H

#include <stddef.h>

#include "dbmigrate/history.h"

struct dbm_session;
struct dbm_stmt;

/*
 * Reads the history table into s->history when it exists (sets
 * s->history_exists and s->next_rank). Every row is checked strictly (a
 * version that is not digits and separators names its installed_rank).
 * Returns 0; DBM_ERR_RUN with a hint when the table cannot be read or a row
 * is bad.
 */
int dbm_hist_read(struct dbm_session *s);

/*
 * Creates the schema, history table and its index when missing, and the
 * snapshot table beside it, in one transaction where DDL is transactional
 * (printed in dry-run). 0 or the failing statement's
 * error (rolled back).
 */
int dbm_hist_create(struct dbm_session *s);

/*
 * Appends row with the next installed_rank (set in row->installed_rank),
 * and row->installed_by filled when NULL; prints it in dry-run. Returns 0;
 * DBM_ERR_RUN when the rank would pass 2147483647 (nothing is written) or
 * the INSERT failed.
 */
int dbm_hist_insert(struct dbm_session *s, struct dbm_history_row *row);

/*
 * Fills *st with the INSERT of row (rank and installed_by as above) and its
 * bound values, to be queued in the session's batch (the driver has
 * DBM_CAP_BATCH_PARAMS); the values live in the session until the next
 * history statement. The caller increments s->next_rank once it ran.
 * 0, DBM_ERR_RUN (rank overflow) or DBM_ERR_NOMEM.
 */
int dbm_hist_insert_stmt(struct dbm_session *s, struct dbm_history_row *row, struct dbm_stmt *st);

/* Turns the failed row with that rank into a success row that took ms. 0 or the error. */
int dbm_hist_succeed(struct dbm_session *s, int rank, int ms);
/* Deletes the row with that rank (repair). 0 or the error. */
int dbm_hist_delete(struct dbm_session *s, int rank);
/* Sets checksum (NULL: SQL NULL) and description of the row with that rank. 0 or the error. */
int dbm_hist_realign(struct dbm_session *s, int rank, const int32_t *checksum,
                     const char *description);

/*
 * Counts the tables and views of the managed schema other than the history
 * table and dbmigrate's own lock and snapshot tables; *first gets the first
 * one's name (truncated to size). Returns 0 or the error.
 */
int dbm_hist_other_objects(struct dbm_session *s, size_t *count, char *first, size_t size);

/*
 * Whether a table named table exists in the managed schema: another
 * tool's history table, which 'adopt' reads (foreign.h). Sets *exists to 1
 * or 0. Returns 0 or the error.
 */
int dbm_hist_table_exists(struct dbm_session *s, const char *table, int *exists);

/*
 * The newest snapshot: *exists 0 when the snapshot table is missing;
 * *found 0 when it is missing or empty; else *rank, version (appended;
 * left empty for NULL) and digest (64 hex digits). 0 or the query's error.
 */
int dbm_hist_snapshot_latest(struct dbm_session *s, int *exists, int *found, int *rank,
                             struct dbm_buf *version, char digest[65]);
/* The snapshot text of the snapshot at rank into out (replaced). 0 or the query's error. */
int dbm_hist_snapshot_objects(struct dbm_session *s, int rank, struct dbm_buf *out);
/*
 * Creates the snapshot table when missing, then replaces the snapshot at
 * rank in one transaction. Nothing in dry-run. 0 or the failing
 * statement's error (rolled back).
 */
int dbm_hist_snapshot_write(struct dbm_session *s, int rank, const char *version,
                            const char *digest, const char *schema_sql, const char *objects);

#endif /* DBM_RUNNER_HISTORY_H */
