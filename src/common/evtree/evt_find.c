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
	struct evt_vec *ca_cands;
	uint32_t ca_limit;
	bool ca_avail;
};

static int
evt_collect_cb(struct evt_context *tcx, const struct evt_node_entry *ne, void *arg)
{
	struct evt_collect_arg *ca = arg;
	const struct evt_filter *f = ca->ca_filter;
	struct evt_desc *desc;
	struct evt_cand *c;
	uint16_t minor = evt_ne_minor(ne);
	int avail = 0;

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
	if (ca->ca_cands->v_nr >= ca->ca_limit)
		return 1;
	c = evt_vec_add(ca->ca_cands);
	if (c == NULL)
		return -DER_NOMEM;
	c->c_ext_lo = ne->ne_lo;
	c->c_ext_hi = ne->ne_hi;
	c->c_lo = ne->ne_lo > f->fr_ex.ex_lo ? ne->ne_lo : f->fr_ex.ex_lo;
	c->c_hi = ne->ne_hi < f->fr_ex.ex_hi ? ne->ne_hi : f->fr_ex.ex_hi;
	c->c_epc = ne->ne_epc;
	c->c_minor = minor;
	c->c_desc = evt_ne_child(ne);
	c->c_hole = bio_addr_is_hole(&desc->dc_ex_addr);
	c->c_avail = avail;
	return 0;
}

static int
evt_collect_limit(struct evt_context *tcx, const struct evt_filter *filter, bool check_avail,
		  uint32_t limit, struct evt_vec *cands)
{
	struct evt_collect_arg ca = {
		.ca_filter = filter,
		.ca_cands = cands,
		.ca_limit = limit,
		.ca_avail = check_avail,
	};

	cands->v_nr = 0;
	if (filter->fr_ex.ex_lo > filter->fr_ex.ex_hi ||
	    filter->fr_epr.epr_lo > filter->fr_epr.epr_hi)
		return 0;
	return evt_walk(tcx, filter->fr_ex.ex_lo, filter->fr_ex.ex_hi, filter->fr_epr.epr_lo,
			filter->fr_epr.epr_hi, evt_collect_cb, &ca);
}

int
evt_collect(struct evt_context *tcx, const struct evt_filter *filter, bool check_avail,
	    struct evt_vec *cands)
{
	return evt_collect_limit(tcx, filter, check_avail, UINT32_MAX, cands);
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
		i = parent;
	}
	heap[i] = idx;
}

static void
evt_heap_pop(uint32_t *heap, uint32_t *nr, const struct evt_cand *c)
{
	uint32_t n = --(*nr);
	uint32_t last = heap[n];
	uint32_t i = 0;

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
		i = m;
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
	f->f_lo = lo;
	f->f_hi = hi;
	f->f_cand = cand;
	return 0;
}

int
evt_visibility(struct evt_vec *cands, struct evt_vec *frags)
{
	struct evt_cand *c = cands->v_ptr;
	uint32_t k = cands->v_nr;
	uint32_t heap_buf[64];
	uint32_t *heap = heap_buf;
	uint32_t hn = 0;
	uint32_t i = 0;
	uint64_t pos;
	int rc = 0;

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

	i = 0;
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

	ent->en_ext.ex_lo = c->c_ext_lo;
	ent->en_ext.ex_hi = c->c_ext_hi;
	ent->en_sel_ext.ex_lo = lo;
	ent->en_sel_ext.ex_hi = hi;
	if (lo != c->c_ext_lo || hi != c->c_ext_hi)
		vis |= EVT_PARTIAL;
	ent->en_visibility = vis;
	ent->en_epoch = c->c_epc;
	ent->en_minor_epc = c->c_minor;
	ent->en_ver = desc->dc_ver;
	ent->en_avail_rc = c->c_avail;
	ent->en_addr = desc->dc_ex_addr;
	if (!bio_addr_is_hole(&ent->en_addr))
		ent->en_addr.ba_off += (lo - c->c_ext_lo) * tcx->tc_root->tr_inob;
	ent->en_csum.cs_nr = desc->dc_csum_nr;
	ent->en_csum.cs_len = desc->dc_csum_len;
	ent->en_csum.cs_type = desc->dc_csum_type;
	ent->en_csum.cs_chunksize = desc->dc_csum_chunk;
	ent->en_csum.cs_buf_len = desc->dc_csum_nr * desc->dc_csum_len;
	ent->en_csum.cs_csum = desc->dc_csum_nr ? desc->pt_csum : NULL;
}

/*
 * evt_find: best-first search. Subtrees and records wait in a max-heap keyed by the newest
 * epoch they can hold (records: their own (epoch, minor)); subtrees go before records of the
 * same epoch. Each record popped is therefore newer than everything still waiting, so its
 * visible part is its extent minus the set of indexes already covered, and any item whose
 * extent is covered already is dropped unopened. Old versions buried under newer writes are
 * never visited: the cost follows the visible pieces, not the history.
 */
struct evt_pq_item {
	uint64_t pi_epc;
	uint64_t pi_lo;
	uint64_t pi_hi;
	umem_off_t pi_off;
	uint16_t pi_minor;
	uint16_t pi_node;
};

struct evt_ival {
	uint64_t iv_lo;
	uint64_t iv_hi;
};

static inline bool
evt_pq_above(const struct evt_pq_item *a, const struct evt_pq_item *b)
{
	if (a->pi_epc != b->pi_epc)
		return a->pi_epc > b->pi_epc;
	if (a->pi_node != b->pi_node)
		return a->pi_node > b->pi_node;
	return a->pi_minor > b->pi_minor;
}

static int
evt_pq_push(struct evt_vec *pq, const struct evt_pq_item *item)
{
	struct evt_pq_item *h;
	uint32_t i;

	if (evt_vec_add(pq) == NULL)
		return -DER_NOMEM;
	h = pq->v_ptr;
	i = pq->v_nr - 1;
	while (i > 0) {
		uint32_t parent = (i - 1) / 2;

		if (!evt_pq_above(item, &h[parent]))
			break;
		h[i] = h[parent];
		i = parent;
	}
	h[i] = *item;
	return 0;
}

static void
evt_pq_pop(struct evt_vec *pq, struct evt_pq_item *top)
{
	struct evt_pq_item *h = pq->v_ptr;
	struct evt_pq_item last;
	uint32_t n;
	uint32_t i = 0;

	*top = h[0];
	n = --pq->v_nr;
	if (n == 0)
		return;
	last = h[n];
	for (;;) {
		uint32_t l = 2 * i + 1;
		uint32_t r = l + 1;
		uint32_t m;

		if (l >= n)
			break;
		m = (r < n && evt_pq_above(&h[r], &h[l])) ? r : l;
		if (!evt_pq_above(&h[m], &last))
			break;
		h[i] = h[m];
		i = m;
	}
	h[i] = last;
}

/* First interval ending at or after lo (the set is sorted, disjoint and never adjacent). */
static uint32_t
evt_cov_find(const struct evt_vec *cov, uint64_t lo)
{
	const struct evt_ival *iv = cov->v_ptr;
	uint32_t l = 0;
	uint32_t h = cov->v_nr;

	while (l < h) {
		uint32_t mid = (l + h) / 2;

		if (iv[mid].iv_hi < lo)
			l = mid + 1;
		else
			h = mid;
	}
	return l;
}

static bool
evt_cov_covers(const struct evt_vec *cov, uint64_t lo, uint64_t hi)
{
	const struct evt_ival *iv = cov->v_ptr;
	uint32_t i = evt_cov_find(cov, lo);

	return i < cov->v_nr && iv[i].iv_lo <= lo && iv[i].iv_hi >= hi;
}

static int
evt_cov_add(struct evt_vec *cov, uint64_t lo, uint64_t hi)
{
	struct evt_ival *iv;
	uint32_t i;
	uint32_t j;

	/* first interval overlapping or touching [lo, hi] from the left */
	i = evt_cov_find(cov, lo == 0 ? 0 : lo - 1);
	iv = cov->v_ptr;
	for (j = i; j < cov->v_nr; j++) {
		if (iv[j].iv_lo > hi && (hi == UINT64_MAX || iv[j].iv_lo != hi + 1))
			break;
		if (iv[j].iv_lo < lo)
			lo = iv[j].iv_lo;
		if (iv[j].iv_hi > hi)
			hi = iv[j].iv_hi;
	}
	if (j == i) {
		if (evt_vec_add(cov) == NULL)
			return -DER_NOMEM;
		iv = cov->v_ptr;
		memmove(&iv[i + 1], &iv[i], (cov->v_nr - 1 - i) * sizeof(*iv));
	} else if (j > i + 1) {
		memmove(&iv[i + 1], &iv[j], (cov->v_nr - j) * sizeof(*iv));
		cov->v_nr -= j - i - 1;
	}
	iv[i].iv_lo = lo;
	iv[i].iv_hi = hi;
	return 0;
}

static int
evt_frag_cmp(const void *a, const void *b)
{
	const struct evt_frag *x = a;
	const struct evt_frag *y = b;

	return x->f_lo < y->f_lo ? -1 : x->f_lo > y->f_lo;
}

struct evt_bf {
	struct evt_context *bf_tcx;
	const struct evt_filter *bf_f;
	struct evt_vec bf_pq;
	struct evt_vec bf_cov;
	struct evt_vec bf_cands;
	struct evt_vec bf_frags;
};

/** Push the entries of node \a nd that the filter can select. */
static int
evt_bf_expand(struct evt_bf *bf, struct evt_node *nd)
{
	const struct evt_filter *f = bf->bf_f;
	bool leaf = evt_node_is_leaf(nd);
	int rc;
	int i;

	for (i = 0; i < nd->tn_nr; i++) {
		const struct evt_node_entry *ne = &nd->tn_rec[i];
		struct evt_pq_item item;

		if (ne->ne_lo > f->fr_ex.ex_hi || ne->ne_hi < f->fr_ex.ex_lo ||
		    ne->ne_epc > f->fr_epr.epr_hi || ne->ne_epc_max < f->fr_epr.epr_lo)
			continue;
		if (f->fr_punch_epc != 0 && ne->ne_epc_max < f->fr_punch_epc)
			continue;
		item.pi_lo = ne->ne_lo;
		item.pi_hi = ne->ne_hi;
		item.pi_off = evt_ne_child(ne);
		if (leaf) {
			item.pi_minor = evt_ne_minor(ne);
			if (f->fr_punch_epc != 0 &&
			    evt_epc_cmp(ne->ne_epc, item.pi_minor, f->fr_punch_epc,
					f->fr_punch_minor_epc) <= 0)
				continue;
			item.pi_epc = ne->ne_epc;
			item.pi_node = 0;
		} else {
			item.pi_epc = ne->ne_epc_max < f->fr_epr.epr_hi ? ne->ne_epc_max
									: f->fr_epr.epr_hi;
			item.pi_minor = 0;
			item.pi_node = 1;
		}
		rc = evt_pq_push(&bf->bf_pq, &item);
		if (rc != 0)
			return rc;
	}
	return 0;
}

/** A record popped: its uncovered parts are visible. */
static int
evt_bf_record(struct evt_bf *bf, const struct evt_pq_item *it, uint64_t lo, uint64_t hi)
{
	struct evt_context *tcx = bf->bf_tcx;
	struct evt_desc *desc = evt_off2desc(tcx, it->pi_off);
	struct evt_ival *iv;
	struct evt_cand *c;
	uint32_t cand;
	uint32_t i;
	uint64_t pos = lo;
	int avail = 0;
	int rc;

	if (desc == NULL || desc->dc_magic != EVT_DESC_MAGIC) {
		D_ERROR("corrupt evtree descriptor\n");
		return -DER_DF_INVAL;
	}
	if (tcx->tc_cbs.dc_log_status_cb != NULL) {
		avail = tcx->tc_cbs.dc_log_status_cb(&tcx->tc_umm, it->pi_epc, desc, 0,
						     tcx->tc_cbs.dc_log_status_args);
		if (avail < 0)
			return avail;
		if (avail > 0)
			return 0;
	}
	c = evt_vec_add(&bf->bf_cands);
	if (c == NULL)
		return -DER_NOMEM;
	cand = bf->bf_cands.v_nr - 1;
	c->c_lo = lo;
	c->c_hi = hi;
	c->c_ext_lo = it->pi_lo;
	c->c_ext_hi = it->pi_hi;
	c->c_epc = it->pi_epc;
	c->c_minor = it->pi_minor;
	c->c_desc = it->pi_off;
	c->c_hole = bio_addr_is_hole(&desc->dc_ex_addr);
	c->c_avail = avail;

	iv = bf->bf_cov.v_ptr;
	for (i = evt_cov_find(&bf->bf_cov, lo); i < bf->bf_cov.v_nr && iv[i].iv_lo <= hi; i++) {
		if (iv[i].iv_lo > pos) {
			rc = evt_frag_emit(&bf->bf_frags, cand, pos, iv[i].iv_lo - 1);
			if (rc != 0)
				return rc;
		}
		if (iv[i].iv_hi >= hi)
			return evt_cov_add(&bf->bf_cov, lo, hi);
		pos = iv[i].iv_hi + 1;
	}
	rc = evt_frag_emit(&bf->bf_frags, cand, pos, hi);
	if (rc != 0)
		return rc;
	return evt_cov_add(&bf->bf_cov, lo, hi);
}

static int
evt_find_bf(struct evt_context *tcx, const struct evt_filter *filter,
	    struct evt_entry_array *ent_array)
{
	struct evt_pq_item pq_buf[64];
	struct evt_ival cov_buf[32];
	struct evt_cand cand_buf[32];
	struct evt_frag frag_buf[32];
	struct evt_pq_item it;
	struct evt_bf bf;
	uint64_t flo;
	uint64_t fhi;
	uint32_t i;
	int rc = 0;

	flo = filter->fr_ex.ex_lo;
	fhi = filter->fr_ex.ex_hi;
	if (tcx->tc_root->tr_depth == 0 || flo > fhi ||
	    filter->fr_epr.epr_lo > filter->fr_epr.epr_hi)
		return 0;

	bf.bf_tcx = tcx;
	bf.bf_f = filter;
	evt_vec_init(&bf.bf_pq, sizeof(struct evt_pq_item), pq_buf, ARRAY_SIZE(pq_buf));
	evt_vec_init(&bf.bf_cov, sizeof(struct evt_ival), cov_buf, ARRAY_SIZE(cov_buf));
	evt_vec_init(&bf.bf_cands, sizeof(struct evt_cand), cand_buf, ARRAY_SIZE(cand_buf));
	evt_vec_init(&bf.bf_frags, sizeof(struct evt_frag), frag_buf, ARRAY_SIZE(frag_buf));

	it.pi_off = tcx->tc_root->tr_node;
	it.pi_node = 1;
	it.pi_epc = UINT64_MAX;
	it.pi_lo = flo;
	it.pi_hi = fhi;
	rc = evt_pq_push(&bf.bf_pq, &it);
	while (rc == 0 && bf.bf_pq.v_nr > 0) {
		uint64_t lo;
		uint64_t hi;

		evt_pq_pop(&bf.bf_pq, &it);
		lo = it.pi_lo > flo ? it.pi_lo : flo;
		hi = it.pi_hi < fhi ? it.pi_hi : fhi;
		if (evt_cov_covers(&bf.bf_cov, lo, hi))
			continue;
		if (it.pi_node) {
			struct evt_node *nd = evt_off2node(tcx, it.pi_off);

			if (nd == NULL || nd->tn_magic != EVT_NODE_MAGIC || nd->tn_nr == 0 ||
			    nd->tn_nr > tcx->tc_root->tr_order) {
				D_ERROR("corrupt evtree node\n");
				rc = -DER_DF_INVAL;
				break;
			}
			rc = evt_bf_expand(&bf, nd);
			continue;
		}
		rc = evt_bf_record(&bf, &it, lo, hi);
		/* everything selected is covered: whatever still waits is older */
		if (rc == 0 && evt_cov_covers(&bf.bf_cov, flo, fhi))
			break;
	}

	if (rc == 0 && bf.bf_frags.v_nr > 1)
		qsort(bf.bf_frags.v_ptr, bf.bf_frags.v_nr, sizeof(struct evt_frag), evt_frag_cmp);
	for (i = 0; rc == 0 && i < bf.bf_frags.v_nr; i++) {
		struct evt_frag *f = evt_vec_at(&bf.bf_frags, struct evt_frag, i);
		struct evt_entry *ent;

		ent = evt_ent_array_add(ent_array, &rc);
		if (ent != NULL)
			evt_entry_fill(tcx, evt_vec_at(&bf.bf_cands, struct evt_cand, f->f_cand),
				       f->f_lo, f->f_hi, EVT_VISIBLE, ent);
	}
	if (rc != 0)
		ent_array->ea_ent_nr = 0;
	evt_vec_fini(&bf.bf_pq);
	evt_vec_fini(&bf.bf_cov);
	evt_vec_fini(&bf.bf_cands);
	evt_vec_fini(&bf.bf_frags);
	return rc;
}

/*
 * Few candidates (the usual case): collect them all and sweep. Many (a region rewritten over
 * and over, or a very wide range): the best-first search, which skips buried versions.
 */
#define EVT_FIND_SWEEP_MAX 64

int
evt_find(daos_handle_t toh, const struct evt_filter *filter, struct evt_entry_array *ent_array)
{
	struct evt_context *tcx = evt_hdl2tcx(toh);
	struct evt_cand cand_buf[EVT_FIND_SWEEP_MAX];
	struct evt_frag frag_buf[32];
	struct evt_vec cands;
	struct evt_vec frags;
	uint32_t i;
	int rc;

	if (tcx == NULL)
		return -DER_NO_HDL;
	if (filter == NULL || ent_array == NULL || ent_array->ea_ents == NULL)
		return -DER_INVAL;
	ent_array->ea_ent_nr = 0;
	ent_array->ea_inob = tcx->tc_root->tr_inob;

	evt_vec_init(&cands, sizeof(struct evt_cand), cand_buf, ARRAY_SIZE(cand_buf));
	rc = evt_collect_limit(tcx, filter, true, EVT_FIND_SWEEP_MAX, &cands);
	if (rc > 0) {
		evt_vec_fini(&cands);
		return evt_find_bf(tcx, filter, ent_array);
	}
	evt_vec_init(&frags, sizeof(struct evt_frag), frag_buf, ARRAY_SIZE(frag_buf));
	if (rc == 0)
		rc = evt_visibility(&cands, &frags);
	for (i = 0; rc == 0 && i < frags.v_nr; i++) {
		struct evt_frag *f = evt_vec_at(&frags, struct evt_frag, i);
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
