/**
 * rdb: KVS trees.
 *
 * Each KVS is a dbtree (B+tree) in rdb's heap, of the generic class matching its KVS class:
 * GENERIC -> DBTREE_CLASS_KV (hashed keys), INTEGER -> DBTREE_CLASS_IV (uint64 keys),
 * LEXICAL -> DBTREE_CLASS_NV (lexically ordered keys). The root KVS's tree root lives in the
 * superblock; a child KVS's tree root is an allocation whose offset its parent's record holds
 * (struct rdb_kvs_val), so a KVS is found by walking its path from the root. Every stored value starts with a
 * struct rdb_vhdr telling plain values from child KVSs, which is what makes deletes recursive.
 *
 * Update functions run inside the heap transaction of the entry being applied.
 */
#define D_LOGFAC DD_FAC(rdb)

#include "rdb_internal.h"

#define RDB_TREE_ORDER_DEFAULT 16
#define RDB_TREE_ORDER_MAX     63

static int
rdb_class2tree(enum rdb_kvs_class cls, unsigned int *tree_class, uint64_t *feats)
{
	switch (cls) {
	case RDB_KVS_GENERIC:
		*tree_class = DBTREE_CLASS_KV;
		*feats = 0;
		return 0;
	case RDB_KVS_INTEGER:
		*tree_class = DBTREE_CLASS_IV;
		*feats = BTR_FEAT_UINT_KEY;
		return 0;
	case RDB_KVS_LEXICAL:
		*tree_class = DBTREE_CLASS_NV;
		*feats = BTR_FEAT_DIRECT_KEY;
		return 0;
	default:
		return -DER_INVAL;
	}
}

int
rdb_tree_init(void)
{
	return 0;
}

int
rdb_tree_key_check(enum rdb_kvs_class cls, const d_iov_t *key)
{
	if (cls == RDB_KVS_INTEGER && key->iov_len != sizeof(uint64_t))
		return -DER_INVAL;
	return 0;
}

int
rdb_key_cmp(enum rdb_kvs_class cls, const d_iov_t *a, const d_iov_t *b)
{
	uint64_t x, y;
	size_t n;
	int rc;

	switch (cls) {
	case RDB_KVS_INTEGER:
		memcpy(&x, a->iov_buf, sizeof(x));
		memcpy(&y, b->iov_buf, sizeof(y));
		return x < y ? -1 : (x > y ? 1 : 0);
	case RDB_KVS_LEXICAL:
		n = min(a->iov_len, b->iov_len);
		rc = n > 0 ? memcmp(a->iov_buf, b->iov_buf, n) : 0;
		if (rc != 0)
			return rc < 0 ? -1 : 1;
		return a->iov_len < b->iov_len ? -1 : (a->iov_len > b->iov_len ? 1 : 0);
	default:
		return 0;
	}
}

int
rdb_stored2user(const d_iov_t *stored, d_iov_t *user)
{
	struct rdb_vhdr vh;

	if (stored->iov_buf == NULL || stored->iov_len < sizeof(vh))
		return -DER_DF_INVAL;
	rdb_stored_vhdr(stored, &vh);
	if (vh.rv_magic != RDB_VHDR_MAGIC)
		return -DER_DF_INVAL;
	if (vh.rv_type == RDB_VT_KVS) {
		d_iov_set(user, stored->iov_buf, sizeof(vh));
	} else if (vh.rv_type == RDB_VT_PLAIN) {
		d_iov_set(user, (char *)stored->iov_buf + sizeof(vh), stored->iov_len - sizeof(vh));
	} else {
		return -DER_DF_INVAL;
	}
	return 0;
}

/* The child KVS a stored value holds, if any. */
static bool
rdb_stored_kvs(const d_iov_t *stored, struct rdb_kvs_val *kv)
{
	if (stored->iov_len != sizeof(*kv))
		return false;
	memcpy(kv, stored->iov_buf, sizeof(*kv));
	return kv->kv_hdr.rv_type == RDB_VT_KVS && !UMOFF_IS_NULL(kv->kv_root_off);
}

int
rdb_tree_open_path(struct rdb *db, const rdb_path_t *path, struct rdb_kvs_ref *ref)
{
	const char *p = path->iov_buf;
	const char *end = p + path->iov_len;
	daos_handle_t toh;
	enum rdb_kvs_class cls;
	d_iov_t key;
	ssize_t n;
	int rc;

	n = rdb_decode_key(p, end - p, &key);
	if (n < 0 || key.iov_len != 0)
		return -DER_INVAL;
	p += n;
	if (!db->d_sb->rs_root_exists)
		return -DER_NONEXIST;
	rc = dbtree_open_inplace(&db->d_sb->rs_root, &db->d_uma, &toh);
	if (rc != 0)
		return rc;
	cls = db->d_sb->rs_root_class;

	while (p < end) {
		struct rdb_kvs_val kv;
		d_iov_t val = {0};

		n = rdb_decode_key(p, end - p, &key);
		if (n < 0 || key.iov_len == 0) {
			rc = -DER_INVAL;
			goto err;
		}
		p += n;
		rc = rdb_tree_key_check(cls, &key);
		if (rc != 0)
			goto err;
		rc = dbtree_lookup(toh, &key, &val);
		if (rc != 0)
			goto err;
		if (!rdb_stored_kvs(&val, &kv)) {
			/* a plain value on the way: there is no such KVS */
			rc = -DER_NONEXIST;
			goto err;
		}
		dbtree_close(toh);
		rc = dbtree_open_inplace(umem_off2ptr(&db->d_umm, kv.kv_root_off), &db->d_uma,
					 &toh);
		if (rc != 0)
			return rc;
		cls = kv.kv_hdr.rv_class;
	}
	ref->kr_toh = toh;
	ref->kr_class = cls;
	return 0;
err:
	dbtree_close(toh);
	return rc;
}

void
rdb_tree_close(struct rdb_kvs_ref *ref)
{
	if (daos_handle_is_valid(ref->kr_toh))
		dbtree_close(ref->kr_toh);
	ref->kr_toh = DAOS_HDL_INVAL;
}

int
rdb_tree_lookup(struct rdb_kvs_ref *ref, const d_iov_t *key, d_iov_t *stored)
{
	d_iov_t val = {0};
	int rc;

	rc = dbtree_lookup(ref->kr_toh, (d_iov_t *)key, &val);
	if (rc != 0)
		return rc;
	if (val.iov_len < sizeof(struct rdb_vhdr) || val.iov_buf == NULL)
		return -DER_DF_INVAL;
	*stored = val;
	return 0;
}

int
rdb_tree_update(struct rdb *db, struct rdb_kvs_ref *ref, const d_iov_t *key, const d_iov_t *stored)
{
	return dbtree_update(ref->kr_toh, (d_iov_t *)key, (d_iov_t *)stored);
}

static int rdb_tree_destroy_root_ptr(struct rdb *db, struct btr_root *root);

/* Destroy the child KVS of a stored value and free its root. */
static int
rdb_tree_destroy_child(struct rdb *db, struct rdb_kvs_val *kv)
{
	int rc;

	rc = rdb_tree_destroy_root_ptr(db, umem_off2ptr(&db->d_umm, kv->kv_root_off));
	if (rc != 0)
		return rc;
	return umem_free(&db->d_umm, kv->kv_root_off);
}

static int
rdb_destroy_child_cb(daos_handle_t ih, d_iov_t *key, d_iov_t *val, void *arg)
{
	struct rdb_kvs_val kv;

	if (!rdb_stored_kvs(val, &kv))
		return 0;
	return rdb_tree_destroy_child(arg, &kv);
}

/* Destroy the tree at \a root and, first, every KVS below it. */
static int
rdb_tree_destroy_root_ptr(struct rdb *db, struct btr_root *root)
{
	daos_handle_t toh;
	int rc;

	rc = dbtree_open_inplace(root, &db->d_uma, &toh);
	if (rc != 0)
		return rc;
	rc = dbtree_iterate(toh, DAOS_INTENT_DEFAULT, false, rdb_destroy_child_cb, db);
	if (rc != 0) {
		dbtree_close(toh);
		return rc;
	}
	/* dbtree_destroy frees every record and node and releases the handle */
	return dbtree_destroy(toh, NULL);
}

int
rdb_tree_delete(struct rdb *db, struct rdb_kvs_ref *ref, const d_iov_t *key)
{
	struct rdb_kvs_val kv;
	d_iov_t stored;
	int rc;

	rc = rdb_tree_lookup(ref, key, &stored);
	if (rc != 0)
		return rc;
	if (rdb_stored_kvs(&stored, &kv)) {
		rc = rdb_tree_destroy_child(db, &kv);
		if (rc != 0)
			return rc;
	}
	return dbtree_delete(ref->kr_toh, BTR_PROBE_EQ, (d_iov_t *)key, NULL);
}

static int
rdb_tree_create_at(struct rdb *db, struct btr_root *root, const struct rdb_kvs_attr *attr)
{
	daos_handle_t toh;
	unsigned int tree_class;
	uint64_t feats;
	unsigned int order;
	int rc;

	rc = rdb_class2tree(attr->dsa_class, &tree_class, &feats);
	if (rc != 0)
		return rc;
	order = attr->dsa_order == 0 ? RDB_TREE_ORDER_DEFAULT : attr->dsa_order;
	if (order < 3 || order > RDB_TREE_ORDER_MAX)
		return -DER_INVAL;
	rc = dbtree_create_inplace(tree_class, feats, order, &db->d_uma, root, &toh);
	if (rc != 0)
		return rc;
	dbtree_close(toh);

	rc = umem_tx_add_ptr(&db->d_umm, &db->d_sb->rs_nkvs_created,
			     sizeof(db->d_sb->rs_nkvs_created));
	if (rc != 0)
		return rc;
	db->d_sb->rs_nkvs_created++;
	return 0;
}

int
rdb_tree_create_kvs(struct rdb *db, struct rdb_kvs_ref *parent, const d_iov_t *key,
		    const struct rdb_kvs_attr *attr)
{
	struct rdb_kvs_val kv;
	d_iov_t val;
	d_iov_t stored;
	int rc;

	if (attr->dsa_class > RDB_KVS_LEXICAL)
		return -DER_INVAL;
	rc = rdb_tree_lookup(parent, key, &stored);
	if (rc == 0)
		return -DER_EXIST;
	if (rc != -DER_NONEXIST)
		return rc;

	/* the new tree's root gets an allocation of its own (aligned), the record its offset */
	memset(&kv, 0, sizeof(kv));
	kv.kv_hdr.rv_magic = RDB_VHDR_MAGIC;
	kv.kv_hdr.rv_type = RDB_VT_KVS;
	kv.kv_hdr.rv_class = attr->dsa_class;
	kv.kv_root_off = umem_zalloc(&db->d_umm, sizeof(struct btr_root));
	if (UMOFF_IS_NULL(kv.kv_root_off))
		return db->d_umm.umm_nospc_rc ?: -DER_NOSPACE;
	rc = rdb_tree_create_at(db, umem_off2ptr(&db->d_umm, kv.kv_root_off), attr);
	if (rc != 0)
		return rc;
	d_iov_set(&val, &kv, sizeof(kv));
	return dbtree_update(parent->kr_toh, (d_iov_t *)key, &val);
}

int
rdb_tree_create_root(struct rdb *db, const struct rdb_kvs_attr *attr)
{
	struct rdb_sb *sb = db->d_sb;
	int rc;

	if (attr->dsa_class > RDB_KVS_LEXICAL)
		return -DER_INVAL;
	if (sb->rs_root_exists)
		return -DER_EXIST;
	rc = umem_tx_add_ptr(&db->d_umm, &sb->rs_root_exists,
			     offsetof(struct rdb_sb, rs_reserved) -
				     offsetof(struct rdb_sb, rs_root_exists));
	if (rc != 0)
		return rc;
	memset(&sb->rs_root, 0, sizeof(sb->rs_root));
	rc = rdb_tree_create_at(db, &sb->rs_root, attr);
	if (rc != 0)
		return rc;
	sb->rs_root_class = attr->dsa_class;
	sb->rs_root_exists = 1;
	return 0;
}

int
rdb_tree_destroy_root(struct rdb *db)
{
	struct rdb_sb *sb = db->d_sb;
	int rc;

	if (!sb->rs_root_exists)
		return -DER_NONEXIST;
	rc = umem_tx_add_ptr(&db->d_umm, &sb->rs_root_exists,
			     offsetof(struct rdb_sb, rs_reserved) -
				     offsetof(struct rdb_sb, rs_root_exists));
	if (rc != 0)
		return rc;
	rc = rdb_tree_destroy_root_ptr(db, &sb->rs_root);
	if (rc != 0)
		return rc;
	memset(&sb->rs_root, 0, sizeof(sb->rs_root));
	sb->rs_root_exists = 0;
	sb->rs_root_class = 0;
	return 0;
}

static dbtree_probe_opc_t
rdb_probe2btr(enum rdb_probe_opc opc)
{
	switch (opc) {
	case RDB_PROBE_FIRST:
		return BTR_PROBE_FIRST;
	case RDB_PROBE_LAST:
		return BTR_PROBE_LAST;
	case RDB_PROBE_EQ:
		return BTR_PROBE_EQ;
	case RDB_PROBE_GE:
		return BTR_PROBE_GE;
	case RDB_PROBE_LE:
		return BTR_PROBE_LE;
	case RDB_PROBE_GT:
		return BTR_PROBE_GT;
	default:
		return BTR_PROBE_LT;
	}
}

int
rdb_tree_probe(struct rdb_kvs_ref *ref, enum rdb_probe_opc opc, const d_iov_t *key_in,
	       d_iov_t *key_out, d_iov_t *stored)
{
	daos_handle_t ih;
	d_iov_t key = {0};
	d_iov_t val = {0};
	bool keyed = opc != RDB_PROBE_FIRST && opc != RDB_PROBE_LAST;
	int rc;

	rc = dbtree_iter_prepare(ref->kr_toh, BTR_ITER_EMBEDDED, &ih);
	if (rc != 0)
		return rc;
	rc = dbtree_iter_probe(ih, rdb_probe2btr(opc), DAOS_INTENT_DEFAULT,
			       keyed ? (d_iov_t *)key_in : NULL, NULL);
	if (rc != 0)
		goto out;
	rc = dbtree_iter_fetch(ih, &key, &val, NULL);
	if (rc != 0)
		goto out;
	if (val.iov_len < sizeof(struct rdb_vhdr) || val.iov_buf == NULL) {
		rc = -DER_DF_INVAL;
		goto out;
	}
	*key_out = key;
	*stored = val;
out:
	dbtree_iter_finish(ih);
	return rc;
}

struct rdb_tree_iter_arg {
	rdb_tree_iter_cb_t ti_cb;
	void *ti_arg;
};

static int
rdb_tree_iter_cb(daos_handle_t ih, d_iov_t *key, d_iov_t *val, void *arg)
{
	struct rdb_tree_iter_arg *a = arg;

	if (val->iov_len < sizeof(struct rdb_vhdr) || val->iov_buf == NULL)
		return -DER_DF_INVAL;
	return a->ti_cb(ih, key, val, a->ti_arg);
}

int
rdb_tree_iterate(struct rdb_kvs_ref *ref, bool backward, rdb_tree_iter_cb_t cb, void *arg)
{
	struct rdb_tree_iter_arg a = {.ti_cb = cb, .ti_arg = arg};

	return dbtree_iterate(ref->kr_toh, DAOS_INTENT_DEFAULT, backward, rdb_tree_iter_cb, &a);
}
