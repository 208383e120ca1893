/* Property lists (daos_prop.h) and their validation, copies and parsing (daos/prop.h). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <daos/common.h>
#include <daos/prop.h>
#include <daos.h>

static struct daos_acl *
make_acl(const char *s1, const char *s2)
{
	const char *strs[] = {s1, s2};
	struct daos_acl *acl = NULL;

	assert_int_equal(daos_acl_from_strs(strs, s2 == NULL ? 1 : 2, &acl), 0);
	return acl;
}

static void
test_numbering(void **state)
{
	/* wire numbers as in DAOS 2.x */
	assert_int_equal(DAOS_PROP_PO_LABEL, 1);
	assert_int_equal(DAOS_PROP_PO_ACL, 2);
	assert_int_equal(DAOS_PROP_PO_SVC_LIST, 8);
	assert_int_equal(DAOS_PROP_PO_EC_CELL_SZ, 9);
	assert_int_equal(DAOS_PROP_PO_DATA_THRESH, 10);
	assert_int_equal(DAOS_PROP_PO_REDUN_FAC, 11);
	assert_int_equal(DAOS_PROP_PO_SVC_REDUN_FAC, 19);
	assert_int_equal(DAOS_PROP_PO_REINT_MODE, 25);
	assert_int_equal(DAOS_PROP_PO_SVC_OPS_ENTRY_AGE, 27);
	assert_int_equal(DAOS_PROP_CO_LABEL, 0x1001);
	assert_int_equal(DAOS_PROP_CO_LAYOUT_TYPE, 0x1002);
	assert_int_equal(DAOS_PROP_CO_REDUN_FAC, 0x1007);
	assert_int_equal(DAOS_PROP_CO_ACL, 0x100a);
	assert_int_equal(DAOS_PROP_CO_ROOTS, 0x1011);
	assert_int_equal(DAOS_PROP_CO_EC_CELL_SZ, 0x1014);
	assert_int_equal(DAOS_PROP_CO_PERF_DOMAIN, 0x101a);
	assert_int_equal(DAOS_PROP_CO_LAYOUT_POSIX, 1);
	assert_int_equal(DAOS_PROP_CO_LAYOUT_METEO, 8);
	assert_int_equal(DAOS_PROP_CO_CSUM_ADLER32, 7);
	assert_int_equal(DAOS_PROP_CO_REDUN_RF4, 4);
	assert_int_equal(sizeof(struct daos_acl), 8);
	assert_int_equal(sizeof(struct daos_ace), 32);
}

static void
test_alloc_free(void **state)
{
	daos_prop_t *prop;

	prop = daos_prop_alloc(0);
	assert_non_null(prop);
	assert_int_equal(prop->dpp_nr, 0);
	assert_null(prop->dpp_entries);
	daos_prop_free(prop);

	prop = daos_prop_alloc(DAOS_PROP_ENTRIES_MAX_NR);
	assert_non_null(prop);
	assert_int_equal(prop->dpp_nr, DAOS_PROP_ENTRIES_MAX_NR);
	daos_prop_free(prop);
	assert_null(daos_prop_alloc(DAOS_PROP_ENTRIES_MAX_NR + 1));
	daos_prop_free(NULL);
	daos_prop_fini(NULL);
}

static void
test_set_get(void **state)
{
	struct daos_prop_co_roots roots = {{{1, 2}, {3, 4}, {5, 6}, {7, 8}}};
	struct daos_prop_entry *e;
	daos_prop_t *prop;
	struct daos_acl *acl = make_acl("A::OWNER@:rw", NULL);

	prop = daos_prop_alloc(4);
	prop->dpp_entries[0].dpe_type = DAOS_PROP_CO_LABEL;
	prop->dpp_entries[1].dpe_type = DAOS_PROP_CO_ROOTS;
	prop->dpp_entries[2].dpe_type = DAOS_PROP_CO_ACL;
	prop->dpp_entries[3].dpe_type = DAOS_PROP_CO_REDUN_FAC;

	assert_int_equal(daos_prop_set_str(prop, DAOS_PROP_CO_LABEL, "first", 5), 0);
	/* replacing frees the old value (ASan checks) and copies at most len bytes */
	assert_int_equal(daos_prop_set_str(prop, DAOS_PROP_CO_LABEL, "second_long", 6), 0);
	e = daos_prop_entry_get(prop, DAOS_PROP_CO_LABEL);
	assert_non_null(e);
	assert_string_equal(e->dpe_str, "second");
	assert_int_equal(daos_prop_set_str(prop, DAOS_PROP_CO_REDUN_FAC, "x", 1), -DER_INVAL);
	assert_int_equal(daos_prop_set_str(prop, DAOS_PROP_CO_OWNER, "x@", 2), -DER_NONEXIST);
	/* no string clears the value */
	assert_int_equal(daos_prop_set_str(prop, DAOS_PROP_CO_LABEL, NULL, 2), 0);
	assert_null(daos_prop_entry_get(prop, DAOS_PROP_CO_LABEL)->dpe_str);
	assert_int_equal(daos_prop_set_str(prop, DAOS_PROP_CO_LABEL, "second", 6), 0);
	assert_int_equal(daos_prop_entry_set_str(NULL, "x", 1), -DER_INVAL);

	assert_int_equal(daos_prop_set_ptr(prop, DAOS_PROP_CO_ROOTS, &roots, sizeof(roots)), 0);
	assert_int_equal(daos_prop_set_ptr(prop, DAOS_PROP_CO_ROOTS, &roots, sizeof(roots)), 0);
	assert_int_equal(daos_prop_set_ptr(prop, DAOS_PROP_CO_ACL, acl, daos_acl_get_size(acl)), 0);
	assert_int_equal(daos_prop_set_ptr(prop, DAOS_PROP_CO_REDUN_FAC, &roots, 8), -DER_INVAL);
	assert_int_equal(daos_prop_set_ptr(prop, DAOS_PROP_CO_OWNER, &roots, 8), -DER_NONEXIST);
	e = daos_prop_entry_get(prop, DAOS_PROP_CO_ROOTS);
	assert_memory_equal(e->dpe_val_ptr, &roots, sizeof(roots));

	assert_null(daos_prop_entry_get(prop, DAOS_PROP_CO_OWNER));
	assert_null(daos_prop_entry_get(NULL, DAOS_PROP_CO_OWNER));
	assert_true(daos_prop_has_str(daos_prop_entry_get(prop, DAOS_PROP_CO_LABEL)));
	assert_true(daos_prop_has_ptr(daos_prop_entry_get(prop, DAOS_PROP_CO_ACL)));
	assert_false(daos_prop_has_ptr(daos_prop_entry_get(prop, DAOS_PROP_CO_REDUN_FAC)));
	assert_true(daos_prop_valid(prop, false, true));
	daos_prop_free(prop);
	daos_acl_free(acl);
}

/* A pool property list with every kind of allocated value. */
static daos_prop_t *
full_pool_prop(void)
{
	daos_prop_t *prop = daos_prop_alloc(6);
	d_rank_list_t *ranks = d_rank_list_alloc(3);

	prop->dpp_entries[0].dpe_type = DAOS_PROP_PO_LABEL;
	prop->dpp_entries[0].dpe_str = strdup("tank");
	prop->dpp_entries[1].dpe_type = DAOS_PROP_PO_ACL;
	prop->dpp_entries[1].dpe_val_ptr = make_acl("A::OWNER@:rw", "A:G:GROUP@:r");
	prop->dpp_entries[2].dpe_type = DAOS_PROP_PO_OWNER;
	prop->dpp_entries[2].dpe_str = strdup("alice@");
	prop->dpp_entries[3].dpe_type = DAOS_PROP_PO_OWNER_GROUP;
	prop->dpp_entries[3].dpe_str = strdup("staff@");
	ranks->rl_ranks[0] = 0;
	ranks->rl_ranks[1] = 1;
	ranks->rl_ranks[2] = 2;
	prop->dpp_entries[4].dpe_type = DAOS_PROP_PO_SVC_LIST;
	prop->dpp_entries[4].dpe_val_ptr = ranks;
	prop->dpp_entries[5].dpe_type = DAOS_PROP_PO_RECLAIM;
	prop->dpp_entries[5].dpe_val = DAOS_RECLAIM_LAZY;
	return prop;
}

static void
test_dup_copy_merge(void **state)
{
	daos_prop_t *prop = full_pool_prop();
	daos_prop_t *dup;
	daos_prop_t *upd;
	daos_prop_t *merged;
	daos_prop_t req = {0};
	struct daos_prop_entry *e;
	d_rank_list_t *ranks;

	assert_true(daos_prop_valid(prop, true, true));
	assert_false(daos_prop_valid(prop, false, true));
	dup = daos_prop_dup(prop, true, true);
	assert_non_null(dup);
	assert_int_equal(dup->dpp_nr, prop->dpp_nr);
	assert_string_equal(dup->dpp_entries[0].dpe_str, "tank");
	assert_ptr_not_equal(dup->dpp_entries[0].dpe_str, prop->dpp_entries[0].dpe_str);
	assert_int_equal(daos_prop_entry_cmp_acl(&dup->dpp_entries[1], &prop->dpp_entries[1]), 0);
	ranks = dup->dpp_entries[4].dpe_val_ptr;
	assert_int_equal(ranks->rl_nr, 3);
	assert_int_equal(ranks->rl_ranks[2], 2);
	assert_null(daos_prop_dup(prop, false, true));

	/* copy everything into an empty request */
	assert_int_equal(daos_prop_copy(&req, prop), 0);
	assert_int_equal(req.dpp_nr, prop->dpp_nr);
	assert_string_equal(req.dpp_entries[2].dpe_str, "alice@");
	daos_prop_fini(&req);

	/* copy selected types */
	upd = daos_prop_alloc(2);
	upd->dpp_entries[0].dpe_type = DAOS_PROP_PO_OWNER_GROUP;
	upd->dpp_entries[1].dpe_type = DAOS_PROP_PO_RECLAIM;
	assert_int_equal(daos_prop_copy(upd, prop), 0);
	assert_string_equal(upd->dpp_entries[0].dpe_str, "staff@");
	assert_int_equal(upd->dpp_entries[1].dpe_val, DAOS_RECLAIM_LAZY);
	daos_prop_free(upd);
	/* a type the reply lacks becomes a negative entry */
	upd = daos_prop_alloc(2);
	upd->dpp_entries[0].dpe_type = DAOS_PROP_PO_LABEL;
	upd->dpp_entries[1].dpe_type = DAOS_PROP_PO_SCRUB_MODE;
	assert_int_equal(daos_prop_copy(upd, prop), 0);
	assert_string_equal(upd->dpp_entries[0].dpe_str, "tank");
	assert_true(daos_prop_is_set(&upd->dpp_entries[0]));
	assert_false(daos_prop_is_set(&upd->dpp_entries[1]));
	daos_prop_free(upd);
	/* untyped slots past the reply's entries stay untouched */
	upd = daos_prop_alloc(prop->dpp_nr + 2);
	assert_int_equal(daos_prop_copy(upd, prop), 0);
	assert_int_equal(upd->dpp_entries[0].dpe_type, DAOS_PROP_PO_LABEL);
	assert_int_equal(upd->dpp_entries[prop->dpp_nr].dpe_type, 0);
	daos_prop_free(upd);
	assert_int_equal(daos_prop_copy(&req, NULL), -DER_PROTO);

	/* merge: new values replace, new types append */
	upd = daos_prop_alloc(2);
	upd->dpp_entries[0].dpe_type = DAOS_PROP_PO_LABEL;
	upd->dpp_entries[0].dpe_str = strdup("neo");
	upd->dpp_entries[1].dpe_type = DAOS_PROP_PO_SPACE_RB;
	upd->dpp_entries[1].dpe_val = 5;
	assert_int_equal(daos_prop_merge2(prop, upd, &merged), 0);
	assert_int_equal(merged->dpp_nr, prop->dpp_nr + 1);
	e = daos_prop_entry_get(merged, DAOS_PROP_PO_LABEL);
	assert_string_equal(e->dpe_str, "neo");
	e = daos_prop_entry_get(merged, DAOS_PROP_PO_SPACE_RB);
	assert_non_null(e);
	assert_int_equal(e->dpe_val, 5);
	assert_true(daos_prop_valid(merged, true, true));
	daos_prop_free(merged);
	merged = daos_prop_merge(prop, upd);
	assert_non_null(merged);
	daos_prop_free(merged);
	assert_int_equal(daos_prop_merge2(NULL, upd, &merged), -DER_INVAL);
	daos_prop_free(upd);

	daos_prop_free(dup);
	daos_prop_free(prop);
}

static void
check_invalid(uint32_t type, uint64_t val, bool pool)
{
	daos_prop_t *prop = daos_prop_alloc(1);

	prop->dpp_entries[0].dpe_type = type;
	prop->dpp_entries[0].dpe_val = val;
	assert_false(daos_prop_valid(prop, pool, true));
	/* output lists are not value-checked */
	assert_true(daos_prop_valid(prop, pool, false));
	daos_prop_free(prop);
}

static void
check_bad_type(uint32_t type, bool pool)
{
	daos_prop_t *prop = daos_prop_alloc(1);

	prop->dpp_entries[0].dpe_type = type;
	assert_false(daos_prop_valid(prop, pool, true));
	assert_false(daos_prop_valid(prop, pool, false));
	daos_prop_free(prop);
}

static void
check_valid(uint32_t type, uint64_t val, bool pool)
{
	daos_prop_t *prop = daos_prop_alloc(1);

	prop->dpp_entries[0].dpe_type = type;
	prop->dpp_entries[0].dpe_val = val;
	assert_true(daos_prop_valid(prop, pool, true));
	daos_prop_free(prop);
}

static void
test_valid(void **state)
{
	daos_prop_t *prop;
	char label[DAOS_PROP_LABEL_MAX_LEN + 2];

	check_valid(DAOS_PROP_PO_SPACE_RB, 100, true);
	check_invalid(DAOS_PROP_PO_SPACE_RB, 101, true);
	check_invalid(DAOS_PROP_PO_RECLAIM, DAOS_RECLAIM_TIME + 1, true);
	check_valid(DAOS_PROP_PO_EC_CELL_SZ, 1 << 20, true);
	check_invalid(DAOS_PROP_PO_EC_CELL_SZ, 512, true);
	check_invalid(DAOS_PROP_PO_EC_CELL_SZ, (1ULL << 30) + 8, true);
	check_invalid(DAOS_PROP_PO_REDUN_FAC, 5, true);
	check_invalid(DAOS_PROP_PO_SVC_REDUN_FAC, 5, true);
	check_invalid(DAOS_PROP_PO_SCRUB_MODE, DAOS_SCRUB_MODE_INVALID, true);
	check_invalid(DAOS_PROP_PO_CHECKPOINT_THRESH, 80, true);
	check_invalid(DAOS_PROP_PO_SVC_OPS_ENTRY_AGE, 10, true);
	check_invalid(DAOS_PROP_PO_PERF_DOMAIN, 7, true);
	check_valid(DAOS_PROP_PO_PERF_DOMAIN, DAOS_PROP_PERF_DOMAIN_GROUP, true);
	check_invalid(DAOS_PROP_PO_SELF_HEAL, 1 << 5, true);
	check_bad_type(DAOS_PROP_PO_MAX, true);
	check_bad_type(DAOS_PROP_CO_LABEL, true);
	check_valid(DAOS_PROP_CO_REDUN_FAC, DAOS_PROP_CO_REDUN_RF4, false);
	check_invalid(DAOS_PROP_CO_REDUN_FAC, 5, false);
	check_invalid(DAOS_PROP_CO_REDUN_LVL, 0, false);
	check_invalid(DAOS_PROP_CO_REDUN_LVL, 255, false);
	check_invalid(DAOS_PROP_CO_LAYOUT_TYPE, DAOS_PROP_CO_LAYOUT_MAX, false);
	check_invalid(DAOS_PROP_CO_CSUM, 8, false);
	check_invalid(DAOS_PROP_CO_CSUM_CHUNK_SIZE, 1ULL << 32, false);
	check_invalid(DAOS_PROP_CO_DEDUP_THRESHOLD, 100, false);
	check_invalid(DAOS_PROP_CO_COMPRESS, 7, false);
	check_invalid(DAOS_PROP_CO_ENCRYPT, 8, false);
	check_invalid(DAOS_PROP_CO_STATUS, DAOS_PROP_CO_STATUS_VAL(7, 0, 0), false);
	check_valid(DAOS_PROP_CO_STATUS, DAOS_PROP_CO_STATUS_VAL(DAOS_PROP_CO_UNCLEAN, 0, 3),
		    false);
	check_valid(DAOS_PROP_CO_EC_CELL_SZ, 0, false);
	check_bad_type(DAOS_PROP_CO_MIN, false);
	check_bad_type(DAOS_PROP_PO_LABEL, false);

	/* strings: labels, principals */
	prop = daos_prop_alloc(1);
	prop->dpp_entries[0].dpe_type = DAOS_PROP_CO_LABEL;
	assert_false(daos_prop_valid(prop, false, true));
	memset(label, 'a', sizeof(label));
	label[DAOS_PROP_LABEL_MAX_LEN + 1] = '\0';
	prop->dpp_entries[0].dpe_str = label;
	assert_false(daos_prop_valid(prop, false, true));
	label[DAOS_PROP_LABEL_MAX_LEN] = '\0';
	assert_true(daos_prop_valid(prop, false, true));
	prop->dpp_entries[0].dpe_str = "0b5fbb6c-3b7e-4c3f-9d4e-9a3c1f0e2d11";
	assert_false(daos_prop_valid(prop, false, true));
	prop->dpp_entries[0].dpe_type = DAOS_PROP_CO_OWNER;
	prop->dpp_entries[0].dpe_str = "nobody";
	assert_false(daos_prop_valid(prop, false, true));
	prop->dpp_entries[0].dpe_str = "nobody@";
	assert_true(daos_prop_valid(prop, false, true));
	/* a negative entry carries no value to check */
	prop->dpp_entries[0].dpe_str = NULL;
	prop->dpp_entries[0].dpe_flags = DAOS_PROP_ENTRY_NOT_SET;
	assert_true(daos_prop_valid(prop, false, true));
	prop->dpp_entries[0].dpe_flags = 0;
	daos_prop_free(prop);

	/* bad ACL; pool ACL with container permissions */
	prop = daos_prop_alloc(1);
	prop->dpp_entries[0].dpe_type = DAOS_PROP_PO_ACL;
	prop->dpp_entries[0].dpe_val_ptr = make_acl("A::OWNER@:rwT", NULL);
	assert_false(daos_prop_valid(prop, true, true));
	prop->dpp_entries[0].dpe_type = DAOS_PROP_CO_ACL;
	assert_true(daos_prop_valid(prop, false, true));
	daos_prop_free(prop);

	/* list shape: duplicates, nr/entries mismatch */
	prop = daos_prop_alloc(2);
	prop->dpp_entries[0].dpe_type = DAOS_PROP_CO_REDUN_FAC;
	prop->dpp_entries[1].dpe_type = DAOS_PROP_CO_REDUN_FAC;
	assert_false(daos_prop_valid(prop, false, true));
	prop->dpp_nr = 0;
	assert_false(daos_prop_valid(prop, false, true));
	prop->dpp_nr = DAOS_PROP_ENTRIES_MAX_NR + 1;
	assert_false(daos_prop_valid(prop, false, true));
	prop->dpp_nr = 2;
	daos_prop_free(prop);
	{
		daos_prop_t empty = {0};

		assert_true(daos_prop_valid(&empty, true, true));
		empty.dpp_nr = 1;
		assert_false(daos_prop_valid(&empty, true, true));
	}
	assert_false(daos_prop_valid(NULL, true, true));
}

static void
test_from_str(void **state)
{
	struct daos_prop_entry *e;
	daos_prop_t *prop = NULL;
	const char *s = "label:foo;cksum:crc32;rd_fac:2;ec_cell_sz:1MiB;dedup:hash";
	char many[DAOS_PROP_ENTRIES_MAX_NR * 8 + 16];
	size_t i;

	assert_int_equal(daos_prop_from_str(s, strlen(s), &prop), 0);
	assert_int_equal(prop->dpp_nr, 5);
	e = daos_prop_entry_get(prop, DAOS_PROP_CO_LABEL);
	assert_string_equal(e->dpe_str, "foo");
	e = daos_prop_entry_get(prop, DAOS_PROP_CO_CSUM);
	assert_int_equal(e->dpe_val, DAOS_PROP_CO_CSUM_CRC32);
	e = daos_prop_entry_get(prop, DAOS_PROP_CO_REDUN_FAC);
	assert_int_equal(e->dpe_val, DAOS_PROP_CO_REDUN_RF2);
	e = daos_prop_entry_get(prop, DAOS_PROP_CO_EC_CELL_SZ);
	assert_int_equal(e->dpe_val, 1 << 20);
	assert_true(daos_prop_valid(prop, false, true));
	daos_prop_free(prop);

	/* only \a len bytes count; old name "rf" */
	assert_int_equal(daos_prop_from_str("rf:1;label:zzz", 4, &prop), 0);
	assert_int_equal(prop->dpp_nr, 1);
	assert_int_equal(prop->dpp_entries[0].dpe_val, 1);
	daos_prop_free(prop);

	prop = NULL;
	assert_int_equal(daos_prop_from_str("nope:1", 6, &prop), -DER_INVAL);
	assert_int_equal(daos_prop_from_str("layout_type:POSIX", 17, &prop), -DER_INVAL);
	assert_int_equal(daos_prop_from_str("rd_fac:5", 8, &prop), -DER_INVAL);
	assert_int_equal(daos_prop_from_str("label:a b", 9, &prop), -DER_INVAL);
	assert_int_equal(daos_prop_from_str("label", 5, &prop), -DER_INVAL);
	assert_int_equal(daos_prop_from_str("label:", 6, &prop), -DER_INVAL);
	assert_int_equal(daos_prop_from_str(";;", 2, &prop), -DER_INVAL);
	assert_int_equal(daos_prop_from_str("label:a;label:b", 15, &prop), -DER_INVAL);
	assert_int_equal(daos_prop_from_str("cksum:crc32;cksum:off", 21, &prop), -DER_INVAL);
	assert_int_equal(daos_prop_from_str(NULL, 3, &prop), -DER_INVAL);
	assert_null(prop);
	many[0] = '\0';
	for (i = 0; i <= DAOS_PROP_ENTRIES_MAX_NR; i++)
		strcat(many, "rf:1;");
	assert_int_equal(daos_prop_from_str(many, strlen(many), &prop), -DER_INVAL);
	assert_null(prop);
}

static void
test_ctype_status(void **state)
{
	struct daos_co_status st = {DAOS_PROP_CO_UNCLEAN, DAOS_PROP_CO_CLEAR, 42};
	struct daos_co_status back;
	daos_cont_layout_t t;
	char buf[10];

	daos_parse_ctype("posix", &t);
	assert_int_equal(t, DAOS_PROP_CO_LAYOUT_POSIX);
	daos_parse_ctype("FDB", &t);
	assert_int_equal(t, DAOS_PROP_CO_LAYOUT_METEO);
	daos_parse_ctype("bogus", &t);
	assert_int_equal(t, DAOS_PROP_CO_LAYOUT_UNKNOWN);
	daos_unparse_ctype(DAOS_PROP_CO_LAYOUT_DATABASE, buf);
	assert_string_equal(buf, "DATABASE");
	daos_unparse_ctype(99, buf);
	assert_string_equal(buf, "unknown");

	daos_prop_val_2_co_status(daos_prop_co_status_2_val(&st), &back);
	assert_int_equal(back.dcs_status, DAOS_PROP_CO_UNCLEAN);
	assert_int_equal(back.dcs_flags, DAOS_PROP_CO_CLEAR);
	assert_int_equal(back.dcs_pm_ver, 42);
}

static void
test_codec(void **state)
{
	struct daos_prop_co_roots roots = {{{1, 2}, {3, 4}, {5, 6}, {7, 8}}};
	daos_prop_t *prop = full_pool_prop();
	daos_prop_t *cont = daos_prop_alloc(5);
	daos_prop_t *back = NULL;
	daos_prop_t empty = {0};
	uint8_t *buf;
	uint8_t *bad;
	size_t len;
	size_t i;
	unsigned int seed = 12345;
	int rc;

	/* pool list: strings, ACL, rank list, value */
	assert_int_equal(daos_prop_encode(prop, (void **)&buf, &len), 0);
	assert_int_equal(len % 8, 0);
	assert_int_equal(daos_prop_decode(buf, len, &back), 0);
	assert_int_equal(back->dpp_nr, prop->dpp_nr);
	assert_string_equal(back->dpp_entries[0].dpe_str, "tank");
	assert_int_equal(daos_prop_entry_cmp_acl(&back->dpp_entries[1], &prop->dpp_entries[1]), 0);
	assert_int_equal(((d_rank_list_t *)back->dpp_entries[4].dpe_val_ptr)->rl_nr, 3);
	assert_int_equal(((d_rank_list_t *)back->dpp_entries[4].dpe_val_ptr)->rl_ranks[1], 1);
	assert_int_equal(back->dpp_entries[5].dpe_val, DAOS_RECLAIM_LAZY);
	assert_true(daos_prop_valid(back, true, true));
	daos_prop_free(back);

	/* every strict prefix and every longer buffer is refused without reading past the end */
	for (i = 0; i < len; i++) {
		bad = malloc(i == 0 ? 1 : i);
		memcpy(bad, buf, i);
		back = NULL;
		assert_int_equal(daos_prop_decode(bad, i, &back), -DER_INVAL);
		assert_null(back);
		free(bad);
	}
	bad = calloc(1, len + 8);
	memcpy(bad, buf, len);
	assert_int_equal(daos_prop_decode(bad, len + 8, &back), -DER_INVAL);
	/* random corruption: never crashes or leaks (ASan), decodes or fails cleanly */
	for (i = 0; i < 500; i++) {
		memcpy(bad, buf, len);
		bad[rand_r(&seed) % len] ^= (uint8_t)(1 + rand_r(&seed) % 255);
		back = NULL;
		rc = daos_prop_decode(bad, len, &back);
		if (rc == 0)
			daos_prop_free(back);
		else
			assert_int_equal(rc, -DER_INVAL);
	}
	free(bad);
	free(buf);

	/* container list: roots, NULL string, negative entry, empty ACL */
	cont->dpp_entries[0].dpe_type = DAOS_PROP_CO_ROOTS;
	assert_int_equal(daos_prop_set_ptr(cont, DAOS_PROP_CO_ROOTS, &roots, sizeof(roots)), 0);
	cont->dpp_entries[1].dpe_type = DAOS_PROP_CO_LABEL;
	cont->dpp_entries[2].dpe_type = DAOS_PROP_CO_GLOBAL_VERSION;
	cont->dpp_entries[2].dpe_flags = DAOS_PROP_ENTRY_NOT_SET;
	cont->dpp_entries[3].dpe_type = DAOS_PROP_CO_ACL;
	cont->dpp_entries[3].dpe_val_ptr = daos_acl_create(NULL, 0);
	cont->dpp_entries[4].dpe_type = DAOS_PROP_CO_ALLOCED_OID;
	cont->dpp_entries[4].dpe_val = UINT64_MAX;
	assert_int_equal(daos_prop_encode(cont, (void **)&buf, &len), 0);
	assert_int_equal(daos_prop_decode(buf, len, &back), 0);
	assert_memory_equal(back->dpp_entries[0].dpe_val_ptr, &roots, sizeof(roots));
	assert_null(back->dpp_entries[1].dpe_str);
	assert_false(daos_prop_is_set(&back->dpp_entries[2]));
	assert_int_equal(daos_acl_get_size(back->dpp_entries[3].dpe_val_ptr),
			 sizeof(struct daos_acl));
	assert_true(back->dpp_entries[4].dpe_val == UINT64_MAX);
	daos_prop_free(back);
	free(buf);
	daos_prop_free(cont);

	/* empty list */
	assert_int_equal(daos_prop_encode(&empty, (void **)&buf, &len), 0);
	assert_int_equal(daos_prop_decode(buf, len, &back), 0);
	assert_int_equal(back->dpp_nr, 0);
	daos_prop_free(back);
	free(buf);

	assert_int_equal(daos_prop_encode(NULL, (void **)&buf, &len), -DER_INVAL);
	assert_int_equal(daos_prop_decode(NULL, 8, &back), -DER_INVAL);
	assert_int_equal(daos_prop_decode("garbage-garbage-garbage", 24, &back), -DER_INVAL);
	daos_prop_free(prop);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_numbering),    cmocka_unit_test(test_alloc_free),
		cmocka_unit_test(test_set_get),      cmocka_unit_test(test_dup_copy_merge),
		cmocka_unit_test(test_valid),        cmocka_unit_test(test_from_str),
		cmocka_unit_test(test_ctype_status), cmocka_unit_test(test_codec),
	};

	return cmocka_run_group_tests_name("common_prop", tests, NULL, NULL);
}
