/**
 * String helpers shared by the CLIs (dmg, daos) and the services: sizes as
 * DAOS's tools parse and print them, and pool/container identifiers that
 * are either a UUID or a label.
 */
#ifndef __DAOS_STRUTIL_H__
#define __DAOS_STRUTIL_H__

#include <stdint.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <uuid/uuid.h>

#if defined(__cplusplus)
extern "C" {
#endif

/** Buffer large enough for any daos_size2str() result. */
#define DAOS_SIZE_STR_MAX 32

/**
 * Parse a size the way dmg and daos do: a decimal number (fraction and
 * thousands commas allowed) and an optional case-insensitive unit, with
 * optional blanks between. Decimal units: b, k/kb, m/mb, g/gb, t/tb, p/pb,
 * e/eb (powers of 1000); binary units: ki/kib, mi/mib, gi/gib, ti/tib,
 * pi/pib, ei/eib (powers of 1024). No unit means bytes. "4g" is 4e9 bytes,
 * "1MiB" is 1048576.
 *
 * \return 0, or -DER_INVAL (empty, not a number, unknown unit, negative,
 *         percentage) or -DER_OVERFLOW (does not fit in 64 bits)
 */
int daos_str2size(const char *str, uint64_t *size);

/**
 * Parse a size or a percentage, as dmg pool create --size takes them:
 * "10G" sets \a size and \a percent to 0; "50%" (1..100) sets \a percent
 * and \a size to 0.
 *
 * \return 0, -DER_INVAL, -DER_OVERFLOW
 */
int daos_str2size_or_pct(const char *str, uint64_t *size, uint32_t *percent);

/**
 * Print \a size as DAOS's tools do: decimal units ("4.0 GB", "512 MB",
 * "10 kB") when \a binary is false, binary ones ("1.0 MiB", "64 KiB") when
 * true; one decimal below 10, none above; sizes below 10 print as "N B".
 *
 * \return 0, -DER_INVAL, -DER_TRUNC (\a buf too small)
 */
int daos_size2str(uint64_t size, bool binary, char *buf, size_t buf_len);

/**
 * Print a table exactly as DAOS's Go tools do (txtfmt over a tabwriter):
 * a title row, a row of dashes as long as each title, then \a nrows rows of
 * \a ncols cells (row-major in \a cells). Every cell, the last one of a row
 * included, is left-aligned and padded to its column's widest cell plus one
 * space. A NULL cell prints as "None".
 *
 * \return 0, -DER_INVAL, -DER_IO
 */
int daos_table_fprint(FILE *out, int ncols, const char *const *titles, const char *const *cells,
		      int nrows);

/** Kinds returned by daos_parse_id() */
enum daos_id_kind {
	DAOS_ID_UUID = 1,
	DAOS_ID_LABEL = 2,
};

/**
 * Classify a pool or container identifier from the command line or an API
 * call: a UUID string (parsed into \a uuid) or a valid label (\a uuid
 * cleared).
 *
 * \return DAOS_ID_UUID, DAOS_ID_LABEL, or -DER_INVAL
 */
int daos_parse_id(const char *str, uuid_t uuid);

/** True if \a uuid is set (not the nil UUID). */
static inline bool
daos_uuid_valid(const uuid_t uuid)
{
	return uuid != NULL && !uuid_is_null(uuid);
}

#if defined(__cplusplus)
}
#endif

#endif /* __DAOS_STRUTIL_H__ */
