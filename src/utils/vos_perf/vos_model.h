/**
 * An in-memory reference model of VOS semantics, used by the randomized model test and the
 * crash test (never by VOS itself). It knows nothing of the VOS API: objects, dkeys and akeys
 * are small integers, values are byte strings, epochs are uint64.
 *
 * Mutations must come in increasing epoch order (every test does: one epoch per operation).
 *
 * Semantics modelled (DAOS's incarnation log rules, with unique epochs per mutation):
 *  - an update at epoch u records u in the history of the object, the dkey and each akey it
 *    touches (an extent punch is an update of the akey: it keeps the akey alive);
 *  - a punch at epoch p of an object, dkey or akey hides, at every read epoch E >= p, every
 *    value and every key creation of that subtree with epoch < p;
 *  - a key is visible at E when its newest update <= E is newer than the newest punch <= E
 *    of the key or of any ancestor;
 *  - a single value fetch at E returns the newest version <= E newer than that punch;
 *  - an array record r at E reads the newest extent <= E covering r and newer than that
 *    punch; a punched extent (hole) or no extent reads as absent (zeros).
 */
#ifndef __VOS_MODEL_H__
#define __VOS_MODEL_H__

#include <stdbool.h>
#include <stdint.h>

enum { VM_NONE = 0, VM_SINGLE = 1, VM_ARRAY = 2 };

struct vm_epochs {
	uint64_t *e;
	uint32_t nr, cap;
};

struct vm_sv {
	uint64_t epoch;
	uint32_t len;
	uint8_t *data;
};

struct vm_ext {
	uint64_t epoch;
	uint64_t idx, nr;
	uint8_t *data; /* nr * rsize bytes, NULL for a punched extent (hole) */
};

struct vm_akey {
	uint64_t id;
	int type;
	uint32_t rsize;
	struct vm_epochs upd, punch;
	struct vm_sv *sv;
	uint32_t sv_nr, sv_cap;
	struct vm_ext *ext;
	uint32_t ext_nr, ext_cap;
};

struct vm_dkey {
	uint64_t id;
	struct vm_epochs upd, punch;
	struct vm_akey *akeys;
	uint32_t nr, cap;
};

struct vm_obj {
	uint64_t id;
	struct vm_epochs upd, punch;
	struct vm_dkey *dkeys;
	uint32_t nr, cap;
};

struct vos_model {
	struct vm_obj *objs;
	uint32_t nr, cap;
	/* reads below agg_hi may have changed (aggregation), except at snapshots */
	uint64_t agg_hi;
	struct vm_epochs snaps;
};

void vm_init(struct vos_model *m);
void vm_fini(struct vos_model *m);

/* Mutations; all return 0 or -DER_NOMEM. */
int vm_update_sv(struct vos_model *m, uint64_t oid, uint64_t dkey, uint64_t akey, uint64_t epoch,
		 const void *data, uint32_t len);
/* data == NULL punches [idx, idx + nr) */
int vm_update_array(struct vos_model *m, uint64_t oid, uint64_t dkey, uint64_t akey, uint64_t epoch,
		    uint32_t rsize, uint64_t idx, uint64_t nr, const void *data);
/* dkey == NULL: object punch; akey == NULL: dkey punch */
int vm_punch(struct vos_model *m, uint64_t oid, const uint64_t *dkey, const uint64_t *akey,
	     uint64_t epoch);
/*
 * Aggregation up to hi ran (or may have run): reads below hi are only checked at snapshot
 * epochs. A snapshot must be added at an epoch >= every aggregation's hi so far.
 */
void vm_aggregated(struct vos_model *m, uint64_t hi);
int vm_snap_add(struct vos_model *m, uint64_t epoch);
void vm_snap_del(struct vos_model *m, uint64_t epoch);
bool vm_epoch_checkable(const struct vos_model *m, uint64_t epoch);

/* Lookups */
struct vm_obj *vm_obj_find(struct vos_model *m, uint64_t oid);
struct vm_dkey *vm_dkey_find(struct vm_obj *o, uint64_t dkey);
struct vm_akey *vm_akey_find(struct vm_dkey *d, uint64_t akey);

bool vm_obj_visible(const struct vm_obj *o, uint64_t epoch);
bool vm_dkey_visible(const struct vm_obj *o, const struct vm_dkey *d, uint64_t epoch);
bool vm_akey_visible(const struct vm_obj *o, const struct vm_dkey *d, const struct vm_akey *a,
		     uint64_t epoch);
/* Newest punch <= epoch hiding the akey (object, dkey or akey punch), 0 if none. */
uint64_t vm_akey_punched(const struct vm_obj *o, const struct vm_dkey *d, const struct vm_akey *a,
			 uint64_t epoch);

/* Visible single value at epoch, NULL if none (len set to 0). */
const struct vm_sv *vm_fetch_sv(struct vos_model *m, uint64_t oid, uint64_t dkey, uint64_t akey,
				uint64_t epoch);
/*
 * Visible records [idx, idx + nr) at epoch into buf (nr * rsize bytes; absent records zeroed);
 * returns the number of records present (0: the fetch reports iod_size 0).
 */
uint64_t vm_fetch_array(struct vos_model *m, uint64_t oid, uint64_t dkey, uint64_t akey,
			uint64_t epoch, uint32_t rsize, uint64_t idx, uint64_t nr, uint8_t *buf);
/* Highest visible record index + 1 of an array akey at epoch (0 when none). */
uint64_t vm_array_end(struct vos_model *m, uint64_t oid, uint64_t dkey, uint64_t akey,
		      uint64_t epoch);
/* Visible record bitmap of [0, len) at epoch into present[] (1 byte per record). */
void vm_array_present(struct vos_model *m, uint64_t oid, uint64_t dkey, uint64_t akey,
		      uint64_t epoch, uint64_t len, uint8_t *present);

#endif /* __VOS_MODEL_H__ */
