/**
 * self_test: RPC rate, latency and bulk bandwidth between this process and
 * any endpoints (rank:tag) of a group, with DAOS's options:
 *
 *   self_test --group-name daos_server --endpoint 0:0 [--path DIR] \
 *     --message-sizes "(0 0) (b1048576 0) (0 b1048576) i2048" \
 *     --max-inflight-rpcs 16 --repetitions 10000 [-j]
 *
 * A size is "N" or "iN" (inline iov), "bN" (bulk: the server pulls the
 * request data or pushes the reply data) or "eN"/"0" (empty); a single size
 * applies to both directions. --shutdown stops the servers afterwards.
 * Without --path (crt_test_server's attach-info directory) self_test asks
 * the system's access points for the group map (st_attach.c).
 */
#define D_LOGFAC DD_FAC(st)

#include <getopt.h>
#include <math.h>
#include <gurt/common.h>
#include "st_proto.h"
#include "st_attach.h"

#define ST_MAX_EP    1024
#define ST_MAX_SIZES 64

struct st_size {
	uint64_t send;
	uint64_t reply;
	char send_type; /* 'e', 'i', 'b' */
	char reply_type;
	char text[80];
};

struct st_run;

/* One in-flight position: it sends its next RPC when the previous completes. */
struct st_slot {
	struct st_run *run;
	uint64_t t0;
	/* request data (read-only) and reply data (writable) handles */
	crt_bulk_t bulk;
	char *buf;
	crt_bulk_t rbulk;
	char *rbuf;
};

struct st_run {
	crt_context_t ctx;
	crt_endpoint_t *eps;
	int nep;
	struct st_size *sz;
	struct st_slot *slots;
	int nslots;
	int sent;
	int done;
	int errors;
	int first_rc;
	int reps;
	int nbufs;
	uint64_t *lat;
	char *payload;
};

#define CRT_CTX_MAX_ST 64

static uint64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static int
parse_one(const char *s, uint64_t *size, char *type)
{
	char *end;

	*type = 'i';
	if (*s == 'e' || *s == 'i' || *s == 'b')
		*type = *s++;
	*size = strtoull(s, &end, 10);
	if (end == s || *end != '\0')
		return -1;
	if (*size == 0)
		*type = 'e';
	return 0;
}

/* "(0 0) (b1048576 0) i2048" -> sizes */
static int
parse_sizes(const char *spec, struct st_size *out, int max)
{
	const char *p = spec;
	int n = 0;

	while (*p != '\0') {
		char a[32] = {0}, b[32] = {0};
		int used = 0;

		while (*p == ' ' || *p == ',')
			p++;
		if (*p == '\0')
			break;
		if (n == max)
			return -1;
		if (*p == '(') {
			if (sscanf(p, "(%31[^ ,)]%*[ ,]%31[^)])%n", a, b, &used) != 2 || used == 0)
				return -1;
		} else {
			if (sscanf(p, "%31[^ ,]%n", a, &used) != 1)
				return -1;
			strcpy(b, a);
		}
		p += used;
		if (parse_one(a, &out[n].send, &out[n].send_type) != 0 ||
		    parse_one(b, &out[n].reply, &out[n].reply_type) != 0)
			return -1;
		snprintf(out[n].text, sizeof(out[n].text), "(%s %s)", a, b);
		n++;
	}
	return n;
}

/* "0-3,5:0-1" -> endpoints */
static int
parse_range(const char *s, uint32_t *vals, int max)
{
	char *dup = strdup(s), *tok, *save = NULL;
	int n = 0;

	for (tok = strtok_r(dup, ",", &save); tok != NULL; tok = strtok_r(NULL, ",", &save)) {
		unsigned lo, hi, v;

		if (sscanf(tok, "%u-%u", &lo, &hi) == 2) {
		} else if (sscanf(tok, "%u", &lo) == 1) {
			hi = lo;
		} else {
			n = -1;
			break;
		}
		for (v = lo; v <= hi && n >= 0; v++) {
			if (n == max) {
				n = -1;
				break;
			}
			vals[n++] = v;
		}
		if (n < 0)
			break;
	}
	free(dup);
	return n;
}

static int
parse_endpoints(const char *spec, crt_endpoint_t *eps, int max)
{
	char ranks[256], tags[256];
	uint32_t r[ST_MAX_EP], t[CRT_CTX_MAX_ST];
	int nr, nt, i, j, n = 0;

	if (sscanf(spec, "%255[^:]:%255s", ranks, tags) != 2)
		return -1;
	nr = parse_range(ranks, r, ST_MAX_EP);
	nt = parse_range(tags, t, CRT_CTX_MAX_ST);
	if (nr <= 0 || nt <= 0)
		return -1;
	for (i = 0; i < nr; i++)
		for (j = 0; j < nt; j++) {
			if (n == max)
				return -1;
			eps[n].ep_rank = r[i];
			eps[n].ep_tag = t[j];
			n++;
		}
	return n;
}

static void st_cb(const struct crt_cb_info *info);

static void
st_send(struct st_slot *slot)
{
	struct st_run *run = slot->run;
	struct st_size *sz = run->sz;
	struct st_ping_in *in;
	crt_rpc_t *rpc;
	int rc;

	rc = crt_req_create(run->ctx, &run->eps[run->sent % run->nep], ST_OPC_PING, &rpc);
	if (rc != 0) {
		fprintf(stderr, "crt_req_create: %d\n", rc);
		run->errors++;
		run->done++;
		run->sent++;
		return;
	}
	in = crt_req_get(rpc);
	run->sent++;
	in->pi_reply_size = sz->reply_type == 'i' ? (uint32_t)sz->reply : 0;
	if (sz->send_type == 'b') {
		in->pi_bulk_dir |= ST_BULK_IN;
		in->pi_bulk_len = sz->send;
		in->pi_bulk = slot->bulk;
	}
	if (sz->reply_type == 'b') {
		in->pi_bulk_dir |= ST_BULK_OUT;
		in->pi_rbulk_len = sz->reply;
		in->pi_rbulk = slot->rbulk;
	}
	if (sz->send_type == 'i')
		d_iov_set(&in->pi_data, run->payload, sz->send);
	slot->t0 = now_ns();
	crt_req_send(rpc, st_cb, slot);
}

static void
st_cb(const struct crt_cb_info *info)
{
	struct st_slot *slot = info->cci_arg;
	struct st_run *run = slot->run;
	struct st_ping_out *out = crt_reply_get(info->cci_rpc);
	int rc = info->cci_rc ? info->cci_rc : out->po_rc;

	if (run->done < run->reps)
		run->lat[run->done] = now_ns() - slot->t0;
	run->done++;
	if (rc != 0) {
		if (run->errors++ == 0)
			run->first_rc = rc;
	}
	if (run->sent < run->reps)
		st_send(slot);
}

static int
st_all_done(void *arg)
{
	struct st_run *run = arg;

	return run->done >= run->reps;
}

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static int
st_bulk_alloc(crt_context_t ctx, size_t len, crt_bulk_perm_t perm, char **buf, crt_bulk_t *bulk)
{
	d_sg_list_t sgl;
	d_iov_t iov;

	/*
	 * Real pages: an untouched calloc'ed buffer maps the shared zero page,
	 * and a GET reading it would copy from one cache-hot page.
	 */
	*buf = malloc(len);
	if (*buf == NULL)
		return -DER_NOMEM;
	memset(*buf, 0x3c, len);
	d_iov_set(&iov, *buf, len);
	sgl.sg_nr = 1;
	sgl.sg_iovs = &iov;
	return crt_bulk_create(ctx, &sgl, perm, bulk);
}

static int
st_run_size(struct st_run *run, struct st_size *sz, bool json, bool first)
{
	uint64_t t0, el, bytes;
	double secs, rate, bw;
	int i, rc;

	run->sz = sz;
	run->sent = 0;
	run->done = 0;
	run->errors = 0;
	run->first_rc = 0;
	for (i = 0; i < run->nslots; i++) {
		struct st_slot *slot = &run->slots[i];

		slot->run = run;
		/*
		 * Slots share --bulk-buffers buffers (default 1, as fi_pingpong's
		 * single buffer): 16 private 1 MiB buffers are copied from L3,
		 * one stays in L2. The data is a fixed pattern, never checked.
		 */
		if (run->nbufs > 0 && i >= run->nbufs) {
			slot->bulk = run->slots[i % run->nbufs].bulk;
			slot->rbulk = run->slots[i % run->nbufs].rbulk;
			continue;
		}
		if (sz->send_type == 'b') {
			rc = st_bulk_alloc(run->ctx, sz->send, CRT_BULK_RO, &slot->buf,
					   &slot->bulk);
			if (rc != 0)
				return rc;
		}
		if (sz->reply_type == 'b') {
			rc = st_bulk_alloc(run->ctx, sz->reply, CRT_BULK_RW, &slot->rbuf,
					   &slot->rbulk);
			if (rc != 0)
				return rc;
		}
	}
	t0 = now_ns();
	for (i = 0; i < run->nslots && run->sent < run->reps; i++)
		st_send(&run->slots[i]);
	rc = crt_progress_cond(run->ctx, -1, st_all_done, run);
	el = now_ns() - t0;
	for (i = 0; i < run->nslots; i++) {
		if (run->slots[i].buf == NULL && run->slots[i].rbuf == NULL) {
			run->slots[i].bulk = NULL;
			run->slots[i].rbulk = NULL;
			continue;
		}
		crt_bulk_free(run->slots[i].bulk);
		crt_bulk_free(run->slots[i].rbulk);
		free(run->slots[i].buf);
		free(run->slots[i].rbuf);
		run->slots[i].bulk = NULL;
		run->slots[i].rbulk = NULL;
		run->slots[i].buf = NULL;
		run->slots[i].rbuf = NULL;
	}
	if (rc != 0)
		return rc;
	qsort(run->lat, run->reps, sizeof(run->lat[0]), cmp_u64);
	secs = el / 1e9;
	rate = run->reps / secs;
	bytes = (sz->send + sz->reply) * (uint64_t)run->reps;
	bw = bytes / secs / 1e6;
#define P(q) (run->lat[(size_t)((run->reps - 1) * (q))] / 1000.0)
	if (json) {
		printf("%s\n  {\"size\": \"%s\", \"repetitions\": %d, \"errors\": %d, "
		       "\"rpcs_per_sec\": %.1f, \"bandwidth_mb_s\": %.2f, \"latency_us\": "
		       "{\"min\": %.1f, \"p50\": %.1f, \"p99\": %.1f, \"max\": %.1f}}",
		       first ? "" : ",", sz->text, run->reps, run->errors, rate, bw, P(0), P(0.5),
		       P(0.99), P(1.0));
	} else {
		printf("%-22s %8d %6d %12.1f %12.2f %9.1f %9.1f %9.1f %9.1f\n", sz->text, run->reps,
		       run->errors, rate, bw, P(0), P(0.5), P(0.99), P(1.0));
	}
#undef P
	if (run->errors > 0 && !json)
		fprintf(stderr, "%s: %d RPCs failed, first error %d\n", sz->text, run->errors,
			run->first_rc);
	return 0;
}

static void
st_shutdown_cb(const struct crt_cb_info *info)
{
	(*(int *)info->cci_arg)--;
}

static int
st_count_zero(void *arg)
{
	return *(int *)arg == 0;
}

static void
usage(const char *prog)
{
	fprintf(stderr,
		"usage: %s [--group-name NAME] --endpoint RANKS:TAGS [--path DIR]\n"
		"       [--message-sizes SIZES] [--max-inflight-rpcs N] [--repetitions N]\n"
		"       [-j|--json] [--shutdown] [--bulk-buffers N (0: one per RPC)]\n",
		prog);
}

int
main(int argc, char **argv)
{
	static struct option opts[] = {{"group-name", required_argument, NULL, 'g'},
				       {"endpoint", required_argument, NULL, 'e'},
				       {"message-sizes", required_argument, NULL, 's'},
				       {"max-inflight-rpcs", required_argument, NULL, 'i'},
				       {"repetitions", required_argument, NULL, 'r'},
				       {"path", required_argument, NULL, 'p'},
				       {"json", no_argument, NULL, 'j'},
				       {"shutdown", no_argument, NULL, 'x'},
				       {"bulk-buffers", required_argument, NULL, 'B'},
				       {"help", no_argument, NULL, 'h'},
				       {NULL, 0, NULL, 0}};
	const char *group = "daos_server", *endpoint = NULL, *path = NULL;
	const char *sizes = "(0 0) (b1048576 0) (0 b1048576) i2048";
	struct st_size sz[ST_MAX_SIZES];
	crt_endpoint_t *eps;
	struct st_run run = {0};
	crt_group_t *grp = NULL;
	int inflight = 16, reps = 10000, nsz, c, i, rc;
	bool json = false, shutdown = false;
	int nbufs = 1;

	while ((c = getopt_long(argc, argv, "g:e:s:i:r:p:jxB:h", opts, NULL)) != -1) {
		switch (c) {
		case 'g':
			group = optarg;
			break;
		case 'e':
			endpoint = optarg;
			break;
		case 's':
			sizes = optarg;
			break;
		case 'i':
			inflight = atoi(optarg);
			break;
		case 'r':
			reps = atoi(optarg);
			break;
		case 'p':
			path = optarg;
			break;
		case 'j':
			json = true;
			break;
		case 'x':
			shutdown = true;
			break;
		case 'B':
			nbufs = atoi(optarg);
			break;
		default:
			usage(argv[0]);
			return c == 'h' ? 0 : 2;
		}
	}
	if (endpoint == NULL || inflight < 1 || reps < 1 || nbufs < 0) {
		usage(argv[0]);
		return 2;
	}
	nsz = parse_sizes(sizes, sz, ST_MAX_SIZES);
	if (nsz <= 0) {
		fprintf(stderr, "bad --message-sizes: %s\n", sizes);
		return 2;
	}
	for (i = 0; i < nsz; i++) {
		if ((sz[i].send_type == 'i' && sz[i].send > 60000) ||
		    (sz[i].reply_type == 'i' && sz[i].reply > 60000)) {
			fprintf(stderr, "%s: iov sizes go up to 60000 bytes, use bN beyond\n",
				sz[i].text);
			return 2;
		}
	}
	eps = calloc(ST_MAX_EP, sizeof(*eps));
	run.nep = eps ? parse_endpoints(endpoint, eps, ST_MAX_EP) : -1;
	if (run.nep <= 0) {
		fprintf(stderr, "bad --endpoint: %s (want RANKS:TAGS, e.g. 0-1:0)\n", endpoint);
		return 2;
	}
	rc = crt_init(NULL, 0);
	if (rc == 0)
		rc = st_proto_register(false, NULL);
	if (rc == 0 && path != NULL)
		rc = crt_group_config_path_set(path);
	if (rc == 0 && path != NULL)
		rc = crt_group_attach((crt_group_id_t)group, &grp);
	if (rc == 0)
		rc = crt_context_create(&run.ctx);
	/* no attach-info file: the system's access points give the map, as to any client */
	if (rc == 0 && path == NULL)
		rc = st_attach_system(run.ctx, group);
	if (rc != 0) {
		fprintf(stderr, "setup failed: %d (is the server running, --path right?)\n", rc);
		return 1;
	}
	for (i = 0; i < run.nep; i++)
		eps[i].ep_grp = grp;
	run.eps = eps;
	run.reps = reps;
	run.nslots = inflight;
	run.nbufs = nbufs;
	run.slots = calloc(inflight, sizeof(*run.slots));
	run.lat = calloc(reps, sizeof(*run.lat));
	run.payload = calloc(1, 65536);
	if (run.slots == NULL || run.lat == NULL || run.payload == NULL)
		return 1;

	/* Connections are set up lazily: pay for them before measuring. */
	{
		struct st_size warm = {.send_type = 'e', .reply_type = 'e', .text = "warm-up"};
		int saved = run.reps;

		run.reps = run.nep;
		run.sz = &warm;
		for (i = 0; i < run.nep; i++)
			run.slots[0].run = &run;
		run.sent = run.done = run.errors = 0;
		for (i = 0; i < run.nep && i < run.nslots; i++) {
			run.slots[i].run = &run;
			st_send(&run.slots[i]);
		}
		crt_progress_cond(run.ctx, 30 * 1000 * 1000, st_all_done, &run);
		if (run.errors > 0) {
			fprintf(stderr, "endpoints unreachable: %d\n", run.first_rc);
			return 1;
		}
		run.reps = saved;
	}
	if (json)
		printf("[");
	else
		printf("%-22s %8s %6s %12s %12s %9s %9s %9s %9s\n", "size (send reply)", "rpcs",
		       "errors", "rpcs/s", "MB/s", "min us", "p50 us", "p99 us", "max us");
	for (i = 0; i < nsz; i++) {
		rc = st_run_size(&run, &sz[i], json, i == 0);
		if (rc != 0) {
			fprintf(stderr, "%s: %d\n", sz[i].text, rc);
			break;
		}
	}
	if (json)
		printf("\n]\n");

	if (shutdown) {
		int pending = run.nep;

		for (i = 0; i < run.nep; i++) {
			crt_rpc_t *rpc;

			if (crt_req_create(run.ctx, &eps[i], ST_OPC_SHUTDOWN, &rpc) != 0 ||
			    crt_req_send(rpc, st_shutdown_cb, &pending) != 0)
				pending--;
		}
		crt_progress_cond(run.ctx, 10 * 1000 * 1000, st_count_zero, &pending);
	}
	free(run.slots);
	free(run.lat);
	free(run.payload);
	crt_context_destroy(run.ctx, 1);
	if (grp != NULL)
		crt_group_detach(grp);
	crt_finalize();
	free(eps);
	return rc == 0 ? 0 : 1;
}
