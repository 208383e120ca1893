/**
 * Malformed messages fed straight into a context's receive path: runts,
 * bad magic, lying lengths, unterminated URIs, bad collective prefixes,
 * absurd large-message descriptors, and random mutations of a valid
 * request. Nothing may crash or read out of bounds (run under ASan);
 * afterwards the context must still serve a normal RPC.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include "../crt_internal.h"

#define W_OPC CRT_PROTO_OPC(0xE4000000U, 1, 0)

/* clang-format off */
#define W_ISEQ ((d_iov_t)(w_data) CRT_VAR) ((d_string_t)(w_name) CRT_VAR) ((uint32_t)(w_arr) CRT_ARRAY)
#define W_OSEQ ((int32_t)(w_rc) CRT_VAR)
CRT_RPC_DECLARE(w_ping, W_ISEQ, W_OSEQ)
CRT_RPC_DEFINE(w_ping, W_ISEQ, W_OSEQ)
/* clang-format on */

static int g_handled;

static void
w_handler(crt_rpc_t *rpc)
{
	struct w_ping_out *out = crt_reply_get(rpc);

	g_handled++;
	out->w_rc = 0;
	crt_reply_send(rpc);
}

static struct crt_proto_rpc_format w_rpcs[] = {{.prf_req_fmt = &CQF_w_ping, .prf_hdlr = w_handler}};
static struct crt_proto_format w_proto = {.cpf_name = "wire",
					  .cpf_ver = 1,
					  .cpf_count = 1,
					  .cpf_prf = w_rpcs,
					  .cpf_base = 0xE4000000U};

static struct crt_context *g_ctx;

static void
feed(const void *msg, size_t len)
{
	/* a private copy of exactly len bytes, so ASan sees any overread */
	char *copy = malloc(len ? len : 1);

	memcpy(copy, msg, len);
	pthread_mutex_lock(&g_ctx->cc_lock);
	crt_msg_recv(g_ctx, copy, len);
	pthread_mutex_unlock(&g_ctx->cc_lock);
	free(copy);
}

/* A valid request to ourselves: header, our URI, packed input. */
static char *
valid_request(size_t *len)
{
	struct w_ping_in in = {0};
	uint32_t arr[3] = {1, 2, 3};
	void *body;
	size_t blen, ulen = strlen(g_ctx->cc_uri) + 1, off = crt_msg_body_off(ulen);
	struct crt_msg_hdr *hdr;
	char *msg;

	d_iov_set(&in.w_data, "payload", 7);
	in.w_name = "name";
	in.w_arr.ca_count = 3;
	in.w_arr.ca_arrays = arr;
	assert_int_equal(crt_proc_pack(CQF_w_ping.crf_proc_in, &in, &body, &blen), 0);
	msg = calloc(1, off + blen);
	hdr = (struct crt_msg_hdr *)msg;
	hdr->mh_magic = CRT_MSG_MAGIC;
	hdr->mh_kind = CRT_MSG_REQ;
	hdr->mh_opc = W_OPC;
	hdr->mh_rpc_id = 12345;
	hdr->mh_uri_len = ulen;
	hdr->mh_body_len = blen;
	memcpy(msg + sizeof(*hdr), g_ctx->cc_uri, ulen);
	memcpy(msg + off, body, blen);
	free(body);
	*len = off + blen;
	return msg;
}

static void
drain(void)
{
	int i;

	for (i = 0; i < 50; i++)
		crt_progress(g_ctx, 1000);
}

static void
test_malformed(void **state)
{
	struct crt_msg_hdr hdr = {.mh_magic = CRT_MSG_MAGIC, .mh_kind = CRT_MSG_REQ};
	size_t len, i;
	char *msg = valid_request(&len);
	char *bad;
	struct crt_msg_hdr *h;

	/* the valid one is handled */
	feed(msg, len);
	drain();
	assert_int_equal(g_handled, 1);

	feed(&hdr, 3); /* runt */
	hdr.mh_magic = 0xdeadbeef;
	feed(&hdr, sizeof(hdr)); /* bad magic */
	hdr.mh_magic = CRT_MSG_MAGIC;
	hdr.mh_kind = 9;
	feed(&hdr, sizeof(hdr)); /* bad kind */
	hdr.mh_kind = CRT_MSG_REQ;
	hdr.mh_uri_len = 100000;
	feed(&hdr, sizeof(hdr)); /* URI longer than the message */
	hdr.mh_kind = CRT_MSG_REPLY;
	hdr.mh_rpc_id = 777;
	feed(&hdr, sizeof(hdr)); /* reply nobody waits for */
	hdr.mh_kind = CRT_MSG_ACK;
	feed(&hdr, sizeof(hdr)); /* ACK with a bad URI length */

	bad = malloc(len);
	h = (struct crt_msg_hdr *)bad;
	/* URI without its NUL */
	memcpy(bad, msg, len);
	bad[sizeof(*h) + h->mh_uri_len - 1] = 'x';
	feed(bad, len);
	/* body length larger and smaller than what arrived */
	memcpy(bad, msg, len);
	h->mh_body_len += 1;
	feed(bad, len);
	h->mh_body_len -= 2;
	feed(bad, len);
	/* every truncation */
	for (i = 0; i < len; i++) {
		memcpy(bad, msg, len);
		feed(bad, i);
	}
	/* collective prefix that lies */
	memcpy(bad, msg, len);
	h->mh_flags = CRT_MSG_FLAG_CORPC;
	feed(bad, len);
	/* large-message descriptor with an absurd length */
	{
		size_t off = crt_msg_body_off(h->mh_uri_len);
		uint64_t desc[3] = {0, 1ULL << 40, 0};

		memcpy(bad, msg, off);
		h->mh_flags = CRT_MSG_FLAG_LARGE;
		h->mh_body_len = sizeof(desc);
		memcpy(bad + off, desc, sizeof(desc));
		feed(bad, off + sizeof(desc));
	}
	drain();
	assert_int_equal(g_handled, 1);

	/* random mutations of the body and header (not the URI, to keep replies local) */
	srand(7);
	for (i = 0; i < 3000; i++) {
		int k;

		memcpy(bad, msg, len);
		for (k = 0; k < 1 + rand() % 3; k++) {
			size_t pos = rand() % len;

			if (pos >= sizeof(*h) && pos < crt_msg_body_off(h->mh_uri_len))
				continue;
			bad[pos] = (char)(rand() % 3 == 0 ? 0xff : rand());
		}
		/* never claim to be large: that would make us RMA-read garbage addresses */
		h->mh_flags &= ~CRT_MSG_FLAG_LARGE;
		feed(bad, len);
		if (i % 100 == 0)
			drain();
	}
	drain();
	print_message("%d of 3000 mutated requests were still valid\n", g_handled - 1);
	free(bad);
	free(msg);
}

/* Append \a msg as one record of a batch being built in \a buf at \a *off. */
static void
batch_add(char *buf, size_t *off, const void *msg, uint32_t len)
{
	uint32_t rec[2] = {len, 0};

	memcpy(buf + *off, rec, sizeof(rec));
	memcpy(buf + *off + sizeof(rec), msg, len);
	*off += sizeof(rec) + D_ALIGNUP(len, 8);
}

static char *
make_batch(char *msg, size_t len, int n, size_t *blen)
{
	size_t cap = sizeof(struct crt_msg_hdr) + n * (8 + D_ALIGNUP(len, 8)), off;
	char *b = calloc(1, cap);
	struct crt_msg_hdr *h = (struct crt_msg_hdr *)b;
	int i;

	h->mh_magic = CRT_MSG_MAGIC;
	h->mh_kind = CRT_MSG_BATCH;
	off = sizeof(*h);
	for (i = 0; i < n; i++)
		batch_add(b, &off, msg, len);
	h->mh_body_len = off - sizeof(*h);
	*blen = off;
	return b;
}

static void
test_batch(void **state)
{
	size_t len, blen, i;
	char *msg = valid_request(&len);
	char *b, *bad;
	struct crt_msg_hdr *h;
	uint32_t *rec;
	int base;

	/* three requests in one batch: three handler calls */
	b = make_batch(msg, len, 3, &blen);
	base = g_handled;
	feed(b, blen);
	drain();
	assert_int_equal(g_handled, base + 3);

	bad = malloc(blen);
	h = (struct crt_msg_hdr *)bad;
	rec = (uint32_t *)(bad + sizeof(*h));
	/* the header lies about the body length: nothing is delivered */
	memcpy(bad, b, blen);
	h->mh_body_len++;
	feed(bad, blen);
	/* first record longer than the batch, or shorter than a header */
	memcpy(bad, b, blen);
	rec[0] = blen;
	feed(bad, blen);
	rec[0] = 3;
	feed(bad, blen);
	drain();
	assert_int_equal(g_handled, base + 3);
	/* a bad second record: the first message still counts, the rest is dropped */
	memcpy(bad, b, blen);
	rec = (uint32_t *)(bad + sizeof(*h) + 8 + D_ALIGNUP(len, 8));
	rec[0] = 0xffffffff;
	feed(bad, blen);
	drain();
	assert_int_equal(g_handled, base + 4);
	/* a batch inside a batch is refused */
	{
		size_t nlen, off = sizeof(*h);
		char *nest = calloc(1, sizeof(*h) + 8 + D_ALIGNUP(blen, 8));
		struct crt_msg_hdr *nh = (struct crt_msg_hdr *)nest;

		nh->mh_magic = CRT_MSG_MAGIC;
		nh->mh_kind = CRT_MSG_BATCH;
		batch_add(nest, &off, b, blen);
		nlen = off;
		nh->mh_body_len = nlen - sizeof(*nh);
		feed(nest, nlen);
		free(nest);
	}
	drain();
	assert_int_equal(g_handled, base + 4);
	/* every truncation (the header's length then no longer matches) */
	for (i = 0; i < blen; i++)
		feed(b, i);
	/* and every truncation with a consistent header */
	for (i = sizeof(*h); i < blen; i++) {
		memcpy(bad, b, blen);
		h->mh_body_len = i - sizeof(*h);
		feed(bad, i);
	}
	drain();
	/* only complete leading records can have been handled */
	print_message("%d requests from truncated batches\n", g_handled - base - 4);
	/* random mutations of record lengths, headers and bodies, not of the URIs */
	srand(11);
	for (i = 0; i < 2000; i++) {
		size_t rec_sz = 8 + D_ALIGNUP(len, 8), uri_lo = sizeof(*h), pos;
		size_t uri_hi = crt_msg_body_off(((struct crt_msg_hdr *)msg)->mh_uri_len);
		int k, r;

		memcpy(bad, b, blen);
		for (k = 0; k < 1 + rand() % 3; k++) {
			pos = rand() % blen;
			if (pos >= sizeof(*h) && (pos - sizeof(*h)) % rec_sz >= 8 + uri_lo &&
			    (pos - sizeof(*h)) % rec_sz < 8 + uri_hi)
				continue;
			bad[pos] = (char)rand();
		}
		/* a descriptor would make us RMA-read garbage addresses */
		for (r = 0; r < 3; r++) {
			struct crt_msg_hdr *sub =
				(struct crt_msg_hdr *)(bad + sizeof(*h) + r * rec_sz + 8);

			sub->mh_flags &= ~CRT_MSG_FLAG_LARGE;
		}
		feed(bad, blen);
		if (i % 100 == 0)
			drain();
	}
	drain();
	free(bad);
	free(b);
	free(msg);
}

struct res {
	int calls;
	int rc;
};

static void
cb(const struct crt_cb_info *info)
{
	struct res *r = info->cci_arg;

	r->calls++;
	r->rc = info->cci_rc;
}

static int
done(void *arg)
{
	return ((struct res *)arg)->calls > 0;
}

static void
test_still_serves(void **state)
{
	struct res r = {0};
	crt_rpc_t *rpc;
	struct w_ping_in *in;

	assert_int_equal(crt_req_create(g_ctx, NULL, W_OPC, &rpc), 0);
	assert_int_equal(crt_req_set_dest_uri(rpc, g_ctx->cc_uri), 0);
	in = crt_req_get(rpc);
	in->w_name = "after";
	assert_int_equal(crt_req_send(rpc, cb, &r), 0);
	assert_int_equal(crt_progress_cond(g_ctx, 10 * 1000 * 1000, done, &r), 0);
	assert_int_equal(r.rc, 0);
}

static int
all_calls(void *arg)
{
	return ((struct res *)arg)->calls == 32;
}

static void
cb_count(const struct crt_cb_info *info)
{
	struct res *r = info->cci_arg;

	r->calls++;
	if (info->cci_rc != 0)
		r->rc = info->cci_rc;
}

/* Replies sent by handlers during one progress pass travel as batches. */
static void
test_batched_replies(void **state)
{
	struct res r = {0};
	uint64_t nbatch = g_ctx->cc_nbatch, nbatched = g_ctx->cc_nbatched;
	crt_rpc_t *rpc;
	int i, base = g_handled;

	for (i = 0; i < 32; i++) {
		assert_int_equal(crt_req_create(g_ctx, NULL, W_OPC, &rpc), 0);
		assert_int_equal(crt_req_set_dest_uri(rpc, g_ctx->cc_uri), 0);
		((struct w_ping_in *)crt_req_get(rpc))->w_name = "batch";
		assert_int_equal(crt_req_send(rpc, cb_count, &r), 0);
	}
	assert_int_equal(crt_progress_cond(g_ctx, 10 * 1000 * 1000, all_calls, &r), 0);
	assert_int_equal(r.rc, 0);
	assert_int_equal(g_handled, base + 32);
	print_message("%" PRIu64 " batches carried %" PRIu64 " messages\n",
		      g_ctx->cc_nbatch - nbatch, g_ctx->cc_nbatched - nbatched);
	assert_true(g_ctx->cc_nbatch > nbatch);
	assert_true(g_ctx->cc_nbatched - nbatched >= 2 * (g_ctx->cc_nbatch - nbatch));
}

static int
setup(void **state)
{
	crt_init_options_t opt = {.cio_provider = "ofi+tcp;ofi_rxm", .cio_interface = "lo"};
	crt_context_t ctx;

	assert_int_equal(crt_init_opt("wire", CRT_FLAG_BIT_SERVER, &opt), 0);
	assert_int_equal(crt_proto_register(&w_proto), 0);
	assert_int_equal(crt_context_create(&ctx), 0);
	g_ctx = ctx;
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
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_batch),
		cmocka_unit_test(test_still_serves),
		cmocka_unit_test(test_batched_replies),
	};

	return cmocka_run_group_tests_name("cart_wire", tests, setup, teardown);
}
