/**
 * rdb: paths.
 *
 * A path is a byte string of encoded keys. Each key is (u32 len, bytes, u32 len): the code is
 * prefix-free, so path X names an ancestor of (or the same KVS as) path P exactly when X's bytes
 * are a prefix of P's bytes, which the TX overlay relies on. The trailing length lets
 * rdb_path_pop() walk backwards.
 */
#define D_LOGFAC DD_FAC(rdb)

#include "rdb_internal.h"

d_iov_t rdb_path_root_key;

#define RDB_PATH_INIT_LEN 128
#define RDB_PATH_MAX      (64 * 1024 * 1024)

size_t
rdb_encode_key(const d_iov_t *key, void *buf)
{
	uint32_t n = (uint32_t)key->iov_len;

	if (buf != NULL) {
		char *p = buf;

		memcpy(p, &n, sizeof(n));
		if (n > 0)
			memcpy(p + sizeof(n), key->iov_buf, n);
		memcpy(p + sizeof(n) + n, &n, sizeof(n));
	}
	return 2 * sizeof(n) + n;
}

ssize_t
rdb_decode_key(const void *buf, size_t len, d_iov_t *key)
{
	const char *p = buf;
	uint32_t head, tail;

	if (len < 2 * sizeof(uint32_t))
		return -DER_INVAL;
	memcpy(&head, p, sizeof(head));
	if (head > len - 2 * sizeof(uint32_t))
		return -DER_INVAL;
	memcpy(&tail, p + sizeof(head) + head, sizeof(tail));
	if (tail != head)
		return -DER_INVAL;
	key->iov_buf = head > 0 ? (void *)(p + sizeof(head)) : NULL;
	key->iov_buf_len = head;
	key->iov_len = head;
	return 2 * sizeof(uint32_t) + head;
}

int
rdb_path_init(rdb_path_t *path)
{
	if (path == NULL)
		return -DER_INVAL;
	memset(path, 0, sizeof(*path));
	D_ALLOC(path->iov_buf, RDB_PATH_INIT_LEN);
	if (path->iov_buf == NULL)
		return -DER_NOMEM;
	path->iov_buf_len = RDB_PATH_INIT_LEN;
	return 0;
}

void
rdb_path_fini(rdb_path_t *path)
{
	if (path == NULL)
		return;
	D_FREE(path->iov_buf);
	path->iov_buf_len = 0;
	path->iov_len = 0;
}

int
rdb_path_clone(const rdb_path_t *path, rdb_path_t *new_path)
{
	void *buf;
	size_t cap;

	if (path == NULL || new_path == NULL || path->iov_len > path->iov_buf_len)
		return -DER_INVAL;
	cap = max(path->iov_buf_len, (size_t)RDB_PATH_INIT_LEN);
	D_ALLOC(buf, cap);
	if (buf == NULL)
		return -DER_NOMEM;
	if (path->iov_len > 0)
		memcpy(buf, path->iov_buf, path->iov_len);
	new_path->iov_buf = buf;
	new_path->iov_buf_len = cap;
	new_path->iov_len = path->iov_len;
	return 0;
}

int
rdb_path_push(rdb_path_t *path, const d_iov_t *key)
{
	size_t len;

	if (path == NULL || key == NULL || path->iov_buf == NULL)
		return -DER_INVAL;
	if (key->iov_len > 0 && key->iov_buf == NULL)
		return -DER_INVAL;
	if (key->iov_len > RDB_KEY_MAX)
		return -DER_KEY2BIG;
	len = rdb_encode_key(key, NULL);
	if (path->iov_len + len > RDB_PATH_MAX)
		return -DER_OVERFLOW;
	if (path->iov_len + len > path->iov_buf_len) {
		size_t cap = path->iov_buf_len;
		void *buf;

		while (cap < path->iov_len + len)
			cap *= 2;
		D_REALLOC(buf, path->iov_buf, path->iov_buf_len, cap);
		if (buf == NULL)
			return -DER_NOMEM;
		path->iov_buf = buf;
		path->iov_buf_len = cap;
	}
	rdb_encode_key(key, (char *)path->iov_buf + path->iov_len);
	path->iov_len += len;
	return 0;
}

int
rdb_path_pop(rdb_path_t *path)
{
	uint32_t n;

	if (path == NULL || path->iov_buf == NULL)
		return -DER_INVAL;
	if (path->iov_len == 0)
		return -DER_NONEXIST;
	if (path->iov_len < 2 * sizeof(n))
		return -DER_INVAL;
	memcpy(&n, (char *)path->iov_buf + path->iov_len - sizeof(n), sizeof(n));
	if (2 * sizeof(n) + n > path->iov_len)
		return -DER_INVAL;
	path->iov_len -= 2 * sizeof(n) + n;
	return 0;
}

int
rdb_path_iterate(const rdb_path_t *path, rdb_path_iterate_cb_t cb, void *arg)
{
	const char *p = path->iov_buf;
	const char *end = p + path->iov_len;

	while (p < end) {
		d_iov_t key;
		ssize_t n;
		int rc;

		n = rdb_decode_key(p, end - p, &key);
		if (n < 0)
			return n;
		rc = cb(&key, arg);
		if (rc != 0)
			return rc == 1 ? 0 : rc;
		p += n;
	}
	return 0;
}

int
rdb_key_check(const d_iov_t *key)
{
	if (key == NULL || key->iov_len == 0 || key->iov_buf == NULL)
		return -DER_INVAL;
	if (key->iov_len > RDB_KEY_MAX || key->iov_len > key->iov_buf_len)
		return -DER_INVAL;
	return 0;
}

int
rdb_path_check(const rdb_path_t *path)
{
	const char *p, *end;
	bool first = true;

	if (path == NULL || path->iov_buf == NULL || path->iov_len == 0 ||
	    path->iov_len > path->iov_buf_len)
		return -DER_INVAL;
	p = path->iov_buf;
	end = p + path->iov_len;
	while (p < end) {
		d_iov_t key;
		ssize_t n;

		n = rdb_decode_key(p, end - p, &key);
		if (n < 0)
			return -DER_INVAL;
		/* only the first key may (and must) be the empty root key */
		if (first != (key.iov_len == 0))
			return -DER_INVAL;
		if (key.iov_len > RDB_KEY_MAX)
			return -DER_INVAL;
		first = false;
		p += n;
	}
	return 0;
}
