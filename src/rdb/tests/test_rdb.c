/*
 * rdb: storage, leadership, TX operations, read-your-writes, abort, persistence, bad input.
 */
#include <errno.h>
#include "rdb_utest.h"

static void
test_path(void **state)
{
	rdb_path_t p, q;
	d_iov_t k = ut_key("abc");
	char big[RDB_KEY_MAX + 1];
	d_iov_t bk;

	assert_int_equal(rdb_path_init(&p), 0);
	assert_int_equal(rdb_path_push(&p, &rdb_path_root_key), 0);
	assert_int_equal(rdb_path_check(&p), 0);
	assert_int_equal(rdb_path_push(&p, &k), 0);
	assert_int_equal(rdb_path_check(&p), 0);
	assert_int_equal(rdb_path_clone(&p, &q), 0);
	assert_int_equal(q.iov_len, p.iov_len);
	assert_memory_equal(q.iov_buf, p.iov_buf, p.iov_len);
	assert_int_equal(rdb_path_pop(&q), 0);
	assert_int_equal(rdb_path_pop(&q), 0);
	assert_int_equal(rdb_path_pop(&q), -DER_NONEXIST);
	/* many pushes grow the buffer */
	for (int i = 0; i < 100; i++)
		assert_int_equal(rdb_path_push(&q, &k), 0);
	/* first key must be the root key, later keys nonempty */
	assert_int_equal(rdb_path_check(&q), -DER_INVAL);
	rdb_path_fini(&q);

	memset(big, 'x', sizeof(big));
	d_iov_set(&bk, big, sizeof(big));
	assert_int_equal(rdb_path_push(&p, &bk), -DER_KEY2BIG);
	assert_int_equal(rdb_path_push(&p, NULL), -DER_INVAL);
	assert_int_equal(rdb_path_push(NULL, &k), -DER_INVAL);
	assert_int_equal(rdb_path_init(NULL), -DER_INVAL);
	rdb_path_fini(&p);
}

static void
test_storage(void **state)
{
	struct utest *ut = *state;
	struct rdb_storage *st;
	rdb_replica_id_t ids[2] = {{0, 1}, {1, 1}};
	struct rdb_create_params params = {
		.rcp_size = 8 << 20, .rcp_id = ids[0], .rcp_replicas = ids, .rcp_replicas_len = 1};
	uuid_t other;
	char path[192];
	struct rdb_clue clue;

	/* the fixture's database exists already */
	assert_int_equal(rdb_create(ut->path, ut->uuid, 1, &params, NULL, NULL, &st), -DER_EXIST);
	snprintf(path, sizeof(path), "%s/other", ut->dir);
	assert_int_equal(rdb_open(path, ut->uuid, 1, NULL, NULL, &st), -DER_NONEXIST);
	params.rcp_replicas_len = 2;
	assert_int_equal(rdb_create(path, ut->uuid, 1, &params, NULL, NULL, &st),
			 -DER_NOTSUPPORTED);
	params.rcp_replicas_len = 1;
	params.rcp_size = 4096;
	assert_int_equal(rdb_create(path, ut->uuid, 1, &params, NULL, NULL, &st), -DER_INVAL);
	assert_int_equal(rdb_create(path, ut->uuid, 1, NULL, NULL, NULL, &st), -DER_INVAL);
	assert_int_equal(access(path, F_OK), -1);

	/* reopen checks uuid and caller term */
	rdb_stop_and_close(ut->db);
	ut->db = NULL;
	uuid_generate(other);
	assert_int_equal(rdb_open(ut->path, other, 1, NULL, NULL, &st), -DER_MISMATCH);
	assert_int_equal(rdb_open(ut->path, ut->uuid, 0, NULL, NULL, &st), -DER_STALE);
	assert_int_equal(rdb_open(ut->path, ut->uuid, 5, &ut_cbs, ut, &ut->storage), 0);
	assert_int_equal(rdb_glance(ut->storage, &clue), 0);
	assert_int_equal(clue.bcl_term, 1);
	assert_int_equal(clue.bcl_self, 0);
	assert_int_equal(clue.bcl_replicas->rl_nr, 1);
	d_rank_list_free(clue.bcl_replicas);
	rdb_close(ut->storage);
	assert_int_equal(rdb_open(ut->path, ut->uuid, 4, NULL, NULL, &st), -DER_STALE);
	assert_int_equal(rdb_open(ut->path, ut->uuid, RDB_NIL_TERM, &ut_cbs, ut, &ut->storage), 0);
	ut_start(ut);
	assert_int_equal(rdb_ping(ut->db, 4), -DER_STALE);
	assert_int_equal(rdb_ping(ut->db, 5), 0);
}

static void
test_leader(void **state)
{
	struct utest *ut = *state;
	struct rdb_tx tx;
	uint64_t term;
	d_rank_t rank;
	d_rank_list_t *ranks;
	uint32_t gen;

	assert_int_equal(ut->nstep_up, 1);
	assert_int_equal(ut->up_term, 1);
	assert_true(rdb_is_leader(ut->db, &term));
	assert_int_equal(term, 1);
	assert_int_equal(rdb_get_leader(ut->db, &term, &rank), 0);
	assert_int_equal(rank, 0);
	assert_int_equal(rdb_get_ranks(ut->db, &ranks), 0);
	assert_int_equal(ranks->rl_nr, 1);
	d_rank_list_free(ranks);
	assert_int_equal(rdb_alloc_replica_gen(ut->db, term, &gen), 0);
	assert_int_equal(gen, 2);
	assert_int_equal(rdb_alloc_replica_gen(ut->db, term + 1, &gen), -DER_NOTLEADER);

	/* a TX begun in a term fails once that term is over */
	ut_create_root(ut, RDB_KVS_GENERIC);
	assert_int_equal(rdb_tx_begin(ut->db, term, &tx), 0);
	rdb_resign(ut->db, term);
	assert_int_equal(ut->nstep_down, 1);
	assert_int_equal(ut->down_term, 1);
	assert_false(rdb_is_leader(ut->db, NULL));
	assert_int_equal(rdb_get_leader(ut->db, &term, &rank), -DER_NONEXIST);
	{
		d_iov_t k = ut_key("k"), v = ut_key("v");

		assert_int_equal(rdb_tx_update(&tx, &ut->root, &k, &v), -DER_NOTLEADER);
		d_iov_set(&v, NULL, 0);
		assert_int_equal(rdb_tx_lookup(&tx, &ut->root, &k, &v), -DER_NOTLEADER);
	}
	rdb_tx_end(&tx);
	assert_int_equal(rdb_tx_begin(ut->db, RDB_NIL_TERM, &tx), -DER_NOTLEADER);

	/* campaign again: a new, higher term */
	assert_int_equal(rdb_campaign(ut->db), 0);
	assert_true(rdb_is_leader(ut->db, &term));
	assert_int_equal(term, 2);
	assert_int_equal(ut->nstep_up, 2);
	assert_int_equal(rdb_tx_begin(ut->db, 1, &tx), -DER_NOTLEADER);

	/* the term survives a restart and grows */
	ut_restart(ut);
	assert_int_equal(ut->nstep_down, 2);
	assert_true(rdb_is_leader(ut->db, &term));
	assert_int_equal(term, 3);

	/* a failing step-up leaves the replica a follower */
	ut->step_up_rc = -DER_NOMEM;
	rdb_resign(ut->db, term);
	assert_int_equal(rdb_campaign(ut->db), -DER_NOMEM);
	assert_false(rdb_is_leader(ut->db, NULL));
	ut->step_up_rc = 0;
	assert_int_equal(rdb_campaign(ut->db), 0);
	assert_true(rdb_is_leader(ut->db, NULL));
}

static void
test_root(void **state)
{
	struct utest *ut = *state;
	struct rdb_kvs_attr attr = {.dsa_class = RDB_KVS_GENERIC};
	struct rdb_tx tx;
	char buf[32];

	/* no root yet */
	assert_int_equal(ut_get(ut, &ut->root, "a", buf, sizeof(buf)), -DER_NONEXIST);
	assert_int_equal(ut_put(ut, &ut->root, "a", "1"), -DER_NONEXIST);
	ut_create_root(ut, RDB_KVS_GENERIC);
	assert_int_equal(ut_get(ut, &ut->root, "a", buf, sizeof(buf)), -DER_NONEXIST);
	assert_int_equal(ut_put(ut, &ut->root, "a", "1"), 0);
	assert_int_equal(ut_get(ut, &ut->root, "a", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "1");

	/* a second root: the commit fails with -DER_EXIST */
	assert_int_equal(rdb_tx_begin(ut->db, RDB_NIL_TERM, &tx), 0);
	assert_int_equal(rdb_tx_create_root(&tx, &attr), 0);
	assert_int_equal(rdb_tx_commit(&tx), -DER_EXIST);
	rdb_tx_end(&tx);

	assert_int_equal(rdb_tx_begin(ut->db, RDB_NIL_TERM, &tx), 0);
	assert_int_equal(rdb_tx_destroy_root(&tx), 0);
	assert_int_equal(rdb_tx_commit(&tx), 0);
	rdb_tx_end(&tx);
	assert_int_equal(ut_get(ut, &ut->root, "a", buf, sizeof(buf)), -DER_NONEXIST);
	assert_int_equal(rdb_tx_begin(ut->db, RDB_NIL_TERM, &tx), 0);
	assert_int_equal(rdb_tx_destroy_root(&tx), 0);
	assert_int_equal(rdb_tx_commit(&tx), -DER_NONEXIST);
	rdb_tx_end(&tx);
}

static void
test_update_lookup_delete(void **state)
{
	struct utest *ut = *state;
	struct rdb_tx tx;
	d_iov_t k = ut_key("key"), v;
	char buf[64];
	uint64_t x = 42, y = 0;

	ut_create_root(ut, RDB_KVS_GENERIC);
	assert_int_equal(ut_put(ut, &ut->root, "key", "value-1"), 0);
	assert_int_equal(ut_get(ut, &ut->root, "key", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "value-1");
	/* overwrite with a longer value */
	assert_int_equal(ut_put(ut, &ut->root, "key", "value-2-longer"), 0);
	assert_int_equal(ut_get(ut, &ut->root, "key", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "value-2-longer");

	assert_int_equal(rdb_tx_begin(ut->db, RDB_NIL_TERM, &tx), 0);
	/* in place */
	d_iov_set(&v, NULL, 0);
	assert_int_equal(rdb_tx_lookup(&tx, &ut->root, &k, &v), 0);
	assert_int_equal(v.iov_len, strlen("value-2-longer"));
	assert_memory_equal(v.iov_buf, "value-2-longer", v.iov_len);
	/* expected length differs */
	d_iov_set(&v, buf, sizeof(buf));
	v.iov_len = 3;
	assert_int_equal(rdb_tx_lookup(&tx, &ut->root, &k, &v), -DER_MISMATCH);
	assert_int_equal(v.iov_len, strlen("value-2-longer"));
	/* buffer too small */
	d_iov_set(&v, buf, 4);
	v.iov_len = 0;
	assert_int_equal(rdb_tx_lookup(&tx, &ut->root, &k, &v), -DER_REC2BIG);
	/* fixed-size value */
	k = ut_key("u64");
	d_iov_set(&v, &x, sizeof(x));
	assert_int_equal(rdb_tx_update(&tx, &ut->root, &k, &v), 0);
	assert_int_equal(rdb_tx_commit(&tx), 0);
	rdb_tx_end(&tx);

	assert_int_equal(rdb_tx_begin(ut->db, RDB_NIL_TERM, &tx), 0);
	d_iov_set(&v, &y, sizeof(y));
	assert_int_equal(rdb_tx_lookup(&tx, &ut->root, &k, &v), 0);
	assert_int_equal(y, 42);
	assert_int_equal(rdb_tx_delete(&tx, &ut->root, &k), 0);
	/* deleting an absent key is fine */
	k = ut_key("never-there");
	assert_int_equal(rdb_tx_delete(&tx, &ut->root, &k), 0);
	assert_int_equal(rdb_tx_commit(&tx), 0);
	rdb_tx_end(&tx);
	assert_int_equal(ut_get(ut, &ut->root, "u64", buf, sizeof(buf)), -DER_NONEXIST);
	assert_int_equal(ut_get(ut, &ut->root, "key", buf, sizeof(buf)), 0);

	/* a query-only TX needs no commit; committing it is a no-op */
	assert_int_equal(rdb_tx_begin(ut->db, RDB_NIL_TERM, &tx), 0);
	assert_int_equal(rdb_tx_commit(&tx), 0);
	rdb_tx_end(&tx);
}

static void
test_read_your_writes(void **state)
{
	struct utest *ut = *state;
	struct rdb_kvs_attr attr = {.dsa_class = RDB_KVS_LEXICAL};
	struct rdb_tx tx;
	rdb_path_t sub, subsub;
	d_iov_t k, v;
	char buf[64];

	ut_create_root(ut, RDB_KVS_GENERIC);
	assert_int_equal(ut_put(ut, &ut->root, "old", "committed"), 0);
	ut_path(&sub, "sub", NULL);
	ut_path(&subsub, "sub", "subsub", NULL);

	assert_int_equal(rdb_tx_begin(ut->db, RDB_NIL_TERM, &tx), 0);
	k = ut_key("new");
	v = ut_key("pending");
	assert_int_equal(rdb_tx_update(&tx, &ut->root, &k, &v), 0);
	d_iov_set(&v, NULL, 0);
	assert_int_equal(rdb_tx_lookup(&tx, &ut->root, &k, &v), 0);
	assert_memory_equal(v.iov_buf, "pending", 7);
	/* newest update wins */
	v = ut_key("pending-2");
	assert_int_equal(rdb_tx_update(&tx, &ut->root, &k, &v), 0);
	d_iov_set(&v, NULL, 0);
	assert_int_equal(rdb_tx_lookup(&tx, &ut->root, &k, &v), 0);
	assert_int_equal(v.iov_len, 9);
	/* deleting a committed key hides it */
	k = ut_key("old");
	assert_int_equal(rdb_tx_delete(&tx, &ut->root, &k), 0);
	d_iov_set(&v, NULL, 0);
	assert_int_equal(rdb_tx_lookup(&tx, &ut->root, &k, &v), -DER_NONEXIST);
	/* a KVS created in the TX is usable at once */
	k = ut_key("sub");
	assert_int_equal(rdb_tx_create_kvs(&tx, &ut->root, &k, &attr), 0);
	d_iov_set(&v, NULL, 0);
	assert_int_equal(rdb_tx_lookup(&tx, &ut->root, &k, &v), 0); /* key of a KVS */
	k = ut_key("x");
	assert_int_equal(rdb_tx_lookup(&tx, &sub, &k, &v), -DER_NONEXIST);
	v = ut_key("in-sub");
	assert_int_equal(rdb_tx_update(&tx, &sub, &k, &v), 0);
	d_iov_set(&v, NULL, 0);
	assert_int_equal(rdb_tx_lookup(&tx, &sub, &k, &v), 0);
	assert_memory_equal(v.iov_buf, "in-sub", 6);
	k = ut_key("subsub");
	assert_int_equal(rdb_tx_create_kvs(&tx, &sub, &k, &attr), 0);
	k = ut_key("y");
	v = ut_key("deep");
	assert_int_equal(rdb_tx_update(&tx, &subsub, &k, &v), 0);
	assert_int_equal(rdb_tx_commit(&tx), 0);
	rdb_tx_end(&tx);

	assert_int_equal(ut_get(ut, &ut->root, "new", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "pending-2");
	assert_int_equal(ut_get(ut, &ut->root, "old", buf, sizeof(buf)), -DER_NONEXIST);
	assert_int_equal(ut_get(ut, &sub, "x", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "in-sub");
	assert_int_equal(ut_get(ut, &subsub, "y", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "deep");

	/* destroy + recreate in one TX: the old contents are gone for the TX and after */
	assert_int_equal(rdb_tx_begin(ut->db, RDB_NIL_TERM, &tx), 0);
	k = ut_key("sub");
	assert_int_equal(rdb_tx_destroy_kvs(&tx, &ut->root, &k), 0);
	k = ut_key("x");
	d_iov_set(&v, NULL, 0);
	assert_int_equal(rdb_tx_lookup(&tx, &sub, &k, &v), -DER_NONEXIST);
	k = ut_key("y");
	assert_int_equal(rdb_tx_lookup(&tx, &subsub, &k, &v), -DER_NONEXIST);
	k = ut_key("sub");
	assert_int_equal(rdb_tx_create_kvs(&tx, &ut->root, &k, &attr), 0);
	k = ut_key("x");
	assert_int_equal(rdb_tx_lookup(&tx, &sub, &k, &v), -DER_NONEXIST);
	k = ut_key("z");
	v = ut_key("fresh");
	assert_int_equal(rdb_tx_update(&tx, &sub, &k, &v), 0);
	assert_int_equal(rdb_tx_commit(&tx), 0);
	rdb_tx_end(&tx);
	assert_int_equal(ut_get(ut, &sub, "x", buf, sizeof(buf)), -DER_NONEXIST);
	assert_int_equal(ut_get(ut, &sub, "z", buf, sizeof(buf)), 0);
	assert_int_equal(ut_get(ut, &subsub, "y", buf, sizeof(buf)), -DER_NONEXIST);
	rdb_path_fini(&sub);
	rdb_path_fini(&subsub);
}

static void
test_abort(void **state)
{
	struct utest *ut = *state;
	struct rdb_kvs_attr attr = {.dsa_class = RDB_KVS_INTEGER};
	struct rdb_tx tx;
	rdb_path_t missing, ints;
	struct rdb_clue clue;
	uint64_t index0, used0;
	d_iov_t k, v;
	char buf[64];

	ut_create_root(ut, RDB_KVS_GENERIC);
	assert_int_equal(ut_put(ut, &ut->root, "a", "0"), 0);
	used0 = ut_used(ut);

	/* ending without commit drops everything */
	assert_int_equal(rdb_tx_begin(ut->db, RDB_NIL_TERM, &tx), 0);
	k = ut_key("a");
	v = ut_key("1");
	assert_int_equal(rdb_tx_update(&tx, &ut->root, &k, &v), 0);
	k = ut_key("b");
	assert_int_equal(rdb_tx_update(&tx, &ut->root, &k, &v), 0);
	k = ut_key("ints");
	assert_int_equal(rdb_tx_create_kvs(&tx, &ut->root, &k, &attr), 0);
	rdb_tx_end(&tx);
	assert_int_equal(ut_get(ut, &ut->root, "a", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "0");
	assert_int_equal(ut_get(ut, &ut->root, "b", buf, sizeof(buf)), -DER_NONEXIST);

	/* rdb_tx_discard drops what was buffered so far, the TX goes on */
	assert_int_equal(rdb_tx_begin(ut->db, RDB_NIL_TERM, &tx), 0);
	k = ut_key("b");
	assert_int_equal(rdb_tx_update(&tx, &ut->root, &k, &v), 0);
	rdb_tx_discard(&tx);
	k = ut_key("c");
	assert_int_equal(rdb_tx_update(&tx, &ut->root, &k, &v), 0);
	assert_int_equal(rdb_tx_commit(&tx), 0);
	rdb_tx_end(&tx);
	assert_int_equal(ut_get(ut, &ut->root, "b", buf, sizeof(buf)), -DER_NONEXIST);
	assert_int_equal(ut_get(ut, &ut->root, "c", buf, sizeof(buf)), 0);

	/* one failing update aborts the whole entry, which still takes an index */
	assert_int_equal(rdb_glance(rdb_to_storage(ut->db), &clue), 0);
	d_rank_list_free(clue.bcl_replicas);
	index0 = clue.bcl_last_index;
	used0 = ut_used(ut);
	ut_path(&missing, "no-such-kvs", NULL);
	ut_path(&ints, "ints", NULL);
	assert_int_equal(rdb_tx_begin(ut->db, RDB_NIL_TERM, &tx), 0);
	k = ut_key("a");
	v = ut_key("2");
	assert_int_equal(rdb_tx_update(&tx, &ut->root, &k, &v), 0);
	k = ut_key("ints");
	assert_int_equal(rdb_tx_create_kvs(&tx, &ut->root, &k, &attr), 0);
	k = ut_key("x");
	assert_int_equal(rdb_tx_update(&tx, &missing, &k, &v), 0);
	assert_int_equal(rdb_tx_commit(&tx), -DER_NONEXIST);
	rdb_tx_end(&tx);
	assert_int_equal(ut_get(ut, &ut->root, "a", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "0");
	assert_int_equal(ut_get(ut, &ints, "x", buf, sizeof(buf)), -DER_NONEXIST);
	assert_int_equal(ut_get(ut, &ut->root, "ints", buf, sizeof(buf)), -DER_NONEXIST);
	assert_int_equal(ut_used(ut), used0);
	assert_int_equal(rdb_glance(rdb_to_storage(ut->db), &clue), 0);
	d_rank_list_free(clue.bcl_replicas);
	assert_int_equal(clue.bcl_last_index, index0 + 1);

	/* an INTEGER KVS wants 8-byte keys: found at commit, deterministic */
	assert_int_equal(rdb_tx_begin(ut->db, RDB_NIL_TERM, &tx), 0);
	k = ut_key("ints");
	assert_int_equal(rdb_tx_create_kvs(&tx, &ut->root, &k, &attr), 0);
	k = ut_key("abc");
	assert_int_equal(rdb_tx_update(&tx, &ints, &k, &v), 0);
	assert_int_equal(rdb_tx_commit(&tx), -DER_INVAL);
	rdb_tx_end(&tx);
	assert_int_equal(ut_get(ut, &ut->root, "ints", buf, sizeof(buf)), -DER_NONEXIST);

	/* plain values never replace a child KVS */
	assert_int_equal(rdb_tx_begin(ut->db, RDB_NIL_TERM, &tx), 0);
	k = ut_key("ints");
	assert_int_equal(rdb_tx_create_kvs(&tx, &ut->root, &k, &attr), 0);
	assert_int_equal(rdb_tx_commit(&tx), 0);
	rdb_tx_end(&tx);
	assert_int_equal(ut_put(ut, &ut->root, "ints", "v"), -DER_INVAL);
	assert_int_equal(rdb_tx_begin(ut->db, RDB_NIL_TERM, &tx), 0);
	assert_int_equal(rdb_tx_create_kvs(&tx, &ut->root, &k, &attr), 0);
	assert_int_equal(rdb_tx_commit(&tx), -DER_EXIST);
	rdb_tx_end(&tx);
	/* destroying a plain value as a KVS */
	assert_int_equal(rdb_tx_begin(ut->db, RDB_NIL_TERM, &tx), 0);
	k = ut_key("a");
	assert_int_equal(rdb_tx_destroy_kvs(&tx, &ut->root, &k), 0);
	assert_int_equal(rdb_tx_commit(&tx), -DER_INVAL);
	rdb_tx_end(&tx);
	rdb_path_fini(&missing);
	rdb_path_fini(&ints);
}

static void
test_persistence(void **state)
{
	struct utest *ut = *state;
	struct rdb_kvs_attr attr = {.dsa_class = RDB_KVS_INTEGER};
	struct rdb_tx tx;
	rdb_path_t ints;
	struct rdb_clue clue;
	uint64_t i, idx;
	d_iov_t k, v;
	char buf[64];

	ut_create_root(ut, RDB_KVS_LEXICAL);
	ut_path(&ints, "ints", NULL);
	assert_int_equal(rdb_tx_begin(ut->db, RDB_NIL_TERM, &tx), 0);
	k = ut_key("ints");
	assert_int_equal(rdb_tx_create_kvs(&tx, &ut->root, &k, &attr), 0);
	for (i = 0; i < 100; i++) {
		k = ut_ukey(&i);
		d_iov_set(&v, &i, sizeof(i));
		assert_int_equal(rdb_tx_update(&tx, &ints, &k, &v), 0);
	}
	assert_int_equal(rdb_tx_commit(&tx), 0);
	rdb_tx_end(&tx);
	assert_int_equal(ut_put(ut, &ut->root, "label", "pool-1"), 0);
	assert_int_equal(rdb_glance(rdb_to_storage(ut->db), &clue), 0);
	d_rank_list_free(clue.bcl_replicas);
	idx = clue.bcl_last_index;

	ut_restart(ut);
	assert_int_equal(ut_get(ut, &ut->root, "label", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "pool-1");
	assert_int_equal(rdb_tx_begin(ut->db, RDB_NIL_TERM, &tx), 0);
	for (i = 0; i < 100; i++) {
		uint64_t x = ~0ULL;

		k = ut_ukey(&i);
		d_iov_set(&v, &x, sizeof(x));
		assert_int_equal(rdb_tx_lookup(&tx, &ints, &k, &v), 0);
		assert_int_equal(x, i);
	}
	rdb_tx_end(&tx);
	assert_int_equal(rdb_glance(rdb_to_storage(ut->db), &clue), 0);
	d_rank_list_free(clue.bcl_replicas);
	assert_int_equal(clue.bcl_last_index, idx);
	assert_int_equal(clue.bcl_term, 2);

	/* a local TX reads a database that is open but not started */
	rdb_stop(ut->db, &ut->storage);
	ut->db = NULL;
	assert_int_equal(rdb_tx_begin_local(ut->storage, &tx), 0);
	k = ut_key("label");
	d_iov_set(&v, NULL, 0);
	assert_int_equal(rdb_tx_lookup(&tx, &ut->root, &k, &v), 0);
	assert_memory_equal(v.iov_buf, "pool-1", 6);
	v = ut_key("x");
	assert_int_equal(rdb_tx_update(&tx, &ut->root, &k, &v), -DER_INVAL);
	rdb_tx_end(&tx);
	rdb_path_fini(&ints);
}

static void
test_bad_input(void **state)
{
	struct utest *ut = *state;
	struct rdb_kvs_attr attr = {.dsa_class = RDB_KVS_GENERIC};
	struct rdb_kvs_attr bad = {.dsa_class = 7};
	struct rdb_tx tx;
	rdb_path_t nopath = {0}, rel, deep;
	static char big[RDB_VALUE_MAX + 1];
	d_iov_t k, v, e = {0};
	char buf[64];

	ut_create_root(ut, RDB_KVS_GENERIC);
	assert_int_equal(rdb_tx_begin(NULL, RDB_NIL_TERM, &tx), -DER_INVAL);
	assert_int_equal(rdb_tx_begin(ut->db, RDB_NIL_TERM, NULL), -DER_INVAL);
	assert_int_equal(rdb_tx_commit(NULL), -DER_INVAL);
	rdb_tx_end(NULL);
	assert_int_equal(rdb_tx_begin(ut->db, RDB_NIL_TERM, &tx), 0);

	k = ut_key("k");
	v = ut_key("v");
	assert_int_equal(rdb_tx_update(&tx, NULL, &k, &v), -DER_INVAL);
	assert_int_equal(rdb_tx_update(&tx, &nopath, &k, &v), -DER_INVAL);
	assert_int_equal(rdb_tx_update(&tx, &ut->root, NULL, &v), -DER_INVAL);
	assert_int_equal(rdb_tx_update(&tx, &ut->root, &e, &v), -DER_INVAL);
	assert_int_equal(rdb_tx_update(&tx, &ut->root, &k, NULL), -DER_INVAL);
	assert_int_equal(rdb_tx_update(&tx, &ut->root, &k, &e), -DER_INVAL);
	d_iov_set(&v, big, sizeof(big));
	assert_int_equal(rdb_tx_update(&tx, &ut->root, &k, &v), -DER_INVAL);
	d_iov_set(&k, big, RDB_KEY_MAX + 1);
	v = ut_key("v");
	assert_int_equal(rdb_tx_update(&tx, &ut->root, &k, &v), -DER_INVAL);
	assert_int_equal(rdb_tx_delete(&tx, &ut->root, &k), -DER_INVAL);
	assert_int_equal(rdb_tx_lookup(&tx, &ut->root, &k, &v), -DER_INVAL);
	k.iov_buf = NULL;
	k.iov_len = 3;
	assert_int_equal(rdb_tx_update(&tx, &ut->root, &k, &v), -DER_INVAL);
	k = ut_key("k");
	assert_int_equal(rdb_tx_create_kvs(&tx, &ut->root, &k, NULL), -DER_INVAL);
	assert_int_equal(rdb_tx_create_kvs(&tx, &ut->root, &k, &bad), -DER_INVAL);
	assert_int_equal(rdb_tx_create_root(&tx, NULL), -DER_INVAL);
	assert_int_equal(rdb_tx_lookup(&tx, &ut->root, &k, NULL), -DER_INVAL);
	assert_int_equal(rdb_tx_iterate(&tx, &ut->root, false, NULL, NULL), -DER_INVAL);
	assert_int_equal(rdb_tx_fetch(&tx, &ut->root, RDB_PROBE_EQ, NULL, NULL, NULL), -DER_INVAL);
	/* a path that does not start at the root */
	assert_int_equal(rdb_path_init(&rel), 0);
	assert_int_equal(rdb_path_push(&rel, &k), 0);
	assert_int_equal(rdb_tx_update(&tx, &rel, &k, &v), -DER_INVAL);
	d_iov_set(&v, NULL, 0);
	assert_int_equal(rdb_tx_lookup(&tx, &rel, &k, &v), -DER_INVAL);
	rdb_path_fini(&rel);
	/* nothing was buffered by the failed calls */
	assert_int_equal(tx.dt_num_ops, 0);
	rdb_tx_end(&tx);

	/* lookups of missing keys and in missing KVSs */
	assert_int_equal(ut_get(ut, &ut->root, "missing", buf, sizeof(buf)), -DER_NONEXIST);
	ut_path(&deep, "no", "such", "kvs", NULL);
	assert_int_equal(ut_get(ut, &deep, "k", buf, sizeof(buf)), -DER_NONEXIST);
	/* a plain value on the way is not a KVS */
	assert_int_equal(ut_put(ut, &ut->root, "no", "plain"), 0);
	assert_int_equal(ut_get(ut, &deep, "k", buf, sizeof(buf)), -DER_NONEXIST);
	rdb_path_fini(&deep);
	(void)attr;
}

/* Near a full heap only critical TXs (deletes, update_critical) go through. */
static void
test_critical(void **state)
{
	struct utest *ut = *state;
	struct rdb_tx tx;
	static char big[200 * 1024];
	char key[32], buf[8];
	d_iov_t k, v;
	int i, rc = 0;

	ut_create_root(ut, RDB_KVS_GENERIC);
	memset(big, 'b', sizeof(big));
	for (i = 0; i < 100; i++) {
		snprintf(key, sizeof(key), "big%d", i);
		assert_int_equal(rdb_tx_begin(ut->db, RDB_NIL_TERM, &tx), 0);
		k = ut_key(key);
		d_iov_set(&v, big, sizeof(big));
		assert_int_equal(rdb_tx_update(&tx, &ut->root, &k, &v), 0);
		rc = rdb_tx_commit(&tx);
		rdb_tx_end(&tx);
		if (rc != 0)
			break;
	}
	assert_int_equal(rc, -DER_NOSPACE);
	assert_true(i > 10);
	/* the failed TX left nothing behind */
	assert_int_equal(ut_get(ut, &ut->root, key, buf, sizeof(buf)), -DER_NONEXIST);
	assert_int_equal(ut_put(ut, &ut->root, "small", "s"), -DER_NOSPACE);

	assert_int_equal(rdb_tx_begin(ut->db, RDB_NIL_TERM, &tx), 0);
	k = ut_key("small");
	v = ut_key("s");
	assert_int_equal(rdb_tx_update_critical(&tx, &ut->root, &k, &v), 0);
	assert_int_equal(rdb_tx_commit(&tx), 0);
	rdb_tx_end(&tx);
	assert_int_equal(ut_get(ut, &ut->root, "small", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "s");

	/* deletes are critical: they free space for everybody */
	assert_int_equal(rdb_tx_begin(ut->db, RDB_NIL_TERM, &tx), 0);
	for (i = 0; i < 5; i++) {
		snprintf(key, sizeof(key), "big%d", i);
		k = ut_key(key);
		assert_int_equal(rdb_tx_delete(&tx, &ut->root, &k), 0);
	}
	assert_int_equal(rdb_tx_commit(&tx), 0);
	rdb_tx_end(&tx);
	assert_int_equal(ut_put(ut, &ut->root, "small2", "s"), 0);
	assert_int_equal(umem_pool_check(ut->db->d_pool, NULL), 0);
}

/* A commit that cannot be made durable fails the database: dc_stop, then every call errs. */
static void
test_io_error(void **state)
{
	struct utest *ut = *state;
	struct rdb_tx tx;
	char buf[8];

	ut_create_root(ut, RDB_KVS_GENERIC);
	assert_int_equal(ut_put(ut, &ut->root, "a", "1"), 0);
	assert_int_equal(umem_fault_inject_set(UMEM_FI_WAL_SYNC | UMEM_FI_WAL_WRITE, EIO, 1000), 0);
	assert_int_equal(ut_put(ut, &ut->root, "b", "2"), -DER_IO);
	assert_int_equal(umem_fault_inject_set(0, 0, 0), 0);
	assert_int_equal(ut->nstop, 1);
	assert_int_equal(ut->stop_err, -DER_IO);
	assert_false(rdb_is_leader(ut->db, NULL));
	assert_int_equal(rdb_tx_begin(ut->db, RDB_NIL_TERM, &tx), -DER_IO);
	assert_int_equal(ut_get(ut, &ut->root, "a", buf, sizeof(buf)), -DER_IO);
	/* after a restart the acknowledged update is there */
	rdb_stop_and_close(ut->db);
	ut->db = NULL;
	assert_int_equal(rdb_open(ut->path, ut->uuid, 1, &ut_cbs, ut, &ut->storage), 0);
	ut_start(ut);
	assert_int_equal(ut_get(ut, &ut->root, "a", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "1");
	assert_int_equal(ut_put(ut, &ut->root, "c", "3"), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_path),
		cmocka_unit_test_setup_teardown(test_storage, ut_setup, ut_teardown),
		cmocka_unit_test_setup_teardown(test_leader, ut_setup, ut_teardown),
		cmocka_unit_test_setup_teardown(test_root, ut_setup, ut_teardown),
		cmocka_unit_test_setup_teardown(test_update_lookup_delete, ut_setup, ut_teardown),
		cmocka_unit_test_setup_teardown(test_read_your_writes, ut_setup, ut_teardown),
		cmocka_unit_test_setup_teardown(test_abort, ut_setup, ut_teardown),
		cmocka_unit_test_setup_teardown(test_persistence, ut_setup, ut_teardown),
		cmocka_unit_test_setup_teardown(test_bad_input, ut_setup, ut_teardown),
		cmocka_unit_test_setup_teardown(test_critical, ut_setup, ut_teardown),
		cmocka_unit_test_setup_teardown(test_io_error, ut_setup, ut_teardown),
	};

	return cmocka_run_group_tests_name("rdb", tests, NULL, NULL);
}
