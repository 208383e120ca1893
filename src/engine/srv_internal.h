/* Engine internals shared by the files of src/engine (not included from outside). */
#ifndef __ENGINE_SRV_INTERNAL_H__
#define __ENGINE_SRV_INTERNAL_H__

#include <stdio.h>
#include <daos_srv/daos_engine.h>

/* config.c */
#define DSS_DEFAULT_PORT        10001
#define DSS_DEFAULT_SYS_NAME    "daos_server"
#define DSS_DEFAULT_PROVIDER    "ofi+tcp;ofi_rxm"
#define DSS_DEFAULT_TARGETS     2
#define DSS_DEFAULT_STORAGE_DIR "/tmp/daos_server"
#define DSS_MAX_TARGETS         64

void dss_config_default(struct dss_srv_config *cfg, const char *storage_dir);
/* Parse \a path into \a cfg (defaults first); errors are printed to \a err_out. */
int dss_config_load(const char *path, const char *storage_dir, struct dss_srv_config *cfg,
		    FILE *err_out);
void dss_config_fini(struct dss_srv_config *cfg);
void dss_config_print(const struct dss_srv_config *cfg, FILE *out);

/* module.c */
int dss_module_init_all(void);
void dss_module_fini_all(void);
int dss_module_setup_all(int skip_mod_id);
void dss_module_cleanup_all(int skip_mod_id);
int dss_module_proto_register_all(void);
/* TLS of the calling xstream */
int dss_tls_init(int xs_id);
void dss_tls_fini(void);
extern int dss_module_nr_keys;

/* srv.c */
int dss_srv_init(const struct dss_srv_config *cfg);
void dss_srv_fini(void);
int dss_srv_wait(void);
/* Opcode name for metrics and logs: "<proto>_<index>". */
void dss_rpc_metrics_init(void);

/* telemetry.c */
int dss_metrics_http_start(const char *addr, int port);
void dss_metrics_http_stop(void);

#endif
