/**
 * Handle table (d_hhash) and UUID table (d_uhash) tests.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <pthread.h>
#include <cmocka.h>

#include <gurt/common.h>
#include <gurt/hash.h>

/* Handle types as DAOS defines them: odd values. */
#define HTYPE_A 1
#define HTYPE_B 3

struct obj {
	struct d_hlink hlink;
	int value;
	int *freed;
};

static void
obj_free(struct d_hlink *hlink)
{
	struct obj *o = container_of(hlink, struct obj, hlink);

	if (o->freed != NULL)
		__atomic_add_fetch(o->freed, 1, __ATOMIC_RELAXED);
	free(o);
}

static struct d_hlink_ops obj_ops = {.hop_free = obj_free};

static struct obj *
obj_new(int value, int *freed)
{
	struct obj *o = calloc(1, sizeof(*o));

	assert_non_null(o);
	o->value = value;
	o->freed = freed;
	d_hhash_hlink_init(&o->hlink, &obj_ops);
	return o;
}

static uint64_t
obj_key(struct obj *o)
{
	uint64_t key = 0;

	d_hhash_link_key(&o->hlink, &key);
	return key;
}

static void
test_insert_lookup_putref(void **state)
{
	struct d_hhash *hh;
	struct d_hlink *hl;
	struct obj *o;
	uint64_t key;
	int freed = 0;

	assert_int_equal(d_hhash_create(0, D_HHASH_BITS, &hh), 0);
	o = obj_new(42, &freed);
	assert_true(d_hhash_link_empty(&o->hlink));
	d_hhash_link_insert(hh, &o->hlink, HTYPE_A);
	assert_false(d_hhash_link_empty(&o->hlink));
	key = obj_key(o);
	assert_int_not_equal(key, 0);
	assert_int_equal(d_hhash_key_type(key), HTYPE_A);
	assert_false(d_hhash_key_isptr(key));

	hl = d_hhash_link_lookup(hh, key);
	assert_ptr_equal(hl, &o->hlink);
	assert_int_equal(container_of(hl, struct obj, hlink)->value, 42);
	d_hhash_link_putref(hh, hl);
	assert_int_equal(freed, 0);

	/* Delete drops the table's reference; the caller still holds one. */
	assert_true(d_hhash_link_delete(hh, &o->hlink));
	assert_true(d_hhash_link_empty(&o->hlink));
	assert_int_equal(freed, 0);
	assert_null(d_hhash_link_lookup(hh, key));
	assert_false(d_hhash_link_delete(hh, &o->hlink));
	d_hhash_link_putref(hh, &o->hlink);
	assert_int_equal(freed, 1);

	d_hhash_destroy(hh);
}

static void
test_lookup_ref_keeps_alive(void **state)
{
	struct d_hhash *hh;
	struct d_hlink *hl;
	struct obj *o;
	uint64_t key;
	int freed = 0;

	assert_int_equal(d_hhash_create(D_HASH_FT_MUTEX, 4, &hh), 0);
	o = obj_new(1, &freed);
	d_hhash_link_insert(hh, &o->hlink, HTYPE_B);
	key = obj_key(o);
	hl = d_hhash_link_lookup(hh, key);
	assert_non_null(hl);
	d_hhash_link_getref(hh, hl);
	assert_true(d_hhash_link_delete(hh, hl));
	d_hhash_link_putref(hh, hl); /* creator's */
	d_hhash_link_putref(hh, hl); /* getref */
	assert_int_equal(freed, 0);
	d_hhash_link_putref(hh, hl); /* lookup's: last */
	assert_int_equal(freed, 1);
	d_hhash_destroy(hh);
}

static void
test_stale_cookie(void **state)
{
	struct d_hhash *hh;
	struct obj *o;
	uint64_t old_key;
	int i;
	int freed = 0;

	assert_int_equal(d_hhash_create(0, 2, &hh), 0);
	o = obj_new(1, &freed);
	d_hhash_link_insert(hh, &o->hlink, HTYPE_A);
	old_key = obj_key(o);
	d_hhash_link_delete(hh, &o->hlink);
	d_hhash_link_putref(hh, &o->hlink);
	assert_int_equal(freed, 1);

	/* New objects (likely at the same address) never get the old cookie. */
	for (i = 0; i < 64; i++) {
		o = obj_new(100 + i, &freed);
		d_hhash_link_insert(hh, &o->hlink, HTYPE_A);
		assert_true(obj_key(o) != old_key);
		assert_null(d_hhash_link_lookup(hh, old_key));
		d_hhash_link_delete(hh, &o->hlink);
		d_hhash_link_putref(hh, &o->hlink);
	}
	assert_int_equal(freed, 65);
	/* Invalid handle and garbage cookies resolve to nothing. */
	assert_null(d_hhash_link_lookup(hh, 0));
	assert_null(d_hhash_link_lookup(hh, ~0ULL));
	assert_null(d_hhash_link_lookup(hh, 0x1234560));
	d_hhash_destroy(hh);
}

static void
test_type_tags(void **state)
{
	struct d_hhash *hh;
	struct obj *a, *b, *p;
	uint64_t ka, kb, kp;

	assert_int_equal(d_hhash_create(0, 4, &hh), 0);
	a = obj_new(1, NULL);
	b = obj_new(2, NULL);
	d_hhash_link_insert(hh, &a->hlink, HTYPE_A);
	d_hhash_link_insert(hh, &b->hlink, HTYPE_B);
	ka = obj_key(a);
	kb = obj_key(b);
	assert_int_equal(d_hhash_key_type(ka), HTYPE_A);
	assert_int_equal(d_hhash_key_type(kb), HTYPE_B);
	assert_true(kb > ka);
	/* Same counter with another type tag is a different handle. */
	assert_null(d_hhash_link_lookup(hh, (ka & ~D_HTYPE_MASK) | HTYPE_B));

	/* Pointer types need set_ptrtype, which a non-empty table refuses. */
	p = obj_new(3, NULL);
	d_hhash_link_insert(hh, &p->hlink, D_HTYPE_PTR);
	assert_true(d_hhash_link_empty(&p->hlink));
	assert_int_equal(d_hhash_set_ptrtype(hh), -DER_ALREADY);
	assert_false(d_hhash_is_ptrtype(hh));
	/* Out of range type is refused. */
	d_hhash_link_insert(hh, &p->hlink, 17);
	assert_true(d_hhash_link_empty(&p->hlink));

	d_hhash_link_delete(hh, &a->hlink);
	d_hhash_link_delete(hh, &b->hlink);
	d_hhash_link_putref(hh, &a->hlink);
	d_hhash_link_putref(hh, &b->hlink);

	assert_int_equal(d_hhash_set_ptrtype(hh), 0);
	assert_true(d_hhash_is_ptrtype(hh));
	d_hhash_link_insert(hh, &p->hlink, D_HTYPE_PTR);
	kp = obj_key(p);
	assert_true(d_hhash_key_isptr(kp));
	assert_int_equal(d_hhash_key_type(kp), D_HTYPE_PTR);
	assert_ptr_equal(d_hhash_link_lookup(hh, kp), &p->hlink);
	d_hhash_link_putref(hh, &p->hlink);
	d_hhash_link_delete(hh, &p->hlink);
	d_hhash_link_putref(hh, &p->hlink);
	d_hhash_destroy(hh);
}

static void
test_ephemeral(void **state)
{
	struct d_hhash *hh;
	struct obj *o;
	uint64_t key;
	int freed = 0;

	/* EPHEMERAL: no table reference; the last putref unlinks and frees. */
	assert_int_equal(d_hhash_create(D_HASH_FT_EPHEMERAL, 4, &hh), 0);
	o = obj_new(1, &freed);
	d_hhash_link_insert(hh, &o->hlink, HTYPE_A);
	key = obj_key(o);
	assert_non_null(d_hhash_link_lookup(hh, key));
	d_hhash_link_putref(hh, &o->hlink);
	assert_int_equal(freed, 0);
	d_hhash_link_putref(hh, &o->hlink);
	assert_int_equal(freed, 1);
	assert_null(d_hhash_link_lookup(hh, key));
	d_hhash_destroy(hh);
}

static void
test_destroy_nonempty(void **state)
{
	struct d_hhash *hh;
	struct obj *o;
	int freed = 0;

	assert_int_equal(d_hhash_create(0, 4, &hh), 0);
	o = obj_new(1, &freed);
	d_hhash_link_insert(hh, &o->hlink, HTYPE_A);
	d_hhash_destroy(hh);
	/* The table's reference went; the creator's remains. */
	assert_int_equal(freed, 0);
	assert_true(d_hhash_link_empty(&o->hlink));
	obj_free(&o->hlink);
	assert_int_equal(freed, 1);
	/* Bad arguments are refused, not crashed on. */
	assert_int_equal(d_hhash_create(0, 4, NULL), -DER_INVAL);
	assert_int_equal(d_hhash_create(0, 99, &hh), -DER_INVAL);
	assert_null(hh);
}

#define NTHREADS 4
#define NITERS   2000

struct thr_arg {
	struct d_hhash *hh;
	uint64_t *shared_keys;
	int nshared;
	int freed;
	int errors;
};

static void *
thr_main(void *varg)
{
	struct thr_arg *arg = varg;
	struct d_hlink *hl;
	struct obj *o;
	uint64_t key;
	int i;

	for (i = 0; i < NITERS; i++) {
		o = obj_new(i, &arg->freed);
		d_hhash_link_insert(arg->hh, &o->hlink, HTYPE_A);
		key = obj_key(o);
		hl = d_hhash_link_lookup(arg->hh, key);
		if (hl != &o->hlink)
			__atomic_add_fetch(&arg->errors, 1, __ATOMIC_RELAXED);
		else
			d_hhash_link_putref(arg->hh, hl);
		/* Everyone hammers the shared objects too. */
		hl = d_hhash_link_lookup(arg->hh, arg->shared_keys[i % arg->nshared]);
		if (hl == NULL)
			__atomic_add_fetch(&arg->errors, 1, __ATOMIC_RELAXED);
		else
			d_hhash_link_putref(arg->hh, hl);
		d_hhash_link_delete(arg->hh, &o->hlink);
		if (d_hhash_link_lookup(arg->hh, key) != NULL)
			__atomic_add_fetch(&arg->errors, 1, __ATOMIC_RELAXED);
		d_hhash_link_putref(arg->hh, &o->hlink);
	}
	return NULL;
}

static void
run_threads(uint32_t feats)
{
	struct thr_arg arg = {0};
	pthread_t thr[NTHREADS];
	struct obj *shared[8];
	uint64_t keys[8];
	int shared_freed = 0;
	int i;

	assert_int_equal(d_hhash_create(feats, 6, &arg.hh), 0);
	for (i = 0; i < 8; i++) {
		shared[i] = obj_new(i, &shared_freed);
		d_hhash_link_insert(arg.hh, &shared[i]->hlink, HTYPE_B);
		keys[i] = obj_key(shared[i]);
	}
	arg.shared_keys = keys;
	arg.nshared = 8;
	for (i = 0; i < NTHREADS; i++)
		assert_int_equal(pthread_create(&thr[i], NULL, thr_main, &arg), 0);
	for (i = 0; i < NTHREADS; i++)
		pthread_join(thr[i], NULL);
	assert_int_equal(arg.errors, 0);
	assert_int_equal(arg.freed, NTHREADS * NITERS);
	for (i = 0; i < 8; i++) {
		assert_true(d_hhash_link_delete(arg.hh, &shared[i]->hlink));
		d_hhash_link_putref(arg.hh, &shared[i]->hlink);
	}
	assert_int_equal(shared_freed, 8);
	d_hhash_destroy(arg.hh);
}

static void
test_threads_spin(void **state)
{
	run_threads(0);
}

static void
test_threads_mutex(void **state)
{
	run_threads(D_HASH_FT_MUTEX);
}

static void
test_threads_rwlock(void **state)
{
	run_threads(D_HASH_FT_RWLOCK);
}

/* ---- UUID table ---- */

struct uobj {
	struct d_ulink ulink;
	int tag;
	int *freed;
};

static void
uobj_free(struct d_ulink *ulink)
{
	struct uobj *u = container_of(ulink, struct uobj, ulink);

	(*u->freed)++;
	free(u);
}

static bool
uobj_cmp(struct d_ulink *ulink, void *cmp_args)
{
	struct uobj *u = container_of(ulink, struct uobj, ulink);

	return cmp_args == NULL || u->tag == *(int *)cmp_args;
}

static struct d_ulink_ops uobj_ops = {.uop_free = uobj_free, .uop_cmp = uobj_cmp};

static void
test_uhash(void **state)
{
	struct d_hash_table *ht;
	struct d_ulink *ul;
	struct uobj *u;
	struct d_uuid id, other;
	int freed = 0;
	int tag = 7;
	int wrong = 8;

	assert_int_equal(d_uhash_create(0, 4, &ht), 0);
	uuid_generate(id.uuid);
	uuid_generate(other.uuid);
	u = calloc(1, sizeof(*u));
	assert_non_null(u);
	u->tag = tag;
	u->freed = &freed;
	d_uhash_ulink_init(&u->ulink, &uobj_ops);
	assert_true(d_uhash_link_empty(&u->ulink));
	assert_int_equal(d_uhash_link_insert(ht, &id, NULL, &u->ulink), 0);
	assert_false(d_uhash_link_empty(&u->ulink));
	assert_int_equal(d_uhash_link_insert(ht, &id, NULL, &u->ulink), -DER_EXIST);

	ul = d_uhash_link_lookup(ht, &id, &tag);
	assert_ptr_equal(ul, &u->ulink);
	assert_false(d_uhash_link_last_ref(ul));
	d_uhash_link_putref(ht, ul);
	assert_null(d_uhash_link_lookup(ht, &id, &wrong));
	assert_null(d_uhash_link_lookup(ht, &other, NULL));

	d_uhash_link_delete(ht, &u->ulink);
	assert_true(d_uhash_link_last_ref(&u->ulink));
	assert_null(d_uhash_link_lookup(ht, &id, NULL));
	d_uhash_link_putref(ht, &u->ulink);
	assert_int_equal(freed, 1);
	d_uhash_destroy(ht);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_insert_lookup_putref),
		cmocka_unit_test(test_lookup_ref_keeps_alive),
		cmocka_unit_test(test_stale_cookie),
		cmocka_unit_test(test_type_tags),
		cmocka_unit_test(test_ephemeral),
		cmocka_unit_test(test_destroy_nonempty),
		cmocka_unit_test(test_threads_spin),
		cmocka_unit_test(test_threads_mutex),
		cmocka_unit_test(test_threads_rwlock),
		cmocka_unit_test(test_uhash),
	};

	return cmocka_run_group_tests_name("gurt_handle", tests, NULL, NULL);
}
