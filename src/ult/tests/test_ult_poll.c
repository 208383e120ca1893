/**
 * Pollers (fd wake-up of an idle xstream, unregistration) and the idle cost
 * of the runtime.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <sys/eventfd.h>
#include <sys/resource.h>
#include <unistd.h>

#include "ult_test.h"

struct pipe_poller {
	int fd;
	_Atomic int calls;
	_Atomic int bytes;
	int want;
	ult_eventual_t done;
	int on_xs;
};

static int
pipe_poll(void *arg)
{
	struct pipe_poller *pp = arg;
	char buf[64];
	ssize_t n;

	atomic_fetch_add(&pp->calls, 1);
	pp->on_xs = ult_xs_self();
	n = read(pp->fd, buf, sizeof(buf));
	if (n <= 0)
		return 0;
	if (atomic_fetch_add(&pp->bytes, (int)n) + n >= pp->want)
		ult_eventual_set(pp->done, NULL, 0);
	return (int)n;
}

static void *
late_writer(void *arg)
{
	int fd = *(int *)arg;

	usleep(50 * 1000);
	if (write(fd, "abcd", 4) != 4)
		abort();
	return NULL;
}

static void
test_poller_fd(void **state)
{
	struct pipe_poller pp = {.want = 4};
	struct ult_poller *p;
	pthread_t th;
	int fds[2];
	int calls;

	assert_int_equal(pipe2(fds, O_NONBLOCK | O_CLOEXEC), 0);
	pp.fd = fds[0];
	assert_int_equal(ult_eventual_create(0, &pp.done), 0);
	assert_int_equal(ult_poller_register(1, pipe_poll, &pp, fds[0], &p), 0);
	assert_int_equal(ult_poller_register(1, pipe_poll, &pp, fds[0], &p), -DER_EXIST);

	/* let xstream 1 go idle: with nothing to do it must stop calling the poller */
	usleep(30 * 1000);
	calls = atomic_load(&pp.calls);
	usleep(30 * 1000);
	assert_true(atomic_load(&pp.calls) - calls <= 2);

	/* a write from another thread wakes the blocked xstream */
	assert_int_equal(pthread_create(&th, NULL, late_writer, &fds[1]), 0);
	assert_int_equal(ult_eventual_timedwait(pp.done, NULL, 5 * 1000 * 1000), 0);
	pthread_join(th, NULL);
	assert_int_equal(atomic_load(&pp.bytes), 4);
	assert_int_equal(pp.on_xs, 1);

	assert_int_equal(ult_poller_unregister(p), 0);
	calls = atomic_load(&pp.calls);
	if (write(fds[1], "x", 1) != 1)
		fail();
	usleep(20 * 1000);
	assert_int_equal(atomic_load(&pp.calls), calls);

	ult_eventual_free(&pp.done);
	close(fds[0]);
	close(fds[1]);
}

/* A poller without fd, unregistered from inside its own poll call. */
struct self_poller {
	struct ult_poller *p;
	_Atomic int calls;
	ult_eventual_t done;
};

static int
self_poll(void *arg)
{
	struct self_poller *sp = arg;

	if (atomic_fetch_add(&sp->calls, 1) + 1 == 5) {
		assert_int_equal(ult_poller_unregister(sp->p), 0);
		ult_eventual_set(sp->done, NULL, 0);
	}
	return 0;
}

static void
register_here(void *arg)
{
	struct self_poller *sp = arg;

	assert_int_equal(ult_poller_register(ULT_XS_SELF, self_poll, sp, -1, &sp->p), 0);
}

static void
test_poller_nofd(void **state)
{
	struct self_poller sp = {0};

	assert_int_equal(ult_eventual_create(0, &sp.done), 0);
	run_on(2, register_here, &sp);
	assert_int_equal(ult_eventual_timedwait(sp.done, NULL, 5 * 1000 * 1000), 0);
	usleep(20 * 1000);
	assert_int_equal(atomic_load(&sp.calls), 5);
	ult_eventual_free(&sp.done);
}

/* ---- idle CPU ---- */
static uint64_t
thread_cpu_us(void)
{
	struct rusage ru;

	getrusage(RUSAGE_THREAD, &ru);
	return (uint64_t)ru.ru_utime.tv_sec * 1000000 + ru.ru_utime.tv_usec +
	       (uint64_t)ru.ru_stime.tv_sec * 1000000 + ru.ru_stime.tv_usec;
}

struct idle_arg {
	uint64_t cpu_us;
	uint64_t wall_us;
};

static void
idle_measure(void *arg)
{
	struct idle_arg *ia = arg;
	uint64_t c0 = thread_cpu_us();
	uint64_t t0 = test_now_us();

	/* runs on the xstream's own thread, so RUSAGE_THREAD is the xstream's */
	ult_sleep_ms(1000);
	ia->cpu_us = thread_cpu_us() - c0;
	ia->wall_us = test_now_us() - t0;
}

static void
park_on(void *arg)
{
	ult_eventual_wait(arg, NULL);
}

static int
never_poll(void *arg)
{
	return 0;
}

static void
test_idle_cpu(void **state)
{
	struct idle_arg ia[2];
	struct ult *u[2];
	struct ult_poller *p;
	struct ult *parked;
	ult_eventual_t ev;
	int efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	int i;

	/* neither a ULT parked on an eventual nor an fd poller may make the xstream spin */
	assert_int_equal(ult_eventual_create(0, &ev), 0);
	assert_int_equal(ult_create(0, park_on, ev, 0, &parked), 0);
	assert_true(efd >= 0);
	assert_int_equal(ult_poller_register(3, never_poll, NULL, efd, &p), 0);
	for (i = 0; i < 2; i++)
		assert_int_equal(ult_create(i * 3, idle_measure, &ia[i], 0, &u[i]), 0);
	for (i = 0; i < 2; i++) {
		assert_int_equal(ult_join(u[i]), 0);
		print_message("xstream %d: %lu us CPU over %lu us\n", i * 3,
			      (unsigned long)ia[i].cpu_us, (unsigned long)ia[i].wall_us);
		assert_true(ia[i].wall_us >= 1000 * 1000);
		assert_true(ia[i].cpu_us * 20 < ia[i].wall_us); /* < 5% */
	}
	assert_int_equal(ult_poller_unregister(p), 0);
	close(efd);
	assert_int_equal(ult_eventual_set(ev, NULL, 0), 0);
	assert_int_equal(ult_join(parked), 0);
	assert_int_equal(ult_eventual_free(&ev), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_poller_fd, setup4, teardown_rt),
		cmocka_unit_test_setup_teardown(test_poller_nofd, setup4, teardown_rt),
		cmocka_unit_test_setup_teardown(test_idle_cpu, setup4, teardown_rt),
	};

	return cmocka_run_group_tests_name("ult_poll", tests, NULL, NULL);
}
