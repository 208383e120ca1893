/**
 * Container service: create, destroy, open, close, query, list and
 * properties (ACL, owner). Every request runs in one TX of the pool
 * service's database under the pool's container lock (srv_module.c).
 */
#define D_LOGFAC DD_FAC(container)

#include <gurt/common.h>
#include <daos/prop.h>
#include <daos/security.h>
#include <daos_pool.h>
#include <daos_srv/container.h>
#include "srv_internal.h"

/* ---- handles of a container ---- */

struct hdl_ent {
	uuid_t he_uuid;
	struct cont_hdl_rec he_rec;
	bool he_live;
};

struct hdl_list {
	struct hdl_ent *hl_ents;
	int hl_nr;
	int hl_cap;
};

static int
hdl_collect_cb(daos_handle_t ih, d_iov_t *key, d_iov_t *val, void *arg)
{
	struct hdl_list *l = arg;

	if (key->iov_len != sizeof(uuid_t))
		return 0;
	if (l->hl_nr == l->hl_cap) {
		int cap = l->hl_cap ? l->hl_cap * 2 : 8;
		struct hdl_ent *ents;

		D_REALLOC_ARRAY(ents, l->hl_ents, l->hl_cap, cap);
		if (ents == NULL)
			return -DER_NOMEM;
		l->hl_ents = ents;
		l->hl_cap = cap;
	}
	memset(&l->hl_ents[l->hl_nr], 0, sizeof(l->hl_ents[0]));
	memcpy(l->hl_ents[l->hl_nr].he_uuid, key->iov_buf, sizeof(uuid_t));
	l->hl_nr++;
	return 0;
}

/*
 * The handles of \a c. A handle is live while its pool handle is connected: a
 * pool disconnect (or eviction) leaves container handle records behind that
 * count for nothing and are removed by the next close-all or destroy.
 */
static int
cont_hdls_get(struct cont_ctx *cx, struct cont *c, struct hdl_list *l, int *nlive)
{
	int i, rc;

	memset(l, 0, sizeof(*l));
	*nlive = 0;
	rc = rdb_tx_iterate(&cx->cx_tx, &c->c_hdls, false, hdl_collect_cb, l);
	for (i = 0; rc == 0 && i < l->hl_nr; i++) {
		struct hdl_ent *e = &l->hl_ents[i];
		d_iov_t key, val;

		d_iov_set(&key, e->he_uuid, sizeof(uuid_t));
		d_iov_set(&val, &e->he_rec, sizeof(e->he_rec));
		rc = rdb_tx_lookup(&cx->cx_tx, &cx->cx_hdls, &key, &val);
		if (rc == -DER_NONEXIST || rc == -DER_MISMATCH) {
			rc = 0;
			continue;
		}
		if (rc == 0 &&
		    ds_pool_svc_hdl_get(&cx->cx_tx, e->he_rec.ch_pool_hdl, NULL, NULL, NULL) == 0) {
			e->he_live = true;
			(*nlive)++;
		}
	}
	if (rc != 0)
		D_FREE(l->hl_ents);
	return rc;
}

static int
cont_hdl_remove(struct cont_ctx *cx, struct cont *c, const uuid_t hdl)
{
	d_iov_t key;
	int rc;

	d_iov_set(&key, (void *)hdl, sizeof(uuid_t));
	rc = rdb_tx_delete(&cx->cx_tx, &cx->cx_hdls, &key);
	if (rc == 0 || rc == -DER_NONEXIST)
		rc = rdb_tx_delete(&cx->cx_tx, &c->c_hdls, &key);
	return rc == -DER_NONEXIST ? 0 : rc;
}

/* ---- information and visible properties ---- */

static int
cont_info_get(struct cont_ctx *cx, struct cont *c, daos_cont_info_t *info)
{
	struct cont_md_times t = {0};
	struct hdl_list l;
	d_iov_t val;
	int nlive, rc;

	memset(info, 0, sizeof(*info));
	uuid_copy(info->ci_uuid, c->c_uuid);
	rc = cont_hdls_get(cx, c, &l, &nlive);
	if (rc != 0)
		return rc;
	D_FREE(l.hl_ents);
	info->ci_nhandles = (uint32_t)nlive;
	rc = cont_snap_count(cx, c, &info->ci_nsnapshots, &info->ci_lsnapshot);
	if (rc != 0)
		return rc;
	d_iov_set(&val, &t, sizeof(t));
	rc = rdb_tx_lookup(&cx->cx_tx, &c->c_path, &ds_cont_key_md_times, &val);
	if (rc == -DER_NONEXIST)
		rc = 0;
	info->ci_md_otime = t.otime;
	info->ci_md_mtime = t.mtime;
	return rc;
}

/* The properties \a capas may read, with the OID counter, encoded into \a buf. */
static int
cont_prop_visible(struct cont_ctx *cx, struct cont *c, uint64_t capas, void **buf, size_t *len)
{
	daos_prop_t *out;
	uint64_t next_oid = 0;
	uint32_t i, n = 0;
	d_iov_t val;
	int rc;

	*buf = NULL;
	*len = 0;
	if (!(capas & (CONT_CAPA_GET_PROP | CONT_CAPA_GET_ACL)))
		return 0;
	d_iov_set(&val, &next_oid, sizeof(next_oid));
	rc = rdb_tx_lookup(&cx->cx_tx, &c->c_path, &ds_cont_key_alloced_oid, &val);
	if (rc != 0)
		return rc;
	out = daos_prop_alloc(c->c_prop->dpp_nr + 1);
	if (out == NULL)
		return -DER_NOMEM;
	for (i = 0; i < c->c_prop->dpp_nr; i++) {
		struct daos_prop_entry *e = &c->c_prop->dpp_entries[i];
		uint64_t need =
			e->dpe_type == DAOS_PROP_CO_ACL ? CONT_CAPA_GET_ACL : CONT_CAPA_GET_PROP;

		if (!(capas & need) || e->dpe_type == DAOS_PROP_CO_ALLOCED_OID)
			continue;
		rc = daos_prop_entry_copy(e, &out->dpp_entries[n++]);
		if (rc != 0)
			goto out;
	}
	if (capas & CONT_CAPA_GET_PROP) {
		out->dpp_entries[n].dpe_type = DAOS_PROP_CO_ALLOCED_OID;
		out->dpp_entries[n++].dpe_val = next_oid;
	}
	out->dpp_nr = n;
	rc = n == 0 ? 0 : daos_prop_encode(out, buf, len);
out:
	out->dpp_nr = c->c_prop->dpp_nr + 1;
	daos_prop_free(out);
	return rc;
}

/* ---- create ---- */

/* Every property a new container gets unless the request sets it; some follow the pool. */
static int
cont_prop_defaults(struct cont_ctx *cx, daos_prop_t **propp)
{
	static const struct {
		uint32_t type;
		uint64_t val;
		uint32_t pool_type; /* inherited from this pool property if set */
	} defs[] = {
		{DAOS_PROP_CO_LABEL, 0, 0},
		{DAOS_PROP_CO_LAYOUT_TYPE, DAOS_PROP_CO_LAYOUT_UNKNOWN, 0},
		{DAOS_PROP_CO_LAYOUT_VER, 1, 0},
		{DAOS_PROP_CO_CSUM, DAOS_PROP_CO_CSUM_OFF, 0},
		{DAOS_PROP_CO_CSUM_CHUNK_SIZE, 32 * 1024, 0},
		{DAOS_PROP_CO_CSUM_SERVER_VERIFY, DAOS_PROP_CO_CSUM_SV_OFF, 0},
		{DAOS_PROP_CO_REDUN_FAC, DAOS_PROP_CO_REDUN_RF0, DAOS_PROP_PO_REDUN_FAC},
		{DAOS_PROP_CO_REDUN_LVL, DAOS_PROP_CO_REDUN_DEFAULT, 0},
		{DAOS_PROP_CO_SNAPSHOT_MAX, 0, 0},
		{DAOS_PROP_CO_ACL, 0, 0},
		{DAOS_PROP_CO_COMPRESS, DAOS_PROP_CO_COMPRESS_OFF, 0},
		{DAOS_PROP_CO_ENCRYPT, DAOS_PROP_CO_ENCRYPT_OFF, 0},
		{DAOS_PROP_CO_OWNER, 0, 0},
		{DAOS_PROP_CO_OWNER_GROUP, 0, 0},
		{DAOS_PROP_CO_DEDUP, DAOS_PROP_CO_DEDUP_OFF, 0},
		{DAOS_PROP_CO_DEDUP_THRESHOLD, 4096, 0},
		{DAOS_PROP_CO_ROOTS, 0, 0},
		{DAOS_PROP_CO_STATUS, DAOS_PROP_CO_STATUS_VAL(DAOS_PROP_CO_HEALTHY, 0, 0), 0},
		{DAOS_PROP_CO_EC_CELL_SZ, DAOS_PROP_PO_EC_CELL_SZ_DEFAULT, DAOS_PROP_PO_EC_CELL_SZ},
		{DAOS_PROP_CO_EC_PDA, DAOS_PROP_PO_EC_PDA_DEFAULT, DAOS_PROP_PO_EC_PDA},
		{DAOS_PROP_CO_RP_PDA, DAOS_PROP_PO_RP_PDA_DEFAULT, DAOS_PROP_PO_RP_PDA},
		{DAOS_PROP_CO_GLOBAL_VERSION, 3, DAOS_PROP_PO_GLOBAL_VERSION},
		{DAOS_PROP_CO_SCRUBBER_DISABLED, 0, 0},
		{DAOS_PROP_CO_OBJ_VERSION, 1, DAOS_PROP_PO_OBJ_VERSION},
		{DAOS_PROP_CO_PERF_DOMAIN, DAOS_PROP_CO_PERF_DOMAIN_DEFAULT,
		 DAOS_PROP_PO_PERF_DOMAIN},
	};
	struct daos_prop_co_roots roots = {0};
	daos_prop_t *pool_prop = NULL, *prop;
	char *user = NULL, *group = NULL;
	size_t i;
	int rc;

	rc = ds_pool_svc_prop_get(&cx->cx_tx, &pool_prop);
	if (rc != 0)
		return rc;
	prop = daos_prop_alloc(ARRAY_SIZE(defs));
	if (prop == NULL)
		D_GOTO(out, rc = -DER_NOMEM);
	/* the creator named by the pool handle; the client normally sends its own names */
	rc = daos_acl_uid_to_principal(cx->cx_pool_uid, &user);
	if (rc == -DER_NOMEM)
		goto out;
	rc = daos_acl_gid_to_principal(cx->cx_pool_gid, &group);
	if (rc == -DER_NOMEM)
		goto out;
	for (i = 0; i < ARRAY_SIZE(defs); i++) {
		struct daos_prop_entry *e = &prop->dpp_entries[i];
		struct daos_prop_entry *pe =
			defs[i].pool_type ? daos_prop_entry_get(pool_prop, defs[i].pool_type)
					  : NULL;

		e->dpe_type = defs[i].type;
		rc = 0;
		switch (defs[i].type) {
		case DAOS_PROP_CO_LABEL:
			rc = daos_prop_entry_set_str(e, DAOS_PROP_CO_LABEL_DEFAULT,
						     sizeof(DAOS_PROP_CO_LABEL_DEFAULT));
			break;
		case DAOS_PROP_CO_OWNER:
			rc = daos_prop_entry_set_str(e, user ? user : "NOBODY@",
						     DAOS_ACL_MAX_PRINCIPAL_BUF_LEN);
			break;
		case DAOS_PROP_CO_OWNER_GROUP:
			rc = daos_prop_entry_set_str(e, group ? group : "NOBODY@",
						     DAOS_ACL_MAX_PRINCIPAL_BUF_LEN);
			break;
		case DAOS_PROP_CO_ACL:
			e->dpe_val_ptr = daos_acl_default_cont();
			if (e->dpe_val_ptr == NULL)
				rc = -DER_NOMEM;
			break;
		case DAOS_PROP_CO_ROOTS:
			rc = daos_prop_entry_set_ptr(e, &roots, sizeof(roots));
			break;
		default:
			e->dpe_val = pe && !(pe->dpe_flags & DAOS_PROP_ENTRY_NOT_SET) ? pe->dpe_val
										      : defs[i].val;
		}
		if (rc != 0)
			goto out;
	}
	*propp = prop;
	prop = NULL;
out:
	D_FREE(user);
	D_FREE(group);
	daos_prop_free(prop);
	daos_prop_free(pool_prop);
	return rc;
}

/* Is \a label a real label (not the placeholder of unlabeled containers)? */
static bool
label_is_set(const char *label)
{
	return label != NULL && strcmp(label, DAOS_PROP_CO_LABEL_DEFAULT) != 0;
}

/* Validate what a client asks to store: types, values, ACL. */
static int
cont_prop_check_input(daos_prop_t *req, bool create)
{
	struct daos_prop_entry *e;
	uint32_t i;

	if (!daos_prop_valid(req, false, true))
		return -DER_INVAL;
	for (i = 0; i < req->dpp_nr; i++) {
		if (!cont_prop_type_settable(req->dpp_entries[i].dpe_type, create)) {
			D_INFO("container property %u cannot be %s\n", req->dpp_entries[i].dpe_type,
			       create ? "given at creation" : "changed");
			return -DER_INVAL;
		}
	}
	e = daos_prop_entry_get(req, DAOS_PROP_CO_LABEL);
	if (e != NULL &&
	    (e->dpe_str == NULL || !label_is_set(e->dpe_str) || !daos_label_is_valid(e->dpe_str)))
		return -DER_INVAL;
	e = daos_prop_entry_get(req, DAOS_PROP_CO_ACL);
	if (e != NULL && (e->dpe_val_ptr == NULL || daos_acl_cont_validate(e->dpe_val_ptr) != 0))
		return -DER_INVAL;
	return 0;
}

static int
label_index_set(struct cont_ctx *cx, const char *label, const uuid_t uuid)
{
	d_iov_t key, val;
	uuid_t other;
	int rc;

	d_iov_set(&key, (void *)label, strlen(label));
	d_iov_set(&val, other, sizeof(other));
	rc = rdb_tx_lookup(&cx->cx_tx, &cx->cx_uuids, &key, &val);
	if (rc == 0)
		return uuid_compare(other, uuid) == 0 ? 0 : -DER_EXIST;
	if (rc != -DER_NONEXIST)
		return rc;
	d_iov_set(&val, (void *)uuid, sizeof(uuid_t));
	return rdb_tx_update(&cx->cx_tx, &cx->cx_uuids, &key, &val);
}

static int
cont_create(struct cont_ctx *cx, struct cont_create_in *in)
{
	struct rdb_kvs_attr gen = {.dsa_class = RDB_KVS_GENERIC, .dsa_order = 16};
	struct rdb_kvs_attr integer = {.dsa_class = RDB_KVS_INTEGER, .dsa_order = 16};
	daos_prop_t *req = NULL, *def = NULL, *merged = NULL;
	struct daos_prop_entry *e;
	struct cont c = {0};
	uint64_t next_oid = 0;
	const char *label;
	d_iov_t key, val;
	int rc;

	if (!(cx->cx_pool_flags & (DAOS_PC_RW | DAOS_PC_EX))) {
		D_INFO("container create through a read-only pool handle\n");
		return -DER_NO_PERM;
	}
	if (uuid_is_null(in->cci_uuid))
		return -DER_INVAL;
	if (in->cci_prop.iov_len > 0) {
		rc = daos_prop_decode(in->cci_prop.iov_buf, in->cci_prop.iov_len, &req);
		if (rc != 0)
			return rc;
		rc = cont_prop_check_input(req, true);
		if (rc != 0)
			goto out;
	}
	rc = cont_prop_defaults(cx, &def);
	if (rc != 0)
		goto out;
	if (req != NULL) {
		rc = daos_prop_merge2(def, req, &merged);
		if (rc != 0)
			goto out;
	} else {
		merged = def;
		def = NULL;
	}
	/* the start of the OID counter is kept apart from the properties */
	e = daos_prop_entry_get(merged, DAOS_PROP_CO_ALLOCED_OID);
	if (e != NULL) {
		next_oid = e->dpe_val;
		e->dpe_type = DAOS_PROP_CO_MIN; /* dropped by the encoder below */
	}
	rc = cont_ctx_create_tables(cx);
	if (rc != 0)
		goto out;
	d_iov_set(&key, in->cci_uuid, sizeof(uuid_t));
	d_iov_set(&val, NULL, 0);
	rc = rdb_tx_lookup(&cx->cx_tx, &cx->cx_conts, &key, &val);
	if (rc == 0)
		D_GOTO(out, rc = -DER_EXIST);
	if (rc != -DER_NONEXIST)
		goto out;
	label = daos_prop_entry_get(merged, DAOS_PROP_CO_LABEL)->dpe_str;
	if (label_is_set(label)) {
		rc = label_index_set(cx, label, in->cci_uuid);
		if (rc != 0)
			goto out;
	}
	rc = rdb_tx_create_kvs(&cx->cx_tx, &cx->cx_conts, &key, &gen);
	if (rc != 0)
		goto out;
	uuid_copy(c.c_uuid, in->cci_uuid);
	rc = rdb_path_clone(&cx->cx_conts, &c.c_path);
	if (rc == 0)
		rc = rdb_path_push(&c.c_path, &key);
	if (rc != 0)
		goto out;
	if (e != NULL) {
		/* drop the OID entry: the encoder stores what the list holds */
		uint32_t i, n = 0;

		for (i = 0; i < merged->dpp_nr; i++)
			if (merged->dpp_entries[i].dpe_type != DAOS_PROP_CO_MIN)
				merged->dpp_entries[n++] = merged->dpp_entries[i];
		merged->dpp_nr = n;
	}
	rc = cont_prop_store(cx, &c, merged);
	if (rc == 0) {
		d_iov_set(&val, &next_oid, sizeof(next_oid));
		rc = rdb_tx_update(&cx->cx_tx, &c.c_path, &ds_cont_key_alloced_oid, &val);
	}
	if (rc == 0)
		rc = cont_md_times_update(cx, &c, false, true);
	if (rc == 0)
		rc = rdb_tx_create_kvs(&cx->cx_tx, &c.c_path, &ds_cont_key_snapshots, &integer);
	if (rc == 0)
		rc = rdb_tx_create_kvs(&cx->cx_tx, &c.c_path, &ds_cont_key_attrs, &gen);
	if (rc == 0)
		rc = rdb_tx_create_kvs(&cx->cx_tx, &c.c_path, &ds_cont_key_handles, &gen);
	if (rc == 0)
		rc = rdb_tx_commit(&cx->cx_tx);
	if (rc == 0)
		D_INFO("container " DF_UUID " created in pool " DF_UUID " (%s)\n",
		       DP_UUID(in->cci_uuid), DP_UUID(cx->cx_pool), label);
out:
	rdb_path_fini(&c.c_path);
	daos_prop_free(req);
	daos_prop_free(def);
	daos_prop_free(merged);
	return rc;
}

void
ds_cont_hdlr_create(crt_rpc_t *rpc)
{
	struct cont_create_in *in = crt_req_get(rpc);
	struct cont_create_out *out = crt_reply_get(rpc);
	struct cont_ctx cx;
	int rc;

	rc = cont_ctx_enter(&cx, in->cci_pool, in->cci_pool_hdl);
	if (rc == 0) {
		rc = cont_create(&cx, in);
		cont_ctx_exit(&cx);
	}
	out->cco_rc = rc;
	crt_reply_send(rpc);
}

/* ---- destroy ---- */

/*
 * The service's records go in one TX. Per-target VOS containers are created
 * by the object layer at first I/O and removed through its
 * ds_cont_tgt_destroy() hook after the commit (daos_srv/container.h).
 */
static int
cont_destroy(struct cont_ctx *cx, struct cont_destroy_in *in, uuid_t uuid)
{
	struct daos_prop_entry *lbl;
	struct hdl_list l = {0};
	struct cont c;
	d_iov_t key;
	int i, nlive, rc;

	rc = cont_lookup(cx, in->cdi_id, &c);
	if (rc != 0)
		return rc;
	/* a pool handle with write access may delete any container (DAOS's pool "w") */
	if (!(cx->cx_pool_flags & (DAOS_PC_RW | DAOS_PC_EX)))
		D_GOTO(out, rc = -DER_NO_PERM);
	rc = cont_hdls_get(cx, &c, &l, &nlive);
	if (rc != 0)
		goto out;
	if (nlive > 0 && !in->cdi_force) {
		D_INFO("container " DF_UUID ": %d open handles\n", DP_UUID(c.c_uuid), nlive);
		D_GOTO(out, rc = -DER_BUSY);
	}
	for (i = 0; i < l.hl_nr && rc == 0; i++) {
		d_iov_set(&key, l.hl_ents[i].he_uuid, sizeof(uuid_t));
		rc = rdb_tx_delete(&cx->cx_tx, &cx->cx_hdls, &key);
		if (rc == -DER_NONEXIST)
			rc = 0;
	}
	lbl = daos_prop_entry_get(c.c_prop, DAOS_PROP_CO_LABEL);
	if (rc == 0 && lbl != NULL && label_is_set(lbl->dpe_str)) {
		d_iov_set(&key, lbl->dpe_str, strlen(lbl->dpe_str));
		rc = rdb_tx_delete(&cx->cx_tx, &cx->cx_uuids, &key);
		if (rc == -DER_NONEXIST)
			rc = 0;
	}
	if (rc == 0) {
		d_iov_set(&key, c.c_uuid, sizeof(uuid_t));
		rc = rdb_tx_destroy_kvs(&cx->cx_tx, &cx->cx_conts, &key);
	}
	if (rc == 0)
		rc = rdb_tx_commit(&cx->cx_tx);
	if (rc == 0) {
		D_INFO("container " DF_UUID " destroyed\n", DP_UUID(c.c_uuid));
		uuid_copy(uuid, c.c_uuid);
	}
out:
	D_FREE(l.hl_ents);
	cont_fini(&c);
	return rc;
}

void
ds_cont_hdlr_destroy(crt_rpc_t *rpc)
{
	struct cont_destroy_in *in = crt_req_get(rpc);
	struct cont_destroy_out *out = crt_reply_get(rpc);
	struct cont_ctx cx;
	uuid_t uuid;
	int rc;

	rc = cont_ctx_enter(&cx, in->cdi_pool, in->cdi_pool_hdl);
	if (rc == 0) {
		rc = cont_destroy(&cx, in, uuid);
		cont_ctx_exit(&cx);
	}
	/* the targets' VOS containers, once the object layer provides the hook */
	if (rc == 0 && ds_cont_tgt_destroy != NULL) {
		int rc2 = ds_cont_tgt_destroy(in->cdi_pool, uuid);

		if (rc2 != 0)
			D_WARN("container " DF_UUID ": VOS containers left on targets: " DF_RC "\n",
			       DP_UUID(uuid), DP_RC(rc2));
	}
	out->cdo_rc = rc;
	crt_reply_send(rpc);
}

/* ---- open / close ---- */

static int
cont_open_capas(struct cont *c, struct cont_open_in *in, uint64_t *capas)
{
	struct daos_prop_entry *acl, *owner, *group;
	uint64_t perms = 0;
	char *user = NULL;
	bool is_owner;
	int rc;

	acl = daos_prop_entry_get(c->c_prop, DAOS_PROP_CO_ACL);
	owner = daos_prop_entry_get(c->c_prop, DAOS_PROP_CO_OWNER);
	group = daos_prop_entry_get(c->c_prop, DAOS_PROP_CO_OWNER_GROUP);
	if (acl == NULL || acl->dpe_val_ptr == NULL || owner == NULL || group == NULL)
		return -DER_NO_PERM;
	rc = daos_acl_get_perms_ids(acl->dpe_val_ptr, owner->dpe_str, group->dpe_str, in->coi_uid,
				    in->coi_gid, in->coi_gids.iov_buf,
				    in->coi_gids.iov_len / sizeof(gid_t), &perms);
	if (rc != 0)
		return rc;
	rc = daos_acl_uid_to_principal(in->coi_uid, &user);
	if (rc == -DER_NOMEM)
		return rc;
	is_owner = user != NULL && owner->dpe_str != NULL && strcmp(user, owner->dpe_str) == 0;
	D_FREE(user);
	*capas = cont_capas(perms, is_owner, in->coi_flags);
	return 0;
}

static int
cont_open(struct cont_ctx *cx, struct cont_open_in *in, struct cont_open_out *out,
	  daos_cont_info_t *info, void **prop_buf, size_t *prop_len)
{
	struct cont_hdl_rec h = {0};
	struct hdl_list l = {0};
	struct cont c;
	uint64_t capas = 0;
	d_iov_t key, val;
	int i, nlive, rc;
	char one = 1;

	rc = cont_lookup(cx, in->coi_id, &c);
	if (rc != 0)
		return rc;
	/* the same handle again is a retry of an open that was applied */
	if (cont_hdl_lookup(cx, in->coi_hdl, &h, NULL) == 0) {
		if (uuid_compare(h.ch_cont, c.c_uuid) != 0)
			D_GOTO(out, rc = -DER_EXIST);
		capas = h.ch_capas;
		goto reply;
	}
	rc = cont_open_capas(&c, in, &capas);
	if (rc != 0)
		goto out;
	if (!(capas & CONT_CAPAS_RO_MASK) ||
	    ((in->coi_flags & DAOS_COO_EX) && !(capas & CONT_CAPA_OPEN_EX)) ||
	    (!(in->coi_flags & DAOS_COO_RO) && !(cx->cx_pool_flags & (DAOS_PC_RW | DAOS_PC_EX)))) {
		D_INFO("container " DF_UUID ": uid %u may not open it with flags %#lx\n",
		       DP_UUID(c.c_uuid), in->coi_uid, (unsigned long)in->coi_flags);
		D_GOTO(out, rc = -DER_NO_PERM);
	}
	rc = cont_hdls_get(cx, &c, &l, &nlive);
	if (rc != 0)
		goto out;
	for (i = 0; i < l.hl_nr && rc == 0; i++) {
		struct hdl_ent *e = &l.hl_ents[i];
		bool evict = (in->coi_flags & DAOS_COO_EVICT_ALL) ||
			     ((in->coi_flags & DAOS_COO_EVICT) && e->he_rec.ch_uid == in->coi_uid);

		if (!e->he_live || evict) {
			rc = cont_hdl_remove(cx, &c, e->he_uuid);
			if (e->he_live)
				nlive--;
			continue;
		}
		if ((e->he_rec.ch_flags & DAOS_COO_EX) || (in->coi_flags & DAOS_COO_EX))
			rc = -DER_BUSY;
	}
	if (rc != 0)
		goto out;
	uuid_copy(h.ch_pool_hdl, cx->cx_pool_hdl);
	uuid_copy(h.ch_cont, c.c_uuid);
	h.ch_flags = in->coi_flags;
	h.ch_capas = capas;
	h.ch_uid = in->coi_uid;
	d_iov_set(&key, in->coi_hdl, sizeof(uuid_t));
	d_iov_set(&val, &h, sizeof(h));
	rc = rdb_tx_update(&cx->cx_tx, &cx->cx_hdls, &key, &val);
	if (rc == 0) {
		d_iov_set(&val, &one, sizeof(one));
		rc = rdb_tx_update(&cx->cx_tx, &c.c_hdls, &key, &val);
	}
	if (rc == 0 && !(in->coi_flags & DAOS_COO_RO_MDSTATS))
		rc = cont_md_times_update(cx, &c, true, false);
	if (rc == 0)
		rc = rdb_tx_commit(&cx->cx_tx);
	if (rc != 0)
		goto out;
reply:
	rc = cont_info_get(cx, &c, info);
	if (rc == 0)
		rc = cont_prop_visible(cx, &c, capas, prop_buf, prop_len);
	if (rc == 0) {
		uuid_copy(out->coo_uuid, c.c_uuid);
		d_iov_set(&out->coo_info, info, sizeof(*info));
		d_iov_set(&out->coo_prop, *prop_buf, *prop_len);
	}
out:
	D_FREE(l.hl_ents);
	cont_fini(&c);
	return rc;
}

void
ds_cont_hdlr_open(crt_rpc_t *rpc)
{
	struct cont_open_in *in = crt_req_get(rpc);
	struct cont_open_out *out = crt_reply_get(rpc);
	daos_cont_info_t info;
	void *prop = NULL;
	size_t len = 0;
	struct cont_ctx cx;
	int rc;

	if (!cont_open_flags_valid(in->coi_flags) || uuid_is_null(in->coi_hdl) ||
	    in->coi_gids.iov_len % sizeof(gid_t) != 0 || in->coi_gids.iov_len > 65536 * 4) {
		rc = -DER_INVAL;
	} else {
		rc = cont_ctx_enter(&cx, in->coi_pool, in->coi_pool_hdl);
		if (rc == 0) {
			rc = cont_open(&cx, in, out, &info, &prop, &len);
			cont_ctx_exit(&cx);
		}
	}
	out->coo_rc = rc;
	crt_reply_send(rpc);
	D_FREE(prop);
}

void
ds_cont_hdlr_close(crt_rpc_t *rpc)
{
	struct cont_close_in *in = crt_req_get(rpc);
	struct cont_close_out *out = crt_reply_get(rpc);
	struct cont_hdl_rec h;
	struct cont_ctx cx;
	struct cont c;
	int rc;

	rc = cont_ctx_enter(&cx, in->ci_pool, in->ci_pool_hdl);
	if (rc != 0)
		goto out;
	rc = cont_hdl_lookup(&cx, in->ci_hdl, &h, &c);
	if (rc == 0) {
		rc = cont_hdl_remove(&cx, &c, in->ci_hdl);
		if (rc == 0)
			rc = rdb_tx_commit(&cx.cx_tx);
		cont_fini(&c);
	} else if (rc == -DER_NO_HDL) {
		rc = 0; /* a retried close */
	}
	cont_ctx_exit(&cx);
out:
	out->cco_rc = rc;
	crt_reply_send(rpc);
}

/* ---- query, list ---- */

void
ds_cont_hdlr_query(crt_rpc_t *rpc)
{
	struct cont_query_in *in = crt_req_get(rpc);
	struct cont_query_out *out = crt_reply_get(rpc);
	daos_cont_info_t info;
	struct cont_hdl_rec h;
	struct cont_ctx cx;
	struct cont c;
	void *prop = NULL;
	size_t len = 0;
	int rc;

	rc = cont_ctx_enter(&cx, in->ci_pool, in->ci_pool_hdl);
	if (rc != 0)
		goto out;
	rc = cont_hdl_lookup(&cx, in->ci_hdl, &h, &c);
	if (rc == 0) {
		rc = cont_info_get(&cx, &c, &info);
		if (rc == 0)
			rc = cont_prop_visible(&cx, &c, h.ch_capas, &prop, &len);
		cont_fini(&c);
	}
	cont_ctx_exit(&cx);
	if (rc == 0) {
		d_iov_set(&out->cqo_info, &info, sizeof(info));
		d_iov_set(&out->cqo_prop, prop, len);
	}
out:
	out->cqo_rc = rc;
	crt_reply_send(rpc);
	D_FREE(prop);
}

struct uuid_list {
	uuid_t *ul_uuids;
	int ul_nr;
	int ul_cap;
};

static int
uuid_collect_cb(daos_handle_t ih, d_iov_t *key, d_iov_t *val, void *arg)
{
	struct uuid_list *l = arg;

	if (key->iov_len != sizeof(uuid_t))
		return 0;
	if (l->ul_nr == l->ul_cap) {
		int cap = l->ul_cap ? l->ul_cap * 2 : 16;
		uuid_t *u;

		D_REALLOC_ARRAY(u, l->ul_uuids, l->ul_cap, cap);
		if (u == NULL)
			return -DER_NOMEM;
		l->ul_uuids = u;
		l->ul_cap = cap;
	}
	memcpy(l->ul_uuids[l->ul_nr++], key->iov_buf, sizeof(uuid_t));
	return 0;
}

void
ds_cont_hdlr_list(crt_rpc_t *rpc)
{
	struct cont_list_in *in = crt_req_get(rpc);
	struct cont_list_out *out = crt_reply_get(rpc);
	struct daos_pool_cont_info *infos = NULL;
	struct uuid_list l = {0};
	struct cont_ctx cx;
	int i, n = 0, rc;

	rc = cont_ctx_enter(&cx, in->cli_pool, in->cli_pool_hdl);
	if (rc != 0)
		goto out;
	if (cont_ctx_have_tables(&cx))
		rc = rdb_tx_iterate(&cx.cx_tx, &cx.cx_conts, false, uuid_collect_cb, &l);
	if (rc == 0 && l.ul_nr > 0) {
		D_ALLOC_ARRAY(infos, l.ul_nr);
		if (infos == NULL)
			rc = -DER_NOMEM;
	}
	for (i = 0; rc == 0 && i < l.ul_nr; i++) {
		struct daos_prop_entry *lbl;
		struct cont c;

		rc = cont_lookup_uuid(&cx, l.ul_uuids[i], &c);
		if (rc != 0)
			break;
		uuid_copy(infos[n].pci_uuid, c.c_uuid);
		lbl = daos_prop_entry_get(c.c_prop, DAOS_PROP_CO_LABEL);
		if (lbl != NULL && lbl->dpe_str != NULL)
			strncpy(infos[n].pci_label, lbl->dpe_str, DAOS_PROP_LABEL_MAX_LEN);
		n++;
		cont_fini(&c);
	}
	cont_ctx_exit(&cx);
	if (rc == 0)
		d_iov_set(&out->clo_conts, infos, n * sizeof(*infos));
out:
	out->clo_rc = rc;
	crt_reply_send(rpc);
	D_FREE(infos);
	D_FREE(l.ul_uuids);
}

/* ---- properties, ACL, owner ---- */

static int
cont_prop_apply(struct cont_ctx *cx, struct cont *c, uint64_t capas, struct cont_prop_set_in *in,
		daos_prop_t **newp)
{
	daos_prop_t *req = NULL, *one = NULL;
	struct daos_prop_entry *e, *acl_e, *old_lbl;
	struct daos_acl *acl = NULL;
	uint32_t i;
	int rc = 0;

	acl_e = daos_prop_entry_get(c->c_prop, DAOS_PROP_CO_ACL);
	if (in->cpi_op != CONT_PROP_OP_ACL_DELETE) {
		rc = daos_prop_decode(in->cpi_prop.iov_buf, in->cpi_prop.iov_len, &req);
		if (rc != 0)
			return rc;
		if (req->dpp_nr == 0)
			D_GOTO(out, rc = -DER_INVAL);
	}
	switch (in->cpi_op) {
	case CONT_PROP_OP_SET:
		rc = cont_prop_check_input(req, false);
		if (rc != 0)
			goto out;
		for (i = 0; i < req->dpp_nr; i++) {
			uint32_t t = req->dpp_entries[i].dpe_type;
			uint64_t need = t == DAOS_PROP_CO_ACL ? CONT_CAPA_SET_ACL
					: (t == DAOS_PROP_CO_OWNER || t == DAOS_PROP_CO_OWNER_GROUP)
						? CONT_CAPA_SET_OWNER
						: CONT_CAPA_SET_PROP;

			if (!(capas & need))
				D_GOTO(out, rc = -DER_NO_PERM);
		}
		e = daos_prop_entry_get(req, DAOS_PROP_CO_LABEL);
		old_lbl = daos_prop_entry_get(c->c_prop, DAOS_PROP_CO_LABEL);
		if (e != NULL && (old_lbl == NULL || strcmp(e->dpe_str, old_lbl->dpe_str) != 0)) {
			d_iov_t key;

			rc = label_index_set(cx, e->dpe_str, c->c_uuid);
			if (rc == 0 && old_lbl != NULL && label_is_set(old_lbl->dpe_str)) {
				d_iov_set(&key, old_lbl->dpe_str, strlen(old_lbl->dpe_str));
				rc = rdb_tx_delete(&cx->cx_tx, &cx->cx_uuids, &key);
				if (rc == -DER_NONEXIST)
					rc = 0;
			}
			if (rc != 0)
				goto out;
		}
		rc = daos_prop_merge2(c->c_prop, req, newp);
		goto out;
	case CONT_PROP_OP_OWNER:
		if (!(capas & CONT_CAPA_SET_OWNER))
			D_GOTO(out, rc = -DER_NO_PERM);
		for (i = 0; i < req->dpp_nr; i++)
			if (req->dpp_entries[i].dpe_type != DAOS_PROP_CO_OWNER &&
			    req->dpp_entries[i].dpe_type != DAOS_PROP_CO_OWNER_GROUP)
				D_GOTO(out, rc = -DER_INVAL);
		if (!daos_prop_valid(req, false, true))
			D_GOTO(out, rc = -DER_INVAL);
		rc = daos_prop_merge2(c->c_prop, req, newp);
		goto out;
	case CONT_PROP_OP_ACL_UPDATE:
	case CONT_PROP_OP_ACL_OVERWRITE: {
		struct daos_ace *ace = NULL;

		if (!(capas & CONT_CAPA_SET_ACL))
			D_GOTO(out, rc = -DER_NO_PERM);
		e = daos_prop_entry_get(req, DAOS_PROP_CO_ACL);
		if (e == NULL || e->dpe_val_ptr == NULL || acl_e == NULL ||
		    daos_acl_validate(e->dpe_val_ptr) != 0)
			D_GOTO(out, rc = -DER_INVAL);
		if (in->cpi_op == CONT_PROP_OP_ACL_OVERWRITE) {
			acl = daos_acl_dup(e->dpe_val_ptr);
			if (acl == NULL)
				D_GOTO(out, rc = -DER_NOMEM);
			break;
		}
		acl = daos_acl_dup(acl_e->dpe_val_ptr);
		if (acl == NULL)
			D_GOTO(out, rc = -DER_NOMEM);
		while ((ace = daos_acl_get_next_ace(e->dpe_val_ptr, ace)) != NULL) {
			rc = daos_acl_add_ace(&acl, ace);
			if (rc != 0)
				goto out;
		}
		break;
	}
	case CONT_PROP_OP_ACL_DELETE: {
		enum daos_acl_principal_type type;
		char *name = NULL;

		if (!(capas & CONT_CAPA_SET_ACL))
			D_GOTO(out, rc = -DER_NO_PERM);
		if (in->cpi_principal == NULL || acl_e == NULL)
			D_GOTO(out, rc = -DER_INVAL);
		rc = daos_acl_principal_from_str(in->cpi_principal, &type, &name);
		if (rc != 0)
			goto out;
		acl = daos_acl_dup(acl_e->dpe_val_ptr);
		rc = acl ? daos_acl_remove_ace(&acl, type, name) : -DER_NOMEM;
		D_FREE(name);
		if (rc != 0)
			goto out;
		break;
	}
	default:
		D_GOTO(out, rc = -DER_INVAL);
	}
	/* the ACL operations end here with the new ACL */
	if (daos_acl_cont_validate(acl) != 0)
		D_GOTO(out, rc = -DER_INVAL);
	one = daos_prop_alloc(1);
	if (one == NULL)
		D_GOTO(out, rc = -DER_NOMEM);
	one->dpp_entries[0].dpe_type = DAOS_PROP_CO_ACL;
	one->dpp_entries[0].dpe_val_ptr = acl;
	acl = NULL;
	rc = daos_prop_merge2(c->c_prop, one, newp);
out:
	daos_acl_free(acl);
	daos_prop_free(one);
	daos_prop_free(req);
	return rc;
}

void
ds_cont_hdlr_prop_set(crt_rpc_t *rpc)
{
	struct cont_prop_set_in *in = crt_req_get(rpc);
	struct cont_prop_set_out *out = crt_reply_get(rpc);
	daos_prop_t *new = NULL;
	struct cont_hdl_rec h;
	struct cont_ctx cx;
	struct cont c;
	int rc;

	rc = cont_ctx_enter(&cx, in->ci_pool, in->ci_pool_hdl);
	if (rc != 0)
		goto out;
	rc = cont_hdl_lookup(&cx, in->ci_hdl, &h, &c);
	if (rc == 0) {
		rc = cont_prop_apply(&cx, &c, h.ch_capas, in, &new);
		if (rc == 0)
			rc = cont_prop_store(&cx, &c, new);
		if (rc == 0)
			rc = cont_md_times_update(&cx, &c, false, true);
		if (rc == 0)
			rc = rdb_tx_commit(&cx.cx_tx);
		cont_fini(&c);
	}
	cont_ctx_exit(&cx);
out:
	out->cpo_rc = rc;
	crt_reply_send(rpc);
	daos_prop_free(new);
}
