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
