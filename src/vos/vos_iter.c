/**
 * Iterators over containers, objects, dkeys, akeys (btree levels), single-value versions
 * (btree of epochs) and extents (evtree), and vos_iterate on top of them.
 *
 * Anchors name the entry to return next: vos_iter_probe(anchor) positions at it (or at its
 * successor if it is gone). Btree levels keep the tree's key anchor (probe GE); the evtree
 * resumes *after* an anchor, so a RECX anchor holds the previous entry's evtree anchor
 * (da_flags VOS_ANCHOR_EVT_AFTER) or is zero for "from the start".
 */
#define D_LOGFAC DD_FAC(vos)

#include "vos_internal.h"

#define VOS_ANCHOR_EVT_AFTER 0x1

struct vos_iterator {
	uint64_t it_cookie;
	vos_iter_type_t it_type;
	struct vos_pool *it_pool;
	struct vos_container *it_cont;
	daos_epoch_range_t it_epr;
	uint32_t it_flags;
	vos_it_epc_expr_t it_expr;
	/* punch bound of the parents at epr_hi */
	daos_epoch_t it_bound;
	daos_unit_oid_t it_oid;
	daos_handle_t it_toh;
	bool it_own_toh;
	daos_handle_t it_ih;
	bool it_evt;
	bool it_empty;
	bool it_backward;
	/* current entry (btree levels) and what its children inherit */
	void *it_rec;
	daos_epoch_t it_child_bound;
	daos_epoch_t it_punch;
	/* RECX: anchor of the previous entry */
	daos_anchor_t it_prev_anchor;
	bool it_has_prev;
	/*
	 * A level without a tree: SINGLE over a KREC_BF_SV1 akey (it_sv1 is the akey) or AKEY
	 * over a KREC_BF_AK1 dkey (it_sv1 is the dkey, it_ak1 set); it_sv1_on: on its record.
	 */
	struct vos_krec_df *it_sv1;
	bool it_sv1_on;
	bool it_ak1;
	unsigned int it_key_cls;
};

/*
 * The lone version of a KREC_BF_SV1 akey (the lone akey of a KREC_BF_AK1 dkey) stands in for
 * a tree of one record: the calls below follow the dbtree iterator calls they replace,
 * anchors included (the SV tree's anchor is its 16-byte key; an akey's is what its class
 * makes of the key), so an anchor stays valid when the key gets its tree.
 */
static struct vos_irec_df *
sv1_irec(struct vos_iterator *it)
{
	if (!(it->it_sv1->kr_bmap & KREC_BF_SV1))
		return NULL; /* changed under the iterator: treat as the end */
	return vos_sv1_irec(&it->it_pool->vp_umm, it->it_sv1);
}

static struct vos_krec_df *
ak1_krec(struct vos_iterator *it)
{
	if (!(it->it_sv1->kr_bmap & KREC_BF_AK1))
		return NULL; /* changed under the iterator: treat as the end */
	return umem_off2ptr(&it->it_pool->vp_umm, it->it_sv1->kr_ak1);
}

/* the lone record, or NULL */
static void *
lone_rec(struct vos_iterator *it)
{
	return it->it_ak1 ? (void *)ak1_krec(it) : (void *)sv1_irec(it);
}

static int
sv1_cmp(struct vos_irec_df *irec, const struct vos_sv_key *key)
{
	if (irec->ir_epoch != key->sk_epoch)
		return irec->ir_epoch < key->sk_epoch ? -1 : 1;
	if (irec->ir_minor != key->sk_minor)
		return irec->ir_minor < key->sk_minor ? -1 : 1;
	return 0;
}

static int
it_btr_probe(struct vos_iterator *it, dbtree_probe_opc_t opc, d_iov_t *key, daos_anchor_t *anchor)
{
	struct vos_sv_key skey;
	void *rec;
	int c;

	if (it->it_sv1 == NULL)
		return dbtree_iter_probe(it->it_ih, opc, DAOS_INTENT_DEFAULT, key, anchor);
	it->it_sv1_on = false;
	rec = lone_rec(it);
	if (rec == NULL)
		return -DER_NONEXIST;
	if (opc != BTR_PROBE_FIRST && opc != BTR_PROBE_LAST) {
		if (it->it_ak1) {
			c = vos_key_anchor_cmp(it->it_key_cls, rec, key,
					       key != NULL ? NULL : anchor);
		} else {
			if (key != NULL)
				memcpy(&skey, key->iov_buf, sizeof(skey));
			else
				memcpy(&skey, anchor->da_buf, sizeof(skey));
			c = sv1_cmp(rec, &skey);
		}
		if ((opc == BTR_PROBE_GE && c < 0) || (opc == BTR_PROBE_LE && c > 0) ||
		    (opc == BTR_PROBE_EQ && c != 0) || (opc == BTR_PROBE_GT && c <= 0) ||
		    (opc == BTR_PROBE_LT && c >= 0))
			return -DER_NONEXIST;
	}
	it->it_sv1_on = true;
	return 0;
}

static int
it_btr_move(struct vos_iterator *it)
{
	if (it->it_sv1 == NULL)
		return it->it_backward ? dbtree_iter_prev(it->it_ih) : dbtree_iter_next(it->it_ih);
	it->it_sv1_on = false;
	return -DER_NONEXIST;
}

static int
it_btr_fetch(struct vos_iterator *it, d_iov_t *val, daos_anchor_t *anchor)
{
	struct vos_irec_df *irec;
	struct vos_sv_key skey;
	void *rec;

	if (it->it_sv1 == NULL)
		return dbtree_iter_fetch(it->it_ih, NULL, val, anchor);
	rec = it->it_sv1_on ? lone_rec(it) : NULL;
	if (rec == NULL)
		return -DER_NONEXIST;
	if (it->it_ak1) {
		if (val != NULL)
			d_iov_set(val, rec, 0);
		if (anchor != NULL)
			vos_key_anchor_set(it->it_key_cls, rec, anchor);
		return 0;
	}
	irec = rec;
	if (val != NULL)
		d_iov_set(val, irec, sizeof(*irec));
	if (anchor != NULL) {
		memset(anchor->da_buf, 0, sizeof(anchor->da_buf));
		anchor->da_type = DAOS_ANCHOR_TYPE_HKEY;
		anchor->da_flags &= ~1U;
		skey.sk_epoch = irec->ir_epoch;
		skey.sk_minor = irec->ir_minor;
		memcpy(anchor->da_buf, &skey, sizeof(skey));
	}
	return 0;
}

static inline struct vos_iterator *
vos_hdl2iter(daos_handle_t ih)
{
	return vos_hdl_lookup(ih.cookie, VOS_HDL_ITER);
}

/* Does the current btree record qualify? Sets it_rec / it_child_bound. */
static int
iter_check(struct vos_iterator *it, bool *ok)
{
	struct umem_instance *umm = &it->it_pool->vp_umm;
	struct vos_ilog_info info;
	struct vos_ilog_df *ilog = NULL;
	daos_epoch_t latest = 0;
	d_iov_t val;
	int rc;

	d_iov_set(&val, NULL, 0);
	rc = it_btr_fetch(it, &val, NULL);
	if (rc != 0)
		return rc;
	it->it_rec = val.iov_buf;
	*ok = true;
	switch (it->it_type) {
	case VOS_ITER_COUUID:
		return 0;
	case VOS_ITER_OBJ:
		ilog = &((struct vos_obj_df *)it->it_rec)->vo_ilog;
		latest = ((struct vos_obj_df *)it->it_rec)->vo_latest;
		break;
	case VOS_ITER_DKEY:
	case VOS_ITER_AKEY:
		ilog = &((struct vos_krec_df *)it->it_rec)->kr_ilog;
		latest = ((struct vos_krec_df *)it->it_rec)->kr_latest;
		break;
	case VOS_ITER_SINGLE: {
		struct vos_irec_df *irec = it->it_rec;

		*ok = irec->ir_epoch >= it->it_epr.epr_lo && irec->ir_epoch <= it->it_epr.epr_hi &&
		      (irec->ir_epoch > it->it_bound || (it->it_flags & VOS_IT_PUNCHED));
		return 0;
	}
	default:
		return -DER_INVAL;
	}
	vos_ilog_eval(umm, ilog, it->it_epr.epr_hi, it->it_bound, &info);
	it->it_child_bound = info.ii_punch;
	it->it_punch = info.ii_punch;
	if (!info.ii_exists && !(it->it_flags & VOS_IT_PUNCHED))
		*ok = false;
	if (it->it_epr.epr_lo > 0 && latest < it->it_epr.epr_lo)
		*ok = false;
	return 0;
}

/* Move over records that do not qualify, starting with the current one. */
static int
iter_skip(struct vos_iterator *it)
{
	bool ok;
	int rc;

	for (;;) {
		rc = iter_check(it, &ok);
		if (rc != 0 || ok)
			return rc;
		if (it->it_type == VOS_ITER_SINGLE && it->it_expr == VOS_IT_EPC_LE)
			return -DER_NONEXIST;
		rc = it_btr_move(it);
		if (rc != 0)
			return rc;
	}
}

/* Open the level below the record \a rec (of type \a ptype) for an iterator of \a type. */
static int
iter_open_child(struct vos_iterator *it, vos_iter_type_t type, void *rec)
{
	struct vos_pool *pool = it->it_pool;
	int rc;

	switch (type) {
	case VOS_ITER_DKEY:
		rc = vos_obj_tree_open(it->it_cont, rec, it->it_oid, false, &it->it_toh);
		break;
	case VOS_ITER_AKEY: {
		uint64_t feats;

		if (((struct vos_krec_df *)rec)->kr_bmap & KREC_BF_AK1) {
			it->it_sv1 = rec;
			it->it_ak1 = true;
			it->it_key_cls = vos_key_class(it->it_oid, false, &feats);
			return 0;
		}
		rc = vos_dkey_tree_open(it->it_cont, rec, it->it_oid, false, &it->it_toh);
		break;
	}
	case VOS_ITER_SINGLE:
		if (!(((struct vos_krec_df *)rec)->kr_bmap & KREC_BF_BTR))
			return -DER_NONEXIST;
		if (((struct vos_krec_df *)rec)->kr_bmap & KREC_BF_SV1) {
			it->it_sv1 = rec;
			return 0;
		}
		rc = vos_sv_tree_open(pool, rec, false, &it->it_toh);
		break;
	case VOS_ITER_RECX:
		if (!(((struct vos_krec_df *)rec)->kr_bmap & KREC_BF_EVT))
			return -DER_NONEXIST;
		rc = vos_array_open(pool, rec, false, &it->it_toh);
		it->it_evt = true;
		break;
	default:
		return -DER_INVAL;
	}
	if (rc == 0)
		it->it_own_toh = true;
	return rc;
}

/* Standalone prepare below the container: find the parents named in \a param. */
static int
iter_find_parent(struct vos_iterator *it, vos_iter_param_t *param)
{
	struct umem_instance *umm = &it->it_pool->vp_umm;
	struct vos_ilog_info info;
	struct vos_obj_df *obj;
	struct vos_krec_df *krec;
	struct vos_akeys ak;
	daos_handle_t toh;
	daos_epoch_t hi = it->it_epr.epr_hi;
	int rc;

	rc = vos_obj_lookup(it->it_cont, param->ip_oid, &obj);
	if (rc != 0)
		return rc;
	vos_ilog_eval(umm, &obj->vo_ilog, hi, 0, &info);
	it->it_bound = info.ii_punch;
	if (it->it_type == VOS_ITER_DKEY)
		return iter_open_child(it, VOS_ITER_DKEY, obj);
	if (param->ip_dkey.iov_buf == NULL)
		return -DER_INVAL;
	rc = vos_obj_tree_open(it->it_cont, obj, param->ip_oid, false, &toh);
	if (rc != 0)
		return rc;
	rc = vos_key_lookup(toh, &param->ip_dkey, &krec);
	dbtree_close(toh);
	if (rc != 0)
		return rc;
	if (krec == NULL)
		return -DER_NONEXIST;
	vos_ilog_eval(umm, &krec->kr_ilog, hi, it->it_bound, &info);
	it->it_bound = info.ii_punch;
	if (it->it_type == VOS_ITER_AKEY)
		return iter_open_child(it, VOS_ITER_AKEY, krec);
	if (param->ip_akey.iov_buf == NULL)
		return -DER_INVAL;
	rc = vos_akeys_open(it->it_cont, krec, param->ip_oid, false, &ak);
	if (rc != 0)
		return rc;
	rc = vos_akeys_lookup(&ak, &param->ip_akey, &krec);
	vos_akeys_close(&ak);
	if (rc != 0)
		return rc;
	if (krec == NULL)
		return -DER_NONEXIST;
	vos_ilog_eval(umm, &krec->kr_ilog, hi, it->it_bound, &info);
	it->it_bound = info.ii_punch;
	return iter_open_child(it, it->it_type, krec);
}

static void
iter_free(struct vos_iterator *it)
{
	if (it->it_cont != NULL)
		it->it_cont->vc_iters--;
	else if (it->it_pool != NULL)
		it->it_pool->vp_iters--;
	if (daos_handle_is_valid(it->it_ih)) {
		if (it->it_evt)
			evt_iter_finish(it->it_ih);
		else
			dbtree_iter_finish(it->it_ih);
	}
	if (it->it_own_toh && daos_handle_is_valid(it->it_toh)) {
		if (it->it_evt)
			evt_close(it->it_toh);
		else
			dbtree_close(it->it_toh);
	}
	if (it->it_cookie != 0)
		vos_hdl_unregister(it->it_cookie);
	D_FREE(it);
}

int
vos_iter_prepare(vos_iter_type_t type, vos_iter_param_t *param, daos_handle_t *ih,
		 struct dtx_handle *dth)
{
	struct vos_iterator *it, *parent = NULL;
	int rc = 0;

	if (param == NULL || ih == NULL || type <= VOS_ITER_NONE || type >= VOS_ITER_DTX)
		return -DER_INVAL;
	D_ALLOC_PTR(it);
	if (it == NULL)
		return -DER_NOMEM;
	it->it_type = type;
	it->it_flags = param->ip_flags;
	it->it_expr = param->ip_epc_expr;
	it->it_epr = param->ip_epr;
	if (it->it_epr.epr_hi == 0)
		it->it_epr.epr_hi = DAOS_EPOCH_MAX;
	it->it_toh = DAOS_HDL_INVAL;
	it->it_ih = DAOS_HDL_INVAL;

	if (daos_handle_is_valid(param->ip_ih)) {
		parent = vos_hdl2iter(param->ip_ih);
		if (parent == NULL)
			D_GOTO(failed, rc = -DER_NO_HDL);
		if (parent->it_rec == NULL || parent->it_evt || type <= VOS_ITER_OBJ)
			D_GOTO(failed, rc = -DER_INVAL);
		it->it_pool = parent->it_pool;
		it->it_cont = parent->it_cont;
		it->it_oid = parent->it_type == VOS_ITER_OBJ
				     ? ((struct vos_obj_df *)parent->it_rec)->vo_id
				     : parent->it_oid;
		it->it_bound = parent->it_child_bound;
		rc = iter_open_child(it, type, parent->it_rec);
	} else if (type == VOS_ITER_COUUID) {
		it->it_pool = vos_hdl2pool(param->ip_hdl);
		if (it->it_pool == NULL)
			D_GOTO(failed, rc = -DER_NO_HDL);
		it->it_toh = it->it_pool->vp_cont_th;
	} else {
		it->it_cont = vos_hdl2cont(param->ip_hdl);
		if (it->it_cont == NULL)
			D_GOTO(failed, rc = -DER_NO_HDL);
		it->it_pool = it->it_cont->vc_pool;
		it->it_oid = param->ip_oid;
		if (type == VOS_ITER_OBJ)
			it->it_toh = it->it_cont->vc_obj_th;
		else
			rc = iter_find_parent(it, param);
	}
	if (it->it_cont != NULL)
		it->it_cont->vc_iters++;
	else if (it->it_pool != NULL)
		it->it_pool->vp_iters++;
	if (rc == -DER_NONEXIST) {
		it->it_empty = true;
		rc = 0;
	}
	if (rc != 0)
		goto failed;

	if (!it->it_empty && it->it_evt) {
		struct evt_filter flt = {0};
		unsigned int opts = 0;

		if (param->ip_recx.rx_nr == 0) {
			flt.fr_ex.ex_lo = 0;
			flt.fr_ex.ex_hi = UINT64_MAX;
		} else {
			flt.fr_ex.ex_lo = param->ip_recx.rx_idx;
			flt.fr_ex.ex_hi = param->ip_recx.rx_idx + param->ip_recx.rx_nr - 1;
		}
		flt.fr_epr = it->it_epr;
		if (!(it->it_flags & VOS_IT_PUNCHED))
			flt.fr_punch_epc = it->it_bound;
		if (it->it_flags & VOS_IT_RECX_VISIBLE)
			opts |= EVT_ITER_VISIBLE;
		if ((it->it_flags & VOS_IT_RECX_COVERED) == VOS_IT_RECX_COVERED)
			opts |= EVT_ITER_COVERED;
		if (it->it_flags & VOS_IT_RECX_SKIP_HOLES)
			opts |= EVT_ITER_SKIP_HOLES;
		if (it->it_flags & VOS_IT_RECX_REVERSE)
			opts |= EVT_ITER_REVERSE;
		if (it->it_flags & VOS_IT_FOR_PURGE)
			opts |= EVT_ITER_FOR_PURGE;
		rc = evt_iter_prepare(it->it_toh, opts, &flt, &it->it_ih);
	} else if (!it->it_empty) {
		if (it->it_sv1 == NULL)
			rc = dbtree_iter_prepare(it->it_toh, 0, &it->it_ih);
		if (type == VOS_ITER_SINGLE &&
		    (it->it_expr == VOS_IT_EPC_LE || it->it_expr == VOS_IT_EPC_RE))
			it->it_backward = true;
	}
	if (rc != 0)
		goto failed;
	rc = vos_hdl_register(it, VOS_HDL_ITER, &it->it_cookie);
	if (rc != 0)
		goto failed;
	ih->cookie = it->it_cookie;
	return 0;
failed:
	iter_free(it);
	return rc;
}

int
vos_iter_finish(daos_handle_t ih)
{
	struct vos_iterator *it = vos_hdl2iter(ih);

	if (it == NULL)
		return -DER_NO_HDL;
	iter_free(it);
	return 0;
}

static int
iter_probe_btr(struct vos_iterator *it, daos_anchor_t *anchor)
{
	bool start = anchor == NULL || anchor->da_type == DAOS_ANCHOR_TYPE_ZERO;
	int rc;

	if (it->it_type == VOS_ITER_SINGLE && start) {
		struct vos_sv_key skey;
		d_iov_t key;

		if (it->it_backward) {
			skey.sk_epoch = it->it_epr.epr_hi;
			skey.sk_minor = UINT64_MAX;
			d_iov_set(&key, &skey, sizeof(skey));
			rc = it_btr_probe(it, BTR_PROBE_LE, &key, NULL);
		} else {
			skey.sk_epoch = it->it_epr.epr_lo;
			skey.sk_minor = 0;
			d_iov_set(&key, &skey, sizeof(skey));
			rc = it_btr_probe(it, BTR_PROBE_GE, &key, NULL);
		}
	} else if (start) {
		rc = it_btr_probe(it, BTR_PROBE_FIRST, NULL, NULL);
	} else {
		rc = it_btr_probe(it, it->it_backward ? BTR_PROBE_LE : BTR_PROBE_GE, NULL, anchor);
	}
	if (rc != 0)
		return rc;
	return iter_skip(it);
}

int
vos_iter_probe_ex(daos_handle_t ih, daos_anchor_t *anchor, uint32_t flags)
{
	struct vos_iterator *it = vos_hdl2iter(ih);
	int rc;

	if (it == NULL)
		return -DER_NO_HDL;
	it->it_rec = NULL;
	if (it->it_empty || (anchor != NULL && anchor->da_type == DAOS_ANCHOR_TYPE_EOF))
		return -DER_NONEXIST;
	if (!it->it_evt)
		return iter_probe_btr(it, anchor);

	it->it_has_prev = false;
	if (anchor == NULL || anchor->da_type == DAOS_ANCHOR_TYPE_ZERO ||
	    !(anchor->da_flags & VOS_ANCHOR_EVT_AFTER))
		return evt_iter_probe(it->it_ih, EVT_ITER_FIRST, NULL, NULL);
	rc = evt_iter_probe(it->it_ih, EVT_ITER_FIND, NULL, anchor);
	if (rc == 0) {
		it->it_prev_anchor = *anchor;
		it->it_has_prev = true;
	}
	return rc;
}

int
vos_iter_probe(daos_handle_t ih, daos_anchor_t *anchor)
{
	return vos_iter_probe_ex(ih, anchor, 0);
}

static int
iter_anchor(struct vos_iterator *it, daos_anchor_t *anchor)
{
	if (anchor == NULL)
		return 0;
	if (!it->it_evt)
		return it_btr_fetch(it, NULL, anchor);
	if (!it->it_has_prev) {
		memset(anchor, 0, sizeof(*anchor));
		return 0;
	}
	*anchor = it->it_prev_anchor;
	anchor->da_type = DAOS_ANCHOR_TYPE_HKEY;
	anchor->da_flags = VOS_ANCHOR_EVT_AFTER;
	return 0;
}

int
vos_iter_next(daos_handle_t ih, daos_anchor_t *anchor)
{
	struct vos_iterator *it = vos_hdl2iter(ih);
	int rc;

	if (it == NULL)
		return -DER_NO_HDL;
	if (it->it_empty)
		return -DER_NONEXIST;
	if (it->it_evt) {
		struct evt_entry ent;

		rc = evt_iter_fetch(it->it_ih, NULL, &ent, &it->it_prev_anchor);
		if (rc != 0)
			return rc;
		it->it_has_prev = true;
		rc = evt_iter_next(it->it_ih);
	} else {
		if (it->it_type == VOS_ITER_SINGLE && it->it_expr == VOS_IT_EPC_LE)
			return -DER_NONEXIST;
		rc = it_btr_move(it);
		if (rc == 0)
			rc = iter_skip(it);
	}
	if (rc == 0)
		rc = iter_anchor(it, anchor);
	return rc;
}

int
vos_iter_fetch(daos_handle_t ih, vos_iter_entry_t *entry, daos_anchor_t *anchor)
{
	struct vos_iterator *it = vos_hdl2iter(ih);
	int rc;

	if (it == NULL)
		return -DER_NO_HDL;
	if (entry == NULL)
		return -DER_INVAL;
	if (it->it_empty)
		return -DER_NONEXIST;
	memset(entry, 0, sizeof(*entry));
	if (it->it_evt) {
		struct evt_entry ent;
		unsigned int inob;

		rc = evt_iter_fetch(it->it_ih, &inob, &ent, NULL);
		if (rc != 0)
			return rc;
		entry->ie_epoch = ent.en_epoch;
		entry->ie_rsize = bio_addr_is_hole(&ent.en_addr) ? 0 : inob;
		entry->ie_recx.rx_idx = ent.en_sel_ext.ex_lo;
		entry->ie_recx.rx_nr = evt_extent_width(&ent.en_sel_ext);
		entry->ie_orig_recx.rx_idx = ent.en_ext.ex_lo;
		entry->ie_orig_recx.rx_nr = evt_extent_width(&ent.en_ext);
		entry->ie_biov.bi_addr = ent.en_addr;
		entry->ie_biov.bi_data_len = entry->ie_recx.rx_nr * entry->ie_rsize;
		if (ent.en_addr.ba_type == DAOS_MEDIA_SCM && !bio_addr_is_hole(&ent.en_addr))
			entry->ie_biov.bi_buf =
				umem_off2ptr(&it->it_pool->vp_umm, ent.en_addr.ba_off);
		entry->ie_csum = ent.en_csum;
		entry->ie_ver = ent.en_ver;
		entry->ie_minor_epc = ent.en_minor_epc;
		if (ent.en_visibility & EVT_VISIBLE)
			entry->ie_vis_flags |= VOS_VIS_FLAG_VISIBLE;
		if (ent.en_visibility & EVT_COVERED)
			entry->ie_vis_flags |= VOS_VIS_FLAG_COVERED;
		if (ent.en_visibility & EVT_PARTIAL)
			entry->ie_vis_flags |= VOS_VIS_FLAG_PARTIAL;
		if (ent.en_visibility & EVT_LAST)
			entry->ie_vis_flags |= VOS_VIS_FLAG_LAST;
		return iter_anchor(it, anchor);
	}
	if (it->it_rec == NULL) {
		rc = iter_skip(it);
		if (rc != 0)
			return rc;
	}
	switch (it->it_type) {
	case VOS_ITER_COUUID:
		uuid_copy(entry->ie_couuid, ((struct vos_cont_df *)it->it_rec)->cd_id);
		break;
	case VOS_ITER_OBJ: {
		struct vos_obj_df *obj = it->it_rec;

		entry->ie_oid = obj->vo_id;
		entry->ie_epoch = obj->vo_latest;
		entry->ie_last_update = obj->vo_latest;
		entry->ie_punch = it->it_punch;
		entry->ie_obj_punch = it->it_punch;
		entry->ie_child_type = VOS_ITER_DKEY;
		break;
	}
	case VOS_ITER_DKEY:
	case VOS_ITER_AKEY: {
		struct vos_krec_df *krec = it->it_rec;

		d_iov_set(&entry->ie_key, vos_krec_key(krec), krec->kr_size);
		entry->ie_epoch = krec->kr_latest;
		entry->ie_last_update = krec->kr_latest;
		entry->ie_punch = it->it_punch;
		if (it->it_type == VOS_ITER_DKEY)
			entry->ie_child_type = VOS_ITER_AKEY;
		else
			entry->ie_child_type =
				(krec->kr_bmap & KREC_BF_EVT) ? VOS_ITER_RECX : VOS_ITER_SINGLE;
		break;
	}
	case VOS_ITER_SINGLE: {
		struct vos_irec_df *irec = it->it_rec;

		entry->ie_epoch = irec->ir_epoch;
		entry->ie_rsize = irec->ir_size;
		entry->ie_gsize = irec->ir_size;
		entry->ie_recx.rx_nr = 1;
		entry->ie_orig_recx = entry->ie_recx;
		entry->ie_ver = irec->ir_ver;
		entry->ie_minor_epc = irec->ir_minor;
		entry->ie_biov.bi_addr = irec->ir_addr;
		entry->ie_biov.bi_data_len = irec->ir_size;
		if (irec->ir_addr.ba_type == DAOS_MEDIA_SCM)
			entry->ie_biov.bi_buf = vos_irec_data(&it->it_pool->vp_umm, irec);
		entry->ie_csum.cs_type = irec->ir_cs_type;
		entry->ie_csum.cs_len = irec->ir_cs_len;
		entry->ie_csum.cs_nr = irec->ir_cs_len ? 1 : 0;
		/* no bytes after a version kept inside its akey record (never checksummed) */
		entry->ie_csum.cs_csum = irec->ir_cs_len ? (uint8_t *)irec->ir_body : NULL;
		entry->ie_vis_flags = VOS_VIS_FLAG_VISIBLE;
		break;
	}
	default:
		return -DER_INVAL;
	}
	return iter_anchor(it, anchor);
}

int
vos_iter_copy(daos_handle_t ih, vos_iter_entry_t *entry, d_iov_t *iov_out)
{
	struct vos_iterator *it = vos_hdl2iter(ih);
	size_t len;
	int rc;

	if (it == NULL)
		return -DER_NO_HDL;
	if (entry == NULL || iov_out == NULL ||
	    (it->it_type != VOS_ITER_SINGLE && it->it_type != VOS_ITER_RECX))
		return -DER_INVAL;
	len = entry->ie_biov.bi_data_len;
	if (iov_out->iov_buf_len < len)
		return -DER_OVERFLOW;
	if (bio_addr_is_hole(&entry->ie_biov.bi_addr) || len == 0) {
		iov_out->iov_len = 0;
		return 0;
	}
	rc = vos_data_read(it->it_pool, &entry->ie_biov.bi_addr, 0, iov_out->iov_buf, len);
	if (rc == 0)
		iov_out->iov_len = len;
	return rc;
}

int
vos_iter_empty(daos_handle_t ih)
{
	struct vos_iterator *it = vos_hdl2iter(ih);

	if (it == NULL)
		return -DER_NO_HDL;
	if (it->it_empty)
		return 1;
	if (it->it_sv1 != NULL)
		return lone_rec(it) == NULL;
	return it->it_evt ? evt_iter_empty(it->it_ih) : dbtree_iter_empty(it->it_ih);
}

/* ---------------- vos_iterate ---------------- */

static daos_anchor_t *
level_anchor(struct vos_iter_anchors *anchors, vos_iter_type_t type)
{
	if (anchors == NULL)
		return NULL;
	switch (type) {
	case VOS_ITER_COUUID:
		return &anchors->ia_co;
	case VOS_ITER_OBJ:
		return &anchors->ia_obj;
	case VOS_ITER_DKEY:
		return &anchors->ia_dkey;
	case VOS_ITER_AKEY:
		return &anchors->ia_akey;
	case VOS_ITER_SINGLE:
		return &anchors->ia_sv;
	case VOS_ITER_RECX:
		return &anchors->ia_ev;
	default:
		return NULL;
	}
}

static bool
anchor_set(daos_anchor_t *a)
{
	return a != NULL && a->da_type != DAOS_ANCHOR_TYPE_ZERO;
}

static int
iterate_level(vos_iter_param_t *param, vos_iter_type_t type, bool recursive,
	      struct vos_iter_anchors *anchors, vos_iter_cb_t pre_cb, vos_iter_cb_t post_cb,
	      void *arg, bool *exit_all)
{
	daos_anchor_t local = {0};
	daos_anchor_t *anchor = level_anchor(anchors, type);
	vos_iter_entry_t entry;
	daos_handle_t ih;
	bool resumed;
	int rc, rc2;

	if (anchor == NULL)
		anchor = &local;
	if (anchor->da_type == DAOS_ANCHOR_TYPE_EOF)
		return 0;
	rc = vos_iter_prepare(type, param, &ih, NULL);
	if (rc != 0)
		return rc;
	/* resuming inside the subtree of the anchored entry: do not report it again */
	resumed = anchor_set(anchor) && type != VOS_ITER_SINGLE && type != VOS_ITER_RECX &&
		  anchors != NULL;
	if (resumed) {
		vos_iter_type_t ct = type == VOS_ITER_OBJ    ? VOS_ITER_DKEY
				     : type == VOS_ITER_DKEY ? VOS_ITER_AKEY
							     : VOS_ITER_NONE;

		resumed = ct != VOS_ITER_NONE
				  ? anchor_set(level_anchor(anchors, ct))
				  : (anchor_set(&anchors->ia_sv) || anchor_set(&anchors->ia_ev));
	}
	rc = vos_iter_probe(ih, anchor);
	while (rc == 0) {
		unsigned int acts = 0;

		rc = vos_iter_fetch(ih, &entry, anchor);
		if (rc != 0)
			break;
		if (pre_cb != NULL && !resumed) {
			rc = pre_cb(ih, &entry, type, param, arg, &acts);
			if (rc == -DER_NONEXIST) {
				/* the callback has seen enough: the walk is complete */
				*exit_all = true;
				rc = 0;
				break;
			}
			if (rc != 0)
				break;
		}
		resumed = false;
		if (acts & VOS_ITER_CB_EXIT) {
			*exit_all = true;
			break;
		}
		if (acts & VOS_ITER_CB_ABORT)
			break;
		if (recursive && !(acts & VOS_ITER_CB_SKIP) && type != VOS_ITER_SINGLE &&
		    type != VOS_ITER_RECX && type != VOS_ITER_COUUID) {
			vos_iter_param_t child = *param;
			vos_iter_type_t ctype = entry.ie_child_type;

			child.ip_ih = ih;
			rc = iterate_level(&child, ctype, true, anchors, pre_cb, post_cb, arg,
					   exit_all);
			if (rc != 0 || *exit_all)
				break;
			/* the subtree is done: the next entry starts it from the beginning */
			if (anchors != NULL) {
				memset(level_anchor(anchors, ctype), 0, sizeof(daos_anchor_t));
				if (ctype == VOS_ITER_AKEY) {
					memset(&anchors->ia_sv, 0, sizeof(daos_anchor_t));
					memset(&anchors->ia_ev, 0, sizeof(daos_anchor_t));
				}
				if (ctype == VOS_ITER_DKEY) {
					memset(&anchors->ia_akey, 0, sizeof(daos_anchor_t));
					memset(&anchors->ia_sv, 0, sizeof(daos_anchor_t));
					memset(&anchors->ia_ev, 0, sizeof(daos_anchor_t));
				}
			}
		}
		if (post_cb != NULL) {
			acts = 0;
			rc = post_cb(ih, &entry, type, param, arg, &acts);
			if (rc == -DER_NONEXIST) {
				/* the callback has seen enough: the walk is complete */
				*exit_all = true;
				rc = 0;
				break;
			}
			if (rc != 0)
				break;
			if (acts & VOS_ITER_CB_EXIT) {
				*exit_all = true;
				break;
			}
			if (acts & VOS_ITER_CB_ABORT)
				break;
		}
		if (acts & VOS_ITER_CB_DELETE) {
			/* the entry is gone: its successor is at the anchor */
			rc = vos_iter_probe(ih, anchor);
			continue;
		}
		if (acts & VOS_ITER_CB_YIELD) {
			/* the tree may have changed: resume from the anchor */
			rc = vos_iter_probe(ih, anchor);
			if (rc != 0)
				break;
		}
		rc = vos_iter_next(ih, anchor);
	}
	if (rc == -DER_NONEXIST) {
		anchor->da_type = DAOS_ANCHOR_TYPE_EOF;
		rc = 0;
	}
	rc2 = vos_iter_finish(ih);
	return rc ? rc : rc2;
}

int
vos_iterate(vos_iter_param_t *param, vos_iter_type_t type, bool recursive,
	    struct vos_iter_anchors *anchors, vos_iter_cb_t pre_cb, vos_iter_cb_t post_cb,
	    void *arg, struct dtx_handle *dth)
{
	bool exit_all = false;
	int rc;

	if (param == NULL)
		return -DER_INVAL;
	rc = iterate_level(param, type, recursive, anchors, pre_cb, post_cb, arg, &exit_all);
	return rc == -DER_NONEXIST ? 0 : rc;
}
