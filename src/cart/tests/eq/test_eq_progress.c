/**
 * libdaos's event queues driven by CaRT through the progress hook
 * (daos_progress_register): a thread blocked in daos_eq_poll() progresses a
 * CaRT context and returns when an RPC callback completes its event; another
 * thread's daos_event_complete() wakes it through crt_context_wakeup(); a
 * zero timeout never blocks; per-EQ contexts (dpo_ctx_create) work; a
 * waiting poller does not spin. Runs on D_PROVIDER (tcp;ofi_rxm by default;
 * ctest also runs it on shm).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <poll.h>
#include <pthread.h>
#include <sys/resource.h>
#include <unistd.h>

#include <gurt/common.h>
#include <cart/api.h>
#include <daos.h>
#include <daos_event.h>
#include <daos/event.h>

#define Q_BASE 0xE6000000U
#define Q_OPC  CRT_PROTO_OPC(Q_BASE, 1, 0)

/* clang-format off */
#define Q_ISEQ ((uint64_t)(q_val) CRT_VAR)
#define Q_OSEQ ((uint64_t)(q_val) CRT_VAR)
CRT_RPC_DECLARE(q_ping, Q_ISEQ, Q_OSEQ)
CRT_RPC_DEFINE(q_ping, Q_ISEQ, Q_OSEQ)
/* clang-format on */

static void
q_handler(crt_rpc_t *rpc)
{
	struct q_ping_in *in = crt_req_get(rpc);
	struct q_ping_out *out = crt_reply_get(rpc);

	out->q_val = in->q_val + 1;
	crt_reply_send(rpc);
}

static struct crt_proto_rpc_format q_rpcs[] = {{.prf_req_fmt = &CQF_q_ping, .prf_hdlr = q_handler}};
static struct crt_proto_format q_proto = {
	.cpf_name = "eqprog", .cpf_ver = 1, .cpf_count = 1, .cpf_prf = q_rpcs, .cpf_base = Q_BASE};

static crt_context_t g_ctx;

/* The hook: crt_progress_cond() as is, thin wrappers for the other three. */
static void
hook_wakeup(void *ctx)
{
	crt_context_wakeup(ctx);
}

static int
hook_ctx_create(void **ctx)
{
	return crt_context_create(ctx);
}

static int
hook_ctx_destroy(void *ctx, bool force)
{
	return crt_context_destroy(ctx, force);
}

static uint64_t
now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static uint64_t
thread_cpu_us(void)
{
	struct rusage ru;

	getrusage(RUSAGE_THREAD, &ru);
	return (uint64_t)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000000 + ru.ru_utime.tv_usec +
	       ru.ru_stime.tv_usec;
}

struct poller {
	daos_handle_t eqh;
	int64_t timeout;
	int rc;
	daos_event_t *got;
	uint64_t elapsed_us;
	uint64_t cpu_us;
};

static void *
poll_thread(void *arg)
{
	struct poller *p = arg;
	uint64_t t0 = now_us(), c0 = thread_cpu_us();

	p->rc = daos_eq_poll(p->eqh, 0, p->timeout, 1, &p->got);
	p->elapsed_us = now_us() - t0;
	p->cpu_us = thread_cpu_us() - c0;
	return NULL;
}

struct rpc_arg {
	daos_event_t *ev;
	uint64_t val;
	int calls;
};

/* The RPC callback completes the event: it runs inside the poller's progress. */
static void
q_cb(const struct crt_cb_info *info)
{
	struct rpc_arg *a = info->cci_arg;
	struct q_ping_out *out = crt_reply_get(info->cci_rpc);

	a->calls++;
	a->val = info->cci_rc == 0 ? out->q_val : 0;
	daos_event_complete(a->ev, info->cci_rc);
}

static void
send_ping(crt_context_t ctx, struct rpc_arg *a, uint64_t val)
{
	char *uri = NULL;
	crt_rpc_t *rpc;
	int idx;

	assert_int_equal(crt_context_idx(ctx, &idx), 0);
	assert_int_equal(crt_self_uri_get(idx, &uri), 0);
	assert_int_equal(crt_req_create(ctx, NULL, Q_OPC, &rpc), 0);
	assert_int_equal(crt_req_set_dest_uri(rpc, uri), 0);
	((struct q_ping_in *)crt_req_get(rpc))->q_val = val;
	assert_int_equal(crt_req_send(rpc, q_cb, a), 0);
	free(uri);
}

static void
register_hook(bool per_eq_ctx)
{
	struct daos_progress_ops ops = {
		.dpo_progress_cond = crt_progress_cond,
		.dpo_wakeup = hook_wakeup,
		.dpo_ctx_create = per_eq_ctx ? hook_ctx_create : NULL,
		.dpo_ctx_destroy = per_eq_ctx ? hook_ctx_destroy : NULL,
		.dpo_global_ctx = g_ctx,
	};

	assert_int_equal(daos_progress_register(&ops), 0);
}

/* A thread blocked in daos_eq_poll() is the only one progressing the context. */
static void
test_rpc_completes_event(void **state)
{
	struct poller p = {.timeout = 10 * 1000 * 1000};
	struct rpc_arg a = {0};
	daos_event_t ev;
	pthread_t thr;

	register_hook(false);
	assert_int_equal(daos_eq_create(&p.eqh), 0);
	assert_int_equal(daos_event_init(&ev, p.eqh, NULL), 0);
	assert_int_equal(daos_event_launch(&ev), 0);
	a.ev = &ev;
	assert_int_equal(pthread_create(&thr, NULL, poll_thread, &p), 0);
	/* let the poller go to sleep on the context first */
	usleep(50 * 1000);
	send_ping(g_ctx, &a, 41);
	assert_int_equal(pthread_join(thr, NULL), 0);
	assert_int_equal(p.rc, 1);
	assert_ptr_equal(p.got, &ev);
	assert_int_equal(ev.ev_error, 0);
	assert_int_equal(a.calls, 1);
	assert_int_equal(a.val, 42);
	print_message("event completed by an RPC callback after %" PRIu64 " us\n", p.elapsed_us);
	assert_int_equal(daos_event_fini(&ev), 0);
	assert_int_equal(daos_eq_destroy(p.eqh, 0), 0);
}

struct completer {
	daos_event_t *ev;
	useconds_t delay_us;
};

static void *
complete_thread(void *arg)
{
	struct completer *c = arg;

	usleep(c->delay_us);
	daos_event_complete(c->ev, -DER_IO);
	return NULL;
}

/* An event completed by a foreign thread wakes a poller sleeping in CaRT. */
static void
test_foreign_completion_wakes(void **state)
{
	struct poller p = {.timeout = 5 * 1000 * 1000};
	daos_event_t ev;
	struct completer c = {.ev = &ev, .delay_us = 200 * 1000};
	pthread_t thr, cthr;

	register_hook(false);
	assert_int_equal(daos_eq_create(&p.eqh), 0);
	assert_int_equal(daos_event_init(&ev, p.eqh, NULL), 0);
	assert_int_equal(daos_event_launch(&ev), 0);
	assert_int_equal(pthread_create(&thr, NULL, poll_thread, &p), 0);
	assert_int_equal(pthread_create(&cthr, NULL, complete_thread, &c), 0);
	assert_int_equal(pthread_join(thr, NULL), 0);
	assert_int_equal(pthread_join(cthr, NULL), 0);
	assert_int_equal(p.rc, 1);
	assert_int_equal(ev.ev_error, -DER_IO);
	print_message("woken after %" PRIu64 " us (completion at 200000), %" PRIu64 " us of CPU\n",
		      p.elapsed_us, p.cpu_us);
	/* without the wake-up the poller would sleep out its whole 5 s slice */
	assert_true(p.elapsed_us < 2 * 1000 * 1000);
	/* and it slept: 200 ms of waiting may not cost more than a quarter of it */
	assert_true(p.cpu_us < 50 * 1000);
	assert_int_equal(daos_event_fini(&ev), 0);
	assert_int_equal(daos_eq_destroy(p.eqh, 0), 0);
}

static int
never(void *arg)
{
	(*(int *)arg)++;
	return 0;
}

/* Zero timeouts never block, with or without work in flight. */
static void
test_nonblocking(void **state)
{
	daos_handle_t eqh;
	daos_event_t ev, *got;
	uint64_t t0, worst = 0;
	int i, calls = 0;

	register_hook(false);
	assert_int_equal(daos_eq_create(&eqh), 0);
	assert_int_equal(daos_event_init(&ev, eqh, NULL), 0);
	assert_int_equal(daos_event_launch(&ev), 0);
	for (i = 0; i < 200; i++) {
		t0 = now_us();
		assert_int_equal(daos_eq_poll(eqh, 0, DAOS_EQ_NOWAIT, 1, &got), 0);
		assert_int_equal(crt_progress(g_ctx, 0), -DER_TIMEDOUT);
		assert_int_equal(crt_progress_cond(g_ctx, 0, never, &calls), -DER_TIMEDOUT);
		worst = max(worst, now_us() - t0);
	}
	/* cond is checked before and after the one pass */
	assert_int_equal(calls, 400);
	print_message("worst zero-timeout round: %" PRIu64 " us\n", worst);
	/* generous for a loaded 2-core VM; a blocking wait would take the 1 s slice */
	assert_true(worst < 200 * 1000);
	daos_event_complete(&ev, 0);
	assert_int_equal(daos_eq_poll(eqh, 0, DAOS_EQ_NOWAIT, 1, &got), 1);
	assert_int_equal(daos_event_fini(&ev), 0);
	assert_int_equal(daos_eq_destroy(eqh, 0), 0);
}

/* With dpo_ctx_create each EQ has its own context; RPCs on it complete its events. */
static void
test_per_eq_context(void **state)
{
	struct poller p = {.timeout = 10 * 1000 * 1000};
	struct rpc_arg a[4] = {0};
	daos_event_t ev[4];
	crt_context_t ctx;
	pthread_t thr;
	int i, got = 0, n;

	register_hook(true);
	assert_int_equal(daos_eq_create(&p.eqh), 0);
	for (i = 0; i < 4; i++) {
		assert_int_equal(daos_event_init(&ev[i], p.eqh, NULL), 0);
		assert_int_equal(daos_event_launch(&ev[i]), 0);
		a[i].ev = &ev[i];
	}
	ctx = daos_ev2ctx(&ev[0]);
	assert_non_null(ctx);
	assert_ptr_not_equal(ctx, g_ctx);
	for (i = 0; i < 4; i++)
		send_ping(ctx, &a[i], 100 * i);
	while (got < 4) {
		p.got = NULL;
		assert_int_equal(pthread_create(&thr, NULL, poll_thread, &p), 0);
		assert_int_equal(pthread_join(thr, NULL), 0);
		n = p.rc;
		assert_int_equal(n, 1);
		assert_int_equal(p.got->ev_error, 0);
		got += n;
	}
	for (i = 0; i < 4; i++) {
		assert_int_equal(a[i].calls, 1);
		assert_int_equal(a[i].val, 100 * i + 1);
		assert_int_equal(daos_event_fini(&ev[i]), 0);
	}
	/* the EQ's context goes with it */
	assert_int_equal(daos_eq_destroy(p.eqh, 0), 0);
}

/* A poller on the wait fd: a wake-up is reported once, then the fd is quiet again. */
static void
test_wakeup_wait_fd(void **state)
{
	struct pollfd pfd = {.events = POLLIN};
	int fd, rc;

	while (crt_progress(g_ctx, 0) == 0)
		;
	assert_int_equal(crt_context_wakeup(g_ctx), 0);
	assert_int_equal(crt_context_wakeup(g_ctx), 0);
	rc = crt_context_get_wait_fd(g_ctx, &fd);
	if (rc == 0) {
		pfd.fd = fd;
		assert_int_equal(poll(&pfd, 1, 1000), 1);
	} else {
		assert_int_equal(rc, -DER_NOSYS);
	}
	/* two wake-ups before anyone looked: one "something happened" */
	assert_int_equal(crt_progress(g_ctx, 0), 0);
	assert_int_equal(crt_progress(g_ctx, 0), -DER_TIMEDOUT);
	if (rc == 0)
		assert_int_equal(poll(&pfd, 1, 0), 0);
	/* and a blocking call is not ended by a wake-up already consumed */
	assert_int_equal(crt_progress(g_ctx, 20 * 1000), -DER_TIMEDOUT);
	assert_int_equal(crt_context_wakeup(NULL), -DER_INVAL);
}

static int
setup(void **state)
{
	crt_init_options_t opt = {.cio_interface = "lo"};

	if (getenv("D_PROVIDER") == NULL)
		opt.cio_provider = "ofi+tcp;ofi_rxm";
	assert_int_equal(crt_init_opt("eqprog", CRT_FLAG_BIT_SERVER, &opt), 0);
	assert_int_equal(crt_proto_register(&q_proto), 0);
	assert_int_equal(crt_context_create(&g_ctx), 0);
	assert_int_equal(daos_init(), 0);
	return 0;
}

static int
teardown(void **state)
{
	assert_int_equal(daos_progress_register(NULL), 0);
	assert_int_equal(daos_fini(), 0);
	assert_int_equal(crt_context_destroy(g_ctx, 1), 0);
	assert_int_equal(crt_finalize(), 0);
	return 0;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rpc_completes_event),
		cmocka_unit_test(test_foreign_completion_wakes),
		cmocka_unit_test(test_nonblocking),
		cmocka_unit_test(test_per_eq_context),
		cmocka_unit_test(test_wakeup_wait_fd),
	};

	return cmocka_run_group_tests_name("cart_eq_progress", tests, setup, teardown);
}
