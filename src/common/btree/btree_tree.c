/**
 * dbtree: tree contexts (create, open, close), query, destroy and drain.
 */
#define D_LOGFAC DD_FAC(common)

#include <pthread.h>

#include "btr_internal.h"

/* -------------------------------------------------------------------------------------------
 * Contexts
 * ------------------------------------------------------------------------------------------- */

struct btr_context *
btr_hdl2tcx(daos_handle_t toh)
{
	return btr_hdl_lookup(toh.cookie, BTR_HDL_TREE);
}

/*
 * Freed contexts kept per thread for the next open: VOS opens and closes three or four trees
 * per update or fetch, and a context (two paths of 48 levels) is too large for malloc's
 * per-thread cache, so each open otherwise paid a full allocation.
 */
#define BTR_TCX_CACHE 8

struct btr_tcx_cache {
	d_list_t tk_link; /* on btr_tcx_caches: what a thread keeps stays reachable */
	int tk_nr;
	struct btr_context *tk_tcx[BTR_TCX_CACHE];
};

/* initial-exec: a plain %fs access instead of a __tls_get_addr call per open */
static __thread struct btr_tcx_cache *btr_tcx_cache __attribute__((tls_model("initial-exec")));
static pthread_key_t btr_tcx_key;
static pthread_once_t btr_tcx_once = PTHREAD_ONCE_INIT;
static bool btr_tcx_key_ok;
static pthread_mutex_t btr_tcx_lock = PTHREAD_MUTEX_INITIALIZER;
static d_list_t btr_tcx_caches = D_LIST_HEAD_INIT(btr_tcx_caches);

/* thread exit: a close during a later destructor just starts a new cache (destructors rerun) */
static void
tcx_cache_drain(void *arg)
{
	struct btr_tcx_cache *c = arg;

	if (btr_tcx_cache == c)
		btr_tcx_cache = NULL;
	pthread_mutex_lock(&btr_tcx_lock);
	d_list_del(&c->tk_link);
	pthread_mutex_unlock(&btr_tcx_lock);
	/* D_FREE evaluates its argument twice */
	while (c->tk_nr > 0) {
		c->tk_nr--;
		D_FREE(c->tk_tcx[c->tk_nr]);
	}
	D_FREE(c);
}

static void
tcx_key_init(void)
{
	btr_tcx_key_ok = pthread_key_create(&btr_tcx_key, tcx_cache_drain) == 0;
}

static struct btr_context *
tcx_alloc(void)
{
	struct btr_tcx_cache *c = btr_tcx_cache;
	struct btr_context *tcx;

	if (c != NULL && c->tk_nr > 0) {
		tcx = c->tk_tcx[--c->tk_nr];
		/*
		 * Zero all but the traces of the two paths (1.5 KiB): a path is only read up to
		 * its depth, which a probe fills first.
		 */
		memset(tcx, 0, offsetof(struct btr_context, tc_path.p_trace));
		memset(&tcx->tc_ri, 0,
		       offsetof(struct btr_context, tc_itr.it_path.p_trace) -
			       offsetof(struct btr_context, tc_ri));
		memset(&tcx->tc_itr.it_anchor, 0, sizeof(tcx->tc_itr.it_anchor));
		return tcx;
	}
	D_ALLOC_PTR(tcx);
	return tcx;
}

static struct btr_tcx_cache *
tcx_cache_new(void)
{
	struct btr_tcx_cache *c;

	pthread_once(&btr_tcx_once, tcx_key_init);
	if (!btr_tcx_key_ok)
		return NULL;
	D_ALLOC_PTR(c);
	if (c == NULL)
		return NULL;
	if (pthread_setspecific(btr_tcx_key, c) != 0) {
		D_FREE(c);
		return NULL;
	}
	pthread_mutex_lock(&btr_tcx_lock);
	d_list_add(&c->tk_link, &btr_tcx_caches);
	pthread_mutex_unlock(&btr_tcx_lock);
	btr_tcx_cache = c;
	return c;
}

static void
tcx_free(struct btr_context *tcx)
{
	struct btr_tcx_cache *c = btr_tcx_cache;

	if (c == NULL)
		c = tcx_cache_new();
	if (c != NULL && c->tk_nr < BTR_TCX_CACHE) {
		c->tk_tcx[c->tk_nr++] = tcx;
		return;
	}
	D_FREE(tcx);
}

void
btr_context_decref(struct btr_context *tcx)
{
	if (--tcx->tc_ref == 0) {
		btr_rootinfo_put(tcx->tc_ri);
		tcx_free(tcx);
	}
}

static int
btr_context_create(struct btr_root *root, struct umem_attr *uma, void *priv,
		   struct btr_context **tcxp)
{
	struct btr_context *tcx;
	btr_ops_t *ops;
	uint64_t cfeats;
	int rc;

	rc = btr_class_get(root->tr_class, &ops, &cfeats);
	if (rc != 0)
		return rc;
	if (root->tr_order < BTR_ORDER_MIN || root->tr_order > BTR_ORDER_MAX ||
	    root->tr_depth >= BTR_TRACE_MAX) {
		D_ERROR("bad tree root: order %u depth %u\n", root->tr_order, root->tr_depth);
		return -DER_DF_INVAL;
	}

	tcx = tcx_alloc();
	if (tcx == NULL)
		return -DER_NOMEM;
	rc = umem_class_init(uma, &tcx->tc_tins.ti_umm);
	if (rc != 0)
		goto failed;
	tcx->tc_tins.ti_root = root;
	tcx->tc_tins.ti_ops = ops;
	tcx->tc_tins.ti_priv = priv;
	tcx->tc_order = root->tr_order;
	tcx->tc_feats = root->tr_feats;
	tcx->tc_ref = 1;

	if (tcx->tc_feats & BTR_FEAT_UINT_KEY) {
		tcx->tc_mode = BTR_KEY_UINT;
		tcx->tc_hkey_size = sizeof(uint64_t);
	} else if (tcx->tc_feats & BTR_FEAT_DIRECT_KEY) {
		tcx->tc_mode = BTR_KEY_DIRECT;
		tcx->tc_hkey_size = sizeof(umem_off_t);
	} else {
		tcx->tc_hkey_size = ops->to_hkey_size();
		if (tcx->tc_hkey_size <= 0 || tcx->tc_hkey_size > BTR_HKEY_MAX) {
			D_ERROR("class %u: bad hkey size %d\n", root->tr_class, tcx->tc_hkey_size);
			rc = -DER_INVAL;
			goto failed;
		}
		if (ops->to_key_cmp != NULL)
			tcx->tc_mode = BTR_KEY_HASH_COLL;
		else
			tcx->tc_mode = BTR_KEY_HASH;
		tcx->tc_hkey_u64 =
			tcx->tc_hkey_size == sizeof(uint64_t) && ops->to_hkey_cmp == NULL;
	}
	tcx->tc_rec_size = sizeof(struct btr_record) + D_ALIGNUP(tcx->tc_hkey_size, 8);

	rc = btr_tree_register(root, tcx, &tcx->tc_ri, &tcx->tc_cookie);
	if (rc != 0)
		goto failed;
	*tcxp = tcx;
	return 0;
failed:
	tcx_free(tcx);
	return rc;
}

static int
btr_create_common(unsigned int tree_class, uint64_t tree_feats, unsigned int tree_order,
		  struct umem_attr *uma, struct btr_root *root, void *priv, daos_handle_t *toh)
{
	struct btr_context *tcx;
	struct btr_root tmp;
	struct umem_instance umm;
	btr_ops_t *ops;
	uint64_t cfeats;
	int rc;

	if (root == NULL || uma == NULL || toh == NULL)
		return -DER_INVAL;
	if (tree_order < BTR_ORDER_MIN || tree_order > BTR_ORDER_MAX) {
		D_ERROR("tree order %u not in [%d, %d]\n", tree_order, BTR_ORDER_MIN,
			BTR_ORDER_MAX);
		return -DER_INVAL;
	}
	if (root->tr_class != 0) {
		D_ERROR("tree exists: class %u\n", root->tr_class);
		return -DER_NO_PERM;
	}
	rc = btr_class_get(tree_class, &ops, &cfeats);
	if (rc != 0)
		return rc;
	/* a dynamic root is a per-tree choice any class allows */
	if ((tree_feats & ~(cfeats | BTR_FEAT_DYNAMIC_ROOT)) != 0) {
		D_ERROR("class %u does not support features " DF_X64 "\n", tree_class,
			tree_feats & ~(cfeats | BTR_FEAT_DYNAMIC_ROOT));
		return -DER_PROTO;
	}
	tree_feats |= cfeats & (BTR_FEAT_UINT_KEY | BTR_FEAT_DIRECT_KEY | BTR_FEAT_DYNAMIC_ROOT);

	memset(&tmp, 0, sizeof(tmp));
	tmp.tr_class = tree_class;
	tmp.tr_feats = tree_feats;
	tmp.tr_order = tree_order;
	tmp.tr_node_size = (tree_feats & BTR_FEAT_DYNAMIC_ROOT) ? 1 : tree_order;

	rc = umem_class_init(uma, &umm);
	if (rc != 0)
		return rc;
	rc = umem_tx_begin(&umm, NULL);
	if (rc != 0)
		return rc;
	rc = umem_tx_add_ptr(&umm, root, sizeof(*root));
	if (rc == 0)
		*root = tmp;
	rc = rc != 0 ? umem_tx_abort(&umm, rc) : umem_tx_commit(&umm);
	if (rc != 0)
		return rc;

	rc = btr_context_create(root, uma, priv, &tcx);
	if (rc != 0)
		return rc;
	toh->cookie = tcx->tc_cookie;
	return 0;
}

int
dbtree_create_inplace(unsigned int tree_class, uint64_t tree_feats, unsigned int tree_order,
		      struct umem_attr *uma, struct btr_root *root, daos_handle_t *toh)
{
	return btr_create_common(tree_class, tree_feats, tree_order, uma, root, NULL, toh);
}

int
dbtree_create_inplace_ex(unsigned int tree_class, uint64_t tree_feats, unsigned int tree_order,
			 struct umem_attr *uma, struct btr_root *root, void *priv,
			 daos_handle_t *toh)
{
	return btr_create_common(tree_class, tree_feats, tree_order, uma, root, priv, toh);
}

int
dbtree_create(unsigned int tree_class, uint64_t tree_feats, unsigned int tree_order,
	      struct umem_attr *uma, umem_off_t *root_offp, daos_handle_t *toh)
{
	struct umem_instance umm;
	struct btr_context *tcx;
	umem_off_t off;
	int rc;

	if (uma == NULL || toh == NULL)
		return -DER_INVAL;
	rc = umem_class_init(uma, &umm);
	if (rc != 0)
		return rc;
	rc = umem_tx_begin(&umm, NULL);
	if (rc != 0)
		return rc;
	off = umem_zalloc(&umm, sizeof(struct btr_root));
	if (UMOFF_IS_NULL(off)) {
		rc = umem_tx_abort(&umm, umm.umm_nospc_rc);
		return rc != 0 ? rc : -DER_NOSPACE;
	}
	rc = btr_create_common(tree_class, tree_feats, tree_order, uma, umem_off2ptr(&umm, off),
			       NULL, toh);
	rc = rc != 0 ? umem_tx_abort(&umm, rc) : umem_tx_commit(&umm);
	if (rc != 0) {
		if (!umem_has_tx(&umm))
			umem_free(&umm, off);
		return rc;
	}
	tcx = btr_hdl2tcx(*toh);
	tcx->tc_root_owned = true;
	tcx->tc_tins.ti_root_off = off;
	if (root_offp != NULL)
		*root_offp = off;
	return 0;
}

int
dbtree_open_inplace_ex(struct btr_root *root, struct umem_attr *uma, void *priv, daos_handle_t *toh)
{
	struct btr_context *tcx;
	int rc;

	if (root == NULL || uma == NULL || toh == NULL)
		return -DER_INVAL;
	if (root->tr_class == 0) {
		D_DEBUG(DB_TRACE, "open of a tree that does not exist\n");
		return -DER_INVAL;
	}
	rc = btr_context_create(root, uma, priv, &tcx);
	if (rc != 0)
		return rc;
	toh->cookie = tcx->tc_cookie;
	return 0;
}

int
dbtree_open_inplace(struct btr_root *root, struct umem_attr *uma, daos_handle_t *toh)
{
	return dbtree_open_inplace_ex(root, uma, NULL, toh);
}

int
dbtree_open(umem_off_t root_off, struct umem_attr *uma, daos_handle_t *toh)
{
	struct umem_instance umm;
	struct btr_context *tcx;
	int rc;

	if (uma == NULL || UMOFF_IS_NULL(root_off))
		return -DER_INVAL;
	rc = umem_class_init(uma, &umm);
	if (rc != 0)
		return rc;
	rc = dbtree_open_inplace_ex(umem_off2ptr(&umm, root_off), uma, NULL, toh);
	if (rc != 0)
		return rc;
	tcx = btr_hdl2tcx(*toh);
	tcx->tc_root_owned = true;
	tcx->tc_tins.ti_root_off = root_off;
	return 0;
}

static void
btr_close(struct btr_context *tcx)
{
	if (tcx->tc_ref == 1) {
		/* the usual case, no iterator holds the context: one lock for both releases */
		btr_tree_unregister(tcx->tc_cookie, tcx->tc_ri);
		tcx_free(tcx);
		return;
	}
	btr_hdl_free(tcx->tc_cookie);
	tcx->tc_cookie = 0;
	btr_context_decref(tcx);
}

int
dbtree_close(daos_handle_t toh)
{
	struct btr_context *tcx = btr_hdl2tcx(toh);

	if (tcx == NULL)
		return -DER_NO_HDL;
	btr_close(tcx);
	return 0;
}

struct umem_instance *
btr_hdl2umm(daos_handle_t toh)
{
	struct btr_context *tcx = btr_hdl2tcx(toh);
	struct btr_iterator *itr;

	if (tcx != NULL)
		return btr_umm(tcx);
	itr = btr_hdl_lookup(toh.cookie, BTR_HDL_ITER);
	return itr != NULL ? btr_umm(itr->it_tcx) : NULL;
}

static void
btr_node_stat(struct btr_context *tcx, umem_off_t off, int level, struct btr_stat *stat)
{
	struct btr_node *nd = btr_off2node(tcx, off);
	int i;

	stat->bs_node_nr++;
	if (!btr_is_leaf(nd)) {
		for (i = 0; i <= nd->tn_keyn; i++)
			btr_node_stat(tcx, btr_child_at(tcx, nd, i), level + 1, stat);
		return;
	}
	stat->bs_rec_nr += nd->tn_keyn;
	if (btr_ops(tcx)->to_rec_stat == NULL)
		return;
	for (i = 0; i < nd->tn_keyn; i++) {
		struct btr_rec_stat rs;

		if (btr_ops(tcx)->to_rec_stat(&tcx->tc_tins, btr_rec_at(tcx, nd, i), &rs) != 0)
			continue;
		stat->bs_key_sum += rs.rs_ksize;
		stat->bs_val_sum += rs.rs_vsize;
		if (stat->bs_key_max < rs.rs_ksize)
			stat->bs_key_max = rs.rs_ksize;
		if (stat->bs_val_max < rs.rs_vsize)
			stat->bs_val_max = rs.rs_vsize;
	}
}

int
dbtree_query(daos_handle_t toh, struct btr_attr *attr, struct btr_stat *stat)
{
	struct btr_context *tcx = btr_hdl2tcx(toh);
	struct btr_root *root;

	if (tcx == NULL)
		return -DER_NO_HDL;
	root = btr_root(tcx);
	if (attr != NULL) {
		memset(attr, 0, sizeof(*attr));
		attr->ba_order = root->tr_order;
		attr->ba_depth = root->tr_depth;
		attr->ba_class = root->tr_class;
		attr->ba_feats = root->tr_feats;
		umem_attr_get(btr_umm(tcx), &attr->ba_uma);
		if (root->tr_depth > 0) {
			struct btr_node *nd = btr_off2node(tcx, root->tr_node);
			double est = nd->tn_keyn;
			unsigned int d;

			/* fan-out of 3/4 of the order below the root */
			if (root->tr_depth > 1)
				est += 1;
			for (d = 1; d < root->tr_depth; d++)
				est *= (root->tr_order * 3) / 4.0;
			attr->ba_count = est > INT32_MAX ? INT32_MAX : (int)est;
		}
	}
	if (stat != NULL) {
		memset(stat, 0, sizeof(*stat));
		if (root->tr_depth > 0)
			btr_node_stat(tcx, root->tr_node, 0, stat);
	}
	return 0;
}

int
dbtree_is_empty(daos_handle_t toh)
{
	struct btr_context *tcx = btr_hdl2tcx(toh);

	if (tcx == NULL)
		return -DER_NO_HDL;
	return btr_root(tcx)->tr_depth == 0;
}

/* -------------------------------------------------------------------------------------------
 * Destroy and drain
 * ------------------------------------------------------------------------------------------- */

static int
btr_node_destroy(struct btr_context *tcx, umem_off_t off, void *args)
{
	struct btr_node *nd = btr_off2node(tcx, off);
	int i;
	int rc;

	if (btr_is_leaf(nd)) {
		/* the class may touch the record while freeing its body */
		rc = btr_node_tx_add(tcx, nd, 0, nd->tn_keyn);
		for (i = 0; rc == 0 && i < nd->tn_keyn; i++)
			rc = btr_ops(tcx)->to_rec_free(&tcx->tc_tins, btr_rec_at(tcx, nd, i), args);
	} else {
		for (i = 0, rc = 0; rc == 0 && i <= nd->tn_keyn; i++)
			rc = btr_node_destroy(tcx, btr_child_at(tcx, nd, i), args);
	}
	return rc != 0 ? rc : btr_node_free(tcx, off);
}

/* Free the (empty) root: zero it in place, or free it if dbtree_create made it. */
static int
btr_root_destroy(struct btr_context *tcx)
{
	int rc = btr_root_tx_add(tcx);

	if (rc != 0)
		return rc;
	memset(btr_root(tcx), 0, sizeof(struct btr_root));
	if (tcx->tc_root_owned)
		rc = umem_free(btr_umm(tcx), tcx->tc_tins.ti_root_off);
	return rc;
}

int
dbtree_destroy(daos_handle_t toh, void *args)
{
	struct btr_context *tcx = btr_hdl2tcx(toh);
	struct btr_root *root;
	int rc;

	if (tcx == NULL)
		return -DER_NO_HDL;
	root = btr_root(tcx);
	btr_modify_prep(tcx);
	rc = btr_tx_begin(tcx);
	if (rc == 0) {
		if (root->tr_depth > 0)
			rc = btr_node_destroy(tcx, root->tr_node, args);
		if (rc == 0)
			rc = btr_root_destroy(tcx);
		rc = btr_tx_end(tcx, rc);
	}
	btr_close(tcx);
	return rc;
}

int
dbtree_drain(daos_handle_t toh, int *credits, void *args, bool *destroyed)
{
	struct btr_context *tcx = btr_hdl2tcx(toh);
	struct btr_root *root;
	bool gone = false;
	int creds;
	int rc;

	if (tcx == NULL)
		return -DER_NO_HDL;
	if (destroyed == NULL || (credits != NULL && *credits <= 0))
		return -DER_INVAL;
	*destroyed = false;
	root = btr_root(tcx);
	if (root->tr_class == 0) {
		*destroyed = true;
		return 0;
	}
	btr_modify_prep(tcx);
	rc = btr_tx_begin(tcx);
	if (rc != 0)
		return rc;
	if (credits == NULL) {
		if (root->tr_depth > 0)
			rc = btr_node_destroy(tcx, root->tr_node, args);
		if (rc == 0)
			rc = btr_root_destroy(tcx);
		rc = btr_tx_end(tcx, rc);
		if (rc == 0)
			*destroyed = true;
		return rc;
	}

	/* one credit per record, always from the left edge */
	creds = *credits;
	while (rc == 0 && creds > 0 && root->tr_depth > 0) {
		rc = btr_path_first(tcx, &tcx->tc_path, true);
		if (rc == 0)
			rc = btr_delete_at(tcx, &tcx->tc_path, args);
		creds--;
	}
	if (rc == 0 && root->tr_depth == 0) {
		rc = btr_root_destroy(tcx);
		gone = true;
	}
	rc = btr_tx_end(tcx, rc);
	if (rc == 0) {
		*credits = creds;
		*destroyed = gone;
	}
	return rc;
}
