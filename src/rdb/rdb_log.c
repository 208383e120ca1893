/**
 * rdb: log entries and their application.
 *
 * A committed TX becomes one entry (rdb_entry_hdr + encoded operations). The entry is the unit
 * the log replicates and the unit that is applied: rdb_log_apply() runs every operation of it
 * and records (index, term) as applied in a single heap transaction, so after a crash either
 * all of an entry is in the trees or none of it.
 *
 * With one replica, rdb_log_append_apply() assigns the next index and applies the entry at once
 * (the entry itself need not be kept: the applied state is the only state). With Raft, it
 * becomes raft_recv_entry() + a wait for the apply callback, and the callback calls
 * rdb_log_apply() with the index Raft gave the entry; nothing above this file changes.
 */
#define D_LOGFAC DD_FAC(rdb)

#include "rdb_internal.h"

const char *
rdb_tx_opc_str(enum rdb_tx_opc opc)
{
	switch (opc) {
	case RDB_TX_CREATE_ROOT:
		return "create_root";
	case RDB_TX_DESTROY_ROOT:
		return "destroy_root";
	case RDB_TX_CREATE:
		return "create";
	case RDB_TX_DESTROY:
		return "destroy";
	case RDB_TX_UPDATE:
		return "update";
	case RDB_TX_DELETE:
		return "delete";
	default:
		return "invalid";
	}
}

size_t
rdb_op_encode(const struct rdb_tx_op *op, void *buf)
{
	struct rdb_op_df df = {0};
	struct rdb_kvs_attr_df adf = {0};
	const void *val = op->dto_value.iov_buf;
	size_t vlen = op->dto_value.iov_len;
	char *p = buf;

	if (op->dto_opc == RDB_TX_CREATE || op->dto_opc == RDB_TX_CREATE_ROOT) {
		adf.ka_class = op->dto_attr.dsa_class;
		adf.ka_order = op->dto_attr.dsa_order;
		val = &adf;
		vlen = sizeof(adf);
	}
	df.od_opc = op->dto_opc;
	df.od_kvs_len = op->dto_kvs.iov_len;
	df.od_key_len = op->dto_key.iov_len;
	df.od_val_len = vlen;
	if (p != NULL) {
		memcpy(p, &df, sizeof(df));
		p += sizeof(df);
		if (df.od_kvs_len > 0)
			memcpy(p, op->dto_kvs.iov_buf, df.od_kvs_len);
		p += df.od_kvs_len;
		if (df.od_key_len > 0)
			memcpy(p, op->dto_key.iov_buf, df.od_key_len);
		p += df.od_key_len;
		if (vlen > 0)
			memcpy(p, val, vlen);
	}
	return sizeof(df) + df.od_kvs_len + df.od_key_len + vlen;
}

static void
iov_at(d_iov_t *iov, const char *p, uint32_t len)
{
	iov->iov_buf = len > 0 ? (void *)p : NULL;
	iov->iov_buf_len = len;
	iov->iov_len = len;
}

ssize_t
rdb_op_decode(const void *buf, size_t len, struct rdb_tx_op *op)
{
	struct rdb_op_df df;
	const char *p = buf;
	uint64_t total;

	if (len < sizeof(df))
		return -DER_DF_INVAL;
	memcpy(&df, p, sizeof(df));
	total = (uint64_t)sizeof(df) + df.od_kvs_len + df.od_key_len + df.od_val_len;
	if (total > len)
		return -DER_DF_INVAL;
	memset(op, 0, sizeof(*op));
	op->dto_opc = df.od_opc;
	p += sizeof(df);
	iov_at(&op->dto_kvs, p, df.od_kvs_len);
	p += df.od_kvs_len;
	iov_at(&op->dto_key, p, df.od_key_len);
	p += df.od_key_len;
	if (op->dto_opc == RDB_TX_CREATE || op->dto_opc == RDB_TX_CREATE_ROOT) {
		struct rdb_kvs_attr_df adf;

		if (df.od_val_len != sizeof(adf))
			return -DER_DF_INVAL;
		memcpy(&adf, p, sizeof(adf));
		op->dto_attr.dsa_class = adf.ka_class;
		op->dto_attr.dsa_order = adf.ka_order;
	} else {
		iov_at(&op->dto_value, p, df.od_val_len);
	}
	switch (op->dto_opc) {
	case RDB_TX_CREATE_ROOT:
	case RDB_TX_DESTROY_ROOT:
	case RDB_TX_CREATE:
	case RDB_TX_DESTROY:
	case RDB_TX_UPDATE:
	case RDB_TX_DELETE:
		break;
	default:
		return -DER_DF_INVAL;
	}
	return total;
}

/* Apply one operation; called inside the entry's heap transaction. */
static int
rdb_apply_op(struct rdb *db, struct rdb_tx_op *op)
{
	struct rdb_kvs_ref ref;
	struct rdb_vhdr vh;
	d_iov_t stored;
	int rc;

	switch (op->dto_opc) {
	case RDB_TX_CREATE_ROOT:
		return rdb_tree_create_root(db, &op->dto_attr);
	case RDB_TX_DESTROY_ROOT:
		return rdb_tree_destroy_root(db);
	default:
		break;
	}

	rc = rdb_path_check(&op->dto_kvs);
	if (rc != 0)
		return rc;
	rc = rdb_key_check(&op->dto_key);
	if (rc != 0)
		return rc;
	rc = rdb_tree_open_path(db, &op->dto_kvs, &ref);
	if (rc != 0)
		return rc;
	rc = rdb_tree_key_check(ref.kr_class, &op->dto_key);
	if (rc != 0)
		goto out;

	switch (op->dto_opc) {
	case RDB_TX_CREATE:
		rc = rdb_tree_create_kvs(db, &ref, &op->dto_key, &op->dto_attr);
		break;
	case RDB_TX_DESTROY:
		/* only a key holding a KVS can be destroyed as one */
		rc = rdb_tree_lookup(&ref, &op->dto_key, &stored);
		if (rc == 0) {
			rdb_stored_vhdr(&stored, &vh);
			if (vh.rv_type != RDB_VT_KVS)
				rc = -DER_INVAL;
		}
		if (rc == 0)
			rc = rdb_tree_delete(db, &ref, &op->dto_key);
		break;
	case RDB_TX_UPDATE:
		/* never overwrite a child KVS with a plain value (it would leak the KVS) */
		rc = rdb_tree_lookup(&ref, &op->dto_key, &stored);
		if (rc == 0) {
			rdb_stored_vhdr(&stored, &vh);
			if (vh.rv_type == RDB_VT_KVS) {
				rc = -DER_INVAL;
				break;
			}
		}
		if (rc != 0 && rc != -DER_NONEXIST)
			break;
		rc = rdb_tree_update(db, &ref, &op->dto_key, &op->dto_value);
		break;
	case RDB_TX_DELETE:
		/* deleting an absent key is not an error (as a VOS punch); a KVS goes recursively */
		rc = rdb_tree_delete(db, &ref, &op->dto_key);
		if (rc == -DER_NONEXIST)
			rc = 0;
		break;
	default:
		rc = -DER_DF_INVAL;
	}
out:
	rdb_tree_close(&ref);
	return rc;
}

static int
rdb_entry_check(const void *entry, size_t len, struct rdb_entry_hdr *hdr)
{
	if (len < sizeof(*hdr))
		return -DER_DF_INVAL;
	memcpy(hdr, entry, sizeof(*hdr));
	if (hdr->re_magic != RDB_ENTRY_MAGIC || hdr->re_version != 1 || hdr->re_len != len)
		return -DER_DF_INVAL;
	return 0;
}

static int
rdb_sb_set_applied(struct rdb *db, uint64_t index, uint64_t term)
{
	struct rdb_sb *sb = db->d_sb;
	int rc;

	rc = umem_tx_add_ptr(&db->d_umm, &sb->rs_applied_index,
			     sizeof(sb->rs_applied_index) + sizeof(sb->rs_applied_term));
	if (rc != 0)
		return rc;
	sb->rs_applied_index = index;
	sb->rs_applied_term = term;
	return 0;
}

/* Durability of one published heap transaction. */
struct rdb_commit_wait {
	ult_eventual_t cw_ev;
	int cw_rc;
};

static void
rdb_commit_cb(void *arg, int rc)
{
	struct rdb_commit_wait *w = arg;

	/* may run on the WAL flusher thread: only hand the result over */
	ult_eventual_set(w->cw_ev, &rc, sizeof(rc));
}

/*
 * Publish the running heap transaction of entry \a index (in memory, in log order) without
 * waiting for it to be durable, so that the next entry can be applied meanwhile and several
 * entries share one fdatasync.
 */
static int
rdb_log_publish(struct rdb *db, uint64_t index, struct rdb_commit_wait *w)
{
	int rc;

	rc = ult_eventual_create(sizeof(int), &w->cw_ev);
	if (rc != 0) {
		umem_tx_abort(&db->d_umm, rc);
		return rc;
	}
	/* from here on, queries wait for this entry to become durable (rdb_wait_durable) */
	db->d_applied = index;
	rc = umem_tx_commit_cb(&db->d_umm, rdb_commit_cb, w);
	if (rc != 0) {
		/* not published: the heap rolled it back */
		db->d_applied = index - 1;
		ult_eventual_free(&w->cw_ev);
	}
	return rc;
}

static int
rdb_log_wait(struct rdb *db, uint64_t index, struct rdb_commit_wait *w)
{
	void *val = NULL;
	bool first_failure = false;
	int rc;

	rc = ult_eventual_wait(w->cw_ev, &val);
	if (rc == 0)
		rc = *(int *)val;
	ult_eventual_free(&w->cw_ev);

	ult_mutex_lock(db->d_mutex);
	if (rc != 0) {
		/* the trees show the entry in DRAM but it may be lost: nothing is safe now */
		D_ERROR(DF_DB ": entry " DF_U64 " not durable: " DF_RC "\n", DP_DB(db), index,
			DP_RC(rc));
		if (db->d_failed == 0) {
			db->d_failed = rc;
			first_failure = true;
		}
	} else if (index > db->d_durable) {
		db->d_durable = index;
	}
	ult_cond_broadcast(db->d_cv);
	ult_mutex_unlock(db->d_mutex);
	/* the service must stop this replica (and, with Raft, let another one lead) */
	if (first_failure && db->d_cbs != NULL && db->d_cbs->dc_stop != NULL)
		db->d_cbs->dc_stop(db, rc, db->d_arg);
	return rc;
}

/* Apply and publish entry \a index; the caller holds d_apply_mutex and then waits on \a w. */
static int
rdb_log_apply_publish(struct rdb *db, uint64_t index, uint64_t term, const void *entry, size_t len,
		      int *result, struct rdb_commit_wait *w)
{
	struct rdb_entry_hdr hdr;
	const char *p, *end;
	uint32_t i;
	int rc;

	if (db->d_failed)
		return db->d_failed;
	rc = rdb_entry_check(entry, len, &hdr);
	if (rc != 0) {
		D_ERROR(DF_DB ": bad entry " DF_U64 "\n", DP_DB(db), index);
		return rc;
	}

	rc = umem_tx_begin(&db->d_umm, NULL);
	if (rc != 0)
		return rc;
	p = (const char *)entry + sizeof(hdr);
	end = (const char *)entry + len;
	for (i = 0; i < hdr.re_nops; i++) {
		struct rdb_tx_op op;
		ssize_t n;

		n = rdb_op_decode(p, end - p, &op);
		if (n < 0) {
			rc = n;
			break;
		}
		rc = rdb_apply_op(db, &op);
		if (rc != 0) {
			if (!rdb_tx_deterministic_error(rc))
				D_ERROR(DF_DB ": entry " DF_U64 " op %u (%s): " DF_RC "\n",
					DP_DB(db), index, i, rdb_tx_opc_str(op.dto_opc), DP_RC(rc));
			else
				D_DEBUG(DB_MD, DF_DB ": entry " DF_U64 " op %u (%s): " DF_RC "\n",
					DP_DB(db), index, i, rdb_tx_opc_str(op.dto_opc), DP_RC(rc));
			break;
		}
		p += n;
	}
	if (rc == 0 && p != end)
		rc = -DER_DF_INVAL;
	if (rc == 0)
		rc = rdb_sb_set_applied(db, index, term);
	if (rc == 0) {
		rc = rdb_log_publish(db, index, w);
		if (rc == 0)
			*result = 0;
		return rc;
	}

	/* undo every update of the entry: the trees are back to the previous entry's state */
	umem_tx_abort(&db->d_umm, rc);
	if (!rdb_tx_deterministic_error(rc))
		return rc;

	/* a deterministic failure still consumes the index (every replica fails alike) */
	*result = rc;
	rc = umem_tx_begin(&db->d_umm, NULL);
	if (rc != 0)
		return rc;
	rc = rdb_sb_set_applied(db, index, term);
	if (rc != 0) {
		umem_tx_abort(&db->d_umm, rc);
		return rc;
	}
	return rdb_log_publish(db, index, w);
}

int
rdb_log_apply(struct rdb *db, uint64_t index, uint64_t term, const void *entry, size_t len,
	      int *result)
{
	struct rdb_commit_wait w;
	int rc;

	ult_mutex_lock(db->d_apply_mutex);
	rc = rdb_log_apply_publish(db, index, term, entry, len, result, &w);
	ult_mutex_unlock(db->d_apply_mutex);
	if (rc != 0)
		return rc;
	return rdb_log_wait(db, index, &w);
}

int
rdb_log_append_apply(struct rdb *db, uint64_t term, const void *entry, size_t len, int *result)
{
	struct rdb_commit_wait w;
	uint64_t index;
	int rc;

	/*
	 * One voter: an appended entry is committed at once. Index assignment and the in-memory
	 * apply happen under d_apply_mutex so entries are applied in index order; the durability
	 * waits of several committers overlap (group commit).
	 */
	ult_mutex_lock(db->d_apply_mutex);
	rc = rdb_leader_check(db, term);
	if (rc == 0) {
		index = db->d_last_index + 1;
		rc = rdb_log_apply_publish(db, index, term, entry, len, result, &w);
		if (rc == 0)
			db->d_last_index = index;
	}
	ult_mutex_unlock(db->d_apply_mutex);
	if (rc != 0)
		return rc;
	return rdb_log_wait(db, index, &w);
}
