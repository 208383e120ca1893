/* Unit tests of the daos tool's argument, attribute, epoch and create-option parsing. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include <gurt/common.h>
#include <daos/prop.h>
#include "../daos_cli.h"
#include "../daos_cont_internal.h"

#define ALL_OPTS (~0ULL)

static int
parse(uint64_t allowed, struct dargs *a, char *err, ...)
{
	char *argv[32];
	va_list ap;
	int argc = 0;
	char *w;

	va_start(ap, err);
	while ((w = va_arg(ap, char *)) != NULL)
		argv[argc++] = w;
	va_end(ap);
	return dargs_parse(argc, argv, allowed, a, err, 256);
}

static void
test_positional_and_flags(void **state)
{
	struct dargs a;
	char err[256];

	/* daos cont create --oclass=RP_3GX --properties=rf:1 --type POSIX --pool sxb --label sxb */
	assert_int_equal(parse(ALL_OPTS, &a, err, "--oclass=RP_3GX", "--properties=rf:1", "--type",
			       "POSIX", "--pool", "sxb", "--label", "sxb", NULL),
			 0);
	assert_int_equal(a.npos, 0);
	assert_string_equal(a.opt[O_OCLASS], "RP_3GX");
	assert_string_equal(a.opt[O_PROPS], "rf:1");
	assert_string_equal(a.opt[O_TYPE], "POSIX");
	assert_string_equal(a.opt[O_POOL], "sxb");
	assert_string_equal(a.opt[O_LABEL], "sxb");

	/* daos cont create sxb --type POSIX sxb: options between positionals */
	assert_int_equal(parse(OPT(O_TYPE), &a, err, "sxb", "--type", "POSIX", "sxb", NULL), 0);
	assert_int_equal(a.npos, 2);
	assert_string_equal(a.pos[0], "sxb");
	assert_string_equal(a.pos[1], "sxb");

	/* short options with attached and separate values; flags */
	assert_int_equal(parse(OPT(O_TYPE) | OPT(O_CHUNK) | OPT(O_VERBOSE), &a, err, "-tPOSIX",
			       "-z", "4M", "-v", "p", NULL),
			 0);
	assert_string_equal(a.opt[O_TYPE], "POSIX");
	assert_string_equal(a.opt[O_CHUNK], "4M");
	assert_string_equal(a.opt[O_VERBOSE], "");
	assert_int_equal(a.npos, 1);

	/* --container is --cont; "--" ends options */
	assert_int_equal(parse(OPT(O_CONT), &a, err, "--container", "c1", "--", "-x", NULL), 0);
	assert_string_equal(a.opt[O_CONT], "c1");
	assert_int_equal(a.npos, 1);
	assert_string_equal(a.pos[0], "-x");

	/* the same letter means what the command allows: -f force vs file-oclass */
	assert_int_equal(parse(OPT(O_FORCE), &a, err, "-f", NULL), 0);
	assert_non_null(a.opt[O_FORCE]);
	assert_int_equal(parse(OPT(O_FILE_OCLASS), &a, err, "-f", "SX", NULL), 0);
	assert_string_equal(a.opt[O_FILE_OCLASS], "SX");
	/* -v is --value for set-attr, --verbose elsewhere */
	assert_int_equal(parse(OPT(O_VALUE) | OPT(O_VERBOSE), &a, err, "-v", "x", NULL), 0);
	assert_string_equal(a.opt[O_VALUE], "x");
	assert_null(a.opt[O_VERBOSE]);
}

static void
test_bad_flags(void **state)
{
	struct dargs a;
	char err[256];

	assert_int_equal(parse(OPT(O_POOL), &a, err, "--oclass", "S1", NULL), -DER_INVAL);
	assert_non_null(strstr(err, "--oclass"));
	assert_int_equal(parse(OPT(O_POOL), &a, err, "--pool", NULL), -DER_INVAL);
	assert_non_null(strstr(err, "expected argument"));
	assert_int_equal(parse(OPT(O_FORCE), &a, err, "--force=yes", NULL), -DER_INVAL);
	assert_int_equal(parse(OPT(O_FORCE), &a, err, "-q", NULL), -DER_INVAL);
	assert_int_equal(parse(OPT(O_FORCE), &a, err, "-fx", NULL), -DER_INVAL);
	/* a prefix is not a flag (DAOS's go-flags does not abbreviate) */
	assert_int_equal(parse(OPT(O_PROPS), &a, err, "--prop", "x", NULL), -DER_INVAL);
}

static void
test_attrs(void **state)
{
	struct dattr *at;
	int nr;

	assert_int_equal(dattr_parse("a:1,b:x:y,c:", &at, &nr), 0);
	assert_int_equal(nr, 3);
	assert_string_equal(at[0].name, "a");
	assert_string_equal(at[0].value, "1");
	/* only the first ':' separates */
	assert_string_equal(at[1].name, "b");
	assert_string_equal(at[1].value, "x:y");
	assert_string_equal(at[2].value, "");
	dattr_free(at, nr);

	assert_int_equal(dattr_parse("novalue", &at, &nr), -DER_INVAL);
	assert_int_equal(dattr_parse(":v", &at, &nr), -DER_INVAL);
	assert_int_equal(dattr_parse("a:1,a:2", &at, &nr), -DER_INVAL);
	assert_int_equal(dattr_parse("", &at, &nr), -DER_INVAL);
	assert_int_equal(dattr_parse(",,", &at, &nr), -DER_INVAL);
	assert_int_equal(dattr_parse(NULL, &at, &nr), -DER_INVAL);

	assert_int_equal(dattr_parse_names("k1,k2", &at, &nr), 0);
	assert_int_equal(nr, 2);
	assert_string_equal(at[1].name, "k2");
	assert_null(at[1].value);
	dattr_free(at, nr);
	assert_int_equal(dattr_parse_names("k1,k1", &at, &nr), -DER_INVAL);
}

static void
test_epochs(void **state)
{
	daos_epoch_range_t r;

	assert_int_equal(depc_range_parse("5-9", &r), 0);
	assert_int_equal(r.epr_lo, 5);
	assert_int_equal(r.epr_hi, 9);
	assert_int_equal(depc_range_parse("0x10", &r), 0);
	assert_int_equal(r.epr_lo, 16);
	assert_int_equal(r.epr_hi, 16);
	assert_int_equal(depc_range_parse("9-5", &r), -DER_INVAL);
	assert_int_equal(depc_range_parse("a-5", &r), -DER_INVAL);
	assert_int_equal(depc_range_parse("5-", &r), -DER_INVAL);
	assert_int_equal(depc_range_parse("", &r), -DER_INVAL);
	assert_int_equal(depc_range_parse("-3", &r), -DER_INVAL);
}

static void
test_types(void **state)
{
	uint16_t t;

	assert_int_equal(dtype_parse("POSIX", &t), 0);
	assert_int_equal(t, DAOS_PROP_CO_LAYOUT_POSIX);
	assert_int_equal(dtype_parse("hdf5", &t), 0);
	assert_int_equal(t, DAOS_PROP_CO_LAYOUT_HDF5);
	assert_int_equal(dtype_parse("PYTHON", &t), 0);
	assert_int_equal(t, DAOS_PROP_CO_LAYOUT_PYTHON);
	assert_int_equal(dtype_parse("nosuch", &t), -DER_INVAL);
}

static int
create_args(struct dcont_create *cc, char *err, ...)
{
	struct dargs a;
	char *argv[32];
	va_list ap;
	int argc = 0, rc;
	char *w;

	va_start(ap, err);
	while ((w = va_arg(ap, char *)) != NULL)
		argv[argc++] = w;
	va_end(ap);
	rc = dargs_parse(argc, argv, ALL_OPTS, &a, err, 256);
	if (rc != 0)
		return rc;
	return dcont_create_args(&a, cc, err, 256);
}

static void
test_create_args(void **state)
{
	struct dcont_create cc;
	struct daos_prop_entry *e;
	char err[256];

	/* the seed notes' older form */
	assert_int_equal(create_args(&cc, err, "--oclass=RP_3GX", "--properties=rf:1", "--type",
				     "POSIX", "--pool", "sxb", "--label", "sxb", NULL),
			 0);
	assert_string_equal(cc.pool, "sxb");
	assert_string_equal(cc.label, "sxb");
	assert_int_equal(cc.oclass, OC_RP_3GX);
	assert_true(cc.rf_set);
	assert_int_equal(cc.rf, 1);
	e = daos_prop_entry_get(cc.prop, DAOS_PROP_CO_REDUN_FAC);
	assert_non_null(e);
	assert_int_equal(e->dpe_val, DAOS_PROP_CO_REDUN_RF1);
	e = daos_prop_entry_get(cc.prop, DAOS_PROP_CO_LAYOUT_TYPE);
	assert_non_null(e);
	assert_int_equal(e->dpe_val, DAOS_PROP_CO_LAYOUT_POSIX);
	dcont_create_fini(&cc);

	/* current form: create POOL LABEL; label from --properties */
	assert_int_equal(create_args(&cc, err, "sxb", "--type", "POSIX", "c1", NULL), 0);
	assert_string_equal(cc.label, "c1");
	dcont_create_fini(&cc);
	assert_int_equal(create_args(&cc, err, "sxb", "--properties", "label:c2,cksum:crc32", NULL),
			 0);
	assert_string_equal(cc.label, "c2");
	assert_null(daos_prop_entry_get(cc.prop, DAOS_PROP_CO_LABEL));
	assert_non_null(daos_prop_entry_get(cc.prop, DAOS_PROP_CO_CSUM));
	dcont_create_fini(&cc);

	/* errors */
	assert_int_equal(create_args(&cc, err, NULL), -DER_INVAL);
	dcont_create_fini(&cc);
	assert_int_equal(create_args(&cc, err, "p", "c", "--properties", "label:x", NULL),
			 -DER_INVAL);
	assert_non_null(strstr(err, "label"));
	dcont_create_fini(&cc);
	assert_int_equal(create_args(&cc, err, "p", "--type", "POSIX", "--oclass", "RP_9G1", NULL),
			 -DER_INVAL);
	assert_non_null(strstr(err, "object class"));
	dcont_create_fini(&cc);
	assert_int_equal(create_args(&cc, err, "p", "--type", "NOPE", NULL), -DER_INVAL);
	dcont_create_fini(&cc);
	assert_int_equal(create_args(&cc, err, "p", "--properties", "rd_fac:9", NULL), -DER_INVAL);
	dcont_create_fini(&cc);
	assert_int_equal(create_args(&cc, err, "p", "--properties", "nosuch:1", NULL), -DER_INVAL);
	dcont_create_fini(&cc);
	/* layout_type is read-only */
	assert_int_equal(create_args(&cc, err, "p", "--properties", "layout_type:1", NULL),
			 -DER_INVAL);
	dcont_create_fini(&cc);
	assert_int_equal(create_args(&cc, err, "p", "--oclass", "SX", NULL), -DER_INVAL);
	assert_non_null(strstr(err, "POSIX"));
	dcont_create_fini(&cc);
	assert_int_equal(create_args(&cc, err, "p", "--type", "POSIX", "--chunk-size", "0", NULL),
			 -DER_INVAL);
	dcont_create_fini(&cc);
	assert_int_equal(create_args(&cc, err, "p", "bad label!", NULL), -DER_INVAL);
	dcont_create_fini(&cc);
	/* S1 cannot survive one failure; RP_2G1 survives one, not two */
	assert_int_equal(create_args(&cc, err, "p", "--type", "POSIX", "--oclass", "S1",
				     "--properties", "rd_fac:1", NULL),
			 -DER_INVAL);
	dcont_create_fini(&cc);
	assert_int_equal(create_args(&cc, err, "p", "--type", "POSIX", "--oclass", "RP_2G1",
				     "--properties", "rd_fac:1", NULL),
			 0);
	dcont_create_fini(&cc);
	assert_int_equal(create_args(&cc, err, "p", "--type", "POSIX", "--oclass", "RP_2G1",
				     "--properties", "rd_fac:2", NULL),
			 -DER_INVAL);
	dcont_create_fini(&cc);
	assert_int_equal(create_args(&cc, err, "p", "--type", "POSIX", "--oclass", "EC_4P2G1",
				     "--chunk-size", "1MiB", "--properties", "rd_fac:2", NULL),
			 0);
	assert_int_equal(cc.chunk_size, 1 << 20);
	dcont_create_fini(&cc);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_positional_and_flags),
		cmocka_unit_test(test_bad_flags),
		cmocka_unit_test(test_attrs),
		cmocka_unit_test(test_epochs),
		cmocka_unit_test(test_types),
		cmocka_unit_test(test_create_args),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
