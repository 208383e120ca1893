/* Property names and values as the CLIs parse and print them (daos/prop.h). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <daos/common.h>
#include <daos/prop.h>
#include <daos/security.h>
#include <daos/strutil.h>
#include <daos.h>

static void
expect_str(daos_prop_t *prop, uint32_t type, const char *str)
{
	char buf[512];
	struct daos_prop_entry *e = daos_prop_entry_get(prop, type);

	assert_non_null(e);
	assert_int_equal(daos_prop_entry_to_str(e, buf, sizeof(buf)), 0);
	assert_string_equal(buf, str);
}

static void
test_every_property_named(void **state)
{
	const struct daos_prop_desc *d;
	uint32_t t;
	int i;

	for (t = DAOS_PROP_PO_MIN + 1; t < DAOS_PROP_PO_MAX; t++) {
		d = daos_prop_desc_by_type(t);
		assert_non_null(d);
		assert_int_equal(d->pd_type, t);
		assert_ptr_equal(daos_prop_desc_by_name(d->pd_name, true), d);
	}
	for (t = DAOS_PROP_CO_MIN + 1; t < DAOS_PROP_CO_MAX; t++) {
		d = daos_prop_desc_by_type(t);
		assert_non_null(d);
		assert_ptr_equal(daos_prop_desc_by_name(d->pd_name, false), d);
	}
	for (i = 0; daos_prop_desc_at(true, i) != NULL; i++)
		;
	assert_int_equal(i, DAOS_PROP_PO_NUM);
	for (i = 0; daos_prop_desc_at(false, i) != NULL; i++)
		;
	assert_int_equal(i, DAOS_PROP_CO_NUM);
	assert_null(daos_prop_desc_at(false, -1));
	assert_null(daos_prop_desc_by_type(0));
	assert_null(daos_prop_desc_by_type(DAOS_PROP_CO_MAX));
	assert_null(daos_prop_desc_by_name("bogus", false));
	assert_null(daos_prop_desc_by_name(NULL, false));
	/* aliases */
	assert_int_equal(daos_prop_desc_by_name("rf", false)->pd_type, DAOS_PROP_CO_REDUN_FAC);
	assert_int_equal(daos_prop_desc_by_name("RF_LVL", false)->pd_type, DAOS_PROP_CO_REDUN_LVL);
	/* the same name means different properties for pools and containers */
	assert_int_equal(daos_prop_desc_by_name("rd_fac", true)->pd_type, DAOS_PROP_PO_REDUN_FAC);
	assert_string_equal(daos_prop_desc_by_name("cksum", false)->pd_desc, "Checksum");
	assert_null(daos_prop_desc_by_name("cksum", true));
}

static void
test_cont_kv(void **state)
{
	daos_prop_t *prop = NULL;
	char err[128];

	assert_int_equal(daos_prop_parse_kv("rf:1,label:x,cksum:crc32,ec_cell_sz:1MiB,"
					    "cksum_size:32KiB,srv_cksum:on,dedup:memcmp,"
					    "dedup_threshold:4KiB,compression:lz4,"
					    "encryption:aes-gcm256,rd_lvl:rank,ec_pda:1,rp_pda:2,"
					    "perf_domain:group",
					    false, DAOS_PROP_DESC_CREATE, &prop, err, sizeof(err)),
			 0);
	assert_int_equal(prop->dpp_nr, 14);
	assert_true(daos_prop_valid(prop, false, true));
	expect_str(prop, DAOS_PROP_CO_REDUN_FAC, "rd_fac1");
	expect_str(prop, DAOS_PROP_CO_LABEL, "x");
	expect_str(prop, DAOS_PROP_CO_CSUM, "crc32");
	expect_str(prop, DAOS_PROP_CO_EC_CELL_SZ, "1.0 MiB");
	expect_str(prop, DAOS_PROP_CO_CSUM_CHUNK_SIZE, "32 KiB");
	expect_str(prop, DAOS_PROP_CO_CSUM_SERVER_VERIFY, "on");
	expect_str(prop, DAOS_PROP_CO_DEDUP, "memcmp");
	expect_str(prop, DAOS_PROP_CO_DEDUP_THRESHOLD, "4.0 KiB");
	expect_str(prop, DAOS_PROP_CO_COMPRESS, "lz4");
	expect_str(prop, DAOS_PROP_CO_ENCRYPT, "aes-gcm256");
	expect_str(prop, DAOS_PROP_CO_REDUN_LVL, "rank (1)");
	expect_str(prop, DAOS_PROP_CO_PERF_DOMAIN, "group (200)");
	expect_str(prop, DAOS_PROP_CO_EC_PDA, "1");
	daos_prop_free(prop);

	/* the docs' example */
	assert_int_equal(daos_prop_parse_kv("cksum:sha1,dedup:hash,rd_fac:1", false,
					    DAOS_PROP_DESC_CREATE, &prop, NULL, 0),
			 0);
	expect_str(prop, DAOS_PROP_CO_CSUM, "sha1");
	daos_prop_free(prop);

	/* set-prop only takes label and status */
	assert_int_equal(daos_prop_parse_kv("label:mycont3", false, DAOS_PROP_DESC_SET, &prop, err,
					    sizeof(err)),
			 0);
	daos_prop_free(prop);
	assert_int_equal(daos_prop_parse_kv("status:healthy", false, DAOS_PROP_DESC_SET, &prop, err,
					    sizeof(err)),
			 0);
	expect_str(prop, DAOS_PROP_CO_STATUS, "HEALTHY");
	daos_prop_free(prop);
	prop = NULL;
	assert_int_equal(daos_prop_parse_kv("cksum:crc32", false, DAOS_PROP_DESC_SET, &prop, err,
					    sizeof(err)),
			 -DER_INVAL);
	assert_string_equal(err, "property \"cksum\" cannot be set here");
}

static void
test_cont_kv_bad(void **state)
{
	static const char *bad[] = {
		"",
		"label",
		":x",
		"label:",
		"bogus:1",
		"layout_type:POSIX",
		"owner:me@",
		"alloc_oid:5",
		"rf:5",
		"rf:one",
		"cksum:md5",
		"ec_cell_sz:100",
		"ec_cell_sz:2GiB",
		"ec_cell_sz:lots",
		"dedup_threshold:1k",
		"label:has space",
		"label:0b5fbb6c-3b7e-4c3f-9d4e-9a3c1f0e2d11",
		"rf:1,rf:2",
		"rf:1,rd_fac:2",
		"status:unclean",
		"ec_pda:-1",
		"ec_pda:4294967296",
	};
	daos_prop_t *prop = NULL;
	char err[256];
	char label[DAOS_PROP_LABEL_MAX_LEN + 16];
	size_t i;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		err[0] = '\0';
		assert_int_equal(daos_prop_parse_kv(bad[i], false, DAOS_PROP_DESC_CREATE, &prop,
						    err, sizeof(err)),
				 -DER_INVAL);
		assert_null(prop);
		assert_true(strlen(err) > 0);
	}
	assert_int_equal(daos_prop_parse_kv("bogus:1", false, 0, &prop, err, sizeof(err)),
			 -DER_INVAL);
	assert_string_equal(err, "unknown property \"bogus\"");
	assert_int_equal(daos_prop_parse_kv("rf:9", false, 0, &prop, err, sizeof(err)), -DER_INVAL);
	assert_string_equal(err, "invalid value \"9\" for property \"rd_fac\"");

	/* overlong label */
	strcpy(label, "label:");
	memset(label + 6, 'a', DAOS_PROP_LABEL_MAX_LEN + 1);
	label[6 + DAOS_PROP_LABEL_MAX_LEN + 1] = '\0';
	assert_int_equal(daos_prop_parse_kv(label, false, 0, &prop, err, sizeof(err)), -DER_INVAL);
	label[6 + DAOS_PROP_LABEL_MAX_LEN] = '\0';
	assert_int_equal(daos_prop_parse_kv(label, false, 0, &prop, err, sizeof(err)), 0);
	daos_prop_free(prop);
}

static void
test_pool_kv(void **state)
{
	daos_prop_t *prop = NULL;
	char err[128];

	assert_int_equal(daos_prop_parse_kv("label:tank,reclaim:lazy,self_heal:exclude,rebuild,"
					    "space_rb:5%,ec_cell_sz:64KiB,rd_fac:1,scrub:timed,"
					    "scrub_freq:3600,svc_rf:3,checkpoint:lazy,"
					    "checkpoint_freq:10,checkpoint_thresh:20,"
					    "reintegration:no_data_sync,svc_ops_enabled:0,"
					    "svc_ops_entry_age:120,perf_domain:root,data_thresh:8k",
					    true, DAOS_PROP_DESC_CREATE, &prop, err, sizeof(err)),
			 0);
	assert_true(daos_prop_valid(prop, true, true));
	expect_str(prop, DAOS_PROP_PO_LABEL, "tank");
	expect_str(prop, DAOS_PROP_PO_RECLAIM, "lazy");
	expect_str(prop, DAOS_PROP_PO_SELF_HEAL, "exclude,rebuild");
	expect_str(prop, DAOS_PROP_PO_SPACE_RB, "5%");
	expect_str(prop, DAOS_PROP_PO_EC_CELL_SZ, "64 KiB");
	expect_str(prop, DAOS_PROP_PO_REDUN_FAC, "1");
	expect_str(prop, DAOS_PROP_PO_SCRUB_MODE, "timed");
	expect_str(prop, DAOS_PROP_PO_SVC_REDUN_FAC, "3");
	expect_str(prop, DAOS_PROP_PO_CHECKPOINT_MODE, "lazy");
	expect_str(prop, DAOS_PROP_PO_REINT_MODE, "no_data_sync");
	expect_str(prop, DAOS_PROP_PO_SVC_OPS_ENABLED, "0");
	expect_str(prop, DAOS_PROP_PO_PERF_DOMAIN, "root");
	expect_str(prop, DAOS_PROP_PO_DATA_THRESH, "7.8 KiB");
	daos_prop_free(prop);

	/* a list value in the middle, old name of rd_fac, blanks after commas */
	assert_int_equal(daos_prop_parse_kv("self_heal:exclude,delay_rebuild, rf:2", true, 0, &prop,
					    err, sizeof(err)),
			 0);
	expect_str(prop, DAOS_PROP_PO_SELF_HEAL, "exclude,delay_rebuild");
	expect_str(prop, DAOS_PROP_PO_REDUN_FAC, "2");
	daos_prop_free(prop);
	assert_int_equal(daos_prop_parse_kv("rd_fac:1,2", true, 0, &prop, err, sizeof(err)),
			 -DER_INVAL);
	assert_string_equal(err, "invalid value \"1,2\" for property \"rd_fac\"");

	/* set-prop on a pool: these cannot change after creation */
	assert_int_equal(daos_prop_parse_kv("svc_ops_enabled:1", true, DAOS_PROP_DESC_SET, &prop,
					    err, sizeof(err)),
			 -DER_INVAL);
	assert_int_equal(daos_prop_parse_kv("global_version:3", true, 0, &prop, err, sizeof(err)),
			 -DER_INVAL);
	assert_int_equal(daos_prop_parse_kv("space_rb:101", true, 0, &prop, err, sizeof(err)),
			 -DER_INVAL);
	assert_int_equal(
		daos_prop_parse_kv("checkpoint_thresh:5", true, 0, &prop, err, sizeof(err)),
		-DER_INVAL);
	assert_int_equal(
		daos_prop_parse_kv("self_heal:sometimes", true, 0, &prop, err, sizeof(err)),
		-DER_INVAL);
	assert_int_equal(daos_prop_parse_kv("reclaim:never", true, 0, &prop, err, sizeof(err)),
			 -DER_INVAL);
	assert_int_equal(
		daos_prop_parse_kv("label:neo", true, DAOS_PROP_DESC_SET, &prop, err, sizeof(err)),
		0);
	daos_prop_free(prop);
	/* ACL and owner at creation (dmg pool create --acl-file / --user) */
	assert_int_equal(daos_prop_parse_kv("acl:A::OWNER@:rw;A::bob@:r,owner:alice@", true,
					    DAOS_PROP_DESC_CREATE, &prop, err, sizeof(err)),
			 0);
	expect_str(prop, DAOS_PROP_PO_ACL, "A::OWNER@:rw, A::bob@:r");
	expect_str(prop, DAOS_PROP_PO_OWNER, "alice@");
	assert_true(daos_prop_valid(prop, true, true));
	daos_prop_free(prop);
	assert_int_equal(
		daos_prop_parse_kv("acl:A::OWNER@:rw;junk", true, 0, &prop, err, sizeof(err)),
		-DER_INVAL);
}

static void
test_print_readonly(void **state)
{
	daos_prop_t *prop = daos_prop_alloc(9);
	struct daos_prop_co_roots *roots;
	d_rank_list_t *ranks = d_rank_list_alloc(4);
	struct daos_co_status st = {DAOS_PROP_CO_UNCLEAN, 0, 3};
	char tiny[4];
	uint32_t r[] = {0, 1, 2, 5};
	int i;

	prop->dpp_entries[0].dpe_type = DAOS_PROP_CO_LAYOUT_TYPE;
	prop->dpp_entries[0].dpe_val = DAOS_PROP_CO_LAYOUT_POSIX;
	prop->dpp_entries[1].dpe_type = DAOS_PROP_CO_STATUS;
	prop->dpp_entries[1].dpe_val = daos_prop_co_status_2_val(&st);
	prop->dpp_entries[2].dpe_type = DAOS_PROP_CO_ALLOCED_OID;
	prop->dpp_entries[2].dpe_val = 123456;
	prop->dpp_entries[3].dpe_type = DAOS_PROP_PO_SVC_LIST;
	for (i = 0; i < 4; i++)
		ranks->rl_ranks[i] = r[i];
	prop->dpp_entries[3].dpe_val_ptr = ranks;
	prop->dpp_entries[4].dpe_type = DAOS_PROP_CO_ROOTS;
	roots = calloc(1, sizeof(*roots));
	roots->cr_oids[0].hi = 1;
	roots->cr_oids[0].lo = 2;
	prop->dpp_entries[4].dpe_val_ptr = roots;
	prop->dpp_entries[5].dpe_type = DAOS_PROP_CO_GLOBAL_VERSION;
	prop->dpp_entries[5].dpe_flags = DAOS_PROP_ENTRY_NOT_SET;
	prop->dpp_entries[6].dpe_type = DAOS_PROP_PO_UPGRADE_STATUS;
	prop->dpp_entries[6].dpe_val = DAOS_UPGRADE_STATUS_IN_PROGRESS;
	prop->dpp_entries[7].dpe_type = DAOS_PROP_CO_LABEL;
	prop->dpp_entries[8].dpe_type = DAOS_PROP_CO_REDUN_LVL;
	prop->dpp_entries[8].dpe_val = 7;

	expect_str(prop, DAOS_PROP_CO_LAYOUT_TYPE, "POSIX (1)");
	expect_str(prop, DAOS_PROP_CO_STATUS, "UNCLEAN");
	expect_str(prop, DAOS_PROP_CO_ALLOCED_OID, "123456");
	expect_str(prop, DAOS_PROP_PO_SVC_LIST, "[0-2,5]");
	expect_str(prop, DAOS_PROP_CO_ROOTS, "1.2, 0.0, 0.0, 0.0");
	expect_str(prop, DAOS_PROP_CO_GLOBAL_VERSION, "not set");
	expect_str(prop, DAOS_PROP_PO_UPGRADE_STATUS, "in progress");
	expect_str(prop, DAOS_PROP_CO_LABEL, "");
	expect_str(prop, DAOS_PROP_CO_REDUN_LVL, "(7)");

	assert_int_equal(daos_prop_entry_to_str(&prop->dpp_entries[0], tiny, sizeof(tiny)),
			 -DER_TRUNC);
	assert_int_equal(daos_prop_entry_to_str(NULL, tiny, sizeof(tiny)), -DER_INVAL);
	prop->dpp_entries[0].dpe_type = 77;
	assert_int_equal(daos_prop_entry_to_str(&prop->dpp_entries[0], tiny, sizeof(tiny)),
			 -DER_INVAL);
	prop->dpp_entries[0].dpe_type = DAOS_PROP_CO_LAYOUT_TYPE;
	daos_prop_free(prop);
}

/* What a value prints as parses back to the same value. */
static void
test_round_trip(void **state)
{
	static const struct {
		bool pool;
		const char *kv;
	} cases[] = {
		{false, "cksum:adler32"},
		{false, "cksum_size:1MiB"},
		{false, "compression:deflate3"},
		{false, "encryption:off"},
		{false, "dedup:off"},
		{false, "ec_cell_sz:128KiB"},
		{false, "srv_cksum:off"},
		{false, "label:a.b_c:d-9"},
		{true, "reclaim:time"},
		{true, "scrub:lazy"},
		{true, "self_heal:rebuild"},
		{true, "space_rb:50"},
		{true, "checkpoint:disabled"},
		{true, "svc_rf:0"},
		{true, "ec_cell_sz:1GiB"},
	};
	const struct daos_prop_desc *d;
	struct daos_prop_entry back;
	daos_prop_t *prop = NULL;
	char buf[128];
	char *pct;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		assert_int_equal(daos_prop_parse_kv(cases[i].kv, cases[i].pool, 0, &prop, NULL, 0),
				 0);
		assert_int_equal(daos_prop_entry_to_str(&prop->dpp_entries[0], buf, sizeof(buf)),
				 0);
		pct = strchr(buf, '%');
		if (pct != NULL)
			*pct = '\0';
		d = daos_prop_desc_by_type(prop->dpp_entries[0].dpe_type);
		assert_int_equal(daos_prop_entry_from_str(d, buf, &back), 0);
		assert_int_equal(back.dpe_type, prop->dpp_entries[0].dpe_type);
		if (daos_prop_has_str(&back)) {
			assert_string_equal(back.dpe_str, prop->dpp_entries[0].dpe_str);
			free(back.dpe_str);
		} else {
			assert_true(back.dpe_val == prop->dpp_entries[0].dpe_val);
		}
		daos_prop_free(prop);
		prop = NULL;
	}
}

static void
test_table_fprint(void **state)
{
	const char *titles[] = {"Pool", "Size", "Used"};
	const char *cells[] = {"tank", "4.0 GB", "0%", "a_much_longer_name", NULL, "12%"};
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	assert_int_equal(daos_table_fprint(f, 3, titles, cells, 2), 0);
	assert_int_equal(daos_table_fprint(f, 3, titles, NULL, 0), 0);
	fclose(f);
	assert_string_equal(text, "Pool               Size   Used \n"
				  "----               ----   ---- \n"
				  "tank               4.0 GB 0%   \n"
				  "a_much_longer_name None   12%  \n"
				  "Pool Size Used \n"
				  "---- ---- ---- \n");
	free(text);
	assert_int_equal(daos_table_fprint(NULL, 3, titles, cells, 2), -DER_INVAL);
	assert_int_equal(daos_table_fprint(stdout, 0, titles, cells, 2), -DER_INVAL);
}

static void
test_table(void **state)
{
	daos_prop_t *prop = daos_prop_alloc_listed(false);
	daos_prop_t *pool = daos_prop_alloc_listed(true);
	char *text = NULL;
	size_t len = 0;
	FILE *f;
	uint32_t i;

	assert_non_null(prop);
	assert_non_null(pool);
	/* 24 container properties printed by default, ACL last; 23 pool ones */
	assert_int_equal(prop->dpp_nr, 24);
	assert_int_equal(prop->dpp_entries[0].dpe_type, DAOS_PROP_CO_ALLOCED_OID);
	assert_int_equal(prop->dpp_entries[prop->dpp_nr - 1].dpe_type, DAOS_PROP_CO_ACL);
	assert_int_equal(pool->dpp_nr, 23);
	daos_prop_free(pool);

	/* what a fresh container would report */
	for (i = 0; i < prop->dpp_nr; i++) {
		struct daos_prop_entry *e = &prop->dpp_entries[i];

		switch (e->dpe_type) {
		case DAOS_PROP_CO_LABEL:
			e->dpe_str = strdup("mycont");
			break;
		case DAOS_PROP_CO_OWNER:
		case DAOS_PROP_CO_OWNER_GROUP:
			e->dpe_str = strdup("jlombard@");
			break;
		case DAOS_PROP_CO_ACL:
			e->dpe_val_ptr = daos_acl_default_cont();
			break;
		case DAOS_PROP_CO_CSUM_CHUNK_SIZE:
			e->dpe_val = 32768;
			break;
		case DAOS_PROP_CO_DEDUP_THRESHOLD:
			e->dpe_val = 4096;
			break;
		case DAOS_PROP_CO_EC_CELL_SZ:
			e->dpe_val = 65536;
			break;
		case DAOS_PROP_CO_REDUN_LVL:
			e->dpe_val = DAOS_PROP_CO_REDUN_NODE;
			break;
		case DAOS_PROP_CO_PERF_DOMAIN:
			e->dpe_val = DAOS_PROP_PERF_DOMAIN_ROOT;
			break;
		case DAOS_PROP_CO_LAYOUT_VER:
		case DAOS_PROP_CO_EC_PDA:
		case DAOS_PROP_CO_RP_PDA:
		case DAOS_PROP_CO_OBJ_VERSION:
			e->dpe_val = 1;
			break;
		case DAOS_PROP_CO_GLOBAL_VERSION:
			e->dpe_val = 2;
			break;
		default:
			break;
		}
	}
	{
		/* rows as DAOS prints them; the columns are 48 and 35 wide (+1 space each) */
		static const char *rows[][2] = {
			{"Name", "Value"},
			{"----", "-----"},
			{"Highest Allocated OID (alloc_oid)", "0"},
			{"Checksum (cksum)", "off"},
			{"Checksum Chunk Size (cksum_size)", "32 KiB"},
			{"Compression (compression)", "off"},
			{"Deduplication (dedup)", "off"},
			{"Dedupe Threshold (dedup_threshold)", "4.0 KiB"},
			{"EC Cell Size (ec_cell_sz)", "64 KiB"},
			{"Performance domain affinity level of EC (ec_pda)", "1"},
			{"Encryption (encryption)", "off"},
			{"Global Version (global_version)", "2"},
			{"Group (group)", "jlombard@"},
			{"Label (label)", "mycont"},
			{"Layout Type (layout_type)", "unknown (0)"},
			{"Layout Version (layout_version)", "1"},
			{"Max Snapshot (max_snapshot)", "0"},
			{"Object Version (obj_version)", "1"},
			{"Owner (owner)", "jlombard@"},
			{"Performance domain level (perf_domain)", "root (255)"},
			{"Redundancy Factor (rd_fac)", "rd_fac0"},
			{"Redundancy Level (rd_lvl)", "node (2)"},
			{"Performance domain affinity level of RP (rp_pda)", "1"},
			{"Server Checksumming (srv_cksum)", "off"},
			{"Health (status)", "HEALTHY"},
			{"Access Control List (acl)", "A::OWNER@:rwdtTaAo, A:G:GROUP@:rwtT"},
		};
		char expect[8192];
		size_t off = 0;

		for (i = 0; i < ARRAY_SIZE(rows); i++)
			off += snprintf(expect + off, sizeof(expect) - off, "%-48s %-35s \n",
					rows[i][0], rows[i][1]);
		f = open_memstream(&text, &len);
		assert_int_equal(daos_prop_print_table(f, prop), 0);
		fclose(f);
		assert_string_equal(text, expect);
	}
	free(text);
	assert_int_equal(daos_prop_print_table(NULL, prop), -DER_INVAL);
	daos_prop_free(prop);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_property_named),
		cmocka_unit_test(test_cont_kv),
		cmocka_unit_test(test_cont_kv_bad),
		cmocka_unit_test(test_pool_kv),
		cmocka_unit_test(test_print_readonly),
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_table_fprint),
	};

	return cmocka_run_group_tests_name("common_prop_str", tests, NULL, NULL);
}
