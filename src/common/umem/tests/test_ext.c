/*
 * Side-file redo (umem_tx_add_ext): bytes carried in the log are rewritten into the side file
 * at open, except those a later "synced" record declares durable; a log holding side-file
 * data cannot be opened without its side file.
 */
#include "utest.h"

#define SIDE_SZ (64 << 10)

static char side[200];

static void
side_create(struct utest *ut)
{
	int fd;

	snprintf(side, sizeof(side), "%s/side", ut->dir);
	fd = open(side, O_RDWR | O_CREAT | O_TRUNC, 0600);
	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, SIDE_SZ), 0);
	close(fd);
}

static void
side_read(uint64_t off, void *buf, size_t len)
{
	int fd = open(side, O_RDONLY);

	assert_true(fd >= 0);
	assert_int_equal(pread(fd, buf, len, off), (ssize_t)len);
	close(fd);
}

static void
side_write(uint64_t off, int c, size_t len)
{
	char buf[4096];
	int fd = open(side, O_RDWR);

	assert_true(fd >= 0 && len <= sizeof(buf));
	memset(buf, c, len);
	assert_int_equal(pwrite(fd, buf, len, off), (ssize_t)len);
	close(fd);
}

static void
side_expect(uint64_t off, int c, size_t len)
{
	char buf[4096];
	size_t i;

	side_read(off, buf, len);
	for (i = 0; i < len; i++)
		assert_int_equal((unsigned char)buf[i], c);
}

/* one transaction carrying \a len bytes of \a c for side offset \a off (not written there) */
static void
tx_ext(struct utest *ut, uint64_t off, int c, size_t len, bool synced)
{
	static char buf[4096];

	memset(buf, c, len);
	assert_int_equal(umem_tx_begin(&ut->umm, NULL), 0);
	assert_int_equal(umem_tx_add_ext(&ut->umm, off, buf, (uint32_t)len), 0);
	if (synced)
		assert_int_equal(umem_tx_ext_synced(&ut->umm), 0);
	assert_int_equal(umem_tx_commit(&ut->umm), 0);
}

static void
test_ext_replay(void **state)
{
	struct umem_pool_attr attr = {.upa_sync_ms = 0,
				      .upa_flags = UMEM_POOL_NO_BG_CKPT | UMEM_POOL_NO_CLOSE_CKPT};
	struct utest *ut = *state;

	side_create(ut);
	attr.upa_ext_path = side;
	ut_create(ut, 1 << 20, &attr);
	/* bad use: no data, or outside a transaction */
	assert_int_equal(umem_tx_add_ext(&ut->umm, 0, side, 1), -DER_INVAL);
	assert_int_equal(umem_tx_begin(&ut->umm, NULL), 0);
	assert_int_equal(umem_tx_add_ext(&ut->umm, 0, NULL, 1), -DER_INVAL);
	assert_int_equal(umem_tx_commit(&ut->umm), 0);

	/* the side file never saw these writes (as if lost with the page cache) */
	tx_ext(ut, 4096, 'A', 4096, false);
	tx_ext(ut, 8192 + 3, 'B', 101, false);
	assert_int_equal(ut_reopen(ut, &attr), 0);
	side_expect(4096, 'A', 4096);
	side_expect(8192 + 3, 'B', 101);
	side_expect(8192, 0, 3);
	side_expect(8192 + 104, 0, 100);
	ut_check(ut);

	/*
	 * 4096 is rewritten through the log, then written directly and declared synced by a
	 * later record: replay must not put the logged bytes back over the direct ones.
	 */
	tx_ext(ut, 4096, 'C', 4096, false);
	side_write(4096, 'D', 4096);
	tx_ext(ut, 12288, 'E', 64, true);
	side_write(12288, 'E', 64);
	tx_ext(ut, 16384, 'F', 64, false);
	assert_int_equal(ut_reopen(ut, &attr), 0);
	side_expect(4096, 'D', 4096);
	side_expect(12288, 'E', 64);
	side_expect(16384, 'F', 64);

	/* a log with side-file data needs the side file */
	tx_ext(ut, 0, 'G', 64, false);
	assert_int_equal(umem_pool_close(ut->pool), 0);
	ut->pool = NULL;
	assert_int_equal(ut_reopen(ut, NULL), -DER_DF_INVAL);
	assert_int_equal(ut_reopen(ut, &attr), 0);
	side_expect(0, 'G', 64);

	/* a range past the end of the side file is damage */
	tx_ext(ut, SIDE_SZ - 8, 'H', 8, false);
	assert_int_equal(umem_pool_close(ut->pool), 0);
	ut->pool = NULL;
	assert_int_equal(truncate(side, SIDE_SZ - 4096), 0);
	assert_int_equal(ut_reopen(ut, &attr), -DER_DF_INVAL);
	assert_int_equal(truncate(side, SIDE_SZ), 0);
	assert_int_equal(ut_reopen(ut, &attr), 0);
	side_expect(SIDE_SZ - 8, 'H', 8);

	/* after a checkpoint the log no longer covers the side file: nothing is rewritten */
	tx_ext(ut, 20480, 'I', 64, false);
	side_write(20480, 'I', 64);
	assert_int_equal(umem_pool_checkpoint(ut->pool), 0);
	side_write(20480, 'J', 64);
	assert_int_equal(ut_reopen(ut, &attr), 0);
	side_expect(20480, 'J', 64);
	ut_check(ut);
	assert_int_equal(umem_pool_close(ut->pool), 0);
	ut->pool = NULL;
	unlink(side);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_ext_replay, ut_setup, ut_teardown),
	};

	return cmocka_run_group_tests_name("umem_ext", tests, NULL, NULL);
}
