/**
 * Waiting and progress: wait domains, the progress hook, the per-thread
 * private event and the event library's global state. See README.md.
 */
#define D_LOGFAC DD_FAC(client)

#include <time.h>
#include <sched.h>
#include <daos/hhash.h>
#include "client_internal.h"

/* Longest sleep while the scheduler has tasks a foreign thread may make ready. */
#define EV_BUSY_SLICE_US 10000

/* The progress hook. Only replaced while no EQ exists, so readers take no lock. */
static struct daos_progress_ops ev_hook;
static bool ev_hook_on;

static inline bool
hook_on(void)
{
	return __atomic_load_n(&ev_hook_on, __ATOMIC_ACQUIRE);
}

static pthread_mutex_t ev_lib_lock = PTHREAD_MUTEX_INITIALIZER;
static int ev_lib_ref;
static bool ev_lib_up;
/* Bumped by every library (re)initialisation: per-thread state of an older one is stale. */
static uint64_t ev_lib_gen;
static struct ev_dom ev_gdom;
static d_list_t ev_eq_list = D_LIST_HEAD_INIT(ev_eq_list);

/* ------------------------------------------------------------------------
 * Time helpers
 * ------------------------------------------------------------------------ */

static void
ts_now(struct timespec *ts)
{
	clock_gettime(CLOCK_MONOTONIC, ts);
}

static void
ts_add_us(struct timespec *ts, int64_t us)
{
	ts->tv_sec += us / 1000000;
	ts->tv_nsec += (us % 1000000) * 1000;
	if (ts->tv_nsec >= 1000000000) {
		ts->tv_sec++;
		ts->tv_nsec -= 1000000000;
	}
}

static int64_t
ts_diff_us(const struct timespec *a, const struct timespec *b)
{
	return (int64_t)(a->tv_sec - b->tv_sec) * 1000000 + (a->tv_nsec - b->tv_nsec) / 1000;
}

/* ------------------------------------------------------------------------
 * Wait domains
 * ------------------------------------------------------------------------ */

int
ev_dom_init(struct ev_dom *dom, bool own_ctx)
{
	pthread_condattr_t attr;
	int rc;

	memset(dom, 0, sizeof(*dom));
	rc = pthread_mutex_init(&dom->ed_lock, NULL);
	if (rc != 0)
		return -DER_NOMEM;
	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	rc = pthread_cond_init(&dom->ed_cond, &attr);
	pthread_condattr_destroy(&attr);
	if (rc != 0) {
		pthread_mutex_destroy(&dom->ed_lock);
		return -DER_NOMEM;
	}
	/* ds_udata points back at the domain: see ev_sched2dom() */
	rc = tse_sched_init(&dom->ed_sched, NULL, dom);
	if (rc != 0)
		goto err;
	dom->ed_sched_init = true;
	if (own_ctx && hook_on() && ev_hook.dpo_ctx_create != NULL) {
		rc = ev_hook.dpo_ctx_create(&dom->ed_ctx);
		if (rc != 0) {
			D_ERROR("cannot create a network context: %d\n", rc);
			goto err_sched;
		}
		dom->ed_ctx_own = true;
	}
	dom->ed_magic = EV_DOM_MAGIC;
	return 0;
err_sched:
	tse_sched_complete(&dom->ed_sched, rc, true);
err:
	pthread_cond_destroy(&dom->ed_cond);
	pthread_mutex_destroy(&dom->ed_lock);
	return rc;
}

/* The domain whose scheduler this thread is running (task bodies run inside it). */
static __thread struct ev_dom *ev_progressing_dom;

void
ev_dom_cancel_tasks(struct ev_dom *dom)
{
	/* a poller of a dying EQ may be about to run the scheduler */
	if (!__atomic_exchange_n(&dom->ed_sched_init, false, __ATOMIC_SEQ_CST))
		return;
	/* let threads already inside tse_sched_progress() leave it (except this one: a task body) */
	while (__atomic_load_n(&dom->ed_progressing, __ATOMIC_SEQ_CST) >
	       (ev_progressing_dom == dom ? 1U : 0U))
		sched_yield();
	tse_sched_complete(&dom->ed_sched, -DER_CANCELED, true);
}

void
ev_dom_fini(struct ev_dom *dom)
{
	if (dom->ed_magic != EV_DOM_MAGIC)
		return;
	ev_dom_cancel_tasks(dom);
	if (dom->ed_ctx_own && ev_hook.dpo_ctx_destroy != NULL)
		ev_hook.dpo_ctx_destroy(dom->ed_ctx, true);
	dom->ed_ctx = NULL;
	dom->ed_ctx_own = false;
	dom->ed_magic = 0;
	pthread_cond_destroy(&dom->ed_cond);
	pthread_mutex_destroy(&dom->ed_lock);
}

void *
ev_dom_ctx(struct ev_dom *dom)
{
	if (dom != NULL && dom->ed_ctx_own)
		return dom->ed_ctx;
	return hook_on() ? ev_hook.dpo_global_ctx : NULL;
}

void
ev_dom_signal_locked(struct ev_dom *dom)
{
	if (__atomic_load_n(&dom->ed_waiters, __ATOMIC_ACQUIRE) > 0)
		pthread_cond_broadcast(&dom->ed_cond);
}

void
ev_dom_wakeup(struct ev_dom *dom)
{
	if (hook_on() && ev_hook.dpo_wakeup != NULL &&
	    __atomic_load_n(&dom->ed_waiters, __ATOMIC_ACQUIRE) > 0)
		ev_hook.dpo_wakeup(ev_dom_ctx(dom));
}

struct ev_dom *
ev_sched2dom(tse_sched_t *sched)
{
	struct ev_dom *dom;

	if (sched == NULL)
		return NULL;
	/* Only a scheduler embedded in a domain points back at it: no foreign deref. */
	dom = container_of(sched, struct ev_dom, ed_sched);
	if (sched->ds_udata != (void *)dom || dom->ed_magic != EV_DOM_MAGIC)
		return NULL;
	return dom;
}

void *
daos_sched2ctx(tse_sched_t *sched)
{
	return ev_dom_ctx(ev_sched2dom(sched));
}

void
daos_sched_kick(tse_sched_t *sched)
{
	struct ev_dom *dom = ev_sched2dom(sched);

	if (dom == NULL)
		return;
	pthread_mutex_lock(&dom->ed_lock);
	ev_dom_signal_locked(dom);
	pthread_mutex_unlock(&dom->ed_lock);
	ev_dom_wakeup(dom);
}

/* Run the tasks that are ready; true if the scheduler still has tasks in flight. */
static bool
ev_dom_progress_sched(struct ev_dom *dom)
{
	struct ev_dom *outer = ev_progressing_dom;
	bool busy = false;

	/* paired with ev_dom_cancel_tasks(): announce first, then look at the flag */
	__atomic_add_fetch(&dom->ed_progressing, 1, __ATOMIC_SEQ_CST);
	if (__atomic_load_n(&dom->ed_sched_init, __ATOMIC_SEQ_CST)) {
		ev_progressing_dom = dom;
		tse_sched_progress(&dom->ed_sched);
		busy = !tse_sched_check_complete(&dom->ed_sched);
		ev_progressing_dom = outer;
	}
	__atomic_sub_fetch(&dom->ed_progressing, 1, __ATOMIC_SEQ_CST);
	return busy;
}

struct hook_cond_arg {
	struct ev_dom *dom;
	int (*cond)(void *arg);
	void *arg;
	/* the scheduler had tasks in flight at the last check */
	bool busy;
};

static int
ev_hook_cond(void *arg)
{
	struct hook_cond_arg *ha = arg;
	int rc;

	ha->busy = ev_dom_progress_sched(ha->dom);
	pthread_mutex_lock(&ha->dom->ed_lock);
	rc = ha->cond(ha->arg);
	pthread_mutex_unlock(&ha->dom->ed_lock);
	return rc;
}

static int
ev_dom_wait_hook(struct ev_dom *dom, int64_t timeout, int (*cond)(void *arg), void *arg)
{
	struct hook_cond_arg ha = {.dom = dom, .cond = cond, .arg = arg};
	void *ctx = ev_dom_ctx(dom);
	struct timespec deadline;
	struct timespec now;
	int64_t slice;
	int rc;

	if (timeout > 0) {
		ts_now(&deadline);
		ts_add_us(&deadline, timeout);
	}
	__atomic_add_fetch(&dom->ed_waiters, 1, __ATOMIC_ACQ_REL);
	for (;;) {
		/*
		 * Cut the wait into slices when nothing could wake it: a hook without
		 * dpo_wakeup, or tasks that a foreign thread may make ready.
		 */
		slice = timeout;
		if (timeout > 0) {
			ts_now(&now);
			slice = ts_diff_us(&deadline, &now);
			if (slice <= 0) {
				rc = -DER_TIMEDOUT;
				break;
			}
		}
		if (timeout != 0 && ev_hook.dpo_wakeup == NULL)
			slice = slice < 0 ? DAOS_PROGRESS_SLICE_US
					  : min(slice, DAOS_PROGRESS_SLICE_US);
		if (timeout != 0 && ha.busy)
			slice = slice < 0 ? EV_BUSY_SLICE_US : min(slice, EV_BUSY_SLICE_US);
		rc = ev_hook.dpo_progress_cond(ctx, slice, ev_hook_cond, &ha);
		if (rc != -DER_TIMEDOUT || timeout == 0)
			break;
	}
	__atomic_sub_fetch(&dom->ed_waiters, 1, __ATOMIC_ACQ_REL);
	return rc > 0 ? 0 : rc;
}

int
ev_dom_wait(struct ev_dom *dom, int64_t timeout, int (*cond)(void *arg), void *arg)
{
	struct timespec deadline;
	struct timespec until;
	struct timespec now;
	bool busy;
	int rc;

	if (hook_on())
		return ev_dom_wait_hook(dom, timeout, cond, arg);

	if (timeout > 0) {
		ts_now(&deadline);
		ts_add_us(&deadline, timeout);
	}
	for (;;) {
		/* task bodies and their callbacks run without the domain lock */
		busy = ev_dom_progress_sched(dom);
		pthread_mutex_lock(&dom->ed_lock);
		rc = cond(arg);
		if (rc != 0 || timeout == 0)
			break;
		ts_now(&now);
		if (timeout > 0 && ts_diff_us(&deadline, &now) <= 0)
			break;
		__atomic_add_fetch(&dom->ed_waiters, 1, __ATOMIC_ACQ_REL);
		if (busy) {
			/* a task may become ready without anyone signalling us: look again soon */
			until = now;
			ts_add_us(&until, EV_BUSY_SLICE_US);
			if (timeout > 0 && ts_diff_us(&deadline, &until) < 0)
				until = deadline;
			pthread_cond_timedwait(&dom->ed_cond, &dom->ed_lock, &until);
		} else if (timeout > 0) {
			pthread_cond_timedwait(&dom->ed_cond, &dom->ed_lock, &deadline);
		} else {
			pthread_cond_wait(&dom->ed_cond, &dom->ed_lock);
		}
		__atomic_sub_fetch(&dom->ed_waiters, 1, __ATOMIC_ACQ_REL);
		pthread_mutex_unlock(&dom->ed_lock);
	}
	pthread_mutex_unlock(&dom->ed_lock);
	if (rc == 0)
		return -DER_TIMEDOUT;
	return rc > 0 ? 0 : rc;
}

int
daos_progress_register(const struct daos_progress_ops *ops)
{
	int rc = 0;

	if (ops != NULL && ops->dpo_progress_cond == NULL)
		return -DER_INVAL;
	pthread_mutex_lock(&ev_lib_lock);
	if (!d_list_empty(&ev_eq_list)) {
		D_ERROR("progress hook changed while EQs exist\n");
		rc = -DER_BUSY;
	} else if (ops == NULL) {
		memset(&ev_hook, 0, sizeof(ev_hook));
		__atomic_store_n(&ev_hook_on, false, __ATOMIC_RELEASE);
	} else {
		ev_hook = *ops;
		__atomic_store_n(&ev_hook_on, true, __ATOMIC_RELEASE);
	}
	pthread_mutex_unlock(&ev_lib_lock);
	return rc;
}

/* ------------------------------------------------------------------------
 * Library state
 * ------------------------------------------------------------------------ */

static void ev_thread_release(void);

bool
ev_lib_ready(void)
{
	return __atomic_load_n(&ev_lib_up, __ATOMIC_ACQUIRE);
}

struct ev_dom *
ev_global_dom(void)
{
	return &ev_gdom;
}

int
daos_eq_lib_init(void)
{
	int rc = 0;

	pthread_mutex_lock(&ev_lib_lock);
	if (ev_lib_ref > 0) {
		ev_lib_ref++;
		goto out;
	}
	rc = ev_dom_init(&ev_gdom, false);
	if (rc != 0)
		goto out;
	__atomic_add_fetch(&ev_lib_gen, 1, __ATOMIC_ACQ_REL);
	__atomic_store_n(&ev_lib_up, true, __ATOMIC_RELEASE);
	ev_lib_ref = 1;
out:
	pthread_mutex_unlock(&ev_lib_lock);
	return rc;
}

int
daos_eq_lib_fini(void)
{
	pthread_mutex_lock(&ev_lib_lock);
	if (ev_lib_ref == 0) {
		pthread_mutex_unlock(&ev_lib_lock);
		return -DER_UNINIT;
	}
	if (ev_lib_ref > 1) {
		ev_lib_ref--;
		pthread_mutex_unlock(&ev_lib_lock);
		return 0;
	}
	pthread_mutex_unlock(&ev_lib_lock);

	/* EQ destroy takes ev_lib_lock to leave ev_eq_list */
	while (ev_eq_destroy_any())
		;

	pthread_mutex_lock(&ev_lib_lock);
	__atomic_store_n(&ev_lib_up, false, __ATOMIC_RELEASE);
	ev_lib_ref = 0;
	pthread_mutex_unlock(&ev_lib_lock);
	ev_thread_release();
	ev_dom_fini(&ev_gdom);
	return 0;
}

int
ev_lib_eq_add(struct daos_eq_private *eqx)
{
	int rc = 0;

	pthread_mutex_lock(&ev_lib_lock);
	if (!ev_lib_up)
		rc = -DER_UNINIT;
	else
		d_list_add_tail(&eqx->eqx_lib_link, &ev_eq_list);
	pthread_mutex_unlock(&ev_lib_lock);
	return rc;
}

void
ev_lib_eq_del(struct daos_eq_private *eqx)
{
	pthread_mutex_lock(&ev_lib_lock);
	d_list_del_init(&eqx->eqx_lib_link);
	pthread_mutex_unlock(&ev_lib_lock);
}

struct daos_eq_private *
ev_lib_eq_first(void)
{
	struct daos_eq_private *eqx;

	pthread_mutex_lock(&ev_lib_lock);
	eqx = d_list_first_entry_or_null(&ev_eq_list, struct daos_eq_private, eqx_lib_link);
	if (eqx != NULL)
		daos_hhash_link_getref(&eqx->eqx_hlink);
	pthread_mutex_unlock(&ev_lib_lock);
	return eqx;
}

/* ------------------------------------------------------------------------
 * The per-thread private event
 * ------------------------------------------------------------------------ */

struct ev_thread {
	/* the thread's own domain: its blocking calls never contend with other threads */
	struct ev_dom et_dom;
	daos_event_t et_ev;
	uint64_t et_lib_gen;
};

static __thread struct ev_thread *ev_thr;
static pthread_key_t ev_thr_key;
static pthread_once_t ev_thr_once = PTHREAD_ONCE_INIT;

static void
ev_thread_free(void *arg)
{
	struct ev_thread *et = arg;

	ev_dom_fini(&et->et_dom);
	D_FREE(et);
}

static void
ev_thr_key_create(void)
{
	pthread_key_create(&ev_thr_key, ev_thread_free);
}

static void
ev_thread_release(void)
{
	struct ev_thread *et = ev_thr;

	if (et == NULL)
		return;
	ev_thr = NULL;
	pthread_setspecific(ev_thr_key, NULL);
	ev_thread_free(et);
}

static int
ev_thread_get(struct ev_thread **etp)
{
	struct ev_thread *et = ev_thr;
	uint64_t gen = __atomic_load_n(&ev_lib_gen, __ATOMIC_ACQUIRE);
	int rc;

	if (et != NULL && et->et_lib_gen == gen && ev_lib_ready()) {
		*etp = et;
		return 0;
	}
	if (!ev_lib_ready())
		return -DER_UNINIT;
	ev_thread_release();

	D_ALLOC_PTR(et);
	if (et == NULL)
		return -DER_NOMEM;
	rc = ev_dom_init(&et->et_dom, false);
	if (rc != 0) {
		D_FREE(et);
		return rc;
	}
	ev_init_in_dom(&et->et_ev, &et->et_dom, EVX_F_PRIV);
	et->et_lib_gen = gen;
	pthread_once(&ev_thr_once, ev_thr_key_create);
	pthread_setspecific(ev_thr_key, et);
	ev_thr = et;
	*etp = et;
	return 0;
}

int
daos_event_priv_get(daos_event_t **ev)
{
	struct ev_thread *et;
	int rc;

	if (ev == NULL)
		return -DER_INVAL;
	rc = ev_thread_get(&et);
	if (rc != 0)
		return rc;
	if (__atomic_load_n(&daos_ev2evx(&et->et_ev)->evx_status, __ATOMIC_ACQUIRE) !=
	    DAOS_EVS_READY) {
		/* e.g. a blocking call from a completion callback of a blocking call */
		D_ERROR("the private event of this thread is in use\n");
		return -DER_BUSY;
	}
	*ev = &et->et_ev;
	return 0;
}

int
daos_event_priv_reset(void)
{
	struct ev_thread *et;
	uint32_t gen;
	int rc;

	rc = ev_thread_get(&et);
	if (rc != 0)
		return rc;
	pthread_mutex_lock(&et->et_dom.ed_lock);
	/* keep the generation: a stale completion of the abandoned launch must stay stale */
	gen = daos_ev2evx(&et->et_ev)->evx_gen;
	ev_init_in_dom(&et->et_ev, &et->et_dom, EVX_F_PRIV);
	daos_ev2evx(&et->et_ev)->evx_gen = gen;
	pthread_mutex_unlock(&et->et_dom.ed_lock);
	return 0;
}

bool
daos_event_is_priv(daos_event_t *ev)
{
	return ev != NULL && ev_thr != NULL && ev == &ev_thr->et_ev;
}

int
daos_event_priv_wait(void)
{
	struct ev_thread *et = ev_thr;
	int rc;

	if (et == NULL)
		return -DER_INVAL;
	rc = ev_dom_wait(&et->et_dom, DAOS_EQ_WAIT, ev_done_cond, daos_ev2evx(&et->et_ev));
	if (rc != 0)
		return rc;
	return et->et_ev.ev_error;
}

int
daos_eq_lib_reset_after_fork(void)
{
	struct ev_thread *et = ev_thr;
	int rc;

	/*
	 * Only this thread survived the fork: locks held by the others are
	 * re-created, and their EQs (no longer valid here) are forgotten.
	 */
	pthread_mutex_init(&ev_lib_lock, NULL);
	D_INIT_LIST_HEAD(&ev_eq_list);
	if (et != NULL) {
		ev_thr = NULL;
		pthread_setspecific(ev_thr_key, NULL);
		D_FREE(et);
	}
	if (ev_lib_ref == 0)
		return -DER_UNINIT;
	rc = ev_dom_init(&ev_gdom, false);
	if (rc != 0)
		return rc;
	__atomic_add_fetch(&ev_lib_gen, 1, __ATOMIC_ACQ_REL);
	__atomic_store_n(&ev_lib_up, true, __ATOMIC_RELEASE);
	return 0;
}
