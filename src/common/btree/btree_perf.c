/**
 * btree_perf: insert / lookup / iterate / delete rates of dbtree for uint64 keys (class IV) and
 * 16-byte hashed keys (class KV), in a DRAM-only instance (VMEM) or in a umem heap file (one
 * transaction per operation; set DAOS_WAL_SYNC to choose the commit policy).
 *
 *   btree_perf [--n N] [--order O] [--heap dram|DIR] [--size MiB] [--class iv|kv|all]
 *
 * With --heap DIR a heap is created in a mkdtemp directory under DIR (e.g. /dev/shm) and
 * removed at exit.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <daos/btree.h>

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec * 1e-9;
}

#define DIE(...)                                             \
	do {                                                 \
		fprintf(stderr, "btree_perf: " __VA_ARGS__); \
		fprintf(stderr, "\n");                       \
		exit(1);                                     \
	} while (0)

struct keyset {
	unsigned int cls;
	uint64_t *u;
	char (*s)[16];
};

static d_iov_t *
key_of(struct keyset *ks, uint64_t i, d_iov_t *iov)
{
	if (ks->cls == DBTREE_CLASS_IV)
		d_iov_set(iov, &ks->u[i], sizeof(uint64_t));
	else
		d_iov_set(iov, ks->s[i], 16);
	return iov;
}

static uint64_t
mix(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	x *= 0xc4ceb9fe1a85ec53ULL;
	return x ^ (x >> 33);
}

static int
count_cb(daos_handle_t ih, d_iov_t *key, d_iov_t *val, void *arg)
{
	(*(uint64_t *)arg) += val->iov_len;
	return 0;
}

static void
run(unsigned int cls, uint64_t n, unsigned int order, const char *heap, size_t size_mb)
{
	char dir[256] = "", path[300] = "";
	struct umem_pool *pool = NULL;
	struct umem_attr uma = {.uma_id = UMEM_CLASS_VMEM};
	struct umem_instance umm;
	struct btr_root vroot, *root = &vroot;
	struct keyset ks = {.cls = cls};
	uint64_t *perm, i, sum = 0;
	daos_handle_t toh;
	double t0, t_ins, t_look, t_iter, t_del;
	int rc;

	memset(&vroot, 0, sizeof(vroot));
	if (strcmp(heap, "dram") != 0) {
		struct umem_pool_attr attr = {.upa_sync_ms = -1};
		umem_off_t off;

		snprintf(dir, sizeof(dir), "%s/btree_perf.XXXXXX", heap);
		if (mkdtemp(dir) == NULL)
			DIE("mkdtemp in %s failed", heap);
		snprintf(path, sizeof(path), "%s/heap", dir);
		rc = umem_pool_create(path, size_mb << 20, 0600, &attr, &pool);
		if (rc != 0)
			DIE("heap create: %d", rc);
		uma.uma_id = UMEM_CLASS_BMEM;
		uma.uma_pool = pool;
		umem_class_init(&uma, &umm);
		if (umem_pool_root(pool, sizeof(struct btr_root), &off) != 0)
			DIE("heap root");
		root = umem_off2ptr(&umm, off);
	}

	perm = malloc(n * sizeof(*perm));
	if (cls == DBTREE_CLASS_IV)
		ks.u = malloc(n * sizeof(uint64_t));
	else
		ks.s = malloc(n * 16);
	if (perm == NULL || (ks.u == NULL && ks.s == NULL))
		DIE("out of memory");
	for (i = 0; i < n; i++) {
		perm[i] = i;
		if (ks.u != NULL)
			ks.u[i] = mix(i);
		else {
			/* 16 binary bytes; mix() is a bijection, so keys are unique */
			uint64_t w[2] = {mix(i), mix(i + n)};

			memcpy(ks.s[i], w, 16);
		}
	}
	/* random order for the lookups */
	for (i = n - 1; i > 0; i--) {
		uint64_t j = mix(i + 7) % (i + 1), t = perm[i];

		perm[i] = perm[j];
		perm[j] = t;
	}

	rc = dbtree_create_inplace(cls, 0, order, &uma, root, &toh);
	if (rc != 0)
		DIE("create: %d", rc);
	t0 = now();
	for (i = 0; i < n; i++) {
		d_iov_t key, val;

		d_iov_set(&val, &i, sizeof(i));
		rc = dbtree_update(toh, key_of(&ks, i, &key), &val);
		if (rc != 0)
			DIE("update %llu: %d", (unsigned long long)i, rc);
	}
	t_ins = now() - t0;

	t0 = now();
	for (i = 0; i < n; i++) {
		d_iov_t key, val;

		d_iov_set(&val, NULL, 0);
		rc = dbtree_lookup(toh, key_of(&ks, perm[i], &key), &val);
		if (rc != 0 || *(uint64_t *)val.iov_buf != perm[i])
			DIE("lookup %llu: %d", (unsigned long long)perm[i], rc);
	}
	t_look = now() - t0;

	t0 = now();
	rc = dbtree_iterate(toh, DAOS_INTENT_DEFAULT, false, count_cb, &sum);
	if (rc != 0 || sum != n * sizeof(uint64_t))
		DIE("iterate: %d", rc);
	t_iter = now() - t0;

	t0 = now();
	for (i = 0; i < n; i++) {
		d_iov_t key;

		rc = dbtree_delete(toh, BTR_PROBE_EQ, key_of(&ks, perm[i], &key), NULL);
		if (rc != 0)
			DIE("delete %llu: %d", (unsigned long long)perm[i], rc);
	}
	t_del = now() - t0;

	printf("| %-14s | %-5s | %5u | %9llu | %12.0f | %12.0f | %12.0f | %12.0f |\n",
	       cls == DBTREE_CLASS_IV ? "uint64 (IV)" : "16 B hash (KV)", pool ? "heap" : "dram",
	       order, (unsigned long long)n, n / t_ins, n / t_look, n / t_iter, n / t_del);
	fflush(stdout);

	dbtree_destroy(toh, NULL);
	free(perm);
	free(ks.u);
	free(ks.s);
	if (pool != NULL) {
		char wal[320];

		umem_pool_close(pool);
		snprintf(wal, sizeof(wal), "%s.wal", path);
		unlink(path);
		unlink(wal);
		rmdir(dir);
	}
}

int
main(int argc, char **argv)
{
	static struct option opts[] = {
		{"n", required_argument, NULL, 'n'},     {"order", required_argument, NULL, 'o'},
		{"heap", required_argument, NULL, 'h'},  {"size", required_argument, NULL, 's'},
		{"class", required_argument, NULL, 'c'}, {NULL, 0, NULL, 0}};
	uint64_t n = 1000000;
	unsigned int order = 32;
	const char *heap = "dram", *cls = "all";
	size_t size = 1024;
	int c;

	while ((c = getopt_long(argc, argv, "n:o:h:s:c:", opts, NULL)) != -1) {
		switch (c) {
		case 'n':
			n = strtoull(optarg, NULL, 0);
			break;
		case 'o':
			order = atoi(optarg);
			break;
		case 'h':
			heap = optarg;
			break;
		case 's':
			size = strtoull(optarg, NULL, 0);
			break;
		case 'c':
			cls = optarg;
			break;
		default:
			fprintf(stderr,
				"usage: %s [--n N] [--order O] [--heap dram|DIR] [--size MiB] "
				"[--class iv|kv|all]\n",
				argv[0]);
			return 2;
		}
	}
	if (n == 0)
		DIE("--n must be > 0");
	printf("| keys           | where | order |   records |   insert/s   |   lookup/s   | "
	       "iterate rec/s |   delete/s   |\n");
	printf("|---|---|---|---|---|---|---|---|\n");
	if (strcmp(cls, "kv") != 0)
		run(DBTREE_CLASS_IV, n, order, heap, size);
	if (strcmp(cls, "iv") != 0)
		run(DBTREE_CLASS_KV, n, order, heap, size);
	return 0;
}
