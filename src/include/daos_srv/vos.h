/**
 * VOS: the versioned object store of one target (names and semantics of DAOS 2.x
 * daos_srv/vos.h). A VOS pool is a umem heap file (metadata and small values) plus a data
 * blob (values of at least the inline threshold). Pool > container (UUID) > object
 * (daos_unit_oid_t) > dkey > akey > single value or array of records; every update and punch
 * has an epoch and fetches see the newest data at or below their epoch.
 *
 * Threading: every function of one pool is called from one xstream (no locks). Functions may
 * yield (ULT) while waiting for blob I/O or for the metadata commit to become durable.
 * Functions return 0 or a negative DER_* code. Design: src/vos/README.md; usage: docs/vos.md.
 *
 * "Same request" (conflict rule): a second update of the same akey at the same epoch is a
 * replay of the first when it stores the same value (same single-value bytes, or an extent
 * with the same range and bytes); a replay succeeds without change. Any other second write at
 * the same epoch (different bytes, or an update and a punch of the same key) fails with
 * -DER_TX_RESTART and changes nothing.
 */
#ifndef __VOS_API_H__
#define __VOS_API_H__

#include <daos_types.h>
#include <daos_obj.h>
#include <daos/checksum.h>
#include <daos_srv/vos_types.h>

#if defined(__cplusplus)
extern "C" {
#endif

/**
 * Standalone initialisation (tree classes, GC list). Called implicitly by the first pool
 * create/open; explicit calls are reference counted. \a db_path, \a use_sys_db, \a tgt_id are
 * accepted for DAOS compatibility and ignored.
 */
int vos_self_init(const char *db_path, bool use_sys_db, int tgt_id);
void vos_self_fini(void);

/* ------------------------------------------------------------------------------------------
 * Pools
 * ------------------------------------------------------------------------------------------ */

/**
 * Create a pool: heap file \a path of \a scm_sz bytes (its WAL "<path>.wal") and, when
 * \a data_sz > 0, a blob of \a data_sz bytes at "<path>.blob" (vos_pool_create_ex chooses
 * another path). With \a data_sz == 0 every value is stored in the heap. \a meta_sz and
 * \a version are accepted for DAOS compatibility (0 = current layout). -DER_EXIST if the heap
 * file exists. Opens the pool if \a poh is not NULL.
 */
int vos_pool_create(const char *path, uuid_t uuid, daos_size_t scm_sz, daos_size_t data_sz,
		    daos_size_t meta_sz, unsigned int flags, uint32_t version, daos_handle_t *poh);
/** pdaos: vos_pool_create with tunables (\a attr may be NULL). */
int vos_pool_create_ex(const char *path, uuid_t uuid, daos_size_t scm_sz, daos_size_t data_sz,
		       daos_size_t meta_sz, unsigned int flags, uint32_t version,
		       const struct vos_pool_attr *attr, daos_handle_t *poh);

/**
 * Open (and recover) a pool. -DER_NONEXIST: no such heap; -DER_DF_INVAL / -DER_CSUM: the heap
 * or its WAL is damaged or not a VOS pool; -DER_ID_MISMATCH: \a uuid differs from the pool's
 * (unless VOS_POF_SKIP_UUID_CHECK); -DER_BUSY: open already.
 */
int vos_pool_open(const char *path, uuid_t uuid, unsigned int flags, daos_handle_t *poh);
int vos_pool_open_ex(const char *path, uuid_t uuid, unsigned int flags,
		     const struct vos_pool_attr *attr, daos_handle_t *poh);
/** Close a pool; open containers of it must be closed first (-DER_BUSY otherwise). */
int vos_pool_close(daos_handle_t poh);
/** Remove the files of a closed pool (heap, WAL, "<path>.blob"). */
int vos_pool_destroy(const char *path, uuid_t uuid);
int vos_pool_destroy_ex(const char *path, uuid_t uuid, unsigned int flags);
int vos_pool_query(daos_handle_t poh, vos_pool_info_t *pinfo);
/** Hold back \a space_sys[DAOS_MEDIA_*] bytes that only GC/aggregation/VOS_OF_CRIT may use. */
int vos_pool_space_sys_set(daos_handle_t poh, daos_size_t *space_sys);
/** Write the heap image back and trim the WAL now. */
int vos_pool_checkpoint(daos_handle_t poh);

/* ------------------------------------------------------------------------------------------
 * Containers
 * ------------------------------------------------------------------------------------------ */

/** -DER_EXIST if the container exists. */
int vos_cont_create(daos_handle_t poh, uuid_t co_uuid);
/**
 * Remove a container: it disappears at once, its objects are freed by the garbage collector
 * (vos_gc_pool). -DER_BUSY while it is open, -DER_NONEXIST if absent.
 */
int vos_cont_destroy(daos_handle_t poh, uuid_t co_uuid);
int vos_cont_open(daos_handle_t poh, uuid_t co_uuid, daos_handle_t *coh);
int vos_cont_close(daos_handle_t coh);
int vos_cont_query(daos_handle_t coh, vos_cont_info_t *cinfo);

/** pdaos: record a snapshot epoch; aggregation keeps what a read at it sees. */
int vos_cont_snap_add(daos_handle_t coh, daos_epoch_t epoch);
/** pdaos: forget a snapshot (-DER_NONEXIST if not recorded). */
int vos_cont_snap_del(daos_handle_t coh, daos_epoch_t epoch);
/**
 * pdaos: list snapshots in ascending order. In: *nr = entries of \a epochs (may be 0 with
 * \a epochs NULL); out: *nr = snapshots recorded (only the first entries are filled).
 */
int vos_cont_snap_list(daos_handle_t coh, daos_epoch_t *epochs, uint32_t *nr);

/**
 * pdaos: make VOS checksum values it stores from now on (CSUM_TYPE_ISAL_CRC32_ISCSI or
 * CSUM_TYPE_ISAL_CRC64_REFL; CSUM_TYPE_UNKNOWN turns it off): one checksum per single value,
 * one per \a chunk_size bytes of array data (aligned to array offsets). Fetch verifies the
 * checksums of what it reads and fails with -DER_CSUM on a mismatch. Persistent.
 */
int vos_cont_csum_set(daos_handle_t coh, uint16_t csum_type, uint32_t chunk_size);

/* ------------------------------------------------------------------------------------------
 * Objects
 * ------------------------------------------------------------------------------------------ */

/**
 * Write the values of \a iod_nr akeys under \a dkey at \a epoch, atomically (one metadata
 * transaction, also across a crash). Single values (iod_nr == 1, iod_size bytes; iod_size 0 is
 * a punch of the akey's value) replace the whole value; arrays write iod_nr extents of
 * iod_size-byte records (iod_size 0: punch the extents, they read as holes). \a sgls[i]
 * holds the bytes of iod i in order. Conditional flags (DAOS_COND_DKEY_INSERT/UPDATE,
 * DAOS_COND_AKEY_INSERT/UPDATE or per-akey iod_flags with DAOS_COND_PER_AKEY) are evaluated
 * at \a epoch: -DER_EXIST / -DER_NONEXIST and nothing changes. \a iods_csums (may be NULL):
 * checksums the caller computed; verified against the data (-DER_CSUM) and stored.
 * -DER_NOSPACE if heap or blob is full (nothing changes); -DER_TX_RESTART on a same-epoch
 * conflict (see the header comment) and for epochs at or below the container's aggregated
 * epoch (ci_hae: the history there is gone). The same applies to vos_obj_punch.
 */
int vos_obj_update(daos_handle_t coh, daos_unit_oid_t oid, daos_epoch_t epoch, uint32_t pm_ver,
		   uint64_t flags, daos_key_t *dkey, unsigned int iod_nr, daos_iod_t *iods,
		   struct dcs_iod_csums *iods_csums, d_sg_list_t *sgls);
int vos_obj_update_ex(daos_handle_t coh, daos_unit_oid_t oid, daos_epoch_t epoch, uint32_t pm_ver,
		      uint64_t flags, daos_key_t *dkey, unsigned int iod_nr, daos_iod_t *iods,
		      struct dcs_iod_csums *iods_csums, d_sg_list_t *sgls, struct dtx_handle *dth);

/**
 * Read what is visible at \a epoch. Per iod: iod_size is set to the value size (single) or
 * record size (array), 0 when nothing exists (then no bytes are copied). Single values are
 * copied into sgls[i]; arrays fill sgls[i] with the requested extents in order, holes and
 * never-written records read as zeros. sg_nr_out / iov_len report what was filled. An sgl may
 * be NULL (size query). A single inline value is returned without copy when the sgl's only
 * iov has iov_buf == NULL and iov_buf_len == 0: iov_buf then points into the heap, valid
 * until the caller yields or changes the pool. DAOS_COND_DKEY_FETCH / DAOS_COND_AKEY_FETCH:
 * -DER_NONEXIST when the key does not exist at \a epoch. -DER_REC2BIG: a buffer too small
 * (iod_size still reports the size). -DER_CSUM: a stored checksum does not match.
 */
int vos_obj_fetch(daos_handle_t coh, daos_unit_oid_t oid, daos_epoch_t epoch, uint64_t flags,
		  daos_key_t *dkey, unsigned int iod_nr, daos_iod_t *iods, d_sg_list_t *sgls);
int vos_obj_fetch_ex(daos_handle_t coh, daos_unit_oid_t oid, daos_epoch_t epoch, uint64_t flags,
		     daos_key_t *dkey, unsigned int iod_nr, daos_iod_t *iods, d_sg_list_t *sgls,
		     struct dtx_handle *dth);
/**
 * pdaos: vos_obj_fetch that also reports, per iod, the extents that exist (\a ioms may be
 * NULL, else iod_nr entries; iom_recxs filled up to iom_nr entries, iom_nr_out counts all).
 */
int vos_obj_fetch_iom(daos_handle_t coh, daos_unit_oid_t oid, daos_epoch_t epoch, uint64_t flags,
		      daos_key_t *dkey, unsigned int iod_nr, daos_iod_t *iods, d_sg_list_t *sgls,
		      daos_iom_t *ioms, struct dtx_handle *dth);

/**
 * Punch at \a epoch: the whole object (\a dkey NULL), a dkey (\a akey_nr 0), or \a akey_nr
 * akeys of \a dkey. Punched things read as nonexistent and vanish from enumeration at epochs
 * >= \a epoch; reads below \a epoch are unchanged. DAOS_COND_PUNCH: -DER_NONEXIST unless the
 * target exists at \a epoch. A punch below the latest write of its target (anything written
 * under it at a higher epoch) fails with -DER_TX_RESTART: the caller retries at a newer
 * epoch. VOS_OF_PUNCH_PROPAGATE: a dkey left without visible akeys is punched too (and the
 * object when it has no visible dkey left). Array extents are punched with vos_obj_update
 * (iod_size 0).
 */
int vos_obj_punch(daos_handle_t coh, daos_unit_oid_t oid, daos_epoch_t epoch, uint32_t pm_ver,
		  uint64_t flags, daos_key_t *dkey, unsigned int akey_nr, daos_key_t *akeys,
		  struct dtx_handle *dth);

/**
 * Largest/smallest integer dkey, akey and/or array end at \a epoch (flags: DAOS_GET_MAX or
 * DAOS_GET_MIN with DAOS_GET_DKEY/AKEY/RECX). Keys not queried are inputs. \a recx: the
 * visible extent with the highest (lowest) index. \a max_write (may be NULL): latest epoch
 * written in the object. -DER_NONEXIST when nothing matches, -DER_INVAL for non-integer keys.
 */
int vos_obj_query_key(daos_handle_t coh, daos_unit_oid_t oid, uint32_t flags, daos_epoch_t epoch,
		      daos_key_t *dkey, daos_key_t *akey, daos_recx_t *recx,
		      daos_epoch_t *max_write, unsigned int cell_size, uint64_t stripe_size,
		      struct dtx_handle *dth);

/* ------------------------------------------------------------------------------------------
 * Iterators
 * ------------------------------------------------------------------------------------------ */

/**
 * Prepare an iterator of \a type. Standalone (param->ip_ih invalid): ip_hdl is the pool
 * handle (VOS_ITER_COUUID) or the container handle, with ip_oid / ip_dkey / ip_akey naming
 * the parent. Nested (ip_ih = parent iterator): iterates below the parent's current entry.
 * Objects and keys are returned if they exist at ip_epr.epr_hi (VOS_IT_PUNCHED: also punched
 * ones); SINGLE returns versions with epochs in ip_epr; RECX returns extents with epochs in
 * ip_epr (VOS_IT_RECX_VISIBLE: the parts visible at epr_hi, in offset order).
 */
int vos_iter_prepare(vos_iter_type_t type, vos_iter_param_t *param, daos_handle_t *ih,
		     struct dtx_handle *dth);
int vos_iter_finish(daos_handle_t ih);
/** Position at \a anchor (NULL or zeroed: the first entry). -DER_NONEXIST: nothing there. */
int vos_iter_probe(daos_handle_t ih, daos_anchor_t *anchor);
int vos_iter_probe_ex(daos_handle_t ih, daos_anchor_t *anchor, uint32_t flags);
/** Move on; -DER_NONEXIST at the end. \a anchor (may be NULL) receives the new position. */
int vos_iter_next(daos_handle_t ih, daos_anchor_t *anchor);
int vos_iter_fetch(daos_handle_t ih, vos_iter_entry_t *entry, daos_anchor_t *anchor);
/** Copy the value of a SINGLE/RECX entry (inline or from the blob) into \a iov_out. */
int vos_iter_copy(daos_handle_t ih, vos_iter_entry_t *entry, d_iov_t *iov_out);
/** 1 if the level holds no entry at all (whatever the epoch), 0 if it does. */
int vos_iter_empty(daos_handle_t ih);

/**
 * Walk entries of \a type (and below, if \a recursive) calling \a pre_cb before and \a post_cb
 * after the subtree of each entry. \a anchors (may be NULL) resume a walk; at the end each
 * level's anchor is EOF. A callback returning non-zero stops the walk with that value
 * (-DER_NONEXIST is turned into 0); *acts takes VOS_ITER_CB_* actions.
 */
int vos_iterate(vos_iter_param_t *param, vos_iter_type_t type, bool recursive,
		struct vos_iter_anchors *anchors, vos_iter_cb_t pre_cb, vos_iter_cb_t post_cb,
		void *arg, struct dtx_handle *dth);

/* ------------------------------------------------------------------------------------------
 * Aggregation and garbage collection
 * ------------------------------------------------------------------------------------------ */

/**
 * Remove what no read at a snapshot (vos_cont_snap_add) or at epochs >= \a epr->epr_hi can
 * see, among versions and extents with epochs <= epr_hi: older single-value versions,
 * extents fully covered at every such read point, punched values and keys (handed to GC).
 * What is visible at a snapshot or at epr_hi and above is unchanged. \a yield_func (may be
 * NULL) is called between keys; a non-zero return stops early (returned as is). Frees heap
 * and blob space once the removed records are collected (vos_gc_pool).
 */
int vos_aggregate(daos_handle_t coh, daos_epoch_range_t *epr, int (*yield_func)(void *arg),
		  void *yield_arg, uint32_t flags);

/**
 * Free up to \a credits records (values, keys, objects, containers) waiting in the pool's
 * garbage bins, calling \a yield_func (may be NULL) between steps. Returns 0 when there is
 * nothing left, 1 if work remains, or a negative error.
 */
int vos_gc_pool(daos_handle_t poh, int credits, int (*yield_func)(void *arg), void *yield_arg);
/** True if the pool's garbage bins are empty. */
bool vos_gc_pool_idle(daos_handle_t poh);
/**
 * Collect garbage of every open pool of this process, at most *\a credits records; on return
 * *\a credits holds the unused credits. Returns 0 when every bin is empty, 1 if work remains.
 */
int vos_gc_run(int *credits);

/**
 * One round of background reclamation of pool \a poh: aggregate every container with
 * objects up to \a agg_hi (0: no aggregation; a container already aggregated to agg_hi is
 * skipped), then collect up to \a credits garbage records. \a yield_func (may be NULL) is
 * called between keys and GC steps; a non-zero return ends the round early.
 * Returns 0 when the garbage bins are empty, 1 if GC work remains, or a negative error.
 */
int vos_pool_reclaim(daos_handle_t poh, daos_epoch_t agg_hi, int credits,
		     int (*yield_func)(void *arg), void *yield_arg);

#if defined(__cplusplus)
}
#endif

#endif /* __VOS_API_H__ */
