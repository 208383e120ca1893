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
 * akeys follow the btree root (KREC_BF_SHORT). 3: 11-byte ilog (the inline entry shares its
 * field with the array address), 24-byte key record header; a lone version without checksum or trailing data lives inside
 * its akey record (KREC_BF_SVI); 40-byte vos_irec_df.
 * Pools of an older layout are refused at open (-DER_DF_INCOMPT).
 */
#define VOS_POOL_VERSION   3
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

/* An entry of the heap array. */
struct vos_ilog_ent {
	uint64_t ie_epoch;
	uint16_t ie_minor;
	uint16_t ie_punch;
	uint32_t ie_pad;
};

/* il_flags: the inline entry's kind, and log2 of the heap array's capacity */
#define VOS_ILOG_PUNCH     (1 << 0) /* the inline entry is a punch */
#define VOS_ILOG_CAP_SHIFT 1
#define VOS_ILOG_CAP_MAX   (1U << 15) /* il_nr is 16 bits */

/*
 * 11 bytes (layout 3; was 32): the inline entry and the array address share il_val, so a key
 * with one entry pays no array field. Capacity log 0 (il_flags >> VOS_ILOG_CAP_SHIFT): at
 * most one entry, inline (il_val is its epoch, VOS_ILOG_PUNCH its kind; its minor epoch is 0);
 * else il_val is the offset of an array of 1 << log entries. Packed so that a key record's
 * flags and key size fit after it in the same 8 bytes.
 */
struct vos_ilog_df {
	uint64_t il_val;
	uint16_t il_nr;
	uint8_t il_flags;
} __attribute__((packed));

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
/*
 * With KREC_BF_SV1: the lone version's vos_irec_df is kr_btr itself (no allocation of its
 * own; kr_btr.tr_class is then not 0, test the flags). Only for versions with no checksum
 * and no data after the record (blob values, inline values in a block of their own).
 */
#define KREC_BF_SVI (1 << 5)
/*
 * Dkey with exactly one akey and no akey tree yet: kr_ak1 is that akey's record (overlays the
 * first 8 bytes of kr_btr: tr_class stays 0). The second akey creates the tree and inserts
 * both. Saves the akey tree's root leaf of a dkey written with one akey. Use vos_akeys_*().
 */
#define KREC_BF_AK1 (1 << 6)

/* A dkey or akey record; the key bytes follow. A 24-byte header before the tree root. */
struct vos_krec_df {
	daos_epoch_t kr_latest;
	struct vos_ilog_df kr_ilog;
	uint8_t kr_bmap;
	uint32_t kr_size;
	union {
		struct btr_root kr_btr;
		struct evt_root kr_evt;
		/* KREC_BF_SV1 without KREC_BF_SVI (overlays tr_node_size..tr_pad_16) */
		umem_off_t kr_sv1;
		/* KREC_BF_AK1 (a dkey) */
		umem_off_t kr_ak1;
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

/*
 * One version of a single value; the checksum (ir_cs_len bytes) then inline data follow.
 * 40 bytes, the size of a btr_root: a KREC_BF_SVI akey holds its lone version in kr_btr.
 */
struct vos_irec_df {
	daos_epoch_t ir_epoch;
	uint64_t ir_size;
	bio_addr_t ir_addr;
	uint32_t ir_ver;
	uint16_t ir_minor;
	uint8_t ir_cs_type;
	uint8_t ir_cs_len;
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

_Static_assert(sizeof(struct vos_ilog_df) == 11, "ilog is 11 bytes in layout 3");
_Static_assert(offsetof(struct vos_krec_df, kr_btr) == 24, "key record header: 24 + tree root");
_Static_assert(sizeof(struct vos_irec_df) == sizeof(struct btr_root),
	       "an embedded lone version fills kr_btr exactly");

/* The lone version of a KREC_BF_SV1 akey (inside the record with KREC_BF_SVI). */
static inline struct vos_irec_df *
vos_sv1_irec(struct umem_instance *umm, struct vos_krec_df *akrec)
{
	D_ASSERT(akrec->kr_bmap & KREC_BF_SV1);
	if (akrec->kr_bmap & KREC_BF_SVI)
		return (struct vos_irec_df *)&akrec->kr_btr;
	return umem_off2ptr(umm, akrec->kr_sv1);
}

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

/*
 * Object cache (vos_ocache.c): recently used objects of a container with their open dkey
 * tree, so that update and fetch skip the object index descent and the tree open/close.
 * An entry is only made for an object record and dkey tree that exist outside any running
 * transaction (an abort cannot take them back); the object index's rec_free drops it.
 */
#define VOS_OC_NR 8

enum {
	VOS_OC_VALID = (1 << 0),
	/* lent to an operation (which may yield): no other operation uses it meanwhile */
	VOS_OC_BUSY = (1 << 1),
	/* the object left the index while lent: the borrower closes it on return */
	VOS_OC_DEAD = (1 << 2),
};

struct vos_oc_ent {
	daos_unit_oid_t oe_oid;
	struct vos_obj_df *oe_obj;
	daos_handle_t oe_toh; /* the object's dkey tree */
	uint64_t oe_used;     /* LRU clock */
	uint32_t oe_flags;
};

struct vos_container {
	d_list_t vc_link;
	uint64_t vc_cookie;
	struct vos_pool *vc_pool;
	struct vos_cont_df *vc_df;
	daos_handle_t vc_obj_th;
	/* open iterators: the container cannot be closed under them */
	int vc_iters;
	struct vos_oc_ent vc_oc[VOS_OC_NR];
	uint64_t vc_oc_clock;
	uint64_t vc_oc_hits;
	uint64_t vc_oc_misses;
};

/* vos_ocache.c */
/* borrow the entry of \a oid (NULL: miss); give it back with vos_oc_put() */
struct vos_oc_ent *vos_oc_get(struct vos_container *cont, daos_unit_oid_t oid);
/*
 * End of an operation on \a oid: return the borrowed \a ent, or (ent NULL) keep \a obj and
 * its dkey tree \a toh if \a keep and a slot is free, else close \a toh.
 */
void vos_oc_put(struct vos_container *cont, struct vos_oc_ent *ent, daos_unit_oid_t oid,
		struct vos_obj_df *obj, daos_handle_t toh, bool keep);
/* \a obj leaves the object index of a container of \a pool */
void vos_oc_evict(struct vos_pool *pool, struct vos_obj_df *obj);
/* close all entries (container close) */
void vos_oc_fini(struct vos_container *cont);

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

/*
 * The akeys of a dkey: its akey tree, or the one akey linked from the record (KREC_BF_AK1).
 * Open, use, close; all changes run in the caller's transaction.
 */
struct vos_akeys {
	struct vos_pool *ak_pool;
	struct vos_krec_df *ak_dkrec;
	unsigned int ak_cls;
	uint64_t ak_feats;
	/* the akey tree, if the dkey has one */
	daos_handle_t ak_toh;
};

/* -DER_NONEXIST if the dkey has no akey and !create */
int vos_akeys_open(struct vos_container *cont, struct vos_krec_df *dkrec, daos_unit_oid_t oid,
		   bool create, struct vos_akeys *ak);
void vos_akeys_close(struct vos_akeys *ak);
/* *krecp NULL (rc 0) if absent */
int vos_akeys_lookup(struct vos_akeys *ak, daos_key_t *key, struct vos_krec_df **krecp);
/* the second akey of a KREC_BF_AK1 dkey builds the tree */
int vos_akeys_find_or_create(struct vos_akeys *ak, daos_key_t *key, uint8_t bmap,
			     struct vos_krec_df **krecp, bool *created);
/* dbtree_iterate() over the akeys; the lone akey's callback gets ih = DAOS_HDL_INVAL */
int vos_akeys_iterate(struct vos_akeys *ak, uint32_t intent, dbtree_iterate_cb_t cb, void *arg);
/* delete the akey the callback of vos_akeys_iterate() was called for (to the GC bin) */
int vos_akeys_iter_delete(struct vos_akeys *ak, daos_handle_t ih);
bool vos_akeys_empty(struct vos_akeys *ak);
/* position of the lone akey \a krec relative to a probe key or anchor of the class \a cls
 * (<0, 0, >0), and its anchor: what the akey tree would say */
int vos_key_anchor_cmp(unsigned int cls, struct vos_krec_df *krec, d_iov_t *key,
		       daos_anchor_t *anchor);
void vos_key_anchor_set(unsigned int cls, struct vos_krec_df *krec, daos_anchor_t *anchor);

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
/* ci->cs_csum sized for the chunks of \a chunk bytes covering bytes [lo, hi) (hi > lo) */
int vos_csum_info_alloc(struct dcs_csum_info *ci, uint16_t type, uint32_t chunk, uint64_t lo,
			uint64_t hi);

/* vos_iter.c: vos_iterate helpers used by aggregation */
#endif /* __VOS_INTERNAL_H__ */
