/**
 * Integer and byte-string hash functions, and UUID text for log messages.
 */
#define D_LOGFAC DD_FAC(gurt)

#include <gurt/common.h>

uint64_t
d_hash_mix64(uint64_t key)
{
	key = ~key + (key << 21);
	key ^= key >> 24;
	key += (key << 3) + (key << 8);
	key ^= key >> 14;
	key += (key << 2) + (key << 4);
	key ^= key >> 28;
	key += key << 31;
	return key;
}

/* One round of Jenkins' mix: each line subtracts two words and folds a shift. */
#define JENKINS_STEP(x, y, z, shift_expr) \
	do {                              \
		x -= y;                   \
		x -= z;                   \
		x ^= (shift_expr);        \
	} while (0)

uint32_t
d_hash_mix96(uint32_t a, uint32_t b, uint32_t c)
{
	JENKINS_STEP(a, b, c, c >> 13);
	JENKINS_STEP(b, c, a, a << 8);
	JENKINS_STEP(c, a, b, b >> 13);
	JENKINS_STEP(a, b, c, c >> 12);
	JENKINS_STEP(b, c, a, a << 16);
	JENKINS_STEP(c, a, b, b >> 5);
	JENKINS_STEP(a, b, c, c >> 3);
	JENKINS_STEP(b, c, a, a << 10);
	JENKINS_STEP(c, a, b, b >> 15);
	return c;
}

unsigned int
d_hash_srch_u64(uint64_t *hashes, unsigned int nhashes, uint64_t value)
{
	unsigned int lo = 0;
	unsigned int hi;

	if (hashes == NULL || nhashes == 0)
		return 0;
	/* Invariant: hashes[lo] <= value or lo == 0; answer in [lo, hi). */
	hi = nhashes;
	while (hi - lo > 1) {
		unsigned int mid = lo + (hi - lo) / 2;

		if (hashes[mid] <= value)
			lo = mid;
		else
			hi = mid;
	}
	return lo;
}

uint32_t
d_hash_string_u32(const char *string, unsigned int len)
{
	const unsigned char *p = (const unsigned char *)string;
	uint32_t h = 5381;

	if (p == NULL)
		return h;
	while (len-- > 0)
		h = h * 33 + *p++;
	return h;
}

#define MURMUR_M 0xc6a4a7935bd1e995ULL
#define MURMUR_R 47

uint64_t
d_hash_murmur64(const unsigned char *key, unsigned int key_len, unsigned int seed)
{
	uint64_t h = seed ^ ((uint64_t)key_len * MURMUR_M);
	unsigned int full = key_len / 8;
	unsigned int rest = key_len % 8;
	unsigned int i;
	uint64_t k;

	if (key == NULL)
		key_len = full = rest = 0;

	for (i = 0; i < full; i++) {
		/* memcpy: keys need not be 8-byte aligned. */
		memcpy(&k, key + 8 * i, sizeof(k));
		k *= MURMUR_M;
		k ^= k >> MURMUR_R;
		k *= MURMUR_M;
		h ^= k;
		h *= MURMUR_M;
	}

	if (rest != 0) {
		const unsigned char *tail = key + 8 * full;

		for (i = rest; i > 0; i--)
			h ^= (uint64_t)tail[i - 1] << (8 * (i - 1));
		h *= MURMUR_M;
	}

	h ^= h >> MURMUR_R;
	h *= MURMUR_M;
	h ^= h >> MURMUR_R;
	return h;
}

uint32_t
d_hash_jump(uint64_t key, uint32_t num_buckets)
{
	int64_t b = -1;
	int64_t j = 0;

	if (num_buckets == 0)
		return 0;
	while (j < (int64_t)num_buckets) {
		b = j;
		key = key * 2862933555777941757ULL + 1;
		j = (int64_t)((double)(b + 1) * ((double)(1LL << 31) / (double)((key >> 33) + 1)));
	}
	return (uint32_t)b;
}

#define UUID_STR_BUFS 8
#define UUID_STR_SIZE 37

const char *
d_uuid_str(const void *uuid)
{
	static __thread char bufs[UUID_STR_BUFS][UUID_STR_SIZE];
	static __thread int next;
	char *buf = bufs[next];

	next = (next + 1) % UUID_STR_BUFS;
	if (uuid == NULL) {
		snprintf(buf, UUID_STR_SIZE, "(null)");
		return buf;
	}
	uuid_unparse_lower(uuid, buf);
	return buf;
}
