/**
 * Contexts and progress: one libfabric RDM endpoint, completion queue and
 * address vector per context, the completion loop, blocking waits on the
 * CQ's file descriptor, peers (address vector entries) and timeouts.
 */
#define D_LOGFAC DD_FAC(rpc)

#include <arpa/inet.h>
#include <limits.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "crt_internal.h"

#define SHM_PREFIX "fi_shm://"
/* Longest sleep between polls of a provider without a wait object, once idle. */
#define CRT_POLL_IDLE_MAX_US 10000
/* after ~3 s at CRT_POLL_IDLE_MAX_US without work, a context sleeps this long per poll */
#define CRT_POLL_IDLE_DEEP_US 40000
/* a sched_yield() that returns sooner than this gave the CPU to no one */
#define CRT_SPIN_YIELD_IDLE_NS 1500

/* ---- URIs and peers ---- */

int
crt_uri_to_addr(struct crt_context *ctx, const char *uri, fi_addr_t *addr)
{
	const char *rest = strstr(uri, "://");
	int rc;

	if (rest == NULL)
		return -DER_INVAL;
	rest += 3;
	if (crt_gdata.cg_sockaddr) {
		struct sockaddr_in sin = {.sin_family = AF_INET};
		char ip[INET_ADDRSTRLEN];
		const char *colon = strrchr(rest, ':');
		char *end;
		long port;

		if (colon == NULL || colon - rest >= (long)sizeof(ip))
			return -DER_INVAL;
		memcpy(ip, rest, colon - rest);
		ip[colon - rest] = '\0';
		port = strtol(colon + 1, &end, 10);
		if (*end != '\0' || port <= 0 || port > 65535 ||
		    inet_pton(AF_INET, ip, &sin.sin_addr) != 1)
			return -DER_INVAL;
		sin.sin_port = htons((uint16_t)port);
		rc = fi_av_insert(ctx->cc_av, &sin, 1, addr, 0, NULL);
	} else {
		char name[CRT_ADDR_STR_MAX_LEN + 16];

		snprintf(name, sizeof(name), SHM_PREFIX "%s", rest);
		rc = fi_av_insert(ctx->cc_av, name, 1, addr, 0, NULL);
	}
	if (rc != 1) {
		D_ERROR("fi_av_insert(%s): %d\n", uri, rc);
		return rc < 0 ? crt_fi2der(rc) : -DER_UNREACH;
	}
	return 0;
}

static uint32_t
crt_str_hash(const char *s)
{
	uint32_t h = 2166136261u;

	while (*s != '\0')
		h = (h ^ (uint8_t)*s++) * 16777619u;
	return h;
}

/* Find or create the peer of \a uri; context lock held. */
struct crt_peer *
crt_peer_get(struct crt_context *ctx, const char *uri)
{
	d_list_t *head = &ctx->cc_peers[crt_str_hash(uri) & ((1 << CRT_PEER_HASH_BITS) - 1)];
	struct crt_peer *peer;
	d_list_t *pos;
	int rc;

	d_list_for_each(pos, head)
	{
		peer = d_list_entry(pos, struct crt_peer, p_link);
		if (strcmp(peer->p_uri, uri) == 0)
			return peer;
	}
	D_ALLOC_PTR(peer);
	if (peer == NULL)
		return NULL;
	peer->p_uri = strdup(uri);
	if (peer->p_uri == NULL) {
		D_FREE(peer);
		return NULL;
	}
	rc = crt_uri_to_addr(ctx, uri, &peer->p_addr);
	if (rc != 0) {
		D_FREE(peer->p_uri);
		D_FREE(peer);
		return NULL;
	}
	D_INIT_LIST_HEAD(&peer->p_waitq);
	d_list_add(&peer->p_link, head);
	return peer;
}

/* ---- context life cycle ---- */

static int
crt_post_recv(struct crt_context *ctx, struct crt_recv_buf *rb)
{
	int rc;

	rc = fi_trecv(ctx->cc_ep, rb->rb_buf, CRT_MSG_MAX, NULL, FI_ADDR_UNSPEC, 0, ~0ULL, rb);
	if (rc != 0 && rc != -FI_EAGAIN)
		D_ERROR("fi_trecv: %s\n", fi_strerror(-rc));
	return rc;
}

static int
crt_ctx_addr(struct crt_context *ctx)
{
	char addr[CRT_ADDR_STR_MAX_LEN];
	size_t len = sizeof(addr);
	int rc;

	rc = fi_getname(&ctx->cc_ep->fid, addr, &len);
	if (rc != 0) {
		D_ERROR("fi_getname: %s\n", fi_strerror(-rc));
		return crt_fi2der(rc);
	}
	if (crt_gdata.cg_sockaddr) {
		struct sockaddr_in *sin = (struct sockaddr_in *)addr;
		char ip[INET_ADDRSTRLEN];

		inet_ntop(AF_INET, &sin->sin_addr, ip, sizeof(ip));
		snprintf(ctx->cc_uri, sizeof(ctx->cc_uri), "%s://%s:%u", crt_gdata.cg_provider, ip,
			 ntohs(sin->sin_port));
	} else {
		const char *name = addr;
		int n;

		addr[sizeof(addr) - 1] = '\0';
		if (strncmp(name, SHM_PREFIX, strlen(SHM_PREFIX)) == 0)
			name += strlen(SHM_PREFIX);
		n = snprintf(ctx->cc_uri, sizeof(ctx->cc_uri), "%.63s://%.60s",
			     crt_gdata.cg_provider, name);
		if (n < 0 || n >= (int)sizeof(ctx->cc_uri))
			return -DER_OVERFLOW;
	}
	return 0;
}

static int
crt_ctx_src_port(int idx)
{
	struct crt_gdata *g = &crt_gdata;

	/* with D_PORT, context i listens on D_PORT + i, as in DAOS; otherwise anywhere */
	if (idx > 0 && g->cg_ctx1_port > 0)
		return g->cg_ctx1_port + idx - 1;
	if (g->cg_port > 0)
		return g->cg_port + idx;
	return 0;
}

static int
crt_ctx_open(struct crt_context *ctx)
{
	struct crt_gdata *g = &crt_gdata;
	struct fi_info *info;
	struct fi_av_attr av_attr = {.type = FI_AV_MAP, .count = 256};
	struct fi_cq_attr cq_attr = {
		.format = FI_CQ_FORMAT_TAGGED, .size = 4096, .wait_obj = FI_WAIT_FD};
	struct epoll_event ev = {.events = EPOLLIN, .data.fd = -1};
	int rc, i;

	info = fi_dupinfo(g->cg_info);
	if (info == NULL)
		return -DER_NOMEM;
	if (g->cg_sockaddr) {
		struct sockaddr_in *sin;

		D_ALLOC_PTR(sin);
		if (sin == NULL) {
			fi_freeinfo(info);
			return -DER_NOMEM;
		}
		sin->sin_family = AF_INET;
		inet_pton(AF_INET, g->cg_node[0] ? g->cg_node : "127.0.0.1", &sin->sin_addr);
		sin->sin_port = htons((uint16_t)crt_ctx_src_port(ctx->cc_idx));
		free(info->src_addr);
		info->src_addr = sin;
		info->src_addrlen = sizeof(*sin);
	} else {
		char *name = NULL;

		D_ASPRINTF(name, SHM_PREFIX "pdaos_%d_%d", (int)getpid(), ctx->cc_idx);
		if (name == NULL) {
			fi_freeinfo(info);
			return -DER_NOMEM;
		}
		free(info->src_addr);
		info->src_addr = name;
		info->src_addrlen = strlen(name) + 1;
	}

	rc = fi_endpoint(g->cg_domain, info, &ctx->cc_ep, NULL);
	fi_freeinfo(info);
	if (rc != 0) {
		D_ERROR("fi_endpoint: %s\n", fi_strerror(-rc));
		return crt_fi2der(rc);
	}
	rc = fi_av_open(g->cg_domain, &av_attr, &ctx->cc_av, NULL);
	if (rc != 0)
		goto err;
	rc = fi_cq_open(g->cg_domain, &cq_attr, &ctx->cc_cq, NULL);
	if (rc == -FI_ENOSYS) {
		/* No wait object (shm): crt_wait() polls with a sleeping backoff instead. */
		cq_attr.wait_obj = FI_WAIT_NONE;
		rc = fi_cq_open(g->cg_domain, &cq_attr, &ctx->cc_cq, NULL);
	}
	if (rc != 0)
		goto err;
	rc = fi_ep_bind(ctx->cc_ep, &ctx->cc_av->fid, 0);
	if (rc == 0)
		rc = fi_ep_bind(ctx->cc_ep, &ctx->cc_cq->fid, FI_TRANSMIT | FI_RECV);
	if (rc == 0)
		rc = fi_enable(ctx->cc_ep);
	if (rc != 0)
		goto err;
	ctx->cc_wait_fd = -1;
	if (cq_attr.wait_obj == FI_WAIT_FD) {
		rc = fi_control(&ctx->cc_cq->fid, FI_GETWAIT, &ctx->cc_wait_fd);
		if (rc != 0)
			goto err;
	}
	ctx->cc_epfd = epoll_create1(EPOLL_CLOEXEC);
	ctx->cc_wake_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (ctx->cc_epfd < 0 || ctx->cc_wake_fd < 0 ||
	    (ctx->cc_wait_fd >= 0 &&
	     epoll_ctl(ctx->cc_epfd, EPOLL_CTL_ADD, ctx->cc_wait_fd, &ev) != 0)) {
		D_ERROR("epoll: %s\n", strerror(errno));
		return -DER_MISC;
	}
	ev.data.fd = ctx->cc_wake_fd;
	if (epoll_ctl(ctx->cc_epfd, EPOLL_CTL_ADD, ctx->cc_wake_fd, &ev) != 0) {
		D_ERROR("epoll: %s\n", strerror(errno));
		return -DER_MISC;
	}
	rc = crt_ctx_addr(ctx);
	if (rc != 0)
		return rc;
	for (i = 0; i < CRT_RECV_BUFS; i++) {
		struct crt_recv_buf *rb = &ctx->cc_rbufs[i];

		rb->rb_hdr.oh_type = CRT_OP_RECV;
		rb->rb_buf = malloc(CRT_MSG_MAX);
		if (rb->rb_buf == NULL)
			return -DER_NOMEM;
		rc = crt_post_recv(ctx, rb);
		if (rc != 0)
			return crt_fi2der(rc);
	}
	return 0;
err:
	D_ERROR("context %d: %s\n", ctx->cc_idx, fi_strerror(-rc));
	return crt_fi2der(rc);
}

static void
crt_ctx_close(struct crt_context *ctx)
{
	struct crt_send_op *op;
	int i, b;

	if (ctx->cc_ep != NULL)
		fi_close(&ctx->cc_ep->fid);
	if (ctx->cc_cq != NULL)
		fi_close(&ctx->cc_cq->fid);
	if (ctx->cc_av != NULL)
		fi_close(&ctx->cc_av->fid);
	if (ctx->cc_epfd >= 0)
		close(ctx->cc_epfd);
	if (ctx->cc_wake_fd >= 0)
		close(ctx->cc_wake_fd);
	for (i = 0; i < CRT_RECV_BUFS; i++)
		D_FREE(ctx->cc_rbufs[i].rb_buf);
	crt_large_expire(ctx, true);
	while ((op = d_list_pop_entry(&ctx->cc_retry_list, struct crt_send_op, so_link)) != NULL)
		crt_op_discard(op);
	while ((op = d_list_pop_entry(&ctx->cc_defer_list, struct crt_send_op, so_link)) != NULL)
		crt_op_discard(op);
	for (b = 0; b < (1 << CRT_PEER_HASH_BITS); b++) {
		struct crt_peer *peer;

		while ((peer = d_list_pop_entry(&ctx->cc_peers[b], struct crt_peer, p_link)) !=
		       NULL) {
			D_FREE(peer->p_uri);
			D_FREE(peer);
		}
	}
	pthread_mutex_destroy(&ctx->cc_lock);
}

int
crt_context_create(crt_context_t *crt_ctx)
{
	struct crt_gdata *g = &crt_gdata;
	struct crt_context *ctx;
	int i, idx = -1, rc;

	if (crt_ctx == NULL)
		return -DER_INVAL;
	if (!crt_initialized())
		return -DER_UNINIT;
	D_ALLOC_PTR(ctx);
	if (ctx == NULL)
		return -DER_NOMEM;
	pthread_mutex_init(&ctx->cc_lock, NULL);
	for (i = 0; i < (1 << CRT_ID_HASH_BITS); i++)
		D_INIT_LIST_HEAD(&ctx->cc_id_hash[i]);
	for (i = 0; i < (1 << CRT_PEER_HASH_BITS); i++)
		D_INIT_LIST_HEAD(&ctx->cc_peers[i]);
	D_INIT_LIST_HEAD(&ctx->cc_tmo_list);
	D_INIT_LIST_HEAD(&ctx->cc_retry_list);
	D_INIT_LIST_HEAD(&ctx->cc_defer_list);
	D_INIT_LIST_HEAD(&ctx->cc_work_list);
	D_INIT_LIST_HEAD(&ctx->cc_bulk_list);
	D_INIT_LIST_HEAD(&ctx->cc_bulk_active);
	D_INIT_LIST_HEAD(&ctx->cc_large_list);
	D_INIT_LIST_HEAD(&ctx->cc_large_reads);
	ctx->cc_next_id = 1;
	ctx->cc_next_deadline = UINT64_MAX;
	ctx->cc_epfd = -1;
	ctx->cc_wake_fd = -1;

	pthread_mutex_lock(&g->cg_lock);
	for (i = 0; i < CRT_CTX_MAX; i++) {
		if (g->cg_ctx[i] == NULL) {
			idx = i;
			break;
		}
	}
	if (idx < 0) {
		pthread_mutex_unlock(&g->cg_lock);
		pthread_mutex_destroy(&ctx->cc_lock);
		D_FREE(ctx);
		return -DER_AGAIN;
	}
	ctx->cc_idx = idx;
	rc = crt_ctx_open(ctx);
	if (rc != 0) {
		pthread_mutex_unlock(&g->cg_lock);
		crt_ctx_close(ctx);
		D_FREE(ctx);
		return rc;
	}
	g->cg_ctx[idx] = ctx;
	g->cg_ctx_num++;
	pthread_mutex_unlock(&g->cg_lock);
	D_DEBUG(DB_NET, "context %d at %s\n", idx, ctx->cc_uri);
	*crt_ctx = ctx;
	return 0;
}

static int
crt_ctx_abort_all(struct crt_context *ctx)
{
	struct crt_rpc_priv *rpc;
	d_list_t *pos, *tmp;
	int n = 0;

	pthread_mutex_lock(&ctx->cc_lock);
	d_list_for_each_safe(pos, tmp, &ctx->cc_tmo_list)
	{
		rpc = d_list_entry(pos, struct crt_rpc_priv, crp_tmo_link);
		crt_rpc_complete_locked(rpc, -DER_CANCELED);
		n++;
	}
	pthread_mutex_unlock(&ctx->cc_lock);
	return n;
}

int
crt_context_destroy(crt_context_t crt_ctx, int force)
{
	struct crt_context *ctx = crt_ctx;
	uint64_t end;

	if (ctx == NULL)
		return -DER_INVAL;
	pthread_mutex_lock(&ctx->cc_lock);
	if (ctx->cc_inflight > 0 && !force) {
		pthread_mutex_unlock(&ctx->cc_lock);
		return -DER_BUSY;
	}
	ctx->cc_closing = true;
	pthread_mutex_unlock(&ctx->cc_lock);

	crt_ctx_abort_all(ctx);
	/* Flush queued replies and callbacks for a short, bounded time. */
	end = crt_now_ms() + 200;
	do {
		crt_progress(ctx, 1000);
	} while ((!d_list_empty(&ctx->cc_retry_list) || ctx->cc_rma_pending > 0 ||
		  !d_list_empty(&ctx->cc_work_list)) &&
		 crt_now_ms() < end);

	pthread_mutex_lock(&crt_gdata.cg_lock);
	crt_gdata.cg_ctx[ctx->cc_idx] = NULL;
	crt_gdata.cg_ctx_num--;
	pthread_mutex_unlock(&crt_gdata.cg_lock);
	crt_ctx_close(ctx);
	D_FREE(ctx);
	return 0;
}

int
crt_context_idx(crt_context_t crt_ctx, int *ctx_idx)
{
	if (crt_ctx == NULL || ctx_idx == NULL)
		return -DER_INVAL;
	*ctx_idx = ((struct crt_context *)crt_ctx)->cc_idx;
	return 0;
}

int
crt_context_num(int *ctx_num)
{
	if (ctx_num == NULL)
		return -DER_INVAL;
	*ctx_num = crt_gdata.cg_ctx_num;
	return 0;
}

int
crt_context_get_wait_fd(crt_context_t crt_ctx, int *fd)
{
	struct crt_context *ctx = crt_ctx;

	if (ctx == NULL || fd == NULL)
		return -DER_INVAL;
	/* without a CQ wait object the epoll set would only report wake-ups */
	if (ctx->cc_wait_fd < 0) {
		*fd = -1;
		return -DER_NOSYS;
	}
	*fd = ctx->cc_epfd;
	return 0;
}

int
crt_context_wakeup(crt_context_t crt_ctx)
{
	struct crt_context *ctx = crt_ctx;
	uint64_t one = 1;

	if (ctx == NULL)
		return -DER_INVAL;
	/*
	 * Write first, flag second: whenever the eventfd is readable the flag is
	 * (or is about to be) set, so crt_wake_drain() never leaves it readable.
	 */
	if (write(ctx->cc_wake_fd, &one, sizeof(one)) != sizeof(one) && errno != EAGAIN)
		return d_errno2der(errno);
	__atomic_store_n(&ctx->cc_wake_pending, 1, __ATOMIC_RELEASE);
	return 0;
}

/*
 * Consume a pending crt_context_wakeup(); true if there was one. The flag
 * spares a read() per idle non-blocking progress call.
 */
static bool
crt_wake_drain(struct crt_context *ctx)
{
	uint64_t v;

	if (!__atomic_exchange_n(&ctx->cc_wake_pending, 0, __ATOMIC_ACQ_REL))
		return false;
	return read(ctx->cc_wake_fd, &v, sizeof(v)) == sizeof(v);
}

int
crt_context_inflight_num(crt_context_t crt_ctx, int *num)
{
	if (crt_ctx == NULL || num == NULL)
		return -DER_INVAL;
	*num = ((struct crt_context *)crt_ctx)->cc_inflight;
	return 0;
}

int
crt_self_uri_get(int tag, char **uri)
{
	struct crt_context *ctx;

	if (uri == NULL || tag < 0 || tag >= CRT_CTX_MAX)
		return -DER_INVAL;
	ctx = crt_gdata.cg_ctx[tag];
	if (ctx == NULL)
		return -DER_NONEXIST;
	*uri = strdup(ctx->cc_uri);
	return *uri == NULL ? -DER_NOMEM : 0;
}

/* ---- progress ---- */

void
crt_work_add(struct crt_context *ctx, struct crt_work *work)
{
	d_list_add_tail(&work->w_link, &ctx->cc_work_list);
}

static void
crt_cq_entry(struct crt_context *ctx, struct fi_cq_tagged_entry *ce, int err)
{
	struct crt_op_hdr *oh = ce->op_context;

	switch (oh->oh_type) {
	case CRT_OP_RECV: {
		struct crt_recv_buf *rb = (struct crt_recv_buf *)oh;

		if (err == 0)
			crt_msg_recv(ctx, rb->rb_buf, ce->len);
		else if (err != -DER_CANCELED)
			D_WARN("receive failed: %d\n", err);
		if (!ctx->cc_closing || err != -DER_CANCELED)
			crt_post_recv(ctx, rb);
		break;
	}
	case CRT_OP_SEND:
		crt_send_complete(ctx, (struct crt_send_op *)oh, err);
		break;
	case CRT_OP_RMA:
		crt_bulk_rma_complete(oh, err);
		break;
	case CRT_OP_LARGE:
		crt_large_read_done(ctx, oh, err);
		break;
	default:
		D_ERROR("unknown completion %d\n", oh->oh_type);
	}
}

/*
 * One pass: completions, retries, timeouts, then deferred work unlocked.
 * Messages sent by this thread on this context meanwhile are held and sent,
 * coalesced per destination, when the pass ends.
 */
static int
crt_progress_once(struct crt_context *ctx)
{
	struct fi_cq_tagged_entry ce[16];
	struct crt_context *outer;
	d_list_t work;
	struct crt_work *w;
	ssize_t n;
	int done = 0, i;

	D_INIT_LIST_HEAD(&work);
	outer = crt_defer_begin(ctx);
	pthread_mutex_lock(&ctx->cc_lock);
	for (;;) {
		n = fi_cq_read(ctx->cc_cq, ce, ARRAY_SIZE(ce));
		if (n > 0) {
			for (i = 0; i < n; i++)
				crt_cq_entry(ctx, &ce[i], 0);
			done += n;
			if (done >= 256)
				break;
			continue;
		}
		if (n == -FI_EAVAIL) {
			struct fi_cq_err_entry ee = {0};

			if (fi_cq_readerr(ctx->cc_cq, &ee, 0) == 1) {
				struct fi_cq_tagged_entry e = {.op_context = ee.op_context,
							       .len = ee.len};
				int rc = crt_fi2der(ee.err);

				if (ee.err != FI_ECANCELED)
					D_DEBUG(DB_NET, "completion error: %s\n",
						fi_strerror(ee.err));
				if (ee.err == FI_ETRUNC)
					rc = -DER_OVERFLOW;
				crt_cq_entry(ctx, &e, rc);
				done++;
			}
			continue;
		}
		if (n != -FI_EAGAIN)
			D_ERROR("fi_cq_read: %s\n", fi_strerror((int)-n));
		break;
	}
	crt_retry_sends(ctx);
	if (!d_list_empty(&ctx->cc_bulk_list))
		crt_bulk_resume(ctx);
	crt_check_timeouts(ctx);
	crt_peer_probe_locked(ctx);
	d_list_splice_init(&ctx->cc_work_list, &work);
	pthread_mutex_unlock(&ctx->cc_lock);

	while ((w = d_list_pop_entry(&work, struct crt_work, w_link)) != NULL) {
		w->w_fn(w);
		done++;
		/*
		 * Send what has gathered every few messages rather than at the end
		 * of a long pass: the peer starts on them while we go on here.
		 */
		if (crt_defer_full(ctx)) {
			pthread_mutex_lock(&ctx->cc_lock);
			crt_defer_flush_locked(ctx);
			pthread_mutex_unlock(&ctx->cc_lock);
		}
	}
	if (__atomic_load_n(&ctx->cc_ndefer, __ATOMIC_RELAXED) > 0) {
		pthread_mutex_lock(&ctx->cc_lock);
		crt_defer_flush_locked(ctx);
		pthread_mutex_unlock(&ctx->cc_lock);
	}
	crt_defer_end(outer);
	return done;
}

static uint64_t
crt_now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

/*
 * Sleep on the CQ's wait fd (and the wake-up eventfd) for at most \a us
 * microseconds. Returns true if crt_context_wakeup() ended the sleep.
 */
static bool
crt_wait(struct crt_context *ctx, int64_t us)
{
	struct fid *fids[1] = {&ctx->cc_cq->fid};
	struct epoll_event ev[2];
	uint64_t now_ms, dl;
	bool woken = false;
	int ms, n, i;

	pthread_mutex_lock(&ctx->cc_lock);
	if (!d_list_empty(&ctx->cc_work_list)) {
		pthread_mutex_unlock(&ctx->cc_lock);
		return false;
	}
	if ((!d_list_empty(&ctx->cc_retry_list) || !d_list_empty(&ctx->cc_bulk_list)) && us > 1000)
		us = 1000;
	now_ms = crt_now_ms();
	dl = ctx->cc_next_deadline;
	/* RPCs in flight: wake up to probe silent peers (crt_health.c) */
	if (ctx->cc_inflight > 0 && crt_gdata.cg_probe_ms > 0)
		dl = min(dl, max(ctx->cc_next_probe_ms, now_ms + 1));
	pthread_mutex_unlock(&ctx->cc_lock);
	if (dl != UINT64_MAX) {
		int64_t left = dl > now_ms ? (int64_t)(dl - now_ms) * 1000 : 0;

		if (us < 0 || left < us)
			us = left;
	}
	if (us == 0)
		return false;
	/*
	 * Some providers (net in libfabric 1.17) leave the wait fd readable with an
	 * empty CQ; after a few empty wake-ups treat them like polling providers.
	 */
	if (ctx->cc_wait_fd < 0 || ctx->cc_spurious > 8) {
		struct pollfd pfd = {.fd = ctx->cc_wake_fd, .events = POLLIN};
		struct timespec ts;
		int cap;

		/*
		 * Polling providers: stay hot (yield only) for a few rounds after
		 * activity, for latency, then sleep a little longer each idle round,
		 * up to 1 ms. After ~100 ms without work the cap rises to
		 * CRT_POLL_IDLE_MAX_US: an idle server must not burn a few percent of
		 * a core on 1,000 empty polls a second; the first RPC after a long
		 * silence pays at most that much extra latency. The sleep watches the
		 * wake-up eventfd, so crt_context_wakeup() still ends it at once.
		 */
		if (ctx->cc_poll_idle < INT_MAX)
			ctx->cc_poll_idle++;
		if (ctx->cc_poll_idle <= 64) {
			sched_yield();
			return crt_wake_drain(ctx);
		}
		if (ctx->cc_poll_idle < 64 + 128)
			cap = 1000;
		else if (ctx->cc_poll_idle < 64 + 128 + 300)
			cap = CRT_POLL_IDLE_MAX_US;
		else
			cap = CRT_POLL_IDLE_DEEP_US;
		ctx->cc_poll_us = ctx->cc_poll_us ? min(ctx->cc_poll_us * 2, cap) : 20;
		if (us > 0 && us < ctx->cc_poll_us)
			ctx->cc_poll_us = (int)us;
		ts.tv_sec = 0;
		ts.tv_nsec = ctx->cc_poll_us * 1000L;
		if (ppoll(&pfd, 1, &ts, NULL) > 0)
			woken = crt_wake_drain(ctx);
		return woken;
	}
	if (fi_trywait(crt_gdata.cg_fabric, fids, 1) != FI_SUCCESS)
		return false;
	ms = us < 0 ? -1 : (int)((us + 999) / 1000);
	n = epoll_wait(ctx->cc_epfd, ev, 2, ms);
	for (i = 0; i < n; i++) {
		if (ev[i].data.fd == ctx->cc_wake_fd)
			woken = crt_wake_drain(ctx);
		else
			ctx->cc_spurious++;
	}
	return woken;
}

/*
 * Yield the CPU while spinning for a reply. Returns true when the yield came
 * back at once (nothing else wanted this core): yielding then only delays
 * noticing the reply, so the rest of this spin polls without yielding.
 */
static bool
crt_spin_yield(void)
{
	struct timespec a, b;

	clock_gettime(CLOCK_MONOTONIC, &a);
	sched_yield();
	clock_gettime(CLOCK_MONOTONIC, &b);
	return (b.tv_sec - a.tv_sec) * 1000000000L + (b.tv_nsec - a.tv_nsec) <
	       CRT_SPIN_YIELD_IDLE_NS;
}

int
crt_progress(crt_context_t crt_ctx, int64_t timeout)
{
	struct crt_context *ctx = crt_ctx;
	bool pure = false;
	uint64_t end;

	if (ctx == NULL)
		return -DER_INVAL;
	end = timeout > 0 ? crt_now_us() + timeout : 0;
	for (;;) {
		if (crt_progress_once(ctx) > 0) {
			ctx->cc_poll_us = 0;
			ctx->cc_poll_idle = 0;
			ctx->cc_spurious = 0;
			crt_mark_active(ctx);
			return 0;
		}
		/*
		 * CRT_PROGRESS_SPIN_US: right after activity, poll a little before
		 * sleeping; a reply often follows a request within tens of
		 * microseconds, less than a sleep/wake-up round trip costs.
		 */
		if (timeout != 0 && crt_gdata.cg_spin_us > 0) {
			uint64_t idle = crt_now_us() -
					__atomic_load_n(&ctx->cc_active_us, __ATOMIC_RELAXED);

			if (idle < (uint64_t)crt_gdata.cg_spin_us) {
				if (!pure && crt_gdata.cg_spin_yield_us >= 0 &&
				    idle >= (uint64_t)crt_gdata.cg_spin_yield_us)
					pure = crt_spin_yield();
				continue;
			}
			/*
			 * RMA in flight: providers with manual progress (tcp) only
			 * push the next chunk of a large transfer when polled, and
			 * their wait fd does not wake us for socket space; sleeping
			 * here stalls the transfer until some other message arrives.
			 * The same holds on the other side: an origin whose RPC
			 * exposed a bulk handle must keep polling while the target
			 * reads or writes it.
			 */
			if ((__atomic_load_n(&ctx->cc_rma_pending, __ATOMIC_RELAXED) > 0 ||
			     __atomic_load_n(&ctx->cc_rma_exposed, __ATOMIC_RELAXED) > 0) &&
			    idle < (uint64_t)crt_gdata.cg_rma_spin_us) {
				sched_yield();
				continue;
			}
		}
		if (timeout == 0) {
			struct fid *fids[1] = {&ctx->cc_cq->fid};

			/*
			 * A poller that blocks on the wait fd after -DER_TIMEDOUT must not
			 * miss a completion: only report idle once fi_trywait() agrees.
			 */
			/*
			 * A wake-up counts as something that happened; consuming it
			 * here keeps the wait fd of a poller from staying readable.
			 */
			if (crt_wake_drain(ctx))
				return 0;
			if (ctx->cc_wait_fd >= 0 &&
			    fi_trywait(crt_gdata.cg_fabric, fids, 1) != FI_SUCCESS)
				return 0;
			return -DER_TIMEDOUT;
		}
		if (timeout > 0) {
			uint64_t now = crt_now_us();

			if (now >= end)
				return -DER_TIMEDOUT;
			if (crt_wait(ctx, (int64_t)(end - now)))
				return 0;
		} else if (crt_wait(ctx, -1)) {
			return 0;
		}
	}
}

int
crt_progress_cond(crt_context_t crt_ctx, int64_t timeout, crt_progress_cond_cb_t cond_cb, void *arg)
{
	uint64_t end = timeout > 0 ? crt_now_us() + timeout : 0;
	int rc;

	if (crt_ctx == NULL || cond_cb == NULL)
		return -DER_INVAL;
	for (;;) {
		rc = cond_cb(arg);
		if (rc > 0)
			return 0;
		if (rc < 0)
			return rc;
		if (timeout == 0) {
			/* one non-blocking pass, as DAOS's crt_progress_cond() */
			rc = crt_progress(crt_ctx, 0);
			if (rc != 0 && rc != -DER_TIMEDOUT)
				return rc;
			rc = cond_cb(arg);
			return rc > 0 ? 0 : rc < 0 ? rc : -DER_TIMEDOUT;
		}
		if (timeout > 0) {
			uint64_t now = crt_now_us();

			if (now >= end)
				return -DER_TIMEDOUT;
			rc = crt_progress(crt_ctx, (int64_t)(end - now));
		} else {
			rc = crt_progress(crt_ctx, 1000 * 1000);
		}
		if (rc != 0 && rc != -DER_TIMEDOUT)
			return rc;
	}
}
