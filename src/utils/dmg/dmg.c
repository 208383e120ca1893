/**
 * dmg: the DAOS administration tool. A CaRT client that sends management
 * requests to the servers of its host list (-l, else daos_control.yml's
 * hostlist, else localhost:10001). Commands live in a table so that new
 * groups (pool ...) slot in without touching the parser.
 */
#define D_LOGFAC DD_FAC(mgmt)

#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <unistd.h>
#include <gurt/common.h>
#include "dmg.h"
#include "../../pool/rpc.h"

#define DMG_DEFAULT_PORT    10001
#define DMG_DEFAULT_CONTROL "/etc/daos/daos_control.yml"

int
dmg_fail(struct dmg *d, int rc, const char *fmt, ...)
{
	va_list ap;

	if (d->rc != 0)
		return d->rc;
	va_start(ap, fmt);
	d->rc = cli_vfail(d->err, sizeof(d->err), rc, false, fmt, ap);
	va_end(ap);
	return d->rc;
}

void
json_begin(struct dmg *d)
{
	cli_json_open();
}

void
json_end(struct dmg *d)
{
	cli_json_close(d->rc, d->err);
}

char *
dmg_ranks_str(d_rank_t *ranks, int nr)
{
	d_rank_list_t rl = {.rl_ranks = ranks, .rl_nr = (uint32_t)nr};
	char *s = NULL;

	if (nr == 1) {
		D_ASPRINTF(s, "%u", ranks[0]);
		return s;
	}
	if (d_rank_list_to_str(&rl, &s) != 0)
		return NULL;
	return s;
}

int
dmg_parse_ranks(const char *s, d_rank_list_t **ranks)
{
	return d_rank_list_parse(s, ",", ranks);
}

/* ---- transport ---- */

struct dmg_waiter {
	int left;
	int *rcs;
	crt_rpc_t **rpcs;
	int nr;
	/* replies whose transport and own rc (first int32 of every mgmt output) are 0 */
	int ok;
};

static void
dmg_send_cb(const struct crt_cb_info *cb)
{
	struct dmg_waiter *w = cb->cci_arg;
	int i;

	for (i = 0; i < w->nr; i++)
		if (w->rpcs[i] == cb->cci_rpc)
			w->rcs[i] = cb->cci_rc;
	if (cb->cci_rc == 0 && *(int32_t *)crt_reply_get(cb->cci_rpc) == 0)
		w->ok++;
	w->left--;
}

static int
dmg_any_ok(void *arg)
{
	struct dmg_waiter *w = arg;

	return w->ok > 0 || w->left == 0;
}

static int
dmg_all_done(void *arg)
{
	return ((struct dmg_waiter *)arg)->left == 0;
}

int
dmg_req(struct dmg *d, const char *addr, crt_opcode_t opc, crt_rpc_t **rpc)
{
	crt_endpoint_t ep = {.ep_rank = 0, .ep_tag = 0};
	char *uri = NULL;
	int rc;

	rc = mgmt_addr2uri(d->provider, addr, DMG_DEFAULT_PORT, &uri);
	if (rc != 0)
		return dmg_fail(d, rc, "bad host address \"%s\"", addr);
	rc = strstr(d->provider, "tcp") != NULL ? mgmt_uri_probe(uri) : 0;
	if (rc != 0) {
		D_FREE(uri);
		/* callers decide: one dead host of a list is not a failure of every command */
		return rc;
	}
	rc = crt_req_create(d->ctx, &ep, opc, rpc);
	if (rc == 0) {
		rc = crt_req_set_dest_uri(*rpc, uri);
		if (rc != 0)
			crt_req_decref(*rpc);
	}
	D_FREE(uri);
	return rc;
}

/* The caller keeps one reference on each RPC (read the output, then crt_req_decref()). */
int
dmg_send_all(struct dmg *d, crt_rpc_t **rpcs, int nr, int *rcs)
{
	struct dmg_waiter w = {.left = nr, .rcs = rcs, .rpcs = rpcs, .nr = nr};
	int i, rc;

	for (i = 0; i < nr; i++) {
		rcs[i] = -DER_INVAL;
		crt_req_addref(rpcs[i]);
		crt_req_set_timeout_ms(rpcs[i], d->timeout_ms);
		crt_req_send(rpcs[i], dmg_send_cb, &w);
	}
	/* the RPC timeouts bound this; the extra second covers the last callback */
	rc = crt_progress_cond(d->ctx, (int64_t)(d->timeout_ms + 1000) * 1000, dmg_all_done, &w);
	if (rc < 0 && w.left > 0) {
		for (i = 0; i < nr; i++)
			crt_req_abort(rpcs[i]);
		crt_progress_cond(d->ctx, 1000 * 1000, dmg_all_done, &w);
	}
	return 0;
}

/*
 * Like dmg_send_all, but done as soon as one RPC succeeded: the others are
 * aborted (-DER_CANCELED), so a host of the list that hangs costs nothing
 * once another has answered.
 */
static void
dmg_send_first(struct dmg *d, crt_rpc_t **rpcs, int nr, int *rcs)
{
	struct dmg_waiter w = {.left = nr, .rcs = rcs, .rpcs = rpcs, .nr = nr};
	int i;

	for (i = 0; i < nr; i++) {
		rcs[i] = -DER_INVAL;
		crt_req_addref(rpcs[i]);
		crt_req_set_timeout_ms(rpcs[i], d->timeout_ms);
		crt_req_send(rpcs[i], dmg_send_cb, &w);
	}
	crt_progress_cond(d->ctx, (int64_t)(d->timeout_ms + 1000) * 1000, dmg_any_ok, &w);
	if (w.left > 0) {
		for (i = 0; i < nr; i++)
			crt_req_abort(rpcs[i]);
		crt_progress_cond(d->ctx, 1000 * 1000, dmg_all_done, &w);
	}
}

int
dmg_leader(struct dmg *d, char **leader)
{
	crt_rpc_t **rpcs;
	int *rcs, i, n = 0, rc = -DER_UNREACH;

	D_ALLOC_ARRAY(rpcs, d->nr_hosts);
	D_ALLOC_ARRAY(rcs, d->nr_hosts);
	if (rpcs == NULL || rcs == NULL) {
		D_FREE(rpcs);
		D_FREE(rcs);
		return -DER_NOMEM;
	}
	for (i = 0; i < d->nr_hosts; i++) {
		int rc2 = dmg_req(d, d->hosts[i], MGMT_LEADER_QUERY, &rpcs[n]);

		if (rc2 == 0)
			n++;
		else if (rc == -DER_UNREACH)
			rc = rc2;
	}
	/* every host at once; the first in list order that answered names the leader */
	dmg_send_first(d, rpcs, n, rcs);
	*leader = NULL;
	for (i = 0; i < n; i++) {
		struct mgmt_leader_query_out *out = crt_reply_get(rpcs[i]);

		if (*leader == NULL && rcs[i] == 0 && out->lqo_rc == 0 && out->lqo_leader != NULL) {
			D_STRNDUP(*leader, out->lqo_leader, 256);
			rc = *leader ? 0 : -DER_NOMEM;
		} else if (*leader == NULL && rc == -DER_UNREACH && rcs[i] != 0) {
			rc = rcs[i];
		}
		crt_req_decref(rpcs[i]);
	}
	D_FREE(rpcs);
	D_FREE(rcs);
	if (rc != 0 && d->rc == 0)
		dmg_fail(d, rc,
			 "no management service reachable via %s%s (is daos_server running?)",
			 d->hosts[0], d->nr_hosts > 1 ? " and the other hosts of the list" : "");
	return rc;
}

/* ---- configuration ---- */

static int
add_hosts(struct dmg *d, const char *list)
{
	char *copy, *tok, *save = NULL;
	int rc = 0;

	D_STRNDUP(copy, list, 4096);
	if (copy == NULL)
		return -DER_NOMEM;
	for (tok = strtok_r(copy, ", ", &save); tok != NULL; tok = strtok_r(NULL, ", ", &save)) {
		char **h;

		D_REALLOC_ARRAY(h, d->hosts, d->nr_hosts, d->nr_hosts + 1);
		if (h == NULL)
			D_GOTO(out, rc = -DER_NOMEM);
		d->hosts = h;
		if (strchr(tok, ':') == NULL)
			D_ASPRINTF(d->hosts[d->nr_hosts], "%s:%d", tok, DMG_DEFAULT_PORT);
		else
			D_STRNDUP(d->hosts[d->nr_hosts], tok, 256);
		if (d->hosts[d->nr_hosts] == NULL)
			D_GOTO(out, rc = -DER_NOMEM);
		d->nr_hosts++;
	}
out:
	D_FREE(copy);
	return rc;
}

/* daos_control.yml: hostlist (and port for entries without one). */
static int
load_control(struct dmg *d, const char *path, bool must_exist)
{
	char err[512];
	char **hosts;
	int nr, i, rc;

	rc = mgmt_yaml_hosts(path, "hostlist", DMG_DEFAULT_PORT, &hosts, &nr, err, sizeof(err));
	if (rc == -DER_NONEXIST && !must_exist)
		return 0;
	if (rc != 0) {
		fprintf(stderr, "ERROR: dmg: %s\n", err);
		return rc;
	}
	for (i = 0; i < nr && rc == 0; i++)
		rc = add_hosts(d, hosts[i]);
	mgmt_hosts_free(hosts, nr);
	return rc;
}

static const struct dmg_cmd *const dmg_tables[] = {dmg_cmds, dmg_pool_cmds, NULL};

static const struct dmg_cmd *
dmg_find(const char *group, const char *name)
{
	const struct dmg_cmd *c;
	int t;

	for (t = 0; dmg_tables[t] != NULL; t++)
		for (c = dmg_tables[t]; c->group != NULL; c++)
			if (strcmp(c->group, group) == 0 && strcmp(c->name, name) == 0)
				return c;
	return NULL;
}

static void
usage(FILE *out)
{
	const struct dmg_cmd *c;
	int t;

	fprintf(out, "Usage: dmg [-l host:port[,...]] [-o daos_control.yml] [-i] [-j] <group> "
		     "<command> [options]\n\n"
		     "  -l, --host-list   servers to contact (default: hostlist of the control\n"
		     "                    config, else localhost:10001)\n"
		     "  -o, --config-path daos_control.yml (default " DMG_DEFAULT_CONTROL ")\n"
		     "  -i, --insecure    accepted (no certificates in pdaos)\n"
		     "  -j, --json        JSON output\n\nCommands:\n");
	for (t = 0; dmg_tables[t] != NULL; t++)
		for (c = dmg_tables[t]; c->group != NULL; c++)
			fprintf(out, "  %-8s %-14s %s\n", c->group, c->name, c->help);
	fprintf(out, "\n\"sys\" is an alias of \"system\". Environment: D_PROVIDER (default "
		     "ofi+tcp;ofi_rxm), D_INTERFACE, DMG_TIMEOUT (seconds, default 15).\n");
}

int
main(int argc, char **argv)
{
	static struct option opts[] = {{"host-list", required_argument, NULL, 'l'},
				       {"config-path", required_argument, NULL, 'o'},
				       {"insecure", no_argument, NULL, 'i'},
				       {"json", no_argument, NULL, 'j'},
				       {"debug", no_argument, NULL, 'd'},
				       {"help", no_argument, NULL, 'h'},
				       {NULL, 0, NULL, 0}};
	struct dmg d = {0};
	crt_init_options_t opt = {0};
	const struct dmg_cmd *cmd;
	const char *hostlist = NULL, *config = NULL, *group, *s;
	int c, i, rc;

	/* global options stop at the first word (the command group) */
	while ((c = getopt_long(argc, argv, "+l:o:ijdh", opts, NULL)) != -1) {
		switch (c) {
		case 'l':
			hostlist = optarg;
			break;
		case 'o':
			config = optarg;
			break;
		case 'i':
			break;
		case 'j':
			d.json = true;
			break;
		case 'd':
			d.debug = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 1;
		}
	}
	if (argc - optind < 2) {
		if (argc - optind == 1 && strcmp(argv[optind], "help") == 0) {
			usage(stdout);
			return 0;
		}
		fprintf(stderr, "ERROR: dmg: a command group and a command are needed\n");
		usage(stderr);
		return 1;
	}
	group = argv[optind];
	if (strcmp(group, "sys") == 0)
		group = "system";
	cmd = dmg_find(group, argv[optind + 1]);
	if (cmd == NULL) {
		fprintf(stderr, "ERROR: dmg: unknown command \"%s %s\"\n", argv[optind],
			argv[optind + 1]);
		usage(stderr);
		return 1;
	}

	if (hostlist != NULL)
		rc = add_hosts(&d, hostlist);
	else
		rc = load_control(&d, config ? config : DMG_DEFAULT_CONTROL, config != NULL);
	if (rc != 0)
		return 1;
	if (d.nr_hosts == 0 && add_hosts(&d, "localhost:10001") != 0)
		return 1;
	s = getenv("D_PROVIDER");
	D_STRNDUP(d.provider, s ? s : "ofi+tcp;ofi_rxm", 64);
	s = getenv("DMG_TIMEOUT");
	d.timeout_ms = (s && atoi(s) > 0) ? (uint32_t)atoi(s) * 1000 : 15000;
	if (!d.debug && getenv("D_LOG_MASK") == NULL)
		setenv("D_LOG_MASK", "CRIT", 1);

	opt.cio_provider = d.provider;
	rc = crt_init_opt(NULL, 0, &opt);
	if (rc == 0) {
		rc = crt_proto_register(&mgmt_proto_fmt);
		if (rc == 0)
			rc = crt_proto_register(&pool_proto_fmt);
		if (rc == 0)
			rc = crt_context_create(&d.ctx);
		if (rc != 0)
			crt_finalize();
	}
	if (rc != 0) {
		fprintf(stderr, "ERROR: dmg: cannot start the transport (%s): %s(%d): %s\n",
			d.provider, d_errstr(rc), rc, d_errdesc(rc));
		return 1;
	}

	/* the command sees its own words: argv[0] is the command name */
	c = optind + 1;
	optind = 0; /* re-initialize getopt for the command's options */
	cmd->fn(&d, argc - c, argv + c);
	if (d.rc != 0 && !d.json)
		fprintf(stderr, "ERROR: dmg: %s\n", d.err);
	crt_context_destroy(d.ctx, 1);
	crt_finalize();
	for (i = 0; i < d.nr_hosts; i++)
		D_FREE(d.hosts[i]);
	D_FREE(d.hosts);
	D_FREE(d.provider);
	return d.rc == 0 ? 0 : 1;
}
