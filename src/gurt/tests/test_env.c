/**
 * Environment getters and setters, including malformed values.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <pthread.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gurt/common.h>

#define VAR "PDAOS_TEST_ENV_VAR"

static int
teardown(void **state)
{
	unsetenv(VAR);
	return 0;
}

static void
test_unset(void **state)
{
	char buf[8] = "keep";
	char *str = (char *)"keep";
	bool b = true;
	char c = 'k';
	unsigned int u = 7;
	uint32_t u32 = 7;
	uint64_t u64 = 7;

	unsetenv(VAR);
	assert_false(d_isenv_def(VAR));
	assert_int_equal(d_getenv_str(buf, sizeof(buf), VAR), -DER_NONEXIST);
	assert_string_equal(buf, "keep");
	assert_int_equal(d_agetenv_str(&str, VAR), -DER_NONEXIST);
	assert_null(str);
	assert_int_equal(d_getenv_bool(VAR, &b), -DER_NONEXIST);
	assert_true(b);
	assert_int_equal(d_getenv_char(VAR, &c), -DER_NONEXIST);
	assert_int_equal(c, 'k');
	assert_int_equal(d_getenv_uint(VAR, &u), -DER_NONEXIST);
	assert_int_equal(d_getenv_int(VAR, &u), -DER_NONEXIST);
	assert_int_equal(u, 7);
	assert_int_equal(d_getenv_uint32_t(VAR, &u32), -DER_NONEXIST);
	assert_int_equal(u32, 7);
	assert_int_equal(d_getenv_uint64_t(VAR, &u64), -DER_NONEXIST);
	assert_int_equal(u64, 7);

	/* NULL arguments. */
	assert_int_equal(d_getenv_str(NULL, 4, VAR), -DER_INVAL);
	assert_int_equal(d_getenv_str(buf, 0, VAR), -DER_INVAL);
	assert_int_equal(d_getenv_str(buf, sizeof(buf), NULL), -DER_INVAL);
	assert_int_equal(d_agetenv_str(NULL, VAR), -DER_INVAL);
	assert_int_equal(d_getenv_bool(VAR, NULL), -DER_INVAL);
	assert_int_equal(d_getenv_uint64_t(NULL, &u64), -DER_INVAL);
	assert_false(d_isenv_def(NULL));
	d_freeenv_str(NULL);
}

static void
test_str(void **state)
{
	char buf[16];
	char small[3];
	char *str = NULL;

	assert_int_equal(d_setenv(VAR, "hello", 1), 0);
	assert_true(d_isenv_def(VAR));
	assert_int_equal(d_getenv_str(buf, sizeof(buf), VAR), 0);
	assert_string_equal(buf, "hello");
	assert_int_equal(d_getenv_str(small, sizeof(small), VAR), -DER_TRUNC);
	assert_string_equal(small, "he");

	assert_int_equal(d_agetenv_str(&str, VAR), 0);
	assert_string_equal(str, "hello");
	d_freeenv_str(&str);
	assert_null(str);

	/* Set but empty is still set. */
	assert_int_equal(d_setenv(VAR, "", 1), 0);
	assert_true(d_isenv_def(VAR));
	assert_int_equal(d_getenv_str(buf, sizeof(buf), VAR), 0);
	assert_string_equal(buf, "");
}

static void
expect_bool(const char *val, int rc, bool expect)
{
	bool b = !expect;

	setenv(VAR, val, 1);
	assert_int_equal(d_getenv_bool(VAR, &b), rc);
	if (rc == 0)
		assert_int_equal(b, expect);
}

static void
test_bool(void **state)
{
	bool b;

	expect_bool("1", 0, true);
	expect_bool("0", 0, false);
	expect_bool("true", 0, true);
	expect_bool("FALSE", 0, false);
	expect_bool("yes", 0, true);
	expect_bool("No", 0, false);
	expect_bool("On", 0, true);
	expect_bool("off", 0, false);
	expect_bool("42", 0, true);
	expect_bool("0x0", 0, false);

	/* Junk leaves the value alone. */
	static const char *const junk[] = {
		"maybe",
		"",
		"1x",
		"-1",
		" 1",
		"truee",
		"0123456789012345678901234567890123456789012345678901234567890123456789"};
	for (size_t i = 0; i < ARRAY_SIZE(junk); i++) {
		setenv(VAR, junk[i], 1);
		b = true;
		assert_int_equal(d_getenv_bool(VAR, &b), -DER_INVAL);
		assert_true(b);
	}
}

static void
test_char(void **state)
{
	char c = 'k';

	setenv(VAR, "x", 1);
	assert_int_equal(d_getenv_char(VAR, &c), 0);
	assert_int_equal(c, 'x');
	c = 'k';
	setenv(VAR, "xy", 1);
	assert_int_equal(d_getenv_char(VAR, &c), -DER_INVAL);
	setenv(VAR, "", 1);
	assert_int_equal(d_getenv_char(VAR, &c), -DER_INVAL);
	assert_int_equal(c, 'k');
	assert_int_equal(d_getenv_char(VAR, NULL), -DER_INVAL);
}

static const char *const bad_numbers[] = {
	"-1",
	"+1",
	" 1",
	"1 ",
	"",
	"0x",
	"0x0x1",
	"12abc",
	"1e3",
	"1.5",
	"abc",
	"0xg",
	"--",
	"1,2",
	"99999999999999999999999999999999999999999999999999999999999999999999999999"};

static void
test_uint(void **state)
{
	unsigned int u;
	size_t i;

	setenv(VAR, "42", 1);
	assert_int_equal(d_getenv_uint(VAR, &u), 0);
	assert_int_equal(u, 42);
	setenv(VAR, "0x2A", 1);
	u = 0;
	assert_int_equal(d_getenv_uint(VAR, &u), 0);
	assert_int_equal(u, 42);
	setenv(VAR, "0Xff", 1);
	assert_int_equal(d_getenv_int(VAR, &u), 0);
	assert_int_equal(u, 255);
	/* Leading zeros are decimal, not octal. */
	setenv(VAR, "010", 1);
	assert_int_equal(d_getenv_uint(VAR, &u), 0);
	assert_int_equal(u, 10);
	setenv(VAR, "4294967295", 1);
	assert_int_equal(d_getenv_uint(VAR, &u), 0);
	assert_int_equal(u, UINT32_MAX);
	setenv(VAR, "0", 1);
	assert_int_equal(d_getenv_uint(VAR, &u), 0);
	assert_int_equal(u, 0);

	u = 5;
	setenv(VAR, "4294967296", 1);
	assert_int_equal(d_getenv_uint(VAR, &u), -DER_INVAL);
	setenv(VAR, "0x100000000", 1);
	assert_int_equal(d_getenv_uint(VAR, &u), -DER_INVAL);
	for (i = 0; i < ARRAY_SIZE(bad_numbers); i++) {
		setenv(VAR, bad_numbers[i], 1);
		assert_int_equal(d_getenv_uint(VAR, &u), -DER_INVAL);
	}
	assert_int_equal(u, 5);
}

static void
test_uint32_uint64(void **state)
{
	uint32_t u32 = 3;
	uint64_t u64 = 3;
	size_t i;

	setenv(VAR, "4294967295", 1);
	assert_int_equal(d_getenv_uint32_t(VAR, &u32), 0);
	assert_int_equal(u32, UINT32_MAX);
	setenv(VAR, "4294967296", 1);
	assert_int_equal(d_getenv_uint32_t(VAR, &u32), -DER_INVAL);
	assert_int_equal(u32, UINT32_MAX);
	assert_int_equal(d_getenv_uint64_t(VAR, &u64), 0);
	assert_true(u64 == 4294967296ULL);

	setenv(VAR, "18446744073709551615", 1);
	assert_int_equal(d_getenv_uint64_t(VAR, &u64), 0);
	assert_true(u64 == UINT64_MAX);
	setenv(VAR, "0xffffffffffffffff", 1);
	u64 = 0;
	assert_int_equal(d_getenv_uint64_t(VAR, &u64), 0);
	assert_true(u64 == UINT64_MAX);
	u64 = 3;
	setenv(VAR, "18446744073709551616", 1);
	assert_int_equal(d_getenv_uint64_t(VAR, &u64), -DER_INVAL);
	setenv(VAR, "0x10000000000000000", 1);
	assert_int_equal(d_getenv_uint64_t(VAR, &u64), -DER_INVAL);
	for (i = 0; i < ARRAY_SIZE(bad_numbers); i++) {
		setenv(VAR, bad_numbers[i], 1);
		assert_int_equal(d_getenv_uint64_t(VAR, &u64), -DER_INVAL);
		assert_int_equal(d_getenv_uint32_t(VAR, &u32), -DER_INVAL);
	}
	assert_true(u64 == 3);
	assert_int_equal(u32, UINT32_MAX);
}

static void
test_set_unset(void **state)
{
	static char put[] = VAR "=put";
	char buf[16];

	assert_int_equal(d_setenv(VAR, "one", 1), 0);
	assert_int_equal(d_setenv(VAR, "two", 0), 0);
	assert_int_equal(d_getenv_str(buf, sizeof(buf), VAR), 0);
	assert_string_equal(buf, "one");
	assert_int_equal(d_setenv(VAR, "two", 1), 0);
	assert_int_equal(d_getenv_str(buf, sizeof(buf), VAR), 0);
	assert_string_equal(buf, "two");
	assert_int_equal(d_unsetenv(VAR), 0);
	assert_false(d_isenv_def(VAR));
	assert_int_equal(d_unsetenv(VAR), 0);

	assert_int_equal(d_setenv(NULL, "x", 1), -DER_INVAL);
	assert_int_equal(d_setenv(VAR, NULL, 1), -DER_INVAL);
	assert_int_equal(d_setenv("BAD=NAME", "x", 1), -DER_INVAL);
	assert_int_equal(d_setenv("", "x", 1), -DER_INVAL);
	assert_int_equal(d_unsetenv(NULL), -DER_INVAL);
	assert_int_equal(d_unsetenv("BAD=NAME"), -DER_INVAL);

	assert_int_equal(d_putenv(put), 0);
	assert_int_equal(d_getenv_str(buf, sizeof(buf), VAR), 0);
	assert_string_equal(buf, "put");
	assert_int_equal(d_unsetenv(VAR), 0);
	assert_int_equal(d_putenv((char *)"NOEQUALS"), -DER_INVAL);
	assert_int_equal(d_putenv(NULL), -DER_INVAL);
}

static void
test_clearenv(void **state)
{
	pid_t pid;
	int status;

	/* In a child, so the test process keeps its environment. */
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		setenv(VAR, "x", 1);
		if (d_clearenv() != 0 || d_isenv_def(VAR) || d_isenv_def("PATH"))
			_exit(1);
		_exit(0);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

#define ITERS 2000

static void *
setter(void *arg)
{
	int i;

	for (i = 0; i < ITERS; i++)
		d_setenv(VAR, i % 2 ? "0x10" : "4096000000", 1);
	return NULL;
}

static void
test_threads(void **state)
{
	pthread_t th;
	uint64_t v;
	int i;

	d_setenv(VAR, "0x10", 1);
	assert_int_equal(pthread_create(&th, NULL, setter, NULL), 0);
	for (i = 0; i < ITERS; i++) {
		assert_int_equal(d_getenv_uint64_t(VAR, &v), 0);
		assert_true(v == 16 || v == 4096000000ULL);
	}
	pthread_join(th, NULL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_unset, teardown),
		cmocka_unit_test_teardown(test_str, teardown),
		cmocka_unit_test_teardown(test_bool, teardown),
		cmocka_unit_test_teardown(test_char, teardown),
		cmocka_unit_test_teardown(test_uint, teardown),
		cmocka_unit_test_teardown(test_uint32_uint64, teardown),
		cmocka_unit_test_teardown(test_set_unset, teardown),
		cmocka_unit_test(test_clearenv),
		cmocka_unit_test_teardown(test_threads, teardown),
	};

	return cmocka_run_group_tests_name("gurt_env", tests, NULL, NULL);
}
