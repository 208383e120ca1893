/**
 * crt_bulk_abort: a transfer aborted while its RMA is in flight completes
 * its callback once, with -DER_CANCELED, after the RMA is done; a second
 * abort is harmless; aborting a finished (or inline) transfer gives
 * -DER_NONEXIST and leaves its result alone; multi-piece transfers stop.
 * One context serves itself, so the handler's bulk targets our own memory.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <gurt/common.h>
#include <cart/api.h>

#define A_BASE 0xE7000000U
#define A_OPC  CRT_PROTO_OPC(A_BASE, 1, 0)

enum { MODE_NONE, MODE_ABORT, MODE_ABORT_TWICE, MODE_ABORT_AFTER };

/* clang-format off */
#define A_ISEQ ((crt_bulk_t)(a_bulk) CRT_VAR) ((uint64_t)(a_len) CRT_VAR) \
	       ((uint32_t)(a_mode) CRT_VAR) ((uint32_t)(a_put) CRT_VAR)
#define A_OSEQ ((int32_t)(a_rc) CRT_VAR) ((int32_t)(a_abort_rc) CRT_VAR) \
	       ((int32_t)(a_calls) CRT_VAR)
CRT_RPC_DECLARE(a_xfer, A_ISEQ, A_OSEQ)
CRT_RPC_DEFINE(a_xfer, A_ISEQ, A_OSEQ)
/* clang-format on */

static crt_context_t g_ctx;

struct xfer {
	crt_rpc_t *rpc;
	crt_bulk_t local;
	void *buf;
	crt_bulk_opid_t opid;
	int calls;
	int rc;
	int abort_rc;
	uint32_t mode;
};

static void
xfer_reply(struct xfer *x)
{
	struct a_xfer_out *out = crt_reply_get(x->rpc);

	out->a_rc = x->rc;
	out->a_abort_rc = x->abort_rc;
	out->a_calls = x->calls;
	crt_reply_send(x->rpc);
	crt_req_decref(x->rpc);
	crt_bulk_free(x->local);
	free(x->buf);
	free(x);
}

static int
xfer_done(const struct crt_bulk_cb_info *info)
{
	struct xfer *x = info->bci_arg;

	x->calls++;
	x->rc = info->bci_rc;
	if (x->mode == MODE_ABORT_AFTER) {
		/* finished: the opid is no longer known, the result stays */
		x->abort_rc = crt_bulk_abort(g_ctx, x->opid);
	}
	/* reply from a later callback run: a second call would be caught by calls == 2 */
	xfer_reply(x);
	return 0;
}

static void
a_handler(crt_rpc_t *rpc)
{
	struct a_xfer_in *in = crt_req_get(rpc);
	struct crt_bulk_desc desc = {0};
	struct xfer *x = calloc(1, sizeof(*x));
	d_sg_list_t sgl;
	d_iov_t iov;
	int rc;

	assert_non_null(x);
	x->rpc = rpc;
	x->mode = in->a_mode;
	x->buf = malloc(in->a_len);
	assert_non_null(x->buf);
	memset(x->buf, 0x5a, in->a_len);
	d_iov_set(&iov, x->buf, in->a_len);
	sgl.sg_nr = 1;
	sgl.sg_iovs = &iov;
	assert_int_equal(crt_bulk_create(g_ctx, &sgl, CRT_BULK_RW, &x->local), 0);
	crt_req_addref(rpc);
	desc.bd_rpc = rpc;
	desc.bd_bulk_op = in->a_put ? CRT_BULK_PUT : CRT_BULK_GET;
	desc.bd_remote_hdl = in->a_bulk;
	desc.bd_local_hdl = x->local;
	desc.bd_len = in->a_len;
	rc = crt_bulk_transfer(&desc, xfer_done, x, &x->opid);
	assert_int_equal(rc, 0);
	/* still inside this progress pass: no completion can have been seen yet */
	if (x->mode == MODE_ABORT || x->mode == MODE_ABORT_TWICE)
		x->abort_rc = crt_bulk_abort(g_ctx, x->opid);
	if (x->mode == MODE_ABORT_TWICE)
		assert_int_equal(crt_bulk_abort(g_ctx, x->opid), x->abort_rc);
}

static struct crt_proto_rpc_format a_rpcs[] = {{.prf_req_fmt = &CQF_a_xfer, .prf_hdlr = a_handler}};
static struct crt_proto_format a_proto = {
	.cpf_name = "babort", .cpf_ver = 1, .cpf_count = 1, .cpf_prf = a_rpcs, .cpf_base = A_BASE};

struct res {
	int calls;
	int rc;
	struct a_xfer_out out;
};

static void
cb(const struct crt_cb_info *info)
{
	struct res *r = info->cci_arg;

	r->calls++;
	r->rc = info->cci_rc;
	if (info->cci_rc == 0)
		r->out = *(struct a_xfer_out *)crt_reply_get(info->cci_rpc);
}

static int
done(void *arg)
{
	return ((struct res *)arg)->calls > 0;
}

static struct a_xfer_out
run(size_t len, uint32_t mode, bool put, crt_bulk_perm_t perm)
{
	struct res r = {0};
	struct a_xfer_in *in;
	char *uri, *buf = calloc(1, len);
	crt_rpc_t *rpc;
	crt_bulk_t bulk;
	d_sg_list_t sgl;
	d_iov_t iov;

	assert_non_null(buf);
	d_iov_set(&iov, buf, len);
	sgl.sg_nr = 1;
	sgl.sg_iovs = &iov;
	assert_int_equal(crt_bulk_create(g_ctx, &sgl, perm, &bulk), 0);
	assert_int_equal(crt_self_uri_get(0, &uri), 0);
	assert_int_equal(crt_req_create(g_ctx, NULL, A_OPC, &rpc), 0);
	assert_int_equal(crt_req_set_dest_uri(rpc, uri), 0);
	free(uri);
	in = crt_req_get(rpc);
	in->a_bulk = bulk;
	in->a_len = len;
	in->a_mode = mode;
	in->a_put = put;
	assert_int_equal(crt_req_send(rpc, cb, &r), 0);
	assert_int_equal(crt_progress_cond(g_ctx, 30 * 1000 * 1000, done, &r), 0);
	assert_int_equal(r.calls, 1);
	assert_int_equal(r.rc, 0);
	/* one callback per transfer, whatever happened */
	assert_int_equal(r.out.a_calls, 1);
	if (put && r.out.a_rc == 0) {
		size_t i;

		for (i = 0; i < len; i += 4093)
			assert_int_equal((unsigned char)buf[i], 0x5a);
	}
	crt_bulk_free(bulk);
	free(buf);
	return r.out;
}

static void
test_abort_in_flight(void **state)
{
	struct a_xfer_out o;
	int put;

	for (put = 0; put < 2; put++) {
		o = run(1 << 20, MODE_ABORT, put, CRT_BULK_RW);
		assert_int_equal(o.a_abort_rc, 0);
		assert_int_equal(o.a_rc, -DER_CANCELED);
		o = run(1 << 20, MODE_ABORT_TWICE, put, CRT_BULK_RW);
		assert_int_equal(o.a_abort_rc, 0);
		assert_int_equal(o.a_rc, -DER_CANCELED);
		/* 64 MiB is cut into pieces: the ones not yet posted are dropped */
		o = run(64 << 20, MODE_ABORT, put, CRT_BULK_RW);
		assert_int_equal(o.a_abort_rc, 0);
		assert_int_equal(o.a_rc, -DER_CANCELED);
	}
}

static void
test_abort_finished(void **state)
{
	struct a_xfer_out o;

	o = run(1 << 20, MODE_NONE, false, CRT_BULK_RW);
	assert_int_equal(o.a_rc, 0);
	o = run(1 << 20, MODE_ABORT_AFTER, true, CRT_BULK_RW);
	assert_int_equal(o.a_rc, 0);
	assert_int_equal(o.a_abort_rc, -DER_NONEXIST);
	/* an inline (read-only, small) handle is copied at once: nothing to abort */
	o = run(1000, MODE_ABORT, false, CRT_BULK_RO);
	assert_int_equal(o.a_rc, 0);
	assert_int_equal(o.a_abort_rc, -DER_NONEXIST);
	/* the transfers still work afterwards */
	o = run(100000, MODE_NONE, true, CRT_BULK_RW);
	assert_int_equal(o.a_rc, 0);
}

static void
test_abort_bad(void **state)
{
	int junk;

	assert_int_equal(crt_bulk_abort(NULL, &junk), -DER_INVAL);
	assert_int_equal(crt_bulk_abort(g_ctx, NULL), -DER_INVAL);
	/* never a transfer: not dereferenced */
	assert_int_equal(crt_bulk_abort(g_ctx, &junk), -DER_NONEXIST);
}

static int
setup(void **state)
{
	crt_init_options_t opt = {.cio_interface = "lo"};

	if (getenv("D_PROVIDER") == NULL)
		opt.cio_provider = "ofi+tcp;ofi_rxm";
	assert_int_equal(crt_init_opt("babort", CRT_FLAG_BIT_SERVER, &opt), 0);
	assert_int_equal(crt_proto_register(&a_proto), 0);
	assert_int_equal(crt_context_create(&g_ctx), 0);
	return 0;
}

static int
teardown(void **state)
{
	assert_int_equal(crt_context_destroy(g_ctx, 1), 0);
	assert_int_equal(crt_finalize(), 0);
	return 0;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_abort_in_flight),
		cmocka_unit_test(test_abort_finished),
		cmocka_unit_test(test_abort_bad),
	};

	return cmocka_run_group_tests_name("cart_bulk_abort", tests, setup, teardown);
}
