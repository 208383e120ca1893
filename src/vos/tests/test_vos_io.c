/**
 * VOS: pools, containers, single values and arrays with epoch visibility, punches,
 * conditional operations, conflicts, persistence, damaged files, space exhaustion.
 */
#include <errno.h>
#include <fcntl.h>
#include <daos/mem.h>
#include "vos_test.h"

static void
test_pool_cont(void **state)
{
	struct vt_ctx c;
	vos_pool_info_t pinfo;
	vos_cont_info_t cinfo;
	daos_handle_t bad = {.cookie = 0x12345678deadULL}, coh;
	uuid_t other;

	vt_setup(&c);
	assert_int_equal(vos_pool_query(c.poh, &pinfo), 0);
	assert_int_equal(pinfo.pif_cont_nr, 1);
	assert_true(SCM_TOTAL(&pinfo.pif_space) > 0);
	assert_true(NVME_TOTAL(&pinfo.pif_space) >= (60 << 20));
	assert_int_equal(vos_cont_create(c.poh, c.cont_id), -DER_EXIST);
	assert_int_equal(vos_cont_query(c.coh, &cinfo), 0);
	assert_int_equal(cinfo.ci_nobjs, 0);
	/* bad handles are refused, not dereferenced */
	assert_int_equal(vos_pool_query(bad, &pinfo), -DER_NO_HDL);
	assert_int_equal(vos_cont_query(bad, &cinfo), -DER_NO_HDL);
	assert_int_equal(vos_cont_close(bad), -DER_NO_HDL);
	assert_int_equal(vos_cont_query(c.poh, &cinfo), -DER_NO_HDL);
	uuid_generate(other);
	assert_int_equal(vos_cont_open(c.poh, other, &coh), -DER_NONEXIST);
	assert_int_equal(vos_cont_destroy(c.poh, c.cont_id), -DER_BUSY);
	assert_int_equal(vos_pool_close(c.poh), -DER_BUSY);
	vt_close(&c);
	/* reopen: the container is still there; a wrong UUID is refused */
	assert_int_equal(vos_pool_open(c.path, other, 0, &c.poh), -DER_ID_MISMATCH);
	vt_open(&c);
	assert_int_equal(vos_cont_close(c.coh), 0);
	assert_int_equal(vos_cont_destroy(c.poh, c.cont_id), 0);
	assert_int_equal(vos_cont_open(c.poh, c.cont_id, &coh), -DER_NONEXIST);
	assert_int_equal(vos_pool_query(c.poh, &pinfo), 0);
	assert_int_equal(pinfo.pif_cont_nr, 0);
	assert_int_equal(vos_cont_create(c.poh, c.cont_id), 0);
	assert_int_equal(vos_cont_open(c.poh, c.cont_id, &c.coh), 0);
	vt_teardown(&c);
}

/* expected value at an epoch: NULL = nothing */
struct vis_row {
	daos_epoch_t epoch;
	const char *val;
};

static void
check_rows(daos_handle_t coh, daos_unit_oid_t oid, const char *dkey, const char *akey,
	   const struct vis_row *rows, int nr)
{
	char buf[64];
	size_t size;
	int i;

	for (i = 0; i < nr; i++) {
		memset(buf, 0, sizeof(buf));
		assert_int_equal(vt_fetch_sv(coh, oid, rows[i].epoch, 0, dkey, akey, buf,
					     sizeof(buf), &size),
				 0);
		if (rows[i].val == NULL) {
			if (size != 0)
				fail_msg("epoch %lu: expected nothing, got size %zu",
					 (unsigned long)rows[i].epoch, size);
		} else {
			if (size != strlen(rows[i].val) || memcmp(buf, rows[i].val, size) != 0)
				fail_msg("epoch %lu: expected %s, got %.*s (%zu)",
					 (unsigned long)rows[i].epoch, rows[i].val, (int)size, buf,
					 size);
		}
	}
}

static void
test_sv_visibility(void **state)
{
	struct vt_ctx c;
	daos_unit_oid_t oid = vt_oid(1, DAOS_OT_MULTI_HASHED);
	static const struct vis_row rows[] = {
		{5, NULL},  {10, "v10"}, {15, "v10"}, {20, "v20"}, {29, "v20"},
		{30, NULL}, {35, NULL},  {40, "v40"}, {49, "v40"}, {50, NULL},
		{55, NULL}, {60, "v60"}, {70, NULL},  {80, "v80"}, {DAOS_EPOCH_MAX, "v80"},
	};

	vt_setup(&c);
	assert_int_equal(vt_update_sv(c.coh, oid, 10, 0, "d", "a", "v10", 3), 0);
	assert_int_equal(vt_update_sv(c.coh, oid, 20, 0, "d", "a", "v20", 3), 0);
	assert_int_equal(vt_punch(c.coh, oid, 30, 0, "d", "a"), 0);
	assert_int_equal(vt_update_sv(c.coh, oid, 40, 0, "d", "a", "v40", 3), 0);
	assert_int_equal(vt_punch(c.coh, oid, 50, 0, "d", NULL), 0);
	assert_int_equal(vt_update_sv(c.coh, oid, 60, 0, "d", "a", "v60", 3), 0);
	assert_int_equal(vt_punch(c.coh, oid, 70, 0, NULL, NULL), 0);
	assert_int_equal(vt_update_sv(c.coh, oid, 80, 0, "d", "a", "v80", 3), 0);
	check_rows(c.coh, oid, "d", "a", rows, ARRAY_SIZE(rows));
	/* an update older than a punch stays hidden above the punch */
	assert_int_equal(vt_update_sv(c.coh, oid, 65, 0, "d", "a", "v65", 3), 0);
	{
		static const struct vis_row late[] = {
			{64, "v60"}, {65, "v65"}, {69, "v65"}, {70, NULL}, {80, "v80"}};

		check_rows(c.coh, oid, "d", "a", late, ARRAY_SIZE(late));
	}
	/* a size-0 update hides the value (single-value punch) */
	assert_int_equal(vt_update_sv(c.coh, oid, 90, 0, "d", "a", NULL, 0), 0);
	{
		static const struct vis_row sv0[] = {{85, "v80"}, {90, NULL}};

		check_rows(c.coh, oid, "d", "a", sv0, ARRAY_SIZE(sv0));
	}
	/* persistence */
	vt_close(&c);
	vt_open(&c);
	check_rows(c.coh, oid, "d", "a", rows, 9);
	vt_teardown(&c);
}

static void
test_sv_blob(void **state)
{
	struct vt_ctx c;
	daos_unit_oid_t oid = vt_oid(2, DAOS_OT_MULTI_HASHED);
	size_t len = 100000, size;
	char *a = malloc(len), *b = malloc(len);
	vos_pool_info_t p0, p1;
	int i;

	for (i = 0; i < (int)len; i++)
		a[i] = (char)(i * 7 + 3);
	vt_setup(&c);
	assert_int_equal(vos_pool_query(c.poh, &p0), 0);
	assert_int_equal(vt_update_sv(c.coh, oid, 1, 0, "dk", "big", a, len), 0);
	assert_int_equal(vt_update_sv(c.coh, oid, 1, 0, "dk", "small", a, 100), 0);
	assert_int_equal(vos_pool_query(c.poh, &p1), 0);
	/* the big value took blob space, the small one did not */
	assert_true(NVME_FREE(&p0.pif_space) - NVME_FREE(&p1.pif_space) >= len);
	assert_true(NVME_FREE(&p0.pif_space) - NVME_FREE(&p1.pif_space) < len + 8192);
	memset(b, 0, len);
	assert_int_equal(vt_fetch_sv(c.coh, oid, 5, 0, "dk", "big", b, len, &size), 0);
	assert_int_equal(size, len);
	assert_memory_equal(a, b, len);
	/* a buffer too small: -DER_REC2BIG with the size reported */
	assert_int_equal(vt_fetch_sv(c.coh, oid, 5, 0, "dk", "big", b, 10, &size), -DER_REC2BIG);
	assert_int_equal(size, len);
	vt_close(&c);
	vt_open(&c);
	memset(b, 0, len);
	assert_int_equal(vt_fetch_sv(c.coh, oid, 5, 0, "dk", "big", b, len, &size), 0);
	assert_int_equal(size, len);
	assert_memory_equal(a, b, len);
	assert_int_equal(vt_fetch_sv(c.coh, oid, 5, 0, "dk", "small", b, len, &size), 0);
	assert_int_equal(size, 100);
	assert_memory_equal(a, b, 100);
	vt_teardown(&c);
	free(a);
	free(b);
}

static void
test_zero_copy(void **state)
{
	struct vt_ctx c;
	daos_unit_oid_t oid = vt_oid(3, DAOS_OT_MULTI_HASHED);
	daos_key_t dk;
	daos_iod_t iod = {0};
	d_iov_t iov = {0};
	d_sg_list_t sgl = {.sg_nr = 1, .sg_iovs = &iov};

	vt_setup(&c);
	assert_int_equal(vt_update_sv(c.coh, oid, 1, 0, "d", "a", "hello", 5), 0);
	d_iov_set(&dk, "d", 1);
	d_iov_set(&iod.iod_name, "a", 1);
	iod.iod_type = DAOS_IOD_SINGLE;
	iod.iod_nr = 1;
	assert_int_equal(vos_obj_fetch(c.coh, oid, 2, 0, &dk, 1, &iod, &sgl), 0);
	assert_int_equal(iod.iod_size, 5);
	assert_non_null(iov.iov_buf);
	assert_int_equal(iov.iov_len, 5);
	assert_memory_equal(iov.iov_buf, "hello", 5);
	vt_teardown(&c);
}

static void
test_array(void **state)
{
	struct vt_ctx c;
	daos_unit_oid_t oid = vt_oid(4, DAOS_OT_MULTI_HASHED);
	char buf[64], exp[64];
	daos_recx_t recxs[8];
	daos_iom_t iom = {.iom_nr = 8, .iom_recxs = recxs};
	size_t size;

	vt_setup(&c);
	/* [0,9]=A@10, [5,14]=B@20, hole [3,6]@30, [20,23]=C@40 (record size 1) */
	assert_int_equal(vt_update_array(c.coh, oid, 10, "d", "arr", 0, 10, 1, "AAAAAAAAAA"), 0);
	assert_int_equal(vt_update_array(c.coh, oid, 20, "d", "arr", 5, 10, 1, "BBBBBBBBBB"), 0);
	assert_int_equal(vt_update_array(c.coh, oid, 30, "d", "arr", 3, 4, 1, NULL), 0);
	assert_int_equal(vt_update_array(c.coh, oid, 40, "d", "arr", 20, 4, 1, "CCCC"), 0);

	/* nothing before the first write */
	assert_int_equal(vt_fetch_array(c.coh, oid, 5, "d", "arr", 0, 24, buf, 24, &size, NULL), 0);
	assert_int_equal(size, 0);

	memset(buf, 'x', sizeof(buf));
	assert_int_equal(vt_fetch_array(c.coh, oid, 15, "d", "arr", 0, 24, buf, 24, &size, &iom),
			 0);
	assert_int_equal(size, 1);
	memset(exp, 0, sizeof(exp));
	memcpy(exp, "AAAAAAAAAA", 10);
	assert_memory_equal(buf, exp, 24);
	assert_int_equal(iom.iom_nr_out, 1);
	assert_int_equal(recxs[0].rx_idx, 0);
	assert_int_equal(recxs[0].rx_nr, 10);

	memset(buf, 'x', sizeof(buf));
	assert_int_equal(vt_fetch_array(c.coh, oid, 25, "d", "arr", 0, 24, buf, 24, &size, &iom),
			 0);
	memset(exp, 0, sizeof(exp));
	memcpy(exp, "AAAAABBBBBBBBBB", 15);
	assert_memory_equal(buf, exp, 24);
	assert_int_equal(iom.iom_nr_out, 1);
	assert_int_equal(recxs[0].rx_nr, 15);

	memset(buf, 'x', sizeof(buf));
	assert_int_equal(vt_fetch_array(c.coh, oid, 45, "d", "arr", 0, 24, buf, 24, &size, &iom),
			 0);
	memset(exp, 0, sizeof(exp));
	memcpy(exp, "AAA\0\0\0\0BBBBBBBB", 15);
	memcpy(exp + 20, "CCCC", 4);
	assert_memory_equal(buf, exp, 24);
	assert_int_equal(iom.iom_nr_out, 3);
	assert_int_equal(iom.iom_recx_lo.rx_idx, 0);
	assert_int_equal(iom.iom_recx_lo.rx_nr, 3);
	assert_int_equal(recxs[1].rx_idx, 7);
	assert_int_equal(recxs[1].rx_nr, 8);
	assert_int_equal(iom.iom_recx_hi.rx_idx, 20);

	/* partial read inside the middle */
	memset(buf, 'x', sizeof(buf));
	assert_int_equal(vt_fetch_array(c.coh, oid, 45, "d", "arr", 2, 8, buf, 8, &size, NULL), 0);
	assert_memory_equal(buf, "A\0\0\0\0BBB", 8);

	/* punch of the akey hides the array; writes after it show again */
	assert_int_equal(vt_punch(c.coh, oid, 50, 0, "d", "arr"), 0);
	assert_int_equal(vt_fetch_array(c.coh, oid, 55, "d", "arr", 0, 24, buf, 24, &size, NULL),
			 0);
	assert_int_equal(size, 0);
	assert_int_equal(vt_update_array(c.coh, oid, 60, "d", "arr", 1, 2, 1, "ZZ"), 0);
	memset(buf, 'x', sizeof(buf));
	assert_int_equal(vt_fetch_array(c.coh, oid, 60, "d", "arr", 0, 4, buf, 4, &size, NULL), 0);
	assert_int_equal(size, 1);
	assert_memory_equal(buf, "\0ZZ\0", 4);
	/* history below the punch is unchanged */
	memset(buf, 'x', sizeof(buf));
	assert_int_equal(vt_fetch_array(c.coh, oid, 45, "d", "arr", 0, 4, buf, 4, &size, NULL), 0);
	assert_memory_equal(buf, "AAA\0", 4);
	vt_teardown(&c);
}

static void
test_array_blob_records(void **state)
{
	struct vt_ctx c;
	daos_unit_oid_t oid = vt_oid(5, DAOS_OT_ARRAY_BYTE);
	uint64_t dkey = 7;
	daos_key_t dk;
	daos_iod_t iod = {0};
	daos_recx_t rx[2] = {{.rx_idx = 0, .rx_nr = 1000}, {.rx_idx = 3000, .rx_nr = 1000}};
	d_iov_t iov;
	d_sg_list_t sgl = {.sg_nr = 1, .sg_iovs = &iov};
	uint64_t *w = malloc(2000 * 8), *r = malloc(4000 * 8);
	int i;

	for (i = 0; i < 2000; i++)
		w[i] = i * 31 + 1;
	vt_setup(&c);
	d_iov_set(&dk, &dkey, sizeof(dkey));
	d_iov_set(&iod.iod_name, "data", 4);
	iod.iod_type = DAOS_IOD_ARRAY;
	iod.iod_size = 8;
	iod.iod_nr = 2;
	iod.iod_recxs = rx;
	d_iov_set(&iov, w, 2000 * 8);
	assert_int_equal(vos_obj_update(c.coh, oid, 5, 0, 0, &dk, 1, &iod, NULL, &sgl), 0);

	rx[0].rx_idx = 0;
	rx[0].rx_nr = 4000;
	iod.iod_nr = 1;
	iod.iod_size = 0;
	d_iov_set(&iov, r, 4000 * 8);
	memset(r, 0xff, 4000 * 8);
	assert_int_equal(vos_obj_fetch(c.coh, oid, 6, 0, &dk, 1, &iod, &sgl), 0);
	assert_int_equal(iod.iod_size, 8);
	assert_memory_equal(r, w, 1000 * 8);
	for (i = 1000; i < 3000; i++)
		assert_int_equal(r[i], 0);
	assert_memory_equal(r + 3000, w + 1000, 1000 * 8);
	assert_int_equal(sgl.sg_nr_out, 1);
	assert_int_equal(iov.iov_len, 4000 * 8);
	vt_teardown(&c);
	free(w);
	free(r);
}

static void
test_conditional(void **state)
{
	struct vt_ctx c;
	daos_unit_oid_t oid = vt_oid(6, DAOS_OT_MULTI_HASHED);
	char buf[16];
	size_t size;

	vt_setup(&c);
	assert_int_equal(vt_update_sv(c.coh, oid, 10, DAOS_COND_DKEY_UPDATE, "d", "a", "x", 1),
			 -DER_NONEXIST);
	assert_int_equal(vt_update_sv(c.coh, oid, 10, DAOS_COND_AKEY_UPDATE, "d", "a", "x", 1),
			 -DER_NONEXIST);
	assert_int_equal(
		vt_fetch_sv(c.coh, oid, 10, DAOS_COND_DKEY_FETCH, "d", "a", buf, 16, &size),
		-DER_NONEXIST);
	assert_int_equal(vt_update_sv(c.coh, oid, 10, DAOS_COND_DKEY_INSERT, "d", "a", "x", 1), 0);
	assert_int_equal(vt_update_sv(c.coh, oid, 11, DAOS_COND_DKEY_INSERT, "d", "b", "y", 1),
			 -DER_EXIST);
	assert_int_equal(vt_update_sv(c.coh, oid, 11, DAOS_COND_AKEY_INSERT, "d", "b", "y", 1), 0);
	assert_int_equal(vt_update_sv(c.coh, oid, 12, DAOS_COND_AKEY_INSERT, "d", "b", "z", 1),
			 -DER_EXIST);
	assert_int_equal(vt_update_sv(c.coh, oid, 12, DAOS_COND_AKEY_UPDATE, "d", "b", "z", 1), 0);
	assert_int_equal(
		vt_fetch_sv(c.coh, oid, 12, DAOS_COND_AKEY_FETCH, "d", "b", buf, 16, &size), 0);
	assert_int_equal(size, 1);
	assert_int_equal(buf[0], 'z');
	assert_int_equal(
		vt_fetch_sv(c.coh, oid, 12, DAOS_COND_AKEY_FETCH, "d", "c", buf, 16, &size),
		-DER_NONEXIST);
	/* existence is judged at the operation's epoch */
	assert_int_equal(
		vt_fetch_sv(c.coh, oid, 10, DAOS_COND_AKEY_FETCH, "d", "b", buf, 16, &size),
		-DER_NONEXIST);
	/* conditional punch */
	assert_int_equal(vt_punch(c.coh, oid, 13, DAOS_COND_PUNCH, "d", "nope"), -DER_NONEXIST);
	assert_int_equal(vt_punch(c.coh, oid, 13, DAOS_COND_PUNCH, "d", "b"), 0);
	assert_int_equal(vt_punch(c.coh, oid, 14, DAOS_COND_PUNCH, "d", "b"), -DER_NONEXIST);
	assert_int_equal(vt_punch(c.coh, oid, 15, DAOS_COND_PUNCH, "e", NULL), -DER_NONEXIST);
	assert_int_equal(vt_punch(c.coh, oid, 15, DAOS_COND_PUNCH, "d", NULL), 0);
	assert_int_equal(vt_update_sv(c.coh, oid, 16, DAOS_COND_DKEY_INSERT, "d", "a", "w", 1), 0);
	/* failed conditional updates changed nothing */
	assert_int_equal(vt_fetch_sv(c.coh, oid, 12, 0, "d", "a", buf, 16, &size), 0);
	assert_int_equal(buf[0], 'x');
	vt_teardown(&c);
}

static void
test_conflict(void **state)
{
	struct vt_ctx c;
	daos_unit_oid_t oid = vt_oid(7, DAOS_OT_MULTI_HASHED);
	char buf[16];
	size_t size;

	vt_setup(&c);
	assert_int_equal(vt_update_sv(c.coh, oid, 10, 0, "d", "a", "one", 3), 0);
	/* the same request replayed: accepted, nothing changes */
	assert_int_equal(vt_update_sv(c.coh, oid, 10, 0, "d", "a", "one", 3), 0);
	/* another request at the same epoch */
	assert_int_equal(vt_update_sv(c.coh, oid, 10, 0, "d", "a", "two", 3), -DER_TX_RESTART);
	assert_int_equal(vt_fetch_sv(c.coh, oid, 10, 0, "d", "a", buf, 16, &size), 0);
	assert_memory_equal(buf, "one", 3);
	/* punch and update of the same key at one epoch conflict */
	assert_int_equal(vt_punch(c.coh, oid, 10, 0, "d", "a"), -DER_TX_RESTART);
	assert_int_equal(vt_punch(c.coh, oid, 20, 0, "d", "a"), 0);
	assert_int_equal(vt_update_sv(c.coh, oid, 20, 0, "d", "a", "xx", 2), -DER_TX_RESTART);
	/* a punch below a later write is refused; one above it is fine */
	assert_int_equal(vt_update_sv(c.coh, oid, 26, 0, "d", "a", "yy", 2), 0);
	assert_int_equal(vt_punch(c.coh, oid, 25, 0, "d", "a"), -DER_TX_RESTART);
	assert_int_equal(vt_punch(c.coh, oid, 25, 0, "d", NULL), -DER_TX_RESTART);
	assert_int_equal(vt_punch(c.coh, oid, 25, 0, NULL, NULL), -DER_TX_RESTART);
	assert_int_equal(vt_fetch_sv(c.coh, oid, 27, 0, "d", "a", buf, 16, &size), 0);
	assert_memory_equal(buf, "yy", 2);
	assert_int_equal(vt_punch(c.coh, oid, 27, 0, "d", "a"), 0);
	/* a replayed blob value takes no blob space */
	{
		char *big = calloc(1, 64 << 10);
		vos_pool_info_t p0, p1;

		assert_int_equal(vt_update_sv(c.coh, oid, 40, 0, "d", "big", big, 64 << 10), 0);
		assert_int_equal(vt_update_array(c.coh, oid, 40, "d", "bar", 0, 64 << 10, 1, big),
				 0);
		assert_int_equal(vos_pool_query(c.poh, &p0), 0);
		assert_int_equal(vt_update_sv(c.coh, oid, 40, 0, "d", "big", big, 64 << 10), 0);
		assert_int_equal(vt_update_array(c.coh, oid, 40, "d", "bar", 0, 64 << 10, 1, big),
				 0);
		big[7] = 1;
		assert_int_equal(vt_update_sv(c.coh, oid, 40, 0, "d", "big", big, 64 << 10),
				 -DER_TX_RESTART);
		assert_int_equal(vos_pool_query(c.poh, &p1), 0);
		assert_int_equal(NVME_FREE(&p0.pif_space), NVME_FREE(&p1.pif_space));
		free(big);
	}
	/* arrays */
	assert_int_equal(vt_update_array(c.coh, oid, 30, "d", "arr", 0, 4, 1, "abcd"), 0);
	assert_int_equal(vt_update_array(c.coh, oid, 30, "d", "arr", 0, 4, 1, "abcd"), 0);
	assert_int_equal(vt_update_array(c.coh, oid, 30, "d", "arr", 0, 4, 1, "abce"),
			 -DER_TX_RESTART);
	assert_int_equal(vt_update_array(c.coh, oid, 30, "d", "arr", 2, 4, 1, "wxyz"),
			 -DER_TX_RESTART);
	vt_teardown(&c);
}

static void
test_multi_iod_atomic(void **state)
{
	struct vt_ctx c;
	daos_unit_oid_t oid = vt_oid(8, DAOS_OT_MULTI_HASHED);
	daos_key_t dk;
	daos_iod_t iods[3] = {0};
	d_iov_t iovs[3];
	d_sg_list_t sgls[3];
	char buf[16];
	size_t size;
	int i;

	vt_setup(&c);
	assert_int_equal(vt_update_sv(c.coh, oid, 5, 0, "d", "a2", "old", 3), 0);
	d_iov_set(&dk, "d", 1);
	for (i = 0; i < 3; i++) {
		static const char *names[] = {"a0", "a1", "a2"};

		d_iov_set(&iods[i].iod_name, (void *)names[i], 2);
		iods[i].iod_type = DAOS_IOD_SINGLE;
		iods[i].iod_nr = 1;
		iods[i].iod_size = 3;
		d_iov_set(&iovs[i], "new", 3);
		sgls[i].sg_nr = 1;
		sgls[i].sg_iovs = &iovs[i];
	}
	/* a2 insert fails: nothing of the update may remain */
	iods[2].iod_flags = DAOS_COND_AKEY_INSERT;
	assert_int_equal(
		vos_obj_update(c.coh, oid, 10, 0, DAOS_COND_PER_AKEY, &dk, 3, iods, NULL, sgls),
		-DER_EXIST);
	assert_int_equal(vt_fetch_sv(c.coh, oid, 10, 0, "d", "a0", buf, 16, &size), 0);
	assert_int_equal(size, 0);
	iods[2].iod_flags = 0;
	assert_int_equal(
		vos_obj_update(c.coh, oid, 10, 0, DAOS_COND_PER_AKEY, &dk, 3, iods, NULL, sgls), 0);
	for (i = 0; i < 3; i++) {
		char name[3] = {'a', (char)('0' + i), 0};

		assert_int_equal(vt_fetch_sv(c.coh, oid, 10, 0, "d", name, buf, 16, &size), 0);
		assert_int_equal(size, 3);
		assert_memory_equal(buf, "new", 3);
	}
	vt_teardown(&c);
}

static void
test_nospace(void **state)
{
	struct vt_ctx c;
	daos_unit_oid_t oid = vt_oid(9, DAOS_OT_MULTI_HASHED);
	vos_pool_info_t p0, p1;
	char *big = calloc(1, 1 << 20);
	char buf[16], key[32];
	size_t size;
	int i, rc = 0;

	/* 4 MiB blob: the fifth 1 MiB value cannot fit */
	vt_setup_ex(&c, 16 << 20, 4 << 20, 4096);
	for (i = 0; i < 8; i++) {
		snprintf(key, sizeof(key), "k%d", i);
		assert_int_equal(vos_pool_query(c.poh, &p0), 0);
		rc = vt_update_sv(c.coh, oid, 10 + i, 0, key, "a", big, 1 << 20);
		if (rc != 0)
			break;
	}
	assert_int_equal(rc, -DER_NOSPACE);
	assert_int_equal(vos_pool_query(c.poh, &p1), 0);
	assert_int_equal(NVME_FREE(&p0.pif_space), NVME_FREE(&p1.pif_space));
	assert_int_equal(vt_fetch_sv(c.coh, oid, 100, 0, key, "a", buf, 16, &size), 0);
	assert_int_equal(size, 0);

	/* space held back for GC: plain updates fail early, critical ones may use it */
	{
		daos_size_t sys[DAOS_MEDIA_MAX] = {[DAOS_MEDIA_SCM] = 1ULL << 40};

		assert_int_equal(vos_pool_space_sys_set(c.poh, sys), 0);
		assert_int_equal(vt_update_sv(c.coh, oid, 50, 0, "sys", "a", "x", 1), -DER_NOSPACE);
		assert_int_equal(vt_update_sv(c.coh, oid, 50, VOS_OF_CRIT, "sys", "a", "x", 1), 0);
		sys[DAOS_MEDIA_SCM] = 0;
		assert_int_equal(vos_pool_space_sys_set(c.poh, sys), 0);
	}
	/* heap exhaustion: small values until the heap is full, then nothing half done */
	for (i = 0; i < 1000000; i++) {
		snprintf(key, sizeof(key), "s%d", i);
		rc = vt_update_sv(c.coh, oid, 100, 0, key, "a", big, 3000);
		if (rc != 0)
			break;
	}
	assert_int_equal(rc, -DER_NOSPACE);
	assert_int_equal(vt_fetch_sv(c.coh, oid, 100, 0, key, "a", buf, 16, &size), 0);
	assert_int_equal(size, 0);
	snprintf(key, sizeof(key), "s%d", i - 1);
	assert_int_equal(vt_fetch_sv(c.coh, oid, 100, 0, key, "a", big, 3000, &size), 0);
	assert_int_equal(size, 3000);
	vt_teardown(&c);
	free(big);
}

static void
test_no_blob(void **state)
{
	struct vt_ctx c;
	daos_unit_oid_t oid = vt_oid(10, DAOS_OT_MULTI_HASHED);
	size_t len = 200000, size;
	char *a = malloc(len), *b = malloc(len);
	vos_pool_info_t pi;
	daos_key_t dk;
	daos_iod_t iod = {0};
	d_sg_list_t sgl = {.sg_nr = 1};
	d_iov_t iov;
	int i;

	for (i = 0; i < (int)len; i++)
		a[i] = (char)(i * 5 + 1);
	/* no blob: every value lives in the heap, whatever its size */
	vt_setup_ex(&c, 32 << 20, 0, 4096);
	assert_int_equal(vos_pool_query(c.poh, &pi), 0);
	assert_int_equal(NVME_TOTAL(&pi.pif_space), 0);
	assert_int_equal(vt_update_sv(c.coh, oid, 1, 0, "d", "big", a, len), 0);
	assert_int_equal(vt_update_array(c.coh, oid, 1, "d", "arr", 0, len, 1, a), 0);
	memset(b, 0, len);
	assert_int_equal(vt_fetch_sv(c.coh, oid, 2, 0, "d", "big", b, len, &size), 0);
	assert_int_equal(size, len);
	assert_memory_equal(a, b, len);
	memset(b, 0, len);
	assert_int_equal(vt_fetch_array(c.coh, oid, 2, "d", "arr", 0, len, b, len, &size, NULL), 0);
	assert_memory_equal(a, b, len);
	/* size-only fetch copies nothing */
	d_iov_set(&dk, "d", 1);
	d_iov_set(&iod.iod_name, "big", 3);
	iod.iod_type = DAOS_IOD_SINGLE;
	iod.iod_nr = 1;
	memset(b, 0, 16);
	d_iov_set(&iov, b, 16);
	sgl.sg_iovs = &iov;
	assert_int_equal(vos_obj_fetch(c.coh, oid, 2, VOS_OF_FETCH_SIZE_ONLY, &dk, 1, &iod, &sgl),
			 0);
	assert_int_equal(iod.iod_size, len);
	assert_int_equal(b[0], 0);
	vt_close(&c);
	vt_open(&c);
	memset(b, 0, len);
	assert_int_equal(vt_fetch_sv(c.coh, oid, 2, 0, "d", "big", b, len, &size), 0);
	assert_memory_equal(a, b, len);
	/* punched and aggregated away: every heap block of it comes back */
	{
		daos_epoch_range_t epr = {0, 20};
		vos_pool_info_t p1;

		assert_int_equal(vt_punch(c.coh, oid, 10, 0, NULL, NULL), 0);
		assert_int_equal(vos_aggregate(c.coh, &epr, NULL, NULL, 0), 0);
		while (vos_gc_pool(c.poh, 64, NULL, NULL) == 1)
			;
		assert_int_equal(vos_pool_query(c.poh, &p1), 0);
		/* (free bytes may differ by slab headers: count the blocks) */
		assert_int_equal(p1.pif_heap_allocs, pi.pif_heap_allocs);
	}
	vt_teardown(&c);
	free(a);
	free(b);
}

static void
test_faults(void **state)
{
	struct vt_ctx c;
	daos_unit_oid_t oid = vt_oid(11, DAOS_OT_MULTI_HASHED);
	char *big = malloc(64 << 10), buf[16];
	vos_pool_info_t p0, p1;
	size_t size;
	int rc;

	memset(big, 'f', 64 << 10);
	vt_setup(&c);
	assert_int_equal(vt_update_sv(c.coh, oid, 5, 0, "d", "a", big, 64 << 10), 0);
	assert_int_equal(vos_pool_query(c.poh, &p0), 0);

	/* the blob write hits ENOSPC: the update fails, the reservation is given back */
	assert_int_equal(bio_fault_inject_set(BIO_FI_WRITE, ENOSPC, 1), 0);
	rc = vt_update_sv(c.coh, oid, 10, 0, "d", "b", big, 64 << 10);
	bio_fault_inject_set(0, 0, 0);
	assert_int_equal(rc, -DER_NOSPACE);
	assert_int_equal(vos_pool_query(c.poh, &p1), 0);
	assert_int_equal(NVME_FREE(&p1.pif_space), NVME_FREE(&p0.pif_space));
	assert_int_equal(vt_fetch_sv(c.coh, oid, 10, 0, "d", "b", buf, 16, &size), 0);
	assert_int_equal(size, 0);
	assert_int_equal(vt_update_sv(c.coh, oid, 10, 0, "d", "b", big, 64 << 10), 0);
	assert_int_equal(vos_pool_query(c.poh, &p0), 0);

	/* the WAL write fails at commit (sync every): the update fails, the heap refuses more
	 * until reopened, and the reopen shows nothing of it and no leaked blob space */
	vt_close(&c);
	{
		struct vos_pool_attr attr = {.vpa_sync_ms = -1};

		assert_int_equal(vos_pool_open_ex(c.path, c.pool_id, 0, &attr, &c.poh), 0);
		assert_int_equal(vos_cont_open(c.poh, c.cont_id, &c.coh), 0);
	}
	assert_int_equal(umem_fault_inject_set(UMEM_FI_WAL_WRITE | UMEM_FI_WAL_SYNC, EIO, 1), 0);
	rc = vt_update_sv(c.coh, oid, 20, 0, "d", "c", big, 64 << 10);
	umem_fault_inject_set(0, 0, 0);
	assert_int_not_equal(rc, 0);
	assert_int_not_equal(vt_update_sv(c.coh, oid, 21, 0, "d", "e", "x", 1), 0);
	vt_close(&c);
	vt_open(&c);
	assert_int_equal(vos_pool_query(c.poh, &p1), 0);
	assert_int_equal(vt_fetch_sv(c.coh, oid, 30, 0, "d", "b", big, 64 << 10, &size), 0);
	assert_int_equal(size, 64 << 10);
	assert_int_equal(vt_fetch_sv(c.coh, oid, 30, 0, "d", "e", buf, 16, &size), 0);
	assert_int_equal(size, 0);
	/* whatever the failed commit held is either all there or all gone, with its space */
	assert_int_equal(vt_fetch_sv(c.coh, oid, 30, 0, "d", "c", big, 64 << 10, &size), 0);
	if (size == 0)
		assert_int_equal(NVME_FREE(&p1.pif_space), NVME_FREE(&p0.pif_space));
	else
		assert_int_equal(NVME_FREE(&p1.pif_space) + (64 << 10), NVME_FREE(&p0.pif_space));
	vt_teardown(&c);
	free(big);
}

static void
test_damaged(void **state)
{
	struct vt_ctx c;
	daos_handle_t poh;
	char junk[4096];
	int fd;

	vt_setup(&c);
	vt_close(&c);
	assert_int_equal(vos_pool_open("/nonexistent/vos-0", c.pool_id, 0, &poh), -DER_NONEXIST);
	/* overwrite the heap's first page */
	memset(junk, 0xa5, sizeof(junk));
	fd = open(c.path, O_WRONLY);
	assert_true(fd >= 0);
	assert_int_equal(pwrite(fd, junk, sizeof(junk), 0), sizeof(junk));
	close(fd);
	{
		int rc = vos_pool_open(c.path, c.pool_id, 0, &poh);

		assert_true(rc == -DER_DF_INVAL || rc == -DER_CSUM);
	}
	assert_int_equal(vos_pool_destroy(c.path, c.pool_id), 0);
	/* a file that is no heap at all */
	fd = open(c.path, O_CREAT | O_WRONLY, 0600);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, junk, sizeof(junk)), sizeof(junk));
	close(fd);
	{
		int rc = vos_pool_open(c.path, c.pool_id, 0, &poh);

		assert_true(rc == -DER_DF_INVAL || rc == -DER_CSUM || rc == -DER_NONEXIST);
	}
	unlink(c.path);
	assert_int_equal(rmdir(c.dir), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pool_cont),
		cmocka_unit_test(test_sv_visibility),
		cmocka_unit_test(test_sv_blob),
		cmocka_unit_test(test_zero_copy),
		cmocka_unit_test(test_array),
		cmocka_unit_test(test_array_blob_records),
		cmocka_unit_test(test_conditional),
		cmocka_unit_test(test_conflict),
		cmocka_unit_test(test_multi_iod_atomic),
		cmocka_unit_test(test_nospace),
		cmocka_unit_test(test_no_blob),
		cmocka_unit_test(test_faults),
		cmocka_unit_test(test_damaged),
	};

	return cmocka_run_group_tests_name("vos_io", tests, NULL, NULL);
}
