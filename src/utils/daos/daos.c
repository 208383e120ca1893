/**
 * daos: the user tool. Pool and container commands on top of libdaos, with
 * DAOS's command syntax (current and older documented forms), text layouts
 * and -j JSON envelope. Commands are tables (daos_pool.c, daos_cont.c).
 */
#define D_LOGFAC DD_FAC(client)

#include <stdarg.h>
#include <strings.h>
#include <gurt/common.h>
#include "daos_cli.h"

static const struct {
	const char *name;
	const char *aliases;
	const struct dcmd *table;
} dgroups[] = {
	{"pool", "pool", dcmd_pool},
	{"container", "container|cont", dcmd_cont},
};

static bool
name_in(const char *name, const char *list)
{
	size_t len = strlen(name);
	const char *p = list;

	while (p != NULL && *p != '\0') {
		const char *bar = strchr(p, '|');
		size_t n = bar ? (size_t)(bar - p) : strlen(p);

		if (n == len && strncmp(p, name, n) == 0)
			return true;
		p = bar ? bar + 1 : NULL;
	}
	return false;
}

static void
usage(FILE *out, const struct dcmd *only)
{
	const struct dcmd *c;
	size_t g;

	fprintf(out, "Usage: daos [-j|--json] [--debug] <pool|container|cont> <command> "
		     "[options] [arguments]\n\n");
	for (g = 0; g < ARRAY_SIZE(dgroups); g++)
		for (c = dgroups[g].table; c->name != NULL; c++)
			if (only == NULL || only == c)
				fprintf(out, "  daos %s %s\n", dgroups[g].name, c->usage);
	fprintf(out, "\n\"cont\" is an alias of \"container\". Pools and containers are named by "
		     "label or UUID,\nas positionals or with -p/--pool and -c/--cont. Environment: "
		     "DAOS_ACCESS_POINTS=host:port[,...]\n(default 127.0.0.1:10001).\n");
}

/* Global flags, accepted before the group, between group and command, and as -j anywhere. */
static int
global_flag(struct dcli *d, const char *w)
{
	if (strcmp(w, "-j") == 0 || strcmp(w, "--json") == 0)
		d->json = true;
	else if (strcmp(w, "--verbose") == 0 || strcmp(w, "-v") == 0)
		d->verbose = true;
	else if (strcmp(w, "--debug") == 0 || strcmp(w, "-d") == 0)
		d->debug = true;
	else
		return -1;
	return 0;
}

int
main(int argc, char **argv)
{
	struct dcli d = {0};
	const struct dcmd *tbl = NULL, *cmd = NULL;
	struct dargs a;
	char err[256];
	int i = 1, g, rc;

	for (; i < argc && argv[i][0] == '-'; i++) {
		if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
			usage(stdout, NULL);
			return 0;
		}
		if (global_flag(&d, argv[i]) != 0) {
			fprintf(stderr, "ERROR: daos: unknown flag `%s'\n", argv[i]);
			return 1;
		}
	}
	if (i < argc && strcmp(argv[i], "help") == 0) {
		usage(stdout, NULL);
		return 0;
	}
	for (g = 0; i < argc && g < (int)ARRAY_SIZE(dgroups); g++)
		if (name_in(argv[i], dgroups[g].aliases))
			tbl = dgroups[g].table;
	if (tbl == NULL) {
		fprintf(stderr, "ERROR: daos: %s\n",
			i < argc ? "unknown command group (pool, container)"
				 : "a command is needed");
		usage(stderr, NULL);
		return 1;
	}
	/* the older docs put flags between the group and the command */
	for (i++; i < argc && argv[i][0] == '-'; i++) {
		if (global_flag(&d, argv[i]) != 0)
			break;
	}
	for (; i < argc && tbl != NULL && cmd == NULL; tbl++) {
		if (tbl->name == NULL)
			break;
		if (strcmp(tbl->name, argv[i]) == 0 ||
		    (tbl->aliases != NULL && name_in(argv[i], tbl->aliases)))
			cmd = tbl;
	}
	if (cmd == NULL) {
		if (i >= argc)
			fprintf(stderr, "ERROR: daos: %s: a command is needed\n", argv[i - 1]);
		else
			fprintf(stderr, "ERROR: daos: unknown command `%s'\n", argv[i]);
		usage(stderr, NULL);
		return 1;
	}
	for (rc = i + 1; rc < argc; rc++) {
		if (strcmp(argv[rc], "--help") == 0) {
			usage(stdout, cmd);
			return 0;
		}
	}
	/* -j/--json and --verbose are global in DAOS: accept them after the command as well */
	rc = dargs_parse(argc - i - 1, argv + i + 1, cmd->opts | OPT(O_JSON) | OPT(O_VERBOSE), &a,
			 err, sizeof(err));
	if (rc == 0 && a.opt[O_JSON] != NULL)
		d.json = true;
	if (rc == 0 && a.opt[O_VERBOSE] != NULL)
		d.verbose = true;
	if (rc != 0) {
		dfail(&d, rc, "%s", err);
		if (d.json)
			djson_end(&d);
		else
			fprintf(stderr, "ERROR: daos: %s\n", d.err);
		return 1;
	}

	if (!d.debug && getenv("D_LOG_MASK") == NULL)
		setenv("D_LOG_MASK", "CRIT", 1);
	rc = daos_init();
	if (rc != 0) {
		dfail(&d, rc, "failed to initialize the DAOS library");
	} else {
		cmd->fn(&d, &a);
		daos_fini();
	}
	if (d.json)
		djson_end(&d);
	else if (d.rc != 0)
		fprintf(stderr, "ERROR: daos: %s\n", d.err);
	return d.rc == 0 ? 0 : 1;
}
