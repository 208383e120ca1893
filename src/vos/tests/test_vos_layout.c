/**
 * Layout version 3: heap bytes per 4 KiB blob value (the issue's <= 200 target), and the
 * compact forms with their conversions: a dkey's lone akey linked from the dkey record
 * (KREC_BF_AK1) and a lone version inside its akey record (KREC_BF_SVI), through update,
 * fetch, punch (with propagation), AKEY iteration with anchors across the conversion, query,
 * aggregation and GC.
 */
#include "vos_test.h"

#define VL_VSIZE 4096

static uint64_t
heap_used(daos_handle_t poh, uint64_t *allocs)
{
	vos_pool_info_t pi;

	assert_int_equal(vos_pool_query(poh, &pi), 0);
	if (allocs != NULL)
		*allocs = pi.pif_heap_allocs;
	return SCM_TOTAL(&pi.pif_space) - SCM_FREE(&pi.pif_space);
}

static uint64_t
blob_free(daos_handle_t poh)
{
	vos_pool_info_t pi;

	assert_int_equal(vos_pool_query(poh, &pi), 0);
	return NVME_FREE(&pi.pif_space);
}

/* vos_perf's dkeys: 16 hex characters spread over the key space */
static void
dkey_name(uint64_t d, char *buf)
{
	uint64_t h = (d + 1) * 0x9E3779B97F4A7C15ULL;

	snprintf(buf, 17, "%016" PRIx64, h ^ (h >> 29));
}

/*
 * What `vos_perf -N auto -d 200000 -a 1 -n 1 -s 4K -R "U"` measures, on fewer keys: the
 * heap bytes per 4 KiB value stored in the blob, one dkey and one akey each. Layout 3 gives
 * ~192 (dkey record 80, akey record with its version inside 80, dkey tree ~32); a change
 * that brings back a tree leaf or a separate version record fails here.
 */
static void
test_heap_bytes_per_blob_value(void **state)
{
	const int n = 4000;
	struct vt_ctx c;
	daos_unit_oid_t oid = vt_oid(1, DAOS_OT_MULTI_HASHED);
	char *val, dk[17];
	uint64_t used0, used1, allocs0, allocs1, bfree0;
	double per;
	int d;

	val = malloc(VL_VSIZE);
	assert_non_null(val);
	memset(val, 0x3c, VL_VSIZE);
	vt_setup_ex(&c, 64 << 20, (size_t)n * VL_VSIZE + (16 << 20), 4096);
	/* the object and the first leaf of its dkey tree */
	assert_int_equal(vt_update_sv(c.coh, oid, 1, 0, "first-dkey-00000", "a0", val, VL_VSIZE),
			 0);
	used0 = heap_used(c.poh, &allocs0);
	bfree0 = blob_free(c.poh);
	for (d = 0; d < n; d++) {
		dkey_name(d, dk);
		assert_int_equal(vt_update_sv(c.coh, oid, 2 + d, 0, dk, "a0", val, VL_VSIZE), 0);
	}
	used1 = heap_used(c.poh, &allocs1);
	per = (double)(used1 - used0) / n;
	print_message("heap: %.1f bytes per 4 KiB blob value, %.2f allocations per value\n", per,
		      (double)(allocs1 - allocs0) / n);
	assert_true(per <= 200.0);
	/* the dkey record and the akey record; the tree leaves split now and then */
	assert_true(allocs1 - allocs0 < (uint64_t)n * 2 + n / 8);
	assert_int_equal(bfree0 - blob_free(c.poh), (uint64_t)n * VL_VSIZE);
	/* everything reads back */
	for (d = 0; d < n; d += 397) {
		char *got = malloc(VL_VSIZE);
		size_t size;

		assert_non_null(got);
		dkey_name(d, dk);
		assert_int_equal(vt_fetch_sv(c.coh, oid, 2 + d, 0, dk, "a0", got, VL_VSIZE, &size),
				 0);
		assert_int_equal(size, VL_VSIZE);
		assert_memory_equal(got, val, VL_VSIZE);
		free(got);
	}
	vt_teardown(&c);
	free(val);
}

/* Keys of an AKEY iteration at epoch \a e, with the anchor of each. */
static int
akey_list(daos_handle_t coh, daos_unit_oid_t oid, const char *dkey, daos_epoch_t e,
	  daos_anchor_t *start, char keys[][16], daos_anchor_t *anchors, int max)
{
	vos_iter_param_t param = {0};
	vos_iter_entry_t ent;
	daos_handle_t ih;
	int nr = 0, rc;

	param.ip_hdl = coh;
	param.ip_oid = oid;
	d_iov_set(&param.ip_dkey, (void *)dkey, strlen(dkey));
	param.ip_epr.epr_hi = e;
	assert_int_equal(vos_iter_prepare(VOS_ITER_AKEY, &param, &ih, NULL), 0);
	for (rc = vos_iter_probe(ih, start); rc == 0; rc = vos_iter_next(ih, NULL)) {
		assert_true(nr < max);
		assert_int_equal(vos_iter_fetch(ih, &ent, &anchors[nr]), 0);
		assert_true(ent.ie_key.iov_len < 16);
		memcpy(keys[nr], ent.ie_key.iov_buf, ent.ie_key.iov_len);
		keys[nr][ent.ie_key.iov_len] = '\0';
		nr++;
	}
	assert_int_equal(rc, -DER_NONEXIST);
	assert_int_equal(vos_iter_finish(ih), 0);
	return nr;
}

/*
 * An anchor taken on a dkey's lone akey (no tree) resumes at the same akey once the second
 * akey has built the tree, in each key class (hashed, lexical, integer: 8-byte keys).
 */
static void
test_lone_akey_anchor(void **state)
{
	static const enum daos_otype_t types[] = {DAOS_OT_MULTI_HASHED, DAOS_OT_MULTI_LEXICAL,
						  DAOS_OT_MULTI_UINT64};
	static const char *const k1s[] = {"k-lone", "m-lone", "\x05\0\0\0\0\0\0\0"};
	static const char *const k2s[] = {"k-other", "a-first", "\x02\0\0\0\0\0\0\0"};
	struct vt_ctx c;
	char keys[8][16], keys2[8][16];
	daos_anchor_t anchors[8], anchors2[8];
	char buf[8];
	int t, nr, i, pos;

	vt_setup(&c);
	for (t = 0; t < 3; t++) {
		daos_unit_oid_t oid = vt_oid(10 + t, types[t]);
		daos_key_t dk;
		daos_iod_t iod = {0};
		d_iov_t iov;
		d_sg_list_t sgl = {.sg_nr = 1, .sg_iovs = &iov};
		uint64_t dint = 77, dwarm = 78;
		daos_key_t dkw;
		uint64_t a1, a2;
		const char *k1 = k1s[t], *k2 = k2s[t];
		size_t k1len = t == 2 ? 8 : strlen(k1), k2len = t == 2 ? 8 : strlen(k2);

		/* integer dkeys for the uint64 type */
		if (t == 2) {
			d_iov_set(&dk, &dint, sizeof(dint));
			d_iov_set(&dkw, &dwarm, sizeof(dwarm));
		} else {
			d_iov_set(&dk, "dk", 2);
			d_iov_set(&dkw, "warm", 4);
		}
		iod.iod_type = DAOS_IOD_SINGLE;
		iod.iod_nr = 1;
		iod.iod_size = 3;
		d_iov_set(&iov, "one", 3);
		/* the object and its dkey tree first */
		d_iov_set(&iod.iod_name, (void *)k2, k2len);
		assert_int_equal(vos_obj_update(c.coh, oid, 5, 0, 0, &dkw, 1, &iod, NULL, &sgl), 0);
		d_iov_set(&iod.iod_name, (void *)k1, k1len);
		heap_used(c.poh, &a1);
		assert_int_equal(vos_obj_update(c.coh, oid, 10, 0, 0, &dk, 1, &iod, NULL, &sgl), 0);
		heap_used(c.poh, &a2);
		/* dkey, akey, version (inline bytes after it): no akey tree */
		assert_int_equal(a2 - a1, 3);

		if (t != 2) {
			nr = akey_list(c.coh, oid, "dk", 100, NULL, keys, anchors, 8);
			assert_int_equal(nr, 1);
			assert_string_equal(keys[0], k1);
			/* from its own anchor: itself; at an epoch below it: nothing */
			nr = akey_list(c.coh, oid, "dk", 100, &anchors[0], keys, anchors2, 8);
			assert_int_equal(nr, 1);
			assert_int_equal(akey_list(c.coh, oid, "dk", 5, NULL, keys, anchors2, 8),
					 0);
		} else {
			vos_iter_param_t param = {0};
			vos_iter_entry_t ent;
			daos_handle_t ih;

			param.ip_hdl = c.coh;
			param.ip_oid = oid;
			param.ip_dkey = dk;
			param.ip_epr.epr_hi = 100;
			assert_int_equal(vos_iter_prepare(VOS_ITER_AKEY, &param, &ih, NULL), 0);
			assert_int_equal(vos_iter_empty(ih), 0);
			assert_int_equal(vos_iter_probe(ih, NULL), 0);
			assert_int_equal(vos_iter_fetch(ih, &ent, &anchors[0]), 0);
			assert_int_equal(ent.ie_key.iov_len, 8);
			assert_memory_equal(ent.ie_key.iov_buf, k1, 8);
			assert_int_equal(vos_iter_next(ih, NULL), -DER_NONEXIST);
			assert_int_equal(vos_iter_finish(ih), 0);
		}

		/* the second akey: the tree is built with both */
		d_iov_set(&iod.iod_name, (void *)k2, k2len);
		d_iov_set(&iov, "two", 3);
		assert_int_equal(vos_obj_update(c.coh, oid, 20, 0, 0, &dk, 1, &iod, NULL, &sgl), 0);
		d_iov_set(&iod.iod_name, (void *)k1, k1len);
		d_iov_set(&iov, buf, sizeof(buf));
		iov.iov_len = 0;
		assert_int_equal(vos_obj_fetch(c.coh, oid, 25, 0, &dk, 1, &iod, &sgl), 0);
		assert_int_equal(iod.iod_size, 3);
		assert_memory_equal(buf, "one", 3);
		d_iov_set(&iod.iod_name, (void *)k2, k2len);
		iov.iov_len = 0;
		assert_int_equal(vos_obj_fetch(c.coh, oid, 15, 0, &dk, 1, &iod, &sgl), 0);
		assert_int_equal(iod.iod_size, 0);
		if (t == 2)
			continue;
		nr = akey_list(c.coh, oid, "dk", 100, NULL, keys, anchors2, 8);
		assert_int_equal(nr, 2);
		for (pos = 0; pos < nr && strcmp(keys[pos], k1) != 0; pos++)
			;
		assert_true(pos < nr);
		/* the lone-akey anchor resumes at k1 in the tree, then the rest in order */
		i = akey_list(c.coh, oid, "dk", 100, &anchors[0], keys2, anchors2, 8);
		assert_int_equal(i, nr - pos);
		for (i = 0; i < nr - pos; i++)
			assert_string_equal(keys2[i], keys[pos + i]);
	}
	vt_teardown(&c);
}

/* Integer akeys: the lone akey is both the largest and the smallest for query_key. */
static void
test_lone_akey_query(void **state)
{
	struct vt_ctx c;
	daos_unit_oid_t oid = vt_oid(20, DAOS_OT_MULTI_UINT64);
	uint64_t dint = 9, a7 = 7, a3 = 3, got = 0;
	daos_key_t dk, out;
	daos_iod_t iod = {0};
	d_iov_t iov;
	d_sg_list_t sgl = {.sg_nr = 1, .sg_iovs = &iov};

	vt_setup(&c);
	d_iov_set(&dk, &dint, sizeof(dint));
	iod.iod_type = DAOS_IOD_SINGLE;
	iod.iod_nr = 1;
	iod.iod_size = 1;
	d_iov_set(&iov, "x", 1);
	d_iov_set(&iod.iod_name, &a7, sizeof(a7));
	assert_int_equal(vos_obj_update(c.coh, oid, 10, 0, 0, &dk, 1, &iod, NULL, &sgl), 0);
	d_iov_set(&out, &got, sizeof(got));
	assert_int_equal(vos_obj_query_key(c.coh, oid, DAOS_GET_AKEY | DAOS_GET_MAX, 20, &dk, &out,
					   NULL, NULL, 0, 0, NULL),
			 0);
	assert_int_equal(got, 7);
	got = 0;
	assert_int_equal(vos_obj_query_key(c.coh, oid, DAOS_GET_AKEY | DAOS_GET_MIN, 20, &dk, &out,
					   NULL, NULL, 0, 0, NULL),
			 0);
	assert_int_equal(got, 7);
	assert_int_equal(vos_obj_query_key(c.coh, oid, DAOS_GET_AKEY | DAOS_GET_MIN, 5, &dk, &out,
					   NULL, NULL, 0, 0, NULL),
			 -DER_NONEXIST);
	d_iov_set(&iod.iod_name, &a3, sizeof(a3));
	assert_int_equal(vos_obj_update(c.coh, oid, 11, 0, 0, &dk, 1, &iod, NULL, &sgl), 0);
	assert_int_equal(vos_obj_query_key(c.coh, oid, DAOS_GET_AKEY | DAOS_GET_MIN, 20, &dk, &out,
					   NULL, NULL, 0, 0, NULL),
			 0);
	assert_int_equal(got, 3);
	assert_int_equal(vos_obj_query_key(c.coh, oid, DAOS_GET_AKEY | DAOS_GET_MAX, 20, &dk, &out,
					   NULL, NULL, 0, 0, NULL),
			 0);
	assert_int_equal(got, 7);
	vt_teardown(&c);
}

static bool
dkey_visible(daos_handle_t coh, daos_unit_oid_t oid, const char *dkey, daos_epoch_t e)
{
	vos_iter_param_t param = {0};
	vos_iter_entry_t ent;
	daos_handle_t ih;
	bool found = false;
	int rc;

	param.ip_hdl = coh;
	param.ip_oid = oid;
	param.ip_epr.epr_hi = e;
	assert_int_equal(vos_iter_prepare(VOS_ITER_DKEY, &param, &ih, NULL), 0);
	for (rc = vos_iter_probe(ih, NULL); rc == 0; rc = vos_iter_next(ih, NULL)) {
		assert_int_equal(vos_iter_fetch(ih, &ent, NULL), 0);
		if (ent.ie_key.iov_len == strlen(dkey) &&
		    memcmp(ent.ie_key.iov_buf, dkey, ent.ie_key.iov_len) == 0)
			found = true;
	}
	assert_int_equal(vos_iter_finish(ih), 0);
	return found;
}

/*
 * Punch of a dkey's lone akey with VOS_OF_PUNCH_PROPAGATE punches the dkey; re-creating it
 * works; conditional inserts see the lone akey; aggregation and GC of the compact forms
 * (lone akey, version inside it, value in the blob) give every heap and blob byte back.
 */
static void
test_lone_akey_punch_agg_gc(void **state)
{
	struct vt_ctx c;
	daos_unit_oid_t oid = vt_oid(30, DAOS_OT_MULTI_HASHED);
	daos_epoch_range_t epr = {0, 100};
	char *val, *got;
	uint64_t allocs0, allocs1, used0, bfree0;
	size_t size;

	val = malloc(VL_VSIZE);
	got = malloc(VL_VSIZE);
	assert_non_null(val);
	assert_non_null(got);
	memset(val, 0x11, VL_VSIZE);
	vt_setup_ex(&c, 64 << 20, 64 << 20, 64);
	/* keep the object (and its dkey tree) alive: only the "p" dkey comes and goes */
	assert_int_equal(vt_update_sv(c.coh, oid, 1, 0, "keep", "k", "k", 1), 0);
	used0 = heap_used(c.poh, &allocs0);
	bfree0 = blob_free(c.poh);

	assert_int_equal(vt_update_sv(c.coh, oid, 10, 0, "p", "x", val, VL_VSIZE), 0);
	heap_used(c.poh, &allocs1);
	assert_int_equal(allocs1 - allocs0, 2); /* dkey and akey (version inside) */
	assert_int_equal(bfree0 - blob_free(c.poh), VL_VSIZE);
	/* replay of the same bytes at the same epoch, conflict with other bytes */
	assert_int_equal(vt_update_sv(c.coh, oid, 10, 0, "p", "x", val, VL_VSIZE), 0);
	val[7] ^= 1;
	assert_int_equal(vt_update_sv(c.coh, oid, 10, 0, "p", "x", val, VL_VSIZE), -DER_TX_RESTART);
	val[7] ^= 1;
	/* conditional ops see the lone akey */
	assert_int_equal(vt_update_sv(c.coh, oid, 11, DAOS_COND_AKEY_INSERT, "p", "x", "y", 1),
			 -DER_EXIST);
	assert_int_equal(vt_update_sv(c.coh, oid, 11, DAOS_COND_AKEY_UPDATE, "p", "z", "y", 1),
			 -DER_NONEXIST);
	assert_int_equal(
		vt_fetch_sv(c.coh, oid, 11, DAOS_COND_AKEY_FETCH, "p", "z", got, VL_VSIZE, &size),
		-DER_NONEXIST);

	/* punch the lone akey, propagated: the dkey is gone above 20 */
	assert_int_equal(vt_punch(c.coh, oid, 20, VOS_OF_PUNCH_PROPAGATE, "p", "x"), 0);
	assert_true(dkey_visible(c.coh, oid, "p", 15));
	assert_false(dkey_visible(c.coh, oid, "p", 25));
	assert_int_equal(vt_fetch_sv(c.coh, oid, 25, 0, "p", "x", got, VL_VSIZE, &size), 0);
	assert_int_equal(size, 0);
	assert_int_equal(vt_fetch_sv(c.coh, oid, 15, 0, "p", "x", got, VL_VSIZE, &size), 0);
	assert_int_equal(size, VL_VSIZE);
	assert_memory_equal(got, val, VL_VSIZE);

	/* re-create it above the punch: a second version (the tree of versions) */
	val[0] = 0x22;
	assert_int_equal(vt_update_sv(c.coh, oid, 30, 0, "p", "x", val, VL_VSIZE), 0);
	assert_true(dkey_visible(c.coh, oid, "p", 35));
	assert_int_equal(vt_fetch_sv(c.coh, oid, 35, 0, "p", "x", got, VL_VSIZE, &size), 0);
	assert_int_equal(size, VL_VSIZE);
	assert_memory_equal(got, val, VL_VSIZE);

	/* aggregation keeps the visible version, frees the punched one (blob block too) */
	assert_int_equal(vos_aggregate(c.coh, &epr, NULL, NULL, 0), 0);
	assert_int_equal(bfree0 - blob_free(c.poh), VL_VSIZE);
	assert_int_equal(vt_fetch_sv(c.coh, oid, 100, 0, "p", "x", got, VL_VSIZE, &size), 0);
	assert_int_equal(size, VL_VSIZE);
	assert_memory_equal(got, val, VL_VSIZE);

	/* punch the dkey; aggregation removes it, GC drains the lone akey and its version */
	assert_int_equal(vt_punch(c.coh, oid, 110, 0, "p", NULL), 0);
	epr.epr_hi = 200;
	assert_int_equal(vos_aggregate(c.coh, &epr, NULL, NULL, 0), 0);
	while (vos_gc_pool(c.poh, 1, NULL, NULL) == 1)
		;
	heap_used(c.poh, &allocs1);
	assert_int_equal(allocs1, allocs0);
	assert_int_equal(blob_free(c.poh), bfree0);
	/* same allocations; the dkey tree's root leaf may have kept a larger capacity */
	assert_true(heap_used(c.poh, NULL) <= used0 + 2048);

	/* a dkey whose lone akey was written once and never touched: straight to GC */
	assert_int_equal(vt_update_sv(c.coh, oid, 210, 0, "q", "x", val, VL_VSIZE), 0);
	assert_int_equal(vt_punch(c.coh, oid, 220, 0, "q", NULL), 0);
	epr.epr_hi = 300;
	assert_int_equal(vos_aggregate(c.coh, &epr, NULL, NULL, 0), 0);
	while (vos_gc_pool(c.poh, 1, NULL, NULL) == 1)
		;
	heap_used(c.poh, &allocs1);
	assert_int_equal(allocs1, allocs0);
	assert_int_equal(blob_free(c.poh), bfree0);
	assert_true(dkey_visible(c.coh, oid, "keep", 400));
	vt_teardown(&c);
	free(val);
	free(got);
}

/*
 * A lone inline value of 3.5 KiB+ (a heap block of its own) also lives inside its akey record;
 * the second version moves it out; aggregation and GC free the blocks.
 */
static void
test_lone_version_inline_block(void **state)
{
	const size_t len = 4000;
	struct vt_ctx c;
	daos_unit_oid_t oid = vt_oid(50, DAOS_OT_MULTI_HASHED);
	daos_epoch_range_t epr = {0, 100};
	uint64_t allocs0, allocs1;
	char *v1, *v2, *got;
	size_t size;

	v1 = malloc(len);
	v2 = malloc(len);
	got = malloc(len);
	assert_non_null(v1);
	assert_non_null(v2);
	assert_non_null(got);
	memset(v1, 0x41, len);
	memset(v2, 0x42, len);
	vt_setup_ex(&c, 64 << 20, 0, 8192); /* no blob: every value inline */
	assert_int_equal(vt_update_sv(c.coh, oid, 1, 0, "keep", "k", "k", 1), 0);
	heap_used(c.poh, &allocs0);
	assert_int_equal(vt_update_sv(c.coh, oid, 10, 0, "d", "a", v1, len), 0);
	heap_used(c.poh, &allocs1);
	/* dkey, akey (version inside), the value's block */
	assert_int_equal(allocs1 - allocs0, 3);
	assert_int_equal(vt_update_sv(c.coh, oid, 10, 0, "d", "a", v1, len), 0);
	assert_int_equal(vt_fetch_sv(c.coh, oid, 10, 0, "d", "a", got, len, &size), 0);
	assert_int_equal(size, len);
	assert_memory_equal(got, v1, len);
	assert_int_equal(vt_update_sv(c.coh, oid, 20, 0, "d", "a", v2, len), 0);
	assert_int_equal(vt_fetch_sv(c.coh, oid, 15, 0, "d", "a", got, len, &size), 0);
	assert_int_equal(size, len);
	assert_memory_equal(got, v1, len);
	assert_int_equal(vt_fetch_sv(c.coh, oid, 25, 0, "d", "a", got, len, &size), 0);
	assert_int_equal(size, len);
	assert_memory_equal(got, v2, len);
	assert_int_equal(vos_aggregate(c.coh, &epr, NULL, NULL, 0), 0);
	assert_int_equal(vt_fetch_sv(c.coh, oid, 100, 0, "d", "a", got, len, &size), 0);
	assert_int_equal(size, len);
	assert_memory_equal(got, v2, len);
	assert_int_equal(vt_punch(c.coh, oid, 110, 0, "d", NULL), 0);
	epr.epr_hi = 200;
	assert_int_equal(vos_aggregate(c.coh, &epr, NULL, NULL, 0), 0);
	while (vos_gc_pool(c.poh, 2, NULL, NULL) == 1)
		;
	heap_used(c.poh, &allocs1);
	assert_int_equal(allocs1, allocs0);
	vt_teardown(&c);
	free(v1);
	free(v2);
	free(got);
}

/* One update of two akeys to a new dkey: the lone-akey form is built and left in one tx. */
static void
test_two_akeys_one_update(void **state)
{
	struct vt_ctx c;
	daos_unit_oid_t oid = vt_oid(40, DAOS_OT_MULTI_HASHED);
	daos_key_t dk;
	daos_iod_t iods[2] = {0};
	d_iov_t iovs[2];
	d_sg_list_t sgls[2] = {{.sg_nr = 1, .sg_iovs = &iovs[0]},
			       {.sg_nr = 1, .sg_iovs = &iovs[1]}};
	char keys[8][16];
	daos_anchor_t anchors[8];
	char buf[8];
	size_t size;
	int i;

	vt_setup(&c);
	d_iov_set(&dk, "two", 3);
	for (i = 0; i < 2; i++) {
		iods[i].iod_type = DAOS_IOD_SINGLE;
		iods[i].iod_nr = 1;
		iods[i].iod_size = 2;
		d_iov_set(&iods[i].iod_name, i ? "b" : "a", 1);
		d_iov_set(&iovs[i], i ? "BB" : "AA", 2);
	}
	assert_int_equal(vos_obj_update(c.coh, oid, 10, 0, 0, &dk, 2, iods, NULL, sgls), 0);
	assert_int_equal(akey_list(c.coh, oid, "two", 10, NULL, keys, anchors, 8), 2);
	assert_int_equal(vt_fetch_sv(c.coh, oid, 10, 0, "two", "a", buf, sizeof(buf), &size), 0);
	assert_int_equal(size, 2);
	assert_memory_equal(buf, "AA", 2);
	assert_int_equal(vt_fetch_sv(c.coh, oid, 10, 0, "two", "b", buf, sizeof(buf), &size), 0);
	assert_int_equal(size, 2);
	assert_memory_equal(buf, "BB", 2);
	/*
	 * an update that builds the akey tree (new akey "c") and then conflicts (other bytes
	 * for "a" at its epoch) aborts as a whole: the dkey keeps its lone akey
	 */
	d_iov_set(&dk, "three", 5);
	assert_int_equal(vos_obj_update(c.coh, oid, 20, 0, 0, &dk, 1, iods, NULL, sgls), 0);
	d_iov_set(&iods[0].iod_name, "c", 1);
	d_iov_set(&iods[1].iod_name, "a", 1);
	assert_int_equal(vos_obj_update(c.coh, oid, 20, 0, 0, &dk, 2, iods, NULL, sgls),
			 -DER_TX_RESTART);
	assert_int_equal(vt_fetch_sv(c.coh, oid, 30, 0, "three", "c", buf, sizeof(buf), &size), 0);
	assert_int_equal(size, 0);
	assert_int_equal(akey_list(c.coh, oid, "three", 30, NULL, keys, anchors, 8), 1);
	assert_int_equal(vt_fetch_sv(c.coh, oid, 30, 0, "three", "a", buf, sizeof(buf), &size), 0);
	assert_memory_equal(buf, "AA", 2);
	vt_teardown(&c);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_heap_bytes_per_blob_value),
		cmocka_unit_test(test_lone_akey_anchor),
		cmocka_unit_test(test_lone_akey_query),
		cmocka_unit_test(test_lone_akey_punch_agg_gc),
		cmocka_unit_test(test_lone_version_inline_block),
		cmocka_unit_test(test_two_akeys_one_update),
	};

	return cmocka_run_group_tests_name("vos_layout", tests, NULL, NULL);
}
