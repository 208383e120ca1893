/**
 * The pool protocol: what dmg, libdaos and other servers send to a
 * daos_server about pools. Opcodes, field lists and the pool map encoding;
 * CRT_RPC_DEFINE is in rpc.c, shared by daos_server, dmg and libdaos.
 *
 * Routing: POOL_CREATE/DESTROY/LIST/LOCATE go to the access point (the
 * management service keeps the pool table); the pool service RPCs go to the
 * rank of the pool service (POOL_LOCATE tells which); POOL_TGT_* go from
 * server to server.
 */
#ifndef __POOL_RPC_H__
#define __POOL_RPC_H__

#include <uuid/uuid.h>
#include <daos/rpc.h>
#include <daos_types.h>
#include <daos_pool.h>

#define DAOS_POOL_VERSION 1

#define POOL_PROTO_RPC_LIST                   \
	X(POOL_CREATE, pool_create)           \
	X(POOL_DESTROY, pool_destroy)         \
	X(POOL_LIST, pool_list)               \
	X(POOL_LOCATE, pool_locate)           \
	X(POOL_TGT_CREATE, pool_tgt_create)   \
	X(POOL_TGT_DESTROY, pool_tgt_destroy) \
	X(POOL_SVC_CREATE, pool_svc_create)   \
	X(POOL_SVC_STOP, pool_tgt_destroy)    \
	X(POOL_TGT_QUERY, pool_tgt_query)     \
	X(POOL_CONNECT, pool_connect)         \
	X(POOL_DISCONNECT, pool_disconnect)   \
	X(POOL_QUERY, pool_query)             \
	X(POOL_QUERY_INFO, pool_query_info)   \
	X(POOL_PROP_SET, pool_prop_set)       \
	X(POOL_ATTR, pool_attr)

#define X(opc, fmt) opc##_IDX,
enum pool_rpc_idx { POOL_PROTO_RPC_LIST POOL_PROTO_COUNT };
#undef X

#define DAOS_POOL_BASE DAOS_RPC_OPCODE(0, DAOS_POOL_MODULE, 0)
#define X(opc, fmt)    opc = CRT_PROTO_OPC(DAOS_POOL_BASE, DAOS_POOL_VERSION, opc##_IDX),
enum pool_operation { POOL_PROTO_RPC_LIST };
#undef X

/* states of a pool in the management service's table */
enum pool_rec_state { POOL_REC_CREATING = 0, POOL_REC_READY = 1, POOL_REC_DESTROYING = 2 };

/** One pool of `dmg pool list`. */
#define POOL_REC_SEQ                                                                               \
	((uuid_t)(pr_uuid)CRT_VAR)((d_string_t)(pr_label)CRT_VAR)((d_rank_t)(pr_svc_rank)CRT_VAR)( \
		(uint32_t)(pr_state)CRT_VAR)((uint32_t)(pr_nranks)CRT_VAR)
CRT_GEN_STRUCT(pool_rec, POOL_REC_SEQ)
typedef struct pool_rec pool_rec_t;
int crt_proc_pool_rec_t(crt_proc_t proc, crt_proc_op_t op, pool_rec_t *r);

/*
 * dmg -> access point. Sizes are pool totals; pci_total (--size) is split
 * 6%/94% between the tiers. pci_prop: daos_prop_encode()d, may be empty.
 */
#define DAOS_ISEQ_POOL_CREATE                                                    \
	((d_string_t)(pci_label)CRT_VAR)((uint64_t)(pci_total)CRT_VAR)(          \
		(uint64_t)(pci_scm)CRT_VAR)((uint64_t)(pci_nvme)CRT_VAR)(        \
		(uint32_t)(pci_nsvc)CRT_VAR)((d_rank_list_t)(pci_ranks)CRT_PTR)( \
		(d_iov_t)(pci_prop)CRT_VAR)((d_string_t)(pci_user)CRT_VAR)(      \
		(d_string_t)(pci_group)CRT_VAR)
#define DAOS_OSEQ_POOL_CREATE                                                                 \
	((int32_t)(pco_rc)CRT_VAR)((uuid_t)(pco_uuid)CRT_VAR)(                                \
		(d_rank_list_t)(pco_svc_reps)CRT_PTR)((d_rank_list_t)(pco_tgt_ranks)CRT_PTR)( \
		(uint64_t)(pco_scm)CRT_VAR)((uint64_t)(pco_nvme)CRT_VAR)(                     \
		(uint32_t)(pco_ntargets)CRT_VAR)
CRT_RPC_DECLARE(pool_create, DAOS_ISEQ_POOL_CREATE, DAOS_OSEQ_POOL_CREATE)

/* dmg -> access point: label or UUID string */
#define DAOS_ISEQ_POOL_DESTROY ((d_string_t)(pdi_id)CRT_VAR)((bool)(pdi_force)CRT_VAR)
#define DAOS_OSEQ_POOL_DESTROY ((int32_t)(pdo_rc)CRT_VAR)
CRT_RPC_DECLARE(pool_destroy, DAOS_ISEQ_POOL_DESTROY, DAOS_OSEQ_POOL_DESTROY)

#define DAOS_ISEQ_POOL_LIST ((uint32_t)(pli_flags)CRT_VAR)
#define DAOS_OSEQ_POOL_LIST ((int32_t)(plo_rc)CRT_VAR)((pool_rec_t)(plo_pools)CRT_ARRAY)
CRT_RPC_DECLARE(pool_list, DAOS_ISEQ_POOL_LIST, DAOS_OSEQ_POOL_LIST)

/*
 * anyone -> access point: where is the service of pool "label or UUID".
 * plo_map_version: the system's group map version (a client with an older
 * map fetches it again before it looks plo_svc_rank up).
 */
#define DAOS_ISEQ_POOL_LOCATE ((d_string_t)(pli_id)CRT_VAR)
#define DAOS_OSEQ_POOL_LOCATE                                                                  \
	((int32_t)(plo_rc)CRT_VAR)((uuid_t)(plo_uuid)CRT_VAR)((d_string_t)(plo_label)CRT_VAR)( \
		(d_rank_t)(plo_svc_rank)CRT_VAR)((d_string_t)(plo_svc_uri)CRT_VAR)(            \
		(d_rank_list_t)(plo_ranks)CRT_PTR)((uint32_t)(plo_map_version)CRT_VAR)
CRT_RPC_DECLARE(pool_locate, DAOS_ISEQ_POOL_LOCATE, DAOS_OSEQ_POOL_LOCATE)

/** What one rank did of a POOL_TGT_CREATE: its error or its number of targets. */
#define POOL_TGT_COUNT_SEQ \
	((d_rank_t)(tc_rank)CRT_VAR)((int32_t)(tc_rc)CRT_VAR)((uint32_t)(tc_ntgts)CRT_VAR)
CRT_GEN_STRUCT(pool_tgt_count, POOL_TGT_COUNT_SEQ)
typedef struct pool_tgt_count pool_tgt_count_t;
int crt_proc_pool_tgt_count_t(crt_proc_t proc, crt_proc_op_t op, pool_tgt_count_t *c);

/*
 * access point -> every chosen rank, collective (k-nomial tree): create the
 * VOS pools of every target (per-rank sizes). Aggregated reply: the first
 * error, the total of targets and one tco_ranks entry per rank that
 * answered (the pool map is built from them).
 */
#define DAOS_ISEQ_POOL_TGT_CREATE \
	((uuid_t)(tci_uuid)CRT_VAR)((uint64_t)(tci_scm)CRT_VAR)((uint64_t)(tci_nvme)CRT_VAR)
#define DAOS_OSEQ_POOL_TGT_CREATE                                    \
	((int32_t)(tco_rc)CRT_VAR)((uint32_t)(tco_ntargets)CRT_VAR)( \
		(pool_tgt_count_t)(tco_ranks)CRT_ARRAY)
CRT_RPC_DECLARE(pool_tgt_create, DAOS_ISEQ_POOL_TGT_CREATE, DAOS_OSEQ_POOL_TGT_CREATE)

/** Branch ratio of the k-nomial tree of POOL_TGT_CREATE/POOL_TGT_DESTROY. */
#define POOL_TREE_RATIO 4

/*
 * access point -> rank: destroy its part of the pool (POOL_SVC_STOP: stop
 * the service only). Sent collectively (the first error is aggregated),
 * and point to point to every rank when the tree failed somewhere.
 */
#define DAOS_ISEQ_POOL_TGT_DESTROY ((uuid_t)(tdi_uuid)CRT_VAR)((bool)(tdi_force)CRT_VAR)
#define DAOS_OSEQ_POOL_TGT_DESTROY ((int32_t)(tdo_rc)CRT_VAR)
CRT_RPC_DECLARE(pool_tgt_destroy, DAOS_ISEQ_POOL_TGT_DESTROY, DAOS_OSEQ_POOL_TGT_DESTROY)

/* access point -> service rank: start the pool service with its properties and map */
#define DAOS_ISEQ_POOL_SVC_CREATE \
	((uuid_t)(sci_uuid)CRT_VAR)((d_iov_t)(sci_prop)CRT_VAR)((d_iov_t)(sci_map)CRT_VAR)
#define DAOS_OSEQ_POOL_SVC_CREATE ((int32_t)(sco_rc)CRT_VAR)
CRT_RPC_DECLARE(pool_svc_create, DAOS_ISEQ_POOL_SVC_CREATE, DAOS_OSEQ_POOL_SVC_CREATE)

/* service -> rank: space of its targets (tqi_tgt -1: all); tqo_space: struct daos_space[] */
#define DAOS_ISEQ_POOL_TGT_QUERY ((uuid_t)(tqi_uuid)CRT_VAR)((int32_t)(tqi_tgt)CRT_VAR)
#define DAOS_OSEQ_POOL_TGT_QUERY ((int32_t)(tqo_rc)CRT_VAR)((d_iov_t)(tqo_space)CRT_VAR)
CRT_RPC_DECLARE(pool_tgt_query, DAOS_ISEQ_POOL_TGT_QUERY, DAOS_OSEQ_POOL_TGT_QUERY)

/* client -> service: pci_gids: gid_t[]; reply: the pool map (pool_map_encode) */
#define DAOS_ISEQ_POOL_CONNECT                                                                \
	((uuid_t)(pci_uuid)CRT_VAR)((uuid_t)(pci_hdl)CRT_VAR)((uint64_t)(pci_flags)CRT_VAR)(( \
		uint32_t)(pci_uid)CRT_VAR)((uint32_t)(pci_gid)CRT_VAR)((d_iov_t)(pci_gids)CRT_VAR)
#define DAOS_OSEQ_POOL_CONNECT \
	((int32_t)(pco_rc)CRT_VAR)((d_iov_t)(pco_map)CRT_VAR)((uint32_t)(pco_map_version)CRT_VAR)
CRT_RPC_DECLARE(pool_connect, DAOS_ISEQ_POOL_CONNECT, DAOS_OSEQ_POOL_CONNECT)

#define DAOS_ISEQ_POOL_DISCONNECT ((uuid_t)(pdi_uuid)CRT_VAR)((uuid_t)(pdi_hdl)CRT_VAR)
#define DAOS_OSEQ_POOL_DISCONNECT ((int32_t)(pdo_rc)CRT_VAR)
CRT_RPC_DECLARE(pool_disconnect, DAOS_ISEQ_POOL_DISCONNECT, DAOS_OSEQ_POOL_DISCONNECT)

/*
 * client or dmg (nil handle) -> service. pqo_space: struct daos_pool_space,
 * pqo_rebuild: struct daos_rebuild_status, pqo_prop: every property (encoded).
 */
#define DAOS_ISEQ_POOL_QUERY \
	((uuid_t)(pqi_uuid)CRT_VAR)((uuid_t)(pqi_hdl)CRT_VAR)((uint64_t)(pqi_bits)CRT_VAR)
#define DAOS_OSEQ_POOL_QUERY                                                 \
	((int32_t)(pqo_rc)CRT_VAR)((uint32_t)(pqo_map_version)CRT_VAR)(      \
		(d_rank_t)(pqo_leader)CRT_VAR)((d_iov_t)(pqo_map)CRT_VAR)(   \
		(d_iov_t)(pqo_space)CRT_VAR)((d_iov_t)(pqo_rebuild)CRT_VAR)( \
		(d_iov_t)(pqo_prop)CRT_VAR)((uint32_t)(pqo_nhandles)CRT_VAR)
CRT_RPC_DECLARE(pool_query, DAOS_ISEQ_POOL_QUERY, DAOS_OSEQ_POOL_QUERY)

/*
 * one target (daos_pool_query_target). qio_map_version and pao_map_version
 * (POOL_ATTR): the service's pool map version, 0 if not told; a client
 * with an older map queries it (dc_pool_map_check).
 */
#define DAOS_ISEQ_POOL_QUERY_INFO                                                           \
	((uuid_t)(qii_uuid)CRT_VAR)((uuid_t)(qii_hdl)CRT_VAR)((d_rank_t)(qii_rank)CRT_VAR)( \
		(uint32_t)(qii_tgt)CRT_VAR)
#define DAOS_OSEQ_POOL_QUERY_INFO                                                              \
	((int32_t)(qio_rc)CRT_VAR)((uint32_t)(qio_state)CRT_VAR)((d_iov_t)(qio_space)CRT_VAR)( \
		(uint32_t)(qio_map_version)CRT_VAR)
CRT_RPC_DECLARE(pool_query_info, DAOS_ISEQ_POOL_QUERY_INFO, DAOS_OSEQ_POOL_QUERY_INFO)

/* set-prop / update-acl / delete-acl (psi_principal: "A::name@" style principal of delete) */
enum pool_prop_op { POOL_PROP_OP_SET = 0, POOL_PROP_OP_ACL_UPDATE, POOL_PROP_OP_ACL_DELETE };
#define DAOS_ISEQ_POOL_PROP_SET                                                             \
	((uuid_t)(psi_uuid)CRT_VAR)((uint32_t)(psi_op)CRT_VAR)((d_iov_t)(psi_prop)CRT_VAR)( \
		(d_string_t)(psi_principal)CRT_VAR)
#define DAOS_OSEQ_POOL_PROP_SET ((int32_t)(pso_rc)CRT_VAR)
CRT_RPC_DECLARE(pool_prop_set, DAOS_ISEQ_POOL_PROP_SET, DAOS_OSEQ_POOL_PROP_SET)

/*
 * Attributes. pai_names: NUL-terminated names back to back; pai_values
 * (set): for each name a uint64_t size then the bytes. Replies: get -> the
 * same value layout (size UINT64_MAX: no such attribute); list -> names.
 * Packed and unpacked by dc_attr_* (daos/attr.h) and ds_rsvc_*_attr (daos_srv/rsvc.h).
 */
enum pool_attr_op { POOL_ATTR_SET = 0, POOL_ATTR_GET, POOL_ATTR_LIST, POOL_ATTR_DEL };
#define DAOS_ISEQ_POOL_ATTR                                                               \
	((uuid_t)(pai_uuid)CRT_VAR)((uuid_t)(pai_hdl)CRT_VAR)((uint32_t)(pai_op)CRT_VAR)( \
		(uint32_t)(pai_n)CRT_VAR)((d_iov_t)(pai_names)CRT_VAR)(                   \
		(d_iov_t)(pai_values)CRT_VAR)
#define DAOS_OSEQ_POOL_ATTR \
	((int32_t)(pao_rc)CRT_VAR)((d_iov_t)(pao_data)CRT_VAR)((uint32_t)(pao_map_version)CRT_VAR)
CRT_RPC_DECLARE(pool_attr, DAOS_ISEQ_POOL_ATTR, DAOS_OSEQ_POOL_ATTR)

/** Protocol table without handlers (clients register it as is). */
extern struct crt_proto_format pool_proto_fmt;

/*
 * Pool map: ranks, their targets and the targets' states (daos_target_state_t),
 * with a version. Encoded as uint32_t words: version, nr ranks, then per rank
 * (rank, nr targets, state of each target).
 */
struct pool_map_rank {
	d_rank_t pmr_rank;
	uint32_t pmr_ntgts;
	uint32_t *pmr_states;
};

struct pool_map {
	uint32_t pm_version;
	uint32_t pm_nranks;
	struct pool_map_rank *pm_ranks;
};

int pool_map_encode(const struct pool_map *map, void **buf, size_t *len);
int pool_map_decode(const void *buf, size_t len, struct pool_map **map);
void pool_map_free(struct pool_map *map);
uint32_t pool_map_ntargets(const struct pool_map *map);
/** Targets whose state is not UP or UPIN. */
uint32_t pool_map_ndisabled(const struct pool_map *map);
/** Name of a target state as dmg prints it ("UPIN", "DOWN", ...). */
const char *pool_tgt_state_str(uint32_t state);

#endif /* __POOL_RPC_H__ */
