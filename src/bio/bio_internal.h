/* Private state shared by the bio files. */
#ifndef __BIO_INTERNAL_H__
#define __BIO_INTERNAL_H__

#include <stdatomic.h>
#include <daos_srv/bio.h>

struct bio_blob {
	int bb_fd;
	uint64_t bb_size;
	bool bb_direct;
	bool bb_rdonly;
	/* set by the first failed I/O; never cleared while open */
	bool bb_faulty;
	/*
	 * The file lives in memory (tmpfs/ramfs): io_uring punts its buffered I/O to kernel
	 * workers, so a memcpy through pwritev/preadv at submit is several times faster.
	 */
	bool bb_memfs;
	/*
	 * On a memory file system, the whole file mapped MAP_SHARED (NULL otherwise): reads and
	 * writes are a memcpy into the file's own pages, with no system call. Its length is
	 * bb_size; the file was fully allocated when it was mapped.
	 */
	char *bb_map;
	/*
	 * One bit per BIO_MAP_CHUNK of the mapping: its page tables are filled (madvise
	 * MADV_POPULATE_*). Filling a chunk at its first use costs one system call instead of a
	 * page fault for every page written, and keeps the open of a large blob O(1).
	 */
	_Atomic uint64_t *bb_ready;
	/* [0, bb_written) holds written blocks (blob header, BIO_BLOB_PREWRITE) */
	uint64_t bb_written;
};

/* Block 0 of a pre-written blob; a blob whose block 0 lacks the magic has no header. */
#define BIO_BLOB_HDR_MAGIC   0x50444d424c4f4248ULL /* "PDMBLOBH" */
#define BIO_BLOB_HDR_VERSION 1

struct bio_blob_hdr {
	uint64_t bh_magic;
	uint32_t bh_version;
	uint32_t bh_flags;
	uint64_t bh_size;    /* file size at create */
	uint64_t bh_written; /* [0, bh_written) was written once: no unwritten extents */
	uint32_t bh_pad;
	uint32_t bh_csum; /* CRC32C of the header with bh_csum = 0 */
};

#define BIO_MAP_CHUNK_SHIFT 21

/* bio_blob.c: checks of a request before any I/O; the byte count goes to \a lenp */
int bio_io_check(struct bio_blob *blob, enum bio_op op, uint64_t off, d_sg_list_t *sgl,
		 uint64_t *lenp);
/* bio_blob.c: copy the \a len bytes of a request's vectors to or from a mapped blob; 0 or a
 * positive errno */
int bio_map_copy(struct bio_blob *blob, enum bio_op op, uint64_t off, d_sg_list_t *sgl,
		 uint64_t len);
/* bio_blob.c: the -DER_* of a failed transfer (errno \a err); marks the blob faulty if due */
int bio_io_fail(struct bio_blob *blob, enum bio_op op, uint64_t off, int err);

/* bio_blob.c: fault injection; bio_fi() returns the errno to fake at \a point, or 0 */
extern _Atomic int bio_fi_armed;
int bio_fi_hit(unsigned int point);

static inline int
bio_fi(unsigned int point)
{
	if (__builtin_expect(atomic_load_explicit(&bio_fi_armed, memory_order_relaxed), 0))
		return bio_fi_hit(point);
	return 0;
}

#endif
