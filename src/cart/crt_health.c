/**
 * Peers that stop answering. rxm reports a broken connection only to sends
 * in progress: RPCs whose request already left wait for a reply that never
 * comes, until their timeout. So when a peer with RPCs in flight has been
 * silent for CRT_PROBE_MS, a tiny probe message is sent to it; once the
 * process is gone the probe (or any other send) fails with a connection
 * error. Then every RPC in flight or queued to that peer fails at once
 * with -DER_UNREACH, and the event callback (crt_register_event_cb) hears
 * CRT_EVT_DEAD from CRT_EVS_UNKNOWN (the transport, not SWIM) for the rank
 * owning that address. A message from the peer makes it alive again.
 * This is a fast path for errors, not a failure detector: a peer that is
 * alive but slow still answers probes, and its RPCs keep their timeouts.
 */
#define D_LOGFAC DD_FAC(rpc)

#include "crt_internal.h"

struct crt_dead_work {
	struct crt_work dw_work;
	char *dw_uri;
};

void
crt_peer_heard(struct crt_peer *peer)
{
	peer->p_heard_ms = crt_now_ms();
	peer->p_dead = false;
}

/* Returns the error of a send that failed at once (its completion never comes). */
static int
crt_probe_send_locked(struct crt_context *ctx, struct crt_peer *peer)
{
	struct crt_msg_hdr *hdr;
	struct crt_send_op *op;
	int rc;

	D_ALLOC_PTR(hdr);
	if (hdr == NULL)
		return 0;
	hdr->mh_magic = CRT_MSG_MAGIC;
	hdr->mh_kind = CRT_MSG_PROBE;
	op = crt_op_alloc(ctx, (char *)hdr, sizeof(*hdr), CRT_TAG_REQ);
	if (op == NULL) {
		D_FREE(hdr);
		return 0;
	}
	op->so_dest = peer->p_addr;
	op->so_peer = peer;
	rc = crt_op_post(ctx, op);
	if (rc != 0)
		crt_op_free(op);
	return rc;
}

void
crt_peer_probe_locked(struct crt_context *ctx)
{
	uint32_t every = crt_gdata.cg_probe_ms;
	struct crt_peer *failed = NULL;
	struct crt_rpc_priv *rpc;
	uint64_t now;
	int rc = 0;

	if (every == 0 || ctx->cc_inflight == 0)
		return;
	now = crt_now_ms();
	if (now < ctx->cc_next_probe_ms)
		return;
	ctx->cc_next_probe_ms = now + max(every / 4, 1u);
	d_list_for_each_entry(rpc, &ctx->cc_tmo_list, crp_tmo_link)
	{
		struct crt_peer *peer = rpc->crp_peer;

		if (rpc->crp_state != RPC_STATE_INFLIGHT || peer == NULL || rpc->crp_no_reply)
			continue;
		if (now - peer->p_heard_ms < every || now - peer->p_probe_ms < every / 2)
			continue;
		peer->p_probe_ms = now;
		D_DEBUG(DB_NET, "probing %s, silent for " DF_U64 " ms\n", peer->p_uri,
			now - peer->p_heard_ms);
		rc = crt_probe_send_locked(ctx, peer);
		if (rc != 0) {
			/* failing its RPCs changes the list being walked: stop here */
			failed = peer;
			break;
		}
	}
	if (failed != NULL)
		crt_peer_unreachable_locked(ctx, failed, rc);
}

static void
crt_dead_work(struct crt_work *w)
{
	struct crt_dead_work *dw = container_of(w, struct crt_dead_work, dw_work);
	d_rank_t rank;

	if (crt_grp_uri2rank(dw->dw_uri, &rank) == 0)
		crt_grp_event(rank, CRT_EVS_UNKNOWN, CRT_EVT_DEAD);
	else
		D_DEBUG(DB_NET, "%s is no group member: no event\n", dw->dw_uri);
	D_FREE(dw->dw_uri);
	D_FREE(dw);
}

void
crt_peer_unreachable_locked(struct crt_context *ctx, struct crt_peer *peer, int rc)
{
	struct crt_rpc_priv *rpc, *tmp;
	struct crt_dead_work *dw;
	int n = 0;

	if (rc != -DER_UNREACH || peer->p_dead)
		return;
	peer->p_dead = true;
	/*
	 * Queued ones too: their sends would only fail the same way. Completing
	 * one must not start a queued one meanwhile (that could complete, and
	 * unlink, the entry this walk looks at next).
	 */
	peer->p_failing = true;
	d_list_for_each_entry_safe(rpc, tmp, &ctx->cc_tmo_list, crp_tmo_link)
	{
		if (rpc->crp_peer != peer ||
		    (rpc->crp_state != RPC_STATE_INFLIGHT && rpc->crp_state != RPC_STATE_QUEUED))
			continue;
		crt_rpc_complete_locked(rpc, -DER_UNREACH);
		n++;
	}
	peer->p_failing = false;
	D_WARN("%s is unreachable: %d RPCs failed\n", peer->p_uri, n);
	/* the callback runs without the context lock, from crt_progress() */
	D_ALLOC_PTR(dw);
	if (dw == NULL)
		return;
	dw->dw_uri = strdup(peer->p_uri);
	if (dw->dw_uri == NULL) {
		D_FREE(dw);
		return;
	}
	dw->dw_work.w_fn = crt_dead_work;
	crt_work_add(ctx, &dw->dw_work);
}
