/*
 * Logging. Interim version: errors and above go to stderr. The full
 * implementation (masks, files, facilities) replaces this file.
 */
#include <stdarg.h>
#include <stdio.h>
#include <gurt/debug.h>

#define D_LOG_DEFINE_FAC(name, lname) int d_##name##_logfac;
D_FOREACH_SUBSYS(D_LOG_DEFINE_FAC)

bool
d_log_check(int fac, int prio)
{
	return prio >= DLOG_ERR;
}

void
d_log_write(int fac, int prio, const char *file, int line, const char *func, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s:%d %s() ", file, line, func);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

int
d_log_init(void)
{
	return 0;
}

void
d_log_fini(void)
{
}
