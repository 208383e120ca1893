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
 *
 * At most st_buf_active buffers per context are in use at once; further bulk
 * RPCs wait (FIFO) and take over the buffer a finishing RPC gives back (the
 * free list is LIFO too). With one buffer per RPC, 16 RPCs of 1 MiB in flight
 * made the server copy through 16 MiB that lives in L3: on shm, where the RMA
 * is one synchronous process_vm_readv/writev, a 1 MiB copy took ~125 us; with
 * one buffer (and self_test's shared one) it stays in L2 and takes ~70 us, as
 * in fi_pingpong (two buffers: ~80 us). One progress thread copies one
 * transfer at a time anyway, and on tcp the next RMA is posted as soon as the
 * previous one completes. ST_BULK_BUFS overrides the limit (0: none).
 */
#define ST_BUF_CACHE      64
#define ST_BUF_ACTIVE_DEF 1
#define ST_CTX_MAX        64

struct st_ctx_bufs {
	crt_context_t ctx;
	int active;
	/* bulk RPCs waiting for a buffer, oldest first (a->buf == NULL) */
	struct st_bulk_arg *wait_head;
	struct st_bulk_arg *wait_tail;
};

static pthread_mutex_t st_buf_lock = PTHREAD_MUTEX_INITIALIZER;
static struct st_bulk_arg *st_buf_free;
static int st_buf_nfree;
static int st_buf_active = ST_BUF_ACTIVE_DEF;
static struct st_ctx_bufs st_ctx_bufs[ST_CTX_MAX];
static int st_nctx_bufs;

static int st_bulk_start(struct st_bulk_arg *a, bool put);
static void st_bulk_finish(struct st_bulk_arg *a, int rc);

/* called with st_buf_lock held; NULL when more contexts than slots */
static struct st_ctx_bufs *
st_ctx_bufs_find(crt_context_t ctx)
{
	int i;

	for (i = 0; i < st_nctx_bufs; i++)
		if (st_ctx_bufs[i].ctx == ctx)
			return &st_ctx_bufs[i];
	if (st_nctx_bufs == ST_CTX_MAX)
		return NULL;
	st_ctx_bufs[st_nctx_bufs].ctx = ctx;
	return &st_ctx_bufs[st_nctx_bufs++];
}

static size_t
st_bulk_need(crt_rpc_t *rpc)
{
	struct st_ping_in *in = crt_req_get(rpc);
	size_t need = 0;

	if (in->pi_bulk_dir & ST_BULK_IN)
		need = in->pi_bulk_len;
	if (in->pi_bulk_dir & ST_BULK_OUT)
		need = max(need, (size_t)in->pi_rbulk_len);
	return need;
}

static void
st_buf_destroy(struct st_bulk_arg *a)
{
	crt_bulk_free(a->local);
	free(a->buf);
	free(a);
}

/* Give \a a a buffer of at least \a need bytes: a cached one, else a new one. */
static int
st_buf_fill(struct st_bulk_arg *a, size_t need)
{
	struct st_bulk_arg *f, **pp;
	d_sg_list_t sgl;
	d_iov_t iov;
	int rc;

	pthread_mutex_lock(&st_buf_lock);
	for (pp = &st_buf_free; *pp != NULL; pp = &(*pp)->next) {
		f = *pp;
		if (f->ctx == a->ctx && f->cap >= need && f->cap <= 2 * need) {
			*pp = f->next;
			st_buf_nfree--;
			pthread_mutex_unlock(&st_buf_lock);
			a->buf = f->buf;
			a->cap = f->cap;
			a->local = f->local;
			free(f);
			return 0;
		}
	}
	pthread_mutex_unlock(&st_buf_lock);
	a->buf = malloc(need);
	if (a->buf == NULL)
		return -DER_NOMEM;
	memset(a->buf, 0xa5, need);
	a->cap = need;
	d_iov_set(&iov, a->buf, need);
	sgl.sg_nr = 1;
	sgl.sg_iovs = &iov;
	rc = crt_bulk_create(a->ctx, &sgl, CRT_BULK_RW, &a->local);
	if (rc != 0) {
		free(a->buf);
		a->buf = NULL;
	}
	return rc;
}

/*
 * Start the bulk part of \a rpc (a reference is held by the caller for it),
 * now if the context has a buffer to spare, else once one comes back.
 */
static int
st_buf_get(crt_rpc_t *rpc)
{
	struct st_ctx_bufs *cb;
	struct st_bulk_arg *a;
	struct st_ping_in *in = crt_req_get(rpc);
	int rc;

	a = calloc(1, sizeof(*a));
	if (a == NULL)
		return -DER_NOMEM;
	a->rpc = rpc;
	a->ctx = rpc->cr_ctx;
	pthread_mutex_lock(&st_buf_lock);
	cb = st_ctx_bufs_find(a->ctx);
	if (cb != NULL && st_buf_active > 0 && cb->active >= st_buf_active) {
		if (cb->wait_tail != NULL)
			cb->wait_tail->next = a;
		else
			cb->wait_head = a;
		cb->wait_tail = a;
		pthread_mutex_unlock(&st_buf_lock);
		return 0;
	}
	if (cb != NULL)
		cb->active++;
	pthread_mutex_unlock(&st_buf_lock);
	rc = st_buf_fill(a, st_bulk_need(rpc));
	if (rc == 0)
		rc = st_bulk_start(a, !(in->pi_bulk_dir & ST_BULK_IN));
	if (rc != 0)
		st_bulk_finish(a, rc);
	return 0;
}

/* \a a's RPC is done: cache its buffer (hottest first) and start a waiter */
static void
st_buf_put(struct st_bulk_arg *a)
{
	struct st_ctx_bufs *cb;
	struct st_bulk_arg *w = NULL;
	struct st_ping_in *in;
	int rc;

	a->rpc = NULL;
	pthread_mutex_lock(&st_buf_lock);
	cb = st_ctx_bufs_find(a->ctx);
	if (cb != NULL) {
		w = cb->wait_head;
		if (w != NULL) {
			cb->wait_head = w->next;
			if (cb->wait_head == NULL)
				cb->wait_tail = NULL;
			w->next = NULL;
		} else {
			cb->active--;
		}
	}
	if (a->buf != NULL && st_buf_nfree < ST_BUF_CACHE) {
		a->next = st_buf_free;
		st_buf_free = a;
		st_buf_nfree++;
		a = NULL;
	}
	pthread_mutex_unlock(&st_buf_lock);
	if (a != NULL) {
		if (a->buf != NULL)
			crt_bulk_free(a->local);
		free(a->buf);
		free(a);
	}
	if (w == NULL)
		return;
	/* the waiter takes over the freed slot (and most likely that buffer) */
	in = crt_req_get(w->rpc);
	rc = st_buf_fill(w, st_bulk_need(w->rpc));
	if (rc == 0)
		rc = st_bulk_start(w, !(in->pi_bulk_dir & ST_BULK_IN));
	if (rc != 0)
		st_bulk_finish(w, rc);
}

void
st_proto_fini(void)
{
	struct st_bulk_arg *a;
	int i;

	pthread_mutex_lock(&st_buf_lock);
	for (i = 0; i < st_nctx_bufs; i++) {
		while ((a = st_ctx_bufs[i].wait_head) != NULL) {
			struct st_ping_out *out = crt_reply_get(a->rpc);

			st_ctx_bufs[i].wait_head = a->next;
			out->po_rc = -DER_SHUTDOWN;
			crt_reply_send(a->rpc);
			crt_req_decref(a->rpc);
			free(a);
		}
		st_ctx_bufs[i].wait_tail = NULL;
	}
	while ((a = st_buf_free) != NULL) {
		st_buf_free = a->next;
		st_buf_destroy(a);
	}
	st_buf_nfree = 0;
	st_nctx_bufs = 0;
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
	crt_req_addref(rpc);
	rc = st_buf_get(rpc);
	if (rc != 0) {
		crt_req_decref(rpc);
		goto nomem;
	}
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
		const char *env = getenv("ST_BULK_BUFS");

		if (env != NULL)
			st_buf_active = atoi(env);
		st_rpcs[0].prf_hdlr = st_ping_handler;
		st_rpcs[1].prf_hdlr = st_shutdown_handler;
		st_shutdown_flag = shutdown_flag;
	}
	return crt_proto_register(&st_proto);
}
