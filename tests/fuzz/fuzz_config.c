/*
 * fuzz_config.c - libFuzzer entry point for the configuration loader
 * (config.c): the input is written to a temporary file and loaded as
 * dbmigrate.yml through --config, with an empty environment. Any result is
 * fine; a crash, a leak or undefined behaviour is not. When the load
 * succeeds, the configuration must have its defaults filled in.
 *
 * Build and run: scripts/fuzz.sh (see docs/reliability.md).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dbmigrate/common.h"
#include "dbmigrate/config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char fuzz_path[4096];

/* A file of our own to write each input to; removed at exit. */
static void fuzz_remove(void)
{
	unlink(fuzz_path);
}

static int fuzz_init_path(void)
{
	const char *tmp = getenv("TMPDIR");
	int fd;

	snprintf(fuzz_path, sizeof(fuzz_path), "%s/fuzz_config.XXXXXX", tmp && *tmp ? tmp : "/tmp");
	fd = mkstemp(fuzz_path);
	if (fd < 0)
		return -1;
	close(fd);
	atexit(fuzz_remove);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int ready;
	char *const envp[] = {NULL};
	struct dbm_setting flags[1];
	struct dbm_config cfg;
	FILE *f;

	if (!ready) {
		if (fuzz_init_path() < 0)
			abort();
		ready = 1;
	}
	f = fopen(fuzz_path, "wb");
	if (!f)
		abort();
	fwrite(data, 1, size, f);
	fclose(f);
	flags[0].key = "config";
	flags[0].value = fuzz_path;
	memset(&cfg, 0, sizeof(cfg));
	if (dbm_config_load(&cfg, flags, 1, envp) == 0 && (!cfg.url || !cfg.table))
		abort();
	dbm_config_free(&cfg);
	return 0;
}
