/* Container service internals (src/container only). */
#ifndef __CONTAINER_SRV_INTERNAL_H__
#define __CONTAINER_SRV_INTERNAL_H__

#include <daos_srv/daos_engine.h>
#include <daos_srv/rdb.h>
#include <daos_srv/pool.h>
#include <daos_srv/ult.h>
#include <daos_prop.h>
#include "rpc.h"

/*
 * rdb layout, in the root KVS of the pool service's database (see README.md):
 *   "conts"        GENERIC  container UUID -> container KVS
 *   "cuuids"       GENERIC  label -> container UUID
 *   "cont_handles" GENERIC  handle UUID -> struct cont_hdl_rec
 * container KVS (GENERIC):
 *   "prop"         daos_prop_encode() of every property but ALLOCED_OID
 *   "alloced_oid"  uint64_t: next object ID to hand out
 *   "md_times"     struct cont_md_times
 *   "snapshots"    INTEGER  epoch -> name (NUL-terminated, "" if none)
 *   "attrs"        GENERIC  name -> value
 *   "handles"      GENERIC  handle UUID -> 1 byte (this container's handles)
 */
struct cont_hdl_rec {
	uuid_t ch_pool_hdl;
	uuid_t ch_cont;
	uint64_t ch_flags;
	uint64_t ch_capas;
	uint32_t ch_uid;
	uint32_t ch_pad;
};

struct cont_md_times {
	uint64_t otime;
	uint64_t mtime;
};

/* One request's view of the service: lock, TX, the caller's pool handle, paths. */
struct cont_ctx {
	ult_mutex_t cx_lock;
	struct rdb_tx cx_tx;
	bool cx_tx_open;
	uuid_t cx_pool;
	uuid_t cx_pool_hdl;
	uint64_t cx_pool_flags;
	uint32_t cx_pool_uid;
	uint32_t cx_pool_gid;
	rdb_path_t cx_root;
	rdb_path_t cx_conts;
	rdb_path_t cx_uuids;
	rdb_path_t cx_hdls;
};

/* A container found in the TX. */
struct cont {
	uuid_t c_uuid;
	rdb_path_t c_path;
	rdb_path_t c_snaps;
	rdb_path_t c_attrs;
	rdb_path_t c_hdls;
	daos_prop_t *c_prop;
};

extern d_iov_t ds_cont_key_prop;
extern d_iov_t ds_cont_key_alloced_oid;
extern d_iov_t ds_cont_key_md_times;
extern d_iov_t ds_cont_key_snapshots;
extern d_iov_t ds_cont_key_attrs;
extern d_iov_t ds_cont_key_handles;

/* srv_module.c */
int cont_ctx_enter(struct cont_ctx *cx, const uuid_t pool, const uuid_t pool_hdl);
void cont_ctx_exit(struct cont_ctx *cx);
bool cont_ctx_have_tables(struct cont_ctx *cx);
int cont_ctx_create_tables(struct cont_ctx *cx);
int cont_lookup(struct cont_ctx *cx, const char *id, struct cont *c);
int cont_lookup_uuid(struct cont_ctx *cx, const uuid_t uuid, struct cont *c);
void cont_fini(struct cont *c);
int cont_hdl_lookup(struct cont_ctx *cx, const uuid_t hdl, struct cont_hdl_rec *h, struct cont *c);
int cont_md_times_update(struct cont_ctx *cx, struct cont *c, bool open, bool modify);
int cont_prop_store(struct cont_ctx *cx, struct cont *c, daos_prop_t *prop);

/* srv_container.c */
void ds_cont_hdlr_create(crt_rpc_t *rpc);
void ds_cont_hdlr_destroy(crt_rpc_t *rpc);
void ds_cont_hdlr_open(crt_rpc_t *rpc);
void ds_cont_hdlr_close(crt_rpc_t *rpc);
void ds_cont_hdlr_query(crt_rpc_t *rpc);
void ds_cont_hdlr_list(crt_rpc_t *rpc);
void ds_cont_hdlr_prop_set(crt_rpc_t *rpc);

/* srv_md.c: attributes, snapshots, object IDs */
void ds_cont_hdlr_attr(crt_rpc_t *rpc);
void ds_cont_hdlr_snap(crt_rpc_t *rpc);
void ds_cont_hdlr_oid_alloc(crt_rpc_t *rpc);
int cont_snap_count(struct cont_ctx *cx, struct cont *c, uint32_t *nr, uint64_t *latest);

#endif
