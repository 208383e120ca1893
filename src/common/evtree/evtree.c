/**
 * evtree: tree maintenance (create/open/close, insert with split, delete, destroy, drain).
 * Searching and visibility are in evt_find.c, the iterator in evt_iter.c.
 */
#define D_LOGFAC DD_FAC(vos)

#include <pthread.h>
#include <daos_srv/evtree.h>
#include "evt_internal.h"

/* ------------------------------------------------------------------------------------------
 * Handles: a slot table that is never shrunk, so looking up any 64-bit value is safe. A
 * cookie is (generation << 32 | slot + 1); closing a handle bumps the slot's generation, which
 * turns stale copies into -DER_NO_HDL.
 * ------------------------------------------------------------------------------------------ */
#define EVT_HCHUNK_SHIFT 10
#define EVT_HCHUNK       (1U << EVT_HCHUNK_SHIFT)
#define EVT_HCHUNKS      4096

struct evt_hslot {
	void *hs_ptr;
	uint32_t hs_gen;
	uint16_t hs_type;
	uint16_t hs_pad;
	uint32_t hs_next_free;
};

static struct evt_hslot *evt_hchunks[EVT_HCHUNKS];
static uint32_t evt_hslots;    /* slots created */
static uint32_t evt_hfree = 0; /* free list head: slot + 1, 0 = empty */
static pthread_mutex_t evt_hlock = PTHREAD_MUTEX_INITIALIZER;

static struct evt_hslot *
evt_hslot_get(uint32_t slot)
{
	struct evt_hslot *chunk;

	if ((slot >> EVT_HCHUNK_SHIFT) >= EVT_HCHUNKS)
		return NULL;
	chunk = __atomic_load_n(&evt_hchunks[slot >> EVT_HCHUNK_SHIFT], __ATOMIC_ACQUIRE);
	if (chunk == NULL)
		return NULL;
	return &chunk[slot & (EVT_HCHUNK - 1)];
}

int
evt_hdl_register(void *ptr, int type, uint64_t *cookie)
{
	struct evt_hslot *hs;
	uint32_t slot;
	int rc = 0;

	pthread_mutex_lock(&evt_hlock);
	if (evt_hfree != 0) {
		slot = evt_hfree - 1;
		hs = evt_hslot_get(slot);
		evt_hfree = hs->hs_next_free;
	} else {
		slot = evt_hslots;
		if ((slot >> EVT_HCHUNK_SHIFT) >= EVT_HCHUNKS) {
			rc = -DER_NOMEM;
			goto out;
		}
		if (evt_hchunks[slot >> EVT_HCHUNK_SHIFT] == NULL) {
			struct evt_hslot *chunk;

			D_ALLOC_ARRAY(chunk, EVT_HCHUNK);
			if (chunk == NULL) {
				rc = -DER_NOMEM;
				goto out;
			}
			__atomic_store_n(&evt_hchunks[slot >> EVT_HCHUNK_SHIFT], chunk,
					 __ATOMIC_RELEASE);
		}
		evt_hslots++;
		hs = evt_hslot_get(slot);
	}
	if (hs->hs_gen == 0)
		hs->hs_gen = 1;
	hs->hs_type = (uint16_t)type;
	__atomic_store_n(&hs->hs_ptr, ptr, __ATOMIC_RELEASE);
	*cookie = ((uint64_t)hs->hs_gen << 32) | (slot + 1);
out:
	pthread_mutex_unlock(&evt_hlock);
	return rc;
}

void *
evt_hdl_lookup(uint64_t cookie, int type)
{
	struct evt_hslot *hs;
	uint32_t low = (uint32_t)cookie;

	if (low == 0)
		return NULL;
	hs = evt_hslot_get(low - 1);
	if (hs == NULL || hs->hs_gen != (uint32_t)(cookie >> 32) || hs->hs_type != type)
		return NULL;
	return __atomic_load_n(&hs->hs_ptr, __ATOMIC_ACQUIRE);
}

void
evt_hdl_unregister(uint64_t cookie)
{
	struct evt_hslot *hs;
	uint32_t low = (uint32_t)cookie;

	pthread_mutex_lock(&evt_hlock);
	hs = low == 0 ? NULL : evt_hslot_get(low - 1);
	if (hs != NULL && hs->hs_gen == (uint32_t)(cookie >> 32) && hs->hs_ptr != NULL) {
		hs->hs_ptr = NULL;
		hs->hs_gen++;
		if (hs->hs_gen == 0)
			hs->hs_gen = 1;
		hs->hs_next_free = evt_hfree;
		evt_hfree = low;
	}
	pthread_mutex_unlock(&evt_hlock);
}

struct evt_context *
evt_hdl2tcx(daos_handle_t toh)
{
	return evt_hdl_lookup(toh.cookie, EVT_HTYPE_TREE);
}

/* ------------------------------------------------------------------------------------------
 * Growable arrays
 * ------------------------------------------------------------------------------------------ */
void
evt_vec_fini(struct evt_vec *v)
{
	if (v->v_ptr != v->v_embedded)
		D_FREE(v->v_ptr);
	v->v_ptr = v->v_embedded;
	v->v_nr = 0;
}

int
evt_vec_reserve(struct evt_vec *v, uint32_t nr)
{
	uint32_t size = v->v_size ? v->v_size : 16;
	void *buf;

	if (nr <= v->v_size)
		return 0;
	while (size < nr)
		size *= 2;
	D_ALLOC_NZ(buf, (size_t)size * v->v_esz);
	if (buf == NULL)
		return -DER_NOMEM;
	if (v->v_nr > 0)
		memcpy(buf, v->v_ptr, (size_t)v->v_nr * v->v_esz);
	if (v->v_ptr != v->v_embedded)
		D_FREE(v->v_ptr);
	v->v_ptr = buf;
	v->v_size = size;
	return 0;
}

void *
evt_vec_add(struct evt_vec *v)
{
	if (v->v_nr == v->v_size && evt_vec_reserve(v, v->v_nr + 1) != 0)
		return NULL;
	return (char *)v->v_ptr + (size_t)v->v_esz * v->v_nr++;
}

/* ------------------------------------------------------------------------------------------
 * Contexts
 * ------------------------------------------------------------------------------------------ */
int
evt_tcx_init(struct evt_context *tcx, struct evt_root *root, struct umem_attr *uma,
	     const struct evt_desc_cbs *cbs)
{
	int rc;

	memset(tcx, 0, sizeof(*tcx));
	rc = umem_class_init(uma, &tcx->tc_umm);
	if (rc != 0)
		return rc;
	tcx->tc_root = root;
	if (cbs != NULL)
		tcx->tc_cbs = *cbs;
	return 0;
}

static int
evt_tcx_open(struct evt_root *root, struct umem_attr *uma, struct evt_desc_cbs *cbs,
	     daos_handle_t *toh)
{
	struct evt_context *tcx;
	int rc;

	D_ALLOC_PTR(tcx);
	if (tcx == NULL)
		return -DER_NOMEM;
	rc = evt_tcx_init(tcx, root, uma, cbs);
	if (rc == 0)
		rc = evt_hdl_register(tcx, EVT_HTYPE_TREE, &tcx->tc_cookie);
	if (rc != 0) {
		D_FREE(tcx);
		return rc;
	}
	toh->cookie = tcx->tc_cookie;
	return 0;
}

static void
evt_tcx_close(struct evt_context *tcx)
{
	evt_hdl_unregister(tcx->tc_cookie);
	D_FREE(tcx);
}

static inline int
evt_tx_add(struct evt_context *tcx, void *ptr, size_t len)
{
	return umem_tx_add_ptr(&tcx->tc_umm, ptr, len);
}

static inline size_t
evt_node_size(struct evt_context *tcx)
{
	return sizeof(struct evt_node) + tcx->tc_root->tr_order * sizeof(struct evt_node_entry);
}

static int
evt_root_check(struct evt_root *root)
{
	if (root->tr_order < EVT_MIN_ORDER || root->tr_order > EVT_MAX_ORDER ||
	    root->tr_depth > EVT_MAX_DEPTH || (root->tr_depth == 0) != UMOFF_IS_NULL(root->tr_node))
		return -DER_DF_INVAL;
	return 0;
}

int
evt_create(struct evt_root *root, uint64_t feats, unsigned int order, struct umem_attr *uma,
	   struct evt_desc_cbs *cbs, daos_handle_t *toh)
{
	struct evt_context *tcx;
	int rc;

	if (root == NULL || uma == NULL || toh == NULL) {
		D_ERROR("NULL root, attributes or handle\n");
		return -DER_INVAL;
	}
	if (order < EVT_MIN_ORDER || order > EVT_MAX_ORDER) {
		D_ERROR("evtree order %u out of [%d, %d]\n", order, EVT_MIN_ORDER, EVT_MAX_ORDER);
		return -DER_INVAL;
	}
	if ((feats & ~(uint64_t)EVT_FEATS_SUPPORTED) != 0) {
		D_ERROR("unsupported evtree features " DF_X64 "\n", feats);
		return -DER_INVAL;
	}
	if (root->tr_order != 0)
		return -DER_EXIST;

	rc = evt_tcx_open(root, uma, cbs, toh);
	if (rc != 0)
		return rc;
	tcx = evt_hdl2tcx(*toh);

	rc = umem_tx_begin(&tcx->tc_umm, NULL);
	if (rc != 0)
		goto failed;
	rc = evt_tx_add(tcx, root, sizeof(*root));
	if (rc == 0) {
		memset(root, 0, sizeof(*root));
		root->tr_order = (uint16_t)order;
		root->tr_feats = feats != 0 ? feats : EVT_FEAT_DEFAULT;
		root->tr_node = UMOFF_NULL;
	}
	rc = umem_tx_end(&tcx->tc_umm, rc);
	if (rc == 0)
		return 0;
failed:
	evt_tcx_close(tcx);
	*toh = DAOS_HDL_INVAL;
	return rc;
}

int
evt_open(struct evt_root *root, struct umem_attr *uma, struct evt_desc_cbs *cbs, daos_handle_t *toh)
{
	int rc;

	if (root == NULL || uma == NULL || toh == NULL)
		return -DER_INVAL;
	if (root->tr_order == 0)
		return -DER_NONEXIST;
	rc = evt_root_check(root);
	if (rc != 0) {
		D_ERROR("corrupt evtree root: order %u depth %u\n", root->tr_order, root->tr_depth);
		return rc;
	}
	return evt_tcx_open(root, uma, cbs, toh);
}

int
evt_close(daos_handle_t toh)
{
	struct evt_context *tcx = evt_hdl2tcx(toh);

	if (tcx == NULL)
		return -DER_NO_HDL;
	evt_tcx_close(tcx);
	return 0;
}

/* ------------------------------------------------------------------------------------------
 * Walk
 * ------------------------------------------------------------------------------------------ */
static inline bool
evt_ne_overlap(const struct evt_node_entry *ne, uint64_t lo, uint64_t hi, uint64_t emin,
	       uint64_t emax)
{
	return ne->ne_lo <= hi && ne->ne_hi >= lo && ne->ne_epc <= emax && ne->ne_epc_max >= emin;
}

static inline int
evt_node_check(struct evt_context *tcx, const struct evt_node *nd)
{
	if (nd == NULL || nd->tn_magic != EVT_NODE_MAGIC || nd->tn_nr == 0 ||
	    nd->tn_nr > tcx->tc_root->tr_order) {
		D_ERROR("corrupt evtree node %p\n", nd);
		return -DER_DF_INVAL;
	}
	return 0;
}

int
evt_walk(struct evt_context *tcx, uint64_t lo, uint64_t hi, uint64_t emin, uint64_t emax,
	 evt_visit_cb_t cb, void *arg)
{
	struct evt_trace path[EVT_MAX_DEPTH];
	int level = 0;
	int rc;
	int i;

	if (tcx->tc_root->tr_depth == 0)
		return 0;
	path[0].tr_node = tcx->tc_root->tr_node;
	path[0].tr_at = 0;
	for (;;) {
		struct evt_node *nd = evt_off2node(tcx, path[level].tr_node);

		rc = evt_node_check(tcx, nd);
		if (rc != 0)
			return rc;
		if (evt_node_is_leaf(nd)) {
			for (i = 0; i < nd->tn_nr; i++) {
				if (!evt_ne_overlap(&nd->tn_rec[i], lo, hi, emin, emax))
					continue;
				rc = cb(tcx, &nd->tn_rec[i], arg);
				if (rc != 0)
					return rc;
			}
		} else {
			for (i = path[level].tr_at; i < nd->tn_nr; i++)
				if (evt_ne_overlap(&nd->tn_rec[i], lo, hi, emin, emax))
					break;
			if (i < nd->tn_nr) {
				if (level + 1 >= EVT_MAX_DEPTH)
					return -DER_DF_INVAL;
				path[level].tr_at = i + 1;
				level++;
				path[level].tr_node = evt_ne_child(&nd->tn_rec[i]);
				path[level].tr_at = 0;
				continue;
			}
		}
		if (level == 0)
			return 0;
		level--;
	}
}

/* ------------------------------------------------------------------------------------------
 * Insert
 * ------------------------------------------------------------------------------------------ */
static int
evt_node_alloc(struct evt_context *tcx, bool leaf, umem_off_t *offp)
{
	struct evt_node *nd;
	umem_off_t off;

	off = umem_alloc(&tcx->tc_umm, evt_node_size(tcx));
	if (UMOFF_IS_NULL(off))
		return -DER_NOSPACE;
	if ((off & ~EVT_CHILD_MASK) != 0) {
		/* cannot be packed into a node entry */
		umem_free(&tcx->tc_umm, off);
		return -DER_NOSPACE;
	}
	nd = evt_off2node(tcx, off);
	nd->tn_flags = leaf ? EVT_NODE_LEAF : 0;
	nd->tn_nr = 0;
	nd->tn_magic = EVT_NODE_MAGIC;
	nd->tn_pad = 0;
	*offp = off;
	return 0;
}

/** Bounding rectangle of a node's entries into \a mbr (child left alone). */
static void
evt_node_mbr(const struct evt_node *nd, struct evt_node_entry *mbr)
{
	int i;

	mbr->ne_lo = nd->tn_rec[0].ne_lo;
	mbr->ne_hi = nd->tn_rec[0].ne_hi;
	mbr->ne_epc = nd->tn_rec[0].ne_epc;
	mbr->ne_epc_max = nd->tn_rec[0].ne_epc_max;
	for (i = 1; i < nd->tn_nr; i++) {
		const struct evt_node_entry *ne = &nd->tn_rec[i];

		if (ne->ne_lo < mbr->ne_lo)
			mbr->ne_lo = ne->ne_lo;
		if (ne->ne_hi > mbr->ne_hi)
			mbr->ne_hi = ne->ne_hi;
		if (ne->ne_epc < mbr->ne_epc)
			mbr->ne_epc = ne->ne_epc;
		if (ne->ne_epc_max > mbr->ne_epc_max)
			mbr->ne_epc_max = ne->ne_epc_max;
	}
}

/**
 * Size of the left node when \a total entries (the new one at \a at) split. A true append -
 * the new entry starts after every other one ends (or ends before they all start) - keeps
 * the full node intact and starts the sibling with the new entry, so sequential writes fill
 * nodes completely. Anything else splits in the middle: keeping full nodes around where
 * inserts keep landing (a region rewritten over and over) would leave a trail of
 * one-entry siblings.
 */
static int
evt_split_point(const struct evt_node_entry *e, int total, int at)
{
	int i;

	if (at == total - 1 || at == 0) {
		for (i = 0; i < total; i++) {
			if (i == at)
				continue;
			if (at != 0 && e[i].ne_hi >= e[at].ne_lo)
				break;
			if (at == 0 && e[i].ne_lo <= e[at].ne_hi)
				break;
		}
		if (i == total)
			return at == 0 ? 1 : total - 1;
	}
	return total / 2;
}

/**
 * Insert \a ne at position \a at of the node at \a level of \a path. A full node is split in
 * two (see evt_split_point); the split propagates up to the root.
 */
static int
evt_node_insert(struct evt_context *tcx, struct evt_trace *path, int level, int at,
		const struct evt_node_entry *ne)
{
	struct evt_node_entry tmp[EVT_MAX_ORDER + 1];
	struct evt_node_entry mbr_l;
	struct evt_node_entry mbr_r;
	struct evt_node *nd = evt_off2node(tcx, path[level].tr_node);
	struct evt_node *rn;
	const size_t esz = sizeof(*ne);
	int order = tcx->tc_root->tr_order;
	int nr = nd->tn_nr;
	umem_off_t rn_off;
	int total;
	int nl;
	int rc;

	if (nr < order) {
		rc = evt_tx_add(tcx, nd, sizeof(*nd));
		if (rc == 0)
			rc = evt_tx_add(tcx, &nd->tn_rec[at], (nr - at + 1) * esz);
		if (rc != 0)
			return rc;
		memmove(&nd->tn_rec[at + 1], &nd->tn_rec[at], (nr - at) * esz);
		nd->tn_rec[at] = *ne;
		nd->tn_nr++;
		return 0;
	}

	memcpy(tmp, nd->tn_rec, at * esz);
	tmp[at] = *ne;
	memcpy(&tmp[at + 1], &nd->tn_rec[at], (nr - at) * esz);
	total = nr + 1;
	nl = evt_split_point(tmp, total, at);

	rc = evt_node_alloc(tcx, evt_node_is_leaf(nd), &rn_off);
	if (rc != 0)
		return rc;
	rn = evt_off2node(tcx, rn_off);
	memcpy(rn->tn_rec, &tmp[nl], (total - nl) * esz);
	rn->tn_nr = total - nl;

	rc = evt_tx_add(tcx, nd, sizeof(*nd) + nr * esz);
	if (rc != 0)
		return rc;
	memcpy(nd->tn_rec, tmp, nl * esz);
	nd->tn_nr = nl;

	evt_node_mbr(nd, &mbr_l);
	evt_node_mbr(rn, &mbr_r);
	mbr_l.ne_child = path[level].tr_node;
	mbr_r.ne_child = rn_off;

	if (level == 0) {
		struct evt_root *root = tcx->tc_root;
		struct evt_node *nroot;
		umem_off_t nroot_off;

		if (root->tr_depth >= EVT_MAX_DEPTH - 1)
			return -DER_NOSPACE;
		rc = evt_node_alloc(tcx, false, &nroot_off);
		if (rc != 0)
			return rc;
		nroot = evt_off2node(tcx, nroot_off);
		nroot->tn_rec[0] = mbr_l;
		nroot->tn_rec[1] = mbr_r;
		nroot->tn_nr = 2;
		rc = evt_tx_add(tcx, root, sizeof(*root));
		if (rc != 0)
			return rc;
		root->tr_node = nroot_off;
		root->tr_depth++;
		return 0;
	}

	{
		struct evt_node *pn = evt_off2node(tcx, path[level - 1].tr_node);
		struct evt_node_entry *pe = &pn->tn_rec[path[level - 1].tr_at];

		rc = evt_tx_add(tcx, pe, sizeof(*pe));
		if (rc != 0)
			return rc;
		pe->ne_lo = mbr_l.ne_lo;
		pe->ne_hi = mbr_l.ne_hi;
		pe->ne_epc = mbr_l.ne_epc;
		pe->ne_epc_max = mbr_l.ne_epc_max;
	}
	return evt_node_insert(tcx, path, level - 1, path[level - 1].tr_at + 1, &mbr_r);
}

/** Child of an internal node needing the least enlargement to take \a ne. */
static int
evt_choose(const struct evt_node *nd, const struct evt_node_entry *ne)
{
	uint64_t best_grow = UINT64_MAX;
	uint64_t best_egrow = UINT64_MAX;
	uint64_t best_width = UINT64_MAX;
	int best = 0;
	int i;

	for (i = 0; i < nd->tn_nr; i++) {
		const struct evt_node_entry *c = &nd->tn_rec[i];
		uint64_t lo = c->ne_lo < ne->ne_lo ? c->ne_lo : ne->ne_lo;
		uint64_t hi = c->ne_hi > ne->ne_hi ? c->ne_hi : ne->ne_hi;
		uint64_t width = c->ne_hi - c->ne_lo;
		uint64_t grow = (hi - lo) - width;
		uint64_t egrow = ne->ne_epc < c->ne_epc ? c->ne_epc - ne->ne_epc : 0;

		if (grow < best_grow || (grow == best_grow && egrow < best_egrow) ||
		    (grow == best_grow && egrow == best_egrow && width < best_width)) {
			best_grow = grow;
			best_egrow = egrow;
			best_width = width;
			best = i;
		}
	}
	return best;
}

/** Leaf position keeping (lo, epoch, minor) order. */
static int
evt_leaf_pos(const struct evt_node *nd, const struct evt_node_entry *ne)
{
	int lo = 0;
	int hi = nd->tn_nr;

	while (lo < hi) {
		int mid = (lo + hi) / 2;
		const struct evt_node_entry *m = &nd->tn_rec[mid];
		int cmp;

		if (m->ne_lo != ne->ne_lo)
			cmp = m->ne_lo < ne->ne_lo ? -1 : 1;
		else
			cmp = evt_epc_cmp(m->ne_epc, evt_ne_minor(m), ne->ne_epc, evt_ne_minor(ne));
		if (cmp <= 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static int
evt_insert_entry(struct evt_context *tcx, const struct evt_node_entry *ne)
{
	struct evt_trace path[EVT_MAX_DEPTH];
	struct evt_root *root = tcx->tc_root;
	struct evt_node *nd;
	int level;
	int rc;

	if (root->tr_depth == 0) {
		umem_off_t off;

		rc = evt_node_alloc(tcx, true, &off);
		if (rc != 0)
			return rc;
		nd = evt_off2node(tcx, off);
		nd->tn_rec[0] = *ne;
		nd->tn_nr = 1;
		rc = evt_tx_add(tcx, root, sizeof(*root));
		if (rc != 0)
			return rc;
		root->tr_node = off;
		root->tr_depth = 1;
		return 0;
	}

	path[0].tr_node = root->tr_node;
	for (level = 0; level < root->tr_depth - 1; level++) {
		struct evt_node_entry *c;
		int i;

		nd = evt_off2node(tcx, path[level].tr_node);
		rc = evt_node_check(tcx, nd);
		if (rc != 0)
			return rc;
		i = evt_choose(nd, ne);
		c = &nd->tn_rec[i];
		path[level].tr_at = i;
		/* enlarge on the way down: the record ends up below c whatever splits happen */
		if (c->ne_lo > ne->ne_lo || c->ne_hi < ne->ne_hi || c->ne_epc > ne->ne_epc ||
		    c->ne_epc_max < ne->ne_epc_max) {
			rc = evt_tx_add(tcx, c, sizeof(*c));
			if (rc != 0)
				return rc;
			if (c->ne_lo > ne->ne_lo)
				c->ne_lo = ne->ne_lo;
			if (c->ne_hi < ne->ne_hi)
				c->ne_hi = ne->ne_hi;
			if (c->ne_epc > ne->ne_epc)
				c->ne_epc = ne->ne_epc;
			if (c->ne_epc_max < ne->ne_epc_max)
				c->ne_epc_max = ne->ne_epc_max;
		}
		path[level + 1].tr_node = evt_ne_child(c);
	}
	nd = evt_off2node(tcx, path[level].tr_node);
	rc = evt_node_check(tcx, nd);
	if (rc != 0)
		return rc;
	return evt_node_insert(tcx, path, level, evt_leaf_pos(nd, ne), ne);
}

struct evt_ow_arg {
	const struct evt_rect *oa_rect;
};

static int
evt_overwrite_cb(struct evt_context *tcx, const struct evt_node_entry *ne, void *arg)
{
	const struct evt_rect *r = ((struct evt_ow_arg *)arg)->oa_rect;

	if (ne->ne_epc != r->rc_epc || evt_ne_minor(ne) != r->rc_minor_epc)
		return 0;
	if (ne->ne_lo == r->rc_ex.ex_lo && ne->ne_hi == r->rc_ex.ex_hi)
		return -DER_EXIST;
	D_DEBUG(DB_TRACE, "same epoch partial overwrite of " DF_RECT "\n", DP_RECT(r));
	return -DER_VOS_PARTIAL_UPDATE;
}

int
evt_insert(daos_handle_t toh, const struct evt_entry_in *entry, uint8_t **csum_bufp)
{
	struct evt_context *tcx = evt_hdl2tcx(toh);
	struct evt_root *root;
	struct evt_ow_arg oa;
	struct evt_node_entry ne;
	struct evt_desc *desc;
	umem_off_t desc_off;
	const struct evt_rect *r;
	uint32_t csum_bytes = 0;
	bool hole;
	int rc;

	if (tcx == NULL)
		return -DER_NO_HDL;
	if (entry == NULL)
		return -DER_INVAL;
	root = tcx->tc_root;
	r = &entry->ei_rect;
	if (r->rc_ex.ex_lo > r->rc_ex.ex_hi) {
		D_ERROR("bad extent " DF_EXT "\n", DP_EXT(&r->rc_ex));
		return -DER_INVAL;
	}
	hole = entry->ei_inob == 0 || bio_addr_is_hole(&entry->ei_addr);
	if (root->tr_inob != 0 && entry->ei_inob != 0 && entry->ei_inob != root->tr_inob) {
		D_ERROR("record size %u differs from the tree's %u\n", entry->ei_inob,
			root->tr_inob);
		return -DER_INVAL;
	}
	if (entry->ei_csum.cs_nr != 0 && entry->ei_csum.cs_len != 0) {
		uint64_t bytes = (uint64_t)entry->ei_csum.cs_nr * entry->ei_csum.cs_len;

		if (bytes > EVT_CSUM_MAX) {
			D_ERROR("checksum buffer of " DF_U64 " bytes too large\n", bytes);
			return -DER_INVAL;
		}
		csum_bytes = (uint32_t)bytes;
	}

	oa.oa_rect = r;
	rc = evt_walk(tcx, r->rc_ex.ex_lo, r->rc_ex.ex_hi, r->rc_epc, r->rc_epc, evt_overwrite_cb,
		      &oa);
	if (rc != 0)
		return rc;

	rc = umem_tx_begin(&tcx->tc_umm, NULL);
	if (rc != 0)
		return rc;

	desc_off = umem_alloc(&tcx->tc_umm, sizeof(*desc) + csum_bytes);
	if (UMOFF_IS_NULL(desc_off) || (desc_off & ~EVT_CHILD_MASK) != 0) {
		rc = -DER_NOSPACE;
		goto out;
	}
	desc = evt_off2desc(tcx, desc_off);
	desc->dc_ex_addr = entry->ei_addr;
	bio_addr_set_hole(&desc->dc_ex_addr, hole);
	desc->dc_ver = entry->ei_ver;
	desc->dc_magic = EVT_DESC_MAGIC;
	desc->dc_dtx = UMOFF_NULL;
	desc->dc_csum_nr = csum_bytes ? entry->ei_csum.cs_nr : 0;
	desc->dc_csum_len = csum_bytes ? entry->ei_csum.cs_len : 0;
	desc->dc_csum_type = entry->ei_csum.cs_type;
	desc->dc_csum_chunk = entry->ei_csum.cs_chunksize;
	desc->dc_pad = 0;
	if (csum_bytes != 0) {
		if (entry->ei_csum.cs_csum != NULL)
			memcpy(desc->pt_csum, entry->ei_csum.cs_csum, csum_bytes);
		else
			memset(desc->pt_csum, 0, csum_bytes);
	}

	if (tcx->tc_cbs.dc_log_add_cb != NULL) {
		rc = tcx->tc_cbs.dc_log_add_cb(&tcx->tc_umm, desc, tcx->tc_cbs.dc_log_add_args);
		if (rc != 0)
			goto out;
	}

	ne.ne_lo = r->rc_ex.ex_lo;
	ne.ne_hi = r->rc_ex.ex_hi;
	ne.ne_epc = r->rc_epc;
	ne.ne_epc_max = r->rc_epc;
	ne.ne_child = desc_off | ((uint64_t)r->rc_minor_epc << EVT_CHILD_BITS);
	rc = evt_insert_entry(tcx, &ne);
	if (rc != 0)
		goto out;

	rc = evt_tx_add(tcx, root, sizeof(*root));
	if (rc != 0)
		goto out;
	root->tr_count++;
	if (root->tr_inob == 0 && entry->ei_inob != 0)
		root->tr_inob = entry->ei_inob;
	if (root->tr_csum_len == 0 && csum_bytes != 0) {
		root->tr_csum_len = entry->ei_csum.cs_len;
		root->tr_csum_type = entry->ei_csum.cs_type;
		root->tr_csum_chunk_size = entry->ei_csum.cs_chunksize;
	}
	if (csum_bufp != NULL)
		*csum_bufp = csum_bytes ? desc->pt_csum : NULL;
out:
	return umem_tx_end(&tcx->tc_umm, rc);
}

/* ------------------------------------------------------------------------------------------
 * Delete
 * ------------------------------------------------------------------------------------------ */
/** Path to the leaf entry of exactly \a r. */
static int
evt_find_exact(struct evt_context *tcx, const struct evt_rect *r, struct evt_trace *path)
{
	int level = 0;
	int depth = tcx->tc_root->tr_depth;
	int rc;
	int i;

	if (depth == 0)
		return -DER_ENOENT;
	path[0].tr_node = tcx->tc_root->tr_node;
	path[0].tr_at = 0;
	for (;;) {
		struct evt_node *nd = evt_off2node(tcx, path[level].tr_node);

		rc = evt_node_check(tcx, nd);
		if (rc != 0)
			return rc;
		for (i = path[level].tr_at; i < nd->tn_nr; i++) {
			const struct evt_node_entry *ne = &nd->tn_rec[i];

			if (level == depth - 1) {
				if (ne->ne_lo == r->rc_ex.ex_lo && ne->ne_hi == r->rc_ex.ex_hi &&
				    ne->ne_epc == r->rc_epc &&
				    evt_ne_minor(ne) == r->rc_minor_epc) {
					path[level].tr_at = i;
					return 0;
				}
			} else if (ne->ne_lo <= r->rc_ex.ex_lo && ne->ne_hi >= r->rc_ex.ex_hi &&
				   ne->ne_epc <= r->rc_epc && ne->ne_epc_max >= r->rc_epc) {
				break;
			}
		}
		if (level < depth - 1 && i < nd->tn_nr) {
			path[level].tr_at = i;
			level++;
			path[level].tr_node = evt_ne_child(&nd->tn_rec[i]);
			path[level].tr_at = 0;
			continue;
		}
		if (level == 0)
			return -DER_ENOENT;
		level--;
		path[level].tr_at++;
	}
}

/** Remove entry \a at of the node at \a level; empty nodes go, ancestors' MBRs shrink. */
static int
evt_node_remove(struct evt_context *tcx, struct evt_trace *path, int level, int at)
{
	struct evt_node *nd = evt_off2node(tcx, path[level].tr_node);
	struct evt_root *root = tcx->tc_root;
	const size_t esz = sizeof(struct evt_node_entry);
	int rc;
	int l;

	if (nd->tn_nr == 1) {
		rc = umem_free(&tcx->tc_umm, path[level].tr_node);
		if (rc != 0)
			return rc;
		if (level > 0)
			return evt_node_remove(tcx, path, level - 1, path[level - 1].tr_at);
		rc = evt_tx_add(tcx, root, sizeof(*root));
		if (rc != 0)
			return rc;
		root->tr_node = UMOFF_NULL;
		root->tr_depth = 0;
		return 0;
	}

	rc = evt_tx_add(tcx, nd, sizeof(*nd));
	if (rc == 0 && at < nd->tn_nr - 1)
		rc = evt_tx_add(tcx, &nd->tn_rec[at], (nd->tn_nr - at - 1) * esz);
	if (rc != 0)
		return rc;
	memmove(&nd->tn_rec[at], &nd->tn_rec[at + 1], (nd->tn_nr - at - 1) * esz);
	nd->tn_nr--;

	for (l = level; l > 0; l--) {
		struct evt_node *child = evt_off2node(tcx, path[l].tr_node);
		struct evt_node *pn = evt_off2node(tcx, path[l - 1].tr_node);
		struct evt_node_entry *pe = &pn->tn_rec[path[l - 1].tr_at];
		struct evt_node_entry mbr;

		evt_node_mbr(child, &mbr);
		if (mbr.ne_lo == pe->ne_lo && mbr.ne_hi == pe->ne_hi && mbr.ne_epc == pe->ne_epc &&
		    mbr.ne_epc_max == pe->ne_epc_max)
			break;
		rc = evt_tx_add(tcx, pe, sizeof(*pe));
		if (rc != 0)
			return rc;
		pe->ne_lo = mbr.ne_lo;
		pe->ne_hi = mbr.ne_hi;
		pe->ne_epc = mbr.ne_epc;
		pe->ne_epc_max = mbr.ne_epc_max;
	}

	/* an internal root with one child is replaced by that child */
	while (root->tr_depth > 1) {
		struct evt_node *rn = evt_off2node(tcx, root->tr_node);
		umem_off_t child;

		if (rn->tn_nr != 1)
			break;
		child = evt_ne_child(&rn->tn_rec[0]);
		rc = umem_free(&tcx->tc_umm, root->tr_node);
		if (rc == 0)
			rc = evt_tx_add(tcx, root, sizeof(*root));
		if (rc != 0)
			return rc;
		root->tr_node = child;
		root->tr_depth--;
	}
	return 0;
}

/** Fill \a ent from a leaf entry (whole extent selected). */
static void
evt_leaf_entry_fill(struct evt_context *tcx, const struct evt_node_entry *ne, struct evt_entry *ent)
{
	struct evt_cand c;

	c.c_lo = c.c_ext_lo = ne->ne_lo;
	c.c_hi = c.c_ext_hi = ne->ne_hi;
	c.c_epc = ne->ne_epc;
	c.c_minor = evt_ne_minor(ne);
	c.c_desc = evt_ne_child(ne);
	c.c_hole = 0;
	c.c_avail = 0;
	evt_entry_fill(tcx, &c, c.c_lo, c.c_hi, 0, ent);
}

/** Remove the leaf entry at the end of \a path, with its descriptor (data left alone). */
static int
evt_leaf_remove(struct evt_context *tcx, struct evt_trace *path, struct evt_entry *ent,
		bool free_data)
{
	struct evt_root *root = tcx->tc_root;
	int level = root->tr_depth - 1;
	struct evt_node *nd = evt_off2node(tcx, path[level].tr_node);
	struct evt_node_entry *ne = &nd->tn_rec[path[level].tr_at];
	umem_off_t desc_off = evt_ne_child(ne);
	struct evt_desc *desc = evt_off2desc(tcx, desc_off);
	int rc;

	if (desc == NULL || desc->dc_magic != EVT_DESC_MAGIC) {
		D_ERROR("corrupt evtree descriptor\n");
		return -DER_DF_INVAL;
	}
	if (ent != NULL) {
		evt_leaf_entry_fill(tcx, ne, ent);
		/* the checksum buffer goes with the descriptor */
		ent->en_csum.cs_csum = NULL;
	}
	if (free_data && !bio_addr_is_hole(&desc->dc_ex_addr) &&
	    tcx->tc_cbs.dc_bio_free_cb != NULL) {
		rc = tcx->tc_cbs.dc_bio_free_cb(&tcx->tc_umm, desc,
						(ne->ne_hi - ne->ne_lo + 1) * root->tr_inob,
						tcx->tc_cbs.dc_bio_free_args);
		if (rc != 0)
			return rc;
	}
	if (tcx->tc_cbs.dc_log_del_cb != NULL) {
		rc = tcx->tc_cbs.dc_log_del_cb(&tcx->tc_umm, ne->ne_epc, desc,
					       tcx->tc_cbs.dc_log_del_args);
		if (rc != 0)
			return rc;
	}
	rc = evt_tx_add(tcx, &desc->dc_magic, sizeof(desc->dc_magic));
	if (rc != 0)
		return rc;
	desc->dc_magic = 0;
	rc = umem_free(&tcx->tc_umm, desc_off);
	if (rc != 0)
		return rc;
	rc = evt_node_remove(tcx, path, level, path[level].tr_at);
	if (rc != 0)
		return rc;
	rc = evt_tx_add(tcx, root, sizeof(*root));
	if (rc != 0)
		return rc;
	root->tr_count--;
	return 0;
}

int
evt_delete_internal(struct evt_context *tcx, const struct evt_rect *rect, struct evt_entry *ent)
{
	struct evt_trace path[EVT_MAX_DEPTH];
	int rc;

	rc = evt_find_exact(tcx, rect, path);
	if (rc != 0)
		return rc;
	rc = umem_tx_begin(&tcx->tc_umm, NULL);
	if (rc != 0)
		return rc;
	rc = evt_leaf_remove(tcx, path, ent, false);
	return umem_tx_end(&tcx->tc_umm, rc);
}

int
evt_delete(daos_handle_t toh, const struct evt_rect *rect, struct evt_entry *ent)
{
	struct evt_context *tcx = evt_hdl2tcx(toh);

	if (tcx == NULL)
		return -DER_NO_HDL;
	if (rect == NULL)
		return -DER_INVAL;
	return evt_delete_internal(tcx, rect, ent);
}

/* ------------------------------------------------------------------------------------------
 * Destroy and drain
 * ------------------------------------------------------------------------------------------ */
static int
evt_subtree_free(struct evt_context *tcx, umem_off_t off, int level)
{
	struct evt_node *nd = evt_off2node(tcx, off);
	int rc;
	int i;

	rc = evt_node_check(tcx, nd);
	if (rc != 0)
		return rc;
	for (i = 0; i < nd->tn_nr; i++) {
		const struct evt_node_entry *ne = &nd->tn_rec[i];

		if (level < tcx->tc_root->tr_depth - 1) {
			rc = evt_subtree_free(tcx, evt_ne_child(ne), level + 1);
		} else {
			struct evt_desc *desc = evt_off2desc(tcx, evt_ne_child(ne));

			if (desc == NULL || desc->dc_magic != EVT_DESC_MAGIC)
				return -DER_DF_INVAL;
			if (!bio_addr_is_hole(&desc->dc_ex_addr) &&
			    tcx->tc_cbs.dc_bio_free_cb != NULL)
				rc = tcx->tc_cbs.dc_bio_free_cb(&tcx->tc_umm, desc,
								(ne->ne_hi - ne->ne_lo + 1) *
									tcx->tc_root->tr_inob,
								tcx->tc_cbs.dc_bio_free_args);
			if (rc == 0)
				rc = umem_free(&tcx->tc_umm, evt_ne_child(ne));
		}
		if (rc != 0)
			return rc;
	}
	return umem_free(&tcx->tc_umm, off);
}

static int
evt_root_reset(struct evt_context *tcx)
{
	int rc;

	rc = evt_tx_add(tcx, tcx->tc_root, sizeof(*tcx->tc_root));
	if (rc == 0)
		memset(tcx->tc_root, 0, sizeof(*tcx->tc_root));
	return rc;
}

int
evt_destroy(daos_handle_t toh)
{
	struct evt_context *tcx = evt_hdl2tcx(toh);
	int rc;

	if (tcx == NULL)
		return -DER_NO_HDL;
	rc = umem_tx_begin(&tcx->tc_umm, NULL);
	if (rc != 0)
		return rc;
	if (tcx->tc_root->tr_depth != 0)
		rc = evt_subtree_free(tcx, tcx->tc_root->tr_node, 0);
	if (rc == 0)
		rc = evt_root_reset(tcx);
	rc = umem_tx_end(&tcx->tc_umm, rc);
	if (rc == 0)
		evt_tcx_close(tcx);
	return rc;
}

int
evt_drain(daos_handle_t toh, int *credits, bool *destroyed)
{
	struct evt_context *tcx = evt_hdl2tcx(toh);
	struct evt_trace path[EVT_MAX_DEPTH];
	struct evt_root *root;
	int rc;

	if (tcx == NULL)
		return -DER_NO_HDL;
	if (credits == NULL || destroyed == NULL || *credits < 0)
		return -DER_INVAL;
	root = tcx->tc_root;
	*destroyed = false;
	rc = umem_tx_begin(&tcx->tc_umm, NULL);
	if (rc != 0)
		return rc;
	while (*credits > 0 && root->tr_depth != 0) {
		struct evt_node *nd;
		int level;

		/* last record of the leftmost leaf: no entry moves, the leaf shrinks */
		path[0].tr_node = root->tr_node;
		for (level = 0;; level++) {
			nd = evt_off2node(tcx, path[level].tr_node);
			rc = evt_node_check(tcx, nd);
			if (rc != 0)
				goto out;
			if (level == root->tr_depth - 1) {
				path[level].tr_at = nd->tn_nr - 1;
				break;
			}
			path[level].tr_at = 0;
			path[level + 1].tr_node = evt_ne_child(&nd->tn_rec[0]);
		}
		rc = evt_leaf_remove(tcx, path, NULL, true);
		if (rc != 0)
			goto out;
		(*credits)--;
	}
	if (root->tr_depth == 0) {
		rc = evt_root_reset(tcx);
		if (rc == 0)
			*destroyed = true;
	}
out:
	rc = umem_tx_end(&tcx->tc_umm, rc);
	if (rc != 0)
		*destroyed = false;
	return rc;
}

/* ------------------------------------------------------------------------------------------
 * Queries and debugging
 * ------------------------------------------------------------------------------------------ */
static int
evt_has_data_cb(struct evt_context *tcx, const struct evt_node_entry *ne, void *arg)
{
	struct evt_desc *desc = evt_off2desc(tcx, evt_ne_child(ne));

	if (desc == NULL || desc->dc_magic != EVT_DESC_MAGIC)
		return -DER_DF_INVAL;
	return bio_addr_is_hole(&desc->dc_ex_addr) ? 0 : 1;
}

int
evt_has_data(struct evt_root *root, struct umem_attr *uma)
{
	struct evt_context tcx;
	int rc;

	if (root == NULL || uma == NULL)
		return -DER_INVAL;
	if (root->tr_order == 0 || root->tr_depth == 0)
		return 0;
	rc = evt_root_check(root);
	if (rc != 0)
		return rc;
	rc = evt_tcx_init(&tcx, root, uma, NULL);
	if (rc != 0)
		return rc;
	return evt_walk(&tcx, 0, UINT64_MAX, 0, UINT64_MAX, evt_has_data_cb, NULL);
}

static int
evt_check_node(struct evt_context *tcx, umem_off_t off, int level,
	       const struct evt_node_entry *bound, uint64_t *count)
{
	struct evt_node *nd = evt_off2node(tcx, off);
	bool leaf = level == tcx->tc_root->tr_depth - 1;
	int rc;
	int i;

	rc = evt_node_check(tcx, nd);
	if (rc != 0)
		return rc;
	if (evt_node_is_leaf(nd) != leaf) {
		D_ERROR("leaf flag wrong at level %d\n", level);
		return -DER_DF_INVAL;
	}
	for (i = 0; i < nd->tn_nr; i++) {
		const struct evt_node_entry *ne = &nd->tn_rec[i];

		if (ne->ne_lo > ne->ne_hi) {
			D_ERROR("inverted extent at level %d\n", level);
			return -DER_DF_INVAL;
		}
		if (ne->ne_epc > ne->ne_epc_max || (leaf && ne->ne_epc != ne->ne_epc_max)) {
			D_ERROR("bad epoch range at level %d\n", level);
			return -DER_DF_INVAL;
		}
		if (bound != NULL &&
		    (ne->ne_lo < bound->ne_lo || ne->ne_hi > bound->ne_hi ||
		     ne->ne_epc < bound->ne_epc || ne->ne_epc_max > bound->ne_epc_max)) {
			D_ERROR("entry outside its parent's MBR at level %d\n", level);
			return -DER_DF_INVAL;
		}
		if (leaf) {
			struct evt_desc *desc = evt_off2desc(tcx, evt_ne_child(ne));

			if (desc == NULL || desc->dc_magic != EVT_DESC_MAGIC)
				return -DER_DF_INVAL;
			(*count)++;
		} else {
			rc = evt_check_node(tcx, evt_ne_child(ne), level + 1, ne, count);
			if (rc != 0)
				return rc;
		}
	}
	return 0;
}

int
evt_check(daos_handle_t toh)
{
	struct evt_context *tcx = evt_hdl2tcx(toh);
	uint64_t count = 0;
	int rc;

	if (tcx == NULL)
		return -DER_NO_HDL;
	if (tcx->tc_root->tr_depth == 0)
		return tcx->tc_root->tr_count == 0 ? 0 : -DER_DF_INVAL;
	rc = evt_check_node(tcx, tcx->tc_root->tr_node, 0, NULL, &count);
	if (rc == 0 && count != tcx->tc_root->tr_count) {
		D_ERROR("tree holds " DF_U64 " records, root says " DF_U64 "\n", count,
			tcx->tc_root->tr_count);
		rc = -DER_DF_INVAL;
	}
	return rc;
}

static void
evt_debug_node(struct evt_context *tcx, umem_off_t off, int level, int max_level)
{
	struct evt_node *nd = evt_off2node(tcx, off);
	int i;

	if (evt_node_check(tcx, nd) != 0)
		return;
	D_DEBUG(DB_TRACE, "level %d node " UMOFF_PF " nr %u%s\n", level, UMOFF_P(off), nd->tn_nr,
		evt_node_is_leaf(nd) ? " leaf" : "");
	for (i = 0; i < nd->tn_nr; i++) {
		const struct evt_node_entry *ne = &nd->tn_rec[i];

		D_DEBUG(DB_TRACE, "  [%d] " DF_U64 "-" DF_U64 "@" DF_U64 ".%u\n", i, ne->ne_lo,
			ne->ne_hi, ne->ne_epc, evt_ne_minor(ne));
		if (!evt_node_is_leaf(nd) && (max_level < 0 || level < max_level))
			evt_debug_node(tcx, evt_ne_child(ne), level + 1, max_level);
	}
}

int
evt_debug(daos_handle_t toh, int debug_level)
{
	struct evt_context *tcx = evt_hdl2tcx(toh);

	if (tcx == NULL)
		return -DER_NO_HDL;
	D_DEBUG(DB_TRACE, "evtree order %u depth %u records " DF_U64 "\n", tcx->tc_root->tr_order,
		tcx->tc_root->tr_depth, tcx->tc_root->tr_count);
	if (tcx->tc_root->tr_depth != 0)
		evt_debug_node(tcx, tcx->tc_root->tr_node, 0, debug_level);
	return 0;
}
