/**
 * rdb: the transactional key-value store of the metadata services (pool and container services).
 *
 * A database is a tree of key-value stores (KVSs): a value is either a nonempty byte string or
 * a child KVS, so a KVS is named by a path, the list of keys from the root KVS
 * (rdb_path_root_key) to it. A new database is empty; callers create the root KVS first.
 *
 * Everything goes through transactions (rdb_tx_*). Updates are buffered in the TX (queries in
 * the same TX see them: read-your-writes) and rdb_tx_commit() turns them into one log entry
 * which is applied atomically to the KVS trees; it returns once the entry is durable. Ending a
 * TX without committing drops its updates. If one update of an entry fails to apply, none of
 * them is applied and rdb_tx_commit() returns the error.
 *
 * The API is replica-agnostic: this implementation runs one voting replica (leader at once in
 * a new term at rdb_start), and Raft slots in under the same API (see src/rdb/README.md).
 * A database is used from one xstream (or one plain thread) at a time.
 *
 * Names, signatures and semantics follow DAOS's src/include/daos_srv/rdb.h.
 */
#ifndef DAOS_SRV_RDB_H
#define DAOS_SRV_RDB_H

#include <daos/common.h>
#include <daos_types.h>
#include <gurt/list.h>

#if defined(__cplusplus)
extern "C" {
#endif

/** Database storage (opaque): an open database that is not started (no leadership). */
struct rdb_storage;

/** Replica ID, passed by value. */
typedef struct {
	d_rank_t rri_rank; /**< rank */
	uint32_t rri_gen;  /**< generation (see rdb_alloc_replica_gen) */
} rdb_replica_id_t;

#define RDB_F_RID     "%u.%u"
#define RDB_P_RID(id) (id).rri_rank, (id).rri_gen

static inline int
rdb_replica_id_compare(rdb_replica_id_t x, rdb_replica_id_t y)
{
	if (x.rri_rank != y.rri_rank)
		return x.rri_rank < y.rri_rank ? -1 : 1;
	if (x.rri_gen != y.rri_gen)
		return x.rri_gen < y.rri_gen ? -1 : 1;
	return 0;
}

/** Most replicas a database records. */
#define RDB_REPLICAS_MAX 32

/** Parameters for creating database storage */
struct rdb_create_params {
	size_t rcp_size;                /**< heap size in bytes */
	uint32_t rcp_vos_df_version;    /**< accepted, unused (rdb has its own heap) */
	uint32_t rcp_layout_version;    /**< layout version (0 for default) */
	rdb_replica_id_t rcp_id;        /**< self ID */
	rdb_replica_id_t *rcp_replicas; /**< replica IDs if bootstrapping */
	int rcp_replicas_len;           /**< length of rcp_replicas[] */
};

struct rdb_cbs;

/** Database clue returned by rdb_glance */
struct rdb_clue {
	/* Raft clue */
	uint64_t bcl_term;           /**< term */
	int bcl_vote;                /**< vote (-1: none) */
	d_rank_t bcl_self;           /**< self rank */
	uint64_t bcl_last_index;     /**< index of last entry */
	uint64_t bcl_last_term;      /**< term of last entry */
	uint64_t bcl_base_index;     /**< index of base (i.e., snapshot) */
	uint64_t bcl_base_term;      /**< term of base (i.e., snapshot) */
	d_rank_list_t *bcl_replicas; /**< replicas at last index (free with d_rank_list_free) */

	/* Database clue */
	uint64_t bcl_oid_next; /**< next OID (number of KVSs ever created + 1) */
};

/** Smallest heap rdb_create() accepts. */
#define RDB_SIZE_MIN (1ULL << 20)
/** Default heap size when rcp_size is 0. */
#define RDB_SIZE_DEFAULT (128ULL << 20)

/** Database storage methods */
int rdb_create(const char *path, const uuid_t uuid, uint64_t caller_term,
	       struct rdb_create_params *params, struct rdb_cbs *cbs, void *arg,
	       struct rdb_storage **storagep);
int rdb_open(const char *path, const uuid_t uuid, uint64_t caller_term, struct rdb_cbs *cbs,
	     void *arg, struct rdb_storage **storagep);
void rdb_close(struct rdb_storage *storage);
int rdb_destroy(const char *path, const uuid_t uuid);
int rdb_glance(struct rdb_storage *storage, struct rdb_clue *clue);
int rdb_dictate(struct rdb_storage *storage);

/** Database (opaque) */
struct rdb;

/** Database callbacks */
struct rdb_cbs {
	/**
	 * If not NULL, called after this replica becomes the leader of \a term. If it returns an
	 * error, rdb steps down without calling dc_step_down; -DER_SHUTDOWN also makes rdb call
	 * dc_stop.
	 */
	int (*dc_step_up)(struct rdb *db, uint64_t term, void *arg);
	/** If not NULL, called after this replica steps down as the leader of \a term. */
	void (*dc_step_down)(struct rdb *db, uint64_t term, void *arg);
	/**
	 * Suggests that this replica be stopped because of \a err. The service must call
	 * rdb_stop() later from outside any rdb callback or TX.
	 */
	void (*dc_stop)(struct rdb *db, int err, void *arg);
};

/** Operation for \a rdb_modify_replicas */
enum rdb_replica_op {
	RDB_REPLICA_ADD,   /**< add voting replicas */
	RDB_REPLICA_REMOVE /**< remove voting replicas */
};

/** Database methods */
int rdb_start(struct rdb_storage *storage, struct rdb **dbp);
void rdb_stop(struct rdb *db, struct rdb_storage **storagep);
void rdb_stop_and_close(struct rdb *db);
void rdb_resign(struct rdb *db, uint64_t term);
int rdb_campaign(struct rdb *db);
bool rdb_is_leader(struct rdb *db, uint64_t *term);
int rdb_get_leader(struct rdb *db, uint64_t *term, d_rank_t *rank);
rdb_replica_id_t rdb_get_replica_id(struct rdb *db);
int rdb_get_replicas(struct rdb *db, rdb_replica_id_t **replicas, int *replicas_len);
int rdb_get_ranks(struct rdb *db, d_rank_list_t **ranksp);
int rdb_get_size(struct rdb *db, size_t *sizep);
uint32_t rdb_get_version(struct rdb *db);
int rdb_alloc_replica_gen(struct rdb *db, uint64_t term, uint32_t *gen_out);
int rdb_modify_replicas(struct rdb *db, enum rdb_replica_op op, rdb_replica_id_t *replicas,
			int *replica_len);
int rdb_ping(struct rdb *db, uint64_t caller_term);
int rdb_upgrade_vos_pool(struct rdb *db, uint32_t df_version);

/**
 * Path: a list of keys, each encoded as (length, bytes, length). An absolute path begins with
 * rdb_path_root_key, which stands for the root KVS.
 */
typedef d_iov_t rdb_path_t;

/** Key for the root KVS in a path (an empty key; real keys are never empty). */
extern d_iov_t rdb_path_root_key;

/** Path methods */
int rdb_path_init(rdb_path_t *path);
void rdb_path_fini(rdb_path_t *path);
int rdb_path_clone(const rdb_path_t *path, rdb_path_t *new_path);
int rdb_path_push(rdb_path_t *path, const d_iov_t *key);
int rdb_path_pop(rdb_path_t *path);

/** Define a d_iov_t named \a prefix ## \a name for the constant string key "name" (with NUL). */
#define RDB_STRING_KEY(prefix, name)                                       \
	static char prefix##name##_buf[] = #name;                          \
	d_iov_t prefix##name = {.iov_buf = prefix##name##_buf,             \
				.iov_buf_len = sizeof(prefix##name##_buf), \
				.iov_len = sizeof(prefix##name##_buf)}

/** KVS classes */
enum rdb_kvs_class {
	RDB_KVS_GENERIC, /**< hash-ordered byte-stream keys */
	RDB_KVS_INTEGER, /**< numerically-ordered uint64_t keys */
	RDB_KVS_LEXICAL  /**< lexically-ordered byte-stream keys */
};

/** KVS attributes */
struct rdb_kvs_attr {
	enum rdb_kvs_class dsa_class;
	unsigned int dsa_order; /**< dbtree order (0: default) */
};

/** Largest key (bytes). */
#define RDB_KEY_MAX (4096)
/** Largest value (bytes). */
#define RDB_VALUE_MAX (512 * 1024)

/**
 * Transaction (TX). All fields are private; the struct is public so that callers can keep a
 * TX on their stack.
 */
struct rdb_tx {
	struct rdb *dt_db;
	uint64_t dt_term;    /* term this TX begins in */
	void *dt_entry;      /* log entry, built at commit */
	size_t dt_entry_cap; /* buffer capacity */
	size_t dt_entry_len; /* data length */
	int dt_num_ops;      /* number of buffered updates */
	unsigned int dt_flags;
	d_list_t dt_ops; /* buffered updates (struct rdb_tx_op_rec), oldest first */
};

/** Nil term */
#define RDB_NIL_TERM UINT64_MAX

/** TX methods */
int rdb_tx_begin(struct rdb *db, uint64_t term, struct rdb_tx *tx);
int rdb_tx_begin_local(struct rdb_storage *storage, struct rdb_tx *tx);
void rdb_tx_discard(struct rdb_tx *tx);
int rdb_tx_commit(struct rdb_tx *tx);
void rdb_tx_end(struct rdb_tx *tx);

/** TX update methods */
int rdb_tx_create_root(struct rdb_tx *tx, const struct rdb_kvs_attr *attr);
int rdb_tx_destroy_root(struct rdb_tx *tx);
int rdb_tx_create_kvs(struct rdb_tx *tx, const rdb_path_t *parent, const d_iov_t *key,
		      const struct rdb_kvs_attr *attr);
int rdb_tx_destroy_kvs(struct rdb_tx *tx, const rdb_path_t *parent, const d_iov_t *key);
int rdb_tx_update(struct rdb_tx *tx, const rdb_path_t *kvs, const d_iov_t *key,
		  const d_iov_t *value);
int rdb_tx_update_critical(struct rdb_tx *tx, const rdb_path_t *kvs, const d_iov_t *key,
			   const d_iov_t *value);
int rdb_tx_delete(struct rdb_tx *tx, const rdb_path_t *kvs, const d_iov_t *key);

/** Probe operation codes */
enum rdb_probe_opc {
	RDB_PROBE_FIRST, /**< first key */
	RDB_PROBE_LAST,  /**< last key */
	RDB_PROBE_EQ,    /**< key equal to key_in */
	RDB_PROBE_GE,    /**< first key >= key_in (INTEGER and LEXICAL KVSs) */
	RDB_PROBE_LE,    /**< last key <= key_in (INTEGER and LEXICAL KVSs) */
	RDB_PROBE_GT,    /**< first key > key_in (INTEGER and LEXICAL KVSs) */
	RDB_PROBE_LT     /**< last key < key_in (INTEGER and LEXICAL KVSs) */
};

/**
 * Iteration callback: 0 continues, 1 stops rdb_tx_iterate() with 0, anything else stops it
 * with that value. A key whose value is a child KVS is reported with an 8-byte opaque value.
 * A callback that yields must call rdb_tx_revalidate() after the yield and return its result.
 */
typedef int (*rdb_iterate_cb_t)(daos_handle_t ih, d_iov_t *key, d_iov_t *val, void *arg);

/**
 * TX query methods. Value buffers: with value->iov_buf == NULL the value is returned in place
 * (valid until the TX ends or the key is next updated); otherwise it is copied and
 * value->iov_len set to the real length. If value->iov_len was nonzero and differs from the
 * real length, -DER_MISMATCH is returned. Errors: -DER_NOTLEADER, -DER_NONEXIST.
 */
int rdb_tx_lookup(struct rdb_tx *tx, const rdb_path_t *kvs, const d_iov_t *key, d_iov_t *value);
int rdb_tx_fetch(struct rdb_tx *tx, const rdb_path_t *kvs, enum rdb_probe_opc opc,
		 const d_iov_t *key_in, d_iov_t *key_out, d_iov_t *value);
int rdb_tx_query_key_max(struct rdb_tx *tx, const rdb_path_t *kvs, d_iov_t *key);
int rdb_tx_iterate(struct rdb_tx *tx, const rdb_path_t *kvs, bool backward, rdb_iterate_cb_t cb,
		   void *arg);
int rdb_tx_revalidate(struct rdb_tx *tx);

#if defined(__cplusplus)
}
#endif

#endif /* DAOS_SRV_RDB_H */
