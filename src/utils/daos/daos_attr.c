/**
 * User attributes of pools and containers: set-attr, get-attr, list-attrs,
 * del-attr. Values are stored as given (no terminating NUL); JSON carries
 * them base64-encoded as DAOS's Go tool does ([]byte fields).
 */
#define D_LOGFAC DD_FAC(client)

#include <gurt/common.h>
#include <daos/strutil.h>
#include "daos_cli.h"
#include "daos_cont_internal.h"

const struct dattr_ops dattr_pool_ops = {daos_pool_list_attr, daos_pool_get_attr,
					 daos_pool_set_attr, daos_pool_del_attr, "pool"};
const struct dattr_ops dattr_cont_ops = {daos_cont_list_attr, daos_cont_get_attr,
					 daos_cont_set_attr, daos_cont_del_attr, "container"};

static void
base64_print(FILE *f, const unsigned char *p, size_t len)
{
	static const char tbl[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t i;

	fputc('"', f);
	for (i = 0; i + 2 < len; i += 3) {
		uint32_t v = (uint32_t)p[i] << 16 | (uint32_t)p[i + 1] << 8 | p[i + 2];

		fprintf(f, "%c%c%c%c", tbl[v >> 18], tbl[(v >> 12) & 63], tbl[(v >> 6) & 63],
			tbl[v & 63]);
	}
	if (len - i == 1) {
		uint32_t v = (uint32_t)p[i] << 16;

		fprintf(f, "%c%c==", tbl[v >> 18], tbl[(v >> 12) & 63]);
	} else if (len - i == 2) {
		uint32_t v = (uint32_t)p[i] << 16 | (uint32_t)p[i + 1] << 8;

		fprintf(f, "%c%c%c=", tbl[v >> 18], tbl[(v >> 12) & 63], tbl[(v >> 6) & 63]);
	}
	fputc('"', f);
}

/* Fetch the values of \a nr names; vals[i] NUL-terminated, sizes[i] its length. */
static int
fetch_values(const struct dattr_ops *ops, daos_handle_t h, struct dattr *names, int nr,
	     char ***vals_out, size_t **sizes_out)
{
	const char **n = NULL;
	char **vals = NULL;
	size_t *sizes = NULL;
	int i, rc;

	D_ALLOC_ARRAY(n, nr);
	D_ALLOC_ARRAY(vals, nr);
	D_ALLOC_ARRAY(sizes, nr);
	if (n == NULL || vals == NULL || sizes == NULL)
		D_GOTO(out, rc = -DER_NOMEM);
	for (i = 0; i < nr; i++)
		n[i] = names[i].name;
	rc = ops->get(h, nr, n, NULL, sizes, NULL);
	if (rc != 0)
		D_GOTO(out, rc);
	for (i = 0; i < nr; i++) {
		D_ALLOC(vals[i], sizes[i] + 1);
		if (vals[i] == NULL)
			D_GOTO(out, rc = -DER_NOMEM);
	}
	rc = ops->get(h, nr, n, (void *const *)vals, sizes, NULL);
	for (i = 0; rc == 0 && i < nr; i++) {
		vals[i][sizes[i]] = '\0';
		/* values set by DAOS's older tool end with a NUL */
		if (sizes[i] > 0 && vals[i][sizes[i] - 1] == '\0')
			sizes[i]--;
	}
out:
	D_FREE(n);
	if (rc != 0) {
		for (i = 0; vals != NULL && i < nr; i++)
			D_FREE(vals[i]);
		D_FREE(vals);
		D_FREE(sizes);
		return rc;
	}
	*vals_out = vals;
	*sizes_out = sizes;
	return 0;
}

/* Print names (and values when \a vals) as DAOS does: a title, then a Name/Value table. */
static int
print_attrs(struct dcli *d, const char *title, struct dattr *names, int nr, char **vals,
	    size_t *sizes)
{
	static const char *const titles[] = {"Name", "Value"};
	const char **cells;
	int i, ncols = vals ? 2 : 1;

	if (d->json) {
		djson_begin(d);
		printf("[");
		for (i = 0; i < nr; i++) {
			printf("%s\n    {\n      \"name\": ", i ? "," : "");
			cli_json_str(stdout, names[i].name);
			if (vals != NULL && sizes[i] > 0) {
				printf(",\n      \"value\": ");
				base64_print(stdout, (unsigned char *)vals[i], sizes[i]);
			}
			printf("\n    }");
		}
		printf(nr ? "\n  ]" : "]");
		return 0;
	}
	printf("%s\n", title);
	if (nr == 0) {
		printf("  No attributes found.\n");
		return 0;
	}
	D_ALLOC_ARRAY(cells, nr * ncols);
	if (cells == NULL)
		return dfail(d, -DER_NOMEM, "out of memory");
	for (i = 0; i < nr; i++) {
		cells[i * ncols] = names[i].name;
		if (vals != NULL)
			cells[i * ncols + 1] = vals[i];
	}
	daos_table_fprint(stdout, ncols, titles, cells, nr);
	D_FREE(cells);
	return 0;
}

int
dattr_cmd_set(struct dcli *d, const struct dattr_ops *ops, daos_handle_t h, const char *id,
	      struct dargs *a, int first)
{
	struct dattr *at = NULL;
	const char **names = NULL;
	const void **vals = NULL;
	size_t *sizes = NULL;
	int nr = 0, i, rc;

	if (a->opt[O_ATTR] != NULL || a->opt[O_VALUE] != NULL) {
		/* deprecated --attr NAME --value VALUE */
		if (a->opt[O_ATTR] == NULL || a->opt[O_VALUE] == NULL || a->npos > first)
			return dfail(d, -DER_INVAL,
				     "--attr and --value go together, without "
				     "positional attributes");
		D_ALLOC_ARRAY(at, 1);
		if (at == NULL)
			return dfail(d, -DER_NOMEM, "out of memory");
		nr = 1;
		D_STRNDUP(at[0].name, a->opt[O_ATTR], strlen(a->opt[O_ATTR]));
		D_STRNDUP(at[0].value, a->opt[O_VALUE], strlen(a->opt[O_VALUE]));
		rc = at[0].name && at[0].value ? 0 : -DER_NOMEM;
		if (rc == 0 && at[0].name[0] == '\0')
			rc = -DER_INVAL;
	} else if (a->npos == first + 2 && strchr(a->pos[first], ':') == NULL) {
		/* the older documented form: set-attr POOL [CONT] NAME VALUE */
		D_ALLOC_ARRAY(at, 1);
		if (at == NULL)
			return dfail(d, -DER_NOMEM, "out of memory");
		nr = 1;
		D_STRNDUP(at[0].name, a->pos[first], strlen(a->pos[first]));
		D_STRNDUP(at[0].value, a->pos[first + 1], strlen(a->pos[first + 1]));
		rc = at[0].name && at[0].value ? 0 : -DER_NOMEM;
	} else if (a->npos == first + 1) {
		rc = dattr_parse(a->pos[first], &at, &nr);
	} else {
		return dfail(d, -DER_INVAL,
			     "set-attr: attributes are required as "
			     "key:value[,key:value...]");
	}
	if (rc != 0) {
		dattr_free(at, nr);
		return dfail(d, rc,
			     "set-attr: bad attribute list \"%s\" (key:value[,key:value...])",
			     a->npos > first ? a->pos[first] : a->opt[O_ATTR]);
	}
	D_ALLOC_ARRAY(names, nr);
	D_ALLOC_ARRAY(vals, nr);
	D_ALLOC_ARRAY(sizes, nr);
	if (names == NULL || vals == NULL || sizes == NULL) {
		rc = dfail(d, -DER_NOMEM, "out of memory");
		goto out;
	}
	for (i = 0; i < nr; i++) {
		names[i] = at[i].name;
		vals[i] = at[i].value;
		sizes[i] = strlen(at[i].value);
	}
	rc = ops->set(h, nr, names, vals, sizes, NULL);
	if (rc != 0) {
		dfail(d, rc, "failed to set attribute%s on %s %s", nr > 1 ? "s" : "", ops->what,
		      id);
		goto out;
	}
	if (d->json) {
		djson_begin(d);
		printf("null");
	}
out:
	D_FREE(names);
	D_FREE(vals);
	D_FREE(sizes);
	dattr_free(at, nr);
	return d->rc;
}

static int
name_cmp(const void *a, const void *b)
{
	return strcmp(((const struct dattr *)a)->name, ((const struct dattr *)b)->name);
}

static int
list_names(struct dcli *d, const struct dattr_ops *ops, daos_handle_t h, const char *id,
	   struct dattr **out, int *nr_out)
{
	struct dattr *at = NULL, *tmp;
	char *buf = NULL;
	size_t size = 0, off;
	int nr = 0, rc;

	*out = NULL;
	*nr_out = 0;
	rc = ops->list(h, NULL, &size, NULL);
	if (rc == 0 && size > 0) {
		D_ALLOC(buf, size + 1);
		if (buf == NULL)
			return dfail(d, -DER_NOMEM, "out of memory");
		rc = ops->list(h, buf, &size, NULL);
	}
	if (rc != 0) {
		D_FREE(buf);
		return dfail(d, rc, "failed to list attributes of %s %s", ops->what, id);
	}
	for (off = 0; buf != NULL && off < size && buf[off] != '\0';) {
		size_t len = strnlen(buf + off, size - off);

		/* the POSIX settings kept in attributes are not the user's */
		if (strncmp(buf + off, DCONT_DFS_ATTR_PREFIX, strlen(DCONT_DFS_ATTR_PREFIX)) == 0) {
			off += len + 1;
			continue;
		}
		D_REALLOC_ARRAY(tmp, at, nr, nr + 1);
		if (tmp == NULL)
			break;
		at = tmp;
		memset(&at[nr], 0, sizeof(at[nr]));
		D_STRNDUP(at[nr].name, buf + off, len);
		if (at[nr].name == NULL)
			break;
		nr++;
		off += len + 1;
	}
	D_FREE(buf);
	/* the services return them in hash order: sort for stable output */
	if (nr > 1)
		qsort(at, nr, sizeof(*at), name_cmp);
	*out = at;
	*nr_out = nr;
	return 0;
}

/* Print the list/get table (values when fetched) and free what the command gathered. */
static int
print_and_free(struct dcli *d, const struct dattr_ops *ops, const char *id, struct dattr *at,
	       int nr, char **vals, size_t *sizes)
{
	char title[300];
	int i;

	snprintf(title, sizeof(title), "Attributes for %s %s:", ops->what, id);
	print_attrs(d, title, at, nr, vals, sizes);
	for (i = 0; vals != NULL && i < nr; i++)
		D_FREE(vals[i]);
	D_FREE(vals);
	D_FREE(sizes);
	dattr_free(at, nr);
	return d->rc;
}

int
dattr_cmd_list(struct dcli *d, const struct dattr_ops *ops, daos_handle_t h, const char *id,
	       struct dargs *a)
{
	struct dattr *at = NULL;
	char **vals = NULL;
	size_t *sizes = NULL;
	int nr = 0, rc;

	(void)a;
	if (list_names(d, ops, h, id, &at, &nr) != 0)
		return d->rc;
	if (d->verbose && nr > 0) {
		rc = fetch_values(ops, h, at, nr, &vals, &sizes);
		if (rc != 0) {
			dattr_free(at, nr);
			return dfail(d, rc, "failed to get attributes of %s %s", ops->what, id);
		}
	}
	return print_and_free(d, ops, id, at, nr, vals, sizes);
}

int
dattr_cmd_get(struct dcli *d, const struct dattr_ops *ops, daos_handle_t h, const char *id,
	      struct dargs *a, int first)
{
	struct dattr *at = NULL;
	char **vals = NULL;
	size_t *sizes = NULL;
	const char *list =
		a->opt[O_ATTR] ? a->opt[O_ATTR] : (a->npos > first ? a->pos[first] : NULL);
	int nr = 0, rc;

	if (a->npos > first + 1 || (a->opt[O_ATTR] && a->npos > first))
		return dfail(d, -DER_INVAL, "get-attr: give the names as one key[,key...] list");
	rc = list ? dattr_parse_names(list, &at, &nr) : list_names(d, ops, h, id, &at, &nr);
	if (rc != 0) {
		dattr_free(at, nr);
		return list ? dfail(d, rc, "get-attr: bad name list \"%s\"", list) : d->rc;
	}
	if (nr > 0) {
		rc = fetch_values(ops, h, at, nr, &vals, &sizes);
		if (rc != 0) {
			dattr_free(at, nr);
			return dfail(d, rc, "failed to get attribute%s %s of %s %s",
				     nr > 1 ? "s" : "", list ? list : "", ops->what, id);
		}
	}
	return print_and_free(d, ops, id, at, nr, vals, sizes);
}

int
dattr_cmd_del(struct dcli *d, const struct dattr_ops *ops, daos_handle_t h, const char *id,
	      struct dargs *a, int first)
{
	struct dattr *at = NULL;
	const char **names = NULL;
	const char *list =
		a->opt[O_ATTR] ? a->opt[O_ATTR] : (a->npos > first ? a->pos[first] : NULL);
	int nr = 0, i, rc;

	if (list == NULL || a->npos > first + 1)
		return dfail(d, -DER_INVAL,
			     "del-attr: attribute names are required (key[,key...])");
	rc = dattr_parse_names(list, &at, &nr);
	if (rc != 0)
		return dfail(d, rc, "del-attr: bad name list \"%s\"", list);
	D_ALLOC_ARRAY(names, nr);
	if (names == NULL) {
		dattr_free(at, nr);
		return dfail(d, -DER_NOMEM, "out of memory");
	}
	for (i = 0; i < nr; i++)
		names[i] = at[i].name;
	rc = ops->del(h, nr, names, NULL);
	if (rc != 0)
		dfail(d, rc, "failed to delete attribute%s %s of %s %s", nr > 1 ? "s" : "", list,
		      ops->what, id);
	else if (d->json) {
		djson_begin(d);
		printf("null");
	}
	D_FREE(names);
	dattr_free(at, nr);
	return d->rc;
}

int
dattr_cmd(struct dcli *d, const struct dattr_ops *ops, daos_handle_t h, const char *id,
	  struct dargs *a, int first, int which)
{
	switch (which) {
	case 's':
		return dattr_cmd_set(d, ops, h, id, a, first);
	case 'g':
		return dattr_cmd_get(d, ops, h, id, a, first);
	case 'l':
		return dattr_cmd_list(d, ops, h, id, a);
	default:
		return dattr_cmd_del(d, ops, h, id, a, first);
	}
}
