/**
 * Rank lists and rank range lists: allocation, set operations, and the
 * "0-3,7" text form used on command lines and in logs.
 */
#define D_LOGFAC DD_FAC(gurt)

#include <ctype.h>

#include <gurt/common.h>

/* A parsed list larger than this is almost surely a typo ("0-4000000000"). */
#define RANK_PARSE_MAX (1U << 20)

d_rank_list_t *
d_rank_list_alloc(uint32_t size)
{
	d_rank_list_t *rl;
	uint32_t i;

	D_ALLOC_PTR(rl);
	if (rl == NULL)
		return NULL;
	if (size == 0)
		return rl;
	D_ALLOC_ARRAY(rl->rl_ranks, size);
	if (rl->rl_ranks == NULL) {
		D_FREE(rl);
		return NULL;
	}
	rl->rl_nr = size;
	for (i = 0; i < size; i++)
		rl->rl_ranks[i] = i;
	return rl;
}

int
d_rank_list_resize(d_rank_list_t *ptr, uint32_t size)
{
	d_rank_t *ranks;

	if (ptr == NULL)
		return -DER_INVAL;
	if (size == 0) {
		D_FREE(ptr->rl_ranks);
		ptr->rl_nr = 0;
		return 0;
	}
	ranks = realloc(ptr->rl_ranks, (size_t)size * sizeof(*ranks));
	if (ranks == NULL)
		return -DER_NOMEM;
	if (size > ptr->rl_nr)
		memset(ranks + ptr->rl_nr, 0, (size_t)(size - ptr->rl_nr) * sizeof(*ranks));
	ptr->rl_ranks = ranks;
	ptr->rl_nr = size;
	return 0;
}

void
d_rank_list_free(d_rank_list_t *rank_list)
{
	if (rank_list == NULL)
		return;
	D_FREE(rank_list->rl_ranks);
	D_FREE(rank_list);
}

int
d_rank_list_copy(d_rank_list_t *dst, d_rank_list_t *src)
{
	int rc;

	if (dst == NULL || src == NULL)
		return -DER_INVAL;
	if (dst == src)
		return 0;
	if (dst->rl_nr != src->rl_nr) {
		rc = d_rank_list_resize(dst, src->rl_nr);
		if (rc != 0)
			return rc;
	}
	if (src->rl_nr > 0)
		memcpy(dst->rl_ranks, src->rl_ranks, (size_t)src->rl_nr * sizeof(d_rank_t));
	return 0;
}

int
d_rank_list_dup(d_rank_list_t **dst, const d_rank_list_t *src)
{
	d_rank_list_t *rl;

	if (dst == NULL)
		return -DER_INVAL;
	*dst = NULL;
	if (src == NULL)
		return 0;
	D_ALLOC_PTR(rl);
	if (rl == NULL)
		return -DER_NOMEM;
	if (src->rl_nr > 0) {
		D_ALLOC_ARRAY(rl->rl_ranks, src->rl_nr);
		if (rl->rl_ranks == NULL) {
			D_FREE(rl);
			return -DER_NOMEM;
		}
		memcpy(rl->rl_ranks, src->rl_ranks, (size_t)src->rl_nr * sizeof(d_rank_t));
		rl->rl_nr = src->rl_nr;
	}
	*dst = rl;
	return 0;
}

static int
rank_cmp(const void *a, const void *b)
{
	d_rank_t ra = *(const d_rank_t *)a;
	d_rank_t rb = *(const d_rank_t *)b;

	return ra < rb ? -1 : ra > rb;
}

void
d_rank_list_sort(d_rank_list_t *rank_list)
{
	if (rank_list == NULL || rank_list->rl_nr < 2)
		return;
	qsort(rank_list->rl_ranks, rank_list->rl_nr, sizeof(d_rank_t), rank_cmp);
}

/* Drop adjacent duplicates of a sorted list in place. */
static void
rank_list_uniq(d_rank_list_t *rl)
{
	uint32_t i;
	uint32_t n = 0;

	for (i = 0; i < rl->rl_nr; i++)
		if (n == 0 || rl->rl_ranks[n - 1] != rl->rl_ranks[i])
			rl->rl_ranks[n++] = rl->rl_ranks[i];
	rl->rl_nr = n;
}

int
d_rank_list_dup_sort_uniq(d_rank_list_t **dst, const d_rank_list_t *src)
{
	int rc;

	rc = d_rank_list_dup(dst, src);
	if (rc != 0 || *dst == NULL)
		return rc;
	d_rank_list_sort(*dst);
	rank_list_uniq(*dst);
	return 0;
}

void
d_rank_list_filter(d_rank_list_t *src_set, d_rank_list_t *dst_set, bool exclude)
{
	uint32_t i;
	uint32_t n = 0;

	if (src_set == NULL || dst_set == NULL)
		return;
	for (i = 0; i < dst_set->rl_nr; i++) {
		d_rank_t r = dst_set->rl_ranks[i];

		if (d_rank_in_rank_list(src_set, r) != exclude)
			dst_set->rl_ranks[n++] = r;
	}
	dst_set->rl_nr = n;
}

int
d_rank_list_merge(d_rank_list_t *src_set, d_rank_list_t *merge_set)
{
	d_rank_t *ranks;
	uint32_t nnew = 0;
	uint32_t n;
	uint32_t i;

	if (src_set == NULL)
		return -DER_INVAL;
	if (merge_set == NULL || merge_set->rl_nr == 0)
		return 0;

	for (i = 0; i < merge_set->rl_nr; i++)
		if (!d_rank_in_rank_list(src_set, merge_set->rl_ranks[i]))
			nnew++;
	if (nnew == 0)
		return 0;

	/* Work in a new array so a failure leaves src_set untouched. */
	D_ALLOC_ARRAY(ranks, (size_t)src_set->rl_nr + nnew);
	if (ranks == NULL)
		return -DER_NOMEM;
	if (src_set->rl_nr > 0)
		memcpy(ranks, src_set->rl_ranks, (size_t)src_set->rl_nr * sizeof(d_rank_t));
	n = src_set->rl_nr;
	for (i = 0; i < merge_set->rl_nr; i++) {
		d_rank_t r = merge_set->rl_ranks[i];
		uint32_t j;

		/* Skip ranks already present, including ones added by this loop. */
		for (j = 0; j < n && ranks[j] != r; j++)
			;
		if (j == n)
			ranks[n++] = r;
	}
	D_FREE(src_set->rl_ranks);
	src_set->rl_ranks = ranks;
	src_set->rl_nr = n;
	return 0;
}

void
d_rank_list_shuffle(d_rank_list_t *rank_list)
{
	uint32_t i;

	if (rank_list == NULL)
		return;
	/* Fisher-Yates; quality of rand() is enough to spread load. */
	for (i = rank_list->rl_nr; i > 1; i--) {
		uint32_t j = (uint32_t)rand() % i;
		d_rank_t tmp = rank_list->rl_ranks[i - 1];

		rank_list->rl_ranks[i - 1] = rank_list->rl_ranks[j];
		rank_list->rl_ranks[j] = tmp;
	}
}

bool
d_rank_list_find(d_rank_list_t *rank_list, d_rank_t rank, int *idx)
{
	uint32_t i;

	if (rank_list == NULL)
		return false;
	for (i = 0; i < rank_list->rl_nr; i++) {
		if (rank_list->rl_ranks[i] == rank) {
			if (idx != NULL)
				*idx = (int)i;
			return true;
		}
	}
	return false;
}

bool
d_rank_list_bsearch(d_rank_list_t *rank_list, d_rank_t rank, int *idx)
{
	d_rank_t *found;

	if (rank_list == NULL || rank_list->rl_nr == 0)
		return false;
	found = bsearch(&rank, rank_list->rl_ranks, rank_list->rl_nr, sizeof(d_rank_t), rank_cmp);
	if (found == NULL)
		return false;
	if (idx != NULL)
		*idx = (int)(found - rank_list->rl_ranks);
	return true;
}

void
d_rank_list_del_at(d_rank_list_t *list, int idx)
{
	if (list == NULL || idx < 0 || (uint32_t)idx >= list->rl_nr)
		return;
	memmove(&list->rl_ranks[idx], &list->rl_ranks[idx + 1],
		(size_t)(list->rl_nr - idx - 1) * sizeof(d_rank_t));
	list->rl_nr--;
	if (list->rl_nr == 0)
		D_FREE(list->rl_ranks);
}

int
d_rank_list_del(d_rank_list_t *rank_list, d_rank_t rank)
{
	int idx;

	if (rank_list == NULL)
		return -DER_INVAL;
	if (d_rank_list_find(rank_list, rank, &idx))
		d_rank_list_del_at(rank_list, idx);
	return 0;
}

bool
d_rank_list_identical(d_rank_list_t *rank_list1, d_rank_list_t *rank_list2)
{
	d_rank_list_t *a = NULL;
	d_rank_list_t *b = NULL;
	bool same;

	if (rank_list1 == rank_list2)
		return true;
	if (rank_list1 == NULL || rank_list2 == NULL)
		return false;
	if (rank_list1->rl_nr != rank_list2->rl_nr)
		return false;
	if (rank_list1->rl_nr == 0)
		return true;
	if (memcmp(rank_list1->rl_ranks, rank_list2->rl_ranks,
		   (size_t)rank_list1->rl_nr * sizeof(d_rank_t)) == 0)
		return true;

	/* Compare as multisets on sorted copies: the inputs are left alone. */
	if (d_rank_list_dup(&a, rank_list1) != 0 || d_rank_list_dup(&b, rank_list2) != 0) {
		d_rank_list_free(a);
		return false;
	}
	d_rank_list_sort(a);
	d_rank_list_sort(b);
	same = memcmp(a->rl_ranks, b->rl_ranks, (size_t)a->rl_nr * sizeof(d_rank_t)) == 0;
	d_rank_list_free(a);
	d_rank_list_free(b);
	return same;
}

bool
d_rank_in_rank_list(d_rank_list_t *rank_list, d_rank_t rank)
{
	return d_rank_list_find(rank_list, rank, NULL);
}

int
d_idx_in_rank_list(d_rank_list_t *rank_list, d_rank_t rank, uint32_t *idx)
{
	int i;

	if (rank_list == NULL || idx == NULL)
		return -DER_INVAL;
	if (!d_rank_list_find(rank_list, rank, &i))
		return -DER_NONEXIST;
	*idx = (uint32_t)i;
	return 0;
}

int
d_rank_list_append(d_rank_list_t *rank_list, d_rank_t rank)
{
	uint32_t n;
	int rc;

	if (rank_list == NULL)
		return -DER_INVAL;
	n = rank_list->rl_nr;
	rc = d_rank_list_resize(rank_list, n + 1);
	if (rc != 0)
		return rc;
	rank_list->rl_ranks[n] = rank;
	return 0;
}

int
d_rank_list_dump(d_rank_list_t *rank_list, d_string_t name, int name_len)
{
	char *str = NULL;
	int rc;

	if (name == NULL || name_len < 0 || strnlen(name, (size_t)name_len + 1) > (size_t)name_len)
		return -DER_INVAL;
	rc = d_rank_list_to_str(rank_list, &str);
	if (rc != 0)
		return rc;
	D_DEBUG(DB_TRACE, "%s, %u ranks: %s\n", name, rank_list == NULL ? 0 : rank_list->rl_nr,
		str);
	D_FREE(str);
	return 0;
}

d_rank_list_t *
uint32_array_to_rank_list(uint32_t *ints, size_t len)
{
	d_rank_list_t *rl;

	if (len > UINT32_MAX || (len > 0 && ints == NULL))
		return NULL;
	rl = d_rank_list_alloc((uint32_t)len);
	if (rl != NULL && len > 0)
		memcpy(rl->rl_ranks, ints, len * sizeof(uint32_t));
	return rl;
}

int
rank_list_to_uint32_array(d_rank_list_t *rl, uint32_t **ints, size_t *len)
{
	if (rl == NULL || ints == NULL || len == NULL)
		return -DER_INVAL;
	*ints = NULL;
	*len = 0;
	if (rl->rl_nr == 0)
		return 0;
	D_ALLOC_ARRAY(*ints, rl->rl_nr);
	if (*ints == NULL)
		return -DER_NOMEM;
	memcpy(*ints, rl->rl_ranks, (size_t)rl->rl_nr * sizeof(uint32_t));
	*len = rl->rl_nr;
	return 0;
}

int
d_rank_list_to_str(d_rank_list_t *rank_list, char **rank_str)
{
	d_rank_range_list_t *ranges;
	int rc;

	if (rank_str == NULL)
		return -DER_INVAL;
	*rank_str = NULL;
	ranges = d_rank_range_list_create_from_ranks(rank_list);
	if (ranges == NULL)
		return -DER_NOMEM;
	rc = d_rank_range_list_str(ranges, rank_str);
	d_rank_range_list_free(ranges);
	return rc;
}

/* ------------------------------------------------------------------------
 * Range lists
 * ------------------------------------------------------------------------ */

d_rank_range_list_t *
d_rank_range_list_alloc(uint32_t size)
{
	d_rank_range_list_t *rrl;

	D_ALLOC_PTR(rrl);
	if (rrl == NULL || size == 0)
		return rrl;
	D_ALLOC_ARRAY(rrl->rrl_ranges, size);
	if (rrl->rrl_ranges == NULL) {
		D_FREE(rrl);
		return NULL;
	}
	rrl->rrl_nr = size;
	return rrl;
}

d_rank_range_list_t *
d_rank_range_list_realloc(d_rank_range_list_t *range_list, uint32_t size)
{
	d_rank_range_t *ranges;

	if (range_list == NULL)
		return d_rank_range_list_alloc(size);
	if (size == 0) {
		d_rank_range_list_free(range_list);
		return NULL;
	}
	ranges = realloc(range_list->rrl_ranges, (size_t)size * sizeof(*ranges));
	/* On failure the old list stays valid and owned by the caller. */
	if (ranges == NULL)
		return NULL;
	if (size > range_list->rrl_nr)
		memset(ranges + range_list->rrl_nr, 0,
		       (size_t)(size - range_list->rrl_nr) * sizeof(*ranges));
	range_list->rrl_ranges = ranges;
	range_list->rrl_nr = size;
	return range_list;
}

d_rank_range_list_t *
d_rank_range_list_create_from_ranks(d_rank_list_t *rank_list)
{
	d_rank_range_list_t *rrl;
	d_rank_list_t *sorted = NULL;
	uint32_t nranges;
	uint32_t i;
	uint32_t j;

	if (rank_list == NULL || rank_list->rl_nr == 0)
		return d_rank_range_list_alloc(0);
	if (d_rank_list_dup_sort_uniq(&sorted, rank_list) != 0)
		return NULL;

	nranges = 1;
	for (i = 1; i < sorted->rl_nr; i++)
		if (sorted->rl_ranks[i] != sorted->rl_ranks[i - 1] + 1)
			nranges++;
	rrl = d_rank_range_list_alloc(nranges);
	if (rrl == NULL)
		goto out;

	j = 0;
	rrl->rrl_ranges[0].lo = rrl->rrl_ranges[0].hi = sorted->rl_ranks[0];
	for (i = 1; i < sorted->rl_nr; i++) {
		d_rank_t r = sorted->rl_ranks[i];

		if (r == rrl->rrl_ranges[j].hi + 1) {
			rrl->rrl_ranges[j].hi = r;
		} else {
			j++;
			rrl->rrl_ranges[j].lo = rrl->rrl_ranges[j].hi = r;
		}
	}
out:
	d_rank_list_free(sorted);
	return rrl;
}

int
d_rank_range_list_str(d_rank_range_list_t *list, char **ranks_str)
{
	size_t cap;
	size_t len = 0;
	char *str;
	uint32_t i;

	if (ranks_str == NULL)
		return -DER_INVAL;
	*ranks_str = NULL;
	/* "[" + each range at most "4294967295-4294967295," + "]\0" */
	cap = 3 + (size_t)(list == NULL ? 0 : list->rrl_nr) * 22;
	D_ALLOC(str, cap);
	if (str == NULL)
		return -DER_NOMEM;
	str[len++] = '[';
	for (i = 0; list != NULL && i < list->rrl_nr; i++) {
		const d_rank_range_t *r = &list->rrl_ranges[i];
		const char *sep = i == 0 ? "" : ",";

		if (r->lo == r->hi)
			len += (size_t)snprintf(str + len, cap - len, "%s%u", sep, r->lo);
		else
			len += (size_t)snprintf(str + len, cap - len, "%s%u-%u", sep, r->lo, r->hi);
	}
	str[len++] = ']';
	str[len] = '\0';
	*ranks_str = str;
	return 0;
}

void
d_rank_range_list_free(d_rank_range_list_t *range_list)
{
	if (range_list == NULL)
		return;
	D_FREE(range_list->rrl_ranges);
	D_FREE(range_list);
}

/* ------------------------------------------------------------------------
 * Parsing
 * ------------------------------------------------------------------------ */

static bool
is_sep(char c, const char *sep)
{
	return c == ',' || (sep != NULL && c != '\0' && strchr(sep, c) != NULL);
}

/* Parse a rank (decimal, below CRT_NO_RANK) at *p; advance *p past it. */
static int
parse_rank(const char **p, d_rank_t *rank)
{
	const char *s = *p;
	unsigned long v = 0;

	if (!isdigit((unsigned char)*s))
		return -DER_INVAL;
	while (isdigit((unsigned char)*s)) {
		v = v * 10 + (unsigned long)(*s - '0');
		if (v >= CRT_NO_RANK)
			return -DER_INVAL;
		s++;
	}
	*rank = (d_rank_t)v;
	*p = s;
	return 0;
}

static const char *
skip_space(const char *s, const char *end)
{
	while (s < end && isspace((unsigned char)*s))
		s++;
	return s;
}

int
d_rank_list_parse(const char *str, const char *sep, d_rank_list_t **ranks)
{
	d_rank_list_t *rl;
	const char *p;
	const char *end;
	bool bracket;
	int rc;

	if (str == NULL || ranks == NULL)
		return -DER_INVAL;
	*ranks = NULL;

	end = str + strlen(str);
	p = skip_space(str, end);
	while (end > p && isspace((unsigned char)end[-1]))
		end--;
	bracket = p < end && *p == '[';
	if (bracket) {
		if (end[-1] != ']')
			goto bad;
		p++;
		end--;
	}

	rl = d_rank_list_alloc(0);
	if (rl == NULL)
		return -DER_NOMEM;
	p = skip_space(p, end);
	if (p == end) {
		*ranks = rl;
		return 0;
	}

	for (;;) {
		d_rank_t lo;
		d_rank_t hi;
		d_rank_t r;
		uint32_t n;

		p = skip_space(p, end);
		if (p >= end || parse_rank(&p, &lo) != 0)
			goto bad_free;
		hi = lo;
		p = skip_space(p, end);
		if (p < end && *p == '-') {
			p = skip_space(p + 1, end);
			if (p >= end || parse_rank(&p, &hi) != 0 || hi < lo)
				goto bad_free;
			p = skip_space(p, end);
		}
		if (p > end || (uint64_t)rl->rl_nr + (hi - lo) + 1 > RANK_PARSE_MAX)
			goto bad_free;
		n = rl->rl_nr;
		rc = d_rank_list_resize(rl, n + (hi - lo) + 1);
		if (rc != 0) {
			d_rank_list_free(rl);
			return rc;
		}
		for (r = lo;; r++) {
			rl->rl_ranks[n++] = r;
			if (r == hi)
				break;
		}
		if (p == end)
			break;
		if (!is_sep(*p, sep))
			goto bad_free;
		p++;
	}
	*ranks = rl;
	return 0;

bad_free:
	d_rank_list_free(rl);
bad:
	D_ERROR("bad rank list \"%s\"\n", str);
	return -DER_INVAL;
}
