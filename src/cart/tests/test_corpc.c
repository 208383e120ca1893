/**
 * Collective RPCs over k-nomial, k-ary and flat trees. Eight "ranks" are
 * eight contexts of this process (rank r = context r, each progressed by its
 * own thread); a ninth context is the origin. Checks that every selected
 * rank ran the handler exactly once, that outputs were aggregated, and what
 * the origin sees when one member's handler fails.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <pthread.h>

#include <gurt/common.h>
#include <cart/api.h>

#define NRANKS 8
#define ALL    ((1u << NRANKS) - 1)
#define C_OPC  CRT_PROTO_OPC(0xE3000000U, 1, 0)

/* clang-format off */
#define C_ISEQ ((uint64_t)(c_base) CRT_VAR) ((d_iov_t)(c_blob) CRT_VAR) ((uint32_t)(c_fail) CRT_VAR)
#define C_OSEQ ((uint64_t)(c_sum) CRT_VAR) ((uint32_t)(c_count) CRT_VAR) ((uint32_t)(c_mask) CRT_VAR) \
	((int32_t)(c_rc) CRT_VAR)
CRT_RPC_DECLARE(c_sum, C_ISEQ, C_OSEQ)
CRT_RPC_DEFINE(c_sum, C_ISEQ, C_OSEQ)
/* clang-format on */

static crt_context_t g_ctx[NRANKS + 1];
static pthread_t g_thr[NRANKS];
static _Atomic int g_stop;
static _Atomic int g_runs[NRANKS];
static _Atomic int g_strict;
static uint32_t g_fail = UINT32_MAX;

static void
c_handler(crt_rpc_t *rpc)
{
	struct c_sum_in *in = crt_req_get(rpc);
	struct c_sum_out *out = crt_reply_get(rpc);
	uint32_t tag;

	crt_req_dst_tag_get(rpc, &tag);
	assert_true(tag < NRANKS);
	assert_int_equal(in->c_blob.iov_len, 3000);
	g_runs[tag]++;
	if (tag == in->c_fail) {
		/* a failing member reports its error and contributes nothing */
		out->c_rc = -DER_IO;
		crt_reply_send(rpc);
		return;
	}
	out->c_sum = in->c_base + tag;
	out->c_count = 1;
	out->c_mask = 1u << tag;
	crt_reply_send(rpc);
}

static int
c_aggregate(crt_rpc_t *source, crt_rpc_t *result, void *priv)
{
	struct c_sum_out *src = crt_reply_get(source);
	struct c_sum_out *dst = crt_reply_get(result);

	dst->c_sum += src->c_sum;
	dst->c_count += src->c_count;
	dst->c_mask |= src->c_mask;
	if (src->c_rc != 0 && dst->c_rc == 0)
		dst->c_rc = src->c_rc;
	/* strict mode: a failed child fails the aggregation itself */
	if (g_strict && src->c_rc != 0)
		return src->c_rc;
	return 0;
}

static struct crt_corpc_ops c_ops = {.co_aggregate = c_aggregate};
static struct crt_proto_rpc_format c_rpcs[] = {
	{.prf_req_fmt = &CQF_c_sum, .prf_hdlr = c_handler, .prf_co_ops = &c_ops}};
static struct crt_proto_format c_proto = {.cpf_name = "corpc",
					  .cpf_ver = 1,
					  .cpf_count = 1,
					  .cpf_prf = c_rpcs,
					  .cpf_base = 0xE3000000U};

static void *
progress(void *arg)
{
	while (!g_stop)
		crt_progress(arg, 10 * 1000);
	return NULL;
}

static int
setup(void **state)
{
	crt_init_options_t opt = {.cio_provider = "ofi+tcp;ofi_rxm", .cio_interface = "lo"};
	int i;

	if (getenv("D_PROVIDER") != NULL)
		opt.cio_provider = NULL;
	assert_int_equal(crt_init_opt("corpc_test", CRT_FLAG_BIT_SERVER, &opt), 0);
	assert_int_equal(crt_proto_register(&c_proto), 0);
	for (i = 0; i <= NRANKS; i++)
		assert_int_equal(crt_context_create(&g_ctx[i]), 0);
	assert_int_equal(crt_rank_self_set(0, 1), 0);
	for (i = 1; i < NRANKS; i++) {
		char *uri;

		assert_int_equal(crt_self_uri_get(i, &uri), 0);
		assert_int_equal(crt_group_primary_rank_add(g_ctx[0], NULL, i, uri), 0);
		free(uri);
	}
	g_stop = 0;
	for (i = 0; i < NRANKS; i++)
		pthread_create(&g_thr[i], NULL, progress, g_ctx[i]);
	return 0;
}

static int
teardown(void **state)
{
	int i;

	g_stop = 1;
	for (i = 0; i < NRANKS; i++)
		pthread_join(g_thr[i], NULL);
	for (i = 0; i <= NRANKS; i++)
		assert_int_equal(crt_context_destroy(g_ctx[i], 1), 0);
	assert_int_equal(crt_finalize(), 0);
	return 0;
}

struct res {
	int calls;
	int rc;
	struct c_sum_out out;
};

static void
c_cb(const struct crt_cb_info *info)
{
	struct res *r = info->cci_arg;

	r->calls++;
	r->rc = info->cci_rc;
	if (info->cci_rc == 0)
		r->out = *(struct c_sum_out *)crt_reply_get(info->cci_rpc);
}

static int
c_done(void *arg)
{
	return ((struct res *)arg)->calls > 0;
}

static struct res
run_tmo(int topo, d_rank_list_t *filter, uint32_t flags, uint32_t tmo_ms)
{
	static char blob[3000];
	struct res r = {0};
	crt_rpc_t *rpc;
	struct c_sum_in *in;
	int i;

	for (i = 0; i < NRANKS; i++)
		g_runs[i] = 0;
	assert_int_equal(crt_corpc_req_create(g_ctx[NRANKS], NULL, filter, C_OPC, NULL, NULL, flags,
					      topo, &rpc),
			 0);
	if (tmo_ms)
		crt_req_set_timeout_ms(rpc, tmo_ms);
	in = crt_req_get(rpc);
	in->c_base = 100;
	in->c_fail = g_fail;
	d_iov_set(&in->c_blob, blob, sizeof(blob));
	assert_int_equal(crt_req_send(rpc, c_cb, &r), 0);
	assert_int_equal(crt_progress_cond(g_ctx[NRANKS], 20 * 1000 * 1000, c_done, &r), 0);
	assert_int_equal(r.calls, 1);
	return r;
}

static struct res
run(int topo, d_rank_list_t *filter, uint32_t flags)
{
	return run_tmo(topo, filter, flags, 0);
}

static void
check_all(struct res r, uint32_t mask)
{
	uint32_t n = 0, sum = 0;
	int i;

	assert_int_equal(r.rc, 0);
	assert_int_equal(r.out.c_rc, 0);
	for (i = 0; i < NRANKS; i++) {
		if (mask & (1u << i)) {
			n++;
			sum += 100 + i;
			assert_int_equal(g_runs[i], 1);
		} else {
			assert_int_equal(g_runs[i], 0);
		}
	}
	assert_int_equal(r.out.c_mask, mask);
	assert_int_equal(r.out.c_count, n);
	assert_int_equal(r.out.c_sum, sum);
}

static void
test_trees(void **state)
{
	check_all(run(crt_tree_topo(CRT_TREE_KNOMIAL, 2), NULL, 0), ALL);
	check_all(run(crt_tree_topo(CRT_TREE_KNOMIAL, 3), NULL, 0), ALL);
	check_all(run(crt_tree_topo(CRT_TREE_KARY, 2), NULL, 0), ALL);
	check_all(run(crt_tree_topo(CRT_TREE_FLAT, 0), NULL, 0), ALL);
}

static void
test_filters(void **state)
{
	d_rank_t ex[] = {3};
	d_rank_t only[] = {1, 2, 4, 7};
	d_rank_list_t rl = {.rl_ranks = ex, .rl_nr = 1};

	check_all(run(crt_tree_topo(CRT_TREE_KNOMIAL, 2), &rl, 0), ALL & ~(1u << 3));
	rl.rl_ranks = only;
	rl.rl_nr = 4;
	/* rank 0 (the origin's rank) not included: the root is rank 1 */
	check_all(run(crt_tree_topo(CRT_TREE_KNOMIAL, 2), &rl, CRT_RPC_FLAG_FILTER_INVERT), 0x96);
}

/*
 * One member fails: with a lenient co_aggregate the origin gets rc 0 and an
 * aggregated output carrying the member's error and everyone else's data;
 * with a strict one a failed child fails the whole collective RPC. The failing
 * rank is a leaf, an inner node or the root, on every topology.
 */
static void
test_failing_child(void **state)
{
	int topos[] = {crt_tree_topo(CRT_TREE_KNOMIAL, 2), crt_tree_topo(CRT_TREE_KARY, 2),
		       crt_tree_topo(CRT_TREE_FLAT, 0)};
	uint32_t fails[] = {4, 7, 1, 0};
	struct res r;
	uint32_t sum;
	int t, f, i;

	for (t = 0; t < 3; t++) {
		for (f = 0; f < 4; f++) {
			g_fail = fails[f];
			g_strict = 0;
			r = run(topos[t], NULL, 0);
			assert_int_equal(r.rc, 0);
			assert_int_equal(r.out.c_rc, -DER_IO);
			assert_int_equal(r.out.c_mask, ALL & ~(1u << g_fail));
			assert_int_equal(r.out.c_count, NRANKS - 1);
			for (sum = 0, i = 0; i < NRANKS; i++) {
				assert_int_equal(g_runs[i], 1);
				sum += i == g_fail ? 0 : 100 + i;
			}
			assert_int_equal(r.out.c_sum, sum);

			/*
			 * co_aggregate only sees children's outputs: the root's own
			 * failure stays in the output, anyone else's fails the RPC.
			 */
			g_strict = 1;
			r = run(topos[t], NULL, 0);
			if (g_fail == 0) {
				assert_int_equal(r.rc, 0);
				assert_int_equal(r.out.c_rc, -DER_IO);
			} else {
				assert_int_equal(r.rc, -DER_IO);
			}
			for (i = 0; i < NRANKS; i++)
				assert_int_equal(g_runs[i], 1);
		}
	}
	g_fail = UINT32_MAX;
	g_strict = 0;
	check_all(run(crt_tree_topo(CRT_TREE_KNOMIAL, 2), NULL, 0), ALL);
}

static void
test_dead_member(void **state)
{
	struct res r;
	crt_rpc_t *rpc;

	/* rank 9 has an address nobody listens on: the collective fails, once */
	assert_int_equal(
		crt_group_primary_rank_add(g_ctx[0], NULL, 9, "ofi+tcp;ofi_rxm://127.0.0.1:1"), 0);
	r = run_tmo(crt_tree_topo(CRT_TREE_KNOMIAL, 2), NULL, 0, 1500);
	assert_int_not_equal(r.rc, 0);
	/* the live members still ran their handler */
	assert_int_equal(g_runs[4], 1);
	assert_int_equal(crt_group_rank_remove(NULL, 9), 0);
	/* bad arguments */
	assert_int_equal(
		crt_corpc_req_create(g_ctx[NRANKS], NULL, NULL, C_OPC, NULL, NULL, 0, 0, &rpc),
		-DER_INVAL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_trees),
		cmocka_unit_test(test_filters),
		cmocka_unit_test(test_failing_child),
		cmocka_unit_test(test_dead_member),
	};

	return cmocka_run_group_tests_name("cart_corpc", tests, setup, teardown);
}
