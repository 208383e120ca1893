/**
 * TSE: the task scheduler engine. Design notes in src/common/README.md.
 *
 * Locking: one mutex per scheduler protects its lists, the state, dependency
 * count, callback lists and generation of its tasks. Task bodies and all
 * callbacks run without any lock. Task reference counts are atomic so a task
 * can be released after its scheduler is gone.
 */
#define D_LOGFAC DD_FAC(tse)

#include <pthread.h>
#include <sched.h>
#include <time.h>

#include <gurt/common.h>
#include <daos/tse.h>
#include "tse_internal.h"

D_CASSERT(sizeof(tse_task_t) == TSE_TASK_SIZE);
D_CASSERT(sizeof(struct tse_task_private) <= TSE_PRIV_SIZE);
D_CASSERT(sizeof(struct tse_sched_private) <= sizeof(((tse_sched_t *)0)->ds_private));

#define TSE_SCHED_MAGIC 0x7a5e5c4du
/* Left behind by finalization so a redundant tse_sched_fini() can be told from misuse. */
#define TSE_SCHED_DEAD 0x7a5edeadu
/* Nodes up to this size are recycled per scheduler instead of going back to malloc. */
#define TSE_NODE_SIZE      96
#define TSE_NODE_CACHE_MAX 1024
/* Bound on the passes over the queues of one progress call. */
#define TSE_RUN_MAX_PASSES 64
/* Longest nap of tse_sched_complete() while it waits for other threads or sleepers. */
#define TSE_WAIT_MAX_NS (1000 * 1000)

static void sched_process_complete(struct tse_sched_private *dsp);
static bool release_dependents(tse_task_t *task, d_list_t *links, struct tse_sched_private *dsp);

static uint64_t
tse_now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000ULL + (uint64_t)ts.tv_nsec / 1000;
}

static inline void
sched_lock(struct tse_sched_private *dsp)
{
	pthread_mutex_lock(&dsp->dsp_lock);
}

static inline void
sched_unlock(struct tse_sched_private *dsp)
{
	pthread_mutex_unlock(&dsp->dsp_lock);
}

static struct tse_sched_private *
sched_get_priv(tse_sched_t *sched, const char *who)
{
	struct tse_sched_private *dsp;

	if (sched == NULL) {
		D_ERROR("%s: NULL scheduler\n", who);
		return NULL;
	}
	dsp = tse_sched2priv(sched);
	if (dsp->dsp_magic != TSE_SCHED_MAGIC) {
		D_ERROR("%s: scheduler %p is not initialized or already finalized\n", who, sched);
		return NULL;
	}
	return dsp;
}

struct tse_task_private *
tse_task_priv_check(tse_task_t *task, const char *who)
{
	struct tse_task_private *dtp;

	if (task == NULL) {
		D_ERROR("%s: NULL task\n", who);
		return NULL;
	}
	dtp = tse_task2priv(task);
	if (dtp->dtp_sched == NULL) {
		D_ERROR("%s: task %p is not a live TSE task\n", who, task);
		return NULL;
	}
	return dtp;
}

/* ------------------------------------------------------------------------
 * Small node cache: dependency links and callbacks with small arguments are
 * recycled under the scheduler lock so the steady state does not malloc.
 * ------------------------------------------------------------------------ */

static void *
node_alloc_locked(struct tse_sched_private *dsp, size_t size)
{
	void *node;

	if (size <= TSE_NODE_SIZE) {
		if (!d_list_empty(&dsp->dsp_node_cache)) {
			d_list_t *link = dsp->dsp_node_cache.next;

			d_list_del(link);
			dsp->dsp_node_nr--;
			return link;
		}
		size = TSE_NODE_SIZE;
	}
	D_ALLOC_NZ(node, size);
	return node;
}

static void
node_free_locked(struct tse_sched_private *dsp, void *node, size_t size)
{
	if (node == NULL)
		return;
	if (size <= TSE_NODE_SIZE && dsp->dsp_node_nr < TSE_NODE_CACHE_MAX) {
		d_list_add((d_list_t *)node, &dsp->dsp_node_cache);
		dsp->dsp_node_nr++;
		return;
	}
	free(node);
}

static inline size_t
cb_node_size(size_t arg_size)
{
	return sizeof(struct tse_task_cb) + arg_size;
}

/* ------------------------------------------------------------------------
 * Reference counting
 * ------------------------------------------------------------------------ */

static inline void
sched_addref_locked(struct tse_sched_private *dsp)
{
	dsp->dsp_refcount++;
}

static void
sched_release(struct tse_sched_private *dsp)
{
	struct tse_sched_comp *dsc;
	d_list_t *link;

	while ((dsc = d_list_pop_entry(&dsp->dsp_comp_cb_list, struct tse_sched_comp, dsc_list)))
		D_FREE(dsc);
	while (!d_list_empty(&dsp->dsp_node_cache)) {
		link = dsp->dsp_node_cache.next;
		d_list_del(link);
		free(link);
	}
	dsp->dsp_node_nr = 0;
	dsp->dsp_magic = TSE_SCHED_DEAD;
	pthread_mutex_destroy(&dsp->dsp_lock);
}

/* Returns true when the caller must call sched_release() after unlocking. */
static inline bool
sched_decref_locked(struct tse_sched_private *dsp)
{
	D_ASSERT(dsp->dsp_refcount > 0);
	return --dsp->dsp_refcount == 0;
}

static void
sched_decref(struct tse_sched_private *dsp)
{
	bool last;

	sched_lock(dsp);
	last = sched_decref_locked(dsp);
	sched_unlock(dsp);
	if (last)
		sched_release(dsp);
}

static inline void
task_addref(struct tse_task_private *dtp)
{
	__atomic_add_fetch(&dtp->dtp_refcnt, 1, __ATOMIC_RELAXED);
}

static void
task_free(tse_task_t *task)
{
	struct tse_task_private *dtp = tse_task2priv(task);
	struct tse_task_cb *dtc;

	while ((dtc = d_list_pop_entry(&dtp->dtp_prep_cb_list, struct tse_task_cb, dtc_list)))
		free(dtc);
	while ((dtc = d_list_pop_entry(&dtp->dtp_comp_cb_list, struct tse_task_cb, dtc_list)))
		free(dtc);
	/*
	 * Only a task dropped without ever completing can still have waiters:
	 * release them with an error rather than leave them blocked forever.
	 */
	if (!d_list_empty(&dtp->dtp_dep_list)) {
		d_list_t links;

		D_ERROR("task %p freed before completion while other tasks depend on it\n", task);
		D_INIT_LIST_HEAD(&links);
		d_list_splice_init(&dtp->dtp_dep_list, &links);
		if (task->dt_result == 0)
			task->dt_result = -DER_CANCELED;
		release_dependents(task, &links, NULL);
	}
	dtp->dtp_sched = NULL;
	D_FREE(task);
}

static inline bool
task_decref_nofree(struct tse_task_private *dtp)
{
	uint32_t old = __atomic_fetch_sub(&dtp->dtp_refcnt, 1, __ATOMIC_ACQ_REL);

	D_ASSERTF(old > 0, "task %p reference count underflow", tse_priv2task(dtp));
	return old == 1;
}

static inline void
task_decref(struct tse_task_private *dtp)
{
	if (task_decref_nofree(dtp))
		task_free(tse_priv2task(dtp));
}

void
tse_task_addref(tse_task_t *task)
{
	struct tse_task_private *dtp = tse_task_priv_check(task, __func__);

	if (dtp != NULL)
		task_addref(dtp);
}

void
tse_task_decref(tse_task_t *task)
{
	struct tse_task_private *dtp = tse_task_priv_check(task, __func__);

	if (dtp != NULL)
		task_decref(dtp);
}

/* ------------------------------------------------------------------------
 * Scheduler
 * ------------------------------------------------------------------------ */

int
tse_sched_init(tse_sched_t *sched, tse_sched_comp_cb_t comp_cb, void *udata)
{
	struct tse_sched_private *dsp;
	int rc;

	if (sched == NULL)
		return -DER_INVAL;

	memset(sched, 0, sizeof(*sched));
	dsp = tse_sched2priv(sched);
	D_INIT_LIST_HEAD(&dsp->dsp_init_list);
	D_INIT_LIST_HEAD(&dsp->dsp_blocked_list);
	D_INIT_LIST_HEAD(&dsp->dsp_ready_list);
	D_INIT_LIST_HEAD(&dsp->dsp_sleeping_list);
	D_INIT_LIST_HEAD(&dsp->dsp_running_list);
	D_INIT_LIST_HEAD(&dsp->dsp_complete_list);
	D_INIT_LIST_HEAD(&dsp->dsp_comp_cb_list);
	D_INIT_LIST_HEAD(&dsp->dsp_node_cache);
	dsp->dsp_refcount = 1;

	rc = pthread_mutex_init(&dsp->dsp_lock, NULL);
	if (rc != 0) {
		D_ERROR("pthread_mutex_init failed: %d\n", rc);
		return -DER_NOMEM;
	}
	dsp->dsp_magic = TSE_SCHED_MAGIC;

	if (comp_cb != NULL) {
		rc = tse_sched_register_comp_cb(sched, comp_cb, udata);
		if (rc != 0) {
			sched_release(dsp);
			return rc;
		}
	}
	sched->ds_udata = udata;
	return 0;
}

static bool
sched_empty_locked(struct tse_sched_private *dsp)
{
	return d_list_empty(&dsp->dsp_init_list) && d_list_empty(&dsp->dsp_blocked_list) &&
	       d_list_empty(&dsp->dsp_ready_list) && d_list_empty(&dsp->dsp_sleeping_list) &&
	       dsp->dsp_inflight == 0;
}

void
tse_sched_fini(tse_sched_t *sched)
{
	struct tse_sched_private *dsp;
	bool empty;

	/*
	 * tse_sched_complete() already finalized it when the last reference
	 * went; callers following DAOS habits still call this afterwards.
	 */
	if (sched != NULL && tse_sched2priv(sched)->dsp_magic == TSE_SCHED_DEAD)
		return;
	dsp = sched_get_priv(sched, __func__);
	if (dsp == NULL)
		return;
	sched_lock(dsp);
	empty = sched_empty_locked(dsp);
	sched_unlock(dsp);
	if (!empty) {
		D_ERROR("scheduler %p still has tasks; complete it instead of finalizing\n", sched);
		return;
	}
	sched_release(dsp);
}

void
tse_sched_addref(tse_sched_t *sched)
{
	struct tse_sched_private *dsp = sched_get_priv(sched, __func__);

	if (dsp == NULL)
		return;
	sched_lock(dsp);
	sched_addref_locked(dsp);
	sched_unlock(dsp);
}

void
tse_sched_decref(tse_sched_t *sched)
{
	struct tse_sched_private *dsp = sched_get_priv(sched, __func__);

	if (dsp != NULL)
		sched_decref(dsp);
}

int
tse_sched_register_comp_cb(tse_sched_t *sched, tse_sched_comp_cb_t comp_cb, void *arg)
{
	struct tse_sched_private *dsp = sched_get_priv(sched, __func__);
	struct tse_sched_comp *dsc;

	if (dsp == NULL || comp_cb == NULL)
		return -DER_INVAL;

	D_ALLOC_PTR(dsc);
	if (dsc == NULL)
		return -DER_NOMEM;
	dsc->dsc_comp_cb = comp_cb;
	dsc->dsc_arg = arg;

	sched_lock(dsp);
	d_list_add(&dsc->dsc_list, &dsp->dsp_comp_cb_list);
	sched_unlock(dsp);
	return 0;
}

bool
tse_sched_check_complete(tse_sched_t *sched)
{
	struct tse_sched_private *dsp = sched_get_priv(sched, __func__);
	bool empty;

	if (dsp == NULL)
		return true;
	sched_lock(dsp);
	empty = sched_empty_locked(dsp);
	sched_unlock(dsp);
	return empty;
}

/* ------------------------------------------------------------------------
 * Queues
 * ------------------------------------------------------------------------ */

static void
insert_sleeping_locked(struct tse_sched_private *dsp, struct tse_task_private *dtp)
{
	struct tse_task_private *t;

	dtp->dtp_state = TSE_TS_SLEEPING;
	/* Most delays are alike, so the new task usually belongs at the tail. */
	d_list_for_each_entry_reverse(t, &dsp->dsp_sleeping_list, dtp_list)
	{
		if (t->dtp_wakeup_time <= dtp->dtp_wakeup_time) {
			d_list_add(&dtp->dtp_list, &t->dtp_list);
			return;
		}
	}
	d_list_add(&dtp->dtp_list, &dsp->dsp_sleeping_list);
}

/* Put a task waiting for its body in the ready or blocked queue. */
static void
enqueue_locked(struct tse_sched_private *dsp, struct tse_task_private *dtp)
{
	dtp->dtp_wakeup_time = 0;
	if (dtp->dtp_dep_cnt == 0) {
		dtp->dtp_state = TSE_TS_READY;
		d_list_add_tail(&dtp->dtp_list, &dsp->dsp_ready_list);
	} else {
		dtp->dtp_state = TSE_TS_BLOCKED;
		d_list_add_tail(&dtp->dtp_list, &dsp->dsp_blocked_list);
	}
}

static inline bool
state_is_queued(uint8_t state)
{
	return state >= TSE_TS_PENDING && state <= TSE_TS_SLEEPING;
}

static inline bool
state_is_finished(uint8_t state)
{
	return state == TSE_TS_COMPLETED || state == TSE_TS_DONE;
}

/* ------------------------------------------------------------------------
 * Completion
 * ------------------------------------------------------------------------ */

/*
 * Run the completion callbacks of a task in TSE_TS_COMPLETING state (lock
 * held, dropped around each callback). Returns true if the task completed and
 * was queued on the complete list; false if a callback requeued it (reinit) or
 * made it wait for new dependencies, in which case the remaining callbacks
 * stay registered for the next completion.
 */
static bool
task_finish_locked(tse_task_t *task, struct tse_sched_private *dsp)
{
	struct tse_task_private *dtp = tse_task2priv(task);
	struct tse_task_cb *dtc;

	D_ASSERT(dtp->dtp_state == TSE_TS_COMPLETING);
	dtp->dtp_deps_added = 0;
	while ((dtc = d_list_pop_entry(&dtp->dtp_comp_cb_list, struct tse_task_cb, dtc_list))) {
		uint16_t gen = dtp->dtp_generation;
		int rc;

		sched_unlock(dsp);
		rc = dtc->dtc_cb(task, dtc->dtc_arg);
		sched_lock(dsp);
		node_free_locked(dsp, dtc, cb_node_size(dtc->dtc_arg_size));

		if (dtp->dtp_generation != gen)
			return false; /* reinit: the task belongs to the scheduler again */
		if (task->dt_result == 0)
			task->dt_result = rc;
		if (dtp->dtp_deps_added) {
			dtp->dtp_deps_added = 0;
			if (dtp->dtp_dep_cnt > 0) {
				/* completed again by the last of the new dependencies */
				dtp->dtp_state = TSE_TS_RUNNING;
				d_list_add_tail(&dtp->dtp_list, &dsp->dsp_running_list);
				return false;
			}
		}
	}
	dtp->dtp_state = TSE_TS_COMPLETED;
	d_list_add_tail(&dtp->dtp_list, &dsp->dsp_complete_list);
	return true;
}

/*
 * Move a task to TSE_TS_COMPLETING from any earlier state, fixing up the
 * scheduler counts. Lock held. Returns false (and logs) if the task already
 * completed or is completing.
 */
static bool
task_begin_completion_locked(tse_task_t *task, struct tse_sched_private *dsp, int ret)
{
	struct tse_task_private *dtp = tse_task2priv(task);

	switch (dtp->dtp_state) {
	case TSE_TS_INIT:
		sched_addref_locked(dsp);
		dsp->dsp_inflight++;
		break;
	case TSE_TS_PENDING:
	case TSE_TS_BLOCKED:
	case TSE_TS_READY:
	case TSE_TS_SLEEPING:
		d_list_del_init(&dtp->dtp_list);
		dtp->dtp_wakeup_time = 0;
		dsp->dsp_inflight++;
		break;
	case TSE_TS_RUNNING:
		d_list_del_init(&dtp->dtp_list);
		break;
	default:
		D_ERROR("task %p completed twice (state %u, result %d, new result %d)\n", task,
			dtp->dtp_state, task->dt_result, ret);
		return false;
	}
	if (task->dt_result == 0)
		task->dt_result = ret;
	dtp->dtp_state = TSE_TS_COMPLETING;
	return true;
}

/* Complete a task; lock held on entry and on return. Returns true if queued for post-processing. */
static bool
task_complete_locked(tse_task_t *task, struct tse_sched_private *dsp, int ret)
{
	if (!task_begin_completion_locked(task, dsp, ret))
		return false;
	return task_finish_locked(task, dsp);
}

void
tse_task_complete(tse_task_t *task, int ret)
{
	struct tse_task_private *dtp = tse_task_priv_check(task, __func__);
	struct tse_sched_private *dsp;
	bool queued;

	if (dtp == NULL)
		return;
	dsp = dtp->dtp_sched;

	sched_lock(dsp);
	if (state_is_finished(dtp->dtp_state) || dtp->dtp_state == TSE_TS_COMPLETING) {
		D_ERROR("task %p completed twice (state %u, result %d, new result %d)\n", task,
			dtp->dtp_state, task->dt_result, ret);
		sched_unlock(dsp);
		return;
	}
	/* Callbacks may requeue the task, which another thread may then finish and free. */
	task_addref(dtp);
	sched_addref_locked(dsp);
	queued = task_complete_locked(task, dsp, ret);
	sched_unlock(dsp);

	if (queued)
		sched_process_complete(dsp);
	task_decref(dtp);
	sched_decref(dsp);
}

/*
 * Release the tasks waiting for \a task: propagate its error, drop their
 * dependency count and queue or complete those whose count reaches zero.
 * Called without any lock. Returns true if a task of \a dsp was completed
 * (so the caller's complete list grew).
 */
static bool
release_dependents(tse_task_t *task, d_list_t *links, struct tse_sched_private *dsp)
{
	struct tse_task_link *tlink;
	bool more = false;

	while ((tlink = d_list_pop_entry(links, struct tse_task_link, tl_link))) {
		tse_task_t *dep_task = tlink->tl_task;
		struct tse_task_private *dep = tse_task2priv(dep_task);
		struct tse_sched_private *dep_dsp = dep->dtp_sched;
		bool queued = false;

		sched_lock(dep_dsp);
		node_free_locked(dep_dsp, tlink, sizeof(*tlink));
		if (!state_is_finished(dep->dtp_state) && dep_task->dt_result == 0 &&
		    !dep->dtp_no_propagate)
			dep_task->dt_result = task->dt_result;

		D_ASSERT(dep->dtp_dep_cnt > 0);
		dep->dtp_dep_cnt--;
		if (dep->dtp_dep_cnt == 0) {
			if (dep->dtp_state == TSE_TS_BLOCKED) {
				dep->dtp_state = TSE_TS_READY;
				d_list_move_tail(&dep->dtp_list, &dep_dsp->dsp_ready_list);
			} else if (dep->dtp_state == TSE_TS_RUNNING && !dep->dtp_in_body) {
				/* a parent whose body returned waits only for its children */
				sched_addref_locked(dep_dsp);
				task_addref(dep);
				queued = task_complete_locked(dep_task, dep_dsp, 0);
				if (queued && dep_dsp == dsp)
					more = true;
				sched_unlock(dep_dsp);
				if (queued && dep_dsp != dsp)
					sched_process_complete(dep_dsp);
				task_decref(dep);
				sched_decref(dep_dsp);
				/* the link's reference */
				task_decref(dep);
				continue;
			}
		}
		sched_unlock(dep_dsp);
		/* the link's reference */
		task_decref(dep);
	}
	return more;
}

/*
 * Post-process the completed tasks of \a dsp: release dependents, account
 * the result and drop the scheduler's references. The caller holds a
 * scheduler reference.
 */
static void
sched_process_complete(struct tse_sched_private *dsp)
{
	struct tse_task_private *dtp;
	tse_sched_t *sched = tse_priv2sched(dsp);

	sched_lock(dsp);
	while ((dtp = d_list_pop_entry(&dsp->dsp_complete_list, struct tse_task_private,
				       dtp_list))) {
		tse_task_t *task = tse_priv2task(dtp);
		d_list_t links;
		bool last;

		if (sched->ds_result == 0)
			sched->ds_result = task->dt_result;
		D_INIT_LIST_HEAD(&links);
		d_list_splice_init(&dtp->dtp_dep_list, &links);
		sched_unlock(dsp);

		release_dependents(task, &links, dsp);

		sched_lock(dsp);
		dtp->dtp_state = TSE_TS_DONE;
		D_ASSERT(dsp->dsp_inflight > 0);
		dsp->dsp_inflight--;
		last = sched_decref_locked(dsp);
		D_ASSERT(!last);
		/* the scheduler's own reference, taken by tse_task_create() */
		if (task_decref_nofree(dtp)) {
			sched_unlock(dsp);
			task_free(task);
			sched_lock(dsp);
		}
	}
	sched_unlock(dsp);
}

/* ------------------------------------------------------------------------
 * Running tasks
 * ------------------------------------------------------------------------ */

/* Run the prepare callbacks; false if one of them completed or requeued the task. */
static bool
task_prep(tse_task_t *task, struct tse_sched_private *dsp)
{
	struct tse_task_private *dtp = tse_task2priv(task);
	struct tse_task_cb *dtc;
	bool ok = true;

	sched_lock(dsp);
	while ((dtc = d_list_pop_entry(&dtp->dtp_prep_cb_list, struct tse_task_cb, dtc_list))) {
		uint16_t gen = dtp->dtp_generation;
		int rc;

		sched_unlock(dsp);
		rc = dtc->dtc_cb(task, dtc->dtc_arg);
		sched_lock(dsp);
		node_free_locked(dsp, dtc, cb_node_size(dtc->dtc_arg_size));
		if (dtp->dtp_generation != gen || dtp->dtp_state != TSE_TS_RUNNING) {
			ok = false;
			break;
		}
		if (task->dt_result == 0)
			task->dt_result = rc;
	}
	sched_unlock(dsp);
	return ok;
}

/*
 * The prepare callbacks and body of a task returned (lock held). A parent
 * whose body registered children as dependencies completes once they are all
 * done: if they finished while the body still ran, complete it now; so does
 * a bodiless task. Returns true if the task was queued for post-processing.
 */
static bool
task_body_done_locked(tse_task_t *task, struct tse_sched_private *dsp, uint16_t gen)
{
	struct tse_task_private *dtp = tse_task2priv(task);
	bool waits_children;

	/* requeued meanwhile: the new run owns the flags */
	if (dtp->dtp_generation != gen)
		return false;
	dtp->dtp_in_body = 0;
	if (dtp->dtp_state != TSE_TS_RUNNING)
		return false;
	waits_children = dtp->dtp_deps_added || dtp->dtp_func == NULL;
	dtp->dtp_deps_added = 0;
	if (waits_children && dtp->dtp_dep_cnt == 0)
		return task_complete_locked(task, dsp, 0);
	return false;
}

/*
 * Run a task that was just moved to RUNNING with dtp_in_body set; the caller
 * holds task and scheduler references.
 */
static void
task_run(tse_task_t *task, struct tse_sched_private *dsp)
{
	struct tse_task_private *dtp = tse_task2priv(task);
	uint16_t gen = dtp->dtp_generation;
	bool queued;

	if (task_prep(task, dsp) && dtp->dtp_func != NULL)
		dtp->dtp_func(task);

	sched_lock(dsp);
	queued = task_body_done_locked(task, dsp, gen);
	sched_unlock(dsp);
	if (queued)
		sched_process_complete(dsp);
}

/* Cancel a queued task (lock held, released on return). */
static void
task_cancel_unlock(tse_task_t *task, struct tse_sched_private *dsp)
{
	bool queued;

	queued = task_complete_locked(task, dsp, -DER_CANCELED);
	sched_unlock(dsp);
	if (queued)
		sched_process_complete(dsp);
}

/*
 * One pass over the queues: wake sleepers whose time came, admit the tasks
 * reinitialized since the last pass, then run every ready task (including
 * those made ready by tasks completing during this pass). Returns the number
 * of tasks run or canceled. The caller holds a scheduler reference.
 */
static int
sched_process_init(struct tse_sched_private *dsp)
{
	struct tse_task_private *dtp;
	struct tse_task_private *tmp;
	uint64_t now = tse_now_us();
	int processed = 0;

	sched_lock(dsp);
	d_list_for_each_entry_safe(dtp, tmp, &dsp->dsp_sleeping_list, dtp_list)
	{
		if (dtp->dtp_wakeup_time > now && !dsp->dsp_cancelling)
			break;
		d_list_del_init(&dtp->dtp_list);
		enqueue_locked(dsp, dtp);
	}
	d_list_for_each_entry_safe(dtp, tmp, &dsp->dsp_init_list, dtp_list)
	{
		d_list_del_init(&dtp->dtp_list);
		enqueue_locked(dsp, dtp);
	}
	if (dsp->dsp_cancelling)
		d_list_splice_tail_init(&dsp->dsp_blocked_list, &dsp->dsp_ready_list);

	while ((dtp = d_list_first_entry_or_null(&dsp->dsp_ready_list, struct tse_task_private,
						 dtp_list))) {
		tse_task_t *task = tse_priv2task(dtp);

		processed++;
		task_addref(dtp);
		if (dsp->dsp_cancelling) {
			task_cancel_unlock(task, dsp);
		} else {
			d_list_move_tail(&dtp->dtp_list, &dsp->dsp_running_list);
			dtp->dtp_state = TSE_TS_RUNNING;
			dtp->dtp_in_body = 1;
			dsp->dsp_inflight++;
			sched_unlock(dsp);
			task_run(task, dsp);
		}
		task_decref(dtp);
		sched_lock(dsp);
	}
	sched_unlock(dsp);
	return processed;
}

static int
sched_run(struct tse_sched_private *dsp)
{
	bool empty;
	int processed;
	int pass = 0;

	/*
	 * Chains complete within one pass; further passes only pick up tasks
	 * reinitialized meanwhile, so a task retrying forever cannot pin the caller.
	 */
	do {
		processed = sched_process_init(dsp);
		sched_process_complete(dsp);
		sched_lock(dsp);
		empty = sched_empty_locked(dsp);
		sched_unlock(dsp);
	} while (processed > 0 && !empty && ++pass < TSE_RUN_MAX_PASSES);
	return processed;
}

void
tse_sched_progress(tse_sched_t *sched)
{
	struct tse_sched_private *dsp = sched_get_priv(sched, __func__);

	if (dsp == NULL)
		return;
	sched_lock(dsp);
	if (dsp->dsp_cancelling) {
		sched_unlock(dsp);
		return;
	}
	sched_addref_locked(dsp);
	sched_unlock(dsp);

	sched_run(dsp);
	sched_decref(dsp);
}

/*
 * Cancellation of tasks that started but that nobody completes: complete
 * those whose body returned and that wait for no dependency.
 */
static int
sched_cancel_running(struct tse_sched_private *dsp)
{
	struct tse_task_private *dtp;
	int processed = 0;
	bool found;

	do {
		found = false;
		sched_lock(dsp);
		d_list_for_each_entry(dtp, &dsp->dsp_running_list, dtp_list)
		{
			if (dtp->dtp_in_body || dtp->dtp_dep_cnt > 0)
				continue;
			found = true;
			task_addref(dtp);
			task_cancel_unlock(tse_priv2task(dtp), dsp);
			task_decref(dtp);
			processed++;
			break;
		}
		if (!found)
			sched_unlock(dsp);
	} while (found);
	return processed;
}

void
tse_sched_complete(tse_sched_t *sched, int ret, bool cancel)
{
	struct tse_sched_private *dsp = sched_get_priv(sched, __func__);
	struct tse_sched_comp *dsc;
	long nap_ns = 1000;

	if (dsp == NULL)
		return;

	sched_lock(dsp);
	if (dsp->dsp_cancelling || dsp->dsp_completing) {
		sched_unlock(dsp);
		return;
	}
	if (sched->ds_result == 0)
		sched->ds_result = ret;
	if (cancel)
		dsp->dsp_cancelling = 1;
	else
		dsp->dsp_completing = 1;
	sched_unlock(dsp);

	/* The reference of tse_sched_init() keeps the scheduler alive meanwhile. */
	for (;;) {
		struct timespec ts;
		bool empty;
		int processed;

		processed = sched_run(dsp);
		if (cancel)
			processed += sched_cancel_running(dsp);
		sched_lock(dsp);
		empty = sched_empty_locked(dsp);
		sched_unlock(dsp);
		if (empty)
			break;
		/* Waiting for other threads or for sleepers: back off while idle. */
		nap_ns = processed > 0 ? 1000 : min(nap_ns * 2, TSE_WAIT_MAX_NS);
		ts.tv_sec = 0;
		ts.tv_nsec = nap_ns;
		nanosleep(&ts, NULL);
	}

	sched_lock(dsp);
	while ((dsc = d_list_pop_entry(&dsp->dsp_comp_cb_list, struct tse_sched_comp, dsc_list))) {
		int rc;

		sched_unlock(dsp);
		rc = dsc->dsc_comp_cb(dsc->dsc_arg, sched->ds_result);
		if (sched->ds_result == 0)
			sched->ds_result = rc;
		D_FREE(dsc);
		sched_lock(dsp);
	}
	sched_unlock(dsp);
	sched->ds_udata = NULL;
	sched_decref(dsp);
}

/* ------------------------------------------------------------------------
 * Tasks
 * ------------------------------------------------------------------------ */

int
tse_task_create(tse_task_func_t task_func, tse_sched_t *sched, void *priv, tse_task_t **taskp)
{
	struct tse_sched_private *dsp = sched_get_priv(sched, __func__);
	struct tse_task_private *dtp;
	tse_task_t *task;

	if (dsp == NULL || taskp == NULL)
		return -DER_INVAL;

	/* Everything a task needs lives in this single allocation. */
	D_ALLOC_PTR(task);
	if (task == NULL)
		return -DER_NOMEM;

	dtp = tse_task2priv(task);
	D_INIT_LIST_HEAD(&dtp->dtp_list);
	D_INIT_LIST_HEAD(&dtp->dtp_task_list);
	D_INIT_LIST_HEAD(&dtp->dtp_dep_list);
	D_INIT_LIST_HEAD(&dtp->dtp_prep_cb_list);
	D_INIT_LIST_HEAD(&dtp->dtp_comp_cb_list);
	dtp->dtp_refcnt = 1;
	dtp->dtp_func = task_func;
	dtp->dtp_priv = priv;
	dtp->dtp_sched = dsp;
	dtp->dtp_state = TSE_TS_INIT;

	*taskp = task;
	return 0;
}

int
tse_task_schedule_with_delay(tse_task_t *task, bool instant, uint64_t delay)
{
	struct tse_task_private *dtp = tse_task_priv_check(task, __func__);
	struct tse_sched_private *dsp;
	uint16_t gen;
	int rc = 0;

	if (dtp == NULL)
		return -DER_INVAL;
	if (instant && delay != 0) {
		D_ERROR("task %p: an instant task cannot have a delay\n", task);
		return -DER_INVAL;
	}
	dsp = dtp->dtp_sched;

	sched_lock(dsp);
	if (dtp->dtp_state != TSE_TS_INIT) {
		D_ERROR("task %p scheduled twice (state %u)\n", task, dtp->dtp_state);
		sched_unlock(dsp);
		return -DER_NO_PERM;
	}
	/* dropped when the task is post-processed */
	sched_addref_locked(dsp);

	if (dtp->dtp_dep_cnt == 0 && d_list_empty(&dtp->dtp_prep_cb_list) &&
	    (instant || dtp->dtp_func == NULL)) {
		bool queued;

		dtp->dtp_state = TSE_TS_RUNNING;
		dsp->dsp_inflight++;
		d_list_add_tail(&dtp->dtp_list, &dsp->dsp_running_list);
		/* A bodiless task without dependencies waits for tse_task_complete(). */
		if (dtp->dtp_func == NULL) {
			sched_unlock(dsp);
			return 0;
		}
		/* the body may complete the task, which may then be freed */
		task_addref(dtp);
		sched_addref_locked(dsp);
		dtp->dtp_in_body = 1;
		gen = dtp->dtp_generation;
		sched_unlock(dsp);

		dtp->dtp_func(task);

		sched_lock(dsp);
		queued = task_body_done_locked(task, dsp, gen);
		if (dtp->dtp_generation == gen && state_is_finished(dtp->dtp_state))
			rc = task->dt_result;
		sched_unlock(dsp);
		if (queued)
			sched_process_complete(dsp);
		task_decref(dtp);
		sched_decref(dsp);
		return rc;
	}

	if (delay == 0) {
		enqueue_locked(dsp, dtp);
	} else {
		dtp->dtp_wakeup_time = tse_now_us() + delay;
		insert_sleeping_locked(dsp, dtp);
	}
	sched_unlock(dsp);
	return 0;
}

int
tse_task_schedule(tse_task_t *task, bool instant)
{
	return tse_task_schedule_with_delay(task, instant, 0);
}

int
tse_task_reinit_with_delay(tse_task_t *task, uint64_t delay)
{
	struct tse_task_private *dtp = tse_task_priv_check(task, __func__);
	struct tse_sched_private *dsp;
	int rc = 0;

	if (dtp == NULL)
		return -DER_INVAL;
	dsp = dtp->dtp_sched;

	sched_lock(dsp);
	if (dsp->dsp_cancelling) {
		D_ERROR("task %p: scheduler is canceling, cannot reinit\n", task);
		D_GOTO(out, rc = -DER_NO_PERM);
	}
	if (dtp->dtp_func == NULL) {
		D_ERROR("task %p: cannot reinit a task without body\n", task);
		D_GOTO(out, rc = -DER_INVAL);
	}

	switch (dtp->dtp_state) {
	case TSE_TS_RUNNING:
	case TSE_TS_COMPLETING:
		dsp->dsp_inflight--;
		break;
	case TSE_TS_DONE:
		/* back in the scheduler: it owns a reference again */
		task_addref(dtp);
		sched_addref_locked(dsp);
		break;
	case TSE_TS_COMPLETED:
		D_ERROR("task %p is being finalized, cannot reinit\n", task);
		D_GOTO(out, rc = -DER_BUSY);
	default:
		D_ERROR("task %p neither running nor completed (state %u), cannot reinit\n", task,
			dtp->dtp_state);
		D_GOTO(out, rc = -DER_NO_PERM);
	}

	d_list_del_init(&dtp->dtp_list);
	dtp->dtp_generation++;
	dtp->dtp_in_body = 0;
	dtp->dtp_deps_added = 0;
	if (dtp->dtp_stack_top != 0) {
		D_DEBUG(DB_TRACE, "task %p: reinit drops %u bytes of task stack\n", task,
			dtp->dtp_stack_top);
		dtp->dtp_stack_top = 0;
	}
	task->dt_result = 0;
	if (delay == 0) {
		dtp->dtp_wakeup_time = 0;
		dtp->dtp_state = TSE_TS_PENDING;
		d_list_add_tail(&dtp->dtp_list, &dsp->dsp_init_list);
	} else {
		dtp->dtp_wakeup_time = tse_now_us() + delay;
		insert_sleeping_locked(dsp, dtp);
	}
out:
	sched_unlock(dsp);
	return rc;
}

int
tse_task_reinit(tse_task_t *task)
{
	return tse_task_reinit_with_delay(task, 0);
}

int
tse_task_reset(tse_task_t *task, tse_task_func_t task_func, void *priv)
{
	struct tse_task_private *dtp = tse_task_priv_check(task, __func__);
	struct tse_sched_private *dsp;
	int rc = 0;

	if (dtp == NULL)
		return -DER_INVAL;
	dsp = dtp->dtp_sched;

	sched_lock(dsp);
	if (dsp->dsp_cancelling) {
		D_ERROR("task %p: scheduler is canceling, cannot reset\n", task);
		D_GOTO(out, rc = -DER_NO_PERM);
	}
	if (dtp->dtp_state != TSE_TS_INIT && dtp->dtp_state != TSE_TS_DONE) {
		D_ERROR("task %p is queued or running (state %u), cannot reset\n", task,
			dtp->dtp_state);
		D_GOTO(out, rc = -DER_NO_PERM);
	}
	if (!d_list_empty(&dtp->dtp_task_list) || !d_list_empty(&dtp->dtp_dep_list) ||
	    !d_list_empty(&dtp->dtp_prep_cb_list) || !d_list_empty(&dtp->dtp_comp_cb_list) ||
	    dtp->dtp_dep_cnt != 0) {
		D_ERROR("task %p still has lists, callbacks or dependencies, cannot reset\n", task);
		D_GOTO(out, rc = -DER_BUSY);
	}
	dtp->dtp_state = TSE_TS_INIT;
	dtp->dtp_stack_top = 0;
	dtp->dtp_embed_top = 0;
	dtp->dtp_wakeup_time = 0;
	dtp->dtp_func = task_func;
	dtp->dtp_priv = priv;
	dtp->dtp_generation++;
	task->dt_result = 0;
out:
	sched_unlock(dsp);
	return rc;
}

static int
register_cb(tse_task_t *task, bool is_comp, tse_task_cb_t cb, void *arg, size_t arg_size,
	    struct tse_task_cb **dtcp)
{
	struct tse_task_private *dtp = tse_task_priv_check(task, __func__);
	struct tse_sched_private *dsp;
	struct tse_task_cb *dtc;

	if (dtp == NULL || cb == NULL || (arg == NULL && arg_size != 0))
		return -DER_INVAL;
	dsp = dtp->dtp_sched;

	sched_lock(dsp);
	if (state_is_finished(dtp->dtp_state)) {
		sched_unlock(dsp);
		D_ERROR("task %p already completed, cannot add a callback\n", task);
		return -DER_NO_PERM;
	}
	dtc = node_alloc_locked(dsp, cb_node_size(arg_size));
	if (dtc == NULL) {
		sched_unlock(dsp);
		return -DER_NOMEM;
	}
	dtc->dtc_cb = cb;
	dtc->dtc_arg_size = arg_size;
	if (arg_size != 0)
		memcpy(dtc->dtc_arg, arg, arg_size);
	if (is_comp)
		d_list_add(&dtc->dtc_list, &dtp->dtp_comp_cb_list);
	else
		d_list_add_tail(&dtc->dtc_list, &dtp->dtp_prep_cb_list);
	sched_unlock(dsp);
	if (dtcp != NULL)
		*dtcp = dtc;
	return 0;
}

int
tse_task_register_comp_cb(tse_task_t *task, tse_task_cb_t comp_cb, void *arg, size_t arg_size)
{
	return register_cb(task, true, comp_cb, arg, arg_size, NULL);
}

int
tse_task_register_cbs(tse_task_t *task, tse_task_cb_t prep_cb, void *prep_data,
		      size_t prep_data_size, tse_task_cb_t comp_cb, void *comp_data,
		      size_t comp_data_size)
{
	int rc;

	if (prep_cb == NULL && comp_cb == NULL)
		return -DER_INVAL;
	if (prep_cb != NULL) {
		rc = register_cb(task, false, prep_cb, prep_data, prep_data_size, NULL);
		if (rc != 0)
			return rc;
	}
	if (comp_cb != NULL)
		return register_cb(task, true, comp_cb, comp_data, comp_data_size, NULL);
	return 0;
}

int
tse_task_register_comp_cb_and_reinit(tse_task_t *task, tse_task_cb_t comp_cb, void *arg,
				     size_t arg_size, uint64_t delay)
{
	struct tse_task_private *dtp;
	struct tse_sched_private *dsp;
	struct tse_task_cb *dtc;
	int rc;

	rc = register_cb(task, true, comp_cb, arg, arg_size, &dtc);
	if (rc != 0)
		return rc;
	rc = tse_task_reinit_with_delay(task, delay);
	if (rc != 0) {
		dtp = tse_task2priv(task);
		dsp = dtp->dtp_sched;
		sched_lock(dsp);
		d_list_del(&dtc->dtc_list);
		node_free_locked(dsp, dtc, cb_node_size(arg_size));
		sched_unlock(dsp);
	}
	return rc;
}

static void
lock_pair(struct tse_sched_private *a, struct tse_sched_private *b)
{
	if (a == b) {
		sched_lock(a);
	} else if ((uintptr_t)a < (uintptr_t)b) {
		sched_lock(a);
		sched_lock(b);
	} else {
		sched_lock(b);
		sched_lock(a);
	}
}

static void
unlock_pair(struct tse_sched_private *a, struct tse_sched_private *b)
{
	sched_unlock(a);
	if (a != b)
		sched_unlock(b);
}

int
tse_task_add_dependent(tse_task_t *task, tse_task_t *dep_task)
{
	struct tse_task_private *dtp = tse_task2priv(task);
	struct tse_task_private *dep = tse_task_priv_check(dep_task, __func__);
	struct tse_task_link *tlink;
	int rc = 0;

	if (dep == NULL)
		return -DER_INVAL;
	if (dep_task == task) {
		D_ERROR("task %p cannot depend on itself\n", task);
		return -DER_INVAL;
	}

	lock_pair(dtp->dtp_sched, dep->dtp_sched);
	if (state_is_finished(dtp->dtp_state)) {
		D_ERROR("task %p already completed, cannot add a dependency\n", task);
		D_GOTO(out, rc = -DER_NO_PERM);
	}
	/* nothing to wait for */
	if (state_is_finished(dep->dtp_state))
		D_GOTO(out, rc = 0);

	tlink = node_alloc_locked(dep->dtp_sched, sizeof(*tlink));
	if (tlink == NULL)
		D_GOTO(out, rc = -DER_NOMEM);
	tlink->tl_task = task;
	/* the link keeps the waiting task alive */
	task_addref(dtp);
	d_list_add_tail(&tlink->tl_link, &dep->dtp_dep_list);
	dtp->dtp_dep_cnt++;
	if (dtp->dtp_state == TSE_TS_READY) {
		dtp->dtp_state = TSE_TS_BLOCKED;
		d_list_move_tail(&dtp->dtp_list, &dtp->dtp_sched->dsp_blocked_list);
	} else if (dtp->dtp_state == TSE_TS_COMPLETING || dtp->dtp_state == TSE_TS_RUNNING) {
		dtp->dtp_deps_added = 1;
	}
out:
	unlock_pair(dtp->dtp_sched, dep->dtp_sched);
	return rc;
}

int
tse_task_register_deps(tse_task_t *task, int num_deps, tse_task_t *dep_tasks[])
{
	int i;
	int rc;

	if (tse_task_priv_check(task, __func__) == NULL || num_deps < 0 ||
	    (num_deps > 0 && dep_tasks == NULL))
		return -DER_INVAL;
	for (i = 0; i < num_deps; i++) {
		rc = tse_task_add_dependent(task, dep_tasks[i]);
		if (rc != 0)
			return rc;
	}
	return 0;
}

void
tse_disable_propagate(tse_task_t *task)
{
	struct tse_task_private *dtp = tse_task_priv_check(task, __func__);

	if (dtp == NULL)
		return;
	sched_lock(dtp->dtp_sched);
	dtp->dtp_no_propagate = 1;
	sched_unlock(dtp->dtp_sched);
}

uint8_t
tse_task_state_get(tse_task_t *task)
{
	struct tse_task_private *dtp = tse_task2priv(task);
	uint8_t state;

	sched_lock(dtp->dtp_sched);
	state = dtp->dtp_state;
	sched_unlock(dtp->dtp_sched);
	return state;
}
