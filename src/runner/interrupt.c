/*
 * interrupt.c - SIGINT, SIGTERM and SIGPIPE end a run in order (runner.h).
 *
 * main() calls dbm_interrupt_setup() first thing. SIGINT and SIGTERM are
 * then blocked in every thread and taken by one thread of their own with
 * sigwait(), so no library call of the main thread is ever cut short by a
 * handler. That thread records the signal (dbm_interrupt_set, which the
 * runner checks between statements) and asks the server to stop the
 * statement that is running on the watched connection (the driver's cancel:
 * PQcancel, KILL QUERY, sqlite3_interrupt). The runner then rolls back or
 * records what is applied, the session releases the lock, and main() exits
 * with 128 + the signal. A second signal, or a run still going 30 seconds
 * after the first, ends the process at once (the servers release a lock
 * whose connection ends).
 *
 * SIGPIPE (stdout is a pipe whose reader went away) comes to the thread
 * that wrote: a handler only records it, and the run stops at the next
 * statement.
 */
#include <errno.h>
#include <pthread.h>
#include <semaphore.h>
#include <signal.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "runner/runner.h"

static pthread_mutex_t interrupt_mu = PTHREAD_MUTEX_INITIALIZER;
static struct dbm_conn *interrupt_conn; /* the connection to cancel, under interrupt_mu */

/* Writes msg to stderr with write(2) alone (async-signal-safe). */
static void interrupt_say(const char *msg)
{
	size_t n = strlen(msg);

	while (n > 0) {
		ssize_t w = write(STDERR_FILENO, msg, n);

		if (w <= 0)
			return;
		msg += w;
		n -= (size_t)w;
	}
}

static void interrupt_on_sigpipe(int signo)
{
	dbm_interrupt_set(signo);
}

/* Ends the process now, saying why. Never returns. */
static void interrupt_exit_now(int signo, const char *why)
{
	interrupt_say("dbmigrate: ");
	interrupt_say(why);
	interrupt_say(" after ");
	interrupt_say(dbm_signal_name(signo));
	interrupt_say(": exiting at once; the server rolls back the open transaction and "
	              "releases the lock when the connection ends; run 'dbmigrate info' to see "
	              "what is applied\n");
	_exit(128 + signo);
}

/*
 * Posted by the signal thread once it runs. dbm_interrupt_setup() waits
 * for it, so that the thread's start (which allocates: its stack, its TLS,
 * a sanitizer's bookkeeping) is over before main() goes on: a fleet
 * fork()s its workers, and a child forked while another thread held an
 * allocator's lock would wait for that lock for ever.
 */
static sem_t interrupt_started;

/*
 * After the first signal: waits for a second one until 30 s after it
 * (deadline, CLOCK_MONOTONIC) and ends the process either way. A wait cut
 * short (EINTR: a SIGPIPE handled on this thread, a stop and SIGCONT) goes
 * on for what is left; only the deadline or a signal end it. Never returns.
 */
static void interrupt_wait_second(const sigset_t *set, int first, const struct timespec *deadline)
{
	for (;;) {
		struct timespec now, left;
		int sig;

		clock_gettime(CLOCK_MONOTONIC, &now);
		left.tv_sec = deadline->tv_sec - now.tv_sec;
		left.tv_nsec = deadline->tv_nsec - now.tv_nsec;
		if (left.tv_nsec < 0) {
			left.tv_sec--;
			left.tv_nsec += 1000000000L;
		}
		if (left.tv_sec < 0)
			break;
		sig = sigtimedwait(set, NULL, &left);
		if (sig > 0)
			interrupt_exit_now(sig, "a second signal");
		if (errno != EINTR)
			break; /* EAGAIN: the deadline */
	}
	interrupt_exit_now(first, "still running 30 s");
}

/* The signal thread: records, cancels, and enforces the deadline. Never returns. */
static void *interrupt_thread(void *arg)
{
	const sigset_t *set = arg;
	struct timespec deadline;
	int first = 0, sig;

	sem_post(&interrupt_started);
	for (;;) {
		if (first)
			interrupt_wait_second(set, first, &deadline);
		if (sigwait(set, &sig) != 0)
			continue;
		clock_gettime(CLOCK_MONOTONIC, &deadline);
		deadline.tv_sec += 30;
		first = sig;
		dbm_interrupt_set(sig);
		pthread_mutex_lock(&interrupt_mu);
		if (interrupt_conn && interrupt_conn->driver && interrupt_conn->driver->cancel)
			interrupt_conn->driver->cancel(interrupt_conn);
		pthread_mutex_unlock(&interrupt_mu);
	}
	return NULL;
}

int dbm_interrupt_setup(void)
{
	static sigset_t set;
	struct sigaction sa;
	pthread_attr_t attr;
	pthread_t th;
	int rc;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = interrupt_on_sigpipe;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGPIPE, &sa, NULL);

	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	if (pthread_sigmask(SIG_BLOCK, &set, NULL) != 0)
		return -1;
	if (sem_init(&interrupt_started, 0, 0) != 0) {
		pthread_sigmask(SIG_UNBLOCK, &set, NULL);
		return -1;
	}
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	rc = pthread_create(&th, &attr, interrupt_thread, &set);
	pthread_attr_destroy(&attr);
	if (rc != 0) {
		/* no thread: the signals keep their default action */
		pthread_sigmask(SIG_UNBLOCK, &set, NULL);
		return -1;
	}
	while (sem_wait(&interrupt_started) != 0 && errno == EINTR)
		;
	return 0;
}

void dbm_interrupt_watch(struct dbm_conn *c)
{
	pthread_mutex_lock(&interrupt_mu);
	interrupt_conn = c;
	pthread_mutex_unlock(&interrupt_mu);
}
