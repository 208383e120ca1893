/* vea: reserve/publish/cancel, deferred free, coalescing, exhaustion, reload, hints. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <daos_errno.h>
#include <daos/mem.h>
#include <daos_srv/vea.h>

#define BLK_SZ   4096
#define HDR_BLKS 2
#define TOT_BLKS 4096

struct root {
	struct vea_space_df md;
	struct vea_hint_df hint[2];
};

struct vt {
	char dir[64];
	char path[128];
	struct umem_pool *pool;
	struct umem_instance umm;
	struct root *root;
	struct vea_space_info *vsi;
};

static void
vt_open(struct vt *t, bool create)
{
	struct umem_attr uma = {.uma_id = UMEM_CLASS_BMEM};
	umem_off_t roff;

	if (create)
		assert_int_equal(umem_pool_create(t->path, 8 << 20, 0600, NULL, &t->pool), 0);
	else
		assert_int_equal(umem_pool_open(t->path, NULL, &t->pool), 0);
	uma.uma_pool = t->pool;
	assert_int_equal(umem_class_init(&uma, &t->umm), 0);
	assert_int_equal(umem_pool_root(t->pool, sizeof(struct root), &roff), 0);
	t->root = umem_off2ptr(&t->umm, roff);
	if (create)
		assert_int_equal(vea_format(&t->umm, NULL, &t->root->md, BLK_SZ, HDR_BLKS,
					    (uint64_t)TOT_BLKS * BLK_SZ, NULL, NULL, false),
				 0);
	assert_int_equal(vea_load(&t->umm, NULL, &t->root->md, NULL, &t->vsi), 0);
}

static void
vt_close(struct vt *t)
{
	vea_unload(t->vsi);
	t->vsi = NULL;
	assert_int_equal(umem_pool_close(t->pool), 0);
	t->pool = NULL;
}

static int
setup(void **state)
{
	struct vt *t = calloc(1, sizeof(*t));

	if (t == NULL)
		return -1;
	strcpy(t->dir, "/tmp/vea_test.XXXXXX");
	if (mkdtemp(t->dir) == NULL) {
		free(t);
		return -1;
	}
	snprintf(t->path, sizeof(t->path), "%s/heap", t->dir);
	vt_open(t, true);
	*state = t;
	return 0;
}

static int
teardown(void **state)
{
	struct vt *t = *state;

	if (t->pool != NULL)
		vt_close(t);
	umem_pool_destroy(t->path);
	rmdir(t->dir);
	free(t);
	return 0;
}

static void
stat_of(struct vt *t, struct vea_stat *st)
{
	assert_int_equal(vea_query(t->vsi, NULL, st), 0);
}

/* reserve + publish in one transaction; returns the offset */
static uint64_t
alloc_blks(struct vt *t, uint32_t cnt, struct vea_hint_context *h)
{
	struct vea_resrvd_ext *vre;
	d_list_t list;
	uint64_t off;

	D_INIT_LIST_HEAD(&list);
	assert_int_equal(vea_reserve(t->vsi, cnt, h, &list), 0);
	vre = d_list_entry(list.next, struct vea_resrvd_ext, vre_link);
	off = vre->vre_blk_off;
	assert_int_equal(umem_tx_begin(&t->umm, NULL), 0);
	assert_int_equal(vea_tx_publish(t->vsi, h, &list), 0);
	assert_int_equal(umem_tx_commit(&t->umm), 0);
	assert_true(d_list_empty(&list));
	return off;
}

static void
test_format_query(void **state)
{
	struct vt *t = *state;
	struct vea_attr attr;
	struct vea_stat st;

	assert_int_equal(vea_query(t->vsi, &attr, &st), 0);
	assert_int_equal(attr.va_blk_sz, BLK_SZ);
	assert_int_equal(attr.va_tot_blks, TOT_BLKS);
	assert_int_equal(attr.va_hdr_blks, HDR_BLKS);
	assert_int_equal(st.vs_free_persistent, TOT_BLKS - HDR_BLKS);
	assert_int_equal(st.vs_free_transient, TOT_BLKS - HDR_BLKS);
	assert_int_equal(st.vs_persist_frags, 1);
	assert_int_equal(vea_format(&t->umm, NULL, &t->root->md, BLK_SZ, HDR_BLKS,
				    (uint64_t)TOT_BLKS * BLK_SZ, NULL, NULL, false),
			 -DER_EXIST);
	assert_int_equal(
		vea_format(&t->umm, NULL, &t->root->md, 3000, HDR_BLKS, 1 << 20, NULL, NULL, true),
		-DER_INVAL);
	assert_int_equal(vea_reserve(t->vsi, 0, NULL, NULL), -DER_INVAL);
}

static void
test_reserve_publish_cancel(void **state)
{
	struct vt *t = *state;
	struct vea_stat st;
	d_list_t list;
	uint64_t off;

	D_INIT_LIST_HEAD(&list);
	assert_int_equal(vea_reserve(t->vsi, 10, NULL, &list), 0);
	assert_int_equal(vea_reserve(t->vsi, 20, NULL, &list), 0);
	stat_of(t, &st);
	assert_int_equal(st.vs_free_transient, TOT_BLKS - HDR_BLKS - 30);
	assert_int_equal(st.vs_free_persistent, TOT_BLKS - HDR_BLKS);
	assert_int_equal(vea_cancel(t->vsi, NULL, &list), 0);
	assert_true(d_list_empty(&list));
	stat_of(t, &st);
	assert_int_equal(st.vs_free_transient, TOT_BLKS - HDR_BLKS);
	assert_int_equal(st.vs_large_frags + st.vs_small_frags, 1);

	/* publish in an aborted transaction: the space is free again */
	assert_int_equal(vea_reserve(t->vsi, 10, NULL, &list), 0);
	assert_int_equal(umem_tx_begin(&t->umm, NULL), 0);
	assert_int_equal(vea_tx_publish(t->vsi, NULL, &list), 0);
	stat_of(t, &st);
	assert_int_equal(st.vs_free_persistent, TOT_BLKS - HDR_BLKS - 10);
	assert_int_equal(umem_tx_abort(&t->umm, -DER_CANCELED), -DER_CANCELED);
	stat_of(t, &st);
	assert_int_equal(st.vs_free_persistent, TOT_BLKS - HDR_BLKS);
	assert_int_equal(st.vs_free_transient, TOT_BLKS - HDR_BLKS);

	off = alloc_blks(t, 10, NULL);
	assert_true(off >= HDR_BLKS);
	stat_of(t, &st);
	assert_int_equal(st.vs_free_persistent, TOT_BLKS - HDR_BLKS - 10);
	assert_int_equal(st.vs_free_transient, TOT_BLKS - HDR_BLKS - 10);
}

static void
test_free_after_commit(void **state)
{
	struct vt *t = *state;
	struct vea_stat st;
	uint64_t off = alloc_blks(t, 16, NULL);
	uint64_t base = TOT_BLKS - HDR_BLKS - 16;

	/* aborted free: nothing changes */
	assert_int_equal(umem_tx_begin(&t->umm, NULL), 0);
	assert_int_equal(vea_free(t->vsi, off, 16), 0);
	stat_of(t, &st);
	assert_int_equal(st.vs_free_persistent, base + 16);
	assert_int_equal(st.vs_free_transient, base);
	umem_tx_abort(&t->umm, -DER_CANCELED);
	stat_of(t, &st);
	assert_int_equal(st.vs_free_persistent, base);
	assert_int_equal(st.vs_free_transient, base);

	/* committed free: reservable only after the commit */
	assert_int_equal(umem_tx_begin(&t->umm, NULL), 0);
	assert_int_equal(vea_free(t->vsi, off, 16), 0);
	stat_of(t, &st);
	assert_int_equal(st.vs_free_transient, base);
	assert_int_equal(umem_tx_commit(&t->umm), 0);
	stat_of(t, &st);
	assert_int_equal(st.vs_free_persistent, base + 16);
	assert_int_equal(st.vs_free_transient, base + 16);

	/* double free and header blocks are refused */
	assert_int_equal(vea_free(t->vsi, off, 16), -DER_INVAL);
	assert_int_equal(vea_free(t->vsi, 0, 1), -DER_INVAL);
	assert_int_equal(vea_free(t->vsi, TOT_BLKS - 1, 2), -DER_INVAL);
}

static void
test_coalesce(void **state)
{
	struct vt *t = *state;
	struct vea_stat st;
	uint64_t a, b, c;

	a = alloc_blks(t, 8, NULL);
	b = alloc_blks(t, 8, NULL);
	c = alloc_blks(t, 8, NULL);
	assert_int_equal(b, a + 8);
	assert_int_equal(c, b + 8);
	assert_int_equal(vea_free(t->vsi, a, 8), 0);
	assert_int_equal(vea_free(t->vsi, c, 8), 0);
	stat_of(t, &st);
	/* a alone, c merged with the rest */
	assert_int_equal(st.vs_persist_frags, 2);
	assert_int_equal(st.vs_large_frags + st.vs_small_frags, 2);
	assert_int_equal(vea_free(t->vsi, b, 8), 0);
	stat_of(t, &st);
	assert_int_equal(st.vs_persist_frags, 1);
	assert_int_equal(st.vs_large_frags + st.vs_small_frags, 1);
	assert_int_equal(st.vs_largest_blks, TOT_BLKS - HDR_BLKS);
	/* best fit: a 4-block hole is preferred over the big extent */
	a = alloc_blks(t, 8, NULL);
	b = alloc_blks(t, 4, NULL);
	c = alloc_blks(t, 8, NULL);
	assert_int_equal(vea_free(t->vsi, b, 4), 0);
	assert_int_equal(alloc_blks(t, 3, NULL), b);
}

static void
test_nospace(void **state)
{
	struct vt *t = *state;
	struct vea_stat st;
	d_list_t list;

	D_INIT_LIST_HEAD(&list);
	assert_int_equal(vea_reserve(t->vsi, TOT_BLKS, NULL, &list), -DER_NOSPACE);
	assert_int_equal(vea_reserve(t->vsi, TOT_BLKS - HDR_BLKS - 1, NULL, &list), 0);
	assert_int_equal(vea_reserve(t->vsi, 2, NULL, &list), -DER_NOSPACE);
	assert_int_equal(vea_reserve(t->vsi, 1, NULL, &list), 0);
	assert_int_equal(vea_reserve(t->vsi, 1, NULL, &list), -DER_NOSPACE);
	stat_of(t, &st);
	assert_int_equal(st.vs_free_transient, 0);
	assert_int_equal(vea_cancel(t->vsi, NULL, &list), 0);
	stat_of(t, &st);
	assert_int_equal(st.vs_free_transient, TOT_BLKS - HDR_BLKS);
}

struct ext_list {
	struct vea_free_extent e[TOT_BLKS];
	int nr;
};

static int
collect(void *arg, struct vea_free_extent *e)
{
	struct ext_list *l = arg;

	l->e[l->nr++] = *e;
	return 0;
}

/* Random model check against a block map, then a reload must reproduce the free set. */
static void
test_random_reload(void **state)
{
	static struct ext_list before, after;
	struct vt *t = *state;
	static uint8_t map[TOT_BLKS];
	struct {
		uint64_t off;
		uint32_t cnt;
	} live[256];
	int nlive = 0, i, j;
	uint64_t used = 0;
	struct vea_stat st;

	srand(42);
	memset(map, 0, sizeof(map));
	for (i = 0; i < 3000; i++) {
		if (nlive < 256 && (rand() % 3 != 0 || nlive == 0)) {
			d_list_t list;
			struct vea_resrvd_ext *vre;
			uint32_t cnt = 1 + rand() % 40;
			int rc;

			D_INIT_LIST_HEAD(&list);
			rc = vea_reserve(t->vsi, cnt, NULL, &list);
			if (rc == -DER_NOSPACE)
				continue;
			assert_int_equal(rc, 0);
			vre = d_list_entry(list.next, struct vea_resrvd_ext, vre_link);
			for (j = 0; j < (int)cnt; j++) {
				assert_true(vre->vre_blk_off + j >= HDR_BLKS);
				assert_int_equal(map[vre->vre_blk_off + j], 0);
			}
			if (rand() % 5 == 0) {
				assert_int_equal(vea_cancel(t->vsi, NULL, &list), 0);
				continue;
			}
			if (rand() % 7 == 0) {
				/* published in a transaction that aborts: free again */
				assert_int_equal(umem_tx_begin(&t->umm, NULL), 0);
				assert_int_equal(vea_tx_publish(t->vsi, NULL, &list), 0);
				umem_tx_abort(&t->umm, -DER_CANCELED);
				continue;
			}
			for (j = 0; j < (int)cnt; j++)
				map[vre->vre_blk_off + j] = 1;
			live[nlive].off = vre->vre_blk_off;
			live[nlive++].cnt = cnt;
			used += cnt;
			assert_int_equal(vea_tx_publish(t->vsi, NULL, &list), 0);
		} else {
			int k = rand() % nlive;

			if (rand() % 7 == 0) {
				/* an aborted free leaves the extent allocated */
				assert_int_equal(umem_tx_begin(&t->umm, NULL), 0);
				assert_int_equal(vea_free(t->vsi, live[k].off, live[k].cnt), 0);
				umem_tx_abort(&t->umm, -DER_CANCELED);
				continue;
			}
			assert_int_equal(vea_free(t->vsi, live[k].off, live[k].cnt), 0);
			for (j = 0; j < (int)live[k].cnt; j++)
				map[live[k].off + j] = 0;
			used -= live[k].cnt;
			live[k] = live[--nlive];
		}
	}
	stat_of(t, &st);
	assert_int_equal(st.vs_free_persistent, TOT_BLKS - HDR_BLKS - used);
	assert_int_equal(st.vs_free_transient, TOT_BLKS - HDR_BLKS - used);
	before.nr = 0;
	assert_int_equal(vea_enumerate_free(t->vsi, collect, &before), 0);
	/* free extents are exactly the unmapped blocks, maximally merged */
	for (i = 0; i < before.nr; i++) {
		for (j = 0; j < (int)before.e[i].vfe_blk_cnt; j++)
			assert_int_equal(map[before.e[i].vfe_blk_off + j], 0);
		if (i > 0)
			assert_true(before.e[i - 1].vfe_blk_off + before.e[i - 1].vfe_blk_cnt <
				    before.e[i].vfe_blk_off);
	}
	vt_close(t);
	vt_open(t, false);
	after.nr = 0;
	assert_int_equal(vea_enumerate_free(t->vsi, collect, &after), 0);
	assert_int_equal(before.nr, after.nr);
	assert_memory_equal(before.e, after.e, before.nr * sizeof(before.e[0]));
	stat_of(t, &st);
	assert_int_equal(st.vs_free_transient, TOT_BLKS - HDR_BLKS - used);
}

static void
test_hint(void **state)
{
	struct vt *t = *state;
	struct vea_hint_context *h0, *h1;
	struct vea_stat st;
	d_list_t list;
	uint64_t prev = 0, off;
	int i;

	/* fragment the space so best fit alone would not be sequential */
	for (i = 0; i < 20; i++)
		alloc_blks(t, 4, NULL);
	for (i = 0; i < 20; i += 2)
		assert_int_equal(vea_free(t->vsi, HDR_BLKS + i * 4, 4), 0);

	assert_int_equal(vea_hint_load(&t->root->hint[0], &h0), 0);
	assert_int_equal(vea_hint_load(&t->root->hint[1], &h1), 0);
	prev = alloc_blks(t, 8, h0);
	/* a new stream lands right behind h0 (best fit); move h1 away so both can run */
	off = alloc_blks(t, 512, h1);
	assert_int_equal(off, prev + 8);
	assert_int_equal(vea_free(t->vsi, off, 512), 0);
	for (i = 0; i < 10; i++) {
		/* interleaved streams each stay sequential */
		off = alloc_blks(t, 8, h0);
		assert_int_equal(off, prev + 8);
		prev = off;
		alloc_blks(t, 8, h1);
	}
	stat_of(t, &st);
	assert_true(st.vs_resrv_hint >= 20);
	/* cancel rewinds the hint */
	D_INIT_LIST_HEAD(&list);
	assert_int_equal(vea_reserve(t->vsi, 8, h0, &list), 0);
	assert_int_equal(vea_reserve(t->vsi, 8, h0, &list), 0);
	assert_int_equal(vea_cancel(t->vsi, h0, &list), 0);
	assert_int_equal(alloc_blks(t, 8, h0), prev + 8);
	prev += 8;
	vea_hint_unload(h0);
	vea_hint_unload(h1);
	/* the hint persists with the publish */
	vt_close(t);
	vt_open(t, false);
	assert_int_equal(vea_hint_load(&t->root->hint[0], &h0), 0);
	assert_int_equal(alloc_blks(t, 8, h0), prev + 8);
	vea_hint_unload(h0);
}

/*
 * A committed free whose log record is not durable yet (relaxed sync policy) stays out of the
 * reservable set: a crash could still bring back the record pointing at those blocks.
 */
static void
test_free_until_durable(void **state)
{
	struct vt *t = *state;
	struct vea_stat st;
	d_list_t list;
	uint64_t all = TOT_BLKS - HDR_BLKS, off;

	vt_close(t);
	setenv("DAOS_WAL_SYNC", "60000", 1);
	vt_open(t, false);
	unsetenv("DAOS_WAL_SYNC");
	off = alloc_blks(t, (uint32_t)all, NULL);
	assert_int_equal(umem_tx_begin(&t->umm, NULL), 0);
	assert_int_equal(vea_free(t->vsi, off, all), 0);
	assert_int_equal(umem_tx_commit(&t->umm), 0);
	stat_of(t, &st);
	assert_int_equal(st.vs_free_persistent, all);
	assert_int_equal(st.vs_free_transient, 0);
	D_INIT_LIST_HEAD(&list);
	assert_int_equal(vea_reserve(t->vsi, 1, NULL, &list), -DER_NOSPACE);
	/* the checkpoint waits for the log: durable now */
	assert_int_equal(umem_pool_checkpoint(t->pool), 0);
	stat_of(t, &st);
	assert_int_equal(st.vs_free_transient, all);
	assert_int_equal(vea_reserve(t->vsi, 1, NULL, &list), 0);
	vea_cancel(t->vsi, NULL, &list);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_format_query, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reserve_publish_cancel, setup, teardown),
		cmocka_unit_test_setup_teardown(test_free_after_commit, setup, teardown),
		cmocka_unit_test_setup_teardown(test_coalesce, setup, teardown),
		cmocka_unit_test_setup_teardown(test_nospace, setup, teardown),
		cmocka_unit_test_setup_teardown(test_random_reload, setup, teardown),
		cmocka_unit_test_setup_teardown(test_hint, setup, teardown),
		cmocka_unit_test_setup_teardown(test_free_until_durable, setup, teardown),
	};

	return cmocka_run_group_tests_name("vea", tests, NULL, NULL);
}
