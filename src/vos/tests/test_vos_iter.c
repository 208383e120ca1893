/**
 * VOS: iterators and anchors (many pages), punched keys vanishing from enumeration,
 * integer keys, query_key.
 */
#include "vos_test.h"

struct count_arg {
	int nr[VOS_ITER_DTX + 1];
	int limit; /* stop (return 1) after this many entries of the leaf type, 0: never */
	int seen;
	vos_iter_type_t leaf;
	uint64_t sum;
};

static int
count_cb(daos_handle_t ih, vos_iter_entry_t *entry, vos_iter_type_t type, vos_iter_param_t *param,
	 void *cb_arg, unsigned int *acts)
{
	struct count_arg *a = cb_arg;

	if (type == a->leaf && a->limit > 0 && a->seen == a->limit)
		return 1;
	a->nr[type]++;
	if (type == a->leaf) {
		a->seen++;
		if (type == VOS_ITER_DKEY || type == VOS_ITER_AKEY) {
			uint64_t v = 0;

			memcpy(&v, entry->ie_key.iov_buf, min(entry->ie_key.iov_len, sizeof(v)));
			a->sum += v;
		}
	}
	return 0;
}

static void
test_anchor_pages(void **state)
{
	struct vt_ctx c;
	daos_unit_oid_t oid = vt_oid(1, DAOS_OT_MULTI_UINT64);
	vos_iter_param_t param = {0};
	struct vos_iter_anchors anchors = {0};
	struct count_arg a = {0};
	uint64_t k, expect = 0;
	int pages = 0, rc;
	const int nkeys = 1000;

	vt_setup(&c);
	for (k = 1; k <= nkeys; k++) {
		daos_key_t dk;
		daos_iod_t iod = {0};
		uint64_t akey = 1;
		d_iov_t iov;
		d_sg_list_t sgl = {.sg_nr = 1, .sg_iovs = &iov};

		d_iov_set(&dk, &k, sizeof(k));
		d_iov_set(&iod.iod_name, &akey, sizeof(akey));
		iod.iod_type = DAOS_IOD_SINGLE;
		iod.iod_size = sizeof(k);
		iod.iod_nr = 1;
		d_iov_set(&iov, &k, sizeof(k));
		assert_int_equal(vos_obj_update(c.coh, oid, 10 + k, 0, 0, &dk, 1, &iod, NULL, &sgl),
				 0);
		expect += k;
	}
	param.ip_hdl = c.coh;
	param.ip_oid = oid;
	param.ip_epr.epr_hi = DAOS_EPOCH_MAX;
	/* pages of 37 dkeys, inserting a new key between pages */
	a.leaf = VOS_ITER_DKEY;
	a.limit = 37;
	do {
		a.seen = 0;
		rc = vos_iterate(&param, VOS_ITER_DKEY, false, &anchors, count_cb, NULL, &a, NULL);
		assert_true(rc == 0 || rc == 1);
		pages++;
		assert_true(pages < 100);
	} while (rc == 1);
	assert_int_equal(a.nr[VOS_ITER_DKEY], nkeys);
	assert_int_equal(a.sum, expect);
	assert_int_equal(anchors.ia_dkey.da_type, DAOS_ANCHOR_TYPE_EOF);

	/* no closing under an open iterator */
	{
		daos_handle_t ih;

		assert_int_equal(vos_iter_prepare(VOS_ITER_DKEY, &param, &ih, NULL), 0);
		assert_int_equal(vos_cont_close(c.coh), -DER_BUSY);
		assert_int_equal(vos_iter_finish(ih), 0);
		assert_int_equal(vos_iter_finish(ih), -DER_NO_HDL);
	}
	/* at an epoch in the middle only the keys written by then exist */
	memset(&a, 0, sizeof(a));
	memset(&anchors, 0, sizeof(anchors));
	a.leaf = VOS_ITER_DKEY;
	param.ip_epr.epr_hi = 10 + 100;
	assert_int_equal(vos_iterate(&param, VOS_ITER_DKEY, false, NULL, count_cb, NULL, &a, NULL),
			 0);
	assert_int_equal(a.nr[VOS_ITER_DKEY], 100);

	/* recursive walk from the object level with small pages of akeys */
	memset(&a, 0, sizeof(a));
	param.ip_epr.epr_hi = DAOS_EPOCH_MAX;
	a.leaf = VOS_ITER_SINGLE;
	a.limit = 50;
	pages = 0;
	do {
		a.seen = 0;
		rc = vos_iterate(&param, VOS_ITER_OBJ, true, &anchors, count_cb, NULL, &a, NULL);
		assert_true(rc == 0 || rc == 1);
		assert_true(++pages < 100);
	} while (rc == 1);
	assert_int_equal(a.nr[VOS_ITER_OBJ], 1);
	assert_int_equal(a.nr[VOS_ITER_DKEY], nkeys);
	assert_int_equal(a.nr[VOS_ITER_AKEY], nkeys);
	assert_int_equal(a.nr[VOS_ITER_SINGLE], nkeys);
	vt_teardown(&c);
}

static int
collect_keys(daos_handle_t coh, daos_unit_oid_t oid, daos_epoch_t epoch, char *out)
{
	vos_iter_param_t param = {0};
	vos_iter_entry_t ent;
	daos_handle_t ih;
	int rc, nr = 0;

	param.ip_hdl = coh;
	param.ip_oid = oid;
	param.ip_epr.epr_hi = epoch;
	rc = vos_iter_prepare(VOS_ITER_DKEY, &param, &ih, NULL);
	assert_int_equal(rc, 0);
	out[0] = 0;
	for (rc = vos_iter_probe(ih, NULL); rc == 0; rc = vos_iter_next(ih, NULL)) {
		assert_int_equal(vos_iter_fetch(ih, &ent, NULL), 0);
		strncat(out, ent.ie_key.iov_buf, ent.ie_key.iov_len);
		nr++;
	}
	assert_int_equal(rc, -DER_NONEXIST);
	assert_int_equal(vos_iter_finish(ih), 0);
	return nr;
}

static void
test_punch_enum(void **state)
{
	struct vt_ctx c;
	daos_unit_oid_t oid = vt_oid(2, DAOS_OT_MULTI_LEXICAL);
	vos_iter_param_t param = {0};
	struct count_arg a = {0};
	char keys[64];

	vt_setup(&c);
	assert_int_equal(vt_update_sv(c.coh, oid, 10, 0, "a", "x", "1", 1), 0);
	assert_int_equal(vt_update_sv(c.coh, oid, 10, 0, "b", "x", "1", 1), 0);
	assert_int_equal(vt_update_sv(c.coh, oid, 10, 0, "c", "x", "1", 1), 0);
	assert_int_equal(vt_punch(c.coh, oid, 20, 0, "b", NULL), 0);
	/* lexical order */
	assert_int_equal(collect_keys(c.coh, oid, 15, keys), 3);
	assert_string_equal(keys, "abc");
	assert_int_equal(collect_keys(c.coh, oid, 20, keys), 2);
	assert_string_equal(keys, "ac");
	assert_int_equal(vt_update_sv(c.coh, oid, 30, 0, "b", "y", "2", 1), 0);
	assert_int_equal(collect_keys(c.coh, oid, 30, keys), 3);
	assert_int_equal(vt_punch(c.coh, oid, 40, 0, NULL, NULL), 0);
	assert_int_equal(collect_keys(c.coh, oid, 40, keys), 0);
	assert_int_equal(collect_keys(c.coh, oid, 39, keys), 3);

	/* objects vanish at the punch epoch */
	param.ip_hdl = c.coh;
	param.ip_epr.epr_hi = 45;
	a.leaf = VOS_ITER_OBJ;
	assert_int_equal(vos_iterate(&param, VOS_ITER_OBJ, false, NULL, count_cb, NULL, &a, NULL),
			 0);
	assert_int_equal(a.nr[VOS_ITER_OBJ], 0);
	param.ip_epr.epr_hi = 35;
	assert_int_equal(vos_iterate(&param, VOS_ITER_OBJ, false, NULL, count_cb, NULL, &a, NULL),
			 0);
	assert_int_equal(a.nr[VOS_ITER_OBJ], 1);

	/* akeys of a dkey after an akey punch */
	assert_int_equal(vt_update_sv(c.coh, oid, 50, 0, "z", "k1", "1", 1), 0);
	assert_int_equal(vt_update_sv(c.coh, oid, 50, 0, "z", "k2", "1", 1), 0);
	assert_int_equal(vt_punch(c.coh, oid, 55, 0, "z", "k1"), 0);
	memset(&a, 0, sizeof(a));
	a.leaf = VOS_ITER_AKEY;
	param.ip_oid = oid;
	d_iov_set(&param.ip_dkey, "z", 1);
	param.ip_epr.epr_hi = 56;
	assert_int_equal(vos_iterate(&param, VOS_ITER_AKEY, false, NULL, count_cb, NULL, &a, NULL),
			 0);
	assert_int_equal(a.nr[VOS_ITER_AKEY], 1);

	/* punching the last akey with propagation punches the dkey, then the object */
	{
		daos_key_t dk, ak;

		d_iov_set(&dk, "z", 1);
		d_iov_set(&ak, "k2", 2);
		assert_int_equal(collect_keys(c.coh, oid, 60, keys), 1);
		assert_int_equal(
			vos_obj_punch(c.coh, oid, 60, 0, VOS_OF_PUNCH_PROPAGATE, &dk, 1, &ak, NULL),
			0);
		assert_int_equal(collect_keys(c.coh, oid, 60, keys), 0);
		assert_int_equal(collect_keys(c.coh, oid, 59, keys), 1);
		memset(&a, 0, sizeof(a));
		a.leaf = VOS_ITER_OBJ;
		param.ip_epr.epr_hi = 60;
		assert_int_equal(
			vos_iterate(&param, VOS_ITER_OBJ, false, NULL, count_cb, NULL, &a, NULL),
			0);
		assert_int_equal(a.nr[VOS_ITER_OBJ], 0);
		param.ip_epr.epr_hi = 59;
		assert_int_equal(
			vos_iterate(&param, VOS_ITER_OBJ, false, NULL, count_cb, NULL, &a, NULL),
			0);
		assert_int_equal(a.nr[VOS_ITER_OBJ], 1);
	}
	vt_teardown(&c);
}

static void
test_sv_versions_recx(void **state)
{
	struct vt_ctx c;
	daos_unit_oid_t oid = vt_oid(3, DAOS_OT_MULTI_HASHED);
	vos_iter_param_t param = {0};
	vos_iter_entry_t ent;
	daos_handle_t ih;
	daos_epoch_t epochs[8];
	char buf[16];
	d_iov_t iov;
	int nr = 0, rc;

	vt_setup(&c);
	assert_int_equal(vt_update_sv(c.coh, oid, 10, 0, "d", "sv", "aa", 2), 0);
	assert_int_equal(vt_update_sv(c.coh, oid, 20, 0, "d", "sv", "bbb", 3), 0);
	assert_int_equal(vt_update_sv(c.coh, oid, 30, 0, "d", "sv", "c", 1), 0);
	param.ip_hdl = c.coh;
	param.ip_oid = oid;
	d_iov_set(&param.ip_dkey, "d", 1);
	d_iov_set(&param.ip_akey, "sv", 2);
	param.ip_epr.epr_lo = 0;
	param.ip_epr.epr_hi = 25;
	param.ip_epc_expr = VOS_IT_EPC_RE;
	assert_int_equal(vos_iter_prepare(VOS_ITER_SINGLE, &param, &ih, NULL), 0);
	for (rc = vos_iter_probe(ih, NULL); rc == 0; rc = vos_iter_next(ih, NULL)) {
		assert_int_equal(vos_iter_fetch(ih, &ent, NULL), 0);
		epochs[nr++] = ent.ie_epoch;
		if (ent.ie_epoch == 20) {
			assert_int_equal(ent.ie_rsize, 3);
			d_iov_set(&iov, buf, sizeof(buf));
			assert_int_equal(vos_iter_copy(ih, &ent, &iov), 0);
			assert_memory_equal(buf, "bbb", 3);
		}
	}
	assert_int_equal(rc, -DER_NONEXIST);
	assert_int_equal(vos_iter_finish(ih), 0);
	assert_int_equal(nr, 2);
	assert_int_equal(epochs[0], 20);
	assert_int_equal(epochs[1], 10);

	/* extents: visible pieces in offset order */
	assert_int_equal(vt_update_array(c.coh, oid, 10, "d", "ar", 0, 8, 1, "01234567"), 0);
	assert_int_equal(vt_update_array(c.coh, oid, 20, "d", "ar", 2, 2, 1, "xx"), 0);
	d_iov_set(&param.ip_akey, "ar", 2);
	param.ip_epr.epr_hi = 30;
	param.ip_flags = VOS_IT_RECX_VISIBLE | VOS_IT_RECX_SKIP_HOLES;
	assert_int_equal(vos_iter_prepare(VOS_ITER_RECX, &param, &ih, NULL), 0);
	nr = 0;
	for (rc = vos_iter_probe(ih, NULL); rc == 0; rc = vos_iter_next(ih, NULL)) {
		static const uint64_t lo[] = {0, 2, 4}, cnt[] = {2, 2, 4};

		assert_int_equal(vos_iter_fetch(ih, &ent, NULL), 0);
		assert_true(nr < 3);
		assert_int_equal(ent.ie_recx.rx_idx, lo[nr]);
		assert_int_equal(ent.ie_recx.rx_nr, cnt[nr]);
		assert_true(ent.ie_vis_flags & VOS_VIS_FLAG_VISIBLE);
		nr++;
	}
	assert_int_equal(nr, 3);
	/* resume from an anchor taken at the second piece */
	{
		daos_anchor_t anchor = {0};

		assert_int_equal(vos_iter_probe(ih, NULL), 0);
		assert_int_equal(vos_iter_next(ih, &anchor), 0);
		assert_int_equal(vos_iter_probe(ih, &anchor), 0);
		assert_int_equal(vos_iter_fetch(ih, &ent, NULL), 0);
		assert_int_equal(ent.ie_recx.rx_idx, 2);
	}
	assert_int_equal(vos_iter_finish(ih), 0);
	vt_teardown(&c);
}

/*
 * A single value's first version hangs off its akey record (no tree): fetch, replay,
 * iteration and anchors behave as with a tree, and an anchor taken before the second
 * version (which builds the tree) still resumes after it.
 */
static void
test_sv_first_version(void **state)
{
	struct vt_ctx c;
	daos_unit_oid_t oid = vt_oid(5, DAOS_OT_MULTI_HASHED);
	vos_iter_param_t param = {0};
	vos_iter_entry_t ent;
	vos_pool_info_t p0, p1, p2;
	daos_anchor_t anchor = {0};
	daos_handle_t ih;
	char buf[16];
	size_t size;
	int rc;

	vt_setup(&c);
	assert_int_equal(vt_update_sv(c.coh, oid, 5, 0, "d", "other", "o", 1), 0);
	assert_int_equal(vos_pool_query(c.poh, &p0), 0);
	assert_int_equal(vt_update_sv(c.coh, oid, 10, 0, "d", "sv", "aa", 2), 0);
	/*
	 * the akey record and the version record, no version tree; the second akey of "d" builds
	 * the akey tree (one root leaf) around the lone "other" (KREC_BF_AK1)
	 */
	assert_int_equal(vos_pool_query(c.poh, &p1), 0);
	assert_int_equal(p1.pif_heap_allocs, p0.pif_heap_allocs + 3);
	assert_int_equal(vt_fetch_sv(c.coh, oid, 9, 0, "d", "sv", buf, sizeof(buf), &size), 0);
	assert_int_equal(size, 0);
	assert_int_equal(vt_fetch_sv(c.coh, oid, 10, 0, "d", "sv", buf, sizeof(buf), &size), 0);
	assert_int_equal(size, 2);
	assert_memory_equal(buf, "aa", 2);
	/* same epoch: replay with the same bytes, conflict with others */
	assert_int_equal(vt_update_sv(c.coh, oid, 10, 0, "d", "sv", "aa", 2), 0);
	assert_int_equal(vt_update_sv(c.coh, oid, 10, 0, "d", "sv", "ab", 2), -DER_TX_RESTART);

	param.ip_hdl = c.coh;
	param.ip_oid = oid;
	d_iov_set(&param.ip_dkey, "d", 1);
	d_iov_set(&param.ip_akey, "sv", 2);
	param.ip_epr.epr_hi = DAOS_EPOCH_MAX;
	param.ip_epc_expr = VOS_IT_EPC_RR; /* oldest first */
	assert_int_equal(vos_iter_prepare(VOS_ITER_SINGLE, &param, &ih, NULL), 0);
	assert_int_equal(vos_iter_empty(ih), 0);
	assert_int_equal(vos_iter_probe(ih, NULL), 0);
	assert_int_equal(vos_iter_fetch(ih, &ent, &anchor), 0);
	assert_int_equal(ent.ie_epoch, 10);
	assert_int_equal(ent.ie_rsize, 2);
	assert_int_equal(vos_iter_next(ih, NULL), -DER_NONEXIST);
	assert_int_equal(vos_iter_probe(ih, &anchor), 0);
	assert_int_equal(vos_iter_fetch(ih, &ent, NULL), 0);
	assert_int_equal(ent.ie_epoch, 10);
	assert_int_equal(vos_iter_finish(ih), 0);
	/* newest first, below the version: nothing */
	param.ip_epr.epr_hi = 9;
	param.ip_epc_expr = VOS_IT_EPC_RE;
	assert_int_equal(vos_iter_prepare(VOS_ITER_SINGLE, &param, &ih, NULL), 0);
	assert_int_equal(vos_iter_probe(ih, NULL), -DER_NONEXIST);
	assert_int_equal(vos_iter_finish(ih), 0);

	/* the second version builds the tree around the first */
	assert_int_equal(vt_update_sv(c.coh, oid, 20, 0, "d", "sv", "bbb", 3), 0);
	assert_int_equal(vos_pool_query(c.poh, &p2), 0);
	assert_int_equal(p2.pif_heap_allocs, p1.pif_heap_allocs + 2);
	assert_int_equal(vt_fetch_sv(c.coh, oid, 15, 0, "d", "sv", buf, sizeof(buf), &size), 0);
	assert_int_equal(size, 2);
	assert_int_equal(vt_fetch_sv(c.coh, oid, 25, 0, "d", "sv", buf, sizeof(buf), &size), 0);
	assert_int_equal(size, 3);
	assert_memory_equal(buf, "bbb", 3);
	assert_int_equal(vt_update_sv(c.coh, oid, 10, 0, "d", "sv", "ab", 2), -DER_TX_RESTART);
	param.ip_epr.epr_hi = DAOS_EPOCH_MAX;
	param.ip_epc_expr = VOS_IT_EPC_RR;
	assert_int_equal(vos_iter_prepare(VOS_ITER_SINGLE, &param, &ih, NULL), 0);
	assert_int_equal(vos_iter_probe(ih, &anchor), 0);
	assert_int_equal(vos_iter_fetch(ih, &ent, NULL), 0);
	assert_int_equal(ent.ie_epoch, 10);
	assert_int_equal(vos_iter_next(ih, NULL), 0);
	assert_int_equal(vos_iter_fetch(ih, &ent, NULL), 0);
	assert_int_equal(ent.ie_epoch, 20);
	assert_int_equal(vos_iter_next(ih, NULL), -DER_NONEXIST);
	assert_int_equal(vos_iter_finish(ih), 0);

	/* an akey made by a punch (full-size record) and later written keeps its key bytes */
	assert_int_equal(vt_punch(c.coh, oid, 30, 0, "d", "punched"), 0);
	assert_int_equal(vt_update_sv(c.coh, oid, 40, 0, "d", "punched", "p", 1), 0);
	assert_int_equal(vt_fetch_sv(c.coh, oid, 40, 0, "d", "punched", buf, sizeof(buf), &size),
			 0);
	assert_int_equal(size, 1);
	memset(&param.ip_akey, 0, sizeof(param.ip_akey));
	param.ip_epr.epr_hi = 40;
	assert_int_equal(vos_iter_prepare(VOS_ITER_AKEY, &param, &ih, NULL), 0);
	size = 0;
	for (rc = vos_iter_probe(ih, NULL); rc == 0; rc = vos_iter_next(ih, NULL)) {
		assert_int_equal(vos_iter_fetch(ih, &ent, NULL), 0);
		if (ent.ie_key.iov_len == 2)
			assert_memory_equal(ent.ie_key.iov_buf, "sv", 2);
		else if (ent.ie_key.iov_len == 5)
			assert_memory_equal(ent.ie_key.iov_buf, "other", 5);
		else
			assert_memory_equal(ent.ie_key.iov_buf, "punched", 7);
		size++;
	}
	assert_int_equal(rc, -DER_NONEXIST);
	assert_int_equal(size, 3);
	assert_int_equal(vos_iter_finish(ih), 0);
	vt_teardown(&c);
}

static void
test_int_keys_query(void **state)
{
	struct vt_ctx c;
	daos_unit_oid_t oid = vt_oid(4, DAOS_OT_ARRAY);
	daos_unit_oid_t hashed = vt_oid(5, DAOS_OT_MULTI_HASHED);
	uint64_t dkeys[] = {5, 300, 1000000, 42}, dk_out = 0, ak_out = 0, akey = 0;
	daos_key_t dk, ak;
	daos_recx_t recx;
	daos_epoch_t mw;
	int i;

	vt_setup(&c);
	for (i = 0; i < 4; i++) {
		daos_iod_t iod = {0};
		daos_recx_t rx = {.rx_idx = dkeys[i] * 10, .rx_nr = 4};
		d_iov_t iov;
		d_sg_list_t sgl = {.sg_nr = 1, .sg_iovs = &iov};

		d_iov_set(&dk, &dkeys[i], sizeof(uint64_t));
		d_iov_set(&iod.iod_name, "a", 1);
		iod.iod_type = DAOS_IOD_ARRAY;
		iod.iod_size = 1;
		iod.iod_nr = 1;
		iod.iod_recxs = &rx;
		d_iov_set(&iov, "data", 4);
		assert_int_equal(vos_obj_update(c.coh, oid, 10 + i, 0, 0, &dk, 1, &iod, NULL, &sgl),
				 0);
	}
	/* integer key of the wrong size */
	{
		uint32_t small = 1;

		d_iov_set(&dk, &small, sizeof(small));
		assert_int_equal(vt_update_sv(c.coh, oid, 20, 0, "x", "a", "v", 1), -DER_INVAL);
	}
	d_iov_set(&dk, &dk_out, sizeof(dk_out));
	d_iov_set(&ak, "a", 1);
	assert_int_equal(vos_obj_query_key(c.coh, oid, DAOS_GET_MAX | DAOS_GET_DKEY | DAOS_GET_RECX,
					   DAOS_EPOCH_MAX, &dk, &ak, &recx, &mw, 0, 0, NULL),
			 0);
	assert_int_equal(dk_out, 1000000);
	assert_int_equal(recx.rx_idx, 10000000);
	assert_int_equal(recx.rx_nr, 4);
	assert_int_equal(mw, 13);
	assert_int_equal(vos_obj_query_key(c.coh, oid, DAOS_GET_MIN | DAOS_GET_DKEY, DAOS_EPOCH_MAX,
					   &dk, NULL, NULL, NULL, 0, 0, NULL),
			 0);
	assert_int_equal(dk_out, 5);
	/* at epoch 11 only 5 and 300 exist */
	assert_int_equal(vos_obj_query_key(c.coh, oid, DAOS_GET_MAX | DAOS_GET_DKEY, 11, &dk, NULL,
					   NULL, NULL, 0, 0, NULL),
			 0);
	assert_int_equal(dk_out, 300);
	/* punch of the max dkey: the next one wins */
	d_iov_set(&dk, &dkeys[2], sizeof(uint64_t));
	assert_int_equal(vos_obj_punch(c.coh, oid, 30, 0, 0, &dk, 0, NULL, NULL), 0);
	d_iov_set(&dk, &dk_out, sizeof(dk_out));
	assert_int_equal(vos_obj_query_key(c.coh, oid, DAOS_GET_MAX | DAOS_GET_DKEY, 31, &dk, NULL,
					   NULL, NULL, 0, 0, NULL),
			 0);
	assert_int_equal(dk_out, 300);
	/* recx of a given dkey */
	dk_out = 42;
	assert_int_equal(vos_obj_query_key(c.coh, oid, DAOS_GET_MAX | DAOS_GET_RECX, 31, &dk, &ak,
					   &recx, NULL, 0, 0, NULL),
			 0);
	assert_int_equal(recx.rx_idx, 420);
	/* non-integer keys cannot be queried */
	assert_int_equal(vos_obj_query_key(c.coh, hashed, DAOS_GET_MAX | DAOS_GET_DKEY, 31, &dk,
					   NULL, NULL, NULL, 0, 0, NULL),
			 -DER_INVAL);
	/* integer akeys */
	{
		daos_unit_oid_t o2 = vt_oid(6, DAOS_OT_MULTI_UINT64);
		uint64_t d = 1, a;

		for (a = 1; a <= 5; a++) {
			daos_iod_t iod = {0};
			d_iov_t iov;
			d_sg_list_t sgl = {.sg_nr = 1, .sg_iovs = &iov};

			d_iov_set(&dk, &d, sizeof(d));
			d_iov_set(&iod.iod_name, &a, sizeof(a));
			iod.iod_type = DAOS_IOD_SINGLE;
			iod.iod_size = 1;
			iod.iod_nr = 1;
			d_iov_set(&iov, "v", 1);
			assert_int_equal(
				vos_obj_update(c.coh, o2, 10, 0, 0, &dk, 1, &iod, NULL, &sgl), 0);
		}
		d_iov_set(&ak, &ak_out, sizeof(ak_out));
		assert_int_equal(vos_obj_query_key(c.coh, o2, DAOS_GET_MAX | DAOS_GET_AKEY, 10, &dk,
						   &ak, NULL, NULL, 0, 0, NULL),
				 0);
		assert_int_equal(ak_out, 5);
		(void)akey;
	}
	vt_teardown(&c);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_anchor_pages),
		cmocka_unit_test(test_punch_enum),
		cmocka_unit_test(test_sv_versions_recx),
		cmocka_unit_test(test_sv_first_version),
		cmocka_unit_test(test_int_keys_query),
	};

	return cmocka_run_group_tests_name("vos_iter", tests, NULL, NULL);
}
