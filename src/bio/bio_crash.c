/**
 * bio_crash: kill a process that reserves, writes and publishes extents, then check the blob
 * and the allocator after restart.
 *
 * The child loops: reserve an extent (with a stream hint), write a pattern into it through the
 * ring, flush the blob, then publish the extent and record it in the heap in one transaction,
 * and acknowledge through a pipe; or free a recorded extent (vea_free + clear the record in one
 * transaction) and acknowledge. The parent SIGKILLs it at a random moment, reopens everything
 * and checks: every acknowledged extent is recorded and holds its data, acknowledged frees are
 * gone, and the recorded extents plus the free extents cover the blob exactly once.
 *
 *   bio_crash [--kills N] [--seed S] [--min-ms A] [--max-ms B] [--verbose]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <daos_errno.h>
#include <daos/mem.h>
#include <daos_srv/bio.h>

#include "crash_harness.h"

#define BLK      4096
#define HDR_BLKS 1
#define TOT_BLKS 2048
#define MAX_REC  256
#define MAX_CNT  16

struct rec {
	uint64_t off;
	uint64_t cnt;
	uint64_t seq;
};

struct croot {
	struct vea_space_df md;
	struct vea_hint_df hint;
	struct rec recs[MAX_REC];
};

/* Acknowledgement sent by the child after a durable commit. */
struct ack {
	uint32_t is_free;
	uint32_t slot;
	struct rec rec;
};

static char heap_path[256], blob_path[256];
/* every commit durable before it returns: acknowledged means committed */
static struct umem_pool_attr pool_attr = {.upa_sync_ms = 0, .upa_ckpt_interval_ms = 20};
static uint64_t
word(uint64_t seq, uint64_t blk, uint64_t w)
{
	return (seq * 0x9E3779B97F4A7C15ULL) ^ (blk << 20) ^ w;
}

static void
fill(uint64_t *buf, uint64_t seq, uint64_t off, uint64_t cnt)
{
	uint64_t b, w;

	for (b = 0; b < cnt; b++)
		for (w = 0; w < BLK / 8; w++)
			buf[b * (BLK / 8) + w] = word(seq, off + b, w);
}

struct env {
	struct umem_pool *pool;
	struct umem_instance umm;
	struct croot *root;
	struct vea_space_info *vsi;
	struct bio_blob *blob;
	struct bio_ring *ring;
};

static int
env_open(struct env *e, bool create)
{
	struct umem_attr uma = {.uma_id = UMEM_CLASS_BMEM};
	umem_off_t roff;
	int rc;

	rc = create ? umem_pool_create(heap_path, 4 << 20, 0600, &pool_attr, &e->pool)
		    : umem_pool_open(heap_path, &pool_attr, &e->pool);
	if (rc)
		return rc;
	uma.uma_pool = e->pool;
	rc = umem_class_init(&uma, &e->umm);
	if (rc == 0)
		rc = umem_pool_root(e->pool, sizeof(struct croot), &roff);
	if (rc)
		return rc;
	e->root = umem_off2ptr(&e->umm, roff);
	if (create) {
		rc = vea_format(&e->umm, NULL, &e->root->md, BLK, HDR_BLKS,
				(uint64_t)TOT_BLKS * BLK, NULL, NULL, false);
		if (rc == 0)
			rc = bio_blob_create(blob_path, (uint64_t)TOT_BLKS * BLK);
		if (rc)
			return rc;
	}
	rc = vea_load(&e->umm, NULL, &e->root->md, NULL, &e->vsi);
	if (rc == 0)
		rc = bio_blob_open(blob_path, 0, &e->blob);
	if (rc == 0)
		rc = bio_ring_create(16, 0, &e->ring);
	return rc;
}

static void
env_close(struct env *e)
{
	bio_ring_destroy(e->ring);
	bio_blob_close(e->blob);
	vea_unload(e->vsi);
	umem_pool_close(e->pool);
	memset(e, 0, sizeof(*e));
}

static void
send_ack(int fd, struct ack *a)
{
	CHECK(write(fd, a, sizeof(*a)) == sizeof(*a), "ack write");
}

static void
child(int fd, uint64_t gen, unsigned int seed)
{
	static uint64_t buf[MAX_CNT * BLK / 8];
	struct vea_hint_context *hint;
	struct env e = {0};
	uint64_t seq = gen << 32;
	int rc;

	srand(seed);
	CHECK(env_open(&e, false) == 0, "child open");
	CHECK(vea_hint_load(&e.root->hint, &hint) == 0, "hint");
	for (;;) {
		struct vea_resrvd_ext *vre;
		struct ack a = {0};
		d_list_t list;
		int slot, i, nlive = 0, free_slot = -1;

		for (i = 0; i < MAX_REC; i++) {
			if (e.root->recs[i].cnt)
				nlive++;
			else if (free_slot < 0)
				free_slot = i;
		}
		seq++;
		if (free_slot >= 0 && (nlive == 0 || rand() % 3 != 0)) {
			uint32_t cnt = 1 + rand() % MAX_CNT;

			D_INIT_LIST_HEAD(&list);
			rc = vea_reserve(e.vsi, cnt, hint, &list);
			if (rc == -DER_NOSPACE)
				goto do_free;
			CHECK(rc == 0, "reserve %d", rc);
			vre = d_list_entry(list.next, struct vea_resrvd_ext, vre_link);
			a.rec.off = vre->vre_blk_off;
			a.rec.cnt = cnt;
			a.rec.seq = seq;
			/* data first, durable, then the metadata that points at it */
			fill(buf, seq, a.rec.off, cnt);
			CHECK(bio_write(e.ring, e.blob, a.rec.off * BLK, buf, cnt * BLK) == 0,
			      "write");
			CHECK(bio_blob_flush(e.blob) == 0, "flush");
			CHECK(umem_tx_begin(&e.umm, NULL) == 0, "begin");
			CHECK(vea_tx_publish(e.vsi, hint, &list) == 0, "publish");
			CHECK(umem_tx_add_ptr(&e.umm, &e.root->recs[free_slot],
					      sizeof(struct rec)) == 0,
			      "add");
			e.root->recs[free_slot] = a.rec;
			CHECK(umem_tx_commit(&e.umm) == 0, "commit");
			a.slot = free_slot;
			send_ack(fd, &a);
			continue;
		}
	do_free:
		slot = rand() % MAX_REC;
		while (e.root->recs[slot].cnt == 0)
			slot = (slot + 1) % MAX_REC;
		CHECK(umem_tx_begin(&e.umm, NULL) == 0, "begin");
		CHECK(vea_free(e.vsi, e.root->recs[slot].off, e.root->recs[slot].cnt) == 0, "free");
		CHECK(umem_tx_add_ptr(&e.umm, &e.root->recs[slot], sizeof(struct rec)) == 0, "add");
		memset(&e.root->recs[slot], 0, sizeof(struct rec));
		CHECK(umem_tx_commit(&e.umm) == 0, "commit");
		a.is_free = 1;
		a.slot = slot;
		send_ack(fd, &a);
	}
}

struct cover {
	uint8_t map[TOT_BLKS];
};

static int
mark_free(void *arg, struct vea_free_extent *f)
{
	struct cover *c = arg;
	uint64_t b;

	for (b = f->vfe_blk_off; b < f->vfe_blk_off + f->vfe_blk_cnt; b++) {
		CHECK(b < TOT_BLKS && c->map[b] == 0, "free extent overlaps at block %lu",
		      (unsigned long)b);
		c->map[b] = 1;
	}
	return 0;
}

/* Every acknowledged state must be there; returns the number of live records. */
static int
verify(struct rec *model)
{
	static uint64_t buf[MAX_CNT * BLK / 8], exp[MAX_CNT * BLK / 8];
	static struct cover cov;
	struct vea_stat st;
	struct env e = {0};
	uint64_t used = 0, b;
	int i, live = 0, unacked = 0;

	CHECK(env_open(&e, false) == 0, "reopen");
	memset(&cov, 0, sizeof(cov));
	for (b = 0; b < HDR_BLKS; b++)
		cov.map[b] = 1;
	for (i = 0; i < MAX_REC; i++) {
		struct rec *r = &e.root->recs[i];

		/* only the operation in flight at the kill may be committed without an ack */
		if (memcmp(r, &model[i], sizeof(*r)) != 0)
			CHECK(++unacked <= 1, "more than one unacknowledged change (slot %d)", i);
		if (model[i].cnt != 0)
			CHECK(r->cnt == 0 || memcmp(r, &model[i], sizeof(*r)) == 0 ||
				      r->seq > model[i].seq,
			      "acknowledged extent in slot %d lost (have %lu+%lu seq %lx, want "
			      "%lu+%lu seq %lx)",
			      i, (unsigned long)r->off, (unsigned long)r->cnt,
			      (unsigned long)r->seq, (unsigned long)model[i].off,
			      (unsigned long)model[i].cnt, (unsigned long)model[i].seq);
		if (r->cnt == 0) {
			/*
			 * An acknowledged free, or a later unacknowledged one: both fine. The whole
			 * record is cleared, as the heap's is, so the next round compares equal.
			 */
			memset(&model[i], 0, sizeof(model[i]));
			continue;
		}
		CHECK(r->cnt <= MAX_CNT && r->off + r->cnt <= TOT_BLKS, "bad record %d", i);
		CHECK(bio_read(e.ring, e.blob, r->off * BLK, buf, r->cnt * BLK) == 0, "read");
		fill(exp, r->seq, r->off, r->cnt);
		CHECK(memcmp(buf, exp, r->cnt * BLK) == 0, "data of slot %d (seq %lu) wrong", i,
		      (unsigned long)r->seq);
		for (b = r->off; b < r->off + r->cnt; b++) {
			CHECK(cov.map[b] == 0, "block %lu allocated twice", (unsigned long)b);
			cov.map[b] = 1;
		}
		used += r->cnt;
		model[i] = *r;
		live++;
	}
	CHECK(vea_enumerate_free(e.vsi, mark_free, &cov) == 0, "enumerate");
	for (b = 0; b < TOT_BLKS; b++)
		CHECK(cov.map[b] == 1, "block %lu leaked", (unsigned long)b);
	CHECK(vea_query(e.vsi, NULL, &st) == 0, "query");
	CHECK(st.vs_free_persistent == TOT_BLKS - HDR_BLKS - used, "free count");
	CHECK(st.vs_free_transient == st.vs_free_persistent, "transient count");
	env_close(&e);
	return live;
}

static struct rec model[MAX_REC];
static uint64_t acks;
static int live;

static void
run_child(int fd, int round, void *arg)
{
	const struct crash_opts *o = arg;

	child(fd, round + 1, (unsigned int)(o->seed * 0x9E3779B1u + round));
}

static void
on_ack(const void *ack, void *arg)
{
	const struct ack *a = ack;

	CHECK(a->slot < MAX_REC, "bad ack");
	if (a->is_free)
		memset(&model[a->slot], 0, sizeof(model[a->slot]));
	else
		model[a->slot] = a->rec;
	acks++;
}

static int
verify_round(int round, int delay_ms, uint64_t nacks, void *arg)
{
	const struct crash_opts *o = arg;

	live = verify(model);
	if (o->verbose)
		printf("kill %d after %d ms: %d live extents\n", round + 1, delay_ms, live);
	return 0;
}

int
main(int argc, char **argv)
{
	struct crash_opts o = {.kills = 20,
			       .seed = (unsigned int)time(NULL),
			       .min_ms = 20,
			       .max_ms = 200,
			       .ack_size = sizeof(struct ack)};
	char dir[200];
	struct env e = {0};

	if (crash_parse(argc, argv, &o, NULL, NULL, NULL, NULL) != 0 || o.kills < 1 || o.min_ms < 1)
		return 2;
	/* TMPDIR=/dev/shm puts the blob on tmpfs: the mapped path */
	crash_mkdtemp(getenv("TMPDIR"), "bio_crash", dir, sizeof(dir));
	snprintf(heap_path, sizeof(heap_path), "%s/heap", dir);
	snprintf(blob_path, sizeof(blob_path), "%s/data.blob", dir);
	printf("bio_crash: seed %u, %d kills, in %s\n", (unsigned int)o.seed, o.kills, dir);
	CHECK(env_open(&e, true) == 0, "create");
	env_close(&e);

	CHECK(crash_run(&o, run_child, on_ack, verify_round, &o) == 0, "run");
	printf("bio_crash: %d kills, %lu acknowledged operations, %d live extents: OK\n", o.kills,
	       (unsigned long)acks, live);
	umem_pool_destroy(heap_path);
	bio_blob_destroy(blob_path);
	rmdir(dir);
	return 0;
}
