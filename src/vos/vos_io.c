/**
 * Update, fetch and punch.
 *
 * Update: values below the inline threshold are copied into the heap inside the metadata
 * transaction; larger ones get blob blocks reserved (vea, DRAM only), are written to the blob
 * straight from the caller's buffers (all requests in flight together), made durable with one
 * fdatasync (or, on a pre-written blob, only pushed to the device, the commit's log flush then
 * covering them: docs/vos.md "One flush per update on disk"), and only then does one umem
 * transaction insert every record and publish the reservations. A failure anywhere cancels the reservations and aborts the transaction, so an
 * update is all or nothing, also across a crash.
 */
#define D_LOGFAC DD_FAC(vos)

#include "vos_internal.h"

#define VOS_IO_STACK_VALS 8
/* larger values keep the page-cache write + blob fdatasync (the bounce copy would be huge) */
#define VOS_DIRECT_MAX (64ULL << 20)

/* ---------------- scatter/gather helpers ---------------- */

uint64_t
vos_sgl_bytes(d_sg_list_t *sgl, bool capacity)
{
	uint64_t n = 0;
	uint32_t i;

	for (i = 0; i < sgl->sg_nr; i++)
		n += capacity ? sgl->sg_iovs[i].iov_buf_len : sgl->sg_iovs[i].iov_len;
	return n;
}

/* Copy \a len bytes starting at byte \a off of the data of \a sgl into \a dst. */
void
vos_sgl_gather(d_sg_list_t *sgl, uint64_t off, void *dst, uint64_t len)
{
	uint32_t i;

	for (i = 0; i < sgl->sg_nr && len > 0; i++) {
		d_iov_t *iov = &sgl->sg_iovs[i];
		uint64_t n;

		if (off >= iov->iov_len) {
			off -= iov->iov_len;
			continue;
		}
		n = min(len, iov->iov_len - off);
		memcpy(dst, (char *)iov->iov_buf + off, n);
		dst = (char *)dst + n;
		len -= n;
		off = 0;
	}
}

/* Copy (or zero, \a src NULL) \a len bytes into the buffers of \a sgl at byte \a off. */
void
vos_sgl_scatter(d_sg_list_t *sgl, uint64_t off, const void *src, uint64_t len)
{
	uint32_t i;

	for (i = 0; i < sgl->sg_nr && len > 0; i++) {
		d_iov_t *iov = &sgl->sg_iovs[i];
		uint64_t n;

		if (off >= iov->iov_buf_len) {
			off -= iov->iov_buf_len;
			continue;
		}
		n = min(len, iov->iov_buf_len - off);
		if (src != NULL) {
			memcpy((char *)iov->iov_buf + off, src, n);
			src = (const char *)src + n;
		} else {
			memset((char *)iov->iov_buf + off, 0, n);
		}
		len -= n;
		off = 0;
	}
}

/* Set iov_len/sg_nr_out of a fetch sgl for \a total bytes filled. */
void
vos_sgl_set_out(d_sg_list_t *sgl, uint64_t total)
{
	uint32_t i;

	sgl->sg_nr_out = 0;
	for (i = 0; i < sgl->sg_nr; i++) {
		d_iov_t *iov = &sgl->sg_iovs[i];

		iov->iov_len = min(total, (uint64_t)iov->iov_buf_len);
		total -= iov->iov_len;
		if (iov->iov_len > 0)
			sgl->sg_nr_out = i + 1;
	}
}

/* ---------------- blob I/O ---------------- */

/*
 * Point \a io's sgl at bytes [off, off + len) of \a sgl (data lengths for writes, buffer
 * capacities for reads). One vector: no allocation.
 */
int
vos_bio_view(struct vos_bio_io *io, d_sg_list_t *sgl, uint64_t off, uint64_t len, bool read)
{
	uint32_t i, first = 0, nr = 0;
	uint64_t skip = 0, o = off, l = len;

	for (i = 0; i < sgl->sg_nr && l > 0; i++) {
		d_iov_t *iov = &sgl->sg_iovs[i];
		uint64_t ilen = read ? iov->iov_buf_len : iov->iov_len;
		uint64_t n;

		if (o >= ilen) {
			o -= ilen;
			continue;
		}
		if (nr == 0) {
			first = i;
			skip = o;
		}
		n = min(l, ilen - o);
		l -= n;
		o = 0;
		nr++;
	}
	if (l > 0 || nr == 0)
		return -DER_INVAL;
	io->bi_sgl.sg_nr = nr;
	io->bi_sgl.sg_nr_out = 0;
	if (nr == 1) {
		d_iov_set(&io->bi_iov, (char *)sgl->sg_iovs[first].iov_buf + skip, len);
		io->bi_sgl.sg_iovs = &io->bi_iov;
		return 0;
	}
	D_ALLOC_ARRAY(io->bi_iovs, nr);
	if (io->bi_iovs == NULL)
		return -DER_NOMEM;
	l = len;
	for (i = 0; i < nr; i++) {
		d_iov_t *iov = &sgl->sg_iovs[first + i];
		uint64_t ilen = (read ? iov->iov_buf_len : iov->iov_len) - (i == 0 ? skip : 0);
		uint64_t n = min(l, ilen);

		d_iov_set(&io->bi_iovs[i], (char *)iov->iov_buf + (i == 0 ? skip : 0), n);
		l -= n;
	}
	io->bi_sgl.sg_iovs = io->bi_iovs;
	return 0;
}

void
vos_bio_fini(struct vos_bio_io *ios, int nr)
{
	int i;

	for (i = 0; i < nr; i++)
		D_FREE(ios[i].bi_iovs);
}

struct bio_wait {
	int bw_pending;
	ult_eventual_t bw_ev;
};

static void
bio_wait_cb(struct bio_req *req, void *arg)
{
	struct bio_wait *bw = arg;

	if (--bw->bw_pending == 0 && bw->bw_ev != NULL)
		ult_eventual_set(bw->bw_ev, NULL, 0);
}

/*
 * Submit \a nr requests and wait for all of them; the first error is returned. A ULT on the
 * xstream whose poller reaps the ring parks on an eventual; other ULTs poll and yield; plain
 * threads block in the ring.
 */
int
vos_bio_run(struct vos_pool *pool, struct vos_bio_io *ios, int nr, enum bio_op op)
{
	struct bio_wait bw = {0};
	bool park = pool->vp_poller != NULL && ult_self() != NULL;
	int i, rc = 0, submitted = 0;

	/* a blob in memory is mapped: a memcpy each, no ring, no wait */
	if (bio_blob_mapped(pool->vp_blob)) {
		for (i = 0; i < nr && rc == 0; i++) {
			struct bio_blob *blob = ios[i].bi_req.br_blob;

			/* a request for another descriptor (O_DIRECT, disks only) takes the ring */
			if (blob != NULL && blob != pool->vp_blob)
				break;
			rc = bio_blob_copy(pool->vp_blob, op, ios[i].bi_req.br_off, &ios[i].bi_sgl);
		}
		if (rc != 0 || i == nr)
			return rc;
		ios += i;
		nr -= i;
	}
	if (park && ult_eventual_create(0, &bw.bw_ev) != 0)
		park = false;
	for (i = 0; i < nr; i++) {
		if (ios[i].bi_req.br_blob == NULL)
			ios[i].bi_req.br_blob = pool->vp_blob;
		ios[i].bi_req.br_op = op;
		ios[i].bi_req.br_sgl = &ios[i].bi_sgl;
		ios[i].bi_req.br_cb = bio_wait_cb;
		ios[i].bi_req.br_cb_arg = &bw;
		bw.bw_pending++;
		rc = bio_req_submit(pool->vp_ring, &ios[i].bi_req);
		if (rc != 0) {
			bw.bw_pending--;
			break;
		}
		submitted++;
	}
	/* small buffered requests completed at submit: reap them here rather than park */
	if (park && bw.bw_pending > 0)
		bio_ring_poll(pool->vp_ring);
	if (park) {
		if (bw.bw_pending > 0)
			ult_eventual_wait(bw.bw_ev, NULL);
		ult_eventual_free(&bw.bw_ev);
	}
	while (bw.bw_pending > 0) {
		if (ult_self() != NULL) {
			bio_ring_poll(pool->vp_ring);
			if (bw.bw_pending > 0)
				ult_yield();
		} else {
			bio_ring_wait_any(pool->vp_ring);
		}
	}
	for (i = 0; i < submitted && rc == 0; i++)
		rc = ios[i].bi_req.br_rc;
	return rc;
}

/*
 * Read without yielding: for callers inside a umem transaction, where another ULT of the
 * xstream must not run (its transaction would nest into ours).
 */
static int
data_read_noyield(struct vos_pool *pool, bio_addr_t *addr, uint64_t off, void *buf, size_t len)
{
	if (addr->ba_type == DAOS_MEDIA_SCM) {
		memcpy(buf, (char *)umem_off2ptr(&pool->vp_umm, addr->ba_off) + off, len);
		return 0;
	}
	if (pool->vp_blob == NULL)
		return -DER_IO;
	return bio_read(pool->vp_ring, pool->vp_blob, addr->ba_off + off, buf, len);
}

int
vos_data_read(struct vos_pool *pool, bio_addr_t *addr, uint64_t off, void *buf, size_t len)
{
	struct vos_bio_io io = {0};

	if (addr->ba_type == DAOS_MEDIA_SCM) {
		memcpy(buf, (char *)umem_off2ptr(&pool->vp_umm, addr->ba_off) + off, len);
		return 0;
	}
	if (pool->vp_blob == NULL)
		return -DER_IO;
	d_iov_set(&io.bi_iov, buf, len);
	io.bi_sgl.sg_nr = 1;
	io.bi_sgl.sg_iovs = &io.bi_iov;
	io.bi_req.br_off = addr->ba_off + off;
	return vos_bio_run(pool, &io, 1, BIO_OP_READ);
}

/* ---------------- checksums ---------------- */

int
vos_csum_sgl(uint16_t type, d_sg_list_t *sgl, uint64_t off, uint64_t len, uint8_t *out)
{
	char stackbuf[4096];
	char *buf = stackbuf;
	int rc;

	if (len > sizeof(stackbuf)) {
		D_ALLOC_NZ(buf, len);
		if (buf == NULL)
			return -DER_NOMEM;
	}
	vos_sgl_gather(sgl, off, buf, len);
	rc = vos_csum_compute(type, buf, len, out);
	if (buf != stackbuf)
		D_FREE(buf);
	return rc;
}

/* ---------------- update ---------------- */

struct vos_io_val {
	uint32_t iv_iod;
	uint32_t iv_recx;
	uint64_t iv_size;
	uint64_t iv_sgl_off;
	/* blob byte offset, or UINT64_MAX for inline */
	uint64_t iv_blob_off;
	/* blob value carried in the heap log as redo: written to the blob, not synced */
	bool iv_logged;
	/*
	 * written to the device (writeback or O_DIRECT) but not flushed: the commit's log flush
	 * makes it durable; its CRC32C iv_csum goes in the log record for replay to check
	 */
	bool iv_checked;
	uint32_t iv_csum;
};

struct vos_update_ctx {
	struct vos_container *uc_cont;
	struct vos_pool *uc_pool;
	daos_unit_oid_t uc_oid;
	daos_epoch_t uc_epoch;
	uint32_t uc_pm_ver;
	uint64_t uc_flags;
	daos_key_t *uc_dkey;
	unsigned int uc_iod_nr;
	daos_iod_t *uc_iods;
	struct dcs_iod_csums *uc_csums;
	d_sg_list_t *uc_sgls;
	struct vos_io_val *uc_vals;
	int uc_val_nr;
	d_list_t uc_rsrvd;
	/* reservations of values found to be replays: never published */
	d_list_t uc_unused;
	uint64_t uc_used;
	/* blob values were written and fdatasync'ed before the transaction */
	bool uc_blob_synced;
};

static int
update_validate(struct vos_update_ctx *uc)
{
	unsigned int i, j;

	if (uc->uc_dkey == NULL || uc->uc_dkey->iov_buf == NULL || uc->uc_dkey->iov_len == 0)
		return -DER_INVAL;
	if (daos_is_dkey_uint64(uc->uc_oid.id_pub) && uc->uc_dkey->iov_len != sizeof(uint64_t))
		return -DER_INVAL;
	if (uc->uc_epoch == 0 || uc->uc_epoch == DAOS_EPOCH_MAX)
		return -DER_INVAL;
	if (uc->uc_iod_nr == 0 || uc->uc_iods == NULL)
		return -DER_INVAL;
	for (i = 0; i < uc->uc_iod_nr; i++) {
		daos_iod_t *iod = &uc->uc_iods[i];
		uint64_t need = 0;

		if (iod->iod_name.iov_buf == NULL || iod->iod_name.iov_len == 0)
			return -DER_INVAL;
		if (daos_is_akey_uint64(uc->uc_oid.id_pub) &&
		    iod->iod_name.iov_len != sizeof(uint64_t))
			return -DER_INVAL;
		if (iod->iod_type == DAOS_IOD_SINGLE) {
			need = iod->iod_size;
		} else if (iod->iod_type == DAOS_IOD_ARRAY) {
			if (iod->iod_nr == 0 || iod->iod_recxs == NULL)
				return -DER_INVAL;
			if (iod->iod_size > UINT32_MAX)
				return -DER_REC2BIG;
			for (j = 0; j < iod->iod_nr; j++) {
				daos_recx_t *rx = &iod->iod_recxs[j];

				if (rx->rx_nr == 0 || rx->rx_idx + rx->rx_nr < rx->rx_idx)
					return -DER_INVAL;
				need += rx->rx_nr * iod->iod_size;
			}
		} else {
			return -DER_INVAL;
		}
		if (need > 0 &&
		    (uc->uc_sgls == NULL || vos_sgl_bytes(&uc->uc_sgls[i], false) < need))
			return -DER_INVAL;
	}
	return 0;
}

/* Decide where every value goes; reserve blob blocks for the big ones. */
static int
update_place(struct vos_update_ctx *uc)
{
	struct vos_pool *pool = uc->uc_pool;
	unsigned int i, j;
	int nr = 0, rc;

	for (i = 0; i < uc->uc_iod_nr; i++) {
		daos_iod_t *iod = &uc->uc_iods[i];
		uint64_t off = 0;

		if (iod->iod_type == DAOS_IOD_SINGLE) {
			struct vos_io_val *v = &uc->uc_vals[nr++];

			v->iv_iod = i;
			v->iv_recx = 0;
			v->iv_size = iod->iod_size;
			v->iv_sgl_off = 0;
			v->iv_blob_off = UINT64_MAX;
			v->iv_checked = false;
			continue;
		}
		for (j = 0; j < iod->iod_nr; j++) {
			struct vos_io_val *v = &uc->uc_vals[nr++];

			v->iv_iod = i;
			v->iv_recx = j;
			v->iv_size = iod->iod_recxs[j].rx_nr * iod->iod_size;
			v->iv_sgl_off = off;
			v->iv_blob_off = UINT64_MAX;
			v->iv_checked = false;
			off += v->iv_size;
		}
	}
	uc->uc_val_nr = nr;
	if (pool->vp_vsi == NULL)
		return 0;
	for (i = 0; i < (unsigned int)nr; i++) {
		struct vos_io_val *v = &uc->uc_vals[i];
		struct vea_resrvd_ext *ext;
		uint64_t blks;

		if (v->iv_size == 0 || v->iv_size < pool->vp_inline_thresh)
			continue;
		blks = (v->iv_size + VOS_BLK_SZ - 1) / VOS_BLK_SZ;
		if (blks > UINT32_MAX)
			return -DER_REC2BIG;
		rc = vea_reserve(pool->vp_vsi, (uint32_t)blks, pool->vp_hint, &uc->uc_rsrvd);
		if (rc != 0)
			return rc;
		ext = d_list_entry(uc->uc_rsrvd.prev, struct vea_resrvd_ext, vre_link);
		v->iv_blob_off = ext->vre_blk_off * VOS_BLK_SZ;
	}
	return 0;
}

/* An aligned buffer of \a len bytes for O_DIRECT writes: the pool's spare one if it fits. */
static void *
bounce_get(struct vos_pool *pool, size_t len)
{
	void *buf;

	if (pool->vp_bounce != NULL && pool->vp_bounce_sz >= len) {
		buf = pool->vp_bounce;
		pool->vp_bounce = NULL;
		return buf;
	}
	return bio_buf_alloc(len);
}

static void
bounce_put(struct vos_pool *pool, void *buf, size_t len)
{
	/* keep one (up to 8 MiB): another ULT of the xstream may hold one meanwhile */
	if (buf != NULL && pool->vp_bounce == NULL && len <= (8 << 20)) {
		pool->vp_bounce = buf;
		pool->vp_bounce_sz = len;
	} else if (buf != NULL && pool->vp_bounce != buf) {
		bio_buf_free(buf);
	}
}

/*
 * A value that does not travel in the log goes through the O_DIRECT blob when there is one:
 * copied to an aligned buffer (padded with zeros to whole blocks) and checksummed, no
 * fdatasync; the commit's log record carries the checksum (update_log_blob).
 */
static void
update_view_checked(struct vos_update_ctx *uc, struct vos_io_val *v, struct vos_bio_io *io,
		    char *buf)
{
	uint64_t padded = D_ALIGNUP(v->iv_size, (uint64_t)VOS_BLK_SZ);

	vos_sgl_gather(&uc->uc_sgls[v->iv_iod], v->iv_sgl_off, buf, v->iv_size);
	memset(buf + v->iv_size, 0, padded - v->iv_size);
	v->iv_csum = umem_crc32c(0, buf, v->iv_size);
	v->iv_checked = true;
	d_iov_set(&io->bi_iov, buf, padded);
	io->bi_sgl.sg_iovs = &io->bi_iov;
	io->bi_sgl.sg_nr = 1;
	io->bi_req.br_blob = uc->uc_pool->vp_dblob;
}

/*
 * A pre-written blob's pages are not in the page cache: a write ending inside a page would
 * make the kernel read that page from the device first. The rest of the last block belongs
 * to the value's extent, so the write runs on with zeros to the block end.
 */
static const char vos_zero_blk[VOS_BLK_SZ];

static int
view_pad(struct vos_bio_io *io, uint64_t len)
{
	uint64_t pad = D_ALIGNUP(len, (uint64_t)VOS_BLK_SZ) - len;
	uint32_t nr = io->bi_sgl.sg_nr;
	d_iov_t *iovs;

	if (pad == 0)
		return 0;
	D_ALLOC_ARRAY(iovs, nr + 1);
	if (iovs == NULL)
		return -DER_NOMEM;
	memcpy(iovs, io->bi_sgl.sg_iovs, nr * sizeof(*iovs));
	d_iov_set(&iovs[nr], (void *)vos_zero_blk, pad);
	D_FREE(io->bi_iovs);
	io->bi_iovs = iovs;
	io->bi_sgl.sg_iovs = iovs;
	io->bi_sgl.sg_nr = nr + 1;
	return 0;
}

static uint32_t
sgl_crc(d_sg_list_t *sgl)
{
	uint32_t crc = 0, i;

	for (i = 0; i < sgl->sg_nr; i++)
		crc = umem_crc32c(crc, sgl->sg_iovs[i].iov_buf, sgl->sg_iovs[i].iov_len);
	return crc;
}

/* Write the blob values from the caller's buffers and make them durable. */
static int
update_write_blob(struct vos_update_ctx *uc)
{
	struct vos_bio_io stack_ios[VOS_IO_STACK_VALS];
	struct vos_bio_io *ios = stack_ios;
	struct vos_pool *pool = uc->uc_pool;
	uint64_t bounce_sz = 0, boff = 0;
	char *bounce = NULL;
	bool direct = false;
	int i, nr = 0, rc = 0;

	for (i = 0; i < uc->uc_val_nr; i++) {
		struct vos_io_val *v = &uc->uc_vals[i];

		if (v->iv_blob_off == UINT64_MAX)
			continue;
		nr++;
		if (pool->vp_dblob != NULL && v->iv_size > pool->vp_wal_data_max &&
		    v->iv_size <= VOS_DIRECT_MAX)
			bounce_sz += D_ALIGNUP(v->iv_size, (uint64_t)VOS_BLK_SZ);
	}
	if (nr == 0)
		return 0;
	if (bounce_sz > 0) {
		bounce = bounce_get(pool, bounce_sz);
		if (bounce == NULL)
			return -DER_NOMEM;
	}
	if (nr > VOS_IO_STACK_VALS) {
		D_ALLOC_ARRAY(ios, nr);
		if (ios == NULL) {
			bounce_put(pool, bounce, bounce_sz);
			return -DER_NOMEM;
		}
	} else {
		memset(ios, 0, nr * sizeof(*ios));
	}
	nr = 0;
	for (i = 0; i < uc->uc_val_nr && rc == 0; i++) {
		struct vos_io_val *v = &uc->uc_vals[i];

		if (v->iv_blob_off == UINT64_MAX)
			continue;
		v->iv_logged = v->iv_size <= pool->vp_wal_data_max;
		if (!v->iv_logged && bounce != NULL && v->iv_size <= VOS_DIRECT_MAX) {
			update_view_checked(uc, v, &ios[nr], bounce + boff);
			boff += D_ALIGNUP(v->iv_size, (uint64_t)VOS_BLK_SZ);
		} else {
			rc = vos_bio_view(&ios[nr], &uc->uc_sgls[v->iv_iod], v->iv_sgl_off,
					  v->iv_size, false);
			if (rc == 0 && !v->iv_logged && pool->vp_blob_wb &&
			    v->iv_size <= UINT32_MAX) {
				v->iv_csum = sgl_crc(&ios[nr].bi_sgl);
				v->iv_checked = true;
			} else if (!v->iv_logged) {
				direct = true;
			}
			if (rc == 0 && bio_blob_written(pool->vp_blob) > 0)
				rc = view_pad(&ios[nr], v->iv_size);
		}
		ios[nr].bi_req.br_off = v->iv_blob_off;
		nr++;
	}
	if (rc == 0)
		rc = vos_bio_run(uc->uc_pool, ios, nr, BIO_OP_WRITE);
	/* on the device, not yet durable: the commit's log flush covers them */
	for (i = 0; rc == 0 && pool->vp_blob_wb && i < uc->uc_val_nr; i++)
		if (uc->uc_vals[i].iv_checked)
			rc = bio_blob_writeback(pool->vp_blob, uc->uc_vals[i].iv_blob_off,
						uc->uc_vals[i].iv_size);
	/*
	 * Values carried in the log need no fdatasync here: the commit makes them durable and a
	 * checkpoint syncs the blob before trimming the log. One large value costs the sync
	 * anyway, which then covers every value of the update (the record says so).
	 */
	if (rc == 0 && direct && uc->uc_pool->vp_blob_flush) {
		rc = bio_blob_flush(uc->uc_pool->vp_blob);
		uc->uc_blob_synced = rc == 0;
	}
	vos_bio_fini(ios, nr);
	if (ios != stack_ios)
		D_FREE(ios);
	bounce_put(pool, bounce, bounce_sz);
	return rc;
}

/* Inside the transaction: put the logged blob values into its redo record. */
static int
update_log_blob(struct vos_update_ctx *uc)
{
	struct umem_instance *umm = &uc->uc_pool->vp_umm;
	int i, rc = 0;

	for (i = 0; i < uc->uc_val_nr && rc == 0; i++) {
		struct vos_io_val *v = &uc->uc_vals[i];
		struct vos_bio_io io = {0};
		uint64_t off = v->iv_blob_off;
		uint32_t k;

		if (v->iv_blob_off != UINT64_MAX && v->iv_checked) {
			rc = umem_tx_add_ext_checked(umm, off, (uint32_t)v->iv_size, v->iv_csum);
			continue;
		}
		if (v->iv_blob_off == UINT64_MAX || !v->iv_logged)
			continue;
		rc = vos_bio_view(&io, &uc->uc_sgls[v->iv_iod], v->iv_sgl_off, v->iv_size, false);
		for (k = 0; rc == 0 && k < io.bi_sgl.sg_nr; k++) {
			d_iov_t *iov = &io.bi_sgl.sg_iovs[k];

			rc = umem_tx_add_ext(umm, off, iov->iov_buf, (uint32_t)iov->iov_len);
			off += iov->iov_len;
		}
		vos_bio_fini(&io, 1);
	}
	if (rc == 0 && uc->uc_blob_synced)
		rc = umem_tx_ext_synced(umm);
	return rc;
}

/* A replayed value is not stored again: its blob reservation must not be published. */
static void
update_unreserve(struct vos_update_ctx *uc, struct vos_io_val *v)
{
	struct vea_resrvd_ext *ext;

	if (v->iv_blob_off == UINT64_MAX)
		return;
	d_list_for_each_entry(ext, &uc->uc_rsrvd, vre_link)
	{
		if (ext->vre_blk_off * VOS_BLK_SZ == v->iv_blob_off) {
			d_list_move_tail(&ext->vre_link, &uc->uc_unused);
			return;
		}
	}
}

/* Is a value already stored identical to the one being written (a replayed request)? */
static int
same_bytes(struct vos_pool *pool, bio_addr_t *addr, d_sg_list_t *sgl, uint64_t sgl_off,
	   uint64_t len)
{
	char *a = NULL, *b = NULL;
	int rc;

	if (len == 0)
		return 1;
	D_ALLOC_NZ(a, len);
	D_ALLOC_NZ(b, len);
	if (a == NULL || b == NULL)
		D_GOTO(out, rc = -DER_NOMEM);
	rc = data_read_noyield(pool, addr, 0, a, len);
	if (rc != 0)
		goto out;
	vos_sgl_gather(sgl, sgl_off, b, len);
	rc = memcmp(a, b, len) == 0;
out:
	D_FREE(a);
	D_FREE(b);
	return rc;
}

static uint16_t
update_csum_type(struct vos_update_ctx *uc, unsigned int iod, uint32_t *chunk)
{
	struct vos_cont_df *cd = uc->uc_cont->vc_df;

	if (uc->uc_csums != NULL && uc->uc_csums[iod].ic_data != NULL &&
	    vos_csum_len(uc->uc_csums[iod].ic_data[0].cs_type) > 0) {
		*chunk = uc->uc_csums[iod].ic_data[0].cs_chunksize;
		if (*chunk == 0)
			*chunk = cd->cd_csum_chunk ? cd->cd_csum_chunk : VOS_CSUM_CHUNK_DEFAULT;
		return uc->uc_csums[iod].ic_data[0].cs_type;
	}
	*chunk = cd->cd_csum_chunk;
	return cd->cd_csum_type;
}

/* Compare our checksum with the caller's, if any. */
static int
csum_check_caller(struct vos_update_ctx *uc, unsigned int iod, unsigned int recx,
		  const uint8_t *ours, uint32_t nr, int len)
{
	struct dcs_csum_info *ci;

	if (uc->uc_csums == NULL || uc->uc_csums[iod].ic_data == NULL ||
	    recx >= uc->uc_csums[iod].ic_nr)
		return 0;
	ci = &uc->uc_csums[iod].ic_data[recx];
	if (ci->cs_csum == NULL || ci->cs_nr == 0)
		return 0;
	if (ci->cs_nr != nr || ci->cs_len != len || memcmp(ci->cs_csum, ours, nr * len) != 0) {
		D_ERROR("checksum of the data differs from the caller's\n");
		return -DER_CSUM;
	}
	return 0;
}

/* Same epoch as the stored version \a irec: a replay if the bytes are the same. */
static int
sv_replay(struct vos_update_ctx *uc, struct vos_irec_df *irec, struct vos_io_val *v)
{
	int rc;

	rc = irec->ir_size == v->iv_size ? same_bytes(uc->uc_pool, &irec->ir_addr,
						      &uc->uc_sgls[v->iv_iod], 0, v->iv_size)
					 : 0;
	if (rc >= 0)
		rc = rc ? 0 : -DER_TX_RESTART;
	if (rc == 0)
		update_unreserve(uc, v);
	return rc;
}

/*
 * Fill the version record of \a v at the update's epoch: in \a embed (an akey's kr_btr, in the
 * transaction already) when it can live there (*offp = UMOFF_NULL), else in a new allocation.
 */
static int
sv_irec_new(struct vos_update_ctx *uc, struct vos_io_val *v, struct vos_irec_df *embed,
	    umem_off_t *offp)
{
	struct umem_instance *umm = &uc->uc_pool->vp_umm;
	d_sg_list_t *sgl = &uc->uc_sgls[v->iv_iod];
	struct vos_irec_df *irec;
	uint32_t chunk;
	uint16_t cs_type = update_csum_type(uc, v->iv_iod, &chunk);
	int cs_len = cs_type ? vos_csum_len(cs_type) : 0;
	bool inl = v->iv_blob_off == UINT64_MAX;
	umem_off_t off;
	bool split;
	int rc;

	/* a large inline value in the record would spill the header into one more page */
	split = inl && v->iv_size >= VOS_IREC_SPLIT;
	if (embed != NULL && cs_len == 0 && (!inl || split)) {
		off = UMOFF_NULL;
		irec = embed;
	} else {
		off = umem_alloc(umm, sizeof(*irec) + cs_len + (inl && !split ? v->iv_size : 0));
		if (UMOFF_IS_NULL(off))
			return -DER_NOSPACE;
		irec = umem_off2ptr(umm, off);
	}
	memset(irec, 0, sizeof(*irec));
	irec->ir_epoch = uc->uc_epoch;
	irec->ir_size = v->iv_size;
	irec->ir_ver = uc->uc_pm_ver;
	irec->ir_cs_len = cs_len;
	if (split) {
		umem_off_t data = umem_alloc(umm, v->iv_size);

		/* the transaction aborts on error: nothing to undo */
		if (UMOFF_IS_NULL(data))
			return -DER_NOSPACE;
		bio_addr_set(&irec->ir_addr, DAOS_MEDIA_SCM, data);
		vos_sgl_gather(sgl, 0, vos_irec_data(umm, irec), v->iv_size);
	} else if (inl) {
		/* the address is that of the data, inside the record */
		bio_addr_set(&irec->ir_addr, DAOS_MEDIA_SCM, off + sizeof(*irec) + cs_len);
		vos_sgl_gather(sgl, 0, vos_irec_data(umm, irec), v->iv_size);
	} else {
		bio_addr_set(&irec->ir_addr, DAOS_MEDIA_NVME, v->iv_blob_off);
	}
	if (cs_len > 0) {
		irec->ir_cs_type = cs_type;
		rc = inl ? vos_csum_compute(cs_type, vos_irec_data(umm, irec), v->iv_size,
					    (uint8_t *)irec->ir_body)
			 : vos_csum_sgl(cs_type, sgl, 0, v->iv_size, (uint8_t *)irec->ir_body);
		if (rc == 0)
			rc = csum_check_caller(uc, v->iv_iod, 0, (uint8_t *)irec->ir_body, 1,
					       cs_len);
		if (rc != 0)
			return rc;
	}
	*offp = off;
	return 0;
}

/*
 * Turn the lone version of a KREC_BF_SV1 akey into a tree of one record; a version kept inside
 * the record (KREC_BF_SVI) first moves to an allocation of its own.
 */
static int
sv1_promote(struct vos_pool *pool, struct vos_krec_df *akrec, daos_handle_t *toh)
{
	struct umem_instance *umm = &pool->vp_umm;
	struct vos_irec_df *irec = vos_sv1_irec(umm, akrec);
	struct vos_sv_key skey = {.sk_epoch = irec->ir_epoch, .sk_minor = irec->ir_minor};
	umem_off_t off = akrec->kr_sv1;
	d_iov_t key, val;
	int rc;

	rc = umem_tx_add_ptr(umm, akrec, vos_krec_hdr_size(akrec->kr_bmap));
	if (rc != 0)
		return rc;
	if (akrec->kr_bmap & KREC_BF_SVI) {
		off = umem_alloc(umm, sizeof(*irec));
		if (UMOFF_IS_NULL(off))
			return -DER_NOSPACE;
		memcpy(umem_off2ptr(umm, off), irec, sizeof(*irec));
	}
	akrec->kr_bmap &= ~(KREC_BF_SV1 | KREC_BF_SVI);
	memset(&akrec->kr_btr, 0, sizeof(akrec->kr_btr));
	rc = vos_sv_tree_open(pool, akrec, true, toh);
	if (rc != 0)
		return rc;
	d_iov_set(&key, &skey, sizeof(skey));
	d_iov_set(&val, &off, sizeof(off));
	rc = dbtree_upsert(*toh, BTR_PROBE_EQ, DAOS_INTENT_UPDATE, &key, &val, NULL);
	if (rc != 0)
		dbtree_close(*toh);
	return rc;
}

static int
update_sv(struct vos_update_ctx *uc, struct vos_krec_df *akrec, struct vos_io_val *v)
{
	struct vos_pool *pool = uc->uc_pool;
	struct umem_instance *umm = &pool->vp_umm;
	struct vos_sv_key skey = {.sk_epoch = uc->uc_epoch, .sk_minor = 0};
	daos_handle_t toh;
	d_iov_t key, val;
	umem_off_t off;
	int rc;

	if (akrec->kr_bmap & KREC_BF_SV1) {
		struct vos_irec_df *irec = vos_sv1_irec(umm, akrec);

		if (irec->ir_epoch == skey.sk_epoch && irec->ir_minor == skey.sk_minor)
			return sv_replay(uc, irec, v);
		rc = sv1_promote(pool, akrec, &toh);
		if (rc != 0)
			return rc;
	} else if (akrec->kr_btr.tr_class == 0) {
		/* first version: no tree until a second one comes, in the record if it fits */
		rc = umem_tx_add_ptr(umm, akrec, vos_krec_hdr_size(akrec->kr_bmap));
		if (rc != 0)
			return rc;
		memset(&akrec->kr_btr, 0, sizeof(akrec->kr_btr));
		rc = sv_irec_new(uc, v, (struct vos_irec_df *)&akrec->kr_btr, &off);
		if (rc != 0)
			return rc;
		if (UMOFF_IS_NULL(off)) {
			akrec->kr_bmap |= KREC_BF_SV1 | KREC_BF_SVI;
		} else {
			memset(&akrec->kr_btr, 0, sizeof(akrec->kr_btr));
			akrec->kr_sv1 = off;
			akrec->kr_bmap |= KREC_BF_SV1;
		}
		uc->uc_used += v->iv_size;
		return 0;
	} else {
		rc = vos_sv_tree_open(pool, akrec, true, &toh);
		if (rc != 0)
			return rc;
	}
	d_iov_set(&key, &skey, sizeof(skey));
	d_iov_set(&val, NULL, 0);
	rc = dbtree_lookup(toh, &key, &val);
	if (rc == 0) {
		rc = sv_replay(uc, val.iov_buf, v);
		goto out;
	}
	if (rc != -DER_NONEXIST)
		goto out;
	rc = sv_irec_new(uc, v, NULL, &off);
	if (rc != 0)
		goto out;
	d_iov_set(&val, &off, sizeof(off));
	rc = dbtree_upsert(toh, BTR_PROBE_BYPASS, DAOS_INTENT_UPDATE, &key, &val, NULL);
	uc->uc_used += v->iv_size;
out:
	dbtree_close(toh);
	return rc;
}

static int
array_csums(struct vos_update_ctx *uc, struct vos_io_val *v, daos_recx_t *rx, uint32_t rsize,
	    struct dcs_csum_info *ci, const void *inl_data)
{
	uint32_t chunk;
	uint16_t type = update_csum_type(uc, v->iv_iod, &chunk);
	uint64_t lo, hi, c, first, last;
	int len, rc;

	memset(ci, 0, sizeof(*ci));
	if (type == 0 || v->iv_size == 0)
		return 0;
	if (chunk < rsize)
		chunk = rsize;
	lo = rx->rx_idx * rsize;
	hi = lo + v->iv_size; /* exclusive */
	rc = vos_csum_info_alloc(ci, type, chunk, lo, hi);
	if (rc != 0)
		return rc;
	len = ci->cs_len;
	first = lo / chunk;
	last = (hi - 1) / chunk;
	for (c = first; c <= last && rc == 0; c++) {
		uint64_t s = max(lo, c * chunk), e = min(hi, (c + 1) * chunk);

		if (inl_data != NULL)
			rc = vos_csum_compute(type, (const char *)inl_data + (s - lo), e - s,
					      ci->cs_csum + (c - first) * len);
		else
			rc = vos_csum_sgl(type, &uc->uc_sgls[v->iv_iod], v->iv_sgl_off + (s - lo),
					  e - s, ci->cs_csum + (c - first) * len);
	}
	if (rc == 0)
		rc = csum_check_caller(uc, v->iv_iod, v->iv_recx, ci->cs_csum, ci->cs_nr, len);
	return rc;
}

static int
update_array(struct vos_update_ctx *uc, struct vos_krec_df *akrec, int first, int nr)
{
	struct vos_pool *pool = uc->uc_pool;
	struct umem_instance *umm = &pool->vp_umm;
	daos_iod_t *iod = &uc->uc_iods[uc->uc_vals[first].iv_iod];
	daos_handle_t toh;
	int i, rc;

	rc = vos_array_open(pool, akrec, true, &toh);
	if (rc != 0)
		return rc;
	for (i = first; i < first + nr && rc == 0; i++) {
		struct vos_io_val *v = &uc->uc_vals[i];
		daos_recx_t *rx = &iod->iod_recxs[v->iv_recx];
		struct evt_entry_in ent;
		umem_off_t data = UMOFF_NULL;

		memset(&ent, 0, sizeof(ent));
		ent.ei_rect.rc_ex.ex_lo = rx->rx_idx;
		ent.ei_rect.rc_ex.ex_hi = rx->rx_idx + rx->rx_nr - 1;
		ent.ei_rect.rc_epc = uc->uc_epoch;
		ent.ei_ver = uc->uc_pm_ver;
		ent.ei_inob = iod->iod_size;
		if (v->iv_size == 0) {
			bio_addr_set_hole(&ent.ei_addr, 1);
		} else if (v->iv_blob_off == UINT64_MAX) {
			data = umem_alloc(umm, v->iv_size);
			if (UMOFF_IS_NULL(data)) {
				rc = -DER_NOSPACE;
				break;
			}
			vos_sgl_gather(&uc->uc_sgls[v->iv_iod], v->iv_sgl_off,
				       umem_off2ptr(umm, data), v->iv_size);
			bio_addr_set(&ent.ei_addr, DAOS_MEDIA_SCM, data);
		} else {
			bio_addr_set(&ent.ei_addr, DAOS_MEDIA_NVME, v->iv_blob_off);
		}
		rc = array_csums(uc, v, rx, iod->iod_size, &ent.ei_csum,
				 UMOFF_IS_NULL(data) ? NULL : umem_off2ptr(umm, data));
		if (rc == 0)
			rc = evt_insert(toh, &ent, NULL);
		D_FREE(ent.ei_csum.cs_csum);
		if (rc == -DER_EXIST) {
			/* the same extent at the same epoch: replay if the bytes match */
			struct evt_entry_array ea;
			struct evt_filter flt = {0};
			struct evt_entry *e;

			if (!UMOFF_IS_NULL(data))
				umem_free(umm, data);
			flt.fr_ex = ent.ei_rect.rc_ex;
			flt.fr_epr.epr_lo = uc->uc_epoch;
			flt.fr_epr.epr_hi = uc->uc_epoch;
			evt_ent_array_init(&ea, 0);
			rc = evt_find(toh, &flt, &ea);
			if (rc == 0) {
				e = evt_ent_array_get(&ea, 0);
				rc = -DER_TX_RESTART;
				if (e != NULL && ea.ea_ent_nr == 1 &&
				    bio_addr_is_hole(&e->en_addr) == (v->iv_size == 0) &&
				    (v->iv_size == 0 || ea.ea_inob == iod->iod_size)) {
					int same = same_bytes(pool, &e->en_addr,
							      &uc->uc_sgls[v->iv_iod],
							      v->iv_sgl_off, v->iv_size);

					rc = same < 0 ? same : (same ? 0 : -DER_TX_RESTART);
				}
			}
			evt_ent_array_fini(&ea);
			if (rc == 0)
				update_unreserve(uc, v);
			continue;
		}
		if (rc == -DER_VOS_PARTIAL_UPDATE)
			rc = -DER_TX_RESTART;
		if (rc == 0)
			uc->uc_used += v->iv_size;
	}
	evt_close(toh);
	return rc;
}

/* Evaluate a key for conditional flags: exists at the epoch under the parents' punches? */
static bool
key_exists(struct umem_instance *umm, struct vos_krec_df *krec, daos_epoch_t epoch,
	   daos_epoch_t bound, daos_epoch_t *new_bound)
{
	struct vos_ilog_info info;

	if (krec == NULL) {
		*new_bound = bound;
		return false;
	}
	vos_ilog_eval(umm, &krec->kr_ilog, epoch, bound, &info);
	*new_bound = info.ii_punch;
	return info.ii_exists;
}

static int
mark_latest(struct umem_instance *umm, daos_epoch_t *latest, daos_epoch_t epoch)
{
	int rc = 0;

	if (*latest < epoch) {
		rc = umem_tx_add_ptr(umm, latest, sizeof(*latest));
		if (rc == 0)
			*latest = epoch;
	}
	return rc;
}

static int
update_tx(struct vos_update_ctx *uc)
{
	struct vos_pool *pool = uc->uc_pool;
	struct umem_instance *umm = &pool->vp_umm;
	daos_handle_t dtoh = DAOS_HDL_INVAL;
	struct vos_akeys ak = {.ak_toh = DAOS_HDL_INVAL};
	struct vos_ilog_info oinfo;
	struct vos_krec_df *dkrec, *akrec;
	struct vos_obj_df *obj;
	daos_epoch_t dbound, abound;
	struct vos_oc_ent *oce;
	unsigned int i;
	bool created, keep = false;
	int v = 0, rc;

	oce = vos_oc_get(uc->uc_cont, uc->uc_oid);
	if (oce != NULL) {
		obj = oce->oe_obj;
		dtoh = oce->oe_toh;
	} else {
		rc = vos_obj_lookup(uc->uc_cont, uc->uc_oid, &obj);
		/* cache only what an abort of this transaction cannot take back */
		keep = rc == 0 && obj->vo_tree.tr_class != 0;
		if (rc == -DER_NONEXIST)
			rc = vos_obj_find_or_create(uc->uc_cont, uc->uc_oid, &obj);
		if (rc != 0)
			return rc;
	}
	vos_ilog_eval(umm, &obj->vo_ilog, uc->uc_epoch, 0, &oinfo);
	rc = vos_ilog_update(umm, &obj->vo_ilog, uc->uc_epoch, 0);
	if (rc == 0)
		rc = mark_latest(umm, &obj->vo_latest, uc->uc_epoch);
	if (rc == 0 && oce == NULL)
		rc = vos_obj_tree_open(uc->uc_cont, obj, uc->uc_oid, true, &dtoh);
	if (rc != 0)
		goto out;

	rc = vos_key_lookup(dtoh, uc->uc_dkey, &dkrec);
	if (rc != 0)
		goto out;
	if (key_exists(umm, dkrec, uc->uc_epoch, oinfo.ii_punch, &dbound)) {
		if (uc->uc_flags & DAOS_COND_DKEY_INSERT)
			D_GOTO(out, rc = -DER_EXIST);
	} else if (uc->uc_flags & DAOS_COND_DKEY_UPDATE) {
		D_GOTO(out, rc = -DER_NONEXIST);
	}
	rc = vos_key_find_or_create(pool, dtoh, uc->uc_dkey, KREC_BF_DKEY | KREC_BF_BTR, &dkrec,
				    &created);
	if (rc == 0)
		rc = vos_ilog_update(umm, &dkrec->kr_ilog, uc->uc_epoch, oinfo.ii_punch);
	if (rc == 0)
		rc = mark_latest(umm, &dkrec->kr_latest, uc->uc_epoch);
	if (rc == 0)
		rc = vos_akeys_open(uc->uc_cont, dkrec, uc->uc_oid, true, &ak);
	if (rc != 0)
		goto out;

	for (i = 0; i < uc->uc_iod_nr && rc == 0; i++) {
		daos_iod_t *iod = &uc->uc_iods[i];
		uint64_t cond = (uc->uc_flags & DAOS_COND_PER_AKEY) ? iod->iod_flags : uc->uc_flags;
		uint8_t bmap = iod->iod_type == DAOS_IOD_SINGLE ? KREC_BF_BTR : KREC_BF_EVT;
		int nr = iod->iod_type == DAOS_IOD_SINGLE ? 1 : iod->iod_nr;

		rc = vos_akeys_lookup(&ak, &iod->iod_name, &akrec);
		if (rc != 0)
			break;
		if (key_exists(umm, akrec, uc->uc_epoch, dbound, &abound)) {
			if (cond & DAOS_COND_AKEY_INSERT)
				D_GOTO(out, rc = -DER_EXIST);
		} else if (cond & DAOS_COND_AKEY_UPDATE) {
			D_GOTO(out, rc = -DER_NONEXIST);
		}
		rc = vos_akeys_find_or_create(&ak, &iod->iod_name, bmap, &akrec, &created);
		if (rc != 0)
			break;
		if ((akrec->kr_bmap & (KREC_BF_BTR | KREC_BF_EVT)) == 0) {
			/* made by a punch before any write: the first write decides the type */
			rc = umem_tx_add_ptr(umm, &akrec->kr_bmap, sizeof(akrec->kr_bmap));
			if (rc != 0)
				break;
			akrec->kr_bmap |= bmap;
		} else if (!(akrec->kr_bmap & bmap)) {
			D_ERROR("akey written as single value and array\n");
			D_GOTO(out, rc = -DER_INVAL);
		}
		rc = vos_ilog_update(umm, &akrec->kr_ilog, uc->uc_epoch, dbound);
		if (rc == 0)
			rc = mark_latest(umm, &akrec->kr_latest, uc->uc_epoch);
		if (rc != 0)
			break;
		if (iod->iod_type == DAOS_IOD_SINGLE)
			rc = update_sv(uc, akrec, &uc->uc_vals[v]);
		else
			rc = update_array(uc, akrec, v, nr);
		v += nr;
	}
	if (rc == 0 && uc->uc_used > 0) {
		rc = umem_tx_add_ptr(umm, &uc->uc_cont->vc_df->cd_used, sizeof(uint64_t));
		if (rc == 0)
			uc->uc_cont->vc_df->cd_used += uc->uc_used;
	}
out:
	vos_akeys_close(&ak);
	vos_oc_put(uc->uc_cont, oce, uc->uc_oid, obj, dtoh, keep);
	return rc;
}

static int
space_check(struct vos_pool *pool, uint64_t flags)
{
	struct umem_pool_stats st;

	if ((flags & VOS_OF_CRIT) || pool->vp_space_sys[DAOS_MEDIA_SCM] == 0)
		return 0;
	if (umem_pool_query(pool->vp_upool, &st) != 0)
		return 0;
	return st.ups_free <= pool->vp_space_sys[DAOS_MEDIA_SCM] ? -DER_NOSPACE : 0;
}

int
vos_obj_update_ex(daos_handle_t coh, daos_unit_oid_t oid, daos_epoch_t epoch, uint32_t pm_ver,
		  uint64_t flags, daos_key_t *dkey, unsigned int iod_nr, daos_iod_t *iods,
		  struct dcs_iod_csums *iods_csums, d_sg_list_t *sgls, struct dtx_handle *dth)
{
	struct vos_io_val stack_vals[VOS_IO_STACK_VALS];
	struct vos_update_ctx uc = {0};
	struct umem_instance *umm;
	unsigned int i;
	int nvals = 0, rc;

	uc.uc_cont = vos_hdl2cont(coh);
	if (uc.uc_cont == NULL)
		return -DER_NO_HDL;
	uc.uc_pool = uc.uc_cont->vc_pool;
	uc.uc_oid = oid;
	uc.uc_epoch = epoch;
	uc.uc_pm_ver = pm_ver;
	uc.uc_flags = flags;
	uc.uc_dkey = dkey;
	uc.uc_iod_nr = iod_nr;
	uc.uc_iods = iods;
	uc.uc_csums = iods_csums;
	uc.uc_sgls = sgls;
	D_INIT_LIST_HEAD(&uc.uc_rsrvd);
	D_INIT_LIST_HEAD(&uc.uc_unused);
	umm = &uc.uc_pool->vp_umm;

	rc = update_validate(&uc);
	if (rc != 0)
		return rc;
	/* below the aggregated epoch the history is gone: the caller retries at a newer epoch */
	if (epoch <= uc.uc_cont->vc_df->cd_hae)
		return -DER_TX_RESTART;
	rc = space_check(uc.uc_pool, flags);
	if (rc != 0)
		return rc;
	for (i = 0; i < iod_nr; i++)
		nvals += iods[i].iod_type == DAOS_IOD_SINGLE ? 1 : iods[i].iod_nr;
	uc.uc_vals = stack_vals;
	if (nvals > VOS_IO_STACK_VALS) {
		D_ALLOC_ARRAY(uc.uc_vals, nvals);
		if (uc.uc_vals == NULL)
			return -DER_NOMEM;
	}
	rc = update_place(&uc);
	if (rc == 0)
		rc = update_write_blob(&uc);
	if (rc != 0)
		goto cancel;

	rc = umem_tx_begin(umm, NULL);
	if (rc != 0)
		goto cancel;
	rc = update_tx(&uc);
	if (rc == 0 && !d_list_empty(&uc.uc_rsrvd))
		rc = update_log_blob(&uc);
	if (rc == 0 && !d_list_empty(&uc.uc_rsrvd))
		rc = vea_tx_publish(uc.uc_pool->vp_vsi, uc.uc_pool->vp_hint, &uc.uc_rsrvd);
	if (rc != 0) {
		rc = umem_tx_abort(umm, rc);
		goto cancel;
	}
	rc = umem_tx_commit(umm);
	if (rc == 0) {
		uc.uc_pool->vp_ops.vops_update++;
		uc.uc_pool->vp_ops.vops_update_bytes += vos_iods_bytes(iod_nr, iods);
	}
	goto out;
cancel:
	if (!d_list_empty(&uc.uc_rsrvd))
		vea_cancel(uc.uc_pool->vp_vsi, uc.uc_pool->vp_hint, &uc.uc_rsrvd);
out:
	if (!d_list_empty(&uc.uc_unused))
		vea_cancel(uc.uc_pool->vp_vsi, uc.uc_pool->vp_hint, &uc.uc_unused);
	if (uc.uc_vals != stack_vals)
		D_FREE(uc.uc_vals);
	if (rc != 0 && rc != -DER_EXIST && rc != -DER_NONEXIST && rc != -DER_TX_RESTART)
		D_DEBUG(DB_IO, "update failed: " DF_RC "\n", DP_RC(rc));
	return rc;
}

int
vos_obj_update(daos_handle_t coh, daos_unit_oid_t oid, daos_epoch_t epoch, uint32_t pm_ver,
	       uint64_t flags, daos_key_t *dkey, unsigned int iod_nr, daos_iod_t *iods,
	       struct dcs_iod_csums *iods_csums, d_sg_list_t *sgls)
{
	return vos_obj_update_ex(coh, oid, epoch, pm_ver, flags, dkey, iod_nr, iods, iods_csums,
				 sgls, NULL);
}
