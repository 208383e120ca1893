/**
 * Helpers shared by the ULT runtime tests.
 */
#ifndef __ULT_TEST_H__
#define __ULT_TEST_H__

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <time.h>

#include <cmocka.h>

#include <daos_errno.h>
#include <daos_srv/ult.h>

static inline uint64_t
test_now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* Run fn(arg) as a ULT on xstream xs and wait for it from this plain thread. */
static inline void
run_on(int xs, void (*fn)(void *), void *arg)
{
	struct ult *u;

	assert_int_equal(ult_create(xs, fn, arg, 0, &u), 0);
	assert_int_equal(ult_join(u), 0);
}

static inline int
setup_rt(int nr_xs)
{
	struct ult_init_attr attr = {.uia_nr_xs = nr_xs};

	return ult_init(&attr);
}

static inline int
setup4(void **state)
{
	return setup_rt(4);
}

static inline int
teardown_rt(void **state)
{
	/* every test leaves nothing behind */
	return ult_fini() == 0 ? 0 : -1;
}

#endif
