/* Built against the installed headers only: proves the install is usable by clients. */
#include <stdio.h>
#include <daos.h>

#if !defined(DAOS_API_VERSION_MAJOR) || DAOS_API_VERSION_MAJOR < 2
#error "daos_version.h must define DAOS_API_VERSION_MAJOR >= 2"
#endif

int
main(void)
{
	daos_handle_t eqh;
	daos_event_t  ev;
	daos_event_t *evp;
	int           rc;

	rc = daos_init();
	if (rc != 0) {
		fprintf(stderr, "daos_init: %s\n", d_errstr(rc));
		return 1;
	}
	rc = daos_eq_create(&eqh);
	if (rc != 0)
		goto out;
	rc = daos_event_init(&ev, eqh, NULL);
	if (rc != 0)
		goto out_eq;
	/* Nothing was launched: a non-blocking poll finds no event. */
	rc = daos_eq_poll(eqh, 0, DAOS_EQ_NOWAIT, 1, &evp);
	if (rc == 0)
		rc = daos_eq_query(eqh, DAOS_EQR_ALL, 0, NULL);
	daos_event_fini(&ev);
out_eq:
	daos_eq_destroy(eqh, 0);
out:
	daos_fini();
	printf("hello_daos: API %d.%d.%d rc=%d (%s)\n", DAOS_API_VERSION_MAJOR,
	       DAOS_API_VERSION_MINOR, DAOS_API_VERSION_FIX, rc, d_errdesc(rc));
	return rc == 0 ? 0 : 1;
}
