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
#include <daos_srv/vos.h>
#include "srv_internal.h"

struct tgt_pool {
	d_list_t tp_link;
	uuid_t tp_uuid;
	daos_handle_t tp_poh;
};

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
		rc = vos_pool_close(tp->tp_poh);
		if (rc != 0) {
			D_ERROR("target %d: close: " DF_RC "\n", tgt, DP_RC(rc));
			return rc;
		}
		d_list_del(&tp->tp_link);
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

/* At start: open every pool found under <scm_mount>/pools. */
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
		return 0;
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
	return 0;
}

void
ds_pool_tgt_close_all(void)
{
	if (tgt_pools == NULL)
		return;
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
