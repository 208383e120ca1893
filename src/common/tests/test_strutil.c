/* Sizes as dmg/daos parse and print them, and UUID-or-label identifiers (daos/strutil.h). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <daos/common.h>
#include <daos/strutil.h>
#include <daos.h>

static void
test_str2size(void **state)
{
	static const struct {
		const char *str;
		uint64_t size;
	} good[] = {
		{"0", 0},
		{"4096", 4096},
		{"4g", 4000000000ULL},
		{"4G", 4000000000ULL},
		{"10G", 10000000000ULL},
		{"50GB", 50000000000ULL},
		{"512M", 512000000ULL},
		{"1T", 1000000000000ULL},
		{"1MiB", 1048576ULL},
		{"1mib", 1048576ULL},
		{"64KiB", 65536ULL},
		{"4Ki", 4096ULL},
		{"1k", 1000ULL},
		{"1kb", 1000ULL},
		{"2 GiB", 2147483648ULL},
		{" 3 b ", 3},
		{"1.5G", 1500000000ULL},
		{"0.5KiB", 512},
		{"1,000", 1000},
		{"16EiB", 0},
	};
	static const char *bad[] = {"",    "G",     "abc",  "-1", "4x",          "4 g b",
				    "10%", "4gibb", "1..2", ".",  "4 GiB extra", NULL};
	uint64_t size;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(good) - 1; i++) {
		size = 12345;
		assert_int_equal(daos_str2size(good[i].str, &size), 0);
		assert_true(size == good[i].size);
	}
	/* 16 EiB is one past UINT64_MAX */
	assert_int_equal(daos_str2size("16EiB", &size), -DER_OVERFLOW);
	assert_int_equal(daos_str2size("15EiB", &size), 0);
	assert_true(size == 15ULL << 60);
	for (i = 0; i < ARRAY_SIZE(bad); i++)
		assert_int_equal(daos_str2size(bad[i], &size), -DER_INVAL);
	assert_int_equal(daos_str2size("1", NULL), -DER_INVAL);
	{
		char long_num[100];

		memset(long_num, '1', sizeof(long_num) - 1);
		long_num[sizeof(long_num) - 1] = '\0';
		assert_int_equal(daos_str2size(long_num, &size), -DER_INVAL);
	}
}

static void
test_size_or_pct(void **state)
{
	uint64_t size = 1;
	uint32_t pct = 1;

	assert_int_equal(daos_str2size_or_pct("10G", &size, &pct), 0);
	assert_true(size == 10000000000ULL);
	assert_int_equal(pct, 0);
	assert_int_equal(daos_str2size_or_pct("100%", &size, &pct), 0);
	assert_int_equal(pct, 100);
	assert_true(size == 0);
	assert_int_equal(daos_str2size_or_pct(" 50 % ", &size, &pct), 0);
	assert_int_equal(pct, 50);
	assert_int_equal(daos_str2size_or_pct("0%", &size, &pct), -DER_INVAL);
	assert_int_equal(daos_str2size_or_pct("101%", &size, &pct), -DER_INVAL);
	assert_int_equal(daos_str2size_or_pct("5.5%", &size, &pct), -DER_INVAL);
	assert_int_equal(daos_str2size_or_pct("%", &size, &pct), -DER_INVAL);
	assert_int_equal(daos_str2size_or_pct("-5%", &size, &pct), -DER_INVAL);
	assert_int_equal(daos_str2size_or_pct("1x", &size, &pct), -DER_INVAL);
}

static void
test_size2str(void **state)
{
	static const struct {
		uint64_t size;
		bool binary;
		const char *str;
	} cases[] = {
		{0, false, "0 B"},
		{9, true, "9 B"},
		{512, false, "512 B"},
		{1000, false, "1.0 kB"},
		{4000000000ULL, false, "4.0 GB"},
		{10000000000ULL, false, "10 GB"},
		{6400000000ULL, false, "6.4 GB"},
		{398000000ULL, false, "398 MB"},
		{1048576, true, "1.0 MiB"},
		{32768, true, "32 KiB"},
		{4096, true, "4.0 KiB"},
		{65536, true, "64 KiB"},
		{4294967296ULL, true, "4.0 GiB"},
		{1023, true, "1023 B"},
		{UINT64_MAX, true, "16 EiB"},
		{UINT64_MAX, false, "18 EB"},
	};
	char buf[DAOS_SIZE_STR_MAX];
	char tiny[4];
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		assert_int_equal(daos_size2str(cases[i].size, cases[i].binary, buf, sizeof(buf)),
				 0);
		assert_string_equal(buf, cases[i].str);
	}
	assert_int_equal(daos_size2str(4096, true, tiny, sizeof(tiny)), -DER_TRUNC);
	assert_int_equal(daos_size2str(1, true, NULL, 10), -DER_INVAL);
}

static void
test_parse_id(void **state)
{
	uuid_t u;
	uuid_t expect;

	assert_int_equal(daos_parse_id("0b5fbb6c-3b7e-4c3f-9d4e-9a3c1f0e2d11", u), DAOS_ID_UUID);
	uuid_parse("0b5fbb6c-3b7e-4c3f-9d4e-9a3c1f0e2d11", expect);
	assert_int_equal(uuid_compare(u, expect), 0);
	assert_true(daos_uuid_valid(u));
	assert_int_equal(daos_parse_id("sxb", u), DAOS_ID_LABEL);
	assert_false(daos_uuid_valid(u));
	assert_int_equal(daos_parse_id("bad label", u), -DER_INVAL);
	assert_int_equal(daos_parse_id("", u), -DER_INVAL);
	assert_int_equal(daos_parse_id(NULL, u), -DER_INVAL);
}

static void
test_rank_list_parse(void **state)
{
	d_rank_list_t *ranks;

	ranks = daos_rank_list_parse("1:2:5", ":");
	assert_non_null(ranks);
	assert_int_equal(ranks->rl_nr, 3);
	assert_int_equal(ranks->rl_ranks[2], 5);
	d_rank_list_free(ranks);
	assert_null(daos_rank_list_parse("1:x", ":"));
	assert_null(daos_rank_list_parse(NULL, ":"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_str2size),    cmocka_unit_test(test_size2str),
		cmocka_unit_test(test_parse_id),    cmocka_unit_test(test_rank_list_parse),
		cmocka_unit_test(test_size_or_pct),
	};

	return cmocka_run_group_tests_name("common_strutil", tests, NULL, NULL);
}
