/**
 * dbtree class registry.
 */
#define D_LOGFAC DD_FAC(common)

#include <pthread.h>

#include "btr_internal.h"

static struct {
	btr_ops_t *ops;
	uint64_t feats;
} btr_classes[BTR_CLASS_MAX];
static pthread_mutex_t btr_class_lock = PTHREAD_MUTEX_INITIALIZER;

int
dbtree_class_register(unsigned int tree_class, uint64_t tree_feats, btr_ops_t *ops)
{
	int rc = 0;

	if (tree_class == 0 || tree_class >= BTR_CLASS_MAX || ops == NULL)
		return -DER_INVAL;
	if (ops->to_rec_alloc == NULL || ops->to_rec_free == NULL || ops->to_rec_fetch == NULL)
		return -DER_INVAL;
	if ((tree_feats & BTR_FEAT_UINT_KEY) && (tree_feats & BTR_FEAT_DIRECT_KEY))
		return -DER_INVAL;
	if ((tree_feats & BTR_FEAT_DIRECT_KEY) &&
	    (ops->to_key_cmp == NULL || ops->to_key_encode == NULL || ops->to_key_decode == NULL))
		return -DER_INVAL;
	if (!(tree_feats & (BTR_FEAT_UINT_KEY | BTR_FEAT_DIRECT_KEY)) &&
	    (ops->to_hkey_gen == NULL || ops->to_hkey_size == NULL))
		return -DER_INVAL;

	pthread_mutex_lock(&btr_class_lock);
	if (btr_classes[tree_class].ops == NULL) {
		btr_classes[tree_class].feats = tree_feats;
		__atomic_store_n(&btr_classes[tree_class].ops, ops, __ATOMIC_RELEASE);
	} else if (btr_classes[tree_class].ops != ops ||
		   btr_classes[tree_class].feats != tree_feats) {
		rc = -DER_EXIST;
	}
	pthread_mutex_unlock(&btr_class_lock);
	return rc;
}

static int btr_builtin_register(void);
static pthread_once_t btr_builtin_once = PTHREAD_ONCE_INIT;
static int btr_builtin_rc;

static void
btr_builtin_init_once(void)
{
	btr_builtin_rc = btr_builtin_register();
}

int
dbtree_class_builtin_init(void)
{
	pthread_once(&btr_builtin_once, btr_builtin_init_once);
	return btr_builtin_rc;
}

int
btr_class_get(unsigned int tree_class, btr_ops_t **ops, uint64_t *feats)
{
	btr_ops_t *o;

	dbtree_class_builtin_init();
	if (tree_class == 0 || tree_class >= BTR_CLASS_MAX)
		return -DER_INVAL;
	o = __atomic_load_n(&btr_classes[tree_class].ops, __ATOMIC_ACQUIRE);
	if (o == NULL) {
		D_ERROR("tree class %u is not registered\n", tree_class);
		return -DER_NONEXIST;
	}
	*ops = o;
	*feats = btr_classes[tree_class].feats;
	return 0;
}

/* -------------------------------------------------------------------------------------------
 * Handles: a slot table so that any cookie can be checked without dereferencing it.
 * cookie = tag << 32 | slot index, tag = generation << 2 | type; a freed slot keeps its
 * generation with type 0, so stale cookies never match again (until 2^30 reuses).
 * Lookups are lock free (chunks are never freed); alloc/free take a mutex.
 * ------------------------------------------------------------------------------------------- */
#define BTR_HDL_CHUNK_SHIFT 10
#define BTR_HDL_CHUNK       (1U << BTR_HDL_CHUNK_SHIFT)
#define BTR_HDL_CHUNKS      4096

struct btr_hslot {
	uint32_t hs_tag;
	uint32_t hs_next;
	void *hs_ptr;
};

static struct btr_hslot *btr_hchunks[BTR_HDL_CHUNKS];
static uint32_t btr_hnr;
static uint32_t btr_hfree = UINT32_MAX;
static pthread_mutex_t btr_hlock = PTHREAD_MUTEX_INITIALIZER;

static inline struct btr_hslot *
btr_hslot(uint32_t idx)
{
	struct btr_hslot *chunk;

	if ((idx >> BTR_HDL_CHUNK_SHIFT) >= BTR_HDL_CHUNKS)
		return NULL;
	chunk = __atomic_load_n(&btr_hchunks[idx >> BTR_HDL_CHUNK_SHIFT], __ATOMIC_ACQUIRE);
	return chunk == NULL ? NULL : &chunk[idx & (BTR_HDL_CHUNK - 1)];
}

/* btr_hlock held */
static int
hdl_alloc_locked(int type, void *ptr, uint64_t *cookie)
{
	struct btr_hslot *slot;
	uint32_t idx, gen;
	int rc = 0;

	if (btr_hfree != UINT32_MAX) {
		idx = btr_hfree;
		slot = btr_hslot(idx);
		btr_hfree = slot->hs_next;
	} else {
		idx = btr_hnr;
		if ((idx >> BTR_HDL_CHUNK_SHIFT) >= BTR_HDL_CHUNKS) {
			rc = -DER_NOMEM;
			goto out;
		}
		if ((idx & (BTR_HDL_CHUNK - 1)) == 0) {
			struct btr_hslot *chunk;

			D_ALLOC_ARRAY(chunk, BTR_HDL_CHUNK);
			if (chunk == NULL) {
				rc = -DER_NOMEM;
				goto out;
			}
			__atomic_store_n(&btr_hchunks[idx >> BTR_HDL_CHUNK_SHIFT], chunk,
					 __ATOMIC_RELEASE);
		}
		btr_hnr++;
		slot = btr_hslot(idx);
	}
	gen = ((slot->hs_tag >> 2) + 1) & ((1U << 30) - 1);
	if (gen == 0)
		gen = 1;
	slot->hs_ptr = ptr;
	__atomic_store_n(&slot->hs_tag, gen << 2 | (uint32_t)type, __ATOMIC_RELEASE);
	*cookie = (uint64_t)(gen << 2 | (uint32_t)type) << 32 | idx;
out:
	return rc;
}

int
btr_hdl_alloc(int type, void *ptr, uint64_t *cookie)
{
	int rc;

	pthread_mutex_lock(&btr_hlock);
	rc = hdl_alloc_locked(type, ptr, cookie);
	pthread_mutex_unlock(&btr_hlock);
	return rc;
}

/* btr_hlock held */
static void
hdl_free_locked(uint64_t cookie)
{
	uint32_t idx = (uint32_t)cookie;
	uint32_t tag = cookie >> 32;
	struct btr_hslot *slot = btr_hslot(idx);

	if (slot == NULL)
		return;
	if (slot->hs_tag == tag) {
		__atomic_store_n(&slot->hs_tag, tag & ~3U, __ATOMIC_RELEASE);
		slot->hs_ptr = NULL;
		slot->hs_next = btr_hfree;
		btr_hfree = idx;
	}
}

void
btr_hdl_free(uint64_t cookie)
{
	pthread_mutex_lock(&btr_hlock);
	hdl_free_locked(cookie);
	pthread_mutex_unlock(&btr_hlock);
}

void *
btr_hdl_lookup(uint64_t cookie, int type)
{
	uint32_t tag = cookie >> 32;
	struct btr_hslot *slot;

	if ((tag & 3U) != (uint32_t)type)
		return NULL;
	slot = btr_hslot((uint32_t)cookie);
	if (slot == NULL || __atomic_load_n(&slot->hs_tag, __ATOMIC_ACQUIRE) != tag)
		return NULL;
	return slot->hs_ptr;
}

/* -------------------------------------------------------------------------------------------
 * Built-in classes. One heap object per record: { klen, vlen, key, pad to 8, value }.
 * ------------------------------------------------------------------------------------------- */
struct btr_gen_body {
	uint32_t gb_klen;
	uint32_t gb_vlen;
	char gb_data[0];
};

#define BTR_GEN_SEED 5731

static inline struct btr_gen_body *
gen_body(struct btr_instance *tins, struct btr_record *rec)
{
	return umem_off2ptr(&tins->ti_umm, rec->rec_off);
}

static inline char *
gen_val(struct btr_gen_body *b)
{
	return b->gb_data + D_ALIGNUP(b->gb_klen, 8);
}

static inline size_t
gen_size(size_t klen, size_t vlen)
{
	return sizeof(struct btr_gen_body) + D_ALIGNUP(klen, 8) + vlen;
}

static bool
gen_has_key(struct btr_instance *tins)
{
	return !(tins->ti_root->tr_feats & BTR_FEAT_UINT_KEY);
}

static int
gen_rec_alloc(struct btr_instance *tins, d_iov_t *key, d_iov_t *val, struct btr_record *rec,
	      d_iov_t *val_out)
{
	size_t klen = gen_has_key(tins) ? key->iov_len : 0;
	size_t vlen = val != NULL ? val->iov_len : 0;
	struct btr_gen_body *b;
	umem_off_t off;

	if (klen > UINT32_MAX || vlen > UINT32_MAX || (vlen > 0 && val->iov_buf == NULL) ||
	    (klen > 0 && key->iov_buf == NULL))
		return -DER_INVAL;
	off = umem_alloc(&tins->ti_umm, gen_size(klen, vlen));
	if (UMOFF_IS_NULL(off))
		return tins->ti_umm.umm_nospc_rc;
	b = umem_off2ptr(&tins->ti_umm, off);
	b->gb_klen = klen;
	b->gb_vlen = vlen;
	if (klen > 0)
		memcpy(b->gb_data, key->iov_buf, klen);
	if (vlen > 0)
		memcpy(gen_val(b), val->iov_buf, vlen);
	rec->rec_off = off;
	if (val_out != NULL)
		d_iov_set(val_out, gen_val(b), vlen);
	return 0;
}

static int
gen_rec_free(struct btr_instance *tins, struct btr_record *rec, void *args)
{
	return umem_free(&tins->ti_umm, rec->rec_off);
}

/* address of the data if iov_buf is NULL, else a copy (-DER_TRUNC if it does not fit) */
static int
gen_iov_out(d_iov_t *iov, void *data, size_t len)
{
	if (iov == NULL)
		return 0;
	if (iov->iov_buf == NULL) {
		d_iov_set(iov, data, len);
		return 0;
	}
	iov->iov_len = len;
	if (iov->iov_buf_len < len)
		return -DER_TRUNC;
	memcpy(iov->iov_buf, data, len);
	return 0;
}

static int
gen_rec_fetch(struct btr_instance *tins, struct btr_record *rec, d_iov_t *key_out, d_iov_t *val_out)
{
	struct btr_gen_body *b = gen_body(tins, rec);
	int rc;

	if (gen_has_key(tins))
		rc = gen_iov_out(key_out, b->gb_data, b->gb_klen);
	else
		rc = gen_iov_out(key_out, rec->rec_ukey, sizeof(uint64_t));
	if (rc != 0)
		return rc;
	return gen_iov_out(val_out, gen_val(b), b->gb_vlen);
}

static int
gen_rec_update(struct btr_instance *tins, struct btr_record *rec, d_iov_t *key, d_iov_t *val,
	       d_iov_t *val_out)
{
	struct umem_instance *umm = &tins->ti_umm;
	struct btr_gen_body *b = gen_body(tins, rec);
	size_t vlen = val != NULL ? val->iov_len : 0;
	struct btr_gen_body *nb;
	umem_off_t off;
	int rc;

	if (vlen > UINT32_MAX || (vlen > 0 && val->iov_buf == NULL))
		return -DER_INVAL;
	if (gen_size(b->gb_klen, vlen) <= umem_usable_size(umm, rec->rec_off) ||
	    (umm->umm_id == UMEM_CLASS_VMEM && vlen <= b->gb_vlen)) {
		/* in place: snapshot the length and the new value bytes only */
		rc = umem_tx_add_ptr(umm, b, sizeof(*b));
		if (rc == 0 && vlen > 0)
			rc = umem_tx_add_ptr(umm, gen_val(b), vlen);
		if (rc != 0)
			return rc;
		b->gb_vlen = vlen;
		if (vlen > 0)
			memcpy(gen_val(b), val->iov_buf, vlen);
		if (val_out != NULL)
			d_iov_set(val_out, gen_val(b), vlen);
		return 0;
	}
	off = umem_alloc(umm, gen_size(b->gb_klen, vlen));
	if (UMOFF_IS_NULL(off))
		return umm->umm_nospc_rc;
	nb = umem_off2ptr(umm, off);
	nb->gb_klen = b->gb_klen;
	nb->gb_vlen = vlen;
	memcpy(nb->gb_data, b->gb_data, b->gb_klen);
	if (vlen > 0)
		memcpy(gen_val(nb), val->iov_buf, vlen);
	rc = umem_free(umm, rec->rec_off);
	if (rc != 0) {
		umem_free(umm, off);
		return rc;
	}
	rec->rec_off = off;
	if (val_out != NULL)
		d_iov_set(val_out, gen_val(nb), vlen);
	return 0;
}

static int
gen_rec_stat(struct btr_instance *tins, struct btr_record *rec, struct btr_rec_stat *rs)
{
	struct btr_gen_body *b = gen_body(tins, rec);

	rs->rs_ksize = gen_has_key(tins) ? b->gb_klen : sizeof(uint64_t);
	rs->rs_vsize = b->gb_vlen;
	return 0;
}

static void
kv_hkey_gen(struct btr_instance *tins, d_iov_t *key, void *hkey)
{
	uint64_t h = d_hash_murmur64(key->iov_buf, key->iov_len, BTR_GEN_SEED);

	memcpy(hkey, &h, sizeof(h));
}

static int
kv_hkey_size(void)
{
	return sizeof(uint64_t);
}

/* lexical: bytes, then the shorter first */
static int
gen_key_cmp(struct btr_instance *tins, struct btr_record *rec, d_iov_t *key)
{
	struct btr_gen_body *b = gen_body(tins, rec);
	size_t n = b->gb_klen < key->iov_len ? b->gb_klen : key->iov_len;
	int c = n > 0 ? memcmp(b->gb_data, key->iov_buf, n) : 0;

	if (c == 0)
		c = b->gb_klen < key->iov_len ? -1 : b->gb_klen > key->iov_len;
	return dbtree_key_cmp_rc(c);
}

/* anchor: { uint16_t len, bytes }, truncated to \a room bytes in all */
static void
gen_key_encode(d_iov_t *key, daos_anchor_t *anchor, size_t room)
{
	uint16_t len = key->iov_len > room - 2 ? room - 2 : key->iov_len;

	memcpy(anchor->da_buf, &len, sizeof(len));
	if (len > 0)
		memcpy(anchor->da_buf + 2, key->iov_buf, len);
}

static void
gen_key_decode(struct btr_instance *tins, d_iov_t *key, daos_anchor_t *anchor)
{
	uint16_t len;

	memcpy(&len, anchor->da_buf, sizeof(len));
	d_iov_set(key, anchor->da_buf + 2, len);
}

static void
kv_key_encode(struct btr_instance *tins, d_iov_t *key, daos_anchor_t *anchor)
{
	gen_key_encode(key, anchor, DAOS_ANCHOR_BUF_MAX - sizeof(uint64_t));
}

static void
nv_key_encode(struct btr_instance *tins, d_iov_t *key, daos_anchor_t *anchor)
{
	gen_key_encode(key, anchor, DAOS_ANCHOR_BUF_MAX);
}

static btr_ops_t kv_ops = {
	.to_hkey_gen = kv_hkey_gen,
	.to_hkey_size = kv_hkey_size,
	.to_key_cmp = gen_key_cmp,
	.to_key_encode = kv_key_encode,
	.to_key_decode = gen_key_decode,
	.to_rec_alloc = gen_rec_alloc,
	.to_rec_free = gen_rec_free,
	.to_rec_fetch = gen_rec_fetch,
	.to_rec_update = gen_rec_update,
	.to_rec_stat = gen_rec_stat,
};

static btr_ops_t iv_ops = {
	.to_rec_alloc = gen_rec_alloc,
	.to_rec_free = gen_rec_free,
	.to_rec_fetch = gen_rec_fetch,
	.to_rec_update = gen_rec_update,
	.to_rec_stat = gen_rec_stat,
};

static btr_ops_t nv_ops = {
	.to_key_cmp = gen_key_cmp,
	.to_key_encode = nv_key_encode,
	.to_key_decode = gen_key_decode,
	.to_rec_alloc = gen_rec_alloc,
	.to_rec_free = gen_rec_free,
	.to_rec_fetch = gen_rec_fetch,
	.to_rec_update = gen_rec_update,
	.to_rec_stat = gen_rec_stat,
};

static int
btr_builtin_register(void)
{
	int rc;

	rc = dbtree_class_register(DBTREE_CLASS_KV, 0, &kv_ops);
	if (rc == 0)
		rc = dbtree_class_register(DBTREE_CLASS_IV, BTR_FEAT_UINT_KEY, &iv_ops);
	if (rc == 0)
		rc = dbtree_class_register(DBTREE_CLASS_NV, BTR_FEAT_DIRECT_KEY, &nv_ops);
	if (rc != 0)
		D_ERROR("failed to register the built-in tree classes: " DF_RC "\n", DP_RC(rc));
	return rc;
}

/* -------------------------------------------------------------------------------------------
 * Per-tree shared state, found by the root's address at open (hash table under the handle
 * table's mutex, so that an open or a close takes one lock; the contents are only touched by
 * the thread that owns the tree).
 * ------------------------------------------------------------------------------------------- */
#define BTR_RI_BUCKETS 1024

static d_list_t btr_ri_table[BTR_RI_BUCKETS];
static bool btr_ri_ready;
/* freed entries kept for reuse: VOS opens a different akey tree on every operation */
#define BTR_RI_SPARE 64
static struct btr_rootinfo *btr_ri_spare[BTR_RI_SPARE];
static int btr_ri_nspare;

/* btr_hlock held */
static struct btr_rootinfo *
rootinfo_get_locked(void *root)
{
	struct btr_rootinfo *ri;
	d_list_t *head;
	int i;

	if (!btr_ri_ready) {
		for (i = 0; i < BTR_RI_BUCKETS; i++)
			D_INIT_LIST_HEAD(&btr_ri_table[i]);
		btr_ri_ready = true;
	}
	head = &btr_ri_table[d_hash_mix64((uint64_t)(uintptr_t)root) % BTR_RI_BUCKETS];
	d_list_for_each_entry(ri, head, ri_link)
	{
		if (ri->ri_root == root) {
			ri->ri_ref++;
			goto out;
		}
	}
	if (btr_ri_nspare > 0) {
		ri = btr_ri_spare[--btr_ri_nspare];
		memset(ri, 0, sizeof(*ri));
	} else {
		D_ALLOC_PTR(ri);
	}
	if (ri != NULL) {
		ri->ri_root = root;
		ri->ri_ref = 1;
		D_INIT_LIST_HEAD(&ri->ri_iters);
		d_list_add(&ri->ri_link, head);
	}
out:
	return ri;
}

/* btr_hlock held */
static void
rootinfo_put_locked(struct btr_rootinfo *ri)
{
	if (--ri->ri_ref == 0) {
		d_list_del(&ri->ri_link);
		if (btr_ri_nspare < BTR_RI_SPARE)
			btr_ri_spare[btr_ri_nspare++] = ri;
		else
			D_FREE(ri);
	}
}

void
btr_rootinfo_put(struct btr_rootinfo *ri)
{
	pthread_mutex_lock(&btr_hlock);
	rootinfo_put_locked(ri);
	pthread_mutex_unlock(&btr_hlock);
}

int
btr_tree_register(void *root, void *tcx, struct btr_rootinfo **rip, uint64_t *cookie)
{
	struct btr_rootinfo *ri;
	int rc;

	pthread_mutex_lock(&btr_hlock);
	ri = rootinfo_get_locked(root);
	if (ri == NULL) {
		rc = -DER_NOMEM;
	} else {
		rc = hdl_alloc_locked(BTR_HDL_TREE, tcx, cookie);
		if (rc != 0)
			rootinfo_put_locked(ri);
	}
	pthread_mutex_unlock(&btr_hlock);
	*rip = ri;
	return rc;
}

void
btr_tree_unregister(uint64_t cookie, struct btr_rootinfo *ri)
{
	pthread_mutex_lock(&btr_hlock);
	hdl_free_locked(cookie);
	if (ri != NULL)
		rootinfo_put_locked(ri);
	pthread_mutex_unlock(&btr_hlock);
}
