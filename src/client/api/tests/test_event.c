/**
 * Events and event queues, single-threaded semantics: states, polling and
 * timeouts, query, parent/child and barriers, abort, completion callbacks,
 * EQ destroy, bad handles and arguments, daos_init/daos_fini.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <time.h>
#include <errno.h>
#include <unistd.h>
#include <sys/wait.h>
#include <cmocka.h>

#include <daos.h>
#include <daos/event.h>

#define NEV 64

static daos_handle_t eqh;

static int64_t
now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static int
setup(void **state)
{
	if (daos_init() != 0)
		return -1;
	return daos_eq_create(&eqh);
}

static int
teardown(void **state)
{
	daos_eq_destroy(eqh, DAOS_EQ_DESTROY_FORCE);
	return daos_fini();
}

static void
test_init_fini(void **state)
{
	daos_handle_t h;
	daos_event_t ev;

	/* the group setup holds one reference */
	assert_int_equal(daos_init(), 0);
	assert_int_equal(daos_init(), 0);
	assert_int_equal(daos_fini(), 0);
	assert_int_equal(daos_fini(), 0);
	/* still initialised: the setup's reference is left */
	assert_int_equal(daos_eq_create(&h), 0);
	assert_int_equal(daos_eq_destroy(h, 0), 0);
	assert_int_equal(daos_event_init(&ev, DAOS_HDL_INVAL, NULL), 0);
	assert_int_equal(daos_event_fini(&ev), 0);
}

static void
test_eq_create_destroy(void **state)
{
	daos_handle_t h;
	daos_event_t ev;
	daos_event_t *evp;

	assert_int_equal(daos_eq_create(NULL), -DER_INVAL);
	assert_int_equal(daos_eq_create(&h), 0);
	assert_true(daos_handle_is_valid(h));
	assert_int_equal(daos_event_init(&ev, h, NULL), 0);
	assert_int_equal(daos_eq_poll(h, 0, DAOS_EQ_NOWAIT, 1, &evp), 0);
	assert_int_equal(daos_eq_query(h, DAOS_EQR_ALL, 0, NULL), 0);
	/* an initialised but idle event does not keep the EQ busy */
	assert_int_equal(daos_eq_destroy(h, 0), 0);

	/* every use of the stale handle is refused */
	assert_int_equal(daos_eq_poll(h, 0, DAOS_EQ_NOWAIT, 1, &evp), -DER_NO_HDL);
	assert_int_equal(daos_eq_query(h, DAOS_EQR_ALL, 0, NULL), -DER_NO_HDL);
	assert_int_equal(daos_eq_destroy(h, 0), -DER_NO_HDL);
	assert_int_equal(daos_event_init(&ev, h, NULL), -DER_NO_HDL);
	/* the event that belonged to it can still be finalised */
	assert_int_equal(daos_event_fini(&ev), 0);

	/* never-valid handles */
	assert_int_equal(daos_eq_poll(DAOS_HDL_INVAL, 0, 0, 1, &evp), -DER_NO_HDL);
	assert_int_equal(daos_eq_poll((daos_handle_t){0x12345671}, 0, 0, 1, &evp), -DER_NO_HDL);
	assert_int_equal(daos_eq_destroy((daos_handle_t){0x12345671}, 0), -DER_NO_HDL);
	assert_int_equal(daos_eq_query((daos_handle_t){42}, DAOS_EQR_ALL, 0, NULL), -DER_NO_HDL);
}

static void
test_bad_args(void **state)
{
	daos_event_t ev;
	daos_event_t *evp;
	bool flag;

	assert_int_equal(daos_eq_poll(eqh, 0, 0, 0, &evp), -DER_INVAL);
	assert_int_equal(daos_eq_poll(eqh, 0, 0, 1, NULL), -DER_INVAL);
	assert_int_equal(daos_eq_query(eqh, 0x100, 0, NULL), -DER_INVAL);
	assert_int_equal(daos_event_init(NULL, eqh, NULL), -DER_INVAL);

	memset(&ev, 0, sizeof(ev));
	assert_int_equal(daos_event_launch(&ev), -DER_INVAL);
	assert_int_equal(daos_event_fini(&ev), -DER_INVAL);
	assert_int_equal(daos_event_abort(&ev), -DER_INVAL);
	assert_int_equal(daos_event_test(&ev, 0, &flag), -DER_INVAL);
	assert_int_equal(daos_event_parent_barrier(&ev), -DER_INVAL);
	assert_int_equal(daos_event_register_comp_cb(&ev, NULL, NULL), -DER_INVAL);
	assert_null(daos_event_next(&ev, NULL));
	assert_null(daos_event_next(NULL, NULL));
	assert_int_equal(daos_event_launch(NULL), -DER_INVAL);

	assert_int_equal(daos_event_init(&ev, eqh, NULL), 0);
	assert_int_equal(daos_event_test(&ev, 0, NULL), -DER_INVAL);
	assert_int_equal(daos_event_register_comp_cb(&ev, NULL, NULL), -DER_INVAL);
	/* a launched event cannot be launched, re-initialised or finalised */
	assert_int_equal(daos_event_launch(&ev), 0);
	assert_int_equal(daos_event_launch(&ev), -DER_NO_PERM);
	assert_int_equal(daos_event_init(&ev, eqh, NULL), -DER_BUSY);
	assert_int_equal(daos_event_fini(&ev), -DER_BUSY);
	daos_event_complete(&ev, 0);
	assert_int_equal(daos_eq_poll(eqh, 0, 0, 1, &evp), 1);
	assert_int_equal(daos_event_fini(&ev), 0);
}

static void
test_lifecycle_and_reuse(void **state)
{
	daos_event_t ev;
	daos_event_t *evp[4];
	int i;

	assert_int_equal(daos_event_init(&ev, eqh, NULL), 0);
	for (i = 0; i < 3; i++) {
		assert_int_equal(daos_event_launch(&ev), 0);
		assert_int_equal(daos_eq_query(eqh, DAOS_EQR_WAITING, 0, NULL), 1);
		daos_event_complete(&ev, -DER_IO - i);
		/* a second completion of the same launch is ignored */
		daos_event_complete(&ev, 0);
		assert_int_equal(daos_eq_query(eqh, DAOS_EQR_COMPLETED, 4, evp), 1);
		assert_ptr_equal(evp[0], &ev);
		/* completed but not polled: not reusable yet */
		assert_int_equal(daos_event_launch(&ev), -DER_NO_PERM);
		assert_int_equal(daos_eq_poll(eqh, 0, DAOS_EQ_NOWAIT, 4, evp), 1);
		assert_ptr_equal(evp[0], &ev);
		assert_int_equal(ev.ev_error, -DER_IO - i);
		assert_int_equal(daos_eq_query(eqh, DAOS_EQR_ALL, 0, NULL), 0);
	}
	assert_int_equal(daos_event_fini(&ev), 0);
	/* fini + init again: the fio pattern */
	assert_int_equal(daos_event_init(&ev, eqh, NULL), 0);
	assert_int_equal(daos_event_fini(&ev), 0);
}

static void
test_poll_timeouts(void **state)
{
	daos_event_t ev;
	daos_event_t *evp;
	int64_t t0;
	int64_t dt;

	/* NOWAIT on an empty EQ returns at once */
	t0 = now_us();
	assert_int_equal(daos_eq_poll(eqh, 0, DAOS_EQ_NOWAIT, 1, &evp), 0);
	assert_true(now_us() - t0 < 100000);

	/* wait_running with nothing in flight returns at once, even with DAOS_EQ_WAIT */
	t0 = now_us();
	assert_int_equal(daos_eq_poll(eqh, 1, DAOS_EQ_WAIT, 1, &evp), 0);
	assert_true(now_us() - t0 < 100000);

	/* a timeout with nothing to poll lasts about that long */
	t0 = now_us();
	assert_int_equal(daos_eq_poll(eqh, 0, 200000, 1, &evp), 0);
	dt = now_us() - t0;
	print_message("200 ms poll timeout took %ld us\n", (long)dt);
	assert_true(dt >= 195000 && dt < 1500000);

	/* same with an event in flight and wait_running */
	assert_int_equal(daos_event_init(&ev, eqh, NULL), 0);
	assert_int_equal(daos_event_launch(&ev), 0);
	t0 = now_us();
	assert_int_equal(daos_eq_poll(eqh, 1, 50000, 1, &evp), 0);
	dt = now_us() - t0;
	assert_true(dt >= 48000 && dt < 1000000);

	/* a completed event is returned at once, whatever the timeout */
	daos_event_complete(&ev, 0);
	t0 = now_us();
	assert_int_equal(daos_eq_poll(eqh, 1, DAOS_EQ_WAIT, 1, &evp), 1);
	assert_true(now_us() - t0 < 100000);
	assert_ptr_equal(evp, &ev);
	assert_int_equal(daos_event_fini(&ev), 0);
}

static void
test_poll_batches(void **state)
{
	daos_event_t evs[NEV];
	daos_event_t *evp[NEV];
	bool seen[NEV] = {0};
	int total = 0;
	int rc;
	int i;

	for (i = 0; i < NEV; i++) {
		assert_int_equal(daos_event_init(&evs[i], eqh, NULL), 0);
		assert_int_equal(daos_event_launch(&evs[i]), 0);
	}
	assert_int_equal(daos_eq_query(eqh, DAOS_EQR_WAITING, 0, NULL), NEV);
	assert_int_equal(daos_eq_query(eqh, DAOS_EQR_WAITING, 5, evp), 5);
	for (i = 0; i < NEV; i += 2)
		daos_event_complete(&evs[i], i);
	assert_int_equal(daos_eq_query(eqh, DAOS_EQR_COMPLETED, 0, NULL), NEV / 2);
	assert_int_equal(daos_eq_query(eqh, DAOS_EQR_WAITING, 0, NULL), NEV / 2);
	assert_int_equal(daos_eq_query(eqh, DAOS_EQR_ALL, 0, NULL), NEV);
	/* COMPLETED first, then WAITING */
	assert_int_equal(daos_eq_query(eqh, DAOS_EQR_ALL, NEV, evp), NEV);
	assert_ptr_equal(evp[0], &evs[0]);
	assert_ptr_equal(evp[NEV / 2], &evs[1]);

	/* polled in batches of at most 5, in completion order */
	while ((rc = daos_eq_poll(eqh, 1, DAOS_EQ_NOWAIT, 5, evp)) > 0) {
		assert_true(rc <= 5);
		for (i = 0; i < rc; i++) {
			int idx = (int)(evp[i] - evs);

			assert_int_equal(idx, total * 2);
			assert_false(seen[idx]);
			seen[idx] = true;
			assert_int_equal(evp[i]->ev_error, idx);
			total++;
		}
	}
	assert_int_equal(rc, 0);
	assert_int_equal(total, NEV / 2);
	for (i = 1; i < NEV; i += 2)
		daos_event_complete(&evs[i], 0);
	assert_int_equal(daos_eq_poll(eqh, 0, DAOS_EQ_WAIT, NEV, evp), NEV / 2);
	for (i = 0; i < NEV; i++)
		assert_int_equal(daos_event_fini(&evs[i]), 0);
}

static void
test_event_test(void **state)
{
	daos_event_t ev;
	daos_event_t nq;
	daos_event_t *evp;
	bool flag;
	int64_t t0;

	assert_int_equal(daos_event_init(&ev, eqh, NULL), 0);
	/* a ready (never launched) event counts as done */
	assert_int_equal(daos_event_test(&ev, DAOS_EQ_NOWAIT, &flag), 0);
	assert_true(flag);
	assert_int_equal(daos_event_launch(&ev), 0);
	assert_int_equal(daos_event_test(&ev, DAOS_EQ_NOWAIT, &flag), 0);
	assert_false(flag);
	t0 = now_us();
	assert_int_equal(daos_event_test(&ev, 30000, &flag), 0);
	assert_false(flag);
	assert_true(now_us() - t0 >= 28000);
	daos_event_complete(&ev, -DER_NOSPACE);
	assert_int_equal(daos_event_test(&ev, DAOS_EQ_WAIT, &flag), 0);
	assert_true(flag);
	assert_int_equal(ev.ev_error, -DER_NOSPACE);
	/* test took it out of the EQ */
	assert_int_equal(daos_eq_poll(eqh, 0, DAOS_EQ_NOWAIT, 1, &evp), 0);
	assert_int_equal(daos_event_fini(&ev), 0);

	/* an event without EQ */
	assert_int_equal(daos_event_init(&nq, DAOS_HDL_INVAL, NULL), 0);
	assert_int_equal(daos_ev2eqh(&nq).cookie, 0);
	assert_int_equal(daos_event_launch(&nq), 0);
	assert_int_equal(daos_event_test(&nq, DAOS_EQ_NOWAIT, &flag), 0);
	assert_false(flag);
	daos_event_complete(&nq, 7);
	assert_int_equal(daos_event_test(&nq, DAOS_EQ_NOWAIT, &flag), 0);
	assert_true(flag);
	assert_int_equal(nq.ev_error, 7);
	/* reusable */
	assert_int_equal(daos_event_launch(&nq), 0);
	daos_event_complete(&nq, 0);
	assert_int_equal(daos_event_test(&nq, DAOS_EQ_WAIT, &flag), 0);
	assert_true(flag);
	assert_int_equal(daos_event_fini(&nq), 0);
}

#define NCHILD 16

static void
test_parent_child(void **state)
{
	daos_event_t parent;
	daos_event_t child[NCHILD];
	daos_event_t extra;
	daos_event_t *evp[2];
	daos_event_t *it;
	bool flag;
	int i;

	assert_int_equal(daos_event_init(&parent, eqh, NULL), 0);
	for (i = 0; i < NCHILD; i++)
		assert_int_equal(daos_event_init(&child[i], DAOS_HDL_INVAL, &parent), 0);
	/* children are listed in order */
	for (i = 0, it = daos_event_next(&parent, NULL); it != NULL;
	     it = daos_event_next(&parent, it), i++)
		assert_ptr_equal(it, &child[i]);
	assert_int_equal(i, NCHILD);
	/* no grandchildren */
	assert_int_equal(daos_event_init(&extra, DAOS_HDL_INVAL, &child[0]), -DER_NO_PERM);
	/* a child cannot be tested on its own */
	assert_int_equal(daos_event_test(&child[0], 0, &flag), -DER_NO_PERM);

	/* the parent cannot launch before all its children have */
	assert_int_equal(daos_event_launch(&child[0]), 0);
	assert_int_equal(daos_event_launch(&parent), -DER_NO_PERM);
	for (i = 1; i < NCHILD; i++)
		assert_int_equal(daos_event_launch(&child[i]), 0);
	assert_int_equal(daos_event_launch(&parent), 0);
	assert_int_equal(daos_event_init(&extra, DAOS_HDL_INVAL, &parent), -DER_INVAL);

	/* the parent's own operation completes first: not visible while children run */
	daos_event_complete(&parent, 0);
	assert_int_equal(daos_eq_poll(eqh, 0, DAOS_EQ_NOWAIT, 2, evp), 0);
	assert_int_equal(daos_event_test(&parent, DAOS_EQ_NOWAIT, &flag), 0);
	assert_false(flag);
	for (i = 0; i < NCHILD; i++) {
		/* the first child error becomes the parent's */
		daos_event_complete(&child[i], i == 3 ? -DER_IO : (i == 9 ? -DER_NOSPACE : 0));
		if (i < NCHILD - 1)
			assert_int_equal(daos_eq_poll(eqh, 0, DAOS_EQ_NOWAIT, 2, evp), 0);
	}
	assert_int_equal(daos_eq_poll(eqh, 0, DAOS_EQ_NOWAIT, 2, evp), 1);
	assert_ptr_equal(evp[0], &parent);
	assert_int_equal(parent.ev_error, -DER_IO);
	assert_int_equal(child[3].ev_error, -DER_IO);
	assert_int_equal(child[9].ev_error, -DER_NOSPACE);

	/* once polled, parent and children are reusable; now with a barrier */
	for (i = 0; i < NCHILD; i++) {
		assert_int_equal(daos_event_launch(&child[i]), 0);
		if (i >= NCHILD / 2)
			daos_event_complete(&child[i], 0);
	}
	assert_int_equal(daos_event_parent_barrier(&parent), 0);
	assert_int_equal(daos_event_init(&extra, DAOS_HDL_INVAL, &parent), -DER_INVAL);
	assert_int_equal(daos_eq_poll(eqh, 0, DAOS_EQ_NOWAIT, 2, evp), 0);
	for (i = 0; i < NCHILD / 2; i++)
		daos_event_complete(&child[i], 0);
	/* the last child completed the barrier parent */
	assert_int_equal(daos_event_test(&parent, DAOS_EQ_NOWAIT, &flag), 0);
	assert_true(flag);
	assert_int_equal(parent.ev_error, 0);
	assert_int_equal(daos_eq_poll(eqh, 0, DAOS_EQ_NOWAIT, 2, evp), 0);

	/* barrier after all children completed: completes at once */
	for (i = 0; i < NCHILD; i++) {
		assert_int_equal(daos_event_launch(&child[i]), 0);
		daos_event_complete(&child[i], i == 5 ? -DER_TIMEDOUT : 0);
	}
	assert_int_equal(daos_event_parent_barrier(&parent), 0);
	assert_int_equal(daos_eq_poll(eqh, 0, DAOS_EQ_NOWAIT, 2, evp), 1);
	assert_ptr_equal(evp[0], &parent);
	assert_int_equal(parent.ev_error, -DER_TIMEDOUT);

	/* a child can leave its parent; fini of the parent takes the rest */
	assert_int_equal(daos_event_fini(&child[0]), 0);
	assert_ptr_equal(daos_event_next(&parent, NULL), &child[1]);
	assert_int_equal(daos_event_fini(&parent), 0);
	/* the other children became stand-alone events */
	assert_null(daos_event_next(&parent, NULL));
	for (i = 1; i < NCHILD; i++)
		assert_int_equal(daos_event_fini(&child[i]), 0);
	/* a second fini is harmless, any other use of a finalised event is not */
	assert_int_equal(daos_event_fini(&child[1]), 0);
	assert_int_equal(daos_event_launch(&child[1]), -DER_INVAL);

	/* barrier on a childless event */
	assert_int_equal(daos_event_init(&parent, eqh, NULL), 0);
	assert_int_equal(daos_event_parent_barrier(&parent), -DER_INVAL);
	assert_int_equal(daos_event_fini(&parent), 0);
}

static void
test_parent_no_eq(void **state)
{
	daos_event_t parent;
	daos_event_t child;
	bool flag;

	assert_int_equal(daos_event_init(&parent, DAOS_HDL_INVAL, NULL), 0);
	assert_int_equal(daos_event_init(&child, DAOS_HDL_INVAL, &parent), 0);
	assert_int_equal(daos_event_launch(&child), 0);
	assert_int_equal(daos_event_launch(&parent), 0);
	daos_event_complete(&child, 0);
	assert_int_equal(daos_event_test(&parent, DAOS_EQ_NOWAIT, &flag), 0);
	assert_false(flag);
	daos_event_complete(&parent, 0);
	assert_int_equal(daos_event_test(&parent, DAOS_EQ_NOWAIT, &flag), 0);
	assert_true(flag);
	assert_int_equal(daos_event_fini(&parent), 0);
}

static int cb_trace[8];
static int cb_nr;

static int
cb_record(void *arg, daos_event_t *ev, int ret)
{
	daos_event_t *evp;

	/* not yet visible to pollers */
	assert_int_equal(daos_eq_query(eqh, DAOS_EQR_COMPLETED, 0, NULL), 0);
	assert_int_equal(daos_eq_poll(eqh, 0, DAOS_EQ_NOWAIT, 1, &evp), 0);
	cb_trace[cb_nr++] = (int)(intptr_t)arg;
	assert_int_equal(ret, -DER_IO);
	return (int)(intptr_t)arg == 2 ? -DER_NOMEM : 0;
}

static void
test_comp_cb(void **state)
{
	daos_event_t ev;
	daos_event_t *evp;

	cb_nr = 0;
	assert_int_equal(daos_event_init(&ev, eqh, NULL), 0);
	assert_int_equal(daos_event_register_comp_cb(&ev, cb_record, (void *)1), 0);
	assert_int_equal(daos_event_register_comp_cb(&ev, cb_record, (void *)2), 0);
	assert_int_equal(daos_event_register_comp_cb(&ev, cb_record, (void *)3), 0);
	assert_int_equal(daos_event_launch(&ev), 0);
	daos_event_complete(&ev, -DER_IO);
	assert_int_equal(cb_nr, 3);
	assert_int_equal(cb_trace[0], 1);
	assert_int_equal(cb_trace[1], 2);
	assert_int_equal(cb_trace[2], 3);
	assert_int_equal(daos_eq_poll(eqh, 0, DAOS_EQ_NOWAIT, 1, &evp), 1);
	/* the operation's error wins over the callbacks' */
	assert_int_equal(ev.ev_error, -DER_IO);

	/* callbacks are one-shot */
	assert_int_equal(daos_event_launch(&ev), 0);
	daos_event_complete(&ev, 0);
	assert_int_equal(cb_nr, 3);
	assert_int_equal(daos_eq_poll(eqh, 0, DAOS_EQ_NOWAIT, 1, &evp), 1);
	/* unrun callbacks are freed by fini */
	assert_int_equal(daos_event_register_comp_cb(&ev, cb_record, (void *)1), 0);
	assert_int_equal(daos_event_fini(&ev), 0);
}

static int
cb_fail(void *arg, daos_event_t *ev, int ret)
{
	return -DER_NOMEM;
}

static void
test_comp_cb_error(void **state)
{
	daos_event_t ev;
	daos_event_t *evp;

	assert_int_equal(daos_event_init(&ev, eqh, NULL), 0);
	assert_int_equal(daos_event_register_comp_cb(&ev, cb_fail, NULL), 0);
	assert_int_equal(daos_event_launch(&ev), 0);
	daos_event_complete(&ev, 0);
	assert_int_equal(daos_eq_poll(eqh, 0, DAOS_EQ_NOWAIT, 1, &evp), 1);
	assert_int_equal(ev.ev_error, -DER_NOMEM);
	assert_int_equal(daos_event_fini(&ev), 0);
}

static int abort_calls;

static void
abort_cb(daos_event_t *ev, void *arg)
{
	abort_calls++;
	/* the operation acknowledges the cancel by completing its event */
	if (arg != NULL)
		daos_event_complete(ev, -DER_CANCELED);
}

static void
test_abort(void **state)
{
	daos_event_t ev;
	daos_event_t parent;
	daos_event_t child[3];
	daos_event_t *evp;
	int i;

	assert_int_equal(daos_event_init(&ev, eqh, NULL), 0);
	assert_int_equal(daos_event_abort(&ev), -DER_NO_PERM);
	assert_int_equal(daos_event_launch(&ev), 0);
	assert_int_equal(daos_event_abort(&ev), 0);
	assert_int_equal(daos_event_abort(&ev), -DER_NO_PERM);
	/* the operation's late completion is ignored */
	daos_event_complete(&ev, 0);
	assert_int_equal(daos_eq_poll(eqh, 0, DAOS_EQ_NOWAIT, 1, &evp), 1);
	assert_int_equal(ev.ev_error, -DER_CANCELED);

	/* with an abort callback, the operation decides */
	abort_calls = 0;
	assert_int_equal(daos_event_launch(&ev), 0);
	assert_int_equal(daos_event_register_abort_cb(&ev, abort_cb, NULL), 0);
	assert_int_equal(daos_event_abort(&ev), 0);
	assert_int_equal(abort_calls, 1);
	assert_int_equal(daos_eq_query(eqh, DAOS_EQR_WAITING, 0, NULL), 1);
	daos_event_complete(&ev, -DER_CANCELED);
	assert_int_equal(daos_eq_poll(eqh, 0, DAOS_EQ_NOWAIT, 1, &evp), 1);
	assert_int_equal(ev.ev_error, -DER_CANCELED);
	assert_int_equal(daos_event_launch(&ev), 0);
	assert_int_equal(daos_event_register_abort_cb(&ev, abort_cb, (void *)1), 0);
	assert_int_equal(daos_event_abort(&ev), 0);
	assert_int_equal(abort_calls, 2);
	assert_int_equal(daos_eq_poll(eqh, 0, DAOS_EQ_NOWAIT, 1, &evp), 1);
	assert_int_equal(daos_event_fini(&ev), 0);

	/* aborting a parent aborts its children */
	assert_int_equal(daos_event_init(&parent, eqh, NULL), 0);
	for (i = 0; i < 3; i++) {
		assert_int_equal(daos_event_init(&child[i], DAOS_HDL_INVAL, &parent), 0);
		assert_int_equal(daos_event_launch(&child[i]), 0);
	}
	daos_event_complete(&child[1], 0);
	assert_int_equal(daos_event_parent_barrier(&parent), 0);
	assert_int_equal(daos_event_abort(&parent), 0);
	assert_int_equal(daos_eq_poll(eqh, 0, DAOS_EQ_NOWAIT, 1, &evp), 1);
	assert_ptr_equal(evp, &parent);
	assert_int_equal(parent.ev_error, -DER_CANCELED);
	assert_int_equal(child[0].ev_error, -DER_CANCELED);
	assert_int_equal(child[1].ev_error, 0);
	assert_int_equal(daos_event_fini(&parent), 0);
}

static daos_event_t chained;

/* A completion callback that starts the next operation on the same EQ. */
static int
cb_chain(void *arg, daos_event_t *ev, int ret)
{
	int rc;

	rc = daos_event_launch(&chained);
	if (rc == 0)
		daos_event_complete(&chained, 42);
	return rc;
}

static void
test_callback_reenters_api(void **state)
{
	daos_event_t ev;
	daos_event_t *evp[2];

	assert_int_equal(daos_event_init(&ev, eqh, NULL), 0);
	assert_int_equal(daos_event_init(&chained, eqh, NULL), 0);
	assert_int_equal(daos_event_register_comp_cb(&ev, cb_chain, NULL), 0);
	assert_int_equal(daos_event_launch(&ev), 0);
	daos_event_complete(&ev, 0);
	assert_int_equal(ev.ev_error, 0);
	/* the chained event completed first: it was done inside the callback */
	assert_int_equal(daos_eq_poll(eqh, 0, DAOS_EQ_NOWAIT, 2, evp), 2);
	assert_ptr_equal(evp[0], &chained);
	assert_ptr_equal(evp[1], &ev);
	assert_int_equal(chained.ev_error, 42);
	assert_int_equal(daos_event_fini(&ev), 0);
	assert_int_equal(daos_event_fini(&chained), 0);
}

static void
test_force_destroy_calls_abort_cb(void **state)
{
	daos_handle_t h;
	daos_event_t a;
	daos_event_t b;

	abort_calls = 0;
	assert_int_equal(daos_eq_create(&h), 0);
	assert_int_equal(daos_event_init(&a, h, NULL), 0);
	assert_int_equal(daos_event_init(&b, h, NULL), 0);
	assert_int_equal(daos_event_launch(&a), 0);
	assert_int_equal(daos_event_launch(&b), 0);
	/* a cancels itself when asked; b ignores the request */
	assert_int_equal(daos_event_register_abort_cb(&a, abort_cb, (void *)1), 0);
	assert_int_equal(daos_event_register_abort_cb(&b, abort_cb, NULL), 0);
	assert_int_equal(daos_eq_destroy(h, DAOS_EQ_DESTROY_FORCE), 0);
	assert_int_equal(abort_calls, 2);
	assert_int_equal(a.ev_error, -DER_CANCELED);
	assert_int_equal(b.ev_error, -DER_CANCELED);
	/* b's operation finishing late is harmless */
	daos_event_complete(&b, 0);
	assert_int_equal(b.ev_error, -DER_CANCELED);
	assert_int_equal(daos_event_fini(&a), 0);
	assert_int_equal(daos_event_fini(&b), 0);
}

static void
test_destroy_busy_force(void **state)
{
	daos_handle_t h;
	daos_event_t run;
	daos_event_t done;
	daos_event_t idle;
	daos_event_t *evp[2];

	assert_int_equal(daos_eq_create(&h), 0);
	assert_int_equal(daos_event_init(&run, h, NULL), 0);
	assert_int_equal(daos_event_init(&done, h, NULL), 0);
	assert_int_equal(daos_event_init(&idle, h, NULL), 0);
	assert_int_equal(daos_event_launch(&run), 0);
	assert_int_equal(daos_eq_destroy(h, 0), -DER_BUSY);
	assert_int_equal(daos_event_launch(&done), 0);
	daos_event_complete(&done, 0);
	daos_event_complete(&run, 0);
	/* completed but not polled still counts */
	assert_int_equal(daos_eq_destroy(h, 0), -DER_BUSY);
	assert_int_equal(daos_eq_poll(h, 0, DAOS_EQ_NOWAIT, 2, evp), 2);
	assert_int_equal(daos_eq_destroy(h, 0), 0);
	assert_int_equal(daos_event_fini(&run), 0);
	assert_int_equal(daos_event_fini(&done), 0);
	assert_int_equal(daos_event_fini(&idle), 0);

	/* FORCE aborts what is in flight and drops what is unpolled */
	assert_int_equal(daos_eq_create(&h), 0);
	assert_int_equal(daos_event_init(&run, h, NULL), 0);
	assert_int_equal(daos_event_init(&done, h, NULL), 0);
	assert_int_equal(daos_event_launch(&run), 0);
	assert_int_equal(daos_event_launch(&done), 0);
	daos_event_complete(&done, 0);
	assert_int_equal(daos_eq_destroy(h, DAOS_EQ_DESTROY_FORCE), 0);
	assert_int_equal(run.ev_error, -DER_CANCELED);
	/* the late completion of the aborted operation is harmless */
	daos_event_complete(&run, 0);
	assert_int_equal(daos_event_launch(&run), -DER_NO_HDL);
	assert_int_equal(daos_event_fini(&run), 0);
	assert_int_equal(daos_event_fini(&done), 0);
	assert_int_equal(daos_eq_poll(h, 0, DAOS_EQ_NOWAIT, 2, evp), -DER_NO_HDL);
}

static void
test_fini_with_open_eq(void **state)
{
	daos_handle_t h;
	daos_event_t ev;
	daos_event_t *evp;

	/* fresh library instance on top of the group's reference */
	assert_int_equal(daos_fini(), 0);
	assert_int_equal(daos_fini(), -DER_UNINIT);
	assert_int_equal(daos_eq_create(&h), -DER_UNINIT);
	assert_int_equal(daos_event_init(&ev, DAOS_HDL_INVAL, NULL), -DER_UNINIT);
	assert_int_equal(daos_init(), 0);
	assert_int_equal(daos_eq_create(&h), 0);
	assert_int_equal(daos_event_init(&ev, h, NULL), 0);
	assert_int_equal(daos_event_launch(&ev), 0);
	/* an EQ left open is destroyed (its events aborted) by the last daos_fini */
	assert_int_equal(daos_fini(), 0);
	assert_int_equal(ev.ev_error, -DER_CANCELED);
	assert_int_equal(daos_init(), 0);
	assert_int_equal(daos_eq_poll(h, 0, 0, 1, &evp), -DER_NO_HDL);
	assert_int_equal(daos_event_fini(&ev), 0);
	/* restore the group's EQ */
	assert_int_equal(daos_eq_create(&eqh), 0);
}

static int no_poll_calls;

static int
cb_count(void *arg, daos_event_t *ev, int ret)
{
	no_poll_calls++;
	return 0;
}

static void
test_adv_flags(void **state)
{
	daos_event_t ev;
	daos_event_t *evp;

	/* DAOS_EVF_NO_POLL: the completion is told by callback, never queued */
	no_poll_calls = 0;
	assert_int_equal(daos_event_init_adv(&ev, DAOS_EVF_NO_POLL, eqh, NULL), 0);
	assert_int_equal(daos_event_register_comp_cb(&ev, cb_count, NULL), 0);
	assert_int_equal(daos_event_launch(&ev), 0);
	assert_int_equal(daos_eq_query(eqh, DAOS_EQR_WAITING, 0, NULL), 1);
	daos_event_complete(&ev, -DER_IO);
	assert_int_equal(no_poll_calls, 1);
	assert_int_equal(ev.ev_error, -DER_IO);
	assert_int_equal(daos_eq_query(eqh, DAOS_EQR_ALL, 0, NULL), 0);
	assert_int_equal(daos_eq_poll(eqh, 0, DAOS_EQ_NOWAIT, 1, &evp), 0);
	/* and it is ready again at once */
	assert_int_equal(daos_event_launch(&ev), 0);
	daos_event_complete(&ev, 0);
	assert_int_equal(daos_event_fini(&ev), 0);

	/* daos_event_errno_rc: positive errno in ev_error (the dfs convention) */
	assert_int_equal(daos_event_init(&ev, eqh, NULL), 0);
	daos_event_errno_rc(&ev);
	assert_int_equal(daos_event_launch(&ev), 0);
	daos_event_complete(&ev, -DER_NOMEM);
	assert_int_equal(daos_eq_poll(eqh, 0, DAOS_EQ_NOWAIT, 1, &evp), 1);
	assert_int_equal(ev.ev_error, ENOMEM);
	assert_int_equal(daos_event_fini(&ev), 0);
}

static int
child_after_fork(void)
{
	daos_handle_t h;
	daos_event_t ev;
	daos_event_t *evp;

	if (daos_reinit() != 0)
		return 1;
	/* the parent's EQ does not exist here */
	if (daos_eq_poll(eqh, 0, DAOS_EQ_NOWAIT, 1, &evp) != -DER_NO_HDL)
		return 2;
	if (daos_eq_create(&h) != 0 || daos_event_init(&ev, h, NULL) != 0)
		return 3;
	if (daos_event_launch(&ev) != 0)
		return 4;
	daos_event_complete(&ev, -DER_IO);
	if (daos_eq_poll(h, 0, DAOS_EQ_WAIT, 1, &evp) != 1 || ev.ev_error != -DER_IO)
		return 5;
	if (daos_event_fini(&ev) != 0 || daos_eq_destroy(h, 0) != 0)
		return 6;
	return daos_fini() == 0 ? 0 : 7;
}

static void
test_reinit_after_fork(void **state)
{
	pid_t pid;
	int status;

	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0)
		_exit(child_after_fork());
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	/* the parent is unaffected */
	assert_int_equal(daos_eq_query(eqh, DAOS_EQR_ALL, 0, NULL), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_init_fini),
		cmocka_unit_test(test_eq_create_destroy),
		cmocka_unit_test(test_bad_args),
		cmocka_unit_test(test_lifecycle_and_reuse),
		cmocka_unit_test(test_poll_timeouts),
		cmocka_unit_test(test_poll_batches),
		cmocka_unit_test(test_event_test),
		cmocka_unit_test(test_parent_child),
		cmocka_unit_test(test_parent_no_eq),
		cmocka_unit_test(test_comp_cb),
		cmocka_unit_test(test_comp_cb_error),
		cmocka_unit_test(test_abort),
		cmocka_unit_test(test_destroy_busy_force),
		cmocka_unit_test(test_callback_reenters_api),
		cmocka_unit_test(test_force_destroy_calls_abort_cb),
		cmocka_unit_test(test_adv_flags),
		cmocka_unit_test(test_reinit_after_fork),
		cmocka_unit_test(test_fini_with_open_eq),
	};

	return cmocka_run_group_tests_name("events", tests, setup, teardown);
}
