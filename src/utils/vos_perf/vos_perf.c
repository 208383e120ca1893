/**
 * vos_perf: local VOS benchmark with DAOS's vos_perf options (docs/vos_perf.md).
 *
 *   vos_perf [-P heap] [-N blob] [-o objs] [-d dkeys] [-a akeys] [-n recs] [-s vsize]
 *            [-A [R]] [-i] [-R "U;p F;p V P I Q A"] [-G seed] [-z] [-D dir] [-u ults]
 *            [-k] [-j|--json]
 *
 * Everything runs in ULTs on one xstream with umem's yielding durability waits installed, as
 * in the engine: a committing ULT parks until its WAL record is durable and the others run.
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
#include <sys/resource.h>
#include <sys/stat.h>
#include <uuid/uuid.h>

#include <daos_errno.h>
#include <gurt/common.h>
#include <daos/mem.h>
#include <daos_srv/ult.h>
#include <daos_srv/vos.h>

#define VP_KEY_LEN   32
#define VP_LAT_MAX   (1U << 22) /* latency samples kept per command */
#define VP_STAMP_LEN 24         /* identity stamp at the head of each value */
#define VP_MAX_CMDS  16

struct vp_cmd {
	char code;
	bool print;
	const char *name;
};

struct vp_result {
	const char *name;
	uint64_t ops;
	uint64_t bytes;
	double secs;
	double lat_avg_us, lat_p50_us, lat_p99_us, lat_max_us;
	uint64_t errors; /* verify mismatches */
	bool print;
	/*
	 * Where the wall time went: CPU of the xstream thread (that runs every ULT) and of the
	 * whole process (the umem flusher and checkpoint threads besides), and how often the
	 * xstream was descheduled by the kernel (involuntary) or slept (voluntary).
	 */
	double xs_user_s, xs_sys_s, proc_cpu_s;
	uint64_t xs_nivcsw, xs_nvcsw;
};

/* Options (DAOS names where they exist) */
static uint64_t vp_heap_sz = 1ULL << 30;
static int64_t vp_blob_sz; /* 0: no blob (DAOS's default); -1: sized from the workload */
static uint64_t vp_objs = 1;
static uint64_t vp_dkeys = 1;
static uint64_t vp_akeys = 1;
static uint64_t vp_recs = 1;
static uint64_t vp_vsize = 32;
static bool vp_array;
static bool vp_random;
static bool vp_int_dkey;
static bool vp_zcopy;
static bool vp_keep;
static bool vp_json;
static unsigned int vp_seed = 1;
static unsigned int vp_ults = 1;
static const char *vp_dir;
static const char *vp_cmdstr = "U;p F;p";

/* State shared by the ULTs of the one xstream (cooperative: no locks needed) */
static struct vp_cmd vp_cmds[VP_MAX_CMDS];
static int vp_cmd_nr;
static struct vp_result vp_res[VP_MAX_CMDS];
static daos_handle_t vp_poh, vp_coh;
static daos_epoch_t vp_epoch = 1;
static char *vp_src;      /* value source: random bytes, stamped per op */
static uint32_t *vp_slot; /* array slot order per record index (-A R) */
static uint64_t vp_inline_thresh = 4096;
static char vp_workdir[PATH_MAX - 32];
static char vp_heap_path[PATH_MAX];
static int vp_rc;
static uint64_t vp_heap_used, vp_blob_used;
static uint64_t vp_heap_base, vp_blob_base;

static uint64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static void
oid_of(uint64_t o, daos_unit_oid_t *oid)
{
	memset(oid, 0, sizeof(*oid));
	oid->id_pub.lo = o + 1;
	oid->id_pub.hi = 0x5eed0000ULL;
	daos_obj_set_type(&oid->id_pub, vp_int_dkey ? DAOS_OT_DKEY_UINT64 : DAOS_OT_MULTI_HASHED);
}

/* dkey d: a uint64 (-i) or a 16-byte string spread over the key space */
static void
dkey_of(uint64_t d, uint64_t *ibuf, char *sbuf, daos_key_t *key)
{
	if (vp_int_dkey) {
		*ibuf = d;
		d_iov_set(key, ibuf, sizeof(*ibuf));
	} else {
		static const char hex[] = "0123456789abcdef";
		uint64_t h = (d + 1) * 0x9E3779B97F4A7C15ULL;
		int i;

		/* "%016" PRIx64 by hand: snprintf cost more than a VOS fetch */
		h ^= h >> 29;
		for (i = 15; i >= 0; i--, h >>= 4)
			sbuf[i] = hex[h & 15];
		sbuf[16] = '\0';
		d_iov_set(key, sbuf, 16);
	}
}

static void
akey_of(uint64_t a, char *sbuf, daos_key_t *key)
{
	char tmp[24];
	int n = 0, len = 0;

	/* "a%" PRIu64 without snprintf */
	do {
		tmp[n++] = '0' + a % 10;
		a /= 10;
	} while (a != 0);
	sbuf[len++] = 'a';
	while (n > 0)
		sbuf[len++] = tmp[--n];
	sbuf[len] = '\0';
	d_iov_set(key, sbuf, len);
}

/* the stamp identifies (obj, dkey, akey, record): verify checks it and the bytes after it */
static void
stamp(char *buf, uint64_t o, uint64_t d, uint64_t a, uint64_t r)
{
	uint64_t w[3] = {o ^ (r << 40), d, a ^ 0xabcdef00ULL};

	memcpy(buf, w, min((uint64_t)VP_STAMP_LEN, vp_vsize));
}

/* -------------------------------------------------------------------------------------- */

struct vp_op {
	uint64_t o, d, a, r;
	daos_unit_oid_t oid;
	uint64_t dkey_int;
	char dkey_buf[VP_KEY_LEN];
	char akey_buf[VP_KEY_LEN];
	daos_key_t dkey;
	daos_iod_t iod;
	daos_recx_t recx;
	d_iov_t iov;
	d_sg_list_t sgl;
};

static void
op_prep(struct vp_op *op, uint64_t o, uint64_t d, uint64_t a, uint64_t r, void *buf)
{
	memset(op, 0, sizeof(*op));
	op->o = o;
	op->d = d;
	op->a = a;
	op->r = r;
	oid_of(o, &op->oid);
	dkey_of(d, &op->dkey_int, op->dkey_buf, &op->dkey);
	akey_of(a, op->akey_buf, &op->iod.iod_name);
	op->iod.iod_nr = 1;
	if (vp_array) {
		op->iod.iod_type = DAOS_IOD_ARRAY;
		op->iod.iod_size = 1;
		op->recx.rx_idx = (uint64_t)vp_slot[r] * vp_vsize;
		op->recx.rx_nr = vp_vsize;
		op->iod.iod_recxs = &op->recx;
	} else {
		op->iod.iod_type = DAOS_IOD_SINGLE;
		op->iod.iod_size = vp_vsize;
	}
	d_iov_set(&op->iov, buf, vp_vsize);
	op->sgl.sg_nr = 1;
	op->sgl.sg_iovs = &op->iov;
}

/* The work of one ULT: a contiguous range of (object, dkey) pairs. */
struct vp_worker {
	char code;
	uint64_t first, last; /* [first, last) of o * dkeys + d */
	uint64_t done, bytes, errors;
	uint64_t *lat; /* every lat_stride-th op's latency, ns */
	uint64_t lat_nr, lat_cap, lat_stride;
	char *buf;
	int rc;
};

static void
account(struct vp_worker *w, uint64_t t0, uint64_t bytes)
{
	if (w->done % w->lat_stride == 0 && w->lat_nr < w->lat_cap)
		w->lat[w->lat_nr++] = now_ns() - t0;
	w->done++;
	w->bytes += bytes;
}

static int
do_update(struct vp_op *op)
{
	stamp(op->iov.iov_buf, op->o, op->d, op->a, op->r);
	return vos_obj_update(vp_coh, op->oid, vp_epoch++, 0, 0, &op->dkey, 1, &op->iod, NULL,
			      &op->sgl);
}

static int
do_fetch(struct vp_op *op, bool verify, uint64_t *errors)
{
	bool zc = vp_zcopy && !vp_array && vp_vsize < vp_inline_thresh;
	char exp[VP_STAMP_LEN];
	int rc;

	if (zc) {
		op->iov.iov_buf = NULL;
		op->iov.iov_buf_len = 0;
		op->iov.iov_len = 0;
	}
	rc = vos_obj_fetch(vp_coh, op->oid, vp_epoch, 0, &op->dkey, 1, &op->iod, &op->sgl);
	if (rc != 0 || !verify)
		return rc;
	/* single values: the newest version is the last record written */
	stamp(exp, op->o, op->d, op->a, vp_array ? op->r : vp_recs - 1);
	if (op->iod.iod_size == 0 || op->iov.iov_len != vp_vsize || op->iov.iov_buf == NULL ||
	    memcmp(op->iov.iov_buf, exp, min((uint64_t)VP_STAMP_LEN, vp_vsize)) != 0 ||
	    (vp_vsize > VP_STAMP_LEN &&
	     memcmp((char *)op->iov.iov_buf + VP_STAMP_LEN, vp_src + VP_STAMP_LEN,
		    vp_vsize - VP_STAMP_LEN) != 0)) {
		if (*errors < 5)
			fprintf(stderr,
				"verify: obj %" PRIu64 " dkey %" PRIu64 " akey %" PRIu64
				" rec %" PRIu64 ": size %" PRIu64 ", wrong bytes\n",
				op->o, op->d, op->a, op->r, (uint64_t)op->iod.iod_size);
		(*errors)++;
	}
	return 0;
}

static int
do_punch(struct vp_op *op)
{
	return vos_obj_punch(vp_coh, op->oid, vp_epoch++, 0, 0, &op->dkey, 0, NULL, NULL);
}

static int
do_query(struct vp_op *op)
{
	daos_recx_t recx = {0};
	daos_key_t akey = op->iod.iod_name;
	uint64_t dk = 0;
	daos_key_t dkey;
	int rc;

	if (vp_array) {
		rc = vos_obj_query_key(vp_coh, op->oid, VOS_GET_MAX | VOS_GET_RECX, vp_epoch,
				       &op->dkey, &akey, &recx, NULL, 0, 0, NULL);
		if (rc == 0 && recx.rx_idx + recx.rx_nr == 0)
			rc = -DER_MISMATCH;
		return rc;
	}
	d_iov_set(&dkey, &dk, sizeof(dk));
	rc = vos_obj_query_key(vp_coh, op->oid, VOS_GET_MAX | VOS_GET_DKEY, vp_epoch, &dkey, NULL,
			       NULL, NULL, 0, 0, NULL);
	if (rc == 0 && dk != vp_dkeys - 1)
		rc = -DER_MISMATCH;
	return rc;
}

static void
worker_ult(void *arg)
{
	struct vp_worker *w = arg;
	struct vp_op op;
	uint64_t od, a, r, t0;
	int rc = 0;

	for (od = w->first; od < w->last && rc == 0; od++) {
		uint64_t o = od / vp_dkeys, d = od % vp_dkeys;

		if (w->code == 'P' || (w->code == 'Q' && !vp_array)) {
			/* dkey punch; max dkey query once per object */
			if (w->code == 'Q' && d != 0)
				continue;
			op_prep(&op, o, d, 0, 0, w->buf);
			t0 = now_ns();
			rc = w->code == 'P' ? do_punch(&op) : do_query(&op);
			if (rc == 0)
				account(w, t0, 0);
			continue;
		}
		for (a = 0; a < vp_akeys && rc == 0; a++) {
			for (r = 0; r < vp_recs && rc == 0; r++) {
				op_prep(&op, o, d, a, r, w->buf);
				t0 = now_ns();
				switch (w->code) {
				case 'U':
					rc = do_update(&op);
					break;
				case 'F':
				case 'V':
					rc = do_fetch(&op, w->code == 'V', &w->errors);
					break;
				case 'Q':
					rc = do_query(&op);
					r = vp_recs; /* one max-recx query per akey */
					break;
				}
				if (rc == 0)
					account(w, t0, w->code == 'Q' ? 0 : vp_vsize);
			}
		}
	}
	if (rc != 0)
		fprintf(stderr, "vos_perf: %c failed after %" PRIu64 " ops: " DF_RC "\n", w->code,
			w->done, DP_RC(rc));
	w->rc = rc;
}

static double
tv_secs(const struct timeval *tv)
{
	return tv->tv_sec + tv->tv_usec / 1e6;
}

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* vos_iterate callback: count values (single versions and extents) */
static int
iter_cb(daos_handle_t ih, vos_iter_entry_t *entry, vos_iter_type_t type, vos_iter_param_t *param,
	void *cb_arg, unsigned int *acts)
{
	uint64_t *count = cb_arg;

	if (type == VOS_ITER_SINGLE || type == VOS_ITER_RECX)
		(*count)++;
	return 0;
}

static int
yield_cb(void *arg)
{
	ult_yield();
	return 0;
}

static int
space_used(uint64_t *heap, uint64_t *blob)
{
	vos_pool_info_t pi;
	int rc;

	memset(&pi, 0, sizeof(pi));
	rc = vos_pool_query(vp_poh, &pi);
	if (rc != 0)
		return rc;
	*heap = SCM_TOTAL(&pi.pif_space) - SCM_FREE(&pi.pif_space);
	*blob = NVME_TOTAL(&pi.pif_space) - NVME_FREE(&pi.pif_space);
	return 0;
}

static int
run_cmd(int ci)
{
	struct vp_cmd *cmd = &vp_cmds[ci];
	struct vp_result *res = &vp_res[ci];
	struct vp_worker *w = NULL;
	struct ult **ults = NULL;
	struct rusage ru_xs0, ru_xs1, ru_p0, ru_p1;
	uint64_t pairs = vp_objs * vp_dkeys, t0, t1, n, i, total;
	unsigned int u, nults = vp_ults;
	int rc = 0;

	res->name = cmd->name;
	res->print = cmd->print;

	if (cmd->code == 'I' || cmd->code == 'A') {
		/* one walk over the container: no per-op latency */
		t0 = now_ns();
		if (cmd->code == 'I') {
			vos_iter_param_t param;
			struct vos_iter_anchors anchors;
			uint64_t count = 0;

			memset(&param, 0, sizeof(param));
			memset(&anchors, 0, sizeof(anchors));
			param.ip_hdl = vp_coh;
			param.ip_ih = DAOS_HDL_INVAL;
			param.ip_epr.epr_lo = 0;
			param.ip_epr.epr_hi = vp_epoch;
			param.ip_epc_expr = VOS_IT_EPC_RR;
			rc = vos_iterate(&param, VOS_ITER_OBJ, true, &anchors, iter_cb, NULL,
					 &count, NULL);
			res->ops = count;
		} else {
			daos_epoch_range_t epr = {0, vp_epoch};

			rc = vos_aggregate(vp_coh, &epr, yield_cb, NULL, 0);
			while (rc == 0 && vos_gc_pool(vp_poh, 4096, yield_cb, NULL) == 1)
				;
			res->ops = 1;
		}
		t1 = now_ns();
		res->secs = (t1 - t0) / 1e9;
		res->lat_avg_us = res->lat_p50_us = res->lat_p99_us = res->lat_max_us =
			res->ops ? (t1 - t0) / 1e3 / res->ops : 0;
		if (rc != 0)
			fprintf(stderr, "vos_perf: %s failed: " DF_RC "\n", cmd->name, DP_RC(rc));
		return rc;
	}
	if (cmd->code == 'Q' && !vp_int_dkey && !vp_array) {
		fprintf(stderr,
			"vos_perf: Q (query) needs integer dkeys (-i) or array values (-A)\n");
		return -DER_INVAL;
	}

	total = pairs * vp_akeys * vp_recs;
	if (nults > pairs)
		nults = pairs;
	D_ALLOC_ARRAY(w, nults);
	D_ALLOC_ARRAY(ults, nults);
	if (w == NULL || ults == NULL)
		D_GOTO(out, rc = -DER_NOMEM);
	for (u = 0; u < nults; u++) {
		w[u].code = cmd->code;
		w[u].first = pairs * u / nults;
		w[u].last = pairs * (u + 1) / nults;
		w[u].lat_cap = VP_LAT_MAX / nults;
		w[u].lat_stride = total / VP_LAT_MAX + 1;
		D_ALLOC_ARRAY_NZ(w[u].lat, w[u].lat_cap);
		D_ALLOC_NZ(w[u].buf, vp_vsize);
		if (w[u].buf == NULL || w[u].lat == NULL)
			D_GOTO(out, rc = -DER_NOMEM);
		memcpy(w[u].buf, vp_src, vp_vsize);
	}

	getrusage(RUSAGE_THREAD, &ru_xs0);
	getrusage(RUSAGE_SELF, &ru_p0);
	t0 = now_ns();
	for (u = 0; u < nults; u++) {
		rc = ult_create(ULT_XS_SELF, worker_ult, &w[u], 0, &ults[u]);
		if (rc != 0)
			break;
	}
	for (i = 0; i < u; i++)
		ult_join(ults[i]);
	t1 = now_ns();
	getrusage(RUSAGE_THREAD, &ru_xs1);
	getrusage(RUSAGE_SELF, &ru_p1);
	res->xs_user_s = tv_secs(&ru_xs1.ru_utime) - tv_secs(&ru_xs0.ru_utime);
	res->xs_sys_s = tv_secs(&ru_xs1.ru_stime) - tv_secs(&ru_xs0.ru_stime);
	res->proc_cpu_s = tv_secs(&ru_p1.ru_utime) + tv_secs(&ru_p1.ru_stime) -
			  tv_secs(&ru_p0.ru_utime) - tv_secs(&ru_p0.ru_stime);
	res->xs_nivcsw = ru_xs1.ru_nivcsw - ru_xs0.ru_nivcsw;
	res->xs_nvcsw = ru_xs1.ru_nvcsw - ru_xs0.ru_nvcsw;
	if (rc != 0)
		goto out;

	for (i = 0, n = 0; i < nults; i++) {
		if (rc == 0 && w[i].rc != 0)
			rc = w[i].rc;
		res->ops += w[i].done;
		res->bytes += w[i].bytes;
		res->errors += w[i].errors;
		n += w[i].lat_nr;
	}
	if (rc != 0)
		goto out;
	res->secs = (t1 - t0) / 1e9;
	if (n > 0) {
		uint64_t *lat = w[0].lat, k = 0;
		double sum = 0;

		/* gather every ULT's samples behind ULT 0's */
		if (nults > 1) {
			D_ALLOC_ARRAY_NZ(lat, n);
			if (lat == NULL)
				D_GOTO(out, rc = -DER_NOMEM);
			for (i = 0; i < nults; i++) {
				memcpy(lat + k, w[i].lat, w[i].lat_nr * sizeof(*lat));
				k += w[i].lat_nr;
			}
		}
		qsort(lat, n, sizeof(*lat), cmp_u64);
		for (i = 0; i < n; i++)
			sum += lat[i];
		res->lat_avg_us = sum / n / 1e3;
		res->lat_p50_us = lat[n / 2] / 1e3;
		res->lat_p99_us = lat[min(n - 1, n * 99 / 100)] / 1e3;
		res->lat_max_us = lat[n - 1] / 1e3;
		if (lat != w[0].lat)
			D_FREE(lat);
	}
	if (res->errors != 0) {
		fprintf(stderr, "vos_perf: verify found %" PRIu64 " wrong values\n", res->errors);
		rc = -DER_MISMATCH;
	}
out:
	for (i = 0; w != NULL && i < nults; i++) {
		D_FREE(w[i].buf);
		D_FREE(w[i].lat);
	}
	D_FREE(w);
	D_FREE(ults);
	return rc;
}

static void
main_ult(void *arg)
{
	uuid_t pool_uuid, co_uuid;
	uint64_t recs = vp_objs * vp_dkeys * vp_akeys * vp_recs;
	int ci, rc;
	bool measured = false;

	uuid_generate(pool_uuid);
	uuid_generate(co_uuid);
	rc = vos_pool_create(vp_heap_path, pool_uuid, vp_heap_sz, (daos_size_t)vp_blob_sz, 0, 0, 0,
			     &vp_poh);
	if (rc != 0) {
		fprintf(stderr, "vos_perf: pool create %s: " DF_RC "\n", vp_heap_path, DP_RC(rc));
		D_GOTO(out, rc);
	}
	rc = vos_cont_create(vp_poh, co_uuid);
	if (rc == 0)
		rc = vos_cont_open(vp_poh, co_uuid, &vp_coh);
	if (rc != 0) {
		fprintf(stderr, "vos_perf: container: " DF_RC "\n", DP_RC(rc));
		D_GOTO(close, rc);
	}
	for (ci = 0; ci < vp_cmd_nr && rc == 0; ci++) {
		bool first_u = vp_cmds[ci].code == 'U' && !measured;

		if (first_u)
			rc = space_used(&vp_heap_base, &vp_blob_base);
		if (rc == 0)
			rc = run_cmd(ci);
		if (rc == 0 && first_u) {
			rc = space_used(&vp_heap_used, &vp_blob_used);
			vp_heap_used -= min(vp_heap_used, vp_heap_base);
			vp_blob_used -= min(vp_blob_used, vp_blob_base);
			measured = recs > 0;
		}
	}
	if (!measured)
		vp_heap_used = vp_blob_used = 0;
	vos_cont_close(vp_coh);
close:
	vos_pool_close(vp_poh);
	if (!vp_keep)
		vos_pool_destroy(vp_heap_path, pool_uuid);
out:
	vp_rc = rc;
}

/* "4K", "1M", "4G": binary multiples */
static int
parse_size(const char *s, uint64_t *out)
{
	char *end;
	uint64_t v;

	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno != 0 || end == s)
		return -1;
	switch (*end) {
	case 'k':
	case 'K':
		v <<= 10;
		end++;
		break;
	case 'm':
	case 'M':
		v <<= 20;
		end++;
		break;
	case 'g':
	case 'G':
		v <<= 30;
		end++;
		break;
	case 't':
	case 'T':
		v <<= 40;
		end++;
		break;
	}
	if (*end == 'i' || *end == 'B' || *end == 'b')
		end++;
	if (*end != '\0')
		return -1;
	*out = v;
	return 0;
}

/* counts: "200000", "200k", "1m" (decimal multiples, as DAOS's vos_perf) */
static int
parse_count(const char *s, uint64_t *out)
{
	char *end;
	uint64_t v;

	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno != 0 || end == s)
		return -1;
	if (*end == 'k' || *end == 'K')
		v *= 1000, end++;
	else if (*end == 'm' || *end == 'M')
		v *= 1000000, end++;
	if (*end != '\0')
		return -1;
	*out = v;
	return 0;
}

static const char *
cmd_name(char code)
{
	switch (code) {
	case 'U':
		return "update";
	case 'F':
		return "fetch";
	case 'V':
		return "verify";
	case 'P':
		return "punch";
	case 'I':
		return "iterate";
	case 'Q':
		return "query";
	case 'A':
		return "aggregate";
	default:
		return NULL;
	}
}

/* "U;p F;p V": letters separated by spaces, ";p" prints the command's figures */
static int
parse_cmds(const char *str)
{
	const char *p = str;

	vp_cmd_nr = 0;
	while (*p != '\0') {
		struct vp_cmd *c;

		while (*p == ' ' || *p == ',')
			p++;
		if (*p == '\0')
			break;
		if (vp_cmd_nr == VP_MAX_CMDS || cmd_name(*p) == NULL) {
			fprintf(stderr, "vos_perf: bad command '%c' in \"%s\" (U F V P I Q A)\n",
				*p, str);
			return -1;
		}
		c = &vp_cmds[vp_cmd_nr++];
		c->code = *p;
		c->name = cmd_name(*p);
		p++;
		while (*p == ';') {
			p++;
			if (*p == 'p') {
				c->print = true;
				p++;
			} else {
				/* DAOS sub-options we do not implement: skip to the next ';' or ' ' */
				fprintf(stderr, "vos_perf: ignoring sub-option of %c: %.*s\n",
					c->code, (int)strcspn(p, "; "), p);
				p += strcspn(p, "; ");
			}
		}
		if (*p != '\0' && *p != ' ' && *p != ',') {
			fprintf(stderr, "vos_perf: bad command string \"%s\"\n", str);
			return -1;
		}
	}
	if (vp_cmd_nr == 0) {
		fprintf(stderr, "vos_perf: empty command string\n");
		return -1;
	}
	return 0;
}

static void
usage(FILE *f)
{
	fprintf(f, "usage: vos_perf [options]\n"
		   "  -P SIZE     heap (metadata) size, default 1G (K/M/G suffixes)\n"
		   "  -N SIZE     data blob size; default 0: no blob, every value in the heap "
		   "(DAOS's\n"
		   "              default: no NVMe); auto: the workload's value bytes + 25%%\n"
		   "  -o N        objects (default 1)\n"
		   "  -d N        dkeys per object (default 1; k/m suffixes = 1000/1000000)\n"
		   "  -a N        akeys per dkey (default 1)\n"
		   "  -n N        records per akey: versions of a single value, or array extents\n"
		   "  -s SIZE     value size (default 32; e.g. 4K, 1M)\n"
		   "  -A [R]      array values (1-byte records, one extent of SIZE per record);\n"
		   "              R: extents at random offsets\n"
		   "  -i          integer (uint64) dkeys (needed by Q on single values)\n"
		   "  -R CMDS     commands, default \"U;p F;p\": U update, F fetch, V verify,\n"
		   "              P punch (dkeys), I iterate, Q query key, A aggregate + GC;\n"
		   "              ';p' prints the command's figures\n"
		   "  -G SEED     random seed (default 1)\n"
		   "  -z          zero copy: fetch inline single values without copying\n"
		   "  -D DIR      directory for the pool files (default /dev/shm, else $TMPDIR or "
		   "/tmp)\n"
		   "  -u N        run each command in N ULTs on the one xstream (default 1)\n"
		   "  -k          keep the pool files\n"
		   "  -j, --json  print one JSON object instead of the table\n"
		   "Environment: DAOS_WAL_SYNC (every | ms), VOS_INLINE_THRESH, see "
		   "docs/vos_perf.md\n");
}

static const char *
default_dir(void)
{
	struct stat st;
	const char *t;

	if (stat("/dev/shm", &st) == 0 && S_ISDIR(st.st_mode) && access("/dev/shm", W_OK) == 0)
		return "/dev/shm";
	t = getenv("TMPDIR");
	return t != NULL && *t != '\0' ? t : "/tmp";
}

static void
print_results(const char *sync)
{
	uint64_t recs = vp_objs * vp_dkeys * vp_akeys * vp_recs;
	double hpr = recs ? (double)vp_heap_used / recs : 0;
	double bpr = recs ? (double)vp_blob_used / recs : 0;
	int i;
	bool first = true;

	if (vp_json) {
		printf("{\"config\": {\"heap\": %" PRIu64 ", \"blob\": %" PRId64
		       ", \"objs\": %" PRIu64 ", \"dkeys\": %" PRIu64 ", \"akeys\": %" PRIu64
		       ", \"recs\": %" PRIu64 ", \"vsize\": %" PRIu64
		       ", \"array\": %s, \"random\": %s, \"int_dkey\": %s, \"zero_copy\": %s"
		       ", \"ults\": %u, \"seed\": %u, \"sync\": \"%s\", \"dir\": \"%s\""
		       ", \"cmds\": \"%s\"}",
		       vp_heap_sz, vp_blob_sz, vp_objs, vp_dkeys, vp_akeys, vp_recs, vp_vsize,
		       vp_array ? "true" : "false", vp_random ? "true" : "false",
		       vp_int_dkey ? "true" : "false", vp_zcopy ? "true" : "false", vp_ults,
		       vp_seed, sync, vp_dir, vp_cmdstr);
		for (i = 0; i < vp_cmd_nr; i++) {
			struct vp_result *r = &vp_res[i];

			printf(", \"%s\": {\"ops\": %" PRIu64
			       ", \"secs\": %.6f, \"ops_per_s\": %.1f"
			       ", \"mb_per_s\": %.1f, \"lat_avg_us\": %.2f, \"lat_p50_us\": %.2f"
			       ", \"lat_p99_us\": %.2f, \"lat_max_us\": %.2f"
			       ", \"xs_user_s\": %.3f, \"xs_sys_s\": %.3f, \"proc_cpu_s\": %.3f"
			       ", \"xs_involuntary_switches\": %" PRIu64
			       ", \"xs_voluntary_switches\": %" PRIu64 "}",
			       r->name, r->ops, r->secs, r->secs > 0 ? r->ops / r->secs : 0,
			       r->secs > 0 ? r->bytes / r->secs / 1e6 : 0, r->lat_avg_us,
			       r->lat_p50_us, r->lat_p99_us, r->lat_max_us, r->xs_user_s,
			       r->xs_sys_s, r->proc_cpu_s, r->xs_nivcsw, r->xs_nvcsw);
		}
		printf(", \"heap_used\": %" PRIu64 ", \"blob_used\": %" PRIu64
		       ", \"heap_bytes_per_record\": %.1f, \"blob_bytes_per_record\": %.1f}\n",
		       vp_heap_used, vp_blob_used, hpr, bpr);
		return;
	}
	printf("vos_perf: %" PRIu64 " objs x %" PRIu64 " dkeys x %" PRIu64 " akeys x %" PRIu64
	       " recs, %" PRIu64 " B %s%s values, %u ULT(s), DAOS_WAL_SYNC=%s, dir %s\n",
	       vp_objs, vp_dkeys, vp_akeys, vp_recs, vp_vsize, vp_array ? "array" : "single",
	       vp_array ? (vp_random ? " (random offsets)" : " (sequential offsets)") : "", vp_ults,
	       sync, vp_dir);
	for (i = 0; i < vp_cmd_nr; i++) {
		struct vp_result *r = &vp_res[i];

		if (!r->print)
			continue;
		if (first)
			printf("%-10s %10s %9s %12s %10s %9s %9s %9s\n", "command", "ops", "secs",
			       "ops/s", "MB/s", "avg_us", "p50_us", "p99_us");
		first = false;
		printf("%-10s %10" PRIu64 " %9.3f %12.1f %10.1f %9.2f %9.2f %9.2f\n", r->name,
		       r->ops, r->secs, r->secs > 0 ? r->ops / r->secs : 0,
		       r->secs > 0 ? r->bytes / r->secs / 1e6 : 0, r->lat_avg_us, r->lat_p50_us,
		       r->lat_p99_us);
	}
	for (i = 0; i < vp_cmd_nr; i++) {
		struct vp_result *r = &vp_res[i];
		double ops = r->ops ? (double)r->ops : 1;

		if (!r->print || r->xs_user_s + r->xs_sys_s + r->proc_cpu_s == 0)
			continue;
		printf("cpu: %-8s xstream %.2f us/op (user %.2f, sys %.2f), other threads %.2f "
		       "us/op, xstream off cpu %.0f%% of %.3f s, %" PRIu64 " preemptions, %" PRIu64
		       " sleeps\n",
		       r->name, (r->xs_user_s + r->xs_sys_s) * 1e6 / ops, r->xs_user_s * 1e6 / ops,
		       r->xs_sys_s * 1e6 / ops,
		       max(0.0, r->proc_cpu_s - r->xs_user_s - r->xs_sys_s) * 1e6 / ops,
		       r->secs > 0 ? max(0.0, 100 * (1 - (r->xs_user_s + r->xs_sys_s) / r->secs))
				   : 0,
		       r->secs, r->xs_nivcsw, r->xs_nvcsw);
	}
	if (vp_heap_used + vp_blob_used > 0)
		printf("space: heap %.1f bytes/record (%.1f MB), blob %.1f bytes/record "
		       "(%.1f MB)\n",
		       hpr, vp_heap_used / 1e6, bpr, vp_blob_used / 1e6);
}

int
main(int argc, char **argv)
{
	static const struct option lopts[] = {{"json", no_argument, NULL, 'j'},
					      {"help", no_argument, NULL, 'h'},
					      {NULL, 0, NULL, 0}};
	struct ult_init_attr ua = {.uia_nr_xs = 1};
	struct ult *ult;
	const char *sync, *env;
	uint64_t v, i, j;
	int opt, rc;

	while ((opt = getopt_long(argc, argv, "P:N:o:d:a:n:s:A::iR:G:zD:u:kjh", lopts, NULL)) !=
	       -1) {
		rc = 0;
		switch (opt) {
		case 'P':
			rc = parse_size(optarg, &vp_heap_sz);
			break;
		case 'N':
			if (strcmp(optarg, "auto") == 0) {
				vp_blob_sz = -1;
				break;
			}
			rc = parse_size(optarg, &v);
			vp_blob_sz = (int64_t)v;
			break;
		case 'o':
			rc = parse_count(optarg, &vp_objs);
			break;
		case 'd':
			rc = parse_count(optarg, &vp_dkeys);
			break;
		case 'a':
			rc = parse_count(optarg, &vp_akeys);
			break;
		case 'n':
			rc = parse_count(optarg, &vp_recs);
			break;
		case 's':
			rc = parse_size(optarg, &vp_vsize);
			break;
		case 'A':
			vp_array = true;
			/* "-A R" (separate word) as DAOS accepts it, or "-AR" */
			if (optarg == NULL && optind < argc && strcmp(argv[optind], "R") == 0)
				optarg = argv[optind++];
			if (optarg != NULL) {
				if (strcmp(optarg, "R") != 0 && strcmp(optarg, "r") != 0)
					rc = -1;
				vp_random = true;
			}
			break;
		case 'i':
			vp_int_dkey = true;
			break;
		case 'R':
			vp_cmdstr = optarg;
			break;
		case 'G':
			vp_seed = strtoul(optarg, NULL, 0);
			break;
		case 'z':
			vp_zcopy = true;
			break;
		case 'D':
			vp_dir = optarg;
			break;
		case 'u':
			rc = parse_count(optarg, &v);
			vp_ults = (unsigned int)v;
			if (v == 0 || v > 4096)
				rc = -1;
			break;
		case 'k':
			vp_keep = true;
			break;
		case 'j':
			vp_json = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
		if (rc != 0) {
			fprintf(stderr, "vos_perf: bad value for -%c: %s\n", opt,
				optarg ? optarg : "");
			return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "vos_perf: unexpected argument %s\n", argv[optind]);
		return 2;
	}
	if (vp_objs == 0 || vp_dkeys == 0 || vp_akeys == 0 || vp_recs == 0 || vp_vsize == 0) {
		fprintf(stderr, "vos_perf: -o, -d, -a, -n and -s must be > 0\n");
		return 2;
	}
	if (parse_cmds(vp_cmdstr) != 0)
		return 2;
	env = getenv("VOS_INLINE_THRESH");
	if (env != NULL && parse_size(env, &v) == 0)
		vp_inline_thresh = v;
	if (vp_blob_sz < 0) {
		/* the values plus a quarter, at least 64 MiB (the blob file is sparse) */
		v = vp_objs * vp_dkeys * vp_akeys * vp_recs * vp_vsize;
		vp_blob_sz = (int64_t)max(v + v / 4, 64ULL << 20);
		vp_blob_sz = D_ALIGNUP(vp_blob_sz, 1 << 20);
	}
	if (vp_dir == NULL)
		vp_dir = default_dir();
	snprintf(vp_workdir, sizeof(vp_workdir), "%s/vos_perf.XXXXXX", vp_dir);
	if (mkdtemp(vp_workdir) == NULL) {
		fprintf(stderr, "vos_perf: cannot create a directory in %s: %s\n", vp_dir,
			strerror(errno));
		return 1;
	}
	snprintf(vp_heap_path, sizeof(vp_heap_path), "%s/vos-0", vp_workdir);
	sync = getenv("DAOS_WAL_SYNC");
	if (sync == NULL || *sync == '\0')
		sync = "every";

	/* value source and array slot order */
	D_ALLOC_NZ(vp_src, vp_vsize);
	D_ALLOC_ARRAY(vp_slot, vp_recs);
	if (vp_src == NULL || vp_slot == NULL) {
		fprintf(stderr, "vos_perf: out of memory\n");
		return 1;
	}
	srandom(vp_seed);
	for (i = 0; i < vp_vsize; i++)
		vp_src[i] = (char)random();
	for (i = 0; i < vp_recs; i++)
		vp_slot[i] = i;
	for (i = vp_recs - 1; vp_random && i > 0; i--) {
		uint32_t t;

		j = random() % (i + 1);
		t = vp_slot[i];
		vp_slot[i] = vp_slot[j];
		vp_slot[j] = t;
	}

	rc = ult_init(&ua);
	if (rc != 0) {
		fprintf(stderr, "vos_perf: ult_init: " DF_RC "\n", DP_RC(rc));
		goto out;
	}
	umem_set_wait_ops(ult_umem_wait_ops());
	rc = ult_create(0, main_ult, NULL, 0, &ult);
	if (rc == 0)
		rc = ult_join(ult);
	umem_set_wait_ops(NULL);
	ult_fini();
	if (rc == 0)
		rc = vp_rc;
	if (rc == 0)
		print_results(sync);
out:
	if (!vp_keep)
		rmdir(vp_workdir);
	else
		fprintf(stderr, "vos_perf: files kept in %s\n", vp_workdir);
	D_FREE(vp_src);
	D_FREE(vp_slot);
	return rc == 0 ? 0 : 1;
}
