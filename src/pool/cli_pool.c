/**
 * libdaos pool API. The transport starts at the first connect (so
 * daos_init needs no system), which also fetches the group map from an
 * access point (daos/mgmt.h). The management service tells on which rank a
 * pool's service runs (POOL_LOCATE); every later request goes to that rank
 * through the group map, fetched again when the rank does not answer.
 * Replies carrying a newer pool map version make the client query the map.
 *
 * Requests go through libdaos's client transport (daos/rpc.h). Calls with an
 * event run to completion, then complete the event (it is launched first, so
 * EQ polling sees it as usual).
 */
#define D_LOGFAC DD_FAC(pool)

#include <unistd.h>
#include <daos.h>
#include <daos/attr.h>
#include <daos/hhash.h>
#include <daos/mgmt.h>
#include <daos/event.h>
#include <daos/pool.h>
#include <daos/prop.h>
#include <daos/rpc.h>
#include <gurt/common.h>
#include "rpc.h"

/*
 * Handle type of pool handles. gurt's handle table takes every even cookie
 * type for a pointer (D_HTYPE_PTR), so daos_types.h's DAOS_HTYPE_POOL (2)
 * cannot be looked up: use an odd type no other handle uses.
 */
#define DC_POOL_HTYPE 5

static void
dc_pool_free(struct d_hlink *hlink)
{
	struct dc_pool *pool = container_of(hlink, struct dc_pool, dp_hlink);

	pool_map_free(pool->dp_map);
	D_FREE(pool->dp_svc_uri);
	D_FREE(pool);
}

static struct d_hlink_ops dc_pool_h_ops = {.hop_free = dc_pool_free};

struct dc_pool *
dc_hdl2pool(daos_handle_t poh)
{
	struct d_hlink *h = daos_hhash_link_lookup(poh.cookie);

	if (h == NULL)
		return NULL;
	if (h->hl_ops != &dc_pool_h_ops) {
		daos_hhash_link_putref(h);
		return NULL;
	}
	return container_of(h, struct dc_pool, dp_hlink);
}

void
dc_pool_put(struct dc_pool *pool)
{
	daos_hhash_link_putref(&pool->dp_hlink);
}

/* Keep dp_svc_uri (read by other client modules) in step with the group map. */
static int
dc_pool_svc_uri_update(struct dc_pool *pool)
{
	char *uri = NULL;
	int rc;

	rc = dc_mgmt_rank_uri(pool->dp_svc_rank, &uri);
	if (rc != 0)
		return rc;
	if (pool->dp_svc_uri != NULL && strcmp(pool->dp_svc_uri, uri) == 0) {
		D_FREE(uri);
		return 0;
	}
	D_FREE(pool->dp_svc_uri);
	pool->dp_svc_uri = uri;
	return 0;
}

/* A request to the pool service's rank (dc_rpc_lock held). */
static int
dc_pool_req_create(struct dc_pool *pool, crt_opcode_t opc, crt_rpc_t **rpc)
{
	return dc_mgmt_req_create(pool->dp_svc_rank, opc, rpc);
}

/* Send it, fetching the group map again if the rank does not answer (dc_rpc_lock held). */
static int
dc_pool_req_send(struct dc_pool *pool, crt_rpc_t **rpc)
{
	int rc;

	rc = dc_mgmt_req_send(rpc);
	if (rc == 0)
		dc_pool_svc_uri_update(pool);
	return rc;
}

/* Where is pool \a id's service (dc_rpc_lock held). */
static int
dc_locate(const char *id, struct dc_pool *pool)
{
	struct pool_locate_in *in;
	struct pool_locate_out *out;
	char *uri = NULL;
	crt_rpc_t *rpc;
	int rc;

	rc = dc_mgmt_uri(&uri);
	if (rc != 0)
		return rc;
	rc = dc_req_create(uri, POOL_LOCATE, &rpc);
	if (rc == -DER_UNREACH) {
		/* the management service moved: ask the access points again */
		D_FREE(uri);
		rc = dc_mgmt_sys_refresh();
		if (rc == 0)
			rc = dc_mgmt_uri(&uri);
		if (rc == 0)
			rc = dc_req_create(uri, POOL_LOCATE, &rpc);
	}
	D_FREE(uri);
	if (rc != 0)
		return rc;
	in = crt_req_get(rpc);
	in->pli_id = (d_string_t)id;
	rc = dc_req_send(rpc);
	out = crt_reply_get(rpc);
	if (rc == 0)
		rc = out->plo_rc;
	if (rc == 0) {
		uuid_copy(pool->dp_uuid, out->plo_uuid);
		pool->dp_svc_rank = out->plo_svc_rank;
		rc = dc_mgmt_map_check(out->plo_map_version);
		if (rc > 0)
			rc = 0;
	}
	crt_req_decref(rpc);
	if (rc == 0) {
		rc = dc_pool_svc_uri_update(pool);
		/* a rank newer than our map: the map is stale even if no version said so */
		if (rc == -DER_OOG) {
			rc = dc_mgmt_sys_refresh();
			if (rc == 0)
				rc = dc_pool_svc_uri_update(pool);
		}
	}
	return rc;
}

static int dc_pool_query_rpc(struct dc_pool *pool, daos_pool_info_t *info, daos_prop_t *prop,
			     d_rank_list_t **ranks);

int
daos_pool_connect2(const char *pool_id, const char *sys, unsigned int flags, daos_handle_t *poh,
		   daos_pool_info_t *info, daos_event_t *ev)
{
	struct pool_connect_in *in;
	struct pool_connect_out *out;
	struct dc_pool *pool = NULL;
	crt_rpc_t *rpc = NULL;
	gid_t gids[64];
	int ngids, rc;

	if (pool_id == NULL || poh == NULL ||
	    (flags != DAOS_PC_RO && flags != DAOS_PC_RW && flags != DAOS_PC_EX))
		return dc_return(ev, -DER_INVAL);
	if (strnlen(pool_id, DAOS_PROP_LABEL_MAX_LEN + 1) > DAOS_PROP_LABEL_MAX_LEN)
		return dc_return(ev, -DER_INVAL);
	D_ALLOC_PTR(pool);
	if (pool == NULL)
		return dc_return(ev, -DER_NOMEM);
	daos_hhash_hlink_init(&pool->dp_hlink, &dc_pool_h_ops);
	pool->dp_flags = flags;
	uuid_generate(pool->dp_hdl);
	ngids = getgroups(64, gids);
	if (ngids < 0)
		ngids = 0;

	dc_rpc_lock();
	rc = dc_rpc_init(&pool_proto_fmt);
	if (rc == 0)
		rc = dc_locate(pool_id, pool);
	if (rc == 0)
		rc = dc_pool_req_create(pool, POOL_CONNECT, &rpc);
	if (rc != 0)
		goto out_unlock;
	in = crt_req_get(rpc);
	uuid_copy(in->pci_uuid, pool->dp_uuid);
	uuid_copy(in->pci_hdl, pool->dp_hdl);
	in->pci_flags = flags;
	in->pci_uid = geteuid();
	in->pci_gid = getegid();
	d_iov_set(&in->pci_gids, gids, (size_t)ngids * sizeof(gid_t));
	rc = dc_pool_req_send(pool, &rpc);
	out = crt_reply_get(rpc);
	if (rc == 0)
		rc = out->pco_rc;
	if (rc == 0) {
		rc = pool_map_decode(out->pco_map.iov_buf, out->pco_map.iov_len, &pool->dp_map);
		pool->dp_map_version = out->pco_map_version;
	}
	crt_req_decref(rpc);
out_unlock:
	dc_rpc_unlock();
	if (rc == 0) {
		daos_hhash_link_insert(&pool->dp_hlink, DC_POOL_HTYPE);
		daos_hhash_link_key(&pool->dp_hlink, &poh->cookie);
		if (info != NULL) {
			rc = dc_pool_query_rpc(pool, info, NULL, NULL);
			if (rc != 0) {
				daos_pool_disconnect(*poh, NULL);
				poh->cookie = 0;
			}
		}
		dc_pool_put(pool);
	} else {
		dc_pool_free(&pool->dp_hlink);
	}
	return dc_return(ev, rc);
}

int
daos_pool_disconnect(daos_handle_t poh, daos_event_t *ev)
{
	struct pool_disconnect_in *in;
	struct pool_disconnect_out *out;
	struct dc_pool *pool = dc_hdl2pool(poh);
	crt_rpc_t *rpc;
	int rc;

	if (pool == NULL)
		return dc_return(ev, -DER_NO_HDL);
	dc_rpc_lock();
	rc = dc_pool_req_create(pool, POOL_DISCONNECT, &rpc);
	if (rc == 0) {
		in = crt_req_get(rpc);
		uuid_copy(in->pdi_uuid, pool->dp_uuid);
		uuid_copy(in->pdi_hdl, pool->dp_hdl);
		rc = dc_pool_req_send(pool, &rpc);
		out = crt_reply_get(rpc);
		if (rc == 0)
			rc = out->pdo_rc;
		crt_req_decref(rpc);
	}
	dc_rpc_unlock();
	if (rc == 0)
		daos_hhash_link_delete(&pool->dp_hlink);
	dc_pool_put(pool);
	return dc_return(ev, rc);
}

static int
dc_pool_query_rpc(struct dc_pool *pool, daos_pool_info_t *info, daos_prop_t *prop,
		  d_rank_list_t **ranks)
{
	struct pool_query_in *in;
	struct pool_query_out *out;
	crt_rpc_t *rpc;
	int rc;

	dc_rpc_lock();
	rc = dc_pool_req_create(pool, POOL_QUERY, &rpc);
	if (rc != 0)
		goto out;
	in = crt_req_get(rpc);
	uuid_copy(in->pqi_uuid, pool->dp_uuid);
	uuid_copy(in->pqi_hdl, pool->dp_hdl);
	in->pqi_bits = info ? info->pi_bits : 0;
	rc = dc_pool_req_send(pool, &rpc);
	out = crt_reply_get(rpc);
	if (rc == 0)
		rc = out->pqo_rc;
	if (rc == 0 && (out->pqo_space.iov_len != sizeof(info->pi_space) ||
			out->pqo_rebuild.iov_len != sizeof(info->pi_rebuild_st)))
		rc = -DER_PROTO;
	if (rc == 0) {
		struct pool_map *map = NULL;

		rc = pool_map_decode(out->pqo_map.iov_buf, out->pqo_map.iov_len, &map);
		if (rc == 0 && info != NULL) {
			uuid_copy(info->pi_uuid, pool->dp_uuid);
			info->pi_ntargets = pool_map_ntargets(map);
			info->pi_nnodes = map->pm_nranks;
			info->pi_ndisabled = pool_map_ndisabled(map);
			info->pi_map_ver = out->pqo_map_version;
			info->pi_leader = out->pqo_leader;
			memcpy(&info->pi_space, out->pqo_space.iov_buf, sizeof(info->pi_space));
			memcpy(&info->pi_rebuild_st, out->pqo_rebuild.iov_buf,
			       sizeof(info->pi_rebuild_st));
		}
		if (rc == 0 && ranks != NULL) {
			*ranks = d_rank_list_alloc(map->pm_nranks);
			if (*ranks == NULL)
				rc = -DER_NOMEM;
			for (uint32_t i = 0; rc == 0 && i < map->pm_nranks; i++)
				(*ranks)->rl_ranks[i] = map->pm_ranks[i].pmr_rank;
		}
		/* a newer map replaces the one connect brought */
		if (rc == 0 && map->pm_version > pool->dp_map_version) {
			pool_map_free(pool->dp_map);
			pool->dp_map = map;
			pool->dp_map_version = map->pm_version;
			map = NULL;
		}
		pool_map_free(map);
	}
	if (rc == 0 && prop != NULL) {
		daos_prop_t *all = NULL;

		rc = daos_prop_decode(out->pqo_prop.iov_buf, out->pqo_prop.iov_len, &all);
		if (rc == 0)
			rc = daos_prop_copy(prop, all);
		daos_prop_free(all);
	}
	crt_req_decref(rpc);
out:
	dc_rpc_unlock();
	return rc;
}

int
dc_pool_map_check(struct dc_pool *pool, uint32_t version)
{
	uint32_t cur;
	int rc;

	dc_rpc_lock();
	cur = pool->dp_map_version;
	dc_rpc_unlock();
	if (version <= cur)
		return 0;
	D_DEBUG(DB_MD, "pool " DF_UUID ": map %u is older than the service's %u\n",
		DP_UUID(pool->dp_uuid), cur, version);
	rc = dc_pool_query_rpc(pool, NULL, NULL, NULL);
	return rc == 0 ? 1 : rc;
}

int
daos_pool_query(daos_handle_t poh, d_rank_list_t **ranks, daos_pool_info_t *info,
		daos_prop_t *pool_prop, daos_event_t *ev)
{
	struct dc_pool *pool = dc_hdl2pool(poh);
	int rc;

	if (pool == NULL)
		return dc_return(ev, -DER_NO_HDL);
	rc = dc_pool_query_rpc(pool, info, pool_prop, ranks);
	dc_pool_put(pool);
	return dc_return(ev, rc);
}

int
daos_pool_query_target(daos_handle_t poh, uint32_t tgt, d_rank_t rank, daos_target_info_t *info,
		       daos_event_t *ev)
{
	struct pool_query_info_in *in;
	struct pool_query_info_out *out;
	struct dc_pool *pool;
	uint32_t map_version = 0;
	crt_rpc_t *rpc;
	int rc;

	if (info == NULL)
		return dc_return(ev, -DER_INVAL);
	pool = dc_hdl2pool(poh);
	if (pool == NULL)
		return dc_return(ev, -DER_NO_HDL);
	dc_rpc_lock();
	rc = dc_pool_req_create(pool, POOL_QUERY_INFO, &rpc);
	if (rc == 0) {
		in = crt_req_get(rpc);
		uuid_copy(in->qii_uuid, pool->dp_uuid);
		uuid_copy(in->qii_hdl, pool->dp_hdl);
		in->qii_rank = rank;
		in->qii_tgt = tgt;
		rc = dc_pool_req_send(pool, &rpc);
		out = crt_reply_get(rpc);
		if (rc == 0) {
			rc = out->qio_rc;
			map_version = out->qio_map_version;
		}
		if (rc == 0 && out->qio_space.iov_len != sizeof(info->ta_space))
			rc = -DER_PROTO;
		if (rc == 0) {
			memset(info, 0, sizeof(*info));
			info->ta_type = DAOS_TP_UNKNOWN;
			info->ta_state = (daos_target_state_t)out->qio_state;
			memcpy(&info->ta_space, out->qio_space.iov_buf, sizeof(info->ta_space));
		}
		crt_req_decref(rpc);
	}
	dc_rpc_unlock();
	if (rc == 0 && dc_pool_map_check(pool, map_version) < 0)
		D_WARN("pool " DF_UUID ": pool map refresh failed\n", DP_UUID(pool->dp_uuid));
	dc_pool_put(pool);
	return dc_return(ev, rc);
}

/* One attribute request; \a data receives the reply's buffer (caller frees). */
static int
dc_attr(daos_handle_t poh, uint32_t op, int n, char const *const names[],
	void const *const values[], size_t const sizes[], d_iov_t *data)
{
	struct pool_attr_in *in;
	struct pool_attr_out *out;
	struct dc_pool *pool;
	d_iov_t niov = {0}, viov = {0};
	uint32_t map_version = 0;
	crt_rpc_t *rpc;
	int rc = 0;

	if (op != POOL_ATTR_LIST && (n <= 0 || names == NULL))
		return -DER_INVAL;
	pool = dc_hdl2pool(poh);
	if (pool == NULL)
		return -DER_NO_HDL;
	if (op != POOL_ATTR_LIST)
		rc = dc_attr_pack_names(n, (const char *const *)names, &niov);
	if (rc == 0 && op == POOL_ATTR_SET)
		rc = dc_attr_pack_values(n, (const void *const *)values, sizes, &viov);
	if (rc != 0)
		goto out;
	dc_rpc_lock();
	rc = dc_pool_req_create(pool, POOL_ATTR, &rpc);
	if (rc == 0) {
		in = crt_req_get(rpc);
		uuid_copy(in->pai_uuid, pool->dp_uuid);
		uuid_copy(in->pai_hdl, pool->dp_hdl);
		in->pai_op = op;
		in->pai_n = (uint32_t)n;
		in->pai_names = niov;
		in->pai_values = viov;
		rc = dc_pool_req_send(pool, &rpc);
		out = crt_reply_get(rpc);
		if (rc == 0) {
			rc = out->pao_rc;
			map_version = out->pao_map_version;
		}
		if (rc == 0)
			rc = dc_attr_reply_copy(&out->pao_data, data);
		crt_req_decref(rpc);
	}
	dc_rpc_unlock();
	if (rc == 0 && dc_pool_map_check(pool, map_version) < 0)
		D_WARN("pool " DF_UUID ": pool map refresh failed\n", DP_UUID(pool->dp_uuid));
out:
	D_FREE(niov.iov_buf);
	D_FREE(viov.iov_buf);
	dc_pool_put(pool);
	return rc;
}

int
daos_pool_set_attr(daos_handle_t poh, int n, char const *const names[], void const *const values[],
		   size_t const sizes[], daos_event_t *ev)
{
	return dc_return(ev, dc_attr(poh, POOL_ATTR_SET, n, names, values, sizes, NULL));
}

int
daos_pool_del_attr(daos_handle_t poh, int n, char const *const names[], daos_event_t *ev)
{
	return dc_return(ev, dc_attr(poh, POOL_ATTR_DEL, n, names, NULL, NULL, NULL));
}

int
daos_pool_get_attr(daos_handle_t poh, int n, char const *const names[], void *const buffers[],
		   size_t sizes[], daos_event_t *ev)
{
	d_iov_t data = {0};
	int rc;

	if (sizes == NULL)
		return dc_return(ev, -DER_INVAL);
	rc = dc_attr(poh, POOL_ATTR_GET, n, names, NULL, NULL, &data);
	if (rc == 0)
		rc = dc_attr_get_unpack(&data, n, buffers, sizes);
	D_FREE(data.iov_buf);
	return dc_return(ev, rc);
}

int
daos_pool_list_attr(daos_handle_t poh, char *buffer, size_t *size, daos_event_t *ev)
{
	d_iov_t data = {0};
	int rc;

	if (size == NULL)
		return dc_return(ev, -DER_INVAL);
	rc = dc_attr(poh, POOL_ATTR_LIST, 0, NULL, NULL, NULL, &data);
	if (rc == 0)
		dc_attr_list_copy(&data, buffer, size);
	D_FREE(data.iov_buf);
	return dc_return(ev, rc);
}

/*
 * Global handle: magic, pool UUID, handle UUID, flags, service rank and
 * URI. The importer finds the rank through its own group map (fetched at
 * its first request); the map is fetched again by its first query.
 */
#define DC_POOL_GLOB_MAGIC 0x70d1a0c6U

struct dc_pool_glob {
	uint32_t pg_magic;
	uint32_t pg_uri_len;
	uuid_t pg_uuid;
	uuid_t pg_hdl;
	uint64_t pg_flags;
	d_rank_t pg_svc_rank;
	uint32_t pg_pad;
	char pg_uri[];
};

int
daos_pool_local2global(daos_handle_t poh, d_iov_t *glob)
{
	struct dc_pool *pool;
	struct dc_pool_glob *g;
	size_t len, ulen;

	if (glob == NULL)
		return -DER_INVAL;
	pool = dc_hdl2pool(poh);
	if (pool == NULL)
		return -DER_NO_HDL;
	ulen = strlen(pool->dp_svc_uri) + 1;
	len = sizeof(*g) + ulen;
	if (glob->iov_buf == NULL) {
		glob->iov_buf_len = len;
		glob->iov_len = 0;
		dc_pool_put(pool);
		return 0;
	}
	if (glob->iov_buf_len < len) {
		glob->iov_buf_len = len;
		dc_pool_put(pool);
		return -DER_TRUNC;
	}
	g = glob->iov_buf;
	g->pg_magic = DC_POOL_GLOB_MAGIC;
	g->pg_uri_len = (uint32_t)ulen;
	uuid_copy(g->pg_uuid, pool->dp_uuid);
	uuid_copy(g->pg_hdl, pool->dp_hdl);
	g->pg_flags = pool->dp_flags;
	g->pg_svc_rank = pool->dp_svc_rank;
	g->pg_pad = 0;
	memcpy(g->pg_uri, pool->dp_svc_uri, ulen);
	glob->iov_len = len;
	dc_pool_put(pool);
	return 0;
}

int
daos_pool_global2local(d_iov_t glob, daos_handle_t *poh)
{
	struct dc_pool_glob *g = glob.iov_buf;
	struct dc_pool *pool;
	int rc;

	if (poh == NULL || g == NULL || glob.iov_len < sizeof(*g) ||
	    g->pg_magic != DC_POOL_GLOB_MAGIC || g->pg_uri_len == 0 ||
	    glob.iov_len != sizeof(*g) + g->pg_uri_len || g->pg_uri[g->pg_uri_len - 1] != '\0')
		return -DER_INVAL;
	D_ALLOC_PTR(pool);
	if (pool == NULL)
		return -DER_NOMEM;
	daos_hhash_hlink_init(&pool->dp_hlink, &dc_pool_h_ops);
	uuid_copy(pool->dp_uuid, g->pg_uuid);
	uuid_copy(pool->dp_hdl, g->pg_hdl);
	pool->dp_flags = g->pg_flags;
	pool->dp_svc_rank = g->pg_svc_rank;
	D_STRNDUP(pool->dp_svc_uri, g->pg_uri, g->pg_uri_len);
	if (pool->dp_svc_uri == NULL) {
		D_FREE(pool);
		return -DER_NOMEM;
	}
	dc_rpc_lock();
	rc = dc_rpc_init(&pool_proto_fmt);
	dc_rpc_unlock();
	if (rc != 0) {
		dc_pool_free(&pool->dp_hlink);
		return rc;
	}
	daos_hhash_link_insert(&pool->dp_hlink, DC_POOL_HTYPE);
	daos_hhash_link_key(&pool->dp_hlink, &poh->cookie);
	dc_pool_put(pool);
	return 0;
}
