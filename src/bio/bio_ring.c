/**
 * bio: asynchronous I/O through io_uring, with a synchronous preadv/pwritev fallback.
 */
#define D_LOGFAC DD_FAC(bio)

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/uio.h>
#include <unistd.h>
#include <liburing.h>

#include <daos_errno.h>
#include <gurt/common.h>
#include <gurt/debug.h>
#include "bio_internal.h"

struct bio_ring {
	struct io_uring r_ring;
	bool r_uring;
	int r_efd;
	unsigned int r_depth;
	/* buffered requests up to this size run at submit (bio_ring_set_sync_max) */
	uint64_t r_sync_max;
	/* SQEs prepared, completions outstanding */
	unsigned int r_inflight;
	/* SQEs prepared but not yet passed to io_uring_submit (batched until poll/wait) */
	unsigned int r_unsubmitted;
	/* requests submitted by the caller and not completed */
	unsigned int r_total;
	/* waiting for a submission slot */
	d_list_t r_pending;
	/* completed (synchronous path or submit failure), callbacks not run yet */
	d_list_t r_done;
};

int
bio_ring_create(unsigned int depth, unsigned int flags, struct bio_ring **ringp)
{
	struct bio_ring *ring;
	const char *env;
	int rc;

	if (ringp == NULL)
		return -DER_INVAL;
	D_ALLOC_PTR(ring);
	if (ring == NULL)
		return -DER_NOMEM;
	ring->r_depth = depth ? depth : 128;
	ring->r_sync_max = BIO_RING_SYNC_MAX_DEF;
	env = getenv("PDAOS_BIO_SYNC_MAX");
	if (env != NULL && *env != '\0')
		ring->r_sync_max = strtoull(env, NULL, 0);
	D_INIT_LIST_HEAD(&ring->r_pending);
	D_INIT_LIST_HEAD(&ring->r_done);
	ring->r_efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (ring->r_efd < 0) {
		rc = d_errno2der(errno);
		D_FREE(ring);
		return rc;
	}
	env = getenv("PDAOS_BIO_NO_URING");
	if (env != NULL && atoi(env) != 0)
		flags |= BIO_RING_SYNC;
	if (!(flags & BIO_RING_SYNC)) {
		rc = io_uring_queue_init(ring->r_depth, &ring->r_ring, 0);
		if (rc == 0) {
			rc = io_uring_register_eventfd(&ring->r_ring, ring->r_efd);
			if (rc == 0)
				ring->r_uring = true;
			else
				io_uring_queue_exit(&ring->r_ring);
		}
		if (!ring->r_uring)
			D_WARN("io_uring unavailable (%d), using synchronous I/O\n", rc);
	}
	*ringp = ring;
	return 0;
}

int
bio_ring_destroy(struct bio_ring *ring)
{
	if (ring == NULL)
		return -DER_INVAL;
	if (ring->r_total > 0) {
		D_ERROR("%u requests still in flight\n", ring->r_total);
		return -DER_BUSY;
	}
	if (ring->r_uring)
		io_uring_queue_exit(&ring->r_ring);
	close(ring->r_efd);
	D_FREE(ring);
	return 0;
}

bool
bio_ring_is_uring(struct bio_ring *ring)
{
	return ring->r_uring;
}

void
bio_ring_set_sync_max(struct bio_ring *ring, uint64_t bytes)
{
	if (ring != NULL)
		ring->r_sync_max = bytes;
}

int
bio_ring_eventfd(struct bio_ring *ring)
{
	return ring->r_efd;
}

unsigned int
bio_ring_inflight(struct bio_ring *ring)
{
	return ring->r_total;
}

/* Vectors for the part of the request not transferred yet. */
static int
req_build_iov(struct bio_req *req)
{
	d_sg_list_t *sgl = req->br_sgl;
	struct iovec *iov = req->br_iov;
	uint64_t skip = req->br_xfered;
	uint32_t i, n = 0;

	if (sgl->sg_nr == 1) {
		req->br_iov = iov = &req->br_iov_one;
		req->br_iov_max = 1;
	} else if (req->br_iov_max < sgl->sg_nr) {
		struct iovec *a;

		D_REALLOC_ARRAY(a, iov, req->br_iov_max, sgl->sg_nr);
		if (a == NULL)
			return -DER_NOMEM;
		req->br_iov = iov = a;
		req->br_iov_max = sgl->sg_nr;
	}
	for (i = 0; i < sgl->sg_nr; i++) {
		d_iov_t *d = &sgl->sg_iovs[i];

		if (skip >= d->iov_len) {
			skip -= d->iov_len;
			continue;
		}
		iov[n].iov_base = (char *)d->iov_buf + skip;
		iov[n].iov_len = d->iov_len - skip;
		skip = 0;
		n++;
	}
	req->br_iov_nr = n;
	return 0;
}

static void
req_fail(struct bio_req *req, int err)
{
	req->br_rc = bio_io_fail(req->br_blob, req->br_op, req->br_off + req->br_xfered, err);
}

static void
req_finish(struct bio_ring *ring, struct bio_req *req)
{
	if (req->br_iov != &req->br_iov_one)
		D_FREE(req->br_iov);
	req->br_iov = NULL;
	req->br_iov_max = 0;
	req->br_done = true;
	ring->r_total--;
	if (req->br_cb != NULL)
		req->br_cb(req, req->br_cb_arg);
}

static void
ring_kick(struct bio_ring *ring)
{
	uint64_t one = 1;

	/* the counter cannot overflow in practice; EAGAIN means it is readable anyway */
	if (write(ring->r_efd, &one, sizeof(one)) < 0 && errno != EAGAIN)
		D_WARN("eventfd write: %d\n", errno);
}

static void
req_sync(struct bio_req *req)
{
	struct bio_blob *blob = req->br_blob;
	ssize_t n;
	int rc;

	while (req->br_xfered < req->br_len) {
		rc = req_build_iov(req);
		if (rc) {
			req->br_rc = rc;
			return;
		}
		rc = bio_fi(req->br_op == BIO_OP_READ ? BIO_FI_READ : BIO_FI_WRITE);
		if (rc != 0) {
			req_fail(req, rc);
			return;
		}
		if (req->br_op == BIO_OP_READ)
			n = preadv(blob->bb_fd, req->br_iov, req->br_iov_nr,
				   req->br_off + req->br_xfered);
		else
			n = pwritev(blob->bb_fd, req->br_iov, req->br_iov_nr,
				    req->br_off + req->br_xfered);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			req_fail(req, n < 0 ? errno : EIO);
			return;
		}
		req->br_xfered += n;
	}
}

/* Pass prepared SQEs to the kernel. They stay queued in the SQ ring if this fails. */
static void
ring_flush(struct bio_ring *ring)
{
	int rc;

	if (ring->r_unsubmitted == 0)
		return;
	rc = io_uring_submit(&ring->r_ring);
	if (rc >= 0) {
		ring->r_unsubmitted -= (unsigned int)rc < ring->r_unsubmitted ? (unsigned int)rc
									      : ring->r_unsubmitted;
	} else if (rc != -EAGAIN && rc != -EBUSY && rc != -EINTR) {
		D_ERROR("io_uring_submit: %d\n", rc);
	}
}

/* Queue \a req (or its rest) as an SQE; false if no submission slot is free. */
static bool
req_uring(struct bio_ring *ring, struct bio_req *req)
{
	struct io_uring_sqe *sqe;
	int rc;

	/* bound outstanding completions so the completion queue cannot overflow */
	if (ring->r_inflight >= ring->r_depth)
		return false;
	sqe = io_uring_get_sqe(&ring->r_ring);
	if (sqe == NULL)
		return false;
	rc = req_build_iov(req);
	if (rc) {
		/* give the slot back as a no-op */
		io_uring_prep_nop(sqe);
		io_uring_sqe_set_data(sqe, NULL);
		ring->r_unsubmitted++;
		ring->r_inflight++;
		req->br_rc = rc;
		d_list_add_tail(&req->br_link, &ring->r_done);
		ring_kick(ring);
		return true;
	}
	if (req->br_iov_nr == 1) {
		/* plain read/write: the kernel skips importing an iovec */
		struct iovec *v = req->br_iov;

		if (req->br_op == BIO_OP_READ)
			io_uring_prep_read(sqe, req->br_blob->bb_fd, v->iov_base, v->iov_len,
					   req->br_off + req->br_xfered);
		else
			io_uring_prep_write(sqe, req->br_blob->bb_fd, v->iov_base, v->iov_len,
					    req->br_off + req->br_xfered);
	} else if (req->br_op == BIO_OP_READ) {
		io_uring_prep_readv(sqe, req->br_blob->bb_fd, req->br_iov, req->br_iov_nr,
				    req->br_off + req->br_xfered);
	} else {
		io_uring_prep_writev(sqe, req->br_blob->bb_fd, req->br_iov, req->br_iov_nr,
				     req->br_off + req->br_xfered);
	}
	io_uring_sqe_set_data(sqe, req);
	ring->r_unsubmitted++;
	ring->r_inflight++;
	/* a full batch goes at once; smaller ones at the next poll or wait */
	if (ring->r_unsubmitted >= ring->r_depth / 2)
		ring_flush(ring);
	return true;
}

/* A request done at submit: it completes at the next poll, as an io_uring one would. */
static void
req_done_now(struct bio_ring *ring, struct bio_req *req)
{
	/* the eventfd stays readable until a poller consumes it and drains r_done */
	bool kick = d_list_empty(&ring->r_done);

	d_list_add_tail(&req->br_link, &ring->r_done);
	if (kick)
		ring_kick(ring);
}

int
bio_req_submit(struct bio_ring *ring, struct bio_req *req)
{
	struct bio_blob *blob;
	uint64_t len = 0;
	int rc;

	if (ring == NULL || req == NULL)
		return -DER_INVAL;
	rc = bio_io_check(req->br_blob, req->br_op, req->br_off, req->br_sgl, &len);
	if (rc != 0)
		return rc;
	blob = req->br_blob;
	req->br_len = len;
	req->br_xfered = 0;
	req->br_rc = 0;
	req->br_done = false;
	req->br_iov = NULL;
	req->br_iov_max = 0;
	ring->r_total++;
	if (blob->bb_map != NULL) {
		rc = bio_map_copy(blob, req->br_op, req->br_off, req->br_sgl, len);
		if (rc != 0)
			req_fail(req, rc);
		else
			req->br_xfered = len;
		req_done_now(ring, req);
		return 0;
	}
	/*
	 * A small buffered request is a copy into or out of the page cache (it would block only
	 * on a read miss or writeback throttling); through io_uring the kernel cannot complete
	 * it inline and punts it to an io-wq worker, a thread hand-off each way. O_DIRECT ones
	 * really are asynchronous and stay on the ring.
	 */
	if (!ring->r_uring || blob->bb_memfs || (!blob->bb_direct && len <= ring->r_sync_max)) {
		req_sync(req);
		req_done_now(ring, req);
		return 0;
	}
	if (!d_list_empty(&ring->r_pending) || !req_uring(ring, req))
		d_list_add_tail(&req->br_link, &ring->r_pending);
	return 0;
}

/* Apply one completion: finished, failed, or resubmitted for its short remainder. */
static bool
req_complete(struct bio_ring *ring, struct bio_req *req, int res)
{
	int fi = bio_fi(req->br_op == BIO_OP_READ ? BIO_FI_READ : BIO_FI_WRITE);

	if (fi != 0)
		res = -fi;
	if (res < 0) {
		req_fail(req, -res);
		return true;
	}
	if (res == 0) {
		/* the file is preallocated: end of file here means it shrank under us */
		req_fail(req, EIO);
		return true;
	}
	req->br_xfered += res;
	if (req->br_xfered >= req->br_len)
		return true;
	if (!req_uring(ring, req))
		d_list_add(&req->br_link, &ring->r_pending);
	return false;
}

/*
 * Reap completions, move pending requests into free SQEs and run callbacks. \a submit passes
 * the prepared SQEs to the kernel; the blocking waits leave that to ring_sleep(), which
 * submits and waits in one io_uring_enter.
 */
static int
ring_poll(struct bio_ring *ring, bool submit)
{
	struct io_uring_cqe *cqe;
	struct bio_req *req;
	d_list_t done;
	int nr = 0;

	D_INIT_LIST_HEAD(&done);
	if (ring->r_uring) {
		if (submit)
			ring_flush(ring);
		while (io_uring_peek_cqe(&ring->r_ring, &cqe) == 0) {
			req = io_uring_cqe_get_data(cqe);
			ring->r_inflight--;
			if (req != NULL && req_complete(ring, req, cqe->res))
				d_list_add_tail(&req->br_link, &done);
			io_uring_cqe_seen(&ring->r_ring, cqe);
		}
		while (!d_list_empty(&ring->r_pending)) {
			req = d_list_entry(ring->r_pending.next, struct bio_req, br_link);
			d_list_del(&req->br_link);
			if (!req_uring(ring, req)) {
				d_list_add(&req->br_link, &ring->r_pending);
				break;
			}
		}
		if (submit)
			ring_flush(ring);
	}
	d_list_splice_init(&ring->r_done, &done);
	/* callbacks may submit more requests: take each off the list before running it */
	while (!d_list_empty(&done)) {
		req = d_list_entry(done.next, struct bio_req, br_link);
		d_list_del_init(&req->br_link);
		req_finish(ring, req);
		nr++;
	}
	return nr;
}

int
bio_ring_poll(struct bio_ring *ring)
{
	if (ring == NULL)
		return -DER_INVAL;
	return ring_poll(ring, true);
}

/* Submit what is prepared and wait for a completion: one syscall per round, as fio does. */
static int
ring_sleep(struct bio_ring *ring)
{
	struct io_uring_cqe *cqe;
	int rc;

	if (ring->r_unsubmitted == 0) {
		rc = io_uring_wait_cqe(&ring->r_ring, &cqe);
	} else {
		rc = io_uring_submit_and_wait(&ring->r_ring, 1);
		if (rc >= 0) {
			ring->r_unsubmitted -= min((unsigned int)rc, ring->r_unsubmitted);
			rc = 0;
		}
	}
	if (rc < 0 && rc != -EINTR && rc != -EAGAIN && rc != -EBUSY)
		return d_errno2der(-rc);
	return 0;
}

int
bio_ring_poller(void *arg)
{
	struct bio_ring *ring = arg;
	uint64_t cnt;

	/*
	 * Consume the eventfd before reaping: completions after this re-arm it. Blocking waiters
	 * skip this syscall; a stale count only costs a poller one empty round.
	 */
	if (read(ring->r_efd, &cnt, sizeof(cnt)) < 0 && errno != EAGAIN)
		D_WARN("eventfd read: %d\n", errno);
	return bio_ring_poll(ring);
}

int
bio_ring_wait(struct bio_ring *ring, struct bio_req *req)
{
	int rc;

	if (ring == NULL || req == NULL)
		return -DER_INVAL;
	for (;;) {
		rc = ring_poll(ring, false);
		if (rc < 0)
			return rc;
		if (req->br_done) {
			/* requests prepared meanwhile must not wait for the next call */
			if (ring->r_uring)
				ring_flush(ring);
			return req->br_rc;
		}
		if (!d_list_empty(&ring->r_done))
			continue;
		if (!ring->r_uring || ring->r_inflight == 0) {
			D_ERROR("waiting for a request that was never submitted\n");
			return -DER_INVAL;
		}
		rc = ring_sleep(ring);
		if (rc != 0)
			return rc;
	}
}

int
bio_ring_wait_any(struct bio_ring *ring)
{
	int rc;

	if (ring == NULL)
		return -DER_INVAL;
	for (;;) {
		rc = ring_poll(ring, false);
		if (rc != 0 || ring->r_total == 0) {
			/* callbacks may have prepared new requests: do not leave them idle */
			if (ring->r_uring)
				ring_flush(ring);
			return rc;
		}
		if (!d_list_empty(&ring->r_done))
			continue;
		if (!ring->r_uring || ring->r_inflight == 0)
			return -DER_INVAL;
		rc = ring_sleep(ring);
		if (rc != 0)
			return rc;
	}
}

static int
rw_one(struct bio_ring *ring, struct bio_blob *blob, enum bio_op op, uint64_t off, void *buf,
       size_t len)
{
	d_iov_t iov;
	d_sg_list_t sgl = {.sg_nr = 1, .sg_iovs = &iov};
	struct bio_req req = {.br_blob = blob, .br_op = op, .br_off = off, .br_sgl = &sgl};
	int rc;

	d_iov_set(&iov, buf, len);
	if (ring == NULL)
		return -DER_INVAL;
	/* synchronous anyway: a mapped blob needs no trip through the ring */
	if (blob != NULL && blob->bb_map != NULL)
		return bio_blob_copy(blob, op, off, &sgl);
	rc = bio_req_submit(ring, &req);
	return rc ? rc : bio_ring_wait(ring, &req);
}

int
bio_write(struct bio_ring *ring, struct bio_blob *blob, uint64_t off, void *buf, size_t len)
{
	return rw_one(ring, blob, BIO_OP_WRITE, off, buf, len);
}

int
bio_read(struct bio_ring *ring, struct bio_blob *blob, uint64_t off, void *buf, size_t len)
{
	return rw_one(ring, blob, BIO_OP_READ, off, buf, len);
}
