/**
 * bio: per-(pool, target) data blobs on plain files and asynchronous I/O through io_uring.
 *
 * A blob is a preallocated file (fallocate). I/O goes through a ring (one per xstream, not
 * thread safe): requests are submitted with bio_req_submit() and completed by bio_ring_poll(),
 * which a ULT xstream poller calls when the ring's eventfd becomes readable; plain threads
 * use bio_ring_wait(). Without io_uring (setup failure, BIO_RING_SYNC, or env
 * PDAOS_BIO_NO_URING=1) requests run synchronously with preadv/pwritev at submit and complete
 * at the next poll; a blob on tmpfs/ramfs is mapped and its requests are a memcpy at submit.
 * An I/O error completes the request with -DER_IO and marks the blob faulty;
 * a faulty blob refuses further I/O with -DER_IO. A write failing with ENOSPC/EDQUOT completes
 * with -DER_NOSPACE and leaves the blob usable (its range holds undefined data). A failed flush
 * always marks the blob faulty (the kernel may have dropped the unwritten pages), returning
 * -DER_NOSPACE for ENOSPC and -DER_IO otherwise.
 */
#ifndef __DAOS_BIO_H__
#define __DAOS_BIO_H__

#include <stdbool.h>
#include <stdint.h>
#include <sys/uio.h>
#include <uuid/uuid.h>
#include <gurt/list.h>
#include <gurt/types.h>
#include <daos_srv/vea.h>

#if defined(__cplusplus)
extern "C" {
#endif

/** Alignment of O_DIRECT buffers, offsets and lengths. */
#define BIO_DMA_PAGE_SZ 4096

/** Open the blob with O_DIRECT (falls back to buffered I/O if the file system refuses). */
#define BIO_BLOB_DIRECT (1U << 0)
/** Open read-only. */
#define BIO_BLOB_RDONLY (1U << 1)

/** Where a value lives: in the metadata heap (SCM) or in the data blob (NVMe). */
#ifndef DAOS_MEDIA_DEFINED
#define DAOS_MEDIA_DEFINED
enum daos_media_type_t {
	DAOS_MEDIA_SCM  = 0,
	DAOS_MEDIA_NVME = 1,
	DAOS_MEDIA_MAX
};
#endif

/** The address is a hole (a punch): there is no data behind it. */
#define BIO_FLAG_HOLE (1U << 0)

/**
 * Address of a value: a heap offset (umem_off_t) for DAOS_MEDIA_SCM, a byte offset in the
 * target's blob for DAOS_MEDIA_NVME. Stored inside persistent VOS records.
 */
typedef struct {
	uint64_t ba_off;
	uint8_t  ba_type;
	uint8_t  ba_pad1;
	uint16_t ba_flags;
	uint32_t ba_pad2;
} bio_addr_t;

static inline void
bio_addr_set(bio_addr_t *addr, uint16_t type, uint64_t off)
{
	addr->ba_type = type;
	addr->ba_off  = off;
}

static inline bool
bio_addr_is_hole(const bio_addr_t *addr)
{
	return (addr->ba_flags & BIO_FLAG_HOLE) != 0;
}

static inline void
bio_addr_set_hole(bio_addr_t *addr, uint16_t hole)
{
	if (hole)
		addr->ba_flags |= BIO_FLAG_HOLE;
	else
		addr->ba_flags &= ~BIO_FLAG_HOLE;
}

struct bio_blob;

/** Build "<dir>/<pool uuid>-<tgt>.blob" into \a buf. -DER_TRUNC if it does not fit. */
int bio_blob_path(const char *dir, const uuid_t pool, int tgt_id, char *buf, size_t len);
/** Create a blob file of \a size bytes, allocated with fallocate. -DER_EXIST if present. */
int bio_blob_create(const char *path, uint64_t size);
/**
 * bio_blob_create_ex flag: write every block once at create (zeros, O_DIRECT) and record it
 * in a header in block 0 (which the caller must then never use). A fallocated block is an
 * "unwritten" extent on ext4/xfs: the first write into it changes file system metadata, so
 * only fdatasync (journal commit) can make it durable. A block written before can be made
 * durable by any device cache flush: an O_DIRECT overwrite needs no blob fdatasync of its
 * own. Skipped (no header) on memory file systems and with DAOS_BIO_BLOB_PREWRITE=0.
 */
#define BIO_BLOB_PREWRITE (1U << 0)
int bio_blob_create_ex(const char *path, uint64_t size, unsigned int flags);
/**
 * Bytes from the start of the blob known to be written blocks (never unwritten extents), from
 * its header: the blob size after a BIO_BLOB_PREWRITE create, 0 for a blob without a header.
 */
uint64_t bio_blob_written(struct bio_blob *blob);
int bio_blob_open(const char *path, unsigned int flags, struct bio_blob **blobp);
int bio_blob_close(struct bio_blob *blob);
/** Remove a (closed) blob file; -DER_NONEXIST if absent. */
int bio_blob_destroy(const char *path);
uint64_t bio_blob_size(struct bio_blob *blob);
/** The blob lives in memory (tmpfs/ramfs): fdatasync costs nothing there. */
bool bio_blob_in_memory(struct bio_blob *blob);
/**
 * The blob is mapped (it lives in memory and env PDAOS_BIO_NO_MMAP is not set): its I/O is a
 * memcpy, on a ring or through bio_blob_copy(), and bio_blob_flush() makes no system call.
 */
bool bio_blob_mapped(struct bio_blob *blob);
bool bio_blob_faulty(struct bio_blob *blob);
bool bio_blob_direct(struct bio_blob *blob);
/** Make completed writes durable (fdatasync). */
int bio_blob_flush(struct bio_blob *blob);
/**
 * Write the page-cache bytes of [off, off + len) to the device and wait (sync_file_range):
 * no device cache flush, no file system metadata. Durable only after a later flush of the
 * same device, and only for blocks that were written before (bio_blob_written). Errors mark
 * the blob faulty, as bio_blob_flush.
 */
int bio_blob_writeback(struct bio_blob *blob, uint64_t off, uint64_t len);

/*
 * Fault injection (tests): the next \a nr operations at any of \a points fail with errno
 * \a err, as if the kernel had returned it. nr == 0 disarms. Process-wide; one predictable
 * branch per operation when disarmed.
 */
#define BIO_FI_WRITE (1U << 0) /**< completion of a write request */
#define BIO_FI_READ  (1U << 1) /**< completion of a read request */
#define BIO_FI_FLUSH (1U << 2) /**< bio_blob_flush's fdatasync */
int bio_fault_inject_set(unsigned int points, int err, int nr);

/** Buffers usable for O_DIRECT: BIO_DMA_PAGE_SZ aligned. */
void *bio_buf_alloc(size_t size);
void bio_buf_free(void *buf);

/* ------------------------------------------------------------------------------------------ */

/** Do not use io_uring even if available. */
#define BIO_RING_SYNC (1U << 0)

struct bio_ring;

enum bio_op {
	BIO_OP_READ,
	BIO_OP_WRITE,
};

/**
 * Synchronous I/O on a mapped blob (bio_blob_mapped()), without a ring: copy the iov_len bytes
 * of each vector of \a sgl from (write) or to (read) byte \a off of the blob. Same checks and
 * error codes as a request through bio_req_submit(); -DER_NOTSUPPORTED if not mapped.
 */
int bio_blob_copy(struct bio_blob *blob, enum bio_op op, uint64_t off, d_sg_list_t *sgl);

struct bio_req;
typedef void (*bio_req_cb_t)(struct bio_req *req, void *arg);

/** One request: the iov_len bytes of each vector of \a br_sgl at byte offset \a br_off of \a br_blob. */
struct bio_req {
	struct bio_blob *br_blob;
	enum bio_op br_op;
	uint64_t br_off;
	d_sg_list_t *br_sgl;
	/** called from bio_ring_poll()/bio_ring_wait() on completion (may be NULL) */
	bio_req_cb_t br_cb;
	void *br_cb_arg;
	/** result: 0, -DER_IO or -DER_NOSPACE (valid once br_done) */
	int br_rc;
	bool br_done;
	/* private */
	d_list_t br_link;
	uint64_t br_len;
	uint64_t br_xfered;
	void *br_iov;
	uint32_t br_iov_nr;
	uint32_t br_iov_max;
	/* a single-vector request uses this instead of an allocated array */
	struct iovec br_iov_one;
};

/** Create a ring with \a depth submission slots (0: 128). */
int bio_ring_create(unsigned int depth, unsigned int flags, struct bio_ring **ringp);
/** All requests must be complete. */
int bio_ring_destroy(struct bio_ring *ring);
/** True when the ring really uses io_uring. */
bool bio_ring_is_uring(struct bio_ring *ring);
/**
 * Buffered (non-O_DIRECT) requests of at most this many bytes run with preadv/pwritev at
 * submit and complete at the next poll, like the synchronous fallback: io_uring hands small
 * buffered file I/O to a kernel worker thread, which costs more than the copy. 0: none.
 * Default BIO_RING_SYNC_MAX_DEF, or env PDAOS_BIO_SYNC_MAX (bytes) at bio_ring_create().
 */
void bio_ring_set_sync_max(struct bio_ring *ring, uint64_t bytes);
#define BIO_RING_SYNC_MAX_DEF (64ULL << 10)
/** eventfd that becomes readable when completions are pending (for ult_poller_register). */
int bio_ring_eventfd(struct bio_ring *ring);
/** Queue \a req; it completes later through bio_ring_poll(). */
int bio_req_submit(struct bio_ring *ring, struct bio_req *req);
/** Reap completions and run callbacks; returns how many completed (or a negative error). */
int bio_ring_poll(struct bio_ring *ring);
/** ULT poller (registered with bio_ring_eventfd()): consumes the eventfd, then polls. */
int bio_ring_poller(void *ring);
/** Block (plain threads only) until \a req completes; returns its br_rc. */
int bio_ring_wait(struct bio_ring *ring, struct bio_req *req);
/** Block (plain threads only) until at least one request completes; returns how many did
 *  (0 if nothing is in flight). */
int bio_ring_wait_any(struct bio_ring *ring);
/** Requests submitted and not yet completed. */
unsigned int bio_ring_inflight(struct bio_ring *ring);

/** Synchronous helpers on top of a ring: one buffer. */
int bio_write(struct bio_ring *ring, struct bio_blob *blob, uint64_t off, void *buf, size_t len);
int bio_read(struct bio_ring *ring, struct bio_blob *blob, uint64_t off, void *buf, size_t len);

#if defined(__cplusplus)
}
#endif

#endif /* __DAOS_BIO_H__ */
