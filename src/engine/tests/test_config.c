/* daos_server.yml parsing: the minimal example, defaults, and rejected input. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include <gurt/common.h>
#include "../srv_internal.h"

static char dir[] = "/tmp/engine_cfg.XXXXXX";

static const char *minimal = "name: daos_server\n"
			     "port: 10001\n"
			     "access_points: [\"127.0.0.1:10001\"]\n"
			     "provider: \"ofi+tcp;ofi_rxm\"\n"
			     "engines:\n"
			     "  - targets: 2\n"
			     "    fabric_iface: lo\n"
			     "    fabric_iface_port: 31416\n"
			     "    log_file: /tmp/daos_engine.0.log\n"
			     "    storage:\n"
			     "      - class: ram\n"
			     "        scm_mount: /tmp/daos/scm\n"
			     "        scm_size: 4\n"
			     "      - class: file\n"
			     "        bdev_list: [\"/tmp/daos/bdev\"]\n"
			     "        bdev_size: 16\n";

/* Write \a text to a file, parse it; errors go to a memory stream returned in \a err. */
static int
load(const char *text, struct dss_srv_config *cfg, char **err)
{
	char path[256];
	size_t len;
	FILE *f, *e;
	int rc;

	snprintf(path, sizeof(path), "%s/s.yml", dir);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	e = open_memstream(err, &len);
	assert_non_null(e);
	rc = dss_config_load(path, "/tmp/x", cfg, e);
	fclose(e);
	return rc;
}

static void
test_minimal(void **state)
{
	struct dss_srv_config cfg;
	char *err = NULL;

	assert_int_equal(load(minimal, &cfg, &err), 0);
	assert_string_equal(err, "");
	assert_string_equal(cfg.sc_sys_name, "daos_server");
	assert_int_equal(cfg.sc_port, 10001);
	assert_int_equal(cfg.sc_targets, 2);
	assert_int_equal(cfg.sc_fabric_iface_port, 31416);
	assert_string_equal(cfg.sc_fabric_iface, "lo");
	assert_string_equal(cfg.sc_scm_mount, "/tmp/daos/scm");
	assert_string_equal(cfg.sc_bdev_path, "/tmp/daos/bdev");
	assert_true(cfg.sc_scm_size == 4ULL << 30);
	assert_true(cfg.sc_bdev_size == 16ULL << 30);
	assert_int_equal(cfg.sc_nr_access_points, 1);
	assert_string_equal(cfg.sc_access_points[0], "127.0.0.1:10001");
	assert_string_equal(cfg.sc_log_file, "/tmp/daos_engine.0.log");
	dss_config_fini(&cfg);
	free(err);
}

static void
test_default(void **state)
{
	struct dss_srv_config cfg;

	assert_int_equal(dss_config_load(NULL, "/srv/d", &cfg, stderr), 0);
	assert_int_equal(cfg.sc_port, 10001);
	assert_int_equal(cfg.sc_targets, 2);
	assert_int_equal(cfg.sc_fabric_iface_port, 10002);
	assert_string_equal(cfg.sc_scm_mount, "/srv/d/scm");
	assert_string_equal(cfg.sc_bdev_path, "/srv/d/bdev");
	assert_string_equal(cfg.sc_access_points[0], "127.0.0.1:10001");
	dss_config_fini(&cfg);
}

static void
test_one_tier(void **state)
{
	struct dss_srv_config cfg;
	char *err = NULL;

	assert_int_equal(load("engines:\n  - targets: 4\n    storage:\n      - class: dcpm\n"
			      "        scm_mount: /mnt/pm\n",
			      &cfg, &err),
			 0);
	assert_string_equal(cfg.sc_bdev_path, "/mnt/pm");
	assert_int_equal(cfg.sc_targets, 4);
	dss_config_fini(&cfg);
	free(err);
}

/* Each bad input fails, and the message names the line and the key. */
static void
expect_error(const char *text, const char *line, const char *words)
{
	struct dss_srv_config cfg;
	char *err = NULL;

	assert_int_not_equal(load(text, &cfg, &err), 0);
	if (strstr(err, line) == NULL || strstr(err, words) == NULL)
		fail_msg("error \"%s\" lacks \"%s\" or \"%s\"", err, line, words);
	dss_config_fini(&cfg);
	free(err);
}

static void
test_errors(void **state)
{
	expect_error("name: x\nbogus: 1\n", ":2:", "unknown key \"bogus\"");
	expect_error("port: 99999\n", ":1:", "port");
	expect_error("port: abc\n", ":1:", "not an integer");
	expect_error("engines:\n  - targets: 0\n", ":2:", "targets");
	expect_error("engines:\n  - targets: 2\n    colour: red\n",
		     ":3:", "unknown key \"colour\"");
	expect_error("engines:\n  - storage:\n      - class: nvme\n        bdev_list: [/a]\n",
		     ":3:", "class");
	expect_error("engines:\n  - storage:\n      - class: ram\n", ":3:", "scm_mount");
	expect_error("name: [a\n", ":", "YAML syntax error");
	expect_error("engines:\n  - targets: 1\n  - targets: 1\n", ":2:", "one engine");
	expect_error("provider: tcp\n", ":1:", "provider");
	expect_error("port: 10001\nengines:\n  - fabric_iface_port: 10000\n    targets: 4\n", "",
		     "collides");
}

static int
setup(void **state)
{
	return mkdtemp(dir) == NULL ? -1 : 0;
}

static int
teardown(void **state)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/s.yml", dir);
	unlink(path);
	return rmdir(dir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_minimal),
		cmocka_unit_test(test_default),
		cmocka_unit_test(test_one_tier),
		cmocka_unit_test(test_errors),
	};

	return cmocka_run_group_tests_name("engine_config", tests, setup, teardown);
}
