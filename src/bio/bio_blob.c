/**
 * bio: data blob files.
 */
#define D_LOGFAC DD_FAC(bio)

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
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
	bool force_uring;
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
	*blobp = blob;
	return 0;
}

int
bio_blob_close(struct bio_blob *blob)
{
	int rc = 0;

	if (blob == NULL)
		return -DER_INVAL;
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
	if (err == 0 && fdatasync(blob->bb_fd) != 0)
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
