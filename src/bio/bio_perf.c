/**
 * bio_perf: throughput of blob I/O through the ring at a fixed queue depth, next to fio on the
 * same file when fio is installed.
 *
 *   bio_perf [--dir DIR] [--size MiB] [--qd N] [--time SEC] [--buffered] [--sync] [--no-fio]
 *            [--json]
 *   bio_perf --vea N [--json]     (vea operation rates instead of I/O)
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <daos_errno.h>
#include <daos/mem.h>
#include <daos_srv/bio.h>

struct job {
	const char *name;
	enum bio_op op;
	size_t bs;
	bool random;
	const char *fio_rw;
};

static const struct job jobs[] = {
	{"4k_randwrite", BIO_OP_WRITE, 4096, true, "randwrite"},
	{"4k_randread", BIO_OP_READ, 4096, true, "randread"},
	{"1m_seqwrite", BIO_OP_WRITE, 1 << 20, false, "write"},
	{"1m_seqread", BIO_OP_READ, 1 << 20, false, "read"},
};

#define NR_JOBS (sizeof(jobs) / sizeof(jobs[0]))

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

struct slot {
	struct bio_req req;
	d_sg_list_t sgl;
	d_iov_t iov;
	bool busy;
};

struct run {
	const struct job *job;
	uint64_t size, next, bytes;
	int errors;
};

static void
done_cb(struct bio_req *req, void *arg)
{
	struct run *r = arg;

	if (req->br_rc)
		r->errors++;
	else
		r->bytes += req->br_len;
}

static uint64_t
next_off(struct run *r)
{
	uint64_t off;

	if (r->job->random)
		return ((uint64_t)rand() * 7919 % (r->size / r->job->bs)) * r->job->bs;
	off = r->next;
	r->next += r->job->bs;
	if (r->next + r->job->bs > r->size)
		r->next = 0;
	return off;
}

static double
run_bio(struct bio_ring *ring, struct bio_blob *blob, const struct job *job, uint64_t size, int qd,
	double secs)
{
	struct slot *slots = calloc(qd, sizeof(*slots));
	struct run r = {.job = job, .size = size};
	double t0, t;
	int i, rc;

	if (slots == NULL)
		return -1;
	for (i = 0; i < qd; i++) {
		slots[i].iov.iov_buf = bio_buf_alloc(job->bs);
		if (slots[i].iov.iov_buf == NULL)
			return -1;
		memset(slots[i].iov.iov_buf, 0x5a + i, job->bs);
		slots[i].iov.iov_len = slots[i].iov.iov_buf_len = job->bs;
		slots[i].sgl.sg_nr = 1;
		slots[i].sgl.sg_iovs = &slots[i].iov;
	}
	t0 = now();
	do {
		for (i = 0; i < qd; i++) {
			struct bio_req *req = &slots[i].req;

			if (slots[i].busy && !req->br_done)
				continue;
			memset(req, 0, sizeof(*req));
			req->br_blob = blob;
			req->br_op = job->op;
			req->br_off = next_off(&r);
			req->br_sgl = &slots[i].sgl;
			req->br_cb = done_cb;
			req->br_cb_arg = &r;
			rc = bio_req_submit(ring, req);
			if (rc)
				return -1;
			slots[i].busy = true;
		}
		if (bio_ring_wait_any(ring) < 0 || r.errors)
			return -1;
		t = now();
	} while (t - t0 < secs);
	for (i = 0; i < qd; i++)
		if (slots[i].busy)
			bio_ring_wait(ring, &slots[i].req);
	t = now();
	for (i = 0; i < qd; i++)
		bio_buf_free(slots[i].iov.iov_buf);
	free(slots);
	return r.bytes / (t - t0) / 1e6;
}

/* fio with io_uring on the same file; bandwidth in MB/s, or < 0 if fio is unavailable. */
static double
run_fio(const char *path, const struct job *job, uint64_t size, int qd, double secs, bool direct)
{
	char cmd[1024], out[256], *buf = NULL, *p;
	size_t len = 0, cap = 0;
	FILE *f;
	double bw = -1;

	snprintf(cmd, sizeof(cmd),
		 "fio --name=bio_perf --filename=%s --size=%lu --rw=%s --bs=%zu --iodepth=%d "
		 "--ioengine=io_uring --direct=%d --runtime=%.0f --time_based "
		 "--output-format=json 2>/dev/null",
		 path, (unsigned long)size, job->fio_rw, job->bs, qd, direct ? 1 : 0, secs);
	f = popen(cmd, "r");
	if (f == NULL)
		return -1;
	while (fgets(out, sizeof(out), f) != NULL) {
		size_t n = strlen(out);

		if (len + n + 1 > cap) {
			char *nb = realloc(buf, cap = (len + n + 1) * 2);

			if (nb == NULL)
				break;
			buf = nb;
		}
		memcpy(buf + len, out, n + 1);
		len += n;
	}
	if (pclose(f) == 0 && buf != NULL) {
		p = strstr(buf, job->op == BIO_OP_READ ? "\"read\" :" : "\"write\" :");
		if (p != NULL)
			p = strstr(p, "\"bw_bytes\" :");
		if (p != NULL)
			bw = strtod(p + strlen("\"bw_bytes\" :"), NULL) / 1e6;
	}
	free(buf);
	return bw;
}

/*
 * vea alone: reserve + cancel rate (DRAM only), and reserve + publish + free in transactions
 * of 64 operations each on a fragmented space.
 */
static int
run_vea(const char *dir, int nr_ops, bool json)
{
	struct umem_pool_attr pattr = {.upa_sync_ms = 0};
	struct umem_attr uma = {.uma_id = UMEM_CLASS_BMEM};
	static uint64_t live_off[4096];
	static uint32_t live_cnt[4096];
	struct umem_instance umm;
	struct umem_pool *pool;
	struct vea_space_df *md;
	struct vea_space_info *vsi;
	struct vea_stat st;
	char path[512];
	umem_off_t roff;
	double t0, r_rate, p_rate;
	int i, nlive = 0, rc;

	snprintf(path, sizeof(path), "%s/vea.heap", dir);
	rc = umem_pool_create(path, 64 << 20, 0600, &pattr, &pool);
	if (rc)
		return rc;
	uma.uma_pool = pool;
	umem_class_init(&uma, &umm);
	rc = umem_pool_root(pool, sizeof(*md), &roff);
	md = umem_off2ptr(&umm, roff);
	if (rc == 0)
		rc = vea_format(&umm, NULL, md, 4096, 1, 64ULL << 30, NULL, NULL, false);
	if (rc == 0)
		rc = vea_load(&umm, NULL, md, NULL, &vsi);
	if (rc)
		goto out;
	srand(3);
	t0 = now();
	for (i = 0; i < nr_ops; i++) {
		d_list_t list;

		D_INIT_LIST_HEAD(&list);
		rc = vea_reserve(vsi, 1 + rand() % 256, NULL, &list);
		if (rc == 0)
			rc = vea_cancel(vsi, NULL, &list);
		if (rc)
			goto unload;
	}
	r_rate = nr_ops / (now() - t0);
	t0 = now();
	for (i = 0; i < nr_ops && rc == 0; i++) {
		d_list_t list;
		struct vea_resrvd_ext *vre;
		uint32_t cnt = 1 + rand() % 256;

		if (i % 64 == 0)
			umem_tx_begin(&umm, NULL);
		if (nlive == 4096 || (nlive > 0 && rand() % 2)) {
			int k = rand() % nlive;

			rc = vea_free(vsi, live_off[k], live_cnt[k]);
			live_off[k] = live_off[--nlive];
			live_cnt[k] = live_cnt[nlive];
		} else {
			D_INIT_LIST_HEAD(&list);
			rc = vea_reserve(vsi, cnt, NULL, &list);
			if (rc == 0) {
				vre = d_list_entry(list.next, struct vea_resrvd_ext, vre_link);
				live_off[nlive] = vre->vre_blk_off;
				live_cnt[nlive++] = cnt;
				rc = vea_tx_publish(vsi, NULL, &list);
			}
		}
		if (rc)
			umem_tx_abort(&umm, rc);
		else if (i % 64 == 63 || i == nr_ops - 1)
			rc = umem_tx_commit(&umm);
	}
	p_rate = nr_ops / (now() - t0);
	if (rc == 0)
		rc = vea_query(vsi, NULL, &st);
	if (rc == 0) {
		if (json)
			printf("{\"vea_reserve_cancel_per_s\": %.0f, \"vea_publish_free_per_s\": "
			       "%.0f, \"free_extents\": %lu}\n",
			       r_rate, p_rate, (unsigned long)st.vs_persist_frags);
		else
			printf("vea: reserve+cancel %.0f/s, publish/free (64 per tx) %.0f/s, %lu "
			       "free "
			       "extents\n",
			       r_rate, p_rate, (unsigned long)st.vs_persist_frags);
	}
unload:
	vea_unload(vsi);
out:
	umem_pool_close(pool);
	umem_pool_destroy(path);
	return rc;
}

int
main(int argc, char **argv)
{
	static struct option opts[] = {
		{"dir", required_argument, NULL, 'd'}, {"size", required_argument, NULL, 's'},
		{"qd", required_argument, NULL, 'q'},  {"time", required_argument, NULL, 't'},
		{"buffered", no_argument, NULL, 'B'},  {"sync", no_argument, NULL, 'S'},
		{"no-fio", no_argument, NULL, 'F'},    {"json", no_argument, NULL, 'j'},
		{"vea", required_argument, NULL, 'V'}, {NULL, 0, NULL, 0}};
	const char *base = "/tmp";
	uint64_t size = 256ULL << 20;
	int qd = 16, opt, rc, vea_ops = 0;
	double secs = 2, bio_mb[NR_JOBS], fio_mb[NR_JOBS];
	bool direct = true, use_fio = true, json = false;
	unsigned int ring_flags = 0;
	char dir[256], path[512];
	struct bio_ring *ring;
	struct bio_blob *blob;
	size_t i;

	while ((opt = getopt_long(argc, argv, "d:s:q:t:BSFjV:", opts, NULL)) != -1) {
		switch (opt) {
		case 'd':
			base = optarg;
			break;
		case 's':
			size = strtoull(optarg, NULL, 0) << 20;
			break;
		case 'q':
			qd = atoi(optarg);
			break;
		case 't':
			secs = atof(optarg);
			break;
		case 'B':
			direct = false;
			break;
		case 'S':
			ring_flags |= BIO_RING_SYNC;
			break;
		case 'F':
			use_fio = false;
			break;
		case 'j':
			json = true;
			break;
		case 'V':
			vea_ops = atoi(optarg);
			break;
		default:
			fprintf(stderr,
				"usage: %s [--dir DIR] [--size MiB] [--qd N] [--time SEC] "
				"[--buffered] [--sync] [--no-fio] [--json] [--vea N]\n",
				argv[0]);
			return 2;
		}
	}
	if (qd < 1 || size < (4ULL << 20) || secs <= 0)
		return 2;
	snprintf(dir, sizeof(dir), "%s/bio_perf.XXXXXX", base);
	if (mkdtemp(dir) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	if (vea_ops > 0) {
		rc = run_vea(dir, vea_ops, json);
		rmdir(dir);
		if (rc)
			fprintf(stderr, "vea run failed: %d\n", rc);
		return rc ? 1 : 0;
	}
	snprintf(path, sizeof(path), "%s/perf.blob", dir);
	rc = bio_blob_create(path, size);
	if (rc == 0)
		rc = bio_blob_open(path, direct ? BIO_BLOB_DIRECT : 0, &blob);
	if (rc == 0)
		rc = bio_ring_create(qd * 2, ring_flags, &ring);
	if (rc) {
		fprintf(stderr, "setup failed: %d\n", rc);
		unlink(path);
		rmdir(dir);
		return 1;
	}
	direct = bio_blob_direct(blob);
	/*
	 * Precondition: write the whole blob once, so neither bio nor fio pays for converting
	 * fallocate's unwritten extents on its first writes.
	 */
	if (run_bio(ring, blob, &jobs[2], size, qd, (double)size / (512 << 20) + 0.5) < 0) {
		fprintf(stderr, "preconditioning failed\n");
		return 1;
	}
	srand(1);
	for (i = 0; i < NR_JOBS; i++) {
		bio_mb[i] = run_bio(ring, blob, &jobs[i], size, qd, secs);
		fio_mb[i] = use_fio ? run_fio(path, &jobs[i], size, qd, secs, direct) : -1;
	}
	if (json) {
		printf("{\"qd\": %d, \"size_mib\": %lu, \"direct\": %s, \"uring\": %s, \"jobs\": [",
		       qd, (unsigned long)(size >> 20), direct ? "true" : "false",
		       bio_ring_is_uring(ring) ? "true" : "false");
		for (i = 0; i < NR_JOBS; i++)
			printf("%s{\"name\": \"%s\", \"bio_mb_s\": %.1f, \"fio_mb_s\": %.1f}",
			       i ? ", " : "", jobs[i].name, bio_mb[i], fio_mb[i]);
		printf("]}\n");
	} else {
		printf("bio_perf: %lu MiB blob, qd %d, %s, %s, %.0f s per job\n",
		       (unsigned long)(size >> 20), qd, direct ? "O_DIRECT" : "buffered",
		       bio_ring_is_uring(ring) ? "io_uring" : "sync fallback", secs);
		printf("%-14s %12s %12s\n", "job", "bio MB/s", "fio MB/s");
		for (i = 0; i < NR_JOBS; i++) {
			if (fio_mb[i] >= 0)
				printf("%-14s %12.1f %12.1f\n", jobs[i].name, bio_mb[i], fio_mb[i]);
			else
				printf("%-14s %12.1f %12s\n", jobs[i].name, bio_mb[i], "-");
		}
	}
	bio_ring_destroy(ring);
	bio_blob_close(blob);
	unlink(path);
	rmdir(dir);
	return 0;
}
