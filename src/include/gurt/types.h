/**
 * Basic types shared by every layer: I/O vectors, scatter/gather lists,
 * ranks and rank lists, strings.
 */
#ifndef __GURT_TYPES_H__
#define __GURT_TYPES_H__

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>
#include <uuid/uuid.h>

#if defined(__cplusplus)
extern "C" {
#endif

/** An I/O vector: a buffer, its capacity and the number of valid bytes. */
typedef struct {
	/** buffer address */
	void  *iov_buf;
	/** buffer length (capacity) */
	size_t iov_buf_len;
	/** data length (valid bytes) */
	size_t iov_len;
} d_iov_t;

/** A scatter/gather list of I/O vectors. */
typedef struct {
	/** number of I/O vectors */
	uint32_t sg_nr;
	/** output: number of vectors actually used */
	uint32_t sg_nr_out;
	/** the vectors */
	d_iov_t *sg_iovs;
} d_sg_list_t;

/** Rank of a server in a group. */
typedef uint32_t d_rank_t;

/** A list of ranks. */
typedef struct {
	d_rank_t *rl_ranks;
	uint32_t  rl_nr;
} d_rank_list_t;

typedef d_rank_list_t *d_rank_list_ptr_t;

/** An inclusive range of ranks. */
typedef struct {
	d_rank_t lo;
	d_rank_t hi;
} d_rank_range_t;

/** A list of rank ranges. */
typedef struct {
	d_rank_range_t *rrl_ranges;
	uint32_t        rrl_nr;
} d_rank_range_list_t;

typedef char       *d_string_t;
typedef const char *d_const_string_t;

struct d_uuid {
	uuid_t uuid;
};

/** A growable string buffer. */
struct d_string_buffer_t {
	int    status;
	size_t str_size;
	size_t buf_size;
	char  *str;
};

/** Invalid rank. */
#define CRT_NO_RANK ((d_rank_t)-1)

/** Set an I/O vector to \a buf of \a size bytes (both length fields). */
static inline void
d_iov_set(d_iov_t *iov, void *buf, size_t size)
{
	iov->iov_buf     = buf;
	iov->iov_len     = size;
	iov->iov_buf_len = size;
}

#if defined(__cplusplus)
}
#endif

#endif /* __GURT_TYPES_H__ */
