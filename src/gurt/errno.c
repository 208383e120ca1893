/**
 * Error names and descriptions. The GURT and DAOS ranges come from the lists
 * in daos_errno.h; other libraries may register ranges of their own. Lookups
 * take a read lock so that a range can be removed while others print errors.
 */
#define D_LOGFAC DD_FAC(gurt)

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#include <gurt/common.h>

#define ERR_NAME(name, value, desc) #name,
#define ERR_DESC(name, value, desc) #desc,

#define ERR_TABLES(rname, base)                                                         \
	static const char *const rname##_names[] = {D_FOREACH_##rname##_ERR(ERR_NAME)}; \
	static const char *const rname##_descs[] = {D_FOREACH_##rname##_ERR(ERR_DESC)};

D_FOREACH_ERR_RANGE(ERR_TABLES)

/* The lists must be dense: code N of a range is entry N - base - 1 of its tables. */
#define ERR_CHECK_DENSE(rname, base)           \
	D_CASSERT(ARRAY_SIZE(rname##_names) == \
		  DER_ERR_##rname##_LIMIT - DER_ERR_##rname##_BASE - 1);
D_FOREACH_ERR_RANGE(ERR_CHECK_DENSE)

struct err_range {
	d_list_t er_link;
	int er_base;
	int er_limit;
	const char *const *er_names;
	const char *const *er_descs;
};

#define ERR_BUILTIN(rname, base)                     \
	{                                            \
		.er_base = DER_ERR_##rname##_BASE,   \
		.er_limit = DER_ERR_##rname##_LIMIT, \
		.er_names = rname##_names,           \
		.er_descs = rname##_descs,           \
	},

static struct err_range builtin_ranges[] = {D_FOREACH_ERR_RANGE(ERR_BUILTIN)};
static D_LIST_HEAD(registered_ranges);
static pthread_rwlock_t ranges_lock = PTHREAD_RWLOCK_INITIALIZER;

static const struct err_range *
builtin_lookup(int code)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(builtin_ranges); i++)
		if (code > builtin_ranges[i].er_base && code < builtin_ranges[i].er_limit)
			return &builtin_ranges[i];
	return NULL;
}

/* Name (want_desc false) or description of \a code, NULL if no range knows it. */
static const char *
err_lookup(int rc, bool want_desc)
{
	const struct err_range *r;
	const char *str = NULL;
	int code;

	if (rc == INT32_MIN)
		return NULL;
	code = rc < 0 ? -rc : rc;
	r = builtin_lookup(code);
	if (r != NULL)
		return want_desc ? r->er_descs[code - r->er_base - 1]
				 : r->er_names[code - r->er_base - 1];

	pthread_rwlock_rdlock(&ranges_lock);
	d_list_for_each_entry(r, &registered_ranges, er_link)
	{
		if (code > r->er_base && code < r->er_limit) {
			const char *const *tab = want_desc ? r->er_descs : r->er_names;

			if (tab != NULL)
				str = tab[code - r->er_base - 1];
			break;
		}
	}
	pthread_rwlock_unlock(&ranges_lock);
	return str;
}

const char *
d_errstr(int rc)
{
	const char *name;

	if (rc == 0)
		return "DER_SUCCESS";
	name = err_lookup(rc, false);
	return name != NULL ? name : "DER_UNKNOWN";
}

const char *
d_errdesc(int errnum)
{
	static __thread char buf[48];
	const char *desc;

	if (errnum == 0)
		return "Success";
	desc = err_lookup(errnum, true);
	if (desc != NULL)
		return desc;
	snprintf(buf, sizeof(buf), "Unknown error code %d", errnum);
	return buf;
}

static bool
ranges_overlap(int base, int limit, int base2, int limit2)
{
	return base < limit2 && base2 < limit;
}

int
d_errno_register_range(int start, int end, const char *const *error_strings,
		       const char *const *strerror)
{
	struct err_range *r;
	struct err_range *n;
	size_t i;
	int rc = 0;

	if (start < 0 || end <= start + 1 || (error_strings == NULL && strerror == NULL))
		return -DER_INVAL;
	for (i = 0; i < ARRAY_SIZE(builtin_ranges); i++)
		if (ranges_overlap(start, end, builtin_ranges[i].er_base,
				   builtin_ranges[i].er_limit))
			return -DER_EXIST;

	D_ALLOC_PTR(n);
	if (n == NULL)
		return -DER_NOMEM;
	n->er_base = start;
	n->er_limit = end;
	n->er_names = error_strings;
	n->er_descs = strerror;

	pthread_rwlock_wrlock(&ranges_lock);
	d_list_for_each_entry(r, &registered_ranges, er_link)
	{
		if (ranges_overlap(start, end, r->er_base, r->er_limit)) {
			rc = -DER_EXIST;
			break;
		}
	}
	if (rc == 0)
		d_list_add_tail(&n->er_link, &registered_ranges);
	pthread_rwlock_unlock(&ranges_lock);
	if (rc != 0) {
		D_ERROR("error range %d..%d overlaps a registered one", start, end);
		D_FREE(n);
	}
	return rc;
}

void
d_errno_deregister_range(int start)
{
	struct err_range *r;
	struct err_range *found = NULL;

	pthread_rwlock_wrlock(&ranges_lock);
	d_list_for_each_entry(r, &registered_ranges, er_link)
	{
		if (r->er_base == start) {
			d_list_del(&r->er_link);
			found = r;
			break;
		}
	}
	pthread_rwlock_unlock(&ranges_lock);
	D_FREE(found);
}
