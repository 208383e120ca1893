/**
 * Property lists (daos_prop.h): allocation, lookup, value setters, deep
 * copies, merging, validation and the "name:value;..." parser.
 */
#define D_LOGFAC DD_FAC(common)

#include <strings.h>
#include <daos/common.h>
#include <daos/prop.h>
#include <daos/strutil.h>

daos_prop_t *
daos_prop_alloc(uint32_t entries_nr)
{
	daos_prop_t *prop;

	if (entries_nr > DAOS_PROP_ENTRIES_MAX_NR) {
		D_ERROR("cannot allocate %u property entries (max %d)\n", entries_nr,
			DAOS_PROP_ENTRIES_MAX_NR);
		return NULL;
	}
	D_ALLOC_PTR(prop);
	if (prop == NULL)
		return NULL;
	if (entries_nr > 0) {
		D_ALLOC_ARRAY(prop->dpp_entries, entries_nr);
		if (prop->dpp_entries == NULL) {
			D_FREE(prop);
			return NULL;
		}
	}
	prop->dpp_nr = entries_nr;
	return prop;
}

bool
daos_prop_has_str(struct daos_prop_entry *entry)
{
	if (entry == NULL)
		return false;
	switch (entry->dpe_type) {
	case DAOS_PROP_PO_LABEL:
	case DAOS_PROP_CO_LABEL:
	case DAOS_PROP_PO_OWNER:
	case DAOS_PROP_CO_OWNER:
	case DAOS_PROP_PO_OWNER_GROUP:
	case DAOS_PROP_CO_OWNER_GROUP:
		return true;
	}
	return false;
}

bool
daos_prop_has_ptr(struct daos_prop_entry *entry)
{
	if (entry == NULL)
		return false;
	switch (entry->dpe_type) {
	case DAOS_PROP_PO_SVC_LIST:
	case DAOS_PROP_PO_ACL:
	case DAOS_PROP_CO_ACL:
	case DAOS_PROP_CO_ROOTS:
		return true;
	}
	return false;
}

static void
prop_entry_free_value(struct daos_prop_entry *entry)
{
	if (entry->dpe_type == DAOS_PROP_PO_SVC_LIST) {
		d_rank_list_free(entry->dpe_val_ptr);
		entry->dpe_val_ptr = NULL;
	} else if (daos_prop_has_str(entry)) {
		D_FREE(entry->dpe_str);
	} else if (daos_prop_has_ptr(entry)) {
		D_FREE(entry->dpe_val_ptr);
	}
}

void
daos_prop_fini(daos_prop_t *prop)
{
	uint32_t i;

	if (prop == NULL)
		return;
	if (prop->dpp_entries != NULL) {
		for (i = 0; i < prop->dpp_nr; i++)
			prop_entry_free_value(&prop->dpp_entries[i]);
		D_FREE(prop->dpp_entries);
	}
	prop->dpp_nr = 0;
}

void
daos_prop_free(daos_prop_t *prop)
{
	if (prop == NULL)
		return;
	daos_prop_fini(prop);
	D_FREE(prop);
}

struct daos_prop_entry *
daos_prop_entry_get(daos_prop_t *prop, uint32_t type)
{
	uint32_t i;

	if (prop == NULL || prop->dpp_nr == 0 || prop->dpp_entries == NULL)
		return NULL;
	for (i = 0; i < prop->dpp_nr; i++) {
		if (prop->dpp_entries[i].dpe_type == type)
			return &prop->dpp_entries[i];
	}
	return NULL;
}

int
daos_prop_entry_set_str(struct daos_prop_entry *entry, const char *str, daos_size_t len)
{
	char *copy;

	if (entry == NULL)
		return -DER_INVAL;
	if (!daos_prop_has_str(entry)) {
		D_ERROR("property %u does not hold a string\n", entry->dpe_type);
		return -DER_INVAL;
	}
	/* No string: the entry is cleared, as DAOS does. */
	if (str == NULL || len == 0) {
		D_FREE(entry->dpe_str);
		return 0;
	}
	D_STRNDUP(copy, str, len);
	if (copy == NULL)
		return -DER_NOMEM;
	D_FREE(entry->dpe_str);
	entry->dpe_str = copy;
	entry->dpe_flags &= ~DAOS_PROP_ENTRY_NOT_SET;
	return 0;
}

int
daos_prop_set_str(daos_prop_t *prop, uint32_t type, const char *str, daos_size_t len)
{
	struct daos_prop_entry *entry = daos_prop_entry_get(prop, type);

	if (entry == NULL) {
		D_ERROR("no entry of type %u in the property list\n", type);
		return -DER_NONEXIST;
	}
	return daos_prop_entry_set_str(entry, str, len);
}

int
daos_prop_entry_set_ptr(struct daos_prop_entry *entry, const void *ptr, daos_size_t size)
{
	void *copy;

	if (entry == NULL)
		return -DER_INVAL;
	/* The rank list owns a second allocation: it cannot be a flat copy. */
	if (!daos_prop_has_ptr(entry) || entry->dpe_type == DAOS_PROP_PO_SVC_LIST) {
		D_ERROR("property %u does not hold a flat value\n", entry->dpe_type);
		return -DER_INVAL;
	}
	if (ptr == NULL || size == 0) {
		D_FREE(entry->dpe_val_ptr);
		return 0;
	}
	D_ALLOC(copy, size);
	if (copy == NULL)
		return -DER_NOMEM;
	memcpy(copy, ptr, size);
	D_FREE(entry->dpe_val_ptr);
	entry->dpe_val_ptr = copy;
	entry->dpe_flags &= ~DAOS_PROP_ENTRY_NOT_SET;
	return 0;
}

int
daos_prop_set_ptr(daos_prop_t *prop, uint32_t type, const void *ptr, daos_size_t size)
{
	struct daos_prop_entry *entry = daos_prop_entry_get(prop, type);

	if (entry == NULL) {
		D_ERROR("no entry of type %u in the property list\n", type);
		return -DER_NONEXIST;
	}
	return daos_prop_entry_set_ptr(entry, ptr, size);
}

int
daos_prop_entry_dup_ptr(struct daos_prop_entry *entry_dst, struct daos_prop_entry *entry_src,
			size_t len)
{
	void *copy;

	if (entry_dst == NULL || entry_src == NULL || entry_src->dpe_val_ptr == NULL || len == 0)
		return -DER_INVAL;
	D_ALLOC(copy, len);
	if (copy == NULL)
		return -DER_NOMEM;
	memcpy(copy, entry_src->dpe_val_ptr, len);
	entry_dst->dpe_val_ptr = copy;
	return 0;
}

int
daos_prop_entry_dup_co_roots(struct daos_prop_entry *dst, struct daos_prop_entry *src)
{
	if (dst == NULL || src == NULL || src->dpe_val_ptr == NULL)
		return -DER_INVAL;
	if (dst->dpe_val_ptr == NULL) {
		D_ALLOC(dst->dpe_val_ptr, sizeof(struct daos_prop_co_roots));
		if (dst->dpe_val_ptr == NULL)
			return -DER_NOMEM;
	}
	memcpy(dst->dpe_val_ptr, src->dpe_val_ptr, sizeof(struct daos_prop_co_roots));
	return 0;
}

static bool
is_acl_type(uint32_t type)
{
	return type == DAOS_PROP_PO_ACL || type == DAOS_PROP_CO_ACL;
}

int
daos_prop_entry_cmp_acl(struct daos_prop_entry *entry1, struct daos_prop_entry *entry2)
{
	ssize_t size1;
	ssize_t size2;

	if (entry1 == NULL || entry2 == NULL || !is_acl_type(entry1->dpe_type) ||
	    !is_acl_type(entry2->dpe_type))
		return -DER_MISMATCH;
	if (entry1->dpe_val_ptr == NULL && entry2->dpe_val_ptr == NULL)
		return 0;
	if (entry1->dpe_val_ptr == NULL || entry2->dpe_val_ptr == NULL)
		return -DER_MISMATCH;
	size1 = daos_acl_get_size(entry1->dpe_val_ptr);
	size2 = daos_acl_get_size(entry2->dpe_val_ptr);
	if (size1 < 0 || size1 != size2)
		return -DER_MISMATCH;
	if (memcmp(entry1->dpe_val_ptr, entry2->dpe_val_ptr, size1) != 0)
		return -DER_MISMATCH;
	return 0;
}

int
daos_prop_entry_copy(struct daos_prop_entry *entry, struct daos_prop_entry *entry_dup)
{
	d_rank_list_t *ranks;
	int rc;

	if (entry == NULL || entry_dup == NULL)
		return -DER_INVAL;
	if (entry == entry_dup)
		return 0;

	prop_entry_free_value(entry_dup);
	entry_dup->dpe_type = entry->dpe_type;
	entry_dup->dpe_flags = entry->dpe_flags;
	entry_dup->dpe_val = 0;

	switch (entry->dpe_type) {
	case DAOS_PROP_PO_LABEL:
	case DAOS_PROP_CO_LABEL:
	case DAOS_PROP_PO_OWNER:
	case DAOS_PROP_CO_OWNER:
	case DAOS_PROP_PO_OWNER_GROUP:
	case DAOS_PROP_CO_OWNER_GROUP:
		if (entry->dpe_str != NULL) {
			D_STRNDUP(entry_dup->dpe_str, entry->dpe_str, DAOS_ACL_MAX_PRINCIPAL_LEN);
			if (entry_dup->dpe_str == NULL)
				return -DER_NOMEM;
		}
		break;
	case DAOS_PROP_PO_ACL:
	case DAOS_PROP_CO_ACL:
		if (entry->dpe_val_ptr != NULL) {
			entry_dup->dpe_val_ptr = daos_acl_dup(entry->dpe_val_ptr);
			if (entry_dup->dpe_val_ptr == NULL)
				return -DER_NOMEM;
		}
		break;
	case DAOS_PROP_PO_SVC_LIST:
		if (entry->dpe_val_ptr != NULL) {
			rc = d_rank_list_dup(&ranks, entry->dpe_val_ptr);
			if (rc != 0)
				return rc;
			entry_dup->dpe_val_ptr = ranks;
		}
		break;
	case DAOS_PROP_CO_ROOTS:
		if (entry->dpe_val_ptr != NULL)
			return daos_prop_entry_dup_co_roots(entry_dup, entry);
		break;
	default:
		entry_dup->dpe_val = entry->dpe_val;
		break;
	}
	return 0;
}

daos_prop_t *
daos_prop_dup(daos_prop_t *prop, bool pool, bool input)
{
	daos_prop_t *dup;
	uint32_t i;

	if (!daos_prop_valid(prop, pool, input))
		return NULL;
	dup = daos_prop_alloc(prop->dpp_nr);
	if (dup == NULL)
		return NULL;
	for (i = 0; i < prop->dpp_nr; i++) {
		if (daos_prop_entry_copy(&prop->dpp_entries[i], &dup->dpp_entries[i]) != 0) {
			daos_prop_free(dup);
			return NULL;
		}
	}
	return dup;
}

int
daos_prop_copy(daos_prop_t *prop_req, daos_prop_t *prop_reply)
{
	struct daos_prop_entry *req;
	struct daos_prop_entry *reply;
	bool entries_alloc = false;
	uint32_t i;
	int rc = 0;

	if (prop_req == NULL)
		return -DER_INVAL;
	if (prop_reply == NULL || prop_reply->dpp_nr == 0 || prop_reply->dpp_entries == NULL) {
		D_ERROR("no properties in the reply\n");
		return -DER_PROTO;
	}
	if (prop_req->dpp_nr == 0 || prop_req->dpp_entries == NULL) {
		D_ALLOC_ARRAY(prop_req->dpp_entries, prop_reply->dpp_nr);
		if (prop_req->dpp_entries == NULL)
			return -DER_NOMEM;
		prop_req->dpp_nr = prop_reply->dpp_nr;
		entries_alloc = true;
	}

	for (i = 0; i < prop_req->dpp_nr; i++) {
		req = &prop_req->dpp_entries[i];
		if (req->dpe_type == 0) {
			/* Untyped slots take the reply's entries in order, as far as they go. */
			if (i >= prop_reply->dpp_nr)
				break;
			reply = &prop_reply->dpp_entries[i];
		} else {
			reply = daos_prop_entry_get(prop_reply, req->dpe_type);
		}
		/* The caller's entries carry types only; never free what they point to. */
		req->dpe_val = 0;
		if (reply == NULL) {
			/* Not known to the other side (older version): a negative entry. */
			req->dpe_flags |= DAOS_PROP_ENTRY_NOT_SET;
			continue;
		}
		rc = daos_prop_entry_copy(reply, req);
		if (rc != 0)
			goto out;
	}
out:
	if (rc != 0) {
		/* Free what this call copied; entries past the failure hold no value. */
		while (i-- > 0)
			prop_entry_free_value(&prop_req->dpp_entries[i]);
		if (entries_alloc) {
			D_FREE(prop_req->dpp_entries);
			prop_req->dpp_nr = 0;
		}
	}
	return rc;
}

int
daos_prop_merge2(daos_prop_t *old_prop, daos_prop_t *new_prop, daos_prop_t **out_prop)
{
	struct daos_prop_entry *entry;
	daos_prop_t *result;
	uint32_t nr;
	uint32_t next;
	uint32_t i;
	int rc;

	if (old_prop == NULL || new_prop == NULL || out_prop == NULL)
		return -DER_INVAL;

	nr = old_prop->dpp_nr;
	for (i = 0; i < new_prop->dpp_nr; i++) {
		if (daos_prop_entry_get(old_prop, new_prop->dpp_entries[i].dpe_type) == NULL)
			nr++;
	}
	if (nr > DAOS_PROP_ENTRIES_MAX_NR)
		return -DER_INVAL;
	result = daos_prop_alloc(nr);
	if (result == NULL)
		return -DER_NOMEM;

	for (i = 0; i < old_prop->dpp_nr; i++) {
		rc = daos_prop_entry_copy(&old_prop->dpp_entries[i], &result->dpp_entries[i]);
		if (rc != 0)
			goto err;
	}
	next = old_prop->dpp_nr;
	for (i = 0; i < new_prop->dpp_nr; i++) {
		/* Look in the result only up to what it holds so far: zeroed slots are type 0. */
		result->dpp_nr = next;
		entry = daos_prop_entry_get(result, new_prop->dpp_entries[i].dpe_type);
		result->dpp_nr = nr;
		if (entry == NULL)
			entry = &result->dpp_entries[next++];
		rc = daos_prop_entry_copy(&new_prop->dpp_entries[i], entry);
		if (rc != 0)
			goto err;
	}
	*out_prop = result;
	return 0;
err:
	daos_prop_free(result);
	return rc;
}

daos_prop_t *
daos_prop_merge(daos_prop_t *old_prop, daos_prop_t *new_prop)
{
	daos_prop_t *out = NULL;

	if (daos_prop_merge2(old_prop, new_prop, &out) != 0)
		return NULL;
	return out;
}

static bool
principal_prop_valid(const char *str, const char *what)
{
	if (str == NULL || !daos_acl_principal_is_valid(str)) {
		D_ERROR("invalid %s \"%s\"\n", what, str == NULL ? "(null)" : str);
		return false;
	}
	return true;
}

static bool
entry_value_valid(struct daos_prop_entry *entry)
{
	struct daos_co_status st;
	uint64_t val = entry->dpe_val;

	switch (entry->dpe_type) {
	case DAOS_PROP_PO_LABEL:
	case DAOS_PROP_CO_LABEL:
		if (!daos_label_is_valid(entry->dpe_str)) {
			D_ERROR("invalid label \"%.*s\"\n", DAOS_PROP_LABEL_MAX_LEN + 1,
				entry->dpe_str == NULL ? "(null)" : entry->dpe_str);
			return false;
		}
		return true;
	case DAOS_PROP_PO_ACL:
		return daos_acl_pool_validate(entry->dpe_val_ptr) == 0;
	case DAOS_PROP_CO_ACL:
		return daos_acl_cont_validate(entry->dpe_val_ptr) == 0;
	case DAOS_PROP_PO_OWNER:
	case DAOS_PROP_CO_OWNER:
		return principal_prop_valid(entry->dpe_str, "owner");
	case DAOS_PROP_PO_OWNER_GROUP:
	case DAOS_PROP_CO_OWNER_GROUP:
		return principal_prop_valid(entry->dpe_str, "owner-group");
	case DAOS_PROP_PO_SPACE_RB:
		if (val > 100)
			goto bad;
		return true;
	case DAOS_PROP_PO_SELF_HEAL:
		if (val & ~(uint64_t)(DAOS_SELF_HEAL_AUTO_EXCLUDE | DAOS_SELF_HEAL_AUTO_REBUILD |
				      DAOS_SELF_HEAL_DELAY_REBUILD))
			goto bad;
		return true;
	case DAOS_PROP_PO_RECLAIM:
		if (val > DAOS_RECLAIM_TIME)
			goto bad;
		return true;
	case DAOS_PROP_PO_EC_CELL_SZ:
	case DAOS_PROP_CO_EC_CELL_SZ:
		/* 0 on a container means "inherit the pool's". */
		if (entry->dpe_type == DAOS_PROP_CO_EC_CELL_SZ && val == 0)
			return true;
		if (val < DAOS_PROP_PO_EC_CELL_SZ_MIN || val > DAOS_PROP_PO_EC_CELL_SZ_MAX ||
		    (val % 8) != 0)
			goto bad;
		return true;
	case DAOS_PROP_PO_REDUN_FAC:
		if (!daos_rf_is_valid(val))
			goto bad;
		return true;
	case DAOS_PROP_PO_SVC_REDUN_FAC:
		if (!daos_svc_rf_is_valid(val))
			goto bad;
		return true;
	case DAOS_PROP_PO_PERF_DOMAIN:
	case DAOS_PROP_CO_PERF_DOMAIN:
		if (val != DAOS_PROP_PERF_DOMAIN_ROOT && val != DAOS_PROP_PERF_DOMAIN_GROUP)
			goto bad;
		return true;
	case DAOS_PROP_PO_UPGRADE_STATUS:
		if (val > DAOS_UPGRADE_STATUS_FAILED)
			goto bad;
		return true;
	case DAOS_PROP_PO_SCRUB_MODE:
		if (val >= DAOS_SCRUB_MODE_INVALID)
			goto bad;
		return true;
	case DAOS_PROP_PO_CHECKPOINT_MODE:
		if (val > DAOS_CHECKPOINT_LAZY)
			goto bad;
		return true;
	case DAOS_PROP_PO_CHECKPOINT_FREQ:
		if (val < DAOS_PROP_PO_CHECKPOINT_FREQ_MIN ||
		    val > DAOS_PROP_PO_CHECKPOINT_FREQ_MAX)
			goto bad;
		return true;
	case DAOS_PROP_PO_CHECKPOINT_THRESH:
		if (val < DAOS_PROP_PO_CHECKPOINT_THRESH_MIN ||
		    val > DAOS_PROP_PO_CHECKPOINT_THRESH_MAX)
			goto bad;
		return true;
	case DAOS_PROP_PO_REINT_MODE:
		if (val > DAOS_REINT_MODE_INCREMENTAL)
			goto bad;
		return true;
	case DAOS_PROP_PO_SVC_OPS_ENABLED:
		if (val > 1)
			goto bad;
		return true;
	case DAOS_PROP_PO_SVC_OPS_ENTRY_AGE:
		if (val < DAOS_PROP_PO_SVC_OPS_ENTRY_AGE_MIN ||
		    val > DAOS_PROP_PO_SVC_OPS_ENTRY_AGE_MAX)
			goto bad;
		return true;
	case DAOS_PROP_CO_LAYOUT_TYPE:
		if (val >= DAOS_PROP_CO_LAYOUT_MAX)
			goto bad;
		return true;
	case DAOS_PROP_CO_CSUM:
		if (val > DAOS_PROP_CO_CSUM_ADLER32)
			goto bad;
		return true;
	case DAOS_PROP_CO_CSUM_CHUNK_SIZE:
		if (val >= (1ULL << 32))
			goto bad;
		return true;
	case DAOS_PROP_CO_CSUM_SERVER_VERIFY:
		if (val > DAOS_PROP_CO_CSUM_SV_ON)
			goto bad;
		return true;
	case DAOS_PROP_CO_DEDUP:
		if (val > DAOS_PROP_CO_DEDUP_HASH)
			goto bad;
		return true;
	case DAOS_PROP_CO_DEDUP_THRESHOLD:
		if (val < 4096 || val >= (1ULL << 32))
			goto bad;
		return true;
	case DAOS_PROP_CO_REDUN_FAC:
		if (val > DAOS_PROP_CO_REDUN_RF4)
			goto bad;
		return true;
	case DAOS_PROP_CO_REDUN_LVL:
		if (val < DAOS_PROP_CO_REDUN_MIN || val > DAOS_PROP_CO_REDUN_MAX)
			goto bad;
		return true;
	case DAOS_PROP_CO_COMPRESS:
		if (val > DAOS_PROP_CO_COMPRESS_DEFLATE4)
			goto bad;
		return true;
	case DAOS_PROP_CO_ENCRYPT:
		if (val > DAOS_PROP_CO_ENCRYPT_AES_GCM256)
			goto bad;
		return true;
	case DAOS_PROP_CO_STATUS:
		daos_prop_val_2_co_status(val, &st);
		if (st.dcs_status != DAOS_PROP_CO_HEALTHY && st.dcs_status != DAOS_PROP_CO_UNCLEAN)
			goto bad;
		return true;
	case DAOS_PROP_CO_SCRUBBER_DISABLED:
		if (val > 1)
			goto bad;
		return true;
	case DAOS_PROP_PO_SVC_LIST:
	case DAOS_PROP_PO_DATA_THRESH:
	case DAOS_PROP_PO_EC_PDA:
	case DAOS_PROP_PO_RP_PDA:
	case DAOS_PROP_PO_GLOBAL_VERSION:
	case DAOS_PROP_PO_OBJ_VERSION:
	case DAOS_PROP_PO_SCRUB_FREQ:
	case DAOS_PROP_PO_SCRUB_THRESH:
	case DAOS_PROP_CO_LAYOUT_VER:
	case DAOS_PROP_CO_SNAPSHOT_MAX:
	case DAOS_PROP_CO_ROOTS:
	case DAOS_PROP_CO_ALLOCED_OID:
	case DAOS_PROP_CO_EC_PDA:
	case DAOS_PROP_CO_RP_PDA:
	case DAOS_PROP_CO_GLOBAL_VERSION:
	case DAOS_PROP_CO_OBJ_VERSION:
		return true;
	default:
		D_ERROR("unknown property type %u\n", entry->dpe_type);
		return false;
	}
bad:
	D_ERROR("invalid value " DF_U64 " for property %u\n", val, entry->dpe_type);
	return false;
}

bool
daos_prop_valid(daos_prop_t *prop, bool pool, bool input)
{
	uint32_t type;
	uint32_t i;
	uint32_t j;

	if (prop == NULL) {
		D_ERROR("NULL property list\n");
		return false;
	}
	if (prop->dpp_nr > DAOS_PROP_ENTRIES_MAX_NR) {
		D_ERROR("%u property entries (max %d)\n", prop->dpp_nr, DAOS_PROP_ENTRIES_MAX_NR);
		return false;
	}
	if (prop->dpp_nr == 0)
		return prop->dpp_entries == NULL;
	if (prop->dpp_entries == NULL) {
		D_ERROR("%u property entries but no array\n", prop->dpp_nr);
		return false;
	}
	for (i = 0; i < prop->dpp_nr; i++) {
		type = prop->dpp_entries[i].dpe_type;
		if (pool ? (type <= DAOS_PROP_PO_MIN || type >= DAOS_PROP_PO_MAX)
			 : (type <= DAOS_PROP_CO_MIN || type >= DAOS_PROP_CO_MAX)) {
			D_ERROR("property type %u is not a %s property\n", type,
				pool ? "pool" : "container");
			return false;
		}
		if (!input)
			continue;
		for (j = 0; j < i; j++) {
			if (prop->dpp_entries[j].dpe_type == type) {
				D_ERROR("property type %u appears twice\n", type);
				return false;
			}
		}
		if (!daos_prop_is_set(&prop->dpp_entries[i]))
			continue;
		if (!entry_value_valid(&prop->dpp_entries[i]))
			return false;
	}
	return true;
}

void
daos_parse_ctype(const char *string, daos_cont_layout_t *type)
{
	static const struct {
		const char *name;
		int type;
	} names[] = {
		{"POSIX", DAOS_PROP_CO_LAYOUT_POSIX},       {"HDF5", DAOS_PROP_CO_LAYOUT_HDF5},
		{"PYTHON", DAOS_PROP_CO_LAYOUT_PYTHON},     {"SPARK", DAOS_PROP_CO_LAYOUT_SPARK},
		{"DATABASE", DAOS_PROP_CO_LAYOUT_DATABASE}, {"DB", DAOS_PROP_CO_LAYOUT_DATABASE},
		{"ROOT", DAOS_PROP_CO_LAYOUT_ROOT},         {"RNTuple", DAOS_PROP_CO_LAYOUT_ROOT},
		{"SEISMIC", DAOS_PROP_CO_LAYOUT_SEISMIC},   {"DSG", DAOS_PROP_CO_LAYOUT_SEISMIC},
		{"METEO", DAOS_PROP_CO_LAYOUT_METEO},       {"FDB", DAOS_PROP_CO_LAYOUT_METEO},
	};
	size_t i;

	if (type == NULL)
		return;
	*type = DAOS_PROP_CO_LAYOUT_UNKNOWN;
	if (string == NULL)
		return;
	for (i = 0; i < ARRAY_SIZE(names); i++) {
		if (strcasecmp(string, names[i].name) == 0) {
			*type = names[i].type;
			return;
		}
	}
}

void
daos_unparse_ctype(daos_cont_layout_t ctype, char *string)
{
	static const char *const names[] = {
		[DAOS_PROP_CO_LAYOUT_UNKNOWN] = "unknown",
		[DAOS_PROP_CO_LAYOUT_POSIX] = "POSIX",
		[DAOS_PROP_CO_LAYOUT_HDF5] = "HDF5",
		[DAOS_PROP_CO_LAYOUT_PYTHON] = "PYTHON",
		[DAOS_PROP_CO_LAYOUT_SPARK] = "SPARK",
		[DAOS_PROP_CO_LAYOUT_DATABASE] = "DATABASE",
		[DAOS_PROP_CO_LAYOUT_ROOT] = "ROOT",
		[DAOS_PROP_CO_LAYOUT_SEISMIC] = "SEISMIC",
		[DAOS_PROP_CO_LAYOUT_METEO] = "METEO",
	};

	if (string == NULL)
		return;
	strcpy(string, ctype < DAOS_PROP_CO_LAYOUT_MAX ? names[ctype] : "unknown");
}

int
daos_prop_from_str(const char *str, daos_size_t len, daos_prop_t **out)
{
	const struct daos_prop_desc *desc;
	daos_prop_t *prop = NULL;
	char *local;
	char *save = NULL;
	char *tok;
	char *val;
	uint32_t n = 0;
	int rc = 0;

	if (str == NULL || len == 0 || out == NULL)
		return -DER_INVAL;
	D_STRNDUP(local, str, len);
	if (local == NULL)
		return -DER_NOMEM;
	for (tok = local; *tok != '\0'; tok++)
		n += (*tok == ';');
	n++;
	if (n > DAOS_PROP_ENTRIES_MAX_NR) {
		D_ERROR("more than %d properties\n", DAOS_PROP_ENTRIES_MAX_NR);
		D_GOTO(out, rc = -DER_INVAL);
	}
	prop = daos_prop_alloc(n);
	if (prop == NULL)
		D_GOTO(out, rc = -DER_NOMEM);
	prop->dpp_nr = 0;

	for (tok = strtok_r(local, ";", &save); tok != NULL; tok = strtok_r(NULL, ";", &save)) {
		val = strchr(tok, ':');
		if (val == NULL || val == tok || val[1] == '\0') {
			D_ERROR("property \"%s\" is not name:value\n", tok);
			D_GOTO(out, rc = -DER_INVAL);
		}
		*val++ = '\0';
		desc = daos_prop_desc_by_name(tok, false);
		if (desc == NULL) {
			D_ERROR("Property %s is invalid\n", tok);
			D_GOTO(out, rc = -DER_INVAL);
		}
		if (!(desc->pd_flags & DAOS_PROP_DESC_CREATE)) {
			D_ERROR("Property %s is read only\n", tok);
			D_GOTO(out, rc = -DER_INVAL);
		}
		if (daos_prop_entry_get(prop, desc->pd_type) != NULL) {
			D_ERROR("Property %s given twice\n", tok);
			D_GOTO(out, rc = -DER_INVAL);
		}
		rc = daos_prop_entry_from_str(desc, val, &prop->dpp_entries[prop->dpp_nr]);
		if (rc != 0)
			goto out;
		prop->dpp_nr++;
	}
	if (prop->dpp_nr == 0) {
		D_ERROR("no property in \"%s\"\n", local);
		D_GOTO(out, rc = -DER_INVAL);
	}
	*out = prop;
	prop = NULL;
out:
	/* Entries past dpp_nr hold no value; freeing the array is enough for them. */
	daos_prop_free(prop);
	D_FREE(local);
	return rc;
}
