/**
 * umem_perf: transactions/s for 64-byte updates with the log synced on every commit at several
 * concurrency levels (group commit), checkpoint bandwidth and recovery time.
 *
 *   umem_perf [--json] [--dir DIR] [--seconds S] [--threads 1,16,64] [--heap-mb N] [--ult]
 *             [--fill-log]
 *
 * --ult runs the committers as ULTs on one xstream (daos_ult), waiting for durability on
 * eventuals (ult_umem_wait_ops) instead of as one pthread each.
 */
#include <getopt.h>
#include <pthread.h>
#include <stdatomic.h>
#include <unistd.h>
#include <daos/mem.h>
#include <daos_srv/ult.h>

struct perf_arg {
	struct umem_instance *umm;
	char *obj;
	_Atomic bool *stop;
	uint64_t nr;
	int rc;
};

static double
now_sec(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void *
updater(void *arg)
{
	struct perf_arg *pa = arg;

	while (!*pa->stop) {
		pa->rc = umem_tx_begin(pa->umm, NULL);
		if (pa->rc == 0)
			pa->rc = umem_tx_add_ptr(pa->umm, pa->obj, 64);
		if (pa->rc != 0)
			break;
		memset(pa->obj, (int)pa->nr, 64);
		pa->rc = umem_tx_commit(pa->umm);
		if (pa->rc != 0)
			break;
		pa->nr++;
	}
	return NULL;
}

static void
updater_ult(void *arg)
{
	updater(arg);
}

static int
open_inst(struct umem_pool *pool, struct umem_instance *umm)
{
	struct umem_attr uma = {.uma_id = UMEM_CLASS_BMEM, .uma_pool = pool};

	return umem_class_init(&uma, umm);
}

/* Transactions/s with \a nthr committers, each updating its own 64-byte object. */
static int
bench_tx(const char *path, int nthr, bool ult, double secs, double *tps, double *per_sync)
{
	struct umem_pool_attr attr = {.upa_sync_ms = 0, .upa_wal_size = 64 << 20};
	struct umem_pool_stats st0, st1;
	struct umem_instance umm;
	struct umem_pool *pool;
	struct perf_arg *pa;
	pthread_t *th;
	struct ult **ut;
	_Atomic bool stop = false;
	uint64_t total = 0;
	double t0, t1;
	int i, rc;

	umem_pool_destroy(path);
	rc = umem_pool_create(path, 64 << 20, 0600, &attr, &pool);
	if (rc != 0)
		return rc;
	open_inst(pool, &umm);
	pa = calloc(nthr, sizeof(*pa));
	th = calloc(nthr, sizeof(*th));
	ut = calloc(nthr, sizeof(*ut));
	if (pa == NULL || th == NULL || ut == NULL) {
		rc = -DER_NOMEM;
		goto out;
	}
	for (i = 0; i < nthr; i++) {
		umem_off_t off = umem_zalloc(&umm, 64);

		if (UMOFF_IS_NULL(off)) {
			rc = -DER_NOSPACE;
			goto out;
		}
		pa[i] = (struct perf_arg){
			.umm = &umm, .obj = umem_off2ptr(&umm, off), .stop = &stop};
	}
	umem_pool_query(pool, &st0);
	t0 = now_sec();
	for (i = 0; i < nthr; i++) {
		if (ult)
			rc = ult_create(0, updater_ult, &pa[i], 0, &ut[i]);
		else
			rc = -pthread_create(&th[i], NULL, updater, &pa[i]);
		if (rc != 0) {
			fprintf(stderr, "cannot start committer %d: %d\n", i, rc);
			nthr = i;
			break;
		}
	}
	if (rc == 0)
		usleep((useconds_t)(secs * 1e6));
	stop = true;
	for (i = 0; i < nthr; i++) {
		if (ult)
			ult_join(ut[i]);
		else
			pthread_join(th[i], NULL);
		total += pa[i].nr;
		if (pa[i].rc != 0)
			rc = pa[i].rc;
	}
	t1 = now_sec();
	umem_pool_query(pool, &st1);
	*tps = total / (t1 - t0);
	*per_sync = st1.ups_wal_syncs > st0.ups_wal_syncs
			    ? (double)total / (st1.ups_wal_syncs - st0.ups_wal_syncs)
			    : 0;
out:
	free(pa);
	free(th);
	free(ut);
	umem_pool_close(pool);
	umem_pool_destroy(path);
	return rc;
}

/* Dirty every page of the heap, then time one checkpoint. */
static int
bench_ckpt(const char *path, uint64_t heap, double *mbps, double *mb)
{
	struct umem_pool_attr attr = {.upa_sync_ms = 0,
				      .upa_flags = UMEM_POOL_NO_BG_CKPT | UMEM_POOL_NO_CLOSE_CKPT,
				      .upa_wal_size = 4 * heap};
	struct umem_pool_stats st;
	struct umem_instance umm;
	struct umem_pool *pool;
	umem_off_t big;
	uint64_t usable, off;
	char *p;
	double t0;
	int rc, n = 0;

	umem_pool_destroy(path);
	rc = umem_pool_create(path, heap, 0600, &attr, &pool);
	if (rc != 0)
		return rc;
	open_inst(pool, &umm);
	/* one object covering most of the heap, written 64 bytes per page in a few txs */
	rc = umem_pool_checkpoint(pool);
	big = umem_alloc(&umm, 4 << 20);
	if (UMOFF_IS_NULL(big) || rc != 0)
		goto out;
	usable = umem_usable_size(&umm, big);
	p = umem_off2ptr(&umm, big);
	rc = umem_tx_begin(&umm, NULL);
	for (off = 0; rc == 0 && off < usable; off += 4096) {
		rc = umem_tx_add_ptr(&umm, p + off, 64);
		memset(p + off, 0x5a, 64);
		if (rc == 0 && ++n % 4096 == 0) {
			rc = umem_tx_commit(&umm);
			if (rc == 0)
				rc = umem_tx_begin(&umm, NULL);
		}
	}
	if (rc == 0)
		rc = umem_tx_commit(&umm);
	if (rc != 0)
		goto out;
	/* and lots of other pages through small allocations */
	for (n = 0; n < 16; n++) {
		umem_off_t o = umem_alloc(&umm, (heap / 32) & ~4095ULL);

		if (UMOFF_IS_NULL(o))
			break;
	}
	umem_pool_query(pool, &st);
	*mb = st.ups_dirty_pages * 4096.0 / (1 << 20);
	t0 = now_sec();
	rc = umem_pool_checkpoint(pool);
	*mbps = *mb / (now_sec() - t0);
out:
	umem_pool_close(pool);
	umem_pool_destroy(path);
	return rc;
}

/* Fill the log with \a log_mb of 4 KiB updates, close without checkpoint, time the open. */
static int
bench_recovery(const char *path, uint64_t heap, int log_mb, double *secs, double *replayed_mb,
	       uint64_t *txs, double *load_secs)
{
	struct umem_pool_attr attr = {.upa_sync_ms = 50,
				      .upa_flags = UMEM_POOL_NO_BG_CKPT | UMEM_POOL_NO_CLOSE_CKPT,
				      .upa_wal_size = (uint64_t)log_mb * 4 << 20};
	struct umem_pool_stats st;
	struct umem_instance umm;
	struct umem_pool *pool;
	umem_off_t obj;
	uint64_t i, n = (uint64_t)log_mb * 256;
	char *p;
	double t0;
	int rc;

	umem_pool_destroy(path);
	rc = umem_pool_create(path, heap, 0600, &attr, &pool);
	if (rc != 0)
		return rc;
	open_inst(pool, &umm);
	obj = umem_zalloc(&umm, 1 << 20);
	if (UMOFF_IS_NULL(obj)) {
		umem_pool_close(pool);
		return -DER_NOSPACE;
	}
	p = umem_off2ptr(&umm, obj);
	for (i = 0; rc == 0 && i < n; i++) {
		uint64_t off = (i * 4096) % (1 << 20);

		rc = umem_tx_begin(&umm, NULL);
		if (rc == 0)
			rc = umem_tx_add_ptr(&umm, p + off, 4096);
		if (rc == 0) {
			memset(p + off, (int)i, 4096);
			rc = umem_tx_commit(&umm);
		}
	}
	umem_pool_query(pool, &st);
	umem_pool_close(pool);
	if (rc != 0)
		return rc;
	t0 = now_sec();
	rc = umem_pool_open(path, &attr, &pool);
	if (rc != 0)
		return rc;
	*secs = now_sec() - t0;
	umem_pool_query(pool, &st);
	*txs = st.ups_replayed_txs;
	*replayed_mb = st.ups_wal_used / 1048576.0;
	rc = umem_pool_checkpoint(pool);
	umem_pool_close(pool);
	/* open with nothing to replay: image load + allocator walk */
	t0 = now_sec();
	rc = umem_pool_open(path, &attr, &pool);
	if (rc != 0)
		return rc;
	*load_secs = now_sec() - t0;
	umem_pool_close(pool);
	umem_pool_destroy(path);
	return rc;
}

struct full_res {
	double fill_mb, fill_secs, ckpt_mb, ckpt_mbps;
	double log_mb, log_size_mb, rec_secs, rec_ckpt_mb, rec_ckpt_mbps;
	uint64_t txs;
};

/*
 * --fill-log: fill most of the heap with 1 MiB objects and time the checkpoint of all those
 * pages; then fill the log (default size for the heap) up to the admission limit (half full)
 * with 4 KiB updates spread over every object page, close without checkpoint, time the open
 * (image load + replay + allocator walk) and the checkpoint of what the replay dirtied.
 */
static int
bench_full(const char *path, uint64_t heap, struct full_res *r)
{
	struct umem_pool_attr attr = {.upa_sync_ms = 20,
				      .upa_flags = UMEM_POOL_NO_BG_CKPT | UMEM_POOL_NO_CLOSE_CKPT};
	struct umem_pool_stats st;
	struct umem_instance umm;
	struct umem_pool *pool;
	umem_off_t *objs;
	uint64_t nobj, max_obj = heap / (1 << 20), i;
	double t0;
	int rc;

	umem_pool_destroy(path);
	rc = umem_pool_create(path, heap, 0600, &attr, &pool);
	if (rc != 0)
		return rc;
	open_inst(pool, &umm);
	objs = calloc(max_obj, sizeof(*objs));
	if (objs == NULL) {
		rc = -DER_NOMEM;
		goto out;
	}
	/* leave an eighth for metadata and slack */
	t0 = now_sec();
	for (nobj = 0; nobj < max_obj - max_obj / 8; nobj++) {
		objs[nobj] = umem_alloc(&umm, 1 << 20);
		if (UMOFF_IS_NULL(objs[nobj]))
			break;
		memset(umem_off2ptr(&umm, objs[nobj]), (int)nobj, 1 << 20);
	}
	r->fill_secs = now_sec() - t0;
	r->fill_mb = nobj;
	umem_pool_query(pool, &st);
	r->ckpt_mb = st.ups_dirty_pages * 4096.0 / (1 << 20);
	t0 = now_sec();
	rc = umem_pool_checkpoint(pool);
	r->ckpt_mbps = r->ckpt_mb / (now_sec() - t0);
	if (rc != 0 || nobj == 0)
		goto out;

	/* page i of the stream: object i % nobj, page (i / nobj) % 256 */
	umem_pool_query(pool, &st);
	for (i = 0; rc == 0; i++) {
		char *p = (char *)umem_off2ptr(&umm, objs[i % nobj]) + ((i / nobj) % 256) * 4096;

		/* stay below the admission limit: a begin past half full would checkpoint */
		if (i % 64 == 0) {
			umem_pool_query(pool, &st);
			if (st.ups_wal_used + 64 * 8192 > st.ups_wal_size / 2)
				break;
		}
		rc = umem_tx_begin(&umm, NULL);
		if (rc == 0)
			rc = umem_tx_add_ptr(&umm, p, 4096);
		if (rc == 0) {
			memset(p, (int)i, 4096);
			rc = umem_tx_commit(&umm);
		}
	}
	if (rc != 0)
		goto out;
	umem_pool_query(pool, &st);
	r->log_size_mb = st.ups_wal_size / 1048576.0;
	rc = umem_pool_close(pool);
	pool = NULL;
	if (rc != 0)
		goto out;
	t0 = now_sec();
	rc = umem_pool_open(path, &attr, &pool);
	if (rc != 0)
		goto out;
	r->rec_secs = now_sec() - t0;
	umem_pool_query(pool, &st);
	r->txs = st.ups_replayed_txs;
	r->log_mb = st.ups_wal_used / 1048576.0;
	r->rec_ckpt_mb = st.ups_dirty_pages * 4096.0 / (1 << 20);
	t0 = now_sec();
	rc = umem_pool_checkpoint(pool);
	r->rec_ckpt_mbps = r->rec_ckpt_mb / (now_sec() - t0);
out:
	free(objs);
	if (pool != NULL)
		umem_pool_close(pool);
	umem_pool_destroy(path);
	return rc;
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {{"json", no_argument, NULL, 'j'},
					     {"dir", required_argument, NULL, 'd'},
					     {"seconds", required_argument, NULL, 's'},
					     {"threads", required_argument, NULL, 't'},
					     {"heap-mb", required_argument, NULL, 'm'},
					     {"ult", no_argument, NULL, 'u'},
					     {"fill-log", no_argument, NULL, 'f'},
					     {NULL, 0, NULL, 0}};
	char tmpl[] = "/tmp/umem_perf.XXXXXX", path[512];
	char *dir = NULL, *tlist = "1,16,64", *tok, *save, *tl;
	bool json = false, own = false, ult = false, fill = false;
	struct full_res fr = {0};
	double secs = 2.0, tps[16], ps[16], ckpt_mbps = 0, ckpt_mb = 0, rec_s = 0, rec_mb = 0,
	       load_s = 0;
	int thr[16], nt = 0, i, c, rc = 0;
	uint64_t heap_mb = 256, rec_txs = 0;

	while ((c = getopt_long(argc, argv, "jd:s:t:m:uf", opts, NULL)) != -1) {
		switch (c) {
		case 'j':
			json = true;
			break;
		case 'd':
			dir = optarg;
			break;
		case 's':
			secs = atof(optarg);
			break;
		case 't':
			tlist = optarg;
			break;
		case 'm':
			heap_mb = strtoull(optarg, NULL, 0);
			break;
		case 'u':
			ult = true;
			break;
		case 'f':
			fill = true;
			break;
		default:
			fprintf(stderr,
				"usage: %s [--json] [--dir DIR] [--seconds S] "
				"[--threads 1,16,64] [--heap-mb N] [--ult] [--fill-log]\n",
				argv[0]);
			return 2;
		}
	}
	if (dir == NULL) {
		dir = mkdtemp(tmpl);
		if (dir == NULL)
			return 1;
		own = true;
	}
	snprintf(path, sizeof(path), "%s/heap", dir);
	if (ult) {
		struct ult_init_attr ua = {.uia_nr_xs = 1};

		rc = ult_init(&ua);
		if (rc != 0) {
			fprintf(stderr, "ult_init: %d\n", rc);
			return 1;
		}
		umem_set_wait_ops(ult_umem_wait_ops());
	}
	tl = strdup(tlist);
	for (tok = strtok_r(tl, ",", &save); tok && nt < 16; tok = strtok_r(NULL, ",", &save)) {
		thr[nt] = atoi(tok);
		if (thr[nt] <= 0 || thr[nt] > 1024)
			continue;
		rc = bench_tx(path, thr[nt], ult, secs, &tps[nt], &ps[nt]);
		if (rc != 0) {
			fprintf(stderr, "tx bench failed: %d\n", rc);
			break;
		}
		nt++;
	}
	free(tl);
	if (ult) {
		umem_set_wait_ops(NULL);
		ult_fini();
	}
	if (rc == 0 && fill)
		rc = bench_full(path, heap_mb << 20, &fr);
	if (rc == 0 && !fill)
		rc = bench_ckpt(path, heap_mb << 20, &ckpt_mbps, &ckpt_mb);
	if (rc == 0)
		rc = bench_recovery(path, heap_mb << 20, 32, &rec_s, &rec_mb, &rec_txs, &load_s);
	if (own)
		rmdir(dir);
	if (rc != 0) {
		fprintf(stderr, "umem_perf failed: %d\n", rc);
		return 1;
	}
	if (json) {
		printf("{\"sync\": \"every\", \"update_bytes\": 64, \"committers_are\": \"%s\", "
		       "\"tx\": [",
		       ult ? "ults_on_one_xstream" : "threads");
		for (i = 0; i < nt; i++)
			printf("%s{\"committers\": %d, \"tx_per_sec\": %.0f, \"tx_per_sync\": "
			       "%.1f}",
			       i ? ", " : "", thr[i], tps[i], ps[i]);
		printf("], \"checkpoint\": {\"mb\": %.1f, \"mb_per_sec\": %.1f}, "
		       "\"recovery\": {\"heap_mb\": %lu, \"log_mb\": %.1f, \"txs\": %lu, "
		       "\"seconds\": %.3f, \"load_only_seconds\": %.3f}",
		       ckpt_mb, ckpt_mbps, heap_mb, rec_mb, rec_txs, rec_s, load_s);
		if (fill)
			printf(", \"full\": {\"objects_mb\": %.0f, \"fill_seconds\": %.2f, "
			       "\"checkpoint_mb\": %.1f, \"checkpoint_mb_per_sec\": %.1f, "
			       "\"log_size_mb\": %.0f, \"log_mb\": %.1f, \"txs\": %lu, "
			       "\"recovery_seconds\": %.3f, \"post_recovery_checkpoint_mb\": %.1f, "
			       "\"post_recovery_checkpoint_mb_per_sec\": %.1f}",
			       fr.fill_mb, fr.fill_secs, fr.ckpt_mb, fr.ckpt_mbps, fr.log_size_mb,
			       fr.log_mb, fr.txs, fr.rec_secs, fr.rec_ckpt_mb, fr.rec_ckpt_mbps);
		printf("}\n");
		return 0;
	}
	printf("%-40s %14s %12s\n",
	       ult ? "umem (sync=every, 64 B, ULTs on 1 xs)" : "umem (sync=every, 64 B, threads)",
	       "tx/s", "tx/fdatasync");
	for (i = 0; i < nt; i++)
		printf("  %-38d %14.0f %12.1f\n", thr[i], tps[i], ps[i]);
	if (!fill)
		printf("%-40s %14.1f MB/s (%.1f MB dirty)\n", "checkpoint", ckpt_mbps, ckpt_mb);
	printf("%-40s %14.3f s (%lu tx, %.1f MB log, %lu MB heap)\n", "recovery (load + replay)",
	       rec_s, rec_txs, rec_mb, heap_mb);
	printf("%-40s %14.3f s\n", "open without replay (load + check)", load_s);
	if (!fill)
		return 0;
	printf("%-40s %14.1f MB/s (%.1f MB dirty, %.0f MB of objects in %.1f s)\n",
	       "full heap: checkpoint", fr.ckpt_mbps, fr.ckpt_mb, fr.fill_mb, fr.fill_secs);
	printf("%-40s %14.3f s (%lu tx, %.1f MB of a %.0f MB log, %lu MB heap)\n",
	       "full log: recovery (load+replay+check)", fr.rec_secs, fr.txs, fr.log_mb,
	       fr.log_size_mb, heap_mb);
	printf("%-40s %14.1f MB/s (%.1f MB dirty)\n", "full log: checkpoint after recovery",
	       fr.rec_ckpt_mbps, fr.rec_ckpt_mb);
	return 0;
}
