/**
 * VOS pools: a umem heap (root record struct vos_pool_df: container tree, blob space
 * tracking, GC bin) plus an optional data blob with its vea allocator.
 */
#define D_LOGFAC DD_FAC(vos)

#include <pthread.h>
#include <limits.h>
#include <unistd.h>
#include "vos_internal.h"

static pthread_mutex_t vos_pools_lock = PTHREAD_MUTEX_INITIALIZER;
static D_LIST_HEAD(vos_pools);
static int vos_init_refs;

int
vos_self_init(const char *db_path, bool use_sys_db, int tgt_id)
{
	int rc = vos_tree_init();

	if (rc == 0) {
		pthread_mutex_lock(&vos_pools_lock);
		vos_init_refs++;
		pthread_mutex_unlock(&vos_pools_lock);
	}
	return rc;
}

void
vos_self_fini(void)
{
	pthread_mutex_lock(&vos_pools_lock);
	if (vos_init_refs > 0)
		vos_init_refs--;
	pthread_mutex_unlock(&vos_pools_lock);
}

static uint32_t
env_u32(const char *name, uint32_t dflt)
{
	char *s = getenv(name);
	char *end;
	unsigned long v;

	if (s == NULL || *s == '\0')
		return dflt;
	v = strtoul(s, &end, 0);
	if (*end == 'k' || *end == 'K')
		v <<= 10;
	return (uint32_t)v;
}

static int
blob_path_of(const char *path, const struct vos_pool_attr *attr, char *buf, size_t len)
{
	int n;

	if (attr != NULL && attr->vpa_blob_path != NULL)
		n = snprintf(buf, len, "%s", attr->vpa_blob_path);
	else
		n = snprintf(buf, len, "%s.blob", path);
	return (n < 0 || (size_t)n >= len) ? -DER_TRUNC : 0;
}

static void
umem_attr_of(const struct vos_pool_attr *attr, struct umem_pool_attr *ua, const char *blob)
{
	memset(ua, 0, sizeof(*ua));
	ua->upa_ext_path = blob;
	ua->upa_sync_ms = -1;
	if (attr != NULL) {
		if (attr->vpa_sync_ms > 0)
			ua->upa_sync_ms = attr->vpa_sync_ms;
		else if (attr->vpa_sync_ms < 0)
			ua->upa_sync_ms = 0;
		ua->upa_flags = attr->vpa_umem_flags;
		ua->upa_wal_size = attr->vpa_wal_size;
	}
}

static void
pool_free(struct vos_pool *pool)
{
	if (pool->vp_poller != NULL)
		ult_poller_unregister(pool->vp_poller);
	if (daos_handle_is_valid(pool->vp_cont_th))
		dbtree_close(pool->vp_cont_th);
	if (pool->vp_hint != NULL)
		vea_hint_unload(pool->vp_hint);
	if (pool->vp_vsi != NULL)
		vea_unload(pool->vp_vsi);
	if (pool->vp_ring != NULL)
		bio_ring_destroy(pool->vp_ring);
	if (pool->vp_blob != NULL)
		bio_blob_close(pool->vp_blob);
	if (pool->vp_dblob != NULL)
		bio_blob_close(pool->vp_dblob);
	bio_buf_free(pool->vp_bounce);
	if (pool->vp_upool != NULL)
		umem_pool_close(pool->vp_upool);
	D_FREE(pool);
}

/*
 * Larger values go to the blob with O_DIRECT and no fdatasync of their own when the commit's
 * log flush can make them durable: the blob was written once at create (no unwritten extent
 * needs a journal commit), it shares the log's device, and the log record carries their
 * checksum for replay to check (docs/vos.md, "One flush per update").
 */
static int
blob_open_direct(struct vos_pool *pool, const char *blob_path)
{
	/* 0: blob fdatasync per update; 1: page cache + writeback; 2: O_DIRECT (bounce copy) */
	uint32_t mode = env_u32("VOS_BLOB_ONE_FLUSH", 1);
	int rc;

	if (!pool->vp_blob_flush || !pool->vp_blob_logged || mode == 0 ||
	    bio_blob_in_memory(pool->vp_blob) ||
	    bio_blob_written(pool->vp_blob) < pool->vp_df->pd_nvme_sz ||
	    !umem_ext_shares_flush(&pool->vp_umm))
		return 0;
	if (mode == 1) {
		pool->vp_blob_wb = true;
		return 0;
	}
	rc = bio_blob_open(blob_path, BIO_BLOB_DIRECT, &pool->vp_dblob);
	if (rc != 0)
		return rc;
	if (!bio_blob_direct(pool->vp_dblob)) {
		bio_blob_close(pool->vp_dblob);
		pool->vp_dblob = NULL;
	}
	return 0;
}

/* Everything after the heap is open and its root record is valid. */
static int
pool_load(struct vos_pool *pool, const char *path, const struct vos_pool_attr *attr)
{
	struct vos_pool_df *df = pool->vp_df;
	char blob_path[PATH_MAX];
	uint32_t thresh;
	int rc;

	rc = vos_btr_open(pool, &df->pd_cont_root, &pool->vp_cont_th);
	if (rc != 0) {
		D_ERROR("cannot open the container tree: " DF_RC "\n", DP_RC(rc));
		return rc == -DER_NO_HDL ? -DER_DF_INVAL : rc;
	}
	thresh = attr != NULL ? attr->vpa_inline_thresh : 0;
	if (thresh == 0)
		thresh = env_u32("VOS_INLINE_THRESH", df->pd_inline_thresh);
	pool->vp_inline_thresh = thresh;
	pool->vp_blob_flush =
		!(attr != NULL && attr->vpa_no_blob_flush) && env_u32("VOS_NO_BLOB_FLUSH", 0) == 0;
	pool->vp_wal_data_max =
		pool->vp_blob_logged ? env_u32("VOS_WAL_DATA_MAX", VOS_WAL_DATA_DEFAULT) : 0;
	if (df->pd_nvme_sz == 0)
		return 0;

	rc = blob_path_of(path, attr, blob_path, sizeof(blob_path));
	if (rc != 0)
		return rc;
	rc = bio_blob_open(blob_path, 0, &pool->vp_blob);
	if (rc != 0) {
		D_ERROR("cannot open blob %s: " DF_RC "\n", blob_path, DP_RC(rc));
		return rc;
	}
	if (bio_blob_size(pool->vp_blob) < df->pd_nvme_sz) {
		D_ERROR("blob %s is smaller than the pool's data size\n", blob_path);
		return -DER_DF_INVAL;
	}
	/*
	 * Logging blob values saves their fdatasync; on a memory file system that costs
	 * nothing, while records several times larger bring as many more checkpoints.
	 */
	if (bio_blob_in_memory(pool->vp_blob) && getenv("VOS_WAL_DATA_MAX") == NULL)
		pool->vp_wal_data_max = 0;
	rc = blob_open_direct(pool, blob_path);
	if (rc != 0)
		return rc;
	rc = vea_load(&pool->vp_umm, NULL, &df->pd_vea_df, NULL, &pool->vp_vsi);
	if (rc != 0) {
		D_ERROR("cannot load the blob allocator: " DF_RC "\n", DP_RC(rc));
		return rc;
	}
	rc = vea_hint_load(&df->pd_vea_hint, &pool->vp_hint);
	if (rc != 0)
		return rc;
	rc = bio_ring_create(128, 0, &pool->vp_ring);
	if (rc != 0)
		return rc;
	/* opened by an xstream: its scheduler reaps our completions and wakes waiting ULTs */
	if (ult_xs_self() >= 0) {
		rc = ult_poller_register(ult_xs_self(), bio_ring_poller, pool->vp_ring,
					 bio_ring_eventfd(pool->vp_ring), &pool->vp_poller);
		if (rc != 0)
			D_WARN("no ring poller (" DF_RC "): ULTs will poll\n", DP_RC(rc));
		rc = 0;
	}
	return rc;
}

static int
pool_register(struct vos_pool *pool, daos_handle_t *poh)
{
	int rc = vos_hdl_register(pool, VOS_HDL_POOL, &pool->vp_cookie);

	if (rc != 0)
		return rc;
	pthread_mutex_lock(&vos_pools_lock);
	d_list_add_tail(&pool->vp_link, &vos_pools);
	pthread_mutex_unlock(&vos_pools_lock);
	poh->cookie = pool->vp_cookie;
	return 0;
}

static struct vos_pool *
pool_alloc(uuid_t uuid)
{
	struct vos_pool *pool;

	D_ALLOC_PTR(pool);
	if (pool == NULL)
		return NULL;
	D_INIT_LIST_HEAD(&pool->vp_conts);
	D_INIT_LIST_HEAD(&pool->vp_link);
	uuid_copy(pool->vp_id, uuid);
	return pool;
}

int
vos_pool_create_ex(const char *path, uuid_t uuid, daos_size_t scm_sz, daos_size_t data_sz,
		   daos_size_t meta_sz, unsigned int flags, uint32_t version,
		   const struct vos_pool_attr *attr, daos_handle_t *poh)
{
	struct umem_pool_attr ua;
	struct vos_pool *pool = NULL;
	struct vos_pool_df *df;
	char blob_path[PATH_MAX];
	bool blob_made = false;
	umem_off_t root;
	int rc;

	if (path == NULL || uuid == NULL || scm_sz == 0)
		return -DER_INVAL;
	if (version > VOS_POOL_VERSION)
		return -DER_NOTSUPPORTED;
	rc = vos_tree_init();
	if (rc != 0)
		return rc;
	rc = blob_path_of(path, attr, blob_path, sizeof(blob_path));
	if (rc != 0)
		return rc;
	pool = pool_alloc(uuid);
	if (pool == NULL)
		return -DER_NOMEM;

	/* the blob first: the heap carries small blob values in its log and replays them into it */
	if (data_sz > 0) {
		data_sz &= ~((daos_size_t)VOS_BLK_SZ - 1);
		if (data_sz <= VOS_BLK_SZ * VOS_BLOB_HDR_BLKS) {
			D_FREE(pool);
			return -DER_INVAL;
		}
		rc = bio_blob_create_ex(blob_path, data_sz, BIO_BLOB_PREWRITE);
		if (rc != 0) {
			D_FREE(pool);
			return rc;
		}
		blob_made = true;
	}
	umem_attr_of(attr, &ua, blob_made ? blob_path : NULL);
	rc = umem_pool_create(path, scm_sz, UMEM_FILE_MODE_DEFAULT, &ua, &pool->vp_upool);
	if (rc != 0) {
		if (blob_made)
			bio_blob_destroy(blob_path);
		D_FREE(pool);
		return rc;
	}
	pool->vp_blob_logged = blob_made;
	pool->vp_uma.uma_id = UMEM_CLASS_BMEM;
	pool->vp_uma.uma_pool = pool->vp_upool;
	rc = umem_class_init(&pool->vp_uma, &pool->vp_umm);
	if (rc != 0)
		goto failed;
	rc = umem_pool_root(pool->vp_upool, sizeof(*df), &root);
	if (rc != 0)
		goto failed;
	df = umem_off2ptr(&pool->vp_umm, root);
	pool->vp_df = df;

	rc = umem_tx_begin(&pool->vp_umm, NULL);
	if (rc != 0)
		goto failed;
	rc = umem_tx_add_ptr(&pool->vp_umm, df, sizeof(*df));
	if (rc == 0) {
		memset(df, 0, sizeof(*df));
		df->pd_magic = VOS_POOL_MAGIC;
		df->pd_version = VOS_POOL_VERSION;
		df->pd_scm_sz = scm_sz;
		df->pd_nvme_sz = data_sz;
		df->pd_inline_thresh = (attr != NULL && attr->vpa_inline_thresh)
					       ? attr->vpa_inline_thresh
					       : env_u32("VOS_INLINE_THRESH", VOS_INLINE_DEFAULT);
		uuid_copy(df->pd_id, uuid);
		rc = vos_btr_create(pool, VOS_BTR_CONT, 0, VOS_BTR_ORDER, &df->pd_cont_root,
				    &pool->vp_cont_th);
	}
	if (rc == 0 && data_sz > 0)
		rc = vea_format(&pool->vp_umm, NULL, &df->pd_vea_df, VOS_BLK_SZ, VOS_BLOB_HDR_BLKS,
				data_sz, NULL, NULL, false);
	rc = rc ? umem_tx_abort(&pool->vp_umm, rc) : umem_tx_commit(&pool->vp_umm);
	if (rc != 0)
		goto failed;
	/* the tree handle of the create is reopened by pool_load */
	dbtree_close(pool->vp_cont_th);
	pool->vp_cont_th = DAOS_HDL_INVAL;

	if (poh == NULL) {
		pool_free(pool);
		return 0;
	}
	rc = pool_load(pool, path, attr);
	if (rc == 0)
		rc = pool_register(pool, poh);
	if (rc != 0)
		goto failed;
	return 0;

failed:
	D_ERROR("cannot create VOS pool %s: " DF_RC "\n", path, DP_RC(rc));
	pool_free(pool);
	umem_pool_destroy(path);
	if (blob_made)
		bio_blob_destroy(blob_path);
	return rc;
}

int
vos_pool_create(const char *path, uuid_t uuid, daos_size_t scm_sz, daos_size_t data_sz,
		daos_size_t meta_sz, unsigned int flags, uint32_t version, daos_handle_t *poh)
{
	return vos_pool_create_ex(path, uuid, scm_sz, data_sz, meta_sz, flags, version, NULL, poh);
}

int
vos_pool_open_ex(const char *path, uuid_t uuid, unsigned int flags,
		 const struct vos_pool_attr *attr, daos_handle_t *poh)
{
	struct umem_pool_attr ua;
	struct umem_pool_stats st;
	char blob_path[PATH_MAX];
	struct vos_pool *pool;
	struct vos_pool_df *df;
	umem_off_t root;
	int rc;

	if (path == NULL || poh == NULL)
		return -DER_INVAL;
	rc = vos_tree_init();
	if (rc != 0)
		return rc;
	pool = pool_alloc(uuid != NULL ? uuid : (unsigned char *)"\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0");
	if (pool == NULL)
		return -DER_NOMEM;
	/* a blob, if there is one, is the heap's side file (its log may hold blob data) */
	rc = blob_path_of(path, attr, blob_path, sizeof(blob_path));
	if (rc != 0) {
		D_FREE(pool);
		return rc;
	}
	pool->vp_blob_logged = access(blob_path, F_OK) == 0;
	umem_attr_of(attr, &ua, pool->vp_blob_logged ? blob_path : NULL);
	rc = umem_pool_open(path, &ua, &pool->vp_upool);
	if (rc != 0) {
		D_ERROR("cannot open VOS heap %s: " DF_RC "\n", path, DP_RC(rc));
		D_FREE(pool);
		return rc;
	}
	pool->vp_uma.uma_id = UMEM_CLASS_BMEM;
	pool->vp_uma.uma_pool = pool->vp_upool;
	rc = umem_class_init(&pool->vp_uma, &pool->vp_umm);
	if (rc != 0)
		goto failed;
	/* a heap without a root was never a VOS pool: do not give it one */
	rc = umem_pool_query(pool->vp_upool, &st);
	if (rc != 0)
		goto failed;
	if (st.ups_nr_allocs == 0)
		D_GOTO(failed, rc = -DER_DF_INVAL);
	rc = umem_pool_root(pool->vp_upool, sizeof(*df), &root);
	if (rc != 0)
		goto failed;
	df = umem_off2ptr(&pool->vp_umm, root);
	if (df->pd_magic != VOS_POOL_MAGIC || df->pd_version == 0 ||
	    df->pd_version > VOS_POOL_VERSION) {
		D_ERROR("%s is not a VOS pool (magic %x version %u)\n", path, df->pd_magic,
			df->pd_version);
		D_GOTO(failed, rc = -DER_DF_INVAL);
	}
	if (df->pd_version < VOS_POOL_VERSION) {
		/* the record layouts changed (ilog, tree orders); no in-place upgrade */
		D_ERROR("%s has VOS layout version %u; this build reads only version %u\n", path,
			df->pd_version, VOS_POOL_VERSION);
		D_GOTO(failed, rc = -DER_DF_INCOMPT);
	}
	if (uuid != NULL && !(flags & VOS_POF_SKIP_UUID_CHECK) &&
	    uuid_compare(uuid, df->pd_id) != 0) {
		D_ERROR("%s belongs to pool " DF_UUID "\n", path, DP_UUID(df->pd_id));
		D_GOTO(failed, rc = -DER_ID_MISMATCH);
	}
	uuid_copy(pool->vp_id, df->pd_id);
	pool->vp_df = df;
	rc = pool_load(pool, path, attr);
	if (rc == 0)
		rc = pool_register(pool, poh);
	if (rc != 0)
		goto failed;
	return 0;
failed:
	pool_free(pool);
	return rc;
}

int
vos_pool_open(const char *path, uuid_t uuid, unsigned int flags, daos_handle_t *poh)
{
	return vos_pool_open_ex(path, uuid, flags, NULL, poh);
}

int
vos_pool_close(daos_handle_t poh)
{
	struct vos_pool *pool = vos_hdl2pool(poh);

	if (pool == NULL)
		return -DER_NO_HDL;
	if (!d_list_empty(&pool->vp_conts) || pool->vp_iters > 0) {
		D_ERROR("pool " DF_UUID " still has open containers or iterators\n",
			DP_UUID(pool->vp_id));
		return -DER_BUSY;
	}
	vos_hdl_unregister(pool->vp_cookie);
	pthread_mutex_lock(&vos_pools_lock);
	d_list_del_init(&pool->vp_link);
	pthread_mutex_unlock(&vos_pools_lock);
	pool_free(pool);
	return 0;
}

int
vos_pool_destroy_ex(const char *path, uuid_t uuid, unsigned int flags)
{
	char blob_path[PATH_MAX];
	int rc, rc2;

	if (path == NULL)
		return -DER_INVAL;
	rc = blob_path_of(path, NULL, blob_path, sizeof(blob_path));
	if (rc != 0)
		return rc;
	rc = umem_pool_destroy(path);
	rc2 = bio_blob_destroy(blob_path);
	if (rc2 == -DER_NONEXIST)
		rc2 = 0;
	return rc ? rc : rc2;
}

int
vos_pool_destroy(const char *path, uuid_t uuid)
{
	return vos_pool_destroy_ex(path, uuid, 0);
}

int
vos_pool_space_sys_set(daos_handle_t poh, daos_size_t *space_sys)
{
	struct vos_pool *pool = vos_hdl2pool(poh);

	if (pool == NULL)
		return -DER_NO_HDL;
	if (space_sys == NULL)
		return -DER_INVAL;
	pool->vp_space_sys[DAOS_MEDIA_SCM] = space_sys[DAOS_MEDIA_SCM];
	pool->vp_space_sys[DAOS_MEDIA_NVME] = space_sys[DAOS_MEDIA_NVME];
	return 0;
}

int
vos_pool_query(daos_handle_t poh, vos_pool_info_t *pinfo)
{
	struct vos_pool *pool = vos_hdl2pool(poh);
	struct vos_pool_space *vps;
	struct umem_pool_stats st;
	int rc;

	if (pool == NULL)
		return -DER_NO_HDL;
	if (pinfo == NULL)
		return -DER_INVAL;
	memset(pinfo, 0, sizeof(*pinfo));
	vps = &pinfo->pif_space;
	rc = umem_pool_query(pool->vp_upool, &st);
	if (rc != 0)
		return rc;
	SCM_TOTAL(vps) = st.ups_total;
	SCM_FREE(vps) = st.ups_free;
	SCM_SYS(vps) = pool->vp_space_sys[DAOS_MEDIA_SCM];
	NVME_SYS(vps) = pool->vp_space_sys[DAOS_MEDIA_NVME];
	if (pool->vp_vsi != NULL) {
		rc = vea_query(pool->vp_vsi, &vps->vps_vea_attr, &vps->vps_vea_stat);
		if (rc != 0)
			return rc;
		NVME_TOTAL(vps) = vps->vps_vea_attr.va_tot_blks * VOS_BLK_SZ;
		NVME_FREE(vps) = vps->vps_vea_stat.vs_free_persistent * VOS_BLK_SZ;
	}
	pinfo->pif_cont_nr = pool->vp_df->pd_cont_nr;
	pinfo->pif_gc_stat = pool->vp_gc_stat;
	pinfo->pif_gc_pending = pool->vp_df->pd_gc_nr;
	pinfo->pif_heap_allocs = st.ups_nr_allocs;
	pinfo->pif_ops = pool->vp_ops;
	return 0;
}

int
vos_pool_checkpoint(daos_handle_t poh)
{
	struct vos_pool *pool = vos_hdl2pool(poh);

	if (pool == NULL)
		return -DER_NO_HDL;
	return umem_pool_checkpoint(pool->vp_upool);
}

int
vos_gc_run(int *credits)
{
	struct vos_pool *pool;
	int more = 0, rc;

	if (credits == NULL || *credits <= 0)
		return -DER_INVAL;
	/* pools are only closed by their own xstream, which is the one calling here */
	pthread_mutex_lock(&vos_pools_lock);
	d_list_for_each_entry(pool, &vos_pools, vp_link)
	{
		if (*credits <= 0) {
			more = 1;
			break;
		}
		if (pool->vp_df->pd_gc_nr == 0)
			continue;
		pthread_mutex_unlock(&vos_pools_lock);
		rc = vos_gc_pool_credits(pool, credits);
		pthread_mutex_lock(&vos_pools_lock);
		if (rc < 0) {
			pthread_mutex_unlock(&vos_pools_lock);
			return rc;
		}
		if (rc > 0)
			more = 1;
	}
	pthread_mutex_unlock(&vos_pools_lock);
	return more;
}
