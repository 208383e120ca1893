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
