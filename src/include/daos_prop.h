/**
 * Pool and container properties: property numbers, their value encodings and
 * defaults (DAOS 2.x numbering, so property lists are wire- and
 * source-compatible), and the functions that build, copy and query property
 * lists.
 */
#ifndef __DAOS_PROP_H__
#define __DAOS_PROP_H__

#include <ctype.h>
#include <daos_types.h>

#if defined(__cplusplus)
extern "C" {
#endif

/**
 * Pool property numbers; valid ones lie strictly between DAOS_PROP_PO_MIN and
 * DAOS_PROP_PO_MAX. The order is part of the wire format: never reorder.
 */
enum daos_pool_props {
	DAOS_PROP_PO_MIN = 0,
	/** label string (daos_label_is_valid rules) */
	DAOS_PROP_PO_LABEL,
	/** struct daos_acl * (dpe_val_ptr) */
	DAOS_PROP_PO_ACL,
	/** percentage of each target reserved for rebuild (0..100), default 0 */
	DAOS_PROP_PO_SPACE_RB,
	/** DAOS_SELF_HEAL_* bits, default AUTO_EXCLUDE | AUTO_REBUILD */
	DAOS_PROP_PO_SELF_HEAL,
	/** DAOS_RECLAIM_*, default DAOS_RECLAIM_LAZY */
	DAOS_PROP_PO_RECLAIM,
	/** owner principal "user@[domain]" */
	DAOS_PROP_PO_OWNER,
	/** owner-group principal "group@[domain]" */
	DAOS_PROP_PO_OWNER_GROUP,
	/** d_rank_list_t * of the pool service replicas */
	DAOS_PROP_PO_SVC_LIST,
	/** default EC cell size in bytes */
	DAOS_PROP_PO_EC_CELL_SZ,
	/** I/O size above which data goes to the data (bdev) tier */
	DAOS_PROP_PO_DATA_THRESH,
	/** pool redundancy factor (0..4) */
	DAOS_PROP_PO_REDUN_FAC,
	/** performance-domain affinity of EC objects */
	DAOS_PROP_PO_EC_PDA,
	/** performance-domain affinity of replicated objects */
	DAOS_PROP_PO_RP_PDA,
	/** layout (format) version of the pool, read-only */
	DAOS_PROP_PO_GLOBAL_VERSION,
	/** DAOS_UPGRADE_STATUS_*, read-only */
	DAOS_PROP_PO_UPGRADE_STATUS,
	/** DAOS_SCRUB_MODE_* */
	DAOS_PROP_PO_SCRUB_MODE,
	/** seconds between scrubber passes */
	DAOS_PROP_PO_SCRUB_FREQ,
	/** checksum errors before a target is evicted (0: never) */
	DAOS_PROP_PO_SCRUB_THRESH,
	/** pool service redundancy factor (0..4), default 2 */
	DAOS_PROP_PO_SVC_REDUN_FAC,
	/** object layout version, read-only */
	DAOS_PROP_PO_OBJ_VERSION,
	/** DAOS_PROP_PERF_DOMAIN_* */
	DAOS_PROP_PO_PERF_DOMAIN,
	/** DAOS_CHECKPOINT_* */
	DAOS_PROP_PO_CHECKPOINT_MODE,
	/** seconds between timed checkpoints */
	DAOS_PROP_PO_CHECKPOINT_FREQ,
	/** WAL fill percentage that triggers a checkpoint */
	DAOS_PROP_PO_CHECKPOINT_THRESH,
	/** DAOS_REINT_MODE_* */
	DAOS_PROP_PO_REINT_MODE,
	/** duplicate metadata operation detection on (1) or off (0) */
	DAOS_PROP_PO_SVC_OPS_ENABLED,
	/** age in seconds after which duplicate-detection entries expire */
	DAOS_PROP_PO_SVC_OPS_ENTRY_AGE,
	DAOS_PROP_PO_MAX,
};

/** Number of pool property types */
#define DAOS_PROP_PO_NUM            (DAOS_PROP_PO_MAX - DAOS_PROP_PO_MIN - 1)

#define DAOS_PROP_PO_EC_CELL_SZ_MIN (1UL << 10)
#define DAOS_PROP_PO_EC_CELL_SZ_MAX (1UL << 30)
/** default EC cell size: 64 KiB */
#define DAOS_PROP_PO_EC_CELL_SZ_DEFAULT (1UL << 16)

#define DAOS_PROP_PO_REDUN_FAC_MAX      4
#define DAOS_PROP_PO_REDUN_FAC_DEFAULT  0

static inline bool
daos_rf_is_valid(unsigned long long rf)
{
	return rf <= DAOS_PROP_PO_REDUN_FAC_MAX;
}

/** Largest performance-domain affinity value; also "all shards of a group in one domain". */
#define DAOS_PROP_PDA_MAX           ((uint32_t)-1)
#define DAOS_PROP_PO_RP_PDA_DEFAULT DAOS_PROP_PDA_MAX
#define DAOS_PROP_PO_EC_PDA_DEFAULT ((uint32_t)1)

/** Pool upgrade status */
enum {
	DAOS_UPGRADE_STATUS_NOT_STARTED = 0,
	DAOS_UPGRADE_STATUS_IN_PROGRESS = 1,
	DAOS_UPGRADE_STATUS_COMPLETED = 2,
	DAOS_UPGRADE_STATUS_FAILED = 3,
};

#define DAOS_PROP_PO_SVC_REDUN_FAC_MAX     4
#define DAOS_PROP_PO_SVC_REDUN_FAC_DEFAULT 2

static inline bool
daos_svc_rf_is_valid(uint64_t svc_rf)
{
	return svc_rf <= DAOS_PROP_PO_SVC_REDUN_FAC_MAX;
}

/** Performance domain levels (same numbers as the pool map's component types). */
enum {
	DAOS_PROP_PERF_DOMAIN_ROOT = 255,
	DAOS_PROP_PERF_DOMAIN_GROUP = 200,
};

#define DAOS_PROP_PO_PERF_DOMAIN_DEFAULT DAOS_PROP_PERF_DOMAIN_ROOT
#define DAOS_PROP_CO_PERF_DOMAIN_DEFAULT DAOS_PROP_PERF_DOMAIN_ROOT

/** Space reclaim (aggregation) strategy */
enum {
	DAOS_RECLAIM_DISABLED = 0,
	DAOS_RECLAIM_LAZY,
	DAOS_RECLAIM_SNAPSHOT,
	DAOS_RECLAIM_BATCH,
	DAOS_RECLAIM_TIME,
};

/** Reintegration mode */
enum {
	DAOS_REINT_MODE_DATA_SYNC = 0,
	DAOS_REINT_MODE_NO_DATA_SYNC = 1,
	DAOS_REINT_MODE_INCREMENTAL = 2,
};

#define DAOS_PROP_PO_REINT_MODE_DEFAULT DAOS_REINT_MODE_DATA_SYNC

/** Checksum scrubber schedule; values stay contiguous. */
enum {
	DAOS_SCRUB_MODE_OFF = 0,
	DAOS_SCRUB_MODE_LAZY = 1,
	DAOS_SCRUB_MODE_TIMED = 2,
	DAOS_SCRUB_MODE_INVALID = 3,
};

#define DAOS_PROP_PO_SCRUB_MODE_DEFAULT   DAOS_SCRUB_MODE_OFF
#define DAOS_PROP_PO_SCRUB_FREQ_DEFAULT   604800 /* one week, in seconds */
#define DAOS_PROP_PO_SCRUB_THRESH_DEFAULT 0

/** Checkpoint strategy of the metadata heap */
enum {
	DAOS_CHECKPOINT_DISABLED = 0,
	DAOS_CHECKPOINT_TIMED,
	DAOS_CHECKPOINT_LAZY,
};

#define DAOS_PROP_PO_CHECKPOINT_MODE_DEFAULT   DAOS_CHECKPOINT_TIMED
#define DAOS_PROP_PO_CHECKPOINT_FREQ_DEFAULT   5
#define DAOS_PROP_PO_CHECKPOINT_FREQ_MIN       1
#define DAOS_PROP_PO_CHECKPOINT_FREQ_MAX       (1 << 20)
#define DAOS_PROP_PO_CHECKPOINT_THRESH_DEFAULT 50
#define DAOS_PROP_PO_CHECKPOINT_THRESH_MAX     75
#define DAOS_PROP_PO_CHECKPOINT_THRESH_MIN     10
#define DAOS_PROP_PO_SVC_OPS_ENABLED_DEFAULT   1
#define DAOS_PROP_PO_SVC_OPS_ENTRY_AGE_DEFAULT 300
#define DAOS_PROP_PO_SVC_OPS_ENTRY_AGE_MIN     60
#define DAOS_PROP_PO_SVC_OPS_ENTRY_AGE_MAX     600

/** default data threshold: 4 KiB */
#define DAOS_PROP_PO_DATA_THRESH_DEFAULT (1UL << 12)

/** Self-healing bits */
#define DAOS_SELF_HEAL_AUTO_EXCLUDE  (1U << 0)
#define DAOS_SELF_HEAL_AUTO_REBUILD  (1U << 1)
#define DAOS_SELF_HEAL_DELAY_REBUILD (1U << 2)

/**
 * Container property numbers; valid ones lie strictly between
 * DAOS_PROP_CO_MIN and DAOS_PROP_CO_MAX. Never reorder.
 */
enum daos_cont_props {
	DAOS_PROP_CO_MIN = 0x1000,
	/** label string */
	DAOS_PROP_CO_LABEL,
	/** DAOS_PROP_CO_LAYOUT_*, default UNKNOWN */
	DAOS_PROP_CO_LAYOUT_TYPE,
	/** middleware layout version, default 1 */
	DAOS_PROP_CO_LAYOUT_VER,
	/** DAOS_PROP_CO_CSUM_*, default OFF */
	DAOS_PROP_CO_CSUM,
	/** checksum chunk size in bytes, default 32 KiB */
	DAOS_PROP_CO_CSUM_CHUNK_SIZE,
	/** DAOS_PROP_CO_CSUM_SV_*, default OFF */
	DAOS_PROP_CO_CSUM_SERVER_VERIFY,
	/** DAOS_PROP_CO_REDUN_RF0..RF4, default RF0 */
	DAOS_PROP_CO_REDUN_FAC,
	/** fault-domain level for placement, default DAOS_PROP_CO_REDUN_NODE */
	DAOS_PROP_CO_REDUN_LVL,
	/** most snapshots kept (0: no limit) */
	DAOS_PROP_CO_SNAPSHOT_MAX,
	/** struct daos_acl * */
	DAOS_PROP_CO_ACL,
	/** DAOS_PROP_CO_COMPRESS_*, default OFF */
	DAOS_PROP_CO_COMPRESS,
	/** DAOS_PROP_CO_ENCRYPT_*, default OFF */
	DAOS_PROP_CO_ENCRYPT,
	/** owner principal "user@[domain]" */
	DAOS_PROP_CO_OWNER,
	/** owner-group principal "group@[domain]" */
	DAOS_PROP_CO_OWNER_GROUP,
	/** DAOS_PROP_CO_DEDUP_*, default OFF (needs checksums) */
	DAOS_PROP_CO_DEDUP,
	/** deduplication threshold in bytes, default 4 KiB */
	DAOS_PROP_CO_DEDUP_THRESHOLD,
	/** struct daos_prop_co_roots * */
	DAOS_PROP_CO_ROOTS,
	/** struct daos_co_status packed with daos_prop_co_status_2_val() */
	DAOS_PROP_CO_STATUS,
	/** highest allocated object ID (oid.lo) */
	DAOS_PROP_CO_ALLOCED_OID,
	/** EC cell size; 0 or absent: the pool's */
	DAOS_PROP_CO_EC_CELL_SZ,
	/** performance-domain affinity of EC objects */
	DAOS_PROP_CO_EC_PDA,
	/** performance-domain affinity of replicated objects */
	DAOS_PROP_CO_RP_PDA,
	/** container layout version, read-only */
	DAOS_PROP_CO_GLOBAL_VERSION,
	/** disable the pool's scrubber for this container */
	DAOS_PROP_CO_SCRUBBER_DISABLED,
	/** object layout version, read-only */
	DAOS_PROP_CO_OBJ_VERSION,
	/** performance domain level, inherited from the pool */
	DAOS_PROP_CO_PERF_DOMAIN,
	DAOS_PROP_CO_MAX,
};

/** Number of container property types */
#define DAOS_PROP_CO_NUM (DAOS_PROP_CO_MAX - DAOS_PROP_CO_MIN - 1)

/** First-class objects of a container (DFS superblock and root, ...). */
struct daos_prop_co_roots {
	daos_obj_id_t cr_oids[4];
};

typedef uint16_t daos_cont_layout_t;

/** Container layout types (the middleware that owns the container) */
enum {
	DAOS_PROP_CO_LAYOUT_UNKNOWN,
	DAOS_PROP_CO_LAYOUT_UNKOWN = DAOS_PROP_CO_LAYOUT_UNKNOWN,
	DAOS_PROP_CO_LAYOUT_POSIX,
	DAOS_PROP_CO_LAYOUT_HDF5,
	DAOS_PROP_CO_LAYOUT_PYTHON,
	DAOS_PROP_CO_LAYOUT_SPARK,
	DAOS_PROP_CO_LAYOUT_DATABASE,
	DAOS_PROP_CO_LAYOUT_ROOT,
	DAOS_PROP_CO_LAYOUT_SEISMIC,
	DAOS_PROP_CO_LAYOUT_METEO,
	DAOS_PROP_CO_LAYOUT_MAX
};

/** Checksum types */
enum {
	DAOS_PROP_CO_CSUM_OFF,
	DAOS_PROP_CO_CSUM_CRC16,
	DAOS_PROP_CO_CSUM_CRC32,
	DAOS_PROP_CO_CSUM_CRC64,
	DAOS_PROP_CO_CSUM_SHA1,
	DAOS_PROP_CO_CSUM_SHA256,
	DAOS_PROP_CO_CSUM_SHA512,
	DAOS_PROP_CO_CSUM_ADLER32
};

/** Server-side checksum verification */
enum { DAOS_PROP_CO_CSUM_SV_OFF, DAOS_PROP_CO_CSUM_SV_ON };

/** Deduplication */
enum { DAOS_PROP_CO_DEDUP_OFF, DAOS_PROP_CO_DEDUP_MEMCMP, DAOS_PROP_CO_DEDUP_HASH };

/** Compression */
enum {
	DAOS_PROP_CO_COMPRESS_OFF,
	DAOS_PROP_CO_COMPRESS_LZ4,
	DAOS_PROP_CO_COMPRESS_DEFLATE,
	DAOS_PROP_CO_COMPRESS_DEFLATE1,
	DAOS_PROP_CO_COMPRESS_DEFLATE2,
	DAOS_PROP_CO_COMPRESS_DEFLATE3,
	DAOS_PROP_CO_COMPRESS_DEFLATE4,
};

/** Encryption */
enum {
	DAOS_PROP_CO_ENCRYPT_OFF,
	DAOS_PROP_CO_ENCRYPT_AES_XTS128,
	DAOS_PROP_CO_ENCRYPT_AES_XTS256,
	DAOS_PROP_CO_ENCRYPT_AES_CBC128,
	DAOS_PROP_CO_ENCRYPT_AES_CBC192,
	DAOS_PROP_CO_ENCRYPT_AES_CBC256,
	DAOS_PROP_CO_ENCRYPT_AES_GCM128,
	DAOS_PROP_CO_ENCRYPT_AES_GCM256
};

/** Container redundancy factor: I/O is refused after more than RFn faults. */
enum {
	DAOS_PROP_CO_REDUN_RF0 = 0,
	DAOS_PROP_CO_REDUN_RF1 = 1,
	DAOS_PROP_CO_REDUN_RF2 = 2,
	DAOS_PROP_CO_REDUN_RF3 = 3,
	DAOS_PROP_CO_REDUN_RF4 = 4,
	DAOS_RF_MAX = 4,
};

/** Fault-domain level used for placement: 1 is the rank, 2..254 are admin-defined. */
enum {
	DAOS_PROP_CO_REDUN_MIN = 1,
	DAOS_PROP_CO_REDUN_RANK = 1,
	DAOS_PROP_CO_REDUN_NODE = 2,
	DAOS_PROP_CO_REDUN_FAULT = 3,
	DAOS_PROP_CO_REDUN_MAX = 254,
};

#define DAOS_PROP_CO_REDUN_DEFAULT DAOS_PROP_CO_REDUN_NODE

/** Container health */
enum {
	DAOS_PROP_CO_HEALTHY,
	/** more targets failed than the redundancy factor covers */
	DAOS_PROP_CO_UNCLEAN,
};

/** dcs_flags: clear the UNCLEAN status */
#define DAOS_PROP_CO_CLEAR (0x1)
/** dcs_flags: the container is being destroyed */
#define DAOS_PROP_CO_DESTROYING (0x2)

/** Container status, packed into dpe_val by daos_prop_co_status_2_val(). */
struct daos_co_status {
	/** DAOS_PROP_CO_HEALTHY or DAOS_PROP_CO_UNCLEAN */
	uint16_t dcs_status;
	/** DAOS_PROP_CO_CLEAR, DAOS_PROP_CO_DESTROYING */
	uint16_t dcs_flags;
	/** pool map version when the status was set */
	uint32_t dcs_pm_ver;
};

#define DAOS_PROP_CO_STATUS_VAL(status, flag, pm_ver) \
	((((uint64_t)(flag)) << 48) | (((uint64_t)(status)&0xFFFF) << 32) | ((uint64_t)(pm_ver)))

static inline uint64_t
daos_prop_co_status_2_val(struct daos_co_status *co_status)
{
	return DAOS_PROP_CO_STATUS_VAL(co_status->dcs_status, co_status->dcs_flags,
				       co_status->dcs_pm_ver);
}

static inline void
daos_prop_val_2_co_status(uint64_t val, struct daos_co_status *co_status)
{
	co_status->dcs_flags = (uint16_t)(val >> 48);
	co_status->dcs_status = (uint16_t)((val >> 32) & 0xFFFF);
	co_status->dcs_pm_ver = (uint32_t)(val & 0xFFFFFFFF);
}

/** dpe_flags: the entry carries no value (a "negative" entry). */
enum {
	DAOS_PROP_ENTRY_NOT_SET = (1 << 0),
};

/** One property: its number and a value (integer, string or pointer, by number). */
struct daos_prop_entry {
	/** enum daos_pool_props or enum daos_cont_props */
	uint32_t dpe_type;
	/** DAOS_PROP_ENTRY_NOT_SET */
	uint16_t dpe_flags;
	uint16_t dpe_reserv;
	union {
		uint64_t dpe_val;
		d_string_t dpe_str;
		void *dpe_val_ptr;
	};
};

/** Most entries a property list may hold. */
#define DAOS_PROP_ENTRIES_MAX_NR 128
/** Longest pool or container label. */
#define DAOS_PROP_LABEL_MAX_LEN     127
#define DAOS_PROP_MAX_LABEL_BUF_LEN (DAOS_PROP_LABEL_MAX_LEN + 1)

/** What queries report for a pool or container that has no label. */
#define DAOS_PROP_CO_LABEL_DEFAULT "container_label_not_set"
#define DAOS_PROP_PO_LABEL_DEFAULT "pool_label_not_set"
#define DAOS_PROP_NO_PO_LABEL      DAOS_PROP_PO_LABEL_DEFAULT
#define DEFAULT_CONT_LABEL         DAOS_PROP_CO_LABEL_DEFAULT
#define DAOS_PROP_NO_CO_LABEL      DEFAULT_CONT_LABEL

/**
 * A label is 1..DAOS_PROP_LABEL_MAX_LEN characters of letters, digits, '.',
 * '_', ':' and '-', and must not parse as a UUID (labels and UUIDs share the
 * command line).
 */
static inline bool
daos_label_is_valid(const char *label)
{
	size_t len;
	size_t i;

	if (label == NULL)
		return false;
	/* Bounded length without strnlen(), which strict C99 programs do not see. */
	for (len = 0; len <= DAOS_PROP_LABEL_MAX_LEN && label[len] != '\0'; len++)
		;
	if (len == 0 || len > DAOS_PROP_LABEL_MAX_LEN)
		return false;
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)label[i];

		if (!isalnum(c) && c != '.' && c != '_' && c != ':' && c != '-')
			return false;
	}
	return !daos_is_valid_uuid_string(label);
}

/** A performance domain name follows the label rules. */
static inline bool
daos_perf_domain_is_valid(const char *perf_domain)
{
	return daos_label_is_valid(perf_domain);
}

/** A list of properties. */
typedef struct {
	/** number of entries */
	uint32_t dpp_nr;
	uint32_t dpp_reserv;
	/** the entries */
	struct daos_prop_entry *dpp_entries;
} daos_prop_t;

/**
 * Allocate a property list of \a entries_nr zeroed entries (at most
 * DAOS_PROP_ENTRIES_MAX_NR). Returns NULL on failure.
 */
daos_prop_t *daos_prop_alloc(uint32_t entries_nr);

/** Free the values and the entry array of \a prop, leaving \a prop empty. */
void daos_prop_fini(daos_prop_t *prop);

/** Free \a prop, its entries and their values. NULL is accepted. */
void daos_prop_free(daos_prop_t *prop);

/**
 * Build a property list from "name:value;name:value" (the first \a len bytes
 * of \a str). Only properties a container may take at creation are accepted:
 * label, cksum, cksum_size, srv_cksum, dedup, dedup_threshold, compression,
 * encryption, rd_fac (rf), ec_cell_sz, ec_pda, rp_pda, perf_domain.
 * Free the result with daos_prop_free().
 *
 * \return 0, -DER_INVAL (bad syntax, unknown or read-only property, bad value), -DER_NOMEM
 */
int daos_prop_from_str(const char *str, daos_size_t len, daos_prop_t **prop);

/**
 * Merge \a new_prop into a copy of \a old_prop: entries of \a new_prop replace
 * those of the same type. The result is newly allocated.
 *
 * \return 0, -DER_INVAL, -DER_NOMEM
 */
int daos_prop_merge2(daos_prop_t *old_prop, daos_prop_t *new_prop, daos_prop_t **out_prop);

/** As daos_prop_merge2(), returning the result or NULL. */
daos_prop_t *daos_prop_merge(daos_prop_t *old_prop, daos_prop_t *new_prop);

/** The entry of type \a type in \a prop, or NULL. */
struct daos_prop_entry *daos_prop_entry_get(daos_prop_t *prop, uint32_t type);

/**
 * Copy at most \a len bytes of \a str into the string-valued entry of type
 * \a type, replacing any old value; a NULL \a str or 0 \a len clears it.
 *
 * \return 0, -DER_NONEXIST (no such entry), -DER_INVAL (not a string property), -DER_NOMEM
 */
int daos_prop_set_str(daos_prop_t *prop, uint32_t type, const char *str, daos_size_t len);

/** As daos_prop_set_str() on an entry whose dpe_type is already set. */
int daos_prop_entry_set_str(struct daos_prop_entry *entry, const char *str, daos_size_t len);

/**
 * Copy \a size bytes at \a ptr into the pointer-valued entry of type \a type
 * (ACL, root OIDs), replacing any old value; NULL or 0 clears it.
 *
 * \return 0, -DER_NONEXIST (no such entry), -DER_INVAL (not a flat pointer property), -DER_NOMEM
 */
int daos_prop_set_ptr(daos_prop_t *prop, uint32_t type, const void *ptr, daos_size_t size);

/** As daos_prop_set_ptr() on an entry whose dpe_type is already set. */
int daos_prop_entry_set_ptr(struct daos_prop_entry *entry, const void *ptr, daos_size_t size);

/** Copy \a len bytes of \a entry_src's pointer value into a new buffer of \a entry_dst. */
int daos_prop_entry_dup_ptr(struct daos_prop_entry *entry_dst, struct daos_prop_entry *entry_src,
			    size_t len);

/**
 * Compare two ACL entries (DAOS_PROP_PO_ACL or DAOS_PROP_CO_ACL).
 *
 * \return 0 if equal, -DER_MISMATCH otherwise
 */
int daos_prop_entry_cmp_acl(struct daos_prop_entry *entry1, struct daos_prop_entry *entry2);

/** Copy the root OIDs of \a src into \a dst (allocating dst's buffer if needed). */
int daos_prop_entry_dup_co_roots(struct daos_prop_entry *dst, struct daos_prop_entry *src);

/** True if entries of this type hold a string. */
bool daos_prop_has_str(struct daos_prop_entry *entry);

/** True if entries of this type hold a pointer to an allocated value. */
bool daos_prop_has_ptr(struct daos_prop_entry *entry);

/** False for a "negative" entry that carries no value. */
static inline bool
daos_prop_is_set(struct daos_prop_entry *entry)
{
	return entry != NULL && !(entry->dpe_flags & DAOS_PROP_ENTRY_NOT_SET);
}

#if defined(__cplusplus)
}
#endif

#endif /* __DAOS_PROP_H__ */
