/**
 * daos_init/daos_fini/daos_reinit: set up and tear down the client library.
 * Nothing here talks to a server: a program can create EQs and events with
 * no system running. The network layer and the client modules (pool,
 * container, object) plug their setup in between the handle table and the
 * event library.
 */
#define D_LOGFAC DD_FAC(client)

#include <pthread.h>
#include <daos.h>
#include <daos/hhash.h>
#include <daos/event.h>
#include <daos/rpc.h>
#include <gurt/common.h>

static pthread_mutex_t module_lock = PTHREAD_MUTEX_INITIALIZER;
static int module_initialized;

int
daos_init(void)
{
	int rc;

	pthread_mutex_lock(&module_lock);
	if (module_initialized > 0) {
		/* several DAOS-aware layers (dfs, a middleware) in one process */
		module_initialized++;
		pthread_mutex_unlock(&module_lock);
		return 0;
	}

	rc = d_log_init();
	if (rc != 0)
		goto out;
	rc = daos_hhash_init();
	if (rc != 0) {
		D_ERROR("cannot set up the handle table: %d\n", rc);
		goto out_log;
	}
	rc = daos_eq_lib_init();
	if (rc != 0) {
		D_ERROR("cannot set up the event library: %d\n", rc);
		goto out_hhash;
	}
	module_initialized = 1;
	D_DEBUG(DB_TRACE, "DAOS client library initialised\n");
	goto out;

out_hhash:
	daos_hhash_fini();
out_log:
	d_log_fini();
out:
	pthread_mutex_unlock(&module_lock);
	return rc;
}

int
daos_fini(void)
{
	int rc = 0;

	pthread_mutex_lock(&module_lock);
	if (module_initialized == 0) {
		rc = -DER_UNINIT;
		goto out;
	}
	if (module_initialized > 1) {
		module_initialized--;
		goto out;
	}
	/* EQs the program left open are destroyed, their events aborted (upstream leaks them) */
	rc = daos_eq_lib_fini();
	if (rc != 0) {
		D_ERROR("cannot tear down the event library: %d\n", rc);
		goto out;
	}
	dc_rpc_fini();
	daos_hhash_fini();
	D_DEBUG(DB_TRACE, "DAOS client library finalised\n");
	d_log_fini();
	module_initialized = 0;
out:
	pthread_mutex_unlock(&module_lock);
	return rc;
}

int
daos_reinit(void)
{
	int rc;

	/* In a child after fork(): a thread that no longer exists may have held the lock. */
	pthread_mutex_init(&module_lock, NULL);
	pthread_mutex_lock(&module_lock);
	if (module_initialized == 0) {
		rc = -DER_UNINIT;
		goto out;
	}
	rc = daos_hhash_reset_after_fork();
	if (rc != 0)
		goto out;
	rc = daos_eq_lib_reset_after_fork();
out:
	pthread_mutex_unlock(&module_lock);
	return rc;
}
