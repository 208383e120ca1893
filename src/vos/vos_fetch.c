/**
 * Fetch and punch. A fetch at epoch E walks object -> dkey -> akey, each visible if its
 * incarnation log has a create <= E newer than every punch <= E of itself and its parents
 * (the punch bound passed down). A single value is the newest version <= E above the bound;
 * an array is what evt_find returns at E above the bound, gaps and holes read as zeros.
 * Inline data is copied straight from the heap into the caller's buffers; blob data is read
 * with all requests of the fetch in flight together.
 */
#define D_LOGFAC DD_FAC(vos)

#include "vos_internal.h"

struct vos_fetch_ctx {
	struct vos_pool *fc_pool;
	daos_epoch_t fc_epoch;
	uint64_t fc_flags;
	/* blob reads queued for the end of the fetch (the first ones without malloc) */
	struct vos_bio_io fc_stack[4];
	struct vos_bio_io *fc_ios;
	int fc_io_nr;
	int fc_io_max;
	/* single values in the blob whose checksum is checked after the reads */
	struct {
		struct vos_irec_df *cv_irec;
		d_sg_list_t *cv_sgl;
	} * fc_csv;
	int fc_csv_nr;
};

static int
fetch_queue_read(struct vos_fetch_ctx *fc, d_sg_list_t *sgl, uint64_t sgl_off, uint64_t blob_off,
		 uint64_t len)
{
	struct vos_bio_io *io;
	int rc;

	if (fc->fc_pool->vp_blob == NULL)
		return -DER_IO;
	if (fc->fc_ios == NULL) {
		fc->fc_ios = fc->fc_stack;
		fc->fc_io_max = ARRAY_SIZE(fc->fc_stack);
	}
	if (fc->fc_io_nr == fc->fc_io_max) {
		int max = fc->fc_io_max * 2;
		struct vos_bio_io *ios;

		D_ALLOC_ARRAY(ios, max);
		if (ios == NULL)
			return -DER_NOMEM;
		memcpy(ios, fc->fc_ios, fc->fc_io_nr * sizeof(*ios));
		if (fc->fc_ios != fc->fc_stack)
			D_FREE(fc->fc_ios);
		fc->fc_ios = ios;
		fc->fc_io_max = max;
	}
	io = &fc->fc_ios[fc->fc_io_nr];
	memset(io, 0, sizeof(*io));
	rc = vos_bio_view(io, sgl, sgl_off, len, true);
	if (rc != 0)
		return rc;
	io->bi_req.br_off = blob_off;
	fc->fc_io_nr++;
	return 0;
}

static int
fetch_run_reads(struct vos_fetch_ctx *fc)
{
	int rc, i;

	if (fc->fc_io_nr == 0)
		return 0;
	/* views with one vector point at bi_iov, which moved if the array grew */
	for (i = 0; i < fc->fc_io_nr; i++)
		if (fc->fc_ios[i].bi_iovs == NULL)
			fc->fc_ios[i].bi_sgl.sg_iovs = &fc->fc_ios[i].bi_iov;
	rc = vos_bio_run(fc->fc_pool, fc->fc_ios, fc->fc_io_nr, BIO_OP_READ);
	vos_bio_fini(fc->fc_ios, fc->fc_io_nr);
	fc->fc_io_nr = 0;
	return rc;
}

static int
csum_verify_buf(uint16_t type, const void *buf, size_t len, const uint8_t *expect, int cs_len)
{
	uint8_t got[16];
	int rc = vos_csum_compute(type, buf, len, got);

	if (rc != 0)
		return rc;
	if (memcmp(got, expect, cs_len) != 0) {
		D_ERROR("checksum mismatch on fetch\n");
		return -DER_CSUM;
	}
	return 0;
}

static void
iod_nothing(daos_iod_t *iod, d_sg_list_t *sgl, daos_iom_t *iom)
{
	iod->iod_size = 0;
	if (sgl != NULL)
		vos_sgl_set_out(sgl, 0);
	if (iom != NULL) {
		iom->iom_nr_out = 0;
		iom->iom_size = 0;
		memset(&iom->iom_recx_lo, 0, sizeof(iom->iom_recx_lo));
		memset(&iom->iom_recx_hi, 0, sizeof(iom->iom_recx_hi));
	}
}

static int
fetch_sv(struct vos_fetch_ctx *fc, struct vos_krec_df *akrec, daos_epoch_t bound, daos_iod_t *iod,
	 d_sg_list_t *sgl, daos_iom_t *iom)
{
	struct vos_pool *pool = fc->fc_pool;
	struct vos_sv_key skey = {.sk_epoch = fc->fc_epoch, .sk_minor = UINT64_MAX};
	struct vos_irec_df *irec;
	daos_handle_t toh;
	d_iov_t key, val;
	int rc;

	if (akrec->kr_bmap & KREC_BF_SV1) {
		irec = vos_sv1_irec(&pool->vp_umm, akrec);
		if (irec->ir_epoch > fc->fc_epoch) {
			iod_nothing(iod, sgl, iom);
			return 0;
		}
		goto found;
	}
	if (!(akrec->kr_bmap & KREC_BF_BTR) || akrec->kr_btr.tr_class == 0) {
		iod_nothing(iod, sgl, iom);
		return 0;
	}
	rc = vos_sv_tree_open(pool, akrec, false, &toh);
	if (rc != 0)
		return rc;
	d_iov_set(&key, &skey, sizeof(skey));
	d_iov_set(&val, NULL, 0);
	rc = dbtree_fetch(toh, BTR_PROBE_LE, DAOS_INTENT_DEFAULT, &key, NULL, &val);
	dbtree_close(toh);
	if (rc == -DER_NONEXIST) {
		iod_nothing(iod, sgl, iom);
		return 0;
	}
	if (rc != 0)
		return rc;
	irec = val.iov_buf;
found:
	if (irec->ir_epoch <= bound || irec->ir_size == 0) {
		iod_nothing(iod, sgl, iom);
		return 0;
	}
	iod->iod_size = irec->ir_size;
	if (iom != NULL) {
		iom->iom_type = DAOS_IOD_SINGLE;
		iom->iom_size = irec->ir_size;
		iom->iom_nr_out = 1;
		memset(&iom->iom_recx_lo, 0, sizeof(iom->iom_recx_lo));
		iom->iom_recx_lo.rx_nr = 1;
		iom->iom_recx_hi = iom->iom_recx_lo;
		if (iom->iom_nr > 0 && iom->iom_recxs != NULL)
			iom->iom_recxs[0] = iom->iom_recx_lo;
	}
	if (sgl == NULL || (fc->fc_flags & VOS_OF_FETCH_SIZE_ONLY))
		return 0;

	if (irec->ir_addr.ba_type == DAOS_MEDIA_SCM) {
		char *data = vos_irec_data(&pool->vp_umm, irec);

		if (irec->ir_cs_len > 0) {
			rc = csum_verify_buf(irec->ir_cs_type, data, irec->ir_size,
					     (uint8_t *)irec->ir_body, irec->ir_cs_len);
			if (rc != 0)
				return rc;
		}
		if (sgl->sg_nr == 1 && sgl->sg_iovs[0].iov_buf == NULL &&
		    sgl->sg_iovs[0].iov_buf_len == 0) {
			/* zero copy: point the caller at the heap */
			d_iov_set(&sgl->sg_iovs[0], data, irec->ir_size);
			sgl->sg_nr_out = 1;
			return 0;
		}
		if (vos_sgl_bytes(sgl, true) < irec->ir_size)
			return -DER_REC2BIG;
		vos_sgl_scatter(sgl, 0, data, irec->ir_size);
		vos_sgl_set_out(sgl, irec->ir_size);
		return 0;
	}
	if (vos_sgl_bytes(sgl, true) < irec->ir_size)
		return -DER_REC2BIG;
	rc = fetch_queue_read(fc, sgl, 0, irec->ir_addr.ba_off, irec->ir_size);
	if (rc != 0)
		return rc;
	vos_sgl_set_out(sgl, irec->ir_size);
	if (irec->ir_cs_len > 0) {
		void *p;

		D_REALLOC_ARRAY(p, fc->fc_csv, fc->fc_csv_nr, fc->fc_csv_nr + 1);
		if (p == NULL)
			return -DER_NOMEM;
		fc->fc_csv = p;
		fc->fc_csv[fc->fc_csv_nr].cv_irec = irec;
		fc->fc_csv[fc->fc_csv_nr++].cv_sgl = sgl;
	}
	return 0;
}

/* Verify the checksums of the chunks a piece of an extent overlaps (slow path). */
static int
verify_extent_piece(struct vos_pool *pool, struct evt_entry *e, uint32_t rsize)
{
	struct dcs_csum_info *ci = &e->en_csum;
	uint64_t ext_lo = e->en_ext.ex_lo * rsize;
	uint64_t ext_hi = (e->en_ext.ex_hi + 1) * rsize;
	uint64_t sel_lo = e->en_sel_ext.ex_lo * rsize;
	uint64_t sel_hi = (e->en_sel_ext.ex_hi + 1) * rsize;
	uint64_t chunk = ci->cs_chunksize, c, first_ext;
	bio_addr_t base = e->en_addr;
	char *buf;
	int rc = 0;

	if (ci->cs_nr == 0 || ci->cs_csum == NULL || chunk == 0)
		return 0;
	base.ba_off -= (e->en_sel_ext.ex_lo - e->en_ext.ex_lo) * rsize;
	first_ext = ext_lo / chunk;
	D_ALLOC_NZ(buf, chunk);
	if (buf == NULL)
		return -DER_NOMEM;
	for (c = sel_lo / chunk; c <= (sel_hi - 1) / chunk && rc == 0; c++) {
		uint64_t s = max(ext_lo, c * chunk), t = min(ext_hi, (c + 1) * chunk);

		if (c - first_ext >= ci->cs_nr)
			break;
		rc = vos_data_read(pool, &base, s - ext_lo, buf, t - s);
		if (rc == 0)
			rc = csum_verify_buf(ci->cs_type, buf, t - s,
					     ci->cs_csum + (c - first_ext) * ci->cs_len,
					     ci->cs_len);
	}
	D_FREE(buf);
	return rc;
}

static void
iom_add(daos_iom_t *iom, uint64_t lo, uint64_t nr)
{
	daos_recx_t *last = NULL;

	if (iom->iom_nr_out > 0) {
		if (iom->iom_recx_hi.rx_idx + iom->iom_recx_hi.rx_nr == lo) {
			iom->iom_recx_hi.rx_nr += nr;
			if (iom->iom_recxs != NULL && iom->iom_nr_out <= iom->iom_nr)
				last = &iom->iom_recxs[iom->iom_nr_out - 1];
			if (last != NULL)
				last->rx_nr += nr;
			if (iom->iom_nr_out == 1)
				iom->iom_recx_lo = iom->iom_recx_hi;
			return;
		}
	}
	iom->iom_recx_hi.rx_idx = lo;
	iom->iom_recx_hi.rx_nr = nr;
	if (iom->iom_nr_out == 0)
		iom->iom_recx_lo = iom->iom_recx_hi;
	if (iom->iom_recxs != NULL && iom->iom_nr_out < iom->iom_nr)
		iom->iom_recxs[iom->iom_nr_out] = iom->iom_recx_hi;
	iom->iom_nr_out++;
}

static int
fetch_array(struct vos_fetch_ctx *fc, struct vos_krec_df *akrec, daos_epoch_t bound,
	    daos_iod_t *iod, d_sg_list_t *sgl, daos_iom_t *iom)
{
	struct vos_pool *pool = fc->fc_pool;
	struct evt_entry_array ea;
	bool copy, found = false;
	daos_handle_t toh;
	uint64_t base = 0, need = 0;
	uint32_t rsize, i;
	int rc;

	if (!(akrec->kr_bmap & KREC_BF_EVT) || akrec->kr_evt.tr_order == 0 ||
	    akrec->kr_evt.tr_inob == 0) {
		iod_nothing(iod, sgl, iom);
		return 0;
	}
	rsize = akrec->kr_evt.tr_inob;
	for (i = 0; i < iod->iod_nr; i++)
		need += iod->iod_recxs[i].rx_nr * rsize;
	copy = sgl != NULL && !(fc->fc_flags & VOS_OF_FETCH_SIZE_ONLY);
	if (copy && vos_sgl_bytes(sgl, true) < need) {
		iod->iod_size = rsize;
		return -DER_REC2BIG;
	}
	if (iom != NULL) {
		iom->iom_type = DAOS_IOD_ARRAY;
		iom->iom_size = rsize;
		iom->iom_nr_out = 0;
	}
	rc = vos_array_open(pool, akrec, false, &toh);
	if (rc != 0)
		return rc;
	evt_ent_array_init(&ea, 0);
	for (i = 0; i < iod->iod_nr && rc == 0; i++) {
		daos_recx_t *rx = &iod->iod_recxs[i];
		struct evt_filter flt = {0};
		uint64_t cursor = rx->rx_idx;
		struct evt_entry *e;

		flt.fr_ex.ex_lo = rx->rx_idx;
		flt.fr_ex.ex_hi = rx->rx_idx + rx->rx_nr - 1;
		flt.fr_epr.epr_lo = 0;
		flt.fr_epr.epr_hi = fc->fc_epoch;
		flt.fr_punch_epc = bound;
		rc = evt_find(toh, &flt, &ea);
		if (rc != 0)
			break;
		evt_ent_array_for_each(e, &ea)
		{
			uint64_t lo = e->en_sel_ext.ex_lo, hi = e->en_sel_ext.ex_hi;
			uint64_t off = base + (lo - rx->rx_idx) * rsize;
			uint64_t len = (hi - lo + 1) * rsize;

			if (copy && lo > cursor)
				vos_sgl_scatter(sgl, base + (cursor - rx->rx_idx) * rsize, NULL,
						(lo - cursor) * rsize);
			cursor = hi + 1;
			if (bio_addr_is_hole(&e->en_addr)) {
				if (copy)
					vos_sgl_scatter(sgl, off, NULL, len);
				continue;
			}
			found = true;
			if (iom != NULL)
				iom_add(iom, lo, hi - lo + 1);
			if (!copy)
				continue;
			if (e->en_csum.cs_nr > 0) {
				rc = verify_extent_piece(pool, e, rsize);
				if (rc != 0)
					break;
			}
			if (e->en_addr.ba_type == DAOS_MEDIA_SCM)
				vos_sgl_scatter(sgl, off,
						umem_off2ptr(&pool->vp_umm, e->en_addr.ba_off),
						len);
			else
				rc = fetch_queue_read(fc, sgl, off, e->en_addr.ba_off, len);
			if (rc != 0)
				break;
		}
		if (rc == 0 && copy && cursor <= flt.fr_ex.ex_hi)
			vos_sgl_scatter(sgl, base + (cursor - rx->rx_idx) * rsize, NULL,
					(flt.fr_ex.ex_hi - cursor + 1) * rsize);
		base += rx->rx_nr * rsize;
	}
	evt_ent_array_fini(&ea);
	evt_close(toh);
	if (rc != 0)
		return rc;
	if (!found) {
		iod_nothing(iod, copy ? sgl : NULL, iom);
		return 0;
	}
	iod->iod_size = rsize;
	if (copy)
		vos_sgl_set_out(sgl, need);
	return 0;
}

int
vos_obj_fetch_iom(daos_handle_t coh, daos_unit_oid_t oid, daos_epoch_t epoch, uint64_t flags,
		  daos_key_t *dkey, unsigned int iod_nr, daos_iod_t *iods, d_sg_list_t *sgls,
		  daos_iom_t *ioms, struct dtx_handle *dth)
{
	struct vos_container *cont = vos_hdl2cont(coh);
	/* not zeroed as a whole: fc_stack (~400 bytes) is set per queued read */
	struct vos_fetch_ctx fc;
	struct umem_instance *umm;
	struct vos_ilog_info oinfo;
	struct vos_krec_df *dkrec = NULL, *akrec;
	struct vos_obj_df *obj = NULL;
	struct vos_oc_ent *oce = NULL;
	daos_handle_t dtoh = DAOS_HDL_INVAL;
	struct vos_akeys ak = {.ak_toh = DAOS_HDL_INVAL};
	daos_epoch_t dbound = 0, abound;
	unsigned int i;
	bool dkey_found = false;
	int rc, j;

	if (cont == NULL)
		return -DER_NO_HDL;
	if (dkey == NULL || dkey->iov_buf == NULL || dkey->iov_len == 0 || epoch == 0 ||
	    (iod_nr > 0 && iods == NULL))
		return -DER_INVAL;
	for (i = 0; i < iod_nr; i++)
		if (iods[i].iod_name.iov_buf == NULL || iods[i].iod_name.iov_len == 0 ||
		    (iods[i].iod_type == DAOS_IOD_ARRAY &&
		     (iods[i].iod_nr == 0 || iods[i].iod_recxs == NULL)) ||
		    (iods[i].iod_type != DAOS_IOD_ARRAY && iods[i].iod_type != DAOS_IOD_SINGLE))
			return -DER_INVAL;
	fc.fc_pool = cont->vc_pool;
	fc.fc_epoch = epoch;
	fc.fc_flags = flags;
	fc.fc_ios = NULL;
	fc.fc_io_nr = 0;
	fc.fc_io_max = 0;
	fc.fc_csv = NULL;
	fc.fc_csv_nr = 0;
	umm = vos_cont2umm(cont);

	oce = vos_oc_get(cont, oid);
	if (oce != NULL) {
		obj = oce->oe_obj;
		dtoh = oce->oe_toh;
	} else {
		rc = vos_obj_lookup(cont, oid, &obj);
		if (rc == -DER_NONEXIST)
			goto nothing;
		if (rc != 0)
			return rc;
	}
	vos_ilog_eval(umm, &obj->vo_ilog, epoch, 0, &oinfo);
	if (!oinfo.ii_exists)
		goto nothing;
	if (oce == NULL) {
		rc = vos_obj_tree_open(cont, obj, oid, false, &dtoh);
		if (rc == -DER_NONEXIST)
			goto nothing;
		if (rc != 0)
			return rc;
	}
	rc = vos_key_lookup(dtoh, dkey, &dkrec);
	if (rc != 0)
		goto out;
	if (dkrec == NULL)
		goto nothing;
	{
		struct vos_ilog_info dinfo;

		vos_ilog_eval(umm, &dkrec->kr_ilog, epoch, oinfo.ii_punch, &dinfo);
		if (!dinfo.ii_exists)
			goto nothing;
		dbound = dinfo.ii_punch;
	}
	dkey_found = true;
	rc = vos_akeys_open(cont, dkrec, oid, false, &ak);
	if (rc == -DER_NONEXIST)
		goto nothing;
	if (rc != 0)
		goto out;

	for (i = 0; i < iod_nr && rc == 0; i++) {
		daos_iod_t *iod = &iods[i];
		d_sg_list_t *sgl = sgls != NULL ? &sgls[i] : NULL;
		daos_iom_t *iom = ioms != NULL ? &ioms[i] : NULL;
		uint64_t cond = (flags & DAOS_COND_PER_AKEY) ? iod->iod_flags : flags;
		struct vos_ilog_info ainfo;

		rc = vos_akeys_lookup(&ak, &iod->iod_name, &akrec);
		if (rc != 0)
			break;
		if (akrec != NULL)
			vos_ilog_eval(umm, &akrec->kr_ilog, epoch, dbound, &ainfo);
		if (akrec == NULL || !ainfo.ii_exists) {
			if (cond & DAOS_COND_AKEY_FETCH)
				D_GOTO(out, rc = -DER_NONEXIST);
			iod_nothing(iod, sgl, iom);
			continue;
		}
		abound = ainfo.ii_punch;
		if (iod->iod_type == DAOS_IOD_SINGLE)
			rc = fetch_sv(&fc, akrec, abound, iod, sgl, iom);
		else
			rc = fetch_array(&fc, akrec, abound, iod, sgl, iom);
	}
	if (rc == 0)
		rc = fetch_run_reads(&fc);
	for (j = 0; j < fc.fc_csv_nr && rc == 0; j++) {
		struct vos_irec_df *irec = fc.fc_csv[j].cv_irec;
		uint8_t got[16];

		rc = vos_csum_sgl(irec->ir_cs_type, fc.fc_csv[j].cv_sgl, 0, irec->ir_size, got);
		if (rc == 0 && memcmp(got, irec->ir_body, irec->ir_cs_len) != 0) {
			D_ERROR("checksum mismatch on fetch\n");
			rc = -DER_CSUM;
		}
	}
	goto out;

nothing:
	if (!dkey_found && (flags & DAOS_COND_DKEY_FETCH)) {
		rc = -DER_NONEXIST;
		goto out;
	}
	for (i = 0; i < iod_nr; i++) {
		uint64_t cond = (flags & DAOS_COND_PER_AKEY) ? iods[i].iod_flags : flags;

		if (cond & DAOS_COND_AKEY_FETCH) {
			rc = -DER_NONEXIST;
			goto out;
		}
		iod_nothing(&iods[i], sgls ? &sgls[i] : NULL, ioms ? &ioms[i] : NULL);
	}
	rc = 0;
out:
	if (rc == 0) {
		cont->vc_pool->vp_ops.vops_fetch++;
		cont->vc_pool->vp_ops.vops_fetch_bytes += vos_iods_bytes(iod_nr, iods);
	}
	if (fc.fc_io_nr > 0)
		vos_bio_fini(fc.fc_ios, fc.fc_io_nr);
	if (fc.fc_ios != fc.fc_stack)
		D_FREE(fc.fc_ios);
	D_FREE(fc.fc_csv);
	vos_akeys_close(&ak);
	/* no transaction here: the object and its tree exist, keep them */
	vos_oc_put(cont, oce, oid, obj, dtoh, true);
	return rc;
}

int
vos_obj_fetch_ex(daos_handle_t coh, daos_unit_oid_t oid, daos_epoch_t epoch, uint64_t flags,
		 daos_key_t *dkey, unsigned int iod_nr, daos_iod_t *iods, d_sg_list_t *sgls,
		 struct dtx_handle *dth)
{
	return vos_obj_fetch_iom(coh, oid, epoch, flags, dkey, iod_nr, iods, sgls, NULL, dth);
}

int
vos_obj_fetch(daos_handle_t coh, daos_unit_oid_t oid, daos_epoch_t epoch, uint64_t flags,
	      daos_key_t *dkey, unsigned int iod_nr, daos_iod_t *iods, d_sg_list_t *sgls)
{
	return vos_obj_fetch_iom(coh, oid, epoch, flags, dkey, iod_nr, iods, sgls, NULL, NULL);
}

/* ---------------- punch ---------------- */

struct any_arg {
	struct umem_instance *aa_umm;
	daos_epoch_t aa_epoch;
	daos_epoch_t aa_bound;
	bool aa_found;
};

static int
any_visible_cb(daos_handle_t ih, d_iov_t *key, d_iov_t *val, void *arg)
{
	struct any_arg *aa = arg;
	struct vos_krec_df *krec = val->iov_buf;
	struct vos_ilog_info info;

	vos_ilog_eval(aa->aa_umm, &krec->kr_ilog, aa->aa_epoch, aa->aa_bound, &info);
	aa->aa_found = info.ii_exists;
	return aa->aa_found ? 1 : 0;
}

/* Does any key of the tree \a toh exist at \a epoch under the parents' punch \a bound? */
static int
any_visible(struct umem_instance *umm, daos_handle_t toh, daos_epoch_t epoch, daos_epoch_t bound,
	    bool *found)
{
	struct any_arg aa = {.aa_umm = umm, .aa_epoch = epoch, .aa_bound = bound};
	int rc;

	rc = dbtree_iterate(toh, DAOS_INTENT_DEFAULT, false, any_visible_cb, &aa);
	*found = aa.aa_found;
	return rc;
}

static int
any_akey_visible(struct umem_instance *umm, struct vos_akeys *ak, daos_epoch_t epoch,
		 daos_epoch_t bound, bool *found)
{
	struct any_arg aa = {.aa_umm = umm, .aa_epoch = epoch, .aa_bound = bound};
	int rc;

	rc = vos_akeys_iterate(ak, DAOS_INTENT_DEFAULT, any_visible_cb, &aa);
	*found = aa.aa_found;
	return rc;
}

/*
 * VOS_OF_PUNCH_PROPAGATE: a dkey whose akeys are all punched is punched too, and an object
 * whose dkeys are all punched, at the same epoch (unless written above it).
 */
static int
punch_propagate(struct umem_instance *umm, struct vos_obj_df *obj, daos_epoch_t obj_bound,
		daos_handle_t dtoh, struct vos_krec_df *dkrec, struct vos_akeys *ak,
		daos_epoch_t dkey_bound, daos_epoch_t epoch)
{
	bool found;
	int rc;

	if (dkrec != NULL) {
		rc = any_akey_visible(umm, ak, epoch, dkey_bound, &found);
		if (rc != 0 || found || dkrec->kr_latest > epoch)
			return rc;
		rc = vos_ilog_punch(umm, &dkrec->kr_ilog, epoch);
		if (rc != 0)
			return rc;
	}
	rc = any_visible(umm, dtoh, epoch, obj_bound, &found);
	if (rc != 0 || found || obj->vo_latest > epoch)
		return rc;
	return vos_ilog_punch(umm, &obj->vo_ilog, epoch);
}

static int
punch_tx(struct vos_container *cont, daos_unit_oid_t oid, daos_epoch_t epoch, uint64_t flags,
	 daos_key_t *dkey, unsigned int akey_nr, daos_key_t *akeys)
{
	struct vos_pool *pool = cont->vc_pool;
	struct umem_instance *umm = &pool->vp_umm;
	daos_handle_t dtoh = DAOS_HDL_INVAL;
	struct vos_akeys ak = {.ak_toh = DAOS_HDL_INVAL};
	struct vos_ilog_info oinfo, dinfo, ainfo;
	struct vos_krec_df *dkrec, *akrec;
	struct vos_obj_df *obj;
	bool cond = flags & DAOS_COND_PUNCH;
	bool created;
	unsigned int i;
	int rc;

	rc = vos_obj_find_or_create(cont, oid, &obj);
	if (rc != 0)
		return rc;
	vos_ilog_eval(umm, &obj->vo_ilog, epoch, 0, &oinfo);
	if (dkey == NULL) {
		if (cond && !oinfo.ii_exists)
			return -DER_NONEXIST;
		if (obj->vo_latest > epoch)
			return -DER_TX_RESTART;
		return vos_ilog_punch(umm, &obj->vo_ilog, epoch);
	}
	rc = vos_obj_tree_open(cont, obj, oid, true, &dtoh);
	if (rc != 0)
		return rc;
	rc = vos_key_find_or_create(pool, dtoh, dkey, KREC_BF_DKEY | KREC_BF_BTR, &dkrec, &created);
	if (rc != 0)
		goto out;
	vos_ilog_eval(umm, &dkrec->kr_ilog, epoch, oinfo.ii_punch, &dinfo);
	if (akey_nr == 0) {
		if (cond && !dinfo.ii_exists)
			D_GOTO(out, rc = -DER_NONEXIST);
		if (dkrec->kr_latest > epoch)
			D_GOTO(out, rc = -DER_TX_RESTART);
		rc = vos_ilog_punch(umm, &dkrec->kr_ilog, epoch);
		if (rc == 0 && (flags & VOS_OF_PUNCH_PROPAGATE))
			rc = punch_propagate(umm, obj, oinfo.ii_punch, dtoh, NULL, NULL, 0, epoch);
		goto out;
	}
	if (cond && !dinfo.ii_exists)
		D_GOTO(out, rc = -DER_NONEXIST);
	rc = vos_akeys_open(cont, dkrec, oid, true, &ak);
	if (rc != 0)
		goto out;
	for (i = 0; i < akey_nr && rc == 0; i++) {
		if (akeys[i].iov_buf == NULL || akeys[i].iov_len == 0)
			D_GOTO(out, rc = -DER_INVAL);
		rc = vos_akeys_find_or_create(&ak, &akeys[i], 0, &akrec, &created);
		if (rc != 0)
			break;
		vos_ilog_eval(umm, &akrec->kr_ilog, epoch, dinfo.ii_punch, &ainfo);
		if (cond && !ainfo.ii_exists)
			D_GOTO(out, rc = -DER_NONEXIST);
		if (akrec->kr_latest > epoch)
			D_GOTO(out, rc = -DER_TX_RESTART);
		rc = vos_ilog_punch(umm, &akrec->kr_ilog, epoch);
	}
	if (rc == 0 && (flags & VOS_OF_PUNCH_PROPAGATE))
		rc = punch_propagate(umm, obj, oinfo.ii_punch, dtoh, dkrec, &ak, dinfo.ii_punch,
				     epoch);
out:
	vos_akeys_close(&ak);
	dbtree_close(dtoh);
	return rc;
}

int
vos_obj_punch(daos_handle_t coh, daos_unit_oid_t oid, daos_epoch_t epoch, uint32_t pm_ver,
	      uint64_t flags, daos_key_t *dkey, unsigned int akey_nr, daos_key_t *akeys,
	      struct dtx_handle *dth)
{
	struct vos_container *cont = vos_hdl2cont(coh);
	struct umem_instance *umm;
	int rc;

	if (cont == NULL)
		return -DER_NO_HDL;
	if (epoch == 0 || epoch == DAOS_EPOCH_MAX || (akey_nr > 0 && (akeys == NULL || !dkey)) ||
	    (dkey != NULL && (dkey->iov_buf == NULL || dkey->iov_len == 0)))
		return -DER_INVAL;
	if (epoch <= cont->vc_df->cd_hae)
		return -DER_TX_RESTART;
	umm = vos_cont2umm(cont);
	rc = umem_tx_begin(umm, NULL);
	if (rc != 0)
		return rc;
	rc = punch_tx(cont, oid, epoch, flags, dkey, akey_nr, akeys);
	rc = rc ? umem_tx_abort(umm, rc) : umem_tx_commit(umm);
	if (rc == 0)
		cont->vc_pool->vp_ops.vops_punch++;
	return rc;
}
