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
