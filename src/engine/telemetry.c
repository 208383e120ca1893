/**
 * The engine's Prometheus endpoint: a plain thread serving `GET /metrics`
 * (text format 0.0.4, gurt's exporter) on telemetry_port. One request at a
 * time, each bounded by a receive timeout, so a stuck client cannot hold it.
 */
#define D_LOGFAC DD_FAC(telem)

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <sys/socket.h>
#include <unistd.h>
#include <gurt/common.h>
#include <gurt/telemetry.h>
#include "srv_internal.h"

static int http_fd = -1;
static int http_stop_pipe[2] = {-1, -1};
static pthread_t http_thread;
static bool http_running;
static struct d_tm_node_t *tm_uptime, *tm_started;
static uint64_t started_ns;

static void
http_send_all(int fd, const char *buf, size_t len)
{
	while (len > 0) {
		ssize_t n = send(fd, buf, len, MSG_NOSIGNAL);

		if (n <= 0) {
			if (n < 0 && errno == EINTR)
				continue;
			return;
		}
		buf += n;
		len -= (size_t)n;
	}
}

static void
http_reply(int fd, const char *status, const char *type, const char *body, size_t len)
{
	char hdr[256];
	int n;

	n = snprintf(hdr, sizeof(hdr),
		     "HTTP/1.1 %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\n"
		     "Connection: close\r\n\r\n",
		     status, type, len);
	http_send_all(fd, hdr, (size_t)n);
	http_send_all(fd, body, len);
}

static void
http_serve(int fd)
{
	struct timeval tv = {.tv_sec = 2};
	char req[2048];
	size_t got = 0;
	char *buf = NULL;
	size_t len = 0;
	int rc;

	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	while (got < sizeof(req) - 1) {
		ssize_t n = recv(fd, req + got, sizeof(req) - 1 - got, 0);

		if (n <= 0)
			return;
		got += (size_t)n;
		req[got] = '\0';
		if (strstr(req, "\r\n\r\n") != NULL || strstr(req, "\n\n") != NULL)
			break;
	}
	req[got] = '\0';
	if (strncmp(req, "GET ", 4) != 0) {
		http_reply(fd, "405 Method Not Allowed", "text/plain", "GET only\n", 9);
		return;
	}
	if (strncmp(req + 4, "/metrics ", 9) != 0 && strncmp(req + 4, "/metrics?", 9) != 0 &&
	    strncmp(req + 4, "/metrics\r", 9) != 0) {
		http_reply(fd, "404 Not Found", "text/plain", "see /metrics\n", 13);
		return;
	}
	d_tm_set_gauge(tm_uptime, (d_timenow_ns() - started_ns) / 1000000000ULL);
	rc = d_tm_export_prometheus_str(&buf, &len, "engine");
	if (rc != 0) {
		http_reply(fd, "500 Internal Server Error", "text/plain", "export failed\n", 14);
		return;
	}
	http_reply(fd, "200 OK", "text/plain; version=0.0.4; charset=utf-8", buf, len);
	D_FREE(buf);
}

static void *
http_main(void *arg)
{
	struct pollfd pfd[2] = {{.fd = http_fd, .events = POLLIN},
				{.fd = http_stop_pipe[0], .events = POLLIN}};

	for (;;) {
		int fd;

		if (poll(pfd, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (pfd[1].revents)
			break;
		if (!(pfd[0].revents & POLLIN))
			continue;
		fd = accept(http_fd, NULL, NULL);
		if (fd < 0)
			continue;
		http_serve(fd);
		close(fd);
	}
	return NULL;
}

int
dss_metrics_http_start(const char *addr, int port)
{
	struct sockaddr_in sin = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
	int one = 1, rc;

	started_ns = d_timenow_ns();
	d_tm_add_metric(&tm_uptime, D_TM_GAUGE, "seconds since the engine started", "s", "uptime");
	d_tm_add_metric(&tm_started, D_TM_TIMESTAMP, "when the engine started", NULL, "started_at");
	d_tm_record_timestamp(tm_started);
	if (port == 0)
		return 0;
	if (inet_pton(AF_INET, addr, &sin.sin_addr) != 1)
		sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	http_fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (http_fd < 0)
		return d_errno2der(errno);
	setsockopt(http_fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(http_fd, (struct sockaddr *)&sin, sizeof(sin)) != 0 || listen(http_fd, 16) != 0) {
		rc = d_errno2der(errno);
		D_ERROR("telemetry: cannot listen on %s:%d: %s\n", addr, port, strerror(errno));
		close(http_fd);
		http_fd = -1;
		return rc;
	}
	if (pipe2(http_stop_pipe, O_CLOEXEC) != 0) {
		rc = d_errno2der(errno);
		close(http_fd);
		http_fd = -1;
		return rc;
	}
	rc = pthread_create(&http_thread, NULL, http_main, NULL);
	if (rc != 0) {
		close(http_fd);
		close(http_stop_pipe[0]);
		close(http_stop_pipe[1]);
		http_fd = -1;
		return d_errno2der(rc);
	}
	http_running = true;
	D_INFO("telemetry: http://%s:%d/metrics\n", addr, port);
	return 0;
}

void
dss_metrics_http_stop(void)
{
	if (!http_running)
		return;
	if (write(http_stop_pipe[1], "x", 1) < 0)
		D_WARN("telemetry: cannot wake the HTTP thread\n");
	pthread_join(http_thread, NULL);
	close(http_fd);
	close(http_stop_pipe[0]);
	close(http_stop_pipe[1]);
	http_fd = -1;
	http_running = false;
}
