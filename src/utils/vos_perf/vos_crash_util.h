/**
 * Pieces shared by the VOS crash drivers (vos_crash, vos_crash_disk): the child processes
 * run their work in a ULT and open the pool and container the parent created.
 */
#ifndef __VOS_CRASH_UTIL_H__
#define __VOS_CRASH_UTIL_H__

#include <uuid/uuid.h>
#include <daos_types.h>

/*
 * Run \a fn(status) in a ULT of a fresh one-xstream runtime, then _exit(*status) without
 * tearing anything down, as a killed process would leave things. Children only.
 */
void vt_crash_run_in_ult(void (*fn)(void *), int *status);

/* Open the pool at \a path and its container; errors are printed with \a tag. */
int vt_crash_open(const char *tag, const char *path, uuid_t pool, uuid_t cont, daos_handle_t *poh,
		  daos_handle_t *coh);

#endif /* __VOS_CRASH_UTIL_H__ */
