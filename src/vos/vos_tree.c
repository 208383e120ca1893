/**
 * Tree classes of VOS: containers, objects, dkeys/akeys (hashed, lexical, uint64) and
 * single-value versions; callbacks of the array (evtree) descriptors.
 *
 * Every record body is allocated by VOS before the insert and passed as the value (an iov
 * holding its umem offset), so to_rec_alloc only links it. Freeing an object, key or
 * container record never recurses: the record goes to the pool's GC bin, whose steps drain
 * its subtree a bounded number of records at a time (vos_gc.c). Single-value versions are
 * leaves and are freed at once, with their blob extent.
 */
#define D_LOGFAC DD_FAC(vos)

#include <pthread.h>
#include "vos_internal.h"

/* ---------------- generic pieces ---------------- */

static int
vos_rec_link(struct btr_instance *tins, d_iov_t *key, d_iov_t *val, struct btr_record *rec,
	     d_iov_t *val_out)
{
	umem_off_t off;

	if (val == NULL || val->iov_len != sizeof(umem_off_t))
		return -DER_INVAL;
	off = *(umem_off_t *)val->iov_buf;
	rec->rec_off = off;
	if (val_out != NULL)
		d_iov_set(val_out, umem_off2ptr(&tins->ti_umm, off), 0);
	return 0;
}

static int
vos_rec_fetch_body(struct btr_instance *tins, struct btr_record *rec, d_iov_t *key_out,
		   d_iov_t *val_out)
{
	if (val_out != NULL)
		d_iov_set(val_out, umem_off2ptr(&tins->ti_umm, rec->rec_off), 0);
	return 0;
}

static int
vos_rec_update_none(struct btr_instance *tins, struct btr_record *rec, d_iov_t *key, d_iov_t *val,
		    d_iov_t *val_out)
{
	/* bodies are replaced by delete + insert, never updated through the tree */
	return -DER_NO_PERM;
}

/* ---------------- containers: key = uuid ---------------- */

static int
cont_hkey_size(void)
{
	return sizeof(uuid_t);
}

static void
cont_hkey_gen(struct btr_instance *tins, d_iov_t *key, void *hkey)
{
	memcpy(hkey, key->iov_buf, sizeof(uuid_t));
}

static int
cont_rec_free(struct btr_instance *tins, struct btr_record *rec, void *args)
{
	return vos_gc_push(tins->ti_priv, VOS_GC_CONT, rec->rec_off);
}

static int
cont_rec_fetch(struct btr_instance *tins, struct btr_record *rec, d_iov_t *key_out,
	       d_iov_t *val_out)
{
	struct vos_cont_df *cd = umem_off2ptr(&tins->ti_umm, rec->rec_off);

	if (key_out != NULL)
		d_iov_set(key_out, cd->cd_id, sizeof(uuid_t));
	return vos_rec_fetch_body(tins, rec, NULL, val_out);
}

static btr_ops_t vos_cont_ops = {
	.to_hkey_gen = cont_hkey_gen,
	.to_hkey_size = cont_hkey_size,
	.to_rec_alloc = vos_rec_link,
	.to_rec_free = cont_rec_free,
	.to_rec_fetch = cont_rec_fetch,
	.to_rec_update = vos_rec_update_none,
};

/* ---------------- objects: key = daos_unit_oid_t, ordered by (hi, lo, shard) ---------------- */

struct vos_obj_hkey {
	uint64_t oh_hi;
	uint64_t oh_lo;
	uint64_t oh_shard;
};

static int
obj_hkey_size(void)
{
	return sizeof(struct vos_obj_hkey);
}

static void
obj_hkey_gen(struct btr_instance *tins, d_iov_t *key, void *hkey)
{
	daos_unit_oid_t *oid = key->iov_buf;
	struct vos_obj_hkey *hk = hkey;

	hk->oh_hi = oid->id_pub.hi;
	hk->oh_lo = oid->id_pub.lo;
	hk->oh_shard = oid->id_shard;
}

static int
obj_hkey_cmp(struct btr_instance *tins, struct btr_record *rec, void *hkey)
{
	struct vos_obj_hkey *a = (struct vos_obj_hkey *)rec->rec_hkey;
	struct vos_obj_hkey *b = hkey;

	if (a->oh_hi != b->oh_hi)
		return a->oh_hi < b->oh_hi ? BTR_CMP_LT : BTR_CMP_GT;
	if (a->oh_lo != b->oh_lo)
		return a->oh_lo < b->oh_lo ? BTR_CMP_LT : BTR_CMP_GT;
	if (a->oh_shard != b->oh_shard)
		return a->oh_shard < b->oh_shard ? BTR_CMP_LT : BTR_CMP_GT;
	return BTR_CMP_EQ;
}

static int
obj_rec_free(struct btr_instance *tins, struct btr_record *rec, void *args)
{
	/* cached dkey tree handles of the object must go before GC can free the record */
	vos_oc_evict(tins->ti_priv, umem_off2ptr(&tins->ti_umm, rec->rec_off));
	return vos_gc_push(tins->ti_priv, VOS_GC_OBJ, rec->rec_off);
}

static int
obj_rec_fetch(struct btr_instance *tins, struct btr_record *rec, d_iov_t *key_out, d_iov_t *val_out)
{
	struct vos_obj_df *obj = umem_off2ptr(&tins->ti_umm, rec->rec_off);

	if (key_out != NULL)
		d_iov_set(key_out, &obj->vo_id, sizeof(obj->vo_id));
	return vos_rec_fetch_body(tins, rec, NULL, val_out);
}

static btr_ops_t vos_obj_ops = {
	.to_hkey_gen = obj_hkey_gen,
	.to_hkey_size = obj_hkey_size,
	.to_hkey_cmp = obj_hkey_cmp,
	.to_rec_alloc = vos_rec_link,
	.to_rec_free = obj_rec_free,
	.to_rec_fetch = obj_rec_fetch,
	.to_rec_update = vos_rec_update_none,
};

/* ---------------- dkeys and akeys ---------------- */

static inline struct vos_krec_df *
rec2krec(struct btr_instance *tins, struct btr_record *rec)
{
	return umem_off2ptr(&tins->ti_umm, rec->rec_off);
}

static int
key_rec_free(struct btr_instance *tins, struct btr_record *rec, void *args)
{
	struct vos_krec_df *krec = rec2krec(tins, rec);

	return vos_gc_push(tins->ti_priv,
			   (krec->kr_bmap & KREC_BF_DKEY) ? VOS_GC_DKEY : VOS_GC_AKEY,
			   rec->rec_off);
}

static int
key_rec_fetch(struct btr_instance *tins, struct btr_record *rec, d_iov_t *key_out, d_iov_t *val_out)
{
	struct vos_krec_df *krec = rec2krec(tins, rec);

	if (key_out != NULL) {
		if (key_out->iov_buf == NULL) {
			d_iov_set(key_out, vos_krec_key(krec), krec->kr_size);
		} else {
			memcpy(key_out->iov_buf, vos_krec_key(krec),
			       min(key_out->iov_buf_len, (size_t)krec->kr_size));
			key_out->iov_len = krec->kr_size;
		}
	}
	return vos_rec_fetch_body(tins, rec, NULL, val_out);
}

/* lexical order: memcmp over the common length, then shorter first */
static int
key_lex_cmp(struct btr_instance *tins, struct btr_record *rec, d_iov_t *key)
{
	struct vos_krec_df *krec = rec2krec(tins, rec);
	size_t len = min((size_t)krec->kr_size, key->iov_len);
	int c = memcmp(vos_krec_key(krec), key->iov_buf, len);

	if (c == 0 && krec->kr_size != key->iov_len)
		c = krec->kr_size < key->iov_len ? -1 : 1;
	return dbtree_key_cmp_rc(c);
}

/* hashed keys: 8-byte murmur64; collisions are ordered by key_lex_cmp */
static int
key_hash_size(void)
{
	return sizeof(uint64_t);
}

static void
key_hash_gen(struct btr_instance *tins, d_iov_t *key, void *hkey)
{
	uint64_t h = d_hash_murmur64(key->iov_buf, key->iov_len, 0x5f3759df);

	memcpy(hkey, &h, sizeof(h));
}

/* anchors: the key bytes after the hkey (lexical: the whole buffer); long keys are cut */
static void
key_encode(struct btr_instance *tins, d_iov_t *key, daos_anchor_t *anchor, size_t skip)
{
	size_t room = DAOS_ANCHOR_BUF_MAX - skip - sizeof(uint16_t);
	uint16_t len = (uint16_t)min(key->iov_len, room);

	memcpy(&anchor->da_buf[skip], &len, sizeof(len));
	memcpy(&anchor->da_buf[skip + sizeof(len)], key->iov_buf, len);
}

static void
key_decode(struct btr_instance *tins, d_iov_t *key, daos_anchor_t *anchor, size_t skip)
{
	uint16_t len;

	memcpy(&len, &anchor->da_buf[skip], sizeof(len));
	d_iov_set(key, &anchor->da_buf[skip + sizeof(len)], len);
}

static void
key_hash_encode(struct btr_instance *tins, d_iov_t *key, daos_anchor_t *anchor)
{
	key_encode(tins, key, anchor, sizeof(uint64_t));
}

static void
key_hash_decode(struct btr_instance *tins, d_iov_t *key, daos_anchor_t *anchor)
{
	key_decode(tins, key, anchor, sizeof(uint64_t));
}

static void
key_lex_encode(struct btr_instance *tins, d_iov_t *key, daos_anchor_t *anchor)
{
	key_encode(tins, key, anchor, 0);
}

static void
key_lex_decode(struct btr_instance *tins, d_iov_t *key, daos_anchor_t *anchor)
{
	key_decode(tins, key, anchor, 0);
}

/*
 * A dkey's lone akey (KREC_BF_AK1) has no tree, but iterators must give it the anchor the
 * akey tree of its class would, and order it against probe keys and anchors the same way, so
 * that an anchor taken before the tree exists resumes in it (see btr_rec_anchor and
 * btr_skey_from_anchor for the formats).
 */
void
vos_key_anchor_set(unsigned int cls, struct vos_krec_df *krec, daos_anchor_t *anchor)
{
	daos_anchor_t scratch;
	d_iov_t key;

	d_iov_set(&key, vos_krec_key(krec), krec->kr_size);
	memset(anchor->da_buf, 0, sizeof(anchor->da_buf));
	anchor->da_type = DAOS_ANCHOR_TYPE_HKEY;
	anchor->da_flags &= ~1U;
	switch (cls) {
	case VOS_BTR_KEY_UINT:
		memcpy(anchor->da_buf, key.iov_buf, min(key.iov_len, sizeof(uint64_t)));
		break;
	case VOS_BTR_KEY_LEX:
		key_lex_encode(NULL, &key, anchor);
		break;
	default:
		key_hash_gen(NULL, &key, anchor->da_buf);
		memset(&scratch, 0, sizeof(scratch));
		key_hash_encode(NULL, &key, &scratch);
		memcpy(anchor->da_buf + sizeof(uint64_t), scratch.da_buf,
		       DAOS_ANCHOR_BUF_MAX - sizeof(uint64_t));
		anchor->da_flags |= 1;
		break;
	}
}

static int
lex_cmp(const void *a, size_t alen, const void *b, size_t blen)
{
	int c = memcmp(a, b, min(alen, blen));

	if (c == 0 && alen != blen)
		c = alen < blen ? -1 : 1;
	return c;
}

static int
u64_cmp(uint64_t a, uint64_t b)
{
	return a < b ? -1 : (a > b ? 1 : 0);
}

int
vos_key_anchor_cmp(unsigned int cls, struct vos_krec_df *krec, d_iov_t *key, daos_anchor_t *anchor)
{
	const char *kb = vos_krec_key(krec);
	uint64_t a = 0, b = 0;
	d_iov_t kiov;
	uint16_t len;
	int c;

	switch (cls) {
	case VOS_BTR_KEY_UINT:
		memcpy(&a, kb, min((size_t)krec->kr_size, sizeof(a)));
		if (key != NULL)
			memcpy(&b, key->iov_buf, min(key->iov_len, sizeof(b)));
		else
			memcpy(&b, anchor->da_buf, sizeof(b));
		return u64_cmp(a, b);
	case VOS_BTR_KEY_LEX:
		if (key != NULL)
			return lex_cmp(kb, krec->kr_size, key->iov_buf, key->iov_len);
		memcpy(&len, anchor->da_buf, sizeof(len));
		return lex_cmp(kb, krec->kr_size, anchor->da_buf + sizeof(len), len);
	default:
		d_iov_set(&kiov, (void *)kb, krec->kr_size);
		key_hash_gen(NULL, &kiov, &a);
		if (key != NULL)
			key_hash_gen(NULL, key, &b);
		else
			memcpy(&b, anchor->da_buf, sizeof(b));
		c = u64_cmp(a, b);
		if (c != 0)
			return c;
		if (key != NULL)
			return lex_cmp(kb, krec->kr_size, key->iov_buf, key->iov_len);
		if (!(anchor->da_flags & 1))
			return 0;
		/* after the hkey: the class's encoding of the key (length, bytes) */
		memcpy(&len, anchor->da_buf + 2 * sizeof(uint64_t), sizeof(len));
		return lex_cmp(kb, krec->kr_size,
			       anchor->da_buf + 2 * sizeof(uint64_t) + sizeof(len), len);
	}
}

static btr_ops_t vos_key_hash_ops = {
	.to_hkey_gen = key_hash_gen,
	.to_hkey_size = key_hash_size,
	.to_key_cmp = key_lex_cmp,
	.to_key_encode = key_hash_encode,
	.to_key_decode = key_hash_decode,
	.to_rec_alloc = vos_rec_link,
	.to_rec_free = key_rec_free,
	.to_rec_fetch = key_rec_fetch,
	.to_rec_update = vos_rec_update_none,
};

static btr_ops_t vos_key_lex_ops = {
	.to_key_cmp = key_lex_cmp,
	.to_key_encode = key_lex_encode,
	.to_key_decode = key_lex_decode,
	.to_rec_alloc = vos_rec_link,
	.to_rec_free = key_rec_free,
	.to_rec_fetch = key_rec_fetch,
	.to_rec_update = vos_rec_update_none,
};

static btr_ops_t vos_key_uint_ops = {
	.to_rec_alloc = vos_rec_link,
	.to_rec_free = key_rec_free,
	.to_rec_fetch = key_rec_fetch,
	.to_rec_update = vos_rec_update_none,
};

/* ---------------- single-value versions: key = (epoch, minor) ---------------- */

static int
sv_hkey_size(void)
{
	return sizeof(struct vos_sv_key);
}

static void
sv_hkey_gen(struct btr_instance *tins, d_iov_t *key, void *hkey)
{
	memcpy(hkey, key->iov_buf, sizeof(struct vos_sv_key));
}

static int
sv_hkey_cmp(struct btr_instance *tins, struct btr_record *rec, void *hkey)
{
	struct vos_sv_key *a = (struct vos_sv_key *)rec->rec_hkey;
	struct vos_sv_key *b = hkey;

	if (a->sk_epoch != b->sk_epoch)
		return a->sk_epoch < b->sk_epoch ? BTR_CMP_LT : BTR_CMP_GT;
	if (a->sk_minor != b->sk_minor)
		return a->sk_minor < b->sk_minor ? BTR_CMP_LT : BTR_CMP_GT;
	return BTR_CMP_EQ;
}

/* free the data of \a irec (at \a off, UMOFF_NULL when inside an akey record) */
static int
irec_data_free(struct vos_pool *pool, struct vos_irec_df *irec, umem_off_t off)
{
	if (irec->ir_addr.ba_type == DAOS_MEDIA_NVME && !bio_addr_is_hole(&irec->ir_addr))
		return vos_addr_free(pool, &irec->ir_addr, irec->ir_size);
	if (irec->ir_addr.ba_type == DAOS_MEDIA_SCM && !UMOFF_IS_NULL(irec->ir_addr.ba_off) &&
	    (UMOFF_IS_NULL(off) || irec->ir_addr.ba_off != off + sizeof(*irec) + irec->ir_cs_len))
		return umem_free(&pool->vp_umm, irec->ir_addr.ba_off); /* a block of its own */
	return 0;
}

int
vos_irec_free(struct vos_pool *pool, umem_off_t off)
{
	struct umem_instance *umm = &pool->vp_umm;
	int rc;

	rc = irec_data_free(pool, umem_off2ptr(umm, off), off);
	if (rc == 0)
		rc = umem_free(umm, off);
	pool->vp_gc_stat.gs_singvs++;
	return rc;
}

int
vos_sv1_free(struct vos_pool *pool, struct vos_krec_df *akrec)
{
	int rc;

	rc = umem_tx_add_ptr(&pool->vp_umm, akrec, vos_krec_hdr_size(akrec->kr_bmap));
	if (rc != 0)
		return rc;
	if (akrec->kr_bmap & KREC_BF_SVI) {
		rc = irec_data_free(pool, vos_sv1_irec(&pool->vp_umm, akrec), UMOFF_NULL);
		pool->vp_gc_stat.gs_singvs++;
	} else {
		rc = vos_irec_free(pool, akrec->kr_sv1);
	}
	if (rc == 0) {
		akrec->kr_bmap &= ~(KREC_BF_SV1 | KREC_BF_SVI);
		memset(&akrec->kr_btr, 0, sizeof(akrec->kr_btr));
	}
	return rc;
}

static int
sv_rec_free(struct btr_instance *tins, struct btr_record *rec, void *args)
{
	return vos_irec_free(tins->ti_priv, rec->rec_off);
}

static int
sv_rec_fetch(struct btr_instance *tins, struct btr_record *rec, d_iov_t *key_out, d_iov_t *val_out)
{
	if (key_out != NULL)
		d_iov_set(key_out, rec->rec_hkey, sizeof(struct vos_sv_key));
	return vos_rec_fetch_body(tins, rec, NULL, val_out);
}

static btr_ops_t vos_sv_ops = {
	.to_hkey_gen = sv_hkey_gen,
	.to_hkey_size = sv_hkey_size,
	.to_hkey_cmp = sv_hkey_cmp,
	.to_rec_alloc = vos_rec_link,
	.to_rec_free = sv_rec_free,
	.to_rec_fetch = sv_rec_fetch,
	.to_rec_update = vos_rec_update_none,
};

/* ---------------- registration and opening ---------------- */

static pthread_once_t vos_tree_once = PTHREAD_ONCE_INIT;
static int vos_tree_rc;

static void
vos_tree_register(void)
{
	struct {
		unsigned int cls;
		uint64_t feats;
		btr_ops_t *ops;
	} classes[] = {
		{VOS_BTR_CONT, 0, &vos_cont_ops},
		{VOS_BTR_OBJ, 0, &vos_obj_ops},
		{VOS_BTR_KEY_HASH, BTR_FEAT_DYNAMIC_ROOT, &vos_key_hash_ops},
		{VOS_BTR_KEY_LEX, BTR_FEAT_DIRECT_KEY | BTR_FEAT_DYNAMIC_ROOT, &vos_key_lex_ops},
		{VOS_BTR_KEY_UINT, BTR_FEAT_UINT_KEY | BTR_FEAT_DYNAMIC_ROOT, &vos_key_uint_ops},
		{VOS_BTR_SV, BTR_FEAT_DYNAMIC_ROOT, &vos_sv_ops},
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(classes); i++) {
		vos_tree_rc =
			dbtree_class_register(classes[i].cls, classes[i].feats, classes[i].ops);
		if (vos_tree_rc != 0) {
			D_ERROR("cannot register tree class %u: " DF_RC "\n", classes[i].cls,
				DP_RC(vos_tree_rc));
			return;
		}
	}
}

int
vos_tree_init(void)
{
	pthread_once(&vos_tree_once, vos_tree_register);
	return vos_tree_rc;
}

int
vos_btr_open(struct vos_pool *pool, struct btr_root *root, daos_handle_t *toh)
{
	return dbtree_open_inplace_ex(root, &pool->vp_uma, pool, toh);
}

int
vos_btr_create(struct vos_pool *pool, unsigned int class, uint64_t feats, unsigned int order,
	       struct btr_root *root, daos_handle_t *toh)
{
	return dbtree_create_inplace_ex(class, feats, order, &pool->vp_uma, root, pool, toh);
}

unsigned int
vos_key_class(daos_unit_oid_t oid, bool dkey, uint64_t *feats)
{
	enum daos_otype_t type = daos_obj_id2type(oid.id_pub);

	*feats = 0;
	if (dkey ? daos_is_dkey_uint64_type(type) : daos_is_akey_uint64_type(type)) {
		*feats = BTR_FEAT_UINT_KEY | BTR_FEAT_DYNAMIC_ROOT;
		return VOS_BTR_KEY_UINT;
	}
	if (dkey ? daos_is_dkey_lexical_type(type) : daos_is_akey_lexical_type(type)) {
		*feats = BTR_FEAT_DIRECT_KEY | BTR_FEAT_DYNAMIC_ROOT;
		return VOS_BTR_KEY_LEX;
	}
	*feats = BTR_FEAT_DYNAMIC_ROOT;
	return VOS_BTR_KEY_HASH;
}

int
vos_addr_free(struct vos_pool *pool, bio_addr_t *addr, daos_size_t len)
{
	if (bio_addr_is_hole(addr))
		return 0;
	if (addr->ba_type == DAOS_MEDIA_SCM)
		return umem_free(&pool->vp_umm, addr->ba_off);
	if (pool->vp_vsi == NULL)
		return -DER_INVAL;
	return vea_free(pool->vp_vsi, addr->ba_off / VOS_BLK_SZ,
			(uint32_t)((len + VOS_BLK_SZ - 1) / VOS_BLK_SZ));
}

static int
vos_evt_free_cb(struct umem_instance *umm, struct evt_desc *desc, daos_size_t nob, void *args)
{
	struct vos_pool *pool = args;

	pool->vp_gc_stat.gs_recxs++;
	return vos_addr_free(pool, &desc->dc_ex_addr, nob);
}

int
vos_evt_open(struct vos_pool *pool, struct evt_root *root, daos_handle_t *toh)
{
	struct evt_desc_cbs cbs = {.dc_bio_free_cb = vos_evt_free_cb, .dc_bio_free_args = pool};

	return evt_open(root, &pool->vp_uma, &cbs, toh);
}

int
vos_evt_create(struct vos_pool *pool, struct evt_root *root, daos_handle_t *toh)
{
	struct evt_desc_cbs cbs = {.dc_bio_free_cb = vos_evt_free_cb, .dc_bio_free_args = pool};

	return evt_create(root, EVT_FEAT_DEFAULT, VOS_EVT_ORDER, &pool->vp_uma, &cbs, toh);
}
