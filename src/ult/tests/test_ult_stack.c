/**
 * ULT stacks: the guard page is mapped PROT_NONE right below the usable
 * area, and overflowing into it kills the process with SIGSEGV.
 */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ult_test.h"

#if defined(__SANITIZE_ADDRESS__)
#define UNDER_ASAN 1
#else
#define UNDER_ASAN 0
#endif

/* bounded far beyond any stack size, so the compiler sees an exit */
static volatile int depth_limit = 1 << 30;

static __attribute__((noinline)) int
recurse(int depth)
{
	volatile char buf[512];

	buf[0] = (char)depth;
	__asm__ volatile("" ::: "memory");
	if (depth >= depth_limit)
		return buf[0];
	return recurse(depth + 1) + buf[0];
}

static void
overflow(void *arg)
{
	*(int *)arg = recurse(0);
}

static void
test_overflow_kills(void **state)
{
	pid_t pid;
	int status = 0;
	int i;

	/* fork first, while this process has a single thread */
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		int sink = 0;

		if (setup_rt(1) != 0)
			_exit(2);
		run_on(0, overflow, &sink);
		_exit(0); /* not reached */
	}
	for (i = 0; i < 1000; i++) {
		if (waitpid(pid, &status, WNOHANG) == pid)
			break;
		usleep(10 * 1000);
	}
	if (i == 1000) {
		kill(pid, SIGKILL);
		waitpid(pid, &status, 0);
		fail_msg("child did not die");
	}
	if (WIFSIGNALED(status))
		assert_int_equal(WTERMSIG(status), SIGSEGV);
	else
		/* ASan reports the stack overflow and exits with an error instead */
		assert_true(UNDER_ASAN && WIFEXITED(status) && WEXITSTATUS(status) != 0 &&
			    WEXITSTATUS(status) != 2);
}

struct maps_arg {
	int found;
	int guard;
};

static void
check_maps(void *arg)
{
	struct maps_arg *ma = arg;
	/* the real frame, even when ASan moves locals to its fake stack */
	unsigned long here = (unsigned long)__builtin_frame_address(0);
	unsigned long prev_end = 0;
	char prev_perm[8] = "";
	char line[512];
	FILE *f = fopen("/proc/self/maps", "r");

	assert_non_null(f);
	while (fgets(line, sizeof(line), f) != NULL) {
		unsigned long lo, hi;
		char perm[8];

		if (sscanf(line, "%lx-%lx %7s", &lo, &hi, perm) != 3)
			continue;
		if (here >= lo && here < hi) {
			ma->found = 1;
			ma->guard = prev_end == lo && strcmp(prev_perm, "---p") == 0;
			break;
		}
		prev_end = hi;
		strcpy(prev_perm, perm);
	}
	fclose(f);
}

static void
test_guard_page(void **state)
{
	struct maps_arg ma = {0};

	run_on(0, check_maps, &ma);
	assert_int_equal(ma.found, 1);
	assert_int_equal(ma.guard, 1);
}

static int
setup1(void **state)
{
	return setup_rt(1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_overflow_kills),
		cmocka_unit_test_setup_teardown(test_guard_page, setup1, teardown_rt),
	};

	return cmocka_run_group_tests_name("ult_stack", tests, NULL, NULL);
}
