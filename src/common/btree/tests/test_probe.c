/*
 * dbtree probes: every opcode on the three built-in classes (DRAM and file heaps, several
 * orders), hidden records (to_check_availability), bad handles and arguments.
 */
#include "btr_utest.h"

/* The order of a record: (hash, index) for KV, (0, index) otherwise. */
struct ord {
	uint64_t h;
	uint64_t x;
};

static int
ord_cmp(const struct ord *a, const struct ord *b)
{
	if (a->h != b->h)
		return a->h < b->h ? -1 : 1;
	return a->x < b->x ? -1 : a->x > b->x;
}

static int
ord_qcmp(const void *a, const void *b)
{
	return ord_cmp(a, b);
}

static struct ord
ord_of(unsigned int cls, uint64_t x)
{
	struct ord o = {.h = cls == DBTREE_CLASS_KV ? bt_kv_hash(x) : 0, .x = x};

	return o;
}

/* Expected index in \a a (n sorted entries) for \a opc and probe key \a t; -1: none. */
static int
expect(struct ord *a, int n, dbtree_probe_opc_t opc, struct ord *t)
{
	int lb = 0, ub;

	while (lb < n && ord_cmp(&a[lb], t) < 0)
		lb++;
	ub = lb;
	while (ub < n && ord_cmp(&a[ub], t) <= 0)
		ub++;
	switch (opc) {
	case BTR_PROBE_FIRST:
		return n > 0 ? 0 : -1;
	case BTR_PROBE_LAST:
		return n - 1;
	case BTR_PROBE_EQ:
		return lb < n && ord_cmp(&a[lb], t) == 0 ? lb : -1;
	case BTR_PROBE_GE:
		return lb < n ? lb : -1;
	case BTR_PROBE_GT:
		return ub < n ? ub : -1;
	case BTR_PROBE_LE:
		return ub - 1;
	case BTR_PROBE_LT:
		return lb - 1;
	default:
		return -1;
	}
}

static const dbtree_probe_opc_t all_opcs[] = {BTR_PROBE_FIRST, BTR_PROBE_LAST, BTR_PROBE_EQ,
					      BTR_PROBE_GE,    BTR_PROBE_GT,   BTR_PROBE_LE,
					      BTR_PROBE_LT};

static void
check_probes(daos_handle_t toh, unsigned int cls, struct ord *a, int n, uint64_t max_key,
	     uint32_t intent)
{
	uint64_t j;
	int o;

	for (j = 0; j <= max_key; j++) {
		struct ord t = ord_of(cls, j);
		struct bt_key k;

		for (o = 0; o < (int)(sizeof(all_opcs) / sizeof(all_opcs[0])); o++) {
			int e = expect(a, n, all_opcs[o], &t);
			d_iov_t kout, vout;
			uint64_t v;
			int rc;

			d_iov_set(&kout, NULL, 0);
			d_iov_set(&vout, &v, sizeof(v));
			rc = dbtree_fetch(toh, all_opcs[o], intent, bt_key(&k, cls, j), &kout,
					  &vout);
			if (e < 0) {
				if (rc != -DER_NONEXIST)
					fail_msg("class %u opc %#x key %llu: rc %d, expected none",
						 cls, all_opcs[o], (unsigned long long)j, rc);
				continue;
			}
			if (rc != 0)
				fail_msg("class %u opc %#x key %llu: rc %d, expected %llu", cls,
					 all_opcs[o], (unsigned long long)j, rc,
					 (unsigned long long)a[e].x);
			assert_int_equal(bt_key_idx(cls, &kout), a[e].x);
			assert_int_equal(vout.iov_len, sizeof(v));
			assert_int_equal(v, a[e].x * 3 + 1);
		}
	}
}

static void
probe_class(unsigned int cls, size_t heap, unsigned int order, uint64_t feats)
{
	struct bt_env *env = bt_env_create(heap);
	daos_handle_t toh;
	struct btr_stat st;
	struct ord *a;
	int n = 300, i;

	assert_int_equal(dbtree_create_inplace(cls, feats, order, &env->uma, env->root, &toh), 0);
	/* empty tree: everything misses */
	check_probes(toh, cls, NULL, 0, 3, DAOS_INTENT_DEFAULT);

	a = calloc(n, sizeof(*a));
	for (i = 0; i < n; i++) {
		struct bt_key k;
		uint64_t x = (uint64_t)((i * 7919) % n) * 10 + 5, v = x * 3 + 1;
		d_iov_t val;

		a[i] = ord_of(cls, x);
		d_iov_set(&val, &v, sizeof(v));
		assert_int_equal(dbtree_update(toh, bt_key(&k, cls, x), &val), 0);
	}
	qsort(a, n, sizeof(*a), ord_qcmp);
	assert_int_equal(dbtree_check(toh, &st), 0);
	assert_int_equal(st.bs_rec_nr, n);
	check_probes(toh, cls, a, n, (uint64_t)n * 10 + 10, DAOS_INTENT_DEFAULT);

	/* updates in place and with a larger value (reallocated body) */
	for (i = 0; i < n; i += 7) {
		struct bt_key k;
		char big[100];
		d_iov_t val, out;

		memset(big, 'z', sizeof(big));
		d_iov_set(&val, big, sizeof(big));
		assert_int_equal(dbtree_update(toh, bt_key(&k, cls, a[i].x), &val), 0);
		d_iov_set(&out, NULL, 0);
		assert_int_equal(dbtree_lookup(toh, bt_key(&k, cls, a[i].x), &out), 0);
		assert_int_equal(out.iov_len, sizeof(big));
		assert_memory_equal(out.iov_buf, big, sizeof(big));
	}
	for (i = 0; i < n; i += 7) {
		struct bt_key k;
		uint64_t v = a[i].x * 3 + 1;
		d_iov_t val;

		d_iov_set(&val, &v, sizeof(v));
		assert_int_equal(dbtree_upsert(toh, BTR_PROBE_EQ, DAOS_INTENT_UPDATE,
					       bt_key(&k, cls, a[i].x), &val, NULL),
				 0);
	}
	check_probes(toh, cls, a, n, (uint64_t)n * 10 + 10, DAOS_INTENT_DEFAULT);
	assert_int_equal(dbtree_check(toh, &st), 0);
	assert_int_equal(st.bs_rec_nr, n);

	assert_int_equal(dbtree_destroy(toh, NULL), 0);
	assert_int_equal(env->root->tr_class, 0);
	free(a);
	bt_env_destroy(env);
}

static void
test_probe_iv(void **state)
{
	probe_class(DBTREE_CLASS_IV, 0, 3, 0);
	probe_class(DBTREE_CLASS_IV, 0, 16, BTR_FEAT_DYNAMIC_ROOT);
	probe_class(DBTREE_CLASS_IV, 32 << 20, 5, 0);
}

static void
test_probe_kv(void **state)
{
	probe_class(DBTREE_CLASS_KV, 0, 3, 0);
	probe_class(DBTREE_CLASS_KV, 32 << 20, 16, BTR_FEAT_DYNAMIC_ROOT);
}

static void
test_probe_nv(void **state)
{
	probe_class(DBTREE_CLASS_NV, 0, 3, 0);
	probe_class(DBTREE_CLASS_NV, 32 << 20, 12, BTR_FEAT_DYNAMIC_ROOT);
}

/* A class that hides every key divisible by 3 (as VOS hides uncommitted records). */
#define AV_CLASS DBTREE_VOS_BEGIN

static int
av_alloc(struct btr_instance *tins, d_iov_t *key, d_iov_t *val, struct btr_record *rec,
	 d_iov_t *val_out)
{
	umem_off_t off = umem_alloc(&tins->ti_umm, sizeof(uint64_t));

	if (UMOFF_IS_NULL(off))
		return -DER_NOSPACE;
	memcpy(umem_off2ptr(&tins->ti_umm, off), val->iov_buf, sizeof(uint64_t));
	rec->rec_off = off;
	return 0;
}

static int
av_free(struct btr_instance *tins, struct btr_record *rec, void *args)
{
	if (args != NULL)
		(*(int *)args)++;
	return umem_free(&tins->ti_umm, rec->rec_off);
}

static int
av_fetch(struct btr_instance *tins, struct btr_record *rec, d_iov_t *key, d_iov_t *val)
{
	if (key != NULL)
		d_iov_set(key, rec->rec_ukey, sizeof(uint64_t));
	if (val != NULL) {
		if (val->iov_buf == NULL)
			d_iov_set(val, umem_off2ptr(&tins->ti_umm, rec->rec_off), 8);
		else
			memcpy(val->iov_buf, umem_off2ptr(&tins->ti_umm, rec->rec_off), 8);
		val->iov_len = 8;
	}
	return 0;
}

static int
av_check(struct btr_instance *tins, struct btr_record *rec, uint32_t intent)
{
	if (intent == DAOS_INTENT_PURGE)
		return ALB_AVAILABLE_DIRTY;
	if (rec->rec_ukey[0] == 1000003)
		return -DER_INPROGRESS;
	return rec->rec_ukey[0] % 3 == 0 ? ALB_UNAVAILABLE : ALB_AVAILABLE_CLEAN;
}

static btr_ops_t av_ops = {
	.to_rec_alloc = av_alloc,
	.to_rec_free = av_free,
	.to_rec_fetch = av_fetch,
	.to_check_availability = av_check,
};

static int
count_cb(daos_handle_t ih, d_iov_t *key, d_iov_t *val, void *arg)
{
	(*(int *)arg)++;
	return 0;
}

static void
test_availability(void **state)
{
	struct bt_env *env = bt_env_create(0);
	daos_handle_t toh;
	struct ord *a;
	int n = 200, nv = 0, i, cnt, freed = 0;

	assert_int_equal(dbtree_class_register(AV_CLASS, BTR_FEAT_UINT_KEY, &av_ops), 0);
	/* the same ops again is fine, other ops are not */
	assert_int_equal(dbtree_class_register(AV_CLASS, BTR_FEAT_UINT_KEY, &av_ops), 0);
	assert_int_equal(dbtree_class_register(AV_CLASS, BTR_FEAT_UINT_KEY, &(btr_ops_t){0}),
			 -DER_INVAL);
	assert_int_equal(dbtree_create_inplace(AV_CLASS, 0, 4, &env->uma, env->root, &toh), 0);
	a = calloc(n, sizeof(*a));
	for (i = 0; i < n; i++) {
		struct bt_key k;
		uint64_t x = (uint64_t)i * 10 + 5, v = x * 3 + 1;
		d_iov_t val;

		d_iov_set(&val, &v, sizeof(v));
		assert_int_equal(dbtree_update(toh, bt_key(&k, DBTREE_CLASS_IV, x), &val), 0);
		if (x % 3 != 0)
			a[nv++] = ord_of(DBTREE_CLASS_IV, x);
	}
	check_probes(toh, DBTREE_CLASS_IV, a, nv, (uint64_t)n * 10 + 10, DAOS_INTENT_DEFAULT);
	cnt = 0;
	assert_int_equal(dbtree_iterate(toh, DAOS_INTENT_DEFAULT, false, count_cb, &cnt), 0);
	assert_int_equal(cnt, nv);
	cnt = 0;
	assert_int_equal(dbtree_iterate(toh, DAOS_INTENT_DEFAULT, true, count_cb, &cnt), 0);
	assert_int_equal(cnt, nv);
	/* purge sees everything */
	cnt = 0;
	assert_int_equal(dbtree_iterate(toh, DAOS_INTENT_PURGE, false, count_cb, &cnt), 0);
	assert_int_equal(cnt, n);

	/* a hidden record cannot be deleted by key, but is updated (not duplicated) */
	{
		struct bt_key k;
		uint64_t v = 7;
		d_iov_t val;
		struct btr_stat st;

		assert_int_equal(
			dbtree_delete(toh, BTR_PROBE_EQ, bt_key(&k, DBTREE_CLASS_IV, 15), NULL),
			-DER_NONEXIST);
		d_iov_set(&val, &v, sizeof(v));
		assert_int_equal(dbtree_update(toh, bt_key(&k, DBTREE_CLASS_IV, 15), &val), 0);
		assert_int_equal(dbtree_check(toh, &st), 0);
		assert_int_equal(st.bs_rec_nr, n);
		/* errors of the hook are returned */
		assert_int_equal(dbtree_update(toh, bt_key(&k, DBTREE_CLASS_IV, 1000003), &val), 0);
		assert_int_equal(dbtree_lookup(toh, bt_key(&k, DBTREE_CLASS_IV, 1000003), NULL),
				 -DER_INPROGRESS);
		assert_int_equal(dbtree_delete(toh, BTR_PROBE_EQ,
					       bt_key(&k, DBTREE_CLASS_IV, 1000003), &freed),
				 -DER_INPROGRESS);
	}
	assert_int_equal(dbtree_destroy(toh, &freed), 0);
	assert_int_equal(freed, n + 1);
	free(a);
	bt_env_destroy(env);
}

static void
test_bad_args(void **state)
{
	struct bt_env *env = bt_env_create(0);
	daos_handle_t toh, ih, bad = {.cookie = 0xdeadbeef12345678ULL};
	struct bt_key k;
	struct btr_attr attr;
	uint64_t v = 1;
	d_iov_t val;
	bool destroyed;
	int credits = 1;

	d_iov_set(&val, &v, sizeof(v));
	assert_int_equal(dbtree_update(bad, bt_key(&k, DBTREE_CLASS_IV, 1), &val), -DER_NO_HDL);
	assert_int_equal(dbtree_lookup(DAOS_HDL_INVAL, bt_key(&k, DBTREE_CLASS_IV, 1), NULL),
			 -DER_NO_HDL);
	assert_int_equal(dbtree_close(bad), -DER_NO_HDL);
	assert_int_equal(dbtree_iter_next(bad), -DER_NO_HDL);
	assert_int_equal(dbtree_drain(bad, &credits, NULL, &destroyed), -DER_NO_HDL);
	assert_null(btr_hdl2umm(bad));

	assert_int_equal(dbtree_create_inplace(DBTREE_CLASS_IV, 0, 2, &env->uma, env->root, &toh),
			 -DER_INVAL);
	assert_int_equal(dbtree_create_inplace(DBTREE_CLASS_IV, 0, BTR_ORDER_MAX + 1, &env->uma,
					       env->root, &toh),
			 -DER_INVAL);
	assert_int_equal(dbtree_create_inplace(63, 0, 8, &env->uma, env->root, &toh),
			 -DER_NONEXIST);
	assert_int_equal(dbtree_create_inplace(DBTREE_CLASS_IV, BTR_FEAT_DIRECT_KEY, 8, &env->uma,
					       env->root, &toh),
			 -DER_PROTO);
	assert_int_equal(dbtree_open_inplace(env->root, &env->uma, &toh), -DER_INVAL);
	assert_int_equal(dbtree_create_inplace(DBTREE_CLASS_IV, 0, 8, &env->uma, env->root, &toh),
			 0);
	assert_int_equal(dbtree_create_inplace(DBTREE_CLASS_IV, 0, 8, &env->uma, env->root, &ih),
			 -DER_NO_PERM);
	assert_non_null(btr_hdl2umm(toh));
	/* IV keys are 8 bytes */
	d_iov_set(&k.iov, "abc", 3);
	assert_int_equal(dbtree_update(toh, &k.iov, &val), -DER_INVAL);
	assert_int_equal(dbtree_fetch(toh, 77, 0, bt_key(&k, DBTREE_CLASS_IV, 1), NULL, NULL),
			 -DER_INVAL);
	assert_int_equal(dbtree_delete(toh, BTR_PROBE_EQ, bt_key(&k, DBTREE_CLASS_IV, 1), NULL),
			 -DER_NONEXIST);
	assert_int_equal(dbtree_is_empty(toh), 1);
	assert_int_equal(dbtree_update(toh, bt_key(&k, DBTREE_CLASS_IV, 1), &val), 0);
	assert_int_equal(dbtree_is_empty(toh), 0);
	assert_int_equal(dbtree_query(toh, &attr, NULL), 0);
	assert_int_equal(attr.ba_order, 8);
	assert_int_equal(attr.ba_depth, 1);
	assert_int_equal(attr.ba_class, DBTREE_CLASS_IV);
	assert_int_equal(attr.ba_count, 1);
	/* a second handle on the same root sees the record; a closed handle is dead */
	assert_int_equal(dbtree_open_inplace(env->root, &env->uma, &ih), 0);
	assert_int_equal(dbtree_lookup(ih, bt_key(&k, DBTREE_CLASS_IV, 1), NULL), 0);
	assert_int_equal(dbtree_close(ih), 0);
	assert_int_equal(dbtree_close(ih), -DER_NO_HDL);
	assert_int_equal(dbtree_lookup(ih, bt_key(&k, DBTREE_CLASS_IV, 1), NULL), -DER_NO_HDL);
	/* iterator handles are not tree handles */
	assert_int_equal(dbtree_iter_prepare(toh, 0, &ih), 0);
	assert_int_equal(dbtree_lookup(ih, bt_key(&k, DBTREE_CLASS_IV, 1), NULL), -DER_NO_HDL);
	assert_int_equal(dbtree_iter_fetch(ih, NULL, NULL, NULL), -DER_NO_PERM);
	assert_int_equal(dbtree_iter_finish(ih), 0);
	assert_int_equal(dbtree_iter_finish(ih), -DER_NO_HDL);
	assert_int_equal(dbtree_destroy(toh, NULL), 0);
	assert_int_equal(dbtree_close(toh), -DER_NO_HDL);
	bt_env_destroy(env);
}

/* dbtree_create: the root is a heap object of its own, freed by destroy. */
static void
test_create_off(void **state)
{
	struct bt_env *env = bt_env_create(16 << 20);
	daos_handle_t toh;
	umem_off_t off;
	struct bt_key k;
	uint64_t used = bt_used(env), v = 5;
	d_iov_t val;

	d_iov_set(&val, &v, sizeof(v));
	assert_int_equal(dbtree_create(DBTREE_CLASS_NV, 0, 8, &env->uma, &off, &toh), 0);
	assert_int_equal(dbtree_update(toh, bt_key(&k, DBTREE_CLASS_NV, 9), &val), 0);
	assert_int_equal(dbtree_close(toh), 0);
	assert_int_equal(dbtree_open(off, &env->uma, &toh), 0);
	assert_int_equal(dbtree_lookup(toh, bt_key(&k, DBTREE_CLASS_NV, 9), NULL), 0);
	assert_int_equal(dbtree_destroy(toh, NULL), 0);
	assert_int_equal(bt_used(env), used);
	bt_env_destroy(env);
}

static void *seen_priv;

static int
priv_alloc(struct btr_instance *tins, d_iov_t *key, d_iov_t *val, struct btr_record *rec,
	   d_iov_t *val_out)
{
	seen_priv = tins->ti_priv;
	return av_alloc(tins, key, val, rec, val_out);
}

static btr_ops_t priv_ops = {
	.to_rec_alloc = priv_alloc,
	.to_rec_free = av_free,
	.to_rec_fetch = av_fetch,
};

/* BTR_PROBE_BYPASS after a lookup, and the private pointer of the *_ex calls. */
static void
test_bypass_priv(void **state)
{
	struct bt_env *env = bt_env_create(0);
	daos_handle_t toh;
	struct btr_stat st;
	int i, cookie = 0;

	assert_int_equal(dbtree_create_inplace(DBTREE_CLASS_KV, 0, 3, &env->uma, env->root, &toh),
			 0);
	for (i = 0; i < 500; i++) {
		struct bt_key k, k2;
		uint64_t v = i;
		d_iov_t val, out;

		d_iov_set(&val, &v, sizeof(v));
		/* miss, then insert at the position found */
		assert_int_equal(dbtree_lookup(toh, bt_key(&k, DBTREE_CLASS_KV, i), NULL),
				 -DER_NONEXIST);
		assert_int_equal(dbtree_upsert(toh, BTR_PROBE_BYPASS, DAOS_INTENT_UPDATE, &k.iov,
					       &val, &out),
				 0);
		assert_int_equal(*(uint64_t *)out.iov_buf, i);
		/* a bypass for another key than the one probed probes again */
		assert_int_equal(dbtree_lookup(toh, bt_key(&k, DBTREE_CLASS_KV, i), NULL), 0);
		assert_int_equal(dbtree_upsert(toh, BTR_PROBE_BYPASS, DAOS_INTENT_UPDATE,
					       bt_key(&k2, DBTREE_CLASS_KV, i + 100000), &val,
					       NULL),
				 0);
		/* hit, then update in place; then delete through the bypass */
		assert_int_equal(dbtree_lookup(toh, &k.iov, NULL), 0);
		assert_int_equal(dbtree_upsert(toh, BTR_PROBE_BYPASS, DAOS_INTENT_UPDATE, &k.iov,
					       &val, NULL),
				 0);
		assert_int_equal(dbtree_lookup(toh, &k2.iov, NULL), 0);
		assert_int_equal(dbtree_delete(toh, BTR_PROBE_BYPASS, &k2.iov, NULL), 0);
	}
	assert_int_equal(dbtree_check(toh, &st), 0);
	assert_int_equal(st.bs_rec_nr, 500);
	/* a position saved by one handle is void once another handle changed the tree */
	{
		struct btr_root r2 = {0};
		daos_handle_t ah, oh;
		struct bt_key k, k2;
		uint64_t v = 1;
		d_iov_t val;

		d_iov_set(&val, &v, sizeof(v));
		assert_int_equal(dbtree_create_inplace(DBTREE_CLASS_IV, 0, 3, &env->uma, &r2, &ah),
				 0);
		assert_int_equal(dbtree_open_inplace(&r2, &env->uma, &oh), 0);
		for (i = 0; i < 300; i++) {
			uint64_t x = (uint64_t)i * 10 + 5;

			assert_int_equal(dbtree_lookup(ah, bt_key(&k, DBTREE_CLASS_IV, x), NULL),
					 -DER_NONEXIST);
			/* neighbours of x, in the leaf the lookup stopped in */
			assert_int_equal(
				dbtree_update(oh, bt_key(&k2, DBTREE_CLASS_IV, x - 1), &val), 0);
			assert_int_equal(
				dbtree_update(oh, bt_key(&k2, DBTREE_CLASS_IV, x - 2), &val), 0);
			assert_int_equal(dbtree_upsert(ah, BTR_PROBE_BYPASS, DAOS_INTENT_UPDATE,
						       &k.iov, &val, NULL),
					 0);
		}
		assert_int_equal(dbtree_check(ah, &st), 0);
		assert_int_equal(st.bs_rec_nr, 900);
		assert_int_equal(dbtree_close(oh), 0);
		assert_int_equal(dbtree_destroy(ah, NULL), 0);
	}
	assert_int_equal(dbtree_destroy(toh, NULL), 0);

	assert_int_equal(dbtree_class_register(AV_CLASS + 1, BTR_FEAT_UINT_KEY, &priv_ops), 0);
	assert_int_equal(
		dbtree_create_inplace_ex(AV_CLASS + 1, 0, 8, &env->uma, env->root, &cookie, &toh),
		0);
	{
		struct bt_key k;
		uint64_t v = 1;
		d_iov_t val;

		d_iov_set(&val, &v, sizeof(v));
		assert_int_equal(dbtree_update(toh, bt_key(&k, DBTREE_CLASS_IV, 1), &val), 0);
		assert_ptr_equal(seen_priv, &cookie);
		assert_int_equal(dbtree_close(toh), 0);
		assert_int_equal(dbtree_open_inplace_ex(env->root, &env->uma, env, &toh), 0);
		assert_int_equal(dbtree_update(toh, bt_key(&k, DBTREE_CLASS_IV, 2), &val), 0);
		assert_ptr_equal(seen_priv, env);
	}
	assert_int_equal(dbtree_destroy(toh, NULL), 0);
	bt_env_destroy(env);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_probe_iv),    cmocka_unit_test(test_probe_kv),
		cmocka_unit_test(test_probe_nv),    cmocka_unit_test(test_availability),
		cmocka_unit_test(test_bad_args),    cmocka_unit_test(test_create_off),
		cmocka_unit_test(test_bypass_priv),
	};

	return cmocka_run_group_tests_name("btree_probe", tests, NULL, NULL);
}
