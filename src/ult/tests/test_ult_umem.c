/*
 * umem group commit from ULTs: committers park on eventuals while the WAL flusher syncs, so
 * many ULTs on one xstream share each fdatasync.
 */
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <daos/mem.h>
#include "ult_test.h"

#define NR_ULTS    32
#define NR_COMMITS 20

struct committer {
	struct umem_instance *umm;
	uint64_t *obj;
	umem_off_t off;
	int rc;
	int done;
	_Atomic int *running;
	_Atomic int *max_running;
};

static void
commit_ult(void *arg)
{
	struct committer *c = arg;
	int i, cur, max;

	for (i = 0; i < NR_COMMITS; i++) {
		c->rc = umem_tx_begin(c->umm, NULL);
		if (c->rc == 0)
			c->rc = umem_tx_add_ptr(c->umm, c->obj, 64);
		if (c->rc != 0)
			return;
		c->obj[0] = i + 1;
		/* count ULTs that are between in-memory commit and durability */
		cur = ++*c->running;
		max = *c->max_running;
		while (cur > max && !atomic_compare_exchange_weak(c->max_running, &max, cur))
			;
		c->rc = umem_tx_commit(c->umm);
		--*c->running;
		if (c->rc != 0)
			return;
		c->done++;
	}
}

struct driver {
	struct umem_instance umm;
	struct committer c[NR_ULTS];
	_Atomic int running;
	_Atomic int max_running;
	int xs;
};

static void
driver_ult(void *arg)
{
	struct driver *d = arg;
	struct ult *u[NR_ULTS];
	int i;

	d->xs = ult_xs_self();
	for (i = 0; i < NR_ULTS; i++)
		assert_int_equal(ult_create(ULT_XS_SELF, commit_ult, &d->c[i], 0, &u[i]), 0);
	for (i = 0; i < NR_ULTS; i++)
		assert_int_equal(ult_join(u[i]), 0);
}

static void
test_group_commit_one_xs(void **state)
{
	struct umem_pool_attr attr = {.upa_sync_ms = 0,
				      .upa_wal_size = 4 << 20,
				      .upa_flags = UMEM_POOL_NO_CLOSE_CKPT | UMEM_POOL_NO_BG_CKPT};
	char tmpl[] = "/tmp/ult_umem.XXXXXX", path[256];
	struct umem_pool_stats st0, st1;
	struct umem_attr uma = {.uma_id = UMEM_CLASS_BMEM};
	/* NO_CLOSE_CKPT: the reopen must replay what the ULTs committed */
	struct umem_pool *pool;
	struct driver *d;
	uint64_t syncs, txs;
	int i;

	assert_non_null(mkdtemp(tmpl));
	snprintf(path, sizeof(path), "%s/heap", tmpl);
	d = calloc(1, sizeof(*d));
	assert_non_null(d);
	assert_int_equal(umem_pool_create(path, 4 << 20, 0600, &attr, &pool), 0);
	uma.uma_pool = pool;
	assert_int_equal(umem_class_init(&uma, &d->umm), 0);
	for (i = 0; i < NR_ULTS; i++) {
		umem_off_t off = umem_zalloc(&d->umm, 64);

		assert_false(UMOFF_IS_NULL(off));
		d->c[i] = (struct committer){.umm = &d->umm,
					     .obj = umem_off2ptr(&d->umm, off),
					     .off = off,
					     .running = &d->running,
					     .max_running = &d->max_running};
	}
	assert_int_equal(umem_pool_query(pool, &st0), 0);

	umem_set_wait_ops(ult_umem_wait_ops());
	run_on(0, driver_ult, d);
	umem_set_wait_ops(NULL);

	assert_int_equal(d->xs, 0);
	assert_int_equal(umem_pool_query(pool, &st1), 0);
	for (i = 0; i < NR_ULTS; i++) {
		assert_int_equal(d->c[i].rc, 0);
		assert_int_equal(d->c[i].done, NR_COMMITS);
		assert_int_equal(d->c[i].obj[0], NR_COMMITS);
	}
	txs = st1.ups_tx_committed - st0.ups_tx_committed;
	syncs = st1.ups_wal_syncs - st0.ups_wal_syncs;
	print_message("%lu tx, %lu fdatasync, max %d ULTs waiting at once\n", txs, syncs,
		      (int)d->max_running);
	assert_int_equal(txs, NR_ULTS * NR_COMMITS);
	/* one thread: a blocking wait would allow one waiter and one tx per sync */
	assert_true(d->max_running > 1);
	assert_true(syncs > 0 && txs > syncs);

	/* everything acknowledged survives a reopen that replays the log */
	assert_int_equal(umem_pool_close(pool), 0);
	assert_int_equal(umem_pool_open(path, &attr, &pool), 0);
	assert_int_equal(umem_pool_check(pool, NULL), 0);
	uma.uma_pool = pool;
	assert_int_equal(umem_class_init(&uma, &d->umm), 0);
	for (i = 0; i < NR_ULTS; i++) {
		uint64_t *obj = umem_off2ptr(&d->umm, d->c[i].off);

		assert_int_equal(obj[0], NR_COMMITS);
	}
	assert_int_equal(umem_pool_close(pool), 0);
	assert_int_equal(umem_pool_destroy(path), 0);
	rmdir(tmpl);
	free(d);
}

/* The ops also work from a plain thread (futex), e.g. for tools and tests. */
static void
test_plain_thread(void **state)
{
	const struct umem_wait_ops *ops = ult_umem_wait_ops();
	void *w = ops->uwo_create();

	assert_non_null(w);
	ops->uwo_wake(w);
	ops->uwo_wait(w);
	ops->uwo_destroy(w);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plain_thread),
		cmocka_unit_test(test_group_commit_one_xs),
	};
	struct ult_init_attr attr = {.uia_nr_xs = 1};
	int rc;

	if (ult_init(&attr) != 0)
		return 1;
	rc = cmocka_run_group_tests_name("ult_umem", tests, NULL, NULL);
	if (ult_fini() != 0)
		rc = 1;
	return rc;
}
