/**
 * Messages larger than the posted receive buffers (CRT_MSG_MAX). The
 * sender registers the whole message and sends a small one with
 * CRT_MSG_FLAG_LARGE whose body is {addr, len, key}; the receiver reads the
 * whole message with fi_read and processes it as if it had arrived. A large
 * request stays registered until its RPC is freed; a large reply is kept
 * until the origin acknowledges its read (CRT_MSG_ACK) or a timeout passes.
 */
#define D_LOGFAC DD_FAC(rpc)

#include "crt_internal.h"

struct crt_large_desc {
	uint64_t ld_addr;
	uint64_t ld_len;
	uint64_t ld_key;
};

/* A large reply kept for its origin to read. */
struct crt_large_keep {
	d_list_t lk_link;
	struct crt_peer *lk_peer;
	uint64_t lk_id;
	char *lk_buf;
	struct fid_mr *lk_mr;
	uint64_t lk_deadline;
};

struct crt_large_read {
	struct crt_op_hdr lr_hdr;
	d_list_t lr_link;
	char *lr_buf;
	size_t lr_len;
	struct crt_peer *lr_peer;
	uint64_t lr_id;
	uint8_t lr_kind;
};

int
crt_large_wrap(char **buf, size_t *len, size_t small_off, char **large_buf,
	       struct fid_mr **large_mr)
{
	struct crt_large_desc desc;
	struct crt_msg_hdr *hdr;
	struct fid_mr *mr;
	char *small;
	int rc;

	rc = fi_mr_reg(crt_gdata.cg_domain, *buf, *len, FI_REMOTE_READ, 0,
		       atomic_fetch_add(&crt_gdata.cg_mr_key, 1) + 1, 0, &mr, NULL);
	if (rc != 0) {
		D_ERROR("fi_mr_reg(%zu): %s\n", *len, fi_strerror(-rc));
		return crt_fi2der(rc);
	}
	small = malloc(small_off + sizeof(desc));
	if (small == NULL) {
		fi_close(&mr->fid);
		return -DER_NOMEM;
	}
	memcpy(small, *buf, small_off);
	hdr = (struct crt_msg_hdr *)small;
	hdr->mh_flags |= CRT_MSG_FLAG_LARGE;
	hdr->mh_body_len = sizeof(desc);
	desc.ld_addr = crt_gdata.cg_mr_virt ? (uint64_t)(uintptr_t)*buf : 0;
	desc.ld_len = *len;
	desc.ld_key = fi_mr_key(mr);
	memcpy(small + small_off, &desc, sizeof(desc));
	*large_buf = *buf;
	*large_mr = mr;
	*buf = small;
	*len = small_off + sizeof(desc);
	return 0;
}

static void
crt_large_error_locked(struct crt_context *ctx, struct crt_large_read *lr, int rc)
{
	struct crt_rpc_priv *rpc;
	struct crt_msg_hdr *hdr;
	struct crt_send_op *op;

	if (lr->lr_kind == CRT_MSG_REPLY) {
		rpc = crt_rpc_lookup_locked(ctx, lr->lr_id);
		if (rpc != NULL && rpc->crp_state == RPC_STATE_INFLIGHT)
			crt_rpc_complete_locked(rpc, rc);
		return;
	}
	/* The origin is waiting: tell it rather than letting it time out. */
	D_ALLOC_PTR(hdr);
	if (hdr == NULL)
		return;
	hdr->mh_magic = CRT_MSG_MAGIC;
	hdr->mh_kind = CRT_MSG_REPLY;
	hdr->mh_rc = rc;
	hdr->mh_rpc_id = lr->lr_id;
	op = crt_op_alloc(ctx, (char *)hdr, sizeof(*hdr), CRT_TAG_REPLY);
	if (op == NULL) {
		D_FREE(hdr);
		return;
	}
	op->so_dest = lr->lr_peer->p_addr;
	if (crt_op_post(ctx, op) != 0)
		crt_op_free(op);
}

void
crt_large_recv(struct crt_context *ctx, struct crt_msg_hdr *hdr, char *buf, size_t len)
{
	struct crt_large_desc desc;
	struct crt_large_read *lr;
	struct crt_peer *peer = NULL;
	size_t off;
	ssize_t rc;

	if (hdr->mh_kind == CRT_MSG_REQ) {
		const char *uri = buf + sizeof(*hdr);

		if (hdr->mh_uri_len == 0 || hdr->mh_uri_len > CRT_ADDR_STR_MAX_LEN)
			goto bad;
		off = crt_msg_body_off(hdr->mh_uri_len);
		if (off > len || uri[hdr->mh_uri_len - 1] != '\0')
			goto bad;
		peer = crt_peer_get(ctx, uri);
	} else if (hdr->mh_kind == CRT_MSG_REPLY) {
		struct crt_rpc_priv *rpc = crt_rpc_lookup_locked(ctx, hdr->mh_rpc_id);

		off = sizeof(*hdr);
		if (rpc == NULL || rpc->crp_state != RPC_STATE_INFLIGHT) {
			D_DEBUG(DB_NET, "dropping a large reply of a completed RPC\n");
			return;
		}
		peer = rpc->crp_peer;
	} else {
		goto bad;
	}
	if (peer == NULL || hdr->mh_body_len != sizeof(desc) || off + sizeof(desc) != len)
		goto bad;
	memcpy(&desc, buf + off, sizeof(desc));
	if (desc.ld_len < sizeof(*hdr) || desc.ld_len > CRT_LARGE_MAX)
		goto bad;
	D_ALLOC_PTR(lr);
	if (lr == NULL)
		return;
	lr->lr_hdr.oh_type = CRT_OP_LARGE;
	lr->lr_len = desc.ld_len;
	lr->lr_peer = peer;
	lr->lr_id = hdr->mh_rpc_id;
	lr->lr_kind = hdr->mh_kind;
	lr->lr_buf = malloc(desc.ld_len);
	if (lr->lr_buf == NULL) {
		crt_large_error_locked(ctx, lr, -DER_NOMEM);
		D_FREE(lr);
		return;
	}
	rc = fi_read(ctx->cc_ep, lr->lr_buf, lr->lr_len, NULL, peer->p_addr, desc.ld_addr,
		     desc.ld_key, lr);
	if (rc != 0) {
		D_ERROR("fi_read of a %zu-byte message: %s\n", lr->lr_len, fi_strerror((int)-rc));
		crt_large_error_locked(ctx, lr, rc == -FI_EAGAIN ? -DER_AGAIN : -DER_HG);
		D_FREE(lr->lr_buf);
		D_FREE(lr);
		return;
	}
	d_list_add_tail(&lr->lr_link, &ctx->cc_large_reads);
	return;
bad:
	D_ERROR("dropping a malformed large-message descriptor\n");
}

void
crt_large_send_ack_locked(struct crt_context *ctx, struct crt_peer *peer, uint64_t id)
{
	size_t ulen = strlen(ctx->cc_uri) + 1;
	size_t len = crt_msg_body_off(ulen);
	struct crt_msg_hdr *hdr;
	struct crt_send_op *op;

	hdr = calloc(1, len);
	if (hdr == NULL)
		return;
	hdr->mh_magic = CRT_MSG_MAGIC;
	hdr->mh_kind = CRT_MSG_ACK;
	hdr->mh_rpc_id = id;
	hdr->mh_uri_len = ulen;
	memcpy(hdr + 1, ctx->cc_uri, ulen);
	op = crt_op_alloc(ctx, (char *)hdr, len, CRT_TAG_REQ);
	if (op == NULL) {
		free(hdr);
		return;
	}
	op->so_dest = peer->p_addr;
	if (crt_op_post(ctx, op) != 0)
		crt_op_free(op);
}

void
crt_large_read_done(struct crt_context *ctx, struct crt_op_hdr *op, int rc)
{
	struct crt_large_read *lr = (struct crt_large_read *)op;
	struct crt_msg_hdr full;

	d_list_del(&lr->lr_link);
	if (rc == 0) {
		memcpy(&full, lr->lr_buf, sizeof(full));
		/* the whole message must be the one announced, and not large again */
		if (full.mh_magic != CRT_MSG_MAGIC || full.mh_kind != lr->lr_kind ||
		    full.mh_rpc_id != lr->lr_id || (full.mh_flags & CRT_MSG_FLAG_LARGE))
			rc = -DER_PROTO;
	}
	if (rc == 0)
		crt_msg_recv(ctx, lr->lr_buf, lr->lr_len);
	else
		crt_large_error_locked(ctx, lr, rc);
	if (lr->lr_kind == CRT_MSG_REPLY)
		crt_large_send_ack_locked(ctx, lr->lr_peer, lr->lr_id);
	D_FREE(lr->lr_buf);
	D_FREE(lr);
}

int
crt_large_keep_locked(struct crt_context *ctx, struct crt_peer *peer, uint64_t id, char *buf,
		      struct fid_mr *mr)
{
	struct crt_large_keep *lk;

	D_ALLOC_PTR(lk);
	if (lk == NULL) {
		fi_close(&mr->fid);
		free(buf);
		return -DER_NOMEM;
	}
	lk->lk_peer = peer;
	lk->lk_id = id;
	lk->lk_buf = buf;
	lk->lk_mr = mr;
	lk->lk_deadline = crt_now_ms() + max(crt_gdata.cg_timeout, 10u) * 1000;
	if (lk->lk_deadline < ctx->cc_next_deadline)
		ctx->cc_next_deadline = lk->lk_deadline;
	d_list_add_tail(&lk->lk_link, &ctx->cc_large_list);
	return 0;
}

static void
crt_large_keep_free(struct crt_large_keep *lk)
{
	d_list_del(&lk->lk_link);
	fi_close(&lk->lk_mr->fid);
	D_FREE(lk->lk_buf);
	D_FREE(lk);
}

void
crt_large_ack(struct crt_context *ctx, struct crt_msg_hdr *hdr, char *buf, size_t len)
{
	const char *uri = buf + sizeof(*hdr);
	d_list_t *pos;

	if (hdr->mh_uri_len == 0 || hdr->mh_uri_len > CRT_ADDR_STR_MAX_LEN ||
	    crt_msg_body_off(hdr->mh_uri_len) != len || uri[hdr->mh_uri_len - 1] != '\0')
		return;
	d_list_for_each(pos, &ctx->cc_large_list)
	{
		struct crt_large_keep *lk = d_list_entry(pos, struct crt_large_keep, lk_link);

		if (lk->lk_id == hdr->mh_rpc_id && strcmp(lk->lk_peer->p_uri, uri) == 0) {
			crt_large_keep_free(lk);
			return;
		}
	}
}

uint64_t
crt_large_expire(struct crt_context *ctx, bool all)
{
	uint64_t now = crt_now_ms(), next = UINT64_MAX;
	struct crt_large_keep *lk;
	struct crt_large_read *lr;
	d_list_t *pos, *tmp;

	d_list_for_each_safe(pos, tmp, &ctx->cc_large_list)
	{
		lk = d_list_entry(pos, struct crt_large_keep, lk_link);
		if (all || lk->lk_deadline <= now)
			crt_large_keep_free(lk);
		else if (lk->lk_deadline < next)
			next = lk->lk_deadline;
	}
	if (all) {
		while ((lr = d_list_pop_entry(&ctx->cc_large_reads, struct crt_large_read,
					      lr_link)) != NULL) {
			D_FREE(lr->lr_buf);
			D_FREE(lr);
		}
	}
	return next;
}
