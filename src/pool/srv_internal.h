/* Pool module internals (src/pool only). */
#ifndef __POOL_SRV_INTERNAL_H__
#define __POOL_SRV_INTERNAL_H__

#include <daos_srv/daos_engine.h>
#include <daos_srv/rdb.h>
#include <daos_prop.h>
#include "rpc.h"

/* <scm_mount>/pools/<uuid>/ holds a rank's heaps ("vos-<tgt>") and the service's "rdb-pool" */
#define POOL_DIR      "pools"
#define POOL_RDB_FILE "rdb-pool"
/* the management service's pool table, in the access point's scm_mount */
#define POOL_TABLE_FILE "daos_pools.db"

/* smallest per-target tiers (a heap needs room for VOS's trees; a blob for a few extents) */
#define POOL_TGT_SCM_MIN  (16ULL << 20)
#define POOL_TGT_NVME_MIN (16ULL << 20)

/* srv_target.c: this rank's share of the pools (one VOS pool per target) */
int ds_pool_dir(const uuid_t uuid, bool data, char *buf, size_t len);
int ds_pool_tgt_create_local(const uuid_t uuid, uint64_t scm, uint64_t nvme, uint32_t *ntgts);
int ds_pool_tgt_destroy_local(const uuid_t uuid);
int ds_pool_tgt_query_local(const uuid_t uuid, int tgt, struct daos_space **space, int *nr);
int ds_pool_tgt_open_all(void);
void ds_pool_tgt_close_all(void);
void ds_pool_hdlr_tgt_create(crt_rpc_t *rpc);
void ds_pool_hdlr_tgt_destroy(crt_rpc_t *rpc);
void ds_pool_hdlr_tgt_query(crt_rpc_t *rpc);

/* srv_svc.c: pool services hosted here */
int ds_pool_svc_create_local(const uuid_t uuid, d_iov_t *prop, d_iov_t *map);
int ds_pool_svc_stop_local(const uuid_t uuid, bool force, bool destroy);
bool ds_pool_svc_exists(const uuid_t uuid);
int ds_pool_svc_open_all(void);
void ds_pool_svc_close_all(void);
void ds_pool_hdlr_svc_create(crt_rpc_t *rpc);
void ds_pool_hdlr_svc_stop(crt_rpc_t *rpc);
void ds_pool_hdlr_connect(crt_rpc_t *rpc);
void ds_pool_hdlr_disconnect(crt_rpc_t *rpc);
void ds_pool_hdlr_query(crt_rpc_t *rpc);
void ds_pool_hdlr_query_info(crt_rpc_t *rpc);
void ds_pool_hdlr_prop_set(crt_rpc_t *rpc);
void ds_pool_hdlr_attr(crt_rpc_t *rpc);

/* srv_mgmt_pool.c: the pool table of the management service (access point only) */
bool ds_pool_mgmt_is_ap(void);
int ds_pool_mgmt_load(void);
void ds_pool_mgmt_unload(void);
void ds_pool_hdlr_create(crt_rpc_t *rpc);
void ds_pool_hdlr_destroy(crt_rpc_t *rpc);
void ds_pool_hdlr_list(crt_rpc_t *rpc);
void ds_pool_hdlr_locate(crt_rpc_t *rpc);

/* sending from a ULT: \a nr RPCs at once, wait for all; rcs[i] per RPC */
int ds_pool_send_all(crt_rpc_t **rpcs, int nr, uint32_t timeout_ms, int *rcs);
int ds_pool_send_all_start(crt_rpc_t **rpcs, int nr, uint32_t timeout_ms, int *rcs, void **waiter);
int ds_pool_send_all_wait(void *waiter);

#endif
