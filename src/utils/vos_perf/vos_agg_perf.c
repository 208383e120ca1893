/**
 * vos_agg_perf: what aggregation of overlapping blob extents reclaims and how fast.
 *
 *   vos_agg_perf [-D dir] [-a akeys] [-w writes] [-L bytes] [-m min] [-M max] [-t thresh]
 *                [-G seed] [-j]
 *
 * Writes, per akey of one object, \a writes extents of min..max bytes (random, 1-byte records)
 * at random offsets of an array of L bytes, each at a new epoch: the later ones cover parts
 * of the earlier. Then one vos_aggregate() up to the last epoch (no snapshot) and GC. Prints
 * the blob bytes in use and the extents before and after, the aggregation time and its rate
 * (extent bytes aggregated per second), and checks that every array reads the same after.
 * Runs in a ULT on one xstream, as the engine's aggregation does.
 */
#define D_LOGFAC DD_FAC(vos)

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <uuid/uuid.h>

#include <daos_errno.h>
#include <gurt/common.h>
#include <daos/mem.h>
#include <daos_srv/ult.h>
#include <daos_srv/vos.h>

static const char *ap_dir = "/dev/shm";
static uint32_t ap_akeys = 64;
static uint32_t ap_writes = 32;
static uint64_t ap_len = 1 << 20;
static uint64_t ap_min = 4 << 10;
static uint64_t ap_max = 64 << 10;
static uint32_t ap_thresh = 4096;
static uint64_t ap_seed = 1;
static bool ap_json;
static int ap_rc = 1;

static uint64_t
rnd64(void)
{
	ap_seed ^= ap_seed << 13;
	ap_seed ^= ap_seed >> 7;
	ap_seed ^= ap_seed << 17;
	return ap_seed;
}

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int
io(daos_handle_t coh, daos_unit_oid_t oid, daos_epoch_t e, uint32_t a, uint64_t idx, uint64_t nr,
   char *buf, bool update)
{
	daos_key_t dk;
	daos_iod_t iod = {0};
	daos_recx_t rx = {.rx_idx = idx, .rx_nr = nr};
	d_iov_t iov;
	d_sg_list_t sgl = {.sg_nr = 1, .sg_iovs = &iov};
	char ak[16];

	snprintf(ak, sizeof(ak), "a%u", a);
	d_iov_set(&dk, "dkey", 4);
	d_iov_set(&iod.iod_name, ak, strlen(ak));
	iod.iod_type = DAOS_IOD_ARRAY;
	iod.iod_size = 1;
	iod.iod_nr = 1;
	iod.iod_recxs = &rx;
	d_iov_set(&iov, buf, nr);
	if (update)
		return vos_obj_update(coh, oid, e, 0, 0, &dk, 1, &iod, NULL, &sgl);
	return vos_obj_fetch(coh, oid, e, 0, &dk, 1, &iod, &sgl);
}

static uint64_t
count_extents(daos_handle_t coh, daos_unit_oid_t oid)
{
	vos_iter_param_t param = {0};
	daos_handle_t ih;
	uint64_t nr = 0;
	uint32_t a;
	char ak[16];
	int rc;

	for (a = 0; a < ap_akeys; a++) {
		snprintf(ak, sizeof(ak), "a%u", a);
		memset(&param, 0, sizeof(param));
		param.ip_hdl = coh;
		param.ip_oid = oid;
		d_iov_set(&param.ip_dkey, "dkey", 4);
		d_iov_set(&param.ip_akey, ak, strlen(ak));
		param.ip_epr.epr_hi = DAOS_EPOCH_MAX;
		if (vos_iter_prepare(VOS_ITER_RECX, &param, &ih, NULL) != 0)
			continue;
		for (rc = vos_iter_probe(ih, NULL); rc == 0; rc = vos_iter_next(ih, NULL))
			nr++;
		vos_iter_finish(ih);
	}
	return nr;
}

static uint64_t
blob_used(daos_handle_t poh)
{
	vos_pool_info_t pi;

	if (vos_pool_query(poh, &pi) != 0)
		return 0;
	return pi.pif_space.vps_space.s_total[DAOS_MEDIA_NVME] - NVME_FREE(&pi.pif_space);
}

static void
main_ult(void *arg)
{
	struct vos_pool_attr attr = {0};
	daos_unit_oid_t oid = {0};
	daos_epoch_range_t epr = {0, 0};
	daos_handle_t poh, coh;
	uuid_t pid, cid;
	char path[PATH_MAX], dir[PATH_MAX - 16];
	char *buf = NULL, **before = NULL;
	uint64_t written = 0, used0, used1, ext0, ext1, blob_sz;
	double t0, t_agg, t_gc;
	daos_epoch_t e = 0;
	uint32_t a, w;
	int rc;

	snprintf(dir, sizeof(dir), "%s/vos_agg_perf.XXXXXX", ap_dir);
	if (mkdtemp(dir) == NULL) {
		perror("mkdtemp");
		return;
	}
	snprintf(path, sizeof(path), "%s/vos-0", dir);
	uuid_generate(pid);
	uuid_generate(cid);
	oid.id_pub.lo = 1;
	daos_obj_set_type(&oid.id_pub, DAOS_OT_MULTI_HASHED);
	attr.vpa_inline_thresh = ap_thresh;
	/* room for everything written, blocks rounded up */
	blob_sz = (uint64_t)ap_akeys * ap_writes * (ap_max + 4096) + (64 << 20);
	rc = vos_pool_create_ex(path, pid, 256 << 20, blob_sz, 0, 0, 0, &attr, &poh);
	if (rc == 0)
		rc = vos_cont_create(poh, cid);
	if (rc == 0)
		rc = vos_cont_open(poh, cid, &coh);
	if (rc != 0) {
		fprintf(stderr, "vos_agg_perf: setup: " DF_RC "\n", DP_RC(rc));
		goto out_rm;
	}
	D_ALLOC_NZ(buf, ap_len);
	D_ALLOC_ARRAY(before, ap_akeys);
	if (buf == NULL || before == NULL)
		goto out;
	for (w = 0; w < ap_writes; w++) {
		for (a = 0; a < ap_akeys; a++) {
			uint64_t len = ap_min + rnd64() % (ap_max - ap_min + 1);
			uint64_t idx = rnd64() % (ap_len - len + 1);
			uint64_t i;

			for (i = 0; i < len; i += 8)
				*(uint64_t *)(buf + i) = rnd64();
			rc = io(coh, oid, ++e, a, idx, len, buf, true);
			if (rc != 0) {
				fprintf(stderr, "vos_agg_perf: update: " DF_RC "\n", DP_RC(rc));
				goto out;
			}
			written += len;
		}
	}
	for (a = 0; a < ap_akeys; a++) {
		D_ALLOC_NZ(before[a], ap_len);
		if (before[a] == NULL || io(coh, oid, e, a, 0, ap_len, before[a], false) != 0)
			goto out;
	}
	used0 = blob_used(poh);
	ext0 = count_extents(coh, oid);

	epr.epr_hi = e;
	t0 = now();
	rc = vos_aggregate(coh, &epr, NULL, NULL, 0);
	t_agg = now() - t0;
	if (rc != 0) {
		fprintf(stderr, "vos_agg_perf: aggregate: " DF_RC "\n", DP_RC(rc));
		goto out;
	}
	t0 = now();
	while ((rc = vos_gc_pool(poh, 256, NULL, NULL)) == 1)
		;
	t_gc = now() - t0;
	used1 = blob_used(poh);
	ext1 = count_extents(coh, oid);
	for (a = 0; a < ap_akeys; a++) {
		rc = io(coh, oid, e, a, 0, ap_len, buf, false);
		if (rc != 0 || memcmp(buf, before[a], ap_len) != 0) {
			fprintf(stderr,
				"vos_agg_perf: akey %u reads differently after aggregation\n", a);
			goto out;
		}
	}
	if (ap_json)
		printf("{\"akeys\": %u, \"writes\": %u, \"written_bytes\": %" PRIu64
		       ", \"blob_used_before\": %" PRIu64 ", \"blob_used_after\": %" PRIu64
		       ", \"extents_before\": %" PRIu64 ", \"extents_after\": %" PRIu64
		       ", \"agg_secs\": %.4f, \"agg_mbps\": %.1f, \"gc_secs\": %.4f}\n",
		       ap_akeys, ap_writes, written, used0, used1, ext0, ext1, t_agg,
		       written / t_agg / 1e6, t_gc);
	else
		printf("written %.1f MiB in %" PRIu64 " extents of %" PRIu64 "..%" PRIu64
		       " bytes over %u akeys of %" PRIu64 " KiB\n"
		       "blob used: %.1f MiB -> %.1f MiB (%.0f%% freed), extents %" PRIu64
		       " -> %" PRIu64 "\n"
		       "aggregation: %.3f s, %.1f MB/s of extents aggregated; GC after: %.3f s\n",
		       written / 1048576.0, (uint64_t)ap_akeys * ap_writes, ap_min, ap_max,
		       ap_akeys, ap_len >> 10, used0 / 1048576.0, used1 / 1048576.0,
		       100.0 * (used0 - used1) / used0, ext0, ext1, t_agg, written / t_agg / 1e6,
		       t_gc);
	ap_rc = 0;
out:
	if (before != NULL)
		for (a = 0; a < ap_akeys; a++)
			D_FREE(before[a]);
	D_FREE(before);
	D_FREE(buf);
	vos_cont_close(coh);
	vos_pool_close(poh);
	vos_pool_destroy(path, pid);
out_rm:
	rmdir(dir);
}

/* A whole number in [lo, hi] or exit 2 with a message naming the option. */
static uint64_t
ap_num(int opt, const char *arg, uint64_t lo, uint64_t hi)
{
	unsigned long long v;
	char *end;

	errno = 0;
	v = strtoull(arg, &end, 0);
	if (errno != 0 || end == arg || *end != '\0' || arg[0] == '-' || v < lo || v > hi) {
		fprintf(stderr,
			"vos_agg_perf: -%c %s: need a number in [%" PRIu64 ", %" PRIu64 "]\n", opt,
			arg, lo, hi);
		exit(2);
	}
	return v;
}

int
main(int argc, char **argv)
{
	struct ult_init_attr ua = {.uia_nr_xs = 1};
	struct ult *ult;
	int opt, rc;

	while ((opt = getopt(argc, argv, "D:a:w:L:m:M:t:G:jh")) != -1) {
		switch (opt) {
		case 'D':
			ap_dir = optarg;
			break;
		case 'a':
			ap_akeys = ap_num(opt, optarg, 1, 1U << 20);
			break;
		case 'w':
			ap_writes = ap_num(opt, optarg, 1, 1U << 20);
			break;
		case 'L':
			ap_len = ap_num(opt, optarg, 1, 1ULL << 40);
			break;
		case 'm':
			ap_min = ap_num(opt, optarg, 1, 1ULL << 40);
			break;
		case 'M':
			ap_max = ap_num(opt, optarg, 1, 1ULL << 40);
			break;
		case 't':
			ap_thresh = ap_num(opt, optarg, 0, UINT32_MAX);
			break;
		case 'G':
			ap_seed = ap_num(opt, optarg, 0, UINT64_MAX) | 1;
			break;
		case 'j':
			ap_json = true;
			break;
		default:
			fprintf(stderr,
				"usage: vos_agg_perf [-D dir] [-a akeys] [-w writes per akey] "
				"[-L array bytes] [-m min] [-M max extent bytes] [-t inline "
				"thresh] "
				"[-G seed] [-j]\n");
			return 2;
		}
	}
	if (ap_akeys == 0 || ap_writes == 0 || ap_min == 0 || ap_max < ap_min || ap_len < ap_max) {
		fprintf(stderr, "vos_agg_perf: need akeys, writes > 0, 0 < min <= max <= L\n");
		return 2;
	}
	rc = ult_init(&ua);
	if (rc != 0) {
		fprintf(stderr, "vos_agg_perf: ult_init: " DF_RC "\n", DP_RC(rc));
		return 1;
	}
	umem_set_wait_ops(ult_umem_wait_ops());
	rc = ult_create(0, main_ult, NULL, 0, &ult);
	if (rc == 0)
		rc = ult_join(ult);
	umem_set_wait_ops(NULL);
	ult_fini();
	return rc != 0 ? 1 : ap_rc;
}
