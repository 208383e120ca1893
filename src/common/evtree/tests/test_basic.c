/* evtree: API behaviour, visibility tables, errors, transactions and persistence. */
#include "evt_utest.h"

struct vt_ins {
	uint64_t lo, hi, epc;
	uint16_t minor;
	bool hole;
};

struct vt_exp {
	uint64_t lo, hi, epc;
	uint16_t minor;
	bool hole;
};

struct vt_query {
	uint64_t lo, hi, epc;
	int nr;
	const struct vt_exp *exp;
};

static void
vt_check(struct evt_ut *ut, const struct vt_query *q)
{
	struct evt_entry_array ea;
	struct evt_filter f = ut_filter(q->lo, q->hi, 0, q->epc);
	struct evt_entry *ent;
	int i = 0;

	evt_ent_array_init(&ea, 0);
	assert_int_equal(evt_find(ut->toh, &f, &ea), 0);
	if ((int)ea.ea_ent_nr != q->nr) {
		evt_ent_array_for_each(ent, &ea) print_message(
			"got " DF_EXT "@%lu.%u %s\n", DP_EXT(&ent->en_sel_ext), ent->en_epoch,
			ent->en_minor_epc, bio_addr_is_hole(&ent->en_addr) ? "hole" : "");
	}
	assert_int_equal(ea.ea_ent_nr, q->nr);
	evt_ent_array_for_each(ent, &ea)
	{
		const struct vt_exp *e = &q->exp[i++];

		assert_int_equal(ent->en_sel_ext.ex_lo, e->lo);
		assert_int_equal(ent->en_sel_ext.ex_hi, e->hi);
		assert_int_equal(ent->en_epoch, e->epc);
		assert_int_equal(ent->en_minor_epc, e->minor);
		assert_int_equal(bio_addr_is_hole(&ent->en_addr), e->hole);
		assert_true(ent->en_visibility & EVT_VISIBLE);
		assert_int_equal(!!(ent->en_visibility & EVT_PARTIAL),
				 ent->en_sel_ext.ex_lo != ent->en_ext.ex_lo ||
					 ent->en_sel_ext.ex_hi != ent->en_ext.ex_hi);
		if (!e->hole)
			/* data address follows the selected piece (addr = lo * 1000 + epc) */
			assert_int_equal(ent->en_addr.ba_off,
					 ent->en_ext.ex_lo * 1000 + ent->en_epoch +
						 (ent->en_sel_ext.ex_lo - ent->en_ext.ex_lo));
	}
	evt_ent_array_fini(&ea);
}

static void
vt_run(struct evt_ut *ut, const struct vt_ins *ins, int nins, const struct vt_query *qs, int nq)
{
	int i;

	ut_create_tree(ut, 4);
	for (i = 0; i < nins; i++)
		assert_int_equal(ut_insert(ut, ins[i].lo, ins[i].hi, ins[i].epc, ins[i].minor,
					   ins[i].lo * 1000 + ins[i].epc, ins[i].hole),
				 0);
	assert_int_equal(evt_check(ut->toh), 0);
	for (i = 0; i < nq; i++)
		vt_check(ut, &qs[i]);
	assert_int_equal(evt_destroy(ut->toh), 0);
	ut->toh = DAOS_HDL_INVAL;
}

#define Q(lo, hi, e, arr)                       \
	{                                       \
		lo, hi, e, ARRAY_SIZE(arr), arr \
	}

static void
test_overlap(void **state)
{
	/* 0-99@1, 20-39@2, 30-59@3, 50-54 punched @4 */
	static const struct vt_ins ins[] = {{0, 99, 1, 0, false},
					    {20, 39, 2, 0, false},
					    {30, 59, 3, 0, false},
					    {50, 54, 4, 0, true}};
	static const struct vt_exp e1[] = {{0, 99, 1, 0, false}};
	static const struct vt_exp e2[] = {
		{0, 19, 1, 0, false}, {20, 39, 2, 0, false}, {40, 99, 1, 0, false}};
	static const struct vt_exp e3[] = {{0, 19, 1, 0, false},
					   {20, 29, 2, 0, false},
					   {30, 59, 3, 0, false},
					   {60, 99, 1, 0, false}};
	static const struct vt_exp e4[] = {{0, 19, 1, 0, false},  {20, 29, 2, 0, false},
					   {30, 49, 3, 0, false}, {50, 54, 4, 0, true},
					   {55, 59, 3, 0, false}, {60, 99, 1, 0, false}};
	static const struct vt_exp e5[] = {
		{25, 29, 2, 0, false}, {30, 49, 3, 0, false}, {50, 52, 4, 0, true}};
	static const struct vt_query q[] = {
		{0, 1000, 0, 0, NULL}, Q(0, 1000, 1, e1),  Q(0, 99, 2, e2), Q(0, 99, 3, e3),
		Q(0, 200, 4, e4),      Q(0, 200, 100, e4), Q(25, 52, 4, e5)};

	vt_run(*state, ins, ARRAY_SIZE(ins), q, ARRAY_SIZE(q));
}

static void
test_minor(void **state)
{
	/* same epoch, minor epochs decide; an older epoch under both */
	static const struct vt_ins ins[] = {{0, 9, 5, 1, false},
					    {5, 14, 5, 2, false},
					    {0, 20, 3, 0, false},
					    {8, 8, 5, 3, true},
					    {12, 30, 5, 0, false}};
	static const struct vt_exp e4[] = {{0, 20, 3, 0, false}};
	static const struct vt_exp e5[] = {{0, 4, 5, 1, false},
					   {5, 7, 5, 2, false},
					   {8, 8, 5, 3, true},
					   {9, 14, 5, 2, false},
					   {15, 30, 5, 0, false}};
	static const struct vt_query q[] = {Q(0, 40, 4, e4), Q(0, 40, 5, e5), Q(0, 40, 9, e5)};

	vt_run(*state, ins, ARRAY_SIZE(ins), q, ARRAY_SIZE(q));
}

static void
test_holes(void **state)
{
	/* a punch over everything, then a rewrite of the middle */
	static const struct vt_ins ins[] = {
		{10, 19, 1, 0, false}, {0, 29, 2, 0, true}, {14, 15, 3, 0, false}};
	static const struct vt_exp e2[] = {{0, 29, 2, 0, true}};
	static const struct vt_exp e3[] = {
		{0, 13, 2, 0, true}, {14, 15, 3, 0, false}, {16, 29, 2, 0, true}};
	static const struct vt_exp e3b[] = {{15, 15, 3, 0, false}, {16, 16, 2, 0, true}};
	static const struct vt_query q[] = {Q(0, 50, 2, e2), Q(0, 50, 3, e3), Q(15, 16, 3, e3b)};

	vt_run(*state, ins, ARRAY_SIZE(ins), q, ARRAY_SIZE(q));
}

static void
test_errors(void **state)
{
	struct evt_ut *ut = *state;
	struct evt_entry_in ei;
	struct evt_entry_array ea;
	struct evt_filter f = ut_filter(0, 10, 0, 10);
	struct evt_rect rect;
	daos_handle_t bad = {.cookie = 0x1234567800000042ULL};
	daos_handle_t ih;
	daos_handle_t old;
	struct evt_root zero_root;

	memset(&zero_root, 0, sizeof(zero_root));
	assert_int_equal(evt_open(ut->root, &ut->uma, NULL, &ut->toh), -DER_NONEXIST);
	assert_int_equal(evt_create(ut->root, 0, 3, &ut->uma, NULL, &ut->toh), -DER_INVAL);
	assert_int_equal(evt_create(ut->root, 0, 129, &ut->uma, NULL, &ut->toh), -DER_INVAL);
	assert_int_equal(evt_create(ut->root, 1 << 7, 16, &ut->uma, NULL, &ut->toh), -DER_INVAL);
	ut_create_tree(ut, 16);
	assert_int_equal(evt_create(ut->root, 0, 16, &ut->uma, NULL, &old), -DER_EXIST);

	/* invalid handles never crash */
	evt_ent_array_init(&ea, 0);
	assert_int_equal(evt_find(bad, &f, &ea), -DER_NO_HDL);
	assert_int_equal(evt_find(DAOS_HDL_INVAL, &f, &ea), -DER_NO_HDL);
	assert_int_equal(evt_close(bad), -DER_NO_HDL);
	assert_int_equal(evt_iter_next(bad), -DER_NO_HDL);
	assert_int_equal(evt_iter_prepare(bad, 0, NULL, &ih), -DER_NO_HDL);
	/* a tree handle is not an iterator handle */
	assert_int_equal(evt_iter_finish(ut->toh), -DER_NO_HDL);

	assert_int_equal(ut_insert(ut, 5, 9, 3, 0, 1, false), 0);
	assert_int_equal(ut_insert(ut, 5, 9, 3, 0, 2, false), -DER_EXIST);
	assert_int_equal(ut_insert(ut, 7, 12, 3, 0, 2, false), -DER_VOS_PARTIAL_UPDATE);
	assert_int_equal(ut_insert(ut, 7, 12, 3, 1, 2, false), 0);
	assert_int_equal(ut_insert(ut, 5, 9, 4, 0, 2, false), 0);
	assert_int_equal(ut_insert(ut, 9, 5, 5, 0, 2, false), -DER_INVAL);
	ei = ut_ent(20, 29, 1, 0, 0, false);
	ei.ei_inob = 8;
	assert_int_equal(evt_insert(ut->toh, &ei, NULL), -DER_INVAL);
	ei.ei_inob = 0; /* punch: any inob */
	assert_int_equal(evt_insert(ut->toh, &ei, NULL), 0);
	assert_int_equal(ut->root->tr_count, 4);

	rect.rc_ex.ex_lo = 5;
	rect.rc_ex.ex_hi = 9;
	rect.rc_epc = 7;
	rect.rc_minor_epc = 0;
	assert_int_equal(evt_delete(ut->toh, &rect, NULL), -DER_ENOENT);

	/* a limited result array */
	evt_ent_array_fini(&ea);
	evt_ent_array_init(&ea, 1);
	f = ut_filter(0, 100, 0, 10);
	assert_int_equal(evt_find(ut->toh, &f, &ea), -DER_TRUNC);
	evt_ent_array_fini(&ea);

	/* stale handle after close */
	old = ut->toh;
	assert_int_equal(evt_close(ut->toh), 0);
	assert_int_equal(evt_close(old), -DER_NO_HDL);
	assert_int_equal(ut_insert(ut, 1, 1, 1, 0, 0, false), -DER_NO_HDL);
	assert_int_equal(evt_open(ut->root, &ut->uma, NULL, &ut->toh), 0);
	assert_int_equal(evt_has_data(ut->root, &ut->uma), 1);
	assert_int_equal(evt_has_data(&zero_root, &ut->uma), 0);
}

static void
test_csum_and_addr(void **state)
{
	struct evt_ut *ut = *state;
	struct evt_entry_in ei = ut_ent(100, 163, 2, 0, 4096, false);
	uint8_t csum[16];
	uint8_t *buf = NULL;
	struct evt_entry_array ea;
	struct evt_filter f = ut_filter(110, 120, 0, 2);
	struct evt_entry *ent;
	int i;

	ut_create_tree(ut, 8);
	for (i = 0; i < 16; i++)
		csum[i] = (uint8_t)(i * 7);
	ei.ei_inob = 4;
	ei.ei_csum.cs_nr = 4;
	ei.ei_csum.cs_len = 4;
	ei.ei_csum.cs_type = CSUM_TYPE_ISAL_CRC32_ISCSI;
	ei.ei_csum.cs_chunksize = 64;
	ei.ei_csum.cs_csum = csum;
	assert_int_equal(evt_insert(ut->toh, &ei, &buf), 0);
	assert_non_null(buf);
	assert_memory_equal(buf, csum, 16);
	/* a caller-filled buffer: no csum source, written after the insert in one tx */
	ei = ut_ent(200, 215, 2, 0, 8192, false);
	ei.ei_inob = 4;
	ei.ei_csum.cs_nr = 1;
	ei.ei_csum.cs_len = 8;
	assert_int_equal(umem_tx_begin(&ut->umm, NULL), 0);
	assert_int_equal(evt_insert(ut->toh, &ei, &buf), 0);
	memcpy(buf, "ABCDEFGH", 8);
	assert_int_equal(umem_tx_commit(&ut->umm), 0);

	evt_ent_array_init(&ea, 0);
	assert_int_equal(evt_find(ut->toh, &f, &ea), 0);
	assert_int_equal(ea.ea_ent_nr, 1);
	assert_int_equal(ea.ea_inob, 4);
	ent = evt_ent_array_get(&ea, 0);
	assert_int_equal(ent->en_sel_ext.ex_lo, 110);
	assert_int_equal(ent->en_sel_ext.ex_hi, 120);
	assert_int_equal(evt_entry_selected_offset(ent), 10);
	assert_int_equal(ent->en_addr.ba_off, 4096 + 10 * 4);
	assert_int_equal(ent->en_addr.ba_type, DAOS_MEDIA_NVME);
	assert_int_equal(ent->en_csum.cs_nr, 4);
	assert_int_equal(ent->en_csum.cs_len, 4);
	assert_int_equal(ent->en_csum.cs_chunksize, 64);
	assert_memory_equal(ent->en_csum.cs_csum, csum, 16);
	assert_int_equal(ent->en_visibility, EVT_VISIBLE | EVT_PARTIAL);
	assert_int_equal(ent->en_ver, 1);

	ut_reopen(ut);
	f = ut_filter(0, 1000, 0, 5);
	assert_int_equal(evt_find(ut->toh, &f, &ea), 0);
	assert_int_equal(ea.ea_ent_nr, 2);
	ent = evt_ent_array_get(&ea, 1);
	assert_memory_equal(ent->en_csum.cs_csum, "ABCDEFGH", 8);
	assert_int_equal(ut->root->tr_csum_len, 4);
	assert_int_equal(ut->root->tr_inob, 4);
	evt_ent_array_fini(&ea);
}

/* Many results: the array grows beyond its embedded entries. */
static void
test_large_result(void **state)
{
	struct evt_ut *ut = *state;
	struct evt_entry_array ea;
	struct evt_filter f = ut_filter(0, UINT64_MAX, 0, DAOS_EPOCH_MAX);
	struct evt_entry *ent;
	uint64_t expect = 0;
	int i;

	ut_create_tree(ut, 16);
	assert_int_equal(umem_tx_begin(&ut->umm, NULL), 0);
	for (i = 0; i < 1000; i++)
		assert_int_equal(ut_insert(ut, i * 10, i * 10 + 9, 1 + i % 7, 0, i * 10000, false),
				 0);
	assert_int_equal(umem_tx_commit(&ut->umm), 0);
	/* the last index of the address space works too */
	assert_int_equal(ut_insert(ut, UINT64_MAX - 5, UINT64_MAX, 3, 0, 0, true), 0);
	assert_int_equal(evt_check(ut->toh), 0);
	assert_true(ut->root->tr_depth >= 3);
	evt_ent_array_init(&ea, 0);
	assert_int_equal(evt_find(ut->toh, &f, &ea), 0);
	assert_int_equal(ea.ea_ent_nr, 1001);
	i = 0;
	evt_ent_array_for_each(ent, &ea)
	{
		if (i++ == 1000) {
			assert_true(bio_addr_is_hole(&ent->en_addr));
			assert_int_equal(ent->en_sel_ext.ex_hi, UINT64_MAX);
			break;
		}
		assert_int_equal(ent->en_sel_ext.ex_lo, expect);
		assert_int_equal(ent->en_addr.ba_off, expect * 1000);
		expect += 10;
	}
	evt_ent_array_fini(&ea);
}

/* An aborted caller transaction leaves the tree as it was. */
static void
test_abort(void **state)
{
	struct evt_ut *ut = *state;
	struct evt_entry_array ea;
	struct evt_filter f = ut_filter(0, 10000, 0, 100);
	struct evt_rect rect;
	struct evt_root saved;
	int i;

	ut_create_tree(ut, 4);
	for (i = 0; i < 50; i++)
		assert_int_equal(ut_insert(ut, i * 3, i * 3 + 5, 1 + i % 5, 0, i, false), 0);
	saved = *ut->root;

	assert_int_equal(umem_tx_begin(&ut->umm, NULL), 0);
	for (i = 0; i < 100; i++)
		assert_int_equal(ut_insert(ut, i * 7, i * 7 + 20, 10 + i % 3, 0, i, false), 0);
	rect.rc_ex.ex_lo = 0;
	rect.rc_ex.ex_hi = 5;
	rect.rc_epc = 1;
	rect.rc_minor_epc = 0;
	assert_int_equal(evt_delete(ut->toh, &rect, NULL), 0);
	assert_int_equal(umem_tx_abort(&ut->umm, -DER_CANCELED), -DER_CANCELED);

	assert_memory_equal(&saved, ut->root, sizeof(saved));
	assert_int_equal(evt_check(ut->toh), 0);
	evt_ent_array_init(&ea, 0);
	f.fr_epr.epr_hi = 1;
	assert_int_equal(evt_find(ut->toh, &f, &ea), 0);
	assert_true(ea.ea_ent_nr > 0);
	assert_int_equal(evt_ent_array_get(&ea, 0)->en_sel_ext.ex_lo, 0);
	f.fr_epr.epr_hi = 100;
	assert_int_equal(evt_find(ut->toh, &f, &ea), 0);
	/* nothing of epoch >= 10 survived */
	for (i = 0; i < (int)ea.ea_ent_nr; i++)
		assert_true(evt_ent_array_get(&ea, i)->en_epoch < 10);
	evt_ent_array_fini(&ea);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_overlap, ut_setup, ut_teardown),
		cmocka_unit_test_setup_teardown(test_minor, ut_setup, ut_teardown),
		cmocka_unit_test_setup_teardown(test_holes, ut_setup, ut_teardown),
		cmocka_unit_test_setup_teardown(test_errors, ut_setup, ut_teardown),
		cmocka_unit_test_setup_teardown(test_csum_and_addr, ut_setup, ut_teardown),
		cmocka_unit_test_setup_teardown(test_large_result, ut_setup, ut_teardown),
		cmocka_unit_test_setup_teardown(test_abort, ut_setup, ut_teardown),
	};

	return cmocka_run_group_tests_name("evtree_basic", tests, NULL, NULL);
}
