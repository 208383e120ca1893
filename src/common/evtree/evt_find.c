/**
 * evtree search: collect the records a filter selects (pruned by node MBRs), then one sweep
 * over them in offset order with a max-heap on (epoch, minor epoch) yields the visible pieces.
 */
#define D_LOGFAC DD_FAC(vos)

#include <stdlib.h>
#include <daos_srv/evtree.h>
#include "evt_internal.h"

struct evt_collect_arg {
	const struct evt_filter *ca_filter;
	struct evt_vec          *ca_cands;
	bool                     ca_avail;
};

static int
evt_collect_cb(struct evt_context *tcx, const struct evt_node_entry *ne, void *arg)
{
	struct evt_collect_arg  *ca = arg;
	const struct evt_filter *f  = ca->ca_filter;
	struct evt_desc         *desc;
	struct evt_cand         *c;
	uint16_t                 minor = evt_ne_minor(ne);
	int                      avail = 0;

	if (ne->ne_epc < f->fr_epr.epr_lo)
		return 0;
	if (f->fr_punch_epc != 0 &&
	    evt_epc_cmp(ne->ne_epc, minor, f->fr_punch_epc, f->fr_punch_minor_epc) <= 0)
		return 0;
	desc = evt_off2desc(tcx, evt_ne_child(ne));
	if (desc == NULL || desc->dc_magic != EVT_DESC_MAGIC) {
		D_ERROR("corrupt evtree descriptor\n");
		return -DER_DF_INVAL;
	}
	if (ca->ca_avail && tcx->tc_cbs.dc_log_status_cb != NULL) {
		avail = tcx->tc_cbs.dc_log_status_cb(&tcx->tc_umm, ne->ne_epc, desc, 0,
						     tcx->tc_cbs.dc_log_status_args);
		if (avail < 0)
			return avail;
		if (avail > 0)
			return 0;
	}
	c = evt_vec_add(ca->ca_cands);
	if (c == NULL)
		return -DER_NOMEM;
	c->c_ext_lo = ne->ne_lo;
	c->c_ext_hi = ne->ne_hi;
	c->c_lo     = ne->ne_lo > f->fr_ex.ex_lo ? ne->ne_lo : f->fr_ex.ex_lo;
	c->c_hi     = ne->ne_hi < f->fr_ex.ex_hi ? ne->ne_hi : f->fr_ex.ex_hi;
	c->c_epc    = ne->ne_epc;
	c->c_minor  = minor;
	c->c_desc   = evt_ne_child(ne);
	c->c_hole   = bio_addr_is_hole(&desc->dc_ex_addr);
	c->c_avail  = avail;
	return 0;
}

int
evt_collect(struct evt_context *tcx, const struct evt_filter *filter, bool check_avail,
	    struct evt_vec *cands)
{
	struct evt_collect_arg ca = {
	    .ca_filter = filter,
	    .ca_cands  = cands,
	    .ca_avail  = check_avail,
	};

	cands->v_nr = 0;
	if (filter->fr_ex.ex_lo > filter->fr_ex.ex_hi ||
	    filter->fr_epr.epr_lo > filter->fr_epr.epr_hi)
		return 0;
	return evt_walk(tcx, filter->fr_ex.ex_lo, filter->fr_ex.ex_hi, filter->fr_epr.epr_hi,
			evt_collect_cb, &ca);
}

static int
evt_cand_cmp_lo(const void *a, const void *b)
{
	const struct evt_cand *ca = a;
	const struct evt_cand *cb = b;

	if (ca->c_lo != cb->c_lo)
		return ca->c_lo < cb->c_lo ? -1 : 1;
	return -evt_epc_cmp(ca->c_epc, ca->c_minor, cb->c_epc, cb->c_minor);
}

/* max-heap of candidate indexes on (epoch, minor) */
static inline bool
evt_heap_above(const struct evt_cand *c, uint32_t a, uint32_t b)
{
	return evt_epc_cmp(c[a].c_epc, c[a].c_minor, c[b].c_epc, c[b].c_minor) > 0;
}

static void
evt_heap_push(uint32_t *heap, uint32_t *nr, const struct evt_cand *c, uint32_t idx)
{
	uint32_t i = (*nr)++;

	while (i > 0) {
		uint32_t parent = (i - 1) / 2;

		if (!evt_heap_above(c, idx, heap[parent]))
			break;
		heap[i] = heap[parent];
		i       = parent;
	}
	heap[i] = idx;
}

static void
evt_heap_pop(uint32_t *heap, uint32_t *nr, const struct evt_cand *c)
{
	uint32_t n = --(*nr);
	uint32_t last = heap[n];
	uint32_t i    = 0;

	if (n == 0)
		return;
	for (;;) {
		uint32_t l = 2 * i + 1;
		uint32_t r = l + 1;
		uint32_t m;

		if (l >= n)
			break;
		m = (r < n && evt_heap_above(c, heap[r], heap[l])) ? r : l;
		if (!evt_heap_above(c, heap[m], last))
			break;
		heap[i] = heap[m];
		i       = m;
	}
	heap[i] = last;
}

static int
evt_frag_emit(struct evt_vec *frags, uint32_t cand, uint64_t lo, uint64_t hi)
{
	struct evt_frag *f;

	if (frags->v_nr > 0) {
		f = evt_vec_at(frags, struct evt_frag, frags->v_nr - 1);
		if (f->f_cand == cand && f->f_hi + 1 == lo) {
			f->f_hi = hi;
			return 0;
		}
	}
	f = evt_vec_add(frags);
	if (f == NULL)
		return -DER_NOMEM;
	f->f_lo   = lo;
	f->f_hi   = hi;
	f->f_cand = cand;
	return 0;
}

int
evt_visibility(struct evt_vec *cands, struct evt_vec *frags)
{
	struct evt_cand *c = cands->v_ptr;
	uint32_t         k = cands->v_nr;
	uint32_t         heap_buf[64];
	uint32_t        *heap = heap_buf;
	uint32_t         hn   = 0;
	uint32_t         i    = 0;
	uint64_t         pos;
	int              rc = 0;

	frags->v_nr = 0;
	if (k == 0)
		return 0;
	/* leaves keep records in offset order, so the collected list is often sorted already */
	for (i = 1; i < k; i++)
		if (evt_cand_cmp_lo(&c[i - 1], &c[i]) > 0)
			break;
	if (i < k)
		qsort(c, k, sizeof(*c), evt_cand_cmp_lo);
	if (k > 64) {
		D_ALLOC_ARRAY_NZ(heap, k);
		if (heap == NULL)
			return -DER_NOMEM;
	}

	i   = 0;
	pos = c[0].c_lo;
	for (;;) {
		uint64_t end;
		uint32_t top;

		if (hn == 0) {
			if (i == k)
				break;
			if (c[i].c_lo > pos)
				pos = c[i].c_lo;
		}
		while (i < k && c[i].c_lo <= pos)
			evt_heap_push(heap, &hn, c, i++);
		while (hn > 0 && c[heap[0]].c_hi < pos)
			evt_heap_pop(heap, &hn, c);
		if (hn == 0)
			continue;
		top = heap[0];
		end = c[top].c_hi;
		/* a record starting later may be newer: stop there and look again */
		if (i < k && c[i].c_lo - 1 < end)
			end = c[i].c_lo - 1;
		rc = evt_frag_emit(frags, top, pos, end);
		if (rc != 0 || end == UINT64_MAX)
			break;
		pos = end + 1;
	}
	if (heap != heap_buf)
		D_FREE(heap);
	return rc;
}

void
evt_entry_fill(struct evt_context *tcx, const struct evt_cand *c, uint64_t lo, uint64_t hi,
	       uint16_t vis, struct evt_entry *ent)
{
	struct evt_desc *desc = evt_off2desc(tcx, c->c_desc);

	ent->en_ext.ex_lo     = c->c_ext_lo;
	ent->en_ext.ex_hi     = c->c_ext_hi;
	ent->en_sel_ext.ex_lo = lo;
	ent->en_sel_ext.ex_hi = hi;
	if (lo != c->c_ext_lo || hi != c->c_ext_hi)
		vis |= EVT_PARTIAL;
	ent->en_visibility = vis;
	ent->en_epoch      = c->c_epc;
	ent->en_minor_epc  = c->c_minor;
	ent->en_ver        = desc->dc_ver;
	ent->en_avail_rc   = c->c_avail;
	ent->en_addr       = desc->dc_ex_addr;
	if (!bio_addr_is_hole(&ent->en_addr))
		ent->en_addr.ba_off += (lo - c->c_ext_lo) * tcx->tc_root->tr_inob;
	ent->en_csum.cs_nr        = desc->dc_csum_nr;
	ent->en_csum.cs_len       = desc->dc_csum_len;
	ent->en_csum.cs_type      = desc->dc_csum_type;
	ent->en_csum.cs_chunksize = desc->dc_csum_chunk;
	ent->en_csum.cs_buf_len   = desc->dc_csum_nr * desc->dc_csum_len;
	ent->en_csum.cs_csum      = desc->dc_csum_nr ? desc->pt_csum : NULL;
}

int
evt_find(daos_handle_t toh, const struct evt_filter *filter, struct evt_entry_array *ent_array)
{
	struct evt_context *tcx = evt_hdl2tcx(toh);
	struct evt_cand     cand_buf[32];
	struct evt_frag     frag_buf[32];
	struct evt_vec      cands;
	struct evt_vec      frags;
	uint32_t            i;
	int                 rc;

	if (tcx == NULL)
		return -DER_NO_HDL;
	if (filter == NULL || ent_array == NULL || ent_array->ea_ents == NULL)
		return -DER_INVAL;
	ent_array->ea_ent_nr = 0;
	ent_array->ea_inob   = tcx->tc_root->tr_inob;

	evt_vec_init(&cands, sizeof(struct evt_cand), cand_buf, ARRAY_SIZE(cand_buf));
	evt_vec_init(&frags, sizeof(struct evt_frag), frag_buf, ARRAY_SIZE(frag_buf));
	rc = evt_collect(tcx, filter, true, &cands);
	if (rc == 0)
		rc = evt_visibility(&cands, &frags);
	for (i = 0; rc == 0 && i < frags.v_nr; i++) {
		struct evt_frag  *f = evt_vec_at(&frags, struct evt_frag, i);
		struct evt_entry *ent;

		ent = evt_ent_array_add(ent_array, &rc);
		if (ent != NULL)
			evt_entry_fill(tcx, evt_vec_at(&cands, struct evt_cand, f->f_cand), f->f_lo,
				       f->f_hi, EVT_VISIBLE, ent);
	}
	if (rc != 0)
		ent_array->ea_ent_nr = 0;
	evt_vec_fini(&cands);
	evt_vec_fini(&frags);
	return rc;
}
