/**
 * RPCs between two contexts of one process over 127.0.0.1: context 0
 * serves (progressed by a thread), context 1 sends. Covers echo, many in
 * flight with credits, timeouts with a late reply, abort, unregistered
 * opcodes, one-way RPCs, attach-info files and bulk transfers in both
 * directions up to 16 MiB.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <pthread.h>
#include <unistd.h>
#include <ftw.h>
#include <sys/resource.h>

#include <gurt/common.h>
#include <cart/api.h>

#define T_BASE        0xE1000000U
#define T_OPC_ECHO    CRT_PROTO_OPC(T_BASE, 1, 0)
#define T_OPC_ONEWAY  CRT_PROTO_OPC(T_BASE, 1, 1)
#define T_OPC_BULK    CRT_PROTO_OPC(T_BASE, 1, 2)
#define T_OPC_NOHDLR  CRT_PROTO_OPC(T_BASE, 1, 3)
#define T_OPC_NOREPLY CRT_PROTO_OPC(T_BASE, 1, 4)

/* clang-format off */
#define T_ISEQ_ECHO						\
	((uint64_t)	(e_seq)		CRT_VAR)		\
	((uint32_t)	(e_delay_ms)	CRT_VAR)		\
	((d_iov_t)	(e_data)	CRT_VAR)		\
	((d_string_t)	(e_name)	CRT_VAR)
#define T_OSEQ_ECHO						\
	((uint64_t)	(e_seq)		CRT_VAR)		\
	((d_iov_t)	(e_data)	CRT_VAR)
CRT_RPC_DECLARE(t_echo, T_ISEQ_ECHO, T_OSEQ_ECHO)
CRT_RPC_DEFINE(t_echo, T_ISEQ_ECHO, T_OSEQ_ECHO)

#define T_ISEQ_BULK						\
	((crt_bulk_t)	(b_bulk)	CRT_VAR)		\
	((uint64_t)	(b_len)		CRT_VAR)		\
	((uint32_t)	(b_put)		CRT_VAR)		\
	((uint32_t)	(b_seed)	CRT_VAR)
#define T_OSEQ_BULK						\
	((uint64_t)	(b_sum)		CRT_VAR)		\
	((int32_t)	(b_rc)		CRT_VAR)
CRT_RPC_DECLARE(t_bulk, T_ISEQ_BULK, T_OSEQ_BULK)
CRT_RPC_DEFINE(t_bulk, T_ISEQ_BULK, T_OSEQ_BULK)
/* clang-format on */

static crt_context_t g_srv, g_cli;
static pthread_t g_thr;
static _Atomic int g_stop;
static _Atomic int g_oneway_seen;
static char g_dir[64];

/* Delayed replies: the handler keeps the RPC and the server thread replies later. */
#define MAX_DELAYED 64
static pthread_mutex_t g_dlock = PTHREAD_MUTEX_INITIALIZER;
static crt_rpc_t *g_delayed[MAX_DELAYED];
static uint64_t g_due[MAX_DELAYED];
static int g_max_held;

static uint64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000ULL + ts.tv_nsec / 1000000;
}

static void
echo_reply(crt_rpc_t *rpc)
{
	struct t_echo_in *in = crt_req_get(rpc);
	struct t_echo_out *out = crt_reply_get(rpc);

	out->e_seq = in->e_seq;
	out->e_data = in->e_data;
	assert_int_equal(crt_reply_send(rpc), 0);
}

static void
echo_handler(crt_rpc_t *rpc)
{
	struct t_echo_in *in = crt_req_get(rpc);
	int i;

	if (in->e_delay_ms == 0) {
		echo_reply(rpc);
		return;
	}
	crt_req_addref(rpc);
	pthread_mutex_lock(&g_dlock);
	for (i = 0; i < MAX_DELAYED; i++) {
		if (g_delayed[i] == NULL) {
			g_delayed[i] = rpc;
			g_due[i] = now_ms() + in->e_delay_ms;
			break;
		}
	}
	{
		int held = 0, k;

		for (k = 0; k < MAX_DELAYED; k++)
			held += g_delayed[k] != NULL;
		if (held > g_max_held)
			g_max_held = held;
	}
	pthread_mutex_unlock(&g_dlock);
	assert_true(i < MAX_DELAYED);
}

static void
oneway_handler(crt_rpc_t *rpc)
{
	assert_int_equal(crt_reply_send(rpc), -DER_PROTO);
	g_oneway_seen++;
}

static void
noreply_handler(crt_rpc_t *rpc)
{
	/* never replies: CaRT answers -DER_NOREPLY when the RPC is released */
}

static uint64_t
checksum(const unsigned char *p, size_t len)
{
	uint64_t h = 1469598103934665603ULL;
	size_t i;

	for (i = 0; i < len; i++)
		h = (h ^ p[i]) * 1099511628211ULL;
	return h;
}

static void
fill_pattern(unsigned char *p, size_t len, uint32_t seed)
{
	size_t i;

	for (i = 0; i < len; i++)
		p[i] = (unsigned char)((i * 131 + seed) ^ (i >> 9));
}

struct bulk_ctx {
	crt_rpc_t *rpc;
	crt_bulk_t local;
	void *buf;
};

static int
bulk_done(const struct crt_bulk_cb_info *info)
{
	struct bulk_ctx *b = info->bci_arg;
	struct t_bulk_in *in = crt_req_get(b->rpc);
	struct t_bulk_out *out = crt_reply_get(b->rpc);

	out->b_rc = info->bci_rc;
	out->b_sum = in->b_put ? 0 : checksum(b->buf, in->b_len);
	crt_reply_send(b->rpc);
	crt_bulk_free(b->local);
	free(b->buf);
	crt_req_decref(b->rpc);
	free(b);
	return 0;
}

static void
bulk_handler(crt_rpc_t *rpc)
{
	struct t_bulk_in *in = crt_req_get(rpc);
	struct bulk_ctx *b = calloc(1, sizeof(*b));
	struct crt_bulk_desc desc = {0};
	d_sg_list_t sgl;
	d_iov_t iov[2];
	size_t half = in->b_len / 2;

	assert_non_null(b);
	b->buf = malloc(in->b_len);
	assert_non_null(b->buf);
	if (in->b_put)
		fill_pattern(b->buf, in->b_len, in->b_seed);
	/* two segments on this side, to exercise piece cutting */
	d_iov_set(&iov[0], b->buf, half);
	d_iov_set(&iov[1], (char *)b->buf + half, in->b_len - half);
	sgl.sg_nr = 2;
	sgl.sg_iovs = iov;
	assert_int_equal(crt_bulk_create(rpc->cr_ctx, &sgl, CRT_BULK_RW, &b->local), 0);
	crt_req_addref(rpc);
	b->rpc = rpc;
	desc.bd_rpc = rpc;
	desc.bd_bulk_op = in->b_put ? CRT_BULK_PUT : CRT_BULK_GET;
	desc.bd_remote_hdl = in->b_bulk;
	desc.bd_local_hdl = b->local;
	desc.bd_len = in->b_len;
	assert_int_equal(crt_bulk_transfer(&desc, bulk_done, b, NULL), 0);
}

static struct crt_proto_rpc_format t_rpcs[] = {
	{.prf_req_fmt = &CQF_t_echo, .prf_hdlr = echo_handler},
	{.prf_req_fmt = &CQF_t_echo,
	 .prf_hdlr = oneway_handler,
	 .prf_flags = CRT_RPC_FEAT_NO_REPLY},
	{.prf_req_fmt = &CQF_t_bulk, .prf_hdlr = bulk_handler},
	{.prf_req_fmt = &CQF_t_echo},
	{.prf_req_fmt = &CQF_t_echo, .prf_hdlr = noreply_handler},
};

static struct crt_proto_format t_proto = {
	.cpf_name = "test",
	.cpf_ver = 1,
	.cpf_count = 5,
	.cpf_prf = t_rpcs,
	.cpf_base = T_BASE,
};

static void *
srv_thread(void *arg)
{
	int i;

	while (!g_stop) {
		crt_progress(g_srv, 5000);
		pthread_mutex_lock(&g_dlock);
		for (i = 0; i < MAX_DELAYED; i++) {
			if (g_delayed[i] != NULL && now_ms() >= g_due[i]) {
				crt_rpc_t *rpc = g_delayed[i];

				g_delayed[i] = NULL;
				pthread_mutex_unlock(&g_dlock);
				echo_reply(rpc);
				crt_req_decref(rpc);
				pthread_mutex_lock(&g_dlock);
			}
		}
		pthread_mutex_unlock(&g_dlock);
	}
	return NULL;
}

static int
setup(void **state)
{
	crt_init_options_t opt = {0};
	char tmpl[] = "/tmp/cart_test.XXXXXX";

	opt.cio_provider = getenv("D_PROVIDER") ? NULL : "ofi+tcp;ofi_rxm";
	opt.cio_interface = "lo";
	opt.cio_use_credits = 1;
	opt.cio_ep_credits = 16;
	assert_int_equal(crt_init_opt("cart_test", CRT_FLAG_BIT_SERVER, &opt), 0);
	assert_int_equal(crt_proto_register(&t_proto), 0);
	assert_int_equal(crt_context_create(&g_srv), 0);
	assert_int_equal(crt_context_create(&g_cli), 0);
	assert_int_equal(crt_rank_self_set(0, 1), 0);
	assert_non_null(mkdtemp(tmpl));
	snprintf(g_dir, sizeof(g_dir), "%s", tmpl);
	g_stop = 0;
	assert_int_equal(pthread_create(&g_thr, NULL, srv_thread, NULL), 0);
	return 0;
}

static int
rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	return remove(path);
}

static int
teardown(void **state)
{
	int i;

	g_stop = 1;
	pthread_join(g_thr, NULL);
	for (i = 0; i < MAX_DELAYED; i++) {
		if (g_delayed[i] != NULL) {
			crt_reply_send(g_delayed[i]);
			crt_req_decref(g_delayed[i]);
			g_delayed[i] = NULL;
		}
	}
	assert_int_equal(crt_context_destroy(g_cli, 1), 0);
	assert_int_equal(crt_context_destroy(g_srv, 1), 0);
	assert_int_equal(crt_finalize(), 0);
	nftw(g_dir, rm_entry, 8, FTW_DEPTH | FTW_PHYS);
	return 0;
}

/* ---- helpers ---- */

struct result {
	int calls;
	int rc;
	uint64_t seq;
	size_t len;
	bool data_ok;
};

static void
echo_cb(const struct crt_cb_info *info)
{
	struct result *r = info->cci_arg;
	struct t_echo_in *in = crt_req_get(info->cci_rpc);
	struct t_echo_out *out = crt_reply_get(info->cci_rpc);

	r->calls++;
	r->rc = info->cci_rc;
	if (info->cci_rc == 0) {
		r->seq = out->e_seq;
		r->len = out->e_data.iov_len;
		r->data_ok =
			out->e_data.iov_len == in->e_data.iov_len &&
			(out->e_data.iov_len == 0 ||
			 memcmp(out->e_data.iov_buf, in->e_data.iov_buf, out->e_data.iov_len) == 0);
	}
}

static int
all_done(void *arg)
{
	int *pending = arg;

	return *pending == 0;
}

struct many {
	int *pending;
	struct result *r;
};

static void
count_cb(const struct crt_cb_info *info)
{
	struct many *m = info->cci_arg;

	echo_cb(&(struct crt_cb_info){
		.cci_rpc = info->cci_rpc, .cci_arg = m->r, .cci_rc = info->cci_rc});
	(*m->pending)--;
}

static int
cond_calls(void *arg)
{
	return ((struct result *)arg)->calls > 0;
}

static crt_rpc_t *
echo_create(crt_opcode_t opc, uint64_t seq, void *data, size_t len, uint32_t delay)
{
	crt_endpoint_t ep = {.ep_rank = 0, .ep_tag = 0};
	struct t_echo_in *in;
	crt_rpc_t *rpc;

	assert_int_equal(crt_req_create(g_cli, &ep, opc, &rpc), 0);
	in = crt_req_get(rpc);
	in->e_seq = seq;
	in->e_delay_ms = delay;
	in->e_name = "echo";
	d_iov_set(&in->e_data, data, len);
	return rpc;
}

/* ---- tests ---- */

static void
test_echo(void **state)
{
	struct result r = {0};
	char msg[] = "hello cart";
	crt_rpc_t *rpc = echo_create(T_OPC_ECHO, 42, msg, sizeof(msg), 0);

	assert_int_equal(crt_req_send(rpc, echo_cb, &r), 0);
	assert_int_equal(crt_progress_cond(g_cli, 10 * 1000 * 1000, cond_calls, &r), 0);
	assert_int_equal(r.calls, 1);
	assert_int_equal(r.rc, 0);
	assert_int_equal(r.seq, 42);
	assert_true(r.data_ok);
	/* nothing else arrives for it */
	crt_progress(g_cli, 20 * 1000);
	assert_int_equal(r.calls, 1);
}

/* Inputs and outputs above the receive-buffer size go by RMA read. */
static void
test_large_messages(void **state)
{
	size_t sizes[] = {60000, 70000, 1 << 20, 8 << 20};
	size_t i, k;

	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		struct result r = {0};
		char *buf = malloc(sizes[i]);
		crt_rpc_t *rpc;

		assert_non_null(buf);
		for (k = 0; k < sizes[i]; k++)
			buf[k] = (char)(k * 7 + i);
		rpc = echo_create(T_OPC_ECHO, 100 + i, buf, sizes[i], 0);
		assert_int_equal(crt_req_send(rpc, echo_cb, &r), 0);
		assert_int_equal(crt_progress_cond(g_cli, 20 * 1000 * 1000, cond_calls, &r), 0);
		assert_int_equal(r.calls, 1);
		assert_int_equal(r.rc, 0);
		assert_int_equal(r.seq, 100 + i);
		assert_int_equal(r.len, sizes[i]);
		assert_true(r.data_ok);
		free(buf);
	}
}

static void
test_many_inflight(void **state)
{
	const int n = 2000;
	struct result *res = calloc(n, sizeof(*res));
	struct many *m = calloc(n, sizeof(*m));
	char *buf = malloc(8192);
	int pending = n, i, inflight;

	assert_non_null(res);
	for (i = 0; i < 8192; i++)
		buf[i] = (char)i;
	for (i = 0; i < n; i++) {
		size_t len = (size_t)(i * 37) % 8193;
		crt_rpc_t *rpc = echo_create(T_OPC_ECHO, i, buf + (8192 - len), len, 0);

		m[i].pending = &pending;
		m[i].r = &res[i];
		assert_int_equal(crt_req_send(rpc, count_cb, &m[i]), 0);
	}
	crt_context_inflight_num(g_cli, &inflight);
	assert_true(inflight > 0);
	assert_int_equal(crt_progress_cond(g_cli, 50 * 1000 * 1000, all_done, &pending), 0);
	for (i = 0; i < n; i++) {
		assert_int_equal(res[i].calls, 1);
		assert_int_equal(res[i].rc, 0);
		assert_int_equal(res[i].seq, i);
		assert_true(res[i].data_ok);
	}
	crt_context_inflight_num(g_cli, &inflight);
	assert_int_equal(inflight, 0);
	free(res);
	free(m);
	free(buf);
}

/*
 * 10,000 RPCs outstanding at once (sent before the first reply is read), of
 * mixed sizes: mostly small, some near the receive buffer size, a few large
 * messages that travel by RMA. Every reply must match its request.
 */
static void
test_10k_inflight(void **state)
{
	const int n = 10000;
	const size_t big = 200 * 1024;
	struct result *res = calloc(n, sizeof(*res));
	struct many *m = calloc(n, sizeof(*m));
	size_t *lens = calloc(n, sizeof(*lens));
	char *buf = malloc(big);
	int pending = n, i, inflight;
	uint64_t t0 = now_ms();

	assert_non_null(res);
	assert_non_null(m);
	assert_non_null(lens);
	assert_non_null(buf);
	for (i = 0; i < (int)big; i++)
		buf[i] = (char)(i * 7 + (i >> 8));
	for (i = 0; i < n; i++) {
		crt_rpc_t *rpc;

		if (i % 1000 == 999)
			lens[i] = big - (size_t)i % 7;
		else if (i % 100 == 50)
			lens[i] = 60 * 1024 + (size_t)i % 1024;
		else
			lens[i] = (size_t)(i * 131) % 4097;
		rpc = echo_create(T_OPC_ECHO, i, buf + (big - lens[i]), lens[i], 0);
		m[i].pending = &pending;
		m[i].r = &res[i];
		assert_int_equal(crt_req_send(rpc, count_cb, &m[i]), 0);
	}
	crt_context_inflight_num(g_cli, &inflight);
	assert_int_equal(inflight, n);
	assert_int_equal(crt_progress_cond(g_cli, 60 * 1000 * 1000, all_done, &pending), 0);
	for (i = 0; i < n; i++) {
		assert_int_equal(res[i].calls, 1);
		assert_int_equal(res[i].rc, 0);
		assert_int_equal(res[i].seq, i);
		assert_int_equal(res[i].len, lens[i]);
		assert_true(res[i].data_ok);
	}
	crt_context_inflight_num(g_cli, &inflight);
	assert_int_equal(inflight, 0);
	print_message("10k mixed RPCs in %llu ms\n", (unsigned long long)(now_ms() - t0));
	free(res);
	free(m);
	free(lens);
	free(buf);
}

/* With 16 credits per destination, the target never holds more than 16 of our RPCs. */
static void
test_credits(void **state)
{
	const int n = 40;
	struct result *res = calloc(n, sizeof(*res));
	struct many *m = calloc(n, sizeof(*m));
	int pending = n, i;

	g_max_held = 0;
	for (i = 0; i < n; i++) {
		crt_rpc_t *rpc = echo_create(T_OPC_ECHO, i, "c", 1, 30);

		m[i].pending = &pending;
		m[i].r = &res[i];
		assert_int_equal(crt_req_send(rpc, count_cb, &m[i]), 0);
	}
	assert_int_equal(crt_progress_cond(g_cli, 20 * 1000 * 1000, all_done, &pending), 0);
	for (i = 0; i < n; i++) {
		assert_int_equal(res[i].calls, 1);
		assert_int_equal(res[i].rc, 0);
	}
	print_message("at most %d RPCs held by the target\n", g_max_held);
	assert_true(g_max_held >= 8 && g_max_held <= 16);
	free(res);
	free(m);
}

struct sender {
	pthread_t thr;
	int base;
	_Atomic int *pending;
	struct result res[300];
	char data[300][32];
};

static _Atomic int g_thr_pending;

static void
thr_cb(const struct crt_cb_info *info)
{
	struct result *r = info->cci_arg;

	echo_cb(info);
	(void)r;
	g_thr_pending--;
}

static void *
sender_main(void *arg)
{
	struct sender *s = arg;
	int i;

	for (i = 0; i < 300; i++) {
		crt_rpc_t *rpc;
		char *data = s->data[i];

		/* the buffer outlives the RPC: the callback compares against it */
		snprintf(data, sizeof(s->data[i]), "thread %d rpc %d", s->base, i);
		rpc = echo_create(T_OPC_ECHO, s->base * 1000 + i, data, strlen(data) + 1, 0);
		assert_int_equal(crt_req_send(rpc, thr_cb, &s->res[i]), 0);
	}
	return NULL;
}

static int
thr_done(void *arg)
{
	return g_thr_pending == 0;
}

/* Several threads send on one context while this thread progresses it. */
static void
test_threads(void **state)
{
	struct sender *s = calloc(4, sizeof(*s));
	int t, i;

	g_thr_pending = 4 * 300;
	for (t = 0; t < 4; t++) {
		s[t].base = t;
		assert_int_equal(pthread_create(&s[t].thr, NULL, sender_main, &s[t]), 0);
	}
	for (t = 0; t < 4; t++)
		pthread_join(s[t].thr, NULL);
	assert_int_equal(crt_progress_cond(g_cli, 30 * 1000 * 1000, thr_done, NULL), 0);
	for (t = 0; t < 4; t++) {
		for (i = 0; i < 300; i++) {
			assert_int_equal(s[t].res[i].calls, 1);
			assert_int_equal(s[t].res[i].rc, 0);
			assert_int_equal(s[t].res[i].seq, t * 1000 + i);
			assert_true(s[t].res[i].data_ok);
		}
	}
	free(s);
}

static void
test_timeout(void **state)
{
	struct result r = {0};
	crt_rpc_t *rpc = echo_create(T_OPC_ECHO, 7, "x", 1, 600);
	uint64_t t0 = now_ms(), el;

	assert_int_equal(crt_req_set_timeout_ms(rpc, 200), 0);
	assert_int_equal(crt_req_send(rpc, echo_cb, &r), 0);
	assert_int_equal(crt_progress_cond(g_cli, 5 * 1000 * 1000, cond_calls, &r), 0);
	el = now_ms() - t0;
	assert_int_equal(r.calls, 1);
	assert_int_equal(r.rc, -DER_TIMEDOUT);
	assert_true(el >= 190 && el < 2000);
	/* the late reply (at ~600 ms) is dropped: no second callback */
	t0 = now_ms();
	while (now_ms() - t0 < 900)
		crt_progress(g_cli, 100 * 1000);
	assert_int_equal(r.calls, 1);
}

static void
test_abort(void **state)
{
	struct result r = {0};
	crt_rpc_t *rpc = echo_create(T_OPC_ECHO, 8, "y", 1, 300);
	uint64_t t0;

	crt_req_addref(rpc);
	assert_int_equal(crt_req_send(rpc, echo_cb, &r), 0);
	crt_progress(g_cli, 10 * 1000);
	assert_int_equal(crt_req_abort(rpc), 0);
	assert_int_equal(crt_progress_cond(g_cli, 5 * 1000 * 1000, cond_calls, &r), 0);
	assert_int_equal(r.calls, 1);
	assert_int_equal(r.rc, -DER_CANCELED);
	/* aborting again changes nothing */
	assert_int_equal(crt_req_abort(rpc), 0);
	crt_req_decref(rpc);
	t0 = now_ms();
	while (now_ms() - t0 < 500)
		crt_progress(g_cli, 100 * 1000);
	assert_int_equal(r.calls, 1);
}

static void
test_errors(void **state)
{
	struct result r = {0};
	crt_rpc_t *rpc;
	crt_endpoint_t ep = {.ep_rank = 5, .ep_tag = 0};

	/* opcode without a handler on the target */
	rpc = echo_create(T_OPC_NOHDLR, 1, NULL, 0, 0);
	assert_int_equal(crt_req_send(rpc, echo_cb, &r), 0);
	assert_int_equal(crt_progress_cond(g_cli, 5 * 1000 * 1000, cond_calls, &r), 0);
	assert_int_equal(r.rc, -DER_UNREG);

	/* handler that never replies */
	memset(&r, 0, sizeof(r));
	rpc = echo_create(T_OPC_NOREPLY, 1, NULL, 0, 0);
	assert_int_equal(crt_req_send(rpc, echo_cb, &r), 0);
	assert_int_equal(crt_progress_cond(g_cli, 5 * 1000 * 1000, cond_calls, &r), 0);
	assert_int_equal(r.rc, -DER_NOREPLY);

	/* unknown rank: fails at once, callback still runs once */
	memset(&r, 0, sizeof(r));
	assert_int_equal(crt_req_create(g_cli, &ep, T_OPC_ECHO, &rpc), 0);
	assert_int_equal(crt_req_send(rpc, echo_cb, &r), -DER_OOG);
	assert_int_equal(r.calls, 1);
	assert_int_equal(r.rc, -DER_OOG);

	/* unregistered opcode */
	assert_int_equal(crt_req_create(g_cli, &ep, 0x12345678, &rpc), -DER_UNREG);
}

static void
test_oneway(void **state)
{
	struct result r = {0};
	crt_rpc_t *rpc = echo_create(T_OPC_ONEWAY, 1, "z", 1, 0);
	uint64_t t0;

	g_oneway_seen = 0;
	assert_int_equal(crt_req_send(rpc, echo_cb, &r), 0);
	assert_int_equal(crt_progress_cond(g_cli, 5 * 1000 * 1000, cond_calls, &r), 0);
	assert_int_equal(r.rc, 0);
	t0 = now_ms();
	while (g_oneway_seen == 0 && now_ms() - t0 < 5000)
		usleep(1000);
	assert_int_equal(g_oneway_seen, 1);
}

static void
test_group(void **state)
{
	crt_group_t *grp;
	char *uri, *self;
	uint32_t size;
	d_rank_t rank;

	assert_int_equal(crt_self_uri_get(0, &self), 0);
	assert_int_equal(crt_group_rank(NULL, &rank), 0);
	assert_int_equal(rank, 0);
	assert_int_equal(crt_group_size(NULL, &size), 0);
	assert_int_equal(size, 1);
	assert_int_equal(crt_rank_uri_get(NULL, 0, 0, &uri), 0);
	assert_string_equal(uri, self);
	free(uri);
	assert_int_equal(crt_group_primary_rank_add(g_cli, NULL, 3, self), 0);
	assert_int_equal(crt_group_size(NULL, &size), 0);
	assert_int_equal(size, 2);
	assert_int_equal(crt_group_primary_rank_add(g_cli, NULL, 4, "garbage"), -DER_INVAL);

	assert_int_equal(crt_group_config_path_set(g_dir), 0);
	assert_int_equal(crt_group_config_save(NULL, true), 0);
	assert_int_equal(crt_group_attach("cart_test", &grp), 0);
	assert_int_equal(crt_group_size(grp, &size), 0);
	assert_int_equal(size, 2);
	assert_int_equal(crt_rank_uri_get(grp, 3, 0, &uri), 0);
	assert_string_equal(uri, self);
	free(uri);
	/* an RPC through the attached group reaches rank 3 (= our context 0) */
	{
		struct result r = {0};
		crt_endpoint_t ep = {.ep_grp = grp, .ep_rank = 3, .ep_tag = 0};
		crt_rpc_t *rpc;

		assert_int_equal(crt_req_create(g_cli, &ep, T_OPC_ECHO, &rpc), 0);
		assert_int_equal(crt_req_send(rpc, echo_cb, &r), 0);
		assert_int_equal(crt_progress_cond(g_cli, 5 * 1000 * 1000, cond_calls, &r), 0);
		assert_int_equal(r.rc, 0);
	}
	/* (3, tag 1): the URI of tag 1 is asked from (3, 0), i.e. our context 0 */
	{
		struct result r = {0};
		crt_endpoint_t ep = {.ep_rank = 3, .ep_tag = 1};
		crt_rpc_t *rpc;
		char *cli;

		assert_int_equal(crt_rank_uri_get(NULL, 3, 1, &uri), -DER_NONEXIST);
		assert_int_equal(crt_req_create(g_cli, &ep, T_OPC_ECHO, &rpc), 0);
		assert_int_equal(crt_req_send(rpc, echo_cb, &r), 0);
		assert_int_equal(crt_progress_cond(g_cli, 5 * 1000 * 1000, cond_calls, &r), 0);
		assert_int_equal(r.rc, 0);
		assert_int_equal(crt_rank_uri_get(NULL, 3, 1, &uri), 0);
		assert_int_equal(crt_self_uri_get(1, &cli), 0);
		assert_string_equal(uri, cli);
		free(uri);
		free(cli);
		/* a tag nobody has: fails once */
		memset(&r, 0, sizeof(r));
		ep.ep_tag = 9;
		assert_int_equal(crt_req_create(g_cli, &ep, T_OPC_ECHO, &rpc), 0);
		assert_int_equal(crt_req_send(rpc, echo_cb, &r), 0);
		assert_int_equal(crt_progress_cond(g_cli, 5 * 1000 * 1000, cond_calls, &r), 0);
		assert_int_equal(r.calls, 1);
		assert_int_equal(r.rc, -DER_NONEXIST);
	}
	assert_int_equal(crt_group_detach(grp), 0);
	assert_int_equal(crt_group_attach("no_such_group", &grp), -DER_NONEXIST);
	assert_int_equal(crt_group_rank_remove(NULL, 3), 0);
	free(self);
}

struct bulk_res {
	int calls;
	int rc;
	uint64_t sum;
	int32_t srv_rc;
};

static void
bulk_cb(const struct crt_cb_info *info)
{
	struct bulk_res *r = info->cci_arg;
	struct t_bulk_out *out = crt_reply_get(info->cci_rpc);

	r->calls++;
	r->rc = info->cci_rc;
	if (info->cci_rc == 0) {
		r->sum = out->b_sum;
		r->srv_rc = out->b_rc;
	}
}

static int
bulk_cond(void *arg)
{
	return ((struct bulk_res *)arg)->calls > 0;
}

static void
do_bulk(size_t len, bool put, crt_bulk_perm_t perm)
{
	crt_endpoint_t ep = {.ep_rank = 0, .ep_tag = 0};
	struct bulk_res r = {0};
	struct t_bulk_in *in;
	crt_rpc_t *rpc;
	unsigned char *buf = malloc(len);
	d_sg_list_t sgl;
	d_iov_t iov;
	crt_bulk_t bulk;
	uint32_t seed = (uint32_t)len * 7 + put;

	assert_non_null(buf);
	if (put)
		memset(buf, 0, len);
	else
		fill_pattern(buf, len, seed);
	d_iov_set(&iov, buf, len);
	sgl.sg_nr = 1;
	sgl.sg_iovs = &iov;
	assert_int_equal(crt_bulk_create(g_cli, &sgl, perm, &bulk), 0);
	assert_int_equal(crt_req_create(g_cli, &ep, T_OPC_BULK, &rpc), 0);
	in = crt_req_get(rpc);
	in->b_bulk = bulk;
	in->b_len = len;
	in->b_put = put;
	in->b_seed = seed;
	assert_int_equal(crt_req_send(rpc, bulk_cb, &r), 0);
	assert_int_equal(crt_progress_cond(g_cli, 30 * 1000 * 1000, bulk_cond, &r), 0);
	assert_int_equal(r.rc, 0);
	assert_int_equal(r.srv_rc, 0);
	if (put) {
		unsigned char *want = malloc(len);

		fill_pattern(want, len, seed);
		assert_true(checksum(buf, len) == checksum(want, len));
		assert_memory_equal(buf, want, len);
		free(want);
	} else {
		assert_true(r.sum == checksum(buf, len));
	}
	crt_bulk_free(bulk);
	free(buf);
}

static void
test_bulk(void **state)
{
	size_t sizes[] = {1, 100, 4096, 16384, 16385, 100000, 1 << 20, 16 << 20, 64 << 20};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		do_bulk(sizes[i], false, CRT_BULK_RO); /* inline below 16 KiB */
		do_bulk(sizes[i], false, CRT_BULK_RW); /* always RMA */
		do_bulk(sizes[i], true, CRT_BULK_RW);
	}
}

static void
test_bulk_bad(void **state)
{
	crt_bulk_t bulk;
	d_sg_list_t sgl = {0};
	d_iov_t iov;
	size_t len;

	assert_int_equal(crt_bulk_create(g_cli, &sgl, CRT_BULK_RW, &bulk), -DER_INVAL);
	d_iov_set(&iov, "abc", 3);
	sgl.sg_nr = 1;
	sgl.sg_iovs = &iov;
	assert_int_equal(crt_bulk_create(g_cli, &sgl, 0x1234, &bulk), -DER_INVAL);
	assert_int_equal(crt_bulk_create(g_cli, &sgl, CRT_BULK_RO, &bulk), 0);
	assert_int_equal(crt_bulk_get_len(bulk, &len), 0);
	assert_int_equal(len, 3);
	crt_bulk_free(bulk);
}

struct pq_res {
	int calls;
	int rc;
	int ver;
};

static void
pq_cb(struct crt_proto_query_cb_info *info)
{
	struct pq_res *r = info->pq_arg;

	r->calls++;
	r->rc = info->pq_rc;
	r->ver = info->pq_ver;
}

static int
pq_done(void *arg)
{
	return ((struct pq_res *)arg)->calls > 0;
}

static void
test_proto_query(void **state)
{
	crt_endpoint_t ep = {.ep_rank = 0, .ep_tag = 0};
	uint32_t vers[] = {3, 1, 2};
	uint32_t none[] = {7};
	struct pq_res r = {0};

	assert_int_equal(crt_proto_query_with_ctx(&ep, T_BASE, vers, 3, 5, pq_cb, &r, g_cli), 0);
	assert_int_equal(crt_progress_cond(g_cli, 10 * 1000 * 1000, pq_done, &r), 0);
	assert_int_equal(r.rc, 0);
	assert_int_equal(r.ver, 1);
	memset(&r, 0, sizeof(r));
	assert_int_equal(crt_proto_query_with_ctx(&ep, T_BASE, none, 1, 5, pq_cb, &r, g_cli), 0);
	assert_int_equal(crt_progress_cond(g_cli, 10 * 1000 * 1000, pq_done, &r), 0);
	assert_int_equal(r.rc, -DER_NONEXIST);
	assert_int_equal(crt_proto_query_with_ctx(&ep, T_BASE, NULL, 1, 5, pq_cb, &r, g_cli),
			 -DER_INVAL);
}

static int g_ev_dead, g_ev_alive;
static pthread_t g_task_thr[32];
static _Atomic int g_task_n;

static void
ev_cb(d_rank_t rank, uint64_t inc, enum crt_event_source src, enum crt_event_type type, void *arg)
{
	if (type == CRT_EVT_DEAD)
		g_ev_dead++;
	else
		g_ev_alive++;
}

static void
test_group_modify(void **state)
{
	char *self;
	char *uris[2];
	d_rank_t rk[2] = {0, 7};
	d_rank_list_t rl = {.rl_ranks = rk, .rl_nr = 2};
	uint32_t size, ver;

	assert_int_equal(crt_self_uri_get(0, &self), 0);
	uris[0] = uris[1] = self;
	assert_int_equal(crt_register_event_cb(ev_cb, NULL), 0);
	assert_int_equal(crt_group_primary_modify(NULL, &g_srv, 1, &rl, NULL, uris,
						  CRT_GROUP_MOD_OP_REPLACE, 5),
			 0);
	assert_int_equal(crt_group_size(NULL, &size), 0);
	assert_int_equal(size, 2);
	assert_int_equal(crt_group_version(NULL, &ver), 0);
	assert_int_equal(ver, 5);
	assert_int_equal(g_ev_alive, 1);
	rl.rl_ranks = &rk[1];
	rl.rl_nr = 1;
	assert_int_equal(crt_group_primary_modify(NULL, &g_srv, 1, &rl, NULL, NULL,
						  CRT_GROUP_MOD_OP_REMOVE, 6),
			 0);
	assert_int_equal(crt_group_size(NULL, &size), 0);
	assert_int_equal(size, 1);
	assert_int_equal(g_ev_dead, 1);
	assert_int_equal(
		crt_group_primary_modify(NULL, &g_srv, 1, &rl, NULL, NULL, CRT_GROUP_MOD_OP_ADD, 7),
		-DER_INVAL);
	assert_int_equal(crt_unregister_event_cb(ev_cb, NULL), 0);
	free(self);
}

struct task_arg {
	void (*hdlr)(void *);
	void *hdlr_arg;
};

static void *
task_main(void *arg)
{
	struct task_arg *t = arg;

	t->hdlr(t->hdlr_arg);
	free(t);
	return NULL;
}

/* Like an engine spawning a ULT per RPC: the handler runs on another thread. */
static int
task_cb(crt_context_t *ctx, void *hdlr_arg, void (*hdlr)(void *), void *arg)
{
	struct task_arg *t = malloc(sizeof(*t));
	int n = g_task_n++;

	if (t == NULL || n >= 32) {
		free(t);
		return -DER_NOMEM;
	}
	t->hdlr = hdlr;
	t->hdlr_arg = hdlr_arg;
	return pthread_create(&g_task_thr[n], NULL, task_main, t) == 0 ? 0 : -DER_MISC;
}

static void
test_rpc_task(void **state)
{
	struct result r[10] = {0};
	struct many m[10];
	int pending = 10, i;

	assert_int_equal(crt_context_register_rpc_task(g_srv, task_cb, NULL, NULL), 0);
	for (i = 0; i < 10; i++) {
		crt_rpc_t *rpc = echo_create(T_OPC_ECHO, i, "task", 5, 0);

		m[i].pending = &pending;
		m[i].r = &r[i];
		assert_int_equal(crt_req_send(rpc, count_cb, &m[i]), 0);
	}
	assert_int_equal(crt_progress_cond(g_cli, 10 * 1000 * 1000, all_done, &pending), 0);
	for (i = 0; i < 10; i++) {
		assert_int_equal(r[i].rc, 0);
		assert_true(r[i].data_ok);
	}
	assert_int_equal(g_task_n, 10);
	for (i = 0; i < g_task_n; i++)
		pthread_join(g_task_thr[i], NULL);
}

static void
test_wait_fd(void **state)
{
	int fd = -1, rc;
	uint64_t t0;
	struct rusage r0, r1;
	long cpu_us;

	rc = crt_context_get_wait_fd(g_cli, &fd);
	if (rc == -DER_NOSYS) {
		/* polling provider (shm) */
		assert_true(fd < 0);
	} else {
		assert_int_equal(rc, 0);
		assert_true(fd >= 0);
	}
	/* idle blocking progress sleeps (little CPU), then reports a timeout */
	getrusage(RUSAGE_THREAD, &r0);
	t0 = now_ms();
	assert_int_equal(crt_progress(g_cli, 300 * 1000), -DER_TIMEDOUT);
	assert_true(now_ms() - t0 >= 295);
	getrusage(RUSAGE_THREAD, &r1);
	cpu_us = (r1.ru_utime.tv_sec - r0.ru_utime.tv_sec) * 1000000L +
		 (r1.ru_utime.tv_usec - r0.ru_utime.tv_usec) +
		 (r1.ru_stime.tv_sec - r0.ru_stime.tv_sec) * 1000000L +
		 (r1.ru_stime.tv_usec - r0.ru_stime.tv_usec);
	print_message("300 ms idle progress used %ld us of CPU\n", cpu_us);
	assert_true(cpu_us < 100 * 1000);
	assert_int_equal(crt_progress(g_cli, 0), -DER_TIMEDOUT);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_echo),           cmocka_unit_test(test_10k_inflight),
		cmocka_unit_test(test_large_messages), cmocka_unit_test(test_many_inflight),
		cmocka_unit_test(test_credits),        cmocka_unit_test(test_threads),
		cmocka_unit_test(test_timeout),        cmocka_unit_test(test_abort),
		cmocka_unit_test(test_errors),         cmocka_unit_test(test_oneway),
		cmocka_unit_test(test_group),          cmocka_unit_test(test_bulk),
		cmocka_unit_test(test_bulk_bad),       cmocka_unit_test(test_proto_query),
		cmocka_unit_test(test_group_modify),   cmocka_unit_test(test_wait_fd),
		cmocka_unit_test(test_rpc_task),
	};

	return cmocka_run_group_tests_name("cart_rpc", tests, setup, teardown);
}
