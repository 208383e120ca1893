/**
 * Random VOS operations applied both to VOS and to the reference model (vos_model.h), and a
 * checker comparing what VOS returns (fetch, enumeration, query_key) with the model. Shared
 * by the randomized model test (vos_model_test) and the crash test (vos_crash).
 *
 * The universe is small on purpose, so keys collide and histories get deep: VT_NOBJ objects
 * (two with uint64 keys, one hashed, one lexical), VT_NDKEY dkeys, VT_NAKEY akeys per dkey.
 * Akeys 0 and 1 hold single values, akey 2 an array of 1-byte records and akey 3 an array of
 * 8-byte records. Values are small (inline) or above 4 KiB (blob).
 */
#ifndef __VOS_CHECK_H__
#define __VOS_CHECK_H__

#include <daos_srv/vos.h>

#include "vos_model.h"

#define VT_NOBJ     4
#define VT_NDKEY    6
#define VT_NAKEY    4
#define VT_MAX_IOD  4
#define VT_MAX_RECX 3
#define VT_ARR_LEN  640 /* array records addressed: [0, VT_ARR_LEN) */
#define VT_SV_MAX   4600

enum vt_kind {
	VT_UPDATE,
	VT_PUNCH_OBJ,
	VT_PUNCH_DKEY,
	VT_PUNCH_AKEY,
	VT_AGGREGATE,
	VT_GC,
	VT_SNAP_ADD,
	VT_SNAP_DEL,
};

struct vt_iod {
	uint32_t akey;
	/* single: value bytes; array: 0 punches the extents, else the record size */
	uint32_t len;
	uint32_t nrecx;
	daos_recx_t recx[VT_MAX_RECX];
	uint64_t seed;
};

struct vt_op {
	int kind;
	uint32_t obj, dkey;
	/* iods (update) or akeys (akey punch) */
	uint32_t nr;
	struct vt_iod iods[VT_MAX_IOD];
	/* update/punch epoch; aggregate: upper bound; snapshots: the snapshot epoch */
	uint64_t epoch;
	/* DAOS_COND_* */
	uint64_t flags;
	uint32_t credits; /* GC */
};

struct vt_rng {
	uint64_t s;
};

/* What the generator may produce. */
struct vt_gen_opts {
	bool cond;         /* conditional updates and punches */
	bool snaps;        /* snapshot add/delete */
	bool snap_del;     /* snapshot delete (needs the list in vt_gen_state) */
	bool agg;          /* aggregation and GC steps */
	uint32_t blob_pct; /* % of values above the inline threshold */
};

struct vt_gen_state {
	uint64_t snaps[16];
	uint32_t nsnaps;
};

void vt_rng_seed(struct vt_rng *r, uint64_t seed);
uint64_t vt_rand(struct vt_rng *r);

/* Fill *op with a random operation at \a epoch. */
void vt_gen(struct vt_rng *r, const struct vt_gen_opts *o, struct vt_gen_state *gs, uint64_t epoch,
	    struct vt_op *op);
/* The rc VOS must return given the model state (0, -DER_EXIST or -DER_NONEXIST). */
int vt_expect(struct vos_model *m, const struct vt_op *op);
/* Apply to VOS; returns VOS's rc. */
int vt_vos_apply(daos_handle_t poh, daos_handle_t coh, const struct vt_op *op);
/* Apply to the model (an op VOS executed successfully). */
int vt_model_apply(struct vos_model *m, const struct vt_op *op);
/* Change the seed of \a iod until its bytes differ (a same-epoch conflict). */
void vt_iod_change(struct vt_iod *iod);
void vt_op_print(const struct vt_op *op, char *buf, size_t len);

/* Check levels */
enum {
	VT_CHECK_FETCH = 1 << 0, /* every value of every dkey */
	VT_CHECK_ENUM = 1 << 1,  /* objects, dkeys (anchors), akeys, extents */
	VT_CHECK_QUERY = 1 << 2, /* query_key */
	VT_CHECK_ALL = 7,
};

/*
 * Compare VOS with the model at \a epoch (which must be checkable). Returns 0 or -1 after
 * printing the first difference to stderr (prefixed with \a tag).
 */
/* no messages from vt_check when set */
extern bool vt_quiet;
/* checks vt_check may do (tests turn off what a VOS build lacks) */
extern unsigned int vt_check_mask;

int vt_check(daos_handle_t coh, struct vos_model *m, uint64_t epoch, unsigned int what,
	     const char *tag);

void vt_oid(uint32_t obj, daos_unit_oid_t *oid);
/* Remove a test directory and everything in it. */
void vt_rm_rf(const char *dir);

#endif /* __VOS_CHECK_H__ */
