/**
 * A rank's share of the pools: one VOS pool per target, created, opened,
 * queried and destroyed on the target's own xstream (collectives), so no
 * lock guards the per-target lists.
 */
#define D_LOGFAC DD_FAC(pool)

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <sys/stat.h>
#include <unistd.h>
#include <gurt/common.h>
#include <gurt/telemetry.h>
#include <daos_srv/ult.h>
#include <daos_srv/vos.h>
#include "srv_internal.h"

struct tgt_pool {
	d_list_t tp_link;
	uuid_t tp_uuid;
	daos_handle_t tp_poh;
	/* the reclaim ULT is working on it: destroy waits */
	int tp_busy;
	bool tp_dying;
	/* pool/<uuid>/tgt_<i>/: free bytes per tier, aggregation and GC rounds */
	struct d_tm_node_t *tp_scm_free;
	struct d_tm_node_t *tp_nvme_free;
	struct d_tm_node_t *tp_agg_rounds;
	struct d_tm_node_t *tp_gc_pending;
	/* VOS operations and value bytes since the pool was opened here */
	struct d_tm_node_t *tp_ops[5];
};

static const char *const tgt_op_names[5] = {"ops_update", "ops_fetch", "ops_punch", "bytes_written",
					    "bytes_read"};

/* per target: its open pools; only that target's xstream touches its list */
static d_list_t *tgt_pools;
static unsigned int tgt_pools_nr;

int
ds_pool_dir(const uuid_t uuid, bool data, char *buf, size_t len)
{
	const struct dss_srv_config *cfg = dss_srv_config_get();
	const char *root = cfg->sc_scm_mount;
	char str[40];
	int n;

	if (data && cfg->sc_bdev_path != NULL)
		root = cfg->sc_bdev_path;
	uuid_unparse_lower(uuid, str);
	n = snprintf(buf, len, "%s/%s/%s", root, POOL_DIR, str);
	return n < 0 || (size_t)n >= len ? -DER_INVAL : 0;
}

static int
mkdir_one(const char *path)
{
	if (mkdir(path, 0700) != 0 && errno != EEXIST)
		return d_errno2der(errno);
	return 0;
}

static int
pool_dirs_make(const uuid_t uuid)
{
	const struct dss_srv_config *cfg = dss_srv_config_get();
	char path[PATH_MAX];
	int rc;

	snprintf(path, sizeof(path), "%s/%s", cfg->sc_scm_mount, POOL_DIR);
	rc = mkdir_one(path);
	if (rc == 0 && cfg->sc_bdev_path != NULL) {
		snprintf(path, sizeof(path), "%s/%s", cfg->sc_bdev_path, POOL_DIR);
		rc = mkdir_one(path);
	}
	if (rc == 0 && ds_pool_dir(uuid, false, path, sizeof(path)) == 0)
		rc = mkdir_one(path);
	if (rc == 0 && ds_pool_dir(uuid, true, path, sizeof(path)) == 0)
		rc = mkdir_one(path);
	return rc;
}

/* Remove everything left in the pool's directories (files only: nothing nests). */
static void
pool_dirs_remove(const uuid_t uuid)
{
	char path[PATH_MAX], file[PATH_MAX + 300];
	struct dirent *de;
	int pass;

	for (pass = 0; pass < 2; pass++) {
		DIR *d;

		if (ds_pool_dir(uuid, pass == 1, path, sizeof(path)) != 0)
			continue;
		d = opendir(path);
		if (d == NULL)
			continue;
		while ((de = readdir(d)) != NULL) {
			if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
				continue;
			snprintf(file, sizeof(file), "%s/%s", path, de->d_name);
			if (unlink(file) != 0)
				D_WARN("cannot remove %s: %d\n", file, errno);
		}
		closedir(d);
		rmdir(path);
	}
}

static int
tgt_paths(const uuid_t uuid, int tgt, char *heap, char *blob, size_t len)
{
	char dir[PATH_MAX];
	int rc;

	rc = ds_pool_dir(uuid, false, dir, sizeof(dir));
	if (rc == 0 && (size_t)snprintf(heap, len, "%s/vos-%d", dir, tgt) >= len)
		rc = -DER_INVAL;
	if (rc == 0)
		rc = ds_pool_dir(uuid, true, dir, sizeof(dir));
	if (rc == 0 && (size_t)snprintf(blob, len, "%s/vos-%d.blob", dir, tgt) >= len)
		rc = -DER_INVAL;
	return rc;
}

static struct tgt_pool *
tgt_pool_find(int tgt, const uuid_t uuid)
{
	struct tgt_pool *tp;

	if (tgt < 0 || (unsigned int)tgt >= tgt_pools_nr)
		return NULL;
	d_list_for_each_entry(tp, &tgt_pools[tgt],
			      tp_link) if (uuid_compare(tp->tp_uuid, uuid) == 0) return tp;
	return NULL;
}

static void
tgt_pool_metrics(struct tgt_pool *tp, int tgt)
{
	char id[DAOS_UUID_STR_SIZE];
	unsigned int i;

	uuid_unparse_lower(tp->tp_uuid, id);
	/* without telemetry (d_tm_init not called) every node stays NULL: updates do nothing */
	if (d_tm_add_ephemeral_dir(NULL, 0, "pool/%s/tgt_%d", id, tgt) != 0)
		return;
	d_tm_add_metric(&tp->tp_scm_free, D_TM_GAUGE, "free metadata (heap) bytes", "bytes",
			"pool/%s/tgt_%d/scm_free", id, tgt);
	d_tm_add_metric(&tp->tp_nvme_free, D_TM_GAUGE, "free data (blob) bytes", "bytes",
			"pool/%s/tgt_%d/nvme_free", id, tgt);
	d_tm_add_metric(&tp->tp_agg_rounds, D_TM_COUNTER, "aggregation rounds", NULL,
			"pool/%s/tgt_%d/agg_rounds", id, tgt);
	d_tm_add_metric(&tp->tp_gc_pending, D_TM_GAUGE, "records waiting for GC", NULL,
			"pool/%s/tgt_%d/gc_pending", id, tgt);
	for (i = 0; i < ARRAY_SIZE(tp->tp_ops); i++)
		d_tm_add_metric(&tp->tp_ops[i], D_TM_COUNTER, "VOS operations or value bytes",
				i < 3 ? NULL : "bytes", "pool/%s/tgt_%d/%s", id, tgt,
				tgt_op_names[i]);
}

static void
tgt_pool_space_update(struct tgt_pool *tp)
{
	vos_pool_info_t info;

	if (tp->tp_scm_free == NULL)
		return;
	memset(&info, 0, sizeof(info));
	if (vos_pool_query(tp->tp_poh, &info) != 0)
		return;
	d_tm_set_gauge(tp->tp_scm_free, SCM_FREE(&info.pif_space));
	d_tm_set_gauge(tp->tp_nvme_free, NVME_FREE(&info.pif_space));
	d_tm_set_gauge(tp->tp_gc_pending, info.pif_gc_pending);
	d_tm_set_counter(tp->tp_ops[0], info.pif_ops.vops_update);
	d_tm_set_counter(tp->tp_ops[1], info.pif_ops.vops_fetch);
	d_tm_set_counter(tp->tp_ops[2], info.pif_ops.vops_punch);
	d_tm_set_counter(tp->tp_ops[3], info.pif_ops.vops_update_bytes);
	d_tm_set_counter(tp->tp_ops[4], info.pif_ops.vops_fetch_bytes);
}

struct tgt_op {
	uuid_t to_uuid;
	uint64_t to_scm;
	uint64_t to_nvme;
	int to_tgt; /* query: -1 all */
	int *to_rcs;
	struct daos_space *to_space;
};

static int
tgt_create_one(void *arg)
{
	struct tgt_op *op = arg;
	int tgt = dss_get_module_info()->dmi_tgt_id;
	struct vos_pool_attr attr = {0};
	char heap[PATH_MAX], blob[PATH_MAX];
	struct tgt_pool *tp;
	int rc;

	rc = tgt_paths(op->to_uuid, tgt, heap, blob, sizeof(heap));
	if (rc != 0)
		goto out;
	D_ALLOC_PTR(tp);
	if (tp == NULL)
		D_GOTO(out, rc = -DER_NOMEM);
	attr.vpa_blob_path = blob;
	rc = vos_pool_create_ex(heap, op->to_uuid, op->to_scm, op->to_nvme, 0, 0, 0, &attr,
				&tp->tp_poh);
	if (rc != 0) {
		D_ERROR("target %d: VOS pool %s: " DF_RC "\n", tgt, heap, DP_RC(rc));
		D_FREE(tp);
		goto out;
	}
	uuid_copy(tp->tp_uuid, op->to_uuid);
	tgt_pool_metrics(tp, tgt);
	tgt_pool_space_update(tp);
	d_list_add_tail(&tp->tp_link, &tgt_pools[tgt]);
out:
	op->to_rcs[tgt] = rc;
	return rc;
}

/* Close and remove this target's VOS pool (whether or not it was created or opened). */
static int
tgt_destroy_one(void *arg)
{
	struct tgt_op *op = arg;
	int tgt = dss_get_module_info()->dmi_tgt_id;
	char heap[PATH_MAX], blob[PATH_MAX];
	struct tgt_pool *tp;
	int rc;

	tp = tgt_pool_find(tgt, op->to_uuid);
	if (tp != NULL) {
		char id[DAOS_UUID_STR_SIZE];

		/* the reclaim ULT stops at its next yield */
		tp->tp_dying = true;
		while (tp->tp_busy > 0)
			ult_sleep_ms(1);
		rc = vos_pool_close(tp->tp_poh);
		if (rc != 0) {
			D_ERROR("target %d: close: " DF_RC "\n", tgt, DP_RC(rc));
			return rc;
		}
		d_list_del(&tp->tp_link);
		uuid_unparse_lower(tp->tp_uuid, id);
		d_tm_del_ephemeral_dir("pool/%s/tgt_%d", id, tgt);
		D_FREE(tp);
	}
	rc = tgt_paths(op->to_uuid, tgt, heap, blob, sizeof(heap));
	if (rc != 0)
		return rc;
	rc = vos_pool_destroy(heap, op->to_uuid);
	if (rc == -DER_NONEXIST)
		rc = 0;
	unlink(blob);
	return rc;
}

static int
tgt_open_one(void *arg)
{
	struct tgt_op *op = arg;
	int tgt = dss_get_module_info()->dmi_tgt_id;
	struct vos_pool_attr attr = {0};
	char heap[PATH_MAX], blob[PATH_MAX];
	struct tgt_pool *tp;
	int rc;

	if (tgt_pool_find(tgt, op->to_uuid) != NULL)
		return 0;
	rc = tgt_paths(op->to_uuid, tgt, heap, blob, sizeof(heap));
	if (rc != 0)
		return rc;
	D_ALLOC_PTR(tp);
	if (tp == NULL)
		return -DER_NOMEM;
	attr.vpa_blob_path = access(blob, F_OK) == 0 ? blob : NULL;
	rc = vos_pool_open_ex(heap, op->to_uuid, 0, &attr, &tp->tp_poh);
	if (rc != 0) {
		D_ERROR("target %d: open %s: " DF_RC "\n", tgt, heap, DP_RC(rc));
		D_FREE(tp);
		return rc;
	}
	uuid_copy(tp->tp_uuid, op->to_uuid);
	tgt_pool_metrics(tp, tgt);
	tgt_pool_space_update(tp);
	d_list_add_tail(&tp->tp_link, &tgt_pools[tgt]);
	return 0;
}

static int
tgt_close_all_one(void *arg)
{
	int tgt = dss_get_module_info()->dmi_tgt_id;
	struct tgt_pool *tp, *tmp;

	d_list_for_each_entry_safe(tp, tmp, &tgt_pools[tgt], tp_link)
	{
		vos_pool_close(tp->tp_poh);
		d_list_del(&tp->tp_link);
		D_FREE(tp);
	}
	return 0;
}

static int
tgt_query_one(void *arg)
{
	struct tgt_op *op = arg;
	int tgt = dss_get_module_info()->dmi_tgt_id;
	vos_pool_info_t info;
	struct tgt_pool *tp;
	int rc;

	if (op->to_tgt >= 0 && op->to_tgt != tgt)
		return 0;
	tp = tgt_pool_find(tgt, op->to_uuid);
	if (tp == NULL)
		return -DER_NONEXIST;
	memset(&info, 0, sizeof(info));
	rc = vos_pool_query(tp->tp_poh, &info);
	if (rc != 0)
		return rc;
	op->to_space[op->to_tgt >= 0 ? 0 : tgt] = info.pif_space.vps_space;
	return 0;
}

int
ds_pool_tgt_create_local(const uuid_t uuid, uint64_t scm, uint64_t nvme, uint32_t *ntgts)
{
	struct tgt_op op = {0};
	int rc, rc2;

	if (dss_tgt_nr == 0)
		return -DER_INVAL;
	uuid_copy(op.to_uuid, uuid);
	op.to_scm = scm / dss_tgt_nr;
	op.to_nvme = nvme / dss_tgt_nr;
	if (op.to_scm < POOL_TGT_SCM_MIN || (nvme > 0 && op.to_nvme < POOL_TGT_NVME_MIN)) {
		D_ERROR("pool tiers too small: %lu/%lu bytes per target\n",
			(unsigned long)op.to_scm, (unsigned long)op.to_nvme);
		return -DER_INVAL;
	}
	D_ALLOC_ARRAY(op.to_rcs, dss_tgt_nr);
	if (op.to_rcs == NULL)
		return -DER_NOMEM;
	rc = pool_dirs_make(uuid);
	if (rc == 0)
		rc = dss_thread_collective(tgt_create_one, &op, 0);
	if (rc != 0) {
		/* no half-made pool: remove what the other targets made */
		rc2 = dss_thread_collective(tgt_destroy_one, &op, 0);
		if (rc2 != 0)
			D_ERROR("rollback: " DF_RC "\n", DP_RC(rc2));
		pool_dirs_remove(uuid);
	} else {
		*ntgts = dss_tgt_nr;
	}
	D_FREE(op.to_rcs);
	return rc;
}

int
ds_pool_tgt_destroy_local(const uuid_t uuid)
{
	struct tgt_op op = {0};
	int rc;

	uuid_copy(op.to_uuid, uuid);
	rc = ds_pool_svc_stop_local(uuid, true, true);
	if (rc != 0 && rc != -DER_NONEXIST)
		return rc;
	rc = dss_thread_collective(tgt_destroy_one, &op, 0);
	if (rc != 0)
		return rc;
	pool_dirs_remove(uuid);
	return 0;
}

int
ds_pool_tgt_query_local(const uuid_t uuid, int tgt, struct daos_space **space, int *nr)
{
	struct tgt_op op = {0};
	int rc;

	if (tgt >= (int)dss_tgt_nr)
		return -DER_INVAL;
	*nr = tgt >= 0 ? 1 : (int)dss_tgt_nr;
	D_ALLOC_ARRAY(op.to_space, *nr);
	if (op.to_space == NULL)
		return -DER_NOMEM;
	uuid_copy(op.to_uuid, uuid);
	op.to_tgt = tgt;
	rc = dss_thread_collective(tgt_query_one, &op, 0);
	if (rc != 0) {
		D_FREE(op.to_space);
		return rc;
	}
	*space = op.to_space;
	return 0;
}

/*
 * Background reclamation: one ULT per target walks its pools, aggregating every container
 * every RECLAIM_AGG_PERIOD_MS up to RECLAIM_AGG_LAG_S behind the HLC (epochs of updates
 * still in flight stay writable), and collecting garbage RECLAIM_CREDITS records per round,
 * rounds RECLAIM_BUSY_MS apart while work remains. Between keys it yields to I/O ULTs.
 */
#define RECLAIM_CREDITS       256
#define RECLAIM_BUSY_MS       10
#define RECLAIM_IDLE_MS       2000
#define RECLAIM_AGG_PERIOD_MS 10000
#define RECLAIM_AGG_LAG_S     5

struct tgt_reclaim {
	struct ult *tr_ult;
	ult_eventual_t tr_stop;
};

static struct tgt_reclaim *tgt_reclaims;
static bool reclaim_stopping;

static bool
reclaim_stop_requested(void)
{
	return __atomic_load_n(&reclaim_stopping, __ATOMIC_ACQUIRE);
}

static int
reclaim_yield(void *arg)
{
	struct tgt_pool *tp = arg;

	ult_yield();
	return tp->tp_dying || reclaim_stop_requested();
}

static void
reclaim_ult(void *arg)
{
	struct tgt_reclaim *tr = arg;
	int tgt = dss_get_module_info()->dmi_tgt_id;
	uint64_t agg_next = d_hlc_get() + d_msec2hlc(RECLAIM_AGG_PERIOD_MS);

	while (!reclaim_stop_requested()) {
		d_list_t *head = &tgt_pools[tgt], *pos, *next;
		uint64_t now = d_hlc_get();
		daos_epoch_t agg_hi = 0;
		bool more = false;

		if (now >= agg_next) {
			agg_hi = now - d_sec2hlc(RECLAIM_AGG_LAG_S);
			agg_next = now + d_msec2hlc(RECLAIM_AGG_PERIOD_MS);
		}
		/* a pool being destroyed is skipped; the one in hand stays linked (tp_busy) */
		for (pos = head->next; pos != head; pos = next) {
			struct tgt_pool *tp = d_list_entry(pos, struct tgt_pool, tp_link);
			int rc;

			if (tp->tp_dying || reclaim_stop_requested()) {
				next = pos->next;
				continue;
			}
			tp->tp_busy++;
			rc = vos_pool_reclaim(tp->tp_poh, agg_hi, RECLAIM_CREDITS, reclaim_yield,
					      tp);
			if (rc < 0)
				D_ERROR("target %d: reclaim " DF_UUID ": " DF_RC "\n", tgt,
					DP_UUID(tp->tp_uuid), DP_RC(rc));
			else if (rc > 0 && !tp->tp_dying)
				more = true;
			if (!tp->tp_dying) {
				if (agg_hi != 0)
					d_tm_inc_counter(tp->tp_agg_rounds, 1);
				tgt_pool_space_update(tp);
			}
			next = pos->next;
			tp->tp_busy--;
		}
		ult_eventual_timedwait(tr->tr_stop, NULL,
				       (uint64_t)(more ? RECLAIM_BUSY_MS : RECLAIM_IDLE_MS) * 1000);
	}
}

static void
reclaim_stop_all(void)
{
	unsigned int i;

	if (tgt_reclaims == NULL)
		return;
	__atomic_store_n(&reclaim_stopping, true, __ATOMIC_RELEASE);
	for (i = 0; i < tgt_pools_nr; i++)
		if (tgt_reclaims[i].tr_stop != NULL)
			ult_eventual_set(tgt_reclaims[i].tr_stop, NULL, 0);
	for (i = 0; i < tgt_pools_nr; i++) {
		if (tgt_reclaims[i].tr_ult != NULL)
			ult_join(tgt_reclaims[i].tr_ult);
		if (tgt_reclaims[i].tr_stop != NULL)
			ult_eventual_free(&tgt_reclaims[i].tr_stop);
	}
	D_FREE(tgt_reclaims);
}

static int
reclaim_start_all(void)
{
	unsigned int i;
	int rc = 0;

	D_ALLOC_ARRAY(tgt_reclaims, tgt_pools_nr);
	if (tgt_reclaims == NULL)
		return -DER_NOMEM;
	__atomic_store_n(&reclaim_stopping, false, __ATOMIC_RELEASE);
	for (i = 0; i < tgt_pools_nr && rc == 0; i++) {
		rc = ult_eventual_create(0, &tgt_reclaims[i].tr_stop);
		if (rc == 0)
			rc = dss_ult_create(reclaim_ult, &tgt_reclaims[i], DSS_XS_VOS, (int)i, 0,
					    &tgt_reclaims[i].tr_ult);
	}
	if (rc != 0) {
		D_ERROR("cannot start the reclaim ULTs: " DF_RC "\n", DP_RC(rc));
		reclaim_stop_all();
	}
	return rc;
}

/* At start: open every pool found under <scm_mount>/pools, then start reclaiming. */
int
ds_pool_tgt_open_all(void)
{
	const struct dss_srv_config *cfg = dss_srv_config_get();
	char path[PATH_MAX];
	struct dirent *de;
	unsigned int i;
	DIR *d;

	if (tgt_pools == NULL) {
		D_ALLOC_ARRAY(tgt_pools, dss_tgt_nr + 1);
		if (tgt_pools == NULL)
			return -DER_NOMEM;
		tgt_pools_nr = dss_tgt_nr;
		for (i = 0; i < tgt_pools_nr; i++)
			D_INIT_LIST_HEAD(&tgt_pools[i]);
	}
	snprintf(path, sizeof(path), "%s/%s", cfg->sc_scm_mount, POOL_DIR);
	d = opendir(path);
	if (d == NULL)
		return reclaim_start_all();
	while ((de = readdir(d)) != NULL) {
		struct tgt_op op = {0};
		int rc;

		if (uuid_parse(de->d_name, op.to_uuid) != 0)
			continue;
		rc = dss_thread_collective(tgt_open_one, &op, 0);
		if (rc != 0)
			D_ERROR("pool %s: cannot open its targets: " DF_RC "\n", de->d_name,
				DP_RC(rc));
		else
			D_INFO("pool %s: targets open\n", de->d_name);
	}
	closedir(d);
	return reclaim_start_all();
}

void
ds_pool_tgt_close_all(void)
{
	if (tgt_pools == NULL)
		return;
	reclaim_stop_all();
	dss_thread_collective(tgt_close_all_one, NULL, 0);
	D_FREE(tgt_pools);
	tgt_pools_nr = 0;
}

void
ds_pool_hdlr_tgt_create(crt_rpc_t *rpc)
{
	struct pool_tgt_create_in *in = crt_req_get(rpc);
	struct pool_tgt_create_out *out = crt_reply_get(rpc);

	pool_tgt_count_t *c;

	/* collective: the array is freed by co_post_reply once the tree's reply left */
	out->tco_rc = ds_pool_tgt_create_local(in->tci_uuid, in->tci_scm, in->tci_nvme,
					       &out->tco_ntargets);
	D_ALLOC_PTR(c);
	if (c != NULL) {
		c->tc_rank = dss_self_rank();
		c->tc_rc = out->tco_rc;
		c->tc_ntgts = out->tco_ntargets;
		out->tco_ranks.ca_arrays = c;
		out->tco_ranks.ca_count = 1;
	} else if (out->tco_rc == 0) {
		out->tco_rc = -DER_NOMEM;
	}
	crt_reply_send(rpc);
}

void
ds_pool_hdlr_tgt_destroy(crt_rpc_t *rpc)
{
	struct pool_tgt_destroy_in *in = crt_req_get(rpc);
	struct pool_tgt_destroy_out *out = crt_reply_get(rpc);

	out->tdo_rc = ds_pool_tgt_destroy_local(in->tdi_uuid);
	crt_reply_send(rpc);
}

void
ds_pool_hdlr_tgt_query(crt_rpc_t *rpc)
{
	struct pool_tgt_query_in *in = crt_req_get(rpc);
	struct pool_tgt_query_out *out = crt_reply_get(rpc);
	struct daos_space *space = NULL;
	int nr = 0;

	out->tqo_rc = ds_pool_tgt_query_local(in->tqi_uuid, in->tqi_tgt, &space, &nr);
	if (out->tqo_rc == 0)
		d_iov_set(&out->tqo_space, space, nr * sizeof(*space));
	crt_reply_send(rpc);
	D_FREE(space);
}
