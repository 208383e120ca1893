/**
 * umem: the persistent metadata heap of pdaos ("metadata on SSD" on plain files).
 *
 * A heap is a file image loaded into DRAM; everything inside it is addressed by offsets
 * (umem_off_t) from the start of the image. Changes happen in transactions whose redo records
 * go to a per-heap write-ahead log; a background checkpoint writes dirty pages back to the
 * image and trims the log. The names of the instance/transaction API follow DAOS
 * (src/include/daos/mem.h); the pool API (umem_pool_*) is pdaos's own file-backed backend.
 */
#ifndef __DAOS_MEM_H__
#define __DAOS_MEM_H__

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <daos_types.h>
#include <gurt/common.h>

#if defined(__cplusplus)
extern "C" {
#endif

/** Offset of an object from the base of its heap. 0 is never a valid object. */
typedef uint64_t umem_off_t;

#define UMOFF_NUM_FLAG_BITS  (8)
#define UMOFF_MAX_FLAG       (1ULL << UMOFF_NUM_FLAG_BITS)
#define UMOFF_FLAG_SHIFT     (63 - UMOFF_NUM_FLAG_BITS)
#define UMOFF_FLAG_MASK      ((UMOFF_MAX_FLAG - 1) << UMOFF_FLAG_SHIFT)
#define UMOFF_NULL           (0ULL)
#define UMOFF_IS_NULL(umoff) (umem_off2offset(umoff) == 0)
#define UMOFF_PF             DF_X64
#define UMOFF_P(umoff)       umem_off2offset(umoff)

static inline uint64_t
umem_off2flags(umem_off_t umoff)
{
	return (umoff & UMOFF_FLAG_MASK) >> UMOFF_FLAG_SHIFT;
}

static inline uint64_t
umem_off2offset(umem_off_t umoff)
{
	return umoff & ~UMOFF_FLAG_MASK;
}

static inline void
umem_off_set_flags(umem_off_t *offset, uint64_t flags)
{
	*offset = umem_off2offset(*offset) | ((flags & (UMOFF_MAX_FLAG - 1)) << UMOFF_FLAG_SHIFT);
}

static inline void
umem_off_set_null_flags(umem_off_t *offset, uint64_t flags)
{
	*offset = (flags & (UMOFF_MAX_FLAG - 1)) << UMOFF_FLAG_SHIFT;
}

typedef enum {
	/** volatile memory (malloc), no transactions */
	UMEM_CLASS_VMEM,
	/** persistent memory (accepted as an alias of BMEM) */
	UMEM_CLASS_PMEM,
	UMEM_CLASS_PMEM_NO_SNAP,
	/** file-backed heap with WAL: pdaos's persistent backend */
	UMEM_CLASS_BMEM,
	UMEM_CLASS_ADMEM,
	UMEM_CLASS_BMEM_V2,
	UMEM_CLASS_UNKNOWN,
} umem_class_id_t;

enum umem_pobj_tx_stage {
	UMEM_STAGE_NONE,
	UMEM_STAGE_WORK,
	UMEM_STAGE_ONCOMMIT,
	UMEM_STAGE_ONABORT,
	UMEM_STAGE_FINALLY,
	MAX_UMEM_TX_STAGE
};

#define UMEM_FLAG_ZERO        (((uint64_t)1) << 0)
#define UMEM_FLAG_NO_FLUSH    (((uint64_t)1) << 1)
#define UMEM_XADD_NO_SNAPSHOT (((uint64_t)1) << 2)
#define UMEM_DEFAULT_MBKT_ID  0
enum {
	UMEM_TYPE_ANY,
};

#define UMEM_FILE_MODE_DEFAULT 0660

/* ------------------------------------------------------------------------------------------
 * Waiting. A committing caller waits for its redo record to become durable. The default
 * implementation blocks the thread on a condition variable; a ULT runtime plugs in ops that
 * yield instead. wake() may be called from any thread (the WAL flusher).
 * ------------------------------------------------------------------------------------------ */
struct umem_wait_ops {
	/** Create a one-shot waiter; NULL on allocation failure. */
	void *(*uwo_create)(void);
	/** Block/yield until uwo_wake() was called on \a cookie (possibly already). */
	void (*uwo_wait)(void *cookie);
	/** Release the waiter; called from any thread. */
	void (*uwo_wake)(void *cookie);
	void (*uwo_destroy)(void *cookie);
	/**
	 * Optional: true when the caller has nothing else to run meanwhile (a ULT whose xstream
	 * has no other ready ULT). A lone committer then writes and syncs its record itself
	 * instead of handing it to the flusher thread; with other work ready it parks, so that
	 * work can commit into the same fdatasync. NULL: never (every durable commit
	 * parks through uwo_wait). The default pthread ops say always.
	 */
	bool (*uwo_alone)(void);
};

struct umem_instance;

/**
 * Carry \a len bytes at \a buf, destined for offset \a off of the heap's side file
 * (umem_pool_attr::upa_ext_path), in the running transaction's redo record. The caller also
 * writes them to the side file itself (no sync needed): once the commit is durable the bytes
 * survive a crash through log replay, and a checkpoint syncs the side file before trimming.
 * \a buf must stay valid until the outermost commit/abort. No-op for non-BMEM instances.
 */
int umem_tx_add_ext(struct umem_instance *umm, uint64_t off, const void *buf, uint32_t len);
/**
 * Declare that every side-file write issued before this transaction's commit is already
 * durable (the caller fdatasync'ed the side file): replay then skips side-file data of this
 * and all earlier records, so it can never overwrite newer bytes written directly.
 */
int umem_tx_ext_synced(struct umem_instance *umm);

/**
 * Declare that the caller wrote [off, off + len) of the side file itself, with O_DIRECT (the
 * write completed before this call), and that \a csum is the CRC32C (umem_crc32c, seed 0) of
 * those bytes. The commit's log flush then makes them durable too: the side file shares the
 * log's device (umem_ext_shares_flush), and a device cache flush covers every write completed
 * before it. If power fails before that flush, the record may reach the media without the
 * data: replay checks \a csum for records not known durable and ends the log at the first
 * mismatch (such a record was never acknowledged). -DER_NOTSUPPORTED when the side file
 * does not share the log's device. No-op for non-BMEM instances.
 */
int umem_tx_add_ext_checked(struct umem_instance *umm, uint64_t off, uint32_t len, uint32_t csum);
/** The side file lives on the log's block device (not in memory): one flush covers both. */
bool umem_ext_shares_flush(struct umem_instance *umm);
/**
 * Inside an ONCOMMIT callback: the log position that must be durable before the committed
 * transaction survives a crash (0: nothing to wait for, or not BMEM). With
 * umem_durable_lsn(): e.g. blocks freed by the transaction are reused only once it is durable,
 * so no crash can bring back a record pointing at overwritten blocks.
 */
uint64_t umem_tx_commit_lsn(struct umem_instance *umm);
/** Log position durable so far (UINT64_MAX for instances without a log). */
uint64_t umem_durable_lsn(struct umem_instance *umm);
/** CRC32C (isa-l), as used by the log. */
uint32_t umem_crc32c(uint32_t crc, const void *buf, size_t len);

/** Install process-wide wait ops (NULL restores the pthread default). */
void umem_set_wait_ops(const struct umem_wait_ops *ops);

/*
 * Fault injection (tests): the next \a nr I/O calls at any of \a points fail with errno
 * \a err (ENOSPC -> -DER_NOSPACE, EIO -> -DER_IO, ...). nr == 0 disarms. Process-wide; costs
 * one predictable branch per call when disarmed.
 */
#define UMEM_FI_WAL_WRITE (1U << 0) /**< pwrite of log records */
#define UMEM_FI_WAL_SYNC  (1U << 1) /**< fdatasync of the log */
#define UMEM_FI_IMG_WRITE (1U << 2) /**< checkpoint pwrite of image pages */
#define UMEM_FI_IMG_SYNC  (1U << 3) /**< checkpoint fdatasync of the image */
int umem_fault_inject_set(unsigned int points, int err, int nr);

/* ------------------------------------------------------------------------------------------
 * Heap ("pool") files. A heap at \a path uses two files: \a path (the image) and
 * "<path>.wal" (the log). VOS names them per (pool, target).
 * ------------------------------------------------------------------------------------------ */
struct umem_pool;

/** Do not checkpoint on close: the next open replays the log. */
#define UMEM_POOL_NO_CLOSE_CKPT (1U << 0)
/** No timer or early log-fill checkpoints: only on demand, at close, or when a tx waits for log space. */
#define UMEM_POOL_NO_BG_CKPT (1U << 1)

struct umem_pool_attr {
	/** log file size in bytes; 0: default (env DAOS_UMEM_WAL_SIZE, else derived from heap) */
	uint64_t upa_wal_size;
	/** UMEM_POOL_* flags */
	uint32_t upa_flags;
	/** checkpoint timer in ms; 0: env DAOS_UMEM_CKPT_INTERVAL, else 5000 */
	uint32_t upa_ckpt_interval_ms;
	/** WAL sync policy: -1: env DAOS_WAL_SYNC; 0: every commit; N > 0: within N ms */
	int upa_sync_ms;
	/**
	 * Optional side file (a data blob) whose bytes transactions may carry as redo
	 * (umem_tx_add_ext): replayed into it at open, fdatasync'ed by every checkpoint before
	 * the log is trimmed. NULL: none (a log holding side-file data then fails to open).
	 */
	const char *upa_ext_path;
};

struct umem_pool_stats {
	uint64_t ups_heap_size;    /**< bytes of the image file */
	uint64_t ups_total;        /**< bytes the allocator manages */
	uint64_t ups_used;         /**< bytes handed out (usable sizes) */
	uint64_t ups_free;         /**< free bytes (free pages + free slab blocks) */
	uint64_t ups_nr_allocs;    /**< live allocations */
	uint64_t ups_free_pages;   /**< free 4 KiB pages */
	uint64_t ups_nr_slabs;     /**< slabs (small-object runs) in use */
	uint64_t ups_tx_committed; /**< transactions committed since open */
	uint64_t ups_tx_aborted;   /**< transactions aborted since open */
	uint64_t ups_wal_bytes;    /**< log bytes appended since open */
	uint64_t ups_wal_syncs;    /**< log fdatasync calls since open */
	uint64_t ups_ckpts;        /**< checkpoints since open */
	uint64_t ups_ckpt_bytes;   /**< bytes written by checkpoints since open */
	uint64_t ups_replayed_txs; /**< transactions replayed at open */
	uint64_t ups_dirty_pages;  /**< pages changed since the last checkpoint */
	uint64_t ups_wal_used;     /**< log bytes not yet reclaimable by a checkpoint */
	uint64_t ups_wal_size;     /**< log capacity */
};

/** Create a heap of \a size bytes (rounded up to 4 KiB) and open it. -DER_EXIST if present. */
int umem_pool_create(const char *path, size_t size, mode_t mode, const struct umem_pool_attr *attr,
		     struct umem_pool **poolp);
/** Open (and recover) an existing heap. */
int umem_pool_open(const char *path, const struct umem_pool_attr *attr, struct umem_pool **poolp);
/** Close: drain the log, checkpoint unless UMEM_POOL_NO_CLOSE_CKPT, free DRAM. */
int umem_pool_close(struct umem_pool *pool);
/** Remove both files of a closed heap. */
int umem_pool_destroy(const char *path);
/** Write dirty pages back and trim the log now (synchronous). */
int umem_pool_checkpoint(struct umem_pool *pool);
int umem_pool_query(struct umem_pool *pool, struct umem_pool_stats *stats);
/** Walk the allocator and verify its invariants; -DER_DF_INVAL on inconsistency. */
int umem_pool_check(struct umem_pool *pool, struct umem_pool_stats *stats);
/** Root object of \a size bytes, allocated zeroed on first call. */
int umem_pool_root(struct umem_pool *pool, size_t size, umem_off_t *root);
/** Base address of the DRAM image. */
void *umem_pool_base(struct umem_pool *pool);

/* DAOS-style wrappers (NULL + errno on failure). */
struct umem_pool *umempobj_create(const char *path, const char *layout_name, int prop_flags,
				  size_t poolsize, mode_t mode, void *store);
struct umem_pool *umempobj_open(const char *path, const char *layout_name, int prop_flags,
				void *store);
void umempobj_close(struct umem_pool *pool);
void *umempobj_get_rootptr(struct umem_pool *pool, size_t size);
int umempobj_get_heapusage(struct umem_pool *pool, daos_size_t *cur_allocated);

/* ------------------------------------------------------------------------------------------
 * Instances and transactions (DAOS API).
 * ------------------------------------------------------------------------------------------ */
struct umem_instance;
typedef void (*umem_tx_cb_t)(void *data, bool noop);

#define UMEM_TX_DATA_MAGIC (0xc01df00d)

/**
 * Per-caller transaction stage data (DAOS API). Stage callbacks are attached to the running
 * transaction itself here, so this only carries a magic for callers that check it.
 */
struct umem_tx_stage_data {
	int txd_magic;
	unsigned txd_commit_cnt;
	unsigned txd_abort_cnt;
	unsigned txd_end_cnt;
};

int umem_init_txd(struct umem_tx_stage_data *txd);
void umem_fini_txd(struct umem_tx_stage_data *txd);

typedef struct {
	int (*mo_tx_free)(struct umem_instance *umm, umem_off_t umoff);
	umem_off_t (*mo_tx_alloc)(struct umem_instance *umm, size_t size, uint64_t flags,
				  unsigned int type_num, unsigned int mbkt_id);
	int (*mo_tx_add)(struct umem_instance *umm, umem_off_t umoff, uint64_t offset, size_t size);
	int (*mo_tx_xadd)(struct umem_instance *umm, umem_off_t umoff, uint64_t offset, size_t size,
			  uint64_t flags);
	int (*mo_tx_add_ptr)(struct umem_instance *umm, void *ptr, size_t size);
	int (*mo_tx_abort)(struct umem_instance *umm, int error);
	int (*mo_tx_begin)(struct umem_instance *umm, struct umem_tx_stage_data *txd);
	int (*mo_tx_commit)(struct umem_instance *umm, void *data);
	int (*mo_tx_stage)(struct umem_instance *umm);
	size_t (*mo_usable_size)(struct umem_instance *umm, umem_off_t umoff);
	int (*mo_tx_add_callback)(struct umem_instance *umm, struct umem_tx_stage_data *txd,
				  int stage, umem_tx_cb_t cb, void *data);
} umem_ops_t;

struct umem_attr {
	umem_class_id_t uma_id;
	struct umem_pool *uma_pool;
};

struct umem_instance {
	umem_class_id_t umm_id;
	int umm_nospc_rc;
	const char *umm_name;
	struct umem_pool *umm_pool;
	uint64_t umm_pool_uuid_lo;
	/** base address of the DRAM image (0 for VMEM: offsets are addresses) */
	uint64_t umm_base;
	umem_ops_t *umm_ops;
};

int umem_class_init(struct umem_attr *uma, struct umem_instance *umm);
void umem_attr_get(struct umem_instance *umm, struct umem_attr *uma);

static inline void *
umem_off2ptr(const struct umem_instance *umm, umem_off_t umoff)
{
	if (UMOFF_IS_NULL(umoff))
		return NULL;
	return (void *)(uintptr_t)(umm->umm_base + umem_off2offset(umoff));
}

static inline umem_off_t
umem_ptr2off(const struct umem_instance *umm, void *ptr)
{
	if (ptr == NULL)
		return UMOFF_NULL;
	return (umem_off_t)(uintptr_t)ptr - umm->umm_base;
}

static inline bool
umem_has_tx(struct umem_instance *umm)
{
	return umm->umm_ops->mo_tx_add != NULL;
}

static inline umem_off_t
umem_alloc_verb(struct umem_instance *umm, uint64_t flags, size_t size, unsigned int mbkt_id)
{
	return umm->umm_ops->mo_tx_alloc(umm, size, flags, UMEM_TYPE_ANY, mbkt_id);
}

#define umem_alloc(umm, size)  umem_alloc_verb(umm, 0, size, UMEM_DEFAULT_MBKT_ID)
#define umem_zalloc(umm, size) umem_alloc_verb(umm, UMEM_FLAG_ZERO, size, UMEM_DEFAULT_MBKT_ID)
#define umem_alloc_noflush(umm, size) \
	umem_alloc_verb(umm, UMEM_FLAG_NO_FLUSH, size, UMEM_DEFAULT_MBKT_ID)
#define umem_alloc_from_bucket(umm, size, mbkt_id) umem_alloc_verb(umm, 0, size, mbkt_id)
#define umem_zalloc_from_bucket(umm, size, mbkt_id) \
	umem_alloc_verb(umm, UMEM_FLAG_ZERO, size, mbkt_id)

/** Free \a umoff; inside a transaction the free takes effect at commit. */
static inline int
umem_free(struct umem_instance *umm, umem_off_t umoff)
{
	return umm->umm_ops->mo_tx_free(umm, umoff);
}

/** Usable bytes of the object at \a umoff (>= the size asked for). */
static inline size_t
umem_usable_size(struct umem_instance *umm, umem_off_t umoff)
{
	return umm->umm_ops->mo_usable_size ? umm->umm_ops->mo_usable_size(umm, umoff) : 0;
}

static inline int
umem_tx_add_range(struct umem_instance *umm, umem_off_t umoff, uint64_t offset, size_t size)
{
	return umm->umm_ops->mo_tx_add ? umm->umm_ops->mo_tx_add(umm, umoff, offset, size) : 0;
}

static inline int
umem_tx_xadd_range(struct umem_instance *umm, umem_off_t umoff, uint64_t offset, size_t size,
		   uint64_t flags)
{
	return umm->umm_ops->mo_tx_xadd ? umm->umm_ops->mo_tx_xadd(umm, umoff, offset, size, flags)
					: 0;
}

static inline int
umem_tx_add_ptr(struct umem_instance *umm, void *ptr, size_t size)
{
	return umm->umm_ops->mo_tx_add_ptr ? umm->umm_ops->mo_tx_add_ptr(umm, ptr, size) : 0;
}

static inline int
umem_tx_xadd_ptr(struct umem_instance *umm, void *ptr, size_t size, uint64_t flags)
{
	return umem_tx_add_ptr(umm, ptr, size);
}

#define umem_tx_add(umm, umoff, size) umem_tx_add_range(umm, umoff, 0, size)

/** Begin a transaction; a begin inside a running transaction (same thread) nests. */
static inline int
umem_tx_begin(struct umem_instance *umm, struct umem_tx_stage_data *txd)
{
	return umm->umm_ops->mo_tx_begin ? umm->umm_ops->mo_tx_begin(umm, txd) : 0;
}

/** Abort the whole transaction (at any nesting level); returns \a err (or -DER_CANCELED). */
static inline int
umem_tx_abort(struct umem_instance *umm, int err)
{
	return umm->umm_ops->mo_tx_abort ? umm->umm_ops->mo_tx_abort(umm, err) : err;
}

/** Commit; the outermost commit returns once the redo record is durable (policy permitting). */
static inline int
umem_tx_commit(struct umem_instance *umm)
{
	return umm->umm_ops->mo_tx_commit ? umm->umm_ops->mo_tx_commit(umm, NULL) : 0;
}

static inline int
umem_tx_commit_ex(struct umem_instance *umm, void *data)
{
	return umm->umm_ops->mo_tx_commit ? umm->umm_ops->mo_tx_commit(umm, data) : 0;
}

static inline int
umem_tx_end(struct umem_instance *umm, int err)
{
	return err ? umem_tx_abort(umm, err) : umem_tx_commit(umm);
}

static inline int
umem_tx_stage(struct umem_instance *umm)
{
	return umm->umm_ops->mo_tx_stage ? umm->umm_ops->mo_tx_stage(umm) : UMEM_STAGE_NONE;
}

/** Stage callbacks attached to the running transaction (run at outermost end). */
int umem_tx_add_callback(struct umem_instance *umm, struct umem_tx_stage_data *txd, int stage,
			 umem_tx_cb_t cb, void *data);

/**
 * Non-blocking outermost commit: publish the transaction and return at once; \a cb runs
 * (possibly on the WAL flusher thread, possibly before this returns) once the redo record is
 * durable, with 0 or a negative error. Nested level: behaves like umem_tx_commit and \a cb runs
 * with 0 immediately.
 */
int umem_tx_commit_cb(struct umem_instance *umm, void (*cb)(void *arg, int rc), void *arg);

/** True if the calling thread runs a transaction on \a umm. */
bool umem_tx_inprogress(struct umem_instance *umm);
bool umem_tx_none(struct umem_instance *umm);
/** Map a positive errno (or 0: unknown) to a negative DER code; negative input is returned. */
int umem_tx_errno(int err);

/* ------------------------------------------------------------------------------------------
 * Reservations (DAOS API). A reservation is made durable at once in its own transaction (or
 * in the caller's running one), publish is then free and cancel frees it again. A crash
 * between reserve and publish therefore leaks the space until the owner's GC finds it.
 * Deferred frees attached to a reservation happen at publish, inside the caller's transaction.
 * ------------------------------------------------------------------------------------------ */
struct umem_rsrvd_act;

int umem_rsrvd_act_cnt(struct umem_rsrvd_act *act);
int umem_rsrvd_act_alloc(struct umem_instance *umm, struct umem_rsrvd_act **act, int cnt);
int umem_rsrvd_act_realloc(struct umem_instance *umm, struct umem_rsrvd_act **act, int max_cnt);
int umem_rsrvd_act_free(struct umem_rsrvd_act **act);
umem_off_t umem_reserve_common(struct umem_instance *umm, struct umem_rsrvd_act *act, size_t size,
			       unsigned int mbkt_id);
#define umem_reserve(umm, act, size) umem_reserve_common(umm, act, size, UMEM_DEFAULT_MBKT_ID)
void umem_defer_free(struct umem_instance *umm, umem_off_t off, struct umem_rsrvd_act *act);
void umem_cancel(struct umem_instance *umm, struct umem_rsrvd_act *act);
int umem_tx_publish(struct umem_instance *umm, struct umem_rsrvd_act *act);

/* Single-operation transactions (outside any running transaction). */
enum acopy_hint { UMEM_COMMIT_IMMEDIATE = 0, UMEM_RESERVED_MEM };
void *umem_atomic_copy(struct umem_instance *umm, void *dest, const void *src, size_t len,
		       enum acopy_hint hint);
umem_off_t umem_atomic_alloc(struct umem_instance *umm, size_t len, unsigned int type_num);
int umem_atomic_free(struct umem_instance *umm, umem_off_t umoff);
void umem_atomic_flush(struct umem_instance *umm, void *addr, size_t len);

#if defined(__cplusplus)
}
#endif

#endif /* __DAOS_MEM_H__ */
