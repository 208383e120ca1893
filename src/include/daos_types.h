/**
 * DAOS types shared by every part of the client API: handles, object IDs,
 * epochs, keys, anchors, I/O descriptors and events.
 */
#ifndef __DAOS_TYPES_H__
#define __DAOS_TYPES_H__

#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <stdbool.h>
#include <sys/types.h>
#include <uuid/uuid.h>

#include <gurt/types.h>
#include <daos_errno.h>

#if defined(__cplusplus)
extern "C" {
#endif

typedef uint64_t daos_size_t;
typedef uint64_t daos_off_t;

#define daos_iov_t     d_iov_t
#define daos_sg_list_t d_sg_list_t
#define daos_iov_set   d_iov_set

/** Generic handle of a DAOS object (pool, container, object, event queue, transaction). */
typedef struct {
	uint64_t cookie;
} daos_handle_t;

#define DAOS_HDL_INVAL ((daos_handle_t){0})
/** "No transaction": the operation runs in its own independent transaction. */
#define DAOS_TX_NONE DAOS_HDL_INVAL

static inline bool
daos_handle_is_inval(daos_handle_t hdl)
{
	return hdl.cookie == 0;
}

static inline bool
daos_handle_is_valid(daos_handle_t hdl)
{
	return !daos_handle_is_inval(hdl);
}

/** Keys (dkey, akey) are plain I/O vectors. */
typedef d_iov_t daos_key_t;

static inline bool
daos_key_is_null(daos_key_t key)
{
	return key.iov_buf_len == 0 || key.iov_buf == NULL;
}

/** Size of a hashed key in an anchor (SHA-256). */
#define DAOS_HKEY_MAX 32

typedef enum {
	DAOS_ANCHOR_TYPE_ZERO = 0,
	DAOS_ANCHOR_TYPE_HKEY = 1,
	DAOS_ANCHOR_TYPE_KEY  = 2,
	DAOS_ANCHOR_TYPE_EOF  = 3,
} daos_anchor_type_t;

#define DAOS_ANCHOR_BUF_MAX 104

/** Iteration cursor: zero-initialise to start, loop until daos_anchor_is_eof(). */
typedef struct {
	uint16_t da_type;
	uint16_t da_shard;
	uint32_t da_flags;
	uint64_t da_sub_anchors;
	uint8_t  da_buf[DAOS_ANCHOR_BUF_MAX];
} daos_anchor_t;

#define DAOS_ANCHOR_INIT ((daos_anchor_t){DAOS_ANCHOR_TYPE_ZERO})

/** Object ID: 128 bits; DAOS owns the high 32 bits of \a hi. */
typedef struct {
	uint64_t lo;
	uint64_t hi;
} daos_obj_id_t;

/* Epochs */
typedef uint64_t daos_epoch_t;

typedef struct {
	/** low bound of the range */
	daos_epoch_t epr_lo;
	/** high bound of the range */
	daos_epoch_t epr_hi;
} daos_epoch_range_t;

/** Highest possible epoch */
#define DAOS_EPOCH_MAX (~0ULL)

/* Pool connect flags */
#define DAOS_PC_RO    (1U << 0)
#define DAOS_PC_RW    (1U << 1)
#define DAOS_PC_EX    (1U << 2)
#define DAOS_PC_NBITS 3
#define DAOS_PC_MASK  ((1U << DAOS_PC_NBITS) - 1)

/** Container information */
typedef struct {
	/** container UUID */
	uuid_t       ci_uuid;
	/** epoch of the latest persistent snapshot */
	daos_epoch_t ci_lsnapshot;
	/** number of open handles */
	uint32_t     ci_nhandles;
	/** number of snapshots */
	uint32_t     ci_nsnapshots;
	/** metadata open time (HLC) */
	uint64_t     ci_md_otime;
	/** metadata modify time (HLC) */
	uint64_t     ci_md_mtime;
} daos_cont_info_t;

/** Targets identified by rank and target index. */
struct d_tgt_list {
	d_rank_t *tl_ranks;
	int32_t  *tl_tgts;
	uint32_t  tl_nr;
};

/** Type of a handle, for local2global. */
typedef enum {
	DAOS_HTYPE_EQ   = 1,
	DAOS_HTYPE_POOL = 2,
	DAOS_HTYPE_CO   = 3,
	DAOS_HTYPE_OBJ  = 4,
	DAOS_HTYPE_ARRAY = 5,
	DAOS_HTYPE_TX   = 6,
	DAOS_HTYPE_KV   = 7,
} daos_handle_type_t;

/* Extents, I/O descriptors and key descriptors */

/** \a rx_nr contiguous records starting at index \a rx_idx. */
typedef struct {
	uint64_t rx_idx;
	uint64_t rx_nr;
} daos_recx_t;

/** Type of the value an I/O descriptor addresses. */
typedef enum {
	/** a dkey only (enumeration) */
	DAOS_IOD_NONE   = 0,
	/** one value replaced as a whole */
	DAOS_IOD_SINGLE = 1,
	/** an array of fixed-size records */
	DAOS_IOD_ARRAY  = 2,
} daos_iod_type_t;

/** I/O descriptor: the akey and the extents (or single value) to update or fetch. */
typedef struct {
	/** akey */
	daos_key_t      iod_name;
	/** single value or array */
	daos_iod_type_t iod_type;
	/** record size (array) or value size (single); DAOS_REC_ANY on fetch asks for it */
	daos_size_t     iod_size;
	/** per-akey conditional flags */
	uint64_t        iod_flags;
	/** number of extents in iod_recxs (1 for single values) */
	uint32_t        iod_nr;
	/** extents (arrays only) */
	daos_recx_t    *iod_recxs;
} daos_iod_t;

/** Describes one key returned by enumeration. */
typedef struct {
	/** key length */
	daos_size_t kd_key_len;
	/** value type(s) under the key */
	uint32_t    kd_val_type;
	/** checksum type */
	uint16_t    kd_csum_type;
	/** checksum length */
	uint16_t    kd_csum_len;
} daos_key_desc_t;

/* Events */

/** Wait forever in daos_eq_poll / daos_event_test */
#define DAOS_EQ_WAIT   -1
/** Do not wait */
#define DAOS_EQ_NOWAIT 0

typedef enum {
	/** completed events that have not been polled */
	DAOS_EQR_COMPLETED = (1 << 0),
	/** launched events that have not completed */
	DAOS_EQR_WAITING   = (1 << 1),
	/** both */
	DAOS_EQR_ALL       = (DAOS_EQR_COMPLETED | DAOS_EQR_WAITING),
} daos_eq_query_t;

typedef enum {
	DAOS_EVS_READY,
	DAOS_EVS_RUNNING,
	DAOS_EVS_COMPLETED,
	DAOS_EVS_ABORTED,
} daos_ev_status_t;

/** An event tracks one asynchronous operation; users may embed it in their own structs. */
typedef struct daos_event {
	/** result of the operation, valid once the event has completed */
	int ev_error;
	/** private to the library */
	struct {
		uint64_t space[20];
	} ev_private;
	/** debug aid */
	uint64_t ev_debug;
} daos_event_t;

/** Length of a UUID string including the terminating NUL. */
#define DAOS_UUID_STR_SIZE 37
/** Maximum length of a system name. */
#define DAOS_SYS_NAME_MAX 15
/** Default system name. */
#define DAOS_DEFAULT_SYS_NAME "daos_server"
/** Maximum length of an attribute name. */
#define DAOS_ATTR_NAME_MAX 511
/** Longest string in struct daos_sys_info, without the NUL. */
#define DAOS_SYS_INFO_STRING_MAX 63

/** A rank of the system and its fabric address (daos_mgmt_get_sys_info). */
struct daos_rank_uri {
	uint32_t dru_rank;
	char    *dru_uri;
	bool     dru_primary;
};

/** What a client knows about the system it is attached to. */
struct daos_sys_info {
	/** system name */
	char                  dsi_system_name[DAOS_SYS_INFO_STRING_MAX + 1];
	/** fabric provider, e.g. "ofi+tcp;ofi_rxm" */
	char                  dsi_fabric_provider[DAOS_SYS_INFO_STRING_MAX + 1];
	/** number of ranks in dsi_ranks */
	uint32_t              dsi_nr_ranks;
	/** ranks and their URIs */
	struct daos_rank_uri *dsi_ranks;
	/** number of management service ranks */
	uint32_t              dsi_nr_ms_ranks;
	/** management service ranks */
	uint32_t             *dsi_ms_ranks;
};

static inline bool
daos_is_valid_uuid_string(const char *str)
{
	uuid_t u;

	return str != NULL && strlen(str) == DAOS_UUID_STR_SIZE - 1 && uuid_parse(str, u) == 0;
}

#if defined(__cplusplus)
}
#endif

#endif /* __DAOS_TYPES_H__ */
