/**
 * Events across threads: many producers and one poller on an EQ, wakeups,
 * idle CPU use, the blocking-call path (private event + dc tasks), and a
 * network-style progress hook.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <setjmp.h>
#include <time.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <unistd.h>
#include <sys/eventfd.h>
#include <sys/resource.h>
#include <cmocka.h>

#include <daos.h>
#include <daos/event.h>
#include <daos/task.h>

static int64_t
now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static int64_t
thread_cpu_us(void)
{
	struct rusage ru;

	getrusage(RUSAGE_THREAD, &ru);
	return (int64_t)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000000 + ru.ru_utime.tv_usec +
	       ru.ru_stime.tv_usec;
}

static void
sleep_us(int64_t us)
{
	struct timespec ts = {us / 1000000, (us % 1000000) * 1000};

	nanosleep(&ts, NULL);
}

static int
setup(void **state)
{
	return daos_init();
}

static int
teardown(void **state)
{
	return daos_fini();
}

/* ------------------------------------------------------------------------
 * 8 producers, one poller, 100k events
 * ------------------------------------------------------------------------ */

#define NPROD      8
#define PER_PROD   12500
#define NTOTAL     (NPROD * PER_PROD)
#define POOL       32
#define POLL_BATCH 64

struct slot {
	daos_event_t ev;
	uint32_t seq;
	int busy;
};

struct producer {
	pthread_t thread;
	daos_handle_t eqh;
	int id;
	struct slot slots[POOL];
	int rc;
};

static void *
producer_main(void *arg)
{
	struct producer *p = arg;
	int k;
	int i;

	for (i = 0; i < POOL; i++) {
		p->rc = daos_event_init(&p->slots[i].ev, p->eqh, NULL);
		if (p->rc != 0)
			return NULL;
	}
	for (k = 0; k < PER_PROD; k++) {
		struct slot *s = NULL;
		int64_t give_up = now_us() + 60 * 1000000;

		while (s == NULL) {
			for (i = 0; i < POOL; i++) {
				if (!__atomic_load_n(&p->slots[i].busy, __ATOMIC_ACQUIRE)) {
					s = &p->slots[i];
					break;
				}
			}
			if (s == NULL) {
				if (now_us() > give_up) {
					p->rc = -DER_TIMEDOUT;
					return NULL;
				}
				sleep_us(50);
			}
		}
		s->busy = 1;
		s->seq = p->id * PER_PROD + k;
		p->rc = daos_event_launch(&s->ev);
		if (p->rc != 0)
			return NULL;
		/* odd sequence numbers complete after a yield, so launches and completions interleave */
		if (s->seq & 1)
			sched_yield();
		daos_event_complete(&s->ev, -(int)(s->seq % 5));
	}
	return NULL;
}

static void
test_many_producers_one_poller(void **state)
{
	static struct producer prod[NPROD];
	daos_event_t *evp[POLL_BATCH];
	uint8_t *seen;
	daos_handle_t eqh;
	int64_t t0;
	int64_t deadline;
	int total = 0;
	int rc;
	int i;

	seen = calloc(NTOTAL, 1);
	assert_non_null(seen);
	assert_int_equal(daos_eq_create(&eqh), 0);
	t0 = now_us();
	for (i = 0; i < NPROD; i++) {
		prod[i].eqh = eqh;
		prod[i].id = i;
		prod[i].rc = 0;
		memset(prod[i].slots, 0, sizeof(prod[i].slots));
		assert_int_equal(pthread_create(&prod[i].thread, NULL, producer_main, &prod[i]), 0);
	}
	deadline = now_us() + 90 * 1000000;
	while (total < NTOTAL && now_us() < deadline) {
		rc = daos_eq_poll(eqh, 0, 1000000, POLL_BATCH, evp);
		assert_true(rc >= 0 && rc <= POLL_BATCH);
		for (i = 0; i < rc; i++) {
			struct slot *s = container_of(evp[i], struct slot, ev);

			assert_true(s->seq < NTOTAL);
			assert_int_equal(seen[s->seq], 0);
			seen[s->seq] = 1;
			assert_int_equal(s->ev.ev_error, -(int)(s->seq % 5));
			__atomic_store_n(&s->busy, 0, __ATOMIC_RELEASE);
		}
		total += rc;
	}
	for (i = 0; i < NPROD; i++) {
		pthread_join(prod[i].thread, NULL);
		assert_int_equal(prod[i].rc, 0);
	}
	print_message("%d events through one EQ from %d threads in %ld ms\n", total, NPROD,
		      (long)((now_us() - t0) / 1000));
	assert_int_equal(total, NTOTAL);
	for (i = 0; i < NTOTAL; i++)
		assert_int_equal(seen[i], 1);
	/* nothing lost, nothing left */
	assert_int_equal(daos_eq_query(eqh, DAOS_EQR_ALL, 0, NULL), 0);
	assert_int_equal(daos_eq_poll(eqh, 0, DAOS_EQ_NOWAIT, POLL_BATCH, evp), 0);
	for (i = 0; i < NPROD; i++) {
		int j;

		for (j = 0; j < POOL; j++)
			assert_int_equal(daos_event_fini(&prod[i].slots[j].ev), 0);
	}
	assert_int_equal(daos_eq_destroy(eqh, 0), 0);
	free(seen);
}

/* ------------------------------------------------------------------------
 * Wakeups and idle CPU
 * ------------------------------------------------------------------------ */

struct delayed {
	daos_event_t *ev;
	int64_t delay_us;
	int rc;
};

static void *
complete_later(void *arg)
{
	struct delayed *d = arg;

	sleep_us(d->delay_us);
	daos_event_complete(d->ev, d->rc);
	return NULL;
}

/* Block in DAOS_EQ_WAIT while another thread completes after \a delay_us. */
static void
check_cross_thread_wakeup(daos_handle_t eqh, int64_t delay_us)
{
	daos_event_t ev;
	daos_event_t *evp;
	struct delayed d = {.ev = &ev, .delay_us = delay_us, .rc = -DER_IO};
	pthread_t th;
	int64_t t0;
	int64_t cpu0;
	int64_t dt;

	assert_int_equal(daos_event_init(&ev, eqh, NULL), 0);
	assert_int_equal(daos_event_launch(&ev), 0);
	t0 = now_us();
	cpu0 = thread_cpu_us();
	assert_int_equal(pthread_create(&th, NULL, complete_later, &d), 0);
	assert_int_equal(daos_eq_poll(eqh, 1, DAOS_EQ_WAIT, 1, &evp), 1);
	dt = now_us() - t0;
	print_message("woken %ld us after a %ld us delay, %ld us CPU\n", (long)dt, (long)delay_us,
		      (long)(thread_cpu_us() - cpu0));
	assert_ptr_equal(evp, &ev);
	assert_int_equal(ev.ev_error, -DER_IO);
	assert_true(dt >= delay_us - 2000 && dt < delay_us + 500000);
	/* sleeping, not spinning */
	assert_true(thread_cpu_us() - cpu0 < delay_us / 2);
	pthread_join(th, NULL);
	assert_int_equal(daos_event_fini(&ev), 0);
}

/* An idle DAOS_EQ_WAIT-style poll with a 1 s timeout must cost (almost) no CPU. */
static void
check_idle_poll_cpu(daos_handle_t eqh)
{
	daos_event_t ev;
	daos_event_t *evp;
	int64_t t0;
	int64_t cpu0;
	int64_t cpu;
	int64_t dt;

	/* one event in flight, so that even wait_running waits */
	assert_int_equal(daos_event_init(&ev, eqh, NULL), 0);
	assert_int_equal(daos_event_launch(&ev), 0);
	t0 = now_us();
	cpu0 = thread_cpu_us();
	assert_int_equal(daos_eq_poll(eqh, 1, 1000000, 1, &evp), 0);
	cpu = thread_cpu_us() - cpu0;
	dt = now_us() - t0;
	print_message("idle 1 s poll: %ld us elapsed, %ld us CPU\n", (long)dt, (long)cpu);
	assert_true(dt >= 990000 && dt < 3000000);
	assert_true(cpu < 200000);
	daos_event_complete(&ev, 0);
	assert_int_equal(daos_eq_poll(eqh, 1, DAOS_EQ_WAIT, 1, &evp), 1);
	assert_int_equal(daos_event_fini(&ev), 0);
}

static void
test_wakeup_and_idle_cpu(void **state)
{
	daos_handle_t eqh;

	assert_int_equal(daos_eq_create(&eqh), 0);
	check_cross_thread_wakeup(eqh, 100000);
	check_idle_poll_cpu(eqh);
	assert_int_equal(daos_eq_destroy(eqh, 0), 0);
}

struct poller_arg {
	daos_handle_t eqh;
	int rc;
};

static void *
poller_main(void *arg)
{
	struct poller_arg *pa = arg;
	daos_event_t *evp;

	pa->rc = daos_eq_poll(pa->eqh, 0, DAOS_EQ_WAIT, 1, &evp);
	return NULL;
}

static void
test_destroy_wakes_poller(void **state)
{
	struct poller_arg pa;
	pthread_t th;
	int64_t t0;

	assert_int_equal(daos_eq_create(&pa.eqh), 0);
	pa.rc = 1;
	assert_int_equal(pthread_create(&th, NULL, poller_main, &pa), 0);
	sleep_us(50000);
	t0 = now_us();
	assert_int_equal(daos_eq_destroy(pa.eqh, DAOS_EQ_DESTROY_FORCE), 0);
	pthread_join(th, NULL);
	/* a poller sleeping forever on the EQ leaves when it goes */
	assert_int_equal(pa.rc, -DER_NO_HDL);
	assert_true(now_us() - t0 < 1000000);
}

/* ------------------------------------------------------------------------
 * Blocking calls: the private event and dc tasks
 * ------------------------------------------------------------------------ */

struct op_args {
	int rc;
	int64_t delay_us;
	int ran;
};

static void *
complete_task_later(void *arg)
{
	tse_task_t *task = arg;
	struct op_args *a = dc_task_get_args(task);

	sleep_us(a->delay_us);
	tse_task_complete(task, a->rc);
	return NULL;
}

/* The body hands the operation to "the network": another thread completes it. */
static int
op_body_async(tse_task_t *task)
{
	struct op_args *a = dc_task_get_args(task);
	pthread_t th;

	a->ran++;
	if (pthread_create(&th, NULL, complete_task_later, task) != 0) {
		tse_task_complete(task, -DER_NOMEM);
		return -DER_NOMEM;
	}
	pthread_detach(th);
	return 0;
}

static int
op_body_inline(tse_task_t *task)
{
	struct op_args *a = dc_task_get_args(task);

	a->ran++;
	tse_task_complete(task, a->rc);
	return 0;
}

/* What every libdaos API call looks like. */
static int
fake_api_call(tse_task_func_t body, int rc, int64_t delay_us, daos_event_t *ev, bool instant)
{
	struct op_args *a;
	tse_task_t *task;
	int ret;

	ret = dc_task_create(body, NULL, ev, &task);
	if (ret != 0)
		return ret;
	a = dc_task_get_args(task);
	a->rc = rc;
	a->delay_us = delay_us;
	return dc_task_schedule(task, instant);
}

static void
test_blocking_call(void **state)
{
	daos_event_t *priv = NULL;
	daos_event_t *priv2 = NULL;
	int64_t t0;
	int64_t cpu0;
	int i;

	/* completes inline */
	assert_int_equal(fake_api_call(op_body_inline, -DER_NOSPACE, 0, NULL, true), -DER_NOSPACE);
	assert_int_equal(fake_api_call(op_body_inline, 0, 0, NULL, true), 0);
	/* not instant: the waiting thread runs the task itself */
	assert_int_equal(fake_api_call(op_body_inline, -DER_IO, 0, NULL, false), -DER_IO);

	/* completed later by another thread */
	t0 = now_us();
	cpu0 = thread_cpu_us();
	assert_int_equal(fake_api_call(op_body_async, -DER_TIMEDOUT, 100000, NULL, true),
			 -DER_TIMEDOUT);
	print_message("blocking call: %ld us, %ld us CPU\n", (long)(now_us() - t0),
		      (long)(thread_cpu_us() - cpu0));
	assert_true(now_us() - t0 >= 98000);
	assert_true(thread_cpu_us() - cpu0 < 50000);

	/* back to back, and the private event is ready again after each */
	for (i = 0; i < 200; i++)
		assert_int_equal(fake_api_call(op_body_async, i % 3 ? 0 : -DER_IO, 0, NULL, true),
				 i % 3 ? 0 : -DER_IO);
	assert_int_equal(daos_event_priv_get(&priv), 0);
	assert_true(daos_event_is_priv(priv));
	assert_int_equal(daos_event_priv_get(&priv2), 0);
	assert_ptr_equal(priv, priv2);
	assert_int_equal(daos_event_priv_reset(), 0);
}

static void *
blocking_thread(void *arg)
{
	int *rc = arg;
	int i;

	for (i = 0; i < 50; i++) {
		*rc = fake_api_call(op_body_async, -DER_NOSPACE, 1000, NULL, true);
		if (*rc != -DER_NOSPACE)
			return NULL;
	}
	*rc = 0;
	return NULL;
}

static void
test_blocking_calls_many_threads(void **state)
{
	pthread_t th[4];
	int rc[4];
	int i;

	/* each thread has its own private event and scheduler */
	for (i = 0; i < 4; i++)
		assert_int_equal(pthread_create(&th[i], NULL, blocking_thread, &rc[i]), 0);
	for (i = 0; i < 4; i++) {
		pthread_join(th[i], NULL);
		assert_int_equal(rc[i], 0);
	}
}

static void
test_async_task_on_eq(void **state)
{
	daos_handle_t eqh;
	daos_event_t ev;
	daos_event_t *evp;

	assert_int_equal(daos_eq_create(&eqh), 0);
	assert_int_equal(daos_event_init(&ev, eqh, NULL), 0);

	/* not instant: the task runs when the poller progresses the EQ's scheduler */
	assert_int_equal(fake_api_call(op_body_inline, -DER_IO, 0, &ev, false), 0);
	assert_int_equal(daos_eq_poll(eqh, 1, 1000000, 1, &evp), 1);
	assert_ptr_equal(evp, &ev);
	assert_int_equal(ev.ev_error, -DER_IO);

	/* completed by another thread while the poller sleeps */
	assert_int_equal(fake_api_call(op_body_async, -DER_NOSPACE, 50000, &ev, true), 0);
	assert_int_equal(daos_eq_poll(eqh, 1, DAOS_EQ_WAIT, 1, &evp), 1);
	assert_int_equal(ev.ev_error, -DER_NOSPACE);

	/* a launch error comes back at once and leaves the event alone */
	assert_int_equal(daos_event_launch(&ev), 0);
	assert_int_equal(fake_api_call(op_body_inline, 0, 0, &ev, true), -DER_NO_PERM);
	daos_event_complete(&ev, 0);
	assert_int_equal(daos_eq_poll(eqh, 1, DAOS_EQ_WAIT, 1, &evp), 1);

	/* a task still queued when the EQ is force-destroyed is cancelled */
	assert_int_equal(fake_api_call(op_body_inline, 0, 0, &ev, false), 0);
	assert_int_equal(daos_eq_destroy(eqh, 0), -DER_BUSY);
	assert_int_equal(daos_eq_destroy(eqh, DAOS_EQ_DESTROY_FORCE), 0);
	assert_int_equal(ev.ev_error, -DER_CANCELED);
	assert_int_equal(daos_event_fini(&ev), 0);
}

#define RATE_N 100000

/* Cost of the event machinery itself, one thread, nothing else running. */
static void
test_single_thread_rates(void **state)
{
	daos_handle_t eqh;
	daos_event_t ev;
	daos_event_t *evp;
	int64_t t0;
	int64_t dt;
	int i;

	assert_int_equal(daos_eq_create(&eqh), 0);
	assert_int_equal(daos_event_init(&ev, eqh, NULL), 0);
	t0 = now_us();
	for (i = 0; i < RATE_N; i++) {
		assert_int_equal(daos_event_launch(&ev), 0);
		daos_event_complete(&ev, 0);
		assert_int_equal(daos_eq_poll(eqh, 0, DAOS_EQ_NOWAIT, 1, &evp), 1);
	}
	dt = now_us() - t0;
	print_message("launch+complete+poll: %d cycles in %ld ms (%.2f us each)\n", RATE_N,
		      (long)(dt / 1000), (double)dt / RATE_N);
	assert_int_equal(daos_event_fini(&ev), 0);
	assert_int_equal(daos_eq_destroy(eqh, 0), 0);

	t0 = now_us();
	for (i = 0; i < RATE_N / 10; i++)
		assert_int_equal(fake_api_call(op_body_inline, 0, 0, NULL, true), 0);
	dt = now_us() - t0;
	print_message("blocking call (dc_task_create+schedule, inline body): %d in %ld ms "
		      "(%.2f us each)\n",
		      RATE_N / 10, (long)(dt / 1000), (double)dt / (RATE_N / 10));
}

/* ------------------------------------------------------------------------
 * A network-style progress hook
 * ------------------------------------------------------------------------ */

struct fake_ctx {
	int efd;
};

static struct fake_ctx fake_global = {.efd = -1};
static int fake_ctx_nr;
static int fake_progress_nr;

static int
fake_ctx_create(void **ctx)
{
	struct fake_ctx *c = calloc(1, sizeof(*c));

	if (c == NULL)
		return -DER_NOMEM;
	c->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	fake_ctx_nr++;
	*ctx = c;
	return 0;
}

static int
fake_ctx_destroy(void *ctx, bool force)
{
	struct fake_ctx *c = ctx;

	close(c->efd);
	free(c);
	fake_ctx_nr--;
	return 0;
}

/* Like crt_progress_cond(): check, then block on the context's wait fd. */
static int
fake_progress_cond(void *ctx, int64_t timeout, daos_progress_cond_cb_t cond, void *arg)
{
	struct fake_ctx *c = ctx;
	int64_t deadline = now_us() + timeout;
	struct pollfd pfd;
	uint64_t v;
	int rc;

	__atomic_add_fetch(&fake_progress_nr, 1, __ATOMIC_RELAXED);
	for (;;) {
		rc = cond(arg);
		if (rc != 0)
			return rc > 0 ? 0 : rc;
		if (timeout == 0)
			return -DER_TIMEDOUT;
		pfd.fd = c->efd;
		pfd.events = POLLIN;
		if (timeout < 0) {
			poll(&pfd, 1, -1);
		} else {
			int64_t left = deadline - now_us();

			if (left <= 0)
				return -DER_TIMEDOUT;
			poll(&pfd, 1, (int)((left + 999) / 1000));
		}
		if (read(c->efd, &v, sizeof(v)) < 0)
			continue;
	}
}

static void
fake_wakeup(void *ctx)
{
	struct fake_ctx *c = ctx;
	uint64_t one = 1;

	if (write(c->efd, &one, sizeof(one)) < 0)
		return;
}

static void
run_hook_checks(void)
{
	daos_handle_t eqh;

	fake_progress_nr = 0;
	assert_int_equal(daos_eq_create(&eqh), 0);
	check_cross_thread_wakeup(eqh, 100000);
	check_idle_poll_cpu(eqh);
	/* blocking calls wait through the hook too, on the global context */
	assert_int_equal(fake_api_call(op_body_async, -DER_IO, 20000, NULL, true), -DER_IO);
	/* the hook may not change while an EQ exists */
	assert_int_equal(daos_progress_register(NULL), -DER_BUSY);
	assert_int_equal(daos_eq_destroy(eqh, 0), 0);
	assert_true(fake_progress_nr > 0);
}

static void
test_progress_hook(void **state)
{
	struct daos_progress_ops ops = {
		.dpo_progress_cond = fake_progress_cond,
		.dpo_wakeup = fake_wakeup,
		.dpo_ctx_create = fake_ctx_create,
		.dpo_ctx_destroy = fake_ctx_destroy,
		.dpo_global_ctx = &fake_global,
	};

	fake_global.efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	assert_true(fake_global.efd >= 0);
	assert_int_equal(daos_progress_register(&(struct daos_progress_ops){0}), -DER_INVAL);
	assert_int_equal(daos_progress_register(&ops), 0);
	fake_ctx_nr = 0;
	run_hook_checks();
	/* each EQ had its own context, destroyed with it */
	assert_int_equal(fake_ctx_nr, 0);

	/* a hook that cannot be woken up: waits are sliced, completions still seen */
	ops.dpo_wakeup = NULL;
	ops.dpo_ctx_create = NULL;
	assert_int_equal(daos_progress_register(&ops), 0);
	run_hook_checks();

	assert_int_equal(daos_progress_register(NULL), 0);
	close(fake_global.efd);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_many_producers_one_poller),
		cmocka_unit_test(test_wakeup_and_idle_cpu),
		cmocka_unit_test(test_destroy_wakes_poller),
		cmocka_unit_test(test_blocking_call),
		cmocka_unit_test(test_blocking_calls_many_threads),
		cmocka_unit_test(test_async_task_on_eq),
		cmocka_unit_test(test_single_thread_rates),
		cmocka_unit_test(test_progress_hook),
	};

	return cmocka_run_group_tests_name("events_mt", tests, setup, teardown);
}
