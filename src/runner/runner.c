/* runner.c - placeholder. */
typedef int dbm_runner_placeholder;
