/*
 * bio: blobs on a memory file system (mapped, I/O by memcpy) next to blobs on a disk file
 * system (io_uring). The same test bodies run over a blob under /dev/shm and one under /tmp;
 * both must hold identical bytes after the same writes.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <linux/magic.h>
#include <unistd.h>

#include <daos_errno.h>
#include <daos_srv/bio.h>
#include "bio_test.h"

#define BLOB_SZ (4ULL << 20)
#define SEG     4096

enum { MEM, DISK, NR_KINDS };

struct mt {
	char dir[NR_KINDS][64];
	char path[NR_KINDS][128];
	/* the directory is on tmpfs/ramfs: its blobs must be mapped */
	bool memfs[NR_KINDS];
};

static bool
dir_in_memory(const char *dir)
{
	struct statfs sfs;

	return statfs(dir, &sfs) == 0 && (sfs.f_type == TMPFS_MAGIC || sfs.f_type == RAMFS_MAGIC);
}

static int
setup(void **state)
{
	const char *base[NR_KINDS] = {"/dev/shm", "/tmp"};
	struct mt *t = calloc(1, sizeof(*t));
	int k;

	if (t == NULL)
		return -1;
	if (access("/dev/shm", W_OK) != 0)
		base[MEM] = "/tmp";
	for (k = 0; k < NR_KINDS; k++) {
		snprintf(t->dir[k], sizeof(t->dir[k]), "%s/bio_mem.XXXXXX", base[k]);
		if (mkdtemp(t->dir[k]) == NULL)
			return -1;
		snprintf(t->path[k], sizeof(t->path[k]), "%s/data.blob", t->dir[k]);
		if (bio_blob_create(t->path[k], BLOB_SZ) != 0)
			return -1;
		t->memfs[k] = dir_in_memory(t->dir[k]);
	}
	if (!t->memfs[MEM])
		print_message("/dev/shm is not a memory file system: mapped path not tested\n");
	if (t->memfs[DISK])
		print_message("/tmp is a memory file system: both blobs are mapped\n");
	*state = t;
	return 0;
}

static int
teardown(void **state)
{
	struct mt *t = *state;
	int k;

	bio_fault_inject_set(0, 0, 0);
	unsetenv("PDAOS_BIO_NO_MMAP");
	unsetenv("PDAOS_BIO_MAP_LAZY");
	for (k = 0; k < NR_KINDS; k++) {
		unlink(t->path[k]);
		rmdir(t->dir[k]);
	}
	free(t);
	return 0;
}

/* Three-vector requests through a ring, completed by the poller when the eventfd fires. */
static void
ring_rw(struct bio_ring *ring, struct bio_blob *blob, enum bio_op op, uint64_t off,
	unsigned char *buf, int nr)
{
	struct bio_req reqs[8];
	d_sg_list_t sgls[8];
	d_iov_t iovs[8][3];
	struct bt_count c = {0};
	int i, k, loops = 0;

	assert_true(nr <= 8);
	for (i = 0; i < nr; i++) {
		for (k = 0; k < 3; k++)
			d_iov_set(&iovs[i][k], buf + ((size_t)i * 3 + k) * SEG, SEG);
		sgls[i].sg_nr = 3;
		sgls[i].sg_iovs = iovs[i];
		memset(&reqs[i], 0, sizeof(reqs[i]));
		reqs[i].br_blob = blob;
		reqs[i].br_op = op;
		reqs[i].br_off = off + (uint64_t)i * 3 * SEG;
		reqs[i].br_sgl = &sgls[i];
		reqs[i].br_cb = bt_count_cb;
		reqs[i].br_cb_arg = &c;
		assert_int_equal(bio_req_submit(ring, &reqs[i]), 0);
	}
	while (c.done < nr) {
		struct pollfd pfd = {.fd = bio_ring_eventfd(ring), .events = POLLIN};

		/* completions are announced on the eventfd on every path */
		assert_int_equal(poll(&pfd, 1, 5000), 1);
		assert_true(bio_ring_poller(ring) >= 0);
		assert_true(++loops < 1000);
	}
	assert_int_equal(c.errors, 0);
	assert_int_equal(bio_ring_inflight(ring), 0);
}

/*
 * The same writes on either kind of blob: single buffers, vectors through the ring, and
 * bio_blob_copy where it applies. Returns the expected image in \a model.
 */
static void
write_pattern(struct bio_blob *blob, bool mapped, unsigned char *model)
{
	unsigned char *buf = malloc(24 * SEG);
	struct bio_ring *ring;
	d_iov_t iov[2];
	d_sg_list_t sgl = {.sg_nr = 2, .sg_iovs = iov};
	uint64_t off;
	int i, rc;

	assert_non_null(buf);
	assert_int_equal(bio_ring_create(4, 0, &ring), 0);
	srand(11);
	for (i = 0; i < 16; i++) {
		size_t n = SEG * (1 + rand() % 24);

		off = SEG * (uint64_t)(rand() % ((BLOB_SZ - n) / SEG));
		bt_fill(buf, n, i);
		assert_int_equal(bio_write(ring, blob, off, buf, n), 0);
		memcpy(model + off, buf, n);
	}
	/* byte-granular offsets and lengths are fine without O_DIRECT */
	bt_fill(buf, 1000, 99);
	assert_int_equal(bio_write(ring, blob, BLOB_SZ - 1000, buf, 1000), 0);
	memcpy(model + BLOB_SZ - 1000, buf, 1000);
	bt_fill(buf, 24 * SEG, 77);
	ring_rw(ring, blob, BIO_OP_WRITE, 8 * SEG, buf, 8);
	memcpy(model + 8 * SEG, buf, 24 * SEG);
	/* two vectors, synchronously, without a ring */
	bt_fill(buf, 3 * SEG, 55);
	d_iov_set(&iov[0], buf, SEG + 7);
	d_iov_set(&iov[1], buf + SEG + 7, 2 * SEG - 7);
	rc = bio_blob_copy(blob, BIO_OP_WRITE, 100 * SEG + 3, &sgl);
	if (mapped) {
		assert_int_equal(rc, 0);
	} else {
		assert_int_equal(rc, -DER_NOTSUPPORTED);
		assert_int_equal(bio_write(ring, blob, 100 * SEG + 3, buf, 3 * SEG), 0);
	}
	memcpy(model + 100 * SEG + 3, buf, 3 * SEG);
	/* refused before any I/O */
	assert_int_equal(bio_write(ring, blob, BLOB_SZ - SEG, buf, 2 * SEG), -DER_INVAL);
	assert_int_equal(bio_write(ring, blob, UINT64_MAX - 10, buf, SEG), -DER_INVAL);
	assert_int_equal(bio_read(ring, blob, 0, buf, 0), -DER_INVAL);
	assert_int_equal(bio_blob_copy(blob, BIO_OP_READ, BLOB_SZ, &sgl), -DER_INVAL);
	assert_int_equal(bio_blob_copy(NULL, BIO_OP_READ, 0, &sgl), -DER_INVAL);
	assert_false(bio_blob_faulty(blob));
	assert_int_equal(bio_blob_flush(blob), 0);
	assert_int_equal(bio_ring_destroy(ring), 0);
	free(buf);
}

/* Read the whole blob back in pieces of every kind and compare with \a model. */
static void
check_image(struct bio_blob *blob, bool mapped, const unsigned char *model)
{
	unsigned char *img = malloc(BLOB_SZ);
	struct bio_ring *ring;
	d_iov_t iov[2];
	d_sg_list_t sgl = {.sg_nr = 2, .sg_iovs = iov};
	uint64_t off;

	assert_non_null(img);
	memset(img, 0xa5, BLOB_SZ);
	assert_int_equal(bio_ring_create(4, 0, &ring), 0);
	/* first 24 pages through the ring with vectors, the rest in 1 MiB reads */
	ring_rw(ring, blob, BIO_OP_READ, 0, img, 8);
	for (off = 24 * SEG; off < BLOB_SZ; off += 1 << 20) {
		size_t n = off + (1 << 20) > BLOB_SZ ? BLOB_SZ - off : 1 << 20;

		assert_int_equal(bio_read(ring, blob, off, img + off, n), 0);
	}
	assert_memory_equal(img, model, BLOB_SZ);
	if (mapped) {
		memset(img, 0, 3 * SEG);
		d_iov_set(&iov[0], img, 5);
		d_iov_set(&iov[1], img + 5, 3 * SEG - 5);
		assert_int_equal(bio_blob_copy(blob, BIO_OP_READ, 100 * SEG + 3, &sgl), 0);
		assert_memory_equal(img, model + 100 * SEG + 3, 3 * SEG);
	}
	assert_int_equal(bio_ring_destroy(ring), 0);
	free(img);
}

/* Read the file with plain pread: what a mapped write left in the file's pages. */
static void
check_file(const char *path, const unsigned char *model)
{
	unsigned char *img = malloc(BLOB_SZ);
	int fd = open(path, O_RDONLY);
	size_t got = 0;

	assert_non_null(img);
	assert_true(fd >= 0);
	while (got < BLOB_SZ) {
		ssize_t n = pread(fd, img + got, BLOB_SZ - got, got);

		assert_true(n > 0);
		got += n;
	}
	close(fd);
	assert_memory_equal(img, model, BLOB_SZ);
	free(img);
}

/*
 * Write, flush, close, reopen (read-write and read-only): the data is there, the read-only
 * blob refuses writes, and the file seen with plain system calls holds the same bytes.
 */
static void
test_round_trip(void **state)
{
	struct mt *t = *state;
	unsigned char *model[NR_KINDS];
	struct bio_blob *blob;
	struct bio_ring *ring;
	char buf[SEG];
	int k;

	assert_int_equal(bio_ring_create(4, 0, &ring), 0);
	for (k = 0; k < NR_KINDS; k++) {
		model[k] = calloc(1, BLOB_SZ);
		assert_non_null(model[k]);
		assert_int_equal(bio_blob_open(t->path[k], 0, &blob), 0);
		assert_int_equal(bio_blob_mapped(blob), t->memfs[k]);
		assert_int_equal(bio_blob_in_memory(blob), t->memfs[k]);
		assert_int_equal(bio_blob_size(blob), BLOB_SZ);
		write_pattern(blob, t->memfs[k], model[k]);
		check_image(blob, t->memfs[k], model[k]);
		assert_int_equal(bio_blob_close(blob), 0);

		assert_int_equal(bio_blob_open(t->path[k], 0, &blob), 0);
		check_image(blob, t->memfs[k], model[k]);
		assert_int_equal(bio_blob_close(blob), 0);

		assert_int_equal(bio_blob_open(t->path[k], BIO_BLOB_RDONLY, &blob), 0);
		assert_int_equal(bio_blob_mapped(blob), t->memfs[k]);
		check_image(blob, t->memfs[k], model[k]);
		assert_int_equal(bio_write(ring, blob, 0, buf, sizeof(buf)), -DER_NO_PERM);
		assert_int_equal(bio_blob_close(blob), 0);
		check_file(t->path[k], model[k]);
	}
	/* the mapped and the io_uring path leave identical bytes */
	assert_memory_equal(model[MEM], model[DISK], BLOB_SZ);
	assert_int_equal(bio_ring_destroy(ring), 0);
	free(model[MEM]);
	free(model[DISK]);
}

/*
 * Bytes written with pwrite behind an open mapped blob (as umem's log replay does through its
 * own descriptor) are what the blob reads, and the other way round.
 */
static void
test_coherent(void **state)
{
	struct mt *t = *state;
	unsigned char a[SEG], b[SEG];
	struct bio_blob *blob;
	struct bio_ring *ring;
	int k, fd;

	assert_int_equal(bio_ring_create(4, 0, &ring), 0);
	for (k = 0; k < NR_KINDS; k++) {
		assert_int_equal(bio_blob_open(t->path[k], 0, &blob), 0);
		fd = open(t->path[k], O_RDWR);
		assert_true(fd >= 0);
		bt_fill(a, SEG, 5 + k);
		assert_int_equal(pwrite(fd, a, SEG, 7 * SEG), SEG);
		assert_int_equal(bio_read(ring, blob, 7 * SEG, b, SEG), 0);
		assert_memory_equal(a, b, SEG);
		bt_fill(a, SEG, 9 + k);
		assert_int_equal(bio_write(ring, blob, 9 * SEG, a, SEG), 0);
		assert_int_equal(pread(fd, b, SEG, 9 * SEG), SEG);
		assert_memory_equal(a, b, SEG);
		close(fd);
		assert_int_equal(bio_blob_close(blob), 0);
	}
	assert_int_equal(bio_ring_destroy(ring), 0);
}

/* A blob cut to a size that is not whole blocks, or to nothing, is refused at open. */
static void
test_damaged_size(void **state)
{
	struct mt *t = *state;
	struct bio_blob *blob;
	int k;

	for (k = 0; k < NR_KINDS; k++) {
		assert_int_equal(truncate(t->path[k], BLOB_SZ - 100), 0);
		assert_int_equal(bio_blob_open(t->path[k], 0, &blob), -DER_DF_INVAL);
		assert_int_equal(bio_blob_open(t->path[k], BIO_BLOB_RDONLY, &blob), -DER_DF_INVAL);
		assert_int_equal(truncate(t->path[k], 0), 0);
		assert_int_equal(bio_blob_open(t->path[k], 0, &blob), -DER_DF_INVAL);
		/* a shorter blob of whole blocks opens, with its own size: callers check it */
		assert_int_equal(truncate(t->path[k], BLOB_SZ / 2), 0);
		assert_int_equal(bio_blob_open(t->path[k], 0, &blob), 0);
		assert_int_equal(bio_blob_size(blob), BLOB_SZ / 2);
		assert_int_equal(bio_blob_mapped(blob), t->memfs[k]);
		assert_int_equal(bio_blob_close(blob), 0);
	}
}

/*
 * A sparse blob: its holes are allocated before it is mapped (a hole touched on a full file
 * system would be a SIGBUS); read-only, it is not mapped but still reads (zeros).
 */
static void
test_sparse(void **state)
{
	struct mt *t = *state;
	unsigned char buf[SEG], zero[SEG] = {0};
	struct bio_blob *blob;
	struct bio_ring *ring;
	struct stat st;
	int k;

	assert_int_equal(bio_ring_create(4, 0, &ring), 0);
	for (k = 0; k < NR_KINDS; k++) {
		unlink(t->path[k]);
		assert_int_equal(close(open(t->path[k], O_CREAT | O_RDWR, 0600)), 0);
		assert_int_equal(truncate(t->path[k], BLOB_SZ), 0);
		assert_int_equal(bio_blob_open(t->path[k], BIO_BLOB_RDONLY, &blob), 0);
		assert_false(bio_blob_mapped(blob));
		assert_int_equal(bio_read(ring, blob, 5 * SEG, buf, SEG), 0);
		assert_memory_equal(buf, zero, SEG);
		assert_int_equal(bio_blob_close(blob), 0);

		assert_int_equal(bio_blob_open(t->path[k], 0, &blob), 0);
		assert_int_equal(bio_blob_mapped(blob), t->memfs[k]);
		if (t->memfs[k]) {
			assert_int_equal(stat(t->path[k], &st), 0);
			assert_true((uint64_t)st.st_blocks * 512 >= BLOB_SZ);
		}
		bt_fill(buf, SEG, 3);
		assert_int_equal(bio_write(ring, blob, BLOB_SZ - SEG, buf, SEG), 0);
		assert_int_equal(bio_read(ring, blob, 0, buf, SEG), 0);
		assert_memory_equal(buf, zero, SEG);
		assert_int_equal(bio_blob_close(blob), 0);
	}
	assert_int_equal(bio_ring_destroy(ring), 0);
}

/* Injected errors on the mapped path: same codes and faulty state as on the others. */
static void
test_faults(void **state)
{
	struct mt *t = *state;
	unsigned char buf[SEG];
	struct bio_blob *blob;
	struct bio_ring *ring;
	int k;

	assert_int_equal(bio_ring_create(4, 0, &ring), 0);
	for (k = 0; k < NR_KINDS; k++) {
		bt_fill(buf, SEG, 1);
		assert_int_equal(bio_blob_open(t->path[k], 0, &blob), 0);
		assert_int_equal(bio_fault_inject_set(BIO_FI_WRITE, ENOSPC, 1), 0);
		assert_int_equal(bio_write(ring, blob, 0, buf, SEG), -DER_NOSPACE);
		assert_false(bio_blob_faulty(blob));
		assert_int_equal(bio_fault_inject_set(BIO_FI_READ, EIO, 1), 0);
		assert_int_equal(bio_read(ring, blob, 0, buf, SEG), -DER_IO);
		assert_true(bio_blob_faulty(blob));
		assert_int_equal(bio_write(ring, blob, 0, buf, SEG), -DER_IO);
		assert_int_equal(bio_blob_flush(blob), -DER_IO);
		assert_int_equal(bio_blob_close(blob), 0);

		assert_int_equal(bio_blob_open(t->path[k], 0, &blob), 0);
		assert_int_equal(bio_fault_inject_set(BIO_FI_FLUSH, EIO, 1), 0);
		assert_int_equal(bio_blob_flush(blob), -DER_IO);
		assert_true(bio_blob_faulty(blob));
		assert_int_equal(bio_blob_close(blob), 0);
	}
	assert_int_equal(bio_ring_destroy(ring), 0);
}

/* PDAOS_BIO_NO_MMAP keeps the system-call path for a blob in memory: same bytes. */
static void
test_no_mmap(void **state)
{
	struct mt *t = *state;
	unsigned char *model = calloc(1, BLOB_SZ);
	struct bio_blob *blob;

	assert_non_null(model);
	setenv("PDAOS_BIO_NO_MMAP", "1", 1);
	assert_int_equal(bio_blob_open(t->path[MEM], 0, &blob), 0);
	assert_false(bio_blob_mapped(blob));
	assert_int_equal(bio_blob_in_memory(blob), t->memfs[MEM]);
	write_pattern(blob, false, model);
	check_image(blob, false, model);
	assert_int_equal(bio_blob_close(blob), 0);
	unsetenv("PDAOS_BIO_NO_MMAP");
	assert_int_equal(bio_blob_open(t->path[MEM], 0, &blob), 0);
	assert_int_equal(bio_blob_mapped(blob), t->memfs[MEM]);
	check_image(blob, t->memfs[MEM], model);
	assert_int_equal(bio_blob_close(blob), 0);
	free(model);
}

/*
 * PDAOS_BIO_MAP_LAZY: page tables filled by the first I/O to each chunk. A chunk the file no
 * longer covers (truncated under the open blob) is then an I/O error, not a SIGBUS.
 */
static void
test_lazy(void **state)
{
	struct mt *t = *state;
	unsigned char *model = calloc(1, BLOB_SZ);
	unsigned char buf[SEG];
	struct bio_blob *blob;
	struct bio_ring *ring;

	assert_non_null(model);
	setenv("PDAOS_BIO_MAP_LAZY", "1", 1);
	assert_int_equal(bio_blob_open(t->path[MEM], 0, &blob), 0);
	assert_int_equal(bio_blob_mapped(blob), t->memfs[MEM]);
	write_pattern(blob, t->memfs[MEM], model);
	check_image(blob, t->memfs[MEM], model);
	assert_int_equal(bio_blob_close(blob), 0);
	if (t->memfs[MEM]) {
		assert_int_equal(bio_blob_open(t->path[MEM], 0, &blob), 0);
		assert_int_equal(bio_ring_create(4, 0, &ring), 0);
		assert_int_equal(bio_read(ring, blob, 0, buf, SEG), 0);
		assert_memory_equal(buf, model, SEG);
		assert_int_equal(truncate(t->path[MEM], BLOB_SZ / 2), 0);
		assert_int_equal(bio_read(ring, blob, BLOB_SZ - SEG, buf, SEG), -DER_IO);
		assert_true(bio_blob_faulty(blob));
		assert_int_equal(bio_ring_destroy(ring), 0);
		assert_int_equal(bio_blob_close(blob), 0);
	}
	unsetenv("PDAOS_BIO_MAP_LAZY");
	free(model);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_round_trip, setup, teardown),
		cmocka_unit_test_setup_teardown(test_coherent, setup, teardown),
		cmocka_unit_test_setup_teardown(test_damaged_size, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sparse, setup, teardown),
		cmocka_unit_test_setup_teardown(test_faults, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_mmap, setup, teardown),
		cmocka_unit_test_setup_teardown(test_lazy, setup, teardown),
	};

	return cmocka_run_group_tests_name("bio_mem", tests, NULL, NULL);
}
