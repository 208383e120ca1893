/*
 * evtree against a brute-force model: random inserts, punches and deletes (fixed seeds), with
 * evt_find and the iterators checked index by index at many epochs, transactions that abort,
 * and heap close/reopen in the middle.
 */
#include "evt_utest.h"

#define M_SPACE 400 /* record indexes used by the random operations */

struct m_rec {
	uint64_t lo, hi, epc, addr;
	uint16_t minor;
	bool hole;
	bool alive;
};

struct model {
	struct m_rec *recs;
	int nr;
	int cap;
	uint64_t rng;
	uint64_t next_addr;
};

static uint64_t
m_rand(struct model *m)
{
	/* xorshift64*: the same sequence on every platform */
	m->rng ^= m->rng >> 12;
	m->rng ^= m->rng << 25;
	m->rng ^= m->rng >> 27;
	return m->rng * 0x2545F4914F6CDD1DULL;
}

static uint64_t
m_range(struct model *m, uint64_t n)
{
	return m_rand(m) % n;
}

static int
m_lookup(struct model *m, uint64_t lo, uint64_t hi, uint64_t epc, uint16_t minor)
{
	int i;

	for (i = 0; i < m->nr; i++)
		if (m->recs[i].alive && m->recs[i].lo == lo && m->recs[i].hi == hi &&
		    m->recs[i].epc == epc && m->recs[i].minor == minor)
			return i;
	return -1;
}

static int
m_cmp(const struct m_rec *a, const struct m_rec *b)
{
	if (a->epc != b->epc)
		return a->epc < b->epc ? -1 : 1;
	return a->minor < b->minor ? -1 : a->minor > b->minor;
}

static bool
m_selected(const struct m_rec *r, const struct evt_filter *f)
{
	if (!r->alive || r->epc < f->fr_epr.epr_lo || r->epc > f->fr_epr.epr_hi)
		return false;
	if (f->fr_punch_epc != 0 &&
	    (r->epc < f->fr_punch_epc ||
	     (r->epc == f->fr_punch_epc && r->minor <= f->fr_punch_minor_epc)))
		return false;
	return r->hi >= f->fr_ex.ex_lo && r->lo <= f->fr_ex.ex_hi;
}

/* owner[i] = the record index visible at f.fr_ex.ex_lo + i, or -1 */
static void
m_owners(struct model *m, const struct evt_filter *f, int *owner)
{
	uint64_t n = f->fr_ex.ex_hi - f->fr_ex.ex_lo + 1;
	uint64_t x;
	int i;

	for (x = 0; x < n; x++)
		owner[x] = -1;
	for (i = 0; i < m->nr; i++) {
		struct m_rec *r = &m->recs[i];

		if (!m_selected(r, f))
			continue;
		for (x = (r->lo > f->fr_ex.ex_lo ? r->lo : f->fr_ex.ex_lo);
		     x <= r->hi && x <= f->fr_ex.ex_hi; x++) {
			int *o = &owner[x - f->fr_ex.ex_lo];

			if (*o < 0 || m_cmp(&m->recs[*o], r) < 0)
				*o = i;
		}
	}
}

static int
m_ent2rec(struct model *m, const struct evt_entry *ent)
{
	int r = m_lookup(m, ent->en_ext.ex_lo, ent->en_ext.ex_hi, ent->en_epoch, ent->en_minor_epc);

	assert_true(r >= 0);
	return r;
}

static void
m_check_entry(struct model *m, const struct evt_entry *ent, int r)
{
	struct m_rec *rec = &m->recs[r];

	assert_int_equal(bio_addr_is_hole(&ent->en_addr), rec->hole);
	if (!rec->hole)
		assert_int_equal(ent->en_addr.ba_off,
				 rec->addr + (ent->en_sel_ext.ex_lo - rec->lo));
	assert_true(ent->en_sel_ext.ex_lo >= rec->lo && ent->en_sel_ext.ex_hi <= rec->hi);
	assert_true(ent->en_sel_ext.ex_lo <= ent->en_sel_ext.ex_hi);
}

/* Visible pieces of a find or a VISIBLE iteration against the model. */
static void
m_check_visible(struct model *m, const struct evt_filter *f, struct evt_entry *ents, int nr,
		bool skip_holes)
{
	uint64_t n = f->fr_ex.ex_hi - f->fr_ex.ex_lo + 1;
	int *owner = calloc(n, sizeof(int));
	uint8_t *seen = calloc(n, 1);
	int prev_r = -1;
	uint64_t prev_hi = 0;
	uint64_t x;
	int i;

	m_owners(m, f, owner);
	for (i = 0; i < nr; i++) {
		struct evt_entry *ent = &ents[i];
		int r = m_ent2rec(m, ent);

		assert_true(ent->en_visibility & EVT_VISIBLE);
		m_check_entry(m, ent, r);
		assert_true(ent->en_sel_ext.ex_lo >= f->fr_ex.ex_lo &&
			    ent->en_sel_ext.ex_hi <= f->fr_ex.ex_hi);
		if (i > 0) {
			assert_true(ent->en_sel_ext.ex_lo > prev_hi);
			/* pieces are maximal */
			assert_false(prev_r == r && prev_hi + 1 == ent->en_sel_ext.ex_lo);
		}
		for (x = ent->en_sel_ext.ex_lo; x <= ent->en_sel_ext.ex_hi; x++) {
			assert_int_equal(owner[x - f->fr_ex.ex_lo], r);
			seen[x - f->fr_ex.ex_lo] = 1;
		}
		prev_r = r;
		prev_hi = ent->en_sel_ext.ex_hi;
	}
	for (x = 0; x < n; x++) {
		bool expect = owner[x] >= 0 && !(skip_holes && m->recs[owner[x]].hole);

		if (expect != (seen[x] != 0))
			fail_msg("index " DF_U64 ": expected %d (owner %d), got %d",
				 f->fr_ex.ex_lo + x, expect, owner[x], seen[x]);
	}
	free(owner);
	free(seen);
}

static void
m_check_find(struct evt_ut *ut, struct model *m, const struct evt_filter *f)
{
	struct evt_entry_array ea;
	struct evt_entry *ents;
	int i;

	evt_ent_array_init(&ea, 0);
	assert_int_equal(evt_find(ut->toh, f, &ea), 0);
	ents = calloc(ea.ea_ent_nr + 1, sizeof(*ents));
	for (i = 0; i < (int)ea.ea_ent_nr; i++)
		ents[i] = *evt_ent_array_get(&ea, i);
	m_check_visible(m, f, ents, ea.ea_ent_nr, false);
	free(ents);
	evt_ent_array_fini(&ea);
}

/* Collect an iteration, resuming from anchors every \a resume_every entries (0: never). */
static int
m_iterate(struct evt_ut *ut, unsigned int opts, const struct evt_filter *f, int resume_every,
	  struct evt_entry **entsp)
{
	struct evt_entry *ents = NULL;
	daos_anchor_t anchor;
	daos_handle_t ih;
	int nr = 0;
	int cap = 0;
	int rc;

	assert_int_equal(evt_iter_prepare(ut->toh, opts, f, &ih), 0);
	rc = evt_iter_probe(ih, EVT_ITER_FIRST, NULL, NULL);
	while (rc == 0) {
		if (nr == cap) {
			cap = cap ? cap * 2 : 64;
			ents = realloc(ents, cap * sizeof(*ents));
		}
		assert_int_equal(evt_iter_fetch(ih, NULL, &ents[nr], &anchor), 0);
		nr++;
		if (resume_every && nr % resume_every == 0) {
			assert_int_equal(evt_iter_finish(ih), 0);
			assert_int_equal(evt_iter_prepare(ut->toh, opts, f, &ih), 0);
			rc = evt_iter_probe(ih, EVT_ITER_FIND, NULL, &anchor);
		} else {
			rc = evt_iter_next(ih);
		}
	}
	assert_int_equal(rc, -DER_NONEXIST);
	assert_int_equal(evt_iter_finish(ih), 0);
	*entsp = ents;
	return nr;
}

static bool
m_same_piece(const struct evt_entry *a, const struct evt_entry *b)
{
	return a->en_sel_ext.ex_lo == b->en_sel_ext.ex_lo &&
	       a->en_sel_ext.ex_hi == b->en_sel_ext.ex_hi && a->en_epoch == b->en_epoch &&
	       a->en_minor_epc == b->en_minor_epc &&
	       (a->en_visibility & ~EVT_LAST) == (b->en_visibility & ~EVT_LAST);
}

static void
m_check_iter(struct evt_ut *ut, struct model *m, const struct evt_filter *f)
{
	struct evt_entry *vis, *all, *rev, *res, *raw, *noh;
	int nvis, nall, nrev, nres, nraw, nnoh;
	uint64_t n = f->fr_ex.ex_hi - f->fr_ex.ex_lo + 1;
	int *owner = calloc(n, sizeof(int));
	uint64_t cand_width = 0;
	uint64_t piece_width = 0;
	int nsel = 0;
	int i;
	uint64_t x;

	nvis = m_iterate(ut, EVT_ITER_VISIBLE, f, 0, &vis);
	m_check_visible(m, f, vis, nvis, false);
	if (nvis > 0)
		assert_true(vis[nvis - 1].en_visibility & EVT_LAST);

	nnoh = m_iterate(ut, EVT_ITER_VISIBLE | EVT_ITER_SKIP_HOLES, f, 0, &noh);
	m_check_visible(m, f, noh, nnoh, true);

	/* visible + covered pieces tile every selected record */
	m_owners(m, f, owner);
	nall = m_iterate(ut, EVT_ITER_VISIBLE | EVT_ITER_COVERED, f, 0, &all);
	for (i = 0; i < nall; i++) {
		int r = m_ent2rec(m, &all[i]);

		m_check_entry(m, &all[i], r);
		if (i > 0) {
			const struct evt_entry *p = &all[i - 1];

			assert_true(p->en_sel_ext.ex_lo < all[i].en_sel_ext.ex_lo ||
				    (p->en_sel_ext.ex_lo == all[i].en_sel_ext.ex_lo &&
				     (p->en_epoch > all[i].en_epoch ||
				      (p->en_epoch == all[i].en_epoch &&
				       p->en_minor_epc > all[i].en_minor_epc))));
		}
		for (x = all[i].en_sel_ext.ex_lo; x <= all[i].en_sel_ext.ex_hi; x++) {
			bool visible = owner[x - f->fr_ex.ex_lo] == r;

			assert_int_equal(visible, (all[i].en_visibility & EVT_VISIBLE) != 0);
			assert_int_equal(!visible, (all[i].en_visibility & EVT_COVERED) != 0);
		}
		piece_width += all[i].en_sel_ext.ex_hi - all[i].en_sel_ext.ex_lo + 1;
	}
	for (i = 0; i < m->nr; i++) {
		struct m_rec *r = &m->recs[i];
		uint64_t lo, hi;

		if (!m_selected(r, f))
			continue;
		lo = r->lo > f->fr_ex.ex_lo ? r->lo : f->fr_ex.ex_lo;
		hi = r->hi < f->fr_ex.ex_hi ? r->hi : f->fr_ex.ex_hi;
		cand_width += hi - lo + 1;
		nsel++;
	}
	assert_int_equal(piece_width, cand_width);

	/* raw iteration: each selected record once */
	nraw = m_iterate(ut, 0, f, 0, &raw);
	assert_int_equal(nraw, nsel);

	/* anchors: resuming after every 3 entries gives the same sequence */
	nres = m_iterate(ut, EVT_ITER_VISIBLE | EVT_ITER_COVERED, f, 3, &res);
	assert_int_equal(nres, nall);
	for (i = 0; i < nall; i++)
		assert_true(m_same_piece(&res[i], &all[i]));
	free(res);
	/* reverse, also resumed from anchors */
	nrev = m_iterate(ut, EVT_ITER_VISIBLE | EVT_ITER_COVERED | EVT_ITER_REVERSE, f, 2, &rev);
	assert_int_equal(nrev, nall);
	for (i = 0; i < nall; i++)
		assert_true(m_same_piece(&rev[i], &all[nall - 1 - i]));
	free(vis);
	free(all);
	free(rev);
	free(raw);
	free(noh);
	free(owner);
}

static void
m_random_filter(struct model *m, struct evt_filter *f)
{
	uint64_t lo = m_range(m, M_SPACE);
	uint64_t hi = lo + m_range(m, M_SPACE - lo);

	memset(f, 0, sizeof(*f));
	f->fr_ex.ex_lo = lo;
	f->fr_ex.ex_hi = hi;
	f->fr_epr.epr_hi = 1 + m_range(m, 70);
	if (m_range(m, 4) == 0)
		f->fr_epr.epr_lo = m_range(m, f->fr_epr.epr_hi + 1);
	if (m_range(m, 4) == 0) {
		f->fr_punch_epc = 1 + m_range(m, 40);
		f->fr_punch_minor_epc = (uint16_t)m_range(m, 3);
	}
}

static void
m_insert(struct evt_ut *ut, struct model *m)
{
	struct m_rec r;
	int expect = 0;
	int i;

	memset(&r, 0, sizeof(r));
	r.lo = m_range(m, M_SPACE);
	if (m_range(m, 10) == 0)
		r.hi = r.lo + m_range(m, 300);
	else
		r.hi = r.lo + m_range(m, 24);
	r.epc = 1 + m_range(m, 60);
	r.minor = (uint16_t)m_range(m, 3);
	r.hole = m_range(m, 7) == 0;
	r.addr = m->next_addr;
	r.alive = true;
	for (i = 0; i < m->nr; i++) {
		struct m_rec *o = &m->recs[i];

		if (!o->alive || o->epc != r.epc || o->minor != r.minor || o->hi < r.lo ||
		    o->lo > r.hi)
			continue;
		expect = (o->lo == r.lo && o->hi == r.hi) ? -DER_EXIST : -DER_VOS_PARTIAL_UPDATE;
		break;
	}
	assert_int_equal(ut_insert(ut, r.lo, r.hi, r.epc, r.minor, r.addr, r.hole), expect);
	if (expect != 0)
		return;
	m->next_addr += r.hi - r.lo + 1;
	if (m->nr == m->cap) {
		m->cap = m->cap ? m->cap * 2 : 256;
		m->recs = realloc(m->recs, m->cap * sizeof(*m->recs));
	}
	m->recs[m->nr++] = r;
}

static void
m_delete(struct evt_ut *ut, struct model *m)
{
	struct evt_rect rect;
	struct evt_entry ent;
	int i;

	if (m->nr == 0)
		return;
	i = (int)m_range(m, m->nr);
	rect.rc_ex.ex_lo = m->recs[i].lo;
	rect.rc_ex.ex_hi = m->recs[i].hi;
	rect.rc_epc = m->recs[i].epc;
	rect.rc_minor_epc = m->recs[i].minor;
	if (!m->recs[i].alive) {
		if (m_lookup(m, rect.rc_ex.ex_lo, rect.rc_ex.ex_hi, rect.rc_epc,
			     rect.rc_minor_epc) < 0)
			assert_int_equal(evt_delete(ut->toh, &rect, NULL), -DER_ENOENT);
		return;
	}
	assert_int_equal(evt_delete(ut->toh, &rect, &ent), 0);
	assert_int_equal(ent.en_ext.ex_lo, rect.rc_ex.ex_lo);
	assert_int_equal(ent.en_epoch, rect.rc_epc);
	assert_int_equal(bio_addr_is_hole(&ent.en_addr), m->recs[i].hole);
	if (!m->recs[i].hole)
		assert_int_equal(ent.en_addr.ba_off, m->recs[i].addr);
	m->recs[i].alive = false;
}

static void
m_run(void **state, uint64_t seed, unsigned int order, int nops, bool txs)
{
	struct evt_ut *ut = *state;
	struct model m;
	struct evt_filter f;
	struct m_rec *saved = NULL;
	int saved_nr = 0;
	bool in_tx = false;
	int op;
	int j;

	memset(&m, 0, sizeof(m));
	m.rng = seed;
	m.next_addr = 1;
	ut_create_tree(ut, order);
	for (op = 1; op <= nops; op++) {
		if (txs && !in_tx && m_range(&m, 20) == 0) {
			/* a caller transaction of several operations, aborted half the time */
			saved_nr = m.nr;
			saved = realloc(saved, (m.nr + 1) * sizeof(*saved));
			if (m.nr > 0)
				memcpy(saved, m.recs, m.nr * sizeof(*saved));
			assert_int_equal(umem_tx_begin(&ut->umm, NULL), 0);
			in_tx = true;
		}
		if (m_range(&m, 100) < 80)
			m_insert(ut, &m);
		else
			m_delete(ut, &m);
		if (in_tx && m_range(&m, 8) == 0) {
			if (m_range(&m, 2) == 0) {
				assert_int_equal(umem_tx_commit(&ut->umm), 0);
			} else {
				assert_int_equal(umem_tx_abort(&ut->umm, -DER_CANCELED),
						 -DER_CANCELED);
				m.nr = saved_nr;
				if (saved_nr > 0)
					memcpy(m.recs, saved, saved_nr * sizeof(*saved));
			}
			in_tx = false;
		}
		if (in_tx)
			continue;
		if (op % 100 == 0) {
			assert_int_equal(evt_check(ut->toh), 0);
			for (j = 0; j < 6; j++) {
				m_random_filter(&m, &f);
				m_check_find(ut, &m, &f);
			}
			f = ut_filter(0, M_SPACE + 400, 0, 1 + m_range(&m, 70));
			m_check_find(ut, &m, &f);
		}
		if (op % 500 == 0) {
			m_random_filter(&m, &f);
			m_check_iter(ut, &m, &f);
		}
		if (op % 1500 == 0) {
			ut_reopen(ut);
			assert_int_equal(evt_check(ut->toh), 0);
			f = ut_filter(0, M_SPACE + 400, 0, DAOS_EPOCH_MAX);
			m_check_find(ut, &m, &f);
		}
	}
	if (in_tx)
		assert_int_equal(umem_tx_commit(&ut->umm), 0);
	/* every epoch, everything */
	for (j = 0; j <= 61; j++) {
		f = ut_filter(0, M_SPACE + 400, 0, j);
		m_check_find(ut, &m, &f);
	}
	f = ut_filter(0, M_SPACE + 400, 0, 61);
	m_check_iter(ut, &m, &f);
	free(saved);
	free(m.recs);
}

static void
test_model_order4(void **state)
{
	m_run(state, 0x1234, 4, 3000, false);
}

static void
test_model_order16(void **state)
{
	m_run(state, 0xfeed, 16, 3000, false);
}

static void
test_model_order32_tx(void **state)
{
	m_run(state, 0xbeef, 32, 3000, true);
}

static void
test_model_order5_tx(void **state)
{
	m_run(state, 0x5eed, 5, 3000, true);
}

static void
test_model_order128(void **state)
{
	m_run(state, 0xabcdef, 128, 3000, false);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_model_order4, ut_setup, ut_teardown),
		cmocka_unit_test_setup_teardown(test_model_order16, ut_setup, ut_teardown),
		cmocka_unit_test_setup_teardown(test_model_order32_tx, ut_setup, ut_teardown),
		cmocka_unit_test_setup_teardown(test_model_order5_tx, ut_setup, ut_teardown),
		cmocka_unit_test_setup_teardown(test_model_order128, ut_setup, ut_teardown),
	};

	return cmocka_run_group_tests_name("evtree_model", tests, NULL, NULL);
}
