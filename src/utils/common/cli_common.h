/**
 * Pieces shared by the command-line tools (dmg and daos): error messages that end in the DAOS
 * error name and description, JSON output (string escaping, the response/error/status
 * envelope), decimal sizes and the JSON form of an ACL. Each tool keeps its own state and
 * wording; these only format (and read ACL files).
 */
#ifndef __UTILS_CLI_COMMON_H__
#define __UTILS_CLI_COMMON_H__

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <daos_prop.h>

/**
 * Format \a fmt into \a err, then, for a negative \a rc, ": DER_X(rc): description" (the
 * description in single quotes when \a quote). Returns \a rc, or -DER_MISC for 0.
 */
int cli_vfail(char *err, size_t size, int rc, bool quote, const char *fmt, va_list ap)
	__attribute__((format(printf, 5, 0)));

/** Print \a s as a JSON string (NULL prints ""). */
void cli_json_str(FILE *f, const char *s);
/** Open the JSON envelope: what follows is the response. */
void cli_json_open(void);
/** Close the envelope: \a err (when \a rc is not 0) and \a rc. */
void cli_json_close(int rc, const char *err);

/** "4.0 GB": decimal units as DAOS prints pool sizes. */
void cli_size_str(uint64_t bytes, char *buf, size_t len);

/** Print an ACL with its owner and group as the JSON object of get-acl. */
void cli_acl_json(const struct daos_prop_entry *acl, const struct daos_prop_entry *owner,
		  const struct daos_prop_entry *group);

struct daos_acl;
/** Read an ACL file (one ACE a line; blank lines and '#' comments skipped) from \a f. */
int cli_acl_read(FILE *f, struct daos_acl **acl);

#endif /* __UTILS_CLI_COMMON_H__ */
