/*
 * In-process metrics registry (d_tm_* API): the tree, producers and readers. The text
 * output (listing, Prometheus) is in telemetry_export.c.
 *
 * The tree of nodes and the two lookup tables (by path, and by exported name) are
 * guarded by one rwlock: writers add and delete nodes, readers find, iterate and export.
 * Metric values are plain 64-bit words updated with atomics, so producers never take the
 * lock; a reader may see the fields of one metric from slightly different instants, which
 * is fine for monitoring.
 */
#define D_LOGFAC DD_FAC(telem)

#include <math.h>
#include <pthread.h>
#include <stdarg.h>

#include <gurt/common.h>
#include <gurt/telemetry.h>

#include "telemetry_internal.h"

#define TM_SHIFT_NONE UINT64_MAX

/* A chained hash table over tm_node, keyed by one of its string fields. */
struct tm_htab {
	struct tm_node **ht_buckets;
	size_t ht_nbuckets;
	size_t ht_count;
	size_t ht_key_off;
	size_t ht_next_off;
};

struct d_tm_context {
	int tc_id;
};

static struct {
	pthread_rwlock_t lock;
	struct tm_node *root;
	struct tm_htab by_path;
	struct tm_htab by_flat;
	/* deleted subtrees: readers may still hold their nodes, so free them at fini */
	struct tm_node *graveyard;
	int id;
} tm_reg = {.lock = PTHREAD_RWLOCK_INITIALIZER};

/* Serialises init/fini and guards the reference count. */
static pthread_mutex_t tm_init_lock = PTHREAD_MUTEX_INITIALIZER;
static int tm_refcount;

/*
 * The extra names telemetry_export.c writes after a metric's own, and the types that
 * have them (a histogram may be added to any gauge or duration later, so its names are
 * reserved from the start).
 */
static const struct {
	const char *sfx;
	int types;
} tm_suffixes[] = {
	{"_min", TM_STATS},        {"_max", TM_STATS},     {"_mean", TM_STATS},
	{"_stddev", TM_STATS},     {"_sum", TM_STATS},     {"_samples", TM_STATS},
	{"_hist_bucket", TM_HIST}, {"_hist_sum", TM_HIST}, {"_hist_count", TM_HIST},
};

/* ------------------------------------------------------------------------------------
 * Lookup tables
 * ---------------------------------------------------------------------------------- */

#define HT_KEY(ht, n)  (*(char **)((char *)(n) + (ht)->ht_key_off))
#define HT_NEXT(ht, n) (*(struct tm_node **)((char *)(n) + (ht)->ht_next_off))

static uint64_t
tm_str_hash(const char *s)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	for (; *s != '\0'; s++) {
		h ^= (unsigned char)*s;
		h *= 0x100000001b3ULL;
	}
	return h;
}

static int
tm_htab_init(struct tm_htab *ht, size_t key_off, size_t next_off)
{
	ht->ht_nbuckets = 64;
	ht->ht_count = 0;
	ht->ht_key_off = key_off;
	ht->ht_next_off = next_off;
	D_ALLOC_ARRAY(ht->ht_buckets, ht->ht_nbuckets);
	return ht->ht_buckets == NULL ? -DER_NOMEM : 0;
}

static void
tm_htab_fini(struct tm_htab *ht)
{
	D_FREE(ht->ht_buckets);
	ht->ht_nbuckets = 0;
	ht->ht_count = 0;
}

static struct tm_node *
tm_htab_find(struct tm_htab *ht, const char *key)
{
	struct tm_node *n = ht->ht_buckets[tm_str_hash(key) & (ht->ht_nbuckets - 1)];

	for (; n != NULL; n = HT_NEXT(ht, n))
		if (strcmp(HT_KEY(ht, n), key) == 0)
			return n;
	return NULL;
}

/* Grow when the chains average more than one entry; a failed grow only costs speed. */
static void
tm_htab_grow(struct tm_htab *ht)
{
	struct tm_node **buckets;
	size_t nbuckets = ht->ht_nbuckets * 2;
	size_t i;

	D_ALLOC_ARRAY(buckets, nbuckets);
	if (buckets == NULL)
		return;
	for (i = 0; i < ht->ht_nbuckets; i++) {
		struct tm_node *n = ht->ht_buckets[i];

		while (n != NULL) {
			struct tm_node *next = HT_NEXT(ht, n);
			size_t b = tm_str_hash(HT_KEY(ht, n)) & (nbuckets - 1);

			HT_NEXT(ht, n) = buckets[b];
			buckets[b] = n;
			n = next;
		}
	}
	D_FREE(ht->ht_buckets);
	ht->ht_buckets = buckets;
	ht->ht_nbuckets = nbuckets;
}

static void
tm_htab_insert(struct tm_htab *ht, struct tm_node *n)
{
	size_t b;

	if (ht->ht_count >= ht->ht_nbuckets)
		tm_htab_grow(ht);
	b = tm_str_hash(HT_KEY(ht, n)) & (ht->ht_nbuckets - 1);
	HT_NEXT(ht, n) = ht->ht_buckets[b];
	ht->ht_buckets[b] = n;
	ht->ht_count++;
}

static void
tm_htab_remove(struct tm_htab *ht, struct tm_node *n)
{
	struct tm_node **link = &ht->ht_buckets[tm_str_hash(HT_KEY(ht, n)) & (ht->ht_nbuckets - 1)];

	for (; *link != NULL; link = &HT_NEXT(ht, *link)) {
		if (*link == n) {
			*link = HT_NEXT(ht, n);
			HT_NEXT(ht, n) = NULL;
			ht->ht_count--;
			return;
		}
	}
}

/* ------------------------------------------------------------------------------------
 * Nodes
 * ---------------------------------------------------------------------------------- */

static void
tm_hist_free(struct tm_hist *h)
{
	if (h == NULL)
		return;
	D_FREE(h->th_min);
	D_FREE(h->th_max);
	D_FREE(h->th_count);
	D_FREE(h);
}

static void
tm_node_free(struct tm_node *n)
{
	struct d_tm_node_t *child;

	if (n == NULL)
		return;
	child = n->tn_pub.dtn_child;
	while (child != NULL) {
		struct d_tm_node_t *next = child->dtn_sibling;

		tm_node_free(tm_node(child));
		child = next;
	}
	if (n->tn_pub.dtn_metric != NULL) {
		tm_hist_free(n->tn_pub.dtn_metric->tm_hist);
		D_FREE(n->tn_pub.dtn_metric->tm_desc);
		D_FREE(n->tn_pub.dtn_metric->tm_units);
		D_FREE(n->tn_pub.dtn_metric);
	}
	D_FREE(n->tn_pub.dtn_name);
	D_FREE(n->tn_path);
	D_FREE(n->tn_flat);
	D_FREE(n);
}

/* Exported-name form of a path: every character outside [A-Za-z0-9_:] becomes '_'. */
static char *
tm_flatten(const char *path)
{
	char *flat;
	size_t i;

	D_STRNDUP(flat, path, D_TM_MAX_NAME_LEN);
	if (flat == NULL)
		return NULL;
	for (i = 0; flat[i] != '\0'; i++) {
		unsigned char c = flat[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '_' || c == ':'))
			flat[i] = '_';
	}
	return flat;
}

static struct tm_node *
tm_node_alloc(const char *path, size_t path_len, int type, const char *desc, const char *units)
{
	struct tm_node *n;
	struct d_tm_metric_t *m;
	const char *name;

	D_ALLOC_PTR(n);
	if (n == NULL)
		return NULL;
	D_STRNDUP(n->tn_path, path, path_len);
	if (n->tn_path == NULL)
		goto fail;
	name = strrchr(n->tn_path, '/');
	name = name == NULL ? n->tn_path : name + 1;
	D_STRNDUP(n->tn_pub.dtn_name, name, D_TM_MAX_NAME_LEN);
	if (n->tn_pub.dtn_name == NULL)
		goto fail;
	n->tn_pub.dtn_type = type;
	if (type == D_TM_DIRECTORY)
		return n;

	n->tn_flat = tm_flatten(n->tn_path);
	if (n->tn_flat == NULL)
		goto fail;
	/* Own cache line: hot counters of different metrics must not share one. */
	D_ALIGNED_ALLOC(m, 64, sizeof(*m));
	if (m == NULL)
		goto fail;
	memset(m, 0, sizeof(*m));
	n->tn_pub.dtn_metric = m;
	m->tm_min = UINT64_MAX;
	m->tm_shift = TM_SHIFT_NONE;
	if (desc != NULL && desc[0] != '\0') {
		D_STRNDUP(m->tm_desc, desc, D_TM_MAX_DESC_LEN);
		if (m->tm_desc == NULL)
			goto fail;
	}
	if (units != NULL && units[0] != '\0') {
		D_STRNDUP(m->tm_units, units, D_TM_MAX_UNIT_LEN);
		if (m->tm_units == NULL)
			goto fail;
	}
	return n;
fail:
	tm_node_free(n);
	return NULL;
}

static void
tm_node_link(struct tm_node *parent, struct tm_node *n)
{
	n->tn_pub.dtn_parent = &parent->tn_pub;
	if (parent->tn_last_child == NULL)
		parent->tn_pub.dtn_child = &n->tn_pub;
	else
		parent->tn_last_child->tn_pub.dtn_sibling = &n->tn_pub;
	parent->tn_last_child = n;
	tm_htab_insert(&tm_reg.by_path, n);
	if (n->tn_flat != NULL)
		tm_htab_insert(&tm_reg.by_flat, n);
}

/* Remove \a n and its subtree from the lookup tables (the tree links stay intact). */
static void
tm_subtree_unhash(struct tm_node *n)
{
	struct d_tm_node_t *child;

	tm_htab_remove(&tm_reg.by_path, n);
	if (n->tn_flat != NULL)
		tm_htab_remove(&tm_reg.by_flat, n);
	for (child = n->tn_pub.dtn_child; child != NULL; child = child->dtn_sibling)
		tm_subtree_unhash(tm_node(child));
}

static void
tm_node_unlink(struct tm_node *n)
{
	struct tm_node *parent = tm_node(n->tn_pub.dtn_parent);
	struct d_tm_node_t **link = &parent->tn_pub.dtn_child;
	struct d_tm_node_t *prev = NULL;

	while (*link != &n->tn_pub) {
		prev = *link;
		link = &(*link)->dtn_sibling;
	}
	*link = n->tn_pub.dtn_sibling;
	if (parent->tn_last_child == n)
		parent->tn_last_child = prev == NULL ? NULL : tm_node(prev);
	n->tn_pub.dtn_sibling = NULL;
}

/* ------------------------------------------------------------------------------------
 * Paths and types
 * ---------------------------------------------------------------------------------- */

/* Print the path into \a buf and return a pointer to its normalised form within it. */
static int
tm_build_path(char *buf, const char *fmt, va_list ap, char **path)
{
	char *p;
	int n;

	if (fmt == NULL)
		return -DER_INVAL;
	n = vsnprintf(buf, D_TM_MAX_NAME_LEN, fmt, ap);
	if (n < 0)
		return -DER_INVAL;
	if (n >= D_TM_MAX_NAME_LEN) {
		D_ERROR("metric path longer than %d: %.64s...", D_TM_MAX_NAME_LEN - 1, buf);
		return -DER_EXCEEDS_PATH_LEN;
	}

	p = buf[0] == '/' ? buf + 1 : buf;
	if (*p == '\0') {
		D_ERROR("empty metric path");
		return -DER_INVAL;
	}
	for (n = 0; p[n] != '\0'; n++) {
		unsigned char c = p[n];

		if (c == '/' && (p[n + 1] == '/' || p[n + 1] == '\0')) {
			D_ERROR("empty component in metric path '%s'", buf);
			return -DER_INVAL;
		}
		if (c <= ' ' || c == 0x7f || c == '"' || c == '\\') {
			D_ERROR("bad character 0x%02x in metric path '%s'", c, buf);
			return -DER_INVAL;
		}
	}
	*path = p;
	return 0;
}

static int
tm_check_type(int *type)
{
	int base = *type & ~TM_CLOCKS;
	int clk = *type & TM_CLOCKS;

	if (base == D_TM_LINK || base == D_TM_MEMINFO)
		return -DER_NOSYS;
	if (base != D_TM_DIRECTORY && base != D_TM_COUNTER && base != D_TM_TIMESTAMP &&
	    base != D_TM_TIMER_SNAPSHOT && base != D_TM_DURATION && base != D_TM_GAUGE &&
	    base != D_TM_STATS_GAUGE)
		return -DER_INVAL;
	if (clk != 0 &&
	    ((base != D_TM_DURATION && base != D_TM_TIMER_SNAPSHOT) || (clk & (clk - 1)) != 0))
		return -DER_INVAL;
	if (clk == 0 && (base == D_TM_DURATION || base == D_TM_TIMER_SNAPSHOT))
		clk = D_TM_CLOCK_REALTIME;
	*type = base | clk;
	return 0;
}

static bool
tm_flat_taken_suffixed(const char *flat, const char *suffix)
{
	char name[D_TM_MAX_NAME_LEN + 32];

	snprintf(name, sizeof(name), "%s%s", flat, suffix);
	return tm_htab_find(&tm_reg.by_flat, name) != NULL;
}

/*
 * Would a leaf with exported name \a flat and \a type clash with an existing one? Stats
 * metrics also export <name>_min etc., so those names count as taken too.
 */
static bool
tm_flat_clash(const char *flat, int type)
{
	size_t flen = strlen(flat);
	size_t i;

	if (tm_htab_find(&tm_reg.by_flat, flat) != NULL)
		return true;
	for (i = 0; i < ARRAY_SIZE(tm_suffixes); i++) {
		const char *sfx = tm_suffixes[i].sfx;
		size_t slen = strlen(sfx);
		struct tm_node *base;
		char stem[D_TM_MAX_NAME_LEN];

		/* The new metric's extra names are taken... */
		if ((type & tm_suffixes[i].types) && tm_flat_taken_suffixed(flat, sfx))
			return true;
		/* ...or its own name is an extra name of an existing metric. */
		if (flen <= slen || strcmp(flat + flen - slen, sfx) != 0)
			continue;
		memcpy(stem, flat, flen - slen);
		stem[flen - slen] = '\0';
		base = tm_htab_find(&tm_reg.by_flat, stem);
		if (base != NULL && (tm_base_type(&base->tn_pub) & tm_suffixes[i].types))
			return true;
	}
	return false;
}

/* Find or create the node at \a path. Called with the write lock held. */
static int
tm_find_or_create(char *path, int type, const char *desc, const char *units, struct tm_node **out)
{
	struct tm_node *parent = tm_reg.root;
	struct tm_node *n;
	size_t len = strlen(path);
	size_t end;
	char saved;

	n = tm_htab_find(&tm_reg.by_path, path);
	if (n != NULL) {
		if (n->tn_pub.dtn_type != type) {
			D_ERROR("metric '%s' exists as %s (0x%x), not %s (0x%x)", path,
				d_tm_type_str(n->tn_pub.dtn_type), n->tn_pub.dtn_type,
				d_tm_type_str(type), type);
			return -DER_OP_NOT_PERMITTED;
		}
		*out = n;
		return 0;
	}

	/* Check the whole path before creating anything, so a refusal leaves no residue. */
	for (end = 0; end < len; end++) {
		if (path[end] != '/')
			continue;
		path[end] = '\0';
		n = tm_htab_find(&tm_reg.by_path, path);
		path[end] = '/';
		if (n != NULL && n->tn_pub.dtn_type != D_TM_DIRECTORY) {
			D_ERROR("cannot add '%s': '%.*s' is a metric", path, (int)end, path);
			return -DER_NOTDIR;
		}
	}
	if (type != D_TM_DIRECTORY) {
		char *flat = tm_flatten(path);
		bool clash;

		if (flat == NULL)
			return -DER_NOMEM;
		clash = tm_flat_clash(flat, type);
		if (clash)
			D_ERROR("metric '%s' would export under the same name as another", path);
		D_FREE(flat);
		if (clash)
			return -DER_EXIST;
	}

	for (end = 0; end <= len; end++) {
		int ntype;

		if (end < len && path[end] != '/')
			continue;
		saved = path[end];
		path[end] = '\0';
		n = tm_htab_find(&tm_reg.by_path, path);
		path[end] = saved;
		if (n == NULL) {
			ntype = end == len ? type : D_TM_DIRECTORY;
			n = tm_node_alloc(path, end, ntype, end == len ? desc : NULL,
					  end == len ? units : NULL);
			if (n == NULL)
				return -DER_NOMEM;
			tm_node_link(parent, n);
		}
		parent = n;
	}
	*out = n;
	return 0;
}

static int
tm_add_va(struct d_tm_node_t **node, int type, const char *desc, const char *units, const char *fmt,
	  va_list ap)
{
	struct tm_node *n = NULL;
	char buf[D_TM_MAX_NAME_LEN];
	char *path;
	int rc;

	if (node != NULL)
		*node = NULL;
	rc = tm_check_type(&type);
	if (rc != 0) {
		D_ERROR("unsupported metric type 0x%x: %d", type, rc);
		return rc;
	}
	if ((desc != NULL && strnlen(desc, D_TM_MAX_DESC_LEN) >= D_TM_MAX_DESC_LEN) ||
	    (units != NULL && strnlen(units, D_TM_MAX_UNIT_LEN) >= D_TM_MAX_UNIT_LEN)) {
		D_ERROR("metric description or units too long");
		return -DER_EXCEEDS_PATH_LEN;
	}
	rc = tm_build_path(buf, fmt, ap, &path);
	if (rc != 0)
		return rc;

	pthread_rwlock_wrlock(&tm_reg.lock);
	if (tm_reg.root == NULL)
		rc = -DER_UNINIT;
	else
		rc = tm_find_or_create(path, type, desc, units, &n);
	pthread_rwlock_unlock(&tm_reg.lock);

	if (rc == 0 && node != NULL)
		*node = &n->tn_pub;
	return rc;
}

/* ------------------------------------------------------------------------------------
 * Producer API
 * ---------------------------------------------------------------------------------- */

int
d_tm_init(int id, uint64_t mem_size, int flags)
{
	return d_tm_init_with_name(id, mem_size, flags, NULL);
}

int
d_tm_init_with_name(int id, uint64_t mem_size, int flags, const char *root_name)
{
	struct tm_node *root = NULL;
	int rc = 0;

	if (root_name != NULL && strnlen(root_name, D_TM_MAX_NAME_LEN) >= D_TM_MAX_NAME_LEN)
		return -DER_EXCEEDS_PATH_LEN;

	pthread_mutex_lock(&tm_init_lock);
	if (tm_refcount > 0) {
		tm_refcount++;
		goto out;
	}

	D_ALLOC_PTR(root);
	if (root == NULL)
		D_GOTO(out, rc = -DER_NOMEM);
	root->tn_path = strdup("");
	root->tn_pub.dtn_name = strdup(root_name == NULL ? "" : root_name);
	root->tn_pub.dtn_type = D_TM_DIRECTORY;
	if (root->tn_path == NULL || root->tn_pub.dtn_name == NULL)
		D_GOTO(out, rc = -DER_NOMEM);
	rc = tm_htab_init(&tm_reg.by_path, offsetof(struct tm_node, tn_path),
			  offsetof(struct tm_node, tn_next_path));
	if (rc != 0)
		goto out;
	rc = tm_htab_init(&tm_reg.by_flat, offsetof(struct tm_node, tn_flat),
			  offsetof(struct tm_node, tn_next_flat));
	if (rc != 0) {
		tm_htab_fini(&tm_reg.by_path);
		goto out;
	}
	tm_htab_insert(&tm_reg.by_path, root);

	pthread_rwlock_wrlock(&tm_reg.lock);
	tm_reg.root = root;
	tm_reg.graveyard = NULL;
	tm_reg.id = id;
	pthread_rwlock_unlock(&tm_reg.lock);
	root = NULL;
	tm_refcount = 1;
	D_INFO("telemetry registry %d initialised", id);
out:
	pthread_mutex_unlock(&tm_init_lock);
	tm_node_free(root);
	return rc;
}

void
d_tm_fini(void)
{
	struct tm_node *root;
	struct tm_node *grave;

	pthread_mutex_lock(&tm_init_lock);
	if (tm_refcount == 0 || --tm_refcount > 0) {
		pthread_mutex_unlock(&tm_init_lock);
		return;
	}

	pthread_rwlock_wrlock(&tm_reg.lock);
	root = tm_reg.root;
	grave = tm_reg.graveyard;
	tm_reg.root = NULL;
	tm_reg.graveyard = NULL;
	tm_htab_fini(&tm_reg.by_path);
	tm_htab_fini(&tm_reg.by_flat);
	pthread_rwlock_unlock(&tm_reg.lock);
	pthread_mutex_unlock(&tm_init_lock);

	tm_node_free(root);
	while (grave != NULL) {
		struct tm_node *next = grave->tn_next_grave;

		tm_node_free(grave);
		grave = next;
	}
}

int
d_tm_add_metric(struct d_tm_node_t **node, int metric_type, char *desc, char *units,
		const char *fmt, ...)
{
	va_list ap;
	int rc;

	if (node == NULL)
		return -DER_INVAL;
	if ((metric_type & ~TM_CLOCKS) == D_TM_DIRECTORY) {
		*node = NULL;
		return -DER_INVAL;
	}
	va_start(ap, fmt);
	rc = tm_add_va(node, metric_type, desc, units, fmt, ap);
	va_end(ap);
	return rc;
}

int
d_tm_add_ephemeral_dir(struct d_tm_node_t **node, size_t size_bytes, const char *fmt, ...)
{
	char buf[D_TM_MAX_NAME_LEN];
	char *path;
	struct tm_node *n = NULL;
	va_list ap;
	int rc;

	if (node != NULL)
		*node = NULL;
	va_start(ap, fmt);
	rc = tm_build_path(buf, fmt, ap, &path);
	va_end(ap);
	if (rc != 0)
		return rc;

	pthread_rwlock_wrlock(&tm_reg.lock);
	if (tm_reg.root == NULL)
		rc = -DER_UNINIT;
	else if (tm_htab_find(&tm_reg.by_path, path) != NULL)
		rc = -DER_EXIST;
	else
		rc = tm_find_or_create(path, D_TM_DIRECTORY, NULL, NULL, &n);
	pthread_rwlock_unlock(&tm_reg.lock);

	if (rc == 0 && node != NULL)
		*node = &n->tn_pub;
	return rc;
}

int
d_tm_del_ephemeral_dir(const char *fmt, ...)
{
	char buf[D_TM_MAX_NAME_LEN];
	char *path;
	struct tm_node *n;
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = tm_build_path(buf, fmt, ap, &path);
	va_end(ap);
	if (rc != 0)
		return rc;

	pthread_rwlock_wrlock(&tm_reg.lock);
	if (tm_reg.root == NULL)
		D_GOTO(out, rc = -DER_UNINIT);
	n = tm_htab_find(&tm_reg.by_path, path);
	if (n == NULL)
		D_GOTO(out, rc = -DER_NONEXIST);
	if (n->tn_pub.dtn_type != D_TM_DIRECTORY)
		D_GOTO(out, rc = -DER_NOTDIR);
	tm_node_unlink(n);
	tm_subtree_unhash(n);
	n->tn_next_grave = tm_reg.graveyard;
	tm_reg.graveyard = n;
out:
	pthread_rwlock_unlock(&tm_reg.lock);
	return rc;
}

static bool
tm_is(struct d_tm_node_t *node, int base, const char *op)
{
	if (node == NULL)
		return false;
	if (!(tm_base_type(node) & base)) {
		D_ERROR("%s on %s metric '%s'", op, d_tm_type_str(node->dtn_type), node->dtn_name);
		return false;
	}
	return true;
}

static void
tm_add_double(uint64_t *bits, double v)
{
	uint64_t cur = __atomic_load_n(bits, __ATOMIC_RELAXED);
	uint64_t next;
	double d;

	do {
		memcpy(&d, &cur, sizeof(d));
		d += v;
		memcpy(&next, &d, sizeof(next));
	} while (!__atomic_compare_exchange_n(bits, &cur, next, true, __ATOMIC_RELAXED,
					      __ATOMIC_RELAXED));
}

static double
tm_load_double(uint64_t *bits)
{
	uint64_t raw = __atomic_load_n(bits, __ATOMIC_RELAXED);
	double d;

	memcpy(&d, &raw, sizeof(d));
	return d;
}

static void
tm_stats_add(struct d_tm_metric_t *m, uint64_t x)
{
	uint64_t shift = __atomic_load_n(&m->tm_shift, __ATOMIC_ACQUIRE);
	uint64_t cur;
	double d;

	if (shift == TM_SHIFT_NONE) {
		/* The first sample becomes the shift; racing threads all adopt the winner's. */
		uint64_t want = x == TM_SHIFT_NONE ? x - 1 : x;

		shift = TM_SHIFT_NONE;
		if (__atomic_compare_exchange_n(&m->tm_shift, &shift, want, false, __ATOMIC_ACQ_REL,
						__ATOMIC_ACQUIRE))
			shift = want;
	}
	d = x >= shift ? (double)(x - shift) : -(double)(shift - x);
	tm_add_double(&m->tm_ssum_bits, d);
	tm_add_double(&m->tm_ssq_bits, d * d);

	cur = __atomic_load_n(&m->tm_min, __ATOMIC_RELAXED);
	while (x < cur && !__atomic_compare_exchange_n(&m->tm_min, &cur, x, true, __ATOMIC_RELAXED,
						       __ATOMIC_RELAXED))
		;
	cur = __atomic_load_n(&m->tm_max, __ATOMIC_RELAXED);
	while (x > cur && !__atomic_compare_exchange_n(&m->tm_max, &cur, x, true, __ATOMIC_RELAXED,
						       __ATOMIC_RELAXED))
		;
	__atomic_fetch_add(&m->tm_sum, x, __ATOMIC_RELAXED);
	__atomic_fetch_add(&m->tm_count, 1, __ATOMIC_RELEASE);
}

void
tm_stats_read(struct d_tm_metric_t *m, struct d_tm_stats_t *st)
{
	uint64_t n = __atomic_load_n(&m->tm_count, __ATOMIC_ACQUIRE);
	double s1;
	double m2;

	memset(st, 0, sizeof(*st));
	if (n == 0)
		return;
	s1 = tm_load_double(&m->tm_ssum_bits);
	m2 = tm_load_double(&m->tm_ssq_bits) - s1 * s1 / (double)n;
	st->sample_size = n;
	st->dtm_min = __atomic_load_n(&m->tm_min, __ATOMIC_RELAXED);
	st->dtm_max = __atomic_load_n(&m->tm_max, __ATOMIC_RELAXED);
	st->dtm_sum = __atomic_load_n(&m->tm_sum, __ATOMIC_RELAXED);
	st->mean = (double)__atomic_load_n(&m->tm_shift, __ATOMIC_RELAXED) + s1 / (double)n;
	/* Rounding, or fields read a moment apart, can push m2 slightly below zero. */
	st->sum_of_squares = m2 > 0 ? m2 : 0;
	st->std_dev = n > 1 ? sqrt(st->sum_of_squares / (double)(n - 1)) : 0;
}

/* Count \a x in the histogram of \a m, if it has one. */
static void
tm_hist_add(struct d_tm_metric_t *m, uint64_t x)
{
	struct tm_hist *h = __atomic_load_n(&m->tm_hist, __ATOMIC_ACQUIRE);
	int lo;
	int hi;

	if (h == NULL)
		return;
	/* Binary search for the bucket whose range holds x; the last one is open-ended. */
	lo = 0;
	hi = h->th_nr - 1;
	while (lo < hi) {
		int mid = (lo + hi) / 2;

		if (x > h->th_max[mid])
			lo = mid + 1;
		else
			hi = mid;
	}
	__atomic_fetch_add(&h->th_count[lo], 1, __ATOMIC_RELAXED);
	__atomic_fetch_add(&h->th_sum, x, __ATOMIC_RELAXED);
}

int
d_tm_init_histogram(struct d_tm_node_t *node, char *path, int num_buckets, int initial_width,
		    int multiplier, const char *unit)
{
	struct tm_hist *h;
	struct tm_hist *expected = NULL;
	uint64_t width;
	uint64_t min = 0;
	int i;

	if (node == NULL)
		return -DER_METRIC_NOT_FOUND;
	if (!(tm_base_type(node) & TM_HIST))
		return -DER_OP_NOT_PERMITTED;
	if (num_buckets < 1 || num_buckets > D_TM_MAX_BUCKETS || initial_width < 1 ||
	    multiplier < 1) {
		D_ERROR("bad histogram for '%s': %d buckets, width %d, multiplier %d",
			node->dtn_name, num_buckets, initial_width, multiplier);
		return -DER_INVAL;
	}

	D_ALLOC_PTR(h);
	if (h == NULL)
		return -DER_NOMEM;
	h->th_nr = num_buckets;
	h->th_initial_width = initial_width;
	h->th_multiplier = multiplier;
	D_ALLOC_ARRAY(h->th_min, num_buckets);
	D_ALLOC_ARRAY(h->th_max, num_buckets);
	D_ALLOC_ARRAY(h->th_count, num_buckets);
	if (h->th_min == NULL || h->th_max == NULL || h->th_count == NULL) {
		tm_hist_free(h);
		return -DER_NOMEM;
	}
	/* Widths grow geometrically; once a bound would overflow, the rest start at the top. */
	width = (uint64_t)initial_width;
	for (i = 0; i < num_buckets; i++) {
		h->th_min[i] = min;
		if (i == num_buckets - 1 || min > UINT64_MAX - width) {
			h->th_max[i] = UINT64_MAX;
		} else {
			h->th_max[i] = min + width - 1;
			min += width;
			width = width > UINT64_MAX / (uint64_t)multiplier ? UINT64_MAX
									  : width * multiplier;
		}
		if (h->th_max[i] == UINT64_MAX) {
			/* Later buckets would be empty ranges: drop them. */
			h->th_nr = i + 1;
			break;
		}
	}

	/* Publish once; producers pick it up without a lock. */
	if (!__atomic_compare_exchange_n(&node->dtn_metric->tm_hist, &expected, h, false,
					 __ATOMIC_RELEASE, __ATOMIC_RELAXED)) {
		tm_hist_free(h);
		return -DER_EXIST;
	}
	return 0;
}

int
d_tm_get_num_buckets(struct d_tm_context *ctx, struct d_tm_histogram_t *histogram,
		     struct d_tm_node_t *node)
{
	struct tm_hist *h;

	if (node == NULL)
		return -DER_METRIC_NOT_FOUND;
	if (histogram == NULL)
		return -DER_INVAL;
	if (node->dtn_metric == NULL)
		return -DER_OP_NOT_PERMITTED;
	h = __atomic_load_n(&node->dtn_metric->tm_hist, __ATOMIC_ACQUIRE);
	if (h == NULL)
		return -DER_OP_NOT_PERMITTED;
	histogram->dth_buckets = NULL;
	histogram->dth_num_buckets = h->th_nr;
	histogram->dth_initial_width = h->th_initial_width;
	histogram->dth_value_multiplier = h->th_multiplier;
	return 0;
}

int
d_tm_get_bucket_range(struct d_tm_context *ctx, struct d_tm_bucket_t *bucket, int bucket_id,
		      struct d_tm_node_t *node)
{
	struct tm_hist *h;

	if (node == NULL)
		return -DER_METRIC_NOT_FOUND;
	if (bucket == NULL)
		return -DER_INVAL;
	if (node->dtn_metric == NULL)
		return -DER_OP_NOT_PERMITTED;
	h = __atomic_load_n(&node->dtn_metric->tm_hist, __ATOMIC_ACQUIRE);
	if (h == NULL)
		return -DER_OP_NOT_PERMITTED;
	if (bucket_id < 0 || bucket_id >= h->th_nr)
		return -DER_INVAL;
	bucket->dtb_min = h->th_min[bucket_id];
	bucket->dtb_max = h->th_max[bucket_id];
	bucket->dtb_bucket = NULL;
	bucket->dtb_count = __atomic_load_n(&h->th_count[bucket_id], __ATOMIC_RELAXED);
	return 0;
}

void
d_tm_set_counter(struct d_tm_node_t *metric, uint64_t value)
{
	if (tm_is(metric, D_TM_COUNTER, "set_counter"))
		__atomic_store_n(&metric->dtn_metric->tm_value, value, __ATOMIC_RELAXED);
}

void
d_tm_inc_counter(struct d_tm_node_t *metric, uint64_t value)
{
	if (tm_is(metric, D_TM_COUNTER, "inc_counter"))
		__atomic_fetch_add(&metric->dtn_metric->tm_value, value, __ATOMIC_RELAXED);
}

/* Read a clock for \a clk (a D_TM_CLOCK_* bit) in ns; \a interval picks the monotonic clock
 * for wall time, since durations must not jump with clock adjustments.
 */
static uint64_t
tm_clock_ns(int clk, bool interval)
{
	struct timespec ts;
	clockid_t id;

	switch (clk) {
	case D_TM_CLOCK_PROCESS_CPUTIME:
		id = CLOCK_PROCESS_CPUTIME_ID;
		break;
	case D_TM_CLOCK_THREAD_CPUTIME:
		id = CLOCK_THREAD_CPUTIME_ID;
		break;
	default:
		id = interval ? CLOCK_MONOTONIC : CLOCK_REALTIME;
		break;
	}
	if (clock_gettime(id, &ts) != 0)
		return 0;
	return (uint64_t)ts.tv_sec * NSEC_PER_SEC + (uint64_t)ts.tv_nsec;
}

static int
tm_pick_clock(struct d_tm_node_t *metric, int clk_id)
{
	if (clk_id == D_TM_CLOCK_REALTIME || clk_id == D_TM_CLOCK_PROCESS_CPUTIME ||
	    clk_id == D_TM_CLOCK_THREAD_CPUTIME)
		return clk_id;
	return metric->dtn_type & TM_CLOCKS;
}

void
d_tm_record_timestamp(struct d_tm_node_t *metric)
{
	if (tm_is(metric, D_TM_TIMESTAMP, "record_timestamp"))
		__atomic_store_n(&metric->dtn_metric->tm_value,
				 tm_clock_ns(D_TM_CLOCK_REALTIME, false), __ATOMIC_RELAXED);
}

void
d_tm_take_timer_snapshot(struct d_tm_node_t *metric, int clk_id)
{
	if (tm_is(metric, D_TM_TIMER_SNAPSHOT, "take_timer_snapshot"))
		__atomic_store_n(&metric->dtn_metric->tm_value,
				 tm_clock_ns(tm_pick_clock(metric, clk_id), false),
				 __ATOMIC_RELAXED);
}

void
d_tm_record_duration(struct d_tm_node_t *metric, uint64_t nsec)
{
	if (!tm_is(metric, D_TM_DURATION, "record_duration"))
		return;
	__atomic_store_n(&metric->dtn_metric->tm_value, nsec, __ATOMIC_RELAXED);
	tm_stats_add(metric->dtn_metric, nsec / NSEC_PER_USEC);
	tm_hist_add(metric->dtn_metric, nsec / NSEC_PER_USEC);
}

void
d_tm_mark_duration_start(struct d_tm_node_t *metric, int clk_id)
{
	struct d_tm_metric_t *m;
	int clk;

	if (!tm_is(metric, D_TM_DURATION, "mark_duration_start"))
		return;
	m = metric->dtn_metric;
	clk = tm_pick_clock(metric, clk_id);
	__atomic_store_n(&m->tm_start_clock, clk, __ATOMIC_RELAXED);
	__atomic_store_n(&m->tm_start, tm_clock_ns(clk, true) + 1, __ATOMIC_RELEASE);
}

void
d_tm_mark_duration_end(struct d_tm_node_t *metric)
{
	struct d_tm_metric_t *m;
	uint64_t start;
	uint64_t now;

	if (!tm_is(metric, D_TM_DURATION, "mark_duration_end"))
		return;
	m = metric->dtn_metric;
	start = __atomic_exchange_n(&m->tm_start, 0, __ATOMIC_ACQUIRE);
	if (start == 0) {
		D_ERROR("duration '%s' ended without a start: %d", metric->dtn_name,
			-DER_DURATION_MISMATCH);
		return;
	}
	now = tm_clock_ns(__atomic_load_n(&m->tm_start_clock, __ATOMIC_RELAXED), true);
	d_tm_record_duration(metric, now >= start - 1 ? now - (start - 1) : 0);
}

void
d_tm_set_gauge(struct d_tm_node_t *metric, uint64_t value)
{
	if (!tm_is(metric, D_TM_GAUGE | D_TM_STATS_GAUGE, "set_gauge"))
		return;
	__atomic_store_n(&metric->dtn_metric->tm_value, value, __ATOMIC_RELAXED);
	if (tm_base_type(metric) == D_TM_STATS_GAUGE)
		tm_stats_add(metric->dtn_metric, value);
	tm_hist_add(metric->dtn_metric, value);
}

void
d_tm_inc_gauge(struct d_tm_node_t *metric, uint64_t value)
{
	uint64_t now;

	if (!tm_is(metric, D_TM_GAUGE | D_TM_STATS_GAUGE, "inc_gauge"))
		return;
	now = __atomic_add_fetch(&metric->dtn_metric->tm_value, value, __ATOMIC_RELAXED);
	if (tm_base_type(metric) == D_TM_STATS_GAUGE)
		tm_stats_add(metric->dtn_metric, now);
	tm_hist_add(metric->dtn_metric, now);
}

void
d_tm_dec_gauge(struct d_tm_node_t *metric, uint64_t value)
{
	uint64_t now;

	if (!tm_is(metric, D_TM_GAUGE | D_TM_STATS_GAUGE, "dec_gauge"))
		return;
	now = __atomic_sub_fetch(&metric->dtn_metric->tm_value, value, __ATOMIC_RELAXED);
	if (tm_base_type(metric) == D_TM_STATS_GAUGE)
		tm_stats_add(metric->dtn_metric, now);
	tm_hist_add(metric->dtn_metric, now);
}

/* ------------------------------------------------------------------------------------
 * Consumer API
 * ---------------------------------------------------------------------------------- */

struct d_tm_context *
d_tm_open(int id)
{
	struct d_tm_context *ctx;
	bool up;

	pthread_rwlock_rdlock(&tm_reg.lock);
	up = tm_reg.root != NULL;
	pthread_rwlock_unlock(&tm_reg.lock);
	if (!up)
		return NULL;
	D_ALLOC_PTR(ctx);
	if (ctx != NULL)
		ctx->tc_id = id;
	return ctx;
}

void
d_tm_close(struct d_tm_context **ctx)
{
	if (ctx != NULL)
		D_FREE(*ctx);
}

struct d_tm_node_t *
d_tm_get_root(struct d_tm_context *ctx)
{
	struct tm_node *root;

	pthread_rwlock_rdlock(&tm_reg.lock);
	root = tm_reg.root;
	pthread_rwlock_unlock(&tm_reg.lock);
	return root == NULL ? NULL : &root->tn_pub;
}

struct d_tm_node_t *
d_tm_find_metric(struct d_tm_context *ctx, char *path)
{
	struct tm_node *n = NULL;

	if (path == NULL)
		return NULL;
	if (path[0] == '/')
		path++;
	pthread_rwlock_rdlock(&tm_reg.lock);
	if (tm_reg.root != NULL)
		n = tm_htab_find(&tm_reg.by_path, path);
	pthread_rwlock_unlock(&tm_reg.lock);
	return n == NULL ? NULL : &n->tn_pub;
}

static int
tm_get_check(struct d_tm_node_t *node, const void *out, int base)
{
	if (node == NULL)
		return -DER_METRIC_NOT_FOUND;
	if (out == NULL)
		return -DER_INVAL;
	if (!(tm_base_type(node) & base))
		return -DER_OP_NOT_PERMITTED;
	return 0;
}

int
d_tm_get_counter(struct d_tm_context *ctx, uint64_t *val, struct d_tm_node_t *node)
{
	int rc = tm_get_check(node, val, D_TM_COUNTER);

	if (rc == 0)
		*val = __atomic_load_n(&node->dtn_metric->tm_value, __ATOMIC_RELAXED);
	return rc;
}

int
d_tm_get_timestamp(struct d_tm_context *ctx, time_t *val, struct d_tm_node_t *node)
{
	int rc = tm_get_check(node, val, D_TM_TIMESTAMP);

	if (rc == 0)
		*val = (time_t)(__atomic_load_n(&node->dtn_metric->tm_value, __ATOMIC_RELAXED) /
				NSEC_PER_SEC);
	return rc;
}

int
d_tm_get_timer_snapshot(struct d_tm_context *ctx, struct timespec *tms, struct d_tm_node_t *node)
{
	int rc = tm_get_check(node, tms, D_TM_TIMER_SNAPSHOT);
	uint64_t ns;

	if (rc == 0) {
		ns = __atomic_load_n(&node->dtn_metric->tm_value, __ATOMIC_RELAXED);
		tms->tv_sec = (time_t)(ns / NSEC_PER_SEC);
		tms->tv_nsec = (long)(ns % NSEC_PER_SEC);
	}
	return rc;
}

int
d_tm_get_gauge(struct d_tm_context *ctx, uint64_t *val, struct d_tm_stats_t *stats,
	       struct d_tm_node_t *node)
{
	int rc = tm_get_check(node, val, D_TM_GAUGE | D_TM_STATS_GAUGE);

	if (rc != 0)
		return rc;
	*val = __atomic_load_n(&node->dtn_metric->tm_value, __ATOMIC_RELAXED);
	if (stats != NULL) {
		if (tm_base_type(node) == D_TM_STATS_GAUGE)
			tm_stats_read(node->dtn_metric, stats);
		else
			memset(stats, 0, sizeof(*stats));
	}
	return 0;
}

int
d_tm_get_duration(struct d_tm_context *ctx, struct timespec *tms, struct d_tm_stats_t *stats,
		  struct d_tm_node_t *node)
{
	int rc = tm_get_check(node, tms, D_TM_DURATION);
	uint64_t ns;

	if (rc != 0)
		return rc;
	ns = __atomic_load_n(&node->dtn_metric->tm_value, __ATOMIC_RELAXED);
	tms->tv_sec = (time_t)(ns / NSEC_PER_SEC);
	tms->tv_nsec = (long)(ns % NSEC_PER_SEC);
	if (stats != NULL)
		tm_stats_read(node->dtn_metric, stats);
	return 0;
}

int
d_tm_get_metadata(struct d_tm_context *ctx, char **desc, char **units, struct d_tm_node_t *node)
{
	struct d_tm_metric_t *m;

	if (node == NULL)
		return -DER_METRIC_NOT_FOUND;
	if (desc == NULL && units == NULL)
		return -DER_INVAL;
	m = node->dtn_metric;
	if (m == NULL)
		return -DER_OP_NOT_PERMITTED;
	if (desc != NULL) {
		*desc = m->tm_desc == NULL ? NULL : strdup(m->tm_desc);
		if (m->tm_desc != NULL && *desc == NULL)
			return -DER_NOMEM;
	}
	if (units != NULL) {
		*units = m->tm_units == NULL ? NULL : strdup(m->tm_units);
		if (m->tm_units != NULL && *units == NULL) {
			if (desc != NULL)
				D_FREE(*desc);
			return -DER_NOMEM;
		}
	}
	return 0;
}

char *
d_tm_get_name(struct d_tm_context *ctx, struct d_tm_node_t *node)
{
	return node == NULL ? NULL : node->dtn_name;
}

int
d_tm_get_path(struct d_tm_node_t *node, char *buf, size_t len)
{
	size_t plen;

	if (node == NULL || buf == NULL || len == 0)
		return -DER_INVAL;
	plen = strlen(tm_node(node)->tn_path);
	if (plen >= len)
		return -DER_TRUNC;
	memcpy(buf, tm_node(node)->tn_path, plen + 1);
	return 0;
}

const char *
d_tm_type_str(int type)
{
	switch (type & ~TM_CLOCKS) {
	case D_TM_DIRECTORY:
		return "directory";
	case D_TM_COUNTER:
		return "counter";
	case D_TM_TIMESTAMP:
		return "timestamp";
	case D_TM_TIMER_SNAPSHOT:
		return "snapshot";
	case D_TM_DURATION:
		return "duration";
	case D_TM_GAUGE:
		return "gauge";
	case D_TM_STATS_GAUGE:
		return "gauge_stats";
	case D_TM_LINK:
		return "link";
	case D_TM_MEMINFO:
		return "meminfo";
	default:
		return "unknown";
	}
}

static void
tm_walk(struct d_tm_context *ctx, struct tm_node *n, int level, int filter, int format,
	int opt_fields, d_tm_iter_cb_t cb, void *arg)
{
	struct d_tm_node_t *child;

	if (n->tn_pub.dtn_type & filter)
		cb(ctx, &n->tn_pub, level, n->tn_path, format, opt_fields, arg);
	for (child = n->tn_pub.dtn_child; child != NULL; child = child->dtn_sibling)
		tm_walk(ctx, tm_node(child), level + 1, filter, format, opt_fields, cb, arg);
}

void
d_tm_iterate(struct d_tm_context *ctx, struct d_tm_node_t *node, int level, int filter, char *path,
	     int format, int opt_fields, d_tm_iter_cb_t iter_cb, void *cb_arg)
{
	if (iter_cb == NULL)
		return;
	pthread_rwlock_rdlock(&tm_reg.lock);
	if (tm_reg.root != NULL)
		tm_walk(ctx, node == NULL ? tm_reg.root : tm_node(node), level, filter, format,
			opt_fields, iter_cb, cb_arg);
	pthread_rwlock_unlock(&tm_reg.lock);
}

static void
tm_count_cb(struct d_tm_context *ctx, struct d_tm_node_t *node, int level, char *path, int format,
	    int opt_fields, void *arg)
{
	(*(uint64_t *)arg)++;
}

int
tm_walk_all(int filter, d_tm_iter_cb_t cb, void *arg)
{
	int rc = 0;

	pthread_rwlock_rdlock(&tm_reg.lock);
	if (tm_reg.root != NULL)
		tm_walk(NULL, tm_reg.root, 0, filter, 0, 0, cb, arg);
	else
		rc = -DER_UNINIT;
	pthread_rwlock_unlock(&tm_reg.lock);
	return rc;
}

static void
tm_list_cb(struct d_tm_context *ctx, struct d_tm_node_t *node, int level, char *path, int format,
	   int opt_fields, void *arg)
{
	struct d_tm_nodeList_t ***tail = arg;
	struct d_tm_nodeList_t *item;

	/* After a failed allocation the rest of the walk only skips. */
	if (*tail == NULL)
		return;
	D_ALLOC_PTR(item);
	if (item == NULL) {
		*tail = NULL;
		return;
	}
	item->dtnl_node = node;
	**tail = item;
	*tail = &item->dtnl_next;
}

int
d_tm_list(struct d_tm_context *ctx, struct d_tm_nodeList_t **head, struct d_tm_node_t *node,
	  int d_tm_type)
{
	struct d_tm_nodeList_t *list = NULL;
	struct d_tm_nodeList_t **tail = &list;

	if (head == NULL)
		return -DER_INVAL;
	d_tm_iterate(ctx, node, 0, d_tm_type, NULL, 0, 0, tm_list_cb, &tail);
	if (tail == NULL) {
		d_tm_list_free(list);
		return -DER_NOMEM;
	}
	/* Append, as upstream does, so callers can gather several subtrees in one list. */
	while (*head != NULL)
		head = &(*head)->dtnl_next;
	*head = list;
	return 0;
}

void
d_tm_list_free(struct d_tm_nodeList_t *list)
{
	while (list != NULL) {
		struct d_tm_nodeList_t *next = list->dtnl_next;

		D_FREE(list);
		list = next;
	}
}

int
d_tm_get_version(void)
{
	return D_TM_VERSION;
}

uint64_t
d_tm_count_metrics(struct d_tm_context *ctx, struct d_tm_node_t *node, int filter)
{
	uint64_t count = 0;

	d_tm_iterate(ctx, node, 0, filter, NULL, 0, 0, tm_count_cb, &count);
	return count;
}
