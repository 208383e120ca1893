/**
 * Logging macros. A source file picks its subsystem by defining D_LOGFAC
 * (e.g. "#define D_LOGFAC DD_FAC(vos)") before including this header;
 * the default is "misc".
 *
 *   D_ERROR/D_WARN/D_NOTE/D_INFO/D_CRIT/D_FATAL/D_EMIT(fmt, ...)
 *   D_DEBUG(DB_xxx, fmt, ...)
 *
 * Every message carries file:line and function. Masks come from D_LOG_MASK,
 * DD_SUBSYS and DD_MASK (see docs/logging.md).
 */
#ifndef __GURT_DEBUG_H__
#define __GURT_DEBUG_H__

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <gurt/dlog.h>
#include <daos_errno.h>

#if defined(__cplusplus)
extern "C" {
#endif

/* Debug streams: bits within the DEBUG priority, selected by DD_MASK. */
#define DB_ANY     (1u << 8)
#define DB_ALL     DLOG_DBG
#define DB_TRACE   (1u << 9)
#define DB_MEM     (1u << 10)
#define DB_NET     (1u << 11)
#define DB_IO      (1u << 12)
#define DB_MD      (1u << 13)
#define DB_PL      (1u << 14)
#define DB_MGMT    (1u << 15)
#define DB_EPC     (1u << 16)
#define DB_DF      (1u << 17)
#define DB_REBUILD (1u << 18)
#define DB_SEC     (1u << 19)
#define DB_CSUM    (1u << 20)
#define DB_TEST    (1u << 21)
#define DB_DSDL    (1u << 22)
#define DB_LOG     (1u << 23)

/* Subsystems (facilities) known to every build; name and long name. */
#define D_FOREACH_SUBSYS(X)                                                                        \
	X(misc, "misc")                                                                            \
	X(mem, "memory")                                                                           \
	X(gurt, "gurt")                                                                            \
	X(tse, "tse")                                                                              \
	X(client, "client")                                                                        \
	X(rpc, "rpc")                                                                              \
	X(bulk, "bulk")                                                                            \
	X(corpc, "corpc")                                                                          \
	X(grp, "group")                                                                            \
	X(hg, "transport")                                                                         \
	X(st, "self_test")                                                                         \
	X(server, "server")                                                                        \
	X(mgmt, "management")                                                                      \
	X(pool, "pool")                                                                            \
	X(container, "container")                                                                  \
	X(object, "object")                                                                        \
	X(placement, "placement")                                                                  \
	X(rdb, "rdb")                                                                              \
	X(rsvc, "rsvc")                                                                            \
	X(vos, "vos")                                                                              \
	X(umem, "umem")                                                                            \
	X(bio, "bio")                                                                              \
	X(dtx, "dtx")                                                                              \
	X(rebuild, "rebuild")                                                                      \
	X(dfs, "dfs")                                                                              \
	X(dfuse, "dfuse")                                                                          \
	X(telem, "telemetry")                                                                      \
	X(common, "common")                                                                        \
	X(tests, "tests")

/* Built-in facility ids, in list order; runtime ones follow D_LOG_NR_BUILTIN_FAC. */
#define D_LOG_FAC_ID(name, lname) D_LOG_FAC_ID_##name,
enum { D_FOREACH_SUBSYS(D_LOG_FAC_ID) D_LOG_NR_BUILTIN_FAC };

#define DD_FAC(name) (d_##name##_logfac)
#define D_LOG_DECLARE_FAC(name, lname) extern int d_##name##_logfac;
D_FOREACH_SUBSYS(D_LOG_DECLARE_FAC)

#ifndef D_LOGFAC
#define D_LOGFAC DD_FAC(misc)
#endif

#define D_LOG_AT(prio, fmt, ...)                                                                   \
	do {                                                                                       \
		if (d_log_check(D_LOGFAC, (prio)))                                                 \
			d_log_write(D_LOGFAC, (prio), __FILE__, __LINE__, __func__, fmt,           \
				    ##__VA_ARGS__);                                                \
	} while (0)

#define D_DEBUG(mask, fmt, ...) D_LOG_AT((int)(mask), fmt, ##__VA_ARGS__)
#define D_INFO(fmt, ...)        D_LOG_AT(DLOG_INFO, fmt, ##__VA_ARGS__)
#define D_NOTE(fmt, ...)        D_LOG_AT(DLOG_NOTE, fmt, ##__VA_ARGS__)
#define D_WARN(fmt, ...)        D_LOG_AT(DLOG_WARN, fmt, ##__VA_ARGS__)
#define D_ERROR(fmt, ...)       D_LOG_AT(DLOG_ERR, fmt, ##__VA_ARGS__)
#define D_CRIT(fmt, ...)        D_LOG_AT(DLOG_CRIT, fmt, ##__VA_ARGS__)
#define D_ALERT(fmt, ...)       D_LOG_AT(DLOG_ALERT, fmt, ##__VA_ARGS__)
#define D_FATAL(fmt, ...)       D_LOG_AT(DLOG_EMERG, fmt, ##__VA_ARGS__)
#define D_EMIT(fmt, ...)        D_LOG_AT(DLOG_EMIT, fmt, ##__VA_ARGS__)

/** Log with an explicit priority or debug-stream flag. */
#define D_LOG_ENABLED(flag) d_log_check(D_LOGFAC, (int)(flag))

/** \a flag_true if \a cond, else \a flag_false (e.g. D_CDEBUG(rc != 0, DLOG_ERR, DB_IO, ...)). */
#define D_CDEBUG(cond, flag_true, flag_false, fmt, ...)                                            \
	do {                                                                                       \
		if (cond)                                                                          \
			D_DEBUG(flag_true, fmt, ##__VA_ARGS__);                                    \
		else                                                                               \
			D_DEBUG(flag_false, fmt, ##__VA_ARGS__);                                   \
	} while (0)

/* Message followed by the error's name, value and description. */
#define DL_ERROR(rc, fmt, ...) D_ERROR(fmt ": " DF_RC, ##__VA_ARGS__, DP_RC(rc))
#define DL_WARN(rc, fmt, ...)  D_WARN(fmt ": " DF_RC, ##__VA_ARGS__, DP_RC(rc))
#define DL_INFO(rc, fmt, ...)  D_INFO(fmt ": " DF_RC, ##__VA_ARGS__, DP_RC(rc))
#define DL_CDEBUG(cond, flag_true, flag_false, rc, fmt, ...)                                       \
	D_CDEBUG(cond, flag_true, flag_false, fmt ": " DF_RC, ##__VA_ARGS__, DP_RC(rc))

/** Debug message prefixed with an object pointer, for following one object's life. */
#define D_TRACE_DEBUG(mask, ptr, fmt, ...) D_DEBUG(mask, "%p " fmt, (void *)(ptr), ##__VA_ARGS__)

/** Plain output to stdout, not the log (command-line tools). */
#define D_PRINT(fmt, ...)                                                                          \
	do {                                                                                       \
		fprintf(stdout, fmt, ##__VA_ARGS__);                                               \
		fflush(stdout);                                                                    \
	} while (0)

#define D_PRINT_ERR(fmt, ...)                                                                      \
	do {                                                                                       \
		fprintf(stderr, fmt, ##__VA_ARGS__);                                               \
		fflush(stderr);                                                                    \
	} while (0)

#define D_ASSERT(e)                                                                                \
	do {                                                                                       \
		if (__builtin_expect(!(e), 0)) {                                                   \
			d_log_write(D_LOGFAC, DLOG_EMERG, __FILE__, __LINE__, __func__,            \
				    "assertion failed: %s", #e);                                   \
			abort();                                                                   \
		}                                                                                  \
	} while (0)

#define D_ASSERTF(e, fmt, ...)                                                                     \
	do {                                                                                       \
		if (__builtin_expect(!(e), 0)) {                                                   \
			d_log_write(D_LOGFAC, DLOG_EMERG, __FILE__, __LINE__, __func__,            \
				    "assertion failed: %s: " fmt, #e, ##__VA_ARGS__);              \
			abort();                                                                   \
		}                                                                                  \
	} while (0)

#define D_CASSERT(cond, ...) _Static_assert(cond, #cond)

#if defined(__cplusplus)
}
#endif

#endif /* __GURT_DEBUG_H__ */
