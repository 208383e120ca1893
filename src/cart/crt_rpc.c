/**
 * RPC life cycle. Origin: create, pack the input at send time, take a
 * credit of the destination peer (or queue), send, match the reply by
 * request id, complete exactly once (reply, error, timeout or abort).
 * Target: validate and decode a request, run its handler, pack and send
 * the reply (or an error reply when the handler never replies).
 */
#define D_LOGFAC DD_FAC(rpc)

#include "crt_internal.h"

#define RPC_PRIV(req) container_of(req, struct crt_rpc_priv, crp_pub)

static inline d_list_t *
crt_id_bucket(struct crt_context *ctx, uint64_t id)
{
	return &ctx->cc_id_hash[id & ((1 << CRT_ID_HASH_BITS) - 1)];
}

static struct crt_rpc_priv *
crt_rpc_alloc(struct crt_context *ctx, struct crt_opc_info *info, bool srv)
{
	struct crt_req_format *fmt = info->coi_fmt;
	size_t head = D_ALIGNUP(sizeof(struct crt_rpc_priv), 16);
	size_t in = fmt ? D_ALIGNUP(fmt->crf_size_in, 16) : 0;
	size_t out = fmt ? D_ALIGNUP(fmt->crf_size_out, 16) : 0;
	struct crt_rpc_priv *rpc;

	D_ALLOC(rpc, head + in + out);
	if (rpc == NULL)
		return NULL;
	D_INIT_LIST_HEAD(&rpc->crp_hash_link);
	D_INIT_LIST_HEAD(&rpc->crp_tmo_link);
	atomic_init(&rpc->crp_refcount, 1);
	rpc->crp_ctx = ctx;
	rpc->crp_opc_info = info;
	rpc->crp_srv = srv;
	rpc->crp_no_reply = (info->coi_flags & CRT_RPC_FEAT_NO_REPLY) != 0;
	rpc->crp_timeout_ms = crt_gdata.cg_timeout * 1000;
	rpc->crp_pub.cr_ctx = ctx;
	rpc->crp_pub.cr_opc = info->coi_opc;
	rpc->crp_pub.cr_input_size = fmt ? fmt->crf_size_in : 0;
	rpc->crp_pub.cr_output_size = fmt ? fmt->crf_size_out : 0;
	if (fmt != NULL && fmt->crf_size_in > 0)
		rpc->crp_pub.cr_input = (char *)rpc + head;
	if (fmt != NULL && fmt->crf_size_out > 0)
		rpc->crp_pub.cr_output = (char *)rpc + head + in;
	return rpc;
}

static void
crt_proc_free_struct(crt_proc_cb_t cb, void *data, struct crt_rpc_priv *rpc)
{
	struct crt_proc_s p = {.cp_op = CRT_PROC_FREE, .cp_rpc = rpc};

	if (cb != NULL)
		cb(&p, data);
}

int
crt_op_post(struct crt_context *ctx, struct crt_send_op *op)
{
	ssize_t rc;

	struct crt_send_op *q;

	if (crt_op_defer_locked(ctx, op))
		return 0;
	/* behind an earlier message to the same destination: keep the order */
	d_list_for_each_entry(q, &ctx->cc_retry_list, so_link)
	{
		if (q->so_dest == op->so_dest) {
			op->so_eagain_ms = crt_now_ms();
			d_list_add_tail(&op->so_link, &ctx->cc_retry_list);
			return 0;
		}
	}
	rc = fi_tsend(ctx->cc_ep, op->so_buf, op->so_len, NULL, op->so_dest, op->so_tag, op);
	if (rc == -FI_EAGAIN) {
		op->so_eagain_ms = crt_now_ms();
		d_list_add_tail(&op->so_link, &ctx->cc_retry_list);
		return 0;
	}
	if (rc != 0)
		D_ERROR("fi_tsend: %s\n", fi_strerror((int)-rc));
	else
		crt_mark_active(ctx);
	return crt_fi2der((int)rc);
}

void
crt_op_free(struct crt_send_op *op)
{
	if (op->so_rpc != NULL)
		crt_rpc_priv_decref(op->so_rpc);
	D_FREE(op->so_buf);
	D_FREE(op);
}

struct crt_send_op *
crt_op_alloc(struct crt_context *ctx, char *buf, size_t len, uint64_t tag)
{
	struct crt_send_op *op;

	D_ALLOC_PTR(op);
	if (op == NULL)
		return NULL;
	op->so_hdr.oh_type = CRT_OP_SEND;
	op->so_ctx = ctx;
	op->so_buf = buf;
	op->so_len = len;
	op->so_tag = tag;
	D_INIT_LIST_HEAD(&op->so_link);
	D_INIT_LIST_HEAD(&op->so_subs);
	return op;
}

/* Header-only reply carrying an error; context lock held. */
static void
crt_error_reply_locked(struct crt_context *ctx, struct crt_peer *peer, uint64_t id, int err)
{
	struct crt_msg_hdr *hdr;
	struct crt_send_op *op;

	D_ALLOC_PTR(hdr);
	if (hdr == NULL)
		return;
	hdr->mh_magic = CRT_MSG_MAGIC;
	hdr->mh_kind = CRT_MSG_REPLY;
	hdr->mh_rc = err;
	hdr->mh_rpc_id = id;
	op = crt_op_alloc(ctx, (char *)hdr, sizeof(*hdr), CRT_TAG_REPLY);
	if (op == NULL) {
		D_FREE(hdr);
		return;
	}
	op->so_dest = peer->p_addr;
	if (crt_op_post(ctx, op) != 0)
		crt_op_free(op);
}

static void
crt_rpc_free(struct crt_rpc_priv *rpc)
{
	struct crt_req_format *fmt = rpc->crp_opc_info->coi_fmt;
	struct crt_context *ctx = rpc->crp_ctx;

	if (rpc->crp_srv && rpc->crp_state == RPC_STATE_RECEIVED && !rpc->crp_no_reply) {
		pthread_mutex_lock(&ctx->cc_lock);
		crt_error_reply_locked(ctx, rpc->crp_peer, rpc->crp_id, -DER_NOREPLY);
		pthread_mutex_unlock(&ctx->cc_lock);
	}
	if (rpc->crp_in_decoded)
		crt_proc_free_struct(fmt->crf_proc_in, rpc->crp_pub.cr_input, rpc);
	if (rpc->crp_out_decoded)
		crt_proc_free_struct(fmt->crf_proc_out, rpc->crp_pub.cr_output, rpc);
	if (rpc->crp_send_op != NULL) {
		rpc->crp_send_op->so_rpc = NULL;
		crt_op_free(rpc->crp_send_op);
	}
	if (rpc->crp_corpc != NULL)
		crt_corpc_free(rpc);
	D_FREE(rpc->crp_co_prefix);
	if (rpc->crp_large_mr != NULL)
		fi_close(&rpc->crp_large_mr->fid);
	D_FREE(rpc->crp_large_buf);
	D_FREE(rpc->crp_msg);
	D_FREE(rpc->crp_dest_uri);
	D_FREE(rpc);
}

void
crt_rpc_priv_decref(struct crt_rpc_priv *rpc)
{
	int old = atomic_fetch_sub(&rpc->crp_refcount, 1);

	D_ASSERT(old > 0);
	if (old == 1)
		crt_rpc_free(rpc);
}

int
crt_req_addref(crt_rpc_t *req)
{
	if (req == NULL)
		return -DER_INVAL;
	atomic_fetch_add(&RPC_PRIV(req)->crp_refcount, 1);
	return 0;
}

int
crt_req_decref(crt_rpc_t *req)
{
	if (req == NULL)
		return -DER_INVAL;
	crt_rpc_priv_decref(RPC_PRIV(req));
	return 0;
}

int
crt_req_create(crt_context_t crt_ctx, crt_endpoint_t *tgt_ep, crt_opcode_t opc, crt_rpc_t **req)
{
	struct crt_opc_info *info;
	struct crt_rpc_priv *rpc;

	if (crt_ctx == NULL || req == NULL)
		return -DER_INVAL;
	info = crt_opc_lookup(opc);
	if (info == NULL) {
		D_ERROR("opcode %#x is not registered\n", opc);
		return -DER_UNREG;
	}
	rpc = crt_rpc_alloc(crt_ctx, info, false);
	if (rpc == NULL)
		return -DER_NOMEM;
	if (tgt_ep != NULL)
		rpc->crp_pub.cr_ep = *tgt_ep;
	*req = &rpc->crp_pub;
	return 0;
}

int
crt_req_set_dest_uri(crt_rpc_t *req, const char *uri)
{
	struct crt_rpc_priv *rpc = RPC_PRIV(req);

	if (req == NULL || uri == NULL || rpc->crp_srv || rpc->crp_state != RPC_STATE_INIT)
		return -DER_INVAL;
	D_FREE(rpc->crp_dest_uri);
	rpc->crp_dest_uri = strdup(uri);
	return rpc->crp_dest_uri == NULL ? -DER_NOMEM : 0;
}

int
crt_req_set_timeout(crt_rpc_t *req, uint32_t timeout_sec)
{
	if (req == NULL)
		return -DER_INVAL;
	return crt_req_set_timeout_ms(req, timeout_sec * 1000);
}

int
crt_req_set_timeout_ms(crt_rpc_t *req, uint32_t timeout_ms)
{
	struct crt_rpc_priv *rpc;

	if (req == NULL)
		return -DER_INVAL;
	rpc = RPC_PRIV(req);
	rpc->crp_timeout_ms = timeout_ms ? timeout_ms : crt_gdata.cg_timeout * 1000;
	return 0;
}

int
crt_req_get_timeout(crt_rpc_t *req, uint32_t *timeout_sec)
{
	if (req == NULL || timeout_sec == NULL)
		return -DER_INVAL;
	*timeout_sec = (RPC_PRIV(req)->crp_timeout_ms + 999) / 1000;
	return 0;
}

int
crt_req_src_rank_get(crt_rpc_t *req, d_rank_t *rank)
{
	if (req == NULL || rank == NULL || !RPC_PRIV(req)->crp_srv)
		return -DER_INVAL;
	*rank = RPC_PRIV(req)->crp_src_rank;
	return 0;
}

int
crt_req_dst_tag_get(crt_rpc_t *req, uint32_t *tag)
{
	if (req == NULL || tag == NULL)
		return -DER_INVAL;
	*tag = RPC_PRIV(req)->crp_ctx->cc_idx;
	return 0;
}

int
crt_req_dst_rank_get(crt_rpc_t *req, d_rank_t *rank)
{
	if (req == NULL || rank == NULL)
		return -DER_INVAL;
	*rank = req->cr_ep.ep_rank;
	return 0;
}

int
crt_req_set_endpoint(crt_rpc_t *req, crt_endpoint_t *tgt_ep)
{
	if (req == NULL || tgt_ep == NULL || RPC_PRIV(req)->crp_srv ||
	    RPC_PRIV(req)->crp_state != RPC_STATE_INIT)
		return -DER_INVAL;
	req->cr_ep = *tgt_ep;
	return 0;
}

int
crt_req_src_uri_get(crt_rpc_t *req, const char **uri)
{
	if (req == NULL || uri == NULL || !RPC_PRIV(req)->crp_srv)
		return -DER_INVAL;
	*uri = RPC_PRIV(req)->crp_src_uri;
	return 0;
}

/* ---- origin side ---- */

static void
crt_rpc_cb_work(struct crt_work *w)
{
	struct crt_rpc_priv *rpc = container_of(w, struct crt_rpc_priv, crp_work);
	struct crt_cb_info info;

	if (rpc->crp_cb != NULL) {
		info.cci_rpc = &rpc->crp_pub;
		info.cci_arg = rpc->crp_cb_arg;
		info.cci_rc = rpc->crp_rc;
		rpc->crp_cb(&info);
	}
	/* the reference crt_req_send() took over */
	crt_rpc_priv_decref(rpc);
}

static void crt_rpc_post_locked(struct crt_rpc_priv *rpc);

static void
crt_peer_dispatch_locked(struct crt_context *ctx, struct crt_peer *peer)
{
	struct crt_rpc_priv *rpc;

	while (!peer->p_failing && peer->p_inflight < crt_gdata.cg_credits &&
	       !d_list_empty(&peer->p_waitq)) {
		rpc = d_list_pop_entry(&peer->p_waitq, struct crt_rpc_priv, crp_hash_link);
		crt_rpc_post_locked(rpc);
	}
}

void
crt_rpc_complete_locked(struct crt_rpc_priv *rpc, int rc)
{
	struct crt_context *ctx = rpc->crp_ctx;
	int was = rpc->crp_state;

	if (was != RPC_STATE_QUEUED && was != RPC_STATE_INFLIGHT && was != RPC_STATE_RESOLVING)
		return;
	rpc->crp_state = RPC_STATE_COMPLETED;
	rpc->crp_rc = rc;
	d_list_del_init(&rpc->crp_hash_link);
	d_list_del_init(&rpc->crp_tmo_link);
	ctx->cc_inflight--;
	if (rpc->crp_rma_exposed)
		__atomic_sub_fetch(&ctx->cc_rma_exposed, 1, __ATOMIC_RELAXED);
	if (rc != 0 && rc != -DER_CANCELED)
		D_DEBUG(DB_NET, "rpc %#x id " DF_U64 " to %u:%u failed: %d\n", rpc->crp_pub.cr_opc,
			rpc->crp_id, rpc->crp_pub.cr_ep.ep_rank, rpc->crp_pub.cr_ep.ep_tag, rc);
	if (was == RPC_STATE_QUEUED || was == RPC_STATE_RESOLVING) {
		struct crt_send_op *op = rpc->crp_send_op;

		rpc->crp_send_op = NULL;
		crt_op_free(op);
	} else {
		rpc->crp_peer->p_inflight--;
		crt_peer_dispatch_locked(ctx, rpc->crp_peer);
	}
	rpc->crp_work.w_fn = crt_rpc_cb_work;
	crt_work_add(ctx, &rpc->crp_work);
}

static void
crt_rpc_post_locked(struct crt_rpc_priv *rpc)
{
	struct crt_context *ctx = rpc->crp_ctx;
	struct crt_send_op *op = rpc->crp_send_op;
	int rc;

	rpc->crp_send_op = NULL;
	rpc->crp_state = RPC_STATE_INFLIGHT;
	/* a silent peer is probed after CRT_PROBE_MS counted from here */
	if (rpc->crp_peer->p_inflight++ == 0)
		rpc->crp_peer->p_heard_ms = crt_now_ms();
	op->so_peer = rpc->crp_peer;
	d_list_add_tail(&rpc->crp_hash_link, crt_id_bucket(ctx, rpc->crp_id));
	op->so_dest = rpc->crp_peer->p_addr;
	rc = crt_op_post(ctx, op);
	if (rc != 0) {
		crt_op_free(op);
		crt_rpc_complete_locked(rpc, rc);
	}
}

static void
crt_send_fail(struct crt_rpc_priv *rpc, int rc)
{
	struct crt_cb_info info = {
		.cci_rpc = &rpc->crp_pub, .cci_arg = rpc->crp_cb_arg, .cci_rc = rc};

	rpc->crp_state = RPC_STATE_COMPLETED;
	rpc->crp_rc = rc;
	if (rpc->crp_cb != NULL)
		rpc->crp_cb(&info);
	crt_rpc_priv_decref(rpc);
}

int
crt_req_send(crt_rpc_t *req, crt_cb_t complete_cb, void *arg)
{
	struct crt_rpc_priv *rpc;
	struct crt_context *ctx;
	struct crt_req_format *fmt;
	struct crt_proc_s p = {.cp_op = CRT_PROC_ENCODE};
	struct crt_msg_hdr *hdr;
	struct crt_send_op *op;
	struct crt_peer *peer;
	char *uri = NULL;
	uint32_t uri_len;
	int rc;

	if (req == NULL)
		return -DER_INVAL;
	rpc = RPC_PRIV(req);
	if (rpc->crp_srv || rpc->crp_state != RPC_STATE_INIT) {
		D_ERROR("rpc %#x cannot be sent twice or from the target side\n", req->cr_opc);
		return -DER_INVAL;
	}
	ctx = rpc->crp_ctx;
	fmt = rpc->crp_opc_info->coi_fmt;
	rpc->crp_cb = complete_cb;
	rpc->crp_cb_arg = arg;
	p.cp_rpc = rpc;

	uri_len = strlen(ctx->cc_uri) + 1;
	/* one allocation of the right size instead of a chain of reallocs */
	rc = crt_proc_reserve(&p, max(crt_msg_body_off(uri_len),
				      (size_t)__atomic_load_n(&rpc->crp_opc_info->coi_in_hint,
							      __ATOMIC_RELAXED)));
	if (rc != 0)
		goto fail;
	memset(p.cp_buf, 0, crt_msg_body_off(uri_len));
	p.cp_off = crt_msg_body_off(uri_len);
	if (rpc->crp_co_prefix != NULL) {
		/* the tree below uses the origin's timeout */
		((uint32_t *)rpc->crp_co_prefix)[4] = rpc->crp_timeout_ms;
		rc = crt_proc_memcpy(&p, CRT_PROC_ENCODE, rpc->crp_co_prefix,
				     rpc->crp_co_prefix_len);
		if (rc != 0)
			goto fail;
	}
	if (rpc->crp_raw_body != NULL) {
		rc = crt_proc_memcpy(&p, CRT_PROC_ENCODE, (void *)rpc->crp_raw_body,
				     rpc->crp_raw_len);
		if (rc != 0)
			goto fail;
	} else if (fmt != NULL && fmt->crf_proc_in != NULL) {
		rc = fmt->crf_proc_in(&p, req->cr_input);
		if (rc != 0) {
			D_ERROR("rpc %#x: packing the input failed: %d\n", req->cr_opc, rc);
			goto fail;
		}
	}
	if (p.cp_off > CRT_LARGE_MAX) {
		D_ERROR("rpc %#x: input of %zu bytes is too large, use bulk\n", req->cr_opc,
			p.cp_off);
		D_GOTO(fail, rc = -DER_OVERFLOW);
	}
	if (p.cp_off <= CRT_MSG_MAX)
		__atomic_store_n(&rpc->crp_opc_info->coi_in_hint, (uint32_t)p.cp_off,
				 __ATOMIC_RELAXED);
	rpc->crp_id = atomic_fetch_add(&ctx->cc_next_id, 1);
	hdr = (struct crt_msg_hdr *)p.cp_buf;
	hdr->mh_rpc_id = rpc->crp_id;
	hdr->mh_magic = CRT_MSG_MAGIC;
	hdr->mh_kind = CRT_MSG_REQ;
	hdr->mh_flags = rpc->crp_no_reply ? CRT_MSG_FLAG_NO_REPLY : 0;
	if (rpc->crp_co_prefix != NULL)
		hdr->mh_flags |= CRT_MSG_FLAG_CORPC;
	hdr->mh_opc = req->cr_opc;
	hdr->mh_src_rank = crt_grp_self_rank();
	hdr->mh_dst_tag = req->cr_ep.ep_tag;
	hdr->mh_uri_len = uri_len;
	hdr->mh_body_len = (uint32_t)(p.cp_off - crt_msg_body_off(uri_len));
	memcpy(p.cp_buf + sizeof(*hdr), ctx->cc_uri, uri_len);
	if (p.cp_off > CRT_MSG_MAX) {
		rc = crt_large_wrap(&p.cp_buf, &p.cp_off, crt_msg_body_off(uri_len),
				    &rpc->crp_large_buf, &rpc->crp_large_mr);
		if (rc != 0)
			goto fail;
	}

	if (rpc->crp_dest_uri != NULL) {
		uri = strdup(rpc->crp_dest_uri);
		if (uri == NULL)
			D_GOTO(fail, rc = -DER_NOMEM);
	} else {
		rc = crt_grp_uri_lookup(req->cr_ep.ep_grp, req->cr_ep.ep_rank, req->cr_ep.ep_tag,
					&uri);
		if (rc == -DER_NONEXIST && req->cr_ep.ep_tag > 0) {
			/* known rank, unknown context: ask the rank first */
			uri = NULL;
			rc = 0;
		}
		if (rc != 0) {
			D_ERROR("no address for rank %u tag %u: %d\n", req->cr_ep.ep_rank,
				req->cr_ep.ep_tag, rc);
			goto fail;
		}
	}
	op = crt_op_alloc(ctx, p.cp_buf, p.cp_off, CRT_TAG_REQ);
	if (op == NULL)
		D_GOTO(fail, rc = -DER_NOMEM);
	p.cp_buf = NULL;

	pthread_mutex_lock(&ctx->cc_lock);
	if (ctx->cc_closing) {
		pthread_mutex_unlock(&ctx->cc_lock);
		crt_op_free(op);
		D_GOTO(fail, rc = -DER_SHUTDOWN);
	}
	peer = uri != NULL ? crt_peer_get(ctx, uri) : NULL;
	if (uri != NULL && peer == NULL) {
		pthread_mutex_unlock(&ctx->cc_lock);
		crt_op_free(op);
		D_GOTO(fail, rc = -DER_UNREACH);
	}
	atomic_fetch_add(&rpc->crp_refcount, 1);
	op->so_rpc = rpc;
	op->so_rpc_id = rpc->crp_id;
	rpc->crp_send_op = op;
	if (rpc->crp_opc_info->coi_flags & CRT_RPC_FEAT_NO_TIMEOUT)
		rpc->crp_deadline = UINT64_MAX;
	else
		rpc->crp_deadline = crt_now_ms() + rpc->crp_timeout_ms;
	if (rpc->crp_deadline < ctx->cc_next_deadline)
		ctx->cc_next_deadline = rpc->crp_deadline;
	d_list_add_tail(&rpc->crp_tmo_link, &ctx->cc_tmo_list);
	ctx->cc_inflight++;
	if (rpc->crp_rma_exposed)
		__atomic_add_fetch(&ctx->cc_rma_exposed, 1, __ATOMIC_RELAXED);
	if (peer != NULL) {
		crt_rpc_start_locked(rpc, peer);
		pthread_mutex_unlock(&ctx->cc_lock);
	} else {
		rpc->crp_state = RPC_STATE_RESOLVING;
		pthread_mutex_unlock(&ctx->cc_lock);
		crt_uri_lookup_start(rpc);
	}
	free(uri);
	return 0;

fail:
	free(uri);
	free(p.cp_buf);
	crt_send_fail(rpc, rc);
	return rc;
}

void
crt_rpc_start_locked(struct crt_rpc_priv *rpc, struct crt_peer *peer)
{
	rpc->crp_peer = peer;
	if (peer->p_inflight < crt_gdata.cg_credits && d_list_empty(&peer->p_waitq)) {
		crt_rpc_post_locked(rpc);
	} else {
		rpc->crp_state = RPC_STATE_QUEUED;
		if (rpc->crp_opc_info->coi_flags & CRT_RPC_FEAT_QUEUE_FRONT)
			d_list_add(&rpc->crp_hash_link, &peer->p_waitq);
		else
			d_list_add_tail(&rpc->crp_hash_link, &peer->p_waitq);
	}
}

int
crt_req_abort(crt_rpc_t *req)
{
	struct crt_rpc_priv *rpc;
	struct crt_context *ctx;

	if (req == NULL)
		return -DER_INVAL;
	rpc = RPC_PRIV(req);
	if (rpc->crp_srv)
		return -DER_INVAL;
	ctx = rpc->crp_ctx;
	pthread_mutex_lock(&ctx->cc_lock);
	crt_rpc_complete_locked(rpc, -DER_CANCELED);
	pthread_mutex_unlock(&ctx->cc_lock);
	return 0;
}

void
crt_send_complete(struct crt_context *ctx, struct crt_send_op *op, int rc)
{
	struct crt_rpc_priv *rpc = op->so_rpc;
	struct crt_send_op *sub;

	if (op->so_nsub > 0) {
		while ((sub = d_list_pop_entry(&op->so_subs, struct crt_send_op, so_link)) != NULL)
			crt_send_complete(ctx, sub, rc);
		crt_op_free(op);
		return;
	}
	if (rpc != NULL && rpc->crp_state == RPC_STATE_INFLIGHT && rpc->crp_id == op->so_rpc_id) {
		if (rc != 0)
			crt_rpc_complete_locked(rpc, rc);
		else if (rpc->crp_no_reply)
			crt_rpc_complete_locked(rpc, 0);
	} else if (rc != 0 && rpc == NULL) {
		D_DEBUG(DB_NET, "reply send failed: %d\n", rc);
	}
	if (rc != 0 && op->so_peer != NULL)
		crt_peer_unreachable_locked(ctx, op->so_peer, rc);
	crt_op_free(op);
}

/*
 * rxm answers -FI_EAGAIN while it (re)connects, and keeps reconnecting to a
 * peer whose process is gone (connection refused) without ever failing the
 * send. A message stuck that long to a peer that has been silent as long
 * means the peer is unreachable (crt_health.c).
 */
static bool
crt_send_stuck(struct crt_send_op *op, uint64_t now)
{
	uint32_t limit = crt_gdata.cg_probe_ms;

	return limit > 0 && op->so_peer != NULL && op->so_eagain_ms != 0 &&
	       now - op->so_eagain_ms >= limit && now - op->so_peer->p_heard_ms >= limit;
}

#define CRT_RETRY_DEST_MAX 16

/*
 * Retry sends that met -FI_EAGAIN. One destination pushing back (or being
 * unreachable) must not hold up the others: the walk skips the later
 * messages of a blocked destination, which keeps each destination's order.
 */
void
crt_retry_sends(struct crt_context *ctx)
{
	fi_addr_t blocked[CRT_RETRY_DEST_MAX], failing[CRT_RETRY_DEST_MAX];
	int nblocked = 0, nfailing = 0, i;
	struct crt_send_op *op, *tmp;
	uint64_t now;
	d_list_t failed;
	ssize_t rc;

	if (d_list_empty(&ctx->cc_retry_list))
		return;
	now = crt_now_ms();
	D_INIT_LIST_HEAD(&failed);
	d_list_for_each_entry_safe(op, tmp, &ctx->cc_retry_list, so_link)
	{
		for (i = 0; i < nfailing && failing[i] != op->so_dest; i++)
			;
		if (i < nfailing) {
			d_list_move_tail(&op->so_link, &failed);
			continue;
		}
		for (i = 0; i < nblocked && blocked[i] != op->so_dest; i++)
			;
		if (i < nblocked)
			continue;
		rc = fi_tsend(ctx->cc_ep, op->so_buf, op->so_len, NULL, op->so_dest, op->so_tag,
			      op);
		if (rc == -FI_EAGAIN) {
			if (crt_send_stuck(op, now) && nfailing < CRT_RETRY_DEST_MAX) {
				failing[nfailing++] = op->so_dest;
				d_list_move_tail(&op->so_link, &failed);
				continue;
			}
			if (nblocked == CRT_RETRY_DEST_MAX)
				break;
			blocked[nblocked++] = op->so_dest;
			continue;
		}
		d_list_del_init(&op->so_link);
		if (rc != 0)
			crt_send_complete(ctx, op, crt_fi2der((int)rc));
	}
	while ((op = d_list_pop_entry(&failed, struct crt_send_op, so_link)) != NULL) {
		D_DEBUG(DB_NET, "send to %s stuck for " DF_U64 " ms\n",
			op->so_peer != NULL ? op->so_peer->p_uri : "?", now - op->so_eagain_ms);
		crt_send_complete(ctx, op, -DER_UNREACH);
	}
}

void
crt_check_timeouts(struct crt_context *ctx)
{
	struct crt_rpc_priv *rpc;
	d_list_t *pos, *tmp;
	uint64_t now = crt_now_ms(), next = UINT64_MAX;

	if (now < ctx->cc_next_deadline)
		return;
	next = crt_large_expire(ctx, false);
	d_list_for_each_safe(pos, tmp, &ctx->cc_tmo_list)
	{
		rpc = d_list_entry(pos, struct crt_rpc_priv, crp_tmo_link);
		if (rpc->crp_deadline <= now)
			crt_rpc_complete_locked(rpc, -DER_TIMEDOUT);
		else if (rpc->crp_deadline < next)
			next = rpc->crp_deadline;
	}
	ctx->cc_next_deadline = next;
}

struct crt_rpc_priv *
crt_rpc_lookup_locked(struct crt_context *ctx, uint64_t id)
{
	d_list_t *pos;

	d_list_for_each(pos, crt_id_bucket(ctx, id))
	{
		struct crt_rpc_priv *r = d_list_entry(pos, struct crt_rpc_priv, crp_hash_link);

		if (r->crp_id == id)
			return r;
	}
	return NULL;
}

static void
crt_reply_recv(struct crt_context *ctx, struct crt_msg_hdr *hdr, char *buf, size_t len)
{
	struct crt_rpc_priv *rpc = NULL;
	struct crt_req_format *fmt;
	d_list_t *pos;
	size_t off = crt_msg_body_off(0);
	int rc = hdr->mh_rc;

	d_list_for_each(pos, crt_id_bucket(ctx, hdr->mh_rpc_id))
	{
		struct crt_rpc_priv *r = d_list_entry(pos, struct crt_rpc_priv, crp_hash_link);

		if (r->crp_id == hdr->mh_rpc_id) {
			rpc = r;
			break;
		}
	}
	if (rpc == NULL || rpc->crp_state != RPC_STATE_INFLIGHT) {
		D_DEBUG(DB_NET, "dropping reply " DF_U64 " of a completed RPC\n", hdr->mh_rpc_id);
		return;
	}
	crt_peer_heard(rpc->crp_peer);
	if (rc > 0)
		rc = -DER_PROTO;
	fmt = rpc->crp_opc_info->coi_fmt;
	if (rc == 0 && (hdr->mh_uri_len != 0 || off > len || hdr->mh_body_len != len - off))
		rc = -DER_PROTO;
	if (rc == 0 && fmt != NULL && fmt->crf_proc_out != NULL) {
		struct crt_proc_s p = {
			.cp_op = CRT_PROC_DECODE, .cp_len = hdr->mh_body_len, .cp_rpc = rpc};

		rpc->crp_msg = malloc(hdr->mh_body_len ? hdr->mh_body_len : 1);
		if (rpc->crp_msg == NULL) {
			rc = -DER_NOMEM;
		} else {
			memcpy(rpc->crp_msg, buf + off, hdr->mh_body_len);
			p.cp_buf = rpc->crp_msg;
			rc = fmt->crf_proc_out(&p, rpc->crp_pub.cr_output);
			if (rc == 0 && p.cp_off != p.cp_len)
				rc = -DER_PROTO;
			if (rc != 0) {
				D_ERROR("rpc %#x: bad reply: %d\n", rpc->crp_pub.cr_opc, rc);
				crt_proc_free_struct(fmt->crf_proc_out, rpc->crp_pub.cr_output,
						     rpc);
				memset(rpc->crp_pub.cr_output, 0, rpc->crp_pub.cr_output_size);
			} else {
				rpc->crp_out_decoded = true;
			}
		}
	}
	crt_rpc_complete_locked(rpc, rc);
}

/* ---- target side ---- */

static void
crt_rpc_handler_work(struct crt_work *w)
{
	crt_rpc_dispatch(container_of(w, struct crt_rpc_priv, crp_work));
}

/* Runs the handler, then drops the reference the dispatch handed over. */
static void
crt_rpc_real_hdlr(void *arg)
{
	struct crt_rpc_priv *rpc = arg;

	rpc->crp_opc_info->coi_handler(&rpc->crp_pub);
	crt_rpc_priv_decref(rpc);
}

void
crt_rpc_dispatch(struct crt_rpc_priv *rpc)
{
	struct crt_context *ctx = rpc->crp_ctx;
	int rc;

	if (ctx->cc_rpc_cb == NULL) {
		crt_rpc_real_hdlr(rpc);
		return;
	}
	/* e.g. the engine runs the handler in a new ULT */
	rc = ctx->cc_rpc_cb(&rpc->crp_pub.cr_ctx, rpc, crt_rpc_real_hdlr, ctx->cc_rpc_cb_arg);
	if (rc != 0) {
		D_ERROR("opcode %#x: the RPC task callback failed: %d\n", rpc->crp_pub.cr_opc, rc);
		if (!rpc->crp_no_reply)
			crt_reply_send_rc(&rpc->crp_pub, rc);
		crt_rpc_priv_decref(rpc);
	}
}

int
crt_context_register_rpc_task(crt_context_t crt_ctx, crt_rpc_task_t process_cb,
			      crt_rpc_task_t iv_resp_cb, void *arg)
{
	struct crt_context *ctx = crt_ctx;

	if (ctx == NULL || process_cb == NULL)
		return -DER_INVAL;
	ctx->cc_rpc_cb = process_cb;
	ctx->cc_rpc_cb_arg = arg;
	return 0;
}

static void
crt_req_recv(struct crt_context *ctx, struct crt_msg_hdr *hdr, char *buf, size_t len)
{
	struct crt_opc_info *info;
	struct crt_rpc_priv *rpc;
	struct crt_peer *peer;
	struct crt_req_format *fmt;
	const char *uri = buf + sizeof(*hdr);
	size_t off;
	bool no_reply = hdr->mh_flags & CRT_MSG_FLAG_NO_REPLY;
	size_t co_off = 0;
	int rc;

	if (hdr->mh_uri_len == 0 || hdr->mh_uri_len > CRT_ADDR_STR_MAX_LEN)
		goto bad;
	off = crt_msg_body_off(hdr->mh_uri_len);
	if (off > len || hdr->mh_body_len != len - off || uri[hdr->mh_uri_len - 1] != '\0' ||
	    strlen(uri) + 1 != hdr->mh_uri_len)
		goto bad;
	peer = crt_peer_get(ctx, uri);
	if (peer == NULL) {
		D_ERROR("cannot reach the origin %s\n", uri);
		return;
	}
	crt_peer_heard(peer);
	info = crt_opc_lookup(hdr->mh_opc);
	if (info == NULL || info->coi_handler == NULL) {
		D_DEBUG(DB_NET, "opcode %#x has no handler here\n", hdr->mh_opc);
		if (!no_reply)
			crt_error_reply_locked(ctx, peer, hdr->mh_rpc_id, -DER_UNREG);
		return;
	}
	rpc = crt_rpc_alloc(ctx, info, true);
	if (rpc == NULL) {
		if (!no_reply)
			crt_error_reply_locked(ctx, peer, hdr->mh_rpc_id, -DER_DOS);
		return;
	}
	rpc->crp_state = RPC_STATE_RECEIVED;
	rpc->crp_no_reply = no_reply;
	rpc->crp_id = hdr->mh_rpc_id;
	rpc->crp_peer = peer;
	rpc->crp_src_rank = hdr->mh_src_rank;
	rpc->crp_pub.cr_ep.ep_rank = crt_grp_self_rank();
	rpc->crp_pub.cr_ep.ep_tag = ctx->cc_idx;
	/* the peer lives as long as the context: no copy per request */
	rpc->crp_src_uri = peer->p_uri;
	rpc->crp_msg = malloc(hdr->mh_body_len ? hdr->mh_body_len : 1);
	if (rpc->crp_msg == NULL) {
		rc = -DER_DOS;
		goto err_rpc;
	}
	memcpy(rpc->crp_msg, buf + off, hdr->mh_body_len);
	fmt = info->coi_fmt;
	if (hdr->mh_flags & CRT_MSG_FLAG_CORPC) {
		rc = crt_corpc_parse(rpc, hdr->mh_body_len, &co_off);
		if (rc != 0) {
			D_ERROR("opcode %#x from %s: bad collective header\n", hdr->mh_opc, uri);
			goto err_rpc;
		}
	}
	if (fmt != NULL && fmt->crf_proc_in != NULL) {
		struct crt_proc_s p = {.cp_op = CRT_PROC_DECODE,
				       .cp_buf = rpc->crp_msg,
				       .cp_len = hdr->mh_body_len,
				       .cp_off = co_off,
				       .cp_rpc = rpc};

		rc = fmt->crf_proc_in(&p, rpc->crp_pub.cr_input);
		if (rc == 0 && p.cp_off != p.cp_len)
			rc = -DER_PROTO;
		if (rc != 0) {
			D_ERROR("opcode %#x from %s: bad input: %d\n", hdr->mh_opc, uri, rc);
			crt_proc_free_struct(fmt->crf_proc_in, rpc->crp_pub.cr_input, rpc);
			goto err_rpc;
		}
		rpc->crp_in_decoded = true;
	}
	rpc->crp_work.w_fn = rpc->crp_corpc != NULL ? crt_corpc_handler_work : crt_rpc_handler_work;
	crt_work_add(ctx, &rpc->crp_work);
	return;

err_rpc:
	if (!no_reply)
		crt_error_reply_locked(ctx, peer, hdr->mh_rpc_id, rc);
	rpc->crp_state = RPC_STATE_REPLIED;
	crt_rpc_priv_decref(rpc);
	return;
bad:
	D_ERROR("dropping a malformed request (%zu bytes)\n", len);
}

void
crt_msg_recv(struct crt_context *ctx, char *buf, size_t len)
{
	struct crt_msg_hdr hdr;

	if (len < sizeof(hdr)) {
		D_ERROR("dropping a runt message of %zu bytes\n", len);
		return;
	}
	memcpy(&hdr, buf, sizeof(hdr));
	if (hdr.mh_magic != CRT_MSG_MAGIC) {
		D_ERROR("dropping a message with bad magic %#x\n", hdr.mh_magic);
		return;
	}
	if (hdr.mh_flags & CRT_MSG_FLAG_LARGE)
		crt_large_recv(ctx, &hdr, buf, len);
	else if (hdr.mh_kind == CRT_MSG_REQ)
		crt_req_recv(ctx, &hdr, buf, len);
	else if (hdr.mh_kind == CRT_MSG_BATCH)
		crt_batch_recv(ctx, buf, len);
	else if (hdr.mh_kind == CRT_MSG_PROBE)
		D_DEBUG(DB_NET, "probe received\n");
	else if (hdr.mh_kind == CRT_MSG_ACK)
		crt_large_ack(ctx, &hdr, buf, len);
	else if (hdr.mh_kind == CRT_MSG_REPLY)
		crt_reply_recv(ctx, &hdr, buf, len);
	else
		D_ERROR("dropping a message of kind %u\n", hdr.mh_kind);
}

int
crt_reply_send(crt_rpc_t *req)
{
	struct crt_rpc_priv *rpc;

	if (req == NULL)
		return -DER_INVAL;
	rpc = RPC_PRIV(req);
	if (!rpc->crp_srv)
		return -DER_INVAL;
	if (rpc->crp_no_reply)
		return -DER_PROTO;
	if (rpc->crp_corpc != NULL)
		return crt_corpc_local_reply(rpc);
	return crt_reply_send_rc(req, 0);
}

int
crt_reply_send_rc(crt_rpc_t *req, int hdr_rc)
{
	struct crt_rpc_priv *rpc;
	struct crt_context *ctx;
	struct crt_req_format *fmt;
	struct crt_proc_s p = {.cp_op = CRT_PROC_ENCODE};
	struct crt_msg_hdr *hdr;
	struct crt_send_op *op;
	char *large = NULL;
	struct fid_mr *large_mr = NULL;
	int rc;

	if (req == NULL)
		return -DER_INVAL;
	rpc = RPC_PRIV(req);
	if (!rpc->crp_srv)
		return -DER_INVAL;
	if (rpc->crp_no_reply)
		return -DER_PROTO;
	ctx = rpc->crp_ctx;
	fmt = rpc->crp_opc_info->coi_fmt;
	p.cp_rpc = rpc;
	rc = crt_proc_reserve(
		&p, max(sizeof(*hdr), (size_t)__atomic_load_n(&rpc->crp_opc_info->coi_out_hint,
							      __ATOMIC_RELAXED)));
	if (rc != 0)
		return rc;
	memset(p.cp_buf, 0, sizeof(*hdr));
	p.cp_off = sizeof(*hdr);
	if (hdr_rc == 0 && fmt != NULL && fmt->crf_proc_out != NULL)
		rc = fmt->crf_proc_out(&p, req->cr_output);
	else
		rc = hdr_rc;
	if (rc == 0 && p.cp_off > CRT_LARGE_MAX)
		rc = -DER_OVERFLOW;
	if (rc != 0) {
		if (hdr_rc == 0)
			D_ERROR("rpc %#x: packing the output failed: %d\n", req->cr_opc, rc);
		/* Tell the origin rather than letting it time out. */
		p.cp_off = sizeof(*hdr);
	}
	if (rc == 0 && p.cp_off <= CRT_MSG_MAX)
		__atomic_store_n(&rpc->crp_opc_info->coi_out_hint, (uint32_t)p.cp_off,
				 __ATOMIC_RELAXED);
	hdr = (struct crt_msg_hdr *)p.cp_buf;
	hdr->mh_magic = CRT_MSG_MAGIC;
	hdr->mh_kind = CRT_MSG_REPLY;
	hdr->mh_opc = req->cr_opc;
	hdr->mh_rc = rc;
	hdr->mh_rpc_id = rpc->crp_id;
	hdr->mh_body_len = (uint32_t)(p.cp_off - sizeof(*hdr));
	if (p.cp_off > CRT_MSG_MAX) {
		rc = crt_large_wrap(&p.cp_buf, &p.cp_off, sizeof(*hdr), &large, &large_mr);
		if (rc != 0) {
			free(p.cp_buf);
			return rc;
		}
	}

	pthread_mutex_lock(&ctx->cc_lock);
	if (rpc->crp_state != RPC_STATE_RECEIVED) {
		pthread_mutex_unlock(&ctx->cc_lock);
		free(p.cp_buf);
		if (large_mr != NULL)
			fi_close(&large_mr->fid);
		free(large);
		return -DER_ALREADY;
	}
	if (large != NULL) {
		rc = crt_large_keep_locked(ctx, rpc->crp_peer, rpc->crp_id, large, large_mr);
		if (rc != 0) {
			pthread_mutex_unlock(&ctx->cc_lock);
			free(p.cp_buf);
			return rc;
		}
	}
	rpc->crp_state = RPC_STATE_REPLIED;
	op = crt_op_alloc(ctx, p.cp_buf, p.cp_off, CRT_TAG_REPLY);
	if (op == NULL) {
		pthread_mutex_unlock(&ctx->cc_lock);
		free(p.cp_buf);
		return -DER_NOMEM;
	}
	op->so_dest = rpc->crp_peer->p_addr;
	op->so_peer = rpc->crp_peer;
	if (crt_op_post(ctx, op) != 0) {
		crt_op_free(op);
		rc = -DER_HG;
	} else if (rc == hdr_rc) {
		/* the error the caller asked to report was delivered */
		rc = 0;
	}
	pthread_mutex_unlock(&ctx->cc_lock);
	return rc;
}
