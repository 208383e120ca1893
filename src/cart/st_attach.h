/**
 * self_test's attach through the system's access points (no --path): the
 * group map comes from the management service's GetAttachInfo, as libdaos
 * gets it.
 */
#ifndef __CRT_ST_ATTACH_H__
#define __CRT_ST_ATTACH_H__

#include <cart/api.h>

/**
 * Ask the access points (DAOS_ACCESS_POINTS, daos_agent.yml, 127.0.0.1:10001,
 * in order) for the group map of system \a group and load it into this
 * process's primary group; endpoints then name the primary group (NULL).
 */
int st_attach_system(crt_context_t ctx, const char *group);

#endif /* __CRT_ST_ATTACH_H__ */
