/**
 * Random VOS operations and the VOS-versus-model checker (vos_check.h).
 */
#define D_LOGFAC DD_FAC(vos)

#include <ftw.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <daos_errno.h>
#include <gurt/common.h>

#include "vos_check.h"

void
vt_rng_seed(struct vt_rng *r, uint64_t seed)
{
	r->s = seed * 0x9E3779B97F4A7C15ULL + 0x2545F4914F6CDD1DULL;
	if (r->s == 0)
		r->s = 1;
	vt_rand(r);
}

uint64_t
vt_rand(struct vt_rng *r)
{
	r->s ^= r->s >> 12;
	r->s ^= r->s << 25;
	r->s ^= r->s >> 27;
	return r->s * 0x2545F4914F6CDD1DULL;
}

static uint32_t
rnd(struct vt_rng *r, uint32_t n)
{
	return n ? (uint32_t)(vt_rand(r) % n) : 0;
}

/* ---------------------------------------------------------------------------------------- */
/* Keys and values                                                                          */

static int
akey_type(uint32_t a)
{
	return a < 2 ? VM_SINGLE : VM_ARRAY;
}

static uint32_t
akey_rsize(uint32_t a)
{
	return a == 2 ? 1 : 8;
}

static bool
obj_int_keys(uint32_t obj)
{
	return obj < 2;
}

void
vt_oid(uint32_t obj, daos_unit_oid_t *oid)
{
	static const enum daos_otype_t types[VT_NOBJ] = {DAOS_OT_MULTI_UINT64, DAOS_OT_MULTI_UINT64,
							 DAOS_OT_MULTI_HASHED,
							 DAOS_OT_MULTI_LEXICAL};

	memset(oid, 0, sizeof(*oid));
	oid->id_pub.lo = 0x1000 + obj;
	oid->id_pub.hi = 0x77;
	daos_obj_set_type(&oid->id_pub, types[obj]);
}

struct vt_key {
	uint64_t ival;
	char sbuf[48];
	daos_key_t key;
};

/* integer keys: id * 1000 + 7, so order follows the id; strings: length varies with id */
static void
key_of(uint32_t obj, bool dkey, uint32_t id, struct vt_key *k)
{
	static const char pad[] = "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx";
	int len;

	if (obj_int_keys(obj)) {
		k->ival = (uint64_t)id * 1000 + 7;
		d_iov_set(&k->key, &k->ival, sizeof(k->ival));
		return;
	}
	len = snprintf(k->sbuf, sizeof(k->sbuf), "%s%.*s%u", dkey ? "dk" : "ak",
		       (int)((id * 5 + (dkey ? 0 : 3)) % 23), pad, id);
	d_iov_set(&k->key, k->sbuf, len);
}

/* id of a key VOS returned, or -1 */
static int
key_id(uint32_t obj, bool dkey, const d_iov_t *key, uint32_t nids)
{
	struct vt_key k;
	uint32_t id;

	for (id = 0; id < nids; id++) {
		key_of(obj, dkey, id, &k);
		if (k.key.iov_len == key->iov_len &&
		    memcmp(k.key.iov_buf, key->iov_buf, key->iov_len) == 0)
			return id;
	}
	return -1;
}

static uint8_t
val_byte(uint64_t seed, uint64_t i)
{
	uint64_t x = seed * 0x9E3779B97F4A7C15ULL + i * 0xBF58476D1CE4E5B9ULL;

	x ^= x >> 31;
	return (uint8_t)(x * 0x94D049BB133111EBULL >> 56);
}

/* bytes of an iod in order: a single value, or the records of each extent */
static uint8_t *
iod_data(const struct vt_iod *iod, uint64_t *lenp)
{
	uint64_t len = 0, i, r, off = 0;
	uint8_t *buf;
	uint32_t x;

	if (akey_type(iod->akey) == VM_SINGLE)
		len = iod->len;
	else
		for (x = 0; x < iod->nrecx; x++)
			len += iod->recx[x].rx_nr * iod->len;
	D_ALLOC_NZ(buf, len + 1);
	if (buf == NULL)
		return NULL;
	if (akey_type(iod->akey) == VM_SINGLE) {
		for (i = 0; i < len; i++)
			buf[i] = val_byte(iod->seed, i);
	} else {
		/* record r's bytes depend on its index, so overlapping writes differ */
		for (x = 0; x < iod->nrecx; x++)
			for (r = iod->recx[x].rx_idx; r < iod->recx[x].rx_idx + iod->recx[x].rx_nr;
			     r++)
				for (i = 0; i < iod->len; i++)
					buf[off++] = val_byte(iod->seed, r * iod->len + i);
	}
	*lenp = len;
	return buf;
}

void
vt_iod_change(struct vt_iod *iod)
{
	uint64_t len0, len1, k;
	uint8_t *a, *b;
	int same = 1;

	a = iod_data(iod, &len0);
	for (k = 1; a != NULL && same && k < 64; k++) {
		iod->seed ^= k * 0x9E3779B97F4A7C15ULL;
		b = iod_data(iod, &len1);
		same = b != NULL && memcmp(a, b, len0) == 0;
		D_FREE(b);
	}
	D_FREE(a);
}

/* ---------------------------------------------------------------------------------------- */
/* Generation                                                                               */

static void
gen_recxs(struct vt_rng *r, struct vt_iod *iod)
{
	uint64_t pos = rnd(r, 64);
	uint32_t x;

	iod->nrecx = 1 + rnd(r, VT_MAX_RECX);
	for (x = 0; x < iod->nrecx; x++) {
		uint64_t nr = 1 + rnd(r, 24);

		/* 8-byte records: sometimes one big extent (> 4 KiB, in the blob) */
		if (iod->len == 8 && rnd(r, 100) < 8)
			nr = 520 + rnd(r, 90);
		if (pos + nr > VT_ARR_LEN) {
			iod->nrecx = x;
			break;
		}
		iod->recx[x].rx_idx = pos;
		iod->recx[x].rx_nr = nr;
		pos += nr + rnd(r, 40);
	}
	if (iod->nrecx == 0) {
		iod->nrecx = 1;
		iod->recx[0].rx_idx = rnd(r, VT_ARR_LEN - 8);
		iod->recx[0].rx_nr = 1 + rnd(r, 8);
	}
}

static void
gen_update(struct vt_rng *r, const struct vt_gen_opts *o, struct vt_op *op)
{
	uint32_t used = 0, i;

	op->kind = VT_UPDATE;
	op->nr = 1 + rnd(r, 3);
	for (i = 0; i < op->nr; i++) {
		struct vt_iod *iod = &op->iods[i];
		uint32_t a;

		do
			a = rnd(r, VT_NAKEY);
		while (used & (1U << a));
		used |= 1U << a;
		iod->akey = a;
		iod->seed = vt_rand(r);
		if (akey_type(a) == VM_SINGLE) {
			iod->len = rnd(r, 100) < o->blob_pct ? 4096 + rnd(r, VT_SV_MAX - 4096)
							     : 1 + rnd(r, 64);
			iod->nrecx = 1;
		} else {
			iod->len = akey_rsize(a);
			gen_recxs(r, iod);
			if (rnd(r, 100) < 12)
				iod->len = 0; /* extent punch */
		}
	}
	if (o->cond && rnd(r, 100) < 20) {
		static const uint64_t conds[] = {DAOS_COND_DKEY_INSERT, DAOS_COND_DKEY_UPDATE,
						 DAOS_COND_AKEY_INSERT, DAOS_COND_AKEY_UPDATE};

		op->flags = conds[rnd(r, 4)];
	}
}

void
vt_gen(struct vt_rng *r, const struct vt_gen_opts *o, struct vt_gen_state *gs, uint64_t epoch,
       struct vt_op *op)
{
	uint32_t p = rnd(r, 100), i;
	uint64_t back;

	memset(op, 0, sizeof(*op));
	op->obj = rnd(r, VT_NOBJ);
	op->dkey = rnd(r, VT_NDKEY);
	op->epoch = epoch;
	if (p < 62) {
		gen_update(r, o, op);
	} else if (p < 72) {
		op->kind = VT_PUNCH_AKEY;
		op->nr = 1 + rnd(r, 2);
		op->iods[0].akey = rnd(r, VT_NAKEY);
		op->iods[1].akey = (op->iods[0].akey + 1 + rnd(r, VT_NAKEY - 1)) % VT_NAKEY;
	} else if (p < 80) {
		op->kind = VT_PUNCH_DKEY;
	} else if (p < 84) {
		op->kind = VT_PUNCH_OBJ;
	} else if (p < 88 && o->agg) {
		op->kind = VT_AGGREGATE;
		/* up to a recent epoch, sometimes all the way */
		back = (uint64_t)rnd(r, 4) * rnd(r, 30); /* min() evaluates twice */
		op->epoch = epoch - min(epoch - 1, back);
	} else if (p < 92 && o->agg) {
		op->kind = VT_GC;
		op->credits = 1 + rnd(r, 64);
	} else if (p < 95 && o->snaps && gs->nsnaps < ARRAY_SIZE(gs->snaps)) {
		op->kind = VT_SNAP_ADD;
		gs->snaps[gs->nsnaps++] = epoch;
	} else if (p < 97 && o->snaps && o->snap_del && gs->nsnaps > 0) {
		op->kind = VT_SNAP_DEL;
		i = rnd(r, gs->nsnaps);
		op->epoch = gs->snaps[i];
		gs->snaps[i] = gs->snaps[--gs->nsnaps];
	} else {
		gen_update(r, o, op);
	}
	if (o->cond && op->kind >= VT_PUNCH_OBJ && op->kind <= VT_PUNCH_AKEY && rnd(r, 100) < 25)
		op->flags = DAOS_COND_PUNCH;
}

/* ---------------------------------------------------------------------------------------- */
/* Applying                                                                                 */

int
vt_expect(struct vos_model *m, const struct vt_op *op)
{
	struct vm_obj *o = vm_obj_find(m, op->obj);
	struct vm_dkey *d = vm_dkey_find(o, op->dkey);
	uint32_t i;
	bool all = true, any = false;

	if (op->flags == 0)
		return 0;
	if (op->kind == VT_PUNCH_OBJ)
		return vm_obj_visible(o, op->epoch) ? 0 : -DER_NONEXIST;
	if (op->kind == VT_PUNCH_DKEY)
		return vm_dkey_visible(o, d, op->epoch) ? 0 : -DER_NONEXIST;
	for (i = 0; i < op->nr; i++) {
		bool vis = vm_akey_visible(o, d, vm_akey_find(d, op->iods[i].akey), op->epoch);

		all = all && vis;
		any = any || vis;
	}
	switch (op->flags) {
	case DAOS_COND_PUNCH: /* akeys */
		return all ? 0 : -DER_NONEXIST;
	case DAOS_COND_DKEY_INSERT:
		return vm_dkey_visible(o, d, op->epoch) ? -DER_EXIST : 0;
	case DAOS_COND_DKEY_UPDATE:
		return vm_dkey_visible(o, d, op->epoch) ? 0 : -DER_NONEXIST;
	case DAOS_COND_AKEY_INSERT:
		return any ? -DER_EXIST : 0;
	case DAOS_COND_AKEY_UPDATE:
		return all ? 0 : -DER_NONEXIST;
	}
	return 0;
}

int
vt_vos_apply(daos_handle_t poh, daos_handle_t coh, const struct vt_op *op)
{
	daos_unit_oid_t oid;
	struct vt_key dkey, akeys[VT_MAX_IOD];
	daos_key_t akey_iovs[VT_MAX_IOD];
	daos_iod_t iods[VT_MAX_IOD];
	d_sg_list_t sgls[VT_MAX_IOD];
	d_iov_t iovs[VT_MAX_IOD];
	uint8_t *bufs[VT_MAX_IOD] = {NULL};
	daos_epoch_range_t epr;
	uint64_t len;
	uint32_t i;
	int rc;

	vt_oid(op->obj, &oid);
	key_of(op->obj, true, op->dkey, &dkey);
	switch (op->kind) {
	case VT_PUNCH_OBJ:
		return vos_obj_punch(coh, oid, op->epoch, 0, op->flags, NULL, 0, NULL, NULL);
	case VT_PUNCH_DKEY:
		return vos_obj_punch(coh, oid, op->epoch, 0, op->flags, &dkey.key, 0, NULL, NULL);
	case VT_PUNCH_AKEY:
		for (i = 0; i < op->nr; i++) {
			key_of(op->obj, false, op->iods[i].akey, &akeys[i]);
			akey_iovs[i] = akeys[i].key;
		}
		return vos_obj_punch(coh, oid, op->epoch, 0, op->flags, &dkey.key, op->nr,
				     akey_iovs, NULL);
	case VT_AGGREGATE:
		epr.epr_lo = 0;
		epr.epr_hi = op->epoch;
		return vos_aggregate(coh, &epr, NULL, NULL, 0);
	case VT_GC:
		rc = vos_gc_pool(poh, op->credits, NULL, NULL);
		return rc < 0 ? rc : 0;
	case VT_SNAP_ADD:
		return vos_cont_snap_add(coh, op->epoch);
	case VT_SNAP_DEL:
		return vos_cont_snap_del(coh, op->epoch);
	}

	memset(iods, 0, sizeof(iods));
	memset(sgls, 0, sizeof(sgls));
	for (i = 0; i < op->nr; i++) {
		const struct vt_iod *v = &op->iods[i];

		key_of(op->obj, false, v->akey, &akeys[i]);
		iods[i].iod_name = akeys[i].key;
		if (akey_type(v->akey) == VM_SINGLE) {
			iods[i].iod_type = DAOS_IOD_SINGLE;
			iods[i].iod_size = v->len;
			iods[i].iod_nr = 1;
		} else {
			iods[i].iod_type = DAOS_IOD_ARRAY;
			iods[i].iod_size = v->len;
			iods[i].iod_nr = v->nrecx;
			iods[i].iod_recxs = (daos_recx_t *)v->recx;
		}
		if (v->len == 0)
			continue; /* extent punch: no data */
		bufs[i] = iod_data(v, &len);
		if (bufs[i] == NULL)
			D_GOTO(out, rc = -DER_NOMEM);
		d_iov_set(&iovs[i], bufs[i], len);
		sgls[i].sg_nr = 1;
		sgls[i].sg_iovs = &iovs[i];
	}
	rc = vos_obj_update(coh, oid, op->epoch, 0, op->flags, &dkey.key, op->nr, iods, NULL, sgls);
out:
	for (i = 0; i < op->nr; i++)
		D_FREE(bufs[i]);
	return rc;
}

int
vt_model_apply(struct vos_model *m, const struct vt_op *op)
{
	uint64_t dkey = op->dkey, akey, len;
	uint8_t *buf;
	uint32_t i, x;
	int rc = 0;

	switch (op->kind) {
	case VT_PUNCH_OBJ:
		return vm_punch(m, op->obj, NULL, NULL, op->epoch);
	case VT_PUNCH_DKEY:
		return vm_punch(m, op->obj, &dkey, NULL, op->epoch);
	case VT_PUNCH_AKEY:
		for (i = 0; i < op->nr && rc == 0; i++) {
			akey = op->iods[i].akey;
			rc = vm_punch(m, op->obj, &dkey, &akey, op->epoch);
		}
		return rc;
	case VT_AGGREGATE:
		vm_aggregated(m, op->epoch);
		return 0;
	case VT_GC:
		return 0;
	case VT_SNAP_ADD:
		return vm_snap_add(m, op->epoch);
	case VT_SNAP_DEL:
		vm_snap_del(m, op->epoch);
		return 0;
	}
	for (i = 0; i < op->nr && rc == 0; i++) {
		const struct vt_iod *v = &op->iods[i];
		uint64_t off = 0;

		if (akey_type(v->akey) == VM_SINGLE) {
			buf = iod_data(v, &len);
			if (buf == NULL)
				return -DER_NOMEM;
			rc = vm_update_sv(m, op->obj, dkey, v->akey, op->epoch, buf, v->len);
			D_FREE(buf);
			continue;
		}
		buf = NULL;
		if (v->len != 0) {
			buf = iod_data(v, &len);
			if (buf == NULL)
				return -DER_NOMEM;
		}
		for (x = 0; x < v->nrecx && rc == 0; x++) {
			rc = vm_update_array(m, op->obj, dkey, v->akey, op->epoch,
					     akey_rsize(v->akey), v->recx[x].rx_idx,
					     v->recx[x].rx_nr, buf ? buf + off : NULL);
			off += v->recx[x].rx_nr * v->len;
		}
		D_FREE(buf);
	}
	return rc;
}

void
vt_op_print(const struct vt_op *op, char *buf, size_t len)
{
	static const char *names[] = {"update",    "punch_obj", "punch_dkey", "punch_akey",
				      "aggregate", "gc",        "snap_add",   "snap_del"};
	size_t n;
	uint32_t i, x;

	n = snprintf(buf, len, "%s obj %u dkey %u epoch %" PRIu64 " flags 0x%" PRIx64,
		     names[op->kind], op->obj, op->dkey, op->epoch, op->flags);
	for (i = 0; i < op->nr && n < len; i++) {
		const struct vt_iod *v = &op->iods[i];

		n += snprintf(buf + n, len - n, " [akey %u len %u", v->akey, v->len);
		if (op->kind == VT_UPDATE && akey_type(v->akey) == VM_ARRAY)
			for (x = 0; x < v->nrecx && n < len; x++)
				n += snprintf(buf + n, len - n, " %" PRIu64 "+%" PRIu64,
					      v->recx[x].rx_idx, v->recx[x].rx_nr);
		if (n < len)
			n += snprintf(buf + n, len - n, "]");
	}
}

/* ---------------------------------------------------------------------------------------- */
/* Checking                                                                                 */

bool vt_quiet;
unsigned int vt_check_mask = VT_CHECK_ALL;

#define FAIL(tag, ...)                                \
	do {                                          \
		if (!vt_quiet) {                      \
			fprintf(stderr, "%s: ", tag); \
			fprintf(stderr, __VA_ARGS__); \
			fprintf(stderr, "\n");        \
		}                                     \
		return -1;                            \
	} while (0)

typedef int (*walk_cb_t)(vos_iter_entry_t *ent, void *arg);

/*
 * Walk a level with a fresh iterator every \a resume_every entries, resuming from the anchor
 * vos_iter_next returned (tests anchors). A missing parent reads as an empty level.
 */
static int
walk(vos_iter_type_t type, vos_iter_param_t *param, walk_cb_t cb, void *arg,
     unsigned int resume_every)
{
	daos_anchor_t anchor;
	vos_iter_entry_t ent;
	daos_handle_t ih;
	unsigned int n = 0;
	bool first = true;
	int rc;

	memset(&anchor, 0, sizeof(anchor));
	for (;;) {
		rc = vos_iter_prepare(type, param, &ih, NULL);
		if (rc != 0)
			return rc == -DER_NONEXIST ? 0 : rc;
		rc = vos_iter_probe(ih, first ? NULL : &anchor);
		first = false;
		while (rc == 0) {
			memset(&ent, 0, sizeof(ent));
			rc = vos_iter_fetch(ih, &ent, NULL);
			if (rc != 0)
				break;
			rc = cb(&ent, arg);
			if (rc != 0)
				break;
			rc = vos_iter_next(ih, &anchor);
			if (rc == 0 && resume_every != 0 && ++n % resume_every == 0)
				rc = 1;
		}
		vos_iter_finish(ih);
		if (rc != 1)
			return rc == -DER_NONEXIST ? 0 : rc;
	}
}

struct walk_ids {
	uint32_t obj;
	bool dkey;
	uint32_t nids;
	uint64_t seen; /* bitmap of ids */
	int bad;       /* unknown or repeated entries */
	uint8_t *present;
	uint64_t plen;
	uint32_t rsize;
};

static int
obj_cb(vos_iter_entry_t *ent, void *arg)
{
	struct walk_ids *w = arg;
	daos_unit_oid_t oid;
	uint32_t i;

	for (i = 0; i < VT_NOBJ; i++) {
		vt_oid(i, &oid);
		if (daos_unit_oid_compare(oid, ent->ie_oid)) {
			if (w->seen & (1ULL << i))
				w->bad++;
			w->seen |= 1ULL << i;
			return 0;
		}
	}
	w->bad++;
	return 0;
}

static int
key_cb(vos_iter_entry_t *ent, void *arg)
{
	struct walk_ids *w = arg;
	int id = key_id(w->obj, w->dkey, &ent->ie_key, w->nids);

	if (id < 0 || (w->seen & (1ULL << id)))
		w->bad++;
	else
		w->seen |= 1ULL << id;
	return 0;
}

static int
recx_cb(vos_iter_entry_t *ent, void *arg)
{
	struct walk_ids *w = arg;
	uint64_t r;

	if (ent->ie_rsize != 0 && ent->ie_rsize != w->rsize)
		w->bad++;
	for (r = ent->ie_recx.rx_idx; r < ent->ie_recx.rx_idx + ent->ie_recx.rx_nr; r++) {
		if (r >= w->plen || w->present[r] == 2) {
			w->bad++; /* out of range, or returned twice */
			continue;
		}
		/* 2: VOS returned it; a hole returned despite SKIP_HOLES is an error */
		w->present[r] = 2;
		if (ent->ie_rsize == 0)
			w->bad++;
	}
	return 0;
}

struct sv_walk {
	uint64_t newest, newest_size, epoch_hi;
	int bad;
};

static int
sv_cb(vos_iter_entry_t *ent, void *arg)
{
	struct sv_walk *w = arg;

	if (w->epoch_hi != 0 && ent->ie_epoch > w->epoch_hi)
		w->bad++;
	if (ent->ie_epoch > w->newest) {
		w->newest = ent->ie_epoch;
		w->newest_size = ent->ie_rsize;
	}
	return 0;
}

static void
param_init(vos_iter_param_t *p, daos_handle_t coh, uint64_t epoch)
{
	memset(p, 0, sizeof(*p));
	p->ip_hdl = coh;
	p->ip_ih = DAOS_HDL_INVAL;
	p->ip_epr.epr_lo = 0;
	p->ip_epr.epr_hi = epoch;
}

static int
check_objs(daos_handle_t coh, struct vos_model *m, uint64_t epoch, const char *tag)
{
	struct walk_ids w = {0};
	vos_iter_param_t p;
	uint64_t exp = 0;
	uint32_t i;
	int rc;

	param_init(&p, coh, epoch);
	rc = walk(VOS_ITER_OBJ, &p, obj_cb, &w, 2);
	if (rc != 0)
		FAIL(tag, "object iteration at %" PRIu64 ": " DF_RC, epoch, DP_RC(rc));
	for (i = 0; i < VT_NOBJ; i++)
		if (vm_obj_visible(vm_obj_find(m, i), epoch))
			exp |= 1ULL << i;
	if (w.bad || w.seen != exp)
		FAIL(tag, "objects at %" PRIu64 ": VOS 0x%" PRIx64 " model 0x%" PRIx64 " (%d bad)",
		     epoch, w.seen, exp, w.bad);
	return 0;
}

static int
check_dkeys(daos_handle_t coh, struct vos_model *m, uint32_t obj, uint64_t epoch, uint64_t *vis,
	    const char *tag)
{
	struct walk_ids w = {.obj = obj, .dkey = true, .nids = VT_NDKEY};
	struct vm_obj *o = vm_obj_find(m, obj);
	vos_iter_param_t p;
	uint64_t exp = 0;
	uint32_t i;
	int rc;

	param_init(&p, coh, epoch);
	vt_oid(obj, &p.ip_oid);
	rc = walk(VOS_ITER_DKEY, &p, key_cb, &w, 1 + obj);
	if (rc != 0)
		FAIL(tag, "dkey iteration obj %u at %" PRIu64 ": " DF_RC, obj, epoch, DP_RC(rc));
	for (i = 0; i < VT_NDKEY; i++)
		if (vm_dkey_visible(o, vm_dkey_find(o, i), epoch))
			exp |= 1ULL << i;
	if (w.bad || w.seen != exp)
		FAIL(tag,
		     "dkeys of obj %u at %" PRIu64 ": VOS 0x%" PRIx64 " model 0x%" PRIx64
		     " (%d bad)",
		     obj, epoch, w.seen, exp, w.bad);
	*vis = exp;
	return 0;
}

static int
check_akeys(daos_handle_t coh, struct vos_model *m, uint32_t obj, uint32_t dkey, uint64_t epoch,
	    const char *tag)
{
	struct walk_ids w = {.obj = obj, .dkey = false, .nids = VT_NAKEY};
	struct vm_obj *o = vm_obj_find(m, obj);
	struct vm_dkey *d = vm_dkey_find(o, dkey);
	struct vt_key dk;
	vos_iter_param_t p;
	uint64_t exp = 0;
	uint32_t i;
	int rc;

	param_init(&p, coh, epoch);
	vt_oid(obj, &p.ip_oid);
	key_of(obj, true, dkey, &dk);
	p.ip_dkey = dk.key;
	rc = walk(VOS_ITER_AKEY, &p, key_cb, &w, 0);
	if (rc != 0)
		FAIL(tag, "akey iteration obj %u dkey %u at %" PRIu64 ": " DF_RC, obj, dkey, epoch,
		     DP_RC(rc));
	for (i = 0; i < VT_NAKEY; i++)
		if (vm_akey_visible(o, d, vm_akey_find(d, i), epoch))
			exp |= 1ULL << i;
	if (w.bad || w.seen != exp)
		FAIL(tag,
		     "akeys of obj %u dkey %u at %" PRIu64 ": VOS 0x%" PRIx64 " model 0x%" PRIx64
		     " (%d bad)",
		     obj, dkey, epoch, w.seen, exp, w.bad);

	/* versions of the single-value akeys: the newest one is the visible value */
	for (i = 0; i < VT_NAKEY; i++) {
		const struct vm_sv *sv;
		struct vt_key ak;
		struct sv_walk sw = {.epoch_hi = epoch};

		if (akey_type(i) != VM_SINGLE || !(exp & (1ULL << i)))
			continue;
		sv = vm_fetch_sv(m, obj, dkey, i, epoch);
		key_of(obj, false, i, &ak);
		p.ip_akey = ak.key;
		p.ip_flags = 0;
		p.ip_epc_expr = VOS_IT_EPC_RE;
		rc = walk(VOS_ITER_SINGLE, &p, sv_cb, &sw, 0);
		if (rc != 0)
			FAIL(tag,
			     "single-value iteration obj %u dkey %u akey %u at %" PRIu64 ": " DF_RC,
			     obj, dkey, i, epoch, DP_RC(rc));
		if (sv == NULL || sw.newest != sv->epoch || sw.newest_size != sv->len || sw.bad)
			FAIL(tag,
			     "single-value iteration obj %u dkey %u akey %u at %" PRIu64
			     ": newest version %" PRIu64 " (%" PRIu64
			     " bytes, %d out of range), model %" PRIu64 " (%u bytes)",
			     obj, dkey, i, epoch, sw.newest, sw.newest_size, sw.bad,
			     sv ? sv->epoch : 0, sv ? sv->len : 0);
	}
	p.ip_epc_expr = 0;

	/* visible extents of the array akeys */
	for (i = 0; i < VT_NAKEY; i++) {
		struct vt_key ak;
		uint8_t present[VT_ARR_LEN];
		uint64_t r;

		if (akey_type(i) != VM_ARRAY || !(exp & (1ULL << i)))
			continue;
		vm_array_present(m, obj, dkey, i, epoch, VT_ARR_LEN, present);
		key_of(obj, false, i, &ak);
		p.ip_akey = ak.key;
		p.ip_flags = VOS_IT_RECX_VISIBLE | VOS_IT_RECX_SKIP_HOLES;
		memset(&w, 0, sizeof(w));
		w.present = present;
		w.plen = VT_ARR_LEN;
		w.rsize = akey_rsize(i);
		rc = walk(VOS_ITER_RECX, &p, recx_cb, &w, 0);
		if (rc != 0)
			FAIL(tag, "recx iteration obj %u dkey %u akey %u at %" PRIu64 ": " DF_RC,
			     obj, dkey, i, epoch, DP_RC(rc));
		for (r = 0; r < VT_ARR_LEN; r++)
			if (present[r] == 1)
				FAIL(tag,
				     "recx iteration obj %u dkey %u akey %u at %" PRIu64
				     ": record %" PRIu64 " missing",
				     obj, dkey, i, epoch, r);
		if (w.bad)
			FAIL(tag,
			     "recx iteration obj %u dkey %u akey %u at %" PRIu64
			     ": %d records returned that are holes, duplicates or wrong size",
			     obj, dkey, i, epoch, w.bad);
	}
	return 0;
}

/* DAOS_COND_DKEY_FETCH / DAOS_COND_AKEY_FETCH: -DER_NONEXIST exactly when the key is absent */
static int
check_cond_fetch(daos_handle_t coh, struct vos_model *m, uint32_t obj, uint32_t dkey,
		 uint64_t epoch, const char *tag)
{
	struct vm_obj *o = vm_obj_find(m, obj);
	struct vm_dkey *d = vm_dkey_find(o, dkey);
	daos_unit_oid_t oid;
	struct vt_key dk, ak;
	daos_iod_t iod;
	daos_recx_t recx = {0, VT_ARR_LEN};
	uint32_t a = (obj + dkey + (uint32_t)epoch) % VT_NAKEY, i;
	int rc, exp;

	vt_oid(obj, &oid);
	key_of(obj, true, dkey, &dk);
	key_of(obj, false, a, &ak);
	for (i = 0; i < 2; i++) {
		uint64_t flags = i ? DAOS_COND_AKEY_FETCH : DAOS_COND_DKEY_FETCH;

		memset(&iod, 0, sizeof(iod));
		iod.iod_name = ak.key;
		iod.iod_type = akey_type(a) == VM_SINGLE ? DAOS_IOD_SINGLE : DAOS_IOD_ARRAY;
		iod.iod_nr = 1;
		if (akey_type(a) == VM_ARRAY) {
			iod.iod_size = akey_rsize(a);
			iod.iod_recxs = &recx;
		}
		/* size query only (no sgl) */
		rc = vos_obj_fetch(coh, oid, epoch, flags, &dk.key, 1, &iod, NULL);
		if (i == 0)
			exp = vm_dkey_visible(o, d, epoch) ? 0 : -DER_NONEXIST;
		else
			exp = vm_akey_visible(o, d, vm_akey_find(d, a), epoch) ? 0 : -DER_NONEXIST;
		if (rc != exp)
			FAIL(tag,
			     "fetch with %s obj %u dkey %u akey %u at %" PRIu64 ": " DF_RC
			     ", model expects %d",
			     i ? "DAOS_COND_AKEY_FETCH" : "DAOS_COND_DKEY_FETCH", obj, dkey, a,
			     epoch, DP_RC(rc), exp);
	}
	return 0;
}

#define VT_IOM_MAX 64

/* The I/O map of an array iod: the maximal runs of records that exist, in offset order. */
static int
check_iom(struct vos_model *m, uint32_t obj, uint32_t dkey, uint32_t akey, uint64_t epoch,
	  const daos_iom_t *iom, const char *tag)
{
	uint8_t present[VT_ARR_LEN];
	uint32_t n = 0;
	uint64_t r = 0, lo;

	vm_array_present(m, obj, dkey, akey, epoch, VT_ARR_LEN, present);
	while (r < VT_ARR_LEN) {
		if (!present[r]) {
			r++;
			continue;
		}
		for (lo = r; r < VT_ARR_LEN && present[r]; r++)
			;
		if (n < iom->iom_nr_out && n < VT_IOM_MAX &&
		    (iom->iom_recxs[n].rx_idx != lo || iom->iom_recxs[n].rx_nr != r - lo))
			FAIL(tag,
			     "iom obj %u dkey %u akey %u at %" PRIu64 ": extent %u is %" PRIu64
			     "+%" PRIu64 ", model %" PRIu64 "+%" PRIu64,
			     obj, dkey, akey, epoch, n, iom->iom_recxs[n].rx_idx,
			     iom->iom_recxs[n].rx_nr, lo, r - lo);
		if (n == 0 && (iom->iom_recx_lo.rx_idx != lo || iom->iom_recx_lo.rx_nr != r - lo))
			FAIL(tag, "iom obj %u dkey %u akey %u at %" PRIu64 ": wrong iom_recx_lo",
			     obj, dkey, akey, epoch);
		n++;
	}
	if (iom->iom_nr_out != n)
		FAIL(tag, "iom obj %u dkey %u akey %u at %" PRIu64 ": %u extents, model %u", obj,
		     dkey, akey, epoch, iom->iom_nr_out, n);
	return 0;
}

static int
check_fetch(daos_handle_t coh, struct vos_model *m, uint32_t obj, uint32_t dkey, uint64_t epoch,
	    const char *tag)
{
	static uint8_t bufs[VT_NAKEY][VT_ARR_LEN * 8 + VT_SV_MAX];
	static uint8_t exp[VT_ARR_LEN * 8];
	daos_unit_oid_t oid;
	struct vt_key dk, ak[VT_NAKEY];
	daos_iod_t iods[VT_NAKEY];
	daos_recx_t recxs[VT_NAKEY][2];
	d_sg_list_t sgls[VT_NAKEY];
	d_iov_t iovs[VT_NAKEY];
	daos_iom_t ioms[VT_NAKEY];
	daos_recx_t iom_recxs[VT_NAKEY][VT_IOM_MAX];
	uint64_t split = (obj * 131 + dkey * 17 + epoch) % VT_ARR_LEN;
	uint32_t i;
	int rc;

	vt_oid(obj, &oid);
	key_of(obj, true, dkey, &dk);
	memset(iods, 0, sizeof(iods));
	for (i = 0; i < VT_NAKEY; i++) {
		key_of(obj, false, i, &ak[i]);
		iods[i].iod_name = ak[i].key;
		memset(bufs[i], 0, sizeof(bufs[i]));
		if (akey_type(i) == VM_SINGLE) {
			iods[i].iod_type = DAOS_IOD_SINGLE;
			iods[i].iod_size = DAOS_REC_ANY;
			iods[i].iod_nr = 1;
			d_iov_set(&iovs[i], bufs[i], VT_SV_MAX);
		} else {
			/* two extents into one buffer: [0, split) and [split, end) */
			recxs[i][0].rx_idx = 0;
			recxs[i][0].rx_nr = split;
			recxs[i][1].rx_idx = split;
			recxs[i][1].rx_nr = VT_ARR_LEN - split;
			iods[i].iod_type = DAOS_IOD_ARRAY;
			iods[i].iod_size = akey_rsize(i);
			iods[i].iod_nr = split ? 2 : 1;
			iods[i].iod_recxs = split ? recxs[i] : &recxs[i][1];
			d_iov_set(&iovs[i], bufs[i], VT_ARR_LEN * akey_rsize(i));
		}
		sgls[i].sg_nr = 1;
		sgls[i].sg_nr_out = 0;
		sgls[i].sg_iovs = &iovs[i];
	}
	memset(ioms, 0, sizeof(ioms));
	for (i = 0; i < VT_NAKEY; i++) {
		ioms[i].iom_nr = VT_IOM_MAX;
		ioms[i].iom_recxs = iom_recxs[i];
	}
	rc = vos_obj_fetch_iom(coh, oid, epoch, 0, &dk.key, VT_NAKEY, iods, sgls, ioms, NULL);
	if (rc != 0)
		FAIL(tag, "fetch obj %u dkey %u at %" PRIu64 ": " DF_RC, obj, dkey, epoch,
		     DP_RC(rc));
	for (i = 0; i < VT_NAKEY; i++) {
		if (akey_type(i) == VM_SINGLE) {
			const struct vm_sv *sv = vm_fetch_sv(m, obj, dkey, i, epoch);
			uint64_t len = sv ? sv->len : 0;

			if (iods[i].iod_size != len)
				FAIL(tag,
				     "fetch obj %u dkey %u akey %u at %" PRIu64 ": size %" PRIu64
				     ", model %" PRIu64,
				     obj, dkey, i, epoch, (uint64_t)iods[i].iod_size, len);
			if (len != 0 && (iovs[i].iov_len != len || memcmp(bufs[i], sv->data, len)))
				FAIL(tag,
				     "fetch obj %u dkey %u akey %u at %" PRIu64
				     ": wrong bytes (iov_len %zu, model len %" PRIu64
				     ", epoch %" PRIu64 ")",
				     obj, dkey, i, epoch, iovs[i].iov_len, len, sv->epoch);
		} else {
			uint32_t rsize = akey_rsize(i);
			uint64_t found =
				vm_fetch_array(m, obj, dkey, i, epoch, rsize, 0, VT_ARR_LEN, exp);
			uint64_t r;

			if (iods[i].iod_size != (found ? rsize : 0))
				FAIL(tag,
				     "fetch obj %u dkey %u akey %u at %" PRIu64
				     ": iod_size %" PRIu64 ", model %u (%" PRIu64 " records)",
				     obj, dkey, i, epoch, (uint64_t)iods[i].iod_size,
				     found ? rsize : 0, found);
			if (check_iom(m, obj, dkey, i, epoch, &ioms[i], tag) != 0)
				return -1;
			if (found == 0)
				continue;
			for (r = 0; r < VT_ARR_LEN; r++)
				if (memcmp(bufs[i] + r * rsize, exp + r * rsize, rsize) != 0)
					FAIL(tag,
					     "fetch obj %u dkey %u akey %u at %" PRIu64
					     ": record %" PRIu64 " differs (VOS %02x, model %02x)",
					     obj, dkey, i, epoch, r, bufs[i][r * rsize],
					     exp[r * rsize]);
		}
	}
	return 0;
}

static int
check_query(daos_handle_t coh, struct vos_model *m, uint32_t obj, uint64_t dvis, uint64_t epoch,
	    const char *tag)
{
	struct vm_obj *o = vm_obj_find(m, obj);
	daos_unit_oid_t oid;
	struct vt_key dk, ak;
	daos_recx_t recx;
	uint64_t kbuf, end;
	daos_key_t key;
	uint32_t d, a, i;
	int rc, exp_rc;

	vt_oid(obj, &oid);
	if (obj_int_keys(obj)) {
		for (i = 0; i < 2; i++) {
			uint32_t flags = (i ? VOS_GET_MIN : VOS_GET_MAX) | VOS_GET_DKEY;
			int want = -1;

			for (d = 0; d < VT_NDKEY; d++)
				if (dvis & (1ULL << d))
					if (i == 0 || want < 0) /* max: last, min: first */
						want = (int)d;
			kbuf = 0;
			d_iov_set(&key, &kbuf, sizeof(kbuf));
			rc = vos_obj_query_key(coh, oid, flags, epoch, &key, NULL, NULL, NULL, 0, 0,
					       NULL);
			exp_rc = want < 0 ? -DER_NONEXIST : 0;
			if (rc != exp_rc)
				FAIL(tag,
				     "query %s dkey obj %u at %" PRIu64 ": " DF_RC ", expected %d",
				     i ? "min" : "max", obj, epoch, DP_RC(rc), exp_rc);
			if (rc == 0 && (key.iov_len != 8 ||
					*(uint64_t *)key.iov_buf != (uint64_t)want * 1000 + 7))
				FAIL(tag,
				     "query %s dkey obj %u at %" PRIu64 ": got %" PRIu64
				     " (len %zu), model %u",
				     i ? "min" : "max", obj, epoch,
				     key.iov_len == 8 ? *(uint64_t *)key.iov_buf : 0, key.iov_len,
				     want * 1000 + 7);
		}
	}
	for (d = 0; d < VT_NDKEY; d++) {
		struct vm_dkey *vd = vm_dkey_find(o, d);

		if (!(dvis & (1ULL << d)))
			continue;
		key_of(obj, true, d, &dk);
		for (a = 0; a < VT_NAKEY; a++) {
			if (akey_type(a) != VM_ARRAY ||
			    !vm_akey_visible(o, vd, vm_akey_find(vd, a), epoch))
				continue;
			key_of(obj, false, a, &ak);
			memset(&recx, 0, sizeof(recx));
			end = vm_array_end(m, obj, d, a, epoch);
			rc = vos_obj_query_key(coh, oid, VOS_GET_MAX | VOS_GET_RECX, epoch, &dk.key,
					       &ak.key, &recx, NULL, 0, 0, NULL);
			exp_rc = end == 0 ? -DER_NONEXIST : 0;
			if (rc != exp_rc)
				FAIL(tag,
				     "query max recx obj %u dkey %u akey %u at %" PRIu64 ": " DF_RC
				     ", expected %d",
				     obj, d, a, epoch, DP_RC(rc), exp_rc);
			if (rc == 0 && recx.rx_idx + recx.rx_nr != end)
				FAIL(tag,
				     "query max recx obj %u dkey %u akey %u at %" PRIu64
				     ": %" PRIu64 "+%" PRIu64 ", model end %" PRIu64,
				     obj, d, a, epoch, recx.rx_idx, recx.rx_nr, end);
		}
	}
	return 0;
}

int
vt_check(daos_handle_t coh, struct vos_model *m, uint64_t epoch, unsigned int what, const char *tag)
{
	uint32_t obj, d;
	uint64_t dvis;

	what &= vt_check_mask;
	if ((what & VT_CHECK_ENUM) && check_objs(coh, m, epoch, tag) != 0)
		return -1;
	for (obj = 0; obj < VT_NOBJ; obj++) {
		dvis = 0;
		if ((what & (VT_CHECK_ENUM | VT_CHECK_QUERY)) &&
		    check_dkeys(coh, m, obj, epoch, &dvis, tag) != 0)
			return -1;
		for (d = 0; d < VT_NDKEY; d++) {
			if ((what & VT_CHECK_FETCH) && check_fetch(coh, m, obj, d, epoch, tag) != 0)
				return -1;
			if ((what & VT_CHECK_FETCH) &&
			    check_cond_fetch(coh, m, obj, d, epoch, tag) != 0)
				return -1;
			if ((what & VT_CHECK_ENUM) && (dvis & (1ULL << d)) &&
			    check_akeys(coh, m, obj, d, epoch, tag) != 0)
				return -1;
		}
		if ((what & VT_CHECK_QUERY) && check_query(coh, m, obj, dvis, epoch, tag) != 0)
			return -1;
	}
	return 0;
}

static int
rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	return remove(path) == 0 ? 0 : 0;
}

void
vt_rm_rf(const char *dir)
{
	nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}
