/**
 * The container protocol: what libdaos sends to the pool service rank about
 * containers. CRT_RPC_DEFINE is in rpc.c, shared by daos_server and libdaos.
 *
 * Every request names the pool (UUID) and the caller's pool handle, and goes
 * to the rank of the pool service (struct dc_pool's dp_svc_uri): the
 * container service lives in the pool service's rdb. Requests on an open
 * container also carry the container handle UUID.
 */
#ifndef __CONTAINER_RPC_H__
#define __CONTAINER_RPC_H__

#include <uuid/uuid.h>
#include <daos/rpc.h>
#include <daos_types.h>
#include <daos_cont.h>

#define DAOS_CONT_VERSION 1

#define CONT_PROTO_RPC_LIST               \
	X(CONT_CREATE, cont_create)       \
	X(CONT_DESTROY, cont_destroy)     \
	X(CONT_OPEN, cont_open)           \
	X(CONT_CLOSE, cont_close)         \
	X(CONT_QUERY, cont_query)         \
	X(CONT_PROP_SET, cont_prop_set)   \
	X(CONT_ATTR, cont_attr)           \
	X(CONT_SNAP, cont_snap)           \
	X(CONT_OID_ALLOC, cont_oid_alloc) \
	X(CONT_LIST, cont_list)

#define X(opc, fmt) opc##_IDX,
enum cont_rpc_idx { CONT_PROTO_RPC_LIST CONT_PROTO_COUNT };
#undef X

#define DAOS_CONT_BASE DAOS_RPC_OPCODE(0, DAOS_CONT_MODULE, 0)
#define X(opc, fmt)    opc = CRT_PROTO_OPC(DAOS_CONT_BASE, DAOS_CONT_VERSION, opc##_IDX),
enum cont_operation { CONT_PROTO_RPC_LIST };
#undef X

/* cci_uuid: chosen by the client (as DAOS); cci_prop: daos_prop_encode()d, may be empty */
#define DAOS_ISEQ_CONT_CREATE                                                                  \
	((uuid_t)(cci_pool)CRT_VAR)((uuid_t)(cci_pool_hdl)CRT_VAR)((uuid_t)(cci_uuid)CRT_VAR)( \
		(d_iov_t)(cci_prop)CRT_VAR)
#define DAOS_OSEQ_CONT_CREATE ((int32_t)(cco_rc)CRT_VAR)
CRT_RPC_DECLARE(cont_create, DAOS_ISEQ_CONT_CREATE, DAOS_OSEQ_CONT_CREATE)

/* cdi_id: label or UUID string */
#define DAOS_ISEQ_CONT_DESTROY                                                                   \
	((uuid_t)(cdi_pool)CRT_VAR)((uuid_t)(cdi_pool_hdl)CRT_VAR)((d_string_t)(cdi_id)CRT_VAR)( \
		(bool)(cdi_force)CRT_VAR)
#define DAOS_OSEQ_CONT_DESTROY ((int32_t)(cdo_rc)CRT_VAR)
CRT_RPC_DECLARE(cont_destroy, DAOS_ISEQ_CONT_DESTROY, DAOS_OSEQ_CONT_DESTROY)

/*
 * coi_id: label or UUID string; coi_hdl: the new handle (client-chosen);
 * coi_gids: gid_t[] (supplementary groups). Reply: coo_info: daos_cont_info_t,
 * coo_prop: every property the handle may read (encoded; the client keeps
 * the ones the object layer needs).
 */
#define DAOS_ISEQ_CONT_OPEN                                                                      \
	((uuid_t)(coi_pool)CRT_VAR)((uuid_t)(coi_pool_hdl)CRT_VAR)((d_string_t)(coi_id)CRT_VAR)( \
		(uuid_t)(coi_hdl)CRT_VAR)((uint64_t)(coi_flags)CRT_VAR)((                        \
		uint32_t)(coi_uid)CRT_VAR)((uint32_t)(coi_gid)CRT_VAR)((d_iov_t)(coi_gids)CRT_VAR)
#define DAOS_OSEQ_CONT_OPEN                                                                \
	((int32_t)(coo_rc)CRT_VAR)((uuid_t)(coo_uuid)CRT_VAR)((d_iov_t)(coo_info)CRT_VAR)( \
		(d_iov_t)(coo_prop)CRT_VAR)
CRT_RPC_DECLARE(cont_open, DAOS_ISEQ_CONT_OPEN, DAOS_OSEQ_CONT_OPEN)

/* the handle-based requests start with these three */
#define CONT_OP_HDR \
	((uuid_t)(ci_pool)CRT_VAR)((uuid_t)(ci_pool_hdl)CRT_VAR)((uuid_t)(ci_hdl)CRT_VAR)

#define DAOS_ISEQ_CONT_CLOSE CONT_OP_HDR
#define DAOS_OSEQ_CONT_CLOSE ((int32_t)(cco_rc)CRT_VAR)
CRT_RPC_DECLARE(cont_close, DAOS_ISEQ_CONT_CLOSE, DAOS_OSEQ_CONT_CLOSE)

/* reply as CONT_OPEN's */
#define DAOS_ISEQ_CONT_QUERY CONT_OP_HDR
#define DAOS_OSEQ_CONT_QUERY \
	((int32_t)(cqo_rc)CRT_VAR)((d_iov_t)(cqo_info)CRT_VAR)((d_iov_t)(cqo_prop)CRT_VAR)
CRT_RPC_DECLARE(cont_query, DAOS_ISEQ_CONT_QUERY, DAOS_OSEQ_CONT_QUERY)

/*
 * Properties, ACL and owner. cpi_prop: encoded properties (SET: any settable
 * ones; ACL_UPDATE/ACL_OVERWRITE: the ACL entry; OWNER: owner and/or group);
 * cpi_principal: "u:name@", "g:name@", "OWNER@"... of ACL_DELETE.
 */
enum cont_prop_op {
	CONT_PROP_OP_SET = 0,
	CONT_PROP_OP_ACL_UPDATE,
	CONT_PROP_OP_ACL_OVERWRITE,
	CONT_PROP_OP_ACL_DELETE,
	CONT_PROP_OP_OWNER,
};
#define DAOS_ISEQ_CONT_PROP_SET                \
	CONT_OP_HDR((uint32_t)(cpi_op)CRT_VAR) \
	((d_iov_t)(cpi_prop)CRT_VAR)((d_string_t)(cpi_principal)CRT_VAR)
#define DAOS_OSEQ_CONT_PROP_SET ((int32_t)(cpo_rc)CRT_VAR)
CRT_RPC_DECLARE(cont_prop_set, DAOS_ISEQ_CONT_PROP_SET, DAOS_OSEQ_CONT_PROP_SET)

/* Attributes: buffers as POOL_ATTR's (daos/attr.h). */
enum cont_attr_op { CONT_ATTR_SET = 0, CONT_ATTR_GET, CONT_ATTR_LIST, CONT_ATTR_DEL };
#define DAOS_ISEQ_CONT_ATTR                    \
	CONT_OP_HDR((uint32_t)(cai_op)CRT_VAR) \
	((uint32_t)(cai_n)CRT_VAR)((d_iov_t)(cai_names)CRT_VAR)((d_iov_t)(cai_values)CRT_VAR)
#define DAOS_OSEQ_CONT_ATTR ((int32_t)(cao_rc)CRT_VAR)((d_iov_t)(cao_data)CRT_VAR)
CRT_RPC_DECLARE(cont_attr, DAOS_ISEQ_CONT_ATTR, DAOS_OSEQ_CONT_ATTR)

/*
 * Snapshots. CREATE: csi_name optional, reply cso_epoch. DESTROY: every
 * snapshot in [csi_lo, csi_hi]. LIST: cso_data holds the snapshots in epoch
 * order, each a struct cont_snap_rec.
 */
enum cont_snap_op { CONT_SNAP_CREATE = 0, CONT_SNAP_DESTROY, CONT_SNAP_LIST };
#define DAOS_ISEQ_CONT_SNAP                    \
	CONT_OP_HDR((uint32_t)(csi_op)CRT_VAR) \
	((uint64_t)(csi_lo)CRT_VAR)((uint64_t)(csi_hi)CRT_VAR)((d_string_t)(csi_name)CRT_VAR)
#define DAOS_OSEQ_CONT_SNAP \
	((int32_t)(cso_rc)CRT_VAR)((uint64_t)(cso_epoch)CRT_VAR)((d_iov_t)(cso_data)CRT_VAR)
CRT_RPC_DECLARE(cont_snap, DAOS_ISEQ_CONT_SNAP, DAOS_OSEQ_CONT_SNAP)

/** One snapshot of a CONT_SNAP_LIST reply. */
struct cont_snap_rec {
	uint64_t csr_epoch;
	char csr_name[DAOS_SNAPSHOT_MAX_LEN];
};

#define DAOS_ISEQ_CONT_OID_ALLOC CONT_OP_HDR((uint64_t)(coai_num)CRT_VAR)
#define DAOS_OSEQ_CONT_OID_ALLOC ((int32_t)(coao_rc)CRT_VAR)((uint64_t)(coao_oid)CRT_VAR)
CRT_RPC_DECLARE(cont_oid_alloc, DAOS_ISEQ_CONT_OID_ALLOC, DAOS_OSEQ_CONT_OID_ALLOC)

/* reply: struct daos_pool_cont_info[] */
#define DAOS_ISEQ_CONT_LIST ((uuid_t)(cli_pool)CRT_VAR)((uuid_t)(cli_pool_hdl)CRT_VAR)
#define DAOS_OSEQ_CONT_LIST ((int32_t)(clo_rc)CRT_VAR)((d_iov_t)(clo_conts)CRT_VAR)
CRT_RPC_DECLARE(cont_list, DAOS_ISEQ_CONT_LIST, DAOS_OSEQ_CONT_LIST)

/** Protocol table without handlers (clients register it as is). */
extern struct crt_proto_format cont_proto_fmt;

/*
 * Capabilities of a container handle, from the ACL permissions of its user
 * and the open flags (as DAOS's CONT_CAPA_*): what each request needs.
 */
#define CONT_CAPA_READ_DATA  (1ULL << 0)
#define CONT_CAPA_WRITE_DATA (1ULL << 1)
#define CONT_CAPA_GET_PROP   (1ULL << 2)
#define CONT_CAPA_SET_PROP   (1ULL << 3)
#define CONT_CAPA_GET_ACL    (1ULL << 4)
#define CONT_CAPA_SET_ACL    (1ULL << 5)
#define CONT_CAPA_SET_OWNER  (1ULL << 6)
#define CONT_CAPA_DELETE     (1ULL << 7)
#define CONT_CAPA_OPEN_EX    (1ULL << 8)
#define CONT_CAPA_EVICT_ALL  (1ULL << 9)

#define CONT_CAPAS_RO_MASK   (CONT_CAPA_READ_DATA | CONT_CAPA_GET_PROP | CONT_CAPA_GET_ACL)
#define CONT_CAPAS_W_MASK                                                                      \
	(CONT_CAPA_WRITE_DATA | CONT_CAPA_SET_PROP | CONT_CAPA_SET_ACL | CONT_CAPA_SET_OWNER | \
	 CONT_CAPA_DELETE)

/**
 * Capabilities granted by ACL permissions \a perms (DAOS_ACL_PERM_*) to a
 * user who is (\a is_owner) or is not the owner, opening with DAOS_COO_*
 * \a flags. The owner may always read and change the ACL. 0: no access.
 */
uint64_t cont_capas(uint64_t perms, bool is_owner, uint64_t flags);

/** Whether \a flags is a valid DAOS_COO_* combination (exactly one of RO/RW/EX ...). */
bool cont_open_flags_valid(uint64_t flags);

/**
 * Whether \a type may be given at creation (\a create) or changed by
 * set-prop: versions are the service's, the OID counter moves only by
 * allocation.
 */
bool cont_prop_type_settable(uint32_t type, bool create);

#endif /* __CONTAINER_RPC_H__ */
