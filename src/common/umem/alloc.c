/**
 * The heap allocator. Its whole state (page map, free-run bins, slab headers, counters) lives
 * inside the heap and every change goes through umem_tx_snap(), so allocator updates commit,
 * abort, log and replay together with the caller's data.
 *
 * Small sizes come from slabs: 16-page runs cut into equal blocks, with an allocation bitmap
 * in the slab header. Larger sizes take runs of whole pages. Free runs are kept in bins by
 * length and coalesced with their neighbours through the page map.
 */
#define D_LOGFAC DD_FAC(umem)

#include "umem_internal.h"

static const uint32_t umem_class_size[UMEM_NR_CLASSES] = {
	32,  48,  64,  80,  96,  112, 128,  160,  192,  224,  256,
	320, 384, 448, 512, 640, 768, 1024, 1536, 2048, 2560, 3584,
};

#define SNAP(pool, ptr, len)                                                                       \
	do {                                                                                       \
		int __rc = umem_tx_snap(pool, (uint64_t)((char *)(ptr) - (pool)->up_base), (len)); \
		if (__rc != 0)                                                                     \
			return __rc;                                                               \
	} while (0)

static uint32_t
slab_nblocks(uint32_t cls)
{
	uint32_t n = (UMEM_SLAB_PAGES * UMEM_PAGE_SIZE - UMEM_SLAB_HDR_SZ) / umem_class_size[cls];

	return min(n, (uint32_t)UMEM_SLAB_MAX_BLK);
}

static int
size2class(size_t size)
{
	int i;

	for (i = 0; i < UMEM_NR_CLASSES; i++)
		if (size <= umem_class_size[i])
			return i;
	return -1;
}

static int
len2bin(uint64_t n)
{
	int b;

	if (n <= 32)
		return (int)n - 1;
	b = 32 + (63 - __builtin_clzll(n)) - 5;
	return min(b, UMEM_NR_BINS - 1);
}

uint64_t
umem_heap_prefix(uint64_t size)
{
	uint64_t npages = size >> UMEM_PAGE_SHIFT;
	uint64_t map_pages =
		D_ALIGNUP(npages * sizeof(struct umem_pgmap), UMEM_PAGE_SIZE) >> UMEM_PAGE_SHIFT;

	/* header, meta, page map, first page of the initial free run */
	return (2 + map_pages + 1) << UMEM_PAGE_SHIFT;
}

void
umem_heap_format(char *base, uint64_t size)
{
	struct umem_meta *meta = (struct umem_meta *)(base + UMEM_PAGE_SIZE);
	struct umem_pgmap *map;
	struct umem_free_run *fr;
	uint64_t npages = size >> UMEM_PAGE_SHIFT;
	uint64_t arena = (umem_heap_prefix(size) >> UMEM_PAGE_SHIFT) - 1;
	uint64_t nfree = npages - arena;
	uint64_t p;

	meta->um_magic = UMEM_META_MAGIC;
	meta->um_npages = npages;
	meta->um_map_off = 2 * UMEM_PAGE_SIZE;
	meta->um_arena_page = arena;
	meta->um_free_pages = nfree;
	map = (struct umem_pgmap *)(base + meta->um_map_off);
	for (p = 0; p < arena; p++)
		map[p].pm_type = UMEM_PG_RSVD;
	map[arena].pm_type = UMEM_PG_FREE;
	map[arena].pm_npages = nfree;
	map[npages - 1].pm_type = UMEM_PG_FREE;
	map[npages - 1].pm_npages = nfree;
	fr = (struct umem_free_run *)(base + (arena << UMEM_PAGE_SHIFT));
	fr->fr_magic = UMEM_FREE_MAGIC;
	meta->um_bins[len2bin(nfree)] = arena << UMEM_PAGE_SHIFT;
}

static inline bool
page_ok(struct umem_pool *pool, uint64_t off)
{
	struct umem_meta *meta = umem_meta(pool);

	return D_IS_ALIGNED(off, UMEM_PAGE_SIZE) &&
	       (off >> UMEM_PAGE_SHIFT) >= meta->um_arena_page &&
	       (off >> UMEM_PAGE_SHIFT) < meta->um_npages;
}

static int
set_map(struct umem_pool *pool, uint64_t pg, uint8_t type, uint8_t cls, uint32_t n)
{
	struct umem_pgmap *e = &umem_pgmap(pool)[pg];

	SNAP(pool, e, sizeof(*e));
	e->pm_type = type;
	e->pm_class = cls;
	e->pm_pad = 0;
	e->pm_npages = n;
	return 0;
}

static int
bin_insert(struct umem_pool *pool, uint64_t start, uint64_t n)
{
	struct umem_meta *meta = umem_meta(pool);
	struct umem_free_run *fr = umem_p(pool, start << UMEM_PAGE_SHIFT);
	int b = len2bin(n);
	int rc;

	SNAP(pool, fr, sizeof(*fr));
	fr->fr_magic = UMEM_FREE_MAGIC;
	fr->fr_next = meta->um_bins[b];
	fr->fr_prev = 0;
	if (fr->fr_next != 0) {
		struct umem_free_run *head = umem_p(pool, fr->fr_next);

		SNAP(pool, &head->fr_prev, sizeof(head->fr_prev));
		head->fr_prev = start << UMEM_PAGE_SHIFT;
	}
	SNAP(pool, &meta->um_bins[b], sizeof(uint64_t));
	meta->um_bins[b] = start << UMEM_PAGE_SHIFT;
	rc = set_map(pool, start, UMEM_PG_FREE, 0, n);
	if (rc == 0)
		rc = set_map(pool, start + n - 1, UMEM_PG_FREE, 0, n);
	return rc;
}

static int
bin_remove(struct umem_pool *pool, uint64_t start, uint64_t n)
{
	struct umem_meta *meta = umem_meta(pool);
	uint64_t off = start << UMEM_PAGE_SHIFT;
	struct umem_free_run *fr = umem_p(pool, off);

	if (fr->fr_prev != 0) {
		struct umem_free_run *prev = umem_p(pool, fr->fr_prev);

		SNAP(pool, &prev->fr_next, sizeof(prev->fr_next));
		prev->fr_next = fr->fr_next;
	} else {
		int b = len2bin(n);

		if (meta->um_bins[b] != off) {
			D_ERROR("free run " DF_X64 " not at head of bin %d\n", off, b);
			return -DER_DF_INVAL;
		}
		SNAP(pool, &meta->um_bins[b], sizeof(uint64_t));
		meta->um_bins[b] = fr->fr_next;
	}
	if (fr->fr_next != 0) {
		struct umem_free_run *next = umem_p(pool, fr->fr_next);

		SNAP(pool, &next->fr_prev, sizeof(next->fr_prev));
		next->fr_prev = fr->fr_prev;
	}
	return 0;
}

/* Take \a n pages from the tail of the first free run that fits. */
static int
pages_alloc(struct umem_pool *pool, uint64_t n, uint64_t *start)
{
	struct umem_meta *meta = umem_meta(pool);
	struct umem_pgmap *map = umem_pgmap(pool);
	uint64_t cur = 0;
	uint64_t s, len;
	int b, rc;

	if (n == 0 || n > meta->um_free_pages)
		return -DER_NOSPACE;
	for (b = len2bin(n); b < UMEM_NR_BINS; b++) {
		for (cur = meta->um_bins[b]; cur != 0;
		     cur = ((struct umem_free_run *)umem_p(pool, cur))->fr_next) {
			if (map[cur >> UMEM_PAGE_SHIFT].pm_npages >= n)
				break;
		}
		if (cur != 0)
			break;
	}
	if (cur == 0)
		return -DER_NOSPACE;

	s = cur >> UMEM_PAGE_SHIFT;
	len = map[s].pm_npages;
	rc = bin_remove(pool, s, len);
	if (rc == 0 && len > n)
		rc = bin_insert(pool, s, len - n);
	if (rc != 0)
		return rc;
	SNAP(pool, &meta->um_free_pages, sizeof(uint64_t));
	meta->um_free_pages -= n;
	*start = s + len - n;
	return 0;
}

static int
pages_free(struct umem_pool *pool, uint64_t s, uint64_t n)
{
	struct umem_meta *meta = umem_meta(pool);
	struct umem_pgmap *map = umem_pgmap(pool);
	int rc;

	SNAP(pool, &meta->um_free_pages, sizeof(uint64_t));
	meta->um_free_pages += n;
	if (s - 1 >= meta->um_arena_page && map[s - 1].pm_type == UMEM_PG_FREE) {
		uint64_t plen = map[s - 1].pm_npages;

		rc = bin_remove(pool, s - plen, plen);
		if (rc != 0)
			return rc;
		s -= plen;
		n += plen;
	}
	if (s + n < meta->um_npages && map[s + n].pm_type == UMEM_PG_FREE) {
		uint64_t nlen = map[s + n].pm_npages;

		rc = bin_remove(pool, s + n, nlen);
		if (rc != 0)
			return rc;
		n += nlen;
	}
	return bin_insert(pool, s, n);
}

/* Mark [s, s+n) as one allocation of \a type. */
static int
map_claim(struct umem_pool *pool, uint64_t s, uint64_t n, uint8_t type, uint8_t cls)
{
	uint64_t i;
	int rc;

	rc = set_map(pool, s, type, cls, (uint32_t)n);
	for (i = 1; rc == 0 && i < n; i++)
		rc = set_map(pool, s + i, UMEM_PG_CONT, 0, (uint32_t)i);
	return rc;
}

static int
slab_link(struct umem_pool *pool, uint64_t soff, uint32_t cls)
{
	struct umem_meta *meta = umem_meta(pool);
	struct umem_slab *slab = umem_p(pool, soff);

	SNAP(pool, &slab->us_next, 2 * sizeof(uint64_t));
	slab->us_next = meta->um_partial[cls];
	slab->us_prev = 0;
	if (slab->us_next != 0) {
		struct umem_slab *head = umem_p(pool, slab->us_next);

		SNAP(pool, &head->us_prev, sizeof(uint64_t));
		head->us_prev = soff;
	}
	SNAP(pool, &meta->um_partial[cls], sizeof(uint64_t));
	meta->um_partial[cls] = soff;
	return 0;
}

static int
slab_unlink(struct umem_pool *pool, uint64_t soff, uint32_t cls)
{
	struct umem_meta *meta = umem_meta(pool);
	struct umem_slab *slab = umem_p(pool, soff);

	if (slab->us_prev != 0) {
		struct umem_slab *prev = umem_p(pool, slab->us_prev);

		SNAP(pool, &prev->us_next, sizeof(uint64_t));
		prev->us_next = slab->us_next;
	} else {
		SNAP(pool, &meta->um_partial[cls], sizeof(uint64_t));
		meta->um_partial[cls] = slab->us_next;
	}
	if (slab->us_next != 0) {
		struct umem_slab *next = umem_p(pool, slab->us_next);

		SNAP(pool, &next->us_prev, sizeof(uint64_t));
		next->us_prev = slab->us_prev;
	}
	return 0;
}

static int
slab_new(struct umem_pool *pool, uint32_t cls, uint64_t *soff)
{
	struct umem_meta *meta = umem_meta(pool);
	struct umem_slab *slab;
	uint64_t s;
	uint32_t nb = slab_nblocks(cls);
	int rc;

	rc = pages_alloc(pool, UMEM_SLAB_PAGES, &s);
	if (rc != 0)
		return rc;
	rc = map_claim(pool, s, UMEM_SLAB_PAGES, UMEM_PG_SLAB, (uint8_t)cls);
	if (rc != 0)
		return rc;
	*soff = s << UMEM_PAGE_SHIFT;
	slab = umem_p(pool, *soff);
	SNAP(pool, slab, sizeof(*slab));
	memset(slab, 0, sizeof(*slab));
	slab->us_magic = UMEM_SLAB_MAGIC;
	slab->us_class = cls;
	slab->us_nblocks = nb;
	slab->us_nfree = nb;
	SNAP(pool, &meta->um_slab_free, 2 * sizeof(uint64_t));
	meta->um_slab_free += (uint64_t)nb * umem_class_size[cls];
	meta->um_nr_slabs++;
	return slab_link(pool, *soff, cls);
}

static int
slab_alloc(struct umem_pool *pool, uint32_t cls, umem_off_t *off)
{
	struct umem_meta *meta = umem_meta(pool);
	struct umem_slab *slab;
	uint64_t soff = meta->um_partial[cls];
	uint32_t w, bit, idx;
	int rc;

	if (soff == 0) {
		rc = slab_new(pool, cls, &soff);
		if (rc != 0)
			return rc;
	}
	slab = umem_p(pool, soff);
	for (w = 0; w < UMEM_SLAB_MAX_BLK / 64; w++)
		if (slab->us_bitmap[w] != ~0ULL)
			break;
	bit = __builtin_ctzll(~slab->us_bitmap[w]);
	idx = w * 64 + bit;
	if (idx >= slab->us_nblocks || slab->us_nfree == 0) {
		D_ERROR("slab " DF_X64 " on partial list but full\n", soff);
		return -DER_DF_INVAL;
	}
	SNAP(pool, &slab->us_bitmap[w], sizeof(uint64_t));
	slab->us_bitmap[w] |= 1ULL << bit;
	SNAP(pool, &slab->us_nfree, sizeof(uint32_t));
	slab->us_nfree--;
	if (slab->us_nfree == 0) {
		rc = slab_unlink(pool, soff, cls);
		if (rc != 0)
			return rc;
	}
	SNAP(pool, &meta->um_slab_free, sizeof(uint64_t));
	meta->um_slab_free -= umem_class_size[cls];
	*off = soff + UMEM_SLAB_HDR_SZ + (uint64_t)idx * umem_class_size[cls];
	return 0;
}

int
umem_heap_alloc(struct umem_pool *pool, size_t size, umem_off_t *off)
{
	struct umem_meta *meta = umem_meta(pool);
	uint64_t usable, s, n;
	int cls, rc;

	if (size == 0 || size > pool->up_size)
		return size == 0 ? -DER_INVAL : -DER_NOSPACE;
	cls = size2class(size);
	if (cls >= 0) {
		rc = slab_alloc(pool, cls, off);
		usable = umem_class_size[cls];
	} else {
		n = D_ALIGNUP((uint64_t)size, UMEM_PAGE_SIZE) >> UMEM_PAGE_SHIFT;
		rc = pages_alloc(pool, n, &s);
		if (rc == 0)
			rc = map_claim(pool, s, n, UMEM_PG_RUN, 0);
		*off = s << UMEM_PAGE_SHIFT;
		usable = n << UMEM_PAGE_SHIFT;
	}
	if (rc != 0)
		return rc;
	SNAP(pool, &meta->um_used, 2 * sizeof(uint64_t));
	meta->um_used += usable;
	meta->um_nr_allocs++;
	return 0;
}

/* Find the allocation \a off belongs to: its first page, type and usable size. */
static int
locate(struct umem_pool *pool, umem_off_t off, uint64_t *start, uint8_t *type, size_t *usable,
       uint32_t *idx)
{
	struct umem_meta *meta = umem_meta(pool);
	struct umem_pgmap *map = umem_pgmap(pool);
	uint64_t pg = off >> UMEM_PAGE_SHIFT;
	uint64_t s = pg;
	struct umem_slab *slab;
	uint32_t bs, i;

	if (off >= pool->up_size || pg < meta->um_arena_page)
		return -DER_INVAL;
	if (map[pg].pm_type == UMEM_PG_CONT) {
		if (map[pg].pm_npages > pg - meta->um_arena_page)
			return -DER_INVAL;
		s = pg - map[pg].pm_npages;
	}
	switch (map[s].pm_type) {
	case UMEM_PG_RUN:
		if (off != s << UMEM_PAGE_SHIFT)
			return -DER_INVAL;
		*usable = (size_t)map[s].pm_npages << UMEM_PAGE_SHIFT;
		break;
	case UMEM_PG_SLAB:
		if (pg - s >= UMEM_SLAB_PAGES || map[s].pm_class >= UMEM_NR_CLASSES)
			return -DER_INVAL;
		slab = umem_p(pool, s << UMEM_PAGE_SHIFT);
		bs = umem_class_size[map[s].pm_class];
		if (off < (s << UMEM_PAGE_SHIFT) + UMEM_SLAB_HDR_SZ)
			return -DER_INVAL;
		i = (off - (s << UMEM_PAGE_SHIFT) - UMEM_SLAB_HDR_SZ);
		if (i % bs != 0 || i / bs >= slab->us_nblocks)
			return -DER_INVAL;
		i /= bs;
		if (!(slab->us_bitmap[i / 64] & (1ULL << (i % 64))))
			return -DER_INVAL;
		*idx = i;
		*usable = bs;
		break;
	default:
		return -DER_INVAL;
	}
	*start = s;
	*type = map[s].pm_type;
	return 0;
}

int
umem_heap_validate(struct umem_pool *pool, umem_off_t off, size_t *usable)
{
	uint64_t s;
	uint8_t type;
	uint32_t idx;

	return locate(pool, off, &s, &type, usable, &idx);
}

int
umem_heap_free(struct umem_pool *pool, umem_off_t off)
{
	struct umem_meta *meta = umem_meta(pool);
	struct umem_slab *slab;
	uint64_t s, soff;
	uint8_t type;
	size_t usable;
	uint32_t idx, cls;
	int rc;

	rc = locate(pool, off, &s, &type, &usable, &idx);
	if (rc != 0) {
		D_ERROR("free of invalid or free offset " DF_X64 "\n", off);
		return rc;
	}
	if (type == UMEM_PG_RUN) {
		rc = pages_free(pool, s, usable >> UMEM_PAGE_SHIFT);
	} else {
		soff = s << UMEM_PAGE_SHIFT;
		slab = umem_p(pool, soff);
		cls = slab->us_class;
		SNAP(pool, &slab->us_bitmap[idx / 64], sizeof(uint64_t));
		slab->us_bitmap[idx / 64] &= ~(1ULL << (idx % 64));
		SNAP(pool, &slab->us_nfree, sizeof(uint32_t));
		slab->us_nfree++;
		SNAP(pool, &meta->um_slab_free, 2 * sizeof(uint64_t));
		meta->um_slab_free += usable;
		rc = 0;
		if (slab->us_nfree == 1)
			rc = slab_link(pool, soff, cls);
		/* return an empty slab unless it is the only one of its class with room */
		if (rc == 0 && slab->us_nfree == slab->us_nblocks &&
		    !(meta->um_partial[cls] == soff && slab->us_next == 0)) {
			rc = slab_unlink(pool, soff, cls);
			if (rc == 0) {
				meta->um_slab_free -= (uint64_t)slab->us_nblocks * usable;
				meta->um_nr_slabs--;
				rc = pages_free(pool, s, UMEM_SLAB_PAGES);
			}
		}
	}
	if (rc != 0)
		return rc;
	SNAP(pool, &meta->um_used, 2 * sizeof(uint64_t));
	meta->um_used -= usable;
	meta->um_nr_allocs--;
	return 0;
}

#define CHECK(cond, ...)                      \
	do {                                  \
		if (!(cond)) {                \
			D_ERROR(__VA_ARGS__); \
			return -DER_DF_INVAL; \
		}                             \
	} while (0)

/* Full walk of the allocator; bounded by the page count so corruption cannot loop it. */
int
umem_heap_check(struct umem_pool *pool)
{
	struct umem_meta *meta = umem_meta(pool);
	struct umem_pgmap *map;
	uint64_t npages = pool->up_npages;
	uint64_t used = 0, allocs = 0, free_pages = 0, slab_free = 0, slabs = 0;
	uint64_t free_runs = 0, partial = 0, binned = 0, listed = 0;
	uint64_t p, i, len, cur, prev;
	int b, c;

	CHECK(meta->um_magic == UMEM_META_MAGIC, "bad heap meta magic\n");
	CHECK(meta->um_npages == npages, "meta page count mismatch\n");
	CHECK(meta->um_map_off == 2 * UMEM_PAGE_SIZE, "bad page map offset\n");
	CHECK(meta->um_arena_page == (umem_heap_prefix(pool->up_size) >> UMEM_PAGE_SHIFT) - 1,
	      "bad arena start\n");
	map = umem_pgmap(pool);
	for (p = 0; p < meta->um_arena_page; p++)
		CHECK(map[p].pm_type == UMEM_PG_RSVD, "reserved page %lu not marked\n", p);

	for (p = meta->um_arena_page; p < npages; p += len) {
		len = map[p].pm_npages;
		CHECK(len > 0 && len <= npages - p, "page %lu: bad length %lu\n", p, len);
		switch (map[p].pm_type) {
		case UMEM_PG_FREE:
			CHECK(map[p + len - 1].pm_type == UMEM_PG_FREE &&
				      map[p + len - 1].pm_npages == len,
			      "free run at %lu: bad tail\n", p);
			CHECK(p + len >= npages || map[p + len].pm_type != UMEM_PG_FREE,
			      "free run at %lu not coalesced\n", p);
			CHECK(((struct umem_free_run *)umem_p(pool, p << UMEM_PAGE_SHIFT))
					      ->fr_magic == UMEM_FREE_MAGIC,
			      "free run at %lu: bad magic\n", p);
			free_pages += len;
			free_runs++;
			break;
		case UMEM_PG_RUN:
		case UMEM_PG_SLAB:
			for (i = 1; i < len; i++)
				CHECK(map[p + i].pm_type == UMEM_PG_CONT &&
					      map[p + i].pm_npages == i,
				      "allocation at %lu: bad interior page %lu\n", p, p + i);
			if (map[p].pm_type == UMEM_PG_RUN) {
				used += len << UMEM_PAGE_SHIFT;
				allocs++;
			} else {
				struct umem_slab *slab = umem_p(pool, p << UMEM_PAGE_SHIFT);
				uint64_t n = 0;

				c = map[p].pm_class;
				CHECK(len == UMEM_SLAB_PAGES && c < UMEM_NR_CLASSES &&
					      slab->us_magic == UMEM_SLAB_MAGIC &&
					      slab->us_class == c &&
					      slab->us_nblocks == slab_nblocks(c),
				      "slab at %lu: bad header\n", p);
				for (i = 0; i < UMEM_SLAB_MAX_BLK / 64; i++)
					n += __builtin_popcountll(slab->us_bitmap[i]);
				for (i = slab->us_nblocks; i < UMEM_SLAB_MAX_BLK; i++)
					CHECK(!(slab->us_bitmap[i / 64] & (1ULL << (i % 64))),
					      "slab at %lu: bit beyond end\n", p);
				CHECK(n + slab->us_nfree == slab->us_nblocks,
				      "slab at %lu: free count %u, bitmap says %lu used\n", p,
				      slab->us_nfree, n);
				used += n * umem_class_size[c];
				allocs += n;
				slab_free += (uint64_t)slab->us_nfree * umem_class_size[c];
				slabs++;
				if (slab->us_nfree > 0)
					partial++;
			}
			break;
		default:
			CHECK(0, "page %lu: unexpected type %u\n", p, map[p].pm_type);
		}
	}

	for (b = 0; b < UMEM_NR_BINS; b++) {
		prev = 0;
		for (cur = meta->um_bins[b]; cur != 0;
		     cur = ((struct umem_free_run *)umem_p(pool, cur))->fr_next) {
			CHECK(page_ok(pool, cur) && binned < free_runs,
			      "bin %d: bad entry " DF_X64 "\n", b, cur);
			p = cur >> UMEM_PAGE_SHIFT;
			CHECK(map[p].pm_type == UMEM_PG_FREE && len2bin(map[p].pm_npages) == b,
			      "bin %d: entry " DF_X64 " not a free run of this bin\n", b, cur);
			CHECK(((struct umem_free_run *)umem_p(pool, cur))->fr_prev == prev,
			      "bin %d: broken back link\n", b);
			prev = cur;
			binned++;
		}
	}
	CHECK(binned == free_runs, "%lu free runs, %lu in bins\n", free_runs, binned);

	for (c = 0; c < UMEM_NR_CLASSES; c++) {
		prev = 0;
		for (cur = meta->um_partial[c]; cur != 0;
		     cur = ((struct umem_slab *)umem_p(pool, cur))->us_next) {
			struct umem_slab *slab = umem_p(pool, cur);

			CHECK(page_ok(pool, cur) && listed < partial,
			      "class %d: bad slab " DF_X64 "\n", c, cur);
			p = cur >> UMEM_PAGE_SHIFT;
			CHECK(map[p].pm_type == UMEM_PG_SLAB && map[p].pm_class == c &&
				      slab->us_nfree > 0 && slab->us_prev == prev,
			      "class %d: bad partial slab " DF_X64 "\n", c, cur);
			prev = cur;
			listed++;
		}
	}
	CHECK(listed == partial, "%lu partial slabs, %lu listed\n", partial, listed);
	CHECK(used == meta->um_used && allocs == meta->um_nr_allocs &&
		      free_pages == meta->um_free_pages && slab_free == meta->um_slab_free &&
		      slabs == meta->um_nr_slabs,
	      "counters disagree: used %lu/%lu allocs %lu/%lu free pages %lu/%lu\n", used,
	      meta->um_used, allocs, meta->um_nr_allocs, free_pages, meta->um_free_pages);
	CHECK(UMOFF_IS_NULL(meta->um_root) || umem_heap_validate(pool, meta->um_root, &i) == 0,
	      "root " DF_X64 " is not an allocation\n", meta->um_root);
	return 0;
}
