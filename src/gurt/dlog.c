/**
 * Logging: facilities, masks (D_LOG_MASK, DD_SUBSYS, DD_MASK, DD_STDERR),
 * output to D_LOG_FILE or stderr.
 *
 * The hot path is d_log_check() (inline in gurt/dlog.h): one load of the
 * facility's mask word. Everything that changes masks takes log_state.lock
 * and recomputes the mask words; the write path only takes a read lock on
 * the output descriptor so that d_log_fini() cannot close it under a writer.
 */
#define D_LOGFAC DD_FAC(gurt)

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <gurt/common.h>
#include <gurt/debug.h>

#define D_LOG_DEFINE_FAC(name, lname) int d_##name##_logfac = D_LOG_FAC_ID_##name;
D_FOREACH_SUBSYS(D_LOG_DEFINE_FAC)

/* Before d_log_init() (and after the last d_log_fini()) errors still reach stderr. */
#define LOG_DEFAULT_LEVEL  DLOG_ERR
#define LOG_DEFAULT_STDERR DLOG_CRIT
#define LOG_NAME_MAX       32
#define LOG_LNAME_MAX      64
/* Lines up to this size are built on the stack; longer ones are allocated. */
#define LOG_LINE_STACK 1024

uint32_t d_log_fac_mask[D_LOG_MAX_FAC] = {[0 ... D_LOG_MAX_FAC - 1] = LOG_DEFAULT_LEVEL};

struct log_fac {
	char lf_aname[LOG_NAME_MAX];
	char lf_lname[LOG_LNAME_MAX];
	/* Level set for this facility by name (0: follows the default). */
	int lf_level;
	/* Selected by DD_SUBSYS: a default DEBUG level applies to it. */
	bool lf_in_subsys;
};

static struct {
	pthread_mutex_t lock;
	int refcount;
	int nfac;
	int default_level;
	uint32_t streams;
	int stderr_level;
	/* Values read at d_log_init(), restored by the NULL forms of the setters. */
	char *init_mask;
	char *init_subsys;
	char *init_streams;
	/* Current DD_SUBSYS value, applied to facilities registered later. */
	char *subsys;
	struct log_fac facs[D_LOG_MAX_FAC];
} log_state = {
	.lock = PTHREAD_MUTEX_INITIALIZER,
	.default_level = LOG_DEFAULT_LEVEL,
	.streams = DLOG_DBG,
	.stderr_level = LOG_DEFAULT_STDERR,
	.nfac = D_LOG_NR_BUILTIN_FAC,
	.facs =
		{
#define D_LOG_FAC_ENTRY(name, lname) [D_LOG_FAC_ID_##name] = {#name, lname, 0, true},
			D_FOREACH_SUBSYS(D_LOG_FAC_ENTRY)},
};

static pthread_rwlock_t log_fd_lock = PTHREAD_RWLOCK_INITIALIZER;
static int log_fd = STDERR_FILENO;
static int log_stderr_level = LOG_DEFAULT_STDERR;

static const struct {
	const char *name;
	int prio;
} pri_names[] = {
	{"DEBUG", DLOG_DBG},   {"DBUG", DLOG_DBG},    {"DBG", DLOG_DBG},    {"INFO", DLOG_INFO},
	{"NOTE", DLOG_NOTE},   {"NOTICE", DLOG_NOTE}, {"WARN", DLOG_WARN},  {"WARNING", DLOG_WARN},
	{"ERR", DLOG_ERR},     {"ERROR", DLOG_ERR},   {"CRIT", DLOG_CRIT},  {"CRITICAL", DLOG_CRIT},
	{"ALRT", DLOG_ALERT},  {"ALERT", DLOG_ALERT}, {"EMRG", DLOG_EMERG}, {"EMERG", DLOG_EMERG},
	{"FATAL", DLOG_EMERG}, {"EMIT", DLOG_EMIT},
};

static const struct {
	const char *name;
	uint32_t bits;
} stream_names[] = {
	{"all", DB_ALL},   {"any", DB_ANY},   {"trace", DB_TRACE}, {"mem", DB_MEM},
	{"net", DB_NET},   {"io", DB_IO},     {"md", DB_MD},       {"pl", DB_PL},
	{"mgmt", DB_MGMT}, {"epc", DB_EPC},   {"df", DB_DF},       {"rebuild", DB_REBUILD},
	{"sec", DB_SEC},   {"csum", DB_CSUM}, {"test", DB_TEST},   {"dsdl", DB_DSDL},
	{"log", DB_LOG},
};

int
d_log_str2pri(const char *str, size_t len)
{
	size_t i;

	if (str == NULL)
		return -1;
	for (i = 0; i < ARRAY_SIZE(pri_names); i++)
		if (strlen(pri_names[i].name) == len &&
		    strncasecmp(pri_names[i].name, str, len) == 0)
			return pri_names[i].prio;
	return -1;
}

const char *
d_log_pri2str(int prio)
{
	switch ((uint32_t)prio & DLOG_PRIMASK) {
	case 0:
		return "DBUG";
	case DLOG_INFO:
		return "INFO";
	case DLOG_NOTE:
		return "NOTE";
	case DLOG_WARN:
		return "WARN";
	case DLOG_ERR:
		return "ERR";
	case DLOG_CRIT:
		return "CRIT";
	case DLOG_ALERT:
		return "ALRT";
	case DLOG_EMERG:
		return "EMRG";
	case DLOG_EMIT:
		return "EMIT";
	default:
		return "????";
	}
}

/* Name used in d_log_getmasks(): must parse back with d_log_str2pri(). */
static const char *
level2str(int level)
{
	return level == DLOG_DBG ? "DEBUG" : d_log_pri2str(level);
}

uint32_t
d_log_str2stream(const char *name, size_t len)
{
	size_t i;

	if (name == NULL)
		return 0;
	for (i = 0; i < ARRAY_SIZE(stream_names); i++)
		if (strlen(stream_names[i].name) == len &&
		    strncasecmp(stream_names[i].name, name, len) == 0)
			return stream_names[i].bits;
	return 0;
}

/* ------------------------------------------------------------------------
 * Output
 * ------------------------------------------------------------------------ */

static char log_host[64] = "localhost";
static pthread_once_t log_host_once = PTHREAD_ONCE_INIT;

static void
log_host_init(void)
{
	char host[sizeof(log_host)];
	char *dot;

	if (gethostname(host, sizeof(host)) != 0)
		return;
	host[sizeof(host) - 1] = '\0';
	dot = strchr(host, '.');
	if (dot != NULL)
		*dot = '\0';
	memcpy(log_host, host, sizeof(host));
}

/* Paths from the build are absolute; the part from "src/" on is what a reader wants. */
static const char *
short_path(const char *file)
{
	const char *p;

	if (file == NULL)
		return "";
	p = strstr(file, "/src/");
	return p != NULL ? p + 1 : file;
}

static void
write_all(int fd, const char *buf, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, buf, len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return;
		}
		buf += n;
		len -= (size_t)n;
	}
}

static void
log_emit(int fac, int prio, bool to_stderr, const char *file, int line, const char *func,
	 const char *fmt, va_list ap)
{
	char stackbuf[LOG_LINE_STACK];
	char *buf = stackbuf;
	size_t cap = sizeof(stackbuf);
	struct timespec ts;
	struct tm tm;
	const char *facname;
	int hlen;
	int mlen;
	size_t len;
	va_list aq;
	int fd;
	int saved_errno = errno;

	pthread_once(&log_host_once, log_host_init);
	clock_gettime(CLOCK_REALTIME, &ts);
	localtime_r(&ts.tv_sec, &tm);
	facname = d_log_fac2name(fac);
	if (facname == NULL)
		facname = "?";

	hlen = snprintf(buf, cap, "%04d/%02d/%02d-%02d:%02d:%02d.%06ld %s DAOS[%d/%ld] %s %s ",
			tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min,
			tm.tm_sec, ts.tv_nsec / 1000, log_host, (int)getpid(),
			(long)syscall(SYS_gettid), facname, d_log_pri2str(prio));
	if (file != NULL && hlen > 0 && (size_t)hlen < cap)
		hlen += snprintf(buf + hlen, cap - hlen, "%s:%d %s() ", short_path(file), line,
				 func != NULL ? func : "");
	if (hlen < 0)
		goto out;
	if ((size_t)hlen >= cap)
		hlen = (int)cap - 1;

	va_copy(aq, ap);
	mlen = vsnprintf(buf + hlen, cap - hlen, fmt, aq);
	va_end(aq);
	if (mlen < 0)
		mlen = 0;
	/* Room for the whole message plus the newline: one write() per line. */
	if ((size_t)hlen + (size_t)mlen + 2 > cap) {
		char *big = malloc((size_t)hlen + (size_t)mlen + 2);

		if (big != NULL) {
			memcpy(big, buf, hlen);
			va_copy(aq, ap);
			vsnprintf(big + hlen, (size_t)mlen + 1, fmt, aq);
			va_end(aq);
			buf = big;
			cap = (size_t)hlen + (size_t)mlen + 2;
		} else {
			mlen = (int)(cap - hlen - 2);
		}
	}
	len = (size_t)hlen + (size_t)mlen;
	/* Callers write messages with or without "\n"; every line gets exactly one. */
	while (len > (size_t)hlen && buf[len - 1] == '\n')
		len--;
	buf[len++] = '\n';

	pthread_rwlock_rdlock(&log_fd_lock);
	fd = log_fd;
	write_all(fd, buf, len);
	if (fd != STDERR_FILENO &&
	    (to_stderr || (((uint32_t)prio & DLOG_PRIMASK) != 0 &&
			   prio >= __atomic_load_n(&log_stderr_level, __ATOMIC_RELAXED))))
		write_all(STDERR_FILENO, buf, len);
	pthread_rwlock_unlock(&log_fd_lock);

	if (buf != stackbuf)
		free(buf);
out:
	errno = saved_errno;
}

void
d_log_vwrite(int fac, int prio, const char *file, int line, const char *func, const char *fmt,
	     va_list ap)
{
	log_emit(fac, prio, false, file, line, func, fmt, ap);
}

void
d_log_write(int fac, int prio, const char *file, int line, const char *func, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_emit(fac, prio, false, file, line, func, fmt, ap);
	va_end(ap);
}

void
d_vlog(int flags, const char *fmt, va_list ap)
{
	int fac = flags & DLOG_FACMASK;
	int prio = flags & ~DLOG_FACMASK;

	if (d_log_check(fac, prio))
		log_emit(fac, prio, false, NULL, 0, NULL, fmt, ap);
}

void
d_log(int flags, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	d_vlog(flags, fmt, ap);
	va_end(ap);
}

/* Configuration mistakes are shown whatever the masks say, on stderr too. */
static void __attribute__((format(printf, 1, 2))) log_config_warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_emit(D_LOG_FAC_ID_gurt, DLOG_WARN, true, NULL, 0, NULL, fmt, ap);
	va_end(ap);
}

/* ------------------------------------------------------------------------
 * Masks. Everything below runs under log_state.lock.
 * ------------------------------------------------------------------------ */

/* Next comma-separated item of *sp, blanks trimmed; false at the end. */
static bool
next_item(const char **sp, const char **item, size_t *len)
{
	const char *s = *sp;
	const char *e;

	while (*s == ',' || isspace((unsigned char)*s))
		s++;
	if (*s == '\0')
		return false;
	e = s;
	while (*e != '\0' && *e != ',')
		e++;
	*sp = e;
	while (e > s && isspace((unsigned char)e[-1]))
		e--;
	*item = s;
	*len = (size_t)(e - s);
	return true;
}

static int
fac_lookup(const char *name, size_t len)
{
	int nfac = __atomic_load_n(&log_state.nfac, __ATOMIC_ACQUIRE);
	int i;

	if (len == 0)
		return -DER_NONEXIST;
	for (i = 0; i < nfac; i++) {
		const struct log_fac *f = &log_state.facs[i];

		if ((strlen(f->lf_aname) == len && strncasecmp(f->lf_aname, name, len) == 0) ||
		    (strlen(f->lf_lname) == len && strncasecmp(f->lf_lname, name, len) == 0))
			return i;
	}
	return -DER_NONEXIST;
}

static void
fac_recompute(int i)
{
	const struct log_fac *f = &log_state.facs[i];
	int level = f->lf_level;
	uint32_t m;

	if (level == 0) {
		level = log_state.default_level;
		/* DD_SUBSYS narrows a blanket DEBUG; a named "fac=DEBUG" always holds. */
		if (level == DLOG_DBG && !f->lf_in_subsys)
			level = DLOG_INFO;
	}
	if (level == DLOG_DBG)
		m = (log_state.streams | DB_ANY) & DLOG_DBG;
	else
		m = (uint32_t)level;
	__atomic_store_n(&d_log_fac_mask[i], m, __ATOMIC_RELAXED);
}

static void
recompute_all(void)
{
	int i;

	for (i = 0; i < log_state.nfac; i++)
		fac_recompute(i);
}

/*
 * Apply a D_LOG_MASK string. A bare level is the new default and clears the
 * per-facility levels (whatever its position), then "fac=LEVEL" items apply
 * left to right.
 */
static int
apply_mask(const char *mask, bool warn)
{
	const char *s;
	const char *item;
	size_t len;
	int bare = -1;
	int bad = 0;
	int i;

	for (s = mask; next_item(&s, &item, &len);) {
		int prio;

		if (memchr(item, '=', len) != NULL)
			continue;
		prio = d_log_str2pri(item, len);
		if (prio < 0)
			bad++;
		else
			bare = prio;
	}
	if (bare >= 0) {
		log_state.default_level = bare;
		for (i = 0; i < log_state.nfac; i++)
			log_state.facs[i].lf_level = 0;
	}
	for (s = mask; next_item(&s, &item, &len);) {
		const char *eq = memchr(item, '=', len);
		size_t nlen;
		const char *val;
		size_t vlen;
		int fac;
		int prio;

		if (eq == NULL)
			continue;
		nlen = (size_t)(eq - item);
		while (nlen > 0 && isspace((unsigned char)item[nlen - 1]))
			nlen--;
		val = eq + 1;
		vlen = len - (size_t)(val - item);
		while (vlen > 0 && isspace((unsigned char)*val)) {
			val++;
			vlen--;
		}
		fac = fac_lookup(item, nlen);
		prio = d_log_str2pri(val, vlen);
		if (fac < 0 || prio < 0) {
			bad++;
			continue;
		}
		log_state.facs[fac].lf_level = prio;
	}
	if (bad > 0 && warn)
		log_config_warn("log mask '%s': %d unknown item(s) ignored", mask, bad);
	recompute_all();
	return bad > 0 ? -DER_INVAL : 0;
}

static bool
subsys_selects(const char *subsys, const struct log_fac *f)
{
	const char *s;
	const char *item;
	size_t len;

	if (subsys == NULL || subsys[0] == '\0')
		return true;
	for (s = subsys; next_item(&s, &item, &len);) {
		if ((len == 3 && strncasecmp(item, "all", 3) == 0) ||
		    (strlen(f->lf_aname) == len && strncasecmp(f->lf_aname, item, len) == 0) ||
		    (strlen(f->lf_lname) == len && strncasecmp(f->lf_lname, item, len) == 0))
			return true;
	}
	return false;
}

static int
apply_subsys(const char *subsys, bool warn)
{
	const char *s;
	const char *item;
	size_t len;
	char *copy = NULL;
	int bad = 0;
	int i;

	if (subsys != NULL && subsys[0] != '\0') {
		copy = strdup(subsys);
		if (copy == NULL)
			return -DER_NOMEM;
		for (s = subsys; next_item(&s, &item, &len);)
			if (!(len == 3 && strncasecmp(item, "all", 3) == 0) &&
			    fac_lookup(item, len) < 0)
				bad++;
	}
	free(log_state.subsys);
	log_state.subsys = copy;
	for (i = 0; i < log_state.nfac; i++)
		log_state.facs[i].lf_in_subsys = subsys_selects(copy, &log_state.facs[i]);
	if (bad > 0 && warn)
		log_config_warn("DD_SUBSYS '%s': %d unknown subsystem(s) ignored", subsys, bad);
	recompute_all();
	return bad > 0 ? -DER_INVAL : 0;
}

static int
apply_streams(const char *streams, bool warn)
{
	const char *s;
	const char *item;
	size_t len;
	uint32_t bits = 0;
	int bad = 0;

	if (streams == NULL || streams[0] == '\0') {
		bits = DB_ALL;
	} else {
		for (s = streams; next_item(&s, &item, &len);) {
			uint32_t b = d_log_str2stream(item, len);

			if (b == 0)
				bad++;
			bits |= b;
		}
	}
	log_state.streams = bits;
	if (bad > 0 && warn)
		log_config_warn("DD_MASK '%s': %d unknown stream(s) ignored", streams, bad);
	recompute_all();
	return bad > 0 ? -DER_INVAL : 0;
}

static void
reset_defaults(void)
{
	int i;

	log_state.default_level = LOG_DEFAULT_LEVEL;
	log_state.streams = DB_ALL;
	free(log_state.subsys);
	log_state.subsys = NULL;
	for (i = 0; i < log_state.nfac; i++) {
		log_state.facs[i].lf_level = 0;
		log_state.facs[i].lf_in_subsys = true;
	}
	recompute_all();
}

/* ------------------------------------------------------------------------
 * Public API
 * ------------------------------------------------------------------------ */

int
d_log_setmasks(const char *mask)
{
	int rc = 0;
	int i;

	pthread_mutex_lock(&log_state.lock);
	if (mask == NULL || mask[0] == '\0') {
		log_state.default_level = LOG_DEFAULT_LEVEL;
		for (i = 0; i < log_state.nfac; i++)
			log_state.facs[i].lf_level = 0;
		recompute_all();
		if (log_state.init_mask != NULL)
			apply_mask(log_state.init_mask, false);
	} else {
		rc = apply_mask(mask, true);
	}
	pthread_mutex_unlock(&log_state.lock);
	return rc;
}

int
d_log_getmasks(char *buf, size_t len)
{
	size_t off;
	int n;
	int i;

	if (buf == NULL || len == 0)
		return -DER_INVAL;
	pthread_mutex_lock(&log_state.lock);
	n = snprintf(buf, len, "%s", level2str(log_state.default_level));
	off = n > 0 ? (size_t)n : 0;
	for (i = 0; i < log_state.nfac && off < len; i++) {
		const struct log_fac *f = &log_state.facs[i];

		if (f->lf_level == 0)
			continue;
		n = snprintf(buf + off, len - off, ",%s=%s", f->lf_aname, level2str(f->lf_level));
		off += n > 0 ? (size_t)n : 0;
	}
	pthread_mutex_unlock(&log_state.lock);
	if (off >= len) {
		buf[len - 1] = '\0';
		return -DER_TRUNC;
	}
	return (int)off;
}

int
d_log_set_streams(const char *streams)
{
	int rc;

	pthread_mutex_lock(&log_state.lock);
	if (streams == NULL)
		rc = apply_streams(log_state.init_streams, false);
	else
		rc = apply_streams(streams, true);
	pthread_mutex_unlock(&log_state.lock);
	return rc;
}

int
d_log_set_subsys(const char *subsys)
{
	int rc;

	pthread_mutex_lock(&log_state.lock);
	if (subsys == NULL)
		rc = apply_subsys(log_state.init_subsys, false);
	else
		rc = apply_subsys(subsys, true);
	pthread_mutex_unlock(&log_state.lock);
	return rc;
}

/* Replace *slot with a copy of environment variable \a name (NULL if unset). */
static int
env_copy(char **slot, const char *name)
{
	char *val = NULL;
	int rc;

	rc = d_agetenv_str(&val, name);
	if (rc == -DER_NONEXIST)
		val = NULL;
	else if (rc != 0)
		return rc;
	free(*slot);
	*slot = NULL;
	if (val != NULL) {
		*slot = strdup(val);
		d_freeenv_str(&val);
		if (*slot == NULL)
			return -DER_NOMEM;
	}
	return 0;
}

/* Read the mask variables and apply them; warnings for bad values. */
static int
load_env_masks(void)
{
	char *stderr_val = NULL;
	int rc;

	rc = env_copy(&log_state.init_mask, "D_LOG_MASK");
	if (rc == 0)
		rc = env_copy(&log_state.init_subsys, "DD_SUBSYS");
	if (rc == 0)
		rc = env_copy(&log_state.init_streams, "DD_MASK");
	if (rc == 0)
		rc = env_copy(&stderr_val, "DD_STDERR");
	if (rc != 0)
		return rc;

	log_state.stderr_level = LOG_DEFAULT_STDERR;
	if (stderr_val != NULL) {
		int prio = d_log_str2pri(stderr_val, strlen(stderr_val));

		if (prio < 0 || prio == DLOG_DBG)
			log_config_warn("DD_STDERR '%s' is not a priority; using CRIT", stderr_val);
		else
			log_state.stderr_level = prio;
		free(stderr_val);
	}
	__atomic_store_n(&log_stderr_level, log_state.stderr_level, __ATOMIC_RELAXED);

	reset_defaults();
	apply_streams(log_state.init_streams, true);
	apply_subsys(log_state.init_subsys, true);
	if (log_state.init_mask != NULL)
		apply_mask(log_state.init_mask, true);
	return 0;
}

int
d_log_sync_mask(void)
{
	int rc;

	pthread_mutex_lock(&log_state.lock);
	rc = load_env_masks();
	pthread_mutex_unlock(&log_state.lock);
	return rc;
}

static int
open_log_file(void)
{
	char *path = NULL;
	char *full = NULL;
	bool append_pid = false;
	int fd;
	int rc;

	rc = d_agetenv_str(&path, "D_LOG_FILE");
	if (rc == -DER_NONEXIST)
		return STDERR_FILENO;
	if (rc != 0)
		return rc;
	if (path[0] == '\0') {
		d_freeenv_str(&path);
		return STDERR_FILENO;
	}
	d_getenv_bool("D_LOG_FILE_APPEND_PID", &append_pid);
	if (append_pid) {
		if (asprintf(&full, "%s.%d", path, (int)getpid()) < 0)
			full = NULL;
	} else {
		full = strdup(path);
	}
	d_freeenv_str(&path);
	if (full == NULL)
		return -DER_NOMEM;

	fd = open(full, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0) {
		/* A log that cannot be opened must not stop the program: say so, use stderr. */
		log_config_warn("cannot open D_LOG_FILE '%s' (%s); logging to stderr", full,
				strerror(errno));
		fd = STDERR_FILENO;
	}
	free(full);
	return fd;
}

int
d_log_init(void)
{
	int fd;
	int rc;

	pthread_mutex_lock(&log_state.lock);
	if (log_state.refcount++ > 0) {
		pthread_mutex_unlock(&log_state.lock);
		return 0;
	}
	fd = open_log_file();
	if (fd < 0) {
		rc = fd;
		goto err;
	}
	pthread_rwlock_wrlock(&log_fd_lock);
	log_fd = fd;
	pthread_rwlock_unlock(&log_fd_lock);

	rc = load_env_masks();
	if (rc != 0)
		goto err_fd;
	pthread_mutex_unlock(&log_state.lock);
	return 0;

err_fd:
	pthread_rwlock_wrlock(&log_fd_lock);
	if (log_fd != STDERR_FILENO)
		close(log_fd);
	log_fd = STDERR_FILENO;
	pthread_rwlock_unlock(&log_fd_lock);
err:
	log_state.refcount--;
	pthread_mutex_unlock(&log_state.lock);
	return rc;
}

void
d_log_fini(void)
{
	pthread_mutex_lock(&log_state.lock);
	if (log_state.refcount == 0 || --log_state.refcount > 0) {
		pthread_mutex_unlock(&log_state.lock);
		return;
	}
	pthread_rwlock_wrlock(&log_fd_lock);
	if (log_fd != STDERR_FILENO)
		close(log_fd);
	log_fd = STDERR_FILENO;
	pthread_rwlock_unlock(&log_fd_lock);

	free(log_state.init_mask);
	free(log_state.init_subsys);
	free(log_state.init_streams);
	log_state.init_mask = NULL;
	log_state.init_subsys = NULL;
	log_state.init_streams = NULL;
	log_state.stderr_level = LOG_DEFAULT_STDERR;
	__atomic_store_n(&log_stderr_level, LOG_DEFAULT_STDERR, __ATOMIC_RELAXED);
	reset_defaults();
	pthread_mutex_unlock(&log_state.lock);
}

/* Level that the initial D_LOG_MASK gives a facility registered after it was read. */
static int
init_level_for(const struct log_fac *f)
{
	const char *s;
	const char *item;
	size_t len;
	int level = 0;

	if (log_state.init_mask == NULL)
		return 0;
	for (s = log_state.init_mask; next_item(&s, &item, &len);) {
		const char *eq = memchr(item, '=', len);
		size_t nlen;
		int prio;

		if (eq == NULL)
			continue;
		nlen = (size_t)(eq - item);
		while (nlen > 0 && isspace((unsigned char)item[nlen - 1]))
			nlen--;
		if (!((strlen(f->lf_aname) == nlen && strncasecmp(f->lf_aname, item, nlen) == 0) ||
		      (strlen(f->lf_lname) == nlen && strncasecmp(f->lf_lname, item, nlen) == 0)))
			continue;
		eq++;
		while (isspace((unsigned char)*eq))
			eq++;
		prio = d_log_str2pri(eq, len - (size_t)(eq - item));
		if (prio >= 0)
			level = prio;
	}
	return level;
}

int
d_log_allocfacility(const char *aname, const char *lname)
{
	struct log_fac *f;
	int fac;

	if (aname == NULL || aname[0] == '\0' || strlen(aname) >= LOG_NAME_MAX ||
	    strpbrk(aname, ",= \t") != NULL)
		return -DER_INVAL;
	if (lname == NULL || lname[0] == '\0')
		lname = aname;
	if (strlen(lname) >= LOG_LNAME_MAX || strpbrk(lname, ",= \t") != NULL)
		return -DER_INVAL;

	pthread_mutex_lock(&log_state.lock);
	fac = fac_lookup(aname, strlen(aname));
	if (fac >= 0)
		goto out;
	if (log_state.nfac >= D_LOG_MAX_FAC) {
		fac = -DER_NOSPACE;
		goto out;
	}
	fac = log_state.nfac;
	f = &log_state.facs[fac];
	snprintf(f->lf_aname, sizeof(f->lf_aname), "%s", aname);
	snprintf(f->lf_lname, sizeof(f->lf_lname), "%s", lname);
	f->lf_in_subsys = subsys_selects(log_state.subsys, f);
	f->lf_level = init_level_for(f);
	fac_recompute(fac);
	/* Publish the entry only once it is complete: lookups run without the lock. */
	__atomic_store_n(&log_state.nfac, fac + 1, __ATOMIC_RELEASE);
out:
	pthread_mutex_unlock(&log_state.lock);
	return fac;
}

int
d_log_name2fac(const char *name)
{
	if (name == NULL)
		return -DER_INVAL;
	return fac_lookup(name, strlen(name));
}

const char *
d_log_fac2name(int fac)
{
	if (fac < 0 || fac >= __atomic_load_n(&log_state.nfac, __ATOMIC_ACQUIRE))
		return NULL;
	return log_state.facs[fac].lf_aname;
}
