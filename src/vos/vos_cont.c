/**
 * Containers: records (struct vos_cont_df) in the pool's container tree, keyed by UUID. Each
 * holds the object index, the snapshot list and the checksum settings.
 */
#define D_LOGFAC DD_FAC(vos)

#include "vos_internal.h"

static int
cont_lookup_df(struct vos_pool *pool, uuid_t co_uuid, struct vos_cont_df **cdp)
{
	d_iov_t key, val;
	int rc;

	d_iov_set(&key, co_uuid, sizeof(uuid_t));
	d_iov_set(&val, NULL, 0);
	rc = dbtree_lookup(pool->vp_cont_th, &key, &val);
	if (rc == 0)
		*cdp = val.iov_buf;
	return rc;
}

int
vos_cont_create(daos_handle_t poh, uuid_t co_uuid)
{
	struct vos_pool *pool = vos_hdl2pool(poh);
	struct umem_instance *umm;
	struct vos_cont_df *cd;
	daos_handle_t toh = DAOS_HDL_INVAL;
	d_iov_t key, val;
	umem_off_t off;
	int rc;

	if (pool == NULL)
		return -DER_NO_HDL;
	if (co_uuid == NULL)
		return -DER_INVAL;
	umm = &pool->vp_umm;
	rc = cont_lookup_df(pool, co_uuid, &cd);
	if (rc == 0)
		return -DER_EXIST;
	if (rc != -DER_NONEXIST)
		return rc;

	rc = umem_tx_begin(umm, NULL);
	if (rc != 0)
		return rc;
	off = umem_zalloc(umm, sizeof(*cd));
	if (UMOFF_IS_NULL(off))
		D_GOTO(out, rc = -DER_NOSPACE);
	cd = umem_off2ptr(umm, off);
	uuid_copy(cd->cd_id, co_uuid);
	rc = vos_btr_create(pool, VOS_BTR_OBJ, 0, VOS_BTR_ORDER, &cd->cd_obj_root, &toh);
	if (rc != 0)
		goto out;
	dbtree_close(toh);
	d_iov_set(&key, co_uuid, sizeof(uuid_t));
	d_iov_set(&val, &off, sizeof(off));
	rc = dbtree_update(pool->vp_cont_th, &key, &val);
	if (rc != 0)
		goto out;
	rc = umem_tx_add_ptr(umm, &pool->vp_df->pd_cont_nr, sizeof(pool->vp_df->pd_cont_nr));
	if (rc == 0)
		pool->vp_df->pd_cont_nr++;
out:
	return rc ? umem_tx_abort(umm, rc) : umem_tx_commit(umm);
}

int
vos_cont_destroy(daos_handle_t poh, uuid_t co_uuid)
{
	struct vos_pool *pool = vos_hdl2pool(poh);
	struct vos_container *cont;
	struct umem_instance *umm;
	struct vos_cont_df *cd;
	d_iov_t key;
	int rc;

	if (pool == NULL)
		return -DER_NO_HDL;
	if (co_uuid == NULL)
		return -DER_INVAL;
	d_list_for_each_entry(cont, &pool->vp_conts, vc_link)
	{
		if (uuid_compare(cont->vc_df->cd_id, co_uuid) == 0)
			return -DER_BUSY;
	}
	rc = cont_lookup_df(pool, co_uuid, &cd);
	if (rc != 0)
		return rc;
	umm = &pool->vp_umm;
	rc = umem_tx_begin(umm, NULL);
	if (rc != 0)
		return rc;
	d_iov_set(&key, co_uuid, sizeof(uuid_t));
	/* the record goes to the GC bin (cont_rec_free); its objects are freed from there */
	rc = dbtree_delete(pool->vp_cont_th, BTR_PROBE_EQ, &key, pool);
	if (rc == 0)
		rc = umem_tx_add_ptr(umm, &pool->vp_df->pd_cont_nr,
				     sizeof(pool->vp_df->pd_cont_nr));
	if (rc == 0)
		pool->vp_df->pd_cont_nr--;
	return rc ? umem_tx_abort(umm, rc) : umem_tx_commit(umm);
}

int
vos_cont_open(daos_handle_t poh, uuid_t co_uuid, daos_handle_t *coh)
{
	struct vos_pool *pool = vos_hdl2pool(poh);
	struct vos_container *cont;
	struct vos_cont_df *cd;
	int rc;

	if (pool == NULL)
		return -DER_NO_HDL;
	if (co_uuid == NULL || coh == NULL)
		return -DER_INVAL;
	rc = cont_lookup_df(pool, co_uuid, &cd);
	if (rc != 0)
		return rc;
	D_ALLOC_PTR(cont);
	if (cont == NULL)
		return -DER_NOMEM;
	cont->vc_pool = pool;
	cont->vc_df = cd;
	rc = vos_btr_open(pool, &cd->cd_obj_root, &cont->vc_obj_th);
	if (rc != 0)
		goto failed;
	rc = vos_hdl_register(cont, VOS_HDL_CONT, &cont->vc_cookie);
	if (rc != 0)
		goto failed;
	d_list_add_tail(&cont->vc_link, &pool->vp_conts);
	coh->cookie = cont->vc_cookie;
	return 0;
failed:
	if (daos_handle_is_valid(cont->vc_obj_th))
		dbtree_close(cont->vc_obj_th);
	D_FREE(cont);
	return rc;
}

int
vos_cont_close(daos_handle_t coh)
{
	struct vos_container *cont = vos_hdl2cont(coh);

	if (cont == NULL)
		return -DER_NO_HDL;
	if (cont->vc_iters > 0) {
		D_ERROR("container closed with %d iterators open\n", cont->vc_iters);
		return -DER_BUSY;
	}
	vos_hdl_unregister(cont->vc_cookie);
	d_list_del(&cont->vc_link);
	vos_oc_fini(cont);
	dbtree_close(cont->vc_obj_th);
	D_FREE(cont);
	return 0;
}

int
vos_cont_query(daos_handle_t coh, vos_cont_info_t *cinfo)
{
	struct vos_container *cont = vos_hdl2cont(coh);

	if (cont == NULL)
		return -DER_NO_HDL;
	if (cinfo == NULL)
		return -DER_INVAL;
	memset(cinfo, 0, sizeof(*cinfo));
	cinfo->ci_nobjs = cont->vc_df->cd_nobjs;
	cinfo->ci_used = cont->vc_df->cd_used;
	cinfo->ci_hae = cont->vc_df->cd_hae;
	cinfo->ci_nsnaps = cont->vc_df->cd_snap_nr;
	return 0;
}

int
vos_cont_snap_add(daos_handle_t coh, daos_epoch_t epoch)
{
	struct vos_container *cont = vos_hdl2cont(coh);
	struct umem_instance *umm;
	struct vos_cont_df *cd;
	daos_epoch_t *snaps;
	uint32_t i, pos;
	int rc;

	if (cont == NULL)
		return -DER_NO_HDL;
	if (epoch == 0 || epoch == DAOS_EPOCH_MAX)
		return -DER_INVAL;
	umm = vos_cont2umm(cont);
	cd = cont->vc_df;
	snaps = umem_off2ptr(umm, cd->cd_snaps);
	for (pos = 0; pos < cd->cd_snap_nr && snaps[pos] < epoch; pos++)
		;
	if (pos < cd->cd_snap_nr && snaps[pos] == epoch)
		return -DER_EXIST;

	rc = umem_tx_begin(umm, NULL);
	if (rc != 0)
		return rc;
	rc = umem_tx_add_ptr(umm, cd, sizeof(*cd));
	if (rc != 0)
		goto out;
	if (cd->cd_snap_nr == cd->cd_snap_cap) {
		uint32_t cap = cd->cd_snap_cap ? cd->cd_snap_cap * 2 : 8;
		umem_off_t off = umem_alloc(umm, cap * sizeof(*snaps));

		if (UMOFF_IS_NULL(off))
			D_GOTO(out, rc = -DER_NOSPACE);
		if (cd->cd_snap_nr > 0)
			memcpy(umem_off2ptr(umm, off), snaps, cd->cd_snap_nr * sizeof(*snaps));
		if (!UMOFF_IS_NULL(cd->cd_snaps))
			umem_free(umm, cd->cd_snaps);
		cd->cd_snaps = off;
		cd->cd_snap_cap = cap;
		snaps = umem_off2ptr(umm, off);
	} else {
		rc = umem_tx_add_ptr(umm, &snaps[pos], (cd->cd_snap_nr - pos + 1) * sizeof(*snaps));
		if (rc != 0)
			goto out;
	}
	for (i = cd->cd_snap_nr; i > pos; i--)
		snaps[i] = snaps[i - 1];
	snaps[pos] = epoch;
	cd->cd_snap_nr++;
out:
	return rc ? umem_tx_abort(umm, rc) : umem_tx_commit(umm);
}

int
vos_cont_snap_del(daos_handle_t coh, daos_epoch_t epoch)
{
	struct vos_container *cont = vos_hdl2cont(coh);
	struct umem_instance *umm;
	struct vos_cont_df *cd;
	daos_epoch_t *snaps;
	uint32_t pos;
	int rc;

	if (cont == NULL)
		return -DER_NO_HDL;
	umm = vos_cont2umm(cont);
	cd = cont->vc_df;
	snaps = umem_off2ptr(umm, cd->cd_snaps);
	for (pos = 0; pos < cd->cd_snap_nr && snaps[pos] != epoch; pos++)
		;
	if (pos == cd->cd_snap_nr)
		return -DER_NONEXIST;
	rc = umem_tx_begin(umm, NULL);
	if (rc != 0)
		return rc;
	rc = umem_tx_add_ptr(umm, &snaps[pos], (cd->cd_snap_nr - pos) * sizeof(*snaps));
	if (rc == 0)
		rc = umem_tx_add_ptr(umm, &cd->cd_snap_nr, sizeof(cd->cd_snap_nr));
	if (rc == 0) {
		memmove(&snaps[pos], &snaps[pos + 1], (cd->cd_snap_nr - pos - 1) * sizeof(*snaps));
		cd->cd_snap_nr--;
	}
	return rc ? umem_tx_abort(umm, rc) : umem_tx_commit(umm);
}

int
vos_cont_snap_list(daos_handle_t coh, daos_epoch_t *epochs, uint32_t *nr)
{
	struct vos_container *cont = vos_hdl2cont(coh);
	struct vos_cont_df *cd;

	if (cont == NULL)
		return -DER_NO_HDL;
	if (nr == NULL || (*nr > 0 && epochs == NULL))
		return -DER_INVAL;
	cd = cont->vc_df;
	if (*nr > 0 && cd->cd_snap_nr > 0)
		memcpy(epochs, umem_off2ptr(vos_cont2umm(cont), cd->cd_snaps),
		       min(*nr, cd->cd_snap_nr) * sizeof(*epochs));
	*nr = cd->cd_snap_nr;
	return 0;
}

int
vos_cont_csum_set(daos_handle_t coh, uint16_t csum_type, uint32_t chunk_size)
{
	struct vos_container *cont = vos_hdl2cont(coh);
	struct umem_instance *umm;
	struct vos_cont_df *cd;
	int len = 0, rc;

	if (cont == NULL)
		return -DER_NO_HDL;
	if (csum_type != CSUM_TYPE_UNKNOWN) {
		len = vos_csum_len(csum_type);
		if (len <= 0)
			return -DER_NOTSUPPORTED;
	}
	if (chunk_size == 0)
		chunk_size = VOS_CSUM_CHUNK_DEFAULT;
	umm = vos_cont2umm(cont);
	cd = cont->vc_df;
	rc = umem_tx_begin(umm, NULL);
	if (rc != 0)
		return rc;
	rc = umem_tx_add_ptr(umm, &cd->cd_csum_type, 8);
	if (rc == 0) {
		cd->cd_csum_type = csum_type;
		cd->cd_csum_len = len;
		cd->cd_csum_chunk = chunk_size;
	}
	return rc ? umem_tx_abort(umm, rc) : umem_tx_commit(umm);
}
