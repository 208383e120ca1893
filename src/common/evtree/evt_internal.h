/**
 * evtree internals shared by the tree, the search and the iterator code.
 */
#ifndef __EVT_INTERNAL_H__
#define __EVT_INTERNAL_H__

#include <daos_srv/evtree.h>

#define EVT_NODE_MAGIC 0x45565444U /* "EVTD" */
#define EVT_NODE_LEAF  (1U << 0)
/** order >= 4 and at most 2^64 records: 32 levels are never reached */
#define EVT_MAX_DEPTH 32
/** a node entry packs the child offset (48 bits) and the minor epoch (16 bits) */
#define EVT_CHILD_BITS 48
#define EVT_CHILD_MASK ((1ULL << EVT_CHILD_BITS) - 1)
/** largest checksum buffer stored per record */
#define EVT_CSUM_MAX (1U << 20)

/**
 * Node entry: a leaf record (child = struct evt_desc, epc_max = epc) or the bounding
 * rectangle of a child node (lo = lowest index, hi = highest index, epc = oldest and
 * epc_max = newest epoch below it).
 */
struct evt_node_entry {
	uint64_t ne_lo;
	uint64_t ne_hi;
	uint64_t ne_epc;
	uint64_t ne_epc_max;
	uint64_t ne_child;
};

struct evt_node {
	uint16_t tn_flags;
	uint16_t tn_nr;
	uint32_t tn_magic;
	uint64_t tn_pad;
	struct evt_node_entry tn_rec[0];
};

struct evt_context {
	struct evt_root *tc_root;
	struct umem_instance tc_umm;
	struct evt_desc_cbs tc_cbs;
	uint64_t tc_cookie;
};

/** One level of a root-to-leaf path: node and entry index. */
struct evt_trace {
	umem_off_t tr_node;
	int tr_at;
};

/** A record selected by a search, clipped to the search extent. */
struct evt_cand {
	uint64_t c_lo;
	uint64_t c_hi;
	uint64_t c_ext_lo;
	uint64_t c_ext_hi;
	uint64_t c_epc;
	umem_off_t c_desc;
	uint16_t c_minor;
	uint16_t c_hole;
	int c_avail;
};

/** A visible piece of candidate f_cand. */
struct evt_frag {
	uint64_t f_lo;
	uint64_t f_hi;
	uint32_t f_cand;
};

/** Growable array starting in caller-provided (usually stack) space. */
struct evt_vec {
	void *v_ptr;
	void *v_embedded;
	uint32_t v_nr;
	uint32_t v_size;
	uint32_t v_esz;
};

static inline void
evt_vec_init(struct evt_vec *v, size_t esz, void *buf, uint32_t nr)
{
	v->v_ptr = buf;
	v->v_embedded = buf;
	v->v_nr = 0;
	v->v_size = nr;
	v->v_esz = (uint32_t)esz;
}

void evt_vec_fini(struct evt_vec *v);
int evt_vec_reserve(struct evt_vec *v, uint32_t nr);
void *evt_vec_add(struct evt_vec *v);

#define evt_vec_at(v, type, i) (&((type *)(v)->v_ptr)[i])

static inline umem_off_t
evt_ne_child(const struct evt_node_entry *ne)
{
	return ne->ne_child & EVT_CHILD_MASK;
}

static inline uint16_t
evt_ne_minor(const struct evt_node_entry *ne)
{
	return (uint16_t)(ne->ne_child >> EVT_CHILD_BITS);
}

static inline struct evt_node *
evt_off2node(struct evt_context *tcx, umem_off_t off)
{
	return umem_off2ptr(&tcx->tc_umm, off);
}

static inline struct evt_desc *
evt_off2desc(struct evt_context *tcx, umem_off_t off)
{
	return umem_off2ptr(&tcx->tc_umm, off);
}

static inline bool
evt_node_is_leaf(const struct evt_node *nd)
{
	return (nd->tn_flags & EVT_NODE_LEAF) != 0;
}

/** (epc, minor) comparison: <0, 0, >0 */
static inline int
evt_epc_cmp(uint64_t e1, uint16_t m1, uint64_t e2, uint16_t m2)
{
	if (e1 != e2)
		return e1 < e2 ? -1 : 1;
	if (m1 != m2)
		return m1 < m2 ? -1 : 1;
	return 0;
}

/* handles */
#define EVT_HTYPE_TREE 1
#define EVT_HTYPE_ITER 2
int evt_hdl_register(void *ptr, int type, uint64_t *cookie);
void *evt_hdl_lookup(uint64_t cookie, int type);
void evt_hdl_unregister(uint64_t cookie);

struct evt_context *evt_hdl2tcx(daos_handle_t toh);
int evt_tcx_init(struct evt_context *tcx, struct evt_root *root, struct umem_attr *uma,
		 const struct evt_desc_cbs *cbs);

/** Leaf visitor of evt_walk: nonzero stops the walk and is returned. */
typedef int (*evt_visit_cb_t)(struct evt_context *tcx, const struct evt_node_entry *ne, void *arg);
/** Visit the records overlapping [lo, hi] with emin <= epoch <= emax (pruned by the MBRs). */
int evt_walk(struct evt_context *tcx, uint64_t lo, uint64_t hi, uint64_t emin, uint64_t emax,
	     evt_visit_cb_t cb, void *arg);

/**
 * Collect the records selected by \a filter into \a cands (struct evt_cand), clipped to
 * filter->fr_ex. \a check_avail: apply dc_log_status_cb.
 */
int evt_collect(struct evt_context *tcx, const struct evt_filter *filter, bool check_avail,
		struct evt_vec *cands);
/** Sort \a cands by c_lo and compute the visible pieces into \a frags (sorted by offset). */
int evt_visibility(struct evt_vec *cands, struct evt_vec *frags);
void evt_entry_fill(struct evt_context *tcx, const struct evt_cand *c, uint64_t lo, uint64_t hi,
		    uint16_t vis, struct evt_entry *ent);
/** Delete \a rect in a transaction (own or the caller's); the record is returned in \a ent. */
int evt_delete_internal(struct evt_context *tcx, const struct evt_rect *rect,
			struct evt_entry *ent);

/** Append one entry to \a ea (grows it); NULL with *rc set on failure. */
struct evt_entry *evt_ent_array_add(struct evt_entry_array *ea, int *rc);

/** Consistency check (tests): MBRs bound their children, counts, depths. */
int evt_check(daos_handle_t toh);

#endif /* __EVT_INTERNAL_H__ */
