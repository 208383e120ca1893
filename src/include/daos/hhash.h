/**
 * The client's handle table: every daos_handle_t (EQ, pool, container,
 * object, transaction) is a cookie of this one gurt handle table, created by
 * daos_init(). Wrappers of d_hhash_* bound to that table.
 */
#ifndef __DAOS_HHASH_H__
#define __DAOS_HHASH_H__

#include <gurt/hash.h>

#if defined(__cplusplus)
extern "C" {
#endif

/** Create the table (reference counted: daos_init calls it). */
int daos_hhash_init(void);

/** Drop a reference; the last one destroys the table. */
void daos_hhash_fini(void);

/** Forget the table in a child after fork() (its handles are not valid there) and make a new one. */
int daos_hhash_reset_after_fork(void);

void daos_hhash_hlink_init(struct d_hlink *hlink, struct d_hlink_ops *ops);

/** Give \a hlink a cookie of \a type (DAOS_HTYPE_*) and make it findable. */
void daos_hhash_link_insert(struct d_hlink *hlink, int type);

/** Find a cookie and take a reference on its link; NULL if unknown or the table is gone. */
struct d_hlink *daos_hhash_link_lookup(uint64_t key);

void daos_hhash_link_getref(struct d_hlink *hlink);

/** Drop a reference; the last one calls hop_free. */
void daos_hhash_link_putref(struct d_hlink *hlink);

/** Make the cookie unfindable (drops the table's reference). False if it already was. */
bool daos_hhash_link_delete(struct d_hlink *hlink);

bool daos_hhash_link_empty(struct d_hlink *hlink);

void daos_hhash_link_key(struct d_hlink *hlink, uint64_t *key);

#if defined(__cplusplus)
}
#endif

#endif /* __DAOS_HHASH_H__ */
