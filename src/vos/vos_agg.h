/**
 * Aggregation internals shared by vos_aggregate.c (the walk) and vos_agg_blob.c (merging
 * array extents whose data is in the blob or has checksums, outside the walk's transactions).
 */
#ifndef __VOS_AGG_H__
#define __VOS_AGG_H__

#include "vos_internal.h"

/* Runs (visible pieces joined) larger than this are left whole: bounds the buffer of a merge. */
#define VOS_AGG_RUN_MAX (1U << 20)
/* Bytes merged per akey per vos_aggregate call; what is left is merged by the next call. */
#define VOS_AGG_AKEY_MAX (4U << 20)

/* An akey queued for the blob merge: where to find it again (the walk may change the trees). */
struct vos_agg_bkey {
	daos_unit_oid_t bk_oid;
	d_iov_t bk_dkey;
	d_iov_t bk_akey;
};

/* Akeys waiting for the blob merge, and its counters. */
struct vos_agg_bq {
	struct vos_container *bq_cont;
	daos_epoch_t bq_hi;
	/* first epoch only reads at bq_hi (and later) need: last snapshot below hi + 1 */
	daos_epoch_t bq_lo;
	struct vos_agg_bkey *bq_keys;
	uint32_t bq_nr;
	uint32_t bq_max;
	/* akeys merged, skipped (changed meanwhile or bad checksum), bytes rewritten */
	uint64_t bq_merged;
	uint64_t bq_skipped;
	uint64_t bq_bytes;
};

/* Queue an akey (copies the keys). */
int vos_agg_bq_add(struct vos_agg_bq *bq, daos_unit_oid_t oid, struct vos_krec_df *dkrec,
		   struct vos_krec_df *akrec);
/*
 * Merge every queued akey and empty the queue. Blob reads and writes yield: call it where no
 * tree iterator of the walk is in use. An akey that changed between its reads and its
 * transaction is skipped (its reservation cancelled) until the next call.
 */
int vos_agg_bq_run(struct vos_agg_bq *bq);
void vos_agg_bq_fini(struct vos_agg_bq *bq);

/* Test hook: called between a merge's reads/writes and its transaction (NULL: none). */
typedef void (*vos_agg_blob_hook_t)(void *arg);
void vos_agg_blob_hook_set(vos_agg_blob_hook_t hook, void *arg);

#endif /* __VOS_AGG_H__ */
