/**
 * CaRT's own protocol (module 0xFF), registered by crt_init: protocol
 * version queries, so that a client can pick the highest version of a
 * module's protocol that a server speaks.
 */
#define D_LOGFAC DD_FAC(rpc)

#include "crt_internal.h"

#define CRT_IPROTO_BASE    0xFF000000U
#define CRT_OPC_PROTO_QRY  CRT_PROTO_OPC(CRT_IPROTO_BASE, 1, 0)
#define CRT_OPC_URI_LOOKUP CRT_PROTO_OPC(CRT_IPROTO_BASE, 1, 1)

/* clang-format off */
#define CRT_ISEQ_PROTO_QRY				\
	((uint32_t)	(pq_base)	CRT_VAR)	\
	((uint32_t)	(pq_vers)	CRT_ARRAY)
#define CRT_OSEQ_PROTO_QRY				\
	((int32_t)	(pq_ver)	CRT_VAR)	\
	((int32_t)	(pq_rc)		CRT_VAR)
CRT_RPC_DECLARE(crt_proto_qry, CRT_ISEQ_PROTO_QRY, CRT_OSEQ_PROTO_QRY)
CRT_RPC_DEFINE(crt_proto_qry, CRT_ISEQ_PROTO_QRY, CRT_OSEQ_PROTO_QRY)

#define CRT_ISEQ_URI_LOOKUP				\
	((uint32_t)	(ul_tag)	CRT_VAR)
#define CRT_OSEQ_URI_LOOKUP				\
	((d_string_t)	(ul_uri)	CRT_VAR)	\
	((int32_t)	(ul_rc)		CRT_VAR)
CRT_RPC_DECLARE(crt_uri_lookup, CRT_ISEQ_URI_LOOKUP, CRT_OSEQ_URI_LOOKUP)
CRT_RPC_DEFINE(crt_uri_lookup, CRT_ISEQ_URI_LOOKUP, CRT_OSEQ_URI_LOOKUP)
/* clang-format on */

static void
crt_proto_qry_handler(crt_rpc_t *rpc)
{
	struct crt_proto_qry_in *in = crt_req_get(rpc);
	struct crt_proto_qry_out *out = crt_reply_get(rpc);
	uint64_t i;

	out->pq_ver = -1;
	out->pq_rc = -DER_NONEXIST;
	for (i = 0; i < in->pq_vers.ca_count; i++) {
		uint32_t v = in->pq_vers.ca_arrays[i];

		if (v > 0xff || (int32_t)v <= out->pq_ver)
			continue;
		if (crt_opc_lookup(CRT_PROTO_OPC(in->pq_base & 0xff000000U, v, 0)) != NULL) {
			out->pq_ver = (int32_t)v;
			out->pq_rc = 0;
		}
	}
	crt_reply_send(rpc);
}

static void
crt_uri_lookup_handler(crt_rpc_t *rpc)
{
	struct crt_uri_lookup_in *in = crt_req_get(rpc);
	struct crt_uri_lookup_out *out = crt_reply_get(rpc);
	struct crt_context *ctx = NULL;

	if (in->ul_tag < CRT_CTX_MAX)
		ctx = crt_gdata.cg_ctx[in->ul_tag];
	out->ul_uri = ctx != NULL ? ctx->cc_uri : NULL;
	out->ul_rc = ctx != NULL ? 0 : -DER_NONEXIST;
	crt_reply_send(rpc);
}

static struct crt_proto_rpc_format crt_iproto_rpcs[] = {
	{.prf_req_fmt = &CQF_crt_proto_qry, .prf_hdlr = crt_proto_qry_handler},
	{.prf_req_fmt = &CQF_crt_uri_lookup, .prf_hdlr = crt_uri_lookup_handler},
};

static struct crt_proto_format crt_iproto = {
	.cpf_name = "cart",
	.cpf_ver = 1,
	.cpf_count = ARRAY_SIZE(crt_iproto_rpcs),
	.cpf_prf = crt_iproto_rpcs,
	.cpf_base = CRT_IPROTO_BASE,
};

int
crt_iproto_register(void)
{
	return crt_proto_register(&crt_iproto);
}

struct crt_pq_arg {
	crt_proto_query_cb_t cb;
	void *arg;
};

static void
crt_proto_qry_cb(const struct crt_cb_info *info)
{
	struct crt_pq_arg *a = info->cci_arg;
	struct crt_proto_qry_out *out = crt_reply_get(info->cci_rpc);
	struct crt_proto_query_cb_info qi = {.pq_arg = a->arg, .pq_ver = -1};

	qi.pq_rc = info->cci_rc;
	if (qi.pq_rc == 0) {
		qi.pq_rc = out->pq_rc;
		qi.pq_ver = out->pq_ver;
	}
	if (a->cb != NULL)
		a->cb(&qi);
	D_FREE(a);
}

int
crt_proto_query_with_ctx(crt_endpoint_t *tgt_ep, crt_opcode_t base_opc, uint32_t *ver, int count,
			 uint32_t timeout, crt_proto_query_cb_t cb, void *arg, crt_context_t ctx)
{
	struct crt_proto_qry_in *in;
	struct crt_pq_arg *a;
	crt_rpc_t *rpc;
	int rc;

	if (tgt_ep == NULL || ver == NULL || count <= 0 || ctx == NULL)
		return -DER_INVAL;
	D_ALLOC_PTR(a);
	if (a == NULL)
		return -DER_NOMEM;
	a->cb = cb;
	a->arg = arg;
	rc = crt_req_create(ctx, tgt_ep, CRT_OPC_PROTO_QRY, &rpc);
	if (rc != 0) {
		D_FREE(a);
		return rc;
	}
	if (timeout > 0)
		crt_req_set_timeout(rpc, timeout);
	in = crt_req_get(rpc);
	in->pq_base = base_opc;
	in->pq_vers.ca_count = (uint64_t)count;
	in->pq_vers.ca_arrays = ver;
	/* the input is packed at send time, so \a ver may go away afterwards */
	return crt_req_send(rpc, crt_proto_qry_cb, a);
}

int
crt_proto_query(crt_endpoint_t *tgt_ep, crt_opcode_t base_opc, uint32_t *ver, int count,
		uint32_t timeout, crt_proto_query_cb_t cb, void *arg)
{
	if (crt_gdata.cg_ctx[0] == NULL)
		return -DER_UNINIT;
	return crt_proto_query_with_ctx(tgt_ep, base_opc, ver, count, timeout, cb, arg,
					crt_gdata.cg_ctx[0]);
}

/* ---- URI lookup of (rank, tag > 0) ---- */

static void
crt_uri_lookup_cb(const struct crt_cb_info *info)
{
	struct crt_rpc_priv *rpc = info->cci_arg;
	struct crt_uri_lookup_out *out = info->cci_rpc ? crt_reply_get(info->cci_rpc) : NULL;
	struct crt_context *ctx = rpc->crp_ctx;
	crt_endpoint_t *ep = &rpc->crp_pub.cr_ep;
	struct crt_peer *peer = NULL;
	int rc = info->cci_rc;

	if (rc == 0 && out == NULL)
		rc = -DER_INVAL;
	if (rc == 0)
		rc = out->ul_rc;
	if (rc == 0 && (out->ul_uri == NULL || strstr(out->ul_uri, "://") == NULL))
		rc = -DER_PROTO;
	if (rc == 0)
		rc = crt_grp_tag_uri_set(ep->ep_grp, ep->ep_rank, ep->ep_tag, out->ul_uri);
	pthread_mutex_lock(&ctx->cc_lock);
	if (rpc->crp_state == RPC_STATE_RESOLVING) {
		if (rc == 0) {
			peer = crt_peer_get(ctx, out->ul_uri);
			if (peer == NULL)
				rc = -DER_UNREACH;
		}
		if (rc == 0) {
			crt_rpc_start_locked(rpc, peer);
		} else {
			D_ERROR("no address for rank %u tag %u: %d\n", ep->ep_rank, ep->ep_tag, rc);
			crt_rpc_complete_locked(rpc, rc);
		}
	}
	pthread_mutex_unlock(&ctx->cc_lock);
	crt_rpc_priv_decref(rpc);
}

void
crt_uri_lookup_start(struct crt_rpc_priv *rpc)
{
	crt_endpoint_t ep = rpc->crp_pub.cr_ep;
	struct crt_uri_lookup_in *in;
	crt_rpc_t *req;
	int rc;

	ep.ep_tag = 0;
	/* the lookup's callback owns this reference */
	atomic_fetch_add(&rpc->crp_refcount, 1);
	rc = crt_req_create(rpc->crp_ctx, &ep, CRT_OPC_URI_LOOKUP, &req);
	if (rc != 0) {
		struct crt_cb_info info = {.cci_arg = rpc, .cci_rc = rc};

		crt_uri_lookup_cb(&info);
		return;
	}
	crt_req_set_timeout_ms(req, min(rpc->crp_timeout_ms, crt_gdata.cg_timeout * 1000));
	in = crt_req_get(req);
	in->ul_tag = rpc->crp_pub.cr_ep.ep_tag;
	/* a failed send still runs the callback */
	crt_req_send(req, crt_uri_lookup_cb, rpc);
}
