/**
 * The management service of the access point: the system membership
 * (ranks assigned once and persisted in a small text database next to the
 * superblock), the group map pushed to every rank by collective RPC at each
 * change, and `dmg system query/stop/start/erase`.
 */
#define D_LOGFAC DD_FAC(mgmt)

#include <errno.h>
#include <limits.h>
#include <unistd.h>
#include <gurt/common.h>
#include "srv_internal.h"

struct sys_member {
	d_rank_t m_rank;
	uuid_t m_uuid;
	char m_addr[MGMT_ADDR_MAX];
	char m_uri[CRT_ADDR_STR_MAX_LEN];
	char m_fault_domain[MGMT_FD_MAX];
	uint32_t m_state; /* persisted: joined, stopped, excluded */
	uint32_t m_nr_targets;
	uint64_t m_incarnation;
	/* not persisted: what the last query found */
	bool m_unresponsive;
};

static struct {
	bool loaded;
	uint32_t map_version;
	d_rank_t next_rank;
	struct sys_member *members;
	uint32_t nr;
	uint32_t cap;
	/* map push: the latest version pushed and the ULT doing it */
	uint32_t pushed_version;
	bool push_running;
	bool push_again;
} sys_db;

static int
sys_db_save(void)
{
	const struct dss_srv_config *cfg = dss_srv_config_get();
	char *buf = NULL, uuid[40];
	size_t len = 0;
	FILE *f;
	uint32_t i;
	int rc;

	f = open_memstream(&buf, &len);
	if (f == NULL)
		return -DER_NOMEM;
	fprintf(f, "# pdaos system database: do not edit\nversion 1\nsystem %s\n",
		cfg->sc_sys_name);
	fprintf(f, "map_version %u\nnext_rank %u\n", sys_db.map_version, sys_db.next_rank);
	for (i = 0; i < sys_db.nr; i++) {
		struct sys_member *m = &sys_db.members[i];

		uuid_unparse_lower(m->m_uuid, uuid);
		fprintf(f, "member %u %s %u %u %lu %s %s %s\n", m->m_rank, uuid, m->m_state,
			m->m_nr_targets, (unsigned long)m->m_incarnation, m->m_addr, m->m_uri,
			m->m_fault_domain);
	}
	fclose(f);
	rc = mgmt_write_file_atomic(cfg->sc_scm_mount, MGMT_DB_FILE, buf, len);
	free(buf);
	return rc;
}

static struct sys_member *
sys_db_add(void)
{
	if (sys_db.nr == sys_db.cap) {
		uint32_t cap = sys_db.cap ? sys_db.cap * 2 : 8;
		struct sys_member *m;

		D_REALLOC_ARRAY(m, sys_db.members, sys_db.cap, cap);
		if (m == NULL)
			return NULL;
		sys_db.members = m;
		sys_db.cap = cap;
	}
	memset(&sys_db.members[sys_db.nr], 0, sizeof(sys_db.members[0]));
	return &sys_db.members[sys_db.nr++];
}

int
ds_mgmt_system_load(void)
{
	const struct dss_srv_config *cfg = dss_srv_config_get();
	char path[PATH_MAX], line[1024], sys[CRT_GROUP_ID_MAX_LEN] = "";
	FILE *f;
	int rc = 0;

	snprintf(path, sizeof(path), "%s/%s", cfg->sc_scm_mount, MGMT_DB_FILE);
	f = fopen(path, "r");
	if (f == NULL) {
		if (errno != ENOENT)
			return d_errno2der(errno);
		/* formatted before it became the access point: start an empty system */
		return ds_mgmt_system_create();
	}
	ds_mgmt_system_unload();
	while (fgets(line, sizeof(line), f) != NULL) {
		struct sys_member *m;
		char uuid[64];
		unsigned long inc;

		if (line[0] == '#')
			continue;
		if (sscanf(line, "system %63s", sys) == 1 || sscanf(line, "version %*u") == 0)
			continue;
		if (sscanf(line, "map_version %u", &sys_db.map_version) == 1 ||
		    sscanf(line, "next_rank %u", &sys_db.next_rank) == 1)
			continue;
		m = sys_db_add();
		if (m == NULL)
			D_GOTO(out, rc = -DER_NOMEM);
		if (sscanf(line, "member %u %63s %u %u %lu %79s %127s %127s", &m->m_rank, uuid,
			   &m->m_state, &m->m_nr_targets, &inc, m->m_addr, m->m_uri,
			   m->m_fault_domain) != 8 ||
		    uuid_parse(uuid, m->m_uuid) != 0) {
			D_ERROR("%s: bad line: %s", path, line);
			D_GOTO(out, rc = -DER_DF_INVAL);
		}
		m->m_incarnation = inc;
	}
	if (strcmp(sys, cfg->sc_sys_name) != 0) {
		D_ERROR("%s: system %s, expected %s\n", path, sys, cfg->sc_sys_name);
		rc = -DER_DF_INVAL;
	}
out:
	fclose(f);
	if (rc == 0) {
		sys_db.loaded = true;
		D_INFO("system %s: %u members, map version %u\n", sys, sys_db.nr,
		       sys_db.map_version);
	}
	return rc;
}

void
ds_mgmt_system_unload(void)
{
	D_FREE(sys_db.members);
	sys_db.nr = sys_db.cap = 0;
	sys_db.loaded = false;
	sys_db.map_version = 0;
	sys_db.next_rank = 0;
}

int
ds_mgmt_system_create(void)
{
	ds_mgmt_system_unload();
	sys_db.loaded = true;
	return sys_db_save();
}

/* Members that are part of the map: everything but the excluded. */
int
ds_mgmt_system_map(uint32_t *version, mgmt_rank_uri_t **mapp, uint32_t *nrp, d_rank_t **ms,
		   uint32_t *nr_ms)
{
	mgmt_rank_uri_t *map;
	uint32_t i, n = 0;

	if (!sys_db.loaded)
		return -DER_UNINIT;
	D_ALLOC_ARRAY(map, sys_db.nr + 1);
	if (map == NULL)
		return -DER_NOMEM;
	for (i = 0; i < sys_db.nr; i++) {
		if (sys_db.members[i].m_state == MGMT_MS_EXCLUDED)
			continue;
		map[n].ru_rank = sys_db.members[i].m_rank;
		D_STRNDUP(map[n].ru_uri, sys_db.members[i].m_uri, CRT_ADDR_STR_MAX_LEN);
		if (map[n].ru_uri == NULL) {
			while (n > 0) {
				n--;
				D_FREE(map[n].ru_uri);
			}
			D_FREE(map);
			return -DER_NOMEM;
		}
		n++;
	}
	if (ms != NULL) {
		D_ALLOC_ARRAY(*ms, 1);
		*nr_ms = 0;
		if (*ms != NULL && mgmt_self.ms_sb.sb_rank != CRT_NO_RANK) {
			(*ms)[0] = mgmt_self.ms_sb.sb_rank;
			*nr_ms = 1;
		}
	}
	*version = sys_db.map_version;
	*mapp = map;
	*nrp = n;
	return 0;
}

static void
sys_map_free(mgmt_rank_uri_t *map, uint32_t nr)
{
	while (nr > 0) {
		nr--;
		D_FREE(map[nr].ru_uri);
	}
	D_FREE(map);
}

/* Apply the map here, then send it to every other rank in one collective RPC. */
static int
sys_map_push_once(void)
{
	struct dss_module_info *dmi = dss_get_module_info();
	struct mgmt_grp_update_in *in;
	struct mgmt_grp_update_out *out;
	mgmt_rank_uri_t *map = NULL;
	uint32_t version, nr, i;
	crt_rpc_t *rpc;
	int rc;

	rc = ds_mgmt_system_map(&version, &map, &nr, NULL, NULL);
	if (rc != 0)
		return rc;
	rc = mgmt_map_apply(version, map, nr);
	if (rc != 0)
		goto out;
	/* nobody else to tell? */
	for (i = 0; i < nr; i++)
		if (map[i].ru_rank != mgmt_self.ms_sb.sb_rank)
			break;
	if (i == nr)
		goto out_pushed;
	/*
	 * Every rank, this one included: it is then the root of a flat tree and sends
	 * to each rank itself, so a dead rank neither cuts off a subtree nor leaves a
	 * connection to it on another rank (its own handler sees a known version).
	 */
	rc = crt_corpc_req_create(dmi->dmi_ctx, NULL, NULL, MGMT_GROUP_UPDATE, NULL, NULL, 0,
				  crt_tree_topo(CRT_TREE_FLAT, 0), &rpc);
	if (rc != 0)
		goto out;
	in = crt_req_get(rpc);
	in->gui_map_version = version;
	in->gui_map.ca_arrays = map;
	in->gui_map.ca_count = nr;
	rc = mgmt_rpc_send_wait(rpc, 5000);
	if (rc == 0) {
		out = crt_reply_get(rpc);
		rc = out->guo_rc;
	}
	crt_req_decref(rpc);
	if (rc != 0)
		D_WARN("group map version %u: not every rank took it: " DF_RC "\n", version,
		       DP_RC(rc));
out_pushed:
	sys_db.pushed_version = version;
	rc = 0;
out:
	sys_map_free(map, nr);
	return rc;
}

static void
sys_map_push_ult(void *arg)
{
	do {
		sys_db.push_again = false;
		sys_map_push_once();
	} while (sys_db.push_again && !mgmt_self.ms_stopping);
	sys_db.push_running = false;
}

/* After every change of the map: one pusher at a time, and it always ends with the latest. */
static void
sys_map_changed(void)
{
	int rc;

	if (sys_db.push_running) {
		sys_db.push_again = true;
		return;
	}
	sys_db.push_running = true;
	rc = dss_ult_create(sys_map_push_ult, NULL, DSS_XS_SYS, 0, 0, NULL);
	if (rc != 0) {
		sys_db.push_running = false;
		D_ERROR("cannot start the map push: " DF_RC "\n", DP_RC(rc));
	}
}

void
ds_mgmt_system_push_wait(void)
{
	int i;

	/* bounded by the push RPC timeout */
	for (i = 0; i < 1000 && sys_db.push_running; i++)
		dss_sleep(10);
}

static struct sys_member *
sys_member_by_rank(d_rank_t rank)
{
	uint32_t i;

	for (i = 0; i < sys_db.nr; i++)
		if (sys_db.members[i].m_rank == rank)
			return &sys_db.members[i];
	return NULL;
}

static struct sys_member *
sys_member_by_uuid(const uuid_t uuid)
{
	uint32_t i;

	for (i = 0; i < sys_db.nr; i++)
		if (uuid_compare(sys_db.members[i].m_uuid, uuid) == 0)
			return &sys_db.members[i];
	return NULL;
}

static bool
sys_str_ok(const char *s, size_t max)
{
	return s != NULL && s[0] != '\0' && strlen(s) < max && strpbrk(s, " \t\n") == NULL;
}

int
ds_mgmt_join_local(struct mgmt_join_in *in, struct mgmt_join_out *out)
{
	const struct dss_srv_config *cfg = dss_srv_config_get();
	struct sys_member *m;
	bool changed = false;
	uint32_t nr;
	int rc;

	if (!sys_db.loaded)
		return -DER_UNINIT;
	if (in->ji_sys == NULL || strcmp(in->ji_sys, cfg->sc_sys_name) != 0) {
		D_ERROR("join from %s: system %s, not %s\n", in->ji_addr ? in->ji_addr : "?",
			in->ji_sys ? in->ji_sys : "(none)", cfg->sc_sys_name);
		return -DER_INVAL;
	}
	if (!sys_str_ok(in->ji_addr, MGMT_ADDR_MAX) ||
	    !sys_str_ok(in->ji_uri, CRT_ADDR_STR_MAX_LEN) ||
	    !sys_str_ok(in->ji_fault_domain, MGMT_FD_MAX) || strstr(in->ji_uri, "://") == NULL)
		return -DER_INVAL;
	m = sys_member_by_uuid(in->ji_uuid);
	if (m != NULL) {
		if (in->ji_rank != CRT_NO_RANK && in->ji_rank != m->m_rank) {
			D_ERROR("join: " DF_UUIDF " claims rank %u, recorded as %u\n",
				DP_UUID(in->ji_uuid), in->ji_rank, m->m_rank);
			return -DER_INVAL;
		}
		changed = strcmp(m->m_uri, in->ji_uri) != 0 || m->m_state == MGMT_MS_EXCLUDED ||
			  m->m_incarnation != in->ji_incarnation;
	} else {
		d_rank_t rank = in->ji_rank;

		/* a rank from a superblock is kept when free (e.g. after losing the DB) */
		if (rank == CRT_NO_RANK || sys_member_by_rank(rank) != NULL)
			rank = sys_db.next_rank;
		m = sys_db_add();
		if (m == NULL)
			return -DER_NOMEM;
		m->m_rank = rank;
		uuid_copy(m->m_uuid, in->ji_uuid);
		if (rank >= sys_db.next_rank)
			sys_db.next_rank = rank + 1;
		changed = true;
	}
	snprintf(m->m_addr, sizeof(m->m_addr), "%s", in->ji_addr);
	snprintf(m->m_uri, sizeof(m->m_uri), "%s", in->ji_uri);
	snprintf(m->m_fault_domain, sizeof(m->m_fault_domain), "%s", in->ji_fault_domain);
	m->m_nr_targets = in->ji_nr_targets;
	m->m_incarnation = in->ji_incarnation;
	m->m_state = MGMT_MS_JOINED;
	m->m_unresponsive = false;
	if (changed)
		sys_db.map_version++;
	rc = sys_db_save();
	if (rc != 0)
		return rc;
	D_INFO("rank %u joined: %s %s %s (map version %u)\n", m->m_rank, m->m_addr, m->m_uri,
	       m->m_fault_domain, sys_db.map_version);
	out->jo_rank = m->m_rank;
	out->jo_state = MGMT_MS_JOINED;
	out->jo_map_version = sys_db.map_version;
	rc = ds_mgmt_system_map(&out->jo_map_version, &out->jo_map.ca_arrays, &nr, NULL, NULL);
	out->jo_map.ca_count = nr;
	if (changed)
		sys_map_changed();
	return rc;
}

void
ds_mgmt_join_out_free(struct mgmt_join_out *out)
{
	sys_map_free(out->jo_map.ca_arrays, (uint32_t)out->jo_map.ca_count);
	out->jo_map.ca_arrays = NULL;
	out->jo_map.ca_count = 0;
}

void
ds_mgmt_hdlr_join(crt_rpc_t *rpc)
{
	struct mgmt_join_in *in = crt_req_get(rpc);
	struct mgmt_join_out *out = crt_reply_get(rpc);

	if (!mgmt_self.ms_is_ap)
		out->jo_rc = -DER_NOTLEADER;
	else
		out->jo_rc = ds_mgmt_join_local(in, out);
	crt_reply_send(rpc);
	ds_mgmt_join_out_free(out);
}

static bool
sys_rank_selected(d_rank_list_t *ranks, d_rank_t rank)
{
	uint32_t i;

	if (ranks == NULL || ranks->rl_nr == 0)
		return true;
	for (i = 0; i < ranks->rl_nr; i++)
		if (ranks->rl_ranks[i] == rank)
			return true;
	return false;
}

/* Requested ranks the system does not have. */
static d_rank_list_t *
sys_absent(d_rank_list_t *ranks)
{
	d_rank_list_t *absent;
	uint32_t i, n = 0;

	if (ranks == NULL || ranks->rl_nr == 0)
		return NULL;
	absent = d_rank_list_alloc(ranks->rl_nr);
	if (absent == NULL)
		return NULL;
	for (i = 0; i < ranks->rl_nr; i++)
		if (sys_member_by_rank(ranks->rl_ranks[i]) == NULL)
			absent->rl_ranks[n++] = ranks->rl_ranks[i];
	absent->rl_nr = n;
	return absent;
}

/* Ping the selected members that should be up; mark those that do not answer. */
static void
sys_ping(d_rank_list_t *ranks)
{
	struct dss_module_info *dmi = dss_get_module_info();
	crt_rpc_t **rpcs = NULL;
	struct sys_member **who = NULL;
	int *rcs = NULL;
	uint32_t i;
	int n = 0;

	D_ALLOC_ARRAY(rpcs, sys_db.nr + 1);
	D_ALLOC_ARRAY(who, sys_db.nr + 1);
	D_ALLOC_ARRAY(rcs, sys_db.nr + 1);
	if (rpcs == NULL || who == NULL || rcs == NULL)
		goto out;
	for (i = 0; i < sys_db.nr; i++) {
		struct sys_member *m = &sys_db.members[i];
		crt_endpoint_t ep = {.ep_rank = m->m_rank, .ep_tag = 0};
		struct mgmt_ping_in *in;

		if (!sys_rank_selected(ranks, m->m_rank) || m->m_state == MGMT_MS_EXCLUDED)
			continue;
		if (m->m_rank == mgmt_self.ms_sb.sb_rank) {
			m->m_unresponsive = false;
			continue;
		}
		if (crt_req_create(dmi->dmi_ctx, &ep, MGMT_PING_RANK, &rpcs[n]) != 0)
			continue;
		in = crt_req_get(rpcs[n]);
		in->pi_rank = m->m_rank;
		who[n++] = m;
	}
	mgmt_rpc_send_all(rpcs, n, 1500, rcs);
	for (i = 0; i < (uint32_t)n; i++) {
		struct mgmt_ping_out *out = crt_reply_get(rpcs[i]);

		who[i]->m_unresponsive = rcs[i] != 0 || out->po_rc != 0;
		if (rcs[i] == 0 && out->po_rc == 0 && out->po_state == MGMT_MS_STOPPED)
			who[i]->m_state = MGMT_MS_STOPPED;
		crt_req_decref(rpcs[i]);
	}
out:
	D_FREE(rpcs);
	D_FREE(who);
	D_FREE(rcs);
}

void
ds_mgmt_hdlr_sys_query(crt_rpc_t *rpc)
{
	const struct dss_srv_config *cfg = dss_srv_config_get();
	struct mgmt_sys_query_in *in = crt_req_get(rpc);
	struct mgmt_sys_query_out *out = crt_reply_get(rpc);
	mgmt_member_t *members = NULL;
	uint32_t i, n = 0;

	out->sqo_sys_name = cfg->sc_sys_name;
	out->sqo_provider = cfg->sc_provider;
	if (!mgmt_self.ms_is_ap) {
		out->sqo_rc = -DER_NOTLEADER;
		goto out;
	}
	if (!sys_db.loaded) {
		out->sqo_rc = -DER_UNINIT;
		goto out;
	}
	sys_ping(in->sqi_ranks);
	D_ALLOC_ARRAY(members, sys_db.nr + 1);
	if (members == NULL) {
		out->sqo_rc = -DER_NOMEM;
		goto out;
	}
	for (i = 0; i < sys_db.nr; i++) {
		struct sys_member *m = &sys_db.members[i];
		mgmt_member_t *o = &members[n];

		if (!sys_rank_selected(in->sqi_ranks, m->m_rank))
			continue;
		o->mm_rank = m->m_rank;
		uuid_copy(o->mm_uuid, m->m_uuid);
		o->mm_addr = m->m_addr;
		o->mm_uri = m->m_uri;
		o->mm_fault_domain = m->m_fault_domain;
		o->mm_state = m->m_unresponsive ? MGMT_MS_UNRESPONSIVE : m->m_state;
		o->mm_reason = m->m_unresponsive ? "no reply to ping" : "";
		o->mm_incarnation = m->m_incarnation;
		o->mm_nr_targets = m->m_nr_targets;
		n++;
	}
	out->sqo_members.ca_arrays = members;
	out->sqo_members.ca_count = n;
	out->sqo_map_version = sys_db.map_version;
	out->sqo_absent = sys_absent(in->sqi_ranks);
	out->sqo_rc = 0;
out:
	crt_reply_send(rpc);
	D_FREE(members);
	out->sqo_members.ca_arrays = NULL;
	out->sqo_members.ca_count = 0;
	d_rank_list_free(out->sqo_absent);
	out->sqo_absent = NULL;
}

static int
sys_erase_local(void)
{
	const struct dss_srv_config *cfg = dss_srv_config_get();
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s", cfg->sc_scm_mount, MGMT_DB_FILE);
	if (unlink(path) != 0 && errno != ENOENT)
		return d_errno2der(errno);
	return 0;
}

void
ds_mgmt_hdlr_sys_ctl(crt_rpc_t *rpc)
{
	struct dss_module_info *dmi = dss_get_module_info();
	struct mgmt_sys_ctl_in *in = crt_req_get(rpc);
	struct mgmt_sys_ctl_out *out = crt_reply_get(rpc);
	mgmt_rank_result_t *results = NULL;
	crt_rpc_t **rpcs = NULL;
	int *rcs = NULL, *slot = NULL;
	uint32_t op, i;
	int n = 0, nres = 0, rc = 0;

	op = rpc->cr_opc == MGMT_SYSTEM_STOP    ? MGMT_RANK_STOP
	     : rpc->cr_opc == MGMT_SYSTEM_START ? MGMT_RANK_START
						: MGMT_RANK_ERASE;
	if (!mgmt_self.ms_is_ap)
		D_GOTO(out, rc = -DER_NOTLEADER);
	if (!sys_db.loaded)
		D_GOTO(out, rc = -DER_UNINIT);
	if (op == MGMT_RANK_ERASE) {
		/* DAOS's rule: a running system is not erased */
		sys_ping(NULL);
		for (i = 0; i < sys_db.nr; i++)
			if (sys_db.members[i].m_state == MGMT_MS_JOINED &&
			    !sys_db.members[i].m_unresponsive)
				D_GOTO(out, rc = -DER_BUSY);
	}
	D_ALLOC_ARRAY(results, sys_db.nr + 1);
	D_ALLOC_ARRAY(rpcs, sys_db.nr + 1);
	D_ALLOC_ARRAY(rcs, sys_db.nr + 1);
	D_ALLOC_ARRAY(slot, sys_db.nr + 1);
	if (results == NULL || rpcs == NULL || rcs == NULL || slot == NULL)
		D_GOTO(out, rc = -DER_NOMEM);
	for (i = 0; i < sys_db.nr; i++) {
		struct sys_member *m = &sys_db.members[i];
		crt_endpoint_t ep = {.ep_rank = m->m_rank, .ep_tag = 0};
		mgmt_rank_result_t *r;

		if (op != MGMT_RANK_ERASE && !sys_rank_selected(in->sci_ranks, m->m_rank))
			continue;
		r = &results[nres];
		r->rr_rank = m->m_rank;
		r->rr_addr = m->m_addr;
		if (m->m_rank == mgmt_self.ms_sb.sb_rank) {
			/* the access point itself: done below, after the others */
			slot[nres++] = -1;
			continue;
		}
		if (crt_req_create(dmi->dmi_ctx, &ep, MGMT_RANK_CTL, &rpcs[n]) != 0) {
			r->rr_rc = -DER_NOMEM;
			slot[nres++] = -2;
			continue;
		}
		((struct mgmt_rank_ctl_in *)crt_req_get(rpcs[n]))->rci_op = op;
		slot[nres++] = n++;
	}
	mgmt_rpc_send_all(rpcs, n, 5000, rcs);
	for (i = 0; i < (uint32_t)nres; i++) {
		mgmt_rank_result_t *r = &results[i];
		struct sys_member *m = sys_member_by_rank(r->rr_rank);

		if (slot[i] == -1) {
			r->rr_rc = mgmt_rank_ctl_local(op, &r->rr_state);
		} else if (slot[i] >= 0) {
			struct mgmt_rank_ctl_out *ro = crt_reply_get(rpcs[slot[i]]);

			r->rr_rc = rcs[slot[i]] != 0 ? rcs[slot[i]] : ro->rco_rc;
			r->rr_state = ro->rco_state;
			crt_req_decref(rpcs[slot[i]]);
		}
		/* an erase of a dead rank is fine: its superblock goes with the next format */
		if (op == MGMT_RANK_ERASE && r->rr_rc != 0 && m->m_unresponsive)
			r->rr_rc = 0;
		if (r->rr_rc == 0 && op != MGMT_RANK_ERASE) {
			m->m_state = op == MGMT_RANK_STOP ? MGMT_MS_STOPPED : MGMT_MS_JOINED;
			m->m_unresponsive = false;
		}
		if (r->rr_rc != 0) {
			if (op == MGMT_RANK_START && m->m_state != MGMT_MS_STOPPED)
				m->m_unresponsive = true;
			if (rc == 0)
				rc = r->rr_rc;
		}
		r->rr_state = m->m_unresponsive ? MGMT_MS_UNRESPONSIVE : m->m_state;
	}
	if (op == MGMT_RANK_ERASE) {
		int rc2 = sys_erase_local();

		if (rc == 0)
			rc = rc2;
	} else {
		int rc2 = sys_db_save();

		if (rc == 0)
			rc = rc2;
	}
	out->sco_results.ca_arrays = results;
	out->sco_results.ca_count = nres;
	out->sco_absent = op == MGMT_RANK_ERASE ? NULL : sys_absent(in->sci_ranks);
	/* per-rank failures are in the results; the call itself succeeded */
	rc = 0;
out:
	out->sco_rc = rc;
	crt_reply_send(rpc);
	/* the results point into the member table: drop it only now */
	if (op == MGMT_RANK_ERASE && rc == 0)
		ds_mgmt_system_unload();
	D_FREE(results);
	D_FREE(rpcs);
	D_FREE(rcs);
	D_FREE(slot);
	out->sco_results.ca_arrays = NULL;
	out->sco_results.ca_count = 0;
	d_rank_list_free(out->sco_absent);
	out->sco_absent = NULL;
}
