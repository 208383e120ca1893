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

/**
 * POSIX errno to the negative DER_* code that means the same (0 stays 0).
 * Errno values without a DER twin become -DER_MISC.
 */
static inline int
d_errno2der(int err)
{
	switch (err) {
	case 0:
		return 0;
	case EPERM:
	case EACCES:
		return -DER_NO_PERM;
	case EBADF:
		return -DER_NO_HDL;
	case EINVAL:
		return -DER_INVAL;
	case EEXIST:
		return -DER_EXIST;
	case ENOENT:
		return -DER_NONEXIST;
	case EHOSTUNREACH:
		return -DER_UNREACH;
	case ENOSPC:
	case EDQUOT:
		return -DER_NOSPACE;
	case EALREADY:
		return -DER_ALREADY;
	case ENOMEM:
		return -DER_NOMEM;
	case ENOSYS:
		return -DER_NOSYS;
	case ETIMEDOUT:
		return -DER_TIMEDOUT;
	case EBUSY:
		return -DER_BUSY;
	case EAGAIN:
		return -DER_AGAIN;
	case EPROTO:
		return -DER_PROTO;
	case EOVERFLOW:
		return -DER_OVERFLOW;
	case ECANCELED:
		return -DER_CANCELED;
	case ENOTDIR:
		return -DER_NOTDIR;
	case ENAMETOOLONG:
		return -DER_EXCEEDS_PATH_LEN;
	case EIO:
		return -DER_IO;
	case E2BIG:
		return -DER_KEY2BIG;
	case ESTALE:
		return -DER_STALE;
	case ENOTSUP:
		return -DER_NOTSUPPORTED;
	default:
		return -DER_MISC;
	}
}

/*
 * Environment access. The getters leave *val unchanged unless they return 0;
 * they return -DER_NONEXIST when the variable is unset and -DER_INVAL when its
 * value does not parse (numbers: decimal or 0x-prefixed hex, no sign, no
 * junk, no overflow). Setters and getters share a lock, so threads that use
 * only these functions never read an environment being rewritten.
 */

/** Copy the value into \a str (\a str_size bytes); -DER_TRUNC if it did not fit (copy cut). */
int
d_getenv_str(char *str, size_t str_size, const char *name);

/** Allocate a copy of the value into *\a str; release it with d_freeenv_str(). */
int
d_agetenv_str(char **str, const char *name);

void
d_freeenv_str(char **str);

/** 1/0, true/false, yes/no, on/off (any case) or an integer (non-zero is true). */
int
d_getenv_bool(const char *name, bool *bool_val);

/** A one-character value. */
int
d_getenv_char(const char *name, char *char_val);

int
d_getenv_uint(const char *name, unsigned int *uint_val);

int
d_getenv_uint32_t(const char *name, uint32_t *uint32_val);

int
d_getenv_uint64_t(const char *name, uint64_t *uint64_val);

/** Older name of d_getenv_uint(), kept for source compatibility. */
int
d_getenv_int(const char *name, unsigned int *uint_val);

int
d_setenv(const char *name, const char *value, int overwrite);

int
d_unsetenv(const char *name);

/** putenv(3): \a name ("NAME=value") becomes part of the environment, do not free it. */
int
d_putenv(char *name);

int
d_clearenv(void);

/** True if \a name is set (even to an empty value). */
bool
d_isenv_def(const char *name);

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
