/**
 * Helpers shared by the VOS unit tests: a pool in a temporary directory and one-call
 * update/fetch/punch wrappers for single values and arrays.
 */
#ifndef __VOS_TEST_H__
#define __VOS_TEST_H__

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include <daos_srv/vos.h>

struct vt_ctx {
	char dir[64];
	char path[128];
	uuid_t pool_id;
	uuid_t cont_id;
	daos_handle_t poh;
	daos_handle_t coh;
};

static inline void
vt_open(struct vt_ctx *c)
{
	struct vos_pool_attr attr = {.vpa_sync_ms = 1000};

	assert_int_equal(vos_pool_open_ex(c->path, c->pool_id, 0, &attr, &c->poh), 0);
	assert_int_equal(vos_cont_open(c->poh, c->cont_id, &c->coh), 0);
}

static inline void
vt_close(struct vt_ctx *c)
{
	assert_int_equal(vos_cont_close(c->coh), 0);
	assert_int_equal(vos_pool_close(c->poh), 0);
}

static inline void
vt_setup_ex(struct vt_ctx *c, size_t scm, size_t nvme, uint32_t thresh)
{
	struct vos_pool_attr attr = {0};

	memset(c, 0, sizeof(*c));
	strcpy(c->dir, "/tmp/vos_test.XXXXXX");
	assert_non_null(mkdtemp(c->dir));
	snprintf(c->path, sizeof(c->path), "%s/vos-0", c->dir);
	uuid_generate(c->pool_id);
	uuid_generate(c->cont_id);
	attr.vpa_inline_thresh = thresh;
	attr.vpa_sync_ms = 1000; /* tests need no fdatasync per commit */
	assert_int_equal(
		vos_pool_create_ex(c->path, c->pool_id, scm, nvme, 0, 0, 0, &attr, &c->poh), 0);
	assert_int_equal(vos_cont_create(c->poh, c->cont_id), 0);
	assert_int_equal(vos_cont_open(c->poh, c->cont_id, &c->coh), 0);
}

static inline void
vt_setup(struct vt_ctx *c)
{
	vt_setup_ex(c, 64 << 20, 64 << 20, 4096);
}

static inline void
vt_teardown(struct vt_ctx *c)
{
	vt_close(c);
	assert_int_equal(vos_pool_destroy(c->path, c->pool_id), 0);
	assert_int_equal(rmdir(c->dir), 0);
}

static inline daos_unit_oid_t
vt_oid(uint64_t lo, enum daos_otype_t type)
{
	daos_unit_oid_t oid = {0};

	oid.id_pub.lo = lo;
	daos_obj_set_type(&oid.id_pub, type);
	return oid;
}

static inline int
vt_update_sv(daos_handle_t coh, daos_unit_oid_t oid, daos_epoch_t epoch, uint64_t flags,
	     const char *dkey, const char *akey, const void *val, size_t len)
{
	daos_key_t dk;
	daos_iod_t iod = {0};
	d_iov_t iov;
	d_sg_list_t sgl = {.sg_nr = 1, .sg_iovs = &iov};

	d_iov_set(&dk, (void *)dkey, strlen(dkey));
	d_iov_set(&iod.iod_name, (void *)akey, strlen(akey));
	iod.iod_type = DAOS_IOD_SINGLE;
	iod.iod_size = len;
	iod.iod_nr = 1;
	d_iov_set(&iov, (void *)val, len);
	return vos_obj_update(coh, oid, epoch, 0, flags, &dk, 1, &iod, NULL, &sgl);
}

/* Fetch into buf; returns rc, *size the iod_size reported. */
static inline int
vt_fetch_sv(daos_handle_t coh, daos_unit_oid_t oid, daos_epoch_t epoch, uint64_t flags,
	    const char *dkey, const char *akey, void *buf, size_t len, size_t *size)
{
	daos_key_t dk;
	daos_iod_t iod = {0};
	d_iov_t iov;
	d_sg_list_t sgl = {.sg_nr = 1, .sg_iovs = &iov};
	int rc;

	d_iov_set(&dk, (void *)dkey, strlen(dkey));
	d_iov_set(&iod.iod_name, (void *)akey, strlen(akey));
	iod.iod_type = DAOS_IOD_SINGLE;
	iod.iod_nr = 1;
	d_iov_set(&iov, buf, len);
	iov.iov_len = 0;
	rc = vos_obj_fetch(coh, oid, epoch, flags, &dk, 1, &iod, &sgl);
	if (size != NULL)
		*size = iod.iod_size;
	return rc;
}

/* Array write of nr records of rsize bytes at idx (val NULL: punch the extent). */
static inline int
vt_update_array(daos_handle_t coh, daos_unit_oid_t oid, daos_epoch_t epoch, const char *dkey,
		const char *akey, uint64_t idx, uint64_t nr, uint32_t rsize, const void *val)
{
	daos_key_t dk;
	daos_iod_t iod = {0};
	daos_recx_t rx = {.rx_idx = idx, .rx_nr = nr};
	d_iov_t iov;
	d_sg_list_t sgl = {.sg_nr = 1, .sg_iovs = &iov};

	d_iov_set(&dk, (void *)dkey, strlen(dkey));
	d_iov_set(&iod.iod_name, (void *)akey, strlen(akey));
	iod.iod_type = DAOS_IOD_ARRAY;
	iod.iod_size = val == NULL ? 0 : rsize;
	iod.iod_nr = 1;
	iod.iod_recxs = &rx;
	d_iov_set(&iov, (void *)val, val == NULL ? 0 : nr * rsize);
	return vos_obj_update(coh, oid, epoch, 0, 0, &dk, 1, &iod, NULL, val ? &sgl : NULL);
}

static inline int
vt_fetch_array(daos_handle_t coh, daos_unit_oid_t oid, daos_epoch_t epoch, const char *dkey,
	       const char *akey, uint64_t idx, uint64_t nr, void *buf, size_t len, size_t *size,
	       daos_iom_t *iom)
{
	daos_key_t dk;
	daos_iod_t iod = {0};
	daos_recx_t rx = {.rx_idx = idx, .rx_nr = nr};
	d_iov_t iov;
	d_sg_list_t sgl = {.sg_nr = 1, .sg_iovs = &iov};
	int rc;

	d_iov_set(&dk, (void *)dkey, strlen(dkey));
	d_iov_set(&iod.iod_name, (void *)akey, strlen(akey));
	iod.iod_type = DAOS_IOD_ARRAY;
	iod.iod_nr = 1;
	iod.iod_recxs = &rx;
	d_iov_set(&iov, buf, len);
	rc = vos_obj_fetch_iom(coh, oid, epoch, 0, &dk, 1, &iod, &sgl, iom, NULL);
	if (size != NULL)
		*size = iod.iod_size;
	return rc;
}

static inline int
vt_punch(daos_handle_t coh, daos_unit_oid_t oid, daos_epoch_t epoch, uint64_t flags,
	 const char *dkey, const char *akey)
{
	daos_key_t dk, ak;

	if (dkey != NULL)
		d_iov_set(&dk, (void *)dkey, strlen(dkey));
	if (akey != NULL)
		d_iov_set(&ak, (void *)akey, strlen(akey));
	return vos_obj_punch(coh, oid, epoch, 0, flags, dkey ? &dk : NULL, akey ? 1 : 0,
			     akey ? &ak : NULL, NULL);
}

/* number of extents (all epochs) of an array akey */
static inline int
vt_count_extents(daos_handle_t coh, daos_unit_oid_t oid, const char *dkey, const char *akey)
{
	vos_iter_param_t param = {0};
	daos_handle_t ih;
	int nr = 0, rc;

	param.ip_hdl = coh;
	param.ip_oid = oid;
	d_iov_set(&param.ip_dkey, (void *)dkey, strlen(dkey));
	d_iov_set(&param.ip_akey, (void *)akey, strlen(akey));
	param.ip_epr.epr_hi = DAOS_EPOCH_MAX;
	assert_int_equal(vos_iter_prepare(VOS_ITER_RECX, &param, &ih, NULL), 0);
	for (rc = vos_iter_probe(ih, NULL); rc == 0; rc = vos_iter_next(ih, NULL))
		nr++;
	assert_int_equal(rc, -DER_NONEXIST);
	vos_iter_finish(ih);
	return nr;
}

#endif
