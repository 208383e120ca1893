/**
 * User attributes inside libdaos: the request and reply buffers that pool and container
 * attribute RPCs (POOL_ATTR, CONT_ATTR) carry, packed and unpacked in one place so that both
 * APIs agree on the wire format. Not a public header.
 *
 * Names: NUL-terminated strings back to back. Values: per attribute a uint64_t size then the
 * bytes. A get reply: per name a uint64_t size (UINT64_MAX: no such attribute) then the
 * bytes. A list reply: the names, NUL-terminated, back to back.
 */
#ifndef __DAOS_ATTR_H__
#define __DAOS_ATTR_H__

#include <daos_types.h>

/** Largest attribute value: one value is one rdb value (RDB_VALUE_MAX). */
#define DC_ATTR_VALUE_MAX (512 * 1024)

/** Pack \a n names into \a iov (caller frees iov_buf); -DER_INVAL on an empty or long name. */
int dc_attr_pack_names(int n, const char *const names[], d_iov_t *iov);
/** Pack \a n values into \a iov (caller frees); -DER_INVAL on an empty or too large value. */
int dc_attr_pack_values(int n, const void *const values[], const size_t sizes[], d_iov_t *iov);
/** Copy a reply buffer that the RPC owns into \a data (caller frees; nothing if empty). */
int dc_attr_reply_copy(const d_iov_t *reply, d_iov_t *data);
/**
 * Unpack a get reply: copy each value into \a buffers[i] (at most \a sizes[i] bytes; a NULL
 * buffer only asks the size) and set \a sizes[i] to the value's size.
 */
int dc_attr_get_unpack(const d_iov_t *data, int n, void *const buffers[], size_t sizes[]);
/** Copy a list reply into \a buffer (at most \a *size bytes); \a *size becomes its length. */
void dc_attr_list_copy(const d_iov_t *data, char *buffer, size_t *size);

#endif /* __DAOS_ATTR_H__ */
