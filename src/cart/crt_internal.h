/**
 * CaRT internals shared by the files of src/cart. Never included from
 * outside this folder.
 */
#ifndef __CRT_INTERNAL_H__
#define __CRT_INTERNAL_H__

#include <pthread.h>
#include <stdatomic.h>
#include <rdma/fabric.h>
#include <rdma/fi_domain.h>
#include <rdma/fi_endpoint.h>
#include <rdma/fi_cm.h>
#include <rdma/fi_tagged.h>
#include <rdma/fi_rma.h>
#include <rdma/fi_errno.h>
#include <rdma/fi_eq.h>

#include <gurt/common.h>
#include <cart/api.h>

#define CRT_CTX_MAX         64
#define CRT_DEFAULT_TIMEOUT 60
#define CRT_DEFAULT_CREDITS 32
/** largest RPC message (header + URI + packed input or output) */
#define CRT_MSG_MAX        (64 * 1024 + 512)
#define CRT_RECV_BUFS      32
/** default CRT_BATCH_MSGS: held sends are flushed once this many gathered */
#define CRT_BATCH_MSGS_DEFAULT 8
/** rxm's default FI_OFI_RXM_BUFFER_SIZE (eager limit) and a bound on its header */
#define CRT_RXM_BUFFER_SIZE 16384
#define CRT_RXM_HDR_MAX     128
#define CRT_ID_HASH_BITS   10
#define CRT_PEER_HASH_BITS 8
/** bulk payloads up to this size travel inside the RPC (client-to-server direction) */
#define CRT_BULK_INLINE_MAX (16 * 1024)
#define CRT_MSG_MAGIC       0x43525431u /* "CRT1" */

/* Tags of the two message classes; receives ignore the other bits. */
#define CRT_TAG_REQ   0x1ULL
#define CRT_TAG_REPLY 0x2ULL
#define CRT_TAG_BATCH 0x4ULL

enum crt_msg_kind {
	CRT_MSG_REQ = 1,
	CRT_MSG_REPLY = 2,
	/** origin -> target: a large reply has been read, release it */
	CRT_MSG_ACK = 3,
	/** several messages for one destination (crt_batch.c) */
	CRT_MSG_BATCH = 4,
	/** is the connection still there? (crt_health.c); the receiver drops it */
	CRT_MSG_PROBE = 5,
};

#define CRT_MSG_FLAG_NO_REPLY 0x1
/** the body starts with a collective-RPC prefix (crt_corpc.c) */
#define CRT_MSG_FLAG_CORPC 0x4
/** the body is a descriptor {addr, len, key} of the whole message, to fi_read */
#define CRT_MSG_FLAG_LARGE 0x2
/** largest message sent by descriptor */
#define CRT_LARGE_MAX (64u << 20)

/** Wire header, little endian, followed by the sender URI (padded to 8) and the body. */
struct crt_msg_hdr {
	uint32_t mh_magic;
	uint8_t mh_kind;
	uint8_t mh_pad;
	uint16_t mh_flags;
	uint32_t mh_opc;
	int32_t mh_rc;
	uint64_t mh_rpc_id;
	uint32_t mh_src_rank;
	uint32_t mh_dst_tag;
	/** URI bytes including the NUL, 0 in replies */
	uint32_t mh_uri_len;
	uint32_t mh_body_len;
};

static inline size_t
crt_msg_body_off(uint32_t uri_len)
{
	return sizeof(struct crt_msg_hdr) + D_ALIGNUP((size_t)uri_len, 8);
}

/** What a completion-queue entry refers to (first field after the provider context). */
enum crt_op_type {
	CRT_OP_RECV = 1,
	CRT_OP_SEND,
	CRT_OP_RMA,
	CRT_OP_LARGE,
};

struct crt_op_hdr {
	struct fi_context2 oh_fictx;
	int oh_type;
};

struct crt_recv_buf {
	struct crt_op_hdr rb_hdr;
	char *rb_buf;
};

struct crt_rpc_priv;
struct crt_context;

/** A message being sent; owns its buffer. */
struct crt_send_op {
	struct crt_op_hdr so_hdr;
	d_list_t so_link; /* retry list */
	struct crt_context *so_ctx;
	/** request sends keep their RPC alive to report send errors */
	struct crt_rpc_priv *so_rpc;
	uint64_t so_rpc_id;
	fi_addr_t so_dest;
	uint64_t so_tag;
	char *so_buf;
	size_t so_len;
	/** the destination, for sends whose failure says it is unreachable */
	struct crt_peer *so_peer;
	/** when the provider first pushed back (-FI_EAGAIN), ms; 0 never */
	uint64_t so_eagain_ms;
	/** a batch: the messages it carries (their buffers are already released) */
	d_list_t so_subs;
	uint32_t so_nsub;
};

/** A remote context this context talks to. */
struct crt_peer {
	d_list_t p_link;
	char *p_uri;
	fi_addr_t p_addr;
	int p_inflight;
	/** requests waiting for a credit */
	d_list_t p_waitq;
	/** last message from it (or when it became busy), last probe sent, ms */
	uint64_t p_heard_ms;
	uint64_t p_probe_ms;
	/** a send to it failed: its RPCs were failed, the event callback told */
	bool p_dead;
	/* its RPCs are being failed: do not start queued ones meanwhile */
	bool p_failing;
};

/** Deferred work run by crt_progress() without the context lock. */
struct crt_work {
	d_list_t w_link;
	void (*w_fn)(struct crt_work *work);
};

struct crt_context {
	int cc_idx;
	struct fid_ep *cc_ep;
	struct fid_cq *cc_cq;
	struct fid_av *cc_av;
	int cc_wait_fd;
	/* epoll set of the CQ wait fd (if the provider has one) and cc_wake_fd */
	int cc_epfd;
	/* eventfd written by crt_context_wakeup(), and whether it may be readable */
	int cc_wake_fd;
	int cc_wake_pending;
	/* current sleep of the polling wait, for providers without a wait fd */
	int cc_poll_us;
	int cc_poll_idle;
	/* wake-ups of the wait fd that found nothing to do */
	int cc_spurious;
	/* last time progress found work, for CRT_PROGRESS_SPIN_US */
	uint64_t cc_active_us;
	char cc_uri[CRT_ADDR_STR_MAX_LEN];
	pthread_mutex_t cc_lock;
	struct crt_recv_buf cc_rbufs[CRT_RECV_BUFS];
	d_list_t cc_id_hash[1 << CRT_ID_HASH_BITS];
	d_list_t cc_peers[1 << CRT_PEER_HASH_BITS];
	/** origin RPCs queued or in flight, for timeouts */
	d_list_t cc_tmo_list;
	/** sends that hit -FI_EAGAIN */
	d_list_t cc_retry_list;
	/** sends held during a progress pass, coalesced when it ends (crt_batch.c) */
	d_list_t cc_defer_list;
	int cc_ndefer;
	size_t cc_defer_bytes;
	/* batches sent and the messages they carried (statistics, tests) */
	uint64_t cc_nbatch;
	uint64_t cc_nbatched;
	/** work for the next crt_progress() call */
	d_list_t cc_work_list;
	_Atomic uint64_t cc_next_id;
	/** large replies waiting for the origin's ACK; large reads in flight */
	d_list_t cc_large_list;
	d_list_t cc_large_reads;
	uint64_t cc_next_deadline;
	/* next look for silent busy peers (crt_health.c) */
	uint64_t cc_next_probe_ms;
	int cc_inflight;
	/* in-flight origin RPCs with crp_rma_exposed set */
	int cc_rma_exposed;
	int cc_rma_pending;
	/** bulk transfers with pieces not yet posted (-FI_EAGAIN) */
	d_list_t cc_bulk_list;
	/** bulk transfers whose callback is not queued yet (crt_bulk_abort) */
	d_list_t cc_bulk_active;
	bool cc_closing;
	/** crt_context_register_rpc_task(): how handlers are run */
	crt_rpc_task_t cc_rpc_cb;
	void *cc_rpc_cb_arg;
};

enum crt_rpc_state {
	RPC_STATE_INIT = 0,
	RPC_STATE_QUEUED,
	/* waiting for the URI of its destination tag */
	RPC_STATE_RESOLVING,
	RPC_STATE_INFLIGHT,
	RPC_STATE_COMPLETED,
	/* target side */
	RPC_STATE_RECEIVED,
	RPC_STATE_REPLIED,
};

struct crt_opc_info {
	d_list_t coi_link;
	crt_opcode_t coi_opc;
	uint32_t coi_flags;
	crt_rpc_cb_t coi_handler;
	struct crt_req_format *coi_fmt;
	struct crt_corpc_ops *coi_co_ops;
	/* size of the last packed request and reply: the next buffer starts there */
	uint32_t coi_in_hint;
	uint32_t coi_out_hint;
};

struct crt_rpc_priv {
	crt_rpc_t crp_pub;
	d_list_t crp_hash_link; /* id hash, or peer wait queue */
	d_list_t crp_tmo_link;
	struct crt_work crp_work;
	struct crt_context *crp_ctx;
	struct crt_opc_info *crp_opc_info;
	_Atomic int crp_refcount;
	int crp_state;
	bool crp_srv;
	bool crp_in_decoded;
	bool crp_out_decoded;
	bool crp_timeout_set;
	uint64_t crp_id;
	uint32_t crp_timeout_ms;
	uint64_t crp_deadline;
	bool crp_no_reply;
	/* the input carries a registered (non-inline) bulk handle: the target may RMA into us */
	bool crp_rma_exposed;
	/** encoded request while it waits for a credit */
	struct crt_send_op *crp_send_op;
	crt_cb_t crp_cb;
	void *crp_cb_arg;
	int crp_rc;
	struct crt_peer *crp_peer;
	char *crp_dest_uri;
	/** received message (target: request, origin: reply); decoded data points into it */
	char *crp_msg;
	/** origin URI of a received request */
	const char *crp_src_uri;
	d_rank_t crp_src_rank;
	/** collective RPC: prefix sent before the input (origin), tree state (target) */
	void *crp_co_prefix;
	size_t crp_co_prefix_len;
	struct crt_corpc *crp_corpc;
	/** already packed input to send as is (forwarded collective RPCs) */
	const void *crp_raw_body;
	size_t crp_raw_len;
	/** registered full request of a large RPC, read by the target */
	char *crp_large_buf;
	struct fid_mr *crp_large_mr;
};

struct crt_gdata {
	pthread_mutex_t cg_lock;
	int cg_refcount;
	uint32_t cg_flags;
	char cg_provider[64];
	char cg_fi_prov[64];
	char cg_node[64];
	int cg_port;
	/* port of context 1 (others follow) when > 0, else cg_port + 1 */
	int cg_ctx1_port;
	struct fi_info *cg_info;
	struct fid_fabric *cg_fabric;
	struct fid_domain *cg_domain;
	bool cg_mr_virt;
	bool cg_mr_prov_key;
	bool cg_sockaddr;
	_Atomic uint64_t cg_mr_key;
	uint32_t cg_timeout;
	int cg_credits;
	/* CRT_PROGRESS_SPIN_US */
	int cg_spin_us;
	/* CRT_SPIN_YIELD_US: spin without yielding this long, then yield each round */
	int cg_spin_yield_us;
	/* CRT_RMA_SPIN_US: keep polling this long while RMAs are in flight */
	int cg_rma_spin_us;
	/* CRT_PROBE_MS: probe a busy peer silent for this long, 0 = never */
	uint32_t cg_probe_ms;
	/* CRT_BATCH_MAX: largest coalesced message, 0 = no coalescing */
	size_t cg_batch_max;
	/* CRT_BATCH_MSGS: flush held sends once this many have gathered */
	int cg_batch_msgs;
	struct crt_context *cg_ctx[CRT_CTX_MAX];
	int cg_ctx_num;
	pthread_rwlock_t cg_opc_lock;
	d_list_t cg_opc_hash[256];
};

extern struct crt_gdata crt_gdata;

/* crt_init.c */
struct crt_opc_info *crt_opc_lookup(crt_opcode_t opc);
uint64_t crt_now_ms(void);

/*
 * A send or RMA was just posted: its completion (and, for a request, the
 * reply) usually follows within tens of microseconds, so the progress loop
 * should spin for CRT_PROGRESS_SPIN_US from now rather than from the last
 * completion it saw, or a round trip slightly longer than the spin window
 * always pays a sleep/wake-up.
 */
static inline void
crt_mark_active(struct crt_context *ctx)
{
	struct timespec ts;

	if (crt_gdata.cg_spin_us <= 0)
		return;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	__atomic_store_n(&ctx->cc_active_us,
			 (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000,
			 __ATOMIC_RELAXED);
}
int crt_fi2der(int fi_rc);

/* crt_iproto.c */
int crt_iproto_register(void);

/* crt_context.c */
int crt_uri_to_addr(struct crt_context *ctx, const char *uri, fi_addr_t *addr);
struct crt_peer *crt_peer_get(struct crt_context *ctx, const char *uri);
void crt_rpc_priv_decref(struct crt_rpc_priv *rpc);
void crt_work_add(struct crt_context *ctx, struct crt_work *work);

/* run the handler of a received RPC (directly or through cc_rpc_cb); consumes a reference */
void crt_rpc_dispatch(struct crt_rpc_priv *rpc);
/* post \a rpc to \a peer, or queue it for a credit */
void crt_rpc_start_locked(struct crt_rpc_priv *rpc, struct crt_peer *peer);
/* ask (rank, 0) for the URI of the tag \a rpc goes to, then start it */
void crt_uri_lookup_start(struct crt_rpc_priv *rpc);
/* crt_rpc.c; "_locked" and these run with the context lock held */
void crt_rpc_complete_locked(struct crt_rpc_priv *rpc, int rc);
void crt_msg_recv(struct crt_context *ctx, char *buf, size_t len);
void crt_send_complete(struct crt_context *ctx, struct crt_send_op *op, int rc);
void crt_retry_sends(struct crt_context *ctx);
void crt_check_timeouts(struct crt_context *ctx);

/* crt_proc.c: the processor used by the RPC and bulk code */
struct crt_proc_s {
	crt_proc_op_t cp_op;
	char *cp_buf;
	size_t cp_cap;
	size_t cp_len;
	size_t cp_off;
	struct crt_rpc_priv *cp_rpc;
};
int crt_proc_reserve(struct crt_proc_s *p, size_t len);

/* crt_group.c */
int crt_grp_init(crt_group_id_t grpid);
int crt_grp_uri_lookup(crt_group_t *grp, d_rank_t rank, uint32_t tag, char **uri);
void crt_grp_fini(void);
d_rank_t crt_grp_self_rank(void);
int crt_grp_tag_uri_set(crt_group_t *grp, d_rank_t rank, uint32_t tag, const char *uri);

/* crt_corpc.c */
struct crt_corpc;
int crt_corpc_parse(struct crt_rpc_priv *rpc, size_t body_len, size_t *input_off);
void crt_corpc_handler_work(struct crt_work *w);
int crt_corpc_local_reply(struct crt_rpc_priv *rpc);
void crt_corpc_free(struct crt_rpc_priv *rpc);
int crt_reply_send_rc(crt_rpc_t *req, int hdr_rc);

/* crt_large.c: messages above CRT_MSG_MAX travel by RMA read */
int crt_large_wrap(char **buf, size_t *len, size_t small_off, char **large_buf,
		   struct fid_mr **large_mr);
void crt_large_recv(struct crt_context *ctx, struct crt_msg_hdr *hdr, char *buf, size_t len);
void crt_large_read_done(struct crt_context *ctx, struct crt_op_hdr *op, int rc);
int crt_large_keep_locked(struct crt_context *ctx, struct crt_peer *peer, uint64_t id, char *buf,
			  struct fid_mr *mr);
void crt_large_ack(struct crt_context *ctx, struct crt_msg_hdr *hdr, char *buf, size_t len);
uint64_t crt_large_expire(struct crt_context *ctx, bool all);
struct crt_rpc_priv *crt_rpc_lookup_locked(struct crt_context *ctx, uint64_t id);
void crt_large_send_ack_locked(struct crt_context *ctx, struct crt_peer *peer, uint64_t id);
int crt_op_post(struct crt_context *ctx, struct crt_send_op *op);
struct crt_send_op *crt_op_alloc(struct crt_context *ctx, char *buf, size_t len, uint64_t tag);
void crt_op_free(struct crt_send_op *op);

/* crt_batch.c: send coalescing during a progress pass */
struct crt_context *crt_defer_begin(struct crt_context *ctx);
void crt_defer_end(struct crt_context *old);
bool crt_op_defer_locked(struct crt_context *ctx, struct crt_send_op *op);
void crt_defer_flush_locked(struct crt_context *ctx);
/* enough held sends for a full batch: flush now rather than at the end of the pass */
bool crt_defer_full(struct crt_context *ctx);
void crt_batch_recv(struct crt_context *ctx, char *buf, size_t len);
/* free an op that was never sent, with the messages of a batch */
void crt_op_discard(struct crt_send_op *op);

/* crt_health.c: peers that stopped answering */
void crt_peer_heard(struct crt_peer *peer);
void crt_peer_probe_locked(struct crt_context *ctx);
void crt_peer_unreachable_locked(struct crt_context *ctx, struct crt_peer *peer, int rc);

/* crt_group.c: rank whose context 0 or other context has \a uri */
int crt_grp_uri2rank(const char *uri, d_rank_t *rank);
void crt_grp_event(d_rank_t rank, enum crt_event_source src, enum crt_event_type type);

/* crt_bulk.c */
void crt_bulk_rma_complete(struct crt_op_hdr *op, int rc);
void crt_bulk_resume(struct crt_context *ctx);

#endif /* __CRT_INTERNAL_H__ */
