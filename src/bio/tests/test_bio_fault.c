/*
 * Injected ENOSPC/EIO on blob writes and flushes: errors reach the caller as -DER_NOSPACE /
 * -DER_IO, and the write-flush-publish protocol with vea loses nothing acknowledged and
 * leaks no space across a reopen, on the io_uring, synchronous and mapped (tmpfs) paths.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <daos_errno.h>
#include <daos/mem.h>
#include <daos_srv/bio.h>

#define BLK      4096
#define TOT_BLKS 256
#define NR_REC   8
#define REC_BLKS 4

struct rec {
	uint64_t off;
	uint64_t seq;
};

struct froot {
	struct vea_space_df md;
	struct rec recs[NR_REC];
};

struct ft {
	char dir[64];
	char heap[128];
	char blob_path[128];
	struct umem_pool *pool;
	struct umem_instance umm;
	struct froot *root;
	struct vea_space_info *vsi;
	struct bio_blob *blob;
	struct bio_ring *ring;
	unsigned int ring_flags;
	/* io_uring for every request, not only those above the ring's synchronous size */
	bool uring_all;
};

static const struct umem_pool_attr pattr = {.upa_sync_ms = 0};

static void
env_open(struct ft *t, bool create)
{
	struct umem_attr uma = {.uma_id = UMEM_CLASS_BMEM};
	umem_off_t roff;

	if (create)
		assert_int_equal(umem_pool_create(t->heap, 4 << 20, 0600, &pattr, &t->pool), 0);
	else
		assert_int_equal(umem_pool_open(t->heap, &pattr, &t->pool), 0);
	assert_int_equal(umem_pool_check(t->pool, NULL), 0);
	uma.uma_pool = t->pool;
	assert_int_equal(umem_class_init(&uma, &t->umm), 0);
	assert_int_equal(umem_pool_root(t->pool, sizeof(struct froot), &roff), 0);
	t->root = umem_off2ptr(&t->umm, roff);
	if (create) {
		assert_int_equal(vea_format(&t->umm, NULL, &t->root->md, BLK, 1,
					    (uint64_t)TOT_BLKS * BLK, NULL, NULL, false),
				 0);
		assert_int_equal(bio_blob_create(t->blob_path, (uint64_t)TOT_BLKS * BLK), 0);
	}
	assert_int_equal(vea_load(&t->umm, NULL, &t->root->md, NULL, &t->vsi), 0);
	assert_int_equal(bio_blob_open(t->blob_path, 0, &t->blob), 0);
	assert_int_equal(bio_ring_create(8, t->ring_flags, &t->ring), 0);
	if (t->uring_all)
		bio_ring_set_sync_max(t->ring, 0);
}

static void
env_close(struct ft *t)
{
	bio_ring_destroy(t->ring);
	bio_blob_close(t->blob);
	vea_unload(t->vsi);
	assert_int_equal(umem_pool_close(t->pool), 0);
	t->pool = NULL;
}

static int
setup_flags(void **state, unsigned int flags, const char *base)
{
	struct ft *t = calloc(1, sizeof(*t));

	if (t == NULL)
		return -1;
	snprintf(t->dir, sizeof(t->dir), "%s/bio_fault.XXXXXX", base);
	if (mkdtemp(t->dir) == NULL) {
		free(t);
		return -1;
	}
	snprintf(t->heap, sizeof(t->heap), "%s/heap", t->dir);
	snprintf(t->blob_path, sizeof(t->blob_path), "%s/data.blob", t->dir);
	t->ring_flags = flags;
	*state = t;
	return 0;
}

static int
setup_uring(void **state)
{
	int rc = setup_flags(state, 0, "/tmp");

	if (rc == 0)
		((struct ft *)*state)->uring_all = true;
	return rc;
}

/* an io_uring ring, but the 16 KiB records run synchronously at submit (below the cut) */
static int
setup_small(void **state)
{
	return setup_flags(state, 0, "/tmp");
}

static int
setup_sync(void **state)
{
	return setup_flags(state, BIO_RING_SYNC, "/tmp");
}

/* a blob on tmpfs is mapped: the same faults on the memcpy path */
static int
setup_mem(void **state)
{
	return setup_flags(state, 0, access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp");
}

static int
teardown(void **state)
{
	struct ft *t = *state;

	bio_fault_inject_set(0, 0, 0);
	umem_pool_destroy(t->heap);
	unlink(t->blob_path);
	rmdir(t->dir);
	free(t);
	return 0;
}

static void
fill(uint64_t *buf, uint64_t seq)
{
	int i;

	for (i = 0; i < REC_BLKS * BLK / 8; i++)
		buf[i] = seq * 1000003 + i;
}

/* reserve, write, flush, publish + record: 0 once durable, else the reservation is cancelled */
static int
store(struct ft *t, int slot, uint64_t seq)
{
	static uint64_t buf[REC_BLKS * BLK / 8];
	struct vea_resrvd_ext *vre;
	d_list_t list;
	uint64_t off;
	int rc;

	D_INIT_LIST_HEAD(&list);
	rc = vea_reserve(t->vsi, REC_BLKS, NULL, &list);
	if (rc != 0)
		return rc;
	vre = d_list_entry(list.next, struct vea_resrvd_ext, vre_link);
	/* publish consumes the reservation list */
	off = vre->vre_blk_off;
	fill(buf, seq);
	rc = bio_write(t->ring, t->blob, off * BLK, buf, sizeof(buf));
	if (rc == 0)
		rc = bio_blob_flush(t->blob);
	if (rc != 0) {
		assert_int_equal(vea_cancel(t->vsi, NULL, &list), 0);
		return rc;
	}
	assert_int_equal(umem_tx_begin(&t->umm, NULL), 0);
	assert_int_equal(vea_tx_publish(t->vsi, NULL, &list), 0);
	assert_int_equal(umem_tx_add_ptr(&t->umm, &t->root->recs[slot], sizeof(struct rec)), 0);
	t->root->recs[slot].off = off;
	t->root->recs[slot].seq = seq;
	return umem_tx_commit(&t->umm);
}

/* every recorded extent holds its data; free space = total - recorded */
static void
verify(struct ft *t, int nr_acked)
{
	static uint64_t buf[REC_BLKS * BLK / 8], exp[REC_BLKS * BLK / 8];
	struct vea_stat st;
	int i, n = 0;

	for (i = 0; i < NR_REC; i++) {
		if (t->root->recs[i].seq == 0)
			continue;
		n++;
		fill(exp, t->root->recs[i].seq);
		assert_int_equal(
			bio_read(t->ring, t->blob, t->root->recs[i].off * BLK, buf, sizeof(buf)),
			0);
		assert_memory_equal(buf, exp, sizeof(buf));
	}
	assert_int_equal(n, nr_acked);
	assert_int_equal(vea_query(t->vsi, NULL, &st), 0);
	assert_int_equal(st.vs_free_persistent, TOT_BLKS - 1 - n * REC_BLKS);
	assert_int_equal(st.vs_free_transient, st.vs_free_persistent);
}

static void
test_write_enospc(void **state)
{
	struct ft *t = *state;

	env_open(t, true);
	assert_int_equal(store(t, 0, 1), 0);
	assert_int_equal(store(t, 1, 2), 0);
	assert_int_equal(bio_fault_inject_set(BIO_FI_WRITE, ENOSPC, 1), 0);
	assert_int_equal(store(t, 2, 3), -DER_NOSPACE);
	/* not a media error: the blob keeps working */
	assert_false(bio_blob_faulty(t->blob));
	assert_int_equal(store(t, 2, 4), 0);
	verify(t, 3);
	env_close(t);
	env_open(t, false);
	verify(t, 3);
	env_close(t);
}

static void
test_write_eio(void **state)
{
	struct ft *t = *state;

	env_open(t, true);
	assert_int_equal(store(t, 0, 1), 0);
	assert_int_equal(bio_fault_inject_set(BIO_FI_WRITE, EIO, 1), 0);
	assert_int_equal(store(t, 1, 2), -DER_IO);
	assert_true(bio_blob_faulty(t->blob));
	/* a faulty blob refuses I/O until it is reopened */
	assert_int_equal(store(t, 1, 3), -DER_IO);
	env_close(t);
	env_open(t, false);
	verify(t, 1);
	assert_int_equal(store(t, 1, 5), 0);
	verify(t, 2);
	env_close(t);
}

static void
test_flush_fault(void **state)
{
	struct ft *t = *state;

	env_open(t, true);
	assert_int_equal(store(t, 0, 1), 0);
	assert_int_equal(bio_fault_inject_set(BIO_FI_FLUSH, EIO, 1), 0);
	assert_int_equal(store(t, 1, 2), -DER_IO);
	assert_true(bio_blob_faulty(t->blob));
	env_close(t);
	env_open(t, false);
	verify(t, 1);
	assert_int_equal(bio_fault_inject_set(BIO_FI_FLUSH, ENOSPC, 1), 0);
	assert_int_equal(store(t, 1, 3), -DER_NOSPACE);
	env_close(t);
	env_open(t, false);
	verify(t, 1);
	env_close(t);
}

static void
test_read_eio(void **state)
{
	struct ft *t = *state;
	static char buf[BLK];

	env_open(t, true);
	assert_int_equal(store(t, 0, 1), 0);
	assert_int_equal(bio_fault_inject_set(BIO_FI_READ, EIO, 1), 0);
	assert_int_equal(bio_read(t->ring, t->blob, t->root->recs[0].off * BLK, buf, BLK), -DER_IO);
	env_close(t);
	env_open(t, false);
	verify(t, 1);
	env_close(t);
}

static void
test_inject_args(void **state)
{
	assert_int_equal(bio_fault_inject_set(0, EIO, 1), -DER_INVAL);
	assert_int_equal(bio_fault_inject_set(BIO_FI_WRITE, 0, 1), -DER_INVAL);
	assert_int_equal(bio_fault_inject_set(BIO_FI_WRITE, EIO, -2), -DER_INVAL);
	assert_int_equal(bio_fault_inject_set(0, 0, 0), 0);
}

#define EACH_PATH(fn)                                                       \
	cmocka_unit_test_setup_teardown(fn, setup_uring, teardown),         \
		cmocka_unit_test_setup_teardown(fn, setup_small, teardown), \
		cmocka_unit_test_setup_teardown(fn, setup_sync, teardown),  \
		cmocka_unit_test_setup_teardown(fn, setup_mem, teardown)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_inject_args), EACH_PATH(test_write_enospc),
		EACH_PATH(test_write_eio),          EACH_PATH(test_flush_fault),
		EACH_PATH(test_read_eio),
	};

	return cmocka_run_group_tests_name("bio_fault", tests, NULL, NULL);
}
