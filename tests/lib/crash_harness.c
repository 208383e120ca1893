/**
 * Shared harness of the crash-test programs: see crash_harness.h.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/wait.h>

#include "crash_harness.h"

#define MAX_OPTS      24
#define FIRST_ACK_MAX 30000 /* ms a child may take to its first acknowledgement */

void
crash_fail(const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fprintf(stderr, "%s: FAILED ", program_invocation_short_name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, " (%s:%d)\n", file, line);
	exit(1);
}

int
crash_parse(int argc, char **argv, struct crash_opts *o, const struct option *extra,
	    crash_opt_fn fn, void *arg, const char *extra_usage)
{
	static const struct option common[] = {{"kills", required_argument, NULL, 'k'},
					       {"seed", required_argument, NULL, 's'},
					       {"min-ms", required_argument, NULL, 'a'},
					       {"max-ms", required_argument, NULL, 'b'},
					       {"verbose", no_argument, NULL, 'v'}};
	struct option opts[MAX_OPTS + 1];
	char shorts[3 * MAX_OPTS + 1] = "k:s:a:b:v";
	size_t n = sizeof(common) / sizeof(common[0]), len = strlen(shorts);
	int c;

	memcpy(opts, common, sizeof(common));
	for (; extra != NULL && extra->name != NULL && n < MAX_OPTS; extra++) {
		opts[n++] = *extra;
		shorts[len++] = (char)extra->val;
		if (extra->has_arg == required_argument)
			shorts[len++] = ':';
	}
	shorts[len] = '\0';
	memset(&opts[n], 0, sizeof(opts[n]));

	while ((c = getopt_long(argc, argv, shorts, opts, NULL)) != -1) {
		switch (c) {
		case 'k':
			o->kills = atoi(optarg);
			break;
		case 's':
			o->seed = strtoull(optarg, NULL, 0);
			break;
		case 'a':
			o->min_ms = atoi(optarg);
			break;
		case 'b':
			o->max_ms = atoi(optarg);
			break;
		case 'v':
			o->verbose = true;
			break;
		default:
			if (c != '?' && fn != NULL && fn(c, optarg, arg) == 0)
				break;
			goto usage;
		}
	}
	if (optind < argc || o->kills < 0 || o->min_ms < 0)
		goto usage;
	if (o->max_ms < o->min_ms)
		o->max_ms = o->min_ms;
	return 0;
usage:
	fprintf(stderr,
		"usage: %s [--kills N] [--seed S] [--min-ms A] [--max-ms B] [--verbose]%s%s\n",
		argv[0], extra_usage ? " " : "", extra_usage ?: "");
	return -1;
}

void
crash_mkdtemp(const char *base, const char *name, char *buf, size_t len)
{
	int n = snprintf(buf, len, "%s/%s.XXXXXX", base ?: "/tmp", name);

	CHECK(n > 0 && (size_t)n < len, "temporary directory name too long");
	CHECK(mkdtemp(buf) != NULL, "mkdtemp %s: %s", buf, strerror(errno));
}

static int64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

/* Read one acknowledgement: 1, or 0 at end of file. */
static int
read_ack(int fd, void *buf, size_t size)
{
	size_t got = 0;
	ssize_t n;

	while (got < size) {
		n = read(fd, (char *)buf + got, size - got);
		if (n < 0 && errno == EINTR)
			continue;
		CHECK(n >= 0, "pipe read: %s", strerror(errno));
		if (n == 0)
			break;
		got += n;
	}
	CHECK(got == 0 || got == size, "partial acknowledgement (%zu of %zu bytes)", got, size);
	return got != 0;
}

/* Let the child run until the deadline, reading acknowledgements; false once it closed. */
static bool
wait_deadline(const struct crash_opts *o, int fd, int delay, bool early, void *ack,
	      crash_ack_fn on_ack, void *arg, uint64_t *nacks)
{
	int64_t t0 = now_ms(), deadline = (o->delay_from_first_ack && !early) ? 0 : t0 + delay;

	for (;;) {
		struct pollfd pfd = {.fd = fd, .events = POLLIN};
		int64_t now = now_ms();
		int rc;

		if (deadline == 0 && *nacks > 0)
			deadline = now + delay;
		if (deadline != 0 && now >= deadline)
			return true;
		CHECK(deadline != 0 || now - t0 < FIRST_ACK_MAX, "no acknowledgement within %d ms",
		      FIRST_ACK_MAX);
		rc = poll(&pfd, 1, deadline ? (int)(deadline - now) : 1000);
		if (rc < 0 && errno != EINTR)
			crash_fail(__FILE__, __LINE__, "poll: %s", strerror(errno));
		if (rc <= 0)
			continue;
		if (!read_ack(fd, ack, o->ack_size))
			return false; /* the child died on its own: its status says why */
		on_ack(ack, arg);
		(*nacks)++;
	}
}

int
crash_run(const struct crash_opts *o, crash_child_fn child, crash_ack_fn on_ack,
	  crash_verify_fn verify, void *arg)
{
	unsigned int rs = (unsigned int)(o->seed ^ (o->seed >> 32));
	char ack[512];
	int k, rc;

	CHECK(o->ack_size > 0 && o->ack_size <= sizeof(ack), "bad acknowledgement size");
	for (k = 0; k < o->kills; k++) {
		int fds[2], status, delay = o->min_ms + rand_r(&rs) % (o->max_ms - o->min_ms + 1);
		bool early = o->early_kill_one_in && rand_r(&rs) % o->early_kill_one_in == 0;
		bool open;
		uint64_t nacks = 0;
		pid_t pid;

		CHECK(pipe(fds) == 0, "pipe: %s", strerror(errno));
		fflush(stdout);
		fflush(stderr);
		pid = fork();
		CHECK(pid >= 0, "fork: %s", strerror(errno));
		if (pid == 0) {
			close(fds[0]);
			child(fds[1], k, arg);
			_exit(0);
		}
		close(fds[1]);
		open = wait_deadline(o, fds[0], delay, early, ack, on_ack, arg, &nacks);
		kill(pid, SIGKILL);
		while (waitpid(pid, &status, 0) != pid)
			CHECK(errno == EINTR, "waitpid: %s", strerror(errno));
		/* every acknowledgement written before the kill is in the pipe */
		while (open && read_ack(fds[0], ack, o->ack_size)) {
			on_ack(ack, arg);
			nacks++;
		}
		close(fds[0]);
		CHECK((WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL) ||
			      (o->allow_exit0 && WIFEXITED(status) && WEXITSTATUS(status) == 0),
		      "round %d: child exited on its own (status 0x%x)", k, status);
		rc = verify(k, delay, nacks, arg);
		if (rc != 0)
			return rc;
	}
	return 0;
}
