/* dmg storage, system and server commands. Output follows DAOS's dmg (text and -j JSON). */
#define D_LOGFAC DD_FAC(mgmt)

#include <ctype.h>
#include <getopt.h>
#include <gurt/common.h>
#include "dmg.h"

/* Options every command accepts, besides its own. */
#define DMG_COMMON_OPTS                                                         \
	{"json", no_argument, NULL, 'j'}, {"insecure", no_argument, NULL, 'i'}, \
		{"help", no_argument, NULL, 'h'},                               \
	{                                                                       \
		NULL, 0, NULL, 0                                                \
	}

static int
bad_option(struct dmg *d, const char *cmd)
{
	return dmg_fail(d, -DER_INVAL, "%s: bad option (see dmg --help)", cmd);
}

static const char *
state_title(uint32_t state)
{
	static char buf[32];
	const char *s = mgmt_state_str(state);

	snprintf(buf, sizeof(buf), "%s", s);
	buf[0] = (char)toupper((unsigned char)buf[0]);
	if (strcmp(s, "awaitformat") == 0)
		snprintf(buf, sizeof(buf), "AwaitFormat");
	return buf;
}

static void
print_rc_text(int rc, char *buf, size_t len)
{
	if (rc == 0)
		snprintf(buf, len, "OK");
	else
		snprintf(buf, len, "%s(%d): %s", d_errstr(rc), rc, d_errdesc(rc));
}

/* ---- storage ---- */

static int
cmd_storage_format(struct dmg *d, int argc, char **argv)
{
	static struct option opts[] = {{"force", no_argument, NULL, 'f'},
				       {"verbose", no_argument, NULL, 'v'},
				       DMG_COMMON_OPTS};
	crt_rpc_t **rpcs;
	int *rcs, *hi = NULL, c, i, n = 0, nok = 0, rc;
	bool force = false;
	char err[256];

	while ((c = getopt_long(argc, argv, "fvjih", opts, NULL)) != -1) {
		if (c == 'f')
			force = true;
		else if (c == 'j')
			d->json = true;
		else if (c != 'v' && c != 'i')
			return bad_option(d, "storage format");
	}
	D_ALLOC_ARRAY(rpcs, d->nr_hosts);
	D_ALLOC_ARRAY(rcs, d->nr_hosts);
	D_ALLOC_ARRAY(hi, d->nr_hosts);
	if (rpcs == NULL || rcs == NULL || hi == NULL) {
		D_FREE(hi);
		D_FREE(rpcs);
		D_FREE(rcs);
		return dmg_fail(d, -DER_NOMEM, "storage format");
	}
	for (i = 0; i < d->nr_hosts; i++) {
		rc = dmg_req(d, d->hosts[i], MGMT_STORAGE_FORMAT, &rpcs[n]);
		if (rc != 0) {
			dmg_fail(d, rc, "storage format: cannot reach %s", d->hosts[i]);
			continue;
		}
		((struct mgmt_format_in *)crt_req_get(rpcs[n]))->fi_force = force;
		hi[n++] = i;
	}
	dmg_send_all(d, rpcs, n, rcs);
	for (i = 0; i < n; i++) {
		struct mgmt_format_out *out = crt_reply_get(rpcs[i]);

		if (rcs[i] == 0)
			rcs[i] = out->fo_rc;
		if (rcs[i] == 0)
			nok++;
		else
			dmg_fail(d, rcs[i], "storage format failed on %s", d->hosts[hi[i]]);
	}
	if (d->json) {
		json_begin(d);
		printf("{\n    \"host_errors\": {");
		for (i = 0, c = 0; i < n; i++) {
			if (rcs[i] == 0)
				continue;
			print_rc_text(rcs[i], err, sizeof(err));
			printf("%s\n      ", c++ ? "," : "");
			cli_json_str(stdout, d->hosts[hi[i]]);
			printf(": {\"status\": %d, \"error\": ", rcs[i]);
			cli_json_str(stdout, err);
			printf("}");
		}
		printf("},\n    \"host_storage_map\": {");
		for (i = 0, c = 0; i < n; i++) {
			struct mgmt_format_out *out = crt_reply_get(rpcs[i]);
			char uuid[40];

			if (rcs[i] != 0)
				continue;
			uuid_unparse_lower(out->fo_uuid, uuid);
			printf("%s\n      ", c++ ? "," : "");
			cli_json_str(stdout, d->hosts[hi[i]]);
			printf(": {\"hosts\": ");
			cli_json_str(stdout, d->hosts[hi[i]]);
			printf(", \"scm_mount\": ");
			cli_json_str(stdout, out->fo_scm_mount);
			printf(", \"bdev_path\": ");
			cli_json_str(stdout, out->fo_bdev_path);
			printf(", \"uuid\": \"%s\"}", uuid);
		}
		printf("}\n  }");
		json_end(d);
	} else {
		if (nok > 0) {
			printf("Format Summary:\n  %-22s %-11s %s\n  %-22s %-11s %s\n", "Hosts",
			       "SCM Devices", "Data Devices", "-----", "-----------",
			       "------------");
			for (i = 0; i < n; i++)
				if (rcs[i] == 0)
					printf("  %-22s %-11d %d\n", d->hosts[hi[i]], 1, 1);
		}
		if (nok < n || n < d->nr_hosts) {
			printf("Errors:\n  %-22s %s\n  %-22s %s\n", "Hosts", "Error", "-----",
			       "-----");
			for (i = 0; i < n; i++) {
				if (rcs[i] == 0)
					continue;
				print_rc_text(rcs[i], err, sizeof(err));
				printf("  %-22s %s%s\n", d->hosts[hi[i]], err,
				       rcs[i] == -DER_EXIST ? " (already formatted)" : "");
			}
		}
	}
	for (i = 0; i < n; i++)
		crt_req_decref(rpcs[i]);
	D_FREE(rpcs);
	D_FREE(rcs);
	D_FREE(hi);
	return d->rc;
}

static int
cmd_storage_scan(struct dmg *d, int argc, char **argv)
{
	static struct option opts[] = {{"verbose", no_argument, NULL, 'v'}, DMG_COMMON_OPTS};
	crt_rpc_t **rpcs;
	int *rcs, *hi = NULL, c, i, n = 0;
	bool verbose = false;

	while ((c = getopt_long(argc, argv, "vjih", opts, NULL)) != -1) {
		if (c == 'v')
			verbose = true;
		else if (c == 'j')
			d->json = true;
		else if (c != 'i')
			return bad_option(d, "storage scan");
	}
	D_ALLOC_ARRAY(rpcs, d->nr_hosts);
	D_ALLOC_ARRAY(rcs, d->nr_hosts);
	D_ALLOC_ARRAY(hi, d->nr_hosts);
	if (rpcs == NULL || rcs == NULL || hi == NULL) {
		D_FREE(hi);
		D_FREE(rpcs);
		D_FREE(rcs);
		return dmg_fail(d, -DER_NOMEM, "storage scan");
	}
	for (i = 0; i < d->nr_hosts; i++) {
		c = dmg_req(d, d->hosts[i], MGMT_STORAGE_SCAN, &rpcs[n]);
		if (c == 0)
			hi[n++] = i;
		else
			dmg_fail(d, c, "storage scan: cannot reach %s", d->hosts[i]);
	}
	dmg_send_all(d, rpcs, n, rcs);
	if (d->json) {
		json_begin(d);
		printf("{\n    \"hosts\": [");
	} else if (!verbose && n > 0) {
		printf("%-22s %-24s %s\n%-22s %-24s %s\n", "Hosts", "SCM Total", "Data Total",
		       "-----", "---------", "----------");
	}
	for (i = 0, c = 0; i < n; i++) {
		struct mgmt_scan_out *o = crt_reply_get(rpcs[i]);
		char st[32], sa[32], bt[32], ba[32], col[64];

		if (rcs[i] == 0)
			rcs[i] = o->so_rc;
		if (rcs[i] != 0) {
			dmg_fail(d, rcs[i], "storage scan failed on %s", d->hosts[hi[i]]);
			continue;
		}
		cli_size_str(o->so_scm_total, st, sizeof(st));
		cli_size_str(o->so_scm_avail, sa, sizeof(sa));
		cli_size_str(o->so_bdev_total, bt, sizeof(bt));
		cli_size_str(o->so_bdev_avail, ba, sizeof(ba));
		if (d->json) {
			printf("%s\n      {\"addr\": ", c++ ? "," : "");
			cli_json_str(stdout, o->so_addr);
			printf(", \"formatted\": %s, \"rank\": %d, \"targets\": %u,\n"
			       "       \"scm\": {\"class\": ",
			       o->so_formatted ? "true" : "false",
			       o->so_rank == CRT_NO_RANK ? -1 : (int)o->so_rank, o->so_nr_targets);
			cli_json_str(stdout, o->so_scm_class);
			printf(", \"mount\": ");
			cli_json_str(stdout, o->so_scm_mount);
			printf(", \"total_bytes\": %lu, \"avail_bytes\": %lu},\n"
			       "       \"data\": {\"class\": ",
			       (unsigned long)o->so_scm_total, (unsigned long)o->so_scm_avail);
			cli_json_str(stdout, o->so_bdev_class);
			printf(", \"path\": ");
			cli_json_str(stdout, o->so_bdev_path);
			printf(", \"total_bytes\": %lu, \"avail_bytes\": %lu}}",
			       (unsigned long)o->so_bdev_total, (unsigned long)o->so_bdev_avail);
		} else if (verbose) {
			printf("%s\n  formatted: %s, rank: ", d->hosts[hi[i]],
			       o->so_formatted ? "yes" : "no");
			if (o->so_rank == CRT_NO_RANK)
				printf("none");
			else
				printf("%u", o->so_rank);
			printf(", targets: %u\n", o->so_nr_targets);
			printf("  SCM  class %-5s %-40s total %s, free %s\n", o->so_scm_class,
			       o->so_scm_mount, st, sa);
			printf("  Data class %-5s %-40s total %s, free %s\n", o->so_bdev_class,
			       o->so_bdev_path, bt, ba);
		} else {
			snprintf(col, sizeof(col), "%s (%s)", st, o->so_scm_class);
			printf("%-22s %-24s %s (%s)\n", d->hosts[hi[i]], col, bt, o->so_bdev_class);
		}
	}
	if (d->json) {
		printf("\n    ]\n  }");
		json_end(d);
	}
	for (i = 0; i < n; i++)
		crt_req_decref(rpcs[i]);
	D_FREE(rpcs);
	D_FREE(rcs);
	D_FREE(hi);
	return d->rc;
}

/* ---- system ---- */

/* One request to the access point; on success *rpcp holds the reply (decref it). */
static int
leader_call(struct dmg *d, crt_opcode_t opc, const char *what, void (*fill)(void *in, void *arg),
	    void *arg, crt_rpc_t **rpcp)
{
	char *leader = NULL;
	crt_rpc_t *rpc;
	int rc, rcs[1];

	rc = dmg_leader(d, &leader);
	if (rc != 0)
		return rc;
	rc = dmg_req(d, leader, opc, &rpc);
	if (rc != 0) {
		D_FREE(leader);
		return dmg_fail(d, rc, "%s", what);
	}
	if (fill != NULL)
		fill(crt_req_get(rpc), arg);
	dmg_send_all(d, &rpc, 1, rcs);
	if (rcs[0] != 0) {
		crt_req_decref(rpc);
		dmg_fail(d, rcs[0], "%s: access point %s", what, leader);
		D_FREE(leader);
		return rcs[0];
	}
	D_FREE(leader);
	*rpcp = rpc;
	return 0;
}

static void
fill_query(void *in, void *arg)
{
	((struct mgmt_sys_query_in *)in)->sqi_ranks = arg;
}

static void
print_absent(struct dmg *d, d_rank_list_t *absent)
{
	char *s;

	if (absent == NULL || absent->rl_nr == 0 || d->json)
		return;
	s = dmg_ranks_str(absent->rl_ranks, (int)absent->rl_nr);
	printf("\nUnknown %u rank%s: %s\n", absent->rl_nr, absent->rl_nr > 1 ? "s" : "",
	       s ? s : "?");
	D_FREE(s);
}

static int
cmd_system_query(struct dmg *d, int argc, char **argv)
{
	static struct option opts[] = {{"verbose", no_argument, NULL, 'v'},
				       {"ranks", required_argument, NULL, 'r'},
				       {"rank-hosts", required_argument, NULL, 'R'},
				       DMG_COMMON_OPTS};
	struct mgmt_sys_query_out *out;
	d_rank_list_t *ranks = NULL;
	mgmt_member_t *m;
	crt_rpc_t *rpc;
	bool verbose = false;
	int c, rc;
	uint64_t i, j;

	while ((c = getopt_long(argc, argv, "vr:jih", opts, NULL)) != -1) {
		if (c == 'v') {
			verbose = true;
		} else if (c == 'r') {
			d_rank_list_free(ranks);
			if (dmg_parse_ranks(optarg, &ranks) != 0)
				return dmg_fail(d, -DER_INVAL, "bad rank list \"%s\"", optarg);
		} else if (c == 'j') {
			d->json = true;
		} else if (c != 'i') {
			d_rank_list_free(ranks);
			return bad_option(d, "system query");
		}
	}
	rc = leader_call(d, MGMT_SYSTEM_QUERY, "system query", fill_query, ranks, &rpc);
	d_rank_list_free(ranks);
	if (rc != 0)
		goto json_err;
	out = crt_reply_get(rpc);
	if (out->sqo_rc != 0) {
		dmg_fail(d, out->sqo_rc, "system query%s",
			 out->sqo_rc == -DER_UNINIT
				 ? " (storage not formatted yet: dmg storage format)"
				 : "");
		crt_req_decref(rpc);
		goto json_err;
	}
	m = out->sqo_members.ca_arrays;
	if (d->json) {
		json_begin(d);
		printf("{\n    \"members\": [");
		for (i = 0; i < out->sqo_members.ca_count; i++) {
			char uuid[40];

			uuid_unparse_lower(m[i].mm_uuid, uuid);
			printf("%s\n      {\n        \"addr\": ", i ? "," : "");
			cli_json_str(stdout, m[i].mm_addr);
			printf(",\n        \"state\": ");
			cli_json_str(stdout, mgmt_state_str(m[i].mm_state));
			printf(",\n        \"fault_domain\": ");
			cli_json_str(stdout, m[i].mm_fault_domain);
			printf(",\n        \"rank\": %u,\n        \"uuid\": \"%s\",\n"
			       "        \"fabric_uri\": ",
			       m[i].mm_rank, uuid);
			cli_json_str(stdout, m[i].mm_uri);
			printf(",\n        \"fabric_contexts\": %u,\n        \"info\": ",
			       m[i].mm_nr_targets + 1);
			cli_json_str(stdout, m[i].mm_reason);
			printf(",\n        \"incarnation\": %lu\n      }",
			       (unsigned long)m[i].mm_incarnation);
		}
		printf("\n    ],\n    \"providers\": [");
		cli_json_str(stdout, out->sqo_provider);
		printf("],\n    \"data_version\": %u,\n    \"absent_ranks\": \"",
		       out->sqo_map_version);
		if (out->sqo_absent != NULL && out->sqo_absent->rl_nr > 0) {
			char *s = dmg_ranks_str(out->sqo_absent->rl_ranks,
						(int)out->sqo_absent->rl_nr);

			printf("%s", s ? s : "");
			D_FREE(s);
		}
		printf("\"\n  }");
		json_end(d);
	} else if (out->sqo_members.ca_count == 0) {
		printf("No system members (not joined yet: format the servers' storage)\n");
	} else if (verbose) {
		int wa = 15, wf = 12;

		for (i = 0; i < out->sqo_members.ca_count; i++) {
			if ((int)strlen(m[i].mm_addr) > wa)
				wa = (int)strlen(m[i].mm_addr);
			if ((int)strlen(m[i].mm_fault_domain) > wf)
				wf = (int)strlen(m[i].mm_fault_domain);
		}
		printf("Rank UUID                                 %-*s %-*s State        Reason\n"
		       "---- ----                                 %-*s %-*s -----        ------\n",
		       wa, "Control Address", wf, "Fault Domain", wa, "---------------", wf,
		       "------------");
		for (i = 0; i < out->sqo_members.ca_count; i++) {
			char uuid[40];

			uuid_unparse_lower(m[i].mm_uuid, uuid);
			printf("%-4u %s %-*s %-*s %-12s %s\n", m[i].mm_rank, uuid, wa, m[i].mm_addr,
			       wf, m[i].mm_fault_domain, state_title(m[i].mm_state),
			       m[i].mm_reason);
		}
	} else {
		/* DAOS's compact form: one line per state with its rank set */
		d_rank_t *rs;

		D_ALLOC_ARRAY(rs, out->sqo_members.ca_count);
		if (rs == NULL) {
			crt_req_decref(rpc);
			return dmg_fail(d, -DER_NOMEM, "system query");
		}
		printf("%-10s %s\n%-10s %s\n", "Rank", "State", "----", "-----");
		for (c = 0; c <= MGMT_MS_ERRORED; c++) {
			int nr = 0;
			char *s;

			for (j = 0; j < out->sqo_members.ca_count; j++)
				if ((int)m[j].mm_state == c)
					rs[nr++] = m[j].mm_rank;
			if (nr == 0)
				continue;
			s = dmg_ranks_str(rs, nr);
			printf("%-10s %s\n", s ? s : "?", state_title((uint32_t)c));
			D_FREE(s);
		}
		D_FREE(rs);
	}
	print_absent(d, out->sqo_absent);
	crt_req_decref(rpc);
	return 0;
json_err:
	if (d->json) {
		json_begin(d);
		printf("null");
		json_end(d);
	}
	return d->rc;
}

struct ctl_arg {
	d_rank_list_t *ranks;
	bool force;
};

static void
fill_ctl(void *in, void *arg)
{
	struct mgmt_sys_ctl_in *ci = in;
	struct ctl_arg *a = arg;

	ci->sci_ranks = a->ranks;
	ci->sci_force = a->force;
}

static int
system_ctl(struct dmg *d, int argc, char **argv, crt_opcode_t opc, const char *op)
{
	static struct option opts[] = {{"ranks", required_argument, NULL, 'r'},
				       {"force", no_argument, NULL, 'f'},
				       {"rank-hosts", required_argument, NULL, 'R'},
				       DMG_COMMON_OPTS};
	struct ctl_arg a = {0};
	struct mgmt_sys_ctl_out *out;
	mgmt_rank_result_t *r;
	crt_rpc_t *rpc;
	char what[64], res[256];
	int c, rc, nfail = 0;
	uint64_t i;

	snprintf(what, sizeof(what), "system %s", op);
	while ((c = getopt_long(argc, argv, "r:fjih", opts, NULL)) != -1) {
		if (c == 'r') {
			d_rank_list_free(a.ranks);
			if (dmg_parse_ranks(optarg, &a.ranks) != 0)
				return dmg_fail(d, -DER_INVAL, "bad rank list \"%s\"", optarg);
		} else if (c == 'f') {
			a.force = true;
		} else if (c == 'j') {
			d->json = true;
		} else if (c != 'i') {
			d_rank_list_free(a.ranks);
			return bad_option(d, what);
		}
	}
	rc = leader_call(d, opc, what, fill_ctl, &a, &rpc);
	d_rank_list_free(a.ranks);
	if (rc != 0)
		goto json_err;
	out = crt_reply_get(rpc);
	if (out->sco_rc != 0) {
		dmg_fail(d, out->sco_rc, "%s%s", what,
			 out->sco_rc == -DER_BUSY && opc == MGMT_SYSTEM_ERASE
				 ? " (stop the system first: dmg system stop)"
				 : "");
		crt_req_decref(rpc);
		goto json_err;
	}
	r = out->sco_results.ca_arrays;
	for (i = 0; i < out->sco_results.ca_count; i++)
		if (r[i].rr_rc != 0 && nfail++ == 0)
			dmg_fail(d, r[i].rr_rc, "%s failed on rank %u", what, r[i].rr_rank);
	if (d->json) {
		json_begin(d);
		printf("{\n    \"results\": [");
		for (i = 0; i < out->sco_results.ca_count; i++) {
			print_rc_text(r[i].rr_rc, res, sizeof(res));
			printf("%s\n      {\"rank\": %u, \"addr\": ", i ? "," : "", r[i].rr_rank);
			cli_json_str(stdout, r[i].rr_addr);
			printf(", \"action\": \"%s\", \"errored\": %s, \"msg\": ", op,
			       r[i].rr_rc ? "true" : "false");
			cli_json_str(stdout, r[i].rr_rc ? res : "");
			printf(", \"state\": ");
			cli_json_str(stdout, mgmt_state_str(r[i].rr_state));
			printf("}");
		}
		printf("\n    ]\n  }");
		json_end(d);
	} else if (opc == MGMT_SYSTEM_ERASE) {
		for (i = 0; i < out->sco_results.ca_count; i++) {
			print_rc_text(r[i].rr_rc, res, sizeof(res));
			printf("rank %u (%s): erase %s\n", r[i].rr_rank, r[i].rr_addr, res);
		}
		printf("System erased: format the storage again (dmg storage format)\n");
	} else {
		d_rank_t *rs;
		uint64_t j;

		D_ALLOC_ARRAY(rs, out->sco_results.ca_count + 1);
		printf("%-10s %-9s %s\n%-10s %-9s %s\n", "Rank", "Operation", "Result", "----",
		       "---------", "------");
		/* ranks with the same result on one line */
		for (i = 0; rs != NULL && i < out->sco_results.ca_count; i++) {
			int nr = 0;
			char *s;

			for (j = 0; j < i; j++)
				if (r[j].rr_rc == r[i].rr_rc)
					break;
			if (j < i)
				continue;
			for (j = i; j < out->sco_results.ca_count; j++)
				if (r[j].rr_rc == r[i].rr_rc)
					rs[nr++] = r[j].rr_rank;
			s = dmg_ranks_str(rs, nr);
			print_rc_text(r[i].rr_rc, res, sizeof(res));
			printf("%-10s %-9s %s\n", s ? s : "?", op, res);
			D_FREE(s);
		}
		D_FREE(rs);
	}
	print_absent(d, out->sco_absent);
	crt_req_decref(rpc);
	return d->rc;
json_err:
	if (d->json) {
		json_begin(d);
		printf("null");
		json_end(d);
	}
	return d->rc;
}

static int
cmd_system_stop(struct dmg *d, int argc, char **argv)
{
	return system_ctl(d, argc, argv, MGMT_SYSTEM_STOP, "stop");
}

static int
cmd_system_start(struct dmg *d, int argc, char **argv)
{
	return system_ctl(d, argc, argv, MGMT_SYSTEM_START, "start");
}

static int
cmd_system_erase(struct dmg *d, int argc, char **argv)
{
	return system_ctl(d, argc, argv, MGMT_SYSTEM_ERASE, "erase");
}

static int
cmd_system_leader_query(struct dmg *d, int argc, char **argv)
{
	static struct option opts[] = {DMG_COMMON_OPTS};
	struct mgmt_leader_query_out *out;
	crt_rpc_t **rpcs;
	int *rcs, c, i, n = 0, found = -1;

	while ((c = getopt_long(argc, argv, "jih", opts, NULL)) != -1) {
		if (c == 'j')
			d->json = true;
		else if (c != 'i')
			return bad_option(d, "system leader-query");
	}
	D_ALLOC_ARRAY(rpcs, d->nr_hosts);
	D_ALLOC_ARRAY(rcs, d->nr_hosts);
	if (rpcs == NULL || rcs == NULL) {
		D_FREE(rpcs);
		D_FREE(rcs);
		return dmg_fail(d, -DER_NOMEM, "leader query");
	}
	for (i = 0; i < d->nr_hosts; i++)
		if (dmg_req(d, d->hosts[i], MGMT_LEADER_QUERY, &rpcs[n]) == 0)
			n++;
	dmg_send_all(d, rpcs, n, rcs);
	for (i = 0; i < n && found < 0; i++) {
		out = crt_reply_get(rpcs[i]);
		if (rcs[i] == 0 && out->lqo_rc == 0)
			found = i;
	}
	if (found < 0)
		dmg_fail(d, n > 0 ? (rcs[0] ? rcs[0] : -DER_UNREACH) : -DER_UNREACH,
			 "system leader-query: no server of the host list answered");
	if (d->json) {
		json_begin(d);
		if (found < 0) {
			printf("null");
		} else {
			char *s, *save = NULL, *copy = NULL;

			out = crt_reply_get(rpcs[found]);
			printf("{\n    \"current_leader\": ");
			cli_json_str(stdout, out->lqo_leader);
			printf(",\n    \"replicas\": [");
			D_STRNDUP(copy, out->lqo_replicas, 4096);
			for (s = copy ? strtok_r(copy, ",", &save) : NULL, c = 0; s != NULL;
			     s = strtok_r(NULL, ",", &save)) {
				printf("%s", c++ ? ", " : "");
				cli_json_str(stdout, s);
			}
			D_FREE(copy);
			printf("],\n    \"down_replicas\": []\n  }");
		}
		json_end(d);
	} else if (found >= 0) {
		out = crt_reply_get(rpcs[found]);
		printf("Current Leader: %s\n   Replicas: %s\n", out->lqo_leader, out->lqo_replicas);
	}
	for (i = 0; i < n; i++)
		crt_req_decref(rpcs[i]);
	D_FREE(rpcs);
	D_FREE(rcs);
	return d->rc;
}

/* What daos_agent's dump-attachinfo shows: the GetAttachInfo reply a client library uses. */
static int
cmd_system_attach_info(struct dmg *d, int argc, char **argv)
{
	static struct option opts[] = {DMG_COMMON_OPTS};
	struct mgmt_get_attach_info_out *out;
	mgmt_rank_uri_t *ru;
	crt_rpc_t *rpc;
	uint64_t i;
	int c, rc;

	while ((c = getopt_long(argc, argv, "jih", opts, NULL)) != -1) {
		if (c == 'j')
			d->json = true;
		else if (c != 'i')
			return bad_option(d, "system attach-info");
	}
	rc = leader_call(d, MGMT_GET_ATTACH_INFO, "attach info", NULL, NULL, &rpc);
	if (rc != 0)
		goto json_err;
	out = crt_reply_get(rpc);
	if (out->gao_rc != 0) {
		dmg_fail(d, out->gao_rc, "attach info");
		crt_req_decref(rpc);
		goto json_err;
	}
	ru = out->gao_rank_uris.ca_arrays;
	if (d->json) {
		json_begin(d);
		printf("{\n    \"sys\": ");
		cli_json_str(stdout, out->gao_sys_name);
		printf(",\n    \"provider\": ");
		cli_json_str(stdout, out->gao_provider);
		printf(",\n    \"map_version\": %u,\n    \"rank_uris\": [", out->gao_map_version);
		for (i = 0; i < out->gao_rank_uris.ca_count; i++) {
			printf("%s\n      {\"rank\": %u, \"uri\": ", i ? "," : "", ru[i].ru_rank);
			cli_json_str(stdout, ru[i].ru_uri);
			printf("}");
		}
		printf("\n    ],\n    \"ms_ranks\": [");
		for (i = 0; i < out->gao_ms_ranks.ca_count; i++)
			printf("%s%u", i ? ", " : "", out->gao_ms_ranks.ca_arrays[i]);
		printf("]\n  }");
		json_end(d);
	} else {
		printf("System: %s, provider %s, map version %u\n", out->gao_sys_name,
		       out->gao_provider, out->gao_map_version);
		for (i = 0; i < out->gao_rank_uris.ca_count; i++)
			printf("  rank %u: %s\n", ru[i].ru_rank, ru[i].ru_uri);
	}
	crt_req_decref(rpc);
	return 0;
json_err:
	if (d->json) {
		json_begin(d);
		printf("null");
		json_end(d);
	}
	return d->rc;
}

/* ---- server ---- */

static int
cmd_server_set_logmasks(struct dmg *d, int argc, char **argv)
{
	static struct option opts[] = {{"masks", required_argument, NULL, 'm'},
				       {"streams", required_argument, NULL, 'd'},
				       {"subsystems", required_argument, NULL, 's'},
				       DMG_COMMON_OPTS};
	char *masks = NULL, *streams = NULL, *subsys = NULL;
	crt_rpc_t **rpcs;
	int *rcs, *hi = NULL, c, i, n = 0;

	while ((c = getopt_long(argc, argv, "m:d:s:jih", opts, NULL)) != -1) {
		if (c == 'm')
			masks = optarg;
		else if (c == 'd')
			streams = optarg;
		else if (c == 's')
			subsys = optarg;
		else if (c == 'j')
			d->json = true;
		else if (c != 'i')
			return bad_option(d, "server set-logmasks");
	}
	/* DAOS also takes the masks as a positional argument */
	if (masks == NULL && optind < argc)
		masks = argv[optind];
	D_ALLOC_ARRAY(rpcs, d->nr_hosts);
	D_ALLOC_ARRAY(rcs, d->nr_hosts);
	D_ALLOC_ARRAY(hi, d->nr_hosts);
	if (rpcs == NULL || rcs == NULL || hi == NULL) {
		D_FREE(hi);
		D_FREE(rpcs);
		D_FREE(rcs);
		return dmg_fail(d, -DER_NOMEM, "set-logmasks");
	}
	for (i = 0; i < d->nr_hosts; i++) {
		struct mgmt_set_logmasks_in *in;

		c = dmg_req(d, d->hosts[i], MGMT_SET_LOGMASKS, &rpcs[n]);
		if (c != 0) {
			dmg_fail(d, c, "set-logmasks: cannot reach %s", d->hosts[i]);
			continue;
		}
		in = crt_req_get(rpcs[n]);
		in->sli_masks = masks;
		in->sli_streams = streams;
		in->sli_subsys = subsys;
		hi[n++] = i;
	}
	dmg_send_all(d, rpcs, n, rcs);
	if (d->json) {
		json_begin(d);
		printf("{\n    \"hosts\": [");
	}
	for (i = 0; i < n; i++) {
		struct mgmt_set_logmasks_out *out = crt_reply_get(rpcs[i]);
		char res[256];

		if (rcs[i] == 0)
			rcs[i] = out->slo_rc;
		if (rcs[i] != 0)
			dmg_fail(d, rcs[i], "set-logmasks failed on %s", d->hosts[hi[i]]);
		print_rc_text(rcs[i], res, sizeof(res));
		if (d->json) {
			printf("%s\n      {\"addr\": ", i ? "," : "");
			cli_json_str(stdout, d->hosts[hi[i]]);
			printf(", \"status\": %d, \"masks\": ", rcs[i]);
			cli_json_str(stdout, rcs[i] == 0 ? out->slo_masks : "");
			printf("}");
		} else if (rcs[i] == 0) {
			printf("Engine log masks on %s: %s\n", d->hosts[hi[i]], out->slo_masks);
		} else {
			printf("Engine log masks on %s: %s\n", d->hosts[hi[i]], res);
		}
	}
	if (d->json) {
		printf("\n    ]\n  }");
		json_end(d);
	}
	for (i = 0; i < n; i++)
		crt_req_decref(rpcs[i]);
	D_FREE(rpcs);
	D_FREE(rcs);
	D_FREE(hi);
	return d->rc;
}

const struct dmg_cmd dmg_cmds[] = {
	{"storage", "format", cmd_storage_format, "format the storage of every host [--force]"},
	{"storage", "scan", cmd_storage_scan, "storage directories and capacity [-v]"},
	{"system", "query", cmd_system_query, "members and their state [-v] [--ranks]"},
	{"system", "stop", cmd_system_stop, "stop the engines' services [--ranks] [--force]"},
	{"system", "start", cmd_system_start, "start them again [--ranks]"},
	{"system", "leader-query", cmd_system_leader_query, "the management service leader"},
	{"system", "attach-info", cmd_system_attach_info,
	 "what clients get from GetAttachInfo (rank URIs) [pdaos]"},
	{"system", "erase", cmd_system_erase, "erase the system's metadata (stopped system)"},
	{"server", "set-logmasks", cmd_server_set_logmasks,
	 "engine log masks [-m masks] [-d streams] [-s subsystems]; none: back to log_mask"},
	{NULL, NULL, NULL, NULL},
};
