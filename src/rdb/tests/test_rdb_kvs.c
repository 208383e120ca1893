/*
 * rdb: KVS classes (iteration order, probes) with and without uncommitted updates, nested KVS
 * destroy, and TXs from ULTs of one xstream.
 */
#include <daos_srv/ult.h>
#include "rdb_utest.h"

#define NKEYS 200

struct collect {
	int n;
	int stop_at;
	uint64_t ints[NKEYS * 2];
	char strs[NKEYS * 2][32];
};

static int
collect_cb(daos_handle_t ih, d_iov_t *key, d_iov_t *val, void *arg)
{
	struct collect *c = arg;

	assert_true(c->n < NKEYS * 2);
	if (key->iov_len == sizeof(uint64_t))
		memcpy(&c->ints[c->n], key->iov_buf, sizeof(uint64_t));
	assert_true(key->iov_len < sizeof(c->strs[0]));
	memcpy(c->strs[c->n], key->iov_buf, key->iov_len);
	c->strs[c->n][key->iov_len] = '\0';
	assert_true(val->iov_len > 0);
	c->n++;
	if (c->stop_at > 0 && c->n == c->stop_at)
		return 1;
	return 0;
}

static int
err_cb(daos_handle_t ih, d_iov_t *key, d_iov_t *val, void *arg)
{
	return -DER_MISC;
}

static void
mkkvs(struct utest *ut, const char *name, enum rdb_kvs_class cls)
{
	struct rdb_kvs_attr attr = {.dsa_class = cls};
	struct rdb_tx tx;
	d_iov_t k = ut_key(name);

	assert_int_equal(rdb_tx_begin(ut->db, RDB_NIL_TERM, &tx), 0);
	assert_int_equal(rdb_tx_create_kvs(&tx, &ut->root, &k, &attr), 0);
	assert_int_equal(rdb_tx_commit(&tx), 0);
	rdb_tx_end(&tx);
}

static uint64_t
ikey(int i)
{
	/* spread, not inserted in order */
	return ((uint64_t)(i * 7919) % 1000) * 1000003ULL + i;
}

static void
test_integer_order(void **state)
{
	struct utest *ut = *state;
	struct rdb_tx tx;
	struct collect c;
	rdb_path_t p;
	d_iov_t k, v;
	uint64_t x, out;
	int i;

	ut_create_root(ut, RDB_KVS_GENERIC);
	mkkvs(ut, "ints", RDB_KVS_INTEGER);
	ut_path(&p, "ints", NULL);
	assert_int_equal(rdb_tx_begin(ut->db, RDB_NIL_TERM, &tx), 0);
	for (i = 0; i < NKEYS; i += 2) { /* even i committed */
		x = ikey(i);
		k = ut_ukey(&x);
		d_iov_set(&v, &x, sizeof(x));
		assert_int_equal(rdb_tx_update(&tx, &p, &k, &v), 0);
	}
	assert_int_equal(rdb_tx_commit(&tx), 0);
	rdb_tx_end(&tx);

	for (int dirty = 0; dirty < 2; dirty++) {
		int expect = dirty ? NKEYS / 2 + NKEYS / 2 - 10 : NKEYS / 2;

		assert_int_equal(rdb_tx_begin(ut->db, RDB_NIL_TERM, &tx), 0);
		if (dirty) {
			/* odd i uncommitted; 10 committed ones deleted */
			for (i = 1; i < NKEYS; i += 2) {
				x = ikey(i);
				k = ut_ukey(&x);
				d_iov_set(&v, &x, sizeof(x));
				assert_int_equal(rdb_tx_update(&tx, &p, &k, &v), 0);
			}
			for (i = 0; i < 20; i += 2) {
				x = ikey(i);
				k = ut_ukey(&x);
				assert_int_equal(rdb_tx_delete(&tx, &p, &k), 0);
			}
		}
		memset(&c, 0, sizeof(c));
		assert_int_equal(rdb_tx_iterate(&tx, &p, false, collect_cb, &c), 0);
		assert_int_equal(c.n, expect);
		for (i = 1; i < c.n; i++)
			assert_true(c.ints[i - 1] < c.ints[i]);
		memset(&c, 0, sizeof(c));
		assert_int_equal(rdb_tx_iterate(&tx, &p, true, collect_cb, &c), 0);
		assert_int_equal(c.n, expect);
		for (i = 1; i < c.n; i++)
			assert_true(c.ints[i - 1] > c.ints[i]);
		/* early stop, errors */
		memset(&c, 0, sizeof(c));
		c.stop_at = 5;
		assert_int_equal(rdb_tx_iterate(&tx, &p, false, collect_cb, &c), 0);
		assert_int_equal(c.n, 5);
		assert_int_equal(rdb_tx_iterate(&tx, &p, false, err_cb, NULL), -DER_MISC);

		/* probes agree with the iteration */
		memset(&c, 0, sizeof(c));
		assert_int_equal(rdb_tx_iterate(&tx, &p, false, collect_cb, &c), 0);
		k = ut_ukey(&out);
		assert_int_equal(rdb_tx_fetch(&tx, &p, RDB_PROBE_FIRST, NULL, &k, NULL), 0);
		assert_int_equal(out, c.ints[0]);
		assert_int_equal(rdb_tx_query_key_max(&tx, &p, &k), 0);
		assert_int_equal(out, c.ints[c.n - 1]);
		for (i = 1; i < c.n - 1; i += 17) {
			d_iov_t kin;
			uint64_t val = 0;

			x = c.ints[i];
			kin = ut_ukey(&x);
			d_iov_set(&v, &val, sizeof(val));
			assert_int_equal(rdb_tx_fetch(&tx, &p, RDB_PROBE_EQ, &kin, &k, &v), 0);
			assert_int_equal(out, x);
			assert_int_equal(val, x);
			assert_int_equal(rdb_tx_fetch(&tx, &p, RDB_PROBE_GT, &kin, &k, NULL), 0);
			assert_int_equal(out, c.ints[i + 1]);
			assert_int_equal(rdb_tx_fetch(&tx, &p, RDB_PROBE_LT, &kin, &k, NULL), 0);
			assert_int_equal(out, c.ints[i - 1]);
			x = c.ints[i] + 1; /* between two keys */
			assert_int_equal(rdb_tx_fetch(&tx, &p, RDB_PROBE_GE, &kin, &k, NULL), 0);
			assert_int_equal(out, c.ints[i + 1]);
			assert_int_equal(rdb_tx_fetch(&tx, &p, RDB_PROBE_LE, &kin, &k, NULL), 0);
			assert_int_equal(out, c.ints[i]);
		}
		x = c.ints[c.n - 1] + 1;
		{
			d_iov_t kin = ut_ukey(&x);

			assert_int_equal(rdb_tx_fetch(&tx, &p, RDB_PROBE_GT, &kin, &k, NULL),
					 -DER_NONEXIST);
			assert_int_equal(rdb_tx_fetch(&tx, &p, RDB_PROBE_EQ, &kin, &k, NULL),
					 -DER_NONEXIST);
		}
		rdb_tx_end(&tx);
	}
	rdb_path_fini(&p);
}

static int
strcmp_p(const void *a, const void *b)
{
	return strcmp((const char *)a, (const char *)b);
}

static void
test_lexical_generic_order(void **state)
{
	struct utest *ut = *state;
	struct rdb_tx tx;
	struct collect c;
	rdb_path_t lex, gen;
	char names[NKEYS][32];
	d_iov_t k, v;
	int i, j;

	ut_create_root(ut, RDB_KVS_GENERIC);
	mkkvs(ut, "lex", RDB_KVS_LEXICAL);
	mkkvs(ut, "gen", RDB_KVS_GENERIC);
	ut_path(&lex, "lex", NULL);
	ut_path(&gen, "gen", NULL);
	for (i = 0; i < NKEYS; i++)
		/* different lengths so that "shorter first" matters */
		snprintf(names[i], sizeof(names[i]), "k%d%s", (i * 37) % NKEYS, i % 3 ? "" : "x");

	assert_int_equal(rdb_tx_begin(ut->db, RDB_NIL_TERM, &tx), 0);
	for (i = 0; i < NKEYS / 2; i++) {
		k = ut_key(names[i]);
		v = ut_key("v");
		assert_int_equal(rdb_tx_update(&tx, &lex, &k, &v), 0);
		assert_int_equal(rdb_tx_update(&tx, &gen, &k, &v), 0);
	}
	assert_int_equal(rdb_tx_commit(&tx), 0);
	rdb_tx_end(&tx);

	for (int dirty = 0; dirty < 2; dirty++) {
		int n = dirty ? NKEYS : NKEYS / 2;
		char sorted[NKEYS][32];

		assert_int_equal(rdb_tx_begin(ut->db, RDB_NIL_TERM, &tx), 0);
		if (dirty) {
			for (i = NKEYS / 2; i < NKEYS; i++) {
				k = ut_key(names[i]);
				v = ut_key("w");
				assert_int_equal(rdb_tx_update(&tx, &lex, &k, &v), 0);
				assert_int_equal(rdb_tx_update(&tx, &gen, &k, &v), 0);
			}
		}
		memcpy(sorted, names, sizeof(sorted));
		qsort(sorted, n, sizeof(sorted[0]), strcmp_p);

		memset(&c, 0, sizeof(c));
		assert_int_equal(rdb_tx_iterate(&tx, &lex, false, collect_cb, &c), 0);
		assert_int_equal(c.n, n);
		for (i = 0; i < n; i++)
			assert_string_equal(c.strs[i], sorted[i]);
		memset(&c, 0, sizeof(c));
		assert_int_equal(rdb_tx_iterate(&tx, &lex, true, collect_cb, &c), 0);
		for (i = 0; i < n; i++)
			assert_string_equal(c.strs[i], sorted[n - 1 - i]);
		{
			d_iov_t kin = ut_key("k1"), kout;

			d_iov_set(&kout, NULL, 0);
			assert_int_equal(rdb_tx_fetch(&tx, &lex, RDB_PROBE_GE, &kin, &kout, NULL),
					 0);
			for (j = 0; j < n && strcmp(sorted[j], "k1") < 0; j++)
				;
			assert_int_equal(kout.iov_len, strlen(sorted[j]));
			assert_memory_equal(kout.iov_buf, sorted[j], kout.iov_len);
		}

		/* GENERIC: every key once, in some order; the same order backwards */
		memset(&c, 0, sizeof(c));
		assert_int_equal(rdb_tx_iterate(&tx, &gen, false, collect_cb, &c), 0);
		assert_int_equal(c.n, n);
		{
			char fwd[NKEYS][32];

			memcpy(fwd, c.strs, sizeof(fwd));
			memset(&c, 0, sizeof(c));
			assert_int_equal(rdb_tx_iterate(&tx, &gen, true, collect_cb, &c), 0);
			for (i = 0; i < n; i++)
				assert_string_equal(c.strs[i], fwd[n - 1 - i]);
			qsort(fwd, n, sizeof(fwd[0]), strcmp_p);
			for (i = 0; i < n; i++)
				assert_string_equal(fwd[i], sorted[i]);
		}
		{
			d_iov_t kin = ut_key(names[3]), kout = {0};

			/* hashed keys: only EQ among the keyed probes */
			assert_int_equal(rdb_tx_fetch(&tx, &gen, RDB_PROBE_EQ, &kin, &kout, NULL),
					 0);
			assert_int_equal(kout.iov_len, strlen(names[3]));
			assert_memory_equal(kout.iov_buf, names[3], kout.iov_len);
			/* kout now points at the stored key: reset it, or the next call copies there */
			d_iov_set(&kout, NULL, 0);
			assert_int_equal(rdb_tx_fetch(&tx, &gen, RDB_PROBE_GE, &kin, &kout, NULL),
					 -DER_INVAL);
			assert_int_equal(
				rdb_tx_fetch(&tx, &gen, RDB_PROBE_FIRST, NULL, &kout, NULL), 0);
		}
		rdb_tx_end(&tx);
	}
	rdb_path_fini(&lex);
	rdb_path_fini(&gen);
}

static void
test_nested_destroy(void **state)
{
	struct utest *ut = *state;
	struct rdb_kvs_attr attr = {.dsa_class = RDB_KVS_GENERIC};
	struct rdb_tx tx;
	uint64_t used0;
	rdb_path_t a, ab;
	d_iov_t k, v;
	char name[32], buf[32];
	int i, j;

	ut_create_root(ut, RDB_KVS_GENERIC);
	/* the root keeps a record, so its own node does not come and go */
	assert_int_equal(ut_put(ut, &ut->root, "keep", "k"), 0);
	used0 = ut_used(ut);
	ut_path(&a, "a", NULL);

	/* a/{b0..b9}/{k0..k49} plus values at each level */
	assert_int_equal(rdb_tx_begin(ut->db, RDB_NIL_TERM, &tx), 0);
	k = ut_key("a");
	assert_int_equal(rdb_tx_create_kvs(&tx, &ut->root, &k, &attr), 0);
	k = ut_key("va");
	v = ut_key("value of a");
	assert_int_equal(rdb_tx_update(&tx, &a, &k, &v), 0);
	for (i = 0; i < 10; i++) {
		snprintf(name, sizeof(name), "b%d", i);
		k = ut_key(name);
		assert_int_equal(rdb_tx_create_kvs(&tx, &a, &k, &attr), 0);
	}
	assert_int_equal(rdb_tx_commit(&tx), 0);
	rdb_tx_end(&tx);
	for (i = 0; i < 10; i++) {
		snprintf(name, sizeof(name), "b%d", i);
		ut_path(&ab, "a", name, NULL);
		assert_int_equal(rdb_tx_begin(ut->db, RDB_NIL_TERM, &tx), 0);
		for (j = 0; j < 50; j++) {
			char key[16];

			snprintf(key, sizeof(key), "k%d", j);
			k = ut_key(key);
			v = ut_key("some value, long enough to be more than a few bytes");
			assert_int_equal(rdb_tx_update(&tx, &ab, &k, &v), 0);
		}
		assert_int_equal(rdb_tx_commit(&tx), 0);
		rdb_tx_end(&tx);
		rdb_path_fini(&ab);
	}
	assert_true(ut_used(ut) > used0);
	ut_path(&ab, "a", "b7", NULL);
	assert_int_equal(ut_get(ut, &ab, "k49", buf, sizeof(buf)), -DER_REC2BIG);

	/* one destroy frees the whole subtree */
	assert_int_equal(rdb_tx_begin(ut->db, RDB_NIL_TERM, &tx), 0);
	k = ut_key("a");
	assert_int_equal(rdb_tx_destroy_kvs(&tx, &ut->root, &k), 0);
	assert_int_equal(rdb_tx_commit(&tx), 0);
	rdb_tx_end(&tx);
	assert_int_equal(ut_used(ut), used0);
	assert_int_equal(ut_get(ut, &ab, "k49", buf, sizeof(buf)), -DER_NONEXIST);
	assert_int_equal(ut_get(ut, &a, "va", buf, sizeof(buf)), -DER_NONEXIST);
	assert_int_equal(umem_pool_check(ut->db->d_pool, NULL), 0);

	/* delete of a key holding a KVS is recursive too; so is destroying the root */
	mkkvs(ut, "a", RDB_KVS_LEXICAL);
	assert_int_equal(ut_put(ut, &a, "x", "y"), 0);
	assert_int_equal(rdb_tx_begin(ut->db, RDB_NIL_TERM, &tx), 0);
	k = ut_key("a");
	assert_int_equal(rdb_tx_delete(&tx, &ut->root, &k), 0);
	d_iov_set(&v, NULL, 0);
	k = ut_key("x");
	assert_int_equal(rdb_tx_lookup(&tx, &a, &k, &v), -DER_NONEXIST);
	assert_int_equal(rdb_tx_commit(&tx), 0);
	rdb_tx_end(&tx);
	assert_int_equal(ut_used(ut), used0);
	mkkvs(ut, "a", RDB_KVS_LEXICAL);
	assert_int_equal(ut_put(ut, &a, "x", "y"), 0);
	assert_int_equal(rdb_tx_begin(ut->db, RDB_NIL_TERM, &tx), 0);
	assert_int_equal(rdb_tx_destroy_root(&tx), 0);
	assert_int_equal(rdb_tx_commit(&tx), 0);
	rdb_tx_end(&tx);
	assert_true(ut_used(ut) <= used0);
	assert_int_equal(umem_pool_check(ut->db->d_pool, NULL), 0);
	rdb_path_fini(&a);
	rdb_path_fini(&ab);
}

/* TXs from many ULTs of one xstream: applies in order, durability waits overlap. */
#define NR_ULTS    16
#define NR_COMMITS 10

struct ult_arg {
	struct utest *ut;
	int id;
	int rc;
};

static void
commit_ult(void *arg)
{
	struct ult_arg *a = arg;
	rdb_path_t p;
	char key[32], val[32];
	int i;

	ut_path(&p, NULL);
	for (i = 0; i < NR_COMMITS && a->rc == 0; i++) {
		snprintf(key, sizeof(key), "u%d-%d", a->id, i);
		snprintf(val, sizeof(val), "v%d", i);
		a->rc = ut_put(a->ut, &p, key, val);
		if (a->rc == 0) {
			char buf[32];

			a->rc = ut_get(a->ut, &p, key, buf, sizeof(buf));
			if (a->rc == 0 && strcmp(buf, val) != 0)
				a->rc = -DER_MISMATCH;
		}
	}
	rdb_path_fini(&p);
}

struct driver {
	struct utest *ut;
	struct ult_arg args[NR_ULTS];
};

static void
driver_ult(void *arg)
{
	struct driver *d = arg;
	struct ult *u[NR_ULTS];
	int i;

	for (i = 0; i < NR_ULTS; i++) {
		d->args[i].ut = d->ut;
		d->args[i].id = i;
		assert_int_equal(ult_create(ULT_XS_SELF, commit_ult, &d->args[i], 0, &u[i]), 0);
	}
	for (i = 0; i < NR_ULTS; i++)
		assert_int_equal(ult_join(u[i]), 0);
}

static void
test_ults(void **state)
{
	struct utest *ut = *state;
	struct ult_init_attr attr = {.uia_nr_xs = 1};
	struct driver d = {.ut = ut};
	struct umem_pool_stats st0, st1;
	struct ult *u;
	struct rdb_clue clue;
	char key[32], buf[32];
	int i, j;

	ut_create_root(ut, RDB_KVS_GENERIC);
	assert_int_equal(ult_init(&attr), 0);
	umem_set_wait_ops(ult_umem_wait_ops());
	assert_int_equal(umem_pool_query(ut->db->d_pool, &st0), 0);
	assert_int_equal(ult_create(0, driver_ult, &d, 0, &u), 0);
	assert_int_equal(ult_join(u), 0);
	assert_int_equal(umem_pool_query(ut->db->d_pool, &st1), 0);
	umem_set_wait_ops(NULL);
	assert_true(ult_fini() >= 0);

	for (i = 0; i < NR_ULTS; i++)
		assert_int_equal(d.args[i].rc, 0);
	for (i = 0; i < NR_ULTS; i++)
		for (j = 0; j < NR_COMMITS; j++) {
			snprintf(key, sizeof(key), "u%d-%d", i, j);
			assert_int_equal(ut_get(ut, &ut->root, key, buf, sizeof(buf)), 0);
		}
	assert_int_equal(rdb_glance(rdb_to_storage(ut->db), &clue), 0);
	d_rank_list_free(clue.bcl_replicas);
	assert_int_equal(clue.bcl_last_index, 1 + NR_ULTS * NR_COMMITS);
	/* group commit: fewer log syncs than entries */
	print_message("%d commits, %lu log syncs\n", NR_ULTS * NR_COMMITS,
		      (unsigned long)(st1.ups_wal_syncs - st0.ups_wal_syncs));
	assert_true(st1.ups_wal_syncs - st0.ups_wal_syncs < NR_ULTS * NR_COMMITS);
}

RDB_STRING_KEY(ut_key_, fresh);

/* Callback that buffers an update per key it sees (allowed during iteration). */
static int
copy_cb(daos_handle_t ih, d_iov_t *key, d_iov_t *val, void *arg)
{
	struct rdb_tx *tx = arg;
	rdb_path_t p;
	int rc;

	ut_path(&p, "copy", NULL);
	rc = rdb_tx_update(tx, &p, key, val);
	rdb_path_fini(&p);
	return rc;
}

static void
test_fresh_kvs_iterate(void **state)
{
	struct utest *ut = *state;
	struct rdb_kvs_attr attr = {.dsa_class = RDB_KVS_LEXICAL};
	struct rdb_tx tx;
	struct collect c;
	rdb_path_t p, cp;
	d_iov_t k, v;
	char buf[16];

	ut_create_root(ut, RDB_KVS_GENERIC);
	mkkvs(ut, "copy", RDB_KVS_LEXICAL);
	/* RDB_STRING_KEY keys include the NUL */
	ut_path(&p, NULL);
	assert_int_equal(rdb_path_push(&p, &ut_key_fresh), 0);
	assert_int_equal(ut_key_fresh.iov_len, 6);
	ut_path(&cp, "copy", NULL);
	assert_int_equal(rdb_tx_begin(ut->db, RDB_NIL_TERM, &tx), 0);
	/* not there yet */
	memset(&c, 0, sizeof(c));
	assert_int_equal(rdb_tx_iterate(&tx, &p, false, collect_cb, &c), -DER_NONEXIST);
	assert_int_equal(rdb_tx_create_kvs(&tx, &ut->root, &ut_key_fresh, &attr), 0);
	/* created in this TX: empty */
	assert_int_equal(rdb_tx_iterate(&tx, &p, false, collect_cb, &c), 0);
	assert_int_equal(c.n, 0);
	assert_int_equal(rdb_tx_fetch(&tx, &p, RDB_PROBE_FIRST, NULL, NULL, NULL), -DER_NONEXIST);
	k = ut_key("b");
	v = ut_key("2");
	assert_int_equal(rdb_tx_update(&tx, &p, &k, &v), 0);
	k = ut_key("a");
	v = ut_key("1");
	assert_int_equal(rdb_tx_update(&tx, &p, &k, &v), 0);
	assert_int_equal(rdb_tx_iterate(&tx, &p, false, collect_cb, &c), 0);
	assert_int_equal(c.n, 2);
	assert_string_equal(c.strs[0], "a");
	assert_string_equal(c.strs[1], "b");
	/* updates buffered from inside an iteration */
	assert_int_equal(rdb_tx_iterate(&tx, &p, false, copy_cb, &tx), 0);
	assert_int_equal(rdb_tx_commit(&tx), 0);
	rdb_tx_end(&tx);
	assert_int_equal(ut_get(ut, &cp, "a", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "1");
	assert_int_equal(ut_get(ut, &cp, "b", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "2");

	/* destroyed in the TX: iteration and probes see no KVS */
	assert_int_equal(rdb_tx_begin(ut->db, RDB_NIL_TERM, &tx), 0);
	assert_int_equal(rdb_tx_destroy_kvs(&tx, &ut->root, &ut_key_fresh), 0);
	assert_int_equal(rdb_tx_iterate(&tx, &p, false, collect_cb, &c), -DER_NONEXIST);
	assert_int_equal(rdb_tx_fetch(&tx, &p, RDB_PROBE_LAST, NULL, NULL, NULL), -DER_NONEXIST);
	rdb_tx_end(&tx);
	/* not committed: still there */
	assert_int_equal(ut_get(ut, &p, "b", buf, sizeof(buf)), 0);
	rdb_path_fini(&p);
	rdb_path_fini(&cp);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_integer_order, ut_setup, ut_teardown),
		cmocka_unit_test_setup_teardown(test_lexical_generic_order, ut_setup, ut_teardown),
		cmocka_unit_test_setup_teardown(test_nested_destroy, ut_setup, ut_teardown),
		cmocka_unit_test_setup_teardown(test_fresh_kvs_iterate, ut_setup, ut_teardown),
		cmocka_unit_test_setup_teardown(test_ults, ut_setup, ut_teardown),
	};

	return cmocka_run_group_tests_name("rdb_kvs", tests, NULL, NULL);
}
