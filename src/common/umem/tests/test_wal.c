/* Log and recovery: replay without checkpoint, checkpoint + replay, wrap-around, torn tails,
 * damaged files. */
#include "utest.h"

#define HEAP_SZ (4UL << 20)
#define NR_VALS 64

struct root {
	uint64_t vals[NR_VALS];
	umem_off_t objs[NR_VALS];
};

static const struct umem_pool_attr no_ckpt = {
	.upa_flags = UMEM_POOL_NO_CLOSE_CKPT | UMEM_POOL_NO_BG_CKPT, .upa_sync_ms = -1};

static struct root *
get_root(struct utest *ut)
{
	umem_off_t off;

	assert_int_equal(umem_pool_root(ut->pool, sizeof(struct root), &off), 0);
	return umem_off2ptr(&ut->umm, off);
}

/* tx \a i: vals[i % NR_VALS] = i, and replace objs[i % NR_VALS] by an object holding i */
static void
do_tx(struct utest *ut, struct root *r, uint64_t i)
{
	int k = i % NR_VALS;
	umem_off_t o;

	assert_int_equal(umem_tx_begin(&ut->umm, NULL), 0);
	assert_int_equal(umem_tx_add_ptr(&ut->umm, &r->vals[k], 8), 0);
	assert_int_equal(umem_tx_add_ptr(&ut->umm, &r->objs[k], 8), 0);
	r->vals[k] = i;
	if (!UMOFF_IS_NULL(r->objs[k]))
		assert_int_equal(umem_free(&ut->umm, r->objs[k]), 0);
	o = umem_alloc(&ut->umm, 100 + (i * 131) % 6000);
	assert_false(UMOFF_IS_NULL(o));
	*(uint64_t *)umem_off2ptr(&ut->umm, o) = i;
	r->objs[k] = o;
	assert_int_equal(umem_tx_commit(&ut->umm), 0);
}

static void
verify(struct utest *ut, struct root *r, uint64_t n)
{
	uint64_t i;

	for (i = n > NR_VALS ? n - NR_VALS : 0; i < n; i++) {
		int k = i % NR_VALS;

		assert_int_equal(r->vals[k], i);
		assert_int_equal(*(uint64_t *)umem_off2ptr(&ut->umm, r->objs[k]), i);
	}
	ut_check(ut);
}

static void
test_replay(void **state)
{
	struct utest *ut = *state;
	struct umem_pool_stats st;
	struct root *r;
	uint64_t i;

	ut_create(ut, HEAP_SZ, &no_ckpt);
	r = get_root(ut);
	for (i = 0; i < 200; i++)
		do_tx(ut, r, i);
	/* an aborted transaction leaves no trace in the log */
	assert_int_equal(umem_tx_begin(&ut->umm, NULL), 0);
	assert_int_equal(umem_tx_add_ptr(&ut->umm, &r->vals[0], 8), 0);
	r->vals[0] = 999999;
	umem_tx_abort(&ut->umm, -DER_CANCELED);
	assert_int_equal(umem_pool_query(ut->pool, &st), 0);
	assert_int_equal(st.ups_ckpts, 0);

	assert_int_equal(ut_reopen(ut, &no_ckpt), 0);
	assert_int_equal(umem_pool_query(ut->pool, &st), 0);
	assert_int_equal(st.ups_replayed_txs, 201); /* root + 200 */
	r = get_root(ut);
	verify(ut, r, 200);

	/* continue after recovery, recover again */
	for (; i < 300; i++)
		do_tx(ut, r, i);
	assert_int_equal(ut_reopen(ut, &no_ckpt), 0);
	assert_int_equal(umem_pool_query(ut->pool, &st), 0);
	assert_int_equal(st.ups_replayed_txs, 301);
	verify(ut, get_root(ut), 300);
}

static void
test_checkpoint(void **state)
{
	struct utest *ut = *state;
	struct umem_pool_stats st;
	struct root *r;
	uint64_t i;

	ut_create(ut, HEAP_SZ, &no_ckpt);
	r = get_root(ut);
	for (i = 0; i < 100; i++)
		do_tx(ut, r, i);
	assert_int_equal(umem_pool_query(ut->pool, &st), 0);
	assert_true(st.ups_dirty_pages > 0);
	assert_true(st.ups_wal_used > 0);
	assert_int_equal(umem_pool_checkpoint(ut->pool), 0);
	assert_int_equal(umem_pool_query(ut->pool, &st), 0);
	assert_int_equal(st.ups_dirty_pages, 0);
	assert_int_equal(st.ups_wal_used, 0);
	assert_int_equal(st.ups_ckpts, 1);
	assert_true(st.ups_ckpt_bytes > 0);
	for (; i < 150; i++)
		do_tx(ut, r, i);

	assert_int_equal(ut_reopen(ut, &no_ckpt), 0);
	assert_int_equal(umem_pool_query(ut->pool, &st), 0);
	assert_int_equal(st.ups_replayed_txs, 50);
	r = get_root(ut);
	verify(ut, r, 150);

	/* checkpoint twice in a row (second one alternates the header slot), then no replay */
	assert_int_equal(umem_pool_checkpoint(ut->pool), 0);
	do_tx(ut, r, i++);
	assert_int_equal(umem_pool_checkpoint(ut->pool), 0);
	assert_int_equal(ut_reopen(ut, &no_ckpt), 0);
	assert_int_equal(umem_pool_query(ut->pool, &st), 0);
	assert_int_equal(st.ups_replayed_txs, 0);
	verify(ut, get_root(ut), i);

	/* default close checkpoints */
	assert_int_equal(ut_reopen(ut, NULL), 0);
	assert_int_equal(ut_reopen(ut, NULL), 0);
	assert_int_equal(umem_pool_query(ut->pool, &st), 0);
	assert_int_equal(st.ups_replayed_txs, 0);
	verify(ut, get_root(ut), i);
}

static void
test_wrap(void **state)
{
	struct umem_pool_attr attr = {
		.upa_wal_size = 128 << 10, .upa_sync_ms = -1, .upa_flags = UMEM_POOL_NO_CLOSE_CKPT};
	struct utest *ut = *state;
	struct umem_pool_stats st;
	struct root *r;
	uint64_t i;

	/* a log much smaller than the traffic: checkpoints must reclaim it, records wrap */
	ut_create(ut, HEAP_SZ, &attr);
	r = get_root(ut);
	for (i = 0; i < 3000; i++)
		do_tx(ut, r, i);
	assert_int_equal(umem_pool_query(ut->pool, &st), 0);
	assert_true(st.ups_wal_bytes > 4 * st.ups_wal_size);
	assert_true(st.ups_ckpts >= 4);
	assert_int_equal(ut_reopen(ut, &attr), 0);
	r = get_root(ut);
	verify(ut, r, 3000);
	for (; i < 3500; i++)
		do_tx(ut, r, i);
	assert_int_equal(ut_reopen(ut, &attr), 0);
	verify(ut, get_root(ut), 3500);

	/* a transaction larger than the log is refused and undone */
	{
		struct root *r2 = get_root(ut);
		umem_off_t big;
		int rc;

		assert_int_equal(umem_tx_begin(&ut->umm, NULL), 0);
		big = umem_alloc(&ut->umm, 512 << 10);
		assert_false(UMOFF_IS_NULL(big));
		rc = umem_tx_commit(&ut->umm);
		assert_int_equal(rc, -DER_NOSPACE);
		assert_int_equal(umem_usable_size(&ut->umm, big), 0);
		verify(ut, r2, 3500);
	}
}

static void
corrupt(const char *path, off_t off, size_t len, int byte)
{
	char buf[4096];
	int fd = open(path, O_RDWR);

	assert_true(fd >= 0);
	assert_true(len <= sizeof(buf));
	memset(buf, byte, len);
	assert_int_equal(pwrite(fd, buf, len, off), (ssize_t)len);
	close(fd);
}

static void
torn_tail(struct utest *ut, int mode)
{
	struct umem_pool_stats st;
	struct root *r;
	uint64_t i, pos, end;

	ut_create(ut, HEAP_SZ, &no_ckpt);
	r = get_root(ut);
	for (i = 0; i < 50; i++)
		do_tx(ut, r, i);
	assert_int_equal(umem_pool_query(ut->pool, &st), 0);
	pos = st.ups_wal_bytes; /* fresh log: LSN == bytes appended */
	do_tx(ut, r, 50);
	assert_int_equal(umem_pool_query(ut->pool, &st), 0);
	end = st.ups_wal_bytes;
	assert_int_equal(umem_pool_close(ut->pool), 0);
	ut->pool = NULL;

	if (mode == 0) /* one flipped byte in the middle of the last record */
		corrupt(ut->wpath, 4096 + pos + (end - pos) / 2, 1, 0x5a);
	else if (mode == 1) /* the second half never reached the disk */
		corrupt(ut->wpath, 4096 + pos + (end - pos) / 2, (end - pos) / 2, 0);
	else /* the header of the last record is garbage */
		corrupt(ut->wpath, 4096 + pos, 16, 0xff);

	assert_int_equal(ut_reopen(ut, &no_ckpt), 0);
	assert_int_equal(umem_pool_query(ut->pool, &st), 0);
	assert_int_equal(st.ups_replayed_txs, 51);
	r = get_root(ut);
	verify(ut, r, 50);
	assert_int_equal(r->vals[50 % NR_VALS], 0);

	/* new records overwrite the torn one; an old record beyond must never come back */
	do_tx(ut, r, 50);
	assert_int_equal(ut_reopen(ut, &no_ckpt), 0);
	verify(ut, get_root(ut), 51);
}

static void
test_torn_flip(void **state)
{
	torn_tail(*state, 0);
}

static void
test_torn_half(void **state)
{
	torn_tail(*state, 1);
}

static void
test_torn_hdr(void **state)
{
	torn_tail(*state, 2);
}

static void
test_damaged(void **state)
{
	struct utest *ut = *state;
	struct root *r;
	int i;

	ut_create(ut, HEAP_SZ, &no_ckpt);
	r = get_root(ut);
	for (i = 0; i < 10; i++)
		do_tx(ut, r, i);
	assert_int_equal(umem_pool_checkpoint(ut->pool), 0);
	assert_int_equal(umem_pool_close(ut->pool), 0);
	ut->pool = NULL;

	/* a heap is opened once at a time */
	{
		struct umem_pool *other = NULL;

		assert_int_equal(ut_reopen(ut, &no_ckpt), 0);
		assert_int_equal(umem_pool_open(ut->path, NULL, &other), -DER_BUSY);
		assert_null(other);
		assert_int_equal(umem_pool_close(ut->pool), 0);
		ut->pool = NULL;
	}
	/* one header slot damaged: the other one carries on */
	corrupt(ut->path, 40, 8, 0x11);
	assert_int_equal(ut_reopen(ut, &no_ckpt), 0);
	verify(ut, get_root(ut), 10);
	assert_int_equal(umem_pool_close(ut->pool), 0);
	ut->pool = NULL;
	/* both slots: checksum error */
	corrupt(ut->path, 2048 + 40, 8, 0x11);
	corrupt(ut->path, 40, 8, 0x11);
	assert_int_equal(ut_reopen(ut, &no_ckpt), -DER_CSUM);
	/* not a heap at all */
	corrupt(ut->path, 0, 8, 0);
	corrupt(ut->path, 2048, 8, 0);
	assert_int_equal(ut_reopen(ut, &no_ckpt), -DER_DF_INVAL);
	assert_int_equal(umem_pool_destroy(ut->path), 0);

	/* truncated image, damaged log header, missing log, damaged allocator page */
	ut_create(ut, HEAP_SZ, NULL);
	get_root(ut);
	assert_int_equal(umem_pool_close(ut->pool), 0);
	ut->pool = NULL;
	corrupt(ut->wpath, 24, 4, 0x33);
	assert_int_equal(ut_reopen(ut, NULL), -DER_CSUM);
	corrupt(ut->wpath, 0, 8, 0x33);
	assert_int_equal(ut_reopen(ut, NULL), -DER_DF_INVAL);
	unlink(ut->wpath);
	assert_int_equal(ut_reopen(ut, NULL), -DER_NONEXIST);
	assert_int_equal(truncate(ut->path, HEAP_SZ / 2), 0);
	assert_int_equal(ut_reopen(ut, NULL), -DER_DF_INVAL);
	assert_int_equal(umem_pool_destroy(ut->path), 0);
	assert_int_equal(umem_pool_destroy(ut->path), -DER_NONEXIST);

	ut_create(ut, HEAP_SZ, NULL);
	get_root(ut);
	assert_int_equal(umem_pool_close(ut->pool), 0);
	ut->pool = NULL;
	corrupt(ut->path, 2 * 4096, 64, 0x77); /* page map */
	assert_int_equal(ut_reopen(ut, NULL), -DER_DF_INVAL);
	umem_pool_destroy(ut->path);

	assert_int_equal(umem_pool_open("/nonexistent/x", NULL, &ut->pool), -DER_NONEXIST);
	ut->pool = NULL;
	assert_int_equal(umem_pool_create(ut->path, 1000, 0600, NULL, &ut->pool), -DER_INVAL);
	ut->pool = NULL;
}

static void
test_relaxed_sync(void **state)
{
	struct umem_pool_attr attr = {.upa_sync_ms = 20, .upa_flags = UMEM_POOL_NO_CLOSE_CKPT};
	struct utest *ut = *state;
	struct umem_pool_stats st;
	struct root *r;
	uint64_t i;

	ut_create(ut, HEAP_SZ, &attr);
	r = get_root(ut);
	for (i = 0; i < 300; i++)
		do_tx(ut, r, i);
	assert_int_equal(umem_pool_query(ut->pool, &st), 0);
	assert_true(st.ups_wal_syncs < 100);
	/* the background sync is due after 20 ms; allow a loaded machine up to 5 s */
	for (i = 0; i < 500; i++) {
		usleep(10 * 1000);
		assert_int_equal(umem_pool_query(ut->pool, &st), 0);
		if (st.ups_wal_syncs >= 1)
			break;
	}
	assert_true(st.ups_wal_syncs >= 1);
	assert_int_equal(ut_reopen(ut, &attr), 0);
	verify(ut, get_root(ut), 300);

	/* the same policy from the environment */
	setenv("DAOS_WAL_SYNC", "30", 1);
	attr.upa_sync_ms = -1;
	assert_int_equal(ut_reopen(ut, &attr), 0);
	r = get_root(ut);
	assert_int_equal(umem_pool_query(ut->pool, &st), 0);
	for (i = 300; i < 500; i++)
		do_tx(ut, r, i);
	{
		struct umem_pool_stats st2;

		assert_int_equal(umem_pool_query(ut->pool, &st2), 0);
		assert_true(st2.ups_wal_syncs - st.ups_wal_syncs < 100);
	}
	setenv("DAOS_WAL_SYNC", "every", 1);
	assert_int_equal(ut_reopen(ut, &attr), 0);
	r = get_root(ut);
	assert_int_equal(umem_pool_query(ut->pool, &st), 0);
	for (; i < 520; i++)
		do_tx(ut, r, i);
	{
		struct umem_pool_stats st2;

		assert_int_equal(umem_pool_query(ut->pool, &st2), 0);
		assert_true(st2.ups_wal_syncs - st.ups_wal_syncs >= 20);
	}
	unsetenv("DAOS_WAL_SYNC");
	assert_int_equal(ut_reopen(ut, &attr), 0);
	verify(ut, get_root(ut), 520);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_replay, ut_setup, ut_teardown),
		cmocka_unit_test_setup_teardown(test_checkpoint, ut_setup, ut_teardown),
		cmocka_unit_test_setup_teardown(test_wrap, ut_setup, ut_teardown),
		cmocka_unit_test_setup_teardown(test_torn_flip, ut_setup, ut_teardown),
		cmocka_unit_test_setup_teardown(test_torn_half, ut_setup, ut_teardown),
		cmocka_unit_test_setup_teardown(test_torn_hdr, ut_setup, ut_teardown),
		cmocka_unit_test_setup_teardown(test_damaged, ut_setup, ut_teardown),
		cmocka_unit_test_setup_teardown(test_relaxed_sync, ut_setup, ut_teardown),
	};

	return cmocka_run_group_tests_name("umem_wal", tests, NULL, NULL);
}
