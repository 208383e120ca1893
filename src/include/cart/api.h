/**
 * CaRT API: initialization, contexts and progress, RPCs and protocols,
 * pack/unpack, groups, bulk transfers and collective RPCs. Names and
 * signatures follow DAOS's cart/api.h.
 */
#ifndef __CRT_API_H__
#define __CRT_API_H__

#include <stdbool.h>
#include <uuid/uuid.h>
#include <gurt/types.h>
#include <cart/types.h>

#if defined(__cplusplus)
extern "C" {
#endif

/* ---- initialization ---- */

/**
 * Initialize CaRT. Provider, interface and port come from \a opt or from
 * D_PROVIDER, D_INTERFACE and D_PORT. Reference counted.
 */
int crt_init_opt(crt_group_id_t grpid, uint32_t flags, crt_init_options_t *opt);

static inline int
crt_init(crt_group_id_t grpid, uint32_t flags)
{
	return crt_init_opt(grpid, flags, NULL);
}

/** Release what crt_init() set up; fails with -DER_BUSY while contexts exist. */
int crt_finalize(void);

bool crt_initialized(void);

/* ---- contexts and progress ---- */

/** Create a context: its own endpoint, completion queue and address; its index is its tag. */
int crt_context_create(crt_context_t *crt_ctx);

/** Destroy a context; without \a force it fails with -DER_BUSY while RPCs are in flight. */
int crt_context_destroy(crt_context_t crt_ctx, int force);

int crt_context_idx(crt_context_t crt_ctx, int *ctx_idx);

int crt_context_num(int *ctx_num);

/**
 * File descriptor (an epoll set) that becomes readable when the context has
 * work or crt_context_wakeup() was called. A poller calls crt_progress(ctx,
 * 0) until it returns -DER_TIMEDOUT (which also means it is now safe to
 * sleep), then epolls the fd. Returns -DER_NOSYS for providers without a
 * wait object (shm): poll instead.
 */
int crt_context_get_wait_fd(crt_context_t crt_ctx, int *fd);

/**
 * pdaos extension (not in DAOS): make a thread blocked in crt_progress() or
 * crt_progress_cond() on \a crt_ctx return soon, e.g. because another thread
 * completed something its condition waits for. Safe from any thread; a
 * wake-up while nobody waits ends the next wait at once.
 */
int crt_context_wakeup(crt_context_t crt_ctx);

/**
 * Route every RPC this context receives through \a process_cb, which runs
 * the real handler (now, or later in another thread or ULT). \a iv_resp_cb
 * is accepted for compatibility and unused.
 */
int crt_context_register_rpc_task(crt_context_t crt_ctx, crt_rpc_task_t process_cb,
				  crt_rpc_task_t iv_resp_cb, void *arg);

/** Number of RPCs of this context not yet completed (origin side). */
int crt_context_inflight_num(crt_context_t crt_ctx, int *num);

#define CRT_PROGRESS_NOWAIT      (0)
#define CRT_PROGRESS_WAITFOREVER (-1)

/**
 * Make progress: \a timeout microseconds at most (0: poll once, never
 * blocks; negative: until something happens). Returns 0 if something was
 * processed or crt_context_wakeup() ended the wait, -DER_TIMEDOUT if nothing
 * happened.
 */
int crt_progress(crt_context_t crt_ctx, int64_t timeout);

/**
 * Progress until \a cond_cb returns non-zero or \a timeout microseconds pass
 * (0: one non-blocking pass; negative: no limit), as DAOS. Returns 0, the
 * negative value of cond_cb or -DER_TIMEDOUT. crt_context_wakeup() makes a
 * blocked call re-evaluate \a cond_cb.
 */
int crt_progress_cond(crt_context_t crt_ctx, int64_t timeout, crt_progress_cond_cb_t cond_cb,
		      void *arg);

/* ---- protocols and RPCs ---- */

int crt_proto_register(struct crt_proto_format *cpf);

/**
 * Ask \a tgt_ep which of the \a count versions in \a ver of protocol \a base_opc
 * it speaks; \a cb gets the highest in pq_ver (pq_rc -DER_NONEXIST if none).
 * \a timeout in seconds, 0 for the default. Uses context 0.
 */
int crt_proto_query(crt_endpoint_t *tgt_ep, crt_opcode_t base_opc, uint32_t *ver, int count,
		    uint32_t timeout, crt_proto_query_cb_t cb, void *arg);

int crt_proto_query_with_ctx(crt_endpoint_t *tgt_ep, crt_opcode_t base_opc, uint32_t *ver,
			     int count, uint32_t timeout, crt_proto_query_cb_t cb, void *arg,
			     crt_context_t ctx);

/** Register one opcode (outside any protocol table). */
int crt_rpc_register(crt_opcode_t opc, uint32_t flags, struct crt_req_format *crf);

int crt_rpc_srv_register(crt_opcode_t opc, uint32_t flags, struct crt_req_format *crf,
			 crt_rpc_cb_t rpc_handler);

/** Create an RPC to \a tgt_ep; the caller holds one reference. */
int crt_req_create(crt_context_t crt_ctx, crt_endpoint_t *tgt_ep, crt_opcode_t opc,
		   crt_rpc_t **req);

/**
 * Send \a req. The reference from crt_req_create() passes to CaRT; \a
 * complete_cb runs exactly once (also when sending fails, in which case the
 * error is returned as well).
 */
int crt_req_send(crt_rpc_t *req, crt_cb_t complete_cb, void *arg);

/** Send the reply of a received RPC (target side). */
int crt_reply_send(crt_rpc_t *req);

static inline void *
crt_req_get(crt_rpc_t *rpc)
{
	return rpc->cr_input;
}

static inline void *
crt_reply_get(crt_rpc_t *rpc)
{
	return rpc->cr_output;
}

/** Complete an in-flight or queued RPC with -DER_CANCELED. */
int crt_req_abort(crt_rpc_t *req);

int crt_req_addref(crt_rpc_t *req);

int crt_req_decref(crt_rpc_t *req);

/** Per-RPC timeout in seconds (default CRT_TIMEOUT, 60). */
int crt_req_set_timeout(crt_rpc_t *req, uint32_t timeout_sec);

/** Per-RPC timeout in milliseconds (pdaos extension, for tests and tight loops). */
int crt_req_set_timeout_ms(crt_rpc_t *req, uint32_t timeout_ms);

int crt_req_get_timeout(crt_rpc_t *req, uint32_t *timeout_sec);

int crt_req_src_rank_get(crt_rpc_t *req, d_rank_t *rank);

int crt_req_dst_tag_get(crt_rpc_t *req, uint32_t *tag);

int crt_req_dst_rank_get(crt_rpc_t *req, d_rank_t *rank);

/** Change the destination of an RPC not yet sent. */
int crt_req_set_endpoint(crt_rpc_t *req, crt_endpoint_t *tgt_ep);

/** URI of the origin of a received RPC (valid while the RPC lives). */
int crt_req_src_uri_get(crt_rpc_t *req, const char **uri);

/** Target a URI directly instead of a rank (pdaos extension; before crt_req_send). */
int crt_req_set_dest_uri(crt_rpc_t *req, const char *uri);

/* ---- pack/unpack ---- */

int crt_proc_get_op(crt_proc_t proc, crt_proc_op_t *proc_op);
int crt_proc_memcpy(crt_proc_t proc, crt_proc_op_t proc_op, void *data, size_t data_size);
int crt_proc_int8_t(crt_proc_t proc, crt_proc_op_t proc_op, int8_t *data);
int crt_proc_uint8_t(crt_proc_t proc, crt_proc_op_t proc_op, uint8_t *data);
int crt_proc_int16_t(crt_proc_t proc, crt_proc_op_t proc_op, int16_t *data);
int crt_proc_uint16_t(crt_proc_t proc, crt_proc_op_t proc_op, uint16_t *data);
int crt_proc_int32_t(crt_proc_t proc, crt_proc_op_t proc_op, int32_t *data);
int crt_proc_uint32_t(crt_proc_t proc, crt_proc_op_t proc_op, uint32_t *data);
int crt_proc_int64_t(crt_proc_t proc, crt_proc_op_t proc_op, int64_t *data);
int crt_proc_uint64_t(crt_proc_t proc, crt_proc_op_t proc_op, uint64_t *data);
int crt_proc_bool(crt_proc_t proc, crt_proc_op_t proc_op, bool *data);
/* "bool" is a macro for _Bool, so field lists with (bool) paste to this name. */
#define crt_proc__Bool crt_proc_bool
int crt_proc_int(crt_proc_t proc, crt_proc_op_t proc_op, int *data);
int crt_proc_d_rank_t(crt_proc_t proc, crt_proc_op_t proc_op, d_rank_t *data);
int crt_proc_crt_opcode_t(crt_proc_t proc, crt_proc_op_t proc_op, crt_opcode_t *data);
int crt_proc_crt_status_t(crt_proc_t proc, crt_proc_op_t proc_op, crt_status_t *data);
int crt_proc_uuid_t(crt_proc_t proc, crt_proc_op_t proc_op, uuid_t *data);
/** NULL and "" are distinct on the wire; decoded strings point into the message. */
int crt_proc_d_string_t(crt_proc_t proc, crt_proc_op_t proc_op, d_string_t *data);
int crt_proc_d_const_string_t(crt_proc_t proc, crt_proc_op_t proc_op, d_const_string_t *data);
/** Decoded iovs point into the message; iov_buf_len equals iov_len. */
int crt_proc_d_iov_t(crt_proc_t proc, crt_proc_op_t proc_op, d_iov_t *data);
/** Decoded lists are allocated and freed by CRT_PROC_FREE. */
int crt_proc_d_rank_list_t(crt_proc_t proc, crt_proc_op_t proc_op, d_rank_list_t **data);
int crt_proc_crt_bulk_t(crt_proc_t proc, crt_proc_op_t proc_op, crt_bulk_t *data);

/* helpers of CRT_ARRAY members */
int crt_proc_array_hdr(crt_proc_t proc, crt_proc_op_t op, uint64_t *count, void **arrays,
		       size_t elem_size);
void crt_proc_array_free(crt_proc_t proc, void **arrays);

/**
 * Pack \a data with \a proc_cb into a new buffer (pdaos extension used by
 * tests and tools). Free *buf with free().
 */
int crt_proc_pack(crt_proc_cb_t proc_cb, void *data, void **buf, size_t *len);

/**
 * Unpack \a len bytes of \a buf into \a data; the decoded struct may point
 * into \a buf. On error nothing stays allocated. Release with crt_proc_unpack_free().
 */
int crt_proc_unpack(crt_proc_cb_t proc_cb, const void *buf, size_t len, void *data);

void crt_proc_unpack_free(crt_proc_cb_t proc_cb, void *data);

/* ---- groups ---- */

crt_group_t *crt_group_lookup(crt_group_id_t grp_id);

int crt_group_rank(crt_group_t *grp, d_rank_t *rank);

int crt_group_size(crt_group_t *grp, uint32_t *size);

int crt_group_ranks_get(crt_group_t *group, d_rank_list_t **list);

int crt_rank_self_set(d_rank_t rank, uint32_t group_version_min);

int crt_group_primary_rank_add(crt_context_t ctx, crt_group_t *grp, d_rank_t rank, char *uri);

int crt_group_rank_remove(crt_group_t *group, d_rank_t rank);

/**
 * Change the primary group's membership at once: add (uris[i] for
 * ranks[i]), remove, or replace it by \a ranks; \a version becomes the
 * group version. num_ctxs must be 1; incarnations may be NULL.
 */
int crt_group_primary_modify(crt_group_t *grp, crt_context_t *ctxs, int num_ctxs,
			     d_rank_list_t *ranks, uint64_t *incarnations, char **uris,
			     crt_group_mod_op_t op, uint32_t version);

/** URI of context \a tag of \a rank; free *uri with free(). */
int crt_rank_uri_get(crt_group_t *group, d_rank_t rank, int tag, char **uri);

/** URI of this process's context \a tag; free *uri with free(). */
int crt_self_uri_get(int tag, char **uri);

int crt_group_config_path_set(const char *path);

/** Write the attach-info file of \a grp into the configured path. */
int crt_group_config_save(crt_group_t *grp, bool forall);

int crt_group_config_remove(crt_group_t *grp);

/** Load the attach-info file of \a srv_grpid and return that group. */
int crt_group_attach(crt_group_id_t srv_grpid, crt_group_t **attached_grp);

int crt_group_detach(crt_group_t *attached_grp);

int crt_group_version(crt_group_t *grp, uint32_t *version);

int crt_group_version_set(crt_group_t *grp, uint32_t version);

int crt_register_event_cb(crt_event_cb event_handler, void *arg);

int crt_unregister_event_cb(crt_event_cb event_handler, void *arg);

/* ---- bulk ---- */

int crt_bulk_create(crt_context_t crt_ctx, d_sg_list_t *sgl, crt_bulk_perm_t bulk_perm,
		    crt_bulk_t *bulk_hdl);

int crt_bulk_free(crt_bulk_t bulk_hdl);

int crt_bulk_transfer(struct crt_bulk_desc *bulk_desc, crt_bulk_cb_t complete_cb, void *arg,
		      crt_bulk_opid_t *opid);

int crt_bulk_get_len(crt_bulk_t bulk_hdl, size_t *bulk_len);

int crt_bulk_get_sgnum(crt_bulk_t bulk_hdl, unsigned int *bulk_sgnum);

int crt_bulk_abort(crt_context_t crt_ctx, crt_bulk_opid_t opid);

/* ---- collective RPC ---- */

static inline int
crt_tree_topo(enum crt_tree_type tree_type, uint32_t branch_ratio)
{
	return (int)(((uint32_t)tree_type << CRT_TREE_TYPE_SHIFT) | branch_ratio);
}

int crt_corpc_req_create(crt_context_t crt_ctx, crt_group_t *grp, d_rank_list_t *filter_ranks,
			 crt_opcode_t opc, crt_bulk_t co_bulk_hdl, void *priv, uint32_t flags,
			 int tree_topo, crt_rpc_t **req);

#if defined(__cplusplus)
}
#endif

#endif /* __CRT_API_H__ */
