/**
 * vos_obj_query_key: largest/smallest integer dkey, akey and array extent visible at an
 * epoch (the array layer's "get size"), and the latest write epoch of an object.
 */
#define D_LOGFAC DD_FAC(vos)

#include "vos_internal.h"

struct vos_query {
	struct vos_container *q_cont;
	daos_unit_oid_t q_oid;
	uint32_t q_flags;
	daos_epoch_t q_epoch;
	daos_key_t *q_akey;
	daos_recx_t *q_recx;
};

static int
query_recx(struct vos_query *q, struct vos_krec_df *akrec, daos_epoch_t bound)
{
	struct evt_filter flt = {0};
	struct evt_entry ent;
	unsigned int opts = EVT_ITER_VISIBLE | EVT_ITER_SKIP_HOLES;
	daos_handle_t toh, ih;
	int rc;

	if (!(akrec->kr_bmap & KREC_BF_EVT))
		return -DER_NONEXIST;
	rc = vos_array_open(q->q_cont->vc_pool, akrec, false, &toh);
	if (rc != 0)
		return rc;
	flt.fr_ex.ex_hi = UINT64_MAX;
	flt.fr_epr.epr_hi = q->q_epoch;
	flt.fr_punch_epc = bound;
	if (q->q_flags & DAOS_GET_MAX)
		opts |= EVT_ITER_REVERSE;
	rc = evt_iter_prepare(toh, opts, &flt, &ih);
	if (rc == 0) {
		rc = evt_iter_probe(ih, EVT_ITER_FIRST, NULL, NULL);
		if (rc == 0)
			rc = evt_iter_fetch(ih, NULL, &ent, NULL);
		if (rc == 0) {
			q->q_recx->rx_idx = ent.en_sel_ext.ex_lo;
			q->q_recx->rx_nr = evt_extent_width(&ent.en_sel_ext);
		}
		evt_iter_finish(ih);
	}
	evt_close(toh);
	return rc;
}

static bool
krec_visible(struct vos_query *q, struct vos_krec_df *krec, daos_epoch_t bound,
	     daos_epoch_t *child_bound)
{
	struct vos_ilog_info info;

	vos_ilog_eval(&q->q_cont->vc_pool->vp_umm, &krec->kr_ilog, q->q_epoch, bound, &info);
	*child_bound = info.ii_punch;
	return info.ii_exists;
}

typedef int (*query_key_cb_t)(struct vos_query *q, struct vos_krec_df *krec, daos_epoch_t bound);

/* One key: 0 if \a cb found something below it (the key is copied out), -DER_NONEXIST if not. */
static int
query_one(struct vos_query *q, struct vos_krec_df *krec, daos_epoch_t bound, query_key_cb_t cb,
	  daos_key_t *key_out)
{
	daos_epoch_t cbound;
	int rc;

	if (!krec_visible(q, krec, bound, &cbound))
		return -DER_NONEXIST;
	rc = cb(q, krec, cbound);
	if (rc != 0)
		return rc;
	if (key_out->iov_buf_len < krec->kr_size)
		return -DER_TRUNC;
	memcpy(key_out->iov_buf, vos_krec_key(krec), krec->kr_size);
	key_out->iov_len = krec->kr_size;
	return 0;
}

/* Walk the keys of \a toh from the largest (or smallest) until \a cb finds something. */
static int
query_walk(struct vos_query *q, daos_handle_t toh, daos_epoch_t bound, query_key_cb_t cb,
	   daos_key_t *key_out)
{
	bool max = q->q_flags & DAOS_GET_MAX;
	daos_handle_t ih;
	int rc;

	rc = dbtree_iter_prepare(toh, 0, &ih);
	if (rc != 0)
		return rc;
	rc = dbtree_iter_probe(ih, max ? BTR_PROBE_LAST : BTR_PROBE_FIRST, DAOS_INTENT_DEFAULT,
			       NULL, NULL);
	while (rc == 0) {
		struct vos_krec_df *krec;
		daos_epoch_t cbound;
		d_iov_t val;

		d_iov_set(&val, NULL, 0);
		rc = dbtree_iter_fetch(ih, NULL, &val, NULL);
		if (rc != 0)
			break;
		krec = val.iov_buf;
		if (krec_visible(q, krec, bound, &cbound)) {
			rc = cb(q, krec, cbound);
			if (rc == 0) {
				if (key_out->iov_buf_len < krec->kr_size) {
					rc = -DER_TRUNC;
					break;
				}
				memcpy(key_out->iov_buf, vos_krec_key(krec), krec->kr_size);
				key_out->iov_len = krec->kr_size;
				break;
			}
			if (rc != -DER_NONEXIST)
				break;
		}
		rc = max ? dbtree_iter_prev(ih) : dbtree_iter_next(ih);
	}
	dbtree_iter_finish(ih);
	return rc;
}

static int
query_akey_cb(struct vos_query *q, struct vos_krec_df *akrec, daos_epoch_t bound)
{
	if (q->q_flags & DAOS_GET_RECX)
		return query_recx(q, akrec, bound);
	return 0;
}

/* Below one visible dkey: find the akey (given or queried), then the recx. */
static int
query_dkey_cb(struct vos_query *q, struct vos_krec_df *dkrec, daos_epoch_t bound)
{
	struct vos_krec_df *akrec;
	struct vos_akeys ak;
	daos_epoch_t abound;
	int rc;

	if (!(q->q_flags & (DAOS_GET_AKEY | DAOS_GET_RECX)))
		return 0;
	rc = vos_akeys_open(q->q_cont, dkrec, q->q_oid, false, &ak);
	if (rc != 0)
		return rc;
	if ((q->q_flags & DAOS_GET_AKEY) && daos_handle_is_valid(ak.ak_toh)) {
		rc = query_walk(q, ak.ak_toh, bound, query_akey_cb, q->q_akey);
	} else if (q->q_flags & DAOS_GET_AKEY) {
		/* the lone akey of the dkey (KREC_BF_AK1) is both the largest and the smallest */
		rc = query_one(q, umem_off2ptr(&q->q_cont->vc_pool->vp_umm, dkrec->kr_ak1), bound,
			       query_akey_cb, q->q_akey);
	} else {
		rc = vos_akeys_lookup(&ak, q->q_akey, &akrec);
		if (rc == 0 && (akrec == NULL || !krec_visible(q, akrec, bound, &abound)))
			rc = -DER_NONEXIST;
		if (rc == 0)
			rc = query_akey_cb(q, akrec, abound);
	}
	vos_akeys_close(&ak);
	return rc;
}

int
vos_obj_query_key(daos_handle_t coh, daos_unit_oid_t oid, uint32_t flags, daos_epoch_t epoch,
		  daos_key_t *dkey, daos_key_t *akey, daos_recx_t *recx, daos_epoch_t *max_write,
		  unsigned int cell_size, uint64_t stripe_size, struct dtx_handle *dth)
{
	struct vos_container *cont = vos_hdl2cont(coh);
	struct vos_query q = {0};
	struct vos_ilog_info info;
	struct vos_krec_df *dkrec;
	struct vos_obj_df *obj;
	daos_epoch_t dbound;
	daos_handle_t toh;
	uint32_t what = flags & (DAOS_GET_DKEY | DAOS_GET_AKEY | DAOS_GET_RECX);
	uint32_t dir = flags & (DAOS_GET_MAX | DAOS_GET_MIN);
	int rc;

	if (cont == NULL)
		return -DER_NO_HDL;
	if (what == 0 && max_write == NULL)
		return -DER_INVAL;
	if (what != 0 && (dir == 0 || dir == (DAOS_GET_MAX | DAOS_GET_MIN)))
		return -DER_INVAL;
	if (dkey == NULL || ((flags & (DAOS_GET_AKEY | DAOS_GET_RECX)) && akey == NULL) ||
	    ((flags & DAOS_GET_RECX) && recx == NULL))
		return -DER_INVAL;
	if ((flags & DAOS_GET_DKEY) && !daos_is_dkey_uint64(oid.id_pub))
		return -DER_INVAL;
	if ((flags & DAOS_GET_AKEY) && !daos_is_akey_uint64(oid.id_pub))
		return -DER_INVAL;
	if (epoch == 0)
		epoch = DAOS_EPOCH_MAX;
	q.q_cont = cont;
	q.q_oid = oid;
	q.q_flags = flags;
	q.q_epoch = epoch;
	q.q_akey = akey;
	q.q_recx = recx;

	rc = vos_obj_lookup(cont, oid, &obj);
	if (rc != 0)
		return rc;
	if (max_write != NULL)
		*max_write = obj->vo_latest;
	if (what == 0)
		return 0;
	vos_ilog_eval(&cont->vc_pool->vp_umm, &obj->vo_ilog, epoch, 0, &info);
	if (!info.ii_exists)
		return -DER_NONEXIST;
	rc = vos_obj_tree_open(cont, obj, oid, false, &toh);
	if (rc != 0)
		return rc;
	if (flags & DAOS_GET_DKEY) {
		rc = query_walk(&q, toh, info.ii_punch, query_dkey_cb, dkey);
	} else {
		rc = vos_key_lookup(toh, dkey, &dkrec);
		if (rc == 0 && (dkrec == NULL || !krec_visible(&q, dkrec, info.ii_punch, &dbound)))
			rc = -DER_NONEXIST;
		if (rc == 0)
			rc = query_dkey_cb(&q, dkrec, dbound);
	}
	dbtree_close(toh);
	return rc;
}
