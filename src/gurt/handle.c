/**
 * Handle table (d_hhash) and UUID table (d_uhash), both built on the generic
 * hash table with reference counted records (struct d_rlink).
 *
 * Handle cookies are (counter << D_HTYPE_BITS) | type with a per-table 60-bit
 * counter that only grows, so a cookie is never handed out twice: a stale
 * cookie of a deleted object finds nothing instead of a newer object. Pointer
 * type (D_HTYPE_PTR) links get cookies from the same counter rather than their
 * address, for the same reason.
 */
#define D_LOGFAC DD_FAC(gurt)

#include <gurt/common.h>
#include <gurt/hash.h>

/* ------------------------------------------------------------------------
 * Reference counted links. Counts are atomic because rwlock tables change
 * them under a shared lock.
 * ------------------------------------------------------------------------ */

static inline struct d_rlink *
link2rlink(d_list_t *link)
{
	return container_of(link, struct d_rlink, rl_link);
}

static void
rl_init(struct d_rlink *rlink)
{
	D_INIT_LIST_HEAD(&rlink->rl_link);
	rlink->rl_initialized = 1;
	/* the caller's reference */
	__atomic_store_n(&rlink->rl_ref, 1, __ATOMIC_RELEASE);
}

static void
rl_addref(struct d_rlink *rlink)
{
	__atomic_add_fetch(&rlink->rl_ref, 1, __ATOMIC_RELAXED);
}

/* True when the last reference went; an extra drop is logged and ignored. */
static bool
rl_decref(struct d_rlink *rlink)
{
	uint32_t old = __atomic_load_n(&rlink->rl_ref, __ATOMIC_ACQUIRE);

	do {
		if (old == 0) {
			D_ERROR("reference count of %p dropped below zero\n", rlink);
			return false;
		}
	} while (!__atomic_compare_exchange_n(&rlink->rl_ref, &old, old - 1, true, __ATOMIC_ACQ_REL,
					      __ATOMIC_ACQUIRE));
	return old == 1;
}

static bool
rl_empty(struct d_rlink *rlink)
{
	if (!rlink->rl_initialized)
		return true;
	return d_hash_rec_unlinked(&rlink->rl_link);
}

/* ------------------------------------------------------------------------
 * Handle table
 * ------------------------------------------------------------------------ */

struct d_hhash {
	struct d_hash_table ch_htable;
	/** next cookie counter value; only grows */
	uint64_t ch_cookie;
	bool ch_ptrtype;
};

static inline struct d_hlink *
link2hlink(d_list_t *link)
{
	return container_of(link2rlink(link), struct d_hlink, hl_link);
}

/* Consecutive cookies differ in the counter, so the counter spreads them evenly. */
static uint32_t
hh_key_hash(struct d_hash_table *htable, const void *key, unsigned int ksize)
{
	uint64_t k;

	memcpy(&k, key, sizeof(k));
	return (uint32_t)(k >> D_HTYPE_BITS);
}

static bool
hh_key_cmp(struct d_hash_table *htable, d_list_t *link, const void *key, unsigned int ksize)
{
	uint64_t k;

	if (ksize != sizeof(k))
		return false;
	memcpy(&k, key, sizeof(k));
	return link2hlink(link)->hl_key == k;
}

static uint32_t
hh_rec_hash(struct d_hash_table *htable, d_list_t *link)
{
	return (uint32_t)(link2hlink(link)->hl_key >> D_HTYPE_BITS);
}

static void
hh_rec_addref(struct d_hash_table *htable, d_list_t *link)
{
	rl_addref(link2rlink(link));
}

static bool
hh_rec_decref(struct d_hash_table *htable, d_list_t *link)
{
	return rl_decref(link2rlink(link));
}

static void
hh_rec_free(struct d_hash_table *htable, d_list_t *link)
{
	struct d_hlink *hlink = link2hlink(link);

	if (hlink->hl_ops != NULL && hlink->hl_ops->hop_free != NULL)
		hlink->hl_ops->hop_free(hlink);
}

static d_hash_table_ops_t hh_ops = {
	.hop_key_hash = hh_key_hash,
	.hop_key_cmp = hh_key_cmp,
	.hop_rec_hash = hh_rec_hash,
	.hop_rec_addref = hh_rec_addref,
	.hop_rec_decref = hh_rec_decref,
	.hop_rec_free = hh_rec_free,
};

int
d_hhash_create(uint32_t feats, uint32_t bits, struct d_hhash **hhash_pp)
{
	struct d_hhash *hhash;
	int rc;

	if (hhash_pp == NULL)
		return -DER_INVAL;
	*hhash_pp = NULL;
	D_ALLOC_PTR(hhash);
	if (hhash == NULL)
		return -DER_NOMEM;
	/* Cookies come from an atomic counter: key init needs no table-wide lock. */
	rc = d_hash_table_create_inplace(feats | D_HASH_FT_NO_KEYINIT_LOCK, bits, NULL, &hh_ops,
					 &hhash->ch_htable);
	if (rc != 0) {
		D_FREE(hhash);
		return rc;
	}
	hhash->ch_cookie = 1;
	*hhash_pp = hhash;
	return 0;
}

void
d_hhash_destroy(struct d_hhash *hhash)
{
	if (hhash == NULL)
		return;
	d_hash_table_debug(&hhash->ch_htable);
	d_hash_table_destroy_inplace(&hhash->ch_htable, true);
	D_FREE(hhash);
}

static int
hh_nonempty_cb(d_list_t *link, void *arg)
{
	return 1;
}

int
d_hhash_set_ptrtype(struct d_hhash *hhash)
{
	if (hhash == NULL)
		return -DER_INVAL;
	if (!hhash->ch_ptrtype && d_hash_table_traverse(&hhash->ch_htable, hh_nonempty_cb, NULL)) {
		D_ERROR("handle table %p already holds non-pointer handles\n", hhash);
		return -DER_ALREADY;
	}
	hhash->ch_ptrtype = true;
	return 0;
}

bool
d_hhash_is_ptrtype(struct d_hhash *hhash)
{
	return hhash != NULL && hhash->ch_ptrtype;
}

void
d_hhash_hlink_init(struct d_hlink *hlink, struct d_hlink_ops *hl_ops)
{
	if (hlink == NULL)
		return;
	hlink->hl_key = 0;
	hlink->hl_ops = hl_ops;
	rl_init(&hlink->hl_link);
}

void
d_hhash_link_insert(struct d_hhash *hhash, struct d_hlink *hlink, int type)
{
	uint64_t seq;
	int rc;

	if (hhash == NULL || hlink == NULL || !hlink->hl_link.rl_initialized) {
		D_ERROR("insert of an uninitialised handle link %p\n", hlink);
		return;
	}
	if (type < 0 || (uint64_t)type > D_HTYPE_MASK) {
		D_ERROR("handle type %d does not fit in %d bits\n", type, D_HTYPE_BITS);
		return;
	}
	if (type == D_HTYPE_PTR && !hhash->ch_ptrtype) {
		D_ERROR("pointer type handle in a table without d_hhash_set_ptrtype()\n");
		return;
	}
	if (!d_list_empty(&hlink->hl_link.rl_link)) {
		D_ERROR("handle link %p is already in a table\n", hlink);
		return;
	}

	seq = __atomic_fetch_add(&hhash->ch_cookie, 1, __ATOMIC_RELAXED);
	hlink->hl_key = (seq << D_HTYPE_BITS) | (uint64_t)type;
	/* The cookie is new, so no record can have it: no need for exclusive. */
	rc = d_hash_rec_insert(&hhash->ch_htable, &hlink->hl_key, sizeof(hlink->hl_key),
			       &hlink->hl_link.rl_link, false);
	D_ASSERTF(rc == 0, "handle insert failed: %d", rc);
}

bool
d_hhash_key_isptr(uint64_t key)
{
	return (key & 0x1) == 0;
}

int
d_hhash_key_type(uint64_t key)
{
	return d_hhash_key_isptr(key) ? D_HTYPE_PTR : (int)(key & D_HTYPE_MASK);
}

struct d_hlink *
d_hhash_link_lookup(struct d_hhash *hhash, uint64_t key)
{
	d_list_t *link;

	/* 0 is DAOS_HDL_INVAL; the counter starts at 1 so no link has it. */
	if (hhash == NULL || key == 0)
		return NULL;
	if (d_hhash_key_isptr(key) && !hhash->ch_ptrtype)
		return NULL;
	link = d_hash_rec_find(&hhash->ch_htable, &key, sizeof(key));
	return link == NULL ? NULL : link2hlink(link);
}

bool
d_hhash_link_delete(struct d_hhash *hhash, struct d_hlink *hlink)
{
	if (hhash == NULL || hlink == NULL || !hlink->hl_link.rl_initialized)
		return false;
	return d_hash_rec_delete_at(&hhash->ch_htable, &hlink->hl_link.rl_link);
}

void
d_hhash_link_getref(struct d_hhash *hhash, struct d_hlink *hlink)
{
	if (hhash == NULL || hlink == NULL)
		return;
	d_hash_rec_addref(&hhash->ch_htable, &hlink->hl_link.rl_link);
}

void
d_hhash_link_putref(struct d_hhash *hhash, struct d_hlink *hlink)
{
	if (hhash == NULL || hlink == NULL)
		return;
	d_hash_rec_decref(&hhash->ch_htable, &hlink->hl_link.rl_link);
}

bool
d_hhash_link_empty(struct d_hlink *hlink)
{
	return hlink == NULL || rl_empty(&hlink->hl_link);
}

void
d_hhash_link_key(struct d_hlink *hlink, uint64_t *key)
{
	if (hlink != NULL && key != NULL)
		*key = hlink->hl_key;
}

/* ------------------------------------------------------------------------
 * UUID table. The lookup key is a bundle of the UUID and the caller's extra
 * comparison argument.
 * ------------------------------------------------------------------------ */

struct uh_key {
	struct d_uuid *uuid;
	void *cmp_args;
};

static inline struct d_ulink *
link2ulink(d_list_t *link)
{
	return container_of(link2rlink(link), struct d_ulink, ul_link);
}

static uint32_t
uh_key_hash(struct d_hash_table *htable, const void *key, unsigned int ksize)
{
	const struct uh_key *k = key;

	return d_hash_string_u32((const char *)k->uuid->uuid, sizeof(uuid_t));
}

static bool
uh_key_cmp(struct d_hash_table *htable, d_list_t *link, const void *key, unsigned int ksize)
{
	const struct uh_key *k = key;
	struct d_ulink *ulink = link2ulink(link);

	if (ksize != sizeof(*k) || uuid_compare(ulink->ul_uuid.uuid, k->uuid->uuid) != 0)
		return false;
	if (ulink->ul_ops != NULL && ulink->ul_ops->uop_cmp != NULL)
		return ulink->ul_ops->uop_cmp(ulink, k->cmp_args);
	return true;
}

static uint32_t
uh_rec_hash(struct d_hash_table *htable, d_list_t *link)
{
	return d_hash_string_u32((const char *)link2ulink(link)->ul_uuid.uuid, sizeof(uuid_t));
}

static void
uh_rec_addref(struct d_hash_table *htable, d_list_t *link)
{
	rl_addref(link2rlink(link));
}

static bool
uh_rec_decref(struct d_hash_table *htable, d_list_t *link)
{
	return rl_decref(link2rlink(link));
}

static void
uh_rec_free(struct d_hash_table *htable, d_list_t *link)
{
	struct d_ulink *ulink = link2ulink(link);

	if (ulink->ul_ops != NULL && ulink->ul_ops->uop_free != NULL)
		ulink->ul_ops->uop_free(ulink);
}

static d_hash_table_ops_t uh_ops = {
	.hop_key_hash = uh_key_hash,
	.hop_key_cmp = uh_key_cmp,
	.hop_rec_hash = uh_rec_hash,
	.hop_rec_addref = uh_rec_addref,
	.hop_rec_decref = uh_rec_decref,
	.hop_rec_free = uh_rec_free,
};

int
d_uhash_create(uint32_t feats, uint32_t bits, struct d_hash_table **htable)
{
	return d_hash_table_create(feats, bits, NULL, &uh_ops, htable);
}

void
d_uhash_destroy(struct d_hash_table *htable)
{
	if (htable != NULL)
		d_hash_table_destroy(htable, true);
}

void
d_uhash_ulink_init(struct d_ulink *ulink, struct d_ulink_ops *ul_ops)
{
	if (ulink == NULL)
		return;
	ulink->ul_ops = ul_ops;
	rl_init(&ulink->ul_link);
}

bool
d_uhash_link_empty(struct d_ulink *ulink)
{
	return ulink == NULL || rl_empty(&ulink->ul_link);
}

bool
d_uhash_link_last_ref(struct d_ulink *ulink)
{
	return ulink != NULL && __atomic_load_n(&ulink->ul_link.rl_ref, __ATOMIC_ACQUIRE) == 1;
}

void
d_uhash_link_addref(struct d_hash_table *htable, struct d_ulink *ulink)
{
	if (ulink != NULL)
		d_hash_rec_addref(htable, &ulink->ul_link.rl_link);
}

void
d_uhash_link_putref(struct d_hash_table *htable, struct d_ulink *ulink)
{
	if (ulink != NULL)
		d_hash_rec_decref(htable, &ulink->ul_link.rl_link);
}

void
d_uhash_link_delete(struct d_hash_table *htable, struct d_ulink *ulink)
{
	if (ulink != NULL)
		d_hash_rec_delete_at(htable, &ulink->ul_link.rl_link);
}

int
d_uhash_link_insert(struct d_hash_table *htable, struct d_uuid *key, void *cmp_args,
		    struct d_ulink *ulink)
{
	struct uh_key k = {.uuid = key, .cmp_args = cmp_args};

	if (htable == NULL || key == NULL || ulink == NULL || !ulink->ul_link.rl_initialized)
		return -DER_INVAL;
	uuid_copy(ulink->ul_uuid.uuid, key->uuid);
	return d_hash_rec_insert(htable, &k, sizeof(k), &ulink->ul_link.rl_link, true);
}

struct d_ulink *
d_uhash_link_lookup(struct d_hash_table *htable, struct d_uuid *key, void *cmp_args)
{
	struct uh_key k = {.uuid = key, .cmp_args = cmp_args};
	d_list_t *link;

	if (htable == NULL || key == NULL)
		return NULL;
	link = d_hash_rec_find(htable, &k, sizeof(k));
	return link == NULL ? NULL : link2ulink(link);
}
