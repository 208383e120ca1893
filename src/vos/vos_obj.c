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

int
vos_key_find_or_create(struct vos_pool *pool, daos_handle_t toh, daos_key_t *key, uint8_t bmap,
		       struct vos_krec_df **krecp, bool *created)
{
	struct umem_instance *umm = &pool->vp_umm;
	struct vos_krec_df *krec;
	d_iov_t val;
	umem_off_t off;
	int rc;

	*created = false;
	rc = vos_key_lookup(toh, key, krecp);
	if (rc != 0 || *krecp != NULL)
		return rc;
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
	d_iov_set(&val, &off, sizeof(off));
	rc = dbtree_upsert(toh, BTR_PROBE_BYPASS, DAOS_INTENT_UPDATE, key, &val, NULL);
	if (rc != 0)
		return rc;
	*krecp = krec;
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
