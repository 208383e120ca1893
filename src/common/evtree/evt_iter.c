/**
 * evtree iterator. A probe takes a snapshot of the selected pieces (sorted by offset, newest
 * first at equal offsets); next/fetch walk it, so tree changes made while iterating do not
 * disturb the order. Anchors record the sort key of the last fetched piece and a probe with
 * an anchor takes a new snapshot and continues after that key.
 */
#define D_LOGFAC DD_FAC(vos)

#include <stdlib.h>
#include <daos_srv/evtree.h>
#include "evt_internal.h"

struct evt_iter_ent {
	uint64_t ie_lo;
	uint64_t ie_hi;
	uint64_t ie_epc;
	uint32_t ie_cand;
	uint16_t ie_minor;
	uint16_t ie_vis;
};

struct evt_iter {
	uint64_t it_cookie;
	uint64_t it_tree;
	unsigned int it_options;
	struct evt_filter it_filter;
	struct evt_vec it_cands;
	struct evt_vec it_ents;
	uint8_t *it_deleted;
	int64_t it_cur;
	bool it_probed;
};

#define EVT_ANCHOR_MAGIC 0x45564131U

struct evt_anchor {
	uint32_t ea_magic;
	uint16_t ea_minor;
	uint16_t ea_pad;
	uint64_t ea_lo;
	uint64_t ea_epc;
};

static struct evt_iter *
evt_hdl2iter(daos_handle_t ih)
{
	return evt_hdl_lookup(ih.cookie, EVT_HTYPE_ITER);
}

/** Sort key: offset ascending, then newest first. */
static int
evt_key_cmp(uint64_t lo1, uint64_t e1, uint16_t m1, uint64_t lo2, uint64_t e2, uint16_t m2)
{
	if (lo1 != lo2)
		return lo1 < lo2 ? -1 : 1;
	return -evt_epc_cmp(e1, m1, e2, m2);
}

static int
evt_iter_ent_cmp(const void *a, const void *b)
{
	const struct evt_iter_ent *x = a;
	const struct evt_iter_ent *y = b;

	return evt_key_cmp(x->ie_lo, x->ie_epc, x->ie_minor, y->ie_lo, y->ie_epc, y->ie_minor);
}

int
evt_iter_prepare(daos_handle_t toh, unsigned int options, const struct evt_filter *filter,
		 daos_handle_t *ih)
{
	struct evt_context *tcx = evt_hdl2tcx(toh);
	struct evt_iter *iter;
	int rc;

	if (tcx == NULL)
		return -DER_NO_HDL;
	if (ih == NULL)
		return -DER_INVAL;
	D_ALLOC_PTR(iter);
	if (iter == NULL)
		return -DER_NOMEM;
	iter->it_tree = toh.cookie;
	iter->it_options = options;
	if (filter != NULL) {
		iter->it_filter = *filter;
	} else {
		iter->it_filter.fr_ex.ex_hi = UINT64_MAX;
		iter->it_filter.fr_epr.epr_hi = DAOS_EPOCH_MAX;
	}
	evt_vec_init(&iter->it_cands, sizeof(struct evt_cand), NULL, 0);
	evt_vec_init(&iter->it_ents, sizeof(struct evt_iter_ent), NULL, 0);
	iter->it_cur = -1;
	rc = evt_hdl_register(iter, EVT_HTYPE_ITER, &iter->it_cookie);
	if (rc != 0) {
		D_FREE(iter);
		return rc;
	}
	ih->cookie = iter->it_cookie;
	return 0;
}

int
evt_iter_finish(daos_handle_t ih)
{
	struct evt_iter *iter = evt_hdl2iter(ih);

	if (iter == NULL)
		return -DER_NO_HDL;
	evt_hdl_unregister(iter->it_cookie);
	evt_vec_fini(&iter->it_cands);
	evt_vec_fini(&iter->it_ents);
	D_FREE(iter->it_deleted);
	D_FREE(iter);
	return 0;
}

static int
evt_iter_add(struct evt_iter *iter, uint32_t cand, uint64_t lo, uint64_t hi, uint16_t vis)
{
	struct evt_cand *c = evt_vec_at(&iter->it_cands, struct evt_cand, cand);
	struct evt_iter_ent *ie;

	if ((iter->it_options & EVT_ITER_SKIP_HOLES) && c->c_hole)
		return 0;
	ie = evt_vec_add(&iter->it_ents);
	if (ie == NULL)
		return -DER_NOMEM;
	ie->ie_lo = lo;
	ie->ie_hi = hi;
	ie->ie_epc = c->c_epc;
	ie->ie_minor = c->c_minor;
	ie->ie_cand = cand;
	ie->ie_vis = vis;
	return 0;
}

/** Pieces of candidate \a j not in the visible set (\a frags sorted by offset). */
static int
evt_iter_covered(struct evt_iter *iter, struct evt_vec *frags, uint32_t j)
{
	struct evt_cand *c = evt_vec_at(&iter->it_cands, struct evt_cand, j);
	uint32_t lo = 0;
	uint32_t hi = frags->v_nr;
	bool pending = false;
	uint64_t plo = 0;
	uint64_t phi = 0;
	int rc;

	while (lo < hi) {
		uint32_t mid = (lo + hi) / 2;

		if (evt_vec_at(frags, struct evt_frag, mid)->f_hi < c->c_lo)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (; lo < frags->v_nr; lo++) {
		struct evt_frag *f = evt_vec_at(frags, struct evt_frag, lo);
		uint64_t s;
		uint64_t e;

		if (f->f_lo > c->c_hi)
			break;
		if (f->f_cand == j) {
			if (pending) {
				rc = evt_iter_add(iter, j, plo, phi, EVT_COVERED);
				if (rc != 0)
					return rc;
				pending = false;
			}
			continue;
		}
		s = f->f_lo > c->c_lo ? f->f_lo : c->c_lo;
		e = f->f_hi < c->c_hi ? f->f_hi : c->c_hi;
		if (pending && phi + 1 == s) {
			phi = e;
		} else {
			if (pending) {
				rc = evt_iter_add(iter, j, plo, phi, EVT_COVERED);
				if (rc != 0)
					return rc;
			}
			pending = true;
			plo = s;
			phi = e;
		}
	}
	return pending ? evt_iter_add(iter, j, plo, phi, EVT_COVERED) : 0;
}

static int
evt_iter_snapshot(struct evt_context *tcx, struct evt_iter *iter)
{
	struct evt_frag frag_buf[32];
	struct evt_vec frags;
	unsigned int opts = iter->it_options;
	uint32_t i;
	int rc;

	iter->it_probed = false;
	iter->it_ents.v_nr = 0;
	D_FREE(iter->it_deleted);
	evt_vec_init(&frags, sizeof(struct evt_frag), frag_buf, ARRAY_SIZE(frag_buf));

	rc = evt_collect(tcx, &iter->it_filter,
			 (opts & (EVT_ITER_FOR_PURGE | EVT_ITER_FOR_DISCARD)) == 0,
			 &iter->it_cands);
	if (rc != 0)
		goto out;
	if (opts & (EVT_ITER_VISIBLE | EVT_ITER_COVERED)) {
		rc = evt_visibility(&iter->it_cands, &frags);
		if (rc != 0)
			goto out;
		if (opts & EVT_ITER_VISIBLE) {
			for (i = 0; rc == 0 && i < frags.v_nr; i++) {
				struct evt_frag *f = evt_vec_at(&frags, struct evt_frag, i);

				rc = evt_iter_add(iter, f->f_cand, f->f_lo, f->f_hi, EVT_VISIBLE);
			}
		}
		if (opts & EVT_ITER_COVERED) {
			for (i = 0; rc == 0 && i < iter->it_cands.v_nr; i++)
				rc = evt_iter_covered(iter, &frags, i);
		}
	} else {
		for (i = 0; rc == 0 && i < iter->it_cands.v_nr; i++) {
			struct evt_cand *c = evt_vec_at(&iter->it_cands, struct evt_cand, i);

			rc = evt_iter_add(iter, i, c->c_lo, c->c_hi, 0);
		}
	}
	if (rc != 0)
		goto out;
	if (iter->it_ents.v_nr > 1)
		qsort(iter->it_ents.v_ptr, iter->it_ents.v_nr, sizeof(struct evt_iter_ent),
		      evt_iter_ent_cmp);
	if (iter->it_cands.v_nr > 0) {
		D_ALLOC_ARRAY(iter->it_deleted, iter->it_cands.v_nr);
		if (iter->it_deleted == NULL)
			rc = -DER_NOMEM;
	}
out:
	evt_vec_fini(&frags);
	if (rc == 0)
		iter->it_probed = true;
	return rc;
}

static inline bool
evt_iter_reverse(struct evt_iter *iter)
{
	return (iter->it_options & EVT_ITER_REVERSE) != 0;
}

static inline bool
evt_iter_valid(struct evt_iter *iter)
{
	return iter->it_cur >= 0 && iter->it_cur < (int64_t)iter->it_ents.v_nr;
}

/** Move from it_cur (inclusive when \a incl) in the iteration direction to a live piece. */
static int
evt_iter_settle(struct evt_iter *iter, bool incl)
{
	int64_t step = evt_iter_reverse(iter) ? -1 : 1;

	if (!incl)
		iter->it_cur += step;
	while (evt_iter_valid(iter)) {
		struct evt_iter_ent *ie =
			evt_vec_at(&iter->it_ents, struct evt_iter_ent, iter->it_cur);

		if (!iter->it_deleted[ie->ie_cand])
			return 0;
		iter->it_cur += step;
	}
	return -DER_NONEXIST;
}

/**
 * Position at the first piece after (key, strictly when \a strict) in the iteration
 * direction.
 */
static int
evt_iter_seek(struct evt_iter *iter, uint64_t lo, uint64_t epc, uint16_t minor, bool strict)
{
	uint32_t l = 0;
	uint32_t h = iter->it_ents.v_nr;

	/* l = number of pieces ordered before the key (or at it, when strict forward) */
	while (l < h) {
		uint32_t mid = (l + h) / 2;
		struct evt_iter_ent *ie = evt_vec_at(&iter->it_ents, struct evt_iter_ent, mid);
		int cmp = evt_key_cmp(ie->ie_lo, ie->ie_epc, ie->ie_minor, lo, epc, minor);
		bool before;

		if (evt_iter_reverse(iter))
			before = strict ? cmp < 0 : cmp <= 0;
		else
			before = strict ? cmp <= 0 : cmp < 0;
		if (before)
			l = mid + 1;
		else
			h = mid;
	}
	iter->it_cur = evt_iter_reverse(iter) ? (int64_t)l - 1 : (int64_t)l;
	return evt_iter_settle(iter, true);
}

int
evt_iter_probe(daos_handle_t ih, enum evt_iter_opc opc, const struct evt_rect *rect,
	       const daos_anchor_t *anchor)
{
	struct evt_iter *iter = evt_hdl2iter(ih);
	struct evt_context *tcx;
	int rc;

	if (iter == NULL)
		return -DER_NO_HDL;
	tcx = evt_hdl2tcx((daos_handle_t){iter->it_tree});
	if (tcx == NULL)
		return -DER_NO_HDL;
	if (opc != EVT_ITER_FIRST && opc != EVT_ITER_FIND)
		return -DER_INVAL;
	if (opc == EVT_ITER_FIND && rect == NULL && anchor == NULL)
		return -DER_INVAL;

	rc = evt_iter_snapshot(tcx, iter);
	if (rc != 0)
		return rc;

	if (opc == EVT_ITER_FIND && rect != NULL)
		return evt_iter_seek(iter, rect->rc_ex.ex_lo, rect->rc_epc, rect->rc_minor_epc,
				     false);
	if (opc == EVT_ITER_FIND && anchor->da_type != DAOS_ANCHOR_TYPE_ZERO) {
		struct evt_anchor ea;

		if (anchor->da_type == DAOS_ANCHOR_TYPE_EOF) {
			iter->it_cur = -1;
			return -DER_NONEXIST;
		}
		memcpy(&ea, anchor->da_buf, sizeof(ea));
		if (anchor->da_type != DAOS_ANCHOR_TYPE_HKEY || ea.ea_magic != EVT_ANCHOR_MAGIC) {
			D_ERROR("not an evtree anchor\n");
			return -DER_INVAL;
		}
		return evt_iter_seek(iter, ea.ea_lo, ea.ea_epc, ea.ea_minor, true);
	}
	iter->it_cur = evt_iter_reverse(iter) ? (int64_t)iter->it_ents.v_nr - 1 : 0;
	return evt_iter_settle(iter, true);
}

int
evt_iter_next(daos_handle_t ih)
{
	struct evt_iter *iter = evt_hdl2iter(ih);

	if (iter == NULL)
		return -DER_NO_HDL;
	if (!iter->it_probed)
		return -DER_NO_PERM;
	if (!evt_iter_valid(iter))
		return -DER_NONEXIST;
	return evt_iter_settle(iter, false);
}

int
evt_iter_empty(daos_handle_t ih)
{
	struct evt_iter *iter = evt_hdl2iter(ih);
	struct evt_context *tcx;

	if (iter == NULL)
		return -DER_NO_HDL;
	tcx = evt_hdl2tcx((daos_handle_t){iter->it_tree});
	if (tcx == NULL)
		return -DER_NO_HDL;
	if (!iter->it_probed)
		return tcx->tc_root->tr_depth == 0;
	return iter->it_ents.v_nr == 0;
}

int
evt_iter_fetch(daos_handle_t ih, unsigned int *inob, struct evt_entry *entry, daos_anchor_t *anchor)
{
	struct evt_iter *iter = evt_hdl2iter(ih);
	struct evt_context *tcx;
	struct evt_iter_ent *ie;
	struct evt_cand *c;

	if (iter == NULL)
		return -DER_NO_HDL;
	tcx = evt_hdl2tcx((daos_handle_t){iter->it_tree});
	if (tcx == NULL)
		return -DER_NO_HDL;
	if (!iter->it_probed)
		return -DER_NO_PERM;
	if (!evt_iter_valid(iter))
		return -DER_NONEXIST;
	ie = evt_vec_at(&iter->it_ents, struct evt_iter_ent, iter->it_cur);
	c = evt_vec_at(&iter->it_cands, struct evt_cand, ie->ie_cand);
	if (inob != NULL)
		*inob = tcx->tc_root->tr_inob;
	if (entry != NULL) {
		bool last = evt_iter_reverse(iter) ? iter->it_cur == 0
						   : iter->it_cur == iter->it_ents.v_nr - 1;

		evt_entry_fill(tcx, c, ie->ie_lo, ie->ie_hi, ie->ie_vis, entry);
		if (last && (iter->it_options & (EVT_ITER_VISIBLE | EVT_ITER_COVERED)))
			entry->en_visibility |= EVT_LAST;
	}
	if (anchor != NULL) {
		struct evt_anchor ea = {
			.ea_magic = EVT_ANCHOR_MAGIC,
			.ea_minor = ie->ie_minor,
			.ea_lo = ie->ie_lo,
			.ea_epc = ie->ie_epc,
		};

		memset(anchor, 0, sizeof(*anchor));
		anchor->da_type = DAOS_ANCHOR_TYPE_HKEY;
		memcpy(anchor->da_buf, &ea, sizeof(ea));
	}
	return 0;
}

int
evt_iter_delete(daos_handle_t ih, struct evt_entry *ent)
{
	struct evt_iter *iter = evt_hdl2iter(ih);
	struct evt_context *tcx;
	struct evt_iter_ent *ie;
	struct evt_cand *c;
	struct evt_rect rect;
	int rc;

	if (iter == NULL)
		return -DER_NO_HDL;
	tcx = evt_hdl2tcx((daos_handle_t){iter->it_tree});
	if (tcx == NULL)
		return -DER_NO_HDL;
	if (!iter->it_probed)
		return -DER_NO_PERM;
	if (!evt_iter_valid(iter))
		return -DER_NONEXIST;
	ie = evt_vec_at(&iter->it_ents, struct evt_iter_ent, iter->it_cur);
	c = evt_vec_at(&iter->it_cands, struct evt_cand, ie->ie_cand);
	rect.rc_ex.ex_lo = c->c_ext_lo;
	rect.rc_ex.ex_hi = c->c_ext_hi;
	rect.rc_epc = c->c_epc;
	rect.rc_minor_epc = c->c_minor;
	rc = evt_delete_internal(tcx, &rect, ent);
	if (rc != 0)
		return rc;
	iter->it_deleted[ie->ie_cand] = 1;
	/* the cursor moves on; reaching the end is not an error of the delete */
	evt_iter_settle(iter, false);
	return 0;
}
