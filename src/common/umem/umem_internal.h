/**
 * Private layout and state of the file-backed umem heap. See README.md for the formats.
 */
#ifndef __UMEM_INTERNAL_H__
#define __UMEM_INTERNAL_H__

#include <pthread.h>
#include <stdatomic.h>
#include <daos/mem.h>

#define UMEM_PAGE_SHIFT 12
#define UMEM_PAGE_SIZE  (1UL << UMEM_PAGE_SHIFT)
#define UMEM_LINE_SHIFT 6
#define UMEM_LINE_SIZE  (1UL << UMEM_LINE_SHIFT)
#define UMEM_MIN_SIZE   (256UL << 10)
#define UMEM_CKPT_CHUNK 64 /* pages the checkpoint copies per heap-lock hold */

/* ---------------- image file ---------------- */
#define UMEM_HDR_MAGIC   0x50444d48454150ULL /* "PDMHEAP" */
#define UMEM_HDR_VERSION 1
#define UMEM_HDR_SLOT_SZ 2048 /* two ping-pong slots in page 0 */

struct umem_hdr {
	uint64_t uh_magic;
	uint32_t uh_version;
	uint32_t uh_page_size;
	uint64_t uh_heap_size;
	uint64_t uh_uuid[2];
	uint64_t uh_seq;       /* bumped by every checkpoint; highest valid slot wins */
	uint64_t uh_ckpt_lsn;  /* replay starts here */
	uint64_t uh_ckpt_gen;  /* log generation current at the checkpoint */
	uint64_t uh_ckpt_txid; /* last transaction included in the image */
	uint64_t uh_wal_size;
	uint32_t uh_pad;
	uint32_t uh_csum; /* crc32c of the struct with this field zero */
};

/* Page 1: allocator and root, changed only through transactions. */
#define UMEM_META_MAGIC 0x4d455441554d454dULL
#define UMEM_NR_CLASSES 22
#define UMEM_NR_BINS    48

struct umem_meta {
	uint64_t um_magic;
	uint64_t um_npages;     /* pages in the image, page map entries */
	uint64_t um_map_off;    /* page map */
	uint64_t um_arena_page; /* first allocatable page */
	uint64_t um_root;
	uint64_t um_root_size;
	uint64_t um_used; /* usable bytes handed out */
	uint64_t um_nr_allocs;
	uint64_t um_free_pages;
	uint64_t um_slab_free; /* free bytes inside slabs */
	uint64_t um_nr_slabs;
	uint64_t um_pad[5];
	uint64_t um_partial[UMEM_NR_CLASSES]; /* slabs with free blocks, per class */
	uint64_t um_bins[UMEM_NR_BINS];       /* free runs by length */
};

/* One 8-byte entry per page. */
enum {
	UMEM_PG_RSVD = 1, /* header, meta, page map */
	UMEM_PG_FREE = 2, /* first/last page of a free run; pm_npages = run length */
	UMEM_PG_RUN = 3,  /* first page of a large allocation; pm_npages = length */
	UMEM_PG_SLAB = 4, /* first page of a slab; pm_class = class */
	UMEM_PG_CONT = 5, /* interior page of a run/slab; pm_npages = distance to first page */
};

struct umem_pgmap {
	uint8_t pm_type;
	uint8_t pm_class;
	uint16_t pm_pad;
	uint32_t pm_npages;
};

#define UMEM_SLAB_PAGES   16
#define UMEM_SLAB_MAGIC   0x534c4142U
#define UMEM_SLAB_HDR_SZ  512
#define UMEM_SLAB_MAX_BLK 2048

struct umem_slab {
	uint32_t us_magic;
	uint32_t us_class;
	uint32_t us_nblocks;
	uint32_t us_nfree;
	uint64_t us_next;
	uint64_t us_prev;
	uint64_t us_pad[4];
	uint64_t us_bitmap[UMEM_SLAB_MAX_BLK / 64];
};

#define UMEM_FREE_MAGIC 0x46524545554d454dULL
struct umem_free_run {
	uint64_t fr_magic;
	uint64_t fr_next;
	uint64_t fr_prev;
};

/* ---------------- log file ---------------- */
#define UMEM_WAL_MAGIC   0x50444d57414cULL /* "PDMWAL" */
#define UMEM_WAL_VERSION 3 /* 2: range and record flags (side-file redo); 3: checked ranges */
#define UMEM_WAL_HDR_SZ  4096
#define UMEM_REC_MAGIC   0x55524543U
#define UMEM_REC_TX      1
#define UMEM_REC_WRAP    2

struct umem_wal_hdr {
	uint64_t wh_magic;
	uint32_t wh_version;
	uint32_t wh_pad;
	uint64_t wh_size; /* bytes of the circular record area */
	uint64_t wh_uuid[2];
	uint64_t wh_gen; /* bumped at every open */
	uint32_t wh_pad2;
	uint32_t wh_csum;
};

struct umem_rec_hdr {
	uint32_t rh_magic;
	uint16_t rh_type;
	uint16_t rh_flags; /* UMEM_RH_* (0 in version 1) */
	uint64_t rh_lsn;   /* byte position of this record in the endless log */
	uint64_t rh_gen;
	uint64_t rh_txid;
	uint32_t rh_len; /* whole record, 8-byte multiple */
	uint32_t rh_nr;  /* ranges */
	uint32_t rh_csum;
	uint32_t rh_dback; /* with UMEM_RH_DURABLE: rh_lsn - (log durable at append) */
};

/* every side-file write issued before this record is durable: replay none of it */
#define UMEM_RH_EXT_SYNCED 1
/* rh_dback is set: every record ending at or before rh_lsn - rh_dback was durable */
#define UMEM_RH_DURABLE 2

struct umem_rec_range {
	uint64_t rr_off;
	uint32_t rr_len;
	uint32_t rr_flags; /* UMEM_RR_* (0 in version 1) */
};

/* side-file range: rr_off is a side-file offset, data padded to 8 bytes */
#define UMEM_RR_EXT 1
/*
 * checked side-file range (version 3): the caller wrote [rr_off, +rr_len) of the side file
 * itself, with O_DIRECT, before the commit; the data is 8 bytes: CRC32C of those bytes + 0.
 * Replay verifies it for records not known durable (see umem_wal_replay).
 */
#define UMEM_RR_CHECKED 2

/* On-disk layouts: a change here is a format change (bump the version). */
_Static_assert(sizeof(struct umem_hdr) == 88, "umem_hdr layout");
_Static_assert(sizeof(struct umem_meta) <= UMEM_PAGE_SIZE, "umem_meta fits page 1");
_Static_assert(sizeof(struct umem_pgmap) == 8, "umem_pgmap layout");
_Static_assert(sizeof(struct umem_slab) <= UMEM_SLAB_HDR_SZ, "slab header fits");
_Static_assert(sizeof(struct umem_wal_hdr) == 56, "umem_wal_hdr layout");
_Static_assert(sizeof(struct umem_rec_hdr) == 48, "umem_rec_hdr layout");
_Static_assert(sizeof(struct umem_rec_range) == 16, "umem_rec_range layout");

/* ---------------- DRAM state ---------------- */
struct umem_tx_line {
	uint64_t tl_line;
	uint8_t tl_old[UMEM_LINE_SIZE];
};

/* lines [tr_first, tr_end) of the heap */
struct umem_tx_run {
	uint64_t tr_first;
	uint64_t tr_end;
};

struct umem_tx_ext {
	uint64_t te_off;
	const void *te_buf; /* NULL: a checked range (te_csum) */
	uint32_t te_len;
	uint32_t te_csum;
};

struct umem_tx_cb {
	int tc_stage;
	umem_tx_cb_t tc_fn;
	void *tc_data;
};

struct umem_tx {
	int tx_depth;
	int tx_err; /* set once aborted */
	struct umem_tx_line *tx_lines;
	uint32_t tx_nr_lines;
	uint32_t tx_max_lines;
	uint32_t *tx_hash; /* line -> index+1, open addressing */
	uint32_t tx_hash_size;
	umem_off_t *tx_frees;
	uint32_t tx_nr_frees;
	uint32_t tx_max_frees;
	struct umem_tx_cb *tx_cbs;
	uint32_t tx_nr_cbs;
	uint32_t tx_max_cbs;
	struct umem_tx_ext *tx_exts;
	uint32_t tx_nr_exts;
	uint32_t tx_max_exts;
	bool tx_ext_synced;
	/*
	 * Whole lines of blocks allocated by this transaction: logged at commit but never copied
	 * for undo (an abort gives the blocks back to the allocator, their bytes do not matter).
	 */
	struct umem_tx_run *tx_fresh;
	uint32_t tx_nr_fresh;
	uint32_t tx_max_fresh;
	/* scratch of the WAL append: the logged lines as sorted, disjoint runs */
	struct umem_tx_run *tx_runs;
	uint32_t tx_max_runs;
};

struct umem_waiter {
	d_list_t w_link;
	uint64_t w_lsn;
	void (*w_cb)(void *arg, int rc);
	void *w_arg;
};

/* A transaction waiting for a checkpoint to free log space. */
struct umem_space_waiter {
	d_list_t sw_link;
	void *sw_cookie;
};

struct umem_wal {
	int wl_fd;
	uint64_t wl_size; /* circular area bytes */
	uint64_t wl_gen;
	pthread_mutex_t wl_lock;
	pthread_cond_t wl_cond;  /* flusher wake-up */
	pthread_cond_t wl_dcond; /* durable progress (internal waiters) */
	uint64_t wl_next;        /* next append position */
	uint64_t wl_flushed;     /* start of the pending buffer */
	uint64_t wl_durable;
	uint64_t wl_tail; /* checkpointed: space before it is reusable */
	uint64_t wl_txid; /* last assigned tx id */
	char *wl_buf;     /* bytes [wl_flushed, wl_next) */
	size_t wl_buf_len;
	size_t wl_buf_cap;
	char *wl_spare; /* the buffer being written by the flusher */
	size_t wl_spare_cap;
	d_list_t wl_waiters;
	int wl_err;     /* sticky I/O error */
	int wl_sync_ms; /* 0: every commit */
	bool wl_urgent;
	bool wl_stop;
	bool wl_writing; /* a batch is being written (flusher or an inline committer) */
	pthread_t wl_thread;
	bool wl_thread_started;
	bool wl_inited;
	uint64_t wl_bytes;
	uint64_t wl_syncs;
};

struct umem_pool {
	char *up_path;
	int up_fd;
	char *up_base;
	uint64_t up_size;
	uint64_t up_npages;
	struct umem_hdr up_hdr; /* last header written/read */
	int up_ext_fd;          /* side file, -1: none */
	bool up_ext_shared;     /* side file and log share one device: a log flush covers both */
	bool up_ext_dirty;      /* side-file redo logged since the last checkpoint (heap lock) */
	int up_hdr_slot;
	uint32_t up_flags;
	struct umem_wal up_wal;
	/* heap lock: held by the running transaction, from begin to outermost end */
	pthread_mutex_t up_lock;
	d_list_t up_space_waiters; /* umem_space_waiter, under up_bg_lock */
	int up_ckpt_err;           /* result of the last checkpoint, under up_bg_lock */
	_Atomic(pthread_t) up_owner;
	_Atomic bool up_tx_active;
	struct umem_tx up_tx;
	uint64_t *up_dirty; /* page bitmap */
	/* checkpoint copy in progress: pages of up_ckpt_set still need copying to their slot */
	bool up_ckpt_active;
	uint64_t *up_ckpt_set;
	uint32_t *up_ckpt_slot;
	char *up_ckpt_stage;
	/* checkpoint */
	pthread_mutex_t up_ckpt_lock; /* one checkpoint at a time */
	pthread_mutex_t up_bg_lock;
	pthread_cond_t up_bg_cond;
	bool up_bg_stop;
	bool up_bg_kick;
	bool up_bg_started;
	pthread_t up_bg_thread;
	uint32_t up_ckpt_ms;
	/* stats */
	uint64_t up_tx_committed;
	uint64_t up_tx_aborted;
	uint64_t up_ckpts;
	uint64_t up_ckpt_bytes;
	uint64_t up_replayed;
};

static inline struct umem_meta *
umem_meta(struct umem_pool *pool)
{
	return (struct umem_meta *)(pool->up_base + UMEM_PAGE_SIZE);
}

static inline struct umem_pgmap *
umem_pgmap(struct umem_pool *pool)
{
	return (struct umem_pgmap *)(pool->up_base + umem_meta(pool)->um_map_off);
}

static inline void *
umem_p(struct umem_pool *pool, uint64_t off)
{
	return pool->up_base + off;
}

static inline void
umem_mark_dirty(struct umem_pool *pool, uint64_t off, uint64_t len)
{
	uint64_t p;

	for (p = off >> UMEM_PAGE_SHIFT; p <= (off + len - 1) >> UMEM_PAGE_SHIFT; p++)
		pool->up_dirty[p / 64] |= 1ULL << (p % 64);
}

uint32_t umem_crc32c(uint32_t crc, const void *buf, size_t len);
int umem_errno2der(int err);

/* misc.c: fault injection; umem_fi() returns the errno to fake at \a point, or 0 */
extern _Atomic int umem_fi_armed;
int umem_fi_hit(unsigned int point);

static inline int
umem_fi(unsigned int point)
{
	if (__builtin_expect(atomic_load_explicit(&umem_fi_armed, memory_order_relaxed), 0))
		return umem_fi_hit(point);
	return 0;
}

/* tx.c: snapshot a heap range into the running transaction (heap lock held). */
int umem_tx_snap(struct umem_pool *pool, uint64_t off, uint64_t len);
int umem_tx_runs(struct umem_tx *tx, uint64_t *nlines);
void umem_tx_reset(struct umem_tx *tx);
void umem_tx_fini(struct umem_tx *tx);

/* alloc.c: all called with the transaction running */
uint64_t umem_heap_prefix(uint64_t size);
void umem_heap_format(char *base, uint64_t size);
int umem_heap_alloc(struct umem_pool *pool, size_t size, umem_off_t *off);
int umem_heap_free(struct umem_pool *pool, umem_off_t off);
int umem_heap_validate(struct umem_pool *pool, umem_off_t off, size_t *usable);
int umem_heap_check(struct umem_pool *pool);

/* wal.c */
int umem_wal_create(const char *path, uint64_t size, const uint64_t uuid[2]);
int umem_wal_open(struct umem_pool *pool, const char *path, int sync_ms);
int umem_wal_replay(struct umem_pool *pool);
int umem_wal_start(struct umem_pool *pool);
void umem_wal_stop(struct umem_pool *pool);
int umem_wal_append(struct umem_pool *pool, uint64_t *end_lsn, uint64_t *txid);
/* Call w->w_cb once the log is durable up to w->w_lsn; frees \a w. */
void umem_wal_wait(struct umem_pool *pool, struct umem_waiter *w);
/*
 * Lone committer: if no batch is being written and nobody else waits, write and sync the
 * pending log (which ends with the caller's record) on the calling thread. Returns 1 when
 * the log was not idle (the caller waits for the flusher instead), else 0 or the error.
 */
int umem_wal_sync_inline(struct umem_pool *pool, uint64_t lsn);
/* Block the calling (non-xstream) thread until durable up to \a lsn. */
int umem_wal_wait_durable(struct umem_pool *pool, uint64_t lsn);
uint64_t umem_wal_used(struct umem_wal *wal);
int umem_wal_sync_policy(void);

/* tx.c: wake transactions waiting for log space after a checkpoint attempt */
void umem_space_wake(struct umem_pool *pool, int rc);

/* heap.c */
void umem_ckpt_kick(struct umem_pool *pool);
void umem_ckpt_cow(struct umem_pool *pool, uint64_t off, uint64_t len);

#endif /* __UMEM_INTERNAL_H__ */
