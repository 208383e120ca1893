/**
 * Private layout of TSE tasks and schedulers; they live inside the opaque
 * space of tse_task_t and tse_sched_t (see src/common/README.md).
 */
#ifndef __TSE_INTERNAL_H__
#define __TSE_INTERNAL_H__

#include <daos/tse.h>
#include <gurt/list.h>

/*
 * Task states. Every state from TSE_TS_PENDING to TSE_TS_COMPLETED holds one
 * scheduler reference; RUNNING, COMPLETING and COMPLETED are "in flight".
 */
enum tse_task_state {
	/* created, not handed to the scheduler yet (or reset) */
	TSE_TS_INIT = 0,
	/* reinitialized: waits for the next progress pass (dsp_init_list) */
	TSE_TS_PENDING,
	/* waits for its dependencies (dsp_blocked_list) */
	TSE_TS_BLOCKED,
	/* dependencies done, body not started (dsp_ready_list) */
	TSE_TS_READY,
	/* delayed (dsp_sleeping_list, sorted by wake-up time) */
	TSE_TS_SLEEPING,
	/* prepare callbacks / body started, not completed (dsp_running_list) */
	TSE_TS_RUNNING,
	/* completion callbacks executing (on no list) */
	TSE_TS_COMPLETING,
	/* completed, dependents not released yet (dsp_complete_list) */
	TSE_TS_COMPLETED,
	/* finished and out of the scheduler */
	TSE_TS_DONE,
};

struct tse_sched_private;

/* Exactly 136 bytes of bookkeeping before the argument buffer (TSE_PRIV_SIZE). */
struct tse_task_private {
	struct tse_sched_private *dtp_sched;
	tse_task_func_t dtp_func;
	/* link on a user list (tse_task_list_add()) */
	d_list_t dtp_task_list;
	/* link on one of the scheduler lists, by state */
	d_list_t dtp_list;
	/* monotonic microseconds; non-zero only while sleeping */
	uint64_t dtp_wakeup_time;
	/* struct tse_task_link of the tasks waiting for this one */
	d_list_t dtp_dep_list;
	d_list_t dtp_prep_cb_list;
	/* newest first: completion callbacks run in reverse registration order */
	d_list_t dtp_comp_cb_list;
	/* dependencies not completed yet */
	uint32_t dtp_dep_cnt;
	/* atomic: decref must not need the scheduler, which may be gone */
	uint32_t dtp_refcnt;
	void *dtp_priv;
	void *dtp_priv_internal;
	/* bytes used from the top of dtp_buf by the task stack */
	uint16_t dtp_stack_top;
	/* bytes used from the bottom of dtp_buf by the embedded arguments */
	uint16_t dtp_embed_top;
	uint8_t dtp_state;
	uint8_t dtp_no_propagate : 1,
		/* a completion callback registered new dependencies */
		dtp_deps_added : 1,
		/* the body is executing; cancellation must not force-complete the task */
		dtp_in_body : 1;
	/* bumped by every reinit, so a callback loop can tell the task was requeued */
	uint16_t dtp_generation;
	char dtp_buf[TSE_TASK_ARG_LEN];
};

struct tse_task_cb {
	d_list_t dtc_list;
	tse_task_cb_t dtc_cb;
	size_t dtc_arg_size;
	char dtc_arg[] __attribute__((aligned(8)));
};

/* An edge "tl_task waits for the task whose dtp_dep_list holds this". */
struct tse_task_link {
	d_list_t tl_link;
	tse_task_t *tl_task;
};

struct tse_sched_comp {
	d_list_t dsc_list;
	tse_sched_comp_cb_t dsc_comp_cb;
	void *dsc_arg;
};

struct tse_sched_private {
	pthread_mutex_t dsp_lock;
	d_list_t dsp_init_list;
	d_list_t dsp_blocked_list;
	d_list_t dsp_ready_list;
	d_list_t dsp_sleeping_list;
	d_list_t dsp_running_list;
	d_list_t dsp_complete_list;
	d_list_t dsp_comp_cb_list;
	/* recycled small nodes (dependency links, callbacks with small arguments) */
	d_list_t dsp_node_cache;
	uint32_t dsp_node_nr;
	uint32_t dsp_magic;
	int dsp_refcount;
	/* tasks RUNNING, COMPLETING or COMPLETED */
	int dsp_inflight;
	uint32_t dsp_cancelling : 1, dsp_completing : 1;
};

static inline struct tse_task_private *
tse_task2priv(tse_task_t *task)
{
	return (struct tse_task_private *)&task->dt_private;
}

static inline tse_task_t *
tse_priv2task(struct tse_task_private *dtp)
{
	return container_of((void *)dtp, tse_task_t, dt_private);
}

static inline struct tse_sched_private *
tse_sched2priv(tse_sched_t *sched)
{
	return (struct tse_sched_private *)&sched->ds_private;
}

static inline tse_sched_t *
tse_priv2sched(struct tse_sched_private *dsp)
{
	return container_of((void *)dsp, tse_sched_t, ds_private);
}

/* Validated private part of \a task (logs on behalf of \a who), or NULL. */
struct tse_task_private *tse_task_priv_check(tse_task_t *task, const char *who);

/* Make \a task wait for \a dep. */
int tse_task_add_dependent(tse_task_t *task, tse_task_t *dep);

/* Current state of \a task, read under its scheduler lock. */
uint8_t tse_task_state_get(tse_task_t *task);

#endif /* __TSE_INTERNAL_H__ */
