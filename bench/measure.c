/*
 * measure.c - runs one command and reports its wall time, CPU time and peak
 * memory, for bench/run.sh.
 *
 *   measure [-i INPUT] [-o OUTPUT] [-e ERRORS] -- command [args...]
 *
 * The command's stdin comes from INPUT (default /dev/null), its stdout goes to
 * OUTPUT and its stderr to ERRORS (default /dev/null for both). When it ends,
 * one line goes to stdout:
 *
 *   <exit code> <wall seconds> <user+sys seconds> <peak RSS in KiB>
 *
 * Wall time comes from CLOCK_MONOTONIC around fork and wait; CPU time and peak
 * RSS come from wait4()'s rusage, so they count the command and any children
 * it waited for, and nothing of this program. The exit code is the command's,
 * or 128 + the signal that ended it. measure itself exits 0 when it could run
 * the command, 125 on a usage error and 126 when fork or exec failed.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static void measure_usage(void)
{
	fprintf(stderr, "usage: measure [-i INPUT] [-o OUTPUT] [-e ERRORS] -- command [args...]\n");
	exit(125);
}

/* Opens path on fd (in the child). Exits 126 when it cannot. */
static void measure_redirect(const char *path, int fd, int flags)
{
	int f = open(path, flags, 0644);

	if (f < 0) {
		fprintf(stderr, "measure: cannot open '%s': %s\n", path, strerror(errno));
		_exit(126);
	}
	if (f != fd) {
		dup2(f, fd);
		close(f);
	}
}

static double measure_tv(const struct timeval *tv)
{
	return (double)tv->tv_sec + (double)tv->tv_usec / 1e6;
}

int main(int argc, char **argv)
{
	const char *in = "/dev/null", *out = "/dev/null", *err = "/dev/null";
	struct timespec t0, t1;
	struct rusage ru;
	int i, status, code;
	pid_t pid;

	for (i = 1; i < argc && strcmp(argv[i], "--") != 0; i++) {
		if (i + 1 >= argc)
			measure_usage();
		if (strcmp(argv[i], "-i") == 0)
			in = argv[++i];
		else if (strcmp(argv[i], "-o") == 0)
			out = argv[++i];
		else if (strcmp(argv[i], "-e") == 0)
			err = argv[++i];
		else
			measure_usage();
	}
	if (i + 1 >= argc)
		measure_usage();
	argv += i + 1;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	pid = fork();
	if (pid < 0) {
		fprintf(stderr, "measure: fork: %s\n", strerror(errno));
		return 126;
	}
	if (pid == 0) {
		measure_redirect(in, 0, O_RDONLY);
		measure_redirect(out, 1, O_WRONLY | O_CREAT | O_TRUNC);
		measure_redirect(err, 2, O_WRONLY | O_CREAT | O_TRUNC);
		execvp(argv[0], argv);
		fprintf(stderr, "measure: cannot run '%s': %s\n", argv[0], strerror(errno));
		_exit(126);
	}
	while (wait4(pid, &status, 0, &ru) < 0) {
		if (errno != EINTR) {
			fprintf(stderr, "measure: wait4: %s\n", strerror(errno));
			return 126;
		}
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
	printf("%d %.6f %.6f %ld\n", code,
	       (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9,
	       measure_tv(&ru.ru_utime) + measure_tv(&ru.ru_stime), ru.ru_maxrss);
	return 0;
}
