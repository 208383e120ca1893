/**
 * The engine's interface for server modules (DAOS's daos_srv/daos_engine.h):
 * the module descriptor the engine loads, per-xstream module storage (TLS),
 * ULT creation on a chosen xstream, collectives over the target xstreams,
 * and the engine's configuration.
 *
 * xstream layout: xstream 0 is the system xstream (management, metadata
 * services, rdb), xstreams 1..dss_tgt_nr are the targets (target i runs on
 * xstream i + 1). Each xstream progresses its own CaRT context; context 0
 * (system xstream) is the one dmg and clients reach on the configured port.
 */
#ifndef __DAOS_SRV_DAOS_ENGINE_H__
#define __DAOS_SRV_DAOS_ENGINE_H__

#include <stdbool.h>
#include <stdint.h>
#include <daos/rpc.h>
#include <daos_srv/ult.h>

#if defined(__cplusplus)
extern "C" {
#endif

/** Which xstreams a module key (TLS value) exists on. */
enum dss_module_tag {
	DAOS_SYS_TAG = 1 << 0,  /* system xstream */
	DAOS_TGT_TAG = 1 << 1,  /* target xstreams */
	DAOS_RDB_TAG = 1 << 2,  /* rdb (here: the system xstream) */
	DAOS_OFF_TAG = 1 << 3,  /* helper xstreams (none yet) */
	DAOS_SERVER_TAG = 0xff, /* all of them */
};

/** Most module keys a process may register. */
#define DAOS_MODULE_KEYS_NR 16

/** A per-xstream value of a module: created on every xstream matching dmk_tags. */
struct dss_module_key {
	enum dss_module_tag dmk_tags;
	/** assigned at registration */
	int dmk_index;
	void *(*dmk_init)(int tags, int xs_id, int tgt_id);
	void (*dmk_fini)(int tags, void *data);
};

struct dss_thread_local_storage {
	uint32_t dtls_tag;
	void **dtls_values;
};

/** The calling xstream's storage; NULL outside an engine xstream. */
struct dss_thread_local_storage *dss_tls_get(void);

static inline void *
dss_module_key_get(struct dss_thread_local_storage *dtls, struct dss_module_key *key)
{
	if (dtls == NULL || key->dmk_index < 0 || key->dmk_index >= DAOS_MODULE_KEYS_NR)
		return NULL;
	return dtls->dtls_values[key->dmk_index];
}

/** What every ULT may ask about the xstream it runs on. */
struct dss_module_info {
	crt_context_t dmi_ctx;
	/** xstream index: 0 system, 1.. targets */
	int dmi_xs_id;
	/** target index, -1 on the system xstream */
	int dmi_tgt_id;
	/** CaRT context index (= dmi_xs_id) */
	int dmi_ctx_id;
};

/** Info of the calling xstream; NULL outside an engine xstream. */
struct dss_module_info *dss_get_module_info(void);

/**
 * A server module. The engine calls sm_init once (system xstream, in
 * registration order), creates sm_key on every xstream, registers the
 * protocols, then calls sm_setup once everything is up; at shutdown
 * sm_cleanup (reverse order), then sm_fini. Handlers run as ULTs on the
 * xstream whose context received the RPC.
 */
struct dss_module {
	const char *sm_name;
	/** enum daos_module_id */
	int sm_mod_id;
	int sm_ver;
	/** DAOS's feature bits; unused here */
	uint64_t sm_facs;
	struct dss_module_key *sm_key;
	int (*sm_init)(void);
	int (*sm_fini)(void);
	int (*sm_setup)(void);
	int (*sm_cleanup)(void);
	/** number of protocols in sm_proto_fmt (DAOS: client-facing, server-to-server) */
	int sm_proto_count;
	struct crt_proto_format **sm_proto_fmt;
	/** per protocol: handler table in cpf_prf order (NULL: use each prf_hdlr as is) */
	uint32_t *sm_cli_count;
	struct daos_rpc_handler **sm_handlers;
};

/** Register a module before dss_module_load_all() (pdaos: modules are linked in). */
int dss_module_register(struct dss_module *module);

/** Registered module with that id, or NULL. */
struct dss_module *dss_module_get(int mod_id);

/* xstream selectors of dss_ult_create() */
enum {
	DSS_XS_SELF = -1,   /* the caller's xstream */
	DSS_XS_SYS = 0,     /* system xstream */
	DSS_XS_SWIM = 1,    /* here: the system xstream */
	DSS_XS_VOS = 2,     /* target \a tgt_idx's xstream */
	DSS_XS_OFFLOAD = 3, /* here: target \a tgt_idx's xstream */
	DSS_XS_IOFW = 4,    /* here: target \a tgt_idx's xstream */
	DSS_XS_DRPC = 5,    /* here: the system xstream */
};

/** Number of targets (target xstreams) of this engine. */
extern unsigned int dss_tgt_nr;
/** Number of system xstreams (1). */
extern unsigned int dss_sys_xs_nr;
/** Directory of the engine's metadata (the first storage tier's scm_mount). */
extern const char *dss_storage_path;

/** xstream index of target \a tgt_id. */
static inline int
dss_tgt2xs(int tgt_id)
{
	return tgt_id + 1;
}

/**
 * Create a ULT running \a func(\a arg) on the xstream \a xs_type selects
 * (DSS_XS_*; \a tgt_idx for the target ones). \a ult as in ult_create().
 */
int dss_ult_create(void (*func)(void *), void *arg, int xs_type, int tgt_idx, size_t stack_size,
		   struct ult **ult);

/** Sleep the calling ULT \a ms milliseconds. */
void dss_sleep(uint64_t ms);

/** Flags of the collectives. */
#define DSS_ULT_FL_PERIODIC (1U << 0)
#define DSS_USE_CURRENT_ULT (1U << 1)

/**
 * Run \a func(\a arg) on every target xstream as a ULT and wait for all.
 * \return 0 when every call returned 0, else the first (lowest target) error.
 */
int dss_thread_collective(int (*func)(void *), void *arg, unsigned int flags);
/** Same as dss_thread_collective() (DAOS distinguishes tasklets; here both are ULTs). */
int dss_task_collective(int (*func)(void *), void *arg, unsigned int flags);

/** Rank of this engine in the system, CRT_NO_RANK before it joined. */
d_rank_t dss_self_rank(void);

/* ---- engine configuration (pdaos) ---- */

/** One parsed daos_server.yml (or the built-in default). */
struct dss_srv_config {
	char *sc_sys_name;       /* name */
	int sc_port;             /* port: context 0 (dmg and clients) */
	char *sc_provider;       /* provider, DAOS spelling ("ofi+tcp;ofi_rxm") */
	char **sc_access_points; /* "host:port" */
	int sc_nr_access_points;
	int sc_telemetry_port; /* 0: no /metrics endpoint */
	char *sc_fault_domain; /* fault_path, default "/<hostname>" */
	char *sc_control_log_mask;
	/* the engine (engines[0]) */
	int sc_targets;
	int sc_nr_xs_helpers;
	char *sc_fabric_iface;    /* interface name or IPv4 address */
	int sc_fabric_iface_port; /* first port of the target contexts */
	char *sc_log_file;
	char *sc_log_mask;
	char **sc_env_vars; /* "NAME=value" */
	int sc_nr_env_vars;
	/* storage */
	char *sc_scm_class;    /* "ram" or "dcpm" */
	char *sc_scm_mount;    /* metadata heaps and logs */
	uint64_t sc_scm_size;  /* bytes, 0 = unlimited */
	char *sc_bdev_class;   /* "file" or NULL */
	char *sc_bdev_path;    /* data blobs (scm_mount when no second tier) */
	uint64_t sc_bdev_size; /* bytes, 0 = unlimited */
	char *sc_config_path;  /* file it came from, NULL for the default */
};

/** The running engine's configuration. */
const struct dss_srv_config *dss_srv_config_get(void);

/** Listen address ("ofi+tcp;ofi_rxm://127.0.0.1:10001") of context 0 of this engine. */
const char *dss_self_uri(void);

/**
 * Stop (\a stop) or restart the engine's services for `dmg system stop/start`:
 * sm_cleanup / sm_setup of every module but \a keep_mod_id; while stopped, RPCs
 * of other modules are refused with -DER_SHUTDOWN.
 */
int dss_engine_services(bool stop, int keep_mod_id);

/** Whether dss_engine_services() stopped the services. */
bool dss_engine_stopped(void);

/** Ask the engine to shut down (as SIGTERM does). */
void dss_engine_shutdown(void);

/** Per-target counter \a name ("target/tgt_<id>/<name>") for storage layers' metrics. */
struct d_tm_node_t *dss_tgt_metric(int tgt_id, const char *name, const char *desc);

#if defined(__cplusplus)
}
#endif

#endif /* __DAOS_SRV_DAOS_ENGINE_H__ */
