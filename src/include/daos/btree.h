/**
 * dbtree: DAOS's generic B+tree on the umem heap.
 *
 * A tree is a persistent root (struct btr_root, embedded "in place" in the owner's structure)
 * plus nodes allocated from the same umem instance. Records live in leaves: each holds the key
 * inline (an unsigned integer, a fixed-size hashed key, or nothing for direct keys) and
 * rec_off, the offset of a body the tree class allocates. What the body holds (value bytes, a
 * subtree root, ...) is the class's business; the tree only orders and moves records.
 *
 * Every persistent byte the tree changes goes through umem_tx_add_* of the running
 * transaction; an operation called outside a transaction runs in its own. A handle
 * (daos_handle_t) refers to a volatile context; a stale or garbage handle gives -DER_NO_HDL.
 * Operations on one handle must not run concurrently (one xstream owns a tree).
 *
 * Built-in classes DBTREE_CLASS_KV / _IV / _NV are registered by the library itself the first
 * time any tree is created or opened (or by dbtree_class_builtin_init()).
 *
 * Names and semantics follow DAOS (src/include/daos/btree.h), with the pdaos storage spec's
 * additions: val_out on to_rec_alloc/to_rec_update/dbtree_upsert, and the *_ex calls take a
 * private pointer only.
 */
#ifndef __DAOS_BTREE_H__
#define __DAOS_BTREE_H__

#include <stdbool.h>
#include <stdint.h>

#include <daos_types.h>
#include <daos/mem.h>
#include <gurt/common.h>

#if defined(__cplusplus)
extern "C" {
#endif

/**
 * A record of the tree. In a leaf, rec_off is the record body allocated by the class; in an
 * internal node it is the child to the right of the key. The key that follows is
 *  - rec_ukey[0] with BTR_FEAT_UINT_KEY (8 bytes),
 *  - rec_node[0] with BTR_FEAT_DIRECT_KEY: in internal nodes, the leaf whose first record is
 *    the separator key; unused (0) in leaves, the class compares against its body,
 *  - rec_hkey[to_hkey_size()] otherwise (rounded up to 8 bytes in the node).
 */
struct btr_record {
	umem_off_t rec_off;
	union {
		char rec_hkey[0];
		uint64_t rec_ukey[0];
		umem_off_t rec_node[0];
	};
};

/** Tree node: a header followed by up to tree-order records. */
struct btr_node {
	/** BTR_NODE_LEAF, BTR_NODE_ROOT */
	uint16_t tn_flags;
	/** number of records (leaf) or keys (internal: children = keys + 1) */
	uint16_t tn_keyn;
	uint32_t tn_pad_32;
	/** generation, reserved */
	uint64_t tn_gen;
	/** the leftmost child of an internal node; unused in leaves */
	umem_off_t tn_child;
	struct btr_record tn_recs[0];
};

enum {
	BTR_NODE_LEAF = (1 << 0),
	BTR_NODE_ROOT = (1 << 1),
};

enum {
	BTR_ORDER_MIN = 3,
	BTR_ORDER_MAX = 255,
};

/**
 * Persistent tree root, embedded in the owner's structure (dbtree_create_inplace). Zeroed
 * (tr_class == 0) means "no tree". 40 bytes.
 */
struct btr_root {
	/** capacity of the root leaf while it grows (BTR_FEAT_DYNAMIC_ROOT), else the order */
	uint16_t tr_node_size;
	/** btree order: most records per node */
	uint16_t tr_order;
	/** depth of the tree, 0 for an empty tree */
	uint16_t tr_depth;
	uint16_t tr_pad_16;
	/** registered class of the tree */
	uint32_t tr_class;
	uint32_t tr_pad_32;
	/** effective feature bits (BTR_FEAT_* and class-defined upper bits) */
	uint64_t tr_feats;
	/** generation, reserved */
	uint64_t tr_gen;
	/** root node, UMOFF_NULL for an empty tree */
	umem_off_t tr_node;
};

/** Tree attributes returned by dbtree_query(). */
struct btr_attr {
	/** number of records if cheap to know (depth <= 1), else an estimate */
	int ba_count;
	unsigned int ba_order;
	unsigned int ba_depth;
	unsigned int ba_class;
	uint64_t ba_feats;
	struct umem_attr ba_uma;
};

/** Tree statistics gathered by dbtree_query() (walks the whole tree). */
struct btr_stat {
	/** tree nodes */
	uint64_t bs_node_nr;
	/** records (including those to_check_availability would hide) */
	uint64_t bs_rec_nr;
	/** sum / max of key and value sizes (needs to_rec_stat, else 0) */
	uint64_t bs_key_sum;
	uint64_t bs_key_max;
	uint64_t bs_val_sum;
	uint64_t bs_val_max;
};

struct btr_rec_stat {
	uint64_t rs_ksize;
	uint64_t rs_vsize;
};

struct btr_instance;

typedef enum {
	/** probe a specific key */
	BTR_PROBE_SPEC = (1 << 8),
	/**
	 * dbtree_upsert/dbtree_delete only: reuse the position found by the previous
	 * dbtree_fetch/dbtree_lookup of the same handle for the same key (saves a descent
	 * after a miss). Falls back to BTR_PROBE_EQ if the tree changed since (any handle).
	 */
	BTR_PROBE_BYPASS = 0,
	/** the first record in the tree */
	BTR_PROBE_FIRST = 1,
	/** the last record in the tree */
	BTR_PROBE_LAST = 2,
	/** the record whose key equals the key */
	BTR_PROBE_EQ = BTR_PROBE_SPEC,
	/** the first record whose key is greater than the key */
	BTR_PROBE_GT = BTR_PROBE_SPEC | 1,
	/** the last record whose key is less than the key */
	BTR_PROBE_LT = BTR_PROBE_SPEC | 2,
	/** the first record whose key is greater than or equal to the key */
	BTR_PROBE_GE = BTR_PROBE_SPEC | 3,
	/** the last record whose key is less than or equal to the key */
	BTR_PROBE_LE = BTR_PROBE_SPEC | 4,
} dbtree_probe_opc_t;

/** Return values of to_hkey_cmp / to_key_cmp: how the RECORD compares to the key. */
enum btr_key_cmp_rc {
	BTR_CMP_EQ = (0),
	BTR_CMP_LT = (1 << 0),
	BTR_CMP_GT = (1 << 1),
	/** may be or'ed with LT/GT; accepted and ignored by this implementation */
	BTR_CMP_UNKNOWN = (1 << 2),
	/** comparison failed: the operation returns -DER_INVAL */
	BTR_CMP_ERR = (1 << 3),
};

/** Convert a memcmp-style result (record minus key) into enum btr_key_cmp_rc. */
static inline int
dbtree_key_cmp_rc(int rc)
{
	if (rc == 0)
		return BTR_CMP_EQ;
	return rc < 0 ? BTR_CMP_LT : BTR_CMP_GT;
}

/*
 * DAOS keeps these two enums in daos/dtx.h; they live here until a DTX header exists. A header
 * that defines them too must use the same guard (or include this one).
 */
#ifndef DAOS_OPS_INTENT_DEFINED
#define DAOS_OPS_INTENT_DEFINED
/** Why a record is looked at; passed to to_check_availability (DAOS numbers). */
enum daos_ops_intent {
	DAOS_INTENT_DEFAULT = 0,             /* fetch/enumerate/query */
	DAOS_INTENT_PURGE = 1,               /* purge/aggregation */
	DAOS_INTENT_UPDATE = 2,              /* write/insert */
	DAOS_INTENT_PUNCH = 3,               /* punch/delete */
	DAOS_INTENT_MIGRATION = 4,           /* migration scan */
	DAOS_INTENT_CHECK = 5,               /* check aborted or not */
	DAOS_INTENT_KILL = 6,                /* delete object/key */
	DAOS_INTENT_COS = 7,                 /* add to the CoS cache */
	DAOS_INTENT_IGNORE_NONCOMMITTED = 8, /* ignore non-committed DTX */
	DAOS_INTENT_DISCARD = 9,             /* discard */
};

/** Return values of to_check_availability (DAOS numbers). */
enum daos_dtx_alb {
	/** hidden from probes and iteration */
	ALB_UNAVAILABLE = 0,
	/** visible, nothing pending */
	ALB_AVAILABLE_CLEAN = 1,
	/** visible, with uncommitted changes or garbage */
	ALB_AVAILABLE_DIRTY = 2,
	/** visible to purge: aborted */
	ALB_AVAILABLE_ABORTED = 3,
};
#endif /* DAOS_OPS_INTENT_DEFINED */

/**
 * Tree class callbacks. "rec" always points at the record inside its node; the caller has
 * already added it to the transaction when the callback may change it (alloc, update, free).
 */
typedef struct {
	/** Generate the fixed-size hashed key of \a key into \a hkey (hashed classes). */
	void (*to_hkey_gen)(struct btr_instance *tins, d_iov_t *key, void *hkey);
	/** Size of the hashed key in bytes (hashed classes; <= 64). */
	int (*to_hkey_size)(void);
	/**
	 * Optional: compare the hkey of \a rec with \a hkey (BTR_CMP_*). Absent: memcmp of the
	 * hkey bytes, which for 8-byte hkeys is done as a native uint64 compare.
	 */
	int (*to_hkey_cmp)(struct btr_instance *tins, struct btr_record *rec, void *hkey);
	/**
	 * Compare the real key of the leaf record \a rec with \a key (BTR_CMP_*). Required for
	 * BTR_FEAT_DIRECT_KEY (it is the order). Optional for hashed classes: then records with
	 * equal hkeys are ordered by it (hash collisions resolved); absent, equal hkey = same key.
	 */
	int (*to_key_cmp)(struct btr_instance *tins, struct btr_record *rec, d_iov_t *key);
	/**
	 * Encode/decode a real key into/from an anchor. Required for BTR_FEAT_DIRECT_KEY (the
	 * whole da_buf is the class's). Optional for hashed classes with to_key_cmp: the tree puts
	 * the hkey first and lets the class use the remaining DAOS_ANCHOR_BUF_MAX - hkey size
	 * bytes (anchor->da_buf of the anchor passed in), so iteration resumes exactly between
	 * colliding keys. decode may point key->iov_buf into the anchor.
	 */
	void (*to_key_encode)(struct btr_instance *tins, d_iov_t *key, daos_anchor_t *anchor);
	void (*to_key_decode)(struct btr_instance *tins, d_iov_t *key, daos_anchor_t *anchor);
	/**
	 * Allocate the body of a new record for \a key / \a val and set rec->rec_off. The inline
	 * key is already in place. Optional \a val_out: where the value ended up (class defined).
	 */
	int (*to_rec_alloc)(struct btr_instance *tins, d_iov_t *key, d_iov_t *val,
			    struct btr_record *rec, d_iov_t *val_out);
	/** Free the body of \a rec; \a args is the caller's (dbtree_delete/destroy/drain). */
	int (*to_rec_free)(struct btr_instance *tins, struct btr_record *rec, void *args);
	/**
	 * Fetch the key and/or value of \a rec. An iov with iov_buf == NULL gets the address of
	 * the data (zero copy); otherwise the data is copied (built-in classes: -DER_TRUNC with
	 * iov_len = the size needed if iov_buf_len is too small). Either may be NULL (the tree
	 * fetches keys with val_out == NULL to build anchors).
	 */
	int (*to_rec_fetch)(struct btr_instance *tins, struct btr_record *rec, d_iov_t *key_out,
			    d_iov_t *val_out);
	/**
	 * Update the value of \a rec in place. -DER_NO_PERM: cannot, the tree frees the body and
	 * allocates a new one (to_rec_free(args = NULL) then to_rec_alloc).
	 */
	int (*to_rec_update)(struct btr_instance *tins, struct btr_record *rec, d_iov_t *key,
			     d_iov_t *val, d_iov_t *val_out);
	/** Optional: key and value sizes of \a rec (dbtree_query statistics). */
	int (*to_rec_stat)(struct btr_instance *tins, struct btr_record *rec,
			   struct btr_rec_stat *rstat);
	/**
	 * Optional: may \a rec be seen for \a intent? ALB_UNAVAILABLE hides it from probes,
	 * lookups and iteration; ALB_AVAILABLE_* shows it; a negative error (e.g.
	 * -DER_INPROGRESS) is returned by the operation.
	 */
	int (*to_check_availability)(struct btr_instance *tins, struct btr_record *rec,
				     uint32_t intent);
	/** Optional: human-readable record for debugging (leaf: key and value). */
	char *(*to_rec_string)(struct btr_instance *tins, struct btr_record *rec, bool leaf,
			       char *buf, int buf_len);
} btr_ops_t;

/** Tree instance, as seen by the class callbacks. */
struct btr_instance {
	/** memory class of the tree (umem_off2ptr etc.) */
	struct umem_instance ti_umm;
	/** the opener's private pointer (dbtree_*_inplace_ex) */
	void *ti_priv;
	/** container handle of the opener; DAOS_HDL_INVAL here (kept for DAOS source compat) */
	daos_handle_t ti_coh;
	/** offset of the root in the heap (UMOFF_NULL for a VMEM tree) */
	umem_off_t ti_root_off;
	struct btr_root *ti_root;
	btr_ops_t *ti_ops;
};

/**
 * Feature bits. The low bits are the tree's; a class may define its own in the upper bits
 * (passed through in tr_feats).
 */
enum btr_feats {
	/** 64-bit unsigned integer keys compared as numbers: no key callbacks */
	BTR_FEAT_UINT_KEY = (1 << 0),
	/** no hkey: to_key_cmp orders the records by their real key */
	BTR_FEAT_DIRECT_KEY = (1 << 1),
	/** the root leaf starts with one slot and grows up to the order (small trees) */
	BTR_FEAT_DYNAMIC_ROOT = (1 << 2),
};

/** True if the inplace root has no records (or is no tree at all). */
static inline int
dbtree_is_empty_inplace(const struct btr_root *root)
{
	return root->tr_depth == 0;
}

/**
 * Register \a ops as class \a tree_class (< BTR_CLASS_MAX). \a tree_feats: the features the
 * class supports; UINT_KEY / DIRECT_KEY / DYNAMIC_ROOT set here apply to every tree of the
 * class. Registering the same ops again is a no-op; other ops for a used id: -DER_EXIST.
 */
int dbtree_class_register(unsigned int tree_class, uint64_t tree_feats, btr_ops_t *ops);
/** Register the built-in classes now (done automatically on first create/open). */
int dbtree_class_builtin_init(void);

/**
 * Create an empty tree in the zeroed \a root (-DER_NO_PERM if root->tr_class != 0). Runs in
 * the caller's transaction if any. \a tree_feats must be a subset of the class's features.
 */
int dbtree_create_inplace(unsigned int tree_class, uint64_t tree_feats, unsigned int tree_order,
			  struct umem_attr *uma, struct btr_root *root, daos_handle_t *toh);
int dbtree_create_inplace_ex(unsigned int tree_class, uint64_t tree_feats, unsigned int tree_order,
			     struct umem_attr *uma, struct btr_root *root, void *priv,
			     daos_handle_t *toh);
/** Allocate a root in the heap (its offset in \a root_offp) and create a tree there. */
int dbtree_create(unsigned int tree_class, uint64_t tree_feats, unsigned int tree_order,
		  struct umem_attr *uma, umem_off_t *root_offp, daos_handle_t *toh);
int dbtree_open_inplace(struct btr_root *root, struct umem_attr *uma, daos_handle_t *toh);
int dbtree_open_inplace_ex(struct btr_root *root, struct umem_attr *uma, void *priv,
			   daos_handle_t *toh);
int dbtree_open(umem_off_t root_off, struct umem_attr *uma, daos_handle_t *toh);
/** Close the handle (iterators prepared from it stay usable until finished). */
int dbtree_close(daos_handle_t toh);
/**
 * Free every record (to_rec_free with \a args), every node, and the root (zeroed in place,
 * freed if made by dbtree_create). The handle is closed, also on error.
 */
int dbtree_destroy(daos_handle_t toh, void *args);
/**
 * Free at most *credits records (and the nodes they empty), in one transaction. *credits
 * returns what is left. Once the tree is empty, it is destroyed like dbtree_destroy() and
 * *destroyed is set; the handle stays open (close it). credits == NULL: no limit.
 */
int dbtree_drain(daos_handle_t toh, int *credits, void *args, bool *destroyed);

/** Insert or update \a key with \a val. */
int dbtree_update(daos_handle_t toh, d_iov_t *key, d_iov_t *val);
/**
 * Insert or update. \a opc: BTR_PROBE_EQ or BTR_PROBE_BYPASS. A record hidden by
 * to_check_availability(intent) is updated like a visible one (the class decides).
 * \a val_out: passed to to_rec_alloc / to_rec_update.
 */
int dbtree_upsert(daos_handle_t toh, dbtree_probe_opc_t opc, uint32_t intent, d_iov_t *key,
		  d_iov_t *val, d_iov_t *val_out);
/**
 * Find the record selected by \a opc (and \a key for the BTR_PROBE_SPEC opcodes), skipping
 * unavailable records, and fetch its key/value (see to_rec_fetch). -DER_NONEXIST: none.
 */
int dbtree_fetch(daos_handle_t toh, dbtree_probe_opc_t opc, uint32_t intent, d_iov_t *key,
		 d_iov_t *key_out, d_iov_t *val_out);
/** dbtree_fetch(EQ, DAOS_INTENT_DEFAULT) of the value only. */
int dbtree_lookup(daos_handle_t toh, d_iov_t *key, d_iov_t *val_out);
/** Delete the record with \a key (\a opc: EQ or BYPASS); \a args goes to to_rec_free. */
int dbtree_delete(daos_handle_t toh, dbtree_probe_opc_t opc, d_iov_t *key, void *args);
/** Attributes (cheap) and/or statistics (walks the tree). Either may be NULL. */
int dbtree_query(daos_handle_t toh, struct btr_attr *attr, struct btr_stat *stat);
/** 1 empty, 0 not, negative error. */
int dbtree_is_empty(daos_handle_t toh);
/**
 * pdaos addition (debugging, tests): walk the whole tree and verify its invariants (key
 * order in and across nodes, separators, every leaf at the same depth, node fill). Fills
 * \a stat (optional) like dbtree_query. -DER_DF_INVAL (and an error log) on a violation.
 */
int dbtree_check(daos_handle_t toh, struct btr_stat *stat);
/** umem instance of a tree or iterator handle; NULL for a bad handle. */
struct umem_instance *btr_hdl2umm(daos_handle_t toh);

/* ------------------------------------------------------------------------------------------
 * Iterators.
 *
 * An iterator is positioned by dbtree_iter_probe and moved by next/prev; -DER_NONEXIST means
 * no (more) records. Changes made through any handle of the tree in this process (including
 * dbtree_iter_delete) keep every iterator of the tree valid: its position is then held as a
 * key and re-found on the next move (a deleted current record is stepped over). Handles are
 * matched by the root's address; a tree changed by another process is not followed.
 *
 * Anchors hold the key of the record (hkey, integer key, or the class's encoding), never a
 * node position: probe(BTR_PROBE_GT, NULL, anchor) resumes right after the anchored record,
 * BTR_PROBE_GE at it (or its successor if it is gone), whatever happened in between.
 * ------------------------------------------------------------------------------------------ */
enum {
	/** use the iterator embedded in the tree handle (no allocation; one at a time) */
	BTR_ITER_EMBEDDED = (1 << 0),
};

int dbtree_iter_prepare(daos_handle_t toh, unsigned int options, daos_handle_t *ih);
int dbtree_iter_finish(daos_handle_t ih);
/**
 * Position the iterator: FIRST/LAST (key and anchor ignored), or a BTR_PROBE_SPEC opcode
 * with \a key, or with \a anchor (key == NULL) from dbtree_iter_fetch.
 */
int dbtree_iter_probe(daos_handle_t ih, dbtree_probe_opc_t opc, uint32_t intent, d_iov_t *key,
		      daos_anchor_t *anchor);
int dbtree_iter_next(daos_handle_t ih);
int dbtree_iter_prev(daos_handle_t ih);
int dbtree_iter_next_with_intent(daos_handle_t ih, uint32_t intent);
int dbtree_iter_prev_with_intent(daos_handle_t ih, uint32_t intent);
/** Fetch the current record; \a anchor (optional) receives its key for a later probe. */
int dbtree_iter_fetch(daos_handle_t ih, d_iov_t *key, d_iov_t *val, daos_anchor_t *anchor);
/** Delete the current record; next/prev then move to its neighbours. */
int dbtree_iter_delete(daos_handle_t ih, void *args);
/** 1 if the tree is empty, 0 if not, negative error. */
int dbtree_iter_empty(daos_handle_t ih);

/**
 * Callback of dbtree_iterate(): 0 continue, 1 stop (dbtree_iterate returns 0), other values
 * stop and are returned. The callback may call dbtree_iter_delete(ih, ...).
 */
typedef int (*dbtree_iterate_cb_t)(daos_handle_t ih, d_iov_t *key, d_iov_t *val, void *arg);
/** Visit every available record in key order (or reverse) with the embedded iterator. */
int dbtree_iterate(daos_handle_t toh, uint32_t intent, bool backward, dbtree_iterate_cb_t cb,
		   void *arg);

/* Tree class ids. */
enum {
	BTR_CLASS_MAX = 64,
	DBTREE_VOS_BEGIN = 10,
	DBTREE_VOS_END = DBTREE_VOS_BEGIN + 9,
	DBTREE_DSM_BEGIN = 20,
	DBTREE_DSM_END = DBTREE_DSM_BEGIN + 9,
	DBTREE_SMD_BEGIN = 30,
	DBTREE_SMD_END = DBTREE_SMD_BEGIN + 9,
	/** generic classes of the library */
	DBTREE_GEN_BEGIN = 40,
	DBTREE_GEN_END = DBTREE_GEN_BEGIN + 9,
};

/*
 * Built-in generic classes. Values are byte strings stored in the heap (allocated on insert,
 * reallocated on update). to_rec_fetch: a val_out with iov_buf == NULL gets the address and
 * length of the stored value; otherwise the value is copied (-DER_TRUNC, with iov_len set
 * to the value length, if iov_buf_len is too small). key_out works the same way.
 */
enum {
	/** hashed variable-length keys: murmur64 hkey, collisions ordered by the real key */
	DBTREE_CLASS_KV = DBTREE_GEN_BEGIN,
	/** uint64_t keys (iov of 8 bytes), numeric order */
	DBTREE_CLASS_IV = DBTREE_GEN_BEGIN + 1,
	/** variable-length keys in lexical order (memcmp, then shorter first): DIRECT_KEY */
	DBTREE_CLASS_NV = DBTREE_GEN_BEGIN + 2,
};

#if defined(__cplusplus)
}
#endif

#endif /* __DAOS_BTREE_H__ */
