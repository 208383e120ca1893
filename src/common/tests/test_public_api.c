/*
 * Built the way a user program is: only <daos.h>, no internal header. Checks
 * that the public property, ACL, pool and container declarations are there
 * and usable.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdlib.h>
#include <cmocka.h>
#include <daos.h>

#define STR2(x) #x
#define STR(x)  STR2(x)

static void
test_rename_macros(void **state)
{
	/* DAOS 2.x programs call the "2" symbols through these macros. */
	assert_string_equal(STR(daos_pool_connect), "daos_pool_connect2");
	assert_string_equal(STR(daos_cont_open), "daos_cont_open2");
	assert_string_equal(STR(daos_cont_create), "daos_cont_create2");
	assert_string_equal(STR(daos_cont_destroy), "daos_cont_destroy2");
	/* prototypes exist with DAOS's shapes (checked at compile time, nothing linked) */
	_Static_assert(__builtin_types_compatible_p(__typeof__(&daos_pool_connect),
						    int (*)(const char *, const char *,
							    unsigned int, daos_handle_t *,
							    daos_pool_info_t *, daos_event_t *)),
		       "daos_pool_connect2 signature");
	_Static_assert(__builtin_types_compatible_p(__typeof__(&daos_cont_open),
						    int (*)(daos_handle_t, const char *,
							    unsigned int, daos_handle_t *,
							    daos_cont_info_t *, daos_event_t *)),
		       "daos_cont_open2 signature");
	_Static_assert(__builtin_types_compatible_p(__typeof__(&daos_pool_query),
						    int (*)(daos_handle_t, d_rank_list_t **,
							    daos_pool_info_t *, daos_prop_t *,
							    daos_event_t *)),
		       "daos_pool_query signature");
	_Static_assert(__builtin_types_compatible_p(
			       __typeof__(&daos_cont_create),
			       int (*)(daos_handle_t, uuid_t *, daos_prop_t *, daos_event_t *)),
		       "daos_cont_create2 signature");
}

static void
test_types(void **state)
{
	daos_pool_info_t info = {0};
	daos_target_info_t ti = {0};

	info.pi_bits = DPI_SPACE | DPI_REBUILD_STATUS;
	info.pi_space.ps_space.s_total[DAOS_MEDIA_SCM] = 1;
	info.pi_space.ps_space.s_free[DAOS_MEDIA_NVME] = 2;
	info.pi_space.ps_free_min[DAOS_MEDIA_NVME] = 3;
	info.pi_rebuild_st.rs_state = DRS_COMPLETED;
	ti.ta_state = DAOS_TS_UP_IN;
	assert_int_equal(info.pi_rebuild_st.rs_done, DRS_COMPLETED);
	assert_int_equal(DAOS_MEDIA_MAX, 2);
	assert_int_equal(DAOS_COO_RO | DAOS_COO_RW | DAOS_COO_EX, DAOS_COO_IO_BASE_MASK);
	assert_true((DAOS_COO_EVICT_ALL & DAOS_COO_MASK) != 0);
	assert_int_equal(DAOS_SNAP_OPT_CR, 1);
	assert_int_equal(sizeof(((struct daos_pool_cont_info *)0)->pci_label),
			 DAOS_PROP_LABEL_MAX_LEN + 1);
	(void)ti;
}

static void
test_prop_and_acl(void **state)
{
	const char *aces[] = {"A::OWNER@:rwdtTaAo", "A:G:GROUP@:rwtT"};
	struct daos_acl *acl = NULL;
	struct daos_prop_entry *e;
	daos_prop_t *prop;
	char **strs;
	size_t nr;
	size_t i;

	prop = daos_prop_alloc(3);
	assert_non_null(prop);
	prop->dpp_entries[0].dpe_type = DAOS_PROP_CO_LAYOUT_TYPE;
	prop->dpp_entries[0].dpe_val = DAOS_PROP_CO_LAYOUT_POSIX;
	prop->dpp_entries[1].dpe_type = DAOS_PROP_CO_LABEL;
	assert_int_equal(daos_prop_set_str(prop, DAOS_PROP_CO_LABEL, "mycont", 6), 0);
	prop->dpp_entries[2].dpe_type = DAOS_PROP_CO_ACL;
	assert_int_equal(daos_acl_from_strs(aces, 2, &acl), 0);
	assert_int_equal(daos_prop_set_ptr(prop, DAOS_PROP_CO_ACL, acl, daos_acl_get_size(acl)), 0);
	daos_acl_free(acl);

	e = daos_prop_entry_get(prop, DAOS_PROP_CO_ACL);
	assert_non_null(e);
	assert_int_equal(daos_acl_to_strs(e->dpe_val_ptr, &strs, &nr), 0);
	assert_int_equal(nr, 2);
	assert_string_equal(strs[0], aces[0]);
	assert_string_equal(strs[1], aces[1]);
	for (i = 0; i < nr; i++)
		free(strs[i]);
	free(strs);
	assert_true(daos_prop_is_set(e));
	assert_true(daos_label_is_valid("mycont"));
	daos_prop_free(prop);

	assert_int_equal(daos_prop_from_str("rd_fac:1;label:c1", 17, &prop), 0);
	assert_int_equal(prop->dpp_nr, 2);
	daos_prop_free(prop);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rename_macros),
		cmocka_unit_test(test_types),
		cmocka_unit_test(test_prop_and_acl),
	};

	return cmocka_run_group_tests_name("common_public_api", tests, NULL, NULL);
}
