/**
 * VOS: aggregation of array extents whose data is in the blob or carries checksums. Every
 * test reads the arrays at every snapshot and at and above the aggregated epoch before
 * aggregating and compares byte for byte after; blob space and extent counts must drop.
 */
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <time.h>
#include <sys/wait.h>
#include <daos/mem.h>
#include <daos_srv/ult.h>
#include "vos_test.h"

/* vos_agg.h (library internal): called between a merge's blob I/O and its transaction */
typedef void (*vos_agg_blob_hook_t)(void *arg);
void vos_agg_blob_hook_set(vos_agg_blob_hook_t hook, void *arg);

#define ARR_LEN (256 << 10) /* records of 1 byte addressed by the tests */

static uint64_t rng = 0x2545f4914f6cdd1dULL;

static uint32_t
rnd(uint32_t n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)(rng >> 33) % n;
}

static void
fill(char *buf, size_t len, uint64_t seed)
{
	size_t i;

	for (i = 0; i < len; i++)
		buf[i] = (char)((seed * 131 + i * 7 + (i >> 9)) ^ (seed >> 3));
}

struct wext {
	uint64_t lo, hi;
	bool hole;
	uint64_t e;
};

static int
wext_cmp(const void *a, const void *b)
{
	const struct wext *x = a, *y = b;

	return x->lo < y->lo ? -1 : x->lo > y->lo;
}

/*
 * After a merge, the data extents with epochs in [lo, hi] (above the last snapshot) are maximal
 * runs: none overlap or touch another. (A hole under data may stay: cutting it in two gains
 * nothing.) Returns the number of extents in the window.
 */
static int
check_window(daos_handle_t coh, daos_unit_oid_t oid, const char *akey, daos_epoch_t lo,
	     daos_epoch_t hi)
{
	vos_iter_param_t param = {0};
	vos_iter_entry_t ent;
	struct wext w[512];
	daos_handle_t ih;
	int nr = 0, total = 0, i, rc;

	param.ip_hdl = coh;
	param.ip_oid = oid;
	d_iov_set(&param.ip_dkey, "d", 1);
	d_iov_set(&param.ip_akey, (void *)akey, strlen(akey));
	param.ip_epr.epr_hi = DAOS_EPOCH_MAX;
	assert_int_equal(vos_iter_prepare(VOS_ITER_RECX, &param, &ih, NULL), 0);
	for (rc = vos_iter_probe(ih, NULL); rc == 0; rc = vos_iter_next(ih, NULL)) {
		assert_int_equal(vos_iter_fetch(ih, &ent, NULL), 0);
		if (ent.ie_epoch < lo || ent.ie_epoch > hi)
			continue;
		total++;
		if (ent.ie_rsize == 0)
			continue;
		assert_true(nr < (int)ARRAY_SIZE(w));
		w[nr].lo = ent.ie_orig_recx.rx_idx;
		w[nr].hi = ent.ie_orig_recx.rx_idx + ent.ie_orig_recx.rx_nr - 1;
		w[nr].hole = ent.ie_rsize == 0;
		w[nr].e = ent.ie_epoch;
		nr++;
	}
	assert_int_equal(rc, -DER_NONEXIST);
	vos_iter_finish(ih);
	qsort(w, nr, sizeof(w[0]), wext_cmp);
	for (i = 1; i < nr; i++) {
		struct wext *a = &w[i - 1], *b = &w[i];

		if (a->hi + 1 < b->lo || a->hole || b->hole)
			continue;
		fail_msg("%s: data extents [%lu, %lu]@%lu and [%lu, %lu]@%lu in [%lu, %lu] %s",
			 akey, (unsigned long)a->lo, (unsigned long)a->hi, (unsigned long)a->e,
			 (unsigned long)b->lo, (unsigned long)b->hi, (unsigned long)b->e,
			 (unsigned long)lo, (unsigned long)hi,
			 a->hi >= b->lo ? "overlap" : "are not joined");
	}
	return total;
}

static uint64_t
blob_free(struct vt_ctx *c)
{
	vos_pool_info_t pi;

	assert_int_equal(vos_pool_query(c->poh, &pi), 0);
	return NVME_FREE(&pi.pif_space);
}

/* Reads of [0, len) records of rsize bytes at a set of epochs, taken before aggregation. */
struct snapshot_reads {
	int nr;
	daos_epoch_t e[16];
	char *buf[16];
	size_t size[16];
};

static void
reads_take(struct vt_ctx *c, daos_unit_oid_t oid, const char *akey, uint64_t len, uint32_t rsize,
	   struct snapshot_reads *r, const daos_epoch_t *epochs, int nr)
{
	int i;

	r->nr = nr;
	for (i = 0; i < nr; i++) {
		r->e[i] = epochs[i];
		r->buf[i] = malloc(len * rsize);
		assert_non_null(r->buf[i]);
		memset(r->buf[i], 0x77, len * rsize);
		assert_int_equal(vt_fetch_array(c->coh, oid, epochs[i], "d", akey, 0, len,
						r->buf[i], len * rsize, &r->size[i], NULL),
				 0);
	}
}

static void
reads_check(struct vt_ctx *c, daos_unit_oid_t oid, const char *akey, uint64_t len, uint32_t rsize,
	    struct snapshot_reads *r)
{
	char *buf = malloc(len * rsize);
	size_t size;
	int i;

	assert_non_null(buf);
	for (i = 0; i < r->nr; i++) {
		memset(buf, 0x77, len * rsize);
		assert_int_equal(vt_fetch_array(c->coh, oid, r->e[i], "d", akey, 0, len, buf,
						len * rsize, &size, NULL),
				 0);
		assert_int_equal(size, r->size[i]);
		if (memcmp(buf, r->buf[i], len * rsize) != 0) {
			uint64_t k;

			for (k = 0; k < len * rsize && buf[k] == r->buf[i][k]; k++)
				;
			fail_msg("%s: epoch %lu differs at byte %lu", akey, (unsigned long)r->e[i],
				 (unsigned long)k);
		}
	}
	free(buf);
}

static void
reads_free(struct snapshot_reads *r)
{
	int i;

	for (i = 0; i < r->nr; i++)
		free(r->buf[i]);
	r->nr = 0;
}

/* Overlapping 4..32 KiB blob extents at many epochs, two snapshots, writes above hi. */
static void
test_aggb_overlap(void **state)
{
	struct vt_ctx c;
	daos_unit_oid_t oid = vt_oid(1, DAOS_OT_MULTI_HASHED);
	daos_epoch_range_t epr = {0, 300};
	daos_epoch_t epochs[] = {105, 205, 300, 301, 350, 1000};
	struct snapshot_reads r;
	char *data = malloc(32 << 10);
	uint64_t free0, free1;
	int e, n0, n1, n2;

	vt_setup_ex(&c, 64 << 20, 128 << 20, 512);
	for (e = 10; e <= 400; e += 10) {
		uint64_t len = (4 << 10) + rnd(28 << 10), idx = rnd(ARR_LEN - len);

		/* half of them land in the first 64 KiB: deep overlaps */
		if (e % 20 == 0)
			idx = rnd(64 << 10);
		fill(data, len, e);
		assert_int_equal(vt_update_array(c.coh, oid, e, "d", "a", idx, len, 1, data), 0);
	}
	assert_int_equal(vos_cont_snap_add(c.coh, 105), 0);
	assert_int_equal(vos_cont_snap_add(c.coh, 205), 0);
	reads_take(&c, oid, "a", ARR_LEN, 1, &r, epochs, ARRAY_SIZE(epochs));
	n0 = vt_count_extents(c.coh, oid, "d", "a");
	free0 = blob_free(&c);

	assert_int_equal(vos_aggregate(c.coh, &epr, NULL, NULL, 0), 0);
	reads_check(&c, oid, "a", ARR_LEN, 1, &r);
	n1 = vt_count_extents(c.coh, oid, "d", "a");
	free1 = blob_free(&c);
	print_message("extents %d -> %d, blob free %lu -> %lu KiB\n", n0, n1,
		      (unsigned long)free0 >> 10, (unsigned long)free1 >> 10);
	assert_true(n1 < n0);
	assert_true(free1 > free0);
	assert_true(check_window(c.coh, oid, "a", 206, 300) > 0);

	/* converged: a second pass changes nothing */
	assert_int_equal(vos_aggregate(c.coh, &epr, NULL, NULL, 0), 0);
	n2 = vt_count_extents(c.coh, oid, "d", "a");
	assert_int_equal(n2, n1);
	assert_int_equal(blob_free(&c), free1);
	reads_check(&c, oid, "a", ARR_LEN, 1, &r);

	/* after a restart too */
	vt_close(&c);
	vt_open(&c);
	reads_check(&c, oid, "a", ARR_LEN, 1, &r);

	/* dropping the snapshots lets everything below 300 become one layer */
	assert_int_equal(vos_cont_snap_del(c.coh, 105), 0);
	assert_int_equal(vos_cont_snap_del(c.coh, 205), 0);
	assert_int_equal(vos_aggregate(c.coh, &epr, NULL, NULL, 0), 0);
	r.e[0] = r.e[1] = 300; /* the snapshots' reads are not kept any more */
	memcpy(r.buf[0], r.buf[2], ARR_LEN);
	memcpy(r.buf[1], r.buf[2], ARR_LEN);
	r.size[0] = r.size[1] = r.size[2];
	reads_check(&c, oid, "a", ARR_LEN, 1, &r);
	assert_true(vt_count_extents(c.coh, oid, "d", "a") < n1);
	assert_true(blob_free(&c) > free1);
	reads_free(&r);
	vt_teardown(&c);
	free(data);
}

/*
 * Random rounds over a mix of inline extents, blob extents and punched ranges (8-byte
 * records), snapshots now and then, aggregation to a recent epoch after each round.
 */
static void
test_aggb_mixed(void **state)
{
	struct vt_ctx c;
	daos_unit_oid_t oid = vt_oid(2, DAOS_OT_MULTI_HASHED);
	const uint64_t len = 2048; /* records */
	daos_epoch_t snaps[8];
	char *data = malloc(len * 8);
	uint64_t free_before = 0;
	int round, i, nsnaps = 0;
	daos_epoch_t e = 0;

	vt_setup_ex(&c, 64 << 20, 128 << 20, 256);
	for (round = 0; round < 8; round++) {
		struct snapshot_reads r;
		daos_epoch_t epochs[16], hi;
		daos_epoch_range_t epr;
		int nr = 0, n0, n1;

		for (i = 0; i < 24; i++) {
			uint32_t kind = rnd(10);
			uint64_t nrec = kind < 3 ? 1 + rnd(24) : 32 + rnd(400);
			uint64_t idx = rnd(len - nrec);

			e += 2;
			fill(data, nrec * 8, e);
			/* 30%: small (inline), 20%: punched ranges, the rest in the blob */
			assert_int_equal(vt_update_array(c.coh, oid, e, "d", "m", idx, nrec, 8,
							 kind >= 8 ? NULL : data),
					 0);
			if (rnd(12) == 0 && nsnaps < (int)ARRAY_SIZE(snaps)) {
				snaps[nsnaps++] = e;
				assert_int_equal(vos_cont_snap_add(c.coh, e), 0);
			}
		}
		hi = e - 2 * rnd(8);
		for (i = 0; i < nsnaps; i++)
			epochs[nr++] = snaps[i];
		epochs[nr++] = hi;
		epochs[nr++] = hi + 1;
		epochs[nr++] = e;
		reads_take(&c, oid, "m", len, 8, &r, epochs, nr);
		n0 = vt_count_extents(c.coh, oid, "d", "m");
		free_before = blob_free(&c);
		epr.epr_lo = 0;
		epr.epr_hi = hi;
		assert_int_equal(vos_aggregate(c.coh, &epr, NULL, NULL, 0), 0);
		reads_check(&c, oid, "m", len, 8, &r);
		n1 = vt_count_extents(c.coh, oid, "d", "m");
		for (i = nsnaps; i > 0 && snaps[i - 1] >= hi; i--)
			;
		check_window(c.coh, oid, "m", i > 0 ? snaps[i - 1] + 1 : 1, hi);
		print_message(
			"round %d: hi %lu, %d snapshots, extents %d -> %d, blob free +%ld KiB\n",
			round, (unsigned long)hi, nsnaps, n0, n1,
			(long)(blob_free(&c) - free_before) / 1024);
		assert_true(n1 <= n0);
		assert_true(blob_free(&c) >= free_before);
		reads_free(&r);
		e += 2;
	}
	vt_teardown(&c);
	free(data);
}

static void
corrupt_blob(struct vt_ctx *c, daos_unit_oid_t oid, const char *dkey, const char *akey,
	     daos_epoch_t epoch)
{
	vos_iter_param_t param = {0};
	vos_iter_entry_t ent;
	daos_handle_t ih;
	char path[160], b;
	int fd, rc;
	bool done = false;

	param.ip_hdl = c->coh;
	param.ip_oid = oid;
	d_iov_set(&param.ip_dkey, (void *)dkey, strlen(dkey));
	d_iov_set(&param.ip_akey, (void *)akey, strlen(akey));
	param.ip_epr.epr_hi = DAOS_EPOCH_MAX;
	assert_int_equal(vos_iter_prepare(VOS_ITER_RECX, &param, &ih, NULL), 0);
	for (rc = vos_iter_probe(ih, NULL); rc == 0 && !done; rc = vos_iter_next(ih, NULL)) {
		assert_int_equal(vos_iter_fetch(ih, &ent, NULL), 0);
		if (ent.ie_epoch != epoch)
			continue;
		assert_int_equal(ent.ie_biov.bi_addr.ba_type, DAOS_MEDIA_NVME);
		snprintf(path, sizeof(path), "%s.blob", c->path);
		fd = open(path, O_RDWR);
		assert_true(fd >= 0);
		assert_int_equal(pread(fd, &b, 1, ent.ie_biov.bi_addr.ba_off + 10), 1);
		b ^= 0x5a;
		assert_int_equal(pwrite(fd, &b, 1, ent.ie_biov.bi_addr.ba_off + 10), 1);
		close(fd);
		done = true;
	}
	vos_iter_finish(ih);
	assert_true(done);
}

/* Checksummed extents (inline and blob) are merged with new checksums that fetch verifies. */
static void
test_aggb_csum(void **state)
{
	struct vt_ctx c;
	daos_unit_oid_t oid = vt_oid(3, DAOS_OT_MULTI_HASHED);
	uint16_t types[] = {CSUM_TYPE_ISAL_CRC32_ISCSI, CSUM_TYPE_ISAL_CRC64_REFL};
	daos_epoch_t epochs[] = {25, 60, 61, 100};
	daos_epoch_range_t epr;
	char *data = malloc(40000), *buf = malloc(40000);
	char akey[8];
	size_t size;
	int t, e;

	vt_setup_ex(&c, 64 << 20, 64 << 20, 1024);
	for (t = 0; t < 2; t++) {
		struct snapshot_reads r;
		daos_epoch_t base = t * 100;
		uint64_t free0;
		int n0, n1, k;

		snprintf(akey, sizeof(akey), "c%d", t);
		/* chunk of 1000 bytes: not a multiple of the record size or of the block */
		assert_int_equal(vos_cont_csum_set(c.coh, types[t], 1000), 0);
		/* 4-byte records, 200 B (inline) or 4..16 KB (blob) */
		for (e = 10; e <= 80; e += 10) {
			uint64_t nrec = e % 30 == 0 ? 50 : 1000 + rnd(3000), idx = rnd(1000);

			fill(data, nrec * 4, e + t);
			assert_int_equal(vt_update_array(c.coh, oid, base + e, "d", akey, idx, nrec,
							 4, data),
					 0);
		}
		assert_int_equal(vos_cont_snap_add(c.coh, base + 25), 0);
		for (k = 0; k < 4; k++)
			epochs[k] = base + (k == 0 ? 25 : k == 1 ? 60 : k == 2 ? 61 : 100);
		epr.epr_lo = 0;
		epr.epr_hi = base + 60;
		reads_take(&c, oid, akey, 5000, 4, &r, epochs, ARRAY_SIZE(epochs));
		n0 = vt_count_extents(c.coh, oid, "d", akey);
		free0 = blob_free(&c);
		assert_int_equal(vos_aggregate(c.coh, &epr, NULL, NULL, 0), 0);
		n1 = vt_count_extents(c.coh, oid, "d", akey);
		print_message("csum type %u: extents %d -> %d\n", types[t], n0, n1);
		assert_true(n1 < n0);
		assert_true(blob_free(&c) > free0);
		check_window(c.coh, oid, akey, base + 26, base + 60);
		/* fetch verifies the new checksums */
		reads_check(&c, oid, akey, 5000, 4, &r);
		reads_free(&r);
	}
	/* a corrupt blob extent is never merged (its bad data would get a good checksum) */
	{
		daos_epoch_range_t epr2 = {0, 400};

		fill(data, 8000, 1);
		assert_int_equal(vt_update_array(c.coh, oid, 300, "d", "bad", 0, 2000, 4, data), 0);
		assert_int_equal(vt_update_array(c.coh, oid, 310, "d", "bad", 500, 1000, 4, data),
				 0);
		corrupt_blob(&c, oid, "d", "bad", 300);
		assert_int_equal(vt_fetch_array(c.coh, oid, 400, "d", "bad", 0, 2000, buf, 8000,
						&size, NULL),
				 -DER_CSUM);
		assert_int_equal(vt_count_extents(c.coh, oid, "d", "bad"), 2);
		assert_int_equal(vos_aggregate(c.coh, &epr2, NULL, NULL, 0), 0);
		assert_int_equal(vt_count_extents(c.coh, oid, "d", "bad"), 2);
		assert_int_equal(vt_fetch_array(c.coh, oid, 400, "d", "bad", 0, 2000, buf, 8000,
						&size, NULL),
				 -DER_CSUM);
		/* the clean part still reads */
		assert_int_equal(vt_fetch_array(c.coh, oid, 400, "d", "bad", 500, 1000, buf, 4000,
						&size, NULL),
				 0);
		assert_memory_equal(buf, data, 4000);
	}
	vt_teardown(&c);
	free(data);
	free(buf);
}

/* A pool without a blob: checksummed inline extents are merged too (runs stay inline). */
static void
test_aggb_csum_noblob(void **state)
{
	struct vt_ctx c;
	daos_unit_oid_t oid = vt_oid(6, DAOS_OT_MULTI_HASHED);
	daos_epoch_t epochs[] = {40, 41, 100};
	daos_epoch_range_t epr = {0, 40};
	struct snapshot_reads r;
	char data[3000];
	int e, n0;

	vt_setup_ex(&c, 64 << 20, 0, 4096);
	assert_int_equal(vos_cont_csum_set(c.coh, CSUM_TYPE_ISAL_CRC32_ISCSI, 256), 0);
	for (e = 1; e <= 30; e++) {
		uint64_t nrec = 100 + rnd(600), idx = rnd(2000);

		fill(data, nrec * 2, e);
		assert_int_equal(vt_update_array(c.coh, oid, e, "d", "n", idx, nrec, 2, data), 0);
	}
	reads_take(&c, oid, "n", 2700, 2, &r, epochs, ARRAY_SIZE(epochs));
	n0 = vt_count_extents(c.coh, oid, "d", "n");
	assert_int_equal(vos_aggregate(c.coh, &epr, NULL, NULL, 0), 0);
	print_message("no blob: extents %d -> %d\n", n0, vt_count_extents(c.coh, oid, "d", "n"));
	assert_true(vt_count_extents(c.coh, oid, "d", "n") < n0);
	check_window(c.coh, oid, "n", 1, 40);
	reads_check(&c, oid, "n", 2700, 2, &r);
	reads_free(&r);
	vt_teardown(&c);
}

/* What the hook does between the merge's reads/writes and its transaction. */
struct hook_arg {
	struct vt_ctx *c;
	daos_unit_oid_t oid;
	daos_epoch_t epoch;
	int what; /* 0 update, 1 akey punch */
	int calls;
	char data[8192];
};

static void
hook_fn(void *arg)
{
	struct hook_arg *h = arg;

	h->calls++;
	if (h->calls > 1)
		return;
	if (h->what == 0)
		assert_int_equal(vt_update_array(h->c->coh, h->oid, h->epoch, "d", "h", 1000, 2048,
						 1, h->data),
				 0);
	else
		assert_int_equal(vt_punch(h->c->coh, h->oid, h->epoch, 0, "d", "h"), 0);
}

/* An update or punch between the merge's reads and its transaction: nothing may be lost. */
static void
test_aggb_concurrent(void **state)
{
	struct vt_ctx c;
	daos_unit_oid_t oid = vt_oid(4, DAOS_OT_MULTI_HASHED);
	struct hook_arg *h = calloc(1, sizeof(*h));
	char *data = malloc(16384), *buf = malloc(16384), *exp = malloc(16384);
	daos_epoch_range_t epr = {0, 40};
	int what, n0;
	size_t size;

	vt_setup_ex(&c, 64 << 20, 64 << 20, 512);
	h->c = &c;
	h->oid = oid;
	fill(h->data, sizeof(h->data), 99);
	/* 0: update inside the window (merge must skip), 1: above hi (merge goes on), 2: punch */
	for (what = 0; what < 3; what++) {
		daos_epoch_t base = what * 100;

		fill(data, 16384, base + 1);
		assert_int_equal(
			vt_update_array(c.coh, oid, base + 10, "d", "h", 0, 12000, 1, data), 0);
		fill(data, 16384, base + 2);
		assert_int_equal(
			vt_update_array(c.coh, oid, base + 20, "d", "h", 3000, 6000, 1, data), 0);
		fill(data, 16384, base + 3);
		assert_int_equal(
			vt_update_array(c.coh, oid, base + 30, "d", "h", 5000, 9000, 1, data), 0);
		epr.epr_hi = base + 40;
		h->what = what == 2 ? 1 : 0;
		h->epoch = what == 1 ? base + 50 : base + 35;
		h->calls = 0;
		n0 = vt_count_extents(c.coh, oid, "d", "h");
		/* expected at hi: the three writes, then the hook's update or punch */
		assert_int_equal(vt_fetch_array(c.coh, oid, base + 40, "d", "h", 0, 14000, exp,
						14000, &size, NULL),
				 0);
		if (what == 0)
			memcpy(exp + 1000, h->data, 2048);
		if (what == 2)
			memset(exp, 0, 14000);
		vos_agg_blob_hook_set(hook_fn, h);
		assert_int_equal(vos_aggregate(c.coh, &epr, NULL, NULL, 0), 0);
		vos_agg_blob_hook_set(NULL, NULL);
		assert_int_equal(h->calls, 1);
		memset(buf, 0x77, 14000);
		assert_int_equal(vt_fetch_array(c.coh, oid, base + 40, "d", "h", 0, 14000, buf,
						14000, &size, NULL),
				 0);
		if (what == 2)
			assert_int_equal(size, 0); /* punched at 35: nothing at 40 */
		else
			assert_memory_equal(buf, exp, 14000);
		if (what == 0) {
			/* skipped: the three extents and the new one are all there */
			assert_int_equal(vt_count_extents(c.coh, oid, "d", "h"), n0 + 1);
		} else if (what == 1) {
			/* merged below the new write, which is on top at 50 and later */
			assert_true(vt_count_extents(c.coh, oid, "d", "h") < n0 + 1);
			assert_int_equal(vt_fetch_array(c.coh, oid, base + 60, "d", "h", 0, 14000,
							buf, 14000, &size, NULL),
					 0);
			assert_memory_equal(buf, exp, 1000);
			assert_memory_equal(buf + 1000, h->data, 2048);
			assert_memory_equal(buf + 3048, exp + 3048, 14000 - 3048);
		}
		/* the next call merges what the skipped one left */
		h->calls = 0;
		vos_agg_blob_hook_set(hook_fn, h);
		h->calls = 1; /* do nothing this time */
		assert_int_equal(vos_aggregate(c.coh, &epr, NULL, NULL, 0), 0);
		vos_agg_blob_hook_set(NULL, NULL);
		assert_int_equal(vt_fetch_array(c.coh, oid, base + 40, "d", "h", 0, 14000, buf,
						14000, &size, NULL),
				 0);
		if (what == 2)
			assert_int_equal(size, 0);
		else
			assert_memory_equal(buf, exp, 14000);
		if (what == 0)
			assert_true(vt_count_extents(c.coh, oid, "d", "h") < n0 + 1);
		/* the next round writes above everything */
		assert_int_equal(
			vt_update_array(c.coh, oid, base + 90, "d", "h", 0, 14000, 1, data), 0);
	}
	vt_teardown(&c);
	free(h);
	free(data);
	free(buf);
	free(exp);
}

/* Runs above 1 MiB stay whole; at most 4 MiB are merged per akey and call, the rest next time. */
static void
test_aggb_bounds(void **state)
{
	struct vt_ctx c;
	daos_unit_oid_t oid = vt_oid(5, DAOS_OT_MULTI_HASHED);
	daos_epoch_t epochs[] = {100, 1000};
	const uint64_t run = 900 << 10, gap = 1 << 20;
	daos_epoch_range_t epr = {0, 100};
	struct snapshot_reads r;
	char *data = malloc(2 << 20);
	int i;

	vt_setup_ex(&c, 64 << 20, 128 << 20, 4096);
	fill(data, 2 << 20, 5);
	/* one run of 2 MiB made of two extents: too large, left as it is */
	assert_int_equal(vt_update_array(c.coh, oid, 10, "d", "big", 0, 2 << 20, 1, data), 0);
	assert_int_equal(vt_update_array(c.coh, oid, 20, "d", "big", 100, 100, 1, data + 7), 0);
	/* six runs of 900 KiB, each of two overlapping extents: 5.4 MiB in all */
	for (i = 0; i < 6; i++) {
		assert_int_equal(
			vt_update_array(c.coh, oid, 30 + i, "d", "many", i * gap, run, 1, data + i),
			0);
		assert_int_equal(vt_update_array(c.coh, oid, 40 + i, "d", "many", i * gap + 1000,
						 8192, 1, data + 100 + i),
				 0);
	}
	reads_take(&c, oid, "many", 6 * gap, 1, &r, epochs, 2);
	assert_int_equal(vt_count_extents(c.coh, oid, "d", "many"), 12);
	assert_int_equal(vos_aggregate(c.coh, &epr, NULL, NULL, 0), 0);
	assert_int_equal(vt_count_extents(c.coh, oid, "d", "big"), 2);
	/* four runs (3.6 MiB) merged, two left for the next call */
	assert_int_equal(vt_count_extents(c.coh, oid, "d", "many"), 8);
	reads_check(&c, oid, "many", 6 * gap, 1, &r);
	assert_int_equal(vos_aggregate(c.coh, &epr, NULL, NULL, 0), 0);
	assert_int_equal(vt_count_extents(c.coh, oid, "d", "many"), 6);
	check_window(c.coh, oid, "many", 1, 100);
	reads_check(&c, oid, "many", 6 * gap, 1, &r);
	reads_free(&r);
	reads_take(&c, oid, "big", 2 << 20, 1, &r, epochs, 2);
	reads_check(&c, oid, "big", 2 << 20, 1, &r);
	reads_free(&r);
	vt_teardown(&c);
	free(data);
}

/*
 * Aggregation in a ULT parks on blob reads and writes while writer ULTs of the same xstream
 * update the same akeys (above hi) and create new objects: the walk keeps its place, merges
 * are re-checked in their transactions, and everything reads as written.
 */
#define UL_OBJS    4
#define UL_AKEYS   4
#define UL_WRITERS 4
#define UL_WRITES  20
#define UL_LEN     (128 << 10)

struct ul_write {
	uint32_t obj, akey;
	daos_epoch_t e;
	uint64_t idx, len;
};

struct ul_ctx {
	struct vt_ctx c;
	char *ref[UL_OBJS][UL_AKEYS];
	struct ul_write w[UL_WRITERS * UL_WRITES];
	int nw;
	int agg_rc;
	int writer_rc[UL_WRITERS];
	int setup_rc;
	bool agg_done;
	int writes_during_agg;
};

struct ul_warg {
	struct ul_ctx *u;
	int id;
};

static void
ul_akey(uint32_t a, char *buf)
{
	snprintf(buf, 8, "a%u", a);
}

static void
ul_agg(void *arg)
{
	struct ul_ctx *u = arg;
	daos_epoch_range_t epr = {0, 50};

	u->agg_rc = vos_aggregate(u->c.coh, &epr, NULL, NULL, 0);
	u->agg_done = true;
}

static void
ul_writer(void *arg)
{
	struct ul_warg *wa = arg;
	struct ul_ctx *u = wa->u;
	char *buf = malloc(32 << 10), ak[8];
	int k;

	for (k = 0; k < UL_WRITES && u->writer_rc[wa->id] == 0; k++) {
		/* take the slot before the update parks: the other writers run meanwhile */
		struct ul_write *w = &u->w[u->nw++];
		uint32_t obj = rnd(UL_OBJS + 2); /* objects 4 and 5 are new */

		w->obj = obj;
		w->akey = rnd(UL_AKEYS);
		w->e = 60 + k * UL_WRITERS + wa->id;
		w->len = 4096 + rnd(28 << 10);
		w->idx = rnd(UL_LEN - w->len);
		ul_akey(w->akey, ak);
		fill(buf, w->len, w->e);
		u->writer_rc[wa->id] =
			vt_update_array(u->c.coh, vt_oid(100 + obj, DAOS_OT_MULTI_HASHED), w->e,
					"d", ak, w->idx, w->len, 1, buf);
		if (!u->agg_done)
			u->writes_during_agg++;
		ult_yield();
	}
	free(buf);
}

static void
ul_driver(void *arg)
{
	struct ul_ctx *u = arg;
	struct vos_pool_attr attr = {.vpa_sync_ms = 1000, .vpa_inline_thresh = 4096};
	struct ul_warg wa[UL_WRITERS];
	struct ult *ults[UL_WRITERS + 1];
	char *buf = malloc(32 << 10), ak[8];
	uint32_t o, a;
	daos_epoch_t e = 0;
	int i, k;
	size_t size;

	strcpy(u->c.dir, "/tmp/vos_aggb_ult.XXXXXX");
	u->setup_rc = mkdtemp(u->c.dir) == NULL ? -DER_IO : 0;
	snprintf(u->c.path, sizeof(u->c.path), "%s/vos-0", u->c.dir);
	uuid_generate(u->c.pool_id);
	uuid_generate(u->c.cont_id);
	if (u->setup_rc == 0)
		u->setup_rc = vos_pool_create_ex(u->c.path, u->c.pool_id, 64 << 20, 64 << 20, 0, 0,
						 0, &attr, &u->c.poh);
	if (u->setup_rc == 0)
		u->setup_rc = vos_cont_create(u->c.poh, u->c.cont_id);
	if (u->setup_rc == 0)
		u->setup_rc = vos_cont_open(u->c.poh, u->c.cont_id, &u->c.coh);
	/* 12 overlapping blob extents per akey, epochs 1..48 */
	for (k = 0; k < 12 && u->setup_rc == 0; k++)
		for (o = 0; o < UL_OBJS && u->setup_rc == 0; o++)
			for (a = 0; a < UL_AKEYS && u->setup_rc == 0; a++) {
				uint64_t len = 4096 + rnd(28 << 10), idx = rnd(UL_LEN - len);

				if (k % 4 == 3)
					continue;
				ul_akey(a, ak);
				fill(buf, len, ++e);
				u->setup_rc = vt_update_array(u->c.coh,
							      vt_oid(100 + o, DAOS_OT_MULTI_HASHED),
							      1 + k * 4, "d", ak, idx, len, 1, buf);
			}
	for (o = 0; o < UL_OBJS && u->setup_rc == 0; o++)
		for (a = 0; a < UL_AKEYS && u->setup_rc == 0; a++) {
			ul_akey(a, ak);
			u->ref[o][a] = calloc(1, UL_LEN);
			u->setup_rc = vt_fetch_array(
				u->c.coh, vt_oid(100 + o, DAOS_OT_MULTI_HASHED), 50, "d", ak, 0,
				UL_LEN, u->ref[o][a], UL_LEN, &size, NULL);
		}
	free(buf);
	if (u->setup_rc != 0)
		return;
	u->setup_rc = ult_create(ULT_XS_SELF, ul_agg, u, 256 << 10, &ults[0]);
	for (i = 0; i < UL_WRITERS && u->setup_rc == 0; i++) {
		wa[i] = (struct ul_warg){.u = u, .id = i};
		u->setup_rc = ult_create(ULT_XS_SELF, ul_writer, &wa[i], 64 << 10, &ults[i + 1]);
	}
	for (i = 0; i <= UL_WRITERS; i++)
		ult_join(ults[i]);
	vos_cont_close(u->c.coh);
	vos_pool_close(u->c.poh);
}

static void
test_aggb_ults(void **state)
{
	struct ult_init_attr attr = {.uia_nr_xs = 1};
	struct ul_ctx *u = calloc(1, sizeof(*u));
	char *buf = malloc(UL_LEN), *exp = malloc(UL_LEN), ak[8];
	struct ult *ult;
	uint32_t o, a;
	size_t size;
	int i;

	assert_int_equal(ult_init(&attr), 0);
	umem_set_wait_ops(ult_umem_wait_ops());
	assert_int_equal(ult_create(0, ul_driver, u, 256 << 10, &ult), 0);
	assert_int_equal(ult_join(ult), 0);
	umem_set_wait_ops(NULL);
	assert_int_equal(ult_fini(), 0);
	if (u->setup_rc != 0)
		fail_msg("setup: " DF_RC, DP_RC(u->setup_rc));
	assert_int_equal(u->agg_rc, 0);
	for (i = 0; i < UL_WRITERS; i++)
		assert_int_equal(u->writer_rc[i], 0);
	print_message("%d of %d writes while aggregation ran\n", u->writes_during_agg, u->nw);
	assert_true(u->writes_during_agg > 0);

	vt_open(&u->c);
	for (o = 0; o < UL_OBJS + 2; o++) {
		for (a = 0; a < UL_AKEYS; a++) {
			ul_akey(a, ak);
			if (o < UL_OBJS) {
				/* epoch 50 as before; merged into maximal runs */
				assert_int_equal(
					vt_fetch_array(
						u->c.coh, vt_oid(100 + o, DAOS_OT_MULTI_HASHED), 50,
						"d", ak, 0, UL_LEN, buf, UL_LEN, &size, NULL),
					0);
				assert_memory_equal(buf, u->ref[o][a], UL_LEN);
				check_window(u->c.coh, vt_oid(100 + o, DAOS_OT_MULTI_HASHED), ak, 1,
					     50);
				memcpy(exp, u->ref[o][a], UL_LEN);
			} else {
				memset(exp, 0, UL_LEN);
			}
			/* the writers' extents on top, in epoch order */
			{
				daos_epoch_t last = 0;

				for (;;) {
					int j, next = -1;

					for (j = 0; j < u->nw; j++)
						if (u->w[j].obj == o && u->w[j].akey == a &&
						    u->w[j].e > last &&
						    (next < 0 || u->w[j].e < u->w[next].e))
							next = j;
					if (next < 0)
						break;
					fill(exp + u->w[next].idx, u->w[next].len, u->w[next].e);
					last = u->w[next].e;
				}
			}
			memset(buf, 0, UL_LEN);
			assert_int_equal(
				vt_fetch_array(u->c.coh, vt_oid(100 + o, DAOS_OT_MULTI_HASHED),
					       1000, "d", ak, 0, UL_LEN, buf, UL_LEN, &size, NULL),
				0);
			if (size == 0)
				memset(buf, 0, UL_LEN);
			assert_memory_equal(buf, exp, UL_LEN);
		}
	}
	for (o = 0; o < UL_OBJS; o++)
		for (a = 0; a < UL_AKEYS; a++)
			free(u->ref[o][a]);
	vt_teardown(&u->c);
	free(u);
	free(buf);
	free(exp);
}

/*
 * Crash during blob merges: a child writes overlapping 8..64 KiB blob extents into one array
 * and aggregates every fifth operation, acknowledging each through a pipe; it is SIGKILLed at
 * a random moment. A checker (another child: the test process holds no pool open itself,
 * so it has no VOS thread a fork could cut) reopens the pool, compares the array at the
 * newest epoch with the model (the one operation in flight may be there or not), aggregates,
 * compares again.
 */
#define CR_LEN   (512 << 10)
#define CR_KILLS 20

struct cr_op {
	bool agg;
	uint64_t idx;
	uint64_t len;
};

static char cr_path[128];
static uuid_t cr_pid, cr_cid;

static void
cr_gen(uint64_t i, struct cr_op *op)
{
	uint64_t r = (i + 1) * 0x9e3779b97f4a7c15ULL;

	r ^= r >> 31;
	r *= 0xbf58476d1ce4e5b9ULL;
	r ^= r >> 29;
	op->agg = i % 5 == 4;
	op->len = (8 << 10) + r % (56 << 10);
	op->idx = (r >> 20) % (CR_LEN - op->len);
}

static void
cr_model_apply(char *m, uint64_t i)
{
	struct cr_op op;

	cr_gen(i, &op);
	if (!op.agg)
		fill(m + op.idx, op.len, i);
}

static int
cr_open(daos_handle_t *poh, daos_handle_t *coh)
{
	struct vos_pool_attr attr = {.vpa_sync_ms = -1};
	int rc;

	rc = vos_pool_open_ex(cr_path, cr_pid, 0, &attr, poh);
	if (rc == 0) {
		rc = vos_cont_open(*poh, cr_cid, coh);
		if (rc != 0)
			vos_pool_close(*poh);
	}
	return rc;
}

static void
cr_worker(int fd, uint64_t next)
{
	daos_unit_oid_t oid = vt_oid(9, DAOS_OT_MULTI_HASHED);
	daos_handle_t poh, coh;
	char *buf = malloc(64 << 10);
	uint64_t i;
	int rc;

	if (buf == NULL || cr_open(&poh, &coh) != 0)
		_exit(3);
	for (i = next; i < next + 100000; i++) {
		struct cr_op op;

		cr_gen(i, &op);
		if (op.agg) {
			daos_epoch_range_t epr = {0, i};

			rc = vos_aggregate(coh, &epr, NULL, NULL, 0);
		} else {
			fill(buf, op.len, i);
			rc = vt_update_array(coh, oid, i + 1, "d", "c", op.idx, op.len, 1, buf);
		}
		if (rc != 0) {
			fprintf(stderr, "crash worker: op %lu: %d\n", (unsigned long)i, rc);
			_exit(4);
		}
		if (write(fd, &i, sizeof(i)) != sizeof(i))
			_exit(5);
	}
	_exit(0);
}

/* Exit 10: the in-flight op is there; 0: it is not; else a failure. */
static void
cr_checker(const char *model, uint64_t next)
{
	daos_unit_oid_t oid = vt_oid(9, DAOS_OT_MULTI_HASHED);
	daos_epoch_range_t epr = {0, next + 1};
	daos_handle_t poh, coh;
	char *buf = malloc(CR_LEN), *with = malloc(CR_LEN);
	int status = 1, pass;
	size_t size;

	if (buf == NULL || with == NULL || cr_open(&poh, &coh) != 0)
		_exit(2);
	memcpy(with, model, CR_LEN);
	cr_model_apply(with, next);
	for (pass = 0; pass < 2; pass++) {
		memset(buf, 0, CR_LEN);
		if (vt_fetch_array(coh, oid, next + 1, "d", "c", 0, CR_LEN, buf, CR_LEN, &size,
				   NULL) != 0)
			_exit(6);
		if (size == 0)
			memset(buf, 0, CR_LEN);
		if (memcmp(buf, model, CR_LEN) == 0)
			status = pass == 0 || status == 0 ? 0 : 7;
		else if (memcmp(buf, with, CR_LEN) == 0)
			status = pass == 0 || status == 10 ? 10 : 7;
		else
			status = 8;
		if (status != 0 && status != 10)
			break;
		/* aggregation goes on after the crash and changes nothing visible */
		if (pass == 0 && vos_aggregate(coh, &epr, NULL, NULL, 0) != 0)
			_exit(9);
	}
	vos_cont_close(coh);
	vos_pool_close(poh);
	_exit(status);
}

static int
cr_wait(pid_t pid)
{
	int st;

	assert_int_equal(waitpid(pid, &st, 0), pid);
	return st;
}

static void
cr_setup_child(void)
{
	struct vos_pool_attr attr = {.vpa_sync_ms = -1, .vpa_inline_thresh = 4096};
	daos_handle_t poh;
	int rc;

	rc = vos_pool_create_ex(cr_path, cr_pid, 32 << 20, 64 << 20, 0, 0, 0, &attr, &poh);
	if (rc == 0) {
		rc = vos_cont_create(poh, cr_cid);
		vos_pool_close(poh);
	}
	_exit(rc == 0 ? 0 : 1);
}

static void
cr_destroy_child(void)
{
	_exit(vos_pool_destroy(cr_path, cr_pid) == 0 ? 0 : 1);
}

static uint64_t
ms_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000ULL + ts.tv_nsec / 1000000;
}

static void
test_aggb_crash(void **state)
{
	char dir[64] = "/tmp/vos_aggb_crash.XXXXXX";
	char *model = calloc(1, CR_LEN);
	uint64_t next = 0, acked_total = 0;
	int kill_nr, applied = 0, st;
	pid_t pid;

	assert_non_null(mkdtemp(dir));
	snprintf(cr_path, sizeof(cr_path), "%s/vos-0", dir);
	uuid_generate(cr_pid);
	uuid_generate(cr_cid);
	/* small logged blob values and large synced ones, as vos_crash */
	setenv("VOS_WAL_DATA_MAX", "16384", 1);
	pid = fork();
	if (pid == 0)
		cr_setup_child();
	st = cr_wait(pid);
	assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);

	for (kill_nr = 0; kill_nr < CR_KILLS; kill_nr++) {
		uint64_t deadline = 0, start = ms_now(), ack;
		int fds[2];

		assert_int_equal(pipe(fds), 0);
		pid = fork();
		if (pid == 0) {
			close(fds[0]);
			cr_worker(fds[1], next);
		}
		close(fds[1]);
		for (;;) {
			struct pollfd pfd = {.fd = fds[0], .events = POLLIN};
			uint64_t t = ms_now();
			int wait = deadline ? (t >= deadline ? 0 : (int)(deadline - t)) : 100;

			if ((deadline && t >= deadline) || t - start > 20000)
				break;
			if (poll(&pfd, 1, wait) <= 0)
				continue;
			if (read(fds[0], &ack, sizeof(ack)) != sizeof(ack))
				break; /* the worker died: caught by its exit status */
			assert_int_equal(ack, next);
			cr_model_apply(model, next);
			next++;
			acked_total++;
			if (deadline == 0)
				deadline = ms_now() + 5 + rnd(150);
		}
		kill(pid, SIGKILL);
		st = cr_wait(pid);
		if (!(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL))
			fail_msg("worker exited by itself (status 0x%x)", st);
		while (read(fds[0], &ack, sizeof(ack)) == sizeof(ack)) {
			assert_int_equal(ack, next);
			cr_model_apply(model, next);
			next++;
			acked_total++;
		}
		close(fds[0]);

		pid = fork();
		if (pid == 0)
			cr_checker(model, next);
		st = cr_wait(pid);
		if (!WIFEXITED(st) || (WEXITSTATUS(st) != 0 && WEXITSTATUS(st) != 10))
			fail_msg("kill %d: check failed, status 0x%x (in-flight op %lu)", kill_nr,
				 st, (unsigned long)next);
		if (WEXITSTATUS(st) == 10) {
			cr_model_apply(model, next);
			applied++;
		}
		next++; /* the in-flight op's index is used up */
	}
	print_message("%d kills, %lu ops acknowledged, %d in-flight ops applied\n", CR_KILLS,
		      (unsigned long)acked_total, applied);
	assert_true(acked_total > CR_KILLS);
	pid = fork();
	if (pid == 0)
		cr_destroy_child();
	st = cr_wait(pid);
	assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	assert_int_equal(rmdir(dir), 0);
	unsetenv("VOS_WAL_DATA_MAX");
	free(model);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_aggb_overlap),     cmocka_unit_test(test_aggb_mixed),
		cmocka_unit_test(test_aggb_csum),        cmocka_unit_test(test_aggb_concurrent),
		cmocka_unit_test(test_aggb_bounds),      cmocka_unit_test(test_aggb_ults),
		cmocka_unit_test(test_aggb_csum_noblob), cmocka_unit_test(test_aggb_crash),
	};

	return cmocka_run_group_tests_name("vos_agg_blob", tests, NULL, NULL);
}
