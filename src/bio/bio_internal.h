/* Private state shared by the bio files. */
#ifndef __BIO_INTERNAL_H__
#define __BIO_INTERNAL_H__

#include <daos_srv/bio.h>

struct bio_blob {
	int bb_fd;
	uint64_t bb_size;
	bool bb_direct;
	bool bb_rdonly;
	/* set by the first failed I/O; never cleared while open */
	bool bb_faulty;
};

#endif
