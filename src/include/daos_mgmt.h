/**
 * System management calls available to clients: system information, pool
 * listing, pool service control and debugging knobs.
 */
#ifndef __DAOS_MGMT_H__
#define __DAOS_MGMT_H__

#include <daos_types.h>
#include <daos_event.h>

#if defined(__cplusplus)
extern "C" {
#endif

/** One pool of the system (daos_mgmt_list_pools) */
typedef struct {
	/** pool UUID */
	uuid_t mgpi_uuid;
	/** pool label (allocated; freed by the caller) */
	d_string_t mgpi_label;
	/** pool service replica ranks (allocated; free with d_rank_list_free) */
	d_rank_list_t *mgpi_svc;
	/** current pool service leader */
	d_rank_t mgpi_ldr;
} daos_mgmt_pool_info_t;

/**
 * Stop the pool service of \a poh's pool (its replicas step down).
 *
 * \return 0, -DER_NO_HDL, -DER_NO_PERM, -DER_UNREACH
 */
int daos_pool_stop_svc(daos_handle_t poh, daos_event_t *ev);

/**
 * List the pools of system \a group (NULL: default) the caller can see:
 * \a npools in: capacity of \a pools (NULL to count only), out: number of pools.
 *
 * \return 0, -DER_TRUNC (too small; npools holds the count), -DER_UNREACH
 */
int daos_mgmt_list_pools(const char *group, daos_size_t *npools, daos_mgmt_pool_info_t *pools,
			 daos_event_t *ev);

/**
 * Information about system \a sys (NULL: default); free with
 * daos_mgmt_put_sys_info().
 */
int daos_mgmt_get_sys_info(const char *sys, struct daos_sys_info **info);

/** Free what daos_mgmt_get_sys_info() returned. */
void daos_mgmt_put_sys_info(struct daos_sys_info *info);

/* Keys of daos_debug_set_params() */
#define DMG_KEY_FAIL_LOC   0
#define DMG_KEY_FAIL_VALUE 1
#define DMG_KEY_FAIL_NUM   2
#define DMG_KEY_NUM        3

/**
 * Set a debug/fault-injection parameter \a key_id on \a rank (-1: all) of
 * \a grp.
 */
int daos_debug_set_params(const char *grp, d_rank_t rank, unsigned int key_id, uint64_t value,
			  uint64_t value_extra, daos_event_t *ev);

/** Write \a mark into the servers' logs. */
int daos_debug_add_mark(const char *mark);

#if defined(__cplusplus)
}
#endif

#endif /* __DAOS_MGMT_H__ */
