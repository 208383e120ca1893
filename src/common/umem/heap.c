/**
 * Heap files: create, open (load + log replay + verification), checkpoint, close.
 *
 * The image file is the heap as of the last checkpoint; page 0 holds two header slots written
 * alternately, so a torn header write leaves the previous one intact. A checkpoint copies the
 * dirty pages under the heap lock (no transaction running, so the copy holds only committed
 * bytes), waits until the log is durable up to that point, writes the pages, syncs, and only
 * then publishes the new replay start in the header.
 */
#define D_LOGFAC DD_FAC(umem)

#include <fcntl.h>
#include <unistd.h>
#include <limits.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <uuid/uuid.h>

#include "umem_internal.h"

static uint32_t
hdr_csum(const struct umem_hdr *hdr)
{
	struct umem_hdr tmp = *hdr;

	tmp.uh_csum = 0;
	return umem_crc32c(0, &tmp, sizeof(tmp));
}

static int
hdr_write(int fd, struct umem_hdr *hdr, int slot)
{
	hdr->uh_csum = hdr_csum(hdr);
	if (pwrite(fd, hdr, sizeof(*hdr), (off_t)slot * UMEM_HDR_SLOT_SZ) != sizeof(*hdr))
		return umem_errno2der(errno ? errno : EIO);
	if (fdatasync(fd) != 0)
		return umem_errno2der(errno);
	return 0;
}

/* Pick the newest intact header slot. */
static int
hdr_read(struct umem_pool *pool)
{
	struct umem_hdr slots[2];
	bool magic = false;
	int i, best = -1;

	for (i = 0; i < 2; i++) {
		ssize_t n = pread(pool->up_fd, &slots[i], sizeof(slots[i]),
				  (off_t)i * UMEM_HDR_SLOT_SZ);

		if (n < 0)
			return umem_errno2der(errno);
		if (n != sizeof(slots[i]) || slots[i].uh_magic != UMEM_HDR_MAGIC)
			continue;
		magic = true;
		if (slots[i].uh_csum != hdr_csum(&slots[i]))
			continue;
		if (slots[i].uh_version != UMEM_HDR_VERSION ||
		    slots[i].uh_page_size != UMEM_PAGE_SIZE)
			return -DER_DF_INVAL;
		if (best < 0 || slots[i].uh_seq > slots[best].uh_seq)
			best = i;
	}
	if (best < 0) {
		D_ERROR("%s: %s\n", pool->up_path,
			magic ? "heap header checksum mismatch" : "not a umem heap");
		return magic ? -DER_CSUM : -DER_DF_INVAL;
	}
	pool->up_hdr = slots[best];
	pool->up_hdr_slot = best;
	return 0;
}

static char *
wal_path(const char *path)
{
	char *p;

	D_ASPRINTF(p, "%s.wal", path);
	return p;
}

static uint64_t
env_u64(const char *name, uint64_t dflt)
{
	const char *s = getenv(name);
	char *end;
	uint64_t v;

	if (s == NULL || *s == '\0')
		return dflt;
	v = strtoull(s, &end, 0);
	if (*end == 'k' || *end == 'K')
		v <<= 10;
	else if (*end == 'm' || *end == 'M')
		v <<= 20;
	else if (*end == 'g' || *end == 'G')
		v <<= 30;
	return v;
}

int
umem_pool_destroy(const char *path)
{
	char *wpath;
	int rc = 0;

	if (path == NULL)
		return -DER_INVAL;
	wpath = wal_path(path);
	if (wpath == NULL)
		return -DER_NOMEM;
	if (unlink(path) != 0)
		rc = umem_errno2der(errno);
	if (unlink(wpath) != 0 && rc == 0 && errno != ENOENT)
		rc = umem_errno2der(errno);
	D_FREE(wpath);
	return rc;
}

/* Make the new directory entries durable too. */
static int
sync_parent_dir(const char *path)
{
	char *dup = strdup(path);
	char *slash;
	int fd, rc = 0;

	if (dup == NULL)
		return -DER_NOMEM;
	slash = strrchr(dup, '/');
	if (slash == dup)
		slash[1] = '\0';
	else if (slash != NULL)
		*slash = '\0';
	fd = open(slash ? dup : ".", O_RDONLY | O_DIRECTORY);
	if (fd < 0 || fsync(fd) != 0)
		rc = umem_errno2der(errno);
	if (fd >= 0)
		close(fd);
	free(dup);
	return rc;
}

int
umem_pool_create(const char *path, size_t size, mode_t mode, const struct umem_pool_attr *attr,
		 struct umem_pool **poolp)
{
	struct umem_hdr hdr = {0};
	char *prefix = NULL, *wpath = NULL;
	uint64_t plen, wsize;
	uuid_t uuid;
	int fd = -1, rc;

	if (path == NULL || poolp == NULL)
		return -DER_INVAL;
	size = D_ALIGNUP(size, UMEM_PAGE_SIZE);
	if (size < UMEM_MIN_SIZE || size > (1ULL << 40)) {
		D_ERROR("heap size %zu out of range\n", size);
		return -DER_INVAL;
	}
	wsize = attr && attr->upa_wal_size
			? attr->upa_wal_size
			: env_u64("DAOS_UMEM_WAL_SIZE",
				  max(4ULL << 20, min((uint64_t)size, 1ULL << 30)));
	wsize = D_ALIGNUP(wsize, UMEM_PAGE_SIZE);
	if (wsize < (64ULL << 10))
		return -DER_INVAL;
	wpath = wal_path(path);
	if (wpath == NULL)
		return -DER_NOMEM;

	fd = open(path, O_RDWR | O_CREAT | O_EXCL, mode ? mode : UMEM_FILE_MODE_DEFAULT);
	if (fd < 0) {
		rc = umem_errno2der(errno);
		D_ERROR("cannot create %s: %s\n", path, strerror(errno));
		D_FREE(wpath);
		return rc;
	}
	plen = umem_heap_prefix(size);
	D_ALLOC(prefix, plen);
	if (prefix == NULL)
		D_GOTO(fail, rc = -DER_NOMEM);
	umem_heap_format(prefix, size);

	uuid_generate(uuid);
	hdr.uh_magic = UMEM_HDR_MAGIC;
	hdr.uh_version = UMEM_HDR_VERSION;
	hdr.uh_page_size = UMEM_PAGE_SIZE;
	hdr.uh_heap_size = size;
	memcpy(hdr.uh_uuid, uuid, sizeof(uuid));
	hdr.uh_seq = 1;
	hdr.uh_wal_size = wsize;
	hdr.uh_csum = hdr_csum(&hdr);
	memcpy(prefix, &hdr, sizeof(hdr));
	memcpy(prefix + UMEM_HDR_SLOT_SZ, &hdr, sizeof(hdr));

	if (posix_fallocate(fd, 0, size) != 0 && ftruncate(fd, size) != 0)
		D_GOTO(fail, rc = umem_errno2der(errno));
	if (pwrite(fd, prefix, plen, 0) != (ssize_t)plen || fdatasync(fd) != 0)
		D_GOTO(fail, rc = umem_errno2der(errno ? errno : EIO));
	rc = umem_wal_create(wpath, wsize, hdr.uh_uuid);
	if (rc != 0)
		goto fail;
	close(fd);
	fd = -1;
	D_FREE(prefix);
	D_FREE(wpath);
	rc = sync_parent_dir(path);
	if (rc == 0)
		rc = umem_pool_open(path, attr, poolp);
	if (rc != 0)
		umem_pool_destroy(path);
	return rc;
fail:
	if (fd >= 0)
		close(fd);
	unlink(path);
	D_FREE(prefix);
	D_FREE(wpath);
	return rc;
}

static void *ckpt_thread(void *arg);

static void
pool_free(struct umem_pool *pool)
{
	umem_wal_stop(pool);
	if (pool->up_fd >= 0)
		close(pool->up_fd);
	if (pool->up_ext_fd >= 0)
		close(pool->up_ext_fd);
	umem_tx_fini(&pool->up_tx);
	pthread_mutex_destroy(&pool->up_lock);
	pthread_mutex_destroy(&pool->up_ckpt_lock);
	pthread_mutex_destroy(&pool->up_bg_lock);
	pthread_cond_destroy(&pool->up_bg_cond);
	free(pool->up_base);
	D_FREE(pool->up_dirty);
	D_FREE(pool->up_ckpt_set);
	D_FREE(pool->up_ckpt_slot);
	D_FREE(pool->up_path);
	D_FREE(pool);
}

int
umem_pool_open(const char *path, const struct umem_pool_attr *attr, struct umem_pool **poolp)
{
	struct umem_pool *pool;
	pthread_condattr_t ca;
	struct stat st;
	char *wpath = NULL;
	uint64_t done;
	int rc, sync_ms;

	if (path == NULL || poolp == NULL)
		return -DER_INVAL;
	D_ALLOC_PTR(pool);
	if (pool == NULL)
		return -DER_NOMEM;
	pool->up_fd = -1;
	pool->up_ext_fd = -1;
	pool->up_wal.wl_fd = -1;
	pthread_mutex_init(&pool->up_lock, NULL);
	D_INIT_LIST_HEAD(&pool->up_space_waiters);
	pthread_mutex_init(&pool->up_ckpt_lock, NULL);
	pthread_mutex_init(&pool->up_bg_lock, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&pool->up_bg_cond, &ca);
	pthread_condattr_destroy(&ca);
	pool->up_flags = attr ? attr->upa_flags : 0;
	pool->up_ckpt_ms = attr && attr->upa_ckpt_interval_ms
				   ? attr->upa_ckpt_interval_ms
				   : (uint32_t)env_u64("DAOS_UMEM_CKPT_INTERVAL", 5000);
	if (pool->up_ckpt_ms == 0)
		pool->up_ckpt_ms = 5000;
	sync_ms = attr && attr->upa_sync_ms >= 0 ? attr->upa_sync_ms : umem_wal_sync_policy();
	D_STRNDUP(pool->up_path, path, PATH_MAX);
	wpath = wal_path(path);
	if (pool->up_path == NULL || wpath == NULL)
		D_GOTO(fail, rc = -DER_NOMEM);

	pool->up_fd = open(path, O_RDWR);
	if (pool->up_fd < 0) {
		rc = umem_errno2der(errno);
		D_ERROR("cannot open heap %s: %s\n", path, strerror(errno));
		goto fail;
	}
	/* one opener at a time: two processes replaying and appending would corrupt the heap */
	if (flock(pool->up_fd, LOCK_EX | LOCK_NB) != 0) {
		rc = errno == EWOULDBLOCK ? -DER_BUSY : umem_errno2der(errno);
		D_ERROR("%s is open elsewhere\n", path);
		goto fail;
	}
	rc = hdr_read(pool);
	if (rc != 0)
		goto fail;
	if (fstat(pool->up_fd, &st) != 0)
		D_GOTO(fail, rc = umem_errno2der(errno));
	pool->up_size = pool->up_hdr.uh_heap_size;
	if (pool->up_size < UMEM_MIN_SIZE || !D_IS_ALIGNED(pool->up_size, UMEM_PAGE_SIZE) ||
	    (uint64_t)st.st_size != pool->up_size) {
		D_ERROR("%s: size %ld does not match header (" DF_U64 ")\n", path, (long)st.st_size,
			pool->up_size);
		D_GOTO(fail, rc = -DER_DF_INVAL);
	}
	pool->up_npages = pool->up_size >> UMEM_PAGE_SHIFT;
	pool->up_base = aligned_alloc(UMEM_PAGE_SIZE, pool->up_size);
	D_ALLOC_ARRAY(pool->up_dirty, (pool->up_npages + 63) / 64);
	D_ALLOC_ARRAY(pool->up_ckpt_set, (pool->up_npages + 63) / 64);
	D_ALLOC_ARRAY(pool->up_ckpt_slot, pool->up_npages);
	if (pool->up_base == NULL || pool->up_dirty == NULL || pool->up_ckpt_set == NULL ||
	    pool->up_ckpt_slot == NULL)
		D_GOTO(fail, rc = -DER_NOMEM);
	for (done = 0; done < pool->up_size;) {
		ssize_t n = pread(pool->up_fd, pool->up_base + done, pool->up_size - done, done);

		if (n <= 0)
			D_GOTO(fail, rc = n < 0 ? umem_errno2der(errno) : -DER_DF_INVAL);
		done += n;
	}
	if (umem_meta(pool)->um_magic != UMEM_META_MAGIC) {
		D_ERROR("%s: heap metadata page damaged\n", path);
		D_GOTO(fail, rc = -DER_DF_INVAL);
	}

	if (attr != NULL && attr->upa_ext_path != NULL) {
		pool->up_ext_fd = open(attr->upa_ext_path, O_RDWR | O_CLOEXEC);
		if (pool->up_ext_fd < 0) {
			rc = umem_errno2der(errno);
			D_ERROR("cannot open side file %s: %s\n", attr->upa_ext_path,
				strerror(errno));
			goto fail;
		}
	}
	rc = umem_wal_open(pool, wpath, sync_ms);
	if (rc != 0)
		goto fail;
	if (pool->up_ext_fd >= 0) {
		struct stat est, wst;

		pool->up_ext_shared = fstat(pool->up_ext_fd, &est) == 0 &&
				      fstat(pool->up_wal.wl_fd, &wst) == 0 &&
				      est.st_dev == wst.st_dev;
	}
	if (pool->up_wal.wl_size != pool->up_hdr.uh_wal_size)
		D_GOTO(fail, rc = -DER_DF_INVAL);
	rc = umem_wal_replay(pool);
	if (rc != 0)
		goto fail;
	rc = umem_heap_check(pool);
	if (rc != 0) {
		D_ERROR("%s: allocator inconsistent after recovery\n", path);
		goto fail;
	}
	rc = umem_wal_start(pool);
	if (rc != 0)
		goto fail;
	rc = pthread_create(&pool->up_bg_thread, NULL, ckpt_thread, pool);
	if (rc != 0)
		D_GOTO(fail, rc = umem_errno2der(rc));
	pool->up_bg_started = true;
	D_FREE(wpath);
	*poolp = pool;
	return 0;
fail:
	D_FREE(wpath);
	pool_free(pool);
	return rc;
}

static int
pwrite_all(int fd, const char *buf, size_t len, off_t off)
{
	while (len > 0) {
		ssize_t n = pwrite(fd, buf, len, off);

		if (n <= 0)
			return umem_errno2der(n < 0 ? errno : EIO);
		buf += n;
		len -= n;
		off += n;
	}
	return 0;
}

/* Called under the heap lock before [off, off + len) changes while a checkpoint copies. */
void
umem_ckpt_cow(struct umem_pool *pool, uint64_t off, uint64_t len)
{
	uint64_t p;

	for (p = off >> UMEM_PAGE_SHIFT; p <= (off + len - 1) >> UMEM_PAGE_SHIFT; p++) {
		if (!(pool->up_ckpt_set[p / 64] & (1ULL << (p % 64))))
			continue;
		memcpy(pool->up_ckpt_stage + ((uint64_t)pool->up_ckpt_slot[p] << UMEM_PAGE_SHIFT),
		       pool->up_base + (p << UMEM_PAGE_SHIFT), UMEM_PAGE_SIZE);
		pool->up_ckpt_set[p / 64] &= ~(1ULL << (p % 64));
	}
}

int
umem_pool_checkpoint(struct umem_pool *pool)
{
	struct umem_wal *wal = &pool->up_wal;
	struct umem_hdr hdr;
	uint64_t *pages = NULL;
	char *stage = NULL;
	uint64_t lsn, txid, gen, nr = 0, i, w;
	bool ext_sync;
	int rc = 0;

	if (pool == NULL)
		return -DER_INVAL;
	if (pool->up_tx_active && pthread_equal(pool->up_owner, pthread_self()))
		return -DER_BUSY;
	pthread_mutex_lock(&pool->up_ckpt_lock);
	pthread_mutex_lock(&pool->up_lock);
	pthread_mutex_lock(&wal->wl_lock);
	lsn = wal->wl_next;
	txid = wal->wl_txid;
	gen = wal->wl_gen;
	rc = wal->wl_err;
	pthread_mutex_unlock(&wal->wl_lock);
	for (w = 0; w < (pool->up_npages + 63) / 64; w++)
		nr += __builtin_popcountll(pool->up_dirty[w]);
	/* side-file bytes logged before lsn were written before their commit: sync covers them */
	ext_sync = pool->up_ext_dirty;
	pool->up_ext_dirty = false;
	if (rc != 0 || (nr == 0 && lsn == wal->wl_tail)) {
		pool->up_ext_dirty |= ext_sync;
		pthread_mutex_unlock(&pool->up_lock);
		goto out;
	}
	D_ALLOC_ARRAY_NZ(pages, nr + 1);
	D_ALLOC_NZ(stage, (nr + 1) << UMEM_PAGE_SHIFT);
	if (pages == NULL || stage == NULL) {
		pool->up_ext_dirty |= ext_sync;
		pthread_mutex_unlock(&pool->up_lock);
		D_GOTO(out, rc = -DER_NOMEM);
	}
	/*
	 * Take the dirty set as of log position lsn, but write the pages outside this critical
	 * section: a transaction about to change a page of the set copies it first (copy on
	 * write, umem_ckpt_cow()), the rest is written below in short chunks.
	 */
	for (w = 0, i = 0; w < (pool->up_npages + 63) / 64; w++) {
		uint64_t bits = pool->up_dirty[w];

		while (bits != 0) {
			uint64_t p = w * 64 + __builtin_ctzll(bits);

			bits &= bits - 1;
			pages[i] = p;
			pool->up_ckpt_slot[p] = (uint32_t)i;
			i++;
		}
		pool->up_ckpt_set[w] = pool->up_dirty[w];
		pool->up_dirty[w] = 0;
	}
	pool->up_ckpt_stage = stage;
	pool->up_ckpt_active = nr > 0;
	pthread_mutex_unlock(&pool->up_lock);

	/*
	 * The image may only run ahead of what the log can replay once the log is durable. Then
	 * each page goes to the image file straight from the heap, under the heap lock so that
	 * no transaction changes it meanwhile, unless a transaction already saved it in the stage
	 * (copy on write): the stage's pages are only touched for those, instead of copying every
	 * page there first (a page fault, a copy and an unmap per dirty page).
	 */
	rc = umem_wal_wait_durable(pool, lsn);
	for (i = 0; i < nr; i += UMEM_CKPT_CHUNK) {
		uint64_t j, end = min(nr, i + UMEM_CKPT_CHUNK);

		pthread_mutex_lock(&pool->up_lock);
		for (j = i; rc == 0 && j < end;) {
			uint64_t p = pages[j], n = 1;
			const char *src;

			if (pool->up_ckpt_set[p / 64] & (1ULL << (p % 64))) {
				/* a run of pages nobody changed since lsn: one write from the heap */
				while (j + n < end && pages[j + n] == p + n &&
				       (pool->up_ckpt_set[(p + n) / 64] & (1ULL << ((p + n) % 64))))
					n++;
				src = pool->up_base + (p << UMEM_PAGE_SHIFT);
			} else {
				src = stage + (j << UMEM_PAGE_SHIFT);
			}
			rc = umem_errno2der(umem_fi(UMEM_FI_IMG_WRITE));
			if (rc == 0)
				rc = pwrite_all(pool->up_fd, src, n << UMEM_PAGE_SHIFT,
						(off_t)(p << UMEM_PAGE_SHIFT));
			for (; n > 0; n--, j++)
				pool->up_ckpt_set[pages[j] / 64] &= ~(1ULL << (pages[j] % 64));
		}
		if (end == nr || rc != 0) {
			pool->up_ckpt_active = false;
			pool->up_ckpt_stage = NULL;
		}
		pthread_mutex_unlock(&pool->up_lock);
		if (rc != 0)
			break;
	}
	if (rc == 0 && nr > 0)
		rc = umem_errno2der(umem_fi(UMEM_FI_IMG_SYNC));
	if (rc == 0 && nr > 0 && fdatasync(pool->up_fd) != 0)
		rc = umem_errno2der(errno);
	/* the log stops covering these side-file bytes once the header moves past lsn */
	if (rc == 0 && ext_sync && fdatasync(pool->up_ext_fd) != 0)
		rc = umem_errno2der(errno);
	if (rc == 0) {
		hdr = pool->up_hdr;
		hdr.uh_seq++;
		hdr.uh_ckpt_lsn = lsn;
		hdr.uh_ckpt_gen = gen;
		hdr.uh_ckpt_txid = txid;
		rc = hdr_write(pool->up_fd, &hdr, pool->up_hdr_slot ^ 1);
	}
	if (rc != 0) {
		D_ERROR("%s: checkpoint failed: %d\n", pool->up_path, rc);
		pthread_mutex_lock(&pool->up_lock);
		for (i = 0; i < nr; i++)
			pool->up_dirty[pages[i] / 64] |= 1ULL << (pages[i] % 64);
		pool->up_ext_dirty |= ext_sync;
		pthread_mutex_unlock(&pool->up_lock);
		goto out;
	}
	pool->up_hdr = hdr;
	pool->up_hdr_slot ^= 1;

	pthread_mutex_lock(&wal->wl_lock);
	pool->up_ckpts++;
	pool->up_ckpt_bytes += nr << UMEM_PAGE_SHIFT;
	wal->wl_tail = lsn;
	pthread_mutex_unlock(&wal->wl_lock);
	D_DEBUG(DB_IO, "%s: checkpointed %lu pages up to log " DF_U64 "\n", pool->up_path, nr, lsn);
out:
	pthread_mutex_unlock(&pool->up_ckpt_lock);
	umem_space_wake(pool, rc);
	D_FREE(pages);
	D_FREE(stage);
	return rc;
}

void
umem_ckpt_kick(struct umem_pool *pool)
{
	pthread_mutex_lock(&pool->up_bg_lock);
	pool->up_bg_kick = true;
	pthread_cond_signal(&pool->up_bg_cond);
	pthread_mutex_unlock(&pool->up_bg_lock);
}

static void *
ckpt_thread(void *arg)
{
	struct umem_pool *pool = arg;
	struct timespec dl;
	bool kicked;
	int rc;

	pthread_mutex_lock(&pool->up_bg_lock);
	while (!pool->up_bg_stop) {
		if (!pool->up_bg_kick) {
			if (pool->up_flags & UMEM_POOL_NO_BG_CKPT) {
				pthread_cond_wait(&pool->up_bg_cond, &pool->up_bg_lock);
			} else {
				clock_gettime(CLOCK_MONOTONIC, &dl);
				dl.tv_sec += pool->up_ckpt_ms / 1000;
				dl.tv_nsec += (long)(pool->up_ckpt_ms % 1000) * 1000000;
				if (dl.tv_nsec >= 1000000000) {
					dl.tv_sec++;
					dl.tv_nsec -= 1000000000;
				}
				pthread_cond_timedwait(&pool->up_bg_cond, &pool->up_bg_lock, &dl);
			}
		}
		if (pool->up_bg_stop)
			break;
		kicked = pool->up_bg_kick;
		pool->up_bg_kick = false;
		if (!kicked && (pool->up_flags & UMEM_POOL_NO_BG_CKPT))
			continue;
		pthread_mutex_unlock(&pool->up_bg_lock);
		rc = umem_pool_checkpoint(pool);
		if (rc != 0)
			D_ERROR("%s: background checkpoint: %d\n", pool->up_path, rc);
		pthread_mutex_lock(&pool->up_bg_lock);
	}
	pthread_mutex_unlock(&pool->up_bg_lock);
	return NULL;
}

int
umem_pool_close(struct umem_pool *pool)
{
	int rc = 0, rc2;

	if (pool == NULL)
		return -DER_INVAL;
	if (pool->up_tx_active) {
		D_ERROR("%s: close with a transaction running\n", pool->up_path);
		return -DER_BUSY;
	}
	if (pool->up_bg_started) {
		pthread_mutex_lock(&pool->up_bg_lock);
		pool->up_bg_stop = true;
		pthread_cond_signal(&pool->up_bg_cond);
		pthread_mutex_unlock(&pool->up_bg_lock);
		pthread_join(pool->up_bg_thread, NULL);
		pool->up_bg_started = false;
	}
	if (!(pool->up_flags & UMEM_POOL_NO_CLOSE_CKPT))
		rc = umem_pool_checkpoint(pool);
	else
		rc = umem_wal_wait_durable(pool, pool->up_wal.wl_next);
	rc2 = pool->up_wal.wl_err;
	pool_free(pool);
	return rc ? rc : rc2;
}

int
umem_pool_query(struct umem_pool *pool, struct umem_pool_stats *st)
{
	struct umem_meta *meta;
	bool locked;
	uint64_t w;

	if (pool == NULL || st == NULL)
		return -DER_INVAL;
	locked = !(pool->up_tx_active && pthread_equal(pool->up_owner, pthread_self()));
	if (locked)
		pthread_mutex_lock(&pool->up_lock);
	meta = umem_meta(pool);
	memset(st, 0, sizeof(*st));
	st->ups_heap_size = pool->up_size;
	st->ups_total = (meta->um_npages - meta->um_arena_page) << UMEM_PAGE_SHIFT;
	st->ups_used = meta->um_used;
	st->ups_nr_allocs = meta->um_nr_allocs;
	st->ups_free_pages = meta->um_free_pages;
	st->ups_free = (meta->um_free_pages << UMEM_PAGE_SHIFT) + meta->um_slab_free;
	st->ups_nr_slabs = meta->um_nr_slabs;
	st->ups_tx_committed = pool->up_tx_committed;
	st->ups_tx_aborted = pool->up_tx_aborted;
	st->ups_replayed_txs = pool->up_replayed;
	for (w = 0; w < (pool->up_npages + 63) / 64; w++)
		st->ups_dirty_pages += __builtin_popcountll(pool->up_dirty[w]);
	if (locked)
		pthread_mutex_unlock(&pool->up_lock);
	pthread_mutex_lock(&pool->up_wal.wl_lock);
	st->ups_ckpts = pool->up_ckpts;
	st->ups_ckpt_bytes = pool->up_ckpt_bytes;
	st->ups_wal_bytes = pool->up_wal.wl_bytes;
	st->ups_wal_syncs = pool->up_wal.wl_syncs;
	st->ups_wal_used = umem_wal_used(&pool->up_wal);
	st->ups_wal_size = pool->up_wal.wl_size;
	pthread_mutex_unlock(&pool->up_wal.wl_lock);
	return 0;
}

int
umem_pool_check(struct umem_pool *pool, struct umem_pool_stats *stats)
{
	int rc;

	if (pool == NULL)
		return -DER_INVAL;
	pthread_mutex_lock(&pool->up_lock);
	rc = umem_heap_check(pool);
	pthread_mutex_unlock(&pool->up_lock);
	if (rc == 0 && stats != NULL)
		rc = umem_pool_query(pool, stats);
	return rc;
}

void *
umem_pool_base(struct umem_pool *pool)
{
	return pool ? pool->up_base : NULL;
}

int
umem_pool_root(struct umem_pool *pool, size_t size, umem_off_t *root)
{
	struct umem_instance umm;
	struct umem_attr uma = {.uma_id = UMEM_CLASS_BMEM, .uma_pool = pool};
	struct umem_meta *meta;
	umem_off_t off;
	int rc;

	if (pool == NULL || root == NULL || size == 0)
		return -DER_INVAL;
	rc = umem_class_init(&uma, &umm);
	if (rc != 0)
		return rc;
	meta = umem_meta(pool);
	rc = umem_tx_begin(&umm, NULL);
	if (rc != 0)
		return rc;
	if (!UMOFF_IS_NULL(meta->um_root)) {
		if (size > meta->um_root_size)
			D_GOTO(abort, rc = -DER_INVAL);
		*root = meta->um_root;
		return umem_tx_commit(&umm);
	}
	off = umem_zalloc(&umm, size);
	if (UMOFF_IS_NULL(off))
		D_GOTO(abort, rc = -DER_NOSPACE);
	rc = umem_tx_add_ptr(&umm, &meta->um_root, 2 * sizeof(uint64_t));
	if (rc != 0)
		goto abort;
	meta->um_root = off;
	meta->um_root_size = size;
	rc = umem_tx_commit(&umm);
	if (rc == 0)
		*root = off;
	return rc;
abort:
	return umem_tx_abort(&umm, rc);
}

/* ---------------- DAOS-style wrappers ---------------- */

struct umem_pool *
umempobj_create(const char *path, const char *layout_name, int prop_flags, size_t poolsize,
		mode_t mode, void *store)
{
	struct umem_pool *pool = NULL;
	int rc = umem_pool_create(path, poolsize, mode, NULL, &pool);

	if (rc != 0)
		errno = rc == -DER_EXIST ? EEXIST : rc == -DER_NOSPACE ? ENOSPC : EIO;
	return rc == 0 ? pool : NULL;
}

struct umem_pool *
umempobj_open(const char *path, const char *layout_name, int prop_flags, void *store)
{
	struct umem_pool *pool = NULL;
	int rc = umem_pool_open(path, NULL, &pool);

	if (rc != 0)
		errno = rc == -DER_NONEXIST ? ENOENT : EIO;
	return rc == 0 ? pool : NULL;
}

void
umempobj_close(struct umem_pool *pool)
{
	umem_pool_close(pool);
}

void *
umempobj_get_rootptr(struct umem_pool *pool, size_t size)
{
	umem_off_t off;

	if (umem_pool_root(pool, size, &off) != 0)
		return NULL;
	return pool->up_base + off;
}

int
umempobj_get_heapusage(struct umem_pool *pool, daos_size_t *cur_allocated)
{
	struct umem_pool_stats st;
	int rc = umem_pool_query(pool, &st);

	if (rc == 0)
		*cur_allocated = st.ups_used;
	return rc;
}
