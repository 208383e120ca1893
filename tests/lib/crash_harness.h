/**
 * Shared harness of the crash-test programs (bio_crash, btree_crash, rdb_crash, umem_crash,
 * vos_crash): option parsing, the scratch directory, and the rounds of fork a child, let it
 * work and acknowledge through a pipe, SIGKILL it at a random moment, collect every
 * acknowledgement, verify. Each program keeps its own workload, model and verification.
 */
#ifndef PDAOS_CRASH_HARNESS_H
#define PDAOS_CRASH_HARNESS_H

#include <getopt.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct crash_opts {
	int kills;
	uint64_t seed;
	/* each round kills after min_ms + rand % (max_ms - min_ms + 1) ms */
	int min_ms;
	int max_ms;
	bool verbose;
	/* size of one acknowledgement; the child writes whole ones (atomic up to PIPE_BUF) */
	size_t ack_size;
	/* the delay starts at the first acknowledgement, not at the fork */
	bool delay_from_first_ack;
	/* with delay_from_first_ack: one round in N kills from the fork (during the child's open) */
	unsigned int early_kill_one_in;
	/* a child that exits 0 by itself (finite workload) is as good as a killed one */
	bool allow_exit0;
};

/* The child's workload; writes acknowledgements to fd; must not return to the caller's loop. */
typedef void (*crash_child_fn)(int fd, int round, void *arg);
/* One acknowledgement read from the pipe, in order. */
typedef void (*crash_ack_fn)(const void *ack, void *arg);
/* After the kill: check the state; 0 or an error that stops the run. */
typedef int (*crash_verify_fn)(int round, int delay_ms, uint64_t nacks, void *arg);
/* A program's own option (from its extra table): 0, or nonzero for a usage error. */
typedef int (*crash_opt_fn)(int opt, const char *optarg, void *arg);

/**
 * Parse --kills/--seed/--min-ms/--max-ms/--verbose into \a o (which holds the defaults), plus
 * the program's \a extra options (NULL-terminated; val is the short option) given to \a fn.
 * Returns 0, or prints the usage (\a extra_usage appended) and returns -1.
 */
int crash_parse(int argc, char **argv, struct crash_opts *o, const struct option *extra,
		crash_opt_fn fn, void *arg, const char *extra_usage);

/* mkdtemp "<base or /tmp>/<name>.XXXXXX" into \a buf; exits on failure. */
void crash_mkdtemp(const char *base, const char *name, char *buf, size_t len);

/**
 * Run o->kills rounds: fork \a child, read its acknowledgements (to \a on_ack) until the
 * random deadline, SIGKILL it, reap it, read what is left in the pipe, then \a verify.
 * Fails the program (exit 1) on harness errors: fork, a child that died on its own, a
 * partial acknowledgement. Returns 0, or the first nonzero from \a verify.
 */
int crash_run(const struct crash_opts *o, crash_child_fn child, crash_ack_fn on_ack,
	      crash_verify_fn verify, void *arg);

void crash_fail(const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4), noreturn));

/* Check an invariant; on failure print "<program>: FAILED <message> (file:line)", exit 1. */
#define CHECK(cond, ...)                                             \
	do {                                                         \
		if (!(cond))                                         \
			crash_fail(__FILE__, __LINE__, __VA_ARGS__); \
	} while (0)

#endif /* PDAOS_CRASH_HARNESS_H */
