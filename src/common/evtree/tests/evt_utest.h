/* Shared fixture of the evtree tests: a umem heap in a private mkdtemp directory. */
#ifndef __EVT_UTEST_H__
#define __EVT_UTEST_H__

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <setjmp.h>
#include <cmocka.h>
#include <unistd.h>
#include <daos_srv/evtree.h>
#include "../evt_internal.h"

struct evt_ut {
	char dir[64];
	char path[128];
	char wpath[160];
	struct umem_pool *pool;
	struct umem_attr uma;
	struct umem_instance umm;
	struct evt_root *root;
	daos_handle_t toh;
	/* data extents handed to dc_bio_free_cb */
	unsigned int nr_freed;
	uint8_t *freed; /* per ba_off, counts */
	size_t freed_size;
	struct evt_desc_cbs cbs;
};

static int
ut_bio_free(struct umem_instance *umm, struct evt_desc *desc, daos_size_t nob, void *args)
{
	struct evt_ut *ut = args;

	(void)umm;
	(void)nob;
	ut->nr_freed++;
	if (desc->dc_ex_addr.ba_off < ut->freed_size)
		ut->freed[desc->dc_ex_addr.ba_off]++;
	return 0;
}

static inline void
ut_inst(struct evt_ut *ut)
{
	ut->uma.uma_id = UMEM_CLASS_BMEM;
	ut->uma.uma_pool = ut->pool;
	assert_int_equal(umem_class_init(&ut->uma, &ut->umm), 0);
}

static inline void
ut_root(struct evt_ut *ut)
{
	umem_off_t off;

	assert_int_equal(umem_pool_root(ut->pool, 64, &off), 0);
	ut->root = umem_off2ptr(&ut->umm, off);
	assert_non_null(ut->root);
}

static inline struct umem_pool_attr
ut_attr(void)
{
	/* commits need not wait for fdatasync: the tests check logic, not durability */
	struct umem_pool_attr attr = {.upa_sync_ms = 20};

	return attr;
}

static inline int
ut_setup_common(void **state, size_t heap_mb)
{
	struct evt_ut *ut = calloc(1, sizeof(*ut));
	struct umem_pool_attr attr = ut_attr();

	if (ut == NULL)
		return -1;
	strcpy(ut->dir, "/tmp/evt_test.XXXXXX");
	if (mkdtemp(ut->dir) == NULL) {
		free(ut);
		return -1;
	}
	snprintf(ut->path, sizeof(ut->path), "%s/heap", ut->dir);
	snprintf(ut->wpath, sizeof(ut->wpath), "%s/heap.wal", ut->dir);
	if (umem_pool_create(ut->path, heap_mb << 20, 0600, &attr, &ut->pool) != 0)
		return -1;
	ut_inst(ut);
	ut_root(ut);
	ut->freed_size = 1 << 20;
	ut->freed = calloc(1, ut->freed_size);
	ut->cbs.dc_bio_free_cb = ut_bio_free;
	ut->cbs.dc_bio_free_args = ut;
	*state = ut;
	return 0;
}

static inline int
ut_setup(void **state)
{
	return ut_setup_common(state, 64);
}

static inline int
ut_teardown(void **state)
{
	struct evt_ut *ut = *state;

	if (daos_handle_is_valid(ut->toh))
		evt_close(ut->toh);
	if (ut->pool != NULL)
		umem_pool_close(ut->pool);
	unlink(ut->path);
	unlink(ut->wpath);
	rmdir(ut->dir);
	free(ut->freed);
	free(ut);
	return 0;
}

static inline void
ut_reopen(struct evt_ut *ut)
{
	struct umem_pool_attr attr = ut_attr();

	if (daos_handle_is_valid(ut->toh)) {
		assert_int_equal(evt_close(ut->toh), 0);
		ut->toh = DAOS_HDL_INVAL;
	}
	assert_int_equal(umem_pool_close(ut->pool), 0);
	ut->pool = NULL;
	assert_int_equal(umem_pool_open(ut->path, &attr, &ut->pool), 0);
	ut_inst(ut);
	ut_root(ut);
	assert_int_equal(evt_open(ut->root, &ut->uma, &ut->cbs, &ut->toh), 0);
}

static inline void
ut_create_tree(struct evt_ut *ut, unsigned int order)
{
	assert_int_equal(evt_create(ut->root, 0, order, &ut->uma, &ut->cbs, &ut->toh), 0);
}

static inline struct evt_entry_in
ut_ent(uint64_t lo, uint64_t hi, uint64_t epc, uint16_t minor, uint64_t addr, bool hole)
{
	struct evt_entry_in ei;

	memset(&ei, 0, sizeof(ei));
	ei.ei_rect.rc_ex.ex_lo = lo;
	ei.ei_rect.rc_ex.ex_hi = hi;
	ei.ei_rect.rc_epc = epc;
	ei.ei_rect.rc_minor_epc = minor;
	ei.ei_ver = 1;
	ei.ei_inob = hole ? 0 : 1;
	bio_addr_set(&ei.ei_addr, DAOS_MEDIA_NVME, addr);
	return ei;
}

static inline int
ut_insert(struct evt_ut *ut, uint64_t lo, uint64_t hi, uint64_t epc, uint16_t minor, uint64_t addr,
	  bool hole)
{
	struct evt_entry_in ei = ut_ent(lo, hi, epc, minor, addr, hole);

	return evt_insert(ut->toh, &ei, NULL);
}

static inline struct evt_filter
ut_filter(uint64_t lo, uint64_t hi, uint64_t epr_lo, uint64_t epr_hi)
{
	struct evt_filter f;

	memset(&f, 0, sizeof(f));
	f.fr_ex.ex_lo = lo;
	f.fr_ex.ex_hi = hi;
	f.fr_epr.epr_lo = epr_lo;
	f.fr_epr.epr_hi = epr_hi;
	return f;
}

#endif /* __EVT_UTEST_H__ */
