/**
 * Incarnation log of an object or key: sorted (epoch, create|punch) entries. One entry lives
 * inside the record; longer logs move to one heap array that doubles when full.
 */
#define D_LOGFAC DD_FAC(vos)

#include "vos_internal.h"

/*
 * The entries of \a ilog: its heap array, or the inline entry unpacked into \a tmp (callers
 * that change an inline log write it back with ilog_inl_store()).
 */
static inline uint32_t
ilog_cap_log(const struct vos_ilog_df *ilog)
{
	return ilog->il_flags >> VOS_ILOG_CAP_SHIFT;
}

static inline struct vos_ilog_ent *
ilog_ents(struct umem_instance *umm, struct vos_ilog_df *ilog, struct vos_ilog_ent *tmp)
{
	if (ilog_cap_log(ilog) != 0)
		return umem_off2ptr(umm, ilog->il_val);
	memset(tmp, 0, sizeof(*tmp));
	if (ilog->il_nr != 0) {
		tmp->ie_epoch = ilog->il_val;
		tmp->ie_punch = !!(ilog->il_flags & VOS_ILOG_PUNCH);
	}
	return tmp;
}

/* caller has added \a ilog to the transaction */
static inline void
ilog_inl_store(struct vos_ilog_df *ilog, const struct vos_ilog_ent *ent, uint32_t nr)
{
	D_ASSERT(ilog_cap_log(ilog) == 0 && nr <= 1 && (nr == 0 || ent->ie_minor == 0));
	ilog->il_nr = nr;
	ilog->il_val = nr ? ent->ie_epoch : 0;
	ilog->il_flags = nr && ent->ie_punch ? VOS_ILOG_PUNCH : 0;
}

void
vos_ilog_eval(struct umem_instance *umm, struct vos_ilog_df *ilog, daos_epoch_t epoch,
	      daos_epoch_t parent_punch, struct vos_ilog_info *info)
{
	struct vos_ilog_ent tmp, *ents = ilog_ents(umm, ilog, &tmp);
	daos_epoch_t create = 0, punch = parent_punch;
	int i;

	info->ii_latest = ilog->il_nr ? ents[ilog->il_nr - 1].ie_epoch : 0;
	for (i = ilog->il_nr - 1; i >= 0; i--) {
		if (ents[i].ie_epoch > epoch)
			continue;
		if (ents[i].ie_punch) {
			if (ents[i].ie_epoch > punch)
				punch = ents[i].ie_epoch;
			/* everything older is hidden by this punch */
			break;
		}
		if (create == 0)
			create = ents[i].ie_epoch;
	}
	info->ii_create = create;
	info->ii_punch = punch;
	info->ii_exists = create != 0 && create > punch;
}

/* Make room for one more entry; \a ents is updated. Caller has added \a ilog to the tx. */
static int
ilog_grow(struct umem_instance *umm, struct vos_ilog_df *ilog, struct vos_ilog_ent **ents)
{
	struct vos_ilog_ent *new;
	umem_off_t off;
	uint32_t cap;

	if (ilog_cap_log(ilog) == 0 && ilog->il_nr == 0)
		return 0; /* the inline slot is free */
	if (ilog_cap_log(ilog) != 0 && ilog->il_nr < (1U << ilog_cap_log(ilog)))
		return 0;
	cap = ilog_cap_log(ilog) ? 1U << (ilog_cap_log(ilog) + 1) : 4;
	if (cap > VOS_ILOG_CAP_MAX) {
		D_ERROR("incarnation log full (%u entries): aggregate to trim it\n", ilog->il_nr);
		return -DER_OVERFLOW;
	}
	off = umem_alloc(umm, cap * sizeof(*new));
	if (UMOFF_IS_NULL(off))
		return -DER_NOSPACE;
	new = umem_off2ptr(umm, off);
	memcpy(new, *ents, ilog->il_nr * sizeof(*new));
	if (ilog_cap_log(ilog) != 0)
		umem_free(umm, ilog->il_val);
	ilog->il_val = off;
	ilog->il_flags = __builtin_ctz(cap) << VOS_ILOG_CAP_SHIFT;
	*ents = new;
	return 0;
}

static int
ilog_insert(struct umem_instance *umm, struct vos_ilog_df *ilog, daos_epoch_t epoch, bool punch)
{
	struct vos_ilog_ent tmp, *ents = ilog_ents(umm, ilog, &tmp);
	int i, pos, rc;

	/* position: after every entry with an epoch <= epoch */
	for (pos = ilog->il_nr; pos > 0 && ents[pos - 1].ie_epoch > epoch; pos--)
		;
	if (pos > 0 && ents[pos - 1].ie_epoch == epoch) {
		/* same epoch: same kind is a replay, the other kind is a conflict */
		if (!!ents[pos - 1].ie_punch == punch)
			return 0;
		return -DER_TX_RESTART;
	}
	rc = umem_tx_add_ptr(umm, ilog, sizeof(*ilog));
	if (rc != 0)
		return rc;
	rc = ilog_grow(umm, ilog, &ents);
	if (rc != 0)
		return rc;
	if (ents == &tmp) {
		/* empty inline log */
		memset(&tmp, 0, sizeof(tmp));
		tmp.ie_epoch = epoch;
		tmp.ie_punch = punch;
		ilog_inl_store(ilog, &tmp, 1);
		return 0;
	}
	rc = umem_tx_add_ptr(umm, &ents[pos], (ilog->il_nr - pos + 1) * sizeof(*ents));
	if (rc != 0)
		return rc;
	for (i = ilog->il_nr; i > pos; i--)
		ents[i] = ents[i - 1];
	memset(&ents[pos], 0, sizeof(ents[pos]));
	ents[pos].ie_epoch = epoch;
	ents[pos].ie_punch = punch;
	ilog->il_nr++;
	return 0;
}

int
vos_ilog_update(struct umem_instance *umm, struct vos_ilog_df *ilog, daos_epoch_t epoch,
		daos_epoch_t parent_punch)
{
	struct vos_ilog_ent tmp, *ents = ilog_ents(umm, ilog, &tmp);
	struct vos_ilog_info info;
	int i;

	for (i = 0; i < (int)ilog->il_nr; i++)
		if (ents[i].ie_epoch == epoch)
			return ents[i].ie_punch ? -DER_TX_RESTART : 0;
	vos_ilog_eval(umm, ilog, epoch, parent_punch, &info);
	if (info.ii_exists)
		return 0;
	return ilog_insert(umm, ilog, epoch, false);
}

int
vos_ilog_punch(struct umem_instance *umm, struct vos_ilog_df *ilog, daos_epoch_t epoch)
{
	return ilog_insert(umm, ilog, epoch, true);
}

void
vos_ilog_free(struct umem_instance *umm, struct vos_ilog_df *ilog)
{
	if (ilog_cap_log(ilog) != 0)
		umem_free(umm, ilog->il_val);
}

/*
 * Keep only the entries that decide existence at some read point (a snapshot, or any epoch >=
 * \a hi): for each read point the newest punch <= it and the newest create after that punch.
 * Entries newer than \a hi are always kept. *removable: the log says "never exists" at every
 * read point and has nothing above \a hi.
 */
int
vos_ilog_aggregate(struct umem_instance *umm, struct vos_ilog_df *ilog, daos_epoch_t hi,
		   const daos_epoch_t *snaps, uint32_t snap_nr, daos_epoch_t parent_punch,
		   bool *removable)
{
	struct vos_ilog_ent tmp, *ents = ilog_ents(umm, ilog, &tmp);
	struct vos_ilog_ent keep_stack[16], *keep = keep_stack;
	uint32_t nr = ilog->il_nr, knr = 0, s, i;
	bool needed_stack[16] = {0}, *needed = needed_stack;
	bool exists_any = false;
	int rc = 0;

	*removable = false;
	if (nr == 0)
		return 0;
	if (nr > ARRAY_SIZE(keep_stack)) {
		D_ALLOC_ARRAY(keep, nr);
		D_ALLOC_ARRAY(needed, nr);
		if (keep == NULL || needed == NULL)
			D_GOTO(out, rc = -DER_NOMEM);
	}
	for (s = 0; s <= snap_nr; s++) {
		daos_epoch_t rp = s < snap_nr ? snaps[s] : hi;
		int last_punch = -1, last_create = -1;

		if (rp > hi)
			continue;
		for (i = 0; i < nr && ents[i].ie_epoch <= rp; i++) {
			if (ents[i].ie_punch) {
				last_punch = i;
				last_create = -1;
			} else {
				/* eval compares the newest create with parent punches */
				last_create = i;
			}
		}
		if (last_punch >= 0)
			needed[last_punch] = true;
		if (last_create >= 0) {
			needed[last_create] = true;
			exists_any = true;
		}
	}
	for (i = 0; i < nr; i++) {
		if (ents[i].ie_epoch > hi)
			needed[i] = true;
		if (needed[i])
			keep[knr++] = ents[i];
	}
	if (knr == 0 || (!exists_any && ents[nr - 1].ie_epoch <= hi)) {
		*removable = true;
		goto out;
	}
	if (knr == nr)
		goto out;
	/* a leading punch stays: it is also the punch bound of the children's older entries */
	rc = umem_tx_add_ptr(umm, ilog, sizeof(*ilog));
	if (rc == 0 && ents == &tmp) {
		ilog_inl_store(ilog, keep, knr);
		goto out;
	}
	if (rc == 0)
		rc = umem_tx_add_ptr(umm, ents, nr * sizeof(*ents));
	if (rc == 0) {
		memcpy(ents, keep, knr * sizeof(*ents));
		ilog->il_nr = knr;
	}
out:
	if (keep != keep_stack)
		D_FREE(keep);
	if (needed != needed_stack)
		D_FREE(needed);
	return rc;
}
