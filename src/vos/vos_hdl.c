/**
 * Handle table of VOS: cookies are (generation << 32 | slot + 1) so a closed, stale or
 * garbage handle is detected (-DER_NO_HDL) instead of being dereferenced.
 */
#define D_LOGFAC DD_FAC(vos)

#include <pthread.h>
#include "vos_internal.h"

struct vos_hslot {
	void *hs_ptr;
	uint32_t hs_gen;
	int hs_type;
};

static pthread_mutex_t vos_htab_lock = PTHREAD_MUTEX_INITIALIZER;
static struct vos_hslot *vos_htab;
static uint32_t vos_htab_nr;
static uint32_t vos_htab_free_hint;

int
vos_hdl_register(void *ptr, int type, uint64_t *cookie)
{
	uint32_t i;

	pthread_mutex_lock(&vos_htab_lock);
	for (i = vos_htab_free_hint; i < vos_htab_nr; i++)
		if (vos_htab[i].hs_ptr == NULL)
			break;
	if (i == vos_htab_nr) {
		for (i = 0; i < vos_htab_nr; i++)
			if (vos_htab[i].hs_ptr == NULL)
				break;
	}
	if (i == vos_htab_nr) {
		struct vos_hslot *tab;
		uint32_t nr = vos_htab_nr ? vos_htab_nr * 2 : 64;

		tab = realloc(vos_htab, nr * sizeof(*tab));
		if (tab == NULL) {
			pthread_mutex_unlock(&vos_htab_lock);
			return -DER_NOMEM;
		}
		memset(&tab[vos_htab_nr], 0, (nr - vos_htab_nr) * sizeof(*tab));
		vos_htab = tab;
		i = vos_htab_nr;
		vos_htab_nr = nr;
	}
	vos_htab[i].hs_ptr = ptr;
	vos_htab[i].hs_type = type;
	vos_htab[i].hs_gen++;
	vos_htab_free_hint = i + 1;
	*cookie = ((uint64_t)vos_htab[i].hs_gen << 32) | (i + 1);
	pthread_mutex_unlock(&vos_htab_lock);
	return 0;
}

void *
vos_hdl_lookup(uint64_t cookie, int type)
{
	uint32_t idx = (uint32_t)cookie;
	void *ptr = NULL;

	if (idx == 0)
		return NULL;
	pthread_mutex_lock(&vos_htab_lock);
	if (idx <= vos_htab_nr) {
		struct vos_hslot *s = &vos_htab[idx - 1];

		if (s->hs_ptr != NULL && s->hs_type == type &&
		    s->hs_gen == (uint32_t)(cookie >> 32))
			ptr = s->hs_ptr;
	}
	pthread_mutex_unlock(&vos_htab_lock);
	return ptr;
}

void
vos_hdl_unregister(uint64_t cookie)
{
	uint32_t idx = (uint32_t)cookie;

	pthread_mutex_lock(&vos_htab_lock);
	if (idx != 0 && idx <= vos_htab_nr &&
	    vos_htab[idx - 1].hs_gen == (uint32_t)(cookie >> 32)) {
		vos_htab[idx - 1].hs_ptr = NULL;
		if (idx - 1 < vos_htab_free_hint)
			vos_htab_free_hint = idx - 1;
	}
	pthread_mutex_unlock(&vos_htab_lock);
}
