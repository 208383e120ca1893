/**
 * DAOS object types: object IDs and their type bits, I/O descriptors and maps, conditional
 * operation flags and key-query flags. Names and values follow DAOS 2.x daos_obj.h.
 *
 * daos_recx_t, daos_iod_type_t and daos_iod_t live in daos_types.h (shared with the event
 * code); this header adds what the object layers and VOS need. The client object API
 * functions (daos_obj_open/update/fetch...) are declared here by the client layer later.
 */
#ifndef __DAOS_OBJ_H__
#define __DAOS_OBJ_H__

#include <daos_types.h>
#include <daos_obj_class.h>

#if defined(__cplusplus)
extern "C" {
#endif

#define DAOS_OBJ_NIL ((daos_obj_id_t){0})

/* The high 32 bits of oid.hi belong to DAOS: | type 8 | class 8 | class metadata 16 | */
#define OID_FMT_INTR_BITS   32
#define OID_FMT_TYPE_BITS   8
#define OID_FMT_CLASS_BITS  8
#define OID_FMT_META_BITS   16

#define OID_FMT_TYPE_SHIFT  (64 - OID_FMT_TYPE_BITS)
#define OID_FMT_CLASS_SHIFT (OID_FMT_TYPE_SHIFT - OID_FMT_CLASS_BITS)
#define OID_FMT_META_SHIFT  (OID_FMT_CLASS_SHIFT - OID_FMT_META_BITS)

#define OID_FMT_TYPE_MAX    ((1ULL << OID_FMT_TYPE_BITS) - 1)
#define OID_FMT_CLASS_MAX   ((1ULL << OID_FMT_CLASS_BITS) - 1)
#define OID_FMT_META_MAX    ((1ULL << OID_FMT_META_BITS) - 1)

#define OID_FMT_TYPE_MASK   (OID_FMT_TYPE_MAX << OID_FMT_TYPE_SHIFT)
#define OID_FMT_CLASS_MASK  (OID_FMT_CLASS_MAX << OID_FMT_CLASS_SHIFT)
#define OID_FMT_META_MASK   (OID_FMT_META_MAX << OID_FMT_META_SHIFT)

/** Object type: decides how dkeys and akeys are ordered (hashed, lexical, uint64). */
enum daos_otype_t {
	DAOS_OT_MULTI_HASHED = 0,
	DAOS_OT_OIT = 1,
	DAOS_OT_DKEY_UINT64 = 2,
	DAOS_OT_AKEY_UINT64 = 3,
	DAOS_OT_MULTI_UINT64 = 4,
	DAOS_OT_DKEY_LEXICAL = 5,
	DAOS_OT_AKEY_LEXICAL = 6,
	DAOS_OT_MULTI_LEXICAL = 7,
	DAOS_OT_KV_HASHED = 8,
	DAOS_OT_KV_UINT64 = 9,
	DAOS_OT_KV_LEXICAL = 10,
	DAOS_OT_ARRAY = 11,
	DAOS_OT_ARRAY_ATTR = 12,
	DAOS_OT_ARRAY_BYTE = 13,
	DAOS_OT_OIT_V2 = 14,
	DAOS_OT_MAX = 14,
};

/*
 * DAOS 1.x feature bits, kept for source compatibility only. VOS decides the key order from
 * the 2.x object type (daos_obj_id2type): *_UINT64 types and arrays use integer dkeys,
 * *_LEXICAL types lexical keys, others hashed keys.
 */
enum {
	DAOS_OF_DKEY_UINT64 = (1 << 0),
	DAOS_OF_DKEY_LEXICAL = (1 << 1),
	DAOS_OF_AKEY_UINT64 = (1 << 2),
	DAOS_OF_AKEY_LEXICAL = (1 << 3),
};

static inline bool
daos_otype_t_is_valid(enum daos_otype_t type)
{
	return type <= DAOS_OT_MAX;
}

static inline enum daos_otype_t
daos_obj_id2type(daos_obj_id_t oid)
{
	return (enum daos_otype_t)((oid.hi & OID_FMT_TYPE_MASK) >> OID_FMT_TYPE_SHIFT);
}

/** Set the type bits of \a oid (tests and VOS tools; the client has daos_obj_generate_oid). */
static inline void
daos_obj_set_type(daos_obj_id_t *oid, enum daos_otype_t type)
{
	oid->hi = (oid->hi & ~OID_FMT_TYPE_MASK) | ((uint64_t)type << OID_FMT_TYPE_SHIFT);
}

static inline bool
daos_is_dkey_lexical_type(enum daos_otype_t type)
{
	return type == DAOS_OT_DKEY_LEXICAL || type == DAOS_OT_MULTI_LEXICAL ||
	       type == DAOS_OT_KV_LEXICAL;
}

static inline bool
daos_is_dkey_lexical(daos_obj_id_t oid)
{
	return daos_is_dkey_lexical_type(daos_obj_id2type(oid));
}

static inline bool
daos_is_akey_lexical_type(enum daos_otype_t type)
{
	return type == DAOS_OT_AKEY_LEXICAL || type == DAOS_OT_MULTI_LEXICAL;
}

static inline bool
daos_is_akey_lexical(daos_obj_id_t oid)
{
	return daos_is_akey_lexical_type(daos_obj_id2type(oid));
}

static inline bool
daos_is_dkey_uint64_type(enum daos_otype_t type)
{
	switch (type) {
	case DAOS_OT_MULTI_UINT64:
	case DAOS_OT_DKEY_UINT64:
	case DAOS_OT_KV_UINT64:
	case DAOS_OT_ARRAY:
	case DAOS_OT_ARRAY_ATTR:
	case DAOS_OT_ARRAY_BYTE:
		return true;
	default:
		return false;
	}
}

static inline bool
daos_is_dkey_uint64(daos_obj_id_t oid)
{
	return daos_is_dkey_uint64_type(daos_obj_id2type(oid));
}

static inline bool
daos_is_akey_uint64_type(enum daos_otype_t type)
{
	return type == DAOS_OT_MULTI_UINT64 || type == DAOS_OT_AKEY_UINT64;
}

static inline bool
daos_is_akey_uint64(daos_obj_id_t oid)
{
	return daos_is_akey_uint64_type(daos_obj_id2type(oid));
}

static inline bool
daos_is_array_type(enum daos_otype_t type)
{
	return type == DAOS_OT_ARRAY || type == DAOS_OT_ARRAY_ATTR || type == DAOS_OT_ARRAY_BYTE;
}

static inline bool
daos_is_array(daos_obj_id_t oid)
{
	return daos_is_array_type(daos_obj_id2type(oid));
}

static inline bool
daos_is_kv_type(enum daos_otype_t type)
{
	return type == DAOS_OT_KV_HASHED || type == DAOS_OT_KV_UINT64 || type == DAOS_OT_KV_LEXICAL;
}

static inline bool
daos_is_kv(daos_obj_id_t oid)
{
	return daos_is_kv_type(daos_obj_id2type(oid));
}

static inline bool
daos_obj_id_is_nil(daos_obj_id_t oid)
{
	return oid.hi == 0 && oid.lo == 0;
}

static inline bool
daos_oid_cmp(daos_obj_id_t a, daos_obj_id_t b)
{
	return a.hi == b.hi && a.lo == b.lo;
}

/** Object shard ID: the object plus the shard (and layout version) a target stores. */
typedef struct {
	daos_obj_id_t id_pub;
	uint32_t id_shard;
	uint32_t id_layout_ver;
	uint32_t id_padding;
} daos_unit_oid_t;

#define DF_OID      DF_X64 "." DF_X64
#define DP_OID(o)   (o).hi, (o).lo
#define DF_UOID     DF_OID ".%u"
#define DP_UOID(uo) DP_OID((uo).id_pub), (uo).id_shard

static inline bool
daos_unit_oid_compare(daos_unit_oid_t a, daos_unit_oid_t b)
{
	return a.id_pub.hi == b.id_pub.hi && a.id_pub.lo == b.id_pub.lo && a.id_shard == b.id_shard;
}

/** Number of bits reserved in I/O flags for conditional checks. */
#define IO_FLAGS_COND_BITS 8

enum {
	/** punch the key if it exists, else -DER_NONEXIST */
	DAOS_COND_PUNCH = (1 << 0),
	/** insert the dkey if it does not exist, else -DER_EXIST */
	DAOS_COND_DKEY_INSERT = (1 << 1),
	/** update the dkey if it exists, else -DER_NONEXIST */
	DAOS_COND_DKEY_UPDATE = (1 << 2),
	/** fetch the dkey if it exists, else -DER_NONEXIST */
	DAOS_COND_DKEY_FETCH = (1 << 3),
	/** insert the akey if it does not exist, else -DER_EXIST */
	DAOS_COND_AKEY_INSERT = (1 << 4),
	/** update the akey if it exists, else -DER_NONEXIST */
	DAOS_COND_AKEY_UPDATE = (1 << 5),
	/** fetch the akey if it exists, else -DER_NONEXIST */
	DAOS_COND_AKEY_FETCH = (1 << 6),
	/** akey conditions are in each iod's iod_flags instead */
	DAOS_COND_PER_AKEY = (1 << 7),
	DAOS_COND_MASK = ((1 << IO_FLAGS_COND_BITS) - 1),
};

/** The I/O map wants the detailed iom_recxs list, not only iom_recx_lo/hi. */
#define DAOS_IOMF_DETAIL (0x1U)

/** What a fetch found for one iod: the extents that exist inside the requested ones. */
typedef struct {
	daos_iod_type_t iom_type;
	/** entries allocated in iom_recxs */
	uint32_t iom_nr;
	/** extents found (may exceed iom_nr: the list is then truncated) */
	uint32_t iom_nr_out;
	uint32_t iom_flags;
	/** value size (single) or record size (array) */
	daos_size_t iom_size;
	/** lowest and highest extent found */
	daos_recx_t iom_recx_lo;
	daos_recx_t iom_recx_hi;
	daos_recx_t *iom_recxs;
} daos_iom_t;

/** Any record size: a fetch with iod_size == DAOS_REC_ANY asks for the size. */
enum {
	DAOS_REC_ANY = 0,
};

/** daos_obj_query_key() flags. */
enum {
	DAOS_GET_MAX = (1 << 0),
	DAOS_GET_MIN = (1 << 1),
	DAOS_GET_DKEY = (1 << 2),
	DAOS_GET_AKEY = (1 << 3),
	DAOS_GET_RECX = (1 << 4),
};

#if defined(__cplusplus)
}
#endif

#endif /* __DAOS_OBJ_H__ */
