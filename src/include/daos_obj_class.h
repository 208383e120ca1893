/**
 * DAOS object classes: class IDs (redundancy code << 24 | group count), their
 * names ("S1", "RP_3GX", "EC_2P1G1", ...) and the name/ID conversions. IDs
 * and names follow DAOS 2.x daos_obj_class.h.
 */
#ifndef __DAOS_OBJ_CLASS_H__
#define __DAOS_OBJ_CLASS_H__

#include <sys/types.h>
#include <inttypes.h>
#include <daos_types.h>

#if defined(__cplusplus)
extern "C" {
#endif

/** Buffer size for daos_oclass_id2name(). */
#define MAX_OBJ_CLASS_NAME_LEN 24

/** Group count meaning "as many groups as the pool allows" (the X of SX, RP_2GX). */
#define MAX_NUM_GROUPS               ((1 << 16UL) - 1)
#define OC_REDUN_SHIFT               24
#define OBJ_CLASS_DEF(redun, grp_nr) ((redun << OC_REDUN_SHIFT) | grp_nr)

/** Redundancy codes (bits 24-31 of a class ID) and the predefined classes. */
enum daos_obj_redun {
	OC_UNKNOWN = 0,
	/** no data protection */
	OR_RP_1 = 1,
	/** n-way replication */
	OR_RP_2 = 8,
	OR_RP_3,
	OR_RP_4,
	OR_RP_5,
	OR_RP_6,
	OR_RP_8,
	OR_RP_12,
	OR_RP_16,
	OR_RP_24,
	OR_RP_32,
	OR_RP_48,
	OR_RP_64,
	OR_RP_128,
	/** Reed-Solomon k+p erasure codes */
	OR_RS_2P1 = 32,
	OR_RS_2P2,
	OR_RS_4P1,
	OR_RS_4P2,
	OR_RS_8P1,
	OR_RS_8P2,
	OR_RS_16P1,
	OR_RS_16P2,
	OR_RS_4P3,
	OR_RS_8P3,
	OR_RS_16P3,

	/* Classes whose width DAOS picks from the pool size (IDs below 1 << 24). */
	OC_BACK_COMPAT = 50,
	OC_TINY,
	OC_SMALL,
	OC_LARGE,
	OC_MAX,
	OC_RP_TINY = 60,
	OC_RP_SMALL,
	OC_RP_LARGE,
	OC_RP_MAX,
	OC_RP_SF_TINY = 70,
	OC_RP_SF_SMALL,
	OC_RP_SF_LARGE,
	OC_RP_SF_MAX,
	OC_RP_XSF = 80,
	OC_EC_TINY = 100,
	OC_EC_SMALL,
	OC_EC_LARGE,
	OC_EC_MAX,

	/* Explicit layouts most programs name; the others follow the same encoding. */
	OC_S1 = OBJ_CLASS_DEF(OR_RP_1, 1ULL),
	OC_S2 = OBJ_CLASS_DEF(OR_RP_1, 2ULL),
	OC_S4 = OBJ_CLASS_DEF(OR_RP_1, 4ULL),
	OC_S6 = OBJ_CLASS_DEF(OR_RP_1, 6ULL),
	OC_S8 = OBJ_CLASS_DEF(OR_RP_1, 8ULL),
	OC_S12 = OBJ_CLASS_DEF(OR_RP_1, 12ULL),
	OC_S16 = OBJ_CLASS_DEF(OR_RP_1, 16ULL),
	OC_S32 = OBJ_CLASS_DEF(OR_RP_1, 32ULL),
	OC_SX = OBJ_CLASS_DEF(OR_RP_1, MAX_NUM_GROUPS),
	OC_RP_2G1 = OBJ_CLASS_DEF(OR_RP_2, 1ULL),
	OC_RP_2G2 = OBJ_CLASS_DEF(OR_RP_2, 2ULL),
	OC_RP_2G4 = OBJ_CLASS_DEF(OR_RP_2, 4ULL),
	OC_RP_2G8 = OBJ_CLASS_DEF(OR_RP_2, 8ULL),
	OC_RP_2GX = OBJ_CLASS_DEF(OR_RP_2, MAX_NUM_GROUPS),
	OC_RP_3G1 = OBJ_CLASS_DEF(OR_RP_3, 1ULL),
	OC_RP_3G2 = OBJ_CLASS_DEF(OR_RP_3, 2ULL),
	OC_RP_3G4 = OBJ_CLASS_DEF(OR_RP_3, 4ULL),
	OC_RP_3G8 = OBJ_CLASS_DEF(OR_RP_3, 8ULL),
	OC_RP_3GX = OBJ_CLASS_DEF(OR_RP_3, MAX_NUM_GROUPS),
	OC_RP_4G1 = OBJ_CLASS_DEF(OR_RP_4, 1ULL),
	OC_RP_4GX = OBJ_CLASS_DEF(OR_RP_4, MAX_NUM_GROUPS),
	OC_RP_12G1 = OBJ_CLASS_DEF(OR_RP_12, 1ULL),
	OC_RP_16G1 = OBJ_CLASS_DEF(OR_RP_16, 1ULL),
	OC_RP_24G1 = OBJ_CLASS_DEF(OR_RP_24, 1ULL),
	OC_RP_32G1 = OBJ_CLASS_DEF(OR_RP_32, 1ULL),
	OC_RP_48G1 = OBJ_CLASS_DEF(OR_RP_48, 1ULL),
	OC_RP_64G1 = OBJ_CLASS_DEF(OR_RP_64, 1ULL),
	OC_RP_128G1 = OBJ_CLASS_DEF(OR_RP_128, 1ULL),
	OC_EC_2P1G1 = OBJ_CLASS_DEF(OR_RS_2P1, 1ULL),
	OC_EC_2P1GX = OBJ_CLASS_DEF(OR_RS_2P1, MAX_NUM_GROUPS),
	OC_EC_2P2G1 = OBJ_CLASS_DEF(OR_RS_2P2, 1ULL),
	OC_EC_4P1G1 = OBJ_CLASS_DEF(OR_RS_4P1, 1ULL),
	OC_EC_4P2G1 = OBJ_CLASS_DEF(OR_RS_4P2, 1ULL),
	OC_EC_4P2GX = OBJ_CLASS_DEF(OR_RS_4P2, MAX_NUM_GROUPS),
	OC_EC_8P2G1 = OBJ_CLASS_DEF(OR_RS_8P2, 1ULL),
	OC_EC_16P2G1 = OBJ_CLASS_DEF(OR_RS_16P2, 1ULL),

	/** IDs from here on are reserved */
	OC_RESERVED = 1 << 30,
};

/** object class ID */
typedef uint32_t daos_oclass_id_t;
/** object class hints */
typedef uint16_t daos_oclass_hints_t;

/**
 * ID of an object class name ("S1", "SX", "RP_3GX", "EC_2P1G1", "RP_XSF",
 * "TINY", ...; case-insensitive, an "OC_" prefix is accepted).
 *
 * \return the class ID, or OC_UNKNOWN (0) if the name is not a class.
 */
int daos_oclass_name2id(const char *name);

/**
 * Name of class \a oc_id into \a name (MAX_OBJ_CLASS_NAME_LEN bytes);
 * OC_UNKNOWN gives "UNKNOWN".
 *
 * \return 0, or -1 if \a oc_id is not a class (name then holds "UNKNOWN").
 */
int daos_oclass_id2name(daos_oclass_id_t oc_id, char *name);

/** Number of named object classes. */
int daos_oclass_nr(int opts);

/**
 * Every class name, separated by ", ", into \a str (\a size bytes; may be 0).
 *
 * \return the length the full list needs (excluding the NUL), or a negative DER.
 */
ssize_t daos_oclass_names_list(size_t size, char *str);

#if defined(__cplusplus)
}
#endif

#endif /* __DAOS_OBJ_CLASS_H__ */
