/**
 * libdaos's view of the system (DAOS's dc_mgmt): at the first connect the
 * client asks an access point for the group map (MGMT_GET_ATTACH_INFO:
 * rank -> URI of its context 0, version, management service ranks), loads
 * the ranks into its primary group and keeps the map. Requests to a rank go
 * through that group; a rank found unreachable, or a server reporting a
 * newer map, makes the client fetch the map again (once per request).
 *
 * Runs under dc_rpc_lock(), so the map needs no lock of its own.
 */
#define D_LOGFAC DD_FAC(mgmt)

#include <errno.h>
#include <daos/mgmt.h>
#include <gurt/common.h>
#include "rpc.h"

struct dc_sys_map {
	uint32_t version;
	uint32_t nr;
	d_rank_t *ranks;
	char **uris;
	/* management service: its rank, else the access point that answered */
	d_rank_t ms_rank;
	char *ap_uri;
};

static struct dc_sys_map dc_map;
static bool dc_attached;

static void
dc_map_clear(struct dc_sys_map *m)
{
	uint32_t i;

	for (i = 0; i < m->nr; i++)
		D_FREE(m->uris[i]);
	D_FREE(m->uris);
	D_FREE(m->ranks);
	D_FREE(m->ap_uri);
	memset(m, 0, sizeof(*m));
	m->ms_rank = CRT_NO_RANK;
}

void
dc_mgmt_fini(void)
{
	dc_map_clear(&dc_map);
	dc_attached = false;
}

void
dc_mgmt_access_points_free(char **aps, int nr)
{
	mgmt_hosts_free(aps, nr);
}

/* access_points (list or single string) and port of a daos_agent.yml; -DER_NONEXIST: no file */
static int
ap_from_yaml(const char *path, char ***aps, int *nr)
{
	char err[512];
	int rc;

	rc = mgmt_yaml_hosts(path, "access_points", DC_MGMT_PORT, aps, nr, err, sizeof(err));
	if (rc != 0 && rc != -DER_NONEXIST)
		D_ERROR("%s\n", err);
	return rc;
}

int
dc_mgmt_access_points(char ***aps, int *nr)
{
	const char *env = getenv("DAOS_ACCESS_POINTS");
	const char *path = getenv(DC_AGENT_CONFIG_ENV);
	int rc = 0;

	*aps = NULL;
	*nr = 0;
	if (env != NULL && env[0] != '\0') {
		const char *s = env;

		while (rc == 0 && *s != '\0') {
			size_t len = strcspn(s, ",");

			rc = mgmt_hosts_add(aps, nr, s, len, DC_MGMT_PORT);
			s += len;
			if (*s == ',')
				s++;
		}
	} else {
		rc = ap_from_yaml(path ? path : DC_AGENT_CONFIG, aps, nr);
		if (rc == -DER_NONEXIST)
			rc = 0;
	}
	if (rc == 0 && *nr == 0)
		rc = mgmt_hosts_add(aps, nr, "127.0.0.1", strlen("127.0.0.1"), DC_MGMT_PORT);
	if (rc != 0) {
		dc_mgmt_access_points_free(*aps, *nr);
		*aps = NULL;
		*nr = 0;
	}
	return rc;
}

/* GetAttachInfo from one access point into \a m. */
static int
attach_info_get(const char *ap_uri, struct dc_sys_map *m)
{
	struct mgmt_get_attach_info_in *in;
	struct mgmt_get_attach_info_out *out;
	mgmt_rank_uri_t *ru;
	crt_rpc_t *rpc;
	uint64_t i;
	int rc;

	rc = dc_req_create(ap_uri, MGMT_GET_ATTACH_INFO, &rpc);
	if (rc != 0)
		return rc;
	in = crt_req_get(rpc);
	in->gai_all_ranks = 1;
	rc = dc_req_send(rpc);
	out = crt_reply_get(rpc);
	if (rc == 0)
		rc = out->gao_rc;
	if (rc == 0 && out->gao_rank_uris.ca_count == 0)
		rc = -DER_UNINIT;
	if (rc != 0)
		goto out;
	ru = out->gao_rank_uris.ca_arrays;
	D_ALLOC_ARRAY(m->ranks, out->gao_rank_uris.ca_count);
	D_ALLOC_ARRAY(m->uris, out->gao_rank_uris.ca_count);
	D_STRNDUP(m->ap_uri, ap_uri, CRT_ADDR_STR_MAX_LEN);
	if (m->ranks == NULL || m->uris == NULL || m->ap_uri == NULL)
		D_GOTO(out, rc = -DER_NOMEM);
	for (i = 0; i < out->gao_rank_uris.ca_count; i++) {
		if (ru[i].ru_uri == NULL || strstr(ru[i].ru_uri, "://") == NULL)
			D_GOTO(out, rc = -DER_PROTO);
		D_STRNDUP(m->uris[i], ru[i].ru_uri, CRT_ADDR_STR_MAX_LEN);
		if (m->uris[i] == NULL)
			D_GOTO(out, rc = -DER_NOMEM);
		m->ranks[i] = ru[i].ru_rank;
		m->nr = (uint32_t)i + 1;
	}
	m->version = out->gao_map_version;
	if (out->gao_ms_ranks.ca_count > 0)
		m->ms_rank = ((d_rank_t *)out->gao_ms_ranks.ca_arrays)[0];
out:
	crt_req_decref(rpc);
	return rc;
}

/* Fetch the map from the first access point that answers and load it into the primary group. */
static int
sys_fetch(void)
{
	struct dc_sys_map m = {.ms_rank = CRT_NO_RANK};
	d_rank_list_t ranks;
	crt_context_t ctx;
	char **aps = NULL, *uri;
	int nr = 0, i, rc, rc_first = 0;

	rc = dc_rpc_init(&mgmt_proto_fmt);
	if (rc != 0)
		return rc;
	rc = dc_mgmt_access_points(&aps, &nr);
	if (rc != 0)
		return rc;
	ctx = dc_rpc_context();
	for (i = 0; i < nr; i++) {
		uri = NULL;
		rc = mgmt_addr2uri(dc_rpc_provider(), aps[i], DC_MGMT_PORT, &uri);
		if (rc == 0)
			rc = attach_info_get(uri, &m);
		D_FREE(uri);
		if (rc == 0)
			break;
		D_DEBUG(DB_MGMT, "access point %s: " DF_RC "\n", aps[i], DP_RC(rc));
		if (rc_first == 0)
			rc_first = rc;
		dc_map_clear(&m);
	}
	if (rc != 0) {
		D_ERROR("no access point of %d answered (first: %s): " DF_RC "\n", nr, aps[0],
			DP_RC(rc_first));
		dc_mgmt_access_points_free(aps, nr);
		return rc_first;
	}
	dc_mgmt_access_points_free(aps, nr);
	ranks.rl_nr = m.nr;
	ranks.rl_ranks = m.ranks;
	rc = crt_group_primary_modify(NULL, &ctx, 1, &ranks, NULL, m.uris, CRT_GROUP_MOD_OP_REPLACE,
				      m.version);
	if (rc != 0) {
		D_ERROR("loading the group map: " DF_RC "\n", DP_RC(rc));
		dc_map_clear(&m);
		return rc;
	}
	D_DEBUG(DB_MGMT, "group map version %u, %u ranks (was %u)\n", m.version, m.nr,
		dc_map.version);
	dc_map_clear(&dc_map);
	dc_map = m;
	dc_attached = true;
	return 0;
}

int
dc_mgmt_sys_attach(void)
{
	return dc_attached ? 0 : sys_fetch();
}

int
dc_mgmt_sys_refresh(void)
{
	return sys_fetch();
}

uint32_t
dc_mgmt_map_version(void)
{
	return dc_attached ? dc_map.version : 0;
}

int
dc_mgmt_map_check(uint32_t version)
{
	int rc;

	if (!dc_attached || version <= dc_map.version)
		return 0;
	D_DEBUG(DB_MGMT, "group map %u is older than the server's %u\n", dc_map.version, version);
	rc = sys_fetch();
	return rc == 0 ? 1 : rc;
}

int
dc_mgmt_rank_uri(d_rank_t rank, char **uri)
{
	uint32_t i;

	for (i = 0; dc_attached && i < dc_map.nr; i++) {
		if (dc_map.ranks[i] != rank)
			continue;
		D_STRNDUP(*uri, dc_map.uris[i], CRT_ADDR_STR_MAX_LEN);
		return *uri == NULL ? -DER_NOMEM : 0;
	}
	return -DER_OOG;
}

int
dc_mgmt_uri(char **uri)
{
	int rc;

	rc = dc_mgmt_sys_attach();
	if (rc != 0)
		return rc;
	if (dc_map.ms_rank != CRT_NO_RANK && dc_mgmt_rank_uri(dc_map.ms_rank, uri) == 0)
		return 0;
	D_STRNDUP(*uri, dc_map.ap_uri, CRT_ADDR_STR_MAX_LEN);
	return *uri == NULL ? -DER_NOMEM : 0;
}

static bool
rank_gone(int rc)
{
	return rc == -DER_UNREACH || rc == -DER_OOG || rc == -DER_HG;
}

static int
req_create_once(d_rank_t rank, crt_opcode_t opc, crt_rpc_t **rpc)
{
	crt_endpoint_t ep = {.ep_rank = rank, .ep_tag = 0};
	char *uri = NULL;
	int rc;

	rc = dc_mgmt_rank_uri(rank, &uri);
	if (rc != 0)
		return rc;
	/* a refused connection tells at once that the rank is gone */
	rc = mgmt_uri_probe(uri);
	D_FREE(uri);
	if (rc != 0)
		return rc;
	return crt_req_create(dc_rpc_context(), &ep, opc, rpc);
}

int
dc_mgmt_req_create(d_rank_t rank, crt_opcode_t opc, crt_rpc_t **rpc)
{
	int rc;

	rc = dc_mgmt_sys_attach();
	if (rc != 0)
		return rc;
	rc = req_create_once(rank, opc, rpc);
	if (!rank_gone(rc))
		return rc;
	D_DEBUG(DB_MGMT, "rank %u: " DF_RC ": fetching the group map again\n", rank, DP_RC(rc));
	rc = sys_fetch();
	return rc == 0 ? req_create_once(rank, opc, rpc) : rc;
}

int
dc_mgmt_req_send(crt_rpc_t **rpcp)
{
	crt_rpc_t *rpc = *rpcp, *again = NULL;
	d_rank_t rank = rpc->cr_ep.ep_rank;
	char *old = NULL, *now = NULL;
	bool moved;
	int rc, rc2;

	rc = dc_req_send(rpc);
	if (!rank_gone(rc) && rc != -DER_TIMEDOUT)
		return rc;
	D_DEBUG(DB_MGMT, "rank %u: " DF_RC ": fetching the group map again\n", rank, DP_RC(rc));
	dc_mgmt_rank_uri(rank, &old);
	rc2 = sys_fetch();
	if (rc2 != 0) {
		D_FREE(old);
		return rc;
	}
	rc2 = dc_mgmt_rank_uri(rank, &now);
	moved = old == NULL || now == NULL || strcmp(old, now) != 0;
	D_FREE(old);
	D_FREE(now);
	/*
	 * A rank that timed out at the same address would most likely time out
	 * again; one that refused may have restarted there, and a refused probe
	 * costs nothing.
	 */
	if (rc2 != 0 || (rc == -DER_TIMEDOUT && !moved))
		return rc2 != 0 ? rc2 : rc;
	rc = req_create_once(rank, rpc->cr_opc, &again);
	if (rc != 0)
		return rc;
	/* inputs point to the caller's memory, which the first request did not own either */
	if (rpc->cr_input_size > 0)
		memcpy(again->cr_input, rpc->cr_input, rpc->cr_input_size);
	crt_req_decref(rpc);
	*rpcp = again;
	return dc_req_send(again);
}
