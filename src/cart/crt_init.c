/**
 * CaRT initialization: provider selection, fabric and domain, the opcode
 * registry and protocol registration.
 */
#define D_LOGFAC DD_FAC(rpc)

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>

#include "crt_internal.h"

struct crt_gdata crt_gdata = {
	.cg_lock = PTHREAD_MUTEX_INITIALIZER,
	.cg_opc_lock = PTHREAD_RWLOCK_INITIALIZER,
};

uint64_t
crt_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

int
crt_fi2der(int fi_rc)
{
	switch (fi_rc < 0 ? -fi_rc : fi_rc) {
	case 0:
		return 0;
	case FI_ENOMEM:
		return -DER_NOMEM;
	case FI_EAGAIN:
		return -DER_AGAIN;
	case FI_EINVAL:
		return -DER_INVAL;
	case FI_ECANCELED:
		return -DER_CANCELED;
	case FI_ETIMEDOUT:
		return -DER_TIMEDOUT;
	case FI_ECONNREFUSED:
	case FI_ECONNRESET:
	case FI_ECONNABORTED:
	case FI_EHOSTUNREACH:
	case FI_ENOTCONN:
	case FI_EIO:
		return -DER_UNREACH;
	case FI_ENODATA:
		return -DER_NONEXIST;
	case FI_ENOSYS:
	case FI_EOPNOTSUPP:
		return -DER_NOSYS;
	default:
		return -DER_HG;
	}
}

/* DAOS provider strings to libfabric provider names. */
static const struct {
	const char *daos;
	const char *fi[2];
} crt_prov_map[] = {
	{"ofi+tcp;ofi_rxm", {"tcp;ofi_rxm", NULL}},
	{"ofi+tcp", {"net", "tcp"}},
	{"ofi+net", {"net", NULL}},
	{"ofi+shm", {"shm", NULL}},
	{"ofi+verbs;ofi_rxm", {"verbs;ofi_rxm", NULL}},
	{"ofi+sockets", {"sockets", NULL}},
};

/* Resolve D_INTERFACE: an interface name ("lo", "eth0") or an IPv4 address. */
static int
crt_iface_addr(const char *iface, char *node, size_t len)
{
	struct ifaddrs *ifa_list, *ifa;
	struct in_addr in;
	int rc = -DER_NONEXIST;

	if (inet_pton(AF_INET, iface, &in) == 1) {
		snprintf(node, len, "%s", iface);
		return 0;
	}
	if (getifaddrs(&ifa_list) != 0)
		return -DER_MISC;
	for (ifa = ifa_list; ifa != NULL; ifa = ifa->ifa_next) {
		if (ifa->ifa_addr == NULL || ifa->ifa_addr->sa_family != AF_INET ||
		    strcmp(ifa->ifa_name, iface) != 0)
			continue;
		inet_ntop(AF_INET, &((struct sockaddr_in *)ifa->ifa_addr)->sin_addr, node, len);
		rc = 0;
		break;
	}
	freeifaddrs(ifa_list);
	if (rc != 0)
		D_ERROR("interface %s has no IPv4 address\n", iface);
	return rc;
}

static struct fi_info *
crt_getinfo_one(const char *fi_prov, const char *node)
{
	struct fi_info *hints, *list = NULL, *it, *found = NULL;
	int rc;

	hints = fi_allocinfo();
	if (hints == NULL)
		return NULL;
	hints->ep_attr->type = FI_EP_RDM;
	hints->caps =
		FI_TAGGED | FI_MSG | FI_RMA | FI_READ | FI_WRITE | FI_REMOTE_READ | FI_REMOTE_WRITE;
	hints->mode = FI_CONTEXT | FI_CONTEXT2;
	hints->domain_attr->mr_mode = FI_MR_VIRT_ADDR | FI_MR_ALLOCATED | FI_MR_PROV_KEY;
	hints->domain_attr->threading = FI_THREAD_SAFE;
	hints->domain_attr->av_type = FI_AV_MAP;
	hints->fabric_attr->prov_name = strdup(fi_prov);
	if (strcmp(fi_prov, "shm") == 0)
		hints->addr_format = FI_ADDR_STR;
	else
		hints->addr_format = FI_SOCKADDR_IN;

	if (node[0] == '\0' || hints->addr_format == FI_ADDR_STR)
		node = NULL;
	rc = fi_getinfo(fi_version(), node, NULL, node != NULL ? FI_SOURCE : 0, hints, &list);
	fi_freeinfo(hints);
	if (rc != 0) {
		D_DEBUG(DB_NET, "fi_getinfo(%s): %s\n", fi_prov, fi_strerror(-rc));
		return NULL;
	}
	/* Layered providers also match a core name; take the exact one. */
	for (it = list; it != NULL; it = it->next) {
		if (strcmp(it->fabric_attr->prov_name, fi_prov) == 0) {
			found = fi_dupinfo(it);
			break;
		}
	}
	fi_freeinfo(list);
	return found;
}

/*
 * Largest coalesced message. rxm sends messages up to its buffer size
 * eagerly and larger ones by rendezvous (an extra round trip and an RMA
 * read), which costs more than the sends a batch saves: stay below it.
 */
static void
crt_batch_config(void)
{
	struct crt_gdata *g = &crt_gdata;
	const char *s;
	long v;

	g->cg_batch_max = CRT_MSG_MAX;
	if (strstr(g->cg_fi_prov, "ofi_rxm") != NULL) {
		v = CRT_RXM_BUFFER_SIZE;
		s = getenv("FI_OFI_RXM_BUFFER_SIZE");
		if (s != NULL && atol(s) > 0)
			v = atol(s);
		g->cg_batch_max = v > CRT_RXM_HDR_MAX ? min((size_t)(v - CRT_RXM_HDR_MAX),
							    (size_t)CRT_MSG_MAX)
						      : 0;
	}
	s = getenv("CRT_BATCH_MAX");
	if (s != NULL && atol(s) >= 0)
		g->cg_batch_max = min((size_t)atol(s), (size_t)CRT_MSG_MAX);
	/* tcp moves a large RMA only while the endpoints are polled */
	g->cg_rma_spin_us = 20000;
	s = getenv("CRT_RMA_SPIN_US");
	if (s != NULL && atoi(s) >= 0)
		g->cg_rma_spin_us = min(atoi(s), 1000000);
	g->cg_batch_msgs = CRT_BATCH_MSGS_DEFAULT;
	s = getenv("CRT_BATCH_MSGS");
	if (s != NULL && atoi(s) > 0)
		g->cg_batch_msgs = atoi(s);
}

static int
crt_fabric_init(void)
{
	struct crt_gdata *g = &crt_gdata;
	struct fi_info *info = NULL;
	int i, j, rc;

	for (i = 0; i < (int)ARRAY_SIZE(crt_prov_map); i++) {
		if (strcmp(crt_prov_map[i].daos, g->cg_provider) != 0)
			continue;
		for (j = 0; j < 2 && crt_prov_map[i].fi[j] != NULL && info == NULL; j++) {
			info = crt_getinfo_one(crt_prov_map[i].fi[j], g->cg_node);
			if (info != NULL)
				snprintf(g->cg_fi_prov, sizeof(g->cg_fi_prov), "%s",
					 crt_prov_map[i].fi[j]);
		}
		break;
	}
	if (i == (int)ARRAY_SIZE(crt_prov_map)) {
		D_ERROR("unknown provider %s\n", g->cg_provider);
		return -DER_INVAL;
	}
	if (info == NULL) {
		D_ERROR("provider %s is not available\n", g->cg_provider);
		return -DER_NONEXIST;
	}
	g->cg_info = info;
	g->cg_mr_virt = (info->domain_attr->mr_mode & (FI_MR_VIRT_ADDR | FI_MR_BASIC)) != 0;
	g->cg_mr_prov_key = (info->domain_attr->mr_mode & (FI_MR_PROV_KEY | FI_MR_BASIC)) != 0;
	g->cg_sockaddr = info->addr_format == FI_SOCKADDR_IN;

	rc = fi_fabric(info->fabric_attr, &g->cg_fabric, NULL);
	if (rc != 0) {
		D_ERROR("fi_fabric: %s\n", fi_strerror(-rc));
		goto err_info;
	}
	rc = fi_domain(g->cg_fabric, info, &g->cg_domain, NULL);
	if (rc != 0) {
		D_ERROR("fi_domain: %s\n", fi_strerror(-rc));
		goto err_fabric;
	}
	D_INFO("provider %s (%s) on %s\n", g->cg_provider, g->cg_fi_prov,
	       g->cg_node[0] ? g->cg_node : "any");
	crt_batch_config();
	return 0;

err_fabric:
	fi_close(&g->cg_fabric->fid);
	g->cg_fabric = NULL;
err_info:
	fi_freeinfo(info);
	g->cg_info = NULL;
	return crt_fi2der(rc);
}

static void crt_opc_fini(void);

static const char *
crt_env_or(const char *opt, const char *env, const char *dflt)
{
	const char *v;

	if (opt != NULL && opt[0] != '\0')
		return opt;
	v = getenv(env);
	if (v != NULL && v[0] != '\0')
		return v;
	return dflt;
}

int
crt_init_opt(crt_group_id_t grpid, uint32_t flags, crt_init_options_t *opt)
{
	struct crt_gdata *g = &crt_gdata;
	const char *prov, *iface, *port, *s;
	int rc = 0, i;

	pthread_mutex_lock(&g->cg_lock);
	if (g->cg_refcount > 0) {
		g->cg_refcount++;
		goto out;
	}
	d_log_init();
	prov = crt_env_or(opt ? opt->cio_provider : NULL, "D_PROVIDER", NULL);
	if (prov == NULL)
		prov = crt_env_or(NULL, "CRT_PHY_ADDR_STR", "ofi+tcp;ofi_rxm");
	iface = crt_env_or(opt ? opt->cio_interface : NULL, "D_INTERFACE", NULL);
	if (iface == NULL)
		iface = crt_env_or(NULL, "OFI_INTERFACE", NULL);
	port = crt_env_or(opt ? opt->cio_port : NULL, "D_PORT", NULL);
	if (port == NULL)
		port = crt_env_or(NULL, "OFI_PORT", NULL);

	memset(g->cg_node, 0, sizeof(g->cg_node));
	snprintf(g->cg_provider, sizeof(g->cg_provider), "%s", prov);
	if (iface != NULL) {
		rc = crt_iface_addr(iface, g->cg_node, sizeof(g->cg_node));
		if (rc != 0)
			goto out_log;
	} else {
		/* one host by default; other hosts need D_INTERFACE to reach us */
		snprintf(g->cg_node, sizeof(g->cg_node), "127.0.0.1");
	}
	g->cg_port = -1;
	if (port != NULL) {
		char *end;
		long v = strtol(port, &end, 10);

		if (*end != '\0' || v <= 0 || v > 65535) {
			D_ERROR("bad port %s\n", port);
			D_GOTO(out_log, rc = -DER_INVAL);
		}
		g->cg_port = (int)v;
	}
	g->cg_ctx1_port = 0;
	if (opt != NULL && opt->cio_ctx1_port > 0 && opt->cio_ctx1_port <= 65535)
		g->cg_ctx1_port = opt->cio_ctx1_port;
	else if ((s = getenv("CRT_CTX1_PORT")) != NULL && atoi(s) > 0 && atoi(s) <= 65535)
		g->cg_ctx1_port = atoi(s);
	g->cg_timeout = CRT_DEFAULT_TIMEOUT;
	if (opt != NULL && opt->cio_crt_timeout > 0)
		g->cg_timeout = opt->cio_crt_timeout;
	else if ((s = getenv("CRT_TIMEOUT")) != NULL && atoi(s) > 0)
		g->cg_timeout = atoi(s);
	g->cg_credits = CRT_DEFAULT_CREDITS;
	if (opt != NULL && opt->cio_use_credits)
		g->cg_credits = opt->cio_ep_credits;
	else if ((s = getenv("CRT_CTX_EP_CREDITS")) != NULL && atoi(s) >= 0)
		g->cg_credits = atoi(s);
	if (g->cg_credits <= 0)
		g->cg_credits = INT32_MAX;
	g->cg_probe_ms = 1000;
	if ((s = getenv("CRT_PROBE_MS")) != NULL && atoi(s) >= 0)
		g->cg_probe_ms = atoi(s);
	g->cg_spin_us = 20;
	if ((s = getenv("CRT_PROGRESS_SPIN_US")) != NULL && atoi(s) >= 0)
		g->cg_spin_us = min(atoi(s), 10000);
	g->cg_spin_yield_us = 0;
	if ((s = getenv("CRT_SPIN_YIELD_US")) != NULL)
		g->cg_spin_yield_us = atoi(s);
	g->cg_flags = flags;
	for (i = 0; i < (int)ARRAY_SIZE(g->cg_opc_hash); i++)
		D_INIT_LIST_HEAD(&g->cg_opc_hash[i]);

	rc = crt_fabric_init();
	if (rc != 0)
		goto out_log;
	rc = crt_grp_init(grpid);
	if (rc != 0) {
		fi_close(&g->cg_domain->fid);
		fi_close(&g->cg_fabric->fid);
		fi_freeinfo(g->cg_info);
		goto out_log;
	}
	/* crt_opc_reg() checks crt_initialized(), so count ourselves in first */
	g->cg_refcount = 1;
	rc = crt_iproto_register();
	if (rc != 0) {
		g->cg_refcount = 0;
		crt_grp_fini();
		crt_opc_fini();
		fi_close(&g->cg_domain->fid);
		fi_close(&g->cg_fabric->fid);
		fi_freeinfo(g->cg_info);
		goto out_log;
	}
	goto out;

out_log:
	d_log_fini();
out:
	pthread_mutex_unlock(&g->cg_lock);
	return rc;
}

bool
crt_initialized(void)
{
	return crt_gdata.cg_refcount > 0;
}

static void
crt_opc_fini(void)
{
	struct crt_opc_info *info;
	int i;

	pthread_rwlock_wrlock(&crt_gdata.cg_opc_lock);
	for (i = 0; i < (int)ARRAY_SIZE(crt_gdata.cg_opc_hash); i++) {
		while ((info = d_list_pop_entry(&crt_gdata.cg_opc_hash[i], struct crt_opc_info,
						coi_link)) != NULL)
			D_FREE(info);
	}
	pthread_rwlock_unlock(&crt_gdata.cg_opc_lock);
}

int
crt_finalize(void)
{
	struct crt_gdata *g = &crt_gdata;
	int rc = 0;

	pthread_mutex_lock(&g->cg_lock);
	if (g->cg_refcount == 0)
		D_GOTO(out, rc = -DER_UNINIT);
	if (g->cg_refcount > 1) {
		g->cg_refcount--;
		goto out;
	}
	if (g->cg_ctx_num > 0) {
		D_ERROR("%d contexts still exist\n", g->cg_ctx_num);
		D_GOTO(out, rc = -DER_BUSY);
	}
	crt_grp_fini();
	crt_opc_fini();
	fi_close(&g->cg_domain->fid);
	fi_close(&g->cg_fabric->fid);
	fi_freeinfo(g->cg_info);
	g->cg_domain = NULL;
	g->cg_fabric = NULL;
	g->cg_info = NULL;
	g->cg_refcount = 0;
	d_log_fini();
out:
	pthread_mutex_unlock(&g->cg_lock);
	return rc;
}

/* ---- opcode registry ---- */

static inline d_list_t *
crt_opc_bucket(crt_opcode_t opc)
{
	uint32_t h = opc * 2654435761u;

	return &crt_gdata.cg_opc_hash[h >> 24];
}

struct crt_opc_info *
crt_opc_lookup(crt_opcode_t opc)
{
	struct crt_opc_info *info, *found = NULL;
	d_list_t *head = crt_opc_bucket(opc);
	d_list_t *pos;

	pthread_rwlock_rdlock(&crt_gdata.cg_opc_lock);
	d_list_for_each(pos, head)
	{
		info = d_list_entry(pos, struct crt_opc_info, coi_link);
		if (info->coi_opc == opc) {
			found = info;
			break;
		}
	}
	pthread_rwlock_unlock(&crt_gdata.cg_opc_lock);
	return found;
}

static int
crt_opc_reg(crt_opcode_t opc, uint32_t flags, struct crt_req_format *crf, crt_rpc_cb_t hdlr,
	    struct crt_corpc_ops *co_ops)
{
	struct crt_opc_info *info;
	d_list_t *pos;
	const uint32_t known =
		CRT_RPC_FEAT_NO_REPLY | CRT_RPC_FEAT_NO_TIMEOUT | CRT_RPC_FEAT_QUEUE_FRONT;

	if (!crt_initialized())
		return -DER_UNINIT;
	if (flags & ~known) {
		D_ERROR("opcode %#x: unknown flags %#x\n", opc, flags);
		return -DER_INVAL;
	}
	pthread_rwlock_wrlock(&crt_gdata.cg_opc_lock);
	d_list_for_each(pos, crt_opc_bucket(opc))
	{
		info = d_list_entry(pos, struct crt_opc_info, coi_link);
		if (info->coi_opc != opc)
			continue;
		/* Re-registration updates the handler (clients register, servers add handlers). */
		info->coi_flags = flags;
		info->coi_fmt = crf;
		if (hdlr != NULL)
			info->coi_handler = hdlr;
		if (co_ops != NULL)
			info->coi_co_ops = co_ops;
		pthread_rwlock_unlock(&crt_gdata.cg_opc_lock);
		return 0;
	}
	D_ALLOC_PTR(info);
	if (info == NULL) {
		pthread_rwlock_unlock(&crt_gdata.cg_opc_lock);
		return -DER_NOMEM;
	}
	info->coi_opc = opc;
	info->coi_flags = flags;
	info->coi_fmt = crf;
	info->coi_handler = hdlr;
	info->coi_co_ops = co_ops;
	d_list_add_tail(&info->coi_link, crt_opc_bucket(opc));
	pthread_rwlock_unlock(&crt_gdata.cg_opc_lock);
	return 0;
}

int
crt_rpc_register(crt_opcode_t opc, uint32_t flags, struct crt_req_format *crf)
{
	return crt_opc_reg(opc, flags, crf, NULL, NULL);
}

int
crt_rpc_srv_register(crt_opcode_t opc, uint32_t flags, struct crt_req_format *crf,
		     crt_rpc_cb_t rpc_handler)
{
	return crt_opc_reg(opc, flags, crf, rpc_handler, NULL);
}

int
crt_proto_register(struct crt_proto_format *cpf)
{
	uint32_t i;
	int rc;

	if (cpf == NULL || cpf->cpf_prf == NULL || cpf->cpf_count == 0 || cpf->cpf_count > 0xffff ||
	    cpf->cpf_ver > 0xff || (cpf->cpf_base & 0x00ffffff) != 0) {
		D_ERROR("invalid protocol format\n");
		return -DER_INVAL;
	}
	for (i = 0; i < cpf->cpf_count; i++) {
		struct crt_proto_rpc_format *prf = &cpf->cpf_prf[i];

		rc = crt_opc_reg(CRT_PROTO_OPC(cpf->cpf_base, cpf->cpf_ver, i), prf->prf_flags,
				 prf->prf_req_fmt, prf->prf_hdlr, prf->prf_co_ops);
		if (rc != 0)
			return rc;
	}
	D_DEBUG(DB_NET, "protocol %s base %#x version %u: %u RPCs\n",
		cpf->cpf_name ? cpf->cpf_name : "?", cpf->cpf_base, cpf->cpf_ver, cpf->cpf_count);
	return 0;
}
