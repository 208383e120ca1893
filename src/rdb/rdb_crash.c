/**
 * rdb_crash: SIGKILL a process committing rdb TXs, reopen, check that every acknowledged TX is
 * fully there and that no TX is partly there.
 *
 * TX i (i = 1, 2, ...) of the child:
 *   - root "last" = i; KVS "a" key i = v(i); KVS "b" key i = v(i)   (INTEGER KVSs)
 *   - if i % 5 == 0: creates KVS "c"/i with three values
 *   - if i % 10 == 0: destroys KVS "c"/(i - 5) (recursively)
 *   - if i % 3 == 0: deletes key i - 2 from "a" and "b"
 * and writes i to a pipe once rdb_tx_commit() returned 0. The parent kills it at a random
 * moment, reopens the database and checks, with L = "last": L >= the last acknowledged i, every
 * key and KVS is exactly what TXs 1..L make, and nothing of TX L + 1 is visible. The next
 * child continues on the same database from L + 1.
 *
 *   rdb_crash [--kills N] [--seed S] [--min-ms A] [--max-ms B] [--verbose]
 */
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/wait.h>

#include <daos_srv/rdb.h>

static char dir[64], path[128];
static uuid_t uuid;
static int verbose;
static rdb_path_t root, pa, pb, pc;

#define CHECK(cond, ...)                                                                  \
	do {                                                                              \
		if (!(cond)) {                                                            \
			fprintf(stderr, "rdb_crash: FAILED %s:%d: ", __FILE__, __LINE__); \
			fprintf(stderr, __VA_ARGS__);                                     \
			fprintf(stderr, "\n");                                            \
			exit(1);                                                          \
		}                                                                         \
	} while (0)

static void
mkpath(rdb_path_t *p, const char *name)
{
	d_iov_t k;

	CHECK(rdb_path_init(p) == 0, "path");
	CHECK(rdb_path_push(p, &rdb_path_root_key) == 0, "path");
	if (name != NULL) {
		d_iov_set(&k, (void *)name, strlen(name));
		CHECK(rdb_path_push(p, &k) == 0, "path");
	}
}

static uint64_t
val_of(uint64_t i)
{
	return i * 0x9e3779b97f4a7c15ULL + 1;
}

static int
setup_db(struct rdb *db)
{
	struct rdb_kvs_attr g = {.dsa_class = RDB_KVS_GENERIC};
	struct rdb_kvs_attr n = {.dsa_class = RDB_KVS_INTEGER};
	struct rdb_tx tx;
	d_iov_t k;
	int rc;

	rc = rdb_tx_begin(db, RDB_NIL_TERM, &tx);
	if (rc != 0)
		return rc;
	rdb_tx_create_root(&tx, &g);
	d_iov_set(&k, "a", 1);
	rdb_tx_create_kvs(&tx, &root, &k, &n);
	d_iov_set(&k, "b", 1);
	rdb_tx_create_kvs(&tx, &root, &k, &n);
	d_iov_set(&k, "c", 1);
	rdb_tx_create_kvs(&tx, &root, &k, &n);
	rc = rdb_tx_commit(&tx);
	rdb_tx_end(&tx);
	return rc;
}

static int
do_tx(struct rdb *db, uint64_t i)
{
	struct rdb_kvs_attr g = {.dsa_class = RDB_KVS_LEXICAL};
	struct rdb_tx tx;
	d_iov_t k, v;
	uint64_t x = val_of(i), key, j;
	int rc;

	rc = rdb_tx_begin(db, RDB_NIL_TERM, &tx);
	if (rc != 0)
		return rc;
	d_iov_set(&k, "last", 4);
	d_iov_set(&v, &i, sizeof(i));
	rc = rdb_tx_update(&tx, &root, &k, &v);
	key = i;
	d_iov_set(&k, &key, sizeof(key));
	d_iov_set(&v, &x, sizeof(x));
	rc = rc ?: rdb_tx_update(&tx, &pa, &k, &v);
	rc = rc ?: rdb_tx_update(&tx, &pb, &k, &v);
	if (rc == 0 && i % 5 == 0) {
		rdb_path_t sub;

		rc = rdb_tx_create_kvs(&tx, &pc, &k, &g);
		CHECK(rdb_path_clone(&pc, &sub) == 0, "clone");
		CHECK(rdb_path_push(&sub, &k) == 0, "push");
		for (j = 0; j < 3 && rc == 0; j++) {
			char name[8] = {'n', (char)('0' + j)};

			d_iov_set(&k, name, 2);
			rc = rdb_tx_update(&tx, &sub, &k, &v);
		}
		rdb_path_fini(&sub);
	}
	if (rc == 0 && i % 10 == 0) {
		key = i - 5;
		d_iov_set(&k, &key, sizeof(key));
		rc = rdb_tx_destroy_kvs(&tx, &pc, &k);
	}
	if (rc == 0 && i % 3 == 0 && i > 2) {
		key = i - 2;
		d_iov_set(&k, &key, sizeof(key));
		rc = rdb_tx_delete(&tx, &pa, &k);
		rc = rc ?: rdb_tx_delete(&tx, &pb, &k);
	}
	rc = rc ?: rdb_tx_commit(&tx);
	rdb_tx_end(&tx);
	return rc;
}

static int
lookup_u64(struct rdb_tx *tx, rdb_path_t *p, uint64_t key, uint64_t *val)
{
	d_iov_t k, v;

	d_iov_set(&k, &key, sizeof(key));
	d_iov_set(&v, val, sizeof(*val));
	return rdb_tx_lookup(tx, p, &k, &v);
}

static bool
deleted_by(uint64_t j, uint64_t last)
{
	/* key j is deleted by TX j + 2 when that is a multiple of 3 */
	return (j + 2) % 3 == 0 && j + 2 <= last && j + 2 > 2;
}

/* Check the database against TXs 1..last; returns last. */
static uint64_t
verify(struct rdb_storage *st, uint64_t acked)
{
	struct rdb_tx tx;
	d_iov_t k, v;
	uint64_t last = 0, j, x;
	int rc;

	CHECK(rdb_tx_begin_local(st, &tx) == 0, "begin_local");
	d_iov_set(&k, "last", 4);
	d_iov_set(&v, &last, sizeof(last));
	rc = rdb_tx_lookup(&tx, &root, &k, &v);
	CHECK(rc == 0 || (rc == -DER_NONEXIST && acked == 0), "last: %d", rc);
	CHECK(last >= acked, "TX %lu acknowledged, database at %lu", (unsigned long)acked,
	      (unsigned long)last);
	for (j = 1; j <= last + 1; j++) {
		bool want = j <= last && !deleted_by(j, last);

		for (int w = 0; w < 2; w++) {
			x = 0;
			rc = lookup_u64(&tx, w ? &pb : &pa, j, &x);
			CHECK(want ? (rc == 0 && x == val_of(j)) : rc == -DER_NONEXIST,
			      "key %lu of %c at last=%lu: rc=%d", (unsigned long)j, w ? 'b' : 'a',
			      (unsigned long)last, rc);
		}
		if (j % 5 == 0) {
			bool kvs = j <= last && !(j + 5 <= last && (j + 5) % 10 == 0);
			rdb_path_t sub;
			char name[8] = {'n', '2'};
			uint64_t key = j;

			CHECK(rdb_path_clone(&pc, &sub) == 0, "clone");
			d_iov_set(&k, &key, sizeof(key));
			CHECK(rdb_path_push(&sub, &k) == 0, "push");
			d_iov_set(&k, name, 2);
			d_iov_set(&v, &x, sizeof(x));
			rc = rdb_tx_lookup(&tx, &sub, &k, &v);
			CHECK(kvs ? (rc == 0 && x == val_of(j)) : rc == -DER_NONEXIST,
			      "KVS c/%lu at last=%lu: rc=%d", (unsigned long)j, (unsigned long)last,
			      rc);
			rdb_path_fini(&sub);
		}
	}
	rdb_tx_end(&tx);
	return last;
}

static struct rdb_storage *
open_db(void)
{
	struct rdb_storage *st;
	int rc;

	rc = rdb_open(path, uuid, RDB_NIL_TERM, NULL, NULL, &st);
	CHECK(rc == 0, "rdb_open: %d", rc);
	return st;
}

static void
child(int fd, uint64_t from)
{
	struct rdb_storage *st = open_db();
	struct rdb *db;
	uint64_t i;

	CHECK(rdb_start(st, &db) == 0, "start");
	CHECK(rdb_is_leader(db, NULL), "leader");
	for (i = from;; i++) {
		int rc = do_tx(db, i);

		CHECK(rc == 0, "TX %lu: %d", (unsigned long)i, rc);
		if (write(fd, &i, sizeof(i)) != sizeof(i))
			_exit(1);
	}
}

int
main(int argc, char **argv)
{
	static struct option opts[] = {
		{"kills", required_argument, NULL, 'k'},  {"seed", required_argument, NULL, 's'},
		{"min-ms", required_argument, NULL, 'a'}, {"max-ms", required_argument, NULL, 'b'},
		{"verbose", no_argument, NULL, 'v'},      {NULL, 0, NULL, 0}};
	struct rdb_create_params params = {.rcp_size = 32 << 20};
	rdb_replica_id_t self = {0, 1};
	struct rdb_storage *st;
	struct rdb *db;
	unsigned int seed = time(NULL);
	int kills = 30, min_ms = 5, max_ms = 120;
	uint64_t last = 0, total = 0;
	int c, n;

	while ((c = getopt_long(argc, argv, "k:s:a:b:v", opts, NULL)) != -1) {
		switch (c) {
		case 'k':
			kills = atoi(optarg);
			break;
		case 's':
			seed = strtoul(optarg, NULL, 0);
			break;
		case 'a':
			min_ms = atoi(optarg);
			break;
		case 'b':
			max_ms = atoi(optarg);
			break;
		case 'v':
			verbose = 1;
			break;
		default:
			fprintf(stderr, "usage: rdb_crash [--kills N] [--seed S] [--min-ms A] "
					"[--max-ms B] [--verbose]\n");
			return 2;
		}
	}
	if (max_ms < min_ms)
		max_ms = min_ms;
	srandom(seed);
	printf("rdb_crash: %d kills, seed %u\n", kills, seed);

	strcpy(dir, "/tmp/rdb_crash.XXXXXX");
	CHECK(mkdtemp(dir) != NULL, "mkdtemp");
	snprintf(path, sizeof(path), "%s/rdb", dir);
	uuid_generate(uuid);
	mkpath(&root, NULL);
	mkpath(&pa, "a");
	mkpath(&pb, "b");
	mkpath(&pc, "c");

	params.rcp_id = self;
	params.rcp_replicas = &self;
	params.rcp_replicas_len = 1;
	CHECK(rdb_create(path, uuid, 1, &params, NULL, NULL, &st) == 0, "create");
	CHECK(rdb_start(st, &db) == 0, "start");
	CHECK(setup_db(db) == 0, "setup");
	rdb_stop_and_close(db);

	for (n = 0; n < kills; n++) {
		uint64_t acked = last, i;
		int pfd[2], status, delay;
		pid_t pid;
		struct timespec t0, t1;

		CHECK(pipe(pfd) == 0, "pipe");
		pid = fork();
		CHECK(pid >= 0, "fork");
		if (pid == 0) {
			close(pfd[0]);
			child(pfd[1], last + 1);
			_exit(0);
		}
		close(pfd[1]);
		delay = min_ms + random() % (max_ms - min_ms + 1);
		clock_gettime(CLOCK_MONOTONIC, &t0);
		for (;;) {
			struct pollfd pf = {.fd = pfd[0], .events = POLLIN};
			long el;

			clock_gettime(CLOCK_MONOTONIC, &t1);
			el = (t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000;
			if (el >= delay)
				break;
			if (poll(&pf, 1, delay - el) <= 0)
				continue;
			if (read(pfd[0], &i, sizeof(i)) != sizeof(i))
				break; /* child died on its own: its exit status says why */
			acked = i;
		}
		kill(pid, SIGKILL);
		/* acknowledgements already in the pipe count too */
		while (read(pfd[0], &i, sizeof(i)) == sizeof(i))
			acked = i;
		close(pfd[0]);
		CHECK(waitpid(pid, &status, 0) == pid, "waitpid");
		CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL,
		      "child exited on its own (status %d)", status);

		st = open_db();
		i = verify(st, acked);
		rdb_close(st);
		if (verbose)
			printf("kill %d after %d ms: acked %lu, database at %lu\n", n, delay,
			       (unsigned long)acked, (unsigned long)i);
		total += i - last;
		last = i;
	}
	printf("rdb_crash: OK, %d kills, %lu TXs committed, last %lu\n", kills,
	       (unsigned long)total, (unsigned long)last);
	rdb_destroy(path, uuid);
	rmdir(dir);
	rdb_path_fini(&root);
	rdb_path_fini(&pa);
	rdb_path_fini(&pb);
	rdb_path_fini(&pc);
	return 0;
}
