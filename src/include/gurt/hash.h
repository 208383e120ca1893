/**
 * Generic chained hash table, the handle table (d_hhash) behind every
 * daos_handle_t, and the UUID-keyed table (d_uhash).
 *
 * See src/gurt/README.md, "Hash tables and handles", for the locking and
 * reference counting rules.
 */
#ifndef __GURT_HASH_H__
#define __GURT_HASH_H__

#include <inttypes.h>
#include <pthread.h>
#include <stdbool.h>

#include <gurt/common.h>
#include <gurt/list.h>
#include <gurt/types.h>

/** Kept for source compatibility; statistics are always collected here. */
#define D_HASH_DEBUG 0

struct d_hash_table;

#if defined(__cplusplus)
extern "C" {
#endif

/** Member functions a hash table user provides. */
typedef struct {
	/** Mandatory: true if the record at \a link has key \a key of \a ksize bytes. */
	bool (*hop_key_cmp)(struct d_hash_table *htable, d_list_t *link, const void *key,
			    unsigned int ksize);
	/** Optional: give a key to a record inserted by d_hash_rec_insert_anonym(). */
	void (*hop_key_init)(struct d_hash_table *htable, d_list_t *link, void *arg);
	/** Optional: 32-bit hash of a key; djb2 over the key bytes when NULL. */
	uint32_t (*hop_key_hash)(struct d_hash_table *htable, const void *key, unsigned int ksize);
	/**
	 * Hash of the key stored in record \a link; must equal hop_key_hash() of that
	 * key. Needed for per-bucket locking: without it the table uses one global lock.
	 */
	uint32_t (*hop_rec_hash)(struct d_hash_table *htable, d_list_t *link);
	/** Optional: take a reference on the record. */
	void (*hop_rec_addref)(struct d_hash_table *htable, d_list_t *link);
	/**
	 * Optional: drop a reference. Returns true when that was the last one and the
	 * record may be freed (then hop_rec_free must be provided).
	 */
	bool (*hop_rec_decref)(struct d_hash_table *htable, d_list_t *link);
	/**
	 * Optional: drop \a count references at once. Returns 1 when the last one was
	 * dropped, 0 otherwise, negative -DER_* on error.
	 */
	int (*hop_rec_ndecref)(struct d_hash_table *htable, d_list_t *link, int count);
	/** Optional: free a record whose last reference is gone. */
	void (*hop_rec_free)(struct d_hash_table *htable, d_list_t *link);
} d_hash_table_ops_t;

enum d_hash_feats {
	/* Without a lock bit the table is protected by spinlocks. */

	/** No locking: the caller serialises every access. */
	D_HASH_FT_NOLOCK = (1 << 0),
	/** Protect with mutexes. */
	D_HASH_FT_MUTEX = (1 << 1),
	/** Protect with read/write locks (lookups in parallel). */
	D_HASH_FT_RWLOCK = (1 << 2),
	/**
	 * Off: the table takes a reference on insert and drops it on delete; the
	 * last reference of a linked record must not be dropped by the user.
	 * On: the table takes no reference of its own; when d_hash_rec_decref()
	 * drops the last one the record is unlinked and hop_rec_free() is called.
	 */
	D_HASH_FT_EPHEMERAL = (1 << 3),
	/** A found record moves to the head of its bucket (see d_hash_rec_evict()). */
	D_HASH_FT_LRU = (1 << 4),
	/**
	 * hop_key_init() is thread safe by itself: d_hash_rec_insert_anonym() calls it
	 * without locking the whole table and then locks only the target bucket.
	 */
	D_HASH_FT_NO_KEYINIT_LOCK = (1 << 5),
	/** One lock for the whole table instead of one per bucket. */
	D_HASH_FT_GLOCK = (1 << 15),
};

union d_hash_lock {
	pthread_spinlock_t spin;
	pthread_mutex_t mutex;
	pthread_rwlock_t rwlock;
};

struct d_hash_bucket {
	d_list_t hb_head;
};

struct d_hash_table {
	/** global lock (D_HASH_FT_GLOCK) */
	union d_hash_lock ht_lock;
	/** the table has 2^ht_bits buckets */
	uint32_t ht_bits;
	/** D_HASH_FT_* */
	uint32_t ht_feats;
	/** deepest bucket seen */
	uint32_t ht_dep_max;
	/** most records at once */
	uint32_t ht_nr_max;
	/** current number of records */
	uint32_t ht_nr;
	/** user data, passed back through the ops */
	void *ht_priv;
	d_hash_table_ops_t *ht_ops;
	struct d_hash_bucket *ht_buckets;
	/** per-bucket locks (no D_HASH_FT_GLOCK) */
	union d_hash_lock *ht_locks;
};

/** Largest \a bits accepted by the create functions. */
#define D_HASH_BITS_MAX 24

/**
 * Create a table of 2^\a bits buckets. Returns 0, -DER_INVAL for bad arguments
 * (NULL ops or hop_key_cmp, bits > D_HASH_BITS_MAX, conflicting lock bits) or
 * -DER_NOMEM.
 */
int d_hash_table_create(uint32_t feats, uint32_t bits, void *priv, d_hash_table_ops_t *hops,
			struct d_hash_table **htable_pp);

/** As d_hash_table_create() on caller-provided memory. */
int d_hash_table_create_inplace(uint32_t feats, uint32_t bits, void *priv, d_hash_table_ops_t *hops,
				struct d_hash_table *htable);

typedef int (*d_hash_traverse_cb_t)(d_list_t *link, void *arg);

/**
 * Call \a cb on every record until it returns non-zero (that value is returned).
 * \a cb runs under the bucket lock: it must not call back into this table.
 */
int d_hash_table_traverse(struct d_hash_table *htable, d_hash_traverse_cb_t cb, void *arg);

/**
 * Destroy the table. Without \a force a non-empty table is left alone and
 * -DER_BUSY returned; with it every record is deleted first.
 */
int d_hash_table_destroy(struct d_hash_table *htable, bool force);

/** As d_hash_table_destroy() but does not free \a htable itself. */
int d_hash_table_destroy_inplace(struct d_hash_table *htable, bool force);

/** Find \a key; takes a reference (hop_rec_addref) on the record found. NULL if absent. */
d_list_t *d_hash_rec_find(struct d_hash_table *htable, const void *key, unsigned int ksize);

/**
 * Find \a key, taking a reference; if absent insert \a link under that key.
 * Returns the record now in the table (\a link if it was inserted).
 */
d_list_t *d_hash_rec_find_insert(struct d_hash_table *htable, const void *key, unsigned int ksize,
				 d_list_t *link);

/** Move a record to the head of its bucket, as an LRU find would. */
void d_hash_rec_promote(struct d_hash_table *htable, const void *key, unsigned int ksize,
			d_list_t *link);

/**
 * Insert \a link under \a key. With \a exclusive, -DER_EXIST if the key is
 * already present. Takes the table's reference unless EPHEMERAL.
 */
int d_hash_rec_insert(struct d_hash_table *htable, const void *key, unsigned int ksize,
		      d_list_t *link, bool exclusive);

/** Insert a record without key: hop_key_init() gives it one. -DER_INVAL without it. */
int d_hash_rec_insert_anonym(struct d_hash_table *htable, d_list_t *link, void *arg);

/** Delete the record with \a key. True if one was deleted. */
bool d_hash_rec_delete(struct d_hash_table *htable, const void *key, unsigned int ksize);

/**
 * Delete the record at \a link. False if it was not linked. Frees it when the
 * table held the last reference.
 */
bool d_hash_rec_delete_at(struct d_hash_table *htable, d_list_t *link);

/**
 * LRU tables only: mark the record with \a key least recently used (move it to
 * the tail of its bucket). Nothing is removed or freed. True if the record was
 * found; false if not found or the table has no D_HASH_FT_LRU.
 */
bool d_hash_rec_evict(struct d_hash_table *htable, const void *key, unsigned int ksize);

/** As d_hash_rec_evict() for a record known by its link. False if unlinked or not LRU. */
bool d_hash_rec_evict_at(struct d_hash_table *htable, d_list_t *link);

/** Take a reference on a record. */
void d_hash_rec_addref(struct d_hash_table *htable, d_list_t *link);

/**
 * Drop a reference. When hop_rec_decref() reports the last one the record is
 * unlinked (EPHEMERAL) and hop_rec_free() is called.
 */
void d_hash_rec_decref(struct d_hash_table *htable, d_list_t *link);

/** Drop \a count references. -DER_INVAL if fewer were held. */
int d_hash_rec_ndecref(struct d_hash_table *htable, int count, d_list_t *link);

/** True if \a link is not in a table. */
bool d_hash_rec_unlinked(d_list_t *link);

/**
 * Any record of the table (no reference taken, no order), NULL if empty.
 * Meant for draining: first + delete/decref until NULL.
 */
d_list_t *d_hash_rec_first(struct d_hash_table *htable);

/** Log statistics (records, deepest bucket) at debug level. */
void d_hash_table_debug(struct d_hash_table *htable);

/* ------------------------------------------------------------------------
 * Handle hash table: objects known to users by a 64-bit cookie.
 * ------------------------------------------------------------------------ */

#define D_HHASH_BITS 16
#define D_HTYPE_BITS 4
#define D_HTYPE_MASK ((1ULL << D_HTYPE_BITS) - 1)

/**
 * Handle type, stored in the low D_HTYPE_BITS of a cookie. D_HTYPE_PTR (0) is
 * the only even type; every other type must have bit 0 set.
 */
enum {
	D_HTYPE_PTR = 0,
};

struct d_hlink;
struct d_hlink_ops {
	/** called when the last reference goes */
	void (*hop_free)(struct d_hlink *hlink);
};

/** A reference counted hash record. */
struct d_rlink {
	d_list_t rl_link;
	uint32_t rl_ref;
	uint32_t rl_initialized : 1;
};

struct d_hlink {
	struct d_rlink hl_link;
	uint64_t hl_key;
	struct d_hlink_ops *hl_ops;
};

struct d_hhash;

/** Create a handle table. Lock bits as for d_hash_table_create (EPHEMERAL allowed). */
int d_hhash_create(uint32_t feats, uint32_t bits, struct d_hhash **hhash);
/** Destroy a handle table; links still in it are deleted (and freed if unreferenced). */
void d_hhash_destroy(struct d_hhash *hhash);
/** Initialise a link: one reference, owned by the caller. */
void d_hhash_hlink_init(struct d_hlink *hlink, struct d_hlink_ops *hl_ops);
/**
 * Give \a hlink a new cookie of \a type and make it findable. Cookies are never
 * reused, so a cookie of a deleted object never finds another one.
 */
void d_hhash_link_insert(struct d_hhash *hhash, struct d_hlink *hlink, int type);
/** Find the link of cookie \a key and take a reference on it; NULL if none. */
struct d_hlink *d_hhash_link_lookup(struct d_hhash *hhash, uint64_t key);
void d_hhash_link_getref(struct d_hhash *hhash, struct d_hlink *hlink);
/** Drop a reference; the last one calls hop_free. */
void d_hhash_link_putref(struct d_hhash *hhash, struct d_hlink *hlink);
/** Make the cookie unfindable. False if it already was. */
bool d_hhash_link_delete(struct d_hhash *hhash, struct d_hlink *hlink);
/** True if the link is not (or no longer) in a table. */
bool d_hhash_link_empty(struct d_hlink *hlink);
void d_hhash_link_key(struct d_hlink *hlink, uint64_t *key);
int d_hhash_key_type(uint64_t key);
bool d_hhash_key_isptr(uint64_t key);
/** Allow D_HTYPE_PTR links. -DER_ALREADY if the table already holds other types. */
int d_hhash_set_ptrtype(struct d_hhash *hhash);
bool d_hhash_is_ptrtype(struct d_hhash *hhash);

/* ------------------------------------------------------------------------
 * UUID hash table: reference counted objects keyed by UUID.
 * ------------------------------------------------------------------------ */

struct d_ulink;
struct d_ulink_ops {
	/** called when the last reference goes */
	void (*uop_free)(struct d_ulink *ulink);
	/** optional extra match on lookup/insert */
	bool (*uop_cmp)(struct d_ulink *ulink, void *cmp_args);
};

struct d_ulink {
	struct d_rlink ul_link;
	struct d_uuid ul_uuid;
	struct d_ulink_ops *ul_ops;
};

int d_uhash_create(uint32_t feats, uint32_t bits, struct d_hash_table **htable);
void d_uhash_destroy(struct d_hash_table *htable);
void d_uhash_ulink_init(struct d_ulink *ulink, struct d_ulink_ops *ul_ops);
bool d_uhash_link_empty(struct d_ulink *ulink);
bool d_uhash_link_last_ref(struct d_ulink *ulink);
void d_uhash_link_addref(struct d_hash_table *htable, struct d_ulink *ulink);
void d_uhash_link_putref(struct d_hash_table *htable, struct d_ulink *ulink);
void d_uhash_link_delete(struct d_hash_table *htable, struct d_ulink *ulink);
/** Insert under \a key; -DER_EXIST if a matching link is already there. */
int d_uhash_link_insert(struct d_hash_table *htable, struct d_uuid *key, void *cmp_args,
			struct d_ulink *ulink);
/** Find \a key (and uop_cmp(cmp_args) if set), taking a reference. */
struct d_ulink *d_uhash_link_lookup(struct d_hash_table *htable, struct d_uuid *key,
				    void *cmp_args);

#if defined(__cplusplus)
}
#endif

#endif /* __GURT_HASH_H__ */
