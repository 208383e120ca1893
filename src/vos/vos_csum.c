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
