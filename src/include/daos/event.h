/**
 * Internal interface of the event library (libdaos), for the client modules
 * (pool, container, object, dfs) and for the network layer.
 *
 * Every API call follows one pattern: create a task with dc_task_create() on
 * the caller's event (or, for a NULL event, on the calling thread's private
 * event), then dc_task_schedule() it. For the private event, scheduling also
 * waits for completion: that is how a blocking call is "async call + wait".
 *
 * Waiting (daos_eq_poll, daos_event_test, the private event) makes progress
 * through a progress hook. Without a network layer the library's own hook
 * runs the TSE scheduler and sleeps on a condition variable that
 * daos_event_complete() signals. The network layer replaces it with
 * daos_progress_register(); see docs/events.md.
 */
#ifndef __DAOS_EVENTX_H__
#define __DAOS_EVENTX_H__

#include <daos_types.h>
#include <daos_errno.h>
#include <daos_event.h>
#include <gurt/list.h>
#include <daos/tse.h>

#if defined(__cplusplus)
extern "C" {
#endif

enum daos_ev_flags {
	/** The completed event is not queued on its EQ: the upper layer is told by callback. */
	DAOS_EVF_NO_POLL = (1 << 0),
	/** Unused; accepted for source compatibility (parents are always launched explicitly). */
	DAOS_EVF_NEED_LAUNCH = (1 << 1),
};

/* ------------------------------------------------------------------------
 * Library setup (called by daos_init/daos_fini)
 * ------------------------------------------------------------------------ */

/** Set up the event library (global scheduler, wait queues). Reference counted. */
int daos_eq_lib_init(void);

/** Tear down the event library; EQs still open are destroyed with their events aborted. */
int daos_eq_lib_fini(void);

/** Reset the event library in a child process after fork(). */
int daos_eq_lib_reset_after_fork(void);

/* ------------------------------------------------------------------------
 * Events
 * ------------------------------------------------------------------------ */

/** daos_event_init() with \a flags (enum daos_ev_flags). */
int daos_event_init_adv(daos_event_t *ev, enum daos_ev_flags flags, daos_handle_t eqh,
			daos_event_t *parent);

/**
 * Mark \a ev in flight (READY -> RUNNING). A parent may only be launched once
 * all its children have been launched. Returns -DER_NO_PERM if \a ev is not
 * ready, -DER_NO_HDL if its EQ is gone or being destroyed.
 */
int daos_event_launch(daos_event_t *ev);

/**
 * Complete \a ev with result \a rc: run its completion callbacks, set
 * ev_error, and make it visible to daos_eq_poll()/daos_event_test().
 * Completing an event that is not in flight (already completed or aborted)
 * only records \a rc in ev_error, so a late completion after an abort is harmless.
 */
void daos_event_complete(daos_event_t *ev, int rc);

/** Make daos_event_complete() store a positive errno instead of -DER_* in ev_error. */
void daos_event_errno_rc(daos_event_t *ev);

/**
 * Function an operation registers to be told of daos_event_abort(). It is
 * called without any library lock held, and should make the operation
 * complete the event (ideally with -DER_CANCELED). Without one, abort
 * completes the event itself with -DER_CANCELED.
 */
typedef void (*daos_event_abort_cb_t)(daos_event_t *ev, void *arg);

/** Register (or with NULL \a cb clear) the abort callback of a launched operation. */
int daos_event_register_abort_cb(daos_event_t *ev, daos_event_abort_cb_t cb, void *arg);

/** The EQ handle \a ev was initialised with (DAOS_HDL_INVAL if none). */
daos_handle_t daos_ev2eqh(daos_event_t *ev);

/** The TSE scheduler the operations of \a ev run on (its EQ's, the thread's or the global one). */
tse_sched_t *daos_ev2sched(daos_event_t *ev);

/** The network context of \a ev (see struct daos_progress_ops), NULL without a network. */
void *daos_ev2ctx(daos_event_t *ev);

/** The network context of the EQ or thread that owns \a sched. */
void *daos_sched2ctx(tse_sched_t *sched);

/**
 * Wake whoever waits on the EQ or thread owning \a sched, so that it runs the
 * scheduler again. Call it after making a task of \a sched ready from another
 * thread (e.g. tse_task_complete() of a dependency).
 */
void daos_sched_kick(tse_sched_t *sched);

/* ------------------------------------------------------------------------
 * The per-thread private event (blocking calls)
 * ------------------------------------------------------------------------ */

/** Get the calling thread's private event; -DER_BUSY if it is in use, -DER_UNINIT before daos_init. */
int daos_event_priv_get(daos_event_t **ev);

/** Re-initialise the calling thread's private event (after an error left it in flight). */
int daos_event_priv_reset(void);

/** True if \a ev is the calling thread's private event. */
bool daos_event_is_priv(daos_event_t *ev);

/**
 * Wait for the private event to complete (progressing the thread's
 * scheduler), make it ready again and return its result.
 */
int daos_event_priv_wait(void);

/* ------------------------------------------------------------------------
 * Progress hook (network layer)
 * ------------------------------------------------------------------------ */

/**
 * Condition a progress call waits for: return > 0 to stop (condition met),
 * 0 to keep waiting, < 0 to stop with that error.
 */
typedef int (*daos_progress_cond_cb_t)(void *arg);

/**
 * How the library waits when a network layer is present. The shape is that
 * of crt_progress_cond() and crt_context_create(): CaRT plugs in as is.
 */
struct daos_progress_ops {
	/**
	 * Make progress on \a ctx until \a cond returns non-zero or \a timeout_us
	 * passes (0: one non-blocking pass; negative: no limit). \a cond is
	 * evaluated before blocking and after every burst of work. Returns 0 when
	 * \a cond returned > 0, the negative value \a cond returned, -DER_TIMEDOUT,
	 * or another error. Must never busy-wait: block on the network's wait fd.
	 */
	int (*dpo_progress_cond)(void *ctx, int64_t timeout_us, daos_progress_cond_cb_t cond,
				 void *arg);
	/**
	 * Make a thread blocked in dpo_progress_cond() on \a ctx return soon
	 * (an event of that context was completed by another thread). Optional:
	 * without it, waits are cut in DAOS_PROGRESS_SLICE_US slices.
	 */
	void (*dpo_wakeup)(void *ctx);
	/** Create a context for a new EQ. Optional: without it EQs share dpo_global_ctx. */
	int (*dpo_ctx_create)(void **ctx);
	/** Destroy a context made by dpo_ctx_create (\a force: in-flight requests are cancelled). */
	int (*dpo_ctx_destroy)(void *ctx, bool force);
	/** Context used by events without an EQ and by blocking calls. */
	void *dpo_global_ctx;
};

/** Longest single wait when the hook cannot be woken up (no dpo_wakeup). */
#define DAOS_PROGRESS_SLICE_US 1000

/**
 * Install the network's progress hook (a copy of \a ops is kept); NULL
 * restores the built-in one. Only allowed while no EQ exists (-DER_BUSY).
 */
int daos_progress_register(const struct daos_progress_ops *ops);

#if defined(__cplusplus)
}
#endif

#include <daos/task.h>

#endif /* __DAOS_EVENTX_H__ */
