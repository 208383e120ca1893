/**
 * Aggregation: among versions with epochs <= epr_hi, keep only what a read at a snapshot
 * (<= epr_hi) or at epr_hi (and so at every later epoch, together with the newer versions)
 * can see. Read points are evaluated with the punch bounds of every level at that point:
 * a single-value version is kept if it is the newest one below some read point and above
 * that point's punch bound; an extent is kept if any part of it is visible (evt_find) at some
 * read point, a hole only while older data under it is kept. Keys and objects left with no
 * data that exist at no read point are removed (their records go to the GC bin). Each akey
 * is one transaction; the walk yields between objects.
 */
#define D_LOGFAC DD_FAC(vos)

#include "vos_agg.h"

struct agg_ctx {
	struct vos_container *ac_cont;
	struct vos_pool *ac_pool;
	struct umem_instance *ac_umm;
	daos_unit_oid_t ac_oid;
	daos_epoch_t ac_hi;
	/* read points, ascending; the last one is ac_hi */
	daos_epoch_t *ac_rp;
	uint32_t ac_rp_nr;
	daos_epoch_t *ac_snaps;
	uint32_t ac_snap_nr;
	/* punch bounds per read point: object, dkey (obj included), akey (all included) */
	daos_epoch_t *ac_ob;
	daos_epoch_t *ac_db;
	daos_epoch_t *ac_ab;
	/* value bytes removed / rewritten in the current akey (container's ci_used) */
	uint64_t ac_freed;
	uint64_t ac_added;
	/* the dkey and akey being aggregated */
	struct vos_krec_df *ac_dkrec;
	struct vos_krec_df *ac_akrec;
	/* akeys to merge outside the walk's transactions (blob data, checksums) */
	struct vos_agg_bq ac_bq;
};

/* b[r] = punch bound of \a ilog at read point r under parent bounds pb[r]; *any: exists somewhere */
static void
agg_bounds(struct agg_ctx *ac, struct vos_ilog_df *ilog, daos_epoch_t *pb, daos_epoch_t *b,
	   bool *any, bool *above)
{
	struct vos_ilog_info info;
	uint32_t r;

	*any = false;
	for (r = 0; r < ac->ac_rp_nr; r++) {
		vos_ilog_eval(ac->ac_umm, ilog, ac->ac_rp[r], pb ? pb[r] : 0, &info);
		b[r] = info.ii_punch;
		if (info.ii_exists)
			*any = true;
	}
	*above = info.ii_latest > ac->ac_hi;
}

struct agg_sv {
	struct vos_sv_key sv_key;
	uint64_t sv_size;
	bool sv_keep;
};

/* The lone version of a KREC_BF_SV1 akey: the rules of agg_single for one version. */
static int
agg_sv1(struct agg_ctx *ac, struct vos_krec_df *akrec, bool *empty)
{
	struct vos_irec_df *irec = vos_sv1_irec(ac->ac_umm, akrec);
	uint64_t size = irec->ir_size;
	bool keep = false;
	uint32_t r;
	int rc;

	*empty = false;
	if (irec->ir_epoch > ac->ac_hi)
		return 0;
	for (r = 0; r < ac->ac_rp_nr && !keep; r++)
		keep = irec->ir_epoch <= ac->ac_rp[r] && irec->ir_epoch > ac->ac_ab[r];
	/* an empty version hides nothing older: there is nothing older */
	if (keep && size != 0)
		return 0;
	rc = vos_sv1_free(ac->ac_pool, akrec);
	if (rc == 0) {
		ac->ac_freed += size;
		*empty = true;
	}
	return rc;
}

static int
agg_single(struct agg_ctx *ac, struct vos_krec_df *akrec, bool *empty)
{
	struct agg_sv *vs = NULL;
	daos_handle_t toh, ih;
	uint32_t nr = 0, max = 0, r, i;
	int rc;

	if (akrec->kr_bmap & KREC_BF_SV1)
		return agg_sv1(ac, akrec, empty);
	*empty = akrec->kr_btr.tr_class == 0;
	if (*empty)
		return 0;
	rc = vos_sv_tree_open(ac->ac_pool, akrec, false, &toh);
	if (rc != 0)
		return rc;
	rc = dbtree_iter_prepare(toh, 0, &ih);
	if (rc != 0)
		goto out_close;
	rc = dbtree_iter_probe(ih, BTR_PROBE_FIRST, DAOS_INTENT_PURGE, NULL, NULL);
	while (rc == 0) {
		struct vos_irec_df *irec;
		d_iov_t val;

		d_iov_set(&val, NULL, 0);
		rc = dbtree_iter_fetch(ih, NULL, &val, NULL);
		if (rc != 0)
			break;
		irec = val.iov_buf;
		if (irec->ir_epoch > ac->ac_hi)
			break;
		if (nr == max) {
			struct agg_sv *p;

			max = max ? max * 2 : 16;
			D_REALLOC_ARRAY(p, vs, nr, max);
			if (p == NULL) {
				rc = -DER_NOMEM;
				break;
			}
			vs = p;
		}
		vs[nr].sv_key.sk_epoch = irec->ir_epoch;
		vs[nr].sv_key.sk_minor = irec->ir_minor;
		vs[nr].sv_size = irec->ir_size;
		vs[nr].sv_keep = false;
		nr++;
		rc = dbtree_iter_next(ih);
	}
	dbtree_iter_finish(ih);
	if (rc != 0 && rc != -DER_NONEXIST)
		goto out;
	rc = 0;
	/* the newest version at or below each read point, if above its punch bound */
	for (r = 0; r < ac->ac_rp_nr; r++) {
		for (i = nr; i > 0 && vs[i - 1].sv_key.sk_epoch > ac->ac_rp[r]; i--)
			;
		if (i > 0 && vs[i - 1].sv_key.sk_epoch > ac->ac_ab[r])
			vs[i - 1].sv_keep = true;
	}
	/* an empty version (a punch by update) only matters above kept data */
	for (i = 0; i < nr; i++) {
		if (!vs[i].sv_keep)
			continue;
		if (vs[i].sv_size != 0)
			break;
		vs[i].sv_keep = false;
	}
	for (i = 0; i < nr && rc == 0; i++) {
		d_iov_t key;

		if (vs[i].sv_keep)
			continue;
		d_iov_set(&key, &vs[i].sv_key, sizeof(vs[i].sv_key));
		rc = dbtree_delete(toh, BTR_PROBE_EQ, &key, ac->ac_pool);
		ac->ac_freed += vs[i].sv_size;
	}
	if (rc == 0)
		*empty = dbtree_is_empty(toh) == 1;
out:
	D_FREE(vs);
out_close:
	dbtree_close(toh);
	return rc;
}

struct agg_ext {
	uint64_t ae_lo;
	uint64_t ae_hi;
	uint64_t ae_epoch;
	bool ae_hole;
};

static int
agg_ext_cmp(const void *a, const void *b)
{
	const struct agg_ext *x = a, *y = b;

	if (x->ae_epoch != y->ae_epoch)
		return x->ae_epoch < y->ae_epoch ? -1 : 1;
	if (x->ae_lo != y->ae_lo)
		return x->ae_lo < y->ae_lo ? -1 : 1;
	return 0;
}

/*
 * Merge the extents only reads at epr_hi (and later) need: those above the last snapshot.
 * Their visible pieces at epr_hi are rewritten as maximal runs of data (and of holes) at epoch
 * epr_hi, which frees the covered parts and the fragments. Inline data without checksums whose
 * runs stay inline is merged here, in the akey's transaction; an akey with blob data, checksums
 * or runs that belong in the blob is queued for vos_agg_blob.c, which reads outside any
 * transaction.
 */
static int
agg_merge(struct agg_ctx *ac, daos_handle_t toh, uint32_t inob)
{
	struct umem_instance *umm = ac->ac_umm;
	struct evt_entry_array ea;
	struct evt_filter flt = {0};
	struct evt_entry *e, *first = NULL;
	daos_epoch_t lo_epc = ac->ac_rp_nr > 1 ? ac->ac_rp[ac->ac_rp_nr - 2] + 1 : 1;
	daos_handle_t ih;
	uint64_t covered = 0, visible = 0;
	uint32_t nr_ext = 0, nr_runs = 0;
	bool special = false;
	int rc;

	if (inob == 0)
		return 0;
	flt.fr_ex.ex_hi = UINT64_MAX;
	flt.fr_epr.epr_lo = lo_epc;
	flt.fr_epr.epr_hi = ac->ac_hi;
	/* the extents of the window: all inline, no checksums? */
	rc = evt_iter_prepare(toh, EVT_ITER_FOR_PURGE, &flt, &ih);
	if (rc != 0)
		return rc;
	for (rc = evt_iter_probe(ih, EVT_ITER_FIRST, NULL, NULL); rc == 0; rc = evt_iter_next(ih)) {
		struct evt_entry ent;

		rc = evt_iter_fetch(ih, NULL, &ent, NULL);
		if (rc != 0)
			break;
		if ((!bio_addr_is_hole(&ent.en_addr) && ent.en_addr.ba_type != DAOS_MEDIA_SCM) ||
		    ent.en_csum.cs_nr > 0)
			special = true;
		nr_ext++;
		covered += evt_extent_width(&ent.en_ext);
	}
	evt_iter_finish(ih);
	if (nr_ext < 1)
		return 0;
	if (rc != -DER_NONEXIST)
		return rc;

	evt_ent_array_init(&ea, 0);
	rc = evt_find(toh, &flt, &ea);
	if (rc != 0)
		goto out;
	evt_ent_array_for_each(e, &ea)
	{
		bool hole = bio_addr_is_hole(&e->en_addr);

		visible += evt_extent_width(&e->en_sel_ext);
		if (first == NULL || first->en_sel_ext.ex_hi + 1 != e->en_sel_ext.ex_lo ||
		    bio_addr_is_hole(&first->en_addr) != hole)
			nr_runs++;
		first = e;
	}
	/* nothing covered and nothing to join: leave it */
	if (nr_runs >= nr_ext && visible == covered)
		goto out;
	if (special || (nr_runs > 0 && visible * inob / nr_runs >= ac->ac_pool->vp_inline_thresh &&
			ac->ac_pool->vp_vsi != NULL)) {
		rc = vos_agg_bq_add(&ac->ac_bq, ac->ac_oid, ac->ac_dkrec, ac->ac_akrec);
		goto out;
	}

	/* build each run in a new heap buffer from the (still present) old data */
	first = NULL;
	{
		struct evt_entry_in *ins;
		uint32_t n = 0;

		D_ALLOC_ARRAY(ins, nr_runs);
		if (ins == NULL)
			D_GOTO(out, rc = -DER_NOMEM);
		evt_ent_array_for_each(e, &ea)
		{
			bool hole = bio_addr_is_hole(&e->en_addr);
			struct evt_entry_in *in;

			if (first == NULL || first->en_sel_ext.ex_hi + 1 != e->en_sel_ext.ex_lo ||
			    bio_addr_is_hole(&first->en_addr) != hole) {
				struct evt_entry *r = e;
				uint64_t hi = e->en_sel_ext.ex_hi;

				/* find the end of this run */
				while ((r = evt_ent_array_get_next(&ea, r)) != NULL &&
				       r->en_sel_ext.ex_lo == hi + 1 &&
				       bio_addr_is_hole(&r->en_addr) == hole)
					hi = r->en_sel_ext.ex_hi;
				in = &ins[n++];
				memset(in, 0, sizeof(*in));
				in->ei_rect.rc_ex.ex_lo = e->en_sel_ext.ex_lo;
				in->ei_rect.rc_ex.ex_hi = hi;
				in->ei_rect.rc_epc = ac->ac_hi;
				in->ei_ver = e->en_ver;
				if (hole) {
					bio_addr_set_hole(&in->ei_addr, 1);
				} else {
					umem_off_t off = umem_alloc(
						umm, (hi - e->en_sel_ext.ex_lo + 1) * inob);

					if (UMOFF_IS_NULL(off)) {
						D_FREE(ins);
						D_GOTO(out, rc = -DER_NOSPACE);
					}
					in->ei_inob = inob;
					bio_addr_set(&in->ei_addr, DAOS_MEDIA_SCM, off);
				}
			}
			in = &ins[n - 1];
			if (!hole)
				memcpy((char *)umem_off2ptr(umm, in->ei_addr.ba_off) +
					       (e->en_sel_ext.ex_lo - in->ei_rect.rc_ex.ex_lo) *
						       inob,
				       umem_off2ptr(umm, e->en_addr.ba_off),
				       evt_extent_width(&e->en_sel_ext) * inob);
			first = e;
		}

		/* drop the window's extents, then insert the runs */
		rc = evt_iter_prepare(toh, EVT_ITER_FOR_PURGE, &flt, &ih);
		if (rc == 0) {
			rc = evt_iter_probe(ih, EVT_ITER_FIRST, NULL, NULL);
			while (rc == 0) {
				struct evt_entry ent;

				rc = evt_iter_fetch(ih, NULL, &ent, NULL);
				if (rc == 0)
					rc = evt_iter_delete(ih, &ent);
				if (rc == 0 && !bio_addr_is_hole(&ent.en_addr)) {
					rc = vos_addr_free(ac->ac_pool, &ent.en_addr,
							   evt_extent_width(&ent.en_ext) * inob);
					ac->ac_freed += evt_extent_width(&ent.en_ext) * inob;
				}
			}
			evt_iter_finish(ih);
			if (rc == -DER_NONEXIST)
				rc = 0;
		}
		for (n = 0; n < nr_runs && rc == 0; n++) {
			rc = evt_insert(toh, &ins[n], NULL);
			if (!bio_addr_is_hole(&ins[n].ei_addr))
				ac->ac_added += evt_rect_width(&ins[n].ei_rect) * inob;
		}
		D_FREE(ins);
	}
out:
	evt_ent_array_fini(&ea);
	return rc;
}

static int
agg_array(struct agg_ctx *ac, struct vos_krec_df *akrec, bool *empty)
{
	struct agg_ext *keep = NULL;
	struct evt_entry_array ea;
	struct evt_filter flt = {0};
	struct evt_entry *e;
	daos_handle_t toh, ih;
	uint32_t nr = 0, max = 0, r, i, j;
	uint32_t inob = akrec->kr_evt.tr_inob;
	int rc;

	*empty = akrec->kr_evt.tr_order == 0;
	if (*empty)
		return 0;
	rc = vos_array_open(ac->ac_pool, akrec, false, &toh);
	if (rc != 0)
		return rc;
	evt_ent_array_init(&ea, 0);
	/* every record with a visible piece at some read point */
	for (r = 0; r < ac->ac_rp_nr && rc == 0; r++) {
		flt.fr_ex.ex_lo = 0;
		flt.fr_ex.ex_hi = UINT64_MAX;
		flt.fr_epr.epr_lo = 0;
		flt.fr_epr.epr_hi = ac->ac_rp[r];
		flt.fr_punch_epc = ac->ac_ab[r];
		rc = evt_find(toh, &flt, &ea);
		if (rc != 0)
			break;
		evt_ent_array_for_each(e, &ea)
		{
			if (nr == max) {
				struct agg_ext *p;

				max = max ? max * 2 : 32;
				D_REALLOC_ARRAY(p, keep, nr, max);
				if (p == NULL) {
					rc = -DER_NOMEM;
					break;
				}
				keep = p;
			}
			keep[nr].ae_lo = e->en_ext.ex_lo;
			keep[nr].ae_hi = e->en_ext.ex_hi;
			keep[nr].ae_epoch = e->en_epoch;
			keep[nr].ae_hole = bio_addr_is_hole(&e->en_addr);
			nr++;
		}
	}
	evt_ent_array_fini(&ea);
	if (rc != 0)
		goto out;
	if (nr > 1)
		qsort(keep, nr, sizeof(*keep), agg_ext_cmp);
	/* a hole is only needed over older kept data */
	for (i = 0; i < nr; i++) {
		bool over = false;

		if (!keep[i].ae_hole)
			continue;
		for (j = 0; j < nr && !over; j++)
			over = !keep[j].ae_hole && keep[j].ae_epoch < keep[i].ae_epoch &&
			       keep[j].ae_lo <= keep[i].ae_hi && keep[j].ae_hi >= keep[i].ae_lo;
		if (!over)
			keep[i].ae_epoch = 0; /* matches no record: dropped below */
	}
	if (nr > 1)
		qsort(keep, nr, sizeof(*keep), agg_ext_cmp);

	flt.fr_ex.ex_lo = 0;
	flt.fr_ex.ex_hi = UINT64_MAX;
	flt.fr_epr.epr_lo = 0;
	flt.fr_epr.epr_hi = ac->ac_hi;
	flt.fr_punch_epc = 0;
	rc = evt_iter_prepare(toh, EVT_ITER_FOR_PURGE, &flt, &ih);
	if (rc != 0)
		goto out;
	rc = evt_iter_probe(ih, EVT_ITER_FIRST, NULL, NULL);
	while (rc == 0) {
		struct evt_entry ent;
		struct agg_ext k;

		rc = evt_iter_fetch(ih, NULL, &ent, NULL);
		if (rc != 0)
			break;
		k.ae_lo = ent.en_ext.ex_lo;
		k.ae_hi = ent.en_ext.ex_hi;
		k.ae_epoch = ent.en_epoch;
		if (nr > 0 && bsearch(&k, keep, nr, sizeof(*keep), agg_ext_cmp) != NULL) {
			rc = evt_iter_next(ih);
			continue;
		}
		rc = evt_iter_delete(ih, &ent);
		if (rc != 0)
			break;
		if (!bio_addr_is_hole(&ent.en_addr)) {
			rc = vos_addr_free(ac->ac_pool, &ent.en_addr,
					   evt_extent_width(&ent.en_ext) * inob);
			ac->ac_pool->vp_gc_stat.gs_recxs++;
			ac->ac_freed += evt_extent_width(&ent.en_ext) * inob;
		}
		/* evt_iter_delete moved on already */
	}
	evt_iter_finish(ih);
	if (rc == -DER_NONEXIST)
		rc = 0;
	if (rc == 0 && !evt_is_empty(&akrec->kr_evt))
		rc = agg_merge(ac, toh, inob);
	if (rc == 0)
		*empty = evt_is_empty(&akrec->kr_evt);
out:
	D_FREE(keep);
	evt_close(toh);
	return rc;
}

struct agg_key_arg {
	struct agg_ctx *ka_ac;
	daos_epoch_t *ka_pb;
	/* akeys of the dkey being walked (akey level only) */
	struct vos_akeys *ka_ak;
	int ka_rc;
};

/* One akey in its own transaction; deleted through \a ih when nothing is left. */
static int
agg_akey_cb(daos_handle_t ih, d_iov_t *key, d_iov_t *val, void *arg)
{
	struct agg_key_arg *ka = arg;
	struct agg_ctx *ac = ka->ka_ac;
	struct vos_krec_df *akrec = val->iov_buf;
	bool any, above, empty, removable;
	int rc;

	rc = umem_tx_begin(ac->ac_umm, NULL);
	if (rc != 0)
		return rc;
	ac->ac_freed = 0;
	ac->ac_added = 0;
	ac->ac_akrec = akrec;
	agg_bounds(ac, &akrec->kr_ilog, ka->ka_pb, ac->ac_ab, &any, &above);
	if (akrec->kr_bmap & KREC_BF_EVT)
		rc = agg_array(ac, akrec, &empty);
	else if (akrec->kr_bmap & KREC_BF_BTR)
		rc = agg_single(ac, akrec, &empty);
	else
		empty = true;
	if (rc == 0)
		rc = vos_ilog_aggregate(ac->ac_umm, &akrec->kr_ilog, ac->ac_hi, ac->ac_snaps,
					ac->ac_snap_nr, 0, &removable);
	if (rc == 0 && empty && !any && !above)
		rc = vos_akeys_iter_delete(ka->ka_ak, ih);
	if (rc == 0 && ac->ac_freed != ac->ac_added) {
		uint64_t *used = &ac->ac_cont->vc_df->cd_used;

		rc = umem_tx_add_ptr(ac->ac_umm, used, sizeof(*used));
		if (rc == 0)
			*used = *used + ac->ac_added > ac->ac_freed
					? *used + ac->ac_added - ac->ac_freed
					: 0;
	}
	rc = rc ? umem_tx_abort(ac->ac_umm, rc) : umem_tx_commit(ac->ac_umm);
	if (rc != 0)
		ka->ka_rc = rc;
	return rc;
}

static int
agg_dkey_cb(daos_handle_t ih, d_iov_t *key, d_iov_t *val, void *arg)
{
	struct agg_key_arg *ka = arg;
	struct agg_ctx *ac = ka->ka_ac;
	struct vos_krec_df *dkrec = val->iov_buf;
	struct vos_akeys ak;
	struct agg_key_arg aka = {.ka_ac = ac, .ka_pb = ac->ac_db, .ka_ak = &ak};
	bool any, above, removable;
	int empty = 1, rc;

	agg_bounds(ac, &dkrec->kr_ilog, ka->ka_pb, ac->ac_db, &any, &above);
	ac->ac_dkrec = dkrec;
	rc = vos_akeys_open(ac->ac_cont, dkrec, ac->ac_oid, false, &ak);
	if (rc == 0) {
		rc = vos_akeys_iterate(&ak, DAOS_INTENT_PURGE, agg_akey_cb, &aka);
		if (rc == 0)
			rc = aka.ka_rc;
		if (rc == 0)
			empty = vos_akeys_empty(&ak);
		vos_akeys_close(&ak);
		if (rc != 0)
			return rc;
	} else if (rc != -DER_NONEXIST) {
		return rc;
	}
	rc = umem_tx_begin(ac->ac_umm, NULL);
	if (rc != 0)
		return rc;
	rc = vos_ilog_aggregate(ac->ac_umm, &dkrec->kr_ilog, ac->ac_hi, ac->ac_snaps,
				ac->ac_snap_nr, 0, &removable);
	if (rc == 0 && empty == 1 && !any && !above)
		rc = dbtree_iter_delete(ih, ac->ac_pool);
	rc = rc ? umem_tx_abort(ac->ac_umm, rc) : umem_tx_commit(ac->ac_umm);
	if (rc != 0)
		ka->ka_rc = rc;
	return rc;
}

static int
agg_object(struct agg_ctx *ac, daos_handle_t oih, struct vos_obj_df *obj)
{
	struct agg_key_arg ka = {.ka_ac = ac, .ka_pb = ac->ac_ob};
	bool any, above, removable;
	daos_handle_t toh;
	int empty = 1, rc;

	ac->ac_oid = obj->vo_id;
	agg_bounds(ac, &obj->vo_ilog, NULL, ac->ac_ob, &any, &above);
	if (obj->vo_tree.tr_class != 0) {
		rc = vos_obj_tree_open(ac->ac_cont, obj, obj->vo_id, false, &toh);
		if (rc != 0)
			return rc;
		rc = dbtree_iterate(toh, DAOS_INTENT_PURGE, false, agg_dkey_cb, &ka);
		if (rc == 0)
			rc = ka.ka_rc;
		if (rc == 0)
			empty = dbtree_is_empty(toh);
		dbtree_close(toh);
		if (rc != 0)
			return rc;
	}
	rc = umem_tx_begin(ac->ac_umm, NULL);
	if (rc != 0)
		return rc;
	rc = vos_ilog_aggregate(ac->ac_umm, &obj->vo_ilog, ac->ac_hi, ac->ac_snaps, ac->ac_snap_nr,
				0, &removable);
	if (rc == 0 && empty == 1 && !any && !above) {
		rc = dbtree_iter_delete(oih, ac->ac_pool);
		if (rc == 0)
			rc = umem_tx_add_ptr(ac->ac_umm, &ac->ac_cont->vc_df->cd_nobjs,
					     sizeof(uint64_t));
		if (rc == 0)
			ac->ac_cont->vc_df->cd_nobjs--;
		if (rc == 0)
			rc = 1; /* deleted: the iterator moved on */
	}
	if (rc < 0)
		return umem_tx_abort(ac->ac_umm, rc);
	return umem_tx_commit(ac->ac_umm) ?: rc;
}

int
vos_aggregate(daos_handle_t coh, daos_epoch_range_t *epr, int (*yield_func)(void *arg),
	      void *yield_arg, uint32_t flags)
{
	struct vos_container *cont = vos_hdl2cont(coh);
	struct agg_ctx ac = {0};
	daos_anchor_t anchor = {0};
	daos_epoch_t *snaps;
	daos_handle_t ih;
	uint32_t i;
	int rc;

	if (cont == NULL)
		return -DER_NO_HDL;
	if (epr == NULL || epr->epr_hi == 0 || epr->epr_hi == DAOS_EPOCH_MAX ||
	    epr->epr_lo > epr->epr_hi)
		return -DER_INVAL;
	ac.ac_cont = cont;
	ac.ac_pool = cont->vc_pool;
	ac.ac_umm = &cont->vc_pool->vp_umm;
	ac.ac_hi = epr->epr_hi;
	snaps = umem_off2ptr(ac.ac_umm, cont->vc_df->cd_snaps);
	D_ALLOC_ARRAY(ac.ac_rp, cont->vc_df->cd_snap_nr + 1);
	D_ALLOC_ARRAY(ac.ac_ob, cont->vc_df->cd_snap_nr + 1);
	D_ALLOC_ARRAY(ac.ac_db, cont->vc_df->cd_snap_nr + 1);
	D_ALLOC_ARRAY(ac.ac_ab, cont->vc_df->cd_snap_nr + 1);
	if (ac.ac_rp == NULL || ac.ac_ob == NULL || ac.ac_db == NULL || ac.ac_ab == NULL)
		D_GOTO(out, rc = -DER_NOMEM);
	for (i = 0; i < cont->vc_df->cd_snap_nr && snaps[i] < ac.ac_hi; i++)
		ac.ac_rp[ac.ac_rp_nr++] = snaps[i];
	ac.ac_snaps = ac.ac_rp;
	ac.ac_snap_nr = ac.ac_rp_nr;
	ac.ac_rp[ac.ac_rp_nr++] = ac.ac_hi;
	ac.ac_bq.bq_cont = cont;
	ac.ac_bq.bq_hi = ac.ac_hi;
	ac.ac_bq.bq_lo = ac.ac_snap_nr > 0 ? ac.ac_snaps[ac.ac_snap_nr - 1] + 1 : 1;

	rc = dbtree_iter_prepare(cont->vc_obj_th, 0, &ih);
	if (rc != 0)
		goto out;
	rc = dbtree_iter_probe(ih, BTR_PROBE_FIRST, DAOS_INTENT_PURGE, NULL, NULL);
	while (rc == 0) {
		d_iov_t val;

		d_iov_set(&val, NULL, 0);
		rc = dbtree_iter_fetch(ih, NULL, &val, &anchor);
		if (rc != 0)
			break;
		rc = agg_object(&ac, ih, val.iov_buf);
		if (rc < 0)
			break;
		if (rc == 0)
			rc = dbtree_iter_next(ih);
		else
			rc = dbtree_iter_probe(ih, BTR_PROBE_GE, DAOS_INTENT_PURGE, NULL, &anchor);
		if ((rc == 0 || rc == -DER_NONEXIST) && ac.ac_bq.bq_nr > 0) {
			/* blob merges yield: keep our place by anchor, as for yield_func */
			bool end = rc == -DER_NONEXIST;

			rc = end ? 0 : dbtree_iter_fetch(ih, NULL, NULL, &anchor);
			if (rc == 0)
				rc = vos_agg_bq_run(&ac.ac_bq);
			if (rc != 0)
				break;
			rc = end ? -DER_NONEXIST
				 : dbtree_iter_probe(ih, BTR_PROBE_GE, DAOS_INTENT_PURGE, NULL,
						     &anchor);
		}
		if (rc == 0 && yield_func != NULL) {
			int yrc;

			rc = dbtree_iter_fetch(ih, NULL, NULL, &anchor);
			if (rc != 0)
				break;
			yrc = yield_func(yield_arg);
			if (yrc != 0) {
				rc = yrc;
				break;
			}
			/* other ULTs may have changed the index meanwhile */
			rc = dbtree_iter_probe(ih, BTR_PROBE_GE, DAOS_INTENT_PURGE, NULL, &anchor);
		}
	}
	dbtree_iter_finish(ih);
	if (rc == -DER_NONEXIST)
		rc = 0;
	if (rc == 0 && cont->vc_df->cd_hae < ac.ac_hi) {
		rc = umem_tx_begin(ac.ac_umm, NULL);
		if (rc == 0) {
			rc = umem_tx_add_ptr(ac.ac_umm, &cont->vc_df->cd_hae, sizeof(daos_epoch_t));
			if (rc == 0)
				cont->vc_df->cd_hae = ac.ac_hi;
			rc = rc ? umem_tx_abort(ac.ac_umm, rc) : umem_tx_commit(ac.ac_umm);
		}
	}
out:
	if (ac.ac_bq.bq_merged + ac.ac_bq.bq_skipped > 0)
		D_DEBUG(DB_TRACE,
			"aggregation to " DF_U64 ": %lu akeys merged (%lu bytes), %lu skipped\n",
			ac.ac_hi, (unsigned long)ac.ac_bq.bq_merged,
			(unsigned long)ac.ac_bq.bq_bytes, (unsigned long)ac.ac_bq.bq_skipped);
	vos_agg_bq_fini(&ac.ac_bq);
	D_FREE(ac.ac_rp);
	D_FREE(ac.ac_ob);
	D_FREE(ac.ac_db);
	D_FREE(ac.ac_ab);
	return rc;
}
