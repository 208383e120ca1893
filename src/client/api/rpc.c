/**
 * The client transport of libdaos, shared by the pool, container and later
 * object clients: one CaRT context, started at the first request (so
 * daos_init needs no system) and progressed by the calling thread under
 * dc_rpc_lock(). Each client module registers its protocol on first use.
 */
#define D_LOGFAC DD_FAC(client)

#include <pthread.h>
#include <daos.h>
#include <daos/event.h>
#include <daos/mgmt.h>
#include <daos/rpc.h>
#include <gurt/common.h>

int mgmt_uri_probe(const char *uri);

#define DC_MAX_PROTOS 8

static pthread_mutex_t dc_lock = PTHREAD_MUTEX_INITIALIZER;
static crt_context_t dc_ctx;
static bool dc_net_up;
static char *dc_provider;
static const struct crt_proto_format *dc_protos[DC_MAX_PROTOS];
static int dc_nprotos;

void
dc_rpc_lock(void)
{
	pthread_mutex_lock(&dc_lock);
}

void
dc_rpc_unlock(void)
{
	pthread_mutex_unlock(&dc_lock);
}

int
dc_rpc_init(const struct crt_proto_format *fmt)
{
	crt_init_options_t opt = {0};
	const char *s;
	int i, rc;

	if (!dc_net_up) {
		s = getenv("D_PROVIDER");
		D_STRNDUP(dc_provider, s ? s : "ofi+tcp;ofi_rxm", 64);
		if (dc_provider == NULL)
			return -DER_NOMEM;
		opt.cio_provider = dc_provider;
		rc = crt_init_opt(NULL, 0, &opt);
		if (rc == 0) {
			rc = crt_context_create(&dc_ctx);
			if (rc != 0)
				crt_finalize();
		}
		if (rc != 0) {
			D_ERROR("client transport (%s): " DF_RC "\n", dc_provider, DP_RC(rc));
			D_FREE(dc_provider);
			return rc;
		}
		dc_net_up = true;
	}
	if (fmt == NULL)
		return 0;
	for (i = 0; i < dc_nprotos; i++)
		if (dc_protos[i] == fmt)
			return 0;
	if (dc_nprotos == DC_MAX_PROTOS)
		return -DER_OVERFLOW;
	rc = crt_proto_register((struct crt_proto_format *)fmt);
	if (rc != 0) {
		D_ERROR("protocol %s: " DF_RC "\n", fmt->cpf_name, DP_RC(rc));
		return rc;
	}
	dc_protos[dc_nprotos++] = fmt;
	return 0;
}

void
dc_rpc_fini(void)
{
	pthread_mutex_lock(&dc_lock);
	if (dc_net_up) {
		dc_mgmt_fini();
		crt_context_destroy(dc_ctx, 1);
		crt_finalize();
		D_FREE(dc_provider);
		dc_nprotos = 0;
		dc_net_up = false;
	}
	pthread_mutex_unlock(&dc_lock);
}

crt_context_t
dc_rpc_context(void)
{
	return dc_ctx;
}

const char *
dc_rpc_provider(void)
{
	return dc_provider;
}

int
dc_req_create(const char *uri, crt_opcode_t opc, crt_rpc_t **rpc)
{
	crt_endpoint_t ep = {0};
	int rc;

	if (!dc_net_up)
		return -DER_UNINIT;
	rc = mgmt_uri_probe(uri);
	if (rc != 0)
		return rc;
	rc = crt_req_create(dc_ctx, &ep, opc, rpc);
	if (rc == 0) {
		rc = crt_req_set_dest_uri(*rpc, uri);
		if (rc != 0)
			crt_req_decref(*rpc);
	}
	return rc;
}

struct dc_wait {
	int done;
	int rc;
};

static void
dc_send_cb(const struct crt_cb_info *cb)
{
	struct dc_wait *w = cb->cci_arg;

	w->rc = cb->cci_rc;
	w->done = 1;
}

static int
dc_done(void *arg)
{
	return ((struct dc_wait *)arg)->done;
}

int
dc_req_send(crt_rpc_t *rpc)
{
	struct dc_wait w = {0};
	int rc;

	crt_req_addref(rpc);
	crt_req_set_timeout_ms(rpc, DC_RPC_TIMEOUT_MS);
	rc = crt_req_send(rpc, dc_send_cb, &w);
	if (rc != 0 && !w.done)
		return rc;
	rc = crt_progress_cond(dc_ctx, (int64_t)(DC_RPC_TIMEOUT_MS + 2000) * 1000, dc_done, &w);
	if (!w.done) {
		crt_req_abort(rpc);
		crt_progress_cond(dc_ctx, 1000 * 1000, dc_done, &w);
		return rc < 0 ? rc : -DER_TIMEDOUT;
	}
	return w.rc;
}

int
dc_return(daos_event_t *ev, int rc)
{
	if (ev == NULL)
		return rc;
	if (daos_event_launch(ev) != 0)
		return rc;
	daos_event_complete(ev, rc);
	return 0;
}
