/**
 * Pool and container properties: the types shared by every layer. The
 * property numbers (DAOS_PROP_PO_*, DAOS_PROP_CO_*) and the functions that
 * build and parse property lists come with the pool and container services.
 */
#ifndef __DAOS_PROP_H__
#define __DAOS_PROP_H__

#include <ctype.h>
#include <daos_types.h>

#if defined(__cplusplus)
extern "C" {
#endif

/** dpe_flags: the entry carries no value (a "negative" entry). */
enum {
	DAOS_PROP_ENTRY_NOT_SET = (1 << 0),
};

/** One property: its number and a value (integer, string or pointer, by number). */
struct daos_prop_entry {
	uint32_t dpe_type;
	uint16_t dpe_flags;
	uint16_t dpe_reserv;
	union {
		uint64_t   dpe_val;
		d_string_t dpe_str;
		void      *dpe_val_ptr;
	};
};

/** A list of properties. */
typedef struct {
	uint32_t                dpp_nr;
	uint32_t                dpp_reserv;
	struct daos_prop_entry *dpp_entries;
} daos_prop_t;

/** Most entries a property list may hold. */
#define DAOS_PROP_ENTRIES_MAX_NR    128
/** Longest pool or container label. */
#define DAOS_PROP_LABEL_MAX_LEN     127
#define DAOS_PROP_MAX_LABEL_BUF_LEN (DAOS_PROP_LABEL_MAX_LEN + 1)

#define DAOS_PROP_CO_LABEL_DEFAULT "container_label_not_set"
#define DAOS_PROP_PO_LABEL_DEFAULT "pool_label_not_set"

static inline bool
daos_prop_is_set(struct daos_prop_entry *entry)
{
	return entry != NULL && !(entry->dpe_flags & DAOS_PROP_ENTRY_NOT_SET);
}

/**
 * A label is 1..DAOS_PROP_LABEL_MAX_LEN characters of letters, digits, '.',
 * '_', ':' and '-', and must not parse as a UUID (labels and UUIDs share the
 * command line).
 */
static inline bool
daos_label_is_valid(const char *label)
{
	size_t len;
	size_t i;

	if (label == NULL)
		return false;
	len = strnlen(label, DAOS_PROP_LABEL_MAX_LEN + 1);
	if (len == 0 || len > DAOS_PROP_LABEL_MAX_LEN)
		return false;
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)label[i];

		if (!isalnum(c) && c != '.' && c != '_' && c != ':' && c != '-')
			return false;
	}
	return !daos_is_valid_uuid_string(label);
}

#if defined(__cplusplus)
}
#endif

#endif /* __DAOS_PROP_H__ */
