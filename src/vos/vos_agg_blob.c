/**
 * Aggregation of array extents whose data is in the blob or carries checksums.
 *
 * The walk (vos_aggregate.c) merges inline extents inside its per-akey transaction; an akey
 * whose merge window (extents above the last snapshot, up to hi) holds blob data or checksums
 * is queued here instead, because reading the blob yields and nothing may yield inside a
 * transaction. Per queued akey, between objects of the walk:
 *
 * 1. plan (no yield): find the akey again, list the window's extents and the pieces visible
 *    at hi; join the pieces into runs (data or holes); pick the runs to rewrite (data runs up
 *    to VOS_AGG_RUN_MAX bytes, VOS_AGG_AKEY_MAX bytes per akey and call); an extent is removed
 *    when all its visible pieces are rewritten (or it has none); reserve blob space for the
 *    new runs at or above the inline threshold;
 * 2. I/O (yields): read the visible pieces (checksums verified chunk by chunk), write the runs
 *    to their reserved blocks and make them durable as an update does (fdatasync, or carried
 *    in the transaction's log when small);
 * 3. one transaction: find the akey again and check that nothing changed (the ilogs of the
 *    object, dkey and akey and the window's extents with their addresses); if something did,
 *    cancel the reservations and skip the akey until the next call. Else remove the covered
 *    extents and free their blob blocks or heap, insert the runs at epoch hi with fresh
 *    checksums, publish the reservations.
 */
#define D_LOGFAC DD_FAC(vos)

#include "vos_agg.h"

static vos_agg_blob_hook_t agg_blob_hook;
static void *agg_blob_hook_arg;

void
vos_agg_blob_hook_set(vos_agg_blob_hook_t hook, void *arg)
{
	agg_blob_hook = hook;
	agg_blob_hook_arg = arg;
}

int
vos_agg_bq_add(struct vos_agg_bq *bq, daos_unit_oid_t oid, struct vos_krec_df *dkrec,
	       struct vos_krec_df *akrec)
{
	struct vos_agg_bkey *k;
	char *d, *a;

	if (bq->bq_nr == bq->bq_max) {
		uint32_t max = bq->bq_max ? bq->bq_max * 2 : 16;

		D_REALLOC_ARRAY(k, bq->bq_keys, bq->bq_max, max);
		if (k == NULL)
			return -DER_NOMEM;
		bq->bq_keys = k;
		bq->bq_max = max;
	}
	D_ALLOC(d, dkrec->kr_size);
	D_ALLOC(a, akrec->kr_size);
	if (d == NULL || a == NULL) {
		D_FREE(d);
		D_FREE(a);
		return -DER_NOMEM;
	}
	memcpy(d, vos_krec_key(dkrec), dkrec->kr_size);
	memcpy(a, vos_krec_key(akrec), akrec->kr_size);
	k = &bq->bq_keys[bq->bq_nr++];
	k->bk_oid = oid;
	d_iov_set(&k->bk_dkey, d, dkrec->kr_size);
	d_iov_set(&k->bk_akey, a, akrec->kr_size);
	return 0;
}

static void
bq_clear(struct vos_agg_bq *bq)
{
	uint32_t i;

	for (i = 0; i < bq->bq_nr; i++) {
		D_FREE(bq->bq_keys[i].bk_dkey.iov_buf);
		D_FREE(bq->bq_keys[i].bk_akey.iov_buf);
	}
	bq->bq_nr = 0;
}

void
vos_agg_bq_fini(struct vos_agg_bq *bq)
{
	bq_clear(bq);
	D_FREE(bq->bq_keys);
	bq->bq_max = 0;
}

/* ---------------- finding the akey ---------------- */

struct bx_loc {
	daos_handle_t l_dtoh;
	daos_handle_t l_toh;
	struct vos_krec_df *l_akrec;
	/* (entries, newest entry) of the object, dkey and akey ilogs: a punch changes them */
	uint64_t l_sig[6];
	/* punch bound of the akey at hi */
	daos_epoch_t l_bound;
};

static void
bx_close(struct bx_loc *l)
{
	if (daos_handle_is_valid(l->l_toh))
		evt_close(l->l_toh);
	if (daos_handle_is_valid(l->l_dtoh))
		dbtree_close(l->l_dtoh);
	l->l_toh = DAOS_HDL_INVAL;
	l->l_dtoh = DAOS_HDL_INVAL;
	l->l_akrec = NULL;
}

static void
bx_unlocate(struct bx_loc *l)
{
	bx_close(l);
	memset(l, 0, sizeof(*l));
}

/* Open the akey's evtree; 1 if the akey is gone or holds no array any more. */
static int
bx_locate(struct vos_agg_bq *bq, struct vos_agg_bkey *k, struct bx_loc *l)
{
	struct vos_container *cont = bq->bq_cont;
	struct umem_instance *umm = vos_cont2umm(cont);
	struct vos_ilog_info info;
	struct vos_krec_df *dkrec, *akrec;
	struct vos_akeys ak;
	struct vos_obj_df *obj;
	int rc;

	memset(l, 0, sizeof(*l));
	rc = vos_obj_lookup(cont, k->bk_oid, &obj);
	if (rc != 0)
		return rc == -DER_NONEXIST ? 1 : rc;
	vos_ilog_eval(umm, &obj->vo_ilog, bq->bq_hi, 0, &info);
	l->l_sig[0] = obj->vo_ilog.il_nr;
	l->l_sig[1] = info.ii_latest;
	if (obj->vo_tree.tr_class == 0)
		return 1;
	rc = vos_obj_tree_open(cont, obj, k->bk_oid, false, &l->l_dtoh);
	if (rc == 0)
		rc = vos_key_lookup(l->l_dtoh, &k->bk_dkey, &dkrec);
	if (rc != 0 || dkrec == NULL)
		goto gone;
	vos_ilog_eval(umm, &dkrec->kr_ilog, bq->bq_hi, info.ii_punch, &info);
	l->l_sig[2] = dkrec->kr_ilog.il_nr;
	l->l_sig[3] = info.ii_latest;
	/* the dkey's akey tree, or its one linked akey (layout v3) */
	rc = vos_akeys_open(cont, dkrec, k->bk_oid, false, &ak);
	if (rc == 0) {
		rc = vos_akeys_lookup(&ak, &k->bk_akey, &akrec);
		vos_akeys_close(&ak);
	}
	if (rc != 0 || akrec == NULL)
		goto gone;
	vos_ilog_eval(umm, &akrec->kr_ilog, bq->bq_hi, info.ii_punch, &info);
	l->l_sig[4] = akrec->kr_ilog.il_nr;
	l->l_sig[5] = info.ii_latest;
	l->l_bound = info.ii_punch;
	if (!(akrec->kr_bmap & KREC_BF_EVT) || akrec->kr_evt.tr_order == 0 ||
	    akrec->kr_evt.tr_inob == 0)
		goto gone;
	rc = vos_array_open(cont->vc_pool, akrec, false, &l->l_toh);
	if (rc != 0)
		goto gone;
	l->l_akrec = akrec;
	return 0;
gone:
	bx_unlocate(l);
	return rc == 0 || rc == -DER_NONEXIST ? 1 : rc;
}

/* ---------------- the plan ---------------- */

struct bx_ext {
	struct evt_rect x_rect;
	bio_addr_t x_addr;
	uint32_t x_ver;
	uint16_t x_cs_type;
	uint16_t x_cs_len;
	uint32_t x_cs_nr;
	uint32_t x_chunk;
	uint8_t *x_csum;
	bool x_del;
};

struct bx_piece {
	uint64_t p_lo;
	uint64_t p_hi;
	/* data address of p_lo (evt_find moves it to the piece) */
	bio_addr_t p_addr;
	uint32_t p_ext;
	uint32_t p_run;
	bool p_hole;
};

struct bx_run {
	uint64_t r_lo;
	uint64_t r_hi;
	uint32_t r_first;
	uint32_t r_nr;
	bool r_hole;
	bool r_merge;
	bool r_logged;
	char *r_buf;
	/* blob byte offset of the new run, UINT64_MAX: inline */
	uint64_t r_blob_off;
};

struct bx_plan {
	uint32_t bp_inob;
	struct bx_ext *bp_ext;
	uint32_t bp_ext_nr;
	struct bx_piece *bp_pc;
	uint32_t bp_pc_nr;
	struct bx_run *bp_run;
	uint32_t bp_run_nr;
	d_list_t bp_rsrvd;
	uint16_t bp_cs_type;
	uint32_t bp_chunk;
	bool bp_synced;
};

static void
bx_exts_free(struct bx_ext *x, uint32_t nr)
{
	uint32_t i;

	for (i = 0; i < nr; i++)
		D_FREE(x[i].x_csum);
	D_FREE(x);
}

static void
bx_plan_fini(struct vos_pool *pool, struct bx_plan *bp)
{
	uint32_t i;

	if (!d_list_empty(&bp->bp_rsrvd))
		vea_cancel(pool->vp_vsi, pool->vp_hint, &bp->bp_rsrvd);
	bx_exts_free(bp->bp_ext, bp->bp_ext_nr);
	for (i = 0; i < bp->bp_run_nr; i++)
		D_FREE(bp->bp_run[i].r_buf);
	D_FREE(bp->bp_run);
	D_FREE(bp->bp_pc);
}

static int
bx_ext_cmp(const void *a, const void *b)
{
	const struct evt_rect *x = &((const struct bx_ext *)a)->x_rect;
	const struct evt_rect *y = &((const struct bx_ext *)b)->x_rect;

	if (x->rc_epc != y->rc_epc)
		return x->rc_epc < y->rc_epc ? -1 : 1;
	if (x->rc_minor_epc != y->rc_minor_epc)
		return x->rc_minor_epc < y->rc_minor_epc ? -1 : 1;
	if (x->rc_ex.ex_lo != y->rc_ex.ex_lo)
		return x->rc_ex.ex_lo < y->rc_ex.ex_lo ? -1 : 1;
	return 0;
}

static void
bx_window(struct vos_agg_bq *bq, struct evt_filter *flt, daos_epoch_t bound)
{
	memset(flt, 0, sizeof(*flt));
	flt->fr_ex.ex_hi = UINT64_MAX;
	flt->fr_epr.epr_lo = bq->bq_lo;
	flt->fr_epr.epr_hi = bq->bq_hi;
	flt->fr_punch_epc = bound;
}

/* The window's extents, sorted by (epoch, offset), checksums copied. */
static int
bx_list_exts(struct vos_agg_bq *bq, struct bx_loc *l, struct bx_ext **extp, uint32_t *nrp)
{
	struct bx_ext *x = NULL;
	struct evt_filter flt;
	uint32_t nr = 0, max = 0;
	daos_handle_t ih;
	int rc;

	bx_window(bq, &flt, 0);
	rc = evt_iter_prepare(l->l_toh, EVT_ITER_FOR_PURGE, &flt, &ih);
	if (rc != 0)
		return rc;
	for (rc = evt_iter_probe(ih, EVT_ITER_FIRST, NULL, NULL); rc == 0; rc = evt_iter_next(ih)) {
		struct evt_entry ent;
		struct bx_ext *e;

		rc = evt_iter_fetch(ih, NULL, &ent, NULL);
		if (rc != 0)
			break;
		if (nr == max) {
			struct bx_ext *p;

			max = max ? max * 2 : 32;
			D_REALLOC_ARRAY(p, x, nr, max);
			if (p == NULL) {
				rc = -DER_NOMEM;
				break;
			}
			x = p;
		}
		e = &x[nr];
		memset(e, 0, sizeof(*e));
		e->x_rect.rc_ex = ent.en_ext;
		e->x_rect.rc_epc = ent.en_epoch;
		e->x_rect.rc_minor_epc = ent.en_minor_epc;
		e->x_addr = ent.en_addr;
		e->x_ver = ent.en_ver;
		if (ent.en_csum.cs_nr > 0 && ent.en_csum.cs_csum != NULL &&
		    ent.en_csum.cs_chunksize > 0) {
			size_t len = (size_t)ent.en_csum.cs_nr * ent.en_csum.cs_len;

			D_ALLOC(e->x_csum, len);
			if (e->x_csum == NULL) {
				rc = -DER_NOMEM;
				break;
			}
			memcpy(e->x_csum, ent.en_csum.cs_csum, len);
			e->x_cs_type = ent.en_csum.cs_type;
			e->x_cs_len = ent.en_csum.cs_len;
			e->x_cs_nr = ent.en_csum.cs_nr;
			e->x_chunk = ent.en_csum.cs_chunksize;
		}
		nr++;
	}
	evt_iter_finish(ih);
	if (rc == -DER_NONEXIST)
		rc = 0;
	if (rc != 0) {
		bx_exts_free(x, nr);
		return rc;
	}
	if (nr > 1)
		qsort(x, nr, sizeof(*x), bx_ext_cmp);
	*extp = x;
	*nrp = nr;
	return 0;
}

static bool
bx_overlap(const struct evt_extent *a, uint64_t lo, uint64_t hi)
{
	return a->ex_lo <= hi && a->ex_hi >= lo;
}

/* Pieces visible at hi, joined into runs; choose what to rewrite. 1: nothing worth doing. */
static int
bx_plan_make(struct vos_agg_bq *bq, struct bx_loc *l, struct bx_plan *bp)
{
	struct vos_pool *pool = bq->bq_cont->vc_pool;
	struct evt_entry_array ea;
	struct evt_filter flt;
	struct evt_entry *e;
	uint64_t budget = VOS_AGG_AKEY_MAX, bytes_new = 0, bytes_del = 0;
	uint32_t i, j, nr_del = 0, nr_new = 0, nr_at_hi = 0;
	bool changed;
	int rc;

	bp->bp_inob = l->l_akrec->kr_evt.tr_inob;
	rc = bx_list_exts(bq, l, &bp->bp_ext, &bp->bp_ext_nr);
	if (rc != 0 || bp->bp_ext_nr == 0)
		return rc ?: 1;

	evt_ent_array_init(&ea, 0);
	bx_window(bq, &flt, l->l_bound);
	rc = evt_find(l->l_toh, &flt, &ea);
	if (rc != 0)
		goto out;
	if (ea.ea_ent_nr > 0) {
		D_ALLOC_ARRAY(bp->bp_pc, ea.ea_ent_nr);
		D_ALLOC_ARRAY(bp->bp_run, ea.ea_ent_nr);
		if (bp->bp_pc == NULL || bp->bp_run == NULL)
			D_GOTO(out, rc = -DER_NOMEM);
	}
	evt_ent_array_for_each(e, &ea)
	{
		struct bx_piece *p = &bp->bp_pc[bp->bp_pc_nr];
		struct bx_ext key, *x;
		struct bx_run *r;

		key.x_rect.rc_ex = e->en_ext;
		key.x_rect.rc_epc = e->en_epoch;
		key.x_rect.rc_minor_epc = e->en_minor_epc;
		x = bsearch(&key, bp->bp_ext, bp->bp_ext_nr, sizeof(key), bx_ext_cmp);
		if (x == NULL) {
			D_ERROR("visible piece of an unknown extent\n");
			D_GOTO(out, rc = -DER_MISC);
		}
		p->p_lo = e->en_sel_ext.ex_lo;
		p->p_hi = e->en_sel_ext.ex_hi;
		p->p_addr = e->en_addr;
		p->p_ext = x - bp->bp_ext;
		p->p_hole = bio_addr_is_hole(&e->en_addr);
		r = bp->bp_run_nr > 0 ? &bp->bp_run[bp->bp_run_nr - 1] : NULL;
		if (r == NULL || r->r_hi + 1 != p->p_lo || r->r_hole != p->p_hole) {
			r = &bp->bp_run[bp->bp_run_nr++];
			memset(r, 0, sizeof(*r));
			r->r_lo = p->p_lo;
			r->r_first = bp->bp_pc_nr;
			r->r_hole = p->p_hole;
			r->r_blob_off = UINT64_MAX;
		}
		r->r_hi = p->p_hi;
		r->r_nr++;
		p->p_run = r - bp->bp_run;
		bp->bp_pc_nr++;
	}

	/* runs worth rewriting, within the bounds */
	for (i = 0; i < bp->bp_run_nr; i++) {
		struct bx_run *r = &bp->bp_run[i];
		struct bx_piece *p = &bp->bp_pc[r->r_first];
		uint64_t bytes = (r->r_hi - r->r_lo + 1) * bp->bp_inob;

		/* one whole extent alone: rewriting it gains nothing */
		if (r->r_nr == 1 && p->p_lo == bp->bp_ext[p->p_ext].x_rect.rc_ex.ex_lo &&
		    p->p_hi == bp->bp_ext[p->p_ext].x_rect.rc_ex.ex_hi)
			continue;
		if (!r->r_hole) {
			if (bytes > VOS_AGG_RUN_MAX || bytes > budget)
				continue;
			budget -= bytes;
		}
		r->r_merge = true;
	}
	/*
	 * An extent goes when every visible piece of it is rewritten. A run cannot be inserted
	 * at hi over a kept extent of epoch hi (same epoch, overlapping): drop such runs and
	 * look again, until nothing changes. (An extent at hi is whole and visible, so it lies
	 * in one run and goes with it; this guards the insert should that ever change.) The
	 * extents at hi sort last (epoch order).
	 */
	for (i = bp->bp_ext_nr; i > 0 && bp->bp_ext[i - 1].x_rect.rc_epc == bq->bq_hi; i--)
		nr_at_hi++;
	do {
		changed = false;
		for (i = 0; i < bp->bp_ext_nr; i++)
			bp->bp_ext[i].x_del = true;
		for (i = 0; i < bp->bp_pc_nr; i++)
			if (!bp->bp_run[bp->bp_pc[i].p_run].r_merge)
				bp->bp_ext[bp->bp_pc[i].p_ext].x_del = false;
		for (i = 0; i < bp->bp_run_nr; i++) {
			struct bx_run *r = &bp->bp_run[i];

			if (!r->r_merge)
				continue;
			for (j = bp->bp_ext_nr - nr_at_hi; j < bp->bp_ext_nr; j++) {
				struct bx_ext *x = &bp->bp_ext[j];

				if (!x->x_del && bx_overlap(&x->x_rect.rc_ex, r->r_lo, r->r_hi)) {
					r->r_merge = false;
					changed = true;
					break;
				}
			}
		}
	} while (changed);
	/* a run none of whose extents goes away only costs space */
	for (i = 0; i < bp->bp_run_nr; i++) {
		struct bx_run *r = &bp->bp_run[i];
		bool gain = false;

		for (j = r->r_first; j < r->r_first + r->r_nr && r->r_merge; j++)
			gain = gain || bp->bp_ext[bp->bp_pc[j].p_ext].x_del;
		r->r_merge = r->r_merge && gain;
		if (r->r_merge) {
			nr_new++;
			if (!r->r_hole)
				bytes_new += (r->r_hi - r->r_lo + 1) * bp->bp_inob;
		}
	}
	for (i = 0; i < bp->bp_ext_nr; i++) {
		struct bx_ext *x = &bp->bp_ext[i];

		if (!x->x_del)
			continue;
		nr_del++;
		if (!bio_addr_is_hole(&x->x_addr))
			bytes_del += evt_rect_width(&x->x_rect) * bp->bp_inob;
		/* the checksum setting of the merged data: that of its sources */
		if (x->x_cs_nr > 0 && bp->bp_cs_type == 0) {
			bp->bp_cs_type = x->x_cs_type;
			bp->bp_chunk = x->x_chunk;
		}
	}
	if (nr_del == 0 || (nr_new >= nr_del && bytes_new >= bytes_del)) {
		rc = 1;
		goto out;
	}
	if (bp->bp_cs_type == 0 && bq->bq_cont->vc_df->cd_csum_type != 0) {
		bp->bp_cs_type = bq->bq_cont->vc_df->cd_csum_type;
		bp->bp_chunk = bq->bq_cont->vc_df->cd_csum_chunk;
	}
	if (bp->bp_cs_type != 0 && vos_csum_len(bp->bp_cs_type) <= 0)
		bp->bp_cs_type = 0;
	if (bp->bp_chunk == 0)
		bp->bp_chunk = VOS_CSUM_CHUNK_DEFAULT;
	if (bp->bp_chunk < bp->bp_inob)
		bp->bp_chunk = bp->bp_inob;

	/* blob blocks for the large runs (DRAM only until published) */
	for (i = 0; i < bp->bp_run_nr && rc == 0; i++) {
		struct bx_run *r = &bp->bp_run[i];
		uint64_t bytes = (r->r_hi - r->r_lo + 1) * bp->bp_inob;
		struct vea_resrvd_ext *rx;

		if (!r->r_merge || r->r_hole)
			continue;
		D_ALLOC_NZ(r->r_buf, bytes);
		if (r->r_buf == NULL)
			D_GOTO(out, rc = -DER_NOMEM);
		if (pool->vp_vsi == NULL || bytes < pool->vp_inline_thresh)
			continue;
		rc = vea_reserve(pool->vp_vsi, (uint32_t)((bytes + VOS_BLK_SZ - 1) / VOS_BLK_SZ),
				 pool->vp_hint, &bp->bp_rsrvd);
		if (rc != 0)
			break;
		rx = d_list_entry(bp->bp_rsrvd.prev, struct vea_resrvd_ext, vre_link);
		r->r_blob_off = rx->vre_blk_off * VOS_BLK_SZ;
	}
out:
	evt_ent_array_fini(&ea);
	return rc;
}

/* ---------------- reads and writes (yield) ---------------- */

/* A read of a piece whose bytes land elsewhere first: checksummed chunks around it. */
struct bx_tmp {
	char *t_buf;
	uint32_t t_piece;
	/* byte range [t_s, t_e) of the array */
	uint64_t t_s;
	uint64_t t_e;
};

static int
bx_verify(struct bx_ext *x, uint32_t inob, const char *buf, uint64_t s, uint64_t t)
{
	uint64_t ext_lo = x->x_rect.rc_ex.ex_lo * inob, c, first = ext_lo / x->x_chunk;
	uint8_t got[16];
	int rc;

	for (c = s / x->x_chunk; c <= (t - 1) / x->x_chunk; c++) {
		uint64_t cs = max(s, c * x->x_chunk), ce = min(t, (c + 1) * x->x_chunk);

		if (c - first >= x->x_cs_nr)
			return -DER_CSUM;
		rc = vos_csum_compute(x->x_cs_type, buf + (cs - s), ce - cs, got);
		if (rc != 0)
			return rc;
		if (memcmp(got, x->x_csum + (c - first) * x->x_cs_len, x->x_cs_len) != 0)
			return -DER_CSUM;
	}
	return 0;
}

static int
bx_read(struct vos_pool *pool, struct bx_plan *bp)
{
	struct umem_instance *umm = &pool->vp_umm;
	uint32_t inob = bp->bp_inob, i, nio = 0, ntmp = 0;
	struct vos_bio_io *ios = NULL;
	struct bx_tmp *tmp = NULL;
	int rc = 0;

	/* at most one blob read and one checksum span per piece */
	D_ALLOC_ARRAY(ios, bp->bp_pc_nr);
	D_ALLOC_ARRAY(tmp, bp->bp_pc_nr);
	if (ios == NULL || tmp == NULL)
		D_GOTO(out, rc = -DER_NOMEM);
	for (i = 0; i < bp->bp_pc_nr; i++) {
		struct bx_piece *p = &bp->bp_pc[i];
		struct bx_run *r = &bp->bp_run[p->p_run];
		struct bx_ext *x = &bp->bp_ext[p->p_ext];
		uint64_t len = (p->p_hi - p->p_lo + 1) * inob;
		char *dst;
		uint64_t src;

		if (!r->r_merge || r->r_hole)
			continue;
		dst = r->r_buf + (p->p_lo - r->r_lo) * inob;
		src = p->p_addr.ba_off;
		if (x->x_cs_nr > 0) {
			uint64_t ext_lo = x->x_rect.rc_ex.ex_lo * inob;
			uint64_t ext_e = (x->x_rect.rc_ex.ex_hi + 1) * inob;
			struct bx_tmp *t = &tmp[ntmp];

			/* whole chunks (within the extent), so their checksums can be checked */
			t->t_s = max(ext_lo, p->p_lo * inob / x->x_chunk * x->x_chunk);
			t->t_e = min(ext_e, ((p->p_hi + 1) * inob + x->x_chunk - 1) / x->x_chunk *
						    x->x_chunk);
			t->t_piece = i;
			D_ALLOC_NZ(t->t_buf, t->t_e - t->t_s);
			if (t->t_buf == NULL)
				D_GOTO(out, rc = -DER_NOMEM);
			ntmp++;
			src = src - (p->p_lo * inob - t->t_s);
			dst = t->t_buf;
			len = t->t_e - t->t_s;
		}
		if (p->p_addr.ba_type == DAOS_MEDIA_SCM) {
			memcpy(dst, umem_off2ptr(umm, src), len);
			continue;
		}
		if (pool->vp_blob == NULL)
			D_GOTO(out, rc = -DER_IO);
		d_iov_set(&ios[nio].bi_iov, dst, len);
		ios[nio].bi_sgl.sg_nr = 1;
		ios[nio].bi_sgl.sg_iovs = &ios[nio].bi_iov;
		ios[nio].bi_req.br_off = src;
		nio++;
	}
	if (nio > 0)
		rc = vos_bio_run(pool, ios, nio, BIO_OP_READ);
	for (i = 0; i < ntmp && rc == 0; i++) {
		struct bx_tmp *t = &tmp[i];
		struct bx_piece *p = &bp->bp_pc[t->t_piece];
		struct bx_run *r = &bp->bp_run[p->p_run];

		rc = bx_verify(&bp->bp_ext[p->p_ext], inob, t->t_buf, t->t_s, t->t_e);
		if (rc == 0)
			memcpy(r->r_buf + (p->p_lo - r->r_lo) * inob,
			       t->t_buf + (p->p_lo * inob - t->t_s),
			       (p->p_hi - p->p_lo + 1) * inob);
	}
out:
	for (i = 0; i < ntmp; i++)
		D_FREE(tmp[i].t_buf);
	D_FREE(tmp);
	D_FREE(ios);
	return rc;
}

/* Write the blob runs to their reserved blocks; durable as an update's values are. */
static int
bx_write(struct vos_pool *pool, struct bx_plan *bp)
{
	struct vos_bio_io *ios;
	uint32_t i, nio = 0;
	bool direct = false;
	int rc;

	D_ALLOC_ARRAY(ios, bp->bp_run_nr);
	if (ios == NULL)
		return -DER_NOMEM;
	for (i = 0; i < bp->bp_run_nr; i++) {
		struct bx_run *r = &bp->bp_run[i];
		uint64_t bytes = (r->r_hi - r->r_lo + 1) * bp->bp_inob;

		if (!r->r_merge || r->r_blob_off == UINT64_MAX)
			continue;
		r->r_logged = bytes <= pool->vp_wal_data_max;
		if (!r->r_logged)
			direct = true;
		d_iov_set(&ios[nio].bi_iov, r->r_buf, bytes);
		ios[nio].bi_sgl.sg_nr = 1;
		ios[nio].bi_sgl.sg_iovs = &ios[nio].bi_iov;
		ios[nio].bi_req.br_off = r->r_blob_off;
		nio++;
	}
	rc = nio > 0 ? vos_bio_run(pool, ios, nio, BIO_OP_WRITE) : 0;
	if (rc == 0 && direct && pool->vp_blob_flush) {
		rc = bio_blob_flush(pool->vp_blob);
		bp->bp_synced = rc == 0;
	}
	D_FREE(ios);
	return rc;
}

/* ---------------- the transaction ---------------- */

/* Checksums of a new run, chunks aligned on the array's byte offsets as an update's are. */
static int
bx_csum(struct bx_plan *bp, struct bx_run *r, struct dcs_csum_info *ci)
{
	uint64_t lo = r->r_lo * bp->bp_inob, hi = (r->r_hi + 1) * bp->bp_inob, c, first, last;
	uint32_t chunk = bp->bp_chunk;
	int len, rc;

	rc = vos_csum_info_alloc(ci, bp->bp_cs_type, chunk, lo, hi);
	if (rc != 0)
		return rc;
	len = ci->cs_len;
	first = lo / chunk;
	last = (hi - 1) / chunk;
	for (c = first; c <= last && rc == 0; c++) {
		uint64_t s = max(lo, c * chunk), e = min(hi, (c + 1) * chunk);

		rc = vos_csum_compute(bp->bp_cs_type, r->r_buf + (s - lo), e - s,
				      ci->cs_csum + (c - first) * len);
	}
	return rc;
}

/* Inside the transaction: has anything the plan relied on changed? */
static int
bx_same(struct vos_agg_bq *bq, struct bx_loc *l, struct bx_loc *now, struct bx_plan *bp)
{
	struct bx_ext *x = NULL;
	uint32_t nr = 0, i;
	int rc;

	if (memcmp(l->l_sig, now->l_sig, sizeof(l->l_sig)) != 0 || l->l_bound != now->l_bound ||
	    now->l_akrec->kr_evt.tr_inob != bp->bp_inob)
		return 0;
	rc = bx_list_exts(bq, now, &x, &nr);
	if (rc != 0)
		return rc;
	rc = nr == bp->bp_ext_nr;
	for (i = 0; i < nr && rc == 1; i++) {
		struct bx_ext *a = &x[i], *b = &bp->bp_ext[i];

		rc = bx_ext_cmp(a, b) == 0 && a->x_rect.rc_ex.ex_hi == b->x_rect.rc_ex.ex_hi &&
		     a->x_addr.ba_off == b->x_addr.ba_off &&
		     a->x_addr.ba_type == b->x_addr.ba_type &&
		     bio_addr_is_hole(&a->x_addr) == bio_addr_is_hole(&b->x_addr);
	}
	bx_exts_free(x, nr);
	return rc;
}

static int
bx_tx(struct vos_agg_bq *bq, struct vos_agg_bkey *k, struct bx_loc *l, struct bx_plan *bp)
{
	struct vos_pool *pool = bq->bq_cont->vc_pool;
	struct umem_instance *umm = &pool->vp_umm;
	struct bx_loc now;
	uint64_t freed = 0, added = 0;
	uint32_t i;
	int rc;

	rc = bx_locate(bq, k, &now);
	if (rc != 0)
		return rc; /* 1: gone meanwhile */
	rc = bx_same(bq, l, &now, bp);
	if (rc <= 0) {
		bx_unlocate(&now);
		return rc ?: 1;
	}
	rc = 0;
	for (i = 0; i < bp->bp_ext_nr && rc >= 0; i++) {
		struct bx_ext *x = &bp->bp_ext[i];
		struct evt_entry ent;
		uint64_t bytes = evt_rect_width(&x->x_rect) * bp->bp_inob;

		if (!x->x_del)
			continue;
		rc = evt_delete(now.l_toh, &x->x_rect, &ent);
		if (rc == 0 && !bio_addr_is_hole(&x->x_addr)) {
			rc = vos_addr_free(pool, &x->x_addr, bytes);
			freed += bytes;
		}
	}
	for (i = 0; i < bp->bp_run_nr && rc >= 0; i++) {
		struct bx_run *r = &bp->bp_run[i];
		uint64_t bytes = (r->r_hi - r->r_lo + 1) * bp->bp_inob;
		struct evt_entry_in in;

		if (!r->r_merge)
			continue;
		memset(&in, 0, sizeof(in));
		in.ei_rect.rc_ex.ex_lo = r->r_lo;
		in.ei_rect.rc_ex.ex_hi = r->r_hi;
		in.ei_rect.rc_epc = bq->bq_hi;
		in.ei_ver = bp->bp_ext[bp->bp_pc[r->r_first].p_ext].x_ver;
		if (r->r_hole) {
			bio_addr_set_hole(&in.ei_addr, 1);
		} else if (r->r_blob_off == UINT64_MAX) {
			umem_off_t off = umem_alloc(umm, bytes);

			if (UMOFF_IS_NULL(off)) {
				rc = -DER_NOSPACE;
				break;
			}
			memcpy(umem_off2ptr(umm, off), r->r_buf, bytes);
			bio_addr_set(&in.ei_addr, DAOS_MEDIA_SCM, off);
		} else {
			bio_addr_set(&in.ei_addr, DAOS_MEDIA_NVME, r->r_blob_off);
			if (r->r_logged)
				rc = umem_tx_add_ext(umm, r->r_blob_off, r->r_buf, (uint32_t)bytes);
		}
		if (!r->r_hole) {
			in.ei_inob = bp->bp_inob;
			added += bytes;
			if (rc == 0 && bp->bp_cs_type != 0)
				rc = bx_csum(bp, r, &in.ei_csum);
		}
		if (rc == 0)
			rc = evt_insert(now.l_toh, &in, NULL);
		D_FREE(in.ei_csum.cs_csum);
	}
	if (rc == 0 && bp->bp_synced)
		rc = umem_tx_ext_synced(umm);
	if (rc == 0 && !d_list_empty(&bp->bp_rsrvd))
		rc = vea_tx_publish(pool->vp_vsi, pool->vp_hint, &bp->bp_rsrvd);
	if (rc == 0 && freed != added) {
		uint64_t *used = &bq->bq_cont->vc_df->cd_used;

		rc = umem_tx_add_ptr(umm, used, sizeof(*used));
		if (rc == 0)
			*used = *used + added > freed ? *used + added - freed : 0;
	}
	if (rc == 0)
		bq->bq_bytes += added;
	bx_unlocate(&now);
	return rc;
}

/* Merge one akey; 1: skipped (changed meanwhile, bad checksum, no space), 2: nothing to do. */
static int
bx_akey(struct vos_agg_bq *bq, struct vos_agg_bkey *k)
{
	struct vos_pool *pool = bq->bq_cont->vc_pool;
	struct umem_instance *umm = &pool->vp_umm;
	struct bx_plan bp = {0};
	struct bx_loc l;
	int rc;

	D_INIT_LIST_HEAD(&bp.bp_rsrvd);
	rc = bx_locate(bq, k, &l);
	if (rc != 0)
		return rc < 0 ? rc : 2;
	rc = bx_plan_make(bq, &l, &bp);
	/* keep what the transaction compares, close the trees: the I/O below yields */
	bx_close(&l);
	if (rc == 1)
		rc = 2;
	if (rc != 0)
		goto out;
	rc = bx_read(pool, &bp);
	if (rc == -DER_CSUM) {
		D_ERROR("aggregation: checksum mismatch in " DF_UOID ", akey left as it is\n",
			DP_UOID(k->bk_oid));
		D_GOTO(out, rc = 1);
	}
	if (rc == 0)
		rc = bx_write(pool, &bp);
	if (rc != 0)
		goto out;
	if (agg_blob_hook != NULL)
		agg_blob_hook(agg_blob_hook_arg);

	rc = umem_tx_begin(umm, NULL);
	if (rc != 0)
		goto out;
	rc = bx_tx(bq, k, &l, &bp);
	if (rc != 0) {
		/* rc 1 (changed meanwhile) aborts too: nothing was done in the transaction */
		int arc = umem_tx_abort(umm, rc < 0 ? rc : -DER_CANCELED);

		if (rc < 0)
			rc = arc;
		goto out;
	}
	rc = umem_tx_commit(umm);
out:
	/* published reservations left the list; the rest go back */
	bx_plan_fini(pool, &bp);
	if (rc == -DER_NOSPACE) {
		/* aggregation is what frees space: go on with the other akeys */
		D_WARN("aggregation: no space to merge " DF_UOID ", akey left as it is\n",
		       DP_UOID(k->bk_oid));
		rc = 1;
	}
	return rc;
}

int
vos_agg_bq_run(struct vos_agg_bq *bq)
{
	uint32_t i;
	int rc = 0;

	for (i = 0; i < bq->bq_nr && rc >= 0; i++) {
		rc = bx_akey(bq, &bq->bq_keys[i]);
		if (rc == 0)
			bq->bq_merged++;
		else if (rc == 1)
			bq->bq_skipped++;
	}
	bq_clear(bq);
	return rc < 0 ? rc : 0;
}
