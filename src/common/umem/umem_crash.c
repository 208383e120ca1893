/**
 * umem_crash: kill a process in the middle of transactions and check what survives.
 *
 * A child runs random transactions over a persistent linked list, a set of blobs and counters
 * (invariants: count and sum match the list, every blob holds the pattern of the transaction
 * that wrote it) and reports each acknowledged commit through a pipe. The parent kills it with
 * SIGKILL at a random moment, reopens the heap and checks that every acknowledged transaction
 * is there, that no partial transaction is visible and that the allocator is consistent.
 *
 *   umem_crash [--kills N] [--seed S] [--dir DIR] [--min-ms A] [--max-ms B] [--threads T]
 *              [--sync-ms N] [--verbose]
 *
 * --threads runs T committers in the child (group commit under fire); --sync-ms N uses the
 * relaxed log policy, where acknowledged transactions may be lost but never half applied.
 */
#include <pthread.h>
#include <unistd.h>
#include <daos/mem.h>

#include "crash_harness.h"

#define NR_BLOBS   32
#define ROOT_MAGIC 0x43524153484d454dULL

struct croot {
	uint64_t magic;
	uint64_t seq;
	uint64_t count;
	uint64_t sum;
	umem_off_t head;
	umem_off_t blobs[NR_BLOBS];
	uint64_t blob_seq[NR_BLOBS];
	uint64_t blob_len[NR_BLOBS];
};

struct cnode {
	umem_off_t next;
	uint64_t val;
	uint64_t check;
};

static int nthreads = 1;
static struct umem_pool_attr child_attr = {
	.upa_wal_size = 1 << 20, .upa_ckpt_interval_ms = 20, .upa_sync_ms = 0};

static uint64_t
node_check(uint64_t val)
{
	return val * 0x9E3779B97F4A7C15ULL ^ 0xabcdef;
}

static unsigned char
blob_byte(uint64_t seq, uint64_t i)
{
	return (unsigned char)((seq * 31 + i * 7) ^ (i >> 8));
}

static int
one_tx(struct umem_instance *umm, struct croot *r, unsigned int *rs, uint64_t *seqp)
{
	uint64_t seq;
	int op = rand_r(rs) % 5;
	struct cnode *n;
	umem_off_t off;
	int rc;

	if (r->count > 1500 && op < 2)
		op = 2;
	rc = umem_tx_begin(umm, NULL);
	if (rc != 0)
		return rc;
	seq = r->seq + 1; /* under the heap lock: transactions are numbered in commit order */
	rc = umem_tx_add_ptr(umm, r, offsetof(struct croot, blobs));
	if (rc != 0)
		goto abort;
	switch (op) {
	case 0:
	case 1: /* push */
		off = umem_alloc(umm, sizeof(*n) + rand_r(rs) % 600);
		if (UMOFF_IS_NULL(off))
			goto nospace;
		n = umem_off2ptr(umm, off);
		n->next = r->head;
		n->val = seq;
		n->check = node_check(seq);
		r->head = off;
		r->count++;
		r->sum += seq;
		break;
	case 2: { /* remove a node near the head */
		umem_off_t *link = &r->head;
		int depth = rand_r(rs) % 8;

		while (depth-- > 0 && !UMOFF_IS_NULL(*link) &&
		       !UMOFF_IS_NULL(((struct cnode *)umem_off2ptr(umm, *link))->next))
			link = &((struct cnode *)umem_off2ptr(umm, *link))->next;
		if (UMOFF_IS_NULL(*link))
			break;
		n = umem_off2ptr(umm, *link);
		off = *link;
		rc = umem_tx_add_ptr(umm, link, sizeof(*link));
		if (rc != 0)
			goto abort;
		*link = n->next;
		r->count--;
		r->sum -= n->val;
		rc = umem_free(umm, off);
		if (rc != 0)
			goto abort;
		break;
	}
	case 3: { /* replace a blob */
		int slot = rand_r(rs) % NR_BLOBS;
		uint64_t len = 100 + rand_r(rs) % 100000, i;
		char *p;

		rc = umem_tx_add_ptr(umm, &r->blobs[slot], sizeof(uint64_t));
		if (rc == 0)
			rc = umem_tx_add_ptr(umm, &r->blob_seq[slot], sizeof(uint64_t));
		if (rc == 0)
			rc = umem_tx_add_ptr(umm, &r->blob_len[slot], sizeof(uint64_t));
		if (rc != 0)
			goto abort;
		if (!UMOFF_IS_NULL(r->blobs[slot])) {
			rc = umem_free(umm, r->blobs[slot]);
			if (rc != 0)
				goto abort;
		}
		off = umem_alloc(umm, len);
		if (UMOFF_IS_NULL(off))
			goto nospace;
		p = umem_off2ptr(umm, off);
		for (i = 0; i < len; i++)
			p[i] = blob_byte(seq, i);
		r->blobs[slot] = off;
		r->blob_seq[slot] = seq;
		r->blob_len[slot] = len;
		break;
	}
	default: /* rewrite the head node's value */
		if (UMOFF_IS_NULL(r->head))
			break;
		n = umem_off2ptr(umm, r->head);
		rc = umem_tx_add_ptr(umm, n, sizeof(*n));
		if (rc != 0)
			goto abort;
		r->sum = r->sum - n->val + seq;
		n->val = seq;
		n->check = node_check(seq);
		break;
	}
	r->seq = seq;
	*seqp = seq;
	return umem_tx_commit(umm);
nospace:
	rc = -DER_NOSPACE;
abort:
	return umem_tx_abort(umm, rc);
}

struct child_arg {
	struct umem_instance *umm;
	struct croot *r;
	int fd;
	unsigned int seed;
};

static void *
child_loop(void *arg)
{
	struct child_arg *ca = arg;
	uint64_t seq;
	int rc;

	while (true) {
		rc = one_tx(ca->umm, ca->r, &ca->seed, &seq);
		if (rc == -DER_NOSPACE)
			continue;
		if (rc != 0) {
			fprintf(stderr, "child: tx failed: %d\n", rc);
			_exit(4);
		}
		/* pipe writes of 8 bytes are atomic: threads may share the pipe */
		if (write(ca->fd, &seq, sizeof(seq)) != sizeof(seq))
			_exit(5);
	}
	return NULL;
}

static void
child(const char *path, int fd, unsigned int seed)
{
	struct umem_instance umm;
	struct umem_attr uma = {.uma_id = UMEM_CLASS_BMEM};
	struct umem_pool *pool;
	struct child_arg ca[16];
	pthread_t th;
	umem_off_t roff;
	int rc, i;

	rc = umem_pool_open(path, &child_attr, &pool);
	if (rc != 0) {
		fprintf(stderr, "child: open failed: %d\n", rc);
		_exit(2);
	}
	uma.uma_pool = pool;
	if (umem_class_init(&uma, &umm) != 0 ||
	    umem_pool_root(pool, sizeof(struct croot), &roff) != 0)
		_exit(3);
	for (i = 0; i < nthreads; i++) {
		ca[i] = (struct child_arg){.umm = &umm,
					   .r = umem_off2ptr(&umm, roff),
					   .fd = fd,
					   .seed = seed * 16 + i};
		if (i > 0 && pthread_create(&th, NULL, child_loop, &ca[i]) != 0)
			_exit(6);
	}
	child_loop(&ca[0]);
}

#define FAIL(...)                                            \
	do {                                                 \
		fprintf(stderr, "umem_crash: " __VA_ARGS__); \
		rc = -DER_MISC;                              \
		goto out;                                    \
	} while (0)

static int
verify(const char *path, uint64_t acked, bool close_ckpt, uint64_t *seq_out)
{
	struct umem_pool_attr attr = {.upa_flags = close_ckpt ? 0 : UMEM_POOL_NO_CLOSE_CKPT,
				      .upa_sync_ms = -1};
	struct umem_instance umm;
	struct umem_attr uma = {.uma_id = UMEM_CLASS_BMEM};
	struct umem_pool_stats st;
	struct umem_pool *pool;
	struct croot *r;
	umem_off_t roff, cur;
	uint64_t count = 0, sum = 0, blobs = 0, i, j;
	int rc;

	rc = umem_pool_open(path, &attr, &pool);
	if (rc != 0) {
		fprintf(stderr, "umem_crash: reopen failed: %d\n", rc);
		return rc;
	}
	uma.uma_pool = pool;
	umem_class_init(&uma, &umm);
	rc = umem_pool_root(pool, sizeof(*r), &roff);
	if (rc != 0)
		FAIL("no root: %d\n", rc);
	rc = umem_pool_check(pool, &st);
	if (rc != 0)
		FAIL("allocator check failed: %d\n", rc);
	r = umem_off2ptr(&umm, roff);
	/* each committer has at most one committed but unacknowledged transaction */
	if (child_attr.upa_sync_ms == 0 && r->seq < acked)
		FAIL("acknowledged tx %lu lost (heap at %lu)\n", acked, r->seq);
	if (child_attr.upa_sync_ms == 0 && r->seq > acked + nthreads)
		FAIL("heap at tx %lu but only %lu acknowledged\n", r->seq, acked);
	for (cur = r->head; !UMOFF_IS_NULL(cur);
	     cur = ((struct cnode *)umem_off2ptr(&umm, cur))->next) {
		struct cnode *n = umem_off2ptr(&umm, cur);

		if (++count > r->count || umem_usable_size(&umm, cur) < sizeof(*n))
			FAIL("list longer than its count or node not allocated\n");
		if (n->check != node_check(n->val) || n->val > r->seq)
			FAIL("node %lu half written\n", count);
		sum += n->val;
	}
	if (count != r->count || sum != r->sum)
		FAIL("count/sum %lu/%lu, list says %lu/%lu: partial tx\n", r->count, r->sum, count,
		     sum);
	for (i = 0; i < NR_BLOBS; i++) {
		unsigned char *p;

		if (UMOFF_IS_NULL(r->blobs[i]))
			continue;
		blobs++;
		if (umem_usable_size(&umm, r->blobs[i]) < r->blob_len[i])
			FAIL("blob %lu not allocated\n", i);
		p = umem_off2ptr(&umm, r->blobs[i]);
		for (j = 0; j < r->blob_len[i]; j++)
			if (p[j] != blob_byte(r->blob_seq[i], j))
				FAIL("blob %lu byte %lu wrong\n", i, j);
	}
	if (st.ups_nr_allocs != 1 + count + blobs)
		FAIL("%lu allocations, %lu reachable: leak or partial tx\n", st.ups_nr_allocs,
		     1 + count + blobs);
	*seq_out = r->seq;
out:
	umem_pool_close(pool);
	return rc;
}

static int
parse_opt(int opt, const char *arg, void *dirp)
{
	switch (opt) {
	case 'd':
		*(const char **)dirp = arg;
		return 0;
	case 't':
		nthreads = min(max(atoi(arg), 1), 16);
		return 0;
	case 'y':
		child_attr.upa_sync_ms = max(atoi(arg), 0);
		return 0;
	}
	return -1;
}

/* Parent state across rounds */
static char path[512];
static uint64_t acked, seq;

static void
run_child(int fd, int round, void *arg)
{
	const struct crash_opts *o = arg;

	child(path, fd, (unsigned int)o->seed + round + 1);
}

static void
on_ack(const void *ack, void *arg)
{
	acked = max(acked, *(const uint64_t *)ack);
}

static int
verify_round(int round, int delay_ms, uint64_t nacks, void *arg)
{
	const struct crash_opts *o = arg;
	int rc;

	acked = max(acked, seq); /* nothing new acknowledged: the old state must hold */
	rc = verify(path, acked, round % 3 == 0, &seq);
	if (o->verbose || rc != 0)
		printf("kill %d after %d ms: acked %lu, heap at %lu: %s\n", round, delay_ms, acked,
		       seq, rc ? "FAIL" : "ok");
	acked = 0;
	return rc;
}

int
main(int argc, char **argv)
{
	static const struct option extra[] = {{"dir", required_argument, NULL, 'd'},
					      {"threads", required_argument, NULL, 't'},
					      {"sync-ms", required_argument, NULL, 'y'},
					      {NULL, 0, NULL, 0}};
	struct crash_opts o = {.kills = 30,
			       .seed = (unsigned int)time(NULL),
			       .min_ms = 5,
			       .max_ms = 120,
			       .ack_size = sizeof(uint64_t)};
	char tmpl[64], *dir = NULL, wpath[600];
	struct umem_pool *pool;
	bool own_dir = false;
	int rc;

	if (getenv("UMEM_CRASH_KILLS") != NULL)
		o.kills = atoi(getenv("UMEM_CRASH_KILLS"));
	if (crash_parse(argc, argv, &o, extra, parse_opt, &dir,
			"[--dir DIR] [--threads T] [--sync-ms N]") != 0)
		return 2;
	if (dir == NULL) {
		crash_mkdtemp(NULL, "umem_crash", tmpl, sizeof(tmpl));
		dir = tmpl;
		own_dir = true;
	}
	snprintf(path, sizeof(path), "%s/heap", dir);
	snprintf(wpath, sizeof(wpath), "%s.wal", path);
	printf("umem_crash: %d kills, %d threads, sync %s, seed %u, heap %s\n", o.kills, nthreads,
	       child_attr.upa_sync_ms ? "relaxed" : "every", (unsigned int)o.seed, path);
	umem_pool_destroy(path);
	rc = umem_pool_create(path, 32 << 20, 0600, &child_attr, &pool);
	if (rc != 0) {
		fprintf(stderr, "create failed: %d\n", rc);
		return 1;
	}
	umem_pool_close(pool);

	rc = crash_run(&o, run_child, on_ack, verify_round, &o);
	if (rc != 0) {
		printf("umem_crash: FAILED (files kept in %s)\n", dir);
		return 1;
	}
	printf("umem_crash: %d kills survived, %lu transactions, %s\n", o.kills, seq,
	       child_attr.upa_sync_ms ? "no partial transaction" : "all acknowledged present");
	unlink(path);
	unlink(wpath);
	if (own_dir)
		rmdir(dir);
	return 0;
}
