/* bio under the ULT runtime: an xstream poller on the ring's eventfd completes requests while
 * ULTs wait on eventuals (no busy loop in the ULTs). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <daos_errno.h>
#include <daos_srv/bio.h>
#include <daos_srv/ult.h>

#define NR_ULTS 8
#define NR_IOS  16
#define IO_SZ   8192

struct shared {
	struct bio_ring *ring;
	struct bio_blob *blob;
	int errors;
};

struct worker {
	struct shared *sh;
	int id;
	int rc;
	/* per ULT: every worker of the xstream shares one thread */
	unsigned char wbuf[IO_SZ];
	unsigned char rbuf[IO_SZ];
};

static void
ev_cb(struct bio_req *req, void *arg)
{
	ult_eventual_set(arg, NULL, 0);
}

static int
io_wait(struct shared *sh, enum bio_op op, uint64_t off, void *buf)
{
	d_iov_t iov;
	d_sg_list_t sgl = {.sg_nr = 1, .sg_iovs = &iov};
	struct bio_req req = {.br_blob = sh->blob, .br_op = op, .br_off = off, .br_sgl = &sgl};
	ult_eventual_t ev;
	int rc;

	d_iov_set(&iov, buf, IO_SZ);
	rc = ult_eventual_create(0, &ev);
	if (rc)
		return rc;
	req.br_cb = ev_cb;
	req.br_cb_arg = ev;
	rc = bio_req_submit(sh->ring, &req);
	if (rc == 0)
		rc = ult_eventual_timedwait(ev, NULL, 5000000);
	ult_eventual_free(&ev);
	return rc ? rc : req.br_rc;
}

static void
worker(void *arg)
{
	struct worker *w = arg;
	unsigned char *wbuf = w->wbuf, *rbuf = w->rbuf;
	int i, rc = 0;

	for (i = 0; i < NR_IOS && rc == 0; i++) {
		uint64_t off = ((uint64_t)w->id * NR_IOS + i) * IO_SZ;

		memset(wbuf, w->id * 31 + i, IO_SZ);
		rc = io_wait(w->sh, BIO_OP_WRITE, off, wbuf);
		if (rc == 0)
			rc = io_wait(w->sh, BIO_OP_READ, off, rbuf);
		if (rc == 0 && memcmp(wbuf, rbuf, IO_SZ) != 0)
			rc = -DER_MISC;
	}
	w->rc = rc;
}

struct main_arg {
	const char *path;
	/* bio_ring_set_sync_max(): 0 puts every request on io_uring */
	uint64_t sync_max;
	int rc;
};

static void
main_ult(void *arg)
{
	struct main_arg *ma = arg;
	static struct worker w[NR_ULTS];
	struct ult *ults[NR_ULTS];
	struct shared sh = {0};
	struct ult_poller *poller;
	int i, rc;

	rc = bio_ring_create(4, 0, &sh.ring);
	if (rc == 0)
		bio_ring_set_sync_max(sh.ring, ma->sync_max);
	if (rc == 0)
		rc = bio_blob_open(ma->path, 0, &sh.blob);
	if (rc == 0)
		rc = ult_poller_register(ult_xs_self(), bio_ring_poller, sh.ring,
					 bio_ring_eventfd(sh.ring), &poller);
	if (rc) {
		ma->rc = rc;
		return;
	}
	for (i = 0; i < NR_ULTS; i++) {
		w[i].sh = &sh;
		w[i].id = i;
		w[i].rc = -DER_UNINIT;
		rc = ult_create(ULT_XS_SELF, worker, &w[i], 0, &ults[i]);
		if (rc)
			break;
	}
	while (i-- > 0) {
		ult_join(ults[i]);
		if (rc == 0 && w[i].rc != 0)
			rc = w[i].rc;
	}
	ult_poller_unregister(poller);
	if (bio_ring_destroy(sh.ring) != 0 && rc == 0)
		rc = -DER_BUSY;
	bio_blob_close(sh.blob);
	ma->rc = rc;
}

static void
ult_poller_run(uint64_t sync_max)
{
	struct ult_init_attr attr = {.uia_nr_xs = 1};
	char dir[] = "/tmp/bio_ult.XXXXXX", path[64];
	struct main_arg ma = {.path = path, .sync_max = sync_max, .rc = -DER_UNINIT};
	struct ult *u;

	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/x.blob", dir);
	assert_int_equal(bio_blob_create(path, (uint64_t)NR_ULTS * NR_IOS * IO_SZ), 0);
	assert_int_equal(ult_init(&attr), 0);
	assert_int_equal(ult_create(0, main_ult, &ma, 256 * 1024, &u), 0);
	assert_int_equal(ult_join(u), 0);
	assert_int_equal(ult_fini(), 0);
	assert_int_equal(ma.rc, 0);
	assert_int_equal(bio_blob_destroy(path), 0);
	rmdir(dir);
}

/* ULTs waiting on io_uring completions that the xstream's epoll poller reaps */
static void
test_ult_poller(void **state)
{
	ult_poller_run(0);
}

/* the same requests done at submit: the eventfd alone must wake the waiting ULTs */
static void
test_ult_poller_small(void **state)
{
	ult_poller_run(IO_SZ);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ult_poller),
		cmocka_unit_test(test_ult_poller_small),
	};

	return cmocka_run_group_tests_name("bio_ult", tests, NULL, NULL);
}
