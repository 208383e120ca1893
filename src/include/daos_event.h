/**
 * Events and event queues: the asynchronous side of the DAOS API.
 *
 * An API call given a NULL event blocks and returns the operation's result;
 * given an event, it returns at once (the return value reports only launch
 * errors) and the result appears in ev_error once the event is polled.
 */
#ifndef __DAOS_EVENT_H__
#define __DAOS_EVENT_H__

#include <daos_types.h>
#include <daos_errno.h>

#if defined(__cplusplus)
extern "C" {
#endif

#if !defined(container_of)
/** The struct of type \a type whose member \a member is at \a ptr (to map an event back). */
#define container_of(ptr, type, member) ((type *)((char *)(ptr)-offsetof(type, member)))
#endif

/** Flag of daos_eq_destroy: destroy even with events in flight (they are aborted). */
#define DAOS_EQ_DESTROY_FORCE 1

/** Create an event queue. -DER_UNINIT before daos_init(), -DER_INVAL for a NULL \a eqh. */
int daos_eq_create(daos_handle_t *eqh);

/**
 * Destroy an event queue. Without DAOS_EQ_DESTROY_FORCE it fails with
 * -DER_BUSY while events are in flight or completed but not yet polled; with
 * it, events in flight are aborted (ev_error -DER_CANCELED) and all events are
 * detached: they may still be finalised. Threads polling the EQ return
 * -DER_NO_HDL. -DER_NO_HDL for an unknown handle.
 */
int daos_eq_destroy(daos_handle_t eqh, int flags);

/**
 * Retrieve up to \a n completed events, removing them from the EQ (they are
 * then ready for reuse). Blocks until at least one event has completed or
 * \a timeout passes: microseconds, DAOS_EQ_WAIT (forever) or DAOS_EQ_NOWAIT.
 * With \a wait_running set, returns 0 at once when nothing is in flight.
 * Returns the number of events (>= 0), -DER_INVAL for \a n == 0 or NULL
 * \a events, -DER_NO_HDL for a bad handle or an EQ being destroyed.
 */
int daos_eq_poll(daos_handle_t eqh, int wait_running, int64_t timeout, unsigned int n,
		 daos_event_t **events);

/**
 * Count the events in the states selected by \a query (DAOS_EQR_*), and with
 * non-NULL \a events return up to \a n of them (completed ones first). The
 * events stay owned by the EQ and may change state at any time.
 */
int daos_eq_query(daos_handle_t eqh, daos_eq_query_t query, unsigned int n, daos_event_t **events);

/**
 * Initialise an event. With an invalid \a eqh the event belongs to no queue and is
 * waited for with daos_event_test(). A \a parent (which must be ready) makes this a
 * child event on the parent's EQ (\a eqh is ignored): the parent is polled only once
 * all its children have completed. -DER_NO_HDL for a bad \a eqh, -DER_INVAL for a bad
 * parent, -DER_NO_PERM if \a parent is itself a child, -DER_BUSY if \a ev is in flight,
 * -DER_UNINIT before daos_init().
 */
int daos_event_init(daos_event_t *ev, daos_handle_t eqh, daos_event_t *parent);

/**
 * Finalise an event (and its children). -DER_BUSY while it or a child is in
 * flight; a completed event not yet polled is removed from its EQ.
 */
int daos_event_fini(daos_event_t *ev);

/** Iterate the children of \a parent: NULL \a child gives the first one. */
daos_event_t *daos_event_next(daos_event_t *parent, daos_event_t *child);

/**
 * Wait up to \a timeout (us, DAOS_EQ_WAIT or DAOS_EQ_NOWAIT) for \a ev to
 * complete; \a flag says if it has. A completed event is taken out of its EQ
 * (it will not be polled). -DER_NO_PERM on a child event.
 */
int daos_event_test(daos_event_t *ev, int64_t timeout, bool *flag);

/**
 * Launch parent \a ev as a barrier: it completes once all its children, which
 * must all have been launched, have completed (at once if they already have).
 * No child can be added until the parent is polled. Its ev_error is the first
 * child error. -DER_INVAL without children, -DER_NO_PERM if not ready.
 */
int daos_event_parent_barrier(daos_event_t *ev);

/**
 * Abort an event in flight (for a parent: its children in flight too). The
 * operation is asked to stop if it can; otherwise the event completes at once
 * with -DER_CANCELED and the operation's own completion is ignored.
 * -DER_NO_PERM if nothing is in flight.
 */
int daos_event_abort(daos_event_t *ev);

typedef int (*daos_event_comp_cb_t)(void *arg, daos_event_t *ev, int ret);

/**
 * Call \a cb when \a ev next completes, before it is visible to pollers.
 * Callbacks run in registration order, once; \a ret is the operation's
 * result, and a callback's non-zero return becomes ev_error if that was 0.
 */
int daos_event_register_comp_cb(daos_event_t *ev, daos_event_comp_cb_t cb, void *arg);

#if defined(__cplusplus)
}
#endif

#endif /* __DAOS_EVENT_H__ */
