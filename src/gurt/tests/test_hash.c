/**
 * Generic hash table tests (d_hash_*), and the hash functions.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <pthread.h>
#include <cmocka.h>

#include <gurt/common.h>
#include <gurt/hash.h>

struct rec {
	d_list_t link;
	char key[16];
	uint32_t ref;
	int id;
};

static int rec_freed;

static inline struct rec *
l2rec(d_list_t *link)
{
	return container_of(link, struct rec, link);
}

static bool
rec_key_cmp(struct d_hash_table *ht, d_list_t *link, const void *key, unsigned int ksize)
{
	return ksize == strlen(l2rec(link)->key) && memcmp(l2rec(link)->key, key, ksize) == 0;
}

static uint32_t
rec_rec_hash(struct d_hash_table *ht, d_list_t *link)
{
	struct rec *r = l2rec(link);

	/* Must match the default key hash: djb2 of the key bytes. */
	return d_hash_string_u32(r->key, strlen(r->key));
}

static void
rec_addref(struct d_hash_table *ht, d_list_t *link)
{
	__atomic_add_fetch(&l2rec(link)->ref, 1, __ATOMIC_RELAXED);
}

static bool
rec_decref(struct d_hash_table *ht, d_list_t *link)
{
	uint32_t old = __atomic_fetch_sub(&l2rec(link)->ref, 1, __ATOMIC_ACQ_REL);

	assert_true(old > 0);
	return old == 1;
}

static int
rec_ndecref(struct d_hash_table *ht, d_list_t *link, int count)
{
	struct rec *r = l2rec(link);

	if (r->ref < (uint32_t)count)
		return -DER_INVAL;
	r->ref -= count;
	return r->ref == 0;
}

static void
rec_free(struct d_hash_table *ht, d_list_t *link)
{
	__atomic_add_fetch(&rec_freed, 1, __ATOMIC_RELAXED);
	free(l2rec(link));
}

/* No hop_key_hash: the table must fall back to hashing the key bytes. */
static d_hash_table_ops_t rec_ops = {
	.hop_key_cmp = rec_key_cmp,
	.hop_rec_hash = rec_rec_hash,
	.hop_rec_addref = rec_addref,
	.hop_rec_decref = rec_decref,
	.hop_rec_free = rec_free,
};

static struct rec *
rec_new(const char *key, int id)
{
	struct rec *r = calloc(1, sizeof(*r));

	assert_non_null(r);
	snprintf(r->key, sizeof(r->key), "%s", key);
	D_INIT_LIST_HEAD(&r->link);
	r->id = id;
	return r;
}

static int
setup(void **state)
{
	rec_freed = 0;
	return 0;
}

static void
test_insert_find_delete(void **state)
{
	struct d_hash_table *ht;
	struct rec *a = rec_new("alpha", 1);
	struct rec *b = rec_new("beta", 2);
	struct rec *a2;
	d_list_t *l;

	assert_int_equal(d_hash_table_create(0, 4, NULL, &rec_ops, &ht), 0);
	a->ref = 1; /* creator's */
	b->ref = 1;
	assert_int_equal(d_hash_rec_insert(ht, "alpha", 5, &a->link, true), 0);
	assert_int_equal(a->ref, 2); /* the table took one */
	assert_int_equal(d_hash_rec_insert(ht, "beta", 4, &b->link, true), 0);

	/* Exclusive insert of an existing key fails and changes nothing. */
	a2 = rec_new("alpha", 3);
	a2->ref = 1;
	assert_int_equal(d_hash_rec_insert(ht, "alpha", 5, &a2->link, true), -DER_EXIST);
	assert_true(d_hash_rec_unlinked(&a2->link));
	assert_int_equal(a2->ref, 1);

	l = d_hash_rec_find(ht, "alpha", 5);
	assert_ptr_equal(l, &a->link);
	assert_int_equal(a->ref, 3);
	d_hash_rec_decref(ht, l);
	assert_null(d_hash_rec_find(ht, "gamma", 5));
	assert_null(d_hash_rec_find(ht, "alph", 4));

	/* find_insert returns the existing record, or inserts the new one. */
	l = d_hash_rec_find_insert(ht, "alpha", 5, &a2->link);
	assert_ptr_equal(l, &a->link);
	d_hash_rec_decref(ht, l);
	snprintf(a2->key, sizeof(a2->key), "gamma");
	l = d_hash_rec_find_insert(ht, "gamma", 5, &a2->link);
	assert_ptr_equal(l, &a2->link);

	assert_true(d_hash_rec_delete(ht, "alpha", 5));
	assert_false(d_hash_rec_delete(ht, "alpha", 5));
	assert_true(d_hash_rec_unlinked(&a->link));
	assert_int_equal(a->ref, 1);
	assert_int_equal(rec_freed, 0);
	d_hash_rec_decref(ht, &a->link); /* the creator's: frees */
	assert_int_equal(rec_freed, 1);

	/* Destroy refuses a non-empty table unless forced. */
	assert_int_equal(d_hash_table_destroy(ht, false), -DER_BUSY);
	assert_true(d_hash_rec_delete_at(ht, &b->link));
	assert_false(d_hash_rec_delete_at(ht, &b->link));
	d_hash_rec_decref(ht, &b->link);
	assert_int_equal(rec_freed, 2);
	assert_true(d_hash_rec_delete_at(ht, &a2->link));
	d_hash_rec_decref(ht, &a2->link);
	assert_int_equal(rec_freed, 3);
	assert_int_equal(d_hash_table_destroy(ht, false), 0);
}

static void
test_bad_args(void **state)
{
	struct d_hash_table *ht = (void *)0x1;
	struct d_hash_table inplace;
	d_hash_table_ops_t no_cmp = {0};
	struct rec *r = rec_new("x", 0);

	assert_int_equal(d_hash_table_create(0, 4, NULL, NULL, &ht), -DER_INVAL);
	assert_null(ht);
	assert_int_equal(d_hash_table_create(0, 4, NULL, &no_cmp, &ht), -DER_INVAL);
	assert_int_equal(d_hash_table_create(0, 40, NULL, &rec_ops, &ht), -DER_INVAL);
	assert_int_equal(
		d_hash_table_create(D_HASH_FT_MUTEX | D_HASH_FT_RWLOCK, 4, NULL, &rec_ops, &ht),
		-DER_INVAL);
	assert_int_equal(d_hash_table_create(0, 4, NULL, &rec_ops, NULL), -DER_INVAL);

	assert_int_equal(d_hash_table_create_inplace(D_HASH_FT_NOLOCK, 0, NULL, &rec_ops, &inplace),
			 0);
	assert_int_equal(d_hash_rec_insert(&inplace, NULL, 0, &r->link, false), -DER_INVAL);
	assert_int_equal(d_hash_rec_insert(&inplace, "x", 1, NULL, false), -DER_INVAL);
	assert_null(d_hash_rec_find(&inplace, NULL, 3));
	assert_int_equal(d_hash_rec_insert_anonym(&inplace, &r->link, NULL), -DER_INVAL);
	assert_int_equal(d_hash_table_traverse(&inplace, NULL, NULL), -DER_INVAL);
	assert_int_equal(d_hash_table_destroy_inplace(&inplace, false), 0);
	/* A destroyed table is refused, not crashed on. */
	assert_int_equal(d_hash_table_traverse(&inplace, NULL, NULL), -DER_UNINIT);
	assert_null(d_hash_rec_first(&inplace));
	free(r);
}

static void
test_ephemeral_first_drain(void **state)
{
	struct d_hash_table *ht;
	d_list_t *l;
	char key[16];
	int i;
	int n = 0;

	/* IOR's directory cache: EPHEMERAL | NOLOCK | LRU, 4 bits. */
	assert_int_equal(d_hash_table_create(D_HASH_FT_EPHEMERAL | D_HASH_FT_NOLOCK | D_HASH_FT_LRU,
					     4, NULL, &rec_ops, &ht),
			 0);
	for (i = 0; i < 100; i++) {
		struct rec *r = rec_new("", i);

		snprintf(key, sizeof(key), "dir%d", i);
		snprintf(r->key, sizeof(r->key), "%s", key);
		r->ref = 1; /* EPHEMERAL: the table takes none; this one is the cache's */
		assert_int_equal(d_hash_rec_insert(ht, key, strlen(key), &r->link, true), 0);
		assert_int_equal(r->ref, 1);
	}
	/* A lookup reference and its release leave the record cached. */
	l = d_hash_rec_find(ht, "dir7", 4);
	assert_non_null(l);
	assert_int_equal(l2rec(l)->ref, 2);
	d_hash_rec_decref(ht, l);
	assert_false(d_hash_rec_unlinked(l));
	assert_int_equal(rec_freed, 0);

	/* ndecref dropping the last reference unlinks and frees. */
	l = d_hash_rec_find(ht, "dir8", 4);
	assert_int_equal(d_hash_rec_ndecref(ht, 2, l), 0);
	assert_int_equal(rec_freed, 1);
	assert_null(d_hash_rec_find(ht, "dir8", 4));

	/* Drain as IOR's finalize does. */
	while ((l = d_hash_rec_first(ht)) != NULL) {
		d_hash_rec_decref(ht, l);
		n++;
		assert_true(n <= 99);
	}
	assert_int_equal(n, 99);
	assert_int_equal(rec_freed, 100);
	assert_int_equal(d_hash_table_destroy(ht, false), 0);
}

static void
test_ndecref(void **state)
{
	d_hash_table_ops_t ops = rec_ops;
	struct d_hash_table *ht;
	struct rec *r = rec_new("k", 0);

	/* Without hop_rec_ndecref the table loops over hop_rec_decref. */
	assert_int_equal(d_hash_table_create(D_HASH_FT_EPHEMERAL, 2, NULL, &rec_ops, &ht), 0);
	r->ref = 3;
	assert_int_equal(d_hash_rec_insert(ht, "k", 1, &r->link, false), 0);
	assert_int_equal(d_hash_rec_ndecref(ht, 2, &r->link), 0);
	assert_int_equal(r->ref, 1);
	assert_int_equal(d_hash_rec_ndecref(ht, 0, &r->link), -DER_INVAL);
	/* Dropping more than held: the record is freed and the excess reported. */
	assert_int_equal(d_hash_rec_ndecref(ht, 2, &r->link), -DER_INVAL);
	assert_int_equal(rec_freed, 1);
	assert_int_equal(d_hash_table_destroy(ht, false), 0);

	ops.hop_rec_ndecref = rec_ndecref;
	assert_int_equal(d_hash_table_create(D_HASH_FT_EPHEMERAL, 2, NULL, &ops, &ht), 0);
	r = rec_new("k", 0);
	r->ref = 3;
	assert_int_equal(d_hash_rec_insert(ht, "k", 1, &r->link, false), 0);
	assert_int_equal(d_hash_rec_ndecref(ht, 5, &r->link), -DER_INVAL);
	assert_int_equal(r->ref, 3);
	assert_int_equal(d_hash_rec_ndecref(ht, 3, &r->link), 0);
	assert_int_equal(rec_freed, 2);
	assert_int_equal(d_hash_table_destroy(ht, false), 0);
}

static int
collect_cb(d_list_t *link, void *arg)
{
	char *out = arg;

	strcat(out, l2rec(link)->key);
	return 0;
}

static int
count_cb(d_list_t *link, void *arg)
{
	(*(int *)arg)++;
	return 0;
}

static int
stop_cb(d_list_t *link, void *arg)
{
	(*(int *)arg)++;
	return 7;
}

static void
test_lru(void **state)
{
	struct d_hash_table *ht;
	struct rec *r[3];
	const char *keys[3] = {"A", "B", "C"};
	char order[8];
	d_list_t *l;
	int i;

	/* One bucket, so the bucket order is the table order. */
	assert_int_equal(
		d_hash_table_create(D_HASH_FT_LRU | D_HASH_FT_MUTEX, 0, NULL, &rec_ops, &ht), 0);
	for (i = 0; i < 3; i++) {
		r[i] = rec_new(keys[i], i);
		r[i]->ref = 1;
		assert_int_equal(d_hash_rec_insert(ht, keys[i], 1, &r[i]->link, true), 0);
	}
	order[0] = '\0';
	d_hash_table_traverse(ht, collect_cb, order);
	assert_string_equal(order, "CBA"); /* newest first */

	l = d_hash_rec_find(ht, "A", 1); /* found: most recently used */
	d_hash_rec_decref(ht, l);
	order[0] = '\0';
	d_hash_table_traverse(ht, collect_cb, order);
	assert_string_equal(order, "ACB");

	assert_true(d_hash_rec_evict(ht, "A", 1)); /* least recently used */
	assert_false(d_hash_rec_evict(ht, "Z", 1));
	order[0] = '\0';
	d_hash_table_traverse(ht, collect_cb, order);
	assert_string_equal(order, "CBA");

	assert_true(d_hash_rec_evict_at(ht, &r[2]->link));
	order[0] = '\0';
	d_hash_table_traverse(ht, collect_cb, order);
	assert_string_equal(order, "BAC");
	/* Eviction only reorders: all still there, nothing freed. */
	assert_int_equal(rec_freed, 0);

	d_hash_rec_promote(ht, "A", 1, &r[0]->link);
	order[0] = '\0';
	d_hash_table_traverse(ht, collect_cb, order);
	assert_string_equal(order, "ABC");

	/* Evicting an unlinked record does not put it back. */
	assert_true(d_hash_rec_delete_at(ht, &r[1]->link));
	assert_false(d_hash_rec_evict_at(ht, &r[1]->link));
	assert_true(d_hash_rec_unlinked(&r[1]->link));
	d_hash_rec_decref(ht, &r[1]->link);

	assert_int_equal(d_hash_table_destroy(ht, true), 0);
	assert_int_equal(rec_freed, 1);
	/* The table's references went with destroy; ours remain. */
	free(r[0]);
	free(r[2]);
}

static void
test_non_lru_evict(void **state)
{
	struct d_hash_table *ht;
	struct rec *r = rec_new("A", 0);

	assert_int_equal(d_hash_table_create(0, 0, NULL, &rec_ops, &ht), 0);
	r->ref = 1;
	assert_int_equal(d_hash_rec_insert(ht, "A", 1, &r->link, true), 0);
	assert_false(d_hash_rec_evict(ht, "A", 1));
	assert_false(d_hash_rec_evict_at(ht, &r->link));
	assert_int_equal(d_hash_table_destroy(ht, true), 0);
	free(r);
}

static void
test_traverse_many(void **state)
{
	struct d_hash_table *ht;
	struct rec *r;
	d_list_t *l;
	char key[16];
	int i;
	int n = 0;
	const int N = 20000;

	assert_int_equal(d_hash_table_create(D_HASH_FT_RWLOCK, 8, NULL, &rec_ops, &ht), 0);
	for (i = 0; i < N; i++) {
		snprintf(key, sizeof(key), "k%d", i);
		r = rec_new(key, i);
		r->ref = 0; /* only the table's */
		assert_int_equal(d_hash_rec_insert(ht, key, strlen(key), &r->link, false), 0);
	}
	assert_int_equal(ht->ht_nr, N);
	d_hash_table_debug(ht);
	assert_int_equal(d_hash_table_traverse(ht, count_cb, &n), 0);
	assert_int_equal(n, N);
	n = 0;
	assert_int_equal(d_hash_table_traverse(ht, stop_cb, &n), 7);
	assert_int_equal(n, 1);
	for (i = 0; i < N; i += 3) {
		snprintf(key, sizeof(key), "k%d", i);
		l = d_hash_rec_find(ht, key, strlen(key));
		assert_non_null(l);
		assert_int_equal(l2rec(l)->id, i);
		d_hash_rec_decref(ht, l);
	}
	for (i = 0; i < N; i += 2) {
		snprintf(key, sizeof(key), "k%d", i);
		assert_true(d_hash_rec_delete(ht, key, strlen(key)));
	}
	assert_int_equal(rec_freed, N / 2);
	n = 0;
	d_hash_table_traverse(ht, count_cb, &n);
	assert_int_equal(n, N / 2);
	/* Forced destroy drops the table's references: everything is freed. */
	assert_int_equal(d_hash_table_destroy(ht, true), 0);
	assert_int_equal(rec_freed, N);
}

/* ---- IOR's directory cache: only key_cmp, decref (always last) and free ---- */

static bool
ior_decref(struct d_hash_table *ht, d_list_t *link)
{
	return true;
}

static void
test_ior_style(void **state)
{
	d_hash_table_ops_t ops = {
		.hop_key_cmp = rec_key_cmp,
		.hop_rec_decref = ior_decref,
		.hop_rec_free = rec_free,
	};
	uint32_t feats[] = {D_HASH_FT_EPHEMERAL | D_HASH_FT_NOLOCK | D_HASH_FT_LRU,
			    D_HASH_FT_EPHEMERAL | D_HASH_FT_LRU};
	struct d_hash_table *ht;
	struct rec *r[4];
	const char *keys[4] = {"/a", "/a/b", "/c", "/d/e/f"};
	char order[32];
	d_list_t *l;
	int f;
	int i;

	for (f = 0; f < 2; f++) {
		rec_freed = 0;
		/* 0 bits: one bucket, so order is observable; no rec_hash: global lock. */
		assert_int_equal(d_hash_table_create(feats[f], 0, NULL, &ops, &ht), 0);
		for (i = 0; i < 4; i++) {
			r[i] = rec_new(keys[i], i);
			assert_int_equal(
				d_hash_rec_insert(ht, keys[i], strlen(keys[i]), &r[i]->link, false),
				0);
		}
		l = d_hash_rec_find(ht, "/a/b", 4);
		assert_ptr_equal(l, &r[1]->link);
		assert_null(d_hash_rec_find(ht, "/a/", 3));
		/* evict_at without hop_rec_hash finds the bucket by walking the chain. */
		assert_true(d_hash_rec_evict_at(ht, &r[1]->link));
		order[0] = '\0';
		d_hash_table_traverse(ht, collect_cb, order);
		assert_string_equal(order, "/d/e/f/c/a/a/b");

		while ((l = d_hash_rec_first(ht)) != NULL)
			d_hash_rec_decref(ht, l);
		assert_int_equal(rec_freed, 4);
		assert_int_equal(d_hash_table_destroy(ht, false), 0);
	}
}

/* ---- anonymous insert (key made by hop_key_init) ---- */

struct anon {
	d_list_t link;
	uint64_t key;
};

static uint64_t anon_next;

static bool
anon_cmp(struct d_hash_table *ht, d_list_t *link, const void *key, unsigned int ksize)
{
	return ksize == 8 && memcmp(&container_of(link, struct anon, link)->key, key, 8) == 0;
}

static void
anon_key_init(struct d_hash_table *ht, d_list_t *link, void *arg)
{
	container_of(link, struct anon, link)->key =
		__atomic_add_fetch(&anon_next, 1, __ATOMIC_RELAXED) * (uint64_t)(uintptr_t)arg;
}

static uint32_t
anon_key_hash(struct d_hash_table *ht, const void *key, unsigned int ksize)
{
	uint64_t k;

	memcpy(&k, key, 8);
	return (uint32_t)d_hash_mix64(k);
}

static uint32_t
anon_rec_hash(struct d_hash_table *ht, d_list_t *link)
{
	return (uint32_t)d_hash_mix64(container_of(link, struct anon, link)->key);
}

static void
test_anonym(void **state)
{
	d_hash_table_ops_t ops = {
		.hop_key_cmp = anon_cmp,
		.hop_key_init = anon_key_init,
		.hop_key_hash = anon_key_hash,
		.hop_rec_hash = anon_rec_hash,
	};
	uint32_t feats[] = {0, D_HASH_FT_NO_KEYINIT_LOCK, D_HASH_FT_GLOCK};
	struct d_hash_table *ht;
	struct anon a[10];
	int f;
	int i;

	for (f = 0; f < 3; f++) {
		anon_next = 0;
		assert_int_equal(d_hash_table_create(feats[f], 3, NULL, &ops, &ht), 0);
		for (i = 0; i < 10; i++) {
			D_INIT_LIST_HEAD(&a[i].link);
			assert_int_equal(
				d_hash_rec_insert_anonym(ht, &a[i].link, (void *)(uintptr_t)10), 0);
			assert_int_equal(a[i].key, 10 * (i + 1));
		}
		for (i = 0; i < 10; i++)
			assert_ptr_equal(d_hash_rec_find(ht, &a[i].key, 8), &a[i].link);
		for (i = 0; i < 10; i++)
			assert_true(d_hash_rec_delete(ht, &a[i].key, 8));
		assert_null(d_hash_rec_first(ht));
		assert_int_equal(d_hash_table_destroy(ht, false), 0);
	}
}

/* ---- several threads on one table ---- */

#define NTHREADS 4
#define NKEYS    256
#define NROUNDS  3000

struct thr_arg {
	struct d_hash_table *ht;
	int tid;
	int errors;
};

static void *
thr_main(void *varg)
{
	struct thr_arg *arg = varg;
	char key[16];
	d_list_t *l;
	int i;

	for (i = 0; i < NROUNDS; i++) {
		int k = (i * 7 + arg->tid * 13) % NKEYS;
		struct rec *r;

		snprintf(key, sizeof(key), "s%d", k);
		l = d_hash_rec_find(arg->ht, key, strlen(key));
		if (l == NULL || strcmp(l2rec(l)->key, key) != 0)
			__atomic_add_fetch(&arg->errors, 1, __ATOMIC_RELAXED);
		if (l != NULL)
			d_hash_rec_decref(arg->ht, l);

		/* Private keys come and go while others read. */
		snprintf(key, sizeof(key), "t%d_%d", arg->tid, i % 32);
		r = rec_new(key, i);
		r->ref = 1;
		if (d_hash_rec_insert(arg->ht, key, strlen(key), &r->link, true) != 0)
			__atomic_add_fetch(&arg->errors, 1, __ATOMIC_RELAXED);
		if (!d_hash_rec_delete(arg->ht, key, strlen(key)))
			__atomic_add_fetch(&arg->errors, 1, __ATOMIC_RELAXED);
		d_hash_rec_decref(arg->ht, &r->link);
	}
	return NULL;
}

static void
run_threads(uint32_t feats)
{
	struct d_hash_table *ht;
	struct thr_arg args[NTHREADS];
	pthread_t thr[NTHREADS];
	char key[16];
	int i;
	int n = 0;

	rec_freed = 0;
	assert_int_equal(d_hash_table_create(feats, 5, NULL, &rec_ops, &ht), 0);
	for (i = 0; i < NKEYS; i++) {
		struct rec *r;

		snprintf(key, sizeof(key), "s%d", i);
		r = rec_new(key, i);
		r->ref = 0;
		assert_int_equal(d_hash_rec_insert(ht, key, strlen(key), &r->link, true), 0);
	}
	for (i = 0; i < NTHREADS; i++) {
		args[i] = (struct thr_arg){.ht = ht, .tid = i};
		assert_int_equal(pthread_create(&thr[i], NULL, thr_main, &args[i]), 0);
	}
	for (i = 0; i < NTHREADS; i++) {
		pthread_join(thr[i], NULL);
		assert_int_equal(args[i].errors, 0);
	}
	assert_int_equal(rec_freed, NTHREADS * NROUNDS);
	d_hash_table_traverse(ht, count_cb, &n);
	assert_int_equal(n, NKEYS);
	assert_int_equal(d_hash_table_destroy(ht, true), 0);
	assert_int_equal(rec_freed, NTHREADS * NROUNDS + NKEYS);
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

static void
test_threads_glock_lru(void **state)
{
	run_threads(D_HASH_FT_GLOCK | D_HASH_FT_LRU | D_HASH_FT_RWLOCK);
}

/* ---- hash functions ---- */

static void
test_hash_funcs(void **state)
{
	unsigned char buf[40];
	uint64_t h;
	uint32_t counts[8] = {0};
	int i;

	assert_int_equal(d_hash_string_u32("", 0), 5381);
	assert_int_equal(d_hash_string_u32("a", 1), 5381 * 33 + 'a');
	assert_int_equal(d_hash_string_u32("ab", 1), d_hash_string_u32("ac", 1));

	/* Published jump consistent hash values. */
	assert_int_equal(d_hash_jump(0, 60), 0);
	assert_int_equal(d_hash_jump(1, 60), 55);
	assert_int_equal(d_hash_jump(2, 60), 46);
	assert_int_equal(d_hash_jump(256, 1024), 520);
	assert_int_equal(d_hash_jump(12345, 1), 0);
	assert_int_equal(d_hash_jump(12345, 0), 0);
	/* Consistency: growing 8 -> 9 buckets moves keys only to the new bucket. */
	for (i = 0; i < 1000; i++) {
		uint32_t b8 = d_hash_jump(d_hash_mix64(i), 8);
		uint32_t b9 = d_hash_jump(d_hash_mix64(i), 9);

		assert_true(b8 < 8);
		assert_true(b9 == b8 || b9 == 8);
		counts[b8]++;
	}
	for (i = 0; i < 8; i++)
		assert_in_range(counts[i], 60, 190);

	/* murmur64: deterministic, seeded, alignment independent, every byte counts. */
	for (i = 0; i < (int)sizeof(buf); i++)
		buf[i] = (unsigned char)(i * 37 + 1);
	h = d_hash_murmur64(buf, 21, 5731);
	assert_true(h == d_hash_murmur64(buf, 21, 5731));
	assert_true(h != d_hash_murmur64(buf, 21, 5732));
	assert_true(h != d_hash_murmur64(buf, 20, 5731));
	memmove(buf + 3, buf, 21);
	assert_true(h == d_hash_murmur64(buf + 3, 21, 5731));
	buf[3 + 20] ^= 1;
	assert_true(h != d_hash_murmur64(buf + 3, 21, 5731));
	assert_true(d_hash_murmur64(NULL, 0, 0) == 0);

	assert_true(d_hash_mix64(1) != d_hash_mix64(2));
	assert_true(d_hash_mix96(1, 2, 3) != d_hash_mix96(1, 2, 4));
	assert_int_equal(d_u32_hash(0, 8), 0);
	assert_true(d_u32_hash(12345, 8) < 256);
	assert_true(d_u64_hash(12345, 10) < 1024);

	{
		uint64_t hs[] = {10, 20, 30, 40};

		assert_int_equal(d_hash_srch_u64(hs, 4, 5), 0);
		assert_int_equal(d_hash_srch_u64(hs, 4, 10), 0);
		assert_int_equal(d_hash_srch_u64(hs, 4, 25), 1);
		assert_int_equal(d_hash_srch_u64(hs, 4, 40), 3);
		assert_int_equal(d_hash_srch_u64(hs, 4, 99), 3);
		assert_int_equal(d_hash_srch_u64(hs, 1, 99), 0);
	}
	assert_int_equal(d_power2_nbits(1), 0);
	assert_int_equal(d_power2_nbits(4), 2);
	assert_int_equal(d_power2_nbits(5), 3);
}

static void
test_uuid_str(void **state)
{
	uuid_t u;
	char expect[37];
	const char *s;
	char line[64];

	uuid_generate(u);
	uuid_unparse_lower(u, expect);
	s = DP_UUID(u);
	assert_string_equal(s, expect);
	snprintf(line, sizeof(line), DF_UUID, DP_UUID(u));
	assert_int_equal(strlen(line), 8);
	assert_memory_equal(line, expect, 8);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_insert_find_delete, setup),
		cmocka_unit_test_setup(test_bad_args, setup),
		cmocka_unit_test_setup(test_ephemeral_first_drain, setup),
		cmocka_unit_test_setup(test_ndecref, setup),
		cmocka_unit_test_setup(test_lru, setup),
		cmocka_unit_test_setup(test_non_lru_evict, setup),
		cmocka_unit_test_setup(test_traverse_many, setup),
		cmocka_unit_test_setup(test_anonym, setup),
		cmocka_unit_test_setup(test_ior_style, setup),
		cmocka_unit_test_setup(test_threads_spin, setup),
		cmocka_unit_test_setup(test_threads_mutex, setup),
		cmocka_unit_test_setup(test_threads_rwlock, setup),
		cmocka_unit_test_setup(test_threads_glock_lru, setup),
		cmocka_unit_test(test_hash_funcs),
		cmocka_unit_test(test_uuid_str),
	};

	return cmocka_run_group_tests_name("gurt_hash", tests, NULL, NULL);
}
