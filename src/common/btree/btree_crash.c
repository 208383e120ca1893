/**
 * btree_crash: SIGKILL a process that updates and deletes records of a dbtree in a heap file,
 * then reopen and check the tree against what was acknowledged.
 *
 * The child opens the heap and the tree and loops: announce an operation (upsert or delete of
 * a random key) on a pipe, run it (its own durable transaction), acknowledge it. The parent
 * kills the child at a random moment, reopens the heap and checks: the tree structure is
 * valid (dbtree_check, umem_pool_check), every acknowledged operation is there, and the one
 * announced but unacknowledged operation is either fully there or not at all.
 *
 *   btree_crash [--kills N] [--seed S] [--min-ms A] [--max-ms B] [--verbose]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <daos/btree.h>

#include "crash_harness.h"

#define NKEYS   1024
#define HEAP_SZ (16ULL << 20)
#define ORDER   5

struct msg {
	uint32_t type; /* 0: ready, 1: announce, 2: acknowledge */
	uint32_t del;
	uint64_t key;
	uint64_t seq;
};

static char heap_path[256];
static struct umem_pool_attr pool_attr = {.upa_sync_ms = 0, .upa_ckpt_interval_ms = 20};
static bool verbose;

struct val {
	uint64_t key;
	uint64_t seq;
	char pad[40];
};

static d_iov_t *
mkkey(char *buf, uint64_t x, d_iov_t *iov)
{
	d_iov_set(iov, buf, snprintf(buf, 32, "key-%06llu", (unsigned long long)x));
	return iov;
}

/* Value of (key, seq): its length varies so that bodies are reallocated on update. */
static size_t
mkval(struct val *v, uint64_t x, uint64_t seq)
{
	memset(v, (int)(seq & 0xff), sizeof(*v));
	v->key = x;
	v->seq = seq;
	return 16 + seq % 40;
}

static int
open_tree(struct umem_pool **pool, struct umem_attr *uma, daos_handle_t *toh, bool create)
{
	struct umem_instance umm;
	struct btr_root *root;
	umem_off_t off;
	int rc;

	rc = umem_pool_open(heap_path, &pool_attr, pool);
	if (rc != 0)
		return rc;
	uma->uma_id = UMEM_CLASS_BMEM;
	uma->uma_pool = *pool;
	umem_class_init(uma, &umm);
	rc = umem_pool_root(*pool, sizeof(struct btr_root), &off);
	if (rc != 0)
		return rc;
	root = umem_off2ptr(&umm, off);
	if (create)
		return dbtree_create_inplace(DBTREE_CLASS_KV, 0, ORDER, uma, root, toh);
	return dbtree_open_inplace(root, uma, toh);
}

static void
send_msg(int fd, struct msg *m)
{
	if (write(fd, m, sizeof(*m)) != sizeof(*m))
		_exit(3);
}

static void
child(int fd, unsigned int seed, uint64_t seq)
{
	struct umem_pool *pool;
	struct umem_attr uma;
	daos_handle_t toh;
	int rc;

	rc = open_tree(&pool, &uma, &toh, false);
	if (rc != 0)
		_exit(2);
	{
		struct msg ready = {.type = 0, .seq = seq - 1};

		send_msg(fd, &ready);
	}
	for (;; seq++) {
		struct msg m = {.type = 1, .key = rand_r(&seed) % NKEYS, .seq = seq};
		char kb[32];
		d_iov_t key, val;
		struct val v;

		m.del = rand_r(&seed) % 100 < 40;
		send_msg(fd, &m);
		mkkey(kb, m.key, &key);
		if (m.del) {
			rc = dbtree_delete(toh, BTR_PROBE_EQ, &key, NULL);
			if (rc == -DER_NONEXIST)
				rc = 0;
		} else {
			d_iov_set(&val, &v, mkval(&v, m.key, seq));
			rc = dbtree_update(toh, &key, &val);
		}
		if (rc != 0)
			_exit(4);
		m.type = 2;
		send_msg(fd, &m);
	}
}

/* model: seq of the live value per key, 0 = absent */
static uint64_t model[NKEYS];

static uint64_t
tree_seq(daos_handle_t toh, uint64_t x)
{
	struct val v;
	char kb[32];
	d_iov_t key, val;
	int rc;

	d_iov_set(&val, &v, sizeof(v));
	rc = dbtree_lookup(toh, mkkey(kb, x, &key), &val);
	if (rc == -DER_NONEXIST)
		return 0;
	CHECK(rc == 0, "lookup of key %llu: %d", (unsigned long long)x, rc);
	{
		struct val want;

		CHECK(val.iov_len == mkval(&want, x, v.seq) && v.key == x &&
			      memcmp(&v, &want, val.iov_len) == 0,
		      "key %llu: bad value", (unsigned long long)x);
	}
	return v.seq;
}

static void
verify(struct msg *pending)
{
	struct umem_pool *pool;
	struct umem_attr uma;
	daos_handle_t toh;
	struct btr_stat st;
	uint64_t n = 0, x;
	int rc;

	rc = open_tree(&pool, &uma, &toh, false);
	CHECK(rc == 0, "reopen: %d", rc);
	CHECK(umem_pool_check(pool, NULL) == 0, "heap check failed");
	CHECK(dbtree_check(toh, &st) == 0, "tree check failed");
	for (x = 0; x < NKEYS; x++) {
		uint64_t got = tree_seq(toh, x);

		if (pending != NULL && pending->key == x) {
			uint64_t done = pending->del ? 0 : pending->seq;

			CHECK(got == model[x] || got == done,
			      "key %llu: seq %llu, expected %llu or (in flight) %llu",
			      (unsigned long long)x, (unsigned long long)got,
			      (unsigned long long)model[x], (unsigned long long)done);
			if (verbose && got != model[x])
				printf("  in-flight op on key %llu is durable\n",
				       (unsigned long long)x);
			model[x] = got;
		}
		CHECK(got == model[x], "key %llu: seq %llu, expected %llu", (unsigned long long)x,
		      (unsigned long long)got, (unsigned long long)model[x]);
		n += got != 0;
	}
	CHECK(st.bs_rec_nr == n, "tree has %llu records, expected %llu",
	      (unsigned long long)st.bs_rec_nr, (unsigned long long)n);
	CHECK(dbtree_close(toh) == 0, "close");
	CHECK(umem_pool_close(pool) == 0, "heap close");
}

/* Parent state across rounds: the announced operation and the next child's first seq */
static struct msg in_flight;
static bool announced;
static uint64_t next_seq = 1, acked;

static void
run_child(int fd, int round, void *arg)
{
	const struct crash_opts *o = arg;

	child(fd, (unsigned int)o->seed + round, next_seq);
}

static void
on_msg(const void *ack, void *arg)
{
	const struct msg *m = ack;

	if (m->type == 0)
		return; /* ready: the kill delay starts now */
	if (m->type == 1) {
		in_flight = *m;
		announced = true;
	} else {
		CHECK(announced && m->seq == in_flight.seq, "ack out of order");
		model[m->key] = m->del ? 0 : m->seq;
		announced = false;
		acked++;
	}
	next_seq = m->seq + 1;
}

static int
verify_round(int round, int delay_ms, uint64_t nacks, void *arg)
{
	verify(announced ? &in_flight : NULL);
	announced = false;
	if (verbose)
		printf("kill %d: %llu ops acknowledged\n", round, (unsigned long long)acked);
	return 0;
}

int
main(int argc, char **argv)
{
	struct crash_opts o = {.kills = 20,
			       .seed = (unsigned int)time(NULL),
			       .min_ms = 0,
			       .max_ms = 30,
			       .ack_size = sizeof(struct msg),
			       .delay_from_first_ack = true};
	char dir[64], wal[300];
	struct umem_pool *pool;
	daos_handle_t toh;
	struct umem_attr uma;

	if (crash_parse(argc, argv, &o, NULL, NULL, NULL, NULL) != 0)
		return 2;
	verbose = o.verbose;
	printf("btree_crash: seed %u, %d kills\n", (unsigned int)o.seed, o.kills);
	crash_mkdtemp(NULL, "btree_crash", dir, sizeof(dir));
	snprintf(heap_path, sizeof(heap_path), "%s/heap", dir);
	snprintf(wal, sizeof(wal), "%s.wal", heap_path);
	CHECK(umem_pool_create(heap_path, HEAP_SZ, 0600, &pool_attr, &pool) == 0, "create");
	CHECK(umem_pool_close(pool) == 0, "close");
	CHECK(open_tree(&pool, &uma, &toh, true) == 0, "tree create");
	CHECK(dbtree_close(toh) == 0 && umem_pool_close(pool) == 0, "close");

	CHECK(crash_run(&o, run_child, on_msg, verify_round, &o) == 0, "run");
	printf("btree_crash: %d kills, %llu acknowledged operations verified\n", o.kills,
	       (unsigned long long)acked);
	umem_pool_destroy(heap_path);
	unlink(wal);
	rmdir(dir);
	return 0;
}
