/* The pool module of daos_server: protocol handlers, start (reopen pools) and stop. */
#define D_LOGFAC DD_FAC(pool)

#include <gurt/common.h>
#include "srv_internal.h"

struct pool_waiter {
	ult_eventual_t pw_ev;
	int pw_left;
	int *pw_rcs;
	crt_rpc_t **pw_rpcs;
	int pw_nr;
};

static void
pool_send_cb(const struct crt_cb_info *cb)
{
	struct pool_waiter *w = cb->cci_arg;
	int i;

	for (i = 0; i < w->pw_nr; i++)
		if (w->pw_rpcs[i] == cb->cci_rpc) {
			w->pw_rcs[i] = cb->cci_rc;
			break;
		}
	if (--w->pw_left == 0)
		ult_eventual_set(w->pw_ev, NULL, 0);
}

/*
 * Send \a nr RPCs at once (start) and park the ULT until all completed
 * (wait); callbacks run on this xstream's poller. The caller keeps its
 * references and may do local work between the two.
 */
int
ds_pool_send_all_start(crt_rpc_t **rpcs, int nr, uint32_t timeout_ms, int *rcs, void **waiter)
{
	struct pool_waiter *w;
	int i, rc;

	*waiter = NULL;
	if (nr == 0)
		return 0;
	D_ALLOC_PTR(w);
	if (w == NULL)
		return -DER_NOMEM;
	w->pw_left = nr;
	w->pw_rcs = rcs;
	w->pw_rpcs = rpcs;
	w->pw_nr = nr;
	rc = ult_eventual_create(0, &w->pw_ev);
	if (rc != 0) {
		D_FREE(w);
		return rc;
	}
	for (i = 0; i < nr; i++) {
		rcs[i] = -DER_INVAL;
		crt_req_addref(rpcs[i]);
		crt_req_set_timeout_ms(rpcs[i], timeout_ms);
		/* a failed send still completes through the callback */
		crt_req_send(rpcs[i], pool_send_cb, w);
	}
	*waiter = w;
	return 0;
}

int
ds_pool_send_all_wait(void *waiter)
{
	struct pool_waiter *w = waiter;
	int i, rc = 0;

	if (w == NULL)
		return 0;
	ult_eventual_wait(w->pw_ev, NULL);
	ult_eventual_free(&w->pw_ev);
	for (i = 0; i < w->pw_nr; i++)
		if (w->pw_rcs[i] != 0 && rc == 0)
			rc = w->pw_rcs[i];
	D_FREE(w);
	return rc;
}

int
ds_pool_send_all(crt_rpc_t **rpcs, int nr, uint32_t timeout_ms, int *rcs)
{
	void *w;
	int rc;

	rc = ds_pool_send_all_start(rpcs, nr, timeout_ms, rcs, &w);
	if (rc != 0)
		return rc;
	return ds_pool_send_all_wait(w);
}

static int
pool_setup(void)
{
	int rc;

	rc = ds_pool_tgt_open_all();
	if (rc != 0)
		return rc;
	rc = ds_pool_svc_open_all();
	if (rc != 0)
		return rc;
	if (ds_pool_mgmt_is_ap())
		rc = ds_pool_mgmt_load();
	return rc;
}

static int
pool_cleanup(void)
{
	ds_pool_mgmt_unload();
	ds_pool_svc_close_all();
	ds_pool_tgt_close_all();
	return 0;
}

static int
pool_init(void)
{
	return 0;
}

static int
pool_fini(void)
{
	return 0;
}

static struct daos_rpc_handler pool_handlers[] = {
	{POOL_CREATE, ds_pool_hdlr_create, NULL},
	{POOL_DESTROY, ds_pool_hdlr_destroy, NULL},
	{POOL_LIST, ds_pool_hdlr_list, NULL},
	{POOL_LOCATE, ds_pool_hdlr_locate, NULL},
	{POOL_TGT_CREATE, ds_pool_hdlr_tgt_create, NULL},
	{POOL_TGT_DESTROY, ds_pool_hdlr_tgt_destroy, NULL},
	{POOL_SVC_CREATE, ds_pool_hdlr_svc_create, NULL},
	{POOL_SVC_STOP, ds_pool_hdlr_svc_stop, NULL},
	{POOL_TGT_QUERY, ds_pool_hdlr_tgt_query, NULL},
	{POOL_CONNECT, ds_pool_hdlr_connect, NULL},
	{POOL_DISCONNECT, ds_pool_hdlr_disconnect, NULL},
	{POOL_QUERY, ds_pool_hdlr_query, NULL},
	{POOL_QUERY_INFO, ds_pool_hdlr_query_info, NULL},
	{POOL_PROP_SET, ds_pool_hdlr_prop_set, NULL},
	{POOL_ATTR, ds_pool_hdlr_attr, NULL},
};

static struct crt_proto_format *pool_protos[] = {&pool_proto_fmt};
static uint32_t pool_counts[] = {POOL_PROTO_COUNT};
static struct daos_rpc_handler *pool_handler_tables[] = {pool_handlers};

struct dss_module pool_module = {
	.sm_name = "pool",
	.sm_mod_id = DAOS_POOL_MODULE,
	.sm_ver = DAOS_POOL_VERSION,
	.sm_init = pool_init,
	.sm_fini = pool_fini,
	.sm_setup = pool_setup,
	.sm_cleanup = pool_cleanup,
	.sm_proto_count = 1,
	.sm_proto_fmt = pool_protos,
	.sm_cli_count = pool_counts,
	.sm_handlers = pool_handler_tables,
};
