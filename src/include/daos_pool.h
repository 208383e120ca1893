/**
 * Pools: connection, query, attributes and container listing.
 *
 * daos_pool_connect() is a macro for daos_pool_connect2(), as in DAOS 2.x,
 * so programs compiled against these headers call the label-or-UUID form.
 */
#ifndef __DAOS_POOL_H__
#define __DAOS_POOL_H__

#include <daos_types.h>
#include <daos_event.h>
#include <daos_prop.h>

#define daos_pool_connect daos_pool_connect2

#if defined(__cplusplus)
extern "C" {
#endif

/** Kind of storage behind a target */
typedef enum {
	DAOS_TP_UNKNOWN,
	DAOS_TP_HDD,
	DAOS_TP_SSD,
	DAOS_TP_PM,
	DAOS_TP_VM,
} daos_target_type_t;

/** State of a target in the pool map */
typedef enum {
	DAOS_TS_UNKNOWN,
	/** not available, rebuilt elsewhere */
	DAOS_TS_DOWN_OUT,
	/** not available, may need rebuild */
	DAOS_TS_DOWN,
	/** being brought in */
	DAOS_TS_UP,
	/** up and serving */
	DAOS_TS_UP_IN,
	/** being added by a map change */
	DAOS_TS_NEW,
	/** being drained */
	DAOS_TS_DRAIN,
} daos_target_state_t;

/** Target performance (reserved) */
typedef struct {
	int foo;
} daos_target_perf_t;

/** Storage tiers: metadata (SCM in DAOS, the metadata heap here) and data (NVMe / blob files). */
/* also declared by the server's daos_srv/bio.h: whichever comes first defines it */
#ifndef DAOS_MEDIA_DEFINED
#define DAOS_MEDIA_DEFINED
enum daos_media_type_t { DAOS_MEDIA_SCM = 0, DAOS_MEDIA_NVME, DAOS_MEDIA_MAX };
#endif

/** Space of one target or of a whole pool, per tier */
#ifndef DAOS_SPACE_DEFINED
#define DAOS_SPACE_DEFINED
struct daos_space {
	/** total bytes */
	uint64_t s_total[DAOS_MEDIA_MAX];
	/** free bytes */
	uint64_t s_free[DAOS_MEDIA_MAX];
};
#endif

/** One target's information (daos_pool_query_target) */
typedef struct {
	daos_target_type_t ta_type;
	daos_target_state_t ta_state;
	daos_target_perf_t ta_perf;
	struct daos_space ta_space;
} daos_target_info_t;

/** Pool space: totals over the live targets and the spread of free space between them */
struct daos_pool_space {
	/** totals over all live targets */
	struct daos_space ps_space;
	/** least free space of one target, per tier */
	uint64_t ps_free_min[DAOS_MEDIA_MAX];
	/** most free space of one target, per tier */
	uint64_t ps_free_max[DAOS_MEDIA_MAX];
	/** mean free space per target, per tier */
	uint64_t ps_free_mean[DAOS_MEDIA_MAX];
	/** number of targets counted */
	uint32_t ps_ntargets;
	uint32_t ps_padding;
};

/** Rebuild state */
enum daos_rebuild_state_t {
	DRS_IN_PROGRESS = 0,
	DRS_NOT_STARTED = 1,
	DRS_COMPLETED = 2,
};

/** rs_flags: redundancy is degraded */
#define DAOS_RSF_DEGRADED (1U << 0)

/** Rebuild status of a pool */
struct daos_rebuild_status {
	/** pool map version being rebuilt, or of the last completed rebuild */
	uint32_t rs_version;
	/** seconds the rebuild took */
	uint32_t rs_seconds;
	/** error of a failed rebuild */
	int32_t rs_errno;
	/** enum daos_rebuild_state_t; DRS_COMPLETED is meaningful only with rs_version != 0 */
	union {
		int32_t rs_state;
		int32_t rs_done;
	};
	/** DAOS_RSF_* */
	int32_t rs_flags;
	/** rank whose failure started the rebuild */
	int32_t rs_fail_rank;
	/** objects to rebuild */
	uint64_t rs_toberb_obj_nr;
	/** objects rebuilt */
	uint64_t rs_obj_nr;
	/** records rebuilt */
	uint64_t rs_rec_nr;
	/** bytes rebuilt */
	uint64_t rs_size;
};

/**
 * Optional parts of daos_pool_query(), chosen by daos_pool_info_t::pi_bits.
 * The fields pi_uuid..pi_leader are always filled.
 */
enum daos_pool_info_bit {
	/** fill pi_space */
	DPI_SPACE = 1ULL << 0,
	/** fill pi_rebuild_st */
	DPI_REBUILD_STATUS = 1ULL << 1,
	/** ranks: engines with all targets enabled */
	DPI_ENGINES_ENABLED = 1ULL << 2,
	/** ranks: engines with some target disabled */
	DPI_ENGINES_DISABLED = 1ULL << 3,
	/** ranks: engines the system considers dead */
	DPI_ENGINES_DEAD = 1ULL << 4,
	/** report the highest layout version rebuild may produce */
	DPI_REBUILD_MAX_LAYOUT_VER = 1ULL << 5,
	/** query everything */
	DPI_ALL = -1,
};

/** Pool information */
typedef struct {
	/** pool UUID */
	uuid_t pi_uuid;
	/** number of targets */
	uint32_t pi_ntargets;
	/** number of engines (ranks) */
	uint32_t pi_nnodes;
	/** number of disabled targets */
	uint32_t pi_ndisabled;
	/** pool map version */
	uint32_t pi_map_ver;
	/** rank of the pool service leader */
	uint32_t pi_leader;
	/** daos_pool_info_bit: what to query (in) */
	uint64_t pi_bits;
	/** space (DPI_SPACE) */
	struct daos_pool_space pi_space;
	/** rebuild status (DPI_REBUILD_STATUS) */
	struct daos_rebuild_status pi_rebuild_st;
	/** pool layout version */
	uint32_t pi_proto_ver;
	/** highest rebuild layout version (DPI_REBUILD_MAX_LAYOUT_VER) */
	uint32_t pi_rf_max_layout_ver;
} daos_pool_info_t;

/** One container of a pool (daos_pool_list_cont) */
struct daos_pool_cont_info {
	uuid_t pci_uuid;
	char pci_label[DAOS_PROP_LABEL_MAX_LEN + 1];
};

/** Longest DAOS system name accepted by connect */
#define DAOS_SYS_NAME_MAX_LEN 127

/**
 * Connect to the pool named by \a pool, a label or a UUID string, of system
 * \a sys (NULL: the default). \a flags is one of DAOS_PC_RO/RW/EX. \a info,
 * if given, is filled as daos_pool_query() would.
 *
 * \return 0, -DER_INVAL, -DER_NONEXIST, -DER_NO_PERM, -DER_UNREACH, -DER_TIMEDOUT
 */
int daos_pool_connect2(const char *pool, const char *sys, unsigned int flags, daos_handle_t *poh,
		       daos_pool_info_t *info, daos_event_t *ev);

/**
 * Disconnect; container handles opened through \a poh become invalid.
 *
 * \return 0, -DER_NO_HDL, -DER_UNREACH
 */
int daos_pool_disconnect(daos_handle_t poh, daos_event_t *ev);

/**
 * Serialize a pool handle for peer processes. With glob->iov_buf NULL, only
 * the size needed is returned in glob->iov_buf_len.
 *
 * \return 0, -DER_INVAL, -DER_NO_HDL, -DER_TRUNC
 */
int daos_pool_local2global(daos_handle_t poh, d_iov_t *glob);

/** Make a local pool handle from daos_pool_local2global() data. */
int daos_pool_global2local(d_iov_t glob, daos_handle_t *poh);

/**
 * Query a pool: \a ranks (optional, free with d_rank_list_free) receives
 * engines by pi_bits (default: those with disabled targets); \a info the
 * information selected by pi_bits; \a pool_prop (optional) the properties
 * (all if empty, else the types asked for; free with daos_prop_free).
 */
int daos_pool_query(daos_handle_t poh, d_rank_list_t **ranks, daos_pool_info_t *info,
		    daos_prop_t *pool_prop, daos_event_t *ev);

/** Query one target (\a tgt index on \a rank). */
int daos_pool_query_target(daos_handle_t poh, uint32_t tgt, d_rank_t rank, daos_target_info_t *info,
			   daos_event_t *ev);

/**
 * List attribute names: NUL-terminated names back to back in \a buffer (may
 * be NULL); \a size in: buffer size, out: total size of all names.
 */
int daos_pool_list_attr(daos_handle_t poh, char *buffer, size_t *size, daos_event_t *ev);

/** Get \a n attribute values; NULL buffers only report sizes. */
int daos_pool_get_attr(daos_handle_t poh, int n, char const *const names[], void *const buffers[],
		       size_t sizes[], daos_event_t *ev);

/** Create or update \a n attributes. */
int daos_pool_set_attr(daos_handle_t poh, int n, char const *const names[],
		       void const *const values[], size_t const sizes[], daos_event_t *ev);

/** Delete \a n attributes. */
int daos_pool_del_attr(daos_handle_t poh, int n, char const *const names[], daos_event_t *ev);

/**
 * List the containers of a pool: \a ncont in: capacity of \a cbuf, out:
 * number of containers. A NULL \a cbuf only counts.
 *
 * \return 0, -DER_TRUNC (cbuf too small; ncont holds the count)
 */
int daos_pool_list_cont(daos_handle_t poh, daos_size_t *ncont, struct daos_pool_cont_info *cbuf,
			daos_event_t *ev);

/**
 * Permissions (DAOS_ACL_PERM_* bits) the pool ACL in \a pool_prop (which
 * must hold the ACL, owner and owner-group) grants user \a uid whose groups
 * are \a gids (the first is the primary group). No server is contacted.
 *
 * \return 0, -DER_INVAL, -DER_NOMEM
 */
int daos_pool_get_perms(daos_prop_t *pool_prop, uid_t uid, gid_t *gids, size_t nr_gids,
			uint64_t *perms);

#if defined(__cplusplus)
}
#endif

#endif /* __DAOS_POOL_H__ */
