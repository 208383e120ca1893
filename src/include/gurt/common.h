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

/**
 * Make room for one more element in a growable array that holds \a nr of its \a *cap slots:
 * when it is full the capacity doubles (the first allocation has \a first slots) and the new
 * slots are zeroed. Returns 0 or -DER_NOMEM; on failure the array and \a *cap are unchanged.
 */
int
d_array_grow(void **array, uint32_t nr, uint32_t *cap, size_t elem_size, uint32_t first);

#define D_ARRAY_GROW(array, nr, cap, first)                                                        \
	d_array_grow((void **)&(array), (nr), &(cap), sizeof(*(array)), (first))

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

/*
 * Plain time helpers. d_gettime() reads CLOCK_MONOTONIC: these are for measuring intervals
 * and computing deadlines, never for wall-clock dates (use the HLC for those).
 */

/** Read the monotonic clock into \a t. Returns 0 or -DER_INVAL. */
static inline int
d_gettime(struct timespec *t)
{
	if (clock_gettime(CLOCK_MONOTONIC, t) != 0) {
		D_ERROR("clock_gettime(CLOCK_MONOTONIC) failed: %d (%s)", errno, strerror(errno));
		return -DER_INVAL;
	}
	return 0;
}

/** Monotonic time in nanoseconds (arbitrary origin, never goes backwards). */
static inline uint64_t
d_timenow_ns(void)
{
	struct timespec now;

	if (d_gettime(&now) != 0)
		return 0;
	return (uint64_t)now.tv_sec * NSEC_PER_SEC + (uint64_t)now.tv_nsec;
}

/** \a t2 - \a t1 in nanoseconds (negative when \a t2 is earlier). */
static inline int64_t
d_timediff_ns(const struct timespec *t1, const struct timespec *t2)
{
	return ((int64_t)t2->tv_sec - (int64_t)t1->tv_sec) * (int64_t)NSEC_PER_SEC +
	       ((int64_t)t2->tv_nsec - (int64_t)t1->tv_nsec);
}

/** \a end - \a start as a normalised timespec (tv_nsec in [0, 1e9)). */
static inline struct timespec
d_timediff(struct timespec start, struct timespec end)
{
	struct timespec diff;

	diff.tv_sec  = end.tv_sec - start.tv_sec;
	diff.tv_nsec = end.tv_nsec - start.tv_nsec;
	if (diff.tv_nsec < 0) {
		diff.tv_sec--;
		diff.tv_nsec += (long)NSEC_PER_SEC;
	}
	return diff;
}

/** Nanoseconds from now until the monotonic deadline \a expiration; 0 once it has passed. */
static inline int64_t
d_timeleft_ns(const struct timespec *expiration)
{
	struct timespec now;
	int64_t         ns;

	if (d_gettime(&now) != 0)
		return 0;
	ns = d_timediff_ns(&now, expiration);
	return ns > 0 ? ns : 0;
}

/** Time elapsed since the monotonic instant \a start. */
static inline struct timespec
d_time_elapsed(const struct timespec start)
{
	struct timespec now;

	if (d_gettime(&now) != 0)
		now = start;
	return d_timediff(start, now);
}

/** Monotonic time \a sec_diff seconds from now, in microseconds. */
static inline uint64_t
d_timeus_secdiff(unsigned int sec_diff)
{
	struct timespec now;

	if (d_gettime(&now) != 0)
		return 0;
	return ((uint64_t)now.tv_sec + sec_diff) * USEC_PER_SEC + (uint64_t)now.tv_nsec / 1000;
}

/** Advance \a now by \a ns nanoseconds, keeping it normalised. */
static inline void
d_timeinc(struct timespec *now, uint64_t ns)
{
	uint64_t nsec = (uint64_t)now->tv_nsec + ns;

	now->tv_sec += (time_t)(nsec / NSEC_PER_SEC);
	now->tv_nsec = (long)(nsec % NSEC_PER_SEC);
}

static inline double
d_time2ms(struct timespec t)
{
	return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

static inline double
d_time2us(struct timespec t)
{
	return (double)t.tv_sec * 1e6 + (double)t.tv_nsec / 1e3;
}

static inline double
d_time2s(struct timespec t)
{
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/*
 * Hybrid logical clock. A timestamp is a uint64_t counting 1/16 ns units since
 * 2021-01-01 00:00:00 UTC (so it covers 2021..2057); the low 18 bits are a logical counter
 * that orders events sharing one physical reading (resolution of the physical part:
 * 2^18 / 16 ns = 16.384 us). Every RPC carries the sender's HLC and the receiver merges it
 * with d_hlc_get_msg(), so any timestamp taken after a message arrives is larger than the
 * one the message carried.
 */

/** HLC units per nanosecond. */
#define D_HLC_NSEC      16ULL
/** Unix time (seconds) of HLC zero: 2021-01-01 00:00:00 UTC. */
#define D_HLC_START_SEC 1609459200ULL
/** The logical-counter bits of an HLC timestamp. */
#define D_HLC_MASK      0x3FFFFULL

/**
 * A new HLC timestamp, larger than every timestamp this process has issued or merged
 * (strictly increasing across all threads).
 */
uint64_t
d_hlc_get(void);

/**
 * Merge the remote timestamp \a msg into the local clock and return a new timestamp larger
 * than both \a msg and every local one in \a hlc_out (optional). \a offset (optional) gets
 * how far \a msg is ahead of the local physical clock (0 if it is not).
 *
 * \retval -DER_HLC_SYNC \a msg is ahead of the local physical clock by more than
 *                       d_hlc_epsilon_get(); the local clock is left untouched.
 */
int
d_hlc_get_msg(uint64_t msg, uint64_t *hlc_out, uint64_t *offset);

/** Nanoseconds since the HLC epoch of \a hlc (also converts HLC durations). */
uint64_t
d_hlc2nsec(uint64_t hlc);

static inline uint64_t
d_hlc2usec(uint64_t hlc)
{
	return d_hlc2nsec(hlc) / NSEC_PER_USEC;
}

static inline uint64_t
d_hlc2msec(uint64_t hlc)
{
	return d_hlc2nsec(hlc) / NSEC_PER_MSEC;
}

static inline uint64_t
d_hlc2sec(uint64_t hlc)
{
	return d_hlc2nsec(hlc) / NSEC_PER_SEC;
}

/** HLC value of \a nsec nanoseconds since the HLC epoch (also converts durations). */
uint64_t
d_nsec2hlc(uint64_t nsec);

static inline uint64_t
d_usec2hlc(uint64_t usec)
{
	return d_nsec2hlc(usec * NSEC_PER_USEC);
}

static inline uint64_t
d_msec2hlc(uint64_t msec)
{
	return d_nsec2hlc(msec * NSEC_PER_MSEC);
}

static inline uint64_t
d_sec2hlc(uint64_t sec)
{
	return d_nsec2hlc(sec * NSEC_PER_SEC);
}

/** Unix time in nanoseconds of \a hlc. */
uint64_t
d_hlc2unixnsec(uint64_t hlc);

/** HLC of the Unix time \a unixnsec; 0 if it lies before 2021 or beyond the HLC range. */
uint64_t
d_unixnsec2hlc(uint64_t unixnsec);

/** Unix (CLOCK_REALTIME) timespec of \a hlc. Returns 0 or -DER_INVAL. */
int
d_hlc2timespec(uint64_t hlc, struct timespec *ts);

/**
 * HLC of the Unix (CLOCK_REALTIME) time \a ts. Returns 0, or -DER_INVAL if \a hlc is NULL or
 * \a ts is not representable (before 2021, past the HLC range, or not normalised).
 */
int
d_timespec2hlc(struct timespec ts, uint64_t *hlc);

/** Whole seconds between \a hlc and the local physical clock (0 if \a hlc is not older). */
uint64_t
d_hlc_age2sec(uint64_t hlc);

/**
 * Set the maximum clock offset believed possible between any two nodes, as an HLC
 * duration (e.g. d_sec2hlc(1)); rounded up to the physical resolution. Default: 1 second.
 */
void
d_hlc_epsilon_set(uint64_t epsilon);

/** The maximum clock offset (HLC duration). See d_hlc_epsilon_set(). */
uint64_t
d_hlc_epsilon_get(void);

/**
 * Upper bound of the timestamp of any event that happened (through some channel the HLC
 * did not see) before the event stamped \a hlc: \a hlc plus epsilon.
 */
uint64_t
d_hlc_epsilon_get_bound(uint64_t hlc);

/**
 * HLC tracker, for processes that must not issue timestamps (clients): it remembers the
 * highest timestamp heard of. d_hlct_get() returns it (0 before any d_hlct_sync()).
 */
uint64_t
d_hlct_get(void);

/** Raise the tracker to \a msg if \a msg is higher. */
void
d_hlct_sync(uint64_t msg);

#if defined(__cplusplus)
}
#endif

#endif /* __GURT_COMMON_H__ */
