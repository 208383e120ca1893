/*
 * Blob values carried in the heap log: written to the blob without a sync, they must come
 * back from the log when the blob lost them (a crash of the host before writeback), and
 * values above VOS_WAL_DATA_MAX still work (written and synced before their commit).
 */
#include <fcntl.h>
#include <daos/mem.h>
#include "vos_test.h"

#define NVAL 16

static void
reopen(struct vt_ctx *c, struct vos_pool_attr *attr)
{
	assert_int_equal(vos_pool_open_ex(c->path, c->pool_id, 0, attr, &c->poh), 0);
	assert_int_equal(vos_cont_open(c->poh, c->cont_id, &c->coh), 0);
}

/* the blob loses every byte past its header block: nothing was ever synced */
static void
blob_lose(struct vt_ctx *c)
{
	char path[160];
	static char zero[1 << 16];
	off_t off, end;
	int fd;

	snprintf(path, sizeof(path), "%s.blob", c->path);
	fd = open(path, O_RDWR);
	assert_true(fd >= 0);
	end = lseek(fd, 0, SEEK_END);
	for (off = 4096; off < end; off += sizeof(zero))
		assert_int_equal(pwrite(fd, zero, sizeof(zero), off), (ssize_t)sizeof(zero));
	close(fd);
}

static void
check(struct vt_ctx *c, daos_unit_oid_t oid, int i, size_t len)
{
	static char buf[20000];
	char dkey[16];
	size_t size;
	size_t k;

	snprintf(dkey, sizeof(dkey), "d%d", i);
	assert_int_equal(vt_fetch_sv(c->coh, oid, 100, 0, dkey, "a", buf, sizeof(buf), &size), 0);
	assert_int_equal(size, len);
	for (k = 0; k < len; k++)
		assert_int_equal((unsigned char)buf[k], 'A' + i);
}

static void
test_logged_values_survive(void **state)
{
	struct vos_pool_attr attr = {.vpa_sync_ms = -1, /* every commit durable */
				     .vpa_umem_flags =
					     UMEM_POOL_NO_CLOSE_CKPT | UMEM_POOL_NO_BG_CKPT};
	daos_unit_oid_t oid = vt_oid(1, DAOS_OT_MULTI_HASHED);
	static char val[20000];
	struct vt_ctx c;
	char dkey[16];
	int i;

	(void)state;
	setenv("VOS_WAL_DATA_MAX", "8192", 1);
	memset(&c, 0, sizeof(c));
	strcpy(c.dir, "/tmp/vos_test.XXXXXX");
	assert_non_null(mkdtemp(c.dir));
	snprintf(c.path, sizeof(c.path), "%s/vos-0", c.dir);
	uuid_generate(c.pool_id);
	uuid_generate(c.cont_id);
	assert_int_equal(
		vos_pool_create_ex(c.path, c.pool_id, 64 << 20, 64 << 20, 0, 0, 0, &attr, &c.poh),
		0);
	assert_int_equal(vos_cont_create(c.poh, c.cont_id), 0);
	assert_int_equal(vos_cont_open(c.poh, c.cont_id, &c.coh), 0);

	for (i = 0; i < NVAL; i++) {
		memset(val, 'A' + i, sizeof(val));
		snprintf(dkey, sizeof(dkey), "d%d", i);
		assert_int_equal(vt_update_sv(c.coh, oid, 10 + i, 0, dkey, "a", val, 4096 + i), 0);
	}
	/* close without a checkpoint, lose the unsynced blob data: replay brings it back */
	vt_close(&c);
	blob_lose(&c);
	reopen(&c, &attr);
	for (i = 0; i < NVAL; i++)
		check(&c, oid, i, 4096 + i);

	/* an update with a value over the limit is synced directly; all values still read */
	memset(val, 'A' + NVAL, sizeof(val));
	snprintf(dkey, sizeof(dkey), "d%d", NVAL);
	assert_int_equal(vt_update_sv(c.coh, oid, 50, 0, dkey, "a", val, 12000), 0);
	vt_close(&c);
	reopen(&c, &attr);
	for (i = 0; i < NVAL; i++)
		check(&c, oid, i, 4096 + i);
	check(&c, oid, NVAL, 12000);

	/* a checkpoint at close syncs the blob: afterwards the log no longer holds the values */
	vt_close(&c);
	attr.vpa_umem_flags = 0;
	reopen(&c, &attr);
	vt_close(&c);
	reopen(&c, &attr);
	for (i = 0; i < NVAL; i++)
		check(&c, oid, i, 4096 + i);
	vt_teardown(&c);
	unsetenv("VOS_WAL_DATA_MAX");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_logged_values_survive),
	};

	return cmocka_run_group_tests_name("vos_blob_log", tests, NULL, NULL);
}
