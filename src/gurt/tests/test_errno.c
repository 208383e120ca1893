/**
 * Error strings and errno conversions.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <limits.h>

#include <gurt/common.h>
#include <daos/common.h>

struct der_entry {
	const char *name;
	int value;
	const char *desc;
};

#define DER_ENTRY(name, value, desc) {#name, value, #desc},
static const struct der_entry all_ders[] = {D_FOREACH_GURT_ERR(DER_ENTRY)
						    D_FOREACH_DAOS_ERR(DER_ENTRY)};

static void
test_every_code_named(void **state)
{
	size_t i;
	size_t j;

	for (i = 0; i < ARRAY_SIZE(all_ders); i++) {
		const struct der_entry *e = &all_ders[i];

		assert_string_equal(d_errstr(e->value), e->name);
		assert_string_equal(d_errstr(-e->value), e->name);
		assert_string_equal(d_errdesc(-e->value), e->desc);
		assert_string_equal(d_errdesc(e->value), e->desc);
		assert_string_not_equal(d_errstr(-e->value), "DER_UNKNOWN");
		assert_null(strstr(d_errdesc(-e->value), "Unknown error"));
		assert_true(strlen(e->desc) > 3);
		for (j = 0; j < i; j++) {
			assert_string_not_equal(all_ders[j].name, e->name);
			assert_int_not_equal(all_ders[j].value, e->value);
		}
	}
	/* Facts from the DAOS list, spot-checked. */
	assert_int_equal(DER_NO_PERM, 1001);
	assert_int_equal(DER_NONEXIST, 1005);
	assert_int_equal(DER_EXCLUDED, 1032);
	assert_int_equal(DER_QUOTA_LIMIT, 1046);
	assert_int_equal(DER_IO, 2001);
	assert_int_equal(DER_CSUM, 2021);
	assert_int_equal(DER_NOTSUPPORTED, 2037);
	assert_int_equal(DER_IGNORE, 2052);
	assert_int_equal(DER_UNKNOWN, 501000);
	assert_string_equal(d_errstr(-DER_NONEXIST), "DER_NONEXIST");
	assert_string_equal(d_errdesc(-DER_NONEXIST), "The specified entity does not exist");
}

static void
test_unknown_codes(void **state)
{
	static const int unknown[] = {1000,  1047,        2000,    2053,    3,     999,
				      12345, DER_UNKNOWN, INT_MAX, INT_MIN, -1000, -2053};
	char expect[64];
	size_t i;

	assert_string_equal(d_errstr(0), "DER_SUCCESS");
	assert_string_equal(d_errdesc(0), "Success");
	for (i = 0; i < ARRAY_SIZE(unknown); i++) {
		assert_string_equal(d_errstr(unknown[i]), "DER_UNKNOWN");
		snprintf(expect, sizeof(expect), "Unknown error code %d", unknown[i]);
		assert_string_equal(d_errdesc(unknown[i]), expect);
	}
}

static void
test_dp_rc(void **state)
{
	char buf[128];

	snprintf(buf, sizeof(buf), DF_RC, DP_RC(-DER_INVAL));
	assert_string_equal(buf, "DER_INVAL(-1003): 'Invalid parameters'");
}

static const char *const my_names[] = {"MY_FIRST", "MY_SECOND"};
static const char *const my_descs[] = {"First error", "Second error"};

static void
test_register_range(void **state)
{
	assert_int_equal(d_errno_register_range(5000, 5003, my_names, my_descs), 0);
	assert_string_equal(d_errstr(-5001), "MY_FIRST");
	assert_string_equal(d_errstr(5002), "MY_SECOND");
	assert_string_equal(d_errdesc(-5002), "Second error");
	assert_string_equal(d_errstr(-5003), "DER_UNKNOWN");
	assert_string_equal(d_errstr(-5000), "DER_UNKNOWN");

	/* Overlaps, with ours or a built-in range, and bad arguments. */
	assert_int_equal(d_errno_register_range(5002, 5010, my_names, my_descs), -DER_EXIST);
	assert_int_equal(d_errno_register_range(1040, 1100, my_names, my_descs), -DER_EXIST);
	assert_int_equal(d_errno_register_range(6000, 6001, my_names, my_descs), -DER_INVAL);
	assert_int_equal(d_errno_register_range(6000, 6005, NULL, NULL), -DER_INVAL);
	assert_int_equal(d_errno_register_range(-10, 5, my_names, my_descs), -DER_INVAL);

	/* Names only: descriptions fall back to the unknown text. */
	assert_int_equal(d_errno_register_range(7000, 7003, my_names, NULL), 0);
	assert_string_equal(d_errstr(-7001), "MY_FIRST");
	assert_string_equal(d_errdesc(-7001), "Unknown error code -7001");

	d_errno_deregister_range(5000);
	d_errno_deregister_range(7000);
	d_errno_deregister_range(9999);
	assert_string_equal(d_errstr(-5001), "DER_UNKNOWN");
	assert_string_equal(d_errstr(-7001), "DER_UNKNOWN");
	assert_int_equal(d_errno_register_range(5000, 5003, my_names, my_descs), 0);
	d_errno_deregister_range(5000);
}

static void
test_der2errno(void **state)
{
	static const struct {
		int der;
		int err;
	} map[] = {
		{DER_NO_PERM, EPERM},
		{DER_EP_RO, EPERM},
		{DER_EP_OLD, EPERM},
		{DER_CONT_DESTROYING, EPERM},
		{DER_ENOENT, ENOENT},
		{DER_NONEXIST, ENOENT},
		{DER_INVAL, EINVAL},
		{DER_NOTYPE, EINVAL},
		{DER_NOSCHEMA, EINVAL},
		{DER_NOLOCAL, EINVAL},
		{DER_NO_HDL, EINVAL},
		{DER_IO_INVAL, EINVAL},
		{DER_KEY2BIG, E2BIG},
		{DER_REC2BIG, E2BIG},
		{DER_EXIST, EEXIST},
		{DER_UNREACH, EHOSTUNREACH},
		{DER_NOSPACE, ENOSPC},
		{DER_ALREADY, EALREADY},
		{DER_NOMEM, ENOMEM},
		{DER_DOS, ENOMEM},
		{DER_TIMEDOUT, ETIMEDOUT},
		{DER_BUSY, EBUSY},
		{DER_EQ_BUSY, EBUSY},
		{DER_AGAIN, EAGAIN},
		{DER_PROTO, EPROTO},
		{DER_IO, EIO},
		{DER_CANCELED, ECANCELED},
		{DER_OVERFLOW, EOVERFLOW},
		{DER_BADPATH, ENOTDIR},
		{DER_NOTDIR, ENOTDIR},
		{DER_STALE, ESTALE},
		{DER_TX_RESTART, ERESTART},
		{DER_NOTSUPPORTED, ENOTSUP},
		{DER_MISC, EIO},
		{DER_CSUM, EIO},
		{DER_UNKNOWN, EIO},
		{12345, EIO},
	};
	size_t i;

	assert_int_equal(daos_der2errno(0), 0);
	for (i = 0; i < ARRAY_SIZE(map); i++) {
		assert_int_equal(daos_der2errno(-map[i].der), map[i].err);
		assert_int_equal(daos_der2errno(map[i].der), map[i].err);
	}
}

static void
test_round_trips(void **state)
{
	/* Errno values with a DER twin survive errno -> DER -> errno. */
	static const int errnos[] = {EPERM,   ENOENT,   EINVAL,  EEXIST,    EHOSTUNREACH,
				     ENOSPC,  EALREADY, ENOMEM,  ETIMEDOUT, EBUSY,
				     EAGAIN,  EPROTO,   EIO,     ECANCELED, EOVERFLOW,
				     ENOTDIR, ESTALE,   ENOTSUP, E2BIG};
	/* And the DER codes each of them names survive DER -> errno -> DER. */
	static const int ders[] = {DER_NO_PERM,  DER_NONEXIST,     DER_INVAL,    DER_EXIST,
				   DER_UNREACH,  DER_NOSPACE,      DER_ALREADY,  DER_NOMEM,
				   DER_TIMEDOUT, DER_BUSY,         DER_AGAIN,    DER_PROTO,
				   DER_IO,       DER_CANCELED,     DER_OVERFLOW, DER_NOTDIR,
				   DER_STALE,    DER_NOTSUPPORTED, DER_KEY2BIG};
	size_t i;

	assert_int_equal(d_errno2der(0), 0);
	for (i = 0; i < ARRAY_SIZE(errnos); i++) {
		int der = d_errno2der(errnos[i]);

		assert_true(der < 0);
		assert_int_equal(daos_der2errno(der), errnos[i]);
	}
	for (i = 0; i < ARRAY_SIZE(ders); i++)
		assert_int_equal(d_errno2der(daos_der2errno(-ders[i])), -ders[i]);

	/* Other mappings in d_errno2der. */
	assert_int_equal(d_errno2der(EACCES), -DER_NO_PERM);
	assert_int_equal(d_errno2der(EDQUOT), -DER_NOSPACE);
	assert_int_equal(d_errno2der(EBADF), -DER_NO_HDL);
	assert_int_equal(d_errno2der(EXDEV), -DER_MISC);
	assert_int_equal(d_errno2der(123456), -DER_MISC);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_code_named),
		cmocka_unit_test(test_unknown_codes),
		cmocka_unit_test(test_dp_rc),
		cmocka_unit_test(test_register_range),
		cmocka_unit_test(test_der2errno),
		cmocka_unit_test(test_round_trips),
	};

	return cmocka_run_group_tests_name("gurt_errno", tests, NULL, NULL);
}
