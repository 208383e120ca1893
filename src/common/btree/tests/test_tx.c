/*
 * dbtree transactions and durability: an aborted caller transaction leaves the tree exactly
 * as before, a tree in a heap file survives close/reopen (checkpointed or replayed from the
 * log), dbtree_drain frees bounded work per call.
 */
#include "btr_utest.h"

struct dump {
	int n;
	uint64_t sum;
	uint64_t *keys;
};

static int
dump_cb(daos_handle_t ih, d_iov_t *key, d_iov_t *val, void *arg)
{
	struct dump *d = arg;
	uint64_t h = d_hash_murmur64(key->iov_buf, key->iov_len, 1) ^
		     d_hash_murmur64(val->iov_buf, val->iov_len, 2) ^ (uint64_t)val->iov_len;

	d->keys[d->n++] = h;
	d->sum += h;
	return 0;
}

static void
dump_tree(daos_handle_t toh, struct dump *d, int max)
{
	d->n = 0;
	d->sum = 0;
	d->keys = calloc(max, sizeof(uint64_t));
	assert_int_equal(dbtree_iterate(toh, 0, false, dump_cb, d), 0);
	assert_int_equal(dbtree_check(toh, NULL), 0);
}

static void
dump_equal(struct dump *a, struct dump *b)
{
	assert_int_equal(a->n, b->n);
	assert_memory_equal(a->keys, b->keys, a->n * sizeof(uint64_t));
	free(a->keys);
	free(b->keys);
}

static void
put_kv(daos_handle_t toh, uint64_t x, size_t vlen)
{
	struct bt_key k;
	char v[512];
	d_iov_t val;

	memset(v, (int)(x + vlen), vlen);
	d_iov_set(&val, v, vlen);
	assert_int_equal(dbtree_update(toh, bt_key(&k, DBTREE_CLASS_KV, x), &val), 0);
}

static void
test_abort(void **state)
{
	struct bt_env *env = bt_env_create(64 << 20);
	daos_handle_t toh;
	struct btr_root root_before;
	struct dump before, after;
	uint64_t used;
	unsigned int seed = 7;
	int i, round;

	assert_int_equal(dbtree_create_inplace(DBTREE_CLASS_KV, 0, 4, &env->uma, env->root, &toh),
			 0);
	for (i = 0; i < 3000; i += 2)
		put_kv(toh, i, 8 + i % 40);
	for (round = 0; round < 4; round++) {
		dump_tree(toh, &before, 4000);
		root_before = *env->root;
		used = bt_used(env);

		assert_int_equal(umem_tx_begin(&env->umm, NULL), 0);
		for (i = 0; i < 800; i++) {
			uint64_t x = rand_r(&seed) % 3000;
			struct bt_key k;

			if (i % 3 == 0)
				dbtree_delete(toh, BTR_PROBE_EQ, bt_key(&k, DBTREE_CLASS_KV, x),
					      NULL);
			else
				put_kv(toh, x, rand_r(&seed) % 300);
		}
		if (round == 3) {
			/* changes by iterator inside the aborted transaction too */
			struct bt_key k;
			daos_handle_t ih;

			assert_int_equal(dbtree_iter_prepare(toh, 0, &ih), 0);
			assert_int_equal(dbtree_iter_probe(ih, BTR_PROBE_FIRST, 0, NULL, NULL), 0);
			for (i = 0; i < 200; i++) {
				assert_int_equal(dbtree_iter_delete(ih, NULL), 0);
				assert_int_equal(dbtree_iter_next(ih), 0);
			}
			assert_int_equal(dbtree_iter_finish(ih), 0);
			(void)k;
		}
		assert_int_equal(dbtree_check(toh, NULL), 0);
		assert_int_equal(umem_tx_abort(&env->umm, -DER_CANCELED), -DER_CANCELED);

		assert_memory_equal(env->root, &root_before, sizeof(root_before));
		assert_int_equal(bt_used(env), used);
		dump_tree(toh, &after, 4000);
		dump_equal(&before, &after);

		/* the same work committed changes the tree */
		if (round == 1) {
			assert_int_equal(umem_tx_begin(&env->umm, NULL), 0);
			put_kv(toh, 1, 77);
			assert_int_equal(umem_tx_commit(&env->umm), 0);
		}
	}
	assert_int_equal(dbtree_destroy(toh, NULL), 0);
	bt_env_destroy(env);
}

static void
reopen_case(uint32_t flags)
{
	struct bt_env *env = bt_env_create(64 << 20);
	struct umem_pool_attr attr = {.upa_sync_ms = 1000, .upa_flags = flags};
	daos_handle_t toh;
	struct dump before, after;
	int i;

	/* reopen with the flags under test (no checkpoint on close: replay the log) */
	assert_int_equal(umem_pool_close(env->pool), 0);
	assert_int_equal(umem_pool_open(env->path, &attr, &env->pool), 0);
	bt_env_inst(env);

	assert_int_equal(dbtree_create_inplace(DBTREE_CLASS_KV, BTR_FEAT_DYNAMIC_ROOT, 16,
					       &env->uma, env->root, &toh),
			 0);
	for (i = 0; i < 5000; i++)
		put_kv(toh, i, 16 + i % 64);
	for (i = 0; i < 5000; i += 3) {
		struct bt_key k;

		assert_int_equal(
			dbtree_delete(toh, BTR_PROBE_EQ, bt_key(&k, DBTREE_CLASS_KV, i), NULL), 0);
	}
	dump_tree(toh, &before, 6000);
	assert_int_equal(dbtree_close(toh), 0);

	assert_int_equal(umem_pool_close(env->pool), 0);
	assert_int_equal(umem_pool_open(env->path, &attr, &env->pool), 0);
	bt_env_inst(env);
	assert_int_equal(umem_pool_check(env->pool, NULL), 0);
	assert_int_equal(dbtree_open_inplace(env->root, &env->uma, &toh), 0);
	dump_tree(toh, &after, 6000);
	dump_equal(&before, &after);
	for (i = 0; i < 5000; i++) {
		struct bt_key k;

		assert_int_equal(dbtree_lookup(toh, bt_key(&k, DBTREE_CLASS_KV, i), NULL),
				 i % 3 == 0 ? -DER_NONEXIST : 0);
	}
	assert_int_equal(dbtree_destroy(toh, NULL), 0);
	bt_env_destroy(env);
}

static void
test_reopen(void **state)
{
	reopen_case(0);
	reopen_case(UMEM_POOL_NO_CLOSE_CKPT);
}

static void
test_drain(void **state)
{
	struct bt_env *env = bt_env_create(32 << 20);
	uint64_t base = bt_used(env);
	daos_handle_t toh;
	struct btr_stat st;
	bool destroyed = false;
	int n = 1000, calls = 0, i, credits;

	assert_int_equal(dbtree_create_inplace(DBTREE_CLASS_IV, 0, 5, &env->uma, env->root, &toh),
			 0);
	for (i = 0; i < n; i++) {
		struct bt_key k;
		uint64_t v = i;
		d_iov_t val;

		d_iov_set(&val, &v, sizeof(v));
		assert_int_equal(
			dbtree_update(toh, bt_key(&k, DBTREE_CLASS_IV, (i * 37) % n), &val), 0);
	}
	credits = 0;
	assert_int_equal(dbtree_drain(toh, &credits, NULL, &destroyed), -DER_INVAL);
	while (!destroyed) {
		int left = n - calls * 64;

		credits = 64;
		assert_int_equal(dbtree_drain(toh, &credits, NULL, &destroyed), 0);
		calls++;
		if (left > 64) {
			assert_int_equal(credits, 0);
			assert_false(destroyed);
			assert_int_equal(dbtree_check(toh, &st), 0);
			assert_int_equal(st.bs_rec_nr, left - 64);
		} else {
			assert_int_equal(credits, 64 - left);
			assert_true(destroyed);
		}
	}
	assert_int_equal(calls, (n + 63) / 64);
	assert_int_equal(env->root->tr_class, 0);
	assert_int_equal(bt_used(env), base);
	assert_int_equal(dbtree_close(toh), 0);

	/* no credits: everything at once */
	assert_int_equal(dbtree_create_inplace(DBTREE_CLASS_NV, 0, 5, &env->uma, env->root, &toh),
			 0);
	for (i = 0; i < n; i++) {
		struct bt_key k;
		uint64_t v = i;
		d_iov_t val;

		d_iov_set(&val, &v, sizeof(v));
		assert_int_equal(dbtree_update(toh, bt_key(&k, DBTREE_CLASS_NV, i), &val), 0);
	}
	assert_int_equal(dbtree_drain(toh, NULL, NULL, &destroyed), 0);
	assert_true(destroyed);
	assert_int_equal(bt_used(env), base);
	assert_int_equal(dbtree_close(toh), 0);
	bt_env_destroy(env);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_abort),
		cmocka_unit_test(test_reopen),
		cmocka_unit_test(test_drain),
	};

	return cmocka_run_group_tests_name("btree_tx", tests, NULL, NULL);
}
