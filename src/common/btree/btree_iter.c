/**
 * dbtree iterators: a private path per iterator, detached to a key (anchor) whenever the
 * tree is changed through the handle, and re-found on the next move.
 */
#define D_LOGFAC DD_FAC(common)

#include "btr_internal.h"

static struct btr_iterator *
btr_hdl2itr(daos_handle_t ih)
{
	return btr_hdl_lookup(ih.cookie, BTR_HDL_ITER);
}

/*
 * The tree is about to change through \a tcx: every positioned iterator of the tree (of any
 * handle) but \a skip keeps its position as a key.
 */
void
btr_iters_detach(struct btr_context *tcx, struct btr_iterator *skip)
{
	struct btr_iterator *itr;

	tcx->tc_ri->ri_gen++;
	d_list_for_each_entry(itr, &tcx->tc_ri->ri_iters, it_link)
	{
		struct btr_context *itcx = itr->it_tcx;

		if (itr == skip || itr->it_state != BTR_ITR_READY)
			continue;
		if (btr_rec_anchor(itcx, btr_path_rec(itcx, &itr->it_path), &itr->it_anchor) == 0)
			itr->it_state = BTR_ITR_DETACHED;
		else
			itr->it_state = BTR_ITR_INIT; /* cannot keep it: must be probed again */
	}
}

int
dbtree_iter_prepare(daos_handle_t toh, unsigned int options, daos_handle_t *ih)
{
	struct btr_context *tcx = btr_hdl2tcx(toh);
	struct btr_iterator *itr;
	int rc;

	if (tcx == NULL)
		return -DER_NO_HDL;
	if (ih == NULL)
		return -DER_INVAL;
	if (options & BTR_ITER_EMBEDDED) {
		itr = &tcx->tc_itr;
		if (itr->it_state != BTR_ITR_NONE)
			return -DER_BUSY;
	} else {
		D_ALLOC_PTR(itr);
		if (itr == NULL)
			return -DER_NOMEM;
	}
	itr->it_embedded = (options & BTR_ITER_EMBEDDED) != 0;
	itr->it_tcx = tcx;
	itr->it_intent = DAOS_INTENT_DEFAULT;
	rc = btr_hdl_alloc(BTR_HDL_ITER, itr, &itr->it_cookie);
	if (rc != 0) {
		if (!itr->it_embedded)
			D_FREE(itr);
		return rc;
	}
	itr->it_state = BTR_ITR_INIT;
	d_list_add(&itr->it_link, &tcx->tc_ri->ri_iters);
	tcx->tc_ref++;
	ih->cookie = itr->it_cookie;
	return 0;
}

int
dbtree_iter_finish(daos_handle_t ih)
{
	struct btr_iterator *itr = btr_hdl2itr(ih);
	struct btr_context *tcx;

	if (itr == NULL)
		return -DER_NO_HDL;
	tcx = itr->it_tcx;
	btr_hdl_free(itr->it_cookie);
	d_list_del(&itr->it_link);
	itr->it_state = BTR_ITR_NONE;
	if (!itr->it_embedded)
		D_FREE(itr);
	btr_context_decref(tcx);
	return 0;
}

static int
btr_itr_probe(struct btr_iterator *itr, dbtree_probe_opc_t opc, uint32_t intent,
	      struct btr_skey *sk)
{
	int rc;

	rc = btr_path_probe(itr->it_tcx, &itr->it_path, opc, intent, sk);
	if (rc == 0) {
		itr->it_state = BTR_ITR_READY;
		itr->it_intent = intent;
	} else if (rc == -DER_NONEXIST) {
		itr->it_state = BTR_ITR_FINI;
	}
	return rc;
}

int
dbtree_iter_probe(daos_handle_t ih, dbtree_probe_opc_t opc, uint32_t intent, d_iov_t *key,
		  daos_anchor_t *anchor)
{
	struct btr_iterator *itr = btr_hdl2itr(ih);
	struct btr_skey sk;
	int rc;

	if (itr == NULL)
		return -DER_NO_HDL;
	if (opc & BTR_PROBE_SPEC) {
		if (key != NULL)
			rc = btr_skey_init(itr->it_tcx, key, &sk);
		else if (anchor != NULL)
			rc = btr_skey_from_anchor(itr->it_tcx, anchor, &sk);
		else
			rc = -DER_INVAL;
		if (rc != 0)
			return rc;
	} else if (opc != BTR_PROBE_FIRST && opc != BTR_PROBE_LAST) {
		return -DER_INVAL;
	}
	return btr_itr_probe(itr, opc, intent, &sk);
}

/* Re-find a detached iterator: \a opc EQ (still there?), GT (next) or LT (prev). */
static int
btr_itr_reattach(struct btr_iterator *itr, dbtree_probe_opc_t opc, uint32_t intent)
{
	struct btr_skey sk;
	int rc;

	rc = btr_skey_from_anchor(itr->it_tcx, &itr->it_anchor, &sk);
	if (rc != 0)
		return rc;
	if (opc != BTR_PROBE_EQ)
		return btr_itr_probe(itr, opc, intent, &sk);
	/* fetch/delete of a record that is gone: report it, stay between its neighbours */
	rc = btr_path_probe(itr->it_tcx, &itr->it_path, opc, intent, &sk);
	if (rc == 0)
		itr->it_state = BTR_ITR_READY;
	return rc;
}

static int
btr_itr_move(daos_handle_t ih, bool next, uint32_t intent)
{
	struct btr_iterator *itr = btr_hdl2itr(ih);
	int rc;

	if (itr == NULL)
		return -DER_NO_HDL;
	switch (itr->it_state) {
	case BTR_ITR_READY:
		rc = btr_path_move(itr->it_tcx, &itr->it_path, next, intent);
		if (rc == -DER_NONEXIST)
			itr->it_state = BTR_ITR_FINI;
		else if (rc == 0)
			itr->it_intent = intent;
		return rc;
	case BTR_ITR_DETACHED:
		return btr_itr_reattach(itr, next ? BTR_PROBE_GT : BTR_PROBE_LT, intent);
	case BTR_ITR_FINI:
		return -DER_NONEXIST;
	default:
		return -DER_NO_PERM;
	}
}

int
dbtree_iter_next(daos_handle_t ih)
{
	struct btr_iterator *itr = btr_hdl2itr(ih);

	return btr_itr_move(ih, true, itr != NULL ? itr->it_intent : 0);
}

int
dbtree_iter_prev(daos_handle_t ih)
{
	struct btr_iterator *itr = btr_hdl2itr(ih);

	return btr_itr_move(ih, false, itr != NULL ? itr->it_intent : 0);
}

int
dbtree_iter_next_with_intent(daos_handle_t ih, uint32_t intent)
{
	return btr_itr_move(ih, true, intent);
}

int
dbtree_iter_prev_with_intent(daos_handle_t ih, uint32_t intent)
{
	return btr_itr_move(ih, false, intent);
}

/* Make sure the iterator stands on a record. */
static int
btr_itr_current(struct btr_iterator *itr)
{
	switch (itr->it_state) {
	case BTR_ITR_READY:
		return 0;
	case BTR_ITR_DETACHED:
		return btr_itr_reattach(itr, BTR_PROBE_EQ, itr->it_intent);
	case BTR_ITR_FINI:
		return -DER_NONEXIST;
	default:
		return -DER_NO_PERM;
	}
}

int
dbtree_iter_fetch(daos_handle_t ih, d_iov_t *key, d_iov_t *val, daos_anchor_t *anchor)
{
	struct btr_iterator *itr = btr_hdl2itr(ih);
	struct btr_context *tcx;
	struct btr_record *rec;
	int rc;

	if (itr == NULL)
		return -DER_NO_HDL;
	rc = btr_itr_current(itr);
	if (rc != 0)
		return rc;
	tcx = itr->it_tcx;
	rec = btr_path_rec(tcx, &itr->it_path);
	if (key != NULL || val != NULL) {
		rc = btr_ops(tcx)->to_rec_fetch(&tcx->tc_tins, rec, key, val);
		if (rc != 0)
			return rc;
	}
	if (anchor != NULL)
		rc = btr_rec_anchor(tcx, rec, anchor);
	return rc;
}

int
dbtree_iter_delete(daos_handle_t ih, void *args)
{
	struct btr_iterator *itr = btr_hdl2itr(ih);
	struct btr_context *tcx;
	int rc;

	if (itr == NULL)
		return -DER_NO_HDL;
	rc = btr_itr_current(itr);
	if (rc != 0)
		return rc;
	tcx = itr->it_tcx;
	/* other iterators keep their keys; this one keeps the deleted key to step from */
	tcx->tc_probe_valid = false;
	btr_iters_detach(tcx, itr);
	rc = btr_rec_anchor(tcx, btr_path_rec(tcx, &itr->it_path), &itr->it_anchor);
	if (rc != 0)
		return rc;
	itr->it_state = BTR_ITR_DETACHED;

	rc = btr_tx_begin(tcx);
	if (rc != 0)
		return rc;
	rc = btr_delete_at(tcx, &itr->it_path, args);
	return btr_tx_end(tcx, rc);
}

int
dbtree_iter_empty(daos_handle_t ih)
{
	struct btr_iterator *itr = btr_hdl2itr(ih);

	if (itr == NULL)
		return -DER_NO_HDL;
	return btr_root(itr->it_tcx)->tr_depth == 0;
}

int
dbtree_iterate(daos_handle_t toh, uint32_t intent, bool backward, dbtree_iterate_cb_t cb, void *arg)
{
	struct btr_context *tcx = btr_hdl2tcx(toh);
	daos_handle_t ih;
	int rc;

	if (tcx == NULL)
		return -DER_NO_HDL;
	if (cb == NULL)
		return -DER_INVAL;
	rc = dbtree_iter_prepare(toh, BTR_ITER_EMBEDDED, &ih);
	if (rc == -DER_BUSY)
		rc = dbtree_iter_prepare(toh, 0, &ih);
	if (rc != 0)
		return rc;

	rc = dbtree_iter_probe(ih, backward ? BTR_PROBE_LAST : BTR_PROBE_FIRST, intent, NULL, NULL);
	while (rc == 0) {
		d_iov_t key, val;

		d_iov_set(&key, NULL, 0);
		d_iov_set(&val, NULL, 0);
		rc = dbtree_iter_fetch(ih, &key, &val, NULL);
		if (rc != 0)
			break;
		rc = cb(ih, &key, &val, arg);
		if (rc != 0)
			break;
		rc = backward ? dbtree_iter_prev(ih) : dbtree_iter_next(ih);
	}
	if (rc == -DER_NONEXIST || rc == 1)
		rc = 0;
	dbtree_iter_finish(ih);
	return rc;
}
