/**
 * Helpers shared by the bio unit tests.
 */
#ifndef __BIO_TEST_H__
#define __BIO_TEST_H__

#include <stddef.h>
#include <stdint.h>
#include <daos_srv/bio.h>

/* deterministic bytes of \a seed: reads compare against a refill */
static inline void
bt_fill(unsigned char *buf, size_t len, uint64_t seed)
{
	size_t i;

	for (i = 0; i < len; i++)
		buf[i] = (unsigned char)((seed * 131 + i * 7 + (i >> 9)) & 0xff);
}

/* completion counter for bt_count_cb */
struct bt_count {
	int done;
	int errors;
};

static inline void
bt_count_cb(struct bio_req *req, void *arg)
{
	struct bt_count *c = arg;

	c->done++;
	if (req->br_rc != 0)
		c->errors++;
}

#endif /* __BIO_TEST_H__ */
