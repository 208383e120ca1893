/*
 * Client of the pool system tests: connects to a pool (label from argv),
 * queries it and one target, sets/gets/lists/deletes attributes, exports and
 * imports the handle, runs a query through an event queue and disconnects.
 * With --expect-no-perm it drops to uid/gid 65534 and expects the connect to
 * be refused with -DER_NO_PERM. Exit 0 on success.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <grp.h>
#include <time.h>
#include <daos.h>
#include <gurt/common.h>

#define CHECK(cond, ...)                                                     \
	do {                                                                 \
		if (!(cond)) {                                               \
			fprintf(stderr, "pool_client: line %d: ", __LINE__); \
			fprintf(stderr, __VA_ARGS__);                        \
			fprintf(stderr, "\n");                               \
			exit(1);                                             \
		}                                                            \
	} while (0)

int
main(int argc, char **argv)
{
	const char *names[] = {"color", "size"};
	const void *values[] = {"blue", "42"};
	size_t sizes[] = {4, 2}, gsizes[2];
	char b0[16] = "", b1[16] = "", list[128];
	void *bufs[] = {b0, b1};
	daos_handle_t poh, poh2, eqh;
	daos_pool_info_t info = {.pi_bits = DPI_ALL};
	daos_target_info_t tinfo;
	d_rank_list_t *ranks = NULL;
	daos_event_t ev, *evp;
	daos_prop_t *prop;
	size_t lsize = sizeof(list);
	d_iov_t glob = {0};
	int rc;

	if (argc == 3 && strcmp(argv[1], "--expect-no-perm") == 0) {
		CHECK(daos_init() == 0, "init");
		if (geteuid() == 0) {
			CHECK(setgroups(0, NULL) == 0 && setegid(65534) == 0 && seteuid(65534) == 0,
			      "cannot drop privileges");
		}
		rc = daos_pool_connect(argv[2], NULL, DAOS_PC_RW, &poh, NULL, NULL);
		CHECK(rc == -DER_NO_PERM, "connect as a stranger: %d, expected -DER_NO_PERM", rc);
		CHECK(daos_fini() == 0, "fini");
		printf("pool_client: stranger refused as expected\n");
		return 0;
	}
	if (argc == 3 && strcmp(argv[1], "--expect-unreach") == 0) {
		time_t t0 = time(NULL);

		/* no system needed to initialise; the connect finds none within seconds */
		CHECK(daos_init() == 0, "init");
		rc = daos_pool_connect(argv[2], NULL, DAOS_PC_RO, &poh, NULL, NULL);
		CHECK(rc == -DER_UNREACH || rc == -DER_TIMEDOUT, "connect: %d", rc);
		CHECK(time(NULL) - t0 < 15, "connect took %ld s", (long)(time(NULL) - t0));
		CHECK(daos_fini() == 0, "fini");
		printf("pool_client: unreachable system reported as expected\n");
		return 0;
	}
	CHECK(argc == 2, "usage: pool_client [--expect-no-perm|--expect-unreach] POOL");
	CHECK(daos_init() == 0, "init");

	rc = daos_pool_connect("no_such_pool", NULL, DAOS_PC_RO, &poh, NULL, NULL);
	CHECK(rc == -DER_NONEXIST, "unknown pool: %d", rc);
	rc = daos_pool_connect(argv[1], NULL, 0x40, &poh, NULL, NULL);
	CHECK(rc == -DER_INVAL, "bad flags: %d", rc);

	rc = daos_pool_connect(argv[1], NULL, DAOS_PC_RW, &poh, &info, NULL);
	CHECK(rc == 0, "connect: %d", rc);
	CHECK(info.pi_ntargets >= 2 && info.pi_ndisabled == 0, "info: %u targets",
	      info.pi_ntargets);
	CHECK(info.pi_space.ps_space.s_total[DAOS_MEDIA_SCM] > 0, "no SCM space");

	prop = daos_prop_alloc(0);
	rc = daos_pool_query(poh, &ranks, &info, prop, NULL);
	CHECK(rc == 0, "query: %d", rc);
	CHECK(ranks != NULL && ranks->rl_nr >= 1, "ranks");
	CHECK(daos_prop_entry_get(prop, DAOS_PROP_PO_LABEL) != NULL &&
		      strcmp(daos_prop_entry_get(prop, DAOS_PROP_PO_LABEL)->dpe_str, argv[1]) == 0,
	      "label property");
	daos_prop_free(prop);

	rc = daos_pool_query_target(poh, 0, ranks->rl_ranks[0], &tinfo, NULL);
	CHECK(rc == 0 && tinfo.ta_state == DAOS_TS_UP_IN, "query target: %d", rc);
	CHECK(tinfo.ta_space.s_total[DAOS_MEDIA_SCM] > 0, "target space");
	rc = daos_pool_query_target(poh, 99, ranks->rl_ranks[0], &tinfo, NULL);
	CHECK(rc == -DER_NONEXIST, "bad target: %d", rc);
	d_rank_list_free(ranks);

	rc = daos_pool_set_attr(poh, 2, names, values, sizes, NULL);
	CHECK(rc == 0, "set_attr: %d", rc);
	gsizes[0] = gsizes[1] = sizeof(b0);
	rc = daos_pool_get_attr(poh, 2, names, bufs, gsizes, NULL);
	CHECK(rc == 0 && gsizes[0] == 4 && memcmp(b0, "blue", 4) == 0 && gsizes[1] == 2 &&
		      memcmp(b1, "42", 2) == 0,
	      "get_attr: %d", rc);
	rc = daos_pool_list_attr(poh, list, &lsize, NULL);
	CHECK(rc == 0 && lsize == strlen("color") + strlen("size") + 2, "list_attr: %d %zu", rc,
	      lsize);
	rc = daos_pool_del_attr(poh, 1, names, NULL);
	CHECK(rc == 0, "del_attr: %d", rc);
	rc = daos_pool_get_attr(poh, 1, names, bufs, gsizes, NULL);
	CHECK(rc == -DER_NONEXIST, "deleted attr: %d", rc);

	/* export / import the handle */
	rc = daos_pool_local2global(poh, &glob);
	CHECK(rc == 0 && glob.iov_buf_len > 0, "l2g size: %d", rc);
	glob.iov_buf = malloc(glob.iov_buf_len);
	rc = daos_pool_local2global(poh, &glob);
	CHECK(rc == 0, "l2g: %d", rc);
	rc = daos_pool_global2local(glob, &poh2);
	CHECK(rc == 0, "g2l: %d", rc);
	rc = daos_pool_query(poh2, NULL, &info, NULL, NULL);
	CHECK(rc == 0, "query through the imported handle: %d", rc);
	free(glob.iov_buf);

	/* async form */
	CHECK(daos_eq_create(&eqh) == 0, "eq");
	CHECK(daos_event_init(&ev, eqh, NULL) == 0, "event");
	rc = daos_pool_query(poh, NULL, &info, NULL, &ev);
	CHECK(rc == 0, "async query: %d", rc);
	rc = daos_eq_poll(eqh, 1, 5 * 1000 * 1000, 1, &evp);
	CHECK(rc == 1 && evp == &ev && ev.ev_error == 0, "eq poll: %d", rc);
	daos_event_fini(&ev);
	CHECK(daos_eq_destroy(eqh, 0) == 0, "eq destroy");

	rc = daos_pool_disconnect(poh, NULL);
	CHECK(rc == 0, "disconnect: %d", rc);
	rc = daos_pool_query(poh, NULL, &info, NULL, NULL);
	CHECK(rc == -DER_NO_HDL, "query after disconnect: %d", rc);
	/* the imported handle names the same server handle: already closed */
	daos_pool_disconnect(poh2, NULL);
	CHECK(daos_fini() == 0, "fini");
	printf("pool_client: OK\n");
	return 0;
}
