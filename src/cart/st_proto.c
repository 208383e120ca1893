/**
 * Self-test protocol: registration and the server-side handlers.
 */
#define D_LOGFAC DD_FAC(st)

#include <pthread.h>
#include <gurt/common.h>
#include "st_proto.h"

CRT_RPC_DEFINE(st_ping, ST_ISEQ_PING, ST_OSEQ_PING)
CRT_RPC_DEFINE(st_shutdown, ST_ISEQ_SHUTDOWN, ST_OSEQ_SHUTDOWN)

static volatile int *st_shutdown_flag;
static char st_zeros[64 * 1024];

struct st_bulk_arg {
	crt_rpc_t *rpc;
	crt_bulk_t local;
	void *buf;
	size_t cap;
	crt_context_t ctx;
	bool putting;
	struct st_bulk_arg *next;
};

/*
 * Server buffers (with their registered bulk handles) are kept for reuse,
 * as DAOS's self-test server preallocates them: a fresh malloc + page faults
 * + fi_mr_reg per 1 MiB RPC cost more than the transfer itself.
 */
#define ST_BUF_CACHE 64
static pthread_mutex_t st_buf_lock = PTHREAD_MUTEX_INITIALIZER;
static struct st_bulk_arg *st_buf_free;
static int st_buf_nfree;

static struct st_bulk_arg *
st_buf_get(crt_context_t ctx, size_t need)
{
	struct st_bulk_arg *a, **pp;
	d_sg_list_t sgl;
	d_iov_t iov;

	pthread_mutex_lock(&st_buf_lock);
	for (pp = &st_buf_free; *pp != NULL; pp = &(*pp)->next) {
		a = *pp;
		if (a->ctx == ctx && a->cap >= need && a->cap <= 2 * need) {
			*pp = a->next;
			st_buf_nfree--;
			pthread_mutex_unlock(&st_buf_lock);
			a->next = NULL;
			return a;
		}
	}
	pthread_mutex_unlock(&st_buf_lock);
	a = calloc(1, sizeof(*a));
	if (a == NULL)
		return NULL;
	a->buf = malloc(need);
	if (a->buf == NULL) {
		free(a);
		return NULL;
	}
	memset(a->buf, 0xa5, need);
	a->cap = need;
	a->ctx = ctx;
	d_iov_set(&iov, a->buf, need);
	sgl.sg_nr = 1;
	sgl.sg_iovs = &iov;
	if (crt_bulk_create(ctx, &sgl, CRT_BULK_RW, &a->local) != 0) {
		free(a->buf);
		free(a);
		return NULL;
	}
	return a;
}

static void
st_buf_put(struct st_bulk_arg *a)
{
	a->rpc = NULL;
	pthread_mutex_lock(&st_buf_lock);
	if (st_buf_nfree < ST_BUF_CACHE) {
		a->next = st_buf_free;
		st_buf_free = a;
		st_buf_nfree++;
		a = NULL;
	}
	pthread_mutex_unlock(&st_buf_lock);
	if (a != NULL) {
		crt_bulk_free(a->local);
		free(a->buf);
		free(a);
	}
}

void
st_proto_fini(void)
{
	struct st_bulk_arg *a;

	pthread_mutex_lock(&st_buf_lock);
	while ((a = st_buf_free) != NULL) {
		st_buf_free = a->next;
		crt_bulk_free(a->local);
		free(a->buf);
		free(a);
	}
	st_buf_nfree = 0;
	pthread_mutex_unlock(&st_buf_lock);
}

static int st_bulk_done(const struct crt_bulk_cb_info *info);

static int
st_bulk_start(struct st_bulk_arg *a, bool put)
{
	struct st_ping_in *in = crt_req_get(a->rpc);
	struct crt_bulk_desc desc = {0};

	a->putting = put;
	desc.bd_rpc = a->rpc;
	desc.bd_bulk_op = put ? CRT_BULK_PUT : CRT_BULK_GET;
	desc.bd_remote_hdl = put ? in->pi_rbulk : in->pi_bulk;
	desc.bd_local_hdl = a->local;
	desc.bd_len = put ? in->pi_rbulk_len : in->pi_bulk_len;
	return crt_bulk_transfer(&desc, st_bulk_done, a, NULL);
}

static void
st_bulk_finish(struct st_bulk_arg *a, int rc)
{
	struct st_ping_out *out = crt_reply_get(a->rpc);
	struct st_ping_in *in = crt_req_get(a->rpc);

	out->po_rc = rc;
	if (!(in->pi_bulk_dir & ST_BULK_OUT))
		d_iov_set(&out->po_data, in->pi_reply_size ? st_zeros : NULL,
			  min((size_t)in->pi_reply_size, sizeof(st_zeros)));
	crt_reply_send(a->rpc);
	crt_req_decref(a->rpc);
	st_buf_put(a);
}

static int
st_bulk_done(const struct crt_bulk_cb_info *info)
{
	struct st_bulk_arg *a = info->bci_arg;
	struct st_ping_in *in = crt_req_get(a->rpc);
	int rc = info->bci_rc;

	if (rc == 0 && !a->putting && (in->pi_bulk_dir & ST_BULK_OUT)) {
		rc = st_bulk_start(a, true);
		if (rc == 0)
			return 0;
	}
	st_bulk_finish(a, rc);
	return 0;
}

static void
st_ping_handler(crt_rpc_t *rpc)
{
	struct st_ping_in *in = crt_req_get(rpc);
	struct st_ping_out *out = crt_reply_get(rpc);
	struct st_bulk_arg *a;
	size_t len, need = 0;
	int rc;

	if (in->pi_bulk_dir & ST_BULK_IN) {
		if (in->pi_bulk == NULL || crt_bulk_get_len(in->pi_bulk, &len) != 0 ||
		    in->pi_bulk_len == 0 || in->pi_bulk_len > len)
			goto inval;
		need = in->pi_bulk_len;
	}
	if (in->pi_bulk_dir & ST_BULK_OUT) {
		if (in->pi_rbulk == NULL || crt_bulk_get_len(in->pi_rbulk, &len) != 0 ||
		    in->pi_rbulk_len == 0 || in->pi_rbulk_len > len)
			goto inval;
		need = max(need, (size_t)in->pi_rbulk_len);
	}
	if (need == 0) {
		out->po_rc = 0;
		d_iov_set(&out->po_data, in->pi_reply_size ? st_zeros : NULL,
			  min((size_t)in->pi_reply_size, sizeof(st_zeros)));
		crt_reply_send(rpc);
		return;
	}
	a = st_buf_get(rpc->cr_ctx, need);
	if (a == NULL)
		goto nomem;
	crt_req_addref(rpc);
	a->rpc = rpc;
	rc = st_bulk_start(a, !(in->pi_bulk_dir & ST_BULK_IN));
	if (rc != 0)
		st_bulk_finish(a, rc);
	return;
inval:
	out->po_rc = -DER_INVAL;
	crt_reply_send(rpc);
	return;
nomem:
	out->po_rc = -DER_NOMEM;
	crt_reply_send(rpc);
}

static void
st_shutdown_handler(crt_rpc_t *rpc)
{
	struct st_shutdown_out *out = crt_reply_get(rpc);

	out->so_rc = 0;
	crt_reply_send(rpc);
	if (st_shutdown_flag != NULL)
		*st_shutdown_flag = 1;
}

static struct crt_proto_rpc_format st_rpcs[] = {
	{.prf_req_fmt = &CQF_st_ping},
	{.prf_req_fmt = &CQF_st_shutdown},
};

static struct crt_proto_format st_proto = {
	.cpf_name = "self_test",
	.cpf_ver = ST_PROTO_VER,
	.cpf_count = ARRAY_SIZE(st_rpcs),
	.cpf_prf = st_rpcs,
	.cpf_base = ST_PROTO_BASE,
};

int
st_proto_register(bool server, volatile int *shutdown_flag)
{
	if (server) {
		st_rpcs[0].prf_hdlr = st_ping_handler;
		st_rpcs[1].prf_hdlr = st_shutdown_handler;
		st_shutdown_flag = shutdown_flag;
	}
	return crt_proto_register(&st_proto);
}
