/*
 * layout_scan.c - the scanner's side of the two-part layouts and of
 * naming: auto (layout_int.h): a dbmate or goose file becomes a versioned
 * script (its up part) and an undo script (its down part) over the same
 * file, and a folder whose files were read in more than one layout is one
 * problem naming a file of each. Called by scan.c only; it shares the
 * scanner's state through scan_int.h.
 */
#include <stdio.h>
#include <string.h>

#include "dbmigrate/common.h"
#include "dbmigrate/scan.h"
#include "layout_int.h"
#include "scan_int.h"

/* See layout_int.h. */
int layout_add_parts(struct scan_state *st, struct dbm_file *f)
{
	struct layout_parts parts;
	struct dbm_file down;
	int r;

	memset(&down, 0, sizeof(down));
	r = layout_read_parts(f->naming, f->path, &parts);
	if (r == DBM_ERR_USAGE) {
		struct dbm_error *e = dbm_error_last();
		char hint[sizeof(e->hint)], msg[sizeof(e->message)], file[sizeof(e->file)];
		unsigned line = e->line;

		snprintf(hint, sizeof(hint), "%s", e->hint);
		snprintf(msg, sizeof(msg), "%s", e->message);
		snprintf(file, sizeof(file), "%s", e->file);
		return scan_problem(st, file[0] ? file : NULL, line, hint, "%s", msg);
	}
	if (r < 0)
		return r;
	f->section = DBM_SECTION_UP;
	if (parts.has_down) {
		down.kind = DBM_FILE_UNDO;
		down.naming = f->naming;
		down.section = DBM_SECTION_DOWN;
		down.in_transaction = parts.down_tx ? f->in_transaction : 0;
		down.version = dbm_strdup(f->version);
		down.description = dbm_strdup(f->description);
		down.path = dbm_strdup(f->path);
		if (f->encoding)
			down.encoding = dbm_strdup(f->encoding);
		if (!down.version || !down.description || !down.path ||
		    (f->encoding && !down.encoding)) {
			scan_file_clear(&down);
			return dbm_error_oom();
		}
		down.script = down.path + (f->script - f->path);
		r = scan_list_add(&st->undo, &down);
		if (r < 0) {
			scan_file_clear(&down);
			return r;
		}
	}
	if (!parts.up_tx)
		f->in_transaction = 0;
	return scan_list_add(&st->versioned, f);
}

/* See layout_int.h. */
int layout_check_mixed(struct scan_state *st)
{
	struct dbm_buf list = DBM_BUF_INIT;
	unsigned i, n = 0;
	int r = 0;

	for (i = 1; i < DBM_NAMING_COUNT; i++)
		n += st->seen[i] != NULL;
	if (n < 2)
		return 0;
	for (i = 1; i < DBM_NAMING_COUNT && r == 0; i++)
		if (st->seen[i])
			r = dbm_buf_addf(&list, "%s\"%s\" (%s)", list.len ? ", " : "", st->seen[i],
			                 dbm_naming_name((enum dbm_naming)i));
	if (r == 0)
		r = scan_problem(st, NULL, 0,
		                 "Keep the migrations of one tool's layout in the folders, or set "
		                 "naming (--naming) to the layout to read.",
		                 "the migration folders mix layouts: %s", list.ptr);
	dbm_buf_free(&list);
	return r < 0 ? DBM_ERR_NOMEM : 0;
}
