/**
 * libdaos container API. Every request goes to the pool service rank of the
 * connected pool (dp_svc_rank, through the group map: an unreachable rank
 * makes libdaos fetch the map again and retry once) with the pool handle; calls
 * on an open container add the container handle. Calls with an event run to
 * completion, then complete the event (as the pool client does).
 */
#define D_LOGFAC DD_FAC(container)

#include <unistd.h>
#include <daos.h>
#include <daos/attr.h>
#include <daos/hhash.h>
#include <daos/event.h>
#include <daos/mgmt.h>
#include <daos/pool.h>
#include <daos/container.h>
#include <daos/prop.h>
#include <daos/rpc.h>
#include <daos/security.h>
#include <gurt/common.h>
#include "rpc.h"

/* DAOS_HTYPE_CO is odd, so gurt's handle table looks it up by cookie (even types are pointers). */
#define DC_CONT_HTYPE DAOS_HTYPE_CO

static void
dc_cont_free(struct d_hlink *hlink)
{
	struct dc_cont *cont = container_of(hlink, struct dc_cont, dc_hlink);

	if (cont->dc_pool != NULL)
		dc_pool_put(cont->dc_pool);
	daos_prop_free(cont->dc_prop);
	D_FREE(cont);
}

static struct d_hlink_ops dc_cont_h_ops = {.hop_free = dc_cont_free};

struct dc_cont *
dc_hdl2cont(daos_handle_t coh)
{
	struct d_hlink *h = daos_hhash_link_lookup(coh.cookie);

	if (h == NULL)
		return NULL;
	if (h->hl_ops != &dc_cont_h_ops) {
		daos_hhash_link_putref(h);
		return NULL;
	}
	return container_of(h, struct dc_cont, dc_hlink);
}

void
dc_cont_put(struct dc_cont *cont)
{
	daos_hhash_link_putref(&cont->dc_hlink);
}

static struct dc_cont *
dc_cont_alloc(struct dc_pool *pool, daos_handle_t poh)
{
	struct dc_cont *cont;

	D_ALLOC_PTR(cont);
	if (cont == NULL)
		return NULL;
	daos_hhash_hlink_init(&cont->dc_hlink, &dc_cont_h_ops);
	daos_hhash_link_getref(&pool->dp_hlink);
	cont->dc_pool = pool;
	cont->dc_poh = poh;
	cont->dc_redun_lvl = DAOS_PROP_CO_REDUN_DEFAULT;
	cont->dc_ec_cell_sz = DAOS_PROP_PO_EC_CELL_SZ_DEFAULT;
	cont->dc_obj_version = 1;
	return cont;
}

/* Keep the properties the open reply brought; the object layer reads a few of them. */
static int
dc_cont_set_props(struct dc_cont *cont, d_iov_t *iov)
{
	struct daos_prop_entry *e;
	daos_prop_t *prop = NULL;
	int rc;

	if (iov->iov_len == 0)
		return 0;
	rc = daos_prop_decode(iov->iov_buf, iov->iov_len, &prop);
	if (rc != 0)
		return rc;
	if ((e = daos_prop_entry_get(prop, DAOS_PROP_CO_REDUN_FAC)) != NULL)
		cont->dc_redun_fac = (uint32_t)e->dpe_val;
	if ((e = daos_prop_entry_get(prop, DAOS_PROP_CO_REDUN_LVL)) != NULL)
		cont->dc_redun_lvl = (uint32_t)e->dpe_val;
	if ((e = daos_prop_entry_get(prop, DAOS_PROP_CO_LAYOUT_TYPE)) != NULL)
		cont->dc_layout_type = (uint32_t)e->dpe_val;
	if ((e = daos_prop_entry_get(prop, DAOS_PROP_CO_CSUM)) != NULL)
		cont->dc_csum_type = (uint32_t)e->dpe_val;
	if ((e = daos_prop_entry_get(prop, DAOS_PROP_CO_CSUM_CHUNK_SIZE)) != NULL)
		cont->dc_csum_chunk_size = e->dpe_val;
	if ((e = daos_prop_entry_get(prop, DAOS_PROP_CO_EC_CELL_SZ)) != NULL)
		cont->dc_ec_cell_sz = e->dpe_val;
	if ((e = daos_prop_entry_get(prop, DAOS_PROP_CO_GLOBAL_VERSION)) != NULL)
		cont->dc_global_version = (uint32_t)e->dpe_val;
	if ((e = daos_prop_entry_get(prop, DAOS_PROP_CO_OBJ_VERSION)) != NULL)
		cont->dc_obj_version = (uint32_t)e->dpe_val;
	daos_prop_free(cont->dc_prop);
	cont->dc_prop = prop;
	return 0;
}

/* A request to the pool's service (dc_rpc_lock held); the caller fills the rest. */
static int
dc_cont_req(struct dc_pool *pool, crt_opcode_t opc, crt_rpc_t **rpc)
{
	int rc;

	rc = dc_rpc_init(&cont_proto_fmt);
	if (rc == 0)
		rc = dc_mgmt_req_create(pool->dp_svc_rank, opc, rpc);
	return rc;
}

/* The header of a handle-based request. */
static void
dc_cont_hdr(void *in, struct dc_cont *cont)
{
	struct cont_close_in *hdr = in; /* every handle request starts with CONT_OP_HDR */

	uuid_copy(hdr->ci_pool, cont->dc_pool->dp_uuid);
	uuid_copy(hdr->ci_pool_hdl, cont->dc_pool->dp_hdl);
	uuid_copy(hdr->ci_hdl, cont->dc_hdl);
}

/* ---- create ---- */

/* The caller's user and group become owner and owner-group unless the request names them. */
static int
dc_cont_prop_with_owner(daos_prop_t *prop, const char *label, daos_prop_t **out)
{
	daos_prop_t *extra;
	char *user = NULL, *group = NULL;
	uint32_t n = 0;
	int rc;

	extra = daos_prop_alloc(3);
	if (extra == NULL)
		return -DER_NOMEM;
	if (daos_prop_entry_get(prop, DAOS_PROP_CO_OWNER) == NULL) {
		rc = daos_acl_uid_to_principal(geteuid(), &user);
		if (rc == 0) {
			extra->dpp_entries[n].dpe_type = DAOS_PROP_CO_OWNER;
			extra->dpp_entries[n++].dpe_str = user;
		} else if (rc == -DER_NOMEM) {
			goto out;
		}
	}
	if (daos_prop_entry_get(prop, DAOS_PROP_CO_OWNER_GROUP) == NULL) {
		rc = daos_acl_gid_to_principal(getegid(), &group);
		if (rc == 0) {
			extra->dpp_entries[n].dpe_type = DAOS_PROP_CO_OWNER_GROUP;
			extra->dpp_entries[n++].dpe_str = group;
		} else if (rc == -DER_NOMEM) {
			goto out;
		}
	}
	if (label != NULL) {
		extra->dpp_entries[n].dpe_type = DAOS_PROP_CO_LABEL;
		D_STRNDUP(extra->dpp_entries[n].dpe_str, label, DAOS_PROP_LABEL_MAX_LEN);
		if (extra->dpp_entries[n++].dpe_str == NULL)
			D_GOTO(out, rc = -DER_NOMEM);
	}
	extra->dpp_nr = n;
	if (prop != NULL) {
		rc = daos_prop_merge2(prop, extra, out);
	} else {
		*out = extra;
		extra = NULL;
		rc = 0;
	}
out:
	if (extra != NULL)
		extra->dpp_nr = 3;
	daos_prop_free(extra);
	return rc;
}

static int
dc_cont_create(daos_handle_t poh, const char *label, daos_prop_t *prop, uuid_t *uuidp)
{
	struct cont_create_in *in;
	struct cont_create_out *out;
	struct dc_pool *pool;
	daos_prop_t *full = NULL;
	void *buf = NULL;
	size_t len = 0;
	crt_rpc_t *rpc;
	uuid_t uuid;
	int rc;

	if (prop != NULL && !daos_prop_valid(prop, false, true))
		return -DER_INVAL;
	if (label != NULL &&
	    (!daos_label_is_valid(label) || daos_prop_entry_get(prop, DAOS_PROP_CO_LABEL) != NULL))
		return -DER_INVAL;
	pool = dc_hdl2pool(poh);
	if (pool == NULL)
		return -DER_NO_HDL;
	rc = dc_cont_prop_with_owner(prop, label, &full);
	if (rc == 0)
		rc = daos_prop_encode(full, &buf, &len);
	if (rc != 0)
		goto out;
	uuid_generate(uuid);
	dc_rpc_lock();
	rc = dc_cont_req(pool, CONT_CREATE, &rpc);
	if (rc == 0) {
		in = crt_req_get(rpc);
		uuid_copy(in->cci_pool, pool->dp_uuid);
		uuid_copy(in->cci_pool_hdl, pool->dp_hdl);
		uuid_copy(in->cci_uuid, uuid);
		d_iov_set(&in->cci_prop, buf, len);
		rc = dc_mgmt_req_send(&rpc);
		out = crt_reply_get(rpc);
		if (rc == 0)
			rc = out->cco_rc;
		crt_req_decref(rpc);
	}
	dc_rpc_unlock();
	if (rc == 0 && uuidp != NULL)
		uuid_copy(*uuidp, uuid);
out:
	D_FREE(buf);
	daos_prop_free(full);
	dc_pool_put(pool);
	return rc;
}

int
daos_cont_create2(daos_handle_t poh, uuid_t *uuid, daos_prop_t *cont_prop, daos_event_t *ev)
{
	return dc_return(ev, dc_cont_create(poh, NULL, cont_prop, uuid));
}

int
daos_cont_create_with_label(daos_handle_t poh, const char *label, daos_prop_t *cont_prop,
			    uuid_t *uuid, daos_event_t *ev)
{
	if (label == NULL)
		return dc_return(ev, -DER_INVAL);
	return dc_return(ev, dc_cont_create(poh, label, cont_prop, uuid));
}

/* ---- destroy ---- */

static bool
cont_id_valid(const char *id)
{
	uuid_t u;

	if (id == NULL || strnlen(id, DAOS_PROP_LABEL_MAX_LEN + 1) > DAOS_PROP_LABEL_MAX_LEN)
		return false;
	return uuid_parse(id, u) == 0 || daos_label_is_valid(id);
}

int
daos_cont_destroy2(daos_handle_t poh, const char *cont, int force, daos_event_t *ev)
{
	struct cont_destroy_in *in;
	struct cont_destroy_out *out;
	struct dc_pool *pool;
	crt_rpc_t *rpc;
	int rc;

	if (!cont_id_valid(cont))
		return dc_return(ev, -DER_INVAL);
	pool = dc_hdl2pool(poh);
	if (pool == NULL)
		return dc_return(ev, -DER_NO_HDL);
	dc_rpc_lock();
	rc = dc_cont_req(pool, CONT_DESTROY, &rpc);
	if (rc == 0) {
		in = crt_req_get(rpc);
		uuid_copy(in->cdi_pool, pool->dp_uuid);
		uuid_copy(in->cdi_pool_hdl, pool->dp_hdl);
		in->cdi_id = (d_string_t)cont;
		in->cdi_force = force != 0;
		rc = dc_mgmt_req_send(&rpc);
		out = crt_reply_get(rpc);
		if (rc == 0)
			rc = out->cdo_rc;
		crt_req_decref(rpc);
	}
	dc_rpc_unlock();
	dc_pool_put(pool);
	return dc_return(ev, rc);
}

/* ---- open / close ---- */

static int
dc_info_copy(d_iov_t *iov, daos_cont_info_t *info)
{
	if (iov->iov_len != sizeof(*info))
		return -DER_PROTO;
	if (info != NULL)
		memcpy(info, iov->iov_buf, sizeof(*info));
	return 0;
}

int
daos_cont_open2(daos_handle_t poh, const char *cont_id, unsigned int flags, daos_handle_t *coh,
		daos_cont_info_t *info, daos_event_t *ev)
{
	struct cont_open_in *in;
	struct cont_open_out *out;
	struct dc_pool *pool;
	struct dc_cont *cont;
	crt_rpc_t *rpc;
	gid_t gids[64];
	int ngids, rc;

	if (coh == NULL || !cont_id_valid(cont_id) || !cont_open_flags_valid(flags))
		return dc_return(ev, -DER_INVAL);
	pool = dc_hdl2pool(poh);
	if (pool == NULL)
		return dc_return(ev, -DER_NO_HDL);
	cont = dc_cont_alloc(pool, poh);
	dc_pool_put(pool);
	if (cont == NULL)
		return dc_return(ev, -DER_NOMEM);
	uuid_generate(cont->dc_hdl);
	cont->dc_flags = flags;
	ngids = getgroups(64, gids);
	if (ngids < 0)
		ngids = 0;

	dc_rpc_lock();
	rc = dc_cont_req(pool, CONT_OPEN, &rpc);
	if (rc == 0) {
		in = crt_req_get(rpc);
		uuid_copy(in->coi_pool, pool->dp_uuid);
		uuid_copy(in->coi_pool_hdl, pool->dp_hdl);
		in->coi_id = (d_string_t)cont_id;
		uuid_copy(in->coi_hdl, cont->dc_hdl);
		in->coi_flags = flags;
		in->coi_uid = geteuid();
		in->coi_gid = getegid();
		d_iov_set(&in->coi_gids, gids, (size_t)ngids * sizeof(gid_t));
		rc = dc_mgmt_req_send(&rpc);
		out = crt_reply_get(rpc);
		if (rc == 0)
			rc = out->coo_rc;
		if (rc == 0) {
			uuid_copy(cont->dc_uuid, out->coo_uuid);
			rc = dc_info_copy(&out->coo_info, info);
		}
		if (rc == 0)
			rc = dc_cont_set_props(cont, &out->coo_prop);
		crt_req_decref(rpc);
	}
	dc_rpc_unlock();
	if (rc != 0) {
		dc_cont_free(&cont->dc_hlink);
		return dc_return(ev, rc);
	}
	daos_hhash_link_insert(&cont->dc_hlink, DC_CONT_HTYPE);
	daos_hhash_link_key(&cont->dc_hlink, &coh->cookie);
	dc_cont_put(cont);
	return dc_return(ev, 0);
}

int
daos_cont_close(daos_handle_t coh, daos_event_t *ev)
{
	struct cont_close_out *out;
	struct dc_cont *cont = dc_hdl2cont(coh);
	crt_rpc_t *rpc;
	int rc;

	if (cont == NULL)
		return dc_return(ev, -DER_NO_HDL);
	dc_rpc_lock();
	rc = dc_cont_req(cont->dc_pool, CONT_CLOSE, &rpc);
	if (rc == 0) {
		dc_cont_hdr(crt_req_get(rpc), cont);
		rc = dc_mgmt_req_send(&rpc);
		out = crt_reply_get(rpc);
		if (rc == 0)
			rc = out->cco_rc;
		crt_req_decref(rpc);
	}
	dc_rpc_unlock();
	/* a handle whose pool handle is gone is closed as far as the service cares */
	if (rc == 0 || rc == -DER_NO_HDL) {
		daos_hhash_link_delete(&cont->dc_hlink);
		rc = 0;
	}
	dc_cont_put(cont);
	return dc_return(ev, rc);
}

/* ---- query, properties, ACL ---- */

static int
dc_cont_query(daos_handle_t coh, daos_cont_info_t *info, daos_prop_t **propp)
{
	struct cont_query_out *out;
	struct dc_cont *cont = dc_hdl2cont(coh);
	crt_rpc_t *rpc;
	int rc;

	if (cont == NULL)
		return -DER_NO_HDL;
	*propp = NULL;
	dc_rpc_lock();
	rc = dc_cont_req(cont->dc_pool, CONT_QUERY, &rpc);
	if (rc == 0) {
		dc_cont_hdr(crt_req_get(rpc), cont);
		rc = dc_mgmt_req_send(&rpc);
		out = crt_reply_get(rpc);
		if (rc == 0)
			rc = out->cqo_rc;
		if (rc == 0)
			rc = dc_info_copy(&out->cqo_info, info);
		if (rc == 0 && out->cqo_prop.iov_len > 0)
			rc = daos_prop_decode(out->cqo_prop.iov_buf, out->cqo_prop.iov_len, propp);
		crt_req_decref(rpc);
	}
	dc_rpc_unlock();
	dc_cont_put(cont);
	return rc;
}

int
daos_cont_query(daos_handle_t coh, daos_cont_info_t *info, daos_prop_t *cont_prop, daos_event_t *ev)
{
	daos_prop_t *all = NULL;
	int rc;

	rc = dc_cont_query(coh, info, &all);
	if (rc == 0 && cont_prop != NULL) {
		/* nothing readable came back: the handle lacks get-prop */
		rc = all == NULL ? -DER_NO_PERM : daos_prop_copy(cont_prop, all);
	}
	daos_prop_free(all);
	return dc_return(ev, rc);
}

int
daos_cont_get_acl(daos_handle_t coh, daos_prop_t **acl_prop, daos_event_t *ev)
{
	const uint32_t types[] = {DAOS_PROP_CO_ACL, DAOS_PROP_CO_OWNER, DAOS_PROP_CO_OWNER_GROUP};
	daos_prop_t *all = NULL, *res;
	uint32_t i;
	int rc;

	if (acl_prop == NULL)
		return dc_return(ev, -DER_INVAL);
	rc = dc_cont_query(coh, NULL, &all);
	if (rc == 0 && daos_prop_entry_get(all, DAOS_PROP_CO_ACL) == NULL)
		rc = -DER_NO_PERM;
	if (rc != 0) {
		daos_prop_free(all);
		return dc_return(ev, rc);
	}
	res = daos_prop_alloc(ARRAY_SIZE(types));
	if (res == NULL) {
		daos_prop_free(all);
		return dc_return(ev, -DER_NOMEM);
	}
	for (i = 0; i < ARRAY_SIZE(types); i++)
		res->dpp_entries[i].dpe_type = types[i];
	rc = daos_prop_copy(res, all);
	daos_prop_free(all);
	if (rc != 0) {
		daos_prop_free(res);
		return dc_return(ev, rc);
	}
	*acl_prop = res;
	return dc_return(ev, 0);
}

static int
dc_cont_prop_set(daos_handle_t coh, uint32_t op, daos_prop_t *prop, const char *principal)
{
	struct cont_prop_set_in *in;
	struct cont_prop_set_out *out;
	struct dc_cont *cont;
	void *buf = NULL;
	size_t len = 0;
	crt_rpc_t *rpc;
	int rc;

	cont = dc_hdl2cont(coh);
	if (cont == NULL)
		return -DER_NO_HDL;
	if (prop != NULL) {
		rc = daos_prop_encode(prop, &buf, &len);
		if (rc != 0)
			goto out;
	}
	dc_rpc_lock();
	rc = dc_cont_req(cont->dc_pool, CONT_PROP_SET, &rpc);
	if (rc == 0) {
		in = crt_req_get(rpc);
		dc_cont_hdr(in, cont);
		in->cpi_op = op;
		d_iov_set(&in->cpi_prop, buf, len);
		in->cpi_principal = (d_string_t)principal;
		rc = dc_mgmt_req_send(&rpc);
		out = crt_reply_get(rpc);
		if (rc == 0)
			rc = out->cpo_rc;
		crt_req_decref(rpc);
	}
	dc_rpc_unlock();
out:
	D_FREE(buf);
	dc_cont_put(cont);
	return rc;
}

int
daos_cont_set_prop(daos_handle_t coh, daos_prop_t *prop, daos_event_t *ev)
{
	if (prop == NULL || prop->dpp_nr == 0 || !daos_prop_valid(prop, false, true))
		return dc_return(ev, -DER_INVAL);
	return dc_return(ev, dc_cont_prop_set(coh, CONT_PROP_OP_SET, prop, NULL));
}

int
daos_cont_status_clear(daos_handle_t coh, daos_event_t *ev)
{
	daos_prop_t *prop = daos_prop_alloc(1);
	int rc;

	if (prop == NULL)
		return dc_return(ev, -DER_NOMEM);
	prop->dpp_entries[0].dpe_type = DAOS_PROP_CO_STATUS;
	prop->dpp_entries[0].dpe_val = DAOS_PROP_CO_STATUS_VAL(DAOS_PROP_CO_HEALTHY, 0, 0);
	rc = dc_cont_prop_set(coh, CONT_PROP_OP_SET, prop, NULL);
	daos_prop_free(prop);
	return dc_return(ev, rc);
}

static int
dc_cont_acl_op(daos_handle_t coh, uint32_t op, struct daos_acl *acl)
{
	daos_prop_t *prop;
	int rc;

	if (acl == NULL || daos_acl_cont_validate(acl) != 0)
		return -DER_INVAL;
	prop = daos_prop_alloc(1);
	if (prop == NULL)
		return -DER_NOMEM;
	prop->dpp_entries[0].dpe_type = DAOS_PROP_CO_ACL;
	prop->dpp_entries[0].dpe_val_ptr = daos_acl_dup(acl);
	rc = prop->dpp_entries[0].dpe_val_ptr ? dc_cont_prop_set(coh, op, prop, NULL) : -DER_NOMEM;
	daos_prop_free(prop);
	return rc;
}

int
daos_cont_overwrite_acl(daos_handle_t coh, struct daos_acl *acl, daos_event_t *ev)
{
	return dc_return(ev, dc_cont_acl_op(coh, CONT_PROP_OP_ACL_OVERWRITE, acl));
}

int
daos_cont_update_acl(daos_handle_t coh, struct daos_acl *acl, daos_event_t *ev)
{
	return dc_return(ev, dc_cont_acl_op(coh, CONT_PROP_OP_ACL_UPDATE, acl));
}

int
daos_cont_delete_acl(daos_handle_t coh, enum daos_acl_principal_type type, d_string_t name,
		     daos_event_t *ev)
{
	char principal[DAOS_ACL_MAX_PRINCIPAL_BUF_LEN + 8];
	struct daos_ace *ace;
	int rc;

	/* a valid ACE for the principal also validates type and name */
	ace = daos_ace_create(type, name);
	if (ace == NULL)
		return dc_return(ev, -DER_INVAL);
	daos_ace_free(ace);
	switch (type) {
	case DAOS_ACL_OWNER:
		snprintf(principal, sizeof(principal), "OWNER@");
		break;
	case DAOS_ACL_OWNER_GROUP:
		snprintf(principal, sizeof(principal), "GROUP@");
		break;
	case DAOS_ACL_EVERYONE:
		snprintf(principal, sizeof(principal), "EVERYONE@");
		break;
	case DAOS_ACL_USER:
		snprintf(principal, sizeof(principal), "u:%s", name);
		break;
	case DAOS_ACL_GROUP:
		snprintf(principal, sizeof(principal), "g:%s", name);
		break;
	default:
		return dc_return(ev, -DER_INVAL);
	}
	rc = dc_cont_prop_set(coh, CONT_PROP_OP_ACL_DELETE, NULL, principal);
	return dc_return(ev, rc);
}

static int
dc_cont_set_owner(daos_handle_t coh, d_string_t user, d_string_t group, bool check)
{
	daos_prop_t *prop;
	uint32_t n = 0;
	uid_t uid;
	gid_t gid;
	int rc;

	if (user == NULL && group == NULL)
		return -DER_INVAL;
	if ((user != NULL && !daos_acl_principal_is_valid(user)) ||
	    (group != NULL && !daos_acl_principal_is_valid(group)))
		return -DER_INVAL;
	if (check && user != NULL && daos_acl_principal_to_uid(user, &uid) != 0)
		return -DER_NONEXIST;
	if (check && group != NULL && daos_acl_principal_to_gid(group, &gid) != 0)
		return -DER_NONEXIST;
	prop = daos_prop_alloc(2);
	if (prop == NULL)
		return -DER_NOMEM;
	if (user != NULL) {
		prop->dpp_entries[n].dpe_type = DAOS_PROP_CO_OWNER;
		D_STRNDUP(prop->dpp_entries[n++].dpe_str, user, DAOS_ACL_MAX_PRINCIPAL_LEN);
	}
	if (group != NULL) {
		prop->dpp_entries[n].dpe_type = DAOS_PROP_CO_OWNER_GROUP;
		D_STRNDUP(prop->dpp_entries[n++].dpe_str, group, DAOS_ACL_MAX_PRINCIPAL_LEN);
	}
	prop->dpp_nr = n;
	rc = (user && !prop->dpp_entries[0].dpe_str) || (group && !prop->dpp_entries[n - 1].dpe_str)
		     ? -DER_NOMEM
		     : dc_cont_prop_set(coh, CONT_PROP_OP_OWNER, prop, NULL);
	prop->dpp_nr = 2;
	daos_prop_free(prop);
	return rc;
}

int
daos_cont_set_owner(daos_handle_t coh, d_string_t user, d_string_t group, daos_event_t *ev)
{
	return dc_return(ev, dc_cont_set_owner(coh, user, group, true));
}

int
daos_cont_set_owner_no_check(daos_handle_t coh, d_string_t user, d_string_t group, daos_event_t *ev)
{
	return dc_return(ev, dc_cont_set_owner(coh, user, group, false));
}

/* ---- attributes ---- */

static int
dc_cont_attr(daos_handle_t coh, uint32_t op, int n, char const *const names[],
	     void const *const values[], size_t const sizes[], d_iov_t *data)
{
	struct cont_attr_in *in;
	struct cont_attr_out *out;
	d_iov_t niov = {0}, viov = {0};
	struct dc_cont *cont;
	crt_rpc_t *rpc;
	int rc = 0;

	if (op != CONT_ATTR_LIST)
		rc = dc_attr_pack_names(n, (const char *const *)names, &niov);
	if (rc == 0 && op == CONT_ATTR_SET)
		rc = dc_attr_pack_values(n, (const void *const *)values, sizes, &viov);
	if (rc != 0)
		goto out_free;
	cont = dc_hdl2cont(coh);
	if (cont == NULL)
		D_GOTO(out_free, rc = -DER_NO_HDL);
	dc_rpc_lock();
	rc = dc_cont_req(cont->dc_pool, CONT_ATTR, &rpc);
	if (rc == 0) {
		in = crt_req_get(rpc);
		dc_cont_hdr(in, cont);
		in->cai_op = op;
		in->cai_n = (uint32_t)n;
		in->cai_names = niov;
		in->cai_values = viov;
		rc = dc_mgmt_req_send(&rpc);
		out = crt_reply_get(rpc);
		if (rc == 0)
			rc = out->cao_rc;
		if (rc == 0)
			rc = dc_attr_reply_copy(&out->cao_data, data);
		crt_req_decref(rpc);
	}
	dc_rpc_unlock();
	dc_cont_put(cont);
out_free:
	D_FREE(niov.iov_buf);
	D_FREE(viov.iov_buf);
	return rc;
}

int
daos_cont_list_attr(daos_handle_t coh, char *buffer, size_t *size, daos_event_t *ev)
{
	d_iov_t data = {0};
	int rc;

	if (size == NULL)
		return dc_return(ev, -DER_INVAL);
	rc = dc_cont_attr(coh, CONT_ATTR_LIST, 0, NULL, NULL, NULL, &data);
	if (rc == 0)
		dc_attr_list_copy(&data, buffer, size);
	D_FREE(data.iov_buf);
	return dc_return(ev, rc);
}

int
daos_cont_get_attr(daos_handle_t coh, int n, char const *const names[], void *const buffers[],
		   size_t sizes[], daos_event_t *ev)
{
	d_iov_t data = {0};
	int rc;

	if (sizes == NULL)
		return dc_return(ev, -DER_INVAL);
	rc = dc_cont_attr(coh, CONT_ATTR_GET, n, names, NULL, NULL, &data);
	if (rc == 0)
		rc = dc_attr_get_unpack(&data, n, buffers, sizes);
	D_FREE(data.iov_buf);
	return dc_return(ev, rc);
}

int
daos_cont_set_attr(daos_handle_t coh, int n, char const *const names[], void const *const values[],
		   size_t const sizes[], daos_event_t *ev)
{
	return dc_return(ev, dc_cont_attr(coh, CONT_ATTR_SET, n, names, values, sizes, NULL));
}

int
daos_cont_del_attr(daos_handle_t coh, int n, char const *const names[], daos_event_t *ev)
{
	return dc_return(ev, dc_cont_attr(coh, CONT_ATTR_DEL, n, names, NULL, NULL, NULL));
}

/* ---- object IDs, snapshots ---- */

int
daos_cont_alloc_oids(daos_handle_t coh, daos_size_t num_oids, uint64_t *oid, daos_event_t *ev)
{
	struct cont_oid_alloc_in *in;
	struct cont_oid_alloc_out *out;
	struct dc_cont *cont;
	crt_rpc_t *rpc;
	int rc;

	if (num_oids == 0 || oid == NULL)
		return dc_return(ev, -DER_INVAL);
	cont = dc_hdl2cont(coh);
	if (cont == NULL)
		return dc_return(ev, -DER_NO_HDL);
	dc_rpc_lock();
	rc = dc_cont_req(cont->dc_pool, CONT_OID_ALLOC, &rpc);
	if (rc == 0) {
		in = crt_req_get(rpc);
		dc_cont_hdr(in, cont);
		in->coai_num = num_oids;
		rc = dc_mgmt_req_send(&rpc);
		out = crt_reply_get(rpc);
		if (rc == 0)
			rc = out->coao_rc;
		if (rc == 0)
			*oid = out->coao_oid;
		crt_req_decref(rpc);
	}
	dc_rpc_unlock();
	dc_cont_put(cont);
	return dc_return(ev, rc);
}

static int
dc_cont_snap(daos_handle_t coh, uint32_t op, uint64_t lo, uint64_t hi, const char *name,
	     uint64_t *epoch, d_iov_t *data)
{
	struct cont_snap_in *in;
	struct cont_snap_out *out;
	struct dc_cont *cont;
	crt_rpc_t *rpc;
	int rc;

	cont = dc_hdl2cont(coh);
	if (cont == NULL)
		return -DER_NO_HDL;
	dc_rpc_lock();
	rc = dc_cont_req(cont->dc_pool, CONT_SNAP, &rpc);
	if (rc == 0) {
		in = crt_req_get(rpc);
		dc_cont_hdr(in, cont);
		in->csi_op = op;
		in->csi_lo = lo;
		in->csi_hi = hi;
		in->csi_name = (d_string_t)name;
		rc = dc_mgmt_req_send(&rpc);
		out = crt_reply_get(rpc);
		if (rc == 0)
			rc = out->cso_rc;
		if (rc == 0 && epoch != NULL)
			*epoch = out->cso_epoch;
		if (rc == 0 && data != NULL && out->cso_data.iov_len > 0) {
			D_ALLOC(data->iov_buf, out->cso_data.iov_len);
			if (data->iov_buf == NULL) {
				rc = -DER_NOMEM;
			} else {
				memcpy(data->iov_buf, out->cso_data.iov_buf, out->cso_data.iov_len);
				data->iov_len = out->cso_data.iov_len;
			}
		}
		crt_req_decref(rpc);
	}
	dc_rpc_unlock();
	dc_cont_put(cont);
	return rc;
}

int
daos_cont_create_snap_opt(daos_handle_t coh, daos_epoch_t *epoch, char *name,
			  enum daos_snapshot_opts opts, daos_event_t *ev)
{
	if (epoch == NULL || !(opts & DAOS_SNAP_OPT_CR) ||
	    (opts & ~(DAOS_SNAP_OPT_CR | DAOS_SNAP_OPT_OIT)))
		return dc_return(ev, -DER_INVAL);
	/* object tables of snapshots need the object layer */
	if (opts & DAOS_SNAP_OPT_OIT)
		return dc_return(ev, -DER_NOSYS);
	if (name != NULL && strnlen(name, DAOS_SNAPSHOT_MAX_LEN) >= DAOS_SNAPSHOT_MAX_LEN)
		return dc_return(ev, -DER_INVAL);
	return dc_return(ev, dc_cont_snap(coh, CONT_SNAP_CREATE, 0, 0, name, epoch, NULL));
}

int
daos_cont_create_snap(daos_handle_t coh, daos_epoch_t *epoch, char *name, daos_event_t *ev)
{
	return daos_cont_create_snap_opt(coh, epoch, name, DAOS_SNAP_OPT_CR, ev);
}

int
daos_cont_list_snap(daos_handle_t coh, int *nr, daos_epoch_t *epochs, char **names,
		    daos_anchor_t *anchor, daos_event_t *ev)
{
	struct cont_snap_rec *recs;
	d_iov_t data = {0};
	int i, cap, total, rc;

	if (nr == NULL)
		return dc_return(ev, -DER_INVAL);
	cap = (epochs == NULL || *nr < 0) ? 0 : *nr;
	rc = dc_cont_snap(coh, CONT_SNAP_LIST, 0, 0, NULL, NULL, &data);
	if (rc == 0 && data.iov_len % sizeof(*recs) != 0)
		rc = -DER_PROTO;
	if (rc == 0) {
		recs = data.iov_buf;
		total = (int)(data.iov_len / sizeof(*recs));
		/* as DAOS: *nr says how many exist; the buffers get what fits */
		for (i = 0; i < total && i < cap; i++) {
			epochs[i] = recs[i].csr_epoch;
			if (names != NULL && names[i] != NULL) {
				memcpy(names[i], recs[i].csr_name, DAOS_SNAPSHOT_MAX_LEN);
				names[i][DAOS_SNAPSHOT_MAX_LEN - 1] = '\0';
			}
		}
		*nr = total;
		if (anchor != NULL)
			anchor->da_type = DAOS_ANCHOR_TYPE_EOF;
	}
	D_FREE(data.iov_buf);
	return dc_return(ev, rc);
}

int
daos_cont_destroy_snap(daos_handle_t coh, daos_epoch_range_t epr, daos_event_t *ev)
{
	if (epr.epr_lo == 0 || epr.epr_lo > epr.epr_hi)
		return dc_return(ev, -DER_INVAL);
	return dc_return(
		ev, dc_cont_snap(coh, CONT_SNAP_DESTROY, epr.epr_lo, epr.epr_hi, NULL, NULL, NULL));
}

/* Aggregation, rollback, subscription and snapshot object tables belong to the object layer. */
static int
dc_cont_nosys(daos_handle_t coh)
{
	struct dc_cont *cont = dc_hdl2cont(coh);

	if (cont == NULL)
		return -DER_NO_HDL;
	dc_cont_put(cont);
	return -DER_NOSYS;
}

int
daos_cont_aggregate(daos_handle_t coh, daos_epoch_t epoch, daos_event_t *ev)
{
	return dc_return(ev, dc_cont_nosys(coh));
}

int
daos_cont_rollback(daos_handle_t coh, daos_epoch_t epoch, daos_event_t *ev)
{
	return dc_return(ev, dc_cont_nosys(coh));
}

int
daos_cont_subscribe(daos_handle_t coh, daos_epoch_t *epoch, daos_event_t *ev)
{
	return dc_return(ev, dc_cont_nosys(coh));
}

int
daos_cont_snap_oit_oid_get(daos_handle_t coh, daos_epoch_t epoch, daos_obj_id_t *oid,
			   daos_event_t *ev)
{
	return dc_return(ev, dc_cont_nosys(coh));
}

int
daos_cont_snap_oit_destroy(daos_handle_t coh, daos_epoch_t epoch, daos_event_t *ev)
{
	return dc_return(ev, dc_cont_nosys(coh));
}

/* ---- listing (daos_pool.h) ---- */

int
daos_pool_list_cont(daos_handle_t poh, daos_size_t *ncont, struct daos_pool_cont_info *cbuf,
		    daos_event_t *ev)
{
	struct cont_list_in *in;
	struct cont_list_out *out;
	struct dc_pool *pool;
	crt_rpc_t *rpc;
	daos_size_t n;
	int rc;

	if (ncont == NULL)
		return dc_return(ev, -DER_INVAL);
	pool = dc_hdl2pool(poh);
	if (pool == NULL)
		return dc_return(ev, -DER_NO_HDL);
	dc_rpc_lock();
	rc = dc_cont_req(pool, CONT_LIST, &rpc);
	if (rc == 0) {
		in = crt_req_get(rpc);
		uuid_copy(in->cli_pool, pool->dp_uuid);
		uuid_copy(in->cli_pool_hdl, pool->dp_hdl);
		rc = dc_mgmt_req_send(&rpc);
		out = crt_reply_get(rpc);
		if (rc == 0)
			rc = out->clo_rc;
		if (rc == 0 && out->clo_conts.iov_len % sizeof(*cbuf) != 0)
			rc = -DER_PROTO;
		if (rc == 0) {
			n = out->clo_conts.iov_len / sizeof(*cbuf);
			if (cbuf != NULL && *ncont < n) {
				rc = -DER_TRUNC;
			} else if (cbuf != NULL && n > 0) {
				memcpy(cbuf, out->clo_conts.iov_buf, n * sizeof(*cbuf));
			}
			*ncont = n;
		}
		crt_req_decref(rpc);
	}
	dc_rpc_unlock();
	dc_pool_put(pool);
	return dc_return(ev, rc);
}

/* ---- global handles ---- */

/* magic, container UUID, handle UUID, open flags; the pool comes from the importer's handle */
#define DC_CONT_GLOB_MAGIC 0xc0a7e1a1U

struct dc_cont_glob {
	uint32_t cg_magic;
	uint32_t cg_pad;
	uuid_t cg_pool;
	uuid_t cg_uuid;
	uuid_t cg_hdl;
	uint64_t cg_flags;
};

int
daos_cont_local2global(daos_handle_t coh, d_iov_t *glob)
{
	struct dc_cont_glob *g;
	struct dc_cont *cont;

	if (glob == NULL)
		return -DER_INVAL;
	cont = dc_hdl2cont(coh);
	if (cont == NULL)
		return -DER_NO_HDL;
	if (glob->iov_buf == NULL) {
		glob->iov_buf_len = sizeof(*g);
		glob->iov_len = 0;
		dc_cont_put(cont);
		return 0;
	}
	if (glob->iov_buf_len < sizeof(*g)) {
		glob->iov_buf_len = sizeof(*g);
		dc_cont_put(cont);
		return -DER_TRUNC;
	}
	g = glob->iov_buf;
	memset(g, 0, sizeof(*g));
	g->cg_magic = DC_CONT_GLOB_MAGIC;
	uuid_copy(g->cg_pool, cont->dc_pool->dp_uuid);
	uuid_copy(g->cg_uuid, cont->dc_uuid);
	uuid_copy(g->cg_hdl, cont->dc_hdl);
	g->cg_flags = cont->dc_flags;
	glob->iov_len = sizeof(*g);
	dc_cont_put(cont);
	return 0;
}

int
daos_cont_global2local(daos_handle_t poh, d_iov_t glob, daos_handle_t *coh)
{
	struct dc_cont_glob g;
	struct dc_pool *pool;
	struct dc_cont *cont;
	daos_cont_info_t info;
	daos_handle_t h;
	int rc;

	if (coh == NULL || glob.iov_buf == NULL || glob.iov_len != sizeof(g))
		return -DER_INVAL;
	memcpy(&g, glob.iov_buf, sizeof(g));
	if (g.cg_magic != DC_CONT_GLOB_MAGIC || !cont_open_flags_valid(g.cg_flags))
		return -DER_INVAL;
	pool = dc_hdl2pool(poh);
	if (pool == NULL)
		return -DER_NO_HDL;
	if (uuid_compare(pool->dp_uuid, g.cg_pool) != 0) {
		dc_pool_put(pool);
		return -DER_INVAL;
	}
	cont = dc_cont_alloc(pool, poh);
	dc_pool_put(pool);
	if (cont == NULL)
		return -DER_NOMEM;
	uuid_copy(cont->dc_uuid, g.cg_uuid);
	uuid_copy(cont->dc_hdl, g.cg_hdl);
	cont->dc_flags = g.cg_flags;
	dc_rpc_lock();
	rc = dc_rpc_init(&cont_proto_fmt);
	dc_rpc_unlock();
	if (rc != 0) {
		dc_cont_free(&cont->dc_hlink);
		return rc;
	}
	daos_hhash_link_insert(&cont->dc_hlink, DC_CONT_HTYPE);
	daos_hhash_link_key(&cont->dc_hlink, &h.cookie);
	/* the service knows the handle: fetch the properties an open would have brought */
	{
		daos_prop_t *all = NULL;
		d_iov_t iov = {0};
		void *buf = NULL;
		size_t len = 0;

		rc = dc_cont_query(h, &info, &all);
		if (rc == 0 && all != NULL)
			rc = daos_prop_encode(all, &buf, &len);
		if (rc == 0) {
			d_iov_set(&iov, buf, len);
			rc = dc_cont_set_props(cont, &iov);
		}
		D_FREE(buf);
		daos_prop_free(all);
	}
	if (rc != 0) {
		daos_hhash_link_delete(&cont->dc_hlink);
		dc_cont_put(cont);
		return rc;
	}
	*coh = h;
	dc_cont_put(cont);
	return 0;
}
