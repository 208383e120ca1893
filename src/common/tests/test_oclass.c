/* Object class names and IDs (values checked against DAOS 2.x daos_obj_class.h). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <daos_errno.h>
#include <daos_obj_class.h>

static void
test_name2id(void **state)
{
	assert_int_equal(daos_oclass_name2id("S1"), 0x01000001);
	assert_int_equal(daos_oclass_name2id("SX"), 0x0100FFFF);
	assert_int_equal(daos_oclass_name2id("S32"), OC_S32);
	assert_int_equal(daos_oclass_name2id("RP_2G1"), 0x08000001);
	assert_int_equal(daos_oclass_name2id("RP_3G1"), 0x09000001);
	assert_int_equal(daos_oclass_name2id("RP_3GX"), 0x0900FFFF);
	assert_int_equal(daos_oclass_name2id("RP_6G32"), OBJ_CLASS_DEF(OR_RP_6, 32));
	assert_int_equal(daos_oclass_name2id("RP_12G1"), OC_RP_12G1);
	assert_int_equal(daos_oclass_name2id("RP_128G1"), OC_RP_128G1);
	assert_int_equal(daos_oclass_name2id("EC_2P1G1"), 0x20000001);
	assert_int_equal(daos_oclass_name2id("EC_16P2GX"), OBJ_CLASS_DEF(OR_RS_16P2, 0xFFFF));
	assert_int_equal(daos_oclass_name2id("EC_4P3G2"), OBJ_CLASS_DEF(OR_RS_4P3, 2));
	assert_int_equal(daos_oclass_name2id("RP_XSF"), OC_RP_XSF);
	assert_int_equal(daos_oclass_name2id("TINY"), 51);
	assert_int_equal(daos_oclass_name2id("EC_TINY"), 100);
	/* friendlier than upstream: any case, OC_ prefix */
	assert_int_equal(daos_oclass_name2id("rp_3gx"), OC_RP_3GX);
	assert_int_equal(daos_oclass_name2id("OC_SX"), OC_SX);

	assert_int_equal(daos_oclass_name2id(NULL), OC_UNKNOWN);
	assert_int_equal(daos_oclass_name2id(""), OC_UNKNOWN);
	assert_int_equal(daos_oclass_name2id("S3"), OC_UNKNOWN);
	assert_int_equal(daos_oclass_name2id("RP_9G1"), OC_UNKNOWN);
	assert_int_equal(daos_oclass_name2id("RP_12G2"), OC_UNKNOWN);
	assert_int_equal(daos_oclass_name2id("RP_3G"), OC_UNKNOWN);
	assert_int_equal(daos_oclass_name2id("RP_3G1x"), OC_UNKNOWN);
	assert_int_equal(daos_oclass_name2id("EC_3P1G1"), OC_UNKNOWN);
	assert_int_equal(daos_oclass_name2id("S-1"), OC_UNKNOWN);
	assert_int_equal(daos_oclass_name2id("S99999999999999999999"), OC_UNKNOWN);
}

static void
test_id2name(void **state)
{
	char name[MAX_OBJ_CLASS_NAME_LEN];

	assert_int_equal(daos_oclass_id2name(OC_RP_3GX, name), 0);
	assert_string_equal(name, "RP_3GX");
	assert_int_equal(daos_oclass_id2name(OC_S1, name), 0);
	assert_string_equal(name, "S1");
	assert_int_equal(daos_oclass_id2name(OC_EC_2P1G1, name), 0);
	assert_string_equal(name, "EC_2P1G1");
	assert_int_equal(daos_oclass_id2name(OC_RP_XSF, name), 0);
	assert_string_equal(name, "RP_XSF");
	/* a computed group count prints as a number */
	assert_int_equal(daos_oclass_id2name(OBJ_CLASS_DEF(OR_RP_2, 17), name), 0);
	assert_string_equal(name, "RP_2G17");
	assert_int_equal(daos_oclass_id2name(0, name), -1);
	assert_string_equal(name, "UNKNOWN");
	assert_int_equal(daos_oclass_id2name(OBJ_CLASS_DEF(77, 1), name), -1);
	assert_int_equal(daos_oclass_id2name(OC_S1, NULL), -1);
}

static void
test_roundtrip_and_list(void **state)
{
	char name[MAX_OBJ_CLASS_NAME_LEN];
	char *list, *tok, *save = NULL;
	ssize_t len;
	int n = 0;

	len = daos_oclass_names_list(0, NULL);
	assert_true(len > 100);
	list = calloc(1, len + 1);
	assert_non_null(list);
	assert_int_equal(daos_oclass_names_list(len + 1, list), len);
	assert_int_equal(strlen(list), len);
	for (tok = strtok_r(list, ", ", &save); tok != NULL; tok = strtok_r(NULL, ", ", &save)) {
		int id = daos_oclass_name2id(tok);

		assert_int_not_equal(id, OC_UNKNOWN);
		assert_int_equal(daos_oclass_id2name(id, name), 0);
		assert_string_equal(name, tok);
		n++;
	}
	assert_int_equal(n, daos_oclass_nr(0));
	free(list);
	/* a short buffer is not overrun */
	name[5] = 'Z';
	assert_int_equal(daos_oclass_names_list(5, name), len);
	assert_int_equal(name[5], 'Z');
	assert_int_equal(daos_oclass_names_list(5, NULL), -DER_INVAL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_name2id),
	    cmocka_unit_test(test_id2name),
	    cmocka_unit_test(test_roundtrip_and_list),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
