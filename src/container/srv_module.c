/*
 * The container module of daos_server: request context (per-pool lock, TX on
 * the pool service's database, pool handle check), container lookup and the
 * module descriptor.
 */
#define D_LOGFAC DD_FAC(container)

#include <gurt/common.h>
#include <daos/prop.h>
#include "srv_internal.h"

RDB_STRING_KEY(ds_cont_key_, conts);
RDB_STRING_KEY(ds_cont_key_, cuuids);
RDB_STRING_KEY(ds_cont_key_, cont_handles);
RDB_STRING_KEY(ds_cont_key_, prop);
RDB_STRING_KEY(ds_cont_key_, alloced_oid);
RDB_STRING_KEY(ds_cont_key_, md_times);
RDB_STRING_KEY(ds_cont_key_, snapshots);
RDB_STRING_KEY(ds_cont_key_, attrs);
RDB_STRING_KEY(ds_cont_key_, handles);

/*
 * A request reads, decides and commits in one TX; the TX may yield (durability
 * waits), so requests on one pool are serialized by a lock (DAOS's cs_lock).
 * Pools hash onto a fixed set of locks: no per-pool state to create or free.
 */
#define CONT_NLOCKS 16
static ult_mutex_t cont_locks[CONT_NLOCKS];

static ult_mutex_t
cont_lock_of(const uuid_t pool)
{
	unsigned int h = 0;
	int i;

	for (i = 0; i < 16; i++)
		h = h * 31 + pool[i];
	return cont_locks[h % CONT_NLOCKS];
}

static int
path_child(const rdb_path_t *parent, d_iov_t *key, rdb_path_t *child)
{
	int rc;

	rc = rdb_path_clone(parent, child);
	if (rc == 0) {
		rc = rdb_path_push(child, key);
		if (rc != 0)
			rdb_path_fini(child);
	}
	return rc;
}

static void
cont_ctx_paths_fini(struct cont_ctx *cx)
{
	rdb_path_fini(&cx->cx_root);
	rdb_path_fini(&cx->cx_conts);
	rdb_path_fini(&cx->cx_uuids);
	rdb_path_fini(&cx->cx_hdls);
}

int
cont_ctx_enter(struct cont_ctx *cx, const uuid_t pool, const uuid_t pool_hdl)
{
	int rc;

	memset(cx, 0, sizeof(*cx));
	uuid_copy(cx->cx_pool, pool);
	uuid_copy(cx->cx_pool_hdl, pool_hdl);
	rc = rdb_path_init(&cx->cx_root);
	if (rc == 0)
		rc = rdb_path_push(&cx->cx_root, &rdb_path_root_key);
	if (rc == 0)
		rc = path_child(&cx->cx_root, &ds_cont_key_conts, &cx->cx_conts);
	if (rc == 0)
		rc = path_child(&cx->cx_root, &ds_cont_key_cuuids, &cx->cx_uuids);
	if (rc == 0)
		rc = path_child(&cx->cx_root, &ds_cont_key_cont_handles, &cx->cx_hdls);
	if (rc != 0) {
		cont_ctx_paths_fini(cx);
		return rc;
	}
	cx->cx_lock = cont_lock_of(pool);
	ult_mutex_lock(cx->cx_lock);
	/* the TX begins after the lock: a pool service stopping waits for open TXs */
	rc = ds_pool_svc_tx_begin(pool, &cx->cx_tx);
	if (rc != 0)
		goto err;
	cx->cx_tx_open = true;
	rc = ds_pool_svc_hdl_get(&cx->cx_tx, pool_hdl, &cx->cx_pool_flags, &cx->cx_pool_uid,
				 &cx->cx_pool_gid);
	if (rc != 0)
		goto err;
	return 0;
err:
	cont_ctx_exit(cx);
	return rc;
}

void
cont_ctx_exit(struct cont_ctx *cx)
{
	if (cx->cx_tx_open)
		rdb_tx_end(&cx->cx_tx);
	cx->cx_tx_open = false;
	if (cx->cx_lock != NULL)
		ult_mutex_unlock(cx->cx_lock);
	cx->cx_lock = NULL;
	cont_ctx_paths_fini(cx);
}

bool
cont_ctx_have_tables(struct cont_ctx *cx)
{
	d_iov_t val;

	d_iov_set(&val, NULL, 0);
	return rdb_tx_lookup(&cx->cx_tx, &cx->cx_root, &ds_cont_key_conts, &val) == 0;
}

/* Pools created before the container service have no tables: the first create makes them. */
int
cont_ctx_create_tables(struct cont_ctx *cx)
{
	struct rdb_kvs_attr attr = {.dsa_class = RDB_KVS_GENERIC, .dsa_order = 16};
	int rc;

	if (cont_ctx_have_tables(cx))
		return 0;
	rc = rdb_tx_create_kvs(&cx->cx_tx, &cx->cx_root, &ds_cont_key_conts, &attr);
	if (rc == 0)
		rc = rdb_tx_create_kvs(&cx->cx_tx, &cx->cx_root, &ds_cont_key_cuuids, &attr);
	if (rc == 0)
		rc = rdb_tx_create_kvs(&cx->cx_tx, &cx->cx_root, &ds_cont_key_cont_handles, &attr);
	return rc;
}

void
cont_fini(struct cont *c)
{
	rdb_path_fini(&c->c_path);
	rdb_path_fini(&c->c_snaps);
	rdb_path_fini(&c->c_attrs);
	rdb_path_fini(&c->c_hdls);
	daos_prop_free(c->c_prop);
	memset(c, 0, sizeof(*c));
}

int
cont_lookup_uuid(struct cont_ctx *cx, const uuid_t uuid, struct cont *c)
{
	d_iov_t key, val;
	int rc;

	memset(c, 0, sizeof(*c));
	if (!cont_ctx_have_tables(cx))
		return -DER_NONEXIST;
	uuid_copy(c->c_uuid, uuid);
	d_iov_set(&key, c->c_uuid, sizeof(uuid_t));
	d_iov_set(&val, NULL, 0);
	rc = rdb_tx_lookup(&cx->cx_tx, &cx->cx_conts, &key, &val);
	if (rc != 0)
		return rc;
	rc = path_child(&cx->cx_conts, &key, &c->c_path);
	if (rc == 0)
		rc = path_child(&c->c_path, &ds_cont_key_snapshots, &c->c_snaps);
	if (rc == 0)
		rc = path_child(&c->c_path, &ds_cont_key_attrs, &c->c_attrs);
	if (rc == 0)
		rc = path_child(&c->c_path, &ds_cont_key_handles, &c->c_hdls);
	if (rc == 0) {
		d_iov_set(&val, NULL, 0);
		rc = rdb_tx_lookup(&cx->cx_tx, &c->c_path, &ds_cont_key_prop, &val);
	}
	if (rc == 0)
		rc = daos_prop_decode(val.iov_buf, val.iov_len, &c->c_prop);
	if (rc != 0)
		cont_fini(c);
	return rc;
}

/* \a id: a UUID string or a label. */
int
cont_lookup(struct cont_ctx *cx, const char *id, struct cont *c)
{
	uuid_t uuid;
	d_iov_t key, val;
	int rc;

	memset(c, 0, sizeof(*c));
	if (id == NULL || strnlen(id, DAOS_PROP_LABEL_MAX_LEN + 1) > DAOS_PROP_LABEL_MAX_LEN)
		return -DER_INVAL;
	if (uuid_parse(id, uuid) == 0)
		return cont_lookup_uuid(cx, uuid, c);
	if (!daos_label_is_valid(id))
		return -DER_INVAL;
	if (!cont_ctx_have_tables(cx))
		return -DER_NONEXIST;
	d_iov_set(&key, (void *)id, strlen(id));
	d_iov_set(&val, uuid, sizeof(uuid_t));
	rc = rdb_tx_lookup(&cx->cx_tx, &cx->cx_uuids, &key, &val);
	if (rc != 0)
		return rc == -DER_MISMATCH ? -DER_IO : rc;
	return cont_lookup_uuid(cx, uuid, c);
}

/* The open handle \a hdl of the caller's pool handle, and its container (if \a c). */
int
cont_hdl_lookup(struct cont_ctx *cx, const uuid_t hdl, struct cont_hdl_rec *h, struct cont *c)
{
	d_iov_t key, val;
	int rc;

	if (!cont_ctx_have_tables(cx))
		return -DER_NO_HDL;
	d_iov_set(&key, (void *)hdl, sizeof(uuid_t));
	d_iov_set(&val, h, sizeof(*h));
	rc = rdb_tx_lookup(&cx->cx_tx, &cx->cx_hdls, &key, &val);
	if (rc == -DER_NONEXIST || rc == -DER_MISMATCH)
		return -DER_NO_HDL;
	if (rc != 0)
		return rc;
	/* a handle belongs to the pool handle that opened it */
	if (uuid_compare(h->ch_pool_hdl, cx->cx_pool_hdl) != 0)
		return -DER_NO_HDL;
	if (c == NULL)
		return 0;
	rc = cont_lookup_uuid(cx, h->ch_cont, c);
	return rc == -DER_NONEXIST ? -DER_NO_HDL : rc;
}

int
cont_md_times_update(struct cont_ctx *cx, struct cont *c, bool open, bool modify)
{
	struct cont_md_times t = {0};
	d_iov_t val;
	int rc;

	d_iov_set(&val, &t, sizeof(t));
	rc = rdb_tx_lookup(&cx->cx_tx, &c->c_path, &ds_cont_key_md_times, &val);
	if (rc != 0 && rc != -DER_NONEXIST)
		return rc;
	if (open)
		t.otime = d_hlc_get();
	if (modify)
		t.mtime = d_hlc_get();
	d_iov_set(&val, &t, sizeof(t));
	return rdb_tx_update(&cx->cx_tx, &c->c_path, &ds_cont_key_md_times, &val);
}

int
cont_prop_store(struct cont_ctx *cx, struct cont *c, daos_prop_t *prop)
{
	void *buf = NULL;
	size_t len = 0;
	d_iov_t val;
	int rc;

	rc = daos_prop_encode(prop, &buf, &len);
	if (rc != 0)
		return rc;
	d_iov_set(&val, buf, len);
	rc = rdb_tx_update(&cx->cx_tx, &c->c_path, &ds_cont_key_prop, &val);
	D_FREE(buf);
	return rc;
}

static int
cont_init(void)
{
	int i, rc;

	for (i = 0; i < CONT_NLOCKS; i++) {
		rc = ult_mutex_create(&cont_locks[i]);
		if (rc != 0) {
			while (--i >= 0)
				ult_mutex_free(&cont_locks[i]);
			return rc;
		}
	}
	return 0;
}

static int
cont_fini_module(void)
{
	int i;

	for (i = 0; i < CONT_NLOCKS; i++)
		if (cont_locks[i] != NULL)
			ult_mutex_free(&cont_locks[i]);
	return 0;
}

static struct daos_rpc_handler cont_handlers[] = {
	{CONT_CREATE, ds_cont_hdlr_create, NULL},
	{CONT_DESTROY, ds_cont_hdlr_destroy, NULL},
	{CONT_OPEN, ds_cont_hdlr_open, NULL},
	{CONT_CLOSE, ds_cont_hdlr_close, NULL},
	{CONT_QUERY, ds_cont_hdlr_query, NULL},
	{CONT_PROP_SET, ds_cont_hdlr_prop_set, NULL},
	{CONT_ATTR, ds_cont_hdlr_attr, NULL},
	{CONT_SNAP, ds_cont_hdlr_snap, NULL},
	{CONT_OID_ALLOC, ds_cont_hdlr_oid_alloc, NULL},
	{CONT_LIST, ds_cont_hdlr_list, NULL},
};

static struct crt_proto_format *cont_protos[] = {&cont_proto_fmt};
static uint32_t cont_counts[] = {CONT_PROTO_COUNT};
static struct daos_rpc_handler *cont_handler_tables[] = {cont_handlers};

struct dss_module cont_module = {
	.sm_name = "cont",
	.sm_mod_id = DAOS_CONT_MODULE,
	.sm_ver = DAOS_CONT_VERSION,
	.sm_init = cont_init,
	.sm_fini = cont_fini_module,
	.sm_proto_count = 1,
	.sm_proto_fmt = cont_protos,
	.sm_cli_count = cont_counts,
	.sm_handlers = cont_handler_tables,
};
