/* Container create arguments and the DFS settings kept in attributes (see daos_cont.c). */
#ifndef __DAOS_CONT_INTERNAL_H__
#define __DAOS_CONT_INTERNAL_H__

#include <daos.h>
#include <daos_obj_class.h>
#include "daos_cli.h"

/* Attribute names of the POSIX (DFS) settings until DFS keeps them in its superblock. */
#define DCONT_DFS_ATTR_PREFIX      "pdaos.dfs."
#define DCONT_DFS_ATTR_OCLASS      DCONT_DFS_ATTR_PREFIX "oclass"
#define DCONT_DFS_ATTR_DIR_OCLASS  DCONT_DFS_ATTR_PREFIX "dir_oclass"
#define DCONT_DFS_ATTR_FILE_OCLASS DCONT_DFS_ATTR_PREFIX "file_oclass"
#define DCONT_DFS_ATTR_CHUNK_SIZE  DCONT_DFS_ATTR_PREFIX "chunk_size"
#define DCONT_DFS_ATTR_HINTS       DCONT_DFS_ATTR_PREFIX "hints"
#define DCONT_DFS_ATTR_MODE        DCONT_DFS_ATTR_PREFIX "mode"
/* DFS's default chunk size */
#define DCONT_DFS_DEFAULT_CHUNK (1ULL << 20)

/* "daos cont create" after parsing. */
struct dcont_create {
	const char *pool;
	/* from the positional, --label or --properties label: */
	const char *label;
	char *label_buf;
	uint16_t type;
	daos_oclass_id_t oclass;
	daos_oclass_id_t dir_oclass;
	daos_oclass_id_t file_oclass;
	uint64_t chunk_size;
	const char *hints;
	const char *mode;
	bool rf_set;
	uint32_t rf;
	/* properties for the create call: --properties (without label) and the layout type */
	daos_prop_t *prop;
	unsigned char scratch_uuid[16];
};

/*
 * Check and gather the arguments of "cont create" (both the current
 * "create POOL [LABEL]" form and the older --pool/--label flags). -DER_INVAL
 * with a message in \a err for bad input. Free with dcont_create_fini().
 */
int dcont_create_args(struct dargs *a, struct dcont_create *cc, char *err, size_t errlen);
void dcont_create_fini(struct dcont_create *cc);

/* The largest redundancy factor an object class tolerates (RP_3G1: 2, EC_4P2G1: 2, S1: 0). */
int dcont_oclass_rf(daos_oclass_id_t id, uint32_t *rf);

/* Read one DFS setting attribute as a string. */
int dcont_dfs_attr_get(daos_handle_t coh, const char *name, char *buf, size_t len);

#endif
