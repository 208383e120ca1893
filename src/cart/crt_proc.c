/**
 * Pack/unpack processor. Encoding appends to a growable buffer; decoding
 * reads from a received message and checks every length against what is
 * left, so a truncated or corrupt message fails with -DER_PROTO instead of
 * being read out of bounds. Integers are little endian, as on every host
 * pdaos runs on; variable-size payloads are 8-byte aligned so decoded iovs
 * and strings can point into the message.
 */
#define D_LOGFAC DD_FAC(rpc)

#include "crt_internal.h"

#define PROC(p) ((struct crt_proc_s *)(p))

int
crt_proc_reserve(struct crt_proc_s *p, size_t len)
{
	size_t cap;
	char *buf;

	if (p->cp_off + len <= p->cp_cap)
		return 0;
	cap = p->cp_cap ? p->cp_cap : 256;
	while (cap < p->cp_off + len)
		cap *= 2;
	buf = realloc(p->cp_buf, cap);
	if (buf == NULL)
		return -DER_NOMEM;
	p->cp_buf = buf;
	p->cp_cap = cap;
	return 0;
}

/* Copy \a len bytes between \a data and the stream. */
static int
proc_bytes(struct crt_proc_s *p, crt_proc_op_t op, void *data, size_t len)
{
	int rc;

	switch (op) {
	case CRT_PROC_ENCODE:
		rc = crt_proc_reserve(p, len);
		if (rc != 0)
			return rc;
		if (len > 0)
			memcpy(p->cp_buf + p->cp_off, data, len);
		p->cp_off += len;
		return 0;
	case CRT_PROC_DECODE:
		if (len > p->cp_len - p->cp_off)
			return -DER_PROTO;
		if (len > 0)
			memcpy(data, p->cp_buf + p->cp_off, len);
		p->cp_off += len;
		return 0;
	case CRT_PROC_FREE:
		return 0;
	}
	return -DER_INVAL;
}

static int
proc_align(struct crt_proc_s *p, crt_proc_op_t op)
{
	size_t pad = D_ALIGNUP(p->cp_off, 8) - p->cp_off;
	int rc;

	if (pad == 0 || op == CRT_PROC_FREE)
		return 0;
	if (op == CRT_PROC_ENCODE) {
		rc = crt_proc_reserve(p, pad);
		if (rc != 0)
			return rc;
		memset(p->cp_buf + p->cp_off, 0, pad);
	} else if (pad > p->cp_len - p->cp_off) {
		return -DER_PROTO;
	}
	p->cp_off += pad;
	return 0;
}

/* Point *ptr at \a len bytes of the message being decoded. */
static int
proc_ref(struct crt_proc_s *p, void **ptr, size_t len)
{
	if (len > p->cp_len - p->cp_off)
		return -DER_PROTO;
	*ptr = p->cp_buf + p->cp_off;
	p->cp_off += len;
	return 0;
}

int
crt_proc_get_op(crt_proc_t proc, crt_proc_op_t *proc_op)
{
	if (proc == NULL || proc_op == NULL)
		return -DER_INVAL;
	*proc_op = PROC(proc)->cp_op;
	return 0;
}

int
crt_proc_memcpy(crt_proc_t proc, crt_proc_op_t proc_op, void *data, size_t data_size)
{
	return proc_bytes(PROC(proc), proc_op, data, data_size);
}

#define CRT_PROC_SCALAR(type)                                                   \
	int crt_proc_##type(crt_proc_t proc, crt_proc_op_t proc_op, type *data) \
	{                                                                       \
		return proc_bytes(PROC(proc), proc_op, data, sizeof(*data));    \
	}

CRT_PROC_SCALAR(int8_t)
CRT_PROC_SCALAR(uint8_t)
CRT_PROC_SCALAR(int16_t)
CRT_PROC_SCALAR(uint16_t)
CRT_PROC_SCALAR(int32_t)
CRT_PROC_SCALAR(uint32_t)
CRT_PROC_SCALAR(int64_t)
CRT_PROC_SCALAR(uint64_t)
CRT_PROC_SCALAR(int)
CRT_PROC_SCALAR(d_rank_t)
CRT_PROC_SCALAR(crt_opcode_t)
CRT_PROC_SCALAR(crt_status_t)

int
crt_proc_bool(crt_proc_t proc, crt_proc_op_t proc_op, bool *data)
{
	uint8_t v = 0;
	int rc;

	if (proc_op == CRT_PROC_ENCODE)
		v = *data ? 1 : 0;
	rc = proc_bytes(PROC(proc), proc_op, &v, 1);
	if (rc == 0 && proc_op == CRT_PROC_DECODE) {
		if (v > 1)
			return -DER_PROTO;
		*data = v;
	}
	return rc;
}

int
crt_proc_uuid_t(crt_proc_t proc, crt_proc_op_t proc_op, uuid_t *data)
{
	return proc_bytes(PROC(proc), proc_op, *data, sizeof(uuid_t));
}

int
crt_proc_d_iov_t(crt_proc_t proc, crt_proc_op_t proc_op, d_iov_t *iov)
{
	struct crt_proc_s *p = PROC(proc);
	uint64_t len, buf_len;
	void *ptr;
	int rc;

	if (proc_op == CRT_PROC_FREE)
		return 0;
	if (proc_op == CRT_PROC_ENCODE) {
		if (iov->iov_len > 0 && iov->iov_buf == NULL)
			return -DER_INVAL;
		len = iov->iov_len;
		buf_len = iov->iov_buf_len;
	}
	rc = proc_bytes(p, proc_op, &len, sizeof(len));
	if (rc == 0)
		rc = proc_bytes(p, proc_op, &buf_len, sizeof(buf_len));
	if (rc != 0)
		return rc;
	if (len == 0) {
		if (proc_op == CRT_PROC_DECODE) {
			iov->iov_buf = NULL;
			iov->iov_len = 0;
			iov->iov_buf_len = 0;
		}
		return 0;
	}
	rc = proc_align(p, proc_op);
	if (rc != 0)
		return rc;
	if (proc_op == CRT_PROC_ENCODE)
		return proc_bytes(p, proc_op, iov->iov_buf, len);
	rc = proc_ref(p, &ptr, len);
	if (rc != 0)
		return rc;
	/* The capacity of a decoded iov is what arrived, never more. */
	iov->iov_buf = ptr;
	iov->iov_len = len;
	iov->iov_buf_len = len;
	return 0;
}

int
crt_proc_d_const_string_t(crt_proc_t proc, crt_proc_op_t proc_op, d_const_string_t *data)
{
	struct crt_proc_s *p = PROC(proc);
	uint32_t n = 0;
	void *ptr;
	int rc;

	if (proc_op == CRT_PROC_FREE)
		return 0;
	if (proc_op == CRT_PROC_ENCODE && *data != NULL) {
		size_t sl = strlen(*data);

		if (sl >= UINT32_MAX)
			return -DER_OVERFLOW;
		n = (uint32_t)sl + 1;
	}
	rc = proc_bytes(p, proc_op, &n, sizeof(n));
	if (rc != 0)
		return rc;
	if (n == 0) {
		if (proc_op == CRT_PROC_DECODE)
			*data = NULL;
		return 0;
	}
	if (proc_op == CRT_PROC_ENCODE)
		return proc_bytes(p, proc_op, (void *)*data, n);
	rc = proc_ref(p, &ptr, n);
	if (rc != 0)
		return rc;
	if (((char *)ptr)[n - 1] != '\0' || memchr(ptr, '\0', n - 1) != NULL)
		return -DER_PROTO;
	*data = ptr;
	return 0;
}

int
crt_proc_d_string_t(crt_proc_t proc, crt_proc_op_t proc_op, d_string_t *data)
{
	return crt_proc_d_const_string_t(proc, proc_op, (d_const_string_t *)data);
}

int
crt_proc_d_rank_list_t(crt_proc_t proc, crt_proc_op_t proc_op, d_rank_list_t **data)
{
	struct crt_proc_s *p = PROC(proc);
	d_rank_list_t *rl;
	uint32_t n;
	int rc;

	if (proc_op == CRT_PROC_FREE) {
		if (*data != NULL) {
			D_FREE((*data)->rl_ranks);
			D_FREE(*data);
		}
		return 0;
	}
	if (proc_op == CRT_PROC_ENCODE) {
		rl = *data;
		n = rl == NULL ? UINT32_MAX : rl->rl_nr;
		if (rl != NULL && rl->rl_nr == UINT32_MAX)
			return -DER_INVAL;
		rc = proc_bytes(p, proc_op, &n, sizeof(n));
		if (rc != 0 || rl == NULL || n == 0)
			return rc;
		return proc_bytes(p, proc_op, rl->rl_ranks, (size_t)n * sizeof(d_rank_t));
	}
	*data = NULL;
	rc = proc_bytes(p, proc_op, &n, sizeof(n));
	if (rc != 0)
		return rc;
	if (n == UINT32_MAX)
		return 0;
	if ((size_t)n * sizeof(d_rank_t) > p->cp_len - p->cp_off)
		return -DER_PROTO;
	D_ALLOC_PTR(rl);
	if (rl == NULL)
		return -DER_NOMEM;
	if (n > 0) {
		D_ALLOC_ARRAY(rl->rl_ranks, n);
		if (rl->rl_ranks == NULL) {
			D_FREE(rl);
			return -DER_NOMEM;
		}
	}
	rl->rl_nr = n;
	rc = proc_bytes(p, proc_op, rl->rl_ranks, (size_t)n * sizeof(d_rank_t));
	D_ASSERT(rc == 0);
	*data = rl;
	return 0;
}

int
crt_proc_array_hdr(crt_proc_t proc, crt_proc_op_t op, uint64_t *count, void **arrays,
		   size_t elem_size)
{
	struct crt_proc_s *p = PROC(proc);
	uint64_t n;
	int rc;

	if (op == CRT_PROC_FREE)
		return 0;
	if (op == CRT_PROC_ENCODE) {
		if (*count > 0 && *arrays == NULL)
			return -DER_INVAL;
		return proc_bytes(p, op, count, sizeof(*count));
	}
	*count = 0;
	*arrays = NULL;
	rc = proc_bytes(p, op, &n, sizeof(n));
	if (rc != 0)
		return rc;
	/* Every element takes at least one byte on the wire. */
	if (n > p->cp_len - p->cp_off || (elem_size != 0 && n > SIZE_MAX / elem_size))
		return -DER_PROTO;
	if (n == 0)
		return 0;
	*arrays = calloc(n, elem_size ? elem_size : 1);
	if (*arrays == NULL)
		return -DER_NOMEM;
	*count = n;
	return 0;
}

void
crt_proc_array_free(crt_proc_t proc, void **arrays)
{
	free(*arrays);
	*arrays = NULL;
}

int
crt_proc_pack(crt_proc_cb_t proc_cb, void *data, void **buf, size_t *len)
{
	struct crt_proc_s p = {.cp_op = CRT_PROC_ENCODE};
	int rc;

	if (proc_cb == NULL || buf == NULL || len == NULL)
		return -DER_INVAL;
	rc = crt_proc_reserve(&p, 64);
	if (rc == 0)
		rc = proc_cb(&p, data);
	if (rc != 0) {
		free(p.cp_buf);
		return rc;
	}
	*buf = p.cp_buf;
	*len = p.cp_off;
	return 0;
}

int
crt_proc_unpack(crt_proc_cb_t proc_cb, const void *buf, size_t len, void *data)
{
	struct crt_proc_s p = {.cp_op = CRT_PROC_DECODE, .cp_buf = (char *)buf, .cp_len = len};
	int rc;

	if (proc_cb == NULL || (buf == NULL && len > 0))
		return -DER_INVAL;
	rc = proc_cb(&p, data);
	if (rc == 0 && p.cp_off != len)
		rc = -DER_PROTO;
	if (rc != 0) {
		p.cp_op = CRT_PROC_FREE;
		proc_cb(&p, data);
	}
	return rc;
}

void
crt_proc_unpack_free(crt_proc_cb_t proc_cb, void *data)
{
	struct crt_proc_s p = {.cp_op = CRT_PROC_FREE};

	if (proc_cb != NULL)
		proc_cb(&p, data);
}
