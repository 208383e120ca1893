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
 *   btree_crash [--kills N] [--seed S] [--max-ms M] [--verbose]
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/wait.h>

#include <daos/btree.h>

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
static int verbose;

#define CHECK(cond, ...)                                                   \
	do {                                                               \
		if (!(cond)) {                                             \
			fprintf(stderr, "btree_crash: " __VA_ARGS__);      \
			fprintf(stderr, " (%s:%d)\n", __FILE__, __LINE__); \
			exit(1);                                           \
		}                                                          \
	} while (0)

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

int
main(int argc, char **argv)
{
	static struct option opts[] = {{"kills", required_argument, NULL, 'k'},
				       {"seed", required_argument, NULL, 's'},
				       {"max-ms", required_argument, NULL, 'm'},
				       {"verbose", no_argument, NULL, 'v'},
				       {NULL, 0, NULL, 0}};
	char dir[64] = "/tmp/btree_crash.XXXXXX", wal[300];
	unsigned int seed = (unsigned int)time(NULL);
	int kills = 20, max_ms = 30, c, k;
	uint64_t seq = 1, acked = 0;
	struct umem_pool *pool;
	daos_handle_t toh;
	struct umem_attr uma;

	while ((c = getopt_long(argc, argv, "k:s:m:v", opts, NULL)) != -1) {
		switch (c) {
		case 'k':
			kills = atoi(optarg);
			break;
		case 's':
			seed = strtoul(optarg, NULL, 0);
			break;
		case 'm':
			max_ms = atoi(optarg);
			break;
		case 'v':
			verbose = 1;
			break;
		default:
			fprintf(stderr,
				"usage: %s [--kills N] [--seed S] [--max-ms M] [--verbose]\n",
				argv[0]);
			return 2;
		}
	}
	printf("btree_crash: seed %u, %d kills\n", seed, kills);
	CHECK(mkdtemp(dir) != NULL, "mkdtemp");
	snprintf(heap_path, sizeof(heap_path), "%s/heap", dir);
	snprintf(wal, sizeof(wal), "%s.wal", heap_path);
	CHECK(umem_pool_create(heap_path, HEAP_SZ, 0600, &pool_attr, &pool) == 0, "create");
	CHECK(umem_pool_close(pool) == 0, "close");
	CHECK(open_tree(&pool, &uma, &toh, true) == 0, "tree create");
	CHECK(dbtree_close(toh) == 0 && umem_pool_close(pool) == 0, "close");

	for (k = 0; k < kills; k++) {
		struct msg pending = {0}, m;
		bool have_pending = false;
		int fds[2], status;
		pid_t pid;
		ssize_t r;

		CHECK(pipe(fds) == 0, "pipe");
		pid = fork();
		CHECK(pid >= 0, "fork");
		if (pid == 0) {
			close(fds[0]);
			child(fds[1], seed + k, seq);
		}
		close(fds[1]);
		/* wait until the child runs, then let it work for a random while */
		r = read(fds[0], &m, sizeof(m));
		CHECK(r == sizeof(m) && m.type == 0, "child did not start");
		usleep(rand_r(&seed) % (1000 * max_ms));
		kill(pid, SIGKILL);
		CHECK(waitpid(pid, &status, 0) == pid, "waitpid");
		CHECK(WIFSIGNALED(status), "child exited with %d", WEXITSTATUS(status));
		while ((r = read(fds[0], &m, sizeof(m))) == sizeof(m)) {
			if (m.type == 1) {
				pending = m;
				have_pending = true;
			} else {
				CHECK(have_pending && m.seq == pending.seq, "ack out of order");
				model[m.key] = m.del ? 0 : m.seq;
				have_pending = false;
				acked++;
			}
			seq = m.seq + 1;
		}
		close(fds[0]);
		verify(have_pending ? &pending : NULL);
		if (verbose)
			printf("kill %d: %llu ops acknowledged\n", k, (unsigned long long)acked);
	}
	printf("btree_crash: %d kills, %llu acknowledged operations verified\n", kills,
	       (unsigned long long)acked);
	umem_pool_destroy(heap_path);
	unlink(wal);
	rmdir(dir);
	return 0;
}
