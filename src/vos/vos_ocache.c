/**
 * Object cache: a few recently used objects of a container, each with its dkey tree open.
 *
 * Threading: the cache belongs to the container handle, which (like every VOS handle) is used
 * by one xstream at a time; no lock. ULTs of that xstream may yield inside an operation (blob
 * I/O), so an entry is lent to one operation at a time (VOS_OC_BUSY): a second operation on
 * the same object meanwhile opens a tree handle of its own, since a btree handle keeps the
 * path of its last probe for the following insert.
 *
 * Validity: the object record is its own heap allocation that stays put until the record
 * leaves the object index (aggregation), which calls vos_oc_evict() from the index's
 * rec_free; GC frees it later, from the bin. Object punch only adds to the record's
 * incarnation log, which readers evaluate on every operation. Callers keep an entry only for
 * an object and dkey tree that existed before their transaction, so an abort cannot free them.
 */
#define D_LOGFAC DD_FAC(vos)

#include "vos_internal.h"

static inline bool
oid_eq(daos_unit_oid_t a, daos_unit_oid_t b)
{
	return a.id_pub.lo == b.id_pub.lo && a.id_pub.hi == b.id_pub.hi && a.id_shard == b.id_shard;
}

static void
ent_clear(struct vos_oc_ent *ent)
{
	if (daos_handle_is_valid(ent->oe_toh))
		dbtree_close(ent->oe_toh);
	memset(ent, 0, sizeof(*ent));
	ent->oe_toh = DAOS_HDL_INVAL;
}

struct vos_oc_ent *
vos_oc_get(struct vos_container *cont, daos_unit_oid_t oid)
{
	struct vos_oc_ent *ent;
	int i;

	for (i = 0; i < VOS_OC_NR; i++) {
		ent = &cont->vc_oc[i];
		if (ent->oe_flags != VOS_OC_VALID || !oid_eq(ent->oe_oid, oid))
			continue;
		ent->oe_flags |= VOS_OC_BUSY;
		ent->oe_used = ++cont->vc_oc_clock;
		cont->vc_oc_hits++;
		return ent;
	}
	cont->vc_oc_misses++;
	return NULL;
}

void
vos_oc_put(struct vos_container *cont, struct vos_oc_ent *ent, daos_unit_oid_t oid,
	   struct vos_obj_df *obj, daos_handle_t toh, bool keep)
{
	struct vos_oc_ent *victim = NULL;
	int i;

	if (ent != NULL) {
		D_ASSERT(ent->oe_flags & VOS_OC_BUSY);
		if (ent->oe_flags & VOS_OC_DEAD)
			ent_clear(ent);
		else
			ent->oe_flags &= ~VOS_OC_BUSY;
		return;
	}
	if (!daos_handle_is_valid(toh))
		return;
	if (!keep || obj == NULL)
		goto close;
	for (i = 0; i < VOS_OC_NR; i++) {
		struct vos_oc_ent *e = &cont->vc_oc[i];

		if (e->oe_flags == 0) {
			if (victim == NULL || victim->oe_flags != 0)
				victim = e;
			continue;
		}
		/* lent out for the same object: this handle is the spare one */
		if (oid_eq(e->oe_oid, oid))
			goto close;
		if (!(e->oe_flags & VOS_OC_BUSY) &&
		    (victim == NULL || (victim->oe_flags != 0 && e->oe_used < victim->oe_used)))
			victim = e;
	}
	if (victim == NULL)
		goto close;
	ent_clear(victim);
	victim->oe_oid = oid;
	victim->oe_obj = obj;
	victim->oe_toh = toh;
	victim->oe_used = ++cont->vc_oc_clock;
	victim->oe_flags = VOS_OC_VALID;
	return;
close:
	dbtree_close(toh);
}

void
vos_oc_evict(struct vos_pool *pool, struct vos_obj_df *obj)
{
	struct vos_container *cont;
	int i;

	d_list_for_each_entry(cont, &pool->vp_conts, vc_link)
	{
		for (i = 0; i < VOS_OC_NR; i++) {
			struct vos_oc_ent *ent = &cont->vc_oc[i];

			if (ent->oe_flags == 0 || ent->oe_obj != obj)
				continue;
			if (ent->oe_flags & VOS_OC_BUSY)
				ent->oe_flags |= VOS_OC_DEAD;
			else
				ent_clear(ent);
		}
	}
}

void
vos_oc_fini(struct vos_container *cont)
{
	int i;

	for (i = 0; i < VOS_OC_NR; i++)
		ent_clear(&cont->vc_oc[i]);
}
