/* evtree: destroy and drain free every data extent exactly once; iterator deletes. */
#include "evt_utest.h"

/* n data records with distinct addresses 1..n (overlapping) and n / 4 punches */
static void
fill(struct evt_ut *ut, int n)
{
	int i;

	assert_int_equal(umem_tx_begin(&ut->umm, NULL), 0);
	for (i = 1; i <= n; i++)
		assert_int_equal(ut_insert(ut, (i * 37) % 5000, (i * 37) % 5000 + i % 50,
					   1 + i / 10, (uint16_t)(i % 10), i, false),
				 0);
	for (i = 0; i < n / 4; i++)
		assert_int_equal(ut_insert(ut, i * 20, i * 20 + 5, 100000 + i, 0, 0, true), 0);
	assert_int_equal(umem_tx_commit(&ut->umm), 0);
	assert_int_equal(evt_check(ut->toh), 0);
}

static void
check_freed_once(struct evt_ut *ut, int n)
{
	int i;

	assert_int_equal(ut->nr_freed, n);
	for (i = 1; i <= n; i++)
		assert_int_equal(ut->freed[i], 1);
	assert_int_equal(ut->freed[0], 0); /* holes are never freed */
}

static void
test_destroy(void **state)
{
	struct evt_ut *ut = *state;
	struct umem_pool_stats before, after;
	daos_handle_t old;

	assert_int_equal(umem_pool_query(ut->pool, &before), 0);
	ut_create_tree(ut, 16);
	fill(ut, 3000);
	old = ut->toh;
	assert_int_equal(evt_destroy(ut->toh), 0);
	ut->toh = DAOS_HDL_INVAL;
	check_freed_once(ut, 3000);
	/* the handle is closed, the root reset, and every node and descriptor freed */
	assert_int_equal(evt_close(old), -DER_NO_HDL);
	assert_int_equal(ut->root->tr_order, 0);
	assert_int_equal(evt_open(ut->root, &ut->uma, NULL, &ut->toh), -DER_NONEXIST);
	assert_int_equal(umem_pool_query(ut->pool, &after), 0);
	assert_int_equal(after.ups_nr_allocs, before.ups_nr_allocs);
	assert_int_equal(after.ups_used, before.ups_used);
}

static void
test_drain(void **state)
{
	struct evt_ut *ut = *state;
	bool destroyed = false;
	int rounds = 0;
	int total = 3000 + 750;
	int creds;

	ut_create_tree(ut, 5);
	fill(ut, 3000);
	while (!destroyed) {
		creds = 97;
		assert_int_equal(evt_drain(ut->toh, &creds, &destroyed), 0);
		assert_true(creds >= 0);
		if (!destroyed) {
			assert_int_equal(creds, 0);
			assert_int_equal(evt_check(ut->toh), 0);
			assert_int_equal(ut->root->tr_count, total - 97 * (rounds + 1));
		}
		rounds++;
		assert_true(rounds < 1000);
		if (rounds == 10) /* partially drained trees survive restarts */
			ut_reopen(ut);
	}
	assert_int_equal(rounds, (total + 96) / 97);
	assert_int_equal(creds, 97 * rounds - total);
	check_freed_once(ut, 3000);
	assert_int_equal(evt_open(ut->root, &ut->uma, NULL, &(daos_handle_t){0}), -DER_NONEXIST);
	/* the handle stays open after a drain destroyed the tree */
	assert_int_equal(evt_close(ut->toh), 0);
	ut->toh = DAOS_HDL_INVAL;
}

static void
test_drain_abort(void **state)
{
	struct evt_ut *ut = *state;
	bool destroyed;
	int creds = 500;

	ut_create_tree(ut, 8);
	fill(ut, 400);
	assert_int_equal(umem_tx_begin(&ut->umm, NULL), 0);
	assert_int_equal(evt_drain(ut->toh, &creds, &destroyed), 0);
	assert_true(destroyed);
	assert_int_equal(umem_tx_abort(&ut->umm, -DER_CANCELED), -DER_CANCELED);
	assert_int_equal(ut->root->tr_count, 500);
	assert_int_equal(evt_check(ut->toh), 0);
	assert_int_equal(evt_has_data(ut->root, &ut->uma), 1);
}

static void
test_iter_delete(void **state)
{
	struct evt_ut *ut = *state;
	struct evt_filter f = ut_filter(0, UINT64_MAX, 0, DAOS_EPOCH_MAX);
	struct evt_entry_array ea;
	struct evt_entry ent;
	daos_handle_t ih;
	unsigned int inob;
	int deleted = 0;
	int rc;

	ut_create_tree(ut, 4);
	fill(ut, 200);
	/* delete every covered record while iterating visible + covered pieces */
	assert_int_equal(evt_iter_prepare(ut->toh, EVT_ITER_VISIBLE | EVT_ITER_COVERED, &f, &ih),
			 0);
	assert_int_equal(evt_iter_empty(ih), 0);
	rc = evt_iter_probe(ih, EVT_ITER_FIRST, NULL, NULL);
	while (rc == 0) {
		assert_int_equal(evt_iter_fetch(ih, &inob, &ent, NULL), 0);
		assert_int_equal(inob, 1);
		if ((ent.en_visibility & EVT_COVERED) && !(ent.en_visibility & EVT_VISIBLE) &&
		    ent.en_sel_ext.ex_lo == ent.en_ext.ex_lo &&
		    ent.en_sel_ext.ex_hi == ent.en_ext.ex_hi) {
			/* wholly covered: nothing of it is ever read at this epoch */
			assert_int_equal(evt_iter_delete(ih, &ent), 0);
			deleted++;
			rc = evt_iter_fetch(ih, NULL, NULL, NULL);
			if (rc == -DER_NONEXIST)
				break;
			assert_int_equal(rc, 0);
			continue;
		}
		rc = evt_iter_next(ih);
	}
	assert_int_equal(evt_iter_finish(ih), 0);
	assert_true(deleted > 0);
	assert_int_equal(ut->root->tr_count, 250 - deleted);
	assert_int_equal(evt_check(ut->toh), 0);
	/* the visible result is unchanged, and nothing wholly covered is left */
	evt_ent_array_init(&ea, 0);
	assert_int_equal(evt_find(ut->toh, &f, &ea), 0);
	evt_ent_array_fini(&ea);
	assert_int_equal(evt_iter_prepare(ut->toh, EVT_ITER_COVERED, &f, &ih), 0);
	rc = evt_iter_probe(ih, EVT_ITER_FIRST, NULL, NULL);
	while (rc == 0) {
		assert_int_equal(evt_iter_fetch(ih, NULL, &ent, NULL), 0);
		assert_true(ent.en_sel_ext.ex_lo != ent.en_ext.ex_lo ||
			    ent.en_sel_ext.ex_hi != ent.en_ext.ex_hi);
		rc = evt_iter_next(ih);
	}
	assert_int_equal(rc, -DER_NONEXIST);
	assert_int_equal(evt_iter_finish(ih), 0);

	/* a raw iterator deleting everything empties the tree */
	assert_int_equal(evt_iter_prepare(ut->toh, 0, NULL, &ih), 0);
	rc = evt_iter_probe(ih, EVT_ITER_FIRST, NULL, NULL);
	while (rc == 0) {
		assert_int_equal(evt_iter_delete(ih, NULL), 0);
		rc = evt_iter_fetch(ih, NULL, NULL, NULL);
	}
	assert_int_equal(rc, -DER_NONEXIST);
	assert_int_equal(evt_iter_finish(ih), 0);
	assert_int_equal(ut->root->tr_count, 0);
	assert_int_equal(ut->root->tr_depth, 0);
	assert_int_equal(evt_has_data(ut->root, &ut->uma), 0);
	assert_int_equal(evt_check(ut->toh), 0);
	/* the emptied tree is still a tree */
	assert_int_equal(ut_insert(ut, 1, 2, 3, 0, 4, false), 0);
	assert_int_equal(ut->nr_freed, 0);
}

static void
test_has_data(void **state)
{
	struct evt_ut *ut = *state;
	struct evt_rect rect = {.rc_ex = {10, 20}, .rc_epc = 2};

	ut_create_tree(ut, 4);
	assert_int_equal(evt_has_data(ut->root, &ut->uma), 0);
	assert_int_equal(ut_insert(ut, 0, 100, 1, 0, 0, true), 0);
	assert_int_equal(evt_has_data(ut->root, &ut->uma), 0);
	assert_int_equal(ut_insert(ut, 10, 20, 2, 0, 7, false), 0);
	assert_int_equal(evt_has_data(ut->root, &ut->uma), 1);
	assert_int_equal(evt_delete(ut->toh, &rect, NULL), 0);
	assert_int_equal(evt_has_data(ut->root, &ut->uma), 0);
}

/* One small region rewritten many times: nodes stay well filled and finds stay exact. */
static void
test_hot_region(void **state)
{
	struct evt_ut *ut = *state;
	struct umem_pool_stats before, after;
	struct evt_entry_array ea;
	struct evt_filter f;
	uint64_t seed = 42;
	int i;

	assert_int_equal(umem_pool_query(ut->pool, &before), 0);
	ut_create_tree(ut, 16);
	assert_int_equal(umem_tx_begin(&ut->umm, NULL), 0);
	for (i = 1; i <= 20000; i++) {
		uint64_t lo;

		seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
		lo = (seed >> 33) % 64;
		assert_int_equal(ut_insert(ut, lo, lo + 15, i, 0, i, false), 0);
		if (i % 1000 == 0) {
			assert_int_equal(umem_tx_commit(&ut->umm), 0);
			assert_int_equal(umem_tx_begin(&ut->umm, NULL), 0);
		}
	}
	assert_int_equal(umem_tx_commit(&ut->umm), 0);
	assert_int_equal(evt_check(ut->toh), 0);
	assert_int_equal(umem_pool_query(ut->pool, &after), 0);
	/* descriptor (64) + a share of half-full nodes (16 + 16 * 40 over >= 8 records) */
	print_message("hot region: %.0f heap bytes per record, depth %u\n",
		      (double)(after.ups_used - before.ups_used) / 20000, ut->root->tr_depth);
	assert_true(after.ups_used - before.ups_used < 20000ULL * 200);
	assert_true(ut->root->tr_depth <= 6);

	/* the newest writes win everywhere; at an old epoch the old ones do */
	evt_ent_array_init(&ea, 0);
	f = ut_filter(0, 100, 0, DAOS_EPOCH_MAX);
	assert_int_equal(evt_find(ut->toh, &f, &ea), 0);
	assert_true(ea.ea_ent_nr > 0);
	assert_int_equal(evt_ent_array_get(&ea, 0)->en_sel_ext.ex_lo, 0);
	assert_int_equal(evt_ent_array_get(&ea, ea.ea_ent_nr - 1)->en_sel_ext.ex_hi,
			 ut->root->tr_depth ? evt_ent_array_get(&ea, ea.ea_ent_nr - 1)->en_ext.ex_hi
					    : 0);
	for (i = 0; i < (int)ea.ea_ent_nr; i++)
		assert_true(evt_ent_array_get(&ea, i)->en_epoch > 19000);
	f = ut_filter(0, 100, 0, 5000);
	assert_int_equal(evt_find(ut->toh, &f, &ea), 0);
	for (i = 0; i < (int)ea.ea_ent_nr; i++)
		assert_true(evt_ent_array_get(&ea, i)->en_epoch <= 5000 &&
			    evt_ent_array_get(&ea, i)->en_epoch > 4000);
	evt_ent_array_fini(&ea);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_destroy, ut_setup, ut_teardown),
		cmocka_unit_test_setup_teardown(test_drain, ut_setup, ut_teardown),
		cmocka_unit_test_setup_teardown(test_drain_abort, ut_setup, ut_teardown),
		cmocka_unit_test_setup_teardown(test_iter_delete, ut_setup, ut_teardown),
		cmocka_unit_test_setup_teardown(test_has_data, ut_setup, ut_teardown),
		cmocka_unit_test_setup_teardown(test_hot_region, ut_setup, ut_teardown),
	};

	return cmocka_run_group_tests_name("evtree_drain", tests, NULL, NULL);
}
