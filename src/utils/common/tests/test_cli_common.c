/**
 * The tools' shared formatting (cli_common.h): error suffixes, JSON string escaping and
 * envelope pieces, decimal sizes, and ACL files (comments, blanks, bad ACEs).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <gurt/common.h>
#include <daos_security.h>
#include "cli_common.h"

static int
vfail_fmt(char *err, size_t size, int rc, bool quote, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	rc = cli_vfail(err, size, rc, quote, fmt, ap);
	va_end(ap);
	return rc;
}

static void
test_vfail(void **state)
{
	char err[256], want[256];

	assert_int_equal(vfail_fmt(err, sizeof(err), -DER_NONEXIST, true, "no %s", "pool"),
			 -DER_NONEXIST);
	snprintf(want, sizeof(want), "no pool: DER_NONEXIST(%d): '%s'", -DER_NONEXIST,
		 d_errdesc(-DER_NONEXIST));
	assert_string_equal(err, want);
	assert_int_equal(vfail_fmt(err, sizeof(err), -DER_INVAL, false, "bad"), -DER_INVAL);
	snprintf(want, sizeof(want), "bad: DER_INVAL(%d): %s", -DER_INVAL, d_errdesc(-DER_INVAL));
	assert_string_equal(err, want);
	/* 0 still fails the command; no suffix */
	assert_int_equal(vfail_fmt(err, sizeof(err), 0, false, "usage"), -DER_MISC);
	assert_string_equal(err, "usage");
	/* a message that fills the buffer gets no suffix and no overflow */
	assert_int_equal(vfail_fmt(err, 8, -DER_INVAL, true, "0123456789"), -DER_INVAL);
	assert_string_equal(err, "0123456");
}

static void
test_json_str(void **state)
{
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);

	assert_non_null(f);
	cli_json_str(f, "a\"b\\c\nd\te\x01");
	cli_json_str(f, NULL);
	fclose(f);
	assert_string_equal(out, "\"a\\\"b\\\\c\\nd\\te\\u0001\"\"\"");
	free(out);
}

static void
test_size_str(void **state)
{
	char buf[32];

	cli_size_str(999, buf, sizeof(buf));
	assert_string_equal(buf, "999 B");
	cli_size_str(4000000000ULL, buf, sizeof(buf));
	assert_string_equal(buf, "4.0 GB");
	cli_size_str(25000000, buf, sizeof(buf));
	assert_string_equal(buf, "25 MB");
}

static FILE *
acl_file(const char *text)
{
	FILE *f = tmpfile();

	assert_non_null(f);
	fputs(text, f);
	rewind(f);
	return f;
}

static void
test_acl_read(void **state)
{
	struct daos_acl *acl = NULL;
	char **strs = NULL;
	size_t n = 0, i;
	FILE *f;

	f = acl_file("# owner and everyone\n\n  A::OWNER@:rw \t\r\nA::EVERYONE@:r\n");
	assert_int_equal(cli_acl_read(f, &acl), 0);
	fclose(f);
	assert_int_equal(daos_acl_to_strs(acl, &strs, &n), 0);
	assert_int_equal(n, 2);
	for (i = 0; i < n; i++)
		D_FREE(strs[i]);
	D_FREE(strs);
	daos_acl_free(acl);

	acl = NULL;
	f = acl_file("A::OWNER@:rw\nnot an ace\n");
	assert_int_not_equal(cli_acl_read(f, &acl), 0);
	fclose(f);
	assert_null(acl);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vfail),
		cmocka_unit_test(test_json_str),
		cmocka_unit_test(test_size_str),
		cmocka_unit_test(test_acl_read),
	};

	return cmocka_run_group_tests_name("cli_common", tests, NULL, NULL);
}
