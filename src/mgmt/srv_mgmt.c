/**
 * The management module of every server: its own storage state, joining
 * the system through the access point, applying the group map the access
 * point pushes, and the per-server dmg requests (leader query, log masks,
 * rank stop/start/erase, attach info, ping).
 */
#define D_LOGFAC DD_FAC(mgmt)

#include <gurt/common.h>
#include <gurt/dlog.h>
#include "srv_internal.h"

struct mgmt_self mgmt_self;

/* ---- sending from a ULT ---- */

struct mgmt_waiter {
	ult_eventual_t mw_ev;
	int mw_left;
	int *mw_rcs;
	crt_rpc_t **mw_rpcs;
};

static void
mgmt_send_cb(const struct crt_cb_info *cb)
{
	struct mgmt_waiter *w = cb->cci_arg;
	int i;

	for (i = 0; w->mw_rcs != NULL && w->mw_rpcs != NULL; i++)
		if (w->mw_rpcs[i] == cb->cci_rpc) {
			w->mw_rcs[i] = cb->cci_rc;
			break;
		}
	if (--w->mw_left == 0)
		ult_eventual_set(w->mw_ev, NULL, 0);
}

/*
 * Send \a nr RPCs at once and wait (parking the ULT) until each completed.
 * The caller keeps its reference to every RPC (to read the outputs) and
 * drops it with crt_req_decref(). Callbacks run on this xstream's poller,
 * so the counter needs no atomics.
 */
int
mgmt_rpc_send_all(crt_rpc_t **rpcs, int nr, uint32_t timeout_ms, int *rcs)
{
	struct mgmt_waiter w = {.mw_left = nr, .mw_rcs = rcs, .mw_rpcs = rpcs};
	int i, rc;

	if (nr == 0)
		return 0;
	rc = ult_eventual_create(0, &w.mw_ev);
	if (rc != 0)
		return rc;
	for (i = 0; i < nr; i++) {
		rcs[i] = -DER_INVAL;
		crt_req_addref(rpcs[i]);
		crt_req_set_timeout_ms(rpcs[i], timeout_ms);
		crt_req_send(rpcs[i], mgmt_send_cb, &w);
	}
	ult_eventual_wait(w.mw_ev, NULL);
	ult_eventual_free(&w.mw_ev);
	rc = 0;
	for (i = 0; i < nr; i++)
		if (rcs[i] != 0 && rc == 0)
			rc = rcs[i];
	return rc;
}

int
mgmt_rpc_send_wait(crt_rpc_t *rpc, uint32_t timeout_ms)
{
	int rc, rcs[1];

	rc = mgmt_rpc_send_all(&rpc, 1, timeout_ms, rcs);
	return rc;
}

/* ---- group map ---- */

int
mgmt_map_apply(uint32_t version, mgmt_rank_uri_t *map, uint32_t nr)
{
	struct dss_module_info *dmi = dss_get_module_info();
	d_rank_list_t *ranks;
	mgmt_rank_uri_t *copy = NULL;
	char **uris = NULL;
	uint32_t i;
	int rc;

	if (version <= mgmt_self.ms_map_version)
		return 0;
	ranks = d_rank_list_alloc(nr);
	D_ALLOC_ARRAY(uris, nr + 1);
	D_ALLOC_ARRAY(copy, nr + 1);
	if (ranks == NULL || uris == NULL || copy == NULL)
		D_GOTO(out, rc = -DER_NOMEM);
	for (i = 0; i < nr; i++) {
		ranks->rl_ranks[i] = map[i].ru_rank;
		uris[i] = map[i].ru_uri;
		copy[i].ru_rank = map[i].ru_rank;
		D_STRNDUP(copy[i].ru_uri, map[i].ru_uri, CRT_ADDR_STR_MAX_LEN);
		if (copy[i].ru_uri == NULL)
			D_GOTO(out, rc = -DER_NOMEM);
	}
	rc = crt_group_primary_modify(NULL, &dmi->dmi_ctx, 1, ranks, NULL, uris,
				      CRT_GROUP_MOD_OP_REPLACE, version);
	if (rc != 0) {
		D_ERROR("group map version %u: " DF_RC "\n", version, DP_RC(rc));
		goto out;
	}
	for (i = 0; i < mgmt_self.ms_map_nr; i++)
		D_FREE(mgmt_self.ms_map[i].ru_uri);
	D_FREE(mgmt_self.ms_map);
	mgmt_self.ms_map = copy;
	mgmt_self.ms_map_nr = nr;
	mgmt_self.ms_map_version = version;
	copy = NULL;
	D_INFO("group map version %u: %u ranks\n", version, nr);
out:
	if (copy != NULL) {
		for (i = 0; i < nr; i++)
			D_FREE(copy[i].ru_uri);
		D_FREE(copy);
	}
	D_FREE(uris);
	d_rank_list_free(ranks);
	return rc;
}

static void
mgmt_hdlr_grp_update(crt_rpc_t *rpc)
{
	struct mgmt_grp_update_in *in = crt_req_get(rpc);
	struct mgmt_grp_update_out *out = crt_reply_get(rpc);

	out->guo_rc = mgmt_map_apply(in->gui_map_version, in->gui_map.ca_arrays,
				     (uint32_t)in->gui_map.ca_count);
	crt_reply_send(rpc);
}

static int
mgmt_grp_update_aggregate(crt_rpc_t *source, crt_rpc_t *result, void *priv)
{
	struct mgmt_grp_update_out *src = crt_reply_get(source);
	struct mgmt_grp_update_out *dst = crt_reply_get(result);

	if (dst->guo_rc == 0)
		dst->guo_rc = src->guo_rc;
	return 0;
}

static struct crt_corpc_ops mgmt_grp_update_co_ops = {
	.co_aggregate = mgmt_grp_update_aggregate,
};

/* ---- joining ---- */

static int
mgmt_self_joined(d_rank_t rank, uint32_t version, mgmt_rank_uri_t *map, uint32_t nr)
{
	const struct dss_srv_config *cfg = dss_srv_config_get();
	int rc;

	if (mgmt_self.ms_sb.sb_rank != rank) {
		mgmt_self.ms_sb.sb_rank = rank;
		rc = mgmt_sb_write(cfg->sc_scm_mount, &mgmt_self.ms_sb);
		if (rc != 0)
			return rc;
	}
	rc = crt_rank_self_set(rank, mgmt_self.ms_map_version);
	if (rc != 0)
		return rc;
	if (map != NULL)
		mgmt_map_apply(version, map, nr);
	mgmt_self.ms_state = dss_engine_stopped() ? MGMT_MS_STOPPED : MGMT_MS_JOINED;
	D_INFO("joined %s as rank %u (map version %u)\n", cfg->sc_sys_name, rank, version);
	return 0;
}

static int
mgmt_join_once(void)
{
	const struct dss_srv_config *cfg = dss_srv_config_get();
	struct dss_module_info *dmi = dss_get_module_info();
	crt_endpoint_t ep = {.ep_rank = 0, .ep_tag = 0};
	struct mgmt_join_in *in, local_in;
	struct mgmt_join_out *out, local_out;
	crt_rpc_t *rpc = NULL;
	int rc;

	if (mgmt_self.ms_is_ap) {
		in = &local_in;
		out = &local_out;
		memset(out, 0, sizeof(*out));
	} else {
		rc = crt_req_create(dmi->dmi_ctx, &ep, MGMT_JOIN, &rpc);
		if (rc != 0)
			return rc;
		rc = crt_req_set_dest_uri(rpc, mgmt_self.ms_ap_uri);
		if (rc != 0) {
			crt_req_decref(rpc);
			return rc;
		}
		in = crt_req_get(rpc);
	}
	in->ji_sys = cfg->sc_sys_name;
	uuid_copy(in->ji_uuid, mgmt_self.ms_sb.sb_uuid);
	in->ji_rank = mgmt_self.ms_sb.sb_rank;
	in->ji_addr = mgmt_self.ms_addr;
	in->ji_uri = (d_string_t)dss_self_uri();
	in->ji_fault_domain = cfg->sc_fault_domain;
	in->ji_nr_targets = dss_tgt_nr;
	in->ji_incarnation = mgmt_self.ms_incarnation;
	if (mgmt_self.ms_is_ap) {
		rc = ds_mgmt_join_local(in, out);
		if (rc == 0)
			rc = mgmt_self_joined(out->jo_rank, out->jo_map_version, NULL, 0);
		ds_mgmt_join_out_free(out);
		return rc;
	}
	rc = mgmt_rpc_send_wait(rpc, 3000);
	if (rc == 0) {
		out = crt_reply_get(rpc);
		rc = out->jo_rc;
		if (rc == 0)
			rc = mgmt_self_joined(out->jo_rank, out->jo_map_version,
					      out->jo_map.ca_arrays,
					      (uint32_t)out->jo_map.ca_count);
	}
	crt_req_decref(rpc);
	return rc;
}

static void
mgmt_join_ult(void *arg)
{
	int rc, tries = 0, last_rc = 0;

	while (!mgmt_self.ms_stopping && mgmt_self.ms_formatted) {
		rc = mgmt_join_once();
		if (rc == 0)
			break;
		/* the access point may be down or not formatted yet: keep trying */
		if (rc != last_rc || tries % 20 == 0)
			D_WARN("join via %s failed (try %d): " DF_RC "\n", mgmt_self.ms_ap_addr,
			       tries + 1, DP_RC(rc));
		last_rc = rc;
		tries++;
		dss_sleep(tries < 10 ? 200 : 1000);
	}
}

int
mgmt_join_start(void)
{
	if (mgmt_self.ms_join_ult != NULL) {
		ult_join(mgmt_self.ms_join_ult);
		mgmt_self.ms_join_ult = NULL;
	}
	return dss_ult_create(mgmt_join_ult, NULL, DSS_XS_SYS, 0, 0, &mgmt_self.ms_join_ult);
}

/* ---- per-server requests ---- */

static void
mgmt_hdlr_leader_query(crt_rpc_t *rpc)
{
	const struct dss_srv_config *cfg = dss_srv_config_get();
	struct mgmt_leader_query_out *out = crt_reply_get(rpc);
	char *replicas = NULL;
	size_t len = 1;
	int i;

	for (i = 0; i < cfg->sc_nr_access_points; i++)
		len += strlen(cfg->sc_access_points[i]) + 1;
	D_ALLOC(replicas, len);
	if (replicas == NULL) {
		out->lqo_rc = -DER_NOMEM;
		goto out;
	}
	for (i = 0; i < cfg->sc_nr_access_points; i++) {
		if (i > 0)
			strcat(replicas, ",");
		strcat(replicas, cfg->sc_access_points[i]);
	}
	out->lqo_sys_name = cfg->sc_sys_name;
	out->lqo_leader = mgmt_self.ms_ap_addr;
	out->lqo_replicas = replicas;
	out->lqo_rc = 0;
out:
	crt_reply_send(rpc);
	D_FREE(replicas);
}

static void
mgmt_hdlr_set_logmasks(crt_rpc_t *rpc)
{
	const struct dss_srv_config *cfg = dss_srv_config_get();
	struct mgmt_set_logmasks_in *in = crt_req_get(rpc);
	struct mgmt_set_logmasks_out *out = crt_reply_get(rpc);
	char masks[512] = "";
	int rc;

	if (in->sli_masks != NULL && in->sli_masks[0] != '\0')
		rc = d_log_setmasks(in->sli_masks);
	else /* no masks: back to what the configuration says */
		rc = d_log_setmasks(cfg->sc_log_mask ? cfg->sc_log_mask : "ERR");
	if (rc == 0 && in->sli_streams != NULL && in->sli_streams[0] != '\0')
		rc = d_log_set_streams(in->sli_streams);
	if (rc == 0 && in->sli_subsys != NULL && in->sli_subsys[0] != '\0')
		rc = d_log_set_subsys(in->sli_subsys);
	d_log_getmasks(masks, sizeof(masks));
	D_INFO("log masks now %s\n", masks);
	out->slo_rc = rc > 0 ? 0 : rc;
	out->slo_addr = mgmt_self.ms_addr;
	out->slo_masks = masks;
	crt_reply_send(rpc);
}

int
mgmt_rank_ctl_local(uint32_t op, uint32_t *state)
{
	const struct dss_srv_config *cfg = dss_srv_config_get();
	int rc = 0;

	switch (op) {
	case MGMT_RANK_STOP:
		rc = dss_engine_services(true, DAOS_MGMT_MODULE);
		if (rc == 0 && mgmt_self.ms_state == MGMT_MS_JOINED)
			mgmt_self.ms_state = MGMT_MS_STOPPED;
		break;
	case MGMT_RANK_START:
		rc = dss_engine_services(false, DAOS_MGMT_MODULE);
		if (rc == 0 && mgmt_self.ms_state == MGMT_MS_STOPPED)
			mgmt_self.ms_state = MGMT_MS_JOINED;
		break;
	case MGMT_RANK_ERASE:
		if (!dss_engine_stopped()) {
			rc = -DER_BUSY;
			break;
		}
		rc = mgmt_sb_remove(cfg->sc_scm_mount);
		if (rc == 0) {
			mgmt_self.ms_formatted = false;
			mgmt_self.ms_sb.sb_rank = CRT_NO_RANK;
			mgmt_self.ms_state = MGMT_MS_AWAIT_FORMAT;
			/* services come back on the next format */
			dss_engine_services(false, DAOS_MGMT_MODULE);
		}
		break;
	default:
		rc = -DER_INVAL;
	}
	*state = mgmt_self.ms_state;
	return rc;
}

static void
mgmt_hdlr_rank_ctl(crt_rpc_t *rpc)
{
	struct mgmt_rank_ctl_in *in = crt_req_get(rpc);
	struct mgmt_rank_ctl_out *out = crt_reply_get(rpc);

	out->rco_rc = mgmt_rank_ctl_local(in->rci_op, &out->rco_state);
	crt_reply_send(rpc);
}

static void
mgmt_hdlr_ping(crt_rpc_t *rpc)
{
	struct mgmt_ping_in *in = crt_req_get(rpc);
	struct mgmt_ping_out *out = crt_reply_get(rpc);

	/* a rank that was erased and reformatted may answer under its old number */
	out->po_rc = (mgmt_self.ms_formatted && mgmt_self.ms_sb.sb_rank == in->pi_rank)
			     ? 0
			     : -DER_NONEXIST;
	out->po_state = mgmt_self.ms_state;
	crt_reply_send(rpc);
}

static void
mgmt_hdlr_get_attach_info(crt_rpc_t *rpc)
{
	const struct dss_srv_config *cfg = dss_srv_config_get();
	struct mgmt_get_attach_info_out *out = crt_reply_get(rpc);
	d_rank_t *ms = NULL;
	uint32_t nr_ms = 0;

	out->gao_sys_name = cfg->sc_sys_name;
	out->gao_provider = cfg->sc_provider;
	if (mgmt_self.ms_is_ap) {
		mgmt_rank_uri_t *map = NULL;
		uint32_t nr = 0, version = 0;

		out->gao_rc = ds_mgmt_system_map(&version, &map, &nr, &ms, &nr_ms);
		out->gao_map_version = version;
		out->gao_rank_uris.ca_arrays = map;
		out->gao_rank_uris.ca_count = nr;
		out->gao_ms_ranks.ca_arrays = ms;
		out->gao_ms_ranks.ca_count = nr_ms;
		crt_reply_send(rpc);
		while (nr > 0) {
			nr--;
			D_FREE(map[nr].ru_uri);
		}
		D_FREE(map);
		D_FREE(ms);
		return;
	}
	out->gao_rc = mgmt_self.ms_map_nr > 0 ? 0 : -DER_UNINIT;
	out->gao_map_version = mgmt_self.ms_map_version;
	out->gao_rank_uris.ca_arrays = mgmt_self.ms_map;
	out->gao_rank_uris.ca_count = mgmt_self.ms_map_nr;
	/* the management service's rank, so that a client asking us finds the service */
	for (uint32_t i = 0; mgmt_self.ms_ap_uri != NULL && i < mgmt_self.ms_map_nr; i++) {
		if (mgmt_self.ms_map[i].ru_uri != NULL &&
		    strcmp(mgmt_self.ms_map[i].ru_uri, mgmt_self.ms_ap_uri) == 0) {
			out->gao_ms_ranks.ca_arrays = &mgmt_self.ms_map[i].ru_rank;
			out->gao_ms_ranks.ca_count = 1;
			break;
		}
	}
	crt_reply_send(rpc);
}

/* ---- module ---- */

static int
mgmt_self_addr(void)
{
	const char *uri = dss_self_uri(), *p;
	const struct dss_srv_config *cfg = dss_srv_config_get();
	int i, rc;

	p = uri ? strstr(uri, "://") : NULL;
	snprintf(mgmt_self.ms_addr, sizeof(mgmt_self.ms_addr), "%s", p ? p + 3 : "?");
	/* the access point is the first entry of access_points (one replica for now) */
	for (i = 0; i < cfg->sc_nr_access_points; i++) {
		char *ap_uri = NULL;

		rc = mgmt_addr2uri(cfg->sc_provider, cfg->sc_access_points[i], cfg->sc_port,
				   &ap_uri);
		if (rc != 0) {
			D_ERROR("access point \"%s\" does not resolve\n", cfg->sc_access_points[i]);
			return rc;
		}
		if (i == 0) {
			mgmt_self.ms_ap_uri = ap_uri;
			mgmt_self.ms_ap_addr = cfg->sc_access_points[0];
			mgmt_self.ms_is_ap = uri != NULL && strcmp(ap_uri, uri) == 0;
		} else {
			D_WARN("access point %s ignored: one management replica for now\n",
			       cfg->sc_access_points[i]);
			D_FREE(ap_uri);
		}
	}
	return 0;
}

static int
mgmt_setup(void)
{
	const struct dss_srv_config *cfg = dss_srv_config_get();
	int rc;

	mgmt_self.ms_incarnation = d_timenow_ns();
	mgmt_self.ms_state = MGMT_MS_AWAIT_FORMAT;
	mgmt_self.ms_sb.sb_rank = CRT_NO_RANK;
	rc = mgmt_self_addr();
	if (rc != 0)
		return rc;
	rc = mgmt_sb_read(cfg->sc_scm_mount, &mgmt_self.ms_sb);
	if (rc == -DER_NONEXIST) {
		D_INFO("%s is not formatted: waiting for dmg storage format\n", cfg->sc_scm_mount);
		mgmt_self.ms_sb.sb_rank = CRT_NO_RANK;
		return 0;
	}
	if (rc != 0)
		return rc;
	if (strcmp(mgmt_self.ms_sb.sb_sys, cfg->sc_sys_name) != 0) {
		D_ERROR("%s belongs to system %s, not %s\n", cfg->sc_scm_mount,
			mgmt_self.ms_sb.sb_sys, cfg->sc_sys_name);
		return -DER_INVAL;
	}
	mgmt_self.ms_formatted = true;
	if (mgmt_self.ms_is_ap) {
		rc = ds_mgmt_system_load();
		if (rc != 0)
			return rc;
	}
	return mgmt_join_start();
}

static int
mgmt_cleanup(void)
{
	mgmt_self.ms_stopping = true;
	if (mgmt_self.ms_join_ult != NULL) {
		ult_join(mgmt_self.ms_join_ult);
		mgmt_self.ms_join_ult = NULL;
	}
	if (mgmt_self.ms_is_ap) {
		ds_mgmt_system_push_wait();
		ds_mgmt_system_unload();
	}
	return 0;
}

static int
mgmt_init(void)
{
	return 0;
}

static int
mgmt_fini(void)
{
	uint32_t i;

	for (i = 0; i < mgmt_self.ms_map_nr; i++)
		D_FREE(mgmt_self.ms_map[i].ru_uri);
	D_FREE(mgmt_self.ms_map);
	D_FREE(mgmt_self.ms_ap_uri);
	memset(&mgmt_self, 0, sizeof(mgmt_self));
	return 0;
}

static struct daos_rpc_handler mgmt_handlers[] = {
	{MGMT_STORAGE_FORMAT, ds_mgmt_hdlr_format, NULL},
	{MGMT_STORAGE_SCAN, ds_mgmt_hdlr_scan, NULL},
	{MGMT_SYSTEM_QUERY, ds_mgmt_hdlr_sys_query, NULL},
	{MGMT_SYSTEM_STOP, ds_mgmt_hdlr_sys_ctl, NULL},
	{MGMT_SYSTEM_START, ds_mgmt_hdlr_sys_ctl, NULL},
	{MGMT_LEADER_QUERY, mgmt_hdlr_leader_query, NULL},
	{MGMT_SYSTEM_ERASE, ds_mgmt_hdlr_sys_ctl, NULL},
	{MGMT_SET_LOGMASKS, mgmt_hdlr_set_logmasks, NULL},
	{MGMT_JOIN, ds_mgmt_hdlr_join, NULL},
	{MGMT_GROUP_UPDATE, mgmt_hdlr_grp_update, &mgmt_grp_update_co_ops},
	{MGMT_RANK_CTL, mgmt_hdlr_rank_ctl, NULL},
	{MGMT_GET_ATTACH_INFO, mgmt_hdlr_get_attach_info, NULL},
	{MGMT_PING_RANK, mgmt_hdlr_ping, NULL},
};

static struct crt_proto_format *mgmt_protos[] = {&mgmt_proto_fmt};
static uint32_t mgmt_counts[] = {MGMT_PROTO_CLI_COUNT};
static struct daos_rpc_handler *mgmt_handler_tables[] = {mgmt_handlers};

struct dss_module mgmt_module = {
	.sm_name = "mgmt",
	.sm_mod_id = DAOS_MGMT_MODULE,
	.sm_ver = DAOS_MGMT_VERSION,
	.sm_init = mgmt_init,
	.sm_fini = mgmt_fini,
	.sm_setup = mgmt_setup,
	.sm_cleanup = mgmt_cleanup,
	.sm_proto_count = 1,
	.sm_proto_fmt = mgmt_protos,
	.sm_cli_count = mgmt_counts,
	.sm_handlers = mgmt_handler_tables,
};
