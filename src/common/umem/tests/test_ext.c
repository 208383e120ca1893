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

/* fill [off, +len) of the side file with \a c (any length) and return its CRC32C */
static uint32_t
side_fill(uint64_t off, int c, size_t len)
{
	uint32_t crc = 0;
	size_t done;

	for (done = 0; done < len; done += 4096) {
		char buf[4096];
		size_t n = len - done < 4096 ? len - done : 4096;

		memset(buf, c, n);
		side_write(off + done, c, n);
		crc = umem_crc32c(crc, buf, n);
	}
	return crc;
}

static uint64_t *
root_of(struct utest *ut)
{
	umem_off_t root;

	assert_int_equal(umem_pool_root(ut->pool, 64, &root), 0);
	return umem_off2ptr(&ut->umm, root);
}

/* one transaction: root counter = \a val, plus a checked side-file range (len 0: none) */
static void
tx_checked(struct utest *ut, uint64_t val, uint64_t off, uint32_t len, uint32_t csum)
{
	uint64_t *r = root_of(ut);

	assert_int_equal(umem_tx_begin(&ut->umm, NULL), 0);
	assert_int_equal(umem_tx_add_ptr(&ut->umm, r, sizeof(*r)), 0);
	*r = val;
	if (len > 0)
		assert_int_equal(umem_tx_add_ext_checked(&ut->umm, off, len, csum), 0);
	assert_int_equal(umem_tx_commit(&ut->umm), 0);
}

/*
 * Checked side-file ranges (data written directly, only its checksum in the log): replayed
 * when intact; a record past the durable watermark whose data is not on disk ends the log
 * (power loss before the flush that would have acknowledged it); below the watermark the
 * data is not checked; older logged bytes never overwrite newer checked blocks.
 */
static void
test_ext_checked(void **state)
{
	struct umem_pool_attr attr = {.upa_sync_ms = 0,
				      .upa_flags = UMEM_POOL_NO_BG_CKPT | UMEM_POOL_NO_CLOSE_CKPT};
	struct utest *ut = *state;
	uint32_t crc;

	/* no side file: refused */
	ut_create(ut, 1 << 20, &attr);
	assert_false(umem_ext_shares_flush(&ut->umm));
	assert_int_equal(umem_tx_begin(&ut->umm, NULL), 0);
	assert_int_equal(umem_tx_add_ext_checked(&ut->umm, 0, 64, 0), -DER_NOTSUPPORTED);
	assert_int_equal(umem_tx_commit(&ut->umm), 0);
	assert_int_equal(umem_pool_close(ut->pool), 0);
	ut->pool = NULL;
	unlink(ut->path);
	unlink(ut->wpath);

	side_create(ut);
	attr.upa_ext_path = side;
	ut_create(ut, 1 << 20, &attr);
	assert_true(umem_ext_shares_flush(&ut->umm));
	assert_int_equal(umem_tx_add_ext_checked(&ut->umm, 0, 64, 0), -DER_INVAL);

	/* intact data: both records replayed */
	tx_checked(ut, 1, 8192, 8192, side_fill(8192, 'K', 8192));
	tx_checked(ut, 2, 16384, 4000, side_fill(16384, 'L', 4000));
	assert_int_equal(ut_reopen(ut, &attr), 0);
	assert_int_equal(*root_of(ut), 2);
	side_expect(8192, 'K', 4096);
	side_expect(16384, 'L', 4000);

	/* the last record's data never reached the disk: the log ends before it */
	crc = side_fill(24576, 'M', 4096);
	side_fill(24576, 'N', 4096);
	tx_checked(ut, 3, 24576, 4096, crc);
	assert_int_equal(ut_reopen(ut, &attr), 0);
	assert_int_equal(*root_of(ut), 2);
	ut_check(ut);
	/* the new chain overwrites the dropped record */
	tx_checked(ut, 4, 0, 0, 0);
	assert_int_equal(ut_reopen(ut, &attr), 0);
	assert_int_equal(*root_of(ut), 4);

	/* a later record says the earlier one was durable: its data is not checked any more */
	tx_checked(ut, 5, 32768, 4096, side_fill(32768, 'P', 4096));
	tx_checked(ut, 6, 0, 0, 0);
	side_fill(32768, 'Q', 4096);
	assert_int_equal(ut_reopen(ut, &attr), 0);
	assert_int_equal(*root_of(ut), 6);

	/* logged bytes, then the same blocks written directly: replay keeps the direct ones */
	tx_ext(ut, 40960, 'R', 4096, false);
	tx_checked(ut, 7, 40960, 4096, side_fill(40960, 'S', 4096));
	/* partial overlap: only the uncovered part of the logged range is rewritten */
	tx_ext(ut, 49152, 'T', 4096, false);
	tx_ext(ut, 53248, 'T', 4096, false);
	tx_checked(ut, 8, 53248, 4096, side_fill(53248, 'U', 4096));
	side_fill(49152, 0, 4096);
	assert_int_equal(ut_reopen(ut, &attr), 0);
	assert_int_equal(*root_of(ut), 8);
	side_expect(40960, 'S', 4096);
	side_expect(49152, 'T', 4096);
	side_expect(53248, 'U', 4096);

	/* damaged record content: a checked range past the end of the side file */
	tx_checked(ut, 9, SIDE_SZ - 4096, 4096, 1);
	assert_int_equal(umem_pool_close(ut->pool), 0);
	ut->pool = NULL;
	assert_int_equal(truncate(side, SIDE_SZ - 4096), 0);
	assert_int_equal(ut_reopen(ut, &attr), -DER_DF_INVAL);
	assert_int_equal(truncate(side, SIDE_SZ), 0);
	/* with the file back (zeros, not the checksummed bytes): the record is dropped */
	assert_int_equal(ut_reopen(ut, &attr), 0);
	assert_int_equal(*root_of(ut), 8);
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
		cmocka_unit_test_setup_teardown(test_ext_checked, ut_setup, ut_teardown),
	};

	return cmocka_run_group_tests_name("umem_ext", tests, NULL, NULL);
}
