/**
 * rdb_perf: commit rate of small rdb TXs (each durable before it returns).
 *
 *   rdb_perf [--dir DIR] [--seconds S] [--ults N] [--ops K] [--value-size B]
 *
 * Each TX updates K keys (default 1) of B bytes (default 64) in a GENERIC KVS and commits.
 * With --ults N (default 1), N ULTs on one xstream commit concurrently, as the pool and
 * container services of the engine's system xstream do; their fdatasyncs are shared. Also
 * prints the rate of lookups in one TX.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <daos/mem.h>
#include <daos_srv/rdb.h>
#include <daos_srv/ult.h>

#include "rdb_internal.h"

static struct rdb *db;
static rdb_path_t root;
static double seconds = 3;
static int nops = 1;
static int vsize = 64;

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

struct worker {
	int id;
	uint64_t ntx;
	int rc;
	double end;
};

static void
worker_run(void *arg)
{
	struct worker *w = arg;
	char key[32];
	char *val;
	uint64_t i;

	val = calloc(1, vsize);
	if (val == NULL) {
		w->rc = -DER_NOMEM;
		return;
	}
	memset(val, 'v', vsize);
	for (i = 0; now() < w->end; i++) {
		struct rdb_tx tx;
		int j;

		w->rc = rdb_tx_begin(db, RDB_NIL_TERM, &tx);
		if (w->rc != 0)
			break;
		for (j = 0; j < nops && w->rc == 0; j++) {
			d_iov_t k, v;

			snprintf(key, sizeof(key), "w%d-%d", w->id, (int)((i * nops + j) % 4096));
			d_iov_set(&k, key, strlen(key));
			d_iov_set(&v, val, vsize);
			w->rc = rdb_tx_update(&tx, &root, &k, &v);
		}
		if (w->rc == 0)
			w->rc = rdb_tx_commit(&tx);
		rdb_tx_end(&tx);
		if (w->rc != 0)
			break;
		w->ntx++;
	}
	free(val);
}

struct run {
	struct worker *ws;
	int n;
};

static void
driver(void *arg)
{
	struct run *r = arg;
	struct ult **u;
	int i;

	u = calloc(r->n, sizeof(*u));
	for (i = 0; i < r->n; i++)
		ult_create(ULT_XS_SELF, worker_run, &r->ws[i], 0, &u[i]);
	for (i = 0; i < r->n; i++)
		ult_join(u[i]);
	free(u);
}

static double
lookup_rate(void)
{
	struct rdb_tx tx;
	char key[32];
	double t0 = now(), t;
	uint64_t n = 0;

	if (rdb_tx_begin(db, RDB_NIL_TERM, &tx) != 0)
		return 0;
	do {
		for (int j = 0; j < 1000; j++, n++) {
			d_iov_t k, v;

			snprintf(key, sizeof(key), "w0-%d", (int)(n % 4096));
			d_iov_set(&k, key, strlen(key));
			d_iov_set(&v, NULL, 0);
			rdb_tx_lookup(&tx, &root, &k, &v);
		}
		t = now() - t0;
	} while (t < 1.0);
	rdb_tx_end(&tx);
	return n / t;
}

int
main(int argc, char **argv)
{
	static struct option opts[] = {{"dir", required_argument, NULL, 'd'},
				       {"seconds", required_argument, NULL, 's'},
				       {"ults", required_argument, NULL, 'u'},
				       {"ops", required_argument, NULL, 'o'},
				       {"value-size", required_argument, NULL, 'b'},
				       {NULL, 0, NULL, 0}};
	struct rdb_create_params params = {.rcp_size = 256 << 20};
	rdb_replica_id_t self = {0, 1};
	struct ult_init_attr uattr = {.uia_nr_xs = 1};
	struct rdb_kvs_attr attr = {.dsa_class = RDB_KVS_GENERIC};
	struct umem_pool_stats st0 = {0}, st1 = {0};
	struct rdb_storage *storage;
	struct worker *ws;
	struct run r;
	struct rdb_tx tx;
	const char *base = "/tmp";
	char dir[256], path[300];
	uuid_t uuid;
	int nults = 1, c, i, rc;
	uint64_t total = 0;
	double t0, el;
	struct ult *u;

	while ((c = getopt_long(argc, argv, "d:s:u:o:b:", opts, NULL)) != -1) {
		switch (c) {
		case 'd':
			base = optarg;
			break;
		case 's':
			seconds = atof(optarg);
			break;
		case 'u':
			nults = atoi(optarg);
			break;
		case 'o':
			nops = atoi(optarg);
			break;
		case 'b':
			vsize = atoi(optarg);
			break;
		default:
			fprintf(stderr, "usage: rdb_perf [--dir DIR] [--seconds S] [--ults N] "
					"[--ops K] [--value-size B]\n");
			return 2;
		}
	}
	if (nults < 1 || nops < 1 || vsize < 1 || vsize > RDB_VALUE_MAX || seconds <= 0) {
		fprintf(stderr, "rdb_perf: bad arguments\n");
		return 2;
	}
	snprintf(dir, sizeof(dir), "%s/rdb_perf.XXXXXX", base);
	if (mkdtemp(dir) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	snprintf(path, sizeof(path), "%s/rdb", dir);
	uuid_generate(uuid);
	params.rcp_id = self;
	params.rcp_replicas = &self;
	params.rcp_replicas_len = 1;
	rc = rdb_create(path, uuid, 1, &params, NULL, NULL, &storage);
	if (rc == 0)
		rc = rdb_start(storage, &db);
	if (rc != 0) {
		fprintf(stderr, "rdb_perf: cannot create the database: %d\n", rc);
		rmdir(dir);
		return 1;
	}
	rdb_path_init(&root);
	rdb_path_push(&root, &rdb_path_root_key);
	rdb_tx_begin(db, RDB_NIL_TERM, &tx);
	rdb_tx_create_root(&tx, &attr);
	rc = rdb_tx_commit(&tx);
	rdb_tx_end(&tx);

	ws = calloc(nults, sizeof(*ws));
	t0 = now();
	for (i = 0; i < nults; i++) {
		ws[i].id = i;
		ws[i].end = t0 + seconds;
	}
	umem_pool_query(db->d_pool, &st0);
	if (nults == 1) {
		worker_run(&ws[0]);
	} else {
		r.ws = ws;
		r.n = nults;
		ult_init(&uattr);
		umem_set_wait_ops(ult_umem_wait_ops());
		ult_create(0, driver, &r, 0, &u);
		ult_join(u);
		umem_set_wait_ops(NULL);
		ult_fini();
	}
	el = now() - t0;
	for (i = 0; i < nults; i++) {
		if (ws[i].rc != 0 && rc == 0)
			rc = ws[i].rc;
		total += ws[i].ntx;
	}
	umem_pool_query(db->d_pool, &st1);
	printf("rdb_perf: %d ULT(s), %d update(s) of %d B per TX: %lu TXs in %.2f s = %.0f "
	       "commits/s (%.1f us each)\n",
	       nults, nops, vsize, (unsigned long)total, el, total / el,
	       total ? el * 1e6 / total * nults : 0.0);
	printf("rdb_perf: %.2f commits per log fdatasync\n",
	       (double)total / max(st1.ups_wal_syncs - st0.ups_wal_syncs, (uint64_t)1));
	printf("rdb_perf: lookups in one TX: %.0f /s\n", lookup_rate());
	if (rc != 0)
		fprintf(stderr, "rdb_perf: error %d\n", rc);
	free(ws);
	rdb_path_fini(&root);
	rdb_stop_and_close(db);
	rdb_destroy(path, uuid);
	rmdir(dir);
	return rc == 0 ? 0 : 1;
}
