/**
 * bio: data blob files.
 */
#define D_LOGFAC DD_FAC(bio)

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <linux/magic.h>
#include <unistd.h>

#include <daos_errno.h>
#include <daos/mem.h>
#include <gurt/common.h>
#include <gurt/debug.h>
#include "bio_internal.h"

/* armed = remaining injections; points and errno are read only while armed */
_Atomic int bio_fi_armed;
static _Atomic unsigned int bio_fi_points;
static _Atomic int bio_fi_err;

int
bio_fault_inject_set(unsigned int points, int err, int nr)
{
	if (nr < 0 || (nr > 0 && (points == 0 || err <= 0)))
		return -DER_INVAL;
	bio_fi_armed = 0;
	bio_fi_points = points;
	bio_fi_err = err;
	bio_fi_armed = nr;
	return 0;
}

int
bio_fi_hit(unsigned int point)
{
	int n = bio_fi_armed;

	if (!(bio_fi_points & point))
		return 0;
	while (n > 0) {
		if (atomic_compare_exchange_weak(&bio_fi_armed, &n, n - 1)) {
			D_WARN("injecting errno %d at point %#x\n", bio_fi_err, point);
			return bio_fi_err;
		}
	}
	return 0;
}

int
bio_blob_path(const char *dir, const uuid_t pool, int tgt_id, char *buf, size_t len)
{
	char us[37];
	int n;

	if (dir == NULL || buf == NULL || tgt_id < 0)
		return -DER_INVAL;
	uuid_unparse_lower(pool, us);
	n = snprintf(buf, len, "%s/%s-%d.blob", dir, us, tgt_id);
	if (n < 0 || (size_t)n >= len)
		return -DER_TRUNC;
	return 0;
}

static uint32_t
blob_hdr_csum(const struct bio_blob_hdr *bh)
{
	struct bio_blob_hdr tmp = *bh;

	tmp.bh_csum = 0;
	return umem_crc32c(0, &tmp, sizeof(tmp));
}

static bool
fd_in_memory(int fd)
{
	struct statfs sfs;

	return fstatfs(fd, &sfs) == 0 && (sfs.f_type == TMPFS_MAGIC || sfs.f_type == RAMFS_MAGIC);
}

/*
 * ext4 and xfs overwrite a written block in place: no metadata changes, so a device flush
 * alone makes an overwrite durable. Copy-on-write file systems (btrfs, zfs, ...) and unknown
 * ones may move the block: they get no header and keep the fdatasync per update.
 */
static bool
fd_overwrites_in_place(int fd)
{
	struct statfs sfs;

	return fstatfs(fd, &sfs) == 0 &&
	       (sfs.f_type == EXT4_SUPER_MAGIC || sfs.f_type == XFS_SUPER_MAGIC);
}

/*
 * Zero every block with O_DIRECT (a GiB of zeros should not evict the page cache), make it
 * durable, then write the header that says so: a crash before the header leaves a blob
 * without one, which is merely treated as not pre-written.
 */
static int
blob_prewrite(const char *path, int fd, uint64_t size)
{
	const size_t chunk = 1 << 20;
	struct bio_blob_hdr *bh;
	uint64_t off;
	void *zero;
	int dfd, rc = 0;

	D_ALIGNED_ALLOC(zero, BIO_DMA_PAGE_SZ, chunk);
	if (zero == NULL)
		return -DER_NOMEM;
	memset(zero, 0, chunk);
	dfd = open(path, O_RDWR | O_DIRECT | O_CLOEXEC);
	if (dfd < 0)
		dfd = fd;
	for (off = 0; off < size && rc == 0; off += chunk) {
		size_t n = min((uint64_t)chunk, size - off);

		if (pwrite(dfd, zero, n, (off_t)off) != (ssize_t)n)
			rc = d_errno2der(errno ? errno : EIO);
	}
	if (rc == 0 && fdatasync(dfd) != 0)
		rc = d_errno2der(errno);
	if (rc == 0) {
		bh = zero;
		bh->bh_magic = BIO_BLOB_HDR_MAGIC;
		bh->bh_version = BIO_BLOB_HDR_VERSION;
		bh->bh_size = size;
		bh->bh_written = size;
		bh->bh_csum = blob_hdr_csum(bh);
		if (pwrite(dfd, zero, BIO_DMA_PAGE_SZ, 0) != BIO_DMA_PAGE_SZ || fdatasync(dfd) != 0)
			rc = d_errno2der(errno ? errno : EIO);
	}
	if (dfd != fd)
		close(dfd);
	free(zero);
	return rc;
}

int
bio_blob_create(const char *path, uint64_t size)
{
	return bio_blob_create_ex(path, size, 0);
}

int
bio_blob_create_ex(const char *path, uint64_t size, unsigned int flags)
{
	const char *env = getenv("DAOS_BIO_BLOB_PREWRITE");
	int fd, rc = 0;

	if (path == NULL || size == 0 || size % BIO_DMA_PAGE_SZ != 0 ||
	    (flags & ~BIO_BLOB_PREWRITE) != 0)
		return -DER_INVAL;
	fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0)
		return d_errno2der(errno);
	/* preallocate so writes later never fail for lack of space */
	if (posix_fallocate(fd, 0, (off_t)size) != 0) {
		if (ftruncate(fd, (off_t)size) != 0)
			rc = d_errno2der(errno);
	}
	if (rc == 0 && (flags & BIO_BLOB_PREWRITE) && !(env != NULL && strcmp(env, "0") == 0) &&
	    fd_overwrites_in_place(fd))
		rc = blob_prewrite(path, fd, size);
	if (rc == 0 && fsync(fd) != 0)
		rc = d_errno2der(errno);
	close(fd);
	if (rc) {
		D_ERROR("create blob %s: " DF_RC "\n", path, DP_RC(rc));
		unlink(path);
	}
	return rc;
}

/*
 * Fill the page tables of the chunks [off, off + len) touches, once per chunk. MADV_POPULATE_*
 * reports a page it cannot provide (the file shrank under us) as EFAULT where a plain access
 * would raise SIGBUS.
 */
static int
map_ready(struct bio_blob *blob, uint64_t off, uint64_t len)
{
	uint64_t c, last = (off + len - 1) >> BIO_MAP_CHUNK_SHIFT;
	int advice = blob->bb_rdonly ? MADV_POPULATE_READ : MADV_POPULATE_WRITE;
	int tries;

	for (c = off >> BIO_MAP_CHUNK_SHIFT; c <= last; c++) {
		_Atomic uint64_t *word = &blob->bb_ready[c / 64];
		uint64_t bit = 1ULL << (c % 64);
		uint64_t start = c << BIO_MAP_CHUNK_SHIFT;
		uint64_t n = min(1ULL << BIO_MAP_CHUNK_SHIFT, blob->bb_size - start);

		if (atomic_load_explicit(word, memory_order_relaxed) & bit)
			continue;
		for (tries = 0; madvise(blob->bb_map + start, n, advice) != 0; tries++) {
			/* interrupted: again; still failing after that, leave it to page faults */
			if ((errno == EINTR || errno == EAGAIN) && tries < 16)
				continue;
			if (errno == EFAULT || errno == EHWPOISON || errno == ENOMEM) {
				D_ERROR("blob pages at " DF_U64 " unavailable: %d\n", start, errno);
				return EIO;
			}
			/* a kernel without MADV_POPULATE_*: pages fault in one by one */
			break;
		}
		/* concurrent users may both fill a chunk: harmless */
		atomic_fetch_or_explicit(word, bit, memory_order_relaxed);
	}
	return 0;
}

/*
 * Map a blob that lives in memory. Every page must exist first: touching a hole allocates a
 * page, and if the file system is full then, the access is a SIGBUS instead of an error code.
 * When the file cannot be mapped safely, it keeps the system-call path (0 is returned).
 * The blob's size was checked by the caller, so the mapping ends where the file does.
 */
static int
blob_map(struct bio_blob *blob, const char *path, const struct stat *st)
{
	struct stat now;
	uint64_t chunks;
	bool lazy;
	void *map;
	int rc;

	if ((uint64_t)st->st_blocks * 512 < (uint64_t)st->st_size) {
		if (blob->bb_rdonly) {
			D_WARN("%s: sparse read-only blob, not mapped\n", path);
			return 0;
		}
		rc = posix_fallocate(blob->bb_fd, 0, st->st_size);
		if (rc != 0) {
			D_WARN("%s: cannot allocate the blob's holes (%d), not mapped\n", path, rc);
			return 0;
		}
	}
	chunks = ((uint64_t)st->st_size + (1ULL << BIO_MAP_CHUNK_SHIFT) - 1) >> BIO_MAP_CHUNK_SHIFT;
	D_ALLOC_ARRAY(blob->bb_ready, (chunks + 63) / 64);
	if (blob->bb_ready == NULL)
		return -DER_NOMEM;
	map = mmap(NULL, st->st_size, PROT_READ | (blob->bb_rdonly ? 0 : PROT_WRITE), MAP_SHARED,
		   blob->bb_fd, 0);
	if (map == MAP_FAILED) {
		D_WARN("%s: mmap failed (%d), using system calls\n", path, errno);
		D_FREE(blob->bb_ready);
		return 0;
	}
	/* a mapping longer than the file faults with SIGBUS past its end */
	if (fstat(blob->bb_fd, &now) != 0 || now.st_size != st->st_size) {
		D_ERROR("%s: blob size changed while opening it\n", path);
		munmap(map, st->st_size);
		D_FREE(blob->bb_ready);
		return -DER_BUSY;
	}
	blob->bb_map = map;
	/*
	 * Fill the page tables now, unless asked not to: at open the cost (~0.1-0.5 s per GiB) is
	 * paid once, instead of by the first I/O to each chunk.
	 */
	lazy = false;
	d_getenv_bool("PDAOS_BIO_MAP_LAZY", &lazy);
	if (!lazy && map_ready(blob, 0, blob->bb_size) != 0) {
		D_ERROR("%s: blob pages unavailable\n", path);
		munmap(map, st->st_size);
		blob->bb_map = NULL;
		D_FREE(blob->bb_ready);
		return -DER_IO;
	}
	return 0;
}

/*
 * Read the header in block 0 (through its own descriptor: the blob's may be O_DIRECT). No
 * magic: no header, nothing known written. A damaged header or one describing more than the
 * file holds is refused: the caller would otherwise skip syncs for blocks that need them.
 */
static int
blob_hdr_read(const char *path, uint64_t file_size, uint64_t *written)
{
	struct bio_blob_hdr bh;
	ssize_t n;
	int fd;

	*written = 0;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return d_errno2der(errno);
	n = pread(fd, &bh, sizeof(bh), 0);
	close(fd);
	if (n != (ssize_t)sizeof(bh) || bh.bh_magic != BIO_BLOB_HDR_MAGIC)
		return n < 0 ? -DER_IO : 0;
	if (bh.bh_csum != blob_hdr_csum(&bh)) {
		D_ERROR("%s: blob header checksum mismatch\n", path);
		return -DER_CSUM;
	}
	if (bh.bh_version != BIO_BLOB_HDR_VERSION || bh.bh_size > file_size ||
	    bh.bh_written > bh.bh_size) {
		D_ERROR("%s: blob header says " DF_U64 " bytes (" DF_U64
			" written), file has " DF_U64 "\n",
			path, bh.bh_size, bh.bh_written, file_size);
		return -DER_DF_INVAL;
	}
	*written = bh.bh_written;
	return 0;
}

int
bio_blob_open(const char *path, unsigned int flags, struct bio_blob **blobp)
{
	struct bio_blob *blob;
	struct stat st;
	bool force_uring, no_map;
	uint64_t written;
	int oflags, fd, rc;

	if (path == NULL || blobp == NULL)
		return -DER_INVAL;
	oflags = ((flags & BIO_BLOB_RDONLY) ? O_RDONLY : O_RDWR) | O_CLOEXEC;
	fd = -1;
	if (flags & BIO_BLOB_DIRECT) {
		fd = open(path, oflags | O_DIRECT);
		if (fd < 0 && errno != EINVAL)
			return d_errno2der(errno);
		if (fd < 0)
			D_WARN("%s: no O_DIRECT on this file system, using the page cache\n", path);
	}
	if (fd < 0) {
		fd = open(path, oflags);
		if (fd < 0)
			return d_errno2der(errno);
		flags &= ~BIO_BLOB_DIRECT;
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return -DER_INVAL;
	}
	/* bio_blob_create makes whole blocks: anything else was cut short or is not a blob */
	if (st.st_size <= 0 || st.st_size % BIO_DMA_PAGE_SZ != 0) {
		D_ERROR("blob %s: %jd bytes, not a whole number of %d-byte blocks: damaged\n", path,
			(intmax_t)st.st_size, BIO_DMA_PAGE_SZ);
		close(fd);
		return -DER_DF_INVAL;
	}
	rc = blob_hdr_read(path, st.st_size, &written);
	if (rc != 0) {
		close(fd);
		return rc;
	}
	/* a blob copied to another kind of file system: its blocks may move on overwrite */
	if (!fd_overwrites_in_place(fd))
		written = 0;
	D_ALLOC_PTR(blob);
	if (blob == NULL) {
		close(fd);
		return -DER_NOMEM;
	}
	blob->bb_written = written;
	blob->bb_fd = fd;
	blob->bb_size = st.st_size;
	blob->bb_direct = (flags & BIO_BLOB_DIRECT) != 0;
	blob->bb_rdonly = (flags & BIO_BLOB_RDONLY) != 0;
	force_uring = false;
	d_getenv_bool("PDAOS_BIO_URING_MEMFS", &force_uring);
	if (!force_uring && fd_in_memory(fd))
		blob->bb_memfs = true;
	no_map = false;
	d_getenv_bool("PDAOS_BIO_NO_MMAP", &no_map);
	if (blob->bb_memfs && !no_map) {
		rc = blob_map(blob, path, &st);
		if (rc != 0) {
			close(fd);
			D_FREE(blob);
			return rc;
		}
	}
	*blobp = blob;
	return 0;
}

int
bio_blob_close(struct bio_blob *blob)
{
	int rc = 0;

	if (blob == NULL)
		return -DER_INVAL;
	if (blob->bb_map != NULL && munmap(blob->bb_map, blob->bb_size) != 0)
		rc = d_errno2der(errno);
	D_FREE(blob->bb_ready);
	if (close(blob->bb_fd) != 0)
		rc = d_errno2der(errno);
	D_FREE(blob);
	return rc;
}

int
bio_blob_destroy(const char *path)
{
	if (path == NULL)
		return -DER_INVAL;
	if (unlink(path) != 0)
		return errno == ENOENT ? -DER_NONEXIST : d_errno2der(errno);
	return 0;
}

bool
bio_blob_in_memory(struct bio_blob *blob)
{
	return blob != NULL && blob->bb_memfs;
}

bool
bio_blob_mapped(struct bio_blob *blob)
{
	return blob != NULL && blob->bb_map != NULL;
}

int
bio_io_check(struct bio_blob *blob, enum bio_op op, uint64_t off, d_sg_list_t *sgl, uint64_t *lenp)
{
	uint64_t len = 0;
	uint32_t i;

	if (blob == NULL || sgl == NULL || (op != BIO_OP_READ && op != BIO_OP_WRITE))
		return -DER_INVAL;
	if (sgl->sg_nr > 0 && sgl->sg_iovs == NULL)
		return -DER_INVAL;
	for (i = 0; i < sgl->sg_nr; i++) {
		d_iov_t *d = &sgl->sg_iovs[i];

		if (d->iov_len > 0 && d->iov_buf == NULL)
			return -DER_INVAL;
		if (blob->bb_direct && (((uintptr_t)d->iov_buf | d->iov_len) % BIO_DMA_PAGE_SZ))
			return -DER_INVAL;
		if (len + d->iov_len < len)
			return -DER_INVAL;
		len += d->iov_len;
	}
	if (len == 0 || off + len > blob->bb_size || off + len < len)
		return -DER_INVAL;
	if (blob->bb_direct && off % BIO_DMA_PAGE_SZ)
		return -DER_INVAL;
	if (blob->bb_faulty)
		return -DER_IO;
	if (op == BIO_OP_WRITE && blob->bb_rdonly)
		return -DER_NO_PERM;
	*lenp = len;
	return 0;
}

int
bio_io_fail(struct bio_blob *blob, enum bio_op op, uint64_t off, int err)
{
	D_ERROR("%s at " DF_U64 " failed: %d\n", op == BIO_OP_READ ? "read" : "write", off, err);
	/* out of space is not a media error: the blob stays usable */
	if (op == BIO_OP_WRITE && (err == ENOSPC || err == EDQUOT))
		return -DER_NOSPACE;
	blob->bb_faulty = true;
	return -DER_IO;
}

int
bio_map_copy(struct bio_blob *blob, enum bio_op op, uint64_t off, d_sg_list_t *sgl, uint64_t len)
{
	char *p = blob->bb_map + off;
	uint32_t i;
	int err;

	err = bio_fi(op == BIO_OP_READ ? BIO_FI_READ : BIO_FI_WRITE);
	if (err == 0)
		err = map_ready(blob, off, len);
	if (err != 0)
		return err;
	for (i = 0; i < sgl->sg_nr; i++) {
		d_iov_t *d = &sgl->sg_iovs[i];

		if (op == BIO_OP_READ)
			memcpy(d->iov_buf, p, d->iov_len);
		else
			memcpy(p, d->iov_buf, d->iov_len);
		p += d->iov_len;
	}
	return 0;
}

int
bio_blob_copy(struct bio_blob *blob, enum bio_op op, uint64_t off, d_sg_list_t *sgl)
{
	uint64_t len;
	int rc;

	rc = bio_io_check(blob, op, off, sgl, &len);
	if (rc != 0)
		return rc;
	if (blob->bb_map == NULL)
		return -DER_NOTSUPPORTED;
	rc = bio_map_copy(blob, op, off, sgl, len);
	return rc == 0 ? 0 : bio_io_fail(blob, op, off, rc);
}

uint64_t
bio_blob_size(struct bio_blob *blob)
{
	return blob->bb_size;
}

uint64_t
bio_blob_written(struct bio_blob *blob)
{
	return blob->bb_written;
}

bool
bio_blob_faulty(struct bio_blob *blob)
{
	return blob->bb_faulty;
}

bool
bio_blob_direct(struct bio_blob *blob)
{
	return blob->bb_direct;
}

int
bio_blob_flush(struct bio_blob *blob)
{
	int err;

	if (blob == NULL)
		return -DER_INVAL;
	if (blob->bb_faulty)
		return -DER_IO;
	err = bio_fi(BIO_FI_FLUSH);
	/*
	 * A mapped blob's writes are in the file's pages already (tmpfs/ramfs have nothing
	 * behind them to sync to): they survive the process, not the machine.
	 */
	if (err == 0 && blob->bb_map == NULL && fdatasync(blob->bb_fd) != 0)
		err = errno;
	if (err != 0) {
		D_ERROR("fdatasync: %d\n", err);
		blob->bb_faulty = true;
		return (err == ENOSPC || err == EDQUOT) ? -DER_NOSPACE : -DER_IO;
	}
	return 0;
}

int
bio_blob_writeback(struct bio_blob *blob, uint64_t off, uint64_t len)
{
	int err;

	if (blob == NULL || len == 0 || off + len > blob->bb_size)
		return -DER_INVAL;
	if (blob->bb_faulty)
		return -DER_IO;
	err = bio_fi(BIO_FI_FLUSH);
	if (err == 0 && sync_file_range(blob->bb_fd, (off64_t)off, (off64_t)len,
					SYNC_FILE_RANGE_WAIT_BEFORE | SYNC_FILE_RANGE_WRITE |
						SYNC_FILE_RANGE_WAIT_AFTER) != 0)
		err = errno;
	if (err != 0) {
		D_ERROR("sync_file_range: %d\n", err);
		blob->bb_faulty = true;
		return (err == ENOSPC || err == EDQUOT) ? -DER_NOSPACE : -DER_IO;
	}
	return 0;
}

void *
bio_buf_alloc(size_t size)
{
	void *buf;

	if (size == 0)
		return NULL;
	D_ALIGNED_ALLOC(buf, BIO_DMA_PAGE_SZ, size);
	return buf;
}

void
bio_buf_free(void *buf)
{
	free(buf);
}
