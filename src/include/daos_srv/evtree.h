/**
 * evtree: the extent/epoch index VOS keeps for every array value (akey of type array).
 *
 * Each record is a rectangle: an extent of record indexes [ex_lo, ex_hi] (inclusive) times the
 * epoch range [rc_epc, infinity), ordered within one epoch by rc_minor_epc. The tree is an
 * R-tree whose nodes live in a umem heap; leaves point at a descriptor (struct evt_desc) that
 * holds the data address, the pool map version and the checksums of the extent.
 *
 * Visibility at epoch E: a record index is served by the extent with the highest
 * (epoch, minor epoch) <= E containing it; when that extent is a hole (a punch, inserted with
 * ei_inob == 0 or a hole address) the index reads as a hole. Names and semantics follow DAOS
 * (src/include/daos_srv/evtree.h); differences are listed in docs/evtree.md.
 *
 * All changes run inside the caller's umem transaction, or in their own when called outside
 * one. Handles are validated: a stale or garbage handle gives -DER_NO_HDL.
 */
#ifndef __DAOS_EV_TREE_H__
#define __DAOS_EV_TREE_H__

#include <stdbool.h>
#include <stdint.h>

#include <daos_types.h>
#include <daos/checksum.h>
#include <daos/mem.h>
#include <daos_srv/bio.h>
#include <gurt/common.h>
#include <gurt/list.h>

#if defined(__cplusplus)
extern "C" {
#endif

/** Tree order bounds (entries per node) */
#define EVT_MIN_ORDER 4
#define EVT_MAX_ORDER 128

enum {
	EVT_ORDER_MIN = EVT_MIN_ORDER,
	EVT_ORDER_MAX = EVT_MAX_ORDER,
};

/** Default order for callers without an opinion (VOS uses 23 upstream; we pick 32). */
#define EVT_ORDER_DEFAULT 32

/** umem type numbers of evtree objects (informational: the heap ignores them) */
enum {
	EVT_UMEM_TYPE = 150,
	EVT_UMEM_ROOT = (EVT_UMEM_TYPE + 0),
	EVT_UMEM_NODE = (EVT_UMEM_TYPE + 1),
	EVT_UMEM_DESC = (EVT_UMEM_TYPE + 2),
};

/** Highest minor epoch: an entry with it is newer than every other entry of its epoch. */
#define EVT_MINOR_EPC_MAX ((uint16_t)-1)

/**
 * Persistent descriptor of one leaf record (allocated per inserted extent). The checksum
 * buffer (dc_csum_nr * dc_csum_len bytes) follows it in the same allocation.
 */
struct evt_desc {
	/** data address in the heap (SCM) or the blob (NVMe); hole flag for punches */
	bio_addr_t dc_ex_addr;
	/** pool map version of the write */
	uint32_t dc_ver;
	/** EVT_DESC_MAGIC while live */
	uint32_t dc_magic;
	/** owner DTX entry (reserved for VOS, 0 if unused) */
	umem_off_t dc_dtx;
	/** number of checksums in pt_csum */
	uint32_t dc_csum_nr;
	/** bytes per checksum */
	uint16_t dc_csum_len;
	/** checksum type (enum DAOS_CSUM_TYPE) */
	uint16_t dc_csum_type;
	/** bytes of data per checksum */
	uint32_t dc_csum_chunk;
	uint32_t dc_pad;
	/** checksum buffer */
	uint8_t pt_csum[0];
};

#define EVT_DESC_MAGIC 0xbeefdead

/**
 * Callbacks into the owner (VOS). The tree never allocates data space, so it frees it through
 * dc_bio_free_cb, called once for every data (non-hole) record removed by evt_destroy and
 * evt_drain (not by evt_delete/evt_iter_delete, which hand the record back to the caller).
 * \a nob is the number of data bytes (extent width * inob). All callbacks are optional.
 */
struct evt_desc_cbs {
	int (*dc_bio_free_cb)(struct umem_instance *umm, struct evt_desc *desc, daos_size_t nob,
			      void *args);
	void *dc_bio_free_args;
	/**
	 * Availability check of a record (DTX). Return 0 (available), a positive value
	 * (not available: the record is skipped by find and iteration) or a negative error,
	 * which is returned to the caller of find/iteration. \a intent is passed through.
	 */
	int (*dc_log_status_cb)(struct umem_instance *umm, daos_epoch_t epoch,
				struct evt_desc *desc, int intent, void *args);
	void *dc_log_status_args;
	/** Called in the insert transaction for every new descriptor. */
	int (*dc_log_add_cb)(struct umem_instance *umm, struct evt_desc *desc, void *args);
	void *dc_log_add_args;
	/** Called in the delete transaction before a descriptor is freed. */
	int (*dc_log_del_cb)(struct umem_instance *umm, daos_epoch_t epoch, struct evt_desc *desc,
			     void *args);
	void *dc_log_del_args;
};

struct evt_extent {
	daos_off_t ex_lo; /**< low index, inclusive */
	daos_off_t ex_hi; /**< high index, inclusive */
};

/** A versioned extent: the extent times [rc_epc, infinity), minor epoch breaks epoch ties. */
struct evt_rect {
	struct evt_extent rc_ex;
	daos_epoch_t rc_epc;
	uint16_t rc_minor_epc;
};

/** Search scope. */
struct evt_filter {
	/** extent range */
	struct evt_extent fr_ex;
	/** only entries with epr_lo <= epoch <= epr_hi; visibility is computed at epr_hi */
	daos_epoch_range_t fr_epr;
	/**
	 * Punch of the enclosing key (0: none): entries at or below
	 * (fr_punch_epc, fr_punch_minor_epc) are treated as removed.
	 */
	daos_epoch_t fr_punch_epc;
	uint16_t fr_punch_minor_epc;
};

#define DF_EXT       DF_U64 "-" DF_U64
#define DP_EXT(ext)  (ext)->ex_lo, (ext)->ex_hi
#define DF_RECT      DF_EXT "@" DF_X64 ".%d-INF"
#define DP_RECT(r)   DP_EXT(&(r)->rc_ex), (r)->rc_epc, (r)->rc_minor_epc
#define DF_FILTER    DF_EXT "@" DF_U64 "-" DF_U64 "(punch=" DF_U64 ")"
#define DP_FILTER(f) DP_EXT(&(f)->fr_ex), (f)->fr_epr.epr_lo, (f)->fr_epr.epr_hi, (f)->fr_punch_epc

static inline daos_size_t
evt_extent_width(const struct evt_extent *ext)
{
	return ext->ex_hi - ext->ex_lo + 1;
}

static inline daos_size_t
evt_rect_width(const struct evt_rect *rect)
{
	return evt_extent_width(&rect->rc_ex);
}

/**
 * Persistent root, stored in place inside the owner's record (e.g. a VOS akey). All zero
 * means "no tree"; evt_create initialises it.
 */
struct evt_root {
	/** owner tag (unused by the tree) */
	uint64_t tr_pool_uuid;
	/** root node, UMOFF_NULL when empty */
	umem_off_t tr_node;
	/** number of levels, 0 when empty */
	uint16_t tr_depth;
	/** max entries per node; 0: no tree */
	uint16_t tr_order;
	/** bytes per record index, set by the first data insert */
	uint32_t tr_inob;
	/** enum evt_feats */
	uint64_t tr_feats;
	/** checksum parameters of the first insert that carried checksums */
	uint32_t tr_csum_chunk_size;
	uint16_t tr_csum_type;
	uint16_t tr_csum_len;
	/** number of records (leaf entries) in the tree */
	uint64_t tr_count;
};

static inline int
evt_is_empty(struct evt_root *root)
{
	return root->tr_depth == 0;
}

/** Features (accepted for compatibility; the split policy is documented in docs/evtree.md) */
enum evt_feats {
	EVT_FEAT_SORT_SOFF = (1 << 0),
	EVT_FEAT_SORT_DIST = (1 << 1),
	EVT_FEAT_SORT_DIST_EVEN = (1 << 2),
};

#define EVT_FEAT_DEFAULT    EVT_FEAT_SORT_SOFF
#define EVT_FEATS_SUPPORTED (EVT_FEAT_SORT_SOFF | EVT_FEAT_SORT_DIST | EVT_FEAT_SORT_DIST_EVEN)

/** A record to insert. */
struct evt_entry_in {
	struct evt_rect ei_rect;
	/** checksums of the extent (cs_nr * cs_len bytes at cs_csum, may be NULL) */
	struct dcs_csum_info ei_csum;
	/** pool map version */
	uint32_t ei_ver;
	/** bytes per record index; 0 for a punch (hole) */
	uint32_t ei_inob;
	/** data address; BIO_FLAG_HOLE also makes the record a punch */
	bio_addr_t ei_addr;
};

enum evt_visibility {
	EVT_UNKNOWN = 0,
	/** (part of) the record is hidden by newer ones at the search epoch */
	EVT_COVERED = (1 << 0),
	/** (part of) the record is what a read at the search epoch returns */
	EVT_VISIBLE = (1 << 1),
	/** en_sel_ext is a strict part of en_ext */
	EVT_PARTIAL = (1 << 2),
	/** last entry of a sorted iteration */
	EVT_LAST = (1 << 3),
};

/**
 * A record (or the selected piece of one) returned by find, delete and the iterator.
 * en_addr addresses the data of en_sel_ext.ex_lo (the in-tree address plus
 * (en_sel_ext.ex_lo - en_ext.ex_lo) * inob), holes keep BIO_FLAG_HOLE. en_csum describes
 * the checksums of the whole in-tree extent en_ext; cs_csum points into the heap and stays
 * valid until the tree is changed.
 */
struct evt_entry {
	/** full in-tree extent */
	struct evt_extent en_ext;
	/** the piece selected (clipped to the filter, split by visibility) */
	struct evt_extent en_sel_ext;
	struct dcs_csum_info en_csum;
	uint32_t en_ver;
	/** enum evt_visibility bits */
	uint16_t en_visibility;
	uint16_t en_minor_epc;
	bio_addr_t en_addr;
	daos_epoch_t en_epoch;
	/** result of dc_log_status_cb (0 when absent) */
	int en_avail_rc;
};

struct evt_list_entry {
	struct evt_entry le_ent;
};

#define EVT_EMBEDDED_NR 16

/**
 * Result array of evt_find. The first EVT_EMBEDDED_NR entries live inside the structure, so
 * small results allocate nothing; evt_ent_array_fini frees a grown array.
 */
struct evt_entry_array {
	struct evt_list_entry *ea_ents;
	/** entries in use */
	uint32_t ea_ent_nr;
	/** entries allocated */
	uint32_t ea_size;
	/** maximum entries (more: -DER_TRUNC) */
	uint32_t ea_max;
	/** bytes per record index of the tree */
	uint32_t ea_inob;
	struct evt_list_entry ea_embedded_ents[EVT_EMBEDDED_NR];
};

/** Initialise \a ent_array; \a max == 0: no limit. */
void evt_ent_array_init(struct evt_entry_array *ent_array, int max);
void evt_ent_array_fini(struct evt_entry_array *ent_array);

static inline struct evt_entry *
evt_ent_array_get(struct evt_entry_array *ent_array, int index)
{
	if (index < 0 || (uint32_t)index >= ent_array->ea_ent_nr)
		return NULL;
	return &ent_array->ea_ents[index].le_ent;
}

static inline struct evt_entry *
evt_ent_array_get_next(struct evt_entry_array *ent_array, struct evt_entry *ent)
{
	struct evt_list_entry *el = container_of(ent, struct evt_list_entry, le_ent);

	if (el + 1 >= &ent_array->ea_ents[ent_array->ea_ent_nr])
		return NULL;
	return &(el + 1)->le_ent;
}

#define evt_ent_array_for_each(ent, ea) \
	for (ent = evt_ent_array_get(ea, 0); ent != NULL; ent = evt_ent_array_get_next(ea, ent))

#define evt_ent_array_empty(ea) ((ea)->ea_ent_nr == 0)

/** Offset of the selected piece inside the in-tree extent, in record indexes. */
static inline daos_size_t
evt_entry_selected_offset(const struct evt_entry *entry)
{
	return entry->en_sel_ext.ex_lo - entry->en_ext.ex_lo;
}

/** Log format of an entry: selected piece, in-tree extent, epoch.minor, visibility. */
#define DF_ENT DF_EXT " from " DF_EXT "@" DF_X64 ".%d-INF (%c)"
#define DP_ENT(ent)                                                                               \
	DP_EXT(&(ent)->en_sel_ext), DP_EXT(&(ent)->en_ext), (ent)->en_epoch, (ent)->en_minor_epc, \
		evt_debug_print_visibility(ent)

static inline char
evt_debug_print_visibility(const struct evt_entry *ent)
{
	switch (ent->en_visibility & (EVT_VISIBLE | EVT_PARTIAL | EVT_COVERED)) {
	case EVT_PARTIAL:
		return 'p';
	case EVT_VISIBLE:
		return 'V';
	case EVT_VISIBLE | EVT_PARTIAL:
		return 'v';
	case EVT_COVERED:
		return 'C';
	case EVT_COVERED | EVT_PARTIAL:
		return 'c';
	default:
		return 'U';
	}
}

/**
 * Create a tree in \a root (which must be all zero or destroyed) and open it.
 * \a order: EVT_MIN_ORDER..EVT_MAX_ORDER. -DER_EXIST if \a root holds a tree.
 */
int evt_create(struct evt_root *root, uint64_t feats, unsigned int order, struct umem_attr *uma,
	       struct evt_desc_cbs *cbs, daos_handle_t *toh);
/** Open the tree in \a root; -DER_NONEXIST if there is none. \a cbs may be NULL. */
int evt_open(struct evt_root *root, struct umem_attr *uma, struct evt_desc_cbs *cbs,
	     daos_handle_t *toh);
int evt_close(daos_handle_t toh);
/**
 * Free every node and descriptor (calling dc_bio_free_cb for each data extent), reset the
 * root and close the handle.
 */
int evt_destroy(daos_handle_t toh);
/**
 * Remove up to *\a credits records (one credit each, data freed through dc_bio_free_cb).
 * When the tree becomes empty it is destroyed and *\a destroyed set; the handle stays open
 * either way (close it). *\a credits returns the unused credits.
 */
int evt_drain(daos_handle_t toh, int *credits, bool *destroyed);
/**
 * Insert a record. An identical rectangle (extent, epoch and minor epoch) gives -DER_EXIST;
 * a different extent overlapping one of the same epoch and minor epoch gives
 * -DER_VOS_PARTIAL_UPDATE. Data records must all use the same ei_inob (-DER_INVAL).
 * If \a csum_bufp is not NULL it returns the checksum buffer of the new descriptor
 * (ei_csum.cs_nr * cs_len bytes, filled from ei_csum.cs_csum when that is not NULL); the
 * caller may write it inside the same transaction only.
 */
int evt_insert(daos_handle_t toh, const struct evt_entry_in *entry, uint8_t **csum_bufp);
/**
 * Delete the record with exactly \a rect (extent, epoch, minor epoch); -DER_ENOENT if absent.
 * Data is not freed; \a ent (optional) returns the record so the caller can free it.
 */
int evt_delete(daos_handle_t toh, const struct evt_rect *rect, struct evt_entry *ent);
/**
 * The visible pieces of the records overlapping filter->fr_ex with epochs in fr_epr, at
 * epoch fr_epr.epr_hi, sorted by offset and clipped to the filter (en_sel_ext). Visible punches
 * are returned as holes (bio_addr_is_hole(&en_addr)); ranges without any record are absent.
 * \a ent_array must be initialised; it is reset first.
 */
int evt_find(daos_handle_t toh, const struct evt_filter *filter, struct evt_entry_array *ent_array);
/** 1 if the tree at \a root has any data (non-hole) record, 0 if not, negative on error. */
int evt_has_data(struct evt_root *root, struct umem_attr *uma);
/** Log the node structure (levels up to \a debug_level, all if negative). */
int evt_debug(daos_handle_t toh, int debug_level);

/* Iterator */
enum {
	/** accepted for compatibility (each iterator has its own state) */
	EVT_ITER_EMBEDDED = (1 << 0),
	/** visible pieces, sorted by offset */
	EVT_ITER_VISIBLE = (1 << 1),
	/** covered pieces (with VISIBLE: both, tiling every record) */
	EVT_ITER_COVERED = (1 << 2),
	/** skip holes */
	EVT_ITER_SKIP_HOLES = (1 << 3),
	/** descending order */
	EVT_ITER_REVERSE = (1 << 4),
	/** purge: ignore dc_log_status_cb (every record is returned) */
	EVT_ITER_FOR_PURGE = (1 << 5),
	/** discard: ignore dc_log_status_cb (every record is returned) */
	EVT_ITER_FOR_DISCARD = (1 << 6),
	/** migration scan (accepted; behaves like a plain iterator) */
	EVT_ITER_FOR_MIGRATION = (1 << 7),
};

enum evt_iter_opc {
	EVT_ITER_FIRST,
	EVT_ITER_FIND,
};

/**
 * Prepare an iterator over the records intersecting \a filter (NULL: everything, visibility
 * at DAOS_EPOCH_MAX). Without VISIBLE/COVERED the iterator returns whole records sorted
 * by (ex_lo, epoch, minor epoch), clipped to the filter.
 */
int evt_iter_prepare(daos_handle_t toh, unsigned int options, const struct evt_filter *filter,
		     daos_handle_t *ih);
int evt_iter_finish(daos_handle_t ih);
/**
 * Position the iterator: EVT_ITER_FIRST at the first entry (the last one with REVERSE);
 * EVT_ITER_FIND at \a rect's entry (the first one after it when absent) or, with rect NULL,
 * after the entry \a anchor was fetched at. -DER_NONEXIST when nothing is left.
 */
int evt_iter_probe(daos_handle_t ih, enum evt_iter_opc opc, const struct evt_rect *rect,
		   const daos_anchor_t *anchor);
/** Move on; -DER_NONEXIST at the end. */
int evt_iter_next(daos_handle_t ih);
/** 1 if the iterator has nothing to return, 0 if it has, negative on error. */
int evt_iter_empty(daos_handle_t ih);
/**
 * Current entry; \a inob (optional) the bytes per index of the tree, \a anchor (optional) a
 * cursor that evt_iter_probe(EVT_ITER_FIND, NULL, anchor) resumes after.
 */
int evt_iter_fetch(daos_handle_t ih, unsigned int *inob, struct evt_entry *entry,
		   daos_anchor_t *anchor);
/**
 * Delete the record of the current entry from the tree (data not freed; \a ent returns it)
 * and move to the next entry. Other pieces of the same record are skipped.
 */
int evt_iter_delete(daos_handle_t ih, struct evt_entry *ent);

#if defined(__cplusplus)
}
#endif

#endif /* __DAOS_EV_TREE_H__ */
