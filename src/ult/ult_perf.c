/**
 * ult_perf: micro-benchmarks of the ULT runtime.
 *
 *   ult_perf [--json] [--iters N] [--idle-ms MS]
 *
 * Measures context switches (two ULTs yielding to each other), local ULT
 * create+join, cross-xstream creation, eventual ping-pong between two
 * xstreams, and the CPU used by an idle runtime.
 */
#include <getopt.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include <daos_errno.h>
#include <daos_srv/ult.h>

static uint64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static double
rate(uint64_t ops, uint64_t ns)
{
	return ns == 0 ? 0.0 : (double)ops * 1e9 / (double)ns;
}

struct bench {
	long iters;
	uint64_t ns;
	_Atomic long count;
	ult_eventual_t ev[2];
	int rc;
};

/* ---- context switches: two ULTs on one xstream yield to each other ---- */
static void
yielder(void *arg)
{
	struct bench *b = arg;
	long i;

	for (i = 0; i < b->iters; i++)
		ult_yield();
}

static void
bench_switch_main(void *arg)
{
	struct bench *b = arg;
	struct ult *u[2];
	uint64_t t0 = now_ns();
	int i;

	for (i = 0; i < 2; i++)
		if (ult_create(ULT_XS_SELF, yielder, b, 0, &u[i]) != 0)
			b->rc = -1;
	for (i = 0; i < 2; i++)
		if (ult_join(u[i]) != 0)
			b->rc = -1;
	b->ns = now_ns() - t0;
}

/* ---- create + join of a local ULT ---- */
static void
nop(void *arg)
{
}

static void
bench_create_main(void *arg)
{
	struct bench *b = arg;
	struct ult *u;
	uint64_t t0 = now_ns();
	long i;

	for (i = 0; i < b->iters; i++) {
		if (ult_create(ULT_XS_SELF, nop, NULL, 0, &u) != 0 || ult_join(u) != 0) {
			b->rc = -1;
			break;
		}
	}
	b->ns = now_ns() - t0;
}

/* ---- cross-xstream creation: xstream 0 creates detached ULTs on xstream 1 ---- */
static void
count_one(void *arg)
{
	struct bench *b = arg;

	if (atomic_fetch_add(&b->count, 1) + 1 == b->iters)
		ult_eventual_set(b->ev[0], NULL, 0);
}

static void
bench_remote_main(void *arg)
{
	struct bench *b = arg;
	uint64_t t0 = now_ns();
	long i;

	for (i = 0; i < b->iters; i++) {
		if (ult_create(1, count_one, b, 0, NULL) != 0) {
			b->rc = -1;
			return;
		}
	}
	ult_eventual_wait(b->ev[0], NULL);
	b->ns = now_ns() - t0;
}

/* ---- eventual ping-pong between xstreams 0 and 1 ---- */
static void
ponger(void *arg)
{
	struct bench *b = arg;
	long i;

	for (i = 0; i < b->iters; i++) {
		ult_eventual_wait(b->ev[0], NULL);
		ult_eventual_reset(b->ev[0]);
		ult_eventual_set(b->ev[1], NULL, 0);
	}
}

static void
bench_pingpong_main(void *arg)
{
	struct bench *b = arg;
	struct ult *u;
	uint64_t t0;
	long i;

	if (ult_create(1, ponger, b, 0, &u) != 0) {
		b->rc = -1;
		return;
	}
	t0 = now_ns();
	for (i = 0; i < b->iters; i++) {
		ult_eventual_set(b->ev[0], NULL, 0);
		ult_eventual_wait(b->ev[1], NULL);
		ult_eventual_reset(b->ev[1]);
	}
	b->ns = now_ns() - t0;
	ult_join(u);
}

static int
run(void (*fn)(void *), struct bench *b)
{
	struct ult *u;
	int rc;

	atomic_store(&b->count, 0);
	b->rc = 0;
	b->ns = 0;
	rc = ult_create(0, fn, b, 0, &u);
	if (rc == 0)
		rc = ult_join(u);
	return rc != 0 ? rc : b->rc;
}

static double
cpu_seconds(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + ru.ru_stime.tv_sec +
	       ru.ru_stime.tv_usec / 1e6;
}

static void
usage(const char *prog)
{
	fprintf(stderr, "usage: %s [--json] [--iters N] [--idle-ms MS]\n", prog);
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {{"json", no_argument, NULL, 'j'},
					     {"iters", required_argument, NULL, 'n'},
					     {"idle-ms", required_argument, NULL, 'i'},
					     {"help", no_argument, NULL, 'h'},
					     {NULL, 0, NULL, 0}};
	struct ult_init_attr attr = {.uia_nr_xs = 2};
	struct bench b = {0};
	long iters = 200000;
	long idle_ms = 2000;
	bool json = false;
	double sw, cj, xc, pp, idle_pct, c0;
	uint64_t t0;
	int c, rc;

	while ((c = getopt_long(argc, argv, "jn:i:h", opts, NULL)) != -1) {
		switch (c) {
		case 'j':
			json = true;
			break;
		case 'n':
			iters = strtol(optarg, NULL, 0);
			break;
		case 'i':
			idle_ms = strtol(optarg, NULL, 0);
			break;
		default:
			usage(argv[0]);
			return c == 'h' ? 0 : 2;
		}
	}
	if (iters <= 0 || idle_ms <= 0) {
		usage(argv[0]);
		return 2;
	}

	rc = ult_init(&attr);
	if (rc != 0) {
		fprintf(stderr, "ult_init: %d\n", rc);
		return 1;
	}
	if (ult_eventual_create(0, &b.ev[0]) != 0 || ult_eventual_create(0, &b.ev[1]) != 0) {
		fprintf(stderr, "eventual create failed\n");
		return 1;
	}

	b.iters = iters;
	rc = run(bench_switch_main, &b);
	/* each yield is one switch out of a ULT and one into the other */
	sw = rate(2 * b.iters, b.ns);
	if (rc == 0)
		rc = run(bench_create_main, &b);
	cj = rate(b.iters, b.ns);
	if (rc == 0)
		rc = run(bench_remote_main, &b);
	xc = rate(b.iters, b.ns);
	ult_eventual_reset(b.ev[0]);
	b.iters = iters / 10 > 0 ? iters / 10 : 1;
	if (rc == 0)
		rc = run(bench_pingpong_main, &b);
	pp = rate(b.iters, b.ns);
	if (rc != 0) {
		fprintf(stderr, "benchmark failed: %d\n", rc);
		return 1;
	}

	/* idle: the main thread sleeps, the xstreams have nothing to do */
	c0 = cpu_seconds();
	t0 = now_ns();
	ult_sleep_ms(idle_ms);
	idle_pct = 100.0 * (cpu_seconds() - c0) / ((now_ns() - t0) / 1e9);

	ult_eventual_free(&b.ev[0]);
	ult_eventual_free(&b.ev[1]);
	rc = ult_fini();
	if (rc != 0)
		fprintf(stderr, "ult_fini: %d\n", rc);

	if (json) {
		printf("{\"context_switches_per_s\": %.0f, \"create_join_per_s\": %.0f, "
		       "\"cross_xs_create_per_s\": %.0f, \"eventual_pingpong_per_s\": %.0f, "
		       "\"idle_cpu_pct\": %.3f, \"iters\": %ld, \"idle_ms\": %ld}\n",
		       sw, cj, xc, pp, idle_pct, iters, idle_ms);
	} else {
		printf("%-40s %14s\n", "benchmark", "result");
		printf("%-40s %14.0f\n", "context switches/s (2 ULTs yielding)", sw);
		printf("%-40s %14.0f\n", "ULT create+join/s (same xstream)", cj);
		printf("%-40s %14.0f\n", "cross-xstream create/s", xc);
		printf("%-40s %14.0f\n", "eventual ping-pong round trips/s", pp);
		printf("%-40s %14.3f\n", "idle runtime CPU % (2 xstreams)", idle_pct);
	}
	return rc == 0 ? 0 : 1;
}
