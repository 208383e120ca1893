/* Shared fixture for the umem tests: a heap in a private mkdtemp directory. */
#ifndef __UMEM_UTEST_H__
#define __UMEM_UTEST_H__

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <unistd.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <daos/mem.h>

struct utest {
	char dir[64];
	char path[128];
	char wpath[160];
	struct umem_pool *pool;
	struct umem_instance umm;
};

static inline int
ut_setup(void **state)
{
	struct utest *ut = calloc(1, sizeof(*ut));

	if (ut == NULL)
		return -1;
	strcpy(ut->dir, "/tmp/umem_test.XXXXXX");
	if (mkdtemp(ut->dir) == NULL) {
		free(ut);
		return -1;
	}
	snprintf(ut->path, sizeof(ut->path), "%s/heap", ut->dir);
	snprintf(ut->wpath, sizeof(ut->wpath), "%s/heap.wal", ut->dir);
	*state = ut;
	return 0;
}

static inline int
ut_teardown(void **state)
{
	struct utest *ut = *state;

	if (ut->pool != NULL)
		umem_pool_close(ut->pool);
	unlink(ut->path);
	unlink(ut->wpath);
	rmdir(ut->dir);
	free(ut);
	return 0;
}

static inline void
ut_inst(struct utest *ut)
{
	struct umem_attr uma = {.uma_id = UMEM_CLASS_BMEM, .uma_pool = ut->pool};

	assert_int_equal(umem_class_init(&uma, &ut->umm), 0);
}

static inline void
ut_create(struct utest *ut, size_t size, const struct umem_pool_attr *attr)
{
	assert_int_equal(umem_pool_create(ut->path, size, 0600, attr, &ut->pool), 0);
	ut_inst(ut);
}

static inline int
ut_reopen(struct utest *ut, const struct umem_pool_attr *attr)
{
	int rc;

	if (ut->pool != NULL) {
		assert_int_equal(umem_pool_close(ut->pool), 0);
		ut->pool = NULL;
	}
	rc = umem_pool_open(ut->path, attr, &ut->pool);
	if (rc == 0)
		ut_inst(ut);
	else
		ut->pool = NULL;
	return rc;
}

static inline void
ut_check(struct utest *ut)
{
	assert_int_equal(umem_pool_check(ut->pool, NULL), 0);
}

#endif
