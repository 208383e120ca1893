/* Growable arrays: one doubling policy for every module's append-only tables. */
#include <gurt/common.h>

int
d_array_grow(void **array, uint32_t nr, uint32_t *cap, size_t elem_size, uint32_t first)
{
	uint32_t old_cap = *cap;
	uint32_t new_cap;
	void    *grown;

	if (nr < old_cap)
		return 0;
	new_cap = old_cap ? old_cap * 2 : max(first, 1U);
	if (new_cap <= old_cap || (size_t)new_cap > SIZE_MAX / elem_size)
		return -DER_NOMEM;
	grown = realloc(*array, (size_t)new_cap * elem_size);
	if (grown == NULL)
		return -DER_NOMEM;
	memset((char *)grown + (size_t)old_cap * elem_size, 0,
	       (size_t)(new_cap - old_cap) * elem_size);
	*array = grown;
	*cap   = new_cap;
	return 0;
}
