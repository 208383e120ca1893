/* Label rules shared by pools and containers (daos_prop.h). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <daos.h>

static void
test_label_valid(void **state)
{
	char long_label[DAOS_PROP_LABEL_MAX_LEN + 2];

	assert_true(daos_label_is_valid("mycont"));
	assert_true(daos_label_is_valid("a.b_c:d-9"));
	assert_false(daos_label_is_valid(NULL));
	assert_false(daos_label_is_valid(""));
	assert_false(daos_label_is_valid("has space"));
	assert_false(daos_label_is_valid("slash/no"));
	/* a UUID string is never a label */
	assert_false(daos_label_is_valid("0b5fbb6c-3b7e-4c3f-9d4e-9a3c1f0e2d11"));

	memset(long_label, 'x', sizeof(long_label));
	long_label[DAOS_PROP_LABEL_MAX_LEN] = '\0';
	assert_true(daos_label_is_valid(long_label));
	long_label[DAOS_PROP_LABEL_MAX_LEN] = 'x';
	long_label[DAOS_PROP_LABEL_MAX_LEN + 1] = '\0';
	assert_false(daos_label_is_valid(long_label));
}

static void
test_prop_entry_flags(void **state)
{
	struct daos_prop_entry e = {0};

	assert_true(daos_prop_is_set(&e));
	e.dpe_flags = DAOS_PROP_ENTRY_NOT_SET;
	assert_false(daos_prop_is_set(&e));
	assert_false(daos_prop_is_set(NULL));
	/* the value union is 64 bits wide and 8-byte aligned, as upstream */
	assert_int_equal(sizeof(struct daos_prop_entry), 16);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_label_valid),
		cmocka_unit_test(test_prop_entry_flags),
	};

	return cmocka_run_group_tests_name("prop_label", tests, NULL, NULL);
}
