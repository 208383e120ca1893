/**
 * Scatter/gather list helpers.
 */
#define D_LOGFAC DD_FAC(gurt)

#include <gurt/common.h>

int
d_sgl_init(d_sg_list_t *sgl, unsigned int nr)
{
	if (sgl == NULL)
		return -DER_INVAL;
	sgl->sg_nr_out = 0;
	sgl->sg_nr = nr;
	sgl->sg_iovs = NULL;
	if (nr == 0)
		return 0;
	D_ALLOC_ARRAY(sgl->sg_iovs, nr);
	if (sgl->sg_iovs == NULL) {
		sgl->sg_nr = 0;
		return -DER_NOMEM;
	}
	return 0;
}

void
d_sgl_fini(d_sg_list_t *sgl, bool free_iovs)
{
	uint32_t i;

	if (sgl == NULL || sgl->sg_iovs == NULL)
		return;
	if (free_iovs)
		for (i = 0; i < sgl->sg_nr; i++)
			D_FREE(sgl->sg_iovs[i].iov_buf);
	D_FREE(sgl->sg_iovs);
	sgl->sg_nr = 0;
	sgl->sg_nr_out = 0;
}

size_t
d_sgl_buf_size(d_sg_list_t *sgl)
{
	size_t size = 0;
	uint32_t i;

	if (sgl == NULL || sgl->sg_iovs == NULL)
		return 0;
	for (i = 0; i < sgl->sg_nr; i++)
		size += sgl->sg_iovs[i].iov_buf_len;
	return size;
}

size_t
d_sgl_data_len(d_sg_list_t *sgl)
{
	size_t len = 0;
	uint32_t i;

	if (sgl == NULL || sgl->sg_iovs == NULL)
		return 0;
	for (i = 0; i < sgl->sg_nr; i++)
		len += sgl->sg_iovs[i].iov_len;
	return len;
}

int
d_sgl_buf_copy(d_sg_list_t *dst_sgl, d_sg_list_t *src_sgl)
{
	uint32_t i;

	if (dst_sgl == NULL || src_sgl == NULL)
		return -DER_INVAL;
	if (src_sgl->sg_nr > 0 && (src_sgl->sg_iovs == NULL || dst_sgl->sg_iovs == NULL))
		return -DER_INVAL;
	/* Check everything first so a failure copies nothing. */
	if (dst_sgl->sg_nr < src_sgl->sg_nr) {
		D_ERROR("destination sgl has %u iovs, source %u\n", dst_sgl->sg_nr, src_sgl->sg_nr);
		return -DER_TRUNC;
	}
	for (i = 0; i < src_sgl->sg_nr; i++) {
		if (dst_sgl->sg_iovs[i].iov_buf_len < src_sgl->sg_iovs[i].iov_buf_len) {
			D_ERROR("destination iov %u holds %zu bytes, source %zu\n", i,
				dst_sgl->sg_iovs[i].iov_buf_len, src_sgl->sg_iovs[i].iov_buf_len);
			return -DER_TRUNC;
		}
	}
	for (i = 0; i < src_sgl->sg_nr; i++) {
		d_iov_t *d = &dst_sgl->sg_iovs[i];
		d_iov_t *s = &src_sgl->sg_iovs[i];

		if (s->iov_buf_len > 0)
			memcpy(d->iov_buf, s->iov_buf, s->iov_buf_len);
		d->iov_len = s->iov_len;
		d->iov_buf_len = s->iov_buf_len;
	}
	return 0;
}
