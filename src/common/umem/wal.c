/**
 * The write-ahead log: a circular record area in "<heap>.wal", addressed by an ever-growing
 * byte position (LSN); a record at LSN x sits at file offset 4096 + x % size.
 *
 * Committers append complete records to a DRAM buffer under the log lock; one flusher thread
 * writes whatever accumulated and makes it durable with a single fdatasync, then completes
 * every waiter covered (group commit). A record that would cross the end of the area is
 * preceded by a WRAP marker (or, if not even a header fits, by an implicit skip).
 */
#define D_LOGFAC DD_FAC(umem)

#include <fcntl.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <sys/vfs.h>
#include <linux/magic.h>
#include <isa-l.h>

#include "umem_internal.h"

#define WAL_FLUSH_EARLY (8UL << 20) /* relaxed policy: flush early past this many bytes */

uint32_t
umem_crc32c(uint32_t crc, const void *buf, size_t len)
{
	return crc32_iscsi((unsigned char *)buf, (int)len, crc);
}

int
umem_errno2der(int err)
{
	switch (err) {
	case 0:
		return 0;
	case ENOSPC:
	case EDQUOT:
		return -DER_NOSPACE;
	case ENOENT:
		return -DER_NONEXIST;
	case EEXIST:
		return -DER_EXIST;
	case EACCES:
	case EPERM:
	case EROFS:
		return -DER_NO_PERM;
	case ENOMEM:
		return -DER_NOMEM;
	case EINVAL:
		return -DER_INVAL;
	case ENAMETOOLONG:
	case ENOTDIR:
		return -DER_BADPATH;
	default:
		return -DER_IO;
	}
}

int
umem_wal_sync_policy(void)
{
	const char *env = getenv("DAOS_WAL_SYNC");
	char *end;
	long ms;

	if (env == NULL || *env == '\0' || strcmp(env, "every") == 0)
		return 0;
	ms = strtol(env, &end, 10);
	if (*end != '\0' || ms < 0 || ms > 60000) {
		D_WARN("DAOS_WAL_SYNC=%s not understood, syncing every commit\n", env);
		return 0;
	}
	return (int)ms;
}

uint64_t
umem_wal_used(struct umem_wal *wal)
{
	return wal->wl_next - wal->wl_tail;
}

static uint32_t
wal_hdr_csum(struct umem_wal_hdr *wh)
{
	struct umem_wal_hdr tmp = *wh;

	tmp.wh_csum = 0;
	return umem_crc32c(0, &tmp, sizeof(tmp));
}

static int
wal_write_hdr(int fd, struct umem_wal_hdr *wh)
{
	char page[UMEM_WAL_HDR_SZ] = {0};

	wh->wh_csum = wal_hdr_csum(wh);
	memcpy(page, wh, sizeof(*wh));
	if (pwrite(fd, page, sizeof(page), 0) != sizeof(page) || fdatasync(fd) != 0)
		return umem_errno2der(errno ? errno : EIO);
	return 0;
}

/*
 * Write zeros over the whole record area once. fallocate leaves "unwritten" extents on
 * ext4/xfs: the first fdatasync after writing into one must also commit the journal (the
 * extent turns written), which costs a second device flush per commit during the whole
 * first lap. Overwriting written blocks needs only the data flush. Pointless in memory
 * (tmpfs); DAOS_UMEM_WAL_PREWRITE=0 skips it.
 */
static int
wal_prewrite(const char *path, int fd, uint64_t size)
{
	const size_t chunk = 1 << 20;
	const char *env = getenv("DAOS_UMEM_WAL_PREWRITE");
	struct statfs sfs;
	uint64_t off;
	void *zero;
	int dfd, rc = 0;

	if ((env != NULL && strcmp(env, "0") == 0) ||
	    (fstatfs(fd, &sfs) == 0 && (sfs.f_type == TMPFS_MAGIC || sfs.f_type == RAMFS_MAGIC)))
		return 0;
	if (posix_memalign(&zero, 4096, chunk) != 0)
		return -DER_NOMEM;
	memset(zero, 0, chunk);
	/* bypass the page cache when possible: a GiB of zeros should not evict anything */
	dfd = open(path, O_RDWR | O_DIRECT);
	if (dfd < 0)
		dfd = fd;
	for (off = 0; off < size && rc == 0; off += chunk) {
		size_t n = min((uint64_t)chunk, size - off);

		if (pwrite(dfd, zero, n, UMEM_WAL_HDR_SZ + off) != (ssize_t)n)
			rc = umem_errno2der(errno ? errno : EIO);
	}
	if (rc == 0 && fdatasync(dfd) != 0)
		rc = umem_errno2der(errno);
	if (dfd != fd)
		close(dfd);
	free(zero);
	return rc;
}

int
umem_wal_create(const char *path, uint64_t size, const uint64_t uuid[2])
{
	struct umem_wal_hdr wh = {0};
	int fd, rc;

	fd = open(path, O_RDWR | O_CREAT | O_EXCL, 0660);
	if (fd < 0)
		return umem_errno2der(errno);
	wh.wh_magic = UMEM_WAL_MAGIC;
	wh.wh_version = UMEM_WAL_VERSION;
	wh.wh_size = size;
	wh.wh_uuid[0] = uuid[0];
	wh.wh_uuid[1] = uuid[1];
	/* allocate the blocks now: the first lap then does not pay for it in every fdatasync */
	if (posix_fallocate(fd, 0, UMEM_WAL_HDR_SZ + size) != 0 &&
	    ftruncate(fd, UMEM_WAL_HDR_SZ + size) != 0) {
		rc = umem_errno2der(errno);
		goto out;
	}
	rc = wal_prewrite(path, fd, size);
	if (rc == 0)
		rc = wal_write_hdr(fd, &wh);
out:
	close(fd);
	if (rc != 0)
		unlink(path);
	return rc;
}

int
umem_wal_open(struct umem_pool *pool, const char *path, int sync_ms)
{
	struct umem_wal *wal = &pool->up_wal;
	struct umem_wal_hdr wh;
	struct stat st;
	ssize_t n;

	pthread_condattr_t ca;

	D_INIT_LIST_HEAD(&wal->wl_waiters);
	pthread_mutex_init(&wal->wl_lock, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&wal->wl_cond, &ca);
	pthread_condattr_destroy(&ca);
	pthread_cond_init(&wal->wl_dcond, NULL);
	wal->wl_inited = true;
	wal->wl_fd = open(path, O_RDWR);
	if (wal->wl_fd < 0) {
		D_ERROR("cannot open log %s: %s\n", path, strerror(errno));
		return umem_errno2der(errno);
	}
	n = pread(wal->wl_fd, &wh, sizeof(wh), 0);
	if (n != sizeof(wh) || fstat(wal->wl_fd, &st) != 0) {
		D_ERROR("%s: log header unreadable\n", path);
		return n < 0 ? -DER_IO : -DER_DF_INVAL;
	}
	if (wh.wh_magic != UMEM_WAL_MAGIC || wh.wh_version < 1 ||
	    wh.wh_version > UMEM_WAL_VERSION) {
		D_ERROR("%s: not a umem log (magic " DF_X64 ")\n", path, wh.wh_magic);
		return -DER_DF_INVAL;
	}
	if (wh.wh_csum != wal_hdr_csum(&wh)) {
		D_ERROR("%s: log header checksum mismatch\n", path);
		return -DER_CSUM;
	}
	if (wh.wh_uuid[0] != pool->up_hdr.uh_uuid[0] || wh.wh_uuid[1] != pool->up_hdr.uh_uuid[1] ||
	    wh.wh_size < UMEM_PAGE_SIZE || (uint64_t)st.st_size < UMEM_WAL_HDR_SZ + wh.wh_size) {
		D_ERROR("%s: log does not belong to this heap or is truncated\n", path);
		return -DER_DF_INVAL;
	}
	wal->wl_size = wh.wh_size;
	wal->wl_gen = wh.wh_gen;
	wal->wl_sync_ms = sync_ms;
	return 0;
}

static int
wal_pread(struct umem_wal *wal, void *buf, size_t len, uint64_t pos)
{
	ssize_t n = pread(wal->wl_fd, buf, len, UMEM_WAL_HDR_SZ + pos);

	if (n < 0)
		return umem_errno2der(errno);
	return n == (ssize_t)len ? 0 : -DER_DF_INVAL;
}

static uint32_t
rec_csum(void *rec, size_t len)
{
	struct umem_rec_hdr *rh = rec;
	uint32_t save = rh->rh_csum;
	uint32_t crc;

	rh->rh_csum = 0;
	crc = umem_crc32c(0, rec, len);
	rh->rh_csum = save;
	return crc;
}

/* A checked side-file range seen by replay: [off, +len) of record \a lsn (ending at \a end). */
struct replay_chk {
	uint64_t lsn;
	uint64_t end;
	uint64_t off;
	uint32_t len;
	uint32_t csum;
};

struct replay_state {
	uint64_t *ext_lsns; /* records whose side-file data replay must rewrite */
	uint32_t nr_ext;
	uint32_t max_ext;
	struct replay_chk *chks;
	uint32_t nr_chk;
	uint32_t max_chk;
	uint64_t durable; /* highest "durable at append" any record of the chain states */
	char *rec;
	size_t rec_cap;
};

/*
 * Write the side-file bytes \a data for [off, off + len) except the parts that a checked range
 * of a later record (lsn > \a lsn) covers: those blocks were freed and written again directly
 * after this record, and the logged bytes are older.
 */
static int
ext_write_clipped(struct umem_pool *pool, struct replay_state *rs, uint64_t lsn, const char *data,
		  uint64_t off, uint64_t len)
{
	uint64_t cur = off, end = off + len;

	while (cur < end) {
		uint64_t stop = end, skip_to = cur;
		uint32_t i;

		for (i = 0; i < rs->nr_chk; i++) {
			struct replay_chk *c = &rs->chks[i];

			if (c->lsn <= lsn || c->off >= end || c->off + c->len <= cur)
				continue;
			if (c->off <= cur)
				skip_to = max(skip_to, c->off + c->len);
			else
				stop = min(stop, c->off);
		}
		if (skip_to > cur) {
			cur = min(skip_to, end);
			continue;
		}
		if (pwrite(pool->up_ext_fd, data + (cur - off), stop - cur, cur) !=
		    (ssize_t)(stop - cur))
			return umem_errno2der(errno ? errno : EIO);
		cur = stop;
	}
	return 0;
}

/* Rewrite the side-file bytes of the (already validated) records at rs->ext_lsns, in log order. */
static int
replay_ext(struct umem_pool *pool, struct replay_state *rs)
{
	struct umem_wal *wal = &pool->up_wal;
	struct umem_rec_hdr rh;
	uint32_t k, i;
	int rc;

	for (k = 0; k < rs->nr_ext; k++) {
		uint64_t pos = rs->ext_lsns[k] % wal->wl_size;
		struct umem_rec_range *rr;
		char *data;

		rc = wal_pread(wal, &rh, sizeof(rh), pos);
		if (rc != 0)
			return rc;
		if (rh.rh_len > rs->rec_cap) {
			char *tmp;

			D_REALLOC(tmp, rs->rec, rs->rec_cap, rh.rh_len);
			if (tmp == NULL)
				return -DER_NOMEM;
			rs->rec = tmp;
			rs->rec_cap = rh.rh_len;
		}
		rc = wal_pread(wal, rs->rec, rh.rh_len, pos);
		if (rc != 0)
			return rc;
		rr = (struct umem_rec_range *)(rs->rec + sizeof(rh));
		data = (char *)(rr + rh.rh_nr);
		for (i = 0; i < rh.rh_nr; i++) {
			if (rr[i].rr_flags & UMEM_RR_CHECKED) {
				data += 8;
				continue;
			}
			if (!(rr[i].rr_flags & UMEM_RR_EXT)) {
				data += rr[i].rr_len;
				continue;
			}
			rc = ext_write_clipped(pool, rs, rs->ext_lsns[k], data, rr[i].rr_off,
					       rr[i].rr_len);
			if (rc != 0)
				return rc;
			data += D_ALIGNUP((uint64_t)rr[i].rr_len, 8);
		}
	}
	/* checked data found intact may still sit in a volatile device cache (kill -9) */
	if ((rs->nr_ext > 0 || rs->nr_chk > 0) && fdatasync(pool->up_ext_fd) != 0)
		return umem_errno2der(errno);
	if (rs->nr_ext > 0)
		D_INFO("rewrote side-file data of %u log records\n", rs->nr_ext);
	return 0;
}

static int
lsn_push(uint64_t **arr, uint32_t *nr, uint32_t *max, uint64_t lsn)
{
	if (*nr == *max) {
		uint64_t *tmp;
		uint32_t ncap = *max ? *max * 2 : 64;

		D_REALLOC_ARRAY(tmp, *arr, *max, ncap);
		if (tmp == NULL)
			return -DER_NOMEM;
		*arr = tmp;
		*max = ncap;
	}
	(*arr)[(*nr)++] = lsn;
	return 0;
}

static int
chk_push(struct replay_state *rs, struct replay_chk *c)
{
	if (rs->nr_chk == rs->max_chk) {
		struct replay_chk *tmp;
		uint32_t ncap = rs->max_chk ? rs->max_chk * 2 : 64;

		D_REALLOC_ARRAY(tmp, rs->chks, rs->max_chk, ncap);
		if (tmp == NULL)
			return -DER_NOMEM;
		rs->chks = tmp;
		rs->max_chk = ncap;
	}
	rs->chks[rs->nr_chk++] = *c;
	return 0;
}

/*
 * Walk the chain of intact records from the checkpoint up to \a stop (or its end). The first
 * pass (\a apply false) validates and collects the checked ranges and the durable watermark;
 * the second applies heap ranges and collects the records with side-file data. A record with a
 * good checksum but impossible content means the files are damaged: -DER_DF_INVAL.
 */
static int
replay_scan(struct umem_pool *pool, struct replay_state *rs, bool apply, uint64_t stop,
	    uint64_t *endp, uint64_t *txidp, uint64_t *nrp)
{
	struct umem_wal *wal = &pool->up_wal;
	uint64_t lsn = pool->up_hdr.uh_ckpt_lsn;
	uint64_t gen = pool->up_hdr.uh_ckpt_gen;
	uint64_t txid = pool->up_hdr.uh_ckpt_txid;
	uint64_t start = lsn, nr = 0, ext_size = 0;
	struct umem_rec_hdr rh;
	struct stat st;
	int rc = 0;

	if (pool->up_ext_fd >= 0) {
		if (fstat(pool->up_ext_fd, &st) != 0)
			return umem_errno2der(errno);
		ext_size = st.st_size;
	}
	while (lsn - start < wal->wl_size && lsn < stop) {
		uint64_t pos = lsn % wal->wl_size;
		uint64_t rem = wal->wl_size - pos;
		char *p, *data, *rec;
		bool has_ext;
		uint32_t i;

		if (rem < sizeof(rh)) {
			lsn += rem;
			continue;
		}
		rc = wal_pread(wal, &rh, sizeof(rh), pos);
		if (rc == -DER_DF_INVAL) {
			rc = 0;
			break;
		}
		if (rc != 0)
			return rc;
		if (rh.rh_magic != UMEM_REC_MAGIC || rh.rh_lsn != lsn || rh.rh_gen < gen ||
		    rh.rh_gen > wal->wl_gen || rh.rh_len < sizeof(rh) || rh.rh_len > rem ||
		    rh.rh_len % 8 != 0)
			break;
		if (rh.rh_type == UMEM_REC_WRAP) {
			if (rh.rh_csum != rec_csum(&rh, sizeof(rh)))
				break;
			gen = rh.rh_gen;
			lsn += rem;
			continue;
		}
		if (rh.rh_type != UMEM_REC_TX || rh.rh_txid <= txid)
			break;
		if (rh.rh_len > rs->rec_cap) {
			char *tmp;

			D_REALLOC(tmp, rs->rec, rs->rec_cap, rh.rh_len);
			if (tmp == NULL)
				return -DER_NOMEM;
			rs->rec = tmp;
			rs->rec_cap = rh.rh_len;
		}
		rec = rs->rec;
		rc = wal_pread(wal, rec, rh.rh_len, pos);
		if (rc == -DER_DF_INVAL) {
			rc = 0;
			break;
		}
		if (rc != 0)
			return rc;
		if (((struct umem_rec_hdr *)rec)->rh_csum != rec_csum(rec, rh.rh_len)) {
			if (!apply)
				D_INFO("log record at " DF_U64 " torn, end of log\n", lsn);
			break;
		}
		/* validate the whole record before touching the image */
		p = rec + sizeof(rh);
		data = p + (uint64_t)rh.rh_nr * sizeof(struct umem_rec_range);
		if ((uint64_t)rh.rh_nr * sizeof(struct umem_rec_range) > rh.rh_len - sizeof(rh))
			return -DER_DF_INVAL;
		has_ext = false;
		for (i = 0; i < rh.rh_nr; i++) {
			struct umem_rec_range *rr = (struct umem_rec_range *)p + i;
			bool chk = rr->rr_flags & UMEM_RR_CHECKED;
			bool ext = (rr->rr_flags & UMEM_RR_EXT) || chk;
			uint64_t lim = ext ? ext_size : pool->up_size;
			uint64_t dlen = chk   ? 8
					: ext ? D_ALIGNUP((uint64_t)rr->rr_len, 8)
					      : rr->rr_len;

			if (ext && pool->up_ext_fd < 0) {
				D_ERROR("log holds side-file data but no side file was given\n");
				return -DER_DF_INVAL;
			}
			if ((!ext && rr->rr_off < UMEM_PAGE_SIZE) || rr->rr_off >= lim ||
			    rr->rr_len > lim - rr->rr_off || (chk && rr->rr_len == 0) ||
			    dlen > (uint64_t)(rec + rh.rh_len - data)) {
				D_ERROR("log record tx " DF_U64 " has a bad range\n", rh.rh_txid);
				return -DER_DF_INVAL;
			}
			if (chk && !apply) {
				struct replay_chk c = {.lsn = lsn,
						       .end = lsn + rh.rh_len,
						       .off = rr->rr_off,
						       .len = rr->rr_len,
						       .csum = *(uint32_t *)data};

				rc = chk_push(rs, &c);
				if (rc != 0)
					return rc;
			}
			has_ext |= ext && !chk;
			data += dlen;
		}
		if ((rh.rh_flags & UMEM_RH_DURABLE) && rh.rh_dback <= lsn)
			rs->durable = max(rs->durable, lsn - rh.rh_dback);
		data = p + (uint64_t)rh.rh_nr * sizeof(struct umem_rec_range);
		for (i = 0; apply && i < rh.rh_nr; i++) {
			struct umem_rec_range *rr = (struct umem_rec_range *)p + i;

			if (rr->rr_flags & UMEM_RR_CHECKED) {
				data += 8;
				continue;
			}
			if (rr->rr_flags & UMEM_RR_EXT) {
				data += D_ALIGNUP((uint64_t)rr->rr_len, 8);
				continue;
			}
			memcpy(pool->up_base + rr->rr_off, data, rr->rr_len);
			umem_mark_dirty(pool, rr->rr_off, rr->rr_len);
			data += rr->rr_len;
		}
		/* side-file data is rewritten after the scan, from the last synced point on */
		if (apply && (rh.rh_flags & UMEM_RH_EXT_SYNCED)) {
			rs->nr_ext = 0;
		} else if (apply && has_ext) {
			rc = lsn_push(&rs->ext_lsns, &rs->nr_ext, &rs->max_ext, lsn);
			if (rc != 0)
				return rc;
		}
		gen = rh.rh_gen;
		txid = rh.rh_txid;
		lsn += rh.rh_len;
		nr++;
	}
	*endp = lsn;
	*txidp = txid;
	*nrp = nr;
	return 0;
}

/*
 * Checked side-file data of records past the durable watermark: the record may have reached
 * the media without its data if power failed before the flush that would have acknowledged
 * it. The first record whose data does not match ends the log (nothing after it was
 * acknowledged either: acknowledgement follows log order). Returns the new end of the log.
 */
static int
replay_check(struct umem_pool *pool, struct replay_state *rs, uint64_t *endp)
{
	const size_t chunk = 1 << 20;
	char *buf = NULL;
	uint32_t i, kept;
	int rc = 0;

	for (i = 0; i < rs->nr_chk; i++) {
		struct replay_chk *c = &rs->chks[i];
		uint32_t crc = 0;
		uint64_t done;

		if (c->end <= rs->durable)
			continue;
		if (buf == NULL) {
			D_ALLOC_NZ(buf, chunk);
			if (buf == NULL)
				return -DER_NOMEM;
		}
		for (done = 0; done < c->len;) {
			size_t n = min((uint64_t)chunk, c->len - done);
			ssize_t r = pread(pool->up_ext_fd, buf, n, c->off + done);

			if (r != (ssize_t)n) {
				rc = r < 0 ? umem_errno2der(errno) : -DER_DF_INVAL;
				goto out;
			}
			crc = umem_crc32c(crc, buf, n);
			done += n;
		}
		if (crc != c->csum) {
			D_WARN("side-file data of log record at " DF_U64 " never reached the disk: "
			       "end of log\n",
			       c->lsn);
			*endp = c->lsn;
			break;
		}
	}
	/* only the records before the end keep their checked ranges (ext clipping) */
	for (kept = 0; kept < rs->nr_chk && rs->chks[kept].lsn < *endp; kept++)
		;
	rs->nr_chk = kept;
out:
	D_FREE(buf);
	return rc;
}

/*
 * Apply every intact record past the checkpoint. The chain ends at the first record that is
 * missing, torn (checksum), stale (wrong position or an older log generation than its
 * predecessor) or out of order, or whose checked side-file data is not on disk.
 */
int
umem_wal_replay(struct umem_pool *pool)
{
	struct umem_wal *wal = &pool->up_wal;
	struct replay_state rs = {0};
	uint64_t end, txid, nr;
	int rc;

	rc = replay_scan(pool, &rs, false, UINT64_MAX, &end, &txid, &nr);
	if (rc == 0 && rs.nr_chk > 0)
		rc = replay_check(pool, &rs, &end);
	if (rc == 0)
		rc = replay_scan(pool, &rs, true, end, &end, &txid, &nr);
	if (rc == 0)
		rc = replay_ext(pool, &rs);
	if (rc != 0)
		goto out;
	wal->wl_next = wal->wl_flushed = wal->wl_durable = end;
	wal->wl_tail = pool->up_hdr.uh_ckpt_lsn;
	wal->wl_txid = txid;
	pool->up_replayed = nr;
	D_INFO("replayed %lu transactions, log " DF_U64 ".." DF_U64 "\n", nr,
	       pool->up_hdr.uh_ckpt_lsn, end);
out:
	D_FREE(rs.ext_lsns);
	D_FREE(rs.chks);
	D_FREE(rs.rec);
	return rc;
}

static int
buf_reserve(struct umem_wal *wal, size_t more)
{
	char *nbuf;
	size_t cap;

	if (wal->wl_buf_len + more <= wal->wl_buf_cap)
		return 0;
	cap = max(wal->wl_buf_cap * 2, wal->wl_buf_len + more);
	cap = max(cap, (size_t)65536);
	/* no zeroing (D_REALLOC would clear the new part): every byte is written before use */
	nbuf = realloc(wal->wl_buf, cap);
	if (nbuf == NULL)
		return -DER_NOMEM;
	wal->wl_buf = nbuf;
	wal->wl_buf_cap = cap;
	return 0;
}

/* Append the running transaction's redo record. Heap lock held: records follow image order. */
int
umem_wal_append(struct umem_pool *pool, uint64_t *end_lsn, uint64_t *txidp)
{
	struct umem_wal *wal = &pool->up_wal;
	struct umem_tx *tx = &pool->up_tx;
	struct umem_rec_hdr *rh;
	struct umem_rec_range *rr;
	uint64_t lsn, pos, rem, need, len, nlines;
	uint32_t nr, i, j;
	char *data;
	bool was_empty;
	int rc;

	/* the lines as sorted runs (tx_lines keeps its order for an abort after a failed append) */
	rc = umem_tx_runs(tx, &nlines);
	if (rc < 0)
		return rc;
	nr = rc;
	len = sizeof(*rh) + (uint64_t)nr * sizeof(*rr) + nlines * UMEM_LINE_SIZE;
	for (i = 0; i < tx->tx_nr_exts; i++)
		len += sizeof(*rr) + (tx->tx_exts[i].te_buf == NULL
					      ? 8
					      : D_ALIGNUP((uint64_t)tx->tx_exts[i].te_len, 8));
	if (len > UINT32_MAX)
		return -DER_NOSPACE;

	pthread_mutex_lock(&wal->wl_lock);
	rc = wal->wl_err;
	if (rc != 0)
		goto out;
	was_empty = wal->wl_next == wal->wl_flushed;
	lsn = wal->wl_next;
	pos = lsn % wal->wl_size;
	rem = wal->wl_size - pos;
	need = len + (rem < len ? rem : 0);
	if (len > wal->wl_size / 4 || umem_wal_used(wal) + need > wal->wl_size) {
		D_ERROR("transaction of %lu log bytes does not fit the log (%lu used of %lu)\n",
			len, umem_wal_used(wal), wal->wl_size);
		D_GOTO(out, rc = -DER_NOSPACE);
	}
	rc = buf_reserve(wal, need);
	if (rc != 0)
		goto out;
	if (rem < len) {
		memset(wal->wl_buf + wal->wl_buf_len, 0, rem);
		if (rem >= sizeof(*rh)) {
			rh = (struct umem_rec_hdr *)(wal->wl_buf + wal->wl_buf_len);
			rh->rh_magic = UMEM_REC_MAGIC;
			rh->rh_type = UMEM_REC_WRAP;
			rh->rh_lsn = lsn;
			rh->rh_gen = wal->wl_gen;
			rh->rh_len = sizeof(*rh);
			rh->rh_csum = rec_csum(rh, sizeof(*rh));
		}
		wal->wl_buf_len += rem;
		lsn += rem;
	}
	rh = (struct umem_rec_hdr *)(wal->wl_buf + wal->wl_buf_len);
	memset(rh, 0, sizeof(*rh));
	rh->rh_magic = UMEM_REC_MAGIC;
	rh->rh_type = UMEM_REC_TX;
	rh->rh_lsn = lsn;
	rh->rh_gen = wal->wl_gen;
	rh->rh_txid = ++wal->wl_txid;
	rh->rh_len = (uint32_t)len;
	rh->rh_nr = nr + tx->tx_nr_exts;
	rh->rh_flags = tx->tx_ext_synced ? UMEM_RH_EXT_SYNCED : 0;
	/* what was durable when this record was made: replay trusts checked data up to there */
	if (lsn - wal->wl_durable <= UINT32_MAX) {
		rh->rh_flags |= UMEM_RH_DURABLE;
		rh->rh_dback = (uint32_t)(lsn - wal->wl_durable);
	}
	rr = (struct umem_rec_range *)(rh + 1);
	data = (char *)(rr + nr + tx->tx_nr_exts);
	for (j = 0; j < nr; j++) {
		struct umem_tx_run *run = &tx->tx_runs[j];

		rr[j].rr_off = run->tr_first << UMEM_LINE_SHIFT;
		rr[j].rr_len = (uint32_t)((run->tr_end - run->tr_first) << UMEM_LINE_SHIFT);
		rr[j].rr_flags = 0;
		memcpy(data, pool->up_base + rr[j].rr_off, rr[j].rr_len);
		data += rr[j].rr_len;
	}
	for (i = 0; i < tx->tx_nr_exts; i++, j++) {
		struct umem_tx_ext *te = &tx->tx_exts[i];
		uint32_t pad = D_ALIGNUP(te->te_len, 8) - te->te_len;

		rr[j].rr_off = te->te_off;
		rr[j].rr_len = te->te_len;
		if (te->te_buf == NULL) {
			uint32_t ck[2] = {te->te_csum, 0};

			rr[j].rr_flags = UMEM_RR_CHECKED;
			memcpy(data, ck, sizeof(ck));
			data += sizeof(ck);
			continue;
		}
		rr[j].rr_flags = UMEM_RR_EXT;
		memcpy(data, te->te_buf, te->te_len);
		memset(data + te->te_len, 0, pad);
		data += te->te_len + pad;
		pool->up_ext_dirty = true;
	}
	rh->rh_csum = rec_csum(rh, len);
	wal->wl_buf_len += len;
	wal->wl_next = lsn + len;
	wal->wl_bytes += len;
	*end_lsn = wal->wl_next;
	*txidp = rh->rh_txid;
	/*
	 * relaxed policy: the first pending record arms the flusher's timer. Sync every: the
	 * committer either writes the log itself or wakes the flusher when it queues its waiter.
	 */
	if (wal->wl_sync_ms > 0 && (was_empty || wal->wl_buf_len >= WAL_FLUSH_EARLY))
		pthread_cond_signal(&wal->wl_cond);
out:
	pthread_mutex_unlock(&wal->wl_lock);
	return rc;
}

/*
 * The log area was written once at create, bypassing the page cache, so its pages are not
 * cached: a write that ends inside a page makes the kernel read that page from the device
 * first (~one device round trip per commit, measured 86 us p50 per log pwrite here). Each
 * write therefore runs on with zeros to the end of its last page. Those bytes lie past the
 * log end; the next batch overwrites them, and replay stops at them like at any torn tail.
 */
static const char wal_zero_page[UMEM_PAGE_SIZE];

static int
wal_write(struct umem_wal *wal, const char *buf, size_t len, uint64_t start)
{
	/* the padding must not reach live records of the previous lap (the tail only grows) */
	uint64_t room =
		__atomic_load_n(&wal->wl_tail, __ATOMIC_RELAXED) + wal->wl_size - (start + len);
	int fi;

	while (len > 0) {
		uint64_t pos = start % wal->wl_size;
		size_t n = min((uint64_t)len, wal->wl_size - pos);
		uint64_t tail = (pos + n) % UMEM_PAGE_SIZE;
		struct iovec iov[2] = {{(void *)buf, n}, {(void *)wal_zero_page, 0}};
		ssize_t w;

		if (n == len && tail != 0)
			iov[1].iov_len =
				min(min(UMEM_PAGE_SIZE - tail, wal->wl_size - pos - n), room);
		fi = umem_fi(UMEM_FI_WAL_WRITE);
		if (fi)
			return umem_errno2der(fi);
		w = pwritev(wal->wl_fd, iov, iov[1].iov_len ? 2 : 1, UMEM_WAL_HDR_SZ + pos);
		if (w <= 0)
			return umem_errno2der(w < 0 ? errno : EIO);
		w = min((size_t)w, n);
		buf += w;
		len -= w;
		start += w;
	}
	fi = umem_fi(UMEM_FI_WAL_SYNC);
	if (fi)
		return umem_errno2der(fi);
	return fdatasync(wal->wl_fd) == 0 ? 0 : umem_errno2der(errno);
}

struct wal_batch {
	uint64_t start;
	uint64_t end;
	char *buf;
	size_t len;
	size_t cap;
};

static void
wal_complete(struct umem_wal *wal, d_list_t *done)
{
	struct umem_waiter *w, *tmp;

	d_list_for_each_entry_safe(w, tmp, &wal->wl_waiters, w_link)
	{
		if (wal->wl_err == 0 && w->w_lsn > wal->wl_durable)
			break;
		d_list_move_tail(&w->w_link, done);
	}
}

static void
wal_call(d_list_t *done, int rc)
{
	struct umem_waiter *w, *tmp;

	d_list_for_each_entry_safe(w, tmp, done, w_link)
	{
		void (*cb)(void *arg, int rc) = w->w_cb;
		void *arg = w->w_arg;

		d_list_del(&w->w_link);
		D_FREE(w);
		cb(arg, rc);
	}
}

/* Take the pending buffer for writing (log lock held, no batch being written). */
static void
wal_take(struct umem_wal *wal, struct wal_batch *b)
{
	b->start = wal->wl_flushed;
	b->end = wal->wl_next;
	b->buf = wal->wl_buf;
	b->len = wal->wl_buf_len;
	b->cap = wal->wl_buf_cap;
	wal->wl_buf = wal->wl_spare;
	wal->wl_buf_cap = wal->wl_spare_cap;
	wal->wl_buf_len = 0;
	wal->wl_spare = NULL;
	wal->wl_spare_cap = 0;
	wal->wl_flushed = b->end;
	wal->wl_writing = true;
}

/*
 * Account a written batch (log lock held), then drop the lock to complete its waiters.
 * Returns with the lock released; \a kick says whether the log wants a checkpoint.
 */
static void
wal_done(struct umem_pool *pool, struct wal_batch *b, int rc)
{
	struct umem_wal *wal = &pool->up_wal;
	d_list_t done;
	bool kick;

	wal->wl_spare = b->buf;
	wal->wl_spare_cap = b->cap;
	wal->wl_writing = false;
	if (rc != 0 && wal->wl_err == 0) {
		D_ERROR("log write failed: %d; the heap is read-only from now on\n", rc);
		wal->wl_err = rc;
	}
	if (rc == 0) {
		__atomic_store_n(&wal->wl_durable, b->end, __ATOMIC_RELEASE);
		wal->wl_syncs++;
	}
	D_INIT_LIST_HEAD(&done);
	wal_complete(wal, &done);
	pthread_cond_broadcast(&wal->wl_dcond);
	/* the flusher may wait for this batch to serve waiters queued meanwhile, or to stop */
	if (!d_list_empty(&wal->wl_waiters) || wal->wl_urgent || wal->wl_stop || wal->wl_sync_ms)
		pthread_cond_signal(&wal->wl_cond);
	kick = umem_wal_used(wal) > wal->wl_size / 4 && !(pool->up_flags & UMEM_POOL_NO_BG_CKPT);
	rc = wal->wl_err;
	pthread_mutex_unlock(&wal->wl_lock);
	wal_call(&done, rc);
	if (kick)
		umem_ckpt_kick(pool);
}

static void *
wal_flusher(void *arg)
{
	struct umem_pool *pool = arg;
	struct umem_wal *wal = &pool->up_wal;
	struct timespec last, now, dl;
	struct wal_batch b;
	int rc;

	clock_gettime(CLOCK_MONOTONIC, &last);
	pthread_mutex_lock(&wal->wl_lock);
	while (true) {
		bool pending = wal->wl_next > wal->wl_flushed;
		uint64_t due;

		if (!pending && wal->wl_stop && !wal->wl_writing)
			break;
		clock_gettime(CLOCK_MONOTONIC, &now);
		due = (uint64_t)last.tv_sec * 1000 + last.tv_nsec / 1000000 + wal->wl_sync_ms;
		if (wal->wl_writing) {
			/* an inline committer is writing; it signals when done */
			pthread_cond_wait(&wal->wl_cond, &wal->wl_lock);
			continue;
		}
		if (!pending || (wal->wl_sync_ms > 0 && !wal->wl_urgent && !wal->wl_stop &&
				 wal->wl_buf_len < WAL_FLUSH_EARLY &&
				 (uint64_t)now.tv_sec * 1000 + now.tv_nsec / 1000000 < due)) {
			if (pending) {
				dl.tv_sec = due / 1000;
				dl.tv_nsec = (due % 1000) * 1000000;
				pthread_cond_timedwait(&wal->wl_cond, &wal->wl_lock, &dl);
			} else {
				pthread_cond_wait(&wal->wl_cond, &wal->wl_lock);
			}
			continue;
		}
		/* swap buffers: committers keep appending while this batch is written */
		wal_take(wal, &b);
		pthread_mutex_unlock(&wal->wl_lock);

		rc = wal->wl_err ? wal->wl_err : wal_write(wal, b.buf, b.len, b.start);
		clock_gettime(CLOCK_MONOTONIC, &last);

		pthread_mutex_lock(&wal->wl_lock);
		wal_done(pool, &b, rc);
		pthread_mutex_lock(&wal->wl_lock);
	}
	pthread_mutex_unlock(&wal->wl_lock);
	return NULL;
}

int
umem_wal_sync_inline(struct umem_pool *pool, uint64_t lsn)
{
	struct umem_wal *wal = &pool->up_wal;
	struct wal_batch b;
	int rc;

	pthread_mutex_lock(&wal->wl_lock);
	rc = wal->wl_err;
	if (rc != 0 || wal->wl_durable >= lsn) {
		pthread_mutex_unlock(&wal->wl_lock);
		return rc;
	}
	if (wal->wl_writing || !d_list_empty(&wal->wl_waiters) || wal->wl_flushed >= lsn) {
		pthread_mutex_unlock(&wal->wl_lock);
		return 1;
	}
	wal_take(wal, &b);
	pthread_mutex_unlock(&wal->wl_lock);

	rc = wal_write(wal, b.buf, b.len, b.start);

	pthread_mutex_lock(&wal->wl_lock);
	wal_done(pool, &b, rc);
	pthread_mutex_lock(&wal->wl_lock);
	rc = wal->wl_err;
	if (rc == 0 && wal->wl_durable < lsn)
		rc = -DER_IO; /* cannot happen: the batch ended at or past our record */
	pthread_mutex_unlock(&wal->wl_lock);
	return rc;
}

int
umem_wal_start(struct umem_pool *pool)
{
	struct umem_wal *wal = &pool->up_wal;
	struct umem_wal_hdr wh = {0};
	int rc;

	/* a new generation: records of this session can never be mistaken for stale ones */
	wh.wh_magic = UMEM_WAL_MAGIC;
	wh.wh_version = UMEM_WAL_VERSION;
	wh.wh_size = wal->wl_size;
	wh.wh_uuid[0] = pool->up_hdr.uh_uuid[0];
	wh.wh_uuid[1] = pool->up_hdr.uh_uuid[1];
	wh.wh_gen = wal->wl_gen + 1;
	rc = wal_write_hdr(wal->wl_fd, &wh);
	if (rc != 0)
		return rc;
	wal->wl_gen = wh.wh_gen;

	rc = pthread_create(&wal->wl_thread, NULL, wal_flusher, pool);
	if (rc != 0)
		return umem_errno2der(rc);
	wal->wl_thread_started = true;
	return 0;
}

void
umem_wal_stop(struct umem_pool *pool)
{
	struct umem_wal *wal = &pool->up_wal;
	d_list_t done;

	if (wal->wl_thread_started) {
		pthread_mutex_lock(&wal->wl_lock);
		wal->wl_stop = true;
		pthread_cond_signal(&wal->wl_cond);
		pthread_mutex_unlock(&wal->wl_lock);
		pthread_join(wal->wl_thread, NULL);
		wal->wl_thread_started = false;
		/* anything left waiting can only be there because of an error */
		D_INIT_LIST_HEAD(&done);
		d_list_splice_init(&wal->wl_waiters, &done);
		wal_call(&done, wal->wl_err ? wal->wl_err : -DER_SHUTDOWN);
	}
	if (wal->wl_inited) {
		pthread_cond_destroy(&wal->wl_cond);
		pthread_cond_destroy(&wal->wl_dcond);
		pthread_mutex_destroy(&wal->wl_lock);
		wal->wl_inited = false;
	}
	if (wal->wl_fd >= 0)
		close(wal->wl_fd);
	wal->wl_fd = -1;
	D_FREE(wal->wl_buf);
	D_FREE(wal->wl_spare);
}

void
umem_wal_wait(struct umem_pool *pool, struct umem_waiter *w)
{
	struct umem_wal *wal = &pool->up_wal;
	d_list_t done;
	int rc;

	D_INIT_LIST_HEAD(&done);
	pthread_mutex_lock(&wal->wl_lock);
	rc = wal->wl_err;
	if (rc == 0 && w->w_lsn > wal->wl_durable) {
		d_list_add_tail(&w->w_link, &wal->wl_waiters);
		pthread_cond_signal(&wal->wl_cond);
		pthread_mutex_unlock(&wal->wl_lock);
		return;
	}
	d_list_add_tail(&w->w_link, &done);
	pthread_mutex_unlock(&wal->wl_lock);
	wal_call(&done, rc);
}

int
umem_wal_wait_durable(struct umem_pool *pool, uint64_t lsn)
{
	struct umem_wal *wal = &pool->up_wal;
	int rc;

	pthread_mutex_lock(&wal->wl_lock);
	while (wal->wl_err == 0 && wal->wl_durable < lsn) {
		wal->wl_urgent = true;
		pthread_cond_signal(&wal->wl_cond);
		pthread_cond_wait(&wal->wl_dcond, &wal->wl_lock);
	}
	wal->wl_urgent = false;
	rc = wal->wl_err;
	pthread_mutex_unlock(&wal->wl_lock);
	return rc;
}
