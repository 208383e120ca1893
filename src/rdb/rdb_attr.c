/**
 * rdb: user attributes of the replicated services (daos_srv/rsvc.h). The pool and container
 * services both keep their attributes as name -> value in one KVS and take the packed
 * buffers of daos/attr.h; parsing those buffers and turning them into KVS operations lives
 * here once, so both services accept and return exactly the same thing.
 */
#define D_LOGFAC DD_FAC(rdb)

#include <gurt/common.h>
#include <daos_srv/rsvc.h>

/* More names than any sane request has; bounds the array allocated for them. */
#define RSVC_ATTR_NAMES_MAX 4096

/* Split the packed names (NUL-terminated, back to back); \a n must match. */
static int
attr_names(const d_iov_t *iov, uint32_t n, const char ***namesp)
{
	const char *p = iov->iov_buf, *end = p + iov->iov_len;
	const char **names;
	uint32_t i;

	if (n == 0 || n > RSVC_ATTR_NAMES_MAX || iov->iov_buf == NULL)
		return -DER_INVAL;
	D_ALLOC_ARRAY(names, n);
	if (names == NULL)
		return -DER_NOMEM;
	for (i = 0; i < n; i++) {
		const char *nul = p < end ? memchr(p, '\0', end - p) : NULL;

		if (nul == NULL || nul == p || nul - p > DAOS_ATTR_NAME_MAX) {
			D_FREE(names);
			return -DER_INVAL;
		}
		names[i] = p;
		p = nul + 1;
	}
	*namesp = names;
	return 0;
}

/* A reply buffer that grows as it is filled. */
struct attr_buf {
	char *ab_buf;
	size_t ab_len;
	size_t ab_cap;
};

static int
attr_buf_put(struct attr_buf *b, const void *data, size_t len)
{
	if (b->ab_len + len > b->ab_cap) {
		size_t cap = (b->ab_cap + len) * 2;
		char *nb;

		D_REALLOC(nb, b->ab_buf, b->ab_cap, cap);
		if (nb == NULL)
			return -DER_NOMEM;
		b->ab_buf = nb;
		b->ab_cap = cap;
	}
	if (len > 0)
		memcpy(b->ab_buf + b->ab_len, data, len);
	b->ab_len += len;
	return 0;
}

/* Hand the buffer to \a reply on success, free it otherwise. */
static int
attr_buf_done(struct attr_buf *b, int rc, d_iov_t *reply)
{
	if (rc == 0)
		d_iov_set(reply, b->ab_buf, b->ab_len);
	else
		D_FREE(b->ab_buf);
	return rc;
}

int
ds_rsvc_set_attr(struct rdb_tx *tx, const rdb_path_t *kvs, const d_iov_t *names,
		 const d_iov_t *values, uint32_t n)
{
	const char **nv = NULL;
	const char *v, *vend;
	uint32_t i;
	int rc;

	rc = attr_names(names, n, &nv);
	if (rc != 0)
		return rc;
	v = values->iov_buf;
	vend = v ? v + values->iov_len : NULL;
	for (i = 0; i < n && rc == 0; i++) {
		d_iov_t key, val;
		uint64_t sz;

		if (v == NULL || vend - v < (ptrdiff_t)sizeof(sz)) {
			rc = -DER_INVAL;
			break;
		}
		memcpy(&sz, v, sizeof(sz));
		v += sizeof(sz);
		/* one value must fit one rdb value */
		if (sz == 0 || sz > RDB_VALUE_MAX || (uint64_t)(vend - v) < sz) {
			rc = -DER_INVAL;
			break;
		}
		d_iov_set(&key, (void *)nv[i], strlen(nv[i]));
		d_iov_set(&val, (void *)v, sz);
		v += sz;
		rc = rdb_tx_update(tx, kvs, &key, &val);
	}
	D_FREE(nv);
	return rc;
}

int
ds_rsvc_del_attr(struct rdb_tx *tx, const rdb_path_t *kvs, const d_iov_t *names, uint32_t n)
{
	const char **nv = NULL;
	uint32_t i;
	int rc;

	rc = attr_names(names, n, &nv);
	for (i = 0; rc == 0 && i < n; i++) {
		d_iov_t key;

		d_iov_set(&key, (void *)nv[i], strlen(nv[i]));
		rc = rdb_tx_delete(tx, kvs, &key);
		if (rc == -DER_NONEXIST)
			rc = 0;
	}
	D_FREE(nv);
	return rc;
}

int
ds_rsvc_get_attr(struct rdb_tx *tx, const rdb_path_t *kvs, const d_iov_t *names, uint32_t n,
		 d_iov_t *reply)
{
	struct attr_buf b = {0};
	const char **nv = NULL;
	uint32_t i;
	int rc;

	rc = attr_names(names, n, &nv);
	for (i = 0; rc == 0 && i < n; i++) {
		d_iov_t key, val;
		uint64_t sz;

		d_iov_set(&key, (void *)nv[i], strlen(nv[i]));
		d_iov_set(&val, NULL, 0);
		rc = rdb_tx_lookup(tx, kvs, &key, &val);
		/* a missing attribute is a size of UINT64_MAX, not an error */
		sz = rc == 0 ? val.iov_len : UINT64_MAX;
		if (rc == -DER_NONEXIST)
			rc = 0;
		if (rc == 0)
			rc = attr_buf_put(&b, &sz, sizeof(sz));
		if (rc == 0 && sz != UINT64_MAX)
			rc = attr_buf_put(&b, val.iov_buf, sz);
	}
	D_FREE(nv);
	return attr_buf_done(&b, rc, reply);
}

static int
attr_list_cb(daos_handle_t ih, d_iov_t *key, d_iov_t *val, void *arg)
{
	char nul = '\0';
	int rc;

	rc = attr_buf_put(arg, key->iov_buf, key->iov_len);
	return rc ? rc : attr_buf_put(arg, &nul, 1);
}

int
ds_rsvc_list_attr(struct rdb_tx *tx, const rdb_path_t *kvs, d_iov_t *reply)
{
	struct attr_buf b = {0};
	int rc;

	rc = rdb_tx_iterate(tx, kvs, false, attr_list_cb, &b);
	return attr_buf_done(&b, rc, reply);
}
