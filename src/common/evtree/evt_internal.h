/**
 * evtree internals shared by the tree, the search and the iterator code.
 */
#ifndef __EVT_INTERNAL_H__
#define __EVT_INTERNAL_H__

#include <daos_srv/evtree.h>

/** Append one zeroed-or-not entry to \a ea (grows it); NULL with *rc set on failure. */
struct evt_entry *evt_ent_array_add(struct evt_entry_array *ea, int *rc);

#endif /* __EVT_INTERNAL_H__ */
