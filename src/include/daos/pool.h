/**
 * Client pool handles inside libdaos, for the client modules that work on a
 * connected pool (container, object). Not a public header.
 */
#ifndef __DAOS_DC_POOL_H__
#define __DAOS_DC_POOL_H__

#include <uuid/uuid.h>
#include <gurt/hash.h>
#include <daos_types.h>

struct pool_map;

/** A connected pool. Fields are set at connect and read-only afterwards but for the map. */
struct dc_pool {
	struct d_hlink dp_hlink;
	uuid_t dp_uuid;
	/** the pool handle's UUID, known to the pool service */
	uuid_t dp_hdl;
	uint64_t dp_flags;
	/** rank running the pool service; requests reach it through the group map */
	d_rank_t dp_svc_rank;
	/** URI of that rank's context 0 (from the group map; updated under dc_rpc_lock()) */
	char *dp_svc_uri;
	/** protected by dc_rpc_lock() */
	struct pool_map *dp_map;
	uint32_t dp_map_version;
};

/** The pool of \a poh with a reference, NULL if \a poh is not a pool handle. */
struct dc_pool *dc_hdl2pool(daos_handle_t poh);
void dc_pool_put(struct dc_pool *pool);
/**
 * A reply said the pool map is at \a version: if ours is older, query the
 * service for the map (POOL_QUERY). Called without dc_rpc_lock(). Returns
 * 1 when the map was refreshed, 0 when ours was current, or an error.
 */
int dc_pool_map_check(struct dc_pool *pool, uint32_t version);

#endif /* __DAOS_DC_POOL_H__ */
