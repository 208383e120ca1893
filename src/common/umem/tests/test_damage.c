/* Damaged images and logs: random corruption must give an error or a consistent heap, never a
 * crash (run under ASan/UBSan in CI). */
#include "utest.h"

#define HEAP_SZ (2UL << 20)
#define ROUNDS  300

static const struct umem_pool_attr quiet = {.upa_wal_size = 256 << 10,
					    .upa_sync_ms = -1,
					    .upa_flags =
						    UMEM_POOL_NO_CLOSE_CKPT | UMEM_POOL_NO_BG_CKPT};

static void
populate(struct utest *ut)
{
	umem_off_t offs[200];
	int i;

	for (i = 0; i < 200; i++) {
		static const size_t sizes[] = {40, 100, 300, 5000, 9000};

		offs[i] = umem_alloc(&ut->umm, sizes[i % 5]);
		assert_false(UMOFF_IS_NULL(offs[i]));
	}
	for (i = 0; i < 200; i += 3)
		assert_int_equal(umem_free(&ut->umm, offs[i]), 0);
}

static void
write_file(const char *path, const char *buf, size_t len)
{
	int fd = open(path, O_WRONLY);

	assert_true(fd >= 0);
	assert_int_equal(pwrite(fd, buf, len, 0), (ssize_t)len);
	close(fd);
}

static char *
read_file(const char *path, size_t len)
{
	char *buf = malloc(len);
	int fd = open(path, O_RDONLY);

	assert_non_null(buf);
	assert_true(fd >= 0);
	assert_int_equal(pread(fd, buf, len, 0), (ssize_t)len);
	close(fd);
	return buf;
}

static void
test_image_corruption(void **state)
{
	struct utest *ut = *state;
	unsigned int seed = 1234;
	char *orig, *img;
	int round, ok = 0, errs = 0;
	umem_off_t root;

	ut_create(ut, HEAP_SZ, &quiet);
	populate(ut);
	assert_int_equal(umem_pool_root(ut->pool, 64, &root), 0);
	assert_int_equal(umem_pool_checkpoint(ut->pool), 0);
	assert_int_equal(umem_pool_close(ut->pool), 0);
	ut->pool = NULL;
	orig = read_file(ut->path, HEAP_SZ);
	img = malloc(HEAP_SZ);
	assert_non_null(img);

	for (round = 0; round < ROUNDS; round++) {
		int n = 1 + rand_r(&seed) % 8, i, rc;

		memcpy(img, orig, HEAP_SZ);
		for (i = 0; i < n; i++) {
			/* mostly metadata: meta page, page map, then anywhere */
			size_t off = rand_r(&seed) % 3 == 0   ? 4096 + rand_r(&seed) % 4096
				     : rand_r(&seed) % 2 == 0 ? 8192 + rand_r(&seed) % 4096
							      : rand_r(&seed) % HEAP_SZ;

			if (off < 4096)
				off += 4096; /* the header has its own checksum tests */
			img[off] ^= (char)(1 + rand_r(&seed) % 255);
		}
		write_file(ut->path, img, HEAP_SZ);
		rc = umem_pool_open(ut->path, &quiet, &ut->pool);
		if (rc == 0) {
			struct umem_pool_stats st;

			ut_inst(ut);
			/* whatever was accepted must be usable */
			assert_int_equal(umem_pool_check(ut->pool, &st), 0);
			umem_free(&ut->umm, umem_alloc(&ut->umm, 100));
			umem_free(&ut->umm, umem_alloc(&ut->umm, 20000));
			assert_int_equal(umem_pool_check(ut->pool, NULL), 0);
			assert_int_equal(umem_pool_close(ut->pool), 0);
			ok++;
		} else {
			assert_true(rc == -DER_DF_INVAL || rc == -DER_CSUM);
			errs++;
		}
		ut->pool = NULL;
	}
	print_message("%d corrupted images accepted as consistent, %d refused\n", ok, errs);
	assert_true(errs > ROUNDS / 4);
	free(img);
	free(orig);
}

static void
test_log_corruption(void **state)
{
	struct utest *ut = *state;
	unsigned int seed = 99;
	char *orig_img, *orig_log;
	size_t log_len = 4096 + (256 << 10);
	int round, i;
	umem_off_t root;
	uint64_t *cnt;

	/* a log full of records that the image does not have yet */
	ut_create(ut, HEAP_SZ, &quiet);
	assert_int_equal(umem_pool_root(ut->pool, 64, &root), 0);
	assert_int_equal(umem_pool_checkpoint(ut->pool), 0);
	cnt = umem_off2ptr(&ut->umm, root);
	for (i = 0; i < 100; i++) {
		assert_int_equal(umem_tx_begin(&ut->umm, NULL), 0);
		assert_int_equal(umem_tx_add_ptr(&ut->umm, cnt, 8), 0);
		(*cnt)++;
		assert_false(UMOFF_IS_NULL(umem_alloc(&ut->umm, 50 + i)));
		assert_int_equal(umem_tx_commit(&ut->umm), 0);
	}
	assert_int_equal(umem_pool_close(ut->pool), 0);
	ut->pool = NULL;
	orig_img = read_file(ut->path, HEAP_SZ);
	orig_log = read_file(ut->wpath, log_len);

	for (round = 0; round < ROUNDS / 3; round++) {
		char *log = malloc(log_len);
		size_t off = 4096 + rand_r(&seed) % 20000; /* where the records are */
		int rc;

		memcpy(log, orig_log, log_len);
		log[off] ^= (char)(1 + rand_r(&seed) % 255);
		write_file(ut->path, orig_img, HEAP_SZ);
		write_file(ut->wpath, log, log_len);
		free(log);
		rc = umem_pool_open(ut->path, &quiet, &ut->pool);
		if (rc == 0) {
			struct umem_pool_stats st;

			ut_inst(ut);
			cnt = umem_off2ptr(&ut->umm, root);
			/* replay stopped at the damaged record: a prefix of the history */
			assert_int_equal(umem_pool_query(ut->pool, &st), 0);
			assert_int_equal(*cnt, st.ups_replayed_txs);
			assert_int_equal(st.ups_nr_allocs, 1 + *cnt);
			assert_int_equal(umem_pool_check(ut->pool, NULL), 0);
			assert_int_equal(umem_pool_close(ut->pool), 0);
		} else {
			assert_int_equal(rc, -DER_DF_INVAL);
		}
		ut->pool = NULL;
	}
	free(orig_img);
	free(orig_log);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_image_corruption, ut_setup, ut_teardown),
		cmocka_unit_test_setup_teardown(test_log_corruption, ut_setup, ut_teardown),
	};

	return cmocka_run_group_tests_name("umem_damage", tests, NULL, NULL);
}
