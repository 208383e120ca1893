/**
 * Property names and values as dmg and daos show them (daos/prop.h): one
 * table per kind of object, used both to parse "name:value" arguments and to
 * print get-prop output.
 */
#define D_LOGFAC DD_FAC(common)

#include <strings.h>
#include <stdarg.h>
#include <ctype.h>
#include <inttypes.h>
#include <daos/common.h>
#include <daos/prop.h>
#include <daos/strutil.h>

enum prop_kind {
	PK_LABEL,
	PK_PRINCIPAL,
	PK_ACL,
	PK_ENUM,
	PK_SIZE,
	PK_UINT,
	PK_PERCENT,
	PK_SELF_HEAL,
	PK_STATUS,
	PK_RANKS,
	PK_ROOTS,
};

/* Print formats of enum values. */
enum {
	/* just the name */
	EF_NAME,
	/* "name (N)" */
	EF_NAME_NUM,
	/* "rd_facN" */
	EF_RD_FAC,
};

struct enum_val {
	const char *ev_name;
	uint64_t ev_val;
};

struct prop_info {
	struct daos_prop_desc pi_pub;
	enum prop_kind pi_kind;
	const struct enum_val *pi_enum;
	int pi_enum_nr;
	int pi_enum_fmt;
	uint64_t pi_min;
	uint64_t pi_max;
};

#define ENUM(tab) tab, ARRAY_SIZE(tab)

static const struct enum_val reclaim_vals[] = {
	{"disabled", DAOS_RECLAIM_DISABLED}, {"lazy", DAOS_RECLAIM_LAZY},
	{"snapshot", DAOS_RECLAIM_SNAPSHOT}, {"batch", DAOS_RECLAIM_BATCH},
	{"time", DAOS_RECLAIM_TIME},
};
static const struct enum_val upgrade_vals[] = {
	{"not started", DAOS_UPGRADE_STATUS_NOT_STARTED},
	{"in progress", DAOS_UPGRADE_STATUS_IN_PROGRESS},
	{"completed", DAOS_UPGRADE_STATUS_COMPLETED},
	{"failed", DAOS_UPGRADE_STATUS_FAILED},
};
static const struct enum_val scrub_vals[] = {
	{"off", DAOS_SCRUB_MODE_OFF},
	{"lazy", DAOS_SCRUB_MODE_LAZY},
	{"timed", DAOS_SCRUB_MODE_TIMED},
};
static const struct enum_val perf_domain_vals[] = {
	{"root", DAOS_PROP_PERF_DOMAIN_ROOT},
	{"group", DAOS_PROP_PERF_DOMAIN_GROUP},
};
static const struct enum_val checkpoint_vals[] = {
	{"disabled", DAOS_CHECKPOINT_DISABLED},
	{"timed", DAOS_CHECKPOINT_TIMED},
	{"lazy", DAOS_CHECKPOINT_LAZY},
};
static const struct enum_val reint_vals[] = {
	{"data_sync", DAOS_REINT_MODE_DATA_SYNC},
	{"no_data_sync", DAOS_REINT_MODE_NO_DATA_SYNC},
	{"incremental", DAOS_REINT_MODE_INCREMENTAL},
};
static const struct enum_val bool_vals[] = {
	{"0", 0}, {"1", 1}, {"false", 0}, {"true", 1}, {"off", 0}, {"on", 1},
};
static const struct enum_val layout_vals[] = {
	{"unknown", DAOS_PROP_CO_LAYOUT_UNKNOWN}, {"POSIX", DAOS_PROP_CO_LAYOUT_POSIX},
	{"HDF5", DAOS_PROP_CO_LAYOUT_HDF5},       {"PYTHON", DAOS_PROP_CO_LAYOUT_PYTHON},
	{"SPARK", DAOS_PROP_CO_LAYOUT_SPARK},     {"DATABASE", DAOS_PROP_CO_LAYOUT_DATABASE},
	{"ROOT", DAOS_PROP_CO_LAYOUT_ROOT},       {"SEISMIC", DAOS_PROP_CO_LAYOUT_SEISMIC},
	{"METEO", DAOS_PROP_CO_LAYOUT_METEO},
};
static const struct enum_val csum_vals[] = {
	{"off", DAOS_PROP_CO_CSUM_OFF},       {"crc16", DAOS_PROP_CO_CSUM_CRC16},
	{"crc32", DAOS_PROP_CO_CSUM_CRC32},   {"crc64", DAOS_PROP_CO_CSUM_CRC64},
	{"sha1", DAOS_PROP_CO_CSUM_SHA1},     {"sha256", DAOS_PROP_CO_CSUM_SHA256},
	{"sha512", DAOS_PROP_CO_CSUM_SHA512}, {"adler32", DAOS_PROP_CO_CSUM_ADLER32},
};
static const struct enum_val srv_csum_vals[] = {
	{"off", DAOS_PROP_CO_CSUM_SV_OFF},
	{"on", DAOS_PROP_CO_CSUM_SV_ON},
};
static const struct enum_val dedup_vals[] = {
	{"off", DAOS_PROP_CO_DEDUP_OFF},
	{"memcmp", DAOS_PROP_CO_DEDUP_MEMCMP},
	{"hash", DAOS_PROP_CO_DEDUP_HASH},
};
static const struct enum_val compress_vals[] = {
	{"off", DAOS_PROP_CO_COMPRESS_OFF},           {"lz4", DAOS_PROP_CO_COMPRESS_LZ4},
	{"deflate", DAOS_PROP_CO_COMPRESS_DEFLATE},   {"deflate1", DAOS_PROP_CO_COMPRESS_DEFLATE1},
	{"deflate2", DAOS_PROP_CO_COMPRESS_DEFLATE2}, {"deflate3", DAOS_PROP_CO_COMPRESS_DEFLATE3},
	{"deflate4", DAOS_PROP_CO_COMPRESS_DEFLATE4},
};
static const struct enum_val encrypt_vals[] = {
	{"off", DAOS_PROP_CO_ENCRYPT_OFF},
	{"aes-xts128", DAOS_PROP_CO_ENCRYPT_AES_XTS128},
	{"aes-xts256", DAOS_PROP_CO_ENCRYPT_AES_XTS256},
	{"aes-cbc128", DAOS_PROP_CO_ENCRYPT_AES_CBC128},
	{"aes-cbc192", DAOS_PROP_CO_ENCRYPT_AES_CBC192},
	{"aes-cbc256", DAOS_PROP_CO_ENCRYPT_AES_CBC256},
	{"aes-gcm128", DAOS_PROP_CO_ENCRYPT_AES_GCM128},
	{"aes-gcm256", DAOS_PROP_CO_ENCRYPT_AES_GCM256},
};
static const struct enum_val rd_fac_vals[] = {
	{"0", DAOS_PROP_CO_REDUN_RF0}, {"1", DAOS_PROP_CO_REDUN_RF1}, {"2", DAOS_PROP_CO_REDUN_RF2},
	{"3", DAOS_PROP_CO_REDUN_RF3}, {"4", DAOS_PROP_CO_REDUN_RF4},
};
static const struct enum_val rd_lvl_vals[] = {
	{"rank", DAOS_PROP_CO_REDUN_RANK},
	{"node", DAOS_PROP_CO_REDUN_NODE},
	{"1", DAOS_PROP_CO_REDUN_RANK},
	{"2", DAOS_PROP_CO_REDUN_NODE},
};

#define RO     DAOS_PROP_DESC_RO
#define SET    DAOS_PROP_DESC_SET
#define CREATE DAOS_PROP_DESC_CREATE
#define NOLIST DAOS_PROP_DESC_NOLIST

/* Pool properties in dmg pool get-prop order. */
static const struct prop_info pool_props[] = {
	{{DAOS_PROP_PO_LABEL, "label", "Pool label", SET | CREATE, NULL}, PK_LABEL},
	{{DAOS_PROP_PO_SPACE_RB, "space_rb", "Rebuild space ratio", SET | CREATE, "0-100"},
	 PK_PERCENT,
	 NULL,
	 0,
	 0,
	 0,
	 100},
	{{DAOS_PROP_PO_SELF_HEAL, "self_heal", "Self-healing policy", SET | CREATE,
	  "exclude,rebuild,delay_rebuild,none"},
	 PK_SELF_HEAL},
	{{DAOS_PROP_PO_RECLAIM, "reclaim", "Reclaim strategy", SET | CREATE,
	  "disabled,lazy,snapshot,batch,time"},
	 PK_ENUM,
	 ENUM(reclaim_vals)},
	{{DAOS_PROP_PO_EC_CELL_SZ, "ec_cell_sz", "EC cell size", SET | CREATE, "1KiB-1GiB"},
	 PK_SIZE,
	 NULL,
	 0,
	 0,
	 DAOS_PROP_PO_EC_CELL_SZ_MIN,
	 DAOS_PROP_PO_EC_CELL_SZ_MAX},
	{{DAOS_PROP_PO_REDUN_FAC, "rd_fac", "Pool redundancy factor", SET | CREATE, "0-4"},
	 PK_UINT,
	 NULL,
	 0,
	 0,
	 0,
	 DAOS_PROP_PO_REDUN_FAC_MAX},
	{{DAOS_PROP_PO_EC_PDA, "ec_pda", "Performance domain affinity level of EC", SET | CREATE,
	  NULL},
	 PK_UINT,
	 NULL,
	 0,
	 0,
	 0,
	 UINT32_MAX},
	{{DAOS_PROP_PO_RP_PDA, "rp_pda", "Performance domain affinity level of RP", SET | CREATE,
	  NULL},
	 PK_UINT,
	 NULL,
	 0,
	 0,
	 0,
	 UINT32_MAX},
	{{DAOS_PROP_PO_DATA_THRESH, "data_thresh", "Data bdev threshold size", CREATE, NULL},
	 PK_SIZE,
	 NULL,
	 0,
	 0,
	 0,
	 UINT64_MAX},
	{{DAOS_PROP_PO_GLOBAL_VERSION, "global_version", "Global Version", RO, NULL}, PK_UINT},
	{{DAOS_PROP_PO_UPGRADE_STATUS, "upgrade_status", "Upgrade Status", RO, NULL},
	 PK_ENUM,
	 ENUM(upgrade_vals)},
	{{DAOS_PROP_PO_SCRUB_MODE, "scrub", "Checksum scrubbing mode", SET | CREATE,
	  "off,lazy,timed"},
	 PK_ENUM,
	 ENUM(scrub_vals)},
	{{DAOS_PROP_PO_SCRUB_FREQ, "scrub_freq", "Checksum scrubbing frequency", SET | CREATE,
	  NULL},
	 PK_UINT,
	 NULL,
	 0,
	 0,
	 0,
	 UINT64_MAX},
	{{DAOS_PROP_PO_SCRUB_THRESH, "scrub_thresh", "Checksum scrubbing threshold", SET | CREATE,
	  NULL},
	 PK_UINT,
	 NULL,
	 0,
	 0,
	 0,
	 UINT64_MAX},
	{{DAOS_PROP_PO_SVC_REDUN_FAC, "svc_rf", "Pool service redundancy factor", SET | CREATE,
	  "0-4"},
	 PK_UINT,
	 NULL,
	 0,
	 0,
	 0,
	 DAOS_PROP_PO_SVC_REDUN_FAC_MAX},
	{{DAOS_PROP_PO_SVC_LIST, "svc_list", "Pool service replica list", RO, NULL}, PK_RANKS},
	{{DAOS_PROP_PO_PERF_DOMAIN, "perf_domain", "Pool performance domain", CREATE, "root,group"},
	 PK_ENUM,
	 ENUM(perf_domain_vals)},
	{{DAOS_PROP_PO_CHECKPOINT_MODE, "checkpoint", "WAL checkpointing behavior", SET | CREATE,
	  "disabled,timed,lazy"},
	 PK_ENUM,
	 ENUM(checkpoint_vals)},
	{{DAOS_PROP_PO_CHECKPOINT_FREQ, "checkpoint_freq",
	  "WAL checkpointing frequency, in seconds", SET | CREATE, "1-1048576"},
	 PK_UINT,
	 NULL,
	 0,
	 0,
	 DAOS_PROP_PO_CHECKPOINT_FREQ_MIN,
	 DAOS_PROP_PO_CHECKPOINT_FREQ_MAX},
	{{DAOS_PROP_PO_CHECKPOINT_THRESH, "checkpoint_thresh",
	  "WAL checkpoint threshold, in percentage", SET | CREATE, "10-75"},
	 PK_UINT,
	 NULL,
	 0,
	 0,
	 DAOS_PROP_PO_CHECKPOINT_THRESH_MIN,
	 DAOS_PROP_PO_CHECKPOINT_THRESH_MAX},
	{{DAOS_PROP_PO_REINT_MODE, "reintegration", "Reintegration mode", SET | CREATE,
	  "data_sync,no_data_sync,incremental"},
	 PK_ENUM,
	 ENUM(reint_vals)},
	{{DAOS_PROP_PO_SVC_OPS_ENABLED, "svc_ops_enabled",
	  "Metadata duplicate operations detection enabled", CREATE, "0,1"},
	 PK_ENUM,
	 ENUM(bool_vals)},
	{{DAOS_PROP_PO_SVC_OPS_ENTRY_AGE, "svc_ops_entry_age",
	  "Metadata duplicate operations KVS max entry age, in seconds", CREATE, "60-600"},
	 PK_UINT,
	 NULL,
	 0,
	 0,
	 DAOS_PROP_PO_SVC_OPS_ENTRY_AGE_MIN,
	 DAOS_PROP_PO_SVC_OPS_ENTRY_AGE_MAX},
	{{DAOS_PROP_PO_OBJ_VERSION, "obj_version", "Object Version", RO | NOLIST, NULL}, PK_UINT},
	{{DAOS_PROP_PO_OWNER, "owner", "Owner", CREATE | NOLIST, NULL}, PK_PRINCIPAL},
	{{DAOS_PROP_PO_OWNER_GROUP, "group", "Group", CREATE | NOLIST, NULL}, PK_PRINCIPAL},
	{{DAOS_PROP_PO_ACL, "acl", "Access Control List", CREATE | NOLIST, NULL}, PK_ACL},
};

/* Container properties in daos cont get-prop order (by name, ACL last). */
static const struct prop_info cont_props[] = {
	{{DAOS_PROP_CO_ALLOCED_OID, DAOS_PROP_ENTRY_ALLOCED_OID, "Highest Allocated OID", RO, NULL},
	 PK_UINT},
	{{DAOS_PROP_CO_CSUM, DAOS_PROP_ENTRY_CKSUM, "Checksum", CREATE,
	  "off,adler32,crc16,crc32,crc64,sha1,sha256,sha512"},
	 PK_ENUM,
	 ENUM(csum_vals)},
	{{DAOS_PROP_CO_CSUM_CHUNK_SIZE, DAOS_PROP_ENTRY_CKSUM_SIZE, "Checksum Chunk Size", CREATE,
	  "N<unit>"},
	 PK_SIZE,
	 NULL,
	 0,
	 0,
	 1,
	 (1ULL << 32) - 1},
	{{DAOS_PROP_CO_COMPRESS, DAOS_PROP_ENTRY_COMPRESS, "Compression", CREATE,
	  "off,lz4,deflate,deflate1,deflate2,deflate3,deflate4"},
	 PK_ENUM,
	 ENUM(compress_vals)},
	{{DAOS_PROP_CO_DEDUP, DAOS_PROP_ENTRY_DEDUP, "Deduplication", CREATE, "off,memcmp,hash"},
	 PK_ENUM,
	 ENUM(dedup_vals)},
	{{DAOS_PROP_CO_DEDUP_THRESHOLD, DAOS_PROP_ENTRY_DEDUP_THRESHOLD, "Dedupe Threshold", CREATE,
	  "4KiB-4GiB"},
	 PK_SIZE,
	 NULL,
	 0,
	 0,
	 4096,
	 (1ULL << 32) - 1},
	{{DAOS_PROP_CO_EC_CELL_SZ, DAOS_PROP_ENTRY_EC_CELL_SZ, "EC Cell Size", CREATE, "1KiB-1GiB"},
	 PK_SIZE,
	 NULL,
	 0,
	 0,
	 DAOS_PROP_PO_EC_CELL_SZ_MIN,
	 DAOS_PROP_PO_EC_CELL_SZ_MAX},
	{{DAOS_PROP_CO_EC_PDA, DAOS_PROP_ENTRY_EC_PDA, "Performance domain affinity level of EC",
	  CREATE, NULL},
	 PK_UINT,
	 NULL,
	 0,
	 0,
	 0,
	 UINT32_MAX},
	{{DAOS_PROP_CO_ENCRYPT, DAOS_PROP_ENTRY_ENCRYPT, "Encryption", CREATE,
	  "off,aes-xts128,aes-xts256,aes-cbc128,aes-cbc192,aes-cbc256,aes-gcm128,aes-gcm256"},
	 PK_ENUM,
	 ENUM(encrypt_vals)},
	{{DAOS_PROP_CO_GLOBAL_VERSION, DAOS_PROP_ENTRY_GLOBAL_VERSION, "Global Version", RO, NULL},
	 PK_UINT},
	{{DAOS_PROP_CO_OWNER_GROUP, DAOS_PROP_ENTRY_GROUP, "Group", RO, NULL}, PK_PRINCIPAL},
	{{DAOS_PROP_CO_LABEL, DAOS_PROP_ENTRY_LABEL, "Label", SET | CREATE, NULL}, PK_LABEL},
	{{DAOS_PROP_CO_LAYOUT_TYPE, DAOS_PROP_ENTRY_LAYOUT_TYPE, "Layout Type", RO, NULL},
	 PK_ENUM,
	 ENUM(layout_vals),
	 EF_NAME_NUM},
	{{DAOS_PROP_CO_LAYOUT_VER, DAOS_PROP_ENTRY_LAYOUT_VER, "Layout Version", RO, NULL},
	 PK_UINT},
	{{DAOS_PROP_CO_SNAPSHOT_MAX, DAOS_PROP_ENTRY_SNAPSHOT_MAX, "Max Snapshot", RO, NULL},
	 PK_UINT},
	{{DAOS_PROP_CO_OBJ_VERSION, DAOS_PROP_ENTRY_OBJ_VERSION, "Object Version", RO, NULL},
	 PK_UINT},
	{{DAOS_PROP_CO_OWNER, DAOS_PROP_ENTRY_OWNER, "Owner", RO, NULL}, PK_PRINCIPAL},
	{{DAOS_PROP_CO_PERF_DOMAIN, DAOS_PROP_ENTRY_PERF_DOMAIN, "Performance domain level", CREATE,
	  "root,group"},
	 PK_ENUM,
	 ENUM(perf_domain_vals),
	 EF_NAME_NUM},
	{{DAOS_PROP_CO_REDUN_FAC, DAOS_PROP_ENTRY_REDUN_FAC, "Redundancy Factor", CREATE,
	  "0,1,2,3,4"},
	 PK_ENUM,
	 ENUM(rd_fac_vals),
	 EF_RD_FAC},
	{{DAOS_PROP_CO_REDUN_LVL, DAOS_PROP_ENTRY_REDUN_LVL, "Redundancy Level", CREATE,
	  "rank,node,1,2"},
	 PK_ENUM,
	 ENUM(rd_lvl_vals),
	 EF_NAME_NUM},
	{{DAOS_PROP_CO_RP_PDA, DAOS_PROP_ENTRY_RP_PDA, "Performance domain affinity level of RP",
	  CREATE, NULL},
	 PK_UINT,
	 NULL,
	 0,
	 0,
	 0,
	 UINT32_MAX},
	{{DAOS_PROP_CO_CSUM_SERVER_VERIFY, DAOS_PROP_ENTRY_SRV_CKSUM, "Server Checksumming", CREATE,
	  "on,off"},
	 PK_ENUM,
	 ENUM(srv_csum_vals)},
	{{DAOS_PROP_CO_STATUS, DAOS_PROP_ENTRY_STATUS, "Health", SET | CREATE, "healthy"},
	 PK_STATUS},
	{{DAOS_PROP_CO_ACL, DAOS_PROP_ENTRY_ACL, "Access Control List", CREATE, NULL}, PK_ACL},
	{{DAOS_PROP_CO_SCRUBBER_DISABLED, DAOS_PROP_ENTRY_SCRUB_DISABLED, "Scrubber Disabled",
	  CREATE | NOLIST, "0,1"},
	 PK_ENUM,
	 ENUM(bool_vals)},
	{{DAOS_PROP_CO_ROOTS, DAOS_PROP_ENTRY_ROOT_OIDS, "Root OIDs", RO | NOLIST, NULL}, PK_ROOTS},
};

#undef RO
#undef SET
#undef CREATE
#undef NOLIST

static const struct prop_info *
info_of(const struct daos_prop_desc *desc)
{
	return container_of(desc, struct prop_info, pi_pub);
}

const struct daos_prop_desc *
daos_prop_desc_by_name(const char *name, bool pool)
{
	const struct prop_info *tab = pool ? pool_props : cont_props;
	size_t nr = pool ? ARRAY_SIZE(pool_props) : ARRAY_SIZE(cont_props);
	size_t i;

	if (name == NULL)
		return NULL;
	if (pool) {
		if (strcasecmp(name, DAOS_PROP_ENTRY_REDUN_FAC_OLD) == 0)
			name = DAOS_PROP_ENTRY_REDUN_FAC;
	} else {
		if (strcasecmp(name, DAOS_PROP_ENTRY_REDUN_FAC_OLD) == 0)
			name = DAOS_PROP_ENTRY_REDUN_FAC;
		else if (strcasecmp(name, DAOS_PROP_ENTRY_REDUN_LVL_OLD) == 0)
			name = DAOS_PROP_ENTRY_REDUN_LVL;
		else if (strcasecmp(name, "ec_cell") == 0)
			name = DAOS_PROP_ENTRY_EC_CELL_SZ;
	}
	for (i = 0; i < nr; i++) {
		if (strcasecmp(name, tab[i].pi_pub.pd_name) == 0)
			return &tab[i].pi_pub;
	}
	return NULL;
}

const struct daos_prop_desc *
daos_prop_desc_by_type(uint32_t type)
{
	bool pool = type < DAOS_PROP_CO_MIN;
	const struct prop_info *tab = pool ? pool_props : cont_props;
	size_t nr = pool ? ARRAY_SIZE(pool_props) : ARRAY_SIZE(cont_props);
	size_t i;

	for (i = 0; i < nr; i++) {
		if (tab[i].pi_pub.pd_type == type)
			return &tab[i].pi_pub;
	}
	return NULL;
}

const struct daos_prop_desc *
daos_prop_desc_at(bool pool, int idx)
{
	if (idx < 0)
		return NULL;
	if (pool)
		return idx < (int)ARRAY_SIZE(pool_props) ? &pool_props[idx].pi_pub : NULL;
	return idx < (int)ARRAY_SIZE(cont_props) ? &cont_props[idx].pi_pub : NULL;
}

static int
parse_uint(const char *str, uint64_t *val)
{
	char *end;
	unsigned long long v;

	if (str == NULL || !isdigit((unsigned char)str[0]))
		return -DER_INVAL;
	errno = 0;
	v = strtoull(str, &end, 10);
	if (errno != 0 || *end != '\0')
		return -DER_INVAL;
	*val = v;
	return 0;
}

static int
parse_self_heal(const char *str, uint64_t *val)
{
	char *copy;
	char *tok;
	char *save = NULL;
	uint64_t bits = 0;
	int rc = 0;

	D_STRNDUP(copy, str, DAOS_PROP_LABEL_MAX_LEN);
	if (copy == NULL)
		return -DER_NOMEM;
	for (tok = strtok_r(copy, ",;|+", &save); tok != NULL;
	     tok = strtok_r(NULL, ",;|+", &save)) {
		if (strcasecmp(tok, "exclude") == 0)
			bits |= DAOS_SELF_HEAL_AUTO_EXCLUDE;
		else if (strcasecmp(tok, "rebuild") == 0)
			bits |= DAOS_SELF_HEAL_AUTO_REBUILD;
		else if (strcasecmp(tok, "delay_rebuild") == 0)
			bits |= DAOS_SELF_HEAL_DELAY_REBUILD;
		else if (strcasecmp(tok, "none") != 0)
			rc = -DER_INVAL;
	}
	D_FREE(copy);
	if (rc == 0)
		*val = bits;
	return rc;
}

static int
parse_acl(const char *str, struct daos_acl **acl)
{
	const char **strs = NULL;
	char *copy;
	char *tok;
	char *save = NULL;
	size_t nr = 0;
	size_t cap = 0;
	int rc = 0;

	D_STRNDUP(copy, str, DAOS_ACL_MAX_ACE_LEN);
	if (copy == NULL)
		return -DER_NOMEM;
	for (tok = strtok_r(copy, ";", &save); tok != NULL; tok = strtok_r(NULL, ";", &save)) {
		if (nr == cap) {
			const char **grown;

			cap = cap == 0 ? 8 : cap * 2;
			grown = realloc(strs, cap * sizeof(*strs));
			if (grown == NULL)
				D_GOTO(out, rc = -DER_NOMEM);
			strs = grown;
		}
		strs[nr++] = tok;
	}
	rc = daos_acl_from_strs(strs, nr, acl);
out:
	free(strs);
	D_FREE(copy);
	return rc;
}

int
daos_prop_entry_from_str(const struct daos_prop_desc *desc, const char *value,
			 struct daos_prop_entry *entry)
{
	const struct prop_info *info;
	struct daos_acl *acl = NULL;
	uint64_t val = 0;
	int rc = 0;
	int i;

	if (desc == NULL || value == NULL || entry == NULL)
		return -DER_INVAL;
	info = info_of(desc);
	memset(entry, 0, sizeof(*entry));
	entry->dpe_type = desc->pd_type;

	switch (info->pi_kind) {
	case PK_LABEL:
		if (!daos_label_is_valid(value)) {
			D_ERROR("invalid label \"%.*s\"\n", DAOS_PROP_LABEL_MAX_LEN + 1, value);
			return -DER_INVAL;
		}
		return daos_prop_entry_set_str(entry, value, DAOS_PROP_LABEL_MAX_LEN);
	case PK_PRINCIPAL:
		if (!daos_acl_principal_is_valid(value)) {
			D_ERROR("invalid principal \"%.*s\"\n", DAOS_ACL_MAX_PRINCIPAL_LEN + 1,
				value);
			return -DER_INVAL;
		}
		return daos_prop_entry_set_str(entry, value, DAOS_ACL_MAX_PRINCIPAL_LEN);
	case PK_ACL:
		rc = parse_acl(value, &acl);
		if (rc != 0)
			return rc;
		entry->dpe_val_ptr = acl;
		return 0;
	case PK_ENUM:
		for (i = 0; i < info->pi_enum_nr; i++) {
			if (strcasecmp(value, info->pi_enum[i].ev_name) == 0) {
				entry->dpe_val = info->pi_enum[i].ev_val;
				return 0;
			}
		}
		D_ERROR("invalid choice \"%s\" for %s (valid: %s)\n", value, desc->pd_name,
			desc->pd_values != NULL ? desc->pd_values : "?");
		return -DER_INVAL;
	case PK_SIZE:
		rc = daos_str2size(value, &val);
		break;
	case PK_UINT:
	case PK_PERCENT:
		if (info->pi_kind == PK_PERCENT && value[0] != '\0' &&
		    value[strlen(value) - 1] == '%') {
			char num[24];

			if (strlen(value) >= sizeof(num))
				return -DER_INVAL;
			strcpy(num, value);
			num[strlen(num) - 1] = '\0';
			rc = parse_uint(num, &val);
		} else {
			rc = parse_uint(value, &val);
		}
		break;
	case PK_SELF_HEAL:
		rc = parse_self_heal(value, &val);
		break;
	case PK_STATUS:
		if (strcasecmp(value, "healthy") != 0) {
			D_ERROR("status can only be set to \"healthy\"\n");
			return -DER_INVAL;
		}
		entry->dpe_val = DAOS_PROP_CO_STATUS_VAL(DAOS_PROP_CO_HEALTHY, 0, 0);
		return 0;
	default:
		D_ERROR("property %s cannot be set\n", desc->pd_name);
		return -DER_INVAL;
	}
	if (rc != 0) {
		D_ERROR("invalid value \"%s\" for %s\n", value, desc->pd_name);
		return rc == -DER_NOMEM ? rc : -DER_INVAL;
	}
	if ((info->pi_min != 0 || info->pi_max != 0) &&
	    (val < info->pi_min || val > info->pi_max)) {
		D_ERROR("value \"%s\" of %s is out of range [" DF_U64 ", " DF_U64 "]\n", value,
			desc->pd_name, info->pi_min, info->pi_max);
		return -DER_INVAL;
	}
	entry->dpe_val = val;
	return 0;
}

static void
set_err(char *errbuf, size_t errlen, const char *fmt, const char *a, const char *b)
{
	if (errbuf != NULL && errlen > 0)
		snprintf(errbuf, errlen, fmt, a, b);
}

int
daos_prop_parse_kv(const char *str, bool pool, uint32_t required_flags, daos_prop_t **out,
		   char *errbuf, size_t errlen)
{
	const struct daos_prop_desc *desc;
	daos_prop_t *prop = NULL;
	char *copy;
	char *tok;
	char *next;
	char *val;
	char **names = NULL;
	uint32_t n = 1;
	uint32_t nr = 0;
	uint32_t i;
	int rc = 0;

	if (str == NULL || out == NULL)
		return -DER_INVAL;
	set_err(errbuf, errlen, "%s%s", "", "");
	D_STRNDUP(copy, str, strlen(str));
	if (copy == NULL)
		return -DER_NOMEM;
	for (tok = copy; *tok != '\0'; tok++)
		n += (*tok == ',');
	D_ALLOC_ARRAY(names, n);
	if (names == NULL)
		D_GOTO(out, rc = -DER_NOMEM);

	/*
	 * Split "a:1,b:x,y,c:2" into pairs. A piece without ':' continues the
	 * previous value, so values that are lists ("self_heal:exclude,rebuild")
	 * survive the comma-separated syntax, as in dmg.
	 */
	for (tok = copy; tok != NULL; tok = next) {
		char *piece = tok;

		next = strchr(tok, ',');
		if (next != NULL)
			*next++ = '\0';
		while (isspace((unsigned char)*tok))
			tok++;
		if (strchr(tok, ':') == NULL && nr > 0 && *tok != '\0') {
			/* put the comma back: the previous value now runs through this piece */
			piece[-1] = ',';
			continue;
		}
		val = strchr(tok, ':');
		if (val == NULL || val == tok) {
			set_err(errbuf, errlen, "invalid property \"%s\" (want name:value)%s", tok,
				"");
			D_GOTO(out, rc = -DER_INVAL);
		}
		names[nr++] = tok;
	}
	if (nr > DAOS_PROP_ENTRIES_MAX_NR) {
		set_err(errbuf, errlen, "too many properties%s%s", "", "");
		D_GOTO(out, rc = -DER_INVAL);
	}
	prop = daos_prop_alloc(nr);
	if (prop == NULL)
		D_GOTO(out, rc = -DER_NOMEM);
	prop->dpp_nr = 0;

	for (i = 0; i < nr; i++) {
		tok = names[i];
		val = strchr(tok, ':');
		*val++ = '\0';
		if (*val == '\0') {
			set_err(errbuf, errlen, "property \"%s\" has no value%s", tok, "");
			D_GOTO(out, rc = -DER_INVAL);
		}
		desc = daos_prop_desc_by_name(tok, pool);
		if (desc == NULL) {
			set_err(errbuf, errlen, "unknown property \"%s\"%s", tok, "");
			D_GOTO(out, rc = -DER_INVAL);
		}
		if ((desc->pd_flags & required_flags) != required_flags ||
		    (desc->pd_flags & DAOS_PROP_DESC_RO)) {
			set_err(errbuf, errlen, "property \"%s\" cannot be set here%s", tok, "");
			D_GOTO(out, rc = -DER_INVAL);
		}
		if (daos_prop_entry_get(prop, desc->pd_type) != NULL) {
			set_err(errbuf, errlen, "property \"%s\" given twice%s", tok, "");
			D_GOTO(out, rc = -DER_INVAL);
		}
		rc = daos_prop_entry_from_str(desc, val, &prop->dpp_entries[prop->dpp_nr]);
		if (rc != 0) {
			set_err(errbuf, errlen, "invalid value \"%s\" for property \"%s\"", val,
				desc->pd_name);
			goto out;
		}
		prop->dpp_nr++;
	}
	if (prop->dpp_nr == 0) {
		set_err(errbuf, errlen, "no property given%s%s", "", "");
		D_GOTO(out, rc = -DER_INVAL);
	}
	*out = prop;
	prop = NULL;
out:
	/* Entries past dpp_nr hold no value; freeing the array is enough for them. */
	daos_prop_free(prop);
	D_FREE(names);
	D_FREE(copy);
	return rc;
}

/* Append to a bounded buffer; remembers truncation in *rc. */
static void buf_add(char *buf, size_t len, size_t *off, int *rc, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

static void
buf_add(char *buf, size_t len, size_t *off, int *rc, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (*rc != 0)
		return;
	va_start(ap, fmt);
	n = vsnprintf(buf + *off, len - *off, fmt, ap);
	va_end(ap);
	if (n < 0) {
		*rc = -DER_INVAL;
		return;
	}
	if ((size_t)n >= len - *off) {
		*rc = -DER_TRUNC;
		return;
	}
	*off += n;
}

static void
ranks_to_str(d_rank_list_t *ranks, char *buf, size_t len, size_t *off, int *rc)
{
	uint32_t i;
	uint32_t j;

	buf_add(buf, len, off, rc, "[");
	for (i = 0; ranks != NULL && i < ranks->rl_nr; i = j + 1) {
		/* Collapse runs of consecutive ranks into "lo-hi", as DAOS's rank sets print. */
		for (j = i;
		     j + 1 < ranks->rl_nr && ranks->rl_ranks[j + 1] == ranks->rl_ranks[j] + 1; j++)
			;
		buf_add(buf, len, off, rc, "%s%u", i == 0 ? "" : ",", ranks->rl_ranks[i]);
		if (j > i)
			buf_add(buf, len, off, rc, "-%u", ranks->rl_ranks[j]);
	}
	buf_add(buf, len, off, rc, "]");
}

static void
acl_to_str(struct daos_acl *acl, char *buf, size_t len, size_t *off, int *rc)
{
	char **strs = NULL;
	size_t nr = 0;
	size_t i;
	int rc2;

	rc2 = daos_acl_to_strs(acl, &strs, &nr);
	if (rc2 != 0) {
		*rc = rc2;
		return;
	}
	for (i = 0; i < nr; i++)
		buf_add(buf, len, off, rc, "%s%s", i == 0 ? "" : ", ", strs[i]);
	for (i = 0; i < nr; i++)
		free(strs[i]);
	free(strs);
}

int
daos_prop_entry_to_str(struct daos_prop_entry *entry, char *buf, size_t buf_len)
{
	const struct daos_prop_desc *desc;
	const struct prop_info *info;
	struct daos_prop_co_roots *roots;
	struct daos_co_status st;
	char size[DAOS_SIZE_STR_MAX];
	size_t off = 0;
	uint64_t val;
	int rc = 0;
	int i;

	if (entry == NULL || buf == NULL || buf_len == 0)
		return -DER_INVAL;
	buf[0] = '\0';
	desc = daos_prop_desc_by_type(entry->dpe_type);
	if (desc == NULL)
		return -DER_INVAL;
	info = info_of(desc);
	if (!daos_prop_is_set(entry)) {
		buf_add(buf, buf_len, &off, &rc, "not set");
		return rc;
	}
	val = entry->dpe_val;

	switch (info->pi_kind) {
	case PK_LABEL:
	case PK_PRINCIPAL:
		buf_add(buf, buf_len, &off, &rc, "%s",
			entry->dpe_str != NULL ? entry->dpe_str : "");
		break;
	case PK_ACL:
		if (entry->dpe_val_ptr != NULL)
			acl_to_str(entry->dpe_val_ptr, buf, buf_len, &off, &rc);
		break;
	case PK_ENUM:
		for (i = 0; i < info->pi_enum_nr; i++) {
			if (info->pi_enum[i].ev_val == val)
				break;
		}
		if (info->pi_enum_fmt == EF_RD_FAC) {
			buf_add(buf, buf_len, &off, &rc, "rd_fac" DF_U64, val);
		} else if (i == info->pi_enum_nr) {
			if (info->pi_enum_fmt == EF_NAME_NUM)
				buf_add(buf, buf_len, &off, &rc, "(" DF_U64 ")", val);
			else
				buf_add(buf, buf_len, &off, &rc, "unknown (" DF_U64 ")", val);
		} else if (info->pi_enum_fmt == EF_NAME_NUM) {
			buf_add(buf, buf_len, &off, &rc, "%s (" DF_U64 ")",
				info->pi_enum[i].ev_name, val);
		} else {
			buf_add(buf, buf_len, &off, &rc, "%s", info->pi_enum[i].ev_name);
		}
		break;
	case PK_SIZE:
		rc = daos_size2str(val, true, size, sizeof(size));
		if (rc == 0)
			buf_add(buf, buf_len, &off, &rc, "%s", size);
		break;
	case PK_UINT:
		buf_add(buf, buf_len, &off, &rc, DF_U64, val);
		break;
	case PK_PERCENT:
		buf_add(buf, buf_len, &off, &rc, DF_U64 "%%", val);
		break;
	case PK_SELF_HEAL:
		if (val == 0)
			buf_add(buf, buf_len, &off, &rc, "none");
		if (val & DAOS_SELF_HEAL_AUTO_EXCLUDE)
			buf_add(buf, buf_len, &off, &rc, "exclude");
		if (val & DAOS_SELF_HEAL_AUTO_REBUILD)
			buf_add(buf, buf_len, &off, &rc, "%srebuild", off == 0 ? "" : ",");
		if (val & DAOS_SELF_HEAL_DELAY_REBUILD)
			buf_add(buf, buf_len, &off, &rc, "%sdelay_rebuild", off == 0 ? "" : ",");
		break;
	case PK_STATUS:
		daos_prop_val_2_co_status(val, &st);
		if (st.dcs_status == DAOS_PROP_CO_HEALTHY)
			buf_add(buf, buf_len, &off, &rc, "HEALTHY");
		else if (st.dcs_status == DAOS_PROP_CO_UNCLEAN)
			buf_add(buf, buf_len, &off, &rc, "UNCLEAN");
		else
			buf_add(buf, buf_len, &off, &rc, "unknown (%u)", st.dcs_status);
		break;
	case PK_RANKS:
		ranks_to_str(entry->dpe_val_ptr, buf, buf_len, &off, &rc);
		break;
	case PK_ROOTS:
		roots = entry->dpe_val_ptr;
		for (i = 0; roots != NULL && i < 4; i++)
			buf_add(buf, buf_len, &off, &rc, "%s" DF_U64 "." DF_U64, i == 0 ? "" : ", ",
				roots->cr_oids[i].hi, roots->cr_oids[i].lo);
		break;
	}
	return rc;
}

daos_prop_t *
daos_prop_alloc_listed(bool pool)
{
	const struct daos_prop_desc *d;
	daos_prop_t *prop;
	int nr = 0;
	int i;

	for (i = 0; (d = daos_prop_desc_at(pool, i)) != NULL; i++)
		nr += !(d->pd_flags & DAOS_PROP_DESC_NOLIST);
	prop = daos_prop_alloc(nr);
	if (prop == NULL)
		return NULL;
	for (i = 0, nr = 0; (d = daos_prop_desc_at(pool, i)) != NULL; i++) {
		if (!(d->pd_flags & DAOS_PROP_DESC_NOLIST))
			prop->dpp_entries[nr++].dpe_type = d->pd_type;
	}
	return prop;
}

/* Longest value printed: an ACL of long principals. */
#define PRINT_VALUE_MAX (DAOS_ACL_MAX_ACE_LEN + 4096)

int
daos_prop_print_table(FILE *out, daos_prop_t *prop)
{
	static const char *const titles[] = {"Name", "Value"};
	const struct daos_prop_desc *d;
	const char **cells = NULL;
	char *buf = NULL;
	char *value;
	uint32_t nrows = 0;
	uint32_t i;
	int rc;

	if (out == NULL || prop == NULL || (prop->dpp_nr > 0 && prop->dpp_entries == NULL))
		return -DER_INVAL;
	D_ALLOC_ARRAY(cells, 2 * (prop->dpp_nr + 1));
	if (cells == NULL)
		return -DER_NOMEM;
	for (i = 0; i < prop->dpp_nr; i++) {
		d = daos_prop_desc_by_type(prop->dpp_entries[i].dpe_type);
		if (d == NULL)
			continue;
		D_ASPRINTF(buf, "%s (%s)", d->pd_desc, d->pd_name);
		if (buf == NULL)
			D_GOTO(out, rc = -DER_NOMEM);
		cells[2 * nrows] = buf;
		D_ALLOC(value, PRINT_VALUE_MAX);
		if (value == NULL)
			D_GOTO(out, rc = -DER_NOMEM);
		if (daos_prop_entry_to_str(&prop->dpp_entries[i], value, PRINT_VALUE_MAX) != 0)
			snprintf(value, PRINT_VALUE_MAX, "invalid value");
		/* The Go tools leave an empty value's cell out, which the table prints as "None". */
		if (value[0] == '\0')
			D_FREE(value);
		cells[2 * nrows + 1] = value;
		nrows++;
	}
	rc = daos_table_fprint(out, 2, titles, cells, nrows);
out:
	for (i = 0; i < 2 * (prop->dpp_nr + 1); i++)
		free((char *)cells[i]);
	D_FREE(cells);
	return rc;
}
