/**
 * Events and event queues. Design, states and locking: README.md.
 */
#define D_LOGFAC DD_FAC(client)

#include <errno.h>
#include <daos/hhash.h>
#include "client_internal.h"

/** One daos_event_register_comp_cb() registration; freed once it has run. */
struct ev_comp_cb {
	d_list_t cc_link;
	daos_event_comp_cb_t cc_fn;
	void *cc_arg;
};

static inline uint32_t
evx_status(struct daos_event_private *evx)
{
	return __atomic_load_n(&evx->evx_status, __ATOMIC_ACQUIRE);
}

static inline void
evx_set_status(struct daos_event_private *evx, uint32_t status)
{
	__atomic_store_n(&evx->evx_status, status, __ATOMIC_RELEASE);
}

static struct daos_event_private *
ev_check(daos_event_t *ev)
{
	struct daos_event_private *evx;

	if (ev == NULL)
		return NULL;
	evx = daos_ev2evx(ev);
	return evx->evx_magic == EVX_MAGIC ? evx : NULL;
}

static int
ev_der2errno(int rc)
{
	switch (rc) {
	case 0:
		return 0;
	case -DER_NOMEM:
		return ENOMEM;
	case -DER_INVAL:
		return EINVAL;
	case -DER_NONEXIST:
		return ENOENT;
	case -DER_EXIST:
		return EEXIST;
	case -DER_NO_PERM:
		return EPERM;
	case -DER_BUSY:
		return EBUSY;
	case -DER_TIMEDOUT:
		return ETIMEDOUT;
	case -DER_CANCELED:
		return ECANCELED;
	case -DER_NOSPACE:
		return ENOSPC;
	case -DER_NO_HDL:
		return ENOENT;
	case -DER_UNINIT:
		return ENODEV;
	case -DER_AGAIN:
		return EAGAIN;
	default:
		return EIO;
	}
}

static int
evx_result(struct daos_event_private *evx, int rc)
{
	return (evx->evx_flags & EVX_F_ERRNO) ? ev_der2errno(rc) : rc;
}

/* ------------------------------------------------------------------------
 * EQ handles
 * ------------------------------------------------------------------------ */

static void
eq_free(struct d_hlink *hlink)
{
	struct daos_eq_private *eqx = container_of(hlink, struct daos_eq_private, eqx_hlink);

	D_ASSERT(d_list_empty(&eqx->eqx_running) && d_list_empty(&eqx->eqx_comp));
	ev_dom_fini(&eqx->eqx_dom);
	D_FREE(eqx);
}

static struct d_hlink_ops eq_h_ops = {
	.hop_free = eq_free,
};

static struct daos_eq_private *
eq_lookup(daos_handle_t eqh)
{
	struct d_hlink *hlink;

	if (daos_handle_is_inval(eqh) || d_hhash_key_type(eqh.cookie) != DAOS_HTYPE_EQ)
		return NULL;
	hlink = daos_hhash_link_lookup(eqh.cookie);
	if (hlink == NULL)
		return NULL;
	return container_of(hlink, struct daos_eq_private, eqx_hlink);
}

static void
eq_putref(struct daos_eq_private *eqx)
{
	daos_hhash_link_putref(&eqx->eqx_hlink);
}

/*
 * Lock the domain of \a evx. An EQ event first pins its EQ through the
 * handle table (-DER_NO_HDL once the EQ is destroyed): the reference keeps
 * the EQ, and so evx_dom, alive until evx_unlock().
 */
static int
evx_lock(struct daos_event_private *evx, struct daos_eq_private **eqxp)
{
	struct daos_eq_private *eqx = NULL;

	if (daos_handle_is_valid(evx->evx_eqh)) {
		eqx = eq_lookup(evx->evx_eqh);
		if (eqx == NULL)
			return -DER_NO_HDL;
	}
	pthread_mutex_lock(&evx->evx_dom->ed_lock);
	*eqxp = eqx;
	return 0;
}

static void
evx_unlock(struct daos_event_private *evx, struct daos_eq_private *eqx)
{
	pthread_mutex_unlock(&evx->evx_dom->ed_lock);
	if (eqx != NULL)
		eq_putref(eqx);
}

/* ------------------------------------------------------------------------
 * Event initialisation
 * ------------------------------------------------------------------------ */

static bool
evx_busy(struct daos_event_private *evx)
{
	uint32_t st = evx_status(evx);

	return st == DAOS_EVS_RUNNING || st == EVX_COMPLETING;
}

static void
evx_setup(daos_event_t *ev, struct ev_dom *dom, daos_handle_t eqh, uint32_t flags)
{
	struct daos_event_private *evx = daos_ev2evx(ev);

	D_CASSERT(sizeof(ev->ev_private) >= sizeof(struct daos_event_private));
	memset(ev, 0, sizeof(*ev));
	evx->evx_magic = EVX_MAGIC;
	evx->evx_status = DAOS_EVS_READY;
	evx->evx_flags = flags;
	evx->evx_eqh = eqh;
	evx->evx_dom = dom;
	D_INIT_LIST_HEAD(&evx->evx_link);
	D_INIT_LIST_HEAD(&evx->evx_child);
	D_INIT_LIST_HEAD(&evx->evx_comp_cbs);
}

static uint32_t
ev_flags2evx(enum daos_ev_flags flags)
{
	return (flags & DAOS_EVF_NO_POLL) ? EVX_F_NO_POLL : 0;
}

void
ev_init_in_dom(daos_event_t *ev, struct ev_dom *dom, uint32_t evx_flags)
{
	evx_setup(ev, dom, DAOS_HDL_INVAL, evx_flags);
}

int
daos_event_init_adv(daos_event_t *ev, enum daos_ev_flags flags, daos_handle_t eqh,
		    daos_event_t *parent)
{
	struct daos_event_private *pevx;
	struct daos_eq_private *eqx;
	int rc;

	if (ev == NULL)
		return -DER_INVAL;
	/* Re-initialising an event in flight would corrupt the lists it is on. */
	if (ev_check(ev) != NULL && evx_busy(daos_ev2evx(ev))) {
		D_ERROR("event %p is in flight\n", ev);
		return -DER_BUSY;
	}

	if (parent != NULL) {
		pevx = ev_check(parent);
		if (pevx == NULL || parent == ev) {
			D_ERROR("parent event %p is not initialised\n", parent);
			return -DER_INVAL;
		}
		rc = evx_lock(pevx, &eqx);
		if (rc != 0)
			return rc;
		if (pevx->evx_status != DAOS_EVS_READY) {
			D_ERROR("parent event %p is launched or not yet polled\n", parent);
			D_GOTO(out_unlock, rc = -DER_INVAL);
		}
		if (pevx->evx_parent != NULL) {
			D_ERROR("a child event (%p) cannot be a parent\n", parent);
			D_GOTO(out_unlock, rc = -DER_NO_PERM);
		}
		if (eqx != NULL && eqx->eqx_finalizing)
			D_GOTO(out_unlock, rc = -DER_NO_HDL);
		evx_setup(ev, pevx->evx_dom, pevx->evx_eqh, ev_flags2evx(flags));
		daos_ev2evx(ev)->evx_parent = pevx;
		d_list_add_tail(&daos_ev2evx(ev)->evx_link, &pevx->evx_child);
		pevx->evx_nchild++;
	out_unlock:
		evx_unlock(pevx, eqx);
		return rc;
	}

	if (daos_handle_is_valid(eqh)) {
		eqx = eq_lookup(eqh);
		if (eqx == NULL) {
			D_ERROR("invalid EQ handle " DF_X64 "\n", eqh.cookie);
			return -DER_NO_HDL;
		}
		if (__atomic_load_n(&eqx->eqx_finalizing, __ATOMIC_ACQUIRE)) {
			eq_putref(eqx);
			return -DER_NO_HDL;
		}
		evx_setup(ev, &eqx->eqx_dom, eqh, ev_flags2evx(flags));
		eq_putref(eqx);
		return 0;
	}

	if (!ev_lib_ready()) {
		D_ERROR("the DAOS library is not initialised\n");
		return -DER_UNINIT;
	}
	evx_setup(ev, ev_global_dom(), DAOS_HDL_INVAL, ev_flags2evx(flags));
	return 0;
}

int
daos_event_init(daos_event_t *ev, daos_handle_t eqh, daos_event_t *parent)
{
	return daos_event_init_adv(ev, 0, eqh, parent);
}

static void
evx_free_cbs(struct daos_event_private *evx)
{
	struct ev_comp_cb *cc;

	while ((cc = d_list_pop_entry(&evx->evx_comp_cbs, struct ev_comp_cb, cc_link)) != NULL)
		D_FREE(cc);
}

/* Called with the domain locked, or unlocked for an event whose EQ is gone. */
static int
evx_fini_locked(struct daos_event_private *evx, struct daos_eq_private *eqx, bool detached)
{
	struct daos_event_private *child;
	struct daos_event_private *tmp;
	struct daos_event_private *parent = evx->evx_parent;
	uint32_t st = evx_status(evx);

	/*
	 * Once the EQ is gone nothing can complete a RUNNING event any more; only
	 * a completion whose callbacks are running (COMPLETING) still holds it.
	 */
	if (st == EVX_COMPLETING || (st == DAOS_EVS_RUNNING && !detached))
		return -DER_BUSY;
	d_list_for_each_entry(child, &evx->evx_child, evx_link)
	{
		st = evx_status(child);
		if (st == EVX_COMPLETING || (st == DAOS_EVS_RUNNING && !detached)) {
			D_ERROR("child event %p of %p is in flight\n", daos_evx2ev(child),
				daos_evx2ev(evx));
			return -DER_BUSY;
		}
	}
	st = evx_status(evx);
	if (parent != NULL && evx_status(parent) != DAOS_EVS_READY && !detached) {
		D_ERROR("parent of event %p is launched or not yet polled\n", daos_evx2ev(evx));
		return -DER_INVAL;
	}

	/* as upstream, the children become stand-alone events: they may still be finalised */
	d_list_for_each_entry_safe(child, tmp, &evx->evx_child, evx_link)
	{
		d_list_del_init(&child->evx_link);
		child->evx_parent = NULL;
		evx_set_status(child, DAOS_EVS_READY);
	}
	evx->evx_nchild = evx->evx_nchild_comp = evx->evx_nchild_running = 0;

	if (parent != NULL) {
		d_list_del_init(&evx->evx_link);
		parent->evx_nchild--;
		if (st == DAOS_EVS_COMPLETED)
			parent->evx_nchild_comp--;
		else if (st == DAOS_EVS_RUNNING)
			parent->evx_nchild_running--;
		evx->evx_parent = NULL;
	} else if (!d_list_empty(&evx->evx_link)) {
		/* completed but not polled: it sits on its EQ's completion list */
		d_list_del_init(&evx->evx_link);
		if (eqx != NULL) {
			D_ASSERT(eqx->eqx_n_comp > 0);
			eqx->eqx_n_comp--;
		}
	}
	evx_free_cbs(evx);
	evx->evx_magic = EVX_MAGIC_DEAD;
	return 0;
}

int
daos_event_fini(daos_event_t *ev)
{
	struct daos_event_private *evx = ev_check(ev);
	struct daos_eq_private *eqx;
	int rc;

	if (evx == NULL) {
		/* finalising twice is harmless */
		if (ev != NULL && daos_ev2evx(ev)->evx_magic == EVX_MAGIC_DEAD)
			return 0;
		return -DER_INVAL;
	}
	rc = evx_lock(evx, &eqx);
	if (rc == -DER_NO_HDL)
		/* daos_eq_destroy already detached the event from its EQ */
		return evx_fini_locked(evx, NULL, true);
	if (rc != 0)
		return rc;
	rc = evx_fini_locked(evx, eqx, false);
	evx_unlock(evx, eqx);
	return rc;
}

daos_event_t *
daos_event_next(daos_event_t *parent, daos_event_t *child)
{
	struct daos_event_private *pevx = ev_check(parent);
	struct daos_event_private *cevx;

	if (pevx == NULL)
		return NULL;
	if (child == NULL) {
		if (d_list_empty(&pevx->evx_child))
			return NULL;
		return daos_evx2ev(
			d_list_first_entry(&pevx->evx_child, struct daos_event_private, evx_link));
	}
	cevx = ev_check(child);
	if (cevx == NULL || cevx->evx_parent != pevx || cevx->evx_link.next == &pevx->evx_child)
		return NULL;
	return daos_evx2ev(d_list_entry(cevx->evx_link.next, struct daos_event_private, evx_link));
}

int
daos_event_register_comp_cb(daos_event_t *ev, daos_event_comp_cb_t cb, void *arg)
{
	struct daos_event_private *evx = ev_check(ev);
	struct daos_eq_private *eqx;
	struct ev_comp_cb *cc;
	int rc;

	if (evx == NULL || cb == NULL)
		return -DER_INVAL;
	D_ALLOC_PTR(cc);
	if (cc == NULL)
		return -DER_NOMEM;
	cc->cc_fn = cb;
	cc->cc_arg = arg;
	rc = evx_lock(evx, &eqx);
	if (rc != 0) {
		D_FREE(cc);
		return rc;
	}
	d_list_add_tail(&cc->cc_link, &evx->evx_comp_cbs);
	evx_unlock(evx, eqx);
	return 0;
}

int
daos_event_register_abort_cb(daos_event_t *ev, daos_event_abort_cb_t cb, void *arg)
{
	struct daos_event_private *evx = ev_check(ev);
	struct daos_eq_private *eqx;
	int rc;

	if (evx == NULL)
		return -DER_INVAL;
	rc = evx_lock(evx, &eqx);
	if (rc != 0)
		return rc;
	evx->evx_abort_cb = cb;
	evx->evx_abort_arg = arg;
	evx_unlock(evx, eqx);
	return 0;
}

void
daos_event_errno_rc(daos_event_t *ev)
{
	struct daos_event_private *evx = ev_check(ev);
	struct daos_eq_private *eqx;

	if (evx == NULL || evx_lock(evx, &eqx) != 0)
		return;
	evx->evx_flags |= EVX_F_ERRNO;
	evx_unlock(evx, eqx);
}

daos_handle_t
daos_ev2eqh(daos_event_t *ev)
{
	struct daos_event_private *evx = ev_check(ev);

	return evx == NULL ? DAOS_HDL_INVAL : evx->evx_eqh;
}

tse_sched_t *
daos_ev2sched(daos_event_t *ev)
{
	struct daos_event_private *evx = ev_check(ev);

	return evx == NULL ? NULL : &evx->evx_dom->ed_sched;
}

void *
daos_ev2ctx(daos_event_t *ev)
{
	struct daos_event_private *evx = ev_check(ev);

	return evx == NULL ? NULL : ev_dom_ctx(evx->evx_dom);
}

/* ------------------------------------------------------------------------
 * Launch and completion
 * ------------------------------------------------------------------------ */

static void evx_complete(struct daos_event_private *evx, bool check_gen, uint32_t gen, int rc);

/* Launch \a ev; \a barrier makes it a barrier parent (daos_event_parent_barrier). */
static int
evx_launch(daos_event_t *ev, bool barrier, uint32_t *gen)
{
	struct daos_event_private *evx = ev_check(ev);
	struct daos_eq_private *eqx;
	bool done_barrier = false;
	uint32_t my_gen = 0;
	int rc;

	if (evx == NULL)
		return -DER_INVAL;
	rc = evx_lock(evx, &eqx);
	if (rc != 0)
		return rc;
	if (eqx != NULL && eqx->eqx_finalizing)
		D_GOTO(out, rc = -DER_NO_HDL);
	if (barrier && evx->evx_nchild == 0) {
		D_ERROR("barrier on event %p which has no children\n", ev);
		D_GOTO(out, rc = -DER_INVAL);
	}
	if (evx->evx_status != DAOS_EVS_READY) {
		D_ERROR("event %p is not ready (status %u)\n", ev, evx->evx_status);
		D_GOTO(out, rc = -DER_NO_PERM);
	}
	if (evx->evx_nchild > evx->evx_nchild_running + evx->evx_nchild_comp) {
		D_ERROR("launch every child of %p before the parent\n", ev);
		D_GOTO(out, rc = -DER_NO_PERM);
	}

	evx_set_status(evx, DAOS_EVS_RUNNING);
	my_gen = ++evx->evx_gen;
	evx->evx_flags &= ~(EVX_F_ABORT_REQ | EVX_F_BARRIER);
	if (barrier)
		evx->evx_flags |= EVX_F_BARRIER;
	evx->evx_abort_cb = NULL;
	evx->evx_abort_arg = NULL;
	/* A parent's ev_error already carries the errors of children done before it launched. */
	if (evx->evx_nchild == 0)
		ev->ev_error = 0;
	if (evx->evx_parent != NULL) {
		evx->evx_parent->evx_nchild_running++;
	} else if (eqx != NULL) {
		d_list_add_tail(&evx->evx_link, &eqx->eqx_running);
		eqx->eqx_n_running++;
	}
	done_barrier = barrier && evx->evx_nchild_comp == evx->evx_nchild;
	if (gen != NULL)
		*gen = my_gen;
out:
	evx_unlock(evx, eqx);
	if (rc == 0 && done_barrier)
		evx_complete(evx, true, my_gen, 0);
	return rc;
}

int
ev_launch_gen(daos_event_t *ev, uint32_t *gen)
{
	return evx_launch(ev, false, gen);
}

int
daos_event_launch(daos_event_t *ev)
{
	return evx_launch(ev, false, NULL);
}

int
daos_event_parent_barrier(daos_event_t *ev)
{
	return evx_launch(ev, true, NULL);
}

/* Run the completion callbacks (unlocked, in registration order); the first error wins. */
static int
evx_run_cbs(struct daos_event_private *evx, d_list_t *cbs, int rc)
{
	struct ev_comp_cb *cc;
	int ret = rc;
	int err;

	while ((cc = d_list_pop_entry(cbs, struct ev_comp_cb, cc_link)) != NULL) {
		err = cc->cc_fn(cc->cc_arg, daos_evx2ev(evx), rc);
		D_FREE(cc);
		if (ret == 0)
			ret = err;
	}
	return ret;
}

/*
 * Second half of a completion, with the domain locked: publish the result and
 * move the event where pollers find it. Returns the parent when this was the
 * last child of a launched barrier parent, which the caller completes next.
 */
static struct daos_event_private *
evx_finish_locked(struct daos_eq_private *eqx, struct daos_event_private *evx, int rc)
{
	struct daos_event_private *parent = evx->evx_parent;
	daos_event_t *ev = daos_evx2ev(evx);

	if (evx->evx_nchild > 0) {
		if (evx->evx_child_err == 0)
			evx->evx_child_err = rc;
		ev->ev_error = evx_result(evx, evx->evx_child_err);
	} else {
		ev->ev_error = evx_result(evx, rc);
	}
	evx_set_status(evx, DAOS_EVS_COMPLETED);

	if (parent != NULL) {
		D_ASSERT(parent->evx_nchild_running > 0);
		parent->evx_nchild_running--;
		parent->evx_nchild_comp++;
		if (rc != 0 && parent->evx_child_err == 0) {
			parent->evx_child_err = rc;
			daos_evx2ev(parent)->ev_error = evx_result(parent, rc);
		}
		if (parent->evx_status == DAOS_EVS_RUNNING && (parent->evx_flags & EVX_F_BARRIER) &&
		    parent->evx_nchild_comp == parent->evx_nchild)
			return parent;
		return NULL;
	}

	if (eqx == NULL)
		return NULL;
	if (d_list_empty(&evx->evx_link)) {
		/* detached by daos_eq_destroy while its callbacks ran */
		D_ASSERT(eqx->eqx_finalizing);
		return NULL;
	}
	D_ASSERT(eqx->eqx_n_running > 0);
	eqx->eqx_n_running--;
	if (evx->evx_flags & EVX_F_NO_POLL) {
		d_list_del_init(&evx->evx_link);
		evx_set_status(evx, DAOS_EVS_READY);
	} else {
		d_list_move_tail(&evx->evx_link, &eqx->eqx_comp);
		eqx->eqx_n_comp++;
	}
	return NULL;
}

/*
 * Complete \a evx with \a rc. The callbacks run unlocked (they may call the
 * API, even on the same EQ) while the event is COMPLETING: not visible to
 * pollers, and immune to a second completion or an abort.
 */
static void
evx_complete(struct daos_event_private *evx, bool check_gen, uint32_t gen, int rc)
{
	struct daos_eq_private *eqx;
	struct ev_dom *dom = evx->evx_dom;
	d_list_t cbs;

	if (evx_lock(evx, &eqx) != 0)
		return; /* its EQ is gone: daos_eq_destroy completed it already */
	if ((check_gen && evx->evx_gen != gen) || evx->evx_status != DAOS_EVS_RUNNING) {
		evx_unlock(evx, eqx);
		return;
	}
	for (;;) {
		evx_set_status(evx, EVX_COMPLETING);
		D_INIT_LIST_HEAD(&cbs);
		d_list_splice_init(&evx->evx_comp_cbs, &cbs);
		if (!d_list_empty(&cbs)) {
			pthread_mutex_unlock(&dom->ed_lock);
			rc = evx_run_cbs(evx, &cbs, rc);
			pthread_mutex_lock(&dom->ed_lock);
		}
		evx = evx_finish_locked(eqx, evx, rc);
		if (evx == NULL)
			break;
		rc = evx->evx_child_err;
	}
	ev_dom_signal_locked(dom);
	pthread_mutex_unlock(&dom->ed_lock);
	ev_dom_wakeup(dom);
	if (eqx != NULL)
		eq_putref(eqx);
}

void
daos_event_complete(daos_event_t *ev, int rc)
{
	struct daos_event_private *evx = ev_check(ev);

	if (evx == NULL) {
		D_ERROR("completion of an uninitialised event %p\n", ev);
		return;
	}
	evx_complete(evx, false, 0, rc);
}

void
ev_complete_gen(daos_event_t *ev, uint32_t gen, int rc)
{
	struct daos_event_private *evx = ev_check(ev);

	if (evx != NULL)
		evx_complete(evx, true, gen, rc);
}

/* ------------------------------------------------------------------------
 * Abort
 * ------------------------------------------------------------------------ */

/* Next running event of the \a evx family (children first) not yet asked to abort. */
static struct daos_event_private *
evx_abort_target_locked(struct daos_event_private *evx)
{
	struct daos_event_private *child;

	d_list_for_each_entry(child, &evx->evx_child, evx_link)
	{
		if (child->evx_status == DAOS_EVS_RUNNING && !(child->evx_flags & EVX_F_ABORT_REQ))
			return child;
	}
	if (evx->evx_status == DAOS_EVS_RUNNING && !(evx->evx_flags & EVX_F_ABORT_REQ))
		return evx;
	return NULL;
}

int
daos_event_abort(daos_event_t *ev)
{
	struct daos_event_private *evx = ev_check(ev);
	struct daos_event_private *target;
	struct daos_eq_private *eqx;
	daos_event_abort_cb_t cb;
	void *cb_arg;
	uint32_t gen;
	int nr = 0;
	int rc;

	if (evx == NULL)
		return -DER_INVAL;
	for (;;) {
		rc = evx_lock(evx, &eqx);
		if (rc != 0)
			return nr > 0 ? 0 : rc;
		target = evx_abort_target_locked(evx);
		if (target != NULL) {
			target->evx_flags |= EVX_F_ABORT_REQ;
			cb = target->evx_abort_cb;
			cb_arg = target->evx_abort_arg;
			gen = target->evx_gen;
		}
		evx_unlock(evx, eqx);
		if (target == NULL)
			break;
		nr++;
		if (cb != NULL)
			cb(daos_evx2ev(target), cb_arg);
		else
			evx_complete(target, true, gen, -DER_CANCELED);
	}
	return nr > 0 ? 0 : -DER_NO_PERM;
}

/* ------------------------------------------------------------------------
 * Test, poll, query
 * ------------------------------------------------------------------------ */

/* A completed event (and its children) becomes ready for reuse once the user has seen it. */
static void
evx_reap_locked(struct daos_event_private *evx)
{
	struct daos_event_private *child;

	d_list_for_each_entry(child, &evx->evx_child, evx_link)
	{
		if (child->evx_status == DAOS_EVS_COMPLETED)
			evx_set_status(child, DAOS_EVS_READY);
	}
	evx->evx_nchild_comp = 0;
	evx->evx_child_err = 0;
	evx->evx_flags &= ~EVX_F_BARRIER;
	evx_set_status(evx, DAOS_EVS_READY);
}

int
ev_done_cond(void *arg)
{
	struct daos_event_private *evx = arg;

	if (evx->evx_status == DAOS_EVS_READY)
		return 1;
	if (evx->evx_status != DAOS_EVS_COMPLETED || evx->evx_nchild_running > 0)
		return 0;
	D_ASSERT(d_list_empty(&evx->evx_link));
	evx_reap_locked(evx);
	return 1;
}

struct ev_test_arg {
	struct daos_event_private *evx;
	struct daos_eq_private *eqx;
	bool done;
};

static int
ev_test_cond(void *arg)
{
	struct ev_test_arg *ta = arg;
	struct daos_event_private *evx = ta->evx;

	if (evx->evx_status == DAOS_EVS_READY) {
		ta->done = true;
		return 1;
	}
	if (evx->evx_status != DAOS_EVS_COMPLETED || evx->evx_nchild_running > 0)
		return 0;
	if (!d_list_empty(&evx->evx_link)) {
		d_list_del_init(&evx->evx_link);
		D_ASSERT(ta->eqx != NULL && ta->eqx->eqx_n_comp > 0);
		ta->eqx->eqx_n_comp--;
	}
	evx_reap_locked(evx);
	ta->done = true;
	return 1;
}

int
daos_event_test(daos_event_t *ev, int64_t timeout, bool *flag)
{
	struct ev_test_arg ta = {0};
	int rc;

	ta.evx = ev_check(ev);
	if (ta.evx == NULL)
		return -DER_INVAL;
	if (ta.evx->evx_parent != NULL)
		return -DER_NO_PERM;
	if (flag == NULL)
		return -DER_INVAL;
	if (daos_handle_is_valid(ta.evx->evx_eqh)) {
		ta.eqx = eq_lookup(ta.evx->evx_eqh);
		if (ta.eqx == NULL)
			return -DER_NO_HDL;
	}
	rc = ev_dom_wait(ta.evx->evx_dom, timeout, ev_test_cond, &ta);
	if (ta.eqx != NULL)
		eq_putref(ta.eqx);
	if (rc != 0 && rc != -DER_TIMEDOUT)
		return rc;
	*flag = ta.done;
	return 0;
}

struct eq_poll_arg {
	struct daos_eq_private *eqx;
	daos_event_t **events;
	unsigned int n;
	unsigned int count;
	int wait_running;
};

static int
eq_poll_cond(void *arg)
{
	struct eq_poll_arg *pa = arg;
	struct daos_eq_private *eqx = pa->eqx;
	struct daos_event_private *evx;
	struct daos_event_private *tmp;
	bool blocked = false;

	if (eqx->eqx_finalizing)
		return -DER_NO_HDL;
	d_list_for_each_entry_safe(evx, tmp, &eqx->eqx_comp, evx_link)
	{
		/* a parent whose own operation is done but whose children are not */
		if (evx->evx_nchild_running > 0) {
			blocked = true;
			continue;
		}
		d_list_del_init(&evx->evx_link);
		eqx->eqx_n_comp--;
		evx_reap_locked(evx);
		pa->events[pa->count++] = daos_evx2ev(evx);
		if (pa->count == pa->n)
			break;
	}
	if (pa->count > 0)
		return 1;
	if (pa->wait_running && eqx->eqx_n_running == 0 && !blocked)
		return 1;
	return 0;
}

int
daos_eq_poll(daos_handle_t eqh, int wait_running, int64_t timeout, unsigned int n,
	     daos_event_t **events)
{
	struct eq_poll_arg pa = {0};
	int rc;

	if (n == 0 || events == NULL)
		return -DER_INVAL;
	pa.eqx = eq_lookup(eqh);
	if (pa.eqx == NULL)
		return -DER_NO_HDL;
	pa.events = events;
	pa.n = n;
	pa.wait_running = wait_running;
	rc = ev_dom_wait(&pa.eqx->eqx_dom, timeout, eq_poll_cond, &pa);
	eq_putref(pa.eqx);
	if (rc != 0 && rc != -DER_TIMEDOUT)
		return rc;
	return pa.count;
}

int
daos_eq_query(daos_handle_t eqh, daos_eq_query_t query, unsigned int n, daos_event_t **events)
{
	struct daos_eq_private *eqx;
	struct daos_event_private *evx;
	unsigned int count = 0;

	if ((query & ~DAOS_EQR_ALL) != 0)
		return -DER_INVAL;
	eqx = eq_lookup(eqh);
	if (eqx == NULL)
		return -DER_NO_HDL;
	pthread_mutex_lock(&eqx->eqx_dom.ed_lock);
	if (n == 0 || events == NULL) {
		if (query & DAOS_EQR_COMPLETED)
			count += eqx->eqx_n_comp;
		if (query & DAOS_EQR_WAITING)
			count += eqx->eqx_n_running;
		goto out;
	}
	if (query & DAOS_EQR_COMPLETED) {
		d_list_for_each_entry(evx, &eqx->eqx_comp, evx_link)
		{
			events[count++] = daos_evx2ev(evx);
			if (count == n)
				goto out;
		}
	}
	if (query & DAOS_EQR_WAITING) {
		d_list_for_each_entry(evx, &eqx->eqx_running, evx_link)
		{
			events[count++] = daos_evx2ev(evx);
			if (count == n)
				goto out;
		}
	}
out:
	pthread_mutex_unlock(&eqx->eqx_dom.ed_lock);
	eq_putref(eqx);
	return count;
}

/* ------------------------------------------------------------------------
 * EQ create/destroy
 * ------------------------------------------------------------------------ */

int
daos_eq_create(daos_handle_t *eqh)
{
	struct daos_eq_private *eqx;
	int rc;

	if (eqh == NULL)
		return -DER_INVAL;
	if (!ev_lib_ready())
		return -DER_UNINIT;
	D_ALLOC_PTR(eqx);
	if (eqx == NULL)
		return -DER_NOMEM;
	D_INIT_LIST_HEAD(&eqx->eqx_running);
	D_INIT_LIST_HEAD(&eqx->eqx_comp);
	D_INIT_LIST_HEAD(&eqx->eqx_lib_link);
	rc = ev_dom_init(&eqx->eqx_dom, true);
	if (rc != 0) {
		D_FREE(eqx);
		return rc;
	}
	rc = ev_lib_eq_add(eqx);
	if (rc != 0) {
		ev_dom_fini(&eqx->eqx_dom);
		D_FREE(eqx);
		return rc;
	}
	daos_hhash_hlink_init(&eqx->eqx_hlink, &eq_h_ops);
	daos_hhash_link_insert(&eqx->eqx_hlink, DAOS_HTYPE_EQ);
	daos_hhash_link_key(&eqx->eqx_hlink, &eqh->cookie);
	/* the table's reference keeps the EQ until daos_eq_destroy */
	eq_putref(eqx);
	D_DEBUG(DB_TRACE, "created EQ " DF_X64 "\n", eqh->cookie);
	return 0;
}

/* A running event of the EQ, or a running child of one of its events; NULL if none. */
static struct daos_event_private *
eq_running_target_locked(struct daos_eq_private *eqx)
{
	struct daos_event_private *evx;
	struct daos_event_private *child;
	d_list_t *lists[] = {&eqx->eqx_running, &eqx->eqx_comp};
	int i;

	d_list_for_each_entry(evx, &eqx->eqx_running, evx_link)
	{
		if (evx->evx_status == DAOS_EVS_RUNNING)
			return evx;
	}
	for (i = 0; i < 2; i++) {
		d_list_for_each_entry(evx, lists[i], evx_link)
		{
			if (evx->evx_nchild_running == 0)
				continue;
			d_list_for_each_entry(child, &evx->evx_child, evx_link)
			{
				if (child->evx_status == DAOS_EVS_RUNNING)
					return child;
			}
		}
	}
	return NULL;
}

static void
eq_abort_all(struct daos_eq_private *eqx)
{
	struct daos_event_private *evx;
	struct daos_event_private *found;
	daos_event_abort_cb_t cb;
	void *cb_arg;
	uint32_t gen;

	/* Ask operations that can be cancelled to stop. */
	for (;;) {
		found = NULL;
		pthread_mutex_lock(&eqx->eqx_dom.ed_lock);
		d_list_for_each_entry(evx, &eqx->eqx_running, evx_link)
		{
			if (evx->evx_status == DAOS_EVS_RUNNING && evx->evx_abort_cb != NULL &&
			    !(evx->evx_flags & EVX_F_ABORT_REQ)) {
				found = evx;
				evx->evx_flags |= EVX_F_ABORT_REQ;
				cb = evx->evx_abort_cb;
				cb_arg = evx->evx_abort_arg;
				break;
			}
		}
		pthread_mutex_unlock(&eqx->eqx_dom.ed_lock);
		if (found == NULL)
			break;
		cb(daos_evx2ev(found), cb_arg);
	}

	/* Tasks not yet run are cancelled; their completion completes their events. */
	ev_dom_cancel_tasks(&eqx->eqx_dom);

	/* Whatever is still in flight completes now; a late completion is ignored. */
	for (;;) {
		pthread_mutex_lock(&eqx->eqx_dom.ed_lock);
		found = eq_running_target_locked(eqx);
		if (found != NULL)
			gen = found->evx_gen;
		pthread_mutex_unlock(&eqx->eqx_dom.ed_lock);
		if (found == NULL)
			break;
		evx_complete(found, true, gen, -DER_CANCELED);
	}
}

int
daos_eq_destroy(daos_handle_t eqh, int flags)
{
	struct daos_eq_private *eqx;
	struct daos_event_private *evx;
	struct daos_event_private *tmp;
	int rc = 0;

	eqx = eq_lookup(eqh);
	if (eqx == NULL)
		return -DER_NO_HDL;
	pthread_mutex_lock(&eqx->eqx_dom.ed_lock);
	if (eqx->eqx_finalizing) {
		rc = -DER_NO_HDL;
	} else if (!(flags & DAOS_EQ_DESTROY_FORCE) &&
		   (eqx->eqx_n_running > 0 || eqx->eqx_n_comp > 0)) {
		rc = -DER_BUSY;
	} else {
		/* no more launches; pollers leave with -DER_NO_HDL */
		__atomic_store_n(&eqx->eqx_finalizing, true, __ATOMIC_RELEASE);
		ev_dom_signal_locked(&eqx->eqx_dom);
	}
	pthread_mutex_unlock(&eqx->eqx_dom.ed_lock);
	if (rc != 0) {
		eq_putref(eqx);
		return rc;
	}
	ev_dom_wakeup(&eqx->eqx_dom);

	eq_abort_all(eqx);

	/* Detach every event: the user may still fini (or re-init) them. */
	pthread_mutex_lock(&eqx->eqx_dom.ed_lock);
	d_list_for_each_entry_safe(evx, tmp, &eqx->eqx_comp, evx_link)
	{
		d_list_del_init(&evx->evx_link);
		evx_reap_locked(evx);
	}
	/* only events whose completion callbacks are still running can be left here */
	d_list_for_each_entry_safe(evx, tmp, &eqx->eqx_running, evx_link)
		d_list_del_init(&evx->evx_link);
	eqx->eqx_n_comp = 0;
	eqx->eqx_n_running = 0;
	pthread_mutex_unlock(&eqx->eqx_dom.ed_lock);

	ev_lib_eq_del(eqx);
	daos_hhash_link_delete(&eqx->eqx_hlink);
	D_DEBUG(DB_TRACE, "destroyed EQ " DF_X64 "\n", eqh.cookie);
	eq_putref(eqx);
	return 0;
}

int
ev_eq_destroy_any(void)
{
	struct daos_eq_private *eqx;
	daos_handle_t eqh;

	eqx = ev_lib_eq_first();
	if (eqx == NULL)
		return 0;
	daos_hhash_link_key(&eqx->eqx_hlink, &eqh.cookie);
	D_WARN("EQ " DF_X64 " still open at daos_fini: destroying it\n", eqh.cookie);
	if (daos_eq_destroy(eqh, DAOS_EQ_DESTROY_FORCE) != 0)
		ev_lib_eq_del(eqx); /* being destroyed by another thread: do not wait for it */
	eq_putref(eqx);
	return 1;
}
