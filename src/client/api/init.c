/*
 * daos_init/daos_fini. Interim version: reference counting only; the
 * event library replaces this file.
 */
#include <pthread.h>
#include <daos.h>

static pthread_mutex_t init_lock = PTHREAD_MUTEX_INITIALIZER;
static int             init_count;

int
daos_init(void)
{
	pthread_mutex_lock(&init_lock);
	init_count++;
	pthread_mutex_unlock(&init_lock);
	return 0;
}

int
daos_fini(void)
{
	int rc = 0;

	pthread_mutex_lock(&init_lock);
	if (init_count == 0)
		rc = -DER_UNINIT;
	else
		init_count--;
	pthread_mutex_unlock(&init_lock);
	return rc;
}

int
daos_reinit(void)
{
	return 0;
}
