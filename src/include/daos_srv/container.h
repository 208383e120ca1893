/**
 * What the container service offers other server modules, and the hook it
 * calls when a container goes.
 */
#ifndef __DAOS_SRV_CONTAINER_H__
#define __DAOS_SRV_CONTAINER_H__

#include <uuid/uuid.h>

/**
 * Remove container \a cont's VOS containers from the targets of every rank of
 * pool \a pool. The container service calls it (on the pool service rank's
 * system xstream, after the destroy committed, holding no TX) when it is
 * defined: the object layer, which creates VOS containers at first I/O,
 * defines it. Weak, so the service builds and runs without it. An error is
 * logged; the container is gone from the service either way.
 */
int ds_cont_tgt_destroy(const uuid_t pool, const uuid_t cont) __attribute__((weak));

#endif /* __DAOS_SRV_CONTAINER_H__ */
