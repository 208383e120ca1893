/**
 * dbtree_check: full structural verification of a tree (tests, debugging).
 */
#define D_LOGFAC DD_FAC(common)

#include "btr_internal.h"

struct btr_chk {
	struct btr_context *c_tcx;
	struct btr_stat *c_stat;
	int c_depth;
	bool c_have_prev;
	uint64_t c_prev_buf[BTR_REC_MAX / 8];
};

/* Search key equal to the leaf record \a rec (inline key + real key where the order uses it). */
static int
chk_rec_skey(struct btr_context *tcx, struct btr_record *rec, struct btr_skey *sk)
{
	int rc;

	sk->sk_key = NULL;
	if (tcx->tc_mode == BTR_KEY_UINT) {
		sk->sk_ukey = rec->rec_ukey[0];
		return 0;
	}
	if (tcx->tc_mode != BTR_KEY_DIRECT)
		memcpy(sk->sk_hkey, rec->rec_hkey, tcx->tc_hkey_size);
	if (tcx->tc_mode == BTR_KEY_DIRECT || tcx->tc_mode == BTR_KEY_HASH_COLL) {
		d_iov_set(&sk->sk_iov, NULL, 0);
		rc = btr_ops(tcx)->to_rec_fetch(&tcx->tc_tins, rec, &sk->sk_iov, NULL);
		if (rc != 0)
			return rc;
		sk->sk_key = &sk->sk_iov;
	}
	return 0;
}

static struct btr_record *
chk_edge_rec(struct btr_context *tcx, umem_off_t off, bool left, umem_off_t *leaf)
{
	struct btr_node *nd = btr_off2node(tcx, off);

	while (!btr_is_leaf(nd)) {
		off = btr_child_at(tcx, nd, left ? 0 : nd->tn_keyn);
		nd = btr_off2node(tcx, off);
	}
	if (leaf != NULL)
		*leaf = off;
	return nd->tn_keyn == 0 ? NULL : btr_rec_at(tcx, nd, left ? 0 : nd->tn_keyn - 1);
}

#define CHK_FAIL(fmt, ...)                                    \
	do {                                                  \
		D_ERROR("dbtree_check: " fmt, ##__VA_ARGS__); \
		return -DER_DF_INVAL;                         \
	} while (0)

static int
chk_node(struct btr_chk *chk, umem_off_t off, int level)
{
	struct btr_context *tcx = chk->c_tcx;
	struct btr_root *root = btr_root(tcx);
	struct btr_node *nd = btr_off2node(tcx, off);
	bool coll = tcx->tc_mode == BTR_KEY_HASH_COLL;
	struct btr_skey sk;
	int cap = level == 0 && btr_is_leaf(nd) ? root->tr_node_size : tcx->tc_order;
	int i, rc;

	chk->c_stat->bs_node_nr++;
	if (btr_is_leaf(nd) != (level == chk->c_depth - 1))
		CHK_FAIL("node " UMOFF_PF " at level %d of %d: leaf flag %d\n", UMOFF_P(off), level,
			 chk->c_depth, btr_is_leaf(nd));
	if (nd->tn_keyn > cap || (nd->tn_keyn == 0 && (level > 0 || btr_is_leaf(nd))))
		CHK_FAIL("node " UMOFF_PF ": %d keys, capacity %d\n", UMOFF_P(off), nd->tn_keyn,
			 cap);

	if (btr_is_leaf(nd)) {
		chk->c_stat->bs_rec_nr += nd->tn_keyn;
		for (i = 0; i < nd->tn_keyn; i++) {
			struct btr_record *rec = btr_rec_at(tcx, nd, i);
			struct btr_record *prev = (struct btr_record *)chk->c_prev_buf;

			if (UMOFF_IS_NULL(rec->rec_off))
				CHK_FAIL("leaf " UMOFF_PF " record %d has no body\n", UMOFF_P(off),
					 i);
			if (chk->c_have_prev) {
				rc = chk_rec_skey(tcx, prev, &sk);
				if (rc != 0)
					return rc;
				if (btr_cmp_leaf_rec(tcx, rec, &sk) <= 0)
					CHK_FAIL("leaf " UMOFF_PF " record %d out of order\n",
						 UMOFF_P(off), i);
			}
			/* the previous record may live in a freed node later: keep a copy */
			memcpy(prev, rec, tcx->tc_rec_size);
			chk->c_have_prev = true;
		}
		return 0;
	}

	for (i = 0; i < nd->tn_keyn; i++) {
		struct btr_record *sep = btr_rec_at(tcx, nd, i);
		struct btr_record *last, *first;
		umem_off_t leaf;

		last = chk_edge_rec(tcx, btr_child_at(tcx, nd, i), false, NULL);
		first = chk_edge_rec(tcx, btr_child_at(tcx, nd, i + 1), true, &leaf);
		if (last == NULL || first == NULL)
			CHK_FAIL("node " UMOFF_PF ": empty leaf under separator %d\n", UMOFF_P(off),
				 i);
		if (tcx->tc_mode == BTR_KEY_DIRECT && sep->rec_node[0] != leaf)
			CHK_FAIL("node " UMOFF_PF ": separator %d names leaf " UMOFF_PF
				 ", not " UMOFF_PF "\n",
				 UMOFF_P(off), i, UMOFF_P(sep->rec_node[0]), UMOFF_P(leaf));
		rc = chk_rec_skey(tcx, last, &sk);
		if (rc != 0)
			return rc;
		if (tcx->tc_mode != BTR_KEY_DIRECT)
			sk.sk_key = NULL; /* separators hold inline keys only */
		rc = btr_cmp_sep_rec(tcx, sep, &sk);
		if (coll ? rc < 0 : rc <= 0)
			CHK_FAIL("node " UMOFF_PF ": separator %d not above its left child\n",
				 UMOFF_P(off), i);
		rc = chk_rec_skey(tcx, first, &sk);
		if (rc != 0)
			return rc;
		if (tcx->tc_mode != BTR_KEY_DIRECT)
			sk.sk_key = NULL;
		if (btr_cmp_sep_rec(tcx, sep, &sk) > 0)
			CHK_FAIL("node " UMOFF_PF ": separator %d above its right child\n",
				 UMOFF_P(off), i);
	}
	for (i = 0; i <= nd->tn_keyn; i++) {
		rc = chk_node(chk, btr_child_at(tcx, nd, i), level + 1);
		if (rc != 0)
			return rc;
	}
	return 0;
}

int
dbtree_check(daos_handle_t toh, struct btr_stat *stat)
{
	struct btr_context *tcx = btr_hdl2tcx(toh);
	struct btr_stat tmp;
	struct btr_chk chk;
	struct btr_root *root;

	if (tcx == NULL)
		return -DER_NO_HDL;
	root = btr_root(tcx);
	memset(&tmp, 0, sizeof(tmp));
	memset(&chk, 0, sizeof(chk));
	chk.c_tcx = tcx;
	chk.c_stat = stat != NULL ? stat : &tmp;
	chk.c_depth = root->tr_depth;
	memset(chk.c_stat, 0, sizeof(*chk.c_stat));
	if ((root->tr_depth == 0) != UMOFF_IS_NULL(root->tr_node))
		CHK_FAIL("depth %u with root node " UMOFF_PF "\n", root->tr_depth,
			 UMOFF_P(root->tr_node));
	if (root->tr_depth == 0)
		return 0;
	if (root->tr_depth > 1 && root->tr_node_size != root->tr_order)
		CHK_FAIL("root node size %u with depth %u\n", root->tr_node_size, root->tr_depth);
	return chk_node(&chk, root->tr_node, 0);
}
