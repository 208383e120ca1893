/**
 * dbtree class registry.
 */
#define D_LOGFAC DD_FAC(common)

#include <pthread.h>

#include <daos/btree.h>

static struct {
	btr_ops_t *ops;
	uint64_t   feats;
} btr_classes[BTR_CLASS_MAX];
static pthread_mutex_t btr_class_lock = PTHREAD_MUTEX_INITIALIZER;

int
dbtree_class_register(unsigned int tree_class, uint64_t tree_feats, btr_ops_t *ops)
{
	int rc = 0;

	if (tree_class == 0 || tree_class >= BTR_CLASS_MAX || ops == NULL)
		return -DER_INVAL;
	if (ops->to_rec_alloc == NULL || ops->to_rec_free == NULL || ops->to_rec_fetch == NULL)
		return -DER_INVAL;
	if ((tree_feats & BTR_FEAT_UINT_KEY) && (tree_feats & BTR_FEAT_DIRECT_KEY))
		return -DER_INVAL;
	if ((tree_feats & BTR_FEAT_DIRECT_KEY) &&
	    (ops->to_key_cmp == NULL || ops->to_key_encode == NULL || ops->to_key_decode == NULL))
		return -DER_INVAL;
	if (!(tree_feats & (BTR_FEAT_UINT_KEY | BTR_FEAT_DIRECT_KEY)) &&
	    (ops->to_hkey_gen == NULL || ops->to_hkey_size == NULL))
		return -DER_INVAL;

	pthread_mutex_lock(&btr_class_lock);
	if (btr_classes[tree_class].ops == NULL) {
		btr_classes[tree_class].feats = tree_feats;
		__atomic_store_n(&btr_classes[tree_class].ops, ops, __ATOMIC_RELEASE);
	} else if (btr_classes[tree_class].ops != ops || btr_classes[tree_class].feats != tree_feats) {
		rc = -DER_EXIST;
	}
	pthread_mutex_unlock(&btr_class_lock);
	return rc;
}
