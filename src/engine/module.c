/**
 * Module registry: the engine's table of server modules (DAOS loads them as
 * shared objects; pdaos links them in and registers them at start), their
 * per-xstream storage (module keys), protocols and life cycle.
 */
#define D_LOGFAC DD_FAC(server)

#include <gurt/common.h>
#include "srv_internal.h"

static struct dss_module *dss_modules[DAOS_MAX_MODULE];
/* registration order: init and setup run in it, cleanup and fini in reverse */
static int dss_module_order[DAOS_MAX_MODULE];
static int dss_module_nr;
static bool dss_module_inited[DAOS_MAX_MODULE];

static struct dss_module_key *dss_module_keys[DAOS_MODULE_KEYS_NR];
int dss_module_nr_keys;

static __thread struct dss_thread_local_storage *dss_tls;
static __thread uint32_t dss_tls_tags;

int
dss_module_register(struct dss_module *module)
{
	if (module == NULL || module->sm_name == NULL || module->sm_mod_id < 0 ||
	    module->sm_mod_id >= DAOS_MAX_MODULE)
		return -DER_INVAL;
	if (dss_modules[module->sm_mod_id] != NULL) {
		D_ERROR("module id %d registered twice (%s, %s)\n", module->sm_mod_id,
			dss_modules[module->sm_mod_id]->sm_name, module->sm_name);
		return -DER_EXIST;
	}
	if (module->sm_key != NULL) {
		if (dss_module_nr_keys >= DAOS_MODULE_KEYS_NR)
			return -DER_NOSPACE;
		module->sm_key->dmk_index = dss_module_nr_keys;
		dss_module_keys[dss_module_nr_keys++] = module->sm_key;
	}
	dss_modules[module->sm_mod_id] = module;
	dss_module_order[dss_module_nr++] = module->sm_mod_id;
	D_INFO("module %s (id %d) registered\n", module->sm_name, module->sm_mod_id);
	return 0;
}

struct dss_module *
dss_module_get(int mod_id)
{
	if (mod_id < 0 || mod_id >= DAOS_MAX_MODULE)
		return NULL;
	return dss_modules[mod_id];
}

int
dss_module_init_all(void)
{
	int i, rc;

	for (i = 0; i < dss_module_nr; i++) {
		struct dss_module *m = dss_modules[dss_module_order[i]];

		rc = m->sm_init ? m->sm_init() : 0;
		if (rc != 0) {
			D_ERROR("module %s: init failed: " DF_RC "\n", m->sm_name, DP_RC(rc));
			dss_module_fini_all();
			return rc;
		}
		dss_module_inited[m->sm_mod_id] = true;
	}
	return 0;
}

void
dss_module_fini_all(void)
{
	int i;

	for (i = dss_module_nr - 1; i >= 0; i--) {
		struct dss_module *m = dss_modules[dss_module_order[i]];

		if (!dss_module_inited[m->sm_mod_id])
			continue;
		if (m->sm_fini)
			m->sm_fini();
		dss_module_inited[m->sm_mod_id] = false;
	}
}

/* Handlers given as a table (DAOS's sm_handlers) are copied into the formats. */
static int
dss_proto_fill(struct crt_proto_format *fmt, struct daos_rpc_handler *hdlrs, uint32_t nr)
{
	uint32_t i;

	if (hdlrs == NULL)
		return 0;
	if (nr != fmt->cpf_count) {
		D_ERROR("protocol %s: %u handlers for %u RPCs\n", fmt->cpf_name, nr,
			fmt->cpf_count);
		return -DER_INVAL;
	}
	for (i = 0; i < nr; i++) {
		fmt->cpf_prf[i].prf_hdlr = hdlrs[i].dr_hdlr;
		if (hdlrs[i].dr_corpc_ops != NULL)
			fmt->cpf_prf[i].prf_co_ops = hdlrs[i].dr_corpc_ops;
	}
	return 0;
}

int
dss_module_proto_register_all(void)
{
	int i, j, rc;

	for (i = 0; i < dss_module_nr; i++) {
		struct dss_module *m = dss_modules[dss_module_order[i]];

		for (j = 0; j < m->sm_proto_count; j++) {
			struct crt_proto_format *fmt = m->sm_proto_fmt[j];

			rc = dss_proto_fill(fmt, m->sm_handlers ? m->sm_handlers[j] : NULL,
					    m->sm_cli_count ? m->sm_cli_count[j] : fmt->cpf_count);
			if (rc == 0)
				rc = crt_proto_register(fmt);
			if (rc != 0) {
				D_ERROR("module %s: protocol %s: " DF_RC "\n", m->sm_name,
					fmt->cpf_name, DP_RC(rc));
				return rc;
			}
		}
	}
	return 0;
}

int
dss_module_setup_all(int skip_mod_id)
{
	int i, rc;

	for (i = 0; i < dss_module_nr; i++) {
		struct dss_module *m = dss_modules[dss_module_order[i]];

		if (m->sm_mod_id == skip_mod_id || m->sm_setup == NULL)
			continue;
		rc = m->sm_setup();
		if (rc != 0) {
			D_ERROR("module %s: setup failed: " DF_RC "\n", m->sm_name, DP_RC(rc));
			return rc;
		}
	}
	return 0;
}

void
dss_module_cleanup_all(int skip_mod_id)
{
	int i, rc;

	for (i = dss_module_nr - 1; i >= 0; i--) {
		struct dss_module *m = dss_modules[dss_module_order[i]];

		if (m->sm_mod_id == skip_mod_id || m->sm_cleanup == NULL)
			continue;
		rc = m->sm_cleanup();
		if (rc != 0)
			D_WARN("module %s: cleanup: " DF_RC "\n", m->sm_name, DP_RC(rc));
	}
}

int
dss_tls_init(int xs_id)
{
	struct dss_thread_local_storage *dtls;
	int i;

	D_ALLOC_PTR(dtls);
	if (dtls == NULL)
		return -DER_NOMEM;
	D_ALLOC_ARRAY(dtls->dtls_values, DAOS_MODULE_KEYS_NR);
	if (dtls->dtls_values == NULL) {
		D_FREE(dtls);
		return -DER_NOMEM;
	}
	dtls->dtls_tag = xs_id == 0 ? (DAOS_SYS_TAG | DAOS_RDB_TAG) : DAOS_TGT_TAG;
	dss_tls_tags = dtls->dtls_tag;
	for (i = 0; i < dss_module_nr_keys; i++) {
		struct dss_module_key *key = dss_module_keys[i];

		if (!(key->dmk_tags & dtls->dtls_tag) || key->dmk_init == NULL)
			continue;
		dtls->dtls_values[i] =
			key->dmk_init((int)dtls->dtls_tag, xs_id, xs_id == 0 ? -1 : xs_id - 1);
		if (dtls->dtls_values[i] == NULL) {
			D_ERROR("module key %d: init failed on xstream %d\n", i, xs_id);
			dss_tls = dtls;
			dss_tls_fini();
			return -DER_NOMEM;
		}
	}
	dss_tls = dtls;
	return 0;
}

void
dss_tls_fini(void)
{
	struct dss_thread_local_storage *dtls = dss_tls;
	int i;

	if (dtls == NULL)
		return;
	for (i = dss_module_nr_keys - 1; i >= 0; i--) {
		struct dss_module_key *key = dss_module_keys[i];

		if (dtls->dtls_values[i] != NULL && key->dmk_fini != NULL)
			key->dmk_fini((int)dtls->dtls_tag, dtls->dtls_values[i]);
	}
	D_FREE(dtls->dtls_values);
	D_FREE(dtls);
	dss_tls = NULL;
}

struct dss_thread_local_storage *
dss_tls_get(void)
{
	return dss_tls;
}
