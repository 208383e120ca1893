/**
 * ULT creation, ordering, join, sleep, cross-xstream creation, collective
 * and shutdown reporting.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <fenv.h>
#include <sched.h>
#include <string.h>
#include <unistd.h>

#include "ult_test.h"

/* ---- create / yield / join ordering on one xstream ---- */
struct order_log {
	char buf[64];
	int len;
};

struct order_arg {
	struct order_log *log;
	char name;
};

static void
order_child(void *arg)
{
	struct order_arg *oa = arg;

	oa->log->buf[oa->log->len++] = oa->name;
	oa->log->buf[oa->log->len++] = '1';
	ult_yield();
	oa->log->buf[oa->log->len++] = oa->name;
	oa->log->buf[oa->log->len++] = '2';
}

static void
order_parent(void *arg)
{
	struct order_log *log = arg;
	struct order_arg oa[3];
	struct ult *u[3];
	int i;

	for (i = 0; i < 3; i++) {
		oa[i].log = log;
		oa[i].name = 'A' + i;
		assert_int_equal(ult_create(ULT_XS_SELF, order_child, &oa[i], 0, &u[i]), 0);
	}
	/* nothing ran yet: creation does not switch */
	assert_int_equal(log->len, 0);
	for (i = 0; i < 3; i++)
		assert_int_equal(ult_join(u[i]), 0);
	assert_int_equal(ult_join(ult_self()), -DER_INVAL);
}

static void
test_order(void **state)
{
	struct order_log log = {0};

	run_on(0, order_parent, &log);
	log.buf[log.len] = '\0';
	assert_string_equal(log.buf, "A1B1C1A2B2C2");
	assert_int_equal(ult_self_id(), 0);
	assert_null(ult_self());
	assert_int_equal(ult_xs_self(), -1);
	assert_int_equal(ult_xs_nr(), 4);
}

/* ---- many ULTs ---- */
#define MANY 10000

static void
inc_local(void *arg)
{
	(*(int *)arg)++;
}

static void
many_parent(void *arg)
{
	struct ult **u;
	int count = 0;
	int i;

	u = calloc(MANY, sizeof(*u));
	assert_non_null(u);
	for (i = 0; i < MANY; i++)
		assert_int_equal(ult_create(ULT_XS_SELF, inc_local, &count, 0, &u[i]), 0);
	for (i = 0; i < MANY; i++)
		assert_int_equal(ult_join(u[i]), 0);
	assert_int_equal(count, MANY);
	*(int *)arg = count;
	free(u);
}

static void
inc_atomic(void *arg)
{
	atomic_fetch_add((_Atomic int *)arg, 1);
}

static void
test_many(void **state)
{
	_Atomic int count = 0;
	struct ult **u;
	int local = 0;
	int i;

	run_on(1, many_parent, &local);
	assert_int_equal(local, MANY);

	/* from a plain thread, spread over every xstream */
	u = calloc(MANY, sizeof(*u));
	assert_non_null(u);
	for (i = 0; i < MANY; i++)
		assert_int_equal(ult_create(i % 4, inc_atomic, &count, 0, &u[i]), 0);
	for (i = 0; i < MANY; i++)
		assert_int_equal(ult_join(u[i]), 0);
	assert_int_equal(atomic_load(&count), MANY);
	free(u);
}

/* ---- sleep ---- */
struct sleep_arg {
	uint64_t ms;
	_Atomic int *seq;
	int rank;
	uint64_t elapsed_us;
};

static void
sleeper(void *arg)
{
	struct sleep_arg *sa = arg;
	uint64_t t0 = test_now_us();

	ult_sleep_ms(sa->ms);
	sa->elapsed_us = test_now_us() - t0;
	sa->rank = atomic_fetch_add(sa->seq, 1);
}

static void
spinner(void *arg)
{
	/* keeps its xstream busy while sleepers wait: timers must still fire */
	uint64_t end = test_now_us() + 60 * 1000;

	while (test_now_us() < end)
		ult_yield();
}

static void
test_sleep(void **state)
{
	_Atomic int seq = 0;
	struct sleep_arg sa[3] = {{.ms = 45}, {.ms = 15}, {.ms = 30}};
	struct ult *u[4];
	uint64_t t0;
	int i;

	assert_int_equal(ult_create(2, spinner, NULL, 0, &u[3]), 0);
	for (i = 0; i < 3; i++) {
		sa[i].seq = &seq;
		assert_int_equal(ult_create(2, sleeper, &sa[i], 0, &u[i]), 0);
	}
	for (i = 0; i < 4; i++)
		assert_int_equal(ult_join(u[i]), 0);
	/* woken in deadline order, never early, and not grossly late */
	assert_int_equal(sa[1].rank, 0);
	assert_int_equal(sa[2].rank, 1);
	assert_int_equal(sa[0].rank, 2);
	for (i = 0; i < 3; i++) {
		assert_true(sa[i].elapsed_us >= sa[i].ms * 1000);
		assert_true(sa[i].elapsed_us < sa[i].ms * 1000 + 200 * 1000);
	}

	/* microsecond sleep on an idle xstream */
	sa[0].ms = 0;
	t0 = test_now_us();
	run_on(3, sleeper, &sa[0]);
	assert_true(test_now_us() - t0 < 200 * 1000);

	/* from a plain thread it is an ordinary sleep */
	t0 = test_now_us();
	ult_sleep_us(2000);
	assert_true(test_now_us() - t0 >= 2000);
}

/* ---- cross-xstream creation under contention ---- */
#define XS_THREADS 4
#define XS_PER     3000

static void
bump_slot(void *arg)
{
	atomic_fetch_add((_Atomic int *)arg, 1);
}

struct xs_creator {
	_Atomic int *counts; /* one per xstream */
	int seed;
	_Atomic int rc;
};

static void *
creator_thread(void *arg)
{
	struct xs_creator *c = arg;
	int i;

	for (i = 0; i < XS_PER; i++) {
		int xs = (i + c->seed) % 4;
		int rc = ult_create(xs, bump_slot, &c->counts[xs], 0, NULL);

		if (rc != 0)
			atomic_store(&c->rc, rc);
	}
	return NULL;
}

static void
creator_ult(void *arg)
{
	creator_thread(arg);
}

static void
test_cross_create(void **state)
{
	_Atomic int counts[4] = {0};
	struct xs_creator c[XS_THREADS + 2];
	pthread_t th[XS_THREADS];
	struct ult *u[2];
	uint64_t deadline;
	int total = 0;
	int i;

	for (i = 0; i < XS_THREADS + 2; i++) {
		c[i].counts = counts;
		c[i].seed = i;
		atomic_store(&c[i].rc, 0);
	}
	for (i = 0; i < XS_THREADS; i++)
		assert_int_equal(pthread_create(&th[i], NULL, creator_thread, &c[i]), 0);
	/* ULTs on two xstreams create at the same time */
	assert_int_equal(ult_create(0, creator_ult, &c[XS_THREADS], 0, &u[0]), 0);
	assert_int_equal(ult_create(3, creator_ult, &c[XS_THREADS + 1], 0, &u[1]), 0);
	for (i = 0; i < XS_THREADS; i++)
		pthread_join(th[i], NULL);
	assert_int_equal(ult_join(u[0]), 0);
	assert_int_equal(ult_join(u[1]), 0);
	for (i = 0; i < XS_THREADS + 2; i++)
		assert_int_equal(atomic_load(&c[i].rc), 0);

	/* detached ULTs: wait (bounded) for all of them to have run */
	deadline = test_now_us() + 20 * 1000 * 1000;
	do {
		total = 0;
		for (i = 0; i < 4; i++)
			total += atomic_load(&counts[i]);
		if (total == (XS_THREADS + 2) * XS_PER)
			break;
		ult_sleep_ms(1);
	} while (test_now_us() < deadline);
	assert_int_equal(total, (XS_THREADS + 2) * XS_PER);
	for (i = 0; i < 4; i++)
		assert_int_equal(atomic_load(&counts[i]), (XS_THREADS + 2) * XS_PER / 4);
}

/* ---- collective ---- */
static int
coll_func(void *arg, int xs_id, void *out)
{
	int fail_xs = *(int *)arg;

	/* runs as a ULT on the named xstream */
	if (ult_xs_self() != xs_id || ult_self() == NULL)
		return -DER_MISC;
	*(int *)out = xs_id * 10 + 1;
	return xs_id == fail_xs ? -DER_IO : 0;
}

static void
coll_from_ult(void *arg)
{
	int outs[4] = {0};
	int fail = -1;

	/* includes the caller's own xstream: joining there must yield, not deadlock */
	*(int *)arg = ult_collective(0, -1, coll_func, &fail, outs, sizeof(int), NULL);
	assert_int_equal(outs[ult_xs_self()], ult_xs_self() * 10 + 1);
}

static void
test_collective(void **state)
{
	int outs[4] = {0};
	int rcs[4];
	int fail = -1;
	int rc = -1;
	int i;

	assert_int_equal(ult_collective(0, -1, coll_func, &fail, outs, sizeof(int), rcs), 0);
	for (i = 0; i < 4; i++) {
		assert_int_equal(outs[i], i * 10 + 1);
		assert_int_equal(rcs[i], 0);
	}

	memset(outs, 0, sizeof(outs));
	fail = 2;
	assert_int_equal(ult_collective(1, 3, coll_func, &fail, outs, sizeof(int), rcs), -DER_IO);
	assert_int_equal(rcs[0], 0);
	assert_int_equal(rcs[1], -DER_IO);
	assert_int_equal(rcs[2], 0);
	assert_int_equal(outs[0], 11);
	assert_int_equal(outs[2], 31);

	run_on(2, coll_from_ult, &rc);
	assert_int_equal(rc, 0);

	assert_int_equal(ult_collective(0, 5, coll_func, &fail, NULL, 0, NULL), -DER_INVAL);
	assert_int_equal(ult_collective(0, 1, NULL, NULL, NULL, 0, NULL), -DER_INVAL);
}

/* ---- bad input ---- */
static void
test_bad_input(void **state)
{
	struct ult_init_attr attr = {.uia_nr_xs = 2};

	assert_int_equal(ult_init(&attr), -DER_ALREADY);
	assert_int_equal(ult_create(4, inc_local, NULL, 0, NULL), -DER_INVAL);
	assert_int_equal(ult_create(0, NULL, NULL, 0, NULL), -DER_INVAL);
	assert_int_equal(ult_create(0, inc_local, NULL, 100, NULL), -DER_INVAL);
	assert_int_equal(ult_join(NULL), -DER_INVAL);
	assert_int_equal(ult_detach(NULL), -DER_INVAL);
}

/* ---- exit, detach, ids, stack sizes ---- */
static void
exiter(void *arg)
{
	int *stage = arg;

	*stage = 1;
	ult_yield();
	*stage = 2;
	ult_exit();
	*stage = 3; /* not reached */
}

static void
id_check(void *arg)
{
	*(uint64_t *)arg = ult_self_id();
}

static __attribute__((noinline)) int
use_stack(size_t bytes)
{
	volatile char buf[4096];
	int sum;

	buf[0] = 1;
	buf[4095] = 2;
	if (bytes <= sizeof(buf))
		return buf[0] + buf[4095];
	sum = use_stack(bytes - sizeof(buf));
	return sum + buf[0];
}

static void
deep(void *arg)
{
	*(int *)arg = use_stack(150 * 1024);
}

static void
test_exit_detach(void **state)
{
	struct ult *u;
	uint64_t id = 0;
	int stage = 0;
	int sum = 0;
	_Atomic int count = 0;
	int i;

	assert_int_equal(ult_create(1, exiter, &stage, 0, &u), 0);
	assert_int_equal(ult_join(u), 0);
	assert_int_equal(stage, 2);

	assert_int_equal(ult_create(2, id_check, &id, 0, &u), 0);
	assert_true(ult_id(u) > 0);
	assert_int_equal(ult_join(u), 0);
	assert_true(id > 0);

	/* detach before and after the ULT finished */
	for (i = 0; i < 2; i++) {
		assert_int_equal(ult_create(3, inc_atomic, &count, 0, &u), 0);
		if (i == 1)
			ult_sleep_ms(10);
		assert_int_equal(ult_detach(u), 0);
	}
	for (i = 0; i < 1000 && atomic_load(&count) < 2; i++)
		ult_sleep_ms(1);
	assert_int_equal(atomic_load(&count), 2);

	/* a ULT that needs a bigger stack asks for one */
	assert_int_equal(ult_create(0, deep, &sum, 1024 * 1024, &u), 0);
	assert_int_equal(ult_join(u), 0);
	assert_true(sum > 0);
}

static void
where_am_i(void *arg)
{
	*(int *)arg = sched_getcpu();
}

static void
test_attrs(void **state)
{
	struct ult_init_attr attr = {.uia_nr_xs = 2,
				     .uia_pin = true,
				     .uia_stack_cache = -1,
				     .uia_stack_size = 32 * 1024};
	int cpu = -1;
	int count = 0;
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	int bad_cpus[2] = {0, -5};

	assert_int_equal(ult_init(&attr), 0);
	run_on(1, where_am_i, &cpu);
	assert_int_equal(cpu, 1 % ncpu);
	run_on(0, many_parent, &count);
	assert_int_equal(count, MANY);
	assert_int_equal(ult_fini(), 0);

	attr.uia_cpus = bad_cpus;
	assert_int_equal(ult_init(&attr), -DER_INVAL);
	attr.uia_cpus = NULL;
	attr.uia_stack_size = 1000;
	assert_int_equal(ult_init(&attr), -DER_INVAL);
	attr.uia_stack_size = 0;
	attr.uia_nr_xs = -1;
	assert_int_equal(ult_init(&attr), -DER_INVAL);
}

/* ---- floating-point modes are per ULT (x87 CW / MXCSR / FPCR are switched) ---- */
struct fp_arg {
	int mode;
	int seen[3];
};

static void
fp_ult(void *arg)
{
	struct fp_arg *fa = arg;
	int i;

	fesetround(fa->mode);
	for (i = 0; i < 3; i++) {
		ult_yield();
		fa->seen[i] = fegetround();
	}
	fesetround(FE_TONEAREST);
}

static void
test_fp_modes(void **state)
{
	struct fp_arg fa[2] = {{.mode = FE_UPWARD}, {.mode = FE_TOWARDZERO}};
	struct ult *u[2];
	int i, j;

	for (i = 0; i < 2; i++)
		assert_int_equal(ult_create(1, fp_ult, &fa[i], 0, &u[i]), 0);
	for (i = 0; i < 2; i++)
		assert_int_equal(ult_join(u[i]), 0);
	for (i = 0; i < 2; i++)
		for (j = 0; j < 3; j++)
			assert_int_equal(fa[i].seen[j], fa[i].mode);
}

/* ---- shutdown with parked ULTs ---- */
static void
wait_forever(void *arg)
{
	ult_eventual_wait(*(ult_eventual_t *)arg, NULL);
}

static void
test_shutdown_report(void **state)
{
	ult_eventual_t ev;
	struct ult *u;
	_Atomic int count = 0;

	assert_int_equal(setup_rt(2), 0);
	assert_int_equal(ult_eventual_create(0, &ev), 0);
	assert_int_equal(ult_create(1, wait_forever, &ev, 0, NULL), 0);
	assert_int_equal(ult_create(0, wait_forever, &ev, 0, &u), 0);
	/* a runnable ULT finishes within the grace period */
	assert_int_equal(ult_create(1, inc_atomic, &count, 0, NULL), 0);
	ult_sleep_ms(20);
	assert_int_equal(ult_fini(), 2);
	assert_int_equal(atomic_load(&count), 1);
	/* the joinable one reports the shutdown to its owner */
	assert_int_equal(ult_join(u), -DER_SHUTDOWN);
	assert_int_equal(ult_eventual_free(&ev), 0);
	assert_int_equal(ult_fini(), -DER_UNINIT);
	assert_int_equal(ult_create(0, inc_atomic, &count, 0, NULL), -DER_UNINIT);

	/* the runtime can be started again */
	assert_int_equal(setup_rt(1), 0);
	run_on(0, inc_atomic, &count);
	assert_int_equal(atomic_load(&count), 2);
	assert_int_equal(ult_fini(), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_order, setup4, teardown_rt),
		cmocka_unit_test_setup_teardown(test_many, setup4, teardown_rt),
		cmocka_unit_test_setup_teardown(test_sleep, setup4, teardown_rt),
		cmocka_unit_test_setup_teardown(test_cross_create, setup4, teardown_rt),
		cmocka_unit_test_setup_teardown(test_collective, setup4, teardown_rt),
		cmocka_unit_test_setup_teardown(test_bad_input, setup4, teardown_rt),
		cmocka_unit_test_setup_teardown(test_exit_detach, setup4, teardown_rt),
		cmocka_unit_test_setup_teardown(test_fp_modes, setup4, teardown_rt),
		cmocka_unit_test(test_attrs),
		cmocka_unit_test(test_shutdown_report),
	};

	return cmocka_run_group_tests_name("ult_basic", tests, NULL, NULL);
}
