/**
 * A server process killed in the middle of a stream of RPCs: every
 * pending RPC must complete with an error, exactly once, within its
 * timeout. The server is a forked child, killed by pid.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <signal.h>
#include <unistd.h>
#include <sys/wait.h>

#include <gurt/common.h>
#include <cart/api.h>

#define K_OPC CRT_PROTO_OPC(0xE2000000U, 1, 0)

/* clang-format off */
#define K_ISEQ ((uint64_t)(k_seq) CRT_VAR) ((d_iov_t)(k_data) CRT_VAR)
#define K_OSEQ ((uint64_t)(k_seq) CRT_VAR)
CRT_RPC_DECLARE(k_ping, K_ISEQ, K_OSEQ)
CRT_RPC_DEFINE(k_ping, K_ISEQ, K_OSEQ)
/* clang-format on */

static void
k_handler(crt_rpc_t *rpc)
{
	struct k_ping_in *in = crt_req_get(rpc);
	struct k_ping_out *out = crt_reply_get(rpc);

	usleep(2000);
	out->k_seq = in->k_seq;
	crt_reply_send(rpc);
}

static struct crt_proto_rpc_format k_rpcs[] = {{.prf_req_fmt = &CQF_k_ping}};
static struct crt_proto_format k_proto = {.cpf_name = "kill",
					  .cpf_ver = 1,
					  .cpf_count = 1,
					  .cpf_prf = k_rpcs,
					  .cpf_base = 0xE2000000U};

static crt_init_options_t g_opt = {.cio_provider = "ofi+tcp;ofi_rxm", .cio_interface = "lo"};

static void
child(int wfd)
{
	crt_context_t ctx;
	char *uri;
	size_t len;

	k_rpcs[0].prf_hdlr = k_handler;
	if (crt_init_opt("kill_srv", CRT_FLAG_BIT_SERVER, &g_opt) != 0 ||
	    crt_proto_register(&k_proto) != 0 || crt_context_create(&ctx) != 0 ||
	    crt_self_uri_get(0, &uri) != 0)
		_exit(1);
	len = strlen(uri) + 1;
	if (write(wfd, uri, len) != (ssize_t)len)
		_exit(1);
	close(wfd);
	for (;;)
		crt_progress(ctx, 1000 * 1000);
}

struct state {
	int ok;
	int err;
	int calls[400];
};

static int g_dead_events;
static d_rank_t g_dead_rank = CRT_NO_RANK;

static void
k_event(d_rank_t rank, uint64_t incarnation, enum crt_event_source src, enum crt_event_type type,
	void *arg)
{
	if (src == CRT_EVS_UNKNOWN && type == CRT_EVT_DEAD) {
		g_dead_events++;
		g_dead_rank = rank;
	}
}

static void
k_cb(const struct crt_cb_info *info)
{
	struct state *s = info->cci_arg;
	struct k_ping_in *in = crt_req_get(info->cci_rpc);

	s->calls[in->k_seq]++;
	if (info->cci_rc == 0)
		s->ok++;
	else
		s->err++;
}

static int
k_done(void *arg)
{
	struct state *s = arg;

	return s->ok + s->err == 400;
}

static int
k_half(void *arg)
{
	return ((struct state *)arg)->ok >= 50;
}

static uint64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000ULL + ts.tv_nsec / 1000000;
}

/* children still to reap: a failed assertion must not leave a server behind */
static pid_t g_kids[4];
static int g_nkids;

static void
kid_add(pid_t pid)
{
	if (g_nkids < (int)ARRAY_SIZE(g_kids))
		g_kids[g_nkids++] = pid;
}

static void
kid_kill(pid_t pid)
{
	int i;

	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	for (i = 0; i < g_nkids; i++)
		if (g_kids[i] == pid)
			g_kids[i] = g_kids[--g_nkids];
}

static int
kids_teardown(void **state)
{
	while (g_nkids > 0)
		kid_kill(g_kids[0]);
	return 0;
}

static pid_t
spawn(char *uri, size_t len)
{
	int pfd[2];
	pid_t pid;
	ssize_t n;

	assert_int_equal(pipe(pfd), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		close(pfd[0]);
		child(pfd[1]);
	}
	close(pfd[1]);
	kid_add(pid);
	n = read(pfd[0], uri, len - 1);
	close(pfd[0]);
	if (n <= 0) {
		kid_kill(pid);
		fail_msg("server child did not start");
	}
	uri[n] = '\0';
	return pid;
}

static void
test_server_killed(void **state)
{
	struct state *s = calloc(1, sizeof(*s));
	char uri[CRT_ADDR_STR_MAX_LEN] = {0};
	crt_context_t ctx;
	int i;
	pid_t pid;
	uint64_t t0;
	char payload[512] = {0};

	assert_non_null(s);
	pid = spawn(uri, sizeof(uri));

	g_opt.cio_use_credits = 1;
	g_opt.cio_ep_credits = 8;
	/* probe a silent server after 300 ms: failures show up well before the timeouts */
	setenv("CRT_PROBE_MS", "300", 1);
	assert_int_equal(crt_init_opt("kill_cli", 0, &g_opt), 0);
	assert_int_equal(crt_proto_register(&k_proto), 0);
	assert_int_equal(crt_context_create(&ctx), 0);
	/* the server is rank 5 of our view of the system */
	assert_int_equal(crt_group_primary_rank_add(ctx, NULL, 5, uri), 0);
	assert_int_equal(crt_register_event_cb(k_event, NULL), 0);
	for (i = 0; i < 400; i++) {
		crt_endpoint_t ep = {.ep_rank = 5, .ep_tag = 0};
		crt_rpc_t *rpc;
		struct k_ping_in *in;

		assert_int_equal(crt_req_create(ctx, &ep, K_OPC, &rpc), 0);
		assert_int_equal(crt_req_set_timeout(rpc, 5), 0);
		in = crt_req_get(rpc);
		in->k_seq = i;
		d_iov_set(&in->k_data, payload, sizeof(payload));
		assert_int_equal(crt_req_send(rpc, k_cb, s), 0);
	}
	crt_progress_cond(ctx, 20 * 1000 * 1000, k_half, s);
	assert_true(s->ok >= 50);
	kid_kill(pid);
	t0 = now_ms();
	assert_int_equal(crt_progress_cond(ctx, 10 * 1000 * 1000, k_done, s), 0);
	print_message("ok %d, failed %d, drained in %" PRIu64 " ms, %d dead event(s)\n", s->ok,
		      s->err, now_ms() - t0, g_dead_events);
	/* well within the 5 s timeout: the probe found the connection gone */
	assert_true(now_ms() - t0 < 4000);
	assert_true(s->err > 0);
	for (i = 0; i < 400; i++)
		assert_int_equal(s->calls[i], 1);
	assert_int_equal(g_dead_events, 1);
	assert_int_equal(g_dead_rank, 5);
	/* nothing more arrives */
	crt_progress(ctx, 100 * 1000);
	for (i = 0; i < 400; i++)
		assert_int_equal(s->calls[i], 1);
	assert_int_equal(crt_unregister_event_cb(k_event, NULL), 0);
	assert_int_equal(crt_context_destroy(ctx, 0), 0);
	assert_int_equal(crt_finalize(), 0);
	unsetenv("CRT_PROBE_MS");
	free(s);
}

struct cnt {
	int ok;
	int err;
	int calls;
	int last_rc;
	int want;
};

static void
cnt_cb(const struct crt_cb_info *info)
{
	struct cnt *c = info->cci_arg;

	c->calls++;
	if (info->cci_rc == 0) {
		c->ok++;
	} else {
		c->err++;
		c->last_rc = info->cci_rc;
	}
}

static int
cnt_done(void *arg)
{
	struct cnt *c = arg;

	return c->calls == c->want;
}

static void
send_n(crt_context_t ctx, const char *uri, int n, struct cnt *c, uint32_t timeout_s)
{
	int i;

	c->want += n;
	for (i = 0; i < n; i++) {
		crt_rpc_t *rpc;

		assert_int_equal(crt_req_create(ctx, NULL, K_OPC, &rpc), 0);
		assert_int_equal(crt_req_set_dest_uri(rpc, uri), 0);
		assert_int_equal(crt_req_set_timeout(rpc, timeout_s), 0);
		assert_int_equal(crt_req_send(rpc, cnt_cb, c), 0);
	}
}

/*
 * Without probes, sends to a killed server sit in the -FI_EAGAIN retry list
 * (rxm keeps reconnecting): RPCs to another server must still go out.
 */
static void
test_dead_peer_does_not_block_others(void **state)
{
	char ua[CRT_ADDR_STR_MAX_LEN], ub[CRT_ADDR_STR_MAX_LEN];
	struct cnt ca = {0}, cb = {0};
	crt_context_t ctx;
	pid_t a, b;
	uint64_t t0;

	a = spawn(ua, sizeof(ua));
	b = spawn(ub, sizeof(ub));
	setenv("CRT_PROBE_MS", "0", 1);
	g_opt.cio_use_credits = 0;
	assert_int_equal(crt_init_opt("kill_cli2", 0, &g_opt), 0);
	assert_int_equal(crt_proto_register(&k_proto), 0);
	assert_int_equal(crt_context_create(&ctx), 0);
	/* both connections up */
	send_n(ctx, ua, 10, &ca, 4);
	send_n(ctx, ub, 10, &cb, 4);
	assert_int_equal(crt_progress_cond(ctx, 10 * 1000 * 1000, cnt_done, &ca), 0);
	assert_int_equal(crt_progress_cond(ctx, 10 * 1000 * 1000, cnt_done, &cb), 0);
	assert_int_equal(ca.ok + cb.ok, 20);

	kid_kill(a);
	/* the first sends meet the broken connection and fail */
	send_n(ctx, ua, 20, &ca, 4);
	assert_int_equal(crt_progress_cond(ctx, 10 * 1000 * 1000, cnt_done, &ca), 0);
	/* the next ones make rxm reconnect, again and again: -FI_EAGAIN */
	send_n(ctx, ua, 50, &ca, 2);
	crt_progress(ctx, 200 * 1000);
	t0 = now_ms();
	send_n(ctx, ub, 50, &cb, 4);
	assert_int_equal(crt_progress_cond(ctx, 10 * 1000 * 1000, cnt_done, &cb), 0);
	print_message("50 RPCs to the live server in %" PRIu64 " ms while %d to the dead one "
		      "wait\n",
		      now_ms() - t0, ca.want - ca.calls);
	assert_int_equal(cb.ok, 60);
	/* well before the dead server's RPCs time out */
	assert_true(now_ms() - t0 < 3000);
	assert_int_equal(crt_progress_cond(ctx, 10 * 1000 * 1000, cnt_done, &ca), 0);
	assert_int_equal(ca.ok, 10);
	assert_int_equal(ca.err, 70);

	kid_kill(b);
	assert_int_equal(crt_context_destroy(ctx, 1), 0);
	assert_int_equal(crt_finalize(), 0);
	unsetenv("CRT_PROBE_MS");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_server_killed, kids_teardown),
		cmocka_unit_test_teardown(test_dead_peer_does_not_block_others, kids_teardown),
	};

	return cmocka_run_group_tests_name("cart_kill", tests, NULL, NULL);
}
