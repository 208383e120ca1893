/**
 * Send coalescing. While crt_progress() runs completions, handlers and
 * callbacks on a thread, the messages that thread sends on that context are
 * held on the context instead of going out one by one; when the pass ends
 * they are sent, and several messages for the same destination travel as one
 * CRT_MSG_BATCH message. With many RPCs in flight one pass typically answers
 * (or re-issues) a dozen of them, so the sender makes one send call and the
 * receiver one receive per dozen messages instead of one each: on loopback
 * TCP every send is a full trip through the network stack, and on shm every
 * message above the inject size takes a slower copy protocol.
 *
 * Batch layout: a crt_msg_hdr (kind CRT_MSG_BATCH, body_len) followed by
 * records {u32 len, u32 0, message, padding to 8}. Each embedded message is
 * validated exactly like one that arrived alone; a batch never nests.
 */
#define D_LOGFAC DD_FAC(rpc)

#include "crt_internal.h"

struct crt_batch_rec {
	uint32_t br_len;
	uint32_t br_pad;
};

static __thread struct crt_context *crt_defer_ctx;

struct crt_context *
crt_defer_begin(struct crt_context *ctx)
{
	struct crt_context *old = crt_defer_ctx;

	crt_defer_ctx = ctx;
	return old;
}

void
crt_defer_end(struct crt_context *old)
{
	crt_defer_ctx = old;
}

bool
crt_op_defer_locked(struct crt_context *ctx, struct crt_send_op *op)
{
	if (crt_defer_ctx != ctx || crt_gdata.cg_batch_max == 0 || op->so_nsub > 0)
		return false;
	d_list_add_tail(&op->so_link, &ctx->cc_defer_list);
	__atomic_add_fetch(&ctx->cc_defer_bytes, op->so_len, __ATOMIC_RELAXED);
	__atomic_add_fetch(&ctx->cc_ndefer, 1, __ATOMIC_RELAXED);
	return true;
}

bool
crt_defer_full(struct crt_context *ctx)
{
	int n = __atomic_load_n(&ctx->cc_ndefer, __ATOMIC_RELAXED);
	size_t bytes;

	if (n == 0)
		return false;
	if (n >= crt_gdata.cg_batch_msgs)
		return true;
	/* would one more message of the average size still fit in a batch? */
	bytes = __atomic_load_n(&ctx->cc_defer_bytes, __ATOMIC_RELAXED);
	return bytes + bytes / n > crt_gdata.cg_batch_max;
}

static size_t
crt_batch_rec_size(const struct crt_send_op *op)
{
	return sizeof(struct crt_batch_rec) + D_ALIGNUP(op->so_len, 8);
}

/* Copy the messages of \a subs into one batch message owned by a new send op. */
static struct crt_send_op *
crt_batch_build(struct crt_context *ctx, d_list_t *subs, uint32_t n, size_t total)
{
	struct crt_msg_hdr *hdr;
	struct crt_send_op *op, *sub;
	char *buf, *p;

	buf = calloc(1, total);
	if (buf == NULL)
		return NULL;
	op = crt_op_alloc(ctx, buf, total, CRT_TAG_BATCH);
	if (op == NULL) {
		free(buf);
		return NULL;
	}
	hdr = (struct crt_msg_hdr *)buf;
	hdr->mh_magic = CRT_MSG_MAGIC;
	hdr->mh_kind = CRT_MSG_BATCH;
	hdr->mh_body_len = (uint32_t)(total - sizeof(*hdr));
	p = buf + sizeof(*hdr);
	d_list_for_each_entry(sub, subs, so_link)
	{
		struct crt_batch_rec rec = {.br_len = (uint32_t)sub->so_len};

		memcpy(p, &rec, sizeof(rec));
		memcpy(p + sizeof(rec), sub->so_buf, sub->so_len);
		p += crt_batch_rec_size(sub);
		/* the copy is what travels: release the original now */
		D_FREE(sub->so_buf);
	}
	d_list_splice_init(subs, &op->so_subs);
	op->so_nsub = n;
	sub = d_list_entry(op->so_subs.next, struct crt_send_op, so_link);
	op->so_dest = sub->so_dest;
	/* for crt_send_stuck(); a failure is reported to each message's own peer */
	op->so_peer = sub->so_peer;
	return op;
}

static void
crt_op_send_now_locked(struct crt_context *ctx, struct crt_send_op *op)
{
	int rc;

	rc = crt_op_post(ctx, op);
	if (rc != 0)
		crt_send_complete(ctx, op, rc);
}

void
crt_defer_flush_locked(struct crt_context *ctx)
{
	size_t max = crt_gdata.cg_batch_max;
	/* what is sent from here (and from error completions) goes out at once */
	struct crt_context *saved = crt_defer_begin(NULL);

	while (!d_list_empty(&ctx->cc_defer_list)) {
		struct crt_send_op *first, *op, *tmp, *batch;
		size_t total;
		uint32_t n = 1;
		d_list_t subs;

		first = d_list_entry(ctx->cc_defer_list.next, struct crt_send_op, so_link);
		d_list_del_init(&first->so_link);
		__atomic_sub_fetch(&ctx->cc_ndefer, 1, __ATOMIC_RELAXED);
		total = sizeof(struct crt_msg_hdr) + crt_batch_rec_size(first);
		D_INIT_LIST_HEAD(&subs);
		d_list_add_tail(&first->so_link, &subs);
		if (total <= max) {
			d_list_for_each_entry_safe(op, tmp, &ctx->cc_defer_list, so_link)
			{
				if (op->so_dest != first->so_dest)
					continue;
				/* keep the order of messages to one destination */
				if (total + crt_batch_rec_size(op) > max)
					break;
				total += crt_batch_rec_size(op);
				d_list_move_tail(&op->so_link, &subs);
				__atomic_sub_fetch(&ctx->cc_ndefer, 1, __ATOMIC_RELAXED);
				n++;
			}
		}
		if (n == 1) {
			d_list_del_init(&first->so_link);
			crt_op_send_now_locked(ctx, first);
			continue;
		}
		batch = crt_batch_build(ctx, &subs, n, total);
		if (batch == NULL) {
			/* no memory for the copy: send them one by one */
			d_list_for_each_entry_safe(op, tmp, &subs, so_link)
			{
				d_list_del_init(&op->so_link);
				crt_op_send_now_locked(ctx, op);
			}
			continue;
		}
		ctx->cc_nbatch++;
		ctx->cc_nbatched += n;
		crt_op_send_now_locked(ctx, batch);
	}
	__atomic_store_n(&ctx->cc_defer_bytes, 0, __ATOMIC_RELAXED);
	crt_defer_end(saved);
}

void
crt_op_discard(struct crt_send_op *op)
{
	struct crt_send_op *sub;

	while ((sub = d_list_pop_entry(&op->so_subs, struct crt_send_op, so_link)) != NULL)
		crt_op_free(sub);
	crt_op_free(op);
}

void
crt_batch_recv(struct crt_context *ctx, char *buf, size_t len)
{
	size_t off = sizeof(struct crt_msg_hdr);
	struct crt_msg_hdr hdr;

	memcpy(&hdr, buf, sizeof(hdr));
	if (hdr.mh_body_len != len - off) {
		D_ERROR("dropping a batch of %zu bytes announcing %u\n", len, hdr.mh_body_len);
		return;
	}
	while (off < len) {
		struct crt_batch_rec rec;
		struct crt_msg_hdr sub;

		if (len - off < sizeof(rec)) {
			D_ERROR("dropping the truncated end of a batch\n");
			return;
		}
		memcpy(&rec, buf + off, sizeof(rec));
		off += sizeof(rec);
		if (rec.br_len < sizeof(sub) || rec.br_len > len - off) {
			D_ERROR("dropping the rest of a batch: bad record of %u bytes\n",
				rec.br_len);
			return;
		}
		memcpy(&sub, buf + off, sizeof(sub));
		if (sub.mh_kind == CRT_MSG_BATCH)
			D_ERROR("dropping a nested batch\n");
		else
			crt_msg_recv(ctx, buf + off, rec.br_len);
		off += rec.br_len;
		off += min(D_ALIGNUP(off, 8) - off, len - off);
	}
}
