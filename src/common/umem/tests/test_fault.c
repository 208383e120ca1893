/*
 * Injected ENOSPC/EIO on log and image writes: the caller gets -DER_NOSPACE/-DER_IO, the
 * heap reopens consistent and every acknowledged transaction is still there.
 */
#include <errno.h>
#include "utest.h"

#define HEAP_SZ (4UL << 20)
#define NR_ACK  20

struct root {
	uint64_t val[NR_ACK + 1];
	umem_off_t obj;
};

static const struct umem_pool_attr fattr = {
	.upa_sync_ms = 0, .upa_flags = UMEM_POOL_NO_BG_CKPT | UMEM_POOL_NO_CLOSE_CKPT};

static struct root *
get_root(struct utest *ut)
{
	umem_off_t off;

	assert_int_equal(umem_pool_root(ut->pool, sizeof(struct root), &off), 0);
	return umem_off2ptr(&ut->umm, off);
}

/* One transaction: val[i] = v, plus a fresh 200-byte allocation hung off the root. */
static int
update(struct utest *ut, struct root *r, int i, uint64_t v)
{
	int rc;

	rc = umem_tx_begin(&ut->umm, NULL);
	if (rc != 0)
		return rc;
	rc = umem_tx_add_ptr(&ut->umm, r, sizeof(*r));
	if (rc == 0) {
		r->val[i] = v;
		r->obj = umem_zalloc(&ut->umm, 200);
		if (UMOFF_IS_NULL(r->obj))
			rc = -DER_NOSPACE;
	}
	if (rc != 0)
		return umem_tx_abort(&ut->umm, rc);
	return umem_tx_commit(&ut->umm);
}

static void
close_any(struct utest *ut)
{
	/* a failed log leaves close with the sticky error; the pool is freed anyway */
	umem_pool_close(ut->pool);
	ut->pool = NULL;
}

static void
verify_acked(struct utest *ut)
{
	struct root *r;
	int i;

	assert_int_equal(ut_reopen(ut, &fattr), 0);
	ut_check(ut);
	r = get_root(ut);
	for (i = 0; i < NR_ACK; i++)
		assert_int_equal(r->val[i], i + 100);
	/* the heap is writable again */
	assert_int_equal(update(ut, r, NR_ACK, 7), 0);
	assert_int_equal(r->val[NR_ACK], 7);
	ut_check(ut);
}

static void
wal_fault(void **state, unsigned int point, int err, int der)
{
	struct utest *ut = *state;
	struct root *r;
	int i;

	ut_create(ut, HEAP_SZ, &fattr);
	r = get_root(ut);
	for (i = 0; i < NR_ACK; i++)
		assert_int_equal(update(ut, r, i, i + 100), 0);

	assert_int_equal(umem_fault_inject_set(point, err, 1), 0);
	assert_int_equal(update(ut, r, NR_ACK, 555), der);
	/* sticky: nothing else is acknowledged on a log that failed */
	assert_int_equal(update(ut, r, 0, 1), der);
	assert_int_equal(umem_fault_inject_set(0, 0, 0), 0);
	close_any(ut);

	verify_acked(ut);
}

static void
test_wal_write_enospc(void **state)
{
	wal_fault(state, UMEM_FI_WAL_WRITE, ENOSPC, -DER_NOSPACE);
}

static void
test_wal_write_eio(void **state)
{
	wal_fault(state, UMEM_FI_WAL_WRITE, EIO, -DER_IO);
}

static void
test_wal_sync_eio(void **state)
{
	wal_fault(state, UMEM_FI_WAL_SYNC, EIO, -DER_IO);
}

static void
test_wal_sync_enospc(void **state)
{
	wal_fault(state, UMEM_FI_WAL_SYNC, ENOSPC, -DER_NOSPACE);
}

/* A failed checkpoint keeps the log and the dirty pages; the next one succeeds. */
static void
ckpt_fault(void **state, unsigned int point, int err, int der)
{
	struct utest *ut = *state;
	struct umem_pool_stats st0, st1;
	struct root *r;
	int i;

	ut_create(ut, HEAP_SZ, &fattr);
	r = get_root(ut);
	for (i = 0; i < NR_ACK / 2; i++)
		assert_int_equal(update(ut, r, i, i + 100), 0);
	assert_int_equal(umem_pool_query(ut->pool, &st0), 0);
	assert_int_equal(umem_fault_inject_set(point, err, 1), 0);
	assert_int_equal(umem_pool_checkpoint(ut->pool), der);
	assert_int_equal(umem_fault_inject_set(0, 0, 0), 0);
	assert_int_equal(umem_pool_query(ut->pool, &st1), 0);
	assert_int_equal(st1.ups_wal_used, st0.ups_wal_used);
	assert_true(st1.ups_dirty_pages >= st0.ups_dirty_pages);
	/* transactions go on */
	for (; i < NR_ACK; i++)
		assert_int_equal(update(ut, r, i, i + 100), 0);
	/* reopen replays over the image that the failed checkpoint may have half written */
	assert_int_equal(umem_pool_close(ut->pool), 0);
	ut->pool = NULL;
	verify_acked(ut);
	assert_int_equal(umem_pool_checkpoint(ut->pool), 0);
	assert_int_equal(umem_pool_query(ut->pool, &st1), 0);
	assert_int_equal(st1.ups_dirty_pages, 0);
}

static void
test_ckpt_write_enospc(void **state)
{
	ckpt_fault(state, UMEM_FI_IMG_WRITE, ENOSPC, -DER_NOSPACE);
}

static void
test_ckpt_sync_eio(void **state)
{
	ckpt_fault(state, UMEM_FI_IMG_SYNC, EIO, -DER_IO);
}

static void
test_inject_args(void **state)
{
	assert_int_equal(umem_fault_inject_set(0, EIO, 1), -DER_INVAL);
	assert_int_equal(umem_fault_inject_set(UMEM_FI_WAL_WRITE, 0, 1), -DER_INVAL);
	assert_int_equal(umem_fault_inject_set(UMEM_FI_WAL_WRITE, EIO, -1), -DER_INVAL);
	assert_int_equal(umem_fault_inject_set(0, 0, 0), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_inject_args),
		cmocka_unit_test_setup_teardown(test_wal_write_enospc, ut_setup, ut_teardown),
		cmocka_unit_test_setup_teardown(test_wal_write_eio, ut_setup, ut_teardown),
		cmocka_unit_test_setup_teardown(test_wal_sync_eio, ut_setup, ut_teardown),
		cmocka_unit_test_setup_teardown(test_wal_sync_enospc, ut_setup, ut_teardown),
		cmocka_unit_test_setup_teardown(test_ckpt_write_enospc, ut_setup, ut_teardown),
		cmocka_unit_test_setup_teardown(test_ckpt_sync_eio, ut_setup, ut_teardown),
	};

	return cmocka_run_group_tests_name("umem_fault", tests, NULL, NULL);
}
