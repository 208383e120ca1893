/**
 * What the pool module offers other server modules (the container service
 * keeps its tables in the pool service's rdb). Everything here runs on the
 * system xstream.
 */
#ifndef __DAOS_SRV_POOL_H__
#define __DAOS_SRV_POOL_H__

#include <uuid/uuid.h>
#include <daos_srv/rdb.h>
#include <daos_prop.h>

/**
 * The database of pool \a uuid's service if it runs here and leads.
 * \return 0, -DER_NONEXIST (no such service here), -DER_NOTLEADER
 */
int ds_pool_svc_db(const uuid_t uuid, struct rdb **db);

/** Begin a TX on pool \a uuid's service database (as the pool service's own TXs). */
int ds_pool_svc_tx_begin(const uuid_t uuid, struct rdb_tx *tx);

/**
 * Flags (DAOS_PC_*), uid and gid of pool handle \a hdl, looked up in \a tx
 * (a TX on that pool's service database). Any output may be NULL.
 * \return 0, -DER_NO_HDL (not connected)
 */
int ds_pool_svc_hdl_get(struct rdb_tx *tx, const uuid_t hdl, uint64_t *flags, uint32_t *uid,
			uint32_t *gid);

/** Every pool property, from \a tx (free with daos_prop_free). */
int ds_pool_svc_prop_get(struct rdb_tx *tx, daos_prop_t **prop);

#endif /* __DAOS_SRV_POOL_H__ */
