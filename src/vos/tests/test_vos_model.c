/**
 * VOS against a brute-force model: random single-value and array updates, punches of akeys,
 * dkeys and objects at random (out of order) epochs, then fetches and dkey enumeration at
 * random epochs, checked against what the model computes. Fixed seeds in CI; env
 * VOS_MODEL_SEED=N runs one seed, VOS_MODEL_OPS the number of operations.
 */
#include "vos_test.h"

#define NO   2
#define ND   5 /* several, so that many dkeys hold one akey (no akey tree) for a while */
#define NA   3 /* single-value akeys; index NA is the array akey */
#define NREC 16
#define MAXW 512

struct m_sv {
	uint64_t e;
	uint8_t val;
	uint8_t size;
};

struct m_ext {
	uint64_t e;
	int lo, hi;
	bool hole;
	uint8_t val;
};

struct model {
	struct m_sv sv[NO][ND][NA][MAXW];
	int sv_nr[NO][ND][NA];
	struct m_ext ext[NO][ND][MAXW];
	int ext_nr[NO][ND];
	uint64_t p_obj[NO][MAXW];
	int p_obj_nr[NO];
	uint64_t p_dkey[NO][ND][MAXW];
	int p_dkey_nr[NO][ND];
	uint64_t p_akey[NO][ND][NA + 1][MAXW];
	int p_akey_nr[NO][ND][NA + 1];
	uint64_t lat_obj[NO];
	uint64_t lat_dkey[NO][ND];
	uint64_t lat_akey[NO][ND][NA + 1];
};

static uint64_t
max_le(const uint64_t *p, int nr, uint64_t e, uint64_t b)
{
	int i;

	for (i = 0; i < nr; i++)
		if (p[i] <= e && p[i] > b)
			b = p[i];
	return b;
}

static uint64_t
bound(struct model *m, int o, int d, int a, uint64_t e)
{
	uint64_t b = max_le(m->p_obj[o], m->p_obj_nr[o], e, 0);

	if (d >= 0)
		b = max_le(m->p_dkey[o][d], m->p_dkey_nr[o][d], e, b);
	if (a >= 0)
		b = max_le(m->p_akey[o][d][a], m->p_akey_nr[o][d][a], e, b);
	return b;
}

/* private generator: rand() is shared with libraries (uuid) and would break replay by seed */
static uint64_t rng_state;

static int
rnd(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return (int)(rng_state >> 33);
}

static const char *dkeys[] = {"d0", "d1", "d2", "d3", "d4"};
static const char *akeys[] = {"a0", "a1", "a2", "arr"};

static int
do_sv_update(struct vt_ctx *c, struct model *m, int o, int d, int a, uint64_t e, uint8_t val,
	     uint8_t size)
{
	char buf[8];
	int i, rc, expect = 0;

	for (i = 0; i < m->sv_nr[o][d][a]; i++) {
		struct m_sv *w = &m->sv[o][d][a][i];

		if (w->e == e)
			expect = (w->size == size && (size == 0 || w->val == val))
					 ? 1
					 : -DER_TX_RESTART;
	}
	memset(buf, val, sizeof(buf));
	rc = vt_update_sv(c->coh, vt_oid(o + 1, DAOS_OT_MULTI_HASHED), e, 0, dkeys[d], akeys[a],
			  buf, size);
	if (expect == 1)
		expect = 0;
	else if (expect == 0 && rc == 0 && m->sv_nr[o][d][a] < MAXW) {
		m->sv[o][d][a][m->sv_nr[o][d][a]++] = (struct m_sv){e, val, size};
		m->lat_obj[o] = max(m->lat_obj[o], e);
		m->lat_dkey[o][d] = max(m->lat_dkey[o][d], e);
		m->lat_akey[o][d][a] = max(m->lat_akey[o][d][a], e);
	}
	if (rc != expect)
		fail_msg("sv update o%d %s/%s e=%lu size %u: rc %d expected %d", o, dkeys[d],
			 akeys[a], (unsigned long)e, size, rc, expect);
	return rc;
}

static void
do_ext_update(struct vt_ctx *c, struct model *m, int o, int d, uint64_t e, int lo, int hi,
	      bool hole, uint8_t val)
{
	char buf[NREC];
	int i, rc, expect = 0;

	for (i = 0; i < m->ext_nr[o][d]; i++) {
		struct m_ext *x = &m->ext[o][d][i];

		if (x->e != e || x->hi < lo || x->lo > hi)
			continue;
		if (x->lo == lo && x->hi == hi && x->hole == hole && (hole || x->val == val))
			expect = 1;
		else
			expect = -DER_TX_RESTART;
		break;
	}
	memset(buf, val, sizeof(buf));
	rc = vt_update_array(c->coh, vt_oid(o + 1, DAOS_OT_MULTI_HASHED), e, dkeys[d], "arr", lo,
			     hi - lo + 1, 1, hole ? NULL : buf);
	if (expect == 1)
		expect = 0;
	else if (expect == 0 && rc == 0 && m->ext_nr[o][d] < MAXW) {
		m->ext[o][d][m->ext_nr[o][d]++] = (struct m_ext){e, lo, hi, hole, val};
		m->lat_obj[o] = max(m->lat_obj[o], e);
		m->lat_dkey[o][d] = max(m->lat_dkey[o][d], e);
		m->lat_akey[o][d][NA] = max(m->lat_akey[o][d][NA], e);
	}
	if (rc != expect)
		fail_msg("array update o%d %s [%d,%d] e=%lu hole %d: rc %d expected %d", o,
			 dkeys[d], lo, hi, (unsigned long)e, hole, rc, expect);
}

static void
do_punch(struct vt_ctx *c, struct model *m, int o, int d, int a, uint64_t e)
{
	uint64_t lat = d < 0 ? m->lat_obj[o] : a < 0 ? m->lat_dkey[o][d] : m->lat_akey[o][d][a];
	int expect = lat > e ? -DER_TX_RESTART : 0;
	int rc;

	rc = vt_punch(c->coh, vt_oid(o + 1, DAOS_OT_MULTI_HASHED), e, 0, d < 0 ? NULL : dkeys[d],
		      a < 0 ? NULL : akeys[a]);
	if (rc != expect)
		fail_msg("punch o%d d%d a%d e=%lu: rc %d expected %d", o, d, a, (unsigned long)e,
			 rc, expect);
	if (rc != 0)
		return;
	if (d < 0 && m->p_obj_nr[o] < MAXW)
		m->p_obj[o][m->p_obj_nr[o]++] = e;
	else if (d >= 0 && a < 0 && m->p_dkey_nr[o][d] < MAXW)
		m->p_dkey[o][d][m->p_dkey_nr[o][d]++] = e;
	else if (a >= 0 && m->p_akey_nr[o][d][a] < MAXW)
		m->p_akey[o][d][a][m->p_akey_nr[o][d][a]++] = e;
}

static void
check_sv(struct vt_ctx *c, struct model *m, int o, int d, int a, uint64_t e)
{
	uint64_t b = bound(m, o, d, a, e);
	struct m_sv *top = NULL;
	char buf[16];
	size_t size;
	int i;

	for (i = 0; i < m->sv_nr[o][d][a]; i++) {
		struct m_sv *w = &m->sv[o][d][a][i];

		if (w->e <= e && w->e > b && (top == NULL || w->e > top->e))
			top = w;
	}
	memset(buf, 0, sizeof(buf));
	assert_int_equal(vt_fetch_sv(c->coh, vt_oid(o + 1, DAOS_OT_MULTI_HASHED), e, 0, dkeys[d],
				     akeys[a], buf, sizeof(buf), &size),
			 0);
	if (top == NULL || top->size == 0) {
		if (size != 0)
			fail_msg("fetch o%d %s/%s e=%lu: got %zu bytes, expected none", o, dkeys[d],
				 akeys[a], (unsigned long)e, size);
		return;
	}
	if (size != top->size || (uint8_t)buf[0] != top->val || (uint8_t)buf[size - 1] != top->val)
		fail_msg("fetch o%d %s/%s e=%lu: got %zu x %02x, expected %u x %02x", o, dkeys[d],
			 akeys[a], (unsigned long)e, size, (uint8_t)buf[0], top->size, top->val);
}

static void
check_array(struct vt_ctx *c, struct model *m, int o, int d, uint64_t e)
{
	uint64_t b = bound(m, o, d, NA, e);
	uint8_t exp[NREC] = {0};
	char buf[NREC];
	bool any = false;
	size_t size;
	int i, r;

	for (r = 0; r < NREC; r++) {
		struct m_ext *top = NULL;

		for (i = 0; i < m->ext_nr[o][d]; i++) {
			struct m_ext *x = &m->ext[o][d][i];

			if (x->e <= e && x->e > b && x->lo <= r && x->hi >= r &&
			    (top == NULL || x->e > top->e))
				top = x;
		}
		if (top != NULL && !top->hole) {
			exp[r] = top->val;
			any = true;
		}
	}
	memset(buf, 0x5a, sizeof(buf));
	assert_int_equal(vt_fetch_array(c->coh, vt_oid(o + 1, DAOS_OT_MULTI_HASHED), e, dkeys[d],
					"arr", 0, NREC, buf, NREC, &size, NULL),
			 0);
	if (size != (any ? 1 : 0))
		fail_msg("array o%d %s e=%lu: iod_size %zu expected %d", o, dkeys[d],
			 (unsigned long)e, size, any);
	if (any && memcmp(buf, exp, NREC) != 0) {
		for (r = 0; r < NREC; r++)
			print_message("%02x/%02x ", (uint8_t)buf[r], exp[r]);
		fail_msg("array o%d %s e=%lu: data differs", o, dkeys[d], (unsigned long)e);
	}
}

static void
check_enum(struct vt_ctx *c, struct model *m, int o, uint64_t e)
{
	vos_iter_param_t param = {0};
	vos_iter_entry_t ent;
	daos_handle_t ih;
	bool seen[ND] = {0}, exp[ND] = {0};
	int d, a, i, rc;

	for (d = 0; d < ND; d++) {
		uint64_t b = bound(m, o, d, -1, e);

		for (a = 0; a < NA; a++)
			for (i = 0; i < m->sv_nr[o][d][a]; i++)
				if (m->sv[o][d][a][i].e <= e && m->sv[o][d][a][i].e > b)
					exp[d] = true;
		for (i = 0; i < m->ext_nr[o][d]; i++)
			if (m->ext[o][d][i].e <= e && m->ext[o][d][i].e > b)
				exp[d] = true;
	}
	param.ip_hdl = c->coh;
	param.ip_oid = vt_oid(o + 1, DAOS_OT_MULTI_HASHED);
	param.ip_epr.epr_hi = e;
	assert_int_equal(vos_iter_prepare(VOS_ITER_DKEY, &param, &ih, NULL), 0);
	for (rc = vos_iter_probe(ih, NULL); rc == 0; rc = vos_iter_next(ih, NULL)) {
		assert_int_equal(vos_iter_fetch(ih, &ent, NULL), 0);
		assert_int_equal(ent.ie_key.iov_len, 2);
		d = ((char *)ent.ie_key.iov_buf)[1] - '0';
		assert_true(d >= 0 && d < ND);
		seen[d] = true;
	}
	assert_int_equal(rc, -DER_NONEXIST);
	vos_iter_finish(ih);
	for (d = 0; d < ND; d++)
		if (seen[d] != exp[d])
			fail_msg("enum o%d e=%lu: %s seen %d expected %d", o, (unsigned long)e,
				 dkeys[d], seen[d], exp[d]);
}

/*
 * AKEY enumeration of one dkey at \a e against the model, then a resume from the anchor of
 * each entry must give the rest of the list (a dkey's lone akey has no tree: its anchor must
 * be the one the tree would give, also after the tree has been built).
 */
static void
check_akey_enum(struct vt_ctx *c, struct model *m, int o, int d, uint64_t e,
		daos_anchor_t *old_anchor, int *old_a)
{
	vos_iter_param_t param = {0};
	vos_iter_entry_t ent;
	daos_anchor_t anchors[NA + 1];
	daos_handle_t ih;
	bool exp[NA + 1] = {0};
	int seen[NA + 1], nr = 0, a, i, j, rc;

	for (a = 0; a <= NA; a++) {
		uint64_t b = bound(m, o, d, a, e);

		if (a < NA) {
			for (i = 0; i < m->sv_nr[o][d][a]; i++)
				if (m->sv[o][d][a][i].e <= e && m->sv[o][d][a][i].e > b)
					exp[a] = true;
		} else {
			for (i = 0; i < m->ext_nr[o][d]; i++)
				if (m->ext[o][d][i].e <= e && m->ext[o][d][i].e > b)
					exp[a] = true;
		}
	}
	param.ip_hdl = c->coh;
	param.ip_oid = vt_oid(o + 1, DAOS_OT_MULTI_HASHED);
	d_iov_set(&param.ip_dkey, (void *)dkeys[d], 2);
	param.ip_epr.epr_hi = e;
	assert_int_equal(vos_iter_prepare(VOS_ITER_AKEY, &param, &ih, NULL), 0);
	for (rc = vos_iter_probe(ih, NULL); rc == 0; rc = vos_iter_next(ih, NULL)) {
		assert_true(nr <= NA);
		assert_int_equal(vos_iter_fetch(ih, &ent, &anchors[nr]), 0);
		for (a = 0; a <= NA; a++)
			if (ent.ie_key.iov_len == strlen(akeys[a]) &&
			    memcmp(ent.ie_key.iov_buf, akeys[a], ent.ie_key.iov_len) == 0)
				break;
		assert_true(a <= NA);
		seen[nr++] = a;
	}
	assert_int_equal(rc, -DER_NONEXIST);
	for (a = 0; a <= NA; a++) {
		for (i = 0; i < nr && seen[i] != a; i++)
			;
		if ((i < nr) != exp[a])
			fail_msg("akey enum o%d %s e=%lu: %s seen %d expected %d", o, dkeys[d],
				 (unsigned long)e, akeys[a], i < nr, exp[a]);
	}
	for (j = 0; j < nr; j++) {
		assert_int_equal(vos_iter_probe(ih, &anchors[j]), 0);
		for (i = j; i < nr; i++) {
			assert_int_equal(vos_iter_fetch(ih, &ent, NULL), 0);
			assert_int_equal(ent.ie_key.iov_len, strlen(akeys[seen[i]]));
			assert_memory_equal(ent.ie_key.iov_buf, akeys[seen[i]], ent.ie_key.iov_len);
			rc = vos_iter_next(ih, NULL);
			assert_int_equal(rc, i + 1 < nr ? 0 : -DER_NONEXIST);
		}
	}
	/* an anchor kept from an earlier call (maybe taken before the akey tree existed) */
	if (old_anchor != NULL && *old_a >= 0 && nr > 0) {
		for (i = 0; i < nr && seen[i] != *old_a; i++)
			;
		if (i < nr) {
			assert_int_equal(vos_iter_probe(ih, old_anchor), 0);
			assert_int_equal(vos_iter_fetch(ih, &ent, NULL), 0);
			assert_memory_equal(ent.ie_key.iov_buf, akeys[*old_a], ent.ie_key.iov_len);
		}
	}
	if (old_anchor != NULL && nr > 0) {
		*old_anchor = anchors[0];
		*old_a = seen[0];
	}
	vos_iter_finish(ih);
}

static void
check_all(struct vt_ctx *c, struct model *m, uint64_t from, uint64_t to, uint64_t step)
{
	uint64_t e;
	int o, d, a;

	for (e = from; e <= to; e += step) {
		for (o = 0; o < NO; o++) {
			check_enum(c, m, o, e);
			for (d = 0; d < ND; d++) {
				check_array(c, m, o, d, e);
				check_akey_enum(c, m, o, d, e, NULL, NULL);
				for (a = 0; a < NA; a++)
					check_sv(c, m, o, d, a, e);
			}
		}
	}
}

/* \a nops random operations with epochs in (base, base + 300] */
static void
run_ops(struct vt_ctx *c, struct model *m, int nops, uint64_t base)
{
	/* one kept anchor per (object, dkey), carried across later updates */
	static daos_anchor_t kept[NO][ND];
	static int kept_a[NO][ND];
	int i;

	memset(kept_a, -1, sizeof(kept_a));

	for (i = 0; i < nops; i++) {
		int op = rnd() % 100, o = rnd() % NO, d = rnd() % ND, a = rnd() % NA;
		uint64_t even = base + 2 * (1 + rnd() % 150), odd = even + 1;

		if (op < 40)
			do_sv_update(c, m, o, d, a, even, 1 + rnd() % 250, rnd() % 9);
		else if (op < 60) {
			int lo = rnd() % NREC, hi = lo + rnd() % (NREC - lo);

			do_ext_update(c, m, o, d, even, lo, hi, rnd() % 5 == 0, 1 + rnd() % 250);
		} else if (op < 70)
			do_punch(c, m, o, d, rnd() % 4 == 0 ? NA : a, odd);
		else if (op < 76)
			do_punch(c, m, o, d, -1, odd);
		else if (op < 79)
			do_punch(c, m, o, -1, -1, odd);
		else if (op < 88)
			check_sv(c, m, o, d, a, base + 1 + rnd() % 320);
		else if (op < 93)
			check_array(c, m, o, d, base + 1 + rnd() % 320);
		else if (op < 97)
			check_akey_enum(c, m, o, d, base + 1 + rnd() % 320, &kept[o][d],
					&kept_a[o][d]);
		else
			check_enum(c, m, o, base + 1 + rnd() % 320);
	}
}

static void
run_seed(unsigned int seed, int nops, bool agg)
{
	struct vt_ctx c;
	struct model *m = calloc(1, sizeof(*m));
	uint64_t free0 = 0, scm0 = 0, allocs0 = 0;

	rng_state = 0x9e3779b97f4a7c15ULL ^ ((uint64_t)seed << 17 | seed);
	/* threshold 5: values of 5+ bytes (and extents of 5+ records) go to the blob; seeds
	 * with bit 1 set keep everything inline (aggregation then merges extents) */
	vt_setup_ex(&c, 64 << 20, 64 << 20, (seed & 2) ? 4096 : 5);
	{
		vos_pool_info_t pi;

		assert_int_equal(vos_pool_query(c.poh, &pi), 0);
		free0 = NVME_FREE(&pi.pif_space);
		scm0 = SCM_FREE(&pi.pif_space);
	}
	run_ops(&c, m, nops, 0);
	/* everything at every epoch from 1 to above the last write */
	check_all(&c, m, 1, 310, 3);
	if (agg) {
		/* aggregation below 200 keeps reads at 200+ (and snapshot 100) unchanged */
		daos_epoch_range_t epr = {0, 200};

		assert_int_equal(vos_cont_snap_add(c.coh, 100), 0);
		assert_int_equal(vos_aggregate(c.coh, &epr, NULL, NULL, 0), 0);
		while (vos_gc_pool(c.poh, 32, NULL, NULL) == 1)
			;
		check_all(&c, m, 100, 100, 1);
		check_all(&c, m, 200, 320, 5);
		/* and life goes on above the aggregated range, reopened */
		vt_close(&c);
		vt_open(&c);
		run_ops(&c, m, nops / 2, 320);
		check_all(&c, m, 200, 640, 7);

		/* punch everything, aggregate over it: every byte of the blob comes back */
		{
			daos_epoch_range_t all = {0, 1002};
			vos_pool_info_t pi;
			int o;

			for (o = 0; o < NO; o++)
				do_punch(&c, m, o, -1, -1, 1001);
			assert_int_equal(vos_cont_snap_del(c.coh, 100), 0);
			assert_int_equal(vos_aggregate(c.coh, &all, NULL, NULL, 0), 0);
			while (vos_gc_pool(c.poh, 32, NULL, NULL) == 1)
				;
			assert_int_equal(vos_pool_query(c.poh, &pi), 0);
			assert_int_equal(NVME_FREE(&pi.pif_space), free0);
			/* and every heap allocation but the snapshot list's and the blob allocator's
			 * extra free-extent chunks */
			print_message("heap: %lu bytes, %ld allocations more than at start\n",
				      (unsigned long)(scm0 - SCM_FREE(&pi.pif_space)),
				      (long)(pi.pif_heap_allocs - allocs0));
			assert_true(pi.pif_heap_allocs <= allocs0 + 8);
			assert_true(SCM_FREE(&pi.pif_space) + 8192 >= scm0);
			check_all(&c, m, 1001, 1001, 1);

			/* a second round on top: back to the same allocations exactly */
			allocs0 = pi.pif_heap_allocs;
			run_ops(&c, m, nops / 2, 1001);
			for (o = 0; o < NO; o++)
				do_punch(&c, m, o, -1, -1, 1401);
			all.epr_hi = 1402;
			assert_int_equal(vos_aggregate(c.coh, &all, NULL, NULL, 0), 0);
			while (vos_gc_pool(c.poh, 32, NULL, NULL) == 1)
				;
			assert_int_equal(vos_pool_query(c.poh, &pi), 0);
			assert_int_equal(NVME_FREE(&pi.pif_space), free0);
			print_message("second round: %ld allocations more\n",
				      (long)(pi.pif_heap_allocs - allocs0));
			assert_true(pi.pif_heap_allocs <= allocs0 + 2);
			assert_int_equal(pi.pif_gc_pending, 0);
			{
				vos_cont_info_t ci;

				assert_int_equal(vos_cont_query(c.coh, &ci), 0);
				assert_int_equal(ci.ci_used, 0);
				assert_int_equal(ci.ci_nobjs, 0);
			}
			check_all(&c, m, 1001, 1001, 1);
		}
	}
	vt_teardown(&c);
	free(m);
}

/*
 * Rounds of random operations, each followed by aggregation up to a recent epoch, with
 * snapshots between. Threshold 2: extents of 2+ records live in the blob, so aggregation
 * merges blob extents (vos_agg_blob.c). After each round every snapshot and the epochs from
 * the aggregated one up must read as the model says.
 */
static void
run_seed_agg_blob(unsigned int seed, int nops)
{
	struct vt_ctx c;
	struct model *m = calloc(1, sizeof(*m));
	uint64_t snaps[8], base = 0, hi = 0;
	int nsnaps = 0, round, i;

	assert_non_null(m);
	rng_state = 0x51ed270b27d3a1c5ULL ^ ((uint64_t)seed << 23 | seed);
	vt_setup_ex(&c, 64 << 20, 64 << 20, 2);
	for (round = 0; round < 6; round++) {
		daos_epoch_range_t epr;

		/* checks inside run_ops read at epochs above base only: above the last hi */
		run_ops(&c, m, nops, base);
		if (rnd() % 2 == 0 && nsnaps < (int)ARRAY_SIZE(snaps)) {
			snaps[nsnaps] = base + 1 + rnd() % 250;
			assert_int_equal(vos_cont_snap_add(c.coh, snaps[nsnaps]), 0);
			nsnaps++;
		}
		hi = base + 200 + rnd() % 100;
		epr.epr_lo = 0;
		epr.epr_hi = hi;
		assert_int_equal(vos_aggregate(c.coh, &epr, NULL, NULL, 0), 0);
		if (rnd() % 2 == 0)
			while (vos_gc_pool(c.poh, 32, NULL, NULL) == 1)
				;
		for (i = 0; i < nsnaps; i++)
			check_all(&c, m, snaps[i], snaps[i], 1);
		check_all(&c, m, hi, base + 310, 4);
		if (round == 2) {
			vt_close(&c);
			vt_open(&c);
			check_all(&c, m, hi, base + 310, 9);
		}
		base += 320;
	}
	vt_teardown(&c);
	free(m);
}

static void
test_model_agg_blob(void **state)
{
	char *s = getenv("VOS_MODEL_SEED"), *n = getenv("VOS_MODEL_OPS");
	int nops = n ? atoi(n) : 300;
	unsigned int seed;

	if (s != NULL) {
		run_seed_agg_blob(atoi(s), nops);
		return;
	}
	for (seed = 1; seed <= 4; seed++)
		run_seed_agg_blob(seed, nops);
}

static void
test_model(void **state)
{
	char *s = getenv("VOS_MODEL_SEED"), *n = getenv("VOS_MODEL_OPS");
	int nops = n ? atoi(n) : 400;
	unsigned int seed;

	if (s != NULL) {
		run_seed(atoi(s), nops, true);
		return;
	}
	for (seed = 1; seed <= 12; seed++)
		run_seed(seed, nops, seed % 2 == 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_model),
		cmocka_unit_test(test_model_agg_blob),
	};

	return cmocka_run_group_tests_name("vos_model", tests, NULL, NULL);
}
