/*
 * libdaos's system attach (dc_mgmt) and pool map refresh against a fake
 * system: a child process serving GetAttachInfo and a few pool RPCs on
 * 127.0.0.1. It hands out a first group map in which the pool service's
 * rank has a dead address, so a connect only works if the client fetches
 * the map again; later it reports newer group and pool map versions.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <signal.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <daos.h>
#include <daos/mgmt.h>
#include <daos/pool.h>
#include <gurt/common.h>
#include "../rpc.h"
#include "../../pool/rpc.h"

static pid_t srv_pid = -1;
static char srv_addr[64];    /* host:port of the fake server */
static char dead_addr[64];   /* host:port where nothing listens */
static char silent_addr[64]; /* host:port that accepts connections and never answers */
static int silent_fd = -1;
static char tmpdir[64];

/* ---- fake server (child process) ---- */

static char *fs_uri;
static char fs_dead_uri[128];
static char fs_silent_uri[128];
static bool fs_moved;
static uint32_t fs_version = 1; /* group map version */
static uint32_t fs_gai_calls;
static uint32_t fs_queries;
static volatile sig_atomic_t fs_stop;

static void
fs_attach_info(crt_rpc_t *rpc)
{
	struct mgmt_get_attach_info_out *out = crt_reply_get(rpc);
	mgmt_rank_uri_t map[3];
	d_rank_t ms = 0;

	/* first map: rank 1 (the pool service) at a dead address */
	if (++fs_gai_calls > 1 && fs_version < 2)
		fs_version = 2;
	/* rank 2 hangs at its first address until a client looked "moved" up, then moves */
	if (fs_moved && fs_version < 4)
		fs_version = 4;
	map[0].ru_rank = 0;
	map[0].ru_uri = fs_uri;
	map[1].ru_rank = 1;
	map[1].ru_uri = fs_version == 1 ? fs_dead_uri : fs_uri;
	map[2].ru_rank = 2;
	map[2].ru_uri = fs_version < 4 ? fs_silent_uri : fs_uri;
	out->gao_sys_name = "daos_server";
	out->gao_provider = "ofi+tcp;ofi_rxm";
	out->gao_map_version = fs_version;
	out->gao_rank_uris.ca_arrays = map;
	out->gao_rank_uris.ca_count = 3;
	out->gao_ms_ranks.ca_arrays = &ms;
	out->gao_ms_ranks.ca_count = 1;
	crt_reply_send(rpc);
}

static void
fs_locate(crt_rpc_t *rpc)
{
	struct pool_locate_in *in = crt_req_get(rpc);
	struct pool_locate_out *out = crt_reply_get(rpc);

	if (strcmp(in->pli_id, "nopool") == 0) {
		out->plo_rc = -DER_NONEXIST;
	} else {
		uuid_parse("0fa2a6c8-1f7e-4d1e-9a61-1c2b3d4e5f60", out->plo_uuid);
		out->plo_svc_rank = 1;
		/* "newer": a group map change the client has not seen */
		if (strcmp(in->pli_id, "newer") == 0)
			fs_version = 3;
		/* "moved": served by rank 2, which moves without a version the client could see */
		if (strcmp(in->pli_id, "moved") == 0) {
			out->plo_svc_rank = 2;
			fs_moved = true;
		}
		out->plo_map_version = fs_version;
	}
	crt_reply_send(rpc);
}

static void
fs_pool_map(uint32_t version, d_iov_t *iov)
{
	uint32_t states[2] = {DAOS_TS_UP_IN, DAOS_TS_UP_IN};
	struct pool_map_rank r = {.pmr_rank = 1, .pmr_ntgts = 2, .pmr_states = states};
	struct pool_map map = {.pm_version = version, .pm_nranks = 1, .pm_ranks = &r};
	void *buf = NULL;
	size_t len = 0;

	pool_map_encode(&map, &buf, &len);
	d_iov_set(iov, buf, len);
}

static void
fs_connect(crt_rpc_t *rpc)
{
	struct pool_connect_out *out = crt_reply_get(rpc);

	fs_pool_map(1, &out->pco_map);
	out->pco_map_version = 1;
	crt_reply_send(rpc);
	D_FREE(out->pco_map.iov_buf);
}

static void
fs_query(crt_rpc_t *rpc)
{
	struct pool_query_out *out = crt_reply_get(rpc);
	struct daos_pool_space space = {0};
	struct daos_rebuild_status rb = {0};

	fs_queries++;
	fs_pool_map(2, &out->pqo_map);
	out->pqo_map_version = 2;
	d_iov_set(&out->pqo_space, &space, sizeof(space));
	d_iov_set(&out->pqo_rebuild, &rb, sizeof(rb));
	crt_reply_send(rpc);
	D_FREE(out->pqo_map.iov_buf);
}

/* qii_tgt: the pool map version to report; qio_state: POOL_QUERYs served so far */
static void
fs_query_info(crt_rpc_t *rpc)
{
	struct pool_query_info_in *in = crt_req_get(rpc);
	struct pool_query_info_out *out = crt_reply_get(rpc);
	struct daos_space space = {0};

	out->qio_state = fs_queries;
	out->qio_map_version = in->qii_tgt;
	d_iov_set(&out->qio_space, &space, sizeof(space));
	crt_reply_send(rpc);
}

static void
fs_ok(crt_rpc_t *rpc)
{
	/* every output here starts with its int32 rc */
	*(int32_t *)crt_reply_get(rpc) = 0;
	crt_reply_send(rpc);
}

static void
fs_on_term(int sig)
{
	(void)sig;
	fs_stop = 1;
}

static void
fake_server(int wfd)
{
	struct crt_proto_rpc_format mprf[MGMT_PROTO_CLI_COUNT], pprf[POOL_PROTO_COUNT];
	struct crt_proto_format mfmt = mgmt_proto_fmt, pfmt = pool_proto_fmt;
	crt_context_t ctx;
	time_t end = time(NULL) + 120;
	const char *p;

	signal(SIGTERM, fs_on_term);
	if (crt_init("daos_server", CRT_FLAG_BIT_SERVER) != 0 || crt_context_create(&ctx) != 0)
		_exit(3);
	memcpy(mprf, mgmt_proto_fmt.cpf_prf, sizeof(mprf));
	memcpy(pprf, pool_proto_fmt.cpf_prf, sizeof(pprf));
	mprf[MGMT_GET_ATTACH_INFO_IDX].prf_hdlr = fs_attach_info;
	pprf[POOL_LOCATE_IDX].prf_hdlr = fs_locate;
	pprf[POOL_CONNECT_IDX].prf_hdlr = fs_connect;
	pprf[POOL_DISCONNECT_IDX].prf_hdlr = fs_ok;
	pprf[POOL_QUERY_IDX].prf_hdlr = fs_query;
	pprf[POOL_QUERY_INFO_IDX].prf_hdlr = fs_query_info;
	mfmt.cpf_prf = mprf;
	pfmt.cpf_prf = pprf;
	if (crt_proto_register(&mfmt) != 0 || crt_proto_register(&pfmt) != 0 ||
	    crt_rank_self_set(0, 1) != 0 || crt_self_uri_get(0, &fs_uri) != 0)
		_exit(4);
	snprintf(fs_dead_uri, sizeof(fs_dead_uri), "ofi+tcp;ofi_rxm://%s", dead_addr);
	snprintf(fs_silent_uri, sizeof(fs_silent_uri), "ofi+tcp;ofi_rxm://%s", silent_addr);
	p = strstr(fs_uri, "://");
	if (p == NULL || write(wfd, p + 3, strlen(p + 3) + 1) < 0)
		_exit(5);
	close(wfd);
	while (!fs_stop && time(NULL) < end)
		crt_progress(ctx, 100 * 1000);
	crt_context_destroy(ctx, 1);
	free(fs_uri);
	crt_finalize();
	_exit(0);
}

/* ---- client side ---- */

static int
free_port(char *buf, size_t len)
{
	struct sockaddr_in sin = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t sl = sizeof(sin);
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	if (fd < 0 || bind(fd, (struct sockaddr *)&sin, sizeof(sin)) != 0 ||
	    getsockname(fd, (struct sockaddr *)&sin, &sl) != 0)
		return -1;
	close(fd);
	snprintf(buf, len, "127.0.0.1:%u", ntohs(sin.sin_port));
	return 0;
}

/* a socket that completes TCP handshakes (backlog) but never reads: a hung rank */
static int
silent_listener(char *buf, size_t len)
{
	struct sockaddr_in sin = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t sl = sizeof(sin);

	silent_fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (silent_fd < 0 || bind(silent_fd, (struct sockaddr *)&sin, sizeof(sin)) != 0 ||
	    listen(silent_fd, 16) != 0 || getsockname(silent_fd, (struct sockaddr *)&sin, &sl) != 0)
		return -1;
	snprintf(buf, len, "127.0.0.1:%u", ntohs(sin.sin_port));
	return 0;
}

static int
setup(void **state)
{
	int fds[2];
	ssize_t n;

	(void)state;
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/pdaos-attach.XXXXXX");
	if (mkdtemp(tmpdir) == NULL || free_port(dead_addr, sizeof(dead_addr)) != 0 ||
	    silent_listener(silent_addr, sizeof(silent_addr)) != 0 || pipe(fds) != 0)
		return -1;
	/* the child starts its own CaRT: fork before this process starts libdaos's */
	srv_pid = fork();
	if (srv_pid < 0)
		return -1;
	if (srv_pid == 0) {
		close(fds[0]);
		close(silent_fd);
		fake_server(fds[1]);
	}
	close(fds[1]);
	n = read(fds[0], srv_addr, sizeof(srv_addr) - 1);
	close(fds[0]);
	if (n <= 1)
		return -1;
	srv_addr[n] = '\0';
	unsetenv("DAOS_ACCESS_POINTS");
	return 0;
}

static int
teardown(void **state)
{
	char cmd[128];
	int st, i;

	(void)state;
	if (srv_pid > 0) {
		kill(srv_pid, SIGTERM);
		for (i = 0; i < 50 && waitpid(srv_pid, &st, WNOHANG) == 0; i++)
			usleep(100 * 1000);
		if (i == 50) {
			kill(srv_pid, SIGKILL);
			waitpid(srv_pid, &st, 0);
		}
	}
	if (silent_fd >= 0)
		close(silent_fd);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

static void
write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void
test_access_points(void **state)
{
	char path[128], **aps;
	int nr;

	(void)state;
	snprintf(path, sizeof(path), "%s/daos_agent.yml", tmpdir);
	setenv(DC_AGENT_CONFIG_ENV, path, 1);

	/* no file: the default */
	assert_int_equal(dc_mgmt_access_points(&aps, &nr), 0);
	assert_int_equal(nr, 1);
	assert_string_equal(aps[0], "127.0.0.1:10001");
	dc_mgmt_access_points_free(aps, nr);

	/* every entry of a block list, port key for entries without one */
	write_file(path, "name: daos_server\nport: 10005\naccess_points:\n"
			 "  - host-a\n  - 127.0.0.1:20001\n  - host-c\n");
	assert_int_equal(dc_mgmt_access_points(&aps, &nr), 0);
	assert_int_equal(nr, 3);
	assert_string_equal(aps[0], "host-a:10005");
	assert_string_equal(aps[1], "127.0.0.1:20001");
	assert_string_equal(aps[2], "host-c:10005");
	dc_mgmt_access_points_free(aps, nr);

	/* flow list and single string */
	write_file(path, "access_points: [\"a:1\", 'b']\n");
	assert_int_equal(dc_mgmt_access_points(&aps, &nr), 0);
	assert_int_equal(nr, 2);
	assert_string_equal(aps[0], "a:1");
	assert_string_equal(aps[1], "b:10001");
	dc_mgmt_access_points_free(aps, nr);
	write_file(path, "access_points: solo\n");
	assert_int_equal(dc_mgmt_access_points(&aps, &nr), 0);
	assert_int_equal(nr, 1);
	assert_string_equal(aps[0], "solo:10001");
	dc_mgmt_access_points_free(aps, nr);

	/* bad YAML and a mapping where a list belongs are errors, not crashes */
	write_file(path, "access_points: [a, b\n");
	assert_int_equal(dc_mgmt_access_points(&aps, &nr), -DER_INVAL);
	write_file(path, "access_points:\n  x: 1\n");
	assert_int_equal(dc_mgmt_access_points(&aps, &nr), -DER_INVAL);

	/* the environment wins over the file, in order, spaces trimmed */
	setenv("DAOS_ACCESS_POINTS", "h1:1, h2 ,h3:3", 1);
	assert_int_equal(dc_mgmt_access_points(&aps, &nr), 0);
	assert_int_equal(nr, 3);
	assert_string_equal(aps[0], "h1:1");
	assert_string_equal(aps[1], "h2:10001");
	assert_string_equal(aps[2], "h3:3");
	dc_mgmt_access_points_free(aps, nr);
	unsetenv("DAOS_ACCESS_POINTS");
	unsetenv(DC_AGENT_CONFIG_ENV);
}

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void
test_no_system(void **state)
{
	daos_handle_t poh;
	double t0;
	int rc;

	(void)state;
	setenv("DAOS_ACCESS_POINTS", dead_addr, 1);
	assert_int_equal(daos_init(), 0);
	t0 = now_s();
	rc = daos_pool_connect("p", NULL, DAOS_PC_RW, &poh, NULL, NULL);
	assert_true(rc == -DER_UNREACH || rc == -DER_TIMEDOUT);
	assert_true(now_s() - t0 < 5.0);
	/* no map was kept: the next attempt asks again (and fails again) */
	assert_int_equal(dc_mgmt_map_version(), 0);
	rc = daos_pool_connect("p", NULL, DAOS_PC_RW, &poh, NULL, NULL);
	assert_true(rc == -DER_UNREACH || rc == -DER_TIMEDOUT);
	assert_int_equal(daos_fini(), 0);
}

static void
test_attach_refresh(void **state)
{
	char aps[160];
	daos_handle_t poh, poh2;
	daos_target_info_t ti;
	struct dc_pool *pool;
	char *uri = NULL;

	(void)state;
	/* the first access point is dead: the second one answers */
	snprintf(aps, sizeof(aps), "%s,%s", dead_addr, srv_addr);
	setenv("DAOS_ACCESS_POINTS", aps, 1);
	assert_int_equal(daos_init(), 0);

	assert_int_equal(daos_pool_connect("nopool", NULL, DAOS_PC_RW, &poh, NULL, NULL),
			 -DER_NONEXIST);
	assert_int_equal(dc_mgmt_map_version(), 1);

	/* map 1 puts the service rank on a dead address: connect fetches map 2 and goes on */
	assert_int_equal(daos_pool_connect("p1", NULL, DAOS_PC_RW, &poh, NULL, NULL), 0);
	assert_int_equal(dc_mgmt_map_version(), 2);
	dc_rpc_lock();
	assert_int_equal(dc_mgmt_rank_uri(1, &uri), 0);
	dc_rpc_unlock();
	assert_non_null(strstr(uri, srv_addr));
	D_FREE(uri);
	pool = dc_hdl2pool(poh);
	assert_non_null(pool);
	assert_int_equal(pool->dp_svc_rank, 1);
	assert_non_null(strstr(pool->dp_svc_uri, srv_addr));
	assert_int_equal(pool->dp_map_version, 1);

	/* a reply with the same pool map version: no query */
	assert_int_equal(daos_pool_query_target(poh, 1, 1, &ti, NULL), 0);
	assert_int_equal(ti.ta_state, 0);
	assert_int_equal(pool->dp_map_version, 1);
	/* a newer one: the client queries the map (once) */
	assert_int_equal(daos_pool_query_target(poh, 2, 1, &ti, NULL), 0);
	assert_int_equal(pool->dp_map_version, 2);
	assert_int_equal(daos_pool_query_target(poh, 2, 1, &ti, NULL), 0);
	assert_int_equal(ti.ta_state, 1);
	assert_int_equal(pool->dp_map_version, 2);
	/* the check itself: older or equal versions do nothing */
	assert_int_equal(dc_pool_map_check(pool, 1), 0);
	assert_int_equal(dc_pool_map_check(pool, 2), 0);
	assert_int_equal(dc_pool_map_check(pool, 3), 1);
	dc_pool_put(pool);

	/* the management service reports a newer group map: the client fetches it */
	assert_int_equal(daos_pool_connect("newer", NULL, DAOS_PC_RO, &poh2, NULL, NULL), 0);
	assert_int_equal(dc_mgmt_map_version(), 3);
	dc_rpc_lock();
	assert_int_equal(dc_mgmt_map_check(3), 0);
	assert_int_equal(dc_mgmt_map_check(2), 0);
	dc_rpc_unlock();

	assert_int_equal(daos_pool_disconnect(poh2, NULL), 0);
	assert_int_equal(daos_pool_disconnect(poh, NULL), 0);
	assert_int_equal(daos_fini(), 0);
	unsetenv("DAOS_ACCESS_POINTS");
}

static void
test_rank_moved(void **state)
{
	daos_handle_t poh;
	struct dc_pool *pool;
	double t0;

	(void)state;
	setenv("DAOS_ACCESS_POINTS", srv_addr, 1);
	assert_int_equal(daos_init(), 0);
	/*
	 * The service rank accepts connections but never answers (a hung or
	 * replaced process): the request fails (unreachable or timed out), the
	 * client fetches the map, finds the rank at a new address and resends.
	 */
	t0 = now_s();
	assert_int_equal(daos_pool_connect("moved", NULL, DAOS_PC_RW, &poh, NULL, NULL), 0);
	assert_true(now_s() - t0 < DC_RPC_TIMEOUT_MS / 1000.0 + 8);
	assert_int_equal(dc_mgmt_map_version(), 4);
	pool = dc_hdl2pool(poh);
	assert_non_null(pool);
	assert_int_equal(pool->dp_svc_rank, 2);
	assert_non_null(strstr(pool->dp_svc_uri, srv_addr));
	dc_pool_put(pool);
	assert_int_equal(daos_pool_disconnect(poh, NULL), 0);
	assert_int_equal(daos_fini(), 0);
	unsetenv("DAOS_ACCESS_POINTS");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_access_points),
		cmocka_unit_test(test_no_system),
		cmocka_unit_test(test_attach_refresh),
		cmocka_unit_test(test_rank_moved),
	};

	return cmocka_run_group_tests_name("cli_attach", tests, setup, teardown);
}
