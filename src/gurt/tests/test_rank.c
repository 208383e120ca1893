/**
 * Rank list, range list and rank string tests.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <gurt/common.h>

static d_rank_list_t *
mk(uint32_t n, const d_rank_t *ranks)
{
	d_rank_list_t *rl = d_rank_list_alloc(n);

	assert_non_null(rl);
	if (n > 0)
		memcpy(rl->rl_ranks, ranks, n * sizeof(*ranks));
	return rl;
}

static void
assert_ranks(d_rank_list_t *rl, uint32_t n, const d_rank_t *ranks)
{
	assert_non_null(rl);
	assert_int_equal(rl->rl_nr, n);
	if (n > 0)
		assert_memory_equal(rl->rl_ranks, ranks, n * sizeof(*ranks));
}

static void
test_alloc_append_del(void **state)
{
	d_rank_list_t *rl = d_rank_list_alloc(3);
	d_rank_t e1[] = {0, 1, 2, 9};
	d_rank_t e2[] = {0, 2, 9};
	uint32_t idx;
	int i;

	assert_ranks(rl, 3, e1);
	assert_int_equal(d_rank_list_append(rl, 9), 0);
	assert_ranks(rl, 4, e1);
	assert_int_equal(d_rank_list_del(rl, 1), 0);
	assert_ranks(rl, 3, e2);
	assert_int_equal(d_rank_list_del(rl, 77), 0); /* absent: no change */
	assert_ranks(rl, 3, e2);
	assert_true(d_rank_in_rank_list(rl, 9));
	assert_false(d_rank_in_rank_list(rl, 1));
	assert_true(d_rank_list_find(rl, 9, &i));
	assert_int_equal(i, 2);
	assert_int_equal(d_idx_in_rank_list(rl, 2, &idx), 0);
	assert_int_equal(idx, 1);
	assert_int_equal(d_idx_in_rank_list(rl, 5, &idx), -DER_NONEXIST);
	assert_int_equal(d_idx_in_rank_list(NULL, 5, &idx), -DER_INVAL);
	assert_true(d_rank_list_bsearch(rl, 9, &i));
	assert_int_equal(i, 2);
	assert_false(d_rank_list_bsearch(rl, 3, &i));
	d_rank_list_del_at(rl, 0);
	d_rank_list_del_at(rl, 7); /* out of range: ignored */
	assert_ranks(rl, 2, e2 + 1);
	d_rank_list_del_at(rl, 0);
	d_rank_list_del_at(rl, 0);
	assert_int_equal(rl->rl_nr, 0);
	assert_int_equal(d_rank_list_append(rl, 4), 0);
	assert_int_equal(rl->rl_ranks[0], 4);
	assert_int_equal(d_rank_list_resize(rl, 3), 0);
	assert_int_equal(rl->rl_ranks[2], 0);
	assert_int_equal(d_rank_list_resize(rl, 0), 0);
	assert_null(rl->rl_ranks);
	d_rank_list_free(rl);
	d_rank_list_free(NULL);
	assert_int_equal(d_rank_list_append(NULL, 1), -DER_INVAL);

	rl = d_rank_list_alloc(0);
	assert_non_null(rl);
	assert_int_equal(rl->rl_nr, 0);
	assert_false(d_rank_list_find(rl, 0, NULL));
	d_rank_list_free(rl);
}

static void
test_copy_dup_sort_uniq(void **state)
{
	d_rank_t in[] = {5, 3, 5, 1, 3, 9};
	d_rank_t out[] = {1, 3, 5, 9};
	d_rank_list_t *src = mk(6, in);
	d_rank_list_t *dst = NULL;
	d_rank_list_t *cp = d_rank_list_alloc(1);

	assert_int_equal(d_rank_list_dup(&dst, src), 0);
	assert_ranks(dst, 6, in);
	assert_ptr_not_equal(dst->rl_ranks, src->rl_ranks);
	d_rank_list_free(dst);

	assert_int_equal(d_rank_list_dup_sort_uniq(&dst, src), 0);
	assert_ranks(dst, 4, out);
	assert_ranks(src, 6, in); /* source untouched */
	d_rank_list_free(dst);

	assert_int_equal(d_rank_list_copy(cp, src), 0);
	assert_ranks(cp, 6, in);
	d_rank_list_sort(cp);
	assert_int_equal(cp->rl_ranks[0], 1);
	assert_int_equal(cp->rl_ranks[5], 9);
	assert_int_equal(d_rank_list_copy(NULL, src), -DER_INVAL);

	assert_int_equal(d_rank_list_dup(&dst, NULL), 0);
	assert_null(dst);
	assert_int_equal(d_rank_list_dup(NULL, src), -DER_INVAL);
	d_rank_list_free(cp);
	d_rank_list_free(src);
}

static void
test_filter_merge_identical(void **state)
{
	d_rank_t a[] = {1, 2, 3, 4, 5};
	d_rank_t b[] = {2, 4, 6};
	d_rank_t inc[] = {2, 4};
	d_rank_t exc[] = {1, 3, 5};
	d_rank_t mrg[] = {1, 2, 3, 4, 5, 6};
	d_rank_t p[] = {3, 1, 2};
	d_rank_t q[] = {1, 2, 3};
	d_rank_t r[] = {1, 2, 2};
	d_rank_list_t *la = mk(5, a);
	d_rank_list_t *lb = mk(3, b);
	d_rank_list_t *lp = mk(3, p);
	d_rank_list_t *lq = mk(3, q);
	d_rank_list_t *lr = mk(3, r);

	d_rank_list_filter(lb, la, false);
	assert_ranks(la, 2, inc);
	d_rank_list_free(la);
	la = mk(5, a);
	d_rank_list_filter(lb, la, true);
	assert_ranks(la, 3, exc);
	d_rank_list_free(la);

	la = mk(5, a);
	assert_int_equal(d_rank_list_merge(la, lb), 0);
	assert_ranks(la, 6, mrg);
	assert_int_equal(d_rank_list_merge(la, lb), 0); /* nothing new */
	assert_ranks(la, 6, mrg);
	assert_int_equal(d_rank_list_merge(la, NULL), 0);
	assert_int_equal(d_rank_list_merge(NULL, lb), -DER_INVAL);

	assert_true(d_rank_list_identical(lp, lq));
	assert_ranks(lp, 3, p); /* not reordered */
	assert_false(d_rank_list_identical(lq, lr));
	assert_false(d_rank_list_identical(lq, lb));
	assert_false(d_rank_list_identical(lq, NULL));
	assert_true(d_rank_list_identical(NULL, NULL));

	d_rank_list_shuffle(la);
	assert_int_equal(la->rl_nr, 6);
	d_rank_list_sort(la);
	assert_ranks(la, 6, mrg);

	d_rank_list_free(la);
	d_rank_list_free(lb);
	d_rank_list_free(lp);
	d_rank_list_free(lq);
	d_rank_list_free(lr);
}

static void
check_round_trip(const char *in, const char *expect_str, uint32_t n, const d_rank_t *ranks)
{
	d_rank_list_t *rl = NULL;
	char *str = NULL;

	assert_int_equal(d_rank_list_parse(in, NULL, &rl), 0);
	assert_ranks(rl, n, ranks);
	assert_int_equal(d_rank_list_to_str(rl, &str), 0);
	assert_string_equal(str, expect_str);
	d_rank_list_free(rl);
	D_FREE(str);
}

static void
test_parse_to_str(void **state)
{
	d_rank_t r1[] = {0, 1, 2, 3, 7};
	d_rank_t r2[] = {7, 0, 1, 2, 3, 3};
	d_rank_t r3[] = {5};
	d_rank_t r4[] = {1, 2, 3};
	d_rank_list_t *rl = NULL;
	char *str = NULL;

	check_round_trip("0-3,7", "[0-3,7]", 5, r1);
	check_round_trip("[0-3,7]", "[0-3,7]", 5, r1);
	check_round_trip(" 7, 0 - 3 ,3 ", "[0-3,7]", 6, r2);
	check_round_trip("5", "[5]", 1, r3);
	check_round_trip("5-5", "[5]", 1, r3);
	check_round_trip("", "[]", 0, NULL);
	check_round_trip("[]", "[]", 0, NULL);

	/* Extra separators, as daos_rank_list_parse("1:2:3", ":") uses. */
	assert_int_equal(d_rank_list_parse("1:2:3", ":", &rl), 0);
	assert_ranks(rl, 3, r4);
	d_rank_list_free(rl);

	/* The text of an empty or NULL list. */
	assert_int_equal(d_rank_list_to_str(NULL, &str), 0);
	assert_string_equal(str, "[]");
	D_FREE(str);
	assert_int_equal(d_rank_list_to_str(NULL, NULL), -DER_INVAL);
}

static void
test_parse_bad(void **state)
{
	const char *bad[] = {
		"a",     "1,",      ",1",         "1,,2",        "3-1",       "1-",
		"-1",    "[1",      "1]",         "1 2",         "1;2",       "0x10",
		"1-2-3", "[1,[2]]", "4294967295", "99999999999", "0-4000000", "1:2",
	};
	d_rank_list_t *rl = (void *)0x1;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		rl = (void *)0x1;
		assert_int_equal(d_rank_list_parse(bad[i], NULL, &rl), -DER_INVAL);
		assert_null(rl);
	}
	assert_int_equal(d_rank_list_parse(NULL, NULL, &rl), -DER_INVAL);
	assert_int_equal(d_rank_list_parse("1", NULL, NULL), -DER_INVAL);
}

static void
test_range_list(void **state)
{
	d_rank_t in[] = {9, 1, 2, 3, 3, 5, 10, 11, 4294967294u};
	d_rank_list_t *rl = mk(ARRAY_SIZE(in), in);
	d_rank_range_list_t *rrl;
	char *str = NULL;

	rrl = d_rank_range_list_create_from_ranks(rl);
	assert_non_null(rrl);
	assert_int_equal(rrl->rrl_nr, 4);
	assert_int_equal(rrl->rrl_ranges[0].lo, 1);
	assert_int_equal(rrl->rrl_ranges[0].hi, 3);
	assert_int_equal(rrl->rrl_ranges[1].lo, 5);
	assert_int_equal(rrl->rrl_ranges[1].hi, 5);
	assert_int_equal(rrl->rrl_ranges[2].lo, 9);
	assert_int_equal(rrl->rrl_ranges[2].hi, 11);
	assert_int_equal(d_rank_range_list_str(rrl, &str), 0);
	assert_string_equal(str, "[1-3,5,9-11,4294967294]");
	D_FREE(str);
	assert_int_equal(rl->rl_ranks[0], 9); /* input not reordered */

	rrl = d_rank_range_list_realloc(rrl, 6);
	assert_non_null(rrl);
	assert_int_equal(rrl->rrl_nr, 6);
	assert_int_equal(rrl->rrl_ranges[5].lo, 0);
	assert_null(d_rank_range_list_realloc(rrl, 0)); /* frees */
	d_rank_list_free(rl);

	rrl = d_rank_range_list_create_from_ranks(NULL);
	assert_non_null(rrl);
	assert_int_equal(rrl->rrl_nr, 0);
	d_rank_range_list_free(rrl);
}

static void
test_uint32_array(void **state)
{
	uint32_t ints[] = {4, 8, 15};
	uint32_t *out = NULL;
	size_t len = 0;
	d_rank_list_t *rl = uint32_array_to_rank_list(ints, 3);

	assert_ranks(rl, 3, ints);
	assert_int_equal(rank_list_to_uint32_array(rl, &out, &len), 0);
	assert_int_equal(len, 3);
	assert_memory_equal(out, ints, sizeof(ints));
	assert_int_equal(d_rank_list_dump(rl, "test", 4), 0);
	assert_int_equal(d_rank_list_dump(rl, "toolong", 4), -DER_INVAL);
	D_FREE(out);
	d_rank_list_free(rl);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_alloc_append_del),
		cmocka_unit_test(test_copy_dup_sort_uniq),
		cmocka_unit_test(test_filter_merge_identical),
		cmocka_unit_test(test_parse_to_str),
		cmocka_unit_test(test_parse_bad),
		cmocka_unit_test(test_range_list),
		cmocka_unit_test(test_uint32_array),
	};

	return cmocka_run_group_tests_name("gurt_rank", tests, NULL, NULL);
}
