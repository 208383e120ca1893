/**
 * daos_server: `daos_server start [-o daos_server.yml] [--storage DIR]`.
 * Loads the configuration, prepares the storage directories, starts the
 * engine (xstreams, CaRT contexts, modules) and the metrics endpoint, and
 * runs in the foreground until SIGTERM or SIGINT.
 */
#define D_LOGFAC DD_FAC(server)

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>
#include <gurt/common.h>
#include <gurt/telemetry.h>
#include "srv_internal.h"

/*
 * Modules linked into daos_server, in DAOS's load order. A module library
 * defines its descriptor; weak references let the engine build without the
 * modules that do not exist yet.
 */
#define DSS_BUILTIN_MODULES(X) \
	X(vos_srv_module)      \
	X(rdb_module)          \
	X(rsvc_module)         \
	X(security_module)     \
	X(mgmt_module)         \
	X(dtx_module)          \
	X(pool_module)         \
	X(cont_module)         \
	X(obj_module)          \
	X(rebuild_module)

#define DSS_MODULE_DECL(name) extern struct dss_module name __attribute__((weak));
DSS_BUILTIN_MODULES(DSS_MODULE_DECL)

static int
dss_register_builtin_modules(void)
{
	struct dss_module *mods[] = {
#define DSS_MODULE_ADDR(name) &name,
		DSS_BUILTIN_MODULES(DSS_MODULE_ADDR)};
	size_t i;
	int rc;

	for (i = 0; i < ARRAY_SIZE(mods); i++) {
		if (mods[i] == NULL)
			continue;
		rc = dss_module_register(mods[i]);
		if (rc != 0)
			return rc;
	}
	return 0;
}

static void
usage(FILE *out)
{
	fprintf(out, "Usage: daos_server start [-o|--config FILE] [--storage DIR]\n"
		     "\n"
		     "  -o, --config FILE  daos_server.yml (default: built-in single-node config)\n"
		     "  --storage DIR      storage of the built-in config or of a config without\n"
		     "                     storage entries (default " DSS_DEFAULT_STORAGE_DIR ")\n"
		     "  -i, --insecure     accepted for compatibility\n"
		     "\n"
		     "Runs in the foreground; SIGTERM or SIGINT stops it cleanly.\n");
}

static int
mkdir_p(const char *path)
{
	char buf[PATH_MAX];
	char *p;

	if (strlen(path) >= sizeof(buf))
		return -DER_INVAL;
	strcpy(buf, path);
	for (p = buf + 1; *p != '\0'; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, 0755) != 0 && errno != EEXIST)
			return d_errno2der(errno);
		*p = '/';
	}
	if (mkdir(buf, 0755) != 0 && errno != EEXIST)
		return d_errno2der(errno);
	return 0;
}

static int
prepare_storage(const struct dss_srv_config *cfg)
{
	struct stat st;
	int rc;

	rc = mkdir_p(cfg->sc_scm_mount);
	if (rc != 0) {
		fprintf(stderr, "daos_server: cannot create scm_mount %s: %s\n", cfg->sc_scm_mount,
			d_errdesc(rc));
		return rc;
	}
	/* bdev_list names a directory, or an existing file that holds the blobs */
	if (stat(cfg->sc_bdev_path, &st) == 0 && S_ISREG(st.st_mode))
		return 0;
	rc = mkdir_p(cfg->sc_bdev_path);
	if (rc != 0)
		fprintf(stderr, "daos_server: cannot create bdev directory %s: %s\n",
			cfg->sc_bdev_path, d_errdesc(rc));
	return rc;
}

int
main(int argc, char **argv)
{
	static struct option opts[] = {{"config", required_argument, NULL, 'o'},
				       {"storage", required_argument, NULL, 's'},
				       {"insecure", no_argument, NULL, 'i'},
				       {"help", no_argument, NULL, 'h'},
				       {NULL, 0, NULL, 0}};
	struct dss_srv_config cfg;
	const char *config = NULL, *storage = NULL;
	bool start = false;
	sigset_t sigs;
	int c, i, sig, rc;

	while ((c = getopt_long(argc, argv, "o:ih", opts, NULL)) != -1) {
		switch (c) {
		case 'o':
			config = optarg;
			break;
		case 's':
			storage = optarg;
			break;
		case 'i':
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	for (i = optind; i < argc; i++) {
		if (strcmp(argv[i], "start") == 0 && !start) {
			start = true;
		} else {
			fprintf(stderr, "daos_server: unknown command or argument \"%s\"\n",
				argv[i]);
			usage(stderr);
			return 2;
		}
	}
	if (!start) {
		usage(stderr);
		return 2;
	}
	if (storage != NULL && storage[0] != '/') {
		fprintf(stderr, "daos_server: --storage needs an absolute path\n");
		return 2;
	}

	rc = dss_config_load(config, storage, &cfg, stderr);
	if (rc != 0) {
		fprintf(stderr, "daos_server: configuration rejected: %s\n", d_errdesc(rc));
		dss_config_fini(&cfg);
		return 1;
	}
	/* the engine's environment first, so logging and CaRT see it */
	for (i = 0; i < cfg.sc_nr_env_vars; i++) {
		char *eq = strchr(cfg.sc_env_vars[i], '=');

		*eq = '\0';
		setenv(cfg.sc_env_vars[i], eq + 1, 1);
		*eq = '=';
	}
	if (cfg.sc_log_file != NULL)
		setenv("D_LOG_FILE", cfg.sc_log_file, 1);
	if (cfg.sc_log_mask != NULL)
		setenv("D_LOG_MASK", cfg.sc_log_mask, 1);
	rc = prepare_storage(&cfg);
	if (rc != 0)
		goto out_cfg;
	rc = d_log_init();
	if (rc != 0) {
		fprintf(stderr, "daos_server: logging: %s\n", d_errdesc(rc));
		goto out_cfg;
	}
	rc = d_tm_init(0, 0, D_TM_SERVER_PROCESS);
	if (rc != 0)
		goto out_log;

	/* every thread inherits the mask: only sigwait() below sees the signals */
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGTERM);
	sigaddset(&sigs, SIGINT);
	pthread_sigmask(SIG_BLOCK, &sigs, NULL);
	signal(SIGPIPE, SIG_IGN);

	rc = dss_register_builtin_modules();
	if (rc == 0)
		rc = dss_srv_init(&cfg);
	if (rc != 0) {
		fprintf(stderr, "daos_server: engine start failed: %s (%s)\n", d_errstr(rc),
			d_errdesc(rc));
		goto out_tm;
	}
	rc = dss_metrics_http_start(cfg.sc_fabric_iface[0] >= '0' && cfg.sc_fabric_iface[0] <= '9'
					    ? cfg.sc_fabric_iface
					    : "127.0.0.1",
				    cfg.sc_telemetry_port);
	if (rc != 0)
		fprintf(stderr, "daos_server: warning: no metrics endpoint on port %d: %s\n",
			cfg.sc_telemetry_port, d_errdesc(rc));
	printf("daos_server: %s started on %s (pid %d)\n", cfg.sc_sys_name, dss_self_uri(),
	       (int)getpid());
	dss_config_print(&cfg, stdout);
	fflush(stdout);

	do {
		rc = sigwait(&sigs, &sig);
	} while (rc != 0 && rc == EINTR);
	printf("daos_server: signal %d, shutting down\n", sig);
	fflush(stdout);
	D_INFO("signal %d: shutting down\n", sig);
	dss_metrics_http_stop();
	dss_srv_fini();
	printf("daos_server: stopped\n");
	rc = 0;
out_tm:
	d_tm_fini();
out_log:
	d_log_fini();
out_cfg:
	dss_config_fini(&cfg);
	return rc == 0 ? 0 : 1;
}
