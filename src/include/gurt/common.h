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

/* ------------------------------------------------------------------------
 * Time and the hybrid logical clock (HLC)
 * ------------------------------------------------------------------------ */

/* (section: time and HLC) */

#if defined(__cplusplus)
}
#endif

#endif /* __GURT_COMMON_H__ */
