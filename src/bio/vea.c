/**
 * vea: extent allocator of a data blob. See src/bio/README.md for the design.
 */
#define D_LOGFAC DD_FAC(bio)

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <daos_errno.h>
#include <gurt/common.h>
#include <gurt/debug.h>
#include <daos_srv/vea.h>

#define VEA_MAGIC       0x7ea5ace1U
#define VEA_COMPAT      1
#define VEA_CHUNK_SLOTS 127
/* Extents of at least this many bytes count as "large" in the statistics. */
#define VEA_LARGE_BYTES (1ULL << 20)

/* One persistent free extent; cnt == 0 marks an unused slot. */
struct vea_pslot {
	uint64_t ps_off;
	uint64_t ps_cnt;
};

/* Slots live in a singly linked list of fixed chunks so a change touches 16 bytes. */
struct vea_chunk_df {
	uint64_t vc_next;
	uint64_t vc_pad;
	struct vea_pslot vc_slots[VEA_CHUNK_SLOTS];
};

struct vea_pext {
	uint64_t pe_off;
	uint64_t pe_cnt;
	uint32_t pe_slot;
};

struct vea_text {
	uint64_t te_off;
	uint64_t te_cnt;
};

struct vea_hint_context {
	struct vea_hint_df *vhc_pd;
	uint64_t vhc_off;
	uint64_t vhc_seq;
};

struct vea_space_info {
	struct umem_instance *vsi_umm;
	struct vea_space_df *vsi_md;
	struct vea_unmap_context vsi_unmap;
	pthread_mutex_t vsi_lock;
	uint32_t vsi_blk_sz;
	uint32_t vsi_hdr_blks;
	uint64_t vsi_tot_blks;
	/* DRAM copy of the persistent free set, sorted by offset */
	struct vea_pext *vsi_p;
	uint32_t vsi_p_nr, vsi_p_max;
	umem_off_t *vsi_chunks;
	uint32_t vsi_nr_chunks, vsi_max_chunks;
	uint32_t *vsi_fslots;
	uint32_t vsi_nr_fslots, vsi_max_fslots;
	/* transient free set: the same extents sorted by offset and by (size, offset) */
	struct vea_text *vsi_t_off;
	struct vea_text *vsi_t_size;
	uint32_t vsi_t_nr, vsi_t_max;
	uint64_t vsi_free_p, vsi_free_t;
	uint64_t vsi_resrv_hint, vsi_resrv_large, vsi_resrv_small;
	/* committed frees whose log record is not durable yet: not reservable (vea_age_drain) */
	struct vea_aging *vsi_age;
	uint32_t vsi_age_nr, vsi_age_max;
};

struct vea_aging {
	uint64_t va_lsn;
	uint64_t va_off;
	uint64_t va_cnt;
};

/* ---------------------------------------------------------------------------------------- */
/* transient index                                                                          */

static uint32_t
t_off_lb(struct vea_space_info *vsi, uint64_t off)
{
	uint32_t lo = 0, hi = vsi->vsi_t_nr;

	while (lo < hi) {
		uint32_t mid = (lo + hi) / 2;

		if (vsi->vsi_t_off[mid].te_off < off)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static uint32_t
t_size_lb(struct vea_space_info *vsi, uint64_t cnt, uint64_t off)
{
	uint32_t lo = 0, hi = vsi->vsi_t_nr;

	while (lo < hi) {
		uint32_t mid = (lo + hi) / 2;
		struct vea_text *e = &vsi->vsi_t_size[mid];

		if (e->te_cnt < cnt || (e->te_cnt == cnt && e->te_off < off))
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static int
t_insert(struct vea_space_info *vsi, uint64_t off, uint64_t cnt)
{
	struct vea_text *a, *b;
	uint32_t i;

	if (vsi->vsi_t_nr == vsi->vsi_t_max) {
		uint32_t n = vsi->vsi_t_max ? vsi->vsi_t_max * 2 : 64;

		D_REALLOC_ARRAY(a, vsi->vsi_t_off, vsi->vsi_t_max, n);
		if (a == NULL)
			return -DER_NOMEM;
		vsi->vsi_t_off = a;
		D_REALLOC_ARRAY(b, vsi->vsi_t_size, vsi->vsi_t_max, n);
		if (b == NULL)
			return -DER_NOMEM;
		vsi->vsi_t_size = b;
		vsi->vsi_t_max = n;
	}
	i = t_off_lb(vsi, off);
	memmove(&vsi->vsi_t_off[i + 1], &vsi->vsi_t_off[i],
		(vsi->vsi_t_nr - i) * sizeof(struct vea_text));
	vsi->vsi_t_off[i].te_off = off;
	vsi->vsi_t_off[i].te_cnt = cnt;
	i = t_size_lb(vsi, cnt, off);
	memmove(&vsi->vsi_t_size[i + 1], &vsi->vsi_t_size[i],
		(vsi->vsi_t_nr - i) * sizeof(struct vea_text));
	vsi->vsi_t_size[i].te_off = off;
	vsi->vsi_t_size[i].te_cnt = cnt;
	vsi->vsi_t_nr++;
	vsi->vsi_free_t += cnt;
	return 0;
}

static void
t_remove(struct vea_space_info *vsi, uint64_t off, uint64_t cnt)
{
	uint32_t i = t_off_lb(vsi, off);

	D_ASSERT(i < vsi->vsi_t_nr && vsi->vsi_t_off[i].te_off == off);
	memmove(&vsi->vsi_t_off[i], &vsi->vsi_t_off[i + 1],
		(vsi->vsi_t_nr - i - 1) * sizeof(struct vea_text));
	i = t_size_lb(vsi, cnt, off);
	D_ASSERT(i < vsi->vsi_t_nr && vsi->vsi_t_size[i].te_off == off);
	memmove(&vsi->vsi_t_size[i], &vsi->vsi_t_size[i + 1],
		(vsi->vsi_t_nr - i - 1) * sizeof(struct vea_text));
	vsi->vsi_t_nr--;
	vsi->vsi_free_t -= cnt;
}

/* Give space back to the transient set, merging with both neighbours. */
static int
t_add_free(struct vea_space_info *vsi, uint64_t off, uint64_t cnt)
{
	uint32_t i = t_off_lb(vsi, off);

	if (i < vsi->vsi_t_nr && vsi->vsi_t_off[i].te_off < off + cnt) {
		D_ERROR("transient overlap at " DF_U64 "\n", off);
		return -DER_INVAL;
	}
	if (i > 0) {
		struct vea_text p = vsi->vsi_t_off[i - 1];

		if (p.te_off + p.te_cnt > off) {
			D_ERROR("transient overlap at " DF_U64 "\n", off);
			return -DER_INVAL;
		}
		if (p.te_off + p.te_cnt == off) {
			t_remove(vsi, p.te_off, p.te_cnt);
			off = p.te_off;
			cnt += p.te_cnt;
			i--;
		}
	}
	if (i < vsi->vsi_t_nr && vsi->vsi_t_off[i].te_off == off + cnt) {
		struct vea_text n = vsi->vsi_t_off[i];

		t_remove(vsi, n.te_off, n.te_cnt);
		cnt += n.te_cnt;
	}
	return t_insert(vsi, off, cnt);
}

/* ---------------------------------------------------------------------------------------- */
/* persistent set                                                                           */

static struct vea_pslot *
p_slot(struct vea_space_info *vsi, uint32_t slot)
{
	struct vea_chunk_df *c =
		umem_off2ptr(vsi->vsi_umm, vsi->vsi_chunks[slot / VEA_CHUNK_SLOTS]);

	return &c->vc_slots[slot % VEA_CHUNK_SLOTS];
}

static int
p_slot_set(struct vea_space_info *vsi, uint32_t slot, uint64_t off, uint64_t cnt)
{
	struct vea_pslot *ps = p_slot(vsi, slot);
	int rc;

	rc = umem_tx_add_ptr(vsi->vsi_umm, ps, sizeof(*ps));
	if (rc)
		return rc;
	ps->ps_off = off;
	ps->ps_cnt = cnt;
	return 0;
}

static int
fslot_push(struct vea_space_info *vsi, uint32_t slot)
{
	if (D_ARRAY_GROW(vsi->vsi_fslots, vsi->vsi_nr_fslots, vsi->vsi_max_fslots, 256) != 0)
		return -DER_NOMEM;
	vsi->vsi_fslots[vsi->vsi_nr_fslots++] = slot;
	return 0;
}

static int
chunk_push(struct vea_space_info *vsi, umem_off_t off)
{
	if (D_ARRAY_GROW(vsi->vsi_chunks, vsi->vsi_nr_chunks, vsi->vsi_max_chunks, 16) != 0)
		return -DER_NOMEM;
	vsi->vsi_chunks[vsi->vsi_nr_chunks++] = off;
	return 0;
}

/* Take an unused slot, growing the chunk list inside the running transaction if needed. */
static int
p_slot_get(struct vea_space_info *vsi, uint32_t *slot)
{
	struct vea_chunk_df *last;
	umem_off_t coff;
	uint32_t base, i;
	int rc;

	if (vsi->vsi_nr_fslots == 0) {
		coff = umem_zalloc(vsi->vsi_umm, sizeof(struct vea_chunk_df));
		if (UMOFF_IS_NULL(coff))
			return vsi->vsi_umm->umm_nospc_rc ? vsi->vsi_umm->umm_nospc_rc
							  : -DER_NOSPACE;
		last = umem_off2ptr(vsi->vsi_umm, vsi->vsi_chunks[vsi->vsi_nr_chunks - 1]);
		rc = umem_tx_add_ptr(vsi->vsi_umm, &last->vc_next, sizeof(last->vc_next));
		if (rc)
			return rc;
		last->vc_next = coff;
		base = vsi->vsi_nr_chunks * VEA_CHUNK_SLOTS;
		rc = chunk_push(vsi, coff);
		if (rc)
			return rc;
		for (i = VEA_CHUNK_SLOTS; i > 0; i--) {
			rc = fslot_push(vsi, base + i - 1);
			if (rc)
				return rc;
		}
	}
	*slot = vsi->vsi_fslots[--vsi->vsi_nr_fslots];
	return 0;
}

static int
p_slot_put(struct vea_space_info *vsi, uint32_t slot)
{
	int rc = p_slot_set(vsi, slot, 0, 0);

	return rc ? rc : fslot_push(vsi, slot);
}

static uint32_t
p_lb(struct vea_space_info *vsi, uint64_t off)
{
	uint32_t lo = 0, hi = vsi->vsi_p_nr;

	while (lo < hi) {
		uint32_t mid = (lo + hi) / 2;

		if (vsi->vsi_p[mid].pe_off < off)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static int
p_insert_at(struct vea_space_info *vsi, uint32_t i, uint64_t off, uint64_t cnt, uint32_t slot)
{
	if (D_ARRAY_GROW(vsi->vsi_p, vsi->vsi_p_nr, vsi->vsi_p_max, 64) != 0)
		return -DER_NOMEM;
	memmove(&vsi->vsi_p[i + 1], &vsi->vsi_p[i], (vsi->vsi_p_nr - i) * sizeof(*vsi->vsi_p));
	vsi->vsi_p[i].pe_off = off;
	vsi->vsi_p[i].pe_cnt = cnt;
	vsi->vsi_p[i].pe_slot = slot;
	vsi->vsi_p_nr++;
	return 0;
}

static void
p_remove_at(struct vea_space_info *vsi, uint32_t i)
{
	memmove(&vsi->vsi_p[i], &vsi->vsi_p[i + 1], (vsi->vsi_p_nr - i - 1) * sizeof(*vsi->vsi_p));
	vsi->vsi_p_nr--;
}

/* Mark [off, off + cnt) allocated in the heap; it must lie inside one free extent. */
static int
p_alloc(struct vea_space_info *vsi, uint64_t off, uint64_t cnt)
{
	uint32_t i = p_lb(vsi, off + 1);
	struct vea_pext *e;
	uint64_t end;
	uint32_t slot;
	int rc;

	if (i == 0)
		goto notfree;
	e = &vsi->vsi_p[i - 1];
	end = e->pe_off + e->pe_cnt;
	if (off + cnt > end)
		goto notfree;
	if (e->pe_off == off && end == off + cnt) {
		rc = p_slot_put(vsi, e->pe_slot);
		if (rc)
			return rc;
		p_remove_at(vsi, i - 1);
	} else if (e->pe_off == off) {
		rc = p_slot_set(vsi, e->pe_slot, off + cnt, e->pe_cnt - cnt);
		if (rc)
			return rc;
		e->pe_off = off + cnt;
		e->pe_cnt -= cnt;
	} else if (end == off + cnt) {
		rc = p_slot_set(vsi, e->pe_slot, e->pe_off, e->pe_cnt - cnt);
		if (rc)
			return rc;
		e->pe_cnt -= cnt;
	} else {
		rc = p_slot_get(vsi, &slot);
		if (rc)
			return rc;
		rc = p_slot_set(vsi, slot, off + cnt, end - off - cnt);
		if (rc)
			return rc;
		e = &vsi->vsi_p[i - 1];
		rc = p_slot_set(vsi, e->pe_slot, e->pe_off, off - e->pe_off);
		if (rc)
			return rc;
		e->pe_cnt = off - e->pe_off;
		rc = p_insert_at(vsi, i, off + cnt, end - off - cnt, slot);
		if (rc)
			return rc;
	}
	vsi->vsi_free_p -= cnt;
	return 0;
notfree:
	D_ERROR("publish of [" DF_U64 ", +" DF_U64 ") which is not free\n", off, cnt);
	return -DER_INVAL;
}

/* Record [off, off + cnt) free in the heap, merging with its neighbours. */
static int
p_free(struct vea_space_info *vsi, uint64_t off, uint64_t cnt)
{
	uint32_t i = p_lb(vsi, off), slot;
	struct vea_pext *prev = NULL, *next = NULL;
	int rc;

	if (off < vsi->vsi_hdr_blks || off + cnt > vsi->vsi_tot_blks || off + cnt < off)
		goto bad;
	if (i > 0) {
		prev = &vsi->vsi_p[i - 1];
		if (prev->pe_off + prev->pe_cnt > off)
			goto bad;
		if (prev->pe_off + prev->pe_cnt != off)
			prev = NULL;
	}
	if (i < vsi->vsi_p_nr) {
		next = &vsi->vsi_p[i];
		if (next->pe_off < off + cnt)
			goto bad;
		if (next->pe_off != off + cnt)
			next = NULL;
	}
	if (prev != NULL && next != NULL) {
		rc = p_slot_set(vsi, prev->pe_slot, prev->pe_off,
				prev->pe_cnt + cnt + next->pe_cnt);
		if (rc)
			return rc;
		rc = p_slot_put(vsi, next->pe_slot);
		if (rc)
			return rc;
		prev->pe_cnt += cnt + next->pe_cnt;
		p_remove_at(vsi, i);
	} else if (prev != NULL) {
		rc = p_slot_set(vsi, prev->pe_slot, prev->pe_off, prev->pe_cnt + cnt);
		if (rc)
			return rc;
		prev->pe_cnt += cnt;
	} else if (next != NULL) {
		rc = p_slot_set(vsi, next->pe_slot, off, next->pe_cnt + cnt);
		if (rc)
			return rc;
		next->pe_off = off;
		next->pe_cnt += cnt;
	} else {
		rc = p_slot_get(vsi, &slot);
		if (rc)
			return rc;
		rc = p_slot_set(vsi, slot, off, cnt);
		if (rc)
			return rc;
		rc = p_insert_at(vsi, i, off, cnt, slot);
		if (rc)
			return rc;
	}
	vsi->vsi_free_p += cnt;
	return 0;
bad:
	D_ERROR("free of [" DF_U64 ", +" DF_U64 ") which is not allocated\n", off, cnt);
	return -DER_INVAL;
}

static int
pext_cmp(const void *a, const void *b)
{
	const struct vea_pext *x = a, *y = b;

	return x->pe_off < y->pe_off ? -1 : x->pe_off > y->pe_off;
}

/* (Re)build the DRAM copy of the persistent set from the heap (load, and after an abort). */
static int
p_rebuild(struct vea_space_info *vsi)
{
	umem_off_t coff = vsi->vsi_md->vsd_chunks;
	uint32_t i;
	int rc;

	vsi->vsi_p_nr = 0;
	vsi->vsi_nr_chunks = 0;
	vsi->vsi_nr_fslots = 0;
	vsi->vsi_free_p = 0;
	while (!UMOFF_IS_NULL(coff)) {
		struct vea_chunk_df *c = umem_off2ptr(vsi->vsi_umm, coff);
		uint32_t base = vsi->vsi_nr_chunks * VEA_CHUNK_SLOTS;

		rc = chunk_push(vsi, coff);
		if (rc)
			return rc;
		for (i = VEA_CHUNK_SLOTS; i > 0; i--) {
			struct vea_pslot *ps = &c->vc_slots[i - 1];

			if (ps->ps_cnt == 0) {
				rc = fslot_push(vsi, base + i - 1);
			} else {
				rc = p_insert_at(vsi, vsi->vsi_p_nr, ps->ps_off, ps->ps_cnt,
						 base + i - 1);
				vsi->vsi_free_p += ps->ps_cnt;
			}
			if (rc)
				return rc;
		}
		coff = c->vc_next;
	}
	if (vsi->vsi_nr_chunks == 0) {
		D_ERROR("space info without slot chunks\n");
		return -DER_DF_INVAL;
	}
	qsort(vsi->vsi_p, vsi->vsi_p_nr, sizeof(*vsi->vsi_p), pext_cmp);
	for (i = 1; i < vsi->vsi_p_nr; i++) {
		if (vsi->vsi_p[i - 1].pe_off + vsi->vsi_p[i - 1].pe_cnt > vsi->vsi_p[i].pe_off) {
			D_ERROR("overlapping persistent free extents\n");
			return -DER_DF_INVAL;
		}
	}
	return 0;
}

/* ---------------------------------------------------------------------------------------- */
/* transactions and their callbacks                                                         */

/* Action deferred to the end of the caller's transaction. */
struct vea_tx_act {
	struct vea_space_info *ta_vsi;
	/* free: give [off, +cnt) to the transient set on commit.
	 * publish: give it back on abort (the reservation is gone from the transient set). */
	bool ta_is_free;
	uint32_t ta_nr;
	struct vea_text ta_ext[];
};

/*
 * Freed blocks become reservable only once the freeing transaction is durable: until then a
 * crash can bring back the record that points at them, and it must find its bytes there (the
 * log checks the data of values written directly, see docs/vos.md "One flush per update").
 * Returns true when \a act's extents were parked (vsi_lock held).
 */
static bool
age_defer(struct vea_space_info *vsi, struct vea_tx_act *act)
{
	uint64_t lsn = umem_tx_commit_lsn(vsi->vsi_umm);
	uint32_t i;

	if (lsn == 0 || lsn <= umem_durable_lsn(vsi->vsi_umm))
		return false;
	if (vsi->vsi_age_nr + act->ta_nr > vsi->vsi_age_max) {
		struct vea_aging *tmp;
		uint32_t ncap = max(vsi->vsi_age_max * 2, vsi->vsi_age_nr + act->ta_nr);

		ncap = max(ncap, 16U);
		D_REALLOC_ARRAY(tmp, vsi->vsi_age, vsi->vsi_age_max, ncap);
		if (tmp == NULL)
			return false; /* reusable at once: the old behaviour */
		vsi->vsi_age = tmp;
		vsi->vsi_age_max = ncap;
	}
	for (i = 0; i < act->ta_nr; i++) {
		vsi->vsi_age[vsi->vsi_age_nr].va_lsn = lsn;
		vsi->vsi_age[vsi->vsi_age_nr].va_off = act->ta_ext[i].te_off;
		vsi->vsi_age[vsi->vsi_age_nr].va_cnt = act->ta_ext[i].te_cnt;
		vsi->vsi_age_nr++;
	}
	return true;
}

/* Give the parked frees whose transaction is durable now to the transient set (vsi_lock). */
static void
age_drain(struct vea_space_info *vsi)
{
	uint64_t durable;
	uint32_t i, kept = 0;
	int rc;

	if (vsi->vsi_age_nr == 0)
		return;
	durable = umem_durable_lsn(vsi->vsi_umm);
	for (i = 0; i < vsi->vsi_age_nr; i++) {
		struct vea_aging *a = &vsi->vsi_age[i];

		if (a->va_lsn > durable) {
			vsi->vsi_age[kept++] = *a;
			continue;
		}
		rc = t_add_free(vsi, a->va_off, a->va_cnt);
		if (rc)
			D_ERROR("lost " DF_U64 " blocks until reload: " DF_RC "\n", a->va_cnt,
				DP_RC(rc));
	}
	vsi->vsi_age_nr = kept;
}

static void
vea_tx_cb(void *data, bool noop)
{
	struct vea_tx_act *act = data;
	struct vea_space_info *vsi = act->ta_vsi;
	bool aborted = noop;
	uint32_t i;
	int rc;

	if (act->ta_is_free && !aborted && vsi->vsi_unmap.vnc_unmap != NULL) {
		for (i = 0; i < act->ta_nr; i++)
			vsi->vsi_unmap.vnc_unmap(act->ta_ext[i].te_off * vsi->vsi_blk_sz,
						 act->ta_ext[i].te_cnt * vsi->vsi_blk_sz,
						 vsi->vsi_unmap.vnc_data);
	}
	pthread_mutex_lock(&vsi->vsi_lock);
	if (aborted) {
		/* the heap was rolled back: resynchronise the DRAM copy with it */
		rc = p_rebuild(vsi);
		if (rc)
			D_ERROR("rebuild after abort: " DF_RC "\n", DP_RC(rc));
	}
	if (act->ta_is_free && !aborted && age_defer(vsi, act))
		goto out;
	if (act->ta_is_free != aborted) {
		for (i = 0; i < act->ta_nr; i++) {
			rc = t_add_free(vsi, act->ta_ext[i].te_off, act->ta_ext[i].te_cnt);
			if (rc)
				D_ERROR("lost " DF_U64 " blocks until reload: " DF_RC "\n",
					act->ta_ext[i].te_cnt, DP_RC(rc));
		}
	}
out:
	pthread_mutex_unlock(&vsi->vsi_lock);
	D_FREE(act);
}

static struct vea_tx_act *
act_alloc(struct vea_space_info *vsi, bool is_free, uint32_t nr)
{
	struct vea_tx_act *act;

	D_ALLOC(act, sizeof(*act) + nr * sizeof(struct vea_text));
	if (act != NULL) {
		act->ta_vsi = vsi;
		act->ta_is_free = is_free;
	}
	return act;
}

/* Attach \a act to the running transaction; without transactions (VMEM) apply it now. */
static int
act_attach(struct vea_space_info *vsi, struct vea_tx_act *act)
{
	if (!umem_has_tx(vsi->vsi_umm)) {
		vea_tx_cb(act, false);
		return 0;
	}
	return umem_tx_add_callback(vsi->vsi_umm, NULL, UMEM_STAGE_ONCOMMIT, vea_tx_cb, act);
}

static int
tx_enter(struct umem_instance *umm, bool *own)
{
	*own = umem_has_tx(umm) && !umem_tx_inprogress(umm);
	return *own ? umem_tx_begin(umm, NULL) : 0;
}

static int
tx_leave(struct umem_instance *umm, bool own, int rc)
{
	/* on error inside a caller's transaction, the caller must abort it */
	if (!own)
		return rc;
	return rc ? umem_tx_abort(umm, rc) : umem_tx_commit(umm);
}

/* ---------------------------------------------------------------------------------------- */
/* API                                                                                      */

int
vea_format(struct umem_instance *umem, struct umem_tx_stage_data *txd, struct vea_space_df *md,
	   uint32_t blk_sz, uint32_t hdr_blks, uint64_t capacity, vea_format_callback_t cb,
	   void *cb_data, bool force)
{
	struct vea_chunk_df *c;
	umem_off_t coff, next;
	uint64_t tot;
	bool own;
	int rc;

	if (umem == NULL || md == NULL || blk_sz == 0 || (blk_sz & (blk_sz - 1)) != 0)
		return -DER_INVAL;
	tot = capacity / blk_sz;
	if (tot <= hdr_blks) {
		D_ERROR("capacity " DF_U64 " too small for %u header blocks\n", capacity, hdr_blks);
		return -DER_NOSPACE;
	}
	if (md->vsd_magic == VEA_MAGIC && !force)
		return -DER_EXIST;
	if (cb != NULL) {
		rc = cb(cb_data, umem);
		if (rc)
			return rc;
	}
	rc = tx_enter(umem, &own);
	if (rc)
		return rc;
	rc = umem_tx_add_ptr(umem, md, sizeof(*md));
	if (rc)
		goto out;
	if (md->vsd_magic == VEA_MAGIC) {
		for (coff = md->vsd_chunks; !UMOFF_IS_NULL(coff); coff = next) {
			next = ((struct vea_chunk_df *)umem_off2ptr(umem, coff))->vc_next;
			rc = umem_free(umem, coff);
			if (rc)
				goto out;
		}
	}
	coff = umem_zalloc(umem, sizeof(*c));
	if (UMOFF_IS_NULL(coff)) {
		rc = umem->umm_nospc_rc ? umem->umm_nospc_rc : -DER_NOSPACE;
		goto out;
	}
	c = umem_off2ptr(umem, coff);
	c->vc_slots[0].ps_off = hdr_blks;
	c->vc_slots[0].ps_cnt = tot - hdr_blks;
	memset(md, 0, sizeof(*md));
	md->vsd_magic = VEA_MAGIC;
	md->vsd_compat = VEA_COMPAT;
	md->vsd_blk_sz = blk_sz;
	md->vsd_hdr_blks = hdr_blks;
	md->vsd_tot_blks = tot;
	md->vsd_chunks = coff;
out:
	return tx_leave(umem, own, rc);
}

void
vea_unload(struct vea_space_info *vsi)
{
	if (vsi == NULL)
		return;
	pthread_mutex_destroy(&vsi->vsi_lock);
	D_FREE(vsi->vsi_p);
	D_FREE(vsi->vsi_chunks);
	D_FREE(vsi->vsi_fslots);
	D_FREE(vsi->vsi_t_off);
	D_FREE(vsi->vsi_t_size);
	D_FREE(vsi->vsi_age);
	D_FREE(vsi);
}

int
vea_load(struct umem_instance *umem, struct umem_tx_stage_data *txd, struct vea_space_df *md,
	 struct vea_unmap_context *unmap_ctxt, struct vea_space_info **vsip)
{
	struct vea_space_info *vsi;
	uint32_t i;
	int rc;

	if (umem == NULL || md == NULL || vsip == NULL)
		return -DER_INVAL;
	if (md->vsd_magic != VEA_MAGIC) {
		D_ERROR("space info not formatted (magic %#x)\n", md->vsd_magic);
		return -DER_UNINIT;
	}
	if (md->vsd_compat != VEA_COMPAT || md->vsd_blk_sz == 0 ||
	    md->vsd_hdr_blks >= md->vsd_tot_blks)
		return -DER_DF_INVAL;
	D_ALLOC_PTR(vsi);
	if (vsi == NULL)
		return -DER_NOMEM;
	rc = pthread_mutex_init(&vsi->vsi_lock, NULL);
	if (rc) {
		D_FREE(vsi);
		return -DER_NOMEM;
	}
	vsi->vsi_umm = umem;
	vsi->vsi_md = md;
	if (unmap_ctxt != NULL)
		vsi->vsi_unmap = *unmap_ctxt;
	vsi->vsi_blk_sz = md->vsd_blk_sz;
	vsi->vsi_hdr_blks = md->vsd_hdr_blks;
	vsi->vsi_tot_blks = md->vsd_tot_blks;
	rc = p_rebuild(vsi);
	for (i = 0; rc == 0 && i < vsi->vsi_p_nr; i++) {
		if (vsi->vsi_p[i].pe_off < vsi->vsi_hdr_blks ||
		    vsi->vsi_p[i].pe_off + vsi->vsi_p[i].pe_cnt > vsi->vsi_tot_blks)
			rc = -DER_DF_INVAL;
		else
			rc = t_add_free(vsi, vsi->vsi_p[i].pe_off, vsi->vsi_p[i].pe_cnt);
	}
	if (rc) {
		vea_unload(vsi);
		return rc;
	}
	*vsip = vsi;
	return 0;
}

int
vea_hint_load(struct vea_hint_df *phd, struct vea_hint_context **thc)
{
	struct vea_hint_context *h;

	if (phd == NULL || thc == NULL)
		return -DER_INVAL;
	D_ALLOC_PTR(h);
	if (h == NULL)
		return -DER_NOMEM;
	h->vhc_pd = phd;
	h->vhc_off = phd->vhd_off;
	h->vhc_seq = phd->vhd_seq;
	*thc = h;
	return 0;
}

void
vea_hint_unload(struct vea_hint_context *thc)
{
	D_FREE(thc);
}

int
vea_reserve(struct vea_space_info *vsi, uint32_t blk_cnt, struct vea_hint_context *hint,
	    d_list_t *resrvd_list)
{
	struct vea_resrvd_ext *vre;
	struct vea_text e;
	uint64_t start;
	uint32_t i;
	bool from_hint = false;
	int rc;

	if (vsi == NULL || blk_cnt == 0 || resrvd_list == NULL)
		return -DER_INVAL;
	D_ALLOC_PTR(vre);
	if (vre == NULL)
		return -DER_NOMEM;
	pthread_mutex_lock(&vsi->vsi_lock);
	age_drain(vsi);
	if (hint != NULL && hint->vhc_off != 0) {
		/* the stream continues where it stopped if that spot is still free */
		i = t_off_lb(vsi, hint->vhc_off + 1);
		if (i > 0) {
			e = vsi->vsi_t_off[i - 1];
			if (e.te_off + e.te_cnt >= hint->vhc_off + blk_cnt)
				from_hint = true;
		}
	}
	if (!from_hint) {
		i = t_size_lb(vsi, blk_cnt, 0);
		if (i == vsi->vsi_t_nr) {
			pthread_mutex_unlock(&vsi->vsi_lock);
			D_FREE(vre);
			return -DER_NOSPACE;
		}
		e = vsi->vsi_t_size[i];
		start = e.te_off;
	} else {
		start = hint->vhc_off;
	}
	t_remove(vsi, e.te_off, e.te_cnt);
	if (start > e.te_off) {
		rc = t_insert(vsi, e.te_off, start - e.te_off);
		if (rc)
			goto undo;
	}
	if (e.te_off + e.te_cnt > start + blk_cnt) {
		rc = t_insert(vsi, start + blk_cnt, e.te_off + e.te_cnt - start - blk_cnt);
		if (rc) {
			if (start > e.te_off)
				t_remove(vsi, e.te_off, start - e.te_off);
			goto undo;
		}
	}
	if (from_hint)
		vsi->vsi_resrv_hint++;
	else if ((uint64_t)blk_cnt * vsi->vsi_blk_sz >= VEA_LARGE_BYTES)
		vsi->vsi_resrv_large++;
	else
		vsi->vsi_resrv_small++;
	vre->vre_blk_off = start;
	vre->vre_blk_cnt = blk_cnt;
	if (hint != NULL) {
		vre->vre_hint_off = hint->vhc_off;
		vre->vre_hint_seq = ++hint->vhc_seq;
		hint->vhc_off = start + blk_cnt;
	}
	pthread_mutex_unlock(&vsi->vsi_lock);
	d_list_add_tail(&vre->vre_link, resrvd_list);
	return 0;
undo:
	/* the arrays had room for the removed entry, so putting it back cannot fail */
	t_insert(vsi, e.te_off, e.te_cnt);
	pthread_mutex_unlock(&vsi->vsi_lock);
	D_FREE(vre);
	return rc;
}

int
vea_cancel(struct vea_space_info *vsi, struct vea_hint_context *hint, d_list_t *resrvd_list)
{
	struct vea_resrvd_ext *vre;
	int rc = 0, rc2;

	if (vsi == NULL || resrvd_list == NULL)
		return -DER_INVAL;
	pthread_mutex_lock(&vsi->vsi_lock);
	/* newest first, so the hint rewinds step by step */
	while (!d_list_empty(resrvd_list)) {
		vre = d_list_entry(resrvd_list->prev, struct vea_resrvd_ext, vre_link);
		rc2 = t_add_free(vsi, vre->vre_blk_off, vre->vre_blk_cnt);
		if (rc2 && rc == 0)
			rc = rc2;
		if (hint != NULL && hint->vhc_seq == vre->vre_hint_seq) {
			hint->vhc_off = vre->vre_hint_off;
			hint->vhc_seq = vre->vre_hint_seq - 1;
		}
		d_list_del(&vre->vre_link);
		D_FREE(vre);
	}
	pthread_mutex_unlock(&vsi->vsi_lock);
	return rc;
}

int
vea_tx_publish(struct vea_space_info *vsi, struct vea_hint_context *hint, d_list_t *resrvd_list)
{
	struct vea_resrvd_ext *vre, *tmp;
	struct vea_tx_act *act;
	uint32_t nr = 0;
	bool own;
	int rc;

	if (vsi == NULL || resrvd_list == NULL)
		return -DER_INVAL;
	d_list_for_each_entry(vre, resrvd_list, vre_link) nr++;
	if (nr == 0)
		return 0;
	act = act_alloc(vsi, false, nr);
	if (act == NULL)
		return -DER_NOMEM;
	d_list_for_each_entry(vre, resrvd_list, vre_link)
	{
		act->ta_ext[act->ta_nr].te_off = vre->vre_blk_off;
		act->ta_ext[act->ta_nr++].te_cnt = vre->vre_blk_cnt;
	}
	rc = tx_enter(vsi->vsi_umm, &own);
	if (rc) {
		D_FREE(act);
		return rc;
	}
	rc = act_attach(vsi, act);
	if (rc) {
		D_FREE(act);
		return tx_leave(vsi->vsi_umm, own, rc);
	}
	/* from here on the callback owns the reservations: an abort returns them */
	pthread_mutex_lock(&vsi->vsi_lock);
	d_list_for_each_entry_safe(vre, tmp, resrvd_list, vre_link)
	{
		if (rc == 0)
			rc = p_alloc(vsi, vre->vre_blk_off, vre->vre_blk_cnt);
		d_list_del(&vre->vre_link);
		D_FREE(vre);
	}
	pthread_mutex_unlock(&vsi->vsi_lock);
	if (rc == 0 && hint != NULL && hint->vhc_pd != NULL) {
		rc = umem_tx_add_ptr(vsi->vsi_umm, hint->vhc_pd, sizeof(*hint->vhc_pd));
		if (rc == 0) {
			hint->vhc_pd->vhd_off = hint->vhc_off;
			hint->vhc_pd->vhd_seq = hint->vhc_seq;
		}
	}
	return tx_leave(vsi->vsi_umm, own, rc);
}

int
vea_free(struct vea_space_info *vsi, uint64_t blk_off, uint32_t blk_cnt)
{
	struct vea_tx_act *act;
	bool own;
	int rc;

	if (vsi == NULL || blk_cnt == 0)
		return -DER_INVAL;
	act = act_alloc(vsi, true, 1);
	if (act == NULL)
		return -DER_NOMEM;
	act->ta_nr = 1;
	act->ta_ext[0].te_off = blk_off;
	act->ta_ext[0].te_cnt = blk_cnt;
	rc = tx_enter(vsi->vsi_umm, &own);
	if (rc) {
		D_FREE(act);
		return rc;
	}
	pthread_mutex_lock(&vsi->vsi_lock);
	rc = p_free(vsi, blk_off, blk_cnt);
	pthread_mutex_unlock(&vsi->vsi_lock);
	if (rc == 0) {
		rc = act_attach(vsi, act);
		if (rc)
			D_FREE(act);
	} else {
		D_FREE(act);
	}
	return tx_leave(vsi->vsi_umm, own, rc);
}

int
vea_query(struct vea_space_info *vsi, struct vea_attr *attr, struct vea_stat *stat)
{
	uint64_t thresh;
	uint32_t i;

	if (vsi == NULL)
		return -DER_INVAL;
	thresh = VEA_LARGE_BYTES / vsi->vsi_blk_sz;
	if (thresh == 0)
		thresh = 1;
	pthread_mutex_lock(&vsi->vsi_lock);
	age_drain(vsi);
	if (attr != NULL) {
		attr->va_compat = VEA_COMPAT;
		attr->va_blk_sz = vsi->vsi_blk_sz;
		attr->va_hdr_blks = vsi->vsi_hdr_blks;
		attr->va_large_thresh = (uint32_t)thresh;
		attr->va_tot_blks = vsi->vsi_tot_blks;
		attr->va_free_blks = vsi->vsi_free_t;
	}
	if (stat != NULL) {
		memset(stat, 0, sizeof(*stat));
		stat->vs_free_persistent = vsi->vsi_free_p;
		stat->vs_free_transient = vsi->vsi_free_t;
		/* the size index is sorted by size: count up to the threshold */
		i = t_size_lb(vsi, thresh, 0);
		stat->vs_small_frags = i;
		stat->vs_large_frags = vsi->vsi_t_nr - i;
		if (vsi->vsi_t_nr > 0) {
			uint64_t l = vsi->vsi_t_size[vsi->vsi_t_nr - 1].te_cnt;

			stat->vs_largest_blks = l > UINT32_MAX ? UINT32_MAX : (uint32_t)l;
		}
		stat->vs_resrv_hint = vsi->vsi_resrv_hint;
		stat->vs_resrv_large = vsi->vsi_resrv_large;
		stat->vs_resrv_small = vsi->vsi_resrv_small;
		stat->vs_persist_frags = vsi->vsi_p_nr;
	}
	pthread_mutex_unlock(&vsi->vsi_lock);
	return 0;
}

int
vea_enumerate_free(struct vea_space_info *vsi, int (*cb)(void *arg, struct vea_free_extent *e),
		   void *arg)
{
	struct vea_free_extent e = {0};
	uint32_t i;
	int rc = 0;

	if (vsi == NULL || cb == NULL)
		return -DER_INVAL;
	pthread_mutex_lock(&vsi->vsi_lock);
	for (i = 0; i < vsi->vsi_p_nr && rc == 0; i++) {
		e.vfe_blk_off = vsi->vsi_p[i].pe_off;
		e.vfe_blk_cnt = vsi->vsi_p[i].pe_cnt > UINT32_MAX ? UINT32_MAX
								  : (uint32_t)vsi->vsi_p[i].pe_cnt;
		rc = cb(arg, &e);
	}
	pthread_mutex_unlock(&vsi->vsi_lock);
	return rc;
}

void
vea_flush(struct vea_space_info *vsi, bool plug)
{
	(void)vsi;
	(void)plug;
}
