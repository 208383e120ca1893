/**
 * Host lists read from YAML configuration files (mgmt_yaml_hosts): daos_agent.yml's
 * access_points and daos_control.yml's hostlist, good and damaged.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include <gurt/common.h>
#include "rpc.h"

static char yh_dir[] = "/tmp/mgmt_yaml.XXXXXX";
static char yh_path[64];

static int
yh_read(const char *text, const char *key, char ***hosts, int *nr, char *err, size_t len)
{
	FILE *f = fopen(yh_path, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	return mgmt_yaml_hosts(yh_path, key, 10001, hosts, nr, err, len);
}

static void
test_lists(void **state)
{
	char err[256], **h;
	int nr;

	assert_int_equal(yh_read("name: x\nport: 10005\nhostlist: [a, 'b:7', ' c ']\n", "hostlist",
				 &h, &nr, err, sizeof(err)),
			 0);
	assert_int_equal(nr, 3);
	assert_string_equal(h[0], "a:10005");
	assert_string_equal(h[1], "b:7");
	assert_string_equal(h[2], "c:10005");
	mgmt_hosts_free(h, nr);

	/* one string, a port out of range falls back to the default */
	assert_int_equal(yh_read("access_points: host1\nport: 99999\n", "access_points", &h, &nr,
				 err, sizeof(err)),
			 0);
	assert_int_equal(nr, 1);
	assert_string_equal(h[0], "host1:10001");
	mgmt_hosts_free(h, nr);

	/* no such key: nothing, no error */
	assert_int_equal(yh_read("port: 1\n", "hostlist", &h, &nr, err, sizeof(err)), 0);
	assert_int_equal(nr, 0);
	assert_null(h);
}

static void
test_damaged(void **state)
{
	char err[256], **h;
	int nr;

	assert_int_equal(mgmt_yaml_hosts("/nonexistent/daos_control.yml", "hostlist", 1, &h, &nr,
					 err, sizeof(err)),
			 -DER_NONEXIST);
	assert_int_equal(yh_read("hostlist: [a\n", "hostlist", &h, &nr, err, sizeof(err)),
			 -DER_INVAL);
	assert_non_null(strstr(err, "YAML syntax error"));
	/* entries that are not strings, a mapping as the list */
	assert_int_equal(yh_read("hostlist: [a, [b]]\n", "hostlist", &h, &nr, err, sizeof(err)),
			 -DER_INVAL);
	assert_non_null(strstr(err, "hostlist must be a list"));
	assert_int_equal(nr, 0);
	assert_int_equal(yh_read("hostlist: {a: 1}\n", "hostlist", &h, &nr, err, sizeof(err)),
			 -DER_INVAL);
	/* keys that are not strings are skipped, not dereferenced */
	assert_int_equal(yh_read("[x]: 1\n{y: 2}: 3\nhostlist: [z]\n", "hostlist", &h, &nr, err,
				 sizeof(err)),
			 0);
	assert_int_equal(nr, 1);
	mgmt_hosts_free(h, nr);
	/* a top level that is not a mapping, an empty file */
	assert_int_equal(yh_read("- a\n- b\n", "hostlist", &h, &nr, err, sizeof(err)), 0);
	assert_int_equal(nr, 0);
	assert_int_equal(yh_read("", "hostlist", &h, &nr, err, sizeof(err)), 0);
	assert_int_equal(nr, 0);
	/* a host name longer than 255 bytes */
	{
		char big[400];

		strcpy(big, "hostlist: ");
		memset(big + 10, 'h', 300);
		strcpy(big + 310, "\n");
		assert_int_equal(yh_read(big, "hostlist", &h, &nr, err, sizeof(err)), -DER_INVAL);
		assert_int_equal(nr, 0);
	}
}

static int
setup(void **state)
{
	if (mkdtemp(yh_dir) == NULL)
		return -1;
	snprintf(yh_path, sizeof(yh_path), "%s/c.yml", yh_dir);
	return 0;
}

static int
teardown(void **state)
{
	unlink(yh_path);
	rmdir(yh_dir);
	return 0;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lists),
		cmocka_unit_test(test_damaged),
	};

	return cmocka_run_group_tests_name("mgmt_yaml_hosts", tests, setup, teardown);
}
