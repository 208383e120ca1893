/**
 * crt_test_server: a CaRT server for self_test and tests. It creates N
 * contexts, each progressed by its own thread, takes rank 0 (or --rank),
 * writes the attach-info file of its group and serves the self-test
 * protocol until a SHUTDOWN RPC or SIGTERM/SIGINT.
 */
#define D_LOGFAC DD_FAC(st)

#include <getopt.h>
#include <signal.h>
#include <pthread.h>
#include <gurt/common.h>
#include "st_proto.h"

#define CRT_CTX_MAX_TEST 32

static volatile int g_stop;

static void
on_signal(int sig)
{
	g_stop = 1;
}

static int g_busy;

static void *
progress_thread(void *arg)
{
	/* --busy-poll trades a core for latency; the default sleeps when idle */
	while (!g_stop)
		crt_progress(arg, g_busy ? 0 : 100 * 1000);
	return NULL;
}

static void
usage(const char *prog)
{
	fprintf(stderr,
		"usage: %s [--group-name NAME] [--contexts N] [--rank R] [--busy-poll]\n"
		"       --attach-info-path DIR\n",
		prog);
}

int
main(int argc, char **argv)
{
	static struct option opts[] = {{"group-name", required_argument, NULL, 'g'},
				       {"contexts", required_argument, NULL, 'c'},
				       {"rank", required_argument, NULL, 'r'},
				       {"attach-info-path", required_argument, NULL, 'p'},
				       {"busy-poll", no_argument, NULL, 'b'},
				       {"help", no_argument, NULL, 'h'},
				       {NULL, 0, NULL, 0}};
	const char *group = "daos_server", *path = NULL;
	int nctx = 1, rank = 0, c, i, rc;
	crt_context_t ctx[CRT_CTX_MAX_TEST];
	pthread_t thr[CRT_CTX_MAX_TEST];
	char *uri;

	while ((c = getopt_long(argc, argv, "g:c:r:p:bh", opts, NULL)) != -1) {
		switch (c) {
		case 'g':
			group = optarg;
			break;
		case 'c':
			nctx = atoi(optarg);
			break;
		case 'r':
			rank = atoi(optarg);
			break;
		case 'p':
			path = optarg;
			break;
		case 'b':
			g_busy = 1;
			break;
		default:
			usage(argv[0]);
			return c == 'h' ? 0 : 2;
		}
	}
	if (path == NULL || nctx < 1 || nctx > CRT_CTX_MAX_TEST || rank < 0) {
		usage(argv[0]);
		return 2;
	}
	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);
	rc = crt_init((crt_group_id_t)group, CRT_FLAG_BIT_SERVER);
	if (rc != 0) {
		fprintf(stderr, "crt_init: %d\n", rc);
		return 1;
	}
	rc = st_proto_register(true, &g_stop);
	for (i = 0; i < nctx && rc == 0; i++)
		rc = crt_context_create(&ctx[i]);
	if (rc != 0) {
		fprintf(stderr, "setup failed: %d\n", rc);
		return 1;
	}
	rc = crt_rank_self_set(rank, 1);
	if (rc == 0)
		rc = crt_group_config_path_set(path);
	if (rc == 0)
		rc = crt_group_config_save(NULL, true);
	if (rc != 0) {
		fprintf(stderr, "cannot publish the attach info in %s: %d\n", path, rc);
		return 1;
	}
	for (i = 0; i < nctx; i++) {
		crt_self_uri_get(i, &uri);
		printf("crt_test_server: group %s rank %d tag %d uri %s\n", group, rank, i, uri);
		free(uri);
	}
	fflush(stdout);
	for (i = 0; i < nctx; i++)
		pthread_create(&thr[i], NULL, progress_thread, ctx[i]);
	for (i = 0; i < nctx; i++)
		pthread_join(thr[i], NULL);
	crt_group_config_remove(NULL);
	st_proto_fini();
	for (i = 0; i < nctx; i++)
		crt_context_destroy(ctx[i], 1);
	crt_finalize();
	return 0;
}
