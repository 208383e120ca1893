/**
 * Object cache of a container (vos_ocache.c): hits reuse the object and its dkey tree; the
 * entries go when the object leaves the index (aggregation of a punched object, then GC),
 * with the container (close, destroy) and with the pool (close/reopen).
 */
#include "vos_test.h"
#include "../vos_internal.h"

static struct vos_container *
cont_of(struct vt_ctx *c)
{
	struct vos_container *cont = vos_hdl2cont(c->coh);

	assert_non_null(cont);
	return cont;
}

/* the valid entry of \a oid, NULL if none */
static struct vos_oc_ent *
ent_of(struct vt_ctx *c, daos_unit_oid_t oid)
{
	struct vos_container *cont = cont_of(c);
	int i;

	for (i = 0; i < VOS_OC_NR; i++) {
		struct vos_oc_ent *e = &cont->vc_oc[i];

		if ((e->oe_flags & VOS_OC_VALID) && e->oe_oid.id_pub.lo == oid.id_pub.lo &&
		    e->oe_oid.id_pub.hi == oid.id_pub.hi && e->oe_oid.id_shard == oid.id_shard)
			return e;
	}
	return NULL;
}

static int
ent_count(struct vt_ctx *c)
{
	struct vos_container *cont = cont_of(c);
	int i, n = 0;

	for (i = 0; i < VOS_OC_NR; i++)
		n += cont->vc_oc[i].oe_flags != 0;
	return n;
}

static void
fetch_expect(daos_handle_t coh, daos_unit_oid_t oid, daos_epoch_t epoch, const char *dkey,
	     const char *akey, const char *want)
{
	char buf[64];
	size_t size = 99;

	memset(buf, 0, sizeof(buf));
	assert_int_equal(vt_fetch_sv(coh, oid, epoch, 0, dkey, akey, buf, sizeof(buf), &size), 0);
	if (want == NULL) {
		assert_int_equal(size, 0);
		return;
	}
	assert_int_equal(size, strlen(want));
	assert_memory_equal(buf, want, size);
}

static void
test_oc_hits(void **state)
{
	struct vt_ctx c;
	daos_unit_oid_t oid = vt_oid(1, DAOS_OT_MULTI_HASHED);
	struct vos_container *cont;
	struct vos_oc_ent *e;
	daos_handle_t toh;
	uint64_t hits;

	vt_setup(&c);
	cont = cont_of(&c);
	/* the first update makes the object and its tree in its transaction: not kept */
	assert_int_equal(vt_update_sv(c.coh, oid, 1, 0, "d", "a", "one", 3), 0);
	assert_null(ent_of(&c, oid));
	/* a miss on an object that already exists keeps it */
	assert_int_equal(vt_update_sv(c.coh, oid, 2, 0, "d", "a", "two", 3), 0);
	e = ent_of(&c, oid);
	assert_non_null(e);
	toh = e->oe_toh;
	assert_true(daos_handle_is_valid(toh));
	hits = cont->vc_oc_hits;
	fetch_expect(c.coh, oid, 1, "d", "a", "one");
	fetch_expect(c.coh, oid, 2, "d", "a", "two");
	assert_int_equal(vt_update_sv(c.coh, oid, 3, 0, "e", "a", "three", 5), 0);
	fetch_expect(c.coh, oid, 3, "e", "a", "three");
	assert_int_equal(cont->vc_oc_hits, hits + 4);
	/* the same entry and tree handle all along */
	assert_ptr_equal(ent_of(&c, oid), e);
	assert_int_equal(e->oe_toh.cookie, toh.cookie);
	assert_int_equal(e->oe_flags, VOS_OC_VALID);
	/* a failed conditional update returns the entry intact */
	assert_int_equal(vt_update_sv(c.coh, oid, 4, DAOS_COND_DKEY_INSERT, "d", "a", "x", 1),
			 -DER_EXIST);
	assert_int_equal(e->oe_flags, VOS_OC_VALID);
	fetch_expect(c.coh, oid, 4, "d", "a", "two");
	/* a missing object is no entry */
	fetch_expect(c.coh, vt_oid(77, DAOS_OT_MULTI_HASHED), 4, "d", "a", NULL);
	assert_int_equal(ent_count(&c), 1);
	vt_teardown(&c);
}

/* more objects than entries: LRU replacement, every value still right */
static void
test_oc_lru(void **state)
{
	struct vt_ctx c;
	char val[32];
	int round, i;

	vt_setup(&c);
	for (round = 1; round <= 4; round++) {
		for (i = 0; i < 3 * VOS_OC_NR; i++) {
			snprintf(val, sizeof(val), "v%d.%d", round, i);
			assert_int_equal(vt_update_sv(c.coh, vt_oid(100 + i, DAOS_OT_MULTI_HASHED),
						      round, 0, "d", "a", val, strlen(val)),
					 0);
		}
		for (i = 3 * VOS_OC_NR - 1; i >= 0; i--) {
			snprintf(val, sizeof(val), "v%d.%d", round, i);
			fetch_expect(c.coh, vt_oid(100 + i, DAOS_OT_MULTI_HASHED), round, "d", "a",
				     val);
		}
		assert_true(ent_count(&c) <= VOS_OC_NR);
	}
	assert_int_equal(ent_count(&c), VOS_OC_NR);
	/* the most recently used objects stay: the last fetches were of objects 0.. */
	assert_non_null(ent_of(&c, vt_oid(100, DAOS_OT_MULTI_HASHED)));
	assert_null(ent_of(&c, vt_oid(100 + 3 * VOS_OC_NR - 1, DAOS_OT_MULTI_HASHED)));
	vt_teardown(&c);
}

/* object punch, aggregation removes the object, GC frees it, the oid is written again */
static void
test_oc_punch_agg_gc(void **state)
{
	struct vt_ctx c;
	daos_unit_oid_t oid = vt_oid(5, DAOS_OT_MULTI_HASHED);
	daos_unit_oid_t keep = vt_oid(6, DAOS_OT_MULTI_HASHED);
	daos_epoch_range_t epr = {0, 100};
	vos_cont_info_t ci;
	char key[16];
	int i, rc;

	vt_setup(&c);
	for (i = 1; i <= 2; i++) {
		assert_int_equal(vt_update_sv(c.coh, oid, i, 0, "d", "a", "gone", 4), 0);
		assert_int_equal(vt_update_sv(c.coh, keep, i, 0, "d", "a", "kept", 4), 0);
	}
	fetch_expect(c.coh, oid, 5, "d", "a", "gone");
	assert_non_null(ent_of(&c, oid));
	/* a punch keeps the record: the entry stays and reads see the punch */
	assert_int_equal(vt_punch(c.coh, oid, 10, 0, NULL, NULL), 0);
	assert_non_null(ent_of(&c, oid));
	fetch_expect(c.coh, oid, 11, "d", "a", NULL);
	fetch_expect(c.coh, oid, 9, "d", "a", "gone");

	assert_int_equal(vos_aggregate(c.coh, &epr, NULL, NULL, 0), 0);
	assert_int_equal(vos_cont_query(c.coh, &ci), 0);
	assert_int_equal(ci.ci_nobjs, 1);
	/* the object left the index: its entry is gone, the other one stays */
	assert_null(ent_of(&c, oid));
	assert_non_null(ent_of(&c, keep));
	fetch_expect(c.coh, oid, 100, "d", "a", NULL);
	for (i = 0; i < 1000; i++) {
		rc = vos_gc_pool(c.poh, 16, NULL, NULL);
		assert_true(rc >= 0);
		if (rc == 0)
			break;
	}
	assert_true(vos_gc_pool_idle(c.poh));
	/* the freed memory gets reused by new objects and keys */
	for (i = 0; i < 40; i++) {
		snprintf(key, sizeof(key), "k%d", i);
		assert_int_equal(vt_update_sv(c.coh, vt_oid(200 + i, DAOS_OT_MULTI_HASHED), 120, 0,
					      key, "a", "new", 3),
				 0);
	}
	fetch_expect(c.coh, oid, 130, "d", "a", NULL);
	fetch_expect(c.coh, keep, 130, "d", "a", "kept");
	/* the oid again: a new object */
	assert_int_equal(vt_update_sv(c.coh, oid, 140, 0, "d", "a", "back", 4), 0);
	assert_int_equal(vt_update_sv(c.coh, oid, 141, 0, "d", "b", "more", 4), 0);
	fetch_expect(c.coh, oid, 150, "d", "a", "back");
	fetch_expect(c.coh, oid, 150, "d", "b", "more");
	assert_non_null(ent_of(&c, oid));
	vt_teardown(&c);
}

/* an entry lent to an operation when its object goes: closed when given back */
static void
test_oc_evict_busy(void **state)
{
	struct vt_ctx c;
	daos_unit_oid_t oid = vt_oid(8, DAOS_OT_MULTI_HASHED);
	struct vos_container *cont;
	struct vos_oc_ent *e, *e2;

	vt_setup(&c);
	cont = cont_of(&c);
	assert_int_equal(vt_update_sv(c.coh, oid, 1, 0, "d", "a", "x", 1), 0);
	fetch_expect(c.coh, oid, 1, "d", "a", "x");
	e = vos_oc_get(cont, oid);
	assert_non_null(e);
	assert_true(e->oe_flags & VOS_OC_BUSY);
	/* a second operation meanwhile misses and uses a tree handle of its own */
	assert_null(vos_oc_get(cont, oid));
	fetch_expect(c.coh, oid, 1, "d", "a", "x");
	vos_oc_evict(cont->vc_pool, e->oe_obj);
	assert_true(e->oe_flags & VOS_OC_DEAD);
	vos_oc_put(cont, e, oid, NULL, DAOS_HDL_INVAL, false);
	assert_int_equal(e->oe_flags, 0);
	assert_false(daos_handle_is_valid(e->oe_toh));
	/* next use misses, then keeps it again */
	fetch_expect(c.coh, oid, 1, "d", "a", "x");
	e2 = ent_of(&c, oid);
	assert_non_null(e2);
	vos_oc_evict(cont->vc_pool, e2->oe_obj);
	assert_int_equal(ent_count(&c), 0);
	vt_teardown(&c);
}

static void
test_oc_cont_destroy(void **state)
{
	struct vt_ctx c;
	daos_unit_oid_t oid = vt_oid(9, DAOS_OT_MULTI_HASHED);
	vos_cont_info_t ci;
	int i;

	vt_setup(&c);
	assert_int_equal(vt_update_sv(c.coh, oid, 1, 0, "d", "a", "old", 3), 0);
	fetch_expect(c.coh, oid, 1, "d", "a", "old");
	assert_non_null(ent_of(&c, oid));
	assert_int_equal(vos_cont_destroy(c.poh, c.cont_id), -DER_BUSY);
	assert_int_equal(vos_cont_close(c.coh), 0);
	assert_int_equal(vos_cont_destroy(c.poh, c.cont_id), 0);
	for (i = 0; i < 1000 && vos_gc_pool(c.poh, 16, NULL, NULL) > 0; i++)
		;
	assert_true(vos_gc_pool_idle(c.poh));
	assert_int_equal(vos_cont_create(c.poh, c.cont_id), 0);
	assert_int_equal(vos_cont_open(c.poh, c.cont_id, &c.coh), 0);
	assert_int_equal(ent_count(&c), 0);
	fetch_expect(c.coh, oid, 5, "d", "a", NULL);
	assert_int_equal(vos_cont_query(c.coh, &ci), 0);
	assert_int_equal(ci.ci_nobjs, 0);
	assert_int_equal(vt_update_sv(c.coh, oid, 6, 0, "d", "a", "new", 3), 0);
	fetch_expect(c.coh, oid, 6, "d", "a", "new");
	fetch_expect(c.coh, oid, 6, "d", "a", "new");
	assert_int_equal(ent_count(&c), 1);
	vt_teardown(&c);
}

static void
test_oc_pool_reopen(void **state)
{
	struct vt_ctx c;
	daos_unit_oid_t oid = vt_oid(10, DAOS_OT_MULTI_HASHED);
	uint64_t hits;

	vt_setup(&c);
	assert_int_equal(vt_update_sv(c.coh, oid, 1, 0, "d", "a", "one", 3), 0);
	assert_int_equal(vt_update_sv(c.coh, oid, 2, 0, "d", "a", "two", 3), 0);
	assert_non_null(ent_of(&c, oid));
	vt_close(&c);
	vt_open(&c);
	assert_int_equal(ent_count(&c), 0);
	hits = cont_of(&c)->vc_oc_hits;
	fetch_expect(c.coh, oid, 2, "d", "a", "two");
	fetch_expect(c.coh, oid, 1, "d", "a", "one");
	assert_int_equal(cont_of(&c)->vc_oc_hits, hits + 1);
	assert_int_equal(vt_update_sv(c.coh, oid, 3, 0, "d", "a", "three", 5), 0);
	fetch_expect(c.coh, oid, 3, "d", "a", "three");
	vt_teardown(&c);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_oc_hits),         cmocka_unit_test(test_oc_lru),
		cmocka_unit_test(test_oc_punch_agg_gc), cmocka_unit_test(test_oc_evict_busy),
		cmocka_unit_test(test_oc_cont_destroy), cmocka_unit_test(test_oc_pool_reopen),
	};

	return cmocka_run_group_tests_name("vos_ocache", tests, NULL, NULL);
}
