/* Transactions: abort restores bytes and allocator state, nesting, deferred frees, threads. */
#include <pthread.h>
#include "utest.h"

#define HEAP_SZ (4UL << 20)

struct root {
	umem_off_t obj;
	uint64_t counter;
	uint64_t per_thread[8];
	char buf[512];
};

static struct root *
get_root(struct utest *ut)
{
	umem_off_t off;

	assert_int_equal(umem_pool_root(ut->pool, sizeof(struct root), &off), 0);
	return umem_off2ptr(&ut->umm, off);
}

static void
test_abort_restores(void **state)
{
	struct utest *ut = *state;
	struct umem_pool_stats st0, st;
	struct root *r;
	char *obj, save[512], osave[300];
	umem_off_t nobj;
	int i;

	ut_create(ut, HEAP_SZ, NULL);
	r = get_root(ut);
	assert_int_equal(umem_tx_begin(&ut->umm, NULL), 0);
	assert_int_equal(umem_tx_add_ptr(&ut->umm, r, sizeof(*r)), 0);
	r->obj = umem_alloc(&ut->umm, 300);
	assert_false(UMOFF_IS_NULL(r->obj));
	obj = umem_off2ptr(&ut->umm, r->obj);
	for (i = 0; i < 300; i++)
		obj[i] = (char)i;
	for (i = 0; i < 512; i++)
		r->buf[i] = (char)(i * 3);
	r->counter = 41;
	assert_int_equal(umem_tx_commit(&ut->umm), 0);
	memcpy(save, r->buf, sizeof(save));
	memcpy(osave, obj, sizeof(osave));
	assert_int_equal(umem_pool_query(ut->pool, &st0), 0);

	/* change bytes, allocate, free the old object, then abort */
	assert_int_equal(umem_tx_begin(&ut->umm, NULL), 0);
	assert_int_equal(umem_tx_stage(&ut->umm), UMEM_STAGE_WORK);
	assert_int_equal(umem_tx_add_ptr(&ut->umm, r, sizeof(*r)), 0);
	memset(r->buf, 0xee, sizeof(r->buf));
	r->counter = 1000;
	nobj = umem_zalloc(&ut->umm, 5000);
	assert_false(UMOFF_IS_NULL(nobj));
	assert_int_equal(umem_free(&ut->umm, r->obj), 0);
	/* frees take effect at commit: still allocated here */
	assert_int_equal(umem_usable_size(&ut->umm, r->obj), 320);
	assert_int_equal(umem_tx_add(&ut->umm, r->obj, 300), 0);
	memset(obj, 0x55, 300);
	r->obj = nobj;
	assert_int_equal(umem_tx_abort(&ut->umm, -DER_IO), -DER_IO);
	assert_int_equal(umem_tx_stage(&ut->umm), UMEM_STAGE_NONE);

	assert_int_equal(r->counter, 41);
	assert_memory_equal(r->buf, save, sizeof(save));
	assert_memory_equal(obj, osave, sizeof(osave));
	assert_int_equal(umem_ptr2off(&ut->umm, obj), r->obj);
	assert_int_equal(umem_usable_size(&ut->umm, r->obj), 320);
	assert_int_equal(umem_usable_size(&ut->umm, nobj), 0);
	assert_int_equal(umem_pool_query(ut->pool, &st), 0);
	assert_int_equal(st.ups_nr_allocs, st0.ups_nr_allocs);
	assert_int_equal(st.ups_used, st0.ups_used);
	assert_int_equal(st.ups_free, st0.ups_free);
	assert_int_equal(st.ups_tx_aborted, st0.ups_tx_aborted + 1);
	ut_check(ut);

	/* the same after a restart */
	assert_int_equal(ut_reopen(ut, NULL), 0);
	r = get_root(ut);
	assert_int_equal(r->counter, 41);
	assert_memory_equal(r->buf, save, sizeof(save));
	ut_check(ut);

	/* free at commit */
	assert_int_equal(umem_tx_begin(&ut->umm, NULL), 0);
	assert_int_equal(umem_free(&ut->umm, r->obj), 0);
	assert_int_equal(umem_free(&ut->umm, r->obj), -DER_INVAL);
	assert_int_equal(umem_tx_add_ptr(&ut->umm, &r->obj, sizeof(r->obj)), 0);
	r->obj = UMOFF_NULL;
	assert_int_equal(umem_tx_commit(&ut->umm), 0);
	assert_int_equal(umem_pool_query(ut->pool, &st), 0);
	assert_int_equal(st.ups_nr_allocs, st0.ups_nr_allocs - 1);

	/* misuse outside a transaction is refused */
	assert_int_equal(umem_tx_add_ptr(&ut->umm, r, 8), -DER_INVAL);
	assert_int_equal(umem_tx_commit(&ut->umm), -DER_INVAL);
	assert_int_equal(umem_tx_begin(&ut->umm, NULL), 0);
	assert_int_equal(umem_tx_add_ptr(&ut->umm, umem_pool_base(ut->pool), 8), -DER_INVAL);
	assert_int_equal(umem_tx_add(&ut->umm, HEAP_SZ - 8, 64), -DER_INVAL);
	assert_int_equal(umem_tx_commit(&ut->umm), 0);
}

static int cb_commit, cb_abort;

static void
stage_cb(void *data, bool noop)
{
	if (!noop)
		(*(int *)data)++;
}

static void
test_nested(void **state)
{
	struct utest *ut = *state;
	struct root *r;

	ut_create(ut, HEAP_SZ, NULL);
	r = get_root(ut);

	/* inner commit, outer commit: one transaction */
	assert_int_equal(umem_tx_begin(&ut->umm, NULL), 0);
	assert_int_equal(umem_tx_add_ptr(&ut->umm, &r->counter, 8), 0);
	r->counter = 1;
	assert_int_equal(umem_tx_begin(&ut->umm, NULL), 0);
	assert_int_equal(umem_tx_add_ptr(&ut->umm, &r->counter, 8), 0);
	r->counter = 2;
	assert_int_equal(umem_tx_commit(&ut->umm), 0);
	assert_int_equal(umem_tx_stage(&ut->umm), UMEM_STAGE_WORK);
	assert_int_equal(
		umem_tx_add_callback(&ut->umm, NULL, UMEM_STAGE_ONCOMMIT, stage_cb, &cb_commit), 0);
	assert_int_equal(
		umem_tx_add_callback(&ut->umm, NULL, UMEM_STAGE_ONABORT, stage_cb, &cb_abort), 0);
	assert_int_equal(umem_tx_commit(&ut->umm), 0);
	assert_int_equal(r->counter, 2);
	assert_int_equal(cb_commit, 1);
	assert_int_equal(cb_abort, 0);

	/* inner commit, outer abort: everything undone */
	assert_int_equal(umem_tx_begin(&ut->umm, NULL), 0);
	assert_int_equal(umem_tx_begin(&ut->umm, NULL), 0);
	assert_int_equal(umem_tx_add_ptr(&ut->umm, &r->counter, 8), 0);
	r->counter = 3;
	assert_int_equal(umem_tx_commit(&ut->umm), 0);
	assert_int_equal(
		umem_tx_add_callback(&ut->umm, NULL, UMEM_STAGE_ONABORT, stage_cb, &cb_abort), 0);
	assert_int_equal(umem_tx_abort(&ut->umm, -DER_INVAL), -DER_INVAL);
	assert_int_equal(r->counter, 2);
	assert_int_equal(cb_abort, 1);

	/* inner abort: the outer commit reports it and nothing sticks */
	assert_int_equal(umem_tx_begin(&ut->umm, NULL), 0);
	assert_int_equal(umem_tx_add_ptr(&ut->umm, &r->counter, 8), 0);
	r->counter = 4;
	assert_int_equal(umem_tx_begin(&ut->umm, NULL), 0);
	assert_false(UMOFF_IS_NULL(umem_alloc(&ut->umm, 100)));
	assert_int_equal(umem_tx_abort(&ut->umm, -DER_NOSPACE), -DER_NOSPACE);
	assert_int_equal(r->counter, 2);
	assert_int_equal(umem_tx_stage(&ut->umm), UMEM_STAGE_ONABORT);
	assert_int_equal(umem_tx_add_ptr(&ut->umm, &r->counter, 8), -DER_NOSPACE);
	assert_true(UMOFF_IS_NULL(umem_alloc(&ut->umm, 100)));
	assert_int_equal(umem_tx_commit(&ut->umm), -DER_NOSPACE);
	assert_int_equal(umem_tx_stage(&ut->umm), UMEM_STAGE_NONE);
	assert_int_equal(r->counter, 2);
	ut_check(ut);

	assert_int_equal(ut_reopen(ut, NULL), 0);
	r = get_root(ut);
	assert_int_equal(r->counter, 2);
	ut_check(ut);
}

struct targ {
	struct utest *ut;
	struct root *r;
	int id;
	int nr;
};

static void *
worker(void *arg)
{
	struct targ *ta = arg;
	int i;

	for (i = 0; i < ta->nr; i++) {
		umem_off_t o;

		if (umem_tx_begin(&ta->ut->umm, NULL) != 0)
			return (void *)1;
		if (umem_tx_add_ptr(&ta->ut->umm, &ta->r->counter, 8) != 0 ||
		    umem_tx_add_ptr(&ta->ut->umm, &ta->r->per_thread[ta->id], 8) != 0)
			return (void *)1;
		ta->r->counter++;
		ta->r->per_thread[ta->id]++;
		o = umem_alloc(&ta->ut->umm, 40 + i % 200);
		if (UMOFF_IS_NULL(o) || umem_free(&ta->ut->umm, o) != 0)
			return (void *)1;
		if (umem_tx_commit(&ta->ut->umm) != 0)
			return (void *)1;
	}
	return NULL;
}

static void
test_threads(void **state)
{
	struct utest *ut = *state;
	struct targ ta[8];
	pthread_t th[8];
	struct umem_pool_stats st;
	struct root *r;
	void *ret;
	int i;

	ut_create(ut, HEAP_SZ, NULL);
	r = get_root(ut);
	for (i = 0; i < 8; i++) {
		ta[i] = (struct targ){.ut = ut, .r = r, .id = i, .nr = 150};
		assert_int_equal(pthread_create(&th[i], NULL, worker, &ta[i]), 0);
	}
	for (i = 0; i < 8; i++) {
		assert_int_equal(pthread_join(th[i], &ret), 0);
		assert_null(ret);
	}
	assert_int_equal(r->counter, 8 * 150);
	for (i = 0; i < 8; i++)
		assert_int_equal(r->per_thread[i], 150);
	assert_int_equal(umem_pool_query(ut->pool, &st), 0);
	/* group commit: fewer syncs than transactions */
	assert_true(st.ups_wal_syncs < 8 * 150);
	ut_check(ut);
	assert_int_equal(ut_reopen(ut, NULL), 0);
	r = get_root(ut);
	assert_int_equal(r->counter, 8 * 150);
	ut_check(ut);
}

static pthread_mutex_t cb_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cb_cond = PTHREAD_COND_INITIALIZER;
static int cb_done, cb_rc = 1;

static void
durable_cb(void *arg, int rc)
{
	pthread_mutex_lock(&cb_lock);
	cb_done++;
	cb_rc = rc;
	pthread_cond_signal(&cb_cond);
	pthread_mutex_unlock(&cb_lock);
}

static int waits, wakes;

static void *
my_create(void)
{
	return calloc(1, sizeof(int));
}
static void
my_wait(void *c)
{
	waits++;
	while (!__atomic_load_n((int *)c, __ATOMIC_ACQUIRE))
		usleep(100);
}
static void
my_wake(void *c)
{
	wakes++;
	__atomic_store_n((int *)c, 1, __ATOMIC_RELEASE);
}
static void
my_destroy(void *c)
{
	free(c);
}

static void
test_commit_cb_and_wait_ops(void **state)
{
	static const struct umem_wait_ops ops = {my_create, my_wait, my_wake, my_destroy};
	struct utest *ut = *state;
	struct root *r;

	ut_create(ut, HEAP_SZ, NULL);
	r = get_root(ut);
	assert_int_equal(umem_tx_begin(&ut->umm, NULL), 0);
	assert_int_equal(umem_tx_add_ptr(&ut->umm, &r->counter, 8), 0);
	r->counter = 77;
	assert_int_equal(umem_tx_commit_cb(&ut->umm, durable_cb, NULL), 0);
	pthread_mutex_lock(&cb_lock);
	while (cb_done == 0)
		pthread_cond_wait(&cb_cond, &cb_lock);
	pthread_mutex_unlock(&cb_lock);
	assert_int_equal(cb_rc, 0);

	umem_set_wait_ops(&ops);
	assert_int_equal(umem_tx_begin(&ut->umm, NULL), 0);
	assert_int_equal(umem_tx_add_ptr(&ut->umm, &r->counter, 8), 0);
	r->counter = 78;
	assert_int_equal(umem_tx_commit(&ut->umm), 0);
	umem_set_wait_ops(NULL);
	assert_int_equal(waits, 1);
	assert_int_equal(wakes, 1);
	assert_int_equal(ut_reopen(ut, NULL), 0);
	r = get_root(ut);
	assert_int_equal(r->counter, 78);
}

static void
test_log_pressure_wait_ops(void **state)
{
	static const struct umem_wait_ops ops = {my_create, my_wait, my_wake, my_destroy};
	struct umem_pool_attr attr = {.upa_wal_size = 128 << 10,
				      .upa_sync_ms = -1,
				      .upa_flags = UMEM_POOL_NO_BG_CKPT | UMEM_POOL_NO_CLOSE_CKPT};
	struct umem_pool_stats st;
	struct utest *ut = *state;
	struct root *r;
	int i;

	/* no timer checkpoints: only a transaction waiting for log space triggers them */
	ut_create(ut, HEAP_SZ, &attr);
	r = get_root(ut);
	waits = wakes = 0;
	umem_set_wait_ops(&ops);
	for (i = 0; i < 400; i++) {
		assert_int_equal(umem_tx_begin(&ut->umm, NULL), 0);
		assert_int_equal(umem_tx_add_ptr(&ut->umm, r->buf, sizeof(r->buf)), 0);
		assert_int_equal(umem_tx_add_ptr(&ut->umm, &r->counter, 8), 0);
		memset(r->buf, i, sizeof(r->buf));
		r->counter = i;
		assert_int_equal(umem_tx_commit(&ut->umm), 0);
	}
	umem_set_wait_ops(NULL);
	assert_int_equal(umem_pool_query(ut->pool, &st), 0);
	assert_true(st.ups_ckpts >= 2);
	/* commits plus the log-space waits all went through the installed ops */
	assert_true(waits > 400);
	assert_int_equal(waits, wakes);
	assert_int_equal(ut_reopen(ut, &attr), 0);
	r = get_root(ut);
	assert_int_equal(r->counter, 399);
	assert_int_equal((unsigned char)r->buf[100], 399 & 0xff);
}

static void
test_reserve_publish(void **state)
{
	struct umem_rsrvd_act *act = NULL;
	struct umem_tx_stage_data txd;
	struct umem_pool_stats st0, st;
	struct utest *ut = *state;
	struct root *r;
	umem_off_t a, b;
	char src[100];

	ut_create(ut, HEAP_SZ, NULL);
	r = get_root(ut);
	assert_int_equal(umem_init_txd(&txd), 0);
	assert_int_equal((unsigned)txd.txd_magic, UMEM_TX_DATA_MAGIC);
	assert_true(umem_tx_none(&ut->umm));
	assert_int_equal(umem_tx_errno(ENOMEM), -DER_NOMEM);
	assert_int_equal(umem_tx_errno(-DER_IO), -DER_IO);
	r->obj = umem_alloc(&ut->umm, 64); /* implicit transaction */
	assert_false(UMOFF_IS_NULL(r->obj));
	assert_int_equal(umem_pool_query(ut->pool, &st0), 0);

	/* reserve, cancel: nothing left */
	assert_int_equal(umem_rsrvd_act_alloc(&ut->umm, &act, 1), 0);
	a = umem_reserve(&ut->umm, act, 1000);
	assert_false(UMOFF_IS_NULL(a));
	assert_int_equal(umem_rsrvd_act_cnt(act), 1);
	umem_cancel(&ut->umm, act);
	assert_int_equal(umem_rsrvd_act_cnt(act), 0);
	assert_int_equal(umem_pool_query(ut->pool, &st), 0);
	assert_int_equal(st.ups_nr_allocs, st0.ups_nr_allocs);

	/* reserve + defer free of the old object, publish in a transaction */
	b = umem_reserve(&ut->umm, act, 200);
	assert_false(UMOFF_IS_NULL(b));
	umem_defer_free(&ut->umm, r->obj, act);
	assert_int_equal(umem_tx_begin(&ut->umm, &txd), 0);
	assert_true(umem_tx_inprogress(&ut->umm));
	assert_int_equal(umem_tx_publish(&ut->umm, act), 0);
	assert_int_equal(umem_tx_add_ptr(&ut->umm, &r->obj, sizeof(r->obj)), 0);
	r->obj = b;
	assert_int_equal(umem_tx_commit(&ut->umm), 0);
	assert_int_equal(umem_pool_query(ut->pool, &st), 0);
	assert_int_equal(st.ups_nr_allocs, st0.ups_nr_allocs);
	assert_int_equal(umem_usable_size(&ut->umm, b), 224);
	umem_rsrvd_act_free(&act);
	assert_null(act);
	umem_fini_txd(&txd);

	memset(src, 0x3c, sizeof(src));
	assert_non_null(umem_atomic_copy(&ut->umm, umem_off2ptr(&ut->umm, b), src, sizeof(src),
					 UMEM_COMMIT_IMMEDIATE));
	assert_int_equal(ut_reopen(ut, NULL), 0);
	r = get_root(ut);
	assert_int_equal(r->obj, b);
	assert_memory_equal(umem_off2ptr(&ut->umm, b), src, sizeof(src));
	ut_check(ut);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_abort_restores, ut_setup, ut_teardown),
		cmocka_unit_test_setup_teardown(test_nested, ut_setup, ut_teardown),
		cmocka_unit_test_setup_teardown(test_threads, ut_setup, ut_teardown),
		cmocka_unit_test_setup_teardown(test_commit_cb_and_wait_ops, ut_setup, ut_teardown),
		cmocka_unit_test_setup_teardown(test_log_pressure_wait_ops, ut_setup, ut_teardown),
		cmocka_unit_test_setup_teardown(test_reserve_publish, ut_setup, ut_teardown),
	};

	return cmocka_run_group_tests_name("umem_tx", tests, NULL, NULL);
}
