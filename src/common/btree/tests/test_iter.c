/*
 * dbtree iterators: forward/backward, embedded and allocated, anchors resuming after inserts
 * and deletes, changes through the handle during iteration, delete at the cursor,
 * dbtree_iterate callbacks.
 */
#include "btr_utest.h"

#define NK 600

static bool
ord_lt(unsigned int cls, uint64_t a, uint64_t b)
{
	if (cls == DBTREE_CLASS_KV) {
		uint64_t ha = bt_kv_hash(a), hb = bt_kv_hash(b);

		if (ha != hb)
			return ha < hb;
	}
	return a < b;
}

/* The present key right after (next) or before \a x in class order; -1 if none. */
static int64_t
ref_neighbour(unsigned int cls, bool *present, uint64_t x, bool next)
{
	int64_t best = -1;
	int i;

	for (i = 0; i < NK; i++) {
		if (!present[i])
			continue;
		if (next ? !ord_lt(cls, x, i) : !ord_lt(cls, i, x))
			continue;
		if (best < 0 || (next ? ord_lt(cls, i, best) : ord_lt(cls, best, i)))
			best = i;
	}
	return best;
}

static void
put(daos_handle_t toh, unsigned int cls, bool *present, uint64_t x)
{
	struct bt_key k;
	uint64_t v = x * 3 + 1;
	d_iov_t val;

	d_iov_set(&val, &v, sizeof(v));
	assert_int_equal(dbtree_update(toh, bt_key(&k, cls, x), &val), 0);
	present[x] = true;
}

static void
del(daos_handle_t toh, unsigned int cls, bool *present, uint64_t x)
{
	struct bt_key k;

	assert_int_equal(dbtree_delete(toh, BTR_PROBE_EQ, bt_key(&k, cls, x), NULL),
			 present[x] ? 0 : -DER_NONEXIST);
	present[x] = false;
}

static uint64_t
cur_key(daos_handle_t ih, unsigned int cls, daos_anchor_t *anchor)
{
	d_iov_t key, val;
	uint64_t x;

	d_iov_set(&key, NULL, 0);
	d_iov_set(&val, NULL, 0);
	assert_int_equal(dbtree_iter_fetch(ih, &key, &val, anchor), 0);
	x = bt_key_idx(cls, &key);
	assert_int_equal(*(uint64_t *)val.iov_buf, x * 3 + 1);
	return x;
}

static daos_handle_t
setup(struct bt_env *env, unsigned int cls, unsigned int order, bool *present)
{
	daos_handle_t toh;
	int i;

	assert_int_equal(dbtree_create_inplace(cls, 0, order, &env->uma, env->root, &toh), 0);
	memset(present, 0, NK * sizeof(bool));
	for (i = 0; i < NK; i += 2)
		put(toh, cls, present, i);
	return toh;
}

static void
walk_all(unsigned int cls, unsigned int opts)
{
	struct bt_env *env = bt_env_create(0);
	bool present[NK];
	daos_handle_t toh, ih;
	int dir, n, rc;

	toh = setup(env, cls, 4, present);
	assert_int_equal(dbtree_iter_prepare(toh, opts, &ih), 0);
	for (dir = 0; dir < 2; dir++) {
		bool fwd = dir == 0;
		int64_t prev = -1;

		rc = dbtree_iter_probe(ih, fwd ? BTR_PROBE_FIRST : BTR_PROBE_LAST, 0, NULL, NULL);
		for (n = 0; rc == 0; n++) {
			uint64_t x = cur_key(ih, cls, NULL);

			assert_int_equal(ref_neighbour(cls, present, prev < 0 ? x : prev, fwd),
					 prev < 0 ? ref_neighbour(cls, present, x, fwd)
						  : (int64_t)x);
			prev = x;
			rc = fwd ? dbtree_iter_next(ih) : dbtree_iter_prev(ih);
		}
		assert_int_equal(rc, -DER_NONEXIST);
		assert_int_equal(n, NK / 2);
		assert_int_equal(ref_neighbour(cls, present, prev, fwd), -1);
		/* stays at the end */
		assert_int_equal(dbtree_iter_next(ih), -DER_NONEXIST);
		assert_int_equal(dbtree_iter_fetch(ih, NULL, NULL, NULL), -DER_NONEXIST);
	}
	assert_int_equal(dbtree_iter_empty(ih), 0);
	assert_int_equal(dbtree_iter_finish(ih), 0);
	assert_int_equal(dbtree_destroy(toh, NULL), 0);
	bt_env_destroy(env);
}

static void
test_walk(void **state)
{
	walk_all(DBTREE_CLASS_IV, 0);
	walk_all(DBTREE_CLASS_IV, BTR_ITER_EMBEDDED);
	walk_all(DBTREE_CLASS_KV, 0);
	walk_all(DBTREE_CLASS_NV, BTR_ITER_EMBEDDED);
}

/* Resume from anchors with the tree changed between the calls (also through other handles). */
static void
anchors(unsigned int cls, bool fwd)
{
	struct bt_env *env = bt_env_create(32 << 20);
	bool present[NK], seen[NK] = {0}, stable[NK];
	daos_handle_t toh, toh2, ih;
	daos_anchor_t anchor;
	unsigned int seed = 99 + cls;
	int steps = 0, rc, i;

	toh = setup(env, cls, 5, present);
	memcpy(stable, present, sizeof(stable));
	assert_int_equal(dbtree_open_inplace(env->root, &env->uma, &toh2), 0);
	assert_int_equal(dbtree_iter_prepare(toh, 0, &ih), 0);
	rc = dbtree_iter_probe(ih, fwd ? BTR_PROBE_FIRST : BTR_PROBE_LAST, 0, NULL, NULL);
	while (rc == 0) {
		uint64_t x = cur_key(ih, cls, &anchor);
		int64_t want;

		assert_false(seen[x]);
		seen[x] = true;
		if (++steps % 13 != 0) {
			rc = fwd ? dbtree_iter_next(ih) : dbtree_iter_prev(ih);
			if (rc == 0)
				assert_int_equal(cur_key(ih, cls, NULL),
						 ref_neighbour(cls, present, x, fwd));
			continue;
		}
		/* stop, change the tree through another handle, resume from the anchor */
		assert_int_equal(dbtree_iter_finish(ih), 0);
		for (i = 0; i < 8; i++) {
			uint64_t y = rand_r(&seed) % NK;

			if (y % 2 == 1 && !present[y] && !seen[y])
				put(toh2, cls, present, y);
			else if (y % 2 == 0 && present[y] && y != x) {
				del(toh2, cls, present, y);
				stable[y] = false;
			}
		}
		if (steps % 26 == 0) {
			del(toh2, cls, present, x); /* the anchored record itself */
			stable[x] = false;
		}
		want = ref_neighbour(cls, present, x, fwd);
		assert_int_equal(dbtree_iter_prepare(toh, BTR_ITER_EMBEDDED, &ih), 0);
		rc = dbtree_iter_probe(ih, fwd ? BTR_PROBE_GT : BTR_PROBE_LT, 0, NULL, &anchor);
		if (want < 0) {
			assert_int_equal(rc, -DER_NONEXIST);
		} else {
			assert_int_equal(rc, 0);
			assert_int_equal(cur_key(ih, cls, NULL), want);
		}
		/* GE on the anchor: the record itself if it is still there */
		if (present[x]) {
			daos_handle_t ih2;

			assert_int_equal(dbtree_iter_prepare(toh, 0, &ih2), 0);
			assert_int_equal(dbtree_iter_probe(ih2, BTR_PROBE_GE, 0, NULL, &anchor), 0);
			assert_int_equal(cur_key(ih2, cls, NULL), x);
			assert_int_equal(dbtree_iter_finish(ih2), 0);
		}
	}
	assert_int_equal(rc, -DER_NONEXIST);
	assert_int_equal(dbtree_iter_finish(ih), 0);
	/* every record present all along was returned exactly once */
	for (i = 0; i < NK; i++) {
		if (stable[i])
			assert_true(seen[i]);
	}
	assert_int_equal(dbtree_close(toh2), 0);
	assert_int_equal(dbtree_check(toh, NULL), 0);
	assert_int_equal(dbtree_destroy(toh, NULL), 0);
	bt_env_destroy(env);
}

static void
test_anchor(void **state)
{
	anchors(DBTREE_CLASS_IV, true);
	anchors(DBTREE_CLASS_IV, false);
	anchors(DBTREE_CLASS_KV, true);
	anchors(DBTREE_CLASS_NV, true);
	anchors(DBTREE_CLASS_NV, false);
}

/* Updates and deletes through the same or another handle while two iterators are open. */
static void
modify_during(bool other)
{
	struct bt_env *env = bt_env_create(0);
	unsigned int cls = DBTREE_CLASS_IV;
	bool present[NK];
	daos_handle_t toh, mh, ih, ih2;
	int rc, n = 0;

	toh = setup(env, cls, 3, present);
	mh = toh;
	if (other)
		assert_int_equal(dbtree_open_inplace(env->root, &env->uma, &mh), 0);
	assert_int_equal(dbtree_iter_prepare(toh, BTR_ITER_EMBEDDED, &ih), 0);
	assert_int_equal(dbtree_iter_prepare(toh, BTR_ITER_EMBEDDED, &ih2), -DER_BUSY);
	assert_int_equal(dbtree_iter_prepare(toh, 0, &ih2), 0);
	assert_int_equal(dbtree_iter_probe(ih2, BTR_PROBE_LAST, 0, NULL, NULL), 0);
	rc = dbtree_iter_probe(ih, BTR_PROBE_FIRST, 0, NULL, NULL);
	while (rc == 0) {
		uint64_t x = cur_key(ih, cls, NULL);
		int64_t nx;

		/* insert right after, delete the one after that, rewrite the current */
		if (x + 1 < NK && !present[x + 1] && x % 4 == 0)
			put(mh, cls, present, x + 1);
		nx = ref_neighbour(cls, present, x, true);
		if (nx >= 0 && x % 3 == 0) {
			del(mh, cls, present, nx);
			nx = ref_neighbour(cls, present, x, true);
		}
		put(mh, cls, present, x);
		/* the other iterator keeps its record too */
		assert_int_equal(cur_key(ih2, cls, NULL), ref_neighbour(cls, present, NK, false));
		rc = dbtree_iter_next(ih);
		if (nx < 0)
			assert_int_equal(rc, -DER_NONEXIST);
		else
			assert_int_equal(cur_key(ih, cls, NULL), nx);
		n++;
	}
	assert_true(n > NK / 4);
	assert_int_equal(dbtree_iter_finish(ih2), 0);
	if (other)
		assert_int_equal(dbtree_close(mh), 0);
	/* the handle can be closed before its iterators are finished */
	assert_int_equal(dbtree_close(toh), 0);
	assert_int_equal(dbtree_iter_probe(ih, BTR_PROBE_FIRST, 0, NULL, NULL), 0);
	assert_int_equal(cur_key(ih, cls, NULL), 0);
	assert_int_equal(dbtree_iter_finish(ih), 0);
	assert_int_equal(dbtree_open_inplace(env->root, &env->uma, &toh), 0);
	assert_int_equal(dbtree_destroy(toh, NULL), 0);
	bt_env_destroy(env);
}

static void
test_modify_during(void **state)
{
	modify_during(false);
	modify_during(true);
}

static void
test_iter_delete(void **state)
{
	struct bt_env *env = bt_env_create(16 << 20);
	unsigned int cls = DBTREE_CLASS_NV;
	bool present[NK];
	daos_handle_t toh, ih;
	struct btr_stat st;
	int rc, i = 0;

	toh = setup(env, cls, 4, present);
	assert_int_equal(dbtree_iter_prepare(toh, 0, &ih), 0);
	rc = dbtree_iter_probe(ih, BTR_PROBE_LAST, 0, NULL, NULL);
	while (rc == 0) {
		uint64_t x = cur_key(ih, cls, NULL);

		if (i++ % 2 == 0) {
			assert_int_equal(dbtree_iter_delete(ih, NULL), 0);
			present[x] = false;
			assert_int_equal(dbtree_iter_fetch(ih, NULL, NULL, NULL), -DER_NONEXIST);
			assert_int_equal(dbtree_iter_delete(ih, NULL), -DER_NONEXIST);
		}
		rc = dbtree_iter_prev(ih);
		if (rc == 0)
			assert_int_equal(cur_key(ih, cls, NULL),
					 ref_neighbour(cls, present, x, false));
	}
	assert_int_equal(rc, -DER_NONEXIST);
	assert_int_equal(dbtree_iter_finish(ih), 0);
	assert_int_equal(dbtree_check(toh, &st), 0);
	assert_int_equal(st.bs_rec_nr, NK / 4);
	/* after a delete, next and prev go to the neighbours */
	assert_int_equal(dbtree_iter_prepare(toh, 0, &ih), 0);
	{
		struct bt_key k;

		assert_int_equal(dbtree_iter_probe(ih, BTR_PROBE_GE, 0, bt_key(&k, cls, 100), NULL),
				 0);
	}
	{
		uint64_t x = cur_key(ih, cls, NULL);
		int64_t p = ref_neighbour(cls, present, x, false);

		assert_int_equal(dbtree_iter_delete(ih, NULL), 0);
		present[x] = false;
		assert_int_equal(dbtree_iter_prev(ih), 0);
		assert_int_equal(cur_key(ih, cls, NULL), p);
	}
	assert_int_equal(dbtree_iter_finish(ih), 0);
	assert_int_equal(dbtree_destroy(toh, NULL), 0);
	bt_env_destroy(env);
}

struct cb_arg {
	int n;
	int stop_at;
	int rc;
	int del;
};

static int
iter_cb(daos_handle_t ih, d_iov_t *key, d_iov_t *val, void *arg)
{
	struct cb_arg *a = arg;

	if (++a->n == a->stop_at)
		return a->rc;
	if (a->del)
		return dbtree_iter_delete(ih, NULL);
	return 0;
}

static void
test_iterate(void **state)
{
	struct bt_env *env = bt_env_create(16 << 20);
	bool present[NK];
	daos_handle_t toh, ih;
	struct cb_arg a;

	toh = setup(env, DBTREE_CLASS_KV, 8, present);
	a = (struct cb_arg){.stop_at = 10, .rc = 1};
	assert_int_equal(dbtree_iterate(toh, 0, false, iter_cb, &a), 0);
	assert_int_equal(a.n, 10);
	a = (struct cb_arg){.stop_at = 7, .rc = -DER_IO};
	assert_int_equal(dbtree_iterate(toh, 0, true, iter_cb, &a), -DER_IO);
	/* with the embedded iterator taken, dbtree_iterate uses its own */
	assert_int_equal(dbtree_iter_prepare(toh, BTR_ITER_EMBEDDED, &ih), 0);
	a = (struct cb_arg){.stop_at = -1};
	assert_int_equal(dbtree_iterate(toh, 0, false, iter_cb, &a), 0);
	assert_int_equal(a.n, NK / 2);
	assert_int_equal(dbtree_iter_finish(ih), 0);
	/* delete everything from the callback */
	a = (struct cb_arg){.stop_at = -1, .del = 1};
	assert_int_equal(dbtree_iterate(toh, 0, false, iter_cb, &a), 0);
	assert_int_equal(a.n, NK / 2);
	assert_int_equal(dbtree_is_empty(toh), 1);
	assert_int_equal(dbtree_iter_prepare(toh, 0, &ih), 0);
	assert_int_equal(dbtree_iter_empty(ih), 1);
	assert_int_equal(dbtree_iter_probe(ih, BTR_PROBE_FIRST, 0, NULL, NULL), -DER_NONEXIST);
	assert_int_equal(dbtree_iter_finish(ih), 0);
	assert_int_equal(dbtree_destroy(toh, NULL), 0);
	bt_env_destroy(env);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_walk),          cmocka_unit_test(test_anchor),
		cmocka_unit_test(test_modify_during), cmocka_unit_test(test_iter_delete),
		cmocka_unit_test(test_iterate),
	};

	return cmocka_run_group_tests_name("btree_iter", tests, NULL, NULL);
}
