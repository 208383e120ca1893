/**
 * Client tasks: TSE tasks bound to events (daos/task.h).
 */
#define D_LOGFAC DD_FAC(client)

#include "client_internal.h"

#define DC_TASK_MAGIC 0xdc7a5c00U

/* Lives in the task's embedded buffer. */
struct dc_task_args {
	uint32_t ta_magic;
	uint32_t ta_opc;
	daos_event_t *ta_ev;
	/* generation of the event's launch this task completes */
	uint32_t ta_gen;
	bool ta_launched;
	uint64_t ta_args[DC_TASK_ARGS_SIZE / sizeof(uint64_t)];
};

D_CASSERT(sizeof(struct dc_task_args) <= TSE_TASK_ARG_LEN);

static struct dc_task_args *
dc_task2args(tse_task_t *task)
{
	struct dc_task_args *args;

	if (task == NULL)
		return NULL;
	args = tse_task_buf_embedded(task, sizeof(*args));
	if (args == NULL || args->ta_magic != DC_TASK_MAGIC)
		return NULL;
	return args;
}

/* Registered first, so it runs after the callbacks the operation registers later. */
static int
dc_task_comp_event(tse_task_t *task, void *data)
{
	struct dc_task_args *args = dc_task2args(task);

	if (args != NULL && args->ta_ev != NULL && args->ta_launched)
		ev_complete_gen(args->ta_ev, args->ta_gen, task->dt_result);
	return 0;
}

int
dc_task_create(tse_task_func_t func, tse_sched_t *sched, daos_event_t *ev, tse_task_t **taskp)
{
	struct dc_task_args *args;
	tse_task_t *task;
	int rc;

	if (taskp == NULL)
		return -DER_INVAL;
	if (sched == NULL) {
		if (ev == NULL) {
			rc = daos_event_priv_get(&ev);
			if (rc != 0)
				return rc;
		}
		sched = daos_ev2sched(ev);
		if (sched == NULL)
			return -DER_INVAL;
	}

	rc = tse_task_create(func, sched, NULL, &task);
	if (rc != 0)
		return rc;
	args = tse_task_buf_embedded(task, sizeof(*args));
	if (args == NULL) {
		tse_task_decref(task);
		return -DER_NOMEM;
	}
	memset(args, 0, sizeof(*args));
	args->ta_magic = DC_TASK_MAGIC;
	if (ev != NULL) {
		rc = tse_task_register_comp_cb(task, dc_task_comp_event, NULL, 0);
		if (rc != 0) {
			tse_task_decref(task);
			return rc;
		}
		args->ta_ev = ev;
	}
	*taskp = task;
	return 0;
}

int
dc_task_schedule(tse_task_t *task, bool instant)
{
	struct dc_task_args *args = dc_task2args(task);
	daos_event_t *ev;
	bool priv;
	int rc;

	if (args == NULL)
		return -DER_INVAL;
	ev = args->ta_ev;
	priv = daos_event_is_priv(ev);

	if (ev != NULL) {
		rc = ev_launch_gen(ev, &args->ta_gen);
		if (rc != 0) {
			/* the event is untouched: the caller gets the error, the task is dropped */
			D_ERROR("cannot launch event %p: %d\n", ev, rc);
			tse_task_complete(task, rc);
			return rc;
		}
		args->ta_launched = true;
	}

	/*
	 * An instant schedule returns the result of a body that already completed
	 * the task; a body that fails must complete its task. Either way the
	 * event learns the outcome from the task's completion, not from here.
	 */
	rc = tse_task_schedule(task, instant);
	if (rc != 0)
		D_DEBUG(DB_TRACE, "task %p scheduled: %d\n", task, rc);
	else if (!instant && !priv)
		/* whoever waits on the EQ runs queued tasks: tell it there is one */
		daos_sched_kick(tse_task2sched(task));

	if (priv)
		return daos_event_priv_wait();
	return 0;
}

void
dc_task_list_sched(d_list_t *head, bool instant)
{
	tse_task_t *task;

	while ((task = tse_task_list_first(head)) != NULL) {
		tse_task_list_del(task);
		dc_task_schedule(task, instant);
	}
}

void *
dc_task_get_args(tse_task_t *task)
{
	struct dc_task_args *args = dc_task2args(task);

	return args == NULL ? NULL : args->ta_args;
}

daos_event_t *
dc_task_get_event(tse_task_t *task)
{
	struct dc_task_args *args = dc_task2args(task);

	return args == NULL ? NULL : args->ta_ev;
}

void
dc_task_set_opc(tse_task_t *task, uint32_t opc)
{
	struct dc_task_args *args = dc_task2args(task);

	if (args != NULL)
		args->ta_opc = opc;
}

uint32_t
dc_task_get_opc(tse_task_t *task)
{
	struct dc_task_args *args = dc_task2args(task);

	return args == NULL ? 0 : args->ta_opc;
}

void *
daos_task2ctx(tse_task_t *task)
{
	return daos_sched2ctx(tse_task2sched(task));
}

static int
sched_empty_cond(void *arg)
{
	return tse_sched_check_complete(arg) ? 1 : 0;
}

int
daos_progress(tse_sched_t *sched, int64_t timeout, bool *is_empty)
{
	struct ev_dom *dom;
	int rc;

	if (sched == NULL || is_empty == NULL)
		return -DER_INVAL;
	dom = ev_sched2dom(sched);
	if (dom == NULL) {
		/* a caller's own scheduler: nothing to sleep on, just run what is ready */
		tse_sched_progress(sched);
		*is_empty = tse_sched_check_complete(sched);
		return 0;
	}
	rc = ev_dom_wait(dom, timeout, sched_empty_cond, sched);
	*is_empty = tse_sched_check_complete(sched);
	return rc == -DER_TIMEDOUT ? 0 : rc;
}
