/**
 * VOS from ULTs on one xstream: concurrent updates and fetches of blob and inline values
 * park on blob I/O (the pool's ring poller) and on the WAL sync (group commit), and every
 * value reads back.
 */
#include <daos/mem.h>
#include <daos_srv/ult.h>
#include "vos_test.h"

#define NR_ULTS 16
#define NR_OPS  12

struct ult_arg {
	struct vt_ctx *c;
	int id;
	int rc;
};

static void
worker(void *arg)
{
	struct ult_arg *a = arg;
	daos_unit_oid_t oid = vt_oid(a->id, DAOS_OT_MULTI_HASHED);
	char *val = malloc(20000), *buf = malloc(20000);
	char dkey[16];
	size_t size, len;
	int i;

	for (i = 0; i < NR_OPS && a->rc == 0; i++) {
		len = (i % 2) ? 20000 : 100;
		memset(val, 'a' + (a->id + i) % 26, len);
		snprintf(dkey, sizeof(dkey), "d%d", i);
		a->rc = vt_update_sv(a->c->coh, oid, 10 + i, 0, dkey, "v", val, len);
		if (a->rc != 0)
			break;
		/* a replay compares with the stored bytes inside the transaction: no yield there */
		a->rc = vt_update_sv(a->c->coh, oid, 10 + i, 0, dkey, "v", val, len);
		if (a->rc != 0)
			break;
		ult_yield();
		a->rc = vt_fetch_sv(a->c->coh, oid, 100, 0, dkey, "v", buf, 20000, &size);
		if (a->rc == 0 && (size != len || memcmp(buf, val, len) != 0))
			a->rc = -DER_MISMATCH;
	}
	free(val);
	free(buf);
}

struct driver {
	struct vt_ctx c;
	struct ult_arg a[NR_ULTS];
	int setup_rc;
};

static void
driver(void *arg)
{
	struct driver *d = arg;
	struct vos_pool_attr attr = {.vpa_sync_ms = -1, .vpa_inline_thresh = 4096};
	struct ult *u[NR_ULTS];
	int i;

	strcpy(d->c.dir, "/tmp/vos_ult.XXXXXX");
	if (mkdtemp(d->c.dir) == NULL) {
		d->setup_rc = -DER_IO;
		return;
	}
	snprintf(d->c.path, sizeof(d->c.path), "%s/vos-0", d->c.dir);
	uuid_generate(d->c.pool_id);
	uuid_generate(d->c.cont_id);
	d->setup_rc = vos_pool_create_ex(d->c.path, d->c.pool_id, 64 << 20, 64 << 20, 0, 0, 0,
					 &attr, &d->c.poh);
	if (d->setup_rc == 0)
		d->setup_rc = vos_cont_create(d->c.poh, d->c.cont_id);
	if (d->setup_rc == 0)
		d->setup_rc = vos_cont_open(d->c.poh, d->c.cont_id, &d->c.coh);
	if (d->setup_rc != 0)
		return;
	for (i = 0; i < NR_ULTS; i++) {
		d->a[i] = (struct ult_arg){.c = &d->c, .id = i + 1};
		if (ult_create(ULT_XS_SELF, worker, &d->a[i], 0, &u[i]) != 0)
			d->a[i].rc = -DER_NOMEM, u[i] = NULL;
	}
	for (i = 0; i < NR_ULTS; i++)
		if (u[i] != NULL)
			ult_join(u[i]);
	/* closing from the opening xstream unregisters the ring poller */
	vos_cont_close(d->c.coh);
	vos_pool_close(d->c.poh);
}

static void
test_ults(void **state)
{
	struct ult_init_attr attr = {.uia_nr_xs = 1};
	struct driver *d = calloc(1, sizeof(*d));
	struct ult *u;
	int i;

	assert_int_equal(ult_init(&attr), 0);
	umem_set_wait_ops(ult_umem_wait_ops());
	assert_int_equal(ult_create(0, driver, d, 256 << 10, &u), 0);
	assert_int_equal(ult_join(u), 0);
	umem_set_wait_ops(NULL);
	assert_int_equal(ult_fini(), 0);
	assert_int_equal(d->setup_rc, 0);
	for (i = 0; i < NR_ULTS; i++)
		assert_int_equal(d->a[i].rc, 0);
	/* and it is all there after a reopen from a plain thread */
	vt_open(&d->c);
	{
		char buf[100];
		size_t size;

		assert_int_equal(vt_fetch_sv(d->c.coh, vt_oid(3, DAOS_OT_MULTI_HASHED), 100, 0,
					     "d2", "v", buf, sizeof(buf), &size),
				 0);
		assert_int_equal(size, 100);
		assert_int_equal(buf[0], 'a' + (3 + 2) % 26);
	}
	vt_teardown(&d->c);
	free(d);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ults),
	};

	return cmocka_run_group_tests_name("vos_ult", tests, NULL, NULL);
}
