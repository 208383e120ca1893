/*
 * rdb: the replicated services' attributes (daos_srv/rsvc.h) on a real KVS: set, get (with a
 * missing name), list, delete, and malformed name and value buffers.
 */
#include <daos_srv/rsvc.h>
#include "rdb_utest.h"

/* Append one packed value (uint64_t size, bytes). */
static size_t
put_val(char *buf, size_t off, const char *v, uint64_t sz)
{
	memcpy(buf + off, &sz, sizeof(sz));
	memcpy(buf + off + sizeof(sz), v, strlen(v));
	return off + sizeof(sz) + strlen(v);
}

static void
setup_kvs(struct utest *ut, rdb_path_t *p)
{
	struct rdb_kvs_attr attr = {.dsa_class = RDB_KVS_GENERIC};
	d_iov_t k = ut_key("attrs");
	struct rdb_tx tx;

	ut_create_root(ut, RDB_KVS_GENERIC);
	assert_int_equal(rdb_tx_begin(ut->db, RDB_NIL_TERM, &tx), 0);
	assert_int_equal(rdb_tx_create_kvs(&tx, &ut->root, &k, &attr), 0);
	assert_int_equal(rdb_tx_commit(&tx), 0);
	rdb_tx_end(&tx);
	ut_path(p, "attrs", NULL);
}

static void
test_attr_ops(void **state)
{
	struct utest *ut = *state;
	char vbuf[64], exp[64];
	d_iov_t names, values, reply = {0};
	struct rdb_tx tx;
	rdb_path_t p;
	size_t len;

	setup_kvs(ut, &p);
	d_iov_set(&names, "a\0bcd\0", 6);
	len = put_val(vbuf, 0, "x", 1);
	len = put_val(vbuf, len, "yz", 2);
	d_iov_set(&values, vbuf, len);
	assert_int_equal(rdb_tx_begin(ut->db, RDB_NIL_TERM, &tx), 0);
	assert_int_equal(ds_rsvc_set_attr(&tx, &p, &names, &values, 2), 0);
	assert_int_equal(rdb_tx_commit(&tx), 0);
	rdb_tx_end(&tx);

	/* get: a missing name is a size of UINT64_MAX */
	d_iov_set(&names, "a\0zz\0bcd\0", 9);
	assert_int_equal(rdb_tx_begin(ut->db, RDB_NIL_TERM, &tx), 0);
	assert_int_equal(ds_rsvc_get_attr(&tx, &p, &names, 3, &reply), 0);
	len = put_val(exp, 0, "x", 1);
	len = put_val(exp, len, "", UINT64_MAX);
	len = put_val(exp, len, "yz", 2);
	assert_int_equal(reply.iov_len, len);
	assert_memory_equal(reply.iov_buf, exp, len);
	D_FREE(reply.iov_buf);

	/* list: both names, NUL-terminated, in the KVS's order */
	assert_int_equal(ds_rsvc_list_attr(&tx, &p, &reply), 0);
	assert_int_equal(reply.iov_len, 6);
	assert_true(memcmp(reply.iov_buf, "a\0bcd\0", 6) == 0 ||
		    memcmp(reply.iov_buf, "bcd\0a\0", 6) == 0);
	D_FREE(reply.iov_buf);
	rdb_tx_end(&tx);

	/* delete one present and one missing name */
	d_iov_set(&names, "a\0nope\0", 7);
	assert_int_equal(rdb_tx_begin(ut->db, RDB_NIL_TERM, &tx), 0);
	assert_int_equal(ds_rsvc_del_attr(&tx, &p, &names, 2), 0);
	assert_int_equal(rdb_tx_commit(&tx), 0);
	rdb_tx_end(&tx);
	assert_int_equal(rdb_tx_begin(ut->db, RDB_NIL_TERM, &tx), 0);
	assert_int_equal(ds_rsvc_list_attr(&tx, &p, &reply), 0);
	assert_int_equal(reply.iov_len, 4);
	assert_memory_equal(reply.iov_buf, "bcd\0", 4);
	D_FREE(reply.iov_buf);
	rdb_tx_end(&tx);
	rdb_path_fini(&p);
}

static void
test_attr_bad(void **state)
{
	struct utest *ut = *state;
	char vbuf[64], lng[DAOS_ATTR_NAME_MAX + 2];
	d_iov_t names, values, reply = {0};
	struct rdb_tx tx;
	rdb_path_t p;
	size_t len;

	setup_kvs(ut, &p);
	assert_int_equal(rdb_tx_begin(ut->db, RDB_NIL_TERM, &tx), 0);
	d_iov_set(&names, "a\0b\0", 4);
	/* more names announced than packed, none, an empty one, one without its NUL */
	assert_int_equal(ds_rsvc_get_attr(&tx, &p, &names, 3, &reply), -DER_INVAL);
	assert_int_equal(ds_rsvc_get_attr(&tx, &p, &names, 0, &reply), -DER_INVAL);
	assert_null(reply.iov_buf);
	d_iov_set(&names, "\0", 1);
	assert_int_equal(ds_rsvc_del_attr(&tx, &p, &names, 1), -DER_INVAL);
	d_iov_set(&names, "abc", 3);
	assert_int_equal(ds_rsvc_del_attr(&tx, &p, &names, 1), -DER_INVAL);
	memset(lng, 'n', sizeof(lng));
	d_iov_set(&names, lng, sizeof(lng));
	assert_int_equal(ds_rsvc_del_attr(&tx, &p, &names, 1), -DER_INVAL);
	d_iov_set(&names, NULL, 0);
	assert_int_equal(ds_rsvc_del_attr(&tx, &p, &names, 1), -DER_INVAL);

	/* values: missing, short, empty, longer than the buffer */
	d_iov_set(&names, "a\0b\0", 4);
	d_iov_set(&values, NULL, 0);
	assert_int_equal(ds_rsvc_set_attr(&tx, &p, &names, &values, 2), -DER_INVAL);
	len = put_val(vbuf, 0, "x", 1);
	d_iov_set(&values, vbuf, len);
	assert_int_equal(ds_rsvc_set_attr(&tx, &p, &names, &values, 2), -DER_INVAL);
	len = put_val(vbuf, len, "", 0);
	d_iov_set(&values, vbuf, len);
	assert_int_equal(ds_rsvc_set_attr(&tx, &p, &names, &values, 2), -DER_INVAL);
	len = put_val(vbuf, 0, "x", 1);
	len = put_val(vbuf, len, "y", 5);
	d_iov_set(&values, vbuf, len);
	assert_int_equal(ds_rsvc_set_attr(&tx, &p, &names, &values, 2), -DER_INVAL);
	rdb_tx_end(&tx);
	rdb_path_fini(&p);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_attr_ops, ut_setup, ut_teardown),
		cmocka_unit_test_setup_teardown(test_attr_bad, ut_setup, ut_teardown),
	};

	return cmocka_run_group_tests_name("rdb_attr", tests, NULL, NULL);
}
