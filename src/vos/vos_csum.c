/**
 * Checksums VOS computes and verifies (isa-l): CRC32C (iSCSI) and CRC64 (ECMA, reflected).
 */
#define D_LOGFAC DD_FAC(vos)

#include <isa-l.h>
#include "vos_internal.h"

int
vos_csum_len(uint16_t type)
{
	switch (type) {
	case CSUM_TYPE_ISAL_CRC32_ISCSI:
		return sizeof(uint32_t);
	case CSUM_TYPE_ISAL_CRC64_REFL:
		return sizeof(uint64_t);
	default:
		return -DER_NOTSUPPORTED;
	}
}

int
vos_csum_compute(uint16_t type, const void *buf, size_t len, uint8_t *out)
{
	uint32_t c32;
	uint64_t c64;

	switch (type) {
	case CSUM_TYPE_ISAL_CRC32_ISCSI:
		c32 = crc32_iscsi((unsigned char *)buf, (int)len, 0xffffffff);
		memcpy(out, &c32, sizeof(c32));
		return 0;
	case CSUM_TYPE_ISAL_CRC64_REFL:
		c64 = crc64_ecma_refl(0, buf, len);
		memcpy(out, &c64, sizeof(c64));
		return 0;
	default:
		return -DER_NOTSUPPORTED;
	}
}

int
vos_csum_info_alloc(struct dcs_csum_info *ci, uint16_t type, uint32_t chunk, uint64_t lo,
		    uint64_t hi)
{
	uint64_t first = lo / chunk, last = (hi - 1) / chunk;
	int len = vos_csum_len(type);

	if (len < 0)
		return len;
	D_ALLOC(ci->cs_csum, (last - first + 1) * len);
	if (ci->cs_csum == NULL)
		return -DER_NOMEM;
	ci->cs_nr = last - first + 1;
	ci->cs_len = len;
	ci->cs_type = type;
	ci->cs_chunksize = chunk;
	ci->cs_buf_len = ci->cs_nr * len;
	return 0;
}
