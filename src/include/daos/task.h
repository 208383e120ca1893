/**
 * Client tasks: TSE tasks bound to a DAOS event. Every client API call is
 * built the same way:
 *
 *	rc = dc_task_create(dc_xxx, NULL, ev, &task);    (ev may be NULL: blocking)
 *	args = dc_task_get_args(task);                    (fill in the arguments)
 *	return dc_task_schedule(task, true);
 *
 * When the task completes its result completes the event. For a NULL event
 * the thread's private event is used and dc_task_schedule() waits for it and
 * returns the operation's result; for a user event it returns at once.
 */
#ifndef __DAOS_CLI_TASK_H__
#define __DAOS_CLI_TASK_H__

#include <daos_types.h>
#include <daos/tse.h>

#if defined(__cplusplus)
extern "C" {
#endif

/** Bytes of argument space dc_task_get_args() gives each task. */
#define DC_TASK_ARGS_SIZE 512

/**
 * Create a task running \a func on \a sched, bound to \a ev. With a NULL
 * \a sched the task runs on the event's scheduler; with a NULL \a ev as well
 * the calling thread's private event is taken (a blocking call). The task
 * must be handed to dc_task_schedule(), or released with dc_task_decref()
 * before it is scheduled.
 */
int dc_task_create(tse_task_func_t func, tse_sched_t *sched, daos_event_t *ev, tse_task_t **taskp);

/**
 * Launch the task's event and schedule the task (\a instant: run its body
 * now). With the private event, wait for completion and return the
 * operation's result; otherwise return 0 (errors reach the event).
 */
int dc_task_schedule(tse_task_t *task, bool instant);

/** Schedule (dc_task_schedule) every task on \a head, emptying it. */
void dc_task_list_sched(d_list_t *head, bool instant);

/** Argument space of a task made by dc_task_create (DC_TASK_ARGS_SIZE bytes, zeroed). */
void *dc_task_get_args(tse_task_t *task);

/** The event a task made by dc_task_create is bound to (NULL if none). */
daos_event_t *dc_task_get_event(tse_task_t *task);

void dc_task_set_opc(tse_task_t *task, uint32_t opc);

uint32_t dc_task_get_opc(tse_task_t *task);

/** The network context the task's scheduler progresses (NULL without a network). */
void *daos_task2ctx(tse_task_t *task);

/*
 * Thin names over TSE, as upstream's client code uses them.
 */
#define dc_task_addref(task)            tse_task_addref(task)
#define dc_task_decref(task)            tse_task_decref(task)
#define dc_task_set_priv(task, priv)    tse_task_set_priv(task, priv)
#define dc_task_get_priv(task)          tse_task_get_priv(task)
#define dc_task_list_add(task, head)    tse_task_list_add(task, head)
#define dc_task_list_del(task)          tse_task_list_del(task)
#define dc_task_list_first(head)        tse_task_list_first(head)
#define dc_task_list_depend(head, task) tse_task_list_depend(head, task)
#define dc_task_depend_list(task, head) tse_task_depend_list(task, head)
#define dc_task_reg_comp_cb(task, comp_cb, arg, arg_size) \
	tse_task_register_comp_cb(task, comp_cb, arg, arg_size)
#define dc_task_depend(task, dep_nr, dep_tasks) tse_task_register_deps(task, dep_nr, dep_tasks)
#define dc_task_resched(task)                   tse_task_reinit(task)

/**
 * Progress \a sched until it has no task left or \a timeout (us, or
 * DAOS_EQ_WAIT/DAOS_EQ_NOWAIT) passes; \a is_empty tells which.
 */
int daos_progress(tse_sched_t *sched, int64_t timeout, bool *is_empty);

#if defined(__cplusplus)
}
#endif

#endif /* __DAOS_CLI_TASK_H__ */
