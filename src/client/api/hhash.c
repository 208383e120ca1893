/**
 * The client's handle table (see daos/hhash.h).
 */
#define D_LOGFAC DD_FAC(client)

#include <pthread.h>
#include <gurt/common.h>
#include <daos/hhash.h>

/* A handful of EQs and pools, thousands of objects: 2^12 buckets is plenty. */
#define DAOS_HHASH_BITS 12

static pthread_mutex_t hh_lock = PTHREAD_MUTEX_INITIALIZER;
static int hh_ref;
/* Read without hh_lock on every lookup; written only by init/fini. */
static struct d_hhash *hh_table;

int
daos_hhash_init(void)
{
	struct d_hhash *hh;
	int rc = 0;

	pthread_mutex_lock(&hh_lock);
	if (hh_ref > 0) {
		hh_ref++;
		goto out;
	}
	rc = d_hhash_create(D_HASH_FT_GLOCK | D_HASH_FT_RWLOCK, DAOS_HHASH_BITS, &hh);
	if (rc != 0) {
		D_ERROR("cannot create the handle table: %d\n", rc);
		goto out;
	}
	__atomic_store_n(&hh_table, hh, __ATOMIC_RELEASE);
	hh_ref = 1;
out:
	pthread_mutex_unlock(&hh_lock);
	return rc;
}

void
daos_hhash_fini(void)
{
	struct d_hhash *hh = NULL;

	pthread_mutex_lock(&hh_lock);
	if (hh_ref == 0) {
		pthread_mutex_unlock(&hh_lock);
		return;
	}
	if (--hh_ref == 0) {
		hh = hh_table;
		__atomic_store_n(&hh_table, NULL, __ATOMIC_RELEASE);
	}
	pthread_mutex_unlock(&hh_lock);
	if (hh != NULL)
		d_hhash_destroy(hh);
}

int
daos_hhash_reset_after_fork(void)
{
	struct d_hhash *hh;
	int rc;

	/*
	 * The parent's table may have been locked by a thread that does not exist
	 * here, so it is abandoned, not destroyed.
	 */
	pthread_mutex_init(&hh_lock, NULL);
	rc = d_hhash_create(D_HASH_FT_GLOCK | D_HASH_FT_RWLOCK, DAOS_HHASH_BITS, &hh);
	if (rc != 0)
		return rc;
	__atomic_store_n(&hh_table, hh, __ATOMIC_RELEASE);
	if (hh_ref == 0)
		hh_ref = 1;
	return 0;
}

static struct d_hhash *
hh_get(void)
{
	return __atomic_load_n(&hh_table, __ATOMIC_ACQUIRE);
}

void
daos_hhash_hlink_init(struct d_hlink *hlink, struct d_hlink_ops *ops)
{
	d_hhash_hlink_init(hlink, ops);
}

void
daos_hhash_link_insert(struct d_hlink *hlink, int type)
{
	d_hhash_link_insert(hh_get(), hlink, type);
}

struct d_hlink *
daos_hhash_link_lookup(uint64_t key)
{
	struct d_hhash *hh = hh_get();

	if (hh == NULL)
		return NULL;
	return d_hhash_link_lookup(hh, key);
}

void
daos_hhash_link_getref(struct d_hlink *hlink)
{
	d_hhash_link_getref(hh_get(), hlink);
}

void
daos_hhash_link_putref(struct d_hlink *hlink)
{
	d_hhash_link_putref(hh_get(), hlink);
}

bool
daos_hhash_link_delete(struct d_hlink *hlink)
{
	return d_hhash_link_delete(hh_get(), hlink);
}

bool
daos_hhash_link_empty(struct d_hlink *hlink)
{
	return d_hhash_link_empty(hlink);
}

void
daos_hhash_link_key(struct d_hlink *hlink, uint64_t *key)
{
	d_hhash_link_key(hlink, key);
}
