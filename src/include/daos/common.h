/**
 * Helpers shared by the DAOS modules (client and server), on top of gurt.
 * Internal: programs built against the public API do not include it.
 */
#ifndef __DAOS_COMMON_H__
#define __DAOS_COMMON_H__

#include <errno.h>

#include <gurt/common.h>
#include <daos_errno.h>

#if defined(__cplusplus)
extern "C" {
#endif

/**
 * The POSIX errno closest to a DER_* code (either sign), as DFS and dfuse
 * report errors: 0 for success, EIO for codes without a better match.
 */
static inline int
daos_der2errno(int err)
{
	if (err < 0)
		err = -err;
	switch (err) {
	case DER_SUCCESS:
		return 0;
	case DER_NO_PERM:
	case DER_EP_RO:
	case DER_EP_OLD:
	case DER_CONT_DESTROYING:
		return EPERM;
	case DER_ENOENT:
	case DER_NONEXIST:
		return ENOENT;
	case DER_INVAL:
	case DER_NOTYPE:
	case DER_NOSCHEMA:
	case DER_NOLOCAL:
	case DER_NO_HDL:
	case DER_IO_INVAL:
		return EINVAL;
	case DER_KEY2BIG:
	case DER_REC2BIG:
		return E2BIG;
	case DER_EXIST:
		return EEXIST;
	case DER_UNREACH:
		return EHOSTUNREACH;
	case DER_NOSPACE:
		return ENOSPC;
	case DER_ALREADY:
		return EALREADY;
	case DER_NOMEM:
	case DER_DOS:
		return ENOMEM;
	case DER_TIMEDOUT:
		return ETIMEDOUT;
	case DER_BUSY:
	case DER_EQ_BUSY:
		return EBUSY;
	case DER_AGAIN:
		return EAGAIN;
	case DER_PROTO:
		return EPROTO;
	case DER_IO:
		return EIO;
	case DER_CANCELED:
		return ECANCELED;
	case DER_OVERFLOW:
		return EOVERFLOW;
	case DER_BADPATH:
	case DER_NOTDIR:
		return ENOTDIR;
	case DER_STALE:
		return ESTALE;
	case DER_TX_RESTART:
		return ERESTART;
	case DER_NOTSUPPORTED:
		return ENOTSUP;
	default:
		return EIO;
	}
}

#if defined(__cplusplus)
}
#endif

#endif /* __DAOS_COMMON_H__ */
