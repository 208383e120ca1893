/**
 * Garbage collection: removed containers, objects and keys are pushed onto the pool's GC
 * bin (a persistent LIFO list in the heap) instead of being freed recursively. Each step
 * drains a bounded number of records from the subtree of the top item; the records drained
 * push their own subtrees above it, so the walk is depth first and the bin stays small.
 * An item is freed (with its record) once its subtree is gone.
 */
#define D_LOGFAC DD_FAC(vos)

#include "vos_internal.h"

int
vos_gc_push(struct vos_pool *pool, enum vos_gc_type type, umem_off_t rec)
{
	struct umem_instance *umm = &pool->vp_umm;
	struct vos_pool_df *df = pool->vp_df;
	struct vos_gc_item_df *item;
	umem_off_t off;
	int rc;

	off = umem_alloc(umm, sizeof(*item));
	if (UMOFF_IS_NULL(off))
		return -DER_NOSPACE;
	item = umem_off2ptr(umm, off);
	item->gi_next = df->pd_gc_head;
	item->gi_rec = rec;
	item->gi_type = type;
	item->gi_pad = 0;
	rc = umem_tx_add_ptr(umm, &df->pd_gc_head, 2 * sizeof(uint64_t));
	if (rc != 0)
		return rc;
	df->pd_gc_head = off;
	df->pd_gc_nr++;
	return 0;
}

/* Drain (part of) the subtree of one record; *done once it holds nothing. */
static int
gc_drain(struct vos_pool *pool, struct vos_gc_item_df *item, int *credits, bool *done)
{
	struct umem_instance *umm = &pool->vp_umm;
	struct btr_root *broot = NULL;
	struct evt_root *eroot = NULL;
	struct vos_krec_df *krec;
	daos_handle_t toh;
	int rc;

	*done = false;
	switch (item->gi_type) {
	case VOS_GC_CONT:
		broot = &((struct vos_cont_df *)umem_off2ptr(umm, item->gi_rec))->cd_obj_root;
		break;
	case VOS_GC_OBJ:
		broot = &((struct vos_obj_df *)umem_off2ptr(umm, item->gi_rec))->vo_tree;
		break;
	case VOS_GC_DKEY:
	case VOS_GC_AKEY:
		krec = umem_off2ptr(umm, item->gi_rec);
		if (krec->kr_bmap & KREC_BF_AK1) {
			/* the lone akey becomes an item of its own (on top: drained next) */
			rc = vos_gc_push(pool, VOS_GC_AKEY, krec->kr_ak1);
			if (rc == 0)
				rc = umem_tx_add_ptr(umm, krec, vos_krec_hdr_size(krec->kr_bmap));
			if (rc == 0) {
				krec->kr_bmap &= ~KREC_BF_AK1;
				memset(&krec->kr_btr, 0, sizeof(krec->kr_btr));
				(*credits)--;
			}
			return rc;
		}
		if (krec->kr_bmap & KREC_BF_SV1) {
			rc = vos_sv1_free(pool, krec);
			if (rc == 0) {
				(*credits)--;
				*done = true;
			}
			return rc;
		}
		if (krec->kr_bmap & KREC_BF_EVT)
			eroot = &krec->kr_evt;
		else if (krec->kr_bmap & KREC_BF_BTR)
			broot = &krec->kr_btr;
		break;
	default:
		D_ERROR("bad GC item type %u\n", item->gi_type);
		return -DER_DF_INVAL;
	}
	if (eroot != NULL && eroot->tr_order != 0) {
		rc = vos_evt_open(pool, eroot, &toh);
		if (rc != 0)
			return rc;
		rc = evt_drain(toh, credits, done);
		evt_close(toh);
		return rc;
	}
	if (broot != NULL && broot->tr_class != 0) {
		rc = vos_btr_open(pool, broot, &toh);
		if (rc != 0)
			return rc;
		rc = dbtree_drain(toh, credits, pool, done);
		dbtree_close(toh);
		return rc;
	}
	*done = true;
	return 0;
}

static void
gc_free_rec(struct vos_pool *pool, struct vos_gc_item_df *item)
{
	struct umem_instance *umm = &pool->vp_umm;
	void *rec = umem_off2ptr(umm, item->gi_rec);

	switch (item->gi_type) {
	case VOS_GC_CONT: {
		struct vos_cont_df *cd = rec;

		if (!UMOFF_IS_NULL(cd->cd_snaps))
			umem_free(umm, cd->cd_snaps);
		pool->vp_gc_stat.gs_conts++;
		break;
	}
	case VOS_GC_OBJ:
		vos_ilog_free(umm, &((struct vos_obj_df *)rec)->vo_ilog);
		pool->vp_gc_stat.gs_objs++;
		break;
	case VOS_GC_DKEY:
		vos_ilog_free(umm, &((struct vos_krec_df *)rec)->kr_ilog);
		pool->vp_gc_stat.gs_dkeys++;
		break;
	default:
		vos_ilog_free(umm, &((struct vos_krec_df *)rec)->kr_ilog);
		pool->vp_gc_stat.gs_akeys++;
		break;
	}
	umem_free(umm, item->gi_rec);
}

/* One transaction: drain the top item, free it when its subtree is empty. */
static int
gc_step(struct vos_pool *pool, int *credits)
{
	struct umem_instance *umm = &pool->vp_umm;
	struct vos_pool_df *df = pool->vp_df;
	struct vos_gc_item_df *item, *prev;
	umem_off_t off, cur;
	bool done;
	int rc;

	rc = umem_tx_begin(umm, NULL);
	if (rc != 0)
		return rc;
	off = df->pd_gc_head;
	item = umem_off2ptr(umm, off);
	rc = gc_drain(pool, item, credits, &done);
	if (rc != 0 || !done)
		goto out;

	/* children drained in this step were pushed above the item: unlink it where it is */
	prev = NULL;
	for (cur = df->pd_gc_head; cur != off;) {
		prev = umem_off2ptr(umm, cur);
		cur = prev->gi_next;
	}
	if (prev == NULL) {
		rc = umem_tx_add_ptr(umm, &df->pd_gc_head, sizeof(df->pd_gc_head));
		if (rc == 0)
			df->pd_gc_head = item->gi_next;
	} else {
		rc = umem_tx_add_ptr(umm, &prev->gi_next, sizeof(prev->gi_next));
		if (rc == 0)
			prev->gi_next = item->gi_next;
	}
	if (rc == 0)
		rc = umem_tx_add_ptr(umm, &df->pd_gc_nr, sizeof(df->pd_gc_nr));
	if (rc != 0)
		goto out;
	df->pd_gc_nr--;
	gc_free_rec(pool, item);
	umem_free(umm, off);
	(*credits)--;
out:
	return rc ? umem_tx_abort(umm, rc) : umem_tx_commit(umm);
}

int
vos_gc_pool_credits(struct vos_pool *pool, int *credits)
{
	int rc;

	while (*credits > 0 && pool->vp_df->pd_gc_nr > 0) {
		rc = gc_step(pool, credits);
		if (rc != 0) {
			D_ERROR("GC step failed: " DF_RC "\n", DP_RC(rc));
			return rc;
		}
	}
	return pool->vp_df->pd_gc_nr > 0 ? 1 : 0;
}

int
vos_gc_pool(daos_handle_t poh, int credits, int (*yield_func)(void *arg), void *yield_arg)
{
	struct vos_pool *pool = vos_hdl2pool(poh);
	int rc = 0;

	if (pool == NULL)
		return -DER_NO_HDL;
	if (credits <= 0)
		return -DER_INVAL;
	while (credits > 0) {
		int step = min(credits, 64);
		int left = step;

		rc = vos_gc_pool_credits(pool, &left);
		credits -= step - left;
		if (rc <= 0)
			break;
		if (step == left)
			break; /* no progress possible */
		if (yield_func != NULL && yield_func(yield_arg) != 0)
			break;
	}
	return rc;
}

bool
vos_gc_pool_idle(daos_handle_t poh)
{
	struct vos_pool *pool = vos_hdl2pool(poh);

	return pool == NULL || pool->vp_df->pd_gc_nr == 0;
}
