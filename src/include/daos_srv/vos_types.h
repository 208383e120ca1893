/**
 * Types of the versioned object store (VOS) API, daos_srv/vos.h. Names follow DAOS 2.x
 * (src/include/daos_srv/vos_types.h); fields DAOS has for DTX, EC and scrubbing that pdaos
 * does not implement yet are left out.
 */
#ifndef __VOS_TYPES_H__
#define __VOS_TYPES_H__

#include <daos_types.h>
#include <daos_obj.h>
#include <daos/checksum.h>
#include <daos_srv/bio.h>
#include <daos_srv/vea.h>

#if defined(__cplusplus)
extern "C" {
#endif

/** The DTX layer's handle; VOS accepts NULL everywhere (no distributed transaction). */
struct dtx_handle;

#define VOS_SUB_OP_MAX ((uint16_t)-2)

/** Pool open/create flags. */
enum vos_pool_open_flags {
	VOS_POF_SMALL = (1 << 0),
	/** exclusive: -DER_BUSY if already open (always true for pdaos: the heap is flocked) */
	VOS_POF_EXCL = (1 << 1),
	/** do not check the pool UUID passed to vos_pool_open */
	VOS_POF_SKIP_UUID_CHECK = (1 << 2),
	VOS_POF_EXTERNAL_FLUSH = (1 << 3),
	VOS_POF_RDB = (1 << 4),
	VOS_POF_SYSDB = (1 << 5),
};

/** Total and free bytes per media (DAOS's struct daos_space of daos_pool.h). */
#ifndef DAOS_SPACE_DEFINED
#define DAOS_SPACE_DEFINED
struct daos_space {
	/** indexed by DAOS_MEDIA_SCM / DAOS_MEDIA_NVME */
	uint64_t s_total[DAOS_MEDIA_MAX];
	uint64_t s_free[DAOS_MEDIA_MAX];
};
#endif

/** Garbage collector counters (cumulative since open). */
struct vos_gc_stat {
	uint64_t gs_conts;
	uint64_t gs_objs;
	uint64_t gs_dkeys;
	uint64_t gs_akeys;
	uint64_t gs_singvs;
	uint64_t gs_recxs;
};

struct vos_pool_space {
	/** heap (SCM) and blob (NVMe) total and free bytes */
	struct daos_space vps_space;
	/** space held back for GC/aggregation (updates fail with -DER_NOSPACE before it) */
	daos_size_t vps_space_sys[DAOS_MEDIA_MAX];
	struct vea_attr vps_vea_attr;
	struct vea_stat vps_vea_stat;
};

#define SCM_TOTAL(vps)  ((vps)->vps_space.s_total[DAOS_MEDIA_SCM])
#define SCM_FREE(vps)   ((vps)->vps_space.s_free[DAOS_MEDIA_SCM])
#define SCM_SYS(vps)    ((vps)->vps_space_sys[DAOS_MEDIA_SCM])
#define NVME_TOTAL(vps) ((vps)->vps_space.s_total[DAOS_MEDIA_NVME])
#define NVME_FREE(vps)  ((vps)->vps_space.s_free[DAOS_MEDIA_NVME])
#define NVME_SYS(vps)   ((vps)->vps_space_sys[DAOS_MEDIA_NVME])

/** pdaos: what a pool served since it was opened (telemetry; DRAM only) */
struct vos_pool_op_stat {
	uint64_t vops_update;
	uint64_t vops_fetch;
	uint64_t vops_punch;
	/** value bytes of successful updates / fetches (array holes included) */
	uint64_t vops_update_bytes;
	uint64_t vops_fetch_bytes;
};

typedef struct {
	/** containers in the pool */
	uint64_t pif_cont_nr;
	struct vos_pool_space pif_space;
	struct vos_gc_stat pif_gc_stat;
	/** pdaos: GC items (containers, objects, keys) still waiting to be freed */
	uint64_t pif_gc_pending;
	/** pdaos: live allocations in the heap (leak checks) */
	uint64_t pif_heap_allocs;
	/** pdaos: operations since the pool was opened */
	struct vos_pool_op_stat pif_ops;
} vos_pool_info_t;

typedef struct {
	/** objects in the container (including punched ones not yet aggregated away) */
	uint64_t ci_nobjs;
	/** bytes of values (inline and blob) stored */
	daos_size_t ci_used;
	/** highest aggregated epoch */
	daos_epoch_t ci_hae;
	/** pdaos: snapshots recorded with vos_cont_snap_add */
	uint32_t ci_nsnaps;
} vos_cont_info_t;

typedef enum {
	VOS_ITER_NONE,
	/** containers of a pool */
	VOS_ITER_COUUID,
	/** objects of a container */
	VOS_ITER_OBJ,
	/** dkeys of an object */
	VOS_ITER_DKEY,
	/** akeys of a dkey */
	VOS_ITER_AKEY,
	/** versions of a single value */
	VOS_ITER_SINGLE,
	/** extents of an array */
	VOS_ITER_RECX,
	VOS_ITER_DTX,
} vos_iter_type_t;

/** Epoch expression of single-value iteration. */
typedef enum {
	VOS_IT_EPC_LE = 0,
	VOS_IT_EPC_GE,
	/** every version in ip_epr, newest first */
	VOS_IT_EPC_RE,
	/** every version in ip_epr, oldest first */
	VOS_IT_EPC_RR,
	VOS_IT_EPC_EQ,
} vos_it_epc_expr_t;

typedef enum {
	VOS_ITER_PROC_OP_UNKNOWN = 0,
	VOS_ITER_PROC_OP_DELETE = 1,
	VOS_ITER_PROC_OP_MARK_CORRUPT = 2,
} vos_iter_proc_op_t;

/** Operation flags of update, fetch and punch (low 8 bits: DAOS_COND_*). */
enum {
	VOS_OF_COND_PUNCH = DAOS_COND_PUNCH,
	VOS_OF_COND_DKEY_INSERT = DAOS_COND_DKEY_INSERT,
	VOS_OF_COND_DKEY_UPDATE = DAOS_COND_DKEY_UPDATE,
	VOS_OF_COND_DKEY_FETCH = DAOS_COND_DKEY_FETCH,
	VOS_OF_COND_AKEY_INSERT = DAOS_COND_AKEY_INSERT,
	VOS_OF_COND_AKEY_UPDATE = DAOS_COND_AKEY_UPDATE,
	VOS_OF_COND_AKEY_FETCH = DAOS_COND_AKEY_FETCH,
	VOS_OF_COND_PER_AKEY = DAOS_COND_PER_AKEY,
	/** critical update: may use the space held back for GC/aggregation */
	VOS_OF_CRIT = (1 << 8),
	VOS_OF_REMOVE = (1 << 9),
	/** fetch: only report iod_size, copy no data */
	VOS_OF_FETCH_SIZE_ONLY = (1 << 10),
	VOS_OF_FETCH_RECX_LIST = (1 << 11),
	VOS_OF_FETCH_SET_TS_ONLY = (1 << 12),
	VOS_OF_FETCH_CHECK_EXISTENCE = (1 << 13),
	VOS_OF_PUNCH_PROPAGATE = (1 << 14),
	VOS_OF_REPLAY_PC = (1 << 15),
	VOS_OF_DEDUP = (1 << 16),
	VOS_OF_DEDUP_VERIFY = (1 << 17),
	VOS_OF_SKIP_FETCH = (1 << 18),
	VOS_OF_EC = (1 << 19),
	VOS_OF_REBUILD = (1 << 20),
};

#define VOS_COND_FETCH_MASK       (VOS_OF_COND_AKEY_FETCH | VOS_OF_COND_DKEY_FETCH)
#define VOS_COND_AKEY_UPDATE_MASK (VOS_OF_COND_AKEY_UPDATE | VOS_OF_COND_AKEY_INSERT)
#define VOS_COND_DKEY_UPDATE_MASK (VOS_OF_COND_DKEY_UPDATE | VOS_OF_COND_DKEY_INSERT)
#define VOS_COND_UPDATE_MASK      (VOS_COND_DKEY_UPDATE_MASK | VOS_COND_AKEY_UPDATE_MASK)

/** vos_obj_query_key flags (DAOS_GET_*). */
enum {
	VOS_GET_MAX = DAOS_GET_MAX,
	VOS_GET_MIN = DAOS_GET_MIN,
	VOS_GET_DKEY = DAOS_GET_DKEY,
	VOS_GET_AKEY = DAOS_GET_AKEY,
	VOS_GET_RECX = DAOS_GET_RECX,
};

/** Iterator flags (ip_flags). */
enum {
	/** every extent, unsorted (tree order) */
	VOS_IT_RECX_ALL = 0,
	/** visible extents at ip_epr.epr_hi, in offset order */
	VOS_IT_RECX_VISIBLE = (1 << 0),
	/** covered extents too (implies VISIBLE) */
	VOS_IT_RECX_COVERED = (1 << 1) | VOS_IT_RECX_VISIBLE,
	VOS_IT_RECX_SKIP_HOLES = (1 << 2),
	VOS_IT_RECX_REVERSE = (1 << 3),
	VOS_IT_FOR_PURGE = (1 << 4),
	VOS_IT_FOR_MIGRATION = (1 << 5),
	/** pdaos: keys/objects punched at ip_epr.epr_hi are returned too */
	VOS_IT_PUNCHED = (1 << 6),
	VOS_IT_FOR_DISCARD = (1 << 7),
	VOS_IT_UNCOMMITTED = (1 << 8),
	VOS_IT_MASK = (1 << 9) - 1,
};

typedef struct {
	union {
		daos_unit_oid_t id_oid;
		d_iov_t id_key;
	};
	daos_epoch_t id_agg_write;
	daos_epoch_t id_parent_punch;
	vos_iter_type_t id_type;
} vos_iter_desc_t;

typedef int (*vos_iter_filter_cb_t)(daos_handle_t ih, vos_iter_desc_t *desc, void *cb_arg,
				    unsigned int *acts);

/** Iterator parameters. */
typedef struct {
	/** pool handle (VOS_ITER_COUUID) or container handle (others), standalone only */
	daos_handle_t ip_hdl;
	/** parent iterator for a nested prepare, else DAOS_HDL_INVAL */
	daos_handle_t ip_ih;
	/** object (DKEY/AKEY/SINGLE/RECX, standalone) */
	daos_unit_oid_t ip_oid;
	/** dkey (AKEY/SINGLE/RECX, standalone) */
	daos_key_t ip_dkey;
	/** akey (SINGLE/RECX, standalone) */
	daos_key_t ip_akey;
	/** extent range (RECX); rx_nr == 0: everything */
	daos_recx_t ip_recx;
	/** entries must be visible at epr_hi; SINGLE/RECX: versions within [epr_lo, epr_hi] */
	daos_epoch_range_t ip_epr;
	vos_it_epc_expr_t ip_epc_expr;
	vos_iter_filter_cb_t ip_filter_cb;
	void *ip_filter_arg;
	/** VOS_IT_* */
	uint32_t ip_flags;
} vos_iter_param_t;

/** Extent visibility flags of a returned entry (ie_vis_flags). */
enum {
	VOS_VIS_FLAG_UNKNOWN = 0,
	VOS_VIS_FLAG_VISIBLE = (1 << 0),
	VOS_VIS_FLAG_COVERED = (1 << 1),
	VOS_VIS_FLAG_REMOVE = (1 << 2),
	VOS_VIS_FLAG_PARTIAL = (1 << 3),
	VOS_VIS_FLAG_LAST = (1 << 4),
};

/** Where the data of a SINGLE/RECX entry is (DAOS's struct bio_iov, reduced). */
struct bio_iov {
	/** heap address of an inline value (NULL if in the blob or a hole) */
	void *bi_buf;
	/** bytes of the value (or of the extent) */
	size_t bi_data_len;
	bio_addr_t bi_addr;
};

/** Entry returned by vos_iter_fetch. */
typedef struct {
	/** epoch of the entry (versions/extents); latest update for objects and keys */
	daos_epoch_t ie_epoch;
	union {
		uuid_t ie_couuid;
		struct {
			/** latest punch of the object/key at or below the iteration epoch */
			daos_epoch_t ie_punch;
			daos_epoch_t ie_obj_punch;
			daos_epoch_t ie_last_update;
			union {
				/** key bytes (points into the heap: valid until the next call) */
				daos_key_t ie_key;
				daos_unit_oid_t ie_oid;
			};
		};
		struct {
			/** record size (array) or value size (single) */
			daos_size_t ie_rsize;
			daos_size_t ie_gsize;
			/** the (selected part of the) extent */
			daos_recx_t ie_recx;
			/** the extent as stored */
			daos_recx_t ie_orig_recx;
			struct bio_iov ie_biov;
			struct dcs_csum_info ie_csum;
			uint32_t ie_ver;
			uint16_t ie_minor_epc;
			unsigned int ie_dtx_state;
		};
	};
	/** VOS_VIS_FLAG_* */
	uint32_t ie_vis_flags;
	/** type of the nested level (akey: VOS_ITER_SINGLE or VOS_ITER_RECX) */
	vos_iter_type_t ie_child_type;
} vos_iter_entry_t;

typedef int (*vos_iter_cb_t)(daos_handle_t ih, vos_iter_entry_t *entry, vos_iter_type_t type,
			     vos_iter_param_t *param, void *cb_arg, unsigned int *acts);

/** Actions a vos_iterate callback returns in *acts. */
enum {
	VOS_ITER_CB_NONE = 0,
	/** the callback deleted the entry (re-probe) */
	VOS_ITER_CB_DELETE = (1UL << 0),
	/** do not descend into the current entry */
	VOS_ITER_CB_SKIP = (1UL << 1),
	VOS_ITER_CB_RESTART = (1UL << 2),
	/** stop this level */
	VOS_ITER_CB_ABORT = (1UL << 3),
	/** the callback yielded: re-probe from the anchor */
	VOS_ITER_CB_YIELD = (1UL << 4),
	/** stop every level */
	VOS_ITER_CB_EXIT = (1UL << 5),
};

/** One anchor per level for vos_iterate. */
struct vos_iter_anchors {
	daos_anchor_t ia_co;
	daos_anchor_t ia_obj;
	daos_anchor_t ia_dkey;
	daos_anchor_t ia_akey;
	daos_anchor_t ia_sv;
	daos_anchor_t ia_ev;
	unsigned int ia_reprobe_co : 1, ia_reprobe_obj : 1, ia_reprobe_dkey : 1,
		ia_reprobe_akey : 1, ia_reprobe_sv : 1, ia_reprobe_ev : 1;
	unsigned int ia_probe_level;
};

enum VOS_TREE_CLASS {
	VOS_TC_CONTAINER,
	VOS_TC_OBJECT,
	VOS_TC_DKEY,
	VOS_TC_AKEY,
	VOS_TC_SV,
	VOS_TC_ARRAY,
	VOS_TC_VEA,
};

/** Aggregation flags. */
enum {
	VOS_AGG_FL_FORCE_SCAN = (1UL << 0),
	VOS_AGG_FL_FORCE_MERGE = (1UL << 1),
};

/**
 * pdaos: per-pool tunables (vos_pool_create_ex / vos_pool_open_ex). Zeroed fields take
 * defaults; environment variables override the defaults (docs/vos.md).
 */
struct vos_pool_attr {
	/** data blob path; NULL: "<heap path>.blob" */
	const char *vpa_blob_path;
	/** values of at least this many bytes go to the blob (0: env VOS_INLINE_THRESH or 4096) */
	uint32_t vpa_inline_thresh;
	/**
	 * WAL sync policy: 0: env DAOS_WAL_SYNC (default "every"); N > 0: synced within N ms;
	 * < 0: every commit is durable when it returns (docs/umem.md)
	 */
	int vpa_sync_ms;
	/** 1: do not fdatasync the blob before the metadata commit (benchmarks only) */
	uint32_t vpa_no_blob_flush;
	/** UMEM_POOL_* flags for the heap */
	uint32_t vpa_umem_flags;
	/** create: WAL bytes (0: umem's default) */
	uint64_t vpa_wal_size;
};

/**
 * Checksum types VOS computes and verifies itself (vos_cont_csum_set): isa-l's CRC32C
 * (iSCSI) and CRC64 (ECMA reflected), numbered like DAOS_PROP_CO_CSUM_* / DAOS_CSUM_TYPE.
 */
#define VOS_CSUM_CHUNK_DEFAULT (32 * 1024)

#if defined(__cplusplus)
}
#endif

#endif /* __VOS_TYPES_H__ */
