/**
 * Unit tests of the TSE task scheduler engine.
 */
#define D_LOGFAC DD_FAC(tests)

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <pthread.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include <gurt/common.h>
#include <daos/tse.h>

/* cmocka has no DER-aware comparison; print results as ints */
#define assert_rc_equal(rc, expected) assert_int_equal(rc, expected)

static uint64_t
now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000ULL + (uint64_t)ts.tv_nsec / 1000;
}

/* Body that completes its task with the int stored in its private data (or 0). */
static int
body_complete(tse_task_t *task)
{
	int *rc = tse_task_get_priv(task);

	tse_task_complete(task, rc == NULL ? 0 : *rc);
	return 0;
}

/* Body that counts its runs in an int given as private data and completes. */
static int
body_count(tse_task_t *task)
{
	int *cnt = tse_task_get_priv(task);

	(*cnt)++;
	tse_task_complete(task, 0);
	return 0;
}

/* Body that only counts (the test completes the task). */
static int
body_count_only(tse_task_t *task)
{
	int *cnt = tse_task_get_priv(task);

	(*cnt)++;
	return 0;
}

static void
test_simple(void **state)
{
	tse_sched_t sched;
	tse_task_t *task;
	int cnt = 0;
	int rc;

	assert_rc_equal(tse_sched_init(&sched, NULL, NULL), 0);
	assert_rc_equal(tse_task_create(body_count, &sched, &cnt, &task), 0);
	assert_rc_equal(tse_task_schedule(task, false), 0);
	assert_int_equal(cnt, 0);
	assert_false(tse_sched_check_complete(&sched));
	tse_sched_progress(&sched);
	assert_int_equal(cnt, 1);
	assert_true(tse_sched_check_complete(&sched));

	/* instant: the body runs inside tse_task_schedule() and its result comes back */
	rc = -DER_IO;
	assert_rc_equal(tse_task_create(body_complete, &sched, &rc, &task), 0);
	assert_rc_equal(tse_task_schedule(task, true), -DER_IO);
	assert_true(tse_sched_check_complete(&sched));

	tse_sched_complete(&sched, 0, false);
	assert_int_equal(sched.ds_result, -DER_IO);
}

#define NDEPS 16

struct n1_arg {
	int done;
	int seen_done;
	bool ran;
};

static int
body_dep(tse_task_t *task)
{
	struct n1_arg *a = tse_task_get_priv(task);

	a->done++;
	tse_task_complete(task, 0);
	return 0;
}

static int
body_waiter(tse_task_t *task)
{
	struct n1_arg *a = tse_task_get_priv(task);

	a->seen_done = a->done;
	a->ran = true;
	tse_task_complete(task, 0);
	return 0;
}

static void
test_n_to_1(void **state)
{
	tse_sched_t sched;
	tse_task_t *deps[NDEPS];
	tse_task_t *waiter;
	struct n1_arg a = {0};
	int i;

	assert_rc_equal(tse_sched_init(&sched, NULL, NULL), 0);
	assert_rc_equal(tse_task_create(body_waiter, &sched, &a, &waiter), 0);
	for (i = 0; i < NDEPS; i++)
		assert_rc_equal(tse_task_create(body_dep, &sched, &a, &deps[i]), 0);
	assert_rc_equal(tse_task_register_deps(waiter, NDEPS, deps), 0);
	/* the waiter is queued first but must run last */
	assert_rc_equal(tse_task_schedule(waiter, false), 0);
	for (i = 0; i < NDEPS; i++)
		assert_rc_equal(tse_task_schedule(deps[i], false), 0);
	tse_sched_progress(&sched);
	assert_true(a.ran);
	assert_int_equal(a.seen_done, NDEPS);
	assert_true(tse_sched_check_complete(&sched));

	/* deps completed from outside one by one: the waiter runs only after the last */
	memset(&a, 0, sizeof(a));
	assert_rc_equal(tse_task_create(body_waiter, &sched, &a, &waiter), 0);
	for (i = 0; i < NDEPS; i++) {
		assert_rc_equal(tse_task_create(NULL, &sched, NULL, &deps[i]), 0);
		assert_rc_equal(tse_task_schedule(deps[i], false), 0);
	}
	assert_rc_equal(tse_task_register_deps(waiter, NDEPS, deps), 0);
	assert_rc_equal(tse_task_schedule(waiter, false), 0);
	for (i = 0; i < NDEPS; i++) {
		tse_sched_progress(&sched);
		assert_false(a.ran);
		tse_task_complete(deps[i], 0);
	}
	tse_sched_progress(&sched);
	assert_true(a.ran);
	tse_sched_complete(&sched, 0, false);
	assert_int_equal(sched.ds_result, 0);
}

static void
test_1_to_n(void **state)
{
	tse_sched_t sched;
	tse_task_t *first;
	tse_task_t *t;
	int first_cnt = 0;
	int cnt = 0;
	int i;

	assert_rc_equal(tse_sched_init(&sched, NULL, NULL), 0);
	assert_rc_equal(tse_task_create(body_count_only, &sched, &first_cnt, &first), 0);
	for (i = 0; i < NDEPS; i++) {
		assert_rc_equal(tse_task_create(body_count, &sched, &cnt, &t), 0);
		assert_rc_equal(tse_task_register_deps(t, 1, &first), 0);
		assert_rc_equal(tse_task_schedule(t, false), 0);
	}
	assert_rc_equal(tse_task_schedule(first, false), 0);
	tse_sched_progress(&sched);
	assert_int_equal(first_cnt, 1);
	tse_sched_progress(&sched);
	assert_int_equal(cnt, 0);
	tse_task_complete(first, 0);
	tse_sched_progress(&sched);
	assert_int_equal(cnt, NDEPS);
	tse_sched_complete(&sched, 0, false);
}

#define CHAIN_LEN 1000

struct chain_arg {
	int next;
	int order_ok;
};

static int
body_chain(tse_task_t *task)
{
	struct chain_arg *c = tse_task_get_priv(task);
	int *idx = tse_task_buf_embedded(task, sizeof(int));

	if (*idx == c->next)
		c->order_ok++;
	c->next++;
	tse_task_complete(task, 0);
	return 0;
}

static void
test_chain(void **state)
{
	tse_sched_t sched;
	tse_task_t *prev = NULL;
	tse_task_t *tasks[CHAIN_LEN];
	struct chain_arg c = {0};
	int i;

	assert_rc_equal(tse_sched_init(&sched, NULL, NULL), 0);
	for (i = 0; i < CHAIN_LEN; i++) {
		int *idx;

		assert_rc_equal(tse_task_create(body_chain, &sched, &c, &tasks[i]), 0);
		idx = tse_task_buf_embedded(tasks[i], sizeof(int));
		*idx = i;
		if (prev != NULL)
			assert_rc_equal(tse_task_register_deps(tasks[i], 1, &prev), 0);
		prev = tasks[i];
	}
	/* schedule in reverse so the order comes from the dependencies only */
	for (i = CHAIN_LEN - 1; i >= 0; i--)
		assert_rc_equal(tse_task_schedule(tasks[i], false), 0);
	tse_sched_progress(&sched);
	assert_int_equal(c.next, CHAIN_LEN);
	assert_int_equal(c.order_ok, CHAIN_LEN);
	tse_sched_complete(&sched, 0, false);
}

static int
body_record_result(tse_task_t *task)
{
	int *seen = tse_task_get_priv(task);

	*seen = task->dt_result;
	tse_task_complete(task, 0);
	return 0;
}

static void
test_propagate(void **state)
{
	tse_sched_t sched;
	tse_task_t *a;
	tse_task_t *b;
	tse_task_t *c;
	int err = -DER_IO;
	int seen_b = 1;
	int seen_c = 1;

	assert_rc_equal(tse_sched_init(&sched, NULL, NULL), 0);
	assert_rc_equal(tse_task_create(body_complete, &sched, &err, &a), 0);
	assert_rc_equal(tse_task_create(body_record_result, &sched, &seen_b, &b), 0);
	assert_rc_equal(tse_task_create(body_record_result, &sched, &seen_c, &c), 0);
	assert_rc_equal(tse_task_register_deps(b, 1, &a), 0);
	assert_rc_equal(tse_task_register_deps(c, 1, &a), 0);
	tse_disable_propagate(c);
	tse_task_addref(b);
	tse_task_addref(c);
	assert_rc_equal(tse_task_schedule(b, false), 0);
	assert_rc_equal(tse_task_schedule(c, false), 0);
	assert_rc_equal(tse_task_schedule(a, false), 0);
	tse_sched_progress(&sched);
	assert_int_equal(seen_b, -DER_IO);
	assert_int_equal(seen_c, 0);
	/* the body completed with 0 but the propagated error is kept */
	assert_int_equal(b->dt_result, -DER_IO);
	assert_int_equal(c->dt_result, 0);
	tse_task_decref(b);
	tse_task_decref(c);
	tse_sched_complete(&sched, 0, false);
	assert_int_equal(sched.ds_result, -DER_IO);
}

struct order {
	char log[16];
	int n;
};

struct cb_arg {
	struct order *o;
	char tag;
};

static int
cb_log(tse_task_t *task, void *data)
{
	struct cb_arg *a = data;

	a->o->log[a->o->n++] = a->tag;
	return 0;
}

static int
body_log(tse_task_t *task)
{
	struct order *o = tse_task_get_priv(task);

	o->log[o->n++] = 'B';
	tse_task_complete(task, 0);
	return 0;
}

static int
cb_fail(tse_task_t *task, void *data)
{
	return -DER_NOMEM;
}

static void
test_callbacks(void **state)
{
	tse_sched_t sched;
	tse_task_t *task;
	struct order o = {0};
	struct cb_arg a;

	assert_rc_equal(tse_sched_init(&sched, NULL, NULL), 0);
	assert_rc_equal(tse_task_create(body_log, &sched, &o, &task), 0);
	/* arguments are copied: changing \a a afterwards must not matter */
	a.o = &o;
	a.tag = 'p';
	assert_rc_equal(tse_task_register_cbs(task, cb_log, &a, sizeof(a), NULL, NULL, 0), 0);
	a.tag = 'q';
	assert_rc_equal(tse_task_register_cbs(task, cb_log, &a, sizeof(a), NULL, NULL, 0), 0);
	a.tag = '1';
	assert_rc_equal(tse_task_register_comp_cb(task, cb_log, &a, sizeof(a)), 0);
	a.tag = '2';
	assert_rc_equal(tse_task_register_cbs(task, NULL, NULL, 0, cb_log, &a, sizeof(a)), 0);
	a.tag = '3';
	assert_rc_equal(tse_task_register_comp_cb(task, cb_log, &a, sizeof(a)), 0);
	assert_rc_equal(tse_task_register_cbs(task, NULL, NULL, 0, NULL, NULL, 0), -DER_INVAL);
	/* prep callbacks prevent instant execution */
	assert_rc_equal(tse_task_schedule(task, true), 0);
	assert_int_equal(o.n, 0);
	tse_sched_progress(&sched);
	assert_string_equal(o.log, "pqB321");

	/* a failing completion callback sets the result of a successful task */
	assert_rc_equal(tse_task_create(body_complete, &sched, NULL, &task), 0);
	assert_rc_equal(tse_task_register_comp_cb(task, cb_fail, NULL, 0), 0);
	tse_task_addref(task);
	assert_rc_equal(tse_task_schedule(task, false), 0);
	tse_sched_progress(&sched);
	assert_int_equal(task->dt_result, -DER_NOMEM);
	/* no more callbacks on a completed task */
	assert_rc_equal(tse_task_register_comp_cb(task, cb_fail, NULL, 0), -DER_NO_PERM);
	tse_task_decref(task);
	tse_sched_complete(&sched, 0, false);
}

struct retry {
	int runs;
	int cb_calls;
	int max_retries;
};

static int
body_retry(tse_task_t *task)
{
	struct retry *r = tse_task_get_priv(task);

	r->runs++;
	/* fail until the last allowed attempt */
	tse_task_complete(task, r->runs <= r->max_retries ? -DER_BUSY : 0);
	return 0;
}

static int
cb_retry(tse_task_t *task, void *data)
{
	struct retry *r = *(struct retry **)data;
	int rc;

	r->cb_calls++;
	if (task->dt_result == -DER_BUSY && r->cb_calls <= r->max_retries) {
		rc = tse_task_register_comp_cb_and_reinit(task, cb_retry, &r, sizeof(r), 0);
		assert_rc_equal(rc, 0);
	}
	return 0;
}

static int
cb_reinit_once(tse_task_t *task, void *data)
{
	int *calls = data;

	(void)calls;
	return tse_task_reinit(task);
}

static void
test_reinit_retry(void **state)
{
	tse_sched_t sched;
	tse_task_t *task;
	struct retry r = {.max_retries = 3};
	struct retry *rp = &r;
	int cnt = 0;
	int i;

	assert_rc_equal(tse_sched_init(&sched, NULL, NULL), 0);
	assert_rc_equal(tse_task_create(body_retry, &sched, &r, &task), 0);
	assert_rc_equal(tse_task_register_comp_cb(task, cb_retry, &rp, sizeof(rp)), 0);
	tse_task_addref(task);
	assert_rc_equal(tse_task_schedule(task, false), 0);
	for (i = 0; i < 10 && !tse_sched_check_complete(&sched); i++)
		tse_sched_progress(&sched);
	assert_true(tse_sched_check_complete(&sched));
	assert_int_equal(r.runs, r.max_retries + 1);
	assert_int_equal(r.cb_calls, r.max_retries + 1);
	assert_int_equal(task->dt_result, 0);

	/* reinit of a finished task the caller kept: it runs again */
	assert_rc_equal(tse_task_reinit(task), 0);
	tse_sched_progress(&sched);
	assert_int_equal(r.runs, r.max_retries + 2);
	assert_true(tse_sched_check_complete(&sched));
	tse_task_decref(task);

	/* plain reinit from a completion callback: the callback is consumed, so one retry */
	assert_rc_equal(tse_task_create(body_count, &sched, &cnt, &task), 0);
	assert_rc_equal(tse_task_register_comp_cb(task, cb_reinit_once, &cnt, sizeof(cnt)), 0);
	assert_rc_equal(tse_task_schedule(task, false), 0);
	for (i = 0; i < 10 && !tse_sched_check_complete(&sched); i++)
		tse_sched_progress(&sched);
	assert_int_equal(cnt, 2);

	/* reinit of a task that never ran is refused */
	assert_rc_equal(tse_task_create(body_count, &sched, &cnt, &task), 0);
	assert_rc_equal(tse_task_reinit(task), -DER_NO_PERM);
	assert_rc_equal(tse_task_schedule(task, false), 0);
	assert_rc_equal(tse_task_reinit(task), -DER_NO_PERM);
	tse_sched_complete(&sched, 0, false);
	assert_int_equal(cnt, 3);
}

#define DELAY_US 200000

static void
test_delay(void **state)
{
	tse_sched_t sched;
	tse_task_t *task;
	tse_task_t *early;
	int cnt = 0;
	int early_cnt = 0;
	uint64_t start;

	assert_rc_equal(tse_sched_init(&sched, NULL, NULL), 0);
	assert_rc_equal(tse_task_create(body_count, &sched, &cnt, &task), 0);
	assert_rc_equal(tse_task_create(body_count, &sched, &early_cnt, &early), 0);
	assert_rc_equal(tse_task_schedule_with_delay(task, true, 10), -DER_INVAL);
	start = now_us();
	assert_rc_equal(tse_task_schedule_with_delay(task, false, DELAY_US), 0);
	assert_rc_equal(tse_task_schedule_with_delay(early, false, DELAY_US / 4), 0);
	tse_sched_progress(&sched);
	if (now_us() - start < DELAY_US / 4)
		assert_int_equal(early_cnt, 0);
	assert_int_equal(cnt, 0);
	assert_false(tse_sched_check_complete(&sched));
	usleep(DELAY_US / 2);
	tse_sched_progress(&sched);
	assert_int_equal(early_cnt, 1);
	if (now_us() - start < DELAY_US)
		assert_int_equal(cnt, 0);
	while (now_us() - start < DELAY_US + 1000)
		usleep(10000);
	tse_sched_progress(&sched);
	assert_int_equal(cnt, 1);
	assert_true(tse_sched_check_complete(&sched));

	/* tse_sched_complete() waits for sleeping tasks */
	assert_rc_equal(tse_task_create(body_count, &sched, &cnt, &task), 0);
	start = now_us();
	assert_rc_equal(tse_task_schedule_with_delay(task, false, DELAY_US / 4), 0);
	tse_sched_complete(&sched, 0, false);
	assert_int_equal(cnt, 2);
	assert_true(now_us() - start >= DELAY_US / 4);
}

struct backoff {
	uint64_t first_end;
	uint64_t second_start;
	int runs;
};

static int
body_backoff(tse_task_t *task)
{
	struct backoff *b = tse_task_get_priv(task);

	if (b->runs++ == 1)
		b->second_start = now_us();
	tse_task_complete(task, 0);
	return 0;
}

static int
cb_backoff(tse_task_t *task, void *data)
{
	struct backoff *b = *(struct backoff **)data;

	if (b->runs == 1) {
		b->first_end = now_us();
		assert_rc_equal(tse_task_reinit_with_delay(task, DELAY_US / 4), 0);
	}
	return 0;
}

static void
test_reinit_delay(void **state)
{
	tse_sched_t sched;
	tse_task_t *task;
	struct backoff b = {0};
	struct backoff *bp = &b;
	uint64_t deadline;

	assert_rc_equal(tse_sched_init(&sched, NULL, NULL), 0);
	assert_rc_equal(tse_task_create(body_backoff, &sched, &b, &task), 0);
	assert_rc_equal(tse_task_register_comp_cb(task, cb_backoff, &bp, sizeof(bp)), 0);
	assert_rc_equal(tse_task_schedule(task, false), 0);
	deadline = now_us() + 10 * 1000000ULL;
	while (!tse_sched_check_complete(&sched) && now_us() < deadline) {
		tse_sched_progress(&sched);
		usleep(1000);
	}
	assert_int_equal(b.runs, 2);
	assert_true(b.second_start - b.first_end >= DELAY_US / 4);
	tse_sched_complete(&sched, 0, false);
}

struct cancel_rec {
	int body_runs;
	int cb_calls;
	int cb_rc[8];
};

static int
cb_record(tse_task_t *task, void *data)
{
	struct cancel_rec *r = *(struct cancel_rec **)data;

	r->cb_rc[r->cb_calls++] = task->dt_result;
	return 0;
}

static int
body_cancel(tse_task_t *task)
{
	struct cancel_rec *r = tse_task_get_priv(task);

	r->body_runs++;
	return 0;
}

static int
sched_cb_rc(void *arg, int rc)
{
	int *out = arg;

	*out = rc;
	return 0;
}

static void
test_cancel(void **state)
{
	tse_sched_t sched;
	tse_task_t *queued;
	tse_task_t *blocked;
	tse_task_t *sleeping;
	tse_task_t *running;
	struct cancel_rec r = {0};
	struct cancel_rec *rp = &r;
	int sched_rc = 1;
	uint64_t start;
	int i;

	assert_rc_equal(tse_sched_init(&sched, sched_cb_rc, &sched_rc), 0);
	assert_ptr_equal(sched.ds_udata, &sched_rc);
	assert_rc_equal(tse_task_create(body_cancel, &sched, &r, &running), 0);
	assert_rc_equal(tse_task_register_comp_cb(running, cb_record, &rp, sizeof(rp)), 0);
	assert_rc_equal(tse_task_schedule(running, false), 0);
	tse_sched_progress(&sched);
	assert_int_equal(r.body_runs, 1);

	assert_rc_equal(tse_task_create(body_cancel, &sched, &r, &queued), 0);
	assert_rc_equal(tse_task_create(body_cancel, &sched, &r, &blocked), 0);
	assert_rc_equal(tse_task_create(body_cancel, &sched, &r, &sleeping), 0);
	assert_rc_equal(tse_task_register_deps(blocked, 1, &queued), 0);
	assert_rc_equal(tse_task_register_comp_cb(queued, cb_record, &rp, sizeof(rp)), 0);
	assert_rc_equal(tse_task_register_comp_cb(blocked, cb_record, &rp, sizeof(rp)), 0);
	assert_rc_equal(tse_task_register_comp_cb(sleeping, cb_record, &rp, sizeof(rp)), 0);
	assert_rc_equal(tse_task_schedule(queued, false), 0);
	assert_rc_equal(tse_task_schedule(blocked, false), 0);
	assert_rc_equal(tse_task_schedule_with_delay(sleeping, false, 60 * 1000000ULL), 0);

	start = now_us();
	tse_sched_complete(&sched, 0, true);
	/* the 60 s sleeper was canceled, not waited for */
	assert_true(now_us() - start < 10 * 1000000ULL);
	assert_int_equal(r.body_runs, 1);
	assert_int_equal(r.cb_calls, 4);
	for (i = 0; i < 4; i++)
		assert_int_equal(r.cb_rc[i], -DER_CANCELED);
	assert_int_equal(sched_rc, -DER_CANCELED);
	assert_int_equal(sched.ds_result, -DER_CANCELED);
	assert_null(sched.ds_udata);
}

struct sched_cb_log {
	char log[4];
	int n;
	int rc;
};

static int
sched_cb_a(void *arg, int rc)
{
	struct sched_cb_log *l = arg;

	l->log[l->n++] = 'a';
	l->rc = rc;
	return 0;
}

static int
sched_cb_b(void *arg, int rc)
{
	struct sched_cb_log *l = arg;

	l->log[l->n++] = 'b';
	return 0;
}

static void
test_sched_comp_cb(void **state)
{
	tse_sched_t sched;
	tse_task_t *task;
	struct sched_cb_log l = {0};
	int err = -DER_NOSPACE;

	assert_rc_equal(tse_sched_init(&sched, sched_cb_a, &l), 0);
	assert_rc_equal(tse_sched_register_comp_cb(&sched, sched_cb_b, &l), 0);
	assert_rc_equal(tse_sched_register_comp_cb(&sched, NULL, &l), -DER_INVAL);
	assert_rc_equal(tse_task_create(body_complete, &sched, &err, &task), 0);
	assert_rc_equal(tse_task_schedule(task, false), 0);
	tse_sched_addref(&sched);
	tse_sched_complete(&sched, 0, false);
	/* callbacks run in reverse registration order with the first task error */
	assert_string_equal(l.log, "ba");
	assert_int_equal(l.rc, -DER_NOSPACE);
	assert_int_equal(sched.ds_result, -DER_NOSPACE);
	/* still referenced: a second completion returns at once */
	tse_sched_complete(&sched, 0, false);
	assert_int_equal(l.n, 2);
	tse_sched_decref(&sched);
	/* finalized by the last reference: a redundant fini is harmless, misuse is caught */
	tse_sched_fini(&sched);
	tse_sched_fini(&sched);
	tse_sched_progress(&sched);
	assert_true(tse_sched_check_complete(&sched));
	assert_rc_equal(tse_task_create(body_complete, &sched, NULL, &task), -DER_INVAL);
}

static int
cb_count(tse_task_t *task, void *data)
{
	int *cnt = *(int **)data;

	(*cnt)++;
	return 0;
}

static int
cb_count_atomic(tse_task_t *task, void *data)
{
	int *cnt = *(int **)data;

	__atomic_add_fetch(cnt, 1, __ATOMIC_RELAXED);
	return 0;
}

static int
cb_complete_again(tse_task_t *task, void *data)
{
	int *calls = *(int **)data;

	(*calls)++;
	/* completing from inside its own completion callback: ignored */
	tse_task_complete(task, -DER_IO);
	return 0;
}

struct race {
	tse_task_t *task;
	int go;
};

static void *
race_complete(void *arg)
{
	struct race *r = arg;

	/* line both threads up so the completions overlap */
	__atomic_add_fetch(&r->go, 1, __ATOMIC_ACQ_REL);
	while (__atomic_load_n(&r->go, __ATOMIC_ACQUIRE) < 2)
		;
	tse_task_complete(r->task, 0);
	return NULL;
}

static void
test_double_complete(void **state)
{
	tse_sched_t sched;
	tse_task_t *task;
	int cbs = 0;
	int *cbsp = &cbs;
	int runs = 0;
	int i;

	assert_rc_equal(tse_sched_init(&sched, NULL, NULL), 0);
	assert_rc_equal(tse_task_create(body_complete, &sched, NULL, &task), 0);
	assert_rc_equal(tse_task_register_comp_cb(task, cb_count, &cbsp, sizeof(cbsp)), 0);
	tse_task_addref(task);
	assert_rc_equal(tse_task_schedule(task, false), 0);
	/* scheduling twice is refused */
	assert_rc_equal(tse_task_schedule(task, false), -DER_NO_PERM);
	tse_sched_progress(&sched);
	assert_int_equal(cbs, 1);
	assert_true(tse_sched_check_complete(&sched));

	/* second completion: logged and ignored */
	tse_task_complete(task, -DER_IO);
	assert_int_equal(cbs, 1);
	assert_int_equal(task->dt_result, 0);
	assert_true(tse_sched_check_complete(&sched));

	tse_task_decref(task);

	cbs = 0;
	assert_rc_equal(tse_task_create(body_complete, &sched, NULL, &task), 0);
	assert_rc_equal(tse_task_register_comp_cb(task, cb_complete_again, &cbsp, sizeof(cbsp)), 0);
	tse_task_addref(task);
	assert_rc_equal(tse_task_schedule(task, true), 0);
	assert_int_equal(cbs, 1);
	assert_int_equal(task->dt_result, 0);
	assert_true(tse_sched_check_complete(&sched));
	tse_task_decref(task);

	/* two threads racing to complete the same tasks: exactly one wins each time */
	for (i = 0; i < 50; i++) {
		pthread_t thr;
		struct race r = {0};

		cbs = 0;
		assert_rc_equal(tse_task_create(body_count_only, &sched, &runs, &r.task), 0);
		assert_rc_equal(
			tse_task_register_comp_cb(r.task, cb_count_atomic, &cbsp, sizeof(cbsp)), 0);
		tse_task_addref(r.task);
		assert_rc_equal(tse_task_schedule(r.task, true), 0);
		assert_int_equal(pthread_create(&thr, NULL, race_complete, &r), 0);
		race_complete(&r);
		pthread_join(thr, NULL);
		assert_int_equal(__atomic_load_n(&cbs, __ATOMIC_ACQUIRE), 1);
		assert_true(tse_sched_check_complete(&sched));
		tse_task_decref(r.task);
	}
	tse_sched_complete(&sched, 0, false);
	assert_int_equal(sched.ds_result, 0);
}

struct big_arg {
	uint64_t a;
	char s[100];
};

static void
test_buffers(void **state)
{
	tse_sched_t sched;
	tse_task_t *task;
	struct big_arg *arg;
	uint64_t v1 = 0x1122334455667788ULL;
	uint32_t v2 = 0xdeadbeef;
	uint64_t o1 = 0;
	uint32_t o2 = 0;
	void *p;
	int priv = 0;
	int other = 0;

	assert_rc_equal(tse_sched_init(&sched, NULL, NULL), 0);
	assert_rc_equal(tse_task_create(NULL, &sched, &priv, &task), 0);
	assert_ptr_equal(tse_task2sched(task), &sched);
	assert_ptr_equal(tse_task_get_priv(task), &priv);
	assert_ptr_equal(tse_task_set_priv(task, &other), &priv);
	assert_ptr_equal(tse_task_get_priv(task), &other);
	assert_null(tse_task_get_priv_internal(task));
	assert_null(tse_task_set_priv_internal(task, &priv));
	assert_ptr_equal(tse_task_get_priv_internal(task), &priv);

	arg = tse_task_buf_embedded(task, sizeof(*arg));
	assert_non_null(arg);
	assert_ptr_equal(arg, tse_task2arg(task));
	assert_true(((uintptr_t)arg & 7) == 0);
	arg->a = 42;
	memset(arg->s, 'x', sizeof(arg->s));

	tse_task_stack_push_data(task, &v1, sizeof(v1));
	tse_task_stack_push_data(task, &v2, sizeof(v2));
	p = tse_task_stack_push(task, 16);
	assert_non_null(p);
	memset(p, 0xab, 16);
	assert_ptr_equal(tse_task_stack_pop(task, 16), p);
	tse_task_stack_pop_data(task, &o2, sizeof(o2));
	tse_task_stack_pop_data(task, &o1, sizeof(o1));
	assert_int_equal(o1, v1);
	assert_int_equal(o2, v2);
	/* the stack did not touch the embedded arguments */
	assert_int_equal(arg->a, 42);
	assert_int_equal(arg->s[99], 'x');

	/* limits are reported, not crashes */
	assert_null(tse_task_stack_pop(task, 8));
	assert_null(tse_task_stack_push(task, TSE_TASK_ARG_LEN));
	assert_null(tse_task_buf_embedded(task, TSE_TASK_ARG_LEN + 1));
	assert_null(tse_task_buf_embedded(task, -1));
	assert_non_null(tse_task_stack_push(task, TSE_TASK_ARG_LEN - 112));
	assert_null(tse_task_buf_embedded(task, 120));
	assert_non_null(tse_task_buf_embedded(task, 112));
	assert_non_null(tse_task_stack_pop(task, TSE_TASK_ARG_LEN - 112));
	assert_non_null(tse_task_buf_embedded(task, TSE_TASK_ARG_LEN));

	/* a bodiless task without dependencies waits for its completion */
	assert_rc_equal(tse_task_schedule(task, false), 0);
	tse_sched_progress(&sched);
	assert_false(tse_sched_check_complete(&sched));
	tse_task_complete(task, 0);
	assert_true(tse_sched_check_complete(&sched));
	tse_sched_complete(&sched, 0, false);
}

/* Tasks completed by another thread while the main thread progresses. */
#define MT_TASKS 2000

struct mt_queue {
	pthread_mutex_t lock;
	tse_task_t *tasks[MT_TASKS];
	int head;
	int tail;
	bool stop;
};

static int
body_enqueue(tse_task_t *task)
{
	struct mt_queue *q = tse_task_get_priv(task);

	pthread_mutex_lock(&q->lock);
	q->tasks[q->tail++] = task;
	pthread_mutex_unlock(&q->lock);
	return 0;
}

static void *
completer(void *arg)
{
	struct mt_queue *q = arg;
	uint64_t deadline = now_us() + 30 * 1000000ULL;

	while (now_us() < deadline) {
		tse_task_t *task = NULL;
		bool stop;

		pthread_mutex_lock(&q->lock);
		if (q->head < q->tail)
			task = q->tasks[q->head++];
		stop = q->stop;
		pthread_mutex_unlock(&q->lock);
		if (task != NULL)
			tse_task_complete(task, 0);
		else if (stop)
			break;
		else
			sched_yield();
	}
	return NULL;
}

struct progresser {
	tse_sched_t *sched;
	bool stop;
	int calls;
};

static void *
progress_thread(void *arg)
{
	struct progresser *p = arg;
	uint64_t deadline = now_us() + 30 * 1000000ULL;

	while (!__atomic_load_n(&p->stop, __ATOMIC_ACQUIRE) && now_us() < deadline) {
		tse_sched_progress(p->sched);
		p->calls++;
		sched_yield();
	}
	return NULL;
}

static void
test_threads(void **state)
{
	static struct mt_queue q;
	tse_sched_t sched;
	tse_task_t *task;
	tse_task_t *waiter;
	pthread_t thr;
	pthread_t prog;
	struct progresser p = {0};
	struct n1_arg a = {0};
	int cbs = 0;
	int *cbsp = &cbs;
	uint64_t deadline;
	int i;

	memset(&q, 0, sizeof(q));
	pthread_mutex_init(&q.lock, NULL);
	assert_rc_equal(tse_sched_init(&sched, NULL, NULL), 0);
	p.sched = &sched;
	assert_rc_equal(tse_task_create(body_waiter, &sched, &a, &waiter), 0);
	for (i = 0; i < MT_TASKS; i++) {
		assert_rc_equal(tse_task_create(body_enqueue, &sched, &q, &task), 0);
		assert_rc_equal(
			tse_task_register_comp_cb(task, cb_count_atomic, &cbsp, sizeof(cbsp)), 0);
		assert_rc_equal(tse_task_register_deps(waiter, 1, &task), 0);
		assert_rc_equal(tse_task_schedule(task, false), 0);
	}
	assert_rc_equal(tse_task_schedule(waiter, false), 0);
	/* one thread completes the tasks, two progress the scheduler */
	assert_int_equal(pthread_create(&thr, NULL, completer, &q), 0);
	assert_int_equal(pthread_create(&prog, NULL, progress_thread, &p), 0);

	deadline = now_us() + 30 * 1000000ULL;
	while (!tse_sched_check_complete(&sched) && now_us() < deadline) {
		tse_sched_progress(&sched);
		sched_yield();
	}
	__atomic_store_n(&p.stop, true, __ATOMIC_RELEASE);
	pthread_join(prog, NULL);
	pthread_mutex_lock(&q.lock);
	q.stop = true;
	pthread_mutex_unlock(&q.lock);
	pthread_join(thr, NULL);

	assert_true(tse_sched_check_complete(&sched));
	assert_true(a.ran);
	assert_int_equal(a.seen_done, 0);
	assert_int_equal(__atomic_load_n(&cbs, __ATOMIC_ACQUIRE), MT_TASKS);
	tse_sched_complete(&sched, 0, false);
	pthread_mutex_destroy(&q.lock);
}

/* A parent whose body spawns children it depends on completes after them. */
static int
body_parent(tse_task_t *task)
{
	int *cnt = tse_task_get_priv(task);
	tse_task_t *child;
	int i;

	for (i = 0; i < 4; i++) {
		assert_rc_equal(tse_task_create(body_count, tse_task2sched(task), cnt, &child), 0);
		assert_rc_equal(tse_task_register_deps(task, 1, &child), 0);
		assert_rc_equal(tse_task_schedule(child, i % 2 == 0), 0);
	}
	return 0;
}

static int
cb_check_children(tse_task_t *task, void *data)
{
	int **cnts = data;

	*cnts[1] = *cnts[0];
	return 0;
}

static void
test_parent(void **state)
{
	tse_sched_t sched;
	tse_task_t *parent;
	int children = 0;
	int seen = -1;
	int *cnts[2] = {&children, &seen};

	assert_rc_equal(tse_sched_init(&sched, NULL, NULL), 0);
	assert_rc_equal(tse_task_create(body_parent, &sched, &children, &parent), 0);
	assert_rc_equal(tse_task_register_comp_cb(parent, cb_check_children, cnts, sizeof(cnts)),
			0);
	assert_rc_equal(tse_task_schedule(parent, false), 0);
	tse_sched_progress(&sched);
	assert_int_equal(children, 4);
	assert_int_equal(seen, 4);
	assert_true(tse_sched_check_complete(&sched));
	tse_sched_complete(&sched, 0, false);
}

struct list_cnt {
	int visited;
};

static int
list_visit(tse_task_t *task, void *arg)
{
	struct list_cnt *c = arg;

	c->visited++;
	tse_task_list_del(task);
	return 0;
}

static void
test_lists(void **state)
{
	tse_sched_t sched;
	tse_task_t *tasks[4];
	tse_task_t *gate;
	tse_task_t *after;
	struct n1_arg a = {0};
	struct list_cnt c = {0};
	int cnt = 0;
	int i;
	D_LIST_HEAD(head);

	assert_rc_equal(tse_sched_init(&sched, NULL, NULL), 0);
	assert_null(tse_task_list_first(&head));
	assert_rc_equal(tse_task_create(body_count_only, &sched, &cnt, &gate), 0);
	assert_rc_equal(tse_task_create(body_waiter, &sched, &a, &after), 0);
	for (i = 0; i < 4; i++) {
		assert_rc_equal(tse_task_create(body_count, &sched, &cnt, &tasks[i]), 0);
		assert_rc_equal(tse_task_list_add(tasks[i], &head), 0);
	}
	assert_rc_equal(tse_task_list_add(tasks[0], &head), -DER_BUSY);
	assert_ptr_equal(tse_task_list_first(&head), tasks[0]);
	/* all of the list wait for gate, and after waits for all of the list */
	assert_rc_equal(tse_task_list_depend(&head, gate), 0);
	assert_rc_equal(tse_task_depend_list(after, &head), 0);
	assert_rc_equal(tse_task_schedule(after, false), 0);
	tse_task_list_sched(&head, false);
	assert_null(tse_task_list_first(&head));
	assert_rc_equal(tse_task_schedule(gate, false), 0);
	tse_sched_progress(&sched);
	assert_int_equal(cnt, 1);
	assert_false(a.ran);
	tse_task_complete(gate, 0);
	tse_sched_progress(&sched);
	assert_int_equal(cnt, 5);
	assert_true(a.ran);

	/* abort: tasks never scheduled complete with the error */
	for (i = 0; i < 4; i++) {
		assert_rc_equal(tse_task_create(body_count, &sched, &cnt, &tasks[i]), 0);
		assert_rc_equal(tse_task_list_add(tasks[i], &head), 0);
	}
	assert_rc_equal(tse_task_list_traverse(&head, list_visit, &c), 0);
	assert_int_equal(c.visited, 4);
	assert_null(tse_task_list_first(&head));
	for (i = 0; i < 4; i++)
		assert_rc_equal(tse_task_list_add(tasks[i], &head), 0);
	assert_rc_equal(tse_task_list_traverse_adv(&head, list_visit, &c), 0);
	assert_int_equal(c.visited, 8);
	for (i = 0; i < 4; i++)
		assert_rc_equal(tse_task_list_add(tasks[i], &head), 0);
	tse_task_list_abort(&head, -DER_IO);
	assert_true(tse_sched_check_complete(&sched));
	assert_int_equal(cnt, 5);
	tse_sched_complete(&sched, 0, false);
	assert_int_equal(sched.ds_result, -DER_IO);
}

static int
body_other(tse_task_t *task)
{
	int *cnt = tse_task_get_priv(task);

	*cnt += 100;
	tse_task_complete(task, 0);
	return 0;
}

static void
test_reset_and_errors(void **state)
{
	tse_sched_t sched;
	tse_sched_t sched2;
	tse_task_t *task;
	tse_task_t *dep2;
	int cnt = 0;

	assert_rc_equal(tse_sched_init(NULL, NULL, NULL), -DER_INVAL);
	assert_rc_equal(tse_sched_init(&sched, NULL, NULL), 0);
	assert_rc_equal(tse_task_create(body_count, NULL, &cnt, &task), -DER_INVAL);
	assert_rc_equal(tse_task_create(body_count, &sched, &cnt, NULL), -DER_INVAL);
	assert_rc_equal(tse_task_create(body_count, &sched, &cnt, &task), 0);
	assert_rc_equal(tse_task_register_deps(task, 1, &task), -DER_INVAL);
	assert_rc_equal(tse_task_register_deps(task, -1, NULL), -DER_INVAL);

	/* reset: the caller's reference becomes the scheduler's again */
	tse_task_addref(task);
	assert_rc_equal(tse_task_schedule(task, false), 0);
	assert_rc_equal(tse_task_reset(task, body_other, &cnt), -DER_NO_PERM);
	tse_sched_progress(&sched);
	assert_int_equal(cnt, 1);
	assert_rc_equal(tse_task_reset(task, body_other, &cnt), 0);
	assert_rc_equal(tse_task_schedule(task, false), 0);
	tse_sched_progress(&sched);
	assert_int_equal(cnt, 101);

	/* a dependency in another scheduler */
	assert_rc_equal(tse_sched_init(&sched2, NULL, NULL), 0);
	assert_rc_equal(tse_task_create(body_count, &sched, &cnt, &task), 0);
	assert_rc_equal(tse_task_create(NULL, &sched2, NULL, &dep2), 0);
	assert_rc_equal(tse_task_register_deps(task, 1, &dep2), 0);
	assert_rc_equal(tse_task_schedule(task, false), 0);
	assert_rc_equal(tse_task_schedule(dep2, false), 0);
	tse_sched_progress(&sched);
	assert_int_equal(cnt, 101);
	tse_task_complete(dep2, 0);
	tse_sched_progress(&sched);
	assert_int_equal(cnt, 102);

	/* finalizing a scheduler that still has tasks is refused */
	assert_rc_equal(tse_task_create(NULL, &sched, NULL, &task), 0);
	assert_rc_equal(tse_task_schedule(task, false), 0);
	tse_sched_fini(&sched);
	assert_false(tse_sched_check_complete(&sched));
	tse_task_complete(task, 0);

	tse_sched_complete(&sched2, 0, false);
	tse_sched_complete(&sched, 0, false);
}

/* A bodiless task that depends on others completes once they are done. */
static void
test_barrier(void **state)
{
	tse_sched_t sched;
	tse_task_t *deps[NDEPS];
	tse_task_t *barrier;
	tse_task_t *orphan;
	tse_task_t *victim;
	int cnt = 0;
	int cbs = 0;
	int *cbsp = &cbs;
	int seen = 0;
	int i;

	assert_rc_equal(tse_sched_init(&sched, NULL, NULL), 0);
	assert_rc_equal(tse_task_create(NULL, &sched, NULL, &barrier), 0);
	assert_rc_equal(tse_task_register_comp_cb(barrier, cb_count, &cbsp, sizeof(cbsp)), 0);
	for (i = 0; i < NDEPS; i++) {
		assert_rc_equal(tse_task_create(body_count, &sched, &cnt, &deps[i]), 0);
		assert_rc_equal(tse_task_schedule(deps[i], false), 0);
	}
	assert_rc_equal(tse_task_register_deps(barrier, NDEPS, deps), 0);
	assert_rc_equal(tse_task_schedule(barrier, false), 0);
	tse_sched_progress(&sched);
	assert_int_equal(cnt, NDEPS);
	assert_int_equal(cbs, 1);
	assert_true(tse_sched_check_complete(&sched));

	/* dropping a never-scheduled task releases its dependents with an error */
	assert_rc_equal(tse_task_create(body_count, &sched, &cnt, &orphan), 0);
	assert_rc_equal(tse_task_create(body_record_result, &sched, &seen, &victim), 0);
	assert_rc_equal(tse_task_register_deps(victim, 1, &orphan), 0);
	assert_rc_equal(tse_task_schedule(victim, false), 0);
	tse_sched_progress(&sched);
	assert_int_equal(seen, 0);
	assert_false(tse_sched_check_complete(&sched));
	tse_task_decref(orphan);
	tse_sched_progress(&sched);
	assert_int_equal(seen, -DER_CANCELED);
	tse_sched_complete(&sched, 0, false);
}

struct delay_dep {
	tse_task_t *extra;
	int calls;
	char log[8];
	int n;
};

static int
cb_add_dep(tse_task_t *task, void *data)
{
	struct delay_dep *d = *(struct delay_dep **)data;

	d->log[d->n++] = 'A';
	if (d->calls++ == 0) {
		/* wait for one more task before completing */
		assert_rc_equal(
			tse_task_create(body_count_only, tse_task2sched(task), &d->n, &d->extra),
			0);
		assert_rc_equal(tse_task_register_deps(task, 1, &d->extra), 0);
		assert_rc_equal(tse_task_schedule(d->extra, false), 0);
	}
	return 0;
}

static int
cb_tail(tse_task_t *task, void *data)
{
	struct delay_dep *d = *(struct delay_dep **)data;

	d->log[d->n++] = 'T';
	return 0;
}

static void
test_comp_cb_adds_dep(void **state)
{
	tse_sched_t sched;
	tse_task_t *task;
	struct delay_dep d = {0};
	struct delay_dep *dp = &d;

	assert_rc_equal(tse_sched_init(&sched, NULL, NULL), 0);
	assert_rc_equal(tse_task_create(body_complete, &sched, NULL, &task), 0);
	/* runs last */
	assert_rc_equal(tse_task_register_comp_cb(task, cb_tail, &dp, sizeof(dp)), 0);
	assert_rc_equal(tse_task_register_comp_cb(task, cb_add_dep, &dp, sizeof(dp)), 0);
	assert_rc_equal(tse_task_schedule(task, false), 0);
	tse_sched_progress(&sched);
	/* cb_add_dep ran, the extra task ran (n bumped) but is not completed */
	assert_int_equal(d.log[0], 'A');
	assert_false(tse_sched_check_complete(&sched));
	assert_int_equal(d.n, 2);
	tse_task_complete(d.extra, 0);
	tse_sched_progress(&sched);
	assert_true(tse_sched_check_complete(&sched));
	assert_int_equal(d.log[2], 'T');
	assert_int_equal(d.n, 3);
	tse_sched_complete(&sched, 0, false);
}

static int
body_spin(tse_task_t *task)
{
	int *runs = tse_task_get_priv(task);

	(*runs)++;
	/* retries forever until the scheduler is canceled */
	if (tse_task_reinit(task) != 0)
		tse_task_complete(task, -DER_CANCELED);
	return 0;
}

static void
test_bounded_progress(void **state)
{
	tse_sched_t sched;
	tse_task_t *task;
	int runs = 0;
	int cbs = 0;
	int *cbsp = &cbs;

	assert_rc_equal(tse_sched_init(&sched, NULL, NULL), 0);
	assert_rc_equal(tse_task_create(body_spin, &sched, &runs, &task), 0);
	assert_rc_equal(tse_task_register_comp_cb(task, cb_count, &cbsp, sizeof(cbsp)), 0);
	assert_rc_equal(tse_task_schedule(task, false), 0);
	/* returns although the task requeues itself every time */
	tse_sched_progress(&sched);
	assert_true(runs > 1);
	assert_false(tse_sched_check_complete(&sched));
	tse_sched_complete(&sched, 0, true);
	assert_int_equal(cbs, 1);
	assert_int_equal(sched.ds_result, -DER_CANCELED);
}

#define MANY_TASKS 100000

static void
test_many(void **state)
{
	tse_sched_t sched;
	tse_task_t *prev = NULL;
	tse_task_t *task;
	int cnt = 0;
	int cbs = 0;
	int *cbsp = &cbs;
	int i;

	assert_rc_equal(tse_sched_init(&sched, NULL, NULL), 0);
	for (i = 0; i < MANY_TASKS; i++) {
		assert_rc_equal(tse_task_create(body_count, &sched, &cnt, &task), 0);
		assert_rc_equal(tse_task_register_comp_cb(task, cb_count, &cbsp, sizeof(cbsp)), 0);
		/* groups of 10: each task waits for the previous one of its group */
		if (prev != NULL && i % 10 != 0)
			assert_rc_equal(tse_task_register_deps(task, 1, &prev), 0);
		prev = task;
		assert_rc_equal(tse_task_schedule(task, false), 0);
		if (i % 1000 == 999)
			tse_sched_progress(&sched);
	}
	tse_sched_complete(&sched, 0, false);
	assert_int_equal(cnt, MANY_TASKS);
	assert_int_equal(cbs, MANY_TASKS);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_simple),
		cmocka_unit_test(test_n_to_1),
		cmocka_unit_test(test_1_to_n),
		cmocka_unit_test(test_chain),
		cmocka_unit_test(test_propagate),
		cmocka_unit_test(test_callbacks),
		cmocka_unit_test(test_reinit_retry),
		cmocka_unit_test(test_delay),
		cmocka_unit_test(test_reinit_delay),
		cmocka_unit_test(test_cancel),
		cmocka_unit_test(test_sched_comp_cb),
		cmocka_unit_test(test_double_complete),
		cmocka_unit_test(test_buffers),
		cmocka_unit_test(test_threads),
		cmocka_unit_test(test_parent),
		cmocka_unit_test(test_lists),
		cmocka_unit_test(test_reset_and_errors),
		cmocka_unit_test(test_barrier),
		cmocka_unit_test(test_comp_cb_adds_dep),
		cmocka_unit_test(test_bounded_progress),
		cmocka_unit_test(test_many),
	};

	return cmocka_run_group_tests_name("tse", tests, NULL, NULL);
}
