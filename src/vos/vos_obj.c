/**
 * Object and key records: lookup and on-demand creation in the object index, dkey trees and
 * akey trees.
 */
#define D_LOGFAC DD_FAC(vos)

#include "vos_internal.h"

int
vos_obj_lookup(struct vos_container *cont, daos_unit_oid_t oid, struct vos_obj_df **objp)
{
	d_iov_t key, val;
	int rc;

	d_iov_set(&key, &oid, sizeof(oid));
	d_iov_set(&val, NULL, 0);
	rc = dbtree_lookup(cont->vc_obj_th, &key, &val);
	if (rc == 0)
		*objp = val.iov_buf;
	return rc;
}

int
vos_obj_find_or_create(struct vos_container *cont, daos_unit_oid_t oid, struct vos_obj_df **objp)
{
	struct umem_instance *umm = vos_cont2umm(cont);
	struct vos_obj_df *obj;
	d_iov_t key, val;
	umem_off_t off;
	int rc;

	rc = vos_obj_lookup(cont, oid, objp);
	if (rc != -DER_NONEXIST)
		return rc;
	off = umem_zalloc(umm, sizeof(*obj));
	if (UMOFF_IS_NULL(off))
		return -DER_NOSPACE;
	obj = umem_off2ptr(umm, off);
	obj->vo_id = oid;
	d_iov_set(&key, &oid, sizeof(oid));
	d_iov_set(&val, &off, sizeof(off));
	rc = dbtree_upsert(cont->vc_obj_th, BTR_PROBE_BYPASS, DAOS_INTENT_UPDATE, &key, &val, NULL);
	if (rc != 0)
		return rc;
	rc = umem_tx_add_ptr(umm, &cont->vc_df->cd_nobjs, sizeof(cont->vc_df->cd_nobjs));
	if (rc != 0)
		return rc;
	cont->vc_df->cd_nobjs++;
	*objp = obj;
	return 0;
}

int
vos_key_lookup(daos_handle_t toh, daos_key_t *key, struct vos_krec_df **krecp)
{
	d_iov_t val;
	int rc;

	*krecp = NULL;
	d_iov_set(&val, NULL, 0);
	rc = dbtree_lookup(toh, key, &val);
	if (rc == 0)
		*krecp = val.iov_buf;
	else if (rc == -DER_NONEXIST)
		rc = 0;
	return rc;
}

/* a new key record for \a key (not linked anywhere yet) */
static int
krec_new(struct vos_pool *pool, daos_key_t *key, uint8_t bmap, umem_off_t *offp)
{
	struct umem_instance *umm = &pool->vp_umm;
	struct vos_krec_df *krec;
	umem_off_t off;

	if (bmap & KREC_BF_BTR)
		bmap |= KREC_BF_SHORT;
	off = umem_alloc(umm, vos_krec_hdr_size(bmap) + key->iov_len);
	if (UMOFF_IS_NULL(off))
		return -DER_NOSPACE;
	krec = umem_off2ptr(umm, off);
	memset(krec, 0, vos_krec_hdr_size(bmap));
	krec->kr_bmap = bmap;
	krec->kr_size = key->iov_len;
	memcpy(vos_krec_key(krec), key->iov_buf, key->iov_len);
	*offp = off;
	return 0;
}

int
vos_key_find_or_create(struct vos_pool *pool, daos_handle_t toh, daos_key_t *key, uint8_t bmap,
		       struct vos_krec_df **krecp, bool *created)
{
	d_iov_t val;
	umem_off_t off;
	int rc;

	*created = false;
	rc = vos_key_lookup(toh, key, krecp);
	if (rc != 0 || *krecp != NULL)
		return rc;
	rc = krec_new(pool, key, bmap, &off);
	if (rc != 0)
		return rc;
	d_iov_set(&val, &off, sizeof(off));
	rc = dbtree_upsert(toh, BTR_PROBE_BYPASS, DAOS_INTENT_UPDATE, key, &val, NULL);
	if (rc != 0)
		return rc;
	*krecp = umem_off2ptr(&pool->vp_umm, off);
	*created = true;
	return 0;
}

static int
subtree_open(struct vos_pool *pool, struct btr_root *root, unsigned int cls, uint64_t feats,
	     unsigned int order, bool create, daos_handle_t *toh)
{
	int rc;

	if (root->tr_class != 0)
		return vos_btr_open(pool, root, toh);
	if (!create)
		return -DER_NONEXIST;
	rc = umem_tx_add_ptr(&pool->vp_umm, root, sizeof(*root));
	if (rc != 0)
		return rc;
	return vos_btr_create(pool, cls, feats, order, root, toh);
}

int
vos_obj_tree_open(struct vos_container *cont, struct vos_obj_df *obj, daos_unit_oid_t oid,
		  bool create, daos_handle_t *toh)
{
	uint64_t feats;
	unsigned int cls = vos_key_class(oid, true, &feats);

	return subtree_open(cont->vc_pool, &obj->vo_tree, cls, feats, VOS_BTR_ORDER, create, toh);
}

int
vos_dkey_tree_open(struct vos_container *cont, struct vos_krec_df *dkrec, daos_unit_oid_t oid,
		   bool create, daos_handle_t *toh)
{
	uint64_t feats;
	unsigned int cls = vos_key_class(oid, false, &feats);

	/* kr_btr links the lone akey: use vos_akeys_open() */
	if (dkrec->kr_bmap & KREC_BF_AK1) {
		D_ERROR("dkey with a lone akey has no akey tree\n");
		return -DER_INVAL;
	}
	return subtree_open(cont->vc_pool, &dkrec->kr_btr, cls, feats, VOS_BTR_ORDER, create, toh);
}

int
vos_sv_tree_open(struct vos_pool *pool, struct vos_krec_df *akrec, bool create, daos_handle_t *toh)
{
	/* a tree-less akey (kr_btr is its lone version or a link to it) has no tree to open */
	if (akrec->kr_bmap & KREC_BF_SV1) {
		D_ERROR("akey with a lone version has no version tree\n");
		return -DER_INVAL;
	}
	return subtree_open(pool, &akrec->kr_btr, VOS_BTR_SV, BTR_FEAT_DYNAMIC_ROOT, VOS_SV_ORDER,
			    create, toh);
}

int
vos_array_open(struct vos_pool *pool, struct vos_krec_df *akrec, bool create, daos_handle_t *toh)
{
	int rc;

	if (akrec->kr_evt.tr_order != 0)
		return vos_evt_open(pool, &akrec->kr_evt, toh);
	if (!create)
		return -DER_NONEXIST;
	rc = umem_tx_add_ptr(&pool->vp_umm, &akrec->kr_evt, sizeof(akrec->kr_evt));
	if (rc != 0)
		return rc;
	return vos_evt_create(pool, &akrec->kr_evt, toh);
}

/* ---------------- the akeys of a dkey: tree or one linked record ---------------- */

int
vos_akeys_open(struct vos_container *cont, struct vos_krec_df *dkrec, daos_unit_oid_t oid,
	       bool create, struct vos_akeys *ak)
{
	ak->ak_pool = cont->vc_pool;
	ak->ak_dkrec = dkrec;
	ak->ak_cls = vos_key_class(oid, false, &ak->ak_feats);
	ak->ak_toh = DAOS_HDL_INVAL;
	if (dkrec->kr_bmap & KREC_BF_AK1)
		return 0;
	if (dkrec->kr_btr.tr_class != 0)
		return vos_btr_open(ak->ak_pool, &dkrec->kr_btr, &ak->ak_toh);
	return create ? 0 : -DER_NONEXIST;
}

void
vos_akeys_close(struct vos_akeys *ak)
{
	if (daos_handle_is_valid(ak->ak_toh))
		dbtree_close(ak->ak_toh);
	ak->ak_toh = DAOS_HDL_INVAL;
}

static inline struct vos_krec_df *
akeys_lone(struct vos_akeys *ak)
{
	if (!(ak->ak_dkrec->kr_bmap & KREC_BF_AK1))
		return NULL;
	return umem_off2ptr(&ak->ak_pool->vp_umm, ak->ak_dkrec->kr_ak1);
}

bool
vos_akeys_empty(struct vos_akeys *ak)
{
	if (daos_handle_is_valid(ak->ak_toh))
		return dbtree_is_empty(ak->ak_toh) == 1;
	return akeys_lone(ak) == NULL;
}

int
vos_akeys_lookup(struct vos_akeys *ak, daos_key_t *key, struct vos_krec_df **krecp)
{
	struct vos_krec_df *krec;

	if (daos_handle_is_valid(ak->ak_toh))
		return vos_key_lookup(ak->ak_toh, key, krecp);
	*krecp = NULL;
	/* what the integer key tree would say */
	if (ak->ak_cls == VOS_BTR_KEY_UINT && key->iov_len != sizeof(uint64_t)) {
		D_ERROR("integer akey of %zu bytes\n", key->iov_len);
		return -DER_INVAL;
	}
	krec = akeys_lone(ak);
	/* every key class orders distinct byte strings apart: equal bytes, same key */
	if (krec != NULL && krec->kr_size == key->iov_len &&
	    memcmp(vos_krec_key(krec), key->iov_buf, key->iov_len) == 0)
		*krecp = krec;
	return 0;
}

/* The second akey: build the tree with the lone one in it (same transaction). */
static int
akeys_promote(struct vos_akeys *ak)
{
	struct umem_instance *umm = &ak->ak_pool->vp_umm;
	struct vos_krec_df *dkrec = ak->ak_dkrec;
	struct vos_krec_df *lone = akeys_lone(ak);
	umem_off_t off = dkrec->kr_ak1;
	d_iov_t key, val;
	int rc;

	rc = umem_tx_add_ptr(umm, dkrec, vos_krec_hdr_size(dkrec->kr_bmap));
	if (rc != 0)
		return rc;
	dkrec->kr_bmap &= ~KREC_BF_AK1;
	memset(&dkrec->kr_btr, 0, sizeof(dkrec->kr_btr));
	rc = vos_btr_create(ak->ak_pool, ak->ak_cls, ak->ak_feats, VOS_BTR_ORDER, &dkrec->kr_btr,
			    &ak->ak_toh);
	if (rc != 0)
		return rc;
	d_iov_set(&key, vos_krec_key(lone), lone->kr_size);
	d_iov_set(&val, &off, sizeof(off));
	return dbtree_upsert(ak->ak_toh, BTR_PROBE_EQ, DAOS_INTENT_UPDATE, &key, &val, NULL);
}

int
vos_akeys_find_or_create(struct vos_akeys *ak, daos_key_t *key, uint8_t bmap,
			 struct vos_krec_df **krecp, bool *created)
{
	struct vos_krec_df *dkrec = ak->ak_dkrec;
	umem_off_t off;
	int rc;

	*created = false;
	rc = vos_akeys_lookup(ak, key, krecp);
	if (rc != 0 || *krecp != NULL)
		return rc;
	if (!daos_handle_is_valid(ak->ak_toh) && akeys_lone(ak) != NULL) {
		rc = akeys_promote(ak);
		if (rc != 0)
			return rc;
	}
	if (daos_handle_is_valid(ak->ak_toh))
		return vos_key_find_or_create(ak->ak_pool, ak->ak_toh, key, bmap, krecp, created);
	/* the first akey: linked from the dkey record */
	rc = krec_new(ak->ak_pool, key, bmap, &off);
	if (rc == 0)
		rc = umem_tx_add_ptr(&ak->ak_pool->vp_umm, dkrec,
				     vos_krec_hdr_size(dkrec->kr_bmap));
	if (rc != 0)
		return rc;
	memset(&dkrec->kr_btr, 0, sizeof(dkrec->kr_btr));
	dkrec->kr_ak1 = off;
	dkrec->kr_bmap |= KREC_BF_AK1;
	*krecp = umem_off2ptr(&ak->ak_pool->vp_umm, off);
	*created = true;
	return 0;
}

int
vos_akeys_iterate(struct vos_akeys *ak, uint32_t intent, dbtree_iterate_cb_t cb, void *arg)
{
	struct vos_krec_df *krec;
	d_iov_t key, val;
	int rc;

	if (daos_handle_is_valid(ak->ak_toh))
		return dbtree_iterate(ak->ak_toh, intent, false, cb, arg);
	krec = akeys_lone(ak);
	if (krec == NULL)
		return 0;
	d_iov_set(&key, vos_krec_key(krec), krec->kr_size);
	d_iov_set(&val, krec, 0);
	rc = cb(DAOS_HDL_INVAL, &key, &val, arg);
	return rc == 1 ? 0 : rc;
}

int
vos_akeys_iter_delete(struct vos_akeys *ak, daos_handle_t ih)
{
	struct vos_krec_df *dkrec = ak->ak_dkrec;
	int rc;

	if (daos_handle_is_valid(ih))
		return dbtree_iter_delete(ih, ak->ak_pool);
	D_ASSERT(dkrec->kr_bmap & KREC_BF_AK1);
	rc = vos_gc_push(ak->ak_pool, VOS_GC_AKEY, dkrec->kr_ak1);
	if (rc == 0)
		rc = umem_tx_add_ptr(&ak->ak_pool->vp_umm, dkrec,
				     vos_krec_hdr_size(dkrec->kr_bmap));
	if (rc != 0)
		return rc;
	dkrec->kr_bmap &= ~KREC_BF_AK1;
	memset(&dkrec->kr_btr, 0, sizeof(dkrec->kr_btr));
	return 0;
}
