/**
 * Scatter/gather list helper tests.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <gurt/common.h>

static void
test_init_fini(void **state)
{
	d_sg_list_t sgl;
	int i;

	assert_int_equal(d_sgl_init(&sgl, 0), 0);
	assert_null(sgl.sg_iovs);
	assert_int_equal(sgl.sg_nr, 0);
	assert_int_equal(d_sgl_buf_size(&sgl), 0);
	d_sgl_fini(&sgl, true);

	assert_int_equal(d_sgl_init(&sgl, 4), 0);
	assert_int_equal(sgl.sg_nr, 4);
	assert_int_equal(sgl.sg_nr_out, 0);
	for (i = 0; i < 4; i++) {
		assert_null(sgl.sg_iovs[i].iov_buf);
		d_iov_set(&sgl.sg_iovs[i], malloc(10 * (i + 1)), 10 * (i + 1));
	}
	sgl.sg_iovs[3].iov_len = 5;
	assert_int_equal(d_sgl_buf_size(&sgl), 100);
	assert_int_equal(d_sgl_data_len(&sgl), 65);
	/* free_iovs: the buffers go too (LSan checks it). */
	d_sgl_fini(&sgl, true);
	assert_null(sgl.sg_iovs);
	assert_int_equal(sgl.sg_nr, 0);
	d_sgl_fini(&sgl, true); /* twice is harmless */
	d_sgl_fini(NULL, false);
	assert_int_equal(d_sgl_init(NULL, 1), -DER_INVAL);
}

static void
test_buf_copy(void **state)
{
	d_sg_list_t src;
	d_sg_list_t dst;
	char s0[] = "hello";
	char s1[] = "world!";
	char d0[8];
	char d1[8];
	char small[3];

	assert_int_equal(d_sgl_init(&src, 2), 0);
	assert_int_equal(d_sgl_init(&dst, 2), 0);
	d_iov_set(&src.sg_iovs[0], s0, sizeof(s0));
	d_iov_set(&src.sg_iovs[1], s1, sizeof(s1));
	src.sg_iovs[1].iov_len = 3;
	d_iov_set(&dst.sg_iovs[0], d0, sizeof(d0));
	d_iov_set(&dst.sg_iovs[1], d1, sizeof(d1));

	assert_int_equal(d_sgl_buf_copy(&dst, &src), 0);
	assert_string_equal(d0, "hello");
	assert_string_equal(d1, "world!");
	assert_int_equal(dst.sg_iovs[1].iov_len, 3);
	assert_int_equal(dst.sg_iovs[1].iov_buf_len, sizeof(s1));

	/* A too small destination is refused before anything is copied. */
	memset(d0, 'x', sizeof(d0));
	d_iov_set(&dst.sg_iovs[0], d0, sizeof(d0));
	d_iov_set(&dst.sg_iovs[1], small, sizeof(small));
	assert_int_equal(d_sgl_buf_copy(&dst, &src), -DER_TRUNC);
	assert_int_equal(d0[0], 'x');
	dst.sg_nr = 1;
	assert_int_equal(d_sgl_buf_copy(&dst, &src), -DER_TRUNC);
	dst.sg_nr = 2;
	assert_int_equal(d_sgl_buf_copy(NULL, &src), -DER_INVAL);

	d_sgl_fini(&src, false);
	d_sgl_fini(&dst, false);
}

static void
test_iov_set_safe(void **state)
{
	d_iov_t iov;
	char *heap = malloc(16);

	d_iov_set_safe(&iov, heap, 16);
	assert_ptr_equal(iov.iov_buf, heap);
	assert_int_equal(iov.iov_len, 16);
	assert_int_equal(iov.iov_buf_len, 16);
	free(heap);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_init_fini),
		cmocka_unit_test(test_buf_copy),
		cmocka_unit_test(test_iov_set_safe),
	};

	return cmocka_run_group_tests_name("gurt_sgl", tests, NULL, NULL);
}
