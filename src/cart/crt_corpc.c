/**
 * Collective RPCs. The origin sends one RPC, flagged CRT_MSG_FLAG_CORPC,
 * to the root rank; its body starts with a prefix
 *
 *   u32 magic, u32 tree topology, u32 n, u32 receiver index, u32 timeout ms,
 *   u32 ranks[n], pad to 8
 *
 * followed by the packed input. Each receiver forwards the packed input
 * unchanged to its children in the tree over ranks[] (index 0 is the
 * root), runs its own handler, and merges every child's output into its
 * own with co_aggregate once its handler has replied. When its handler
 * and all children are done it replies to its parent; the root's reply
 * carries the result of the whole tree to the origin. A child's failure
 * becomes the reply's error (first one wins).
 */
#define D_LOGFAC DD_FAC(corpc)

#include "crt_internal.h"

#define CRT_CORPC_MAGIC 0x434f5250u /* "CORP" */

struct crt_corpc {
	pthread_mutex_t co_lock;
	uint32_t co_topo;
	uint32_t co_n;
	uint32_t co_idx;
	uint32_t co_timeout;
	d_rank_t *co_ranks;
	const char *co_raw;
	size_t co_raw_len;
	int co_pending;
	bool co_local_done;
	int co_rc;
	/** outputs of children that replied before the local handler */
	crt_rpc_t **co_early;
	int co_nearly;
};

static size_t
crt_corpc_prefix_len(uint32_t n)
{
	return D_ALIGNUP(20 + (size_t)n * sizeof(d_rank_t), 8);
}

static void *
crt_corpc_prefix(uint32_t topo, const d_rank_t *ranks, uint32_t n, uint32_t idx,
		 uint32_t timeout_ms, size_t *len)
{
	uint32_t *p;

	*len = crt_corpc_prefix_len(n);
	p = calloc(1, *len);
	if (p == NULL)
		return NULL;
	p[0] = CRT_CORPC_MAGIC;
	p[1] = topo;
	p[2] = n;
	p[3] = idx;
	p[4] = timeout_ms;
	memcpy(&p[5], ranks, n * sizeof(d_rank_t));
	return p;
}

/* Children of index \a idx in a tree of \a n nodes; returns how many. */
static uint32_t
crt_tree_children(uint32_t topo, uint32_t n, uint32_t idx, uint32_t *out)
{
	uint32_t type = topo >> CRT_TREE_TYPE_SHIFT, k = topo & 0xffff, cnt = 0, j;
	uint64_t d;

	if (k < 2)
		k = 2;
	switch (type) {
	case CRT_TREE_FLAT:
		if (idx == 0)
			for (j = 1; j < n; j++)
				out[cnt++] = j;
		break;
	case CRT_TREE_KARY:
		for (j = 1; j <= k; j++) {
			uint64_t c = (uint64_t)idx * k + j;

			if (c < n)
				out[cnt++] = (uint32_t)c;
		}
		break;
	default:
		/* k-nomial: idx is a parent at every level d = k^m that divides it by k^(m+1) */
		for (d = 1; d < n; d *= k) {
			if (idx % (d * k) != 0)
				break;
			for (j = 1; j < k; j++) {
				uint64_t c = idx + j * d;

				if (c < n)
					out[cnt++] = (uint32_t)c;
			}
		}
		break;
	}
	return cnt;
}

int
crt_corpc_parse(struct crt_rpc_priv *rpc, size_t body_len, size_t *input_off)
{
	const uint32_t *p = (const uint32_t *)rpc->crp_msg;
	struct crt_corpc *co;
	size_t plen;

	if (body_len < 20 || p[0] != CRT_CORPC_MAGIC || p[2] == 0 ||
	    p[2] > (body_len - 20) / sizeof(d_rank_t) || p[3] >= p[2])
		return -DER_PROTO;
	plen = crt_corpc_prefix_len(p[2]);
	if (plen > body_len)
		return -DER_PROTO;
	D_ALLOC_PTR(co);
	if (co == NULL)
		return -DER_NOMEM;
	D_ALLOC_ARRAY(co->co_ranks, p[2]);
	D_ALLOC_ARRAY(co->co_early, p[2]);
	if (co->co_ranks == NULL || co->co_early == NULL) {
		D_FREE(co->co_ranks);
		D_FREE(co->co_early);
		D_FREE(co);
		return -DER_NOMEM;
	}
	pthread_mutex_init(&co->co_lock, NULL);
	co->co_topo = p[1];
	co->co_n = p[2];
	co->co_idx = p[3];
	co->co_timeout = p[4];
	memcpy(co->co_ranks, &p[5], co->co_n * sizeof(d_rank_t));
	co->co_raw = rpc->crp_msg + plen;
	co->co_raw_len = body_len - plen;
	rpc->crp_corpc = co;
	*input_off = plen;
	return 0;
}

void
crt_corpc_free(struct crt_rpc_priv *rpc)
{
	struct crt_corpc *co = rpc->crp_corpc;
	int i;

	for (i = 0; i < co->co_nearly; i++)
		crt_req_decref(co->co_early[i]);
	pthread_mutex_destroy(&co->co_lock);
	D_FREE(co->co_ranks);
	D_FREE(co->co_early);
	D_FREE(co);
	rpc->crp_corpc = NULL;
}

/* co_lock held */
static void
crt_corpc_aggregate(struct crt_rpc_priv *parent, crt_rpc_t *child)
{
	struct crt_corpc_ops *ops = parent->crp_opc_info->coi_co_ops;
	int rc;

	if (ops == NULL || ops->co_aggregate == NULL)
		return;
	rc = ops->co_aggregate(child, &parent->crp_pub, NULL);
	if (rc != 0 && parent->crp_corpc->co_rc == 0)
		parent->crp_corpc->co_rc = rc;
}

static void
crt_corpc_finish(struct crt_rpc_priv *rpc)
{
	struct crt_corpc_ops *ops = rpc->crp_opc_info->coi_co_ops;
	int rc = crt_reply_send_rc(&rpc->crp_pub, rpc->crp_corpc->co_rc);

	if (rc != 0)
		D_ERROR("collective opcode %#x: reply failed: %d\n", rpc->crp_pub.cr_opc, rc);
	/* the output is packed: what the handler and the aggregation allocated may go */
	if (ops != NULL && ops->co_post_reply != NULL)
		ops->co_post_reply(&rpc->crp_pub, NULL);
	/* the reference the tree held */
	crt_rpc_priv_decref(rpc);
}

static void
crt_corpc_child_cb(const struct crt_cb_info *info)
{
	struct crt_rpc_priv *parent = info->cci_arg;
	struct crt_corpc *co = parent->crp_corpc;
	bool finish;

	pthread_mutex_lock(&co->co_lock);
	if (info->cci_rc != 0) {
		D_DEBUG(DB_NET, "collective child failed: %d\n", info->cci_rc);
		if (co->co_rc == 0)
			co->co_rc = info->cci_rc;
	} else if (co->co_local_done) {
		crt_corpc_aggregate(parent, info->cci_rpc);
	} else {
		crt_req_addref(info->cci_rpc);
		co->co_early[co->co_nearly++] = info->cci_rpc;
	}
	co->co_pending--;
	finish = co->co_local_done && co->co_pending == 0;
	pthread_mutex_unlock(&co->co_lock);
	if (finish)
		crt_corpc_finish(parent);
}

int
crt_corpc_local_reply(struct crt_rpc_priv *rpc)
{
	struct crt_corpc *co = rpc->crp_corpc;
	bool finish;
	int i;

	pthread_mutex_lock(&co->co_lock);
	if (co->co_local_done) {
		pthread_mutex_unlock(&co->co_lock);
		return -DER_ALREADY;
	}
	co->co_local_done = true;
	for (i = 0; i < co->co_nearly; i++) {
		crt_corpc_aggregate(rpc, co->co_early[i]);
		crt_req_decref(co->co_early[i]);
	}
	co->co_nearly = 0;
	finish = co->co_pending == 0;
	pthread_mutex_unlock(&co->co_lock);
	if (finish)
		crt_corpc_finish(rpc);
	return 0;
}

void
crt_corpc_handler_work(struct crt_work *w)
{
	struct crt_rpc_priv *rpc = container_of(w, struct crt_rpc_priv, crp_work);
	struct crt_corpc *co = rpc->crp_corpc;
	struct crt_corpc_ops *ops = rpc->crp_opc_info->coi_co_ops;
	uint32_t *kids;
	uint32_t nkids, i;

	/* held until the tree's reply is sent */
	atomic_fetch_add(&rpc->crp_refcount, 1);
	if (ops != NULL && ops->co_pre_forward != NULL)
		ops->co_pre_forward(&rpc->crp_pub, NULL);
	kids = calloc(co->co_n, sizeof(*kids));
	nkids = kids ? crt_tree_children(co->co_topo, co->co_n, co->co_idx, kids) : 0;
	if (kids == NULL)
		co->co_rc = -DER_NOMEM;
	co->co_pending = nkids;
	for (i = 0; i < nkids; i++) {
		crt_endpoint_t ep = {.ep_rank = co->co_ranks[kids[i]], .ep_tag = 0};
		struct crt_rpc_priv *child;
		crt_rpc_t *req;
		int rc;

		rc = crt_req_create(rpc->crp_ctx, &ep, rpc->crp_pub.cr_opc, &req);
		if (rc == 0) {
			child = container_of(req, struct crt_rpc_priv, crp_pub);
			child->crp_co_prefix =
				crt_corpc_prefix(co->co_topo, co->co_ranks, co->co_n, kids[i],
						 co->co_timeout, &child->crp_co_prefix_len);
			crt_req_set_timeout_ms(req, co->co_timeout);
			child->crp_raw_body = co->co_raw;
			child->crp_raw_len = co->co_raw_len;
			if (child->crp_co_prefix == NULL) {
				crt_req_decref(req);
				rc = -DER_NOMEM;
			}
		}
		if (rc == 0) {
			/* a failed send still calls crt_corpc_child_cb */
			crt_req_send(req, crt_corpc_child_cb, rpc);
		} else {
			struct crt_cb_info info = {.cci_arg = rpc, .cci_rc = rc};

			crt_corpc_child_cb(&info);
		}
	}
	free(kids);
	crt_rpc_dispatch(rpc);
}

static int
crt_rank_cmp(const void *a, const void *b)
{
	d_rank_t x = *(const d_rank_t *)a, y = *(const d_rank_t *)b;

	return x < y ? -1 : x > y;
}

static bool
crt_rank_in(d_rank_list_t *rl, d_rank_t r)
{
	uint32_t i;

	for (i = 0; rl != NULL && i < rl->rl_nr; i++)
		if (rl->rl_ranks[i] == r)
			return true;
	return false;
}

int
crt_corpc_req_create(crt_context_t crt_ctx, crt_group_t *grp, d_rank_list_t *filter_ranks,
		     crt_opcode_t opc, crt_bulk_t co_bulk_hdl, void *priv, uint32_t flags,
		     int tree_topo, crt_rpc_t **req)
{
	struct crt_rpc_priv *rpc;
	d_rank_list_t *all = NULL;
	d_rank_t *ranks;
	d_rank_t self = CRT_NO_RANK;
	uint32_t i, n = 0, type = (uint32_t)tree_topo >> CRT_TREE_TYPE_SHIFT;
	int rc;

	if (crt_ctx == NULL || req == NULL || type < CRT_TREE_MIN || type > CRT_TREE_MAX)
		return -DER_INVAL;
	if (co_bulk_hdl != NULL) {
		D_ERROR("collective RPCs with a bulk handle are not supported\n");
		return -DER_NOTSUPPORTED;
	}
	rc = crt_group_ranks_get(grp, &all);
	if (rc != 0)
		return rc;
	ranks = calloc(all->rl_nr ? all->rl_nr : 1, sizeof(*ranks));
	if (ranks == NULL) {
		rc = -DER_NOMEM;
		goto out;
	}
	for (i = 0; i < all->rl_nr; i++) {
		bool listed = crt_rank_in(filter_ranks, all->rl_ranks[i]);

		if ((flags & CRT_RPC_FLAG_FILTER_INVERT) ? listed : !listed)
			ranks[n++] = all->rl_ranks[i];
	}
	if (n == 0) {
		rc = -DER_INVAL;
		goto out;
	}
	qsort(ranks, n, sizeof(*ranks), crt_rank_cmp);
	/* the root is this rank when it takes part, so the first hop is local */
	crt_group_rank(grp, &self);
	for (i = 1; i < n && self != CRT_NO_RANK; i++) {
		if (ranks[i] == self) {
			ranks[i] = ranks[0];
			ranks[0] = self;
			break;
		}
	}
	{
		crt_endpoint_t ep = {.ep_grp = grp, .ep_rank = ranks[0], .ep_tag = 0};

		rc = crt_req_create(crt_ctx, &ep, opc, req);
	}
	if (rc != 0)
		goto out;
	rpc = container_of(*req, struct crt_rpc_priv, crp_pub);
	rpc->crp_co_prefix =
		crt_corpc_prefix((uint32_t)tree_topo, ranks, n, 0, 0, &rpc->crp_co_prefix_len);
	if (rpc->crp_co_prefix == NULL) {
		crt_req_decref(*req);
		*req = NULL;
		rc = -DER_NOMEM;
	}
out:
	free(ranks);
	if (all != NULL) {
		free(all->rl_ranks);
		free(all);
	}
	return rc;
}
