/**
 * self_test attaches to a running daos_server system like any client: the
 * first access point that answers MGMT_GET_ATTACH_INFO gives the rank ->
 * URI map, which goes into the primary group. Contexts other than 0 (tags)
 * are then resolved by CaRT's own URI lookup on each rank's context 0.
 */
#define D_LOGFAC DD_FAC(st)

#include <gurt/common.h>
#include <daos/mgmt.h>
#include "../mgmt/rpc.h"
#include "st_attach.h"

struct st_wait {
	int done;
	int rc;
};

static void
st_ai_cb(const struct crt_cb_info *cb)
{
	struct st_wait *w = cb->cci_arg;

	w->rc = cb->cci_rc;
	w->done = 1;
}

static int
st_ai_done(void *arg)
{
	return ((struct st_wait *)arg)->done;
}

/* GetAttachInfo from one access point, loaded into the primary group. */
static int
st_attach_one(crt_context_t ctx, const char *group, const char *provider, const char *ap)
{
	struct mgmt_get_attach_info_out *out;
	crt_endpoint_t ep = {0};
	struct st_wait w = {0};
	mgmt_rank_uri_t *ru;
	d_rank_list_t *ranks = NULL;
	char **uris = NULL, *uri = NULL;
	crt_rpc_t *rpc;
	uint64_t i, n = 0;
	int rc;

	rc = mgmt_addr2uri(provider, ap, DC_MGMT_PORT, &uri);
	if (rc != 0)
		return rc;
	rc = crt_req_create(ctx, &ep, MGMT_GET_ATTACH_INFO, &rpc);
	if (rc == 0 && (rc = crt_req_set_dest_uri(rpc, uri)) != 0)
		crt_req_decref(rpc);
	D_FREE(uri);
	if (rc != 0)
		return rc;
	((struct mgmt_get_attach_info_in *)crt_req_get(rpc))->gai_all_ranks = 1;
	/* the send takes one reference: keep ours to read the reply */
	crt_req_addref(rpc);
	crt_req_set_timeout_ms(rpc, 5000);
	rc = crt_req_send(rpc, st_ai_cb, &w);
	if (rc == 0 || w.done)
		crt_progress_cond(ctx, 7 * 1000 * 1000, st_ai_done, &w);
	if (!w.done) {
		crt_req_abort(rpc);
		crt_progress_cond(ctx, 1000 * 1000, st_ai_done, &w);
		rc = -DER_TIMEDOUT;
	} else {
		rc = w.rc;
	}
	out = crt_reply_get(rpc);
	if (rc == 0)
		rc = out->gao_rc;
	if (rc == 0 && out->gao_rank_uris.ca_count == 0)
		rc = -DER_UNINIT;
	if (rc != 0)
		goto out;
	if (out->gao_sys_name != NULL && strcmp(out->gao_sys_name, group) != 0)
		fprintf(stderr, "self_test: %s serves system \"%s\", not \"%s\"\n", ap,
			out->gao_sys_name, group);
	if (out->gao_provider != NULL && strcmp(out->gao_provider, provider) != 0)
		fprintf(stderr, "self_test: the system uses %s, this process %s (set D_PROVIDER)\n",
			out->gao_provider, provider);
	n = out->gao_rank_uris.ca_count;
	ru = out->gao_rank_uris.ca_arrays;
	ranks = d_rank_list_alloc((uint32_t)n);
	D_ALLOC_ARRAY(uris, n);
	if (ranks == NULL || uris == NULL)
		D_GOTO(out, rc = -DER_NOMEM);
	for (i = 0; i < n; i++) {
		ranks->rl_ranks[i] = ru[i].ru_rank;
		uris[i] = ru[i].ru_uri;
	}
	rc = crt_group_primary_modify(NULL, &ctx, 1, ranks, NULL, uris, CRT_GROUP_MOD_OP_REPLACE,
				      out->gao_map_version);
	if (rc == 0)
		fprintf(stderr, "# attached to %s through %s: %u ranks, map version %u\n",
			out->gao_sys_name ? out->gao_sys_name : group, ap, (unsigned int)n,
			out->gao_map_version);
out:
	D_FREE(uris);
	d_rank_list_free(ranks);
	crt_req_decref(rpc);
	return rc;
}

int
st_attach_system(crt_context_t ctx, const char *group)
{
	const char *provider = getenv("D_PROVIDER");
	char **aps = NULL;
	int nr = 0, i, rc;

	if (provider == NULL || provider[0] == '\0')
		provider = "ofi+tcp;ofi_rxm";
	rc = crt_proto_register(&mgmt_proto_fmt);
	if (rc != 0)
		return rc;
	rc = dc_mgmt_access_points(&aps, &nr);
	if (rc != 0)
		return rc;
	for (i = 0; i < nr; i++) {
		rc = st_attach_one(ctx, group, provider, aps[i]);
		if (rc == 0)
			break;
		fprintf(stderr, "self_test: access point %s: %d\n", aps[i], rc);
	}
	dc_mgmt_access_points_free(aps, nr);
	return rc;
}
