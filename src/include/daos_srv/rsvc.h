/**
 * Replicated services' user attributes: the pool and container services keep attributes in
 * one rdb KVS each and serve set/get/list/delete the same way, on the buffers of
 * daos/attr.h. The service checks the handle, begins the TX, calls one of these and commits
 * (set and delete change the KVS; none of these commits).
 */
#ifndef __DAOS_SRV_RSVC_H__
#define __DAOS_SRV_RSVC_H__

#include <daos_srv/rdb.h>

/** Set \a n attributes: \a names packed names, \a values packed values. */
int ds_rsvc_set_attr(struct rdb_tx *tx, const rdb_path_t *kvs, const d_iov_t *names,
		     const d_iov_t *values, uint32_t n);
/** Delete \a n attributes (missing ones are not an error). */
int ds_rsvc_del_attr(struct rdb_tx *tx, const rdb_path_t *kvs, const d_iov_t *names, uint32_t n);
/** Look \a n attributes up into \a reply (a get reply; caller frees iov_buf). */
int ds_rsvc_get_attr(struct rdb_tx *tx, const rdb_path_t *kvs, const d_iov_t *names, uint32_t n,
		     d_iov_t *reply);
/** List the attribute names into \a reply (caller frees iov_buf). */
int ds_rsvc_list_attr(struct rdb_tx *tx, const rdb_path_t *kvs, d_iov_t *reply);

#endif /* __DAOS_SRV_RSVC_H__ */
