/**
 * Private layouts of the event library: see README.md in this folder.
 */
#ifndef __DAOS_CLIENT_INTERNAL_H__
#define __DAOS_CLIENT_INTERNAL_H__

#include <pthread.h>
#include <gurt/common.h>
#include <gurt/hash.h>
#include <daos/event.h>

/**
 * A wait domain: one lock protecting a set of events, a condition variable
 * their waiters sleep on, the TSE scheduler their operations run on and the
 * network context progressed while waiting. There is one per EQ, one per
 * thread (its private event) and one global one (events without an EQ).
 */
struct ev_dom {
	uint32_t ed_magic;
	/** threads sleeping on ed_cond or in the progress hook */
	uint32_t ed_waiters;
	/** threads inside tse_sched_progress() on ed_sched */
	uint32_t ed_progressing;
	pthread_mutex_t ed_lock;
	pthread_cond_t ed_cond;
	tse_sched_t ed_sched;
	/** network context (progress hook), NULL without one */
	void *ed_ctx;
	bool ed_ctx_own;
	bool ed_sched_init;
};

#define EV_DOM_MAGIC 0xd0e7d0e7U

struct daos_eq_private {
	struct ev_dom eqx_dom;
	struct d_hlink eqx_hlink;
	/** launched, not completed (parents: their own op) */
	d_list_t eqx_running;
	/** completed, not yet polled */
	d_list_t eqx_comp;
	uint32_t eqx_n_running;
	uint32_t eqx_n_comp;
	/** set by daos_eq_destroy: no launch, no new wait */
	bool eqx_finalizing;
	/** on the library's list of EQs (destroyed by daos_fini) */
	d_list_t eqx_lib_link;
};

/** Internal status: the completion callbacks are running; the event is not yet visible. */
#define EVX_COMPLETING 100

enum evx_flags {
	EVX_F_BARRIER = (1 << 0),
	EVX_F_ERRNO = (1 << 1),
	EVX_F_NO_POLL = (1 << 2),
	/** daos_eq_destroy already called this event's abort callback */
	EVX_F_ABORT_REQ = (1 << 3),
	EVX_F_PRIV = (1 << 4),
};

struct daos_event_private {
	uint32_t evx_magic;
	/** daos_ev_status_t or EVX_COMPLETING; written under the domain lock */
	uint32_t evx_status;
	uint32_t evx_flags;
	/** bumped by every launch, so a stale completion is recognised */
	uint32_t evx_gen;
	daos_handle_t evx_eqh;
	/** the domain: its EQ's (valid while the EQ is), the thread's or the global one */
	struct ev_dom *evx_dom;
	/** on the EQ's running/comp list, or on the parent's child list */
	d_list_t evx_link;
	d_list_t evx_child;
	struct daos_event_private *evx_parent;
	uint32_t evx_nchild;
	uint32_t evx_nchild_running;
	uint32_t evx_nchild_comp;
	/** first error among the children and the parent's own operation */
	int32_t evx_child_err;
	/** registered daos_event_register_comp_cb callbacks (struct ev_comp_cb) */
	d_list_t evx_comp_cbs;
	daos_event_abort_cb_t evx_abort_cb;
	void *evx_abort_arg;
};

#define EVX_MAGIC 0xe7e7e7e7U
/** left by daos_event_fini: a second fini is harmless, any other use is -DER_INVAL */
#define EVX_MAGIC_DEAD 0xdeade7e7U

static inline struct daos_event_private *
daos_ev2evx(daos_event_t *ev)
{
	return (struct daos_event_private *)&ev->ev_private;
}

static inline daos_event_t *
daos_evx2ev(struct daos_event_private *evx)
{
	return container_of(evx, daos_event_t, ev_private);
}

/** Launch \a ev and return the generation a later ev_complete_gen() must quote. */
int ev_launch_gen(daos_event_t *ev, uint32_t *gen);

/** Complete \a ev only if it is still the launch of generation \a gen. */
void ev_complete_gen(daos_event_t *ev, uint32_t gen, int rc);

/** The domain owning \a sched, NULL if it is not one of the library's. */
struct ev_dom *ev_sched2dom(tse_sched_t *sched);

/**
 * Wait in \a dom until \a cond_locked (called with ed_lock held) returns
 * non-zero or \a timeout (us; negative: no limit; 0: check once) passes.
 * Returns what \a cond_locked returned (> 0 mapped to 0) or -DER_TIMEDOUT.
 */
int ev_dom_wait(struct ev_dom *dom, int64_t timeout, int (*cond_locked)(void *arg), void *arg);

/** True once daos_eq_lib_init has run (and daos_eq_lib_fini not). */
bool ev_lib_ready(void);

/* progress.c: wait domains, the progress hook, per-thread state, library state */

int ev_dom_init(struct ev_dom *dom, bool own_ctx);

void ev_dom_fini(struct ev_dom *dom);

/** Wake the threads sleeping on \a dom's condition variable; ed_lock held. */
void ev_dom_signal_locked(struct ev_dom *dom);

/** Wake threads of \a dom blocked in the progress hook; ed_lock not held. */
void ev_dom_wakeup(struct ev_dom *dom);

/** The network context progressed for \a dom. */
void *ev_dom_ctx(struct ev_dom *dom);

/** Cancel the tasks still queued on \a dom's scheduler (EQ destroy). */
void ev_dom_cancel_tasks(struct ev_dom *dom);

/** Domain of events initialised without an EQ. */
struct ev_dom *ev_global_dom(void);

int ev_lib_eq_add(struct daos_eq_private *eqx);

void ev_lib_eq_del(struct daos_eq_private *eqx);

/** Some EQ still open, with a reference taken; NULL if none. */
struct daos_eq_private *ev_lib_eq_first(void);

/* event.c */

/** Initialise \a ev as a no-EQ event of \a dom (the thread's private event). */
void ev_init_in_dom(daos_event_t *ev, struct ev_dom *dom, uint32_t evx_flags);

/** Wait condition of a no-EQ event (\a arg: its evx): done, and made ready again. */
int ev_done_cond(void *arg);

/** Destroy one EQ left open (daos_fini); returns 0 when none is left. */
int ev_eq_destroy_any(void);

#endif /* __DAOS_CLIENT_INTERNAL_H__ */
