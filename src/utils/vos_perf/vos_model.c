/**
 * Reference model of VOS visibility rules (see vos_model.h). Plain arrays and linear scans:
 * the tests keep a handful of objects and keys, and clarity beats speed here.
 */
#include <string.h>

#include <daos_errno.h>
#include <gurt/common.h>

#include "vos_model.h"

void
vm_init(struct vos_model *m)
{
	memset(m, 0, sizeof(*m));
}

static void
ep_free(struct vm_epochs *e)
{
	D_FREE(e->e);
	e->nr = e->cap = 0;
}

void
vm_fini(struct vos_model *m)
{
	uint32_t i, j, k, l;

	for (i = 0; i < m->nr; i++) {
		struct vm_obj *o = &m->objs[i];

		for (j = 0; j < o->nr; j++) {
			struct vm_dkey *d = &o->dkeys[j];

			for (k = 0; k < d->nr; k++) {
				struct vm_akey *a = &d->akeys[k];

				for (l = 0; l < a->sv_nr; l++)
					D_FREE(a->sv[l].data);
				for (l = 0; l < a->ext_nr; l++)
					D_FREE(a->ext[l].data);
				D_FREE(a->sv);
				D_FREE(a->ext);
				ep_free(&a->upd);
				ep_free(&a->punch);
			}
			D_FREE(d->akeys);
			ep_free(&d->upd);
			ep_free(&d->punch);
		}
		D_FREE(o->dkeys);
		ep_free(&o->upd);
		ep_free(&o->punch);
	}
	D_FREE(m->objs);
	ep_free(&m->snaps);
	memset(m, 0, sizeof(*m));
}

static int
ep_add(struct vm_epochs *e, uint64_t epoch)
{
	int rc = D_ARRAY_GROW(e->e, e->nr, e->cap, 8);

	if (rc == 0)
		e->e[e->nr++] = epoch;
	return rc;
}

/* newest epoch <= bound in the set, 0 if none */
static uint64_t
ep_newest(const struct vm_epochs *e, uint64_t bound)
{
	uint64_t best = 0;
	uint32_t i;

	for (i = 0; i < e->nr; i++)
		if (e->e[i] <= bound && e->e[i] > best)
			best = e->e[i];
	return best;
}

struct vm_obj *
vm_obj_find(struct vos_model *m, uint64_t oid)
{
	uint32_t i;

	for (i = 0; i < m->nr; i++)
		if (m->objs[i].id == oid)
			return &m->objs[i];
	return NULL;
}

struct vm_dkey *
vm_dkey_find(struct vm_obj *o, uint64_t dkey)
{
	uint32_t i;

	for (i = 0; o != NULL && i < o->nr; i++)
		if (o->dkeys[i].id == dkey)
			return &o->dkeys[i];
	return NULL;
}

struct vm_akey *
vm_akey_find(struct vm_dkey *d, uint64_t akey)
{
	uint32_t i;

	for (i = 0; d != NULL && i < d->nr; i++)
		if (d->akeys[i].id == akey)
			return &d->akeys[i];
	return NULL;
}

static struct vm_obj *
obj_get(struct vos_model *m, uint64_t oid)
{
	struct vm_obj *o = vm_obj_find(m, oid);

	if (o != NULL || D_ARRAY_GROW(m->objs, m->nr, m->cap, 4) != 0)
		return o;
	o = &m->objs[m->nr++];
	o->id = oid;
	return o;
}

static struct vm_dkey *
dkey_get(struct vm_obj *o, uint64_t dkey)
{
	struct vm_dkey *d = vm_dkey_find(o, dkey);

	if (d != NULL || D_ARRAY_GROW(o->dkeys, o->nr, o->cap, 4) != 0)
		return d;
	d = &o->dkeys[o->nr++];
	d->id = dkey;
	return d;
}

static struct vm_akey *
akey_get(struct vm_dkey *d, uint64_t akey)
{
	struct vm_akey *a = vm_akey_find(d, akey);

	if (a != NULL || D_ARRAY_GROW(d->akeys, d->nr, d->cap, 4) != 0)
		return a;
	a = &d->akeys[d->nr++];
	a->id = akey;
	return a;
}

/* The path obj > dkey > akey, created as needed, with the update epoch recorded at each level. */
static struct vm_akey *
path_update(struct vos_model *m, uint64_t oid, uint64_t dkey, uint64_t akey, uint64_t epoch,
	    struct vm_obj **op, struct vm_dkey **dp)
{
	struct vm_obj *o;
	struct vm_dkey *d;
	struct vm_akey *a;

	o = obj_get(m, oid);
	if (o == NULL)
		return NULL;
	/* the pointers stay valid: no array below grows until the next call */
	d = dkey_get(o, dkey);
	if (d == NULL)
		return NULL;
	a = akey_get(d, akey);
	if (a == NULL)
		return NULL;
	if (ep_add(&o->upd, epoch) || ep_add(&d->upd, epoch) || ep_add(&a->upd, epoch))
		return NULL;
	if (op != NULL)
		*op = o;
	if (dp != NULL)
		*dp = d;
	return a;
}

int
vm_update_sv(struct vos_model *m, uint64_t oid, uint64_t dkey, uint64_t akey, uint64_t epoch,
	     const void *data, uint32_t len)
{
	struct vm_akey *a = path_update(m, oid, dkey, akey, epoch, NULL, NULL);
	struct vm_sv *sv;

	if (a == NULL || D_ARRAY_GROW(a->sv, a->sv_nr, a->sv_cap, 4) != 0)
		return -DER_NOMEM;
	a->type = VM_SINGLE;
	sv = &a->sv[a->sv_nr];
	D_ALLOC(sv->data, len + 1);
	if (sv->data == NULL)
		return -DER_NOMEM;
	memcpy(sv->data, data, len);
	sv->len = len;
	sv->epoch = epoch;
	a->sv_nr++;
	return 0;
}

int
vm_update_array(struct vos_model *m, uint64_t oid, uint64_t dkey, uint64_t akey, uint64_t epoch,
		uint32_t rsize, uint64_t idx, uint64_t nr, const void *data)
{
	struct vm_akey *a = path_update(m, oid, dkey, akey, epoch, NULL, NULL);
	struct vm_ext *x;

	if (a == NULL || D_ARRAY_GROW(a->ext, a->ext_nr, a->ext_cap, 8) != 0)
		return -DER_NOMEM;
	a->type = VM_ARRAY;
	if (data != NULL)
		a->rsize = rsize;
	x = &a->ext[a->ext_nr];
	memset(x, 0, sizeof(*x));
	if (data != NULL) {
		D_ALLOC(x->data, nr * rsize);
		if (x->data == NULL)
			return -DER_NOMEM;
		memcpy(x->data, data, nr * rsize);
	}
	x->epoch = epoch;
	x->idx = idx;
	x->nr = nr;
	a->ext_nr++;
	return 0;
}

int
vm_punch(struct vos_model *m, uint64_t oid, const uint64_t *dkey, const uint64_t *akey,
	 uint64_t epoch)
{
	struct vm_obj *o;
	struct vm_dkey *d;
	struct vm_akey *a;

	/* punching something that never existed still records the tombstone, as VOS does */
	o = obj_get(m, oid);
	if (o == NULL)
		return -DER_NOMEM;
	if (dkey == NULL)
		return ep_add(&o->punch, epoch);
	d = dkey_get(o, *dkey);
	if (d == NULL)
		return -DER_NOMEM;
	if (akey == NULL)
		return ep_add(&d->punch, epoch);
	a = akey_get(d, *akey);
	if (a == NULL)
		return -DER_NOMEM;
	return ep_add(&a->punch, epoch);
}

void
vm_aggregated(struct vos_model *m, uint64_t hi)
{
	m->agg_hi = max(m->agg_hi, hi);
}

int
vm_snap_add(struct vos_model *m, uint64_t epoch)
{
	return ep_add(&m->snaps, epoch);
}

void
vm_snap_del(struct vos_model *m, uint64_t epoch)
{
	uint32_t i;

	for (i = 0; i < m->snaps.nr; i++)
		if (m->snaps.e[i] == epoch)
			m->snaps.e[i--] = m->snaps.e[--m->snaps.nr];
}

bool
vm_epoch_checkable(const struct vos_model *m, uint64_t epoch)
{
	uint32_t i;

	if (epoch >= m->agg_hi)
		return true;
	for (i = 0; i < m->snaps.nr; i++)
		if (m->snaps.e[i] == epoch)
			return true;
	return false;
}

bool
vm_obj_visible(const struct vm_obj *o, uint64_t epoch)
{
	return o != NULL && ep_newest(&o->upd, epoch) > ep_newest(&o->punch, epoch);
}

static uint64_t
dkey_punched(const struct vm_obj *o, const struct vm_dkey *d, uint64_t epoch)
{
	return max(ep_newest(&o->punch, epoch), ep_newest(&d->punch, epoch));
}

bool
vm_dkey_visible(const struct vm_obj *o, const struct vm_dkey *d, uint64_t epoch)
{
	return d != NULL && ep_newest(&d->upd, epoch) > dkey_punched(o, d, epoch);
}

uint64_t
vm_akey_punched(const struct vm_obj *o, const struct vm_dkey *d, const struct vm_akey *a,
		uint64_t epoch)
{
	return max(dkey_punched(o, d, epoch), ep_newest(&a->punch, epoch));
}

bool
vm_akey_visible(const struct vm_obj *o, const struct vm_dkey *d, const struct vm_akey *a,
		uint64_t epoch)
{
	return a != NULL && ep_newest(&a->upd, epoch) > vm_akey_punched(o, d, a, epoch);
}

static struct vm_akey *
akey_lookup(struct vos_model *m, uint64_t oid, uint64_t dkey, uint64_t akey, struct vm_obj **op,
	    struct vm_dkey **dp)
{
	*op = vm_obj_find(m, oid);
	*dp = vm_dkey_find(*op, dkey);
	return vm_akey_find(*dp, akey);
}

const struct vm_sv *
vm_fetch_sv(struct vos_model *m, uint64_t oid, uint64_t dkey, uint64_t akey, uint64_t epoch)
{
	struct vm_obj *o;
	struct vm_dkey *d;
	struct vm_akey *a = akey_lookup(m, oid, dkey, akey, &o, &d);
	const struct vm_sv *best = NULL;
	uint64_t punched;
	uint32_t i;

	if (a == NULL)
		return NULL;
	punched = vm_akey_punched(o, d, a, epoch);
	/* versions are appended in epoch order: the first match from the end is the newest */
	for (i = a->sv_nr; i > 0; i--) {
		const struct vm_sv *sv = &a->sv[i - 1];

		if (sv->epoch <= epoch) {
			if (sv->epoch > punched)
				best = sv;
			break;
		}
	}
	return best;
}

/* The extent that decides record r at epoch: newest covering one, or NULL. */
static const struct vm_ext *
rec_owner(const struct vm_akey *a, uint64_t punched, uint64_t epoch, uint64_t r)
{
	uint32_t i;

	/* extents are appended in epoch order: the first cover from the end is the newest */
	for (i = a->ext_nr; i > 0; i--) {
		const struct vm_ext *x = &a->ext[i - 1];

		if (x->epoch > epoch || r < x->idx || r >= x->idx + x->nr)
			continue;
		return x->epoch > punched ? x : NULL;
	}
	return NULL;
}

uint64_t
vm_fetch_array(struct vos_model *m, uint64_t oid, uint64_t dkey, uint64_t akey, uint64_t epoch,
	       uint32_t rsize, uint64_t idx, uint64_t nr, uint8_t *buf)
{
	struct vm_obj *o;
	struct vm_dkey *d;
	struct vm_akey *a = akey_lookup(m, oid, dkey, akey, &o, &d);
	uint64_t punched, r, found = 0;

	memset(buf, 0, nr * rsize);
	if (a == NULL)
		return 0;
	punched = vm_akey_punched(o, d, a, epoch);
	for (r = idx; r < idx + nr; r++) {
		const struct vm_ext *x = rec_owner(a, punched, epoch, r);

		if (x == NULL || x->data == NULL)
			continue;
		memcpy(buf + (r - idx) * rsize, x->data + (r - x->idx) * rsize, rsize);
		found++;
	}
	return found;
}

void
vm_array_present(struct vos_model *m, uint64_t oid, uint64_t dkey, uint64_t akey, uint64_t epoch,
		 uint64_t len, uint8_t *present)
{
	struct vm_obj *o;
	struct vm_dkey *d;
	struct vm_akey *a = akey_lookup(m, oid, dkey, akey, &o, &d);
	uint64_t punched, r;

	memset(present, 0, len);
	if (a == NULL)
		return;
	punched = vm_akey_punched(o, d, a, epoch);
	for (r = 0; r < len; r++) {
		const struct vm_ext *x = rec_owner(a, punched, epoch, r);

		present[r] = x != NULL && x->data != NULL;
	}
}

uint64_t
vm_array_end(struct vos_model *m, uint64_t oid, uint64_t dkey, uint64_t akey, uint64_t epoch)
{
	struct vm_obj *o;
	struct vm_dkey *d;
	struct vm_akey *a = akey_lookup(m, oid, dkey, akey, &o, &d);
	uint64_t punched, hi = 0, r;
	uint32_t i;

	if (a == NULL)
		return 0;
	punched = vm_akey_punched(o, d, a, epoch);
	for (i = 0; i < a->ext_nr; i++)
		if (a->ext[i].epoch <= epoch && a->ext[i].epoch > punched)
			hi = max(hi, a->ext[i].idx + a->ext[i].nr);
	/* walk down from the highest written record to the last one not punched */
	for (r = hi; r > 0; r--) {
		const struct vm_ext *x = rec_owner(a, punched, epoch, r - 1);

		if (x != NULL && x->data != NULL)
			return r;
	}
	return 0;
}
