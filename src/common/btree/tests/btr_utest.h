/* Shared fixture for the dbtree tests: heaps in a private mkdtemp directory, key helpers. */
#ifndef __BTR_UTEST_H__
#define __BTR_UTEST_H__

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <unistd.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <daos/btree.h>

struct bt_env {
	char dir[64];
	char path[128];
	struct umem_pool *pool;
	struct umem_attr uma;
	struct umem_instance umm;
	/* the tree root: in the heap's root object (BMEM) or in DRAM (VMEM) */
	struct btr_root *root;
	struct btr_root vroot;
};

static inline void
bt_env_inst(struct bt_env *env)
{
	umem_off_t off;

	env->uma.uma_id = UMEM_CLASS_BMEM;
	env->uma.uma_pool = env->pool;
	assert_int_equal(umem_class_init(&env->uma, &env->umm), 0);
	assert_int_equal(umem_pool_root(env->pool, 256, &off), 0);
	env->root = umem_off2ptr(&env->umm, off);
}

/* A heap of \a size bytes (0: DRAM only, VMEM). */
static inline struct bt_env *
bt_env_create(size_t size)
{
	struct bt_env *env = calloc(1, sizeof(*env));

	assert_non_null(env);
	strcpy(env->dir, "/tmp/btree_test.XXXXXX");
	assert_non_null(mkdtemp(env->dir));
	snprintf(env->path, sizeof(env->path), "%s/heap", env->dir);
	if (size == 0) {
		env->uma.uma_id = UMEM_CLASS_VMEM;
		assert_int_equal(umem_class_init(&env->uma, &env->umm), 0);
		env->root = &env->vroot;
		return env;
	}
	{
		struct umem_pool_attr attr = {.upa_sync_ms = 1000};

		assert_int_equal(umem_pool_create(env->path, size, 0600, &attr, &env->pool), 0);
	}
	bt_env_inst(env);
	return env;
}

static inline void
bt_env_reopen(struct bt_env *env)
{
	struct umem_pool_attr attr = {.upa_sync_ms = 1000};

	assert_int_equal(umem_pool_close(env->pool), 0);
	assert_int_equal(umem_pool_open(env->path, &attr, &env->pool), 0);
	bt_env_inst(env);
}

static inline void
bt_env_destroy(struct bt_env *env)
{
	char wal[160];

	if (env->pool != NULL) {
		assert_int_equal(umem_pool_check(env->pool, NULL), 0);
		assert_int_equal(umem_pool_close(env->pool), 0);
	}
	snprintf(wal, sizeof(wal), "%s.wal", env->path);
	unlink(env->path);
	unlink(wal);
	rmdir(env->dir);
	free(env);
}

static inline uint64_t
bt_used(struct bt_env *env)
{
	struct umem_pool_stats st;

	if (env->pool == NULL)
		return 0;
	assert_int_equal(umem_pool_query(env->pool, &st), 0);
	return st.ups_used;
}

/* Key of index \a i for a class: uint64 for IV, "k%06d" strings for KV/NV (same order). */
struct bt_key {
	char buf[32];
	uint64_t u;
	d_iov_t iov;
};

static inline d_iov_t *
bt_key(struct bt_key *k, unsigned int cls, uint64_t i)
{
	if (cls == DBTREE_CLASS_IV) {
		k->u = i;
		d_iov_set(&k->iov, &k->u, sizeof(k->u));
	} else {
		int n = snprintf(k->buf, sizeof(k->buf), "k%06llu", (unsigned long long)i);

		d_iov_set(&k->iov, k->buf, n);
	}
	return &k->iov;
}

/* Index back from a fetched key. */
static inline uint64_t
bt_key_idx(unsigned int cls, d_iov_t *key)
{
	char tmp[32];

	if (cls == DBTREE_CLASS_IV) {
		uint64_t u;

		assert_int_equal(key->iov_len, sizeof(u));
		memcpy(&u, key->iov_buf, sizeof(u));
		return u;
	}
	assert_true(key->iov_len > 1 && key->iov_len < sizeof(tmp));
	memcpy(tmp, key->iov_buf, key->iov_len);
	tmp[key->iov_len] = 0;
	return strtoull(tmp + 1, NULL, 10);
}

/* murmur64 order of the KV class: (hash, key bytes). */
static inline uint64_t
bt_kv_hash(uint64_t i)
{
	struct bt_key k;
	d_iov_t *iov = bt_key(&k, DBTREE_CLASS_KV, i);

	return d_hash_murmur64(iov->iov_buf, iov->iov_len, 5731);
}

#endif /* __BTR_UTEST_H__ */
