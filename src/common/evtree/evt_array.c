/**
 * evtree result arrays: embedded entries first, a heap array once they overflow.
 */
#define D_LOGFAC DD_FAC(vos)

#include <daos_srv/evtree.h>
#include "evt_internal.h"

void
evt_ent_array_init(struct evt_entry_array *ent_array, int max)
{
	ent_array->ea_ents = ent_array->ea_embedded_ents;
	ent_array->ea_ent_nr = 0;
	ent_array->ea_size = EVT_EMBEDDED_NR;
	ent_array->ea_max = max <= 0 ? UINT32_MAX : (uint32_t)max;
	ent_array->ea_inob = 0;
}

void
evt_ent_array_fini(struct evt_entry_array *ent_array)
{
	if (ent_array->ea_ents != NULL && ent_array->ea_ents != ent_array->ea_embedded_ents)
		D_FREE(ent_array->ea_ents);
	evt_ent_array_init(ent_array, (int)ent_array->ea_max);
}

struct evt_entry *
evt_ent_array_add(struct evt_entry_array *ea, int *rc)
{
	struct evt_list_entry *ents;
	uint32_t size;

	if (ea->ea_ent_nr >= ea->ea_max) {
		*rc = -DER_TRUNC;
		return NULL;
	}
	if (ea->ea_ent_nr == ea->ea_size) {
		size = ea->ea_size * 2;
		if (size > ea->ea_max)
			size = ea->ea_max;
		D_ALLOC_ARRAY_NZ(ents, size);
		if (ents == NULL) {
			*rc = -DER_NOMEM;
			return NULL;
		}
		memcpy(ents, ea->ea_ents, sizeof(*ents) * ea->ea_ent_nr);
		if (ea->ea_ents != ea->ea_embedded_ents)
			D_FREE(ea->ea_ents);
		ea->ea_ents = ents;
		ea->ea_size = size;
	}
	*rc = 0;
	return &ea->ea_ents[ea->ea_ent_nr++].le_ent;
}
