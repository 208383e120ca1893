/**
 * Durability waits of the umem heap (struct umem_wait_ops) on ULT eventuals.
 *
 * Only the struct layout comes from daos/mem.h: neither library links the other, the engine
 * installs these ops with umem_set_wait_ops(ult_umem_wait_ops()). A committing ULT then parks
 * on its eventual and the xstream keeps running other ULTs (which commit too, so their
 * records share the flusher's next fdatasync). From a plain thread the eventual blocks on a
 * futex, so the ops are also correct outside ULTs.
 */
#define D_LOGFAC DD_FAC(server)

#include <daos/mem.h>
#include "ult_internal.h"

static void *
uw_create(void)
{
	ult_eventual_t ev;

	if (ult_eventual_create(0, &ev) != 0)
		return NULL;
	return ev;
}

static void
uw_wait(void *cookie)
{
	int rc = ult_eventual_wait(cookie, NULL);

	D_ASSERTF(rc == 0, "eventual wait: " DF_RC "\n", DP_RC(rc));
}

static void
uw_wake(void *cookie)
{
	ult_eventual_set(cookie, NULL, 0);
}

static void
uw_destroy(void *cookie)
{
	ult_eventual_t ev = cookie;

	ult_eventual_free(&ev);
}

/* Nothing else runnable on this xstream: blocking it on an inline log write costs nothing. */
static bool
uw_alone(void)
{
	struct ult_xstream *xs = ult_tls_xs;

	return xs == NULL || (xs->xs_runq_len == 0 && mpsc_empty(&xs->xs_inbox));
}

static const struct umem_wait_ops ult_umem_wops = {
	.uwo_create = uw_create,
	.uwo_wait = uw_wait,
	.uwo_wake = uw_wake,
	.uwo_destroy = uw_destroy,
	.uwo_alone = uw_alone,
};

const struct umem_wait_ops *
ult_umem_wait_ops(void)
{
	return &ult_umem_wops;
}
