/**
 * Client side of the management service inside libdaos (DAOS's dc_mgmt):
 * the access-point list, the group map fetched with GetAttachInfo and
 * requests addressed to ranks through it. Not a public header.
 *
 * Every call but dc_mgmt_access_points() is made under dc_rpc_lock(), after
 * dc_rpc_init().
 */
#ifndef __DAOS_DC_MGMT_H__
#define __DAOS_DC_MGMT_H__

#include <daos/rpc.h>

#if defined(__cplusplus)
extern "C" {
#endif

/** Environment variable naming another daos_agent.yml (pdaos extension, for tests). */
#define DC_AGENT_CONFIG_ENV "PDAOS_AGENT_CONFIG"
#define DC_AGENT_CONFIG     "/etc/daos/daos_agent.yml"
#define DC_MGMT_PORT        10001

/**
 * The access points in the order they are tried: DAOS_ACCESS_POINTS
 * (host[:port][,host[:port]]), else every entry of access_points in the
 * agent config (with its port key for entries without one), else
 * 127.0.0.1:10001. Free with dc_mgmt_access_points_free().
 */
int dc_mgmt_access_points(char ***aps, int *nr);
void dc_mgmt_access_points_free(char **aps, int nr);

/** Fetch the group map if it was not fetched yet (the first connect). */
int dc_mgmt_sys_attach(void);
/** Fetch the group map again from the access points (stale map, dead rank). */
int dc_mgmt_sys_refresh(void);
/** Version of the group map kept (0: none yet). */
uint32_t dc_mgmt_map_version(void);
/** URI of \a rank's context 0 from the kept map; free with D_FREE. */
int dc_mgmt_rank_uri(d_rank_t rank, char **uri);
/** A request to \a rank's context 0 through the primary group (map fetched if needed). */
int dc_mgmt_req_create(d_rank_t rank, crt_opcode_t opc, crt_rpc_t **rpc);
/**
 * dc_req_send() of a request made by dc_mgmt_req_create(). When the rank
 * is unreachable (or timed out), the map is fetched again once and a copy
 * of the request sent to the rank's address in the new map (after a
 * timeout only if that address changed). *rpc may be replaced (the caller
 * still holds one reference on whatever *rpc is).
 */
int dc_mgmt_req_send(crt_rpc_t **rpc);
/**
 * A server said its group map is at \a version: fetch ours again if it is
 * older. Returns 1 when refreshed, 0 when ours was current, or an error.
 */
int dc_mgmt_map_check(uint32_t version);
/** Drop the map (dc_rpc_fini). */
void dc_mgmt_fini(void);

#if defined(__cplusplus)
}
#endif

#endif /* __DAOS_DC_MGMT_H__ */
