/**
 * Helpers of the VOS crash drivers (vos_crash_util.h).
 */
#define D_LOGFAC DD_FAC(vos)

#include <stdio.h>
#include <unistd.h>

#include <daos_errno.h>
#include <gurt/common.h>
#include <daos/mem.h>
#include <daos_srv/ult.h>
#include <daos_srv/vos.h>

#include "crash_harness.h"
#include "vos_crash_util.h"

void
vt_crash_run_in_ult(void (*fn)(void *), int *status)
{
	struct ult_init_attr ua = {.uia_nr_xs = 1};
	struct ult *ult;
	int rc;

	rc = ult_init(&ua);
	if (rc != 0)
		crash_fail(__FILE__, __LINE__, "ult_init: " DF_RC, DP_RC(rc));
	umem_set_wait_ops(ult_umem_wait_ops());
	rc = ult_create(0, fn, status, 0, &ult);
	if (rc == 0)
		rc = ult_join(ult);
	if (rc != 0)
		crash_fail(__FILE__, __LINE__, "ult: " DF_RC, DP_RC(rc));
	fflush(stdout);
	fflush(stderr);
	_exit(*status);
}

int
vt_crash_open(const char *tag, const char *path, uuid_t pool, uuid_t cont, daos_handle_t *poh,
	      daos_handle_t *coh)
{
	int rc = vos_pool_open(path, pool, 0, poh);

	if (rc != 0) {
		fprintf(stderr, "%s: pool open: " DF_RC "\n", tag, DP_RC(rc));
		return rc;
	}
	rc = vos_cont_open(*poh, cont, coh);
	if (rc != 0) {
		fprintf(stderr, "%s: container open: " DF_RC "\n", tag, DP_RC(rc));
		vos_pool_close(*poh);
	}
	return rc;
}
