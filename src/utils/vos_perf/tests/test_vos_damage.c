/**
 * Damaged VOS pool files at open: a clear error (or, where the damage is a torn WAL tail, a
 * consistent older state), never a crash. Each case builds a small pool holding an inline and
 * a blob value, damages one file, then opens it. VOS runs in a ULT; cmocka asserts run on the
 * test thread.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <uuid/uuid.h>

#include <daos_errno.h>
#include <daos/mem.h>
#include <daos_srv/ult.h>
#include <daos_srv/vos.h>

#include "../vos_check.h"

#define HEAP_SZ  (32ULL << 20)
#define BLOB_SZ  (32ULL << 20)
#define SMALL_SZ 100
#define BIG_SZ   9000

static char dir[64];
static char path[256], wal_path[300], blob_path[300];
static uuid_t pool_uuid, co_uuid;

/* ---- running VOS in a ULT ---- */

struct call {
	int (*fn)(void *arg);
	void *arg;
	int rc;
};

static void
call_ult(void *arg)
{
	struct call *c = arg;

	c->rc = c->fn(c->arg);
}

static int
in_ult(int (*fn)(void *), void *arg)
{
	struct call c = {fn, arg, -DER_MISC};
	struct ult *u;

	assert_int_equal(ult_create(0, call_ult, &c, 0, &u), 0);
	assert_int_equal(ult_join(u), 0);
	return c.rc;
}

static void
value(char *buf, size_t len, int which)
{
	size_t i;

	for (i = 0; i < len; i++)
		buf[i] = (char)(i * 7 + which * 13 + 1);
}

static void
iod_of(daos_iod_t *iod, daos_key_t *ak, char *abuf, int which, size_t len)
{
	memset(iod, 0, sizeof(*iod));
	snprintf(abuf, 8, "a%d", which);
	d_iov_set(ak, abuf, strlen(abuf));
	iod->iod_name = *ak;
	iod->iod_type = DAOS_IOD_SINGLE;
	iod->iod_size = len;
	iod->iod_nr = 1;
}

/* pool with one inline and one blob value; WAL left full when \a keep_wal */
static int
make_pool(void *arg)
{
	bool keep_wal = arg != NULL;
	struct vos_pool_attr attr = {0};
	daos_handle_t poh, coh;
	daos_unit_oid_t oid;
	daos_key_t dkey, ak[2];
	daos_iod_t iods[2];
	d_sg_list_t sgls[2];
	d_iov_t iovs[2];
	static char small[SMALL_SZ], big[BIG_SZ];
	char abuf[2][8];
	int rc;

	if (keep_wal)
		attr.vpa_umem_flags = UMEM_POOL_NO_CLOSE_CKPT | UMEM_POOL_NO_BG_CKPT;
	rc = vos_pool_create_ex(path, pool_uuid, HEAP_SZ, BLOB_SZ, 0, 0, 0, &attr, &poh);
	if (rc != 0)
		return rc;
	rc = vos_cont_create(poh, co_uuid);
	if (rc == 0)
		rc = vos_cont_open(poh, co_uuid, &coh);
	if (rc != 0)
		goto out;
	vt_oid(2, &oid);
	d_iov_set(&dkey, "dkey", 4);
	value(small, SMALL_SZ, 0);
	value(big, BIG_SZ, 1);
	iod_of(&iods[0], &ak[0], abuf[0], 0, SMALL_SZ);
	iod_of(&iods[1], &ak[1], abuf[1], 1, BIG_SZ);
	d_iov_set(&iovs[0], small, SMALL_SZ);
	d_iov_set(&iovs[1], big, BIG_SZ);
	sgls[0] = (d_sg_list_t){1, 0, &iovs[0]};
	sgls[1] = (d_sg_list_t){1, 0, &iovs[1]};
	rc = vos_obj_update(coh, oid, 10, 0, 0, &dkey, 2, iods, NULL, sgls);
	vos_cont_close(coh);
out:
	vos_pool_close(poh);
	return rc;
}

struct open_res {
	int open_rc;
	int fetch_rc;
	bool intact; /* both values read back as written */
	bool empty;  /* neither value exists (an older state, before the update) */
	size_t sizes[2];
};

/* open, read the two values back, close */
static int
try_open(void *arg)
{
	struct open_res *r = arg;
	daos_handle_t poh, coh;
	daos_unit_oid_t oid;
	daos_key_t dkey, ak[2];
	daos_iod_t iods[2];
	d_sg_list_t sgls[2];
	d_iov_t iovs[2];
	static char small[SMALL_SZ], big[BIG_SZ], exp[BIG_SZ];
	char abuf[2][8];

	memset(r, 0, sizeof(*r));
	r->open_rc = vos_pool_open(path, pool_uuid, 0, &poh);
	if (r->open_rc != 0)
		return 0;
	r->fetch_rc = vos_cont_open(poh, co_uuid, &coh);
	if (r->fetch_rc == 0) {
		vt_oid(2, &oid);
		d_iov_set(&dkey, "dkey", 4);
		iod_of(&iods[0], &ak[0], abuf[0], 0, SMALL_SZ);
		iod_of(&iods[1], &ak[1], abuf[1], 1, BIG_SZ);
		memset(small, 0, sizeof(small));
		memset(big, 0, sizeof(big));
		d_iov_set(&iovs[0], small, SMALL_SZ);
		d_iov_set(&iovs[1], big, BIG_SZ);
		sgls[0] = (d_sg_list_t){1, 0, &iovs[0]};
		sgls[1] = (d_sg_list_t){1, 0, &iovs[1]};
		r->fetch_rc = vos_obj_fetch(coh, oid, 20, 0, &dkey, 2, iods, sgls);
		r->sizes[0] = iods[0].iod_size;
		r->sizes[1] = iods[1].iod_size;
		r->empty = r->fetch_rc == 0 && iods[0].iod_size == 0 && iods[1].iod_size == 0;
		if (r->fetch_rc == 0 && iods[0].iod_size == SMALL_SZ &&
		    iods[1].iod_size == BIG_SZ) {
			value(exp, SMALL_SZ, 0);
			r->intact = memcmp(small, exp, SMALL_SZ) == 0;
			value(exp, BIG_SZ, 1);
			r->intact = r->intact && memcmp(big, exp, BIG_SZ) == 0;
		}
		vos_cont_close(coh);
	}
	vos_pool_close(poh);
	return 0;
}

static int
destroy_pool(void *arg)
{
	return vos_pool_destroy(path, pool_uuid);
}

/* ---- file damage ---- */

static void
overwrite(const char *file, off_t off, size_t len, int pattern)
{
	char *buf = malloc(len);
	int fd = open(file, O_WRONLY);
	size_t i;

	assert_non_null(buf);
	assert_true(fd >= 0);
	for (i = 0; i < len; i++)
		buf[i] = pattern >= 0 ? (char)pattern : (char)(random() | 1);
	assert_int_equal(pwrite(fd, buf, len, off), (ssize_t)len);
	close(fd);
	free(buf);
}

static off_t
file_size(const char *file)
{
	struct stat st;

	assert_int_equal(stat(file, &st), 0);
	return st.st_size;
}

/* offset of the first copy of the pool UUID in the heap file (the VOS superblock), or -1 */
static off_t
find_uuid(const char *file)
{
	size_t chunk = 1 << 20;
	char *buf = malloc(chunk + 16);
	int fd = open(file, O_RDONLY);
	off_t off = 0, found = -1;
	ssize_t n;

	assert_non_null(buf);
	assert_true(fd >= 0);
	while (found < 0 && (n = pread(fd, buf, chunk + 16, off)) > 16) {
		ssize_t i;

		for (i = 0; i + 16 <= n; i++)
			if (memcmp(buf + i, pool_uuid, 16) == 0) {
				found = off + i;
				break;
			}
		off += chunk;
	}
	close(fd);
	free(buf);
	return found;
}

static void
fresh_pool(bool keep_wal)
{
	struct open_res r;

	in_ult(destroy_pool, NULL);
	unlink(path);
	unlink(wal_path);
	unlink(blob_path);
	uuid_generate(pool_uuid);
	uuid_generate(co_uuid);
	assert_int_equal(in_ult(make_pool, keep_wal ? (void *)1 : NULL), 0);
	if (!keep_wal) {
		/* baseline: the undamaged pool opens and reads back */
		in_ult(try_open, &r);
		assert_int_equal(r.open_rc, 0);
		assert_int_equal(r.fetch_rc, 0);
		assert_true(r.intact);
	}
}

static bool
clear_error(int rc)
{
	return rc == -DER_DF_INVAL || rc == -DER_CSUM || rc == -DER_NONEXIST || rc == -DER_IO ||
	       rc == -DER_ID_MISMATCH || rc == -DER_INVAL || rc == -DER_DF_INCOMPT;
}

static void
expect_error(const char *what, int want)
{
	struct open_res r;

	in_ult(try_open, &r);
	print_message("%-40s open -> %d (%s)\n", what, r.open_rc, d_errstr(r.open_rc));
	assert_int_not_equal(r.open_rc, 0);
	assert_true(clear_error(r.open_rc));
	if (want != 0)
		assert_int_equal(r.open_rc, want);
}

/* ---- cases ---- */

static void
test_truncated_heap(void **state)
{
	off_t sizes[] = {0, 100, 4096, HEAP_SZ / 2, HEAP_SZ - 4096};
	char what[64];
	int i;

	for (i = 0; i < (int)ARRAY_SIZE(sizes); i++) {
		fresh_pool(false);
		assert_int_equal(truncate(path, sizes[i]), 0);
		snprintf(what, sizeof(what), "heap truncated to %ld", (long)sizes[i]);
		expect_error(what, 0);
	}
}

static void
test_garbage_heap_header(void **state)
{
	fresh_pool(false);
	overwrite(path, 0, 8192, -1);
	expect_error("heap header garbage", 0);
	fresh_pool(false);
	overwrite(path, 0, 8192, 0);
	expect_error("heap header zeroed", 0);
}

static void
test_garbage_superblock(void **state)
{
	off_t off;

	fresh_pool(false);
	off = find_uuid(path);
	assert_true(off >= 8);
	/* magic and version just before the pool UUID in the VOS superblock */
	overwrite(path, off - 8, 8, 0x5a);
	expect_error("VOS superblock magic garbage", -DER_DF_INVAL);
	fresh_pool(false);
	off = find_uuid(path);
	overwrite(path, off, 16, 0x33);
	expect_error("VOS superblock UUID changed", 0);
}

/* A pool of an older VOS layout (versions 1 and 2) is refused, not misread. */
static void
test_old_layout(void **state)
{
	uint32_t version;
	off_t off;
	int fd;

	for (version = 1; version <= 2; version++) {
		fresh_pool(false);
		off = find_uuid(path);
		assert_true(off >= 8);
		fd = open(path, O_WRONLY);
		assert_true(fd >= 0);
		assert_int_equal(pwrite(fd, &version, sizeof(version), off - 4),
				 (ssize_t)sizeof(version));
		close(fd);
		expect_error(version == 1 ? "VOS layout version 1" : "VOS layout version 2",
			     -DER_DF_INCOMPT);
	}
}

static void
test_wal(void **state)
{
	struct open_res r;
	off_t sz;

	fresh_pool(false);
	assert_int_equal(unlink(wal_path), 0);
	expect_error("WAL missing", -DER_NONEXIST);

	fresh_pool(false);
	overwrite(wal_path, 0, 4096, -1);
	expect_error("WAL header garbage", 0);

	/* records never checkpointed, then damaged: an older state or a clear error */
	fresh_pool(true);
	sz = file_size(wal_path);
	assert_true(sz > 64 * 1024);
	overwrite(wal_path, 16 * 1024, 48 * 1024, -1);
	in_ult(try_open, &r);
	print_message("%-40s open -> %d, fetch -> %d, intact %d, sizes %zu %zu\n",
		      "WAL records garbage", r.open_rc, r.fetch_rc, r.intact, r.sizes[0],
		      r.sizes[1]);
	assert_true(r.open_rc == 0 || clear_error(r.open_rc));
	/* replay stops at the damage: an older state (no container yet, or the update all or
	 * nothing), never a partial update */
	if (r.open_rc == 0)
		assert_true(r.fetch_rc == -DER_NONEXIST ||
			    (r.fetch_rc == 0 && (r.intact || r.empty)));

	/* the same pool with its WAL intact replays everything */
	fresh_pool(true);
	in_ult(try_open, &r);
	assert_int_equal(r.open_rc, 0);
	assert_true(r.intact);
}

static void
test_blob(void **state)
{
	struct open_res r;

	fresh_pool(false);
	assert_int_equal(unlink(blob_path), 0);
	expect_error("blob missing", -DER_NONEXIST);

	fresh_pool(false);
	assert_int_equal(truncate(blob_path, 0), 0);
	in_ult(try_open, &r);
	print_message("%-40s open -> %d, fetch -> %d, intact %d\n", "blob truncated to 0",
		      r.open_rc, r.fetch_rc, r.intact);
	/* a clear error at open or at fetch, never wrong data */
	assert_true(r.open_rc != 0 || r.fetch_rc != 0 || r.intact);
	assert_true(r.open_rc == 0 || clear_error(r.open_rc));
	assert_false(r.open_rc == 0 && r.fetch_rc == 0 && !r.intact);
}

static void
test_not_a_pool(void **state)
{
	struct open_res r;

	fresh_pool(false);
	overwrite(path, 0, 1 << 20, -1);
	overwrite(wal_path, 0, 1 << 16, -1);
	expect_error("heap and WAL all garbage", 0);

	fresh_pool(false);
	uuid_generate(pool_uuid);
	expect_error("wrong pool UUID", -DER_ID_MISMATCH);

	unlink(path);
	unlink(wal_path);
	unlink(blob_path);
	in_ult(try_open, &r);
	assert_int_equal(r.open_rc, -DER_NONEXIST);
}

static int
setup(void **state)
{
	struct ult_init_attr ua = {.uia_nr_xs = 1};

	strcpy(dir, "/tmp/vos_damage.XXXXXX");
	if (mkdtemp(dir) == NULL)
		return -1;
	snprintf(path, sizeof(path), "%s/vos-0", dir);
	snprintf(wal_path, sizeof(wal_path), "%s.wal", path);
	snprintf(blob_path, sizeof(blob_path), "%s.blob", path);
	srandom(42);
	if (ult_init(&ua) != 0)
		return -1;
	umem_set_wait_ops(ult_umem_wait_ops());
	return 0;
}

static int
teardown(void **state)
{
	umem_set_wait_ops(NULL);
	ult_fini();
	vt_rm_rf(dir);
	return 0;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_truncated_heap),
		cmocka_unit_test(test_garbage_heap_header),
		cmocka_unit_test(test_garbage_superblock),
		cmocka_unit_test(test_old_layout),
		cmocka_unit_test(test_wal),
		cmocka_unit_test(test_blob),
		cmocka_unit_test(test_not_a_pool),
	};

	return cmocka_run_group_tests_name("vos_damage", tests, setup, teardown);
}
