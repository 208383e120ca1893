/**
 * Bulk transfers. A local handle registers its buffers with the domain
 * (lazily, the first time it is sent or used for RMA); its serialized form
 * lists (address, length, key) per segment. A read-only handle of at most
 * CRT_BULK_INLINE_MAX bytes travels with its data instead, so small updates
 * cost no registration and no RMA round trip. The target reads (GET) or
 * writes (PUT) the origin's buffers with fi_read/fi_write, in pieces.
 */
#define D_LOGFAC DD_FAC(bulk)

#include "crt_internal.h"

#define CRT_RMA_PIECE (4u << 20)

struct crt_bulk_seg {
	uint64_t bs_addr;
	uint64_t bs_len;
	uint64_t bs_key;
	char *bs_buf; /* local only */
	struct fid_mr *bs_mr;
};

struct crt_bulk {
	bool cb_remote;
	bool cb_registered;
	crt_bulk_perm_t cb_perm;
	uint32_t cb_nseg;
	uint64_t cb_total;
	struct crt_bulk_seg *cb_segs;
	/** remote inline handle: its data, inside the received message */
	const char *cb_inline;
};

struct crt_rma_piece {
	struct crt_op_hdr rp_hdr;
	struct crt_bulk_xfer *rp_xfer;
	char *rp_local;
	void *rp_desc;
	uint64_t rp_len;
	uint64_t rp_raddr;
	uint64_t rp_key;
};

struct crt_bulk_xfer {
	d_list_t bx_link;
	/* on the context's list of transfers whose callback is not yet queued */
	d_list_t bx_active;
	struct crt_work bx_work;
	struct crt_context *bx_ctx;
	struct crt_rpc_priv *bx_rpc;
	struct crt_bulk_desc bx_desc;
	crt_bulk_cb_t bx_cb;
	void *bx_arg;
	fi_addr_t bx_peer;
	uint32_t bx_npieces;
	uint32_t bx_posted;
	uint32_t bx_done;
	int bx_rc;
	struct crt_rma_piece bx_pieces[];
};

int
crt_bulk_create(crt_context_t crt_ctx, d_sg_list_t *sgl, crt_bulk_perm_t bulk_perm,
		crt_bulk_t *bulk_hdl)
{
	struct crt_bulk *bulk;
	uint32_t i, n = 0;

	if (crt_ctx == NULL || sgl == NULL || bulk_hdl == NULL || sgl->sg_nr == 0 ||
	    sgl->sg_iovs == NULL ||
	    (bulk_perm != CRT_BULK_RW && bulk_perm != CRT_BULK_RO && bulk_perm != CRT_BULK_WO))
		return -DER_INVAL;
	D_ALLOC_PTR(bulk);
	if (bulk == NULL)
		return -DER_NOMEM;
	D_ALLOC_ARRAY(bulk->cb_segs, sgl->sg_nr);
	if (bulk->cb_segs == NULL) {
		D_FREE(bulk);
		return -DER_NOMEM;
	}
	for (i = 0; i < sgl->sg_nr; i++) {
		d_iov_t *iov = &sgl->sg_iovs[i];

		if (iov->iov_buf_len == 0)
			continue;
		if (iov->iov_buf == NULL) {
			D_FREE(bulk->cb_segs);
			D_FREE(bulk);
			return -DER_INVAL;
		}
		bulk->cb_segs[n].bs_buf = iov->iov_buf;
		bulk->cb_segs[n].bs_len = iov->iov_buf_len;
		bulk->cb_total += iov->iov_buf_len;
		n++;
	}
	bulk->cb_nseg = n;
	bulk->cb_perm = bulk_perm;
	*bulk_hdl = bulk;
	return 0;
}

static int
crt_bulk_register(struct crt_bulk *bulk)
{
	struct crt_gdata *g = &crt_gdata;
	uint64_t access;
	uint32_t i;
	int rc;

	if (bulk->cb_registered)
		return 0;
	access = FI_READ | FI_WRITE | FI_REMOTE_READ | FI_REMOTE_WRITE;
	for (i = 0; i < bulk->cb_nseg; i++) {
		struct crt_bulk_seg *s = &bulk->cb_segs[i];

		rc = fi_mr_reg(g->cg_domain, s->bs_buf, s->bs_len, access, 0,
			       atomic_fetch_add(&g->cg_mr_key, 1) + 1, 0, &s->bs_mr, NULL);
		if (rc != 0) {
			D_ERROR("fi_mr_reg(%zu bytes): %s\n", (size_t)s->bs_len, fi_strerror(-rc));
			goto err;
		}
		s->bs_key = fi_mr_key(s->bs_mr);
		s->bs_addr = g->cg_mr_virt ? (uint64_t)(uintptr_t)s->bs_buf : 0;
	}
	bulk->cb_registered = true;
	return 0;
err:
	while (i-- > 0) {
		fi_close(&bulk->cb_segs[i].bs_mr->fid);
		bulk->cb_segs[i].bs_mr = NULL;
	}
	return crt_fi2der(rc);
}

int
crt_bulk_free(crt_bulk_t bulk_hdl)
{
	struct crt_bulk *bulk = bulk_hdl;
	uint32_t i;

	if (bulk == NULL)
		return 0;
	for (i = 0; i < bulk->cb_nseg; i++)
		if (bulk->cb_segs[i].bs_mr != NULL)
			fi_close(&bulk->cb_segs[i].bs_mr->fid);
	D_FREE(bulk->cb_segs);
	D_FREE(bulk);
	return 0;
}

int
crt_bulk_get_len(crt_bulk_t bulk_hdl, size_t *bulk_len)
{
	if (bulk_hdl == NULL || bulk_len == NULL)
		return -DER_INVAL;
	*bulk_len = ((struct crt_bulk *)bulk_hdl)->cb_total;
	return 0;
}

int
crt_bulk_get_sgnum(crt_bulk_t bulk_hdl, unsigned int *bulk_sgnum)
{
	if (bulk_hdl == NULL || bulk_sgnum == NULL)
		return -DER_INVAL;
	*bulk_sgnum = ((struct crt_bulk *)bulk_hdl)->cb_nseg;
	return 0;
}

/* Wire: u8 present, u8 inline, u16 0, u32 nseg, u64 total, then data or segments. */
int
crt_proc_crt_bulk_t(crt_proc_t proc, crt_proc_op_t op, crt_bulk_t *data)
{
	struct crt_proc_s *p = proc;
	struct crt_bulk *bulk;
	uint8_t hdr[8] = {0};
	uint64_t total;
	uint32_t nseg, i;
	int rc;

	if (op == CRT_PROC_FREE) {
		bulk = *data;
		if (bulk != NULL && bulk->cb_remote) {
			crt_bulk_free(bulk);
			*data = NULL;
		}
		return 0;
	}
	if (op == CRT_PROC_ENCODE) {
		bulk = *data;
		if (bulk == NULL)
			return crt_proc_memcpy(proc, op, hdr, sizeof(hdr));
		if (bulk->cb_remote) {
			D_ERROR("forwarding a remote bulk handle is not supported\n");
			return -DER_NOTSUPPORTED;
		}
		hdr[0] = 1;
		hdr[1] = bulk->cb_perm == CRT_BULK_RO && bulk->cb_total <= CRT_BULK_INLINE_MAX;
		nseg = bulk->cb_nseg;
		memcpy(&hdr[4], &nseg, sizeof(nseg));
		total = bulk->cb_total;
		rc = crt_proc_memcpy(proc, op, hdr, sizeof(hdr));
		if (rc == 0)
			rc = crt_proc_uint64_t(proc, op, &total);
		if (rc != 0)
			return rc;
		if (hdr[1]) {
			for (i = 0; i < nseg && rc == 0; i++)
				rc = crt_proc_memcpy(proc, op, bulk->cb_segs[i].bs_buf,
						     bulk->cb_segs[i].bs_len);
			return rc;
		}
		rc = crt_bulk_register(bulk);
		if (p->cp_rpc != NULL && !p->cp_rpc->crp_srv)
			p->cp_rpc->crp_rma_exposed = true;
		for (i = 0; i < nseg && rc == 0; i++) {
			rc = crt_proc_uint64_t(proc, op, &bulk->cb_segs[i].bs_addr);
			if (rc == 0)
				rc = crt_proc_uint64_t(proc, op, &bulk->cb_segs[i].bs_len);
			if (rc == 0)
				rc = crt_proc_uint64_t(proc, op, &bulk->cb_segs[i].bs_key);
		}
		return rc;
	}

	*data = NULL;
	rc = crt_proc_memcpy(proc, op, hdr, sizeof(hdr));
	if (rc != 0)
		return rc;
	if (hdr[0] == 0)
		return 0;
	if (hdr[0] != 1 || hdr[1] > 1)
		return -DER_PROTO;
	memcpy(&nseg, &hdr[4], sizeof(nseg));
	rc = crt_proc_uint64_t(proc, op, &total);
	if (rc != 0)
		return rc;
	if (hdr[1] ? total > p->cp_len - p->cp_off : (uint64_t)nseg * 24 > p->cp_len - p->cp_off)
		return -DER_PROTO;
	D_ALLOC_PTR(bulk);
	if (bulk == NULL)
		return -DER_NOMEM;
	bulk->cb_remote = true;
	bulk->cb_total = total;
	if (hdr[1]) {
		bulk->cb_perm = CRT_BULK_RO;
		bulk->cb_inline = p->cp_buf + p->cp_off;
		p->cp_off += total;
		*data = bulk;
		return 0;
	}
	bulk->cb_perm = CRT_BULK_RW;
	bulk->cb_nseg = nseg;
	if (nseg > 0) {
		D_ALLOC_ARRAY(bulk->cb_segs, nseg);
		if (bulk->cb_segs == NULL) {
			D_FREE(bulk);
			return -DER_NOMEM;
		}
	}
	for (i = 0, total = 0; i < nseg; i++) {
		crt_proc_uint64_t(proc, op, &bulk->cb_segs[i].bs_addr);
		crt_proc_uint64_t(proc, op, &bulk->cb_segs[i].bs_len);
		crt_proc_uint64_t(proc, op, &bulk->cb_segs[i].bs_key);
		if (bulk->cb_segs[i].bs_len > UINT64_MAX - total)
			break;
		total += bulk->cb_segs[i].bs_len;
	}
	if (i < nseg || total != bulk->cb_total) {
		crt_bulk_free(bulk);
		return -DER_PROTO;
	}
	*data = bulk;
	return 0;
}

/* ---- transfers ---- */

static void
crt_bulk_xfer_work(struct crt_work *w)
{
	struct crt_bulk_xfer *x = container_of(w, struct crt_bulk_xfer, bx_work);
	struct crt_bulk_cb_info info = {
		.bci_bulk_desc = &x->bx_desc, .bci_arg = x->bx_arg, .bci_rc = x->bx_rc};

	if (x->bx_cb != NULL)
		x->bx_cb(&info);
	crt_rpc_priv_decref(x->bx_rpc);
	D_FREE(x);
}

/* Queue the callback once every posted piece has completed; context lock held. */
static void
crt_bulk_finish_locked(struct crt_bulk_xfer *x)
{
	d_list_del_init(&x->bx_link);
	d_list_del_init(&x->bx_active);
	x->bx_work.w_fn = crt_bulk_xfer_work;
	crt_work_add(x->bx_ctx, &x->bx_work);
}

/* Post pieces until done or the provider pushes back; context lock held. */
static void
crt_bulk_post_locked(struct crt_bulk_xfer *x)
{
	struct crt_context *ctx = x->bx_ctx;
	ssize_t rc;

	while (x->bx_posted < x->bx_npieces && x->bx_rc == 0) {
		struct crt_rma_piece *pc = &x->bx_pieces[x->bx_posted];

		if (x->bx_desc.bd_bulk_op == CRT_BULK_GET)
			rc = fi_read(ctx->cc_ep, pc->rp_local, pc->rp_len, pc->rp_desc, x->bx_peer,
				     pc->rp_raddr, pc->rp_key, pc);
		else
			rc = fi_write(ctx->cc_ep, pc->rp_local, pc->rp_len, pc->rp_desc, x->bx_peer,
				      pc->rp_raddr, pc->rp_key, pc);
		if (rc == -FI_EAGAIN) {
			if (d_list_empty(&x->bx_link))
				d_list_add_tail(&x->bx_link, &ctx->cc_bulk_list);
			return;
		}
		if (rc != 0) {
			D_ERROR("RMA failed: %s\n", fi_strerror((int)-rc));
			x->bx_rc = crt_fi2der((int)rc);
			break;
		}
		x->bx_posted++;
		ctx->cc_rma_pending++;
		crt_mark_active(ctx);
	}
	d_list_del_init(&x->bx_link);
	if (x->bx_done == x->bx_posted && (x->bx_rc != 0 || x->bx_posted == x->bx_npieces))
		crt_bulk_finish_locked(x);
}

void
crt_bulk_resume(struct crt_context *ctx)
{
	struct crt_bulk_xfer *x;
	d_list_t *pos, *tmp;

	d_list_for_each_safe(pos, tmp, &ctx->cc_bulk_list)
	{
		x = d_list_entry(pos, struct crt_bulk_xfer, bx_link);
		crt_bulk_post_locked(x);
		if (!d_list_empty(&x->bx_link))
			break;
	}
}

void
crt_bulk_rma_complete(struct crt_op_hdr *op, int rc)
{
	struct crt_rma_piece *pc = (struct crt_rma_piece *)op;
	struct crt_bulk_xfer *x = pc->rp_xfer;

	x->bx_ctx->cc_rma_pending--;
	x->bx_done++;
	if (rc != 0 && x->bx_rc == 0)
		x->bx_rc = rc;
	if (x->bx_done == x->bx_posted && (x->bx_rc != 0 || x->bx_posted == x->bx_npieces))
		crt_bulk_finish_locked(x);
}

/* Walk (segment, offset) pairs of both handles and cut pieces. */
static uint32_t
crt_bulk_pieces(struct crt_bulk *local, off_t loff, struct crt_bulk *remote, off_t roff, size_t len,
		struct crt_rma_piece *out)
{
	uint32_t li = 0, ri = 0, n = 0;
	uint64_t lo = loff, ro = roff;

	while (li < local->cb_nseg && lo >= local->cb_segs[li].bs_len)
		lo -= local->cb_segs[li++].bs_len;
	while (ri < remote->cb_nseg && ro >= remote->cb_segs[ri].bs_len)
		ro -= remote->cb_segs[ri++].bs_len;
	while (len > 0 && li < local->cb_nseg && ri < remote->cb_nseg) {
		struct crt_bulk_seg *ls = &local->cb_segs[li], *rs = &remote->cb_segs[ri];
		uint64_t chunk = min(len, min(ls->bs_len - lo, rs->bs_len - ro));

		chunk = min(chunk, (uint64_t)CRT_RMA_PIECE);
		if (out != NULL) {
			out[n].rp_local = ls->bs_buf + lo;
			out[n].rp_desc = fi_mr_desc(ls->bs_mr);
			out[n].rp_len = chunk;
			out[n].rp_raddr = rs->bs_addr + ro;
			out[n].rp_key = rs->bs_key;
		}
		n++;
		len -= chunk;
		lo += chunk;
		ro += chunk;
		if (lo == ls->bs_len) {
			li++;
			lo = 0;
		}
		if (ro == rs->bs_len) {
			ri++;
			ro = 0;
		}
	}
	return n;
}

/* Copy from an inline remote handle into local segments. */
static void
crt_bulk_copy_inline(struct crt_bulk *local, off_t loff, const char *src, size_t len)
{
	uint32_t i;
	uint64_t off = loff;

	for (i = 0; i < local->cb_nseg && len > 0; i++) {
		struct crt_bulk_seg *s = &local->cb_segs[i];
		uint64_t n;

		if (off >= s->bs_len) {
			off -= s->bs_len;
			continue;
		}
		n = min(len, s->bs_len - off);
		memcpy(s->bs_buf + off, src, n);
		src += n;
		len -= n;
		off = 0;
	}
}

int
crt_bulk_transfer(struct crt_bulk_desc *bulk_desc, crt_bulk_cb_t complete_cb, void *arg,
		  crt_bulk_opid_t *opid)
{
	struct crt_bulk *local, *remote;
	struct crt_rpc_priv *rpc;
	struct crt_context *ctx;
	struct crt_bulk_xfer *x;
	uint32_t n;
	int rc;

	if (bulk_desc == NULL || bulk_desc->bd_rpc == NULL || bulk_desc->bd_local_hdl == NULL ||
	    bulk_desc->bd_remote_hdl == NULL || bulk_desc->bd_remote_off < 0 ||
	    bulk_desc->bd_local_off < 0 ||
	    (bulk_desc->bd_bulk_op != CRT_BULK_GET && bulk_desc->bd_bulk_op != CRT_BULK_PUT))
		return -DER_INVAL;
	local = bulk_desc->bd_local_hdl;
	remote = bulk_desc->bd_remote_hdl;
	rpc = container_of(bulk_desc->bd_rpc, struct crt_rpc_priv, crp_pub);
	ctx = rpc->crp_ctx;
	if (local->cb_remote || !remote->cb_remote || rpc->crp_peer == NULL)
		return -DER_INVAL;
	if ((uint64_t)bulk_desc->bd_local_off + bulk_desc->bd_len > local->cb_total ||
	    (uint64_t)bulk_desc->bd_remote_off + bulk_desc->bd_len > remote->cb_total) {
		D_ERROR("bulk transfer of %zu bytes exceeds a handle\n", bulk_desc->bd_len);
		return -DER_OVERFLOW;
	}
	if (bulk_desc->bd_bulk_op == CRT_BULK_PUT && remote->cb_perm == CRT_BULK_RO)
		return -DER_NO_PERM;

	n = 0;
	if (remote->cb_inline == NULL) {
		rc = crt_bulk_register(local);
		if (rc != 0)
			return rc;
		n = crt_bulk_pieces(local, bulk_desc->bd_local_off, remote,
				    bulk_desc->bd_remote_off, bulk_desc->bd_len, NULL);
	}
	D_ALLOC(x, sizeof(*x) + n * sizeof(x->bx_pieces[0]));
	if (x == NULL)
		return -DER_NOMEM;
	D_INIT_LIST_HEAD(&x->bx_link);
	D_INIT_LIST_HEAD(&x->bx_active);
	x->bx_ctx = ctx;
	x->bx_rpc = rpc;
	x->bx_desc = *bulk_desc;
	x->bx_cb = complete_cb;
	x->bx_arg = arg;
	x->bx_peer = rpc->crp_peer->p_addr;
	x->bx_npieces = n;
	atomic_fetch_add(&rpc->crp_refcount, 1);
	if (remote->cb_inline != NULL) {
		crt_bulk_copy_inline(local, bulk_desc->bd_local_off,
				     remote->cb_inline + bulk_desc->bd_remote_off,
				     bulk_desc->bd_len);
	} else {
		uint32_t i;

		crt_bulk_pieces(local, bulk_desc->bd_local_off, remote, bulk_desc->bd_remote_off,
				bulk_desc->bd_len, x->bx_pieces);
		for (i = 0; i < n; i++) {
			x->bx_pieces[i].rp_hdr.oh_type = CRT_OP_RMA;
			x->bx_pieces[i].rp_xfer = x;
		}
	}
	if (opid != NULL)
		*opid = x;
	pthread_mutex_lock(&ctx->cc_lock);
	d_list_add_tail(&x->bx_active, &ctx->cc_bulk_active);
	crt_bulk_post_locked(x);
	pthread_mutex_unlock(&ctx->cc_lock);
	return 0;
}

/*
 * Posted RMAs cannot be recalled, and until they complete the provider may
 * still write the local buffer: abort posts no further pieces and runs the
 * callback with -DER_CANCELED as soon as the pieces already posted have
 * completed (at once if none is in flight). The callback still runs exactly
 * once. An unknown or already finished \a opid gives -DER_NONEXIST.
 */
int
crt_bulk_abort(crt_context_t crt_ctx, crt_bulk_opid_t opid)
{
	struct crt_context *ctx = crt_ctx;
	struct crt_bulk_xfer *x;
	int rc = -DER_NONEXIST;

	if (ctx == NULL || opid == NULL)
		return -DER_INVAL;
	pthread_mutex_lock(&ctx->cc_lock);
	d_list_for_each_entry(x, &ctx->cc_bulk_active, bx_active)
	{
		if (x != opid)
			continue;
		if (x->bx_rc == 0)
			x->bx_rc = -DER_CANCELED;
		/* queued behind -FI_EAGAIN: nothing more will be posted */
		d_list_del_init(&x->bx_link);
		if (x->bx_done == x->bx_posted)
			crt_bulk_finish_locked(x);
		rc = 0;
		break;
	}
	pthread_mutex_unlock(&ctx->cc_lock);
	return rc;
}
