/**
 * Client container handles inside libdaos, for the client modules that work
 * on an open container (object, DFS). Not a public header.
 */
#ifndef __DAOS_DC_CONTAINER_H__
#define __DAOS_DC_CONTAINER_H__

#include <uuid/uuid.h>
#include <gurt/hash.h>
#include <daos_types.h>
#include <daos_prop.h>

struct dc_pool;

/** An open container. Read-only after open. */
struct dc_cont {
	struct d_hlink dc_hlink;
	uuid_t dc_uuid;
	/** the container handle's UUID, known to the container service */
	uuid_t dc_hdl;
	/** DAOS_COO_* of the open */
	uint64_t dc_flags;
	/** the pool it was opened through (a reference) */
	struct dc_pool *dc_pool;
	daos_handle_t dc_poh;
	/** properties the handle may read, as of the open (NULL: none readable) */
	daos_prop_t *dc_prop;
	/* the ones the object layer needs (defaults when unreadable) */
	uint32_t dc_redun_fac;
	uint32_t dc_redun_lvl;
	uint32_t dc_layout_type;
	uint32_t dc_csum_type;
	uint64_t dc_csum_chunk_size;
	uint64_t dc_ec_cell_sz;
	uint32_t dc_global_version;
	uint32_t dc_obj_version;
};

/** The container of \a coh with a reference, NULL if \a coh is not a container handle. */
struct dc_cont *dc_hdl2cont(daos_handle_t coh);
void dc_cont_put(struct dc_cont *cont);

#endif /* __DAOS_DC_CONTAINER_H__ */
