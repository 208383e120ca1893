/* Pool protocol: generated pack/unpack, the protocol table, pool map and attribute buffers. */
#define D_LOGFAC DD_FAC(pool)

#include <gurt/common.h>
#include "rpc.h"

CRT_GEN_PROC_FUNC(pool_rec, POOL_REC_SEQ)

int
crt_proc_pool_rec_t(crt_proc_t proc, crt_proc_op_t op, pool_rec_t *r)
{
	return crt_proc_struct_pool_rec(proc, op, r);
}

CRT_GEN_PROC_FUNC(pool_tgt_count, POOL_TGT_COUNT_SEQ)

int
crt_proc_pool_tgt_count_t(crt_proc_t proc, crt_proc_op_t op, pool_tgt_count_t *c)
{
	return crt_proc_struct_pool_tgt_count(proc, op, c);
}

CRT_RPC_DEFINE(pool_create, DAOS_ISEQ_POOL_CREATE, DAOS_OSEQ_POOL_CREATE)
CRT_RPC_DEFINE(pool_destroy, DAOS_ISEQ_POOL_DESTROY, DAOS_OSEQ_POOL_DESTROY)
CRT_RPC_DEFINE(pool_list, DAOS_ISEQ_POOL_LIST, DAOS_OSEQ_POOL_LIST)
CRT_RPC_DEFINE(pool_locate, DAOS_ISEQ_POOL_LOCATE, DAOS_OSEQ_POOL_LOCATE)
CRT_RPC_DEFINE(pool_tgt_create, DAOS_ISEQ_POOL_TGT_CREATE, DAOS_OSEQ_POOL_TGT_CREATE)
CRT_RPC_DEFINE(pool_tgt_destroy, DAOS_ISEQ_POOL_TGT_DESTROY, DAOS_OSEQ_POOL_TGT_DESTROY)
CRT_RPC_DEFINE(pool_svc_create, DAOS_ISEQ_POOL_SVC_CREATE, DAOS_OSEQ_POOL_SVC_CREATE)
CRT_RPC_DEFINE(pool_tgt_query, DAOS_ISEQ_POOL_TGT_QUERY, DAOS_OSEQ_POOL_TGT_QUERY)
CRT_RPC_DEFINE(pool_connect, DAOS_ISEQ_POOL_CONNECT, DAOS_OSEQ_POOL_CONNECT)
CRT_RPC_DEFINE(pool_disconnect, DAOS_ISEQ_POOL_DISCONNECT, DAOS_OSEQ_POOL_DISCONNECT)
CRT_RPC_DEFINE(pool_query, DAOS_ISEQ_POOL_QUERY, DAOS_OSEQ_POOL_QUERY)
CRT_RPC_DEFINE(pool_query_info, DAOS_ISEQ_POOL_QUERY_INFO, DAOS_OSEQ_POOL_QUERY_INFO)
CRT_RPC_DEFINE(pool_prop_set, DAOS_ISEQ_POOL_PROP_SET, DAOS_OSEQ_POOL_PROP_SET)
CRT_RPC_DEFINE(pool_attr, DAOS_ISEQ_POOL_ATTR, DAOS_OSEQ_POOL_ATTR)

/*
 * Collective POOL_TGT_CREATE: merge a child's output into this node's. The
 * node's tco_ranks array is allocated by its handler and grown here; it is
 * freed once the node's reply has left (co_post_reply).
 */
static int
pool_tgt_create_aggregate(crt_rpc_t *source, crt_rpc_t *result, void *priv)
{
	struct pool_tgt_create_out *src = crt_reply_get(source);
	struct pool_tgt_create_out *dst = crt_reply_get(result);
	pool_tgt_count_t *n;
	uint64_t cnt = dst->tco_ranks.ca_count;

	if (dst->tco_rc == 0)
		dst->tco_rc = src->tco_rc;
	dst->tco_ntargets += src->tco_ntargets;
	if (src->tco_ranks.ca_count == 0)
		return 0;
	if (src->tco_ranks.ca_count > 65536)
		return -DER_PROTO;
	D_REALLOC_ARRAY(n, dst->tco_ranks.ca_arrays, cnt, cnt + src->tco_ranks.ca_count);
	if (n == NULL)
		return -DER_NOMEM;
	memcpy(&n[cnt], src->tco_ranks.ca_arrays, src->tco_ranks.ca_count * sizeof(*n));
	dst->tco_ranks.ca_arrays = n;
	dst->tco_ranks.ca_count = cnt + src->tco_ranks.ca_count;
	return 0;
}

static int
pool_tgt_create_post_reply(crt_rpc_t *rpc, void *arg)
{
	struct pool_tgt_create_out *out = crt_reply_get(rpc);

	D_FREE(out->tco_ranks.ca_arrays);
	out->tco_ranks.ca_count = 0;
	return 0;
}

static int
pool_tgt_destroy_aggregate(crt_rpc_t *source, crt_rpc_t *result, void *priv)
{
	struct pool_tgt_destroy_out *src = crt_reply_get(source);
	struct pool_tgt_destroy_out *dst = crt_reply_get(result);

	if (dst->tdo_rc == 0)
		dst->tdo_rc = src->tdo_rc;
	return 0;
}

static struct crt_corpc_ops pool_tgt_create_co_ops = {
	.co_aggregate = pool_tgt_create_aggregate,
	.co_post_reply = pool_tgt_create_post_reply,
};

static struct crt_corpc_ops pool_tgt_destroy_co_ops = {
	.co_aggregate = pool_tgt_destroy_aggregate,
};

/* only the server's collective RPCs have aggregation callbacks; clients never receive them */
#define POOL_CO_OPS(idx)                                            \
	((idx) == POOL_TGT_CREATE_IDX    ? &pool_tgt_create_co_ops  \
	 : (idx) == POOL_TGT_DESTROY_IDX ? &pool_tgt_destroy_co_ops \
					 : NULL)

static struct crt_proto_rpc_format pool_proto_rpcs[] = {
#define X(opc, fmt) {.prf_req_fmt = &CQF_##fmt, .prf_co_ops = POOL_CO_OPS(opc##_IDX)},
	POOL_PROTO_RPC_LIST
#undef X
};

struct crt_proto_format pool_proto_fmt = {
	.cpf_name = "pool",
	.cpf_ver = DAOS_POOL_VERSION,
	.cpf_count = POOL_PROTO_COUNT,
	.cpf_prf = pool_proto_rpcs,
	.cpf_base = DAOS_POOL_BASE,
};

/* ---- pool map ---- */

int
pool_map_encode(const struct pool_map *map, void **bufp, size_t *lenp)
{
	uint32_t *buf, i, j, n = 2;
	size_t k = 0;

	for (i = 0; i < map->pm_nranks; i++)
		n += 2 + map->pm_ranks[i].pmr_ntgts;
	D_ALLOC_ARRAY(buf, n);
	if (buf == NULL)
		return -DER_NOMEM;
	buf[k++] = map->pm_version;
	buf[k++] = map->pm_nranks;
	for (i = 0; i < map->pm_nranks; i++) {
		buf[k++] = map->pm_ranks[i].pmr_rank;
		buf[k++] = map->pm_ranks[i].pmr_ntgts;
		for (j = 0; j < map->pm_ranks[i].pmr_ntgts; j++)
			buf[k++] = map->pm_ranks[i].pmr_states[j];
	}
	*bufp = buf;
	*lenp = n * sizeof(uint32_t);
	return 0;
}

void
pool_map_free(struct pool_map *map)
{
	uint32_t i;

	if (map == NULL)
		return;
	for (i = 0; i < map->pm_nranks && map->pm_ranks != NULL; i++)
		D_FREE(map->pm_ranks[i].pmr_states);
	D_FREE(map->pm_ranks);
	D_FREE(map);
}

/* Input comes from the network or disk: every count is checked against the length. */
int
pool_map_decode(const void *bufv, size_t len, struct pool_map **mapp)
{
	const uint32_t *buf = bufv;
	size_t n = len / sizeof(uint32_t), k = 2;
	struct pool_map *map;
	uint32_t i, j;

	if (buf == NULL || len % sizeof(uint32_t) != 0 || n < 2 || buf[1] > n)
		return -DER_INVAL;
	D_ALLOC_PTR(map);
	if (map == NULL)
		return -DER_NOMEM;
	map->pm_version = buf[0];
	D_ALLOC_ARRAY(map->pm_ranks, buf[1] + 1);
	if (map->pm_ranks == NULL) {
		D_FREE(map);
		return -DER_NOMEM;
	}
	for (i = 0; i < buf[1]; i++) {
		struct pool_map_rank *r = &map->pm_ranks[i];

		if (k + 2 > n || buf[k + 1] > n - k - 2)
			goto bad;
		r->pmr_rank = buf[k];
		r->pmr_ntgts = buf[k + 1];
		k += 2;
		D_ALLOC_ARRAY(r->pmr_states, r->pmr_ntgts + 1);
		map->pm_nranks = i + 1;
		if (r->pmr_states == NULL) {
			pool_map_free(map);
			return -DER_NOMEM;
		}
		for (j = 0; j < r->pmr_ntgts; j++)
			r->pmr_states[j] = buf[k++];
	}
	if (k != n)
		goto bad;
	*mapp = map;
	return 0;
bad:
	pool_map_free(map);
	return -DER_INVAL;
}

uint32_t
pool_map_ntargets(const struct pool_map *map)
{
	uint32_t i, n = 0;

	for (i = 0; i < map->pm_nranks; i++)
		n += map->pm_ranks[i].pmr_ntgts;
	return n;
}

uint32_t
pool_map_ndisabled(const struct pool_map *map)
{
	uint32_t i, j, n = 0;

	for (i = 0; i < map->pm_nranks; i++)
		for (j = 0; j < map->pm_ranks[i].pmr_ntgts; j++)
			if (map->pm_ranks[i].pmr_states[j] != DAOS_TS_UP &&
			    map->pm_ranks[i].pmr_states[j] != DAOS_TS_UP_IN)
				n++;
	return n;
}

const char *
pool_tgt_state_str(uint32_t state)
{
	switch (state) {
	case DAOS_TS_DOWN_OUT:
		return "DOWNOUT";
	case DAOS_TS_DOWN:
		return "DOWN";
	case DAOS_TS_UP:
		return "UP";
	case DAOS_TS_UP_IN:
		return "UPIN";
	case DAOS_TS_NEW:
		return "NEW";
	case DAOS_TS_DRAIN:
		return "DRAIN";
	default:
		return "UNKNOWN";
	}
}
