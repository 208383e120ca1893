/**
 * Engine runtime: xstreams (ULT runtime), one CaRT context per xstream
 * progressed by a poller that sleeps in epoll on the context's wait fd,
 * RPC handlers as ULTs with per-opcode metrics, ULT placement and
 * collectives for modules.
 */
#define D_LOGFAC DD_FAC(server)

#include <errno.h>
#include <pthread.h>
#include <sys/timerfd.h>
#include <signal.h>
#include <unistd.h>
#include <gurt/common.h>
#include <gurt/list.h>
#include <gurt/telemetry.h>
#include <daos/mem.h>
#include "srv_internal.h"
#include "st_proto.h"

unsigned int dss_tgt_nr;
unsigned int dss_sys_xs_nr = 1;
const char *dss_storage_path;

struct dss_xstream {
	int dx_xs_id;
	crt_context_t dx_ctx;
	struct ult_poller *dx_poller;
	/* wakes an idle xstream while its own RPCs are in flight, so their timeouts fire */
	int dx_timerfd;
	bool dx_timer_armed;
	struct ult_poller *dx_tpoller;
	struct d_tm_node_t *dx_rpc_count;
};

static struct dss_xstream *dss_xstreams;
static int dss_xs_nr;
static const struct dss_srv_config *dss_cfg;
static char *dss_uri;
static bool dss_shutting_down;
static bool dss_services_stopped;
static int dss_handlers_running;
static __thread struct dss_module_info dss_mod_info;
static __thread bool dss_mod_info_set;

/* per-opcode metrics, created on first use: [module][opcode index] */
#define DSS_OPC_METRICS_MAX 64
struct dss_opc_metrics {
	struct d_tm_node_t *count;
	struct d_tm_node_t *latency;
	struct d_tm_node_t *errors;
};
static struct dss_opc_metrics dss_opc_metrics[DAOS_MAX_MODULE][DSS_OPC_METRICS_MAX];
static pthread_mutex_t dss_metrics_lock = PTHREAD_MUTEX_INITIALIZER;

const struct dss_srv_config *
dss_srv_config_get(void)
{
	return dss_cfg;
}

const char *
dss_self_uri(void)
{
	return dss_uri;
}

struct dss_module_info *
dss_get_module_info(void)
{
	return dss_mod_info_set ? &dss_mod_info : NULL;
}

d_rank_t
dss_self_rank(void)
{
	d_rank_t rank = CRT_NO_RANK;

	if (crt_group_rank(NULL, &rank) != 0)
		return CRT_NO_RANK;
	return rank;
}

static struct dss_opc_metrics *
dss_opc_metrics_get(crt_opcode_t opc)
{
	uint32_t mod = opc_get_mod_id(opc), idx = opc_get(opc);
	struct dss_opc_metrics *m;
	struct dss_module *module;
	char name[64];

	if (mod >= DAOS_MAX_MODULE || idx >= DSS_OPC_METRICS_MAX)
		return NULL;
	m = &dss_opc_metrics[mod][idx];
	if (__atomic_load_n(&m->errors, __ATOMIC_ACQUIRE) != NULL)
		return m;
	module = dss_module_get((int)mod);
	if (module != NULL)
		snprintf(name, sizeof(name), "%s", module->sm_name);
	else
		snprintf(name, sizeof(name), "mod_%u", mod);
	pthread_mutex_lock(&dss_metrics_lock);
	if (m->errors == NULL) {
		struct d_tm_node_t *errors = NULL;

		d_tm_add_metric(&m->count, D_TM_COUNTER, "RPCs handled", "rpcs",
				"net/rpc/%s/op_%u/count", name, idx);
		d_tm_add_metric(&m->latency, D_TM_DURATION, "handler time", D_TM_MICROSECOND,
				"net/rpc/%s/op_%u/latency", name, idx);
		d_tm_add_metric(&errors, D_TM_COUNTER, "RPCs refused", "rpcs",
				"net/rpc/%s/op_%u/refused", name, idx);
		__atomic_store_n(&m->errors, errors, __ATOMIC_RELEASE);
	}
	pthread_mutex_unlock(&dss_metrics_lock);
	return m->errors != NULL ? m : NULL;
}

struct d_tm_node_t *
dss_tgt_metric(int tgt_id, const char *name, const char *desc)
{
	struct d_tm_node_t *node = NULL;

	d_tm_add_metric(&node, D_TM_COUNTER, (char *)desc, NULL, "target/tgt_%d/%s", tgt_id, name);
	return node;
}

struct dss_rpc_work {
	void *hdlr_arg;
	void (*hdlr)(void *);
	crt_opcode_t opc;
	struct dss_xstream *dx;
};

static void
dss_rpc_ult(void *arg)
{
	struct dss_rpc_work *w = arg;
	struct dss_opc_metrics *m = dss_opc_metrics_get(w->opc);
	uint64_t t0 = d_timenow_ns();

	w->hdlr(w->hdlr_arg);
	if (m != NULL) {
		d_tm_inc_counter(m->count, 1);
		d_tm_record_duration(m->latency, d_timenow_ns() - t0);
	}
	d_tm_inc_counter(w->dx->dx_rpc_count, 1);
	__atomic_fetch_sub(&dss_handlers_running, 1, __ATOMIC_RELEASE);
	D_FREE(w);
}

/* CaRT hands every received RPC here: run its handler as a ULT on this xstream. */
static int
dss_rpc_hdlr(crt_context_t *ctx, void *hdlr_arg, void (*real_rpc_hdlr)(void *), void *arg)
{
	crt_rpc_t *rpc = container_of(ctx, crt_rpc_t, cr_ctx);
	uint32_t mod = opc_get_mod_id(rpc->cr_opc);
	struct dss_rpc_work *w;
	int rc;

	if (__atomic_load_n(&dss_shutting_down, __ATOMIC_ACQUIRE) ||
	    (__atomic_load_n(&dss_services_stopped, __ATOMIC_ACQUIRE) && mod < DAOS_MAX_MODULE &&
	     mod != DAOS_MGMT_MODULE)) {
		struct dss_opc_metrics *m = dss_opc_metrics_get(rpc->cr_opc);

		if (m != NULL)
			d_tm_inc_counter(m->errors, 1);
		return -DER_SHUTDOWN;
	}
	D_ALLOC_PTR(w);
	if (w == NULL)
		return -DER_NOMEM;
	w->hdlr_arg = hdlr_arg;
	w->hdlr = real_rpc_hdlr;
	w->opc = rpc->cr_opc;
	w->dx = arg;
	__atomic_fetch_add(&dss_handlers_running, 1, __ATOMIC_ACQUIRE);
	rc = ult_create(ULT_XS_SELF, dss_rpc_ult, w, 0, NULL);
	if (rc != 0) {
		__atomic_fetch_sub(&dss_handlers_running, 1, __ATOMIC_RELEASE);
		D_FREE(w);
	}
	return rc;
}

#define DSS_TIMEOUT_TICK_MS 50

/*
 * The xstream sleeps in epoll on the context's fd, which only wakes for
 * completions. While RPCs sent from this context are in flight, a timer
 * wakes it every tick so that crt_progress() expires the late ones.
 */
static void
dss_timer_update(struct dss_xstream *dx)
{
	struct itimerspec its = {0};
	int inflight	      = 0;

	crt_context_inflight_num(dx->dx_ctx, &inflight);
	if ((inflight > 0) == dx->dx_timer_armed)
		return;
	if (inflight > 0) {
		its.it_value.tv_nsec	= DSS_TIMEOUT_TICK_MS * 1000000L;
		its.it_interval.tv_nsec = DSS_TIMEOUT_TICK_MS * 1000000L;
	}
	if (timerfd_settime(dx->dx_timerfd, 0, &its, NULL) == 0)
		dx->dx_timer_armed = inflight > 0;
}

static int
dss_timer_poll(void *arg)
{
	struct dss_xstream *dx = arg;
	uint64_t ticks;

	if (read(dx->dx_timerfd, &ticks, sizeof(ticks)) != sizeof(ticks))
		return 0;
	/* the context poller runs next and expires what is due */
	crt_progress(dx->dx_ctx, 0);
	dss_timer_update(dx);
	return 0;
}

/* Poller: drain the context; when it reports idle the xstream may sleep on its fd. */
static int
dss_ctx_poll(void *arg)
{
	struct dss_xstream *dx = arg;
	int n = 0, rc;

	while (n < 64) {
		rc = crt_progress(dx->dx_ctx, 0);
		if (rc == -DER_TIMEDOUT)
			break;
		if (rc != 0) {
			D_ERROR("xstream %d: progress: " DF_RC "\n", dx->dx_xs_id, DP_RC(rc));
			break;
		}
		n++;
	}
	dss_timer_update(dx);
	return n;
}

static int
dss_xs_setup(void *arg, int xs_id, void *out)
{
	struct dss_xstream *dx = &dss_xstreams[xs_id];

	dss_mod_info.dmi_ctx = dx->dx_ctx;
	dss_mod_info.dmi_xs_id = xs_id;
	dss_mod_info.dmi_tgt_id = xs_id - 1;
	dss_mod_info.dmi_ctx_id = xs_id;
	dss_mod_info_set = true;
	return dss_tls_init(xs_id);
}

static int
dss_xs_teardown(void *arg, int xs_id, void *out)
{
	dss_tls_fini();
	dss_mod_info_set = false;
	return 0;
}

struct dss_call {
	int (*func)(void);
	int rc;
};

static void
dss_call_ult(void *arg)
{
	struct dss_call *c = arg;

	c->rc = c->func();
}

/* Run \a func in a ULT on the system xstream and wait for it (from a plain thread). */
static int
dss_call_on_sys(int (*func)(void))
{
	struct dss_call c = {.func = func};
	struct ult *u;
	int rc;

	rc = ult_create(0, dss_call_ult, &c, 0, &u);
	if (rc == 0)
		rc = ult_join(u);
	return rc != 0 ? rc : c.rc;
}

static int
dss_modules_init_ult(void)
{
	return dss_module_init_all();
}

static int
dss_modules_setup_ult(void)
{
	return dss_module_setup_all(-1);
}

static int dss_keep_mod = -1;

static int
dss_modules_cleanup_ult(void)
{
	dss_module_cleanup_all(dss_keep_mod);
	return 0;
}

static int
dss_modules_cleanup_kept_ult(void)
{
	struct dss_module *m = dss_module_get(dss_keep_mod);

	if (m != NULL && m->sm_cleanup != NULL)
		m->sm_cleanup();
	return 0;
}

static int
dss_modules_restart_ult(void)
{
	return dss_module_setup_all(dss_keep_mod);
}

int
dss_engine_services(bool stop, int keep_mod_id)
{
	int rc = 0;

	if (stop == __atomic_load_n(&dss_services_stopped, __ATOMIC_ACQUIRE))
		return 0;
	dss_keep_mod = keep_mod_id;
	if (stop) {
		__atomic_store_n(&dss_services_stopped, true, __ATOMIC_RELEASE);
		if (ult_xs_self() == 0)
			dss_modules_cleanup_ult();
		else
			rc = dss_call_on_sys(dss_modules_cleanup_ult);
	} else {
		rc = ult_xs_self() == 0 ? dss_modules_restart_ult()
					: dss_call_on_sys(dss_modules_restart_ult);
		if (rc == 0)
			__atomic_store_n(&dss_services_stopped, false, __ATOMIC_RELEASE);
	}
	D_INFO("engine services %s: " DF_RC "\n", stop ? "stopped" : "started", DP_RC(rc));
	return rc;
}

bool
dss_engine_stopped(void)
{
	return __atomic_load_n(&dss_services_stopped, __ATOMIC_ACQUIRE);
}

void
dss_engine_shutdown(void)
{
	kill(getpid(), SIGTERM);
}

int
dss_ult_create(void (*func)(void *), void *arg, int xs_type, int tgt_idx, size_t stack_size,
	       struct ult **ult)
{
	int xs;

	switch (xs_type) {
	case DSS_XS_SELF:
		xs = ULT_XS_SELF;
		break;
	case DSS_XS_SYS:
	case DSS_XS_SWIM:
	case DSS_XS_DRPC:
		xs = 0;
		break;
	case DSS_XS_VOS:
	case DSS_XS_OFFLOAD:
	case DSS_XS_IOFW:
		if (tgt_idx < 0 || tgt_idx >= (int)dss_tgt_nr)
			return -DER_INVAL;
		xs = dss_tgt2xs(tgt_idx);
		break;
	default:
		return -DER_INVAL;
	}
	return ult_create(xs, func, arg, stack_size, ult);
}

void
dss_sleep(uint64_t ms)
{
	ult_sleep_ms(ms);
}

struct dss_coll {
	int (*func)(void *);
	void *arg;
};

static int
dss_coll_one(void *arg, int xs_id, void *out)
{
	struct dss_coll *c = arg;

	return c->func(c->arg);
}

int
dss_thread_collective(int (*func)(void *), void *arg, unsigned int flags)
{
	struct dss_coll c = {.func = func, .arg = arg};

	if (func == NULL)
		return -DER_INVAL;
	if (dss_tgt_nr == 0)
		return 0;
	return ult_collective(1, (int)dss_tgt_nr, dss_coll_one, &c, NULL, 0, NULL);
}

int
dss_task_collective(int (*func)(void *), void *arg, unsigned int flags)
{
	return dss_thread_collective(func, arg, flags);
}

static void
dss_pollers_stop(void)
{
	int i;

	for (i = 0; i < dss_xs_nr; i++) {
		struct dss_xstream *dx = &dss_xstreams[i];

		if (dx->dx_poller != NULL)
			ult_poller_unregister(dx->dx_poller);
		if (dx->dx_tpoller != NULL)
			ult_poller_unregister(dx->dx_tpoller);
		if (dx->dx_timerfd > 0)
			close(dx->dx_timerfd);
		dx->dx_poller  = NULL;
		dx->dx_tpoller = NULL;
		dx->dx_timerfd = -1;
	}
}

int
dss_srv_init(const struct dss_srv_config *cfg)
{
	struct ult_init_attr attr = {0};
	crt_init_options_t opt = {0};
	char port[16];
	int i, fd, rc;

	dss_cfg = cfg;
	dss_tgt_nr = (unsigned int)cfg->sc_targets;
	dss_storage_path = cfg->sc_scm_mount;
	dss_xs_nr = cfg->sc_targets + 1;

	attr.uia_nr_xs = dss_xs_nr;
	attr.uia_stack_size = 128 * 1024;
	rc = ult_init(&attr);
	if (rc != 0) {
		D_ERROR("ULT runtime: " DF_RC "\n", DP_RC(rc));
		return rc;
	}
	/* a umem commit in a handler parks its ULT instead of blocking the xstream */
	umem_set_wait_ops(ult_umem_wait_ops());

	snprintf(port, sizeof(port), "%d", cfg->sc_port);
	opt.cio_provider = cfg->sc_provider;
	opt.cio_interface = cfg->sc_fabric_iface;
	opt.cio_port = port;
	opt.cio_ctx1_port = cfg->sc_fabric_iface_port;
	rc = crt_init_opt(cfg->sc_sys_name, CRT_FLAG_BIT_SERVER, &opt);
	if (rc != 0) {
		D_ERROR("CaRT init (%s on %s): " DF_RC "\n", cfg->sc_provider, cfg->sc_fabric_iface,
			DP_RC(rc));
		goto out_ult;
	}
	D_ALLOC_ARRAY(dss_xstreams, dss_xs_nr);
	if (dss_xstreams == NULL) {
		rc = -DER_NOMEM;
		goto out_crt;
	}
	for (i = 0; i < dss_xs_nr; i++) {
		struct dss_xstream *dx = &dss_xstreams[i];

		dx->dx_xs_id	= i;
		dx->dx_timerfd	= -1;
		rc = crt_context_create(&dx->dx_ctx);
		if (rc != 0) {
			D_ERROR("context %d (port %d): " DF_RC "\n", i,
				i == 0 ? cfg->sc_port : cfg->sc_fabric_iface_port + i - 1,
				DP_RC(rc));
			goto out_ctx;
		}
		crt_context_register_rpc_task(dx->dx_ctx, dss_rpc_hdlr, NULL, dx);
		if (i > 0)
			dx->dx_rpc_count = dss_tgt_metric(i - 1, "rpc_count", "RPCs handled");
	}
	rc = crt_self_uri_get(0, &dss_uri);
	if (rc != 0)
		goto out_ctx;

	/* modules: init, per-xstream storage, protocols */
	rc = dss_call_on_sys(dss_modules_init_ult);
	if (rc != 0)
		goto out_ctx;
	rc = ult_collective(0, dss_xs_nr, dss_xs_setup, NULL, NULL, 0, NULL);
	if (rc != 0)
		goto out_tls;
	rc = dss_module_proto_register_all();
	/* self_test talks to the engine's contexts like to crt_test_server's; SHUTDOWN is a no-op */
	if (rc == 0)
		rc = st_proto_register(true, NULL);
	if (rc != 0)
		goto out_tls;
	for (i = 0; i < dss_xs_nr; i++) {
		struct dss_xstream *dx = &dss_xstreams[i];

		if (crt_context_get_wait_fd(dx->dx_ctx, &fd) != 0)
			fd = -1; /* shm: no wait object, the xstream polls with a short cap */
		rc = ult_poller_register(i, dss_ctx_poll, dx, fd, &dx->dx_poller);
		if (rc != 0)
			goto out_pollers;
		dx->dx_timerfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
		if (dx->dx_timerfd < 0) {
			rc = d_errno2der(errno);
			goto out_pollers;
		}
		rc = ult_poller_register(i, dss_timer_poll, dx, dx->dx_timerfd, &dx->dx_tpoller);
		if (rc != 0)
			goto out_pollers;
	}
	rc = dss_call_on_sys(dss_modules_setup_ult);
	if (rc != 0)
		goto out_pollers;
	D_INFO("engine up: %d targets, uri %s\n", cfg->sc_targets, dss_uri);
	return 0;

out_pollers:
	dss_pollers_stop();
out_tls:
	ult_collective(0, dss_xs_nr, dss_xs_teardown, NULL, NULL, 0, NULL);
	dss_module_fini_all();
	st_proto_fini();
out_ctx:
	for (i = dss_xs_nr - 1; i >= 0; i--)
		if (dss_xstreams[i].dx_ctx != NULL)
			crt_context_destroy(dss_xstreams[i].dx_ctx, 1);
	D_FREE(dss_xstreams);
	free(dss_uri);
	dss_uri = NULL;
out_crt:
	crt_finalize();
out_ult:
	ult_fini();
	return rc;
}

void
dss_srv_fini(void)
{
	int i, n;

	/* stop accepting: new RPCs are answered with -DER_SHUTDOWN */
	__atomic_store_n(&dss_shutting_down, true, __ATOMIC_RELEASE);
	if (!dss_engine_stopped()) {
		dss_keep_mod = -1;
		dss_call_on_sys(dss_modules_cleanup_ult);
	} else {
		dss_call_on_sys(dss_modules_cleanup_kept_ult);
	}
	/* drain the handlers still running (bounded) */
	for (i = 0; i < 500; i++) {
		n = __atomic_load_n(&dss_handlers_running, __ATOMIC_ACQUIRE);
		if (n == 0)
			break;
		usleep(10 * 1000);
	}
	if (n != 0)
		D_WARN("%d RPC handlers still running at shutdown\n", n);
	/* let the replies of the last handlers leave before the pollers stop */
	usleep(50 * 1000);
	dss_pollers_stop();
	ult_collective(0, dss_xs_nr, dss_xs_teardown, NULL, NULL, 0, NULL);
	dss_module_fini_all();
	st_proto_fini();
	for (i = dss_xs_nr - 1; i >= 0; i--)
		crt_context_destroy(dss_xstreams[i].dx_ctx, 1);
	D_FREE(dss_xstreams);
	free(dss_uri);
	dss_uri = NULL;
	crt_finalize();
	n = ult_fini();
	if (n > 0)
		D_WARN("%d ULTs abandoned at shutdown\n", n);
}
