/**
 * The DAOS client API. Programs include this header and link -ldaos.
 */
#ifndef __DAOS_H__
#define __DAOS_H__

#include <daos_version.h>
#include <daos_types.h>
#include <daos_errno.h>
#include <daos_event.h>
#include <daos_prop.h>
#include <daos_security.h>
#include <daos_cont.h>
#include <daos_pool.h>
#include <daos_mgmt.h>

#if defined(__cplusplus)
extern "C" {
#endif

/**
 * Initialise the client library. Reference counted: every call must be
 * matched by daos_fini(). It needs no running server.
 */
int
daos_init(void);

/** Drop one reference taken by daos_init(); the last one tears the library down. */
int
daos_fini(void);

/** Reinitialise the library in a child process after fork(); event queues must be recreated. */
int
daos_reinit(void);

#if defined(__cplusplus)
}
#endif

#endif /* __DAOS_H__ */
