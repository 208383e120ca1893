/**
 * Server-side user-level threads (ULTs) and execution streams (xstreams).
 *
 * This is the runtime the engine builds on in place of Argobots: a fixed set
 * of xstreams (one pthread each) created by ult_init(), each running a
 * cooperative scheduler of ULTs and of registered pollers. Every waiting
 * primitive here is ULT-aware: called from a ULT it parks the ULT and lets the
 * xstream run others; called from a plain thread it blocks that thread.
 *
 * Functions return 0 or a negative DER_* error (daos_errno.h).
 * See docs/ult.md for the rules server modules follow.
 */
#ifndef __DAOS_SRV_ULT_H__
#define __DAOS_SRV_ULT_H__

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#if defined(__cplusplus)
extern "C" {
#endif

/** Pass as xstream id to mean "the xstream the caller runs on" (xstream 0 from a plain thread). */
#define ULT_XS_SELF (-1)

/** Opaque handles. */
struct ult;
struct ult_poller;
typedef struct ult_eventual *ult_eventual_t;
typedef struct ult_mutex *ult_mutex_t;
typedef struct ult_cond *ult_cond_t;
typedef struct ult_rwlock *ult_rwlock_t;

/** Runtime parameters; zeroed fields take defaults. */
struct ult_init_attr {
	/** Number of xstreams (default 1). */
	int uia_nr_xs;
	/** Default ULT stack size in bytes (default ULT_STACK_SIZE_DEFAULT). */
	size_t uia_stack_size;
	/** Stacks each xstream keeps for reuse (default 128; -1 disables the cache). */
	int uia_stack_cache;
	/** Pin xstream i to CPU uia_cpus[i] (or to i % ncpus when uia_cpus is NULL). */
	bool uia_pin;
	const int *uia_cpus;
};

#define ULT_STACK_SIZE_DEFAULT (64 * 1024)

/** Start the runtime and its xstreams. Only one runtime exists per process. */
int ult_init(const struct ult_init_attr *attr);

/**
 * Stop every xstream, join the threads and free the stacks. Must be called from
 * a plain thread. Runnable ULTs (and ULTs whose timer expires) get a grace
 * period of 2 s to finish; ULTs still parked or runnable after it are reported
 * with D_WARN and never resumed: their stacks are freed, detached ones are
 * freed, and ult_join() on a joinable one returns -DER_SHUTDOWN (and frees it).
 * Objects they were waiting on must only be freed afterwards, not signalled.
 *
 * \return number of ULTs that were abandoned (>= 0), or a negative DER error.
 */
int ult_fini(void);

/** Number of xstreams of the running runtime (0 when not initialized). */
int ult_xs_nr(void);

/** Index of the xstream the caller runs on, or -1 from a plain thread. */
int ult_xs_self(void);

/**
 * Create a ULT running \a func(\a arg) on xstream \a xs_id (ULT_XS_SELF for
 * the caller's own). Creation on another xstream is lock-free and wakes the
 * target if it is idle.
 *
 * \param stack_size	0 for the runtime default
 * \param ultp		if not NULL, receives a handle the caller must pass to
 *			ult_join() or ult_detach(); if NULL the ULT is detached
 */
int ult_create(int xs_id, void (*func)(void *arg), void *arg, size_t stack_size, struct ult **ultp);

/** Wait for \a ult to finish and release its handle. Returns 0 or the ULT's start error. */
int ult_join(struct ult *ult);

/** Release the handle; the ULT frees itself when it finishes. */
int ult_detach(struct ult *ult);

/** Let the other runnable ULTs of this xstream run (sched_yield from a plain thread). */
void ult_yield(void);

/** Sleep; a ULT parks on its xstream's timer heap, a plain thread sleeps. */
void ult_sleep_us(uint64_t us);
void ult_sleep_ms(uint64_t ms);

/** Terminate the calling ULT. Must be called from a ULT. */
void ult_exit(void) __attribute__((noreturn));

/** The calling ULT, or NULL from a plain thread (or from a poller). */
struct ult *ult_self(void);

/** Unique id (> 0) of the calling ULT, 0 outside a ULT. */
uint64_t ult_self_id(void);

/** Id of a ULT handle. */
uint64_t ult_id(const struct ult *ult);

/*
 * Eventual: a one-shot value (ABT_eventual). Waiters park until set; a set
 * eventual stays set (wait returns at once) until reset.
 */
int ult_eventual_create(size_t nbytes, ult_eventual_t *evp);
int ult_eventual_free(ult_eventual_t *evp);
/** Wait until set; if \a valuep is not NULL it receives a pointer to the stored value. */
int ult_eventual_wait(ult_eventual_t ev, void **valuep);
/** Like ult_eventual_wait() but gives up with -DER_TIMEDOUT after \a timeout_us. */
int ult_eventual_timedwait(ult_eventual_t ev, void **valuep, uint64_t timeout_us);
/** Store \a nbytes (at most the created size) of \a value and wake every waiter. */
int ult_eventual_set(ult_eventual_t ev, const void *value, size_t nbytes);
/** Non-blocking check; \a is_ready is set to whether the eventual is set. */
int ult_eventual_test(ult_eventual_t ev, void **valuep, bool *is_ready);
int ult_eventual_reset(ult_eventual_t ev);

/* Mutex: FIFO hand-off to parked waiters, so no waiter starves. Not recursive. */
int ult_mutex_create(ult_mutex_t *mp);
int ult_mutex_free(ult_mutex_t *mp);
int ult_mutex_lock(ult_mutex_t m);
/** Returns -DER_BUSY if the mutex is held. */
int ult_mutex_trylock(ult_mutex_t m);
int ult_mutex_unlock(ult_mutex_t m);

/* Condition variable, used with a ult_mutex_t. */
int ult_cond_create(ult_cond_t *cvp);
int ult_cond_free(ult_cond_t *cvp);
int ult_cond_wait(ult_cond_t cv, ult_mutex_t m);
/** Returns -DER_TIMEDOUT (with \a m re-acquired) when \a timeout_us passes unsignalled. */
int ult_cond_timedwait(ult_cond_t cv, ult_mutex_t m, uint64_t timeout_us);
int ult_cond_signal(ult_cond_t cv);
int ult_cond_broadcast(ult_cond_t cv);

/* Reader/writer lock; waiting writers block new readers. */
int ult_rwlock_create(ult_rwlock_t *lp);
int ult_rwlock_free(ult_rwlock_t *lp);
int ult_rwlock_rdlock(ult_rwlock_t l);
int ult_rwlock_wrlock(ult_rwlock_t l);
int ult_rwlock_unlock(ult_rwlock_t l);

/*
 * Pollers. Each xstream calls its pollers between ULTs. \a poll returns the
 * number of items it completed (> 0 keeps the xstream busy), 0 when it found
 * nothing, or a negative error (logged). When no ULT is runnable and every
 * poller found nothing, the xstream sleeps in epoll_wait on the pollers' fds;
 * a poller whose fd is readable must consume what made it readable. A poller
 * without an fd (fd < 0) limits that sleep to ULT_POLL_NOFD_MS.
 */
#define ULT_POLL_NOFD_MS 1

int ult_poller_register(int xs_id, int (*poll)(void *arg), void *arg, int fd,
			struct ult_poller **pollerp);
/** After return the poll function is not running and will not be called again. */
int ult_poller_unregister(struct ult_poller *poller);

/*
 * Collective: run \a func on each xstream in [first_xs, first_xs + nr_xs)
 * (nr_xs < 0: through the last xstream) as a ULT, and gather the results.
 * \a func gets its xstream id and out slot (\a outs + i * \a out_size, or NULL
 * when \a outs is NULL). \a rcs, if not NULL, receives each return code.
 *
 * \return 0 if every call returned 0, else the first (lowest xstream) error.
 */
int ult_collective(int first_xs, int nr_xs, int (*func)(void *arg, int xs_id, void *out), void *arg,
		   void *outs, size_t out_size, int *rcs);

/*
 * umem durability waits on eventuals: a committing ULT parks instead of blocking its
 * xstream. Install with umem_set_wait_ops(ult_umem_wait_ops()) (daos/mem.h).
 */
struct umem_wait_ops;
const struct umem_wait_ops *ult_umem_wait_ops(void);

#if defined(__cplusplus)
}
#endif

#endif /* __DAOS_SRV_ULT_H__ */
