/* Management service internals (src/mgmt only). Everything here runs on the system xstream. */
#ifndef __MGMT_SRV_INTERNAL_H__
#define __MGMT_SRV_INTERNAL_H__

#include <daos_srv/daos_engine.h>
#include "rpc.h"

#define MGMT_SB_FILE  "daos_server.sb"
#define MGMT_DB_FILE  "daos_system.db"
#define MGMT_ADDR_MAX 80
#define MGMT_FD_MAX   128

/** Superblock of a formatted server (text file in scm_mount). */
struct mgmt_sb {
	char sb_sys[CRT_GROUP_ID_MAX_LEN];
	uuid_t sb_uuid;
	d_rank_t sb_rank;
};

/** This server's own view. */
struct mgmt_self {
	bool ms_formatted;
	struct mgmt_sb ms_sb;
	uint32_t ms_state; /* MGMT_MS_* */
	bool ms_is_ap;
	char *ms_ap_uri;             /* URI of the access point's context 0 */
	char *ms_ap_addr;            /* its "host:port" as configured */
	char ms_addr[MGMT_ADDR_MAX]; /* our control address "ip:port" */
	uint64_t ms_incarnation;
	bool ms_stopping;
	struct ult *ms_join_ult;
	/* last group map applied to CaRT */
	uint32_t ms_map_version;
	mgmt_rank_uri_t *ms_map;
	uint32_t ms_map_nr;
};

extern struct mgmt_self mgmt_self;

/* srv_sb.c: superblock, format, scan */
int mgmt_sb_read(const char *dir, struct mgmt_sb *sb);
int mgmt_sb_write(const char *dir, const struct mgmt_sb *sb);
int mgmt_sb_remove(const char *dir);
int mgmt_write_file_atomic(const char *dir, const char *name, const char *data, size_t len);
void ds_mgmt_hdlr_format(crt_rpc_t *rpc);
void ds_mgmt_hdlr_scan(crt_rpc_t *rpc);

/* srv_mgmt.c */
int mgmt_rpc_send_wait(crt_rpc_t *rpc, uint32_t timeout_ms);
int mgmt_rpc_send_all(crt_rpc_t **rpcs, int nr, uint32_t timeout_ms, int *rcs);
int mgmt_map_apply(uint32_t version, mgmt_rank_uri_t *map, uint32_t nr);
int mgmt_join_start(void);
int mgmt_rank_ctl_local(uint32_t op, uint32_t *state);

/* srv_system.c: the management service of the access point */
int ds_mgmt_system_load(void);
void ds_mgmt_system_unload(void);
int ds_mgmt_system_create(void);
int ds_mgmt_join_local(struct mgmt_join_in *in, struct mgmt_join_out *out);
void ds_mgmt_join_out_free(struct mgmt_join_out *out);
int ds_mgmt_system_map(uint32_t *version, mgmt_rank_uri_t **map, uint32_t *nr, d_rank_t **ms,
		       uint32_t *nr_ms);
void ds_mgmt_system_push_wait(void);
void ds_mgmt_hdlr_join(crt_rpc_t *rpc);
void ds_mgmt_hdlr_sys_query(crt_rpc_t *rpc);
void ds_mgmt_hdlr_sys_ctl(crt_rpc_t *rpc);

#endif
