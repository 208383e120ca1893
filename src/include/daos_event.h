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

#if defined(__cplusplus)
extern "C" {
#endif

/** Flag of daos_eq_destroy: destroy even with events in flight (they are aborted). */
#define DAOS_EQ_DESTROY_FORCE 1

/** Create an event queue. */
int
daos_eq_create(daos_handle_t *eqh);

/** Destroy an event queue; -DER_BUSY if events are in flight unless DAOS_EQ_DESTROY_FORCE. */
int
daos_eq_destroy(daos_handle_t eqh, int flags);

/**
 * Retrieve up to \a n completed events. \a timeout is in microseconds, or
 * DAOS_EQ_WAIT / DAOS_EQ_NOWAIT. With \a wait_running set, return at once when
 * no event is in flight. Returns the number of events (>= 0) or a negative DER.
 */
int
daos_eq_poll(daos_handle_t eqh, int wait_running, int64_t timeout, unsigned int n,
	     daos_event_t **events);

/** Count (and optionally return) events in the states selected by \a query. */
int
daos_eq_query(daos_handle_t eqh, daos_eq_query_t query, unsigned int n, daos_event_t **events);

/**
 * Initialise an event. With an invalid \a eqh the event belongs to no queue and is
 * completed with daos_event_test(). A \a parent makes this a child event: the parent
 * completes once all its children have.
 */
int
daos_event_init(daos_event_t *ev, daos_handle_t eqh, daos_event_t *parent);

/** Finalise an event (and its children); it must not be in flight. */
int
daos_event_fini(daos_event_t *ev);

/** Iterate the children of \a parent: NULL \a child gives the first one. */
daos_event_t *
daos_event_next(daos_event_t *parent, daos_event_t *child);

/** Wait up to \a timeout (us, DAOS_EQ_WAIT or DAOS_EQ_NOWAIT) for \a ev; \a flag says if done. */
int
daos_event_test(daos_event_t *ev, int64_t timeout, bool *flag);

/** Make \a ev (a parent) complete only after its children launched so far have completed. */
int
daos_event_parent_barrier(daos_event_t *ev);

/** Abort an event in flight; it completes with -DER_CANCELED. */
int
daos_event_abort(daos_event_t *ev);

typedef int (*daos_event_comp_cb_t)(void *arg, daos_event_t *ev, int ret);

/** Call \a cb when \a ev completes, before it is visible to the poller. */
int
daos_event_register_comp_cb(daos_event_t *ev, daos_event_comp_cb_t cb, void *arg);

#if defined(__cplusplus)
}
#endif

#endif /* __DAOS_EVENT_H__ */
