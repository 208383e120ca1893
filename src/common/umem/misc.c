/**
 * DAOS umem API pieces built on the core transaction ops: stage data, reservations and
 * single-operation ("atomic") helpers.
 */
#define D_LOGFAC DD_FAC(umem)

#include "umem_internal.h"

/* armed = remaining injections; points and errno are read only while armed */
_Atomic int umem_fi_armed;
static _Atomic unsigned int umem_fi_points;
static _Atomic int umem_fi_err;

int
umem_fault_inject_set(unsigned int points, int err, int nr)
{
	if (nr < 0 || (nr > 0 && (points == 0 || err <= 0)))
		return -DER_INVAL;
	umem_fi_armed = 0;
	umem_fi_points = points;
	umem_fi_err = err;
	umem_fi_armed = nr;
	return 0;
}

int
umem_fi_hit(unsigned int point)
{
	int n = umem_fi_armed;

	if (!(umem_fi_points & point))
		return 0;
	/* consume one shot; a racing caller that loses retries on the new count */
	while (n > 0) {
		if (atomic_compare_exchange_weak(&umem_fi_armed, &n, n - 1)) {
			D_WARN("injecting errno %d at point %#x\n", umem_fi_err, point);
			return umem_fi_err;
		}
	}
	return 0;
}

int
umem_init_txd(struct umem_tx_stage_data *txd)
{
	if (txd == NULL)
		return -DER_INVAL;
	memset(txd, 0, sizeof(*txd));
	txd->txd_magic = UMEM_TX_DATA_MAGIC;
	return 0;
}

void
umem_fini_txd(struct umem_tx_stage_data *txd)
{
	if (txd != NULL)
		txd->txd_magic = 0;
}

bool
umem_tx_inprogress(struct umem_instance *umm)
{
	return umem_tx_stage(umm) == UMEM_STAGE_WORK || umem_tx_stage(umm) == UMEM_STAGE_ONABORT;
}

bool
umem_tx_none(struct umem_instance *umm)
{
	return umem_tx_stage(umm) == UMEM_STAGE_NONE;
}

int
umem_tx_errno(int err)
{
	if (err < 0)
		return err;
	if (err == 0)
		return -DER_MISC;
	return umem_errno2der(err);
}

/* ---------------- reservations ---------------- */

struct umem_rsrvd_entry {
	umem_off_t re_off;
	bool re_free; /* deferred free rather than a reservation */
};

struct umem_rsrvd_act {
	uint32_t ra_cnt;
	uint32_t ra_max;
	struct umem_rsrvd_entry *ra_ents;
};

int
umem_rsrvd_act_cnt(struct umem_rsrvd_act *act)
{
	return act ? act->ra_cnt : 0;
}

int
umem_rsrvd_act_alloc(struct umem_instance *umm, struct umem_rsrvd_act **actp, int cnt)
{
	struct umem_rsrvd_act *act;

	if (actp == NULL || cnt < 0)
		return -DER_INVAL;
	D_ALLOC_PTR(act);
	if (act == NULL)
		return -DER_NOMEM;
	if (cnt > 0) {
		D_ALLOC_ARRAY(act->ra_ents, cnt);
		if (act->ra_ents == NULL) {
			D_FREE(act);
			return -DER_NOMEM;
		}
	}
	act->ra_max = cnt;
	*actp = act;
	return 0;
}

int
umem_rsrvd_act_realloc(struct umem_instance *umm, struct umem_rsrvd_act **actp, int max_cnt)
{
	struct umem_rsrvd_entry *ents;
	struct umem_rsrvd_act *act;

	if (actp == NULL)
		return -DER_INVAL;
	if (*actp == NULL)
		return umem_rsrvd_act_alloc(umm, actp, max_cnt);
	act = *actp;
	if (max_cnt <= act->ra_max)
		return 0;
	D_REALLOC_ARRAY(ents, act->ra_ents, act->ra_max, max_cnt);
	if (ents == NULL)
		return -DER_NOMEM;
	act->ra_ents = ents;
	act->ra_max = max_cnt;
	return 0;
}

int
umem_rsrvd_act_free(struct umem_rsrvd_act **actp)
{
	if (actp == NULL || *actp == NULL)
		return 0;
	D_FREE((*actp)->ra_ents);
	D_FREE(*actp);
	return 0;
}

static int
act_add(struct umem_rsrvd_act *act, umem_off_t off, bool is_free)
{
	if (D_ARRAY_GROW(act->ra_ents, act->ra_cnt, act->ra_max, 4) != 0)
		return -DER_NOMEM;
	act->ra_ents[act->ra_cnt].re_off = off;
	act->ra_ents[act->ra_cnt].re_free = is_free;
	act->ra_cnt++;
	return 0;
}

umem_off_t
umem_reserve_common(struct umem_instance *umm, struct umem_rsrvd_act *act, size_t size,
		    unsigned int mbkt_id)
{
	umem_off_t off;

	if (act == NULL)
		return UMOFF_NULL;
	off = umem_alloc_verb(umm, 0, size, mbkt_id);
	if (UMOFF_IS_NULL(off))
		return UMOFF_NULL;
	if (act_add(act, off, false) != 0) {
		umem_free(umm, off);
		return UMOFF_NULL;
	}
	return off;
}

void
umem_defer_free(struct umem_instance *umm, umem_off_t off, struct umem_rsrvd_act *act)
{
	if (act == NULL || act_add(act, off, true) != 0) {
		D_ERROR("cannot defer free of " DF_X64 ", freeing now\n", off);
		umem_free(umm, off);
	}
}

void
umem_cancel(struct umem_instance *umm, struct umem_rsrvd_act *act)
{
	int i;

	if (act == NULL)
		return;
	for (i = 0; i < act->ra_cnt; i++)
		if (!act->ra_ents[i].re_free)
			umem_free(umm, act->ra_ents[i].re_off);
	act->ra_cnt = 0;
}

int
umem_tx_publish(struct umem_instance *umm, struct umem_rsrvd_act *act)
{
	int i, rc = 0;

	if (act == NULL)
		return 0;
	for (i = 0; i < act->ra_cnt && rc == 0; i++)
		if (act->ra_ents[i].re_free)
			rc = umem_free(umm, act->ra_ents[i].re_off);
	if (rc == 0)
		act->ra_cnt = 0;
	return rc;
}

/* ---------------- single-operation transactions ---------------- */

void *
umem_atomic_copy(struct umem_instance *umm, void *dest, const void *src, size_t len,
		 enum acopy_hint hint)
{
	int rc;

	if (!umem_has_tx(umm))
		return memcpy(dest, src, len);
	rc = umem_tx_begin(umm, NULL);
	if (rc != 0)
		return NULL;
	rc = umem_tx_add_ptr(umm, dest, len);
	if (rc == 0)
		memcpy(dest, src, len);
	rc = umem_tx_end(umm, rc);
	return rc == 0 ? dest : NULL;
}

umem_off_t
umem_atomic_alloc(struct umem_instance *umm, size_t len, unsigned int type_num)
{
	return umem_alloc(umm, len);
}

int
umem_atomic_free(struct umem_instance *umm, umem_off_t umoff)
{
	return umem_free(umm, umoff);
}

void
umem_atomic_flush(struct umem_instance *umm, void *addr, size_t len)
{
	/* durability comes from the commit that changed the bytes */
}
