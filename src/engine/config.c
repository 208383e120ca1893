/**
 * daos_server.yml: DAOS's key names, parsed with libyaml's document API so
 * every error can name the key and its line. Keys DAOS has that mean nothing
 * here (hugepages, VFIO, core pinning ...) are accepted and ignored; keys
 * DAOS does not have are errors.
 */
#define D_LOGFAC DD_FAC(server)

#include <errno.h>
#include <limits.h>
#include <unistd.h>
#include <yaml.h>
#include <gurt/common.h>
#include "srv_internal.h"

#define GIB (1024ULL * 1024 * 1024)

struct cfg_parser {
	yaml_document_t doc;
	const char *path;
	FILE *err;
	struct dss_srv_config *cfg;
};

static int cfg_error(struct cfg_parser *p, yaml_node_t *node, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int
cfg_error(struct cfg_parser *p, yaml_node_t *node, const char *fmt, ...)
{
	va_list ap;

	fprintf(p->err, "%s:%lu: ", p->path, node ? (unsigned long)node->start_mark.line + 1 : 0UL);
	va_start(ap, fmt);
	vfprintf(p->err, fmt, ap);
	va_end(ap);
	fprintf(p->err, "\n");
	return -DER_INVAL;
}

static yaml_node_t *
cfg_node(struct cfg_parser *p, int id)
{
	return yaml_document_get_node(&p->doc, id);
}

static int
cfg_str(struct cfg_parser *p, const char *key, yaml_node_t *v, char **out)
{
	char *s;

	if (v->type != YAML_SCALAR_NODE)
		return cfg_error(p, v, "%s: expected a string", key);
	D_STRNDUP(s, (char *)v->data.scalar.value, v->data.scalar.length);
	if (s == NULL)
		return -DER_NOMEM;
	D_FREE(*out);
	*out = s;
	return 0;
}

static int
cfg_int(struct cfg_parser *p, const char *key, yaml_node_t *v, long min, long max, long *out)
{
	const char *s = (const char *)v->data.scalar.value;
	char *end;
	long val;

	if (v->type != YAML_SCALAR_NODE)
		return cfg_error(p, v, "%s: expected an integer", key);
	errno = 0;
	val = strtol(s, &end, 0);
	if (*s == '\0' || *end != '\0' || errno != 0)
		return cfg_error(p, v, "%s: \"%s\" is not an integer", key, s);
	if (val < min || val > max)
		return cfg_error(p, v, "%s: %ld is out of range [%ld, %ld]", key, val, min, max);
	*out = val;
	return 0;
}

static int
cfg_bool(struct cfg_parser *p, const char *key, yaml_node_t *v)
{
	const char *s = (const char *)v->data.scalar.value;

	if (v->type != YAML_SCALAR_NODE || (strcasecmp(s, "true") && strcasecmp(s, "false") &&
					    strcasecmp(s, "yes") && strcasecmp(s, "no")))
		return cfg_error(p, v, "%s: expected true or false", key);
	return 0;
}

/* A sequence of strings (a single scalar is taken as a one-item list, as DAOS does). */
static int
cfg_str_list(struct cfg_parser *p, const char *key, yaml_node_t *v, char ***out, int *nr)
{
	yaml_node_item_t *it;
	char **list = NULL;
	int n = 0, rc;

	if (v->type == YAML_SCALAR_NODE) {
		D_ALLOC_ARRAY(list, 1);
		if (list == NULL)
			return -DER_NOMEM;
		rc = cfg_str(p, key, v, &list[0]);
		if (rc != 0) {
			D_FREE(list);
			return rc;
		}
		n = 1;
		goto done;
	}
	if (v->type != YAML_SEQUENCE_NODE)
		return cfg_error(p, v, "%s: expected a list of strings", key);
	D_ALLOC_ARRAY(list, v->data.sequence.items.top - v->data.sequence.items.start + 1);
	if (list == NULL)
		return -DER_NOMEM;
	for (it = v->data.sequence.items.start; it < v->data.sequence.items.top; it++) {
		rc = cfg_str(p, key, cfg_node(p, *it), &list[n]);
		if (rc != 0) {
			while (n-- > 0)
				D_FREE(list[n]);
			D_FREE(list);
			return rc;
		}
		n++;
	}
done:
	while (*nr > 0) {
		(*nr)--;
		D_FREE((*out)[*nr]);
	}
	D_FREE(*out);
	*out = list;
	*nr = n;
	return 0;
}

/* DAOS keys with no meaning in pdaos: accepted so DAOS configs load unchanged. */
static const char *const ignored_top[] = {
	"control_log_file", "helper_log_file",      "socket_dir",
	"nr_hugepages",     "system_ram_reserved",  "disable_vfio",
	"disable_vmd",      "disable_hotplug",      "enable_hotplug",
	"hyperthreads",     "core_dump_filter",     "transport_config",
	"fault_cb",         "bdev_exclude",         "bdev_include",
	"support_config",   "crt_timeout",          "client_env_vars",
	"disable_vmd",      "allow_numa_imbalance", "control_metadata",
	"telemetry_config", "hugepages_disabled",   NULL};
static const char *const ignored_engine[] = {"first_core",
					     "pinned_numa_node",
					     "bypass_health_chk",
					     "crt_ctx_share_addr",
					     "crt_timeout",
					     "fabric_auth_key",
					     "fabric_iface_port_range",
					     "storage_class",
					     "spdk_rpc_server",
					     NULL};
static const char *const ignored_storage[] = {"scm_list", "bdev_roles", "scm_hugepages_disabled",
					      "bdev_busid_range", NULL};

static bool
in_list(const char *const *list, const char *key)
{
	for (; *list != NULL; list++)
		if (strcmp(*list, key) == 0)
			return true;
	return false;
}

static int
cfg_size_gib(struct cfg_parser *p, const char *key, yaml_node_t *v, uint64_t *out)
{
	long gib;
	int rc;

	rc = cfg_int(p, key, v, 0, 1L << 20, &gib);
	if (rc == 0)
		*out = (uint64_t)gib * GIB;
	return rc;
}

static int
cfg_storage(struct cfg_parser *p, yaml_node_t *seq)
{
	struct dss_srv_config *cfg = p->cfg;
	yaml_node_item_t *it;
	int tier = 0, rc;

	if (seq->type != YAML_SEQUENCE_NODE)
		return cfg_error(p, seq, "storage: expected a list of tiers");
	for (it = seq->data.sequence.items.start; it < seq->data.sequence.items.top; it++, tier++) {
		yaml_node_t *m = cfg_node(p, *it);
		yaml_node_pair_t *pair;
		char *cls = NULL, *mount = NULL;
		char **bdevs = NULL;
		int nr_bdevs = 0;
		uint64_t size = 0;
		bool have_size = false;

		if (m->type != YAML_MAPPING_NODE)
			return cfg_error(p, m, "storage[%d]: expected a mapping", tier);
		if (tier >= 2)
			return cfg_error(p, m, "storage: at most two tiers (ram/dcpm, then file)");
		rc = 0;
		for (pair = m->data.mapping.pairs.start;
		     pair < m->data.mapping.pairs.top && rc == 0; pair++) {
			yaml_node_t *k = cfg_node(p, pair->key), *v = cfg_node(p, pair->value);
			const char *key = (const char *)k->data.scalar.value;

			if (strcmp(key, "class") == 0)
				rc = cfg_str(p, key, v, &cls);
			else if (strcmp(key, "scm_mount") == 0)
				rc = cfg_str(p, key, v, &mount);
			else if (strcmp(key, "scm_size") == 0 || strcmp(key, "bdev_size") == 0) {
				rc = cfg_size_gib(p, key, v, &size);
				have_size = true;
			} else if (strcmp(key, "bdev_list") == 0)
				rc = cfg_str_list(p, key, v, &bdevs, &nr_bdevs);
			else if (!in_list(ignored_storage, key))
				rc = cfg_error(p, k, "unknown key \"%s\" in storage[%d]", key,
					       tier);
		}
		if (rc == 0 && cls == NULL)
			rc = cfg_error(p, m, "storage[%d]: \"class\" is missing", tier);
		if (rc == 0 && tier == 0) {
			if (strcmp(cls, "ram") != 0 && strcmp(cls, "dcpm") != 0)
				rc = cfg_error(p, m,
					       "storage[0]: class \"%s\": the first tier must be "
					       "\"ram\" or \"dcpm\"",
					       cls);
			else if (mount == NULL || mount[0] != '/')
				rc = cfg_error(
					p, m, "storage[0]: \"scm_mount\" must be an absolute path");
			else if (nr_bdevs > 0)
				rc = cfg_error(p, m,
					       "storage[0]: bdev_list belongs to a \"file\" tier");
			if (rc == 0) {
				D_FREE(cfg->sc_scm_class);
				D_FREE(cfg->sc_scm_mount);
				cfg->sc_scm_class = cls;
				cfg->sc_scm_mount = mount;
				cls = mount = NULL;
				if (have_size)
					cfg->sc_scm_size = size;
			}
		} else if (rc == 0) {
			if (strcmp(cls, "file") != 0)
				rc = cfg_error(
					p, m,
					"storage[1]: class \"%s\" is not supported: use \"file\" "
					"(a directory or file holding the data blobs)",
					cls);
			else if (nr_bdevs != 1 || bdevs[0][0] != '/')
				rc = cfg_error(p, m,
					       "storage[1]: bdev_list must hold one absolute path");
			else if (mount != NULL)
				rc = cfg_error(p, m,
					       "storage[1]: scm_mount belongs to the first tier");
			if (rc == 0) {
				D_FREE(cfg->sc_bdev_class);
				D_FREE(cfg->sc_bdev_path);
				cfg->sc_bdev_class = cls;
				cfg->sc_bdev_path = bdevs[0];
				bdevs[0] = NULL;
				cls = NULL;
				if (have_size)
					cfg->sc_bdev_size = size;
			}
		}
		D_FREE(cls);
		D_FREE(mount);
		while (nr_bdevs > 0) {
			nr_bdevs--;
			D_FREE(bdevs[nr_bdevs]);
		}
		D_FREE(bdevs);
		if (rc != 0)
			return rc;
	}
	if (tier == 0)
		return cfg_error(p, seq, "storage: no tier given");
	if (tier == 1) {
		/* no second tier: the data blobs live next to the metadata */
		D_FREE(cfg->sc_bdev_class);
		D_FREE(cfg->sc_bdev_path);
		D_STRNDUP(cfg->sc_bdev_path, cfg->sc_scm_mount, PATH_MAX);
		if (cfg->sc_bdev_path == NULL)
			return -DER_NOMEM;
		cfg->sc_bdev_size = 0;
	}
	return 0;
}

static int
cfg_engine(struct cfg_parser *p, yaml_node_t *m)
{
	struct dss_srv_config *cfg = p->cfg;
	yaml_node_pair_t *pair;
	long v;
	int rc = 0;

	if (m->type != YAML_MAPPING_NODE)
		return cfg_error(p, m, "engines[0]: expected a mapping");
	for (pair = m->data.mapping.pairs.start; pair < m->data.mapping.pairs.top && rc == 0;
	     pair++) {
		yaml_node_t *k = cfg_node(p, pair->key), *val = cfg_node(p, pair->value);
		const char *key = (const char *)k->data.scalar.value;

		if (strcmp(key, "targets") == 0) {
			rc = cfg_int(p, key, val, 1, DSS_MAX_TARGETS, &v);
			cfg->sc_targets = (int)v;
		} else if (strcmp(key, "nr_xs_helpers") == 0) {
			rc = cfg_int(p, key, val, 0, DSS_MAX_TARGETS, &v);
			cfg->sc_nr_xs_helpers = (int)v;
		} else if (strcmp(key, "fabric_iface") == 0) {
			rc = cfg_str(p, key, val, &cfg->sc_fabric_iface);
		} else if (strcmp(key, "fabric_iface_port") == 0) {
			rc = cfg_int(p, key, val, 1, 65535 - DSS_MAX_TARGETS, &v);
			cfg->sc_fabric_iface_port = (int)v;
		} else if (strcmp(key, "log_file") == 0) {
			rc = cfg_str(p, key, val, &cfg->sc_log_file);
		} else if (strcmp(key, "log_mask") == 0) {
			rc = cfg_str(p, key, val, &cfg->sc_log_mask);
		} else if (strcmp(key, "env_vars") == 0) {
			rc = cfg_str_list(p, key, val, &cfg->sc_env_vars, &cfg->sc_nr_env_vars);
			for (v = 0; rc == 0 && v < cfg->sc_nr_env_vars; v++)
				if (strchr(cfg->sc_env_vars[v], '=') == NULL ||
				    cfg->sc_env_vars[v][0] == '=')
					rc = cfg_error(p, val, "env_vars: \"%s\" is not NAME=value",
						       cfg->sc_env_vars[v]);
		} else if (strcmp(key, "storage") == 0) {
			rc = cfg_storage(p, val);
		} else if (strcmp(key, "provider") == 0) {
			rc = cfg_str(p, key, val, &cfg->sc_provider);
		} else if (!in_list(ignored_engine, key)) {
			rc = cfg_error(p, k, "unknown key \"%s\" in engines[0]", key);
		}
	}
	return rc;
}

static int
cfg_top(struct cfg_parser *p, yaml_node_t *root)
{
	struct dss_srv_config *cfg = p->cfg;
	yaml_node_pair_t *pair;
	long v;
	int rc = 0;

	if (root == NULL)
		return cfg_error(p, NULL, "empty configuration");
	if (root->type != YAML_MAPPING_NODE)
		return cfg_error(p, root, "expected a mapping of keys at the top level");
	for (pair = root->data.mapping.pairs.start; pair < root->data.mapping.pairs.top && rc == 0;
	     pair++) {
		yaml_node_t *k = cfg_node(p, pair->key), *val = cfg_node(p, pair->value);
		const char *key = (const char *)k->data.scalar.value;

		if (k->type != YAML_SCALAR_NODE) {
			rc = cfg_error(p, k, "keys must be strings");
		} else if (strcmp(key, "name") == 0) {
			rc = cfg_str(p, key, val, &cfg->sc_sys_name);
			if (rc == 0 && (cfg->sc_sys_name[0] == '\0' ||
					strlen(cfg->sc_sys_name) >= CRT_GROUP_ID_MAX_LEN ||
					strpbrk(cfg->sc_sys_name, " /\t") != NULL))
				rc = cfg_error(p, val,
					       "name: \"%s\" must be 1 to %d characters, no spaces "
					       "or '/'",
					       cfg->sc_sys_name, CRT_GROUP_ID_MAX_LEN - 1);
		} else if (strcmp(key, "port") == 0) {
			rc = cfg_int(p, key, val, 1, 65535, &v);
			cfg->sc_port = (int)v;
		} else if (strcmp(key, "access_points") == 0 ||
			   strcmp(key, "mgmt_svc_replicas") == 0) {
			rc = cfg_str_list(p, key, val, &cfg->sc_access_points,
					  &cfg->sc_nr_access_points);
			if (rc == 0 && cfg->sc_nr_access_points == 0)
				rc = cfg_error(p, val, "%s: at least one entry is needed", key);
		} else if (strcmp(key, "provider") == 0) {
			rc = cfg_str(p, key, val, &cfg->sc_provider);
			if (rc == 0 && strncmp(cfg->sc_provider, "ofi+", 4) != 0)
				rc = cfg_error(
					p, val,
					"provider: \"%s\" is not one of ofi+tcp;ofi_rxm, ofi+tcp, "
					"ofi+verbs;ofi_rxm",
					cfg->sc_provider);
		} else if (strcmp(key, "telemetry_port") == 0) {
			rc = cfg_int(p, key, val, 0, 65535, &v);
			cfg->sc_telemetry_port = (int)v;
		} else if (strcmp(key, "fault_path") == 0) {
			rc = cfg_str(p, key, val, &cfg->sc_fault_domain);
			if (rc == 0 && cfg->sc_fault_domain[0] != '/')
				rc = cfg_error(p, val, "fault_path: \"%s\" must start with '/'",
					       cfg->sc_fault_domain);
		} else if (strcmp(key, "control_log_mask") == 0) {
			rc = cfg_str(p, key, val, &cfg->sc_control_log_mask);
		} else if (strcmp(key, "engines") == 0) {
			if (val->type != YAML_SEQUENCE_NODE)
				rc = cfg_error(p, val, "engines: expected a list");
			else if (val->data.sequence.items.top - val->data.sequence.items.start != 1)
				rc = cfg_error(
					p, val,
					"engines: exactly one engine per daos_server process "
					"(run one daos_server per engine)");
			else
				rc = cfg_engine(p, cfg_node(p, *val->data.sequence.items.start));
		} else if (in_list(ignored_top, key)) {
			if (strncmp(key, "disable_", 8) == 0)
				rc = cfg_bool(p, key, val);
		} else {
			rc = cfg_error(p, k, "unknown key \"%s\"", key);
		}
	}
	return rc;
}

static char *
cfg_strdup(const char *s)
{
	char *d;

	D_STRNDUP(d, s, strlen(s));
	return d;
}

void
dss_config_default(struct dss_srv_config *cfg, const char *storage_dir)
{
	char host[256] = "localhost", buf[PATH_MAX + 16];

	memset(cfg, 0, sizeof(*cfg));
	if (storage_dir == NULL)
		storage_dir = DSS_DEFAULT_STORAGE_DIR;
	cfg->sc_sys_name = cfg_strdup(DSS_DEFAULT_SYS_NAME);
	cfg->sc_port = DSS_DEFAULT_PORT;
	cfg->sc_provider = cfg_strdup(DSS_DEFAULT_PROVIDER);
	gethostname(host, sizeof(host) - 1);
	snprintf(buf, sizeof(buf), "/%s", host);
	cfg->sc_fault_domain = cfg_strdup(buf);
	cfg->sc_targets = DSS_DEFAULT_TARGETS;
	cfg->sc_fabric_iface = cfg_strdup("127.0.0.1");
	cfg->sc_scm_class = cfg_strdup("ram");
	snprintf(buf, sizeof(buf), "%s/scm", storage_dir);
	cfg->sc_scm_mount = cfg_strdup(buf);
	cfg->sc_bdev_class = cfg_strdup("file");
	snprintf(buf, sizeof(buf), "%s/bdev", storage_dir);
	cfg->sc_bdev_path = cfg_strdup(buf);
}

/* Fill what the file left out and check what depends on several keys. */
static int
cfg_finish(struct dss_srv_config *cfg, const char *path, FILE *err)
{
	char buf[64];

	if (cfg->sc_nr_access_points == 0) {
		D_ALLOC_ARRAY(cfg->sc_access_points, 1);
		if (cfg->sc_access_points == NULL)
			return -DER_NOMEM;
		snprintf(buf, sizeof(buf), "127.0.0.1:%d", cfg->sc_port);
		cfg->sc_access_points[0] = cfg_strdup(buf);
		if (cfg->sc_access_points[0] == NULL)
			return -DER_NOMEM;
		cfg->sc_nr_access_points = 1;
	}
	if (cfg->sc_fabric_iface_port == 0)
		cfg->sc_fabric_iface_port = cfg->sc_port + 1;
	if (cfg->sc_port >= cfg->sc_fabric_iface_port &&
	    cfg->sc_port < cfg->sc_fabric_iface_port + cfg->sc_targets) {
		fprintf(err,
			"%s: port %d collides with the target ports fabric_iface_port %d .. %d\n",
			path ? path : "default", cfg->sc_port, cfg->sc_fabric_iface_port,
			cfg->sc_fabric_iface_port + cfg->sc_targets - 1);
		return -DER_INVAL;
	}
	if (cfg->sc_telemetry_port != 0 &&
	    (cfg->sc_telemetry_port == cfg->sc_port ||
	     (cfg->sc_telemetry_port >= cfg->sc_fabric_iface_port &&
	      cfg->sc_telemetry_port < cfg->sc_fabric_iface_port + cfg->sc_targets))) {
		fprintf(err, "%s: telemetry_port %d collides with a fabric port\n",
			path ? path : "default", cfg->sc_telemetry_port);
		return -DER_INVAL;
	}
	return 0;
}

int
dss_config_load(const char *path, const char *storage_dir, struct dss_srv_config *cfg,
		FILE *err_out)
{
	struct cfg_parser p = {.path = path, .err = err_out, .cfg = cfg};
	yaml_parser_t parser;
	FILE *f;
	int rc;

	dss_config_default(cfg, storage_dir);
	if (path == NULL)
		return cfg_finish(cfg, NULL, err_out);
	D_FREE(cfg->sc_fabric_iface);
	cfg->sc_config_path = cfg_strdup(path);
	f = fopen(path, "r");
	if (f == NULL) {
		fprintf(err_out, "%s: cannot open: %s\n", path, strerror(errno));
		return -DER_NONEXIST;
	}
	yaml_parser_initialize(&parser);
	yaml_parser_set_input_file(&parser, f);
	if (!yaml_parser_load(&parser, &p.doc)) {
		fprintf(err_out, "%s:%lu: YAML syntax error: %s\n", path,
			(unsigned long)parser.problem_mark.line + 1,
			parser.problem ? parser.problem : "unknown");
		yaml_parser_delete(&parser);
		fclose(f);
		return -DER_INVAL;
	}
	rc = cfg_top(&p, yaml_document_get_root_node(&p.doc));
	yaml_document_delete(&p.doc);
	yaml_parser_delete(&parser);
	fclose(f);
	if (rc == 0 && cfg->sc_fabric_iface == NULL)
		cfg->sc_fabric_iface = cfg_strdup("127.0.0.1");
	if (rc == 0)
		rc = cfg_finish(cfg, path, err_out);
	return rc;
}

void
dss_config_fini(struct dss_srv_config *cfg)
{
	int i;

	for (i = 0; i < cfg->sc_nr_access_points; i++)
		D_FREE(cfg->sc_access_points[i]);
	D_FREE(cfg->sc_access_points);
	for (i = 0; i < cfg->sc_nr_env_vars; i++)
		D_FREE(cfg->sc_env_vars[i]);
	D_FREE(cfg->sc_env_vars);
	D_FREE(cfg->sc_sys_name);
	D_FREE(cfg->sc_provider);
	D_FREE(cfg->sc_fault_domain);
	D_FREE(cfg->sc_control_log_mask);
	D_FREE(cfg->sc_fabric_iface);
	D_FREE(cfg->sc_log_file);
	D_FREE(cfg->sc_log_mask);
	D_FREE(cfg->sc_scm_class);
	D_FREE(cfg->sc_scm_mount);
	D_FREE(cfg->sc_bdev_class);
	D_FREE(cfg->sc_bdev_path);
	D_FREE(cfg->sc_config_path);
	memset(cfg, 0, sizeof(*cfg));
}

void
dss_config_print(const struct dss_srv_config *cfg, FILE *out)
{
	fprintf(out,
		"system %s, port %d, provider %s, interface %s, targets %d (ports %d..%d), "
		"metadata %s, data %s, telemetry %d, config %s\n",
		cfg->sc_sys_name, cfg->sc_port, cfg->sc_provider, cfg->sc_fabric_iface,
		cfg->sc_targets, cfg->sc_fabric_iface_port,
		cfg->sc_fabric_iface_port + cfg->sc_targets - 1, cfg->sc_scm_mount,
		cfg->sc_bdev_path, cfg->sc_telemetry_port,
		cfg->sc_config_path ? cfg->sc_config_path : "(built-in default)");
}
