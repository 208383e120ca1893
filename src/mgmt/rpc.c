/* Management protocol: generated pack/unpack, the protocol table, addresses. */
#define D_LOGFAC DD_FAC(mgmt)

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>
#include <gurt/common.h>
#include "rpc.h"

CRT_GEN_PROC_FUNC(mgmt_member, MGMT_MEMBER_SEQ)
CRT_GEN_PROC_FUNC(mgmt_rank_result, MGMT_RANK_RESULT_SEQ)
CRT_GEN_PROC_FUNC(mgmt_rank_uri, MGMT_RANK_URI_SEQ)

int
crt_proc_mgmt_member_t(crt_proc_t proc, crt_proc_op_t op, mgmt_member_t *m)
{
	return crt_proc_struct_mgmt_member(proc, op, m);
}

int
crt_proc_mgmt_rank_result_t(crt_proc_t proc, crt_proc_op_t op, mgmt_rank_result_t *r)
{
	return crt_proc_struct_mgmt_rank_result(proc, op, r);
}

int
crt_proc_mgmt_rank_uri_t(crt_proc_t proc, crt_proc_op_t op, mgmt_rank_uri_t *r)
{
	return crt_proc_struct_mgmt_rank_uri(proc, op, r);
}

CRT_RPC_DEFINE(mgmt_format, DAOS_ISEQ_MGMT_FORMAT, DAOS_OSEQ_MGMT_FORMAT)
CRT_RPC_DEFINE(mgmt_scan, DAOS_ISEQ_MGMT_SCAN, DAOS_OSEQ_MGMT_SCAN)
CRT_RPC_DEFINE(mgmt_sys_query, DAOS_ISEQ_MGMT_SYS_QUERY, DAOS_OSEQ_MGMT_SYS_QUERY)
CRT_RPC_DEFINE(mgmt_sys_ctl, DAOS_ISEQ_MGMT_SYS_CTL, DAOS_OSEQ_MGMT_SYS_CTL)
CRT_RPC_DEFINE(mgmt_leader_query, DAOS_ISEQ_MGMT_LEADER_QUERY, DAOS_OSEQ_MGMT_LEADER_QUERY)
CRT_RPC_DEFINE(mgmt_set_logmasks, DAOS_ISEQ_MGMT_SET_LOGMASKS, DAOS_OSEQ_MGMT_SET_LOGMASKS)
CRT_RPC_DEFINE(mgmt_join, DAOS_ISEQ_MGMT_JOIN, DAOS_OSEQ_MGMT_JOIN)
CRT_RPC_DEFINE(mgmt_grp_update, DAOS_ISEQ_MGMT_GRP_UPDATE, DAOS_OSEQ_MGMT_GRP_UPDATE)
CRT_RPC_DEFINE(mgmt_rank_ctl, DAOS_ISEQ_MGMT_RANK_CTL, DAOS_OSEQ_MGMT_RANK_CTL)
CRT_RPC_DEFINE(mgmt_get_attach_info, DAOS_ISEQ_MGMT_GET_ATTACH_INFO, DAOS_OSEQ_MGMT_GET_ATTACH_INFO)
CRT_RPC_DEFINE(mgmt_ping, DAOS_ISEQ_MGMT_PING, DAOS_OSEQ_MGMT_PING)

static struct crt_proto_rpc_format mgmt_proto_rpcs[] = {
#define X(opc, fmt) {.prf_req_fmt = &CQF_##fmt},
	MGMT_PROTO_CLI_RPC_LIST
#undef X
};

struct crt_proto_format mgmt_proto_fmt = {
	.cpf_name = "management",
	.cpf_ver = DAOS_MGMT_VERSION,
	.cpf_count = MGMT_PROTO_CLI_COUNT,
	.cpf_prf = mgmt_proto_rpcs,
	.cpf_base = DAOS_MGMT_BASE,
};

int
mgmt_addr2uri(const char *provider, const char *addr, int default_port, char **uri)
{
	struct addrinfo hints = {.ai_family = AF_INET, .ai_socktype = SOCK_STREAM};
	struct addrinfo *res = NULL;
	char host[256], ip[INET_ADDRSTRLEN];
	const char *colon;
	long port = default_port;
	char *end;
	size_t hlen;

	colon = strrchr(addr, ':');
	hlen = colon ? (size_t)(colon - addr) : strlen(addr);
	if (hlen == 0 || hlen >= sizeof(host))
		return -DER_INVAL;
	memcpy(host, addr, hlen);
	host[hlen] = '\0';
	if (colon != NULL) {
		port = strtol(colon + 1, &end, 10);
		if (*end != '\0' || port <= 0 || port > 65535)
			return -DER_INVAL;
	}
	if (getaddrinfo(host, NULL, &hints, &res) != 0 || res == NULL)
		return -DER_INVAL;
	inet_ntop(AF_INET, &((struct sockaddr_in *)res->ai_addr)->sin_addr, ip, sizeof(ip));
	freeaddrinfo(res);
	D_ASPRINTF(*uri, "%s://%s:%ld", provider, ip, port);
	return *uri == NULL ? -DER_NOMEM : 0;
}

int
mgmt_uri_probe(const char *uri)
{
	struct sockaddr_in sin = {.sin_family = AF_INET};
	const char *p = strstr(uri, "://"), *colon;
	struct pollfd pfd;
	char host[64];
	int fd, rc = 0, err = 0;
	socklen_t elen = sizeof(err);

	if (p == NULL || strstr(uri, "tcp") == NULL)
		return 0;
	p += 3;
	colon = strrchr(p, ':');
	if (colon == NULL || (size_t)(colon - p) >= sizeof(host))
		return 0;
	memcpy(host, p, colon - p);
	host[colon - p] = '\0';
	sin.sin_port = htons((uint16_t)atoi(colon + 1));
	if (inet_pton(AF_INET, host, &sin.sin_addr) != 1)
		return 0;
	fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return 0;
	if (connect(fd, (struct sockaddr *)&sin, sizeof(sin)) != 0) {
		if (errno != EINPROGRESS) {
			rc = -DER_UNREACH;
		} else {
			pfd.fd = fd;
			pfd.events = POLLOUT;
			if (poll(&pfd, 1, 3000) != 1 ||
			    getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &elen) != 0 || err != 0)
				rc = -DER_UNREACH;
		}
	}
	close(fd);
	return rc;
}
