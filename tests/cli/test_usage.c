/*
 * test_usage.c - what ships beside the binary, checked against the command
 * table it comes from: the bash completion run in bash, the fish one run in
 * fish, the zsh one parsed by zsh, the manual pages read for every command,
 * option and configuration key, and the Debian package built, unpacked into
 * a scratch root and run from there; the live progress and colours seen in
 * a tmux pane and not in a pipe.
 *
 * The shells, scdoc, man and dpkg-dev come with 'scripts/deps.sh test'; a
 * missing one fails the test with the package to install.
 */
#define _DEFAULT_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "cmd/cmd.h"
#include "dbmigrate/common.h"
#include "dbmigrate/config.h"
#include "testutil.h"

/* Output of the shell command line (run by sh -c); *status gets its exit code. Caller frees. */
static char *sh(int *status, const char *fmt, ...) DBM_GCC_PRINTF(2, 3);
static char *sh(int *status, const char *fmt, ...)
{
	struct dbm_buf cmd = DBM_BUF_INIT, out = DBM_BUF_INIT;
	char chunk[4096];
	size_t n;
	va_list ap;
	FILE *p;
	int st;

	va_start(ap, fmt);
	assert_int_equal(dbm_buf_vaddf(&cmd, fmt, ap), 0);
	va_end(ap);
	p = popen(cmd.ptr, "r");
	assert_non_null(p);
	while ((n = fread(chunk, 1, sizeof(chunk), p)) > 0)
		assert_int_equal(dbm_buf_add(&out, chunk, n), 0);
	st = pclose(p);
	*status = WIFEXITED(st) ? WEXITSTATUS(st) : 128;
	dbm_buf_free(&cmd);
	if (!out.ptr)
		return strdup("");
	return dbm_buf_detach(&out);
}

/* Fails the test unless program is on PATH, naming the Debian package to install. */
static void need(const char *program, const char *package)
{
	int st;
	char *out = sh(&st, "command -v %s", program);

	free(out);
	if (st != 0)
		fail_msg("%s is missing: apt-get install %s (scripts/deps.sh test)", program,
		         package);
}

/* The words the table gives for the options of cmd (NULL: global) starting with "--". */
static void table_options(struct dbm_buf *b, const struct dbm_command *cmd)
{
	size_t i, k;

	for (i = 0; dbm_options[i].name; i++) {
		const struct dbm_option *o = &dbm_options[i];
		int dup = 0;

		if (cmd ? !(o->bit & cmd->options) : o->bit != 0)
			continue;
		for (k = 0; k < i; k++)
			if (strcmp(dbm_options[k].name, o->name) == 0 &&
			    (cmd ? (dbm_options[k].bit & cmd->options) != 0 : !dbm_options[k].bit))
				dup = 1;
		if (!dup)
			assert_int_equal(dbm_buf_addf(b, " --%s", o->name), 0);
	}
}

static char *project_with_config(void)
{
	char *dir = dbm_test_tmpdir();

	dbm_test_write(dir, "dbmigrate.yml",
	               "url: sqlite:x.db\n"
	               "environments:\n"
	               "  dev:\n"
	               "    url: \"sqlite:dev.db\"\n"
	               "  \"prod\": { url: \"sqlite:prod.db\" }\n"
	               "  # a comment\n"
	               "  staging:\n"
	               "    lock_timeout: 3\n"
	               "placeholders:\n"
	               "  notanenv: x\n");
	dbm_test_write(dir, "other.yml", "environments:\n  qa: {}\n");
	dbm_test_write(dir, "migdir/V1__a.sql", "SELECT 1;\n");
	return dir;
}

static void test_usage__bash_completion_from_the_table(void **state)
{
	struct dbm_buf script = DBM_BUF_INIT, want = DBM_BUF_INIT, list = DBM_BUF_INIT;
	char *dir, *out;
	size_t c;
	int st;

	(void)state;
	need("bash", "bash");
	dir = project_with_config();
	/* c WORDS...: completes the last word as bash would, prints "[words] -> replies" */
	dbm_buf_addf(&script,
	             "source '%s/completion/dbmigrate.bash' || exit 9\n"
	             "c() { COMP_WORDS=(\"$@\"); COMP_CWORD=$(($# - 1)); COMPREPLY=(); "
	             "_dbmigrate; echo \"[$*] -> ${COMPREPLY[*]}\"; }\n"
	             "cd '%s'\n",
	             DBM_TEST_BUILD_DIR, dir);
	dbm_buf_adds(&script, "c dbmigrate ''\nc dbmigrate --json ''\nc dbmigrate help ''\n"
	                      "c dbmigrate --version ''\nc dbmigrate help migrate ''\n");
	dbm_buf_adds(&list, "help");
	for (c = 0; dbm_commands[c].name; c++)
		dbm_buf_addf(&list, " %s", dbm_commands[c].name);
	/* --version is a flag before a command: the commands come next */
	dbm_buf_addf(&want,
	             "[dbmigrate ] -> %s\n[dbmigrate --json ] -> %s\n"
	             "[dbmigrate help ] -> %s\n[dbmigrate --version ] -> %s\n"
	             "[dbmigrate help migrate ] -> \n",
	             list.ptr, list.ptr, list.ptr, list.ptr);
	for (c = 0; dbm_commands[c].name; c++) {
		dbm_buf_addf(&script, "c dbmigrate %s --\n", dbm_commands[c].name);
		dbm_buf_addf(&want, "[dbmigrate %s --] ->", dbm_commands[c].name);
		table_options(&want, NULL);
		table_options(&want, &dbm_commands[c]);
		dbm_buf_adds(&want, "\n");
	}
	/* values: environments of the file in use, files, folders, known words */
	dbm_buf_adds(&script, "c dbmigrate --env ''\nc dbmigrate migrate --env = ''\n"
	                      "c dbmigrate --config other.yml --env ''\nc dbmigrate "
	                      "--config=other.yml info --env ''\n"
	                      "c dbmigrate --config oth\nc dbmigrate --migrations mig\n"
	                      "c dbmigrate migrate --target l\nc dbmigrate baseline --version ''\n"
	                      "c dbmigrate --steps 2 rollback --st\nc dbmigrate --url ''\n");
	dbm_buf_adds(&want, "[dbmigrate --env ] -> dev prod staging\n"
	                    "[dbmigrate migrate --env = ] -> dev prod staging\n"
	                    "[dbmigrate --config other.yml --env ] -> qa\n"
	                    "[dbmigrate --config=other.yml info --env ] -> qa\n"
	                    "[dbmigrate --config oth] -> other.yml\n"
	                    "[dbmigrate --migrations mig] -> migdir\n"
	                    "[dbmigrate migrate --target l] -> latest\n"
	                    "[dbmigrate baseline --version ] -> \n"
	                    "[dbmigrate --steps 2 rollback --st] -> --steps\n"
	                    "[dbmigrate --url ] -> \n");
	dbm_test_write(dir, "complete.sh", script.ptr);
	out = sh(&st, "bash --norc --noprofile '%s/complete.sh' 2>&1", dir);
	assert_int_equal(st, 0);
	if (strcmp(out, want.ptr) != 0) {
		dbm_test_write(dir, "want", want.ptr);
		dbm_test_write(dir, "got", out);
		fail_msg("bash completes differently from the table: diff %s/want %s/got", dir,
		         dir);
	}
	free(out);
	dbm_buf_free(&script);
	dbm_buf_free(&want);
	dbm_buf_free(&list);
	dbm_test_rmtree(dir);
	free(dir);
}

static void test_usage__fish_and_zsh_completions(void **state)
{
	char *dir, *out;
	size_t c;
	int st;

	(void)state;
	need("fish", "fish");
	need("zsh", "zsh");
	out = sh(&st, "zsh -n '%s/completion/dbmigrate.zsh' 2>&1", DBM_TEST_BUILD_DIR);
	assert_int_equal(st, 0);
	assert_string_equal(out, "");
	free(out);
	dir = project_with_config();
	out = sh(&st,
	         "cd '%s' && fish --no-config -c \"source '%s/completion/dbmigrate.fish'; "
	         "complete -C'dbmigrate '\" 2>&1",
	         dir, DBM_TEST_BUILD_DIR);
	assert_int_equal(st, 0);
	for (c = 0; dbm_commands[c].name; c++) {
		char line[256];

		snprintf(line, sizeof(line), "%s\t%s\n", dbm_commands[c].name,
		         dbm_commands[c].summary);
		if (!dbm_test_contains(out, line))
			fail_msg("fish does not offer %s: %s", dbm_commands[c].name, out);
	}
	free(out);
	out = sh(&st,
	         "cd '%s' && fish --no-config -c \"source '%s/completion/dbmigrate.fish'; "
	         "complete -C'dbmigrate --env '; complete -C'dbmigrate rollback --st'; "
	         "complete -C'dbmigrate info --st'\" 2>&1 | cut -f1",
	         dir, DBM_TEST_BUILD_DIR);
	assert_int_equal(st, 0);
	assert_string_equal(out, "dev\nprod\nstaging\n--steps\n");
	free(out);
	dbm_test_rmtree(dir);
	free(dir);
}

/* Whether text has "*word*" (scdoc's bold) for word. */
static int has_bold(const char *text, const char *word)
{
	char needle[128];

	snprintf(needle, sizeof(needle), "*%s*", word);
	return dbm_test_contains(text, needle);
}

static void test_usage__manual_pages_cover_the_table(void **state)
{
	char *page, *yml, *out;
	const char *p;
	size_t i;
	int st;

	(void)state;
	page = dbm_test_read(DBM_TEST_SOURCE_DIR "/docs/man/dbmigrate.1.scd");
	yml = dbm_test_read(DBM_TEST_SOURCE_DIR "/docs/man/dbmigrate.yml.5.scd");
	assert_non_null(page);
	assert_non_null(yml);
	for (i = 0; dbm_commands[i].name; i++)
		if (!has_bold(page, dbm_commands[i].name))
			fail_msg("dbmigrate.1.scd does not describe the command %s",
			         dbm_commands[i].name);
	for (i = 0; dbm_options[i].name; i++) {
		char flag[64];

		snprintf(flag, sizeof(flag), "--%s", dbm_options[i].name);
		if (!has_bold(page, flag))
			fail_msg("dbmigrate.1.scd does not describe %s", flag);
		snprintf(flag, sizeof(flag), "-%c", dbm_options[i].short_name);
		if (dbm_options[i].short_name && !has_bold(page, flag))
			fail_msg("dbmigrate.1.scd does not describe %s", flag);
	}
	/* and every option the page names exists */
	for (p = strstr(page, "*--"); p; p = strstr(p + 1, "*--")) {
		size_t len = strcspn(p + 3, "*= ");

		if (!dbm_option_find(NULL, p + 3, len))
			fail_msg("dbmigrate.1.scd names --%.*s, which dbmigrate does not have",
			         (int)len, p + 3);
	}
	for (i = 0; dbm_config_keys[i]; i++)
		if (!has_bold(yml, dbm_config_keys[i]))
			fail_msg("dbmigrate.yml.5.scd does not describe the key %s",
			         dbm_config_keys[i]);
	free(page);
	free(yml);

	need("scdoc", "scdoc");
	need("man", "man-db");
	out = sh(&st, "MANWIDTH=80 man -l '%s/man/dbmigrate.1' 2>&1", DBM_TEST_BUILD_DIR);
	assert_int_equal(st, 0);
	assert_true(dbm_test_contains(out, "EXIT STATUS"));
	assert_true(dbm_test_contains(out, "dbmigrate.yml(5)"));
	free(out);
	out = sh(&st, "MANWIDTH=80 man -l '%s/man/dbmigrate.yml.5' 2>&1", DBM_TEST_BUILD_DIR);
	assert_int_equal(st, 0);
	assert_true(dbm_test_contains(out, "environments"));
	free(out);

	/*
	 * Lint: groff's warnings and mandoc's, but for the empty .PP that scdoc
	 * writes after each heading and list item, which mandoc drops
	 * ("skipping paragraph macro"): scdoc's way, not in our sources.
	 */
	out = sh(&st,
	         "MANWIDTH=80 man --warnings=w -l '%s/man/dbmigrate.1' '%s/man/dbmigrate.yml.5' "
	         "2>&1 >/dev/null",
	         DBM_TEST_BUILD_DIR, DBM_TEST_BUILD_DIR);
	assert_int_equal(st, 0);
	if (*out)
		fail_msg("groff warns about the manual pages:\n%s", out);
	free(out);
	need("mandoc", "mandoc");
	out = sh(&st,
	         "mandoc -Tlint -W warning '%s/man/dbmigrate.1' '%s/man/dbmigrate.yml.5' 2>&1 | "
	         "grep -v 'WARNING: skipping paragraph macro: PP \\(empty\\|after SH\\)$'",
	         DBM_TEST_BUILD_DIR, DBM_TEST_BUILD_DIR);
	if (*out)
		fail_msg("mandoc -Tlint finds faults in the manual pages:\n%s", out);
	free(out);
}

/*
 * The .deb: built with cpack, its Depends naming the package of every
 * library the binary links or loads with dlopen, unpacked into a scratch root
 * and run from there on the installed sample.
 */
static void test_usage__debian_package_installs_and_runs(void **state)
{
	char *dir = dbm_test_tmpdir();
	char *out, *deb, *libs, *line, *save = NULL;
	int st;

	(void)state;
	need("cpack", "cmake");
	need("dpkg-shlibdeps", "dpkg-dev");
	out = sh(&st, "cd '%s' && cpack --config '%s/CPackConfig.cmake' -G DEB -B '%s/pkg' 2>&1",
	         DBM_TEST_BUILD_DIR, DBM_TEST_BUILD_DIR, dir);
	if (st != 0)
		fail_msg("cpack failed: %s", out);
	free(out);
	deb = sh(&st, "ls '%s'/pkg/dbmigrate_*.deb", dir);
	assert_int_equal(st, 0);
	*strchr(deb, '\n') = '\0';

	/* every library: linked (NEEDED) and loaded by name at run time (a soname in the binary) */
	libs = sh(&st,
	          "{ readelf -d '%s' | sed -n 's/.*(NEEDED).*\\[\\(.*\\)\\]/\\1/p'; "
	          "strings '%s' | grep -E '^lib[a-z0-9_+.-]+\\.so\\.[0-9]+$'; } | sort -u",
	          DBM_TEST_BINARY, DBM_TEST_BINARY);
	assert_int_equal(st, 0);
	out = sh(&st, "dpkg-deb -f '%s' Depends", deb);
	assert_int_equal(st, 0);
	for (line = strtok_r(libs, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *path, *pkg, want[160];

		path = sh(&st,
		          "ldconfig -p | awk '$1 == \"%s\" && /x86-64|64bit|AArch64/ "
		          "{ print $NF; exit }'",
		          line);
		if (!*path) {
			free(path);
			path =
			    sh(&st, "ldconfig -p | awk '$1 == \"%s\" { print $NF; exit }'", line);
		}
		path[strcspn(path, "\n")] = '\0';
		if (!*path)
			fail_msg("%s: not found by ldconfig", line);
		/* the path ldconfig gives, else the file it leads to (/lib is /usr/lib here) */
		pkg = sh(&st,
		         "{ dpkg -S '%s' || dpkg -S \"$(readlink -f '%s')\"; } 2>/dev/null | "
		         "cut -d: -f1 | head -n 1",
		         path, path);
		pkg[strcspn(pkg, "\n")] = '\0';
		if (!*pkg)
			fail_msg("%s (%s): no package owns it", line, path);
		snprintf(want, sizeof(want), "%s", pkg);
		if (!dbm_test_contains(out, want))
			fail_msg("Depends '%s' lacks %s, which has %s", out, pkg, line);
		free(path);
		free(pkg);
	}
	free(libs);
	free(out);

	out = sh(&st, "dpkg -x '%s' '%s/root' && '%s/root/usr/bin/dbmigrate' --version", deb, dir,
	         dir);
	assert_int_equal(st, 0);
	assert_true(dbm_test_contains(out, "dbmigrate " DBM_VERSION_STRING "\n"));
	free(out);
	out = sh(&st,
	         "cd '%s' && ex=root/usr/share/doc/dbmigrate/examples/sqlite && "
	         "root/usr/bin/dbmigrate --migrations $ex/migrations --rollback $ex/rollback "
	         "--url sqlite:sample.db migrate 2>&1 && "
	         "root/usr/bin/dbmigrate --migrations $ex/migrations --rollback $ex/rollback "
	         "--url sqlite:sample.db info --json",
	         dir);
	if (st != 0)
		fail_msg("the installed binary failed on the installed sample: %s", out);
	assert_true(dbm_test_contains(out, "Applied "));
	assert_false(dbm_test_contains(out, "\"state\": \"Pending\""));
	assert_true(dbm_test_contains(out, "\"state\": \"Success\""));
	free(out);
	out = sh(&st, "MANWIDTH=80 man -l '%s/root/usr/share/man/man1/dbmigrate.1' 2>&1", dir);
	assert_int_equal(st, 0);
	assert_true(dbm_test_contains(out, "EXIT STATUS"));
	free(out);
	out = sh(&st,
	         "ls '%s/root/usr/share/bash-completion/completions/dbmigrate' "
	         "'%s/root/usr/share/zsh/vendor-completions/_dbmigrate' "
	         "'%s/root/usr/share/fish/vendor_completions.d/dbmigrate.fish' "
	         "'%s/root/usr/share/man/man5/dbmigrate.yml.5' "
	         "'%s/root/usr/share/doc/dbmigrate/copyright' >/dev/null",
	         dir, dir, dir, dir, dir);
	assert_int_equal(st, 0);
	free(out);
	free(deb);
	dbm_test_rmtree(dir);
	free(dir);
}

/*
 * Live progress on a terminal (a tmux pane, its raw output kept with
 * pipe-pane) and never in a pipe; states coloured on a terminal, not with
 * NO_COLOR, not in a pipe, and always with --color=always.
 */
static void test_usage__progress_and_colour_on_a_terminal_only(void **state)
{
	char *dir = dbm_test_tmpdir();
	char *out, *log, *mark;
	char sock[64];
	struct dbm_buf slow = DBM_BUF_INIT;
	int st, i;

	(void)state;
	need("tmux", "tmux");
	/* a script of slow statements: over half a second in all, so the line is redrawn */
	for (i = 0; i < 24; i++)
		dbm_buf_addf(&slow,
		             "CREATE TABLE t%d AS WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL "
		             "SELECT x + 1 FROM c WHERE x < 100000) SELECT x FROM c;\n",
		             i);
	dbm_test_write(dir, "migrations/V1__quick.sql", "CREATE TABLE q (id INT);\n");
	dbm_test_write(dir, "migrations/V2__slow_load.sql", slow.ptr);
	dbm_buf_free(&slow);
	snprintf(sock, sizeof(sock), "dbmtest%ld", (long)getpid());
	out = sh(&st,
	         "cd '%s' && unset NO_COLOR TMUX && export TERM=xterm && "
	         "tmux -L %s -f /dev/null new-session -d -x 160 -y 40 -s p "
	         "\"sleep 1; '%s' migrate; '%s' info; echo NOCOLOR-FROM-HERE; "
	         "NO_COLOR=1 '%s' info; tmux -L %s wait-for -S done\" && "
	         "tmux -L %s pipe-pane -t p -o 'cat > tty.log' && "
	         "timeout 300 tmux -L %s wait-for done; st=$?; tmux -L %s kill-server 2>/dev/null; "
	         "exit $st",
	         dir, sock, DBM_TEST_BINARY, DBM_TEST_BINARY, DBM_TEST_BINARY, sock, sock, sock,
	         sock);
	if (st != 0)
		fail_msg("tmux: %s", out);
	free(out);
	{
		char path[4200];

		snprintf(path, sizeof(path), "%s/tty.log", dir);
		log = dbm_test_read(path);
	}
	assert_non_null(log);
	if (!dbm_test_contains(log, "\r\033[KV2 slow load ... statement ") ||
	    !dbm_test_contains(log, " of 24, "))
		fail_msg("no live progress on the terminal: %s", log);
	assert_true(dbm_test_contains(log, "\r\033[KV2 slow load ... "));
	assert_true(dbm_test_contains(log, "Applied 2 migrations"));
	mark = strstr(log, "NOCOLOR-FROM-HERE");
	assert_non_null(mark);
	*mark = '\0';
	assert_true(dbm_test_contains(log, "\033[32mSuccess\033[0m"));
	assert_false(dbm_test_contains(mark + 1, "\033[32m"));
	assert_true(dbm_test_contains(mark + 1, "Success"));
	free(log);

	/* in a pipe: one line per script, no redraws, no colour unless asked */
	out = sh(&st, "cd '%s' && rm -f dbmigrate.db && '%s' migrate 2>&1 | cat", dir,
	         DBM_TEST_BINARY);
	assert_int_equal(st, 0);
	assert_true(dbm_test_contains(out, "V2 slow load ... "));
	assert_false(dbm_test_contains(out, "statement "));
	assert_false(dbm_test_contains(out, "\r"));
	assert_false(dbm_test_contains(out, "\033"));
	free(out);
	out = sh(&st, "cd '%s' && '%s' info | cat && NO_COLOR=1 '%s' info --color=always", dir,
	         DBM_TEST_BINARY, DBM_TEST_BINARY);
	assert_int_equal(st, 0);
	assert_int_equal(dbm_test_count(out, "\033[32mSuccess\033[0m"), 2);
	assert_int_equal(dbm_test_count(out, "| Success "), 2);
	free(out);
	dbm_test_rmtree(dir);
	free(dir);
}

/*
 * A new user's session: real interactive zsh, bash and fish in a tmux pane on
 * a private socket, keys typed with send-keys and the screen read with
 * capture-pane, polled until what is awaited shows (a bounded wait, not a
 * fixed sleep). The teardown kills the tmux server, also after a failure;
 * the shell also ends by itself after two minutes should the test die first.
 */
#define TERM_PROMPT "READY>"
#define TERM_WAIT_SECONDS 20

static struct {
	char sock[64];
	int running;
} term;

/* s quoted for sh: in single quotes, ' as '\''. */
static void add_quoted(struct dbm_buf *b, const char *s)
{
	assert_int_equal(dbm_buf_adds(b, "'"), 0);
	for (; *s; s++)
		assert_int_equal(*s == '\'' ? dbm_buf_adds(b, "'\\''") : dbm_buf_add(b, s, 1), 0);
	assert_int_equal(dbm_buf_adds(b, "'"), 0);
}

/* Starts shell (a command line, no double quotes) in a 200x50 pane in dir. */
static void term_start(const char *dir, const char *shell)
{
	static int started;
	char *out;
	int st;

	/* a socket of its own for each shell: a server being killed may still hold the last one */
	snprintf(term.sock, sizeof(term.sock), "dbmterm%ld-%d", (long)getpid(), ++started);
	out = sh(&st,
	         "unset TMUX; tmux -L %s -f /dev/null new-session -d -x 200 -y 50 -s t -c '%s' "
	         "\"env TERM=xterm HOME='%s' XDG_CONFIG_HOME='%s/cfg' XDG_DATA_HOME='%s/data' "
	         "timeout --foreground 120 %s\" 2>&1",
	         term.sock, dir, dir, dir, dir, shell);
	if (st != 0)
		fail_msg("tmux did not start %s: %s", shell, out);
	term.running = 1;
	free(out);
}

static int term_teardown(void **state)
{
	(void)state;
	if (term.running) {
		int st;
		/* the server leaves its socket file behind */
		char *out = sh(&st,
		               "tmux -L %s kill-server 2>&1; "
		               "rm -f \"${TMUX_TMPDIR:-/tmp}/tmux-$(id -u)/%s\"",
		               term.sock, term.sock);

		free(out);
		term.running = 0;
	}
	return 0;
}

/* Presses keys (tmux key names: "Tab", "C-u C-l"); with literal, types them as text. */
static void term_send(const char *keys, int literal)
{
	struct dbm_buf cmd = DBM_BUF_INIT;
	char *out;
	int st;

	assert_int_equal(
	    dbm_buf_addf(&cmd, "tmux -L %s send-keys -t t %s", term.sock, literal ? "-l " : ""), 0);
	if (literal)
		add_quoted(&cmd, keys);
	else
		assert_int_equal(dbm_buf_adds(&cmd, keys), 0);
	out = sh(&st, "%s 2>&1", cmd.ptr);
	if (st != 0)
		fail_msg("tmux send-keys %s: %s", keys, out);
	free(out);
	dbm_buf_free(&cmd);
}

/* Whether a line of screen, its trailing blanks dropped, is line. */
static int shows_line(const char *screen, const char *line)
{
	size_t want = strlen(line);

	while (*screen) {
		size_t len = strcspn(screen, "\n"), n = len;

		while (n > 0 && screen[n - 1] == ' ')
			n--;
		if (n == want && memcmp(screen, line, n) == 0)
			return 1;
		screen += len + (screen[len] == '\n');
	}
	return 0;
}

/* The lines of screen that are not blank. */
static int count_lines(const char *screen)
{
	int n = 0;

	while (*screen) {
		size_t len = strcspn(screen, "\n");

		if (strspn(screen, " ") < len)
			n++;
		screen += len + (screen[len] == '\n');
	}
	return n;
}

/*
 * Whether every word of words (separated by spaces) is offered below the
 * first line (the command line): at the start of a line or after two
 * blanks, as a list's columns put it, and followed by a blank or the end of
 * its line.
 */
static int shows_words(const char *screen, const char *words)
{
	const char *list = strchr(screen, '\n');

	if (!list)
		return 0;
	while (*words) {
		size_t len = strcspn(words, " ");
		const char *p;
		int found = 0;

		for (p = list; !found && (p = strstr(p, "\n")) != NULL; p++) {
			const char *q = p + 1;

			while (!found && *q && *q != '\n') {
				if ((q == p + 1 || (q - p > 2 && q[-1] == ' ' && q[-2] == ' ')) &&
				    strncmp(q, words, len) == 0 &&
				    (q[len] == ' ' || q[len] == '\n' || q[len] == '\0'))
					found = 1;
				q++;
			}
		}
		if (!found)
			return 0;
		words += len + (words[len] == ' ');
	}
	return 1;
}

/*
 * The screen once it shows the line line, the words words and the text text
 * (each NULL: not asked; all NULL: only the prompt); with attrs, the screen
 * has its bold and underline as escape sequences. Fails after a while.
 */
static char *term_wait(const char *line, const char *words, const char *text, int attrs)
{
	struct timespec start, now;
	char *screen = NULL;
	int st;

	clock_gettime(CLOCK_MONOTONIC, &start);
	for (;;) {
		free(screen);
		screen = sh(&st, "tmux -L %s capture-pane -p %s-t t 2>&1", term.sock,
		            attrs ? "-e " : "");
		if (st != 0)
			fail_msg("tmux capture-pane: %s", screen);
		if (!line && !words && !text
		        ? shows_line(screen, TERM_PROMPT) && count_lines(screen) == 1
		        : (!line || shows_line(screen, line)) &&
		              (!words || shows_words(screen, words)) &&
		              (!text || dbm_test_contains(screen, text)))
			return screen;
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (now.tv_sec - start.tv_sec > TERM_WAIT_SECONDS) {
			/* whole: cmocka cuts a long message */
			fprintf(stderr, "the terminal shows:\n%s\n", screen);
			fail_msg("waited %d s for the line '%s', the words '%s' and the text '%s'",
			         TERM_WAIT_SECONDS, line ? line : "", words ? words : "",
			         text ? text : "");
		}
		usleep(50 * 1000);
	}
}

/*
 * On a cleared screen, types text, presses keys and returns the screen once
 * the command line has become the prompt and shown and lists the words
 * below it. Caller frees.
 */
static char *term_complete(const char *text, const char *keys, const char *shown, const char *words)
{
	char line[512];

	term_send("C-u C-l", 0);
	free(term_wait(NULL, NULL, NULL, 0));
	term_send(text, 1);
	snprintf(line, sizeof(line), TERM_PROMPT " %s", text);
	line[strlen(line) - (text[strlen(text) - 1] == ' ')] = '\0';
	free(term_wait(line, NULL, NULL, 0));
	term_send(keys, 0);
	snprintf(line, sizeof(line), TERM_PROMPT " %s", shown);
	return term_wait(line, words, NULL, 0);
}

/*
 * The same session in each shell: a command completed, the commands listed,
 * the configuration's environments (also of the file --config names) and
 * --color's values offered, a command's options (the global ones and its
 * own) listed, a file completed after --config, and an option that only
 * another command has not offered. list is the key that lists (bash's
 * second Tab); pre prefixes --color's values as the shell lists them;
 * described: the shell shows each option's help.
 */
static void term_session(const char *shell, const char *list, const char *pre, int described)
{
	struct dbm_buf words = DBM_BUF_INIT;
	const struct dbm_command *migrate = NULL;
	char *screen;
	size_t c, o;

	free(term_complete("dbmigrate mi", "Tab", "dbmigrate migrate", NULL));
	for (c = 0; dbm_commands[c].name; c++) {
		assert_int_equal(dbm_buf_addf(&words, "%s%s", c ? " " : "", dbm_commands[c].name),
		                 0);
		if (strcmp(dbm_commands[c].name, "migrate") == 0)
			migrate = &dbm_commands[c];
	}
	if (!migrate) {
		fail_msg("the command table has no migrate");
		return; /* fail_msg does not return; the analyzer does not know it */
	}
	free(term_complete("dbmigrate ", list, "dbmigrate", words.ptr));
	free(term_complete("dbmigrate --env ", list, "dbmigrate --env", "dev prod staging"));
	dbm_buf_free(&words);
	assert_int_equal(dbm_buf_addf(&words, "%sauto %salways %snever", pre, pre, pre), 0);
	free(term_complete("dbmigrate --color=", list, "dbmigrate --color=", words.ptr));
	dbm_buf_free(&words);
	table_options(&words, NULL);
	table_options(&words, migrate);
	screen = term_complete("dbmigrate migrate --", list, "dbmigrate migrate --", words.ptr + 1);
	dbm_buf_free(&words);
	/* each with its help here, not that of another command's option of that name */
	for (o = 0; described && dbm_options[o].name; o++)
		if ((dbm_options[o].bit & migrate->options) &&
		    !dbm_test_contains(screen, dbm_options[o].help))
			fail_msg("%s: migrate's --%s is not offered with its help (%s):\n%s", shell,
			         dbm_options[o].name, dbm_options[o].help, screen);
	free(screen);
	free(term_complete("dbmigrate rollback --st", "Tab", "dbmigrate rollback --steps", NULL));
	free(term_complete("dbmigrate --config oth", "Tab", "dbmigrate --config other.yml", NULL));
	/* the environments of the file --config names */
	free(term_complete("dbmigrate --config other.yml --env ", "Tab",
	                   "dbmigrate --config other.yml --env qa", NULL));
	/* nothing offered: the Z typed after the Tab lands right after --st */
	free(term_complete("dbmigrate info --st", "Tab", "dbmigrate info --st", NULL));
	term_send("Z", 1);
	free(term_wait(TERM_PROMPT " dbmigrate info --stZ", NULL, NULL, 0));
}

/*
 * man -l of a built page in the pane: its header, its section titles in
 * bold, less searching it with find ("/pattern") and showing then, and back
 * at the prompt after q.
 */
static void term_man(const char *page, const char *title, const char *find, const char *then)
{
	char cmd[4400];

	term_send("C-u C-l", 0);
	free(term_wait(NULL, NULL, NULL, 0));
	snprintf(cmd, sizeof(cmd), "MANWIDTH=100 man -l '%s/man/%s'", DBM_TEST_BUILD_DIR, page);
	term_send(cmd, 1);
	term_send("Enter", 0);
	/* less reads keys once its prompt shows: typed before, they go astray */
	free(term_wait(NULL, NULL, "(press h for help or q to quit)", 0));
	free(term_wait(NULL, NULL, title, 0));
	free(term_wait(NULL, NULL, "\033[1mNAME", 1));
	term_send(find, 1);
	term_send("Enter", 0);
	/* less puts the line found at the top */
	free(term_wait(NULL, NULL, then, 0));
	term_send("q", 0);
	free(term_wait(TERM_PROMPT, NULL, NULL, 0));
}

static void test_usage__completion_in_interactive_shells(void **state)
{
	char *dir = project_with_config();
	char cmd[4400];

	(void)state;
	need("tmux", "tmux");
	need("zsh", "zsh");
	need("bash", "bash");
	need("fish", "fish");

	/* zsh: the completion found through $fpath by compinit, as _dbmigrate */
	dbm_test_write(dir, "zfunc/.keep", "");
	snprintf(cmd, sizeof(cmd), "ln -s '%s/completion/dbmigrate.zsh' '%s/zfunc/_dbmigrate'",
	         DBM_TEST_BUILD_DIR, dir);
	assert_int_equal(system(cmd), 0);
	term_start(dir, "zsh -f");
	snprintf(cmd, sizeof(cmd),
	         "fpath=('%s/zfunc' $fpath); autoload -Uz compinit; compinit -u -D; "
	         "PS1='" TERM_PROMPT " '",
	         dir);
	term_send(cmd, 1);
	term_send("Enter", 0);
	term_session("zsh", "Tab", "", 1);
	term_teardown(NULL);

	snprintf(cmd, sizeof(cmd), "source '%s/completion/dbmigrate.bash'; PS1='" TERM_PROMPT " '",
	         DBM_TEST_BUILD_DIR);
	term_start(dir, "bash --norc --noprofile -i");
	term_send(cmd, 1);
	term_send("Enter", 0);
	term_session("bash", "Tab Tab", "", 0);
	term_man("dbmigrate.1", "dbmigrate(1)", "/^EXIT STATUS",
	         "Success, also when there was nothing to do.");
	term_man("dbmigrate.yml.5", "dbmigrate.yml(5)", "/^EXAMPLE",
	         "url: postgres://app@localhost:5432/app");
	term_teardown(NULL);

	snprintf(cmd, sizeof(cmd),
	         "set -g fish_autosuggestion_enabled 0; source '%s/completion/dbmigrate.fish'; "
	         "function fish_greeting; end; "
	         "function fish_prompt; echo -n '" TERM_PROMPT " '; end",
	         DBM_TEST_BUILD_DIR);
	term_start(dir, "fish --no-config -i");
	term_send(cmd, 1);
	term_send("Enter", 0);
	term_session("fish", "Tab", "--color=", 1);
	term_teardown(NULL);
	dbm_test_rmtree(dir);
	free(dir);
}

/*
 * What the table says a command needs agrees with the session its file
 * opens: a connection and the lock exactly where declared, the files where
 * the session scans them. A command that opens no session needs no
 * connection. (The table decides the configuration and the help; the
 * command's session does the work: this keeps the two from drifting.)
 */
static void test_usage__declared_needs_match_the_commands_sessions(void **state)
{
	size_t c;

	(void)state;
	for (c = 0; dbm_commands[c].name; c++) {
		const struct dbm_command *cmd = &dbm_commands[c];
		char path[4200], call[512];
		char *src, *open_call;
		size_t len;

		snprintf(path, sizeof(path), DBM_TEST_SOURCE_DIR "/src/cmd/%s.c", cmd->name);
		src = dbm_test_read(path);
		if (!src) {
			fail_msg("the command %s has no src/cmd/%s.c", cmd->name, cmd->name);
			return; /* fail_msg does not return; the analyzer does not know it */
		}
		open_call = strstr(src, "dbm_session_open(");
		if (!open_call) {
			if (cmd->needs & (DBM_NEEDS_CONNECT | DBM_NEEDS_LOCK))
				fail_msg(
				    "%s declares a connection or the lock but opens no session",
				    cmd->name);
			free(src);
			continue;
		}
		len = strcspn(open_call, ";");
		snprintf(call, sizeof(call), "%.*s",
		         (int)(len < sizeof(call) - 1 ? len : sizeof(call) - 1), open_call);
		if (!(cmd->needs & DBM_NEEDS_CONFIG))
			fail_msg("%s opens a session without declaring the configuration",
			         cmd->name);
		if (!!strstr(call, "DBM_SESSION_CONNECT") != !!(cmd->needs & DBM_NEEDS_CONNECT))
			fail_msg("%s: the table and '%s' disagree on the connection", cmd->name,
			         call);
		if (!!strstr(call, "DBM_SESSION_LOCK") != !!(cmd->needs & DBM_NEEDS_LOCK))
			fail_msg("%s: the table and '%s' disagree on the lock", cmd->name, call);
		if (!!strstr(call, "DBM_SESSION_FILES") != !!(cmd->needs & DBM_NEEDS_FILES))
			fail_msg("%s: the table and '%s' disagree on the files", cmd->name, call);
		if (strstr(call, "DBM_SESSION_CREATE") && !(cmd->needs & DBM_NEEDS_HISTORY))
			fail_msg("%s creates the history table but does not declare it", cmd->name);
		free(src);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_usage__declared_needs_match_the_commands_sessions),
	    cmocka_unit_test(test_usage__bash_completion_from_the_table),
	    cmocka_unit_test(test_usage__fish_and_zsh_completions),
	    cmocka_unit_test(test_usage__manual_pages_cover_the_table),
	    cmocka_unit_test(test_usage__debian_package_installs_and_runs),
	    cmocka_unit_test(test_usage__progress_and_colour_on_a_terminal_only),
	    cmocka_unit_test_teardown(test_usage__completion_in_interactive_shells, term_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
