/*
 * dbtree against a reference: 100k random inserts/updates/deletes per class, with the full
 * structure checked (order, separators, balance, fill, record count) and the content compared
 * at intervals; a tree emptied by deletes keeps no heap space beyond its root.
 */
#include "btr_utest.h"

#define NKEYS 4000
#define NOPS  100000
#define EVERY 10000

/* A hashed class whose 1-byte hkey collides all the time: ties go to the real key. */
#define CL_CLASS (DBTREE_VOS_BEGIN + 1)
#define CL_MOD   7

struct cl_body {
	uint32_t klen;
	uint32_t vlen;
	char data[0];
};

static void
cl_hkey_gen(struct btr_instance *tins, d_iov_t *key, void *hkey)
{
	char tmp[32];

	memcpy(tmp, key->iov_buf, key->iov_len);
	tmp[key->iov_len] = 0;
	*(uint8_t *)hkey = strtoull(tmp + 1, NULL, 10) % CL_MOD;
}

static int
cl_hkey_size(void)
{
	return 1;
}

static int
cl_key_cmp(struct btr_instance *tins, struct btr_record *rec, d_iov_t *key)
{
	struct cl_body *b = umem_off2ptr(&tins->ti_umm, rec->rec_off);
	size_t n = b->klen < key->iov_len ? b->klen : key->iov_len;
	int c = memcmp(b->data, key->iov_buf, n);

	if (c == 0)
		c = b->klen < key->iov_len ? -1 : b->klen > key->iov_len;
	return dbtree_key_cmp_rc(c);
}

static void
cl_encode(struct btr_instance *tins, d_iov_t *key, daos_anchor_t *anchor)
{
	uint16_t len = key->iov_len;

	memcpy(anchor->da_buf, &len, 2);
	memcpy(anchor->da_buf + 2, key->iov_buf, len);
}

static void
cl_decode(struct btr_instance *tins, d_iov_t *key, daos_anchor_t *anchor)
{
	uint16_t len;

	memcpy(&len, anchor->da_buf, 2);
	d_iov_set(key, anchor->da_buf + 2, len);
}

static int
cl_alloc(struct btr_instance *tins, d_iov_t *key, d_iov_t *val, struct btr_record *rec,
	 d_iov_t *val_out)
{
	umem_off_t off = umem_alloc(&tins->ti_umm, sizeof(struct cl_body) + key->iov_len + 8);
	struct cl_body *b;

	if (UMOFF_IS_NULL(off))
		return -DER_NOSPACE;
	b = umem_off2ptr(&tins->ti_umm, off);
	b->klen = key->iov_len;
	b->vlen = 8;
	memcpy(b->data, key->iov_buf, key->iov_len);
	memcpy(b->data + key->iov_len, val->iov_buf, 8);
	rec->rec_off = off;
	return 0;
}

static int
cl_free(struct btr_instance *tins, struct btr_record *rec, void *args)
{
	return umem_free(&tins->ti_umm, rec->rec_off);
}

static int
cl_fetch(struct btr_instance *tins, struct btr_record *rec, d_iov_t *key, d_iov_t *val)
{
	struct cl_body *b = umem_off2ptr(&tins->ti_umm, rec->rec_off);

	if (key != NULL)
		d_iov_set(key, b->data, b->klen);
	if (val != NULL) {
		if (val->iov_buf == NULL)
			d_iov_set(val, b->data + b->klen, 8);
		else
			memcpy(val->iov_buf, b->data + b->klen, 8);
		val->iov_len = 8;
	}
	return 0;
}

static int
cl_update(struct btr_instance *tins, struct btr_record *rec, d_iov_t *key, d_iov_t *val,
	  d_iov_t *val_out)
{
	struct cl_body *b = umem_off2ptr(&tins->ti_umm, rec->rec_off);
	int rc;

	rc = umem_tx_add_ptr(&tins->ti_umm, b->data + b->klen, 8);
	if (rc == 0)
		memcpy(b->data + b->klen, val->iov_buf, 8);
	return rc;
}

static btr_ops_t cl_ops = {
	.to_hkey_gen = cl_hkey_gen,
	.to_hkey_size = cl_hkey_size,
	.to_key_cmp = cl_key_cmp,
	.to_key_encode = cl_encode,
	.to_key_decode = cl_decode,
	.to_rec_alloc = cl_alloc,
	.to_rec_free = cl_free,
	.to_rec_fetch = cl_fetch,
	.to_rec_update = cl_update,
};

static unsigned int
key_cls(unsigned int cls)
{
	return cls == CL_CLASS ? DBTREE_CLASS_KV : cls;
}

/* class order of index x: (major, x) */
static uint64_t
ord_major(unsigned int cls, uint64_t x)
{
	if (cls == DBTREE_CLASS_KV)
		return bt_kv_hash(x);
	if (cls == CL_CLASS)
		return x % CL_MOD;
	return 0;
}

struct walk {
	unsigned int cls;
	uint64_t *ref;
	int n;
	bool have_prev;
	uint64_t prev;
};

static int
walk_cb(daos_handle_t ih, d_iov_t *key, d_iov_t *val, void *arg)
{
	struct walk *w = arg;
	uint64_t x = bt_key_idx(key_cls(w->cls), key), v;

	assert_true(x < NKEYS);
	assert_int_equal(val->iov_len, sizeof(v));
	memcpy(&v, val->iov_buf, sizeof(v));
	assert_int_equal(w->ref[x], v);
	if (w->have_prev) {
		uint64_t a = ord_major(w->cls, w->prev), b = ord_major(w->cls, x);

		assert_true(a < b || (a == b && w->prev < x));
	}
	w->have_prev = true;
	w->prev = x;
	w->n++;
	return 0;
}

static void
verify(daos_handle_t toh, unsigned int cls, uint64_t *ref, int nref)
{
	struct btr_stat st;
	struct walk w = {.cls = cls, .ref = ref};

	assert_int_equal(dbtree_check(toh, &st), 0);
	assert_int_equal(st.bs_rec_nr, nref);
	assert_int_equal(dbtree_iterate(toh, DAOS_INTENT_DEFAULT, false, walk_cb, &w), 0);
	assert_int_equal(w.n, nref);
}

static void
random_class(unsigned int cls, size_t heap, unsigned int order, uint64_t feats, int nops)
{
	struct bt_env *env = bt_env_create(heap);
	uint64_t *ref = calloc(NKEYS, sizeof(*ref)); /* 0: absent, else the value */
	uint64_t used;
	daos_handle_t toh;
	unsigned int seed = 1234 + cls * 7 + order;
	int nref = 0, i;

	assert_int_equal(dbtree_create_inplace(cls, feats, order, &env->uma, env->root, &toh), 0);
	used = bt_used(env);
	for (i = 1; i <= nops; i++) {
		struct bt_key k;
		uint64_t x = rand_r(&seed) % NKEYS, v = ((uint64_t)i << 16) | x, got;
		d_iov_t val;
		int rc;

		/* insert-heavy first half, delete-heavy second half */
		if ((int)(rand_r(&seed) % 100) < (i < nops / 2 ? 65 : 35)) {
			d_iov_set(&val, &v, sizeof(v));
			assert_int_equal(dbtree_update(toh, bt_key(&k, key_cls(cls), x), &val), 0);
			nref += ref[x] == 0;
			ref[x] = v;
		} else {
			rc = dbtree_delete(toh, BTR_PROBE_EQ, bt_key(&k, key_cls(cls), x), NULL);
			assert_int_equal(rc, ref[x] != 0 ? 0 : -DER_NONEXIST);
			nref -= ref[x] != 0;
			ref[x] = 0;
		}
		if (i % 97 == 0) {
			d_iov_set(&val, &got, sizeof(got));
			x = rand_r(&seed) % NKEYS;
			rc = dbtree_lookup(toh, bt_key(&k, key_cls(cls), x), &val);
			if (ref[x] == 0) {
				assert_int_equal(rc, -DER_NONEXIST);
			} else {
				assert_int_equal(rc, 0);
				assert_int_equal(got, ref[x]);
			}
		}
		if (i % EVERY == 0)
			verify(toh, cls, ref, nref);
	}
	verify(toh, cls, ref, nref);

	/* empty it by deletes: only the root is left */
	for (i = 0; i < NKEYS; i++) {
		struct bt_key k;

		if (ref[i] != 0)
			assert_int_equal(
				dbtree_delete(toh, BTR_PROBE_EQ, bt_key(&k, key_cls(cls), i), NULL),
				0);
	}
	{
		struct btr_stat st;

		assert_int_equal(dbtree_check(toh, &st), 0);
		assert_int_equal(st.bs_node_nr, 0);
		assert_int_equal(dbtree_is_empty(toh), 1);
		assert_int_equal(env->root->tr_depth, 0);
		assert_int_equal(bt_used(env), used);
	}
	assert_int_equal(dbtree_destroy(toh, NULL), 0);
	free(ref);
	bt_env_destroy(env);
}

static void
test_random_iv(void **state)
{
	random_class(DBTREE_CLASS_IV, 0, 3, 0, NOPS);
	random_class(DBTREE_CLASS_IV, 0, 32, BTR_FEAT_DYNAMIC_ROOT, NOPS);
}

static void
test_random_kv(void **state)
{
	random_class(DBTREE_CLASS_KV, 64 << 20, 7, BTR_FEAT_DYNAMIC_ROOT, NOPS);
}

static void
test_random_nv(void **state)
{
	random_class(DBTREE_CLASS_NV, 0, 4, 0, NOPS);
}

static void
test_random_collide(void **state)
{
	assert_int_equal(dbtree_class_register(CL_CLASS, 0, &cl_ops), 0);
	random_class(CL_CLASS, 0, 3, 0, NOPS / 2);
	random_class(CL_CLASS, 0, 5, 0, NOPS / 2);
}

/* Sequential keys fill nodes (split at the right edge) and still delete cleanly. */
static void
test_sequential(void **state)
{
	struct bt_env *env = bt_env_create(0);
	daos_handle_t toh;
	struct btr_stat st;
	int n = 20000, i;

	assert_int_equal(dbtree_create_inplace(DBTREE_CLASS_IV, 0, 16, &env->uma, env->root, &toh),
			 0);
	for (i = 0; i < n; i++) {
		struct bt_key k;
		uint64_t v = i;
		d_iov_t val;

		d_iov_set(&val, &v, sizeof(v));
		assert_int_equal(dbtree_update(toh, bt_key(&k, DBTREE_CLASS_IV, i), &val), 0);
	}
	assert_int_equal(dbtree_check(toh, &st), 0);
	assert_int_equal(st.bs_rec_nr, n);
	/* nearly full leaves: about n / 16 of them */
	assert_true(st.bs_node_nr < (uint64_t)n / 16 * 11 / 10 + 10);
	for (i = n - 1; i >= 0; i -= 2) {
		struct bt_key k;

		assert_int_equal(
			dbtree_delete(toh, BTR_PROBE_EQ, bt_key(&k, DBTREE_CLASS_IV, i), NULL), 0);
	}
	assert_int_equal(dbtree_check(toh, &st), 0);
	assert_int_equal(st.bs_rec_nr, n / 2);
	assert_int_equal(dbtree_destroy(toh, NULL), 0);
	bt_env_destroy(env);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_random_iv),  cmocka_unit_test(test_random_kv),
		cmocka_unit_test(test_random_nv),  cmocka_unit_test(test_random_collide),
		cmocka_unit_test(test_sequential),
	};

	return cmocka_run_group_tests_name("btree_random", tests, NULL, NULL);
}
