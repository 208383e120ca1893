/**
 * The attribute buffers of libdaos (daos/attr.h): packing names and values, refusing bad
 * ones, and unpacking get and list replies, hostile ones included.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <gurt/common.h>
#include <daos/attr.h>

static void
test_pack(void **state)
{
	const char *names[] = {"a", "bcd"};
	const void *values[] = {"x", "yz"};
	size_t sizes[] = {1, 2};
	char longname[DAOS_ATTR_NAME_MAX + 2];
	const char *bad[] = {"ok", ""};
	const char *lng[] = {longname};
	d_iov_t iov = {0};
	uint64_t sz;
	char *big;

	assert_int_equal(dc_attr_pack_names(2, names, &iov), 0);
	assert_int_equal(iov.iov_len, 6);
	assert_memory_equal(iov.iov_buf, "a\0bcd\0", 6);
	D_FREE(iov.iov_buf);
	assert_int_equal(dc_attr_pack_values(2, values, sizes, &iov), 0);
	assert_int_equal(iov.iov_len, 2 * sizeof(uint64_t) + 3);
	memcpy(&sz, iov.iov_buf, sizeof(sz));
	assert_int_equal(sz, 1);
	memcpy(&sz, (char *)iov.iov_buf + sizeof(sz) + 1, sizeof(sz));
	assert_int_equal(sz, 2);
	D_FREE(iov.iov_buf);

	memset(longname, 'n', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	assert_int_equal(dc_attr_pack_names(2, bad, &iov), -DER_INVAL);
	assert_int_equal(dc_attr_pack_names(1, lng, &iov), -DER_INVAL);
	assert_int_equal(dc_attr_pack_names(0, names, &iov), -DER_INVAL);
	assert_int_equal(dc_attr_pack_names(1, NULL, &iov), -DER_INVAL);
	assert_int_equal(dc_attr_pack_values(1, NULL, sizes, &iov), -DER_INVAL);
	assert_int_equal(dc_attr_pack_values(1, values, NULL, &iov), -DER_INVAL);
	sizes[0] = 0;
	assert_int_equal(dc_attr_pack_values(1, values, sizes, &iov), -DER_INVAL);
	sizes[0] = DC_ATTR_VALUE_MAX + 1;
	assert_int_equal(dc_attr_pack_values(1, values, sizes, &iov), -DER_INVAL);
	D_ALLOC(big, DC_ATTR_VALUE_MAX);
	assert_non_null(big);
	values[0] = big;
	sizes[0] = DC_ATTR_VALUE_MAX;
	assert_int_equal(dc_attr_pack_values(1, values, sizes, &iov), 0);
	assert_int_equal(iov.iov_len, sizeof(uint64_t) + DC_ATTR_VALUE_MAX);
	D_FREE(iov.iov_buf);
	D_FREE(big);
}

static void
test_get_unpack(void **state)
{
	const void *values[] = {"hello", "ab"};
	size_t vsizes[] = {5, 2};
	char b0[3] = {0}, b1[8] = {0};
	void *bufs[] = {b0, b1};
	size_t sizes[] = {sizeof(b0), sizeof(b1)};
	uint64_t missing = UINT64_MAX;
	d_iov_t reply, data = {0};

	/* a get reply has the layout of set values */
	assert_int_equal(dc_attr_pack_values(2, values, vsizes, &reply), 0);
	assert_int_equal(dc_attr_reply_copy(&reply, &data), 0);
	assert_int_equal(data.iov_len, reply.iov_len);
	assert_int_equal(dc_attr_get_unpack(&data, 2, bufs, sizes), 0);
	assert_int_equal(sizes[0], 5);
	assert_int_equal(sizes[1], 2);
	assert_memory_equal(b0, "hel", 3); /* truncated to the buffer */
	assert_memory_equal(b1, "ab", 2);
	/* sizes only */
	sizes[0] = sizes[1] = 0;
	assert_int_equal(dc_attr_get_unpack(&data, 2, NULL, sizes), 0);
	assert_int_equal(sizes[0], 5);
	/* short replies */
	data.iov_len = reply.iov_len - 1;
	assert_int_equal(dc_attr_get_unpack(&data, 2, NULL, sizes), -DER_PROTO);
	data.iov_len = 3;
	assert_int_equal(dc_attr_get_unpack(&data, 1, NULL, sizes), -DER_PROTO);
	D_FREE(data.iov_buf);
	D_FREE(reply.iov_buf);
	data.iov_buf = NULL;
	data.iov_len = 0;
	assert_int_equal(dc_attr_get_unpack(&data, 1, NULL, sizes), -DER_PROTO);
	d_iov_set(&reply, &missing, sizeof(missing));
	assert_int_equal(dc_attr_get_unpack(&reply, 1, NULL, sizes), -DER_NONEXIST);
	/* an empty reply copies nothing */
	d_iov_set(&reply, NULL, 0);
	assert_int_equal(dc_attr_reply_copy(&reply, &data), 0);
	assert_null(data.iov_buf);
}

static void
test_list_copy(void **state)
{
	char list[] = "a\0bcd";
	char buf[4];
	size_t size = sizeof(buf);
	d_iov_t data;

	d_iov_set(&data, list, sizeof(list));
	dc_attr_list_copy(&data, buf, &size);
	assert_int_equal(size, 6);
	assert_memory_equal(buf, "a\0bc", 4);
	size = 0;
	dc_attr_list_copy(&data, NULL, &size);
	assert_int_equal(size, 6);
	d_iov_set(&data, NULL, 0);
	size = sizeof(buf);
	dc_attr_list_copy(&data, buf, &size);
	assert_int_equal(size, 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pack),
		cmocka_unit_test(test_get_unpack),
		cmocka_unit_test(test_list_copy),
	};

	return cmocka_run_group_tests_name("client_attr", tests, NULL, NULL);
}
