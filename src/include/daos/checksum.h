/**
 * Checksum descriptors shared by the client, the object layer and VOS.
 *
 * A dcs_csum_info describes \a cs_nr checksums of \a cs_len bytes each, one per
 * \a cs_chunksize bytes of data (a single value has one checksum for the whole value),
 * packed back to back in \a cs_csum.
 */
#ifndef __DAOS_CHECKSUM_H__
#define __DAOS_CHECKSUM_H__

#include <stdint.h>

/** Checksum types, numbered as DAOS's container property values (DAOS_PROP_CO_CSUM_*). */
enum DAOS_CSUM_TYPE {
	CSUM_TYPE_UNKNOWN = 0,
	CSUM_TYPE_ISAL_CRC16_T10DIF = 1,
	CSUM_TYPE_ISAL_CRC32_ISCSI = 2,
	CSUM_TYPE_ISAL_CRC64_REFL = 3,
	CSUM_TYPE_ISAL_SHA1 = 4,
	CSUM_TYPE_ISAL_SHA256 = 5,
	CSUM_TYPE_ISAL_SHA512 = 6,
	CSUM_TYPE_ADLER32 = 7,
	CSUM_TYPE_END = 8,
};

struct dcs_csum_info {
	/** packed checksums */
	uint8_t *cs_csum;
	/** number of checksums */
	uint32_t cs_nr;
	/** checksum type (enum DAOS_CSUM_TYPE) */
	uint16_t cs_type;
	/** length of one checksum in bytes */
	uint16_t cs_len;
	/** size of the cs_csum buffer */
	uint32_t cs_buf_len;
	/** bytes of data covered by one checksum */
	uint32_t cs_chunksize;
};

/** Checksums of one iod: the akey's and one dcs_csum_info per extent (one for a single value). */
struct dcs_iod_csums {
	struct dcs_csum_info  ic_akey;
	struct dcs_csum_info *ic_data;
	uint32_t              ic_nr;
};

#endif /* __DAOS_CHECKSUM_H__ */
