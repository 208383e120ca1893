/**
 * evt_perf: insert and find rates of the evtree on a umem heap.
 *
 *   evt_perf [--n N[,N...]] [--mode seq|rand|hot|both|all] [--order O] [--batch B] [--finds F]
 *            [--width W] [--dir DIR] [--vmem]
 *
 * seq: extent i is [i*W, i*W+W-1] at epoch i+1 (appends). rand: extent i starts anywhere in
 * [0, N*W/2) with a width of 1..2W at epoch i+1, so records overlap (about 2 deep on average).
 * hot: every extent is W wide and starts in [0, 4W) (one small region rewritten N times).
 * Inserts run B per transaction; finds select 8*W indexes at a random place at the newest
 * epoch (and at a middle epoch), so each returns several visible pieces.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <daos_srv/evtree.h>

static uint64_t rng = 88172645463325252ULL;

static uint64_t
rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

struct perf_args {
	unsigned int order;
	unsigned int batch;
	unsigned int finds;
	uint64_t width;
	bool vmem;
	const char *dir;
};

enum { M_SEQ, M_RAND, M_HOT };
static const char *mode_names[] = {"seq", "rand", "hot"};

static int
run(const struct perf_args *pa, uint64_t n, int mode)
{
	struct umem_pool *pool = NULL;
	struct umem_attr uma = {.uma_id = UMEM_CLASS_VMEM};
	struct umem_instance umm;
	struct evt_root vroot;
	struct evt_root *root = &vroot;
	struct evt_entry_array ea;
	struct evt_filter f;
	daos_handle_t toh;
	char dir[256];
	char path[300];
	char wal[310];
	uint64_t results = 0;
	uint64_t i;
	double t0, t_ins, t_find;
	int rc;

	memset(&vroot, 0, sizeof(vroot));
	if (!pa->vmem) {
		struct umem_pool_attr attr = {.upa_sync_ms = -1};
		umem_off_t roff;

		snprintf(dir, sizeof(dir), "%s/evt_perf.XXXXXX", pa->dir);
		if (mkdtemp(dir) == NULL) {
			perror("mkdtemp");
			return 1;
		}
		snprintf(path, sizeof(path), "%s/heap", dir);
		snprintf(wal, sizeof(wal), "%s/heap.wal", dir);
		/* about 200 bytes per record covers descriptors, nodes and slack */
		rc = umem_pool_create(path, 64 * 1024 * 1024 + n * 200, 0600, &attr, &pool);
		if (rc != 0) {
			fprintf(stderr, "umem_pool_create: %d\n", rc);
			rmdir(dir);
			return 1;
		}
		uma.uma_id = UMEM_CLASS_BMEM;
		uma.uma_pool = pool;
		umem_pool_root(pool, sizeof(*root), &roff);
		umem_class_init(&uma, &umm);
		root = umem_off2ptr(&umm, roff);
	} else {
		umem_class_init(&uma, &umm);
	}

	rc = evt_create(root, 0, pa->order, &uma, NULL, &toh);
	if (rc != 0) {
		fprintf(stderr, "evt_create: %d\n", rc);
		goto out;
	}
	t0 = now();
	for (i = 0; i < n && rc == 0; i += pa->batch) {
		uint64_t j;

		rc = umem_tx_begin(&umm, NULL);
		for (j = i; rc == 0 && j < i + pa->batch && j < n; j++) {
			struct evt_entry_in ei;

			memset(&ei, 0, sizeof(ei));
			if (mode == M_SEQ) {
				ei.ei_rect.rc_ex.ex_lo = j * pa->width;
				ei.ei_rect.rc_ex.ex_hi = j * pa->width + pa->width - 1;
			} else if (mode == M_RAND) {
				ei.ei_rect.rc_ex.ex_lo = rnd() % (n * pa->width / 2);
				ei.ei_rect.rc_ex.ex_hi =
					ei.ei_rect.rc_ex.ex_lo + rnd() % (2 * pa->width);
			} else {
				ei.ei_rect.rc_ex.ex_lo = rnd() % (4 * pa->width);
				ei.ei_rect.rc_ex.ex_hi = ei.ei_rect.rc_ex.ex_lo + pa->width - 1;
			}
			ei.ei_rect.rc_epc = j + 1;
			ei.ei_inob = 1;
			ei.ei_ver = 1;
			bio_addr_set(&ei.ei_addr, DAOS_MEDIA_NVME, j * 4096);
			rc = evt_insert(toh, &ei, NULL);
		}
		rc = umem_tx_end(&umm, rc);
	}
	t_ins = now() - t0;
	if (rc != 0) {
		fprintf(stderr, "insert failed: %d (depth %u)\n", rc, root->tr_depth);
		if (pool != NULL) {
			struct umem_pool_stats st;

			umem_pool_query(pool, &st);
			fprintf(stderr, "heap: used %" PRIu64 " of %" PRIu64 " bytes, %" PRIu64
					" objects, log %" PRIu64 "/%" PRIu64 "\n",
				st.ups_used, st.ups_total, st.ups_nr_allocs, st.ups_wal_used,
				st.ups_wal_size);
		}
		goto close;
	}

	evt_ent_array_init(&ea, 0);
	t0 = now();
	for (i = 0; i < pa->finds && rc == 0; i++) {
		uint64_t space = mode == M_SEQ    ? n * pa->width
				 : mode == M_RAND ? n * pa->width / 2
						  : 4 * pa->width;

		memset(&f, 0, sizeof(f));
		f.fr_ex.ex_lo = rnd() % space;
		f.fr_ex.ex_hi = f.fr_ex.ex_lo + 8 * pa->width - 1;
		f.fr_epr.epr_hi = (i & 1) ? n / 2 : DAOS_EPOCH_MAX;
		rc = evt_find(toh, &f, &ea);
		results += ea.ea_ent_nr;
	}
	t_find = now() - t0;
	evt_ent_array_fini(&ea);
	if (rc != 0) {
		fprintf(stderr, "find failed: %d\n", rc);
		goto close;
	}
	printf("%-4s n=%-8" PRIu64 " order=%-3u depth=%u  insert %9.0f/s (%.2f s)  "
	       "find %9.0f/s (%.1f pieces avg)\n",
	       mode_names[mode], n, pa->order, root->tr_depth, n / t_ins, t_ins, pa->finds / t_find,
	       (double)results / pa->finds);
close:
	if (pa->vmem)
		evt_destroy(toh);
	else
		evt_close(toh);
out:
	if (pool != NULL) {
		umem_pool_close(pool);
		unlink(path);
		unlink(wal);
		rmdir(dir);
	}
	return rc != 0;
}

int
main(int argc, char **argv)
{
	struct perf_args pa = {
		.order = 32, .batch = 1000, .finds = 200000, .width = 16, .dir = "/tmp"};
	const char *nlist = "100000,1000000";
	const char *mode = "both";
	static struct option opts[] = {{"n", required_argument, NULL, 'n'},
				       {"mode", required_argument, NULL, 'm'},
				       {"order", required_argument, NULL, 'o'},
				       {"batch", required_argument, NULL, 'b'},
				       {"finds", required_argument, NULL, 'f'},
				       {"width", required_argument, NULL, 'w'},
				       {"dir", required_argument, NULL, 'd'},
				       {"vmem", no_argument, NULL, 'v'},
				       {NULL, 0, NULL, 0}};
	char *list, *tok, *save;
	int c;
	int rc = 0;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'n':
			nlist = optarg;
			break;
		case 'm':
			mode = optarg;
			break;
		case 'o':
			pa.order = atoi(optarg);
			break;
		case 'b':
			pa.batch = atoi(optarg);
			break;
		case 'f':
			pa.finds = atoi(optarg);
			break;
		case 'w':
			pa.width = strtoull(optarg, NULL, 0);
			break;
		case 'd':
			pa.dir = optarg;
			break;
		case 'v':
			pa.vmem = true;
			break;
		default:
			fprintf(stderr,
				"usage: %s [--n N,...] [--mode seq|rand|hot|both|all] [--order O] "
				"[--batch B] [--finds F] [--width W] [--dir D] [--vmem]\n",
				argv[0]);
			return 2;
		}
	}
	if (pa.batch == 0 || pa.width == 0 || pa.finds == 0) {
		fprintf(stderr, "batch, width and finds must be > 0\n");
		return 2;
	}
	list = strdup(nlist);
	for (tok = strtok_r(list, ",", &save); tok != NULL; tok = strtok_r(NULL, ",", &save)) {
		uint64_t n = strtoull(tok, NULL, 0);

		bool all = strcmp(mode, "all") == 0;
		bool both = all || strcmp(mode, "both") == 0;

		if (both || strcmp(mode, "seq") == 0)
			rc |= run(&pa, n, M_SEQ);
		if (both || strcmp(mode, "rand") == 0)
			rc |= run(&pa, n, M_RAND);
		if (all || strcmp(mode, "hot") == 0)
			rc |= run(&pa, n, M_HOT);
	}
	free(list);
	return rc;
}
