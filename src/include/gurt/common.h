/**
 * gurt common helpers: allocation macros, small utilities, and the
 * declarations of gurt's rank list, iov/sgl, environment, time and hash
 * helpers. Self-contained: programs include it on its own.
 */
#ifndef __GURT_COMMON_H__
#define __GURT_COMMON_H__

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <stdbool.h>
#include <errno.h>
#include <time.h>
#include <inttypes.h>

#include <gurt/types.h>
#include <gurt/list.h>
#include <gurt/debug.h>
#include <daos_errno.h>

#if defined(__cplusplus)
extern "C" {
#endif

/* ------------------------------------------------------------------------
 * Allocation. D_FREE frees and sets the pointer to NULL.
 * ------------------------------------------------------------------------ */
#define D_ALLOC(ptr, size)       ((ptr) = (__typeof__(ptr))calloc(1, (size)))
#define D_ALLOC_PTR(ptr)         D_ALLOC(ptr, sizeof(*(ptr)))
#define D_ALLOC_ARRAY(ptr, count) ((ptr) = (__typeof__(ptr))calloc((count), sizeof(*(ptr))))
#define D_ALLOC_NZ(ptr, size)    ((ptr) = (__typeof__(ptr))malloc(size))
#define D_ALLOC_PTR_NZ(ptr)      D_ALLOC_NZ(ptr, sizeof(*(ptr)))
#define D_ALLOC_ARRAY_NZ(ptr, count)                                                               \
	((ptr) = (__typeof__(ptr))d_malloc_array((count), sizeof(*(ptr))))
#define D_FREE(ptr)                                                                                \
	do {                                                                                       \
		free(ptr);                                                                         \
		(ptr) = NULL;                                                                      \
	} while (0)
#define D_FREE_PTR(ptr) D_FREE(ptr)

/** Resize \a ptr to \a size; on failure \a ptr keeps the old buffer and \a newptr is NULL. */
#define D_REALLOC(newptr, ptr, old_size, size)                                                     \
	do {                                                                                       \
		(newptr) = (__typeof__(newptr))realloc((ptr), (size));                             \
		if ((newptr) != NULL && (size_t)(size) > (size_t)(old_size))                       \
			memset((char *)(newptr) + (old_size), 0, (size) - (old_size));             \
		if ((newptr) != NULL)                                                              \
			(ptr) = NULL;                                                              \
	} while (0)
#define D_REALLOC_ARRAY(newptr, ptr, old_count, count)                                             \
	D_REALLOC(newptr, ptr, (old_count) * sizeof(*(ptr)), (count) * sizeof(*(ptr)))

#define D_STRNDUP(ptr, s, n)   ((ptr) = strndup((s), (n)))
#define D_STRNDUP_S(ptr, s)    ((ptr) = strndup((s), sizeof(s)))
#define D_ASPRINTF(ptr, ...)                                                                       \
	do {                                                                                       \
		if (asprintf(&(ptr), __VA_ARGS__) < 0)                                             \
			(ptr) = NULL;                                                              \
	} while (0)
#define D_ALIGNED_ALLOC(ptr, alignment, size)                                                      \
	((ptr) = (__typeof__(ptr))aligned_alloc((alignment), D_ALIGNUP((size), (alignment))))

static inline void *
d_malloc_array(size_t count, size_t size)
{
	if (size != 0 && count > SIZE_MAX / size)
		return NULL;
	return malloc(count * size);
}

/* ------------------------------------------------------------------------
 * Small utilities
 * ------------------------------------------------------------------------ */
#define D_GOTO(label, rc)                                                                          \
	do {                                                                                       \
		__typeof__(rc) __rc = (rc);                                                        \
		(void)__rc;                                                                        \
		goto label;                                                                        \
	} while (0)

#ifndef min
#define min(x, y) ((x) < (y) ? (x) : (y))
#endif
#ifndef max
#define max(x, y) ((x) > (y) ? (x) : (y))
#endif
#ifndef min_t
#define min_t(type, x, y) ((type)(x) < (type)(y) ? (type)(x) : (type)(y))
#endif
#ifndef max_t
#define max_t(type, x, y) ((type)(x) > (type)(y) ? (type)(x) : (type)(y))
#endif
#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#endif
#define D_ALIGNUP(x, a) (((x) + (a) - 1) & ~((__typeof__(x))(a) - 1))
#define D_IS_ALIGNED(x, a) (((x) & ((__typeof__(x))(a) - 1)) == 0)

#define DF_U64 "%" PRIu64
#define DF_X64 "%" PRIx64

#define NSEC_PER_SEC  1000000000ULL
#define NSEC_PER_MSEC 1000000ULL
#define NSEC_PER_USEC 1000ULL
#define USEC_PER_SEC  1000000ULL

/* ------------------------------------------------------------------------
 * Errors (errno <-> DER) and environment getters
 * ------------------------------------------------------------------------ */

/* (section: errors and environment) */

/* ------------------------------------------------------------------------
 * Rank lists, iov/sgl helpers, UUIDs and hash functions
 * ------------------------------------------------------------------------ */

/* (section: ranks, sgl, uuid, hash functions) */

/* Hash functions (src/gurt/hash_func.c). */
#define DGOLDEN_RATIO_PRIME_64 0xcbf29ce484222325ULL
#define DGOLDEN_RATIO_PRIME_32 0x9e370001UL

/** Multiplicative hash of \a val to \a bits bits (1..64). */
static inline uint64_t
d_u64_hash(uint64_t val, unsigned int bits)
{
	return (val * DGOLDEN_RATIO_PRIME_64) >> (64 - bits);
}

/** Multiplicative hash of \a key to \a bits bits (1..32). */
static inline uint32_t
d_u32_hash(uint64_t key, unsigned int bits)
{
	return (uint32_t)(DGOLDEN_RATIO_PRIME_32 * key) >> (32 - bits);
}

/** Thomas Wang's 64-bit integer mix. */
uint64_t d_hash_mix64(uint64_t key);
/** Bob Jenkins' 96-bit mix of three words. */
uint32_t d_hash_mix96(uint32_t a, uint32_t b, uint32_t c);
/** Index of the last element of the sorted \a hashes that is <= \a value (0 if none). */
unsigned int d_hash_srch_u64(uint64_t *hashes, unsigned int nhashes, uint64_t value);
/** djb2 hash of \a len bytes of \a string. */
uint32_t d_hash_string_u32(const char *string, unsigned int len);
/** MurmurHash64A of \a key_len bytes. */
uint64_t d_hash_murmur64(const unsigned char *key, unsigned int key_len, unsigned int seed);
/** Jump consistent hash (Lamping/Veach): bucket in [0, num_buckets) for \a key. */
uint32_t d_hash_jump(uint64_t key, uint32_t num_buckets);

#define LOWEST_BIT_SET(x) ((x) & ~((x)-1))

/** Bits needed for \a val rounded up to a power of two (d_power2_nbits(5) == 3). */
static inline unsigned int
d_power2_nbits(unsigned int val)
{
	unsigned int shift;

	for (shift = 1; (val >> shift) != 0; shift++)
		;
	return val == LOWEST_BIT_SET(val) ? shift - 1 : shift;
}

/* UUID printing: DF_UUID prints the first 8 hex digits, DF_UUIDF all of them. */
/** Lower-case text of \a uuid in a per-thread rotating buffer (8 live at once). */
const char *d_uuid_str(const void *uuid);
#ifndef DF_UUID
#define DF_UUID       "%.8s"
#define DF_UUIDF      "%s"
#define DP_UUID(uuid) d_uuid_str(uuid)
#endif

/* Rank lists (src/gurt/rank.c). Functions taking lists accept NULL as empty. */

/** List of \a size ranks 0..size-1 (no array when size is 0); NULL if out of memory. */
d_rank_list_t *d_rank_list_alloc(uint32_t size);
/** Grow or shrink to \a size ranks; new slots are 0. */
int d_rank_list_resize(d_rank_list_t *ptr, uint32_t size);
void d_rank_list_free(d_rank_list_t *rank_list);
/** Make \a dst a copy of \a src, resizing \a dst. */
int d_rank_list_copy(d_rank_list_t *dst, d_rank_list_t *src);
/** New copy of \a src in *dst (NULL when src is NULL). */
int d_rank_list_dup(d_rank_list_t **dst, const d_rank_list_t *src);
/** New sorted copy of \a src without duplicates. */
int d_rank_list_dup_sort_uniq(d_rank_list_t **dst, const d_rank_list_t *src);
/** Keep in \a dst_set only ranks that are (exclude=false) / are not (exclude=true) in src_set. */
void d_rank_list_filter(d_rank_list_t *src_set, d_rank_list_t *dst_set, bool exclude);
/** Append to \a src_set the ranks of \a merge_set it does not have yet. */
int d_rank_list_merge(d_rank_list_t *src_set, d_rank_list_t *merge_set);
void d_rank_list_shuffle(d_rank_list_t *rank_list);
void d_rank_list_sort(d_rank_list_t *rank_list);
/** Linear search; *idx (may be NULL) gets the position. */
bool d_rank_list_find(d_rank_list_t *rank_list, d_rank_t rank, int *idx);
/** Binary search of a sorted list. */
bool d_rank_list_bsearch(d_rank_list_t *rank_list, d_rank_t rank, int *idx);
void d_rank_list_del_at(d_rank_list_t *list, int idx);
/** Remove \a rank; 0 also if it was not there. */
int d_rank_list_del(d_rank_list_t *rank_list, d_rank_t rank);
/** Same ranks, in any order (the lists are not modified). */
bool d_rank_list_identical(d_rank_list_t *rank_list1, d_rank_list_t *rank_list2);
bool d_rank_in_rank_list(d_rank_list_t *rank_list, d_rank_t rank);
/** Position of \a rank in *idx; -DER_NONEXIST if absent. */
int d_idx_in_rank_list(d_rank_list_t *rank_list, d_rank_t rank, uint32_t *idx);
int d_rank_list_append(d_rank_list_t *rank_list, d_rank_t rank);
/** Log the list at debug level, prefixed by \a name. */
int d_rank_list_dump(d_rank_list_t *rank_list, d_string_t name, int name_len);
d_rank_list_t *uint32_array_to_rank_list(uint32_t *ints, size_t len);
int rank_list_to_uint32_array(d_rank_list_t *rl, uint32_t **ints, size_t *len);
/** "[0-3,7]" style text of the list (sorted, ranges merged); free with D_FREE. */
int d_rank_list_to_str(d_rank_list_t *rank_list, char **rank_str);
/**
 * Parse "0-3,7" (also "[0-3,7]", and \a sep characters as extra separators)
 * into a new list in the order written. -DER_INVAL for malformed text.
 */
int d_rank_list_parse(const char *str, const char *sep, d_rank_list_t **ranks);

d_rank_range_list_t *d_rank_range_list_alloc(uint32_t size);
d_rank_range_list_t *d_rank_range_list_realloc(d_rank_range_list_t *range_list, uint32_t size);
/** Ranges covering the ranks of \a rank_list (sorted, duplicates merged). */
d_rank_range_list_t *d_rank_range_list_create_from_ranks(d_rank_list_t *rank_list);
/** "[0-3,7]" text of the ranges; free with D_FREE. */
int d_rank_range_list_str(d_rank_range_list_t *list, char **ranks_str);
void d_rank_range_list_free(d_rank_range_list_t *range_list);

/* Scatter/gather lists (src/gurt/sgl.c). */

/** Allocate \a nr zeroed iovs (none when nr is 0). */
int d_sgl_init(d_sg_list_t *sgl, unsigned int nr);
/** Free the iov array, and with \a free_iovs each iov_buf too. */
void d_sgl_fini(d_sg_list_t *sgl, bool free_iovs);
/** Sum of iov_buf_len. */
size_t d_sgl_buf_size(d_sg_list_t *sgl);
/** Sum of iov_len. */
size_t d_sgl_data_len(d_sg_list_t *sgl);
/**
 * Copy every iov of \a src_sgl into the matching iov of \a dst_sgl. -DER_TRUNC
 * (nothing copied) if dst has fewer iovs or a smaller buffer.
 */
int d_sgl_buf_copy(d_sg_list_t *dst_sgl, d_sg_list_t *src_sgl);

/* True if \a ptr lies in the caller's stack frame (heuristic, for d_iov_set_safe). */
static inline bool
d_is_on_stack(const void *ptr)
{
	int local;

	return (uintptr_t)&local < (uintptr_t)ptr && (uintptr_t)&local + 100 > (uintptr_t)ptr;
}

/** d_iov_set() for buffers that outlive the caller: asserts \a buf is not on the stack. */
static inline void
d_iov_set_safe(d_iov_t *iov, void *buf, size_t size)
{
	D_ASSERTF(!d_is_on_stack(buf), "iov buffer %p is on the stack", buf);
	d_iov_set(iov, buf, size);
}

/* ------------------------------------------------------------------------
 * Time and the hybrid logical clock (HLC)
 * ------------------------------------------------------------------------ */

/* (section: time and HLC) */

#if defined(__cplusplus)
}
#endif

#endif /* __GURT_COMMON_H__ */
