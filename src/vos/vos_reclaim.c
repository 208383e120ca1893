/**
 * Background space reclamation of a pool: aggregation of every container,
 * then a bounded garbage collection step. The engine runs it from a ULT per
 * target; anything driving VOS in a loop (tests, tools) can call it too.
 */
#define D_LOGFAC DD_FAC(vos)

#include "vos_internal.h"

/* uuids of the pool's containers; the iterator is closed before anything yields */
static int
reclaim_conts(daos_handle_t poh, uuid_t **uuids, int *nr)
{
	vos_iter_param_t param = {0};
	vos_iter_entry_t ent;
	daos_handle_t ih;
	uuid_t *arr = NULL, *tmp;
	int n = 0, cap = 0, rc;

	param.ip_hdl = poh;
	rc = vos_iter_prepare(VOS_ITER_COUUID, &param, &ih, NULL);
	if (rc != 0)
		return rc;
	for (rc = vos_iter_probe(ih, NULL); rc == 0; rc = vos_iter_next(ih, NULL)) {
		rc = vos_iter_fetch(ih, &ent, NULL);
		if (rc != 0)
			break;
		if (n == cap) {
			cap = cap ? cap * 2 : 16;
			D_REALLOC_ARRAY(tmp, arr, n, cap);
			if (tmp == NULL) {
				rc = -DER_NOMEM;
				break;
			}
			arr = tmp;
		}
		uuid_copy(arr[n++], ent.ie_couuid);
	}
	vos_iter_finish(ih);
	if (rc != -DER_NONEXIST) {
		D_FREE(arr);
		return rc;
	}
	*uuids = arr;
	*nr = n;
	return 0;
}

int
vos_pool_reclaim(daos_handle_t poh, daos_epoch_t agg_hi, int credits, int (*yield_func)(void *arg),
		 void *yield_arg)
{
	daos_epoch_range_t epr;
	vos_cont_info_t ci;
	daos_handle_t coh;
	uuid_t *uuids = NULL;
	int i, nr = 0, rc;

	if (vos_hdl2pool(poh) == NULL)
		return -DER_NO_HDL;
	if (credits <= 0 || agg_hi == DAOS_EPOCH_MAX)
		return -DER_INVAL;
	if (agg_hi != 0) {
		rc = reclaim_conts(poh, &uuids, &nr);
		if (rc != 0)
			return rc;
	}
	for (i = 0, rc = 0; i < nr && rc == 0; i++) {
		/* destroyed while an earlier one was aggregated: nothing to do */
		if (vos_cont_open(poh, uuids[i], &coh) != 0)
			continue;
		rc = vos_cont_query(coh, &ci);
		if (rc == 0 && ci.ci_nobjs > 0 && ci.ci_hae < agg_hi) {
			epr.epr_lo = 0;
			epr.epr_hi = agg_hi;
			rc = vos_aggregate(coh, &epr, yield_func, yield_arg, 0);
		}
		vos_cont_close(coh);
		/* one container's failure does not stop the others; a stop request does */
		if (rc < 0) {
			D_ERROR("aggregation of " DF_UUID ": " DF_RC "\n", DP_UUID(uuids[i]),
				DP_RC(rc));
			rc = 0;
		}
	}
	D_FREE(uuids);
	if (rc != 0)
		return rc;
	return vos_gc_pool(poh, credits, yield_func, yield_arg);
}
