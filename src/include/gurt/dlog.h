/**
 * The log engine behind gurt/debug.h: priorities, facilities, masks and the
 * functions that change them at run time. Most code only needs the macros of
 * gurt/debug.h; this header is for code that manages the log (engine setup,
 * "dmg server set-logmasks", tests).
 *
 * A message's flags are a priority (DLOG_INFO .. DLOG_EMIT) or, for debug
 * messages, a set of debug-stream bits inside DLOG_DBG. A facility
 * (subsystem) id fits in the low byte, so "prio | fac" identifies a message
 * completely (d_vlog()).
 */
#ifndef __GURT_DLOG_H__
#define __GURT_DLOG_H__

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#if defined(__cplusplus)
extern "C" {
#endif

/* Priorities, lowest to highest. DEBUG is a set of stream bits below INFO. */
#define DLOG_DBG     0x00ffff00
#define DLOG_INFO    0x01000000
#define DLOG_NOTE    0x02000000
#define DLOG_WARN    0x03000000
#define DLOG_ERR     0x04000000
#define DLOG_CRIT    0x05000000
#define DLOG_ALERT   0x06000000
#define DLOG_EMERG   0x07000000
#define DLOG_EMIT    0x08000000
#define DLOG_PRIMASK 0x0f000000
#define DLOG_FACMASK 0x000000ff

/** Most facilities a process may have (built-in plus d_log_allocfacility()). */
#define D_LOG_MAX_FAC 128

/**
 * Per facility: the lowest priority logged (DLOG_PRIMASK part) or, when debug
 * is on for it, zero there and the enabled stream bits in the DLOG_DBG part.
 * Written only under the log's lock; read without it by d_log_check().
 */
extern uint32_t d_log_fac_mask[D_LOG_MAX_FAC];

/** True if a message of \a prio (a priority or debug-stream bits) for \a fac would be logged. */
static inline bool
d_log_check(int fac, int prio)
{
	uint32_t m = __atomic_load_n(&d_log_fac_mask[(unsigned int)fac & (D_LOG_MAX_FAC - 1)],
				     __ATOMIC_RELAXED);
	uint32_t p = (uint32_t)prio;

	if (p & DLOG_PRIMASK)
		return (p & DLOG_PRIMASK) >= (m & DLOG_PRIMASK);
	return (p & m & DLOG_DBG) != 0;
}

/** Write one line (no check of the masks: callers use d_log_check() first). */
void d_log_write(int fac, int prio, const char *file, int line, const char *func, const char *fmt,
		 ...) __attribute__((format(printf, 6, 7)));

/** Same as d_log_write() with a va_list. */
void d_log_vwrite(int fac, int prio, const char *file, int line, const char *func, const char *fmt,
		  va_list ap);

/** Log with \a flags = priority | facility, if the masks allow it (no file:line). */
void d_vlog(int flags, const char *fmt, va_list ap);

void d_log(int flags, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/**
 * Open the log. The first call reads D_LOG_FILE, D_LOG_FILE_APPEND_PID,
 * D_LOG_MASK, DD_SUBSYS, DD_MASK and DD_STDERR; later calls only count.
 * \return 0 or -DER_*.
 */
int d_log_init(void);

/** Drop one reference; the last one closes the file and restores the defaults. */
void d_log_fini(void);

/**
 * Change priorities, D_LOG_MASK syntax: "LEVEL" and/or "subsys=LEVEL" items
 * separated by commas. A bare LEVEL resets every facility to it first; with
 * none, only the named facilities change. NULL or "" restores the mask read
 * at d_log_init() (or the default). Unknown names are ignored with a warning.
 * \return 0, or -DER_INVAL if some item was not understood (the rest applies).
 */
int d_log_setmasks(const char *mask);

/**
 * Print the current priorities in d_log_setmasks() syntax ("ERR,vos=DEBUG").
 * \return the string length, or -DER_TRUNC if \a len is too small, -DER_INVAL.
 */
int d_log_getmasks(char *buf, size_t len);

/** Debug streams (DD_MASK syntax: "io,mem" or "all"); NULL restores the initial value. */
int d_log_set_streams(const char *streams);

/** Subsystems that a bare DEBUG applies to (DD_SUBSYS syntax: "vos,mgmt" or "all"). */
int d_log_set_subsys(const char *subsys);

/** Re-read D_LOG_MASK, DD_SUBSYS and DD_MASK from the environment. */
int d_log_sync_mask(void);

/**
 * Register a facility at run time (or find one with the same short name).
 * \return its id (>= 0), or -DER_INVAL / -DER_NOSPACE.
 */
int d_log_allocfacility(const char *aname, const char *lname);

/** Facility id of a short or long name (case-insensitive), or -DER_NONEXIST. */
int d_log_name2fac(const char *name);

/** Short name of a facility ("vos"), or NULL. */
const char *d_log_fac2name(int fac);

/** Priority named by the first \a len characters of \a str ("err", "DEBUG"), or -1. */
int d_log_str2pri(const char *str, size_t len);

/** Short name of a priority ("ERR", "DBUG"). */
const char *d_log_pri2str(int prio);

/** Debug-stream bits named by \a name ("io", "all"), or 0. */
uint32_t d_log_str2stream(const char *name, size_t len);

#if defined(__cplusplus)
}
#endif

#endif /* __GURT_DLOG_H__ */
