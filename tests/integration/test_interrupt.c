/*
 * test_interrupt.c - the signal thread of src/runner/interrupt.c in a
 * child process of its own: after the first SIGTERM it waits up to 30 s
 * for a second signal, and a wait cut short by a stop and SIGCONT (EINTR)
 * goes on instead of ending the process as if the 30 s were over.
 */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "runner/runner.h"
#include "testutil.h"

static void sleep_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};

	while (nanosleep(&ts, &ts) != 0)
		;
}

/*
 * A child that sets the thread up, signals itself with SIGTERM and goes on
 * for run_ms (as a run finishing its statement does), then exits 0.
 */
static pid_t start_child(long run_ms)
{
	pid_t pid = fork();

	assert_true(pid >= 0);
	if (pid == 0) {
		if (dbm_interrupt_setup() != 0)
			_exit(3);
		kill(getpid(), SIGTERM);
		sleep_ms(run_ms);
		_exit(0);
	}
	return pid;
}

/* Stopped and continued during the grace period, the child still ends on its own. */
static void test_interrupt__stop_and_continue_keep_the_grace_period(void **state)
{
	pid_t pid = start_child(1500);
	int status = -1, i;

	(void)state;
	sleep_ms(300); /* the SIGTERM is taken: the thread waits in sigtimedwait */
	for (i = 0; i < 3; i++) {
		assert_int_equal(kill(pid, SIGSTOP), 0);
		sleep_ms(50);
		assert_int_equal(kill(pid, SIGCONT), 0);
		sleep_ms(50);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

/* A second signal in the grace period still ends the process at once, 128 + its number. */
static void test_interrupt__second_signal_ends_at_once(void **state)
{
	pid_t pid = start_child(20000);
	int status = -1;

	(void)state;
	sleep_ms(300);
	assert_int_equal(kill(pid, SIGSTOP), 0);
	sleep_ms(50);
	assert_int_equal(kill(pid, SIGCONT), 0);
	sleep_ms(100);
	assert_int_equal(kill(pid, SIGINT), 0);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 128 + SIGINT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_interrupt__stop_and_continue_keep_the_grace_period),
	    cmocka_unit_test(test_interrupt__second_signal_ends_at_once),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
