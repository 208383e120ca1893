/**
 * dbtree: B+tree operations (probe, insert with split, delete with borrow/merge, fetch,
 * upsert, delete). Contexts, destroy, drain and query are in btree_tree.c, iterators in
 * btree_iter.c, handles and classes in btree_class.c, dbtree_check in btree_check.c.
 * Design notes: README.md in this folder.
 */
#define D_LOGFAC DD_FAC(common)

#include "btr_internal.h"

/* Set when a class comparison callback reported BTR_CMP_ERR during the current operation. */
static __thread bool btr_cmp_failed;

static inline int
btr_cmp_rc2int(int rc)
{
	if (rc & BTR_CMP_ERR) {
		btr_cmp_failed = true;
		return 1;
	}
	if (rc & BTR_CMP_LT)
		return -1;
	return (rc & BTR_CMP_GT) ? 1 : 0;
}

static inline int
btr_u64_cmp(uint64_t a, uint64_t b)
{
	return a < b ? -1 : a > b;
}

/* Inline-key comparison of \a rec with \a sk: record minus key. */
static inline int
btr_hkey_cmp(struct btr_context *tcx, struct btr_record *rec, struct btr_skey *sk)
{
	btr_ops_t *ops = btr_ops(tcx);

	if (tcx->tc_hkey_u64)
		return btr_u64_cmp(rec->rec_ukey[0], sk->sk_hkey_u64[0]);
	if (ops->to_hkey_cmp != NULL)
		return btr_cmp_rc2int(ops->to_hkey_cmp(&tcx->tc_tins, rec, sk->sk_hkey));
	return memcmp(rec->rec_hkey, sk->sk_hkey, tcx->tc_hkey_size);
}

static inline int
btr_real_key_cmp(struct btr_context *tcx, struct btr_record *rec, d_iov_t *key)
{
	return btr_cmp_rc2int(btr_ops(tcx)->to_key_cmp(&tcx->tc_tins, rec, key));
}

/* Leaf record vs key: the full order. */
static inline int
btr_leaf_cmp(struct btr_context *tcx, struct btr_record *rec, struct btr_skey *sk)
{
	int c;

	switch (tcx->tc_mode) {
	case BTR_KEY_UINT:
		return btr_u64_cmp(rec->rec_ukey[0], sk->sk_ukey);
	case BTR_KEY_DIRECT:
		return btr_real_key_cmp(tcx, rec, sk->sk_key);
	case BTR_KEY_HASH_COLL:
		c = btr_hkey_cmp(tcx, rec, sk);
		if (c == 0 && sk->sk_key != NULL)
			c = btr_real_key_cmp(tcx, rec, sk->sk_key);
		return c;
	default:
		return btr_hkey_cmp(tcx, rec, sk);
	}
}

/* Separator of an internal node vs key. Direct keys: the first record of the leaf it names. */
static inline int
btr_sep_cmp(struct btr_context *tcx, struct btr_record *rec, struct btr_skey *sk)
{
	struct btr_node *leaf;

	switch (tcx->tc_mode) {
	case BTR_KEY_UINT:
		return btr_u64_cmp(rec->rec_ukey[0], sk->sk_ukey);
	case BTR_KEY_DIRECT:
		leaf = btr_off2node(tcx, rec->rec_node[0]);
		return btr_real_key_cmp(tcx, btr_rec_at(tcx, leaf, 0), sk->sk_key);
	default:
		return btr_hkey_cmp(tcx, rec, sk);
	}
}

static inline void
btr_key_copy(struct btr_context *tcx, struct btr_record *dst, struct btr_record *src)
{
	memcpy(dst->rec_hkey, src->rec_hkey, tcx->tc_rec_size - sizeof(umem_off_t));
}

static inline void
btr_rec_copy(struct btr_context *tcx, struct btr_record *dst, struct btr_record *src, int nr)
{
	memmove(dst, src, (size_t)nr * tcx->tc_rec_size);
}

static inline size_t
btr_node_size(struct btr_context *tcx, int cap)
{
	return sizeof(struct btr_node) + (size_t)cap * tcx->tc_rec_size;
}

static inline int
btr_tx_add(struct btr_context *tcx, void *ptr, size_t size)
{
	if (size == 0)
		return 0;
	return umem_tx_add_ptr(btr_umm(tcx), ptr, size);
}

/* Snapshot the header and records [from, to) of \a nd. */
int
btr_node_tx_add(struct btr_context *tcx, struct btr_node *nd, int from, int to)
{
	int rc;

	rc = btr_tx_add(tcx, nd, sizeof(*nd));
	if (rc == 0 && to > from)
		rc = btr_tx_add(tcx, btr_rec_at(tcx, nd, from),
				(size_t)(to - from) * tcx->tc_rec_size);
	return rc;
}

int
btr_root_tx_add(struct btr_context *tcx)
{
	return btr_tx_add(tcx, btr_root(tcx), sizeof(struct btr_root));
}

int
btr_tx_begin(struct btr_context *tcx)
{
	return umem_tx_begin(btr_umm(tcx), NULL);
}

int
btr_tx_end(struct btr_context *tcx, int rc)
{
	if (rc != 0)
		return umem_tx_abort(btr_umm(tcx), rc);
	return umem_tx_commit(btr_umm(tcx));
}

int
btr_node_free(struct btr_context *tcx, umem_off_t off)
{
	int rc = umem_free(btr_umm(tcx), off);

	if (rc != 0)
		D_ERROR("failed to free tree node " UMOFF_PF ": " DF_RC "\n", UMOFF_P(off),
			DP_RC(rc));
	return rc;
}

static inline int
btr_min_keys(struct btr_context *tcx, bool leaf)
{
	return leaf ? tcx->tc_order / 2 : (tcx->tc_order - 1) / 2;
}

/* -------------------------------------------------------------------------------------------
 * Keys
 * ------------------------------------------------------------------------------------------- */

int
btr_skey_init(struct btr_context *tcx, d_iov_t *key, struct btr_skey *sk)
{
	if (key == NULL)
		return -DER_INVAL;
	sk->sk_key = key;
	switch (tcx->tc_mode) {
	case BTR_KEY_UINT:
		if (key->iov_buf == NULL || key->iov_len != sizeof(uint64_t))
			return -DER_INVAL;
		memcpy(&sk->sk_ukey, key->iov_buf, sizeof(uint64_t));
		break;
	case BTR_KEY_DIRECT:
		break;
	default:
		btr_ops(tcx)->to_hkey_gen(&tcx->tc_tins, key, sk->sk_hkey);
		break;
	}
	return 0;
}

int
btr_skey_from_anchor(struct btr_context *tcx, daos_anchor_t *anchor, struct btr_skey *sk)
{
	btr_ops_t *ops = btr_ops(tcx);
	int hs = tcx->tc_hkey_size;

	sk->sk_key = NULL;
	switch (tcx->tc_mode) {
	case BTR_KEY_UINT:
		memcpy(&sk->sk_ukey, anchor->da_buf, sizeof(uint64_t));
		break;
	case BTR_KEY_DIRECT:
		d_iov_set(&sk->sk_iov, NULL, 0);
		ops->to_key_decode(&tcx->tc_tins, &sk->sk_iov, anchor);
		sk->sk_key = &sk->sk_iov;
		break;
	default:
		memcpy(sk->sk_hkey, anchor->da_buf, hs);
		if (tcx->tc_mode == BTR_KEY_HASH_COLL && ops->to_key_decode != NULL &&
		    (anchor->da_flags & 1)) {
			memset(&sk->sk_scratch, 0, sizeof(sk->sk_scratch));
			memcpy(sk->sk_scratch.da_buf, anchor->da_buf + hs,
			       DAOS_ANCHOR_BUF_MAX - hs);
			d_iov_set(&sk->sk_iov, NULL, 0);
			ops->to_key_decode(&tcx->tc_tins, &sk->sk_iov, &sk->sk_scratch);
			sk->sk_key = &sk->sk_iov;
		}
		break;
	}
	return 0;
}

/*
 * Anchor of a record: its inline key, plus the class's encoding of the real key where the
 * inline key does not identify it (direct keys; hashed keys with collisions, da_flags bit 0).
 */
int
btr_rec_anchor(struct btr_context *tcx, struct btr_record *rec, daos_anchor_t *anchor)
{
	btr_ops_t *ops = btr_ops(tcx);
	int hs = tcx->tc_hkey_size;
	daos_anchor_t scratch;
	d_iov_t key;
	int rc;

	memset(anchor->da_buf, 0, sizeof(anchor->da_buf));
	anchor->da_type = DAOS_ANCHOR_TYPE_HKEY;
	anchor->da_flags &= ~1U;
	switch (tcx->tc_mode) {
	case BTR_KEY_UINT:
		memcpy(anchor->da_buf, rec->rec_ukey, sizeof(uint64_t));
		return 0;
	case BTR_KEY_DIRECT:
		d_iov_set(&key, NULL, 0);
		rc = ops->to_rec_fetch(&tcx->tc_tins, rec, &key, NULL);
		if (rc != 0)
			return rc;
		ops->to_key_encode(&tcx->tc_tins, &key, anchor);
		return 0;
	default:
		memcpy(anchor->da_buf, rec->rec_hkey, hs);
		if (tcx->tc_mode != BTR_KEY_HASH_COLL || ops->to_key_encode == NULL)
			return 0;
		d_iov_set(&key, NULL, 0);
		rc = ops->to_rec_fetch(&tcx->tc_tins, rec, &key, NULL);
		if (rc != 0)
			return rc;
		memset(&scratch, 0, sizeof(scratch));
		ops->to_key_encode(&tcx->tc_tins, &key, &scratch);
		memcpy(anchor->da_buf + hs, scratch.da_buf, DAOS_ANCHOR_BUF_MAX - hs);
		anchor->da_flags |= 1;
		return 0;
	}
}

int
btr_cmp_leaf_rec(struct btr_context *tcx, struct btr_record *rec, struct btr_skey *sk)
{
	return btr_leaf_cmp(tcx, rec, sk);
}

int
btr_cmp_sep_rec(struct btr_context *tcx, struct btr_record *rec, struct btr_skey *sk)
{
	return btr_sep_cmp(tcx, rec, sk);
}

/* -------------------------------------------------------------------------------------------
 * Paths
 * ------------------------------------------------------------------------------------------- */

static inline void
btr_path_copy(struct btr_path *dst, struct btr_path *src)
{
	dst->p_depth = src->p_depth;
	memcpy(dst->p_trace, src->p_trace, src->p_depth * sizeof(src->p_trace[0]));
}

struct btr_record *
btr_path_rec(struct btr_context *tcx, struct btr_path *path)
{
	struct btr_trace *tr = &path->p_trace[path->p_depth - 1];

	return btr_rec_at(tcx, btr_off2node(tcx, tr->tr_node), tr->tr_at);
}

/* Descend from \a off at \a level to the leftmost (or rightmost) record. */
static int
btr_path_descend(struct btr_context *tcx, struct btr_path *path, int level, umem_off_t off,
		 bool left)
{
	struct btr_node *nd;

	for (;; level++) {
		if (level >= BTR_TRACE_MAX || UMOFF_IS_NULL(off))
			return -DER_DF_INVAL;
		nd = btr_off2node(tcx, off);
		path->p_trace[level].tr_node = off;
		if (btr_is_leaf(nd)) {
			path->p_trace[level].tr_at = left ? 0 : nd->tn_keyn - 1;
			path->p_depth = level + 1;
			return nd->tn_keyn > 0 ? 0 : -DER_DF_INVAL;
		}
		path->p_trace[level].tr_at = left ? 0 : nd->tn_keyn;
		off = btr_child_at(tcx, nd, path->p_trace[level].tr_at);
	}
}

/* Move to the first record of the next leaf (or last of the previous one). */
static int
btr_path_climb(struct btr_context *tcx, struct btr_path *path, bool next)
{
	int l;

	for (l = path->p_depth - 2; l >= 0; l--) {
		struct btr_trace *tr = &path->p_trace[l];
		struct btr_node *nd = btr_off2node(tcx, tr->tr_node);

		if (next ? tr->tr_at < nd->tn_keyn : tr->tr_at > 0) {
			tr->tr_at += next ? 1 : -1;
			return btr_path_descend(tcx, path, l + 1, btr_child_at(tcx, nd, tr->tr_at),
						next);
		}
	}
	return -DER_NONEXIST;
}

static int
btr_path_step(struct btr_context *tcx, struct btr_path *path, bool next)
{
	struct btr_trace *tr = &path->p_trace[path->p_depth - 1];
	struct btr_node *nd = btr_off2node(tcx, tr->tr_node);

	if (next ? tr->tr_at + 1 < nd->tn_keyn : tr->tr_at > 0) {
		tr->tr_at += next ? 1 : -1;
		return 0;
	}
	return btr_path_climb(tcx, path, next);
}

/* A leaf position one past the end becomes the first record of the next leaf. */
static int
btr_path_fix(struct btr_context *tcx, struct btr_path *path)
{
	struct btr_trace *tr = &path->p_trace[path->p_depth - 1];

	if (tr->tr_at < btr_off2node(tcx, tr->tr_node)->tn_keyn)
		return 0;
	return btr_path_climb(tcx, path, true);
}

static int
btr_avail(struct btr_context *tcx, struct btr_record *rec, uint32_t intent)
{
	btr_ops_t *ops = btr_ops(tcx);
	int rc;

	if (ops->to_check_availability == NULL)
		return 1;
	rc = ops->to_check_availability(&tcx->tc_tins, rec, intent);
	if (rc < 0)
		return rc;
	return rc != ALB_UNAVAILABLE;
}

/* From the current record, move in direction \a next until an available record. */
static int
btr_path_skip(struct btr_context *tcx, struct btr_path *path, bool next, uint32_t intent)
{
	int rc;

	if (btr_ops(tcx)->to_check_availability == NULL)
		return 0;
	for (;;) {
		rc = btr_avail(tcx, btr_path_rec(tcx, path), intent);
		if (rc < 0)
			return rc;
		if (rc > 0)
			return 0;
		rc = btr_path_step(tcx, path, next);
		if (rc != 0)
			return rc;
	}
}

int
btr_path_move(struct btr_context *tcx, struct btr_path *path, bool next, uint32_t intent)
{
	int rc = btr_path_step(tcx, path, next);

	return rc != 0 ? rc : btr_path_skip(tcx, path, next, intent);
}

int
btr_path_first(struct btr_context *tcx, struct btr_path *path, bool left)
{
	struct btr_root *root = btr_root(tcx);

	path->p_depth = 0;
	if (root->tr_depth == 0)
		return -DER_NONEXIST;
	return btr_path_descend(tcx, path, 0, root->tr_node, left);
}

/* Lower bound of \a sk in leaf \a nd: first record >= key (keyn if none); *eq if equal. */
static inline int
btr_leaf_lbound(struct btr_context *tcx, struct btr_node *nd, struct btr_skey *sk, bool *eq)
{
	int lo = 0, hi = nd->tn_keyn, c_hi = 1;

	while (lo < hi) {
		int mid = (lo + hi) / 2;
		int c = btr_leaf_cmp(tcx, btr_rec_at(tcx, nd, mid), sk);

		if (c < 0) {
			lo = mid + 1;
		} else {
			hi = mid;
			c_hi = c;
		}
	}
	*eq = lo < nd->tn_keyn && c_hi == 0;
	return lo;
}

/*
 * Hash collisions: separators hold hkeys only, so a run of records with the key's hkey may
 * continue in the following leaves. Walk on while the key sorts after a whole leaf, stopping
 * at the end of a leaf if the next one starts above the key (inserting there keeps every
 * separator valid: see README.md).
 */
static int
btr_seek_run(struct btr_context *tcx, struct btr_path *path, struct btr_skey *sk, bool *eq)
{
	struct btr_path tmp;
	int rc;

	for (;;) {
		struct btr_trace *tr;
		struct btr_node *nd;
		int at;

		btr_path_copy(&tmp, path);
		rc = btr_path_climb(tcx, &tmp, true);
		if (rc == -DER_NONEXIST)
			return 0;
		if (rc != 0)
			return rc;
		tr = &tmp.p_trace[tmp.p_depth - 1];
		nd = btr_off2node(tcx, tr->tr_node);
		at = btr_leaf_lbound(tcx, nd, sk, eq);
		if (at == 0 && !*eq)
			return 0;
		tr->tr_at = at;
		btr_path_copy(path, &tmp);
		if (at < nd->tn_keyn)
			return 0;
	}
}

/*
 * Route \a sk from the root to a leaf and put the path at the key's position: the first
 * record >= key, or one past the end of a leaf (insertion point). *eq: that record equals
 * the key.
 */
static int
btr_path_seek(struct btr_context *tcx, struct btr_path *path, struct btr_skey *sk, bool *eq)
{
	struct btr_root *root = btr_root(tcx);
	bool strict = tcx->tc_mode == BTR_KEY_HASH_COLL;
	umem_off_t off = root->tr_node;
	int level;

	*eq = false;
	path->p_depth = 0;
	if (root->tr_depth == 0)
		return -DER_NONEXIST;
	btr_cmp_failed = false;
	for (level = 0; level < BTR_TRACE_MAX; level++) {
		struct btr_node *nd = btr_off2node(tcx, off);
		int lo = 0, hi = nd->tn_keyn;

		path->p_trace[level].tr_node = off;
		if (btr_is_leaf(nd)) {
			int rc = 0;

			lo = btr_leaf_lbound(tcx, nd, sk, eq);
			path->p_trace[level].tr_at = lo;
			path->p_depth = level + 1;
			if (strict && lo == nd->tn_keyn && sk->sk_key != NULL)
				rc = btr_seek_run(tcx, path, sk, eq);
			return btr_cmp_failed ? -DER_INVAL : rc;
		}
		/*
		 * Child = number of separators <= key; with hash collisions a run of equal hkeys
		 * may straddle children, so go to the leftmost candidate (separators < key).
		 */
		while (lo < hi) {
			int mid = (lo + hi) / 2;
			int c = btr_sep_cmp(tcx, btr_rec_at(tcx, nd, mid), sk);

			if (c < 0 || (c == 0 && !strict))
				lo = mid + 1;
			else
				hi = mid;
		}
		path->p_trace[level].tr_at = lo;
		off = btr_child_at(tcx, nd, lo);
	}
	return -DER_DF_INVAL;
}

/*
 * Find the record equal to \a sk. 0: \a path is on it. -DER_NONEXIST: \a path is where it
 * would be inserted.
 */
static int
btr_find(struct btr_context *tcx, struct btr_path *path, struct btr_skey *sk)
{
	bool eq;
	int rc;

	rc = btr_path_seek(tcx, path, sk, &eq);
	if (rc != 0)
		return rc;
	return eq ? 0 : -DER_NONEXIST;
}

int
btr_path_probe(struct btr_context *tcx, struct btr_path *path, dbtree_probe_opc_t opc,
	       uint32_t intent, struct btr_skey *sk)
{
	bool eq;
	int rc;

	switch (opc) {
	case BTR_PROBE_FIRST:
	case BTR_PROBE_LAST:
		rc = btr_path_first(tcx, path, opc == BTR_PROBE_FIRST);
		if (rc != 0)
			return rc;
		return btr_path_skip(tcx, path, opc == BTR_PROBE_FIRST, intent);
	case BTR_PROBE_EQ:
		rc = btr_find(tcx, path, sk);
		if (rc != 0)
			return rc;
		rc = btr_avail(tcx, btr_path_rec(tcx, path), intent);
		return rc < 0 ? rc : (rc > 0 ? 0 : -DER_NONEXIST);
	case BTR_PROBE_GE:
	case BTR_PROBE_GT:
		rc = btr_path_seek(tcx, path, sk, &eq);
		if (rc != 0)
			return rc;
		rc = btr_path_fix(tcx, path);
		if (rc != 0)
			return rc;
		/* a loop: an anchor without the real key matches every record of its hkey */
		while (opc == BTR_PROBE_GT && btr_leaf_cmp(tcx, btr_path_rec(tcx, path), sk) == 0) {
			rc = btr_path_step(tcx, path, true);
			if (rc != 0)
				return rc;
		}
		return btr_path_skip(tcx, path, true, intent);
	case BTR_PROBE_LE:
	case BTR_PROBE_LT:
		rc = btr_path_seek(tcx, path, sk, &eq);
		if (rc != 0)
			return rc;
		/* the lower bound, or one past the last record when none is >= key */
		rc = btr_path_fix(tcx, path);
		if (rc == -DER_NONEXIST)
			eq = false;
		else if (rc != 0)
			return rc;
		else
			eq = btr_leaf_cmp(tcx, btr_path_rec(tcx, path), sk) == 0;
		if (opc == BTR_PROBE_LT || !eq) {
			rc = btr_path_step(tcx, path, false);
			if (rc != 0)
				return rc;
		}
		return btr_path_skip(tcx, path, false, intent);
	default:
		return -DER_INVAL;
	}
}

/* -------------------------------------------------------------------------------------------
 * Insert
 * ------------------------------------------------------------------------------------------- */

/* Is every ancestor of \a level on its last child (the path is the tree's right edge)? */
static bool
btr_path_rightmost(struct btr_context *tcx, struct btr_path *path, int level)
{
	int l;

	for (l = 0; l < level; l++) {
		if (path->p_trace[l].tr_at != btr_off2node(tcx, path->p_trace[l].tr_node)->tn_keyn)
			return false;
	}
	return true;
}

/* Copy elements [j0, j1) of "node records with \a ins inserted at \a pos" to \a dst. */
static void
btr_copy_combined(struct btr_context *tcx, struct btr_record *dst, struct btr_node *nd, int pos,
		  struct btr_record *ins, int j0, int j1)
{
	int j = j0;

	if (j < pos) {
		int n = (j1 < pos ? j1 : pos) - j;

		btr_rec_copy(tcx, dst, btr_rec_at(tcx, nd, j), n);
		dst = (struct btr_record *)((char *)dst + (size_t)n * tcx->tc_rec_size);
		j += n;
	}
	if (j < j1 && j == pos) {
		btr_rec_copy(tcx, dst, ins, 1);
		dst = (struct btr_record *)((char *)dst + tcx->tc_rec_size);
		j++;
	}
	if (j < j1)
		btr_rec_copy(tcx, dst, btr_rec_at(tcx, nd, j - 1), j1 - j);
}

static int
btr_node_insert(struct btr_context *tcx, struct btr_node *nd, int pos, struct btr_record *ins)
{
	int rc;

	rc = btr_node_tx_add(tcx, nd, pos, nd->tn_keyn + 1);
	if (rc != 0)
		return rc;
	btr_rec_copy(tcx, btr_rec_at(tcx, nd, pos + 1), btr_rec_at(tcx, nd, pos),
		     nd->tn_keyn - pos);
	btr_rec_copy(tcx, btr_rec_at(tcx, nd, pos), ins, 1);
	nd->tn_keyn++;
	return 0;
}

/*
 * Split the full node at \a level while inserting \a ins at \a pos. The new right node is
 * \a roff (allocated by the caller); \a up receives the separator for the parent.
 * Appends at the right edge of the tree leave the left node full (sequential keys fill
 * nodes instead of leaving them half empty).
 */
static int
btr_node_split(struct btr_context *tcx, struct btr_path *path, int level, int pos,
	       struct btr_record *ins, umem_off_t roff, struct btr_record *up)
{
	struct btr_node *nd = btr_off2node(tcx, path->p_trace[level].tr_node);
	struct btr_node *rn = btr_off2node(tcx, roff);
	bool leaf = btr_is_leaf(nd);
	int n = nd->tn_keyn + 1;
	bool right = pos == nd->tn_keyn && btr_path_rightmost(tcx, path, level);
	int nl, first;
	int rc;

	if (leaf)
		nl = right ? n - 1 : n / 2;
	else
		nl = right ? n - 2 : n / 2;
	first = leaf ? nl : nl + 1;

	memset(rn, 0, sizeof(*rn));
	rn->tn_flags = leaf ? BTR_NODE_LEAF : 0;
	if (!leaf) {
		/* the middle separator moves up; its child becomes the right node's first */
		btr_copy_combined(tcx, up, nd, pos, ins, nl, nl + 1);
		rn->tn_child = up->rec_off;
	}
	btr_copy_combined(tcx, rn->tn_recs, nd, pos, ins, first, n);
	rn->tn_keyn = n - first;
	if (leaf) {
		if (tcx->tc_mode == BTR_KEY_DIRECT)
			up->rec_node[0] = roff;
		else
			btr_key_copy(tcx, up, rn->tn_recs);
	}
	up->rec_off = roff;

	rc = btr_node_tx_add(tcx, nd, pos < nl ? pos : 0, pos < nl ? nl : 0);
	if (rc != 0)
		return rc;
	if (pos < nl) {
		btr_rec_copy(tcx, btr_rec_at(tcx, nd, pos + 1), btr_rec_at(tcx, nd, pos),
			     nl - 1 - pos);
		btr_rec_copy(tcx, btr_rec_at(tcx, nd, pos), ins, 1);
	}
	nd->tn_keyn = nl;
	return 0;
}

static umem_off_t
btr_node_alloc(struct btr_context *tcx, int cap)
{
	return umem_alloc(btr_umm(tcx), btr_node_size(tcx, cap));
}

/* Replace the root leaf by a larger copy (BTR_FEAT_DYNAMIC_ROOT). */
static int
btr_root_grow(struct btr_context *tcx, struct btr_path *path)
{
	struct btr_root *root = btr_root(tcx);
	struct btr_node *old = btr_off2node(tcx, root->tr_node);
	int cap = root->tr_node_size * 2;
	umem_off_t off;
	int rc;

	if (cap > tcx->tc_order)
		cap = tcx->tc_order;
	off = btr_node_alloc(tcx, cap);
	if (UMOFF_IS_NULL(off))
		return btr_umm(tcx)->umm_nospc_rc;
	memcpy(btr_off2node(tcx, off), old, btr_node_size(tcx, old->tn_keyn));
	rc = btr_root_tx_add(tcx);
	if (rc != 0)
		return rc;
	rc = btr_node_free(tcx, root->tr_node);
	if (rc != 0)
		return rc;
	root->tr_node = off;
	root->tr_node_size = cap;
	path->p_trace[0].tr_node = off;
	return 0;
}

/* Insert the new record \a rec at the leaf position of \a path, splitting as needed. */
static int
btr_insert_rec(struct btr_context *tcx, struct btr_path *path, struct btr_record *rec)
{
	struct btr_root *root = btr_root(tcx);
	umem_off_t nodes[BTR_TRACE_MAX + 1];
	uint64_t bufs[2][BTR_REC_MAX / 8];
	struct btr_record *ins = rec;
	int nr = 0;
	int need;
	int l, pos;
	int rc;

	if (root->tr_depth == 0) {
		struct btr_node *nd;
		int cap = btr_init_root_size(tcx);
		umem_off_t off = btr_node_alloc(tcx, cap);

		if (UMOFF_IS_NULL(off))
			return btr_umm(tcx)->umm_nospc_rc;
		nd = btr_off2node(tcx, off);
		memset(nd, 0, sizeof(*nd));
		nd->tn_flags = BTR_NODE_LEAF;
		nd->tn_keyn = 1;
		btr_rec_copy(tcx, nd->tn_recs, rec, 1);
		rc = btr_root_tx_add(tcx);
		if (rc != 0)
			return rc;
		root->tr_node = off;
		root->tr_depth = 1;
		root->tr_node_size = cap;
		return 0;
	}

	l = path->p_depth - 1;
	if (l == 0 && root->tr_node_size < tcx->tc_order &&
	    btr_off2node(tcx, root->tr_node)->tn_keyn >= root->tr_node_size) {
		rc = btr_root_grow(tcx, path);
		if (rc != 0)
			return rc;
	}

	/* allocate every node the splits need before changing anything */
	for (need = 0; need <= l; need++) {
		if (btr_off2node(tcx, path->p_trace[l - need].tr_node)->tn_keyn < tcx->tc_order)
			break;
	}
	if (need > l)
		need++; /* a new root */
	for (nr = 0; nr < need; nr++) {
		nodes[nr] = btr_node_alloc(tcx, tcx->tc_order);
		if (UMOFF_IS_NULL(nodes[nr])) {
			while (nr-- > 0)
				umem_free(btr_umm(tcx), nodes[nr]);
			return btr_umm(tcx)->umm_nospc_rc;
		}
	}

	pos = path->p_trace[l].tr_at;
	for (nr = 0; l >= 0; l--) {
		struct btr_node *nd = btr_off2node(tcx, path->p_trace[l].tr_node);
		struct btr_record *up = (struct btr_record *)bufs[nr & 1];

		if (nd->tn_keyn < tcx->tc_order)
			return btr_node_insert(tcx, nd, pos, ins);
		memset(up, 0, tcx->tc_rec_size);
		rc = btr_node_split(tcx, path, l, pos, ins, nodes[nr++], up);
		if (rc != 0)
			return rc;
		ins = up;
		if (l > 0)
			pos = path->p_trace[l - 1].tr_at;
	}

	/* the root split: a new root over the two halves */
	{
		struct btr_node *nd = btr_off2node(tcx, nodes[nr]);

		memset(nd, 0, sizeof(*nd));
		nd->tn_keyn = 1;
		nd->tn_child = root->tr_node;
		btr_rec_copy(tcx, nd->tn_recs, ins, 1);
		rc = btr_root_tx_add(tcx);
		if (rc != 0)
			return rc;
		root->tr_node = nodes[nr];
		root->tr_node_size = tcx->tc_order;
		root->tr_depth++;
	}
	return 0;
}

static int
btr_insert(struct btr_context *tcx, struct btr_path *path, struct btr_skey *sk, d_iov_t *key,
	   d_iov_t *val, d_iov_t *val_out)
{
	uint64_t buf[BTR_REC_MAX / 8];
	struct btr_record *rec = (struct btr_record *)buf;
	int rc;

	memset(rec, 0, tcx->tc_rec_size);
	if (tcx->tc_mode == BTR_KEY_UINT)
		rec->rec_ukey[0] = sk->sk_ukey;
	else if (tcx->tc_mode != BTR_KEY_DIRECT)
		memcpy(rec->rec_hkey, sk->sk_hkey, tcx->tc_hkey_size);

	rc = btr_ops(tcx)->to_rec_alloc(&tcx->tc_tins, key, val, rec, val_out);
	if (rc != 0)
		return rc;
	rc = btr_insert_rec(tcx, path, rec);
	if (rc != 0 && !umem_has_tx(btr_umm(tcx)))
		btr_ops(tcx)->to_rec_free(&tcx->tc_tins, rec, NULL);
	return rc;
}

static int
btr_update_at(struct btr_context *tcx, struct btr_record *rec, d_iov_t *key, d_iov_t *val,
	      d_iov_t *val_out)
{
	btr_ops_t *ops = btr_ops(tcx);
	int rc;

	rc = btr_tx_add(tcx, rec, tcx->tc_rec_size);
	if (rc != 0)
		return rc;
	rc = ops->to_rec_update != NULL ? ops->to_rec_update(&tcx->tc_tins, rec, key, val, val_out)
					: -DER_NO_PERM;
	if (rc != -DER_NO_PERM)
		return rc;
	rc = ops->to_rec_free(&tcx->tc_tins, rec, NULL);
	if (rc != 0)
		return rc;
	return ops->to_rec_alloc(&tcx->tc_tins, key, val, rec, val_out);
}

/* -------------------------------------------------------------------------------------------
 * Delete
 * ------------------------------------------------------------------------------------------- */

static int
btr_node_remove(struct btr_context *tcx, struct btr_node *nd, int at)
{
	int rc = btr_node_tx_add(tcx, nd, at, nd->tn_keyn);

	if (rc != 0)
		return rc;
	btr_rec_copy(tcx, btr_rec_at(tcx, nd, at), btr_rec_at(tcx, nd, at + 1),
		     nd->tn_keyn - at - 1);
	nd->tn_keyn--;
	return 0;
}

/* Move one record/child from sibling \a sn into the underflowing \a nd through separator k. */
static int
btr_borrow(struct btr_context *tcx, struct btr_node *pn, int k, struct btr_node *nd,
	   struct btr_node *sn, bool from_left)
{
	bool leaf = btr_is_leaf(nd);
	bool dkey = tcx->tc_mode == BTR_KEY_DIRECT;
	struct btr_record *sep = btr_rec_at(tcx, pn, k);
	int rc;

	rc = btr_tx_add(tcx, sep, tcx->tc_rec_size);
	if (rc == 0)
		rc = btr_node_tx_add(tcx, nd, 0, nd->tn_keyn + 1);
	if (rc == 0)
		rc = btr_node_tx_add(tcx, sn, 0, sn->tn_keyn);
	if (rc != 0)
		return rc;

	if (from_left) {
		struct btr_record *last = btr_rec_at(tcx, sn, sn->tn_keyn - 1);

		btr_rec_copy(tcx, btr_rec_at(tcx, nd, 1), btr_rec_at(tcx, nd, 0), nd->tn_keyn);
		if (leaf) {
			btr_rec_copy(tcx, btr_rec_at(tcx, nd, 0), last, 1);
			if (!dkey)
				btr_key_copy(tcx, sep, last);
		} else {
			struct btr_record *r0 = btr_rec_at(tcx, nd, 0);

			btr_key_copy(tcx, r0, sep);
			r0->rec_off = nd->tn_child;
			nd->tn_child = last->rec_off;
			btr_key_copy(tcx, sep, last);
		}
	} else {
		struct btr_record *r0 = btr_rec_at(tcx, sn, 0);
		struct btr_record *dst = btr_rec_at(tcx, nd, nd->tn_keyn);

		if (leaf) {
			btr_rec_copy(tcx, dst, r0, 1);
			if (!dkey)
				btr_key_copy(tcx, sep, btr_rec_at(tcx, sn, 1));
		} else {
			btr_key_copy(tcx, dst, sep);
			dst->rec_off = sn->tn_child;
			sn->tn_child = r0->rec_off;
			btr_key_copy(tcx, sep, r0);
		}
		btr_rec_copy(tcx, r0, btr_rec_at(tcx, sn, 1), sn->tn_keyn - 1);
	}
	sn->tn_keyn--;
	nd->tn_keyn++;
	return 0;
}

/* Merge \a rn into its left sibling \a ln (separator k of \a pn), free \a rn, drop k. */
static int
btr_merge(struct btr_context *tcx, struct btr_node *pn, int k, struct btr_node *ln, umem_off_t roff)
{
	struct btr_node *rn = btr_off2node(tcx, roff);
	bool leaf = btr_is_leaf(ln);
	int add = rn->tn_keyn + (leaf ? 0 : 1);
	int rc;

	rc = btr_node_tx_add(tcx, ln, ln->tn_keyn, ln->tn_keyn + add);
	if (rc != 0)
		return rc;
	if (!leaf) {
		struct btr_record *dst = btr_rec_at(tcx, ln, ln->tn_keyn);

		btr_key_copy(tcx, dst, btr_rec_at(tcx, pn, k));
		dst->rec_off = rn->tn_child;
		ln->tn_keyn++;
	}
	btr_rec_copy(tcx, btr_rec_at(tcx, ln, ln->tn_keyn), rn->tn_recs, rn->tn_keyn);
	ln->tn_keyn += rn->tn_keyn;
	rc = btr_node_free(tcx, roff);
	if (rc != 0)
		return rc;
	return btr_node_remove(tcx, pn, k);
}

/* Restore the fill of the nodes on \a path after a removal at its leaf. */
static int
btr_rebalance(struct btr_context *tcx, struct btr_path *path)
{
	struct btr_root *root = btr_root(tcx);
	int l;
	int rc;

	for (l = path->p_depth - 1; l >= 0; l--) {
		umem_off_t off = path->p_trace[l].tr_node;
		struct btr_node *nd = btr_off2node(tcx, off);
		struct btr_node *pn, *sn;
		umem_off_t soff;
		int c;

		if (l == 0) {
			if (nd->tn_keyn > 0)
				return 0;
			rc = btr_root_tx_add(tcx);
			if (rc != 0)
				return rc;
			if (btr_is_leaf(nd)) {
				root->tr_node = UMOFF_NULL;
				root->tr_depth = 0;
				root->tr_node_size = btr_init_root_size(tcx);
			} else {
				root->tr_node = nd->tn_child;
				root->tr_depth--;
				root->tr_node_size = tcx->tc_order;
			}
			return btr_node_free(tcx, off);
		}
		if (nd->tn_keyn >= btr_min_keys(tcx, btr_is_leaf(nd)))
			return 0;

		pn = btr_off2node(tcx, path->p_trace[l - 1].tr_node);
		c = path->p_trace[l - 1].tr_at;
		if (c > 0) {
			soff = btr_child_at(tcx, pn, c - 1);
			sn = btr_off2node(tcx, soff);
			if (sn->tn_keyn > btr_min_keys(tcx, btr_is_leaf(sn)))
				return btr_borrow(tcx, pn, c - 1, nd, sn, true);
			rc = btr_merge(tcx, pn, c - 1, sn, off);
		} else {
			soff = btr_child_at(tcx, pn, 1);
			sn = btr_off2node(tcx, soff);
			if (sn->tn_keyn > btr_min_keys(tcx, btr_is_leaf(sn)))
				return btr_borrow(tcx, pn, 0, nd, sn, false);
			rc = btr_merge(tcx, pn, 0, nd, soff);
		}
		if (rc != 0)
			return rc;
	}
	return 0;
}

/* Delete the record at the leaf position of \a path (inside a transaction). */
int
btr_delete_at(struct btr_context *tcx, struct btr_path *path, void *args)
{
	struct btr_trace *tr = &path->p_trace[path->p_depth - 1];
	struct btr_node *nd = btr_off2node(tcx, tr->tr_node);
	int rc;

	rc = btr_node_tx_add(tcx, nd, tr->tr_at, nd->tn_keyn);
	if (rc != 0)
		return rc;
	rc = btr_ops(tcx)->to_rec_free(&tcx->tc_tins, btr_rec_at(tcx, nd, tr->tr_at), args);
	if (rc != 0)
		return rc;
	rc = btr_node_remove(tcx, nd, tr->tr_at);
	if (rc != 0)
		return rc;
	return btr_rebalance(tcx, path);
}

/* -------------------------------------------------------------------------------------------
 * Public operations
 * ------------------------------------------------------------------------------------------- */

/* Remember what dbtree_fetch(EQ) found so that BTR_PROBE_BYPASS can reuse tc_path. */
static void
btr_probe_save(struct btr_context *tcx, struct btr_skey *sk, bool eq)
{
	tcx->tc_probe_valid = true;
	tcx->tc_probe_gen = tcx->tc_ri->ri_gen;
	tcx->tc_probe_eq = eq;
	tcx->tc_probe_kbuf = sk->sk_key->iov_buf;
	tcx->tc_probe_klen = sk->sk_key->iov_len;
	if (tcx->tc_mode != BTR_KEY_DIRECT)
		memcpy(tcx->tc_probe_hkey, sk->sk_hkey, tcx->tc_hkey_size);
}

static bool
btr_probe_reusable(struct btr_context *tcx, struct btr_skey *sk)
{
	/* also void if the tree changed through another handle */
	if (!tcx->tc_probe_valid || tcx->tc_probe_gen != tcx->tc_ri->ri_gen)
		return false;
	if (tcx->tc_mode == BTR_KEY_DIRECT)
		return tcx->tc_probe_kbuf == sk->sk_key->iov_buf &&
		       tcx->tc_probe_klen == sk->sk_key->iov_len;
	if (memcmp(tcx->tc_probe_hkey, sk->sk_hkey, tcx->tc_hkey_size) != 0)
		return false;
	/* hkey collisions: the real key must be the same one too */
	return tcx->tc_mode != BTR_KEY_HASH_COLL ||
	       (tcx->tc_probe_klen == sk->sk_key->iov_len &&
		memcmp(tcx->tc_probe_kbuf, sk->sk_key->iov_buf, tcx->tc_probe_klen) == 0);
}

/* The tree is about to change: iterators keep their position as a key, BYPASS is void. */
void
btr_modify_prep(struct btr_context *tcx)
{
	tcx->tc_probe_valid = false;
	btr_iters_detach(tcx, NULL);
}

int
dbtree_fetch(daos_handle_t toh, dbtree_probe_opc_t opc, uint32_t intent, d_iov_t *key,
	     d_iov_t *key_out, d_iov_t *val_out)
{
	struct btr_context *tcx = btr_hdl2tcx(toh);
	struct btr_skey sk;
	int rc;

	if (tcx == NULL)
		return -DER_NO_HDL;
	tcx->tc_probe_valid = false;
	if (opc & BTR_PROBE_SPEC) {
		rc = btr_skey_init(tcx, key, &sk);
		if (rc != 0)
			return rc;
	}
	if (opc == BTR_PROBE_EQ) {
		rc = btr_find(tcx, &tcx->tc_path, &sk);
		if (rc == 0 || rc == -DER_NONEXIST) {
			if (tcx->tc_path.p_depth > 0 || btr_root(tcx)->tr_depth == 0)
				btr_probe_save(tcx, &sk, rc == 0);
		}
		if (rc == 0) {
			rc = btr_avail(tcx, btr_path_rec(tcx, &tcx->tc_path), intent);
			rc = rc < 0 ? rc : (rc > 0 ? 0 : -DER_NONEXIST);
		}
	} else {
		rc = btr_path_probe(tcx, &tcx->tc_path, opc, intent, &sk);
	}
	if (rc != 0)
		return rc;
	return btr_ops(tcx)->to_rec_fetch(&tcx->tc_tins, btr_path_rec(tcx, &tcx->tc_path), key_out,
					  val_out);
}

int
dbtree_lookup(daos_handle_t toh, d_iov_t *key, d_iov_t *val_out)
{
	return dbtree_fetch(toh, BTR_PROBE_EQ, DAOS_INTENT_DEFAULT, key, NULL, val_out);
}

int
dbtree_upsert(daos_handle_t toh, dbtree_probe_opc_t opc, uint32_t intent, d_iov_t *key,
	      d_iov_t *val, d_iov_t *val_out)
{
	struct btr_context *tcx = btr_hdl2tcx(toh);
	struct btr_skey sk;
	bool exists;
	int rc;

	if (tcx == NULL)
		return -DER_NO_HDL;
	if (opc != BTR_PROBE_EQ && opc != BTR_PROBE_BYPASS)
		return -DER_INVAL;
	rc = btr_skey_init(tcx, key, &sk);
	if (rc != 0)
		return rc;
	if (opc == BTR_PROBE_BYPASS && btr_probe_reusable(tcx, &sk)) {
		exists = tcx->tc_probe_eq;
	} else {
		rc = btr_find(tcx, &tcx->tc_path, &sk);
		if (rc != 0 && rc != -DER_NONEXIST)
			return rc;
		exists = rc == 0;
	}
	if (exists) {
		/* a hidden record is still this key: update it, but report pending DTX etc. */
		rc = btr_avail(tcx, btr_path_rec(tcx, &tcx->tc_path), intent);
		if (rc < 0)
			return rc;
	}

	btr_modify_prep(tcx);
	rc = btr_tx_begin(tcx);
	if (rc != 0)
		return rc;
	if (exists)
		rc = btr_update_at(tcx, btr_path_rec(tcx, &tcx->tc_path), key, val, val_out);
	else
		rc = btr_insert(tcx, &tcx->tc_path, &sk, key, val, val_out);
	return btr_tx_end(tcx, rc);
}

int
dbtree_update(daos_handle_t toh, d_iov_t *key, d_iov_t *val)
{
	return dbtree_upsert(toh, BTR_PROBE_EQ, DAOS_INTENT_UPDATE, key, val, NULL);
}

int
dbtree_delete(daos_handle_t toh, dbtree_probe_opc_t opc, d_iov_t *key, void *args)
{
	struct btr_context *tcx = btr_hdl2tcx(toh);
	struct btr_skey sk;
	int rc;

	if (tcx == NULL)
		return -DER_NO_HDL;
	if (opc != BTR_PROBE_EQ && opc != BTR_PROBE_BYPASS)
		return -DER_INVAL;
	rc = btr_skey_init(tcx, key, &sk);
	if (rc != 0)
		return rc;
	if (opc == BTR_PROBE_BYPASS && btr_probe_reusable(tcx, &sk))
		rc = tcx->tc_probe_eq ? 0 : -DER_NONEXIST;
	else
		rc = btr_find(tcx, &tcx->tc_path, &sk);
	if (rc != 0)
		return rc;
	rc = btr_avail(tcx, btr_path_rec(tcx, &tcx->tc_path), DAOS_INTENT_PUNCH);
	if (rc <= 0)
		return rc < 0 ? rc : -DER_NONEXIST;

	btr_modify_prep(tcx);
	rc = btr_tx_begin(tcx);
	if (rc != 0)
		return rc;
	rc = btr_delete_at(tcx, &tcx->tc_path, args);
	return btr_tx_end(tcx, rc);
}
