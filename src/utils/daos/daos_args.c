/**
 * Argument parsing of the daos tool: one table of every option (long name,
 * short letter, whether it takes a value); each command says which of them it
 * accepts, so the same letter can mean different things in different commands
 * (-f is --file-oclass for create and --force for destroy, as in DAOS).
 */
#define D_LOGFAC DD_FAC(client)

#include <ctype.h>
#include <errno.h>
#include <strings.h>
#include <gurt/common.h>
#include <daos/prop.h>
#include "daos_cli.h"

struct dopt_desc {
	enum dopt o;
	const char *name;
	char short_name;
	bool has_arg;
};

/* Several long names may map to one option; the first one is the canonical name. */
static const struct dopt_desc dopts[] = {
	{O_POOL, "pool", 'p', true},
	{O_CONT, "cont", 'c', true},
	{O_CONT, "container", 0, true},
	{O_LABEL, "label", 'l', true},
	{O_TYPE, "type", 't', true},
	{O_OCLASS, "oclass", 'o', true},
	{O_DIR_OCLASS, "dir-oclass", 'd', true},
	{O_FILE_OCLASS, "file-oclass", 'f', true},
	{O_CHUNK, "chunk-size", 'z', true},
	{O_PROPS, "properties", 0, true},
	{O_HINTS, "hints", 'H', true},
	{O_MODE, "mode", 'M', true},
	{O_ACL_FILE, "acl-file", 'A', true},
	{O_USER, "user", 'u', true},
	{O_GROUP, "group", 'g', true},
	{O_ATTRS, "attrs", 'a', true},
	{O_ATTR, "attr", 'a', true},
	{O_VALUE, "value", 'v', true},
	{O_VERBOSE, "verbose", 'v', false},
	{O_VERBOSE, "verbose", 'V', false},
	{O_FORCE, "force", 'f', false},
	{O_SNAP, "snap", 's', true},
	{O_EPC, "epc", 'e', true},
	{O_EPCRANGE, "epcrange", 'r', true},
	{O_ENTRY, "entry", 'e', true},
	{O_PRINCIPAL, "principal", 'P', true},
	{O_OUTFILE, "outfile", 'o', true},
	{O_SHOW_ENABLED, "show-enabled", 'e', false},
	{O_HEALTH_ONLY, "health-only", 't', false},
	{O_JSON, "json", 'j', false},
};

const char *
dargs_opt_name(enum dopt o)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(dopts); i++)
		if (dopts[i].o == o)
			return dopts[i].name;
	return "?";
}

static const struct dopt_desc *
find_long(const char *name, size_t len, uint64_t allowed)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(dopts); i++)
		if ((allowed & OPT(dopts[i].o)) && strlen(dopts[i].name) == len &&
		    strncmp(dopts[i].name, name, len) == 0)
			return &dopts[i];
	return NULL;
}

static const struct dopt_desc *
find_short(char c, uint64_t allowed)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(dopts); i++)
		if ((allowed & OPT(dopts[i].o)) && dopts[i].short_name == c)
			return &dopts[i];
	return NULL;
}

int
dargs_parse(int argc, char **argv, uint64_t allowed, struct dargs *a, char *err, size_t errlen)
{
	const struct dopt_desc *od;
	bool opts_done = false;
	int i;

	memset(a, 0, sizeof(*a));
	for (i = 0; i < argc; i++) {
		const char *w = argv[i];
		const char *val = NULL;

		if (opts_done || w[0] != '-' || w[1] == '\0') {
			if (a->npos == DARGS_POS_MAX) {
				snprintf(err, errlen, "too many arguments");
				return -DER_INVAL;
			}
			a->pos[a->npos++] = w;
			continue;
		}
		if (strcmp(w, "--") == 0) {
			opts_done = true;
			continue;
		}
		if (w[1] == '-') {
			const char *eq = strchr(w + 2, '=');
			size_t len = eq ? (size_t)(eq - (w + 2)) : strlen(w + 2);

			od = find_long(w + 2, len, allowed);
			if (od == NULL) {
				snprintf(err, errlen, "unknown flag `%.*s'", (int)len + 2, w);
				return -DER_INVAL;
			}
			if (eq != NULL && !od->has_arg) {
				snprintf(err, errlen, "option `--%s' takes no value", od->name);
				return -DER_INVAL;
			}
			if (eq != NULL)
				val = eq + 1;
		} else {
			od = find_short(w[1], allowed);
			if (od == NULL) {
				snprintf(err, errlen, "unknown flag `%c'", w[1]);
				return -DER_INVAL;
			}
			if (w[2] != '\0') {
				if (!od->has_arg) {
					snprintf(err, errlen, "option `-%c' takes no value", w[1]);
					return -DER_INVAL;
				}
				val = w + 2;
			}
		}
		if (od->has_arg && val == NULL) {
			if (i + 1 >= argc) {
				snprintf(err, errlen, "expected argument for flag `--%s'",
					 od->name);
				return -DER_INVAL;
			}
			val = argv[++i];
		}
		a->opt[od->o] = od->has_arg ? val : "";
	}
	return 0;
}

void
dattr_free(struct dattr *attrs, int nr)
{
	int i;

	for (i = 0; attrs != NULL && i < nr; i++) {
		D_FREE(attrs[i].name);
		D_FREE(attrs[i].value);
	}
	D_FREE(attrs);
}

static int
split_list(const char *str, bool with_values, struct dattr **attrs, int *nr)
{
	struct dattr *out = NULL, *tmp;
	char *copy, *tok, *save = NULL;
	int n = 0, i, rc = 0;

	*attrs = NULL;
	*nr = 0;
	if (str == NULL || str[0] == '\0')
		return -DER_INVAL;
	D_STRNDUP(copy, str, strlen(str));
	if (copy == NULL)
		return -DER_NOMEM;
	for (tok = strtok_r(copy, ",", &save); tok != NULL; tok = strtok_r(NULL, ",", &save)) {
		char *colon = with_values ? strchr(tok, ':') : NULL;

		if ((with_values && (colon == NULL || colon == tok)) || tok[0] == '\0')
			D_GOTO(out, rc = -DER_INVAL);
		if (colon != NULL)
			*colon = '\0';
		for (i = 0; i < n; i++)
			if (strcmp(out[i].name, tok) == 0)
				D_GOTO(out, rc = -DER_INVAL);
		D_REALLOC_ARRAY(tmp, out, n, n + 1);
		if (tmp == NULL)
			D_GOTO(out, rc = -DER_NOMEM);
		out = tmp;
		memset(&out[n], 0, sizeof(out[n]));
		D_STRNDUP(out[n].name, tok, strlen(tok));
		if (colon != NULL)
			D_STRNDUP(out[n].value, colon + 1, strlen(colon + 1));
		n++;
		if (out[n - 1].name == NULL || (colon != NULL && out[n - 1].value == NULL))
			D_GOTO(out, rc = -DER_NOMEM);
	}
	if (n == 0)
		rc = -DER_INVAL;
out:
	D_FREE(copy);
	if (rc != 0) {
		dattr_free(out, n);
		return rc;
	}
	*attrs = out;
	*nr = n;
	return 0;
}

int
dattr_parse(const char *str, struct dattr **attrs, int *nr)
{
	return split_list(str, true, attrs, nr);
}

int
dattr_parse_names(const char *str, struct dattr **attrs, int *nr)
{
	return split_list(str, false, attrs, nr);
}

static int
parse_epoch(const char *s, const char *end, uint64_t *e)
{
	char *stop;
	unsigned long long v;

	if (s == end || !isdigit((unsigned char)*s))
		return -DER_INVAL;
	errno = 0;
	v = strtoull(s, &stop, 0);
	if (errno != 0 || stop != end)
		return -DER_INVAL;
	*e = v;
	return 0;
}

int
depc_range_parse(const char *str, daos_epoch_range_t *epr)
{
	const char *dash;
	int rc;

	if (str == NULL || epr == NULL)
		return -DER_INVAL;
	dash = strchr(str, '-');
	if (dash == NULL) {
		rc = parse_epoch(str, str + strlen(str), &epr->epr_lo);
		epr->epr_hi = epr->epr_lo;
		return rc;
	}
	rc = parse_epoch(str, dash, &epr->epr_lo);
	if (rc == 0)
		rc = parse_epoch(dash + 1, dash + 1 + strlen(dash + 1), &epr->epr_hi);
	if (rc == 0 && epr->epr_lo > epr->epr_hi)
		rc = -DER_INVAL;
	return rc;
}

int
dtype_parse(const char *str, uint16_t *type)
{
	daos_cont_layout_t t = DAOS_PROP_CO_LAYOUT_UNKNOWN;

	if (str == NULL)
		return -DER_INVAL;
	daos_parse_ctype(str, &t);
	/* "unknown" is what DAOS prints for no type; accept it back */
	if (t == DAOS_PROP_CO_LAYOUT_UNKNOWN && strcasecmp(str, "unknown") != 0)
		return -DER_INVAL;
	*type = (uint16_t)t;
	return 0;
}
