/*
 * Hybrid logical clock and time helper tests.
 */
#define D_LOGFAC DD_FAC(tests)

#include <stdarg.h>
#include <setjmp.h>
#include <pthread.h>
#include <math.h>
#include <cmocka.h>

#include <gurt/common.h>

#define NTHREADS       8
#define STAMPS_PER_THR 200000

struct stamp_arg {
	pthread_barrier_t *barrier;
	uint64_t *stamps;
	int nr;
	int bad_order; /* index of the first non-increasing stamp, or -1 */
};

static void *
stamp_thread(void *data)
{
	struct stamp_arg *arg = data;
	int i;

	arg->bad_order = -1;
	pthread_barrier_wait(arg->barrier);
	for (i = 0; i < arg->nr; i++) {
		arg->stamps[i] = d_hlc_get();
		if (i > 0 && arg->stamps[i] <= arg->stamps[i - 1] && arg->bad_order < 0)
			arg->bad_order = i;
	}
	return NULL;
}

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a;
	uint64_t y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* Every thread sees a strictly increasing sequence and no value is handed out twice. */
static void
test_hlc_concurrent_unique(void **state)
{
	pthread_t threads[NTHREADS];
	struct stamp_arg args[NTHREADS];
	pthread_barrier_t barrier;
	uint64_t *all;
	uint64_t before;
	uint64_t after;
	uint64_t t0;
	uint64_t t1;
	size_t total = (size_t)NTHREADS * STAMPS_PER_THR;
	size_t i;
	int t;

	all = malloc(total * sizeof(*all));
	assert_non_null(all);
	assert_int_equal(pthread_barrier_init(&barrier, NULL, NTHREADS), 0);

	before = d_hlc_get();
	t0 = d_timenow_ns();
	for (t = 0; t < NTHREADS; t++) {
		args[t].barrier = &barrier;
		args[t].stamps = all + (size_t)t * STAMPS_PER_THR;
		args[t].nr = STAMPS_PER_THR;
		assert_int_equal(pthread_create(&threads[t], NULL, stamp_thread, &args[t]), 0);
	}
	for (t = 0; t < NTHREADS; t++)
		assert_int_equal(pthread_join(threads[t], NULL), 0);
	after = d_hlc_get();
	t1 = d_timenow_ns();
	print_message("%d threads x %d d_hlc_get(): %.1f ms, %.1f ns per call (all threads)\n",
		      NTHREADS, STAMPS_PER_THR, (t1 - t0) / 1e6, (double)(t1 - t0) / total);
	pthread_barrier_destroy(&barrier);

	for (t = 0; t < NTHREADS; t++) {
		if (args[t].bad_order >= 0)
			fail_msg("thread %d: stamp %d not increasing", t, args[t].bad_order);
		assert_true(args[t].stamps[0] > before);
		assert_true(args[t].stamps[STAMPS_PER_THR - 1] < after);
	}

	qsort(all, total, sizeof(*all), cmp_u64);
	for (i = 1; i < total; i++)
		if (all[i] == all[i - 1])
			fail_msg("duplicate HLC " DF_X64 " at %zu", all[i], i);
	free(all);
}

/* The HLC tracks the wall clock: its physical part is within a second of CLOCK_REALTIME. */
static void
test_hlc_tracks_realtime(void **state)
{
	struct timespec rt;
	uint64_t unixnsec;
	uint64_t hlc;
	int64_t diff;

	assert_int_equal(clock_gettime(CLOCK_REALTIME, &rt), 0);
	hlc = d_hlc_get();
	unixnsec = d_hlc2unixnsec(hlc);
	diff = (int64_t)(unixnsec - ((uint64_t)rt.tv_sec * NSEC_PER_SEC + rt.tv_nsec));
	/* The clock may be ahead from an earlier merged message, but never behind. */
	assert_true(diff > -(int64_t)(20 * NSEC_PER_USEC));
	assert_true(diff < (int64_t)(2 * NSEC_PER_SEC));
	assert_true(d_hlc_age2sec(hlc) <= 2);
	assert_int_equal(d_hlc_age2sec(hlc + d_sec2hlc(100)), 0);
}

static uint64_t
hlc_phys_now(void)
{
	struct timespec rt;
	uint64_t hlc;

	assert_int_equal(clock_gettime(CLOCK_REALTIME, &rt), 0);
	assert_int_equal(d_timespec2hlc(rt, &hlc), 0);
	return hlc;
}

/* A remote clock ahead by less than epsilon pushes the local clock past it. */
static void
test_hlc_msg_within_epsilon(void **state)
{
	uint64_t msg = (hlc_phys_now() + d_msec2hlc(300)) | 7;
	uint64_t out = 0;
	uint64_t off = 0;
	uint64_t next;
	int rc;

	assert_int_equal(d_hlc_epsilon_get(), d_sec2hlc(1));

	rc = d_hlc_get_msg(msg, &out, &off);
	assert_int_equal(rc, 0);
	assert_true(out > msg);
	/* offset is how far msg is ahead of our physical clock: ~300 ms. */
	assert_true(off > d_msec2hlc(100));
	/* The local physical reading is floored to the 16 us resolution. */
	assert_true(off <= d_msec2hlc(300) + D_HLC_MASK + 1);

	next = d_hlc_get();
	assert_true(next > out);

	/* An older message still advances the clock by at least one tick. */
	rc = d_hlc_get_msg(msg - d_msec2hlc(500), &out, NULL);
	assert_int_equal(rc, 0);
	assert_true(out > next);
	assert_int_equal(d_hlc_get_msg(msg, NULL, NULL), 0);
	assert_true(d_hlc_get() > msg);
}

/* Beyond epsilon: -DER_HLC_SYNC, offset reported, local clock not dragged forward. */
static void
test_hlc_msg_beyond_epsilon(void **state)
{
	uint64_t msg = hlc_phys_now() + d_sec2hlc(30);
	uint64_t out = 0xdead;
	uint64_t off = 0;
	int rc;

	rc = d_hlc_get_msg(msg, &out, &off);
	assert_int_equal(rc, -DER_HLC_SYNC);
	assert_int_equal(out, 0xdead);
	assert_true(off > d_sec2hlc(29));
	assert_true(d_hlc_get() < msg);

	/* A tighter epsilon rejects a smaller skew, and a looser one accepts it. */
	d_hlc_epsilon_set(d_msec2hlc(10));
	assert_int_equal(d_hlc_epsilon_get() & D_HLC_MASK, 0);
	assert_true(d_hlc_epsilon_get() >= d_msec2hlc(10));
	assert_true(d_hlc_epsilon_get() < d_msec2hlc(10) + D_HLC_MASK + 1);
	msg = hlc_phys_now() + d_msec2hlc(500);
	assert_int_equal(d_hlc_get_msg(msg, NULL, NULL), -DER_HLC_SYNC);
	d_hlc_epsilon_set(d_sec2hlc(2));
	assert_int_equal(d_hlc_get_msg(msg, &out, NULL), 0);
	assert_true(out > msg);

	/* Rounding up to the physical resolution; a huge value saturates. */
	d_hlc_epsilon_set(1);
	assert_int_equal(d_hlc_epsilon_get(), D_HLC_MASK + 1);
	d_hlc_epsilon_set(UINT64_MAX);
	assert_int_equal(d_hlc_epsilon_get(), ~D_HLC_MASK);

	d_hlc_epsilon_set(d_sec2hlc(1));
	assert_int_equal(d_hlc_epsilon_get(), (d_sec2hlc(1) + D_HLC_MASK) & ~D_HLC_MASK);
	assert_int_equal(d_hlc_epsilon_get_bound(0), d_hlc_epsilon_get() | D_HLC_MASK);
	assert_int_equal(d_hlc_epsilon_get_bound(D_HLC_MASK + 1),
			 (D_HLC_MASK + 1 + d_hlc_epsilon_get()) | D_HLC_MASK);
}

static void
test_hlc_conversions(void **state)
{
	struct timespec ts;
	uint64_t hlc;
	uint64_t start = D_HLC_START_SEC * NSEC_PER_SEC;
	uint64_t unixnsec;

	/* Units: 16 per ns, zero at 2021-01-01. */
	assert_int_equal(d_nsec2hlc(1), 16);
	assert_int_equal(d_hlc2nsec(d_nsec2hlc(123456789)), 123456789);
	assert_int_equal(d_sec2hlc(1), 16 * NSEC_PER_SEC);
	assert_int_equal(d_hlc2sec(d_sec2hlc(42)), 42);
	assert_int_equal(d_hlc2msec(d_msec2hlc(42)), 42);
	assert_int_equal(d_hlc2usec(d_usec2hlc(42)), 42);
	assert_int_equal(d_hlc2unixnsec(0), start);
	assert_int_equal(d_unixnsec2hlc(start), 0);

	/* Unix ns round trip at a 1/16-ns-exact value. */
	unixnsec = start + 5ULL * 365 * 86400 * NSEC_PER_SEC + 987654321;
	hlc = d_unixnsec2hlc(unixnsec);
	assert_int_equal(d_hlc2unixnsec(hlc), unixnsec);
	/* Out of range: before 2021, or past the representable end (~2057). */
	assert_int_equal(d_unixnsec2hlc(start - 1), 0);
	assert_int_equal(d_unixnsec2hlc(UINT64_MAX), 0);

	/* timespec round trip. */
	assert_int_equal(d_hlc2timespec(hlc, &ts), 0);
	assert_int_equal((uint64_t)ts.tv_sec, D_HLC_START_SEC + 5ULL * 365 * 86400);
	assert_int_equal(ts.tv_nsec, 987654321);
	hlc = 0;
	assert_int_equal(d_timespec2hlc(ts, &hlc), 0);
	assert_int_equal(d_hlc2unixnsec(hlc), unixnsec);

	/* A live timestamp survives hlc -> timespec -> hlc up to the sub-ns bits. */
	hlc = d_hlc_get();
	assert_int_equal(d_hlc2timespec(hlc, &ts), 0);
	assert_int_equal(d_timespec2hlc(ts, &unixnsec), 0);
	assert_int_equal(unixnsec, hlc - hlc % D_HLC_NSEC);

	/* Bad input. */
	assert_int_equal(d_hlc2timespec(hlc, NULL), -DER_INVAL);
	assert_int_equal(d_timespec2hlc(ts, NULL), -DER_INVAL);
	ts.tv_sec = D_HLC_START_SEC - 1;
	ts.tv_nsec = 0;
	assert_int_equal(d_timespec2hlc(ts, &hlc), -DER_INVAL);
	ts.tv_sec = D_HLC_START_SEC;
	ts.tv_nsec = (long)NSEC_PER_SEC;
	assert_int_equal(d_timespec2hlc(ts, &hlc), -DER_INVAL);
	ts.tv_sec = (time_t)(D_HLC_START_SEC + 100ULL * 365 * 86400);
	ts.tv_nsec = 0;
	assert_int_equal(d_timespec2hlc(ts, &hlc), -DER_INVAL);
}

static void
test_hlct(void **state)
{
	assert_int_equal(d_hlct_get(), 0);
	d_hlct_sync(100);
	assert_int_equal(d_hlct_get(), 100);
	d_hlct_sync(50);
	assert_int_equal(d_hlct_get(), 100);
	d_hlct_sync(101);
	assert_int_equal(d_hlct_get(), 101);
}

static void
test_time_helpers(void **state)
{
	struct timespec a = {.tv_sec = 10, .tv_nsec = 900000000};
	struct timespec b = {.tv_sec = 12, .tv_nsec = 100000000};
	struct timespec d;
	struct timespec deadline;
	uint64_t t0;
	uint64_t t1;

	assert_int_equal(d_timediff_ns(&a, &b), 1200000000LL);
	assert_int_equal(d_timediff_ns(&b, &a), -1200000000LL);
	d = d_timediff(a, b);
	assert_int_equal(d.tv_sec, 1);
	assert_int_equal(d.tv_nsec, 200000000);

	d_timeinc(&a, 2300000000ULL);
	assert_int_equal(a.tv_sec, 13);
	assert_int_equal(a.tv_nsec, 200000000);

	assert_true(fabs(d_time2us(b) - 12100000.0) < 1e-6);
	assert_true(fabs(d_time2ms(b) - 12100.0) < 1e-9);
	assert_true(fabs(d_time2s(b) - 12.1) < 1e-12);

	t0 = d_timenow_ns();
	assert_int_equal(d_gettime(&deadline), 0);
	d_timeinc(&deadline, 50 * NSEC_PER_MSEC);
	assert_true(d_timeleft_ns(&deadline) > 0);
	assert_true(d_timeleft_ns(&deadline) <= (int64_t)(50 * NSEC_PER_MSEC));
	deadline.tv_sec -= 10;
	assert_int_equal(d_timeleft_ns(&deadline), 0);
	t1 = d_timenow_ns();
	assert_true(t1 >= t0);
	d = d_time_elapsed((struct timespec){.tv_sec = 0});
	assert_true(d.tv_sec > 0 || d.tv_nsec > 0);
	assert_true(d_timeus_secdiff(1) > t1 / 1000);
}

/* Cost of one uncontended call (reported, not asserted: the machine may be loaded). */
static void
test_hlc_single_thread_cost(void **state)
{
	uint64_t last = d_hlc_get();
	uint64_t t0;
	uint64_t t1;
	uint64_t hlc;
	int i;

	t0 = d_timenow_ns();
	for (i = 0; i < 1000000; i++) {
		hlc = d_hlc_get();
		assert_true(hlc > last);
		last = hlc;
	}
	t1 = d_timenow_ns();
	print_message("1 thread x 1000000 d_hlc_get(): %.1f ns per call\n", (t1 - t0) / 1e6);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hlct),
		cmocka_unit_test(test_hlc_concurrent_unique),
		cmocka_unit_test(test_hlc_single_thread_cost),
		cmocka_unit_test(test_hlc_tracks_realtime),
		cmocka_unit_test(test_hlc_msg_within_epsilon),
		cmocka_unit_test(test_hlc_msg_beyond_epsilon),
		cmocka_unit_test(test_hlc_conversions),
		cmocka_unit_test(test_time_helpers),
	};

	return cmocka_run_group_tests_name("gurt_hlc", tests, NULL, NULL);
}
