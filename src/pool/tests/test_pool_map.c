/* Unit tests of the pool protocol helpers: map encoding (and hostile input), attribute buffers. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <gurt/common.h>
#include "../rpc.h"

static void
make_map(struct pool_map *map, uint32_t nranks, uint32_t ntgts)
{
	uint32_t i, j;

	map->pm_version = 7;
	map->pm_nranks = nranks;
	D_ALLOC_ARRAY(map->pm_ranks, nranks);
	assert_non_null(map->pm_ranks);
	for (i = 0; i < nranks; i++) {
		map->pm_ranks[i].pmr_rank = i * 2;
		map->pm_ranks[i].pmr_ntgts = ntgts;
		D_ALLOC_ARRAY(map->pm_ranks[i].pmr_states, ntgts);
		assert_non_null(map->pm_ranks[i].pmr_states);
		for (j = 0; j < ntgts; j++)
			map->pm_ranks[i].pmr_states[j] = DAOS_TS_UP_IN;
	}
}

static void
free_map(struct pool_map *map)
{
	uint32_t i;

	for (i = 0; i < map->pm_nranks; i++)
		D_FREE(map->pm_ranks[i].pmr_states);
	D_FREE(map->pm_ranks);
}

static void
test_roundtrip(void **state)
{
	struct pool_map map, *out = NULL;
	void *buf = NULL;
	size_t len = 0;

	make_map(&map, 3, 2);
	map.pm_ranks[1].pmr_states[1] = DAOS_TS_DOWN;
	assert_int_equal(pool_map_encode(&map, &buf, &len), 0);
	assert_int_equal(len, (2 + 3 * 4) * sizeof(uint32_t));
	assert_int_equal(pool_map_decode(buf, len, &out), 0);
	assert_int_equal(out->pm_version, 7);
	assert_int_equal(out->pm_nranks, 3);
	assert_int_equal(out->pm_ranks[2].pmr_rank, 4);
	assert_int_equal(pool_map_ntargets(out), 6);
	assert_int_equal(pool_map_ndisabled(out), 1);
	assert_string_equal(pool_tgt_state_str(out->pm_ranks[1].pmr_states[1]), "DOWN");
	assert_string_equal(pool_tgt_state_str(out->pm_ranks[0].pmr_states[0]), "UPIN");
	pool_map_free(out);
	D_FREE(buf);
	free_map(&map);
}

static void
test_hostile(void **state)
{
	struct pool_map map, *out = NULL;
	uint32_t *buf = NULL, bad[4] = {1, 1000000, 0, 0};
	size_t len = 0, cut;

	assert_int_equal(pool_map_decode(NULL, 8, &out), -DER_INVAL);
	assert_int_equal(pool_map_decode(bad, 3, &out), -DER_INVAL);
	assert_int_equal(pool_map_decode(bad, sizeof(bad), &out), -DER_INVAL);
	bad[1] = 1;
	bad[3] = 0xffffffff; /* a rank claiming 4 G targets */
	assert_int_equal(pool_map_decode(bad, sizeof(bad), &out), -DER_INVAL);
	make_map(&map, 2, 3);
	assert_int_equal(pool_map_encode(&map, (void **)&buf, &len), 0);
	/* every truncation and every trailing word is refused */
	for (cut = 0; cut < len; cut += sizeof(uint32_t))
		assert_int_equal(pool_map_decode(buf, cut, &out), -DER_INVAL);
	buf[1] = 1; /* fewer ranks than the words hold */
	assert_int_equal(pool_map_decode(buf, len, &out), -DER_INVAL);
	D_FREE(buf);
	free_map(&map);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_roundtrip),
		cmocka_unit_test(test_hostile),

	};

	return cmocka_run_group_tests_name("pool_map", tests, NULL, NULL);
}
