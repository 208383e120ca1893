/**
 * dbtree internals shared by btree.c (tree operations), btree_iter.c (iterators) and
 * btree_class.c (registry, handles, built-in classes).
 */
#ifndef __BTR_INTERNAL_H__
#define __BTR_INTERNAL_H__

#include <daos/btree.h>

/* Deepest tree: order 3 keeps at least 2 children per internal node. */
#define BTR_TRACE_MAX 48
/* Largest inline key (hkey) of a record. */
#define BTR_HKEY_MAX 64
#define BTR_REC_MAX  (sizeof(struct btr_record) + BTR_HKEY_MAX)

struct btr_trace {
	umem_off_t tr_node;
	/* leaf: record index; internal: child index (0 = tn_child, i + 1 = recs[i]) */
	int tr_at;
};

struct btr_path {
	int p_depth;
	struct btr_trace p_trace[BTR_TRACE_MAX];
};

/* How records are ordered. */
enum btr_key_mode {
	BTR_KEY_UINT,
	BTR_KEY_DIRECT,
	/* hashed, no tie-break */
	BTR_KEY_HASH,
	/* hashed with to_key_cmp: equal hkeys ordered by the real key */
	BTR_KEY_HASH_COLL,
};

/* A key prepared once per operation, so nodes compare without recomputing hashes. */
struct btr_skey {
	d_iov_t *sk_key; /* real key; NULL: compare by hkey only */
	union {
		uint64_t sk_ukey;
		uint64_t sk_hkey_u64[BTR_HKEY_MAX / 8];
		char sk_hkey[BTR_HKEY_MAX];
	};
	d_iov_t sk_iov;           /* storage for a key decoded from an anchor */
	daos_anchor_t sk_scratch; /* decode area for hashed-collision anchors */
};

enum btr_itr_state {
	BTR_ITR_NONE = 0, /* free (embedded iterator only) */
	BTR_ITR_INIT,     /* prepared, not probed */
	BTR_ITR_READY,    /* it_path is on an available record */
	BTR_ITR_DETACHED, /* the tree changed: the position is it_anchor */
	BTR_ITR_FINI,     /* moved past the end */
};

struct btr_context;

struct btr_iterator {
	struct btr_context *it_tcx;
	d_list_t it_link;
	uint64_t it_cookie;
	int it_state;
	uint32_t it_intent;
	bool it_embedded;
	struct btr_path it_path;
	daos_anchor_t it_anchor;
};

/*
 * Volatile state shared by every open handle of one tree (keyed by the root's address): the
 * iterators of all handles, so that a change through any handle detaches them, and a change
 * counter that invalidates BTR_PROBE_BYPASS positions saved by other handles.
 */
struct btr_rootinfo {
	d_list_t ri_link;
	void *ri_root;
	int ri_ref;
	uint64_t ri_gen;
	d_list_t ri_iters;
};

struct btr_context {
	struct btr_instance tc_tins;
	uint64_t tc_cookie;
	int tc_ref;
	int tc_order;
	int tc_mode;      /* enum btr_key_mode */
	int tc_hkey_size; /* bytes of the inline key as the class sees it */
	int tc_rec_size;  /* bytes per record in a node */
	/* 8-byte hkey without to_hkey_cmp: compared as a native integer */
	bool tc_hkey_u64;
	uint64_t tc_feats;
	/* the root was allocated by dbtree_create (freed by destroy) */
	bool tc_root_owned;
	/* tc_path/tc_probe_* describe the last dbtree_fetch(EQ) (for BTR_PROBE_BYPASS) */
	bool tc_probe_valid;
	bool tc_probe_eq;
	uint64_t tc_probe_hkey[BTR_HKEY_MAX / 8];
	void *tc_probe_kbuf;
	size_t tc_probe_klen;
	struct btr_path tc_path;
	/* shared with the other handles of the tree */
	struct btr_rootinfo *tc_ri;
	/* ri_gen when tc_path was saved for BTR_PROBE_BYPASS */
	uint64_t tc_probe_gen;
	struct btr_iterator tc_itr;
};

static inline struct umem_instance *
btr_umm(struct btr_context *tcx)
{
	return &tcx->tc_tins.ti_umm;
}

static inline struct btr_root *
btr_root(struct btr_context *tcx)
{
	return tcx->tc_tins.ti_root;
}

static inline btr_ops_t *
btr_ops(struct btr_context *tcx)
{
	return tcx->tc_tins.ti_ops;
}

static inline int
btr_init_root_size(struct btr_context *tcx)
{
	return (tcx->tc_feats & BTR_FEAT_DYNAMIC_ROOT) ? 1 : tcx->tc_order;
}

static inline struct btr_node *
btr_off2node(struct btr_context *tcx, umem_off_t off)
{
	return (struct btr_node *)umem_off2ptr(btr_umm(tcx), off);
}

static inline struct btr_record *
btr_rec_at(struct btr_context *tcx, struct btr_node *nd, int i)
{
	return (struct btr_record *)((char *)nd->tn_recs + (size_t)i * tcx->tc_rec_size);
}

static inline bool
btr_is_leaf(struct btr_node *nd)
{
	return nd->tn_flags & BTR_NODE_LEAF;
}

static inline umem_off_t
btr_child_at(struct btr_context *tcx, struct btr_node *nd, int i)
{
	return i == 0 ? nd->tn_child : btr_rec_at(tcx, nd, i - 1)->rec_off;
}

/* handles (btree_class.c) */
enum { BTR_HDL_TREE = 1, BTR_HDL_ITER = 2 };
int btr_hdl_alloc(int type, void *ptr, uint64_t *cookie);
void btr_hdl_free(uint64_t cookie);
void *btr_hdl_lookup(uint64_t cookie, int type);
void btr_rootinfo_put(struct btr_rootinfo *ri);
/* an open: the tree's shared state and a handle under one lock; a close: both released */
int btr_tree_register(void *root, void *tcx, struct btr_rootinfo **rip, uint64_t *cookie);
void btr_tree_unregister(uint64_t cookie, struct btr_rootinfo *ri);
int btr_class_get(unsigned int tree_class, btr_ops_t **ops, uint64_t *feats);

/* btree.c, used by the iterator code */
struct btr_context *btr_hdl2tcx(daos_handle_t toh);
void btr_context_decref(struct btr_context *tcx);
int btr_skey_init(struct btr_context *tcx, d_iov_t *key, struct btr_skey *sk);
int btr_skey_from_anchor(struct btr_context *tcx, daos_anchor_t *anchor, struct btr_skey *sk);
int btr_rec_anchor(struct btr_context *tcx, struct btr_record *rec, daos_anchor_t *anchor);
int btr_path_probe(struct btr_context *tcx, struct btr_path *path, dbtree_probe_opc_t opc,
		   uint32_t intent, struct btr_skey *sk);
int btr_path_move(struct btr_context *tcx, struct btr_path *path, bool next, uint32_t intent);
struct btr_record *btr_path_rec(struct btr_context *tcx, struct btr_path *path);
int btr_tx_begin(struct btr_context *tcx);
int btr_tx_end(struct btr_context *tcx, int rc);
int btr_delete_at(struct btr_context *tcx, struct btr_path *path, void *args);
int btr_cmp_leaf_rec(struct btr_context *tcx, struct btr_record *rec, struct btr_skey *sk);
int btr_cmp_sep_rec(struct btr_context *tcx, struct btr_record *rec, struct btr_skey *sk);
int btr_node_tx_add(struct btr_context *tcx, struct btr_node *nd, int from, int to);
int btr_root_tx_add(struct btr_context *tcx);
int btr_node_free(struct btr_context *tcx, umem_off_t off);
int btr_path_first(struct btr_context *tcx, struct btr_path *path, bool left);
void btr_modify_prep(struct btr_context *tcx);
void btr_iters_detach(struct btr_context *tcx, struct btr_iterator *skip);

#endif /* __BTR_INTERNAL_H__ */
