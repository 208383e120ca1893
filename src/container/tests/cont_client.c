/*
 * Client of the container system tests (tests/system/cont_*.sh). Modes:
 *   cont_client POOL                    the whole container API, checked
 *   cont_client --create POOL LABEL     a container with properties, attributes, snapshot
 *   cont_client --check POOL LABEL      ... still there with the same values (after restarts)
 *   cont_client --expect-no-perm POOL LABEL
 *                                       as uid/gid 65534: open and create refused
 *   cont_client --grant-read POOL LABEL add A::EVERYONE@:r to the container's ACL
 *   cont_client --expect-read-only POOL LABEL
 *                                       as uid/gid 65534: read-only open and reads work,
 *                                       writes and read-write opens are refused
 *   cont_client --stress POOL ID N      create N containers "s<ID>-<i>", destroy the odd ones
 *   cont_client --count POOL PREFIX N   exactly N containers whose label starts with PREFIX,
 *                                       no label twice
 *   cont_client --bench POOL N          N rounds of create, open, query, close, destroy: rates
 * Exit 0 on success.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <grp.h>
#include <time.h>
#include <daos.h>
#include <gurt/common.h>

#define CHECK(cond, ...)                                                     \
	do {                                                                 \
		if (!(cond)) {                                               \
			fprintf(stderr, "cont_client: line %d: ", __LINE__); \
			fprintf(stderr, __VA_ARGS__);                        \
			fprintf(stderr, "\n");                               \
			exit(1);                                             \
		}                                                            \
	} while (0)

static const char *attr_names[] = {"color", "size"};
static const void *attr_values[] = {"blue", "42"};
static size_t attr_sizes[] = {4, 2};

static daos_handle_t
cc_connect(const char *pool, unsigned int flags)
{
	daos_handle_t poh;
	int rc;

	rc = daos_pool_connect(pool, NULL, flags, &poh, NULL, NULL);
	CHECK(rc == 0, "connect %s: %d", pool, rc);
	return poh;
}

static struct daos_prop_entry *
entry(daos_prop_t *prop, uint32_t type)
{
	struct daos_prop_entry *e = daos_prop_entry_get(prop, type);

	CHECK(e != NULL, "property %#x missing", type);
	return e;
}

static daos_prop_t *
create_props(void)
{
	daos_prop_t *prop = daos_prop_alloc(3);

	CHECK(prop != NULL, "prop alloc");
	prop->dpp_entries[0].dpe_type = DAOS_PROP_CO_LAYOUT_TYPE;
	prop->dpp_entries[0].dpe_val = DAOS_PROP_CO_LAYOUT_POSIX;
	prop->dpp_entries[1].dpe_type = DAOS_PROP_CO_CSUM;
	prop->dpp_entries[1].dpe_val = DAOS_PROP_CO_CSUM_CRC32;
	prop->dpp_entries[2].dpe_type = DAOS_PROP_CO_REDUN_FAC;
	prop->dpp_entries[2].dpe_val = DAOS_PROP_CO_REDUN_RF1;
	return prop;
}

static void
check_attrs(daos_handle_t coh)
{
	char b0[16] = "", b1[16] = "";
	void *bufs[] = {b0, b1};
	size_t sizes[] = {sizeof(b0), sizeof(b1)};
	int rc;

	rc = daos_cont_get_attr(coh, 2, attr_names, bufs, sizes, NULL);
	CHECK(rc == 0 && sizes[0] == 4 && memcmp(b0, "blue", 4) == 0 && sizes[1] == 2 &&
		      memcmp(b1, "42", 2) == 0,
	      "get_attr: %d", rc);
}

static void
check_props(daos_handle_t coh, const char *label)
{
	daos_prop_t *prop = daos_prop_alloc(0);
	int rc;

	rc = daos_cont_query(coh, NULL, prop, NULL);
	CHECK(rc == 0, "query props: %d", rc);
	CHECK(strcmp(entry(prop, DAOS_PROP_CO_LABEL)->dpe_str, label) == 0, "label");
	CHECK(entry(prop, DAOS_PROP_CO_LAYOUT_TYPE)->dpe_val == DAOS_PROP_CO_LAYOUT_POSIX,
	      "layout");
	CHECK(entry(prop, DAOS_PROP_CO_CSUM)->dpe_val == DAOS_PROP_CO_CSUM_CRC32, "csum");
	CHECK(entry(prop, DAOS_PROP_CO_REDUN_FAC)->dpe_val == DAOS_PROP_CO_REDUN_RF1, "rf");
	CHECK(entry(prop, DAOS_PROP_CO_ACL)->dpe_val_ptr != NULL, "acl");
	daos_prop_free(prop);
}

/* A container with properties, attributes and one named snapshot (restart tests). */
static int
mode_create(const char *pool, const char *label)
{
	daos_handle_t poh = cc_connect(pool, DAOS_PC_RW), coh;
	daos_prop_t *prop = create_props();
	daos_epoch_t epoch;
	int rc;

	rc = daos_cont_create_with_label(poh, label, prop, NULL, NULL);
	CHECK(rc == 0, "create %s: %d", label, rc);
	daos_prop_free(prop);
	rc = daos_cont_open(poh, label, DAOS_COO_RW, &coh, NULL, NULL);
	CHECK(rc == 0, "open: %d", rc);
	rc = daos_cont_set_attr(coh, 2, attr_names, attr_values, attr_sizes, NULL);
	CHECK(rc == 0, "set_attr: %d", rc);
	rc = daos_cont_create_snap(coh, &epoch, "before-restart", NULL);
	CHECK(rc == 0, "snapshot: %d", rc);
	CHECK(daos_cont_close(coh, NULL) == 0, "close");
	CHECK(daos_pool_disconnect(poh, NULL) == 0, "disconnect");
	printf("cont_client: created %s\n", label);
	return 0;
}

static int
mode_check(const char *pool, const char *label)
{
	daos_handle_t poh = cc_connect(pool, DAOS_PC_RW), coh;
	char name[DAOS_SNAPSHOT_MAX_LEN], *names[] = {name};
	daos_cont_info_t info;
	daos_anchor_t anchor = {0};
	daos_epoch_t epochs[1];
	int n = 1, rc;

	rc = daos_cont_open(poh, label, DAOS_COO_RO, &coh, &info, NULL);
	CHECK(rc == 0, "open %s: %d", label, rc);
	CHECK(info.ci_nsnapshots == 1 && info.ci_nhandles == 1, "info: %u snapshots, %u handles",
	      info.ci_nsnapshots, info.ci_nhandles);
	check_props(coh, label);
	check_attrs(coh);
	rc = daos_cont_list_snap(coh, &n, epochs, names, &anchor, NULL);
	CHECK(rc == 0 && n == 1 && strcmp(name, "before-restart") == 0 &&
		      epochs[0] == info.ci_lsnapshot,
	      "list_snap: %d n %d", rc, n);
	CHECK(daos_cont_close(coh, NULL) == 0, "close");
	CHECK(daos_pool_disconnect(poh, NULL) == 0, "disconnect");
	printf("cont_client: %s intact\n", label);
	return 0;
}

static void
drop_privileges(void)
{
	if (geteuid() == 0)
		CHECK(setgroups(0, NULL) == 0 && setegid(65534) == 0 && seteuid(65534) == 0,
		      "cannot drop privileges");
}

static int
mode_no_perm(const char *pool, const char *label)
{
	daos_handle_t poh, coh;
	int rc;

	drop_privileges();
	/* the pool ACL lets everyone read: connect, but the container is the owner's */
	poh = cc_connect(pool, DAOS_PC_RO);
	rc = daos_cont_open(poh, label, DAOS_COO_RO, &coh, NULL, NULL);
	CHECK(rc == -DER_NO_PERM, "open as a stranger: %d, expected -DER_NO_PERM", rc);
	rc = daos_cont_create_with_label(poh, "stranger", NULL, NULL, NULL);
	CHECK(rc == -DER_NO_PERM, "create through a read-only pool handle: %d", rc);
	rc = daos_cont_destroy(poh, label, 1, NULL);
	CHECK(rc == -DER_NO_PERM, "destroy through a read-only pool handle: %d", rc);
	CHECK(daos_pool_disconnect(poh, NULL) == 0, "disconnect");
	printf("cont_client: stranger refused as expected\n");
	return 0;
}

static int
mode_grant_read(const char *pool, const char *label)
{
	daos_handle_t poh = cc_connect(pool, DAOS_PC_RW), coh;
	const char *aces[] = {"A::EVERYONE@:r"};
	struct daos_acl *acl = NULL;
	int rc;

	rc = daos_cont_open(poh, label, DAOS_COO_RW, &coh, NULL, NULL);
	CHECK(rc == 0, "open: %d", rc);
	CHECK(daos_acl_from_strs(aces, 1, &acl) == 0, "acl");
	rc = daos_cont_update_acl(coh, acl, NULL);
	CHECK(rc == 0, "update_acl: %d", rc);
	daos_acl_free(acl);
	CHECK(daos_cont_close(coh, NULL) == 0, "close");
	CHECK(daos_pool_disconnect(poh, NULL) == 0, "disconnect");
	return 0;
}

static int
mode_read_only(const char *pool, const char *label)
{
	daos_handle_t poh, coh;
	daos_prop_t *prop;
	uint64_t oid;
	daos_epoch_t epoch;
	int rc;

	drop_privileges();
	poh = cc_connect(pool, DAOS_PC_RO);
	rc = daos_cont_open(poh, label, DAOS_COO_RW, &coh, NULL, NULL);
	CHECK(rc == -DER_NO_PERM, "read-write open as a reader: %d", rc);
	rc = daos_cont_open(poh, label, DAOS_COO_RO, &coh, NULL, NULL);
	CHECK(rc == 0, "read-only open as a reader: %d", rc);
	check_attrs(coh);
	rc = daos_cont_set_attr(coh, 2, attr_names, attr_values, attr_sizes, NULL);
	CHECK(rc == -DER_NO_PERM, "set_attr as a reader: %d", rc);
	rc = daos_cont_alloc_oids(coh, 1, &oid, NULL);
	CHECK(rc == -DER_NO_PERM, "alloc_oids as a reader: %d", rc);
	rc = daos_cont_create_snap(coh, &epoch, NULL, NULL);
	CHECK(rc == -DER_NO_PERM, "snapshot as a reader: %d", rc);
	/* r only: no get-prop, no get-acl */
	prop = daos_prop_alloc(0);
	rc = daos_cont_query(coh, NULL, prop, NULL);
	CHECK(rc == -DER_NO_PERM, "query properties as a reader: %d", rc);
	daos_prop_free(prop);
	rc = daos_cont_get_acl(coh, &prop, NULL);
	CHECK(rc == -DER_NO_PERM, "get_acl as a reader: %d", rc);
	prop = daos_prop_alloc(1);
	prop->dpp_entries[0].dpe_type = DAOS_PROP_CO_SNAPSHOT_MAX;
	prop->dpp_entries[0].dpe_val = 3;
	rc = daos_cont_set_prop(coh, prop, NULL);
	CHECK(rc == -DER_NO_PERM, "set_prop as a reader: %d", rc);
	daos_prop_free(prop);
	CHECK(daos_cont_close(coh, NULL) == 0, "close");
	CHECK(daos_pool_disconnect(poh, NULL) == 0, "disconnect");
	printf("cont_client: reader limited to reading as expected\n");
	return 0;
}

static int
mode_stress(const char *pool, const char *id, int n)
{
	daos_handle_t poh = cc_connect(pool, DAOS_PC_RW), coh;
	char label[64];
	int i, rc;

	for (i = 0; i < n; i++) {
		snprintf(label, sizeof(label), "s%s-%d", id, i);
		rc = daos_cont_create_with_label(poh, label, NULL, NULL, NULL);
		CHECK(rc == 0, "create %s: %d", label, rc);
		rc = daos_cont_open(poh, label, DAOS_COO_RW, &coh, NULL, NULL);
		CHECK(rc == 0, "open %s: %d", label, rc);
		CHECK(daos_cont_close(coh, NULL) == 0, "close");
	}
	for (i = 1; i < n; i += 2) {
		snprintf(label, sizeof(label), "s%s-%d", id, i);
		rc = daos_cont_destroy(poh, label, 0, NULL);
		CHECK(rc == 0, "destroy %s: %d", label, rc);
	}
	/* every client races for one label: exactly one wins */
	rc = daos_cont_create_with_label(poh, "shared", NULL, NULL, NULL);
	CHECK(rc == 0 || rc == -DER_EXIST, "create shared: %d", rc);
	if (rc == 0)
		printf("cont_client: won shared\n");
	CHECK(daos_pool_disconnect(poh, NULL) == 0, "disconnect");
	return 0;
}

static int
mode_count(const char *pool, const char *prefix, int expect)
{
	daos_handle_t poh = cc_connect(pool, DAOS_PC_RO);
	struct daos_pool_cont_info *buf;
	daos_size_t n = 0, i, j;
	int rc, found = 0;

	rc = daos_pool_list_cont(poh, &n, NULL, NULL);
	CHECK(rc == 0, "count: %d", rc);
	buf = calloc(n + 1, sizeof(*buf));
	CHECK(buf != NULL, "calloc");
	rc = daos_pool_list_cont(poh, &n, buf, NULL);
	CHECK(rc == 0, "list: %d", rc);
	for (i = 0; i < n; i++) {
		if (strncmp(buf[i].pci_label, prefix, strlen(prefix)) == 0)
			found++;
		for (j = i + 1; j < n; j++) {
			CHECK(strcmp(buf[i].pci_label, buf[j].pci_label) != 0,
			      "label %s listed twice", buf[i].pci_label);
			CHECK(uuid_compare(buf[i].pci_uuid, buf[j].pci_uuid) != 0, "uuid twice");
		}
	}
	CHECK(found == expect, "%d containers %s*, expected %d", found, prefix, expect);
	free(buf);
	CHECK(daos_pool_disconnect(poh, NULL) == 0, "disconnect");
	printf("cont_client: %d containers %s*\n", found, prefix);
	return 0;
}

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int
mode_bench(const char *pool, int n)
{
	daos_handle_t poh = cc_connect(pool, DAOS_PC_RW), coh;
	double t[6];
	daos_cont_info_t info;
	char label[32];
	uint64_t oid;
	int i, rc;

	CHECK(n > 0, "N > 0");
	t[0] = now_s();
	for (i = 0; i < n; i++) {
		snprintf(label, sizeof(label), "bench-%d", i);
		rc = daos_cont_create_with_label(poh, label, NULL, NULL, NULL);
		CHECK(rc == 0, "create: %d", rc);
	}
	t[1] = now_s();
	rc = daos_cont_open(poh, "bench-0", DAOS_COO_RW, &coh, NULL, NULL);
	CHECK(rc == 0, "open: %d", rc);
	for (i = 0; i < n; i++)
		CHECK(daos_cont_query(coh, &info, NULL, NULL) == 0, "query");
	t[2] = now_s();
	for (i = 0; i < n; i++)
		CHECK(daos_cont_alloc_oids(coh, 1, &oid, NULL) == 0, "alloc");
	t[3] = now_s();
	CHECK(daos_cont_close(coh, NULL) == 0, "close");
	for (i = 0; i < n; i++) {
		snprintf(label, sizeof(label), "bench-%d", i);
		CHECK(daos_cont_open(poh, label, DAOS_COO_RO, &coh, NULL, NULL) == 0, "open");
		CHECK(daos_cont_close(coh, NULL) == 0, "close");
	}
	t[4] = now_s();
	for (i = 0; i < n; i++) {
		snprintf(label, sizeof(label), "bench-%d", i);
		CHECK(daos_cont_destroy(poh, label, 0, NULL) == 0, "destroy");
	}
	t[5] = now_s();
	printf("create %.0f/s, query %.0f/s, alloc_oids %.0f/s, open+close %.0f/s, "
	       "destroy %.0f/s (%d each)\n",
	       n / (t[1] - t[0]), n / (t[2] - t[1]), n / (t[3] - t[2]), n / (t[4] - t[3]),
	       n / (t[5] - t[4]), n);
	CHECK(daos_pool_disconnect(poh, NULL) == 0, "disconnect");
	return 0;
}

/* ---- the whole API ---- */

static void
test_create_open(daos_handle_t poh, uuid_t uuid_out)
{
	char str[DAOS_UUID_STR_SIZE], big[DAOS_PROP_LABEL_MAX_LEN + 2];
	daos_cont_info_t info;
	daos_handle_t coh;
	daos_prop_t *prop;
	uuid_t uuid, uuid2;
	int rc;

	/* unlabeled, opened by UUID string */
	rc = daos_cont_create(poh, &uuid, NULL, NULL);
	CHECK(rc == 0, "create: %d", rc);
	uuid_unparse(uuid, str);
	rc = daos_cont_open(poh, str, DAOS_COO_RW, &coh, &info, NULL);
	CHECK(rc == 0, "open by uuid: %d", rc);
	CHECK(uuid_compare(info.ci_uuid, uuid) == 0 && info.ci_nhandles == 1 &&
		      info.ci_nsnapshots == 0 && info.ci_md_otime > 0 && info.ci_md_mtime > 0,
	      "info after open");
	prop = daos_prop_alloc(1);
	prop->dpp_entries[0].dpe_type = DAOS_PROP_CO_LABEL;
	rc = daos_cont_query(coh, NULL, prop, NULL);
	CHECK(rc == 0 && strcmp(prop->dpp_entries[0].dpe_str, DAOS_PROP_CO_LABEL_DEFAULT) == 0,
	      "default label: %d", rc);
	daos_prop_free(prop);
	CHECK(daos_cont_close(coh, NULL) == 0, "close");
	rc = daos_cont_destroy(poh, str, 0, NULL);
	CHECK(rc == 0, "destroy by uuid: %d", rc);
	rc = daos_cont_open(poh, str, DAOS_COO_RO, &coh, NULL, NULL);
	CHECK(rc == -DER_NONEXIST, "open destroyed: %d", rc);

	/* labeled, with properties */
	prop = create_props();
	rc = daos_cont_create_with_label(poh, "c1", prop, &uuid2, NULL);
	CHECK(rc == 0, "create c1: %d", rc);
	rc = daos_cont_create_with_label(poh, "c1", NULL, NULL, NULL);
	CHECK(rc == -DER_EXIST, "label twice: %d", rc);
	daos_prop_free(prop);
	uuid_copy(uuid_out, uuid2);

	/* bad input */
	rc = daos_cont_open(poh, "nosuch", DAOS_COO_RO, &coh, NULL, NULL);
	CHECK(rc == -DER_NONEXIST, "unknown label: %d", rc);
	rc = daos_cont_destroy(poh, "nosuch", 0, NULL);
	CHECK(rc == -DER_NONEXIST, "destroy unknown: %d", rc);
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	rc = daos_cont_create_with_label(poh, big, NULL, NULL, NULL);
	CHECK(rc == -DER_INVAL, "oversized label: %d", rc);
	rc = daos_cont_create_with_label(poh, "bad label!", NULL, NULL, NULL);
	CHECK(rc == -DER_INVAL, "bad label: %d", rc);
	rc = daos_cont_create_with_label(poh, DAOS_PROP_CO_LABEL_DEFAULT, NULL, NULL, NULL);
	CHECK(rc == -DER_INVAL, "default label: %d", rc);
	rc = daos_cont_open(poh, big, DAOS_COO_RO, &coh, NULL, NULL);
	CHECK(rc == -DER_INVAL, "open oversized: %d", rc);
	rc = daos_cont_open(poh, "c1", DAOS_COO_RO | DAOS_COO_RW, &coh, NULL, NULL);
	CHECK(rc == -DER_INVAL, "bad flags: %d", rc);
	prop = daos_prop_alloc(1);
	prop->dpp_entries[0].dpe_type = DAOS_PROP_CO_CSUM;
	prop->dpp_entries[0].dpe_val = 999;
	rc = daos_cont_create(poh, &uuid, prop, NULL);
	CHECK(rc == -DER_INVAL, "bad csum value: %d", rc);
	prop->dpp_entries[0].dpe_type = DAOS_PROP_PO_RECLAIM;
	prop->dpp_entries[0].dpe_val = 0;
	rc = daos_cont_create(poh, &uuid, prop, NULL);
	CHECK(rc == -DER_INVAL, "pool property: %d", rc);
	prop->dpp_entries[0].dpe_type = DAOS_PROP_CO_GLOBAL_VERSION;
	prop->dpp_entries[0].dpe_val = 7;
	rc = daos_cont_create(poh, &uuid, prop, NULL);
	CHECK(rc == -DER_INVAL, "read-only property: %d", rc);
	daos_prop_free(prop);
	rc = daos_cont_close(DAOS_HDL_INVAL, NULL);
	CHECK(rc == -DER_NO_HDL, "close bad handle: %d", rc);
}

static void
test_props_acl(daos_handle_t coh)
{
	struct daos_acl *acl = NULL;
	const char *aces[] = {"A::bob@:rw"};
	daos_prop_t *prop;
	char *user = NULL;
	int rc;

	check_props(coh, "c1");
	prop = daos_prop_alloc(1);
	prop->dpp_entries[0].dpe_type = DAOS_PROP_CO_LABEL;
	prop->dpp_entries[0].dpe_str = strdup("c1-renamed");
	rc = daos_cont_set_prop(coh, prop, NULL);
	CHECK(rc == 0, "set label: %d", rc);
	daos_prop_free(prop);
	prop = daos_prop_alloc(1);
	prop->dpp_entries[0].dpe_type = DAOS_PROP_CO_GLOBAL_VERSION;
	rc = daos_cont_set_prop(coh, prop, NULL);
	CHECK(rc == -DER_INVAL, "set read-only prop: %d", rc);
	daos_prop_free(prop);

	/* ACL: default, update, delete, overwrite */
	rc = daos_cont_get_acl(coh, &prop, NULL);
	CHECK(rc == 0, "get_acl: %d", rc);
	CHECK(daos_acl_uid_to_principal(geteuid(), &user) == 0, "principal");
	CHECK(strcmp(entry(prop, DAOS_PROP_CO_OWNER)->dpe_str, user) == 0, "owner %s",
	      entry(prop, DAOS_PROP_CO_OWNER)->dpe_str);
	CHECK(((struct daos_acl *)entry(prop, DAOS_PROP_CO_ACL)->dpe_val_ptr)->dal_len > 0, "acl");
	daos_prop_free(prop);
	CHECK(daos_acl_from_strs(aces, 1, &acl) == 0, "acl parse");
	rc = daos_cont_update_acl(coh, acl, NULL);
	CHECK(rc == 0, "update_acl: %d", rc);
	rc = daos_cont_get_acl(coh, &prop, NULL);
	CHECK(rc == 0, "get_acl: %d", rc);
	{
		struct daos_ace *ace = NULL;

		rc = daos_acl_get_ace_for_principal(entry(prop, DAOS_PROP_CO_ACL)->dpe_val_ptr,
						    DAOS_ACL_USER, "bob@", &ace);
		CHECK(rc == 0, "bob's entry: %d", rc);
	}
	daos_prop_free(prop);
	rc = daos_cont_delete_acl(coh, DAOS_ACL_USER, "bob@", NULL);
	CHECK(rc == 0, "delete_acl: %d", rc);
	rc = daos_cont_delete_acl(coh, DAOS_ACL_USER, "bob@", NULL);
	CHECK(rc == -DER_NONEXIST, "delete_acl again: %d", rc);
	daos_acl_free(acl);
	{
		const char *own[] = {"A::OWNER@:rwdtTaAo", "A:G:GROUP@:rwtT", "A::EVERYONE@:r"};

		CHECK(daos_acl_from_strs(own, 3, &acl) == 0, "acl parse");
	}
	rc = daos_cont_overwrite_acl(coh, acl, NULL);
	CHECK(rc == 0, "overwrite_acl: %d", rc);
	daos_acl_free(acl);

	/* owner */
	rc = daos_cont_set_owner(coh, "no_such_user_xyz@", NULL, NULL);
	CHECK(rc == -DER_NONEXIST, "set_owner unknown user: %d", rc);
	rc = daos_cont_set_owner(coh, "not a principal", NULL, NULL);
	CHECK(rc == -DER_INVAL, "set_owner bad name: %d", rc);
	rc = daos_cont_set_owner(coh, user, "root@", NULL);
	CHECK(rc == 0, "set_owner: %d", rc);
	rc = daos_cont_set_owner_no_check(coh, NULL, "nogroup_xyz@", NULL);
	CHECK(rc == 0, "set_owner_no_check: %d", rc);
	rc = daos_cont_get_acl(coh, &prop, NULL);
	CHECK(rc == 0 &&
		      strcmp(entry(prop, DAOS_PROP_CO_OWNER_GROUP)->dpe_str, "nogroup_xyz@") == 0,
	      "group after set_owner: %d", rc);
	daos_prop_free(prop);
	free(user);
}

static void
test_attrs(daos_handle_t coh)
{
	char list[128], *bigval;
	size_t lsize = sizeof(list), sizes[1];
	const char *big_names[] = {"big"};
	const void *big_values[1];
	int rc;

	rc = daos_cont_set_attr(coh, 2, attr_names, attr_values, attr_sizes, NULL);
	CHECK(rc == 0, "set_attr: %d", rc);
	check_attrs(coh);
	rc = daos_cont_list_attr(coh, list, &lsize, NULL);
	CHECK(rc == 0 && lsize == strlen("color") + strlen("size") + 2, "list_attr: %d %zu", rc,
	      lsize);
	rc = daos_cont_del_attr(coh, 1, attr_names, NULL);
	CHECK(rc == 0, "del_attr: %d", rc);
	sizes[0] = 0;
	rc = daos_cont_get_attr(coh, 1, attr_names, NULL, sizes, NULL);
	CHECK(rc == -DER_NONEXIST, "deleted attr: %d", rc);
	/* oversized value */
	bigval = calloc(1, (512 << 10) + 1);
	big_values[0] = bigval;
	sizes[0] = (512 << 10) + 1;
	rc = daos_cont_set_attr(coh, 1, big_names, big_values, sizes, NULL);
	CHECK(rc == -DER_INVAL, "oversized attr: %d", rc);
	free(bigval);
	rc = daos_cont_set_attr(coh, 2, attr_names, attr_values, attr_sizes, NULL);
	CHECK(rc == 0, "set_attr again: %d", rc);
}

static void
test_snaps_oids(daos_handle_t coh)
{
	char n0[DAOS_SNAPSHOT_MAX_LEN], n1[DAOS_SNAPSHOT_MAX_LEN], *names[] = {n0, n1};
	daos_epoch_t e1, e2, epochs[2];
	daos_epoch_range_t epr;
	daos_anchor_t anchor = {0};
	daos_cont_info_t info;
	uint64_t oid1, oid2;
	int n, rc;

	rc = daos_cont_create_snap(coh, &e1, NULL, NULL);
	CHECK(rc == 0 && e1 > 0, "snap 1: %d", rc);
	rc = daos_cont_create_snap(coh, &e2, "second", NULL);
	CHECK(rc == 0 && e2 > e1, "snap 2: %d", rc);
	rc = daos_cont_create_snap(coh, &e2, "second", NULL);
	CHECK(rc == -DER_EXIST, "same name twice: %d", rc);
	n = 2;
	rc = daos_cont_list_snap(coh, &n, epochs, names, &anchor, NULL);
	CHECK(rc == 0 && n == 2 && epochs[0] == e1 && epochs[1] == e2 && n0[0] == '\0' &&
		      strcmp(n1, "second") == 0 && anchor.da_type == DAOS_ANCHOR_TYPE_EOF,
	      "list_snap: %d n %d", rc, n);
	n = 0;
	rc = daos_cont_list_snap(coh, &n, NULL, NULL, NULL, NULL);
	CHECK(rc == 0 && n == 2, "count snaps: %d %d", rc, n);
	rc = daos_cont_query(coh, &info, NULL, NULL);
	CHECK(rc == 0 && info.ci_nsnapshots == 2 && info.ci_lsnapshot == e2, "query snaps");
	epr.epr_lo = epr.epr_hi = e1;
	rc = daos_cont_destroy_snap(coh, epr, NULL);
	CHECK(rc == 0, "destroy snap: %d", rc);
	rc = daos_cont_destroy_snap(coh, epr, NULL);
	CHECK(rc == -DER_NONEXIST, "destroy snap again: %d", rc);
	epr.epr_lo = 5;
	epr.epr_hi = 4;
	rc = daos_cont_destroy_snap(coh, epr, NULL);
	CHECK(rc == -DER_INVAL, "bad range: %d", rc);
	rc = daos_cont_rollback(coh, e2, NULL);
	CHECK(rc == -DER_NOSYS, "rollback: %d", rc);

	rc = daos_cont_alloc_oids(coh, 10, &oid1, NULL);
	CHECK(rc == 0, "alloc_oids: %d", rc);
	rc = daos_cont_alloc_oids(coh, 1, &oid2, NULL);
	CHECK(rc == 0 && oid2 == oid1 + 10, "alloc_oids 2: %d %lu %lu", rc, (unsigned long)oid1,
	      (unsigned long)oid2);
	rc = daos_cont_alloc_oids(coh, 0, &oid2, NULL);
	CHECK(rc == -DER_INVAL, "alloc 0: %d", rc);
}

static void
test_handles(const char *pool, daos_handle_t poh, daos_handle_t coh)
{
	daos_handle_t coh2, coh3, eqh;
	daos_cont_info_t info;
	daos_event_t ev, *evp;
	d_iov_t glob = {0};
	int rc;

	/* export / import */
	rc = daos_cont_local2global(coh, &glob);
	CHECK(rc == 0 && glob.iov_buf_len > 0, "l2g size: %d", rc);
	glob.iov_buf = malloc(glob.iov_buf_len);
	rc = daos_cont_local2global(coh, &glob);
	CHECK(rc == 0, "l2g: %d", rc);
	rc = daos_cont_global2local(poh, glob, &coh2);
	CHECK(rc == 0, "g2l: %d", rc);
	check_attrs(coh2);
	free(glob.iov_buf);

	/* exclusive opens */
	rc = daos_cont_open(poh, "c1-renamed", DAOS_COO_EX, &coh3, NULL, NULL);
	CHECK(rc == -DER_BUSY, "EX while open: %d", rc);
	rc = daos_cont_open(poh, "c1-renamed", DAOS_COO_RO, &coh3, &info, NULL);
	CHECK(rc == 0 && info.ci_nhandles == 2, "second open: %d %u", rc, info.ci_nhandles);

	/* async form */
	CHECK(daos_eq_create(&eqh) == 0, "eq");
	CHECK(daos_event_init(&ev, eqh, NULL) == 0, "event");
	rc = daos_cont_query(coh3, &info, NULL, &ev);
	CHECK(rc == 0, "async query: %d", rc);
	rc = daos_eq_poll(eqh, 1, 5 * 1000 * 1000, 1, &evp);
	CHECK(rc == 1 && evp == &ev && ev.ev_error == 0, "eq poll: %d", rc);
	daos_event_fini(&ev);
	CHECK(daos_eq_destroy(eqh, 0) == 0, "eq destroy");

	/* destroy refuses open handles unless forced */
	rc = daos_cont_destroy(poh, "c1-renamed", 0, NULL);
	CHECK(rc == -DER_BUSY, "destroy while open: %d", rc);
	CHECK(daos_cont_close(coh3, NULL) == 0, "close 3");
	CHECK(daos_cont_close(coh, NULL) == 0, "close");
	rc = daos_cont_query(coh, &info, NULL, NULL);
	CHECK(rc == -DER_NO_HDL, "query after close: %d", rc);
	/* coh2 names the same (now closed) service handle */
	rc = daos_cont_query(coh2, &info, NULL, NULL);
	CHECK(rc == -DER_NO_HDL, "query through the closed import: %d", rc);
	daos_cont_close(coh2, NULL);

	/* a handle opened through a pool handle that disconnected no longer counts */
	{
		daos_handle_t poh2 = cc_connect(pool, DAOS_PC_RW), coh4;

		rc = daos_cont_open(poh2, "c1-renamed", DAOS_COO_RW, &coh4, NULL, NULL);
		CHECK(rc == 0, "open through a second pool handle: %d", rc);
		CHECK(daos_pool_disconnect(poh2, NULL) == 0, "disconnect 2");
		rc = daos_cont_query(coh4, &info, NULL, NULL);
		CHECK(rc == -DER_NO_HDL, "query through a disconnected pool handle: %d", rc);
		CHECK(daos_cont_close(coh4, NULL) == 0, "close 4");
	}
	/* an exclusive open that evicts everyone else */
	rc = daos_cont_open(poh, "c1-renamed", DAOS_COO_RO, &coh3, NULL, NULL);
	CHECK(rc == 0, "open 3 again: %d", rc);
	rc = daos_cont_open(poh, "c1-renamed", DAOS_COO_EX | DAOS_COO_EVICT_ALL, &coh, &info, NULL);
	CHECK(rc == 0 && info.ci_nhandles == 1, "EX evicting all: %d, %u handles", rc,
	      info.ci_nhandles);
	rc = daos_cont_query(coh3, &info, NULL, NULL);
	CHECK(rc == -DER_NO_HDL, "evicted handle: %d", rc);
	daos_cont_close(coh3, NULL);
	rc = daos_cont_open(poh, "c1-renamed", DAOS_COO_RO, &coh3, NULL, NULL);
	CHECK(rc == -DER_BUSY, "open while EX: %d", rc);
	CHECK(daos_cont_close(coh, NULL) == 0, "close EX");

	rc = daos_cont_open(poh, "c1-renamed", DAOS_COO_RW, &coh, NULL, NULL);
	CHECK(rc == 0, "reopen: %d", rc);
	rc = daos_cont_destroy(poh, "c1-renamed", 1, NULL);
	CHECK(rc == 0, "forced destroy: %d", rc);
	rc = daos_cont_query(coh, &info, NULL, NULL);
	CHECK(rc == -DER_NO_HDL, "query destroyed: %d", rc);
	daos_cont_close(coh, NULL);
}

static int
mode_all(const char *pool)
{
	daos_handle_t poh = cc_connect(pool, DAOS_PC_RW), coh;
	struct daos_pool_cont_info infos[4];
	daos_size_t n = 0;
	uuid_t uuid;
	int rc;

	test_create_open(poh, uuid);
	rc = daos_cont_open(poh, "c1", DAOS_COO_RW, &coh, NULL, NULL);
	CHECK(rc == 0, "open c1: %d", rc);
	test_props_acl(coh);
	test_attrs(coh);
	test_snaps_oids(coh);

	rc = daos_pool_list_cont(poh, &n, NULL, NULL);
	CHECK(rc == 0 && n >= 1, "list count: %d", rc);
	n = 0;
	rc = daos_pool_list_cont(poh, &n, infos, NULL);
	CHECK(rc == -DER_TRUNC && n >= 1, "list truncated: %d", rc);
	n = 4;
	rc = daos_pool_list_cont(poh, &n, infos, NULL);
	CHECK(rc == 0 && n >= 1, "list: %d", rc);

	test_handles(pool, poh, coh);
	CHECK(daos_pool_disconnect(poh, NULL) == 0, "disconnect");
	printf("cont_client: OK\n");
	return 0;
}

int
main(int argc, char **argv)
{
	int rc;

	CHECK(daos_init() == 0, "init");
	if (argc == 2)
		rc = mode_all(argv[1]);
	else if (argc == 4 && strcmp(argv[1], "--create") == 0)
		rc = mode_create(argv[2], argv[3]);
	else if (argc == 4 && strcmp(argv[1], "--check") == 0)
		rc = mode_check(argv[2], argv[3]);
	else if (argc == 4 && strcmp(argv[1], "--expect-no-perm") == 0)
		rc = mode_no_perm(argv[2], argv[3]);
	else if (argc == 4 && strcmp(argv[1], "--grant-read") == 0)
		rc = mode_grant_read(argv[2], argv[3]);
	else if (argc == 4 && strcmp(argv[1], "--expect-read-only") == 0)
		rc = mode_read_only(argv[2], argv[3]);
	else if (argc == 5 && strcmp(argv[1], "--stress") == 0)
		rc = mode_stress(argv[2], argv[3], atoi(argv[4]));
	else if (argc == 4 && strcmp(argv[1], "--bench") == 0)
		rc = mode_bench(argv[2], atoi(argv[3]));
	else if (argc == 5 && strcmp(argv[1], "--count") == 0)
		rc = mode_count(argv[2], argv[3], atoi(argv[4]));
	else
		CHECK(0, "usage: see the comment at the top of cont_client.c");
	CHECK(daos_fini() == 0, "fini");
	return rc;
}
