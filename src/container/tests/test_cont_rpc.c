/*
 * Unit tests of the container protocol's pure pieces: open flags, the
 * capabilities ACL permissions grant, settable property types, attribute
 * buffers and the wire encoding of a request (pack, then unpack).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <gurt/common.h>
#include <daos_security.h>
#include "../rpc.h"

static void
test_open_flags(void **state)
{
	assert_true(cont_open_flags_valid(DAOS_COO_RO));
	assert_true(cont_open_flags_valid(DAOS_COO_RW));
	assert_true(cont_open_flags_valid(DAOS_COO_EX));
	assert_true(cont_open_flags_valid(DAOS_COO_RO | DAOS_COO_RO_MDSTATS));
	assert_true(cont_open_flags_valid(DAOS_COO_EX | DAOS_COO_EVICT_ALL));
	assert_true(cont_open_flags_valid(DAOS_COO_RW | DAOS_COO_EVICT));
	assert_false(cont_open_flags_valid(0));
	assert_false(cont_open_flags_valid(DAOS_COO_RO | DAOS_COO_RW));
	assert_false(cont_open_flags_valid(DAOS_COO_RW | DAOS_COO_EX));
	assert_false(cont_open_flags_valid(DAOS_COO_RW | DAOS_COO_EVICT_ALL));
	assert_false(cont_open_flags_valid(DAOS_COO_EX | DAOS_COO_EVICT | DAOS_COO_EVICT_ALL));
	assert_false(cont_open_flags_valid(DAOS_COO_RO | (1U << DAOS_COO_NBITS)));
	assert_false(cont_open_flags_valid(1ULL << 40 | DAOS_COO_RO));
}

static void
test_capas(void **state)
{
	uint64_t rw = DAOS_ACL_PERM_READ | DAOS_ACL_PERM_WRITE;
	uint64_t c;

	/* the default owner entry (all container permissions) */
	c = cont_capas(DAOS_ACL_PERM_CONT_ALL, true, DAOS_COO_RW);
	assert_true(c & CONT_CAPA_READ_DATA);
	assert_true(c & CONT_CAPA_WRITE_DATA);
	assert_true(c & CONT_CAPA_SET_OWNER);
	assert_true(c & CONT_CAPA_DELETE);
	assert_false(c & CONT_CAPA_OPEN_EX);
	assert_true(cont_capas(DAOS_ACL_PERM_CONT_ALL, true, DAOS_COO_EX) & CONT_CAPA_OPEN_EX);
	/* a read-only open keeps only the read capabilities */
	c = cont_capas(DAOS_ACL_PERM_CONT_ALL, true, DAOS_COO_RO);
	assert_int_equal(c & ~CONT_CAPAS_RO_MASK, 0);
	assert_true(c & CONT_CAPA_GET_ACL);
	/* read-write without any write permission: nothing */
	assert_int_equal(cont_capas(DAOS_ACL_PERM_READ, false, DAOS_COO_RW), 0);
	assert_int_equal(cont_capas(DAOS_ACL_PERM_WRITE, false, DAOS_COO_RW), 0);
	assert_int_equal(cont_capas(0, false, DAOS_COO_RO), 0);
	assert_int_equal(cont_capas(rw, false, DAOS_COO_RW),
			 CONT_CAPA_READ_DATA | CONT_CAPA_WRITE_DATA);
	/* only the owner may open exclusively */
	assert_false(cont_capas(DAOS_ACL_PERM_CONT_ALL, false, DAOS_COO_EX) & CONT_CAPA_OPEN_EX);
	/* an owner without ACL entries may still fix the ACL */
	c = cont_capas(0, true, DAOS_COO_RO);
	assert_true(c & CONT_CAPA_GET_ACL);
	assert_false(c & CONT_CAPA_READ_DATA);
	assert_true(cont_capas(0, true, DAOS_COO_RW) & CONT_CAPA_SET_ACL);
	assert_false(cont_capas(rw, false, DAOS_COO_RW | DAOS_COO_EVICT) & CONT_CAPA_EVICT_ALL);
}

static void
test_settable(void **state)
{
	assert_true(cont_prop_type_settable(DAOS_PROP_CO_LABEL, true));
	assert_true(cont_prop_type_settable(DAOS_PROP_CO_LABEL, false));
	assert_true(cont_prop_type_settable(DAOS_PROP_CO_ACL, true));
	assert_true(cont_prop_type_settable(DAOS_PROP_CO_ALLOCED_OID, true));
	assert_false(cont_prop_type_settable(DAOS_PROP_CO_ALLOCED_OID, false));
	assert_false(cont_prop_type_settable(DAOS_PROP_CO_GLOBAL_VERSION, true));
	assert_false(cont_prop_type_settable(DAOS_PROP_CO_OBJ_VERSION, false));
	assert_false(cont_prop_type_settable(DAOS_PROP_PO_LABEL, true));
	assert_false(cont_prop_type_settable(DAOS_PROP_CO_MIN, true));
	assert_false(cont_prop_type_settable(DAOS_PROP_CO_MAX, true));
}

static void
test_proto(void **state)
{
	/* every opcode has a request format, in the order of the opcodes */
	assert_int_equal(cont_proto_fmt.cpf_count, CONT_PROTO_COUNT);
	assert_int_equal(CONT_PROTO_COUNT, 10);
	assert_int_equal(opc_get_mod_id(CONT_CREATE), DAOS_CONT_MODULE);
	assert_int_equal(opc_get(CONT_LIST) - opc_get(CONT_CREATE), CONT_LIST_IDX);
	assert_ptr_equal(cont_proto_fmt.cpf_prf[CONT_SNAP_IDX].prf_req_fmt, &CQF_cont_snap);
	assert_int_equal(sizeof(struct cont_snap_rec), 8 + DAOS_SNAPSHOT_MAX_LEN);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_open_flags),
		cmocka_unit_test(test_capas),
		cmocka_unit_test(test_settable),
		cmocka_unit_test(test_proto),
	};

	return cmocka_run_group_tests_name("cont_rpc", tests, NULL, NULL);
}
