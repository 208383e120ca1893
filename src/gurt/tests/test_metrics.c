/*
 * Telemetry registry tests: metric semantics, concurrency, naming errors, listing and the
 * Prometheus export (parsed back line by line).
 */
#define D_LOGFAC DD_FAC(tests)

#include <stdarg.h>
#include <setjmp.h>
#include <pthread.h>
#include <math.h>
#include <ctype.h>
#include <cmocka.h>

#include <gurt/common.h>
#include <gurt/telemetry.h>

static int
setup(void **state)
{
	return d_tm_init(0, 0, D_TM_SERVER_PROCESS);
}

static int
teardown(void **state)
{
	d_tm_fini();
	return 0;
}

static void
test_uninitialised(void **state)
{
	struct d_tm_node_t *node = (void *)1;
	char *buf;

	assert_int_equal(d_tm_add_metric(&node, D_TM_COUNTER, NULL, NULL, "a/b"), -DER_UNINIT);
	assert_null(node);
	assert_null(d_tm_open(0));
	assert_null(d_tm_get_root(NULL));
	assert_null(d_tm_find_metric(NULL, "a/b"));
	assert_int_equal(d_tm_export_prometheus_str(&buf, NULL, NULL), -DER_UNINIT);
	assert_null(buf);
	/* Updates through NULL nodes are no-ops, so code runs with telemetry off. */
	d_tm_inc_counter(NULL, 1);
	d_tm_set_gauge(NULL, 1);
	d_tm_mark_duration_start(NULL, D_TM_CLOCK_REALTIME);
	d_tm_mark_duration_end(NULL);
	d_tm_fini(); /* unbalanced fini is harmless */

	/* Reference counted. */
	assert_int_equal(d_tm_init(1, 0, 0), 0);
	assert_int_equal(d_tm_init(1, 0, 0), 0);
	d_tm_fini();
	assert_non_null(d_tm_get_root(NULL));
	d_tm_fini();
	assert_null(d_tm_get_root(NULL));
}

static void
test_counter(void **state)
{
	struct d_tm_node_t *c;
	struct d_tm_node_t *c2;
	uint64_t v = 99;

	assert_int_equal(
		d_tm_add_metric(&c, D_TM_COUNTER, "ops done", "ops", "io/ops/%s/count", "update"),
		0);
	assert_non_null(c);
	assert_string_equal(c->dtn_name, "count");
	assert_int_equal(c->dtn_type, D_TM_COUNTER);
	assert_int_equal(d_tm_get_counter(NULL, &v, c), 0);
	assert_int_equal(v, 0);
	d_tm_inc_counter(c, 5);
	d_tm_inc_counter(c, 1);
	assert_int_equal(d_tm_get_counter(NULL, &v, c), 0);
	assert_int_equal(v, 6);
	d_tm_set_counter(c, 100);
	assert_int_equal(d_tm_get_counter(NULL, &v, c), 0);
	assert_int_equal(v, 100);

	/* Adding the same path again returns the same metric; leading '/' is optional. */
	assert_int_equal(d_tm_add_metric(&c2, D_TM_COUNTER, NULL, NULL, "/io/ops/update/count"), 0);
	assert_ptr_equal(c, c2);
	assert_ptr_equal(d_tm_find_metric(NULL, "io/ops/update/count"), c);
	assert_ptr_equal(d_tm_find_metric(NULL, "/io/ops/update/count"), c);
	assert_null(d_tm_find_metric(NULL, "io/ops/update/nope"));
	assert_int_equal(d_tm_find_metric(NULL, "io/ops")->dtn_type, D_TM_DIRECTORY);
	assert_ptr_equal(d_tm_find_metric(NULL, "io/ops/update"), c->dtn_parent);

	/* Wrong-type reads and writes. */
	assert_int_equal(d_tm_get_gauge(NULL, &v, NULL, c), -DER_OP_NOT_PERMITTED);
	assert_int_equal(d_tm_get_counter(NULL, NULL, c), -DER_INVAL);
	assert_int_equal(d_tm_get_counter(NULL, &v, NULL), -DER_METRIC_NOT_FOUND);
	d_tm_set_gauge(c, 7); /* logged and ignored */
	assert_int_equal(d_tm_get_counter(NULL, &v, c), 0);
	assert_int_equal(v, 100);
}

static void
test_gauge(void **state)
{
	struct d_tm_node_t *g;
	struct d_tm_node_t *sg;
	struct d_tm_stats_t st;
	uint64_t v;
	int i;

	assert_int_equal(d_tm_add_metric(&g, D_TM_GAUGE, "in flight", "req", "net/inflight"), 0);
	d_tm_set_gauge(g, 10);
	d_tm_inc_gauge(g, 5);
	d_tm_dec_gauge(g, 3);
	memset(&st, 0xff, sizeof(st));
	assert_int_equal(d_tm_get_gauge(NULL, &v, &st, g), 0);
	assert_int_equal(v, 12);
	assert_int_equal(st.sample_size, 0); /* plain gauge: no stats */

	/* Stats gauge: samples 2, 4, 4, 4, 5, 5, 7, 9 -> mean 5, sample stddev sqrt(32/7). */
	assert_int_equal(d_tm_add_metric(&sg, D_TM_STATS_GAUGE, "latency", "us", "io/lat"), 0);
	assert_int_equal(d_tm_get_gauge(NULL, &v, &st, sg), 0);
	assert_int_equal(st.sample_size, 0);
	assert_int_equal(st.dtm_min, 0);
	{
		uint64_t samples[] = {2, 4, 4, 4, 5, 5, 7, 9};

		for (i = 0; i < 8; i++)
			d_tm_set_gauge(sg, samples[i]);
	}
	assert_int_equal(d_tm_get_gauge(NULL, &v, &st, sg), 0);
	assert_int_equal(v, 9);
	assert_int_equal(st.sample_size, 8);
	assert_int_equal(st.dtm_min, 2);
	assert_int_equal(st.dtm_max, 9);
	assert_int_equal(st.dtm_sum, 40);
	assert_true(fabs(st.mean - 5.0) < 1e-9);
	assert_true(fabs(st.sum_of_squares - 32.0) < 1e-9);
	assert_true(fabs(st.std_dev - sqrt(32.0 / 7.0)) < 1e-9);

	/* inc/dec feed the resulting value into the stats. */
	d_tm_inc_gauge(sg, 91); /* 100 */
	d_tm_dec_gauge(sg, 99); /* 1 */
	assert_int_equal(d_tm_get_gauge(NULL, &v, &st, sg), 0);
	assert_int_equal(v, 1);
	assert_int_equal(st.sample_size, 10);
	assert_int_equal(st.dtm_min, 1);
	assert_int_equal(st.dtm_max, 100);
	assert_int_equal(st.dtm_sum, 141);

	/* Large values with a small spread keep their variance (no cancellation). */
	assert_int_equal(d_tm_add_metric(&sg, D_TM_STATS_GAUGE, NULL, NULL, "io/big"), 0);
	for (i = 0; i < 1000; i++)
		d_tm_set_gauge(sg, 1000000000000ULL + (i % 2) * 2);
	assert_int_equal(d_tm_get_gauge(NULL, &v, &st, sg), 0);
	assert_true(fabs(st.mean - 1000000000001.0) < 1e-3);
	assert_true(fabs(st.std_dev - sqrt(1000.0 / 999.0)) < 1e-6);
}

static void
test_duration_timestamp(void **state)
{
	struct d_tm_node_t *d;
	struct d_tm_node_t *ts;
	struct d_tm_node_t *snap;
	struct d_tm_stats_t st;
	struct timespec tms;
	struct timespec sleep_ts = {.tv_sec = 0, .tv_nsec = 2 * NSEC_PER_MSEC};
	time_t t;
	time_t now;

	assert_int_equal(
		d_tm_add_metric(&d, D_TM_DURATION, "update time", NULL, "io/update/%s", "latency"),
		0);
	assert_int_equal(d->dtn_type, D_TM_DURATION | D_TM_CLOCK_REALTIME);
	/* A no-clock add matches the defaulted realtime clock; another clock does not. */
	assert_int_equal(d_tm_add_metric(&ts, D_TM_DURATION, NULL, NULL, "io/update/latency"), 0);
	assert_ptr_equal(ts, d);
	assert_int_equal(d_tm_add_metric(&ts, D_TM_DURATION | D_TM_CLOCK_THREAD_CPUTIME, NULL, NULL,
					 "io/update/latency"),
			 -DER_OP_NOT_PERMITTED);

	d_tm_mark_duration_start(d, D_TM_CLOCK_REALTIME);
	nanosleep(&sleep_ts, NULL);
	d_tm_mark_duration_end(d);
	d_tm_mark_duration_end(d); /* unpaired end: ignored */
	assert_int_equal(d_tm_get_duration(NULL, &tms, &st, d), 0);
	assert_true(tms.tv_sec == 0 && tms.tv_nsec >= (long)(2 * NSEC_PER_MSEC));
	assert_int_equal(st.sample_size, 1);
	assert_true(st.dtm_min >= 2000);
	assert_true(st.dtm_min == st.dtm_max);

	d_tm_record_duration(d, 10 * NSEC_PER_USEC);
	d_tm_record_duration(d, 30 * NSEC_PER_USEC);
	assert_int_equal(d_tm_get_duration(NULL, &tms, &st, d), 0);
	assert_int_equal(tms.tv_nsec, 30 * NSEC_PER_USEC);
	assert_int_equal(st.sample_size, 3);
	assert_int_equal(st.dtm_min, 10);
	assert_true(st.dtm_max >= 2000);
	assert_int_equal(st.dtm_sum, st.dtm_max + 40);
	assert_true(fabs(st.mean - (double)st.dtm_sum / 3) < 1e-6);
	assert_true(st.std_dev > 0);

	/* CPU-time clock duration. */
	assert_int_equal(d_tm_add_metric(&ts, D_TM_DURATION | D_TM_CLOCK_THREAD_CPUTIME, NULL, NULL,
					 "io/cpu"),
			 0);
	d_tm_mark_duration_start(ts, 0);
	d_tm_mark_duration_end(ts);
	assert_int_equal(d_tm_get_duration(NULL, &tms, &st, ts), 0);
	assert_int_equal(st.sample_size, 1);

	assert_int_equal(d_tm_add_metric(&ts, D_TM_TIMESTAMP, "started", NULL, "started_at"), 0);
	assert_int_equal(d_tm_get_timestamp(NULL, &t, ts), 0);
	assert_int_equal(t, 0);
	now = time(NULL);
	d_tm_record_timestamp(ts);
	assert_int_equal(d_tm_get_timestamp(NULL, &t, ts), 0);
	assert_true(t >= now && t <= now + 2);

	assert_int_equal(d_tm_add_metric(&snap, D_TM_TIMER_SNAPSHOT, NULL, NULL, "snap"), 0);
	d_tm_take_timer_snapshot(snap, D_TM_CLOCK_REALTIME);
	assert_int_equal(d_tm_get_timer_snapshot(NULL, &tms, snap), 0);
	assert_true(tms.tv_sec >= now);
	assert_int_equal(d_tm_get_duration(NULL, &tms, NULL, snap), -DER_OP_NOT_PERMITTED);
}

static void
test_naming_errors(void **state)
{
	struct d_tm_node_t *n;
	char longpath[D_TM_MAX_NAME_LEN + 10];
	char longdesc[D_TM_MAX_DESC_LEN + 1];

	memset(longpath, 'a', sizeof(longpath) - 1);
	longpath[sizeof(longpath) - 1] = '\0';
	assert_int_equal(d_tm_add_metric(&n, D_TM_COUNTER, NULL, NULL, "%s", longpath),
			 -DER_EXCEEDS_PATH_LEN);
	assert_null(n);
	/* The longest accepted path is D_TM_MAX_NAME_LEN - 1 characters. */
	longpath[D_TM_MAX_NAME_LEN - 1] = '\0';
	assert_int_equal(d_tm_add_metric(&n, D_TM_COUNTER, NULL, NULL, "%s", longpath), 0);
	memset(longdesc, 'd', sizeof(longdesc) - 1);
	longdesc[sizeof(longdesc) - 1] = '\0';
	assert_int_equal(d_tm_add_metric(&n, D_TM_COUNTER, longdesc, NULL, "x/desc"),
			 -DER_EXCEEDS_PATH_LEN);

	assert_int_equal(d_tm_add_metric(&n, D_TM_COUNTER, NULL, NULL, "%s", ""), -DER_INVAL);
	assert_int_equal(d_tm_add_metric(&n, D_TM_COUNTER, NULL, NULL, "/"), -DER_INVAL);
	assert_int_equal(d_tm_add_metric(&n, D_TM_COUNTER, NULL, NULL, "a//b"), -DER_INVAL);
	assert_int_equal(d_tm_add_metric(&n, D_TM_COUNTER, NULL, NULL, "a/b/"), -DER_INVAL);
	assert_int_equal(d_tm_add_metric(&n, D_TM_COUNTER, NULL, NULL, "a b"), -DER_INVAL);
	assert_int_equal(d_tm_add_metric(&n, D_TM_COUNTER, NULL, NULL, "a\"b"), -DER_INVAL);
	assert_int_equal(d_tm_add_metric(&n, D_TM_COUNTER, NULL, NULL, "a\nb"), -DER_INVAL);
	assert_int_equal(d_tm_add_metric(&n, D_TM_COUNTER, NULL, NULL, NULL), -DER_INVAL);
	assert_int_equal(d_tm_add_metric(NULL, D_TM_COUNTER, NULL, NULL, "a"), -DER_INVAL);

	/* Bad types. */
	assert_int_equal(d_tm_add_metric(&n, 0, NULL, NULL, "t/zero"), -DER_INVAL);
	assert_int_equal(d_tm_add_metric(&n, D_TM_COUNTER | D_TM_GAUGE, NULL, NULL, "t/two"),
			 -DER_INVAL);
	assert_int_equal(
		d_tm_add_metric(&n, D_TM_COUNTER | D_TM_CLOCK_REALTIME, NULL, NULL, "t/clk"),
		-DER_INVAL);
	assert_int_equal(
		d_tm_add_metric(&n, D_TM_DURATION | D_TM_CLOCK_REALTIME | D_TM_CLOCK_THREAD_CPUTIME,
				NULL, NULL, "t/clk2"),
		-DER_INVAL);
	assert_int_equal(d_tm_add_metric(&n, D_TM_MEMINFO, NULL, NULL, "t/mem"), -DER_NOSYS);
	assert_int_equal(d_tm_add_metric(&n, D_TM_DIRECTORY, NULL, NULL, "t/dir"), -DER_INVAL);
	/* Nothing was left behind by the refusals. */
	assert_null(d_tm_find_metric(NULL, "t"));

	/* Type reuse. */
	assert_int_equal(d_tm_add_metric(&n, D_TM_COUNTER, NULL, NULL, "r/x"), 0);
	assert_int_equal(d_tm_add_metric(&n, D_TM_GAUGE, NULL, NULL, "r/x"), -DER_OP_NOT_PERMITTED);
	assert_null(n);
	assert_int_equal(d_tm_add_metric(&n, D_TM_COUNTER, NULL, NULL, "r"), -DER_OP_NOT_PERMITTED);
	assert_int_equal(d_tm_add_metric(&n, D_TM_COUNTER, NULL, NULL, "r/x/y"), -DER_NOTDIR);
	assert_null(d_tm_find_metric(NULL, "r/x/y"));

	/* Paths that would export under the same Prometheus name. */
	assert_int_equal(d_tm_add_metric(&n, D_TM_COUNTER, NULL, NULL, "p/a-b"), 0);
	assert_int_equal(d_tm_add_metric(&n, D_TM_COUNTER, NULL, NULL, "p/a_b"), -DER_EXIST);
	assert_int_equal(d_tm_add_metric(&n, D_TM_COUNTER, NULL, NULL, "p_a/b"), -DER_EXIST);
	assert_int_equal(d_tm_add_metric(&n, D_TM_STATS_GAUGE, NULL, NULL, "p/lat"), 0);
	assert_int_equal(d_tm_add_metric(&n, D_TM_GAUGE, NULL, NULL, "p/lat_max"), -DER_EXIST);
	assert_int_equal(d_tm_add_metric(&n, D_TM_GAUGE, NULL, NULL, "p/q_mean"), 0);
	assert_int_equal(d_tm_add_metric(&n, D_TM_DURATION, NULL, NULL, "p/q"), -DER_EXIST);
	/* A plain gauge exports no suffixed names, so these coexist. */
	assert_int_equal(d_tm_add_metric(&n, D_TM_GAUGE, NULL, NULL, "p/g"), 0);
	assert_int_equal(d_tm_add_metric(&n, D_TM_GAUGE, NULL, NULL, "p/g_min"), 0);
}

#define NTHREADS 8
#define NINCS    100000

struct conc_arg {
	pthread_barrier_t *barrier;
	struct d_tm_node_t *counter;
	struct d_tm_node_t *gauge;
	struct d_tm_node_t *stats;
	struct d_tm_node_t *dur;
	int idx;
};

static void *
conc_thread(void *data)
{
	struct conc_arg *arg = data;
	struct d_tm_node_t *mine;
	int i;

	pthread_barrier_wait(arg->barrier);
	/* Concurrent find-or-create of one shared path returns one node to everybody. */
	if (d_tm_add_metric(&mine, D_TM_COUNTER, NULL, NULL, "conc/shared") != 0)
		return (void *)1;
	for (i = 0; i < NINCS; i++) {
		d_tm_inc_counter(arg->counter, 1);
		d_tm_inc_counter(mine, 2);
		d_tm_inc_gauge(arg->gauge, 3);
		d_tm_dec_gauge(arg->gauge, 1);
		if (i % 10 == 0) {
			d_tm_set_gauge(arg->stats, (uint64_t)(arg->idx * 1000 + i % 1000));
			d_tm_record_duration(arg->dur, (uint64_t)(i % 100 + 1) * NSEC_PER_USEC);
		}
	}
	return NULL;
}

static void
test_concurrent(void **state)
{
	pthread_t threads[NTHREADS];
	struct conc_arg args[NTHREADS];
	pthread_barrier_t barrier;
	struct d_tm_node_t *c;
	struct d_tm_node_t *g;
	struct d_tm_node_t *s;
	struct d_tm_node_t *d;
	struct d_tm_stats_t st;
	struct timespec tms;
	uint64_t v;
	uint64_t n = (uint64_t)NTHREADS * NINCS / 10;
	uint64_t t0;
	void *ret;
	int i;

	assert_int_equal(d_tm_add_metric(&c, D_TM_COUNTER, NULL, NULL, "conc/count"), 0);
	assert_int_equal(d_tm_add_metric(&g, D_TM_GAUGE, NULL, NULL, "conc/gauge"), 0);
	assert_int_equal(d_tm_add_metric(&s, D_TM_STATS_GAUGE, NULL, NULL, "conc/stats"), 0);
	/* One 1000-wide bucket per thread: thread t sets values in [t * 1000, t * 1000 + 990]. */
	assert_int_equal(d_tm_init_histogram(s, NULL, NTHREADS, 1000, 1, NULL), 0);
	assert_int_equal(d_tm_add_metric(&d, D_TM_DURATION, NULL, NULL, "conc/dur"), 0);
	assert_int_equal(pthread_barrier_init(&barrier, NULL, NTHREADS), 0);
	t0 = d_timenow_ns();
	for (i = 0; i < NTHREADS; i++) {
		args[i] = (struct conc_arg){&barrier, c, g, s, d, i};
		assert_int_equal(pthread_create(&threads[i], NULL, conc_thread, &args[i]), 0);
	}
	for (i = 0; i < NTHREADS; i++) {
		assert_int_equal(pthread_join(threads[i], &ret), 0);
		assert_null(ret);
	}
	/* Reported, not asserted: the machine may be loaded. */
	print_message("%d threads x %d rounds of 4 shared-metric updates: %.1f ns per update\n",
		      NTHREADS, NINCS, (double)(d_timenow_ns() - t0) / (4.0 * NTHREADS * NINCS));
	pthread_barrier_destroy(&barrier);

	assert_int_equal(d_tm_get_counter(NULL, &v, c), 0);
	assert_int_equal(v, (uint64_t)NTHREADS * NINCS);
	assert_int_equal(d_tm_get_counter(NULL, &v, d_tm_find_metric(NULL, "conc/shared")), 0);
	assert_int_equal(v, 2ULL * NTHREADS * NINCS);
	assert_int_equal(d_tm_get_gauge(NULL, &v, NULL, g), 0);
	assert_int_equal(v, 2ULL * NTHREADS * NINCS);

	/* Each thread set idx*1000 + {0, 10, ..., 990}, 10000 times in all (100 rounds). */
	assert_int_equal(d_tm_get_gauge(NULL, &v, &st, s), 0);
	assert_int_equal(st.sample_size, n);
	assert_int_equal(st.dtm_min, 0);
	assert_int_equal(st.dtm_max, (NTHREADS - 1) * 1000 + 990);
	{
		uint64_t sum = 0;
		double ss = 0;
		double mean;
		int t;
		int k;

		for (t = 0; t < NTHREADS; t++)
			for (k = 0; k < NINCS; k += 10)
				sum += (uint64_t)(t * 1000 + k % 1000);
		mean = (double)sum / n;
		for (t = 0; t < NTHREADS; t++)
			for (k = 0; k < NINCS; k += 10)
				ss += pow(t * 1000 + k % 1000 - mean, 2);
		assert_int_equal(st.dtm_sum, sum);
		assert_true(fabs(st.mean - mean) < 1e-6);
		assert_true(fabs(st.std_dev - sqrt(ss / (n - 1))) < 1e-6 * st.std_dev);
	}

	for (i = 0; i < NTHREADS; i++) {
		struct d_tm_bucket_t b;

		assert_int_equal(d_tm_get_bucket_range(NULL, &b, i, s), 0);
		assert_int_equal(b.dtb_count, NINCS / 10);
	}

	assert_int_equal(d_tm_get_duration(NULL, &tms, &st, d), 0);
	assert_int_equal(st.sample_size, n);
	assert_int_equal(st.dtm_min, 1);
	assert_int_equal(st.dtm_max, 91);
}

#define NWRITERS 4
#define NADDS    200

struct rw_arg {
	pthread_barrier_t *barrier;
	int idx;
	int stop;
	int exports;
};

static void *
rw_writer(void *data)
{
	struct rw_arg *arg = data;
	struct d_tm_node_t *n;
	struct d_tm_node_t *d;
	int i;

	pthread_barrier_wait(arg->barrier);
	for (i = 0; i < NADDS; i++) {
		if (d_tm_add_metric(&n, D_TM_COUNTER, "c", NULL, "dyn/w%d/c%d", arg->idx, i) != 0)
			return (void *)1;
		if (d_tm_add_metric(&d, D_TM_DURATION, NULL, NULL, "dyn/w%d/d%d", arg->idx, i) != 0)
			return (void *)1;
		d_tm_inc_counter(n, (uint64_t)i);
		d_tm_record_duration(d, (uint64_t)i * NSEC_PER_USEC);
		if (i % 50 == 49 && d_tm_del_ephemeral_dir("dyn/w%d", arg->idx) != 0)
			return (void *)1;
	}
	return NULL;
}

static void *
rw_reader(void *data)
{
	struct rw_arg *arg = data;
	char *buf;
	size_t len;

	pthread_barrier_wait(arg->barrier);
	/* At least once, however the threads get scheduled. */
	do {
		if (d_tm_export_prometheus_str(&buf, &len, NULL) != 0)
			return (void *)1;
		free(buf);
		d_tm_count_metrics(NULL, NULL, D_TM_ALL_NODES);
		arg->exports++;
	} while (!__atomic_load_n(&arg->stop, __ATOMIC_ACQUIRE));
	return NULL;
}

/* Readers export and walk while writers add, update and delete: no crash, no race. */
static void
test_readers_and_writers(void **state)
{
	pthread_t wr[NWRITERS];
	pthread_t rd;
	struct rw_arg wargs[NWRITERS];
	struct rw_arg rarg = {0};
	pthread_barrier_t barrier;
	void *ret;
	int i;

	assert_int_equal(pthread_barrier_init(&barrier, NULL, NWRITERS + 1), 0);
	rarg.barrier = &barrier;
	assert_int_equal(pthread_create(&rd, NULL, rw_reader, &rarg), 0);
	for (i = 0; i < NWRITERS; i++) {
		wargs[i] = (struct rw_arg){.barrier = &barrier, .idx = i};
		assert_int_equal(pthread_create(&wr[i], NULL, rw_writer, &wargs[i]), 0);
	}
	for (i = 0; i < NWRITERS; i++) {
		assert_int_equal(pthread_join(wr[i], &ret), 0);
		assert_null(ret);
	}
	__atomic_store_n(&rarg.stop, 1, __ATOMIC_RELEASE);
	assert_int_equal(pthread_join(rd, &ret), 0);
	assert_null(ret);
	pthread_barrier_destroy(&barrier);
	assert_true(rarg.exports > 0);

	/* Every writer deleted its directory after its last batch. */
	for (i = 0; i < NWRITERS; i++) {
		char p[32];

		snprintf(p, sizeof(p), "dyn/w%d", i);
		assert_null(d_tm_find_metric(NULL, p));
	}
	assert_int_equal(d_tm_count_metrics(NULL, NULL, D_TM_COUNTER | D_TM_DURATION), 0);
}

static void
test_ephemeral_dir(void **state)
{
	struct d_tm_node_t *dir;
	struct d_tm_node_t *c;
	uint64_t v;

	assert_int_equal(d_tm_add_ephemeral_dir(&dir, 1024, "pool/%s", "p1"), 0);
	assert_int_equal(dir->dtn_type, D_TM_DIRECTORY);
	assert_int_equal(d_tm_add_ephemeral_dir(NULL, 1024, "pool/p1"), -DER_EXIST);
	assert_int_equal(d_tm_add_metric(&c, D_TM_COUNTER, NULL, NULL, "pool/p1/ops/read"), 0);
	d_tm_inc_counter(c, 4);
	assert_int_equal(d_tm_count_metrics(NULL, dir, D_TM_COUNTER), 1);
	assert_int_equal(d_tm_count_metrics(NULL, dir, D_TM_ALL_NODES), 3);

	assert_int_equal(d_tm_del_ephemeral_dir("pool/p1/ops/read"), -DER_NOTDIR);
	assert_int_equal(d_tm_del_ephemeral_dir("pool/p2"), -DER_NONEXIST);
	assert_int_equal(d_tm_del_ephemeral_dir("pool/%s", "p1"), 0);
	assert_null(d_tm_find_metric(NULL, "pool/p1"));
	assert_null(d_tm_find_metric(NULL, "pool/p1/ops/read"));
	assert_null(d_tm_find_metric(NULL, "pool")->dtn_child);
	/* A held node stays valid (until fini) though it is no longer listed. */
	d_tm_inc_counter(c, 1);
	assert_int_equal(d_tm_get_counter(NULL, &v, c), 0);
	assert_int_equal(v, 5);

	/* The name is free again; a fresh metric starts at zero. */
	assert_int_equal(d_tm_add_metric(&c, D_TM_COUNTER, NULL, NULL, "pool/p1/ops/read"), 0);
	assert_int_equal(d_tm_get_counter(NULL, &v, c), 0);
	assert_int_equal(v, 0);
}

struct list_arg {
	int count;
	char paths[16][D_TM_MAX_NAME_LEN];
	int levels[16];
};

static void
list_cb(struct d_tm_context *ctx, struct d_tm_node_t *node, int level, char *path, int format,
	int opt_fields, void *arg)
{
	struct list_arg *la = arg;

	if (la->count < 16) {
		snprintf(la->paths[la->count], D_TM_MAX_NAME_LEN, "%s", path);
		la->levels[la->count] = level;
	}
	la->count++;
}

static void
test_iterate_and_print(void **state)
{
	struct d_tm_context *ctx;
	struct d_tm_node_t *c;
	struct d_tm_node_t *g;
	struct list_arg la = {0};
	char *buf = NULL;
	size_t size = 0;
	FILE *s;
	char *desc;
	char *units;
	char path[D_TM_MAX_NAME_LEN];

	ctx = d_tm_open(0);
	assert_non_null(ctx);
	assert_int_equal(d_tm_add_metric(&c, D_TM_COUNTER, "reads", "ops", "srv/io/reads"), 0);
	assert_int_equal(d_tm_add_metric(&g, D_TM_STATS_GAUGE, "qd", NULL, "srv/io/qd"), 0);
	assert_int_equal(d_tm_add_metric(&c, D_TM_COUNTER, NULL, NULL, "srv/net/sent"), 0);
	d_tm_inc_counter(c, 3);
	d_tm_set_gauge(g, 4);

	d_tm_iterate(ctx, d_tm_find_metric(ctx, "srv"), 0, D_TM_ALL_NODES, NULL, D_TM_STANDARD, 0,
		     list_cb, &la);
	assert_int_equal(la.count, 6);
	assert_string_equal(la.paths[0], "srv");
	assert_string_equal(la.paths[1], "srv/io");
	assert_string_equal(la.paths[2], "srv/io/reads");
	assert_string_equal(la.paths[3], "srv/io/qd");
	assert_string_equal(la.paths[4], "srv/net");
	assert_string_equal(la.paths[5], "srv/net/sent");
	assert_int_equal(la.levels[2], 2);

	assert_int_equal(
		d_tm_get_metadata(ctx, &desc, &units, d_tm_find_metric(ctx, "srv/io/reads")), 0);
	assert_string_equal(desc, "reads");
	assert_string_equal(units, "ops");
	D_FREE(desc);
	D_FREE(units);
	assert_int_equal(d_tm_get_metadata(ctx, &desc, NULL, c), 0);
	assert_null(desc);
	assert_int_equal(d_tm_get_metadata(ctx, &desc, NULL, d_tm_find_metric(ctx, "srv")),
			 -DER_OP_NOT_PERMITTED);
	assert_string_equal(d_tm_get_name(ctx, c), "sent");
	assert_int_equal(d_tm_get_path(c, path, sizeof(path)), 0);
	assert_string_equal(path, "srv/net/sent");
	assert_int_equal(d_tm_get_path(c, path, 5), -DER_TRUNC);

	s = open_memstream(&buf, &size);
	assert_non_null(s);
	d_tm_print_my_children(ctx, d_tm_find_metric(ctx, "srv"), 0, D_TM_ALL_NODES, NULL,
			       D_TM_STANDARD, D_TM_INCLUDE_METADATA, s);
	fclose(s);
	assert_non_null(strstr(buf, "srv\n    io\n        reads: 0 ops # reads\n"));
	assert_non_null(strstr(buf, "        qd: 4 [min: 4, max: 4, mean: 4.000, stddev: 0.000, "
				    "sum: 4, samples: 1] # qd\n"));
	assert_non_null(strstr(buf, "        sent: 3\n"));
	free(buf);

	buf = NULL;
	s = open_memstream(&buf, &size);
	assert_non_null(s);
	d_tm_print_field_descriptors(0, s);
	d_tm_print_my_children(ctx, d_tm_find_metric(ctx, "srv"), 0, D_TM_ALL_NODES, NULL, D_TM_CSV,
			       0, s);
	fclose(s);
	assert_string_equal(buf, "path,type,value,min,max,mean,stddev,sum,samples,units\n"
				 "\"srv/io/reads\",counter,0,,,,,,,\"ops\"\n"
				 "\"srv/io/qd\",gauge_stats,4,4,4,4.000000,0.000000,4,1,\"\"\n"
				 "\"srv/net/sent\",counter,3,,,,,,,\"\"\n");
	free(buf);
	d_tm_close(&ctx);
	assert_null(ctx);
}

static void
test_list(void **state)
{
	struct d_tm_nodeList_t *list = NULL;
	struct d_tm_nodeList_t *it;
	struct d_tm_node_t *n;
	const char *want[] = {"l/a", "l/b/c", "m/d"};
	char path[D_TM_MAX_NAME_LEN];
	char *buf = NULL;
	size_t size = 0;
	FILE *s;
	int i;

	assert_int_equal(d_tm_get_version(), D_TM_VERSION);
	assert_int_equal(d_tm_add_metric(&n, D_TM_COUNTER, NULL, NULL, "l/a"), 0);
	assert_int_equal(d_tm_add_metric(&n, D_TM_GAUGE, NULL, NULL, "l/b/c"), 0);
	assert_int_equal(d_tm_add_metric(&n, D_TM_COUNTER, NULL, NULL, "m/d"), 0);

	assert_int_equal(
		d_tm_list(NULL, &list, d_tm_find_metric(NULL, "l"), D_TM_COUNTER | D_TM_GAUGE), 0);
	/* A second call appends. */
	assert_int_equal(d_tm_list(NULL, &list, d_tm_find_metric(NULL, "m"), D_TM_COUNTER), 0);
	for (i = 0, it = list; it != NULL; it = it->dtnl_next, i++) {
		assert_true(i < 3);
		assert_int_equal(d_tm_get_path(it->dtnl_node, path, sizeof(path)), 0);
		assert_string_equal(path, want[i]);
	}
	assert_int_equal(i, 3);
	d_tm_list_free(list);
	assert_int_equal(d_tm_list(NULL, NULL, NULL, D_TM_COUNTER), -DER_INVAL);

	/* The root prints as its name, or "/" when it has none. */
	s = open_memstream(&buf, &size);
	assert_non_null(s);
	d_tm_print_node(NULL, d_tm_get_root(NULL), 0, NULL, D_TM_STANDARD, 0, s);
	fclose(s);
	assert_string_equal(buf, "/\n");
	free(buf);
	d_tm_fini();
	assert_int_equal(d_tm_init_with_name(0, 0, 0, "engine0"), 0);
	assert_string_equal(d_tm_get_root(NULL)->dtn_name, "engine0");
	/* The teardown's d_tm_fini() drops this reference. */
}

/* ---- Prometheus exposition parsing ---- */

struct prom_sample {
	char name[D_TM_MAX_NAME_LEN + 32];
	char type[16];
	double value;
};

/*
 * Parse exposition text strictly enough to catch format slips: every sample line is
 * "<name>[{labels}] <value>" with a valid name belonging to the family of the TYPE line
 * before it (a histogram's samples are <family>_bucket{le="..."}, _sum and _count), and
 * no family is declared twice. Samples are stored under their name with labels.
 */
static int
prom_parse(char *text, struct prom_sample *out, int max)
{
	static char families[128][D_TM_MAX_NAME_LEN + 32];
	char cur_type_name[D_TM_MAX_NAME_LEN + 32] = "";
	char cur_type[16] = "";
	char *line;
	char *save = NULL;
	int nfam = 0;
	int n = 0;
	int i;

	for (line = strtok_r(text, "\n", &save); line != NULL; line = strtok_r(NULL, "\n", &save)) {
		char name[D_TM_MAX_NAME_LEN + 32];
		char base[D_TM_MAX_NAME_LEN + 32];
		char type[16];
		char *end;
		char *sp;
		char *brace;

		if (strncmp(line, "# HELP ", 7) == 0)
			continue;
		if (strncmp(line, "# TYPE ", 7) == 0) {
			assert_int_equal(sscanf(line + 7, "%287s %15s", name, type), 2);
			assert_true(strcmp(type, "counter") == 0 || strcmp(type, "gauge") == 0 ||
				    strcmp(type, "histogram") == 0);
			for (i = 0; i < nfam; i++)
				assert_string_not_equal(families[i], name);
			assert_true(nfam < 128);
			strcpy(families[nfam++], name);
			strcpy(cur_type_name, name);
			strcpy(cur_type, type);
			continue;
		}
		assert_true(line[0] != '#');
		/* Label values here never contain spaces, so the value follows the last space. */
		sp = strrchr(line, ' ');
		assert_non_null(sp);
		*sp = '\0';
		snprintf(base, sizeof(base), "%s", line);
		brace = strchr(base, '{');
		if (brace != NULL) {
			assert_true(base[strlen(base) - 1] == '}');
			*brace = '\0';
		}
		for (i = 0; base[i] != '\0'; i++)
			assert_true(isalnum((unsigned char)base[i]) || base[i] == '_' ||
				    base[i] == ':');
		assert_false(isdigit((unsigned char)base[0]));
		if (strcmp(cur_type, "histogram") == 0) {
			size_t flen = strlen(cur_type_name);

			assert_true(strncmp(base, cur_type_name, flen) == 0);
			assert_true(strcmp(base + flen, "_bucket") == 0 ||
				    strcmp(base + flen, "_sum") == 0 ||
				    strcmp(base + flen, "_count") == 0);
			assert_true((brace != NULL) == (strcmp(base + flen, "_bucket") == 0));
		} else {
			assert_null(brace);
			assert_string_equal(base, cur_type_name);
		}
		for (i = 0; i < n; i++)
			assert_string_not_equal(out[i].name, line);
		assert_true(n < max);
		snprintf(out[n].name, sizeof(out[n].name), "%s", line);
		snprintf(out[n].type, sizeof(out[n].type), "%s", cur_type);
		out[n].value = strtod(sp + 1, &end);
		assert_true(end != sp + 1 && *end == '\0');
		n++;
	}
	return n;
}

static const struct prom_sample *
prom_find(const struct prom_sample *s, int n, const char *name)
{
	int i;

	for (i = 0; i < n; i++)
		if (strcmp(s[i].name, name) == 0)
			return &s[i];
	fail_msg("no sample %s", name);
	return NULL;
}

static void
test_prometheus(void **state)
{
	struct d_tm_node_t *n;
	struct prom_sample smp[64];
	char *buf;
	size_t len;
	int nr;
	time_t now = time(NULL);

	/* Empty registry: empty output. */
	assert_int_equal(d_tm_export_prometheus_str(&buf, &len, NULL), 0);
	assert_int_equal(len, 0);
	free(buf);

	assert_int_equal(d_tm_add_metric(&n, D_TM_COUNTER, "Updates\\done\nok", "ops",
					 "io/ops/update/count"),
			 0);
	d_tm_inc_counter(n, 42);
	assert_int_equal(d_tm_add_metric(&n, D_TM_GAUGE, NULL, NULL, "net/in-flight.now"), 0);
	d_tm_set_gauge(n, 5);
	d_tm_dec_gauge(n, 7); /* a buggy producer: exported as -2, not 2^64 - 2 */
	assert_int_equal(d_tm_add_metric(&n, D_TM_STATS_GAUGE, NULL, "us", "io/lat/tgt_%d", 0), 0);
	d_tm_set_gauge(n, 10);
	d_tm_set_gauge(n, 20);
	d_tm_set_gauge(n, 30);
	assert_int_equal(d_tm_add_metric(&n, D_TM_DURATION, "fetch", NULL, "io/ops/fetch/latency"),
			 0);
	d_tm_record_duration(n, 1500 * NSEC_PER_USEC);
	d_tm_record_duration(n, 500 * NSEC_PER_USEC);
	assert_int_equal(d_tm_add_metric(&n, D_TM_TIMESTAMP, NULL, NULL, "started_at"), 0);
	d_tm_record_timestamp(n);
	assert_int_equal(d_tm_add_metric(&n, D_TM_COUNTER, NULL, NULL, "0lead"), 0);

	assert_int_equal(d_tm_export_prometheus_str(&buf, &len, NULL), 0);
	assert_int_equal(strlen(buf), len);
	/* HELP escaping and units. */
	assert_non_null(strstr(buf, "# HELP engine_io_ops_update_count Updates\\\\done\\nok (ops)\n"
				    "# TYPE engine_io_ops_update_count counter\n"
				    "engine_io_ops_update_count 42\n"));
	nr = prom_parse(buf, smp, 64);
	free(buf);
	assert_int_equal(nr, 1 + 1 + 7 + 7 + 1 + 1);

	assert_true(prom_find(smp, nr, "engine_io_ops_update_count")->value == 42);
	assert_string_equal(prom_find(smp, nr, "engine_io_ops_update_count")->type, "counter");
	assert_true(prom_find(smp, nr, "engine_net_in_flight_now")->value == -2);
	assert_string_equal(prom_find(smp, nr, "engine_net_in_flight_now")->type, "gauge");
	assert_true(prom_find(smp, nr, "engine_io_lat_tgt_0")->value == 30);
	assert_true(prom_find(smp, nr, "engine_io_lat_tgt_0_min")->value == 10);
	assert_true(prom_find(smp, nr, "engine_io_lat_tgt_0_max")->value == 30);
	assert_true(prom_find(smp, nr, "engine_io_lat_tgt_0_mean")->value == 20);
	assert_true(fabs(prom_find(smp, nr, "engine_io_lat_tgt_0_stddev")->value - 10) < 1e-6);
	assert_true(prom_find(smp, nr, "engine_io_lat_tgt_0_sum")->value == 60);
	assert_true(prom_find(smp, nr, "engine_io_lat_tgt_0_samples")->value == 3);
	assert_string_equal(prom_find(smp, nr, "engine_io_lat_tgt_0_samples")->type, "counter");
	assert_true(prom_find(smp, nr, "engine_io_ops_fetch_latency")->value == 500);
	assert_true(prom_find(smp, nr, "engine_io_ops_fetch_latency_min")->value == 500);
	assert_true(prom_find(smp, nr, "engine_io_ops_fetch_latency_max")->value == 1500);
	assert_true(prom_find(smp, nr, "engine_io_ops_fetch_latency_mean")->value == 1000);
	assert_true(prom_find(smp, nr, "engine_io_ops_fetch_latency_samples")->value == 2);
	assert_true(prom_find(smp, nr, "engine_started_at")->value >= (double)now);
	assert_true(prom_find(smp, nr, "engine_started_at")->value < (double)now + 3);
	assert_true(prom_find(smp, nr, "engine_0lead")->value == 0);

	/* Custom and empty prefixes; a bad prefix is refused. */
	assert_int_equal(d_tm_export_prometheus_str(&buf, NULL, "client"), 0);
	assert_non_null(strstr(buf, "\nclient_io_ops_update_count 42\n"));
	assert_null(strstr(buf, "engine_"));
	free(buf);
	assert_int_equal(d_tm_export_prometheus_str(&buf, NULL, ""), 0);
	assert_non_null(strstr(buf, "\n_0lead 0\n"));
	nr = prom_parse(buf, smp, 64);
	assert_int_equal(nr, 18);
	free(buf);
	assert_int_equal(d_tm_export_prometheus_str(&buf, NULL, "9bad"), -DER_INVAL);
	assert_int_equal(d_tm_export_prometheus_str(&buf, NULL, "bad-prefix"), -DER_INVAL);
	assert_int_equal(d_tm_export_prometheus(NULL, NULL), -DER_INVAL);
}

static void
test_histogram(void **state)
{
	struct d_tm_node_t *g;
	struct d_tm_node_t *d;
	struct d_tm_node_t *c;
	struct d_tm_histogram_t hg;
	struct d_tm_bucket_t b;
	struct d_tm_stats_t st;
	struct prom_sample smp[64];
	uint64_t samples[] = {5, 15, 35, 100, 9};
	uint64_t want_min[] = {0, 10, 30, 70};
	uint64_t want_max[] = {9, 29, 69, UINT64_MAX};
	uint64_t want_cnt[] = {2, 1, 1, 1};
	uint64_t v;
	char *buf;
	int nr;
	int i;

	assert_int_equal(d_tm_add_metric(&g, D_TM_STATS_GAUGE, "write size", "B", "h/size"), 0);
	assert_int_equal(d_tm_get_num_buckets(NULL, &hg, g), -DER_OP_NOT_PERMITTED);
	assert_int_equal(d_tm_init_histogram(g, "h/size", 4, 10, 2, "B"), 0);
	assert_int_equal(d_tm_init_histogram(g, "h/size", 4, 10, 2, "B"), -DER_EXIST);
	for (i = 0; i < 5; i++)
		d_tm_set_gauge(g, samples[i]);

	assert_int_equal(d_tm_get_num_buckets(NULL, &hg, g), 0);
	assert_int_equal(hg.dth_num_buckets, 4);
	assert_int_equal(hg.dth_initial_width, 10);
	assert_int_equal(hg.dth_value_multiplier, 2);
	for (i = 0; i < 4; i++) {
		assert_int_equal(d_tm_get_bucket_range(NULL, &b, i, g), 0);
		assert_int_equal(b.dtb_min, want_min[i]);
		assert_int_equal(b.dtb_max, want_max[i]);
		assert_int_equal(b.dtb_count, want_cnt[i]);
	}
	assert_int_equal(d_tm_get_bucket_range(NULL, &b, 4, g), -DER_INVAL);
	assert_int_equal(d_tm_get_bucket_range(NULL, &b, -1, g), -DER_INVAL);
	/* The stats are unaffected. */
	assert_int_equal(d_tm_get_gauge(NULL, &v, &st, g), 0);
	assert_int_equal(st.sample_size, 5);

	/* Bad calls. */
	assert_int_equal(d_tm_add_metric(&c, D_TM_COUNTER, NULL, NULL, "h/count"), 0);
	assert_int_equal(d_tm_init_histogram(c, NULL, 4, 10, 2, NULL), -DER_OP_NOT_PERMITTED);
	assert_int_equal(d_tm_init_histogram(NULL, NULL, 4, 10, 2, NULL), -DER_METRIC_NOT_FOUND);
	assert_int_equal(d_tm_add_metric(&d, D_TM_DURATION, NULL, NULL, "h/lat"), 0);
	assert_int_equal(d_tm_init_histogram(d, NULL, 0, 10, 2, NULL), -DER_INVAL);
	assert_int_equal(d_tm_init_histogram(d, NULL, D_TM_MAX_BUCKETS + 1, 10, 2, NULL),
			 -DER_INVAL);
	assert_int_equal(d_tm_init_histogram(d, NULL, 4, 0, 2, NULL), -DER_INVAL);
	assert_int_equal(d_tm_init_histogram(d, NULL, 4, 10, 0, NULL), -DER_INVAL);

	/* Linear buckets on a duration count microseconds. */
	assert_int_equal(d_tm_init_histogram(d, NULL, 3, 100, 1, "us"), 0);
	d_tm_record_duration(d, 50 * NSEC_PER_USEC);
	d_tm_record_duration(d, 150 * NSEC_PER_USEC);
	d_tm_record_duration(d, 5 * NSEC_PER_SEC);
	for (i = 0; i < 3; i++) {
		assert_int_equal(d_tm_get_bucket_range(NULL, &b, i, d), 0);
		assert_int_equal(b.dtb_min, (uint64_t)i * 100);
		assert_int_equal(b.dtb_count, 1);
	}

	/* Geometric widths that would overflow stop at an open-ended last bucket. */
	assert_int_equal(d_tm_add_metric(&c, D_TM_GAUGE, NULL, NULL, "h/wide"), 0);
	assert_int_equal(d_tm_init_histogram(c, NULL, D_TM_MAX_BUCKETS, 1, 1000, NULL), 0);
	assert_int_equal(d_tm_get_num_buckets(NULL, &hg, c), 0);
	assert_true(hg.dth_num_buckets < D_TM_MAX_BUCKETS);
	assert_int_equal(d_tm_get_bucket_range(NULL, &b, hg.dth_num_buckets - 1, c), 0);
	assert_int_equal(b.dtb_max, UINT64_MAX);
	d_tm_set_gauge(c, UINT64_MAX);
	d_tm_set_gauge(c, 0);
	assert_int_equal(d_tm_get_bucket_range(NULL, &b, hg.dth_num_buckets - 1, c), 0);
	assert_int_equal(b.dtb_count, 1);
	assert_int_equal(d_tm_get_bucket_range(NULL, &b, 0, c), 0);
	assert_int_equal(b.dtb_count, 1);

	/* A gauge reserves its histogram names. */
	assert_int_equal(d_tm_add_metric(&c, D_TM_COUNTER, NULL, NULL, "h/size_hist_count"),
			 -DER_EXIST);

	/* Export: cumulative buckets, +Inf last, sum and count. */
	assert_int_equal(d_tm_export_prometheus_str(&buf, NULL, NULL), 0);
	assert_non_null(strstr(buf, "# TYPE engine_h_size_hist histogram\n"
				    "engine_h_size_hist_bucket{le=\"9\"} 2\n"
				    "engine_h_size_hist_bucket{le=\"29\"} 3\n"
				    "engine_h_size_hist_bucket{le=\"69\"} 4\n"
				    "engine_h_size_hist_bucket{le=\"+Inf\"} 5\n"
				    "engine_h_size_hist_sum 164\n"
				    "engine_h_size_hist_count 5\n"));
	nr = prom_parse(buf, smp, 64);
	free(buf);
	assert_true(prom_find(smp, nr, "engine_h_lat_hist_bucket{le=\"99\"}")->value == 1);
	assert_true(prom_find(smp, nr, "engine_h_lat_hist_bucket{le=\"199\"}")->value == 2);
	assert_true(prom_find(smp, nr, "engine_h_lat_hist_bucket{le=\"+Inf\"}")->value == 3);
	assert_true(prom_find(smp, nr, "engine_h_lat_hist_count")->value == 3);
	assert_string_equal(prom_find(smp, nr, "engine_h_lat_hist_count")->type, "histogram");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_uninitialised),
		cmocka_unit_test_setup_teardown(test_counter, setup, teardown),
		cmocka_unit_test_setup_teardown(test_gauge, setup, teardown),
		cmocka_unit_test_setup_teardown(test_duration_timestamp, setup, teardown),
		cmocka_unit_test_setup_teardown(test_naming_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_concurrent, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ephemeral_dir, setup, teardown),
		cmocka_unit_test_setup_teardown(test_readers_and_writers, setup, teardown),
		cmocka_unit_test_setup_teardown(test_iterate_and_print, setup, teardown),
		cmocka_unit_test_setup_teardown(test_list, setup, teardown),
		cmocka_unit_test_setup_teardown(test_prometheus, setup, teardown),
		cmocka_unit_test_setup_teardown(test_histogram, setup, teardown),
	};

	return cmocka_run_group_tests_name("gurt_metrics", tests, NULL, NULL);
}
