/*
 * gencomplete.c - writes a shell completion script from its template and the
 * command table, at build time: 'gencomplete SHELL TEMPLATE OUTPUT' copies
 * TEMPLATE to OUTPUT with the line holding @DBMIGRATE_TABLE@ replaced by the
 * table's commands and options (cmd/help.c), so the scripts cannot drift
 * from what dbmigrate accepts. Exits 0, or 1 with a message on stderr.
 */
#include <stdio.h>
#include <string.h>

#include "cmd/help.h"

int main(int argc, char **argv)
{
	FILE *in = NULL, *out = NULL;
	char line[4096];
	int status = 1, found = 0;

	if (argc != 4) {
		fprintf(stderr, "usage: gencomplete bash|zsh|fish TEMPLATE OUTPUT\n");
		return 2;
	}
	in = fopen(argv[2], "r");
	out = fopen(argv[3], "w");
	if (!in || !out) {
		fprintf(stderr, "gencomplete: cannot open %s\n", !in ? argv[2] : argv[3]);
		goto done;
	}
	while (fgets(line, sizeof(line), in)) {
		if (strstr(line, "@DBMIGRATE_TABLE@")) {
			if (dbm_help_completion(out, argv[1]) < 0) {
				fprintf(stderr, "gencomplete: unknown shell %s\n", argv[1]);
				goto done;
			}
			found = 1;
		} else {
			fputs(line, out);
		}
	}
	if (!found) {
		fprintf(stderr, "gencomplete: %s has no @DBMIGRATE_TABLE@ line\n", argv[2]);
		goto done;
	}
	status = ferror(in) || fflush(out) != 0 ? 1 : 0;
done:
	if (in)
		fclose(in);
	if (out && fclose(out) != 0)
		status = 1;
	if (status && out)
		remove(argv[3]);
	return status;
}
