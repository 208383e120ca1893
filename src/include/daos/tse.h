/**
 * TSE, the task scheduler engine: asynchronous operations are tasks attached
 * to a scheduler; tasks may depend on other tasks, carry prepare and
 * completion callbacks and an embedded argument buffer. The scheduler runs a
 * task's body once everything it depends on has completed.
 *
 * Task life cycle (see src/common/README.md for the details):
 *   tse_task_create() -> tse_task_schedule() -> body runs when its
 *   dependencies are done -> somebody calls tse_task_complete() ->
 *   completion callbacks -> dependents are released -> the task is freed
 *   (unless the caller holds a reference taken with tse_task_addref()).
 *
 * The sizes and layout of tse_task_t and tse_sched_t are part of the ABI and
 * match DAOS's.
 */
#ifndef __TSE_SCHEDULE_H__
#define __TSE_SCHEDULE_H__

#include <gurt/list.h>

#include <pthread.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stddef.h>

#if defined(__cplusplus)
extern "C" {
#endif

/** Size of the embedded argument buffer of a task (depends on the arch's mutex size). */
#define TSE_TASK_ARG_LEN (840 + sizeof(pthread_mutex_t))
/** Size of the engine's private part of a task. */
#define TSE_PRIV_SIZE (TSE_TASK_ARG_LEN + 136)
/** Size of a task: the private part plus 8 bytes of public members. */
#define TSE_TASK_SIZE (TSE_PRIV_SIZE + 8)

/** One asynchronous operation. */
typedef struct tse_task {
	/** result of the operation, valid once the task completed */
	int dt_result;
	/** padding */
	int dt_pad32;
	/** engine private space */
	struct {
		char dt_space[TSE_PRIV_SIZE];
	} dt_private;
} tse_task_t;

/** A scheduler: tracks a set of tasks. */
typedef struct {
	/** first error of all tasks (and of the completion callbacks), valid once complete */
	int ds_result;
	/** user data given to tse_sched_init(); passed to its completion callback */
	void *ds_udata;
	/** engine private space */
	struct {
		uint64_t ds_space[48];
	} ds_private;
} tse_sched_t;

/** Called when the scheduler completes, with the scheduler's result. */
typedef int (*tse_sched_comp_cb_t)(void *args, int rc);
/** Body of a task. */
typedef int (*tse_task_func_t)(tse_task_t *);
/** Prepare, completion and list-traversal callback. */
typedef int (*tse_task_cb_t)(tse_task_t *, void *arg);

/** Embedded argument buffer of \a task (same as tse_task_buf_embedded(task, 0)). */
void *tse_task2arg(tse_task_t *task);

/** Scheduler \a task belongs to. */
tse_sched_t *tse_task2sched(tse_task_t *task);

/**
 * Initialize \a sched. \a comp_cb (optional) runs with \a udata when the
 * scheduler is completed by tse_sched_complete(); \a udata is kept in
 * ds_udata. Returns 0 or a negative DER error.
 */
int tse_sched_init(tse_sched_t *sched, tse_sched_comp_cb_t comp_cb, void *udata);

/**
 * Release the scheduler's resources. Normally implicit: it runs when the last
 * reference goes away after tse_sched_complete(), and a call after that does
 * nothing. Calling it on a scheduler that still has tasks is an error
 * (logged; the scheduler is left intact).
 */
void tse_sched_fini(tse_sched_t *sched);

/** Take a reference on \a sched. */
void tse_sched_addref(tse_sched_t *sched);

/** Drop a reference on \a sched; the last one finalizes it. */
void tse_sched_decref(tse_sched_t *sched);

/**
 * Drive every task of \a sched to completion, run the scheduler completion
 * callbacks and drop the reference of tse_sched_init(). With \a cancel,
 * tasks that have not started complete at once with -DER_CANCELED (their
 * completion callbacks run) and started tasks that nobody completes are
 * completed with -DER_CANCELED. \a ret becomes ds_result unless a task failed
 * first. If another thread is already completing \a sched, returns at once.
 */
void tse_sched_complete(tse_sched_t *sched, int ret, bool cancel);

/** Add a completion callback to \a sched; callbacks run in reverse order of registration. */
int tse_sched_register_comp_cb(tse_sched_t *sched, tse_sched_comp_cb_t comp_cb, void *arg);

/**
 * Run the tasks of \a sched that are ready (dependencies done, delay expired)
 * and finish the tasks that completed. Does not block.
 */
void tse_sched_progress(tse_sched_t *sched);

/** True when \a sched has no queued, sleeping, running or completing task. */
bool tse_sched_check_complete(tse_sched_t *sched);

/**
 * Allocate a task running \a task_func (may be NULL: the task then completes
 * once its dependencies are done) in \a sched, with private data \a priv.
 * The scheduler owns the task: it is freed after it completes unless the
 * caller took a reference.
 */
int tse_task_create(tse_task_func_t task_func, tse_sched_t *sched, void *priv, tse_task_t **taskp);

/**
 * Hand \a task to its scheduler. With \a instant and no pending dependency or
 * prepare callback, the body runs right now in this call and the task's
 * result is returned if the body completed it; otherwise the body runs from
 * tse_sched_progress().
 */
int tse_task_schedule(tse_task_t *task, bool instant);

/** Like tse_task_schedule(), but the body does not run before \a delay microseconds. */
int tse_task_schedule_with_delay(tse_task_t *task, bool instant, uint64_t delay);

/**
 * Add a completion callback; \a arg_size bytes of \a arg are copied and the
 * copy is passed to the callback. Completion callbacks run in reverse order
 * of registration.
 */
int tse_task_register_comp_cb(tse_task_t *task, tse_task_cb_t comp_cb, void *arg, size_t arg_size);

/**
 * Register \a comp_cb and reinitialize \a task (as tse_task_reinit_with_delay())
 * in one step; if the reinit fails the callback is removed again.
 */
int tse_task_register_comp_cb_and_reinit(tse_task_t *task, tse_task_cb_t comp_cb, void *arg,
					 size_t arg_size, uint64_t delay);

/**
 * Complete \a task with result \a ret (kept unless the task already holds an
 * error). Runs the completion callbacks, releases the dependent tasks and
 * drops the scheduler's reference. Completing a task twice is an error: it
 * is logged and the second call is ignored.
 */
void tse_task_complete(tse_task_t *task, int ret);

/**
 * The embedded argument buffer of \a task, of at least \a size bytes; NULL if
 * \a size does not fit (together with what is pushed on the task stack).
 */
void *tse_task_buf_embedded(tse_task_t *task, int size);

/** Private data of \a task. */
void *tse_task_get_priv(tse_task_t *task);

/** Replace the private data of \a task; returns the old one. */
void *tse_task_set_priv(tse_task_t *task, void *priv);

/** Engine-internal private data (used by the DAOS client layers). */
void *tse_task_get_priv_internal(tse_task_t *task);

/** Replace the engine-internal private data; returns the old one. */
void *tse_task_set_priv_internal(tse_task_t *task, void *priv);

/**
 * Reserve \a size bytes on the task stack (the top of the embedded buffer,
 * growing down). Returns NULL when there is no room.
 */
void *tse_task_stack_push(tse_task_t *task, uint32_t size);

/** Release \a size bytes from the task stack; returns where they were, or NULL on underflow. */
void *tse_task_stack_pop(tse_task_t *task, uint32_t size);

/** Push a copy of \a data_len bytes of \a data on the task stack. */
void tse_task_stack_push_data(tse_task_t *task, void *data, uint32_t data_len);

/** Pop \a data_len bytes from the task stack into \a data. */
void tse_task_stack_pop_data(tse_task_t *task, void *data, uint32_t data_len);

/**
 * \a task runs only after all \a num_deps tasks of \a dep_tasks completed.
 * Dependencies that already completed are skipped. A dependency's error
 * becomes the task's result unless tse_disable_propagate() was called.
 */
int tse_task_register_deps(tse_task_t *task, int num_deps, tse_task_t *dep_tasks[]);

/**
 * Register a prepare callback (runs before the body, in registration order)
 * and/or a completion callback; their data is copied.
 */
int tse_task_register_cbs(tse_task_t *task, tse_task_cb_t prep_cb, void *prep_data,
			  size_t prep_data_size, tse_task_cb_t comp_cb, void *comp_data,
			  size_t comp_data_size);

/**
 * Put a running or completed task back in its scheduler so its body runs
 * again (typically from a completion callback, to retry). Once this returns,
 * another thread may run the task.
 */
int tse_task_reinit(tse_task_t *task);

/** Like tse_task_reinit(), but the body does not run again before \a delay microseconds. */
int tse_task_reinit_with_delay(tse_task_t *task, uint64_t delay);

/**
 * Reuse a task that finished (the caller holds a reference, which the
 * scheduler then owns) or was never scheduled, with a new body and private data.
 */
int tse_task_reset(tse_task_t *task, tse_task_func_t task_func, void *priv);

/** Take a reference on \a task. */
void tse_task_addref(tse_task_t *task);

/** Drop a reference on \a task; the last one frees it. */
void tse_task_decref(tse_task_t *task);

/** Link a task that has not started yet on the user list \a head. */
int tse_task_list_add(tse_task_t *task, d_list_t *head);

/** Unlink \a task from its user list. */
void tse_task_list_del(tse_task_t *task);

/** First task of user list \a head, or NULL. */
tse_task_t *tse_task_list_first(d_list_t *head);

/** Unlink and schedule every task of \a head. */
void tse_task_list_sched(d_list_t *head, bool instant);

/** Unlink and complete with \a rc every task of \a head. */
void tse_task_list_abort(d_list_t *head, int rc);

/** Every task on \a head depends on \a task. */
int tse_task_list_depend(d_list_t *head, tse_task_t *task);

/** \a task depends on every task on \a head. */
int tse_task_depend_list(tse_task_t *task, d_list_t *head);

/**
 * Call \a cb(task, arg) for every task on \a head; \a cb may unlink the task
 * it is given. Returns the last non-zero result of \a cb, or 0.
 */
int tse_task_list_traverse(d_list_t *head, tse_task_cb_t cb, void *arg);

/**
 * Like tse_task_list_traverse(), but \a cb may also zero or reuse the list
 * link of the task it is given (the walk never touches it again).
 */
int tse_task_list_traverse_adv(d_list_t *head, tse_task_cb_t cb, void *arg);

/** Errors of \a task's dependencies are not copied into its result. */
void tse_disable_propagate(tse_task_t *task);

#if defined(__cplusplus)
}
#endif

#endif /* __TSE_SCHEDULE_H__ */
