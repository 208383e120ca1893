/**
 * Formatting helpers shared by dmg and daos (cli_common.h): both tools print errors and JSON
 * the same way as DAOS's tools do, so the code that does it lives here once.
 */
#define D_LOGFAC DD_FAC(client)

#include <gurt/common.h>
#include <daos_security.h>
#include "cli_common.h"

int
cli_vfail(char *err, size_t size, int rc, bool quote, const char *fmt, va_list ap)
{
	int n;

	n = vsnprintf(err, size, fmt, ap);
	if (rc < 0 && n >= 0 && (size_t)n < size)
		snprintf(err + n, size - n, quote ? ": %s(%d): '%s'" : ": %s(%d): %s", d_errstr(rc),
			 rc, d_errdesc(rc));
	return rc != 0 ? rc : -DER_MISC;
}

void
cli_json_str(FILE *f, const char *s)
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
cli_json_open(void)
{
	printf("{\n  \"response\": ");
}

void
cli_json_close(int rc, const char *err)
{
	printf(",\n  \"error\": ");
	if (rc != 0)
		cli_json_str(stdout, err);
	else
		printf("null");
	printf(",\n  \"status\": %d\n}\n", rc);
}

void
cli_size_str(uint64_t bytes, char *buf, size_t len)
{
	static const char *const units[] = {"B", "kB", "MB", "GB", "TB", "PB"};
	double v = (double)bytes;
	int u = 0;

	/* DAOS prints decimal units with up to two significant digits */
	while (v >= 1000.0 && u < 5) {
		v /= 1000.0;
		u++;
	}
	if (u == 0)
		snprintf(buf, len, "%lu B", (unsigned long)bytes);
	else
		snprintf(buf, len, "%.*f %s", v < 10 ? 1 : 0, v, units[u]);
}

void
cli_acl_json(const struct daos_prop_entry *acl, const struct daos_prop_entry *owner,
	     const struct daos_prop_entry *group)
{
	char **strs = NULL;
	size_t n = 0, i;

	printf("{\n    \"acl\": [");
	if (acl != NULL && daos_acl_to_strs(acl->dpe_val_ptr, &strs, &n) == 0) {
		for (i = 0; i < n; i++) {
			printf("%s", i ? ", " : "");
			cli_json_str(stdout, strs[i]);
			D_FREE(strs[i]);
		}
		D_FREE(strs);
	}
	printf("],\n    \"owner_user\": ");
	cli_json_str(stdout, owner ? owner->dpe_str : "");
	printf(",\n    \"owner_group\": ");
	cli_json_str(stdout, group ? group->dpe_str : "");
	printf("\n  }");
}

int
cli_acl_read(FILE *f, struct daos_acl **acl)
{
	char **strs = NULL, line[1024];
	size_t n = 0, i;
	int rc = 0;

	while (rc == 0 && fgets(line, sizeof(line), f) != NULL) {
		char *s = line, *e, **tmp;

		while (*s == ' ' || *s == '\t')
			s++;
		e = s + strlen(s);
		while (e > s && (e[-1] == '\n' || e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
			*--e = '\0';
		if (*s == '\0' || *s == '#')
			continue;
		D_REALLOC_ARRAY(tmp, strs, n, n + 1);
		if (tmp == NULL) {
			rc = -DER_NOMEM;
			break;
		}
		strs = tmp;
		D_STRNDUP(strs[n], s, strlen(s));
		if (strs[n] == NULL)
			rc = -DER_NOMEM;
		else
			n++;
	}
	if (rc == 0)
		rc = daos_acl_from_strs((const char **)strs, n, acl);
	for (i = 0; i < n; i++)
		D_FREE(strs[i]);
	D_FREE(strs);
	return rc;
}
