/**
 * User attribute buffers of libdaos, shared by the pool and container APIs
 * (daos_{pool,cont}_{set,get,list,del}_attr): packing names and values into the request,
 * copying the reply out of the RPC and unpacking get and list replies. The wire format is in
 * daos/attr.h; the servers read it with ds_rsvc_*_attr (daos_srv/rsvc.h).
 */
#define D_LOGFAC DD_FAC(client)

#include <gurt/common.h>
#include <daos_types.h>
#include <daos/attr.h>

int
dc_attr_pack_names(int n, const char *const names[], d_iov_t *iov)
{
	size_t len = 0, off = 0, l;
	char *buf;
	int i;

	if (n <= 0 || names == NULL)
		return -DER_INVAL;
	for (i = 0; i < n; i++) {
		if (names[i] == NULL || names[i][0] == '\0')
			return -DER_INVAL;
		l = strnlen(names[i], DAOS_ATTR_NAME_MAX + 1);
		if (l > DAOS_ATTR_NAME_MAX)
			return -DER_INVAL;
		len += l + 1;
	}
	D_ALLOC(buf, len);
	if (buf == NULL)
		return -DER_NOMEM;
	for (i = 0; i < n; i++) {
		l = strlen(names[i]) + 1;
		memcpy(buf + off, names[i], l);
		off += l;
	}
	d_iov_set(iov, buf, len);
	return 0;
}

int
dc_attr_pack_values(int n, const void *const values[], const size_t sizes[], d_iov_t *iov)
{
	size_t len = 0, off = 0;
	char *buf;
	int i;

	if (n <= 0 || values == NULL || sizes == NULL)
		return -DER_INVAL;
	for (i = 0; i < n; i++) {
		if (values[i] == NULL || sizes[i] == 0 || sizes[i] > DC_ATTR_VALUE_MAX)
			return -DER_INVAL;
		len += sizeof(uint64_t) + sizes[i];
	}
	D_ALLOC(buf, len);
	if (buf == NULL)
		return -DER_NOMEM;
	for (i = 0; i < n; i++) {
		uint64_t sz = sizes[i];

		memcpy(buf + off, &sz, sizeof(sz));
		off += sizeof(sz);
		memcpy(buf + off, values[i], sizes[i]);
		off += sizes[i];
	}
	d_iov_set(iov, buf, len);
	return 0;
}

int
dc_attr_reply_copy(const d_iov_t *reply, d_iov_t *data)
{
	if (data == NULL || reply->iov_len == 0)
		return 0;
	D_ALLOC(data->iov_buf, reply->iov_len);
	if (data->iov_buf == NULL)
		return -DER_NOMEM;
	memcpy(data->iov_buf, reply->iov_buf, reply->iov_len);
	data->iov_len = data->iov_buf_len = reply->iov_len;
	return 0;
}

int
dc_attr_get_unpack(const d_iov_t *data, int n, void *const buffers[], size_t sizes[])
{
	const char *p = data->iov_buf;
	const char *end = p ? p + data->iov_len : NULL;
	int i;

	for (i = 0; i < n; i++) {
		uint64_t sz;

		if (p == NULL || end - p < (ptrdiff_t)sizeof(sz))
			return -DER_PROTO;
		memcpy(&sz, p, sizeof(sz));
		p += sizeof(sz);
		if (sz == UINT64_MAX)
			return -DER_NONEXIST;
		if ((uint64_t)(end - p) < sz)
			return -DER_PROTO;
		if (buffers != NULL && buffers[i] != NULL)
			memcpy(buffers[i], p, min(sz, (uint64_t)sizes[i]));
		sizes[i] = sz;
		p += sz;
	}
	return 0;
}

void
dc_attr_list_copy(const d_iov_t *data, char *buffer, size_t *size)
{
	if (buffer != NULL && *size > 0 && data->iov_len > 0)
		memcpy(buffer, data->iov_buf, min(data->iov_len, *size));
	*size = data->iov_len;
}
