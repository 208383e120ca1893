/* d_array_grow: the shared doubling policy for growable arrays. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <gurt/common.h>

static void
test_grow_doubles_and_zeroes(void **state)
{
	uint64_t *arr = NULL;
	uint32_t  nr  = 0;
	uint32_t  cap = 0;
	uint32_t  i;

	for (i = 0; i < 1000; i++) {
		assert_int_equal(D_ARRAY_GROW(arr, nr, cap, 4), 0);
		assert_true(nr < cap);
		/* slots past the used ones start zeroed */
		assert_int_equal(arr[nr], 0);
		arr[nr++] = i + 1;
	}
	/* 4, 8, ... doubling: 1024 slots hold 1000 entries */
	assert_int_equal(cap, 1024);
	for (i = 0; i < nr; i++)
		assert_int_equal(arr[i], i + 1);
	/* no growth while there is room */
	assert_int_equal(D_ARRAY_GROW(arr, 10, cap, 4), 0);
	assert_int_equal(cap, 1024);
	free(arr);
}

static void
test_grow_overflow(void **state)
{
	void    *arr = NULL;
	uint32_t cap = 0x80000000U;

	/* doubling past 32 bits fails cleanly and leaves the array alone */
	assert_int_equal(d_array_grow(&arr, cap, &cap, 1, 4), -DER_NOMEM);
	assert_null(arr);
	assert_int_equal(cap, 0x80000000U);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_grow_doubles_and_zeroes),
	    cmocka_unit_test(test_grow_overflow),
	};

	return cmocka_run_group_tests_name("array", tests, NULL, NULL);
}
