/**
 * RPC conventions shared by every DAOS module: module ids, opcode layout and
 * the handler table a server module hands to the engine.
 */
#ifndef __DAOS_RPC_H__
#define __DAOS_RPC_H__

#include <cart/api.h>

#if defined(__cplusplus)
extern "C" {
#endif

/** Module ids; the id is the top byte of every opcode of that module. */
enum daos_module_id {
	DAOS_VOS_MODULE = 0,
	DAOS_MGMT_MODULE = 1,
	DAOS_POOL_MODULE = 2,
	DAOS_CONT_MODULE = 3,
	DAOS_OBJ_MODULE = 4,
	DAOS_REBUILD_MODULE = 5,
	DAOS_RSVC_MODULE = 6,
	DAOS_RDB_MODULE = 7,
	DAOS_RDBT_MODULE = 8,
	DAOS_SEC_MODULE = 9,
	DAOS_DTX_MODULE = 10,
	DAOS_PIPELINE_MODULE = 11,
	DAOS_CHK_MODULE = 12,
	DAOS_NR_MODULE = 13,
	DAOS_MAX_MODULE = 64,
};

#define DAOS_OPC_MOD_SHIFT 24
#define DAOS_OPC_VER_SHIFT 16

/** Base opcode of a module's protocol (what crt_proto_format.cpf_base wants). */
#define DAOS_RPC_OPCODE(opc, mod_id, rpc_ver)         \
	(((uint32_t)(mod_id) << DAOS_OPC_MOD_SHIFT) | \
	 ((uint32_t)(rpc_ver) << DAOS_OPC_VER_SHIFT) | (uint32_t)(opc))

#define opc_get_mod_id(opcode) (((opcode) >> DAOS_OPC_MOD_SHIFT) & 0xFF)
#define opc_get(opcode)        ((opcode)&0xFFFF)

/** One server-side handler of a module protocol, in the protocol's opcode order. */
struct daos_rpc_handler {
	crt_opcode_t dr_opc;
	crt_rpc_cb_t dr_hdlr;
	struct crt_corpc_ops *dr_corpc_ops;
};


/*
 * Client side (libdaos): one transport shared by the client modules. Calls
 * other than dc_rpc_lock/unlock/fini are made with the lock held; requests
 * are synchronous (the event forms run them, then complete the event).
 */
struct daos_event;

/** Timeout of one client request to a service. */
#define DC_RPC_TIMEOUT_MS 10000

void dc_rpc_lock(void);
void dc_rpc_unlock(void);
/** Start the transport if needed and register \a fmt once (NULL: transport only). */
int dc_rpc_init(const struct crt_proto_format *fmt);
/** Tear the transport down (daos_fini). */
void dc_rpc_fini(void);
/** The provider string of the transport (D_PROVIDER, default "ofi+tcp;ofi_rxm"). */
const char *dc_rpc_provider(void);
/** The transport's CaRT context. */
crt_context_t dc_rpc_context(void);
/**
 * URI of the management service, from the group map fetched at the first
 * call (daos/mgmt.h: access points from DAOS_ACCESS_POINTS, daos_agent.yml,
 * 127.0.0.1:10001).
 */
int dc_mgmt_uri(char **uri);
/** A request to \a uri; -DER_UNREACH at once when nothing listens there. */
int dc_req_create(const char *uri, crt_opcode_t opc, crt_rpc_t **rpc);
/** Send and progress until the reply or the timeout; the caller keeps its reference. */
int dc_req_send(crt_rpc_t *rpc);
/** End an API call: complete \a ev with \a rc, or return \a rc when \a ev is NULL. */
int dc_return(struct daos_event *ev, int rc);

#if defined(__cplusplus)
}
#endif

#endif /* __DAOS_RPC_H__ */
