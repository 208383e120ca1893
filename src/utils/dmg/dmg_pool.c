/*
 * dmg pool commands. create/destroy/list go to the management service
 * (access point); the others locate the pool's service there and talk to it.
 * Text and -j JSON follow DAOS's dmg.
 */
#define D_LOGFAC DD_FAC(pool)

#include <getopt.h>
#include <grp.h>
#include <pwd.h>
#include <unistd.h>
#include <gurt/common.h>
#include <daos/prop.h>
#include <daos/strutil.h>
#include <daos_security.h>
#include "dmg.h"
#include "../../pool/rpc.h"

#define POOL_OPTS_COMMON                                                        \
	{"json", no_argument, NULL, 'j'}, {"insecure", no_argument, NULL, 'i'}, \
		{"help", no_argument, NULL, 'h'},                               \
	{                                                                       \
		NULL, 0, NULL, 0                                                \
	}

struct pool_loc {
	uuid_t uuid;
	char label[DAOS_PROP_LABEL_MAX_LEN + 1];
	d_rank_t svc_rank;
	char *svc_uri;
	uint32_t nranks;
};

static int
leader_req(struct dmg *d, crt_opcode_t opc, crt_rpc_t **rpc)
{
	char *leader = NULL;
	int rc;

	rc = dmg_leader(d, &leader);
	if (rc != 0)
		return rc;
	rc = dmg_req(d, leader, opc, rpc);
	D_FREE(leader);
	return rc;
}

/* Send one RPC and wait; \a timeout_ms 0: dmg's default. */
static int
send_one(struct dmg *d, crt_rpc_t *rpc, uint32_t timeout_ms)
{
	uint32_t saved = d->timeout_ms;
	int rcs[1];

	if (timeout_ms > d->timeout_ms)
		d->timeout_ms = timeout_ms;
	dmg_send_all(d, &rpc, 1, rcs);
	d->timeout_ms = saved;
	return rcs[0];
}

static int
pool_locate(struct dmg *d, const char *id, struct pool_loc *loc)
{
	struct pool_locate_in *in;
	struct pool_locate_out *out;
	crt_rpc_t *rpc;
	int rc;

	memset(loc, 0, sizeof(*loc));
	rc = leader_req(d, POOL_LOCATE, &rpc);
	if (rc != 0)
		return rc;
	in = crt_req_get(rpc);
	in->pli_id = (d_string_t)id;
	rc = send_one(d, rpc, 0);
	out = crt_reply_get(rpc);
	if (rc == 0)
		rc = out->plo_rc;
	if (rc == 0) {
		uuid_copy(loc->uuid, out->plo_uuid);
		snprintf(loc->label, sizeof(loc->label), "%s",
			 out->plo_label ? out->plo_label : "");
		loc->svc_rank = out->plo_svc_rank;
		loc->nranks = out->plo_ranks ? out->plo_ranks->rl_nr : 0;
		D_STRNDUP(loc->svc_uri, out->plo_svc_uri, CRT_ADDR_STR_MAX_LEN);
		if (loc->svc_uri == NULL)
			rc = -DER_NOMEM;
	}
	crt_req_decref(rpc);
	if (rc != 0)
		dmg_fail(d, rc, "pool %s", id);
	return rc;
}

static int
svc_req(struct dmg *d, struct pool_loc *loc, crt_opcode_t opc, crt_rpc_t **rpc)
{
	crt_endpoint_t ep = {.ep_rank = 0, .ep_tag = 0};
	int rc;

	rc = crt_req_create(d->ctx, &ep, opc, rpc);
	if (rc == 0) {
		rc = crt_req_set_dest_uri(*rpc, loc->svc_uri);
		if (rc != 0)
			crt_req_decref(*rpc);
	}
	return rc;
}

static void
json_ranks(d_rank_list_t *r)
{
	uint32_t i;

	printf("[");
	for (i = 0; r != NULL && i < r->rl_nr; i++)
		printf("%s%u", i ? ", " : "", r->rl_ranks[i]);
	printf("]");
}

static char *
ranks_str(d_rank_list_t *r)
{
	if (r == NULL || r->rl_nr == 0)
		return NULL;
	return dmg_ranks_str(r->rl_ranks, (int)r->rl_nr);
}

/* ---- create ---- */

static int
parse_size(struct dmg *d, const char *opt, const char *s, uint64_t *size)
{
	int rc = daos_str2size(s, size);

	if (rc == 0 && *size == 0)
		rc = -DER_INVAL;
	if (rc != 0)
		return dmg_fail(d, rc, "pool create: bad %s \"%s\"", opt, s);
	return 0;
}

static int
cmd_pool_create(struct dmg *d, int argc, char **argv)
{
	static struct option opts[] = {{"size", required_argument, NULL, 'z'},
				       {"scm-size", required_argument, NULL, 's'},
				       {"nvme-size", required_argument, NULL, 'n'},
				       {"nsvc", required_argument, NULL, 'v'},
				       {"ranks", required_argument, NULL, 'r'},
				       {"properties", required_argument, NULL, 'P'},
				       {"user", required_argument, NULL, 'u'},
				       {"group", required_argument, NULL, 'g'},
				       {"label", required_argument, NULL, 'l'},
				       POOL_OPTS_COMMON};
	struct pool_create_in *in;
	struct pool_create_out *out;
	uint64_t total = 0, scm = 0, nvme = 0;
	const char *label = NULL, *props = NULL, *ranks = NULL;
	char *user = NULL, *group = NULL, errbuf[256] = "";
	d_rank_list_t *rl = NULL;
	daos_prop_t *prop = NULL;
	void *pbuf = NULL;
	size_t plen = 0;
	uint32_t nsvc = 0;
	crt_rpc_t *rpc = NULL;
	int c, rc;

	while ((c = getopt_long(argc, argv, "z:s:n:v:r:P:u:g:l:jih", opts, NULL)) != -1) {
		switch (c) {
		case 'z':
			if (parse_size(d, "--size", optarg, &total) != 0)
				return d->rc;
			break;
		case 's':
			if (parse_size(d, "--scm-size", optarg, &scm) != 0)
				return d->rc;
			break;
		case 'n':
			if (parse_size(d, "--nvme-size", optarg, &nvme) != 0)
				return d->rc;
			break;
		case 'v':
			nsvc = (uint32_t)atoi(optarg);
			break;
		case 'r':
			ranks = optarg;
			break;
		case 'P':
			props = optarg;
			break;
		case 'u':
			D_FREE(user);
			D_STRNDUP(user, optarg, DAOS_ACL_MAX_PRINCIPAL_LEN);
			break;
		case 'g':
			D_FREE(group);
			D_STRNDUP(group, optarg, DAOS_ACL_MAX_PRINCIPAL_LEN);
			break;
		case 'l':
			label = optarg;
			break;
		case 'j':
			d->json = true;
			break;
		case 'i':
			break;
		default:
			D_FREE(user);
			D_FREE(group);
			return dmg_fail(d, -DER_INVAL, "pool create: bad option (see dmg --help)");
		}
	}
	if (label == NULL && optind < argc)
		label = argv[optind];
	if (label == NULL) {
		dmg_fail(d, -DER_INVAL, "pool create: a pool label is required");
		goto out;
	}
	if (!daos_label_is_valid(label)) {
		dmg_fail(d, -DER_INVAL, "pool create: invalid label \"%s\"", label);
		goto out;
	}
	if (total == 0 && scm == 0) {
		dmg_fail(d, -DER_INVAL, "pool create: --size or --scm-size is required");
		goto out;
	}
	if (total != 0 && (scm != 0 || nvme != 0)) {
		dmg_fail(d, -DER_INVAL,
			 "pool create: --size cannot go with --scm-size/--nvme-size");
		goto out;
	}
	if (ranks != NULL && (dmg_parse_ranks(ranks, &rl) != 0 || rl == NULL || rl->rl_nr == 0)) {
		dmg_fail(d, -DER_INVAL, "pool create: bad --ranks \"%s\"", ranks);
		goto out;
	}
	if (props != NULL) {
		rc = daos_prop_parse_kv(props, true, DAOS_PROP_DESC_CREATE, &prop, errbuf,
					sizeof(errbuf));
		if (rc == 0)
			rc = daos_prop_encode(prop, &pbuf, &plen);
		if (rc != 0) {
			dmg_fail(d, rc, "pool create: bad --properties: %s", errbuf);
			goto out;
		}
	}
	/* the owner defaults to whoever runs dmg, as in DAOS */
	if (user == NULL) {
		struct passwd *pw = getpwuid(geteuid());

		D_ASPRINTF(user, "%s@", pw ? pw->pw_name : "root");
	} else if (strchr(user, '@') == NULL) {
		char *u = NULL;

		D_ASPRINTF(u, "%s@", user);
		D_FREE(user);
		user = u;
	}
	if (group == NULL) {
		struct group *gr = getgrgid(getegid());

		D_ASPRINTF(group, "%s@", gr ? gr->gr_name : "root");
	} else if (strchr(group, '@') == NULL) {
		char *g = NULL;

		D_ASPRINTF(g, "%s@", group);
		D_FREE(group);
		group = g;
	}
	if (user == NULL || group == NULL) {
		dmg_fail(d, -DER_NOMEM, "pool create");
		goto out;
	}
	rc = leader_req(d, POOL_CREATE, &rpc);
	if (rc != 0)
		goto out;
	in = crt_req_get(rpc);
	in->pci_label = (d_string_t)label;
	in->pci_total = total;
	in->pci_scm = scm;
	in->pci_nvme = nvme;
	in->pci_nsvc = nsvc;
	in->pci_ranks = rl;
	d_iov_set(&in->pci_prop, pbuf, plen);
	in->pci_user = user;
	in->pci_group = group;
	if (!d->json) {
		char s[32];

		if (total > 0) {
			cli_size_str(total, s, sizeof(s));
			printf("Creating DAOS pool with automatic storage allocation: %s total, "
			       "6,94 "
			       "tier ratio\n",
			       s);
		} else {
			char n[32];

			cli_size_str(scm, s, sizeof(s));
			cli_size_str(nvme, n, sizeof(n));
			printf("Creating DAOS pool with manual per-engine storage allocation: %s "
			       "(SCM) and %s (NVMe)\n",
			       s, n);
		}
	}
	/*
	 * creating the blobs of a big pool takes a while on every rank: wait
	 * longer than the server's create tree may take (10 min) plus the start
	 * of the pool service, so that dmg reports the server's outcome
	 */
	rc = send_one(d, rpc, 660000);
	out = crt_reply_get(rpc);
	if (rc == 0)
		rc = out->pco_rc;
	in->pci_ranks = NULL;
	if (rc != 0) {
		dmg_fail(d, rc, "pool create failed");
		if (d->json) {
			json_begin(d);
			printf("null");
			json_end(d);
		}
		goto out;
	}
	if (d->json) {
		char uuid[40];

		uuid_unparse_lower(out->pco_uuid, uuid);
		json_begin(d);
		printf("{\n    \"uuid\": \"%s\",\n    \"svc_ldr\": %u,\n    \"svc_reps\": ", uuid,
		       out->pco_svc_reps && out->pco_svc_reps->rl_nr
			       ? out->pco_svc_reps->rl_ranks[0]
			       : 0);
		json_ranks(out->pco_svc_reps);
		printf(",\n    \"tgt_ranks\": ");
		json_ranks(out->pco_tgt_ranks);
		printf(",\n    \"tier_bytes\": [%lu, %lu],\n    \"mem_file_bytes\": 0\n  }",
		       (unsigned long)out->pco_scm, (unsigned long)out->pco_nvme);
		json_end(d);
	} else {
		char uuid[40], tot[32], s[32], sr[32], n[32], nr[32];
		char *svc = ranks_str(out->pco_svc_reps), *tgt = ranks_str(out->pco_tgt_ranks);
		uint32_t nranks = out->pco_tgt_ranks ? out->pco_tgt_ranks->rl_nr : 1;
		uint64_t sum = out->pco_scm + out->pco_nvme;

		uuid_unparse_lower(out->pco_uuid, uuid);
		cli_size_str(sum, tot, sizeof(tot));
		cli_size_str(out->pco_scm, s, sizeof(s));
		cli_size_str(out->pco_scm / nranks, sr, sizeof(sr));
		cli_size_str(out->pco_nvme, n, sizeof(n));
		cli_size_str(out->pco_nvme / nranks, nr, sizeof(nr));
		printf("Pool created with %.2f%%,%.2f%% storage tier ratio\n",
		       sum ? 100.0 * (double)out->pco_scm / (double)sum : 100.0,
		       sum ? 100.0 * (double)out->pco_nvme / (double)sum : 0.0);
		printf("-------------------------------------------------\n");
		printf("  UUID                 : %s\n", uuid);
		printf("  Service Leader       : %u\n",
		       out->pco_svc_reps && out->pco_svc_reps->rl_nr
			       ? out->pco_svc_reps->rl_ranks[0]
			       : 0);
		printf("  Service Ranks        : %s\n", svc ? svc : "");
		printf("  Storage Ranks        : %s\n", tgt ? tgt : "");
		printf("  Total Size           : %s\n", tot);
		printf("  Storage tier 0 (SCM) : %s (%s / rank)\n", s, sr);
		printf("  Storage tier 1 (NVMe): %s (%s / rank)\n\n", n, nr);
		D_FREE(svc);
		D_FREE(tgt);
	}
out:
	if (rpc != NULL)
		crt_req_decref(rpc);
	d_rank_list_free(rl);
	daos_prop_free(prop);
	D_FREE(pbuf);
	D_FREE(user);
	D_FREE(group);
	return d->rc;
}

/* ---- destroy ---- */

static int
cmd_pool_destroy(struct dmg *d, int argc, char **argv)
{
	static struct option opts[] = {{"force", no_argument, NULL, 'f'},
				       {"recursive", no_argument, NULL, 'r'},
				       POOL_OPTS_COMMON};
	struct pool_destroy_in *in;
	struct pool_destroy_out *out;
	crt_rpc_t *rpc;
	bool force = false;
	int c, rc;

	while ((c = getopt_long(argc, argv, "frjih", opts, NULL)) != -1) {
		if (c == 'f')
			force = true;
		else if (c == 'j')
			d->json = true;
		else if (c != 'i' && c != 'r')
			return dmg_fail(d, -DER_INVAL, "pool destroy: bad option (see dmg --help)");
	}
	if (optind >= argc)
		return dmg_fail(d, -DER_INVAL, "pool destroy: a pool label or UUID is required");
	rc = leader_req(d, POOL_DESTROY, &rpc);
	if (rc != 0)
		return rc;
	in = crt_req_get(rpc);
	in->pdi_id = argv[optind];
	in->pdi_force = force;
	rc = send_one(d, rpc, 120000);
	out = crt_reply_get(rpc);
	if (rc == 0)
		rc = out->pdo_rc;
	crt_req_decref(rpc);
	if (rc != 0)
		dmg_fail(d, rc, "pool destroy %s failed%s", argv[optind],
			 rc == -DER_BUSY ? " (open handles: use --force)" : "");
	if (d->json) {
		json_begin(d);
		printf("null");
		json_end(d);
	} else if (rc == 0) {
		printf("Pool-destroy command succeeded\n");
	}
	return d->rc;
}

/* ---- query ---- */

struct pool_qres {
	struct pool_loc loc;
	uint32_t map_version;
	d_rank_t leader;
	struct pool_map *map;
	struct daos_pool_space ps;
	struct daos_rebuild_status rs;
	daos_prop_t *prop;
	uint32_t nhandles;
};

static void
qres_fini(struct pool_qres *q)
{
	pool_map_free(q->map);
	daos_prop_free(q->prop);
	D_FREE(q->loc.svc_uri);
}

static int
pool_query_rpc(struct dmg *d, const char *id, struct pool_qres *q)
{
	struct pool_query_in *in;
	struct pool_query_out *out;
	crt_rpc_t *rpc;
	int rc;

	memset(q, 0, sizeof(*q));
	rc = pool_locate(d, id, &q->loc);
	if (rc != 0)
		return rc;
	rc = svc_req(d, &q->loc, POOL_QUERY, &rpc);
	if (rc != 0)
		return dmg_fail(d, rc, "pool query %s", id);
	in = crt_req_get(rpc);
	uuid_copy(in->pqi_uuid, q->loc.uuid);
	in->pqi_bits = DPI_ALL;
	rc = send_one(d, rpc, 0);
	out = crt_reply_get(rpc);
	if (rc == 0)
		rc = out->pqo_rc;
	if (rc == 0 &&
	    (out->pqo_space.iov_len != sizeof(q->ps) || out->pqo_rebuild.iov_len != sizeof(q->rs)))
		rc = -DER_PROTO;
	if (rc == 0) {
		memcpy(&q->ps, out->pqo_space.iov_buf, sizeof(q->ps));
		memcpy(&q->rs, out->pqo_rebuild.iov_buf, sizeof(q->rs));
		q->map_version = out->pqo_map_version;
		q->leader = out->pqo_leader;
		q->nhandles = out->pqo_nhandles;
		rc = pool_map_decode(out->pqo_map.iov_buf, out->pqo_map.iov_len, &q->map);
		if (rc == 0)
			rc = daos_prop_decode(out->pqo_prop.iov_buf, out->pqo_prop.iov_len,
					      &q->prop);
	}
	crt_req_decref(rpc);
	if (rc != 0)
		dmg_fail(d, rc, "pool query %s failed", id);
	return rc;
}

static const char *const tier_names[] = {"SCM", "NVMe"};

static int
cmd_pool_query(struct dmg *d, int argc, char **argv)
{
	static struct option opts[] = {{"show-enabled", no_argument, NULL, 'e'},
				       {"show-disabled", no_argument, NULL, 'b'},
				       {"health-only", no_argument, NULL, 't'},
				       POOL_OPTS_COMMON};
	struct pool_qres q;
	char uuid[40];
	int c, m;

	while ((c = getopt_long(argc, argv, "ebtjih", opts, NULL)) != -1) {
		if (c == 'j')
			d->json = true;
		else if (c != 'i' && c != 'e' && c != 'b' && c != 't')
			return dmg_fail(d, -DER_INVAL, "pool query: bad option (see dmg --help)");
	}
	if (optind >= argc)
		return dmg_fail(d, -DER_INVAL, "pool query: a pool label or UUID is required");
	if (pool_query_rpc(d, argv[optind], &q) != 0) {
		if (d->json) {
			json_begin(d);
			printf("null");
			json_end(d);
		}
		qres_fini(&q);
		return d->rc;
	}
	uuid_unparse_lower(q.loc.uuid, uuid);
	if (d->json) {
		json_begin(d);
		printf("{\n    \"uuid\": \"%s\",\n    \"label\": ", uuid);
		cli_json_str(stdout, q.loc.label);
		printf(",\n    \"state\": \"Ready\",\n    \"total_targets\": %u,\n"
		       "    \"active_targets\": %u,\n    \"total_engines\": %u,\n"
		       "    \"disabled_targets\": %u,\n    \"version\": %u,\n    \"leader\": %u,\n"
		       "    \"svc_ldr\": %u,\n    \"svc_reps\": [%u],\n",
		       pool_map_ntargets(q.map),
		       pool_map_ntargets(q.map) - pool_map_ndisabled(q.map), q.map->pm_nranks,
		       pool_map_ndisabled(q.map), q.map_version, q.leader, q.leader,
		       q.loc.svc_rank);
		printf("    \"rebuild\": {\"status\": %d, \"state\": \"idle\", \"objects\": %lu, "
		       "\"records\": %lu},\n    \"tier_stats\": [",
		       q.rs.rs_errno, (unsigned long)q.rs.rs_obj_nr, (unsigned long)q.rs.rs_rec_nr);
		for (m = 0; m < DAOS_MEDIA_MAX; m++)
			printf("%s\n      {\"media_type\": \"%s\", \"total\": %lu, \"free\": %lu, "
			       "\"min\": %lu, \"max\": %lu, \"mean\": %lu}",
			       m ? "," : "", m ? "nvme" : "scm",
			       (unsigned long)q.ps.ps_space.s_total[m],
			       (unsigned long)q.ps.ps_space.s_free[m],
			       (unsigned long)q.ps.ps_free_min[m],
			       (unsigned long)q.ps.ps_free_max[m],
			       (unsigned long)q.ps.ps_free_mean[m]);
		printf("\n    ]\n  }");
		json_end(d);
	} else {
		printf("Pool %s, ntarget=%u, disabled=%u, leader=%u, version=%u, state=Ready\n",
		       uuid, pool_map_ntargets(q.map), pool_map_ndisabled(q.map), q.leader,
		       q.map_version);
		printf("Pool space info:\n- Target count:%u\n", q.ps.ps_ntargets);
		for (m = 0; m < DAOS_MEDIA_MAX; m++) {
			char t[32], f[32], mn[32], mx[32], me[32];

			cli_size_str(q.ps.ps_space.s_total[m], t, sizeof(t));
			cli_size_str(q.ps.ps_space.s_free[m], f, sizeof(f));
			cli_size_str(q.ps.ps_free_min[m], mn, sizeof(mn));
			cli_size_str(q.ps.ps_free_max[m], mx, sizeof(mx));
			cli_size_str(q.ps.ps_free_mean[m], me, sizeof(me));
			printf("- Storage tier %d (%s):\n  Total size: %s\n"
			       "  Free: %s, min:%s, max:%s, mean:%s\n",
			       m, tier_names[m], t, f, mn, mx, me);
		}
		if (q.rs.rs_errno != 0)
			printf("Rebuild failed, rc=%d, status=%d\n", q.rs.rs_errno, q.rs.rs_errno);
		else
			printf("Rebuild %s, %lu objs, %lu recs\n",
			       q.rs.rs_state == DRS_IN_PROGRESS ? "busy" : "idle",
			       (unsigned long)q.rs.rs_obj_nr, (unsigned long)q.rs.rs_rec_nr);
	}
	qres_fini(&q);
	return d->rc;
}

/* ---- list ---- */

static uint32_t
imbalance(struct daos_pool_space *ps, int m)
{
	uint64_t per;

	if (ps->ps_ntargets == 0 || ps->ps_space.s_total[m] == 0)
		return 0;
	per = ps->ps_space.s_total[m] / ps->ps_ntargets;
	return per ? (uint32_t)((ps->ps_free_max[m] - ps->ps_free_min[m]) * 100 / per) : 0;
}

static uint32_t
used_pct(struct daos_pool_space *ps, int m)
{
	if (ps->ps_space.s_total[m] == 0)
		return 0;
	return (uint32_t)((ps->ps_space.s_total[m] - ps->ps_space.s_free[m]) * 100 /
			  ps->ps_space.s_total[m]);
}

static int
cmd_pool_list(struct dmg *d, int argc, char **argv)
{
	static struct option opts[] = {{"verbose", no_argument, NULL, 'v'},
				       {"no-query", no_argument, NULL, 'n'},
				       POOL_OPTS_COMMON};
	struct pool_list_out *out;
	struct pool_qres *qs = NULL;
	pool_rec_t *recs;
	crt_rpc_t *rpc;
	bool verbose = false, noquery = false;
	char **cells = NULL;
	uint32_t n, i;
	int c, rc, m;

	while ((c = getopt_long(argc, argv, "vnjih", opts, NULL)) != -1) {
		if (c == 'v')
			verbose = true;
		else if (c == 'n')
			noquery = true;
		else if (c == 'j')
			d->json = true;
		else if (c != 'i')
			return dmg_fail(d, -DER_INVAL, "pool list: bad option (see dmg --help)");
	}
	rc = leader_req(d, POOL_LIST, &rpc);
	if (rc != 0)
		return rc;
	rc = send_one(d, rpc, 0);
	out = crt_reply_get(rpc);
	if (rc == 0)
		rc = out->plo_rc;
	if (rc != 0) {
		crt_req_decref(rpc);
		return dmg_fail(d, rc, "pool list failed");
	}
	recs = out->plo_pools.ca_arrays;
	n = (uint32_t)out->plo_pools.ca_count;
	D_ALLOC_ARRAY(qs, n + 1);
	if (qs == NULL) {
		crt_req_decref(rpc);
		return dmg_fail(d, -DER_NOMEM, "pool list");
	}
	for (i = 0; i < n && !noquery; i++) {
		char uuid[40];
		int saved = d->rc;

		uuid_unparse_lower(recs[i].pr_uuid, uuid);
		/* a pool whose service does not answer is still listed */
		if (pool_query_rpc(d, uuid, &qs[i]) != 0) {
			qs[i].map = NULL;
			d->rc = saved;
		}
	}
	if (d->json) {
		json_begin(d);
		printf("{\n    \"pools\": [");
		for (i = 0; i < n; i++) {
			char uuid[40];

			uuid_unparse_lower(recs[i].pr_uuid, uuid);
			printf("%s\n      {\"uuid\": \"%s\", \"label\": ", i ? "," : "", uuid);
			cli_json_str(stdout, recs[i].pr_label);
			printf(", \"svc_reps\": [%u], \"state\": \"Ready\"", recs[i].pr_svc_rank);
			if (qs[i].map != NULL) {
				printf(", \"total_targets\": %u, \"disabled_targets\": %u, "
				       "\"usage\": [",
				       pool_map_ntargets(qs[i].map), pool_map_ndisabled(qs[i].map));
				for (m = 0; m < DAOS_MEDIA_MAX; m++)
					printf("%s{\"tier_name\": \"%s\", \"size\": %lu, \"free\": "
					       "%lu, \"imbalance\": %u}",
					       m ? ", " : "", m ? "NVME" : "SCM",
					       (unsigned long)qs[i].ps.ps_space.s_total[m],
					       (unsigned long)qs[i].ps.ps_space.s_free[m],
					       imbalance(&qs[i].ps, m));
				printf("]");
			}
			printf("}");
		}
		printf("%s]\n  }", n ? "\n    " : "");
		json_end(d);
		goto out;
	}
	if (n == 0) {
		printf("No pools in system\n");
		goto out;
	}
	{
		static const char *const t_short[] = {"Pool", "Size",      "State",
						      "Used", "Imbalance", "Disabled"};
		static const char *const t_long[] = {"Label",          "UUID",      "State",
						     "SvcReps",        "SCM Size",  "SCM Used",
						     "SCM Imbalance",  "NVME Size", "NVME Used",
						     "NVME Imbalance", "Disabled"};
		int ncols = verbose ? 11 : 6, k = 0;

		D_ALLOC_ARRAY(cells, (size_t)ncols * n);
		if (cells == NULL) {
			dmg_fail(d, -DER_NOMEM, "pool list");
			goto out;
		}
		for (i = 0; i < n; i++) {
			struct daos_pool_space *ps = &qs[i].ps;
			bool ok = qs[i].map != NULL;
			int big = ps->ps_space.s_total[DAOS_MEDIA_NVME] ? DAOS_MEDIA_NVME
									: DAOS_MEDIA_SCM;
			char sz[32], uuid[40];

			uuid_unparse_lower(recs[i].pr_uuid, uuid);
			D_STRNDUP(cells[k++], recs[i].pr_label, DAOS_PROP_LABEL_MAX_LEN);
			if (verbose) {
				D_STRNDUP(cells[k++], uuid, 40);
				D_STRNDUP(cells[k++], "Ready", 5);
				D_ASPRINTF(cells[k++], "[%u]", recs[i].pr_svc_rank);
				for (m = 0; m < DAOS_MEDIA_MAX; m++) {
					cli_size_str(ps->ps_space.s_total[m], sz, sizeof(sz));
					D_STRNDUP(cells[k++], sz, 32);
					cli_size_str(ps->ps_space.s_total[m] -
							     ps->ps_space.s_free[m],
						     sz, sizeof(sz));
					D_STRNDUP(cells[k++], sz, 32);
					D_ASPRINTF(cells[k++], "%u%%", imbalance(ps, m));
				}
			} else {
				cli_size_str(ps->ps_space.s_total[big], sz, sizeof(sz));
				D_STRNDUP(cells[k++], sz, 32);
				D_STRNDUP(cells[k++], "Ready", 5);
				D_ASPRINTF(cells[k++], "%u%%", used_pct(ps, big));
				D_ASPRINTF(cells[k++], "%u%%", imbalance(ps, big));
			}
			if (ok)
				D_ASPRINTF(cells[k++], "%u/%u", pool_map_ndisabled(qs[i].map),
					   pool_map_ntargets(qs[i].map));
			else
				D_STRNDUP(cells[k++], "?", 1);
		}
		daos_table_fprint(stdout, ncols, verbose ? t_long : t_short,
				  (const char *const *)cells, (int)n);
		for (k = 0; k < ncols * (int)n; k++)
			D_FREE(cells[k]);
		D_FREE(cells);
	}
out:
	for (i = 0; i < n; i++)
		qres_fini(&qs[i]);
	D_FREE(qs);
	crt_req_decref(rpc);
	return d->rc;
}

/* ---- properties and ACL ---- */

static int
cmd_pool_get_prop(struct dmg *d, int argc, char **argv)
{
	struct pool_qres q;
	daos_prop_t *want = NULL;
	int c;
	uint32_t i;

	while ((c = getopt_long(argc, argv, "jih", (struct option[]){POOL_OPTS_COMMON}, NULL)) !=
	       -1) {
		if (c == 'j')
			d->json = true;
		else if (c != 'i')
			return dmg_fail(d, -DER_INVAL, "pool get-prop: bad option");
	}
	if (optind >= argc)
		return dmg_fail(d, -DER_INVAL, "pool get-prop: a pool label or UUID is required");
	if (pool_query_rpc(d, argv[optind], &q) != 0)
		goto out;
	if (optind + 1 < argc) {
		/* only the named properties */
		want = daos_prop_alloc((uint32_t)(argc - optind - 1));
		for (i = 0; want != NULL && i < want->dpp_nr; i++) {
			const struct daos_prop_desc *pd =
				daos_prop_desc_by_name(argv[optind + 1 + i], true);

			if (pd == NULL) {
				dmg_fail(d, -DER_INVAL, "pool get-prop: unknown property \"%s\"",
					 argv[optind + 1 + i]);
				goto out;
			}
			want->dpp_entries[i].dpe_type = pd->pd_type;
		}
	} else {
		want = daos_prop_alloc_listed(true);
	}
	if (want == NULL || daos_prop_copy(want, q.prop) != 0) {
		dmg_fail(d, -DER_NOMEM, "pool get-prop");
		goto out;
	}
	if (d->json) {
		json_begin(d);
		printf("[");
		for (i = 0; i < want->dpp_nr; i++) {
			const struct daos_prop_desc *pd =
				daos_prop_desc_by_type(want->dpp_entries[i].dpe_type);
			char val[1024] = "";

			if (pd == NULL)
				continue;
			daos_prop_entry_to_str(&want->dpp_entries[i], val, sizeof(val));
			printf("%s\n    {\"name\": ", i ? "," : "");
			cli_json_str(stdout, pd->pd_name);
			printf(", \"description\": ");
			cli_json_str(stdout, pd->pd_desc);
			printf(", \"value\": ");
			cli_json_str(stdout, val);
			printf("}");
		}
		printf("\n  ]");
		json_end(d);
	} else {
		daos_prop_print_table(stdout, want);
	}
out:
	if (d->rc != 0 && d->json) {
		json_begin(d);
		printf("null");
		json_end(d);
	}
	daos_prop_free(want);
	qres_fini(&q);
	return d->rc;
}

static int
prop_set_rpc(struct dmg *d, const char *id, uint32_t op, daos_prop_t *prop, const char *principal,
	     const char *what)
{
	struct pool_prop_set_in *in;
	struct pool_prop_set_out *out;
	struct pool_loc loc;
	void *buf = NULL;
	size_t len = 0;
	crt_rpc_t *rpc;
	int rc;

	rc = pool_locate(d, id, &loc);
	if (rc != 0)
		return rc;
	if (prop != NULL) {
		rc = daos_prop_encode(prop, &buf, &len);
		if (rc != 0)
			goto out;
	}
	rc = svc_req(d, &loc, POOL_PROP_SET, &rpc);
	if (rc != 0)
		goto out;
	in = crt_req_get(rpc);
	uuid_copy(in->psi_uuid, loc.uuid);
	in->psi_op = op;
	d_iov_set(&in->psi_prop, buf, len);
	in->psi_principal = (d_string_t)principal;
	rc = send_one(d, rpc, 0);
	out = crt_reply_get(rpc);
	if (rc == 0)
		rc = out->pso_rc;
	crt_req_decref(rpc);
out:
	D_FREE(buf);
	D_FREE(loc.svc_uri);
	if (rc != 0)
		dmg_fail(d, rc, "pool %s failed", what);
	return rc;
}

static int
cmd_pool_set_prop(struct dmg *d, int argc, char **argv)
{
	daos_prop_t *prop = NULL;
	char errbuf[256] = "";
	int c, rc;

	while ((c = getopt_long(argc, argv, "jih", (struct option[]){POOL_OPTS_COMMON}, NULL)) !=
	       -1) {
		if (c == 'j')
			d->json = true;
		else if (c != 'i')
			return dmg_fail(d, -DER_INVAL, "pool set-prop: bad option");
	}
	if (optind + 1 >= argc)
		return dmg_fail(d, -DER_INVAL, "usage: dmg pool set-prop POOL name:value[,...]");
	rc = daos_prop_parse_kv(argv[optind + 1], true, DAOS_PROP_DESC_SET, &prop, errbuf,
				sizeof(errbuf));
	if (rc != 0)
		return dmg_fail(d, rc, "pool set-prop: %s", errbuf[0] ? errbuf : "bad properties");
	prop_set_rpc(d, argv[optind], POOL_PROP_OP_SET, prop, NULL, "set-prop");
	daos_prop_free(prop);
	if (d->json) {
		json_begin(d);
		printf("null");
		json_end(d);
	} else if (d->rc == 0) {
		printf("pool set-prop succeeded\n");
	}
	return d->rc;
}

static void
print_acl(struct dmg *d, struct pool_qres *q, bool verbose)
{
	struct daos_prop_entry *acl = daos_prop_entry_get(q->prop, DAOS_PROP_PO_ACL);
	struct daos_prop_entry *own = daos_prop_entry_get(q->prop, DAOS_PROP_PO_OWNER);
	struct daos_prop_entry *grp = daos_prop_entry_get(q->prop, DAOS_PROP_PO_OWNER_GROUP);

	if (d->json) {
		json_begin(d);
		cli_acl_json(acl, own, grp);
		json_end(d);
		return;
	}
	printf("# Owner: %s\n# Owner Group: %s\n", own ? own->dpe_str : "",
	       grp ? grp->dpe_str : "");
	if (acl != NULL)
		daos_acl_to_stream(stdout, acl->dpe_val_ptr, verbose);
}

static int
acl_cmd_opts(struct dmg *d, int argc, char **argv, const char *cmd, const char **file,
	     const char **entry, const char **principal, bool *verbose)
{
	static struct option opts[] = {{"acl-file", required_argument, NULL, 'a'},
				       {"entry", required_argument, NULL, 'e'},
				       {"principal", required_argument, NULL, 'p'},
				       {"verbose", no_argument, NULL, 'v'},
				       {"outfile", required_argument, NULL, 'o'},
				       POOL_OPTS_COMMON};
	int c;

	while ((c = getopt_long(argc, argv, "a:e:p:vo:jih", opts, NULL)) != -1) {
		switch (c) {
		case 'a':
			*file = optarg;
			break;
		case 'e':
			*entry = optarg;
			break;
		case 'p':
			*principal = optarg;
			break;
		case 'v':
			*verbose = true;
			break;
		case 'j':
			d->json = true;
			break;
		case 'i':
		case 'o':
			break;
		default:
			return dmg_fail(d, -DER_INVAL, "pool %s: bad option", cmd);
		}
	}
	if (optind >= argc)
		return dmg_fail(d, -DER_INVAL, "pool %s: a pool label or UUID is required", cmd);
	return 0;
}

static int
cmd_pool_get_acl(struct dmg *d, int argc, char **argv)
{
	const char *file = NULL, *entry = NULL, *principal = NULL;
	bool verbose = false;
	struct pool_qres q = {0};

	if (acl_cmd_opts(d, argc, argv, "get-acl", &file, &entry, &principal, &verbose) != 0)
		return d->rc;
	if (pool_query_rpc(d, argv[optind], &q) == 0)
		print_acl(d, &q, verbose);
	qres_fini(&q);
	return d->rc;
}

/* ACEs from -e or from an ACL file (one per line, '#' comments). */
static int
acl_read(struct dmg *d, const char *file, const char *entry, struct daos_acl **acl)
{
	FILE *f;
	int rc;

	if (entry != NULL)
		return daos_acl_from_strs(&entry, 1, acl);
	f = fopen(file, "r");
	if (f == NULL)
		return dmg_fail(d, -DER_NONEXIST, "cannot read ACL file %s", file);
	rc = cli_acl_read(f, acl);
	fclose(f);
	return rc;
}

static int
cmd_pool_update_acl(struct dmg *d, int argc, char **argv)
{
	const char *file = NULL, *entry = NULL, *principal = NULL;
	struct pool_qres q = {0};
	struct daos_acl *acl = NULL;
	daos_prop_t *prop;
	bool verbose = false;
	int rc;

	if (acl_cmd_opts(d, argc, argv, "update-acl", &file, &entry, &principal, &verbose) != 0)
		return d->rc;
	if ((file == NULL) == (entry == NULL))
		return dmg_fail(d, -DER_INVAL, "pool update-acl: give one of -a FILE or -e ACE");
	rc = acl_read(d, file, entry, &acl);
	if (rc != 0)
		return dmg_fail(d, rc, "pool update-acl: bad ACL");
	prop = daos_prop_alloc(1);
	if (prop == NULL) {
		daos_acl_free(acl);
		return dmg_fail(d, -DER_NOMEM, "pool update-acl");
	}
	prop->dpp_entries[0].dpe_type = DAOS_PROP_PO_ACL;
	prop->dpp_entries[0].dpe_val_ptr = acl;
	rc = prop_set_rpc(d, argv[optind], POOL_PROP_OP_ACL_UPDATE, prop, NULL, "update-acl");
	daos_prop_free(prop);
	if (rc == 0 && pool_query_rpc(d, argv[optind], &q) == 0)
		print_acl(d, &q, verbose);
	qres_fini(&q);
	return d->rc;
}

static int
cmd_pool_delete_acl(struct dmg *d, int argc, char **argv)
{
	const char *file = NULL, *entry = NULL, *principal = NULL;
	struct pool_qres q = {0};
	bool verbose = false;
	int rc;

	if (acl_cmd_opts(d, argc, argv, "delete-acl", &file, &entry, &principal, &verbose) != 0)
		return d->rc;
	if (principal == NULL)
		return dmg_fail(d, -DER_INVAL, "pool delete-acl: -p PRINCIPAL is required");
	rc = prop_set_rpc(d, argv[optind], POOL_PROP_OP_ACL_DELETE, NULL, principal, "delete-acl");
	if (rc == 0 && pool_query_rpc(d, argv[optind], &q) == 0)
		print_acl(d, &q, verbose);
	qres_fini(&q);
	return d->rc;
}

const struct dmg_cmd dmg_pool_cmds[] = {
	{"pool", "create", cmd_pool_create,
	 "create a pool: [--size N | --scm-size A --nvme-size B] [--ranks] [--properties] LABEL"},
	{"pool", "destroy", cmd_pool_destroy, "destroy a pool [--force]"},
	{"pool", "list", cmd_pool_list, "pools of the system [-v]"},
	{"pool", "query", cmd_pool_query, "targets, space and rebuild state of a pool"},
	{"pool", "get-prop", cmd_pool_get_prop, "properties of a pool [names...]"},
	{"pool", "set-prop", cmd_pool_set_prop, "set properties: POOL name:value[,name:value]"},
	{"pool", "get-acl", cmd_pool_get_acl, "ACL of a pool [--verbose]"},
	{"pool", "update-acl", cmd_pool_update_acl, "add or change ACEs: -e ACE | -a FILE"},
	{"pool", "delete-acl", cmd_pool_delete_acl, "remove a principal's ACE: -p PRINCIPAL"},
	{NULL, NULL, NULL, NULL},
};
