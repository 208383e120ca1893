/**
 * Helpers of the daos tool shared by every command: error recording, JSON
 * strings and envelope, DAOS's entity layout, pool connection.
 */
#define D_LOGFAC DD_FAC(client)

#include <stdarg.h>
#include <gurt/common.h>
#include "daos_cli.h"

int
dfail(struct dcli *d, int rc, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (d->rc != 0)
		return d->rc;
	va_start(ap, fmt);
	n = vsnprintf(d->err, sizeof(d->err), fmt, ap);
	va_end(ap);
	if (rc < 0 && n >= 0 && (size_t)n < sizeof(d->err))
		snprintf(d->err + n, sizeof(d->err) - n, ": %s(%d): '%s'", d_errstr(rc), rc,
			 d_errdesc(rc));
	d->rc = rc != 0 ? rc : -DER_MISC;
	return d->rc;
}

void
djson_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (; s != NULL && *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c == '\n')
			fputs("\\n", f);
		else if (c == '\t')
			fputs("\\t", f);
		else if (c < 0x20)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

void
djson_begin(struct dcli *d)
{
	d->json_open = true;
	printf("{\n  \"response\": ");
}

void
djson_end(struct dcli *d)
{
	if (!d->json_open)
		printf("{\n  \"response\": null");
	printf(",\n  \"error\": ");
	if (d->rc != 0) {
		char msg[sizeof(d->err) + 16];

		snprintf(msg, sizeof(msg), "daos: %s", d->err);
		djson_str(stdout, msg);
	} else {
		printf("null");
	}
	printf(",\n  \"status\": %d\n}\n", d->rc);
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
