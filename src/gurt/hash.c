/**
 * Chained hash table with optional per-bucket locking, reference counting
 * through user callbacks, and LRU ordering inside buckets.
 *
 * Buckets are a fixed power of two chosen at creation; there is no resizing,
 * so that a record's bucket (and therefore its lock) never changes while
 * other threads may hold a pointer to it.
 */
#define D_LOGFAC DD_FAC(gurt)

#include <pthread.h>

#include <gurt/common.h>
#include <gurt/hash.h>

/* Where a successful find leaves the record in its bucket. */
enum ht_lru_move {
	HT_LRU_NONE,
	HT_LRU_HEAD,
	HT_LRU_TAIL,
};

static inline bool
ht_nolock(struct d_hash_table *htable)
{
	return (htable->ht_feats & D_HASH_FT_NOLOCK) != 0;
}

static inline union d_hash_lock *
ht_lock_of(struct d_hash_table *htable, uint32_t idx)
{
	if (htable->ht_feats & D_HASH_FT_GLOCK)
		return &htable->ht_lock;
	return &htable->ht_locks[idx];
}

/*
 * A failing lock call means a corrupted or destroyed table; carrying on would
 * corrupt memory, so stop here with the reason logged.
 */
static inline void
ht_check_lock_rc(int rc, const char *what)
{
	D_ASSERTF(rc == 0, "%s failed: %d", what, rc);
}

/* \a shared: the caller only reads the bucket (rwlock tables share it). */
static void
ht_lock(struct d_hash_table *htable, uint32_t idx, bool shared)
{
	union d_hash_lock *lock;

	if (ht_nolock(htable))
		return;
	lock = ht_lock_of(htable, idx);
	if (htable->ht_feats & D_HASH_FT_MUTEX)
		ht_check_lock_rc(pthread_mutex_lock(&lock->mutex), "mutex lock");
	else if (htable->ht_feats & D_HASH_FT_RWLOCK)
		ht_check_lock_rc(shared ? pthread_rwlock_rdlock(&lock->rwlock)
					: pthread_rwlock_wrlock(&lock->rwlock),
				 "rwlock lock");
	else
		ht_check_lock_rc(pthread_spin_lock(&lock->spin), "spin lock");
}

static void
ht_unlock(struct d_hash_table *htable, uint32_t idx)
{
	union d_hash_lock *lock;

	if (ht_nolock(htable))
		return;
	lock = ht_lock_of(htable, idx);
	if (htable->ht_feats & D_HASH_FT_MUTEX)
		ht_check_lock_rc(pthread_mutex_unlock(&lock->mutex), "mutex unlock");
	else if (htable->ht_feats & D_HASH_FT_RWLOCK)
		ht_check_lock_rc(pthread_rwlock_unlock(&lock->rwlock), "rwlock unlock");
	else
		ht_check_lock_rc(pthread_spin_unlock(&lock->spin), "spin unlock");
}

static int
ht_lock_init(struct d_hash_table *htable, union d_hash_lock *lock)
{
	int rc;

	if (htable->ht_feats & D_HASH_FT_MUTEX)
		rc = pthread_mutex_init(&lock->mutex, NULL);
	else if (htable->ht_feats & D_HASH_FT_RWLOCK)
		rc = pthread_rwlock_init(&lock->rwlock, NULL);
	else
		rc = pthread_spin_init(&lock->spin, PTHREAD_PROCESS_PRIVATE);
	return rc == 0 ? 0 : (rc == ENOMEM ? -DER_NOMEM : -DER_MISC);
}

static void
ht_lock_fini(struct d_hash_table *htable, union d_hash_lock *lock)
{
	if (htable->ht_feats & D_HASH_FT_MUTEX)
		pthread_mutex_destroy(&lock->mutex);
	else if (htable->ht_feats & D_HASH_FT_RWLOCK)
		pthread_rwlock_destroy(&lock->rwlock);
	else
		pthread_spin_destroy(&lock->spin);
}

/* Take every lock, in bucket order so two such callers cannot deadlock. */
static void
ht_lock_all(struct d_hash_table *htable)
{
	uint32_t nr = 1U << htable->ht_bits;
	uint32_t i;

	if (ht_nolock(htable))
		return;
	if (htable->ht_feats & D_HASH_FT_GLOCK) {
		ht_lock(htable, 0, false);
		return;
	}
	for (i = 0; i < nr; i++)
		ht_lock(htable, i, false);
}

static void
ht_unlock_all(struct d_hash_table *htable)
{
	uint32_t nr = 1U << htable->ht_bits;
	uint32_t i;

	if (ht_nolock(htable))
		return;
	if (htable->ht_feats & D_HASH_FT_GLOCK) {
		ht_unlock(htable, 0);
		return;
	}
	for (i = nr; i > 0; i--)
		ht_unlock(htable, i - 1);
}

static inline uint32_t
ht_mask(struct d_hash_table *htable)
{
	return (1U << htable->ht_bits) - 1;
}

static inline uint32_t
ht_key_idx(struct d_hash_table *htable, const void *key, unsigned int ksize)
{
	uint32_t h;

	if (htable->ht_ops->hop_key_hash != NULL)
		h = htable->ht_ops->hop_key_hash(htable, key, ksize);
	else
		h = d_hash_string_u32((const char *)key, ksize);
	return h & ht_mask(htable);
}

/*
 * Bucket of a record known only by its link. Without hop_rec_hash the table
 * runs with a global lock (or none), so any index selects the right lock.
 */
static inline uint32_t
ht_rec_idx(struct d_hash_table *htable, d_list_t *link)
{
	if (htable->ht_ops->hop_rec_hash == NULL)
		return 0;
	return htable->ht_ops->hop_rec_hash(htable, link) & ht_mask(htable);
}

static inline bool
ht_is_head(struct d_hash_table *htable, d_list_t *pos)
{
	uintptr_t first = (uintptr_t)htable->ht_buckets;
	uintptr_t last = (uintptr_t)(htable->ht_buckets + (1U << htable->ht_bits));

	return (uintptr_t)pos >= first && (uintptr_t)pos < last;
}

/*
 * Head of the bucket holding linked record \a link. Without hop_rec_hash the
 * index is unknown, so walk the chain to the head, which lies inside the
 * bucket array. Called with the bucket (or global) lock held.
 */
static d_list_t *
ht_link_head(struct d_hash_table *htable, uint32_t idx, d_list_t *link)
{
	d_list_t *pos;

	if (htable->ht_ops->hop_rec_hash != NULL)
		return &htable->ht_buckets[idx].hb_head;
	for (pos = link->next; !ht_is_head(htable, pos); pos = pos->next)
		;
	return pos;
}

static inline void
ht_addref(struct d_hash_table *htable, d_list_t *link)
{
	if (htable->ht_ops->hop_rec_addref != NULL)
		htable->ht_ops->hop_rec_addref(htable, link);
}

static inline bool
ht_decref(struct d_hash_table *htable, d_list_t *link)
{
	if (htable->ht_ops->hop_rec_decref == NULL)
		return false;
	return htable->ht_ops->hop_rec_decref(htable, link);
}

static inline void
ht_free(struct d_hash_table *htable, d_list_t *link)
{
	if (htable->ht_ops->hop_rec_free != NULL)
		htable->ht_ops->hop_rec_free(htable, link);
}

static inline bool
ht_ephemeral(struct d_hash_table *htable)
{
	return (htable->ht_feats & D_HASH_FT_EPHEMERAL) != 0;
}

/* Called with the bucket locked for writing. */
static void
ht_link_in(struct d_hash_table *htable, uint32_t idx, d_list_t *link)
{
	uint32_t nr;
	uint32_t max;

	if (!ht_ephemeral(htable))
		ht_addref(htable, link);
	d_list_add(link, &htable->ht_buckets[idx].hb_head);

	/* Statistics only: buckets are locked separately, so count atomically. */
	nr = __atomic_add_fetch(&htable->ht_nr, 1, __ATOMIC_RELAXED);
	max = __atomic_load_n(&htable->ht_nr_max, __ATOMIC_RELAXED);
	while (nr > max && !__atomic_compare_exchange_n(&htable->ht_nr_max, &max, nr, true,
							__ATOMIC_RELAXED, __ATOMIC_RELAXED))
		;
}

/* Called with the bucket locked for writing; no reference is dropped. */
static void
ht_unlink(struct d_hash_table *htable, d_list_t *link)
{
	d_list_del_init(link);
	__atomic_sub_fetch(&htable->ht_nr, 1, __ATOMIC_RELAXED);
}

/*
 * Unlink and drop the table's own reference (none in EPHEMERAL tables).
 * Returns true when the record lost its last reference and must be freed,
 * which the caller does after unlocking.
 */
static bool
ht_unlink_decref(struct d_hash_table *htable, d_list_t *link)
{
	ht_unlink(htable, link);
	if (ht_ephemeral(htable))
		return false;
	return ht_decref(htable, link);
}

static d_list_t *
ht_find_locked(struct d_hash_table *htable, uint32_t idx, const void *key, unsigned int ksize,
	       enum ht_lru_move move)
{
	d_list_t *head = &htable->ht_buckets[idx].hb_head;
	d_list_t *link;

	d_list_for_each(link, head)
	{
		if (!htable->ht_ops->hop_key_cmp(htable, link, key, ksize))
			continue;
		if (!(htable->ht_feats & D_HASH_FT_LRU))
			return link;
		if (move == HT_LRU_HEAD && head->next != link)
			d_list_move(link, head);
		else if (move == HT_LRU_TAIL && head->prev != link)
			d_list_move_tail(link, head);
		return link;
	}
	return NULL;
}

static bool
ht_key_ok(struct d_hash_table *htable, const void *key, unsigned int ksize, const char *func)
{
	if (htable == NULL || htable->ht_buckets == NULL) {
		D_ERROR("%s: table %p is not initialised\n", func, htable);
		return false;
	}
	if (key == NULL || ksize == 0) {
		D_ERROR("%s: empty key\n", func);
		return false;
	}
	return true;
}

bool
d_hash_rec_unlinked(d_list_t *link)
{
	return d_list_empty(link);
}

d_list_t *
d_hash_rec_find(struct d_hash_table *htable, const void *key, unsigned int ksize)
{
	/* LRU reorders the bucket, so a find is a writer there. */
	bool shared;
	d_list_t *link;
	uint32_t idx;

	if (!ht_key_ok(htable, key, ksize, __func__))
		return NULL;
	shared = !(htable->ht_feats & D_HASH_FT_LRU);
	idx = ht_key_idx(htable, key, ksize);
	ht_lock(htable, idx, shared);
	link = ht_find_locked(htable, idx, key, ksize, HT_LRU_HEAD);
	if (link != NULL)
		ht_addref(htable, link);
	ht_unlock(htable, idx);
	return link;
}

d_list_t *
d_hash_rec_find_insert(struct d_hash_table *htable, const void *key, unsigned int ksize,
		       d_list_t *link)
{
	d_list_t *found;
	uint32_t idx;

	if (!ht_key_ok(htable, key, ksize, __func__) || link == NULL)
		return NULL;
	idx = ht_key_idx(htable, key, ksize);
	ht_lock(htable, idx, false);
	found = ht_find_locked(htable, idx, key, ksize, HT_LRU_HEAD);
	if (found != NULL) {
		ht_addref(htable, found);
		link = found;
	} else {
		ht_link_in(htable, idx, link);
	}
	ht_unlock(htable, idx);
	return link;
}

void
d_hash_rec_promote(struct d_hash_table *htable, const void *key, unsigned int ksize, d_list_t *link)
{
	d_list_t *head;
	uint32_t idx;

	if (!ht_key_ok(htable, key, ksize, __func__) || link == NULL)
		return;
	idx = ht_key_idx(htable, key, ksize);
	head = &htable->ht_buckets[idx].hb_head;
	ht_lock(htable, idx, false);
	if (!d_list_empty(link) && head->next != link)
		d_list_move(link, head);
	ht_unlock(htable, idx);
}

int
d_hash_rec_insert(struct d_hash_table *htable, const void *key, unsigned int ksize, d_list_t *link,
		  bool exclusive)
{
	uint32_t idx;
	int rc = 0;

	if (!ht_key_ok(htable, key, ksize, __func__) || link == NULL)
		return -DER_INVAL;
	idx = ht_key_idx(htable, key, ksize);
	ht_lock(htable, idx, false);
	if (exclusive && ht_find_locked(htable, idx, key, ksize, HT_LRU_NONE) != NULL)
		D_GOTO(out, rc = -DER_EXIST);
	ht_link_in(htable, idx, link);
out:
	ht_unlock(htable, idx);
	return rc;
}

int
d_hash_rec_insert_anonym(struct d_hash_table *htable, d_list_t *link, void *arg)
{
	uint32_t idx;

	if (htable == NULL || htable->ht_buckets == NULL || link == NULL)
		return -DER_INVAL;
	if (htable->ht_ops->hop_key_init == NULL) {
		D_ERROR("table %p has no hop_key_init for anonymous records\n", htable);
		return -DER_INVAL;
	}

	if (htable->ht_feats & (D_HASH_FT_NO_KEYINIT_LOCK | D_HASH_FT_NOLOCK)) {
		htable->ht_ops->hop_key_init(htable, link, arg);
		idx = ht_rec_idx(htable, link);
		ht_lock(htable, idx, false);
		ht_link_in(htable, idx, link);
		ht_unlock(htable, idx);
		return 0;
	}

	/* The key (and so the bucket) is unknown until key_init ran. */
	ht_lock_all(htable);
	htable->ht_ops->hop_key_init(htable, link, arg);
	idx = ht_rec_idx(htable, link);
	ht_link_in(htable, idx, link);
	ht_unlock_all(htable);
	return 0;
}

bool
d_hash_rec_delete(struct d_hash_table *htable, const void *key, unsigned int ksize)
{
	d_list_t *link;
	uint32_t idx;
	bool zombie = false;

	if (!ht_key_ok(htable, key, ksize, __func__))
		return false;
	idx = ht_key_idx(htable, key, ksize);
	ht_lock(htable, idx, false);
	link = ht_find_locked(htable, idx, key, ksize, HT_LRU_NONE);
	if (link != NULL)
		zombie = ht_unlink_decref(htable, link);
	ht_unlock(htable, idx);

	if (zombie)
		ht_free(htable, link);
	return link != NULL;
}

bool
d_hash_rec_delete_at(struct d_hash_table *htable, d_list_t *link)
{
	bool deleted = false;
	bool zombie = false;
	uint32_t idx;

	if (htable == NULL || link == NULL)
		return false;
	idx = ht_rec_idx(htable, link);
	ht_lock(htable, idx, false);
	if (!d_list_empty(link)) {
		zombie = ht_unlink_decref(htable, link);
		deleted = true;
	}
	ht_unlock(htable, idx);

	if (zombie)
		ht_free(htable, link);
	return deleted;
}

bool
d_hash_rec_evict(struct d_hash_table *htable, const void *key, unsigned int ksize)
{
	d_list_t *link;
	uint32_t idx;

	if (!ht_key_ok(htable, key, ksize, __func__))
		return false;
	if (!(htable->ht_feats & D_HASH_FT_LRU))
		return false;
	idx = ht_key_idx(htable, key, ksize);
	ht_lock(htable, idx, false);
	link = ht_find_locked(htable, idx, key, ksize, HT_LRU_TAIL);
	ht_unlock(htable, idx);
	return link != NULL;
}

bool
d_hash_rec_evict_at(struct d_hash_table *htable, d_list_t *link)
{
	d_list_t *head;
	bool evicted = false;
	uint32_t idx;

	if (htable == NULL || link == NULL || !(htable->ht_feats & D_HASH_FT_LRU))
		return false;
	idx = ht_rec_idx(htable, link);
	ht_lock(htable, idx, false);
	/* An unlinked record must not be pulled back into the bucket. */
	if (!d_list_empty(link)) {
		head = ht_link_head(htable, idx, link);
		if (head->prev != link)
			d_list_move_tail(link, head);
		evicted = true;
	}
	ht_unlock(htable, idx);
	return evicted;
}

void
d_hash_rec_addref(struct d_hash_table *htable, d_list_t *link)
{
	uint32_t idx;

	if (htable == NULL || link == NULL)
		return;
	idx = ht_rec_idx(htable, link);
	ht_lock(htable, idx, true);
	ht_addref(htable, link);
	ht_unlock(htable, idx);
}

/*
 * A record lost its last reference. In an EPHEMERAL table that unlinks it; in
 * the other mode the table's own reference should have kept it alive, so this
 * is a caller bug: unlink anyway rather than leave freed memory in a bucket.
 * Called with the bucket write-locked.
 */
static void
ht_zombie_unlink(struct d_hash_table *htable, d_list_t *link)
{
	if (d_list_empty(link))
		return;
	if (!ht_ephemeral(htable))
		D_ERROR("table %p: last reference of a linked record dropped; unlinking it\n",
			htable);
	ht_unlink(htable, link);
}

/*
 * Only EPHEMERAL tables unlink on decref; others just change a count, which
 * hop_rec_decref must do atomically when the table uses rwlocks.
 */
static bool
ht_decref_needs_wrlock(struct d_hash_table *htable)
{
	return ht_ephemeral(htable);
}

static void
ht_zombie_fixup(struct d_hash_table *htable, uint32_t idx, d_list_t *link, bool held_shared)
{
	if (held_shared && !d_list_empty(link)) {
		ht_unlock(htable, idx);
		ht_lock(htable, idx, false);
	}
	ht_zombie_unlink(htable, link);
}

void
d_hash_rec_decref(struct d_hash_table *htable, d_list_t *link)
{
	bool shared;
	bool zombie;
	uint32_t idx;

	if (htable == NULL || link == NULL)
		return;
	shared = !ht_decref_needs_wrlock(htable);
	idx = ht_rec_idx(htable, link);
	ht_lock(htable, idx, shared);
	zombie = ht_decref(htable, link);
	if (zombie)
		ht_zombie_fixup(htable, idx, link, shared);
	ht_unlock(htable, idx);

	if (zombie)
		ht_free(htable, link);
}

int
d_hash_rec_ndecref(struct d_hash_table *htable, int count, d_list_t *link)
{
	bool shared;
	bool zombie = false;
	uint32_t idx;
	int rc = 0;

	if (htable == NULL || link == NULL || count <= 0)
		return -DER_INVAL;
	shared = !ht_decref_needs_wrlock(htable);
	idx = ht_rec_idx(htable, link);
	ht_lock(htable, idx, shared);
	if (htable->ht_ops->hop_rec_ndecref != NULL) {
		rc = htable->ht_ops->hop_rec_ndecref(htable, link, count);
		if (rc > 0) {
			zombie = true;
			rc = 0;
		}
	} else {
		while (count > 0 && !zombie) {
			zombie = ht_decref(htable, link);
			count--;
		}
		/* Asked to drop more than were held: the extra ones are an error. */
		if (count > 0)
			rc = -DER_INVAL;
	}
	if (zombie)
		ht_zombie_fixup(htable, idx, link, shared);
	ht_unlock(htable, idx);

	if (zombie)
		ht_free(htable, link);
	return rc;
}

static int
ht_first_cb(d_list_t *link, void *arg)
{
	*(d_list_t **)arg = link;
	return 1;
}

d_list_t *
d_hash_rec_first(struct d_hash_table *htable)
{
	d_list_t *link = NULL;

	if (d_hash_table_traverse(htable, ht_first_cb, &link) < 0)
		return NULL;
	return link;
}

int
d_hash_table_create_inplace(uint32_t feats, uint32_t bits, void *priv, d_hash_table_ops_t *hops,
			    struct d_hash_table *htable)
{
	uint32_t nr;
	uint32_t i;
	int rc;

	if (htable == NULL)
		return -DER_INVAL;
	memset(htable, 0, sizeof(*htable));
	if (hops == NULL || hops->hop_key_cmp == NULL) {
		D_ERROR("hash table needs ops with hop_key_cmp\n");
		return -DER_INVAL;
	}
	if (bits > D_HASH_BITS_MAX) {
		D_ERROR("hash table bits %u above the limit %u\n", bits, D_HASH_BITS_MAX);
		return -DER_INVAL;
	}
	if ((feats & D_HASH_FT_MUTEX) && (feats & D_HASH_FT_RWLOCK)) {
		D_ERROR("hash table cannot use both mutex and rwlock\n");
		return -DER_INVAL;
	}
	if (feats & D_HASH_FT_NOLOCK)
		feats &= ~(D_HASH_FT_MUTEX | D_HASH_FT_RWLOCK);
	if (hops->hop_rec_hash == NULL && !(feats & D_HASH_FT_NOLOCK)) {
		/* Per-bucket locks need the bucket of a bare link. */
		D_DEBUG(DB_TRACE, "no hop_rec_hash: table %p uses one global lock\n", htable);
		feats |= D_HASH_FT_GLOCK;
	}

	nr = 1U << bits;
	htable->ht_feats = feats;
	htable->ht_bits = bits;
	htable->ht_ops = hops;
	htable->ht_priv = priv;

	D_ALLOC_ARRAY(htable->ht_buckets, nr);
	if (htable->ht_buckets == NULL)
		return -DER_NOMEM;
	for (i = 0; i < nr; i++)
		D_INIT_LIST_HEAD(&htable->ht_buckets[i].hb_head);

	if (feats & D_HASH_FT_NOLOCK)
		return 0;

	if (feats & D_HASH_FT_GLOCK) {
		rc = ht_lock_init(htable, &htable->ht_lock);
		if (rc != 0)
			D_GOTO(free_buckets, rc);
		return 0;
	}

	D_ALLOC_ARRAY(htable->ht_locks, nr);
	if (htable->ht_locks == NULL)
		D_GOTO(free_buckets, rc = -DER_NOMEM);
	for (i = 0; i < nr; i++) {
		rc = ht_lock_init(htable, &htable->ht_locks[i]);
		if (rc != 0)
			D_GOTO(free_locks, rc);
	}
	return 0;

free_locks:
	while (i > 0)
		ht_lock_fini(htable, &htable->ht_locks[--i]);
	D_FREE(htable->ht_locks);
free_buckets:
	D_FREE(htable->ht_buckets);
	return rc;
}

int
d_hash_table_create(uint32_t feats, uint32_t bits, void *priv, d_hash_table_ops_t *hops,
		    struct d_hash_table **htable_pp)
{
	struct d_hash_table *htable;
	int rc;

	if (htable_pp == NULL)
		return -DER_INVAL;
	*htable_pp = NULL;
	D_ALLOC_PTR(htable);
	if (htable == NULL)
		return -DER_NOMEM;
	rc = d_hash_table_create_inplace(feats, bits, priv, hops, htable);
	if (rc != 0) {
		D_FREE(htable);
		return rc;
	}
	*htable_pp = htable;
	return 0;
}

int
d_hash_table_traverse(struct d_hash_table *htable, d_hash_traverse_cb_t cb, void *arg)
{
	uint32_t nr;
	uint32_t idx;
	d_list_t *link;
	int rc = 0;

	if (htable == NULL || htable->ht_buckets == NULL) {
		D_ERROR("hash table %p is not initialised\n", htable);
		return -DER_UNINIT;
	}
	if (cb == NULL)
		return -DER_INVAL;

	nr = 1U << htable->ht_bits;
	for (idx = 0; idx < nr && rc == 0; idx++) {
		ht_lock(htable, idx, true);
		d_list_for_each(link, &htable->ht_buckets[idx].hb_head)
		{
			rc = cb(link, arg);
			if (rc != 0)
				break;
		}
		ht_unlock(htable, idx);
	}
	return rc;
}

int
d_hash_table_destroy_inplace(struct d_hash_table *htable, bool force)
{
	struct d_hash_bucket *bucket;
	uint32_t nr;
	uint32_t i;

	if (htable == NULL)
		return -DER_INVAL;
	if (htable->ht_buckets == NULL)
		return 0;

	nr = 1U << htable->ht_bits;
	if (!force) {
		for (i = 0; i < nr; i++) {
			bucket = &htable->ht_buckets[i];
			ht_lock(htable, i, true);
			if (!d_list_empty(&bucket->hb_head)) {
				ht_unlock(htable, i);
				D_DEBUG(DB_TRACE, "hash table %p is not empty\n", htable);
				return -DER_BUSY;
			}
			ht_unlock(htable, i);
		}
	}

	for (i = 0; i < nr; i++) {
		bucket = &htable->ht_buckets[i];
		while (!d_list_empty(&bucket->hb_head))
			d_hash_rec_delete_at(htable, bucket->hb_head.next);
	}

	if (!(htable->ht_feats & D_HASH_FT_NOLOCK)) {
		if (htable->ht_feats & D_HASH_FT_GLOCK) {
			ht_lock_fini(htable, &htable->ht_lock);
		} else {
			for (i = 0; i < nr; i++)
				ht_lock_fini(htable, &htable->ht_locks[i]);
			D_FREE(htable->ht_locks);
		}
	}
	D_FREE(htable->ht_buckets);
	memset(htable, 0, sizeof(*htable));
	return 0;
}

int
d_hash_table_destroy(struct d_hash_table *htable, bool force)
{
	int rc;

	if (htable == NULL)
		return -DER_INVAL;
	rc = d_hash_table_destroy_inplace(htable, force);
	if (rc == 0)
		D_FREE(htable);
	return rc;
}

void
d_hash_table_debug(struct d_hash_table *htable)
{
	uint32_t nr;
	uint32_t idx;
	uint32_t dep;
	uint32_t dep_max = 0;
	d_list_t *link;

	if (htable == NULL || htable->ht_buckets == NULL)
		return;
	nr = 1U << htable->ht_bits;
	for (idx = 0; idx < nr; idx++) {
		dep = 0;
		ht_lock(htable, idx, true);
		d_list_for_each(link, &htable->ht_buckets[idx].hb_head) dep++;
		ht_unlock(htable, idx);
		if (dep > dep_max)
			dep_max = dep;
	}
	if (dep_max > htable->ht_dep_max)
		htable->ht_dep_max = dep_max;
	D_DEBUG(DB_TRACE, "hash table %p: %u buckets, %u records (max %u), deepest bucket %u\n",
		htable, nr, __atomic_load_n(&htable->ht_nr, __ATOMIC_RELAXED),
		__atomic_load_n(&htable->ht_nr_max, __ATOMIC_RELAXED), htable->ht_dep_max);
}
