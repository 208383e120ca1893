/**
 * Helpers of the daos tool shared by every command: error recording, JSON
 * strings and envelope, DAOS's entity layout, pool connection.
 */
#define D_LOGFAC DD_FAC(client)

#include <stdarg.h>
#include <gurt/common.h>
#include <daos/prop.h>
#include "daos_cli.h"

int
dfail(struct dcli *d, int rc, const char *fmt, ...)
{
	va_list ap;

	if (d->rc != 0)
		return d->rc;
	va_start(ap, fmt);
	d->rc = cli_vfail(d->err, sizeof(d->err), rc, true, fmt, ap);
	va_end(ap);
	return d->rc;
}

void
djson_begin(struct dcli *d)
{
	d->json_open = true;
	cli_json_open();
}

void
djson_end(struct dcli *d)
{
	char msg[sizeof(d->err) + 16];

	if (!d->json_open)
		printf("{\n  \"response\": null");
	snprintf(msg, sizeof(msg), "daos: %s", d->err);
	cli_json_close(d->rc, msg);
}

void
dentity_print(FILE *f, struct dentity_row *rows, int nr)
{
	size_t w = 0;
	int i;

	for (i = 0; i < nr; i++)
		if (strlen(rows[i].key) > w)
			w = strlen(rows[i].key);
	for (i = 0; i < nr; i++)
		fprintf(f, "  %-*s: %s\n", (int)w + 1, rows[i].key, rows[i].value);
}

void
dprop_json(daos_prop_t *prop)
{
	uint32_t i;

	printf("[");
	for (i = 0; i < prop->dpp_nr; i++) {
		const struct daos_prop_desc *pd =
			daos_prop_desc_by_type(prop->dpp_entries[i].dpe_type);
		char val[4096] = "";

		if (pd == NULL)
			continue;
		daos_prop_entry_to_str(&prop->dpp_entries[i], val, sizeof(val));
		printf("%s\n    {\n      \"value\": ", i ? "," : "");
		cli_json_str(stdout, val);
		printf(",\n      \"name\": ");
		cli_json_str(stdout, pd->pd_name);
		printf(",\n      \"description\": ");
		cli_json_str(stdout, pd->pd_desc);
		printf("\n    }");
	}
	printf("\n  ]");
}

const char *
dpool_id(struct dcli *d, struct dargs *a)
{
	if (a->opt[O_POOL] != NULL)
		return a->opt[O_POOL];
	if (a->npos > 0)
		return a->pos[0];
	dfail(d, -DER_INVAL, "pool label or UUID is required");
	return NULL;
}

int
dpool_connect(struct dcli *d, struct dargs *a, unsigned int flags, daos_handle_t *poh,
	      daos_pool_info_t *info, const char **pool_id)
{
	const char *id = dpool_id(d, a);
	int rc;

	if (id == NULL)
		return d->rc;
	if (pool_id != NULL)
		*pool_id = id;
	rc = daos_pool_connect(id, NULL, flags, poh, info, NULL);
	if (rc != 0)
		return dfail(d, rc, "failed to connect to pool %s", id);
	return 0;
}
