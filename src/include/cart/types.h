/**
 * CaRT base types. Clients rarely use them directly; daos_types.h builds on
 * gurt/types.h and this header exists for programs that include it.
 */
#ifndef __CRT_TYPES_H__
#define __CRT_TYPES_H__

#include <gurt/types.h>

/** Opaque handle of a CaRT object (context, RPC, bulk). */
typedef void *crt_context_t;
typedef void *crt_bulk_t;

/** Name of a group (system). */
typedef char *crt_group_id_t;

/** Maximum length of a group name. */
#define CRT_GROUP_ID_MAX_LEN 64

#endif /* __CRT_TYPES_H__ */
