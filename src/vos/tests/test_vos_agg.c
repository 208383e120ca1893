/**
 * VOS: aggregation (snapshots preserved, visible data unchanged, space reclaimed), garbage
 * collection of punched keys/objects and destroyed containers, checksums.
 */
#include "vos_test.h"

static void
fetch_expect(daos_handle_t coh, daos_unit_oid_t oid, daos_epoch_t e, const char *dkey,
	     const char *akey, const char *val)
{
	char buf[64] = {0};
	size_t size;

	assert_int_equal(vt_fetch_sv(coh, oid, e, 0, dkey, akey, buf, sizeof(buf), &size), 0);
	if (val == NULL) {
		if (size != 0)
			fail_msg("epoch %lu %s/%s: expected nothing, got %zu bytes",
				 (unsigned long)e, dkey, akey, size);
		return;
	}
	if (size != strlen(val) || memcmp(buf, val, size) != 0)
		fail_msg("epoch %lu %s/%s: expected %s got %.*s", (unsigned long)e, dkey, akey, val,
			 (int)size, buf);
}

static int
count_versions(daos_handle_t coh, daos_unit_oid_t oid, const char *dkey, const char *akey)
{
	vos_iter_param_t param = {0};
	daos_handle_t ih;
	int nr = 0, rc;

	param.ip_hdl = coh;
	param.ip_oid = oid;
	d_iov_set(&param.ip_dkey, (void *)dkey, strlen(dkey));
	d_iov_set(&param.ip_akey, (void *)akey, strlen(akey));
	param.ip_epr.epr_hi = DAOS_EPOCH_MAX;
	param.ip_epc_expr = VOS_IT_EPC_RR;
	param.ip_flags = VOS_IT_PUNCHED;
	assert_int_equal(vos_iter_prepare(VOS_ITER_SINGLE, &param, &ih, NULL), 0);
	for (rc = vos_iter_probe(ih, NULL); rc == 0; rc = vos_iter_next(ih, NULL))
		nr++;
	assert_int_equal(rc, -DER_NONEXIST);
	vos_iter_finish(ih);
	return nr;
}

static void
test_agg_sv_snapshots(void **state)
{
	struct vt_ctx c;
	daos_unit_oid_t oid = vt_oid(1, DAOS_OT_MULTI_HASHED);
	daos_epoch_range_t epr = {0, 100};
	daos_epoch_t snaps[4];
	uint32_t nr = 4;
	vos_cont_info_t ci;
	char v[8];
	int e;

	vt_setup(&c);
	for (e = 10; e <= 90; e += 10) {
		snprintf(v, sizeof(v), "v%d", e);
		assert_int_equal(vt_update_sv(c.coh, oid, e, 0, "d", "a", v, strlen(v)), 0);
	}
	assert_int_equal(vt_update_sv(c.coh, oid, 110, 0, "d", "a", "v110", 4), 0);
	assert_int_equal(vos_cont_snap_add(c.coh, 35), 0);
	assert_int_equal(vos_cont_snap_add(c.coh, 55), 0);
	assert_int_equal(vos_cont_snap_add(c.coh, 55), -DER_EXIST);
	assert_int_equal(vos_cont_snap_list(c.coh, snaps, &nr), 0);
	assert_int_equal(nr, 2);
	assert_int_equal(snaps[0], 35);
	assert_int_equal(snaps[1], 55);
	assert_int_equal(count_versions(c.coh, oid, "d", "a"), 10);

	assert_int_equal(vos_aggregate(c.coh, &epr, NULL, NULL, 0), 0);
	/* kept: v30 (snap 35), v50 (snap 55), v90 (epoch 100), v110 (above the range) */
	assert_int_equal(count_versions(c.coh, oid, "d", "a"), 4);
	fetch_expect(c.coh, oid, 35, "d", "a", "v30");
	fetch_expect(c.coh, oid, 55, "d", "a", "v50");
	fetch_expect(c.coh, oid, 100, "d", "a", "v90");
	fetch_expect(c.coh, oid, 109, "d", "a", "v90");
	fetch_expect(c.coh, oid, 200, "d", "a", "v110");
	assert_int_equal(vos_cont_query(c.coh, &ci), 0);
	assert_int_equal(ci.ci_hae, 100);
	assert_int_equal(ci.ci_nsnaps, 2);
	/* no more writes or punches at or below the aggregated epoch */
	assert_int_equal(vt_update_sv(c.coh, oid, 100, 0, "d", "a", "late", 4), -DER_TX_RESTART);
	assert_int_equal(vt_punch(c.coh, oid, 95, 0, "d", NULL), -DER_TX_RESTART);
	fetch_expect(c.coh, oid, 100, "d", "a", "v90");

	/* dropping a snapshot lets the next aggregation drop its version */
	assert_int_equal(vos_cont_snap_del(c.coh, 35), 0);
	assert_int_equal(vos_cont_snap_del(c.coh, 35), -DER_NONEXIST);
	assert_int_equal(vos_aggregate(c.coh, &epr, NULL, NULL, 0), 0);
	assert_int_equal(count_versions(c.coh, oid, "d", "a"), 3);
	fetch_expect(c.coh, oid, 55, "d", "a", "v50");
	fetch_expect(c.coh, oid, 100, "d", "a", "v90");
	vt_teardown(&c);
}

static void
test_agg_punched(void **state)
{
	struct vt_ctx c;
	daos_unit_oid_t oid = vt_oid(2, DAOS_OT_MULTI_HASHED);
	daos_unit_oid_t oid2 = vt_oid(3, DAOS_OT_MULTI_HASHED);
	daos_epoch_range_t epr = {0, 100};
	vos_pool_info_t p0, p1, p2;
	vos_cont_info_t ci;
	char *big = malloc(64 << 10);
	char key[16];
	int i, rc;

	memset(big, 'b', 64 << 10);
	vt_setup(&c);
	assert_int_equal(vos_pool_query(c.poh, &p0), 0);
	for (i = 0; i < 50; i++) {
		snprintf(key, sizeof(key), "k%d", i);
		assert_int_equal(vt_update_sv(c.coh, oid, 10, 0, key, "a", big, 64 << 10), 0);
		assert_int_equal(vt_update_sv(c.coh, oid, 10, 0, key, "s", "small", 5), 0);
		assert_int_equal(vt_update_sv(c.coh, oid2, 10, 0, key, "s", "small", 5), 0);
	}
	assert_int_equal(vt_update_sv(c.coh, oid, 10, 0, "keep", "a", "alive", 5), 0);
	for (i = 0; i < 50; i++) {
		snprintf(key, sizeof(key), "k%d", i);
		assert_int_equal(vt_punch(c.coh, oid, 20, 0, key, NULL), 0);
	}
	assert_int_equal(vt_punch(c.coh, oid2, 20, 0, NULL, NULL), 0);
	assert_int_equal(vos_pool_query(c.poh, &p1), 0);
	assert_true(NVME_FREE(&p1.pif_space) + 50 * (64 << 10) <= NVME_FREE(&p0.pif_space));

	assert_int_equal(vos_aggregate(c.coh, &epr, NULL, NULL, 0), 0);
	/* blob space of the single values came back at once */
	assert_int_equal(vos_pool_query(c.poh, &p2), 0);
	assert_int_equal(NVME_FREE(&p2.pif_space), NVME_FREE(&p0.pif_space));
	/* the punched keys and the punched object wait in the GC bin */
	assert_true(p2.pif_gc_pending > 0);
	assert_false(vos_gc_pool_idle(c.poh));
	fetch_expect(c.coh, oid, 100, "keep", "a", "alive");
	fetch_expect(c.coh, oid, 100, "k3", "a", NULL);
	fetch_expect(c.coh, oid2, 100, "k3", "s", NULL);
	assert_int_equal(vos_cont_query(c.coh, &ci), 0);
	assert_int_equal(ci.ci_nobjs, 1);
	/* only "alive" is left */
	assert_int_equal(ci.ci_used, 5);

	/* GC in small steps: every step makes progress, the bin ends empty */
	for (i = 0; i < 1000; i++) {
		rc = vos_gc_pool(c.poh, 4, NULL, NULL);
		assert_true(rc >= 0);
		if (rc == 0)
			break;
	}
	assert_int_equal(rc, 0);
	assert_true(i > 3);
	assert_true(vos_gc_pool_idle(c.poh));
	assert_int_equal(vos_pool_query(c.poh, &p2), 0);
	assert_int_equal(p2.pif_gc_pending, 0);
	assert_true(p2.pif_gc_stat.gs_dkeys >= 100);
	assert_true(p2.pif_gc_stat.gs_objs >= 1);
	/* heap space came back close to where it was after creating the container */
	assert_true(SCM_FREE(&p2.pif_space) + 64 * 1024 >= SCM_FREE(&p0.pif_space));
	fetch_expect(c.coh, oid, 100, "keep", "a", "alive");
	vt_teardown(&c);
	free(big);
}

static int
count_dkeys(daos_handle_t coh, daos_unit_oid_t oid, daos_epoch_t e)
{
	vos_iter_param_t param = {0};
	daos_handle_t ih;
	int nr = 0, rc;

	param.ip_hdl = coh;
	param.ip_oid = oid;
	param.ip_epr.epr_hi = e;
	assert_int_equal(vos_iter_prepare(VOS_ITER_DKEY, &param, &ih, NULL), 0);
	for (rc = vos_iter_probe(ih, NULL); rc == 0; rc = vos_iter_next(ih, NULL))
		nr++;
	assert_int_equal(rc, -DER_NONEXIST);
	vos_iter_finish(ih);
	return nr;
}

/* an object punch is the bound of its dkeys' older entries: it survives aggregation */
static void
test_agg_parent_punch(void **state)
{
	struct vt_ctx c;
	daos_unit_oid_t oid = vt_oid(7, DAOS_OT_MULTI_HASHED);
	daos_epoch_range_t epr = {0, 50};

	vt_setup(&c);
	assert_int_equal(vt_update_sv(c.coh, oid, 10, 0, "x", "a", "x10", 3), 0);
	assert_int_equal(vt_punch(c.coh, oid, 20, 0, NULL, NULL), 0);
	assert_int_equal(vt_update_sv(c.coh, oid, 40, 0, "x", "b", "x40", 3), 0);
	assert_int_equal(vos_cont_snap_add(c.coh, 30), 0);
	assert_int_equal(vos_aggregate(c.coh, &epr, NULL, NULL, 0), 0);
	assert_int_equal(count_dkeys(c.coh, oid, 30), 0);
	assert_int_equal(count_dkeys(c.coh, oid, 50), 1);
	fetch_expect(c.coh, oid, 30, "x", "a", NULL);
	fetch_expect(c.coh, oid, 50, "x", "a", NULL);
	fetch_expect(c.coh, oid, 50, "x", "b", "x40");
	vt_teardown(&c);
}

static void
test_agg_array(void **state)
{
	struct vt_ctx c;
	daos_unit_oid_t oid = vt_oid(4, DAOS_OT_MULTI_HASHED);
	daos_epoch_range_t epr = {0, 100};
	char buf[32], at20[32], at40[32];
	vos_pool_info_t p0, p1;
	size_t size;
	int e;

	vt_setup_ex(&c, 64 << 20, 64 << 20, 64);
	assert_int_equal(vos_pool_query(c.poh, &p0), 0);
	/* whole rewrites of [0,15] at 12..52, a hole at 60 over [4,7], partial [8,9] at 70 */
	for (e = 10; e <= 50; e += 10) {
		char data[128];

		memset(data, 'a' + e / 10, sizeof(data));
		assert_int_equal(vt_update_array(c.coh, oid, e + 2, "d", "v", 0, 16, 8, data), 0);
	}
	assert_int_equal(vt_update_array(c.coh, oid, 60, "d", "v", 4, 4, 8, NULL), 0);
	assert_int_equal(vt_update_array(c.coh, oid, 70, "d", "v", 8, 2, 8, "zzzzzzzzZZZZZZZZ"), 0);
	assert_int_equal(vos_cont_snap_add(c.coh, 25), 0);
	assert_int_equal(vt_fetch_array(c.coh, oid, 25, "d", "v", 0, 4, at20, 32, &size, NULL), 0);
	assert_int_equal(vt_fetch_array(c.coh, oid, 100, "d", "v", 0, 4, at40, 32, &size, NULL), 0);
	assert_int_equal(vos_pool_query(c.poh, &p1), 0);

	assert_int_equal(vos_aggregate(c.coh, &epr, NULL, NULL, 0), 0);
	/* snapshot 25 and the latest state read the same */
	assert_int_equal(vt_fetch_array(c.coh, oid, 25, "d", "v", 0, 4, buf, 32, &size, NULL), 0);
	assert_memory_equal(buf, at20, 32);
	assert_int_equal(vt_fetch_array(c.coh, oid, 100, "d", "v", 0, 4, buf, 32, &size, NULL), 0);
	assert_memory_equal(buf, at40, 32);
	{
		char full[128];

		assert_int_equal(
			vt_fetch_array(c.coh, oid, 100, "d", "v", 0, 16, full, 128, &size, NULL),
			0);
		for (e = 0; e < 16; e++) {
			char want = e >= 4 && e < 8 ? 0 : (e >= 8 && e < 10 ? 'z' : 'f');

			if (e == 9)
				want = 'Z';
			assert_int_equal(full[e * 8], want);
		}
	}
	/* covered extents (epochs 32, 42 and the punches) are gone: blob and heap freed */
	{
		vos_pool_info_t p2;

		assert_int_equal(vos_pool_query(c.poh, &p2), 0);
		assert_true(NVME_FREE(&p2.pif_space) > NVME_FREE(&p1.pif_space));
	}
	vt_teardown(&c);
}

static void
test_agg_merge(void **state)
{
	struct vt_ctx c;
	daos_unit_oid_t oid = vt_oid(6, DAOS_OT_MULTI_HASHED);
	daos_epoch_range_t epr = {0, 40};
	char buf[32];
	size_t size;

	vt_setup(&c);
	assert_int_equal(vt_update_array(c.coh, oid, 10, "d", "m", 0, 10, 1, "AAAAAAAAAA"), 0);
	assert_int_equal(vt_update_array(c.coh, oid, 20, "d", "m", 5, 10, 1, "BBBBBBBBBB"), 0);
	assert_int_equal(vt_update_array(c.coh, oid, 30, "d", "m", 15, 5, 1, "CCCCC"), 0);
	assert_int_equal(vt_update_array(c.coh, oid, 50, "d", "m", 2, 2, 1, "NN"), 0);
	assert_int_equal(vt_count_extents(c.coh, oid, "d", "m"), 4);
	assert_int_equal(vos_aggregate(c.coh, &epr, NULL, NULL, 0), 0);
	/* the three extents below 40 became one; the one above the range is untouched */
	assert_int_equal(vt_count_extents(c.coh, oid, "d", "m"), 2);
	memset(buf, 0, sizeof(buf));
	assert_int_equal(vt_fetch_array(c.coh, oid, 40, "d", "m", 0, 20, buf, 20, &size, NULL), 0);
	assert_memory_equal(buf, "AAAAABBBBBBBBBBCCCCC", 20);
	assert_int_equal(vt_fetch_array(c.coh, oid, 60, "d", "m", 0, 20, buf, 20, &size, NULL), 0);
	assert_memory_equal(buf, "AANNABBBBBBBBBBCCCCC", 20);
	/* a second pass has nothing to merge */
	assert_int_equal(vos_aggregate(c.coh, &epr, NULL, NULL, 0), 0);
	assert_int_equal(vt_count_extents(c.coh, oid, "d", "m"), 2);
	vt_teardown(&c);
}

static void
test_cont_destroy_gc(void **state)
{
	struct vt_ctx c;
	vos_pool_info_t p0, p1, p2;
	uuid_t cid;
	daos_handle_t coh;
	char *big = calloc(1, 16 << 10);
	char key[16];
	int i, rc, steps = 0;

	vt_setup(&c);
	assert_int_equal(vos_pool_query(c.poh, &p0), 0);
	uuid_generate(cid);
	assert_int_equal(vos_cont_create(c.poh, cid), 0);
	assert_int_equal(vos_cont_open(c.poh, cid, &coh), 0);
	for (i = 0; i < 200; i++) {
		snprintf(key, sizeof(key), "k%d", i);
		assert_int_equal(vt_update_sv(coh, vt_oid(i % 7, DAOS_OT_MULTI_HASHED), 5, 0, key,
					      "a", big, 16 << 10),
				 0);
		assert_int_equal(vt_update_array(coh, vt_oid(i % 7, DAOS_OT_MULTI_HASHED), 5, key,
						 "arr", 0, 100, 1, big),
				 0);
	}
	assert_int_equal(vos_cont_close(coh), 0);
	assert_int_equal(vos_pool_query(c.poh, &p1), 0);
	assert_int_equal(vos_cont_destroy(c.poh, cid), 0);
	assert_int_equal(vos_cont_open(c.poh, cid, &coh), -DER_NONEXIST);
	/* survives a restart in the middle of collection */
	assert_int_equal(vos_gc_pool(c.poh, 10, NULL, NULL), 1);
	vt_close(&c);
	vt_open(&c);
	do {
		int credits = 16;

		rc = vos_gc_run(&credits);
		assert_true(rc >= 0);
		steps++;
		assert_true(steps < 10000);
	} while (rc == 1);
	assert_true(steps > 10);
	assert_int_equal(vos_pool_query(c.poh, &p2), 0);
	assert_int_equal(p2.pif_gc_pending, 0);
	assert_int_equal(p2.pif_cont_nr, 1);
	assert_int_equal(NVME_FREE(&p2.pif_space), NVME_FREE(&p0.pif_space));
	assert_true(SCM_FREE(&p2.pif_space) + 64 * 1024 >= SCM_FREE(&p0.pif_space));
	assert_true(SCM_FREE(&p1.pif_space) < SCM_FREE(&p2.pif_space));
	vt_teardown(&c);
	free(big);
}

static void
test_csum(void **state)
{
	struct vt_ctx c;
	daos_unit_oid_t oid = vt_oid(5, DAOS_OT_MULTI_HASHED);
	char big[8192], buf[8192];
	size_t size;
	uint16_t types[] = {CSUM_TYPE_ISAL_CRC32_ISCSI, CSUM_TYPE_ISAL_CRC64_REFL};
	int t, i;

	for (i = 0; i < (int)sizeof(big); i++)
		big[i] = (char)(i * 13);
	vt_setup(&c);
	assert_int_equal(vos_cont_csum_set(c.coh, CSUM_TYPE_ISAL_SHA1, 0), -DER_NOTSUPPORTED);
	for (t = 0; t < 2; t++) {
		char dk[8];

		snprintf(dk, sizeof(dk), "d%d", t);
		assert_int_equal(vos_cont_csum_set(c.coh, types[t], 1024), 0);
		assert_int_equal(vt_update_sv(c.coh, oid, 10, 0, dk, "small", big, 100), 0);
		assert_int_equal(vt_update_sv(c.coh, oid, 10, 0, dk, "large", big, 8192), 0);
		assert_int_equal(vt_update_array(c.coh, oid, 10, dk, "arr", 0, 8192, 1, big), 0);
		assert_int_equal(vt_update_array(c.coh, oid, 10, dk, "inl", 0, 100, 1, big), 0);
		assert_int_equal(vt_fetch_sv(c.coh, oid, 11, 0, dk, "small", buf, 8192, &size), 0);
		assert_memory_equal(buf, big, 100);
		assert_int_equal(vt_fetch_sv(c.coh, oid, 11, 0, dk, "large", buf, 8192, &size), 0);
		assert_memory_equal(buf, big, 8192);
		assert_int_equal(vt_fetch_array(c.coh, oid, 11, dk, "arr", 1000, 3000, buf, 8192,
						&size, NULL),
				 0);
		assert_memory_equal(buf, big + 1000, 3000);
		assert_int_equal(
			vt_fetch_array(c.coh, oid, 11, dk, "inl", 10, 50, buf, 8192, &size, NULL),
			0);
		assert_memory_equal(buf, big + 10, 50);
	}
	/* corrupt an inline value in the heap through the iterator's address: -DER_CSUM */
	{
		vos_iter_param_t param = {0};
		vos_iter_entry_t ent;
		daos_handle_t ih;

		param.ip_hdl = c.coh;
		param.ip_oid = oid;
		d_iov_set(&param.ip_dkey, "d0", 2);
		d_iov_set(&param.ip_akey, "small", 5);
		param.ip_epr.epr_hi = DAOS_EPOCH_MAX;
		param.ip_epc_expr = VOS_IT_EPC_LE;
		assert_int_equal(vos_iter_prepare(VOS_ITER_SINGLE, &param, &ih, NULL), 0);
		assert_int_equal(vos_iter_probe(ih, NULL), 0);
		assert_int_equal(vos_iter_fetch(ih, &ent, NULL), 0);
		assert_non_null(ent.ie_biov.bi_buf);
		((char *)ent.ie_biov.bi_buf)[5] ^= 0x40;
		vos_iter_finish(ih);
		assert_int_equal(vt_fetch_sv(c.coh, oid, 11, 0, "d0", "small", buf, 8192, &size),
				 -DER_CSUM);
		((char *)ent.ie_biov.bi_buf)[5] ^= 0x40;
		assert_int_equal(vt_fetch_sv(c.coh, oid, 11, 0, "d0", "small", buf, 8192, &size),
				 0);
	}
	/* a caller's checksum that does not match the data is refused */
	{
		struct dcs_csum_info ci = {0};
		struct dcs_iod_csums ic = {0};
		uint32_t bad = 0x12345678;
		daos_key_t dk;
		daos_iod_t iod = {0};
		d_iov_t iov;
		d_sg_list_t sgl = {.sg_nr = 1, .sg_iovs = &iov};

		ci.cs_type = CSUM_TYPE_ISAL_CRC32_ISCSI;
		ci.cs_len = 4;
		ci.cs_nr = 1;
		ci.cs_csum = (uint8_t *)&bad;
		ci.cs_buf_len = 4;
		ic.ic_data = &ci;
		ic.ic_nr = 1;
		d_iov_set(&dk, "d9", 2);
		d_iov_set(&iod.iod_name, "a", 1);
		iod.iod_type = DAOS_IOD_SINGLE;
		iod.iod_size = 100;
		iod.iod_nr = 1;
		d_iov_set(&iov, big, 100);
		assert_int_equal(vos_obj_update(c.coh, oid, 10, 0, 0, &dk, 1, &iod, &ic, &sgl),
				 -DER_CSUM);
	}
	vt_teardown(&c);
}

static int
stop_yield(void *arg)
{
	(*(int *)arg)++;
	return 1;
}

/* the engine's background round: every container aggregated, then the GC bins drained */
static void
test_pool_reclaim(void **state)
{
	struct vt_ctx c;
	daos_unit_oid_t oid = vt_oid(7, DAOS_OT_MULTI_HASHED);
	vos_pool_info_t p0, p1;
	vos_cont_info_t ci;
	daos_handle_t coh2;
	uuid_t cont2;
	char key[16], v[16];
	int i, e, rounds, yields = 0, rc;

	vt_setup(&c);
	uuid_generate(cont2);
	assert_int_equal(vos_cont_create(c.poh, cont2), 0);
	assert_int_equal(vos_cont_open(c.poh, cont2, &coh2), 0);
	for (i = 0; i < 20; i++) {
		snprintf(key, sizeof(key), "k%d", i);
		for (e = 10; e <= 90; e += 10) {
			snprintf(v, sizeof(v), "v%d", e);
			assert_int_equal(vt_update_sv(c.coh, oid, e, 0, key, "a", v, strlen(v)), 0);
			assert_int_equal(vt_update_sv(coh2, oid, e, 0, key, "a", v, strlen(v)), 0);
		}
		if (i % 2)
			assert_int_equal(vt_punch(coh2, oid, 95, 0, key, NULL), 0);
	}
	assert_int_equal(vos_pool_query(c.poh, &p0), 0);

	/* a stop request ends the round at the first yield */
	rc = vos_pool_reclaim(c.poh, 100, 16, stop_yield, &yields);
	assert_true(rc > 0);
	assert_int_equal(yields, 1);

	for (rounds = 0; rounds < 1000; rounds++) {
		rc = vos_pool_reclaim(c.poh, 100, 2, NULL, NULL);
		assert_true(rc >= 0);
		if (rc == 0)
			break;
	}
	assert_int_equal(rc, 0);
	assert_true(rounds > 0); /* 2 credits cannot free 10 punched keys in one round */
	assert_true(vos_gc_pool_idle(c.poh));
	assert_int_equal(vos_pool_query(c.poh, &p1), 0);
	assert_true(SCM_FREE(&p1.pif_space) > SCM_FREE(&p0.pif_space));
	assert_int_equal(count_versions(c.coh, oid, "k3", "a"), 1);
	fetch_expect(c.coh, oid, 100, "k3", "a", "v90");
	fetch_expect(coh2, oid, 100, "k2", "a", "v90");
	fetch_expect(coh2, oid, 100, "k3", "a", NULL);
	assert_int_equal(vos_cont_query(c.coh, &ci), 0);
	assert_int_equal(ci.ci_hae, 100);
	assert_int_equal(vos_cont_query(coh2, &ci), 0);
	assert_int_equal(ci.ci_hae, 100);
	/* nothing new: the next round has nothing to do */
	assert_int_equal(vos_pool_reclaim(c.poh, 100, 16, NULL, NULL), 0);
	assert_int_equal(vos_pool_reclaim(c.poh, 0, 0, NULL, NULL), -DER_INVAL);
	assert_int_equal(vos_pool_reclaim(c.poh, DAOS_EPOCH_MAX, 16, NULL, NULL), -DER_INVAL);
	assert_int_equal(vos_cont_close(coh2), 0);
	vt_teardown(&c);
}

/* the per-pool operation counters the engine publishes */
static void
test_pool_op_stat(void **state)
{
	struct vt_ctx c;
	daos_unit_oid_t oid = vt_oid(8, DAOS_OT_MULTI_HASHED);
	vos_pool_info_t pi;
	char buf[256];
	size_t size;

	vt_setup(&c);
	assert_int_equal(vt_update_sv(c.coh, oid, 10, 0, "d", "a", "hello", 5), 0);
	memset(buf, 'x', sizeof(buf));
	assert_int_equal(vt_update_array(c.coh, oid, 11, "d", "arr", 0, 16, 8, buf), 0);
	/* a refused update counts nothing */
	assert_int_equal(vt_update_sv(c.coh, oid, 0, 0, "d", "a", "bad", 3), -DER_INVAL);
	assert_int_equal(vt_fetch_sv(c.coh, oid, 20, 0, "d", "a", buf, sizeof(buf), &size), 0);
	assert_int_equal(size, 5);
	assert_int_equal(
		vt_fetch_array(c.coh, oid, 20, "d", "arr", 0, 32, buf, sizeof(buf), &size, NULL),
		0);
	assert_int_equal(vt_punch(c.coh, oid, 30, 0, "d", NULL), 0);
	assert_int_equal(vos_pool_query(c.poh, &pi), 0);
	assert_int_equal(pi.pif_ops.vops_update, 2);
	assert_int_equal(pi.pif_ops.vops_update_bytes, 5 + 16 * 8);
	assert_int_equal(pi.pif_ops.vops_fetch, 2);
	assert_int_equal(pi.pif_ops.vops_fetch_bytes, 5 + 32 * 8);
	assert_int_equal(pi.pif_ops.vops_punch, 1);
	vt_teardown(&c);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_agg_sv_snapshots),
		cmocka_unit_test(test_agg_punched),
		cmocka_unit_test(test_agg_parent_punch),
		cmocka_unit_test(test_agg_array),
		cmocka_unit_test(test_agg_merge),
		cmocka_unit_test(test_cont_destroy_gc),
		cmocka_unit_test(test_pool_reclaim),
		cmocka_unit_test(test_pool_op_stat),
		cmocka_unit_test(test_csum),
	};

	return cmocka_run_group_tests_name("vos_agg", tests, NULL, NULL);
}
