/**
 * TSE helpers that do not touch the scheduler queues: the embedded argument
 * buffer and task stack, private data, and the user task lists.
 */
#define D_LOGFAC DD_FAC(tse)

#include <gurt/common.h>
#include <daos/tse.h>
#include "tse_internal.h"

/* ------------------------------------------------------------------------
 * Embedded buffer and task stack
 * ------------------------------------------------------------------------ */

static inline uint32_t
buf_round(uint32_t size)
{
	return (size + 7) & ~7u;
}

void *
tse_task2arg(tse_task_t *task)
{
	return tse_task2priv(task)->dtp_buf;
}

tse_sched_t *
tse_task2sched(tse_task_t *task)
{
	struct tse_task_private *dtp = tse_task_priv_check(task, __func__);

	return dtp == NULL ? NULL : tse_priv2sched(dtp->dtp_sched);
}

void *
tse_task_buf_embedded(tse_task_t *task, int size)
{
	struct tse_task_private *dtp = tse_task2priv(task);
	uint32_t need;

	if (size < 0 || (size_t)size > TSE_TASK_ARG_LEN) {
		D_ERROR("task %p: embedded buffer of %d bytes does not fit\n", task, size);
		return NULL;
	}
	need = buf_round((uint32_t)size);
	if (need + dtp->dtp_stack_top > TSE_TASK_ARG_LEN) {
		D_ERROR("task %p: embedded buffer of %d bytes does not fit (stack uses %u of "
			"%zu)\n",
			task, size, dtp->dtp_stack_top, (size_t)TSE_TASK_ARG_LEN);
		return NULL;
	}
	dtp->dtp_embed_top = need;
	return dtp->dtp_buf;
}

void *
tse_task_stack_push(tse_task_t *task, uint32_t size)
{
	struct tse_task_private *dtp = tse_task2priv(task);
	uint32_t avail;

	avail = TSE_TASK_ARG_LEN - dtp->dtp_stack_top - dtp->dtp_embed_top;
	if (size > avail || buf_round(size) > avail) {
		D_ERROR("task %p: stack push of %u bytes exceeds the %u bytes left\n", task, size,
			avail);
		return NULL;
	}
	dtp->dtp_stack_top += buf_round(size);
	return dtp->dtp_buf + TSE_TASK_ARG_LEN - dtp->dtp_stack_top;
}

void *
tse_task_stack_pop(tse_task_t *task, uint32_t size)
{
	struct tse_task_private *dtp = tse_task2priv(task);
	void *ptr;

	if (size > dtp->dtp_stack_top || buf_round(size) > dtp->dtp_stack_top) {
		D_ERROR("task %p: stack pop of %u bytes but only %u pushed\n", task, size,
			dtp->dtp_stack_top);
		return NULL;
	}
	ptr = dtp->dtp_buf + TSE_TASK_ARG_LEN - dtp->dtp_stack_top;
	dtp->dtp_stack_top -= buf_round(size);
	return ptr;
}

void
tse_task_stack_push_data(tse_task_t *task, void *data, uint32_t data_len)
{
	void *ptr = tse_task_stack_push(task, data_len);

	if (ptr != NULL && data_len != 0)
		memcpy(ptr, data, data_len);
}

void
tse_task_stack_pop_data(tse_task_t *task, void *data, uint32_t data_len)
{
	void *ptr = tse_task_stack_pop(task, data_len);

	if (ptr != NULL && data_len != 0)
		memcpy(data, ptr, data_len);
}

void *
tse_task_get_priv(tse_task_t *task)
{
	return tse_task2priv(task)->dtp_priv;
}

void *
tse_task_set_priv(tse_task_t *task, void *priv)
{
	struct tse_task_private *dtp = tse_task2priv(task);
	void *old = dtp->dtp_priv;

	dtp->dtp_priv = priv;
	return old;
}

void *
tse_task_get_priv_internal(tse_task_t *task)
{
	return tse_task2priv(task)->dtp_priv_internal;
}

void *
tse_task_set_priv_internal(tse_task_t *task, void *priv)
{
	struct tse_task_private *dtp = tse_task2priv(task);
	void *old = dtp->dtp_priv_internal;

	dtp->dtp_priv_internal = priv;
	return old;
}

/* ------------------------------------------------------------------------
 * User task lists (not locked: the caller owns the list)
 * ------------------------------------------------------------------------ */

int
tse_task_list_add(tse_task_t *task, d_list_t *head)
{
	struct tse_task_private *dtp = tse_task_priv_check(task, __func__);
	uint8_t state;

	if (dtp == NULL || head == NULL)
		return -DER_INVAL;
	state = tse_task_state_get(task);
	if (state != TSE_TS_INIT && (state < TSE_TS_PENDING || state > TSE_TS_SLEEPING)) {
		D_ERROR("task %p already started, cannot add it to a list\n", task);
		return -DER_NO_PERM;
	}
	if (!d_list_empty(&dtp->dtp_task_list)) {
		D_ERROR("task %p is already on a list\n", task);
		return -DER_BUSY;
	}
	d_list_add_tail(&dtp->dtp_task_list, head);
	return 0;
}

void
tse_task_list_del(tse_task_t *task)
{
	d_list_del_init(&tse_task2priv(task)->dtp_task_list);
}

tse_task_t *
tse_task_list_first(d_list_t *head)
{
	struct tse_task_private *dtp;

	dtp = d_list_first_entry_or_null(head, struct tse_task_private, dtp_task_list);
	return dtp == NULL ? NULL : tse_priv2task(dtp);
}

void
tse_task_list_sched(d_list_t *head, bool instant)
{
	tse_task_t *task;

	while ((task = tse_task_list_first(head)) != NULL) {
		tse_task_list_del(task);
		tse_task_schedule(task, instant);
	}
}

void
tse_task_list_abort(d_list_t *head, int rc)
{
	tse_task_t *task;

	while ((task = tse_task_list_first(head)) != NULL) {
		tse_task_list_del(task);
		tse_task_complete(task, rc);
	}
}

int
tse_task_list_depend(d_list_t *head, tse_task_t *task)
{
	struct tse_task_private *dtp;
	int rc;

	d_list_for_each_entry(dtp, head, dtp_task_list)
	{
		rc = tse_task_add_dependent(tse_priv2task(dtp), task);
		if (rc != 0)
			return rc;
	}
	return 0;
}

int
tse_task_depend_list(tse_task_t *task, d_list_t *head)
{
	struct tse_task_private *dtp;
	int rc;

	if (tse_task_priv_check(task, __func__) == NULL)
		return -DER_INVAL;
	d_list_for_each_entry(dtp, head, dtp_task_list)
	{
		rc = tse_task_add_dependent(task, tse_priv2task(dtp));
		if (rc != 0)
			return rc;
	}
	return 0;
}

int
tse_task_list_traverse(d_list_t *head, tse_task_cb_t cb, void *arg)
{
	struct tse_task_private *dtp;
	struct tse_task_private *tmp;
	int ret = 0;
	int rc;

	d_list_for_each_entry_safe(dtp, tmp, head, dtp_task_list)
	{
		rc = cb(tse_priv2task(dtp), arg);
		if (rc != 0)
			ret = rc;
	}
	return ret;
}

int
tse_task_list_traverse_adv(d_list_t *head, tse_task_cb_t cb, void *arg)
{
	d_list_t *cur;
	d_list_t *next;
	int ret = 0;
	int rc;

	/* Read the successor before the callback: it may zero or reuse cur's link. */
	for (cur = head->next; cur != head; cur = next) {
		next = cur->next;
		rc = cb(tse_priv2task(d_list_entry(cur, struct tse_task_private, dtp_task_list)),
			arg);
		if (rc != 0)
			ret = rc;
	}
	return ret;
}
