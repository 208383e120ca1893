/**
 * The management service's pool table (access point only): label, UUID,
 * ranks and service rank of every pool, with its state, persisted as a
 * small text file next to the system database. Pool create and destroy are
 * driven from here: a collective RPC over the chosen ranks (k-nomial tree)
 * makes every target of every rank create (or destroy) its VOS pool, each
 * hop aggregating errors and target counts; then the service starts on the
 * first chosen rank. A failure anywhere removes the pool everywhere (by the
 * tree, then rank by rank if the tree failed: a dead inner rank would cut
 * off its subtree); a record still "creating" at start (the access point
 * died mid-create) is rolled back the same way.
 */
#define D_LOGFAC DD_FAC(pool)

#include <errno.h>
#include <limits.h>
#include <pwd.h>
#include <grp.h>
#include <unistd.h>
#include <gurt/common.h>
#include <daos/prop.h>
#include <daos/security.h>
#include <daos/strutil.h>
#include "srv_internal.h"

int mgmt_addr2uri(const char *provider, const char *addr, int default_port, char **uri);

struct pool_entry {
	d_list_t pe_link;
	uuid_t pe_uuid;
	char pe_label[DAOS_PROP_LABEL_MAX_LEN + 1];
	uint32_t pe_state;
	d_rank_t pe_svc_rank;
	d_rank_list_t *pe_ranks;
};

static d_list_t pool_table = D_LIST_HEAD_INIT(pool_table);
static bool pool_table_loaded;
static int pool_is_ap = -1;

bool
ds_pool_mgmt_is_ap(void)
{
	const struct dss_srv_config *cfg = dss_srv_config_get();
	const char *self = dss_self_uri();
	char *ap = NULL;

	if (pool_is_ap >= 0)
		return pool_is_ap;
	if (cfg->sc_nr_access_points == 0 || self == NULL)
		return false;
	if (mgmt_addr2uri(cfg->sc_provider, cfg->sc_access_points[0], cfg->sc_port, &ap) != 0)
		return false;
	pool_is_ap = strcmp(ap, self) == 0;
	D_FREE(ap);
	return pool_is_ap;
}

static void
entry_free(struct pool_entry *pe)
{
	d_rank_list_free(pe->pe_ranks);
	D_FREE(pe);
}

static int
table_save(void)
{
	const struct dss_srv_config *cfg = dss_srv_config_get();
	char path[PATH_MAX], tmp[PATH_MAX + 8], uuid[40];
	struct pool_entry *pe;
	FILE *f;
	uint32_t i;
	int rc = 0;

	snprintf(path, sizeof(path), "%s/%s", cfg->sc_scm_mount, POOL_TABLE_FILE);
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	f = fopen(tmp, "w");
	if (f == NULL)
		return d_errno2der(errno);
	fprintf(f, "# pdaos pool table: do not edit\n");
	d_list_for_each_entry(pe, &pool_table, pe_link)
	{
		uuid_unparse_lower(pe->pe_uuid, uuid);
		fprintf(f, "pool %s %u %u %s %u", uuid, pe->pe_state, pe->pe_svc_rank, pe->pe_label,
			pe->pe_ranks->rl_nr);
		for (i = 0; i < pe->pe_ranks->rl_nr; i++)
			fprintf(f, " %u", pe->pe_ranks->rl_ranks[i]);
		fprintf(f, "\n");
	}
	if (fflush(f) != 0 || fsync(fileno(f)) != 0)
		rc = d_errno2der(errno);
	fclose(f);
	if (rc == 0 && rename(tmp, path) != 0)
		rc = d_errno2der(errno);
	if (rc != 0)
		D_ERROR("cannot save %s: " DF_RC "\n", path, DP_RC(rc));
	return rc;
}

static struct pool_entry *
table_find(const char *id)
{
	struct pool_entry *pe;
	uuid_t uuid;
	bool by_uuid = id != NULL && uuid_parse(id, uuid) == 0;

	if (id == NULL)
		return NULL;
	d_list_for_each_entry(pe, &pool_table, pe_link)
	{
		if (by_uuid ? uuid_compare(pe->pe_uuid, uuid) == 0 : strcmp(pe->pe_label, id) == 0)
			return pe;
	}
	return NULL;
}

static void pool_rollback_start(void);
static void pool_rollback_stop(void);

/* one rollback ULT at a time; cleanup stops and joins it */
static struct ult *rb_ult;
static bool rb_running;
static bool rb_stop;

int
ds_pool_mgmt_load(void)
{
	const struct dss_srv_config *cfg = dss_srv_config_get();
	char path[PATH_MAX], line[8192];
	struct pool_entry *pe;
	bool stale = false;
	FILE *f;

	ds_pool_mgmt_unload();
	rb_stop = false;
	pool_table_loaded = true;
	snprintf(path, sizeof(path), "%s/%s", cfg->sc_scm_mount, POOL_TABLE_FILE);
	f = fopen(path, "r");
	if (f == NULL)
		return errno == ENOENT ? 0 : d_errno2der(errno);
	while (fgets(line, sizeof(line), f) != NULL) {
		char uuid[64], label[DAOS_PROP_LABEL_MAX_LEN + 1], *p, *end;
		unsigned int state, svc, nr, i;
		int off = 0;

		if (line[0] == '#')
			continue;
		if (sscanf(line, "pool %63s %u %u %127s %u%n", uuid, &state, &svc, label, &nr,
			   &off) != 5 ||
		    nr == 0 || nr > 65536) {
			D_WARN("%s: bad line ignored: %s", POOL_TABLE_FILE, line);
			continue;
		}
		D_ALLOC_PTR(pe);
		if (pe == NULL)
			break;
		pe->pe_ranks = d_rank_list_alloc(nr);
		if (pe->pe_ranks == NULL || uuid_parse(uuid, pe->pe_uuid) != 0) {
			entry_free(pe);
			continue;
		}
		memcpy(pe->pe_label, label, sizeof(label));
		pe->pe_state = state;
		pe->pe_svc_rank = svc;
		for (i = 0, p = line + off; i < nr; i++, p = end)
			pe->pe_ranks->rl_ranks[i] = (d_rank_t)strtoul(p, &end, 10);
		d_list_add_tail(&pe->pe_link, &pool_table);
		if (state != POOL_REC_READY)
			stale = true;
	}
	fclose(f);
	/* pools some create or destroy did not finish: finish removing them once ranks are back */
	if (stale)
		pool_rollback_start();
	return 0;
}

void
ds_pool_mgmt_unload(void)
{
	struct pool_entry *pe, *tmp;

	pool_rollback_stop();
	d_list_for_each_entry_safe(pe, tmp, &pool_table, pe_link)
	{
		d_list_del(&pe->pe_link);
		entry_free(pe);
	}
	pool_table_loaded = false;
}

int ds_pool_send_all(crt_rpc_t **rpcs, int nr, uint32_t timeout_ms, int *rcs);

/*
 * One RPC per rank of \a ranks, sent at once; the local rank's request is
 * not sent but handled by \a local (its reply struct filled in place), so a
 * slow or dead peer cannot hold our own share back.
 */
static int
send_ranks(d_rank_list_t *ranks, crt_opcode_t opc, void (*fill)(void *in, void *arg),
	   void (*local)(void *in, void *out), void *arg, uint32_t timeout_ms, crt_rpc_t ***rpcsp,
	   int **rcsp)
{
	struct dss_module_info *dmi = dss_get_module_info();
	crt_rpc_t **rpcs, **remote = NULL;
	int *rcs, *rrcs = NULL, self = -1, n = 0;
	void *w = NULL;
	uint32_t i;
	int rc = 0;

	D_ALLOC_ARRAY(rpcs, ranks->rl_nr + 1);
	D_ALLOC_ARRAY(rcs, ranks->rl_nr + 1);
	D_ALLOC_ARRAY(remote, ranks->rl_nr + 1);
	D_ALLOC_ARRAY(rrcs, ranks->rl_nr + 1);
	if (rpcs == NULL || rcs == NULL || remote == NULL || rrcs == NULL)
		D_GOTO(err, rc = -DER_NOMEM);
	for (i = 0; i < ranks->rl_nr; i++) {
		crt_endpoint_t ep = {.ep_rank = ranks->rl_ranks[i], .ep_tag = 0};

		rc = crt_req_create(dmi->dmi_ctx, &ep, opc, &rpcs[i]);
		if (rc != 0) {
			while (i > 0)
				crt_req_decref(rpcs[--i]);
			goto err;
		}
		fill(crt_req_get(rpcs[i]), arg);
		if (ranks->rl_ranks[i] == dss_self_rank())
			self = (int)i;
		else
			remote[n++] = rpcs[i];
	}
	if (n > 0) {
		rc = ds_pool_send_all_start(remote, n, timeout_ms, rrcs, &w);
		for (i = 0; rc != 0 && i < (uint32_t)n; i++)
			rrcs[i] = rc;
	}
	if (self >= 0) {
		local(crt_req_get(rpcs[self]), crt_reply_get(rpcs[self]));
		rcs[self] = 0;
	}
	if (w != NULL)
		ds_pool_send_all_wait(w);
	for (i = 0, n = 0; i < ranks->rl_nr; i++)
		if ((int)i != self)
			rcs[i] = rrcs[n++];
	D_FREE(remote);
	D_FREE(rrcs);
	*rpcsp = rpcs;
	*rcsp = rcs;
	return 0;
err:
	D_FREE(rpcs);
	D_FREE(rcs);
	D_FREE(remote);
	D_FREE(rrcs);
	return rc;
}

static void
local_tgt_destroy(void *in_, void *out_)
{
	struct pool_tgt_destroy_in *in = in_;
	struct pool_tgt_destroy_out *out = out_;

	out->tdo_rc = ds_pool_tgt_destroy_local(in->tdi_uuid);
}

static void
put_rpcs(crt_rpc_t **rpcs, int *rcs, uint32_t nr)
{
	uint32_t i;

	for (i = 0; i < nr; i++)
		crt_req_decref(rpcs[i]);
	D_FREE(rpcs);
	D_FREE(rcs);
}

struct tgt_args {
	uuid_t uuid;
	uint64_t scm;
	uint64_t nvme;
	bool force;
};

static void
fill_tgt_create(void *in_, void *arg)
{
	struct pool_tgt_create_in *in = in_;
	struct tgt_args *a = arg;

	uuid_copy(in->tci_uuid, a->uuid);
	in->tci_scm = a->scm;
	in->tci_nvme = a->nvme;
}

static void
fill_tgt_destroy(void *in_, void *arg)
{
	struct pool_tgt_destroy_in *in = in_;
	struct tgt_args *a = arg;

	uuid_copy(in->tdi_uuid, a->uuid);
	in->tdi_force = a->force;
}

/*
 * A collective RPC over \a ranks (k-nomial tree rooted here when this rank
 * is one of them), sent and waited for; the caller reads the aggregated
 * output and drops its reference.
 */
static int
send_tree(d_rank_list_t *ranks, crt_opcode_t opc, void (*fill)(void *in, void *arg), void *arg,
	  uint32_t timeout_ms, crt_rpc_t **rpcp)
{
	struct dss_module_info *dmi = dss_get_module_info();
	crt_rpc_t *rpc;
	int rc, rcs[1];

	rc = crt_corpc_req_create(dmi->dmi_ctx, NULL, ranks, opc, NULL, NULL,
				  CRT_RPC_FLAG_FILTER_INVERT,
				  crt_tree_topo(CRT_TREE_KNOMIAL, POOL_TREE_RATIO), &rpc);
	if (rc != 0)
		return rc;
	fill(crt_req_get(rpc), arg);
	rc = ds_pool_send_all(&rpc, 1, timeout_ms, rcs);
	if (rc != 0) {
		crt_req_decref(rpc);
		return rc;
	}
	*rpcp = rpc;
	return 0;
}

/* Destroy the pool's targets on every rank; the first error (e.g. a rank down) is returned. */
static int
pool_destroy_targets(const uuid_t uuid, d_rank_list_t *ranks)
{
	struct tgt_args a = {.force = true};
	crt_rpc_t **rpcs, *rpc;
	int *rcs, rc;
	uint32_t i;

	uuid_copy(a.uuid, uuid);
	rc = send_tree(ranks, POOL_TGT_DESTROY, fill_tgt_destroy, &a, 15000, &rpc);
	if (rc == 0) {
		rc = ((struct pool_tgt_destroy_out *)crt_reply_get(rpc))->tdo_rc;
		crt_req_decref(rpc);
		if (rc == 0)
			return 0;
	}
	D_WARN("pool " DF_UUID ": collective destroy: " DF_RC ", now rank by rank\n", DP_UUID(uuid),
	       DP_RC(rc));
	rc = send_ranks(ranks, POOL_TGT_DESTROY, fill_tgt_destroy, local_tgt_destroy, &a, 15000,
			&rpcs, &rcs);
	if (rc != 0)
		return rc;
	for (i = 0; i < ranks->rl_nr; i++) {
		struct pool_tgt_destroy_out *out = crt_reply_get(rpcs[i]);
		int r = rcs[i] != 0 ? rcs[i] : out->tdo_rc;

		if (r != 0) {
			D_WARN("pool " DF_UUID ": destroy on rank %u: " DF_RC "\n", DP_UUID(uuid),
			       ranks->rl_ranks[i], DP_RC(r));
			if (rc == 0)
				rc = r;
		}
	}
	put_rpcs(rpcs, rcs, ranks->rl_nr);
	return rc;
}

static void
pool_rollback_ult(void *arg)
{
	int tries, t;

	/* ranks rejoin after the access point: retry for a while, bounded */
	for (tries = 0; tries < 30 && !rb_stop; tries++) {
		struct pool_entry *pe, *tmp;
		bool left = false;

		for (t = 0; t < 10 && !rb_stop; t++)
			dss_sleep(tries == 0 ? 100 : 200);
		if (rb_stop)
			break;
		d_list_for_each_entry_safe(pe, tmp, &pool_table, pe_link)
		{
			if (pe->pe_state == POOL_REC_READY)
				continue;
			if (pool_destroy_targets(pe->pe_uuid, pe->pe_ranks) != 0) {
				left = true;
				continue;
			}
			D_INFO("pool " DF_UUID " (%s) left half-made or half-destroyed: removed\n",
			       DP_UUID(pe->pe_uuid), pe->pe_label);
			d_list_del(&pe->pe_link);
			entry_free(pe);
			table_save();
		}
		if (!left)
			break;
	}
	rb_running = false;
}

static void
pool_rollback_start(void)
{
	if (rb_running || rb_stop)
		return;
	if (rb_ult != NULL) {
		ult_join(rb_ult);
		rb_ult = NULL;
	}
	rb_running = true;
	if (dss_ult_create(pool_rollback_ult, NULL, DSS_XS_SYS, 0, 0, &rb_ult) != 0) {
		rb_running = false;
		rb_ult = NULL;
	}
}

static void
pool_rollback_stop(void)
{
	rb_stop = true;
	if (rb_ult != NULL) {
		ult_join(rb_ult);
		rb_ult = NULL;
	}
	rb_running = false;
}

/* The properties a new pool starts with: defaults, the request's, label, owner, ACL. */
static int
pool_props_build(struct pool_create_in *in, daos_prop_t **propp)
{
	daos_prop_t *def = NULL, *user = NULL, *merged = NULL;
	struct daos_acl *acl = NULL;
	const uint32_t types[] = {DAOS_PROP_PO_LABEL,
				  DAOS_PROP_PO_ACL,
				  DAOS_PROP_PO_SPACE_RB,
				  DAOS_PROP_PO_SELF_HEAL,
				  DAOS_PROP_PO_RECLAIM,
				  DAOS_PROP_PO_OWNER,
				  DAOS_PROP_PO_OWNER_GROUP,
				  DAOS_PROP_PO_EC_CELL_SZ,
				  DAOS_PROP_PO_REDUN_FAC,
				  DAOS_PROP_PO_EC_PDA,
				  DAOS_PROP_PO_RP_PDA,
				  DAOS_PROP_PO_DATA_THRESH,
				  DAOS_PROP_PO_GLOBAL_VERSION,
				  DAOS_PROP_PO_UPGRADE_STATUS,
				  DAOS_PROP_PO_SCRUB_MODE,
				  DAOS_PROP_PO_SCRUB_FREQ,
				  DAOS_PROP_PO_SCRUB_THRESH,
				  DAOS_PROP_PO_SVC_REDUN_FAC,
				  DAOS_PROP_PO_OBJ_VERSION,
				  DAOS_PROP_PO_PERF_DOMAIN,
				  DAOS_PROP_PO_CHECKPOINT_MODE,
				  DAOS_PROP_PO_CHECKPOINT_FREQ,
				  DAOS_PROP_PO_CHECKPOINT_THRESH,
				  DAOS_PROP_PO_REINT_MODE,
				  DAOS_PROP_PO_SVC_OPS_ENABLED,
				  DAOS_PROP_PO_SVC_OPS_ENTRY_AGE};
	const uint64_t vals[] = {0,
				 0,
				 0,
				 DAOS_SELF_HEAL_AUTO_EXCLUDE | DAOS_SELF_HEAL_AUTO_REBUILD,
				 DAOS_RECLAIM_LAZY,
				 0,
				 0,
				 DAOS_PROP_PO_EC_CELL_SZ_DEFAULT,
				 DAOS_PROP_PO_REDUN_FAC_DEFAULT,
				 DAOS_PROP_PO_EC_PDA_DEFAULT,
				 DAOS_PROP_PO_RP_PDA_DEFAULT,
				 DAOS_PROP_PO_DATA_THRESH_DEFAULT,
				 3,
				 DAOS_UPGRADE_STATUS_NOT_STARTED,
				 DAOS_PROP_PO_SCRUB_MODE_DEFAULT,
				 DAOS_PROP_PO_SCRUB_FREQ_DEFAULT,
				 DAOS_PROP_PO_SCRUB_THRESH_DEFAULT,
				 DAOS_PROP_PO_SVC_REDUN_FAC_DEFAULT,
				 1,
				 DAOS_PROP_PO_PERF_DOMAIN_DEFAULT,
				 DAOS_PROP_PO_CHECKPOINT_MODE_DEFAULT,
				 DAOS_PROP_PO_CHECKPOINT_FREQ_DEFAULT,
				 50,
				 DAOS_PROP_PO_REINT_MODE_DEFAULT,
				 DAOS_PROP_PO_SVC_OPS_ENABLED_DEFAULT,
				 DAOS_PROP_PO_SVC_OPS_ENTRY_AGE_DEFAULT};
	uint32_t i;
	int rc;

	D_CASSERT(ARRAY_SIZE(types) == ARRAY_SIZE(vals));
	def = daos_prop_alloc(ARRAY_SIZE(types));
	acl = daos_acl_default_pool();
	if (def == NULL || acl == NULL)
		D_GOTO(out, rc = -DER_NOMEM);
	for (i = 0; i < ARRAY_SIZE(types); i++) {
		struct daos_prop_entry *e = &def->dpp_entries[i];
		const char *s = NULL;

		e->dpe_type = types[i];
		switch (types[i]) {
		case DAOS_PROP_PO_LABEL:
			s = in->pci_label;
			break;
		case DAOS_PROP_PO_OWNER:
			s = in->pci_user ? in->pci_user : "root@";
			break;
		case DAOS_PROP_PO_OWNER_GROUP:
			s = in->pci_group ? in->pci_group : "root@";
			break;
		case DAOS_PROP_PO_ACL:
			e->dpe_val_ptr = acl;
			acl = NULL;
			continue;
		default:
			e->dpe_val = vals[i];
			continue;
		}
		D_STRNDUP(e->dpe_str, s, DAOS_ACL_MAX_PRINCIPAL_BUF_LEN + DAOS_PROP_LABEL_MAX_LEN);
		if (e->dpe_str == NULL)
			D_GOTO(out, rc = -DER_NOMEM);
	}
	if (in->pci_prop.iov_len > 0) {
		rc = daos_prop_decode(in->pci_prop.iov_buf, in->pci_prop.iov_len, &user);
		if (rc != 0)
			goto out;
		if (!daos_prop_valid(user, true, true))
			D_GOTO(out, rc = -DER_INVAL);
		/* the label argument wins over a label:x property */
		if (daos_prop_entry_get(user, DAOS_PROP_PO_LABEL) != NULL)
			D_GOTO(out, rc = -DER_INVAL);
		rc = daos_prop_merge2(def, user, &merged);
		if (rc != 0)
			goto out;
	} else {
		merged = def;
		def = NULL;
	}
	if (!daos_prop_valid(merged, true, true))
		D_GOTO(out, rc = -DER_INVAL);
	*propp = merged;
	merged = NULL;
	rc = 0;
out:
	daos_acl_free(acl);
	daos_prop_free(def);
	daos_prop_free(user);
	daos_prop_free(merged);
	return rc;
}

static int
pool_create(struct pool_create_in *in, struct pool_create_out *out)
{
	struct dss_module_info *dmi = dss_get_module_info();
	struct pool_entry *pe = NULL;
	struct tgt_args a = {0};
	struct pool_map map = {.pm_version = 1};
	daos_prop_t *prop = NULL;
	d_rank_list_t *ranks = NULL;
	crt_rpc_t *tree_rpc = NULL, *svc_rpc = NULL;
	struct pool_tgt_create_out *tout;
	pool_tgt_count_t *counts;
	int rc, rc2, svc_rcs[1];
	void *prop_buf = NULL, *map_buf = NULL;
	size_t prop_len = 0, map_len = 0;
	uint64_t scm, nvme, timeout;
	uint32_t i, j, k;

	if (in->pci_label == NULL || !daos_label_is_valid(in->pci_label) ||
	    uuid_parse(in->pci_label, a.uuid) == 0) {
		D_ERROR("pool label \"%s\" is invalid\n", in->pci_label ? in->pci_label : "");
		return -DER_INVAL;
	}
	if (table_find(in->pci_label) != NULL)
		return -DER_EXIST;
	if (in->pci_total > 0) {
		if (in->pci_scm > 0 || in->pci_nvme > 0)
			return -DER_INVAL;
		/* DAOS's automatic split: 6% metadata, 94% data */
		scm = in->pci_total * 6 / 100;
		nvme = in->pci_total - scm;
	} else {
		scm = in->pci_scm;
		nvme = in->pci_nvme;
	}
	if (scm == 0 || (in->pci_nsvc != 0 && in->pci_nsvc != 1))
		return in->pci_nsvc > 1 ? -DER_NOTSUPPORTED : -DER_INVAL;
	rc = pool_props_build(in, &prop);
	if (rc != 0)
		return rc;

	/* ranks: the ones asked for, each must be in the system; else all of them */
	rc = crt_group_ranks_get(NULL, &ranks);
	if (rc != 0)
		goto out;
	if (in->pci_ranks != NULL && in->pci_ranks->rl_nr > 0) {
		for (i = 0; i < in->pci_ranks->rl_nr; i++) {
			for (j = 0; j < ranks->rl_nr; j++)
				if (ranks->rl_ranks[j] == in->pci_ranks->rl_ranks[i])
					break;
			if (j == ranks->rl_nr) {
				D_ERROR("rank %u is not in the system\n",
					in->pci_ranks->rl_ranks[i]);
				D_GOTO(out, rc = -DER_NONEXIST);
			}
		}
		d_rank_list_free(ranks);
		rc = d_rank_list_dup(&ranks, in->pci_ranks);
		if (rc != 0)
			goto out;
	}
	if (ranks->rl_nr == 0)
		D_GOTO(out, rc = -DER_UNINIT);
	d_rank_list_sort(ranks);

	D_ALLOC_PTR(pe);
	if (pe == NULL)
		D_GOTO(out, rc = -DER_NOMEM);
	uuid_generate(pe->pe_uuid);
	snprintf(pe->pe_label, sizeof(pe->pe_label), "%s", in->pci_label);
	pe->pe_state = POOL_REC_CREATING;
	pe->pe_svc_rank = ranks->rl_ranks[0];
	rc = d_rank_list_dup(&pe->pe_ranks, ranks);
	if (rc != 0) {
		D_FREE(pe);
		goto out;
	}
	/* recorded before any rank acts, so a crash leaves something to roll back */
	d_list_add_tail(&pe->pe_link, &pool_table);
	rc = table_save();
	if (rc != 0)
		goto rollback_entry;

	uuid_copy(a.uuid, pe->pe_uuid);
	a.scm = scm / ranks->rl_nr;
	a.nvme = nvme / ranks->rl_nr;
	/* creating big blobs takes time: 15 s plus 10 s per GiB per rank, plus the tree's hops */
	timeout = 20000 + ((a.scm + a.nvme) >> 30) * 10000;
	rc = send_tree(ranks, POOL_TGT_CREATE, fill_tgt_create, &a,
		       (uint32_t)(timeout > 600000 ? 600000 : timeout), &tree_rpc);
	if (rc != 0)
		goto rollback;
	tout = crt_reply_get(tree_rpc);
	rc = tout->tco_rc;
	counts = tout->tco_ranks.ca_arrays;
	/* every chosen rank must have answered, once */
	if (rc == 0 && tout->tco_ranks.ca_count != ranks->rl_nr)
		rc = -DER_PROTO;
	D_ALLOC_ARRAY(map.pm_ranks, ranks->rl_nr);
	if (rc == 0 && map.pm_ranks == NULL)
		rc = -DER_NOMEM;
	for (i = 0; i < tout->tco_ranks.ca_count; i++) {
		if (counts[i].tc_rc != 0)
			D_ERROR("pool " DF_UUID ": create on rank %u: " DF_RC "\n", DP_UUID(a.uuid),
				counts[i].tc_rank, DP_RC(counts[i].tc_rc));
	}
	for (i = 0; rc == 0 && i < ranks->rl_nr; i++) {
		struct pool_map_rank *mr = &map.pm_ranks[i];

		for (j = 0; j < tout->tco_ranks.ca_count; j++)
			if (counts[j].tc_rank == ranks->rl_ranks[i])
				break;
		if (j == tout->tco_ranks.ca_count) {
			D_ERROR("pool " DF_UUID ": no reply of rank %u\n", DP_UUID(a.uuid),
				ranks->rl_ranks[i]);
			rc = -DER_PROTO;
			break;
		}
		mr->pmr_rank = ranks->rl_ranks[i];
		mr->pmr_ntgts = counts[j].tc_ntgts;
		D_ALLOC_ARRAY(mr->pmr_states, mr->pmr_ntgts + 1);
		map.pm_nranks = i + 1;
		if (mr->pmr_states == NULL) {
			rc = -DER_NOMEM;
			break;
		}
		for (k = 0; k < mr->pmr_ntgts; k++)
			mr->pmr_states[k] = DAOS_TS_UP_IN;
		out->pco_ntargets += mr->pmr_ntgts;
	}
	if (rc != 0)
		D_ERROR("pool " DF_UUID ": create on %u ranks: " DF_RC "\n", DP_UUID(a.uuid),
			ranks->rl_nr, DP_RC(rc));
	crt_req_decref(tree_rpc);
	if (rc != 0)
		goto rollback;

	rc = daos_prop_encode(prop, &prop_buf, &prop_len);
	if (rc == 0)
		rc = pool_map_encode(&map, &map_buf, &map_len);
	if (rc != 0)
		goto rollback;
	if (pe->pe_svc_rank == dss_self_rank()) {
		d_iov_t piov, miov;

		d_iov_set(&piov, prop_buf, prop_len);
		d_iov_set(&miov, map_buf, map_len);
		rc = ds_pool_svc_create_local(a.uuid, &piov, &miov);
	} else {
		crt_endpoint_t ep = {.ep_rank = pe->pe_svc_rank, .ep_tag = 0};
		struct pool_svc_create_in *sin;
		struct pool_svc_create_out *sout;

		rc = crt_req_create(dmi->dmi_ctx, &ep, POOL_SVC_CREATE, &svc_rpc);
		if (rc != 0)
			goto rollback;
		sin = crt_req_get(svc_rpc);
		uuid_copy(sin->sci_uuid, a.uuid);
		d_iov_set(&sin->sci_prop, prop_buf, prop_len);
		d_iov_set(&sin->sci_map, map_buf, map_len);
		rc = ds_pool_send_all(&svc_rpc, 1, 30000, svc_rcs);
		sout = crt_reply_get(svc_rpc);
		if (rc == 0)
			rc = sout->sco_rc;
		crt_req_decref(svc_rpc);
	}
	if (rc != 0) {
		D_ERROR("pool " DF_UUID ": service on rank %u: " DF_RC "\n", DP_UUID(a.uuid),
			pe->pe_svc_rank, DP_RC(rc));
		goto rollback;
	}
	pe->pe_state = POOL_REC_READY;
	rc = table_save();
	if (rc != 0)
		goto rollback;
	uuid_copy(out->pco_uuid, pe->pe_uuid);
	rc = d_rank_list_dup(&out->pco_tgt_ranks, ranks);
	if (rc == 0) {
		out->pco_svc_reps = d_rank_list_alloc(1);
		if (out->pco_svc_reps != NULL)
			out->pco_svc_reps->rl_ranks[0] = pe->pe_svc_rank;
	}
	out->pco_scm = a.scm * ranks->rl_nr;
	out->pco_nvme = a.nvme * ranks->rl_nr;
	D_INFO("pool " DF_UUID " (%s) created on %u ranks\n", DP_UUID(pe->pe_uuid), pe->pe_label,
	       ranks->rl_nr);
	rc = 0;
	goto out;

rollback:
	rc2 = pool_destroy_targets(pe->pe_uuid, ranks);
	if (rc2 != 0) {
		/* a rank did not answer: keep the record so that a later pass removes it */
		pe->pe_state = POOL_REC_DESTROYING;
		table_save();
		pool_rollback_start();
		goto out;
	}
rollback_entry:
	d_list_del(&pe->pe_link);
	entry_free(pe);
	table_save();
out:
	for (i = 0; i < map.pm_nranks; i++)
		D_FREE(map.pm_ranks[i].pmr_states);
	D_FREE(map.pm_ranks);
	D_FREE(prop_buf);
	D_FREE(map_buf);
	daos_prop_free(prop);
	d_rank_list_free(ranks);
	return rc;
}

void
ds_pool_hdlr_create(crt_rpc_t *rpc)
{
	struct pool_create_in *in = crt_req_get(rpc);
	struct pool_create_out *out = crt_reply_get(rpc);

	out->pco_rc = ds_pool_mgmt_is_ap() ? pool_create(in, out) : -DER_NOTLEADER;
	crt_reply_send(rpc);
	d_rank_list_free(out->pco_svc_reps);
	d_rank_list_free(out->pco_tgt_ranks);
	out->pco_svc_reps = NULL;
	out->pco_tgt_ranks = NULL;
}

static int
pool_destroy(struct pool_destroy_in *in)
{
	struct dss_module_info *dmi = dss_get_module_info();
	struct pool_entry *pe = table_find(in->pdi_id);
	struct pool_tgt_destroy_in *sin;
	struct pool_tgt_destroy_out *sout;
	crt_endpoint_t ep = {0};
	crt_rpc_t *rpc = NULL;
	int rc, rcs[1];

	if (pe == NULL)
		return -DER_NONEXIST;
	if (pe->pe_state == POOL_REC_CREATING)
		return -DER_BUSY;
	if (pe->pe_state == POOL_REC_READY) {
		/* the service refuses while handles are open, unless forced */
		if (pe->pe_svc_rank == dss_self_rank()) {
			rc = ds_pool_svc_stop_local(pe->pe_uuid, in->pdi_force, false);
			if (rc == -DER_NONEXIST)
				rc = 0;
		} else {
			ep.ep_rank = pe->pe_svc_rank;
			rc = crt_req_create(dmi->dmi_ctx, &ep, POOL_SVC_STOP, &rpc);
			if (rc != 0)
				return rc;
			sin = crt_req_get(rpc);
			uuid_copy(sin->tdi_uuid, pe->pe_uuid);
			sin->tdi_force = in->pdi_force;
			rc = ds_pool_send_all(&rpc, 1, 15000, rcs);
			sout = crt_reply_get(rpc);
			if (rc == 0)
				rc = sout->tdo_rc;
			crt_req_decref(rpc);
		}
		if (rc != 0)
			return rc;
		pe = table_find(in->pdi_id); /* it may have gone while we waited */
		if (pe == NULL)
			return -DER_NONEXIST;
		pe->pe_state = POOL_REC_DESTROYING;
		table_save();
	}
	rc = pool_destroy_targets(pe->pe_uuid, pe->pe_ranks);
	if (rc != 0)
		return rc;
	D_INFO("pool " DF_UUID " (%s) destroyed\n", DP_UUID(pe->pe_uuid), pe->pe_label);
	d_list_del(&pe->pe_link);
	entry_free(pe);
	return table_save();
}

void
ds_pool_hdlr_destroy(crt_rpc_t *rpc)
{
	struct pool_destroy_in *in = crt_req_get(rpc);
	struct pool_destroy_out *out = crt_reply_get(rpc);

	out->pdo_rc = ds_pool_mgmt_is_ap() ? pool_destroy(in) : -DER_NOTLEADER;
	crt_reply_send(rpc);
}

void
ds_pool_hdlr_list(crt_rpc_t *rpc)
{
	struct pool_list_out *out = crt_reply_get(rpc);
	struct pool_entry *pe;
	pool_rec_t *recs = NULL;
	uint32_t n = 0;

	if (!ds_pool_mgmt_is_ap()) {
		out->plo_rc = -DER_NOTLEADER;
		goto out;
	}
	d_list_for_each_entry(pe, &pool_table, pe_link) n++;
	D_ALLOC_ARRAY(recs, n + 1);
	if (recs == NULL) {
		out->plo_rc = -DER_NOMEM;
		goto out;
	}
	n = 0;
	/* half-made and half-destroyed pools are not shown */
	d_list_for_each_entry(pe, &pool_table, pe_link)
	{
		if (pe->pe_state != POOL_REC_READY)
			continue;
		uuid_copy(recs[n].pr_uuid, pe->pe_uuid);
		recs[n].pr_label = pe->pe_label;
		recs[n].pr_svc_rank = pe->pe_svc_rank;
		recs[n].pr_state = pe->pe_state;
		recs[n].pr_nranks = pe->pe_ranks->rl_nr;
		n++;
	}
	out->plo_pools.ca_arrays = recs;
	out->plo_pools.ca_count = n;
out:
	crt_reply_send(rpc);
	D_FREE(recs);
}

void
ds_pool_hdlr_locate(crt_rpc_t *rpc)
{
	struct pool_locate_in *in = crt_req_get(rpc);
	struct pool_locate_out *out = crt_reply_get(rpc);
	struct pool_entry *pe;
	char *uri = NULL;
	int rc;

	if (!ds_pool_mgmt_is_ap())
		D_GOTO(out, rc = -DER_NOTLEADER);
	pe = table_find(in->pli_id);
	if (pe == NULL || pe->pe_state != POOL_REC_READY)
		D_GOTO(out, rc = -DER_NONEXIST);
	rc = crt_rank_uri_get(NULL, pe->pe_svc_rank, 0, &uri);
	if (rc != 0)
		goto out;
	uuid_copy(out->plo_uuid, pe->pe_uuid);
	out->plo_label = pe->pe_label;
	out->plo_svc_rank = pe->pe_svc_rank;
	out->plo_svc_uri = uri;
	out->plo_ranks = pe->pe_ranks;
	crt_group_version(NULL, &out->plo_map_version);
out:
	out->plo_rc = rc;
	crt_reply_send(rpc);
	out->plo_ranks = NULL;
	D_FREE(uri);
}
