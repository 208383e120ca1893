/**
 * vea: the versioned extent allocator of a data blob (names follow DAOS's daos_srv/vea.h).
 *
 * Free extents are kept persistently in the umem heap (slots changed inside the caller's
 * transaction) and mirrored in DRAM: a "transient" free index (by offset and by size) that
 * reservations draw from, and a copy of the persistent set used to publish and free.
 * Reserve/cancel are DRAM only; publish and free change the heap in the caller's transaction;
 * freed space becomes reservable only once that transaction committed. When publish or free
 * fail inside a caller's transaction, the caller must abort that transaction.
 */
#ifndef __VEA_API_H__
#define __VEA_API_H__

#include <stdbool.h>
#include <stdint.h>
#include <gurt/list.h>
#include <daos/mem.h>

#if defined(__cplusplus)
extern "C" {
#endif

/** Common free extent record (used by queries and tests). */
struct vea_free_extent {
	uint64_t vfe_blk_off;
	uint32_t vfe_blk_cnt;
	uint32_t vfe_flags;
	uint64_t vfe_age;
};

/** A reserved extent, linked on the caller's reservation list. */
struct vea_resrvd_ext {
	d_list_t vre_link;
	uint64_t vre_blk_off;
	/** hint offset before this reservation (for rewinding on cancel) */
	uint64_t vre_hint_off;
	/** hint sequence of this reservation */
	uint64_t vre_hint_seq;
	uint32_t vre_blk_cnt;
	uint32_t vre_pad;
};

/** Per-I/O-stream hint kept by the caller in the heap; initialise both fields to 0. */
struct vea_hint_df {
	uint64_t vhd_off;
	uint64_t vhd_seq;
};

struct vea_hint_context;

/** Optional TRIM of freed extents (byte offset and length), called after commit. */
struct vea_unmap_context {
	int (*vnc_unmap)(uint64_t off, uint64_t cnt, void *data);
	void *vnc_data;
};

/** Space tracking root, embedded by the caller in its heap (e.g. the VOS pool root). */
struct vea_space_df {
	uint32_t vsd_magic;
	uint32_t vsd_compat;
	uint32_t vsd_blk_sz;
	uint32_t vsd_hdr_blks;
	uint64_t vsd_tot_blks;
	/** first chunk of free-extent slots (umem offset) */
	uint64_t vsd_chunks;
	uint64_t vsd_reserved[4];
};

struct vea_attr {
	uint32_t va_compat;
	uint32_t va_blk_sz;
	uint32_t va_hdr_blks;
	uint32_t va_large_thresh;
	uint64_t va_tot_blks;
	uint64_t va_free_blks;
};

struct vea_stat {
	uint64_t vs_free_persistent; /**< free blocks recorded in the heap */
	uint64_t vs_free_transient;  /**< free blocks reservable now */
	uint64_t vs_large_frags;     /**< transient free extents >= va_large_thresh */
	uint64_t vs_small_frags;     /**< transient free extents < va_large_thresh */
	uint64_t vs_resrv_hint;      /**< reservations served from the hint */
	uint64_t vs_resrv_large;     /**< reservations served by best fit, large extent */
	uint64_t vs_resrv_small;     /**< reservations served by best fit, small extent */
	uint64_t vs_resrv_vec;       /**< always 0: no vector reservations */
	uint32_t vs_largest_blks;    /**< largest transient free extent (capped at UINT32_MAX) */
	uint32_t vs_pad;
	uint64_t vs_persist_frags; /**< persistent free extents */
};

struct vea_space_info;

typedef int (*vea_format_callback_t)(void *cb_data, struct umem_instance *umem);

/**
 * Initialise \a md (inside \a umem's heap) for a device of \a capacity bytes whose first
 * \a hdr_blks blocks are reserved. Runs in the caller's transaction or its own.
 * -DER_EXIST if \a md is already formatted and \a force is false.
 */
int vea_format(struct umem_instance *umem, struct umem_tx_stage_data *txd, struct vea_space_df *md,
	       uint32_t blk_sz, uint32_t hdr_blks, uint64_t capacity, vea_format_callback_t cb,
	       void *cb_data, bool force);
/** Build the DRAM indexes from \a md. */
int vea_load(struct umem_instance *umem, struct umem_tx_stage_data *txd, struct vea_space_df *md,
	     struct vea_unmap_context *unmap_ctxt, struct vea_space_info **vsip);
void vea_unload(struct vea_space_info *vsi);

int vea_hint_load(struct vea_hint_df *phd, struct vea_hint_context **thc);
void vea_hint_unload(struct vea_hint_context *thc);

/** Reserve \a blk_cnt contiguous blocks (DRAM only); -DER_NOSPACE if no extent fits. */
int vea_reserve(struct vea_space_info *vsi, uint32_t blk_cnt, struct vea_hint_context *hint,
		d_list_t *resrvd_list);
/** Return reserved extents to the free index and free the list entries. */
int vea_cancel(struct vea_space_info *vsi, struct vea_hint_context *hint, d_list_t *resrvd_list);
/**
 * Make reservations persistent in the caller's running transaction (or a transaction of its
 * own) and free the list entries. If the transaction aborts, the extents are free again.
 */
int vea_tx_publish(struct vea_space_info *vsi, struct vea_hint_context *hint,
		   d_list_t *resrvd_list);
/**
 * Free an allocated extent in the caller's transaction (or one of its own). The space is
 * reservable only after that transaction commits. -DER_INVAL for a range not allocated.
 */
int vea_free(struct vea_space_info *vsi, uint64_t blk_off, uint32_t blk_cnt);
int vea_query(struct vea_space_info *vsi, struct vea_attr *attr, struct vea_stat *stat);
/** Visit persistent free extents in offset order (stops on a non-zero return). */
int vea_enumerate_free(struct vea_space_info *vsi, int (*cb)(void *arg, struct vea_free_extent *e),
		       void *arg);
/** No aging buffer here: frees are final at commit. Kept for API compatibility. */
void vea_flush(struct vea_space_info *vsi, bool plug);

#if defined(__cplusplus)
}
#endif

#endif /* __VEA_API_H__ */
