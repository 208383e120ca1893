/**
 * Logging tests: each case points D_LOG_FILE at a file in a private temporary
 * directory, sets the mask variables, logs marked messages and then checks
 * which markers reached the file.
 */
#define D_LOGFAC DD_FAC(tests)

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <fcntl.h>
#include <pthread.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gurt/common.h>
#include <gurt/dlog.h>

static char tmpdir[64];
static char logpath[128];

/* Log \a msg for facility \a fac at \a prio the way the D_* macros do. */
#define LOG_AT(fac, prio, msg)                                                                    \
	do {                                                                                      \
		if (d_log_check((fac), (int)(prio)))                                              \
			d_log_write((fac), (int)(prio), __FILE__, __LINE__, __func__, "%s", msg); \
	} while (0)

static void
clear_env(void)
{
	unsetenv("D_LOG_FILE");
	unsetenv("D_LOG_MASK");
	unsetenv("DD_SUBSYS");
	unsetenv("DD_MASK");
	unsetenv("DD_STDERR");
	unsetenv("D_LOG_FILE_APPEND_PID");
}

static int
setup(void **state)
{
	strcpy(tmpdir, "/tmp/pdaos_test_log.XXXXXX");
	if (mkdtemp(tmpdir) == NULL)
		return -1;
	snprintf(logpath, sizeof(logpath), "%s/test.log", tmpdir);
	clear_env();
	return 0;
}

static int
teardown(void **state)
{
	int i;

	/* A failed case may have left references behind; extra calls are no-ops. */
	for (i = 0; i < 4; i++)
		d_log_fini();
	clear_env();
	unlink(logpath);
	rmdir(tmpdir);
	return 0;
}

/* Whole log file as a string (caller frees); "" if it does not exist. */
static char *
read_log(void)
{
	struct stat st;
	char *buf;
	int fd;
	ssize_t n = 0;

	fd = open(logpath, O_RDONLY);
	if (fd < 0)
		return strdup("");
	assert_int_equal(fstat(fd, &st), 0);
	buf = malloc(st.st_size + 1);
	assert_non_null(buf);
	if (st.st_size > 0)
		n = read(fd, buf, st.st_size);
	assert_int_equal(n, st.st_size);
	buf[n] = '\0';
	close(fd);
	return buf;
}

static int
count(const char *text, const char *marker)
{
	int n = 0;
	const char *p = text;

	while ((p = strstr(p, marker)) != NULL) {
		n++;
		p += strlen(marker);
	}
	return n;
}

/* The line that contains \a marker, copied (caller frees), or NULL. */
static char *
line_of(const char *text, const char *marker)
{
	const char *p = strstr(text, marker);
	const char *b;
	const char *e;

	if (p == NULL)
		return NULL;
	for (b = p; b > text && b[-1] != '\n'; b--)
		;
	e = strchr(p, '\n');
	assert_non_null(e);
	return strndup(b, e - b);
}

static void
open_log(const char *mask, const char *subsys, const char *streams)
{
	setenv("D_LOG_FILE", logpath, 1);
	if (mask != NULL)
		setenv("D_LOG_MASK", mask, 1);
	if (subsys != NULL)
		setenv("DD_SUBSYS", subsys, 1);
	if (streams != NULL)
		setenv("DD_MASK", streams, 1);
	assert_int_equal(d_log_init(), 0);
}

static void
test_defaults_without_init(void **state)
{
	/* No d_log_init(): errors and above pass, everything else is filtered. */
	assert_true(d_log_check(DD_FAC(vos), DLOG_ERR));
	assert_true(d_log_check(DD_FAC(misc), DLOG_EMERG));
	assert_false(d_log_check(DD_FAC(vos), DLOG_WARN));
	assert_false(d_log_check(DD_FAC(vos), DLOG_INFO));
	assert_false(d_log_check(DD_FAC(vos), DB_IO));
	assert_false(d_log_check(DD_FAC(vos), DB_ALL));
}

static void
test_mask_per_subsys(void **state)
{
	char *log;
	char *line;
	char pidtag[32];

	open_log("ERR,mgmt=debug,vos=info", NULL, NULL);
	LOG_AT(DD_FAC(vos), DLOG_INFO, "m-vos-info");
	LOG_AT(DD_FAC(vos), DB_IO, "m-vos-debug");
	LOG_AT(DD_FAC(vos), DLOG_ERR, "m-vos-err");
	LOG_AT(DD_FAC(mgmt), DB_IO, "m-mgmt-debug");
	LOG_AT(DD_FAC(mgmt), DB_TRACE, "m-mgmt-trace");
	LOG_AT(DD_FAC(rpc), DLOG_WARN, "m-rpc-warn");
	LOG_AT(DD_FAC(rpc), DLOG_ERR, "m-rpc-err");
	LOG_AT(DD_FAC(rpc), DLOG_EMIT, "m-rpc-emit");
	D_ERROR("m-macro-err %d\n", 7);
	D_INFO("m-macro-info");
	D_DEBUG(DB_ALL, "m-macro-debug");
	d_log_fini();

	log = read_log();
	assert_int_equal(count(log, "m-vos-info"), 1);
	assert_int_equal(count(log, "m-vos-debug"), 0);
	assert_int_equal(count(log, "m-vos-err"), 1);
	assert_int_equal(count(log, "m-mgmt-debug"), 1);
	assert_int_equal(count(log, "m-mgmt-trace"), 1);
	assert_int_equal(count(log, "m-rpc-warn"), 0);
	assert_int_equal(count(log, "m-rpc-err"), 1);
	assert_int_equal(count(log, "m-rpc-emit"), 1);
	assert_int_equal(count(log, "m-macro-err 7"), 1);
	assert_int_equal(count(log, "m-macro-info"), 0);
	assert_int_equal(count(log, "m-macro-debug"), 0);

	/* time, pid/tid, subsystem, priority, file:line function(), message. */
	line = line_of(log, "m-vos-info");
	assert_non_null(line);
	snprintf(pidtag, sizeof(pidtag), "[%d/", (int)getpid());
	assert_non_null(strstr(line, pidtag));
	assert_non_null(strstr(line, " vos INFO "));
	assert_non_null(strstr(line, "test_log.c:"));
	assert_non_null(strstr(line, " test_mask_per_subsys() m-vos-info"));
	assert_true(line[4] == '/' && line[7] == '/' && line[10] == '-' && line[13] == ':');
	free(line);
	line = line_of(log, "m-mgmt-debug");
	assert_non_null(strstr(line, " mgmt DBUG "));
	free(line);
	/* The macro's "\n" does not double the newline. */
	line = line_of(log, "m-macro-err");
	assert_non_null(strstr(line, " tests ERR "));
	assert_null(strstr(log, "m-macro-err 7\n\n"));
	free(line);
	free(log);
}

static void
test_long_names_and_case(void **state)
{
	/* Long names and any case work; a later per-facility item wins. */
	open_log("warn,Management=Info,object=DEBUG,object=error", NULL, NULL);
	assert_true(d_log_check(DD_FAC(mgmt), DLOG_INFO));
	assert_false(d_log_check(DD_FAC(mgmt), DB_MGMT));
	assert_false(d_log_check(DD_FAC(object), DLOG_WARN));
	assert_true(d_log_check(DD_FAC(object), DLOG_ERR));
	assert_true(d_log_check(DD_FAC(pool), DLOG_WARN));
	assert_false(d_log_check(DD_FAC(pool), DLOG_NOTE));
	d_log_fini();
	/* Back to the built-in defaults. */
	assert_false(d_log_check(DD_FAC(pool), DLOG_WARN));
	assert_false(d_log_check(DD_FAC(mgmt), DLOG_INFO));
}

static void
test_setmasks(void **state)
{
	char buf[256];
	int rc;

	open_log("ERR", NULL, NULL);
	assert_int_equal(d_log_setmasks("WARN,vos=DEBUG"), 0);
	assert_true(d_log_check(DD_FAC(rpc), DLOG_WARN));
	assert_true(d_log_check(DD_FAC(vos), DB_IO));
	rc = d_log_getmasks(buf, sizeof(buf));
	assert_int_equal(rc, strlen("WARN,vos=DEBUG"));
	assert_string_equal(buf, "WARN,vos=DEBUG");

	/* Without a bare level only the named facility changes. */
	assert_int_equal(d_log_setmasks("object=info"), 0);
	assert_true(d_log_check(DD_FAC(vos), DB_IO));
	assert_true(d_log_check(DD_FAC(object), DLOG_INFO));
	assert_true(d_log_getmasks(buf, sizeof(buf)) > 0);
	assert_string_equal(buf, "WARN,object=INFO,vos=DEBUG");

	/* Round trip through getmasks. */
	assert_int_equal(d_log_setmasks("CRIT"), 0);
	assert_false(d_log_check(DD_FAC(vos), DB_IO));
	assert_int_equal(d_log_setmasks("WARN,object=INFO,vos=DEBUG"), 0);
	assert_true(d_log_check(DD_FAC(vos), DB_IO));

	/* Too small a buffer. */
	assert_int_equal(d_log_getmasks(buf, 5), -DER_TRUNC);
	assert_int_equal(strlen(buf), 4);
	assert_int_equal(d_log_getmasks(NULL, 5), -DER_INVAL);

	/* Bad items are reported and ignored, good ones apply. */
	assert_int_equal(d_log_setmasks("bogus,vos=nope,nosuch=debug,pool=err"), -DER_INVAL);
	assert_true(d_log_check(DD_FAC(vos), DB_IO));
	assert_true(d_log_check(DD_FAC(pool), DLOG_ERR));
	assert_false(d_log_check(DD_FAC(pool), DLOG_WARN));
	assert_int_equal(d_log_setmasks(",,= ,=debug,vos=,==,"), -DER_INVAL);

	/* NULL restores what D_LOG_MASK said at init. */
	assert_int_equal(d_log_setmasks(NULL), 0);
	assert_int_equal(d_log_getmasks(buf, sizeof(buf)), 3);
	assert_string_equal(buf, "ERR");
	assert_false(d_log_check(DD_FAC(vos), DB_IO));
	d_log_fini();
}

static void
test_setmasks_output(void **state)
{
	char *log;

	open_log("ERR", NULL, NULL);
	LOG_AT(DD_FAC(rdb), DLOG_INFO, "s-before");
	assert_int_equal(d_log_setmasks("rdb=info"), 0);
	LOG_AT(DD_FAC(rdb), DLOG_INFO, "s-after");
	d_log_fini();
	log = read_log();
	assert_int_equal(count(log, "s-before"), 0);
	assert_int_equal(count(log, "s-after"), 1);
	free(log);
}

static void
test_subsys_and_streams(void **state)
{
	char *log;

	open_log("DEBUG", "vos,mgmt", "io,mem");
	LOG_AT(DD_FAC(vos), DB_IO, "d-vos-io");
	LOG_AT(DD_FAC(vos), DB_MEM, "d-vos-mem");
	LOG_AT(DD_FAC(vos), DB_TRACE, "d-vos-trace");
	LOG_AT(DD_FAC(vos), DB_ANY, "d-vos-any");
	LOG_AT(DD_FAC(mgmt), DB_IO | DB_TRACE, "d-mgmt-iotrace");
	LOG_AT(DD_FAC(rpc), DB_IO, "d-rpc-io");
	LOG_AT(DD_FAC(rpc), DLOG_INFO, "d-rpc-info");
	d_log_fini();
	log = read_log();
	assert_int_equal(count(log, "d-vos-io"), 1);
	assert_int_equal(count(log, "d-vos-mem"), 1);
	assert_int_equal(count(log, "d-vos-trace"), 0);
	assert_int_equal(count(log, "d-vos-any"), 1);
	assert_int_equal(count(log, "d-mgmt-iotrace"), 1);
	/* rpc is not in DD_SUBSYS: no debug, but the rest of DEBUG (INFO and up). */
	assert_int_equal(count(log, "d-rpc-io"), 0);
	assert_int_equal(count(log, "d-rpc-info"), 1);
	free(log);

	/* Runtime changes and restore. */
	unlink(logpath);
	open_log("DEBUG", "vos", "io");
	assert_false(d_log_check(DD_FAC(vos), DB_TRACE));
	assert_int_equal(d_log_set_streams("trace"), 0);
	assert_true(d_log_check(DD_FAC(vos), DB_TRACE));
	assert_false(d_log_check(DD_FAC(vos), DB_IO));
	assert_int_equal(d_log_set_streams("all"), 0);
	assert_true(d_log_check(DD_FAC(vos), DB_CSUM));
	assert_int_equal(d_log_set_streams("io,bogus"), -DER_INVAL);
	assert_true(d_log_check(DD_FAC(vos), DB_IO));
	assert_int_equal(d_log_set_streams(NULL), 0);
	assert_true(d_log_check(DD_FAC(vos), DB_IO));
	assert_false(d_log_check(DD_FAC(vos), DB_TRACE));

	assert_false(d_log_check(DD_FAC(rpc), DB_IO));
	assert_int_equal(d_log_set_subsys("rpc"), 0);
	assert_true(d_log_check(DD_FAC(rpc), DB_IO));
	assert_false(d_log_check(DD_FAC(vos), DB_IO));
	assert_int_equal(d_log_set_subsys("all"), 0);
	assert_true(d_log_check(DD_FAC(vos), DB_IO));
	assert_true(d_log_check(DD_FAC(pool), DB_IO));
	assert_int_equal(d_log_set_subsys("nosuch"), -DER_INVAL);
	assert_int_equal(d_log_set_subsys(NULL), 0);
	assert_true(d_log_check(DD_FAC(vos), DB_IO));
	assert_false(d_log_check(DD_FAC(rpc), DB_IO));
	/* An explicit fac=DEBUG holds outside DD_SUBSYS. */
	assert_int_equal(d_log_setmasks("rpc=debug"), 0);
	assert_true(d_log_check(DD_FAC(rpc), DB_IO));
	d_log_fini();
}

static void
test_allocfacility(void **state)
{
	char *log;
	int fac;
	int fac2;

	open_log("ERR,myfac=debug", NULL, NULL);
	fac = d_log_allocfacility("myfac", "my_facility");
	assert_true(fac >= D_LOG_NR_BUILTIN_FAC);
	assert_true(fac < D_LOG_MAX_FAC);
	assert_int_equal(d_log_allocfacility("myfac", "again"), fac);
	assert_int_equal(d_log_name2fac("my_facility"), fac);
	assert_int_equal(d_log_name2fac("MYFAC"), fac);
	assert_string_equal(d_log_fac2name(fac), "myfac");
	assert_null(d_log_fac2name(D_LOG_MAX_FAC + 3));
	assert_null(d_log_fac2name(-1));
	assert_int_equal(d_log_name2fac("vos"), DD_FAC(vos));
	assert_int_equal(d_log_name2fac("nosuch"), -DER_NONEXIST);

	/* The initial D_LOG_MASK applies to a facility registered after it. */
	assert_true(d_log_check(fac, DB_IO));
	LOG_AT(fac, DB_IO, "f-myfac-debug");

	fac2 = d_log_allocfacility("other", NULL);
	assert_true(fac2 > fac);
	assert_false(d_log_check(fac2, DLOG_WARN));
	assert_int_equal(d_log_setmasks("other=warn"), 0);
	assert_true(d_log_check(fac2, DLOG_WARN));
	assert_string_equal(d_log_fac2name(fac2), "other");

	assert_int_equal(d_log_allocfacility(NULL, "x"), -DER_INVAL);
	assert_int_equal(d_log_allocfacility("", "x"), -DER_INVAL);
	assert_int_equal(d_log_allocfacility("a,b", NULL), -DER_INVAL);
	assert_int_equal(d_log_allocfacility("a=b", NULL), -DER_INVAL);
	assert_int_equal(d_log_allocfacility("waytoolongfacilitynamethatdoesnotfit", NULL),
			 -DER_INVAL);
	d_log_fini();

	log = read_log();
	assert_int_equal(count(log, " myfac DBUG "), 1);
	assert_int_equal(count(log, "f-myfac-debug"), 1);
	free(log);
}

static void
test_refcount(void **state)
{
	char *log;

	open_log("INFO", NULL, NULL);
	assert_int_equal(d_log_init(), 0);
	d_log_fini();
	/* One reference left: still open with the same masks. */
	LOG_AT(DD_FAC(pool), DLOG_INFO, "r-still-open");
	d_log_fini();
	/* Closed: INFO filtered again, errors go to stderr and not to the file. */
	LOG_AT(DD_FAC(pool), DLOG_INFO, "r-closed-info");
	LOG_AT(DD_FAC(pool), DLOG_ERR, "r-closed-err (expected on stderr)");
	/* Extra fini calls are harmless. */
	d_log_fini();
	log = read_log();
	assert_int_equal(count(log, "r-still-open"), 1);
	assert_int_equal(count(log, "r-closed"), 0);
	free(log);
}

#define NTHREADS  4
#define NMESSAGES 300

static void *
writer(void *arg)
{
	long i;

	for (i = 0; i < NMESSAGES; i++)
		D_ERROR("t-thread %ld msg %ld end", (long)(intptr_t)arg, i);
	return NULL;
}

static void
test_threads(void **state)
{
	pthread_t th[NTHREADS];
	char *log;
	char *p;
	int lines = 0;
	long i;

	open_log("ERR", NULL, NULL);
	for (i = 0; i < NTHREADS; i++)
		assert_int_equal(pthread_create(&th[i], NULL, writer, (void *)(intptr_t)i), 0);
	/* Mask changes while others log must be safe. */
	for (i = 0; i < 50; i++)
		d_log_setmasks(i % 2 ? "ERR" : "ERR,vos=debug");
	for (i = 0; i < NTHREADS; i++)
		pthread_join(th[i], NULL);
	d_log_fini();

	/* Every line whole: begins with a date and ends with its marker. */
	log = read_log();
	for (p = log; *p != '\0';) {
		char *nl = strchr(p, '\n');

		assert_non_null(nl);
		assert_true(p[4] == '/' && p[10] == '-');
		assert_true(nl - p > 4 && strncmp(nl - 4, " end", 4) == 0);
		lines++;
		p = nl + 1;
	}
	assert_int_equal(lines, NTHREADS * NMESSAGES);
	assert_int_equal(count(log, "t-thread 3 msg 299 end"), 1);
	free(log);
}

static void
test_long_message(void **state)
{
	char *big;
	char *log;
	char *line;

	big = malloc(20001);
	assert_non_null(big);
	memset(big, 'x', 20000);
	big[20000] = '\0';
	memcpy(big, "BIG-", 4);
	memcpy(big + 19996, "-END", 4);

	open_log("ERR", NULL, NULL);
	D_ERROR("%s", big);
	d_log_fini();
	log = read_log();
	line = line_of(log, "BIG-");
	assert_non_null(line);
	assert_non_null(strstr(line, big));
	assert_int_equal(count(log, "\n"), 1);
	free(line);
	free(log);
	free(big);
}

static void
test_bad_env(void **state)
{
	char buf[64];

	/* Junk everywhere: warnings, no crash, sane masks. */
	setenv("DD_STDERR", "loud", 1);
	open_log("garbage,,=,vos=,=debug,vos=warn", "nosuch,vos", "nonsense,io");
	assert_true(d_log_check(DD_FAC(vos), DLOG_WARN));
	assert_false(d_log_check(DD_FAC(vos), DLOG_NOTE));
	assert_true(d_log_check(DD_FAC(rpc), DLOG_ERR));
	assert_false(d_log_check(DD_FAC(rpc), DLOG_WARN));
	assert_true(d_log_getmasks(buf, sizeof(buf)) > 0);
	assert_string_equal(buf, "ERR,vos=WARN");
	d_log_fini();

	/* A log file that cannot be opened falls back to stderr. */
	clear_env();
	setenv("D_LOG_FILE", "/nonexistent-dir/sub/log", 1);
	assert_int_equal(d_log_init(), 0);
	D_ERROR("b-to-stderr (expected on stderr)");
	d_log_fini();
}

static void
test_append_pid_and_vlog(void **state)
{
	char path[192];
	char *log;
	int fd;
	char text[512];
	int n;

	setenv("D_LOG_FILE_APPEND_PID", "1", 1);
	open_log("INFO", NULL, NULL);
	d_log(DLOG_WARN | DD_FAC(dtx), "v-vlog %s", "here");
	d_log(DB_IO | DD_FAC(dtx), "v-vlog-debug");
	d_log_fini();

	snprintf(path, sizeof(path), "%s.%d", logpath, (int)getpid());
	fd = open(path, O_RDONLY);
	assert_true(fd >= 0);
	n = read(fd, text, sizeof(text) - 1);
	assert_true(n > 0);
	text[n] = '\0';
	close(fd);
	unlink(path);
	assert_non_null(strstr(text, " dtx WARN v-vlog here"));
	assert_null(strstr(text, "v-vlog-debug"));
	log = read_log();
	assert_string_equal(log, "");
	free(log);
}

static void
test_names(void **state)
{
	assert_int_equal(d_log_str2pri("err", 3), DLOG_ERR);
	assert_int_equal(d_log_str2pri("ERROR", 5), DLOG_ERR);
	assert_int_equal(d_log_str2pri("Debug", 5), DLOG_DBG);
	assert_int_equal(d_log_str2pri("FATAL", 5), DLOG_EMERG);
	assert_int_equal(d_log_str2pri("errx", 4), -1);
	assert_int_equal(d_log_str2pri("errx", 3), DLOG_ERR);
	assert_int_equal(d_log_str2pri(NULL, 0), -1);
	assert_string_equal(d_log_pri2str(DLOG_ALERT), "ALRT");
	assert_string_equal(d_log_pri2str(DB_IO), "DBUG");
	assert_int_equal(d_log_str2stream("IO", 2), DB_IO);
	assert_int_equal(d_log_str2stream("all", 3), DB_ALL);
	assert_int_equal(d_log_str2stream("x", 1), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults_without_init),
		cmocka_unit_test_setup_teardown(test_mask_per_subsys, setup, teardown),
		cmocka_unit_test_setup_teardown(test_long_names_and_case, setup, teardown),
		cmocka_unit_test_setup_teardown(test_setmasks, setup, teardown),
		cmocka_unit_test_setup_teardown(test_setmasks_output, setup, teardown),
		cmocka_unit_test_setup_teardown(test_subsys_and_streams, setup, teardown),
		cmocka_unit_test_setup_teardown(test_allocfacility, setup, teardown),
		cmocka_unit_test_setup_teardown(test_refcount, setup, teardown),
		cmocka_unit_test_setup_teardown(test_threads, setup, teardown),
		cmocka_unit_test_setup_teardown(test_long_message, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_env, setup, teardown),
		cmocka_unit_test_setup_teardown(test_append_pid_and_vlog, setup, teardown),
		cmocka_unit_test(test_names),
	};

	return cmocka_run_group_tests_name("gurt_log", tests, NULL, NULL);
}
