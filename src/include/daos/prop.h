/**
 * Property helpers for the services and the CLIs (internal to pdaos):
 * validation, deep copies, the names the CLIs use for every property and
 * conversions between those names/values and property entries.
 */
#ifndef __DAOS_INTERNAL_PROP_H__
#define __DAOS_INTERNAL_PROP_H__

#include <stdio.h>
#include <daos_types.h>
#include <daos_prop.h>
#include <daos_security.h>

#if defined(__cplusplus)
extern "C" {
#endif

/* Container property names on the daos command line (daos cont create/get-prop/set-prop). */
#define DAOS_PROP_ENTRY_LABEL           "label"
#define DAOS_PROP_ENTRY_CKSUM           "cksum"
#define DAOS_PROP_ENTRY_CKSUM_SIZE      "cksum_size"
#define DAOS_PROP_ENTRY_SRV_CKSUM       "srv_cksum"
#define DAOS_PROP_ENTRY_DEDUP           "dedup"
#define DAOS_PROP_ENTRY_DEDUP_THRESHOLD "dedup_threshold"
#define DAOS_PROP_ENTRY_COMPRESS        "compression"
#define DAOS_PROP_ENTRY_ENCRYPT         "encryption"
#define DAOS_PROP_ENTRY_REDUN_FAC       "rd_fac"
#define DAOS_PROP_ENTRY_STATUS          "status"
#define DAOS_PROP_ENTRY_EC_CELL_SZ      "ec_cell_sz"
#define DAOS_PROP_ENTRY_LAYOUT_TYPE     "layout_type"
#define DAOS_PROP_ENTRY_LAYOUT_VER      "layout_version"
#define DAOS_PROP_ENTRY_REDUN_LVL       "rd_lvl"
#define DAOS_PROP_ENTRY_SNAPSHOT_MAX    "max_snapshot"
#define DAOS_PROP_ENTRY_ALLOCED_OID     "alloc_oid"
#define DAOS_PROP_ENTRY_OWNER           "owner"
#define DAOS_PROP_ENTRY_GROUP           "group"
#define DAOS_PROP_ENTRY_EC_PDA          "ec_pda"
#define DAOS_PROP_ENTRY_RP_PDA          "rp_pda"
#define DAOS_PROP_ENTRY_GLOBAL_VERSION  "global_version"
#define DAOS_PROP_ENTRY_OBJ_VERSION     "obj_version"
#define DAOS_PROP_ENTRY_PERF_DOMAIN     "perf_domain"
#define DAOS_PROP_ENTRY_ACL             "acl"
#define DAOS_PROP_ENTRY_SCRUB_DISABLED  "scrub_disabled"
#define DAOS_PROP_ENTRY_ROOT_OIDS       "root_oids"
/* Older names still accepted. */
#define DAOS_PROP_ENTRY_REDUN_FAC_OLD "rf"
#define DAOS_PROP_ENTRY_REDUN_LVL_OLD "rf_lvl"

/* Default ACLs of a new pool and container (ACE strings). */
#define DAOS_POOL_DEFAULT_ACL_OWNER "A::OWNER@:rw"
#define DAOS_POOL_DEFAULT_ACL_GROUP "A:G:GROUP@:rw"
#define DAOS_CONT_DEFAULT_ACL_OWNER "A::OWNER@:rwdtTaAo"
#define DAOS_CONT_DEFAULT_ACL_GROUP "A:G:GROUP@:rwtT"

/**
 * Check a property list: entry count, every type belongs to pools (\a pool)
 * or containers, and with \a input every value is within its range (labels,
 * principals, ACLs, enums, sizes). Logs the first problem.
 */
bool daos_prop_valid(daos_prop_t *prop, bool pool, bool input);

/** Deep-copy \a entry into \a entry_dup, freeing \a entry_dup's old value first. */
int daos_prop_entry_copy(struct daos_prop_entry *entry, struct daos_prop_entry *entry_dup);

/** Validate (as daos_prop_valid) and deep-copy \a prop; NULL on failure. */
daos_prop_t *daos_prop_dup(daos_prop_t *prop, bool pool, bool input);

/**
 * Fill the caller's \a prop_req from a reply \a prop_reply, as the query
 * calls do: an empty \a prop_req receives every entry; otherwise the entries
 * whose dpe_type is set are looked up (type 0 takes the reply's entry at the
 * same index), and a type the reply lacks becomes a negative entry
 * (DAOS_PROP_ENTRY_NOT_SET). Values and flags are deep-copied.
 *
 * \return 0, -DER_PROTO (empty reply), -DER_NOMEM
 */
int daos_prop_copy(daos_prop_t *prop_req, daos_prop_t *prop_reply);

/**
 * Encode \a prop into one flat, self-describing buffer (for rdb values and
 * RPC payloads carried as a d_iov_t): every entry with its flags and its
 * value, strings, ACLs, root OIDs and rank lists included. Free *buf with
 * D_FREE/free().
 *
 * \return 0, -DER_INVAL (NULL arguments, more than DAOS_PROP_ENTRIES_MAX_NR), -DER_NOMEM
 */
int daos_prop_encode(daos_prop_t *prop, void **buf, size_t *len);

/**
 * Decode a buffer from daos_prop_encode() into a new property list (free
 * with daos_prop_free). The buffer is checked completely (sizes, value kinds
 * per property type, ACL structure, string terminators), so input from the
 * network or disk cannot make it read out of bounds.
 *
 * \return 0, -DER_INVAL (malformed), -DER_NOMEM
 */
int daos_prop_decode(const void *buf, size_t len, daos_prop_t **prop);

/** Layout type from a name (POSIX, HDF5, PYTHON, SPARK, DATABASE/DB, ROOT/RNTuple, SEISMIC/DSG, METEO/FDB; any case); UNKNOWN otherwise. */
void daos_parse_ctype(const char *string, daos_cont_layout_t *type);

/** Name of a layout type ("POSIX", ..., "unknown"); \a string needs 10 bytes. */
void daos_unparse_ctype(daos_cont_layout_t ctype, char *string);

/* ---------------------------------------------------------------------------
 * Property names and values as the CLIs show them.
 * ------------------------------------------------------------------------- */

/** Flags of a property description. */
enum {
	/** only reported, never set by the user */
	DAOS_PROP_DESC_RO = (1 << 0),
	/** may be changed on an existing pool/container (set-prop) */
	DAOS_PROP_DESC_SET = (1 << 1),
	/** may be given at creation */
	DAOS_PROP_DESC_CREATE = (1 << 2),
	/** known by name but not printed by a plain get-prop (shown by other commands) */
	DAOS_PROP_DESC_NOLIST = (1 << 3),
};

/** One property as the CLIs know it. */
struct daos_prop_desc {
	/** property number */
	uint32_t pd_type;
	/** CLI name, e.g. "rd_fac" */
	const char *pd_name;
	/** human description, e.g. "Redundancy Factor" */
	const char *pd_desc;
	/** DAOS_PROP_DESC_* */
	uint32_t pd_flags;
	/** accepted values ("off,crc16,...") for help text, or NULL */
	const char *pd_values;
};

/**
 * The description of a property by CLI name (case-insensitive, older
 * aliases accepted) among pool (\a pool) or container properties; NULL if unknown.
 */
const struct daos_prop_desc *daos_prop_desc_by_name(const char *name, bool pool);

/** The description of a property number, or NULL. */
const struct daos_prop_desc *daos_prop_desc_by_type(uint32_t type);

/**
 * The \a idx-th pool (\a pool) or container property in the order get-prop
 * prints them, or NULL past the end (skip DAOS_PROP_DESC_NOLIST ones when
 * printing everything).
 */
const struct daos_prop_desc *daos_prop_desc_at(bool pool, int idx);

/**
 * Set \a entry (type and value) from a CLI value of property \a desc: enums
 * by name ("crc32", "lazy", "rank"), sizes with units ("1MiB", "4k"),
 * numbers, labels, principals and ACLs ("A::OWNER@:rw" separated by ';').
 * \a entry must hold no allocated value.
 *
 * \return 0, -DER_INVAL (bad value; logged), -DER_NOMEM
 */
int daos_prop_entry_from_str(const struct daos_prop_desc *desc, const char *value,
			     struct daos_prop_entry *entry);

/**
 * Parse "name:value[,name:value...]" (the --properties/-P syntax). Only the
 * first ':' of each pair separates name and value. Unknown names, values
 * that do not parse, duplicates and properties without all of
 * \a required_flags (DAOS_PROP_DESC_CREATE or DAOS_PROP_DESC_SET; 0 for
 * none) are refused with -DER_INVAL; \a errbuf (may be NULL) receives the
 * reason for the user.
 *
 * \return 0, -DER_INVAL, -DER_NOMEM
 */
int daos_prop_parse_kv(const char *str, bool pool, uint32_t required_flags, daos_prop_t **prop,
		       char *errbuf, size_t errlen);

/**
 * Print the value of \a entry as get-prop does ("rd_fac1", "POSIX (1)",
 * "1.0 MiB", "A::OWNER@:rw, A:G:GROUP@:rw", "not set" for negative entries).
 *
 * \return 0, -DER_INVAL, -DER_TRUNC
 */
int daos_prop_entry_to_str(struct daos_prop_entry *entry, char *buf, size_t buf_len);

/**
 * New property list asking for every property get-prop shows for pools
 * (\a pool) or containers: types set in get-prop order, no values. Pass it
 * to a query, then print it with daos_prop_print_table(). NULL if out of memory.
 */
daos_prop_t *daos_prop_alloc_listed(bool pool);

/**
 * Print \a prop as "daos cont get-prop" and "dmg pool get-prop" do: a
 * "Name"/"Value" header underlined with dashes, then one row per entry,
 * "Description (name)" padded to the widest name plus one space, then the
 * value. Entries of unknown types are skipped. The caller prints any title
 * line ("Properties for container mycont").
 *
 * \return 0, -DER_INVAL, -DER_IO
 */
int daos_prop_print_table(FILE *out, daos_prop_t *prop);

#if defined(__cplusplus)
}
#endif

#endif /* __DAOS_INTERNAL_PROP_H__ */
