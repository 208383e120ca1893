/**
 * Transactions and the umem_instance ops.
 *
 * A transaction holds the heap lock from its outermost begin to its outermost end, so the
 * DRAM image only ever exposes committed bytes to other transactions and to the checkpoint
 * snapshot. Every range a transaction changes is snapshotted in 64-byte lines (undo, kept in
 * DRAM); the same line set, read back at commit, forms the redo record appended to the log.
 * The heap lock is released before waiting for the record to be durable, which is what lets
 * many committers share one fdatasync.
 */
#define D_LOGFAC DD_FAC(umem)

#include "umem_internal.h"

/* ---------------- wait ops ---------------- */

struct umem_pwait {
	pthread_mutex_t pw_lock;
	pthread_cond_t pw_cond;
	bool pw_done;
};

static void *
pwait_create(void)
{
	struct umem_pwait *w;

	D_ALLOC_PTR(w);
	if (w == NULL)
		return NULL;
	pthread_mutex_init(&w->pw_lock, NULL);
	pthread_cond_init(&w->pw_cond, NULL);
	return w;
}

static void
pwait_wait(void *cookie)
{
	struct umem_pwait *w = cookie;

	pthread_mutex_lock(&w->pw_lock);
	while (!w->pw_done)
		pthread_cond_wait(&w->pw_cond, &w->pw_lock);
	pthread_mutex_unlock(&w->pw_lock);
}

static void
pwait_wake(void *cookie)
{
	struct umem_pwait *w = cookie;

	pthread_mutex_lock(&w->pw_lock);
	w->pw_done = true;
	pthread_cond_signal(&w->pw_cond);
	pthread_mutex_unlock(&w->pw_lock);
}

static void
pwait_destroy(void *cookie)
{
	struct umem_pwait *w = cookie;

	pthread_cond_destroy(&w->pw_cond);
	pthread_mutex_destroy(&w->pw_lock);
	D_FREE(w);
}

/* A plain thread blocks either way: writing the log itself saves the flusher hand-off. */
static bool
pwait_alone(void)
{
	return true;
}

static const struct umem_wait_ops umem_pwait_ops = {
	.uwo_create = pwait_create,
	.uwo_wait = pwait_wait,
	.uwo_wake = pwait_wake,
	.uwo_destroy = pwait_destroy,
	.uwo_alone = pwait_alone,
};

static const struct umem_wait_ops *_Atomic umem_wops = &umem_pwait_ops;

void
umem_set_wait_ops(const struct umem_wait_ops *ops)
{
	umem_wops = ops != NULL ? ops : &umem_pwait_ops;
}

void
umem_space_wake(struct umem_pool *pool, int rc)
{
	struct umem_space_waiter *sw, *tmp;
	d_list_t list;

	D_INIT_LIST_HEAD(&list);
	pthread_mutex_lock(&pool->up_bg_lock);
	pool->up_ckpt_err = rc;
	d_list_splice_init(&pool->up_space_waiters, &list);
	pthread_mutex_unlock(&pool->up_bg_lock);
	d_list_for_each_entry_safe(sw, tmp, &list, sw_link)
	{
		void *cookie = sw->sw_cookie;

		/* the waiter's stack frame may vanish once woken: unlink first */
		d_list_del(&sw->sw_link);
		umem_wops->uwo_wake(cookie);
	}
}

/* ---------------- transaction state ---------------- */

static inline bool
tx_mine(struct umem_pool *pool)
{
	return pool->up_tx_active && pthread_equal(pool->up_owner, pthread_self());
}

void
umem_tx_reset(struct umem_tx *tx)
{
	if (tx->tx_hash != NULL && tx->tx_nr_lines > 0)
		memset(tx->tx_hash, 0, tx->tx_hash_size * sizeof(uint32_t));
	tx->tx_nr_lines = 0;
	tx->tx_nr_frees = 0;
	tx->tx_nr_cbs = 0;
	tx->tx_nr_exts = 0;
	tx->tx_nr_fresh = 0;
	tx->tx_ext_synced = false;
	tx->tx_err = 0;
	tx->tx_depth = 0;
	/* a huge transaction must not pin its buffers forever */
	if (tx->tx_max_lines > 65536) {
		D_FREE(tx->tx_lines);
		D_FREE(tx->tx_hash);
		tx->tx_max_lines = tx->tx_hash_size = 0;
	}
	if (tx->tx_max_runs > 65536) {
		D_FREE(tx->tx_runs);
		tx->tx_max_runs = 0;
	}
}

void
umem_tx_fini(struct umem_tx *tx)
{
	D_FREE(tx->tx_lines);
	D_FREE(tx->tx_hash);
	D_FREE(tx->tx_fresh);
	D_FREE(tx->tx_runs);
	D_FREE(tx->tx_frees);
	D_FREE(tx->tx_cbs);
	D_FREE(tx->tx_exts);
	memset(tx, 0, sizeof(*tx));
}

static inline uint32_t
line_hash(uint64_t line)
{
	return (uint32_t)((line * 0x9E3779B97F4A7C15ULL) >> 32);
}

static int
tx_grow(struct umem_tx *tx)
{
	struct umem_tx_line *lines;
	uint32_t *hash;
	uint32_t nmax = tx->tx_max_lines ? tx->tx_max_lines * 2 : 256;
	uint32_t hsize = nmax * 2, i, h;

	D_REALLOC_ARRAY(lines, tx->tx_lines, tx->tx_max_lines, nmax);
	if (lines == NULL)
		return -DER_NOMEM;
	tx->tx_lines = lines;
	tx->tx_max_lines = nmax;
	D_ALLOC_ARRAY(hash, hsize);
	if (hash == NULL)
		return -DER_NOMEM;
	for (i = 0; i < tx->tx_nr_lines; i++) {
		for (h = line_hash(lines[i].tl_line) & (hsize - 1); hash[h] != 0;
		     h = (h + 1) & (hsize - 1))
			;
		hash[h] = i + 1;
	}
	D_FREE(tx->tx_hash);
	tx->tx_hash = hash;
	tx->tx_hash_size = hsize;
	return 0;
}

/* Is line \a l inside a block this transaction allocated? (a handful of blocks per tx) */
static inline bool
tx_fresh_line(struct umem_tx *tx, uint64_t l)
{
	uint32_t i;

	for (i = 0; i < tx->tx_nr_fresh; i++)
		if (l >= tx->tx_fresh[i].tr_first && l < tx->tx_fresh[i].tr_end)
			return true;
	return false;
}

int
umem_tx_snap(struct umem_pool *pool, uint64_t off, uint64_t len)
{
	struct umem_tx *tx = &pool->up_tx;
	uint64_t l, last;
	uint32_t h;
	bool added = false;
	int rc;

	if (len == 0)
		return 0;
	if (off < UMEM_PAGE_SIZE || off >= pool->up_size || len > pool->up_size - off) {
		D_ERROR("range " DF_X64 "+" DF_U64 " outside the heap\n", off, len);
		return -DER_INVAL;
	}
	last = (off + len - 1) >> UMEM_LINE_SHIFT;
	for (l = off >> UMEM_LINE_SHIFT; l <= last; l++) {
		/* a new block's lines are logged whole at commit and need no undo copy */
		if (tx->tx_nr_fresh > 0 && tx_fresh_line(tx, l))
			continue;
		if (tx->tx_nr_lines * 2 >= tx->tx_hash_size ||
		    tx->tx_nr_lines == tx->tx_max_lines) {
			rc = tx_grow(tx);
			if (rc != 0)
				return rc;
		}
		for (h = line_hash(l) & (tx->tx_hash_size - 1); tx->tx_hash[h] != 0;
		     h = (h + 1) & (tx->tx_hash_size - 1))
			if (tx->tx_lines[tx->tx_hash[h] - 1].tl_line == l)
				break;
		if (tx->tx_hash[h] != 0)
			continue;
		tx->tx_lines[tx->tx_nr_lines].tl_line = l;
		memcpy(tx->tx_lines[tx->tx_nr_lines].tl_old, pool->up_base + (l << UMEM_LINE_SHIFT),
		       UMEM_LINE_SIZE);
		tx->tx_hash[h] = ++tx->tx_nr_lines;
		added = true;
	}
	/*
	 * Lines seen before in this transaction had their page copied for a running checkpoint
	 * and marked dirty then, and no checkpoint can start or advance while the transaction
	 * holds the heap lock: only a range with a new line needs both.
	 */
	if (!added)
		return 0;
	if (pool->up_ckpt_active)
		umem_ckpt_cow(pool, off, len);
	umem_mark_dirty(pool, off, len);
	return 0;
}

/* Put every snapshotted line back: the image is as before the transaction. */
static void
tx_restore(struct umem_pool *pool)
{
	struct umem_tx *tx = &pool->up_tx;
	uint32_t i;

	for (i = 0; i < tx->tx_nr_lines; i++)
		memcpy(pool->up_base + (tx->tx_lines[i].tl_line << UMEM_LINE_SHIFT),
		       tx->tx_lines[i].tl_old, UMEM_LINE_SIZE);
	if (tx->tx_nr_lines > 0)
		memset(tx->tx_hash, 0, tx->tx_hash_size * sizeof(uint32_t));
	tx->tx_nr_lines = 0;
	tx->tx_nr_frees = 0;
	tx->tx_nr_fresh = 0;
}

/*
 * A block the running transaction just allocated: its whole lines go to the redo record as
 * one run without an undo copy each (the allocator's own snapshots undo the allocation), the
 * partial lines at its ends may be shared with neighbours and are snapshotted as usual.
 */
static int
tx_snap_fresh(struct umem_pool *pool, uint64_t off, uint64_t len)
{
	struct umem_tx *tx = &pool->up_tx;
	uint64_t first = (off + UMEM_LINE_SIZE - 1) >> UMEM_LINE_SHIFT;
	uint64_t end = (off + len) >> UMEM_LINE_SHIFT;
	int rc;

	if (end <= first || len < 4 * UMEM_LINE_SIZE)
		return umem_tx_snap(pool, off, len);
	rc = D_ARRAY_GROW(tx->tx_fresh, tx->tx_nr_fresh, tx->tx_max_fresh, 8);
	if (rc != 0)
		return -DER_NOMEM;
	rc = umem_tx_snap(pool, off, (first << UMEM_LINE_SHIFT) - off);
	if (rc == 0)
		rc = umem_tx_snap(pool, end << UMEM_LINE_SHIFT,
				  off + len - (end << UMEM_LINE_SHIFT));
	if (rc != 0)
		return rc;
	tx->tx_fresh[tx->tx_nr_fresh].tr_first = first;
	tx->tx_fresh[tx->tx_nr_fresh].tr_end = end;
	tx->tx_nr_fresh++;
	if (pool->up_ckpt_active)
		umem_ckpt_cow(pool, off, len);
	umem_mark_dirty(pool, off, len);
	return 0;
}

static void
run_sort(struct umem_tx_run *a, uint32_t n)
{
	struct umem_tx_run t;

	while (n > 16) {
		uint32_t i = 0, j = n - 1;
		uint64_t pivot = a[n / 2].tr_first;

		for (;;) {
			while (a[i].tr_first < pivot)
				i++;
			while (a[j].tr_first > pivot)
				j--;
			if (i >= j)
				break;
			t = a[i];
			a[i++] = a[j];
			a[j--] = t;
		}
		/* smaller part recursively, the larger one in the loop: bounded stack */
		if (j + 1 < n - j - 1) {
			run_sort(a, j + 1);
			a += j + 1;
			n -= j + 1;
		} else {
			run_sort(a + j + 1, n - j - 1);
			n = j + 1;
		}
	}
	for (uint32_t i = 1; i < n; i++) {
		uint32_t k = i;

		t = a[i];
		while (k > 0 && a[k - 1].tr_first > t.tr_first) {
			a[k] = a[k - 1];
			k--;
		}
		a[k] = t;
	}
}

/*
 * The lines the commit logs, as sorted disjoint runs in tx_runs: the snapshotted lines (in
 * snapshot order, so a range's lines are already consecutive: sorting runs instead of lines
 * costs a fraction) and the new blocks. Returns the number of runs (or -DER_NOMEM) and the
 * number of lines in \a nlines.
 */
int
umem_tx_runs(struct umem_tx *tx, uint64_t *nlines)
{
	struct umem_tx_run *r;
	uint32_t need = tx->tx_nr_lines + tx->tx_nr_fresh, n = 0, i, k;
	uint64_t total = 0;

	if (need > tx->tx_max_runs) {
		uint32_t cap = max(need, 2 * tx->tx_max_runs);

		cap = max(cap, 64U);
		D_REALLOC_ARRAY(r, tx->tx_runs, tx->tx_max_runs, cap);
		if (r == NULL)
			return -DER_NOMEM;
		tx->tx_runs = r;
		tx->tx_max_runs = cap;
	}
	r = tx->tx_runs;
	for (i = 0; i < tx->tx_nr_lines; i++) {
		uint64_t l = tx->tx_lines[i].tl_line;

		if (n > 0 && r[n - 1].tr_end == l) {
			r[n - 1].tr_end++;
			continue;
		}
		r[n].tr_first = l;
		r[n].tr_end = l + 1;
		n++;
	}
	for (i = 0; i < tx->tx_nr_fresh; i++)
		r[n++] = tx->tx_fresh[i];
	run_sort(r, n);
	/* coalesce touching runs; overlaps cannot happen but would be merged all the same */
	for (i = 0, k = 0; i < n; i++) {
		if (k > 0 && r[i].tr_first <= r[k - 1].tr_end) {
			r[k - 1].tr_end = max(r[k - 1].tr_end, r[i].tr_end);
			continue;
		}
		r[k++] = r[i];
	}
	for (i = 0; i < k; i++)
		total += r[i].tr_end - r[i].tr_first;
	*nlines = total;
	return (int)k;
}

/* Kill the running transaction without ending it: the caller still owes the outermost end. */
static void
tx_kill(struct umem_pool *pool, int err)
{
	tx_restore(pool);
	if (pool->up_tx.tx_err == 0)
		pool->up_tx.tx_err = err;
}

static int
pool_tx_begin(struct umem_pool *pool)
{
	struct umem_wal *wal = &pool->up_wal;
	struct umem_space_waiter sw;
	bool waited = false;
	int rc;

	if (tx_mine(pool)) {
		if (pool->up_tx.tx_err != 0)
			return pool->up_tx.tx_err;
		pool->up_tx.tx_depth++;
		return 0;
	}
	pthread_mutex_lock(&pool->up_lock);
	/*
	 * Log pressure: let the checkpoint reclaim space before starting. Starting at most half
	 * full and limiting a record to a quarter of the log (plus at most as much again lost to
	 * a wrap) guarantees that the commit finds room without waiting under the heap lock.
	 */
	while (true) {
		pthread_mutex_lock(&wal->wl_lock);
		rc = wal->wl_err;
		if (rc == 0 && umem_wal_used(wal) <= wal->wl_size / 2) {
			pthread_mutex_unlock(&wal->wl_lock);
			break;
		}
		pthread_mutex_unlock(&wal->wl_lock);
		if (rc == 0 && waited) {
			/* the checkpoint could not make room */
			pthread_mutex_lock(&pool->up_bg_lock);
			rc = pool->up_ckpt_err;
			pthread_mutex_unlock(&pool->up_bg_lock);
		}
		if (rc != 0) {
			pthread_mutex_unlock(&pool->up_lock);
			return rc;
		}
		/* wait through the wait ops: a ULT yields here instead of blocking its xstream */
		sw.sw_cookie = umem_wops->uwo_create();
		if (sw.sw_cookie == NULL) {
			pthread_mutex_unlock(&pool->up_lock);
			return -DER_NOMEM;
		}
		pthread_mutex_lock(&pool->up_bg_lock);
		d_list_add_tail(&sw.sw_link, &pool->up_space_waiters);
		pool->up_bg_kick = true;
		pthread_cond_signal(&pool->up_bg_cond);
		pthread_mutex_unlock(&pool->up_bg_lock);
		pthread_mutex_unlock(&pool->up_lock);
		umem_wops->uwo_wait(sw.sw_cookie);
		umem_wops->uwo_destroy(sw.sw_cookie);
		waited = true;
		pthread_mutex_lock(&pool->up_lock);
	}
	pool->up_owner = pthread_self();
	pool->up_tx_active = true;
	pool->up_tx.tx_depth = 1;
	return 0;
}

static void
tx_release(struct umem_pool *pool, int stage)
{
	struct umem_tx *tx = &pool->up_tx;
	struct umem_tx_cb cbs[16];
	struct umem_tx_cb *heap_cbs = NULL;
	uint32_t nr = tx->tx_nr_cbs, i;

	/* callbacks run after the heap lock is dropped, so they may start transactions */
	if (nr > 0) {
		if (nr <= ARRAY_SIZE(cbs)) {
			memcpy(cbs, tx->tx_cbs, nr * sizeof(*cbs));
		} else {
			heap_cbs = tx->tx_cbs;
			tx->tx_cbs = NULL;
			tx->tx_max_cbs = 0;
		}
	}
	umem_tx_reset(tx);
	pool->up_tx_active = false;
	pool->up_owner = (pthread_t)0;
	pthread_mutex_unlock(&pool->up_lock);

	for (i = 0; i < nr; i++) {
		struct umem_tx_cb *cb = heap_cbs ? &heap_cbs[i] : &cbs[i];

		if (cb->tc_stage == stage || cb->tc_stage == UMEM_STAGE_FINALLY)
			cb->tc_fn(cb->tc_data, false);
		else
			cb->tc_fn(cb->tc_data, true);
	}
	D_FREE(heap_cbs);
}

static int
pool_tx_abort(struct umem_pool *pool, int err)
{
	struct umem_tx *tx = &pool->up_tx;
	int rc;

	if (!tx_mine(pool)) {
		D_ERROR("abort without a transaction\n");
		return err ? err : -DER_INVAL;
	}
	tx_kill(pool, err ? err : -DER_CANCELED);
	rc = tx->tx_err;
	if (--tx->tx_depth > 0)
		return rc;
	pool->up_tx_aborted++;
	tx_release(pool, UMEM_STAGE_ONABORT);
	return rc;
}

struct sync_wait {
	void *sw_cookie;
	int sw_rc;
};

static void
sync_wake(void *arg, int rc)
{
	struct sync_wait *sw = arg;

	sw->sw_rc = rc;
	umem_wops->uwo_wake(sw->sw_cookie);
}

/* end of the log record of the commit whose ONCOMMIT callbacks this thread is running */
static __thread uint64_t umem_cb_lsn;

/*
 * Outermost commit: apply deferred frees, append the redo record, drop the heap lock, then
 * report durability through \a cb (or wait for it when cb is NULL).
 */
static int
pool_tx_commit(struct umem_pool *pool, void (*cb)(void *arg, int rc), void *arg)
{
	const struct umem_wait_ops *wops = umem_wops;
	struct umem_tx *tx = &pool->up_tx;
	struct umem_waiter *w = NULL;
	struct sync_wait sw = {0};
	uint64_t lsn, txid;
	uint32_t i;
	int rc;

	if (!tx_mine(pool)) {
		D_ERROR("commit without a transaction\n");
		return -DER_INVAL;
	}
	if (--tx->tx_depth > 0) {
		if (cb != NULL)
			cb(arg, tx->tx_err);
		return tx->tx_err;
	}
	if (tx->tx_err != 0) {
		rc = tx->tx_err;
		pool->up_tx_aborted++;
		tx_release(pool, UMEM_STAGE_ONABORT);
		goto out;
	}
	for (i = 0; i < tx->tx_nr_frees; i++) {
		rc = umem_heap_free(pool, tx->tx_frees[i]);
		if (rc != 0)
			goto abort;
	}
	if (tx->tx_nr_lines == 0 && tx->tx_nr_fresh == 0 && tx->tx_nr_exts == 0 &&
	    !tx->tx_ext_synced) {
		pool->up_tx_committed++;
		tx_release(pool, UMEM_STAGE_ONCOMMIT);
		rc = 0;
		goto out;
	}

	if (pool->up_wal.wl_sync_ms == 0) {
		D_ALLOC_PTR(w);
		if (w == NULL)
			D_GOTO(abort, rc = -DER_NOMEM);
		if (cb == NULL) {
			sw.sw_cookie = wops->uwo_create();
			if (sw.sw_cookie == NULL)
				D_GOTO(abort, rc = -DER_NOMEM);
		}
	}
	rc = umem_wal_append(pool, &lsn, &txid);
	if (rc != 0)
		goto abort;
	pool->up_tx_committed++;
	umem_cb_lsn = lsn;
	tx_release(pool, UMEM_STAGE_ONCOMMIT);
	umem_cb_lsn = 0;

	if (w == NULL) {
		/* relaxed policy: acknowledged now, durable within the interval */
		rc = 0;
		goto out;
	}
	if (cb == NULL && wops->uwo_alone != NULL && wops->uwo_alone()) {
		/* nothing else would run meanwhile: skip the hand-off to the flusher thread */
		rc = umem_wal_sync_inline(pool, lsn);
		if (rc <= 0) {
			D_FREE(w);
			wops->uwo_destroy(sw.sw_cookie);
			return rc;
		}
	}
	w->w_lsn = lsn;
	w->w_cb = cb != NULL ? cb : sync_wake;
	w->w_arg = cb != NULL ? arg : &sw;
	umem_wal_wait(pool, w);
	if (cb != NULL)
		return 0;
	wops->uwo_wait(sw.sw_cookie);
	wops->uwo_destroy(sw.sw_cookie);
	return sw.sw_rc;

abort:
	D_FREE(w);
	if (sw.sw_cookie != NULL)
		wops->uwo_destroy(sw.sw_cookie);
	tx_restore(pool);
	pool->up_tx_aborted++;
	tx_release(pool, UMEM_STAGE_ONABORT);
out:
	if (cb != NULL)
		cb(arg, rc);
	return rc;
}

/* ---------------- umem_instance ops for the file-backed heap ---------------- */

static inline struct umem_pool *
umm2pool(struct umem_instance *umm)
{
	return umm->umm_pool;
}

static int
bmem_tx_begin(struct umem_instance *umm, struct umem_tx_stage_data *txd)
{
	return pool_tx_begin(umm2pool(umm));
}

static int
bmem_tx_commit(struct umem_instance *umm, void *data)
{
	return pool_tx_commit(umm2pool(umm), NULL, NULL);
}

static int
bmem_tx_abort(struct umem_instance *umm, int err)
{
	return pool_tx_abort(umm2pool(umm), err);
}

static int
bmem_tx_stage(struct umem_instance *umm)
{
	struct umem_pool *pool = umm2pool(umm);

	if (!tx_mine(pool))
		return UMEM_STAGE_NONE;
	return pool->up_tx.tx_err ? UMEM_STAGE_ONABORT : UMEM_STAGE_WORK;
}

static int
bmem_tx_add_ptr(struct umem_instance *umm, void *ptr, size_t size)
{
	struct umem_pool *pool = umm2pool(umm);
	int rc;

	if (!tx_mine(pool)) {
		D_ERROR("tx_add outside a transaction\n");
		return -DER_INVAL;
	}
	if (pool->up_tx.tx_err != 0)
		return pool->up_tx.tx_err;
	if ((char *)ptr < pool->up_base || (char *)ptr >= pool->up_base + pool->up_size)
		return -DER_INVAL;
	rc = umem_tx_snap(pool, (char *)ptr - pool->up_base, size);
	if (rc == -DER_NOMEM)
		tx_kill(pool, rc);
	return rc;
}

static int
bmem_tx_add(struct umem_instance *umm, umem_off_t umoff, uint64_t offset, size_t size)
{
	struct umem_pool *pool = umm2pool(umm);
	uint64_t off = umem_off2offset(umoff) + offset;

	if (off >= pool->up_size)
		return -DER_INVAL;
	return bmem_tx_add_ptr(umm, pool->up_base + off, size);
}

static int
bmem_tx_xadd(struct umem_instance *umm, umem_off_t umoff, uint64_t offset, size_t size,
	     uint64_t flags)
{
	/* the redo record needs the bytes even when the caller skips the undo copy */
	return bmem_tx_add(umm, umoff, offset, size);
}

static umem_off_t
bmem_tx_alloc(struct umem_instance *umm, size_t size, uint64_t flags, unsigned int type_num,
	      unsigned int mbkt_id)
{
	struct umem_pool *pool = umm2pool(umm);
	umem_off_t off = UMOFF_NULL;
	size_t usable;
	bool implicit = !tx_mine(pool);
	int rc;

	if (implicit) {
		rc = pool_tx_begin(pool);
		if (rc != 0)
			return UMOFF_NULL;
	} else if (pool->up_tx.tx_err != 0) {
		return UMOFF_NULL;
	}
	rc = umem_heap_alloc(pool, size, &off);
	if (rc == 0) {
		usable = umem_usable_size(umm, off);
		/* the whole block goes into the redo record: callers fill it without tx_add */
		rc = tx_snap_fresh(pool, off, usable);
		if (rc == 0 && (flags & UMEM_FLAG_ZERO))
			memset(pool->up_base + off, 0, usable);
	}
	if (rc != 0) {
		off = UMOFF_NULL;
		if (rc != -DER_NOSPACE && !implicit) {
			/* allocator state may be half changed: the transaction is dead */
			tx_kill(pool, rc);
		}
	}
	if (implicit) {
		if (rc == 0)
			rc = pool_tx_commit(pool, NULL, NULL);
		else
			pool_tx_abort(pool, rc);
		if (rc != 0)
			off = UMOFF_NULL;
	}
	if (rc != 0)
		D_DEBUG(DB_MEM, "alloc of %zu bytes failed: %d\n", size, rc);
	return off;
}

static int
bmem_tx_free(struct umem_instance *umm, umem_off_t umoff)
{
	struct umem_pool *pool = umm2pool(umm);
	struct umem_tx *tx = &pool->up_tx;
	uint64_t off = umem_off2offset(umoff);
	size_t usable;
	uint32_t i;
	int rc;

	if (UMOFF_IS_NULL(umoff))
		return 0;
	if (!tx_mine(pool)) {
		rc = pool_tx_begin(pool);
		if (rc != 0)
			return rc;
		rc = bmem_tx_free(umm, umoff);
		return rc == 0 ? pool_tx_commit(pool, NULL, NULL) : pool_tx_abort(pool, rc);
	}
	if (tx->tx_err != 0)
		return tx->tx_err;
	rc = umem_heap_validate(pool, off, &usable);
	if (rc != 0) {
		D_ERROR("free of " DF_X64 ": not an allocation\n", off);
		return rc;
	}
	for (i = 0; i < tx->tx_nr_frees; i++)
		if (tx->tx_frees[i] == off) {
			D_ERROR("double free of " DF_X64 " in one transaction\n", off);
			return -DER_INVAL;
		}
	if (D_ARRAY_GROW(tx->tx_frees, tx->tx_nr_frees, tx->tx_max_frees, 16) != 0)
		return -DER_NOMEM;
	tx->tx_frees[tx->tx_nr_frees++] = off;
	return 0;
}

static size_t
bmem_usable_size(struct umem_instance *umm, umem_off_t umoff)
{
	struct umem_pool *pool = umm2pool(umm);
	size_t usable = 0;
	bool locked = !tx_mine(pool);

	if (locked)
		pthread_mutex_lock(&pool->up_lock);
	if (umem_heap_validate(pool, umem_off2offset(umoff), &usable) != 0)
		usable = 0;
	if (locked)
		pthread_mutex_unlock(&pool->up_lock);
	return usable;
}

static int
bmem_tx_add_callback(struct umem_instance *umm, struct umem_tx_stage_data *txd, int stage,
		     umem_tx_cb_t fn, void *data)
{
	struct umem_pool *pool = umm2pool(umm);
	struct umem_tx *tx = &pool->up_tx;

	if (fn == NULL || !tx_mine(pool))
		return -DER_INVAL;
	if (D_ARRAY_GROW(tx->tx_cbs, tx->tx_nr_cbs, tx->tx_max_cbs, 8) != 0)
		return -DER_NOMEM;
	tx->tx_cbs[tx->tx_nr_cbs].tc_stage = stage;
	tx->tx_cbs[tx->tx_nr_cbs].tc_fn = fn;
	tx->tx_cbs[tx->tx_nr_cbs].tc_data = data;
	tx->tx_nr_cbs++;
	return 0;
}

static umem_ops_t bmem_ops = {
	.mo_tx_free = bmem_tx_free,
	.mo_tx_alloc = bmem_tx_alloc,
	.mo_tx_add = bmem_tx_add,
	.mo_tx_xadd = bmem_tx_xadd,
	.mo_tx_add_ptr = bmem_tx_add_ptr,
	.mo_tx_abort = bmem_tx_abort,
	.mo_tx_begin = bmem_tx_begin,
	.mo_tx_commit = bmem_tx_commit,
	.mo_tx_stage = bmem_tx_stage,
	.mo_usable_size = bmem_usable_size,
	.mo_tx_add_callback = bmem_tx_add_callback,
};

/* ---------------- volatile memory: malloc, offsets are addresses ---------------- */

static umem_off_t
vmem_alloc(struct umem_instance *umm, size_t size, uint64_t flags, unsigned int type_num,
	   unsigned int mbkt_id)
{
	void *p;

	if (flags & UMEM_FLAG_ZERO)
		D_ALLOC(p, size);
	else
		D_ALLOC_NZ(p, size);
	return (umem_off_t)(uintptr_t)p;
}

static int
vmem_free(struct umem_instance *umm, umem_off_t umoff)
{
	free((void *)(uintptr_t)umem_off2offset(umoff));
	return 0;
}

static umem_ops_t vmem_ops = {
	.mo_tx_free = vmem_free,
	.mo_tx_alloc = vmem_alloc,
};

int
umem_class_init(struct umem_attr *uma, struct umem_instance *umm)
{
	if (uma == NULL || umm == NULL)
		return -DER_INVAL;
	memset(umm, 0, sizeof(*umm));
	umm->umm_nospc_rc = -DER_NOSPACE;
	switch (uma->uma_id) {
	case UMEM_CLASS_VMEM:
		umm->umm_id = UMEM_CLASS_VMEM;
		umm->umm_name = "vmem";
		umm->umm_ops = &vmem_ops;
		return 0;
	case UMEM_CLASS_PMEM:
	case UMEM_CLASS_PMEM_NO_SNAP:
	case UMEM_CLASS_BMEM:
	case UMEM_CLASS_BMEM_V2:
		if (uma->uma_pool == NULL)
			return -DER_INVAL;
		umm->umm_id = uma->uma_id;
		umm->umm_name = "bmem";
		umm->umm_pool = uma->uma_pool;
		umm->umm_base = (uint64_t)(uintptr_t)uma->uma_pool->up_base;
		memcpy(&umm->umm_pool_uuid_lo, &uma->uma_pool->up_hdr.uh_uuid[0], sizeof(uint64_t));
		umm->umm_ops = &bmem_ops;
		return 0;
	default:
		D_ERROR("unsupported umem class %d\n", uma->uma_id);
		return -DER_INVAL;
	}
}

void
umem_attr_get(struct umem_instance *umm, struct umem_attr *uma)
{
	uma->uma_id = umm->umm_id;
	uma->uma_pool = umm->umm_pool;
}

int
umem_tx_add_callback(struct umem_instance *umm, struct umem_tx_stage_data *txd, int stage,
		     umem_tx_cb_t cb, void *data)
{
	if (umm->umm_ops->mo_tx_add_callback == NULL)
		return -DER_NOSYS;
	return umm->umm_ops->mo_tx_add_callback(umm, txd, stage, cb, data);
}

int
umem_tx_commit_cb(struct umem_instance *umm, void (*cb)(void *arg, int rc), void *arg)
{
	if (umm->umm_ops != &bmem_ops) {
		int rc = umem_tx_commit(umm);

		if (cb != NULL)
			cb(arg, rc);
		return rc;
	}
	return pool_tx_commit(umm2pool(umm), cb, arg);
}

int
umem_tx_add_ext(struct umem_instance *umm, uint64_t off, const void *buf, uint32_t len)
{
	struct umem_pool *pool;
	struct umem_tx *tx;

	if (umm->umm_ops != &bmem_ops)
		return 0;
	pool = umm2pool(umm);
	tx = &pool->up_tx;
	if (!tx_mine(pool)) {
		D_ERROR("side-file redo outside a transaction\n");
		return -DER_INVAL;
	}
	if (tx->tx_err != 0)
		return tx->tx_err;
	if (pool->up_ext_fd < 0 || len == 0 || buf == NULL) {
		D_ERROR("side-file redo without a side file or data\n");
		return -DER_INVAL;
	}
	if (tx->tx_nr_exts == tx->tx_max_exts) {
		struct umem_tx_ext *tmp;
		uint32_t ncap = tx->tx_max_exts ? tx->tx_max_exts * 2 : 8;

		D_REALLOC_ARRAY(tmp, tx->tx_exts, tx->tx_max_exts, ncap);
		if (tmp == NULL)
			return -DER_NOMEM;
		tx->tx_exts = tmp;
		tx->tx_max_exts = ncap;
	}
	tx->tx_exts[tx->tx_nr_exts].te_off = off;
	tx->tx_exts[tx->tx_nr_exts].te_buf = buf;
	tx->tx_exts[tx->tx_nr_exts].te_len = len;
	tx->tx_exts[tx->tx_nr_exts].te_csum = 0;
	tx->tx_nr_exts++;
	return 0;
}

int
umem_tx_add_ext_checked(struct umem_instance *umm, uint64_t off, uint32_t len, uint32_t csum)
{
	struct umem_pool *pool;
	int rc;

	if (umm->umm_ops != &bmem_ops)
		return 0;
	pool = umm2pool(umm);
	if (!pool->up_ext_shared)
		return -DER_NOTSUPPORTED;
	/* a placeholder buffer passes the checks; the range is then turned into a checked one */
	rc = umem_tx_add_ext(umm, off, &pool->up_tx, len);
	if (rc != 0)
		return rc;
	pool->up_tx.tx_exts[pool->up_tx.tx_nr_exts - 1].te_buf = NULL;
	pool->up_tx.tx_exts[pool->up_tx.tx_nr_exts - 1].te_csum = csum;
	return 0;
}

bool
umem_ext_shares_flush(struct umem_instance *umm)
{
	return umm->umm_ops == &bmem_ops && umm2pool(umm)->up_ext_shared;
}

int
umem_tx_ext_synced(struct umem_instance *umm)
{
	struct umem_pool *pool;

	if (umm->umm_ops != &bmem_ops)
		return 0;
	pool = umm2pool(umm);
	if (!tx_mine(pool))
		return -DER_INVAL;
	pool->up_tx.tx_ext_synced = true;
	return 0;
}

uint64_t
umem_tx_commit_lsn(struct umem_instance *umm)
{
	return umm->umm_ops == &bmem_ops ? umem_cb_lsn : 0;
}

uint64_t
umem_durable_lsn(struct umem_instance *umm)
{
	if (umm->umm_ops != &bmem_ops)
		return UINT64_MAX;
	return __atomic_load_n(&umm2pool(umm)->up_wal.wl_durable, __ATOMIC_ACQUIRE);
}
