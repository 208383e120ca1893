/* Allocator: size classes, large runs, fragmentation/coalescing, exhaustion, statistics. */
#include "utest.h"

#define HEAP_SZ (8UL << 20)

static void
fill(struct utest *ut, umem_off_t off, size_t len, int seed)
{
	unsigned char *p = umem_off2ptr(&ut->umm, off);
	size_t i;

	assert_int_equal(umem_tx_begin(&ut->umm, NULL), 0);
	assert_int_equal(umem_tx_add(&ut->umm, off, len), 0);
	for (i = 0; i < len; i++)
		p[i] = (unsigned char)(seed + i * 7);
	assert_int_equal(umem_tx_commit(&ut->umm), 0);
}

static void
verify(struct utest *ut, umem_off_t off, size_t len, int seed)
{
	unsigned char *p = umem_off2ptr(&ut->umm, off);
	size_t i;

	for (i = 0; i < len; i++)
		assert_int_equal(p[i], (unsigned char)(seed + i * 7));
}

static void
test_classes(void **state)
{
	static const size_t sizes[] = {1,    16,   31,   32,   33,   64,   100,  200,   500,   1000,
				       2000, 2049, 3000, 3584, 3585, 4096, 5000, 70000, 300000};
	struct utest *ut = *state;
	struct umem_pool_stats st0, st;
	umem_off_t offs[ARRAY_SIZE(sizes)][4];
	size_t i, j, k, us;

	ut_create(ut, HEAP_SZ, NULL);
	assert_int_equal(umem_pool_query(ut->pool, &st0), 0);
	assert_int_equal(st0.ups_nr_allocs, 0);
	assert_true(st0.ups_free > HEAP_SZ * 9 / 10);

	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		for (j = 0; j < 4; j++) {
			offs[i][j] = umem_alloc(&ut->umm, sizes[i]);
			assert_false(UMOFF_IS_NULL(offs[i][j]));
			us = umem_usable_size(&ut->umm, offs[i][j]);
			assert_true(us >= sizes[i]);
			if (sizes[i] > 3584)
				assert_int_equal(us % 4096, 0);
			else
				assert_true(us < sizes[i] * 2 + 32);
			assert_int_equal(offs[i][j] % 16, 0);
			fill(ut, offs[i][j], sizes[i], (int)(i * 4 + j));
		}
	}
	/* no overlap: every object still holds its own pattern */
	for (i = 0; i < ARRAY_SIZE(sizes); i++)
		for (j = 0; j < 4; j++)
			verify(ut, offs[i][j], sizes[i], (int)(i * 4 + j));
	assert_int_equal(umem_pool_query(ut->pool, &st), 0);
	assert_int_equal(st.ups_nr_allocs, ARRAY_SIZE(sizes) * 4);
	assert_true(st.ups_used >= 4 * 300000);
	assert_true(st.ups_nr_slabs > 5);
	ut_check(ut);

	/* zalloc returns zeroed memory even where a freed object left data */
	for (i = 0; i < ARRAY_SIZE(sizes); i++)
		for (j = 0; j < 4; j++)
			assert_int_equal(umem_free(&ut->umm, offs[i][j]), 0);
	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		unsigned char *p;
		umem_off_t off = umem_zalloc(&ut->umm, sizes[i]);

		assert_false(UMOFF_IS_NULL(off));
		p = umem_off2ptr(&ut->umm, off);
		for (k = 0; k < sizes[i]; k++)
			assert_int_equal(p[k], 0);
		assert_int_equal(umem_free(&ut->umm, off), 0);
	}
	assert_int_equal(umem_pool_query(ut->pool, &st), 0);
	assert_int_equal(st.ups_nr_allocs, 0);
	assert_int_equal(st.ups_used, 0);
	ut_check(ut);

	/* bad frees are refused, not crashed on */
	assert_int_not_equal(umem_free(&ut->umm, 12345), 0);
	assert_int_not_equal(umem_free(&ut->umm, HEAP_SZ * 2), 0);
	offs[0][0] = umem_alloc(&ut->umm, 64);
	assert_int_equal(umem_free(&ut->umm, offs[0][0]), 0);
	assert_int_not_equal(umem_free(&ut->umm, offs[0][0]), 0);
	assert_int_not_equal(umem_free(&ut->umm, offs[0][0] + 8), 0);
	ut_check(ut);
}

static void
test_fragmentation(void **state)
{
	/* the big allocation at the end is logged whole: the log must hold 4x its size */
	struct umem_pool_attr attr = {.upa_wal_size = 4 * HEAP_SZ, .upa_sync_ms = -1};
	struct utest *ut = *state;
	struct umem_pool_stats st0, st;
	umem_off_t *objs;
	size_t n = 0, i, cap = 200000;
	umem_off_t big;

	ut_create(ut, HEAP_SZ, &attr);
	assert_int_equal(umem_pool_query(ut->pool, &st0), 0);
	objs = calloc(cap, sizeof(*objs));
	assert_non_null(objs);

	/* fill the heap with a mix of small objects and runs until it is full */
	assert_int_equal(umem_tx_begin(&ut->umm, NULL), 0);
	for (n = 0; n < cap; n++) {
		size_t sz = (n % 13 == 0) ? 4096 * (1 + n % 5) : 24 + (n * 37) % 2000;

		objs[n] = umem_alloc(&ut->umm, sz);
		if (UMOFF_IS_NULL(objs[n]))
			break;
		if (n % 512 == 511) {
			assert_int_equal(umem_tx_commit(&ut->umm), 0);
			assert_int_equal(umem_tx_begin(&ut->umm, NULL), 0);
		}
	}
	assert_int_equal(umem_tx_commit(&ut->umm), 0);
	assert_true(n > 1000 && n < cap);
	ut_check(ut);

	/* punch holes: every other object */
	assert_int_equal(umem_tx_begin(&ut->umm, NULL), 0);
	for (i = 0; i < n; i += 2)
		assert_int_equal(umem_free(&ut->umm, objs[i]), 0);
	assert_int_equal(umem_tx_commit(&ut->umm), 0);
	ut_check(ut);
	/* small holes are reusable */
	for (i = 0; i < 100; i++) {
		objs[i * 2] = umem_alloc(&ut->umm, 24 + (i * 2 * 37) % 2000);
		assert_false(UMOFF_IS_NULL(objs[i * 2]));
	}
	assert_int_equal(umem_tx_begin(&ut->umm, NULL), 0);
	for (i = 0; i < n; i++)
		if (i % 2 == 1 || i < 200)
			assert_int_equal(umem_free(&ut->umm, objs[i]), 0);
	assert_int_equal(umem_tx_commit(&ut->umm), 0);

	/* everything coalesced back: one big run of nearly the whole heap fits again */
	assert_int_equal(umem_pool_query(ut->pool, &st), 0);
	assert_int_equal(st.ups_nr_allocs, 0);
	assert_true(st.ups_free_pages + st.ups_nr_slabs * 16 ==
		    st0.ups_free_pages + st0.ups_nr_slabs * 16);
	/* empty slabs kept for reuse (at most one per class) are the only obstacles */
	big = umem_alloc(&ut->umm, (st.ups_free_pages - st.ups_nr_slabs * 16) / 2 * 4096);
	assert_false(UMOFF_IS_NULL(big));
	assert_true(st.ups_nr_slabs <= 22);
	ut_check(ut);
	assert_int_equal(umem_free(&ut->umm, big), 0);
	ut_check(ut);
	free(objs);
}

static void
test_exhaustion(void **state)
{
	struct utest *ut = *state;
	struct umem_pool_stats st;
	umem_off_t off, root;
	int n = 0;

	ut_create(ut, 1UL << 20, NULL);
	assert_int_equal(umem_pool_root(ut->pool, 64ULL << 30, &root), -DER_NOSPACE);
	assert_int_equal(umem_pool_root(ut->pool, 128, &root), 0);
	assert_int_equal(umem_tx_begin(&ut->umm, NULL), 0);
	while (!UMOFF_IS_NULL(off = umem_alloc(&ut->umm, 10000)))
		n++;
	assert_true(n > 50);
	assert_int_equal(ut->umm.umm_nospc_rc, -DER_NOSPACE);
	/* a failed allocation leaves the transaction usable */
	assert_int_equal(umem_tx_stage(&ut->umm), UMEM_STAGE_WORK);
	off = umem_alloc(&ut->umm, 100);
	assert_int_equal(umem_tx_commit(&ut->umm), 0);
	assert_int_equal(umem_pool_query(ut->pool, &st), 0);
	assert_true(st.ups_free_pages < 3);
	ut_check(ut);
	/* persisted state is consistent too */
	assert_int_equal(ut_reopen(ut, NULL), 0);
	ut_check(ut);
	assert_int_equal(umem_pool_root(ut->pool, 128, &root), 0);
}

static void
test_vmem(void **state)
{
	struct umem_attr uma = {.uma_id = UMEM_CLASS_VMEM};
	struct umem_instance umm;
	umem_off_t off;
	char *p;

	assert_int_equal(umem_class_init(&uma, &umm), 0);
	assert_false(umem_has_tx(&umm));
	assert_int_equal(umem_tx_begin(&umm, NULL), 0);
	off = umem_zalloc(&umm, 100);
	p = umem_off2ptr(&umm, off);
	assert_int_equal(p[99], 0);
	assert_int_equal(umem_ptr2off(&umm, p), off);
	assert_int_equal(umem_tx_add(&umm, off, 10), 0);
	assert_int_equal(umem_tx_commit(&umm), 0);
	assert_int_equal(umem_free(&umm, off), 0);
	uma.uma_id = UMEM_CLASS_UNKNOWN;
	assert_int_equal(umem_class_init(&uma, &umm), -DER_INVAL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_classes, ut_setup, ut_teardown),
		cmocka_unit_test_setup_teardown(test_fragmentation, ut_setup, ut_teardown),
		cmocka_unit_test_setup_teardown(test_exhaustion, ut_setup, ut_teardown),
		cmocka_unit_test(test_vmem),
	};

	return cmocka_run_group_tests_name("umem_alloc", tests, NULL, NULL);
}
