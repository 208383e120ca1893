/**
 * rdb internals: database object, persistent layout, log entry format, KVS trees.
 *
 * Layers (see README.md):
 *   rdb_tx.c   - TX buffer (read-your-writes overlay), queries, commit
 *   rdb_log.c  - log entry encode/decode, append (single replica), apply
 *   rdb_tree.c - KVS trees in the heap (dbtree), recursive destroy
 *   rdb.c      - storage (heap files, superblock), start/stop, leadership
 *   rdb_path.c - paths and their encoding
 */
#ifndef __RDB_INTERNAL_H__
#define __RDB_INTERNAL_H__

#include <daos/btree.h>
#include <daos/mem.h>
#include <daos_srv/rdb.h>
#include <daos_srv/ult.h>

/* ------------------------------------------------------------------------------------------
 * Persistent layout (the heap's root object).
 * ------------------------------------------------------------------------------------------ */
#define RDB_SB_MAGIC   0x7264627375706231ULL /* "rdbsupb1" */
#define RDB_SB_VERSION 1

/*
 * Every value stored in a KVS tree starts with this header, so that a record holding a child
 * KVS can be told from a plain value (and destroyed recursively).
 */
struct rdb_vhdr {
	uint16_t rv_magic;
	uint16_t rv_type;  /* RDB_VT_* */
	uint32_t rv_class; /* enum rdb_kvs_class of a child KVS */
};

#define RDB_VHDR_MAGIC 0xdb01
enum { RDB_VT_PLAIN = 1, RDB_VT_KVS = 2 };

/*
 * Stored form of a child KVS in its parent's record: header + the offset of the child's tree
 * root, which has an allocation of its own (a value follows a key of any length in the record,
 * so it is not aligned; a tree root must be). Read it with memcpy.
 */
struct rdb_kvs_val {
	struct rdb_vhdr kv_hdr;
	umem_off_t kv_root_off;
};

/* Header of a stored value (which may be unaligned). */
static inline void
rdb_stored_vhdr(const d_iov_t *stored, struct rdb_vhdr *vh)
{
	memcpy(vh, stored->iov_buf, sizeof(*vh));
}

struct rdb_sb {
	uint64_t rs_magic;
	uint32_t rs_version;
	uint32_t rs_layout_version;
	uuid_t rs_uuid;
	uint64_t rs_size;
	/* Raft state (persisted before it is acted on). */
	uint64_t rs_term;
	int64_t rs_vote;
	uint64_t rs_caller_term;
	/* Applied state: the last entry whose updates are in the trees. */
	uint64_t rs_applied_index;
	uint64_t rs_applied_term;
	/* Replicas */
	rdb_replica_id_t rs_self;
	uint32_t rs_replica_gen_next;
	uint32_t rs_nreplicas;
	rdb_replica_id_t rs_replicas[RDB_REPLICAS_MAX];
	/* KVSs ever created (diagnostics, rdb_glance) */
	uint64_t rs_nkvs_created;
	/* Root KVS: rs_root_class is valid only when rs_root_exists */
	uint32_t rs_root_exists;
	uint32_t rs_root_class;
	struct btr_root rs_root;
	uint8_t rs_reserved[256];
};

/* ------------------------------------------------------------------------------------------
 * Database object. A struct rdb_storage * is a struct rdb * that is open but not started.
 * ------------------------------------------------------------------------------------------ */
struct rdb {
	char *d_path;
	uuid_t d_uuid;
	struct rdb_cbs *d_cbs;
	void *d_arg;
	struct umem_pool *d_pool;
	struct umem_instance d_umm;
	struct umem_attr d_uma;
	struct rdb_sb *d_sb;
	bool d_started;
	bool d_leader;
	bool d_stopping;
	/* Current term (== d_sb->rs_term once persisted). */
	uint64_t d_term;
	/* Log positions: last appended, last applied in DRAM, last known durable. */
	uint64_t d_last_index;
	uint64_t d_applied;
	uint64_t d_durable;
	/* Sticky error after a failed durable commit: the database must be stopped. */
	int d_failed;
	/* Open TXs (rdb_stop waits for none). */
	int d_ntx;
	/* Serializes index assignment and in-memory apply (entries apply in index order). */
	ult_mutex_t d_apply_mutex;
	/* Guards d_durable, d_failed, d_ntx; d_cv signals their changes. */
	ult_mutex_t d_mutex;
	ult_cond_t d_cv;
};

static inline struct rdb *
rdb_from_storage(struct rdb_storage *storage)
{
	return (struct rdb *)storage;
}

static inline struct rdb_storage *
rdb_to_storage(struct rdb *db)
{
	return (struct rdb_storage *)db;
}

#define DF_DB     DF_UUID
#define DP_DB(db) DP_UUID((db)->d_uuid)

/* ------------------------------------------------------------------------------------------
 * Paths (rdb_path.c). Keys are encoded as u32 len, bytes, u32 len (backward decodable).
 * ------------------------------------------------------------------------------------------ */
size_t rdb_encode_key(const d_iov_t *key, void *buf);
ssize_t rdb_decode_key(const void *buf, size_t len, d_iov_t *key);
/* Validate an absolute path: root key first, then nonempty keys no larger than RDB_KEY_MAX. */
int rdb_path_check(const rdb_path_t *path);
typedef int (*rdb_path_iterate_cb_t)(d_iov_t *key, void *arg);
int rdb_path_iterate(const rdb_path_t *path, rdb_path_iterate_cb_t cb, void *arg);
/* Validate a key for a TX operation. */
int rdb_key_check(const d_iov_t *key);

/* ------------------------------------------------------------------------------------------
 * Log entries (rdb_log.c).
 *
 * Entry: struct rdb_entry_hdr, then re_nops operations, each:
 *   u8 opc, u8 flags, u16 0, u32 kvs_len, u32 key_len, u32 val_len,
 *   kvs bytes, key bytes, val bytes (all lengths may be 0)
 * For UPDATE the value bytes are the stored form (struct rdb_vhdr + data); for CREATE and
 * CREATE_ROOT they are a struct rdb_kvs_attr_df.
 * ------------------------------------------------------------------------------------------ */
#define RDB_ENTRY_MAGIC 0x72646265 /* "rdbe" */

struct rdb_entry_hdr {
	uint32_t re_magic;
	uint16_t re_version;
	uint16_t re_flags; /* RDB_ENTRY_CRITICAL */
	uint32_t re_nops;
	uint32_t re_len; /* bytes of the whole entry */
};

#define RDB_ENTRY_CRITICAL (1U << 0)

enum rdb_tx_opc {
	RDB_TX_INVALID = 0,
	RDB_TX_CREATE_ROOT = 1,
	RDB_TX_DESTROY_ROOT = 2,
	RDB_TX_CREATE = 3,
	RDB_TX_DESTROY = 4,
	RDB_TX_UPDATE = 5,
	RDB_TX_DELETE = 6,
};

struct rdb_op_df {
	uint8_t od_opc;
	uint8_t od_flags;
	uint16_t od_pad;
	uint32_t od_kvs_len;
	uint32_t od_key_len;
	uint32_t od_val_len;
};

struct rdb_kvs_attr_df {
	uint32_t ka_class;
	uint32_t ka_order;
};

/* A decoded operation; iovs point into the entry. */
struct rdb_tx_op {
	enum rdb_tx_opc dto_opc;
	rdb_path_t dto_kvs;
	d_iov_t dto_key;
	d_iov_t dto_value;
	struct rdb_kvs_attr dto_attr;
};

const char *rdb_tx_opc_str(enum rdb_tx_opc opc);
size_t rdb_op_encode(const struct rdb_tx_op *op, void *buf);
ssize_t rdb_op_decode(const void *buf, size_t len, struct rdb_tx_op *op);

/* Deterministic errors: every replica gets the same one, so the entry still counts as applied. */
static inline bool
rdb_tx_deterministic_error(int error)
{
	return error == -DER_NONEXIST || error == -DER_EXIST || error == -DER_MISMATCH ||
	       error == -DER_INVAL || error == -DER_NO_PERM;
}

/*
 * Append an entry to the log of \a term and wait until it is applied and durable. With one
 * replica this applies it at once; with Raft it is raft_recv_entry + wait for the apply
 * callback. \a result gets the apply result (0 or a deterministic error).
 */
int rdb_log_append_apply(struct rdb *db, uint64_t term, const void *entry, size_t len, int *result);
/*
 * Apply entry \a index of \a term to the trees in one heap transaction that also records
 * (index, term) as applied. Returns 0 with \a result set (the entry counts as applied even on
 * a deterministic error, with no update of it visible), or a nondeterministic error (nothing
 * changed, index not applied).
 */
int rdb_log_apply(struct rdb *db, uint64_t index, uint64_t term, const void *entry, size_t len,
		  int *result);

/* ------------------------------------------------------------------------------------------
 * KVS trees (rdb_tree.c). Called inside a heap transaction for updates.
 * ------------------------------------------------------------------------------------------ */
struct rdb_kvs_ref {
	daos_handle_t kr_toh;
	enum rdb_kvs_class kr_class;
};

int rdb_tree_init(void);
/* Open the tree of the KVS at \a path; -DER_NONEXIST if any KVS on the way is missing. */
int rdb_tree_open_path(struct rdb *db, const rdb_path_t *path, struct rdb_kvs_ref *ref);
void rdb_tree_close(struct rdb_kvs_ref *ref);
/* Key validation for a class (-DER_INVAL: e.g. an INTEGER key that is not 8 bytes). */
int rdb_tree_key_check(enum rdb_kvs_class cls, const d_iov_t *key);
/* Stored value (struct rdb_vhdr + data) of \a key, in place. */
int rdb_tree_lookup(struct rdb_kvs_ref *ref, const d_iov_t *key, d_iov_t *stored);
int rdb_tree_update(struct rdb *db, struct rdb_kvs_ref *ref, const d_iov_t *key,
		    const d_iov_t *stored);
int rdb_tree_delete(struct rdb *db, struct rdb_kvs_ref *ref, const d_iov_t *key);
int rdb_tree_create_kvs(struct rdb *db, struct rdb_kvs_ref *parent, const d_iov_t *key,
			const struct rdb_kvs_attr *attr);
int rdb_tree_create_root(struct rdb *db, const struct rdb_kvs_attr *attr);
int rdb_tree_destroy_root(struct rdb *db);
/* Probe: position at \a opc relative to \a key_in; return key and stored value in place. */
int rdb_tree_probe(struct rdb_kvs_ref *ref, enum rdb_probe_opc opc, const d_iov_t *key_in,
		   d_iov_t *key_out, d_iov_t *stored);
/* Private positive code carrying a callback's "stop" (1) through dbtree_iterate(). */
#define RDB_ITER_STOP 0x52444201

typedef int (*rdb_tree_iter_cb_t)(daos_handle_t ih, d_iov_t *key, d_iov_t *stored, void *arg);
int rdb_tree_iterate(struct rdb_kvs_ref *ref, bool backward, rdb_tree_iter_cb_t cb, void *arg);
/* Compare two keys in the iteration order of \a cls (GENERIC: not ordered, returns 0). */
int rdb_key_cmp(enum rdb_kvs_class cls, const d_iov_t *a, const d_iov_t *b);
/* User-visible value of a stored value (data after the header, or the header of a KVS). */
int rdb_stored2user(const d_iov_t *stored, d_iov_t *user);

/* ------------------------------------------------------------------------------------------
 * Database (rdb.c).
 * ------------------------------------------------------------------------------------------ */
/* Wait until everything applied is durable, so queries never read unacknowledged state. */
int rdb_wait_durable(struct rdb *db);
int rdb_leader_check(struct rdb *db, uint64_t term);

#endif /* __RDB_INTERNAL_H__ */
