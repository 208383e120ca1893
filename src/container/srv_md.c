/**
 * Container service: user attributes, snapshots and the object ID allocator
 * (each request one TX, as srv_container.c).
 */
#define D_LOGFAC DD_FAC(container)

#include <gurt/common.h>
#include <daos/prop.h>
#include <daos_srv/rsvc.h>
#include "srv_internal.h"

/* Enter, find the handle and its container, check it has \a need. */
static int
cont_md_enter(struct cont_ctx *cx, const uuid_t pool, const uuid_t pool_hdl, const uuid_t hdl,
	      uint64_t need, struct cont *c)
{
	struct cont_hdl_rec h;
	int rc;

	rc = cont_ctx_enter(cx, pool, pool_hdl);
	if (rc != 0)
		return rc;
	rc = cont_hdl_lookup(cx, hdl, &h, c);
	if (rc != 0) {
		cont_ctx_exit(cx);
		return rc;
	}
	if ((h.ch_capas & need) != need) {
		cont_fini(c);
		cont_ctx_exit(cx);
		return -DER_NO_PERM;
	}
	return 0;
}

/* A reply buffer that grows as it is filled (snapshot lists). */
struct buf {
	char *b_buf;
	size_t b_len;
	size_t b_cap;
};

static int
buf_put(struct buf *b, const void *data, size_t len)
{
	if (b->b_len + len > b->b_cap) {
		size_t cap = (b->b_cap + len) * 2;
		char *nb;

		D_REALLOC(nb, b->b_buf, b->b_cap, cap);
		if (nb == NULL)
			return -DER_NOMEM;
		b->b_buf = nb;
		b->b_cap = cap;
	}
	memcpy(b->b_buf + b->b_len, data, len);
	b->b_len += len;
	return 0;
}

/* ---- attributes (daos_srv/rsvc.h) ---- */

static int
cont_attr(struct cont_ctx *cx, struct cont *c, struct cont_attr_in *in, d_iov_t *out)
{
	int rc;

	switch (in->cai_op) {
	case CONT_ATTR_LIST:
		return ds_rsvc_list_attr(&cx->cx_tx, &c->c_attrs, out);
	case CONT_ATTR_GET:
		return ds_rsvc_get_attr(&cx->cx_tx, &c->c_attrs, &in->cai_names, in->cai_n, out);
	case CONT_ATTR_SET:
		rc = ds_rsvc_set_attr(&cx->cx_tx, &c->c_attrs, &in->cai_names, &in->cai_values,
				      in->cai_n);
		break;
	case CONT_ATTR_DEL:
		rc = ds_rsvc_del_attr(&cx->cx_tx, &c->c_attrs, &in->cai_names, in->cai_n);
		break;
	default:
		return -DER_INVAL;
	}
	if (rc == 0)
		rc = cont_md_times_update(cx, c, false, true);
	return rc ? rc : rdb_tx_commit(&cx->cx_tx);
}

void
ds_cont_hdlr_attr(crt_rpc_t *rpc)
{
	struct cont_attr_in *in = crt_req_get(rpc);
	struct cont_attr_out *out = crt_reply_get(rpc);
	d_iov_t data = {0};
	struct cont_ctx cx;
	struct cont c;
	uint64_t need;
	int rc;

	need = (in->cai_op == CONT_ATTR_SET || in->cai_op == CONT_ATTR_DEL) ? CONT_CAPA_WRITE_DATA
									    : CONT_CAPA_READ_DATA;
	rc = cont_md_enter(&cx, in->ci_pool, in->ci_pool_hdl, in->ci_hdl, need, &c);
	if (rc != 0)
		goto out;
	rc = cont_attr(&cx, &c, in, &data);
	cont_fini(&c);
	cont_ctx_exit(&cx);
	if (rc == 0)
		out->cao_data = data;
out:
	out->cao_rc = rc;
	crt_reply_send(rpc);
	D_FREE(data.iov_buf);
}

/* ---- snapshots ---- */

struct snap_scan {
	uint32_t ss_nr;
	uint64_t ss_latest;
	struct buf *ss_out; /* list: the records */
	uint64_t ss_lo, ss_hi;
	uint64_t *ss_del; /* destroy: epochs in [lo, hi] */
	uint32_t ss_ndel;
	uint32_t ss_cap;
	const char *ss_name; /* create: a name in use? */
	bool ss_name_used;
};

static int
snap_scan_cb(daos_handle_t ih, d_iov_t *key, d_iov_t *val, void *arg)
{
	struct snap_scan *s = arg;
	struct cont_snap_rec rec = {0};
	uint64_t epoch;

	if (key->iov_len != sizeof(epoch))
		return 0;
	memcpy(&epoch, key->iov_buf, sizeof(epoch));
	s->ss_nr++;
	if (epoch > s->ss_latest)
		s->ss_latest = epoch;
	if (s->ss_name != NULL && val->iov_len == strlen(s->ss_name) + 1 &&
	    memcmp(val->iov_buf, s->ss_name, val->iov_len) == 0)
		s->ss_name_used = true;
	if (s->ss_out != NULL) {
		rec.csr_epoch = epoch;
		memcpy(rec.csr_name, val->iov_buf, min(val->iov_len, sizeof(rec.csr_name) - 1));
		return buf_put(s->ss_out, &rec, sizeof(rec));
	}
	if (s->ss_hi != 0 && epoch >= s->ss_lo && epoch <= s->ss_hi) {
		if (s->ss_ndel == s->ss_cap) {
			uint32_t cap = s->ss_cap ? s->ss_cap * 2 : 16;
			uint64_t *d;

			D_REALLOC_ARRAY(d, s->ss_del, s->ss_cap, cap);
			if (d == NULL)
				return -DER_NOMEM;
			s->ss_del = d;
			s->ss_cap = cap;
		}
		s->ss_del[s->ss_ndel++] = epoch;
	}
	return 0;
}

int
cont_snap_count(struct cont_ctx *cx, struct cont *c, uint32_t *nr, uint64_t *latest)
{
	struct snap_scan s = {0};
	int rc;

	rc = rdb_tx_iterate(&cx->cx_tx, &c->c_snaps, false, snap_scan_cb, &s);
	*nr = s.ss_nr;
	*latest = s.ss_latest;
	return rc;
}

static int
cont_snap(struct cont_ctx *cx, struct cont *c, struct cont_snap_in *in, struct cont_snap_out *out,
	  struct buf *data)
{
	struct snap_scan s = {0};
	d_iov_t key, val;
	uint64_t epoch;
	uint32_t i;
	int rc;

	switch (in->csi_op) {
	case CONT_SNAP_LIST:
		s.ss_out = data;
		return rdb_tx_iterate(&cx->cx_tx, &c->c_snaps, false, snap_scan_cb, &s);
	case CONT_SNAP_CREATE: {
		struct daos_prop_entry *max =
			daos_prop_entry_get(c->c_prop, DAOS_PROP_CO_SNAPSHOT_MAX);
		const char *name = in->csi_name ? in->csi_name : "";

		if (strnlen(name, DAOS_SNAPSHOT_MAX_LEN) >= DAOS_SNAPSHOT_MAX_LEN)
			return -DER_INVAL;
		s.ss_name = name[0] != '\0' ? name : NULL;
		rc = rdb_tx_iterate(&cx->cx_tx, &c->c_snaps, false, snap_scan_cb, &s);
		if (rc != 0)
			return rc;
		if (s.ss_name_used)
			return -DER_EXIST;
		if (max != NULL && max->dpe_val != 0 && s.ss_nr >= max->dpe_val)
			return -DER_OVERFLOW;
		/* epochs are HLC readings: later than every write acknowledged so far */
		epoch = d_hlc_get();
		if (epoch <= s.ss_latest)
			epoch = s.ss_latest + 1;
		d_iov_set(&key, &epoch, sizeof(epoch));
		d_iov_set(&val, (void *)name, strlen(name) + 1);
		rc = rdb_tx_update(&cx->cx_tx, &c->c_snaps, &key, &val);
		if (rc == 0)
			rc = cont_md_times_update(cx, c, false, true);
		if (rc == 0)
			rc = rdb_tx_commit(&cx->cx_tx);
		if (rc == 0)
			out->cso_epoch = epoch;
		return rc;
	}
	case CONT_SNAP_DESTROY:
		if (in->csi_lo == 0 || in->csi_lo > in->csi_hi)
			return -DER_INVAL;
		s.ss_lo = in->csi_lo;
		s.ss_hi = in->csi_hi;
		rc = rdb_tx_iterate(&cx->cx_tx, &c->c_snaps, false, snap_scan_cb, &s);
		if (rc == 0 && s.ss_ndel == 0)
			rc = -DER_NONEXIST;
		for (i = 0; rc == 0 && i < s.ss_ndel; i++) {
			d_iov_set(&key, &s.ss_del[i], sizeof(uint64_t));
			rc = rdb_tx_delete(&cx->cx_tx, &c->c_snaps, &key);
		}
		if (rc == 0)
			rc = cont_md_times_update(cx, c, false, true);
		if (rc == 0)
			rc = rdb_tx_commit(&cx->cx_tx);
		D_FREE(s.ss_del);
		return rc;
	default:
		return -DER_INVAL;
	}
}

void
ds_cont_hdlr_snap(crt_rpc_t *rpc)
{
	struct cont_snap_in *in = crt_req_get(rpc);
	struct cont_snap_out *out = crt_reply_get(rpc);
	struct buf data = {0};
	struct cont_ctx cx;
	struct cont c;
	int rc;

	rc = cont_md_enter(
		&cx, in->ci_pool, in->ci_pool_hdl, in->ci_hdl,
		in->csi_op == CONT_SNAP_LIST ? CONT_CAPA_READ_DATA : CONT_CAPA_WRITE_DATA, &c);
	if (rc != 0)
		goto out;
	rc = cont_snap(&cx, &c, in, out, &data);
	cont_fini(&c);
	cont_ctx_exit(&cx);
	if (rc == 0)
		d_iov_set(&out->cso_data, data.b_buf, data.b_len);
out:
	out->cso_rc = rc;
	crt_reply_send(rpc);
	D_FREE(data.b_buf);
}

/* ---- object IDs ---- */

void
ds_cont_hdlr_oid_alloc(crt_rpc_t *rpc)
{
	struct cont_oid_alloc_in *in = crt_req_get(rpc);
	struct cont_oid_alloc_out *out = crt_reply_get(rpc);
	struct cont_ctx cx;
	struct cont c;
	uint64_t next = 0;
	d_iov_t val;
	int rc;

	if (in->coai_num == 0)
		D_GOTO(out, rc = -DER_INVAL);
	rc = cont_md_enter(&cx, in->ci_pool, in->ci_pool_hdl, in->ci_hdl, CONT_CAPA_WRITE_DATA, &c);
	if (rc != 0)
		goto out;
	d_iov_set(&val, &next, sizeof(next));
	rc = rdb_tx_lookup(&cx.cx_tx, &c.c_path, &ds_cont_key_alloced_oid, &val);
	if (rc == 0 && next > UINT64_MAX - in->coai_num)
		rc = -DER_OVERFLOW;
	if (rc == 0) {
		/* the caller owns [next, next + num): the counter moves past it */
		out->coao_oid = next;
		next += in->coai_num;
		rc = rdb_tx_update(&cx.cx_tx, &c.c_path, &ds_cont_key_alloced_oid, &val);
	}
	if (rc == 0)
		rc = rdb_tx_commit(&cx.cx_tx);
	cont_fini(&c);
	cont_ctx_exit(&cx);
out:
	out->coao_rc = rc;
	crt_reply_send(rpc);
}
