/* bio: blob files and ring I/O (io_uring and the synchronous fallback). */
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
#include <unistd.h>

#include <daos_errno.h>
#include <daos_srv/bio.h>
#include "bio_test.h"

#define BLOB_SZ (8ULL << 20)
/* keep the ring's default cut between synchronous and io_uring requests */
#define SYNC_DEF UINT64_MAX

struct bt {
	char dir[64];
	char path[256];
};

static int
setup(void **state)
{
	struct bt *t = calloc(1, sizeof(*t));
	uuid_t u;

	if (t == NULL)
		return -1;
	strcpy(t->dir, "/tmp/bio_test.XXXXXX");
	if (mkdtemp(t->dir) == NULL) {
		free(t);
		return -1;
	}
	uuid_generate(u);
	if (bio_blob_path(t->dir, u, 3, t->path, sizeof(t->path)) != 0)
		return -1;
	if (bio_blob_create(t->path, BLOB_SZ) != 0)
		return -1;
	*state = t;
	return 0;
}

static int
teardown(void **state)
{
	struct bt *t = *state;

	unlink(t->path);
	rmdir(t->dir);
	free(t);
	return 0;
}

static void
test_blob_lifecycle(void **state)
{
	struct bt *t = *state;
	struct bio_blob *blob;
	char small[16];
	uuid_t u = {0};

	assert_int_equal(bio_blob_create(t->path, BLOB_SZ), -DER_EXIST);
	assert_int_equal(bio_blob_create(t->path, 100), -DER_INVAL);
	assert_int_equal(bio_blob_path("/tmp", u, 1, small, sizeof(small)), -DER_TRUNC);
	assert_int_equal(bio_blob_open(t->path, 0, &blob), 0);
	assert_int_equal(bio_blob_size(blob), BLOB_SZ);
	assert_false(bio_blob_faulty(blob));
	assert_int_equal(bio_blob_flush(blob), 0);
	assert_int_equal(bio_blob_close(blob), 0);
	assert_int_equal(bio_blob_open("/nonexistent/x.blob", 0, &blob), -DER_NONEXIST);
}

/*
 * Pre-written blobs: the header records what was written; damaged headers and blobs shorter
 * than their header says are refused; a blob without a header (plain create) says 0.
 */
static void
test_blob_prewrite(void **state)
{
	struct bt *t = *state;
	struct bio_blob *blob;
	char pw[300], buf[4096];
	int fd;

	snprintf(pw, sizeof(pw), "%s/pw.blob", t->dir);
	assert_int_equal(bio_blob_create_ex(pw, BLOB_SZ, 0x80), -DER_INVAL);
	assert_int_equal(bio_blob_create_ex(pw, BLOB_SZ, BIO_BLOB_PREWRITE), 0);
	assert_int_equal(bio_blob_open(pw, BIO_BLOB_DIRECT, &blob), 0);
	/* only ext4/xfs get pre-written blobs (overwrites in place): elsewhere nothing is */
	if (bio_blob_written(blob) == 0) {
		print_message("%s: not ext4/xfs, pre-write checks skipped\n", t->dir);
		assert_int_equal(bio_blob_close(blob), 0);
		unlink(pw);
		return;
	}
	assert_int_equal(bio_blob_written(blob), BLOB_SZ);
	assert_int_equal(bio_blob_close(blob), 0);

	/* plain create: no header */
	assert_int_equal(bio_blob_open(t->path, 0, &blob), 0);
	assert_int_equal(bio_blob_written(blob), 0);
	assert_int_equal(bio_blob_close(blob), 0);

	/* shorter than the header says */
	assert_int_equal(truncate(pw, BLOB_SZ - 4096), 0);
	assert_int_equal(bio_blob_open(pw, 0, &blob), -DER_DF_INVAL);
	assert_int_equal(truncate(pw, BLOB_SZ), 0);
	assert_int_equal(bio_blob_open(pw, 0, &blob), 0);
	assert_int_equal(bio_blob_written(blob), BLOB_SZ);
	assert_int_equal(bio_blob_close(blob), 0);

	/* one flipped header byte */
	fd = open(pw, O_RDWR);
	assert_true(fd >= 0);
	assert_int_equal(pread(fd, buf, sizeof(buf), 0), sizeof(buf));
	buf[20] ^= 1;
	assert_int_equal(pwrite(fd, buf, sizeof(buf), 0), sizeof(buf));
	assert_int_equal(bio_blob_open(pw, 0, &blob), -DER_CSUM);
	/* block 0 overwritten by data (no magic): no header, nothing known written */
	memset(buf, 0xab, sizeof(buf));
	assert_int_equal(pwrite(fd, buf, sizeof(buf), 0), sizeof(buf));
	close(fd);
	assert_int_equal(bio_blob_open(pw, 0, &blob), 0);
	assert_int_equal(bio_blob_written(blob), 0);
	assert_int_equal(bio_blob_close(blob), 0);
	unlink(pw);

	/* DAOS_BIO_BLOB_PREWRITE=0 skips it */
	setenv("DAOS_BIO_BLOB_PREWRITE", "0", 1);
	assert_int_equal(bio_blob_create_ex(pw, BLOB_SZ, BIO_BLOB_PREWRITE), 0);
	unsetenv("DAOS_BIO_BLOB_PREWRITE");
	assert_int_equal(bio_blob_open(pw, 0, &blob), 0);
	assert_int_equal(bio_blob_written(blob), 0);
	assert_int_equal(bio_blob_close(blob), 0);
	unlink(pw);
}

/* Write random-sized extents, read them back through a second ring and compare. */
static void
round_trip(struct bt *t, unsigned int ring_flags, bool want_uring, unsigned int blob_flags,
	   uint64_t sync_max)
{
	struct bio_ring *ring;
	struct bio_blob *blob;
	unsigned char *wbuf, *rbuf;
	size_t len = 1 << 20;
	uint64_t off;
	int i;

	assert_int_equal(bio_ring_create(16, ring_flags, &ring), 0);
	if (sync_max != SYNC_DEF)
		bio_ring_set_sync_max(ring, sync_max);
	if (want_uring && !bio_ring_is_uring(ring))
		print_message("io_uring not available here: testing the fallback instead\n");
	if (!want_uring)
		assert_false(bio_ring_is_uring(ring));
	assert_int_equal(bio_blob_open(t->path, blob_flags, &blob), 0);
	wbuf = bio_buf_alloc(len);
	rbuf = bio_buf_alloc(len);
	assert_non_null(wbuf);
	assert_non_null(rbuf);
	for (i = 0; i < 20; i++) {
		size_t n = 4096 * (1 + rand() % 256);

		off = 4096ULL * (rand() % ((BLOB_SZ - n) / 4096));
		bt_fill(wbuf, n, i);
		assert_int_equal(bio_write(ring, blob, off, wbuf, n), 0);
		memset(rbuf, 0, n);
		assert_int_equal(bio_read(ring, blob, off, rbuf, n), 0);
		assert_memory_equal(wbuf, rbuf, n);
	}
	/* out of range and empty requests are refused before any I/O */
	assert_int_equal(bio_write(ring, blob, BLOB_SZ - 4096, wbuf, 8192), -DER_INVAL);
	assert_int_equal(bio_read(ring, blob, 0, rbuf, 0), -DER_INVAL);
	assert_int_equal(bio_ring_inflight(ring), 0);
	bio_buf_free(wbuf);
	bio_buf_free(rbuf);
	assert_int_equal(bio_blob_close(blob), 0);
	assert_int_equal(bio_ring_destroy(ring), 0);
}

static void
test_round_trip_uring(void **state)
{
	/* every request through io_uring, then 4 KiB - 1 MiB across the default cut */
	round_trip(*state, 0, true, 0, 0);
	round_trip(*state, 0, true, 0, SYNC_DEF);
}

static void
test_round_trip_fallback(void **state)
{
	round_trip(*state, BIO_RING_SYNC, false, 0, SYNC_DEF);
	/* the environment variable forces it too */
	setenv("PDAOS_BIO_NO_URING", "1", 1);
	round_trip(*state, 0, false, 0, SYNC_DEF);
	unsetenv("PDAOS_BIO_NO_URING");
}

static void
test_direct(void **state)
{
	struct bt *t = *state;
	struct bio_ring *ring;
	struct bio_blob *blob;
	char *buf;

	assert_int_equal(bio_blob_open(t->path, BIO_BLOB_DIRECT, &blob), 0);
	if (!bio_blob_direct(blob)) {
		bio_blob_close(blob);
		skip();
	}
	assert_int_equal(bio_ring_create(8, 0, &ring), 0);
	buf = bio_buf_alloc(8192);
	/* unaligned offset, buffer or length */
	assert_int_equal(bio_write(ring, blob, 100, buf, 4096), -DER_INVAL);
	assert_int_equal(bio_write(ring, blob, 0, buf + 1, 4096), -DER_INVAL);
	assert_int_equal(bio_write(ring, blob, 0, buf, 100), -DER_INVAL);
	bio_buf_free(buf);
	bio_ring_destroy(ring);
	bio_blob_close(blob);
	round_trip(t, 0, true, BIO_BLOB_DIRECT, SYNC_DEF);
}

/* Many requests with 3-vector lists at once: more than the ring depth, waited via eventfd. */
static void
concurrent(struct bt *t, unsigned int ring_flags, uint64_t sync_max)
{
	enum { NR = 256, SEG = 4096 };
	static struct bio_req reqs[NR];
	static d_sg_list_t sgls[NR];
	static d_iov_t iovs[NR][3];
	struct bt_count cs = {0};
	struct bio_ring *ring;
	struct bio_blob *blob;
	unsigned char *buf;
	int i, j, loops = 0;

	assert_int_equal(bio_ring_create(16, ring_flags, &ring), 0);
	if (sync_max != SYNC_DEF)
		bio_ring_set_sync_max(ring, sync_max);
	assert_int_equal(bio_blob_open(t->path, 0, &blob), 0);
	buf = malloc((size_t)NR * 3 * SEG);
	assert_non_null(buf);
	for (i = 0; i < NR; i++)
		bt_fill(buf + (size_t)i * 3 * SEG, 3 * SEG, 1000 + i);
	for (j = 0; j < 2; j++) {
		if (j == 1)
			memset(buf, 0, (size_t)NR * 3 * SEG);
		memset(&cs, 0, sizeof(cs));
		for (i = 0; i < NR; i++) {
			int k;

			for (k = 0; k < 3; k++)
				d_iov_set(&iovs[i][k], buf + ((size_t)i * 3 + k) * SEG, SEG);
			sgls[i].sg_nr = 3;
			sgls[i].sg_iovs = iovs[i];
			memset(&reqs[i], 0, sizeof(reqs[i]));
			reqs[i].br_blob = blob;
			reqs[i].br_op = j == 0 ? BIO_OP_WRITE : BIO_OP_READ;
			/* reverse order on disk, so nothing happens to line up */
			reqs[i].br_off = (uint64_t)(NR - 1 - i) * 3 * SEG;
			reqs[i].br_sgl = &sgls[i];
			reqs[i].br_cb = bt_count_cb;
			reqs[i].br_cb_arg = &cs;
			assert_int_equal(bio_req_submit(ring, &reqs[i]), 0);
		}
		assert_int_equal(bio_ring_inflight(ring), NR);
		while (cs.done < NR) {
			struct pollfd pfd = {.fd = bio_ring_eventfd(ring), .events = POLLIN};

			/* the eventfd must announce every batch of completions */
			assert_int_equal(poll(&pfd, 1, 5000), 1);
			assert_true(bio_ring_poller(ring) >= 0);
			assert_true(++loops < 100000);
		}
		assert_int_equal(cs.errors, 0);
		assert_int_equal(bio_ring_inflight(ring), 0);
	}
	for (i = 0; i < NR; i++) {
		unsigned char exp[3 * SEG];

		bt_fill(exp, sizeof(exp), 1000 + i);
		assert_memory_equal(buf + (size_t)i * 3 * SEG, exp, sizeof(exp));
	}
	free(buf);
	assert_int_equal(bio_blob_close(blob), 0);
	assert_int_equal(bio_ring_destroy(ring), 0);
}

static bool
efd_ready(struct bio_ring *ring)
{
	struct pollfd pfd = {.fd = bio_ring_eventfd(ring), .events = POLLIN};

	return poll(&pfd, 1, 0) == 1;
}

static void
req_init(struct bio_req *req, d_sg_list_t *sgl, d_iov_t *iov, struct bio_blob *blob, enum bio_op op,
	 uint64_t off, void *buf, size_t len, struct bt_count *cs)
{
	d_iov_set(iov, buf, len);
	sgl->sg_nr = 1;
	sgl->sg_iovs = iov;
	memset(req, 0, sizeof(*req));
	req->br_blob = blob;
	req->br_op = op;
	req->br_off = off;
	req->br_sgl = sgl;
	req->br_cb = bt_count_cb;
	req->br_cb_arg = cs;
}

/*
 * Submit one request on an io_uring ring and tell which path took it: a synchronous one has
 * completed before submit returns (eventfd readable, callback not run yet); an io_uring SQE
 * waits for the next poll to be passed to the kernel, so nothing is readable yet.
 */
static bool
submit_is_sync(struct bio_ring *ring, struct bio_blob *blob, enum bio_op op, uint64_t off,
	       void *buf, size_t len)
{
	struct bt_count cs = {0};
	struct bio_req req;
	d_sg_list_t sgl;
	d_iov_t iov;
	bool sync;
	int i;

	assert_false(efd_ready(ring));
	req_init(&req, &sgl, &iov, blob, op, off, buf, len, &cs);
	assert_int_equal(bio_req_submit(ring, &req), 0);
	sync = efd_ready(ring);
	assert_false(req.br_done);
	assert_int_equal(cs.done, 0);
	assert_int_equal(bio_ring_inflight(ring), 1);
	for (i = 0; i < 1000; i++) {
		struct pollfd pfd = {.fd = bio_ring_eventfd(ring), .events = POLLIN};

		/* the first round passes an io_uring SQE to the kernel */
		assert_true(bio_ring_poller(ring) >= 0);
		if (req.br_done)
			break;
		assert_int_equal(poll(&pfd, 1, 5000), 1);
	}
	assert_true(req.br_done);
	assert_int_equal(req.br_rc, 0);
	assert_int_equal(cs.done, 1);
	assert_int_equal(bio_ring_inflight(ring), 0);
	/* a CQE posted between the poller's eventfd read and its reap leaves a stale count */
	if (efd_ready(ring)) {
		uint64_t cnt;

		assert_int_equal(read(bio_ring_eventfd(ring), &cnt, sizeof(cnt)), sizeof(cnt));
		assert_true(sync == false);
	}
	return sync;
}

/* Which requests of an io_uring ring run at submit: buffered ones up to the cut, no others. */
static void
test_small_sync(void **state)
{
	struct bt *t = *state;
	struct bio_ring *ring;
	struct bio_blob *blob;
	size_t big = BIO_RING_SYNC_MAX_DEF + 4096;
	unsigned char *buf, *rbuf;

	assert_int_equal(bio_ring_create(16, 0, &ring), 0);
	if (!bio_ring_is_uring(ring)) {
		bio_ring_destroy(ring);
		skip();
	}
	assert_int_equal(bio_blob_open(t->path, 0, &blob), 0);
	buf = bio_buf_alloc(big);
	rbuf = bio_buf_alloc(big);
	bt_fill(buf, big, 7);
	assert_true(submit_is_sync(ring, blob, BIO_OP_WRITE, 0, buf, 4096));
	assert_true(submit_is_sync(ring, blob, BIO_OP_WRITE, 4096, buf + 4096,
				   BIO_RING_SYNC_MAX_DEF - 4096));
	assert_false(submit_is_sync(ring, blob, BIO_OP_WRITE, 1 << 20, buf, big));
	assert_true(submit_is_sync(ring, blob, BIO_OP_READ, 0, rbuf, BIO_RING_SYNC_MAX_DEF));
	assert_memory_equal(buf, rbuf, BIO_RING_SYNC_MAX_DEF);
	memset(rbuf, 0, big);
	assert_false(submit_is_sync(ring, blob, BIO_OP_READ, 1 << 20, rbuf, big));
	assert_memory_equal(buf, rbuf, big);
	/* 0 turns the path off; a larger cut moves the large request over */
	bio_ring_set_sync_max(ring, 0);
	assert_false(submit_is_sync(ring, blob, BIO_OP_WRITE, 0, buf, 4096));
	bio_ring_set_sync_max(ring, big);
	assert_true(submit_is_sync(ring, blob, BIO_OP_WRITE, 1 << 20, buf, big));
	assert_int_equal(bio_ring_destroy(ring), 0);
	/* the environment sets the cut of new rings */
	setenv("PDAOS_BIO_SYNC_MAX", "0", 1);
	assert_int_equal(bio_ring_create(16, 0, &ring), 0);
	unsetenv("PDAOS_BIO_SYNC_MAX");
	assert_false(submit_is_sync(ring, blob, BIO_OP_WRITE, 0, buf, 4096));
	assert_int_equal(bio_ring_destroy(ring), 0);
	assert_int_equal(bio_blob_close(blob), 0);
	/* O_DIRECT requests are asynchronous in the kernel: they stay on the ring at any size */
	assert_int_equal(bio_blob_open(t->path, BIO_BLOB_DIRECT, &blob), 0);
	if (bio_blob_direct(blob)) {
		assert_int_equal(bio_ring_create(16, 0, &ring), 0);
		assert_false(submit_is_sync(ring, blob, BIO_OP_WRITE, 0, buf, 4096));
		assert_false(submit_is_sync(ring, blob, BIO_OP_READ, 0, rbuf, 4096));
		assert_memory_equal(buf, rbuf, 4096);
		assert_int_equal(bio_ring_destroy(ring), 0);
	}
	assert_int_equal(bio_blob_close(blob), 0);
	bio_buf_free(buf);
	bio_buf_free(rbuf);
}

/*
 * Small (synchronous) and large (io_uring) requests in one batch, more than the ring depth:
 * writes drained through the eventfd, reads through bio_ring_wait_any, and one bio_ring_wait
 * on a small request while large ones are in flight.
 */
static void
test_mixed_batch(void **state)
{
	enum { NR = 48, SMALL = 8192, LARGE = 65536, CUT = 16384 };
	struct bt *t = *state;
	static struct bio_req reqs[NR];
	static d_sg_list_t sgls[NR];
	static d_iov_t iovs[NR];
	struct bt_count cs;
	struct bio_ring *ring;
	struct bio_blob *blob;
	unsigned char *wbuf, *rbuf;
	int i, j, n, loops;

	assert_int_equal(bio_ring_create(8, 0, &ring), 0);
	bio_ring_set_sync_max(ring, CUT);
	assert_int_equal(bio_blob_open(t->path, 0, &blob), 0);
	wbuf = malloc((size_t)NR * LARGE);
	rbuf = calloc(NR, LARGE);
	assert_non_null(wbuf);
	assert_non_null(rbuf);
	bt_fill(wbuf, (size_t)NR * LARGE, 99);
	for (j = 0; j < 2; j++) {
		enum bio_op op = j == 0 ? BIO_OP_WRITE : BIO_OP_READ;
		unsigned char *buf = j == 0 ? wbuf : rbuf;

		memset(&cs, 0, sizeof(cs));
		for (i = 0; i < NR; i++) {
			size_t len = i % 2 ? LARGE : SMALL;

			req_init(&reqs[i], &sgls[i], &iovs[i], blob, op, (uint64_t)i * LARGE,
				 buf + (size_t)i * LARGE, len, &cs);
			assert_int_equal(bio_req_submit(ring, &reqs[i]), 0);
		}
		assert_int_equal(bio_ring_inflight(ring), NR);
		if (j == 1) {
			/* a small read is done at submit: waiting for it needs no io_uring round */
			assert_int_equal(bio_ring_wait(ring, &reqs[0]), 0);
			assert_true(reqs[0].br_done);
		}
		for (loops = 0; cs.done < NR; loops++) {
			struct pollfd pfd = {.fd = bio_ring_eventfd(ring), .events = POLLIN};

			assert_true(loops < 100000);
			if (j == 1) {
				n = bio_ring_wait_any(ring);
				assert_true(n >= 0);
				continue;
			}
			assert_int_equal(poll(&pfd, 1, 5000), 1);
			assert_true(bio_ring_poller(ring) >= 0);
		}
		assert_int_equal(cs.done, NR);
		assert_int_equal(cs.errors, 0);
		assert_int_equal(bio_ring_inflight(ring), 0);
	}
	for (i = 0; i < NR; i++) {
		size_t len = i % 2 ? LARGE : SMALL;

		assert_memory_equal(wbuf + (size_t)i * LARGE, rbuf + (size_t)i * LARGE, len);
	}
	free(wbuf);
	free(rbuf);
	assert_int_equal(bio_blob_close(blob), 0);
	assert_int_equal(bio_ring_destroy(ring), 0);
}

static void
test_concurrent_uring(void **state)
{
	concurrent(*state, 0, 0);
}

/* the same 12 KiB requests below the cut: done at submit, announced through the eventfd */
static void
test_concurrent_small(void **state)
{
	concurrent(*state, 0, SYNC_DEF);
}

static void
test_concurrent_fallback(void **state)
{
	concurrent(*state, BIO_RING_SYNC, SYNC_DEF);
}

/* A read past the end of a blob that shrank behind our back is an I/O error: faulty blob. */
static void
io_error(struct bt *t, unsigned int ring_flags, uint64_t sync_max)
{
	struct bio_ring *ring;
	struct bio_blob *blob;
	char buf[4096];

	assert_int_equal(bio_ring_create(4, ring_flags, &ring), 0);
	if (sync_max != SYNC_DEF)
		bio_ring_set_sync_max(ring, sync_max);
	assert_int_equal(bio_blob_open(t->path, 0, &blob), 0);
	assert_int_equal(truncate(t->path, 1 << 20), 0);
	assert_int_equal(bio_read(ring, blob, 2 << 20, buf, sizeof(buf)), -DER_IO);
	assert_true(bio_blob_faulty(blob));
	assert_int_equal(bio_read(ring, blob, 0, buf, sizeof(buf)), -DER_IO);
	assert_int_equal(bio_blob_flush(blob), -DER_IO);
	assert_int_equal(bio_blob_close(blob), 0);
	assert_int_equal(truncate(t->path, BLOB_SZ), 0);
	/* read-only blobs refuse writes */
	assert_int_equal(bio_blob_open(t->path, BIO_BLOB_RDONLY, &blob), 0);
	assert_int_equal(bio_write(ring, blob, 0, buf, sizeof(buf)), -DER_NO_PERM);
	assert_int_equal(bio_read(ring, blob, 0, buf, sizeof(buf)), 0);
	assert_int_equal(bio_blob_close(blob), 0);
	assert_int_equal(bio_ring_destroy(ring), 0);
}

static void
test_io_error(void **state)
{
	/* io_uring, the small synchronous path on an io_uring ring, the fallback ring */
	io_error(*state, 0, 0);
	io_error(*state, 0, SYNC_DEF);
	io_error(*state, BIO_RING_SYNC, SYNC_DEF);
}

/* bio_ring_wait_any drains everything in flight, whichever completes first. */
static void
test_wait_any(void **state)
{
	struct bt *t = *state;
	struct bio_req reqs[32];
	d_sg_list_t sgls[32];
	d_iov_t iovs[32];
	static char buf[32][4096];
	struct bt_count cs = {0};
	struct bio_ring *ring;
	struct bio_blob *blob;
	int i, n, total = 0;

	assert_int_equal(bio_ring_create(8, 0, &ring), 0);
	assert_int_equal(bio_blob_open(t->path, 0, &blob), 0);
	assert_int_equal(bio_ring_wait_any(ring), 0);
	for (i = 0; i < 32; i++) {
		d_iov_set(&iovs[i], buf[i], sizeof(buf[i]));
		sgls[i].sg_nr = 1;
		sgls[i].sg_iovs = &iovs[i];
		memset(&reqs[i], 0, sizeof(reqs[i]));
		reqs[i].br_blob = blob;
		reqs[i].br_op = BIO_OP_WRITE;
		reqs[i].br_off = (uint64_t)i * 4096;
		reqs[i].br_sgl = &sgls[i];
		reqs[i].br_cb = bt_count_cb;
		reqs[i].br_cb_arg = &cs;
		assert_int_equal(bio_req_submit(ring, &reqs[i]), 0);
	}
	for (i = 0; i < 1000 && bio_ring_inflight(ring) > 0; i++) {
		n = bio_ring_wait_any(ring);
		assert_true(n > 0);
		total += n;
	}
	assert_int_equal(total, 32);
	assert_int_equal(cs.done, 32);
	assert_int_equal(cs.errors, 0);
	assert_int_equal(bio_blob_close(blob), 0);
	assert_int_equal(bio_ring_destroy(ring), 0);
}

static void
test_destroy(void **state)
{
	struct bt *t = *state;

	assert_int_equal(bio_blob_destroy(t->path), 0);
	assert_int_equal(bio_blob_destroy(t->path), -DER_NONEXIST);
	assert_int_equal(access(t->path, F_OK), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_blob_lifecycle, setup, teardown),
		cmocka_unit_test_setup_teardown(test_blob_prewrite, setup, teardown),
		cmocka_unit_test_setup_teardown(test_round_trip_uring, setup, teardown),
		cmocka_unit_test_setup_teardown(test_round_trip_fallback, setup, teardown),
		cmocka_unit_test_setup_teardown(test_direct, setup, teardown),
		cmocka_unit_test_setup_teardown(test_concurrent_uring, setup, teardown),
		cmocka_unit_test_setup_teardown(test_concurrent_small, setup, teardown),
		cmocka_unit_test_setup_teardown(test_concurrent_fallback, setup, teardown),
		cmocka_unit_test_setup_teardown(test_small_sync, setup, teardown),
		cmocka_unit_test_setup_teardown(test_mixed_batch, setup, teardown),
		cmocka_unit_test_setup_teardown(test_io_error, setup, teardown),
		cmocka_unit_test_setup_teardown(test_wait_any, setup, teardown),
		cmocka_unit_test_setup_teardown(test_destroy, setup, teardown),
	};

	srand(7);
	return cmocka_run_group_tests_name("bio", tests, NULL, NULL);
}
