/**
 * The management protocol: what dmg, other servers and (later) the client
 * library send to a daos_server's context 0. Opcodes and field lists only;
 * CRT_RPC_DEFINE is in rpc.c, shared by daos_server and dmg.
 */
#ifndef __MGMT_RPC_H__
#define __MGMT_RPC_H__

#include <uuid/uuid.h>
#include <daos/rpc.h>

#define DAOS_MGMT_VERSION 1

#define MGMT_PROTO_CLI_RPC_LIST                       \
	X(MGMT_STORAGE_FORMAT, mgmt_format)           \
	X(MGMT_STORAGE_SCAN, mgmt_scan)               \
	X(MGMT_SYSTEM_QUERY, mgmt_sys_query)          \
	X(MGMT_SYSTEM_STOP, mgmt_sys_ctl)             \
	X(MGMT_SYSTEM_START, mgmt_sys_ctl)            \
	X(MGMT_LEADER_QUERY, mgmt_leader_query)       \
	X(MGMT_SYSTEM_ERASE, mgmt_sys_ctl)            \
	X(MGMT_SET_LOGMASKS, mgmt_set_logmasks)       \
	X(MGMT_JOIN, mgmt_join)                       \
	X(MGMT_GROUP_UPDATE, mgmt_grp_update)         \
	X(MGMT_RANK_CTL, mgmt_rank_ctl)               \
	X(MGMT_GET_ATTACH_INFO, mgmt_get_attach_info) \
	X(MGMT_PING_RANK, mgmt_ping)

#define X(opc, fmt) opc##_IDX,
enum mgmt_rpc_idx { MGMT_PROTO_CLI_RPC_LIST MGMT_PROTO_CLI_COUNT };
#undef X

#define DAOS_MGMT_BASE DAOS_RPC_OPCODE(0, DAOS_MGMT_MODULE, 0)
#define X(opc, fmt)    opc = CRT_PROTO_OPC(DAOS_MGMT_BASE, DAOS_MGMT_VERSION, opc##_IDX),
enum mgmt_operation { MGMT_PROTO_CLI_RPC_LIST };
#undef X

/** Member states (DAOS's system member states; names in mgmt_state_str()). */
enum mgmt_member_state {
	MGMT_MS_UNKNOWN = 0,
	MGMT_MS_AWAIT_FORMAT = 1,
	MGMT_MS_JOINED = 2,
	MGMT_MS_STOPPED = 3,
	MGMT_MS_EXCLUDED = 4,
	MGMT_MS_UNRESPONSIVE = 5,
	MGMT_MS_ERRORED = 6,
};

static inline const char *
mgmt_state_str(uint32_t state)
{
	static const char *const names[] = {"unknown",  "awaitformat",  "joined", "stopped",
					    "excluded", "unresponsive", "errored"};

	return state < sizeof(names) / sizeof(names[0]) ? names[state] : "unknown";
}

/** One system member as the management service records it. */
#define MGMT_MEMBER_SEQ                                                                       \
	((d_rank_t)(mm_rank)CRT_VAR)((uuid_t)(mm_uuid)CRT_VAR)((d_string_t)(mm_addr)CRT_VAR)( \
		(d_string_t)(mm_uri)CRT_VAR)((d_string_t)(mm_fault_domain)CRT_VAR)(           \
		(uint32_t)(mm_state)CRT_VAR)((d_string_t)(mm_reason)CRT_VAR)(                 \
		(uint64_t)(mm_incarnation)CRT_VAR)((uint32_t)(mm_nr_targets)CRT_VAR)
CRT_GEN_STRUCT(mgmt_member, MGMT_MEMBER_SEQ)
typedef struct mgmt_member mgmt_member_t;
int crt_proc_mgmt_member_t(crt_proc_t proc, crt_proc_op_t op, mgmt_member_t *m);

/** Result of one rank in stop/start/erase. */
#define MGMT_RANK_RESULT_SEQ                                                                \
	((d_rank_t)(rr_rank)CRT_VAR)((int32_t)(rr_rc)CRT_VAR)((uint32_t)(rr_state)CRT_VAR)( \
		(d_string_t)(rr_addr)CRT_VAR)
CRT_GEN_STRUCT(mgmt_rank_result, MGMT_RANK_RESULT_SEQ)
typedef struct mgmt_rank_result mgmt_rank_result_t;
int crt_proc_mgmt_rank_result_t(crt_proc_t proc, crt_proc_op_t op, mgmt_rank_result_t *r);

/** (rank, URI of its context 0) pairs of the group map. */
#define MGMT_RANK_URI_SEQ ((d_rank_t)(ru_rank)CRT_VAR)((d_string_t)(ru_uri)CRT_VAR)
CRT_GEN_STRUCT(mgmt_rank_uri, MGMT_RANK_URI_SEQ)
typedef struct mgmt_rank_uri mgmt_rank_uri_t;
int crt_proc_mgmt_rank_uri_t(crt_proc_t proc, crt_proc_op_t op, mgmt_rank_uri_t *r);

/* dmg storage format [--force] (every host) */
#define DAOS_ISEQ_MGMT_FORMAT ((bool)(fi_force)CRT_VAR)
#define DAOS_OSEQ_MGMT_FORMAT                                                          \
	((int32_t)(fo_rc)CRT_VAR)((d_string_t)(fo_addr)CRT_VAR)(                       \
		(d_string_t)(fo_scm_mount)CRT_VAR)((d_string_t)(fo_bdev_path)CRT_VAR)( \
		(uuid_t)(fo_uuid)CRT_VAR)((d_rank_t)(fo_rank)CRT_VAR)
CRT_RPC_DECLARE(mgmt_format, DAOS_ISEQ_MGMT_FORMAT, DAOS_OSEQ_MGMT_FORMAT)

/* dmg storage scan (every host) */
#define DAOS_ISEQ_MGMT_SCAN ((uint32_t)(si_flags)CRT_VAR)
#define DAOS_OSEQ_MGMT_SCAN                                                            \
	((int32_t)(so_rc)CRT_VAR)((d_string_t)(so_addr)CRT_VAR)(                       \
		(d_string_t)(so_scm_class)CRT_VAR)((d_string_t)(so_scm_mount)CRT_VAR)( \
		(uint64_t)(so_scm_total)CRT_VAR)((uint64_t)(so_scm_avail)CRT_VAR)(     \
		(uint64_t)(so_scm_size)CRT_VAR)((d_string_t)(so_bdev_class)CRT_VAR)(   \
		(d_string_t)(so_bdev_path)CRT_VAR)((uint64_t)(so_bdev_total)CRT_VAR)(  \
		(uint64_t)(so_bdev_avail)CRT_VAR)((uint64_t)(so_bdev_size)CRT_VAR)(    \
		(bool)(so_formatted)CRT_VAR)((d_rank_t)(so_rank)CRT_VAR)(              \
		(uint32_t)(so_nr_targets)CRT_VAR)
CRT_RPC_DECLARE(mgmt_scan, DAOS_ISEQ_MGMT_SCAN, DAOS_OSEQ_MGMT_SCAN)

/* dmg system query [--ranks] (access point) */
#define DAOS_ISEQ_MGMT_SYS_QUERY ((d_rank_list_t)(sqi_ranks)CRT_PTR)
#define DAOS_OSEQ_MGMT_SYS_QUERY                                                       \
	((int32_t)(sqo_rc)CRT_VAR)((uint32_t)(sqo_map_version)CRT_VAR)(                \
		(d_string_t)(sqo_sys_name)CRT_VAR)((d_string_t)(sqo_provider)CRT_VAR)( \
		(mgmt_member_t)(sqo_members)CRT_ARRAY)((d_rank_list_t)(sqo_absent)CRT_PTR)
CRT_RPC_DECLARE(mgmt_sys_query, DAOS_ISEQ_MGMT_SYS_QUERY, DAOS_OSEQ_MGMT_SYS_QUERY)

/* dmg system stop/start/erase [--ranks] [--force] (access point) */
#define DAOS_ISEQ_MGMT_SYS_CTL ((d_rank_list_t)(sci_ranks)CRT_PTR)((bool)(sci_force)CRT_VAR)
#define DAOS_OSEQ_MGMT_SYS_CTL                                                  \
	((int32_t)(sco_rc)CRT_VAR)((mgmt_rank_result_t)(sco_results)CRT_ARRAY)( \
		(d_rank_list_t)(sco_absent)CRT_PTR)
CRT_RPC_DECLARE(mgmt_sys_ctl, DAOS_ISEQ_MGMT_SYS_CTL, DAOS_OSEQ_MGMT_SYS_CTL)

/* dmg system leader-query (any server) */
#define DAOS_ISEQ_MGMT_LEADER_QUERY ((uint32_t)(lqi_flags)CRT_VAR)
#define DAOS_OSEQ_MGMT_LEADER_QUERY                                    \
	((int32_t)(lqo_rc)CRT_VAR)((d_string_t)(lqo_sys_name)CRT_VAR)( \
		(d_string_t)(lqo_leader)CRT_VAR)((d_string_t)(lqo_replicas)CRT_VAR)
CRT_RPC_DECLARE(mgmt_leader_query, DAOS_ISEQ_MGMT_LEADER_QUERY, DAOS_OSEQ_MGMT_LEADER_QUERY)

/* dmg server set-logmasks (every host); NULL masks: back to the configured log_mask */
#define DAOS_ISEQ_MGMT_SET_LOGMASKS                                         \
	((d_string_t)(sli_masks)CRT_VAR)((d_string_t)(sli_streams)CRT_VAR)( \
		(d_string_t)(sli_subsys)CRT_VAR)
#define DAOS_OSEQ_MGMT_SET_LOGMASKS \
	((int32_t)(slo_rc)CRT_VAR)((d_string_t)(slo_addr)CRT_VAR)((d_string_t)(slo_masks)CRT_VAR)
CRT_RPC_DECLARE(mgmt_set_logmasks, DAOS_ISEQ_MGMT_SET_LOGMASKS, DAOS_OSEQ_MGMT_SET_LOGMASKS)

/* server -> access point: join (rank CRT_NO_RANK asks for a new one) */
#define DAOS_ISEQ_MGMT_JOIN                                                                  \
	((d_string_t)(ji_sys)CRT_VAR)((uuid_t)(ji_uuid)CRT_VAR)((d_rank_t)(ji_rank)CRT_VAR)( \
		(d_string_t)(ji_addr)CRT_VAR)((d_string_t)(ji_uri)CRT_VAR)(                  \
		(d_string_t)(ji_fault_domain)CRT_VAR)((uint32_t)(ji_nr_targets)CRT_VAR)(     \
		(uint64_t)(ji_incarnation)CRT_VAR)
#define DAOS_OSEQ_MGMT_JOIN                                                                 \
	((int32_t)(jo_rc)CRT_VAR)((d_rank_t)(jo_rank)CRT_VAR)((uint32_t)(jo_state)CRT_VAR)( \
		(uint32_t)(jo_map_version)CRT_VAR)((mgmt_rank_uri_t)(jo_map)CRT_ARRAY)
CRT_RPC_DECLARE(mgmt_join, DAOS_ISEQ_MGMT_JOIN, DAOS_OSEQ_MGMT_JOIN)

/* access point -> every rank (collective): the group map */
#define DAOS_ISEQ_MGMT_GRP_UPDATE \
	((uint32_t)(gui_map_version)CRT_VAR)((mgmt_rank_uri_t)(gui_map)CRT_ARRAY)
#define DAOS_OSEQ_MGMT_GRP_UPDATE ((int32_t)(guo_rc)CRT_VAR)
CRT_RPC_DECLARE(mgmt_grp_update, DAOS_ISEQ_MGMT_GRP_UPDATE, DAOS_OSEQ_MGMT_GRP_UPDATE)

/* access point -> one rank: stop / start / erase */
enum mgmt_rank_op { MGMT_RANK_STOP = 1, MGMT_RANK_START = 2, MGMT_RANK_ERASE = 3 };
#define DAOS_ISEQ_MGMT_RANK_CTL ((uint32_t)(rci_op)CRT_VAR)
#define DAOS_OSEQ_MGMT_RANK_CTL ((int32_t)(rco_rc)CRT_VAR)((uint32_t)(rco_state)CRT_VAR)
CRT_RPC_DECLARE(mgmt_rank_ctl, DAOS_ISEQ_MGMT_RANK_CTL, DAOS_OSEQ_MGMT_RANK_CTL)

/*
 * GetAttachInfo (client library -> any server): the system name and the
 * URIs of every rank's context 0, which a client loads into its view of the
 * primary group before its first RPC to a rank. all_ranks = 0 returns the
 * access points only (ms_ranks).
 */
#define DAOS_ISEQ_MGMT_GET_ATTACH_INFO ((int32_t)(gai_all_ranks)CRT_VAR)
#define DAOS_OSEQ_MGMT_GET_ATTACH_INFO                                                  \
	((int32_t)(gao_rc)CRT_VAR)((d_string_t)(gao_sys_name)CRT_VAR)(                  \
		(d_string_t)(gao_provider)CRT_VAR)((uint32_t)(gao_map_version)CRT_VAR)( \
		(mgmt_rank_uri_t)(gao_rank_uris)CRT_ARRAY)((d_rank_t)(gao_ms_ranks)CRT_ARRAY)
CRT_RPC_DECLARE(mgmt_get_attach_info, DAOS_ISEQ_MGMT_GET_ATTACH_INFO,
		DAOS_OSEQ_MGMT_GET_ATTACH_INFO)

/* access point -> rank: liveness for system query */
#define DAOS_ISEQ_MGMT_PING ((d_rank_t)(pi_rank)CRT_VAR)
#define DAOS_OSEQ_MGMT_PING ((int32_t)(po_rc)CRT_VAR)((uint32_t)(po_state)CRT_VAR)
CRT_RPC_DECLARE(mgmt_ping, DAOS_ISEQ_MGMT_PING, DAOS_OSEQ_MGMT_PING)

/** Protocol table without handlers (clients register it as is). */
extern struct crt_proto_format mgmt_proto_fmt;

/** URI of "host:port" for \a provider ("ofi+tcp;ofi_rxm://127.0.0.1:10001"); free with D_FREE. */
int mgmt_addr2uri(const char *provider, const char *addr, int default_port, char **uri);
/*
 * tcp providers retry a refused connection until the RPC times out: a plain TCP connect
 * tells at once (3 s at most) whether anything listens at \a uri. -DER_UNREACH if not;
 * 0 if something does or the provider is not tcp based.
 */
int mgmt_uri_probe(const char *uri);

/*
 * Host lists of YAML configuration files. mgmt_yaml_hosts() reads the \a list_key entry of the
 * top-level mapping (a sequence of host[:port], or one string) and the optional "port" entry
 * (default \a default_port) and returns "host:port" strings (free with mgmt_hosts_free()).
 * -DER_NONEXIST: no such file; -DER_INVAL: bad YAML or a bad list; \a err then says why.
 */
int mgmt_yaml_hosts(const char *path, const char *list_key, int default_port, char ***hosts,
		    int *nr, char *err, size_t err_len);
/* append \a s (\a len bytes, trimmed; ":port" added when it has none); empty is skipped */
int mgmt_hosts_add(char ***hosts, int *nr, const char *s, size_t len, int port);
void mgmt_hosts_free(char **hosts, int nr);

#endif /* __MGMT_RPC_H__ */
