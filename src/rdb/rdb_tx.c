/**
 * rdb: transactions.
 *
 * Updates are buffered in the TX as a list of operation records (oldest first). Queries read
 * through that buffer: the newest buffered operation that concerns a key, or that created or
 * destroyed the KVS holding it (or any ancestor), decides what the TX sees; only when there is
 * none do they read the trees. Iteration and ordered probes of a KVS the TX has touched merge
 * the tree's records with the buffered ones.
 *
 * rdb_tx_commit() encodes the buffer into one log entry (rdb_log.c), which is appended and
 * applied atomically; it returns once the entry is durable.
 */
#define D_LOGFAC DD_FAC(rdb)

#include <stdlib.h>

#include "rdb_internal.h"

#define RDB_TX_LOCAL (1U << 0) /* local and query-only */

/* TXs with more updates than this are never critical (they could use much space). */
#define RDB_TX_CRITICAL_OPS_LIMIT 8

/* A buffered update. All iovs point into or_buf. */
struct rdb_tx_op_rec {
	d_list_t or_link;
	enum rdb_tx_opc or_opc;
	bool or_crit;
	struct rdb_kvs_attr or_attr;
	/* user-visible value of a created KVS */
	struct rdb_vhdr or_kvs_vhdr;
	rdb_path_t or_kvs;
	d_iov_t or_key;
	/* UPDATE: stored form (struct rdb_vhdr + data) */
	d_iov_t or_value;
	/* CREATE*, DESTROY*, DELETE: path of the KVS this op creates or removes */
	rdb_path_t or_target;
	/* value first: it starts with a struct rdb_vhdr */
	char or_buf[] __attribute__((aligned(8)));
};

static bool
path_is_prefix(const d_iov_t *x, const d_iov_t *p)
{
	return x->iov_len > 0 && x->iov_len <= p->iov_len &&
	       memcmp(x->iov_buf, p->iov_buf, x->iov_len) == 0;
}

static bool
iov_equal(const d_iov_t *a, const d_iov_t *b)
{
	return a->iov_len == b->iov_len &&
	       (a->iov_len == 0 || memcmp(a->iov_buf, b->iov_buf, a->iov_len) == 0);
}

/* Raw byte order (for de-duplicating buffered keys). */
static int
iov_cmp(const d_iov_t *a, const d_iov_t *b)
{
	size_t n = min(a->iov_len, b->iov_len);
	int rc;

	rc = n > 0 ? memcmp(a->iov_buf, b->iov_buf, n) : 0;
	if (rc != 0)
		return rc;
	return a->iov_len < b->iov_len ? -1 : (a->iov_len > b->iov_len ? 1 : 0);
}

int
rdb_leader_check(struct rdb *db, uint64_t term)
{
	if (db->d_failed)
		return db->d_failed;
	if (!db->d_started || !db->d_leader || db->d_stopping || term != db->d_term)
		return -DER_NOTLEADER;
	return 0;
}

int
rdb_tx_begin(struct rdb *db, uint64_t term, struct rdb_tx *tx)
{
	int rc;

	if (db == NULL || tx == NULL)
		return -DER_INVAL;
	if (term == RDB_NIL_TERM)
		term = db->d_term;
	rc = rdb_leader_check(db, term);
	if (rc != 0)
		return rc;
	memset(tx, 0, sizeof(*tx));
	tx->dt_db = db;
	tx->dt_term = term;
	D_INIT_LIST_HEAD(&tx->dt_ops);
	ult_mutex_lock(db->d_mutex);
	db->d_ntx++;
	ult_mutex_unlock(db->d_mutex);
	return 0;
}

int
rdb_tx_begin_local(struct rdb_storage *storage, struct rdb_tx *tx)
{
	struct rdb *db = rdb_from_storage(storage);

	if (db == NULL || tx == NULL)
		return -DER_INVAL;
	memset(tx, 0, sizeof(*tx));
	tx->dt_db = db;
	tx->dt_term = RDB_NIL_TERM;
	tx->dt_flags = RDB_TX_LOCAL;
	D_INIT_LIST_HEAD(&tx->dt_ops);
	ult_mutex_lock(db->d_mutex);
	db->d_ntx++;
	ult_mutex_unlock(db->d_mutex);
	return 0;
}

void
rdb_tx_discard(struct rdb_tx *tx)
{
	struct rdb_tx_op_rec *rec, *tmp;

	if (tx == NULL || tx->dt_db == NULL)
		return;
	d_list_for_each_entry_safe(rec, tmp, &tx->dt_ops, or_link)
	{
		d_list_del(&rec->or_link);
		D_FREE(rec);
	}
	tx->dt_num_ops = 0;
	D_FREE(tx->dt_entry);
	tx->dt_entry_cap = 0;
	tx->dt_entry_len = 0;
}

void
rdb_tx_end(struct rdb_tx *tx)
{
	struct rdb *db;

	if (tx == NULL || tx->dt_db == NULL)
		return;
	db = tx->dt_db;
	rdb_tx_discard(tx);
	ult_mutex_lock(db->d_mutex);
	db->d_ntx--;
	ult_cond_broadcast(db->d_cv);
	ult_mutex_unlock(db->d_mutex);
	tx->dt_db = NULL;
}

static void
iov_place(d_iov_t *dst, char **p, const void *src, size_t len)
{
	dst->iov_buf = *p;
	dst->iov_buf_len = len;
	dst->iov_len = len;
	if (len > 0 && src != NULL)
		memcpy(*p, src, len);
	*p += len;
}

/* Buffer one update after validating it. */
static int
rdb_tx_append(struct rdb_tx *tx, enum rdb_tx_opc opc, const rdb_path_t *kvs, const d_iov_t *key,
	      const d_iov_t *value, const struct rdb_kvs_attr *attr, bool crit)
{
	struct rdb_tx_op_rec *rec;
	size_t kvs_len = 0, key_len = 0, val_len = 0, tgt_len = 0;
	char *p;
	int rc;

	if (tx == NULL || tx->dt_db == NULL || (tx->dt_flags & RDB_TX_LOCAL))
		return -DER_INVAL;
	if (opc != RDB_TX_CREATE_ROOT && opc != RDB_TX_DESTROY_ROOT) {
		rc = rdb_path_check(kvs);
		if (rc != 0)
			return rc;
		rc = rdb_key_check(key);
		if (rc != 0)
			return rc;
		kvs_len = kvs->iov_len;
		key_len = key->iov_len;
	}
	if (opc == RDB_TX_UPDATE) {
		if (value == NULL || value->iov_buf == NULL || value->iov_len == 0 ||
		    value->iov_len > value->iov_buf_len || value->iov_len > RDB_VALUE_MAX)
			return -DER_INVAL;
		val_len = sizeof(struct rdb_vhdr) + value->iov_len;
	}
	if (opc == RDB_TX_CREATE || opc == RDB_TX_CREATE_ROOT) {
		if (attr == NULL || attr->dsa_class > RDB_KVS_LEXICAL)
			return -DER_INVAL;
	}
	switch (opc) {
	case RDB_TX_CREATE_ROOT:
	case RDB_TX_DESTROY_ROOT:
		tgt_len = rdb_encode_key(&rdb_path_root_key, NULL);
		break;
	case RDB_TX_CREATE:
	case RDB_TX_DESTROY:
	case RDB_TX_DELETE:
		tgt_len = kvs_len + rdb_encode_key(key, NULL);
		break;
	default:
		break;
	}
	rc = rdb_leader_check(tx->dt_db, tx->dt_term);
	if (rc != 0)
		return rc;

	D_ALLOC(rec, sizeof(*rec) + kvs_len + key_len + val_len + tgt_len);
	if (rec == NULL)
		return -DER_NOMEM;
	rec->or_opc = opc;
	rec->or_crit = crit;
	if (attr != NULL)
		rec->or_attr = *attr;
	rec->or_kvs_vhdr.rv_magic = RDB_VHDR_MAGIC;
	rec->or_kvs_vhdr.rv_type = RDB_VT_KVS;
	rec->or_kvs_vhdr.rv_class = rec->or_attr.dsa_class;
	p = rec->or_buf;
	if (val_len > 0) {
		struct rdb_vhdr vh = {.rv_magic = RDB_VHDR_MAGIC, .rv_type = RDB_VT_PLAIN};

		iov_place(&rec->or_value, &p, NULL, val_len);
		memcpy(rec->or_value.iov_buf, &vh, sizeof(vh));
		memcpy((char *)rec->or_value.iov_buf + sizeof(vh), value->iov_buf, value->iov_len);
	}
	iov_place(&rec->or_kvs, &p, kvs_len ? kvs->iov_buf : NULL, kvs_len);
	iov_place(&rec->or_key, &p, key_len ? key->iov_buf : NULL, key_len);
	if (tgt_len > 0) {
		iov_place(&rec->or_target, &p, NULL, tgt_len);
		if (kvs_len > 0)
			memcpy(rec->or_target.iov_buf, kvs->iov_buf, kvs_len);
		rdb_encode_key(opc == RDB_TX_CREATE_ROOT || opc == RDB_TX_DESTROY_ROOT
				       ? &rdb_path_root_key
				       : key,
			       (char *)rec->or_target.iov_buf + kvs_len);
	}
	d_list_add_tail(&rec->or_link, &tx->dt_ops);
	tx->dt_num_ops++;
	return 0;
}

int
rdb_tx_create_root(struct rdb_tx *tx, const struct rdb_kvs_attr *attr)
{
	return rdb_tx_append(tx, RDB_TX_CREATE_ROOT, NULL, NULL, NULL, attr, false);
}

int
rdb_tx_destroy_root(struct rdb_tx *tx)
{
	return rdb_tx_append(tx, RDB_TX_DESTROY_ROOT, NULL, NULL, NULL, NULL, true);
}

int
rdb_tx_create_kvs(struct rdb_tx *tx, const rdb_path_t *parent, const d_iov_t *key,
		  const struct rdb_kvs_attr *attr)
{
	return rdb_tx_append(tx, RDB_TX_CREATE, parent, key, NULL, attr, false);
}

int
rdb_tx_destroy_kvs(struct rdb_tx *tx, const rdb_path_t *parent, const d_iov_t *key)
{
	return rdb_tx_append(tx, RDB_TX_DESTROY, parent, key, NULL, NULL, true);
}

int
rdb_tx_update(struct rdb_tx *tx, const rdb_path_t *kvs, const d_iov_t *key, const d_iov_t *value)
{
	return rdb_tx_append(tx, RDB_TX_UPDATE, kvs, key, value, NULL, false);
}

int
rdb_tx_update_critical(struct rdb_tx *tx, const rdb_path_t *kvs, const d_iov_t *key,
		       const d_iov_t *value)
{
	return rdb_tx_append(tx, RDB_TX_UPDATE, kvs, key, value, NULL, true);
}

int
rdb_tx_delete(struct rdb_tx *tx, const rdb_path_t *kvs, const d_iov_t *key)
{
	return rdb_tx_append(tx, RDB_TX_DELETE, kvs, key, NULL, NULL, true);
}

/* Encode the buffered updates into tx->dt_entry. */
static int
rdb_tx_build_entry(struct rdb_tx *tx, bool *critical)
{
	struct rdb_entry_hdr hdr = {0};
	struct rdb_tx_op_rec *rec;
	size_t len = sizeof(hdr);
	bool crit = false;
	char *p;

	d_list_for_each_entry(rec, &tx->dt_ops, or_link)
	{
		struct rdb_tx_op op = {.dto_opc = rec->or_opc,
				       .dto_kvs = rec->or_kvs,
				       .dto_key = rec->or_key,
				       .dto_value = rec->or_value,
				       .dto_attr = rec->or_attr};

		len += rdb_op_encode(&op, NULL);
		crit = crit || rec->or_crit;
	}
	if (len > UINT32_MAX)
		return -DER_REC2BIG;
	if (tx->dt_num_ops > RDB_TX_CRITICAL_OPS_LIMIT)
		crit = false;
	D_FREE(tx->dt_entry);
	D_ALLOC(tx->dt_entry, len);
	if (tx->dt_entry == NULL)
		return -DER_NOMEM;
	tx->dt_entry_cap = len;
	hdr.re_magic = RDB_ENTRY_MAGIC;
	hdr.re_version = 1;
	hdr.re_flags = crit ? RDB_ENTRY_CRITICAL : 0;
	hdr.re_nops = tx->dt_num_ops;
	hdr.re_len = len;
	memcpy(tx->dt_entry, &hdr, sizeof(hdr));
	p = (char *)tx->dt_entry + sizeof(hdr);
	d_list_for_each_entry(rec, &tx->dt_ops, or_link)
	{
		struct rdb_tx_op op = {.dto_opc = rec->or_opc,
				       .dto_kvs = rec->or_kvs,
				       .dto_key = rec->or_key,
				       .dto_value = rec->or_value,
				       .dto_attr = rec->or_attr};

		p += rdb_op_encode(&op, p);
	}
	tx->dt_entry_len = len;
	*critical = crit;
	return 0;
}

/*
 * Space left in the heap below which only critical TXs (deletes, destroys, updates marked
 * critical) are appended, so that a full service can still free space.
 */
static bool
rdb_space_low(struct rdb *db)
{
	struct umem_pool_stats st;

	if (umem_pool_query(db->d_pool, &st) != 0)
		return false;
	return st.ups_free < max(st.ups_total / 32, (uint64_t)(256 << 10));
}

int
rdb_tx_commit(struct rdb_tx *tx)
{
	struct rdb *db;
	bool crit = false;
	int result = 0;
	int rc;

	if (tx == NULL || tx->dt_db == NULL)
		return -DER_INVAL;
	db = tx->dt_db;
	/* query-only TXs do not fail for leadership */
	if ((tx->dt_flags & RDB_TX_LOCAL) || tx->dt_num_ops == 0)
		return 0;
	rc = rdb_leader_check(db, tx->dt_term);
	if (rc != 0)
		goto out;
	rc = rdb_tx_build_entry(tx, &crit);
	if (rc != 0)
		goto out;
	if (!crit && rdb_space_low(db)) {
		D_DEBUG(DB_MD, DF_DB ": nearly out of space, non-critical TX refused\n", DP_DB(db));
		rc = -DER_NOSPACE;
		goto out;
	}
	rc = rdb_log_append_apply(db, tx->dt_term, tx->dt_entry, tx->dt_entry_len, &result);
out:
	/* committed or aborted: the buffer is spent either way */
	rdb_tx_discard(tx);
	return rc != 0 ? rc : result;
}

/* ------------------------------------------------------------------------------------------
 * Queries
 * ------------------------------------------------------------------------------------------ */

static int
rdb_tx_query_pre(struct rdb_tx *tx)
{
	int rc;

	if (tx == NULL || tx->dt_db == NULL)
		return -DER_INVAL;
	if (!(tx->dt_flags & RDB_TX_LOCAL)) {
		rc = rdb_leader_check(tx->dt_db, tx->dt_term);
		if (rc != 0)
			return rc;
	}
	return rdb_wait_durable(tx->dt_db);
}

int
rdb_tx_revalidate(struct rdb_tx *tx)
{
	return rdb_tx_query_pre(tx);
}

/* Hand \a src to the caller's \a dst per the value buffer rules of rdb.h. */
static int
rdb_iov_out(const d_iov_t *src, d_iov_t *dst, bool check_len)
{
	size_t want = dst->iov_len;

	if (dst->iov_buf == NULL) {
		*dst = *src;
		dst->iov_buf_len = src->iov_len;
	} else {
		if (check_len && want > 0 && want != src->iov_len) {
			dst->iov_len = src->iov_len;
			return -DER_MISMATCH;
		}
		if (dst->iov_buf_len < src->iov_len) {
			dst->iov_len = src->iov_len;
			return check_len ? -DER_REC2BIG : 0;
		}
		memcpy(dst->iov_buf, src->iov_buf, src->iov_len);
		dst->iov_len = src->iov_len;
		return 0;
	}
	if (check_len && want > 0 && want != src->iov_len)
		return -DER_MISMATCH;
	return 0;
}

/*
 * What the TX's buffer says about KVS \a path as a whole: the newest op creating or removing it
 * or an ancestor. NULL: the buffer does not decide (read the trees).
 */
static struct rdb_tx_op_rec *
rdb_tx_kvs_cutoff(struct rdb_tx *tx, const rdb_path_t *path)
{
	struct rdb_tx_op_rec *rec;

	d_list_for_each_entry_reverse(rec, &tx->dt_ops, or_link)
	{
		if (rec->or_target.iov_len > 0 && path_is_prefix(&rec->or_target, path))
			return rec;
	}
	return NULL;
}

int
rdb_tx_lookup(struct rdb_tx *tx, const rdb_path_t *kvs, const d_iov_t *key, d_iov_t *value)
{
	struct rdb_tx_op_rec *rec;
	struct rdb_kvs_ref ref;
	d_iov_t stored, user;
	int rc;

	rc = rdb_tx_query_pre(tx);
	if (rc != 0)
		return rc;
	if (rdb_path_check(kvs) != 0 || rdb_key_check(key) != 0 || value == NULL)
		return -DER_INVAL;

	d_list_for_each_entry_reverse(rec, &tx->dt_ops, or_link)
	{
		if (rec->or_target.iov_len > 0 && path_is_prefix(&rec->or_target, kvs))
			return -DER_NONEXIST; /* KVS created empty or removed by this TX */
		if (!iov_equal(&rec->or_kvs, kvs) || !iov_equal(&rec->or_key, key))
			continue;
		switch (rec->or_opc) {
		case RDB_TX_UPDATE:
			rc = rdb_stored2user(&rec->or_value, &user);
			return rc != 0 ? rc : rdb_iov_out(&user, value, true);
		case RDB_TX_CREATE:
			d_iov_set(&user, &rec->or_kvs_vhdr, sizeof(rec->or_kvs_vhdr));
			return rdb_iov_out(&user, value, true);
		default:
			return -DER_NONEXIST;
		}
	}

	rc = rdb_tree_open_path(tx->dt_db, kvs, &ref);
	if (rc != 0)
		return rc;
	rc = rdb_tree_key_check(ref.kr_class, key);
	if (rc == 0)
		rc = rdb_tree_lookup(&ref, key, &stored);
	if (rc == 0)
		rc = rdb_stored2user(&stored, &user);
	if (rc == 0)
		rc = rdb_iov_out(&user, value, true);
	rdb_tree_close(&ref);
	return rc;
}

/* A KVS as the TX sees it: class, whether the trees count, buffered changes by key. */
struct rdb_ov_ent {
	d_iov_t oe_key;
	d_iov_t oe_val; /* user view; oe_del: removed */
	bool oe_del;
	bool oe_used;
	int oe_seq;
};

struct rdb_tx_view {
	enum rdb_kvs_class tv_class;
	bool tv_base;              /* the tree's records count */
	bool tv_dirty;             /* buffered changes or a fresh KVS */
	struct rdb_kvs_ref tv_ref; /* open when tv_base */
	struct rdb_ov_ent *tv_ov;
	int tv_nov;
};

static int
ov_cmp(const void *a, const void *b)
{
	const struct rdb_ov_ent *x = a, *y = b;
	int rc;

	rc = iov_cmp(&x->oe_key, &y->oe_key);
	if (rc != 0)
		return rc;
	return x->oe_seq - y->oe_seq;
}

static void
rdb_tx_view_fini(struct rdb_tx_view *v)
{
	if (v->tv_base)
		rdb_tree_close(&v->tv_ref);
	D_FREE(v->tv_ov);
}

static int
rdb_tx_view_init(struct rdb_tx *tx, const rdb_path_t *kvs, struct rdb_tx_view *v)
{
	struct rdb_tx_op_rec *cutoff, *rec;
	d_list_t *start;
	int n = 0, i, j;
	int rc;

	memset(v, 0, sizeof(*v));
	cutoff = rdb_tx_kvs_cutoff(tx, kvs);
	if (cutoff != NULL) {
		if (!(cutoff->or_opc == RDB_TX_CREATE || cutoff->or_opc == RDB_TX_CREATE_ROOT) ||
		    !iov_equal(&cutoff->or_target, kvs))
			return -DER_NONEXIST;
		/* created by this TX: empty apart from what the TX put in it since */
		v->tv_class = cutoff->or_attr.dsa_class;
		v->tv_dirty = true;
		start = &cutoff->or_link;
	} else {
		rc = rdb_tree_open_path(tx->dt_db, kvs, &v->tv_ref);
		if (rc != 0)
			return rc;
		v->tv_base = true;
		v->tv_class = v->tv_ref.kr_class;
		start = &tx->dt_ops;
	}

	for (rec = d_list_entry(start->next, struct rdb_tx_op_rec, or_link);
	     &rec->or_link != &tx->dt_ops;
	     rec = d_list_entry(rec->or_link.next, struct rdb_tx_op_rec, or_link))
		if (iov_equal(&rec->or_kvs, kvs))
			n++;
	if (n == 0)
		return 0;
	v->tv_dirty = true;
	D_ALLOC_ARRAY(v->tv_ov, n);
	if (v->tv_ov == NULL) {
		rdb_tx_view_fini(v);
		return -DER_NOMEM;
	}
	i = 0;
	for (rec = d_list_entry(start->next, struct rdb_tx_op_rec, or_link);
	     &rec->or_link != &tx->dt_ops;
	     rec = d_list_entry(rec->or_link.next, struct rdb_tx_op_rec, or_link)) {
		struct rdb_ov_ent *e;

		if (!iov_equal(&rec->or_kvs, kvs))
			continue;
		e = &v->tv_ov[i];
		e->oe_key = rec->or_key;
		e->oe_seq = i++;
		if (rec->or_opc == RDB_TX_UPDATE) {
			rc = rdb_stored2user(&rec->or_value, &e->oe_val);
			if (rc != 0) {
				rdb_tx_view_fini(v);
				return rc;
			}
		} else if (rec->or_opc == RDB_TX_CREATE) {
			d_iov_set(&e->oe_val, &rec->or_kvs_vhdr, sizeof(rec->or_kvs_vhdr));
		} else {
			e->oe_del = true;
		}
	}
	/* keep the newest op per key */
	qsort(v->tv_ov, n, sizeof(*v->tv_ov), ov_cmp);
	for (i = 0, j = 0; i < n; i++) {
		if (i + 1 < n && iov_equal(&v->tv_ov[i].oe_key, &v->tv_ov[i + 1].oe_key))
			continue;
		v->tv_ov[j++] = v->tv_ov[i];
	}
	v->tv_nov = j;
	return 0;
}

static struct rdb_ov_ent *
rdb_tx_view_find(struct rdb_tx_view *v, const d_iov_t *key)
{
	int lo = 0, hi = v->tv_nov - 1;

	while (lo <= hi) {
		int mid = (lo + hi) / 2;
		int rc = iov_cmp(key, &v->tv_ov[mid].oe_key);

		if (rc == 0)
			return &v->tv_ov[mid];
		if (rc < 0)
			hi = mid - 1;
		else
			lo = mid + 1;
	}
	return NULL;
}

/* The merged records of a dirty view, in iteration order. */
struct rdb_kv {
	d_iov_t kv_key;
	d_iov_t kv_val;
};

struct rdb_kv_array {
	struct rdb_kv *ka_kvs;
	int ka_nr;
	int ka_cap;
	struct rdb_tx_view *ka_view;
};

static int
kv_array_add(struct rdb_kv_array *a, const d_iov_t *key, const d_iov_t *val)
{
	if (a->ka_nr == a->ka_cap) {
		struct rdb_kv *kvs;
		int cap = a->ka_cap == 0 ? 64 : a->ka_cap * 2;

		D_REALLOC_ARRAY(kvs, a->ka_kvs, a->ka_cap, cap);
		if (kvs == NULL)
			return -DER_NOMEM;
		a->ka_kvs = kvs;
		a->ka_cap = cap;
	}
	a->ka_kvs[a->ka_nr].kv_key = *key;
	a->ka_kvs[a->ka_nr].kv_val = *val;
	a->ka_nr++;
	return 0;
}

static int
kv_collect_cb(daos_handle_t ih, d_iov_t *key, d_iov_t *stored, void *arg)
{
	struct rdb_kv_array *a = arg;
	struct rdb_ov_ent *e;
	d_iov_t user;
	int rc;

	e = rdb_tx_view_find(a->ka_view, key);
	if (e != NULL) {
		/* the TX's version replaces the tree's, at the tree's position */
		e->oe_used = true;
		if (e->oe_del)
			return 0;
		return kv_array_add(a, key, &e->oe_val);
	}
	rc = rdb_stored2user(stored, &user);
	if (rc != 0)
		return rc;
	return kv_array_add(a, key, &user);
}

static int
kv_sort_cmp(const void *a, const void *b, void *arg)
{
	const struct rdb_kv *x = a, *y = b;

	return rdb_key_cmp(*(enum rdb_kvs_class *)arg, &x->kv_key, &y->kv_key);
}

static int
rdb_tx_view_merge(struct rdb_tx_view *v, struct rdb_kv_array *a)
{
	int i, rc;

	memset(a, 0, sizeof(*a));
	a->ka_view = v;
	if (v->tv_base) {
		rc = rdb_tree_iterate(&v->tv_ref, false, kv_collect_cb, a);
		if (rc != 0)
			goto err;
	}
	/* new keys: GENERIC KVSs are unordered, so they simply follow the tree's keys */
	for (i = 0; i < v->tv_nov; i++) {
		struct rdb_ov_ent *e = &v->tv_ov[i];

		if (e->oe_used || e->oe_del)
			continue;
		if (rdb_tree_key_check(v->tv_class, &e->oe_key) != 0)
			continue; /* fails at commit anyway */
		rc = kv_array_add(a, &e->oe_key, &e->oe_val);
		if (rc != 0)
			goto err;
	}
	if (v->tv_class != RDB_KVS_GENERIC && a->ka_nr > 1)
		qsort_r(a->ka_kvs, a->ka_nr, sizeof(*a->ka_kvs), kv_sort_cmp, &v->tv_class);
	return 0;
err:
	D_FREE(a->ka_kvs);
	return rc;
}

static bool
rdb_probe_keyed(enum rdb_probe_opc opc)
{
	return opc != RDB_PROBE_FIRST && opc != RDB_PROBE_LAST;
}

/* Position in a merged array; -1 if none. */
static int
kv_array_probe(struct rdb_kv_array *a, enum rdb_kvs_class cls, enum rdb_probe_opc opc,
	       const d_iov_t *key)
{
	int i;

	if (a->ka_nr == 0)
		return -1;
	switch (opc) {
	case RDB_PROBE_FIRST:
		return 0;
	case RDB_PROBE_LAST:
		return a->ka_nr - 1;
	case RDB_PROBE_EQ:
		for (i = 0; i < a->ka_nr; i++)
			if (iov_equal(&a->ka_kvs[i].kv_key, key))
				return i;
		return -1;
	case RDB_PROBE_GE:
	case RDB_PROBE_GT:
		for (i = 0; i < a->ka_nr; i++) {
			int c = rdb_key_cmp(cls, &a->ka_kvs[i].kv_key, key);

			if (c > 0 || (c == 0 && opc == RDB_PROBE_GE))
				return i;
		}
		return -1;
	default:
		for (i = a->ka_nr - 1; i >= 0; i--) {
			int c = rdb_key_cmp(cls, &a->ka_kvs[i].kv_key, key);

			if (c < 0 || (c == 0 && opc == RDB_PROBE_LE))
				return i;
		}
		return -1;
	}
}

int
rdb_tx_fetch(struct rdb_tx *tx, const rdb_path_t *kvs, enum rdb_probe_opc opc,
	     const d_iov_t *key_in, d_iov_t *key_out, d_iov_t *value)
{
	struct rdb_tx_view v;
	struct rdb_kv_array a;
	d_iov_t key, user, stored;
	int i, rc;

	rc = rdb_tx_query_pre(tx);
	if (rc != 0)
		return rc;
	if (rdb_path_check(kvs) != 0 || opc > RDB_PROBE_LT)
		return -DER_INVAL;
	if (rdb_probe_keyed(opc) && rdb_key_check(key_in) != 0)
		return -DER_INVAL;

	rc = rdb_tx_view_init(tx, kvs, &v);
	if (rc != 0)
		return rc;
	if (rdb_probe_keyed(opc)) {
		rc = rdb_tree_key_check(v.tv_class, key_in);
		if (rc != 0)
			goto out;
		/* hashed keys have no order to probe by */
		if (v.tv_class == RDB_KVS_GENERIC && opc != RDB_PROBE_EQ) {
			rc = -DER_INVAL;
			goto out;
		}
	}

	if (!v.tv_dirty) {
		rc = rdb_tree_probe(&v.tv_ref, opc, key_in, &key, &stored);
		if (rc == 0)
			rc = rdb_stored2user(&stored, &user);
	} else {
		rc = rdb_tx_view_merge(&v, &a);
		if (rc != 0)
			goto out;
		i = kv_array_probe(&a, v.tv_class, opc, key_in);
		if (i < 0) {
			rc = -DER_NONEXIST;
		} else {
			key = a.ka_kvs[i].kv_key;
			user = a.ka_kvs[i].kv_val;
		}
		D_FREE(a.ka_kvs);
	}
	if (rc == 0 && key_out != NULL)
		rc = rdb_iov_out(&key, key_out, false);
	if (rc == 0 && value != NULL)
		rc = rdb_iov_out(&user, value, true);
out:
	rdb_tx_view_fini(&v);
	return rc;
}

int
rdb_tx_query_key_max(struct rdb_tx *tx, const rdb_path_t *kvs, d_iov_t *key)
{
	if (key == NULL)
		return -DER_INVAL;
	return rdb_tx_fetch(tx, kvs, RDB_PROBE_LAST, NULL, key, NULL);
}

struct rdb_iter_arg {
	rdb_iterate_cb_t ia_cb;
	void *ia_arg;
};

static int
rdb_iter_tree_cb(daos_handle_t ih, d_iov_t *key, d_iov_t *stored, void *arg)
{
	struct rdb_iter_arg *ia = arg;
	d_iov_t k = *key;
	d_iov_t user;
	int rc;

	rc = rdb_stored2user(stored, &user);
	if (rc != 0)
		return rc;
	rc = ia->ia_cb(ih, &k, &user, ia->ia_arg);
	/* 1 (stop) must not be mistaken for an error by the tree */
	return rc == 1 ? RDB_ITER_STOP : rc;
}

int
rdb_tx_iterate(struct rdb_tx *tx, const rdb_path_t *kvs, bool backward, rdb_iterate_cb_t cb,
	       void *arg)
{
	struct rdb_tx_view v;
	struct rdb_kv_array a;
	int i, rc;

	rc = rdb_tx_query_pre(tx);
	if (rc != 0)
		return rc;
	if (rdb_path_check(kvs) != 0 || cb == NULL)
		return -DER_INVAL;
	rc = rdb_tx_view_init(tx, kvs, &v);
	if (rc != 0)
		return rc;

	if (!v.tv_dirty) {
		struct rdb_iter_arg ia = {.ia_cb = cb, .ia_arg = arg};

		rc = rdb_tree_iterate(&v.tv_ref, backward, rdb_iter_tree_cb, &ia);
		if (rc == RDB_ITER_STOP)
			rc = 0;
		goto out;
	}

	rc = rdb_tx_view_merge(&v, &a);
	if (rc != 0)
		goto out;
	for (i = 0; i < a.ka_nr; i++) {
		struct rdb_kv *kv = &a.ka_kvs[backward ? a.ka_nr - 1 - i : i];
		d_iov_t k = kv->kv_key;
		d_iov_t val = kv->kv_val;

		rc = cb(DAOS_HDL_INVAL, &k, &val, arg);
		if (rc != 0) {
			if (rc == 1)
				rc = 0;
			break;
		}
	}
	D_FREE(a.ka_kvs);
out:
	rdb_tx_view_fini(&v);
	return rc;
}
