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
	/** URI of the rank running the pool service */
	char *dp_svc_uri;
	/** protected by dc_rpc_lock() */
	struct pool_map *dp_map;
	uint32_t dp_map_version;
};

/** The pool of \a poh with a reference, NULL if \a poh is not a pool handle. */
struct dc_pool *dc_hdl2pool(daos_handle_t poh);
void dc_pool_put(struct dc_pool *pool);

#endif /* __DAOS_DC_POOL_H__ */
