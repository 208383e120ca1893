/* Shared fixture for the rdb tests: a started single-replica database in a mkdtemp dir. */
#ifndef __RDB_UTEST_H__
#define __RDB_UTEST_H__

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <daos_srv/rdb.h>
#include "../rdb_internal.h"

struct utest {
	char dir[64];
	char path[128];
	uuid_t uuid;
	struct rdb_storage *storage;
	struct rdb *db;
	int nstep_up;
	int nstep_down;
	uint64_t up_term;
	uint64_t down_term;
	int step_up_rc;
	int nstop;
	int stop_err;
	rdb_path_t root;
};

static int
ut_step_up(struct rdb *db, uint64_t term, void *arg)
{
	struct utest *ut = arg;

	ut->nstep_up++;
	ut->up_term = term;
	return ut->step_up_rc;
}

static void
ut_step_down(struct rdb *db, uint64_t term, void *arg)
{
	struct utest *ut = arg;

	ut->nstep_down++;
	ut->down_term = term;
}

static void
ut_stop_cb(struct rdb *db, int err, void *arg)
{
	struct utest *ut = arg;

	ut->nstop++;
	ut->stop_err = err;
}

static struct rdb_cbs ut_cbs = {
	.dc_step_up = ut_step_up,
	.dc_step_down = ut_step_down,
	.dc_stop = ut_stop_cb,
};

static inline int
ut_create(struct utest *ut, size_t size)
{
	rdb_replica_id_t self = {.rri_rank = 0, .rri_gen = 1};
	struct rdb_create_params params = {
		.rcp_size = size, .rcp_id = self, .rcp_replicas = &self, .rcp_replicas_len = 1};

	return rdb_create(ut->path, ut->uuid, 1, &params, &ut_cbs, ut, &ut->storage);
}

static inline void
ut_start(struct utest *ut)
{
	assert_int_equal(rdb_start(ut->storage, &ut->db), 0);
	assert_non_null(ut->db);
}

/* stop + close, then open + start again */
static inline void
ut_restart(struct utest *ut)
{
	rdb_stop_and_close(ut->db);
	ut->db = NULL;
	ut->storage = NULL;
	assert_int_equal(rdb_open(ut->path, ut->uuid, 1, &ut_cbs, ut, &ut->storage), 0);
	ut_start(ut);
}

static inline int
ut_setup(void **state)
{
	struct utest *ut = calloc(1, sizeof(*ut));

	if (ut == NULL)
		return -1;
	strcpy(ut->dir, "/tmp/rdb_test.XXXXXX");
	if (mkdtemp(ut->dir) == NULL) {
		free(ut);
		return -1;
	}
	snprintf(ut->path, sizeof(ut->path), "%s/rdb-pool", ut->dir);
	uuid_generate(ut->uuid);
	if (ut_create(ut, 8 << 20) != 0 || rdb_start(ut->storage, &ut->db) != 0) {
		rmdir(ut->dir);
		free(ut);
		return -1;
	}
	if (rdb_path_init(&ut->root) != 0 || rdb_path_push(&ut->root, &rdb_path_root_key) != 0)
		return -1;
	*state = ut;
	return 0;
}

static inline int
ut_teardown(void **state)
{
	struct utest *ut = *state;

	if (ut->db != NULL)
		rdb_stop_and_close(ut->db);
	else if (ut->storage != NULL)
		rdb_close(ut->storage);
	rdb_destroy(ut->path, ut->uuid);
	rmdir(ut->dir);
	rdb_path_fini(&ut->root);
	free(ut);
	return 0;
}

static inline d_iov_t
ut_key(const char *s)
{
	d_iov_t k;

	d_iov_set(&k, (void *)s, strlen(s));
	return k;
}

static inline d_iov_t
ut_ukey(uint64_t *v)
{
	d_iov_t k;

	d_iov_set(&k, v, sizeof(*v));
	return k;
}

/* path = root + keys... (NULL-terminated) */
static inline void
ut_path(rdb_path_t *p, ...)
{
	const char *s;
	va_list ap;

	assert_int_equal(rdb_path_init(p), 0);
	assert_int_equal(rdb_path_push(p, &rdb_path_root_key), 0);
	va_start(ap, p);
	while ((s = va_arg(ap, const char *)) != NULL) {
		d_iov_t k = ut_key(s);

		assert_int_equal(rdb_path_push(p, &k), 0);
	}
	va_end(ap);
}

static inline void
ut_create_root(struct utest *ut, enum rdb_kvs_class cls)
{
	struct rdb_kvs_attr attr = {.dsa_class = cls, .dsa_order = 8};
	struct rdb_tx tx;

	assert_int_equal(rdb_tx_begin(ut->db, RDB_NIL_TERM, &tx), 0);
	assert_int_equal(rdb_tx_create_root(&tx, &attr), 0);
	assert_int_equal(rdb_tx_commit(&tx), 0);
	rdb_tx_end(&tx);
}

/* one-update TX */
static inline int
ut_put(struct utest *ut, const rdb_path_t *kvs, const char *key, const char *val)
{
	d_iov_t k = ut_key(key), v = ut_key(val);
	struct rdb_tx tx;
	int rc;

	rc = rdb_tx_begin(ut->db, RDB_NIL_TERM, &tx);
	if (rc != 0)
		return rc;
	rc = rdb_tx_update(&tx, kvs, &k, &v);
	if (rc == 0)
		rc = rdb_tx_commit(&tx);
	rdb_tx_end(&tx);
	return rc;
}

/* lookup into a string; returns rc */
static inline int
ut_get(struct utest *ut, const rdb_path_t *kvs, const char *key, char *buf, size_t len)
{
	d_iov_t k = ut_key(key), v;
	struct rdb_tx tx;
	int rc;

	memset(buf, 0, len);
	d_iov_set(&v, buf, len - 1);
	v.iov_len = 0;
	rc = rdb_tx_begin(ut->db, RDB_NIL_TERM, &tx);
	if (rc != 0)
		return rc;
	rc = rdb_tx_lookup(&tx, kvs, &k, &v);
	rdb_tx_end(&tx);
	return rc;
}

static inline uint64_t
ut_used(struct utest *ut)
{
	struct umem_pool_stats st;

	assert_int_equal(umem_pool_query(ut->db->d_pool, &st), 0);
	return st.ups_used;
}

#endif /* __RDB_UTEST_H__ */
