/**
 * Eventual, mutex, condition variable and rwlock, used from ULTs on one or
 * several xstreams and from plain threads.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <string.h>
#include <unistd.h>

#include "ult_test.h"

/* ---- eventual ---- */
struct ev_arg {
	ult_eventual_t ev;
	int value;
	int rc;
	uint64_t delay_ms;
};

static void
ev_waiter(void *arg)
{
	struct ev_arg *ea = arg;
	void *val;

	ea->rc = ult_eventual_wait(ea->ev, &val);
	if (ea->rc == 0)
		ea->value = *(int *)val;
}

static void
ev_setter(void *arg)
{
	struct ev_arg *ea = arg;

	ult_sleep_ms(ea->delay_ms);
	ea->rc = ult_eventual_set(ea->ev, &ea->value, sizeof(int));
}

static void
ev_timed(void *arg)
{
	struct ev_arg *ea = arg;
	uint64_t t0 = test_now_us();

	ea->rc = ult_eventual_timedwait(ea->ev, NULL, 20 * 1000);
	ea->value = (int)((test_now_us() - t0) / 1000);
}

static void
test_eventual(void **state)
{
	struct ev_arg w[3], s = {0};
	struct ult *u[3];
	bool ready;
	void *val;
	int v = 42;
	int i;

	/* ULT waiters on two xstreams, set from a plain thread */
	assert_int_equal(ult_eventual_create(sizeof(int), &s.ev), 0);
	for (i = 0; i < 3; i++) {
		w[i].ev = s.ev;
		w[i].value = 0;
		assert_int_equal(ult_create(i % 2, ev_waiter, &w[i], 0, &u[i]), 0);
	}
	ult_sleep_ms(10);
	assert_int_equal(ult_eventual_test(s.ev, NULL, &ready), 0);
	assert_false(ready);
	assert_int_equal(ult_eventual_set(s.ev, &v, sizeof(v)), 0);
	for (i = 0; i < 3; i++) {
		assert_int_equal(ult_join(u[i]), 0);
		assert_int_equal(w[i].rc, 0);
		assert_int_equal(w[i].value, 42);
	}
	/* a set eventual stays set */
	assert_int_equal(ult_eventual_wait(s.ev, &val), 0);
	assert_int_equal(*(int *)val, 42);
	assert_int_equal(ult_eventual_set(s.ev, &v, sizeof(v) + 1), -DER_INVAL);

	/* plain thread waits, a ULT sets after a delay */
	assert_int_equal(ult_eventual_reset(s.ev), 0);
	s.value = 7;
	s.delay_ms = 10;
	assert_int_equal(ult_create(1, ev_setter, &s, 0, &u[0]), 0);
	assert_int_equal(ult_eventual_wait(s.ev, &val), 0);
	assert_int_equal(*(int *)val, 7);
	assert_int_equal(ult_join(u[0]), 0);
	assert_int_equal(s.rc, 0);

	/* timeouts from a ULT and from a plain thread */
	assert_int_equal(ult_eventual_reset(s.ev), 0);
	run_on(2, ev_timed, &w[0]);
	assert_int_equal(w[0].rc, -DER_TIMEDOUT);
	assert_true(w[0].value >= 20);
	assert_int_equal(ult_eventual_timedwait(s.ev, NULL, 5000), -DER_TIMEDOUT);
	assert_int_equal(ult_eventual_free(&s.ev), 0);
	assert_null(s.ev);
}

/* ---- mutex ---- */
#define MTX_ULTS  24
#define MTX_ITERS 200

struct mtx_arg {
	ult_mutex_t m;
	long counter; /* protected by m only */
	int iters;
};

static void
mtx_worker(void *arg)
{
	struct mtx_arg *ma = arg;
	int i;

	for (i = 0; i < ma->iters; i++) {
		long v;

		assert_int_equal(ult_mutex_lock(ma->m), 0);
		v = ma->counter;
		/* give others the chance to break exclusion */
		if (i % 3 == 0)
			ult_yield();
		ma->counter = v + 1;
		assert_int_equal(ult_mutex_unlock(ma->m), 0);
	}
}

static void *
mtx_thread(void *arg)
{
	mtx_worker(arg);
	return NULL;
}

static void
mtx_spawn_local(void *arg)
{
	struct ult *u[MTX_ULTS];
	int i;

	for (i = 0; i < MTX_ULTS; i++)
		assert_int_equal(ult_create(ULT_XS_SELF, mtx_worker, arg, 0, &u[i]), 0);
	for (i = 0; i < MTX_ULTS; i++)
		assert_int_equal(ult_join(u[i]), 0);
}

static void
test_mutex(void **state)
{
	struct mtx_arg ma = {.iters = MTX_ITERS};
	struct ult *u[4 * MTX_ULTS];
	pthread_t th[2];
	int i;

	assert_int_equal(ult_mutex_create(&ma.m), 0);
	/* many ULTs on one xstream */
	run_on(0, mtx_spawn_local, &ma);
	assert_int_equal(ma.counter, MTX_ULTS * MTX_ITERS);

	/* across every xstream plus two plain threads */
	ma.counter = 0;
	for (i = 0; i < 4 * MTX_ULTS; i++)
		assert_int_equal(ult_create(i % 4, mtx_worker, &ma, 0, &u[i]), 0);
	for (i = 0; i < 2; i++)
		assert_int_equal(pthread_create(&th[i], NULL, mtx_thread, &ma), 0);
	for (i = 0; i < 4 * MTX_ULTS; i++)
		assert_int_equal(ult_join(u[i]), 0);
	for (i = 0; i < 2; i++)
		pthread_join(th[i], NULL);
	assert_int_equal(ma.counter, (4 * MTX_ULTS + 2) * MTX_ITERS);

	assert_int_equal(ult_mutex_trylock(ma.m), 0);
	assert_int_equal(ult_mutex_trylock(ma.m), -DER_BUSY);
	assert_int_equal(ult_mutex_free(&ma.m), -DER_BUSY);
	assert_int_equal(ult_mutex_unlock(ma.m), 0);
	assert_int_equal(ult_mutex_unlock(ma.m), -DER_INVAL);
	assert_int_equal(ult_mutex_free(&ma.m), 0);
	assert_int_equal(ult_mutex_lock(NULL), -DER_INVAL);
}

/* ---- condition variable ---- */
struct cv_arg {
	ult_mutex_t m;
	ult_cond_t cv;
	int ready; /* generation the waiters wait for */
	int woken;
	int waiting;
};

static void
cv_waiter(void *arg)
{
	struct cv_arg *ca = arg;

	ult_mutex_lock(ca->m);
	ca->waiting++;
	while (ca->ready == 0)
		assert_int_equal(ult_cond_wait(ca->cv, ca->m), 0);
	ca->ready--; /* consume one token */
	ca->woken++;
	ult_mutex_unlock(ca->m);
}

static int
cv_count(struct cv_arg *ca, int *waiting)
{
	int w;

	ult_mutex_lock(ca->m);
	w = ca->woken;
	if (waiting != NULL)
		*waiting = ca->waiting;
	ult_mutex_unlock(ca->m);
	return w;
}

static void
wait_waiting(struct cv_arg *ca, int n)
{
	uint64_t deadline = test_now_us() + 5 * 1000 * 1000;
	int waiting = 0;

	while (test_now_us() < deadline) {
		cv_count(ca, &waiting);
		if (waiting >= n)
			break;
		usleep(1000);
	}
	assert_int_equal(waiting, n);
}

static void
cv_timed(void *arg)
{
	struct cv_arg *ca = arg;
	uint64_t t0 = test_now_us();
	int rc;

	ult_mutex_lock(ca->m);
	rc = ult_cond_timedwait(ca->cv, ca->m, 15 * 1000);
	/* the mutex is held again after a timeout */
	assert_int_equal(ult_mutex_trylock(ca->m), -DER_BUSY);
	ult_mutex_unlock(ca->m);
	assert_int_equal(rc, -DER_TIMEDOUT);
	assert_true(test_now_us() - t0 >= 15 * 1000);
}

static void
test_cond(void **state)
{
	struct cv_arg ca = {0};
	struct ult *u[8];
	uint64_t deadline;
	int i;

	assert_int_equal(ult_mutex_create(&ca.m), 0);
	assert_int_equal(ult_cond_create(&ca.cv), 0);
	for (i = 0; i < 8; i++)
		assert_int_equal(ult_create(i % 4, cv_waiter, &ca, 0, &u[i]), 0);
	wait_waiting(&ca, 8);

	/* signal: exactly one more waiter gets through each time */
	for (i = 1; i <= 2; i++) {
		ult_mutex_lock(ca.m);
		ca.ready++;
		ult_mutex_unlock(ca.m);
		assert_int_equal(ult_cond_signal(ca.cv), 0);
		deadline = test_now_us() + 5 * 1000 * 1000;
		while (cv_count(&ca, NULL) < i && test_now_us() < deadline)
			usleep(1000);
		usleep(10 * 1000);
		assert_int_equal(cv_count(&ca, NULL), i);
	}

	/* broadcast releases the rest */
	ult_mutex_lock(ca.m);
	ca.ready += 6;
	ult_mutex_unlock(ca.m);
	assert_int_equal(ult_cond_broadcast(ca.cv), 0);
	for (i = 0; i < 8; i++)
		assert_int_equal(ult_join(u[i]), 0);
	assert_int_equal(ca.woken, 8);

	/* timed wait from a ULT and from a plain thread */
	run_on(3, cv_timed, &ca);
	cv_timed(&ca);
	/* waiting without holding the mutex is refused */
	assert_int_equal(ult_cond_wait(ca.cv, ca.m), -DER_INVAL);
	assert_int_equal(ult_cond_free(&ca.cv), 0);
	assert_int_equal(ult_mutex_free(&ca.m), 0);
}

/* ---- rwlock ---- */
struct rw_arg {
	ult_rwlock_t l;
	_Atomic int readers;
	_Atomic int writers;
	_Atomic int max_readers;
	_Atomic int violations;
	long value; /* written under the write lock only */
	int iters;
};

static void
rw_reader(void *arg)
{
	struct rw_arg *ra = arg;
	int i;

	for (i = 0; i < ra->iters; i++) {
		int r, m;

		assert_int_equal(ult_rwlock_rdlock(ra->l), 0);
		r = atomic_fetch_add(&ra->readers, 1) + 1;
		if (atomic_load(&ra->writers) != 0)
			atomic_fetch_add(&ra->violations, 1);
		m = atomic_load(&ra->max_readers);
		while (r > m && !atomic_compare_exchange_weak(&ra->max_readers, &m, r))
			;
		ult_yield();
		atomic_fetch_sub(&ra->readers, 1);
		assert_int_equal(ult_rwlock_unlock(ra->l), 0);
	}
}

static void
rw_writer(void *arg)
{
	struct rw_arg *ra = arg;
	int i;

	for (i = 0; i < ra->iters; i++) {
		long v;

		assert_int_equal(ult_rwlock_wrlock(ra->l), 0);
		if (atomic_fetch_add(&ra->writers, 1) != 0 || atomic_load(&ra->readers) != 0)
			atomic_fetch_add(&ra->violations, 1);
		v = ra->value;
		ult_yield();
		ra->value = v + 1;
		atomic_fetch_sub(&ra->writers, 1);
		assert_int_equal(ult_rwlock_unlock(ra->l), 0);
	}
}

static void
test_rwlock(void **state)
{
	struct rw_arg ra = {.iters = 100};
	struct ult *u[16];
	int i;

	assert_int_equal(ult_rwlock_create(&ra.l), 0);
	/* readers share: 6 readers on one xstream overlap while yielding */
	for (i = 0; i < 6; i++)
		assert_int_equal(ult_create(0, rw_reader, &ra, 0, &u[i]), 0);
	for (i = 0; i < 6; i++)
		assert_int_equal(ult_join(u[i]), 0);
	assert_true(atomic_load(&ra.max_readers) > 1);

	/* mixed readers and writers on every xstream */
	for (i = 0; i < 16; i++)
		assert_int_equal(
			ult_create(i % 4, i % 4 == 1 ? rw_writer : rw_reader, &ra, 0, &u[i]), 0);
	for (i = 0; i < 16; i++)
		assert_int_equal(ult_join(u[i]), 0);
	assert_int_equal(atomic_load(&ra.violations), 0);
	assert_int_equal(ra.value, 4 * ra.iters);
	assert_int_equal(ult_rwlock_unlock(ra.l), -DER_INVAL);
	assert_int_equal(ult_rwlock_free(&ra.l), 0);
}

/* ---- a waiting ULT is parked: the other ULTs of its xstream keep running ---- */
struct park_arg {
	ult_mutex_t m;
	ult_eventual_t ev;
	_Atomic int got_lock;
	_Atomic int ticks;
	_Atomic int stop;
};

static void
park_locker(void *arg)
{
	struct park_arg *pa = arg;

	ult_mutex_lock(pa->m);
	atomic_store(&pa->got_lock, 1);
	ult_mutex_unlock(pa->m);
	ult_eventual_wait(pa->ev, NULL);
}

static void
park_ticker(void *arg)
{
	struct park_arg *pa = arg;

	while (!atomic_load(&pa->stop)) {
		atomic_fetch_add(&pa->ticks, 1);
		ult_sleep_ms(1);
	}
}

static void
test_parked_not_blocking(void **state)
{
	struct park_arg pa = {0};
	struct ult *u[2];
	uint64_t deadline;

	assert_int_equal(ult_mutex_create(&pa.m), 0);
	assert_int_equal(ult_eventual_create(0, &pa.ev), 0);
	/* a plain thread holds the mutex */
	assert_int_equal(ult_mutex_lock(pa.m), 0);
	assert_int_equal(ult_create(0, park_locker, &pa, 0, &u[0]), 0);
	assert_int_equal(ult_create(0, park_ticker, &pa, 0, &u[1]), 0);
	deadline = test_now_us() + 5 * 1000 * 1000;
	while (atomic_load(&pa.ticks) < 20 && test_now_us() < deadline)
		usleep(1000);
	assert_true(atomic_load(&pa.ticks) >= 20);
	assert_int_equal(atomic_load(&pa.got_lock), 0);
	assert_int_equal(ult_mutex_unlock(pa.m), 0);
	deadline = test_now_us() + 5 * 1000 * 1000;
	while (!atomic_load(&pa.got_lock) && test_now_us() < deadline)
		usleep(1000);
	assert_int_equal(atomic_load(&pa.got_lock), 1);
	/* now parked on the eventual; set from this thread */
	assert_int_equal(ult_eventual_set(pa.ev, NULL, 0), 0);
	assert_int_equal(ult_join(u[0]), 0);
	atomic_store(&pa.stop, 1);
	assert_int_equal(ult_join(u[1]), 0);
	assert_int_equal(ult_mutex_free(&pa.m), 0);
	assert_int_equal(ult_eventual_free(&pa.ev), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_eventual, setup4, teardown_rt),
		cmocka_unit_test_setup_teardown(test_mutex, setup4, teardown_rt),
		cmocka_unit_test_setup_teardown(test_cond, setup4, teardown_rt),
		cmocka_unit_test_setup_teardown(test_rwlock, setup4, teardown_rt),
		cmocka_unit_test_setup_teardown(test_parked_not_blocking, setup4, teardown_rt),
	};

	return cmocka_run_group_tests_name("ult_sync", tests, NULL, NULL);
}
