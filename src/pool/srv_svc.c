/**
 * Pool services hosted on this rank: one rdb per pool (one replica) holding
 * the properties (ACL, owner, label ...), the pool map, the open handles and
 * the attributes. Everything here runs on the system xstream.
 *
 * rdb layout (root KVS): "prop" -> daos_prop_encode() of every property,
 * "map" -> pool_map_encode(), "handles" (KVS: handle UUID -> struct
 * svc_hdl), "attrs" (KVS: name -> value).
 */
#define D_LOGFAC DD_FAC(pool)

#include <dirent.h>
#include <limits.h>
#include <unistd.h>
#include <gurt/common.h>
#include <daos/prop.h>
#include <daos/security.h>
#include <daos_srv/pool.h>
#include <daos_srv/rsvc.h>
#include "srv_internal.h"

RDB_STRING_KEY(ds_pool_key_, prop);
RDB_STRING_KEY(ds_pool_key_, map);
RDB_STRING_KEY(ds_pool_key_, handles);
RDB_STRING_KEY(ds_pool_key_, attrs);

struct pool_svc {
	d_list_t ps_link;
	uuid_t ps_uuid;
	struct rdb *ps_db;
	rdb_path_t ps_root;
	rdb_path_t ps_handles;
	rdb_path_t ps_attrs;
};

struct svc_hdl {
	uint64_t sh_flags;
	uint32_t sh_uid;
	uint32_t sh_gid;
};

static d_list_t svc_list = D_LIST_HEAD_INIT(svc_list);

static int
svc_rdb_path(const uuid_t uuid, char *buf, size_t len)
{
	char dir[PATH_MAX];
	int rc;

	rc = ds_pool_dir(uuid, false, dir, sizeof(dir));
	if (rc == 0 && (size_t)snprintf(buf, len, "%s/%s", dir, POOL_RDB_FILE) >= len)
		rc = -DER_INVAL;
	return rc;
}

static struct pool_svc *
svc_find(const uuid_t uuid)
{
	struct pool_svc *svc;

	d_list_for_each_entry(svc, &svc_list,
			      ps_link) if (uuid_compare(svc->ps_uuid, uuid) == 0) return svc;
	return NULL;
}

bool
ds_pool_svc_exists(const uuid_t uuid)
{
	return svc_find(uuid) != NULL;
}

static void
svc_free(struct pool_svc *svc)
{
	rdb_path_fini(&svc->ps_root);
	rdb_path_fini(&svc->ps_handles);
	rdb_path_fini(&svc->ps_attrs);
	D_FREE(svc);
}

static int
svc_alloc(const uuid_t uuid, struct pool_svc **svcp)
{
	struct pool_svc *svc;
	int rc;

	D_ALLOC_PTR(svc);
	if (svc == NULL)
		return -DER_NOMEM;
	uuid_copy(svc->ps_uuid, uuid);
	rc = rdb_path_init(&svc->ps_root);
	if (rc == 0)
		rc = rdb_path_push(&svc->ps_root, &rdb_path_root_key);
	if (rc == 0)
		rc = rdb_path_clone(&svc->ps_root, &svc->ps_handles);
	if (rc == 0)
		rc = rdb_path_push(&svc->ps_handles, &ds_pool_key_handles);
	if (rc == 0)
		rc = rdb_path_clone(&svc->ps_root, &svc->ps_attrs);
	if (rc == 0)
		rc = rdb_path_push(&svc->ps_attrs, &ds_pool_key_attrs);
	if (rc != 0) {
		svc_free(svc);
		return rc;
	}
	*svcp = svc;
	return 0;
}

static int
svc_tx_begin(struct pool_svc *svc, struct rdb_tx *tx)
{
	uint64_t term;

	if (!rdb_is_leader(svc->ps_db, &term))
		return -DER_NOTLEADER;
	return rdb_tx_begin(svc->ps_db, term, tx);
}

/* Look \a key up in the root KVS; the value is valid until the TX ends. */
static int
svc_get(struct rdb_tx *tx, struct pool_svc *svc, d_iov_t *key, d_iov_t *val)
{
	d_iov_set(val, NULL, 0);
	return rdb_tx_lookup(tx, &svc->ps_root, key, val);
}

static int
svc_get_prop(struct rdb_tx *tx, struct pool_svc *svc, daos_prop_t **prop)
{
	d_iov_t val;
	int rc;

	rc = svc_get(tx, svc, &ds_pool_key_prop, &val);
	if (rc == 0)
		rc = daos_prop_decode(val.iov_buf, val.iov_len, prop);
	return rc;
}

static int
svc_get_map(struct rdb_tx *tx, struct pool_svc *svc, struct pool_map **map, d_iov_t *raw)
{
	d_iov_t val;
	int rc;

	rc = svc_get(tx, svc, &ds_pool_key_map, &val);
	if (rc == 0 && raw != NULL)
		*raw = val;
	if (rc == 0 && map != NULL)
		rc = pool_map_decode(val.iov_buf, val.iov_len, map);
	return rc;
}

static int
svc_start(struct pool_svc *svc, struct rdb_storage *st)
{
	int rc;

	rc = rdb_start(st, &svc->ps_db);
	if (rc != 0) {
		rdb_close(st);
		return rc;
	}
	d_list_add_tail(&svc->ps_link, &svc_list);
	return 0;
}

int
ds_pool_svc_create_local(const uuid_t uuid, d_iov_t *prop_iov, d_iov_t *map_iov)
{
	rdb_replica_id_t self = {.rri_rank = dss_self_rank(), .rri_gen = 1};
	struct rdb_create_params params = {.rcp_size = 16ULL << 20,
					   .rcp_id = self,
					   .rcp_replicas = &self,
					   .rcp_replicas_len = 1};
	struct rdb_kvs_attr attr = {.dsa_class = RDB_KVS_GENERIC};
	struct rdb_storage *st = NULL;
	struct pool_svc *svc = NULL;
	struct pool_map *map = NULL;
	daos_prop_t *prop = NULL;
	struct rdb_tx tx;
	char path[PATH_MAX];
	int rc;

	if (svc_find(uuid) != NULL)
		return -DER_EXIST;
	/* what is stored must decode later */
	rc = daos_prop_decode(prop_iov->iov_buf, prop_iov->iov_len, &prop);
	if (rc == 0)
		rc = pool_map_decode(map_iov->iov_buf, map_iov->iov_len, &map);
	daos_prop_free(prop);
	pool_map_free(map);
	if (rc != 0)
		return rc;
	rc = svc_rdb_path(uuid, path, sizeof(path));
	if (rc != 0)
		return rc;
	rc = svc_alloc(uuid, &svc);
	if (rc != 0)
		return rc;
	rc = rdb_create(path, uuid, 1, &params, NULL, NULL, &st);
	if (rc != 0) {
		svc_free(svc);
		return rc;
	}
	rc = svc_start(svc, st);
	if (rc != 0)
		goto err_destroy;
	rc = svc_tx_begin(svc, &tx);
	if (rc != 0)
		goto err_stop;
	rc = rdb_tx_create_root(&tx, &attr);
	if (rc == 0)
		rc = rdb_tx_update(&tx, &svc->ps_root, &ds_pool_key_prop, prop_iov);
	if (rc == 0)
		rc = rdb_tx_update(&tx, &svc->ps_root, &ds_pool_key_map, map_iov);
	if (rc == 0)
		rc = rdb_tx_create_kvs(&tx, &svc->ps_root, &ds_pool_key_handles, &attr);
	if (rc == 0)
		rc = rdb_tx_create_kvs(&tx, &svc->ps_root, &ds_pool_key_attrs, &attr);
	if (rc == 0)
		rc = rdb_tx_commit(&tx);
	rdb_tx_end(&tx);
	if (rc != 0)
		goto err_stop;
	D_INFO("pool service " DF_UUID " created\n", DP_UUID(uuid));
	return 0;

err_stop:
	d_list_del(&svc->ps_link);
	rdb_stop_and_close(svc->ps_db);
	st = NULL;
err_destroy:
	if (st != NULL)
		rdb_close(st);
	rdb_destroy(path, uuid);
	svc_free(svc);
	return rc;
}

static int
svc_nhandles(struct pool_svc *svc, struct rdb_tx *tx, uint32_t *nr)
{
	d_iov_t key, val;
	int rc;

	*nr = 0;
	d_iov_set(&key, NULL, 0);
	d_iov_set(&val, NULL, 0);
	rc = rdb_tx_fetch(tx, &svc->ps_handles, RDB_PROBE_FIRST, NULL, &key, &val);
	if (rc == -DER_NONEXIST)
		return 0;
	if (rc == 0)
		*nr = 1; /* "some": callers only ask whether any is open */
	return rc;
}

int
ds_pool_svc_stop_local(const uuid_t uuid, bool force, bool destroy)
{
	struct pool_svc *svc = svc_find(uuid);
	char path[PATH_MAX];
	struct rdb_tx tx;
	uint32_t nr = 0;
	int rc;

	if (svc == NULL)
		return -DER_NONEXIST;
	if (!force) {
		rc = svc_tx_begin(svc, &tx);
		if (rc != 0)
			return rc;
		rc = svc_nhandles(svc, &tx, &nr);
		rdb_tx_end(&tx);
		if (rc != 0)
			return rc;
		if (nr > 0) {
			D_ERROR("pool " DF_UUID " has open handles\n", DP_UUID(uuid));
			return -DER_BUSY;
		}
	}
	d_list_del(&svc->ps_link);
	rdb_stop_and_close(svc->ps_db);
	if (destroy && svc_rdb_path(uuid, path, sizeof(path)) == 0)
		rdb_destroy(path, uuid);
	svc_free(svc);
	D_INFO("pool service " DF_UUID " stopped\n", DP_UUID(uuid));
	return 0;
}

int
ds_pool_svc_open_all(void)
{
	const struct dss_srv_config *cfg = dss_srv_config_get();
	char path[PATH_MAX];
	struct dirent *de;
	DIR *d;

	snprintf(path, sizeof(path), "%s/%s", cfg->sc_scm_mount, POOL_DIR);
	d = opendir(path);
	if (d == NULL)
		return 0;
	while ((de = readdir(d)) != NULL) {
		struct rdb_storage *st;
		struct pool_svc *svc;
		uuid_t uuid;
		int rc;

		if (uuid_parse(de->d_name, uuid) != 0 || svc_find(uuid) != NULL)
			continue;
		if (svc_rdb_path(uuid, path, sizeof(path)) != 0 || access(path, F_OK) != 0)
			continue;
		rc = svc_alloc(uuid, &svc);
		if (rc != 0)
			break;
		rc = rdb_open(path, uuid, RDB_NIL_TERM, NULL, NULL, &st);
		if (rc == 0)
			rc = svc_start(svc, st);
		if (rc != 0) {
			D_ERROR("pool service %s: " DF_RC "\n", de->d_name, DP_RC(rc));
			svc_free(svc);
			continue;
		}
		D_INFO("pool service %s started\n", de->d_name);
	}
	closedir(d);
	return 0;
}

void
ds_pool_svc_close_all(void)
{
	struct pool_svc *svc, *tmp;

	d_list_for_each_entry_safe(svc, tmp, &svc_list, ps_link)
	{
		d_list_del(&svc->ps_link);
		rdb_stop_and_close(svc->ps_db);
		svc_free(svc);
	}
}

/* ---- handlers ---- */

void
ds_pool_hdlr_svc_create(crt_rpc_t *rpc)
{
	struct pool_svc_create_in *in = crt_req_get(rpc);
	struct pool_svc_create_out *out = crt_reply_get(rpc);

	out->sco_rc = ds_pool_svc_create_local(in->sci_uuid, &in->sci_prop, &in->sci_map);
	crt_reply_send(rpc);
}

void
ds_pool_hdlr_svc_stop(crt_rpc_t *rpc)
{
	struct pool_tgt_destroy_in *in = crt_req_get(rpc);
	struct pool_tgt_destroy_out *out = crt_reply_get(rpc);

	out->tdo_rc = ds_pool_svc_stop_local(in->tdi_uuid, in->tdi_force, false);
	if (out->tdo_rc == -DER_NONEXIST)
		out->tdo_rc = 0; /* stopped by an earlier attempt */
	crt_reply_send(rpc);
}

static bool
hdl_is_nil(const uuid_t hdl)
{
	return uuid_is_null(hdl);
}

/* A request with a handle needs that handle to be open (dmg sends none). */
static int
svc_check_hdl(struct pool_svc *svc, struct rdb_tx *tx, const uuid_t hdl, struct svc_hdl *h)
{
	d_iov_t key, val;
	int rc;

	if (hdl_is_nil(hdl))
		return 0;
	d_iov_set(&key, (void *)hdl, sizeof(uuid_t));
	d_iov_set(&val, NULL, 0);
	rc = rdb_tx_lookup(tx, &svc->ps_handles, &key, &val);
	if (rc == -DER_NONEXIST)
		return -DER_NO_HDL;
	if (rc == 0 && h != NULL && val.iov_len == sizeof(*h))
		memcpy(h, val.iov_buf, sizeof(*h));
	return rc;
}

struct hdl_scan {
	bool hs_any;
	bool hs_ex;
};

static int
hdl_scan_cb(daos_handle_t ih, d_iov_t *key, d_iov_t *val, void *arg)
{
	struct hdl_scan *s = arg;
	struct svc_hdl h;

	s->hs_any = true;
	if (val->iov_len == sizeof(h)) {
		memcpy(&h, val->iov_buf, sizeof(h));
		if (h.sh_flags & DAOS_PC_EX)
			s->hs_ex = true;
	}
	return 0;
}

static int
svc_connect(struct pool_svc *svc, struct pool_connect_in *in, struct pool_connect_out *out,
	    void **map_buf)
{
	daos_prop_t *prop = NULL;
	struct daos_prop_entry *acl, *owner, *group;
	struct svc_hdl h = {
		.sh_flags = in->pci_flags, .sh_uid = in->pci_uid, .sh_gid = in->pci_gid};
	struct hdl_scan scan = {0};
	uint64_t perms = 0, need;
	struct rdb_tx tx;
	d_iov_t key, val, raw;
	int rc;

	if (in->pci_flags == 0 ||
	    (in->pci_flags & ~(uint64_t)(DAOS_PC_RO | DAOS_PC_RW | DAOS_PC_EX)))
		return -DER_INVAL;
	if (in->pci_gids.iov_len % sizeof(gid_t) != 0 || hdl_is_nil(in->pci_hdl))
		return -DER_INVAL;
	rc = svc_tx_begin(svc, &tx);
	if (rc != 0)
		return rc;
	rc = svc_get_prop(&tx, svc, &prop);
	if (rc != 0)
		goto out;
	acl = daos_prop_entry_get(prop, DAOS_PROP_PO_ACL);
	owner = daos_prop_entry_get(prop, DAOS_PROP_PO_OWNER);
	group = daos_prop_entry_get(prop, DAOS_PROP_PO_OWNER_GROUP);
	if (acl == NULL || acl->dpe_val_ptr == NULL)
		D_GOTO(out, rc = -DER_NO_PERM);
	rc = daos_acl_get_perms_ids(acl->dpe_val_ptr, owner ? owner->dpe_str : NULL,
				    group ? group->dpe_str : NULL, in->pci_uid, in->pci_gid,
				    in->pci_gids.iov_buf, in->pci_gids.iov_len / sizeof(gid_t),
				    &perms);
	if (rc != 0)
		goto out;
	need = DAOS_ACL_PERM_READ;
	if (in->pci_flags & (DAOS_PC_RW | DAOS_PC_EX))
		need |= DAOS_ACL_PERM_WRITE;
	if ((perms & need) != need) {
		D_INFO("pool " DF_UUID ": uid %u denied (perms %#lx, need %#lx)\n",
		       DP_UUID(svc->ps_uuid), in->pci_uid, (unsigned long)perms,
		       (unsigned long)need);
		D_GOTO(out, rc = -DER_NO_PERM);
	}
	/* the same handle again is a retry */
	if (svc_check_hdl(svc, &tx, in->pci_hdl, NULL) == 0)
		goto reply;
	rc = rdb_tx_iterate(&tx, &svc->ps_handles, false, hdl_scan_cb, &scan);
	if (rc != 0)
		goto out;
	if (scan.hs_ex || (scan.hs_any && (in->pci_flags & DAOS_PC_EX)))
		D_GOTO(out, rc = -DER_BUSY);
	d_iov_set(&key, in->pci_hdl, sizeof(uuid_t));
	d_iov_set(&val, &h, sizeof(h));
	rc = rdb_tx_update(&tx, &svc->ps_handles, &key, &val);
	if (rc == 0)
		rc = rdb_tx_commit(&tx);
	if (rc != 0)
		goto out;
reply:
	rc = svc_get_map(&tx, svc, NULL, &raw);
	if (rc == 0) {
		D_ALLOC(*map_buf, raw.iov_len);
		if (*map_buf == NULL)
			D_GOTO(out, rc = -DER_NOMEM);
		memcpy(*map_buf, raw.iov_buf, raw.iov_len);
		d_iov_set(&out->pco_map, *map_buf, raw.iov_len);
		out->pco_map_version = ((uint32_t *)raw.iov_buf)[0];
	}
out:
	rdb_tx_end(&tx);
	daos_prop_free(prop);
	return rc;
}

void
ds_pool_hdlr_connect(crt_rpc_t *rpc)
{
	struct pool_connect_in *in = crt_req_get(rpc);
	struct pool_connect_out *out = crt_reply_get(rpc);
	struct pool_svc *svc = svc_find(in->pci_uuid);
	void *map = NULL;

	out->pco_rc = svc ? svc_connect(svc, in, out, &map) : -DER_NONEXIST;
	crt_reply_send(rpc);
	D_FREE(map);
}

void
ds_pool_hdlr_disconnect(crt_rpc_t *rpc)
{
	struct pool_disconnect_in *in = crt_req_get(rpc);
	struct pool_disconnect_out *out = crt_reply_get(rpc);
	struct pool_svc *svc = svc_find(in->pdi_uuid);
	struct rdb_tx tx;
	d_iov_t key;
	int rc;

	if (svc == NULL)
		D_GOTO(out, rc = -DER_NONEXIST);
	rc = svc_tx_begin(svc, &tx);
	if (rc != 0)
		goto out;
	d_iov_set(&key, in->pdi_hdl, sizeof(uuid_t));
	rc = svc_check_hdl(svc, &tx, in->pdi_hdl, NULL);
	if (rc == 0 && !hdl_is_nil(in->pdi_hdl))
		rc = rdb_tx_delete(&tx, &svc->ps_handles, &key);
	if (rc == 0)
		rc = rdb_tx_commit(&tx);
	else if (rc == -DER_NO_HDL)
		rc = 0; /* a retried disconnect */
	rdb_tx_end(&tx);
out:
	out->pdo_rc = rc;
	crt_reply_send(rpc);
}

/* Space of every target of the map: one POOL_TGT_QUERY per remote rank, local ones directly. */
static int
svc_space(struct pool_svc *svc, struct pool_map *map, struct daos_pool_space *ps)
{
	struct dss_module_info *dmi = dss_get_module_info();
	crt_rpc_t **rpcs = NULL;
	int *rcs = NULL, *idx = NULL, n = 0, i, m, rc = 0;
	uint64_t sum[DAOS_MEDIA_MAX] = {0};
	uint32_t r;

	memset(ps, 0, sizeof(*ps));
	for (m = 0; m < DAOS_MEDIA_MAX; m++)
		ps->ps_free_min[m] = UINT64_MAX;
	D_ALLOC_ARRAY(rpcs, map->pm_nranks + 1);
	D_ALLOC_ARRAY(rcs, map->pm_nranks + 1);
	D_ALLOC_ARRAY(idx, map->pm_nranks + 1);
	if (rpcs == NULL || rcs == NULL || idx == NULL)
		D_GOTO(out, rc = -DER_NOMEM);
	for (r = 0; r < map->pm_nranks; r++) {
		crt_endpoint_t ep = {.ep_rank = map->pm_ranks[r].pmr_rank, .ep_tag = 0};
		struct pool_tgt_query_in *in;

		if (ep.ep_rank == dss_self_rank())
			continue;
		rc = crt_req_create(dmi->dmi_ctx, &ep, POOL_TGT_QUERY, &rpcs[n]);
		if (rc != 0)
			goto out;
		in = crt_req_get(rpcs[n]);
		uuid_copy(in->tqi_uuid, svc->ps_uuid);
		in->tqi_tgt = -1;
		idx[n++] = (int)r;
	}
	ds_pool_send_all(rpcs, n, 10000, rcs);
	for (r = 0, i = 0; r < map->pm_nranks; r++) {
		struct daos_space *sp = NULL;
		int nr = 0, k, lrc;

		if (map->pm_ranks[r].pmr_rank == dss_self_rank()) {
			lrc = ds_pool_tgt_query_local(svc->ps_uuid, -1, &sp, &nr);
		} else {
			struct pool_tgt_query_out *out;

			for (i = 0; i < n && idx[i] != (int)r; i++)
				;
			out = crt_reply_get(rpcs[i]);
			lrc = rcs[i] != 0 ? rcs[i] : out->tqo_rc;
			if (lrc == 0) {
				nr = out->tqo_space.iov_len / sizeof(*sp);
				sp = out->tqo_space.iov_buf;
			}
		}
		if (lrc != 0) {
			D_WARN("pool " DF_UUID ": rank %u space unknown: " DF_RC "\n",
			       DP_UUID(svc->ps_uuid), map->pm_ranks[r].pmr_rank, DP_RC(lrc));
			continue;
		}
		for (k = 0; k < nr; k++) {
			struct daos_space s;

			memcpy(&s, &sp[k], sizeof(s));
			for (m = 0; m < DAOS_MEDIA_MAX; m++) {
				ps->ps_space.s_total[m] += s.s_total[m];
				ps->ps_space.s_free[m] += s.s_free[m];
				sum[m] += s.s_free[m];
				if (s.s_free[m] < ps->ps_free_min[m])
					ps->ps_free_min[m] = s.s_free[m];
				if (s.s_free[m] > ps->ps_free_max[m])
					ps->ps_free_max[m] = s.s_free[m];
			}
			ps->ps_ntargets++;
		}
		if (map->pm_ranks[r].pmr_rank == dss_self_rank())
			D_FREE(sp);
	}
	for (m = 0; m < DAOS_MEDIA_MAX; m++) {
		if (ps->ps_ntargets == 0)
			ps->ps_free_min[m] = 0;
		else
			ps->ps_free_mean[m] = sum[m] / ps->ps_ntargets;
	}
	rc = 0;
out:
	for (i = 0; i < n; i++)
		crt_req_decref(rpcs[i]);
	D_FREE(rpcs);
	D_FREE(rcs);
	D_FREE(idx);
	return rc;
}

/* The stored properties plus the service's replica list (never stored: it is where we run). */
static int
svc_prop_full(daos_prop_t *stored, daos_prop_t **full)
{
	daos_prop_t *extra, *merged;
	d_rank_list_t *ranks;

	extra = daos_prop_alloc(1);
	ranks = d_rank_list_alloc(1);
	if (extra == NULL || ranks == NULL) {
		daos_prop_free(extra);
		d_rank_list_free(ranks);
		return -DER_NOMEM;
	}
	ranks->rl_ranks[0] = dss_self_rank();
	extra->dpp_entries[0].dpe_type = DAOS_PROP_PO_SVC_LIST;
	extra->dpp_entries[0].dpe_val_ptr = ranks;
	merged = daos_prop_merge(stored, extra);
	daos_prop_free(extra);
	if (merged == NULL)
		return -DER_NOMEM;
	*full = merged;
	return 0;
}

void
ds_pool_hdlr_query(crt_rpc_t *rpc)
{
	struct pool_query_in *in = crt_req_get(rpc);
	struct pool_query_out *out = crt_reply_get(rpc);
	struct pool_svc *svc = svc_find(in->pqi_uuid);
	struct daos_rebuild_status rs = {0};
	struct daos_pool_space ps;
	struct pool_map *map = NULL;
	daos_prop_t *prop = NULL, *full = NULL;
	void *prop_buf = NULL, *map_buf = NULL;
	size_t prop_len = 0;
	struct rdb_tx tx;
	d_iov_t raw;
	int rc;

	if (svc == NULL)
		D_GOTO(out, rc = -DER_NONEXIST);
	rc = svc_tx_begin(svc, &tx);
	if (rc != 0)
		goto out;
	rc = svc_check_hdl(svc, &tx, in->pqi_hdl, NULL);
	if (rc == 0)
		rc = svc_get_map(&tx, svc, &map, &raw);
	if (rc == 0) {
		D_ALLOC(map_buf, raw.iov_len);
		if (map_buf != NULL)
			memcpy(map_buf, raw.iov_buf, raw.iov_len);
		else
			rc = -DER_NOMEM;
	}
	if (rc == 0)
		rc = svc_get_prop(&tx, svc, &prop);
	if (rc == 0)
		rc = svc_nhandles(svc, &tx, &out->pqo_nhandles);
	rdb_tx_end(&tx);
	if (rc == 0)
		rc = svc_prop_full(prop, &full);
	if (rc == 0)
		rc = daos_prop_encode(full, &prop_buf, &prop_len);
	if (rc != 0)
		goto out;
	/* the TX is over: gathering space waits on other ranks */
	rc = svc_space(svc, map, &ps);
	if (rc != 0)
		goto out;
	rs.rs_state = DRS_COMPLETED;
	rs.rs_version = 0;
	out->pqo_map_version = map->pm_version;
	out->pqo_leader = dss_self_rank();
	d_iov_set(&out->pqo_map, map_buf, raw.iov_len);
	d_iov_set(&out->pqo_space, &ps, sizeof(ps));
	d_iov_set(&out->pqo_rebuild, &rs, sizeof(rs));
	d_iov_set(&out->pqo_prop, prop_buf, prop_len);
out:
	out->pqo_rc = rc;
	crt_reply_send(rpc);
	pool_map_free(map);
	daos_prop_free(prop);
	daos_prop_free(full);
	D_FREE(prop_buf);
	D_FREE(map_buf);
}

void
ds_pool_hdlr_query_info(crt_rpc_t *rpc)
{
	struct dss_module_info *dmi = dss_get_module_info();
	struct pool_query_info_in *in = crt_req_get(rpc);
	struct pool_query_info_out *out = crt_reply_get(rpc);
	struct pool_svc *svc = svc_find(in->qii_uuid);
	struct daos_space *sp = NULL, space = {0};
	struct pool_map *map = NULL;
	struct rdb_tx tx;
	crt_rpc_t *req = NULL;
	uint32_t r;
	int rc, nr = 0, rcs[1];

	if (svc == NULL)
		D_GOTO(out, rc = -DER_NONEXIST);
	rc = svc_tx_begin(svc, &tx);
	if (rc != 0)
		goto out;
	rc = svc_check_hdl(svc, &tx, in->qii_hdl, NULL);
	if (rc == 0)
		rc = svc_get_map(&tx, svc, &map, NULL);
	rdb_tx_end(&tx);
	if (rc != 0)
		goto out;
	for (r = 0; r < map->pm_nranks; r++)
		if (map->pm_ranks[r].pmr_rank == in->qii_rank)
			break;
	if (r == map->pm_nranks || in->qii_tgt >= map->pm_ranks[r].pmr_ntgts)
		D_GOTO(out, rc = -DER_NONEXIST);
	out->qio_state = map->pm_ranks[r].pmr_states[in->qii_tgt];
	out->qio_map_version = map->pm_version;
	if (in->qii_rank == dss_self_rank()) {
		rc = ds_pool_tgt_query_local(in->qii_uuid, (int)in->qii_tgt, &sp, &nr);
		if (rc == 0 && nr == 1)
			space = sp[0];
		D_FREE(sp);
	} else {
		crt_endpoint_t ep = {.ep_rank = in->qii_rank, .ep_tag = 0};
		struct pool_tgt_query_in *qin;
		struct pool_tgt_query_out *qout;

		rc = crt_req_create(dmi->dmi_ctx, &ep, POOL_TGT_QUERY, &req);
		if (rc != 0)
			goto out;
		qin = crt_req_get(req);
		uuid_copy(qin->tqi_uuid, in->qii_uuid);
		qin->tqi_tgt = (int32_t)in->qii_tgt;
		rc = ds_pool_send_all(&req, 1, 10000, rcs);
		qout = crt_reply_get(req);
		if (rc == 0)
			rc = qout->tqo_rc;
		if (rc == 0 && qout->tqo_space.iov_len == sizeof(space))
			memcpy(&space, qout->tqo_space.iov_buf, sizeof(space));
		crt_req_decref(req);
	}
	if (rc == 0)
		d_iov_set(&out->qio_space, &space, sizeof(space));
out:
	out->qio_rc = rc;
	crt_reply_send(rpc);
	pool_map_free(map);
}

static int
svc_prop_apply(daos_prop_t *old, struct pool_prop_set_in *in, daos_prop_t **newp)
{
	daos_prop_t *req = NULL;
	struct daos_prop_entry *e, *acl_e;
	struct daos_acl *acl = NULL;
	uint32_t i;
	int rc;

	acl_e = daos_prop_entry_get(old, DAOS_PROP_PO_ACL);
	if (in->psi_op == POOL_PROP_OP_ACL_DELETE) {
		enum daos_acl_principal_type type;
		char *name = NULL;

		if (in->psi_principal == NULL || acl_e == NULL)
			return -DER_INVAL;
		rc = daos_acl_principal_from_str(in->psi_principal, &type, &name);
		if (rc != 0)
			return rc;
		acl = daos_acl_dup(acl_e->dpe_val_ptr);
		rc = acl ? daos_acl_remove_ace(&acl, type, name) : -DER_NOMEM;
		D_FREE(name);
		goto set_acl;
	}
	rc = daos_prop_decode(in->psi_prop.iov_buf, in->psi_prop.iov_len, &req);
	if (rc != 0)
		return rc;
	if (!daos_prop_valid(req, true, true))
		D_GOTO(out, rc = -DER_INVAL);
	if (in->psi_op == POOL_PROP_OP_ACL_UPDATE) {
		struct daos_ace *ace = NULL;

		e = daos_prop_entry_get(req, DAOS_PROP_PO_ACL);
		if (e == NULL || e->dpe_val_ptr == NULL || acl_e == NULL)
			D_GOTO(out, rc = -DER_INVAL);
		acl = daos_acl_dup(acl_e->dpe_val_ptr);
		if (acl == NULL)
			D_GOTO(out, rc = -DER_NOMEM);
		while ((ace = daos_acl_get_next_ace(e->dpe_val_ptr, ace)) != NULL) {
			rc = daos_acl_add_ace(&acl, ace);
			if (rc != 0)
				goto out;
		}
		daos_prop_free(req);
		req = NULL;
		goto set_acl;
	}
	for (i = 0; i < req->dpp_nr; i++) {
		const struct daos_prop_desc *d =
			daos_prop_desc_by_type(req->dpp_entries[i].dpe_type);

		/* the management service's table names pools by label: it cannot change here */
		if (req->dpp_entries[i].dpe_type == DAOS_PROP_PO_LABEL) {
			D_ERROR("pool label cannot be changed\n");
			D_GOTO(out, rc = -DER_NOTSUPPORTED);
		}
		if (d == NULL || !(d->pd_flags & DAOS_PROP_DESC_SET))
			D_GOTO(out, rc = -DER_INVAL);
	}
	rc = daos_prop_merge2(old, req, newp);
	goto out;

set_acl:
	if (rc == 0)
		rc = daos_acl_pool_validate(acl) == 0 ? 0 : -DER_INVAL;
	if (rc == 0) {
		daos_prop_t *one = daos_prop_alloc(1);

		if (one == NULL)
			D_GOTO(out, rc = -DER_NOMEM);
		one->dpp_entries[0].dpe_type = DAOS_PROP_PO_ACL;
		one->dpp_entries[0].dpe_val_ptr = acl;
		acl = NULL;
		rc = daos_prop_merge2(old, one, newp);
		daos_prop_free(one);
	}
out:
	daos_acl_free(acl);
	daos_prop_free(req);
	return rc;
}

void
ds_pool_hdlr_prop_set(crt_rpc_t *rpc)
{
	struct pool_prop_set_in *in = crt_req_get(rpc);
	struct pool_prop_set_out *out = crt_reply_get(rpc);
	struct pool_svc *svc = svc_find(in->psi_uuid);
	daos_prop_t *old = NULL, *new = NULL;
	void *buf = NULL;
	size_t len = 0;
	struct rdb_tx tx;
	d_iov_t val;
	int rc;

	if (svc == NULL)
		D_GOTO(out, rc = -DER_NONEXIST);
	rc = svc_tx_begin(svc, &tx);
	if (rc != 0)
		goto out;
	rc = svc_get_prop(&tx, svc, &old);
	if (rc == 0)
		rc = svc_prop_apply(old, in, &new);
	if (rc == 0)
		rc = daos_prop_encode(new, &buf, &len);
	if (rc == 0) {
		d_iov_set(&val, buf, len);
		rc = rdb_tx_update(&tx, &svc->ps_root, &ds_pool_key_prop, &val);
	}
	if (rc == 0)
		rc = rdb_tx_commit(&tx);
	rdb_tx_end(&tx);
out:
	out->pso_rc = rc;
	crt_reply_send(rpc);
	daos_prop_free(old);
	daos_prop_free(new);
	D_FREE(buf);
}

/* ---- attributes ---- */

static int
svc_attr(struct pool_svc *svc, struct rdb_tx *tx, struct pool_attr_in *in, d_iov_t *data)
{
	int rc;

	switch (in->pai_op) {
	case POOL_ATTR_LIST:
		return ds_rsvc_list_attr(tx, &svc->ps_attrs, data);
	case POOL_ATTR_GET:
		return ds_rsvc_get_attr(tx, &svc->ps_attrs, &in->pai_names, in->pai_n, data);
	case POOL_ATTR_SET:
		rc = ds_rsvc_set_attr(tx, &svc->ps_attrs, &in->pai_names, &in->pai_values,
				      in->pai_n);
		break;
	case POOL_ATTR_DEL:
		rc = ds_rsvc_del_attr(tx, &svc->ps_attrs, &in->pai_names, in->pai_n);
		break;
	default:
		return -DER_INVAL;
	}
	return rc ? rc : rdb_tx_commit(tx);
}

void
ds_pool_hdlr_attr(crt_rpc_t *rpc)
{
	struct pool_attr_in *in = crt_req_get(rpc);
	struct pool_attr_out *out = crt_reply_get(rpc);
	struct pool_svc *svc = svc_find(in->pai_uuid);
	struct svc_hdl h = {0};
	d_iov_t data = {0};
	struct rdb_tx tx;
	int rc;

	if (svc == NULL)
		D_GOTO(out, rc = -DER_NONEXIST);
	rc = svc_tx_begin(svc, &tx);
	if (rc != 0)
		goto out;
	rc = svc_check_hdl(svc, &tx, in->pai_hdl, &h);
	/* changing attributes needs a read-write handle */
	if (rc == 0 && !hdl_is_nil(in->pai_hdl) &&
	    (in->pai_op == POOL_ATTR_SET || in->pai_op == POOL_ATTR_DEL) &&
	    !(h.sh_flags & (DAOS_PC_RW | DAOS_PC_EX)))
		rc = -DER_NO_PERM;
	if (rc == 0)
		rc = svc_attr(svc, &tx, in, &data);
	/* the client refreshes its pool map when this is newer than its own */
	if (rc == 0) {
		struct pool_map *map = NULL;

		if (svc_get_map(&tx, svc, &map, NULL) == 0)
			out->pao_map_version = map->pm_version;
		pool_map_free(map);
	}
	rdb_tx_end(&tx);
	if (rc == 0)
		out->pao_data = data;
out:
	out->pao_rc = rc;
	crt_reply_send(rpc);
	D_FREE(data.iov_buf);
}

/* ---- for other server modules (daos_srv/pool.h) ---- */

int
ds_pool_svc_db(const uuid_t uuid, struct rdb **db)
{
	struct pool_svc *svc = svc_find(uuid);
	uint64_t term;

	if (svc == NULL)
		return -DER_NONEXIST;
	if (!rdb_is_leader(svc->ps_db, &term))
		return -DER_NOTLEADER;
	*db = svc->ps_db;
	return 0;
}

int
ds_pool_svc_tx_begin(const uuid_t uuid, struct rdb_tx *tx)
{
	struct pool_svc *svc = svc_find(uuid);

	if (svc == NULL)
		return -DER_NONEXIST;
	return svc_tx_begin(svc, tx);
}

int
ds_pool_svc_hdl_get(struct rdb_tx *tx, const uuid_t hdl, uint64_t *flags, uint32_t *uid,
		    uint32_t *gid)
{
	rdb_path_t path;
	struct svc_hdl h;
	d_iov_t key, val;
	int rc;

	if (hdl_is_nil(hdl))
		return -DER_NO_HDL;
	rc = rdb_path_init(&path);
	if (rc == 0)
		rc = rdb_path_push(&path, &rdb_path_root_key);
	if (rc == 0)
		rc = rdb_path_push(&path, &ds_pool_key_handles);
	if (rc == 0) {
		d_iov_set(&key, (void *)hdl, sizeof(uuid_t));
		d_iov_set(&val, &h, sizeof(h));
		rc = rdb_tx_lookup(tx, &path, &key, &val);
		if (rc == -DER_NONEXIST || rc == -DER_MISMATCH)
			rc = -DER_NO_HDL;
	}
	rdb_path_fini(&path);
	if (rc != 0)
		return rc;
	if (flags != NULL)
		*flags = h.sh_flags;
	if (uid != NULL)
		*uid = h.sh_uid;
	if (gid != NULL)
		*gid = h.sh_gid;
	return 0;
}

int
ds_pool_svc_prop_get(struct rdb_tx *tx, daos_prop_t **prop)
{
	rdb_path_t path;
	d_iov_t val;
	int rc;

	rc = rdb_path_init(&path);
	if (rc == 0)
		rc = rdb_path_push(&path, &rdb_path_root_key);
	if (rc == 0) {
		d_iov_set(&val, NULL, 0);
		rc = rdb_tx_lookup(tx, &path, &ds_pool_key_prop, &val);
	}
	if (rc == 0)
		rc = daos_prop_decode(val.iov_buf, val.iov_len, prop);
	rdb_path_fini(&path);
	return rc;
}
