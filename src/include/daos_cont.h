/**
 * Containers: create, open, query, properties, ACLs, attributes, object ID
 * allocation and snapshots.
 *
 * As in DAOS 2.x, daos_cont_open/destroy/create are macros for the "2"
 * functions, which take a label or UUID string (create returns the UUID).
 */
#ifndef __DAOS_CONT_H__
#define __DAOS_CONT_H__

#include <daos_types.h>
#include <daos_event.h>
#include <daos_prop.h>
#include <daos_security.h>

#define daos_cont_open    daos_cont_open2
#define daos_cont_destroy daos_cont_destroy2
#define daos_cont_create  daos_cont_create2

#if defined(__cplusplus)
extern "C" {
#endif

/** Open for reading only (conflicts with RW and EX). */
#define DAOS_COO_RO (1U << 0)
/** Open for reading and writing. */
#define DAOS_COO_RW (1U << 1)
/** Open exclusively for reading and writing. */
#define DAOS_COO_EX (1U << 2)
/** Skip the check that the pool still meets the container's redundancy factor. */
#define DAOS_COO_FORCE (1U << 3)
/** Read-only open that does not update the container's metadata open time. */
#define DAOS_COO_RO_MDSTATS (1U << 4)
/** Evict this user's other handles on open. */
#define DAOS_COO_EVICT (1U << 5)
/** Evict every other handle on open (needs EX). */
#define DAOS_COO_EVICT_ALL (1U << 6)
#define DAOS_COO_NBITS     (7)
#define DAOS_COO_MASK      ((1U << DAOS_COO_NBITS) - 1)
/** The mutually exclusive access modes. */
#define DAOS_COO_IO_BASE_MASK (DAOS_COO_RO | DAOS_COO_RW | DAOS_COO_EX)

/** Longest container hint string (DFS). */
#define DAOS_CONT_HINT_MAX_LEN 128
/** Longest snapshot name, including the NUL. */
#define DAOS_SNAPSHOT_MAX_LEN 128

/** Options of daos_cont_create_snap_opt() */
enum daos_snapshot_opts {
	/** create a snapshot */
	DAOS_SNAP_OPT_CR = (1 << 0),
	/** also create the object ID table of the snapshot */
	DAOS_SNAP_OPT_OIT = (1 << 1),
};

/** Parse "1:2:5"-style rank lists (\a sep: separators); free with d_rank_list_free(). */
d_rank_list_t *daos_rank_list_parse(const char *str, const char *sep);

/**
 * Serialize a container handle for peer processes (NULL glob->iov_buf: size only).
 *
 * \return 0, -DER_INVAL, -DER_NO_HDL, -DER_TRUNC
 */
int daos_cont_local2global(daos_handle_t coh, d_iov_t *glob);

/** Make a local container handle of pool \a poh from daos_cont_local2global() data. */
int daos_cont_global2local(daos_handle_t poh, d_iov_t glob, daos_handle_t *coh);

/**
 * Create a container (labelled if \a cont_prop holds DAOS_PROP_CO_LABEL);
 * its new UUID goes to \a uuid if given.
 *
 * \return 0, -DER_INVAL, -DER_NO_HDL, -DER_NO_PERM, -DER_EXIST (label taken), -DER_UNREACH
 */
int daos_cont_create2(daos_handle_t poh, uuid_t *uuid, daos_prop_t *cont_prop, daos_event_t *ev);

/**
 * Create a container labelled \a label (\a cont_prop must not hold a label).
 *
 * \return as daos_cont_create()
 */
int daos_cont_create_with_label(daos_handle_t poh, const char *label, daos_prop_t *cont_prop,
				uuid_t *uuid, daos_event_t *ev);

/**
 * Open the container named by \a cont (label or UUID string) with DAOS_COO_*
 * \a flags; \a info (optional) receives its information.
 *
 * \return 0, -DER_INVAL, -DER_NONEXIST, -DER_NO_PERM, -DER_RF, -DER_UNREACH
 */
int daos_cont_open2(daos_handle_t poh, const char *cont, unsigned int flags, daos_handle_t *coh,
		    daos_cont_info_t *info, daos_event_t *ev);

/** Close a container handle. */
int daos_cont_close(daos_handle_t coh, daos_event_t *ev);

/**
 * Destroy the container named by \a cont. With open handles it fails with
 * -DER_BUSY unless \a force.
 */
int daos_cont_destroy2(daos_handle_t poh, const char *cont, int force, daos_event_t *ev);

/**
 * Query information and properties (\a cont_prop as in daos_pool_query();
 * free with daos_prop_free()).
 */
int daos_cont_query(daos_handle_t coh, daos_cont_info_t *info, daos_prop_t *cont_prop,
		    daos_event_t *ev);

/** New property list (free with daos_prop_free) holding the ACL, owner and owner-group. */
int daos_cont_get_acl(daos_handle_t coh, daos_prop_t **acl_prop, daos_event_t *ev);

/** Set properties. */
int daos_cont_set_prop(daos_handle_t coh, daos_prop_t *prop, daos_event_t *ev);

/** Return an UNCLEAN container to HEALTHY. */
int daos_cont_status_clear(daos_handle_t coh, daos_event_t *ev);

/** Replace the container ACL. */
int daos_cont_overwrite_acl(daos_handle_t coh, struct daos_acl *acl, daos_event_t *ev);

/** Add or replace the entries of \a acl in the container ACL. */
int daos_cont_update_acl(daos_handle_t coh, struct daos_acl *acl, daos_event_t *ev);

/** Remove a principal's entry (-DER_NONEXIST if it has none). */
int daos_cont_delete_acl(daos_handle_t coh, enum daos_acl_principal_type type, d_string_t name,
			 daos_event_t *ev);

/** Change owner and/or owner-group (NULL: unchanged); both must exist locally. */
int daos_cont_set_owner(daos_handle_t coh, d_string_t user, d_string_t group, daos_event_t *ev);

/** As daos_cont_set_owner() without checking that the user and group exist. */
int daos_cont_set_owner_no_check(daos_handle_t coh, d_string_t user, d_string_t group,
				 daos_event_t *ev);

/** List attribute names (as daos_pool_list_attr). */
int daos_cont_list_attr(daos_handle_t coh, char *buffer, size_t *size, daos_event_t *ev);

/** Get attribute values (as daos_pool_get_attr). */
int daos_cont_get_attr(daos_handle_t coh, int n, char const *const names[], void *const buffers[],
		       size_t sizes[], daos_event_t *ev);

/** Create or update attributes (as daos_pool_set_attr). */
int daos_cont_set_attr(daos_handle_t coh, int n, char const *const names[],
		       void const *const values[], size_t const sizes[], daos_event_t *ev);

/** Delete attributes. */
int daos_cont_del_attr(daos_handle_t coh, int n, char const *const names[], daos_event_t *ev);

/**
 * Reserve \a num_oids object IDs: oid.lo values [*oid, *oid + num_oids) are
 * this caller's alone.
 */
int daos_cont_alloc_oids(daos_handle_t coh, daos_size_t num_oids, uint64_t *oid, daos_event_t *ev);

/** Trigger aggregation up to \a epoch. */
int daos_cont_aggregate(daos_handle_t coh, daos_epoch_t epoch, daos_event_t *ev);

/** Roll back to a snapshot (not implemented upstream either: -DER_NOSYS). */
int daos_cont_rollback(daos_handle_t coh, daos_epoch_t epoch, daos_event_t *ev);

/** Wait for a snapshot newer than \a *epoch (-DER_NOSYS upstream). */
int daos_cont_subscribe(daos_handle_t coh, daos_epoch_t *epoch, daos_event_t *ev);

/** Create a snapshot; its epoch goes to \a epoch, \a name is optional. */
int daos_cont_create_snap(daos_handle_t coh, daos_epoch_t *epoch, char *name, daos_event_t *ev);

/** Create a snapshot with DAOS_SNAP_OPT_* \a opts. */
int daos_cont_create_snap_opt(daos_handle_t coh, daos_epoch_t *epoch, char *name,
			      enum daos_snapshot_opts opts, daos_event_t *ev);

/**
 * List snapshots: \a nr in: capacity of \a epochs / \a names (may be NULL to
 * count), out: number of snapshots; \a anchor iterates.
 */
int daos_cont_list_snap(daos_handle_t coh, int *nr, daos_epoch_t *epochs, char **names,
			daos_anchor_t *anchor, daos_event_t *ev);

/** Destroy the snapshots in \a epr (inclusive). */
int daos_cont_destroy_snap(daos_handle_t coh, daos_epoch_range_t epr, daos_event_t *ev);

/** Object ID of the object table of the snapshot at \a epoch. */
int daos_cont_snap_oit_oid_get(daos_handle_t coh, daos_epoch_t epoch, daos_obj_id_t *oid,
			       daos_event_t *ev);

/** Destroy the object table of the snapshot at \a epoch. */
int daos_cont_snap_oit_destroy(daos_handle_t coh, daos_epoch_t epoch, daos_event_t *ev);

/**
 * Permissions the container ACL in \a cont_prop grants \a uid with groups
 * \a gids (first: primary). No server is contacted.
 */
int daos_cont_get_perms(daos_prop_t *cont_prop, uid_t uid, gid_t *gids, size_t nr_gids,
			uint64_t *perms);

#if defined(__cplusplus)
}
#endif

#endif /* __DAOS_CONT_H__ */
