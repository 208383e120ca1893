/**
 * daos pool commands: query, list-containers, get-prop and the user
 * attributes. Each connects read-only (read-write for attribute changes),
 * runs one library call and prints DAOS's layout or JSON.
 */
#define D_LOGFAC DD_FAC(client)

#include <gurt/common.h>
#include <daos/prop.h>
#include <daos/strutil.h>
#include "daos_cli.h"

static int
pool_query(struct dcli *d, struct dargs *a)
{
	static const char *const tiers[] = {"SCM", "NVMe"};
	daos_pool_info_t info = {.pi_bits = DPI_ALL};
	daos_handle_t poh;
	daos_prop_t *prop;
	struct daos_prop_entry *lbl;
	const char *id;
	char uuid[40];
	int m, rc;

	if (dpool_connect(d, a, DAOS_PC_RO, &poh, NULL, &id) != 0)
		return d->rc;
	prop = daos_prop_alloc(1);
	if (prop == NULL) {
		daos_pool_disconnect(poh, NULL);
		return dfail(d, -DER_NOMEM, "out of memory");
	}
	prop->dpp_entries[0].dpe_type = DAOS_PROP_PO_LABEL;
	rc = daos_pool_query(poh, NULL, &info, prop, NULL);
	if (rc != 0) {
		dfail(d, rc, "failed to query pool %s", id);
		goto out;
	}
	lbl = daos_prop_entry_get(prop, DAOS_PROP_PO_LABEL);
	uuid_unparse_lower(info.pi_uuid, uuid);
	if (d->json) {
		struct daos_pool_space *ps = &info.pi_space;

		djson_begin(d);
		printf("{\n    \"uuid\": \"%s\",\n    \"label\": ", uuid);
		cli_json_str(stdout, lbl && lbl->dpe_str ? lbl->dpe_str : "");
		printf(",\n    \"state\": \"Ready\",\n    \"total_targets\": %u,\n"
		       "    \"active_targets\": %u,\n    \"total_engines\": %u,\n"
		       "    \"disabled_targets\": %u,\n    \"version\": %u,\n"
		       "    \"leader\": %u,\n    \"svc_ldr\": %u,\n",
		       info.pi_ntargets, info.pi_ntargets - info.pi_ndisabled, info.pi_nnodes,
		       info.pi_ndisabled, info.pi_map_ver, info.pi_leader, info.pi_leader);
		printf("    \"rebuild\": {\"status\": %d, \"state\": \"%s\", \"objects\": %lu, "
		       "\"records\": %lu},\n    \"tier_stats\": [",
		       info.pi_rebuild_st.rs_errno,
		       info.pi_rebuild_st.rs_state == DRS_IN_PROGRESS ? "busy" : "idle",
		       (unsigned long)info.pi_rebuild_st.rs_obj_nr,
		       (unsigned long)info.pi_rebuild_st.rs_rec_nr);
		for (m = 0; m < DAOS_MEDIA_MAX; m++)
			printf("%s\n      {\"media_type\": \"%s\", \"total\": %lu, \"free\": %lu, "
			       "\"min\": %lu, \"max\": %lu, \"mean\": %lu}",
			       m ? "," : "", m ? "nvme" : "scm",
			       (unsigned long)ps->ps_space.s_total[m],
			       (unsigned long)ps->ps_space.s_free[m],
			       (unsigned long)ps->ps_free_min[m], (unsigned long)ps->ps_free_max[m],
			       (unsigned long)ps->ps_free_mean[m]);
		printf("\n    ]\n  }");
		goto out;
	}
	printf("Pool %s, ntarget=%u, disabled=%u, leader=%u, version=%u, state=Ready\n", uuid,
	       info.pi_ntargets, info.pi_ndisabled, info.pi_leader, info.pi_map_ver);
	printf("Pool space info:\n- Target count:%u\n", info.pi_space.ps_ntargets);
	for (m = 0; m < DAOS_MEDIA_MAX; m++) {
		struct daos_pool_space *ps = &info.pi_space;
		char t[32], f[32], mn[32], mx[32], me[32];

		cli_size_str(ps->ps_space.s_total[m], t, sizeof(t));
		cli_size_str(ps->ps_space.s_free[m], f, sizeof(f));
		cli_size_str(ps->ps_free_min[m], mn, sizeof(mn));
		cli_size_str(ps->ps_free_max[m], mx, sizeof(mx));
		cli_size_str(ps->ps_free_mean[m], me, sizeof(me));
		printf("- Storage tier %d (%s):\n  Total size: %s\n"
		       "  Free: %s, min:%s, max:%s, mean:%s\n",
		       m, tiers[m], t, f, mn, mx, me);
	}
	if (info.pi_rebuild_st.rs_errno != 0)
		printf("Rebuild failed, rc=%d, status=%d\n", info.pi_rebuild_st.rs_errno,
		       info.pi_rebuild_st.rs_errno);
	else
		printf("Rebuild %s, %lu objs, %lu recs\n",
		       info.pi_rebuild_st.rs_state == DRS_IN_PROGRESS ? "busy" : "idle",
		       (unsigned long)info.pi_rebuild_st.rs_obj_nr,
		       (unsigned long)info.pi_rebuild_st.rs_rec_nr);
out:
	daos_prop_free(prop);
	daos_pool_disconnect(poh, NULL);
	return d->rc;
}

/* Layout type of a container, "unknown" if it cannot be opened. */
static void
cont_layout(daos_handle_t poh, const char *uuid, char *type)
{
	daos_handle_t coh;
	daos_prop_t *prop = daos_prop_alloc(1);
	struct daos_prop_entry *e;

	strcpy(type, "unknown");
	if (prop == NULL)
		return;
	prop->dpp_entries[0].dpe_type = DAOS_PROP_CO_LAYOUT_TYPE;
	if (daos_cont_open(poh, uuid, DAOS_COO_RO, &coh, NULL, NULL) == 0) {
		if (daos_cont_query(coh, NULL, prop, NULL) == 0) {
			e = daos_prop_entry_get(prop, DAOS_PROP_CO_LAYOUT_TYPE);
			if (e != NULL)
				daos_unparse_ctype((daos_cont_layout_t)e->dpe_val, type);
		}
		daos_cont_close(coh, NULL);
	}
	daos_prop_free(prop);
}

/* Shared by "pool list-containers" and "container list". */
int dcont_list(struct dcli *d, struct dargs *a);

int
dcont_list(struct dcli *d, struct dargs *a)
{
	static const char *const titles[] = {"Label", "UUID", "Layout"};
	struct daos_pool_cont_info *conts = NULL;
	daos_handle_t poh;
	daos_size_t n = 0;
	const char *id;
	char(*uuids)[40] = NULL, (*types)[16] = NULL;
	const char **cells = NULL;
	int rc, ncols = d->verbose ? 3 : 2;
	uint64_t i;

	if (dpool_connect(d, a, DAOS_PC_RO, &poh, NULL, &id) != 0)
		return d->rc;
	/* the list may grow between the two calls: retry with what the second one reports */
	for (int tries = 0; tries < 5; tries++) {
		rc = daos_pool_list_cont(poh, &n, NULL, NULL);
		if (rc != 0 || n == 0)
			break;
		n += 16;
		D_FREE(conts);
		D_ALLOC_ARRAY(conts, n);
		if (conts == NULL) {
			rc = -DER_NOMEM;
			break;
		}
		rc = daos_pool_list_cont(poh, &n, conts, NULL);
		if (rc != -DER_TRUNC)
			break;
	}
	if (rc != 0) {
		dfail(d, rc, "failed to list containers of pool %s", id);
		goto out;
	}
	D_ALLOC_ARRAY(uuids, n + 1);
	D_ALLOC_ARRAY(types, n + 1);
	D_ALLOC_ARRAY(cells, (n + 1) * 3);
	if (uuids == NULL || types == NULL || cells == NULL) {
		dfail(d, -DER_NOMEM, "out of memory");
		goto out;
	}
	for (i = 0; i < n; i++) {
		uuid_unparse_lower(conts[i].pci_uuid, uuids[i]);
		if (d->verbose)
			cont_layout(poh, uuids[i], types[i]);
	}
	if (d->json) {
		djson_begin(d);
		printf("[");
		for (i = 0; i < n; i++) {
			printf("%s\n    {\n      \"uuid\": \"%s\",\n      \"label\": ",
			       i ? "," : "", uuids[i]);
			cli_json_str(stdout, conts[i].pci_label);
			if (d->verbose) {
				printf(",\n      \"container_type\": ");
				cli_json_str(stdout, types[i]);
			}
			printf("\n    }");
		}
		printf(n ? "\n  ]" : "]");
		goto out;
	}
	if (n == 0) {
		printf("No containers.\n");
		goto out;
	}
	printf("Containers in pool %s:\n", id);
	for (i = 0; i < n; i++) {
		cells[i * ncols] = conts[i].pci_label[0] ? conts[i].pci_label : NULL;
		cells[i * ncols + 1] = uuids[i];
		if (d->verbose)
			cells[i * ncols + 2] = types[i];
	}
	{
		char *buf = NULL, *line, *save = NULL;
		size_t len = 0;
		FILE *mem = open_memstream(&buf, &len);

		if (mem == NULL) {
			dfail(d, -DER_NOMEM, "out of memory");
			goto out;
		}
		daos_table_fprint(mem, ncols, titles, cells, (int)n);
		fclose(mem);
		for (line = strtok_r(buf, "\n", &save); line != NULL;
		     line = strtok_r(NULL, "\n", &save))
			printf("  %s\n", line);
		free(buf);
	}
out:
	D_FREE(conts);
	D_FREE(uuids);
	D_FREE(types);
	D_FREE(cells);
	daos_pool_disconnect(poh, NULL);
	return d->rc;
}

static int
pool_get_prop(struct dcli *d, struct dargs *a)
{
	daos_handle_t poh;
	daos_prop_t *want = NULL;
	const char *id;
	const char *names = a->opt[O_PROPS] ? a->opt[O_PROPS] : (a->npos > 1 ? a->pos[1] : NULL);
	int rc;

	if (names != NULL) {
		struct dattr *at = NULL;
		int nr = 0, k;

		rc = dattr_parse_names(names, &at, &nr);
		if (rc != 0)
			return dfail(d, rc, "get-prop: bad property list \"%s\"", names);
		want = daos_prop_alloc(nr);
		for (k = 0; want != NULL && k < nr; k++) {
			const struct daos_prop_desc *pd = daos_prop_desc_by_name(at[k].name, true);

			if (pd == NULL) {
				dfail(d, -DER_INVAL, "get-prop: unknown property \"%s\"",
				      at[k].name);
				break;
			}
			want->dpp_entries[k].dpe_type = pd->pd_type;
		}
		dattr_free(at, nr);
		if (d->rc != 0) {
			daos_prop_free(want);
			return d->rc;
		}
	} else {
		want = daos_prop_alloc_listed(true);
	}
	if (want == NULL)
		return dfail(d, -DER_NOMEM, "out of memory");
	if (dpool_connect(d, a, DAOS_PC_RO, &poh, NULL, &id) != 0) {
		daos_prop_free(want);
		return d->rc;
	}
	rc = daos_pool_query(poh, NULL, NULL, want, NULL);
	if (rc != 0) {
		dfail(d, rc, "failed to query properties of pool %s", id);
	} else if (d->json) {
		djson_begin(d);
		dprop_json(want);
	} else {
		printf("Properties for pool %s\n", id);
		daos_prop_print_table(stdout, want);
	}
	daos_prop_free(want);
	daos_pool_disconnect(poh, NULL);
	return d->rc;
}

static int
pool_attr(struct dcli *d, struct dargs *a, int which)
{
	daos_handle_t poh;
	const char *id;
	/* the pool is the first positional unless --pool named it */
	int first = a->opt[O_POOL] ? 0 : 1;

	if (dpool_connect(d, a, which == 's' || which == 'd' ? DAOS_PC_RW : DAOS_PC_RO, &poh, NULL,
			  &id) != 0)
		return d->rc;
	dattr_cmd(d, &dattr_pool_ops, poh, id, a, first, which);
	daos_pool_disconnect(poh, NULL);
	return d->rc;
}

static int
pool_set_attr(struct dcli *d, struct dargs *a)
{
	return pool_attr(d, a, 's');
}

static int
pool_get_attr(struct dcli *d, struct dargs *a)
{
	return pool_attr(d, a, 'g');
}

static int
pool_list_attrs(struct dcli *d, struct dargs *a)
{
	return pool_attr(d, a, 'l');
}

static int
pool_del_attr(struct dcli *d, struct dargs *a)
{
	return pool_attr(d, a, 'd');
}

#define POOL_O OPT(O_POOL)

const struct dcmd dcmd_pool[] = {
	{"pool", "query", NULL, POOL_O | OPT(O_SHOW_ENABLED) | OPT(O_HEALTH_ONLY), pool_query,
	 "query POOL                    targets, space and rebuild state"},
	{"pool", "list-containers", "list-conts|list-cont", POOL_O, dcont_list,
	 "list-containers POOL [-v]     containers of the pool (aliases list-conts, list-cont)"},
	{"pool", "get-prop", "getprop", POOL_O | OPT(O_PROPS), pool_get_prop,
	 "get-prop POOL [name[,name]]   pool properties"},
	{"pool", "set-attr", "setattr", POOL_O | OPT(O_ATTR) | OPT(O_VALUE), pool_set_attr,
	 "set-attr POOL key:value[,key:value] (or: set-attr POOL key value)"},
	{"pool", "get-attr", "getattr", POOL_O | OPT(O_ATTR), pool_get_attr,
	 "get-attr POOL [key[,key]]     attribute values"},
	{"pool", "list-attrs", "list-attr|lsattr", POOL_O, pool_list_attrs,
	 "list-attrs POOL [-v]          attribute names (-v: and values)"},
	{"pool", "del-attr", "delattr", POOL_O | OPT(O_ATTR), pool_del_attr,
	 "del-attr POOL key[,key]       delete attributes"},
	{NULL},
};
