/**
 * VOS internals: persistent record layouts in the heap, DRAM handles, tree classes.
 * Layout overview: README.md in this folder.
 */
#ifndef __VOS_INTERNAL_H__
#define __VOS_INTERNAL_H__

#include <gurt/common.h>
#include <gurt/list.h>
#include <daos/mem.h>
#include <daos/btree.h>
#include <daos_srv/bio.h>
#include <daos_srv/vea.h>
#include <daos_srv/evtree.h>
#include <daos_srv/vos.h>
#include <daos_srv/ult.h>

#define VOS_POOL_MAGIC 0x564f5331 /* "VOS1" */
/*
 * Layout version. 2: one inline ilog entry (was two); the first version of a single value
 * hangs off its akey record without a tree (KREC_BF_SV1); keys of dkeys and single-value
 * akeys follow the btree root (KREC_BF_SHORT).
 * Pools of an older layout are refused at open (-DER_DF_INCOMPT).
 */
#define VOS_POOL_VERSION   2
#define VOS_BLK_SZ         4096
#define VOS_BLOB_HDR_BLKS  1
#define VOS_INLINE_DEFAULT 4096
/* blob values up to this size are also carried in the heap log (no blob fdatasync) */
#define VOS_WAL_DATA_DEFAULT (16U << 10)
#define VOS_BTR_ORDER        32
#define VOS_SV_ORDER         16
#define VOS_EVT_ORDER        EVT_ORDER_DEFAULT

/* Tree classes of VOS (DBTREE_VOS_BEGIN range). */
enum {
	VOS_BTR_CONT = DBTREE_VOS_BEGIN,         /* containers by UUID */
	VOS_BTR_OBJ = DBTREE_VOS_BEGIN + 1,      /* objects by daos_unit_oid_t */
	VOS_BTR_KEY_HASH = DBTREE_VOS_BEGIN + 2, /* dkeys/akeys: hashed order */
	VOS_BTR_KEY_LEX = DBTREE_VOS_BEGIN + 3,  /* dkeys/akeys: lexical order */
	VOS_BTR_KEY_UINT = DBTREE_VOS_BEGIN + 4, /* dkeys/akeys: uint64 order */
	VOS_BTR_SV = DBTREE_VOS_BEGIN + 5,       /* versions of a single value by epoch */
};

/* ---------------------------------------------------------------------------------------
 * Incarnation log: when an object or key was created (written) and punched, by epoch.
 * A key exists at epoch E if its newest create <= E is newer than every punch <= E of
 * itself and of its parents. Sorted by epoch; one entry inline (a key written and never
 * punched, the common case), more in one heap array.
 * --------------------------------------------------------------------------------------- */
struct vos_ilog_ent {
	uint64_t ie_epoch;
	uint16_t ie_minor;
	uint16_t ie_punch;
	uint32_t ie_pad;
};

#define VOS_ILOG_INLINE 1

struct vos_ilog_df {
	uint32_t il_nr;
	uint32_t il_cap;
	/* heap array of il_cap entries when il_nr > VOS_ILOG_INLINE */
	umem_off_t il_ext;
	struct vos_ilog_ent il_inl[VOS_ILOG_INLINE];
};

/* Result of evaluating an ilog at an epoch. */
struct vos_ilog_info {
	/* newest create <= E (0: none) */
	daos_epoch_t ii_create;
	/* newest punch <= E of the key or its parents (0: none) */
	daos_epoch_t ii_punch;
	/* newest entry of any kind, any epoch */
	daos_epoch_t ii_latest;
	bool ii_exists;
};

/* ---------------------------------------------------------------------------------------
 * Persistent records
 * --------------------------------------------------------------------------------------- */

/* GC bin entry: a record whose subtree and body are still to be freed. */
enum vos_gc_type {
	VOS_GC_CONT = 1,
	VOS_GC_OBJ,
	VOS_GC_DKEY,
	VOS_GC_AKEY,
};

struct vos_gc_item_df {
	umem_off_t gi_next;
	umem_off_t gi_rec;
	uint32_t gi_type;
	uint32_t gi_pad;
};

struct vos_pool_df {
	uint32_t pd_magic;
	uint32_t pd_version;
	uuid_t pd_id;
	uint64_t pd_scm_sz;
	uint64_t pd_nvme_sz;
	uint32_t pd_inline_thresh;
	uint32_t pd_flags;
	uint64_t pd_cont_nr;
	/* GC bin (LIFO): items and their count */
	umem_off_t pd_gc_head;
	uint64_t pd_gc_nr;
	struct btr_root pd_cont_root;
	struct vea_space_df pd_vea_df;
	struct vea_hint_df pd_vea_hint;
	uint64_t pd_reserved[8];
};

struct vos_cont_df {
	uuid_t cd_id;
	uint64_t cd_nobjs;
	uint64_t cd_used;
	daos_epoch_t cd_hae;
	/* sorted snapshot epochs: heap array of cd_snap_cap entries */
	umem_off_t cd_snaps;
	uint32_t cd_snap_nr;
	uint32_t cd_snap_cap;
	uint16_t cd_csum_type;
	uint16_t cd_csum_len;
	uint32_t cd_csum_chunk;
	struct btr_root cd_obj_root;
};

struct vos_obj_df {
	daos_unit_oid_t vo_id;
	daos_epoch_t vo_latest;
	struct vos_ilog_df vo_ilog;
	struct btr_root vo_tree;
};

/* kr_bmap bits */
#define KREC_BF_BTR  (1 << 0) /* kr_btr holds a tree: akeys (dkey) or versions (SV akey) */
#define KREC_BF_EVT  (1 << 1) /* kr_evt holds the extents of an array akey */
#define KREC_BF_DKEY (1 << 2)
/*
 * Single-value akey with exactly one version and no tree yet: kr_sv1 is that version's
 * vos_irec_df. Saves the tree's root leaf for the common "written once" key; the second
 * version turns it into a VOS_BTR_SV tree. Set only while kr_btr.tr_class is 0.
 */
#define KREC_BF_SV1 (1 << 3)
/*
 * The key bytes follow kr_btr (VOS_KREC_SHORT_SZ) instead of the larger kr_evt: set at creation
 * for records that can never hold an evtree (dkeys, single-value akeys); an akey made by a
 * punch has no type yet and gets the full size.
 */
#define KREC_BF_SHORT (1 << 4)

/* A dkey or akey record; the key bytes follow. */
struct vos_krec_df {
	uint8_t kr_bmap;
	uint8_t kr_pad[3];
	uint32_t kr_size;
	daos_epoch_t kr_latest;
	struct vos_ilog_df kr_ilog;
	union {
		struct btr_root kr_btr;
		struct evt_root kr_evt;
		/* KREC_BF_SV1 (overlays tr_node_size..tr_pad_16: tr_class stays 0) */
		umem_off_t kr_sv1;
	};
	/* then the key bytes, at vos_krec_key() */
};

#define VOS_KREC_SHORT_SZ (offsetof(struct vos_krec_df, kr_btr) + sizeof(struct btr_root))

/* bytes of a key record before its key */
static inline size_t
vos_krec_hdr_size(uint8_t bmap)
{
	return (bmap & KREC_BF_SHORT) ? VOS_KREC_SHORT_SZ : sizeof(struct vos_krec_df);
}

static inline char *
vos_krec_key(struct vos_krec_df *krec)
{
	return (char *)krec + vos_krec_hdr_size(krec->kr_bmap);
}

/* One version of a single value; the checksum (ir_cs_len bytes) then inline data follow. */
struct vos_irec_df {
	daos_epoch_t ir_epoch;
	uint64_t ir_size;
	bio_addr_t ir_addr;
	uint32_t ir_ver;
	uint16_t ir_minor;
	uint16_t ir_cs_type;
	uint16_t ir_cs_len;
	uint16_t ir_pad[3];
	char ir_body[0];
};

/* Inline data of a version: after the record, or (large values) in a block of its own. */
static inline char *
vos_irec_data(struct umem_instance *umm, struct vos_irec_df *irec)
{
	return umem_off2ptr(umm, irec->ir_addr.ba_off);
}

/* Values at least this big get their own heap block (page runs: no header spill-over). */
#define VOS_IREC_SPLIT 3584

/* Key of the SV tree (hkey): epoch, then minor epoch. */
struct vos_sv_key {
	uint64_t sk_epoch;
	uint64_t sk_minor;
};

/* ---------------------------------------------------------------------------------------
 * DRAM
 * --------------------------------------------------------------------------------------- */
enum { VOS_HDL_POOL = 1, VOS_HDL_CONT, VOS_HDL_ITER };

struct vos_pool {
	d_list_t vp_link;
	uint64_t vp_cookie;
	uuid_t vp_id;
	struct umem_pool *vp_upool;
	struct umem_instance vp_umm;
	struct umem_attr vp_uma;
	struct vos_pool_df *vp_df;
	daos_handle_t vp_cont_th;
	struct bio_blob *vp_blob;
	/* the blob again, O_DIRECT: large values skip the blob fdatasync (vos_io.c, NULL: off) */
	struct bio_blob *vp_dblob;
	void *vp_bounce; /* spare aligned buffer for vp_dblob writes */
	size_t vp_bounce_sz;
	/* large values: page cache + writeback (sync_file_range), no fdatasync (vos_io.c) */
	bool vp_blob_wb;
	struct bio_ring *vp_ring;
	/* poller of vp_ring on the xstream that opened the pool (ULT callers park on I/O) */
	struct ult_poller *vp_poller;
	struct vea_space_info *vp_vsi;
	struct vea_hint_context *vp_hint;
	uint32_t vp_inline_thresh;
	/* blob values up to this size travel in the heap's log as redo (0: never), see vos_io.c */
	uint32_t vp_wal_data_max;
	bool vp_blob_flush;
	bool vp_blob_logged; /* the heap was opened with the blob as its side file */
	d_list_t vp_conts;
	struct vos_gc_stat vp_gc_stat;
	daos_size_t vp_space_sys[DAOS_MEDIA_MAX];
	/* open iterators over the container tree */
	int vp_iters;
	struct vos_pool_op_stat vp_ops;
};

/* Value bytes an update or fetch of \a iods moves (whole extents, holes included). */
static inline uint64_t
vos_iods_bytes(unsigned int nr, const daos_iod_t *iods)
{
	uint64_t bytes = 0;
	unsigned int i, j;

	for (i = 0; i < nr; i++) {
		if (iods[i].iod_type == DAOS_IOD_SINGLE) {
			bytes += iods[i].iod_size;
			continue;
		}
		for (j = 0; j < iods[i].iod_nr; j++)
			bytes += iods[i].iod_recxs[j].rx_nr * iods[i].iod_size;
	}
	return bytes;
}

struct vos_container {
	d_list_t vc_link;
	uint64_t vc_cookie;
	struct vos_pool *vc_pool;
	struct vos_cont_df *vc_df;
	daos_handle_t vc_obj_th;
	/* open iterators: the container cannot be closed under them */
	int vc_iters;
};

/* vos_hdl.c: handle table (cookies that are safe to look up when stale or garbage) */
int vos_hdl_register(void *ptr, int type, uint64_t *cookie);
void *vos_hdl_lookup(uint64_t cookie, int type);
void vos_hdl_unregister(uint64_t cookie);

static inline struct vos_pool *
vos_hdl2pool(daos_handle_t poh)
{
	return vos_hdl_lookup(poh.cookie, VOS_HDL_POOL);
}

static inline struct vos_container *
vos_hdl2cont(daos_handle_t coh)
{
	return vos_hdl_lookup(coh.cookie, VOS_HDL_CONT);
}

static inline struct umem_instance *
vos_pool2umm(struct vos_pool *pool)
{
	return &pool->vp_umm;
}

static inline struct umem_instance *
vos_cont2umm(struct vos_container *cont)
{
	return &cont->vc_pool->vp_umm;
}

/* vos_tree.c */
int vos_tree_init(void);
/* open the tree embedded in \a root, with the pool as tree private data */
int vos_btr_open(struct vos_pool *pool, struct btr_root *root, daos_handle_t *toh);
int vos_btr_create(struct vos_pool *pool, unsigned int class, uint64_t feats, unsigned int order,
		   struct btr_root *root, daos_handle_t *toh);
int vos_evt_open(struct vos_pool *pool, struct evt_root *root, daos_handle_t *toh);
int vos_evt_create(struct vos_pool *pool, struct evt_root *root, daos_handle_t *toh);
/* key tree class for dkeys/akeys of an object of \a oid's type */
unsigned int vos_key_class(daos_unit_oid_t oid, bool dkey, uint64_t *feats);
/* free the storage behind \a addr (\a len bytes) in the running tx */
int vos_addr_free(struct vos_pool *pool, bio_addr_t *addr, daos_size_t len);

/* vos_ilog.c */
void vos_ilog_eval(struct umem_instance *umm, struct vos_ilog_df *ilog, daos_epoch_t epoch,
		   daos_epoch_t parent_punch, struct vos_ilog_info *info);
/* record a create (write) at \a epoch if the key is not visible there */
int vos_ilog_update(struct umem_instance *umm, struct vos_ilog_df *ilog, daos_epoch_t epoch,
		    daos_epoch_t parent_punch);
int vos_ilog_punch(struct umem_instance *umm, struct vos_ilog_df *ilog, daos_epoch_t epoch);
void vos_ilog_free(struct umem_instance *umm, struct vos_ilog_df *ilog);
/* drop entries no read at a snapshot or >= \a hi needs */
int vos_ilog_aggregate(struct umem_instance *umm, struct vos_ilog_df *ilog, daos_epoch_t hi,
		       const daos_epoch_t *snaps, uint32_t snap_nr, daos_epoch_t parent_punch,
		       bool *removable);

/* vos_gc.c */
int vos_gc_push(struct vos_pool *pool, enum vos_gc_type type, umem_off_t rec);
/* collect garbage with at most *credits records freed; 1: more left, 0: bin empty */
int vos_gc_pool_credits(struct vos_pool *pool, int *credits);

/* vos_obj.c: object and key records */
int vos_obj_lookup(struct vos_container *cont, daos_unit_oid_t oid, struct vos_obj_df **objp);
int vos_obj_find_or_create(struct vos_container *cont, daos_unit_oid_t oid,
			   struct vos_obj_df **objp);
/* look up \a key in the tree \a toh; *krecp NULL (rc 0) if absent */
int vos_key_lookup(daos_handle_t toh, daos_key_t *key, struct vos_krec_df **krecp);
int vos_key_find_or_create(struct vos_pool *pool, daos_handle_t toh, daos_key_t *key, uint8_t bmap,
			   struct vos_krec_df **krecp, bool *created);
/* open (creating on demand when \a create) the subtree of a dkey/object */
int vos_obj_tree_open(struct vos_container *cont, struct vos_obj_df *obj, daos_unit_oid_t oid,
		      bool create, daos_handle_t *toh);
int vos_dkey_tree_open(struct vos_container *cont, struct vos_krec_df *dkrec, daos_unit_oid_t oid,
		       bool create, daos_handle_t *toh);

int vos_sv_tree_open(struct vos_pool *pool, struct vos_krec_df *akrec, bool create,
		     daos_handle_t *toh);
/* free the lone version of a KREC_BF_SV1 akey (and its data) in the running tx */
int vos_sv1_free(struct vos_pool *pool, struct vos_krec_df *akrec);
/* free version \a off (record, inline block or blob extent) in the running tx */
int vos_irec_free(struct vos_pool *pool, umem_off_t off);
int vos_array_open(struct vos_pool *pool, struct vos_krec_df *akrec, bool create,
		   daos_handle_t *toh);

/* vos_io.c */
struct vos_bio_io {
	struct bio_req bi_req;
	d_sg_list_t bi_sgl;
	d_iov_t bi_iov;
	d_iov_t *bi_iovs;
};

uint64_t vos_sgl_bytes(d_sg_list_t *sgl, bool capacity);
void vos_sgl_gather(d_sg_list_t *sgl, uint64_t off, void *dst, uint64_t len);
void vos_sgl_scatter(d_sg_list_t *sgl, uint64_t off, const void *src, uint64_t len);
void vos_sgl_set_out(d_sg_list_t *sgl, uint64_t total);
int vos_bio_view(struct vos_bio_io *io, d_sg_list_t *sgl, uint64_t off, uint64_t len, bool read);
void vos_bio_fini(struct vos_bio_io *ios, int nr);
int vos_bio_run(struct vos_pool *pool, struct vos_bio_io *ios, int nr, enum bio_op op);
int vos_csum_sgl(uint16_t type, d_sg_list_t *sgl, uint64_t off, uint64_t len, uint8_t *out);
int vos_data_read(struct vos_pool *pool, bio_addr_t *addr, uint64_t off, void *buf, size_t len);

/* vos_csum.c */
int vos_csum_len(uint16_t type);
int vos_csum_compute(uint16_t type, const void *buf, size_t len, uint8_t *out);

/* vos_iter.c: vos_iterate helpers used by aggregation */
#endif /* __VOS_INTERNAL_H__ */
