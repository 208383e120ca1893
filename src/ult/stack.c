/**
 * ULT stacks: private anonymous mappings with a PROT_NONE guard page below
 * the usable area, so an overflow faults instead of corrupting a neighbour.
 * Each xstream caches stacks of the default size for reuse; only the owning
 * xstream thread touches its cache, so it needs no lock.
 */
#define D_LOGFAC DD_FAC(server)

#include <sys/mman.h>

#include "ult_internal.h"

#ifdef ULT_ASAN
#include <sanitizer/asan_interface.h>
#endif

static void
stack_unmap(void *stack, size_t size)
{
	size_t page = ult_rt.rt_page;

#ifdef ULT_ASAN
	/*
	 * Frames of a finished ULT leave poisoned redzones in the shadow; clear
	 * them so the next user of these addresses does not see false errors.
	 */
	ASAN_UNPOISON_MEMORY_REGION(stack, size);
#endif
	if (munmap((char *)stack - page, size + page) != 0)
		D_ERROR("munmap of ULT stack %p failed: %d\n", stack, errno);
}

int
ult_stack_get(struct ult_xstream *xs, size_t size, void **stackp)
{
	size_t page = ult_rt.rt_page;
	struct ult_stack *sk;
	char *base;

	if (size == ult_rt.rt_stack_size && !d_list_empty(&xs->xs_stacks)) {
		sk = d_list_pop_entry(&xs->xs_stacks, struct ult_stack, sk_link);
		xs->xs_nr_stacks--;
		/* The cache header sits at the top of the usable area. */
		*stackp = (char *)sk + sizeof(*sk) - size;
		return 0;
	}

	base = mmap(NULL, size + page, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
	if (base == MAP_FAILED) {
		D_ERROR("cannot map a %zu-byte ULT stack: %d\n", size, errno);
		return -DER_NOMEM;
	}
	if (mprotect(base, page, PROT_NONE) != 0) {
		D_ERROR("cannot protect ULT stack guard page: %d\n", errno);
		munmap(base, size + page);
		return -DER_NOMEM;
	}
	*stackp = base + page;
	return 0;
}

void
ult_stack_put(struct ult_xstream *xs, void *stack, size_t size)
{
	struct ult_stack *sk;

	if (size != ult_rt.rt_stack_size || xs->xs_nr_stacks >= ult_rt.rt_stack_cache) {
		stack_unmap(stack, size);
		return;
	}
#ifdef ULT_ASAN
	ASAN_UNPOISON_MEMORY_REGION(stack, size);
#endif
	sk = (struct ult_stack *)((char *)stack + size - sizeof(*sk));
	d_list_add(&sk->sk_link, &xs->xs_stacks);
	xs->xs_nr_stacks++;
}

void
ult_stack_pool_drain(struct ult_xstream *xs)
{
	struct ult_stack *sk;
	size_t size = ult_rt.rt_stack_size;

	while ((sk = d_list_pop_entry(&xs->xs_stacks, struct ult_stack, sk_link)) != NULL)
		stack_unmap((char *)sk + sizeof(*sk) - size, size);
	xs->xs_nr_stacks = 0;
}
